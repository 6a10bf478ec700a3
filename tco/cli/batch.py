"""``tco batch run IN OUT``: scenario files of any size to results (docs/batch.md).

Exit status: 0 every scenario gave a result; 1 some rows were refused (listed in
``OUT.refused.jsonl``), or ``--strict`` stopped at the first one; 2 bad usage or an input that
cannot be read (one line per problem); 130 interrupted (run the same command again to resume).

Only typer and rich are imported here: the batch machinery, the engine, pyarrow and dask are
imported by the command when it runs, so ``tco --help`` stays fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tco.cli.common import fail
from tco.core.errors import TcoError

if TYPE_CHECKING:
    from tco.batch.run import BatchSummary

EXIT_REFUSED = 1
EXIT_INTERRUPTED = 130

batch_app = typer.Typer(
    help="Scenario files of any size to results, in chunks, resumable, here or on Dask.",
    no_args_is_help=True,
)


@contextmanager
def _progress_bar(console: Console) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar (scenarios done / total, rate) on a terminal; nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("scenarios"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("batch", total=None, rate="")
        start: list[tuple[int, float]] = []  # rows done before this run's first chunk, when

        def update(done: int, total: int) -> None:
            now = time.perf_counter()
            if not start:
                start.append((done, now))
            rows, since = done - start[0][0], now - start[0][1]
            rate = f"{rows / since:,.0f}/s" if rows and since > 0 else ""
            bar.update(task, completed=done, total=total, rate=rate)

        yield update


def summary_line(s: BatchSummary) -> str:
    refused = f"{s.refused:,} refused"
    if s.refused:
        refused += f" (see {s.report})"
    resumed = f", {s.resumed} of {s.chunks} chunks from an earlier run" if s.resumed else ""
    return (
        f"{s.scenarios:,} scenarios, {refused}, {s.seconds:,.1f} s, "
        f"{s.rate:,.0f} scenarios/s{resumed}"
    )


@batch_app.command("run")
def run_cmd(
    input_file: Annotated[
        Path, typer.Argument(metavar="IN", help="scenarios: JSON Lines, or Parquet")
    ],
    output: Annotated[Path, typer.Argument(metavar="OUT", help="results: JSON Lines, or Parquet")],
    out_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="jsonl|parquet",
            help="format of OUT (default: parquet for .parquet or .pq, else jsonl)",
        ),
    ] = None,
    chunk: Annotated[
        int, typer.Option("--chunk", help="rows per chunk, each evaluated in one batch")
    ] = 5000,
    strict: Annotated[
        bool, typer.Option("--strict", help="stop at the first refused row (exit status 1)")
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS|local",
            help="evaluate chunks on Dask: a scheduler (tcp://host:8786) or a LocalCluster",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="worker processes of --dask local (default: one per core)"),
    ] = None,
) -> None:
    """Evaluate every scenario of IN into OUT; refused rows go to OUT.refused.jsonl.

    An interrupted run resumes from OUT.parts when run again with the same arguments.

    Exit status: 0 all good, 1 rows refused, 2 bad usage or an unreadable input."""
    from tco.batch.run import BatchOptions, run_batch

    options = BatchOptions(
        input=input_file,
        output=output,
        out_format=out_format,
        chunk=chunk,
        strict=strict,
        dask=dask,
        workers=workers,
    )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        with _progress_bar(err) as progress:
            summary = run_batch(options, progress=progress)
    except TcoError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        err.print(
            f"interrupted: the chunks done are kept in {output}.parts; run the same command "
            "again to resume",
            markup=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _report(summary, err)


def _report(summary: BatchSummary, err: Console) -> None:
    stop = summary.stopped_at
    if stop is not None:
        where = f"{summary.source.row_word} {stop.row}"
        what = f"{stop.path}: {stop.message}" if stop.path else stop.message
        err.print(f"error: {where}: {what}", markup=False)
        err.print(
            f"stopped there (--strict); {summary.output} not written, the chunks done are "
            f"kept in {summary.output}.parts",
            markup=False,
        )
        raise typer.Exit(EXIT_REFUSED)
    Console(highlight=False, soft_wrap=True).print(summary_line(summary), markup=False)
    if summary.refused:
        raise typer.Exit(EXIT_REFUSED)

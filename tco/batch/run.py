"""A whole batch run: plan, resume, evaluate the chunks here or on Dask workers, assemble.

:func:`run_batch` is the entry point (``tco batch run`` calls it). A chunk is evaluated by
:func:`run_chunk` from a small :class:`ChunkTask` (paths, format, byte or row offsets): in this
process, or on a Dask worker (``Client.map``), which reads its own chunk from the input and
writes its own parts, so no scenario or result passes through the scheduler or the client. The
input and the part directory must therefore have the same paths on every worker (a shared
filesystem). The client sees each chunk's summary as it completes, and assembles the parts in
order at the end: the output is the same bytes whoever evaluated which chunk.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tco import __version__
from tco.batch import parts as part_files
from tco.batch.chunk import Refusal, evaluate_rows
from tco.batch.sources import (
    FORMATS,
    JSONL,
    PARQUET,
    Chunk,
    Source,
    file_identity,
    plan,
    read_nested,
    read_rows,
    sniff_format,
)
from tco.core.errors import Problem, TcoError

#: Scenarios per chunk unless told otherwise: each chunk is one batch of the engine.
DEFAULT_CHUNK = 5000
MAX_CHUNK = 1_000_000
#: How long a client waits for a Dask scheduler to answer.
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """What to run: IN, OUT, the output format (None: from OUT's extension, ``.parquet`` or
    ``.pq`` for Parquet, else JSON Lines), rows per chunk, ``--strict``, and where the chunks
    are evaluated: here (``dask`` None), a Dask scheduler's address, or ``local`` for a
    LocalCluster of ``workers`` processes (default: one per core)."""

    input: Path
    output: Path
    out_format: str | None = None
    chunk: int = DEFAULT_CHUNK
    strict: bool = False
    dask: str | None = None
    workers: int | None = None


@dataclass(slots=True)
class BatchSummary:
    """What a run did: rows and scenarios read, results written, rows refused, chunks in all
    and resumed (done by an earlier run) with their scenarios, seconds; ``stopped_at`` is the
    refused row a ``--strict`` run stopped at (then the output is not assembled), and
    ``first_refusals`` the first refused row of each chunk with one."""

    output: Path
    report: Path
    source: Source
    rows: int = 0
    scenarios: int = 0
    written: int = 0
    refused: int = 0
    chunks: int = 0
    resumed: int = 0
    seconds: float = 0.0
    stopped_at: Refusal | None = None
    resumed_scenarios: int = 0
    first_refusals: dict[int, Refusal] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Scenarios this run evaluated, a second."""
        done = self.scenarios - self.resumed_scenarios
        return done / self.seconds if self.seconds > 0 else 0.0

    def add(self, s: part_files.ChunkSummary) -> None:
        self.rows += s.rows
        self.scenarios += s.scenarios
        self.written += s.written
        self.refused += s.refused
        self.resumed += s.skipped
        self.resumed_scenarios += s.scenarios if s.skipped else 0
        first = part_files.refusal_of(s)
        if first is not None:
            self.first_refusals[s.index] = first


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Everything a worker needs for one chunk: small, pickled to the worker."""

    source: Source
    chunk: Chunk
    parts: str
    out_format: str
    engine_version: str


#: Hears progress: (rows done so far, rows in all).
Progress = Callable[[int, int], None]


def run_chunk(task: ChunkTask) -> part_files.ChunkSummary:
    """Read, evaluate and write one chunk (in this process or on a Dask worker)."""
    if task.engine_version != __version__:
        raise TcoError(
            [
                Problem(
                    "--dask",
                    f"a worker runs tco {__version__}, the client tco {task.engine_version}: "
                    "install the same version everywhere",
                )
            ]
        )
    start = time.perf_counter()
    table = read_nested(task.source, task.chunk)
    output = evaluate_rows(
        read_rows(task.source, task.chunk),
        as_table=task.out_format == PARQUET,
        nested=None if table is None else (task.chunk.first_row, table),
    )
    return part_files.write_chunk(
        Path(task.parts), task.chunk, task.out_format, output, time.perf_counter() - start
    )


def output_format(options: BatchOptions) -> str:
    if options.out_format is not None:
        return options.out_format
    return PARQUET if options.output.suffix.lower() in (".parquet", ".pq") else JSONL


def check_options(options: BatchOptions) -> None:
    """Refuse bad usage before anything is read: each problem named by its option."""
    o = options
    problems: list[Problem] = []
    if o.out_format is not None and o.out_format not in FORMATS:
        problems.append(Problem("--format", f"'{o.out_format}' is not one of: jsonl, parquet"))
    if not 1 <= o.chunk <= MAX_CHUNK:
        problems.append(Problem("--chunk", f"must be within 1..{MAX_CHUNK:,}, got {o.chunk}"))
    if o.workers is not None and o.dask != "local":
        problems.append(Problem("--workers", "applies only with --dask local"))
    if o.workers is not None and not 1 <= o.workers <= 256:
        problems.append(Problem("--workers", f"must be within 1..256, got {o.workers}"))
    if o.dask is not None and not o.dask.strip():
        problems.append(Problem("--dask", "give a scheduler's address (tcp://host:8786) or local"))
    out = o.output
    if out.resolve() == o.input.resolve():
        problems.append(Problem(str(out), "is the input file; write the results elsewhere"))
    elif out.is_dir():
        problems.append(Problem(str(out), "is a directory; name the output file"))
    elif not out.parent.is_dir():
        problems.append(Problem(str(out), f"its folder {out.parent} does not exist"))
    if problems:
        raise TcoError(problems)


def _need_pyarrow() -> None:
    try:
        importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise TcoError([Problem("Parquet", "needs pyarrow: pip install pyarrow")]) from None


def _check_input(options: BatchOptions, out_format: str) -> None:
    """Name a missing or unreadable input, or a missing pyarrow, before anything is started."""
    if PARQUET in (sniff_format(options.input), out_format):
        _need_pyarrow()


def _prepare(options: BatchOptions, out_format: str) -> tuple[Source, list[Chunk], Path]:
    """The source (its absolute path) and its chunks: from the manifest of an interrupted run
    (checked against the input and options), or planned anew with a new manifest."""
    parts = part_files.parts_dir(options.output)
    identity = file_identity(options.input)
    old = part_files.read_manifest(parts)
    if old is not None:
        part_files.check_manifest(old, options.input, identity, options.chunk, out_format, parts)
        part_files.remove_temporary(parts)
        src = old["input"]
        source = Source(src["path"], src["format"], int(old["rows"]), old.get("column"))
        return source, [Chunk.of_list(c) for c in old["chunks"]], parts
    source, chunks = plan(options.input, options.chunk)
    # absolute paths in the tasks: a worker on another host has another working directory
    source = dataclasses.replace(source, path=str(options.input.resolve()))
    if parts.exists():
        raise TcoError([Problem(str(parts), "exists but holds no manifest; delete it first")])
    parts.mkdir()
    part_files.write_manifest(
        parts, part_files.new_manifest(source, identity, options.chunk, out_format, chunks)
    )
    return source, chunks, parts


def run_batch(
    options: BatchOptions,
    *,
    progress: Progress | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Run IN to OUT (module docstring). ``progress`` hears rows done after each chunk;
    ``on_chunk`` hears the index of each chunk this run evaluated, once its parts are written.
    Raises :class:`TcoError` for bad usage or an input that cannot be read."""
    start = time.perf_counter()
    check_options(options)
    out_format = output_format(options)
    _check_input(options, out_format)
    with _evaluator(options) as evaluate:  # a scheduler that cannot be reached: nothing written
        source, chunks, parts = _prepare(options, out_format)
        summary = BatchSummary(options.output, part_files.report_path(options.output), source)
        summary.chunks = len(chunks)
        todo = []
        for c in chunks:
            done = part_files.chunk_summary(parts, c.index)
            if done is None:
                todo.append(ChunkTask(source, c, str(parts.resolve()), out_format, __version__))
            else:
                summary.add(done)
        if progress is not None:
            progress(summary.rows, source.n_rows)
        complete = {c.index for c in chunks} - {t.chunk.index for t in todo}
        stopped = evaluate(todo, _Tracker(summary, complete, options.strict, progress, on_chunk))
    if not stopped:
        part_files.assemble(parts, options.output, out_format, len(chunks))
    summary.seconds = time.perf_counter() - start
    return summary


#: Evaluates chunks' tasks, telling each summary to the tracker; True when the run stopped.
Evaluate = Callable[[list[ChunkTask], "_Tracker"], bool]


@contextmanager
def _evaluator(options: BatchOptions) -> Iterator[Evaluate]:
    """Where the chunks run: here, or on the workers of a Dask client connected for the run."""
    if options.dask is None:
        yield _here
        return
    with dask_client(options.dask, options.workers) as client:
        yield functools.partial(_on_dask, client)


class _Tracker:
    """Takes each chunk's summary as it completes (in any order) and tells whether a
    ``--strict`` run must stop: at the first refused row, once every chunk before it is done."""

    def __init__(
        self,
        summary: BatchSummary,
        complete: set[int],
        strict: bool,
        progress: Progress | None,
        on_chunk: Callable[[int], None] | None,
    ) -> None:
        self.summary, self.complete, self.strict = summary, complete, strict
        self.progress, self.on_chunk = progress, on_chunk
        self.in_order = 0  # chunks 0..in_order-1 are complete
        self._advance()

    def _advance(self) -> bool:
        while self.in_order in self.complete:
            first = self.summary.first_refusals.get(self.in_order)
            if self.strict and first is not None:
                self.summary.stopped_at = first
                return True
            self.in_order += 1
        return False

    def done(self, s: part_files.ChunkSummary) -> bool:
        """Take a chunk's summary; True when the run must stop."""
        self.summary.add(s)
        self.complete.add(s.index)
        if self.on_chunk is not None:
            self.on_chunk(s.index)
        if self.progress is not None:
            self.progress(self.summary.rows, self.summary.source.n_rows)
        return self._advance()

    @property
    def stopped(self) -> bool:
        return self.summary.stopped_at is not None


def _here(tasks: list[ChunkTask], tracker: _Tracker) -> bool:
    """Evaluate the chunks in this process, in order."""
    if tracker.stopped:
        return True
    return any(tracker.done(run_chunk(task)) for task in tasks)


def _on_dask(client: Any, tasks: list[ChunkTask], tracker: _Tracker) -> bool:
    """Evaluate the chunks on Dask workers, taking their summaries as they complete."""
    if tracker.stopped:
        return True
    if not tasks:
        return False
    futures = client.map(run_chunk, tasks, pure=False)
    try:
        for future in _distributed().as_completed(futures):
            if tracker.done(future.result()):
                return True
    finally:
        client.cancel(futures)
    return False


def _distributed() -> Any:
    """dask.distributed (typed as Any: its functions carry no annotations)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise TcoError(
            [Problem("--dask", "needs dask.distributed: pip install 'dask[distributed]'")]
        ) from None


@contextmanager
def dask_client(address: str, workers: int | None) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a LocalCluster of ``workers`` processes
    (one thread each; the engine's kernel uses every core of its process) for ``local``."""
    distributed = _distributed()
    if address == "local":
        n = workers or os.cpu_count() or 1
        with (
            distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: several clusters may run at once
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise TcoError(
            [Problem("--dask", f"cannot connect to the scheduler at {address}: {exc}")]
        ) from None
    with client:
        yield client

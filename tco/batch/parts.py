"""The part directory of a run (``OUT.parts/``), its manifest, and the assembly of the output.

For chunk *i* a run writes, each to a temporary name and then renamed into place (atomic on one
filesystem), its results (``i.jsonl``, or ``i.arrow`` for Parquet output), its refused rows
(``i.refused.jsonl``) and last its summary (``i.done.json``): a chunk is complete when its
summary exists, so a run killed at any moment leaves complete chunks and, at worst, temporary
files that the next run removes. ``manifest.json`` records the input (path, size, modification
time, a hash of its first MiB), the options that shape the parts (chunk size, output format),
the engine's version and the chunk plan; a later run with other inputs or options is refused
rather than mixing parts.

When every chunk is complete, the parts are assembled in order into ``OUT`` and
``OUT.refused.jsonl`` (each written to a temporary name and renamed), and the part directory is
removed. Parquet output is written in row groups of :data:`OUTPUT_ROW_GROUP` rows whatever the
chunk size, so the output's bytes do not depend on it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from tco import __version__
from tco.batch.chunk import ChunkOutput, Refusal
from tco.batch.sources import PARQUET, Chunk, Source
from tco.core.errors import Problem, TcoError

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
OUTPUT_ROW_GROUP = 5000
PARQUET_COMPRESSION = "zstd"
#: Columns with min/max statistics in each row group (what a query filters on); those of the
#: result's numbers cost a sixth of the writing and serve no filter.
STATISTICS = ["row", "recommended"]


@dataclass(frozen=True, slots=True)
class ChunkSummary:
    """What a complete chunk holds: rows (lines) and scenarios read, results written, rows
    refused, the first refused row's first problem (for ``--strict``) and the seconds it took."""

    index: int
    rows: int
    scenarios: int
    written: int
    refused: int
    first_refusal: tuple[int, str, str] | None
    seconds: float
    skipped: bool = False


def parts_dir(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def report_path(output: Path) -> Path:
    return output.with_name(output.name + ".refused.jsonl")


def _part(parts: Path, index: int, suffix: str) -> Path:
    return parts / f"{index:06d}{suffix}"


def result_suffix(out_format: str) -> str:
    """A chunk's results file: JSON Lines, or an Arrow IPC file for Parquet output (written and
    read back at the speed of memory; the assembly writes the Parquet file once)."""
    return ".arrow" if out_format == PARQUET else ".jsonl"


def write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` through a temporary file beside it, synced and renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# The manifest


def new_manifest(
    source: Source, identity: dict[str, Any], chunk_rows: int, out_format: str, chunks: list[Chunk]
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "engine_version": __version__,
        "input": {"path": str(Path(source.path).resolve()), "format": source.format, **identity},
        "column": source.column,
        "rows": source.n_rows,
        "chunk": chunk_rows,
        "output_format": out_format,
        "chunks": [c.as_list() for c in chunks],
    }


def read_manifest(parts: Path) -> dict[str, Any] | None:
    """The manifest of an interrupted run, or None where there is none."""
    try:
        data: dict[str, Any] = json.loads((parts / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise TcoError(
            [
                Problem(
                    str(parts / MANIFEST), f"cannot be read ({exc}); delete {parts} to start over"
                )
            ]
        ) from None
    return data


def check_manifest(
    old: dict[str, Any],
    input_path: Path,
    identity: dict[str, Any],
    chunk_rows: int,
    out_format: str,
    parts: Path,
) -> None:
    """Refuse to resume from parts of another input, another version of it, or other options."""
    start_over = f"delete {parts} to start over"
    given = old.get("input", {})
    if given.get("path") != str(input_path.resolve()):
        raise TcoError(
            [Problem(str(parts), f"holds an interrupted run of {given.get('path')}; {start_over}")]
        )
    changed = [k for k in ("size", "mtime_ns", "head_sha256") if given.get(k) != identity[k]]
    if changed:
        what = {
            "size": "its size",
            "mtime_ns": "its modification time",
            "head_sha256": "its content",
        }
        raise TcoError(
            [
                Problem(
                    str(input_path),
                    "has changed since the interrupted run whose parts are in "
                    f"{parts} ({', '.join(what[k] for k in changed)}); {start_over}",
                )
            ]
        )
    if old.get("chunk") != chunk_rows or old.get("output_format") != out_format:
        raise TcoError(
            [
                Problem(
                    str(parts),
                    f"holds an interrupted run with --chunk {old.get('chunk')} --format "
                    f"{old.get('output_format')}; run again with those options, or {start_over}",
                )
            ]
        )
    if old.get("engine_version") != __version__ or old.get("manifest_version") != MANIFEST_VERSION:
        raise TcoError(
            [
                Problem(
                    str(parts),
                    f"was written by tco {old.get('engine_version')}, this is tco {__version__}; "
                    f"{start_over}",
                )
            ]
        )


def write_manifest(parts: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1).encode()
    write_atomic(parts / MANIFEST, lambda f: f.write(text))


def remove_temporary(parts: Path) -> None:
    """The temporary files an interrupted run left (never a complete part)."""
    for p in parts.glob(".*.tmp"):
        p.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# One chunk's parts


def write_chunk(
    parts: Path, chunk: Chunk, out_format: str, output: ChunkOutput, seconds: float
) -> ChunkSummary:
    """Write a chunk's results, refusals and, last, its summary (which marks it complete)."""
    refused_lines = b"".join(
        json.dumps(r.as_dict(), ensure_ascii=False).encode() + b"\n" for r in output.refusals
    )
    write_atomic(_part(parts, chunk.index, ".refused.jsonl"), lambda f: f.write(refused_lines))
    results = _part(parts, chunk.index, result_suffix(out_format))
    if out_format == PARQUET:
        table = output.table if output.table is not None else results_schema().empty_table()
        write_atomic(results, lambda f: _write_parquet_part(f, table))
    else:
        write_atomic(results, lambda f: f.writelines(_jsonl_lines(output)))
    first = output.refusals[0] if output.refusals else None
    summary = ChunkSummary(
        index=chunk.index,
        rows=chunk.n_rows,
        scenarios=output.scenarios,
        written=len(output.rows),
        refused=output.refused_rows,
        first_refusal=None if first is None else (first.row, first.path, first.message),
        seconds=round(seconds, 6),
    )
    text = json.dumps(asdict(summary)).encode()
    write_atomic(_part(parts, chunk.index, ".done.json"), lambda f: f.write(text))
    return summary


def _jsonl_lines(output: ChunkOutput) -> Iterable[bytes]:
    for row, document in zip(output.rows, output.documents, strict=True):
        yield b'{"row":%d,"result":%s}\n' % (row, document)


def results_schema() -> Any:
    from tco.batch.table import SCHEMA

    return SCHEMA


def _write_parquet_part(f: IO[bytes], table: Any) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    with pa.ipc.new_file(f, table.schema) as writer:
        writer.write_table(table)


def chunk_summary(parts: Path, index: int) -> ChunkSummary | None:
    """The summary of a complete chunk (marked skipped: done by an earlier run), or None."""
    try:
        data = json.loads(_part(parts, index, ".done.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    first = data.get("first_refusal")
    data["first_refusal"] = None if first is None else (int(first[0]), first[1], first[2])
    data["skipped"] = True
    return ChunkSummary(**data)


# --------------------------------------------------------------------------------------------
# Assembly


def assemble(parts: Path, output: Path, out_format: str, n_chunks: int) -> None:
    """The parts, in order, into ``output`` and its refused report; then the parts go."""
    suffix = result_suffix(out_format)
    files = [_part(parts, i, suffix) for i in range(n_chunks)]
    if out_format == PARQUET:
        write_atomic(output, lambda f: _assemble_parquet(files, f))
    else:
        write_atomic(output, lambda f: _concatenate(files, f))
    refused = [_part(parts, i, ".refused.jsonl") for i in range(n_chunks)]
    write_atomic(report_path(output), lambda f: _concatenate(refused, f))
    shutil.rmtree(parts)


def _concatenate(files: list[Path], out: IO[bytes]) -> None:
    for path in files:
        with path.open("rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)


def _assemble_parquet(files: list[Path], out: IO[bytes]) -> None:
    """Row groups of exactly OUTPUT_ROW_GROUP rows (the last one shorter), from contiguous
    arrays: the same bytes whatever the chunks were."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    schema = results_schema()
    # not dictionary-encoded: the numbers are nearly all distinct (encoding them took half the
    # writing time), and zstd packs the repeated names anyway
    with pq.ParquetWriter(
        out,
        schema,
        compression=PARQUET_COMPRESSION,
        use_dictionary=False,
        write_statistics=STATISTICS,
    ) as writer:
        pending: list[Any] = []
        held = 0
        for path in files:
            table = pa.ipc.open_file(pa.BufferReader(path.read_bytes())).read_all()
            pending.append(table)
            held += table.num_rows
            while held >= OUTPUT_ROW_GROUP:
                whole = pa.concat_tables(pending)
                writer.write_table(
                    whole.slice(0, OUTPUT_ROW_GROUP).combine_chunks(),
                    row_group_size=OUTPUT_ROW_GROUP,
                )
                pending, held = [whole.slice(OUTPUT_ROW_GROUP)], held - OUTPUT_ROW_GROUP
        if held:
            writer.write_table(pa.concat_tables(pending).combine_chunks())


def refusal_of(summary: ChunkSummary) -> Refusal | None:
    first = summary.first_refusal
    return None if first is None else Refusal(first[0], first[1], first[2])

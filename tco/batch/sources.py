"""Inputs of a batch run: their format, the chunk plan and the rows of one chunk.

**JSON Lines:** one scenario per line, as a JSON object (the JSON form of a scenario file). Row
numbers are line numbers, from 1; blank lines are skipped but counted, so a row number is always
the line an editor shows. A chunk is ``chunk`` consecutive lines, described by its byte offsets,
found by one streaming pass over the file (blocks of :data:`SCAN_BLOCK` bytes).

**Parquet:** one scenario per row, either as JSON text in a column named ``scenario`` (string
or binary; other columns are ignored), or as nested columns that mirror the scenario's top-level
fields (``assumptions``, ``offers`` and, where used, ``baseline`` and ``uncertainty``; structs,
lists and maps), where a null is an absent field. Row numbers count from 1. A chunk is a range
of rows; reading it reads only the row groups it overlaps, in record batches.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tco.core.errors import InputFileError, Problem

JSONL = "jsonl"
PARQUET = "parquet"
FORMATS = (JSONL, PARQUET)

#: Bytes read at a time by the pass that finds the chunks' offsets in a JSON Lines file.
SCAN_BLOCK = 4 << 20
#: The column of a Parquet input that holds each scenario as JSON text.
SCENARIO_COLUMN = "scenario"
_PARQUET_MAGIC = b"PAR1"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows ``first_row .. first_row + n_rows - 1`` of the input: bytes ``start:stop`` of a JSON
    Lines file, or rows ``start:stop`` (from 0) of a Parquet file."""

    index: int
    first_row: int
    n_rows: int
    start: int
    stop: int

    def as_list(self) -> list[int]:
        return [self.index, self.first_row, self.n_rows, self.start, self.stop]

    @classmethod
    def of_list(cls, values: list[int]) -> Chunk:
        index, first_row, n_rows, start, stop = (int(v) for v in values)
        return cls(index, first_row, n_rows, start, stop)


@dataclass(frozen=True, slots=True)
class Source:
    """An input file: its path, format and number of rows (lines of a JSON Lines file);
    ``column`` is the JSON text column of a Parquet input, or None for nested columns."""

    path: str
    format: str
    n_rows: int
    column: str | None = None

    @property
    def row_word(self) -> str:
        """How a row is named in messages: ``line`` in JSON Lines, ``row`` in Parquet."""
        return "line" if self.format == JSONL else "row"


def unreadable(path: str | Path, message: str) -> InputFileError:
    return InputFileError([Problem(str(path), message)])


def sniff_format(path: Path) -> str:
    """``parquet`` for a file that starts with Parquet's magic bytes, else ``jsonl``. Raises
    :class:`InputFileError` for a missing or unreadable file."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except FileNotFoundError:
        raise unreadable(path, "no such file") from None
    except IsADirectoryError:
        raise unreadable(path, "is a directory, not a file") from None
    except OSError as exc:
        raise unreadable(path, f"cannot be read: {exc.strerror}") from None
    return PARQUET if head == _PARQUET_MAGIC else JSONL


def plan(path: Path, chunk_rows: int) -> tuple[Source, list[Chunk]]:
    """The input's format and size, and its chunks of ``chunk_rows`` rows, in order."""
    fmt = sniff_format(path)
    if fmt == PARQUET:
        return _parquet_plan(path, chunk_rows)
    return _jsonl_plan(path, chunk_rows)


def _jsonl_plan(path: Path, chunk_rows: int) -> tuple[Source, list[Chunk]]:
    """One streaming pass: the offset of every ``chunk_rows``-th line start (numpy finds the
    newlines of each block)."""
    starts = [0]  # byte offsets where chunks start
    lines = 0  # complete lines (newlines) seen so far
    offset = 0
    tail = False  # bytes after the last newline
    try:
        with path.open("rb") as f:
            while block := f.read(SCAN_BLOCK):
                nl = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
                # line number (1-based, counted over the file) that each newline ends
                ends = lines + 1 + np.arange(nl.size)
                cut = nl[ends % chunk_rows == 0]
                starts.extend((offset + cut + 1).tolist())
                lines += int(nl.size)
                offset += len(block)
                tail = nl.size == 0 or int(nl[-1]) != len(block) - 1
    except OSError as exc:
        raise unreadable(path, f"cannot be read: {exc.strerror}") from None
    n_rows = lines + (1 if tail and offset > 0 else 0)
    if starts[-1] != offset:
        starts.append(offset)
    chunks = [
        Chunk(
            index=i,
            first_row=1 + i * chunk_rows,
            n_rows=min(chunk_rows, n_rows - i * chunk_rows),
            start=a,
            stop=b,
        )
        for i, (a, b) in enumerate(itertools.pairwise(starts))
    ]
    return Source(str(path), JSONL, n_rows), chunks


def _parquet_file(path: str | Path) -> Any:
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        return pq.ParquetFile(str(path))
    except OSError as exc:
        raise unreadable(path, f"cannot be read as Parquet: {exc}") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid (a ValueError) and others
        raise unreadable(path, f"cannot be read as Parquet: {exc}") from None


def _parquet_plan(path: Path, chunk_rows: int) -> tuple[Source, list[Chunk]]:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    pf = _parquet_file(path)
    schema = pf.schema_arrow
    names = schema.names
    column: str | None
    if SCENARIO_COLUMN in names:
        kind = schema.field(SCENARIO_COLUMN).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and not (
            pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
        ):
            raise unreadable(
                path, f"the column 'scenario' must hold JSON text (string), not {kind}"
            )
        column = SCENARIO_COLUMN
    elif "assumptions" in names and "offers" in names:
        column = None
    else:
        raise unreadable(
            path,
            "a Parquet input needs a 'scenario' column (each row a scenario as JSON text) or "
            f"nested 'assumptions' and 'offers' columns; it has: {', '.join(names) or 'none'}",
        )
    n_rows = int(pf.metadata.num_rows)
    chunks = [
        Chunk(i, a + 1, min(chunk_rows, n_rows - a), a, min(a + chunk_rows, n_rows))
        for i, a in enumerate(range(0, n_rows, chunk_rows))
    ]
    return Source(str(path), PARQUET, n_rows, column), chunks


def read_rows(source: Source, chunk: Chunk) -> Iterator[tuple[int, Any]]:
    """(row number, payload) of every row of ``chunk``: a line's bytes (JSON Lines), a JSON text
    or None (a Parquet ``scenario`` column), or a dict (nested Parquet columns). Blank lines are
    left out. Raises :class:`InputFileError` when the file cannot be read."""
    if source.format == JSONL:
        return _jsonl_rows(source, chunk)
    return _parquet_rows(source, chunk)


def _jsonl_rows(source: Source, chunk: Chunk) -> Iterator[tuple[int, Any]]:
    try:
        with open(source.path, "rb") as f:
            f.seek(chunk.start)
            data = f.read(chunk.stop - chunk.start)
    except OSError as exc:
        raise unreadable(source.path, f"cannot be read: {exc.strerror}") from None
    if len(data) != chunk.stop - chunk.start:
        raise unreadable(source.path, "is shorter than when the run was planned")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the chunk's last newline
    if chunk.start == 0 and lines and lines[0].startswith(_BOM):
        lines[0] = lines[0][len(_BOM) :]
    for i, line in enumerate(lines):
        if line.strip():
            yield chunk.first_row + i, line


def _parquet_rows(source: Source, chunk: Chunk) -> Iterator[tuple[int, Any]]:
    row = chunk.first_row
    for batch in _parquet_batches(source, chunk):
        for payload in _batch_payloads(batch, source.column):
            yield row, payload
            row += 1


def _parquet_batches(source: Source, chunk: Chunk) -> Iterator[Any]:
    """The record batches of a Parquet chunk's rows, in order (reading only the row groups the
    chunk overlaps)."""
    pf = _parquet_file(source.path)
    meta = pf.metadata
    groups, pos, first = [], 0, None
    for g in range(meta.num_row_groups):
        n = int(meta.row_group(g).num_rows)
        if pos < chunk.stop and pos + n > chunk.start:
            groups.append(g)
            first = pos if first is None else first
        pos += n
    if not groups or first is None:
        return
    columns = [source.column] if source.column is not None else None
    pos = first
    try:
        batches = pf.iter_batches(
            batch_size=min(chunk.n_rows, 65536), row_groups=groups, columns=columns
        )
        for batch in batches:
            lo, hi = max(chunk.start - pos, 0), min(chunk.stop - pos, batch.num_rows)
            pos += batch.num_rows
            if lo < hi:
                yield batch.slice(lo, hi - lo)
            if pos >= chunk.stop:
                break
    except OSError as exc:
        raise unreadable(source.path, f"cannot be read as Parquet: {exc}") from None


def read_nested(source: Source, chunk: Chunk) -> Any | None:
    """A chunk of a Parquet input with nested columns, as one Arrow table (for the columnar
    path, which reads the columns as they are); None for other inputs."""
    if source.format != PARQUET or source.column is not None:
        return None
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    batches = list(_parquet_batches(source, chunk))
    if not batches:
        return None
    return pa.Table.from_batches(batches).combine_chunks()


def row_data(table: Any, k: int) -> Any:
    """Row ``k`` of a nested Parquet table as scenario data (nulls are absent fields)."""
    return _drop_nulls(table.slice(k, 1).to_pylist(maps_as_pydicts="strict")[0])


def _batch_payloads(batch: Any, column: str | None) -> list[Any]:
    if column is not None:
        return list(batch.column(0).to_pylist())
    return [_drop_nulls(row) for row in batch.to_pylist(maps_as_pydicts="strict")]


def _drop_nulls(node: Any) -> Any:
    """Nested Parquet columns to scenario data: a null field is an absent one (a struct column
    has every field of every row; a scenario refuses nulls where it expects a value)."""
    if isinstance(node, dict):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nulls(v) for v in node]
    return node


def file_identity(path: str | Path, head_bytes: int = 1 << 20) -> dict[str, Any]:
    """What identifies the input between a run and its resumption: size, modification time
    and a SHA-256 of its first ``head_bytes`` bytes."""
    import hashlib

    st = os.stat(path)
    with open(path, "rb") as f:
        head = hashlib.sha256(f.read(head_bytes)).hexdigest()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "head_sha256": head}

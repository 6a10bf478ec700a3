"""One chunk's rows to results and refusals.

Each row is parsed (JSON) and validated (:func:`tco.core.scenario.parse_scenario`) on its own;
the valid rows of the chunk are then evaluated together in one batch
(:func:`tco.core.results.evaluate_many_json`). A scenario the engine refuses (its cash flows
overflow, its draws cannot be made) is named by the engine as ``scenarios[k]...``: that row is
refused and the others are evaluated again without it, so one bad row never refuses its chunk.
A scenario's result does not depend on the other scenarios of its batch, so the results do not
depend on the chunk size.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic_core import to_json

from tco.core.errors import InputFileError, Problem, ScenarioError, TcoError
from tco.core.scenario import TOO_DEEP, TOO_LONG, Scenario, input_limit_problems, parse_scenario

_IN_BATCH = re.compile(r"scenarios\[(\d+)\](?:\.(.*))?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Refusal:
    """One problem of a refused row: its row number, its path in the scenario and the message."""

    row: int
    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "path": self.path, "message": self.message}


@dataclass(slots=True)
class ChunkOutput:
    """The rows of a chunk that gave a result, in row order (each result as compact JSON, or
    all of them as one Arrow table for Parquet output), and the problems of the refused rows."""

    rows: list[int] = field(default_factory=list)
    documents: list[bytes] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    scenarios: int = 0  # rows read, blank lines left out
    table: Any = None  # the results as an Arrow table (Parquet output), in row order

    @property
    def refused_rows(self) -> int:
        return len({r.row for r in self.refusals})


def parse_json_row(payload: bytes | str) -> Any:
    """A row's JSON text to data, within the input limits of scenario files. Raises
    :class:`InputFileError` (path ``""``: the whole row) with the position of a syntax error."""
    try:
        data = orjson.loads(payload)  # fast path; its refusals are explained by json below
        # orjson reads no integer past 64 bits: only the nesting is left to check
        problems = input_limit_problems(data, source="", integers=False)
    except orjson.JSONDecodeError:
        data = _parse_json_slowly(payload)
        problems = input_limit_problems(data, source="")
    if problems:
        raise InputFileError(problems)
    return data


def _parse_json_slowly(payload: bytes | str) -> Any:
    """json's reading, for what orjson refuses: its messages give the column, and it reads what
    scenario files may hold and orjson does not (integers past 64 bits, NaN)."""
    try:
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    except UnicodeDecodeError as exc:
        raise InputFileError([Problem("", f"is not UTF-8 text (byte {exc.start + 1})")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = (
            f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno} column {exc.colno}"
        )
        raise InputFileError([Problem("", f"invalid JSON at {where}: {exc.msg}")]) from None
    except RecursionError:
        raise InputFileError([Problem("", TOO_DEEP)]) from None
    except ValueError:  # an integer beyond the interpreter's conversion limit
        raise InputFileError([Problem("", f"invalid JSON: {TOO_LONG}")]) from None


def parse_row(payload: Any) -> Scenario:
    """A row's payload (JSON text, or data from nested Parquet columns) to a valid scenario.
    Raises :class:`TcoError` naming every problem by its path in the scenario."""
    if payload is None:
        raise ScenarioError([Problem("", "no scenario: the row is null")])
    data = parse_json_row(payload) if isinstance(payload, bytes | str) else payload
    return parse_scenario(data)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (by the first of the threads that ask, resumed by the
    last): a chunk allocates millions of containers (scenarios, results) that reference counting
    frees, and the collections they would trigger walk every live one, again and again (they took
    40 to 65 % of a chunk's time)."""
    global _paused
    with _gc_lock:
        if _paused == 0:
            was = gc.isenabled()
            gc.disable()
            _was_enabled.append(was)
        _paused += 1
    try:
        yield
    finally:
        with _gc_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled.pop():
                gc.enable()


_gc_lock = threading.Lock()
_paused = 0
_was_enabled: list[bool] = []


def evaluate_rows(
    rows: Iterable[tuple[int, Any]], *, as_table: bool = False, nested: Any = None
) -> ChunkOutput:
    """Parse, validate and evaluate a chunk's rows: on the columnar path where it takes them
    (:mod:`tco.batch.columnar`), the others on the object path, the valid ones in one batch per
    study period (:func:`_evaluate_valid`), the cyclic garbage collector paused. ``as_table``:
    the results as one Arrow table (:mod:`tco.batch.table`, Parquet output), not as JSON.
    ``nested``: (first row number, table) of a Parquet chunk with nested columns, read as it is
    (``rows`` is then not read)."""
    with gc_paused():
        return _evaluate_rows(rows, as_table, nested)


def _evaluate_rows(rows: Iterable[tuple[int, Any]], as_table: bool, nested: Any) -> ChunkOutput:
    from tco.batch.columnar import evaluate_columns, evaluate_table

    out = ChunkOutput()
    if nested is not None and columnar_enabled():
        out.scenarios = nested[1].num_rows
        results, tables, rest = evaluate_table(nested[1], nested[0], as_tables=as_table)
    else:
        taken = list(rows)
        out.scenarios = len(taken)
        results, tables, rest = (
            evaluate_columns(taken, as_tables=as_table) if columnar_enabled() else ([], [], taken)
        )
        del taken
    numbers: list[int] = []
    scenarios: list[Scenario] = []
    for row, payload in rest:
        try:
            scenarios.append(parse_row(payload))
        except TcoError as exc:
            out.refusals.extend(Refusal(row, p.path, p.message) for p in exc.problems)
            continue
        numbers.append(row)
    del rest
    if scenarios:
        results.extend(_evaluate_valid(numbers, scenarios, out.refusals))
        results.sort(key=lambda pair: pair[0])
    del scenarios
    if as_table:
        _add_table(out, results, tables)
    else:
        for k, (row, result) in enumerate(results):
            results[k] = (row, {})  # what is written is released as it goes
            _add_result(out, row, result)
    out.refusals.sort(key=lambda r: r.row)  # stable: a row's problems keep their order
    return out


def _add_table(
    out: ChunkOutput, results: list[tuple[int, dict[str, Any]]], tables: list[Any]
) -> None:
    """The chunk's results as one table in row order: the columnar path's tables and the
    object path's results (those holding a number that is not finite refused, as for JSON)."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    from tco.batch.table import SCHEMA, table_of_dicts

    rows, documents = [], []
    for row, result in results:
        if _non_finite(result):
            out.refusals.append(Refusal(row, "", NOT_FINITE))
            continue
        rows.append(row)
        documents.append(result)
    if documents:
        tables.append(table_of_dicts(rows, documents))
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    if len(tables) > 1:
        table = table.take(pa.compute.sort_indices(table, [("row", "ascending")]))
    out.table = table
    out.rows = table.column("row").to_pylist()


def columnar_enabled() -> bool:
    """Whether chunks take the columnar path (:mod:`tco.batch.columnar`); ``TCO_COLUMNAR=0``
    sends every row through the object path (to compare the two)."""
    return os.environ.get("TCO_COLUMNAR", "1") != "0"


def _evaluate_valid(
    rows: list[int], scenarios: list[Scenario], refusals: list[Refusal]
) -> list[tuple[int, Any]]:
    """(row, result) of the scenarios the engine can evaluate, in row order; the others'
    problems are added to ``refusals``.

    One batch per study period: the compiled pass runs its loops over the years of its batch's
    longest study period, and its floating-point liberties (reassociation, fused multiply-adds)
    round the last bits of some numbers differently for another number of years. In a batch of
    one study period each scenario gets the numbers it gets alone (``tco evaluate --json``),
    whatever else its chunk holds."""
    groups: dict[int, list[int]] = {}
    for k, sc in enumerate(scenarios):
        groups.setdefault(sc.assumptions.study_period_years, []).append(k)
    out: list[tuple[int, Any]] = []
    for ks in groups.values():
        out.extend(_evaluate_batch([rows[k] for k in ks], [scenarios[k] for k in ks], refusals))
    out.sort(key=lambda pair: pair[0])
    return out


def _evaluate_batch(
    rows: list[int], scenarios: list[Scenario], refusals: list[Refusal]
) -> list[tuple[int, Any]]:
    """(row, result) of scenarios evaluated in one batch, again without the rows it refuses."""
    while scenarios:
        try:
            results = evaluate_many_json(scenarios, named_in_batch=True)
        except ScenarioError as exc:
            bad = _problems_by_scenario(exc.problems, len(scenarios))
            if bad is None:
                return _evaluate_one_by_one(rows, scenarios, refusals)
            for k, problems in bad.items():
                refusals.extend(Refusal(rows[k], p.path, p.message) for p in problems)
            keep = [k for k in range(len(scenarios)) if k not in bad]
            rows, scenarios = [rows[k] for k in keep], [scenarios[k] for k in keep]
            continue
        return list(zip(rows, results, strict=True))
    return []


def _evaluate_one_by_one(
    rows: list[int], scenarios: list[Scenario], refusals: list[Refusal]
) -> list[tuple[int, Any]]:
    """The fallback when the engine names a problem outside any one scenario: each alone."""
    out: list[tuple[int, Any]] = []
    for row, sc in zip(rows, scenarios, strict=True):
        try:
            out.append((row, evaluate_many_json([sc], named_in_batch=True)[0]))
        except ScenarioError as exc:
            for p in exc.problems:
                m = _IN_BATCH.fullmatch(p.path)
                refusals.append(Refusal(row, (m.group(2) or "") if m else p.path, p.message))
    return out


def _problems_by_scenario(problems: Sequence[Problem], n: int) -> dict[int, list[Problem]] | None:
    """The engine's problems by scenario, their paths without ``scenarios[k].``; None when one of
    them names no scenario of the batch."""
    bad: dict[int, list[Problem]] = {}
    for p in problems:
        m = _IN_BATCH.fullmatch(p.path)
        if m is None or not 0 <= int(m.group(1)) < n:
            return None
        bad.setdefault(int(m.group(1)), []).append(Problem(m.group(2) or "", p.message))
    return bad or None


def evaluate_many_json(scenarios: Sequence[Scenario], *, named_in_batch: bool) -> list[Any]:
    from tco.core.results import evaluate_many_json as evaluate

    return evaluate(scenarios, named_in_batch=named_in_batch)


NOT_FINITE = "the result holds numbers that are not finite; it is not written"


def dumps_result(result: dict[str, Any]) -> bytes:
    """A result as compact JSON (numbers in their shortest round-trip form, UTF-8). Raises
    :class:`ScenarioError` for a result holding NaN or infinity (the engine refuses overflow
    before this point; this is the last guard, never writing such a number as null)."""
    out: bytes = to_json(result, inf_nan_mode="constants")
    if (b"NaN" in out or b"Infinity" in out) and _non_finite(result):
        raise ScenarioError([Problem("", NOT_FINITE)])
    return out


def _non_finite(node: Any) -> bool:
    if type(node) is float:
        return not math.isfinite(node)
    if isinstance(node, dict):
        return any(_non_finite(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_non_finite(v) for v in node)
    return False


def _add_result(out: ChunkOutput, row: int, result: dict[str, Any]) -> None:
    try:
        document = dumps_result(result)
    except ScenarioError as exc:
        out.refusals.extend(Refusal(row, p.path, p.message) for p in exc.problems)
        return
    out.rows.append(row)
    out.documents.append(document)

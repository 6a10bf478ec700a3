"""Stateless pricing for the evaluate endpoints: parse, evaluate, serialize; nothing is saved.

``evaluate_document(raw)`` is exactly ``result_json(evaluate(parse_scenario(raw)))``, the
document ``tco evaluate FILE --json`` prints (serialized compactly here), built directly as
JSON-ready data (:func:`~tco.results.evaluate_json`) rather than through the result models.
A batch is validated as a whole (problems named ``scenarios[3].offers[0]...``) and evaluated in
one vectorized call.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from pydantic_core import to_json

from tco.errors import Problem, ScenarioError, TcoError
from tco.results import evaluate_json, evaluate_many_json
from tco.scenario import Scenario, parse_scenario


def _non_finite(node: Any, path: str) -> Iterator[str]:
    if isinstance(node, float) and not math.isfinite(node):
        yield path
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _non_finite(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            yield from _non_finite(v, f"{path}[{i}]")


#: The fields of a result that may be null: an offer's cost per hour, and comparison measures.
_NULLABLE_COMPARISON = (
    "sir",
    "airr",
    "simple_payback_year",
    "discounted_payback_year",
    "savings_negative_again_year",
    "savings_recovered_year",
    "breakeven_year",
    "irr",
    "price_headroom",
)


def _nulls_given(document: Any) -> int:
    """The Nones where a result (or a batch's results) may hold them; -1 for other documents."""
    if not isinstance(document, dict):
        return -1
    results = document.get("results", [document])
    count = 0
    try:
        for result in results:
            for offer in result["offers"]:
                count += offer["cost_per_operating_hour"] is None
            for comparison in result["comparison"]["offers"].values():
                count += sum(comparison[k] is None for k in _NULLABLE_COMPARISON)
    except (KeyError, TypeError, AttributeError):
        return -1
    return count


def dumps(document: Any) -> bytes:
    """Compact JSON (the same numbers, shortest round-trip form, UTF-8); a result with NaN or
    infinity is refused (422) naming where it appears.

    orjson writes it; because orjson would write NaN or infinity as null, the nulls of the
    output are counted against the Nones of the document where a result may hold them
    (:func:`_nulls_given`); when they differ (a NaN, or merely a string holding "null"), the
    document is written again by pydantic-core, which shows NaN and infinity, and checked. (The
    engine refuses results whose numbers overflow before this point, naming the offers; this is
    the last guard.)
    """
    out = orjson.dumps(document)
    if out.count(b"null") == _nulls_given(document):  # every null in the output is a None
        return out
    checked = to_json(document, inf_nan_mode="constants")
    if b"NaN" not in checked and b"Infinity" not in checked:
        return checked
    where = list(_non_finite(document, ""))[:5]
    raise ScenarioError(
        [
            Problem(
                "",
                "the scenario cannot be priced: its numbers overflow (non-finite "
                f"{', '.join(where)}); check extreme inputs such as a tiny mtbf_hours",
            )
        ]
    )


def evaluate_document(raw: Any) -> dict[str, Any]:
    return evaluate_json(parse_scenario(raw))


def _parse_batch(raw: Any, limit: int) -> list[Scenario]:
    if not isinstance(raw, Mapping):
        raise ScenarioError([Problem("", "a batch must be a mapping with 'scenarios'")])
    extra = sorted(str(k) for k in raw if k != "scenarios")
    problems = [Problem(k, "unknown field") for k in extra]
    items = raw.get("scenarios")
    if not isinstance(items, list):
        problems.append(Problem("scenarios", "required: a list of scenarios"))
        raise ScenarioError(problems)
    if not 1 <= len(items) <= limit:
        problems.append(Problem("scenarios", f"must hold 1 to {limit} scenarios, not {len(items)}"))
        raise ScenarioError(problems)
    scenarios: list[Scenario] = []
    for i, item in enumerate(items):
        try:
            scenarios.append(parse_scenario(item))
        except TcoError as exc:
            problems.extend(
                Problem(f"scenarios[{i}]" + (f".{p.path}" if p.path else ""), p.message)
                for p in exc.problems
            )
    if problems:
        raise ScenarioError(problems)
    return scenarios


def evaluate_batch_document(raw: Any, *, limit: int) -> dict[str, Any]:
    """``{"results": [...]}``, one result per scenario in order, from one vectorized batch."""
    return {"results": evaluate_many_json(_parse_batch(raw, limit), named_in_batch=True)}

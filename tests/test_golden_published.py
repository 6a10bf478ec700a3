"""Published cases as data: each file in tests/golden/published/ names its source, the scenario
(inline or an example file) and the figures the source prints, with the tolerance its printed
digits allow. A sales or finance reader can check a case against its source without reading
Python; adding a case needs no code.

A figure is a number (checked to within the file's ``within``) or ``{value, within}``. Offers are
named by id; ``lines`` by cost-line name; ``comparison`` holds each non-baseline offer's measures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import parse_scenario, read_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "published"


def cases() -> Iterator[Any]:
    for path in sorted(GOLDEN.glob("*.yaml")):
        data = read_file(path)
        for case in data.get("cases", [data]):
            merged = {"within": data.get("within", 0.0), **case}
            yield pytest.param(merged, id=f"{path.stem}: {case['case'].split(',')[0]}")


def figure(spec: Any, within: float) -> tuple[float, float]:
    if isinstance(spec, Mapping):
        return float(spec["value"]), float(spec.get("within", within))
    return float(spec), within


def check(got: float | None, spec: Any, within: float, what: str) -> None:
    value, tol = figure(spec, within)
    assert got is not None, f"{what}: the engine gives none, the source prints {value}"
    assert got == pytest.approx(value, abs=tol), f"{what}: {got} against the published {value}"


def scenario_of(case: Mapping[str, Any]) -> Any:
    if "scenario_file" in case:
        return read_file(ROOT / case["scenario_file"])
    return case["scenario"]


@pytest.mark.parametrize("case", list(cases()))
def test_the_engine_reproduces_the_published_figures(case: dict[str, Any]) -> None:
    result: ScenarioResult = evaluate(parse_scenario(scenario_of(case)))
    within = float(case["within"])
    expected = case["expected"]
    offers = {o.id: o for o in result.offers}
    checked = 0
    for oid, want in expected.get("offers", {}).items():
        o = offers[oid]
        for key in ("lifetime_cost", "equivalent_annual_cost"):
            if key in want:
                check(getattr(o, key), want[key], within, f"{oid}.{key}")
                checked += 1
        for cat, spec in want.get("by_category", {}).items():
            check(o.by_category[cat], spec, within, f"{oid}.by_category.{cat}")
            checked += 1
        by_name = {line.name: line.present_value for line in o.lines}
        for name, spec in want.get("lines", {}).items():
            check(by_name[name], spec, within, f"{oid}.lines[{name}]")
            checked += 1
    for oid, want in expected.get("comparison", {}).items():
        c = result.comparison.offers[oid]
        for key, spec in want.items():
            check(getattr(c, key), spec, within, f"comparison.{oid}.{key}")
            checked += 1
    assert checked > 0, "a case must state at least one published figure"


def test_every_case_names_its_source() -> None:
    files = sorted(GOLDEN.glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        data = read_file(path)
        assert data.get("source"), f"{path.name} names no source"

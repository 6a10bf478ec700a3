"""Every validation rule of docs/scenario.md: the scenario is refused whole, each problem named by path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tco.core.errors import ScenarioError
from tco.core.scenario import parse_scenario


def base() -> dict[str, Any]:
    return {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 10,
            "discount_rate": 0.07,
            "escalation": {"energy": 0.03, "labor": [0.04, 0.03]},
            "operating_hours_per_year": 4000,
            "downtime_cost_per_hour": 900,
        },
        "baseline": "b",
        "offers": [
            {
                "id": "a",
                "costs": [
                    {"name": "Machine", "category": "acquisition", "amount": 1000, "year": 0},
                    {
                        "name": "Power",
                        "category": "energy",
                        "amount": 100,
                        "every_years": 1,
                        "escalation": "energy",
                    },
                    {
                        "name": "Overhaul",
                        "category": "maintenance",
                        "amount": 50,
                        "every_years": 5,
                        "until_year": 9,
                    },
                ],
                "failures": {"mtbf_hours": 12000, "repair_cost": 100, "downtime_hours": 4},
            },
            {
                "id": "b",
                "costs": [{"name": "Machine", "category": "acquisition", "amount": 800, "year": 0}],
            },
        ],
    }


def line(s: dict[str, Any], i: int = 1) -> dict[str, Any]:
    return s["offers"][0]["costs"][i]  # type: ignore[no-any-return]


Mutation = Callable[[dict[str, Any]], None]

CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown top-level field", lambda s: s.update(extra=1), "extra", "unknown field"),
    (
        "unknown line field",
        lambda s: line(s).update(colour="red"),
        "offers[0].costs[1].colour",
        "unknown field",
    ),
    (
        "unknown failures field",
        lambda s: s["offers"][0]["failures"].update(mtbf=1),
        "offers[0].failures.mtbf",
        "unknown field",
    ),
    ("missing amount", lambda s: line(s).pop("amount"), "offers[0].costs[1].amount", "required"),
    ("missing assumptions", lambda s: s.pop("assumptions"), "assumptions", "required"),
    (
        "missing currency",
        lambda s: s["assumptions"].pop("currency"),
        "assumptions.currency",
        "required",
    ),
    (
        "year above N",
        lambda s: line(s, 0).update(year=11),
        "offers[0].costs[0].year",
        "within 0..10",
    ),
    ("year below 0", lambda s: line(s, 0).update(year=-1), "offers[0].costs[0].year", "at least 0"),
    (
        "from_year above N",
        lambda s: line(s).update(from_year=12),
        "offers[0].costs[1].from_year",
        "within 0..10",
    ),
    (
        "until_year above N",
        lambda s: line(s).update(until_year=12),
        "offers[0].costs[1].until_year",
        "within 0..10",
    ),
    (
        "every_years below 1",
        lambda s: line(s).update(every_years=0),
        "offers[0].costs[1].every_years",
        "at least 1",
    ),
    (
        "from after until",
        lambda s: line(s).update(from_year=6, until_year=3),
        "offers[0].costs[1]",
        "from_year 6 is after until_year 3",
    ),
    ("both schedules", lambda s: line(s).update(year=2), "offers[0].costs[1]", "exactly one of"),
    (
        "neither schedule",
        lambda s: line(s).pop("every_years"),
        "offers[0].costs[1]",
        "exactly one of",
    ),
    (
        "from_year on a one-time line",
        lambda s: line(s, 0).update(from_year=1),
        "offers[0].costs[0]",
        "apply only",
    ),
    (
        "unknown category",
        lambda s: line(s).update(category="fuel"),
        "offers[0].costs[1].category",
        "'fuel' is not one of",
    ),
    (
        "unknown driver",
        lambda s: line(s).update(escalation="steel"),
        "offers[0].costs[1].escalation",
        "unknown escalation driver 'steel'",
    ),
    (
        "unknown failure driver",
        lambda s: s["offers"][0]["failures"].update(escalation="x"),
        "offers[0].failures.escalation",
        "unknown escalation driver",
    ),
    (
        "baseline names no offer",
        lambda s: s.update(baseline="zz"),
        "baseline",
        "'zz' names no offer",
    ),
    (
        "duplicate offer ids",
        lambda s: s["offers"][1].update(id="a"),
        "offers[1].id",
        "duplicate offer id 'a'",
    ),
    (
        "study period below 1",
        lambda s: s["assumptions"].update(study_period_years=0),
        "assumptions.study_period_years",
        "at least 1",
    ),
    (
        "negative MTBF",
        lambda s: s["offers"][0]["failures"].update(mtbf_hours=-5),
        "offers[0].failures.mtbf_hours",
        "greater than 0",
    ),
    (
        "negative downtime hours",
        lambda s: s["offers"][0]["failures"].update(downtime_hours=-1),
        "offers[0].failures.downtime_hours",
        "at least 0",
    ),
    (
        "negative repair-order cost",
        lambda s: s["offers"][0]["failures"].update(order_cost=-1),
        "offers[0].failures.order_cost",
        "at least 0",
    ),
    (
        "unknown repair-order driver",
        lambda s: s["offers"][0]["failures"].update(order_escalation="steel"),
        "offers[0].failures.order_escalation",
        "unknown escalation driver 'steel'",
    ),
    (
        "negative downtime cost",
        lambda s: s["assumptions"].update(downtime_cost_per_hour=-1),
        "assumptions.downtime_cost_per_hour",
        "at least 0",
    ),
    (
        "discount rate -100 %",
        lambda s: s["assumptions"].update(discount_rate=-1.0),
        "assumptions.discount_rate",
        "greater than -1",
    ),
    (
        "discount rate below -100 %",
        lambda s: s["assumptions"].update(discount_rate=-1.5),
        "assumptions.discount_rate",
        "greater than -1",
    ),
    (
        "covered fraction above 1",
        lambda s: s["offers"][0]["failures"].update(covered_fraction=1.2),
        "offers[0].failures.covered_fraction",
        "at most 1",
    ),
    (
        "covered fraction below 0",
        lambda s: s["offers"][0]["failures"].update(covered_fraction=-0.1),
        "offers[0].failures.covered_fraction",
        "at least 0",
    ),
    (
        "residual fraction above 1",
        lambda s: line(s, 0).update(residual_fraction=1.5),
        "offers[0].costs[0].residual_fraction",
        "at most 1",
    ),
    (
        "residual fraction below 0",
        lambda s: line(s, 0).update(residual_fraction=-0.5),
        "offers[0].costs[0].residual_fraction",
        "at least 0",
    ),
    (
        "escalation rate -100 %",
        lambda s: s["assumptions"]["escalation"].update(energy=-1),
        "assumptions.escalation.energy",
        "greater than -1",
    ),
    (
        "escalation list item",
        lambda s: s["assumptions"]["escalation"].update(labor=[0.02, "x"]),
        "assumptions.escalation.labor[1]",
        "number",
    ),
    (
        "empty escalation list",
        lambda s: s["assumptions"]["escalation"].update(labor=[]),
        "assumptions.escalation.labor",
        "at least one rate",
    ),
    (
        "unknown rate basis",
        lambda s: s["assumptions"].update(rate_basis="mixed"),
        "assumptions.rate_basis",
        "'mixed' is not one of",
    ),
    (
        "unknown timing",
        lambda s: s["assumptions"].update(timing="start"),
        "assumptions.timing",
        "'start' is not one of",
    ),
    (
        "bad currency",
        lambda s: s["assumptions"].update(currency="euro"),
        "assumptions.currency",
        "does not match",
    ),
    (
        "failures without hours",
        lambda s: s["assumptions"].pop("operating_hours_per_year"),
        "offers[0].failures",
        "operating_hours_per_year",
    ),
    ("no offers", lambda s: s.update(offers=[]), "offers", "at least one offer"),
    (
        "amount not a number",
        lambda s: line(s).update(amount="lots"),
        "offers[0].costs[1].amount",
        "decimal",
    ),
    (
        "inflation -100 %",
        lambda s: s["assumptions"].update(inflation=-1),
        "assumptions.inflation",
        "greater than -1",
    ),
]


def test_the_base_scenario_is_valid() -> None:
    assert parse_scenario(base()).offers[0].id == "a"


@pytest.mark.parametrize(("label", "mutate", "path", "text"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_rule_is_named_by_its_path(
    label: str, mutate: Mutation, path: str, text: str
) -> None:
    raw = copy.deepcopy(base())
    mutate(raw)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw)
    found = [p for p in info.value.problems if p.path == path]
    assert found, f"no problem at {path!r}: {info.value.lines()}"
    assert any(text.lower() in p.message.lower() for p in found), info.value.lines()


def test_every_problem_is_listed_at_once() -> None:
    raw = base()
    line(raw).update(every_years=0)
    raw["offers"][1]["id"] = "a"
    raw["baseline"] = "nope"
    raw["assumptions"]["discount_rate"] = -2
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw)
    paths = {p.path for p in info.value.problems}
    assert {
        "offers[0].costs[1].every_years",
        "offers[1].id",
        "baseline",
        "assumptions.discount_rate",
    } <= paths


def test_a_scenario_must_be_a_mapping() -> None:
    with pytest.raises(ScenarioError, match="must be a mapping"):
        parse_scenario([1, 2])


EXTRA: list[tuple[str, Mutation, str, str]] = [
    (
        "year given as true",
        lambda s: line(s, 0).update(year=True),
        "offers[0].costs[0].year",
        "whole number",
    ),
    (
        "study period given as false",
        lambda s: s["assumptions"].update(study_period_years=False),
        "assumptions.study_period_years",
        "whole number",
    ),
    (
        "MTBF below one hour",
        lambda s: s["offers"][0]["failures"].update(mtbf_hours=5e-324),
        "offers[0].failures.mtbf_hours",
        "at least 1 operating hour",
    ),
    (
        "amount beyond a trillion",
        lambda s: line(s).update(amount="1e300"),
        "offers[0].costs[1].amount",
        "at most 1000000000000",
    ),
    (
        "discount rate above 1000 %",
        lambda s: s["assumptions"].update(discount_rate=50),
        "assumptions.discount_rate",
        "at most 10",
    ),
    (
        "escalation above 1000 %",
        lambda s: s["assumptions"]["escalation"].update(energy=11),
        "assumptions.escalation.energy",
        "at most 10",
    ),
]


@pytest.mark.parametrize(("label", "mutate", "path", "text"), EXTRA, ids=[c[0] for c in EXTRA])
def test_inputs_that_would_overflow_or_are_not_numbers_are_refused(
    label: str, mutate: Mutation, path: str, text: str
) -> None:
    test_a_broken_rule_is_named_by_its_path(label, mutate, path, text)

"""Findings that allow a result but that a reader should see (docs/scenario.md ``issues``)."""

from __future__ import annotations

from typing import Any

from tco.core.results import evaluate_json
from tco.core.scenario import parse_scenario


def scenario(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 5,
            "discount_rate": 0.05,
            "escalation": {"energy": 0.02},
        },
        "baseline": "b",
        "offers": [
            {
                "id": oid,
                "costs": [
                    {"name": "Price", "category": "acquisition", "amount": 100, "year": 0},
                    {"name": "Service", "category": "service", "amount": 10, "every_years": 1},
                ],
            }
            for oid in ("a", "b")
        ],
    }
    raw.update(changes)
    return raw


def issues(raw: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["path"], i["message"]) for i in evaluate_json(parse_scenario(raw))["issues"]]


def test_a_plain_scenario_has_no_issues() -> None:
    assert issues(scenario()) == []


def test_a_missing_baseline_names_the_offer_used() -> None:
    raw = scenario()
    del raw["baseline"]
    assert issues(raw) == [("baseline", "not given; 'a' (the first offer) is used")]


def test_rates_beyond_the_study_period_are_reported_unused() -> None:
    raw = scenario()
    raw["assumptions"]["escalation"]["energy"] = [0.02] * 7
    assert issues(raw) == [
        (
            "assumptions.escalation.energy",
            "7 rates for a 5-year study period; those after year 5 are not used",
        )
    ]


def test_a_recurring_line_in_no_year_of_the_study_period_is_reported() -> None:
    raw = scenario()
    # a step longer than the study period: the first occurrence (year 9) falls after it
    raw["offers"][1]["costs"].append(
        {"name": "Rare", "category": "maintenance", "amount": 5, "every_years": 9}
    )
    raw["offers"][1]["costs"].append(
        {"name": "Yearly", "category": "maintenance", "amount": 5, "every_years": 5}
    )
    assert issues(raw) == [
        ("offers[1].costs[2]", "falls in no year of the study period; it adds nothing"),
    ]


def test_a_recurring_line_ending_before_it_starts_within_the_period_is_reported() -> None:
    raw = scenario()
    raw["offers"][0]["costs"].append(
        {
            "name": "Short",
            "category": "service",
            "amount": 5,
            "every_years": 3,
            "until_year": 2,
        }
    )
    assert issues(raw) == [
        ("offers[0].costs[2]", "falls in no year of the study period; it adds nothing")
    ]

"""Scenario builders and hypothesis strategies shared by the tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tco.core.scenario import CATEGORIES


def one_offer(
    costs: list[dict[str, Any]], *, n: int, d: float, **assumptions: Any
) -> dict[str, Any]:
    """A one-offer scenario around the given cost lines."""
    return {
        "assumptions": {
            "currency": "USD",
            "study_period_years": n,
            "discount_rate": d,
            **assumptions,
        },
        "offers": [{"id": "a", "costs": costs}],
    }


def yearly(
    amounts: list[float], first_year: int = 1, category: str = "maintenance"
) -> list[dict[str, Any]]:
    """One once-only line per amount, in consecutive years from ``first_year``."""
    return [
        {"name": f"y{first_year + i}", "category": category, "amount": a, "year": first_year + i}
        for i, a in enumerate(amounts)
    ]


money = st.decimals(
    min_value=-5000, max_value=50000, places=2, allow_nan=False, allow_infinity=False
)
positive_money = st.decimals(
    min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False
)
rates = st.floats(min_value=-0.05, max_value=0.12, allow_nan=False, allow_infinity=False)


@st.composite
def cost_lines(draw: st.DrawFn, n: int, drivers: list[str], nonneg: bool = False) -> dict[str, Any]:
    line: dict[str, Any] = {
        "name": draw(st.sampled_from(["Machine", "Energy", "=SUM(A1)", "Plan", "Überholung"])),
        "category": draw(st.sampled_from([c.value for c in CATEGORIES])),
        "amount": str(draw(positive_money if nonneg else money)),
    }
    if draw(st.booleans()):
        line["year"] = draw(st.integers(0, n))
    else:
        k = draw(st.integers(1, max(1, n)))
        line["every_years"] = k
        if draw(st.booleans()):
            line["from_year"] = draw(st.integers(0, n))
        if draw(st.booleans()):
            line["until_year"] = draw(st.integers(line.get("from_year", 0), n))
    if drivers and draw(st.booleans()):
        line["escalation"] = draw(st.sampled_from(drivers))
    if not nonneg:
        choice = draw(st.integers(0, 2))
        if choice == 1:
            line["life_years"] = draw(st.integers(1, 30))
        elif choice == 2:
            line["residual_fraction"] = draw(st.floats(0, 1))
    return line


@st.composite
def coverage_periods(draw: st.DrawFn, n: int) -> list[dict[str, Any]]:
    """Non-overlapping coverage periods within years 1..n, each naming at least one field."""
    cuts = sorted(draw(st.sets(st.integers(1, n), max_size=6)))
    periods: list[dict[str, Any]] = []
    for k in range(0, len(cuts) - 1, 2):
        period: dict[str, Any] = {"from_year": cuts[k], "until_year": cuts[k + 1]}
        fields = draw(
            st.sets(
                st.sampled_from(["covered_fraction", "downtime_hours", "order_cost"]), min_size=1
            )
        )
        if "covered_fraction" in fields:
            period["covered_fraction"] = draw(st.floats(0, 1))
        if "downtime_hours" in fields:
            period["downtime_hours"] = draw(st.floats(0, 48))
        if "order_cost" in fields:
            period["order_cost"] = str(draw(positive_money))
        periods.append(period)
    if len(cuts) % 2 == 1:  # a last one-year period
        periods.append({"from_year": cuts[-1], "until_year": cuts[-1], "covered_fraction": 1.0})
    return periods


@st.composite
def scenarios(draw: st.DrawFn, nonneg: bool = False, max_offers: int = 3) -> dict[str, Any]:
    n = draw(st.integers(1, 25))
    drivers = draw(st.lists(st.sampled_from(["energy", "labor", "parts"]), unique=True, max_size=3))
    escalation: dict[str, Any] = {}
    for name in drivers:
        if draw(st.booleans()):
            escalation[name] = draw(rates)
        else:
            escalation[name] = draw(st.lists(rates, min_size=1, max_size=n + 2))
    assumptions: dict[str, Any] = {
        "currency": "EUR",
        "study_period_years": n,
        "discount_rate": draw(st.floats(0.0, 0.15)),
        "rate_basis": draw(st.sampled_from(["real", "nominal"])),
        "inflation": draw(st.floats(0.0, 0.05)),
        "timing": draw(st.sampled_from(["end_of_year", "mid_year"])),
        "escalation": escalation,
        "operating_hours_per_year": draw(st.floats(100, 8000)),
        "downtime_cost_per_hour": str(draw(positive_money)),
    }
    offers = []
    for i in range(draw(st.integers(1, max_offers))):
        offer: dict[str, Any] = {
            "id": f"o{i}",
            "name": f"Offer {i}",
            "costs": draw(st.lists(cost_lines(n, drivers, nonneg), min_size=1, max_size=6)),
        }
        if draw(st.booleans()):
            offer["failures"] = {
                "mtbf_hours": draw(st.floats(500, 50000)),
                "shape": draw(st.floats(0.5, 3.0)),
                "repair_cost": str(draw(positive_money)),
                "downtime_hours": draw(st.floats(0, 48)),
                "covered_fraction": draw(st.floats(0, 1)),
                **({"escalation": draw(st.sampled_from(drivers))} if drivers else {}),
            }
            if draw(st.booleans()):
                offer["failures"]["order_cost"] = str(draw(positive_money))
                if drivers and draw(st.booleans()):
                    offer["failures"]["order_escalation"] = draw(st.sampled_from(drivers))
            if draw(st.booleans()):
                offer["failures"]["periods"] = draw(coverage_periods(n))
        offers.append(offer)
    return {"assumptions": assumptions, "baseline": offers[-1]["id"], "offers": offers}


def overflowing() -> dict[str, Any]:
    """A valid scenario whose second offer's cash flows overflow float64: a discount rate of
    -99 % and an escalation of 1000 % a year over 100 years."""
    return {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 100,
            "discount_rate": -0.99,
            "escalation": {"e": 10},
        },
        "offers": [
            {"id": "a"},
            {
                "id": "b",
                "costs": [
                    {
                        "name": "x",
                        "category": "energy",
                        "amount": 1e12,
                        "every_years": 1,
                        "escalation": "e",
                    }
                ],
            },
        ],
    }

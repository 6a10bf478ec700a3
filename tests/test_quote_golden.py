"""Golden quotes: requests with expected lifetime costs, savings and payback computed by hand.

Each file under ``tests/golden/quotes/`` holds a small catalog, a quote request and the expected
figures with a tolerance; the comments at its top show the independent calculation.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy_financial as npf
import pytest

from tco.core.scenario import read_file
from tco.quoting.builder import price_quote
from tco.quoting.catalog import parse_catalog

GOLDEN = Path(__file__).parent / "golden" / "quotes"
FILES = sorted(GOLDEN.glob("*.yaml"))


def test_there_are_golden_quotes() -> None:
    assert len(FILES) >= 2


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden_quote(path: Path) -> None:
    case: dict[str, Any] = read_file(path)
    priced = price_quote(case["request"], parse_catalog(case["catalog"]))
    result = priced.result
    expected = case["expected"]
    tol = float(expected["tolerance"])
    assert result.comparison.recommended == expected["recommended"]
    offers = {o.id: o for o in result.offers}
    sheets = {s.offer_id: s for s in priced.built.price_sheets}
    for oid, want in expected["offers"].items():
        got = offers[oid]
        assert got.lifetime_cost == pytest.approx(want["lifetime_cost"], abs=tol), oid
        for cat, value in want.get("by_category", {}).items():
            assert got.by_category[cat] == pytest.approx(value, abs=tol), f"{oid}.{cat}"
        for total in ("one_time_total", "annual_total"):
            if total in want:
                assert getattr(sheets[oid], total) == Decimal(want[total]), f"{oid}.{total}"
    for oid, want in expected.get("comparison", {}).items():
        got_c = result.comparison.offers[oid]
        for key, value in want.items():
            actual = getattr(got_c, key)
            if value is None or isinstance(value, int):
                assert actual == value, f"{oid}.{key}"
            else:
                assert actual == pytest.approx(value, abs=tol), f"{oid}.{key}"


def test_the_loan_installment_is_numpy_financial_pmt() -> None:
    case: dict[str, Any] = read_file(GOLDEN / "mill-loan-vs-lease.yaml")
    priced = price_quote(case["request"], parse_catalog(case["catalog"]))
    loan = next(o for o in priced.built.scenario.offers if o.id == "loan")
    line = next(c for c in loan.costs if c.category == "financing")
    assert float(line.amount) == pytest.approx(-npf.pmt(0.06, 5, 150000), abs=0.005)
    assert line.occurrence_years(8) == (1, 2, 3, 4, 5)

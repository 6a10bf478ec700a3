"""Ranges on a quote: the catalog's default ranges and a request's own become the scenario's
uncertainty section; its figures follow the ranges by hand; a saved version reproduces them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tco import services
from tco.core.errors import TcoError
from tco.core.results import evaluate, result_json
from tco.core.scenario import parse_scenario
from tco.quoting.builder import price_quote
from tco.quoting.catalog import Catalog
from tco.quoting.ranges import ProductRanges
from tco.store import UnitOfWork
from tests.test_store_support import NOW, database, demo_catalog, demo_request

VSD = "CMP-VSD-37"
FS = "CMP-FS-37"


def with_ranges(catalog: Catalog, **by_sku: dict[str, Any]) -> Catalog:
    products = tuple(
        p.model_copy(update={"ranges": ProductRanges.model_validate(by_sku[p.sku])})
        if p.sku in by_sku
        else p.model_copy(update={"ranges": None})
        for p in catalog.products
    )
    return catalog.model_copy(update={"products": products})


def bounds(distribution: Any) -> tuple[float, float | None, float]:
    data = distribution.model_dump()
    return data["low"], data.get("mode"), data["high"]


def plain_catalog() -> Catalog:
    return with_ranges(demo_catalog())


def request(**uncertainty: Any) -> dict[str, Any]:
    req = demo_request()
    if uncertainty:
        req["uncertainty"] = uncertainty
    return req


def problems(raw: dict[str, Any], catalog: Catalog) -> dict[str, str]:
    with pytest.raises(TcoError) as info:
        price_quote(raw, catalog)
    return {p.path: p.message for p in info.value.problems}


def test_no_ranges_no_section() -> None:
    priced = price_quote(request(), plain_catalog())
    assert priced.built.scenario.uncertainty is None
    assert priced.result.uncertainty is None


def test_catalog_ranges_become_inputs_on_the_products_lines() -> None:
    catalog = with_ranges(
        demo_catalog(), **{VSD: {"mtbf": {"low": 0.7, "high": 1.1}, "energy": {"spread": 0.1}}}
    )
    raw = request()
    raw["offers"][1]["equipment"][0]["product"]["ranges"] = {
        "mtbf": {"low": 0.8, "high": 1.2, "distribution": "pert"}
    }
    priced = price_quote(raw, catalog)
    unc = priced.built.scenario.uncertainty
    assert unc is not None
    assert (unc.draws, unc.seed) == (2000, 1)
    by_name = {i.name: i for i in unc.inputs}
    assert len(by_name) == 3
    energy = by_name["VSD compressor 37 kW: energy use"]
    [sel] = energy.applies_to
    assert (sel.offer, sel.category) == ("ours", "energy")
    line = next(c for c in priced.built.scenario.offers[0].costs if c.name == sel.line)
    assert line.category == "energy"
    assert energy.factor is not None
    assert bounds(energy.factor) == (0.9, 1.0, 1.1)
    theirs = by_name["Competitor fixed-speed 37 kW: time between failures"]
    assert [(s.offer, s.field) for s in theirs.applies_to] == [
        ("competitor", "failures.mtbf_hours")
    ]
    assert theirs.factor is not None
    assert theirs.factor.distribution == "pert"
    assert priced.result.uncertainty is not None


def test_one_product_in_two_offers_is_one_unknown() -> None:
    catalog = with_ranges(demo_catalog(), **{VSD: {"mtbf": {"low": 0.7, "high": 1.1}}})
    raw = request()
    raw["offers"][1] = {**raw["offers"][0], "id": "plain", "name": "Without plan"}
    del raw["offers"][1]["service_plan"]
    del raw["offers"][1]["renew"]
    raw["baseline"] = "plain"
    unc = price_quote(raw, catalog).built.scenario.uncertainty
    assert unc is not None
    [only] = unc.inputs
    assert [s.offer for s in only.applies_to] == ["ours", "plain"]


def test_a_request_range_replaces_the_catalog_range_on_its_offer() -> None:
    catalog = with_ranges(demo_catalog(), **{VSD: {"mtbf": {"low": 0.7, "high": 1.1}}})
    raw = request(ranges=[{"input": "mtbf", "offer": "ours", "spread": 0.3}])
    unc = price_quote(raw, catalog).built.scenario.uncertainty
    assert unc is not None
    [only] = unc.inputs
    assert only.name.startswith("Time between failures: ")
    assert only.factor is not None
    assert bounds(only.factor) == (0.7, 1.0, 1.3)
    off = price_quote(request(catalog_ranges=False), catalog).built.scenario
    assert off.uncertainty is None


def test_electricity_price_range_gives_percentiles_by_hand() -> None:
    """A uniform factor u on every energy line moves each offer's lifetime cost by
    (u - 1) x the present value of its energy: P10 and P90 of u = 0.7 + 0.6 p."""
    raw = request(
        draws=20_000,
        seed=3,
        ranges=[{"input": "energy_price", "low": 0.7, "high": 1.3, "distribution": "uniform"}],
    )
    priced = price_quote(raw, plain_catalog())
    block = priced.result.uncertainty
    assert block is not None
    for offer in priced.result.offers:
        energy = offer.by_category["energy"]
        assert energy > 0
        spread = block.offers[offer.id].lifetime_cost
        for p, got in ((0.1, spread.p10), (0.5, spread.p50), (0.9, spread.p90)):
            expected = offer.lifetime_cost + (0.7 + 0.6 * p - 1.0) * energy
            assert got == pytest.approx(expected, rel=2e-4)


def test_discount_rate_range_is_a_value_range_around_the_quotes_rate() -> None:
    priced = price_quote(
        request(ranges=[{"input": "discount_rate", "spread": 0.5}]), plain_catalog()
    )
    unc = priced.built.scenario.uncertainty
    assert unc is not None
    [inp] = unc.inputs
    rate = priced.built.assumptions.discount_rate
    assert inp.value is not None
    assert bounds(inp.value) == pytest.approx((rate * 0.5, rate, rate * 1.5))


@pytest.mark.parametrize(
    ("uncertainty", "path", "words"),
    [
        (
            {"ranges": [{"input": "mtbf", "spread": 0.2, "low": 0.9}]},
            "uncertainty.ranges.0",
            "not both",
        ),
        (
            {"ranges": [{"input": "mtbf", "low": 1.1, "high": 1.3}]},
            "uncertainty.ranges.0",
            "at most 1",
        ),
        (
            {"ranges": [{"input": "mtbf", "spread": 1.5}]},
            "uncertainty.ranges.0.spread",
            "less than 1",
        ),
        (
            {"ranges": [{"input": "price", "spread": 0.1}]},
            "uncertainty.ranges.0.input",
            "energy_price",
        ),
        (
            {"ranges": [{"input": "mtbf", "offer": "nobody", "spread": 0.1}]},
            "uncertainty.ranges[0].offer",
            "names no offer",
        ),
        (
            {"ranges": [{"input": "discount_rate", "offer": "ours", "spread": 0.1}]},
            "uncertainty.ranges.0",
            "same for every offer",
        ),
        (
            {"ranges": [{"input": "mtbf", "spread": 0.1}, {"input": "mtbf", "spread": 0.2}]},
            "uncertainty",
            "two ranges on 'mtbf'",
        ),
        ({"draws": 10}, "uncertainty.draws", "100"),
        ({"seed": -1}, "uncertainty.seed", "0"),
        (
            {"ranges": [{"input": "operating_hours", "low": 0.5, "high": 5.0}]},
            "uncertainty.ranges[0]",
            "8784",
        ),
    ],
)
def test_bad_ranges_are_refused_by_path(uncertainty: dict[str, Any], path: str, words: str) -> None:
    found = problems(request(**uncertainty), plain_catalog())
    normal = {k.replace("[", ".").replace("]", ""): v for k, v in found.items()}
    key = path.replace("[", ".").replace("]", "")
    assert key in normal, found
    assert words in normal[key], found


def test_a_catalog_range_must_hold_the_catalogs_value() -> None:
    with pytest.raises(ValueError, match="at most 1"):
        ProductRanges.model_validate({"mtbf": {"low": 1.2, "high": 1.5}})


@pytest.mark.parametrize(
    "db_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_saved_version_keeps_section_and_seed_and_reproduces_exactly(
    db_kind: str, tmp_path: Path
) -> None:
    catalog = with_ranges(demo_catalog(), **{VSD: {"mtbf": {"low": 0.7, "high": 1.1}}})
    raw = request(seed=42, draws=500, ranges=[{"input": "energy_price", "spread": 0.25}])
    with database(db_kind, tmp_path) as url:
        services.import_catalog(
            UnitOfWork(tenant="t", url=url), catalog, source="x", by="t", now=NOW
        )
        made = services.create_quote(UnitOfWork(tenant="t", url=url), raw, by="t", now=NOW)
        view = services.show_quote(UnitOfWork(tenant="t", url=url), made.summary.number)
    saved = view.version
    unc = saved.scenario.uncertainty
    assert unc is not None
    assert (unc.seed, unc.draws) == (42, 500)
    dumped = saved.scenario.model_dump(mode="json", exclude_none=True)
    assert dumped["uncertainty"]["seed"] == 42
    again = evaluate(parse_scenario(json.loads(json.dumps(dumped))))
    stored = result_json(saved.result)["uncertainty"]
    assert json.dumps(result_json(again)["uncertainty"], sort_keys=True) == json.dumps(
        stored, sort_keys=True
    )
    assert saved.result.uncertainty is not None
    p10 = saved.result.uncertainty.offers["ours"].lifetime_cost.p10
    assert np.isfinite(p10)
    assert p10 < saved.result.offers[0].lifetime_cost

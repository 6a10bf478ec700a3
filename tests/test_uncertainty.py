"""Uncertainty: closed-form cases computed by hand, switching values that zero the net savings
when typed into the scenario, the engine's copies against the scenario itself, reproducible
draws, correlations, and every refusal by its path (CLI exit 2, one line per problem)."""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats
from typer.testing import CliRunner

from tco.cli.main import app
from tco.core import engine, simulation
from tco.core.errors import ScenarioError
from tco.core.results import evaluate, evaluate_json, result_json
from tco.core.scenario import parse_scenario, read_file
from tco.core.uncertainty import Normal, Pert, Triangular, Uncertainty, sample, uniforms

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def example(name: str) -> dict[str, Any]:
    data = read_file(ROOT / "examples" / name)
    assert isinstance(data, dict)
    out: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return out


def two_offers(ours_price: float, *, years: int = 1, rate: float = 0.0) -> dict[str, Any]:
    """Ours: a price in year 0 and 100 of energy a year; the competitor (baseline): 200 of
    energy a year. Over one year at 0 %: lifetime costs price + 100 f and 200 f for an energy
    price factor f, net savings 100 f - price."""
    return {
        "assumptions": {"currency": "EUR", "study_period_years": years, "discount_rate": rate},
        "baseline": "competitor",
        "offers": [
            {
                "id": "ours",
                "costs": [
                    {"name": "Price", "category": "acquisition", "amount": ours_price, "year": 0},
                    {"name": "Energy", "category": "energy", "amount": 100, "every_years": 1},
                ],
            },
            {
                "id": "competitor",
                "costs": [
                    {"name": "Energy", "category": "energy", "amount": 200, "every_years": 1},
                ],
            },
        ],
    }


def energy_input(dist: dict[str, Any], name: str = "Energy price") -> dict[str, Any]:
    return {"name": name, "applies_to": [{"category": "energy"}], "factor": dist}


def with_uncertainty(data: dict[str, Any], *inputs: dict[str, Any], **opts: Any) -> Any:
    return parse_scenario({**data, "uncertainty": {"seed": 7, "inputs": list(inputs), **opts}})


UNIFORM = {"distribution": "uniform", "low": 0.5, "high": 1.5}
TRIANGULAR = {"distribution": "triangular", "low": 0.8, "mode": 1.0, "high": 1.4}
#: Latin hypercube: one draw in each of the 10,000 strata, so an empirical percentile is
#: within one stratum of the distribution's quantile.
STRATUM = 1e-4


# --------------------------------------------------------------------------------------------
# Closed form


def test_a_uniform_factor_on_a_linear_cost_gives_the_hand_computed_block() -> None:
    u = evaluate_json(with_uncertainty(two_offers(100), energy_input(UNIFORM)))["uncertainty"]
    assert (u["draws"], u["seed"], u["sampling"]) == (10_000, 7, "latin_hypercube")
    ours, comp = u["offers"]["ours"]["lifetime_cost"], u["offers"]["competitor"]["lifetime_cost"]
    # f ~ U(0.5, 1.5): quantile p is 0.5 + p; ours costs 100 + 100 f, the competitor 200 f
    for key, p in (("p05", 0.05), ("p10", 0.10), ("p50", 0.5), ("p90", 0.90), ("p95", 0.95)):
        assert ours[key] == pytest.approx(100 + 100 * (0.5 + p), abs=100 * STRATUM * 2)
        assert comp[key] == pytest.approx(200 * (0.5 + p), abs=200 * STRATUM * 2)
    assert ours["mean"] == pytest.approx(200, abs=0.01)
    assert comp["mean"] == pytest.approx(200, abs=0.02)
    ns = u["comparison"]["ours"]["net_savings"]
    assert ns["p10"] == pytest.approx(-40, abs=0.02)
    assert ns["p90"] == pytest.approx(40, abs=0.02)
    # ours is cheaper exactly when f > 1: half of the draws
    assert u["comparison"]["ours"]["probability_saves"] == pytest.approx(0.5, abs=2 * STRATUM)
    assert u["offers"]["ours"]["probability_lowest_cost"] == pytest.approx(0.5, abs=2 * STRATUM)
    chances = [o["probability_lowest_cost"] for o in u["offers"].values()]
    assert sum(chances) == pytest.approx(1.0, abs=1e-12)
    (sens,) = u["sensitivity"]
    assert (sens["low"], sens["high"]) == pytest.approx((0.6, 1.4), abs=1e-12)
    assert sens["net_savings"]["ours"] == pytest.approx([-40, 40], abs=1e-9)
    assert sens["lifetime_cost"]["ours"] == pytest.approx([160, 240], abs=1e-9)
    assert sens["lifetime_cost"]["competitor"] == pytest.approx([120, 280], abs=1e-9)
    (switch,) = u["switching_values"]
    assert switch["input"] == "Energy price"
    assert switch["offer"] == "ours"
    assert switch["value"] == pytest.approx(1.0, abs=1e-12)


def test_a_triangular_factor_on_a_linear_cost_gives_the_hand_computed_block() -> None:
    # net savings 100 f - 120 for f ~ Tri(0.8, 1.0, 1.4): distribution function
    # F(x) = (x - 0.8)^2 / 0.12 up to the mode, 1 - (1.4 - x)^2 / 0.24 above it
    u = evaluate_json(with_uncertainty(two_offers(120), energy_input(TRIANGULAR)))["uncertainty"]
    p10 = 0.8 + math.sqrt(0.1 * 0.6 * 0.2)
    p50 = 1.4 - math.sqrt(0.5 * 0.6 * 0.4)
    p90 = 1.4 - math.sqrt(0.1 * 0.6 * 0.4)
    ns = u["comparison"]["ours"]["net_savings"]
    assert ns["p10"] == pytest.approx(100 * p10 - 120, abs=0.05)
    assert ns["p50"] == pytest.approx(100 * p50 - 120, abs=0.05)
    assert ns["p90"] == pytest.approx(100 * p90 - 120, abs=0.05)
    assert ns["mean"] == pytest.approx(100 * 3.2 / 3 - 120, abs=0.01)
    saves = 0.2**2 / 0.24  # P(f > 1.2) = (1.4 - 1.2)^2 / ((1.4 - 0.8)(1.4 - 1.0)) = 1/6
    assert u["comparison"]["ours"]["probability_saves"] == pytest.approx(saves, abs=2 * STRATUM)
    assert u["offers"]["ours"]["probability_lowest_cost"] == pytest.approx(saves, abs=2 * STRATUM)
    assert u["offers"]["competitor"]["probability_lowest_cost"] == pytest.approx(
        1 - saves, abs=2 * STRATUM
    )
    (sens,) = u["sensitivity"]
    assert (sens["low"], sens["high"]) == pytest.approx((p10, p90), rel=1e-12)
    assert sens["net_savings"]["ours"] == pytest.approx([100 * p10 - 120, 100 * p90 - 120])
    assert u["switching_values"][0]["value"] == pytest.approx(1.2, rel=1e-12)


def test_switching_values_are_null_without_a_sign_change_and_inputs_sort_by_swing() -> None:
    price = {
        "name": "Our price",
        "applies_to": [{"offer": "ours", "category": "acquisition"}],
        "factor": {"distribution": "uniform", "low": 0.9, "high": 1.1},
    }
    sc = with_uncertainty(two_offers(120), price, energy_input(TRIANGULAR))
    u = evaluate_json(sc)["uncertainty"]
    values = {s["input"]: s["value"] for s in u["switching_values"]}
    # net savings 100 - 120 g at f = 1: zero at g = 5/6, below the price's P0.1 (0.9002)
    assert values["Our price"] is None
    assert values["Energy price"] == pytest.approx(1.2, rel=1e-12)
    # swings: energy 100 (P90 - P10) = 33.6; price 120 x 0.16 = 19.2
    assert [s["input"] for s in u["sensitivity"]] == ["Energy price", "Our price"]
    price_row = u["sensitivity"][1]
    assert (price_row["low"], price_row["high"]) == pytest.approx((0.92, 1.08))
    assert price_row["net_savings"]["ours"] == pytest.approx([100 - 120 * 0.92, 100 - 120 * 1.08])


def test_a_value_input_replaces_the_amount() -> None:
    competitor_energy = {
        "name": "Competitor energy",
        "applies_to": [{"offer": "competitor", "line": "Energy"}],
        "value": {"distribution": "uniform", "low": 150, "high": 250},
    }
    u = evaluate_json(with_uncertainty(two_offers(100), competitor_energy))["uncertainty"]
    assert u["switching_values"][0]["value"] == pytest.approx(200, rel=1e-12)
    assert u["sensitivity"][0]["lifetime_cost"]["competitor"] == pytest.approx([160, 240])
    assert u["comparison"]["ours"]["probability_saves"] == pytest.approx(0.5, abs=2 * STRATUM)


def test_the_discount_rate_switching_value_is_the_root_of_the_annuity() -> None:
    # ours: 1000 now and 100 a year; the competitor: 230 a year; ten years:
    # net savings 130 x (1 - (1+d)^-10) / d - 1000, zero near 5.1 %
    data = two_offers(1000, years=10, rate=0.05)
    data["offers"][1]["costs"][0]["amount"] = 230
    rate = {
        "name": "Discount rate",
        "applies_to": [{"field": "assumptions.discount_rate"}],
        "value": {"distribution": "uniform", "low": 0.0, "high": 0.12},
    }
    u = evaluate_json(with_uncertainty(data, rate))["uncertainty"]
    root = optimize.brentq(lambda d: 130 * (1 - (1 + d) ** -10) / d - 1000, 0.01, 0.1, xtol=1e-15)
    assert u["switching_values"][0]["value"] == pytest.approx(root, rel=1e-10)


# --------------------------------------------------------------------------------------------
# Switching values typed into the scenario


def applied(data: dict[str, Any], inp: dict[str, Any], x: float) -> dict[str, Any]:
    """The scenario with input ``inp`` at ``x`` written into it by hand (no uncertainty)."""
    out = copy.deepcopy(data)
    out.pop("uncertainty", None)
    factor = "factor" in inp
    a = out["assumptions"]

    def put(holder: dict[str, Any], key: str, default: Any = 0) -> None:
        base = holder.get(key, default)
        if isinstance(base, list):
            holder[key] = [float(v) * x if factor else x for v in base]
            return
        new = float(Decimal(str(base))) * x if factor else x
        money = key in ("amount", "repair_cost", "downtime_cost_per_hour")
        holder[key] = repr(new) if money else new  # money as text: exact as written

    for sel in inp["applies_to"]:
        field = sel.get("field", "amount")
        if field.startswith("assumptions.escalation."):
            put(a["escalation"], field.rsplit(".", 1)[1])
        elif field.startswith("assumptions."):
            put(a, field.removeprefix("assumptions."))
            continue
        for offer in out["offers"]:
            if sel.get("offer") not in (None, offer["id"]):
                continue
            if field == "amount":
                for line in offer["costs"]:
                    if sel.get("category") in (None, line["category"]) and sel.get("line") in (
                        None,
                        line["name"],
                    ):
                        put(line, "amount")
            elif field.startswith("failures.") and offer.get("failures"):
                put(offer["failures"], field.removeprefix("failures."), 1.0)
    return out


def net_savings(data: dict[str, Any]) -> dict[str, float]:
    result = evaluate(parse_scenario(data))
    return {k: c.net_savings for k, c in result.comparison.offers.items()}


CNC_INPUTS = [
    energy_input({"distribution": "triangular", "low": 0.5, "mode": 1.0, "high": 2.5}),
    {
        "name": "Competitor MTBF",
        "applies_to": [{"offer": "competitor", "field": "failures.mtbf_hours"}],
        "factor": {"distribution": "pert", "low": 0.5, "mode": 1.0, "high": 1.6},
    },
    {
        "name": "Discount rate",
        "applies_to": [{"field": "assumptions.discount_rate"}],
        "value": {"distribution": "uniform", "low": 0.0, "high": 0.2},
    },
    {
        "name": "Downtime cost",
        "applies_to": [{"field": "assumptions.downtime_cost_per_hour"}],
        "factor": {"distribution": "lognormal", "median": 1.0, "sigma": 0.6},
    },
    {
        "name": "Energy escalation",
        "applies_to": [{"field": "assumptions.escalation.energy"}],
        "factor": {"distribution": "uniform", "low": -4, "high": 6},
    },
]


def test_switching_values_typed_into_the_scenario_zero_the_net_savings() -> None:
    data = {**example("cnc.yaml"), "uncertainty": {"draws": 200, "inputs": CNC_INPUTS}}
    u = evaluate_json(parse_scenario(data))["uncertainty"]
    base = net_savings(data | {"uncertainty": None})
    found = [s for s in u["switching_values"] if s["value"] is not None]
    assert {s["input"] for s in found} == {"Discount rate", "Competitor MTBF", "Downtime cost"}
    for s in found:
        inp = next(i for i in CNC_INPUTS if i["name"] == s["input"])
        at_switch = net_savings(applied(data, inp, s["value"]))[s["offer"]]
        assert abs(at_switch) <= 1e-6 * abs(base[s["offer"]]), s


def test_the_copies_in_the_engine_equal_the_scenario_with_the_input_written_in() -> None:
    """Every field an input can act on, at its P10 and P90: the block's lifetime costs equal
    those of the scenario with the value typed in (pump: coverage periods that take their
    downtime and covered share from the failure model, and periods that name their own)."""
    pump = example("pump.yaml")
    inputs = [
        {
            "name": name,
            "applies_to": [sel],
            kind: {"distribution": "uniform", "low": lo, "high": hi},
        }
        for name, sel, kind, lo, hi in (
            ("amount", {"offer": "ours", "line": "Electricity"}, "value", 25000, 35000),
            ("maintenance", {"category": "maintenance"}, "factor", 0.7, 1.6),
            ("mtbf", {"field": "failures.mtbf_hours"}, "factor", 0.5, 1.5),
            ("shape", {"offer": "ours", "field": "failures.shape"}, "value", 0.8, 2.0),
            ("repair", {"offer": "ours", "field": "failures.repair_cost"}, "factor", 0.5, 2.0),
            (
                "repair value",
                {"offer": "competitor", "field": "failures.repair_cost"},
                "value",
                1000,
                5000,
            ),
            ("downtime", {"field": "failures.downtime_hours"}, "factor", 0.5, 2.0),
            ("rate", {"field": "assumptions.discount_rate"}, "value", 0.0, 0.12),
            ("hours", {"field": "assumptions.operating_hours_per_year"}, "value", 3000, 8000),
            ("downtime cost", {"field": "assumptions.downtime_cost_per_hour"}, "factor", 0.5, 2.0),
            ("labor", {"field": "assumptions.escalation.labor"}, "value", -0.02, 0.06),
        )
    ]
    data = {**pump, "uncertainty": {"draws": 100, "inputs": inputs}}
    u = evaluate_json(parse_scenario(data))["uncertainty"]
    for row in u["sensitivity"]:
        inp = next(i for i in inputs if i["name"] == row["input"])
        for k, x in enumerate((row["low"], row["high"])):
            typed = evaluate(parse_scenario(applied(data, inp, x)))
            for offer in typed.offers:
                got = row["lifetime_cost"][offer.id][k]
                assert got == pytest.approx(offer.lifetime_cost, rel=1e-12), (row["input"], x)


def test_the_base_case_is_the_deterministic_result_and_results_without_uncertainty_keep_their_shape() -> (
    None
):
    cnc = example("cnc.yaml")
    plain = evaluate_json(parse_scenario(cnc))
    assert "uncertainty" not in plain
    assert "uncertainty" not in result_json(evaluate(parse_scenario(cnc)))
    data = {**cnc, "uncertainty": {"draws": 100, "inputs": CNC_INPUTS[:2]}}
    full = evaluate_json(parse_scenario(data))
    assert {k: v for k, v in full.items() if k != "uncertainty"} == plain
    assert json.dumps(result_json(evaluate(parse_scenario(data)))) == json.dumps(full)


# --------------------------------------------------------------------------------------------
# Reproducible


def test_the_same_seed_gives_the_same_bytes_with_one_thread_and_with_several(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = {
        **example("cnc.yaml"),
        "uncertainty": {"draws": 12_000, "seed": 11, "inputs": CNC_INPUTS},
    }
    sc = parse_scenario(data)
    outputs = []
    for threads in (1, 2, 4):
        monkeypatch.setattr(engine, "_CPUS", threads)
        monkeypatch.setattr(simulation, "_CPUS", threads)
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        outputs.append(json.dumps(evaluate_json(sc), allow_nan=False).encode())
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert outputs[0] == outputs[1] == outputs[2]
    other = {**data, "uncertainty": {**data["uncertainty"], "seed": 12}}
    assert json.dumps(evaluate_json(parse_scenario(other))).encode() != outputs[0]


def test_one_evaluation_per_draw_in_runs_of_equal_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small runs (the last padded with base rows) give the numbers of one large run."""
    sc = parse_scenario(
        {**example("cnc.yaml"), "uncertainty": {"draws": 1000, "inputs": CNC_INPUTS}}
    )
    whole = evaluate_json(sc)["uncertainty"]
    monkeypatch.setattr(simulation, "CHUNK_OFFERS", 301)
    assert evaluate_json(sc)["uncertainty"] == whole


def test_random_sampling_is_reproducible_and_differs_from_latin_hypercube() -> None:
    base = {"draws": 500, "seed": 3, "inputs": [energy_input(UNIFORM)]}
    lhs = Uncertainty.model_validate(base)
    plain = Uncertainty.model_validate({**base, "sampling": "random"})
    assert np.array_equal(sample(plain), sample(plain))
    assert not np.array_equal(sample(plain), sample(lhs))
    # Latin hypercube: exactly one draw in each of the 500 strata
    strata = np.floor(uniforms(lhs)[:, 0] * 500).astype(int)
    assert sorted(strata.tolist()) == list(range(500))


# --------------------------------------------------------------------------------------------
# Correlations and distributions


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return float(stats.spearmanr(a, b).statistic)


@pytest.mark.parametrize("rho", [0.7, -0.4, 0.95])
def test_correlations_give_the_asked_rank_correlation(rho: float) -> None:
    unc = Uncertainty.model_validate(
        {
            "draws": 20_000,
            "inputs": [
                energy_input(TRIANGULAR, "A"),
                energy_input({"distribution": "lognormal", "median": 1, "sigma": 0.5}, "B"),
                energy_input(UNIFORM, "C"),
            ],
            "correlations": [["B", "A", rho], ["A", "C", 0.2]],
        }
    )
    x = sample(unc)
    assert spearman(x[:, 0], x[:, 1]) == pytest.approx(rho, abs=0.02)
    assert spearman(x[:, 0], x[:, 2]) == pytest.approx(0.2, abs=0.02)
    # the marginals stay what they were: the triangular's quantiles
    tri = Triangular.model_validate(TRIANGULAR)
    for p in (0.1, 0.5, 0.9):
        assert np.quantile(x[:, 0], p) == pytest.approx(tri.quantile(p), abs=0.01)


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    at=st.floats(0, 1),
)
def test_pert_draws_follow_the_beta_inverse_within_1e_8_of_the_range(
    low: float, width: float, at: float
) -> None:
    d = Pert(distribution="pert", low=low, mode=low + at * width, high=low + width)
    u = np.random.default_rng(0).random(2000)
    a, b = d.shapes()
    exact = low + width * special.betaincinv(a, b, u)
    assert np.max(np.abs(d.ppf(u) - exact)) <= 1e-8 * width
    assert d.quantile(0.1) == pytest.approx(
        low + width * stats.beta.ppf(0.1, a, b), rel=1e-12, abs=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    mean=st.floats(-10, 10),
    sd=st.floats(0.01, 5),
    lo=st.one_of(st.none(), st.floats(-6, 5.5)),
    span=st.floats(0.2, 6),
)
def test_truncated_normal_draws_stay_within_the_bounds_and_follow_its_quantiles(
    mean: float, sd: float, lo: float | None, span: float
) -> None:
    low = None if lo is None else mean + lo * sd
    high = None if lo is None else mean + (lo + span) * sd
    d = Normal(distribution="normal", mean=mean, sd=sd, low=low, high=high)
    u = np.linspace(0.001, 0.999, 999)
    x = d.ppf(u)
    assert np.all(np.diff(x) >= 0)
    if low is not None and high is not None:
        assert np.all((x >= low) & (x <= high))
        exact = stats.truncnorm.ppf(u, (low - mean) / sd, (high - mean) / sd, mean, sd)
    else:
        exact = stats.norm.ppf(u, mean, sd)
    assert np.allclose(x, exact, rtol=1e-9, atol=1e-9 * sd)


# --------------------------------------------------------------------------------------------
# Refusals


def inp(**kwargs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "X", "applies_to": [{"category": "energy"}], "factor": UNIFORM}
    return {**base, **kwargs}


def normal(**kwargs: Any) -> dict[str, Any]:
    return {"distribution": "normal", "mean": 1.0, "sd": 0.2, **kwargs}


REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "normal bounds beyond reach",  # a 500 before: the message formatted a missing bound
        {"inputs": [inp(factor=normal(mean=-1e308, sd=1.0, low=1e308))]},
        "uncertainty.inputs[0].factor",
        "holds no probability to sample",
    ),
    ("draws too few", {"draws": 50}, "uncertainty.draws", "at least 100"),
    ("draws too many", {"draws": 2_000_000}, "uncertainty.draws", "at most 1000000"),
    ("unknown sampling", {"sampling": "sobol"}, "uncertainty.sampling", "'sobol' is not one of"),
    ("no inputs", {"inputs": []}, "uncertainty.inputs", "at least 1"),
    ("unknown field", {"inputs": [inp(colour=1)]}, "uncertainty.inputs[0].colour", "unknown field"),
    (
        "unknown offer",
        {"inputs": [inp(applies_to=[{"offer": "nobody"}])]},
        "uncertainty.inputs[0].applies_to[0].offer",
        "'nobody' names no offer",
    ),
    (
        "unknown category",
        {"inputs": [inp(applies_to=[{"category": "fuel"}])]},
        "uncertainty.inputs[0].applies_to[0].category",
        "'fuel' is not one of",
    ),
    (
        "unknown line",
        {"inputs": [inp(applies_to=[{"offer": "ours", "line": "Gas"}])]},
        "uncertainty.inputs[0].applies_to[0].line",
        "no cost line named 'Gas' in offer 'ours'",
    ),
    (
        "unknown target field",
        {"inputs": [inp(applies_to=[{"field": "failures.colour"}])]},
        "uncertainty.inputs[0].applies_to[0].field",
        "'failures.colour' is not one of",
    ),
    (
        "unknown driver",
        {"inputs": [inp(applies_to=[{"field": "assumptions.escalation.gas"}])]},
        "uncertainty.inputs[0].applies_to[0].field",
        "no escalation driver 'gas'",
    ),
    (
        "empty selection",
        {"inputs": [inp(applies_to=[{"offer": "ours", "category": "downtime"}])]},
        "uncertainty.inputs[0].applies_to[0]",
        "selects nothing: no downtime line in offer 'ours'",
    ),
    (
        "no failure model",
        {"inputs": [inp(applies_to=[{"offer": "ours", "field": "failures.mtbf_hours"}])]},
        "uncertainty.inputs[0].applies_to[0]",
        "offer 'ours' has no failure model",
    ),
    (
        "category with a failure field",
        {"inputs": [inp(applies_to=[{"category": "energy", "field": "failures.shape"}])]},
        "uncertainty.inputs[0].applies_to[0]",
        "not a field of a cost line",
    ),
    (
        "offer with an assumption",
        {"inputs": [inp(applies_to=[{"offer": "ours", "field": "assumptions.discount_rate"}])]},
        "uncertainty.inputs[0].applies_to[0].offer",
        "one value for every offer",
    ),
    (
        "hours not given",
        {"inputs": [inp(applies_to=[{"field": "assumptions.operating_hours_per_year"}])]},
        "uncertainty.inputs[0].applies_to[0]",
        "not given in the scenario",
    ),
    (
        "both factor and value",
        {"inputs": [inp(value=UNIFORM)]},
        "uncertainty.inputs[0]",
        "exactly one of 'factor'",
    ),
    (
        "low above high",
        {"inputs": [inp(factor={"distribution": "uniform", "low": 2, "high": 1})]},
        "uncertainty.inputs[0].factor",
        "low 2 is above high 1",
    ),
    (
        "mode outside",
        {"inputs": [inp(factor={**TRIANGULAR, "mode": 2})]},
        "uncertainty.inputs[0].factor",
        "mode 2 is outside",
    ),
    (
        "unknown distribution",
        {"inputs": [inp(factor={"distribution": "beta", "low": 1})]},
        "uncertainty.inputs[0].factor.distribution",
        "'beta' is not one of",
    ),
    (
        "missing parameter",
        {"inputs": [inp(factor={"distribution": "pert", "low": 0.5, "high": 2})]},
        "uncertainty.inputs[0].factor.mode",
        "required field is missing",
    ),
    (
        "normal sd 0",
        {"inputs": [inp(factor=normal(sd=0))]},
        "uncertainty.inputs[0].factor.sd",
        "greater than 0",
    ),
    (
        "normal bounds crossed",
        {"inputs": [inp(factor=normal(low=1.5, high=1.2))]},
        "uncertainty.inputs[0].factor",
        "must be below high",
    ),
    (
        "negative MTBF",
        {"inputs": [inp(applies_to=[{"field": "failures.mtbf_hours"}], factor=normal())]},
        "uncertainty.inputs[0].factor",
        "failures.mtbf_hours of offer 'competitor' values without a lower bound",
    ),
    (
        "discount rate -100 %",
        {
            "inputs": [
                inp(
                    applies_to=[{"field": "assumptions.discount_rate"}],
                    factor=None,
                    value={"distribution": "uniform", "low": -1, "high": 0.1},
                )
            ]
        },
        "uncertainty.inputs[0].value",
        "greater than -1 (-100 %)",
    ),
    (
        "negative downtime cost",
        {
            "inputs": [
                inp(
                    applies_to=[{"field": "assumptions.downtime_cost_per_hour"}],
                    factor={"distribution": "uniform", "low": -0.5, "high": 1},
                )
            ]
        },
        "uncertainty.inputs[0].factor",
        "down to -450",
    ),
    (
        "duplicate names",
        {"inputs": [inp(), inp()]},
        "uncertainty.inputs[1].name",
        "duplicate input name 'X'",
    ),
    (
        "value input on a shared target",
        {
            "inputs": [
                inp(),
                inp(
                    name="Y",
                    applies_to=[{"offer": "ours", "line": "Energy"}],
                    factor=None,
                    value=UNIFORM,
                ),
            ]
        },
        "uncertainty.inputs[1].applies_to",
        "inputs[0] ('X') acts on too",
    ),
    (
        "correlation above 1",
        {"inputs": [inp(), inp(name="Y")], "correlations": [["X", "Y", 1.5]]},
        "uncertainty.correlations[0][2]",
        "at most 1",
    ),
    (
        "correlation with an unknown input",
        {"inputs": [inp()], "correlations": [["X", "Z", 0.5]]},
        "uncertainty.correlations[0][1]",
        "'Z' names no input",
    ),
    (
        "correlation with itself",
        {"inputs": [inp()], "correlations": [["X", "X", 0.5]]},
        "uncertainty.correlations[0]",
        "with itself",
    ),
    (
        "a pair twice",
        {"inputs": [inp(), inp(name="Y")], "correlations": [["X", "Y", 0.5], ["Y", "X", 0.4]]},
        "uncertainty.correlations[1]",
        "correlated twice",
    ),
    (
        "not positive semi-definite",
        {
            "inputs": [inp(), inp(name="Y"), inp(name="Z")],
            "correlations": [["X", "Y", 0.9], ["Y", "Z", 0.9], ["X", "Z", -0.9]],
        },
        "uncertainty.correlations",
        "not positive semi-definite",
    ),
]


def refused(section: dict[str, Any]) -> dict[str, Any]:
    data = two_offers(100)
    data["offers"][1]["failures"] = {"mtbf_hours": 5000, "repair_cost": 100}
    data["assumptions"]["downtime_cost_per_hour"] = 900
    unc = {"seed": 1, "inputs": [inp()], **section}
    for i in unc["inputs"]:
        if i.get("factor") is None:
            i.pop("factor", None)
    return {**data, "uncertainty": unc}


def test_the_refusal_cases_are_valid_without_their_fault() -> None:
    data = refused({})
    data["assumptions"]["operating_hours_per_year"] = 4000
    assert parse_scenario(data).uncertainty is not None


@pytest.mark.parametrize(
    ("case", "section", "path", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_refused_by_path(case: str, section: dict[str, Any], path: str, message: str) -> None:
    data = refused(section)
    if "hours" not in case:
        data["assumptions"]["operating_hours_per_year"] = 4000
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data)
    problems = {p.path: p.message for p in err.value.problems}
    assert path in problems, problems
    assert message in problems[path]


@pytest.mark.parametrize(
    ("case", "section", "path", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_the_command_line_refuses_with_exit_2_and_one_line_per_problem(
    tmp_path: Path, case: str, section: dict[str, Any], path: str, message: str
) -> None:
    data = refused(section)
    if "hours" not in case:
        data["assumptions"]["operating_hours_per_year"] = 4000
    f = tmp_path / "s.json"
    f.write_text(json.dumps(data))
    out = runner.invoke(app, ["evaluate", str(f)])
    assert out.exit_code == 2
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert f"error: {path}: " in out.stderr
    assert all(line.startswith("error: ") for line in lines)
    assert any(message in line for line in lines)


# --------------------------------------------------------------------------------------------
# Command line


def test_evaluate_prints_the_ranges_the_chances_and_the_inputs_that_move_the_savings(
    tmp_path: Path,
) -> None:
    data = {**example("cnc.yaml"), "uncertainty": {"draws": 500, "seed": 7, "inputs": CNC_INPUTS}}
    f = tmp_path / "cnc.json"
    f.write_text(json.dumps(data))
    out = runner.invoke(app, ["evaluate", str(f)], terminal_width=200)
    assert out.exit_code == 0, out.output
    u = evaluate_json(parse_scenario(data))["uncertainty"]
    for text in (
        "Range over 500 draws (Latin hypercube, seed 7)",
        "Lifetime cost P10",
        "Chance of saving",
    ):
        assert text in out.stdout
    p10 = u["offers"]["ours"]["lifetime_cost"]["p10"]
    assert f"{round(p10, 2):,.2f}" in out.stdout
    saves = u["comparison"]["ours"]["probability_saves"]
    assert f"{saves * 100:.1f}\u00a0%" in out.stdout  # as the comparison table writes shares
    assert "What moves the net savings of ours most" in out.stdout
    top = u["sensitivity"][0]["input"]
    assert top in out.stdout
    as_json = runner.invoke(app, ["evaluate", str(f), "--json"])
    assert json.loads(as_json.stdout)["uncertainty"] == u


def test_a_long_run_shows_a_progress_bar_after_a_second() -> None:
    from io import StringIO

    from rich.console import Console

    from tco.cli.risk import _DrawsBar

    now = [0.0]
    out = StringIO()
    bar = _DrawsBar(Console(file=out, force_terminal=True, width=80), clock=lambda: now[0])
    bar(100, 1000)  # quick so far: no bar
    assert bar.bar is None
    now[0] = 1.5
    bar(200, 1000)
    assert bar.bar is not None
    bar(1000, 1000)
    bar.close()
    assert "simulating" in out.getvalue()

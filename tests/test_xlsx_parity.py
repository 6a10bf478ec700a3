"""The workbook, recalculated by LibreOffice, agrees with the engine to the cent.

All workbooks of this module (the examples, a bounded hypothesis sample of generated scenarios,
copies with a changed discount rate and escalation rate, copies with changed coverage terms in
some years, a workbook with formula-like text) go through one soffice call (module fixture).
Results are read back through the defined names.
"""

from __future__ import annotations

import html
import io
import math
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import CATEGORIES, Scenario, load_scenario, parse_scenario
from tco.presenters.info import QuoteInfo
from tco.presenters.xlsx import name_part, render_workbook
from tests.libreoffice import available, recalculate

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed"),
]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_NAMES = ["compressor", "cnc", "blcc-femp-energy", "pump"]
MONEY_TOL = 0.005
RATIO_TOL = 1e-6
NEW_DISCOUNT_RATE = 0.11
ESCALATION_STEP = 0.01
#: pump.yaml, ours: the FullCare period (years 3..5) covers this share instead of all repairs;
#: and, in a year outside every period, this many downtime hours per failure instead of 30.
PERIOD_FRACTION = 0.4
PERIOD_YEARS = range(3, 6)
OTHER_YEAR, OTHER_DOWNTIME = 8, 20.0
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://example.com","x")', "+49 30 1234", "-minus", "@SUM(A1)"]
#: Offer names of the workbook with formula-like text (cells, the Summary's header, chart legends).
OFFER_NAMES = ["=2*3", "=SUM(A1:A3)", "+49 line"]


# ---- reading a workbook through its defined names


def named(wb: Any, name: str) -> list[Any]:
    """The values of the cells a workbook-scope defined name refers to, row-major."""
    dn = wb.defined_names[name]
    ((sheet, ref),) = list(dn.destinations)
    cells = wb[sheet][ref.replace("$", "")]
    if not isinstance(cells, tuple):
        return [cells.value]
    return [c.value for row in cells for c in row]


def one(wb: Any, name: str) -> Any:
    (value,) = named(wb, name)
    return value


def close(got: Any, want: float | None, tol: float, what: str) -> None:
    if want is None:
        assert not isinstance(got, int | float), f"{what}: engine has none, workbook {got!r}"
        return
    assert isinstance(got, int | float), f"{what}: workbook has {got!r}, engine {want}"
    assert abs(got - want) <= tol, f"{what}: workbook {got}, engine {want}"


def assert_matches_engine(wb: Any, scenario: Scenario, result: ScenarioResult) -> float:
    """Every result the workbook names equals the engine's; returns the largest money gap."""
    worst = 0.0
    ids = [o.id for o in scenario.offers]
    parts = dict(zip(ids, name_part(ids), strict=True))

    def money(got: Any, want: float, what: str) -> None:
        nonlocal worst
        close(got, want, MONEY_TOL, what)
        worst = max(worst, abs(float(got) - want))

    for off in result.offers:
        p = parts[off.id]
        money(one(wb, f"lifetime_cost_{p}"), off.lifetime_cost, f"{off.id} lifetime cost")
        money(one(wb, f"eac_{p}"), off.equivalent_annual_cost, f"{off.id} EAC")
        money(one(wb, f"investment_cost_{p}"), off.investment_cost, f"{off.id} investment")
        money(one(wb, f"operating_cost_{p}"), off.operating_cost, f"{off.id} operating")
        cats = named(wb, f"by_category_{p}")
        assert len(cats) == len(CATEGORIES)
        for c, got in zip(CATEGORIES, cats, strict=True):
            money(got, off.by_category[c.value], f"{off.id} {c.value}")
        if off.lines:
            lines = named(wb, f"line_pv_{p}")
            assert len(lines) == len(off.lines)
            for line, got in zip(off.lines, lines, strict=True):
                money(got, line.present_value, f"{off.id} line {line.name}")
        flows = off.cash_flows
        for key, want_row in (
            ("cash_flow_nominal", flows.nominal),
            ("present_value", flows.present_value),
            ("cumulative_pv", flows.cumulative_present_value),
        ):
            got_row = named(wb, f"{key}_{p}")
            assert len(got_row) == len(want_row) == scenario.assumptions.study_period_years + 1
            for t, (g, w) in enumerate(zip(got_row, want_row, strict=True)):
                money(g, w, f"{off.id} {key} year {t}")
    for oid, comp in result.comparison.offers.items():
        p = parts[oid]
        money(one(wb, f"net_savings_{p}"), comp.net_savings, f"{oid} net savings")
        close(one(wb, f"sir_{p}"), comp.sir, RATIO_TOL, f"{oid} SIR")
        close(one(wb, f"airr_{p}"), comp.airr, RATIO_TOL, f"{oid} AIRR")
        close(one(wb, f"simple_payback_{p}"), comp.simple_payback_year, 0, f"{oid} payback")
        close(
            one(wb, f"discounted_payback_{p}"),
            comp.discounted_payback_year,
            0,
            f"{oid} discounted payback",
        )
        for key, want in (
            ("savings_negative_again", comp.savings_negative_again_year),
            ("savings_recovered", comp.savings_recovered_year),
        ):
            close(one(wb, f"{key}_{p}"), want, 0, f"{oid} {key}")
        close(one(wb, f"breakeven_{p}"), comp.breakeven_year, RATIO_TOL, f"{oid} breakeven")
        if comp.price_headroom is not None:
            money(one(wb, f"price_headroom_{p}"), comp.price_headroom, f"{oid} headroom")
    return worst


# ---- generated scenarios

_RATE = st.integers(-300, 1200).map(lambda x: x / 10000)
_MONEY = st.integers(-2_000_000, 20_000_000).map(lambda c: str(Decimal(c) / 100))


@st.composite
def periods(draw: st.DrawFn, n: int) -> list[dict[str, Any]]:
    """Up to two warranty or plan periods within years 1..n, not overlapping."""
    out: list[dict[str, Any]] = []
    start = 1
    for i in range(draw(st.integers(0, 2))):
        if start > n:
            break
        first = draw(st.integers(start, n))
        last = draw(st.integers(first, n))
        terms = {
            "covered_fraction": draw(st.integers(0, 100)) / 100,
            "downtime_hours": draw(st.integers(0, 24)),
            "order_cost": draw(st.sampled_from([0, 120])),
        }
        keep = draw(st.lists(st.sampled_from(sorted(terms)), min_size=1, unique=True))
        out.append(
            {"name": f"=Plan {i}", "from_year": first, "until_year": last}
            | {k: terms[k] for k in keep}
        )
        start = last + 1
    return out


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 12))
    drivers = draw(st.lists(st.sampled_from(["labor", "parts", "energy"]), unique=True, max_size=3))
    escalation = {
        d: draw(st.one_of(_RATE, st.lists(_RATE, min_size=1, max_size=n + 2))) for d in drivers
    }
    driver = st.one_of(st.none(), st.sampled_from(drivers)) if drivers else st.none()
    offers = []
    ids = draw(
        st.lists(
            st.sampled_from(["ours", "b-2", "c.x", "B_2", "keep"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    for oid in ids:
        costs = []
        for i in range(draw(st.integers(1, 5))):
            line: dict[str, Any] = {
                "name": draw(st.sampled_from(["Machine", "=Service", "Energy", "+Parts"]))
                + f" {i}",
                "category": draw(st.sampled_from([c.value for c in CATEGORIES])),
                "amount": draw(_MONEY),
            }
            if draw(st.booleans()):
                line["year"] = draw(st.integers(0, n))
            else:
                line["every_years"] = draw(st.integers(1, n + 2))
                if draw(st.booleans()):
                    line["from_year"] = draw(st.integers(0, n))
                if draw(st.booleans()):
                    line["until_year"] = draw(st.integers(line.get("from_year", 0), n))
            esc = draw(driver)
            if esc is not None:
                line["escalation"] = esc
            if draw(st.booleans()):
                line["life_years"] = draw(st.integers(1, 30))
            elif draw(st.booleans()):
                line["residual_fraction"] = draw(st.integers(0, 100)) / 100
            costs.append(line)
        offer: dict[str, Any] = {"id": oid, "name": f"Offer {oid}", "costs": costs}
        if draw(st.booleans()):
            offer["failures"] = {
                "mtbf_hours": draw(st.integers(500, 60000)),
                "shape": draw(st.integers(5, 30)) / 10,
                "repair_cost": draw(_MONEY.filter(lambda s: not s.startswith("-"))),
                "downtime_hours": draw(st.integers(0, 48)),
                "covered_fraction": draw(st.integers(0, 100)) / 100,
                "order_cost": draw(st.sampled_from([0, 0, 85, 240.5])),
                "order_escalation": draw(driver),
                "escalation": draw(driver),
                "downtime_escalation": draw(driver),
                "periods": draw(periods(n)),
            }
        offers.append(offer)
    return {
        "assumptions": {
            "currency": draw(st.sampled_from(["EUR", "USD", "JPY"])),
            "study_period_years": n,
            "discount_rate": draw(st.integers(-200, 1500)) / 10000,
            "rate_basis": draw(st.sampled_from(["real", "nominal"])),
            "inflation": draw(_RATE),
            "timing": draw(st.sampled_from(["end_of_year", "mid_year"])),
            "escalation": escalation,
            "operating_hours_per_year": draw(st.integers(0, 8760)),
            "downtime_cost_per_hour": draw(st.integers(0, 3000)),
        },
        "baseline": draw(st.sampled_from(ids)),
        "offers": offers,
    }


def generated_scenarios(count: int) -> list[Scenario]:
    found: list[Scenario] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(scenario_data())
    def collect(raw: dict[str, Any]) -> None:
        found.append(parse_scenario(raw))

    collect()
    return found


# ---- one soffice call for the whole module


@dataclass
class Case:
    label: str
    scenario: Scenario
    result: ScenarioResult
    exported: Path
    recalculated: Path | None = None


def changed(scenario: Scenario) -> tuple[Scenario, str | None]:
    """The scenario at NEW_DISCOUNT_RATE, its first driver's first rate raised by a step."""
    raw = scenario.model_dump(mode="json")
    raw["assumptions"]["discount_rate"] = NEW_DISCOUNT_RATE
    drivers = sorted(raw["assumptions"]["escalation"])
    driver = drivers[0] if drivers else None
    if driver is not None:
        rates = list(raw["assumptions"]["escalation"][driver])
        rates[0] = rates[0] + ESCALATION_STEP
        raw["assumptions"]["escalation"][driver] = rates
    return parse_scenario(raw), driver


def change_workbook(src: Path, dst: Path, driver: str | None) -> None:
    """Type the new rates into the named input cells, as a buyer would."""
    wb = openpyxl.load_workbook(src)
    ((sheet, ref),) = list(wb.defined_names["discount_rate"].destinations)
    wb[sheet][ref.replace("$", "")].value = NEW_DISCOUNT_RATE
    if driver is not None:
        ((sheet, ref),) = list(wb.defined_names[f"escalation_{driver}"].destinations)
        first = ref.replace("$", "").split(":")[0]
        cell = wb[sheet][first]
        cell.value = cell.value + ESCALATION_STEP
    wb.save(dst)


def edit_years(src: Path, dst: Path, name: str, years: range, value: float) -> None:
    """Type ``value`` into the per-year input cells ``name`` (years 1..N) for ``years``."""
    wb = openpyxl.load_workbook(src)
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    (row,) = wb[sheet][ref.replace("$", "")]
    for t in years:
        assert row[t - 1].protection.locked is False
        row[t - 1].value = value
    wb.save(dst)


def pump_with(change: Any) -> Scenario:
    """pump.yaml with ``change`` applied to the raw failure model of ours."""
    raw = load_scenario(EXAMPLES / "pump.yaml").model_dump(mode="json")
    (ours,) = [o for o in raw["offers"] if o["id"] == "ours"]
    change(ours["failures"])
    return parse_scenario(raw)


def fullcare_at(fraction: float) -> Any:
    def change(failures: dict[str, Any]) -> None:
        (period,) = [p for p in failures["periods"] if p["from_year"] == PERIOD_YEARS[0]]
        assert (period["name"], period["until_year"]) == ("FullCare", PERIOD_YEARS[-1])
        assert period["covered_fraction"] == 1.0
        period["covered_fraction"] = fraction

    return change


def downtime_in_other_year(failures: dict[str, Any]) -> None:
    assert not any(p["from_year"] <= OTHER_YEAR <= p["until_year"] for p in failures["periods"])
    period = {"name": "x", "from_year": OTHER_YEAR, "until_year": OTHER_YEAR}
    failures["periods"].append(period | {"downtime_hours": OTHER_DOWNTIME})


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Case]]:
    src = tmp_path_factory.mktemp("xlsx-in")
    out = tmp_path_factory.mktemp("xlsx-out")
    groups: dict[str, list[Case]] = {
        "examples": [],
        "generated": [],
        "changed": [],
        "periods": [],
        "text": [],
    }

    def add(group: str, label: str, sc: Scenario, info: QuoteInfo | None = None) -> Case:
        res = evaluate(sc)
        path = src / f"{label}.xlsx"
        path.write_bytes(render_workbook(sc, res, locale="en", info=info))
        case = Case(label, sc, res, path)
        groups[group].append(case)
        return case

    for name in EXAMPLE_NAMES:
        sc = load_scenario(EXAMPLES / f"{name}.yaml")
        base = add("examples", name, sc)
        new_sc, driver = changed(sc)
        path = src / f"{name}-changed.xlsx"
        change_workbook(base.exported, path, driver)
        groups["changed"].append(Case(f"{name}-changed", new_sc, evaluate(new_sc), path))
    pump = next(c for c in groups["examples"] if c.label == "pump")
    edits = (
        ("pump-fullcare", "covered_fraction_ours", PERIOD_YEARS, PERIOD_FRACTION),
        ("pump-downtime", "downtime_hours_ours", range(OTHER_YEAR, OTHER_YEAR + 1), OTHER_DOWNTIME),
    )
    changes = (fullcare_at(PERIOD_FRACTION), downtime_in_other_year)
    for (label, name, years, value), change in zip(edits, changes, strict=True):
        sc = pump_with(change)
        path = src / f"{label}.xlsx"
        edit_years(pump.exported, path, name, years, value)
        groups["periods"].append(Case(label, sc, evaluate(sc), path))
    for i, sc in enumerate(generated_scenarios(14)):
        case = add("generated", f"generated-{i}", sc)
        if i < 4:
            new_sc, driver = changed(sc)
            path = src / f"generated-{i}-changed.xlsx"
            change_workbook(case.exported, path, driver)
            groups["changed"].append(Case(f"generated-{i}-changed", new_sc, evaluate(new_sc), path))
    sc = load_scenario(EXAMPLES / "compressor.yaml")
    raw = sc.model_dump(mode="json")
    for off in raw["offers"]:
        for line, text in zip(off["costs"], FORMULA_LIKE, strict=False):
            line["name"] = text
    for off, name in zip(raw["offers"], OFFER_NAMES, strict=True):
        off["name"] = name
    add("text", "text", parse_scenario(raw), QuoteInfo(customer="=1+1", seller="@seller"))

    all_cases = [c for group in groups.values() for c in group]
    outputs = recalculate([c.exported for c in all_cases], out)
    for c, o in zip(all_cases, outputs, strict=True):
        c.recalculated = o
    return groups


def load(path: Path | None) -> Any:
    assert path is not None
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True)


@pytest.mark.parametrize("index", range(len(EXAMPLE_NAMES)), ids=EXAMPLE_NAMES)
def test_recalculated_example_matches_engine_to_the_cent(
    cases: dict[str, list[Case]], index: int
) -> None:
    case = cases["examples"][index]
    assert_matches_engine(load(case.recalculated), case.scenario, case.result)


def test_recalculated_generated_scenarios_match_engine(cases: dict[str, list[Case]]) -> None:
    assert len(cases["generated"]) >= 10
    for case in cases["generated"]:
        try:
            assert_matches_engine(load(case.recalculated), case.scenario, case.result)
        except AssertionError as exc:
            raise AssertionError(
                f"{case.label}: {exc}\n{case.scenario.model_dump_json()}"
            ) from None


def test_changed_discount_and_escalation_rate_match_engine_at_those_rates(
    cases: dict[str, list[Case]],
) -> None:
    for case in cases["changed"]:
        wb = load(case.recalculated)
        assert one(wb, "discount_rate") == pytest.approx(NEW_DISCOUNT_RATE)
        try:
            assert_matches_engine(wb, case.scenario, case.result)
        except AssertionError as exc:
            raise AssertionError(f"{case.label}: {exc}") from None


def test_changed_rate_moves_the_results(cases: dict[str, list[Case]]) -> None:
    """The recalculation really happened: the old results no longer hold."""
    before = {c.label: c for c in cases["examples"]}
    for case in cases["changed"][: len(EXAMPLE_NAMES)]:
        old = before[case.label.removesuffix("-changed")]
        wb = load(case.recalculated)
        p = name_part([case.scenario.offers[0].id])[0]
        got = one(wb, f"lifetime_cost_{p}")
        assert abs(got - old.result.offers[0].lifetime_cost) > 1.0


def test_cached_values_equal_what_libreoffice_computes(cases: dict[str, list[Case]]) -> None:
    for case in cases["examples"] + cases["generated"][:4]:
        formulas = openpyxl.load_workbook(case.exported)
        cached = load(case.exported)
        recalc = load(case.recalculated)
        checked = 0
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                        continue
                    a = cached[ws.title][cell.coordinate].value
                    b = recalc[ws.title][cell.coordinate].value
                    where = f"{case.label} {ws.title}!{cell.coordinate} {cell.value}"
                    if isinstance(b, int | float):
                        assert isinstance(a, int | float), f"{where}: cached {a!r}, computed {b}"
                        assert abs(a - b) <= 1e-6 * max(1.0, abs(b)), f"{where}: {a} != {b}"
                    else:
                        assert (a or "") == (b or ""), f"{where}: {a!r} != {b!r}"
                    checked += 1
        assert checked > 20


def test_formula_like_text_stays_text_after_libreoffice(cases: dict[str, list[Case]]) -> None:
    (case,) = cases["text"]
    wb = openpyxl.load_workbook(io.BytesIO(case.recalculated.read_bytes()))  # type: ignore[union-attr]
    texts = {
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for text in [*FORMULA_LIKE, "=1+1", "@seller", *OFFER_NAMES]:
        assert text in texts, f"{text!r} did not survive as text"
    values = load(case.recalculated)
    summary = values.worksheets[0]
    shown = [c.value for row in summary.iter_rows() for c in row]
    assert "=1+1" in shown  # the customer name was not evaluated
    assert math.isfinite(one(values, "lifetime_cost_ours"))
    # the cumulative chart names its lines by the Summary's header cells, whose text (and the
    # cached name) LibreOffice keeps: no legend becomes a formula or a default series name
    with zipfile.ZipFile(case.recalculated) as z:  # type: ignore[arg-type]
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    (line,) = [c for c in charts if "<c:lineChart>" in c]
    titles = re.findall(
        r"<c:tx><c:strRef><c:f>([^<]*)</c:f><c:strCache>.*?<c:v>([^<]*)</c:v>", line
    )
    assert [html.unescape(v) for _, v in titles] == OFFER_NAMES
    for ref, name in zip([f for f, _ in titles], OFFER_NAMES, strict=True):
        sheet, cell = ref.replace("$", "").split("!")
        assert values[sheet.strip("'")][cell].value == name


def test_changed_coverage_terms_in_some_years_match_the_engine_with_those_terms(
    cases: dict[str, list[Case]],
) -> None:
    """A buyer types other terms into some years; the recalculated workbook is the engine's
    evaluation of the scenario with those terms (a changed period, or a new one-year period)."""
    (pump,) = [c for c in cases["examples"] if c.label == "pump"]
    before = {o.id: o.lifetime_cost for o in pump.result.offers}
    assert [c.label for c in cases["periods"]] == ["pump-fullcare", "pump-downtime"]
    for case in cases["periods"]:
        wb = load(case.recalculated)
        try:
            assert_matches_engine(wb, case.scenario, case.result)
        except AssertionError as exc:
            raise AssertionError(f"{case.label}: {exc}") from None
        got = one(wb, "lifetime_cost_ours")
        assert abs(got - before["ours"]) > 100.0  # the edit moved the result
        assert one(wb, "lifetime_cost_competitor") == pytest.approx(before["competitor"], abs=0.005)
    fullcare = load(cases["periods"][0].recalculated)
    covered = named(fullcare, "covered_fraction_ours")
    assert covered[:5] == [1, 1, PERIOD_FRACTION, PERIOD_FRACTION, PERIOD_FRACTION]


def test_the_cnc_payback_reversal_and_the_offer_that_adds_no_investment(
    cases: dict[str, list[Case]],
) -> None:
    (case,) = [c for c in cases["examples"] if c.label == "cnc"]
    wb = load(case.recalculated)
    keys = ("discounted_payback", "savings_negative_again", "savings_recovered")
    assert [one(wb, f"{k}_ours") for k in keys] == [8, 10, 13]
    assert one(wb, "simple_payback_keep_old") == "\u2013"
    assert one(wb, "discounted_payback_keep_old") == "\u2013"
    assert one(wb, "savings_negative_again_keep_old") in (None, "")
    assert one(wb, "savings_recovered_keep_old") in (None, "")
    summary = wb.worksheets[0]
    shown = {row[0].value: [c.value for c in row[1:4]] for row in summary.iter_rows()}
    assert shown["Dearer again from year"] == [10, "baseline", None]
    assert shown["Cheaper again from year"] == [13, "baseline", None]
    assert shown["Discounted payback year"] == [8, "baseline", "\u2013"]


def test_data_validation_survives_libreoffice(cases: dict[str, list[Case]]) -> None:
    """LibreOffice reads the input cells' validation rules (and writes them back): every input
    cell of the recalculated pump workbook still has one, with its message."""
    pump = next(c for c in cases["examples"] if c.label == "pump")
    assert pump.recalculated is not None
    wb = openpyxl.load_workbook(pump.recalculated)
    inputs = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.protection.locked is False
    ]
    assert len(inputs) > 50
    for c in inputs:
        rules = [dv for dv in c.parent.data_validations.dataValidation if c.coordinate in dv.sqref]
        assert len(rules) == 1, f"{c.parent.title}!{c.coordinate}"
        assert rules[0].error.startswith("Enter")
    ((sheet, ref),) = list(wb.defined_names["discount_rate"].destinations)
    (rule,) = [
        dv for dv in wb[sheet].data_validations.dataValidation if ref.replace("$", "") in dv.sqref
    ]
    x = ref.replace("$", "")
    assert rule.formula1 == f"AND(ISNUMBER({x}),{x}>-1,{x}<=10)"  # above -100 %, at most 1,000 %

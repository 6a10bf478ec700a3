"""The quote document with an uncertainty block: range bars over the lifetime-cost bars, the
sentence under the headline, the tornado, the tables; and no change without a block.

Expected values come from the result's uncertainty block (rounded here, half away from zero,
independently of tco.core.money) and from the scenario, never from the document code's output.
The chart checks parse the SVG: a chart's value scale is read off its own tick labels.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from bench.uncertainty import UNCERTAINTY
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, parse_scenario
from tco.presenters.document import build_view, render_html, write_document
from tco.presenters.sentences import risk
from tests.test_document import SVG, overlap, parse, row, svg_size, svg_texts, table
from tests.test_uncertainty import CNC_INPUTS, UNIFORM, energy_input, example, two_offers

#: Inputs the tornado and its table show, the largest swings first (the document's choice).
SHOWN = 8


def _case(data: dict[str, Any]) -> tuple[Scenario, ScenarioResult]:
    sc = parse_scenario(data)
    return sc, evaluate(sc)


@pytest.fixture(scope="module")
def bench() -> tuple[Scenario, ScenarioResult]:
    """The benchmark's five inputs on the CNC example (10,000 draws): ours saves in almost
    every draw, and no input alone turns the comparison."""
    return _case({**example("cnc.yaml"), "uncertainty": UNCERTAINTY})


@pytest.fixture(scope="module")
def turning() -> tuple[Scenario, ScenarioResult]:
    """Five wide inputs on the CNC example: the discount rate (a value input) and the
    competitor's MTBF (a factor) each turn the comparison."""
    return _case({**example("cnc.yaml"), "uncertainty": {"draws": 2000, "seed": 3, "inputs": CNC_INPUTS}})  # fmt: skip


@pytest.fixture(scope="module")
def tenths() -> tuple[Scenario, ScenarioResult]:
    """Closed form: net savings 100 f - 60 for an energy price factor f ~ U(0.5, 1.5): ours
    saves where f > 0.6, in 9 of 10 draws; the switching value is 0.6."""
    data = {**two_offers(60), "uncertainty": {"seed": 7, "inputs": [energy_input(UNIFORM)]}}
    return _case(data)


LONG = "Price of electricity from the grid, including network charges, levies and the CO2 surcharge of the regional utility"  # fmt: skip


@pytest.fixture(scope="module")
def long_names() -> tuple[Scenario, ScenarioResult]:
    """Long and marked-up input names, eleven inputs (three more than the tornado shows)."""
    inputs = copy.deepcopy(CNC_INPUTS)
    inputs[0]["name"] = "Price of electricity: energy lines of every offer (factor)"
    inputs[1]["name"] = LONG  # the largest swing: shown first, cut in the chart
    inputs[3]["name"] = "Cost of an hour of <b>downtime</b> & lost orders"
    lines = [("ours", "Electricity"), ("competitor", "Electricity"), ("keep_old", "Electricity")]
    lines += [("keep_old", "Preventive maintenance"), ("competitor", "Preventive maintenance")]
    lines += [("ours", "Standard service plan")]
    for k, (offer, line) in enumerate(lines):
        inputs.append(
            {
                "name": f"Amount of the line {line} of the offer {offer}, a long descriptive name",
                "applies_to": [{"offer": offer, "line": line}],
                "factor": {"distribution": "uniform", "low": 0.7 - 0.05 * k, "high": 1.3},
            }
        )
    return _case({**example("cnc.yaml"), "uncertainty": {"draws": 500, "seed": 1, "inputs": inputs}})  # fmt: skip


def rm(x: float, places: int = 2) -> Decimal:
    """Rounded half away from zero (written here, not the project's)."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(x: float) -> str:
    """An amount as the English document shows it in a sentence: EUR 1,234.56."""
    return f"EUR\u00a0{rm(x):,}"


def share(p: float) -> str:
    """A chance as the English document shows it: one decimal."""
    return f"{rm(p * 100, 1)}\u00a0%"


def key_offer(result: ScenarioResult) -> str:
    comp = result.comparison.offers
    return max(comp, key=lambda oid: comp[oid].net_savings)  # first on a tie


def svg(html: str, element_id: str) -> ET.Element:
    """The SVG chart inside the element with ``element_id`` (a figure)."""
    start = html.index(f'id="{element_id}"')
    return ET.fromstring(html[html.index("<svg", start) : html.index("</svg>", start) + 6])


def text_of(html: str, element_id: str, end: str) -> str:
    """The text from the element with ``element_id`` to ``end``, tags taken out (the SVG
    glyph in a legend confuses the table parser of test_document)."""
    start = html.index(f'id="{element_id}"')
    part = html[html.index(">", start) + 1 : html.index(end, start)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).replace("\u00a0", " ").split())


def number(text: str) -> float:
    return float(text.replace(",", "").replace("\u2212", "-"))


def _fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(a, b) of position = a + b * value through the ticks, every tick on the line."""
    (v0, p0), (v1, p1) = points[0], points[-1]
    b = (p1 - p0) / (v1 - v0)
    a = p0 - b * v0
    for v, p in points:
        assert abs(a + b * v - p) < 0.11, (v, p)
    return a, b


def bar_scale(chart: ET.Element) -> tuple[float, float]:
    """The bar chart's value -> y, from its tick labels (right-aligned left of the plot, 3.5
    below their grid line)."""
    ticks = [
        (number(t.text or ""), float(t.get("y", "")) - 3.5)
        for t in chart.iter(f"{SVG}text")
        if t.get("text-anchor") == "end"
    ]
    return _fit(sorted(ticks))


def tornado_scale(chart: ET.Element) -> tuple[float, float]:
    """The tornado's value -> x, from its tick labels (centred under the rows, not bold)."""
    ticks = [
        (number(t.text or ""), float(t.get("x", "")))
        for t in chart.iter(f"{SVG}text")
        if t.get("text-anchor") == "middle" and t.get("font-weight") is None
    ]
    return _fit(sorted(ticks))


# --------------------------------------------------------------------------------------------
# The range bars


@pytest.mark.parametrize("case", ["bench", "turning"])
def test_the_range_bars_sit_at_each_offers_p10_p50_and_p90_on_the_chart_scale(
    case: str, request: pytest.FixtureRequest
) -> None:
    sc, result = request.getfixturevalue(case)
    u = result.uncertainty
    assert u is not None
    html = render_html(sc, result)
    chart = svg(html, "bars")
    a, b = bar_scale(chart)
    ranges = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "range"]
    assert [g.get("data-key") for g in ranges] == [o.id for o in result.offers]
    bars = sorted({(float(r.get("x", "")), float(r.get("width", ""))) for r in chart.iter(f"{SVG}rect")})  # fmt: skip
    assert len(bars) == len(result.offers)
    for g, offer, (bx, bw) in zip(ranges, result.offers, bars, strict=True):
        spread = u.offers[offer.id].lifetime_cost
        (line,) = [x for x in g.iter(f"{SVG}line") if x.get("class") == "p10-p90"]
        (mid,) = [x for x in g.iter(f"{SVG}circle") if x.get("class") == "p50"]
        assert float(line.get("y1", "")) == pytest.approx(a + b * float(rm(spread.p10)), abs=0.11)
        assert float(line.get("y2", "")) == pytest.approx(a + b * float(rm(spread.p90)), abs=0.11)
        assert float(mid.get("cy", "")) == pytest.approx(a + b * float(rm(spread.p50)), abs=0.11)
        assert line.get("x1") == line.get("x2") == mid.get("cx")
        assert bx < float(line.get("x1", "")) < bx + bw  # over its own bar
    legend = text_of(html, "range-legend", "</span></div>")
    assert f"over {u.draws:,} simulated futures (seed {u.seed})" in legend
    assert "P10 to P90" in legend
    assert "P50" in legend


def test_a_bar_total_stands_above_its_range(bench: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = bench
    chart = svg(render_html(sc, result), "bars")
    totals = [t for t in chart.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    ranges = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "range"]
    for total, g in zip(totals, ranges, strict=True):
        top = min(float(x.get("y2", "")) for x in g.iter(f"{SVG}line"))
        assert float(total.get("y", "")) + 0.25 * float(total.get("font-size", "")) < top


# --------------------------------------------------------------------------------------------
# The tornado


@pytest.mark.parametrize("case", ["bench", "turning", "long_names"])
def test_the_tornado_lists_the_inputs_in_swing_order_with_bars_from_the_base_case(
    case: str, request: pytest.FixtureRequest
) -> None:
    sc, result = request.getfixturevalue(case)
    u = result.uncertainty
    assert u is not None
    assert sc.uncertainty is not None
    key = key_offer(result)
    sens = {s.input: s for s in u.sensitivity}
    names = [i.name for i in sc.uncertainty.inputs]  # input order: ties keep it
    swing = {n: abs(sens[n].net_savings[key][1] - sens[n].net_savings[key][0]) for n in names}
    expected = sorted(names, key=lambda n: -swing[n])[:SHOWN]
    chart = svg(render_html(sc, result), "tornado")
    rows = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "tornado-row"]
    assert [g.get("data-input") for g in rows] == expected
    a, b = tornado_scale(chart)
    base = float(rm(result.comparison.offers[key].net_savings))
    (line,) = [x for x in chart.iter(f"{SVG}line") if x.get("class") == "base"]
    assert float(line.get("x1", "")) == pytest.approx(a + b * base, abs=0.11)
    for g in rows:
        low, high = sens[g.get("data-input", "")].net_savings[key]
        for name, value in (("at-p10", low), ("at-p90", high)):
            (rect,) = [r for r in g.iter(f"{SVG}rect") if r.get("class") == name]
            x0, w = float(rect.get("x", "")), float(rect.get("width", ""))
            ends = sorted((a + b * base, a + b * float(rm(value))))
            assert x0 == pytest.approx(ends[0], abs=0.11)
            assert w == pytest.approx(max(ends[1] - ends[0], 0.6), abs=0.11)


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_no_two_texts_of_the_tornado_overlap_and_long_names_are_given_in_full_below(
    long_names: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = long_names
    html = render_html(sc, result, locale=locale)
    chart = ET.tostring(svg(html, "tornado"), encoding="unicode")
    texts = list(svg_texts(chart))
    width, height = svg_size(chart)
    for i, (a, box_a) in enumerate(texts):
        assert min(box_a[0], box_a[1]) >= 0, a
        assert box_a[2] <= width, a
        assert box_a[3] <= height, a
        for b, box_b in texts[i + 1 :]:
            assert not overlap(box_a, box_b), (a, b)
    assert any(t.endswith("…") for t, _ in texts)  # the longest name is cut in the chart
    inputs = table(parse(html), "risk-inputs")
    shown = [r[0] for r in inputs[1:]]
    assert LONG in shown  # and given in full in the table
    assert "Cost of an hour of <b>downtime</b> & lost orders" in shown  # escaped, as written
    assert "<b>downtime</b>" not in html
    assert "Cost of an hour of &lt;b&gt;downtime&lt;/b&gt; &amp; lost orders" in html
    notes = [r for r in re.findall(r'<p class="tablenote">([^<]*)</p>', html) if "3 " in r]
    if locale == "en":
        assert notes == ["3 more inputs move it less and are not shown."]


# --------------------------------------------------------------------------------------------
# The sentence


def expected_sentence(sc: Scenario, result: ScenarioResult) -> str:
    """The English sentence, from the block: the share of draws in which the key offer saves
    ("k of 10" within half a percentage point of k/10), then the input whose switching value
    is nearest its base value (in its P10-P90 width) and what it would have to be."""
    u = result.uncertainty
    assert u is not None
    assert sc.uncertainty is not None
    key, base = key_offer(result), result.comparison.baseline
    names = {o.id: o.name for o in result.offers}
    p = u.comparison[key].probability_saves
    k = round(p * 10)
    if 1 <= k <= 9 and abs(p - k / 10) <= 0.005:
        first = f"In {k} of 10 simulated futures"
    else:
        first = f"In {share(p)} of the simulated futures"
    first += f" {names[key]} costs less than {names[base]}."
    lead = "Taken one at a time, with the other inputs as assumed,"
    sens = {s.input: s for s in u.sensitivity}
    kinds = {i.name: i for i in sc.uncertainty.inputs}
    found = []
    for s in u.switching_values:
        if s.offer == key and s.value is not None:
            inp = kinds[s.input]
            ref = 1.0 if inp.kind == "factor" else float(_assumed(sc, inp.name))
            width = abs(sens[s.input].high - sens[s.input].low)
            found.append((abs(s.value - ref) / width, s.input, s.value, ref, inp.kind))
    if not found:
        return f"{first} {lead} no input turns the comparison at any value from its P0.1 to its P99.9."  # fmt: skip
    _, name, value, ref, kind = min(found, key=lambda x: x[0])
    cheaper = names[base] if result.comparison.offers[key].net_savings > 0 else names[key]
    shown = f"{rm(value)} times today's value" if kind == "factor" else f"{rm(value * 100)}\u00a0%"
    side = "below" if value < ref else "above"
    return f"{first} {lead} {cheaper} would be cheaper only if {name} were {side} {shown}."


def _assumed(sc: Scenario, name: str) -> float:
    """The scenario's own value of the value inputs used here (the discount rate)."""
    assert name == "Discount rate"
    return sc.assumptions.discount_rate


def sentence_of(html: str) -> str:
    """The sentence under the headline, its spaces (no-break ones too) as single spaces."""
    return " ".join(parse(html).ids["risk-sentence"].split())


@pytest.mark.parametrize("case", ["bench", "turning", "tenths"])
def test_the_sentence_states_the_blocks_numbers(case: str, request: pytest.FixtureRequest) -> None:
    sc, result = request.getfixturevalue(case)
    html = render_html(sc, result)
    assert sentence_of(html) == " ".join(expected_sentence(sc, result).split())
    assert html.index('id="risk-sentence"') < html.index(
        'id="summary"'
    )  # page one, under the headline


def test_the_three_kinds_of_sentence_are_covered(
    bench: tuple[Scenario, ScenarioResult],
    turning: tuple[Scenario, ScenarioResult],
    tenths: tuple[Scenario, ScenarioResult],
) -> None:
    """A percent and no turning input; a percent and a value input (a rate) that turns it;
    "9 of 10" and a factor below which the competitor would be cheaper."""
    assert "no input turns the comparison" in sentence_of(render_html(*bench))
    assert "were above 14.36 %" in sentence_of(render_html(*turning)).replace("\u00a0", " ")
    assert sentence_of(render_html(*tenths)) == (
        "In 9 of 10 simulated futures ours costs less than competitor. Taken one at a time, with "
        "the other inputs as assumed, competitor would be cheaper only if Energy price were "
        "below 0.60 times today's value."
    )


def test_a_single_offer_gets_its_range_and_a_tornado_of_its_lifetime_cost() -> None:
    data = example("cnc.yaml")
    data["offers"] = data["offers"][:1]
    data.pop("baseline")
    inputs = [i for i in CNC_INPUTS if i["name"] != "Competitor MTBF"]
    sc, result = _case({**data, "uncertainty": {"draws": 500, "seed": 2, "inputs": inputs}})
    u = result.uncertainty
    assert u is not None
    html = render_html(sc, result)
    spread = u.offers["ours"].lifetime_cost
    assert sentence_of(html) == " ".join(
        (
            "In 8 of 10 simulated futures the lifetime cost of CNC machining center with Standard "
            f"plan lies between {money(spread.p10)} and {money(spread.p90)}."
        ).split()
    )
    rows = [g.get("data-input") for g in svg(html, "tornado").iter(f"{SVG}g") if g.get("class") == "tornado-row"]  # fmt: skip
    swing = {s.input: abs(s.lifetime_cost["ours"][1] - s.lifetime_cost["ours"][0]) for s in u.sensitivity}  # fmt: skip
    assert rows == sorted((i["name"] for i in inputs), key=lambda n: -swing[n])
    assert "Switching value" not in html


def test_the_plain_text_sentence(bench: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = bench
    assert risk(sc, result, "en") == build_view(sc, result).risk.sentence_text  # type: ignore[union-attr]
    plain = result.model_copy(update={"uncertainty": None})
    assert risk(sc, plain, "en") is None


# --------------------------------------------------------------------------------------------
# The tables


def test_the_tables_show_the_block_rounded_once(turning: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = turning
    u = result.uncertainty
    assert u is not None
    doc = parse(render_html(sc, result))
    rows = table(doc, "risk")
    base = result.comparison.baseline
    for label, pick in (("P10", "p10"), ("P50", "p50"), ("P90", "p90")):
        cells = row(rows, f"Lifetime cost {label}")
        assert cells == [f"{rm(getattr(u.offers[o.id].lifetime_cost, pick)):,}" for o in result.offers]  # fmt: skip
    chances = row(rows, "Chance of the lowest cost")
    assert chances == [share(u.offers[o.id].probability_lowest_cost).replace("\u00a0", " ") for o in result.offers]  # fmt: skip
    for label, pick in (("Net savings P10", "p10"), ("Net savings P90", "p90")):
        expected = [
            "baseline" if o.id == base else f"{rm(getattr(u.comparison[o.id].net_savings, pick)):,}"
            for o in result.offers
        ]
        assert row(rows, label) == expected
    saving = row(rows, "Chance of saving")
    assert saving == ["baseline" if o.id == base else share(u.comparison[o.id].probability_saves).replace("\u00a0", " ") for o in result.offers]  # fmt: skip
    # the inputs: values in their unit, the key offer's net savings there, its switching value
    key = key_offer(result)
    inputs = {r[0]: r[1:] for r in table(doc, "risk-inputs")[1:]}
    switching = {s.input: s.value for s in u.switching_values if s.offer == key}
    for s in u.sensitivity:
        low, high = s.net_savings[key]
        cells = inputs[s.input]
        assert cells[2:4] == [f"{rm(low):,}", f"{rm(high):,}"]
        value = switching[s.input]
        if s.input == "Discount rate":
            assert cells[:2] == [f"{rm(s.low * 100)} %", f"{rm(s.high * 100)} %"]
            assert cells[4] == f"{rm(value * 100)} %"  # type: ignore[operator]
        else:
            assert cells[:2] == [f"×{rm(s.low)}", f"×{rm(s.high)}"]
            assert cells[4] == ("–" if value is None else f"×{rm(value)}")
    # every non-baseline offer's switching values
    by_offer = table(doc, "switching")
    others = [o.id for o in result.offers if o.id != base]
    for s in u.sensitivity:
        values = {v.offer: v.value for v in u.switching_values if v.input == s.input}
        cells = row(by_offer, s.input)
        assert [c == "–" for c in cells] == [values[o] is None for o in others]


# --------------------------------------------------------------------------------------------
# German


def test_a_german_document_has_german_numbers_in_its_sentence_and_tables(
    turning: tuple[Scenario, ScenarioResult],
) -> None:
    sc, result = turning
    u = result.uncertainty
    assert u is not None
    html = render_html(sc, result, locale="de_DE")
    sentence = sentence_of(html)
    p = u.comparison[key_offer(result)].probability_saves
    assert f"{str(rm(p * 100, 1)).replace('.', ',')} %" in sentence
    assert "14,36 %" in sentence
    cells = row(table(parse(html), "risk"), "Lebenszykluskosten P50")
    spread = u.offers["ours"].lifetime_cost
    assert cells[0] == f"{rm(spread.p50):,}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_a_german_document_has_german_sentences(turning: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = turning
    u = result.uncertainty
    assert u is not None
    html = render_html(sc, result, locale="de_DE")
    sentence = sentence_of(html)
    p = u.comparison[key_offer(result)].probability_saves
    share_de = f"{str(rm(p * 100, 1)).replace('.', ',')} %"
    assert sentence == (
        f"In {share_de} der Simulationsläufe ist CNC machining center with Standard plan günstiger "
        "als Competitor machining center. Einzeln betrachtet, alle anderen Eingaben wie "
        "angenommen, wäre Competitor machining center nur dann günstiger, wenn Discount rate "
        "über 14,36 % läge."
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", html.split("<body>")[1]).split())
    for german in ("Unsicherheit", "Lebenszykluskosten P90", "Wahrscheinlichkeit einer Einsparung", "Kritischer Wert"):  # fmt: skip
        assert german in text
    for english in ("simulated futures", "Chance of saving", "Switching value", "Uncertainty"):
        assert english not in text


# --------------------------------------------------------------------------------------------
# Without an uncertainty block nothing changes


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_without_a_block_the_document_is_the_document_of_the_scenario_without_the_section(
    bench: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = bench
    plain = parse_scenario(example("cnc.yaml"))
    expected = render_html(plain, evaluate(plain), locale=locale)
    no_block = result.model_copy(update={"uncertainty": None})
    assert render_html(sc, no_block, locale=locale) == expected
    for mark in ('id="risk-sentence"', 'id="uncertainty"', 'id="tornado"', 'class="range"', ".risk {"):  # fmt: skip
        assert mark not in expected
        assert mark in render_html(sc, result, locale=locale)


# --------------------------------------------------------------------------------------------
# PDF


def _pdftotext(pdf: Path, *pages: str) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; `make system` installs it")
    out = subprocess.run([tool, *pages, str(pdf), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.replace("\u00a0", " ").split())


@pytest.mark.pdf
@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_the_pdf_states_the_sentence_on_page_one_and_shows_the_tornado(
    tmp_path: Path, turning: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = turning
    pdf = tmp_path / "quote.pdf"
    write_document(sc, result, pdf=pdf, locale=locale)
    page_one = _pdftotext(pdf, "-f", "1", "-l", "1")
    view = build_view(sc, result, locale=locale)
    assert view.risk is not None
    assert " ".join(view.risk.sentence_text.replace("\u00a0", " ").split()) in page_one
    if locale == "en":
        assert " ".join(expected_sentence(sc, result).replace("\u00a0", " ").split()) in page_one
    text = _pdftotext(pdf)
    assert view.risk.tornado_title.replace("\u00a0", " ") in text
    assert "Discount rate" in text
    assert "Competitor MTBF" in text

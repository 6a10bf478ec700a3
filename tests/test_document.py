"""The quote document (HTML): the numbers shown are the engine's, rounded, and they add up.

Expected values come from the engine's unrounded results (rounded here to the cent, half away from zero, independently of tco.core.money) or from
the scenario files themselves, never from the document code's own output.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.numbers import parse_decimal
from typer.testing import CliRunner

from tco.cli.main import app
from tco.core.errors import TcoError
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, load_scenario, parse_scenario
from tco.presenters.document import DocumentView, build_view, render_html, write_document
from tco.presenters.files import OutputError
from tco.presenters.info import QuoteInfo
from tco.presenters.locale import SENTENCES, LocaleError
from tco.quoting.builder import CoverageTerm

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CENT = Decimal("0.01")
ROUNDING_NOTE = {
    "en": "Each figure is rounded on its own from the unrounded value",
    "de_DE": "Jeder Wert ist für sich aus dem ungerundeten Wert gerundet",
}


class _Tables(HTMLParser):
    """Collects the text of every table (by id or class) and of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.ids: dict[str, str] = {}
        self._stack: list[tuple[str, str | None]] = []
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._rows, self._name = [], a.get("id") or a.get("class") or ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        if tag not in ("br", "col", "meta", "line", "rect", "circle", "polyline"):
            self._stack.append((tag, a.get("id")))
            if a.get("id"):
                self.ids[a["id"] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append((self._name, [r for r in self._rows if r]))
            self._rows = None
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self._stack:
            if ident:
                self.ids[ident] += data


def parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def table(doc: _Tables, name: str) -> list[list[str]]:
    found = [rows for n, rows in doc.tables if n == name]
    assert len(found) == 1, name
    return found[0]


def tables(doc: _Tables, name: str) -> list[list[list[str]]]:
    return [rows for n, rows in doc.tables if n == name]


def num(text: str, locale: str) -> Decimal:
    return Decimal(str(parse_decimal(text.replace("\u00a0", ""), locale=locale, strict=True)))


def row(rows: list[list[str]], label: str) -> list[str]:
    hits = [r for r in rows if r[0] == label]
    assert len(hits) == 1, (label, rows)
    return hits[0][1:]


def rm(x: float) -> Decimal:
    """The engine's value to the cent, half away from zero (written here, not the project's)."""
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def compressor() -> tuple[Scenario, ScenarioResult]:
    sc = load_scenario(EXAMPLES / "compressor.yaml")
    return sc, evaluate(sc)


@pytest.fixture(scope="module")
def cnc() -> tuple[Scenario, ScenarioResult]:
    sc = load_scenario(EXAMPLES / "cnc.yaml")
    return sc, evaluate(sc)


def raw(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


CASES = [("compressor", "en"), ("compressor", "de_DE"), ("cnc", "en"), ("cnc", "de_DE")]
LIFETIME = {"en": "Lifetime cost", "de_DE": "Lebenszykluskosten"}
SUMMARY_LIFETIME = {"en": "Lifetime cost (present value)", "de_DE": "Lebenszykluskosten (Barwert)"}


@pytest.mark.parametrize(("example", "locale"), CASES)
def test_lifetime_costs_shown_are_the_engine_numbers_rounded(example: str, locale: str) -> None:
    sc = load_scenario(EXAMPLES / f"{example}.yaml")
    result = evaluate(sc)
    doc = parse(render_html(sc, result, locale=locale))
    shown = row(table(doc, "summary"), SUMMARY_LIFETIME[locale])
    assert [num(c, locale) for c in shown] == [rm(o.lifetime_cost) for o in result.offers]
    eac = row(table(doc, "summary"), "Equivalent annual cost" if locale == "en" else
              "Äquivalente jährliche Kosten")  # fmt: skip
    assert [num(c, locale) for c in eac] == [rm(o.equivalent_annual_cost) for o in result.offers]


@pytest.mark.parametrize(("example", "locale"), CASES)
def test_category_table_adds_up_in_every_offer_column(example: str, locale: str) -> None:
    sc = load_scenario(EXAMPLES / f"{example}.yaml")
    result = evaluate(sc)
    rows = table(parse(render_html(sc, result, locale=locale)), "categories")
    body = rows[1:]
    total = row(rows, LIFETIME[locale])
    parts = [r[1:] for r in body if r[0] != LIFETIME[locale]]
    assert len(parts) >= 5
    html = render_html(sc, result, locale=locale)
    adds_up = True
    for k, offer in enumerate(result.offers):
        column = [num(p[k], locale) for p in parts]
        assert num(total[k], locale) == rm(offer.lifetime_cost)
        # each part is the engine's category value rounded once, never nudged
        engine = sorted(rm(v) for v in offer.by_category.values() if rm(v) != 0)
        assert sorted(v for v in column if v != 0) == engine
        adds_up = adds_up and sum(column, Decimal(0)) == num(total[k], locale)
    note = ROUNDING_NOTE[locale]
    assert (note in html) == (not adds_up)


@pytest.mark.parametrize(("example", "locale"), CASES)
def test_line_items_add_up_to_the_lifetime_cost(example: str, locale: str) -> None:
    sc = load_scenario(EXAMPLES / f"{example}.yaml")
    result = evaluate(sc)
    offers = tables(parse(render_html(sc, result, locale=locale)), "lines")
    assert len(offers) == len(result.offers)
    for rows, offer in zip(offers, result.offers, strict=True):
        lines, total = rows[1:-1], rows[-1]
        assert len(lines) == len(offer.lines)
        pvs = [num(r[-1], locale) for r in lines]
        assert num(total[-1], locale) == rm(offer.lifetime_cost)
        assert pvs == [rm(line.present_value) for line in offer.lines]  # rounded once each


def test_base_year_amounts_are_the_scenario_amounts(
    compressor: tuple[Scenario, ScenarioResult],
) -> None:
    sc, result = compressor
    rows = tables(parse(render_html(sc, result)), "lines")[0]
    data = raw("compressor")["offers"][0]["costs"]
    shown = {r[0]: r[3] for r in rows[1:-1] if r[3]}
    assert {c["name"]: num(shown[c["name"]], "en") for c in data} == {
        c["name"]: Decimal(c["amount"]) for c in data
    }


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_comparison_figures_are_the_engine_figures(
    cnc: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = cnc
    rows = table(parse(render_html(sc, result, locale=locale)), "comparison")
    others = [o for o in result.offers if o.id != result.comparison.baseline]
    base = next(o for o in result.offers if o.id == result.comparison.baseline)
    label = "Net savings" if locale == "en" else "Nettoeinsparung"
    savings = [num(c, locale) for c in row(rows, label)]
    for shown, o in zip(savings, others, strict=True):
        engine = result.comparison.offers[o.id].net_savings
        assert shown == rm(engine)  # the engine's figure rounded once, as in the JSON and CLI
        assert abs(shown - (rm(base.lifetime_cost) - rm(o.lifetime_cost))) <= CENT
    if locale == "en":
        ours = result.comparison.offers["ours"]
        assert row(rows, "Discounted payback year")[0] == str(ours.discounted_payback_year)
        assert row(rows, "Savings-to-investment ratio")[0] == f"{ours.sir:.2f}"
        airr = row(rows, "Adjusted internal rate of return")[0]
        assert airr.replace("\u00a0", " ") == f"{Decimal(repr(ours.airr * 100)).quantize(CENT)} %"
        assert row(rows, "Breakeven year (curves cross)")[0] == f"{ours.breakeven_year:.1f}"


def _text(html: str) -> str:
    return " ".join(parse(html).ids["headline"].replace("\u00a0", " ").split())


def test_headline_makes_the_lifetime_cost_argument(
    compressor: tuple[Scenario, ScenarioResult],
) -> None:
    sc, result = compressor
    data = raw("compressor")
    price = {o["id"]: Decimal(o["costs"][0]["amount"]) for o in data["offers"]}
    lcc = {o.id: rm(o.lifetime_cost) for o in result.offers}
    saving = lcc["competitor"] - lcc["ours"]
    payback = result.comparison.offers["ours"].discounted_payback_year
    text = _text(render_html(sc, result))
    assert text == (
        f"Over 10 years VSD compressor 37 kW with FullCare costs EUR {saving:,.2f} less than "
        f"Fixed-speed compressor 37 kW despite a EUR {price['ours'] - price['competitor']:,.2f} "
        f"higher price; it pays back in year {payback}."
    )


def test_headline_in_german(compressor: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = compressor
    lcc = {o.id: rm(o.lifetime_cost) for o in result.offers}
    saving = f"{lcc['competitor'] - lcc['ours']:,.2f}".replace(",", "X").replace(".", ",")
    text = _text(render_html(sc, result, locale="de_DE"))
    assert text.startswith("Über 10 Jahre kostet VSD compressor 37 kW with FullCare ")
    assert f"{saving.replace('X', '.')} EUR weniger als Fixed-speed compressor 37 kW" in text
    assert "12.500,00 EUR höheren Preises" in text


def _scenario(data: dict[str, Any]) -> tuple[Scenario, ScenarioResult]:
    sc = parse_scenario(data)
    return sc, evaluate(sc)


def test_headline_when_the_recommended_offer_is_also_cheaper_to_buy() -> None:
    data = raw("compressor")
    data["offers"][0]["costs"][0]["amount"] = 25000  # ours now cheaper to buy than 29,500
    sc, result = _scenario(data)
    assert result.comparison.recommended == "ours"
    text = _text(render_html(sc, result))
    assert "despite" not in text
    assert text.endswith("and is EUR 4,500.00 cheaper to buy.")


def test_headline_when_the_baseline_is_recommended() -> None:
    data = raw("compressor")
    data["baseline"] = "ours"
    sc, result = _scenario(data)
    lcc = {o.id: o.lifetime_cost for o in result.offers}
    text = _text(render_html(sc, result))
    # measured against the next-best offer, which has the same price: no payback needed
    assert text == (
        f"Over 10 years VSD compressor 37 kW with FullCare costs EUR "
        f"{rm(lcc['ours_basic'] - lcc['ours']):,.2f} less than VSD compressor 37 kW, no service "
        "plan, the next-best offer, at the same price."
    )


def test_headline_when_the_baseline_is_recommended_and_dearer_to_buy() -> None:
    data = raw("compressor")
    data["baseline"] = "ours"
    data["offers"] = [o for o in data["offers"] if o["id"] != "ours_basic"]
    sc, result = _scenario(data)
    text = _text(render_html(sc, result, locale="en"))
    assert "the next-best offer, despite a EUR 12,500.00 higher price; it pays back in year" in text
    again = evaluate(parse_scenario({**data, "baseline": "competitor"}))
    assert text.endswith(f"year {again.comparison.offers['ours'].discounted_payback_year}.")


def test_headline_for_a_single_offer() -> None:
    data = raw("compressor")
    data["offers"] = data["offers"][:1]
    data.pop("baseline")
    sc, result = _scenario(data)
    offer = result.offers[0]
    text = _text(render_html(sc, result))
    assert text == (
        "Over 10 years VSD compressor 37 kW with FullCare costs "
        f"EUR {rm(offer.lifetime_cost):,.2f} in total (present value), "
        f"EUR {rm(offer.equivalent_annual_cost):,.2f} a year."
    )
    assert "Comparison with the baseline" not in render_html(sc, result)


def test_german_number_format(compressor: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = compressor
    html = render_html(sc, result, locale="de_DE")
    ours = rm(result.offers[0].lifetime_cost)
    german = f"{ours:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert german in html
    assert f"{ours:,.2f}" not in html
    assert 'lang="de"' in html
    assert "Lebenszykluskosten nach Kategorie" in html
    assert "1. März 2025" in render_html(
        sc, result, locale="de_DE", info=QuoteInfo(issued=__import__("datetime").date(2025, 3, 1))
    )


def test_markup_in_names_is_escaped() -> None:
    data = copy.deepcopy(raw("compressor"))
    evil = "<script>alert(1)</script>"
    data["offers"][0]["name"] = f"Ours {evil}"
    data["offers"][1]["costs"][0]["name"] = f"Line {evil}"
    sc, result = _scenario(data)
    info = QuoteInfo(customer=f"ACME {evil}", seller=evil, title=evil, terms=evil, number=evil)
    html = render_html(sc, result, info=info)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("&lt;script&gt;") >= 8  # header, headline, tables, chart labels, lines


def test_charts_are_inline_svg_with_the_crossover_marked(
    cnc: tuple[Scenario, ScenarioResult],
) -> None:
    sc, result = cnc
    html = render_html(sc, result)
    assert html.count("<svg") == 2
    assert html.count("<polyline") == len(result.offers)
    assert html.count("<circle") == 1
    breakeven = result.comparison.offers["ours"].breakeven_year
    assert breakeven is not None
    assert f"Crossover: Year {breakeven:.1f}" in html
    assert "<script" not in html


def test_unknown_locale_is_refused(compressor: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = compressor
    with pytest.raises(LocaleError) as err:
        render_html(sc, result, locale="fr_FR")
    assert isinstance(err.value, TcoError)
    assert err.value.problems[0].path == "locale"
    assert "fr_FR" in str(err.value)


def test_cli_refuses_an_unknown_locale_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    res = CliRunner().invoke(
        app, ["evaluate", str(EXAMPLES / "compressor.yaml"), "--html", str(out), "--locale", "xx"]
    )
    assert res.exit_code == 2
    assert not out.exists()


def test_cli_writes_the_html(tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    res = CliRunner().invoke(
        app, ["evaluate", str(EXAMPLES / "cnc.yaml"), "--html", str(out), "--locale", "de_DE"]
    )
    assert res.exit_code == 0, res.output
    assert re.search(r"Über 20 Jahre kostet", out.read_text(encoding="utf-8"))


def test_unwritable_path_is_a_project_error(
    tmp_path: Path, compressor: tuple[Scenario, ScenarioResult]
) -> None:
    sc, result = compressor
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_document(sc, result, html=blocker / "q.html")
    assert list(tmp_path.iterdir()) == [blocker]


# --------------------------------------------------------------------------------------------
# Paybacks under contract version 2: reversals, offers that add no investment


def _cnc_expectation(result: ScenarioResult) -> tuple[int, int, int, str]:
    """The discounted payback, dearer-again and cheaper-again years of 'ours' (the engine's),
    and the name of our one-time line falling in the dearer-again year (the scenario file's)."""
    ours = result.comparison.offers["ours"]
    years = (
        ours.discounted_payback_year,
        ours.savings_negative_again_year,
        ours.savings_recovered_year,
    )
    assert years == (8, 10, 13)  # examples/cnc.yaml: the spindle replacement in year 10
    (line,) = [
        c["name"]
        for c in raw("cnc")["offers"][0]["costs"]
        if c.get("year") == years[1] and c["amount"] > 0
    ]
    return years[0], years[1], years[2], line


def test_cnc_headline_states_the_payback_and_its_reversal(
    cnc: tuple[Scenario, ScenarioResult],
) -> None:
    sc, result = cnc
    payback, again, recovered, line = _cnc_expectation(result)
    text = _text(render_html(sc, result))
    assert text.endswith(
        f"; it pays back in year {payback}; after the {line} in year {again} it is dearer again "
        f"until year {recovered}."
    )
    assert line == "Spindle replacement"


def test_cnc_headline_states_the_reversal_in_german(cnc: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = cnc
    payback, again, recovered, line = _cnc_expectation(result)
    text = _text(render_html(sc, result, locale="de_DE"))
    assert text.endswith(
        f"; es amortisiert sich im Jahr {payback}; nach der Position „{line}“ im Jahr {again} "
        f"ist es bis zum Jahr {recovered} wieder teurer."
    )


REVERSAL_ROWS = {
    "en": ("Discounted payback year", "Dearer again from year", "Cheaper again from year"),
    "de_DE": ("Amortisationsjahr (dynamisch)", "Wieder teurer ab Jahr", "Wieder günstiger ab Jahr"),
}


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_every_payback_row_is_accompanied_by_the_reversal_rows(
    cnc: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = cnc
    doc = parse(render_html(sc, result, locale=locale))
    baseline = "baseline" if locale == "en" else "Referenz"
    payback, dearer, cheaper = REVERSAL_ROWS[locale]
    summary = table(doc, "summary")  # ours, competitor (baseline), keep_old
    assert row(summary, payback) == ["8", baseline, "–¹"]
    assert row(summary, dearer) == ["10", baseline, "–"]
    assert row(summary, cheaper) == ["13", baseline, "–"]
    comparison = table(doc, "comparison")  # ours, keep_old
    simple = "Simple payback year" if locale == "en" else "Amortisationsjahr (statisch)"
    assert row(comparison, simple) == [str(result.comparison.offers["ours"].simple_payback_year),
                                       "–¹"]  # fmt: skip
    assert row(comparison, payback) == ["8", "–¹"]
    assert row(comparison, dearer) == ["10", "–"]
    assert row(comparison, cheaper) == ["13", "–"]


def test_no_payback_year_for_an_offer_that_adds_no_investment(
    cnc: tuple[Scenario, ScenarioResult],
) -> None:
    """keep_old invests less than the competitor (the baseline): nothing to pay back. The
    document shows "–¹" and says why, never "0"."""
    sc, result = cnc
    keep = result.comparison.offers["keep_old"]
    assert keep.sir is None
    assert keep.discounted_payback_year is None
    for locale, note in (
        ("en", "–¹ No added investment (installation, replacements and residual values counted): "
               "nothing to pay back."),
        ("de_DE", "–¹ Keine Mehrinvestition (Installation, Ersatz und Restwerte eingerechnet): "
                  "nichts zu amortisieren."),
    ):  # fmt: skip
        html = render_html(sc, result, locale=locale)
        doc = parse(html)
        for name in ("summary", "comparison"):
            cells = [c for r in table(doc, name) if r[0] in REVERSAL_ROWS[locale] for c in r[1:]]
            assert "0" not in cells
        assert html.count(note) == 2  # below the summary and below the comparison


REVERSAL: dict[str, Any] = {
    # Eight years, no discounting. Ours: 10,000 and 1,000 a year, a 6,000 overhaul in year 4;
    # the competitor: 6,000 and 2,500 a year; keeping the old machine: 3,200 a year.
    # Cumulative savings of ours: -4000, -2500, -1000, 500 (pays back in 3), -4000 (dearer again
    # in 4), -2500, -1000, 500 (cheaper again in 7), 2000.
    "assumptions": {"currency": "EUR", "study_period_years": 8, "discount_rate": 0.0},
    "baseline": "competitor",
    "offers": [
        {
            "id": "ours",
            "name": "Ours",
            "costs": [
                {"name": "Machine", "category": "acquisition", "amount": 10000, "year": 0},
                {"name": "Energy", "category": "energy", "amount": 1000, "every_years": 1},
                {"name": "Overhaul", "category": "maintenance", "amount": 6000, "year": 4},
            ],
        },
        {
            "id": "competitor",
            "name": "Theirs",
            "costs": [
                {"name": "Machine", "category": "acquisition", "amount": 6000, "year": 0},
                {"name": "Energy", "category": "energy", "amount": 2500, "every_years": 1},
            ],
        },
        {
            "id": "keep_old",
            "name": "Keep",
            "costs": [{"name": "Energy", "category": "energy", "amount": 3200, "every_years": 1}],
        },
    ],
}


def _reversal(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(REVERSAL)
    for path, value in changes.items():
        offer, line = (int(x) for x in path.split("_")[1:])
        data["offers"][offer]["costs"][line] = value
    return data


def test_the_cause_of_a_reversal_is_named_only_when_one_line_explains_it() -> None:
    sc, result = _scenario(REVERSAL)
    assert _text(render_html(sc, result)).endswith(
        "despite a EUR 4,000.00 higher price; it pays back in year 3; after the Overhaul in "
        "year 4 it is dearer again until year 7."
    )
    # two overhauls of 3,000 in year 4: neither alone explains the shortfall of 4,000
    data = copy.deepcopy(REVERSAL)
    data["offers"][0]["costs"][2:] = [
        {"name": "Overhaul A", "category": "maintenance", "amount": 3000, "year": 4},
        {
            "name": "Overhaul B",
            "category": "maintenance",
            "amount": 3000,
            "every_years": 4,
            "until_year": 4,
        },
    ]
    sc, result = _scenario(data)
    assert result.comparison.offers["ours"].savings_negative_again_year == 4
    text = _text(render_html(sc, result))
    assert text.endswith("it pays back in year 3; in year 4 it is dearer again until year 7.")
    assert "Overhaul" not in text
    assert _text(render_html(sc, result, locale="de_DE")).endswith(
        "es amortisiert sich im Jahr 3; ab dem Jahr 4 ist es bis zum Jahr 7 wieder teurer."
    )


def test_a_credit_of_the_baseline_can_be_the_cause() -> None:
    """Ours without its overhaul, the competitor with a trade-in credit of 6,000 in year 4."""
    data = copy.deepcopy(REVERSAL)
    del data["offers"][0]["costs"][2]
    data["offers"][1]["costs"].append(
        {"name": "Trade-in credit", "category": "end_of_life", "amount": -6000, "year": 4}
    )
    sc, result = _scenario(data)
    assert result.comparison.offers["ours"].savings_negative_again_year == 4
    assert _text(render_html(sc, result)).endswith(
        "it pays back in year 3; after the Trade-in credit of Theirs in year 4 it is dearer again "
        "until year 7."
    )


def test_a_reversal_that_does_not_recover_is_shown_to_the_end() -> None:
    """A 20,000 overhaul: ours is dearer from year 4 to the end. Keeping the old machine is
    then recommended; it is cheaper to buy and adds no investment, so no payback is claimed."""
    data = copy.deepcopy(REVERSAL)
    data["offers"][0]["costs"][2]["amount"] = 20000
    sc, result = _scenario(data)
    ours = result.comparison.offers["ours"]
    assert (ours.discounted_payback_year, ours.savings_negative_again_year) == (3, 4)
    assert ours.savings_recovered_year is None
    assert result.comparison.recommended == "keep_old"
    text = _text(render_html(sc, result))
    assert text == (
        "Over 8 years Keep costs EUR 400.00 less than Theirs and is EUR 6,000.00 cheaper to buy."
    )
    assert "pay" not in text
    for locale, cells in (("en", ["4", "not by year 8"]), ("de_DE", ["4", "nicht bis Jahr 8"])):
        doc = parse(render_html(sc, result, locale=locale))
        _, dearer, cheaper = REVERSAL_ROWS[locale]
        rows = table(doc, "comparison")  # ours, keep_old
        assert [row(rows, dearer)[0], row(rows, cheaper)[0]] == cells
        assert row(rows, dearer)[1] == row(rows, cheaper)[1] == "–"


def test_the_headline_claims_no_payback_for_a_dearer_offer_that_adds_no_investment() -> None:
    """Ours costs EUR 4,000 more to buy but the competitor needs a 10,000 replacement in year
    0: counted with it, ours adds no investment."""
    data = copy.deepcopy(REVERSAL)
    del data["offers"][0]["costs"][2]
    data["offers"][1]["costs"].append(
        {"name": "Rebuild", "category": "replacement", "amount": 10000, "year": 0}
    )
    sc, result = _scenario(data)
    ours = result.comparison.offers["ours"]
    assert (ours.sir, ours.discounted_payback_year) == (None, None)
    assert _text(render_html(sc, result)).endswith(
        "despite a EUR 4,000.00 higher price; counting installation, replacements and residual "
        "values it adds no investment, so there is nothing to pay back."
    )
    german = _text(render_html(sc, result, locale="de_DE"))
    assert german.endswith("es gibt also nichts zu amortisieren.")
    assert "amortisiert sich" not in german


def test_an_offer_that_never_pays_back_is_marked_and_explained() -> None:
    data = copy.deepcopy(REVERSAL)
    del data["offers"][0]["costs"][2]
    data["offers"][0]["costs"][0]["amount"] = 30000  # 24,000 more, 1,500 a year back
    sc, result = _scenario(data)
    assert result.comparison.offers["ours"].discounted_payback_year is None
    html = render_html(sc, result)
    assert row(table(parse(html), "comparison"), "Discounted payback year") == ["–²", "–¹"]
    assert "–² Does not pay back within the 8-year study period." in html
    assert "Dearer again from year" not in html  # no offer reverses: no reversal rows


# --------------------------------------------------------------------------------------------
# Coverage: warranties and service-plan terms


@pytest.fixture(scope="module")
def pump() -> tuple[Scenario, ScenarioResult]:
    sc = load_scenario(EXAMPLES / "pump.yaml")
    return sc, evaluate(sc)


class _Strip(HTMLParser):
    """Cover id -> (rows of the terms table, {year: key} of the coverage strip, notes)."""

    def __init__(self) -> None:
        super().__init__()
        self.covers: dict[str, tuple[list[list[str]], dict[str, str], list[str]]] = {}
        self._cover: str | None = None
        self._table = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._years: list[str] = []
        self._note: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        ident = a.get("id") or ""
        if tag == "div" and ident.startswith("cover-"):
            self._cover, self._depth = ident.removeprefix("cover-"), 0
            self.covers[self._cover] = ([], {}, [])
        if self._cover is None:
            return
        if tag == "div":
            self._depth += 1
        elif tag == "table":
            self._table = a.get("class") or ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p":
            self._note = []

    def handle_endtag(self, tag: str) -> None:
        if self._cover is None:
            return
        terms, strip, notes = self.covers[self._cover]
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._table == "terms":
                terms.append(self._row)
            elif self._row[1:] and self._row[0] in ("Year", "Jahr"):
                self._years = self._row[1:]
            else:
                strip.update((y, k) for y, k in zip(self._years, self._row[1:], strict=True) if y)
            self._row = None
        elif tag == "p" and self._note is not None:
            notes.append(" ".join("".join(self._note).replace("\u00a0", " ").split()))
            self._note = None
        elif tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._cover = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def covers(html: str) -> dict[str, tuple[list[list[str]], dict[str, str], list[str]]]:
    p = _Strip()
    p.feed(html)
    return p.covers


def test_pump_coverage_from_the_scenario_periods(pump: tuple[Scenario, ScenarioResult]) -> None:
    """The five-year plan covers years 1-5 of the 15-year study and no more."""
    sc, result = pump
    data = raw("pump")
    periods = data["offers"][0]["failures"]["periods"]
    n = data["assumptions"]["study_period_years"]
    covered = {y for p in periods for y in range(p["from_year"], p["until_year"] + 1)}
    assert covered == set(range(1, 6))
    assert n == 15
    html = render_html(sc, result)
    assert "Warranty and service cover" in html
    found = covers(html)
    assert set(found) == {"ours", "competitor"}  # both have periods
    terms, strip, notes = found["ours"]
    assert terms[0] == [
        "Cover", "Years", "Repairs covered", "Downtime per failure", "Buyer's cost per repair order"
    ]  # fmt: skip
    assert [r[0] for r in terms[1:]] == [
        f"{k} {p['name']}" for k, p in zip("AB", periods, strict=True)
    ]
    assert [r[1] for r in terms[1:]] == [f"{p['from_year']}–{p['until_year']}" for p in periods]
    assert [r[2] for r in terms[1:]] == ["100 %", "100 %"]
    assert [r[3] for r in terms[1:]] == ["12 h", "12 h"]
    assert strip == {
        str(y): ("A" if y <= 2 else "B") if y in covered else "–" for y in range(1, n + 1)
    }
    assert "Covered in years 1–5 of the 15-year study period; not covered in years 6–15." in notes
    assert (
        "Outside these terms: repairs covered 0 %, downtime per failure 30 h, buyer's cost per "
        "repair order EUR 195.00." in notes
    )
    _, their_strip, their_notes = found["competitor"]
    assert [y for y, k in their_strip.items() if k != "–"] == ["1"]
    assert (
        "Covered in year 1 of the 15-year study period; not covered in years 2–15." in their_notes
    )


def test_pump_coverage_in_german(pump: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = pump
    found = covers(render_html(sc, result, locale="de_DE"))
    terms, strip, notes = found["ours"]
    assert terms[0][:3] == ["Abdeckung", "Jahre", "Reparaturen gedeckt"]
    assert [k for _, k in sorted(strip.items(), key=lambda kv: int(kv[0]))] == (
        ["A"] * 2 + ["B"] * 3 + ["–"] * 10
    )
    assert (
        "Abgedeckt in den Jahren 1–5 des 15-jährigen Betrachtungszeitraums; nicht abgedeckt in "
        "den Jahren 6–15." in notes
    )


def quote_terms() -> tuple[CoverageTerm, ...]:
    plan: dict[str, Any] = {
        "offer_id": "ours",
        "kind": "service_plan",
        "name": "Vollwartung",
        "code": "FULLCARE",
        "repair_covered": 1.0,
        "maintenance_covered": 0.5,
        "response_hours": 8,
        "downtime_hours": 12,
        "uptime_promise": 0.985,
        "annual_fee": Decimal("2900"),
    }
    return (
        CoverageTerm(offer_id="ours", kind="warranty", name="Herstellergarantie", from_year=1,
                     until_year=2, repair_covered=1.0),
        CoverageTerm(**plan, from_year=1, until_year=5),
        CoverageTerm(**plan, renewal=1, from_year=6, until_year=10),
    )  # fmt: skip


def test_the_quote_coverage_terms_are_shown_with_renewals_and_years(
    pump: tuple[Scenario, ScenarioResult],
) -> None:
    """A quote's terms replace the scenario's periods; where two terms cover a year, both keys."""
    sc, result = pump
    html = render_html(sc, result, info=QuoteInfo(coverage=quote_terms()))
    found = covers(html)
    assert set(found) == {"ours"}  # the competitor has no term in the quote
    terms, strip, notes = found["ours"]
    assert terms[0] == [
        "Cover", "Years", "Repairs covered", "Maintenance covered", "Response time",
        "Downtime per failure", "Uptime promise", "Annual fee (base year)",
    ]  # fmt: skip
    assert terms[1:] == [
        ["A Herstellergarantie Warranty", "1–2", "100 %", "0 %", "–", "–", "–", "–"],
        ["B Vollwartung Service plan", "1–5", "100 %", "50 %", "8 h", "12 h",
         "98.5 %", "EUR 2,900.00"],
        ["C Vollwartung (renewal 1) Service plan", "6–10", "100 %", "50 %", "8 h",
         "12 h", "98.5 %", "EUR 2,900.00"],
    ]  # fmt: skip
    want = {str(y): "A+B" if y <= 2 else "B" if y <= 5 else "C" if y <= 10 else "–"
            for y in range(1, 16)}  # fmt: skip
    assert strip == want
    assert "Covered in years 1–10 of the 15-year study period; not covered in years 11–15." in notes
    german = covers(render_html(sc, result, locale="de_DE", info=QuoteInfo(coverage=quote_terms())))
    g_terms, _, _ = german["ours"]
    assert g_terms[3][0] == "C Vollwartung (Verlängerung 1) Serviceplan"
    assert g_terms[1][0] == "A Herstellergarantie Garantie"


def test_the_buyer_effort_note(compressor: tuple[Scenario, ScenarioResult]) -> None:
    sc, result = compressor
    en = "The buyer's own procurement effort (raising purchase and repair orders) is not counted "
    de = "Der eigene Beschaffungsaufwand des Käufers (Bestell- und Reparaturaufträge) ist in "
    off = QuoteInfo(buyer_effort_counted=False)
    assert en in _plain(render_html(sc, result, info=off))
    assert de in _plain(render_html(sc, result, locale="de_DE", info=off))
    assert "procurement effort" not in render_html(sc, result)
    assert "Beschaffungsaufwand" not in render_html(sc, result, locale="de_DE", info=QuoteInfo())


def _plain(html: str) -> str:
    return " ".join(html.replace("\u00a0", " ").replace("&#39;", "'").split())


def _user_texts(sc: Scenario, info: QuoteInfo) -> list[str]:
    texts = [o.title for o in sc.offers] + [o.id for o in sc.offers]
    texts += [c.name for o in sc.offers for c in o.costs]
    texts += [p.name for o in sc.offers if o.failures for p in o.failures.periods]
    texts += [t.name for t in info.coverage]
    return sorted(set(texts), key=len, reverse=True)


#: English labels and sentences the German document must not show (added with contract v2).
ENGLISH_SINCE_V2 = (
    "Dearer again", "Cheaper again", "dearer again", "Warranty and service cover", "Cover",
    "Covered", "not covered", "Years", "Repairs covered", "Maintenance covered",
    "Response time", "Downtime per failure", "Uptime promise", "Annual fee", "renewal",
    "Service plan", "Warranty", "not by year", "No added investment", "pay back",
    "pays back", "procurement effort", "coverage terms", "outside",
)  # fmt: skip


@pytest.mark.parametrize("example", ["cnc", "pump"])
def test_no_english_labels_in_german_documents(example: str) -> None:
    sc = load_scenario(EXAMPLES / f"{example}.yaml")
    result = evaluate(sc)
    for info in (QuoteInfo(), QuoteInfo(coverage=quote_terms(), buyer_effort_counted=False)):
        text = _plain(re.sub(r"<[^>]+>", " ", render_html(sc, result, locale="de_DE", info=info)))
        for user in _user_texts(sc, info):
            text = text.replace(user, " ")
        found = [w for w in ENGLISH_SINCE_V2 if re.search(rf"\b{re.escape(w)}\b", text)]
        assert not found, found
    # every sentence exists in both languages
    assert set(SENTENCES["de"]) == set(SENTENCES["en"])


# --------------------------------------------------------------------------------------------
# What a printed offer needs: nothing overprints, the axes are whole, the header is filled in

#: Long offer names, as sellers write them.
LONG_NAMES = (
    "VSD compressor 37 kW with FullCare premium service and remote monitoring",
    "VSD compressor 37 kW, no service plan, customer maintains",
    "Fixed-speed compressor 37 kW from the incumbent supplier",
    "Oil-free scroll compressor 37 kW with heat recovery package",
    "Refurbished fixed-speed compressor 37 kW, six-month warranty",
    "Two-stage VSD compressor 37 kW with extended warranty",
    "Leased VSD compressor 37 kW, full service lease",
    "Keep the existing compressor and overhaul it",
)


def many_offers(count: int, years: int = 15) -> dict[str, Any]:
    """The compressor scenario with ``count`` offers of long names (variations of its three)."""
    data = raw("compressor")
    offers = []
    for i in range(count):
        offer = copy.deepcopy(data["offers"][i % 3])
        offer["id"] = f"offer_{i + 1}"
        offer["name"] = LONG_NAMES[i % len(LONG_NAMES)] + (f" ({i + 1})" if i >= 8 else "")
        for line in offer["costs"]:
            if line["category"] == "acquisition":
                line["amount"] = round(line["amount"] * (0.8 + 0.07 * i))
            if line["category"] == "energy":
                line["amount"] = round(line["amount"] * (1.05 - 0.02 * i))
        offers.append(offer)
    data["offers"] = offers
    data["baseline"] = "offer_3" if count >= 3 else "offer_2"
    data["assumptions"]["study_period_years"] = years
    return data


# Text geometry, measured independently of the document code: the advance widths of DejaVu Sans
# (the font the PDF is set in) from the font files, a line's height from its font size.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu")
TEXT_ASCENT, TEXT_DESCENT = 0.76, 0.24


@functools.cache
def _font(bold: bool) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            font = TTFont(str(path))
            hmtx = font["hmtx"]
            advances = {c: hmtx[g][0] for c, g in font.getBestCmap().items()}
            return advances, int(font["head"].unitsPerEm)
    pytest.skip("DejaVu Sans is not installed; `make system` installs fonts-dejavu-core")


def measure(text: str, size: float, bold: bool = False) -> float:
    advances, em = _font(bold)
    return size * sum(advances.get(ord(c), em) for c in text) / em


Rect = tuple[float, float, float, float]
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(markup: str) -> Iterator[tuple[str, Rect]]:
    """Every text of an SVG chart and the box it takes (x0, y0, x1, y1), upright ones too."""
    root = ET.fromstring(str(markup))
    for el in root.iter(f"{SVG}text"):
        text = el.text or ""
        x, y = float(el.get("x", "0")), float(el.get("y", "0"))
        size = float(el.get("font-size", "10"))
        w = measure(text, size, el.get("font-weight") == "bold")
        anchor = el.get("text-anchor", "start")
        x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
        box = (x0, y - TEXT_ASCENT * size, x0 + w, y + TEXT_DESCENT * size)
        turn = re.fullmatch(r"rotate\((\S+) (\S+) (\S+)\)", el.get("transform", ""))
        if turn:  # rotate(-90 x y): the text runs upwards from (x, y)
            assert float(turn[1]) == -90
            assert (float(turn[2]), float(turn[3])) == (x, y)
            box = (x - TEXT_ASCENT * size, y - w, x + TEXT_DESCENT * size, y)
        yield text, box


def svg_size(markup: str) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in ET.fromstring(str(markup)).get("viewBox", "").split())
    return w, h


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def crosses(box: Rect, p: tuple[float, float], q: tuple[float, float]) -> bool:
    """Whether the segment p-q passes through the box (sampled finely along the segment)."""
    steps = max(int(math.dist(p, q) / 0.25), 1)
    for k in range(steps + 1):
        x = p[0] + (q[0] - p[0]) * k / steps
        y = p[1] + (q[1] - p[1]) * k / steps
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            return True
    return False


def _charts(view: DocumentView) -> list[str]:
    return [str(view.bar_chart), str(view.line_chart)]


@pytest.mark.parametrize("locale", ["en", "de_DE"])
@pytest.mark.parametrize("count", [2, 3, 8, 20, 50])
def test_no_two_texts_of_a_chart_overlap_and_none_is_cut_off(count: int, locale: str) -> None:
    sc, result = _scenario(many_offers(count))
    view = build_view(sc, result, locale=locale)
    for chart in _charts(view):
        texts = list(svg_texts(chart))
        width, height = svg_size(chart)
        for i, (a, box_a) in enumerate(texts):
            assert overlap(box_a, (0, 0, width, height)), a
            assert box_a == (max(box_a[0], 0), max(box_a[1], 0), min(box_a[2], width), min(box_a[3], height)), a  # fmt: skip
            for b, box_b in texts[i + 1 :]:
                assert not overlap(box_a, box_b), (a, b)
        assert not any("…" in t for t, _ in texts)  # nothing cut short
    # every offer is named below its bar, or by a key that the document explains
    bar_labels = [t for t, _ in svg_texts(str(view.bar_chart))]
    html = _plain(render_html(sc, result, locale=locale))
    for i, offer in enumerate(result.offers):
        if count <= 3:
            assert " ".join(offer.name.split()[:2]) in " ".join(bar_labels)
        else:
            assert str(i + 1) in bar_labels
            assert f"{i + 1}</span>{offer.name}" in html


@pytest.mark.parametrize("locale", ["en", "de_DE"])
@pytest.mark.parametrize("case", ["cnc", "compressor", "pump", "eight"])
def test_the_crossover_label_covers_no_curve(case: str, locale: str) -> None:
    data = many_offers(8) if case == "eight" else raw(case)
    sc, result = _scenario(data)
    chart = str(build_view(sc, result, locale=locale).line_chart)
    root = ET.fromstring(chart)
    (rect,) = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "crossover-label"]
    x, y = float(rect.get("x", "")), float(rect.get("y", ""))
    box = (x, y, x + float(rect.get("width", "")), y + float(rect.get("height", "")))
    curves = [
        [tuple(float(v) for v in point.split(",")) for point in line.get("points", "").split()]
        for line in root.iter(f"{SVG}polyline")
    ]
    assert len(curves) == len(result.offers)
    for points in curves:
        for p, q in itertools.pairwise(points):
            assert not crosses(box, (p[0], p[1]), (q[0], q[1])), (box, p, q)
    # its text sits inside its box
    (label,) = [b for t, b in svg_texts(chart) if t.startswith(("Crossover", "Schnittpunkt"))]
    assert (box[0], box[1]) <= (label[0], label[1])
    assert (label[2], label[3]) <= (box[2], box[3])


def year_ticks_shown(chart: str) -> list[int]:
    root = ET.fromstring(chart)
    return [
        int(el.text or "")
        for el in root.iter(f"{SVG}text")
        if el.get("text-anchor") == "middle" and el.get("font-size") == "9"
    ]


@pytest.mark.parametrize("years", [1, 5, 10, 12, 15, 17, 20, 21, 23, 25, 40, 97, 100])
def test_the_year_axis_runs_from_year_0_to_year_n(years: int) -> None:
    data = raw("compressor")
    data["assumptions"]["study_period_years"] = years
    data["assumptions"]["escalation"]["labor"] = 0.03
    for offer in data["offers"]:
        offer["costs"] = [c for c in offer["costs"] if "until_year" not in c]
    sc, result = _scenario(data)
    ticks = year_ticks_shown(str(build_view(sc, result).line_chart))
    assert (ticks[0], ticks[-1]) == (0, years), ticks
    assert ticks == sorted(set(ticks))
    assert 2 <= len(ticks) <= 16
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    if years % (ticks[1] - ticks[0]) == 0:
        assert len(steps) == 1, ticks  # evenly spaced where a step divides the study period


FULL_HEADER = QuoteInfo(
    number="Q-2026-00042",
    version=2,
    customer="Berger Werkzeugbau AG",
    seller="Jonas Keller",
    issued=date(2026, 4, 15),
    valid_until=date(2026, 5, 15),
)
#: The header as printed, two fields to a line (the quote and the people left, dates right).
HEADERS = {
    "en": (
        ("Quote", "Q-2026-00042, version 2"),
        ("Prepared on", "April 15, 2026"),
        ("Prepared for", "Berger Werkzeugbau AG"),
        ("Valid until", "May 15, 2026"),
        ("Prepared by", "Jonas Keller"),
    ),
    "de_DE": (
        ("Angebot", "Q-2026-00042, Version 2"),
        ("Erstellt am", "15. April 2026"),
        ("Erstellt für", "Berger Werkzeugbau AG"),
        ("Gültig bis", "15. Mai 2026"),
        ("Erstellt von", "Jonas Keller"),
    ),
}


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_the_header_says_for_whom_by_whom_on_which_day_and_until_when(
    compressor: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = compressor
    expected = HEADERS[locale]
    assert build_view(sc, result, locale=locale, info=FULL_HEADER).header == expected
    header = _plain(parse(render_html(sc, result, locale=locale, info=FULL_HEADER)).ids["header"])
    assert header == " ".join(f"{k} {v}" for k, v in expected)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Prepared for no customer named Prepared on April 15, 2026 Prepared by no seller"),
        ("de_DE", "Erstellt für kein Kunde angegeben Erstellt am 15. April 2026 Erstellt von kein"),
    ],
)
def test_a_header_without_customer_or_seller_says_so(
    compressor: tuple[Scenario, ScenarioResult], locale: str, expected: str
) -> None:
    sc, result = compressor
    info = QuoteInfo(issued=date(2026, 4, 15), valid_until=date(2026, 5, 15))
    header = _plain(parse(render_html(sc, result, locale=locale, info=info)).ids["header"])
    assert header.startswith(expected)
    # a document that belongs to no quote (no header fields at all) has no header
    assert 'id="header"' not in render_html(sc, result, locale=locale)


def _parts(doc: _Tables, name: str) -> list[list[list[str]]]:
    found = [rows for n, rows in doc.tables if n == name or re.fullmatch(rf"{name}-\d+", n)]
    assert found, name
    return found


@pytest.mark.parametrize("count", [2, 3, 5, 8, 12])
def test_tables_of_many_offers_are_split_into_tables_that_fit_a4(count: int) -> None:
    sc, result = _scenario(many_offers(count))
    view = build_view(sc, result)
    doc = parse(render_html(sc, result))
    names = [o.name for o in result.offers]
    for name, parts, rows in (
        ("summary", view.summary_parts, view.summary),
        ("categories", view.category_parts, (*view.categories, view.category_total)),
        ("comparison", view.comparison_parts, view.comparison),
    ):
        tables = _parts(doc, name)
        assert len(tables) == len(parts)
        heads = [c for part in parts for c in part.columns]
        shown = names if name != "comparison" else [n for o, n in zip(result.offers, names, strict=True) if o.id != "offer_3" and o.id != result.comparison.baseline]  # fmt: skip
        assert [c.name for c in heads] == shown
        for k, row in enumerate(rows):  # every figure is in one of the parts, in order
            assert [c for part in parts for c in part.rows[k].cells] == list(row.cells)
            assert all(t[k + 1][0] == row.label for t in tables)
        for part in parts:
            assert len(part.columns) <= 4
            # each offer's column is as wide as its widest figure and its names' longest word
            share = float(part.width[:-1]) * float(part.column_width[:-1]) / 1e4
            column_mm = 182 * share - 3
            for row in part.rows:
                for cell in row.cells:
                    assert measure(cell, 9 * 25.4 / 72, row.strong) <= column_mm, cell
            for column in part.columns:
                for word in column.name.split():
                    assert measure(word, 9 * 25.4 / 72, True) <= column_mm, word
    if count <= 3:
        assert len(view.summary_parts) == 1
        assert view.summary_parts[0].width == "100.00%"


def test_offer_ids_are_shown_only_where_names_repeat() -> None:
    data = raw("compressor")
    sc, result = _scenario(data)
    html = render_html(sc, result)
    assert 'class="oid"' not in html
    data["offers"][1]["name"] = data["offers"][0]["name"]
    sc, result = _scenario(data)
    # in the summary, the categories and the comparison with the baseline
    assert render_html(sc, result).count('<span class="oid">ours</span>') == 3


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "No baseline offer was given; VSD compressor 37 kW with FullCare (the first "
                "offer) is used.",
                "3 escalation rates of labor are given for a 2-year study period; those after "
                "year 2 are not used.",
                "The line Airend overhaul of VSD compressor 37 kW with FullCare falls in no year "
                "of the study period; it adds nothing.",
            ],
        ),
        (
            "de_DE",
            [
                "Es wurde kein Referenzangebot angegeben; VSD compressor 37 kW with FullCare (das "
                "erste Angebot) dient als Referenz.",
                "Für Arbeit sind 3 Teuerungsraten bei einem Betrachtungszeitraum von 2 Jahren "
                "angegeben; die Raten nach dem Jahr 2 werden nicht verwendet.",
                "Die Position Airend overhaul von VSD compressor 37 kW with FullCare fällt in kein "
                "Jahr des Betrachtungszeitraums; sie trägt nichts bei.",
            ],
        ),
    ],
)
def test_the_engine_notes_are_in_the_documents_language(locale: str, expected: list[str]) -> None:
    data = raw("compressor")
    del data["baseline"]
    data["assumptions"]["study_period_years"] = 2
    for offer in data["offers"]:
        del offer["costs"][4]["until_year"]  # Airend overhaul, every 5 years: in no year of 2
    sc, result = _scenario(data)
    assert len(result.issues) >= 3
    notes = build_view(sc, result, locale=locale).notes
    for sentence in expected:
        assert sentence in notes
    assert not any("offers[" in n or "assumptions." in n for n in notes)


#: English words a German document with a full header must not show (besides the user's names).
ENGLISH_IN_THE_FRAME = (
    "Prepared", "customer", "seller", "Valid", "version", "credit in year", "every year",
    "once", "expected", "then", "a year", "Present values", "discount rate", "This quote",
    "Lifetime costs", "Engine", "curves", "cross", "Year",
)  # fmt: skip


@pytest.mark.parametrize("example", ["compressor", "cnc", "pump"])
def test_no_english_words_in_the_frame_of_a_german_document(example: str) -> None:
    sc = load_scenario(EXAMPLES / f"{example}.yaml")
    result = evaluate(sc)
    for info in (FULL_HEADER, QuoteInfo(issued=date(2026, 4, 15))):
        html = render_html(sc, result, locale="de_DE", info=info)
        text = _plain(re.sub(r"<[^>]+>", " ", html.split("<body>")[1]))
        for user in _user_texts(sc, info):
            text = text.replace(user, " ")
        text = re.sub(r"\b(energy|labor|parts)\b", " ", text)  # the scenario's escalation drivers
        found = [w for w in ENGLISH_IN_THE_FRAME if re.search(rf"\b{re.escape(w)}\b", text)]
        assert not found, found

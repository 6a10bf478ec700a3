"""The quote document (HTML): the numbers shown are the engine's, rounded, and they add up.

Expected values come from the engine's unrounded results (rounded here with round_money) or from
the scenario files themselves, never from the document code's own output.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.numbers import parse_decimal
from typer.testing import CliRunner

from tco.cli import app
from tco.errors import TcoError
from tco.money import round_money
from tco.render.document import render_html, write_document
from tco.render.files import OutputError
from tco.render.info import QuoteInfo
from tco.render.locale import LocaleError
from tco.results import ScenarioResult, evaluate
from tco.scenario import Scenario, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CENT = Decimal("0.01")


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
    return round_money(x, "EUR")


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
    for k, offer in enumerate(result.offers):
        column = [num(p[k], locale) for p in parts]
        assert sum(column, Decimal(0)) == num(total[k], locale)
        assert num(total[k], locale) == rm(offer.lifetime_cost)
        # each part is the engine's category value, rounded, moved by at most one cent
        engine = sorted(rm(v) for v in offer.by_category.values() if rm(v) != 0)
        shown = sorted(v for v in column if v != 0)
        assert len(shown) == len(engine)
        assert all(abs(a - b) <= CENT for a, b in zip(shown, engine, strict=True))


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
        assert sum(pvs, Decimal(0)) == num(total[-1], locale) == rm(offer.lifetime_cost)
        for shown, line in zip(pvs, offer.lines, strict=True):
            assert abs(shown - rm(line.present_value)) <= CENT


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
        assert abs(shown - rm(engine)) <= CENT
        assert shown == rm(base.lifetime_cost) - rm(o.lifetime_cost)
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
    lcc = {o.id: rm(o.lifetime_cost) for o in result.offers}
    text = _text(render_html(sc, result))
    # measured against the next-best offer, which has the same price: no payback needed
    assert text == (
        f"Over 10 years VSD compressor 37 kW with FullCare costs EUR "
        f"{lcc['ours_basic'] - lcc['ours']:,.2f} less than VSD compressor 37 kW, no service "
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

"""One place for words: the gettext catalogs of tco/presenters/locales (docs/i18n.md).

The catalogs are complete (every msgid of the template has a German translation, none fuzzy,
placeholders and strong marks kept), the template is what ``make messages`` extracts from the
code and templates today, every msgid the outputs ask for is in the catalog, and German
documents, workbooks, terminal tables and web pages show no English label of the catalog.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from rich.console import Console
from typer.testing import CliRunner

from tco import services
from tco.cli.main import app
from tco.cli.risk import risk_tables
from tco.cli.tables import comparison_table
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import CATEGORIES, Scenario, load_scenario, read_file
from tco.presenters import i18n
from tco.presenters.document import render_html
from tco.presenters.info import QuoteInfo
from tco.presenters.locale import SENTENCE_MSGIDS
from tco.presenters.xlsx import render_workbook
from tco.presenters.xlsx_labels import LABEL_MSGIDS, WORKBOOK, WORKBOOK_WORDING
from tco.quoting.builder import price_quote
from tco.quoting.catalog import parse_catalog
from tco.store import db
from tco.store.uow import UnitOfWork
from tests.test_document import _plain, _user_texts, quote_terms
from tests.test_store_support import demo_catalog, demo_request

if TYPE_CHECKING:
    from tests.websupport import Site

ROOT = Path(__file__).resolve().parents[1]
POT = i18n.LOCALES / "messages.pot"
PO = i18n.catalog_path("de")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = sorted((ROOT / "tests" / "golden" / "quotes").glob("*.yaml"))

Key = tuple[str | None, str]


def entries(path: Path) -> dict[Key, Message]:
    """The messages of a catalog file by (context, msgid); the header left out."""
    with path.open("rb") as f:
        catalog = read_po(f)
    return {(m.context, msgid(m)): m for m in catalog if m.id}


def msgid(m: Message) -> str:
    return m.id if isinstance(m.id, str) else m.id[0]


def texts(m: Message) -> tuple[tuple[str, str], ...]:
    """(msgid, msgstr) of every form: one for a plain message, each plural form against the
    msgid of its kind (the first against the singular, the others against the plural)."""
    if isinstance(m.id, str):
        return ((m.id, str(m.string)),)
    ids, strings = tuple(m.id), tuple(m.string or ())
    return tuple((ids[min(k, 1)], s) for k, s in enumerate(strings))


# --------------------------------------------------------------------------------------------
# The catalogs


def test_every_msgid_of_the_template_has_a_german_translation_and_none_is_fuzzy() -> None:
    template, german = entries(POT), entries(PO)
    assert len(template) > 400
    assert sorted(set(template) - set(german), key=str) == []  # run `make messages`
    assert sorted(set(german) - set(template), key=str) == []
    fuzzy = [key for key, m in german.items() if m.fuzzy]
    assert fuzzy == []
    untranslated = [key for key, m in german.items() if not all(s for _, s in texts(m))]
    assert untranslated == []
    assert len(texts(german[(None, "{n} year")])) == 2  # both plural forms


def attaches(text: str) -> bool:
    """Whether ``text`` is a piece that continues a sentence (", the next-best offer,")."""
    return text[:1] in (" ", ",", ";", ".")


def test_placeholders_strong_marks_and_edge_spaces_of_a_translation_match_its_msgid() -> None:
    wrong = []
    for key, m in entries(PO).items():
        for english, german in texts(m):
            same = (
                i18n.placeholders(english) == i18n.placeholders(german)
                and english.count("*") == german.count("*")
                and attaches(english) == attaches(german)
            )
            if not same:
                wrong.append((key, german))
    assert wrong == []


def test_the_template_is_what_make_messages_extracts_today(tmp_path: Path) -> None:
    """The msgids marked in the code and the templates are exactly the template's (a new or
    changed label without `make messages` fails here)."""
    keywords = re.search(r"^KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert keywords is not None
    out = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    command += ["--no-default-keywords", *keywords.group(1).split(), "-o", str(out), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert sorted(entries(out), key=str) == sorted(entries(POT), key=str)


def test_english_is_the_identity_and_german_comes_from_the_catalog() -> None:
    assert i18n.gettext("en", "Lifetime cost") == "Lifetime cost"
    assert i18n.gettext("de", "Lifetime cost") == "Lebenszykluskosten"
    assert i18n.gettext("de_DE", "Net savings") == "Nettoeinsparung"
    assert i18n.gettext("fr", "Net savings") == "Net savings"  # no catalog: English
    assert i18n.gettext("de", "a label nobody wrote") == "a label nobody wrote"
    assert i18n.ngettext("en", "{n} year", "{n} years", 1, n=1) == "1 year"
    assert i18n.ngettext("de", "{n} year", "{n} years", 1, n=1) == "1 Jahr"
    assert i18n.ngettext("de", "{n} year", "{n} years", 12, n=12) == "12 Jahre"
    assert i18n.pgettext("de", WORKBOOK, "Discount rate") == "Kalkulationszinssatz"
    assert i18n.gettext("de", "Discount rate") == "Kalkulationszins"
    assert i18n.gettext("de", "Page {page} of {pages}", page=2, pages=3) == "Seite 2 von 3"
    with pytest.raises(KeyError):
        i18n.gettext("de", "Page {page} of {pages}", page=2)


def test_every_sentence_and_every_workbook_wording_has_its_entry() -> None:
    german = entries(PO)
    for key, text in SENTENCE_MSGIDS.items():
        assert (key, text) in german, key
    in_context = {m for (context, m) in german if context == WORKBOOK}
    assert in_context == {LABEL_MSGIDS[k] for k in WORKBOOK_WORDING}
    contexts = {context for context, _ in german} - {None, WORKBOOK}
    assert contexts == set(SENTENCE_MSGIDS)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_category_names_are_distinct_in_every_language(language: str) -> None:
    """The workbook sums present values by category name (SUMIF ignores case)."""
    names = [i18n.category_name(language, c).casefold() for c in CATEGORIES]
    assert len(set(names)) == len(CATEGORIES)


def test_drivers_are_named_in_the_readers_language_and_others_as_written() -> None:
    assert [i18n.driver_name("de", d) for d in ("energy", "labor", "parts")] == [
        "Energie",
        "Arbeit",
        "Teile",
    ]
    assert i18n.driver_name("en", "labor") == "labor"
    assert i18n.driver_name("de", "maintenance") == "Wartung"  # a driver named after a category
    assert i18n.driver_name("de", "steel_2026") == "steel_2026"  # the user's own name


# --------------------------------------------------------------------------------------------
# The cases: the examples and the golden quotes, with their coverage terms


def cases() -> Iterator[tuple[str, Scenario, ScenarioResult, QuoteInfo]]:
    for path in EXAMPLES:
        sc = load_scenario(path)
        yield path.stem, sc, evaluate(sc), QuoteInfo(coverage=quote_terms())
    for path in GOLDEN:
        case: dict[str, Any] = read_file(path)
        p = price_quote(case["request"], parse_catalog(case["catalog"]))
        info = QuoteInfo(
            coverage=p.built.coverage, buyer_effort_counted=p.built.buyer_effort_counted
        )
        yield path.stem, p.built.scenario, p.result, info
    # a quote with ranges (the demo products' and its own): risk sheet, section and tables
    raw = {
        **demo_request(),
        "uncertainty": {
            "draws": 500,
            "ranges": [
                {"input": "energy_price", "spread": 0.2},
                {"input": "discount_rate", "spread": 0.3},
                {"input": "mtbf", "offer": "competitor", "low": 0.5, "high": 1.2},
            ],
        },
    }
    p = price_quote(raw, demo_catalog(), i18n.quote_words)
    info = QuoteInfo(coverage=p.built.coverage, buyer_effort_counted=p.built.buyer_effort_counted)
    yield "ranges", p.built.scenario, p.result, info


CASES = list(cases())
IDS = [name for name, *_ in CASES]


def test_every_msgid_the_outputs_use_is_in_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every label and sentence a German document, workbook and table asks for is translated
    (a label passed to DocLocale.t but never marked for extraction fails here)."""
    real = i18n.catalog("de")
    assert real is not None
    asked: set[Key] = set()

    class Recording(dict[Key, Any]):
        def get(self, key: Key, default: Any = None) -> Any:
            asked.add(key)
            return super().get(key, default)

    recording = i18n.Catalog(Recording(real.messages), real.plural)
    monkeypatch.setattr(i18n, "catalog", lambda language: recording)
    for _, sc, result, info in CASES:
        render_html(sc, result, locale="de_DE", info=info)
        render_workbook(sc, result, locale="de", info=info)
        Console(file=io.StringIO(), width=200).print(comparison_table(result, "de"))
        if result.uncertainty is not None:
            Console(file=io.StringIO(), width=200).print(risk_tables(result, "de"))
    assert len(asked) > 250
    assert sorted(asked - set(real.messages), key=str) == []


# --------------------------------------------------------------------------------------------
# No English label in German output


def _bounded(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


@cache
def english_phrases() -> tuple[str, ...]:
    """The English of every msgid whose German differs, as whole phrases: the text between
    placeholders, without the strong marks and the punctuation at its ends. A phrase that is
    also German (a word of some translation: "Service", "Installation", "real") is left out."""
    german = entries(PO).values()
    translations = "\n".join(s for m in german for _, s in texts(m))
    phrases: set[str] = set()
    for m in german:
        for english, translated in texts(m):
            if english == translated:
                continue
            for piece in re.split(r"\{[^{}]*\}", english.replace("*", "")):
                phrase = piece.strip(" ;,.:()–-\u00a0")
                joiner = "{" in english and re.fullmatch(r"[a-z]+", phrase) is not None
                if joiner:  # "{first} with {second}": a word joining user texts, not a label
                    continue
                if re.search(r"[A-Za-z]", phrase) and not _bounded(phrase).search(translations):
                    phrases.add(phrase)
    return tuple(sorted(phrases, key=len, reverse=True))


@cache
def _english() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, english_phrases()))})(?![\w-])")


def english_in(text: str, users: list[str]) -> list[str]:
    """The English phrases of the catalog in ``text``, once the user's own texts (names of
    offers, lines, terms: shown as written) are taken out."""
    text = " ".join(text.replace("\u00a0", " ").split())
    for user in sorted(users, key=len, reverse=True):
        text = text.replace(user, " ")
    return sorted({m.group(0) for m in _english().finditer(text)})


def test_the_phrases_cover_the_catalog_but_not_the_words_both_languages_share() -> None:
    found = set(english_phrases())
    assert len(found) > 400
    for english in ("Net savings", "energy", "labor", "Lifetime cost", "it pays back in year"):
        assert english in found
    for shared in ("Service", "Installation", "real", "nominal", "Status"):
        assert shared not in found
    assert english_in("Preissteigerung energy", []) == ["energy"]
    assert english_in("Preissteigerung Energie, Serviceplan", []) == []


@pytest.mark.parametrize(("name", "sc", "result", "info"), CASES, ids=IDS)
def test_a_german_document_shows_no_english_label(
    name: str, sc: Scenario, result: ScenarioResult, info: QuoteInfo
) -> None:
    for shown in (info, QuoteInfo(coverage=info.coverage, buyer_effort_counted=False)):
        html = render_html(sc, result, locale="de_DE", info=shown)
        text = _plain(re.sub(r"<[^>]+>", " ", html.split("<body>")[1]))
        assert english_in(text, _user_texts(sc, shown)) == []


def workbook_texts(data: bytes) -> Iterator[str]:
    """Sheet names, text cells (not formulas), input messages, headers and footers."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        yield ws.title
        for row in ws.iter_rows():
            yield from (c.value for c in row if isinstance(c.value, str) and c.value[:1] != "=")
        for dv in ws.data_validations.dataValidation:
            yield from (t for t in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if t)
        for part in (ws.oddHeader, ws.oddFooter):
            yield from (p.text for p in (part.left, part.center, part.right) if p.text)


@pytest.mark.parametrize(("name", "sc", "result", "info"), CASES, ids=IDS)
def test_a_german_workbook_shows_no_english_label(
    name: str, sc: Scenario, result: ScenarioResult, info: QuoteInfo
) -> None:
    users = _user_texts(sc, info)
    found = {
        (phrase, text[:60])
        for text in workbook_texts(render_workbook(sc, result, locale="de", info=info))
        for phrase in english_in(text, users)
    }
    assert sorted(found) == []


def test_the_terminal_table_speaks_the_language_of_the_locale() -> None:
    path = ROOT / "examples" / "cnc.yaml"
    sc = load_scenario(path)
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", str(path), "--locale", "de"], terminal_width=200)
    assert out.exit_code == 0, out.output
    table = out.stdout.split("\nnote: ")[0]
    assert english_in(table, _user_texts(sc, QuoteInfo())) == []
    for german in ("Nettoeinsparung", "Lebensende", "Referenz", "Wieder teurer ab Jahr"):
        assert german in table
    assert "650.969,94" in table  # German numbers
    english = runner.invoke(app, ["evaluate", str(path)], terminal_width=200).stdout
    assert "Net savings" in english
    assert "end of life" in english


def test_the_terminal_risk_tables_speak_the_language_of_the_locale() -> None:
    [(_, sc, result, info)] = [c for c in CASES if c[0] == "ranges"]
    assert result.uncertainty is not None
    out = io.StringIO()
    Console(file=out, width=200).print(risk_tables(result, "de"))
    text = out.getvalue()
    assert english_in(text, _user_texts(sc, info)) == []
    for german in ("Lebenszykluskosten P10", "Wahrscheinlichkeit einer Einsparung", "Strompreis"):
        assert german in text
    assert "Startwert 1" in text


def test_a_german_recommendation_from_the_same_result() -> None:
    from tco.presenters.sentences import recommendation

    _, sc, result, _ = CASES[IDS.index("cnc")]
    german = recommendation(sc, result, "de")
    assert german.startswith("Über 20 Jahre kostet ")
    assert "wieder teurer" in german  # the reversal of the payback
    assert german.endswith("höheren Preis bleibt es die günstigere Wahl.")
    assert english_in(german, _user_texts(sc, QuoteInfo())) == []
    english = recommendation(sc, result, "en")
    assert "dearer again" in english
    assert english.endswith(" higher.")


# --------------------------------------------------------------------------------------------
# The web page in German


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from tests.websupport import make_site

    s = make_site(tmp_path_factory.mktemp("web"))
    yield s
    db.dispose(s.url)


def test_the_web_pages_in_german_show_no_english_label(site: Site) -> None:
    from tests.websupport import builder_values, client, compressor_quote, sign_in, visible_text

    c = client(site)
    token = sign_in(c)
    builder = c.post(
        "/language", data={"csrf_token": token, "language": "de", "back": "/quotes/new"}
    )
    values = compressor_quote(builder_values(builder.text), csrf_token=token, comp_power_kw="43,5")
    pages = {
        "builder": builder.text,
        "preview": c.post("/quotes/preview", data=values).text,
        "quote": c.post("/quotes", data=values, follow_redirects=True).text,
        "list": c.get("/quotes").text,
    }
    number = re.search(r"Q-\d{4}-\d{5}", pages["quote"])
    assert number is not None
    version = services.show_quote(UnitOfWork("acme", url=site.url), number.group(0)).version
    info = services.export_data(UnitOfWork("acme", url=site.url), number.group(0)).info
    catalog = demo_catalog()
    users = _user_texts(version.scenario, info)
    users += [p.name for p in catalog.products] + [p.name for p in catalog.service_plans]
    users += [values["customer_name"], values["title"], values["comp_name"], "English"]
    for name, html in pages.items():
        assert name == "preview" or '<html lang="de">' in html, name  # a fragment
        assert english_in(visible_text(html), users) == [], name


def test_the_quote_page_says_the_recommendation_in_the_viewers_language(site: Site) -> None:
    """A saved version keeps the English sentence as a record; the page renders it from the
    saved result in the viewer's language."""
    from api.web.i18n import translator
    from api.web.views import quote_page

    number = services.create_quote(
        UnitOfWork("acme", url=site.url), demo_request(), by="test"
    ).summary.number
    view = services.show_quote(UnitOfWork("acme", url=site.url), number)
    assert view.version.recommendation.startswith("Over 10 years ")
    pages = {
        language: quote_page(
            view.summary,
            view.version,
            [view.version],
            (),
            [],
            language=language,
            t=translator(language),
            revisable=False,
        )
        for language in ("en", "de")
    }
    assert pages["en"].recommendation == view.version.recommendation
    german = pages["de"].recommendation
    assert german.startswith("Über 10 Jahre kostet ")
    assert english_in(german, _user_texts(view.version.scenario, QuoteInfo())) == []


def _names_in(data: Any) -> Iterator[str]:
    """Every ``name`` a catalog or request gives (products, plans, tasks, offers, lines)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "name" and isinstance(value, str):
                yield value
            else:
                yield from _names_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from _names_in(value)


def _generated_names(priced: Any) -> list[str]:
    sc = priced.built.scenario
    names = [o.title for o in sc.offers] + [c.name for o in sc.offers for c in o.costs]
    names += [p.name or "" for o in sc.offers if o.failures for p in o.failures.periods]
    names += [t.name for t in priced.built.coverage]
    names += [line.name for s in priced.built.price_sheets for line in s.lines]
    return [n for n in names if n]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_a_german_quote_names_the_lines_it_generates_in_german(path: Path) -> None:
    """Line, offer, cover and price-sheet names the builder makes ("Purchase order: equipment",
    "Electricity: ...") are in the quote's language; only the catalog's and the request's own
    names stay as written."""
    case: dict[str, Any] = read_file(path)
    catalog = parse_catalog(case["catalog"])
    users = sorted(
        {*_names_in(case["catalog"]), *_names_in(case["request"])}, key=len, reverse=True
    )
    german = price_quote({**case["request"], "locale": "de_DE"}, catalog, i18n.quote_words)
    found = {n: english_in(n, users) for n in _generated_names(german) if english_in(n, users)}
    assert found == {}
    english = price_quote(case["request"], catalog, i18n.quote_words)
    assert any(english_in(n, users) for n in _generated_names(english))
    assert german.result.offers[0].lifetime_cost == english.result.offers[0].lifetime_cost

"""Locale for documents: which locales are supported, number, money and date formats, words.

Two languages are supported, English and German (``en``, ``en_US``, ``en_GB``, ``de``,
``de_DE``, ``de_AT``, ``de_CH``); any other locale is refused with :class:`LocaleError`.
Numbers, money and dates go through Babel. Money is always shown with its ISO 4217 code
(``EUR 12,345.67`` in English, ``12.345,67 EUR`` in German) and with the currency's minor unit;
the values handed in are already rounded (:mod:`tco.core.money`), so formatting never rounds again.

Labels and sentences are English msgids translated by the gettext catalogs of
:mod:`tco.presenters.i18n`: :data:`LABELS` lists the document's labels, :data:`SENTENCES` its
sentences by key (the key is their msgctxt in the catalog).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from tco.core.errors import Problem, TcoError
from tco.core.money import minor_unit_exponent
from tco.core.scenario import Category
from tco.presenters.i18n import (
    LANGUAGES,
    N_,
    NP_,
    category_label,
    driver_name,
    gettext,
    ngettext,
    pgettext,
)

#: Locales accepted by the documents, by the name a user passes.
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "en_US", "en_GB", "de", "de_DE", "de_AT", "de_CH")


class LocaleError(TcoError):
    """A locale the documents cannot be written in."""


@dataclass(frozen=True, slots=True)
class DocLocale:
    """A checked locale: its Babel locale and its language (``en`` or ``de``)."""

    name: str
    babel: Locale
    language: str

    # -- numbers -----------------------------------------------------------------------------

    def number(self, value: Decimal | float | int, places: int = 0) -> str:
        """A number with grouping and exactly ``places`` decimals (``value`` already rounded)."""
        pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
        if value == 0:
            value = 0  # never show a negative zero (-0.00)
        return str(format_decimal(value, format=pattern, locale=self.babel))

    def amount(self, value: Decimal, currency: str) -> str:
        """A rounded money amount without its currency code (for table cells)."""
        return self.number(value, minor_unit_exponent(currency))

    def money(self, value: Decimal, currency: str) -> str:
        """A rounded money amount with its ISO code: ``EUR 1,234.50`` / ``1.234,50 EUR``."""
        text = self.amount(value, currency)
        if self.language == "de":
            return f"{text}\u00a0{currency}"
        return f"{currency}\u00a0{text}"

    def percent(self, rate: float, places: int = 2) -> str:
        """A rate as a percentage: ``7.00 %`` / ``7,00 %``."""
        value = Decimal(repr(rate)) * 100
        return f"{self.number(value.quantize(Decimal(1).scaleb(-places)), places)}\u00a0%"

    def year(self, value: float, places: int = 1) -> str:
        """A (possibly fractional) year: ``7.8`` / ``7,8``; whole years without decimals."""
        if float(value).is_integer():
            return self.number(int(value))
        q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places))
        return self.number(q, places)

    def date(self, value: date) -> str:
        """A date in the locale's long form: ``March 1, 2025`` / ``1. März 2025``."""
        return str(format_date(value, format="long", locale=self.babel))

    # -- words -------------------------------------------------------------------------------

    def t(self, key: str) -> str:
        """The label ``key`` (its English text, or a cost category such as ``end_of_life``) in
        this locale's language."""
        if key in Category.__members__:
            return category_label(self.language, key)
        return gettext(self.language, key)

    def driver(self, name: str) -> str:
        """An escalation driver's name in this language (a name of the user's own as written)."""
        return driver_name(self.language, name)

    def sentence(self, key: str, **values: str) -> tuple[tuple[str, bool], ...]:
        """The sentence ``key`` of :data:`SENTENCES` in this language with ``values`` filled in,
        as pieces ``(text, strong)``: the pieces between asterisks in the sentence are strong
        (names, amounts, years). Values are inserted as they are (never parsed again)."""
        template = SENTENCES[self.language][key]
        return tuple(
            (piece.format(**values), k % 2 == 1)
            for k, piece in enumerate(template.split("*"))
            if piece
        )

    def say(self, key: str, **values: str) -> str:
        """The sentence ``key`` as plain text (see :meth:`sentence`)."""
        return "".join(text for text, _ in self.sentence(key, **values))

    def years(self, n: int) -> str:
        """``1 year`` / ``10 years``, ``1 Jahr`` / ``10 Jahre``."""
        return ngettext(self.language, "{n} year", "{n} years", n, n=self.number(n))

    def span(self, first: int, last: int) -> str:
        """A range of years, ``3–5``, or the one year ``3``."""
        return self.number(first) if first == last else f"{self.number(first)}–{self.number(last)}"

    def year_ranges(self, years: Sequence[int], *, preposition: bool = False) -> str:
        """Years as ranges with their noun: ``year 1``, ``years 1–5, 8``; with ``preposition``
        ``in years 6–15`` / ``in den Jahren 6–15``, ``im Jahr 1``."""
        ranges: list[tuple[int, int]] = []
        for y in sorted(years):
            if ranges and y == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], y)
            else:
                ranges.append((y, y))
        text = ", ".join(self.span(a, b) for a, b in ranges)
        one = len(ranges) == 1 and ranges[0][0] == ranges[0][1]
        kind = ("in_" if preposition else "name_") + ("one" if one else "many")
        return self.say(f"years.{kind}", y=text)


def doc_locale(name: str) -> DocLocale:
    """Check a locale name and return it; raises :class:`LocaleError` for any other."""
    normal = name.strip().replace("-", "_")
    if normal not in SUPPORTED_LOCALES:
        raise LocaleError(
            [
                Problem(
                    "locale",
                    f"'{name}' is not supported for documents; use one of: "
                    + ", ".join(SUPPORTED_LOCALES),
                )
            ]
        )
    try:
        loc = Locale.parse(normal)
    except (UnknownLocaleError, ValueError):  # pragma: no cover - Babel ships all of them
        raise LocaleError([Problem("locale", f"'{name}' is not known to Babel")]) from None
    return DocLocale(name=normal, babel=loc, language=loc.language)


#: The document's labels (English msgids; :meth:`DocLocale.t`). The cost categories are
#: :data:`tco.presenters.i18n.CATEGORY_NAMES`.
LABELS: Final[tuple[str, ...]] = (
    # header and sections
    N_("Lifetime cost comparison"),
    N_("Quote"),
    N_("version"),
    N_("Customer"),
    N_("Seller"),
    N_("Issued"),
    N_("Valid until"),
    N_("Prepared for"),
    N_("Prepared by"),
    N_("Prepared on"),
    N_("not stated"),
    N_("Offers in the charts"),
    N_("continued"),
    N_("The offers side by side"),
    N_("Lifetime cost by category"),
    N_("Cumulative discounted cost"),
    N_("Comparison with the baseline"),
    N_("Priced line items"),
    N_("Service, failures and financing"),
    N_("Assumptions"),
    N_("Method"),
    N_("Notes"),
    N_("Validity and terms"),
    # offers and figures
    N_("Offer"),
    N_("recommended"),
    N_("baseline"),
    N_("Price (year-0 acquisition)"),
    N_("Lifetime cost"),
    N_("Lifetime cost (present value)"),
    N_("Equivalent annual cost"),
    N_("Cost per operating hour"),
    N_("Net savings"),
    N_("Savings-to-investment ratio"),
    N_("Adjusted internal rate of return"),
    N_("Internal rate of return of the added investment"),
    N_("Simple payback year"),
    N_("Discounted payback year"),
    N_("Breakeven year (curves cross)"),
    N_("Price headroom"),
    N_("never"),
    N_("not applicable"),
    N_("Total"),
    N_("Year"),
    N_("year"),
    N_("Crossover"),
    N_("present value"),
    # line items
    N_("Line"),
    N_("Category"),
    N_("Schedule"),
    N_("Base-year amount"),
    N_("Escalation"),
    N_("Present value"),
    N_("residual value"),
    N_("Expected repairs"),
    N_("Expected downtime"),
    N_("Expected repair orders"),
    N_("none"),
    # service and failures
    N_("Mean operating hours between failures"),
    N_("Characteristic life (hours)"),
    N_("Failure shape"),
    N_("constant rate"),
    N_("wear-out"),
    N_("Repair cost per failure (base year)"),
    N_("Share covered by the service plan"),
    N_("Downtime per failure (hours)"),
    N_("Buyer's cost per repair order (base year)"),
    N_("Service plan"),
    N_("Financing"),
    N_("No failure model."),
    N_("No service plan."),
    N_("No financing costs."),
    # assumptions
    N_("Currency"),
    N_("Study period"),
    N_("years"),
    N_("Discount rate"),
    N_("real"),
    N_("nominal"),
    N_("General inflation"),
    N_("Timing of recurring costs"),
    N_("end of year"),
    N_("mid-year"),
    N_("Operating hours per year"),
    N_("Downtime cost per hour"),
    N_("Baseline offer"),
    N_("Escalation of"),
    N_("a year"),
    N_("Engine version"),
    # paybacks and their reversal
    N_("Dearer again from year"),
    N_("Cheaper again from year"),
    # warranties and service plans
    N_("Warranty and service cover"),
    N_("Cover"),
    N_("Kind"),
    N_("warranty"),
    N_("service plan"),
    N_("coverage term"),
    N_("Years"),
    N_("Repairs covered"),
    N_("Maintenance covered"),
    N_("Response time"),
    N_("Downtime per failure"),
    N_("Uptime promise"),
    N_("Annual fee (base year)"),
    N_("Buyer's cost per repair order"),
    N_("Covered by"),
    N_("not covered"),
    N_("Share covered outside the coverage terms"),
    N_("Downtime per failure outside the coverage terms (hours)"),
    N_("Buyer's cost per repair order outside the coverage terms (base year)"),
)


#: The document's sentences by key, in English; the key is the sentence's msgctxt in the
#: catalog. Placeholders in braces are filled in by :meth:`DocLocale.sentence`; text between
#: asterisks is shown strong. Names a user gave (offers, cost lines, terms) are inserted as they
#: are, never translated.
SENTENCE_MSGIDS: Final[dict[str, str]] = {
    "years.name_one": NP_("years.name_one", "year {y}"),
    "years.name_many": NP_("years.name_many", "years {y}"),
    "years.in_one": NP_("years.in_one", "in year {y}"),
    "years.in_many": NP_("years.in_many", "in years {y}"),
    # the headline: the recommendation in one sentence
    "headline.single": NP_(
        "headline.single",
        "Over {years} *{offer}* costs *{total}* in total (present value), *{eac}* a year.",
    ),
    "headline.less": NP_(
        "headline.less",
        "Over {years} *{best}* costs *{saving}* less than *{other}*",
    ),
    "headline.same": NP_("headline.same", "Over {years} *{best}* costs the same as *{other}*"),
    "headline.next_best": NP_("headline.next_best", ", the next-best offer,"),
    "headline.dearer_to_buy": NP_(
        "headline.dearer_to_buy",
        " despite a *{difference}* higher price",
    ),
    "headline.cheaper_to_buy": NP_(
        "headline.cheaper_to_buy",
        " and is *{difference}* cheaper to buy",
    ),
    "headline.same_price": NP_("headline.same_price", " at the same price"),
    "headline.pays_back": NP_("headline.pays_back", "; it pays back in *year {year}*"),
    "headline.pays_back_at_once": NP_(
        "headline.pays_back_at_once",
        "; it pays back at once, in year 0",
    ),
    "headline.never_pays_back": NP_(
        "headline.never_pays_back",
        "; it does not pay back within the {n}-year study period",
    ),
    "headline.no_investment": NP_(
        "headline.no_investment",
        "; counting installation, replacements and residual values it adds no investment, so there "
        "is nothing to pay back",
    ),
    "headline.end": NP_("headline.end", "."),
    # a reversal: cumulative savings negative again after the payback
    "reversal.line.until": NP_(
        "reversal.line.until",
        "; after the *{line}* in *year {year}* it is dearer again until *year {until}*",
    ),
    "reversal.line.end": NP_(
        "reversal.line.end",
        "; after the *{line}* in *year {year}* it is dearer again and stays dearer to the end of "
        "the study period",
    ),
    "reversal.base_line.until": NP_(
        "reversal.base_line.until",
        "; after the *{line}* of *{owner}* in *year {year}* it is dearer again until "
        "*year {until}*",
    ),
    "reversal.base_line.end": NP_(
        "reversal.base_line.end",
        "; after the *{line}* of *{owner}* in *year {year}* it is dearer again and stays dearer to "
        "the end of the study period",
    ),
    "reversal.until": NP_(
        "reversal.until",
        "; in *year {year}* it is dearer again until *year {until}*",
    ),
    "reversal.end": NP_(
        "reversal.end",
        "; in *year {year}* it is dearer again and stays dearer to the end of the study period",
    ),
    # table cells and their notes
    "cell.not_recovered": NP_("cell.not_recovered", "not by year {n}"),
    "note.no_investment": NP_(
        "note.no_investment",
        "{mark} No added investment (installation, replacements and residual values counted): "
        "nothing to pay back.",
    ),
    "note.never": NP_("note.never", "{mark} Does not pay back within the {n}-year study period."),
    "note.reversal": NP_(
        "note.reversal",
        "Dearer again: the first year after the payback in which the cumulative discounted savings "
        "are negative again; cheaper again: the first year after that in which they are no longer "
        "negative.",
    ),
    # warranties and service plans
    "cover.renewal": NP_("cover.renewal", "{name} (renewal {k})"),
    "cover.hours": NP_("cover.hours", "{h} h"),
    "cover.years_all": NP_(
        "cover.years_all",
        "Covered in every year of the {n}-year study period.",
    ),
    "cover.years_some": NP_(
        "cover.years_some",
        "Covered {covered} of the {n}-year study period; not covered {uncovered}.",
    ),
    "cover.outside_quote": NP_(
        "cover.outside_quote",
        "Outside these terms the buyer pays repairs, maintenance and repair orders in full.",
    ),
    "cover.outside_model": NP_(
        "cover.outside_model",
        "Outside these terms: repairs covered {covered}, downtime per failure {downtime}, buyer's "
        "cost per repair order {order}.",
    ),
    "cover.legend": NP_("cover.legend", "{key}: {name}, {years}"),
    "cover.legend_none": NP_("cover.legend_none", "–: not covered, {years}"),
    "buyer_effort": NP_(
        "buyer_effort",
        "The buyer's own procurement effort (raising purchase and repair orders) is not counted in "
        "this quote.",
    ),
    "rounding": NP_(
        "rounding",
        "Each figure is rounded on its own from the unrounded value; the rounded lines may differ "
        "from the rounded total by a cent.",
    ),
    # the header, the subtitle and the validity
    "header.no_customer": NP_("header.no_customer", "no customer named"),
    "header.no_seller": NP_("header.no_seller", "no seller named"),
    "header.number": NP_("header.number", "{number}, version {version}"),
    "subtitle.real": NP_(
        "subtitle.real",
        "Present values in {currency} over {years}, real discount rate {rate}",
    ),
    "subtitle.nominal": NP_(
        "subtitle.nominal",
        "Present values in {currency} over {years}, nominal discount rate {rate}",
    ),
    "validity.until": NP_("validity.until", "This quote is valid until {date}."),
    "validity.projection": NP_(
        "validity.projection",
        "Lifetime costs are a projection under the assumptions stated; they are not an invoice.",
    ),
    "crossover": NP_(
        "crossover",
        "The curves of {best} and {other} cross in year {year} (circle).",
    ),
    "chart.key": NP_("chart.key", "{key} = {name}"),
    # schedules of the cost lines
    "schedule.none": NP_("schedule.none", "in no year of the study period"),
    "schedule.once": NP_("schedule.once", "once, year {year}"),
    "schedule.yearly": NP_("schedule.yearly", "every year, years {span}"),
    "schedule.every": NP_("schedule.every", "every {k} years, years {span}"),
    "schedule.credit": NP_("schedule.credit", "credit in year {year}"),
    "schedule.expected": NP_("schedule.expected", "expected, years 1–{n}"),
    "rates.one": NP_("rates.one", "{rate} a year"),
    "rates.then": NP_("rates.then", "{rates}, then {rate} from year {year}"),
    # the engine's notes on the scenario
    "issue.baseline": NP_(
        "issue.baseline",
        "No baseline offer was given; {offer} (the first offer) is used.",
    ),
    "issue.escalation": NP_(
        "issue.escalation",
        "{k} escalation rates of {driver} are given for a {n}-year study period; those after year "
        "{n} are not used.",
    ),
    "issue.no_year": NP_(
        "issue.no_year",
        "The line {line} of {offer} falls in no year of the study period; it adds nothing.",
    ),
    # the method in plain words
    "method.timing.mid_year": NP_(
        "method.timing.mid_year",
        "recurring costs and expected failures are discounted at mid-year (t − 0.5)",
    ),
    "method.timing.end_of_year": NP_(
        "method.timing.end_of_year",
        "recurring costs fall at the end of each year 1 to {n}",
    ),
    "method.basis.real": NP_("method.basis.real", "real"),
    "method.basis.nominal": NP_("method.basis.nominal", "nominal"),
    "method.1": NP_("method.1", "All amounts are in {currency}. Year 0 is the purchase; {timing}."),
    "method.2": NP_(
        "method.2",
        "Amounts are given in base-year (year 0) prices and grow with their escalation driver, "
        "compounded from year 0: A × (1+e)^t. The present value of an amount A in year t is A / "
        "(1+d)^t at the {basis} discount rate d = {rate}.",
    ),
    "method.3": NP_(
        "method.3",
        "The lifetime cost of an offer is the sum of the present values of all its costs over the "
        "{n}-year study period, less the residual value of equipment that outlives it (linear over "
        "its life). The equivalent annual cost spreads the lifetime cost evenly over the years at "
        "the discount rate; the cost per operating hour divides it by the operating hours per "
        "year.",
    ),
    "method.4": NP_(
        "method.4",
        "Expected failures follow from the mean operating hours between failures (a power-law "
        "process where the equipment wears out). Each failure costs its repair cost less the share "
        "the service plan covers, plus its downtime hours times the buyer's downtime cost per "
        "hour. A warranty or service plan that covers some years only changes these terms for the "
        "failures expected in those years only.",
    ),
    "method.5": NP_(
        "method.5",
        "Net savings are the baseline's lifetime cost minus the offer's. An offer that invests "
        "more than the baseline (installation, replacements and residual values counted) pays back "
        "in the first year in which its cumulative discounted savings are no longer negative; "
        "where they turn negative again later (after a replacement, say), the year it is dearer "
        "again and the year it is cheaper again are shown beside it. An offer that adds no "
        "investment has nothing to pay back. The breakeven year is where the cumulative discounted "
        "cost curves cross. The price is the present value of the year-0 acquisition lines.",
    ),
    "method.6": NP_(
        "method.6",
        "Amounts are projections, rounded to the cent only when shown: each figure once, from its "
        "unrounded value, so it shows the same digits wherever it appears; where a table's rounded "
        "lines do not add up to its rounded total, a note says so. Engine {engine}.",
    ),
    # the quote's recommendation: the headline and the price headroom
    "recommendation.headroom": NP_(
        "recommendation.headroom",
        " It stays the cheaper choice even at a price *{headroom}* higher.",
    ),
}


class _Sentences(Mapping[str, str]):
    """The sentences of :data:`SENTENCE_MSGIDS` in one language, translated when read."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __getitem__(self, key: str) -> str:
        return pgettext(self.language, key, SENTENCE_MSGIDS[key])

    def __iter__(self) -> Iterator[str]:
        return iter(SENTENCE_MSGIDS)

    def __len__(self) -> int:
        return len(SENTENCE_MSGIDS)


#: The sentences in every language, by language and key.
SENTENCES: Final[Mapping[str, Mapping[str, str]]] = {
    language: _Sentences(language) for language in LANGUAGES
}

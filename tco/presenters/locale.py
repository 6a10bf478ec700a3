"""Locale for documents: which locales are supported, number, money and date formats, labels.

Two languages are supported, English and German (``en``, ``en_US``, ``en_GB``, ``de``,
``de_DE``, ``de_AT``, ``de_CH``); any other locale is refused with :class:`LocaleError`.
Numbers, money and dates go through Babel. Money is always shown with its ISO 4217 code
(``EUR 12,345.67`` in English, ``12.345,67 EUR`` in German) and with the currency's minor unit;
the values handed in are already rounded (:mod:`tco.core.money`), so formatting never rounds again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from tco.core.errors import Problem, TcoError
from tco.core.money import minor_unit_exponent

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
        """The label ``key`` in this locale's language (English when not translated)."""
        if self.language == "de":
            return GERMAN.get(key, key)
        return ENGLISH.get(key, key)

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
        return self.say("years.one" if n == 1 else "years.many", n=self.number(n))

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


#: Keys whose English label differs from the key (the cost categories).
ENGLISH: dict[str, str] = {
    "acquisition": "Acquisition",
    "installation": "Installation",
    "replacement": "Replacement",
    "energy": "Energy",
    "operation": "Operation",
    "maintenance": "Maintenance",
    "repair": "Repair",
    "downtime": "Downtime",
    "service": "Service",
    "transaction": "Transaction",
    "financing": "Financing",
    "end_of_life": "End of life",
}

#: English label -> German label. Keys are the English text shown in the document.
GERMAN: dict[str, str] = {
    # header and sections
    "Lifetime cost comparison": "Lebenszykluskostenvergleich",
    "Quote": "Angebot",
    "version": "Version",
    "Customer": "Kunde",
    "Seller": "Anbieter",
    "Issued": "Datum",
    "Valid until": "Gültig bis",
    "Prepared for": "Erstellt für",
    "Prepared by": "Erstellt von",
    "Prepared on": "Erstellt am",
    "not stated": "nicht angegeben",
    "Offers in the charts": "Angebote in den Diagrammen",
    "continued": "Fortsetzung",
    "The offers side by side": "Die Angebote im Vergleich",
    "Lifetime cost by category": "Lebenszykluskosten nach Kategorie",
    "Cumulative discounted cost": "Kumulierte diskontierte Kosten",
    "Comparison with the baseline": "Vergleich mit der Referenz",
    "Priced line items": "Bewertete Kostenpositionen",
    "Service, failures and financing": "Service, Ausfälle und Finanzierung",
    "Assumptions": "Annahmen",
    "Method": "Methode",
    "Notes": "Hinweise",
    "Validity and terms": "Gültigkeit und Bedingungen",
    # offers and figures
    "Offer": "Angebot",
    "recommended": "empfohlen",
    "baseline": "Referenz",
    "Price (year-0 acquisition)": "Preis (Anschaffung im Jahr 0)",
    "Lifetime cost": "Lebenszykluskosten",
    "Lifetime cost (present value)": "Lebenszykluskosten (Barwert)",
    "Equivalent annual cost": "Äquivalente jährliche Kosten",
    "Cost per operating hour": "Kosten je Betriebsstunde",
    "Net savings": "Nettoeinsparung",
    "Savings-to-investment ratio": "Einsparungs-Investitions-Verhältnis (SIR)",
    "Adjusted internal rate of return": "Modifizierter interner Zinsfuß (AIRR)",
    "Internal rate of return of the added investment": "Interner Zinsfuß der Mehrinvestition",
    "Simple payback year": "Amortisationsjahr (statisch)",
    "Discounted payback year": "Amortisationsjahr (dynamisch)",
    "Breakeven year (curves cross)": "Break-even-Jahr (Kurven schneiden sich)",
    "Price headroom": "Preisspielraum",
    "never": "nie",
    "not applicable": "entfällt",
    "Total": "Summe",
    "Year": "Jahr",
    "year": "Jahr",
    "Crossover": "Schnittpunkt",
    "present value": "Barwert",
    # line items
    "Line": "Position",
    "Category": "Kategorie",
    "Schedule": "Zeitplan",
    "Base-year amount": "Betrag (Basisjahr)",
    "Escalation": "Teuerung",
    "Present value": "Barwert",
    "residual value": "Restwert",
    "Expected repairs": "Erwartete Reparaturen",
    "Expected downtime": "Erwartete Stillstände",
    "Expected repair orders": "Erwartete Reparaturaufträge",
    "none": "keine",
    # service and failures
    "Mean operating hours between failures": "Mittlere Betriebsstunden zwischen Ausfällen",
    "Characteristic life (hours)": "Charakteristische Lebensdauer (Stunden)",
    "Failure shape": "Formparameter der Ausfälle",
    "constant rate": "konstante Rate",
    "wear-out": "Verschleiß",
    "Repair cost per failure (base year)": "Reparaturkosten je Ausfall (Basisjahr)",
    "Share covered by the service plan": "Vom Serviceplan getragener Anteil",
    "Downtime per failure (hours)": "Stillstand je Ausfall (Stunden)",
    "Buyer's cost per repair order (base year)": "Kosten des Käufers je Reparaturauftrag "
    "(Basisjahr)",
    "Service plan": "Serviceplan",
    "Financing": "Finanzierung",
    "No failure model.": "Kein Ausfallmodell.",
    "No service plan.": "Kein Serviceplan.",
    "No financing costs.": "Keine Finanzierungskosten.",
    # assumptions
    "Currency": "Währung",
    "Study period": "Betrachtungszeitraum",
    "years": "Jahre",
    "Discount rate": "Kalkulationszins",
    "real": "real",
    "nominal": "nominal",
    "General inflation": "Allgemeine Inflation",
    "Timing of recurring costs": "Zeitpunkt wiederkehrender Kosten",
    "end of year": "Jahresende",
    "mid-year": "Jahresmitte",
    "Operating hours per year": "Betriebsstunden pro Jahr",
    "Downtime cost per hour": "Stillstandskosten je Stunde",
    "Baseline offer": "Referenzangebot",
    "Escalation of": "Preissteigerung",
    "a year": "pro Jahr",
    "Engine version": "Version des Rechenkerns",
    # paybacks and their reversal
    "Dearer again from year": "Wieder teurer ab Jahr",
    "Cheaper again from year": "Wieder günstiger ab Jahr",
    # warranties and service plans
    "Warranty and service cover": "Garantie und Serviceabdeckung",
    "Cover": "Abdeckung",
    "Kind": "Art",
    "warranty": "Garantie",
    "service plan": "Serviceplan",
    "coverage term": "Abdeckungszeitraum",
    "Years": "Jahre",
    "Repairs covered": "Reparaturen gedeckt",
    "Maintenance covered": "Wartung gedeckt",
    "Response time": "Reaktionszeit",
    "Downtime per failure": "Stillstand je Ausfall",
    "Uptime promise": "Zugesagte Verfügbarkeit",
    "Annual fee (base year)": "Jahresgebühr (Basisjahr)",
    "Buyer's cost per repair order": "Kosten des Käufers je Reparaturauftrag",
    "Covered by": "Abgedeckt durch",
    "not covered": "nicht abgedeckt",
    "Share covered outside the coverage terms": "Gedeckter Anteil außerhalb der Abdeckung",
    "Downtime per failure outside the coverage terms (hours)": "Stillstand je Ausfall "
    "außerhalb der Abdeckung (Stunden)",
    "Buyer's cost per repair order outside the coverage terms (base year)": "Kosten des "
    "Käufers je Reparaturauftrag außerhalb der Abdeckung (Basisjahr)",
    # categories
    "acquisition": "Anschaffung",
    "installation": "Installation",
    "replacement": "Ersatz",
    "energy": "Energie",
    "operation": "Betrieb",
    "maintenance": "Wartung",
    "repair": "Reparatur",
    "downtime": "Stillstand",
    "service": "Service",
    "transaction": "Transaktion",
    "financing": "Finanzierung",
    "end_of_life": "Lebensende",
}


#: Sentences in both languages. Placeholders in braces are filled in by
#: :meth:`DocLocale.sentence`; text between asterisks is shown strong. Names a user gave (offers,
#: cost lines, terms) are inserted as they are, never translated.
SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "years.one": "{n} year",
        "years.many": "{n} years",
        "years.name_one": "year {y}",
        "years.name_many": "years {y}",
        "years.in_one": "in year {y}",
        "years.in_many": "in years {y}",
        # the headline: the recommendation in one sentence
        "headline.single": "Over {years} *{offer}* costs *{total}* in total (present value), "
        "*{eac}* a year.",
        "headline.less": "Over {years} *{best}* costs *{saving}* less than *{other}*",
        "headline.same": "Over {years} *{best}* costs the same as *{other}*",
        "headline.next_best": ", the next-best offer,",
        "headline.dearer_to_buy": " despite a *{difference}* higher price",
        "headline.cheaper_to_buy": " and is *{difference}* cheaper to buy",
        "headline.same_price": " at the same price",
        "headline.pays_back": "; it pays back in *year {year}*",
        "headline.pays_back_at_once": "; it pays back at once, in year 0",
        "headline.never_pays_back": "; it does not pay back within the {n}-year study period",
        "headline.no_investment": "; counting installation, replacements and residual values it "
        "adds no investment, so there is nothing to pay back",
        "headline.end": ".",
        # a reversal: cumulative savings negative again after the payback
        "reversal.line.until": "; after the *{line}* in *year {year}* it is dearer again until "
        "*year {until}*",
        "reversal.line.end": "; after the *{line}* in *year {year}* it is dearer again and stays "
        "dearer to the end of the study period",
        "reversal.base_line.until": "; after the *{line}* of *{owner}* in *year {year}* it is "
        "dearer again until *year {until}*",
        "reversal.base_line.end": "; after the *{line}* of *{owner}* in *year {year}* it is "
        "dearer again and stays dearer to the end of the study period",
        "reversal.until": "; in *year {year}* it is dearer again until *year {until}*",
        "reversal.end": "; in *year {year}* it is dearer again and stays dearer to the end of the "
        "study period",
        # table cells and their notes
        "cell.not_recovered": "not by year {n}",
        "note.no_investment": "{mark} No added investment (installation, replacements and "
        "residual values counted): nothing to pay back.",
        "note.never": "{mark} Does not pay back within the {n}-year study period.",
        "note.reversal": "Dearer again: the first year after the payback in which the cumulative "
        "discounted savings are negative again; cheaper again: the first year after that in "
        "which they are no longer negative.",
        # warranties and service plans
        "cover.renewal": "{name} (renewal {k})",
        "cover.hours": "{h} h",
        "cover.years_all": "Covered in every year of the {n}-year study period.",
        "cover.years_some": "Covered {covered} of the {n}-year study period; not covered "
        "{uncovered}.",
        "cover.outside_quote": "Outside these terms the buyer pays repairs, maintenance and "
        "repair orders in full.",
        "cover.outside_model": "Outside these terms: repairs covered {covered}, downtime per "
        "failure {downtime}, buyer's cost per repair order {order}.",
        "cover.legend": "{key}: {name}, {years}",
        "cover.legend_none": "–: not covered, {years}",
        "buyer_effort": "The buyer's own procurement effort (raising purchase and repair orders) "
        "is not counted in this quote.",
        "rounding": "Each figure is rounded on its own from the unrounded value; the rounded "
        "lines may differ from the rounded total by a cent.",
        # the header, the subtitle and the validity
        "header.no_customer": "no customer named",
        "header.no_seller": "no seller named",
        "header.number": "{number}, version {version}",
        "subtitle.real": "Present values in {currency} over {years}, real discount rate {rate}",
        "subtitle.nominal": "Present values in {currency} over {years}, nominal discount rate "
        "{rate}",
        "validity.until": "This quote is valid until {date}.",
        "validity.projection": "Lifetime costs are a projection under the assumptions stated; "
        "they are not an invoice.",
        "crossover": "The curves of {best} and {other} cross in year {year} (circle).",
        "chart.key": "{key} = {name}",
        # schedules of the cost lines
        "schedule.none": "in no year of the study period",
        "schedule.once": "once, year {year}",
        "schedule.yearly": "every year, years {span}",
        "schedule.every": "every {k} years, years {span}",
        "schedule.credit": "credit in year {year}",
        "schedule.expected": "expected, years 1–{n}",
        "rates.one": "{rate} a year",
        "rates.then": "{rates}, then {rate} from year {year}",
        # the engine's notes on the scenario
        "issue.baseline": "No baseline offer was given; {offer} (the first offer) is used.",
        "issue.escalation": "{k} escalation rates of {driver} are given for a {n}-year study "
        "period; those after year {n} are not used.",
        "issue.no_year": "The line {line} of {offer} falls in no year of the study period; it "
        "adds nothing.",
        # the method in plain words
        "method.timing.mid_year": "recurring costs and expected failures are discounted at "
        "mid-year (t − 0.5)",
        "method.timing.end_of_year": "recurring costs fall at the end of each year 1 to {n}",
        "method.basis.real": "real",
        "method.basis.nominal": "nominal",
        "method.1": "All amounts are in {currency}. Year 0 is the purchase; {timing}.",
        "method.2": "Amounts are given in base-year (year 0) prices and grow with their "
        "escalation driver, compounded from year 0: A × (1+e)^t. The present value of an amount "
        "A in year t is A / (1+d)^t at the {basis} discount rate d = {rate}.",
        "method.3": "The lifetime cost of an offer is the sum of the present values of all its "
        "costs over the {n}-year study period, less the residual value of equipment that outlives "
        "it (linear over its life). The equivalent annual cost spreads the lifetime cost evenly "
        "over the years at the discount rate; the cost per operating hour divides it by the "
        "operating hours per year.",
        "method.4": "Expected failures follow from the mean operating hours between failures (a "
        "power-law process where the equipment wears out). Each failure costs its repair cost "
        "less the share the service plan covers, plus its downtime hours times the buyer's "
        "downtime cost per hour. A warranty or service plan that covers some years only changes "
        "these terms for the failures expected in those years only.",
        "method.5": "Net savings are the baseline's lifetime cost minus the offer's. An offer that "
        "invests more than the baseline (installation, replacements and residual values counted) "
        "pays back in the first year in which its cumulative discounted savings are no longer "
        "negative; where they turn negative again later (after a replacement, say), the year it "
        "is dearer again and the year it is cheaper again are shown beside it. An offer that adds "
        "no investment has nothing to pay back. The breakeven year is where the cumulative "
        "discounted cost curves cross. The price is the present value of the year-0 acquisition "
        "lines.",
        "method.6": "Amounts are projections, rounded to the cent only when shown: each figure "
        "once, from its unrounded value, so it shows the same digits wherever it appears; where a "
        "table's rounded lines do not add up to its rounded total, a note says so. Engine "
        "{engine}.",
    },
    "de": {
        "years.one": "{n} Jahr",
        "years.many": "{n} Jahre",
        "years.name_one": "Jahr {y}",
        "years.name_many": "Jahre {y}",
        "years.in_one": "im Jahr {y}",
        "years.in_many": "in den Jahren {y}",
        "headline.single": "Über {years} kostet *{offer}* insgesamt *{total}* (Barwert), das sind "
        "*{eac}* pro Jahr.",
        "headline.less": "Über {years} kostet *{best}* *{saving}* weniger als *{other}*",
        "headline.same": "Über {years} kostet *{best}* genauso viel wie *{other}*",
        "headline.next_best": ", das nächstbeste Angebot",
        "headline.dearer_to_buy": ", trotz eines um *{difference}* höheren Preises",
        "headline.cheaper_to_buy": " und ist in der Anschaffung *{difference}* günstiger",
        "headline.same_price": " bei gleichem Preis",
        "headline.pays_back": "; es amortisiert sich im *Jahr {year}*",
        "headline.pays_back_at_once": "; es amortisiert sich sofort (im Jahr 0)",
        "headline.never_pays_back": "; es amortisiert sich nicht innerhalb der {n} Jahre des "
        "Vergleichs",
        "headline.no_investment": "; mit Installation, Ersatz und Restwerten gerechnet erfordert "
        "es keine Mehrinvestition, es gibt also nichts zu amortisieren",
        "headline.end": ".",
        "reversal.line.until": "; nach der Position *„{line}“* im *Jahr {year}* ist es bis zum "
        "*Jahr {until}* wieder teurer",
        "reversal.line.end": "; nach der Position *„{line}“* im *Jahr {year}* ist es wieder "
        "teurer und bleibt es bis zum Ende des Betrachtungszeitraums",
        "reversal.base_line.until": "; nach der Position *„{line}“* von *{owner}* im "
        "*Jahr {year}* ist es bis zum *Jahr {until}* wieder teurer",
        "reversal.base_line.end": "; nach der Position *„{line}“* von *{owner}* im *Jahr {year}* "
        "ist es wieder teurer und bleibt es bis zum Ende des Betrachtungszeitraums",
        "reversal.until": "; ab dem *Jahr {year}* ist es bis zum *Jahr {until}* wieder teurer",
        "reversal.end": "; ab dem *Jahr {year}* ist es wieder teurer und bleibt es bis zum Ende "
        "des Betrachtungszeitraums",
        "cell.not_recovered": "nicht bis Jahr {n}",
        "note.no_investment": "{mark} Keine Mehrinvestition (Installation, Ersatz und Restwerte "
        "eingerechnet): nichts zu amortisieren.",
        "note.never": "{mark} Amortisiert sich nicht innerhalb der {n} Jahre des Vergleichs.",
        "note.reversal": "Wieder teurer: das erste Jahr nach der Amortisation, in dem die "
        "kumulierten diskontierten Einsparungen wieder negativ sind; wieder günstiger: das erste "
        "Jahr danach, in dem sie nicht mehr negativ sind.",
        "cover.renewal": "{name} (Verlängerung {k})",
        "cover.hours": "{h} h",
        "cover.years_all": "Abgedeckt in jedem Jahr des {n}-jährigen Betrachtungszeitraums.",
        "cover.years_some": "Abgedeckt {covered} des {n}-jährigen Betrachtungszeitraums; nicht "
        "abgedeckt {uncovered}.",
        "cover.outside_quote": "Außerhalb dieser Zeiträume trägt der Käufer Reparaturen, Wartung "
        "und Reparaturaufträge vollständig selbst.",
        "cover.outside_model": "Außerhalb dieser Zeiträume: Reparaturen gedeckt {covered}, "
        "Stillstand je Ausfall {downtime}, Kosten des Käufers je Reparaturauftrag {order}.",
        "cover.legend": "{key}: {name}, {years}",
        "cover.legend_none": "–: nicht abgedeckt, {years}",
        "buyer_effort": "Der eigene Beschaffungsaufwand des Käufers (Bestell- und "
        "Reparaturaufträge) ist in diesem Angebot nicht berücksichtigt.",
        "rounding": "Jeder Wert ist für sich aus dem ungerundeten Wert gerundet; die gerundeten "
        "Positionen können von der gerundeten Summe um einen Cent abweichen.",
        "header.no_customer": "kein Kunde angegeben",
        "header.no_seller": "kein Anbieter angegeben",
        "header.number": "{number}, Version {version}",
        "subtitle.real": "Barwerte in {currency} über {years}, realer Kalkulationszins {rate}",
        "subtitle.nominal": "Barwerte in {currency} über {years}, nominaler Kalkulationszins "
        "{rate}",
        "validity.until": "Dieses Angebot ist gültig bis {date}.",
        "validity.projection": "Die Lebenszykluskosten sind eine Prognose unter den genannten "
        "Annahmen; sie sind keine Rechnung.",
        "crossover": "Die Kurven von {best} und {other} schneiden sich im Jahr {year} (Kreis).",
        "chart.key": "{key} = {name}",
        "schedule.none": "in keinem Jahr des Vergleichs",
        "schedule.once": "einmalig, Jahr {year}",
        "schedule.yearly": "jährlich, Jahre {span}",
        "schedule.every": "alle {k} Jahre, Jahre {span}",
        "schedule.credit": "Gutschrift im Jahr {year}",
        "schedule.expected": "erwartet, Jahre 1–{n}",
        "rates.one": "{rate} pro Jahr",
        "rates.then": "{rates}, ab Jahr {year} {rate}",
        "issue.baseline": "Es wurde kein Referenzangebot angegeben; {offer} (das erste Angebot) "
        "dient als Referenz.",
        "issue.escalation": "Für {driver} sind {k} Teuerungsraten bei einem Betrachtungszeitraum "
        "von {n} Jahren angegeben; die Raten nach dem Jahr {n} werden nicht verwendet.",
        "issue.no_year": "Die Position {line} von {offer} fällt in kein Jahr des "
        "Betrachtungszeitraums; sie trägt nichts bei.",
        "method.timing.mid_year": "wiederkehrende Kosten und erwartete Ausfälle werden zur "
        "Jahresmitte (t − 0,5) diskontiert",
        "method.timing.end_of_year": "wiederkehrende Kosten fallen jeweils am Ende der Jahre 1 "
        "bis {n} an",
        "method.basis.real": "realen",
        "method.basis.nominal": "nominalen",
        "method.1": "Alle Beträge in {currency}. Jahr 0 ist der Kauf; {timing}.",
        "method.2": "Beträge sind in Preisen des Basisjahres (Jahr 0) angegeben und steigen mit "
        "ihrem Preistreiber, ab Jahr 0 aufgezinst: A × (1+e)^t. Der Barwert eines Betrags A im "
        "Jahr t ist A / (1+d)^t mit dem {basis} Kalkulationszins d = {rate}.",
        "method.3": "Die Lebenszykluskosten eines Angebots sind die Summe der Barwerte all seiner "
        "Kosten über den Betrachtungszeitraum von {n} Jahren, abzüglich des Restwerts von "
        "Anlagen, die länger halten (linear über ihre Nutzungsdauer). Die äquivalenten jährlichen "
        "Kosten verteilen die Lebenszykluskosten zum Kalkulationszins gleichmäßig auf die Jahre; "
        "die Kosten je Betriebsstunde teilen sie durch die Betriebsstunden pro Jahr.",
        "method.4": "Erwartete Ausfälle folgen aus den mittleren Betriebsstunden zwischen "
        "Ausfällen (bei Verschleiß aus einem Potenzgesetz-Prozess). Jeder Ausfall kostet die "
        "Reparaturkosten abzüglich des vom Serviceplan getragenen Anteils sowie die "
        "Stillstandsstunden mal die Stillstandskosten je Stunde des Kunden. Eine Garantie oder "
        "ein Serviceplan, der nur einige Jahre abdeckt, ändert diese Bedingungen nur für die in "
        "diesen Jahren erwarteten Ausfälle.",
        "method.5": "Die Nettoeinsparung ist die Differenz der Lebenszykluskosten von Referenz und "
        "Angebot. Ein Angebot, das mehr investiert als die Referenz (Installation, Ersatz und "
        "Restwerte eingerechnet), amortisiert sich im ersten Jahr, in dem seine kumulierten "
        "diskontierten Einsparungen nicht mehr negativ sind; werden sie danach wieder negativ "
        "(etwa durch einen Ersatz), stehen das Jahr, ab dem es wieder teurer ist, und das Jahr, "
        "ab dem es wieder günstiger ist, daneben. Ein Angebot ohne Mehrinvestition hat nichts zu "
        "amortisieren. Das Break-even-Jahr ist der Schnittpunkt der kumulierten diskontierten "
        "Kostenkurven. Der Preis ist der Barwert der Anschaffungspositionen im Jahr 0.",
        "method.6": "Die Beträge sind Prognosen und werden erst für die Anzeige auf den Cent "
        "gerundet: jeder Wert einmal, aus seinem ungerundeten Wert, sodass er überall dieselben "
        "Ziffern zeigt; wo die gerundeten Positionen einer Tabelle nicht die gerundete Summe "
        "ergeben, sagt eine Anmerkung das. Rechenkern {engine}.",
    },
}

"""Locale for documents: which locales are supported, number, money and date formats, labels.

Two languages are supported, English and German (``en``, ``en_US``, ``en_GB``, ``de``,
``de_DE``, ``de_AT``, ``de_CH``); any other locale is refused with :class:`LocaleError`.
Numbers, money and dates go through Babel. Money is always shown with its ISO 4217 code
(``EUR 12,345.67`` in English, ``12.345,67 EUR`` in German) and with the currency's minor unit;
the values handed in are already rounded (:mod:`tco.money`), so formatting never rounds again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from tco.errors import Problem, TcoError
from tco.money import minor_unit_exponent

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

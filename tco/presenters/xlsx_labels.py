"""Labels of the buyer's workbook in English and German (see :mod:`tco.presenters.xlsx`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tco.core.scenario import CATEGORIES
from tco.presenters.locale import ENGLISH, GERMAN, doc_locale

Labels = Mapping[str, str]

_EN: Final[dict[str, str]] = {
    "sheet_summary": "Summary",
    "sheet_assumptions": "Assumptions",
    "sheet_comparison": "Comparison",
    "sheet_method": "Method",
    "title": "Total cost of ownership",
    "legend": "Yellow cells are inputs: change them and every result recalculates. "
    "All other cells are formulas (sheet protected, no password).",
    "quote": "Quote",
    "version": "version",
    "customer": "Customer",
    "seller": "Seller",
    "issued": "Issued",
    "valid_until": "Valid until",
    "terms": "Terms",
    "currency": "Currency",
    "study_period": "Study period (years)",
    "rate_basis": "Rate basis",
    "timing": "Timing of recurring amounts",
    "discount_rate": "Discount rate",
    "inflation": "General inflation",
    "operating_hours": "Operating hours per year",
    "downtime_cost": "Downtime cost per hour",
    "per_year": "per year",
    "hours": "hours",
    "years": "years",
    "parameter": "Parameter",
    "value": "Value",
    "unit": "Unit",
    "note": "Note",
    "basis_real": "real (constant base-year money)",
    "basis_nominal": "nominal (then-current money)",
    "timing_end_of_year": "end of year",
    "timing_mid_year": "mid-year",
    "fixed_note": "fixed by the layout of the offer sheets",
    "escalation_rates": "Escalation rates per driver (year 1..N; a given list's last rate holds "
    "for the remaining years)",
    "escalation_factors": "Escalation factors (year 0 = 1, compounding from the base year)",
    "discount_factors": "Discount factors",
    "driver": "Driver",
    "year": "Year",
    "given_one": "one rate",
    "given_list": "rates per year",
    "no_driver": "(no driver)",
    "nominal_factor": "Nominal equivalent (general inflation)",
    "df_once": "One-time amounts (end of year t)",
    "df_recurring": "Recurring amounts and failures",
    "offer": "Offer",
    "offer_id": "Offer id",
    "baseline": "baseline",
    "baseline_label": "Baseline",
    "failure_model": "Failure model (expected failures per year = H(t) - H(t-1), "
    "H(t) = (t x hours / MTBF)^shape)",
    "mtbf": "MTBF (scale)",
    "shape": "Shape",
    "repair_cost": "Repair cost per failure (base year)",
    "covered": "Share of repair cost covered, per year",
    "downtime_hours": "Downtime per failure, per year",
    "repair_driver": "Escalation of repairs",
    "downtime_driver": "Escalation of downtime cost",
    "order_cost": "Buyer's cost per repair order (base year), per year",
    "coverage_period": "Warranty or plan period",
    "period": "Period",
    "coverage": "Warranty and service plan",
    "cov_name": "Warranty or plan",
    "cov_kind": "Kind",
    "cov_renewal": "Renewal (0 = first term)",
    "cov_fee": "Annual fee (base year)",
    "cov_from": "From year",
    "cov_until": "Until year",
    "cov_repairs": "Repairs covered",
    "cov_maintenance": "Maintenance covered",
    "cov_response": "Response time (hours)",
    "cov_downtime": "Downtime per failure (hours)",
    "cov_uptime": "Uptime promise",
    "kind_warranty": "Warranty",
    "kind_service_plan": "Service plan",
    "coverage_note": "Outside these terms the buyer pays repairs, maintenance and repair orders "
    "in full. The failure model's rows per year below hold the terms of each year.",
    "effort_not_counted": "The buyer's own procurement effort (purchase and repair orders) is "
    "not counted in these figures.",
    "order_driver": "Escalation of repair orders",
    "expected_failures": "Expected failures",
    "cash_flows": "Cash flows",
    "present_values": "Present values at the discount rate",
    "line": "Cost line",
    "category": "Category",
    "amount": "Base amount",
    "first_year": "First year",
    "every": "Every (years)",
    "last_year": "Last year",
    "life": "Life (years)",
    "fraction": "Residual fraction",
    "total": "Total",
    "present_value": "Present value",
    "residual_value": "residual value",
    "expected_repairs": "Expected repairs",
    "expected_downtime": "Expected downtime",
    "expected_orders": "Expected repair orders",
    "total_basis": "Total cash flow",
    "total_nominal": "Total cash flow, nominal",
    "total_pv": "Total present value",
    "cumulative_pv": "Cumulative present value",
    "lifetime_cost": "Lifetime cost (present value)",
    "eac": "Equivalent annual cost",
    "by_category": "Present value by category",
    "investment_flag": "Investment-related (1 = yes)",
    "investment_cost": "Investment-related costs (PV)",
    "operating_cost": "Operating costs (PV)",
    "price": "Purchase price (year-0 acquisition)",
    "price_residual": "Residual credit earned by it (PV)",
    "net_savings": "Net savings against the baseline",
    "added_investment": "Added investment (PV)",
    "operating_savings": "Operating savings (PV)",
    "sir": "Savings-to-investment ratio (SIR)",
    "airr": "Adjusted internal rate of return (AIRR)",
    "simple_payback": "Simple payback year",
    "discounted_payback": "Discounted payback year",
    "dearer_again": "Dearer again from year",
    "cheaper_again": "Cheaper again from year",
    "breakeven": "Breakeven year (cost curves cross)",
    "irr": "IRR of the added investment",
    "headroom": "Price headroom",
    "recommended": "Recommended",
    "recommended_mark": "recommended",
    "savings_basis": "Savings",
    "cum_savings": "Cumulative savings",
    "payback_flag": "Cumulative savings not negative (1 = yes)",
    "savings_pv": "Savings (PV)",
    "cum_savings_pv": "Cumulative savings (PV)",
    "dpayback_flag": "Cumulative PV savings not negative (1 = yes)",
    "neg_again_flag": "Negative again after the payback (1 = yes)",
    "recovered_flag": "Not negative again after that (1 = yes)",
    "cross_flag": "Cost curves have crossed (1 = yes)",
    "cross_year": "First year after the crossing",
    "helper_rows": "Working rows for paybacks and breakeven, per offer against the baseline",
    "payback_note": "Paybacks: \u2013 where the offer adds no investment (nothing to pay back), "
    "n/a where cumulative savings stay negative. Dearer again / cheaper again: the years "
    "after the discounted payback in which cumulative discounted savings turn negative again "
    "and recover; blank where they do not.",
    "na": "n/a",
    "chart_cumulative": "Cumulative discounted cost",
    "chart_categories": "Lifetime cost by category (present value)",
    "measure": "Measure",
    "engine_version": "Engine version",
    "page_of": "Page {page} of {pages}",
    "invalid_title": "Invalid input",
    "allowed_title": "Allowed values",
    "invalid_rate": "Enter a rate above -100 % and at most 1,000 % (5 % or 0.05 for five percent).",
    "invalid_fraction": "Enter a share from 0 % to 100 %.",
    "invalid_hours_year": "Enter the operating hours per year, from 0 to 8,784.",
    "invalid_hours": "Enter a number of hours, 0 or more.",
    "invalid_mtbf": "Enter a number of operating hours, at least 1.",
    "invalid_shape": "Enter a shape above 0 and at most 20 (1 = constant failure rate).",
    "invalid_money": "Enter an amount from 0 to 1,000,000,000,000.",
    "invalid_amount": "Enter an amount from -1,000,000,000,000 to 1,000,000,000,000 (a negative "
    "amount is a credit).",
}

_DE: Final[dict[str, str]] = {
    "sheet_summary": "Übersicht",
    "sheet_assumptions": "Annahmen",
    "sheet_comparison": "Vergleich",
    "sheet_method": "Methode",
    "title": "Lebenszykluskosten (Total Cost of Ownership)",
    "legend": "Gelbe Zellen sind Eingaben: Ändern Sie sie, und alle Ergebnisse werden neu "
    "berechnet. Alle anderen Zellen sind Formeln (Blattschutz ohne Kennwort).",
    "quote": "Angebot",
    "version": "Version",
    "customer": "Kunde",
    "seller": "Anbieter",
    "issued": "Ausgestellt",
    "valid_until": "Gültig bis",
    "terms": "Bedingungen",
    "currency": "Währung",
    "study_period": "Betrachtungszeitraum (Jahre)",
    "rate_basis": "Zinsbasis",
    "timing": "Zeitpunkt wiederkehrender Beträge",
    "discount_rate": "Kalkulationszinssatz",
    "inflation": "Allgemeine Inflation",
    "operating_hours": "Betriebsstunden pro Jahr",
    "downtime_cost": "Stillstandskosten pro Stunde",
    "per_year": "pro Jahr",
    "hours": "Stunden",
    "years": "Jahre",
    "parameter": "Parameter",
    "value": "Wert",
    "unit": "Einheit",
    "note": "Hinweis",
    "basis_real": "real (konstante Preise des Basisjahres)",
    "basis_nominal": "nominal (jeweilige Preise)",
    "timing_end_of_year": "Jahresende",
    "timing_mid_year": "Jahresmitte",
    "fixed_note": "durch den Aufbau der Angebotsblätter festgelegt",
    "escalation_rates": "Preissteigerungsraten je Treiber (Jahr 1..N; die letzte Rate einer "
    "Liste gilt für die übrigen Jahre)",
    "escalation_factors": "Preissteigerungsfaktoren (Jahr 0 = 1, ab dem Basisjahr)",
    "discount_factors": "Abzinsungsfaktoren",
    "driver": "Treiber",
    "year": "Jahr",
    "given_one": "eine Rate",
    "given_list": "Raten je Jahr",
    "no_driver": "(kein Treiber)",
    "nominal_factor": "Nominaler Gegenwert (allgemeine Inflation)",
    "df_once": "Einmalige Beträge (Ende des Jahres t)",
    "df_recurring": "Wiederkehrende Beträge und Ausfälle",
    "offer": "Angebot",
    "offer_id": "Angebots-ID",
    "baseline": "Referenz",
    "baseline_label": "Referenzangebot",
    "failure_model": "Ausfallmodell (erwartete Ausfälle pro Jahr = H(t) - H(t-1), "
    "H(t) = (t x Stunden / MTBF)^Form)",
    "mtbf": "MTBF (Skala)",
    "shape": "Formparameter",
    "repair_cost": "Reparaturkosten je Ausfall (Basisjahr)",
    "covered": "Gedeckter Anteil der Reparaturkosten, je Jahr",
    "downtime_hours": "Stillstand je Ausfall, je Jahr",
    "repair_driver": "Preissteigerung der Reparaturen",
    "downtime_driver": "Preissteigerung der Stillstandskosten",
    "order_cost": "Kosten des Käufers je Reparaturauftrag (Basisjahr), je Jahr",
    "coverage_period": "Garantie- oder Vertragszeitraum",
    "period": "Zeitraum",
    "coverage": "Garantie und Servicevertrag",
    "cov_name": "Garantie oder Vertrag",
    "cov_kind": "Art",
    "cov_renewal": "Verlängerung (0 = erste Laufzeit)",
    "cov_fee": "Jahresgebühr (Basisjahr)",
    "cov_from": "Ab Jahr",
    "cov_until": "Bis Jahr",
    "cov_repairs": "Reparaturen gedeckt",
    "cov_maintenance": "Wartung gedeckt",
    "cov_response": "Reaktionszeit (Stunden)",
    "cov_downtime": "Stillstand je Ausfall (Stunden)",
    "cov_uptime": "Zugesagte Verfügbarkeit",
    "kind_warranty": "Garantie",
    "kind_service_plan": "Servicevertrag",
    "coverage_note": "Außerhalb dieser Laufzeiten trägt der Käufer Reparaturen, Wartung und "
    "Reparaturaufträge voll. Die Zeilen je Jahr im Ausfallmodell unten enthalten die "
    "Bedingungen jedes Jahres.",
    "effort_not_counted": "Der eigene Beschaffungsaufwand des Käufers (Bestell- und "
    "Reparaturaufträge) ist in diesen Zahlen nicht berücksichtigt.",
    "order_driver": "Preissteigerung der Reparaturaufträge",
    "expected_failures": "Erwartete Ausfälle",
    "cash_flows": "Zahlungen",
    "present_values": "Barwerte zum Kalkulationszinssatz",
    "line": "Kostenposition",
    "category": "Kategorie",
    "amount": "Basisbetrag",
    "first_year": "Erstes Jahr",
    "every": "Alle (Jahre)",
    "last_year": "Letztes Jahr",
    "life": "Nutzungsdauer (Jahre)",
    "fraction": "Restwertanteil",
    "total": "Summe",
    "present_value": "Barwert",
    "residual_value": "Restwert",
    "expected_repairs": "Erwartete Reparaturen",
    "expected_downtime": "Erwarteter Stillstand",
    "expected_orders": "Erwartete Reparaturaufträge",
    "total_basis": "Zahlungen gesamt",
    "total_nominal": "Zahlungen gesamt, nominal",
    "total_pv": "Barwert gesamt",
    "cumulative_pv": "Kumulierter Barwert",
    "lifetime_cost": "Lebenszykluskosten (Barwert)",
    "eac": "Äquivalente jährliche Kosten",
    "by_category": "Barwert nach Kategorie",
    "investment_flag": "Investitionsbezogen (1 = ja)",
    "investment_cost": "Investitionsbezogene Kosten (Barwert)",
    "operating_cost": "Betriebskosten (Barwert)",
    "price": "Kaufpreis (Anschaffung in Jahr 0)",
    "price_residual": "Darauf entfallender Restwert (Barwert)",
    "net_savings": "Nettoeinsparung gegenüber der Referenz",
    "added_investment": "Mehrinvestition (Barwert)",
    "operating_savings": "Betriebskosteneinsparung (Barwert)",
    "sir": "Einsparungs-Investitions-Verhältnis (SIR)",
    "airr": "Bereinigter interner Zinsfuß (AIRR)",
    "simple_payback": "Statische Amortisation (Jahr)",
    "discounted_payback": "Dynamische Amortisation (Jahr)",
    "dearer_again": "Wieder teurer ab Jahr",
    "cheaper_again": "Wieder günstiger ab Jahr",
    "breakeven": "Break-even-Jahr (Kostenkurven schneiden sich)",
    "irr": "Interner Zinsfuß der Mehrinvestition",
    "headroom": "Preisspielraum",
    "recommended": "Empfehlung",
    "recommended_mark": "empfohlen",
    "savings_basis": "Einsparung",
    "cum_savings": "Kumulierte Einsparung",
    "payback_flag": "Kumulierte Einsparung nicht negativ (1 = ja)",
    "savings_pv": "Einsparung (Barwert)",
    "cum_savings_pv": "Kumulierte Einsparung (Barwert)",
    "dpayback_flag": "Kumulierte Barwerteinsparung nicht negativ (1 = ja)",
    "neg_again_flag": "Nach der Amortisation wieder negativ (1 = ja)",
    "recovered_flag": "Danach nicht mehr negativ (1 = ja)",
    "cross_flag": "Kostenkurven haben sich geschnitten (1 = ja)",
    "cross_year": "Erstes Jahr nach dem Schnittpunkt",
    "helper_rows": "Hilfszeilen für Amortisation und Break-even, je Angebot gegenüber der Referenz",
    "payback_note": "Amortisation: \u2013, wenn das Angebot keine Mehrinvestition erfordert "
    "(nichts zu amortisieren), k. A., wenn die kumulierte Einsparung negativ bleibt. Wieder "
    "teurer / wieder günstiger: die Jahre nach der dynamischen Amortisation, in denen die "
    "kumulierte abgezinste Einsparung wieder negativ wird und sich erholt; leer, wenn nicht.",
    "na": "k. A.",
    "chart_cumulative": "Kumulierte abgezinste Kosten",
    "chart_categories": "Lebenszykluskosten nach Kategorie (Barwert)",
    "measure": "Kennzahl",
    "engine_version": "Version der Berechnung",
    "page_of": "Seite {page} von {pages}",
    "invalid_title": "Ungültige Eingabe",
    "allowed_title": "Zulässige Werte",
    "invalid_rate": "Geben Sie einen Satz über -100 % und höchstens 1.000 % ein (5 % oder 0,05 "
    "für fünf Prozent).",
    "invalid_fraction": "Geben Sie einen Anteil von 0 % bis 100 % ein.",
    "invalid_hours_year": "Geben Sie die Betriebsstunden pro Jahr ein, von 0 bis 8.784.",
    "invalid_hours": "Geben Sie eine Stundenzahl ein, 0 oder mehr.",
    "invalid_mtbf": "Geben Sie eine Zahl von Betriebsstunden ein, mindestens 1.",
    "invalid_shape": "Geben Sie einen Formparameter über 0 und höchstens 20 ein (1 = konstante "
    "Ausfallrate).",
    "invalid_money": "Geben Sie einen Betrag von 0 bis 1.000.000.000.000 ein.",
    "invalid_amount": "Geben Sie einen Betrag von -1.000.000.000.000 bis 1.000.000.000.000 ein "
    "(ein negativer Betrag ist eine Gutschrift).",
}

_METHOD_EN: Final[tuple[str, ...]] = (
    "Year 0 is the purchase. Years 1..N follow it; N is the study period.",
    "Amounts are given in base-year (year 0) prices. The cash flow of a line in year t is its "
    "base amount x its schedule (1 in the years it falls in, else 0) x the escalation factor of "
    "its driver, (1+e_1) x ... x (1+e_t): escalation compounds from the base year.",
    "A line without a driver keeps its real value: flat in a real analysis, growing at general "
    "inflation in a nominal one.",
    "Present value of an amount A in year t at the discount rate d: A / (1+d)^t. With mid-year "
    "timing, recurring amounts and expected failures are discounted at t - 0.5 (never before "
    "year 0); one-time amounts stay at t.",
    "Residual value: a line with a life leaves a credit in year N of its amount escalated to "
    "year N x remaining life / life (linear, of its last occurrence), or x its residual "
    "fraction where one is given. It counts as end of life.",
    "Expected failures in year t: H(t) - H(t-1), H(t) = (t x operating hours / MTBF)^shape "
    "(minimal repair). Each costs the repair cost not covered by a warranty or service plan, "
    "the downtime hours x the downtime cost per hour, and the buyer's cost of a repair order. "
    "Covered share, downtime hours and order cost are given per year: a warranty or plan period "
    "sets them for its years, the failure model's own values hold in the others.",
    "Lifetime cost: the sum of all present values. Equivalent annual cost: the lifetime cost "
    "spread over N years at the discount rate (-PMT(d, N, lifetime cost)).",
    "Net savings: lifetime cost of the baseline minus that of the offer. SIR: present value of "
    "operating savings / present value of added investment (acquisition, installation, "
    "replacement, financing and end of life are investment-related). AIRR = (1+d) x SIR^(1/N) "
    "- 1. Both are n/a where the offer adds no investment.",
    "Payback years: where the offer adds investment, the first year in which cumulative "
    "savings, undiscounted or discounted, are no longer negative (a dash where it adds none: "
    "there is nothing to pay back). Dearer again from year: the first year after the "
    "discounted payback in which cumulative discounted savings are negative again; cheaper "
    "again from year: the first year after that in which they are no longer negative. "
    "Breakeven: where the cumulative discounted cost curves cross, interpolated within the "
    "year.",
    "Price headroom: how much the year-0 acquisition price could rise before the offer costs as "
    "much over its life as the baseline.",
    "The workbook's formulas reproduce the engine to the cent; the cached values stored with "
    "them are the engine's results, so readers that do not recalculate see the same numbers.",
)

_METHOD_DE: Final[tuple[str, ...]] = (
    "Jahr 0 ist der Kauf. Es folgen die Jahre 1..N; N ist der Betrachtungszeitraum.",
    "Beträge sind in Preisen des Basisjahres (Jahr 0) angegeben. Die Zahlung einer Position im "
    "Jahr t ist ihr Basisbetrag x ihr Zeitplan (1 in den Jahren, in die sie fällt, sonst 0) x "
    "der Preissteigerungsfaktor ihres Treibers, (1+e_1) x ... x (1+e_t), ab dem Basisjahr.",
    "Eine Position ohne Treiber behält ihren realen Wert: konstant in einer realen Rechnung, mit "
    "der allgemeinen Inflation steigend in einer nominalen.",
    "Barwert eines Betrags A im Jahr t zum Zinssatz d: A / (1+d)^t. Bei Jahresmitte werden "
    "wiederkehrende Beträge und erwartete Ausfälle mit t - 0,5 abgezinst (nie vor Jahr 0); "
    "einmalige Beträge bleiben bei t.",
    "Restwert: eine Position mit Nutzungsdauer hinterlässt im Jahr N eine Gutschrift in Höhe "
    "ihres auf Jahr N gesteigerten Betrags x Restnutzungsdauer / Nutzungsdauer (linear, ab dem "
    "letzten Auftreten), oder x ihrem Restwertanteil, wo angegeben. Sie zählt zum Lebensende.",
    "Erwartete Ausfälle im Jahr t: H(t) - H(t-1), H(t) = (t x Betriebsstunden / MTBF)^Form "
    "(minimale Reparatur). Jeder kostet den nicht von Garantie oder Servicevertrag gedeckten "
    "Teil der Reparaturkosten, die Stillstandsstunden x die Stillstandskosten pro Stunde und "
    "die Kosten des Käufers für einen Reparaturauftrag. Gedeckter Anteil, Stillstandsstunden "
    "und Auftragskosten gelten je Jahr: ein Garantie- oder Vertragszeitraum legt sie für seine "
    "Jahre fest, in den übrigen gelten die Werte des Ausfallmodells.",
    "Lebenszykluskosten: die Summe aller Barwerte. Äquivalente jährliche Kosten: die "
    "Lebenszykluskosten verteilt auf N Jahre zum Kalkulationszinssatz (-RMZ(d; N; Kosten)).",
    "Nettoeinsparung: Lebenszykluskosten der Referenz minus die des Angebots. SIR: Barwert der "
    "Betriebskosteneinsparung / Barwert der Mehrinvestition (Anschaffung, Installation, Ersatz, "
    "Finanzierung und Lebensende sind investitionsbezogen). AIRR = (1+d) x SIR^(1/N) - 1. "
    "Beide entfallen, wenn das Angebot keine Mehrinvestition erfordert.",
    "Amortisationsjahr: wenn das Angebot eine Mehrinvestition erfordert, das erste Jahr, in dem "
    "die kumulierte Einsparung, nicht abgezinst oder abgezinst, nicht mehr negativ ist (ein "
    "Strich, wenn nicht: es gibt nichts zu amortisieren). Wieder teurer ab Jahr: das erste "
    "Jahr nach der dynamischen Amortisation, in dem die kumulierte abgezinste Einsparung wieder "
    "negativ ist; wieder günstiger ab Jahr: das erste Jahr danach, in dem sie nicht mehr "
    "negativ ist. Break-even: wo sich die kumulierten abgezinsten Kostenkurven schneiden, "
    "innerhalb des Jahres interpoliert.",
    "Preisspielraum: um wie viel der Kaufpreis in Jahr 0 steigen könnte, bis das Angebot über "
    "seine Lebensdauer so viel kostet wie die Referenz.",
    "Die Formeln der Arbeitsmappe bilden die Berechnung centgenau nach; die mit ihnen "
    "gespeicherten Werte sind die Ergebnisse der Berechnung, sodass Programme, die nicht neu "
    "berechnen, dieselben Zahlen sehen.",
)


def language(locale: str) -> str:
    """``de`` or ``en`` for a supported locale; an unknown locale raises ``LocaleError``
    (the same rule as the quote document)."""
    return "de" if doc_locale(locale).language == "de" else "en"


def labels(lang: str) -> Labels:
    return _DE if lang == "de" else _EN


def category_labels(lang: str) -> Labels:
    """Category names, shared with the quote document."""
    words = GERMAN if lang == "de" else ENGLISH
    return {c.value: words.get(c.value, c.value) for c in CATEGORIES}


def method_text(lang: str) -> tuple[str, ...]:
    return _METHOD_DE if lang == "de" else _METHOD_EN

"""Labels of the buyer's workbook (see :mod:`tco.presenters.xlsx`), by key, as English msgids
translated by the catalogs of :mod:`tco.presenters.i18n`. Labels the workbook words differently
from the quote document carry the msgctxt ``workbook`` (:data:`WORKBOOK_WORDING`). The Risk
sheet's labels (:data:`RISK_MSGIDS`, :func:`risk_caption`) are asked for only where the result
has an uncertainty block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tco.core.scenario import CATEGORIES
from tco.presenters.i18n import (
    N_,
    NP_,
    category_label,
    category_name,
    driver_name,
    gettext,
    ngettext,
    pgettext,
)
from tco.presenters.locale import DocLocale, doc_locale

Labels = Mapping[str, str]

#: The msgctxt of the labels in :data:`WORKBOOK_WORDING`.
WORKBOOK = "workbook"

#: The labels by key, in English.
LABEL_MSGIDS: Final[dict[str, str]] = {
    "sheet_summary": N_("Summary"),
    "sheet_assumptions": N_("Assumptions"),
    "sheet_comparison": N_("Comparison"),
    "sheet_method": N_("Method"),
    "title": N_("Total cost of ownership"),
    "legend": N_(
        "Yellow cells are inputs: change them and every result recalculates. All other cells are "
        "formulas (sheet protected, no password).",
    ),
    "quote": N_("Quote"),
    "version": N_("version"),
    "customer": N_("Customer"),
    "seller": N_("Seller"),
    "issued": N_("Issued"),
    "valid_until": N_("Valid until"),
    "terms": N_("Terms"),
    "currency": N_("Currency"),
    "study_period": N_("Study period (years)"),
    "rate_basis": N_("Rate basis"),
    "timing": N_("Timing of recurring amounts"),
    "discount_rate": NP_("workbook", "Discount rate"),
    "inflation": N_("General inflation"),
    "operating_hours": N_("Operating hours per year"),
    "downtime_cost": N_("Downtime cost per hour"),
    "per_year": N_("per year"),
    "hours": N_("hours"),
    "years": N_("years"),
    "parameter": N_("Parameter"),
    "value": N_("Value"),
    "unit": N_("Unit"),
    "note": N_("Note"),
    "basis_real": N_("real (constant base-year money)"),
    "basis_nominal": N_("nominal (then-current money)"),
    "timing_end_of_year": N_("end of year"),
    "timing_mid_year": N_("mid-year"),
    "fixed_note": N_("fixed by the layout of the offer sheets"),
    "escalation_rates": N_(
        "Escalation rates per driver (year 1..N; a given list's last rate holds for the remaining "
        "years)",
    ),
    "escalation_factors": N_("Escalation factors (year 0 = 1, compounding from the base year)"),
    "discount_factors": N_("Discount factors"),
    "driver": N_("Driver"),
    "year": N_("Year"),
    "given_one": N_("one rate"),
    "given_list": N_("rates per year"),
    "no_driver": N_("(no driver)"),
    "nominal_factor": N_("Nominal equivalent (general inflation)"),
    "df_once": N_("One-time amounts (end of year t)"),
    "df_recurring": N_("Recurring amounts and failures"),
    "offer": N_("Offer"),
    "offer_id": N_("Offer id"),
    "baseline": N_("baseline"),
    "baseline_label": N_("Baseline"),
    "failure_model": N_(
        "Failure model (expected failures per year = H(t) - H(t-1), H(t) = (t x hours / "
        "MTBF)^shape)",
    ),
    "mtbf": N_("MTBF (scale)"),
    "shape": N_("Shape"),
    "repair_cost": N_("Repair cost per failure (base year)"),
    "covered": N_("Share of repair cost covered, per year"),
    "downtime_hours": N_("Downtime per failure, per year"),
    "repair_driver": N_("Escalation of repairs"),
    "downtime_driver": N_("Escalation of downtime cost"),
    "order_cost": N_("Buyer's cost per repair order (base year), per year"),
    "coverage_period": N_("Warranty or plan period"),
    "period": N_("Period"),
    "coverage": N_("Warranty and service plan"),
    "cov_name": N_("Warranty or plan"),
    "cov_kind": N_("Kind"),
    "cov_renewal": N_("Renewal (0 = first term)"),
    "cov_fee": N_("Annual fee (base year)"),
    "cov_from": N_("From year"),
    "cov_until": N_("Until year"),
    "cov_repairs": N_("Repairs covered"),
    "cov_maintenance": N_("Maintenance covered"),
    "cov_response": N_("Response time (hours)"),
    "cov_downtime": N_("Downtime per failure (hours)"),
    "cov_uptime": N_("Uptime promise"),
    "kind_warranty": N_("Warranty"),
    "kind_service_plan": NP_("workbook", "Service plan"),
    "coverage_note": N_(
        "Outside these terms the buyer pays repairs, maintenance and repair orders in full. The "
        "failure model's rows per year below hold the terms of each year.",
    ),
    "effort_not_counted": N_(
        "The buyer's own procurement effort (purchase and repair orders) is not counted in these "
        "figures.",
    ),
    "order_driver": N_("Escalation of repair orders"),
    "expected_failures": N_("Expected failures"),
    "cash_flows": N_("Cash flows"),
    "present_values": N_("Present values at the discount rate"),
    "line": N_("Cost line"),
    "category": N_("Category"),
    "amount": N_("Base amount"),
    "first_year": N_("First year"),
    "every": N_("Every (years)"),
    "last_year": N_("Last year"),
    "life": N_("Life (years)"),
    "fraction": N_("Residual fraction"),
    "total": N_("Total"),
    "present_value": N_("Present value"),
    "residual_value": N_("residual value"),
    "expected_repairs": N_("Expected repairs"),
    "expected_downtime": N_("Expected downtime"),
    "expected_orders": N_("Expected repair orders"),
    "total_basis": N_("Total cash flow"),
    "total_nominal": N_("Total cash flow, nominal"),
    "total_pv": N_("Total present value"),
    "cumulative_pv": N_("Cumulative present value"),
    "lifetime_cost": N_("Lifetime cost (present value)"),
    "eac": N_("Equivalent annual cost"),
    "by_category": N_("Present value by category"),
    "investment_flag": N_("Investment-related (1 = yes)"),
    "investment_cost": N_("Investment-related costs (PV)"),
    "operating_cost": N_("Operating costs (PV)"),
    "price": N_("Purchase price (year-0 acquisition)"),
    "price_residual": N_("Residual credit earned by it (PV)"),
    "net_savings": N_("Net savings against the baseline"),
    "added_investment": N_("Added investment (PV)"),
    "operating_savings": N_("Operating savings (PV)"),
    "sir": N_("Savings-to-investment ratio (SIR)"),
    "airr": N_("Adjusted internal rate of return (AIRR)"),
    "simple_payback": N_("Simple payback year"),
    "discounted_payback": N_("Discounted payback year"),
    "dearer_again": N_("Dearer again from year"),
    "cheaper_again": N_("Cheaper again from year"),
    "breakeven": N_("Breakeven year (cost curves cross)"),
    "irr": N_("IRR of the added investment"),
    "headroom": N_("Price headroom"),
    "recommended": N_("Recommended"),
    "recommended_mark": N_("recommended"),
    "savings_basis": N_("Savings"),
    "cum_savings": N_("Cumulative savings"),
    "payback_flag": N_("Cumulative savings not negative (1 = yes)"),
    "savings_pv": N_("Savings (PV)"),
    "cum_savings_pv": N_("Cumulative savings (PV)"),
    "dpayback_flag": N_("Cumulative PV savings not negative (1 = yes)"),
    "neg_again_flag": N_("Negative again after the payback (1 = yes)"),
    "recovered_flag": N_("Not negative again after that (1 = yes)"),
    "cross_flag": N_("Cost curves have crossed (1 = yes)"),
    "cross_year": N_("First year after the crossing"),
    "helper_rows": N_("Working rows for paybacks and breakeven, per offer against the baseline"),
    "payback_note": N_(
        "Paybacks: – where the offer adds no investment (nothing to pay back), n/a where "
        "cumulative savings stay negative. Dearer again / cheaper again: the years after the "
        "discounted payback in which cumulative discounted savings turn negative again and "
        "recover; blank where they do not.",
    ),
    "na": N_("n/a"),
    "chart_cumulative": N_("Cumulative discounted cost"),
    "chart_categories": N_("Lifetime cost by category (present value)"),
    "measure": N_("Measure"),
    "engine_version": N_("Engine version"),
    "page_of": N_("Page {page} of {pages}"),
    "invalid_title": N_("Invalid input"),
    "allowed_title": N_("Allowed values"),
    "invalid_rate": N_(
        "Enter a rate above -100 % and at most 1,000 % (5 % or 0.05 for five percent).",
    ),
    "invalid_fraction": N_("Enter a share from 0 % to 100 %."),
    "invalid_hours_year": N_("Enter the operating hours per year, from 0 to 8,784."),
    "invalid_hours": N_("Enter a number of hours, 0 or more."),
    "invalid_mtbf": N_("Enter a number of operating hours, at least 1."),
    "invalid_shape": N_("Enter a shape above 0 and at most 20 (1 = constant failure rate)."),
    "invalid_money": N_("Enter an amount from 0 to 1,000,000,000,000."),
    "invalid_amount": N_(
        "Enter an amount from -1,000,000,000,000 to 1,000,000,000,000 (a negative amount is a "
        "credit).",
    ),
}

#: The Risk sheet's labels by key, in English (some shared with the quote document's risk
#: section: "Input", "Input at P10", "Chance of saving", "What moves the net savings of ...").
RISK_MSGIDS: Final[dict[str, str]] = {
    "sheet_risk": N_("Risk"),
    "risk_title": N_("Uncertainty and sensitivity"),
    "sampling_latin_hypercube": N_("Latin hypercube sampling"),
    "sampling_random": N_("random sampling"),
    "inputs": N_("Uncertain inputs"),
    "inputs_note": N_(
        "Value in this workbook: the value the other sheets use. A factor multiplies the values "
        "it applies to (1: as quoted); a value replaces them (blank: each keeps its own). Type a "
        "switching value into the cell named under Type into, and that offer's net savings "
        "become 0.",
    ),
    "input": N_("Input"),
    "kind": N_("Kind"),
    "distribution": N_("Distribution"),
    "applies_to": N_("Applies to"),
    "p10": N_("P10"),
    "p50": N_("P50"),
    "p90": N_("P90"),
    "in_workbook": N_("Value in this workbook"),
    "type_into": N_("Type into"),
    "kind_factor": N_("factor"),
    "kind_value": N_("value"),
    "dist_uniform": N_("uniform from {low} to {high}"),
    "dist_triangular": N_("triangular from {low} to {high}, mode {mode}"),
    "dist_pert": N_("PERT from {low} to {high}, mode {mode}"),
    "dist_normal": N_("normal, mean {mean}, standard deviation {sd}"),
    "dist_normal_bounded": N_(
        "normal, mean {mean}, standard deviation {sd}, truncated to {low} to {high}",
    ),
    "dist_lognormal": N_("lognormal, median {median}, sigma {sigma}"),
    "escalation_of": N_("Escalation rates ({driver})"),
    "live_savings": N_("Net savings of {offer} in this workbook"),
    "live_cost": N_("Lifetime cost of {offer} in this workbook"),
    "lcc": N_("Lifetime cost over the simulated futures (present value)"),
    "savings": N_("Net savings against the baseline over the simulated futures (present value)"),
    "percentile_note": N_(
        "P10 and P90: one simulated future in ten lies below the P10, one in ten above the P90; "
        "P50 is the median.",
    ),
    "chance_lowest": N_("Chance of the lowest cost"),
    "chance_saving": N_("Chance of saving"),
    "switching": N_("Switching values: where the offer's net savings would be 0"),
    "switching_note": N_(
        "The value of the input, alone (every other input at base), at which the offer's net "
        "savings against the baseline would be 0, sought from the input's P0.1 to its P99.9; "
        "none in range: they do not turn there.",
    ),
    "none_in_range": N_("none in range"),
    "sensitivity": N_("What moves the net savings of {offer} most"),
    "sensitivity_cost": N_("What moves the lifetime cost of {offer} most"),
    "sensitivity_note": N_(
        "Each input alone at its P10 and at its P90, every other input at base; the largest "
        "swing first. The chart's bars start at the base case.",
    ),
    "input_p10": N_("Input at P10"),
    "input_p90": N_("Input at P90"),
    "savings_p10": N_("Net savings at P10"),
    "savings_p90": N_("Net savings at P90"),
    "cost_p10": N_("Lifetime cost at P10"),
    "cost_p90": N_("Lifetime cost at P90"),
    "swing": N_("Swing"),
    "base_case": N_("Base case"),
    "net_savings": N_("Net savings"),
    "lifetime_cost": N_("Lifetime cost"),
    "invalid_factor": N_("Enter a factor (1: as quoted)."),
    "invalid_factor_positive": N_("Enter a factor above 0 (1: as quoted)."),
    "invalid_factor_non_negative": N_("Enter a factor of 0 or more (1: as quoted)."),
}

#: Keys of the labels whose German differs from the document's for the same English.
WORKBOOK_WORDING: Final[frozenset[str]] = frozenset({"discount_rate", "kind_service_plan"})

#: The paragraphs of the Method sheet, in English.
METHOD_MSGIDS: Final[tuple[str, ...]] = (
    N_("Year 0 is the purchase. Years 1..N follow it; N is the study period."),
    N_(
        "Amounts are given in base-year (year 0) prices. The cash flow of a line in year t is its "
        "base amount x its schedule (1 in the years it falls in, else 0) x the escalation factor "
        "of its driver, (1+e_1) x ... x (1+e_t): escalation compounds from the base year.",
    ),
    N_(
        "A line without a driver keeps its real value: flat in a real analysis, growing at "
        "general inflation in a nominal one.",
    ),
    N_(
        "Present value of an amount A in year t at the discount rate d: A / (1+d)^t. With "
        "mid-year timing, recurring amounts and expected failures are discounted at t - 0.5 "
        "(never before year 0); one-time amounts stay at t.",
    ),
    N_(
        "Residual value: a line with a life leaves a credit in year N of its amount escalated to "
        "year N x remaining life / life (linear, of its last occurrence), or x its residual "
        "fraction where one is given. It counts as end of life.",
    ),
    N_(
        "Expected failures in year t: H(t) - H(t-1), H(t) = (t x operating hours / MTBF)^shape "
        "(minimal repair). Each costs the repair cost not covered by a warranty or service plan, "
        "the downtime hours x the downtime cost per hour, and the buyer's cost of a repair order. "
        "Covered share, downtime hours and order cost are given per year: a warranty or plan "
        "period sets them for its years, the failure model's own values hold in the others.",
    ),
    N_(
        "Lifetime cost: the sum of all present values. Equivalent annual cost: the lifetime cost "
        "spread over N years at the discount rate (-PMT(d, N, lifetime cost)).",
    ),
    N_(
        "Net savings: lifetime cost of the baseline minus that of the offer. SIR: present value "
        "of operating savings / present value of added investment (acquisition, installation, "
        "replacement, financing and end of life are investment-related). AIRR = (1+d) x SIR^(1/N) "
        "- 1. Both are n/a where the offer adds no investment.",
    ),
    N_(
        "Payback years: where the offer adds investment, the first year in which cumulative "
        "savings, undiscounted or discounted, are no longer negative (a dash where it adds none: "
        "there is nothing to pay back). Dearer again from year: the first year after the "
        "discounted payback in which cumulative discounted savings are negative again; cheaper "
        "again from year: the first year after that in which they are no longer negative. "
        "Breakeven: where the cumulative discounted cost curves cross, interpolated within the "
        "year.",
    ),
    N_(
        "Price headroom: how much the year-0 acquisition price could rise before the offer costs "
        "as much over its life as the baseline.",
    ),
    N_(
        "The workbook's formulas reproduce the engine to the cent; the cached values stored with "
        "them are the engine's results, so readers that do not recalculate see the same numbers.",
    ),
)


def language(locale: str) -> str:
    """``de`` or ``en`` for a supported locale; an unknown locale raises ``LocaleError``
    (the same rule as the quote document)."""
    return "de" if doc_locale(locale).language == "de" else "en"


def labels(lang: str) -> Labels:
    """The workbook's labels in ``lang``, by key."""
    return {
        key: pgettext(lang, WORKBOOK, msgid) if key in WORKBOOK_WORDING else gettext(lang, msgid)
        for key, msgid in LABEL_MSGIDS.items()
    }


def risk_labels(lang: str) -> Labels:
    """The Risk sheet's labels in ``lang``, by key."""
    return {key: gettext(lang, msgid) for key, msgid in RISK_MSGIDS.items()}


def risk_caption(lang: str, draws: int, sampling: str, seed: int) -> str:
    """What the Risk sheet's figures come from: the draws, the sampling (already in ``lang``)
    and the seed; that they are values, not formulas."""
    return ngettext(
        lang,
        "The ranges, chances, sensitivities and switching values on this sheet come from {n} "
        "simulated future ({sampling}, seed {seed}): they are values, not formulas, and stay as "
        "they are when an input changes.",
        "The ranges, chances, sensitivities and switching values on this sheet come from {n} "
        "simulated futures ({sampling}, seed {seed}): they are values, not formulas, and stay as "
        "they are when an input changes.",
        draws,
        n=number_locale(lang).number(draws),
        sampling=sampling,
        seed=str(seed),
    )


def number_locale(lang: str) -> DocLocale:
    """The locale numbers in the workbook's text are written in (``de`` or ``en``)."""
    return doc_locale(lang)


def category_labels(lang: str) -> Labels:
    """Category names, shared with the quote document."""
    return {c.value: category_label(lang, c) for c in CATEGORIES}


def category_names(lang: str) -> Labels:
    """Category names as the cash-flow rows show them and the category table matches them
    (``end of life`` / ``Lebensende``)."""
    return {c.value: category_name(lang, c) for c in CATEGORIES}


def driver_label(lang: str, driver: str) -> str:
    """An escalation driver's name, shared with the quote document."""
    return driver_name(lang, driver)


def method_text(lang: str) -> tuple[str, ...]:
    return tuple(gettext(lang, paragraph) for paragraph in METHOD_MSGIDS)

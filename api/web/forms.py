"""The quote builder's form: its fields, their defaults, the quote request they make, and the
way a problem's path (``offers[1].equipment[0].product.failures.mtbf_hours``) finds its field.

The form has one offer of ours (a catalog product x quantity with a discount, a service plan
and financing) and one offer entered by hand (a competitor's machine, or the machine the buyer
already has), compared against it as the baseline. Fields hold text as typed; percentages are
typed as percent (8 means 0.08). :func:`request_from_form` makes a complete quote request, in
which every mapping the form edits is given in full, so that it can also be merged into a saved
request as the changes of a revision (:func:`tco.quoting.versions.apply_changes`) and replace
what the form shows while keeping what it does not (extra cost lines, escalation, further offers).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from api.web.i18n import translator
from api.web.numbers import NumberError, example, format_number, number_language, parse_number
from api.web.ranges import blank as ranges_blank
from api.web.ranges import form_from_uncertainty, uncertainty_from_form
from tco.core.errors import Problem
from tco.quoting.catalog import Catalog, Product

Kind = Literal["text", "int", "number", "money", "percent", "date", "select"]
#: Kinds of fields that hold a number, typed and shown in the form's locale.
NUMERIC: frozenset[str] = frozenset({"int", "number", "money", "percent"})

OURS, COMP = "ours", "competitor"
LOCALES = (("en", "English"), ("de_DE", "Deutsch"))
FINANCING = ("cash", "loan", "lease")
COMP_KINDS = ("competitor", "status_quo")
TIMINGS = ("arrears", "advance")
#: Renewals of a plan with a term the page offers: none, to the end of the study, or 1-3 times.
RENEWALS = (
    ("", "none: the plan's term only"),
    ("to_end", "to the end of the study period"),
    ("1", "once"),
    ("2", "twice"),
    ("3", "three times"),
)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: Kind
    required: bool = False
    unit: str = ""
    step: str = "any"
    minimum: str | None = "0"


F = Field
FIELDS: tuple[Field, ...] = (
    F("title", "Title", "text"),
    F("customer_id", "Customer record", "select"),
    F("customer_name", "Customer", "text", required=True),
    F("customer_segment", "Customer segment", "select"),
    F("seller", "Seller", "text", required=True),
    F("as_of", "Quote date", "date", required=True),
    F("valid_days", "Valid for", "int", unit="days", step="1"),
    F("locale", "Document language", "select"),
    F("currency", "Currency", "select"),
    F("ours_sku", "Product", "select", required=True),
    F("ours_quantity", "Quantity", "int", required=True, step="1", minimum="1"),
    F("ours_discount_pct", "Discount", "percent", unit="%"),
    F("ours_plan", "Service plan", "select"),
    F("ours_renew", "Plan renewal", "select"),
    F("ours_financing", "Financing", "select"),
    F("ours_loan_rate_pct", "Loan interest rate", "percent", unit="% a year", minimum=None),
    F("ours_term_years", "Term", "int", unit="years", step="1", minimum="1"),
    F("ours_down_payment", "Down payment", "money"),
    F("ours_lease_payment", "Lease payment per year", "money"),
    F("ours_lease_timing", "Lease payments", "select"),
    F("comp_kind", "Compare with", "select"),
    F("comp_library", "From the competitor library", "select"),
    F("comp_name", "Name", "text", required=True),
    F("comp_price", "Price", "money", required=True),
    F("comp_life_years", "Service life", "int", required=True, unit="years", step="1", minimum="1"),
    F("comp_power_kw", "Rated power", "number", unit="kW"),
    F("comp_load_pct", "Average load", "percent", unit="%"),
    F("comp_mtbf_hours", "Operating hours between failures", "number", unit="h"),
    F("comp_repair_cost", "Repair cost per failure", "money"),
    F("comp_downtime_hours", "Downtime per failure", "number", unit="h"),
    F("comp_maintenance_cost", "Preventive maintenance per year", "money"),
    F("comp_installation_cost", "Installation", "money"),
    F("comp_fee", "Service contract fee per year", "money"),
    F("comp_repair_covered_pct", "Repairs covered by the contract", "percent", unit="%"),
    F("comp_maintenance_covered_pct", "Maintenance covered by the contract", "percent", unit="%"),
    F("comp_response_hours", "Contract response time", "number", unit="h"),
    F("a_study_period_years", "Study period", "int", unit="years", step="1", minimum="1"),
    F("a_discount_rate_pct", "Discount rate", "percent", unit="% a year", minimum=None),
    F("a_inflation_pct", "General inflation", "percent", unit="% a year", minimum=None),
    F("a_operating_hours_per_year", "Operating hours per year", "number", unit="h"),
    F("a_downtime_cost_per_hour", "Downtime cost per hour", "money"),
    F("a_energy_price_per_kwh", "Energy price per kWh", "money"),
    F("a_buyer_hourly_rate", "Buyer's hourly rate", "money"),
    F("a_hours_per_purchase_order", "Hours per purchase order", "number", unit="h"),
    F("a_hours_per_repair_order", "Hours per repair order", "number", unit="h"),
    F("u_energy_price", "Electricity price", "select"),
    F("u_ours_energy_use", "Our energy use", "select"),
    F("u_ours_mtbf", "Our time between failures", "select"),
    F("u_comp_mtbf", "Their time between failures", "select"),
    F("u_downtime_cost", "Cost of downtime", "select"),
    F("u_discount_rate", "Discount rate", "select"),
)
BY_NAME = {f.name: f for f in FIELDS}
#: Hidden fields, in machine format: offer ids, the other offer's data the form does not show,
#: the locale the form's numbers are written in, the version a revision starts from and the
#: form's one-time token.
HIDDEN = (
    "ours_id",
    "comp_id",
    "comp_extra",
    "u_extra",
    "baseline",
    "number_locale",
    "base_version",
    "form_token",
)

#: Assumption fields: form field -> (request key, value kind).
ASSUMPTIONS: dict[str, tuple[str, Kind]] = {
    "a_study_period_years": ("study_period_years", "int"),
    "a_discount_rate_pct": ("discount_rate", "percent"),
    "a_inflation_pct": ("inflation", "percent"),
    "a_operating_hours_per_year": ("operating_hours_per_year", "number"),
    "a_downtime_cost_per_hour": ("downtime_cost_per_hour", "money"),
    "a_energy_price_per_kwh": ("energy_price_per_kwh", "money"),
    "a_buyer_hourly_rate": ("buyer_hourly_rate", "money"),
    "a_hours_per_purchase_order": ("hours_per_purchase_order", "number"),
    "a_hours_per_repair_order": ("hours_per_repair_order", "number"),
}

_EQ = ".equipment[0]"
_PRODUCT = ".equipment[0].product"
#: Problem path (after ``offers[<id>]`` for the two offers) -> form field; longest prefix wins.
OFFER_PATHS: dict[str, dict[str, str]] = {
    OURS: {
        "": "ours_sku",
        ".equipment": "ours_sku",
        f"{_EQ}.sku": "ours_sku",
        f"{_EQ}.quantity": "ours_quantity",
        f"{_EQ}.discount": "ours_discount_pct",
        ".service_plan": "ours_plan",
        ".service": "ours_plan",
        ".renew": "ours_renew",
        ".financing": "ours_financing",
        ".financing.kind": "ours_financing",
        ".financing.rate": "ours_loan_rate_pct",
        ".financing.term_years": "ours_term_years",
        ".financing.down_payment": "ours_down_payment",
        ".financing.payment_per_year": "ours_lease_payment",
        ".financing.timing": "ours_lease_timing",
    },
    COMP: {
        "": "comp_price",
        ".id": "comp_name",
        ".name": "comp_name",
        ".equipment": "comp_price",
        f"{_EQ}.unit_price": "comp_price",
        f"{_PRODUCT}.list_price": "comp_price",
        f"{_PRODUCT}.name": "comp_name",
        f"{_PRODUCT}.life_years": "comp_life_years",
        f"{_PRODUCT}.energy": "comp_power_kw",
        f"{_PRODUCT}.energy.power_kw": "comp_power_kw",
        f"{_PRODUCT}.energy.load_factor": "comp_load_pct",
        f"{_PRODUCT}.failures": "comp_mtbf_hours",
        f"{_PRODUCT}.failures.mtbf_hours": "comp_mtbf_hours",
        f"{_PRODUCT}.failures.repair_cost": "comp_repair_cost",
        f"{_PRODUCT}.failures.downtime_hours": "comp_downtime_hours",
        f"{_PRODUCT}.maintenance": "comp_maintenance_cost",
        f"{_PRODUCT}.maintenance[0].cost": "comp_maintenance_cost",
        f"{_PRODUCT}.installation_cost": "comp_installation_cost",
        ".service": "comp_fee",
        ".service.annual_fee": "comp_fee",
        ".service.repair_covered": "comp_repair_covered_pct",
        ".service.maintenance_covered": "comp_maintenance_covered_pct",
        ".service.response_hours": "comp_response_hours",
    },
}
TOP_PATHS: dict[str, str] = {
    "title": "title",
    "customer": "customer_name",
    "customer.id": "customer_id",
    "customer.name": "customer_name",
    "customer.segment": "customer_segment",
    "seller": "seller",
    "as_of": "as_of",
    "valid_days": "valid_days",
    "valid_until": "valid_days",
    "currency": "currency",
    "locale": "locale",
    "assumptions.escalation": "a_study_period_years",
    **{f"assumptions.{key}": name for name, (key, _) in ASSUMPTIONS.items()},
}


@dataclass
class FormErrors:
    """Messages by field name, and those that belong to no field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
        elif name not in self.fields:
            self.fields[name] = message

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def field_of(path: str, offer_ids: Sequence[str], roles: Mapping[str, str]) -> str | None:
    """The form field a problem path belongs to; None when no field shows it.

    ``offer_ids`` are the request's offers in order, ``roles`` maps an offer id to ``ours`` or
    ``competitor``.
    """
    m = re.match(r"^offers\[(\d+)\](.*)$", path)
    if m is not None:
        k = int(m.group(1))
        role = roles.get(offer_ids[k]) if k < len(offer_ids) else None
        if role is None:
            return None
        table, rest = OFFER_PATHS[role], m.group(2)
    else:
        table, rest = TOP_PATHS, path
    matches = [p for p in table if rest == p or rest.startswith((p + ".", p + "["))]
    best = max(matches, key=len, default=None)
    return None if best is None else table[best]


def map_problems(
    problems: Sequence[Problem], offer_ids: Sequence[str], roles: Mapping[str, str]
) -> FormErrors:
    errors = FormErrors()
    for p in problems:
        name = field_of(p.path, offer_ids, roles)
        errors.add(name, p.message if name is not None else str(p))
    return errors


# --------------------------------------------------------------------------------------------
# Parsing typed text


class _Reader:
    """Reads typed values field by field, collecting one message per field.

    Numbers are read in the form's locale (:func:`api.web.numbers.number_language`); the
    messages of numbers that cannot be read are written in the page's ``language``.
    """

    def __init__(self, values: Mapping[str, str], language: str = "en") -> None:
        self.values = values
        self.errors = FormErrors()
        self.numbers = number_language(values.get("number_locale"), language)
        self.t = translator(language)

    def text(self, name: str) -> str:
        value = self.values.get(name, "").strip()
        if not value and BY_NAME[name].required:
            self.errors.add(name, "required")
        return value

    def decimal(self, name: str) -> Decimal | None:
        spec = BY_NAME[name]
        try:
            value = parse_number(self.values.get(name, ""), self.numbers)
        except NumberError:
            key = (
                "enter a whole number such as {example}"
                if spec.kind == "int"
                else "enter a number such as {example}"
            )
            self.errors.add(name, self.t(key).format(example=example(spec.kind, self.numbers)))
            return None
        if value is None:
            if spec.required:
                self.errors.add(name, "required")
            return None
        if spec.kind == "int" and value != value.to_integral_value():
            self.errors.add(name, "enter a whole number")
            return None
        if spec.minimum is not None and value < Decimal(spec.minimum):
            self.errors.add(name, f"must be at least {spec.minimum}")
            return None
        return value

    def needed(self, *names: str) -> None:
        """Fields required by the choice made in another field (a loan needs its rate)."""
        for name in names:
            if not self.values.get(name, "").strip():
                self.errors.add(name, "required")

    def integer(self, name: str) -> int | None:
        value = self.decimal(name)
        return None if value is None else int(value)

    def fraction(self, name: str, *, below_one: bool = False) -> Decimal | None:
        """A percentage typed as percent, returned as a fraction (8 -> 0.08)."""
        value = self.decimal(name)
        if value is None:
            return None
        if BY_NAME[name].minimum is not None and (value >= 100 if below_one else value > 100):
            self.errors.add(name, "must be below 100 %" if below_one else "must be at most 100 %")
            return None
        return value / 100

    def money(self, name: str) -> str | None:
        value = self.decimal(name)
        return None if value is None else str(value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _extra(values: Mapping[str, str], errors: FormErrors) -> dict[str, Any]:
    raw = values.get("comp_extra", "").strip() or "{}"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        errors.add(None, "the form's hidden field comp_extra is damaged; reload the page")
        return {}
    return data


def request_from_form(
    values: Mapping[str, str], language: str = "en"
) -> tuple[dict[str, Any] | None, FormErrors]:
    """The complete quote request the form describes, or the messages of the fields to fix.

    Numbers are read in the form's locale (its ``number_locale``, else ``language``); messages
    are in ``language``."""
    r = _Reader(values, language)
    currency = r.text("currency") or "EUR"
    comp_id = values.get("comp_id", COMP) or COMP
    ours = _ours(r, values.get("ours_id", OURS) or OURS)
    comp = _competitor(r, values, comp_id, currency)
    customer: dict[str, Any] = {
        "name": r.text("customer_name"),
        "segment": r.text("customer_segment"),
    }
    record = values.get("customer_id", "").strip()
    if record.isdigit():  # a customer record: its name and segment must be the record's
        customer["id"] = int(record)
    request = {
        "title": r.text("title"),
        "customer": customer,
        "seller": r.text("seller"),
        "as_of": r.text("as_of"),
        "valid_days": r.integer("valid_days") or 30,
        "valid_until": None,
        "currency": currency,
        "locale": r.text("locale") or "en",
        "assumptions": _assumptions(r),
        "baseline": values.get("baseline") or comp_id,
        "offers": [ours, comp],
    }
    unc, damaged = uncertainty_from_form(values, {OURS: ours["id"], COMP: comp_id})
    if damaged is not None:
        r.errors.add(None, damaged)
    request["uncertainty"] = unc
    if r.errors:
        return None, r.errors
    return request, r.errors


def _assumptions(r: _Reader) -> dict[str, Any]:
    assumptions: dict[str, Any] = {}
    for name, (key, kind) in ASSUMPTIONS.items():
        if kind == "int":
            value: Any = r.integer(name)
        elif kind == "percent":
            value = _float(r.fraction(name))
        elif kind == "number":
            value = _float(r.decimal(name))
        else:
            value = r.money(name)
        if value is not None:
            assumptions[key] = value
    return assumptions


def _ours(r: _Reader, ours_id: str) -> dict[str, Any]:
    """Our offer: the catalog product, its discount, service plan, renewal and financing."""
    discount = r.fraction("ours_discount_pct", below_one=True)
    plan = r.text("ours_plan") or None
    return {
        "id": ours_id,
        "name": "",
        "equipment": [
            {
                "sku": r.text("ours_sku"),
                "quantity": r.integer("ours_quantity"),
                "discount": str(discount if discount is not None else 0),
            }
        ],
        "service_plan": plan,
        "service": None,
        "renew": _renewal(r) if plan else None,
        "financing": _financing(r),
    }


def _renewal(r: _Reader) -> str | int | None:
    renew_text = r.text("ours_renew")
    if renew_text == "to_end":
        return renew_text
    if renew_text.isdigit():
        return int(renew_text)
    if renew_text:
        r.errors.add("ours_renew", f"'{renew_text}' is not a renewal this page offers")
    return None


def _financing(r: _Reader) -> dict[str, Any]:
    how = r.text("ours_financing") or "cash"
    financing: dict[str, Any] = {
        "kind": how,
        "rate": None,
        "term_years": None,
        "down_payment": "0",
        "payment_per_year": None,
        "rate_factor": None,
        "timing": "arrears",
    }
    if how == "loan":
        financing["rate"] = _float(r.fraction("ours_loan_rate_pct"))
        financing["term_years"] = r.integer("ours_term_years")
        financing["down_payment"] = r.money("ours_down_payment") or "0"
        r.needed("ours_loan_rate_pct", "ours_term_years")
    elif how == "lease":
        financing["term_years"] = r.integer("ours_term_years")
        financing["payment_per_year"] = r.money("ours_lease_payment")
        financing["timing"] = r.text("ours_lease_timing") or "arrears"
        r.needed("ours_term_years", "ours_lease_payment")
    return financing


def _competitor(r: _Reader, values: Mapping[str, str], comp_id: str, currency: str) -> Any:
    extra = _extra(values, r.errors)
    status_quo = r.text("comp_kind") == "status_quo"
    name = r.text("comp_name")
    bought = not status_quo or values.get("comp_price", "").strip()
    price = r.money("comp_price") if bought else "0"
    library = "" if status_quo else values.get("comp_library", "").strip()
    product: dict[str, Any] = {  # a machine from the library keeps its code as its sku
        "sku": library or str(extra.get("sku") or ("EXISTING" if status_quo else "COMPETITOR")),
        "name": name,
        "list_price": price if price is not None else "0",
        "currency": currency,
        "life_years": r.integer("comp_life_years"),
        "installation_cost": r.money("comp_installation_cost") or "0",
    }
    for key in ("kind", "commissioning_cost", "training_cost", "residual"):
        if key in extra:
            product[key] = extra[key]
    if status_quo and "residual" not in extra:
        product["residual"] = {"method": "none"}
    power = r.decimal("comp_power_kw")
    load = r.fraction("comp_load_pct")
    if power is not None and power > 0:
        product["energy"] = {
            "power_kw": float(power),
            "load_factor": float(load) if load is not None else 1.0,
        }
    mtbf = r.decimal("comp_mtbf_hours")
    if mtbf is not None:
        failures = {
            "mtbf_hours": float(mtbf),
            "repair_cost": r.money("comp_repair_cost") or "0",
            "downtime_hours": _float(r.decimal("comp_downtime_hours")) or 0.0,
        }
        failures.update(extra.get("failures", {}))
        product["failures"] = failures
    tasks = list(extra.get("maintenance", []))
    yearly = r.money("comp_maintenance_cost")
    if yearly is not None and Decimal(yearly) > 0:
        first = extra.get("maintenance_first", {"name": "Preventive maintenance", "every_years": 1})
        tasks.insert(0, {**first, "cost": yearly})
    product["maintenance"] = tasks
    fee = r.money("comp_fee")
    service = None
    if fee is not None and Decimal(fee) > 0:
        covered = r.fraction("comp_repair_covered_pct")
        maint = r.fraction("comp_maintenance_covered_pct")
        service = {
            "code": "CONTRACT",
            "name": "Service contract",
            "annual_fee": fee,
            "currency": currency,
            "fee_percent": None,
            "escalation_rate": None,
            "term_years": None,
            "repair_covered": float(covered) if covered is not None else 0.0,
            "maintenance_covered": float(maint) if maint is not None else 0.0,
            "response_hours": _float(r.decimal("comp_response_hours")),
            "uptime_promise": None,
        }
    return {
        "id": comp_id,
        "name": name,
        "equipment": [{"unit_price": price, "quantity": 1, "product": product}],
        "service_plan": None,
        "service": service,
        "financing": {"kind": "cash"},
    }


# --------------------------------------------------------------------------------------------
# Defaults and saved requests as form values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _percent(value: Any) -> str:
    if value is None or value == "":
        return ""
    return _text(Decimal(str(value)) * 100)


def localized(values: Mapping[str, str], language: str) -> dict[str, str]:
    """Form values with the numbers (machine format, ``29500.5``) written the way the form of a
    page in ``language`` shows them (``29.500,5``), and the form marked with that locale."""
    out = dict(values)
    for f in FIELDS:
        text = out.get(f.name, "")
        if f.kind in NUMERIC and text:
            # a text that is no number (decimal.InvalidOperation) is shown as it is
            with contextlib.suppress(ArithmeticError):
                out[f.name] = format_number(text, language)
    out["number_locale"] = language
    return out


def new_form(
    catalog: Catalog, *, seller: str, today: date, locale: str, language: str = "en"
) -> dict[str, str]:
    """A blank quote: catalog defaults, our first product, its profile for the other offer;
    numbers written for a page in ``language``."""
    return localized(_blank(catalog, seller=seller, today=today, locale=locale), language)


def _blank(catalog: Catalog, *, seller: str, today: date, locale: str) -> dict[str, str]:
    values = {f.name: "" for f in FIELDS}
    values.update(
        seller=seller,
        as_of=today.isoformat(),
        valid_days="30",
        locale=locale,
        currency=currencies(catalog)[0],
        customer_segment="standard",
        ours_id=OURS,
        comp_id=COMP,
        comp_extra="{}",
        baseline="",
        ours_quantity="1",
        ours_discount_pct="0",
        ours_financing="cash",
        ours_lease_timing="arrears",
        comp_kind="competitor",
        comp_repair_covered_pct="0",
        comp_maintenance_covered_pct="0",
    )
    values.update(ranges_blank())
    d = catalog.defaults
    for name, (key, kind) in ASSUMPTIONS.items():
        value = getattr(d, key)
        values[name] = _percent(value) if kind == "percent" else _text(value)
    if catalog.products:
        values["ours_sku"] = catalog.products[0].sku
        values.update(product_profile(catalog.products[0]))
    return values


def product_profile(product: Product, language: str | None = None) -> dict[str, str]:
    """What the other offer starts from when our product is chosen: the study's service life
    and the installation (the site's work); never our machine's performance (power, load, MTBF,
    repairs, maintenance), which comes from the other machine's data sheet or the competitor
    library. Machine format, or written for a page in ``language``."""
    out = {
        "comp_life_years": str(product.life_years),
        "comp_installation_cost": _text(product.installation_cost),
    }
    if language is None:
        return out
    shown = localized(out, language)
    del shown["number_locale"]
    return shown


def form_from_request(
    request: Mapping[str, Any], catalog: Catalog, language: str = "en"
) -> dict[str, str] | None:
    """Form values showing a saved request, numbers written for a page in ``language``; None
    when the form cannot show it (the request has no offer of one catalog product, or no offer
    of one product entered by hand)."""
    offers = [o for o in request.get("offers", []) if isinstance(o, Mapping)]
    ours = next((o for o in offers if _one_line(o, catalog=True)), None)
    comp = next((o for o in offers if _one_line(o, catalog=False)), None)
    if ours is None or comp is None:
        return None
    values = _blank(catalog, seller="", today=date.today(), locale="en")
    customer = request.get("customer", {})
    values.update(
        title=_text(request.get("title", "")),
        customer_id=_text(customer.get("id")),
        customer_name=_text(customer.get("name")),
        customer_segment=_text(customer.get("segment", "standard")),
        seller=_text(request.get("seller")),
        as_of=_text(request.get("as_of")),
        valid_days=_text(request.get("valid_days", 30)),
        locale=_text(request.get("locale", "en")),
        currency=_text(request.get("currency")),
        baseline=_text(request.get("baseline")),
    )
    assumptions = request.get("assumptions", {})
    for name, (key, kind) in ASSUMPTIONS.items():
        if key in assumptions:
            value = assumptions[key]
            values[name] = _percent(value) if kind == "percent" else _text(value)
    eq = ours["equipment"][0]
    fin = ours.get("financing", {})
    values.update(
        ours_id=str(ours["id"]),
        ours_sku=_text(eq.get("sku")),
        ours_quantity=_text(eq.get("quantity", 1)),
        ours_discount_pct=_percent(eq.get("discount", 0)),
        ours_plan=_text(ours.get("service_plan")),
        ours_renew=_text(ours.get("renew")),
        ours_financing=_text(fin.get("kind", "cash")),
        ours_loan_rate_pct=_percent(fin.get("rate")),
        ours_term_years=_text(fin.get("term_years")),
        ours_down_payment=_text(fin.get("down_payment")),
        ours_lease_payment=_text(fin.get("payment_per_year")),
        ours_lease_timing=_text(fin.get("timing", "arrears")),
    )
    values.update(_competitor_values(comp))
    ids = {OURS: values["ours_id"], COMP: values["comp_id"]}
    values.update(form_from_uncertainty(request.get("uncertainty"), ids))
    return localized(values, language)


def offer_roles(request: Mapping[str, Any]) -> dict[str, str]:
    """Offer id -> ``ours`` or ``competitor`` for the two offers the builder shows of a request
    (the first offer of one catalog product, the first of one product entered by hand)."""
    offers = [o for o in request.get("offers", []) if isinstance(o, Mapping)]
    roles: dict[str, str] = {}
    for role, catalog in ((OURS, True), (COMP, False)):
        offer = next((o for o in offers if _one_line(o, catalog=catalog)), None)
        if offer is not None:
            roles.setdefault(str(offer.get("id")), role)
    return roles


def field_at(path: str, roles: Mapping[str, str]) -> Field | None:
    """The form field that holds exactly the request value at ``path`` (a path of
    :func:`tco.quoting.versions.diff_versions`, offers by id:
    ``offers[ours].equipment[0].discount``)."""
    m = re.match(r"^offers\[([^\]]+)\](.*)$", path)
    if m is not None:
        role = roles.get(m.group(1))
        name = OFFER_PATHS[role].get(m.group(2)) if role is not None else None
    else:
        name = TOP_PATHS.get(path) if path not in _NOT_SHOWN_AT else None
    return BY_NAME.get(name) if name is not None else None


#: Paths of :data:`TOP_PATHS` that lead to a field showing another value (for problems only).
_NOT_SHOWN_AT = ("valid_until", "assumptions.escalation", "customer")


def _one_line(offer: Mapping[str, Any], *, catalog: bool) -> bool:
    eq = offer.get("equipment", [])
    if len(eq) != 1 or not isinstance(eq[0], Mapping):
        return False
    if catalog:
        return "sku" in eq[0] and "unit_price" not in eq[0] and "service" not in offer
    return "product" in eq[0] and "service_plan" not in offer


def _competitor_values(comp: Mapping[str, Any]) -> dict[str, str]:
    eq = comp["equipment"][0]
    p = eq["product"]
    energy = p.get("energy") or {}
    failures = p.get("failures") or {}
    service = comp.get("service") or {}
    tasks = list(p.get("maintenance", []))
    first = tasks.pop(0) if tasks and tasks[0].get("every_years") == 1 else None
    extra: dict[str, Any] = {
        k: p[k]
        for k in ("sku", "kind", "commissioning_cost", "training_cost", "residual")
        if k in p
    }
    extra["failures"] = {k: failures[k] for k in ("shape", "repair_hours") if k in failures}
    extra["maintenance"] = tasks
    if first is not None:
        extra["maintenance_first"] = {k: v for k, v in first.items() if k != "cost"}
    load = energy.get("load_factor", 1.0)
    if energy.get("load_profile"):
        load = sum(s["share_of_hours"] * s["load"] for s in energy["load_profile"])
    residual = p.get("residual") or {}
    status_quo = residual.get("method") == "none" and Decimal(str(p.get("list_price", 0))) == 0
    return {
        "comp_id": str(comp["id"]),
        "comp_kind": "status_quo" if status_quo else "competitor",
        "comp_name": _text(comp.get("name") or p.get("name")),
        "comp_price": _text(eq.get("unit_price", p.get("list_price"))),
        "comp_life_years": _text(p.get("life_years")),
        "comp_power_kw": _text(energy.get("power_kw")),
        "comp_load_pct": _percent(load) if energy else "",
        "comp_mtbf_hours": _text(failures.get("mtbf_hours")),
        "comp_repair_cost": _text(failures.get("repair_cost")),
        "comp_downtime_hours": _text(failures.get("downtime_hours")),
        "comp_maintenance_cost": _text(first.get("cost")) if first is not None else "",
        "comp_installation_cost": _text(p.get("installation_cost")),
        "comp_fee": _text(service.get("annual_fee")),
        "comp_repair_covered_pct": _percent(service.get("repair_covered", 0)),
        "comp_maintenance_covered_pct": _percent(service.get("maintenance_covered", 0)),
        "comp_response_hours": _text(service.get("response_hours")),
        "comp_extra": json.dumps(extra, separators=(",", ":")),
    }


def currencies(catalog: Catalog) -> list[str]:
    found = list(dict.fromkeys(b.currency for b in catalog.price_books))
    found += [p.currency for p in catalog.products if p.currency not in found]
    return found or ["EUR"]


def segments(catalog: Catalog) -> list[str]:
    return list(dict.fromkeys(["standard", *(b.segment for b in catalog.price_books)]))

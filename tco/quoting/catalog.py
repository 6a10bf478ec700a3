"""The product catalog: products, service plans and dated price books, as frozen value objects.

Pure: no files, no database, no clock. Reading a catalog directory is I/O and lives in
:mod:`tco.services` (``read_catalog_dir``); this module only validates plain data
(:func:`parse_catalog`) and answers questions about a catalog (a product by sku, the price of a
sku for a currency, customer segment and date).

Money is ``Decimal`` and exact as written (list prices, fees, repair and maintenance costs);
rates, hours and kW are floats. Prices are resolved by one rule (:meth:`Catalog.unit_price`):

1. the price book for the quote's currency and the customer's segment valid on ``as_of``
   (``valid_from <= as_of <= valid_until``; the latest ``valid_from`` wins), then the same for
   the ``standard`` segment;
2. otherwise the item's own list price when it is in the quote's currency;
3. otherwise the item has no price: :class:`~tco.core.errors.NotFoundError` naming it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from tco.core.errors import NotFoundError, Problem, ScenarioError, format_path
from tco.core.scenario import (
    REAL_NUMBER,
    WHOLE_NUMBER,
    NonNegativeMoney,
    Rates,
    reported_errors,
)
from tco.core.text import Label, Name
from tco.quoting.ranges import ProductRanges

STANDARD_SEGMENT = "standard"

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Price = NonNegativeMoney
Fraction = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
Hours = Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)]


def _date_as_written(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None:
        raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")
    if not isinstance(value, str | date):
        raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")
    return value


#: A date as JSON and YAML write it (``2026-04-15``); not a number of seconds, not a time.
Day = Annotated[date, BeforeValidator(_date_as_written)]


class CatalogError(ScenarioError):
    """A catalog that breaks a rule; every problem is named by its path."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class LoadStep(_Frozen):
    """A share of the operating hours spent at one load (fraction of rated power)."""

    share_of_hours: Annotated[float, Field(strict=True, gt=0.0, le=1.0, allow_inf_nan=False)]
    load: Fraction


class EnergyUse(_Frozen):
    """Electricity drawn while operating: rated kW x load profile, or kWh per operating hour.

    ``load_factor`` is the average share of rated power while operating; ``load_profile``
    (shares of hours at loads, shares adding up to 1) replaces it when given.
    """

    power_kw: Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] | None = None
    load_factor: Fraction = 1.0
    load_profile: tuple[LoadStep, ...] = ()
    kwh_per_operating_hour: (
        Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] | None
    ) = None

    @model_validator(mode="after")
    def _one_way(self) -> EnergyUse:
        if (self.power_kw is None) == (self.kwh_per_operating_hour is None):
            raise ValueError("give exactly one of 'power_kw' and 'kwh_per_operating_hour'")
        if self.load_profile and abs(sum(s.share_of_hours for s in self.load_profile) - 1) > 1e-9:
            raise ValueError("load_profile: the shares of hours must add up to 1")
        return self

    @property
    def kwh_per_hour(self) -> float:
        """Average kWh drawn per operating hour."""
        if self.kwh_per_operating_hour is not None:
            return self.kwh_per_operating_hour
        assert self.power_kw is not None
        if self.load_profile:
            return self.power_kw * sum(s.share_of_hours * s.load for s in self.load_profile)
        return self.power_kw * self.load_factor


class FieldBasis(_Frozen):
    """Where a field-calibrated failure profile comes from (:mod:`tco.ledger.reliability`): the
    catalog's own figure (``prior_mtbf_hours``, worth ``prior_failures`` failures) updated with
    the failures observed in ``operating_hours`` on ``installations`` installed units up to
    ``as_of``. Quotes priced with it say so."""

    installations: Annotated[int, Field(ge=1), WHOLE_NUMBER]
    operating_hours: Annotated[float, Field(ge=0.0, allow_inf_nan=False), REAL_NUMBER]
    failures: Annotated[int, Field(ge=0), WHOLE_NUMBER]
    prior_mtbf_hours: Annotated[float, Field(gt=0.0, allow_inf_nan=False), REAL_NUMBER]
    prior_failures: Annotated[float, Field(gt=0.0, allow_inf_nan=False), REAL_NUMBER]
    as_of: Day


class FailureProfile(_Frozen):
    """Failures of one unit: H(t) = (t x hours / mtbf_hours)^shape (docs/scenario.md).

    ``downtime_hours`` is the standstill per failure without a service contract (waiting for a
    technician plus the repair); ``repair_hours`` the hands-on repair time. With a service plan
    promising a response within R hours, downtime per failure is
    ``min(downtime_hours, R + repair_hours)``.
    """

    mtbf_hours: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)]
    shape: Annotated[float, Field(strict=True, gt=0.0, le=20.0, allow_inf_nan=False)] = 1.0
    repair_cost: Price = Decimal(0)
    downtime_hours: Hours = 0.0
    repair_hours: Hours = 0.0
    #: Set where ``mtbf_hours`` is calibrated from installed units (None: the maker's figure).
    field: FieldBasis | None = None


class MaintenanceTask(_Frozen):
    """Preventive maintenance: what, how often (years), what it costs per unit (base year)."""

    name: Name
    every_years: Annotated[int, Field(ge=1), WHOLE_NUMBER]
    cost: Price
    until_year: Annotated[int, Field(ge=1), WHOLE_NUMBER] | None = None


class ResidualRule(_Frozen):
    """End-of-life value: ``linear`` over ``life_years``, a ``fraction`` of the price, or none."""

    method: Literal["linear", "fraction", "none"] = "linear"
    fraction: Fraction | None = None

    @model_validator(mode="after")
    def _fraction(self) -> ResidualRule:
        if (self.method == "fraction") != (self.fraction is not None):
            raise ValueError("'fraction' is given with method 'fraction' and only then")
        return self


class Product(_Frozen):
    """A piece of equipment: its price, life, energy use, failures, upkeep and one-time services."""

    sku: Code
    name: Name
    kind: Label = ""
    list_price: Price
    currency: Currency
    life_years: Annotated[int, Field(ge=1, le=100), WHOLE_NUMBER]
    energy: EnergyUse | None = None
    failures: FailureProfile | None = None
    maintenance: tuple[MaintenanceTask, ...] = ()
    installation_cost: Price = Decimal(0)
    commissioning_cost: Price = Decimal(0)
    training_cost: Price = Decimal(0)
    residual: ResidualRule = ResidualRule()
    warranty_years: Annotated[int, Field(ge=0, le=100), WHOLE_NUMBER] = Field(
        default=0,
        description="years 1..k in which the maker pays every repair (parts and labor); 0 for none",
    )
    ranges: ProductRanges | None = Field(
        default=None,
        description="default ranges of its time between failures and energy use, as factors",
    )


class ServicePlan(_Frozen):
    """A service contract: its annual fee and what it covers.

    The fee is fixed (``annual_fee`` in ``currency``) or ``fee_percent`` of the net equipment
    price per year. ``escalation_rate`` is a contractual yearly increase (on the analysis basis);
    without it the fee follows the ``labor`` driver when the assumptions define one.
    ``repair_covered`` and ``maintenance_covered`` are the shares of repair and preventive
    maintenance cost the plan pays; ``response_hours`` shortens downtime per failure;
    ``uptime_promise`` is stated in the quote. A plan with ``term_years`` covers years
    1..term and no more, unless the quote renews it; without a term it covers the whole study
    period.
    """

    code: Code
    name: Name
    annual_fee: Price | None = None
    currency: Currency | None = None
    fee_percent: (
        Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)] | None
    ) = None
    escalation_rate: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)] | None = (
        None
    )
    term_years: Annotated[int, Field(ge=1), WHOLE_NUMBER] | None = None
    repair_covered: Fraction = 0.0
    maintenance_covered: Fraction = 0.0
    response_hours: Hours | None = None
    uptime_promise: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] | None = None

    @model_validator(mode="after")
    def _fee(self) -> ServicePlan:
        if (self.annual_fee is None) == (self.fee_percent is None):
            raise ValueError("give exactly one of 'annual_fee' and 'fee_percent'")
        if self.annual_fee is not None and self.currency is None:
            raise ValueError("a fixed 'annual_fee' needs its 'currency'")
        return self


class PriceEntry(_Frozen):
    """The price of one item (a product sku or a service plan code) in a price book."""

    item: Code
    price: Price


class PriceBook(_Frozen):
    """Prices for one currency and customer segment, valid from one date to another."""

    id: Code
    currency: Currency
    segment: Code = STANDARD_SEGMENT
    valid_from: Day
    valid_until: Day | None = None
    prices: tuple[PriceEntry, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> PriceBook:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}"
            )
        items = [p.item for p in self.prices]
        dup = sorted({i for i in items if items.count(i) > 1})
        if dup:
            raise ValueError(f"items priced twice: {', '.join(dup)}")
        return self

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def price_of(self, item: str) -> Decimal | None:
        for p in self.prices:
            if p.item == item:
                return p.price
        return None


class AssumptionSettings(_Frozen):
    """Assumptions a quote may take from the catalog's defaults or set itself (all optional).

    The same fields as the scenario's assumptions (without the currency, which the quote sets),
    plus ``energy_price_per_kwh`` and the buyer's procurement effort for transaction costs.
    """

    study_period_years: Annotated[int, Field(ge=1, le=100), WHOLE_NUMBER] | None = None
    discount_rate: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)] | None = None
    rate_basis: Literal["real", "nominal"] | None = None
    inflation: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)] | None = None
    timing: Literal["end_of_year", "mid_year"] | None = None
    escalation: dict[str, Rates] | None = None
    operating_hours_per_year: Annotated[float, Field(strict=True, ge=0.0, le=8784.0)] | None = None
    downtime_cost_per_hour: Price | None = None
    energy_price_per_kwh: Price | None = None
    buyer_hourly_rate: Price | None = None
    hours_per_purchase_order: Hours | None = None
    hours_per_repair_order: Hours | None = None


class Catalog(_Frozen):
    """Products, service plans, price books and default assumptions of one catalog version."""

    products: tuple[Product, ...] = ()
    service_plans: tuple[ServicePlan, ...] = ()
    price_books: tuple[PriceBook, ...] = ()
    defaults: AssumptionSettings = AssumptionSettings()

    def product(self, sku: str) -> Product | None:
        return next((p for p in self.products if p.sku == sku), None)

    def plan(self, code: str) -> ServicePlan | None:
        return next((p for p in self.service_plans if p.code == code), None)

    def unit_price(self, item: str, currency: str, segment: str, as_of: date) -> Decimal | None:
        """The price of a sku or plan code (module docstring rule 1-2); None when unpriced."""
        for seg in dict.fromkeys((segment, STANDARD_SEGMENT)):
            books = [
                b
                for b in self.price_books
                if b.currency == currency and b.segment == seg and b.valid_on(as_of)
            ]
            for book in sorted(books, key=lambda b: b.valid_from, reverse=True):
                price = book.price_of(item)
                if price is not None:
                    return price
        product = self.product(item)
        if product is not None and product.currency == currency:
            return product.list_price
        plan = self.plan(item)
        if plan is not None and plan.annual_fee is not None and plan.currency == currency:
            return plan.annual_fee
        return None

    def snapshot(self, skus: set[str], plans: set[str]) -> Catalog:
        """The part of this catalog a quote used: its products, plans and their prices."""
        used = skus | plans
        return Catalog(
            products=tuple(p for p in self.products if p.sku in skus),
            service_plans=tuple(p for p in self.service_plans if p.code in plans),
            price_books=tuple(
                b.model_copy(update={"prices": tuple(e for e in b.prices if e.item in used)})
                for b in self.price_books
                if any(e.item in used for e in b.prices)
            ),
            defaults=self.defaults,
        )


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """Plain JSON data of a catalog (money as strings, dates as ISO strings)."""
    return catalog.model_dump(mode="json", exclude_defaults=True)


def catalog_digest(catalog: Catalog) -> str:
    """SHA-256 of the canonical JSON form: equal catalogs have equal digests."""
    text = json.dumps(catalog_json(catalog), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def problem_message(err: Any) -> str:
    """A readable message for one pydantic error (unknown field, missing field, choices)."""
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in ("enum", "literal_error"):
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"{err.get('input')!r} is not one of: {expected}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _cross_problems(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    skus: dict[str, int] = {}
    for i, p in enumerate(catalog.products):
        if p.sku in skus:
            problems.append(
                Problem(
                    f"products[{i}].sku", f"duplicate sku '{p.sku}' (also products[{skus[p.sku]}])"
                )
            )
        skus.setdefault(p.sku, i)
        for j, task in enumerate(p.maintenance):
            if task.until_year is not None and task.until_year < task.every_years:
                problems.append(
                    Problem(
                        f"products[{i}].maintenance[{j}].until_year",
                        f"{task.until_year} is before the first occurrence "
                        f"(year {task.every_years})",
                    )
                )
    codes: dict[str, int] = {}
    for i, plan in enumerate(catalog.service_plans):
        if plan.code in codes:
            problems.append(
                Problem(
                    f"service_plans[{i}].code",
                    f"duplicate plan code '{plan.code}' (also service_plans[{codes[plan.code]}])",
                )
            )
        if plan.code in skus:
            problems.append(
                Problem(f"service_plans[{i}].code", f"'{plan.code}' is also a product sku")
            )
        codes.setdefault(plan.code, i)
    books: set[str] = set()
    for i, book in enumerate(catalog.price_books):
        if book.id in books:
            problems.append(Problem(f"price_books[{i}].id", f"duplicate price book '{book.id}'"))
        books.add(book.id)
        for j, entry in enumerate(book.prices):
            if entry.item not in skus and entry.item not in codes:
                problems.append(
                    Problem(
                        f"price_books[{i}].prices[{j}].item",
                        f"'{entry.item}' is neither a product sku nor a service plan code",
                    )
                )
    return problems


def parse_catalog(raw: Any) -> Catalog:
    """Validate a catalog given as plain data; raises :class:`CatalogError` naming every problem."""
    if not isinstance(raw, Mapping):
        raise CatalogError(
            [Problem("", "a catalog must be a mapping with products, service_plans, price_books")]
        )
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(
            [Problem(format_path(e["loc"]), problem_message(e)) for e in reported_errors(exc)]
        ) from None
    problems = _cross_problems(catalog)
    if problems:
        raise CatalogError(problems)
    return catalog


def require_price(
    catalog: Catalog, item: str, currency: str, segment: str, as_of: date, *, where: str
) -> Decimal:
    """:meth:`Catalog.unit_price`, or a :class:`NotFoundError` naming the item and its use."""
    price = catalog.unit_price(item, currency, segment, as_of)
    if price is None:
        raise NotFoundError(
            [
                Problem(
                    where,
                    f"no price for '{item}' in {currency} for segment '{segment}' "
                    f"on {as_of.isoformat()} (no valid price book and no list price in {currency})",
                )
            ]
        )
    return price


class CatalogVersion(_Frozen):
    """An imported catalog version: its number, digest, source and audit fields."""

    version: int
    digest: str
    source: str
    product_count: int
    plan_count: int
    created_at: datetime
    created_by: str


# --------------------------------------------------------------------------------------------
# Importing into the current catalog: merge by key, and what changed

#: The key of each kind of item: products by sku, service plans by code, price books by id.
_KEYS = {"products": "sku", "service_plans": "code", "price_books": "id"}
_NOUNS = {"products": "sku", "service_plans": "plan code", "price_books": "price book"}
_ITEM_PATH = re.compile(r"^(products|service_plans|price_books)\[(\d+)\](.*)$", re.DOTALL)
#: Where problems on kept items of the current catalog are reported by :func:`merge_catalogs`.
CURRENT = "current catalog"
_Item = TypeVar("_Item", Product, ServicePlan, PriceBook)


class ItemChanges(_Frozen):
    """What an import did to one kind of item, named by key (sku, plan code, price book id).

    ``changed`` are items whose content differs; ``unchanged`` counts the items of the new
    version that are exactly as before (imported again or kept); ``removed`` only happens when
    a whole catalog replaces the current one.
    """

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        """Nothing added, changed or removed."""
        return not (self.added or self.changed or self.removed)


class CatalogChanges(_Frozen):
    """What an import changed, per kind of item, and which default assumptions it changed."""

    mode: Literal["merge", "replace"]
    products: ItemChanges = ItemChanges()
    service_plans: ItemChanges = ItemChanges()
    price_books: ItemChanges = ItemChanges()
    defaults: tuple[str, ...] = Field(
        default=(), description="default-assumption fields whose value changed"
    )

    @property
    def empty(self) -> bool:
        """Nothing added, changed or removed, and the defaults are as before."""
        return (
            self.products.empty
            and self.service_plans.empty
            and self.price_books.empty
            and not self.defaults
        )

    @classmethod
    def between(
        cls, previous: Catalog, current: Catalog, *, mode: Literal["merge", "replace"]
    ) -> CatalogChanges:
        """The changes from ``previous`` to ``current``, item by item, compared by value
        (a price of ``47990`` equals one of ``47990.00``)."""
        before, after = previous.defaults, current.defaults
        return cls(
            mode=mode,
            products=_item_changes(previous.products, current.products, "sku"),
            service_plans=_item_changes(previous.service_plans, current.service_plans, "code"),
            price_books=_item_changes(previous.price_books, current.price_books, "id"),
            defaults=tuple(
                f
                for f in AssumptionSettings.model_fields
                if getattr(before, f) != getattr(after, f)
            ),
        )


def _item_changes(
    previous: tuple[BaseModel, ...], current: tuple[BaseModel, ...], key: str
) -> ItemChanges:
    before = {str(getattr(i, key)): i for i in previous}
    after = [(str(getattr(i, key)), i) for i in current]
    keys = {k for k, _ in after}
    return ItemChanges(
        added=tuple(k for k, _ in after if k not in before),
        changed=tuple(k for k, v in after if k in before and before[k] != v),
        removed=tuple(k for k in before if k not in keys),
        unchanged=sum(1 for k, v in after if k in before and before[k] == v),
    )


def _duplicate_keys(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for section, key in _KEYS.items():
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(catalog, section)):
            value = str(getattr(item, key))
            if value in seen:
                problems.append(
                    Problem(
                        f"{section}[{i}].{key}",
                        f"duplicate {_NOUNS[section]} '{value}' (also {section}[{seen[value]}])",
                    )
                )
            seen.setdefault(value, i)
    return problems


def merge_catalogs(previous: Catalog, imported: Catalog) -> tuple[Catalog, CatalogChanges]:
    """The current catalog plus an import, validated as a whole, and what changed.

    An imported product replaces the one with its sku in place, and one with a new sku is added
    at the end; the same for service plans (by code) and price books (by id). Items the import
    does not name are kept. Default assumptions the import gives (field by field; a field given
    as null clears it) override the current ones. An imported item equal by value to the current
    one leaves it as it is stored. The merged catalog must pass
    :func:`parse_catalog`: its problems are named by their path in the import
    (``price_books[0].prices[2].item``), or by ``current catalog: <path>`` for a kept item.
    """
    problems = _duplicate_keys(imported)
    if problems:
        raise CatalogError(problems)
    products, product_sources = _merge_items(previous.products, imported.products, "sku")
    plans, plan_sources = _merge_items(previous.service_plans, imported.service_plans, "code")
    books, book_sources = _merge_items(previous.price_books, imported.price_books, "id")
    sources = {
        "products": product_sources,
        "service_plans": plan_sources,
        "price_books": book_sources,
    }
    given = {f: getattr(imported.defaults, f) for f in imported.defaults.model_fields_set}
    defaults = previous.defaults.model_copy(
        update={f: v for f, v in given.items() if v != getattr(previous.defaults, f)}
    )
    candidate = Catalog(
        products=products, service_plans=plans, price_books=books, defaults=defaults
    )
    try:
        catalog = parse_catalog(catalog_json(candidate))
    except CatalogError as exc:
        raise CatalogError([_import_path(p, sources) for p in exc.problems]) from None
    return catalog, CatalogChanges.between(previous, catalog, mode="merge")


def _merge_items(
    old: tuple[_Item, ...], new: tuple[_Item, ...], key: str
) -> tuple[tuple[_Item, ...], list[int | None]]:
    """Old items (replaced in place by a new one with their key unless equal), then the new keys.

    Also, for every merged item, its index in ``new`` (None for a kept old item).
    """
    index = {getattr(item, key): k for k, item in enumerate(new)}
    kept = {getattr(item, key) for item in old}
    items: list[_Item] = []
    source: list[int | None] = []
    for item in old:
        k = index.get(getattr(item, key))
        items.append(item if k is None or new[k] == item else new[k])
        source.append(k)
    for k, item in enumerate(new):
        if getattr(item, key) not in kept:
            items.append(item)
            source.append(k)
    return tuple(items), source


def _import_path(problem: Problem, sources: Mapping[str, list[int | None]]) -> Problem:
    """``products[7].sku`` of the merged catalog -> ``products[1].sku`` of the import."""
    match = _ITEM_PATH.match(problem.path)
    if match is None:
        return problem
    section, index, tail = match.group(1), int(match.group(2)), match.group(3)
    source = sources[section]
    if index >= len(source):
        return problem
    k = source[index]
    if k is None:
        return Problem(f"{CURRENT}: {section}[{index}]{tail}", problem.message)
    return Problem(f"{section}[{k}]{tail}", problem.message)

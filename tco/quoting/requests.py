"""Quote requests: what a salesperson asks for (products x quantity, discounts, plan, financing,
extra lines per offer) and the assumptions merged from the catalog."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tco.core.errors import Problem, ScenarioError, format_path
from tco.core.scenario import WHOLE_NUMBER, CostLine, Rates, reported_errors
from tco.core.text import Label, Name
from tco.quoting.catalog import (
    STANDARD_SEGMENT,
    AssumptionSettings,
    Catalog,
    Code,
    Currency,
    Day,
    Hours,
    Price,
    Product,
    ServicePlan,
    problem_message,
)
from tco.quoting.ranges import QuoteUncertainty

FIXED_NOMINAL = "quote_fixed_nominal"


class QuoteRequestError(ScenarioError):
    """A quote request that breaks a rule; every problem is named by its path."""


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------
# The request


def _no_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must be a customer id (a whole number); leave it out for none")
    return value


def _name_or_id(schema: dict[str, Any]) -> None:
    schema["properties"]["id"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    schema["required"] = [k for k in schema.get("required", []) if k != "name"]
    if not schema["required"]:
        del schema["required"]
    schema["anyOf"] = [{"required": ["name"]}, {"required": ["id"]}]


CustomerId = Annotated[
    int | None, BeforeValidator(_no_null), Field(ge=1, le=2**31 - 1), WHOLE_NUMBER
]


class Customer(FrozenModel):
    """Who the quote is for; ``id`` points to the tenant's customer record (optional: a request
    that only names the customer points to none). With an id, the name and segment may be left
    out: the service fills them in from the record before the request is validated, so the JSON
    schema asks for a name or an id."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, json_schema_extra=_name_or_id
    )

    id: CustomerId = None
    name: Name
    segment: Code = STANDARD_SEGMENT
    reference: Label | None = None


#: A discount given as a string: a fraction below 1 with at most 12 decimals (``"0.085"``).
DISCOUNT_PATTERN = r"^0(\.[0-9]{1,12})?$"


def _discount_as_written(value: Any) -> Any:
    if isinstance(value, bool) or (
        isinstance(value, str) and re.fullmatch(DISCOUNT_PATTERN, value) is None
    ):
        raise ValueError(f"must be a fraction such as 0.085 (8.5 %), got {value!r}")
    return value


#: A fraction of the unit price, exact (``0.08`` = 8 %): a number in 0..1 (1 excluded) or a
#: string as :data:`DISCOUNT_PATTERN` says.
Discount = Annotated[
    Decimal,
    Field(ge=0, lt=1, allow_inf_nan=False),
    BeforeValidator(_discount_as_written),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                {"type": "string", "pattern": DISCOUNT_PATTERN},
            ]
        }
    ),
]


class EquipmentLine(FrozenModel):
    """Catalog product (``sku``) or inline product (a competitor's) x quantity, with a discount.

    ``unit_price`` overrides the catalog price (an inline product defaults to its list price);
    ``discount`` is a fraction of the unit price (0.08 = 8 %).
    """

    sku: Code | None = None
    product: Product | None = None
    quantity: Annotated[int, Field(ge=1, le=100_000), WHOLE_NUMBER] = 1
    discount: Discount = Decimal(0)
    unit_price: Price | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EquipmentLine:
        if (self.sku is None) == (self.product is None):
            raise ValueError("give exactly one of 'sku' (catalog) and 'product' (inline)")
        return self


class Financing(FrozenModel):
    """Cash; a loan (rate, term, down payment; yearly installments in arrears); or a lease
    (yearly payment or rate factor x the net equipment price, in advance or in arrears)."""

    kind: Literal["cash", "loan", "lease"] = "cash"
    rate: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)] | None = None
    term_years: Annotated[int, Field(ge=1, le=100), WHOLE_NUMBER] | None = None
    down_payment: Price = Decimal(0)
    payment_per_year: Price | None = None
    rate_factor: (
        Annotated[float, Field(strict=True, gt=0.0, le=10.0, allow_inf_nan=False)] | None
    ) = None
    timing: Literal["advance", "arrears"] = "arrears"

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Financing:
        given = {
            k
            for k in ("rate", "term_years", "payment_per_year", "rate_factor")
            if getattr(self, k) is not None
        }
        if self.down_payment:
            given.add("down_payment")
        if self.timing != "arrears":
            given.add("timing")
        allowed = {
            "cash": set(),
            "loan": {"rate", "term_years", "down_payment"},
            "lease": {"term_years", "payment_per_year", "rate_factor", "timing"},
        }[self.kind]
        extra = sorted(given - allowed)
        if extra:
            raise ValueError(f"{', '.join(extra)} do not apply to {self.kind} financing")
        if self.kind == "loan" and (self.rate is None or self.term_years is None):
            raise ValueError("a loan needs 'rate' and 'term_years'")
        if self.kind == "lease":
            if self.term_years is None:
                raise ValueError("a lease needs 'term_years'")
            if (self.payment_per_year is None) == (self.rate_factor is None):
                raise ValueError(
                    "a lease needs exactly one of 'payment_per_year' and 'rate_factor'"
                )
        return self


class OfferRequest(FrozenModel):
    """One configuration: equipment lines, a service plan (catalog code or inline terms),
    financing and extra scenario cost lines."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    name: Label = ""
    equipment: tuple[EquipmentLine, ...] = ()
    service_plan: Code | None = None
    service: ServicePlan | None = None
    renew: Literal["to_end"] | Annotated[int, Field(ge=0, le=100), WHOLE_NUMBER] | None = Field(
        default=None,
        description="renewals of a service plan with a term: 'to_end' renews it to the end of "
        "the study period, a number renews it that many times; each renewal's fee runs as long "
        "as its cover",
    )
    financing: Financing = Financing()
    extra_costs: tuple[CostLine, ...] = ()

    @model_validator(mode="after")
    def _one_plan(self) -> OfferRequest:
        if self.service_plan is not None and self.service is not None:
            raise ValueError("give 'service_plan' (catalog code) or 'service' (inline), not both")
        if self.renew is not None and self.service_plan is None and self.service is None:
            raise ValueError("'renew' applies to a service plan; this offer has none")
        if not self.equipment and not self.extra_costs:
            raise ValueError("an offer needs equipment or extra_costs")
        if self.financing.kind != "cash" and not self.equipment:
            raise ValueError("financing applies to equipment; this offer has none")
        return self

    @property
    def ours(self) -> bool:
        """An offer built from catalog products only is the seller's own."""
        return bool(self.equipment) and all(e.sku is not None for e in self.equipment)


#: The dates a quote may carry (``as_of``, ``valid_until``): quote numbers hold the year, and
#: validity is counted in days from ``as_of``.
EARLIEST_QUOTE_DATE = date(2000, 1, 1)
LATEST_QUOTE_DATE = date(2199, 12, 31)
#: The same range as the JSON schema states it: a year 2000..2199.
QUOTE_DATE_PATTERN = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$"
MAX_VALID_DAYS = 3650


class QuoteRequest(FrozenModel):
    """What a salesperson asks for: customer, dates, currency, assumptions and offers."""

    title: Label = ""
    customer: Customer
    seller: Name
    as_of: Annotated[Day, Field(json_schema_extra={"pattern": QUOTE_DATE_PATTERN})]
    valid_until: Annotated[Day, Field(json_schema_extra={"pattern": QUOTE_DATE_PATTERN})] | None = (
        None
    )
    valid_days: Annotated[int, Field(ge=0, le=MAX_VALID_DAYS), WHOLE_NUMBER] = 30
    currency: Currency
    locale: Annotated[str, Field(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] = "en"
    assumptions: AssumptionSettings = AssumptionSettings()
    baseline: str | None = None
    offers: Annotated[tuple[OfferRequest, ...], Field(min_length=1, max_length=20)]
    uncertainty: QuoteUncertainty | None = Field(
        default=None,
        description="draws, seed and ranges of the quote's simulation (the catalog's default "
        "ranges apply where this is left out)",
    )

    @field_validator("as_of", "valid_until")
    @classmethod
    def _in_range(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST_QUOTE_DATE <= value <= LATEST_QUOTE_DATE:
            raise ValueError(
                f"must be between {EARLIEST_QUOTE_DATE.isoformat()} and "
                f"{LATEST_QUOTE_DATE.isoformat()}, got {value.isoformat()}"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> QuoteRequest:
        if self.valid_until is not None and self.valid_until < self.as_of:
            raise ValueError(f"valid_until {self.valid_until} is before as_of {self.as_of}")
        ids = [o.id for o in self.offers]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate offer ids: {', '.join(dup)}")
        if self.baseline is not None and self.baseline not in ids:
            raise ValueError(
                f"baseline '{self.baseline}' names no offer (offer ids: {', '.join(ids)})"
            )
        return self

    @property
    def validity_end(self) -> date:
        """``valid_until``, or ``valid_days`` after ``as_of`` (at most 3650 days after a date
        of 2199 at the latest: always a valid date)."""
        return self.valid_until or self.as_of + timedelta(days=self.valid_days)


class QuoteAssumptions(FrozenModel):
    """The merged assumptions of a quote: catalog defaults overridden by the request."""

    study_period_years: Annotated[int, Field(ge=1, le=100), WHOLE_NUMBER]
    discount_rate: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)]
    rate_basis: Literal["real", "nominal"] = "real"
    inflation: Annotated[float, Field(strict=True, gt=-1.0, allow_inf_nan=False)] = 0.0
    timing: Literal["end_of_year", "mid_year"] = "end_of_year"
    escalation: dict[str, Rates] = Field(default_factory=dict)
    operating_hours_per_year: Annotated[float, Field(strict=True, gt=0.0, le=8784.0)]
    downtime_cost_per_hour: Price = Decimal(0)
    energy_price_per_kwh: Price | None = None
    buyer_hourly_rate: Price
    hours_per_purchase_order: Hours
    hours_per_repair_order: Hours


#: Settings whose absence must not silently book the buyer's effort as zero.
_BUYER_EFFORT = ("buyer_hourly_rate", "hours_per_purchase_order", "hours_per_repair_order")


def _pydantic_problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    out = []
    for e in reported_errors(exc):
        msg = problem_message(e)
        path = format_path(e["loc"])
        out.append(Problem(f"{prefix}.{path}" if prefix and path else prefix or path, msg))
    return out


_MISSING = "required field is missing"


def _missing_message(p: Problem) -> str:
    if p.path.removeprefix("assumptions.") in _BUYER_EFFORT:
        return (
            "required: the buyer's procurement effort (purchase and repair orders) is counted "
            "from buyer_hourly_rate, hours_per_purchase_order and hours_per_repair_order; set "
            "it in the request's assumptions or the catalog's defaults (0 leaves it out)"
        )
    return "required: set it in the request's assumptions or the catalog's defaults"


def merge_assumptions(request: QuoteRequest, catalog: Catalog) -> QuoteAssumptions:
    """Catalog defaults, overridden field by field (drivers by name) by the request."""
    merged = catalog.defaults.model_dump(exclude_none=True)
    own = request.assumptions.model_dump(exclude_none=True)
    drivers = {**merged.get("escalation", {}), **own.get("escalation", {})}
    merged.update(own)
    merged["escalation"] = drivers
    try:
        return QuoteAssumptions.model_validate(merged)
    except ValidationError as exc:
        problems = _pydantic_problems(exc, "assumptions")
        raise QuoteRequestError(
            [
                Problem(p.path, _missing_message(p) if p.message == _MISSING else p.message)
                for p in problems
            ]
        ) from None


def parse_request(raw: Any, catalog: Catalog) -> tuple[QuoteRequest, QuoteAssumptions]:
    """Validate a quote request (plain data) against a catalog's defaults.

    Raises :class:`QuoteRequestError` naming every problem by its path.
    """
    if not isinstance(raw, Mapping):
        raise QuoteRequestError([Problem("", "a quote request must be a mapping")])
    try:
        request = QuoteRequest.model_validate(raw)
    except ValidationError as exc:
        raise QuoteRequestError(_pydantic_problems(exc)) from None
    assumptions = merge_assumptions(request, catalog)
    context = {
        "study_period_years": assumptions.study_period_years,
        "drivers": frozenset(assumptions.escalation),
    }
    try:  # again, with the study period and drivers the extra cost lines are checked against
        request = QuoteRequest.model_validate(raw, context=context)
    except ValidationError as exc:
        raise QuoteRequestError(_pydantic_problems(exc)) from None
    return request, assumptions


def request_json(request: QuoteRequest) -> dict[str, Any]:
    """Plain JSON data of a request (money as strings), without fields left at their default."""
    return request.model_dump(mode="json", exclude_defaults=True)

"""The scenario: the public input contract (assumptions plus offers), as frozen pydantic models.

A scenario is what a quote, an API request and a test case all reduce to. Field names follow
docs/scenario.md and never change. Reading a scenario (:func:`parse_scenario`) checks every rule
of the contract and raises :class:`~tco.core.errors.ScenarioError` listing every problem by its
path; a
scenario that parses is one the engine can price.

Money in base-year prices (``amount``, ``repair_cost``, ``downtime_cost_per_hour``) is
``Decimal`` and exact as written; rates and hours are floats. Names are cleaned of bidi controls
and control characters on the way in (:mod:`tco.core.text`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from tco.core.errors import InputFileError, Problem, ScenarioError, format_path
from tco.core.text import Label, Name
from tco.core.uncertainty import Uncertainty, strip_union_tags, uncertainty_problems

MAX_STUDY_PERIOD_YEARS = 100
HOURS_PER_YEAR_MAX = 8784.0  # a leap year, around the clock


class Category(StrEnum):
    """Cost categories, in the order the cost breakdown shows them."""

    acquisition = "acquisition"
    installation = "installation"
    replacement = "replacement"
    energy = "energy"
    operation = "operation"
    maintenance = "maintenance"
    repair = "repair"
    downtime = "downtime"
    service = "service"
    transaction = "transaction"
    financing = "financing"
    end_of_life = "end_of_life"


CATEGORIES: tuple[Category, ...] = tuple(Category)
#: Investment-related categories (SIR and AIRR denominators); the others are operating costs.
INVESTMENT_CATEGORIES: frozenset[Category] = frozenset(
    {
        Category.acquisition,
        Category.installation,
        Category.replacement,
        Category.financing,
        Category.end_of_life,
    }
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OFFER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _as_rates(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a rate or a list of rates")
    if isinstance(value, int | float | Decimal):
        if not -1 < value <= MAX_RATE:
            raise ValueError(
                f"must be greater than -1 (-100 %) and at most {MAX_RATE:g}, got {value!r}"
            )
        return (value,)
    if isinstance(value, list | tuple):
        if not value:
            raise ValueError("must hold at least one rate")
        return tuple(value)
    raise ValueError("must be a rate or a list of rates")


#: Rates above 1000 % a year are refused (they are typing errors, and they overflow).
MAX_RATE = 10.0
Rate = Annotated[float, Field(strict=True, gt=-1.0, le=MAX_RATE, allow_inf_nan=False)]
Rates = Annotated[
    tuple[Rate, ...],
    BeforeValidator(_as_rates),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": -1, "maximum": MAX_RATE},
                {
                    "type": "array",
                    "items": {"type": "number", "exclusiveMinimum": -1, "maximum": MAX_RATE},
                    "minItems": 1,
                },
            ],
            "description": "one rate for every year, or rates for years 1..N "
            "(the last holds for the remaining years)",
        }
    ),
]
#: The largest amount a line may carry; with the other bounds it keeps every projection finite.
MAX_AMOUNT = Decimal(10) ** 12
_AMOUNT = r"(\d{1,12}(\.\d+)?|1000000000000(\.0+)?)"
#: Money given as a string (exact; JSON numbers are read as written too): digits with an
#: optional decimal point, no exponent, at most 10^12; a sign only where amounts may be negative.
MONEY_PATTERN = rf"^-?{_AMOUNT}$"
NON_NEGATIVE_MONEY_PATTERN = rf"^{_AMOUNT}$"


def _money_text(pattern: str, minimum: Decimal) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be an amount, not true or false")
        if isinstance(value, str) and re.fullmatch(pattern, value) is None:
            raise ValueError(
                f"{value!r} is not an amount: digits with an optional decimal point, at least "
                f"{minimum} and at most {MAX_AMOUNT}"
            )
        return value

    return BeforeValidator(check)


def _money_schema(pattern: str, minimum: Decimal) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": float(minimum), "maximum": float(MAX_AMOUNT)},
                {"type": "string", "pattern": pattern},
            ]
        }
    )


def _fixed_point(value: Decimal) -> str:
    """An amount as JSON writes it: digits with a decimal point, never an exponent (a JSON
    number such as 1e-7 is the amount 0.0000001, and is read back as one)."""
    return format(value, "f")


#: Amounts are written in fixed-point notation, so that a saved request or catalog reads back.
_FIXED = PlainSerializer(_fixed_point, return_type=str, when_used="json")

Money = Annotated[
    Decimal,
    Field(allow_inf_nan=False, ge=-MAX_AMOUNT, le=MAX_AMOUNT),
    _money_text(MONEY_PATTERN, -MAX_AMOUNT),
    _money_schema(MONEY_PATTERN, -MAX_AMOUNT),
    _FIXED,
]
NonNegativeMoney = Annotated[
    Decimal,
    Field(allow_inf_nan=False, ge=0, le=MAX_AMOUNT),
    _money_text(NON_NEGATIVE_MONEY_PATTERN, Decimal(0)),
    _money_schema(NON_NEGATIVE_MONEY_PATTERN, Decimal(0)),
    _FIXED,
]


def _number_not_text(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError(f"must be a whole number, got {value!r}")
    return value


#: Put after a whole-number field's constraints (``Annotated[int, Field(ge=1), WHOLE_NUMBER]``):
#: refuses true, false and strings of digits, as the schema does (a JSON ``3.0`` is 3).
WHOLE_NUMBER = BeforeValidator(_number_not_text)


def _real_not_text(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError(f"must be a number, got {value!r}")
    return value


#: For numbers made by code as well as read (numpy values, ``Decimal``): refuses true, false
#: and strings as the schema does, like ``Field(strict=True)``, and takes the rest as floats.
REAL_NUMBER = BeforeValidator(_real_not_text)
Int = Annotated[int, WHOLE_NUMBER]


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    ctx = info.context
    if type(ctx) is dict:  # parse_scenario's context: skip the slower abstract-class check
        return ctx
    return ctx if isinstance(ctx, Mapping) else {}


def _check_year(value: int | None, info: ValidationInfo) -> int | None:
    n = _context(info).get("study_period_years")
    if value is not None and isinstance(n, int) and not 0 <= value <= n:
        raise ValueError(f"must be within 0..{n} (the study period), got {value}")
    return value


def _check_period_year(value: int, info: ValidationInfo) -> int:
    n = _context(info).get("study_period_years")
    if isinstance(n, int) and not 1 <= value <= n:
        raise ValueError(f"must be within 1..{n} (the years after the purchase), got {value}")
    return value


def _check_driver(value: str | None, info: ValidationInfo) -> str | None:
    drivers = _context(info).get("drivers")
    if value is not None and drivers is not None and value not in drivers:
        known = ", ".join(sorted(drivers)) or "none are defined"
        raise ValueError(
            f"unknown escalation driver '{value}' (assumptions.escalation defines: {known})"
        )
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Assumptions(_Frozen):
    """The economic frame of one scenario: currency, study period, rates, hours, downtime."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
    study_period_years: Annotated[int, Field(ge=1, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER]
    discount_rate: Annotated[float, Field(strict=True, gt=-1.0, le=MAX_RATE, allow_inf_nan=False)]
    rate_basis: Literal["real", "nominal"] = "real"
    inflation: Annotated[float, Field(strict=True, gt=-1.0, le=MAX_RATE, allow_inf_nan=False)] = 0.0
    timing: Literal["end_of_year", "mid_year"] = "end_of_year"
    escalation: dict[str, Rates] = Field(default_factory=dict)
    operating_hours_per_year: (
        Annotated[float, Field(strict=True, ge=0.0, le=HOURS_PER_YEAR_MAX, allow_inf_nan=False)]
        | None
    ) = None
    downtime_cost_per_hour: NonNegativeMoney = Decimal(0)

    @field_validator("escalation")
    @classmethod
    def _driver_names(cls, value: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
        for name in value:
            if not _NAME.match(name):
                raise ValueError(
                    f"driver name '{name}' must start with a letter and hold only letters, "
                    "digits and underscores"
                )
        return value

    def rates_for(self, driver: str) -> tuple[float, ...]:
        """The rates of one driver for years 1..N, the last given rate held to year N."""
        given = self.escalation[driver]
        n = self.study_period_years
        return tuple(given[min(k, len(given) - 1)] for k in range(n))


class CostLine(_Frozen):
    """An amount in base-year prices on one schedule, in one category, escalated by one driver.

    Schedule: ``year`` (once, in year k) or ``every_years`` (from ``from_year``, default k, every
    k years up to ``until_year``, default N). ``life_years`` or ``residual_fraction`` leave a
    residual-value credit in year N.
    """

    name: Name
    category: Category
    amount: Money
    year: Annotated[int, Field(ge=0, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER] | None = None
    every_years: Annotated[int, Field(ge=1, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER] | None = None
    from_year: Annotated[int, Field(ge=0, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER] | None = None
    until_year: Annotated[int, Field(ge=0, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER] | None = None
    escalation: str | None = None
    life_years: Annotated[int, Field(ge=1), WHOLE_NUMBER] | None = None
    residual_fraction: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] | None = None

    _years = field_validator("year", "from_year", "until_year")(_check_year)
    _driver = field_validator("escalation")(_check_driver)

    @model_validator(mode="after")
    def _one_schedule(self) -> CostLine:
        if (self.year is None) == (self.every_years is None):
            raise ValueError("give exactly one of 'year' (once) and 'every_years' (recurring)")
        if self.year is not None and (self.from_year is not None or self.until_year is not None):
            raise ValueError("'from_year' and 'until_year' apply only to 'every_years' lines")
        if (
            self.from_year is not None
            and self.until_year is not None
            and self.from_year > self.until_year
        ):
            raise ValueError(f"from_year {self.from_year} is after until_year {self.until_year}")
        return self

    @property
    def recurring(self) -> bool:
        return self.every_years is not None

    def span(self, n: int) -> tuple[int, int]:
        """The first and the last year (at most n) its schedule allows; first > last where the
        line falls in no year of a study period of n years."""
        if self.year is not None:
            return self.year, self.year
        first = self.every_years if self.from_year is None else self.from_year
        assert first is not None
        return first, n if self.until_year is None else min(self.until_year, n)

    def occurrence_years(self, n: int) -> tuple[int, ...]:
        """The years 0..n in which this line falls."""
        first, last = self.span(n)
        return tuple(range(first, last + 1, self.every_years or 1))


class CoveragePeriod(_Frozen):
    """A term of a warranty or a service plan: years ``from_year..until_year`` (1..N).

    In a year the period covers, the fields it names replace the failure model's own for the
    failures expected in that year; the model's fields hold in every other year. ``name`` labels
    the period in documents and workbooks ("Warranty", "Service plan FullCare").
    """

    from_year: Annotated[int, Field(ge=1, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER]
    until_year: Annotated[int, Field(ge=1, le=MAX_STUDY_PERIOD_YEARS), WHOLE_NUMBER]
    covered_fraction: (
        Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)] | None
    ) = None
    downtime_hours: Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] | None = None
    order_cost: NonNegativeMoney | None = None
    name: Label = ""

    _years = field_validator("from_year", "until_year")(_check_period_year)

    @model_validator(mode="after")
    def _span(self) -> CoveragePeriod:
        if self.from_year > self.until_year:
            raise ValueError(f"from_year {self.from_year} is after until_year {self.until_year}")
        if (
            self.covered_fraction is None
            and self.downtime_hours is None
            and self.order_cost is None
        ):
            raise ValueError(
                "a period names at least one of covered_fraction, downtime_hours, order_cost"
            )
        return self

    def covers(self, year: int) -> bool:
        return self.from_year <= year <= self.until_year


class FailureModel(_Frozen):
    """Expected failures: H(t) = (t x hours / mtbf_hours)^shape; minimal repair.

    Each failure costs ``repair_cost`` (base-year prices, escalated by ``escalation``) of which
    the buyer pays ``1 - covered_fraction``, ``downtime_hours`` x the downtime cost per hour, and
    ``order_cost`` (base-year prices, escalated by ``order_escalation``): the buyer's own effort
    of handling one repair order, booked as ``transaction``.
    """

    mtbf_hours: Annotated[
        float, Field(strict=True, gt=0.0, allow_inf_nan=False, json_schema_extra={"minimum": 1.0})
    ]
    shape: Annotated[float, Field(strict=True, gt=0.0, le=20.0, allow_inf_nan=False)] = 1.0
    repair_cost: NonNegativeMoney = Decimal(0)
    escalation: str | None = None
    downtime_hours: Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] = 0.0
    covered_fraction: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.0
    downtime_escalation: str | None = Field(
        default=None,
        description="driver for the downtime cost per hour (default: keeps its real value)",
    )
    order_cost: NonNegativeMoney = Field(
        default=Decimal(0),
        description="the buyer's cost of handling one repair order (raising a purchase order, "
        "negotiating), per expected failure, base-year prices; booked as transaction",
    )
    order_escalation: str | None = Field(
        default=None,
        description="driver for the repair-order cost (default: keeps its real value)",
    )

    periods: tuple[CoveragePeriod, ...] = Field(
        default=(),
        description="terms of warranties and service plans: in the years a period covers, the "
        "fields it names replace covered_fraction, downtime_hours and order_cost",
    )

    _driver = field_validator("escalation", "downtime_escalation", "order_escalation")(
        _check_driver
    )

    @field_validator("periods")
    @classmethod
    def _no_overlap(cls, value: tuple[CoveragePeriod, ...]) -> tuple[CoveragePeriod, ...]:
        for i, p in enumerate(value):
            for j in range(i):
                q = value[j]
                if p.from_year <= q.until_year and q.from_year <= p.until_year:
                    raise PydanticCustomError(
                        "period_overlap",
                        "periods[{i}] (years {a}..{b}) overlaps periods[{j}] (years {c}..{d})",
                        {
                            "i": i,
                            "a": p.from_year,
                            "b": p.until_year,
                            "j": j,
                            "c": q.from_year,
                            "d": q.until_year,
                        },
                    )
        return value

    def has_orders(self, n: int) -> bool:
        """Whether the buyer raises repair orders in some year 1..n (an order cost above 0)."""
        if not self.periods:
            return self.order_cost > 0
        return any(self.terms_in(k)[2] > 0 for k in range(1, n + 1))

    def terms_in(self, year: int) -> tuple[float, float, Decimal]:
        """``(covered_fraction, downtime_hours, order_cost)`` for the failures of ``year``."""
        covered, down, order = self.covered_fraction, self.downtime_hours, self.order_cost
        for p in self.periods:
            if p.covers(year):
                if p.covered_fraction is not None:
                    covered = p.covered_fraction
                if p.downtime_hours is not None:
                    down = p.downtime_hours
                if p.order_cost is not None:
                    order = p.order_cost
                break
        return covered, down, order

    @field_validator("mtbf_hours")
    @classmethod
    def _at_least_an_hour(cls, value: float) -> float:
        if value < 1.0:
            raise ValueError(f"must be at least 1 operating hour, got {value!r}")
        return value


class Offer(_Frozen):
    """One alternative the buyer can choose: cost lines and an optional failure model."""

    id: Annotated[str, Field(pattern=_OFFER_ID.pattern)]
    name: Label = ""
    costs: tuple[CostLine, ...] = ()
    failures: FailureModel | None = None

    @property
    def title(self) -> str:
        return self.name or self.id


class Scenario(_Frozen):
    """Assumptions plus offers; ``baseline`` names the offer the others are compared against."""

    assumptions: Assumptions
    baseline: str | None = None
    offers: Annotated[tuple[Offer, ...], Field(max_length=50)]
    uncertainty: Uncertainty | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="ranges on inputs: percentiles, chances, sensitivity and switching values",
    )

    @property
    def baseline_id(self) -> str:
        return self.baseline if self.baseline is not None else self.offers[0].id

    @property
    def baseline_index(self) -> int:
        ids = [o.id for o in self.offers]
        return ids.index(self.baseline_id)


# --------------------------------------------------------------------------------------------
# Reading and checking


_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    ctx = err.get("ctx") or {}
    if kind == "int_type":
        return f"must be a whole number, got {err.get('input')!r}"
    if kind == "float_type":
        return f"must be a number, got {err.get('input')!r}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {err.get('input')!r}"
    if kind == "greater_than":
        if ctx.get("gt") == -1.0:
            return f"must be greater than -1 (-100 %), got {err.get('input')!r}"
        return f"must be greater than {ctx.get('gt')}, got {err.get('input')!r}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {err.get('input')!r}"
    if kind in ("enum", "literal_error"):
        return f"'{err.get('input')}' is not one of: {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{err.get('input')!r} does not match the pattern {ctx.get('pattern')}"
    if kind == "union_tag_invalid":
        return f"'{ctx.get('tag')}' is not one of: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "required field is missing"
    if kind == "period_overlap":
        return f"overlaps periods[{ctx['j']}] (years {ctx['c']}..{ctx['d']})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def reported_errors(exc: ValidationError) -> list[ErrorDetails]:
    """The errors of ``exc`` worth reporting: a tuple whose items failed is also "too short"
    (pydantic counts only the valid items); the items' own errors say why."""
    errors = exc.errors()
    return [
        e
        for e in errors
        if e["type"] != "too_short"
        or not any(
            len(o["loc"]) > len(e["loc"]) and o["loc"][: len(e["loc"])] == e["loc"] for o in errors
        )
    ]


def _error_path(err: ErrorDetails) -> str:
    path = format_path(strip_union_tags(err["loc"]))
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return f"{path}.distribution"
    if err["type"] == "period_overlap":  # name the later of the two periods
        return f"{path}[{(err.get('ctx') or {})['i']}].from_year"
    return path


def _cross_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Rules across objects, checked on the raw data so they are reported with field errors."""
    problems: list[Problem] = []
    offers = raw.get("offers")
    if not isinstance(offers, list | tuple):
        return problems
    if not offers:
        problems.append(Problem("offers", "at least one offer is required"))
    seen: dict[str, int] = {}
    for i, offer in enumerate(offers):
        if not isinstance(offer, Mapping):
            continue
        oid = offer.get("id")
        if isinstance(oid, str):
            if oid in seen:
                problems.append(
                    Problem(
                        f"offers[{i}].id", f"duplicate offer id '{oid}' (also offers[{seen[oid]}])"
                    )
                )
            else:
                seen[oid] = i
        assumptions = raw.get("assumptions")
        if (
            offer.get("failures") is not None
            and isinstance(assumptions, Mapping)
            and assumptions.get("operating_hours_per_year") is None
        ):
            problems.append(
                Problem(
                    f"offers[{i}].failures",
                    "a failure model needs assumptions.operating_hours_per_year",
                )
            )
    baseline = raw.get("baseline")
    if isinstance(baseline, str) and seen and baseline not in seen:
        problems.append(
            Problem("baseline", f"'{baseline}' names no offer (offer ids: {', '.join(seen)})")
        )
    return problems


def _whole(value: Any) -> int | None:
    """The whole number pydantic will read from ``value`` (an int, an integral float, a string of
    digits), or None: the years of the schedules are checked against it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_scenario(raw: Any) -> Scenario:
    """Validate a scenario given as plain data (the parsed YAML or JSON).

    Raises :class:`ScenarioError` listing every problem by its path.
    """
    if not isinstance(raw, Mapping):
        raise ScenarioError(
            [Problem("", "a scenario must be a mapping with 'assumptions' and 'offers'")]
        )
    context: dict[str, Any] = {}
    assumptions = raw.get("assumptions")
    if isinstance(assumptions, Mapping):
        n = _whole(assumptions.get("study_period_years"))
        if n is not None and 1 <= n <= MAX_STUDY_PERIOD_YEARS:
            context["study_period_years"] = n
        esc = assumptions.get("escalation", {})
        if isinstance(esc, Mapping):
            context["drivers"] = frozenset(str(k) for k in esc)
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(raw, context=context)
    except ValidationError as exc:
        problems.extend(Problem(_error_path(e), _message(e)) for e in reported_errors(exc))
    problems.extend(_cross_problems(raw))
    if scenario is not None:
        problems.extend(uncertainty_problems(scenario))
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario


#: How deeply a document may nest mappings and lists, and how many digits an integer may have.
#: Deeper or longer input is refused before validation: it is broken or hostile, and would
#: exhaust the interpreter's recursion or its integer conversion on the way.
MAX_NESTING = 64
MAX_INTEGER_DIGITS = 100
TOO_DEEP = f"nested too deeply: more than {MAX_NESTING} levels of mappings and lists"
TOO_LONG = f"integer too long: more than {MAX_INTEGER_DIGITS} digits"
_INT_BOUND = 10**MAX_INTEGER_DIGITS


def _too_long(value: Any) -> bool:
    return type(value) is int and not -_INT_BOUND < value < _INT_BOUND


def _long_integers(node: Any, path: list[str | int], out: list[Problem], source: str) -> None:
    if _too_long(node):
        out.append(Problem(format_path(path) or source, TOO_LONG))
    elif isinstance(node, dict):
        for k, v in node.items():
            if _too_long(k):
                out.append(
                    Problem(
                        format_path(path) or source,
                        f"a key is an integer of more than {MAX_INTEGER_DIGITS} digits",
                    )
                )
            else:
                _long_integers(v, [*path, str(k)], out, source)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _long_integers(v, [*path, i], out, source)


def _nesting_within(node: Any, depth: int) -> bool:
    """Whether the containers under ``node`` (itself at ``depth``) nest at most
    :data:`MAX_NESTING` levels. Recursive, but stops one level past the limit: at most 65
    frames, also for a self-referencing YAML anchor."""
    if depth > MAX_NESTING:
        return False
    for child in node.values() if type(node) is dict else node:
        kind = type(child)
        if (kind is dict or kind is list) and not _nesting_within(child, depth + 1):
            return False
    return True


def input_limit_problems(
    data: Any, *, source: str = "input", integers: bool = True
) -> list[Problem]:
    """What in parsed data is beyond the input limits: nesting deeper than
    :data:`MAX_NESTING` (named ``source``) and, unless ``integers`` is false (the caller knows
    there are none), integers of more than :data:`MAX_INTEGER_DIGITS` digits (named by their
    path)."""
    if isinstance(data, dict | list) and not _nesting_within(data, 1):
        return [Problem(source, TOO_DEEP)]
    out: list[Problem] = []
    if integers:
        _long_integers(data, [], out, source)  # nesting is within the limit here
    return out


def read_data(text: str, *, source: str = "input") -> Any:
    """Parse YAML or JSON text (JSON is YAML; tried first for speed and exact messages), within
    the input limits (:func:`input_limit_problems`)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                [
                    Problem(
                        source, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                    )
                ]
            ) from None
        except RecursionError:
            raise InputFileError([Problem(source, TOO_DEEP)]) from None
        except ValueError:  # an integer beyond the interpreter's conversion limit
            raise InputFileError([Problem(source, f"invalid JSON: {TOO_LONG}")]) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
            what = getattr(exc, "problem", None) or "cannot be parsed"
            raise InputFileError([Problem(source, f"invalid YAML{where}: {what}")]) from None
        except RecursionError:
            raise InputFileError([Problem(source, TOO_DEEP)]) from None
        except ValueError as exc:  # a value YAML recognizes but Python cannot hold
            what = TOO_LONG if "integer string conversion" in str(exc) else str(exc)
            raise InputFileError([Problem(source, f"invalid YAML: {what}")]) from None
    problems = input_limit_problems(data, source=source)
    if problems:
        raise InputFileError(problems)
    return data


def read_file(path: str | Path) -> Any:
    """Read a YAML or JSON file into plain data, raising :class:`InputFileError` on failure."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError([Problem(str(p), "no such file")]) from None
    except IsADirectoryError:
        raise InputFileError([Problem(str(p), "is a directory, not a file")]) from None
    except UnicodeDecodeError:
        raise InputFileError([Problem(str(p), "is not UTF-8 text")]) from None
    except OSError as exc:
        raise InputFileError([Problem(str(p), f"cannot be read: {exc.strerror}")]) from None
    return read_data(text, source=str(p))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML or JSON)."""
    return parse_scenario(read_file(path))


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario file."""
    return Scenario.model_json_schema()

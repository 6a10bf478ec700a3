"""The competitor library: other makers' machines with the figures of their data sheets, where
each figure comes from (``source``) and when it was read (``source_date``).

A quote compares our offer with a competitor's machine entered by hand (an inline product);
:func:`as_product` makes that product from a library entry, so the salesperson starts from the
competitor's own data sheet instead of retyping it, or of copying our product's figures. Money
is exact (``Decimal``); power, load, hours and MTBF are floats, as in the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, ValidationError

from tco.core.errors import Problem, format_path
from tco.core.scenario import WHOLE_NUMBER
from tco.core.text import Name, Note
from tco.quoting.catalog import (
    Code,
    Currency,
    Day,
    EnergyUse,
    FailureProfile,
    MaintenanceTask,
    Price,
    Product,
    problem_message,
)
from tco.quoting.requests import FrozenModel, QuoteRequestError

PositiveFloat = Annotated[float, Field(strict=True, gt=0.0, le=1e9, allow_inf_nan=False)]
BoundedHours = Annotated[float, Field(strict=True, ge=0.0, le=1e9, allow_inf_nan=False)]
LoadFraction = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]


class DataSheet(FrozenModel):
    """A competitor's machine as its data sheet states it (fields left out are not known)."""

    code: Code = Field(description="your short name for it, unique in the library")
    maker: Name
    name: Name
    currency: Currency
    price: Price = Field(description="the price the buyer is offered (list or street price)")
    life_years: Annotated[int, Field(ge=1, le=100), WHOLE_NUMBER]
    power_kw: Annotated[float, Field(strict=True, ge=0.0, le=1e9, allow_inf_nan=False)] | None = (
        None
    )
    load_factor: LoadFraction | None = Field(
        default=None, description="average share of rated power while operating (0..1)"
    )
    mtbf_hours: PositiveFloat | None = None
    shape: Annotated[float, Field(strict=True, gt=0.0, le=20.0, allow_inf_nan=False)] | None = None
    repair_cost: Price | None = None
    downtime_hours: BoundedHours | None = None
    maintenance_per_year: Price | None = None
    installation_cost: Price | None = None
    source: Name = Field(description="where the figures come from: a data sheet, a URL, a tender")
    source_date: Day = Field(description="when the source was read or published")
    notes: Note = ""


class CompetitorProduct(FrozenModel):
    """A saved library entry: the data sheet and who keeps it."""

    id: int
    sheet: DataSheet
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


#: The decimal places the library keeps of a figure (kW, hours, shape) and of an amount.
FIGURE_PLACES = 4
MONEY_PLACES = 6
_FIGURES = ("power_kw", "mtbf_hours", "shape", "downtime_hours")
_AMOUNTS = ("price", "repair_cost", "maintenance_per_year", "installation_cost")


def _places(value: float | Decimal) -> int:
    exponent = Decimal(repr(value) if isinstance(value, float) else value).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _precision_problems(sheet: DataSheet) -> list[Problem]:
    """Figures with more decimal places than the library keeps: refused rather than saved
    rounded (a stored 0.00001 kW would read back as 0)."""
    problems = []
    for names, places in ((_FIGURES, FIGURE_PLACES), (_AMOUNTS, MONEY_PLACES)):
        for name in names:
            value = getattr(sheet, name)
            if value is not None and _places(value) > places:
                problems.append(
                    Problem(
                        name,
                        f"{value} has more decimal places than the library keeps ({places}); "
                        "round it",
                    )
                )
    return problems


def parse_data_sheet(raw: Any, *, today: date) -> DataSheet:
    """Validate a data sheet (plain data); problems named by path. A source date after
    ``today`` is refused."""
    if not isinstance(raw, Mapping):
        raise QuoteRequestError([Problem("", "a data sheet must be a mapping")])
    try:
        sheet = DataSheet.model_validate(raw)
    except ValidationError as exc:
        raise QuoteRequestError(
            [Problem(format_path(e["loc"]), problem_message(e)) for e in exc.errors()]
        ) from None
    precision = _precision_problems(sheet)
    if precision:
        raise QuoteRequestError(precision)
    if sheet.source_date > today:
        raise QuoteRequestError(
            [Problem("source_date", f"{sheet.source_date.isoformat()} is after today")]
        )
    return sheet


def as_product(sheet: DataSheet) -> Product:
    """The inline product a quote's competitor offer holds for this data sheet (its sku is the
    library code, so the saved quote says which entry it came from)."""
    energy = None
    if sheet.power_kw:
        load = sheet.load_factor if sheet.load_factor is not None else 1.0
        energy = EnergyUse(power_kw=float(sheet.power_kw), load_factor=float(load))
    failures = None
    if sheet.mtbf_hours is not None:
        failures = FailureProfile(
            mtbf_hours=float(sheet.mtbf_hours),
            shape=float(sheet.shape or 1.0),
            repair_cost=sheet.repair_cost or Decimal(0),
            downtime_hours=float(sheet.downtime_hours or 0.0),
        )
    maintenance: tuple[MaintenanceTask, ...] = ()
    if sheet.maintenance_per_year:
        maintenance = (
            MaintenanceTask(
                name="Preventive maintenance", every_years=1, cost=sheet.maintenance_per_year
            ),
        )
    return Product(
        sku=sheet.code,
        name=f"{sheet.maker} {sheet.name}",
        list_price=sheet.price,
        currency=sheet.currency,
        life_years=sheet.life_years,
        energy=energy,
        failures=failures,
        maintenance=maintenance,
        installation_cost=sheet.installation_cost or Decimal(0),
    )

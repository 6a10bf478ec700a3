"""The promise: what an accepted quote version said one installed unit would cost, year by year.

An accepted version's chosen offer (its recommended offer unless another is named) becomes one
asset per unit of its equipment lines. Each unit carries the offer's cost profile
(:func:`tco.core.profile.cost_profile`, the engine's own figures) divided by the number of units:

- per cost category and study year 0..N: nominal amounts (money of each year) and present values,
  and the part of each that the failure model drives (repairs, downtime, repair orders);
- expected failures per year, and the downtime hours per failure in each year's terms;
- the lifetime cost (present value) and that of the alternative it was chosen over (the
  baseline, or the cheapest other offer where the chosen offer is the baseline), per unit;
- the service-plan terms (plan, years, renewals, base-year fee) of the offer;
- the factors that turn an actual amount of study year k into a present value:
  ``amount / growth[k] x discount[k]`` (the engine's recurring-amount factors).

Shares are exact for an offer of one product (q units of a power-law process with minimal repair
expect q times the failures of one); an offer of several products is shared equally, and each
unit's own failure profile (MTBF, shape) is kept on its asset for the field reliability.
Amounts are unrounded float64 projections in the quote's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from tco.core.errors import NotFoundError, Problem, TcoError
from tco.core.profile import CostProfile, LineProfile, OfferProfile, cost_profile
from tco.core.scenario import Category
from tco.quoting.builder import BuiltQuote, CoverageTerm, rebuild
from tco.quoting.requests import parse_request
from tco.quoting.versions import QuoteVersion

Years = tuple[float, ...]

#: Categories the ledger measures from service events; the others count as contracted.
MEASURED = (Category.energy, Category.maintenance, Category.repair, Category.downtime)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryPromise(_Frozen):
    """One cost category of one unit by study year 0..N: nominal and present value, and the part
    of each driven by the failure model."""

    nominal: Years
    present_value: Years
    failure_nominal: Years
    failure_present_value: Years


class PlanTerm(_Frozen):
    """A service-plan term of the chosen offer: study years ``from_year..until_year``."""

    name: str
    code: str | None = None
    renewal: int = 0
    from_year: int
    until_year: int
    annual_fee: Decimal | None = None
    repair_covered: float = 0.0
    maintenance_covered: float = 0.0


class Promise(_Frozen):
    """The promised cost profile of one unit of an accepted offer (see the module docstring)."""

    quote_number: str
    quote_version: int
    offer_id: str
    offer_name: str
    units: int
    currency: str
    study_period_years: int
    operating_hours_per_year: float
    downtime_cost_per_hour: Decimal
    energy_price_per_kwh: Decimal | None = None
    growth: Years
    discount: Years
    categories: dict[Category, CategoryPromise]
    expected_failures: Years
    downtime_hours_per_failure: Years
    lifetime_cost: float
    alternative_id: str | None = None
    alternative_name: str = ""
    alternative_lifetime_cost: float | None = None
    terms: tuple[PlanTerm, ...] = ()

    @property
    def years(self) -> int:
        return self.study_period_years


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """One installed unit of the chosen offer: its number (1..units), product and the failure
    profile the quote used for it (None where the product has none)."""

    unit: int
    sku: str | None
    product_name: str
    mtbf_hours: float | None
    shape: float | None


def _share(values: Years | list[float], units: int) -> Years:
    return tuple(float(v) / units for v in values)


def _total(lines: list[LineProfile], attr: str, width: int) -> list[float]:
    return [sum((getattr(x, attr)[k] for x in lines), 0.0) for k in range(width)]


def _categories(offer: OfferProfile, units: int) -> dict[Category, CategoryPromise]:
    width = len(offer.expected_failures)

    def total(lines: list[LineProfile], attr: str) -> list[float]:
        return _total(lines, attr, width)

    out: dict[Category, CategoryPromise] = {}
    for category in Category:
        rows = [x for x in offer.lines if x.category == category]
        if not rows:
            continue
        fail = [x for x in rows if x.source.startswith("failures.")]
        out[category] = CategoryPromise(
            nominal=_share(total(rows, "nominal"), units),
            present_value=_share(total(rows, "present_value"), units),
            failure_nominal=_share(total(fail, "nominal"), units),
            failure_present_value=_share(total(fail, "present_value"), units),
        )
    return out


def _alternative(profile: CostProfile, version: QuoteVersion, chosen: str) -> str | None:
    result = version.result
    base = result.comparison.baseline
    if chosen != base:
        return base
    others = [o for o in result.offers if o.id != chosen]
    return min(others, key=lambda o: o.lifetime_cost).id if others else None


def _units(version: QuoteVersion, offer_id: str) -> tuple[UnitSpec, ...]:
    request, _ = parse_request(version.request, version.snapshot)
    offer = next(o for o in request.offers if o.id == offer_id)
    units: list[UnitSpec] = []
    for eq in offer.equipment:
        product = version.snapshot.product(eq.sku) if eq.sku is not None else eq.product
        if product is None:
            raise NotFoundError([Problem("sku", f"'{eq.sku}' is not in the quote's snapshot")])
        fp = product.failures
        for _ in range(eq.quantity):
            units.append(
                UnitSpec(
                    unit=len(units) + 1,
                    sku=product.sku,
                    product_name=product.name,
                    mtbf_hours=fp.mtbf_hours if fp is not None else None,
                    shape=fp.shape if fp is not None else None,
                )
            )
    return tuple(units)


def _terms(built: BuiltQuote | None, offer_id: str) -> tuple[PlanTerm, ...]:
    if built is None:
        return ()
    plans: list[CoverageTerm] = [
        t for t in built.coverage if t.offer_id == offer_id and t.kind == "service_plan"
    ]
    return tuple(
        PlanTerm(
            name=t.name,
            code=t.code,
            renewal=t.renewal,
            from_year=t.from_year,
            until_year=t.until_year,
            annual_fee=t.annual_fee,
            repair_covered=t.repair_covered,
            maintenance_covered=t.maintenance_covered,
        )
        for t in sorted(plans, key=lambda t: t.from_year)
    )


def promise_of(
    version: QuoteVersion, offer_id: str | None = None
) -> tuple[Promise, tuple[UnitSpec, ...]]:
    """The promise of one unit of an accepted version's offer (default: the recommended one),
    and the units it becomes. An offer without equipment has no units: a
    :class:`~tco.core.errors.TcoError` says so."""
    chosen = offer_id or version.result.comparison.recommended
    if chosen not in {o.id for o in version.result.offers}:
        raise NotFoundError([Problem("offer", f"quote {version.number} has no offer '{chosen}'")])
    units = _units(version, chosen)
    if not units:
        raise TcoError(
            [Problem("offer", f"offer '{chosen}' of quote {version.number} has no equipment")]
        )
    profile = cost_profile(version.scenario, version.result)
    offer = profile.offer(chosen)
    q = len(units)
    try:  # the version's own request and snapshot: its plan terms and energy price
        built: BuiltQuote | None = rebuild(version.request, version.snapshot)
    except TcoError:  # a version saved under rules this one no longer builds
        built = None
    a = version.scenario.assumptions
    other = _alternative(profile, version, chosen)
    results = {o.id: o for o in version.result.offers}
    down = [0.0] + [c.downtime_hours for c in offer.cover]
    promise = Promise(
        quote_number=version.number,
        quote_version=version.version,
        offer_id=chosen,
        offer_name=offer.name,
        units=q,
        currency=profile.currency,
        study_period_years=profile.study_period_years,
        operating_hours_per_year=float(a.operating_hours_per_year or 0.0),
        downtime_cost_per_hour=Decimal(a.downtime_cost_per_hour),
        energy_price_per_kwh=built.assumptions.energy_price_per_kwh if built else None,
        growth=profile.growth,
        discount=profile.discount_recurring,
        categories=_categories(offer, q),
        expected_failures=_share(offer.expected_failures, q),
        downtime_hours_per_failure=tuple(down) if offer.cover else (0.0,) * len(profile.growth),
        lifetime_cost=results[chosen].lifetime_cost / q,
        alternative_id=other,
        alternative_name=results[other].name if other else "",
        alternative_lifetime_cost=results[other].lifetime_cost / q if other else None,
        terms=_terms(built, chosen),
    )
    return promise, units

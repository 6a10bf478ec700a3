"""Promised vs actual to date, per asset and per customer, and the re-forecast lifetime cost.

Conventions (docs/ledger.md says the same in words):

- *to date*: study year 0 is counted on the commissioning date; the amounts of study year k
  (1..N) accrue evenly over that year, from the (k-1)-th to the k-th anniversary. On an
  anniversary the promise to date is the saved profile summed over the years that have ended.
- *measured* categories are those service events report: repairs the buyer paid (``repair``),
  downtime hours of repairs x the quote's downtime cost per hour (``downtime``), maintenance
  visits the buyer paid (``maintenance``), and energy readings (``energy``: their cost, or kWh x
  the quote's energy price) once an asset has one. The other categories (the price,
  installation, service fees, financing, end of life, ...) and energy without readings count as
  promised ("as contracted"). Actual amounts are money of the day; promised ones nominal.
- *failures*: each repair event is one failure; the expected failures to date are those of the
  unit's failure profile in its operating hours to date (the highest hour-meter reading, or the
  quote's hours per year x years elapsed when there is none); see :mod:`tco.ledger.reliability`.
- *re-forecast* (present value, the quote's discount rate and convention): the actual measured
  amounts to date (an amount of study year k discounted as the engine discounts recurring
  amounts of year k), the other categories to date as promised, and the rest of the study period
  as promised with its failure-driven part (repairs, downtime, repair orders) scaled by the
  field reliability's factor. It *turns the comparison* when it exceeds the lifetime cost of the
  alternative the offer was chosen over (as quoted, per unit).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from tco.core.scenario import Category
from tco.ledger.dates import add_years, years_elapsed
from tco.ledger.events import ContactKind, Event, EventKind, Payer
from tco.ledger.promise import MEASURED, Promise
from tco.ledger.reliability import DEFAULT_PRIOR_FAILURES, Reliability, update_many

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """An installed unit of an accepted quote."""

    id: int
    customer: str
    quote_number: str
    quote_version: int
    offer_id: str
    unit: int
    units: int
    sku: str | None
    product_name: str
    serial_number: str | None
    commissioned_on: date
    accepted_on: date
    mtbf_hours: float | None
    shape: float | None
    promise_id: int


@dataclass(frozen=True, slots=True)
class CategoryToDate:
    """One category to date: promised and actual (nominal), and whether events measure it."""

    category: Category
    promised: float
    actual: float
    measured: bool


@dataclass(frozen=True, slots=True)
class AssetStatus:
    """Promised vs actual of one asset on ``as_of`` (see the module docstring)."""

    asset: AssetRecord
    as_of: date
    years_elapsed: float
    categories: tuple[CategoryToDate, ...]
    promised_measured: float
    actual_measured: float
    promised_to_date: float
    actual_to_date: float
    failures: int
    expected_failures: float
    downtime_hours: float
    promised_downtime_hours: float
    operating_hours: float
    hours_from_readings: bool
    seller_paid: float
    reliability: Reliability | None
    promised_lifetime_cost: float
    reforecast_lifetime_cost: float
    alternative_lifetime_cost: float | None
    last_activity: date
    last_contact: date | None
    complaints: int
    #: Cumulative measured amounts: promised at study years 0..N, actual at event days (x in
    #: study years since commissioning) up to ``as_of``.
    promised_curve: tuple[tuple[float, float], ...] = ()
    actual_curve: tuple[tuple[float, float], ...] = ()

    @property
    def over_promise(self) -> float | None:
        """Measured actual over promised to date, minus 1 (None when nothing was promised)."""
        if self.promised_measured <= 0:
            return None
        return self.actual_measured / self.promised_measured - 1

    @property
    def turns_against(self) -> bool:
        alt = self.alternative_lifetime_cost
        return alt is not None and self.reforecast_lifetime_cost > alt


def accrued_shares(t: float, width: int) -> FloatArray:
    """The share of each study year 0..width-1 that has passed ``t`` years after commissioning
    (year 0 whole from the commissioning day on)."""
    if t < 0:
        return np.zeros(width)
    return np.clip(t + 1 - np.arange(width), 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class _Arrays:
    """A promise as arrays (categories x years) and the sums the status needs, made once per
    promise (internal)."""

    categories: tuple[Category, ...]
    nominal: FloatArray
    #: Present values by year: all categories; the measured ones but energy; energy; and the
    #: part the failure model drives.
    present_value: FloatArray
    present_value_measured: FloatArray
    present_value_energy: FloatArray
    failure_present_value: FloatArray
    downtime_hours: FloatArray
    curves: dict[bool, tuple[tuple[float, float], ...]]
    #: The categories a status lists (promised or measured), in category order, each with its
    #: row in ``nominal`` (None: not promised).
    order: tuple[tuple[Category, int | None], ...]

    @classmethod
    def of(cls, promise: Promise) -> _Arrays:
        cats = tuple(promise.categories)
        width = promise.years + 1
        rows = [promise.categories[c] for c in cats]
        nominal = np.array([r.nominal for r in rows]).reshape(len(cats), width)
        pv = np.array([r.present_value for r in rows]).reshape(len(cats), width)
        fail = np.array([r.failure_present_value for r in rows]).reshape(len(cats), width)
        measured = [k for k, c in enumerate(cats) if c in MEASURED and c is not Category.energy]
        energy = [cats.index(Category.energy)] if Category.energy in cats else []

        def curve(with_energy: bool) -> tuple[tuple[float, float], ...]:
            yearly = nominal[measured + (energy if with_energy else [])].sum(axis=0)
            return tuple((float(k), float(v)) for k, v in enumerate(np.cumsum(yearly)))

        return cls(
            categories=cats,
            nominal=nominal,
            present_value=pv.sum(axis=0),
            present_value_measured=pv[measured].sum(axis=0),
            present_value_energy=pv[energy].sum(axis=0),
            failure_present_value=fail.sum(axis=0),
            downtime_hours=np.multiply(
                promise.expected_failures, promise.downtime_hours_per_failure
            ),
            curves={False: curve(False), True: curve(True)},
            order=tuple(
                (c, cats.index(c) if c in cats else None)
                for c in Category
                if c in cats or c in MEASURED
            ),
        )


class _Calendar:
    """Study years of one asset: its anniversaries, looked up by bisection (internal)."""

    __slots__ = ("last", "marks", "start")

    def __init__(self, start: date, years: int) -> None:
        self.start, self.last = start, years
        self.marks = [add_years(start, k) for k in range(years + 2)]

    def elapsed(self, day: date) -> float:
        """:func:`tco.ledger.dates.years_elapsed`, from the anniversaries of the study period."""
        k = bisect_right(self.marks, day) - 1
        if k < 0 or k >= len(self.marks) - 1:
            return years_elapsed(self.start, day)
        begin, end = self.marks[k], self.marks[k + 1]
        return k + (day - begin).days / (end - begin).days

    def year(self, t: float) -> int:
        """The study year of an amount ``t`` years after commissioning (0 on the day itself)."""
        return 0 if t <= 0 else min(math.ceil(t), self.last)


@dataclass(slots=True)
class _Tally:
    """Actual amounts of one asset, as its events are read in date order (internal)."""

    calendar: _Calendar
    promise: Promise
    nominal: dict[Category, float] = field(default_factory=dict)
    present_value: dict[Category, float] = field(default_factory=dict)
    points: list[tuple[float, float]] = field(default_factory=list)
    failures: int = 0
    downtime_hours: float = 0.0
    hours: float | None = None
    seller_paid: float = 0.0
    energy_read: bool = False
    last: date | None = None
    last_contact: date | None = None
    complaints: int = 0

    def book(self, category: Category, amount: float, day: date) -> None:
        """An actual amount on ``day``: nominal, and its present value in its study year."""
        t = self.calendar.elapsed(day)
        k = self.calendar.year(t)
        pv = amount * self.promise.discount[k] / self.promise.growth[k]
        self.nominal[category] = self.nominal.get(category, 0.0) + amount
        self.present_value[category] = self.present_value.get(category, 0.0) + pv
        self.points.append((max(t, 0.0), amount))

    def paid(self, category: Category, e: Event) -> None:
        if e.cost is None:
            return
        if e.payer is Payer.seller:
            self.seller_paid += float(e.cost)
        else:
            self.book(category, float(e.cost), e.occurred_on)

    def read(self, e: Event) -> None:
        day = e.occurred_on
        self.last = day if self.last is None or day > self.last else self.last
        if e.kind is EventKind.operating_hours and e.hours is not None:
            self.hours = max(self.hours or 0.0, float(e.hours))
        elif e.kind is EventKind.repair:
            self.failures += 1
            down = float(e.downtime_hours or 0)
            self.downtime_hours += down
            self.paid(Category.repair, e)
            if down:
                self.book(Category.downtime, down * float(self.promise.downtime_cost_per_hour), day)
        elif e.kind is EventKind.maintenance:
            self.paid(Category.maintenance, e)
        elif e.kind is EventKind.energy:
            cost = e.cost if e.cost is not None else _energy_cost(e.kwh, self.promise)
            if cost is not None:
                self.energy_read = True
                self.book(Category.energy, float(cost), day)
        elif e.kind is EventKind.contact:
            self.last_contact = day
            self.complaints += e.contact is ContactKind.complaint


def _energy_cost(kwh: Decimal | None, promise: Promise) -> Decimal | None:
    price = promise.energy_price_per_kwh
    return kwh * price if kwh is not None and price is not None else None


def _tally(asset: AssetRecord, promise: Promise, events: Iterable[Event], as_of: date) -> _Tally:
    tally = _Tally(_Calendar(asset.commissioned_on, promise.study_period_years), promise)
    for e in sorted(events, key=lambda e: e.occurred_on):
        if e.occurred_on <= as_of:
            tally.read(e)
    return tally


def asset_status(
    asset: AssetRecord,
    promise: Promise,
    events: Iterable[Event],
    as_of: date,
    *,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> AssetStatus:
    """Promised vs actual of ``asset`` on ``as_of`` from its promise and events (module doc)."""
    return asset_statuses([(asset, promise, events)], as_of, prior_failures=prior_failures)[0]


def asset_statuses(
    items: Sequence[tuple[AssetRecord, Promise, Iterable[Event]]],
    as_of: date,
    *,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> list[AssetStatus]:
    """:func:`asset_status` of many assets: each promise is turned into arrays once, and the
    credible intervals of all assets come from one vectorized gamma quantile."""
    arrays: dict[int, _Arrays] = {}
    tallies, hours, elapsed = [], [], []
    for asset, promise, events in items:
        if id(promise) not in arrays:
            arrays[id(promise)] = _Arrays.of(promise)
        tally = _tally(asset, promise, events, as_of)
        t = years_elapsed(asset.commissioned_on, as_of)
        tallies.append(tally)
        elapsed.append(t)
        hours.append(
            tally.hours if tally.hours is not None else max(t, 0) * promise.operating_hours_per_year
        )
    rated = [k for k, (a, _, _) in enumerate(items) if a.mtbf_hours]
    found = update_many(
        [items[k][0].mtbf_hours or 0.0 for k in rated],
        [tallies[k].failures for k in rated],
        [hours[k] for k in rated],
        shapes=[items[k][0].shape or 1.0 for k in rated],
        prior_failures=prior_failures,
    )
    reliability: dict[int, Reliability] = dict(zip(rated, found, strict=True))
    return [
        _status(a, p, arrays[id(p)], tallies[k], elapsed[k], hours[k], reliability.get(k), as_of)
        for k, (a, p, _) in enumerate(items)
    ]


def _status(
    asset: AssetRecord,
    promise: Promise,
    arrays: _Arrays,
    tally: _Tally,
    t: float,
    hours: float,
    reliability: Reliability | None,
    as_of: date,
) -> AssetStatus:
    shares = accrued_shares(t, promise.study_period_years + 1)
    energy = tally.energy_read
    categories = _categories(arrays, tally, shares)
    return AssetStatus(
        asset=asset,
        as_of=as_of,
        years_elapsed=t,
        categories=categories,
        promised_measured=sum(c.promised for c in categories if c.measured),
        actual_measured=sum(c.actual for c in categories if c.measured),
        promised_to_date=sum(c.promised for c in categories),
        actual_to_date=sum(c.actual for c in categories),
        failures=tally.failures,
        expected_failures=reliability.expected_failures if reliability else 0.0,
        downtime_hours=tally.downtime_hours,
        promised_downtime_hours=float(shares @ arrays.downtime_hours),
        operating_hours=hours,
        hours_from_readings=tally.hours is not None,
        seller_paid=tally.seller_paid,
        reliability=reliability,
        promised_lifetime_cost=promise.lifetime_cost,
        reforecast_lifetime_cost=_reforecast(arrays, tally, shares, reliability),
        alternative_lifetime_cost=promise.alternative_lifetime_cost,
        last_activity=max(tally.last or asset.commissioned_on, asset.commissioned_on),
        last_contact=tally.last_contact,
        complaints=tally.complaints,
        promised_curve=arrays.curves[energy],
        actual_curve=_actual_curve(tally, t),
    )


_MEASURED = frozenset(MEASURED)
_ENERGY = Category.energy


def _is_measured(category: Category, tally: _Tally) -> bool:
    return category in _MEASURED and (category is not _ENERGY or tally.energy_read)


def _categories(arrays: _Arrays, tally: _Tally, shares: FloatArray) -> tuple[CategoryToDate, ...]:
    promised = (arrays.nominal @ shares).tolist()
    out = []
    for category, k in arrays.order:
        measured = category in _MEASURED and (category is not _ENERGY or tally.energy_read)
        if k is None and not measured:
            continue
        p = promised[k] if k is not None else 0.0
        actual = tally.nominal.get(category, 0.0) if measured else p
        out.append(CategoryToDate(category, p, actual, measured))
    return tuple(out)


def _reforecast(
    arrays: _Arrays, tally: _Tally, shares: FloatArray, reliability: Reliability | None
) -> float:
    factor = reliability.factor if reliability is not None else 1.0
    unmeasured = arrays.present_value - arrays.present_value_measured
    if tally.energy_read:
        unmeasured = unmeasured - arrays.present_value_energy
    to_date = float(shares @ unmeasured) + sum(
        v for c, v in tally.present_value.items() if _is_measured(c, tally)
    )
    rest = 1.0 - shares
    return to_date + float(
        rest @ (arrays.present_value + (factor - 1.0) * arrays.failure_present_value)
    )


def _actual_curve(tally: _Tally, t: float) -> tuple[tuple[float, float], ...]:
    points = [(0.0, 0.0)]
    total = 0.0
    for x, amount in tally.points:
        total += amount
        points.append((x, total))
    if t > 0:
        points.append((t, total))
    return tuple(points)


# --------------------------------------------------------------------------------------------
# Customers


@dataclass(frozen=True, slots=True)
class CustomerStatus:
    """Promised vs actual of all of a customer's assets (sums of the asset figures)."""

    customer: str
    currency: str
    assets: tuple[AssetStatus, ...]
    promised_measured: float
    actual_measured: float
    failures: int
    expected_failures: float
    downtime_hours: float
    promised_downtime_hours: float
    reforecast_lifetime_cost: float
    promised_lifetime_cost: float
    last_activity: date

    @property
    def over_promise(self) -> float | None:
        if self.promised_measured <= 0:
            return None
        return self.actual_measured / self.promised_measured - 1


def customer_statuses(
    statuses: Sequence[AssetStatus], currencies: dict[int, str]
) -> list[CustomerStatus]:
    """The statuses grouped by customer (and currency: sums never mix currencies), by name."""
    groups: dict[tuple[str, str], list[AssetStatus]] = {}
    for s in statuses:
        groups.setdefault((s.asset.customer, currencies[s.asset.id]), []).append(s)
    out = []
    for (customer, currency), items in sorted(groups.items()):
        out.append(
            CustomerStatus(
                customer=customer,
                currency=currency,
                assets=tuple(items),
                **_sums(items),
                last_activity=max(s.last_activity for s in items),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Quotes


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """The assets of one accepted quote, summed: what the quote promised for all its units and
    what they delivered (curves summed on each unit's own clock, years since commissioning)."""

    quote_number: str
    assets: tuple[AssetStatus, ...]
    categories: tuple[CategoryToDate, ...]
    promised_measured: float
    actual_measured: float
    failures: int
    expected_failures: float
    downtime_hours: float
    promised_downtime_hours: float
    seller_paid: float
    promised_lifetime_cost: float
    reforecast_lifetime_cost: float
    alternative_lifetime_cost: float | None
    years_elapsed: float
    promised_curve: tuple[tuple[float, float], ...]
    actual_curve: tuple[tuple[float, float], ...]

    @property
    def turns_against(self) -> bool:
        alt = self.alternative_lifetime_cost
        return alt is not None and self.reforecast_lifetime_cost > alt


def _summed_categories(items: Sequence[AssetStatus]) -> tuple[CategoryToDate, ...]:
    found: dict[Category, list[CategoryToDate]] = {}
    for s in items:
        for c in s.categories:
            found.setdefault(c.category, []).append(c)
    return tuple(
        CategoryToDate(
            category,
            sum(c.promised for c in found[category]),
            sum(c.actual for c in found[category]),
            all(c.measured for c in found[category]),
        )
        for category in Category
        if category in found
    )


def _summed_curves(
    items: Sequence[AssetStatus],
) -> tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]:
    width = max(len(s.promised_curve) for s in items)
    promised = [
        (float(k), sum(s.promised_curve[k][1] for s in items if k < len(s.promised_curve)))
        for k in range(width)
    ]
    steps: list[tuple[float, float]] = []
    for s in items:
        curve = s.actual_curve
        steps.extend((x, y - curve[i - 1][1]) for i, (x, y) in enumerate(curve) if i > 0)
    actual, total = [(0.0, 0.0)], 0.0
    for x, amount in sorted(steps, key=lambda p: p[0]):
        total += amount
        actual.append((x, total))
    return tuple(promised), tuple(actual)


def quote_groups(statuses: Sequence[AssetStatus]) -> list[QuoteGroup]:
    """The statuses grouped by quote, in the order of their first asset."""
    groups: dict[str, list[AssetStatus]] = {}
    for s in statuses:
        groups.setdefault(s.asset.quote_number, []).append(s)
    out = []
    for number, items in groups.items():
        alternatives = [s.alternative_lifetime_cost for s in items]
        promised, actual = _summed_curves(items)
        out.append(
            QuoteGroup(
                quote_number=number,
                assets=tuple(items),
                categories=_summed_categories(items),
                **_sums(items),
                seller_paid=sum(s.seller_paid for s in items),
                alternative_lifetime_cost=(
                    None if None in alternatives else sum(a or 0.0 for a in alternatives)
                ),
                years_elapsed=max(s.years_elapsed for s in items),
                promised_curve=promised,
                actual_curve=actual,
            )
        )
    return out


#: The figures of an asset that add up over a group of assets (a customer's, a quote's).
_SUMMED = (
    "promised_measured",
    "actual_measured",
    "failures",
    "expected_failures",
    "downtime_hours",
    "promised_downtime_hours",
    "promised_lifetime_cost",
    "reforecast_lifetime_cost",
)


def _sums(items: Sequence[Any]) -> dict[str, Any]:
    """The :data:`_SUMMED` figures of a group of asset statuses, each summed over the group."""
    return {name: sum(getattr(s, name) for s in items) for name in _SUMMED}

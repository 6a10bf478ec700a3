"""The cost model: scenarios in, cost profiles out, batch-first.

Pipeline (pure functions, no I/O):

1. :func:`compile_batch` turns validated :class:`~tco.core.scenario.Scenario` objects into a
columnar
   :class:`Batch`: one row per scenario, offer, cost line and failure model, schedules as
   (first, every, last) years, escalation drivers as indices. Offers are ordered by scenario and
   lines by offer, so each scenario's offers and each offer's lines are contiguous runs.
2. :func:`evaluate_batch` evaluates a :class:`Batch` with the compiled kernel
   (:mod:`tco.core.kernel`): per scenario, escalation factors by driver and
   year
   (:mod:`tco.core.escalation`'s convention) and discount factors (:mod:`tco.core.discounting`'s),
   then
   per offer every cost line over the years of its schedule, expected repairs, downtime and
   repair orders, residual values, and the comparison with the scenario's baseline. It returns
   a :class:`BatchResult` of arrays. A large batch is evaluated in runs of whole scenarios on a
   thread pool of up to ``os.cpu_count()`` workers (the kernel releases the GIL); every number
   depends on its own scenario only, so results are identical whatever the partition.
3. :mod:`tco.core.measures` presents the measures (and finds the IRR of the rare savings streams
   whose sign changes more than once).

A single scenario, a batch of configurator requests and a Monte Carlo run of many trials go
through the same code: they differ only in the number of rows. The conceptual result is the
array (scenario, offer, category, year) of cash flows; :func:`category_cash_flows` materialises
it with numpy for one scenario's offers (an independent computation of the same numbers), while
the kernel reduces straight to what results report (present value by line and category, cash
flows by offer and year) without allocating it.

All projections are float64 in the currency; rounding happens only when shown.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from tco.core.discounting import capital_recovery_factor, discount_factors
from tco.core.escalation import escalation_factors
from tco.core.kernel import (
    GRID_V,
    GRID_ZERO,
    M_AIRR,
    M_BASE,
    M_BE,
    M_CHANGES,
    M_CHECK,
    M_DPB,
    M_EAC,
    M_HEADROOM,
    M_IRR,
    M_LCC,
    M_NEG_AGAIN,
    M_NET,
    M_PER_HOUR,
    M_RECOVERED,
    M_ROWS,
    M_SIR,
    M_SPB,
    evaluate_scenarios,
    grid_powers,
    interpreted,
    interpreting,
    loaded,
)
from tco.core.scenario import (
    CATEGORIES,
    INVESTMENT_CATEGORIES,
    Category,
    FailureModel,
    Offer,
    Scenario,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

N_CATEGORIES = len(CATEGORIES)
CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
REPAIR = CAT_INDEX[Category.repair]
DOWNTIME = CAT_INDEX[Category.downtime]
TRANSACTION = CAT_INDEX[Category.transaction]
END_OF_LIFE = CAT_INDEX[Category.end_of_life]
ACQUISITION = CAT_INDEX[Category.acquisition]


_Starts = tuple[IntArray, IntArray, IntArray]


def _is_sorted(keys: IntArray, *, strict: bool = False) -> bool:
    if keys.size < 2:
        return True
    step = np.diff(keys)
    return bool(np.all(step > 0) if strict else np.all(step >= 0))


def _array_starts(b: Batch) -> _Starts | None:
    """Where each scenario's offers and each offer's lines start (with the end), and each
    offer's failure model (-1 where none); None where rows are not ordered."""
    if not (
        _is_sorted(b.offer_scenario)
        and _is_sorted(b.line_offer)
        and _is_sorted(b.fail_offer, strict=True)
    ):
        return None
    offer_fail = np.full(b.n_offers, -1, dtype=np.int64)
    offer_fail[b.fail_offer] = np.arange(b.fail_offer.size)
    return (
        np.searchsorted(b.offer_scenario, np.arange(b.n_scenarios + 1)).astype(np.int64),
        np.searchsorted(b.line_offer, np.arange(b.n_offers + 1)).astype(np.int64),
        offer_fail,
    )


class _Row:
    """A named row of one of a batch's packed tables (a view, no copy)."""

    def __init__(self, table: str, k: int) -> None:
        self.table, self.k = table, k

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return getattr(obj, self.table)[self.k]


#: The packed tables of a batch and the names of their rows, in order.
TABLES: dict[str, tuple[str, ...]] = {
    "scenario_ints": ("study_years", "baseline_offer"),
    "scenario_floats": ("discount_rate", "inflation", "hours", "downtime_cost"),
    "scenario_flags": ("nominal", "mid_year"),
    "line_ints": (
        "line_offer",
        "line_category",
        "line_driver",
        "line_first",
        "line_every",
        "line_last",
        "line_source",
    ),
    "line_floats": ("line_amount", "line_life", "line_fraction"),
    "fail_ints": ("fail_offer", "fail_repair_driver", "fail_downtime_driver", "fail_order_driver"),
    "fail_floats": (
        "fail_mtbf",
        "fail_shape",
        "fail_repair_amount",
        "fail_downtime_hours",
        "fail_order_amount",
    ),
    "period_ints": ("period_from", "period_until"),
    "period_floats": ("period_repair_amount", "period_downtime_hours", "period_order_amount"),
}
_DTYPES = {"ints": np.int64, "floats": np.float64, "flags": np.bool_}


@dataclass(eq=False, slots=True)
class Batch:
    """A columnar batch of scenarios, ready for :func:`evaluate_batch`.

    Packed tables, one row per field (:data:`TABLES` names them; each row is also an attribute,
    ``batch.line_amount`` say): scenarios (S columns), offers (``offer_scenario``, O, ordered by
    scenario), cost lines (L, ordered by offer), failure models (F, at most one per offer,
    ordered by offer) and coverage periods (P, ordered by failure model; ``period_start`` (F+1,)
    is where each model's periods start). Driver index 0 means "no driver" (flat real value, or
    ``inflation`` in a nominal analysis); ``rates`` is scenario-major: ``rates[s, d, k]`` is the
    rate of driver d in year k+1 of scenario s. ``line_every`` is 0 for a one-time line, whose
    year is ``line_first == line_last``; ``line_life`` 0 and ``line_fraction`` NaN mean no
    residual value; ``line_source`` is the line's index in its offer's ``costs``. A period
    replaces, in years ``period_from`` .. ``period_until``, the failure model's repair amount
    (repair cost x (1 - covered fraction)), downtime hours and order amount.

    Building a batch checks the order and derives where each scenario's offers and each offer's
    lines start, and each offer's failure model (-1 where none). :meth:`of` builds one from
    named columns.
    """

    scenario_ints: IntArray
    scenario_floats: FloatArray
    scenario_flags: BoolArray
    rates: FloatArray
    offer_scenario: IntArray
    line_ints: IntArray
    line_floats: FloatArray
    fail_ints: IntArray
    fail_floats: FloatArray
    period_start: IntArray
    period_ints: IntArray
    period_floats: FloatArray
    offer_start: IntArray = field(init=False, repr=False)  # (S+1,)
    line_start: IntArray = field(init=False, repr=False)  # (O+1,)
    offer_fail: IntArray = field(init=False, repr=False)  # (O,)
    #: The three tables above, from a builder that made them with the rows (compile_batch);
    #: otherwise they are derived here, the order checked.
    runs: InitVar[_Starts | None] = None

    study_years = _Row("scenario_ints", 0)
    baseline_offer = _Row("scenario_ints", 1)
    discount_rate = _Row("scenario_floats", 0)
    inflation = _Row("scenario_floats", 1)
    hours = _Row("scenario_floats", 2)
    downtime_cost = _Row("scenario_floats", 3)
    nominal = _Row("scenario_flags", 0)
    mid_year = _Row("scenario_flags", 1)
    line_offer = _Row("line_ints", 0)
    line_category = _Row("line_ints", 1)
    line_driver = _Row("line_ints", 2)
    line_first = _Row("line_ints", 3)
    line_every = _Row("line_ints", 4)
    line_last = _Row("line_ints", 5)
    line_source = _Row("line_ints", 6)
    line_amount = _Row("line_floats", 0)
    line_life = _Row("line_floats", 1)
    line_fraction = _Row("line_floats", 2)
    fail_offer = _Row("fail_ints", 0)
    fail_repair_driver = _Row("fail_ints", 1)
    fail_downtime_driver = _Row("fail_ints", 2)
    fail_order_driver = _Row("fail_ints", 3)
    fail_mtbf = _Row("fail_floats", 0)
    fail_shape = _Row("fail_floats", 1)
    fail_repair_amount = _Row("fail_floats", 2)
    fail_downtime_hours = _Row("fail_floats", 3)
    fail_order_amount = _Row("fail_floats", 4)
    period_from = _Row("period_ints", 0)
    period_until = _Row("period_ints", 1)
    period_repair_amount = _Row("period_floats", 0)
    period_downtime_hours = _Row("period_floats", 1)
    period_order_amount = _Row("period_floats", 2)

    def __post_init__(self, runs: _Starts | None) -> None:
        if self.rates.ndim != 3 or self.rates.shape[0] != self.n_scenarios:
            raise ValueError("rates must have the shape (scenario, driver, year)")
        for table, rows in TABLES.items():
            if getattr(self, table).shape[0] != len(rows):
                raise ValueError(f"{table} must have {len(rows)} rows: {', '.join(rows)}")
        starts = runs if runs is not None else _array_starts(self)
        if starts is None:
            raise ValueError(
                "batch rows must be ordered: offers by scenario, lines and failure models by "
                "offer (one failure model per offer at most)"
            )
        self.offer_start, self.line_start, self.offer_fail = starts
        if self.period_start.size != self.fail_offer.size + 1:
            raise ValueError("period_start needs one entry per failure model, plus one")

    @classmethod
    def of(cls, *, rates: FloatArray, offer_scenario: IntArray, **columns: Any) -> Batch:
        """A batch from named columns (the rows of :data:`TABLES`). ``line_source`` defaults to
        0, and without ``period_start`` the failure models have no coverage periods."""
        n_lines = len(columns["line_offer"])
        n_fails = len(columns["fail_offer"])
        columns.setdefault("line_source", np.zeros(n_lines, np.int64))
        if "period_start" not in columns:
            columns["period_start"] = np.zeros(n_fails + 1, np.int64)
            for name in TABLES["period_ints"] + TABLES["period_floats"]:
                columns.setdefault(name, np.zeros(0))
        tables: dict[str, Any] = {
            table: np.array(
                [np.asarray(columns[name]) for name in rows],
                dtype=_DTYPES[table.rsplit("_", 1)[1]],
            ).reshape(len(rows), -1)
            for table, rows in TABLES.items()
        }
        return cls(
            scenario_ints=tables["scenario_ints"],
            scenario_floats=tables["scenario_floats"],
            scenario_flags=tables["scenario_flags"],
            rates=rates,
            offer_scenario=np.asarray(offer_scenario, dtype=np.int64),
            line_ints=tables["line_ints"],
            line_floats=tables["line_floats"],
            fail_ints=tables["fail_ints"],
            fail_floats=tables["fail_floats"],
            period_start=np.asarray(columns["period_start"], dtype=np.int64),
            period_ints=tables["period_ints"],
            period_floats=tables["period_floats"],
        )

    def columns(self) -> dict[str, Any]:
        """The named columns of :meth:`of` (views): ``Batch.of(**b.columns())`` is a copy."""
        named = {name: getattr(self, name) for rows in TABLES.values() for name in rows}
        return {
            "rates": self.rates,
            "offer_scenario": self.offer_scenario,
            "period_start": self.period_start,
            **named,
        }

    @property
    def n_scenarios(self) -> int:
        return int(self.study_years.shape[0])

    @property
    def n_offers(self) -> int:
        return int(self.offer_scenario.shape[0])

    @property
    def n_years(self) -> int:
        """Columns of the year axis: the longest study period + 1."""
        return int(self.rates.shape[2]) + 1


@dataclass(eq=False, slots=True)
class Measures:
    """Per-offer measures (arrays of length O), computed by the kernel in its pass over each
    scenario (definitions: :mod:`tco.core.measures`); comparison fields are NaN for baselines.
    ``sign_changes`` counts the sign changes of each offer's savings."""

    lifetime_cost: FloatArray
    equivalent_annual_cost: FloatArray
    cost_per_operating_hour: FloatArray
    net_savings: FloatArray
    sir: FloatArray
    airr: FloatArray
    simple_payback_year: FloatArray
    discounted_payback_year: FloatArray
    breakeven_year: FloatArray
    irr: FloatArray
    sign_changes: FloatArray
    price_headroom: FloatArray
    savings_negative_again_year: FloatArray
    savings_recovered_year: FloatArray
    #: Per offer, a sum of its numbers: finite exactly when all of them are.
    check: FloatArray
    is_baseline: BoolArray


@dataclass(eq=False, slots=True)
class BatchResult:
    """Arrays of one evaluated batch. Flows are in the currency, year 0..N per column.

    ``offer_nominal`` holds each offer's nominal cash flows, ``offer_pv`` their present values.
    Cash flows on the analysis basis (constant money in a real analysis) are the nominal ones
    divided by (1 + inflation)^t; the kernel compares offers on them without storing them.
    """

    batch: Batch
    line_pv: FloatArray  # (L,)
    residual_pv: FloatArray  # (L,) credit of each line's residual value (0 where none)
    repair_pv: FloatArray  # (F,)
    downtime_pv: FloatArray  # (F,)
    order_pv: FloatArray  # (F,) expected repair orders (transaction)
    offer_nominal: FloatArray  # (O, Y)
    offer_pv: FloatArray  # (O, Y)
    category_pv: FloatArray  # (O, C)
    measures: Measures

    @property
    def lifetime_cost(self) -> FloatArray:
        return self.measures.lifetime_cost


# --------------------------------------------------------------------------------------------
# compile


def compile_batch(scenarios: Sequence[Scenario]) -> Batch:
    """Turn validated scenarios into a columnar :class:`Batch`."""
    if not scenarios:
        raise ValueError("a batch needs at least one scenario")
    packer = _Packer(scenarios)
    for si, sc in enumerate(scenarios):
        dindex = packer.scenario(si, sc)
        for offer in sc.offers:
            packer.offer(si, offer, dindex, sc.assumptions.study_period_years)
    return packer.batch()


class _Packer:
    """The flat lists a :class:`Batch` is packed from, filled scenario by scenario.

    Per line: (offer, category, driver, first, every, last, source) and (amount, life, residual
    fraction); per failure model: (offer, repair driver, downtime driver, order driver) and
    (mtbf, shape, repair amount, downtime hours, order amount); per coverage period: (from,
    until) and (repair amount, downtime hours, order amount). Flat lists, each record's fields
    one after the other: numpy reads them fastest so.
    """

    def __init__(self, scenarios: Sequence[Scenario]) -> None:
        n_max = max(s.assumptions.study_period_years for s in scenarios)
        self.drivers: list[list[str]] = [sorted(s.assumptions.escalation) for s in scenarios]
        d1 = 1 + max((len(d) for d in self.drivers), default=0)
        self.rates = np.zeros((len(scenarios), d1, n_max), dtype=np.float64)
        self.scenario_ints: list[list[int]] = [[], []]  # study years, baseline offer
        self.scenario_floats: list[list[float]] = [[], [], [], []]  # d, inflation, hours, cost
        self.scenario_flags: list[list[bool]] = [[], []]  # nominal, mid-year
        self.offer_scenario: list[int] = []
        self.offer_start: list[int] = []
        self.line_start: list[int] = []
        self.offer_fail: list[int] = []
        self.line_ints: list[int] = []
        self.line_floats: list[float] = []
        self.fail_ints: list[int] = []
        self.fail_floats: list[float] = []
        self.period_start: list[int] = [0]
        self.period_ints: list[int] = []
        self.period_floats: list[float] = []

    def scenario(self, si: int, sc: Scenario) -> dict[str | None, int]:
        """Record a scenario's assumptions and escalation rates; its drivers' row indexes."""
        a = sc.assumptions
        n = a.study_period_years
        h = a.operating_hours_per_year
        self.scenario_ints[0].append(n)
        self.scenario_ints[1].append(len(self.offer_scenario) + sc.baseline_index)
        row: tuple[float, ...] = (
            a.discount_rate,
            a.inflation,
            math.nan if h is None else h,
            float(a.downtime_cost_per_hour),
        )
        for column, x in zip(self.scenario_floats, row, strict=True):
            column.append(x)
        self.scenario_flags[0].append(a.rate_basis == "nominal")
        self.scenario_flags[1].append(a.timing == "mid_year")
        self.offer_start.append(len(self.offer_scenario))
        dindex: dict[str | None, int] = {None: 0}  # no driver: index 0
        for di, name in enumerate(self.drivers[si], start=1):  # the last given rate held to N
            dindex[name] = di
            given = a.escalation[name]
            k = min(len(given), n)
            if k == 1:
                self.rates[si, di, :n] = given[0]
            else:
                self.rates[si, di, :k] = given[:k]
                self.rates[si, di, k:n] = given[k - 1]
        return dindex

    def offer(self, si: int, offer: Offer, dindex: dict[str | None, int], n: int) -> None:
        oi = len(self.offer_scenario)
        self.offer_scenario.append(si)
        self.line_start.append(len(self.line_floats) // 3)
        ints, floats = self.line_ints, self.line_floats
        for li, line in enumerate(offer.costs):
            first, last = line.span(n)
            if line.every_years is None:
                every = 0
            else:
                every = min(line.every_years, n + 1)
                if first > last:  # no occurrence within the study period: adds nothing
                    ints.extend((oi, CAT_INDEX[line.category], 0, 0, 0, 0, li))
                    floats.extend((0.0, 0.0, math.nan))
                    continue
            fraction = line.residual_fraction
            ints.extend(
                (oi, CAT_INDEX[line.category], dindex[line.escalation], first, every, last, li)
            )
            floats.extend(
                (
                    float(line.amount),
                    float(line.life_years or 0),
                    math.nan if fraction is None else fraction,
                )
            )
        f = offer.failures
        self.offer_fail.append(-1 if f is None else len(self.fail_ints) // 4)
        if f is not None:
            self.failures(oi, f, dindex)

    def failures(self, oi: int, f: FailureModel, dindex: dict[str | None, int]) -> None:
        drivers = (f.escalation, f.downtime_escalation, f.order_escalation)
        self.fail_ints.extend((oi, *(dindex[d] for d in drivers)))
        repair = float(f.repair_cost)
        self.fail_floats.extend(
            (
                f.mtbf_hours,
                f.shape,
                repair * (1.0 - f.covered_fraction),
                f.downtime_hours,
                float(f.order_cost),
            )
        )
        for p in f.periods:
            covered, down, order = f.terms_in(p.from_year)
            self.period_ints.extend((p.from_year, p.until_year))
            self.period_floats.extend((repair * (1.0 - covered), down, float(order)))
        self.period_start.append(len(self.period_ints) // 2)

    def batch(self) -> Batch:
        """The packed tables, one row per field (Batch's TABLES)."""
        n_s, n_o = len(self.offer_start), len(self.offer_scenario)
        n_l = len(self.line_floats) // 3
        runs = np.array([*self.offer_start, n_o, *self.line_start, n_l, *self.offer_fail], np.int64)
        return Batch(
            scenario_ints=np.array(self.scenario_ints, dtype=np.int64),
            scenario_floats=np.array(self.scenario_floats, dtype=np.float64),
            scenario_flags=np.array(self.scenario_flags, dtype=np.bool_),
            rates=self.rates,
            offer_scenario=np.array(self.offer_scenario, dtype=np.int64),
            line_ints=_columns(self.line_ints, 7, np.int64),
            line_floats=_columns(self.line_floats, 3, np.float64),
            fail_ints=_columns(self.fail_ints, 4, np.int64),
            fail_floats=_columns(self.fail_floats, 5, np.float64),
            period_start=np.array(self.period_start, dtype=np.int64),
            period_ints=_columns(self.period_ints, 2, np.int64),
            period_floats=_columns(self.period_floats, 3, np.float64),
            runs=(runs[: n_s + 1], runs[n_s + 1 : n_s + n_o + 2], runs[n_s + n_o + 2 :]),
        )


def _columns(flat: list[Any], width: int, dtype: type) -> npt.NDArray[Any]:
    """Records of ``width`` fields, one after the other in ``flat``, as a (width, records) array:
    row k holds field k of every record (each row a contiguous array)."""
    out: npt.NDArray[Any] = np.array(flat, dtype=dtype).reshape(-1, width).T.copy()
    return out


# --------------------------------------------------------------------------------------------
# evaluate


def _expected_failures_by_year(
    hours: FloatArray, mtbf: FloatArray, shape: FloatArray, n_years: npt.NDArray[Any], width: int
) -> FloatArray:
    """Expected failures per year, year-major: shape (width, rows), one column per failure
    model, years 0..width-1; H(k) - H(k-1), H(t) = (t x hours / mtbf)^shape; zero in year 0
    and after each row's study period.

    H(t) = exp(shape x log(hours / mtbf)) x t^shape; where every row has the same shape, t^shape
    is computed once per year.
    """
    m = hours.shape[0]
    out = np.zeros((width, m))
    if not m or width < 2:
        return out
    with np.errstate(divide="ignore"):
        log_rate = np.log(hours / mtbf)
    t = np.arange(width, dtype=np.float64)
    if bool(np.all(shape == shape[0])):
        sh = float(shape[0])
        tpow = np.zeros(width)
        tpow[1:] = np.exp(sh * np.log(t[1:]))
        np.multiply(np.diff(tpow)[:, None], np.exp(sh * log_rate)[None, :], out=out[1:])
    else:
        cum = np.zeros((width, m))
        cum[1:] = np.exp(shape[None, :] * (np.log(t[1:])[:, None] + log_rate[None, :]))
        np.subtract(cum[1:], cum[:-1], out=out[1:])
    n = np.asarray(n_years)
    if bool(np.any(n < width - 1)):
        out[t[:, None] > n[None, :]] = 0.0
    return out


_CPUS = os.cpu_count() or 1
#: A batch of at least this many offers is evaluated in parts on a thread pool.
PART_OFFERS = 4096

#: The investment-related categories (SIR, AIRR), by category index.
INVEST = np.array([c in INVESTMENT_CATEGORIES for c in CATEGORIES], dtype=np.bool_)


def _parts(b: Batch, part_offers: int) -> list[tuple[int, int]]:
    """Runs of whole scenarios ``(s0, s1)``: one for a small batch, else one per worker thread
    (up to ``os.cpu_count()``), balanced by offers."""
    n_s, n_o = b.n_scenarios, b.n_offers
    workers = min(_CPUS, n_o // max(part_offers, 1))
    if workers <= 1:
        return [(0, n_s)]
    cuts = np.searchsorted(b.offer_start, np.arange(1, workers) * n_o // workers)
    bounds = np.unique(np.concatenate([[0], cuts, [n_s]])).tolist()
    return list(pairwise(bounds))


class _Pool:
    """Output arrays of large batches, handed out again once nothing refers to them any more.

    A fresh array of tens of megabytes costs the operating system's zeroing of every page it
    touches; a Monte Carlo loop evaluating batches of one shape would pay that on every call.
    The pool keeps the last two arrays of each of the eight most recently used large shapes and
    reuses one only when no result, view or other reference holds it (its reference count says
    so), so a result that is still in use is never overwritten. Arrays under
    :data:`_POOL_MIN_BYTES` are left to numpy.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: dict[tuple[int, ...], list[FloatArray]] = {}
        # the reference count of an array that only the pool's list holds, as _counts sees it
        self._alone = _counts([np.empty(1)])[0]

    def empty(self, shape: tuple[int, ...]) -> FloatArray:
        if math.prod(shape) * 8 < _POOL_MIN_BYTES:
            return np.empty(shape)
        with self._lock:
            kept = self._free.pop(shape, [])
            self._free[shape] = kept  # the most recently used shape last
            while len(self._free) > _POOL_SHAPES:  # forget the least recently used shapes
                del self._free[next(iter(self._free))]
            for a, refs in zip(kept, _counts(kept), strict=True):
                if refs <= self._alone:  # nothing outside the pool refers to it
                    return a
            a = np.empty(shape)
            kept.append(a)
            del kept[:-_POOL_PER_SHAPE]
            return a


def _counts(items: list[FloatArray]) -> list[int]:
    """Reference counts of the items, measured the same way for the pool's check and its
    calibration (so the check does not depend on how an interpreter counts its own references)."""
    return [sys.getrefcount(x) for x in items]


_POOL_MIN_BYTES = 1 << 20
_POOL_PER_SHAPE = 2
_POOL_SHAPES = 8
_POOL = _Pool()


#: Batches of at most this many offers are evaluated by the kernel run as Python within
#: :func:`small_batches_interpreted` (while this process has not loaded the compiled kernel).
INTERPRETED_OFFERS = 24
_SMALL_INTERPRETED = contextvars.ContextVar("small_batches_interpreted", default=False)


@contextmanager
def small_batches_interpreted() -> Iterator[None]:
    """Within it, a batch of at most :data:`INTERPRETED_OFFERS` offers is evaluated by the
    kernel's functions run as Python (:func:`tco.core.kernel.interpreted`), unless this process
    has loaded the compiled kernel already. For a command that prices one small scenario and
    exits: importing numba and loading the compiled kernel take about a second, the Python pass
    over a few offers some milliseconds. The numbers are those of the compiled kernel within a
    few units in the last place (tests/test_kernel_paths.py)."""
    token = _SMALL_INTERPRETED.set(True)
    try:
        yield
    finally:
        _SMALL_INTERPRETED.reset(token)


def _interpret(b: Batch) -> bool:
    """Whether the kernel runs as Python for this batch: where the calling thread asks for it
    (:func:`tco.core.kernel.interpreted`), or a small batch in
    :func:`small_batches_interpreted` before the compiled kernel is loaded."""
    if _SMALL_INTERPRETED.get():
        return interpreting() or (b.n_offers <= INTERPRETED_OFFERS and not loaded())
    return interpreting()


def _run_interpreted(run: Callable[[tuple[int, int]], None], part: tuple[int, int]) -> None:
    """``run(part)`` with the kernel run as Python; where Python raises and numba would give
    inf or NaN (an overflowing ``math.exp``, say), the compiled kernel evaluates it again."""
    try:
        with interpreted(), np.errstate(all="ignore"):
            run(part)
        return
    except (ArithmeticError, ValueError):
        pass
    with interpreted(False):
        run(part)


def evaluate_batch(b: Batch, *, part_offers: int = PART_OFFERS) -> BatchResult:
    """Evaluate every offer of a batch. See the module docstring for the
    conventions.

    The compiled kernel (:func:`tco.core.kernel.evaluate_scenarios`) goes once through each
    scenario:
    escalation and discount factors by year, every cost line over its schedule, expected
    failures, residual values, then the comparison of each offer with the baseline. A batch of
    at least ``part_offers`` offers is split into runs of whole scenarios evaluated side by side
    on up to ``os.cpu_count()`` threads (the kernel releases the GIL); every number depends on
    its own scenario only, so the result is the same whatever the partition. A small batch
    within :func:`small_batches_interpreted`, or any batch where the calling thread asks for it
    (:func:`tco.core.kernel.interpreted`), is evaluated in one pass by the same functions run
    as Python.
    """
    y = b.n_years
    n_o, n_l, n_f = b.n_offers, b.line_offer.size, b.fail_offer.size
    crf = _crf(b)
    lines = _POOL.empty((2, n_l))
    fails = _POOL.empty((3, n_f))
    flows = _POOL.empty((2, n_o, y))
    cat = _POOL.empty((n_o, N_CATEGORIES))
    meas = _POOL.empty((M_ROWS, n_o))
    grid_pow = grid_powers(y)

    interpret = _interpret(b)
    parts = [(0, b.n_scenarios)] if interpret else _parts(b, part_offers)
    kernel_pass = evaluate_scenarios if interpret else evaluate_scenarios.compiled()

    def run(part: tuple[int, int]) -> None:
        own = len(parts) > 1  # a thread's own copies of the shared read-only grid (see kernel)
        kernel_pass(
            part[0],
            part[1],
            b.scenario_ints,
            b.scenario_floats,
            b.scenario_flags,
            crf,
            b.rates,
            b.offer_start,
            b.line_start,
            b.offer_fail,
            b.line_ints,
            b.line_floats,
            b.fail_ints,
            b.fail_floats,
            b.period_start,
            b.period_ints,
            b.period_floats,
            INVEST,
            GRID_V.copy() if own else GRID_V,
            grid_pow.copy() if own else grid_pow,
            GRID_ZERO,
            lines,
            fails,
            flows,
            cat,
            meas,
        )

    if interpret:
        _run_interpreted(run, parts[0])
    elif len(parts) == 1:
        run(parts[0])
    else:
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            for done in [pool.submit(run, p) for p in parts]:
                done.result()
    return _batch_result(b, lines, fails, flows, cat, meas)


def _batch_result(
    b: Batch,
    lines: FloatArray,
    fails: FloatArray,
    flows: FloatArray,
    cat: FloatArray,
    meas: FloatArray,
) -> BatchResult:
    """The kernel's output arrays as a :class:`BatchResult` (views, no copies)."""
    return BatchResult(
        batch=b,
        line_pv=lines[0],
        residual_pv=lines[1],
        repair_pv=fails[0],
        downtime_pv=fails[1],
        order_pv=fails[2],
        offer_nominal=flows[0],
        offer_pv=flows[1],
        category_pv=cat,
        measures=Measures(
            lifetime_cost=meas[M_LCC],
            equivalent_annual_cost=meas[M_EAC],
            cost_per_operating_hour=meas[M_PER_HOUR],
            net_savings=meas[M_NET],
            sir=meas[M_SIR],
            airr=meas[M_AIRR],
            simple_payback_year=meas[M_SPB],
            discounted_payback_year=meas[M_DPB],
            breakeven_year=meas[M_BE],
            irr=meas[M_IRR],
            sign_changes=meas[M_CHANGES],
            price_headroom=meas[M_HEADROOM],
            savings_negative_again_year=meas[M_NEG_AGAIN],
            savings_recovered_year=meas[M_RECOVERED],
            check=meas[M_CHECK],
            is_baseline=meas[M_BASE] > 0.0,
        ),
    )


@functools.lru_cache(maxsize=4096)
def _crf_one(rate: float, n_years: int) -> float:
    return float(capital_recovery_factor(rate, n_years))


def _crf(b: Batch) -> FloatArray:
    """Capital recovery factor per scenario (numpy-financial's ``pmt``); a few scenarios from a
    cache of (rate, years), since configurators ask for the same few again and again."""
    if b.n_scenarios <= 16:
        return np.array(
            [
                _crf_one(r, n)
                for r, n in zip(b.discount_rate.tolist(), b.study_years.tolist(), strict=True)
            ]
        )
    return capital_recovery_factor(b.discount_rate, b.study_years.astype(np.float64))


def _scenario_tables(b: Batch) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Escalation factors (S, D1, Y) and the discount factors of one-time and of recurring
    amounts (S, Y), computed with numpy (:mod:`tco.core.escalation`,
    :mod:`tco.core.discounting`)."""
    rates = b.rates.copy()
    rates[:, 0, :] = np.where(b.nominal, b.inflation, 0.0)[:, None]
    esc = escalation_factors(rates)
    y = b.n_years - 1
    return (
        esc,
        discount_factors(b.discount_rate, y),
        discount_factors(b.discount_rate, y, mid_year=b.mid_year),
    )


def failure_terms_by_year(b: Batch) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per failure model and year (F, Y), base-year prices: the buyer's repair amount per
    failure (repair cost x (1 - covered fraction)), downtime hours per failure and repair-order
    amount, each coverage period's terms in the years it covers, the model's own elsewhere."""
    y = b.n_years
    out = [
        np.repeat(default[:, None], y, axis=1)
        for default in (b.fail_repair_amount, b.fail_downtime_hours, b.fail_order_amount)
    ]
    years = np.arange(y)
    owner = np.repeat(np.arange(b.fail_offer.size), np.diff(b.period_start))
    for p, f in enumerate(owner.tolist()):
        on = (years >= b.period_from[p]) & (years <= b.period_until[p])
        out[0][f, on] = b.period_repair_amount[p]
        out[1][f, on] = b.period_downtime_hours[p]
        out[2][f, on] = b.period_order_amount[p]
    return out[0], out[1], out[2]


@dataclass(eq=False, slots=True)
class LineFlows:
    """Every line's cash flows by year, materialised with numpy (years 0..Y-1 per column).

    ``line_*`` are (L, Y): each cost line over its schedule; ``residual_*`` are (L, Y): each
    line's residual-value credit (in year N; zero where the line leaves none); ``fail_*`` are
    (3, F, Y): each failure model's expected repairs, downtime and repair orders;
    ``expected_failures`` is (F, Y). ``*_basis`` are on the analysis basis, ``*_present`` their
    present values; nominal flows are the basis flows times ``growth`` (S, Y).
    """

    line_basis: FloatArray
    line_present: FloatArray
    residual_basis: FloatArray
    residual_present: FloatArray
    fail_basis: FloatArray
    fail_present: FloatArray
    expected_failures: FloatArray
    escalation: FloatArray  # (S, D1, Y) escalation factors by driver (0: no driver)
    discount_one_time: FloatArray  # (S, Y)
    discount_recurring: FloatArray  # (S, Y)
    growth: FloatArray  # (S, Y) nominal equivalent of one unit on the analysis basis


def line_cash_flows(b: Batch) -> LineFlows:
    """Materialise every line's and failure stream's cash flows with numpy, independently of
    the kernel's pass (which reduces them without storing them); meant for one scenario's
    offers (the cost profile presenters read, tests), not for large batches."""
    esc, df0, df1 = _scenario_tables(b)
    y = b.n_years
    s_l = b.offer_scenario[b.line_offer]
    step = np.maximum(b.line_every, 1)[:, None]
    first = b.line_first[:, None]
    last_occ = first + ((b.line_last[:, None] - first) // step) * step
    years = np.arange(y)[None, :]
    on = (years >= first) & (years <= last_occ) & ((years - first) % step == 0)
    x = on * esc[s_l, b.line_driver] * b.line_amount[:, None]
    df_l = np.where((b.line_every > 0)[:, None], df1[s_l], df0[s_l])
    # residual values: a credit in year N of amount x escalation to N x the remaining share
    life, fraction = b.line_life, b.line_fraction
    has = (life > 0) | ~np.isnan(fraction)
    n_line = b.study_years[s_l]
    with np.errstate(invalid="ignore", divide="ignore"):
        remaining = np.maximum(last_occ[:, 0] + life - n_line, 0.0) / life
    share = np.where(np.isnan(fraction), remaining, fraction)
    credit = np.where(has, -b.line_amount * share * esc[s_l, b.line_driver, n_line], 0.0)
    residual = np.zeros_like(x)
    residual[np.arange(x.shape[0]), n_line] = credit
    fs = b.offer_scenario[b.fail_offer]
    ef = _expected_failures_by_year(b.hours[fs], b.fail_mtbf, b.fail_shape, b.study_years[fs], y).T
    repair, down, order = failure_terms_by_year(b)
    fail = np.stack(
        [
            ef * esc[fs, b.fail_repair_driver] * repair,
            ef * esc[fs, b.fail_downtime_driver] * (down * b.downtime_cost[fs][:, None]),
            ef * esc[fs, b.fail_order_driver] * order,
        ]
    )
    growth = np.ones((b.n_scenarios, y))  # compounded year by year, as the kernel does
    growth[:, 1:] = np.where(b.nominal, 1.0, 1.0 + b.inflation)[:, None]
    np.cumprod(growth, axis=1, out=growth)
    return LineFlows(
        line_basis=x,
        line_present=x * df_l,
        residual_basis=residual,
        residual_present=residual * df0[s_l],
        fail_basis=fail,
        fail_present=fail * df1[fs][None, :, :],
        expected_failures=ef,
        escalation=esc,
        discount_one_time=df0,
        discount_recurring=df1,
        growth=growth,
    )


def category_cash_flows(b: Batch) -> tuple[FloatArray, FloatArray]:
    """The (offer, category, year) arrays of basis cash flows and present values, summed from
    :func:`line_cash_flows`."""
    f = line_cash_flows(b)
    basis = np.zeros((b.n_offers, N_CATEGORIES, b.n_years))
    present = np.zeros_like(basis)
    np.add.at(basis, (b.line_offer, b.line_category), f.line_basis)
    np.add.at(present, (b.line_offer, b.line_category), f.line_present)
    eol = np.full_like(b.line_offer, END_OF_LIFE)
    np.add.at(basis, (b.line_offer, eol), f.residual_basis)
    np.add.at(present, (b.line_offer, eol), f.residual_present)
    for k, category in enumerate((REPAIR, DOWNTIME, TRANSACTION)):
        where = (b.fail_offer, np.full_like(b.fail_offer, category))
        np.add.at(basis, where, f.fail_basis[k])
        np.add.at(present, where, f.fail_present[k])
    return basis, present

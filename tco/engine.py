"""The cost model: scenarios in, cost profiles out, batch-first.

Pipeline (pure functions, no I/O):

1. :func:`compile_batch` turns validated :class:`~tco.scenario.Scenario` objects into a columnar
   :class:`Batch`: one row per scenario, offer, cost line and failure model, schedules as
   (first, every, last) years, escalation drivers as indices. Lines are ordered by offer and, in
   an offer, by timing class (one-time, recurring), so per-offer sums are contiguous reductions.
2. :func:`evaluate_batch` evaluates a :class:`Batch` with numpy: escalation factors per scenario
   and driver (:mod:`tco.escalation`), discount factors per scenario and timing class
   (:mod:`tco.discounting`, same conventions), expected failures, residual values, and returns a
   :class:`BatchResult` of arrays. Per-year tables are year-major; line present values come from
   prefix sums (O(1) per line), per-offer flows from per-driver sums of amount classes.
   Building a :class:`Batch` derives its structural index (schedules, classes, table positions).
   A large batch is evaluated in parts of whole scenarios (about :data:`PART_OFFERS` offers, so
   per-year tables stay in cache), on a thread pool of up to ``os.cpu_count()`` workers, never
   more than the parts (numpy releases the GIL in its loops). Each part writes only its own
   scenarios' slices of the batch-wide arrays and every number depends on its own scenario only,
   so results are identical whatever the partition; a small batch is one part, run inline.
3. :mod:`tco.measures` derives lifetime cost, equivalent annual cost and the comparison measures.

A single scenario, a batch of configurator requests and a Monte Carlo run of many trials go
through the same code: they differ only in the number of rows. The conceptual result is the
array (scenario, offer, category, year) of cash flows; :func:`category_cash_flows` materialises
it for one scenario's offers, while the batch path reduces straight to what results report
(present value by line and category, cash flows by offer and year) without allocating it.

All projections are float64 in the currency; rounding happens only when shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from tco.discounting import fill_discount_factors
from tco.escalation import NARROW, compound_by_year
from tco.scenario import CATEGORIES, Category, Scenario

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

_KEY_BASE = 128  # schedule years, steps and ends are at most 101 (study period <= 100)


@dataclass(frozen=True, eq=False)
class _Index:
    """Structural tables of a batch (what depends on its shape and schedules, not on its rates,
    amounts or hours), derived once when the :class:`Batch` is built."""

    line_scenario: IntArray  # (L,)
    sched_weights: FloatArray  # (K, Y) distinct schedules as 0/1 rows
    line_sched: IntArray  # (L,) each line's schedule row
    # flow classes: (driver, schedule, rank among an offer's lines of that pair), driver-major
    n_classes: int
    line_m: IntArray  # (L,) flat index class * O + offer into the amount matrix
    class_years: tuple[slice, ...]  # (C,) each class's schedule as a slice of years
    class_recurring: tuple[bool, ...]
    driver_classes: tuple[tuple[int, int, int], ...]  # (driver, first class, end class)
    # present-value classes (step k, 0 for one-time; driver): prefix-sum table entries
    q_every: IntArray
    q_driver: IntArray
    line_pv_hi: IntArray  # (L,) flat index into the (Q, Y+1, S) table
    line_pv_lo: IntArray
    line_cat: IntArray  # (L,) offer * C + category
    line_cat_eol: IntArray  # (L,) offer * C + end_of_life
    rv: IntArray  # lines with a residual value
    rv_share: FloatArray  # their share of the escalated amount credited in year N
    rv_esc: IntArray  # flat index of their escalation factor to year N in the (Y, D1, S) table
    rv_df: IntArray  # flat index of their year-N discount factor in the (Y, S) table
    fail_scenario: IntArray  # (F,)
    fail_repair_col: IntArray  # (F,) driver * S + scenario
    fail_downtime_col: IntArray
    fail_order_col: IntArray
    fail_all_offers: bool  # failure model f belongs to offer f, for every offer
    ordered: bool  # offers by scenario, lines and failure models by offer: parts are runs


def _dense_codes(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct keys and each key's position among them."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), inverse.reshape(-1).astype(np.int64)


#: Up to this many cost lines, the structural index is built with plain Python dicts and lists
#: (the same tables as the array path, without np.unique and lexsort on tiny arrays).
SMALL_LINES = 256


def _build_index(b: Batch) -> _Index:
    if b.line_offer.size <= SMALL_LINES:
        return _build_index_small(b)
    return _build_index_arrays(b)


def _codes(keys: list[int]) -> tuple[list[int], list[int]]:
    """:func:`_dense_codes` with lists: sorted distinct keys and each key's position."""
    uniq = sorted(set(keys))
    where = {k: i for i, k in enumerate(uniq)}
    return uniq, [where[k] for k in keys]


def _ints(x: list[int]) -> IntArray:
    return np.array(x, dtype=np.int64)


def _build_index_small(b: Batch) -> _Index:
    """:func:`_build_index_arrays` for a small batch: the same tables, built with lists."""
    n_s, n_o, y = b.n_scenarios, b.n_offers, b.n_years
    d1 = int(b.rates.shape[1])
    offer_scenario = b.offer_scenario.tolist()
    line_offer = b.line_offer.tolist()
    driver = b.line_driver.tolist()
    every, first, last = b.line_every.tolist(), b.line_first.tolist(), b.line_last.tolist()
    n_l = len(line_offer)
    line_scenario = [offer_scenario[o] for o in line_offer]
    last_occ = [
        f + ((la - f) // max(e, 1)) * max(e, 1) for f, e, la in zip(first, every, last, strict=True)
    ]
    # schedules
    skeys, line_sched = _codes(
        [
            (f * _KEY_BASE + e) * _KEY_BASE + lo
            for f, e, lo in zip(first, every, last_occ, strict=True)
        ]
    )
    n_k = len(skeys)
    s_first = [k // (_KEY_BASE * _KEY_BASE) for k in skeys]
    s_every = [(k // _KEY_BASE) % _KEY_BASE for k in skeys]
    s_last = [k % _KEY_BASE for k in skeys]
    sched_weights = np.zeros((n_k, y))
    for w in range(n_k):
        sched_weights[w, s_first[w] : s_last[w] + 1 : max(s_every[w], 1)] = 1.0
    # flow classes: lines of one offer sharing driver and schedule get distinct ranks
    pair = [d * n_k + w for d, w in zip(driver, line_sched, strict=True)]
    rank = [0] * n_l
    seen: dict[tuple[int, int], int] = {}
    for i in sorted(range(n_l), key=lambda i: (line_offer[i], pair[i])):
        g = (line_offer[i], pair[i])
        rank[i] = seen.get(g, 0)
        seen[g] = rank[i] + 1
    n_rank = max(rank) + 1 if n_l else 1
    ckeys, line_class = _codes([p * n_rank + r for p, r in zip(pair, rank, strict=True)])
    c_driver = [(k // n_rank) // n_k for k in ckeys]
    c_sched = [(k // n_rank) % n_k for k in ckeys]
    class_years = tuple(slice(s_first[w], s_last[w] + 1, max(s_every[w], 1)) for w in c_sched)
    class_recurring = tuple(s_every[w] > 0 for w in c_sched)
    driver_classes: list[tuple[int, int, int]] = []
    for c, d in enumerate(c_driver):
        if driver_classes and driver_classes[-1][0] == d:
            driver_classes[-1] = (d, driver_classes[-1][1], c + 1)
        else:
            driver_classes.append((d, c, c + 1))
    # present-value classes
    qkeys, line_q = _codes([e * d1 + d for e, d in zip(every, driver, strict=True)])
    line_pv_hi = [
        (q * (y + 1) + lo + 1) * n_s + s
        for q, lo, s in zip(line_q, last_occ, line_scenario, strict=True)
    ]
    line_pv_lo = [
        (q * (y + 1) + (max(f - e + 1, 0) if e > 0 else 0)) * n_s + s
        for q, f, e, s in zip(line_q, first, every, line_scenario, strict=True)
    ]
    # residual values
    life_all, fraction_all = b.line_life.tolist(), b.line_fraction.tolist()
    study = b.study_years.tolist()
    rv = [i for i in range(n_l) if life_all[i] > 0 or fraction_all[i] == fraction_all[i]]
    rv_share: list[float] = []
    rv_esc: list[int] = []
    rv_df: list[int] = []
    for i in rv:
        life, fraction, s = life_all[i], fraction_all[i], line_scenario[i]
        n = study[s]
        if fraction == fraction:  # not NaN
            rv_share.append(fraction)
        else:
            rv_share.append(max(last_occ[i] + life - n, 0.0) / (life if life > 0 else 1.0))
        rv_esc.append((n * d1 + driver[i]) * n_s + s)
        rv_df.append(n * n_s + s)
    fail_offer = b.fail_offer.tolist()
    fail_scenario = [offer_scenario[o] for o in fail_offer]
    line_cat = b.line_offer * N_CATEGORIES
    return _Index(
        line_scenario=_ints(line_scenario),
        sched_weights=sched_weights,
        line_sched=_ints(line_sched),
        n_classes=len(ckeys),
        line_m=_ints([c * n_o + o for c, o in zip(line_class, line_offer, strict=True)]),
        class_years=class_years,
        class_recurring=class_recurring,
        driver_classes=tuple(driver_classes),
        q_every=_ints([k // d1 for k in qkeys]),
        q_driver=_ints([k % d1 for k in qkeys]),
        line_pv_hi=_ints(line_pv_hi),
        line_pv_lo=_ints(line_pv_lo),
        line_cat=line_cat + b.line_category,
        line_cat_eol=line_cat + END_OF_LIFE,
        rv=_ints(rv),
        rv_share=np.array(rv_share, dtype=np.float64),
        rv_esc=_ints(rv_esc),
        rv_df=_ints(rv_df),
        fail_scenario=_ints(fail_scenario),
        fail_repair_col=_ints(
            [d * n_s + s for d, s in zip(b.fail_repair_driver.tolist(), fail_scenario, strict=True)]
        ),
        fail_downtime_col=_ints(
            [
                d * n_s + s
                for d, s in zip(b.fail_downtime_driver.tolist(), fail_scenario, strict=True)
            ]
        ),
        fail_order_col=_ints(
            [d * n_s + s for d, s in zip(b.fail_order_driver.tolist(), fail_scenario, strict=True)]
        ),
        fail_all_offers=fail_offer == list(range(n_o)),
        ordered=all(a <= c for a, c in pairwise(offer_scenario))
        and all(a <= c for a, c in pairwise(line_offer))
        and all(a < c for a, c in pairwise(fail_offer)),
    )


def _build_index_arrays(b: Batch) -> _Index:
    n_s, n_o, y = b.n_scenarios, b.n_offers, b.n_years
    d1 = int(b.rates.shape[1])
    line_scenario = b.offer_scenario[b.line_offer]
    every, first, last = b.line_every, b.line_first, b.line_last
    step = np.maximum(every, 1)
    last_occ = first + ((last - first) // step) * step
    # schedules
    skeys, line_sched = _dense_codes((first * _KEY_BASE + every) * _KEY_BASE + last_occ)
    s_first, rest = np.divmod(skeys, _KEY_BASE * _KEY_BASE)
    s_every, s_last = np.divmod(rest, _KEY_BASE)
    years = np.arange(y)[None, :]
    s_step = np.maximum(s_every, 1)[:, None]
    on = (
        (years >= s_first[:, None])
        & (years <= s_last[:, None])
        & ((years - s_first[:, None]) % s_step == 0)
    )
    sched_weights = on.astype(np.float64)
    # flow classes: lines of one offer sharing driver and schedule get distinct ranks
    pair = b.line_driver * skeys.size + line_sched
    order = np.lexsort((pair, b.line_offer))
    sp, so = pair[order], b.line_offer[order]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (sp[1:] != sp[:-1]) | (so[1:] != so[:-1])
    pos = np.arange(order.size)
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0)) if order.size else pos
    rank = np.empty_like(order)
    rank[order] = pos - group_start
    ckeys, line_class = _dense_codes(pair * (int(rank.max()) + 1 if rank.size else 1) + rank)
    n_rank = int(rank.max()) + 1 if rank.size else 1
    c_pair = ckeys // n_rank
    c_driver, c_sched = np.divmod(c_pair, skeys.size)
    class_years = tuple(
        slice(int(s_first[w]), int(s_last[w]) + 1, max(int(s_every[w]), 1)) for w in c_sched
    )
    class_recurring = tuple(bool(s_every[w] > 0) for w in c_sched)
    bounds = np.flatnonzero(np.diff(c_driver)) + 1
    starts = np.concatenate([[0], bounds]).astype(int) if c_driver.size else np.zeros(0, int)
    ends = np.concatenate([bounds, [c_driver.size]]).astype(int) if c_driver.size else starts
    driver_classes = tuple(
        (int(c_driver[a]), int(a), int(e)) for a, e in zip(starts, ends, strict=True)
    )
    # present-value classes
    qkeys, line_q = _dense_codes(every * d1 + b.line_driver)
    q_every, q_driver = np.divmod(qkeys, d1)
    lo_col = np.where(every > 0, np.maximum(first - every + 1, 0), 0)
    line_pv_hi = (line_q * (y + 1) + last_occ + 1) * n_s + line_scenario
    line_pv_lo = (line_q * (y + 1) + lo_col) * n_s + line_scenario
    # residual values
    rv = np.flatnonzero((b.line_life > 0) | ~np.isnan(b.line_fraction))
    life = b.line_life[rv]
    n_rv = b.study_years[line_scenario[rv]]
    remaining = np.clip(last_occ[rv] + life - n_rv, 0.0, None) / np.where(life > 0, life, 1.0)
    fraction = b.line_fraction[rv]
    rv_share = np.where(np.isnan(fraction), remaining, fraction)
    fail_scenario = b.offer_scenario[b.fail_offer]
    return _Index(
        line_scenario=line_scenario,
        sched_weights=sched_weights,
        line_sched=line_sched,
        n_classes=int(ckeys.size),
        line_m=line_class * n_o + b.line_offer,
        class_years=class_years,
        class_recurring=class_recurring,
        driver_classes=driver_classes,
        q_every=q_every,
        q_driver=q_driver,
        line_pv_hi=line_pv_hi,
        line_pv_lo=line_pv_lo,
        line_cat=b.line_offer * N_CATEGORIES + b.line_category,
        line_cat_eol=b.line_offer * N_CATEGORIES + END_OF_LIFE,
        rv=rv,
        rv_share=rv_share,
        rv_esc=(n_rv * d1 + b.line_driver[rv]) * n_s + line_scenario[rv],
        rv_df=n_rv * n_s + line_scenario[rv],
        fail_scenario=fail_scenario,
        fail_repair_col=b.fail_repair_driver * n_s + fail_scenario,
        fail_downtime_col=b.fail_downtime_driver * n_s + fail_scenario,
        fail_order_col=b.fail_order_driver * n_s + fail_scenario,
        fail_all_offers=bool(
            b.fail_offer.size == n_o and np.array_equal(b.fail_offer, np.arange(n_o))
        ),
        ordered=bool(
            np.all(np.diff(b.offer_scenario) >= 0)
            and np.all(np.diff(b.line_offer) >= 0)
            and np.all(np.diff(b.fail_offer) > 0)
        ),
    )


@dataclass(frozen=True, eq=False)
class Batch:
    """A columnar batch of scenarios, ready for :func:`evaluate_batch`.

    Scenario arrays have length S, offer arrays O (ordered by scenario), line arrays L (ordered
    by offer, then by timing class), failure arrays F (at most one per offer). Driver index 0
    means "no driver" (flat real value, or ``inflation`` in a nominal analysis); ``rates`` is
    year-major: ``rates[k, d, s]`` is the rate of driver d in year k+1 of scenario s.
    ``line_every`` is 0 for a one-time line, whose year is ``line_first == line_last``.
    ``line_life`` 0 and ``line_fraction`` NaN mean no residual value.

    Building a batch derives its structural index (:attr:`index`): distinct schedules, classes
    of lines by driver and schedule, prefix-sum table positions; evaluation then only reads it.
    """

    study_years: IntArray
    discount_rate: FloatArray
    inflation: FloatArray
    nominal: BoolArray
    mid_year: BoolArray
    hours: FloatArray
    downtime_cost: FloatArray
    rates: FloatArray
    offer_scenario: IntArray
    baseline_offer: IntArray
    line_offer: IntArray
    line_category: IntArray
    line_amount: FloatArray
    line_driver: IntArray
    line_first: IntArray
    line_every: IntArray
    line_last: IntArray
    line_life: FloatArray
    line_fraction: FloatArray
    fail_offer: IntArray
    fail_mtbf: FloatArray
    fail_shape: FloatArray
    fail_repair_amount: FloatArray
    fail_repair_driver: IntArray
    fail_downtime_hours: FloatArray
    fail_downtime_driver: IntArray
    #: Per failure model: the buyer's cost of one repair order (``transaction``) and its driver.
    fail_order_amount: FloatArray
    fail_order_driver: IntArray
    #: For each line, its index in its offer's ``costs`` (results list lines in input order).
    line_source: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: Offers per scenario when every scenario has the same number, else 0.
    offers_per_scenario: int = field(init=False)
    index: _Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.n_offers <= SMALL_LINES:  # a few offers: plain Python, same answer
            o_s = self.offer_scenario.tolist()
            counts_l = [0] * self.n_scenarios
            for si in o_s:
                counts_l[si] += 1
            p = counts_l[0] if counts_l else 0
            ordered = all(a <= c for a, c in pairwise(o_s))
            uniform = p if ordered and counts_l and all(c == p for c in counts_l) else 0
        else:
            counts = np.bincount(self.offer_scenario, minlength=self.n_scenarios)
            p = int(counts[0]) if counts.size else 0
            ordered = bool(np.all(np.diff(self.offer_scenario) >= 0))
            uniform = p if ordered and counts.size and bool(np.all(counts == p)) else 0
        object.__setattr__(self, "offers_per_scenario", uniform)
        object.__setattr__(self, "index", _build_index(self))

    @property
    def n_scenarios(self) -> int:
        return int(self.study_years.shape[0])

    @property
    def n_offers(self) -> int:
        return int(self.offer_scenario.shape[0])

    @property
    def n_years(self) -> int:
        """Columns of the year axis: the longest study period + 1."""
        return int(self.rates.shape[0]) + 1


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Arrays of one evaluated batch. Flows are in the currency, year 0..N per column.

    ``offer_basis`` holds cash flows on the analysis basis (constant money in a real analysis),
    ``offer_nominal`` their nominal equivalents, ``offer_pv`` their present values.
    """

    batch: Batch
    line_pv: FloatArray  # (L,)
    residual_pv: FloatArray  # (L,) credit of each line's residual value (0 where none)
    residual_nominal: FloatArray  # (L,) the same credit in year N, basis money
    repair_pv: FloatArray  # (F,)
    downtime_pv: FloatArray  # (F,)
    order_pv: FloatArray  # (F,) expected repair orders (transaction)
    offer_basis: FloatArray  # (O, Y)
    offer_nominal: FloatArray  # (O, Y)
    offer_pv: FloatArray  # (O, Y)
    category_pv: FloatArray  # (O, C)

    @property
    def lifetime_cost(self) -> FloatArray:
        result: FloatArray = self.category_pv.sum(axis=1)
        return result


# --------------------------------------------------------------------------------------------
# compile


def compile_batch(scenarios: Sequence[Scenario]) -> Batch:
    """Turn validated scenarios into a columnar :class:`Batch`."""
    if not scenarios:
        raise ValueError("a batch needs at least one scenario")
    n_max = max(s.assumptions.study_period_years for s in scenarios)
    drivers_all: list[list[str]] = [sorted(s.assumptions.escalation) for s in scenarios]
    d1 = 1 + max((len(d) for d in drivers_all), default=0)
    n_s = len(scenarios)
    rates = np.zeros((n_max, d1, n_s), dtype=np.float64)
    study_years = np.empty(n_s, np.int64)
    discount = np.empty(n_s)
    inflation = np.empty(n_s)
    nominal = np.empty(n_s, bool)
    mid_year = np.empty(n_s, bool)
    hours = np.empty(n_s)
    downtime_cost = np.empty(n_s)
    baseline = np.empty(n_s, np.int64)

    offer_scenario: list[int] = []
    lines: list[tuple[int, int, int, float, int, int, int, int, float, float, int]] = []
    fails: list[tuple[int, float, float, float, int, float, int, float, int]] = []

    for si, sc in enumerate(scenarios):
        a = sc.assumptions
        n = a.study_period_years
        study_years[si] = n
        discount[si] = a.discount_rate
        inflation[si] = a.inflation
        nominal[si] = a.rate_basis == "nominal"
        mid_year[si] = a.timing == "mid_year"
        hours[si] = np.nan if a.operating_hours_per_year is None else a.operating_hours_per_year
        downtime_cost[si] = float(a.downtime_cost_per_hour)
        dindex = {name: i + 1 for i, name in enumerate(drivers_all[si])}
        for name, di in dindex.items():  # a.rates_for(name): the last given rate held to N
            given = a.escalation[name]
            k = min(len(given), n)
            rates[:k, di, si] = given[:k]
            rates[k:n, di, si] = given[k - 1]
        baseline[si] = len(offer_scenario) + sc.baseline_index
        for offer in sc.offers:
            oi = len(offer_scenario)
            offer_scenario.append(si)
            for li, line in enumerate(offer.costs):
                if line.year is not None:
                    first = last = line.year
                    every = 0
                else:
                    assert line.every_years is not None
                    every = min(line.every_years, n + 1)
                    first = line.every_years if line.from_year is None else line.from_year
                    last = n if line.until_year is None else min(line.until_year, n)
                    if first > last:  # no occurrence within the study period
                        first = last = 0
                        every = -1
                timing = 1 if every > 0 else 0
                lines.append(
                    (
                        oi,
                        timing,
                        CAT_INDEX[line.category],
                        float(line.amount) if every >= 0 else 0.0,
                        dindex.get(line.escalation, 0) if line.escalation else 0,
                        first,
                        max(every, 0),
                        last,
                        float(line.life_years or 0) if every >= 0 else 0.0,
                        np.nan
                        if line.residual_fraction is None or every < 0
                        else line.residual_fraction,
                        li,
                    )
                )
            f = offer.failures
            if f is not None:
                fails.append(
                    (
                        oi,
                        f.mtbf_hours,
                        f.shape,
                        float(f.repair_cost) * (1.0 - f.covered_fraction),
                        dindex.get(f.escalation, 0) if f.escalation else 0,
                        f.downtime_hours,
                        dindex.get(f.downtime_escalation, 0) if f.downtime_escalation else 0,
                        float(f.order_cost),
                        dindex.get(f.order_escalation, 0) if f.order_escalation else 0,
                    )
                )
    lines.sort(key=lambda r: (r[0], r[1]))
    la = list(zip(*lines, strict=True)) if lines else [()] * 11
    fa = list(zip(*fails, strict=True)) if fails else [()] * 9

    def ints(x: Sequence[object]) -> IntArray:
        return np.asarray(x, dtype=np.int64)

    def floats(x: Sequence[object]) -> FloatArray:
        return np.asarray(x, dtype=np.float64)

    return Batch(
        study_years=study_years,
        discount_rate=discount,
        inflation=inflation,
        nominal=nominal,
        mid_year=mid_year,
        hours=hours,
        downtime_cost=downtime_cost,
        rates=rates,
        offer_scenario=ints(offer_scenario),
        baseline_offer=baseline,
        line_offer=ints(la[0]),
        line_category=ints(la[2]),
        line_amount=floats(la[3]),
        line_driver=ints(la[4]),
        line_first=ints(la[5]),
        line_every=ints(la[6]),
        line_last=ints(la[7]),
        line_life=floats(la[8]),
        line_fraction=floats(la[9]),
        line_source=ints(la[10]),
        fail_offer=ints(fa[0]),
        fail_mtbf=floats(fa[1]),
        fail_shape=floats(fa[2]),
        fail_repair_amount=floats(fa[3]),
        fail_repair_driver=ints(fa[4]),
        fail_downtime_hours=floats(fa[5]),
        fail_downtime_driver=ints(fa[6]),
        fail_order_amount=floats(fa[7]),
        fail_order_driver=ints(fa[8]),
    )


# --------------------------------------------------------------------------------------------
# evaluate


def expected_failures(
    hours: FloatArray,
    mtbf: FloatArray,
    shape: FloatArray,
    n_years: FloatArray | IntArray,
    width: int,
) -> FloatArray:
    """Expected failures per year: H(k) - H(k-1), H(t) = (t x hours / mtbf)^shape.

    One row per failure model, ``width`` columns (years 0..width-1); zero in year 0 and after
    each row's study period.
    """
    out: FloatArray = np.ascontiguousarray(
        _expected_failures_by_year(hours, mtbf, shape, np.asarray(n_years), width).T
    )
    return out


def _expected_failures_by_year(
    hours: FloatArray, mtbf: FloatArray, shape: FloatArray, n_years: npt.NDArray[Any], width: int
) -> FloatArray:
    """:func:`expected_failures` laid out year-major: shape (width, rows).

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


#: Scenarios are evaluated in parts of about this many offers, so that a part's per-year tables
#: stay in cache; parts run on a thread pool (numpy releases the GIL in its loops).
PART_OFFERS = 8192


@dataclass(frozen=True, eq=False)
class _Frame:
    """Per-scenario tables shared by the evaluation steps, year-major. Each part of a batch
    fills its own scenarios' columns."""

    esc: FloatArray  # (Y, D1, S) escalation factors
    df0: FloatArray  # (Y, S) discount factors of one-time amounts (year t)
    df1: FloatArray  # (Y, S) discount factors of recurring amounts (t - 0.5 where mid-year)
    any_mid: bool


def _new_frame(b: Batch) -> _Frame:
    n_s, y, d1 = b.n_scenarios, b.n_years, b.rates.shape[1]
    any_mid = bool(b.mid_year.any())
    df0 = np.empty((y, n_s))
    return _Frame(
        esc=np.empty((y, d1, n_s)),
        df0=df0,
        df1=np.empty((y, n_s)) if any_mid else df0,
        any_mid=any_mid,
    )


def _fill_frame(b: Batch, fr: _Frame, s: slice) -> None:
    """Escalation and discount factors of the scenarios in ``s`` (:mod:`tco.escalation`,
    :mod:`tco.discounting`)."""
    esc = fr.esc[:, :, s]
    esc[0] = 1.0
    np.add(b.rates[:, :, s], 1.0, out=esc[1:])
    esc[1:, 0] = 1.0 + np.where(b.nominal[s], b.inflation[s], 0.0)
    compound_by_year(esc)
    if fr.any_mid:
        fill_discount_factors(b.discount_rate[s], fr.df0[:, s], fr.df1[:, s], b.mid_year[s])
    else:
        fill_discount_factors(b.discount_rate[s], fr.df0[:, s])


def _frame(b: Batch) -> _Frame:
    fr = _new_frame(b)
    _fill_frame(b, fr, slice(0, b.n_scenarios))
    return fr


@dataclass(frozen=True, eq=False)
class _Part:
    """A run of whole scenarios and the offers, lines, failure models and residual values that
    belong to them (all contiguous)."""

    s: slice
    o: slice
    lines: slice
    f: slice
    rv: slice


def _partition(b: Batch, part_offers: int) -> list[_Part]:
    """Runs of whole scenarios of about ``part_offers`` offers (one run where rows are not ordered
    as :class:`Batch` describes)."""
    n_s, n_o = b.n_scenarios, b.n_offers
    ix = b.index
    if not ix.ordered or n_o <= part_offers:
        return [
            _Part(
                s=slice(0, n_s),
                o=slice(0, n_o),
                lines=slice(0, b.line_offer.size),
                f=slice(0, b.fail_offer.size),
                rv=slice(0, ix.rv.size),
            )
        ]
    n_parts = -(-n_o // part_offers)
    bounds = np.unique(
        np.concatenate([[0], b.offer_scenario[np.arange(1, n_parts) * n_o // n_parts], [n_s]])
    )
    o_b = np.searchsorted(b.offer_scenario, bounds)
    l_b = np.searchsorted(b.line_offer, o_b)
    f_b = np.searchsorted(b.fail_offer, o_b)
    r_b = np.searchsorted(ix.rv, l_b)
    return [
        _Part(
            s=slice(int(bounds[i]), int(bounds[i + 1])),
            o=slice(int(o_b[i]), int(o_b[i + 1])),
            lines=slice(int(l_b[i]), int(l_b[i + 1])),
            f=slice(int(f_b[i]), int(f_b[i + 1])),
            rv=slice(int(r_b[i]), int(r_b[i + 1])),
        )
        for i in range(bounds.size - 1)
    ]


def _run_parts(parts: list[_Part], work: Callable[[_Part], None]) -> None:
    """Run ``work`` on every part, on os.cpu_count() threads at most (one per part)."""
    workers = min(os.cpu_count() or 1, len(parts))
    if workers <= 1:
        for part in parts:
            work(part)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(work, part) for part in parts]:
            done.result()


def _per_offer(b: Batch, p: _Part, x: FloatArray, table: FloatArray, out: FloatArray) -> None:
    """out = x (Y, offers of p) times the table (Y, scenarios of p) of each offer's scenario: a
    broadcast when every scenario has the same number of offers, a column gather otherwise."""
    y = x.shape[0]
    per = b.offers_per_scenario
    if p.s.stop - p.s.start == 1:  # one scenario: its table column broadcasts
        np.multiply(x, table, out=out)
    elif 0 < per <= 8:  # offer j of every scenario: a strided view as long as the table
        for j in range(per):
            np.multiply(x[:, j::per], table, out=out[:, j::per])
    elif per > 8:
        np.multiply(x.reshape(y, -1, per), table[:, :, None], out=out.reshape(y, -1, per))
    else:
        np.multiply(x, np.take(table, b.offer_scenario[p.o] - p.s.start, axis=1), out=out)


@dataclass(frozen=True, eq=False)
class _Arrays:
    """The batch-wide tables and outputs every part writes its own slice of."""

    fr: _Frame
    table: FloatArray  # (Q, Y+1, S) prefix sums of escalation x discount factors
    amounts: FloatArray  # (classes, O)
    line_pv: FloatArray
    residual_pv: FloatArray
    residual_nominal: FloatArray
    repair_pv: FloatArray
    downtime_pv: FloatArray
    order_pv: FloatArray
    flows: FloatArray  # (Y, O)
    flows_pv: FloatArray
    flows_nominal: FloatArray
    cat: FloatArray  # (O * C,)


def _evaluate_part(b: Batch, a: _Arrays, p: _Part) -> None:
    y = b.n_years
    ix = b.index
    fr = a.fr
    _fill_frame(b, fr, p.s)
    s, o, ls, fsl = p.s, p.o, p.lines, p.f
    esc, df0, df1 = fr.esc[:, :, s], fr.df0[:, s], fr.df1[:, s]
    n_po = o.stop - o.start
    few = s.stop - s.start <= NARROW  # narrow tables: one accumulate call per recurrence

    # present value of every cost line, from prefix-sum tables (Q, Y+1, S)
    for q in range(ix.q_every.size):
        k = int(ix.q_every[q])
        tq = a.table[q][:, s]
        tq[0] = 0.0
        np.multiply(esc[:, int(ix.q_driver[q]), :], df1 if k > 0 else df0, out=tq[1:])
        if k <= 0:
            continue
        if few:  # each residue class of years mod k is one accumulate call
            for r in range(1, min(k, y - k) + 1):
                np.add.accumulate(tq[r::k], axis=0, out=tq[r::k])
        else:
            for t in range(k + 1, y + 1):
                tq[t] += tq[t - k]
    flat = a.table.reshape(-1)
    line_pv = a.line_pv[ls]
    np.take(flat, ix.line_pv_hi[ls], out=line_pv)
    line_pv -= flat.take(ix.line_pv_lo[ls])
    line_pv *= b.line_amount[ls]

    # per-offer yearly flows: per driver, the amounts of its classes added over their years
    # (a strided slice each), times the driver's escalation factors
    a.amounts.reshape(-1)[ix.line_m[ls]] = b.line_amount[ls]
    amounts = a.amounts[:, o]
    flows = a.flows[:, o]
    flows.fill(0.0)
    flows_rec = np.zeros((y, n_po)) if fr.any_mid else flows
    weights = np.empty((y, n_po))
    for d, c0, c1 in ix.driver_classes:
        for rec in (False, True) if fr.any_mid else (None,):
            classes = [c for c in range(c0, c1) if rec is None or ix.class_recurring[c] == rec]
            if not classes:
                continue
            weights.fill(0.0)
            for c in classes:
                weights[ix.class_years[c]] += amounts[c]
            _per_offer(b, p, weights, esc[:, d, :], weights)
            flows += weights
            if rec:
                flows_rec += weights

    # expected repairs, downtime and repair orders: per-year rows
    orders = False
    if fsl.stop > fsl.start:
        fs = ix.fail_scenario[fsl]
        ef = _expected_failures_by_year(
            b.hours[fs], b.fail_mtbf[fsl], b.fail_shape[fsl], b.study_years[fs], y
        )
        esc_flat = fr.esc.reshape(y, -1)
        dfg = np.take(fr.df1, fs, axis=1)
        rep = np.take(esc_flat, ix.fail_repair_col[fsl], axis=1)
        rep *= ef
        rep *= b.fail_repair_amount[fsl]
        dtm = np.take(esc_flat, ix.fail_downtime_col[fsl], axis=1)
        dtm *= ef
        dtm *= b.fail_downtime_hours[fsl] * b.downtime_cost[fs]
        a.repair_pv[fsl] = np.einsum("tf,tf->f", rep, dfg)
        a.downtime_pv[fsl] = np.einsum("tf,tf->f", dtm, dfg)
        rep += dtm
        order_amount = b.fail_order_amount[fsl]
        orders = bool(np.any(order_amount != 0.0))
        if orders:  # no repair-order cost: nothing added, not even zeros
            odr = np.take(esc_flat, ix.fail_order_col[fsl], axis=1)
            odr *= ef
            odr *= order_amount
            a.order_pv[fsl] = np.einsum("tf,tf->f", odr, dfg)
            rep += odr
        if ix.fail_all_offers:
            flows += rep
            if fr.any_mid:
                flows_rec += rep
        else:
            cols = b.fail_offer[fsl] - o.start
            flows[:, cols] += rep
            if fr.any_mid:
                flows_rec[:, cols] += rep

    # residual values: a credit in year N of amount x escalation to N x remaining share
    rv = ix.rv[p.rv]
    if rv.size:
        credit = -b.line_amount[rv] * ix.rv_share[p.rv] * fr.esc.reshape(-1).take(ix.rv_esc[p.rv])
        credit_pv = credit * fr.df0.reshape(-1).take(ix.rv_df[p.rv])
        a.residual_nominal[rv] = credit
        a.residual_pv[rv] = credit_pv
        per_offer = np.bincount(b.line_offer[rv] - o.start, weights=credit, minlength=n_po)
        flows[b.study_years[b.offer_scenario[o]], np.arange(n_po)] += per_offer

    pv = a.flows_pv[:, o]
    _per_offer(b, p, flows, df0, pv)
    if fr.any_mid:
        _per_offer(b, p, flows_rec, df1 - df0, flows_rec)
        pv += flows_rec
    if a.flows_nominal is not a.flows:
        growth = np.empty((y, s.stop - s.start))  # nominal equivalents of a real analysis
        growth[0] = 1.0
        growth[1:] = 1.0 + np.where(b.nominal[s], 0.0, b.inflation[s])
        compound_by_year(growth)
        _per_offer(b, p, flows, growth, a.flows_nominal[:, o])

    c = N_CATEGORIES
    base = o.start * c
    cat = np.zeros(n_po * c)
    if ls.stop > ls.start:
        cat += np.bincount(ix.line_cat[ls] - base, weights=line_pv, minlength=n_po * c)
    if rv.size:
        cat += np.bincount(
            ix.line_cat_eol[rv] - base, weights=a.residual_pv[rv], minlength=n_po * c
        )
    if fsl.stop > fsl.start:
        fo = (b.fail_offer[fsl] - o.start) * c
        cat[fo + REPAIR] += a.repair_pv[fsl]
        cat[fo + DOWNTIME] += a.downtime_pv[fsl]
        if orders:
            cat[fo + TRANSACTION] += a.order_pv[fsl]
    a.cat[base : base + n_po * c] = cat


def evaluate_batch(b: Batch, *, part_offers: int = PART_OFFERS) -> BatchResult:
    """Evaluate every offer of a batch. See the module docstring for the conventions.

    Per-year tables are year-major (year, ...), so steps along years are whole-vector operations.
    Line present values are O(1) per line: per (recurring step k, driver) class, prefix sums
    with stride k of escalation x discount factors along years give the sum over any schedule
    as a difference of two entries (a one-time line reads one entry). Per-offer yearly flows are,
    for each driver, the schedule table times the matrix of amounts per (driver, schedule) class
    and offer, times the escalation factors. Expected repairs and downtime (two per failure
    model, three where repair orders cost something) are genuine per-year rows. Residual values
    are credits in each scenario's year N.

    The batch is evaluated in parts of whole scenarios of about ``part_offers`` offers, each
    writing its own slices of the batch-wide arrays; parts run side by side on up to
    ``os.cpu_count()`` threads. Every number depends on its own scenario only, so the result is
    the same whatever the partition.
    """
    y = b.n_years
    n_o, n_s = b.n_offers, b.n_scenarios
    ix = b.index
    n_l, n_f = b.line_offer.size, b.fail_offer.size
    flows = np.empty((y, n_o))
    a = _Arrays(
        fr=_new_frame(b),
        table=np.empty((ix.q_every.size, y + 1, n_s)),
        amounts=np.zeros((ix.n_classes, n_o)),
        line_pv=np.empty(n_l),
        residual_pv=np.zeros(n_l),
        residual_nominal=np.zeros(n_l),
        repair_pv=np.zeros(n_f),
        downtime_pv=np.zeros(n_f),
        order_pv=np.zeros(n_f),
        flows=flows,
        flows_pv=np.empty((y, n_o)),
        flows_nominal=flows if bool(b.nominal.all()) else np.empty((y, n_o)),
        cat=np.empty(n_o * N_CATEGORIES),
    )
    _run_parts(_partition(b, part_offers), lambda p: _evaluate_part(b, a, p))
    return BatchResult(
        batch=b,
        line_pv=a.line_pv,
        residual_pv=a.residual_pv,
        residual_nominal=a.residual_nominal,
        repair_pv=a.repair_pv,
        downtime_pv=a.downtime_pv,
        order_pv=a.order_pv,
        offer_basis=flows.T,
        offer_nominal=a.flows_nominal.T,
        offer_pv=a.flows_pv.T,
        category_pv=a.cat.reshape(n_o, N_CATEGORIES),
    )


def category_cash_flows(b: Batch) -> tuple[FloatArray, FloatArray]:
    """The (offer, category, year) arrays of basis cash flows and present values.

    Materialises every line's cash flows; meant for one scenario's offers (documents, the
    workbook, tests), not for large batches.
    """
    fr = _frame(b)
    ix = b.index
    y = b.n_years
    s_l = ix.line_scenario
    esc_l = fr.esc[:, b.line_driver, s_l].T  # (L, Y)
    x = ix.sched_weights[ix.line_sched] * esc_l * b.line_amount[:, None]
    df_l = np.where((b.line_every > 0)[:, None], fr.df1[:, s_l].T, fr.df0[:, s_l].T)
    basis = np.zeros((b.n_offers, N_CATEGORIES, y))
    present = np.zeros_like(basis)
    np.add.at(basis, (b.line_offer, b.line_category), x)
    np.add.at(present, (b.line_offer, b.line_category), x * df_l)
    fs = ix.fail_scenario
    if fs.size:
        ef = _expected_failures_by_year(
            b.hours[fs], b.fail_mtbf, b.fail_shape, b.study_years[fs], y
        ).T
        df_f = fr.df1[:, fs].T
        rep = ef * fr.esc[:, b.fail_repair_driver, fs].T * b.fail_repair_amount[:, None]
        dtm = ef * fr.esc[:, b.fail_downtime_driver, fs].T
        dtm *= (b.fail_downtime_hours * b.downtime_cost[fs])[:, None]
        rep_cat = np.full_like(b.fail_offer, REPAIR)
        dtm_cat = np.full_like(b.fail_offer, DOWNTIME)
        np.add.at(basis, (b.fail_offer, rep_cat), rep)
        np.add.at(present, (b.fail_offer, rep_cat), rep * df_f)
        np.add.at(basis, (b.fail_offer, dtm_cat), dtm)
        np.add.at(present, (b.fail_offer, dtm_cat), dtm * df_f)
        if bool(np.any(b.fail_order_amount != 0.0)):
            odr = ef * fr.esc[:, b.fail_order_driver, fs].T * b.fail_order_amount[:, None]
            odr_cat = np.full_like(b.fail_offer, TRANSACTION)
            np.add.at(basis, (b.fail_offer, odr_cat), odr)
            np.add.at(present, (b.fail_offer, odr_cat), odr * df_f)
    result = evaluate_batch(b)
    n_line = b.study_years[s_l]
    eol = np.full_like(b.line_offer, END_OF_LIFE)
    np.add.at(basis, (b.line_offer, eol, n_line), result.residual_nominal)
    np.add.at(present, (b.line_offer, eol, n_line), result.residual_pv)
    return basis, present

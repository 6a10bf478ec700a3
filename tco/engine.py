"""The cost model: scenarios in, cost profiles out, batch-first.

Pipeline (pure functions, no I/O):

1. :func:`compile_batch` turns validated :class:`~tco.scenario.Scenario` objects into a columnar
   :class:`Batch`: one row per scenario, offer, cost line and failure model, schedules as
   (first, every, last) years, escalation drivers as indices. Lines are ordered by offer and, in
   an offer, by timing class (one-time, recurring), so per-offer sums are contiguous reductions.
2. :func:`evaluate_batch` evaluates a :class:`Batch` with numpy: escalation factors per scenario
   and driver (:mod:`tco.escalation`), discount factors per scenario and timing class
   (:mod:`tco.discounting`), schedule weights, expected failures, residual values, and returns a
   :class:`BatchResult` of arrays. Lines are processed in cache-sized chunks of whole offers.
3. :mod:`tco.measures` derives lifetime cost, equivalent annual cost and the comparison measures.

A single scenario, a batch of configurator requests and a Monte Carlo run of many trials go
through the same code: they differ only in the number of rows. The conceptual result is the
array (scenario, offer, category, year) of cash flows; :func:`category_cash_flows` materialises
it for one scenario's offers, while the batch path reduces straight to what results report
(present value by line and category, cash flows by offer and year) without allocating it.

All projections are float64 in the currency; rounding happens only when shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tco.discounting import discount_factors
from tco.escalation import escalation_factors
from tco.scenario import CATEGORIES, Category, Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

N_CATEGORIES = len(CATEGORIES)
CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
REPAIR = CAT_INDEX[Category.repair]
DOWNTIME = CAT_INDEX[Category.downtime]
END_OF_LIFE = CAT_INDEX[Category.end_of_life]
ACQUISITION = CAT_INDEX[Category.acquisition]

_KEY_BASE = 128  # schedule years, steps and ends are at most 101 (study period <= 100)
_CHUNK_CELLS = 1 << 18  # line x year cells per chunk (2 MiB of float64)


@dataclass(frozen=True, eq=False)
class Batch:
    """A columnar batch of scenarios, ready for :func:`evaluate_batch`.

    Scenario arrays have length S, offer arrays O, line arrays L (ordered by offer, then by
    timing class), failure arrays F. Driver index 0 means "no driver" (flat real value, or
    ``inflation`` in a nominal analysis); ``rates[s, d, k]`` is the rate of driver d in year k+1.
    ``line_every`` is 0 for a one-time line, whose year is ``line_first == line_last``.
    ``line_life`` 0 and ``line_fraction`` NaN mean no residual value.
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
    #: For each line, its index in its offer's ``costs`` (results list lines in input order).
    line_source: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

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
    rates = np.zeros((n_s, d1, n_max), dtype=np.float64)
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
    fails: list[tuple[int, float, float, float, int, float, int]] = []

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
        for name, di in dindex.items():
            rates[si, di, :n] = a.rates_for(name)
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
                    )
                )
    lines.sort(key=lambda r: (r[0], r[1]))
    la = list(zip(*lines, strict=True)) if lines else [()] * 11
    fa = list(zip(*fails, strict=True)) if fails else [()] * 7

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
    )


# --------------------------------------------------------------------------------------------
# evaluate


def _schedule_table(b: Batch) -> tuple[FloatArray, IntArray]:
    """Distinct schedules as 0/1 weight rows (K, Y) and each line's row index."""
    y = b.n_years
    keys = (b.line_first * _KEY_BASE + b.line_every) * _KEY_BASE + b.line_last
    space = _KEY_BASE**3
    seen = np.zeros(space, dtype=bool)
    seen[keys] = True
    uniq = np.flatnonzero(seen)
    lookup = np.empty(space, dtype=np.int64)
    lookup[uniq] = np.arange(uniq.size)
    first, rest = np.divmod(uniq, _KEY_BASE * _KEY_BASE)
    every, last = np.divmod(rest, _KEY_BASE)
    years = np.arange(y)[None, :]
    step = np.maximum(every, 1)[:, None]
    on = (years >= first[:, None]) & (years <= last[:, None]) & ((years - first[:, None]) % step == 0)
    return on.astype(np.float64), lookup[keys]


def expected_failures(hours: FloatArray, mtbf: FloatArray, shape: FloatArray, n_years: FloatArray | IntArray, width: int) -> FloatArray:
    """Expected failures per year: H(k) - H(k-1), H(t) = (t x hours / mtbf)^shape.

    One row per failure model, ``width`` columns (years 0..width-1); zero in year 0 and after
    each row's study period.
    """
    t = np.arange(width, dtype=np.float64)[None, :]
    cum = np.power(t * (hours / mtbf)[:, None], shape[:, None])
    out = np.zeros_like(cum)
    out[:, 1:] = np.diff(cum, axis=1)
    out[t > np.asarray(n_years)[:, None]] = 0.0
    return out


def evaluate_batch(b: Batch) -> BatchResult:
    """Evaluate every offer of a batch. See the module docstring for the conventions."""
    n_s, y = b.n_scenarios, b.n_years
    d1 = b.rates.shape[1]
    n_o = b.n_offers
    yrs = np.arange(y)

    # escalation factors per scenario and driver; driver 0 keeps real value / grows at inflation
    rates = b.rates.copy()
    rates[:, 0, :] = np.where(b.nominal, b.inflation, 0.0)[:, None]
    esc = escalation_factors(rates).reshape(n_s * d1, y)
    # discount factors per scenario and timing class (0 one-time, 1 recurring)
    df = np.empty((n_s, 2, y))
    df[:, 0, :] = discount_factors(b.discount_rate, y - 1)
    df[:, 1, :] = discount_factors(b.discount_rate, y - 1, mid_year=b.mid_year)
    df_rows = df.reshape(n_s * 2, y)
    in_study = yrs[None, :] <= b.study_years[:, None]  # (S, Y)

    weights, w_idx = _schedule_table(b)
    line_s = b.offer_scenario[b.line_offer]
    e_idx = line_s * d1 + b.line_driver
    timing = (b.line_every > 0).astype(np.int64)
    d_idx = line_s * 2 + timing

    n_l = b.line_amount.shape[0]
    line_pv = np.empty(n_l)
    flows = np.zeros((n_o, 2, y))  # basis cash flows by offer and timing class
    if n_l:
        seg_key = b.line_offer * 2 + timing
        seg_start = np.flatnonzero(np.r_[True, seg_key[1:] != seg_key[:-1]])
        seg_key_at = seg_key[seg_start]
        # chunks of whole offers
        per_chunk = max(1, _CHUNK_CELLS // y)
        bounds = [0]
        offer_start = np.searchsorted(b.line_offer, np.arange(n_o + 1))
        while bounds[-1] < n_l:
            nxt = bounds[-1] + per_chunk
            if nxt >= n_l:
                bounds.append(n_l)
                break
            o = b.line_offer[nxt]
            cut = int(offer_start[o])
            if cut <= bounds[-1]:
                cut = int(offer_start[o + 1])
            bounds.append(cut)
        flows_flat = flows.reshape(n_o * 2, y)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
            x = np.take(weights, w_idx[lo:hi], axis=0)
            x *= np.take(esc, e_idx[lo:hi], axis=0)
            x *= b.line_amount[lo:hi, None]
            np.einsum("ly,ly->l", x, np.take(df_rows, d_idx[lo:hi], axis=0), out=line_pv[lo:hi])
            s0, s1 = np.searchsorted(seg_start, [lo, hi])
            flows_flat[seg_key_at[s0:s1]] = np.add.reduceat(x, seg_start[s0:s1] - lo, axis=0)

    # residual values: a credit in year N of amount x escalation to N x remaining share
    has_life = b.line_life > 0
    has_fraction = ~np.isnan(b.line_fraction)
    residual_nominal = np.zeros(n_l)
    residual_pv = np.zeros(n_l)
    if np.any(has_life | has_fraction):
        n_line = b.study_years[line_s]
        step = np.maximum(b.line_every, 1)
        last_occ = b.line_first + ((b.line_last - b.line_first) // step) * step
        life = np.where(has_life, b.line_life, 1.0)
        remaining = np.clip(last_occ + b.line_life - n_line, 0.0, None) / life
        share = np.where(has_fraction, b.line_fraction, np.where(has_life, remaining, 0.0))
        esc_n = esc[e_idx, n_line]
        residual_nominal = -b.line_amount * share * esc_n
        residual_pv = residual_nominal * df_rows[line_s * 2, n_line]
        np.add.at(flows[:, 0, :], (b.line_offer, n_line), residual_nominal)

    # expected failures: repair (share not covered) and downtime
    fail_s = b.offer_scenario[b.fail_offer]
    n_f = b.fail_offer.shape[0]
    repair_pv = np.zeros(n_f)
    downtime_pv = np.zeros(n_f)
    if n_f:
        fails = expected_failures(b.hours[fail_s], b.fail_mtbf, b.fail_shape, b.study_years[fail_s], y)
        rep = fails * b.fail_repair_amount[:, None] * esc[fail_s * d1 + b.fail_repair_driver]
        down = (
            fails
            * (b.fail_downtime_hours * b.downtime_cost[fail_s])[:, None]
            * esc[fail_s * d1 + b.fail_downtime_driver]
        )
        dfr = df_rows[fail_s * 2 + 1]
        repair_pv = np.einsum("fy,fy->f", rep, dfr)
        downtime_pv = np.einsum("fy,fy->f", down, dfr)
        np.add.at(flows[:, 1, :], b.fail_offer, rep + down)

    o_s = b.offer_scenario
    offer_basis = flows.sum(axis=1) * in_study[o_s]
    offer_pv = (flows * df[o_s]).sum(axis=1) * in_study[o_s]
    infl = np.where(b.nominal, 0.0, b.inflation)
    offer_nominal = offer_basis * np.power(1.0 + infl[o_s, None], yrs[None, :])

    cat = np.zeros(n_o * N_CATEGORIES)
    cat += np.bincount(b.line_offer * N_CATEGORIES + b.line_category, weights=line_pv, minlength=cat.size)
    cat += np.bincount(b.line_offer * N_CATEGORIES + END_OF_LIFE, weights=residual_pv, minlength=cat.size)
    if n_f:
        cat += np.bincount(b.fail_offer * N_CATEGORIES + REPAIR, weights=repair_pv, minlength=cat.size)
        cat += np.bincount(b.fail_offer * N_CATEGORIES + DOWNTIME, weights=downtime_pv, minlength=cat.size)
    return BatchResult(
        batch=b,
        line_pv=line_pv,
        residual_pv=residual_pv,
        residual_nominal=residual_nominal,
        repair_pv=repair_pv,
        downtime_pv=downtime_pv,
        offer_basis=offer_basis,
        offer_nominal=offer_nominal,
        offer_pv=offer_pv,
        category_pv=cat.reshape(n_o, N_CATEGORIES),
    )


def category_cash_flows(b: Batch) -> tuple[FloatArray, FloatArray]:
    """The (offer, category, year) arrays of basis cash flows and present values.

    Materialises every line's cash flows; meant for one scenario's offers (documents, the
    workbook, tests), not for large batches.
    """
    n_s, y = b.n_scenarios, b.n_years
    d1 = b.rates.shape[1]
    rates = b.rates.copy()
    rates[:, 0, :] = np.where(b.nominal, b.inflation, 0.0)[:, None]
    esc = escalation_factors(rates).reshape(n_s * d1, y)
    df = np.empty((n_s, 2, y))
    df[:, 0, :] = discount_factors(b.discount_rate, y - 1)
    df[:, 1, :] = discount_factors(b.discount_rate, y - 1, mid_year=b.mid_year)
    weights, w_idx = _schedule_table(b)
    line_s = b.offer_scenario[b.line_offer]
    x = weights[w_idx] * esc[line_s * d1 + b.line_driver] * b.line_amount[:, None]
    timing = (b.line_every > 0).astype(np.int64)
    pv = x * df[line_s, timing]
    basis = np.zeros((b.n_offers, N_CATEGORIES, y))
    present = np.zeros_like(basis)
    np.add.at(basis, (b.line_offer, b.line_category), x)
    np.add.at(present, (b.line_offer, b.line_category), pv)
    result = evaluate_batch(b)
    n_line = b.study_years[line_s]
    np.add.at(basis, (b.line_offer, END_OF_LIFE, n_line), result.residual_nominal)
    np.add.at(present, (b.line_offer, END_OF_LIFE, n_line), result.residual_pv)
    if b.fail_offer.size:
        fail_s = b.offer_scenario[b.fail_offer]
        fails = expected_failures(b.hours[fail_s], b.fail_mtbf, b.fail_shape, b.study_years[fail_s], y)
        rep = fails * b.fail_repair_amount[:, None] * esc[fail_s * d1 + b.fail_repair_driver]
        down = fails * (b.fail_downtime_hours * b.downtime_cost[fail_s])[:, None] * esc[
            fail_s * d1 + b.fail_downtime_driver
        ]
        basis[b.fail_offer, REPAIR] += rep
        basis[b.fail_offer, DOWNTIME] += down
        present[b.fail_offer, REPAIR] += rep * df[fail_s, 1]
        present[b.fail_offer, DOWNTIME] += down * df[fail_s, 1]
    return basis, present

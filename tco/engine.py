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
    on = (
        (years >= first[:, None])
        & (years <= last[:, None])
        & ((years - first[:, None]) % step == 0)
    )
    return on.astype(np.float64), lookup[keys]


def expected_failures(
    hours: FloatArray,
    mtbf: FloatArray,
    shape: FloatArray,
    n_years: FloatArray | IntArray,
    width: int,
) -> FloatArray:
    """Expected failures per year: H(k) - H(k-1), H(t) = (t x hours / mtbf)^shape.

    One row per failure model, ``width`` columns (years 0..width-1); zero in year 0 and after
    each row's study period. H is taken as exp(shape x log(t x hours / mtbf)).
    """
    t = np.arange(1, width, dtype=np.float64)[None, :]
    with np.errstate(divide="ignore"):
        log_rate = np.log(hours / mtbf)[:, None]
    cum = np.zeros((hours.shape[0], width))
    cum[:, 1:] = np.exp(shape[:, None] * (np.log(t) + log_rate))
    out = np.zeros_like(cum)
    np.subtract(cum[:, 1:], cum[:, :-1], out=out[:, 1:])
    out[np.arange(width)[None, :] > np.asarray(n_years)[:, None]] = 0.0
    return out


@dataclass(frozen=True, eq=False)
class _Frame:
    """Per-scenario tables shared by the evaluation steps."""

    esc: FloatArray  # (S*D1, Y) escalation factors, row s*D1 + driver
    df: FloatArray  # (2, S, Y) discount factors: one-time, recurring
    d1: int


def _frame(b: Batch) -> _Frame:
    n_s, y = b.n_scenarios, b.n_years
    d1 = b.rates.shape[1]
    rates = b.rates.reshape(n_s * d1, y - 1).copy()
    rates[::d1] = np.where(b.nominal, b.inflation, 0.0)[:, None]
    esc = escalation_factors(rates)
    df = np.empty((2, n_s, y))
    df[0] = discount_factors(b.discount_rate, y - 1)
    df[1] = discount_factors(b.discount_rate, y - 1, mid_year=b.mid_year)
    return _Frame(esc=esc, df=df, d1=d1)


@dataclass(frozen=True, eq=False)
class _Lines:
    """Cost lines plus two synthetic lines per failure model (expected repairs, downtime),
    whose weight rows are the expected failures per year instead of a schedule."""

    weights: FloatArray  # (K + F, Y)
    w: IntArray
    e: IntArray
    amount: FloatArray
    recurring: BoolArray
    offer: IntArray
    category: IntArray
    slot: IntArray
    width: int


def _lines(b: Batch, fr: _Frame) -> _Lines:
    y = b.n_years
    schedules, w_idx = _schedule_table(b)
    o_s = b.offer_scenario
    n_l, n_f = b.line_offer.size, b.fail_offer.size
    start = np.searchsorted(b.line_offer, np.arange(b.n_offers))
    slot = np.arange(n_l) - start[b.line_offer]
    width = int(slot.max()) + 1 if n_l else 0
    if not n_f:
        return _Lines(
            weights=schedules,
            w=w_idx,
            e=o_s[b.line_offer] * fr.d1 + b.line_driver,
            amount=b.line_amount,
            recurring=b.line_every > 0,
            offer=b.line_offer,
            category=b.line_category,
            slot=slot,
            width=max(width, 1),
        )
    fail_s = o_s[b.fail_offer]
    fails = expected_failures(b.hours[fail_s], b.fail_mtbf, b.fail_shape, b.study_years[fail_s], y)
    k = schedules.shape[0]
    f_rows = k + np.arange(n_f)
    ones = np.ones(n_f, dtype=np.int64)
    return _Lines(
        weights=np.vstack([schedules, fails]),
        w=np.concatenate([w_idx, f_rows, f_rows]),
        e=np.concatenate(
            [
                o_s[b.line_offer] * fr.d1 + b.line_driver,
                fail_s * fr.d1 + b.fail_repair_driver,
                fail_s * fr.d1 + b.fail_downtime_driver,
            ]
        ),
        amount=np.concatenate(
            [b.line_amount, b.fail_repair_amount, b.fail_downtime_hours * b.downtime_cost[fail_s]]
        ),
        recurring=np.concatenate([b.line_every > 0, np.ones(2 * n_f, dtype=bool)]),
        offer=np.concatenate([b.line_offer, b.fail_offer, b.fail_offer]),
        category=np.concatenate([b.line_category, REPAIR * ones, DOWNTIME * ones]),
        slot=np.concatenate([slot, width * ones, (width + 1) * ones]),
        width=width + 2,
    )


def evaluate_batch(b: Batch) -> BatchResult:
    """Evaluate every offer of a batch. See the module docstring for the conventions.

    Lines (cost lines, and expected repairs and downtime as two lines per failure model) are
    laid out on an (offer, slot, year) grid and processed in cache-sized chunks of offers:
    cash flows = weights (schedule or expected failures) x escalation factors x amount; present
    values use the one-time discount factors plus the mid-year shift for recurring lines.
    Residual values are credits in each scenario's year N.
    """
    y = b.n_years
    n_o = b.n_offers
    fr = _frame(b)
    _d1, esc, df = fr.d1, fr.esc, fr.df
    o_s = b.offer_scenario
    ln = _lines(b, fr)
    n_all = ln.amount.size
    n_l, n_f = b.line_offer.size, b.fail_offer.size

    flows = np.zeros((n_o, y))  # basis cash flows
    flows_pv = np.zeros((n_o, y))
    all_pv = np.zeros(n_all)
    if n_all:
        grid = np.full((n_o, ln.width), -1, dtype=np.int64)
        grid[ln.offer, ln.slot] = np.arange(n_all)
        filled = grid >= 0
        g = np.where(filled, grid, 0)
        g_w = ln.w[g]
        g_e = ln.e[g]
        g_amount = np.where(filled, ln.amount[g], 0.0)
        mid = b.mid_year[o_s]
        any_mid = bool(mid.any())
        g_rec = (ln.recurring[g] & filled & mid[:, None]).astype(np.float64)
        g_pv = np.zeros((n_o, ln.width))
        step = max(1, _CHUNK_CELLS // (ln.width * y))
        df_once = df[0]
        df_shift = df[1] - df[0]
        for lo in range(0, n_o, step):
            hi = min(n_o, lo + step)
            x = np.take(ln.weights, g_w[lo:hi], axis=0)
            x *= np.take(esc, g_e[lo:hi], axis=0)
            x *= g_amount[lo:hi, :, None]
            base_df = np.take(df_once, o_s[lo:hi], axis=0)
            np.einsum("oly,oy->ol", x, base_df, out=g_pv[lo:hi])
            np.sum(x, axis=1, out=flows[lo:hi])
            np.multiply(flows[lo:hi], base_df, out=flows_pv[lo:hi])
            if any_mid:
                shift = np.take(df_shift, o_s[lo:hi], axis=0)
                g_pv[lo:hi] += np.einsum("oly,oy->ol", x, shift) * g_rec[lo:hi]
                flows_pv[lo:hi] += np.einsum("oly,ol->oy", x, g_rec[lo:hi]) * shift
        all_pv = g_pv[ln.offer, ln.slot]

    # residual values: a credit in year N of amount x escalation to N x remaining share
    residual_nominal = np.zeros(n_l)
    residual_pv = np.zeros(n_l)
    rv = np.flatnonzero((b.line_life > 0) | ~np.isnan(b.line_fraction))
    if rv.size:
        offer_rv = b.line_offer[rv]
        s_rv = o_s[offer_rv]
        n_rv = b.study_years[s_rv]
        life = b.line_life[rv]
        fraction = b.line_fraction[rv]
        every = np.maximum(b.line_every[rv], 1)
        first = b.line_first[rv]
        last_occ = first + ((b.line_last[rv] - first) // every) * every
        remaining = np.clip(last_occ + life - n_rv, 0.0, None) / np.where(life > 0, life, 1.0)
        share = np.where(np.isnan(fraction), remaining, fraction)
        credit = -b.line_amount[rv] * share * esc[ln.e[rv], n_rv]
        credit_pv = credit * df[0, s_rv, n_rv]
        residual_nominal[rv] = credit
        residual_pv[rv] = credit_pv
        np.add.at(flows, (offer_rv, n_rv), credit)
        np.add.at(flows_pv, (offer_rv, n_rv), credit_pv)

    infl = np.where(b.nominal, 0.0, b.inflation)
    growth = np.exp(np.log1p(infl)[:, None] * np.arange(y)[None, :])
    offer_nominal = flows * growth[o_s]

    c = N_CATEGORIES
    cat = np.zeros(n_o * c)
    cat += np.bincount(ln.offer * c + ln.category, weights=all_pv, minlength=n_o * c)
    np.add.at(cat, b.line_offer[rv] * c + END_OF_LIFE, residual_pv[rv])
    return BatchResult(
        batch=b,
        line_pv=all_pv[:n_l],
        residual_pv=residual_pv,
        residual_nominal=residual_nominal,
        repair_pv=all_pv[n_l : n_l + n_f],
        downtime_pv=all_pv[n_l + n_f :],
        offer_basis=flows,
        offer_nominal=offer_nominal,
        offer_pv=flows_pv,
        category_pv=cat.reshape(n_o, c),
    )


def category_cash_flows(b: Batch) -> tuple[FloatArray, FloatArray]:
    """The (offer, category, year) arrays of basis cash flows and present values.

    Materialises every line's cash flows; meant for one scenario's offers (documents, the
    workbook, tests), not for large batches.
    """
    fr = _frame(b)
    ln = _lines(b, fr)
    s_of = b.offer_scenario[ln.offer]
    x = ln.weights[ln.w] * fr.esc[ln.e] * ln.amount[:, None]
    pv = x * fr.df[ln.recurring.astype(np.int64), s_of]
    basis = np.zeros((b.n_offers, N_CATEGORIES, b.n_years))
    present = np.zeros_like(basis)
    np.add.at(basis, (ln.offer, ln.category), x)
    np.add.at(present, (ln.offer, ln.category), pv)
    result = evaluate_batch(b)
    n_line = b.study_years[b.offer_scenario[b.line_offer]]
    eol = np.full_like(b.line_offer, END_OF_LIFE)
    np.add.at(basis, (b.line_offer, eol, n_line), result.residual_nominal)
    np.add.at(present, (b.line_offer, eol, n_line), result.residual_pv)
    return basis, present

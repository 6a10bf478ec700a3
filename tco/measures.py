"""Measures over evaluated offers: per offer and against the scenario's baseline.

Per offer: lifetime cost (sum of present values), equivalent annual cost (lifetime cost x the
capital recovery factor at the discount rate over the study period), cost per operating hour
(equivalent annual cost / operating hours per year).

Against the baseline b, for each other offer o (NIST Handbook 135 / BLCC definitions):

- net savings ``NS = LCC_b - LCC_o``;
- ``SIR = PV(operating savings) / PV(added investment)``, investment-related being acquisition,
  installation, replacement, financing and end_of_life (residual values included); null where the
  offer adds no investment;
- ``AIRR = (1+d) x SIR^(1/N) - 1``, null where SIR is null or negative;
- simple and discounted payback year: the first year (0..N) in which cumulative savings,
  undiscounted (analysis basis) or discounted, are no longer negative; null when never;
- breakeven year: where the cumulative discounted cost curves of offer and baseline cross (the
  first change of sign of cumulative discounted savings after year 0), interpolated linearly
  within the year; 0 where they start equal; null where they never cross;
- IRR of the incremental cash flow (baseline minus offer, analysis basis), through
  ``numpy_financial.irr`` semantics; null where it does not exist;
- price headroom: how much the offer's year-0 acquisition price could rise and still not cost
  more over its life than the baseline: ``NS / (1 - r)``, r being the present value of the
  residual credit that one more unit of year-0 acquisition price earns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tco.discounting import capital_recovery_factor
from tco.engine import ACQUISITION, CAT_INDEX, BatchResult
from tco.scenario import INVESTMENT_CATEGORIES

FloatArray = npt.NDArray[np.float64]

_INVEST = np.zeros(len(CAT_INDEX), dtype=bool)
for _c in INVESTMENT_CATEGORIES:
    _INVEST[CAT_INDEX[_c]] = True

#: Cumulative savings within this many currency units of zero count as zero (float noise).
_ZERO = 1e-6
#: Up to this many columns, whole-array calls beat passes down the years.
_FEW = 64


@dataclass(frozen=True, eq=False)
class Measures:
    """Per-offer measures (arrays of length O); comparison fields are NaN for baselines."""

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
    price_headroom: FloatArray
    is_baseline: npt.NDArray[np.bool_]


def _year_major(rows: FloatArray) -> FloatArray:
    """(M, Y) rows as a contiguous (Y, M) array (free for the transposed views results hold)."""
    out: FloatArray = np.ascontiguousarray(rows.T)
    return out


def _in_study(n_years: npt.NDArray[np.int64], y: int) -> npt.NDArray[np.bool_] | None:
    """(Y, M) mask of years within each row's study period, None where all rows span Y."""
    if bool(np.all(n_years >= y - 1)):
        return None
    mask: npt.NDArray[np.bool_] = np.arange(y)[:, None] <= n_years[None, :]
    return mask


def _first_true(ok: npt.NDArray[np.bool_]) -> FloatArray:
    """Index of the first True down each column of a (Y, M) mask, NaN when none."""
    first: FloatArray = ok.argmax(axis=0).astype(np.float64)
    first[~ok.any(axis=0)] = np.nan
    return first


def _cumulate(x: FloatArray) -> FloatArray:
    """Cumulative sums down the year axis of a (Y, M) array, one vector add per year."""
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):
        np.add(out[t - 1], x[t], out=out[t])
    return out


def first_year_not_negative(cumulative: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Index of the first column >= 0 (within each row's 0..N), NaN when none."""
    return _first_not_negative(_year_major(cumulative), n_years)


def _first_not_negative(cum: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    ok = cum >= -_ZERO
    mask = _in_study(n_years, cum.shape[0])
    if mask is not None:
        ok &= mask
    return _first_true(ok)


def breakeven(cumulative: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Fractional year where cumulative savings first change sign (the cost curves cross).

    Linear interpolation within the year; 0 where the curves start equal; NaN where they never
    cross within the study period.
    """
    return _breakeven(_year_major(cumulative), n_years)


def _breakeven(cum: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    y, m = cum.shape
    start = cum[0]
    behind = start < -_ZERO
    ahead = start > _ZERO
    crossed = np.where(behind[None, :], cum >= -_ZERO, cum < -_ZERO)
    crossed[0] = False
    mask = _in_study(n_years, y)
    if mask is not None:
        crossed &= mask
    crossed &= (behind | ahead)[None, :]
    out = np.full(m, np.nan)
    out[~(behind | ahead)] = 0.0
    k = _first_true(crossed)
    rows = np.flatnonzero(~np.isnan(k))
    kk = k[rows].astype(np.int64)
    before, after = cum[kk - 1, rows], cum[kk, rows]
    out[rows] = (kk - 1) + (-before) / (after - before)
    return out


def _powers_of(v: FloatArray, y: int) -> FloatArray:
    """(Y, M) table of v^t."""
    pw = np.empty((y, v.size))
    pw[0] = 1.0
    if v.size <= _FEW:  # one accumulate call
        pw[1:] = v
        np.multiply.accumulate(pw, axis=0, out=pw)
    else:  # wide: row by row (an accumulate down axis 0 strides through memory)
        for t in range(1, y):
            np.multiply(pw[t - 1], v, out=pw[t])
    return pw


def _newton_bracketed(
    coef: FloatArray, v: FloatArray, lo: FloatArray, hi: FloatArray, f_lo: FloatArray
) -> FloatArray:
    """The root in each bracket [lo, hi] (a sign change in v) of the year-major polynomial
    columns of ``coef``: Newton steps from v, bisection where a step leaves the bracket.

    With f = P - N, P and N the polynomials of the positive and the negative coefficients,
    Newton runs on h = log P - log N in log v: both logs are convex, nearly linear in log v
    where one power dominates, so steps converge fast wherever the root lies (Newton on f in v
    crawls where high powers dominate).
    """
    v, lo, hi = v.copy(), lo.copy(), hi.copy()
    y = coef.shape[0]
    if y < 2:
        return v
    t = np.arange(y, dtype=np.float64)[:, None]
    pos = np.maximum(coef, 0.0)
    neg = np.maximum(-coef, 0.0)
    s_lo = np.sign(f_lo)
    held = np.arange(v.size)  # the columns the coefficient tables hold
    live = np.ones(v.size, dtype=bool)  # those of them not converged yet
    prev = np.zeros(v.size)  # their previous Newton steps (0: none yet)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # once, not per step
        for _ in range(100):
            va, la, ha = v[held], lo[held], hi[held]
            pw = _powers_of(va, y)
            p = np.einsum("tm,tm->m", pos, pw)
            n = np.einsum("tm,tm->m", neg, pw)
            pw *= t  # t v^t: v times the derivative's terms
            vdp = np.einsum("tm,tm->m", pos, pw)
            vdn = np.einsum("tm,tm->m", neg, pw)
            fv = p - n
            left = np.sign(fv) == s_lo
            la = np.where(left, va, la)
            ha = np.where(left, ha, va)
            step = np.log1p(fv / n) / (vdp / p - vdn / n)  # h = log(P / N), dh / dlog(v)
            newton = va * np.exp(-step)
            bad = ~np.isfinite(newton) | (newton < la) | (newton > ha)  # va is an end
            new = np.where(fv == 0, va, np.where(bad, 0.5 * (la + ha), newton))
            new = np.where(live, new, va)  # converged columns stay put
            v[held], lo[held], hi[held] = new, la, ha
            d = np.abs(new - va)
            # converged: a step within 1e-14, or a Newton step shrinking quadratically whose
            # successor (about d^3 / previous^2) would be below 1e-15
            live &= (d > 1e-14 * va) & (fv != 0) & (bad | (d * d * d > 1e-15 * va * prev * prev))
            prev = np.where(bad, 0.0, d)
            n_live = int(np.count_nonzero(live))
            if not n_live:
                break
            if n_live < 0.8 * held.size:  # drop converged columns (a copy: not every step)
                held, s_lo, prev = held[live], s_lo[live], prev[live]
                pos, neg = pos[:, live], neg[:, live]
                live = np.ones(n_live, dtype=bool)
    return v


def _chord(lo: FloatArray, hi: FloatArray, f_lo: FloatArray, f_hi: FloatArray) -> FloatArray:
    """Where the chord through (lo, f_lo) and (hi, f_hi) crosses zero, the signs being opposite:
    a start for Newton much closer to the root than the bracket's midpoint."""
    v: FloatArray = np.clip(lo - f_lo * ((hi - lo) / (f_hi - f_lo)), lo, hi)
    return v


@dataclass(frozen=True, eq=False)
class _Grid:
    """Rates scanned for sign changes of NPV, as x = log(1+r) ascending and v = 1/(1+r)."""

    x: FloatArray
    v: FloatArray
    zero: int  # the index of r = 0

    @staticmethod
    def of(x: FloatArray) -> _Grid:
        x = np.unique(np.concatenate([x, [0.0]]))
        return _Grid(x=x, v=np.exp(-x), zero=int(np.flatnonzero(x == 0.0)[0]))

    def powers(self, y: int) -> FloatArray:
        """(Y, G) table of v^t."""
        cached = _POWERS.get((id(self), y))
        if cached is None:
            cached = self.v[None, :] ** np.arange(y, dtype=np.float64)[:, None]
            _POWERS[(id(self), y)] = cached
        return cached


_POWERS: dict[tuple[int, int], FloatArray] = {}
_LOG_LO, _LOG_HI = np.log(0.01), np.log(1e6)  # rates from -99 % to 10^6
#: Rows with several sign changes: fine near zero (0.23 % steps in log(1+r) between -50 % and
#: +100 %), coarse far out.
_FINE = _Grid.of(
    np.concatenate([np.linspace(_LOG_LO, _LOG_HI, 240), np.linspace(np.log(0.5), np.log(2.0), 300)])
)
#: Rows with one sign change have one root at most: a coarse grid brackets it for Newton.
_COARSE = _Grid.of(np.linspace(_LOG_LO, _LOG_HI, 41))


def _irr_nearest_zero(f: FloatArray, grid: _Grid) -> FloatArray:
    """The rate closest to zero where NPV vanishes, for year-major columns (Y, M), NaN where
    NPV changes sign nowhere on the grid.

    NPV is scanned on the grid's rates; the nearest sign change on each side of r = 0 is refined
    (bracketed Newton) and the one closer to zero wins (numpy_financial.irr's choice among real
    roots).
    """
    y, m = f.shape
    out = np.full(m, np.nan)
    if not m:
        return out
    npv = f.T @ grid.powers(y)  # (M, G)
    pos = npv >= 0.0
    change = pos[:, 1:] != pos[:, :-1]  # (M, G-1): cell k is [x_k, x_k+1]
    z = grid.zero
    rows_l = rows_r = np.zeros(0, np.int64)
    k_l = k_r = rows_l
    if z > 0:
        left = change[:, z - 1 :: -1]  # cells z-1, z-2, ...: nearest first
        first = left.argmax(axis=1)
        rows_l = np.flatnonzero(left[np.arange(m), first])
        k_l = z - 1 - first[rows_l]
    if z < change.shape[1]:
        right = change[:, z:]
        first = right.argmax(axis=1)
        rows_r = np.flatnonzero(right[np.arange(m), first])
        k_r = z + first[rows_r]
    rows = np.concatenate([rows_l, rows_r])
    if not rows.size:
        return out
    k = np.concatenate([k_l, k_r])
    hi, lo = grid.v[k], grid.v[k + 1]  # v decreases along the grid
    f_hi, f_lo = npv[rows, k], npv[rows, k + 1]
    v = np.where(f_hi == 0.0, hi, lo)
    todo = np.flatnonzero((f_hi != 0.0) & (f_lo != 0.0))
    if todo.size:
        v[todo] = _newton_bracketed(
            np.ascontiguousarray(f[:, rows[todo]]),
            _chord(lo[todo], hi[todo], f_lo[todo], f_hi[todo]),
            lo[todo],
            hi[todo],
            f_lo[todo],
        )
    rate = 1.0 / v - 1.0
    best = np.full(m, np.inf)
    n_l = rows_l.size
    for part in (slice(0, n_l), slice(n_l, rows.size)):  # the left side wins a tie
        rr, rate_p = rows[part], rate[part]
        closer = np.abs(rate_p) < best[rr]
        out[rr[closer]] = rate_p[closer]
        best[rr[closer]] = np.abs(rate_p[closer])
    return out


def _sign_changes(f: FloatArray) -> npt.NDArray[np.int64]:
    """Sign changes down each column of (Y, M), values within _ZERO of zero skipped."""
    y, m = f.shape
    if m <= _FEW:  # carry the last non-zero sign forward with whole-array calls
        s = np.sign(f) * (np.abs(f) > _ZERO)
        at = np.where(s != 0, np.arange(y)[:, None], 0)
        filled = np.take_along_axis(s, np.maximum.accumulate(at, axis=0), axis=0)
        flips = (filled[1:] != filled[:-1]) & (filled[:-1] != 0)
        result: npt.NDArray[np.int64] = flips.sum(axis=0)
        return result
    changes = np.zeros(m, dtype=np.int64)
    last_pos = np.zeros(m, dtype=bool)
    last_neg = np.zeros(m, dtype=bool)
    for x in f:
        pos = x > _ZERO
        neg = x < -_ZERO
        changes += (pos & last_neg) | (neg & last_pos)
        last_pos = pos | (last_pos & ~neg)
        last_neg = neg | (last_neg & ~pos)
    return changes


def irr_rows(flows: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Internal rate of return of each row's flows over years 0..N, NaN where none exists.

    Rows whose flows change sign exactly once have a unique IRR (Descartes' rule: one positive
    root of the NPV polynomial in v = 1/(1+r)); a coarse scan of rates brackets it and Newton
    steps (on log(P/N) in log v, see :func:`_newton_bracketed`) from the chord's zero,
    safeguarded by bisection, refine it, for r in (-99 %, 10^6). Rows with several
    sign changes may have several IRRs; like ``numpy_financial.irr`` the one closest to zero is
    returned, the scan being finer (:data:`_FINE`). Rows without a sign change have none. Work
    is year-major: ``flows.T`` of a transposed view costs nothing.
    """
    f = _year_major(flows)
    mask = _in_study(n_years, f.shape[0])
    if mask is not None:
        f = np.where(mask, f, 0.0)
    return _irr_year_major(f, _sign_changes(f))


def _irr_year_major(f: FloatArray, changes: npt.NDArray[np.int64]) -> FloatArray:
    """IRR of year-major columns (zero beyond each column's study period), given their sign
    changes."""
    out = np.full(f.shape[1], np.nan)
    for grid, cols in ((_COARSE, changes == 1), (_FINE, changes > 1)):
        idx = np.flatnonzero(cols)
        if idx.size:
            out[idx] = _irr_nearest_zero(np.ascontiguousarray(f[:, idx]), grid)
    return out


def _over_years(
    sav: FloatArray, sav_pv: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """Simple and discounted payback years, breakeven years and sign changes of savings, in one
    pass down the years of year-major savings (zero beyond each column's study period)."""
    y, m = sav.shape
    if m <= _FEW:  # whole-array calls: fewer than a pass down the years for a few columns
        cum_pv = np.cumsum(sav_pv, axis=0)
        no_mask = np.full(m, y - 1)
        return (
            _first_not_negative(np.cumsum(sav, axis=0), no_mask),
            _first_not_negative(cum_pv, no_mask),
            _breakeven(cum_pv, no_mask),
            _sign_changes(sav),
        )
    cum = np.zeros(m)
    cum_pv = np.zeros(m)
    spb = np.full(m, np.nan)
    dpb = np.full(m, np.nan)
    be = np.full(m, np.nan)
    spb_open = np.ones(m, dtype=bool)
    dpb_open = np.ones(m, dtype=bool)
    changes = np.zeros(m, dtype=np.int64)
    last_pos = np.zeros(m, dtype=bool)
    last_neg = np.zeros(m, dtype=bool)
    behind = be_open = prev = ok = x_pos = x_neg = np.zeros(0, dtype=bool)
    for t in range(y):
        x = sav[t]
        np.add(cum, x, out=cum)
        prev = cum_pv.copy() if t else prev
        np.add(cum_pv, sav_pv[t], out=cum_pv)
        ok = np.greater_equal(cum, -_ZERO, out=ok if t else None)
        ok &= spb_open
        np.copyto(spb, t, where=ok)
        spb_open ^= ok
        below = cum_pv < -_ZERO
        ok = np.logical_and(~below, dpb_open, out=ok)
        np.copyto(dpb, t, where=ok)
        dpb_open ^= ok
        if t == 0:  # breakeven: where cumulative discounted savings first change sign
            behind = below
            be_open = below | (cum_pv > _ZERO)
            be[~be_open] = 0.0
        else:
            crossed = np.flatnonzero((below != behind) & be_open)
            if crossed.size:
                before, after = prev[crossed], cum_pv[crossed]
                be[crossed] = (t - 1) + (-before) / (after - before)
                be_open[crossed] = False
        x_pos = np.greater(x, _ZERO, out=x_pos if t else None)
        x_neg = np.less(x, -_ZERO, out=x_neg if t else None)
        changes += (x_pos & last_neg) | (x_neg & last_pos)
        last_pos &= ~x_neg
        last_pos |= x_pos
        last_neg &= ~x_pos
        last_neg |= x_neg
    return spb, dpb, be, changes


def compute_measures(r: BatchResult) -> Measures:
    """All measures of an evaluated batch.

    Comparison measures are computed for the offers that are not their scenario's baseline only:
    their savings against the baseline, year-major, go once down the years for paybacks,
    breakeven and sign changes (:func:`_over_years`), then to the IRR.
    """
    b = r.batch
    o_s = b.offer_scenario
    n_o = b.n_offers
    lcc = r.lifetime_cost
    n_years = b.study_years[o_s]
    rate = b.discount_rate[o_s]
    crf = capital_recovery_factor(b.discount_rate, b.study_years.astype(np.float64))
    eac: FloatArray = lcc * crf[o_s]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = np.where(b.hours[o_s] > 0, eac / b.hours[o_s], np.nan)

    base = b.baseline_offer[o_s]
    is_base = base == np.arange(n_o)
    net = lcc[base] - lcc
    inv = r.category_pv[:, _INVEST].sum(axis=1)
    op = lcc - inv
    added_investment = inv - inv[base]
    op_savings = op[base] - op
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # masked by np.where
        sir = np.where(added_investment > _ZERO, op_savings / added_investment, np.nan)
        airr = np.where(sir >= 0, (1.0 + rate) * np.power(np.abs(sir), 1.0 / n_years) - 1.0, np.nan)

    others = np.flatnonzero(~is_base)
    spb = np.full(n_o, np.nan)
    dpb = np.full(n_o, np.nan)
    be = np.full(n_o, np.nan)
    irr = np.full(n_o, np.nan)
    if others.size:
        basis = _year_major(r.offer_basis)  # (Y, O); the engine's arrays are year-major already
        present = _year_major(r.offer_pv)
        base_o = base[others]
        sav = np.take(basis, base_o, axis=1)
        sav -= np.take(basis, others, axis=1)
        sav_pv = np.take(present, base_o, axis=1)
        sav_pv -= np.take(present, others, axis=1)
        mask = _in_study(n_years[others], sav.shape[0])
        if mask is not None:
            sav *= mask
            sav_pv *= mask
        spb[others], dpb[others], be[others], changes = _over_years(sav, sav_pv)
        irr[others] = _irr_year_major(sav, changes)

    # residual credit earned per unit of year-0 acquisition price
    once0 = (b.line_category == ACQUISITION) & (b.line_every == 0) & (b.line_first == 0)
    a0 = np.bincount(b.line_offer[once0], weights=b.line_amount[once0], minlength=n_o)
    res0 = np.bincount(b.line_offer[once0], weights=r.residual_pv[once0], minlength=n_o)
    with np.errstate(divide="ignore", invalid="ignore"):
        credit_share = np.where(a0 > 0, -res0 / a0, 0.0)
        headroom = np.where(credit_share < 1.0, net / (1.0 - credit_share), np.nan)

    nan = np.where(is_base, np.nan, 0.0)
    return Measures(
        lifetime_cost=lcc,
        equivalent_annual_cost=eac,
        cost_per_operating_hour=per_hour,
        net_savings=net + nan,
        sir=sir + nan,
        airr=airr + nan,
        simple_payback_year=spb,
        discounted_payback_year=dpb,
        breakeven_year=be,
        irr=irr,
        price_headroom=headroom + nan,
        is_baseline=is_base,
    )

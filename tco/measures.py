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
    y, m = ok.shape
    first = np.full(m, np.nan)
    for t in range(y - 1, -1, -1):
        first[ok[t]] = t
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


def _horner(coef: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """f(v) = sum_t coef[t] v^t and f'(v), column by column (coef is year-major, (Y, M))."""
    f = np.zeros(v.shape)
    fp = np.zeros(v.shape)
    for col in range(coef.shape[0] - 1, -1, -1):
        fp *= v
        fp += f
        f *= v
        f += coef[col]
    return f, fp


def _newton_bracketed(
    coef: FloatArray, v: FloatArray, lo: FloatArray, hi: FloatArray, f_lo: FloatArray
) -> FloatArray:
    """The root in each bracket [lo, hi] (a sign change in v) of the year-major polynomial
    columns of ``coef``: Newton steps from v, bisection where a step leaves the bracket."""
    v, lo, hi = v.copy(), lo.copy(), hi.copy()
    active = np.arange(v.size)
    for _ in range(100):
        if not active.size:
            break
        va, la, ha = v[active], lo[active], hi[active]
        fv, dfv = _horner(coef, va)  # coef holds the active columns
        left = np.sign(fv) == np.sign(f_lo[active])
        la = np.where(left, va, la)
        ha = np.where(left, ha, va)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = va - fv / dfv
        bad = ~np.isfinite(newton) | (newton <= la) | (newton >= ha)
        new = np.where(fv == 0, va, np.where(bad, 0.5 * (la + ha), newton))
        v[active], lo[active], hi[active] = new, la, ha
        keep = (np.abs(new - va) > 1e-14 * np.abs(va)) & (fv != 0)
        active = active[keep]
        if active.size < keep.size:
            coef = coef[:, keep]
    return v


# Rates scanned for rows with several sign changes: fine near zero, coarse far out.
_GRID_X = np.unique(
    np.concatenate(
        [
            np.linspace(np.log(0.01), np.log(1e6), 240),
            np.linspace(np.log(0.5), np.log(2.0), 300),
            [0.0],
        ]
    )
)
_GRID_V = np.exp(-_GRID_X)  # v = 1/(1+r), decreasing along the grid
_GRID_ZERO = int(np.flatnonzero(_GRID_X == 0.0)[0])


def _irr_closest_to_zero(f: FloatArray) -> FloatArray:
    """The rate closest to zero where NPV vanishes, for year-major columns (Y, M) with several
    sign changes.

    NPV is scanned on a grid of rates (-99 % to 10^6, 0.23 % steps in log(1+r) between -50 % and
    +100 %); the nearest sign change on each side of r = 0 is refined (bracketed Newton) and the
    one closer to zero wins (numpy_financial.irr's choice among real roots).
    """
    y, m = f.shape
    powers = _GRID_V[None, :] ** np.arange(y)[:, None]  # (Y, G)
    npv = f.T @ powers  # (M, G)
    sgn = np.sign(npv)
    change = (sgn[:, :-1] * sgn[:, 1:] < 0) | (sgn[:, :-1] == 0)
    g = change.shape[1]
    idx = np.arange(g)[None, :]
    right = np.where(change & (idx >= _GRID_ZERO), idx, g).min(axis=1)
    left = np.where(change & (idx < _GRID_ZERO), idx, -1).max(axis=1)
    out = np.full(m, np.nan)
    best = np.full(m, np.inf)
    for k in (left, right):
        ok = (k >= 0) & (k < g)
        if not np.any(ok):
            continue
        rows = np.flatnonzero(ok)
        kk = k[ok]
        exact = sgn[rows, kk] == 0
        lo, hi = _GRID_V[kk + 1], _GRID_V[kk]
        coef = f[:, rows]
        f_lo, _ = _horner(coef, lo)
        v = np.where(exact, hi, _newton_bracketed(coef, 0.5 * (lo + hi), lo, hi, f_lo))
        rate = 1.0 / v - 1.0
        closer = np.abs(rate) < best[rows]
        out[rows[closer]] = rate[closer]
        best[rows[closer]] = np.abs(rate[closer])
    return out


def irr_rows(flows: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Internal rate of return of each row's flows over years 0..N, NaN where none exists.

    Rows whose flows change sign exactly once have a unique IRR (Descartes' rule: one positive
    root of the NPV polynomial in v = 1/(1+r)); it is found by a vectorized Newton iteration in
    v, safeguarded by bisection, for r in (-99 %, 10^6). Rows with several sign changes may have
    several IRRs; like ``numpy_financial.irr`` the one closest to zero is returned
    (:func:`_irr_closest_to_zero`). Rows without a sign change have none. Work is year-major:
    ``flows.T`` of a transposed view costs nothing.
    """
    return _irr_year_major(_year_major(flows), n_years)


def _irr_year_major(f: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    y, m = f.shape
    out = np.full(m, np.nan)
    mask = _in_study(n_years, y)
    if mask is not None:
        f = np.where(mask, f, 0.0)
    changes = np.zeros(m, dtype=np.int64)
    last = np.zeros(m)
    for col in range(y):  # sign changes, zeros skipped: carry the last non-zero sign
        x = f[col]
        s = np.sign(x)
        s[np.abs(x) <= _ZERO] = 0.0
        nz = s != 0
        changes += nz & (last != 0) & (s != last)
        last = np.where(nz, s, last)
    simple = np.flatnonzero(changes == 1)
    if simple.size:
        coef = f[:, simple]
        lo = np.full(simple.size, 1.0 / (1.0 + 1e6))  # v at r = 10^6
        hi = np.full(simple.size, 100.0)  # v at r = -99 %
        f_lo, _ = _horner(coef, lo)
        f_hi, _ = _horner(coef, hi)
        bracketed = np.flatnonzero(np.sign(f_lo) * np.sign(f_hi) < 0)
        if bracketed.size:
            v = _newton_bracketed(
                coef[:, bracketed],
                np.full(bracketed.size, 1.0 / 1.1),
                lo[bracketed],
                hi[bracketed],
                f_lo[bracketed],
            )
            out[simple[bracketed]] = 1.0 / v - 1.0
    several = np.flatnonzero(changes > 1)
    if several.size:
        out[several] = _irr_closest_to_zero(f[:, several])
    return out


def compute_measures(r: BatchResult) -> Measures:
    """All measures of an evaluated batch."""
    b = r.batch
    o_s = b.offer_scenario
    n_o = b.n_offers
    lcc = r.lifetime_cost
    n_years = b.study_years[o_s]
    rate = b.discount_rate[o_s]
    eac: FloatArray = lcc * capital_recovery_factor(rate, n_years.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = np.where(b.hours[o_s] > 0, eac / b.hours[o_s], np.nan)

    base = b.baseline_offer[o_s]
    is_base = base == np.arange(n_o)
    net = lcc[base] - lcc
    inv = r.category_pv[:, _INVEST].sum(axis=1)
    op = lcc - inv
    added_investment = inv - inv[base]
    op_savings = op[base] - op
    with np.errstate(divide="ignore", invalid="ignore"):
        sir = np.where(added_investment > _ZERO, op_savings / added_investment, np.nan)
        airr = np.where(sir >= 0, (1.0 + rate) * np.power(np.abs(sir), 1.0 / n_years) - 1.0, np.nan)

    basis = _year_major(r.offer_basis)  # (Y, O); the engine's arrays are year-major already
    present = _year_major(r.offer_pv)
    savings = np.take(basis, base, axis=1)
    savings -= basis
    savings_pv = np.take(present, base, axis=1)
    savings_pv -= present
    cum = _cumulate(savings)
    cum_pv = _cumulate(savings_pv)
    spb = _first_not_negative(cum, n_years)
    dpb = _first_not_negative(cum_pv, n_years)
    be = _breakeven(cum_pv, n_years)
    others = np.flatnonzero(~is_base)
    irr = np.full(n_o, np.nan)
    if others.size:
        irr[others] = _irr_year_major(np.take(savings, others, axis=1), n_years[others])

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
        simple_payback_year=spb + nan,
        discounted_payback_year=dpb + nan,
        breakeven_year=be + nan,
        irr=irr,
        price_headroom=headroom + nan,
        is_baseline=is_base,
    )

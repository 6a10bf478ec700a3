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
import numpy_financial as npf

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


def first_year_not_negative(cumulative: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Index of the first column >= 0 (within each row's 0..N), NaN when none."""
    y = cumulative.shape[1]
    ok = (cumulative >= -_ZERO) & (np.arange(y)[None, :] <= n_years[:, None])
    first = ok.argmax(axis=1).astype(np.float64)
    first[~ok.any(axis=1)] = np.nan
    return first


def breakeven(cumulative: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Fractional year where cumulative savings first change sign (the cost curves cross).

    Linear interpolation within the year; 0 where the curves start equal; NaN where they never
    cross within the study period.
    """
    m, y = cumulative.shape
    start = cumulative[:, 0]
    behind = start < -_ZERO
    ahead = start > _ZERO
    in_study = np.arange(y)[None, :] <= n_years[:, None]
    in_study[:, 0] = False
    crossed = np.where(behind[:, None], cumulative >= -_ZERO, cumulative < -_ZERO) & in_study
    crossed &= (behind | ahead)[:, None]
    out = np.full(m, np.nan)
    out[~(behind | ahead)] = 0.0
    rows = np.flatnonzero(crossed.any(axis=1))
    k = crossed[rows].argmax(axis=1)
    before, after = cumulative[rows, k - 1], cumulative[rows, k]
    out[rows] = (k - 1) + (-before) / (after - before)
    return out


def _npv_rows(flows: FloatArray, rate: FloatArray) -> tuple[FloatArray, FloatArray]:
    """NPV of each row at its rate and the derivative d NPV / d rate."""
    t = np.arange(flows.shape[1], dtype=np.float64)
    v = np.power(1.0 + rate[:, None], -t[None, :])
    npv = (flows * v).sum(axis=1)
    d = -(flows * t[None, :] * v / (1.0 + rate[:, None])).sum(axis=1)
    return npv, d


def irr_rows(flows: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Internal rate of return of each row's flows over years 0..N, NaN where none exists.

    Rows whose flows change sign exactly once have a unique IRR (Descartes' rule); it is found
    by a vectorized safeguarded Newton iteration. Every other row goes to
    ``numpy_financial.irr`` (the real root closest to zero), so the results equal it.
    """
    m, y = flows.shape
    out = np.full(m, np.nan)
    mask = np.arange(y)[None, :] <= n_years[:, None]
    f = np.where(mask, flows, 0.0)
    sign = np.sign(np.where(np.abs(f) <= _ZERO, 0.0, f))
    changes = np.zeros(m, dtype=np.int64)
    # count sign changes ignoring zeros: carry the last non-zero sign forward
    last = np.zeros(m)
    for col in range(y):
        s = sign[:, col]
        nz = s != 0
        changes += (nz & (last != 0) & (s != last)).astype(np.int64)
        last = np.where(nz, s, last)
    simple = np.flatnonzero(changes == 1)
    if simple.size:
        fs = f[simple]
        lo = np.full(simple.size, -0.99)
        hi = np.full(simple.size, 1e6)
        npv_lo, _ = _npv_rows(fs, lo)
        npv_hi, _ = _npv_rows(fs, hi)
        bracketed = np.sign(npv_lo) != np.sign(npv_hi)
        rate = np.full(simple.size, 0.1)
        for _ in range(100):
            npv, d = _npv_rows(fs, rate)
            same_as_lo = np.sign(npv) == np.sign(npv_lo)
            lo = np.where(same_as_lo, rate, lo)
            hi = np.where(same_as_lo, hi, rate)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = rate - npv / d
            bad = ~np.isfinite(step) | (step <= lo) | (step >= hi)
            new = np.where(bad, 0.5 * (lo + np.minimum(hi, 10.0 * (1.0 + np.abs(lo)))), step)
            if np.all(np.abs(new - rate) <= 1e-13 * (1.0 + np.abs(rate))):
                rate = new
                break
            rate = new
        out[simple[bracketed]] = rate[bracketed]
    for i in np.flatnonzero(changes > 1):
        value = float(npf.irr(f[i, : int(n_years[i]) + 1]))
        out[i] = value if np.isfinite(value) else np.nan
    return out


def compute_measures(r: BatchResult) -> Measures:
    """All measures of an evaluated batch."""
    b = r.batch
    o_s = b.offer_scenario
    n_o = b.n_offers
    lcc = r.lifetime_cost
    n_years = b.study_years[o_s]
    rate = b.discount_rate[o_s]
    eac = lcc * capital_recovery_factor(rate, n_years)
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

    savings = r.offer_basis[base] - r.offer_basis
    savings_pv = r.offer_pv[base] - r.offer_pv
    cum = np.cumsum(savings, axis=1)
    cum_pv = np.cumsum(savings_pv, axis=1)
    spb = first_year_not_negative(cum, n_years)
    dpb = first_year_not_negative(cum_pv, n_years)
    be = breakeven(cum_pv, n_years)
    others = np.flatnonzero(~is_base)
    irr = np.full(n_o, np.nan)
    if others.size:
        irr[others] = irr_rows(savings[others], n_years[others])

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

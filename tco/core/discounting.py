"""Discounting: how a cash flow in year t becomes a present value.

Convention: the present value of an amount A in year t at the discount rate d is
``A / (1+d)^t``. Year 0 is the purchase and is not discounted. Recurring amounts fall at the
end of each year (t) unless the scenario's ``timing`` is ``mid_year``; then recurring amounts and
expected failures are discounted at ``t - 0.5`` (never before year 0), while one-time amounts stay
at t (BLCC's mid-year convention for recurring streams; E3 leaves t = 0 undiscounted).

Excel's ``NPV(r, v1..vn)`` discounts its first value by one period; numpy-financial's
``npv(r, [v0..vn])`` puts ``v0`` at t = 0. ``v0 + NPV(r, v1:vn)`` in a workbook equals this
module's present value. numpy-financial 1.0.0's ``npv`` does not handle 2-D input, so the engine
multiplies by the discount-factor arrays built here.

The equivalent annual cost is the lifetime cost times the capital recovery factor
``d(1+d)^N / ((1+d)^N - 1)``, taken from ``numpy_financial.pmt`` (1/N at d = 0).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import numpy_financial as npf

from tco.core.escalation import compound_by_year

FloatArray = npt.NDArray[np.float64]


def fill_discount_factors(
    rate: FloatArray,
    out: FloatArray,
    out_mid: FloatArray | None = None,
    mid_year: npt.NDArray[np.bool_] | None = None,
) -> None:
    """Discount factors year-major, in place: ``out[t, j] = (1 + rate[j])^-t``.

    ``out_mid`` receives the factors of recurring amounts: ``(1 + rate)^-(t - 0.5)`` for t >= 1
    in the columns where ``mid_year`` is true, the end-of-year factors elsewhere.
    """
    out[0] = 1.0
    out[1:] = 1.0 / (1.0 + rate)
    compound_by_year(out)
    if out_mid is not None:
        half = np.sqrt(1.0 + rate)
        if mid_year is not None:
            half = np.where(mid_year, half, 1.0)
        out_mid[0] = out[0]
        np.multiply(out[1:], half, out=out_mid[1:])


def discount_factors(
    rate: FloatArray | float, n_years: int, *, mid_year: bool | npt.NDArray[np.bool_] = False
) -> FloatArray:
    """Discount factors for years 0..n_years, shape (..., n_years+1), one row per rate.

    With ``mid_year`` the factor of year t >= 1 is taken at t - 0.5 (for recurring amounts).
    """
    rates = np.asarray(rate, dtype=np.float64)
    flat = rates.reshape(-1)
    table = np.empty((n_years + 1, flat.size))
    mid = np.broadcast_to(np.asarray(mid_year, dtype=bool), rates.shape).reshape(-1)
    if mid.any():
        end = np.empty_like(table)
        fill_discount_factors(flat, end, table, mid)
    else:
        fill_discount_factors(flat, table)
    result: FloatArray = np.ascontiguousarray(table.T).reshape(*rates.shape, n_years + 1)
    return result


def capital_recovery_factor(rate: FloatArray | float, n_years: FloatArray | int) -> FloatArray:
    """The capital recovery factor (A/P, d, N) through ``numpy_financial.pmt``."""
    rate = np.asarray(rate, dtype=np.float64)
    tiny = np.abs(rate) < 1e-9  # (1+d)^N - 1 underflows: the limit 1/N holds to 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        pmt = -np.asarray(npf.pmt(np.where(tiny, 0.0, rate), n_years, 1.0), dtype=np.float64)
    result: FloatArray = pmt
    return result

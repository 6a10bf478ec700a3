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

FloatArray = npt.NDArray[np.float64]


def discount_factors(
    rate: FloatArray, n_years: int, *, mid_year: bool | npt.NDArray[np.bool_] = False
) -> FloatArray:
    """Discount factors for years 0..n_years, shape (..., n_years+1), one row per rate.

    With ``mid_year`` the factor of year t >= 1 is taken at t - 0.5 (for recurring amounts).
    """
    rate = np.asarray(rate, dtype=np.float64)
    t = np.arange(n_years + 1, dtype=np.float64)
    shift = np.asarray(mid_year, dtype=np.float64)[..., None] * 0.5
    when = np.maximum(t - shift, 0.0)
    result: FloatArray = np.exp(-np.log1p(rate)[..., None] * when)
    return result


def capital_recovery_factor(rate: FloatArray | float, n_years: FloatArray | int) -> FloatArray:
    """The capital recovery factor (A/P, d, N) through ``numpy_financial.pmt``."""
    rate = np.asarray(rate, dtype=np.float64)
    tiny = np.abs(rate) < 1e-9  # (1+d)^N - 1 underflows: the limit 1/N holds to 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        pmt = -np.asarray(npf.pmt(np.where(tiny, 0.0, rate), n_years, 1.0), dtype=np.float64)
    result: FloatArray = pmt
    return result

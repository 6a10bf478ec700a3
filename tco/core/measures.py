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

import numpy as np
import numpy.typing as npt

from tco.core.engine import Measures
from tco.core.kernel import GRID_V, GRID_ZERO, grid_powers
from tco.core.kernel import irr_rows as kernel_irr_rows

__all__ = ["Measures", "irr_rows"]

FloatArray = npt.NDArray[np.float64]


def irr_rows(flows: FloatArray, n_years: npt.NDArray[np.int64]) -> FloatArray:
    """Internal rate of return of each row's flows over years 0..N, NaN where none exists.

    Rows whose flows change sign exactly once have a unique IRR (Descartes' rule: one positive
    root of the NPV polynomial in v = 1/(1+r)), found by safeguarded Newton steps for r in
    (-99 %, 10^6). Rows with several sign changes may have several IRRs; like
    ``numpy_financial.irr`` the one closest to zero is returned, found on a fine scan of rates
    (:data:`tco.core.kernel.GRID_X`). Rows without a sign change have none. See
    :func:`tco.core.kernel.irr`.
    """
    f = np.ascontiguousarray(flows, dtype=np.float64)
    n = np.ascontiguousarray(n_years, dtype=np.int64)
    out = np.empty(f.shape[0])
    kernel_irr_rows(f, n, GRID_V, grid_powers(f.shape[1]), GRID_ZERO, out)
    return out

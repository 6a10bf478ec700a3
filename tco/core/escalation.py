"""Escalation: how a base-year amount becomes a cash flow in year t.

Convention (docs/scenario.md): ``amount`` is in base-year (year 0) prices. Its cash flow in
year t is ``amount x (1+e_1) x ... x (1+e_t)`` for the line's driver, whose rates are on the
basis of the analysis (``rate_basis``). Escalation compounds annually from year 0, so a line in
year 0 is the amount itself and the first rate applies in year 1 (the HB135/BLCC UPV*
convention, not the textbook geometric gradient that starts from a year-1 amount). A line
without a driver keeps its real value: flat in a real analysis, growing at ``inflation`` in a
nominal one.

Nominal equivalents of a real analysis are ``real x (1+inflation)^t``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


#: Up to this many values side by side, a year-by-year recurrence is one ``accumulate`` call (the
#: same products in the same order); wider tables go year by year, whole rows at a time.
NARROW = 256


def compound_by_year(table: FloatArray) -> None:
    """Compound in place down axis 0 (years): ``table[t] *= table[t-1]`` for t >= 1.

    With ``table[0] = 1`` and ``table[t] = 1 + e_t`` the result is the cumulative escalation
    factor of every column; with ``table[t] = v`` it is ``v^t`` (discount factors). This is the
    one implementation of compounding that the engine, the workbook and the measures share.
    """
    if table[0].size <= NARROW:
        np.multiply.accumulate(table, axis=0, out=table)
    else:
        for t in range(1, table.shape[0]):
            table[t] *= table[t - 1]


def escalation_factors(rates: FloatArray) -> FloatArray:
    """Cumulative escalation factors for years 0..N from per-year rates for years 1..N.

    ``rates`` has shape (..., N); the result has shape (..., N+1) with 1 in year 0 and
    ``prod_{k<=t}(1+rates_k)`` in year t.
    """
    rates = np.asarray(rates, dtype=np.float64)
    lead, n = rates.shape[:-1], rates.shape[-1]
    # compound down the year axis with the rows side by side, then lay rows back
    by_year = np.empty((n + 1, int(np.prod(lead, dtype=np.int64))))
    by_year[0] = 1.0
    np.add(rates.reshape(-1, n).T, 1.0, out=by_year[1:])
    compound_by_year(by_year)
    out: FloatArray = np.ascontiguousarray(by_year.T).reshape(*lead, n + 1)
    return out

"""Field reliability: the quoted failure profile updated with the failures observed in the field.

Failures follow the power-law process of the quote (docs/scenario.md): the expected failures in
``T`` operating hours are ``E = (T / eta)^beta`` (``eta`` the MTBF or characteristic life in
hours, ``beta`` the shape; ``E = T / MTBF`` for shape 1). The field multiplies that intensity by
an unknown factor ``theta`` whose prior is a gamma distribution worth ``a = prior_failures``
failures (default 2) with mean 1: shape ``a``, rate ``a``. After ``n`` failures where ``E`` were
expected, the posterior is gamma with shape ``a + n`` and rate ``a + E`` (conjugate update):

- its mean ``(a + n) / (a + E)`` scales the future expected failures;
- the updated MTBF (or characteristic life) is ``eta x mean^(-1/beta)``; for shape 1 that is
  ``(a x MTBF + T) / (a + n)``, the MTBF of the posterior mean failure rate;
- the 90 % credible interval runs from ``eta x theta_95^(-1/beta)`` to
  ``eta x theta_05^(-1/beta)``, ``theta_q`` the posterior's q-quantile
  (:func:`scipy.stats.gamma.ppf`): the failure rate lies between its 5 % and 95 % quantiles with
  90 % probability, so the MTBF lies between their inverses.

Pooled over several units of one product: ``n``, ``T`` and ``E`` are the sums over the units
(``E`` of each unit from its own hours).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import gamma

from tco.core.errors import Problem, TcoError

DEFAULT_PRIOR_FAILURES = 2.0
CREDIBLE = 0.90


@dataclass(frozen=True, slots=True)
class Reliability:
    """The quoted failure profile updated with field data (see the module docstring).

    ``mtbf_hours`` is the MTBF for shape 1 and the characteristic life (Weibull scale) otherwise,
    like the quote's ``failures.mtbf_hours``.
    """

    prior_mtbf_hours: float
    shape: float
    prior_failures: float
    failures: int
    operating_hours: float
    expected_failures: float
    factor: float
    factor_low: float
    factor_high: float
    mtbf_hours: float
    mtbf_low_hours: float
    mtbf_high_hours: float
    credible: float = CREDIBLE


def expected_failures(hours: float, mtbf_hours: float, shape: float = 1.0) -> float:
    """Expected failures of one unit in its first ``hours`` operating hours: (T / eta)^beta."""
    if hours <= 0:
        return 0.0
    return float((hours / mtbf_hours) ** shape)


def _check(prior_failures: float, credible: float, *problems: Problem | None) -> None:
    found = [p for p in problems if p is not None]
    if not prior_failures > 0:
        found.append(Problem("prior_failures", f"must be above 0, got {prior_failures}"))
    if not 0 < credible < 1:
        found.append(Problem("credible", f"must be between 0 and 1, got {credible}"))
    if found:
        raise TcoError(found)


def update_many(
    mtbf_hours: Sequence[float],
    failures: Sequence[int],
    operating_hours: Sequence[float],
    *,
    shapes: Sequence[float] | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
    expected: Sequence[float] | None = None,
    credible: float = CREDIBLE,
) -> list[Reliability]:
    """:func:`update` of many units at once (one vectorized :func:`scipy.stats.gamma.ppf`)."""
    m = np.asarray(mtbf_hours, dtype=np.float64)
    n = np.asarray(failures, dtype=np.float64)
    t = np.asarray(operating_hours, dtype=np.float64)
    b = np.ones_like(m) if shapes is None else np.asarray(shapes, dtype=np.float64)
    _check(
        prior_failures,
        credible,
        Problem("mtbf_hours", "must be above 0") if np.any(~(m > 0)) else None,
        Problem("failures", "cannot be negative") if np.any((n < 0) | (t < 0)) else None,
    )
    if expected is None:
        e = np.where(t > 0, (np.maximum(t, 0.0) / m) ** b, 0.0)
    else:
        e = np.asarray(expected, dtype=np.float64)
    a_post, rate = prior_failures + n, prior_failures + e
    mean = a_post / rate
    tail = (1 - credible) / 2
    low, high = gamma.ppf([[tail], [1 - tail]], a_post, scale=1 / rate)
    updated, shortest, longest = m * mean ** (-1 / b), m * high ** (-1 / b), m * low ** (-1 / b)
    return [
        Reliability(
            prior_mtbf_hours=float(m[k]),
            shape=float(b[k]),
            prior_failures=prior_failures,
            failures=int(n[k]),
            operating_hours=float(t[k]),
            expected_failures=float(e[k]),
            factor=float(mean[k]),
            factor_low=float(low[k]),
            factor_high=float(high[k]),
            mtbf_hours=float(updated[k]),
            mtbf_low_hours=float(shortest[k]),
            mtbf_high_hours=float(longest[k]),
            credible=credible,
        )
        for k in range(m.size)
    ]


def update(
    mtbf_hours: float,
    failures: int,
    operating_hours: float,
    *,
    shape: float = 1.0,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
    expected: float | None = None,
    credible: float = CREDIBLE,
) -> Reliability:
    """The reliability after ``failures`` failures in ``operating_hours`` hours (one unit, or a
    pool whose ``expected`` failures are given as the sum over its units)."""
    return update_many(
        [mtbf_hours],
        [failures],
        [operating_hours],
        shapes=[shape],
        prior_failures=prior_failures,
        expected=None if expected is None else [expected],
        credible=credible,
    )[0]


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """What one unit contributes to a pool: its failures and operating hours."""

    failures: int
    operating_hours: float


def pooled(
    mtbf_hours: float,
    units: Iterable[UnitRecord],
    *,
    shape: float = 1.0,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> Reliability:
    """The reliability of a product pooled over its installed units (module docstring)."""
    records = list(units)
    n = sum(u.failures for u in records)
    hours = sum(u.operating_hours for u in records)
    e = sum(expected_failures(u.operating_hours, mtbf_hours, shape) for u in records)
    return update(mtbf_hours, n, hours, shape=shape, prior_failures=prior_failures, expected=e)

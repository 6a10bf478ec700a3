"""The compiled evaluation kernel: one pass per scenario over its offers, lines and failure models.

:func:`evaluate_scenarios` evaluates scenarios ``s0..s1`` of a columnar batch (see
:class:`tco.core.engine.Batch`) into preallocated output arrays: cash flows per offer and year
(nominal, present value; those on the analysis basis stay inside the pass), present values
per line, residual value, failure stream and category, and the per-offer comparison measures
against each scenario's baseline (paybacks, breakeven, sign changes of the savings, the IRR).

It is compiled with numba (``nogil``: parts of a large batch run side by side on threads) and
cached on disk, so a process compiles it once per machine. Compilation is deferred: importing
this module does not import numba; the first compiled call does (numba and what it imports take
most of a second, loading the cached code a few tenths more). The very same functions also run
as written, as Python on numpy scalars, inside :func:`interpreted`: a one-shot command pricing
one small scenario is done before numba would have loaded (see
:func:`tco.core.engine.small_batches_interpreted`). Both paths give the same numbers within a few
units in the last place (the compiled passes may reassociate sums and fuse multiply-adds, see
:data:`_FAST`); tests/test_kernel_paths.py holds them to 1e-12 relative.

The conventions are those of :mod:`tco.core.escalation` (escalation compounds from year 0, the
first rate applies in year 1) and :mod:`tco.core.discounting` (``(1+d)^-t``, recurring amounts
and expected failures at ``t - 0.5`` under the mid-year convention), computed in the same order:
per scenario, a table of escalation factors by driver and year, then per cost line the years of
its schedule. :func:`evaluate_copies` evaluates copies of one scenario, each with some inputs
changed, for the uncertainty runs (:mod:`tco.core.simulation`).

Each scenario's numbers depend on that scenario's inputs only, so a batch gives the same numbers
as its scenarios evaluated one by one, whatever the partition.
"""

from __future__ import annotations

import math
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from tco.core.scenario import CATEGORIES, Category

#: numba's options for every function of the kernel (each adds its own, :func:`kernel`).
_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
_FUNCTIONS: dict[str, KernelFunction] = {}
#: numba's dispatchers of the functions, by name, once made (:func:`load`).
_DISPATCHERS: dict[str, Any] = {}
_COMPILE = threading.Lock()
_MODE = threading.local()


class KernelFunction:
    """A function of the kernel (:func:`kernel`): called, it runs compiled by numba, or as
    written, in Python, inside :func:`interpreted` (in this thread). The first compiled call
    makes numba's dispatchers of every kernel function at once (:func:`load`); each compiles,
    or loads from numba's cache, on its own first call."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = {**_JIT, **options}
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func
        self._compiled: Any = None

    def __call__(self, *args: Any) -> Any:
        if getattr(_MODE, "interpreted", False):
            return self.py_func(*args)
        return (self._compiled or self.compiled())(*args)

    def compiled(self) -> Any:
        """numba's dispatcher of the function (:func:`load`), to call without this wrapper."""
        if self._compiled is None:
            self._compiled = load()[self.__name__]
        return self._compiled


def kernel(**options: Any) -> Callable[[Callable[..., Any]], KernelFunction]:
    """Declare a function of the kernel, compiled with numba's ``njit`` and these options (added
    to ``cache``, ``nogil``, ``error_model="numpy"``) when first called compiled."""

    def declare(py_func: Callable[..., Any]) -> KernelFunction:
        found = _FUNCTIONS[py_func.__name__] = KernelFunction(py_func, options)
        return found

    return declare


def load() -> dict[str, Any]:
    """numba's dispatchers of the kernel's functions, made on first use (importing numba).

    Each is made from a copy of its function whose global names see the dispatchers instead of
    the :class:`KernelFunction` objects (the same code, file and qualified name: numba's
    on-disk cache finds it), so compiled functions call, or inline, compiled functions."""
    with _COMPILE:
        found = _DISPATCHERS
        if not found:
            from numba import njit

            names = dict(globals())
            for name, k in _FUNCTIONS.items():
                f = k.py_func
                copy = types.FunctionType(
                    f.__code__, names, f.__name__, f.__defaults__, f.__closure__
                )
                copy.__qualname__, copy.__doc__ = f.__qualname__, f.__doc__
                names[name] = njit(**k.options)(copy)
            found.update((name, names[name]) for name in _FUNCTIONS)
        return found


def loaded() -> bool:
    """Whether this process has made the compiled kernel (and so imported numba)."""
    return bool(_DISPATCHERS)


def interpreting() -> bool:
    """Whether the kernel's functions run as Python in this thread (:func:`interpreted`)."""
    return bool(getattr(_MODE, "interpreted", False))


@contextmanager
def interpreted(on: bool = True) -> Iterator[None]:
    """Within it, in this thread, the kernel's functions run as Python (``on``), or compiled.

    Python follows numba's float semantics except where numba returns inf or NaN and Python
    raises (``math.exp`` overflowing, ``math.log1p(-1)``, a division of Python floats by zero):
    callers fall back to the compiled kernel on :class:`ArithmeticError` and :class:`ValueError`
    (:func:`tco.core.engine.evaluate_batch` does)."""
    before = getattr(_MODE, "interpreted", False)
    _MODE.interpreted = on
    try:
        yield
    finally:
        _MODE.interpreted = before


#: Cumulative savings within this many currency units of zero count as zero (float noise).
ZERO = 1e-6
#: The IRR is sought for rates from -99 % to 10^6 (v = 1/(1+r) from 100 down to 1e-6).
V_HI = 100.0
V_LO = 1.0 / (1.0 + 1e6)
#: Floating-point liberties of the evaluation pass: sums may be reassociated and products
#: contracted into fused multiply-adds (results differ from a strict left-to-right evaluation in
#: the last bits only); NaN and infinities keep their meaning (no "nnan", "ninf"), so overflow is
#: still detected.
_FAST = {"reassoc", "contract", "nsz"}

#: Rows of the measures block the kernel fills, one column per offer.
M_LCC, M_EAC, M_PER_HOUR, M_NET, M_SIR, M_AIRR = 0, 1, 2, 3, 4, 5
M_SPB, M_DPB, M_BE, M_IRR, M_CHANGES, M_HEADROOM = 6, 7, 8, 9, 10, 11
#: M_CHECK: a sum over each offer's numbers (lifetime cost, its equivalent annual cost, its
#: nominal flows): an overflow anywhere in the offer makes it infinite or NaN.
M_CHECK = 12
#: M_BASE: 1 for an offer that is its scenario's baseline, else 0.
M_BASE = 13
#: M_NEG_AGAIN: the first year after the discounted payback in which cumulative discounted
#: savings are negative again; M_RECOVERED: the first year after that in which they are no
#: longer negative (NaN where none).
M_NEG_AGAIN, M_RECOVERED = 14, 15
M_ROWS = 16

_LOG_LO, _LOG_HI = math.log(0.01), math.log(1e6)
#: Rates scanned for the IRR where savings change sign more than once, as log(1+r): fine near
#: zero (0.23 % steps between -50 % and +100 %), coarse far out, r = 0 included.
GRID_X = np.unique(
    np.concatenate(
        [
            np.linspace(_LOG_LO, _LOG_HI, 240),
            np.linspace(math.log(0.5), math.log(2.0), 300),
            [0.0],
        ]
    )
)
#: The grid's discount factors v = 1/(1+r), descending, and the index of r = 0.
GRID_V = np.exp(-GRID_X)
GRID_ZERO = int(np.flatnonzero(GRID_X == 0.0)[0])
_GRID_POWERS: dict[int, npt.NDArray[np.float64]] = {}


def grid_powers(y: int) -> npt.NDArray[np.float64]:
    """(Y, G) table of v^t for the grid's discount factors, years 0..y-1 (cached)."""
    table = _GRID_POWERS.get(y)
    if table is None:
        table = GRID_V[None, :] ** np.arange(y, dtype=np.float64)[:, None]
        _GRID_POWERS[y] = table
    return table


@kernel()
def _npv(f, n, v):
    """NPV of f[0..n] at the discount factor v = 1/(1+r)."""
    total = 0.0
    w = 1.0
    for t in range(n + 1):
        total += f[t] * w
        w *= v
    return total


@kernel()
def _npv_parts(f, n, v):
    """P(v), N(v) (the positive and negative coefficients' polynomials) and v P'(v), v N'(v)."""
    p = 0.0
    m = 0.0
    dp = 0.0
    dm = 0.0
    w = 1.0
    for t in range(n + 1):
        c = f[t]
        if c > 0.0:
            p += c * w
            dp += t * c * w
        elif c < 0.0:
            m -= c * w
            dm -= t * c * w
        w *= v
    return p, m, dp, dm


@kernel()
def _newton(f, n, v, lo, hi, s_lo):
    """The root in the bracket [lo, hi] (a sign change of NPV, ``s_lo`` its sign at lo) of the
    NPV polynomial of f[0..n] in v = 1/(1+r), from v: Newton steps on h = log P - log N in log v
    (both logs convex, nearly linear in log v where one power dominates, so steps converge fast
    wherever the root lies), then, once P and N agree within 1 %, Newton steps on f itself (as
    fast near the root, without logarithms); a step that leaves the bracket is replaced by the
    bracket's geometric midpoint.
    """
    prev = 0.0
    for _ in range(200):
        p, m, dp, dm = _npv_parts(f, n, v)
        fv = p - m
        if fv == 0.0:
            break
        if (fv > 0.0) == s_lo:
            lo = v
        else:
            hi = v
        if abs(fv) <= 0.01 * m:  # near the root: Newton on f itself, no logarithms needed
            new = v - v * fv / (dp - dm)
        else:
            step = math.log1p(fv / m) / (dp / p - dm / m)
            new = v * math.exp(-step)
        bad = not (new >= lo and new <= hi)  # NaN included
        if bad:
            new = math.sqrt(lo * hi)
        d = abs(new - v)
        v_old = v
        v = new
        if d <= 1e-14 * v_old:
            break
        if not bad and d * d * d <= 1e-15 * v_old * prev * prev:
            break  # quadratic convergence: the next step would be below 1e-15
        prev = 0.0 if bad else d
        if hi - lo <= 1e-15 * hi:
            break
    return v


@kernel(inline="always")
def sign_changes(f, n):
    """Sign changes of f[0..n], values within :data:`ZERO` of zero skipped."""
    k = 0
    last = 0
    for t in range(n + 1):
        x = f[t]
        s = 1 if x > ZERO else (-1 if x < -ZERO else 0)
        if s != 0:
            if last != 0 and s != last:
                k += 1
            last = s
    return k


@kernel()
def _irr_one_change(f, n):
    """A single sign change: at most one root in v > 0 (Descartes' rule), sought in the whole
    range (-99 %, 10^6); NaN where NPV keeps its sign over the range."""
    f_lo = _npv(f, n, V_LO)
    f_hi = _npv(f, n, V_HI)
    if f_lo == 0.0:
        return 1.0 / V_LO - 1.0
    if f_hi == 0.0:
        return 1.0 / V_HI - 1.0
    if (f_lo > 0.0) == (f_hi > 0.0):
        return np.nan
    return 1.0 / _newton(f, n, 1.0, V_LO, V_HI, f_lo > 0.0) - 1.0


@kernel(fastmath=_FAST)
def _grid_npv(f, n, grid_pow, npv):
    """NPV of f[0..n] at every rate of the grid (one vector pass per year)."""
    npv[:] = 0.0
    for t in range(n + 1):
        c = f[t]
        if c != 0.0:
            for g in range(npv.size):
                npv[g] += c * grid_pow[t, g]


@kernel()
def _refine(f, n, grid_v, npv, c):
    """The rate of the root in grid cell c (between grid rates c and c+1)."""
    hi = grid_v[c]  # v decreases along the grid
    lo = grid_v[c + 1]
    f_hi = npv[c]
    f_lo = npv[c + 1]
    if f_hi == 0.0:
        return 1.0 / hi - 1.0
    if f_lo == 0.0:
        return 1.0 / lo - 1.0
    start = min(max(lo - f_lo * ((hi - lo) / (f_hi - f_lo)), lo), hi)  # the chord's zero
    return 1.0 / _newton(f, n, start, lo, hi, f_lo > 0.0) - 1.0


@kernel()
def _irr_nearest_zero(f, n, grid_v, grid_pow, zero, npv):
    """Several sign changes, so possibly several roots: like ``numpy_financial.irr``, the one
    closest to zero. NPV is scanned on the grid's rates; the nearest sign change on each side of
    r = 0 (grid index ``zero``) is refined and the one closer to zero wins (the left on a tie);
    NaN where NPV changes sign nowhere on the grid."""
    _grid_npv(f, n, grid_pow, npv)
    best = np.nan
    for c in range(zero - 1, -1, -1):
        if (npv[c] >= 0.0) != (npv[c + 1] >= 0.0):
            best = _refine(f, n, grid_v, npv, c)
            break
    for c in range(zero, npv.size - 1):
        if (npv[c] >= 0.0) != (npv[c + 1] >= 0.0):
            rate = _refine(f, n, grid_v, npv, c)
            if not abs(best) <= abs(rate):  # NaN best included
                best = rate
            break
    return best


@kernel(inline="always")
def irr(f, n, k, grid_v, grid_pow, zero, npv):
    """The IRR of flows f[0..n] with k sign changes, NaN where none exists.

    One sign change: the unique root in (-99 %, 10^6). Several: the root closest to zero found
    on the grid (``grid_v`` the discount factors 1/(1+r) of its rates, descending, ``grid_pow``
    their powers by year, ``zero`` the index of r = 0, ``npv`` a buffer as long as the grid).
    """
    if k == 1:
        return _irr_one_change(f, n)
    if k > 1:
        return _irr_nearest_zero(f, n, grid_v, grid_pow, zero, npv)
    return np.nan


@kernel()
def irr_rows(flows, n_years, grid_v, grid_pow, zero, out):
    """:func:`irr` of each row of ``flows`` (years 0..n_years[i]) into ``out``."""
    npv = np.empty(grid_v.size)
    for i in range(flows.shape[0]):
        f = flows[i]
        n = n_years[i]
        out[i] = irr(f, n, sign_changes(f, n), grid_v, grid_pow, zero, npv)


@kernel()
def _scenario_tables(rates, s, rate, inflation, nominal, mid_year, esc, df0, df1, growth):
    """Scenario s's escalation factors by driver and year (``rates[s, d, k]``: driver d's rate
    in year k+1; driver 0: none, or ``inflation`` in a nominal analysis), discount factors of
    one-time and of recurring amounts, and the growth of nominal equivalents, years 0..Y-1.
    (The batch-wide ``rates`` and an index, not a view: a view of an array that threads share
    would update its reference count atomically, once per scenario.)

    Each product runs down the years in a register, one factor after the other (the order
    of
    :func:`tco.core.escalation.compound_by_year`); compiled without reassociation, so the factors
    are
    exactly those products.
    """
    n_cols = esc.shape[1]
    for d in range(esc.shape[0]):
        acc = 1.0
        esc[d, 0] = 1.0
        if d == 0:
            step = 1.0 + inflation if nominal else 1.0
            for t in range(1, n_cols):
                acc = acc * step
                esc[0, t] = acc
        else:
            for t in range(1, n_cols):
                acc = acc * (1.0 + rates[s, d, t - 1])
                esc[d, t] = acc
    v = 1.0 / (1.0 + rate)
    half = math.sqrt(1.0 + rate) if mid_year else 1.0
    g = 1.0 if nominal else 1.0 + inflation
    f = 1.0
    h = 1.0
    df0[0] = 1.0
    df1[0] = 1.0
    growth[0] = 1.0
    for t in range(1, n_cols):
        f = f * v
        h = h * g
        df0[t] = f
        df1[t] = f * half
        growth[t] = h


# Rows of the batch's packed tables (tco.core.engine.TABLES) the passes read.
_L_CATEGORY, _L_DRIVER, _L_FIRST, _L_EVERY, _L_LAST = 1, 2, 3, 4, 5
_L_AMOUNT, _L_LIFE, _L_FRACTION = 0, 1, 2
_F_REPAIR_DRIVER, _F_DOWNTIME_DRIVER, _F_ORDER_DRIVER = 1, 2, 3
_F_MTBF, _F_SHAPE, _F_REPAIR, _F_DOWNTIME, _F_ORDER = 0, 1, 2, 3, 4
_S_YEARS, _S_BASELINE = 0, 1
_S_RATE, _S_INFLATION, _S_HOURS, _S_DOWNTIME_COST = 0, 1, 2, 3
#: Category indices (tco.core.scenario.CATEGORIES order) the passes book to: compile-time constants.
CAT_REPAIR = CATEGORIES.index(Category.repair)
CAT_DOWNTIME = CATEGORIES.index(Category.downtime)
CAT_TRANSACTION = CATEGORIES.index(Category.transaction)
CAT_END_OF_LIFE = CATEGORIES.index(Category.end_of_life)
CAT_ACQUISITION = CATEGORIES.index(Category.acquisition)


@kernel(fastmath=_FAST, inline="always")
def _lines_pass(o, row, n, line_start, line_i, line_f, esc, df0, df1, basis, lines_out, pv, cat):
    """Every cost line of offer o over the years of its schedule, and its residual credit in
    year n: basis flows into ``basis[row]``, present values into ``pv[o]``, by line and category.
    Returns the offer's year-0 acquisition price and the present value of that price's residual
    credit (for the price headroom)."""
    a0 = 0.0
    r0 = 0.0
    for li in range(line_start[o], line_start[o + 1]):
        a = line_f[_L_AMOUNT, li]
        d = line_i[_L_DRIVER, li]
        e = line_i[_L_EVERY, li]
        first = line_i[_L_FIRST, li]
        p_line = 0.0
        if e == 0:
            x = a * esc[d, first]
            basis[row, first] += x
            p_line = x * df0[first]
            pv[o, first] += p_line
            last_occ = first
        elif e == 1:  # every year: a contiguous loop (unsigned years, see below)
            last_occ = line_i[_L_LAST, li]
            start = np.uint64(first)
            for k in range(np.uint64(max(last_occ - first + 1, 0))):
                tu = start + k
                x = a * esc[d, tu]
                basis[row, tu] += x
                q = x * df1[tu]
                pv[o, tu] += q
                p_line += q
        else:
            # years first, first + e, ... up to the line's last; indexed by unsigned years, so
            # the compiler drops Python's negative-index wrap-around
            last_occ = first + ((line_i[_L_LAST, li] - first) // e) * e
            start = np.uint64(first)
            step = np.uint64(e)
            for k in range(np.uint64(max((last_occ - first) // e + 1, 0))):
                tu = start + k * step
                x = a * esc[d, tu]
                basis[row, tu] += x
                q = x * df1[tu]
                pv[o, tu] += q
                p_line += q
        lines_out[0, li] = p_line
        category = line_i[_L_CATEGORY, li]
        cat[o, category] += p_line
        life = line_f[_L_LIFE, li]
        fraction = line_f[_L_FRACTION, li]
        credit_pv = 0.0
        if life > 0.0 or fraction == fraction:
            share = fraction if fraction == fraction else max(last_occ + life - n, 0.0) / life
            credit = -a * share * esc[d, n]
            credit_pv = credit * df0[n]
            basis[row, n] += credit
            pv[o, n] += credit_pv
            cat[o, CAT_END_OF_LIFE] += credit_pv
        lines_out[1, li] = credit_pv
        if category == CAT_ACQUISITION and e == 0 and first == 0:
            a0 += a
            r0 += credit_pv
    return a0, r0


@kernel(fastmath=_FAST, inline="always")
def _failures_pass(
    fi,
    o,
    row,
    n,
    scale_in,
    downtime_cost,
    fail_i,
    fail_f,
    period_start,
    period_i,
    period_f,
    esc,
    df1,
    dpow,
    basis,
    fails_out,
    pv,
    cat,
):
    """The expected failures of failure model fi (offer o), year by year: repairs, downtime and
    repair orders at the terms of the coverage period covering the year, else the model's own.
    ``scale_in`` is the operating hours a year; ``dpow`` holds t^shape - (t-1)^shape for the
    shape kept in ``dpow[0]``."""
    sh = fail_f[_F_SHAPE, fi]
    if sh != dpow[0]:  # t^shape - (t-1)^shape, shared by models of one shape
        prior = 0.0
        for t in range(1, dpow.size):
            now = math.exp(sh * math.log(t))
            dpow[t] = now - prior
            prior = now
        dpow[0] = sh
    scale = (scale_in / fail_f[_F_MTBF, fi]) ** sh  # (hours / mtbf)^shape
    rd = fail_i[_F_REPAIR_DRIVER, fi]
    dd = fail_i[_F_DOWNTIME_DRIVER, fi]
    od = fail_i[_F_ORDER_DRIVER, fi]
    p0 = period_start[fi]
    p1 = period_start[fi + 1]
    ra0 = fail_f[_F_REPAIR, fi]
    dh0 = fail_f[_F_DOWNTIME, fi]
    oa0 = fail_f[_F_ORDER, fi]
    p_rep = 0.0
    p_dtm = 0.0
    p_odr = 0.0
    for t in range(1, n + 1):
        ra = ra0
        dh = dh0
        oa = oa0
        for p in range(p0, p1):  # the period covering year t, if any
            if period_i[0, p] <= t and t <= period_i[1, p]:
                ra = period_f[0, p]
                dh = period_f[1, p]
                oa = period_f[2, p]
                break
        ef = dpow[t] * scale  # expected failures in year t
        w = ef * df1[t]
        rep = esc[rd, t] * ra
        dtm = esc[dd, t] * (dh * downtime_cost)
        odr = esc[od, t] * oa
        p_rep += rep * w
        p_dtm += dtm * w
        p_odr += odr * w
        x = rep + dtm + odr
        basis[row, t] += x * ef
        pv[o, t] += x * w
    fails_out[0, fi] = p_rep
    fails_out[1, fi] = p_dtm
    fails_out[2, fi] = p_odr
    cat[o, CAT_REPAIR] += p_rep
    cat[o, CAT_DOWNTIME] += p_dtm
    cat[o, CAT_TRANSACTION] += p_odr


@kernel(fastmath=_FAST, inline="always")
def _compare_pass(
    o,
    b,
    o_lo,
    n,
    rate,
    credit_share,
    invest,
    inv_b,
    basis,
    pv,
    cat,
    meas,
    sav,
    grid_v,
    grid_pow,
    grid_zero,
    npv,
):
    """Offer o against the scenario's baseline offer b (not o): net savings, SIR, AIRR, price
    headroom, the paybacks and their reversal, breakeven, sign changes of the savings and their
    IRR. ``credit_share``: the residual credit one more unit of year-0 price earns."""
    nan = np.nan
    lcc_b = meas[M_LCC, b]
    lcc_o = meas[M_LCC, o]
    ns = lcc_b - lcc_o
    meas[M_NET, o] = ns
    inv = 0.0
    for c in range(cat.shape[1]):
        if invest[c]:
            inv += cat[o, c]
    added = inv - inv_b
    op_savings = (lcc_b - inv_b) - (lcc_o - inv)
    ratio = op_savings / added if added > ZERO else nan
    meas[M_SIR, o] = ratio
    meas[M_AIRR, o] = (1.0 + rate) * ratio ** (1.0 / n) - 1.0 if ratio >= 0.0 else nan
    meas[M_HEADROOM, o] = ns / (1.0 - credit_share) if credit_share < 1.0 else nan
    # paybacks only where the offer adds investment (else there is nothing to pay back)
    invests = added > ZERO
    cum = 0.0
    cum_pv = 0.0
    behind = False
    open_be = False
    spb_o = nan
    dpb_o = nan
    be_o = nan
    neg_o = nan
    rec_o = nan
    for t in range(n + 1):
        x = basis[b - o_lo, t] - basis[o - o_lo, t]
        sav[t] = x
        cum += x
        prev = cum_pv
        cum_pv += pv[b, t] - pv[o, t]
        if invests and spb_o != spb_o and cum >= -ZERO:
            spb_o = t
        below = cum_pv < -ZERO
        if invests and dpb_o != dpb_o and not below:
            dpb_o = t
        elif dpb_o == dpb_o and neg_o != neg_o and below:
            neg_o = t
        elif neg_o == neg_o and rec_o != rec_o and not below:
            rec_o = t
        if t == 0:
            behind = below
            open_be = below or cum_pv > ZERO
            if not open_be:
                be_o = 0.0
        elif open_be and below != behind:
            be_o = (t - 1) + (-prev) / (cum_pv - prev)
            open_be = False
    meas[M_SPB, o] = spb_o
    meas[M_DPB, o] = dpb_o
    meas[M_BE, o] = be_o
    meas[M_NEG_AGAIN, o] = neg_o
    meas[M_RECOVERED, o] = rec_o
    k = sign_changes(sav, n)
    meas[M_CHANGES, o] = k
    meas[M_IRR, o] = irr(sav, n, k, grid_v, grid_pow, grid_zero, npv)


@kernel(fastmath=_FAST)
def evaluate_scenarios(
    s0,
    s1,
    scenario_ints,  # (2, S): study years, baseline offer
    scenario_floats,  # (4, S): discount rate, inflation, hours a year, downtime cost per hour
    scenario_flags,  # (2, S): nominal, mid-year
    crf,  # (S,) capital recovery factors
    rates,  # (S, D1, Y-1): rates[s, d, k] is driver d's rate in year k+1
    offer_start,  # (S+1,)
    line_start,  # (O+1,)
    offer_fail,  # (O,) the offer's failure model, -1 for none
    line_ints,  # (7, L) and (3, L): the batch's packed line table (tco.core.engine.TABLES)
    line_floats,
    fail_ints,  # (4, F) and (5, F): failure models
    fail_floats,
    period_start,  # (F+1,), (2, P), (3, P): coverage periods
    period_ints,
    period_floats,
    invest,  # (C,) bool: investment-related categories
    grid_v,  # the IRR's grid of rates where the savings change sign more than once: see irr();
    grid_pow,  # each thread its own copies (passing an array to a function updates its reference
    grid_zero,  # count atomically: threads sharing one would contend for it once per offer)
    lines_out,  # (2, L): present value, and that of the line's residual value (0 where none)
    fails_out,  # (3, F): present values of expected repairs, downtime, repair orders
    flows,  # (2, O, Y): nominal cash flows and their present values
    cat,  # (O, C) present value by category
    meas,  # (M_ROWS, O) the measures, rows M_*
):
    """Evaluate scenarios s0..s1 of a batch (:class:`tco.core.engine.Batch`) into the outputs.

    Per scenario: escalation and discount factors, then per offer the lines pass and the
    failures pass and the offer's totals, then the comparison pass of each offer against the
    baseline.
    """
    nominal_out = flows[0]
    pv = flows[1]
    n_cols = pv.shape[1]
    n_cat = cat.shape[1]
    widest = 1
    for s in range(s0, s1):
        widest = max(widest, offer_start[s + 1] - offer_start[s])
    # cash flows on the analysis basis, one row per offer of the scenario at hand: the
    # comparison needs them, results do not (nominal = basis x growth)
    basis = np.empty((widest, n_cols))
    credit_share = np.empty(widest)
    esc = np.empty((rates.shape[1], n_cols))
    df0 = np.empty(n_cols)
    df1 = np.empty(n_cols)
    growth = np.empty(n_cols)
    sav = np.empty(n_cols)
    dpow = np.zeros(n_cols)
    dpow[0] = np.nan  # the shape dpow holds (none yet)
    npv = np.empty(grid_v.size)
    nan = np.nan
    for s in range(s0, s1):
        n = scenario_ints[_S_YEARS, s]
        rate = scenario_floats[_S_RATE, s]
        hours = scenario_floats[_S_HOURS, s]
        _scenario_tables(
            rates,
            s,
            rate,
            scenario_floats[_S_INFLATION, s],
            scenario_flags[0, s],
            scenario_flags[1, s],
            esc,
            df0,
            df1,
            growth,
        )
        o_lo = offer_start[s]
        o_hi = offer_start[s + 1]
        for o in range(o_lo, o_hi):
            row = o - o_lo
            for t in range(n_cols):
                basis[row, t] = 0.0
                pv[o, t] = 0.0
            for c in range(n_cat):
                cat[o, c] = 0.0
            a0, r0 = _lines_pass(
                o,
                row,
                n,
                line_start,
                line_ints,
                line_floats,
                esc,
                df0,
                df1,
                basis,
                lines_out,
                pv,
                cat,
            )
            fi = offer_fail[o]
            if fi >= 0:
                _failures_pass(
                    fi,
                    o,
                    row,
                    n,
                    hours,
                    scenario_floats[_S_DOWNTIME_COST, s],
                    fail_ints,
                    fail_floats,
                    period_start,
                    period_ints,
                    period_floats,
                    esc,
                    df1,
                    dpow,
                    basis,
                    fails_out,
                    pv,
                    cat,
                )
            nominal_sum = 0.0
            for t in range(n_cols):
                x = basis[row, t] * growth[t]
                nominal_out[o, t] = x
                nominal_sum += x
            total = 0.0
            for c in range(n_cat):
                total += cat[o, c]
            eac = total * crf[s]
            meas[M_LCC, o] = total
            meas[M_EAC, o] = eac
            # finite exactly when every number of the offer is: the lines' and yearly present
            # values add up to the lifetime cost, and infinities and NaN propagate through sums
            meas[M_CHECK, o] = total + eac + nominal_sum
            meas[M_PER_HOUR, o] = eac / hours if hours > 0.0 else nan
            # residual credit earned per unit of year-0 acquisition price, for the headroom
            credit_share[row] = -r0 / a0 if a0 > 0.0 else 0.0
        b = scenario_ints[_S_BASELINE, s]
        inv_b = 0.0
        for c in range(n_cat):
            if invest[c]:
                inv_b += cat[b, c]
        for o in range(o_lo, o_hi):
            meas[M_BASE, o] = 1.0 if o == b else 0.0
            meas[M_CHANGES, o] = 0.0
            for m in (M_SPB, M_DPB, M_BE, M_IRR, M_NEG_AGAIN, M_RECOVERED):
                meas[m, o] = nan
            if o == b:
                for m in (M_NET, M_SIR, M_AIRR, M_HEADROOM):
                    meas[m, o] = nan
                continue
            _compare_pass(
                o,
                b,
                o_lo,
                n,
                rate,
                credit_share[o - o_lo],
                invest,
                inv_b,
                basis,
                pv,
                cat,
                meas,
                sav,
                grid_v,
                grid_pow,
                grid_zero,
                npv,
            )


#: Tables the writes of :func:`evaluate_copies` go to (``writes[1]``).
W_SCENARIO, W_LINE, W_FAIL, W_PERIOD, W_RATES = 0, 1, 2, 3, 4


@kernel()
def _fill_copies(j0, m, values, writes, coef, factor, base, tables):
    """Copies j0..j0+m-1 (rows of ``values``) into the first m copies of the chunk's float
    ``tables`` (scenario, line, failure and period floats, rates): the ``base`` copy's values,
    then each write in order: a factor input multiplies its column by the copy's value, a value
    input sets it to value x ``coef``; a NaN value leaves the column at base."""
    sf, lf, ff, pf, rates = tables
    b_sf, b_lf, b_ff, b_pf, b_rates = base
    n_l = b_lf.shape[1]
    n_f = b_ff.shape[1]
    n_p = b_pf.shape[1]
    for k in range(m):
        for r in range(b_sf.shape[0]):
            sf[r, k] = b_sf[r, 0]
        for r in range(b_lf.shape[0]):
            for c in range(n_l):
                lf[r, k * n_l + c] = b_lf[r, c]
        for r in range(b_ff.shape[0]):
            for c in range(n_f):
                ff[r, k * n_f + c] = b_ff[r, c]
        for r in range(b_pf.shape[0]):
            for c in range(n_p):
                pf[r, k * n_p + c] = b_pf[r, c]
        for d in range(b_rates.shape[1]):
            for c in range(b_rates.shape[2]):
                rates[k, d, c] = b_rates[0, d, c]
    for w in range(writes.shape[1]):
        inp = writes[0, w]
        table = writes[1, w]
        row = writes[2, w]
        col = writes[3, w]
        for k in range(m):
            x = values[j0 + k, inp]
            if x != x:
                continue
            if table == W_RATES:
                rates[k, row, col] = rates[k, row, col] * x if factor[w] else x * coef[w]
                continue
            if table == W_SCENARIO:
                t = sf
                c = k + col
            elif table == W_LINE:
                t = lf
                c = k * n_l + col
            elif table == W_FAIL:
                t = ff
                c = k * n_f + col
            else:
                t = pf
                c = k * n_p + col
            t[row, c] = t[row, c] * x if factor[w] else x * coef[w]


@kernel()
def evaluate_copies(
    c0,
    c1,
    values,  # (R, K): each copy's value of each input (NaN: at base)
    writes,  # (4, W): input, table (W_*), row, column (in one copy) of each write, in order
    coef,  # (W,) the coefficient of a value input's write
    factor,  # (W,) bool: a factor input's write
    base,  # the copy's float tables: scenario, line, failure, period floats, rates
    ints,  # the integer tables of a chunk of copies (tco.core.simulation), see evaluate_scenarios
    tables,  # the chunk's float tables, as base: overwritten
    crf,  # (chunk,) the chunk's capital recovery factors (they affect no lifetime cost)
    invest,
    grid_v,
    grid_pow,
    grid_zero,
    outs,  # the chunk's outputs: lines, failures, flows, categories, measures
    out,  # (R, O): the lifetime costs of each copy's offers
):
    """The lifetime costs of copies c0..c1 of one scenario, each with its row of ``values``
    written in, chunk by chunk: a chunk's tables are filled from the base copy and the writes
    (:func:`_fill_copies`), then evaluated by :func:`evaluate_scenarios` as a batch of one
    scenario per copy. The chunk's tables and outputs are small enough to stay in the cache,
    and every copy gets the numbers it would get in a batch of all copies."""
    (
        scenario_ints,
        scenario_flags,
        offer_start,
        line_start,
        offer_fail,
        line_ints,
        fail_ints,
        period_start,
        period_ints,
    ) = ints
    sf, lf, ff, pf, rates = tables
    lines_out, fails_out, flows, cat, meas = outs
    chunk = scenario_ints.shape[1]
    n_o = out.shape[1]
    for j0 in range(c0, c1, chunk):
        m = min(chunk, c1 - j0)
        _fill_copies(j0, m, values, writes, coef, factor, base, tables)
        evaluate_scenarios(
            0,
            m,
            scenario_ints,
            sf,
            scenario_flags,
            crf,
            rates,
            offer_start,
            line_start,
            offer_fail,
            line_ints,
            lf,
            fail_ints,
            ff,
            period_start,
            period_ints,
            pf,
            invest,
            grid_v,
            grid_pow,
            grid_zero,
            lines_out,
            fails_out,
            flows,
            cat,
            meas,
        )
        for k in range(m):
            for o in range(n_o):
                out[j0 + k, o] = meas[M_LCC, k * n_o + o]

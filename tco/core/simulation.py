"""The uncertainty run: a scenario's draws through the compiled engine, in one batch, and what
they show (docs/scenario.md, "Uncertainty and sensitivity").

:func:`simulate` builds the scenario's batch once (:func:`tco.core.engine.compile_batch`) and
evaluates one copy of it per row of input values: each input's value is written into the
columns of the targets it acts on (a factor multiplies the column, a value replaces it; every
offer of a copy sees the same draw). The copies are never materialised: the compiled kernel
(:func:`tco.core.kernel.evaluate_copies`) fills a chunk of at most :data:`CHUNK_OFFERS` offers
and :data:`CHUNK_LINES` cost lines from the base tables and the writes, evaluates it with the
engine's pass, keeps the lifetime costs and fills the next, so the tables and outputs of a
chunk stay in the processor's cache however many draws there are (the draws themselves take a
few numbers per input and draw). Two batches of copies: first the base case, each input at its
P10 and at its P90 (sensitivity) and each input on a grid from its P0.1 to its P99.9 (where
the net savings change sign, for the switching values), evaluated while a second thread
samples the draws; then the draws, on every core.

What the block reports:

- percentiles of each offer's lifetime cost and of each offer's net savings over the draws,
  numpy's default (linear) ones, and their means;
- ``probability_lowest_cost``: the share of draws in which the offer's lifetime cost is the
  lowest, a draw in which k offers tie for the lowest counting 1/k for each;
- ``probability_saves``: the share of draws in which the offer's net savings are above 0;
- ``sensitivity``: one input at a time at its P10 and at its P90 (its distribution's
  quantiles), every other input at base; sorted by the swing (|at P90 - at P10|) of the net
  savings of the offer with the highest base net savings (the baseline's lifetime cost where
  there is no other offer), largest first, in input order on ties;
- ``switching_values``: per input and offer other than the baseline, the input's value (factor
  or value) at which the offer's net savings are 0, every other input at base, sought between
  the input's P0.1 and P99.9: a grid of :data:`GRID_POINTS` values finds where the net savings
  change sign (from above 0 to 0 or below, or back), the change nearest the base value (factor
  1; a value input's targets' common value, else its median) is refined by the Illinois
  method until the net savings are within :data:`ROOT_TOLERANCE` of the lifetime costs or the
  bracket is as narrow as floating point allows; null where they do not change sign there.

The base case is the scenario as written; its row gives the same numbers as the deterministic
result. Every number of a copy depends on that copy's inputs only, so the block is the same
whatever the engine's partition of the batch over threads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from tco.core.engine import INVEST, N_CATEGORIES, Batch, compile_batch
from tco.core.errors import Problem, ScenarioError
from tco.core.kernel import (
    GRID_V,
    GRID_ZERO,
    M_ROWS,
    W_FAIL,
    W_LINE,
    W_PERIOD,
    W_RATES,
    W_SCENARIO,
    evaluate_copies,
    grid_powers,
)
from tco.core.scenario import Scenario
from tco.core.uncertainty import (
    ESCALATION,
    LINE_FIELD,
    Target,
    UncertainInput,
    Uncertainty,
    base_values,
    quantiles,
    resolve,
    sample,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Reports progress: rows evaluated so far, rows in all.
Progress = Callable[[int, int], None]

#: Offers and cost lines of the copies evaluated together, at most: a chunk's tables and outputs
#: (a few kilobytes per copy) stay in the processor's cache while they are filled and evaluated.
CHUNK_OFFERS = 192
CHUNK_LINES = 1536
#: Offers evaluated between two reports of progress, at most; each run of them is spread over
#: up to ``os.cpu_count()`` threads, in parts of at least MIN_PART_OFFERS offers.
RUN_OFFERS = 32_768
MIN_PART_OFFERS = 1024
_CPUS = os.cpu_count() or 1
#: Values of each input between its P0.1 and P99.9 at which the net savings are evaluated to
#: find where they change sign.
GRID_POINTS = 32
#: A switching value is refined until |net savings| <= ROOT_TOLERANCE x the largest base
#: lifetime cost (or the bracket cannot narrow further).
ROOT_TOLERANCE = 1e-12
MAX_ROOT_STEPS = 100
PERCENTILES = (5.0, 10.0, 50.0, 90.0, 95.0)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Spread(_Out):
    """Mean and percentiles over the draws (numpy's linear percentiles)."""

    mean: float
    p05: float
    p10: float
    p50: float
    p90: float
    p95: float


class OfferRisk(_Out):
    lifetime_cost: Spread
    probability_lowest_cost: float


class ComparisonRisk(_Out):
    net_savings: Spread
    probability_saves: float


class Sensitivity(_Out):
    """One input at its P10 (``low``) and P90 (``high``), every other at base: each offer's
    net savings and lifetime cost at those two values."""

    input: str
    low: float
    high: float
    net_savings: dict[str, tuple[float, float]]
    lifetime_cost: dict[str, tuple[float, float]]


class SwitchingValue(_Out):
    """The input's value at which the offer's net savings are 0 (null: no sign change)."""

    input: str
    offer: str
    value: float | None


class UncertaintyResult(_Out):
    """The ``uncertainty`` block of a result."""

    draws: int
    seed: int
    sampling: str
    offers: dict[str, OfferRisk]
    comparison: dict[str, ComparisonRisk]
    sensitivity: tuple[Sensitivity, ...]
    switching_values: tuple[SwitchingValue, ...]


# --------------------------------------------------------------------------------------------
# Copies of one scenario's batch


@dataclass(frozen=True, slots=True)
class _Write:
    """Where one input writes into a copy: row ``row`` of ``table`` (for ``rates``: the
    driver), the columns ``cols`` of one copy's block (for ``rates``: the years). A value
    input writes ``coef`` x its value; a factor multiplies."""

    input: int
    table: str
    row: int
    cols: IntArray
    coef: FloatArray
    factor: bool


_FLOAT_TABLES = ("scenario_floats", "line_floats", "fail_floats", "period_floats")
_TABLE_CODES = {
    "scenario_floats": W_SCENARIO,
    "line_floats": W_LINE,
    "fail_floats": W_FAIL,
    "period_floats": W_PERIOD,
    "rates": W_RATES,
}


@dataclass(frozen=True, slots=True)
class _Shape:
    """The integer tables of a number of copies (they never change) and the float buffers."""

    ints: dict[str, Any]
    floats: dict[str, FloatArray]
    rates: FloatArray


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One thread's tables and outputs for a chunk of copies (:func:`evaluate_copies`), and its
    own copies of the read-only arrays the kernel passes from function to function (threads
    sharing an array would contend for its reference count)."""

    shared: tuple[Any, ...]  # writes, coefficients, factor flags, the base's float tables
    ints: tuple[npt.NDArray[Any], ...]
    tables: tuple[FloatArray, ...]
    crf: FloatArray
    grid: tuple[FloatArray, FloatArray]
    outs: tuple[FloatArray, ...]


class Replicas:
    """Copies of one scenario's batch, one per row of input values, evaluated by the engine.

    A row holds one number per input (its factor or value); NaN leaves the input at base.
    The copies are evaluated from the scenario's own batch, each one's inputs written in on
    the fly (:func:`tco.core.kernel.evaluate_copies`), in chunks of :attr:`chunk` copies whose
    tables stay in the processor's cache; the copies are not kept. :meth:`batch` materialises
    them as one batch instead (the same numbers, for checks and benchmarks)."""

    def __init__(self, scenario: Scenario, targets: tuple[tuple[Target, ...], ...]) -> None:
        unc = scenario.uncertainty
        assert unc is not None
        self.base = compile_batch([scenario])
        self.n_offers = self.base.n_offers
        self.writes = [
            w
            for i, found in enumerate(targets)
            for w in _writes(self.base, scenario, i, unc.inputs[i], found)
        ]
        # each target once (resolve), so a write's columns are distinct: applying it column
        # by column (evaluate_copies) is applying it to all at once (batch)
        assert all(np.unique(w.cols).size == w.cols.size for w in self.writes)
        lines = max(1, int(self.base.line_offer.size))
        self.chunk = max(1, min(CHUNK_OFFERS // max(1, self.n_offers), CHUNK_LINES // lines))
        self._chunks: list[_Chunk] = []
        self._shapes: dict[int, _Shape] = {}

    def lifetime_costs(self, rows: FloatArray, progress: Progress | None = None) -> FloatArray:
        """(rows, offers) lifetime costs, one copy of the scenario per row of ``rows``.

        The rows are evaluated in runs of at most :data:`RUN_OFFERS` offers (``progress`` hears
        after each), each run's rows split over up to ``os.cpu_count()`` threads in parts of
        at least :data:`MIN_PART_OFFERS` offers."""
        n, n_o = rows.shape[0], self.n_offers
        values = np.ascontiguousarray(rows, dtype=np.float64)
        out = np.empty((n, n_o))
        per_run = max(1, RUN_OFFERS // n_o)
        for r0 in range(0, n, per_run):
            r1 = min(n, r0 + per_run)
            workers = max(1, min(_CPUS, (r1 - r0) * n_o // MIN_PART_OFFERS))
            cuts = [r0 + (r1 - r0) * i // workers for i in range(workers + 1)]
            if workers == 1:
                self._evaluate(0, r0, r1, values, out)
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    for done in [
                        pool.submit(self._evaluate, i, cuts[i], cuts[i + 1], values, out)
                        for i in range(workers)
                    ]:
                        done.result()
            if progress is not None:
                progress(r1, n)
        if not np.isfinite(out).all():
            raise ScenarioError(
                [
                    Problem(
                        "uncertainty",
                        "in some draws the cash flows overflow (not finite numbers): the "
                        "ranges are too wide for this scenario",
                    )
                ]
            )
        return out

    def _evaluate(self, worker: int, r0: int, r1: int, values: FloatArray, out: FloatArray) -> None:
        """Rows r0..r1 into ``out``, with worker ``worker``'s chunk."""
        c = self._chunk(worker)
        evaluate_copies(
            r0,
            r1,
            values,
            *c.shared,
            c.ints,
            c.tables,
            c.crf,
            INVEST,
            *c.grid,
            GRID_ZERO,
            c.outs,
            out,
        )

    def _chunk(self, worker: int) -> _Chunk:
        while len(self._chunks) <= worker:
            self._chunks.append(self._new_chunk())
        return self._chunks[worker]

    def _new_chunk(self) -> _Chunk:
        b, c = self.base, self.chunk
        sh = _replicate(b, c)
        starts = sh.ints["runs"]
        flat = [
            (w.input, _TABLE_CODES[w.table], w.row, col, coef, w.factor)
            for w in self.writes
            for col, coef in zip(w.cols.tolist(), w.coef.tolist(), strict=True)
        ]
        writes = np.array([x[:4] for x in flat], dtype=np.int64).reshape(-1, 4).T.copy()
        n_o, n_l, n_f = c * b.n_offers, c * b.line_offer.size, c * b.fail_offer.size
        y = b.n_years
        return _Chunk(
            shared=(
                writes,
                np.array([x[4] for x in flat], dtype=np.float64),
                np.array([x[5] for x in flat], dtype=np.bool_),
                tuple(getattr(b, name).copy() for name in (*_FLOAT_TABLES, "rates")),
            ),
            ints=(
                sh.ints["scenario_ints"],
                sh.ints["scenario_flags"],
                starts[0],
                starts[1],
                starts[2],
                sh.ints["line_ints"],
                sh.ints["fail_ints"],
                sh.ints["period_start"],
                sh.ints["period_ints"],
            ),
            tables=(*(sh.floats[name] for name in _FLOAT_TABLES), sh.rates),
            crf=np.zeros(c),
            grid=(GRID_V.copy(), grid_powers(y).copy()),
            outs=(
                np.empty((2, n_l)),
                np.empty((3, n_f)),
                np.empty((2, n_o, y)),
                np.empty((n_o, N_CATEGORIES)),
                np.empty((M_ROWS, n_o)),
            ),
        )

    def _view(self, sh: _Shape, w: _Write, c: int) -> FloatArray:
        """The (copies, columns) view of the row a write goes to."""
        if w.table == "rates":
            rates: FloatArray = sh.rates[:, w.row, :]
            return rates
        table = sh.floats[w.table]
        view: FloatArray = table.reshape(table.shape[0], c, -1)[w.row]
        return view

    def _base_view(self, w: _Write) -> FloatArray:
        """The base's values of the row a write goes to (one copy's columns)."""
        if w.table == "rates":
            rates: FloatArray = self.base.rates[0, w.row]
            return rates
        row: FloatArray = getattr(self.base, w.table)[w.row]
        return row

    def batch(self, rows: FloatArray) -> Batch:
        """The batch of one copy per row, materialised: the base's floats, then each input's
        writes (what :meth:`lifetime_costs` evaluates without making it). It holds buffers
        kept for that many rows: the next call for as many rows overwrites it."""
        c = rows.shape[0]
        sh = self._shapes.get(c)
        if sh is None:
            sh = self._shapes[c] = _replicate(self.base, c)
        views = [self._view(sh, w, c) for w in self.writes]
        for w, view in zip(self.writes, views, strict=True):  # the base where a write was
            view[:, w.cols] = self._base_view(w)[w.cols]
        for w, view in zip(self.writes, views, strict=True):
            x = rows[:, w.input]
            at_base = np.isnan(x)
            if w.factor:
                view[:, w.cols] *= np.where(at_base, 1.0, x)[:, None]
            else:
                view[:, w.cols] = np.where(
                    at_base[:, None], view[:, w.cols], x[:, None] * w.coef[None, :]
                )
        floats: dict[str, Any] = sh.floats
        return Batch(rates=sh.rates, **floats, **sh.ints)


def _replicate(b: Batch, c: int) -> _Shape:
    """Integer tables (offsets shifted copy by copy) and float buffers for c copies of the
    one-scenario batch b."""
    n_o, n_l, n_f = b.n_offers, b.line_offer.size, b.fail_offer.size
    n_p = b.period_ints.shape[1]
    d = np.arange(c, dtype=np.int64)

    def tiled(table: npt.NDArray[Any]) -> npt.NDArray[Any]:  # copy k in columns k*w..(k+1)*w
        return np.tile(table, (1, c))

    def starts(first: IntArray, per: int, total: int) -> IntArray:
        return np.append((first[None, :] + (d * per)[:, None]).ravel(), total)

    scenario_ints = tiled(b.scenario_ints)
    scenario_ints[1] += d * n_o
    line_ints = tiled(b.line_ints)
    line_ints[0] += np.repeat(d * n_o, n_l)
    fail_ints = tiled(b.fail_ints)
    fail_ints[0] += np.repeat(d * n_o, n_f)
    offer_fail = np.where(b.offer_fail >= 0, b.offer_fail[None, :] + (d * n_f)[:, None], -1)
    ints: dict[str, Any] = {
        "scenario_ints": scenario_ints,
        "scenario_flags": tiled(b.scenario_flags),
        "offer_scenario": np.repeat(d, n_o),
        "line_ints": line_ints,
        "fail_ints": fail_ints,
        "period_start": starts(b.period_start[:-1], n_p, c * n_p),
        "period_ints": tiled(b.period_ints),
        "runs": (
            np.arange(c + 1, dtype=np.int64) * n_o,
            starts(b.line_start[:-1], n_l, c * n_l),
            offer_fail.ravel(),
        ),
    }
    floats = {name: tiled(getattr(b, name)) for name in _FLOAT_TABLES}
    rates = np.tile(b.rates, (c, 1, 1))
    return _Shape(ints=ints, floats=floats, rates=rates)


def _writes(
    b: Batch, sc: Scenario, i: int, inp: UncertainInput, targets: tuple[Target, ...]
) -> list[_Write]:
    """Where input i writes in a copy of batch b (one copy's columns)."""
    factor = inp.kind == "factor"
    cols: dict[tuple[str, int], list[tuple[int, float]]] = {}

    def add(table: str, row: int, col: int, coef: float = 1.0) -> None:
        cols.setdefault((table, row), []).append((col, coef))

    drivers = sorted(sc.assumptions.escalation)
    n = sc.assumptions.study_period_years
    for t in targets:
        if t.field == LINE_FIELD:
            add("line_floats", 0, int(b.line_start[t.offer]) + t.line)
        elif t.field == ESCALATION:
            for year in range(n):
                add("rates", 1 + drivers.index(t.driver), year)
        elif t.offer < 0:
            row = {
                "assumptions.discount_rate": 0,
                "assumptions.operating_hours_per_year": 2,
                "assumptions.downtime_cost_per_hour": 3,
            }[t.field]
            add("scenario_floats", row, 0)
        else:
            _failure_writes(b, sc, t, add)
    return [
        _Write(
            input=i,
            table=table,
            row=row,
            cols=np.array([c for c, _ in found], dtype=np.int64),
            coef=np.array([k for _, k in found]),
            factor=factor,
        )
        for (table, row), found in cols.items()
    ]


def _failure_writes(b: Batch, sc: Scenario, t: Target, add: Callable[..., None]) -> None:
    """A failure-model field: the model's column, and its coverage periods' where they take
    it from the model (repair cost: every period, at its own covered share; downtime hours:
    the periods that name none)."""
    f = sc.offers[t.offer].failures
    assert f is not None
    fi = int(b.offer_fail[t.offer])
    p0 = int(b.period_start[fi])
    if t.field == "failures.mtbf_hours":
        add("fail_floats", 0, fi)
    elif t.field == "failures.shape":
        add("fail_floats", 1, fi)
    elif t.field == "failures.repair_cost":
        add("fail_floats", 2, fi, 1.0 - f.covered_fraction)
        for k, p in enumerate(f.periods):
            covered, _, _ = f.terms_in(p.from_year)
            add("period_floats", 0, p0 + k, 1.0 - covered)
    else:  # failures.downtime_hours
        add("fail_floats", 3, fi)
        for k, p in enumerate(f.periods):
            if p.downtime_hours is None:
                add("period_floats", 1, p0 + k)


# --------------------------------------------------------------------------------------------
# The run


def simulate(scenario: Scenario, *, progress: Progress | None = None) -> dict[str, Any]:
    """The ``uncertainty`` block of a scenario's result, JSON-ready (exactly
    ``UncertaintyResult.model_dump(mode="json")``). ``progress`` is told the draws evaluated.

    The base case, the sensitivity and the switching values need the inputs' quantiles only:
    they are evaluated while a second thread samples the draws (which depend on the seed
    alone, whichever thread draws them); then the draws."""
    unc = scenario.uncertainty
    if unc is None:
        raise ValueError("the scenario has no uncertainty section")
    targets, problems = resolve(unc, scenario)
    if problems:  # parse_scenario has refused these already
        raise ScenarioError(problems)
    replicas = Replicas(scenario, targets)
    ids = [o.id for o in scenario.offers]
    b = scenario.baseline_index
    others = [o for o in range(len(ids)) if o != b]
    with ThreadPoolExecutor(max_workers=1) as pool:
        drawing = pool.submit(sample, unc)
        one_at_a_time = _one_at_a_time(replicas, scenario, targets, ids, b, others)
        draws = drawing.result()
    for i in np.flatnonzero(~np.isfinite(draws).all(axis=0)).tolist():
        problems.append(
            Problem(f"uncertainty.inputs[{i}]", "its distribution gives numbers too large to use")
        )
    if problems:
        raise ScenarioError(problems)
    lcc = replicas.lifetime_costs(draws, progress)
    return {
        "draws": unc.draws,
        "seed": unc.seed,
        "sampling": unc.sampling,
        **_spreads(lcc, ids, b, others),
        **one_at_a_time,
    }


def _one_at_a_time(
    replicas: Replicas,
    sc: Scenario,
    targets: tuple[tuple[Target, ...], ...],
    ids: list[str],
    b: int,
    others: list[int],
) -> dict[str, Any]:
    """The ``sensitivity`` and ``switching_values`` parts of the block: one batch of the base
    case, each input at its P10 and P90, and each input on its grid; then the roots."""
    unc = sc.uncertainty
    assert unc is not None
    k = len(unc.inputs)
    q10, q90 = quantiles(unc, 0.10), quantiles(unc, 0.90)
    grid = np.linspace(quantiles(unc, 0.001), quantiles(unc, 0.999), GRID_POINTS).T
    rows = np.full((1 + 2 * k + k * GRID_POINTS, k), np.nan)  # row 0: the base case
    for i in range(k):
        rows[1 + 2 * i, i] = q10[i]
        rows[2 + 2 * i, i] = q90[i]
        rows[1 + 2 * k + i * GRID_POINTS : 1 + 2 * k + (i + 1) * GRID_POINTS, i] = grid[i]
    lcc = replicas.lifetime_costs(rows)
    base = lcc[0]
    on_grid = lcc[1 + 2 * k :].reshape(k, GRID_POINTS, -1)
    switching = _switching_values(
        replicas, unc, sc, targets, grid, on_grid[:, :, b, None] - on_grid, base, others
    )
    at_quantiles = lcc[1 : 1 + 2 * k].reshape(k, 2, -1)
    return {
        "sensitivity": _sensitivity(unc, q10, q90, at_quantiles, base, ids, b, others),
        "switching_values": [
            {"input": inp.name, "offer": ids[o], "value": switching[i][o]}
            for i, inp in enumerate(unc.inputs)
            for o in others
        ],
    }


def _spreads(
    lcc: FloatArray, ids: list[str], b: int, others: list[int]
) -> dict[str, dict[str, Any]]:
    """The ``offers`` and ``comparison`` parts of the block from the draws' (draws, offers)
    lifetime costs: means and percentiles of every offer's lifetime cost and of every other
    offer's net savings; the chance each offer costs least (a tie of k offers counts 1/k for
    each) and the chance each saves (net savings above 0)."""
    costs = np.ascontiguousarray(lcc.T)  # one row per offer
    savings = costs[b] - costs[others]
    series = np.concatenate([costs, savings])
    # the same order statistics and interpolation from sorted rows: numpy's sort is several
    # times faster than the partition np.percentile does for ten ranks
    pct = np.percentile(np.sort(series, axis=1), PERCENTILES, axis=1).T.tolist()
    mean = series.mean(axis=1).tolist()
    spread = [
        dict(zip(("mean", "p05", "p10", "p50", "p90", "p95"), [m, *p], strict=True))
        for m, p in zip(mean, pct, strict=True)
    ]
    lowest = costs == np.minimum.reduce(costs, axis=0)
    chance = (lowest / np.count_nonzero(lowest, axis=0)).sum(axis=1) / costs.shape[1]
    saves = np.count_nonzero(savings > 0.0, axis=1) / costs.shape[1]
    n = len(ids)
    return {
        "offers": {
            oid: {"lifetime_cost": spread[o], "probability_lowest_cost": float(chance[o])}
            for o, oid in enumerate(ids)
        },
        "comparison": {
            ids[o]: {"net_savings": spread[n + j], "probability_saves": float(saves[j])}
            for j, o in enumerate(others)
        },
    }


def _sensitivity(
    unc: Uncertainty,
    q10: FloatArray,
    q90: FloatArray,
    lcc: FloatArray,
    base: FloatArray,
    ids: list[str],
    b: int,
    others: list[int],
) -> list[dict[str, Any]]:
    """``lcc``: (inputs, 2, offers) lifetime costs at each input's P10 and P90."""
    ns = lcc[:, :, b, None] - lcc  # net savings, (inputs, 2, offers)
    if others:
        key = max(others, key=lambda o: (base[b] - base[o], -o))
        swing = np.abs(ns[:, 1, key] - ns[:, 0, key])
    else:
        swing = np.abs(lcc[:, 1, b] - lcc[:, 0, b])
    rows = [
        {
            "input": inp.name,
            "low": float(q10[i]),
            "high": float(q90[i]),
            "net_savings": {ids[o]: [float(ns[i, 0, o]), float(ns[i, 1, o])] for o in others},
            "lifetime_cost": {
                oid: [float(lcc[i, 0, o]), float(lcc[i, 1, o])] for o, oid in enumerate(ids)
            },
        }
        for i, inp in enumerate(unc.inputs)
    ]
    order = sorted(range(len(rows)), key=lambda i: -float(swing[i]))
    return [rows[i] for i in order]


def _reference(inp: UncertainInput, targets: tuple[Target, ...], sc: Scenario) -> float | None:
    """The base value of an input: 1 for a factor, its targets' common value for a value
    input (None where they differ)."""
    if inp.kind == "factor":
        return 1.0
    values = {v for t in targets for v in base_values(t, sc)}
    return values.pop() if len(values) == 1 else None


def _switching_values(
    replicas: Replicas,
    unc: Uncertainty,
    sc: Scenario,
    targets: tuple[tuple[Target, ...], ...],
    grid: FloatArray,
    ns_grid: FloatArray,
    base: FloatArray,
    others: list[int],
) -> list[dict[int, float | None]]:
    """Per input, per offer other than the baseline: the switching value or None.

    ``grid`` (inputs, points) holds each input's values from P0.1 to P99.9, ``ns_grid``
    (inputs, points, offers) the net savings there."""
    k = len(unc.inputs)
    out: list[dict[int, float | None]] = [dict.fromkeys(others) for _ in range(k)]
    brackets: list[tuple[int, int, float, float, float, float]] = []
    for i, inp in enumerate(unc.inputs):
        ref = _reference(inp, targets[i], sc)
        if ref is None:
            ref = inp.distribution.quantile(0.5)
        g = grid[i]
        for o in others:
            f = ns_grid[i, :, o]
            cells = np.flatnonzero((f[:-1] > 0.0) != (f[1:] > 0.0))
            if cells.size == 0:
                continue
            gap = np.maximum(np.maximum(g[cells] - ref, ref - g[cells + 1]), 0.0)
            c = int(cells[int(np.argmin(gap))])
            brackets.append((i, o, float(g[c]), float(g[c + 1]), float(f[c]), float(f[c + 1])))
    if brackets:
        tolerance = ROOT_TOLERANCE * float(np.max(np.abs(base)))
        roots = _illinois(replicas, k, brackets, tolerance)
        for (i, o, *_), root in zip(brackets, roots, strict=True):
            out[i][o] = root
    return out


def _illinois(
    replicas: Replicas,
    k: int,
    brackets: list[tuple[int, int, float, float, float, float]],
    tolerance: float,
) -> list[float | None]:
    """Roots of the net savings in each bracket (input, offer, a, b, f(a), f(b)), refined side
    by side: each step evaluates one copy per open bracket, in one batch."""
    inputs = np.array([x[0] for x in brackets])
    offers = np.array([x[1] for x in brackets])
    a, b, fa, fb = (np.array([x[j] for x in brackets]) for j in range(2, 6))
    best = np.where(np.abs(fa) <= np.abs(fb), a, b)
    best_f = np.minimum(np.abs(fa), np.abs(fb))
    last = np.zeros(len(brackets), dtype=np.int64)  # -1: a moved last, +1: b moved last
    open_ = best_f > tolerance
    baseline = replicas.base.baseline_offer[0]
    for _ in range(MAX_ROOT_STEPS):
        open_ &= (b - a) > 4.0 * np.finfo(float).eps * np.maximum(np.abs(a), np.abs(b))
        live = np.flatnonzero(open_)
        if live.size == 0:
            break
        al, bl, fal, fbl = a[live], b[live], fa[live], fb[live]
        c = bl - fbl * (bl - al) / (fbl - fal)
        inside = (c > al) & (c < bl)
        c = np.where(inside, c, 0.5 * (al + bl))
        rows = np.full((live.size, k), np.nan)
        rows[np.arange(live.size), inputs[live]] = c
        lcc = replicas.lifetime_costs(rows)
        fc = lcc[:, baseline] - lcc[np.arange(live.size), offers[live]]
        better = np.abs(fc) < best_f[live]
        best[live] = np.where(better, c, best[live])
        best_f[live] = np.where(better, np.abs(fc), best_f[live])
        like_a = (fc > 0.0) == (fal > 0.0)
        # Illinois: the end kept twice in a row has its value halved
        fb[live] = np.where(like_a & (last[live] == -1), fbl / 2.0, fbl)
        fa[live] = np.where(~like_a & (last[live] == 1), fal / 2.0, fal)
        a[live] = np.where(like_a, c, al)
        fa[live] = np.where(like_a, fc, fa[live])
        b[live] = np.where(like_a, bl, c)
        fb[live] = np.where(like_a, fb[live], fc)
        last[live] = np.where(like_a, -1, 1)
        open_[live] = np.abs(fc) > tolerance
    return [float(x) if math.isfinite(x) else None for x in best]

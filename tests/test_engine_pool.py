"""The output arrays of large batches are reused only when nothing refers to them any more."""

from __future__ import annotations

import gc

import numpy as np

from bench.engine import make_batch
from tco.core import engine
from tco.core.engine import evaluate_batch

N = 20_000  # flows of (2, 20,000, 21) floats: well above the pool's 1 MB threshold


def test_a_result_still_held_is_never_overwritten() -> None:
    first = evaluate_batch(make_batch(N, seed=1))
    kept = first.offer_pv.copy(), first.category_pv.copy(), first.line_pv.copy()
    for seed in (2, 3, 4):  # more calls than the pool keeps arrays per shape
        other = evaluate_batch(make_batch(N, seed=seed))
        assert not np.array_equal(other.offer_pv, kept[0])
    assert np.array_equal(first.offer_pv, kept[0])
    assert np.array_equal(first.category_pv, kept[1])
    assert np.array_equal(first.line_pv, kept[2])


def test_a_view_outliving_its_result_is_never_overwritten() -> None:
    result = evaluate_batch(make_batch(N, seed=5))
    view = result.offer_nominal[:10]
    kept = view.copy()
    del result
    gc.collect()
    for seed in (6, 7, 8):
        evaluate_batch(make_batch(N, seed=seed))
    assert np.array_equal(view, kept)


def test_arrays_are_reused_once_released() -> None:
    batch = make_batch(N, seed=9)
    first = evaluate_batch(batch)
    want = first.offer_pv.copy()
    shape = first.offer_pv.base.shape
    pooled = [id(a) for a in engine._POOL._free[shape]]  # alive in the pool: ids stay theirs
    in_use = id(first.offer_pv.base)
    del first
    gc.collect()
    again = evaluate_batch(batch)
    assert id(again.offer_pv.base) == in_use  # the same array, not a new one
    assert [id(a) for a in engine._POOL._free[shape]] == pooled
    assert np.array_equal(again.offer_pv, want)  # the same numbers in the reused memory


def test_the_pool_forgets_shapes_it_has_not_seen_lately() -> None:
    for n in range(10):  # ten distinct large shapes
        engine._POOL.empty((2, 100_000 + n))
    assert len(engine._POOL._free) == engine._POOL_SHAPES
    assert (2, 100_009) in engine._POOL._free
    assert (2, 100_000) not in engine._POOL._free

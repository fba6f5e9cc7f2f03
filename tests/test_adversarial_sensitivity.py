"""Issue 10 (the class of #3 in `weight_sensitivity`): memory constant in n, absurd n refused in one
line, progress per chunk — and exactly the numbers the rank-array implementation gave (kept below as
the reference)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Sequence
from fractions import Fraction
from operator import mul
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, Engine, WeightSensitivity
from spbe_engine.ranking import competition_ranks
from spbe_engine.uncertainty import sensitivity as sens
from spbe_engine.uncertainty.backend import numpy_or_none
from spbe_engine.uncertainty.rng import base, bits53, np_bits53, quantile
from spbe_engine.uncertainty.sensitivity import RankInterval, weight_sensitivity

from .memory import PEAK_KB

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
HAS_NUMPY = numpy_or_none("auto") is not None
needs_numpy = pytest.mark.skipif(not HAS_NUMPY, reason="needs numpy (the fast extra)")
BACKENDS = ["python", pytest.param("numpy", marks=needs_numpy)]


def peers(k: int, seed: int = 4, twins: int = 0) -> list[Assessment]:
    """k agencies with random levels; the last `twins` repeat the first one's levels (tied ranks)."""
    rnd = random.Random(seed)
    levels = [{i: rnd.randint(1 + a % 4, 5) for i in IDS} for a in range(k - twins)]
    levels += [dict(levels[0]) for _ in range(twins)]
    return [
        Assessment(catalogue="spbe-2020", subject=f"Kab {a}", period="2024", levels=lv) for a, lv in enumerate(levels)
    ]


# -- the reference: weight_sensitivity before issue 10 (commit d025b5c), every rank kept -------------

F = 1 << 16


def reference(results: Sequence[Any], n: int, seed: int, spread: Fraction, backend: str) -> WeightSensitivity:
    cc = results[0].compiled
    p, q = spread.numerator, spread.denominator
    m = len(cc.ids)
    levels = [r.levels for r in results]
    key = base(seed, 1)
    np = numpy_or_none(backend)
    if np is not None and sens._bound(cc.weights, levels, p, q) >= 2**62:
        np = None
    if np is not None:
        ranks = _ref_ranks_numpy(np, cc.weights, levels, n, m, key, p, q)
        per_agency = [sorted(col) for col in ranks.T.tolist()]
    else:
        per: list[list[int]] = [[] for _ in results]
        for s in range(n):
            w = [cc.weights[i] * (F * q + p * (2 * (bits53(key, s * m + i) >> 37) - F + 1)) for i in range(m)]
            nums = [sum(map(mul, w, lv)) for lv in levels]
            for a, rank in enumerate(competition_ranks(nums)):
                per[a].append(rank)
        per_agency = [sorted(x) for x in per]
    official = competition_ranks([r.numerator for r in results])
    rows = tuple(
        RankInterval(
            r.subject,
            r.period,
            official[a],
            quantile(ranks_a, Fraction(5, 100)),
            quantile(ranks_a, Fraction(1, 2)),
            quantile(ranks_a, Fraction(95, 100)),
            Fraction(sum(1 for x in ranks_a if x == 1), n),
        )
        for a, (r, ranks_a) in enumerate(zip(results, per_agency, strict=True))
    )
    return WeightSensitivity(n, seed, spread, "numpy" if np is not None else "python", rows)


def _ref_ranks_numpy(
    np: Any, weights: Any, levels: Any, n: int, m: int, key: int, p: int, q: int, chunk: int = 2048
) -> Any:
    L = np.array(levels, dtype=np.int64)
    W = np.array(weights, dtype=np.int64)
    bound = int(W.max()) * (F * q + p * F) * int(L.max()) * m
    exact_float = bound < 2**53
    out = np.empty((n, len(levels)), dtype=np.int32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        counters = np.arange(start * m, stop * m, dtype=np.uint64).reshape(stop - start, m)
        k = np_bits53(np, key, counters) >> 37
        wp = W * (F * q + p * (2 * k - F + 1))
        nums = (wp.astype(np.float64) @ L.T.astype(np.float64)) if exact_float else wp @ L.T
        order = np.argsort(-nums, axis=1, kind="stable")
        ordered = np.take_along_axis(nums, order, axis=1)
        pos = np.arange(1, nums.shape[1] + 1)
        new = np.ones_like(ordered, dtype=bool)
        new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        tie_ranks = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
        ranks = np.empty_like(tie_ranks)
        np.put_along_axis(ranks, order, tie_ranks, axis=1)
        out[start:stop] = ranks
    return out


CASES = {
    "one agency": (peers(1), Fraction(1, 4)),
    "two agencies": (peers(2, seed=9), Fraction(1, 4)),
    "25 agencies": (peers(25), Fraction(1, 4)),
    "ties, wide spread": (peers(9, seed=2, twins=3), Fraction(99, 100)),
    "no spread": (peers(6), Fraction(0)),
    "spread beyond int64 (python path)": (peers(5, seed=3), Fraction(1, 4) + Fraction(1, 10**40)),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("n", "seed"), [(1, 0), (997, 1), (2049, 2**63 + 5)])
def test_histograms_equal_the_rank_array(backend: str, case: str, n: int, seed: int) -> None:
    """Same seed, n, spread and backend: the same WeightSensitivity as the rank-array implementation,
    at the default chunks and at chunk sizes that do not divide n (boundaries inside the counters),
    and with the sparse count the numpy path uses for more than 2048 agencies."""
    assessments, spread = CASES[case]
    results = ENGINE.score_many(assessments)
    ref = reference(results, n, seed, spread, backend)
    for cells, py_cells, flush, bins in ((1 << 18, 1 << 16, 1 << 20, 1 << 21), (97, 13, 1, 1 << 21), (50, 7, 300, 1)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sens, "_CELLS", cells)
            mp.setattr(sens, "_PY_CELLS", py_cells)
            mp.setattr(sens, "_FLUSH", flush)
            mp.setattr(sens, "_MAX_BINS", bins)
            assert weight_sensitivity(results, n, seed, spread, backend) == ref


@needs_numpy
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**64 - 1),
    n=st.integers(1, 300),
    k=st.integers(1, 12),
    twins=st.integers(0, 3),
    spread=st.fractions(0, Fraction(999, 1000)),
    cells=st.integers(1, 400),
)
def test_backends_agree_at_any_chunking(seed: int, n: int, k: int, twins: int, spread: Fraction, cells: int) -> None:
    results = ENGINE.score_many(peers(k + twins, seed % 1000, twins))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sens, "_CELLS", cells)
        mp.setattr(sens, "_PY_CELLS", max(1, cells // 3))
        mp.setattr(sens, "_FLUSH", cells * 2)
        x = weight_sensitivity(results, n, seed, spread, "numpy")
        y = weight_sensitivity(results, n, seed, spread, "python")
    assert x.intervals == y.intervals == reference(results, n, seed, spread, "python").intervals


# -- the limits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -5, 10**8 + 1, 10**30, 2.5, 1e6, "100", True, None])
def test_absurd_n_is_refused_in_one_line(n: object) -> None:
    with pytest.raises(AssessmentError) as info:
        weight_sensitivity(ENGINE.score_many(peers(2)), n, 1, Fraction(1, 4))  # type: ignore[arg-type]
    text = str(info.value)
    assert "\n" not in text and info.value.field == "n"
    assert repr(n) in text and "(allowed: an integer from 1 to 100000000 (10^8))" in text


def test_n_times_agencies_is_limited_before_any_sample() -> None:
    """25 agencies: at most 4·10^7 samples (10^9 ranks). The old code allocated n × 25 int32 first."""
    assert sens.MAX_RANKS == 10**9
    limit = sens.MAX_RANKS // 25
    with pytest.raises(AssessmentError) as info:
        ENGINE.weight_sensitivity(peers(25), n=limit + 1)
    text = str(info.value)
    assert "\n" not in text and info.value.field == "n"
    assert f"n = {limit + 1}" in text and f"(allowed: an integer from 1 to {limit} for 25 agencies" in text
    assert sens.check_size(limit, 25) == limit and sens.check_size(10**8, 10) == 10**8


def test_no_assessments_still_says_so() -> None:
    with pytest.raises(AssessmentError, match="no assessments"):
        weight_sensitivity([], 10, 1, Fraction(1, 4))


# -- progress --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_is_reported_once_per_chunk(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sens, "_CELLS", 47 * 100)  # numpy: 100 samples of 47 indicators per chunk
    monkeypatch.setattr(sens, "_PY_CELLS", 47 * 100)
    results = ENGINE.score_many(peers(6))
    calls: list[tuple[int, int]] = []
    ws = weight_sensitivity(results, 1050, 1, Fraction(1, 4), backend, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(k, 1050) for k in (*range(100, 1001, 100), 1050)]
    assert ws == weight_sensitivity(results, 1050, 1, Fraction(1, 4), backend)


# -- memory ------------------------------------------------------------------------------------------------

# The child reads its own peak (tests/memory.py says why not ru_maxrss).
CHILD = PEAK_KB + r"""
import json, random, sys
from spbe_engine import Assessment, Engine
engine = Engine(load_entry_points=False)
rnd = random.Random(3)
agencies = [
    Assessment(catalogue="spbe-2020", subject=f"A{a}", period="2024",
               levels={str(i): rnd.randint(1 + a % 4, 5) for i in range(1, 48)})
    for a in range(int(sys.argv[2]))
]
engine.weight_sensitivity(agencies, n=10, seed=1, backend="numpy")  # imports and scoring outside the measurement
ws = engine.weight_sensitivity(agencies, n=int(sys.argv[1]), seed=1, backend="numpy")
print(json.dumps({"peak_kb": peak_kb(), "n": ws.n}))
"""


def _peak_mb(n: int, agencies: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(agencies)], capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["n"] == n
    return int(data["peak_kb"]) / 1024


@needs_numpy
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmHWM from /proc/self/status")
def test_memory_does_not_grow_with_n() -> None:
    """Ten times the samples, the same peak RSS (numpy, 100 agencies). The rank-array implementation
    kept every rank (about 20 bytes each here): 70 MB at n = 10^4, 247 MB at n = 10^5."""
    small, large = _peak_mb(10_000, 100), _peak_mb(100_000, 100)
    assert large - small < 30, f"peak RSS {small:.0f} MB at n=10^4, {large:.0f} MB at n=10^5 (100 agencies)"

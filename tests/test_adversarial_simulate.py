"""Issue 10 #3: `simulate` keeps memory constant in n, refuses absurd n, reports progress — and gives
exactly the numbers the sample-array implementation gave (kept below as the reference)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from bisect import bisect_right
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, Engine, Simulation
from spbe_engine.cli.main import main
from spbe_engine.uncertainty import simulate as sim_module
from spbe_engine.uncertainty.backend import numpy_or_none
from spbe_engine.uncertainty.rng import base, bits53, histogram_quantile, np_bits53, quantile, thresholds
from spbe_engine.uncertainty.simulate import MAX_SAMPLES, check_samples, level_distributions, simulate

from .conftest import ROOT
from .memory import PEAK_KB

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
HAS_NUMPY = numpy_or_none("auto") is not None
needs_numpy = pytest.mark.skipif(not HAS_NUMPY, reason="needs numpy (the fast extra)")


def assess(**extra: Any) -> Assessment:
    return Assessment(catalogue="spbe-2020", subject="Kota Uji", period="2024", levels=dict.fromkeys(IDS, 3), **extra)


def disagreeing(seed: int, k: int = 47) -> Assessment:
    """Stages that disagree on the first k indicators (2–3 distinct values each), as in bench_whatif."""
    rng = random.Random(seed)
    final = {i: rng.randint(1, 5) for i in IDS}
    up = {i: v + 1 if v < 5 else 4 for i, v in final.items() if int(i) <= k}
    down = {i: v - 1 if v > 1 else 2 for i, v in final.items() if int(i) <= k}
    mixed = {i: rng.choice((final[i], up[i], down[i])) for i in up}
    stages = {"self_assessment": up, "internal_verifier": mixed, "external_assessor": down, "final": final}
    return Assessment(catalogue="spbe-2020", subject="Instansi MC", period="2024", levels=final, stages=stages)


CASES = {
    "three coins": assess(
        stages={"self_assessment": {"1": 5, "45": 5}, "external_assessor": {"1": 3, "45": 2}, "target": {"3": 5}},
        distributions={"47": {1: "0.5", 5: "0.5"}},
    ),
    "five levels, thirds": assess(
        distributions={"5": {1: "0.1", 2: "0.2", 3: "0.3", 4: "0.25", 5: "0.15"}},
        stages={"self_assessment": {"9": 1}, "internal_verifier": {"9": 4}, "external_assessor": {"9": 4}},
    ),
    "all 47 disagree": disagreeing(1),
    "nothing uncertain": assess(),
}


def reference(r: Any, n: int, seed: int, backend: str, stream: int = 0) -> tuple[int, ...]:
    """The sorted sample numerators as `simulate` computed them before issue 10 (one array of n
    samples, every sample kept), copied from commit 56b92bb."""
    cc = r.compiled
    drawn = level_distributions(cc, r)
    positions = {pos for pos, _, _ in drawn}
    fixed_by_stage = sum(levels[0] * cc.weights[pos] for pos, levels, _ in drawn if len(levels) == 1)
    uncertain = [d for d in drawn if len(d[1]) > 1]
    fixed = sum(r.levels[k] * cc.weights[k] for k in range(len(cc.ids)) if k not in positions) + fixed_by_stage
    key = base(seed, stream)
    m = len(uncertain)
    np = numpy_or_none(backend)
    if m == 0:
        values = [fixed] * n
    elif np is not None:
        counters = np.arange(n * m, dtype=np.uint64).reshape(n, m)
        u = np_bits53(np, key, counters)
        nums = np.full(n, fixed, dtype=np.int64)
        for j, (pos, levels, probs) in enumerate(uncertain):
            idx = np.searchsorted(np.array(thresholds(probs), dtype=np.int64), u[:, j], side="right")
            nums += np.array(levels, dtype=np.int64)[idx] * cc.weights[pos]
        values = nums.tolist()
    else:
        table = [(cc.weights[pos], levels, thresholds(probs)) for pos, levels, probs in uncertain]
        values = []
        for s in range(n):
            num = fixed
            c = s * m
            for j, (w, levels, th) in enumerate(table):
                num += w * levels[bisect_right(th, bits53(key, c + j))]
            values.append(num)
    return tuple(sorted(values))


def assert_same_as_reference(s: Simulation, ref: tuple[int, ...]) -> None:
    """Every figure the old Simulation derived from its sample array, from the histogram."""
    total, n = s.total, s.n
    assert s.sorted_numerators == ref
    assert s.histogram == tuple(sorted(Counter(ref).items()))
    assert s.mean == Fraction(sum(ref), n * total)
    for q in (Fraction(0), Fraction(1, 1000), Fraction(5, 100), Fraction(1, 2), Fraction(95, 100), Fraction(1)):
        assert histogram_quantile(s.histogram, q) == quantile(ref, q)
    cc = s.result.compiled
    probs = Counter(cc.band(v, total).predikat for v in ref)
    assert s.predikat_probabilities == {b.predikat: Fraction(probs[b.predikat], n) for b in cc.catalogue.bands}


BACKENDS = ["python", pytest.param("numpy", marks=needs_numpy)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("n", "seed", "stream"), [(1, 0, 0), (997, 1, 0), (3000, 2**63 + 5, 7), (4099, 42, 1)])
def test_streamed_counts_equal_the_sample_array(backend: str, case: str, n: int, seed: int, stream: int) -> None:
    """Same seed and n, same numbers as the sample-array implementation — with chunk sizes that do
    not divide n, so chunk boundaries fall inside the counter sequence."""
    r = ENGINE.score(CASES[case])
    ref = reference(r, n, seed, backend, stream)
    for cells, py_chunk in ((1 << 20, 1 << 14), (97, 13)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sim_module, "_CELLS", cells)
            mp.setattr(sim_module, "_PY_CHUNK", py_chunk)
            s = simulate(r, n, seed, backend, stream=stream)
        assert s.backend == backend
        assert_same_as_reference(s, ref)


@needs_numpy
def test_numpy_counts_sparse_numerators_like_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback for numerators spread too wide for a dense count gives the same histogram."""
    r = ENGINE.score(CASES["all 47 disagree"])
    dense = simulate(r, 5000, 3, "numpy")
    monkeypatch.setattr(sim_module, "_MAX_BINS", 10)
    monkeypatch.setattr(sim_module, "_CELLS", 1000)
    assert simulate(r, 5000, 3, "numpy").histogram == dense.histogram == simulate(r, 5000, 3, "python").histogram


@needs_numpy
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), n=st.integers(1, 400), k=st.integers(1, 47), cells=st.integers(1, 300))
def test_backends_agree_at_any_chunking(seed: int, n: int, k: int, cells: int) -> None:
    r = ENGINE.score(disagreeing(seed % 1000, k))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim_module, "_CELLS", cells)
        mp.setattr(sim_module, "_PY_CHUNK", max(1, cells // 7))
        x, y = simulate(r, n, seed, "numpy"), simulate(r, n, seed, "python")
    assert x.histogram == y.histogram and sum(c for _, c in x.histogram) == n


def test_histogram_quantile_is_the_nearest_rank_of_the_expanded_values() -> None:
    rng = random.Random(5)
    for _ in range(200):
        values = sorted(rng.randint(0, 9) for _ in range(rng.randint(1, 40)))
        hist = tuple(sorted(Counter(values).items()))
        for q in (Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(99, 100), Fraction(1), Fraction(rng.random())):
            assert histogram_quantile(hist, q) == quantile(values, q)


def test_the_old_flat_layout_still_constructs_a_simulation() -> None:
    """Simulation(..., sorted numerators, total), as engine.simulate_many builds it from workers."""
    s = ENGINE.simulate(CASES["three coins"], n=300, seed=2)
    old = Simulation(s.result, s.n, s.seed, s.backend, s.uncertain, s.sorted_numerators, s.total)  # type: ignore[arg-type]
    assert old == s and old.quantiles() == s.quantiles()


# -- the limit on n -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -5, MAX_SAMPLES + 1, 10**9, 10**30, 2.5, 1e6, "100", True, None])
def test_absurd_n_is_refused_in_one_line(n: object) -> None:
    with pytest.raises(AssessmentError) as info:
        ENGINE.simulate(CASES["all 47 disagree"], n=n)  # type: ignore[arg-type]
    text = str(info.value)
    assert "\n" not in text and info.value.field == "n"
    assert repr(n) in text and f"(allowed: an integer from 1 to {MAX_SAMPLES} (10^8))" in text


def test_the_limit_admits_its_range() -> None:
    assert MAX_SAMPLES == 10**8
    assert check_samples(1) == 1 and check_samples(MAX_SAMPLES) == MAX_SAMPLES
    if HAS_NUMPY:
        import numpy

        assert check_samples(numpy.int64(7)) == 7


def test_cli_refuses_absurd_n_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    staged = ROOT / "examples" / "stages-kota-contoh.yaml"
    assert main(["simulate", str(staged), "--n", str(10**9)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("spbe: error: ") and "1000000000" in err and f"from 1 to {MAX_SAMPLES}" in err


# -- progress ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_is_reported_once_per_chunk(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim_module, "_CELLS", 47 * 100)  # numpy: 100 samples of 47 indicators per chunk
    monkeypatch.setattr(sim_module, "_PY_CHUNK", 100)
    calls: list[tuple[int, int]] = []
    s = simulate(ENGINE.score(CASES["all 47 disagree"]), 1050, 1, backend, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(k, 1050) for k in (*range(100, 1001, 100), 1050)]
    assert s.histogram == simulate(s.result, 1050, 1, backend).histogram
    calls.clear()
    simulate(ENGINE.score(CASES["nothing uncertain"]), 10, 1, backend, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(10, 10)]


# -- memory -------------------------------------------------------------------------------------------

CHILD = PEAK_KB + r"""
import json, resource, sys
from spbe_engine import Assessment, Engine
engine = Engine(load_entry_points=False)
a = Assessment(catalogue="spbe-2020", subject="Instansi MC", period="2024", **json.loads(sys.argv[2]))
engine.simulate(a, n=10, seed=1, backend="numpy")  # imports and compiles outside the measurement
s = engine.simulate(a, n=int(sys.argv[1]), seed=1, backend="numpy")
print(json.dumps({"peak_kb": peak_kb(), "n": s.n}))
"""


def _peak_mb(n: int) -> float:
    a = disagreeing(7, 10)
    spec = json.dumps({"levels": a.levels, "stages": a.stages})
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), spec], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["n"] == n
    return int(data["peak_kb"]) / 1024


@needs_numpy
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in kB on Linux")
def test_memory_does_not_grow_with_n() -> None:
    """Ten times the samples, the same peak RSS (numpy, 10 uncertain indicators). The sample-array
    implementation took about 300 bytes per sample here: 114 MB at 2·10^5, 657 MB at 2·10^6."""
    small, large = _peak_mb(200_000), _peak_mb(2_000_000)
    assert large - small < 30, f"peak RSS {small:.0f} MB at n=2·10^5, {large:.0f} MB at n=2·10^6"

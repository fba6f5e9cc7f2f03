"""Monte-Carlo and weight sensitivity: seeded, exactly reproducible, numpy and pure Python agree."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, Engine, SpbeError

from .conftest import ROOT

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]


def assess(levels: dict[str, int] | None = None, subject: str = "Kota Uji", **extra: object) -> Assessment:
    lv = dict.fromkeys(IDS, 3) | (levels or {})
    return Assessment(catalogue="spbe-2020", subject=subject, period="2024", levels=lv, **extra)


STAGED = assess(
    stages={
        "self_assessment": {"1": 5, "2": 4, "45": 5},
        "external_assessor": {"1": 3, "2": 4, "45": 2},
        "target": {"3": 5},
    },
    distributions={"47": {1: "0.5", 5: "0.5"}},
)


def test_simulate_reproducible_and_backends_agree() -> None:
    a = ENGINE.simulate(STAGED, n=5000, seed=11, backend="numpy")
    b = ENGINE.simulate(STAGED, n=5000, seed=11, backend="python")
    c = ENGINE.simulate(STAGED, n=5000, seed=11)
    assert a.sorted_numerators == b.sorted_numerators == c.sorted_numerators
    assert a.backend == "numpy" and b.backend == "python"
    assert a.uncertain == ("1", "45", "47")  # 2 agrees across stages; the target stage is not evidence
    assert ENGINE.simulate(STAGED, n=5000, seed=12).sorted_numerators != a.sorted_numerators


def test_simulate_distribution_is_right() -> None:
    s = ENGINE.simulate(STAGED, n=20000, seed=3)
    base = ENGINE.score(
        STAGED.model_copy(update={"levels": STAGED.levels | {"1": 3, "2": 4, "45": 2, "47": 1}})
    ).numerator
    values = set(s.sorted_numerators)
    expected = {base + d1 + d45 + d47 for d1 in (0, 260) for d45 in (0, 900) for d47 in (0, 1200)}
    assert values == expected
    # each of the three indicators is a fair coin: the mean is the midpoint
    mid = Fraction(base + 130 + 450 + 600, 10000)
    assert abs(s.mean - mid) < Fraction(3, 1000)
    probs = s.predikat_probabilities
    assert sum(probs.values()) == 1 and list(probs) == ["Memuaskan", "Sangat Baik", "Baik", "Cukup", "Kurang"]
    q = s.quantiles()
    assert q["0.05"] <= q["0.5"] <= q["0.95"]


def test_simulate_without_uncertainty_is_the_point_score() -> None:
    s = ENGINE.simulate(assess(), n=10, seed=1)
    assert s.uncertain == () and set(s.sorted_numerators) == {30000} and s.predikat_probabilities["Baik"] == 1


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    n=st.integers(1, 300),
    cuts=st.lists(st.integers(0, 8), min_size=4, max_size=4).map(sorted),
    stage_values=st.lists(st.integers(1, 5), min_size=2, max_size=4),
)
def test_backends_agree_property(seed: int, n: int, cuts: list[int], stage_values: list[int]) -> None:
    bounds = [0, *cuts, 8]
    eighths = [b - a for a, b in itertools.pairwise(bounds)]  # five parts summing to 8
    dist = {lv: f"{k / 8}" for lv, k in zip(range(1, 6), eighths, strict=True) if k}
    stages = {
        name: {"9": v}
        for name, v in zip(
            ("self_assessment", "internal_verifier", "external_assessor", "final"), stage_values, strict=False
        )
    }
    a = assess(distributions={"5": dist}, stages=stages)
    x = ENGINE.simulate(a, n=n, seed=seed, backend="numpy")
    y = ENGINE.simulate(a, n=n, seed=seed, backend="python")
    assert x.sorted_numerators == y.sorted_numerators


def test_bad_uncertainty_input() -> None:
    with pytest.raises(AssessmentError, match=r"indicator 5 may take level 6.*allowed: 1–5"):
        ENGINE.simulate(assess(distributions={"5": {5: "0.5", 6: "0.5"}}), n=10)
    with pytest.raises(SpbeError, match="sum to exactly 1"):
        assess(distributions={"5": {4: "0.5", 5: "0.4"}})
    with pytest.raises(SpbeError, match="unknown backend 'gpu'"):
        ENGINE.simulate(assess(), n=10, backend="gpu")
    with pytest.raises(AssessmentError, match="n must be at least 1"):
        ENGINE.simulate(assess(), n=0)


def _peers(k: int, seed: int = 4) -> list[Assessment]:
    rnd = random.Random(seed)
    return [assess({i: rnd.randint(1, 5) for i in IDS}, subject=f"Kab {n}") for n in range(k)]


def test_weight_sensitivity_backends_agree_and_bracket_the_official_rank() -> None:
    peers = _peers(25)
    x = ENGINE.weight_sensitivity(peers, n=400, seed=5, backend="numpy")
    y = ENGINE.weight_sensitivity(peers, n=400, seed=5, backend="python")
    assert x.intervals == y.intervals
    for row in x.intervals:
        assert 1 <= row.p5 <= row.median <= row.p95 <= 25
    assert sum(r.p_first for r in x.intervals) >= 1  # ties can share first place
    zero = ENGINE.weight_sensitivity(peers, n=50, seed=5, spread="0")
    assert all(r.p5 == r.p95 == r.official_rank for r in zero.intervals)


def test_weight_sensitivity_bad_input() -> None:
    with pytest.raises(SpbeError, match="spread 1 must be at least 0 and below 1"):
        ENGINE.weight_sensitivity(_peers(3), n=10, spread="1")
    with pytest.raises(AssessmentError, match="no assessments"):
        ENGINE.weight_sensitivity([], n=10)


def test_core_works_without_optional_packages() -> None:
    """Block numpy, pandas and matplotlib: scoring, planning and the pure-Python paths still work."""
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('numpy', 'pandas', 'matplotlib', 'openpyxl', 'rich'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
from spbe_engine import Engine, load_assessments, SpbeError
e = Engine(load_entry_points=False)
(a,) = load_assessments({str(ROOT / "examples" / "stages-kota-contoh.yaml")!r}, engine=e)
print(e.score(a).display, e.plan(a, 'Sangat Baik').feasible, e.simulate(a, n=200, seed=1).backend)
try:
    e.simulate(a, n=10, backend='numpy')
except SpbeError as exc:
    print('numpy:', exc)
try:
    e.what_if(a, levels={{'1': 5}}).to_frame()
except SpbeError as exc:
    print('pandas:', exc)
import tempfile
from spbe_engine.reports.write import write_report
city = {str(ROOT / "examples" / "kota-contoh")!r}
items = load_assessments(city + '/2025.yaml', engine=e)
written = write_report(e, items, owners=city + '/owners.yaml', out_dir=tempfile.mkdtemp())
print('report:', sorted(k for k, v in written.items() if not isinstance(v, str)), written['xlsx'])
assert 'numpy' not in sys.modules and 'pandas' not in sys.modules
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0].endswith("True python")
    assert lines[1] == "numpy: backend 'numpy' needs numpy: pip install 'spbe_engine[fast]'"
    assert lines[2] == "pandas: this needs pandas: pip install 'spbe_engine[pandas]'"
    assert lines[3] == "report: ['html', 'md'] skipped: this needs openpyxl: pip install 'spbe_engine[excel]'"


def test_agreeing_stages_replace_the_declared_level() -> None:
    a = assess({"7": 2}, stages={"self_assessment": {"7": 4}, "external_assessor": {"7": 4}})
    s = ENGINE.simulate(a, n=5, seed=1)
    assert s.uncertain == () and set(s.sorted_numerators) == {30000 + 130}  # 7 at 4, not the declared 2

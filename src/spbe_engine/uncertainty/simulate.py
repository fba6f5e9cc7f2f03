"""Monte-Carlo of one assessment: the distribution of the index and the probability of each predikat
when the levels are uncertain — from disagreeing stage values or explicit level distributions.

Samples are drawn in chunks and only counted: the index is an integer numerator over the
catalogue's total and takes few distinct values, so a histogram of numerators gives the exact mean,
quantiles and predikat probabilities in memory that does not grow with n."""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError
from ..exact import display, exact_text, to_decimal
from ..i18n import tr
from ..results import Cell, Result, in_language, shown
from ..tabular import require
from .backend import numpy_or_none
from .rng import base, bits53, histogram_quantile, np_bits53, thresholds

if TYPE_CHECKING:
    from ..scoring.compiled import CompiledCatalogue
    from ..scoring.result import ScoreResult

__all__ = ["MAX_SAMPLES", "Progress", "Simulation", "check_samples", "simulate"]

STAGE_SOURCES = ("self_assessment", "internal_verifier", "external_assessor", "final")

MAX_SAMPLES = 100_000_000
"""The largest n `simulate` accepts. At 10^8 the standard error of a predikat probability is at
most 0.5/√n = 0.00005, below the 4 decimals it is shown with, so more samples change nothing a
reader sees; and 10^8 samples of all 47 indicators take about a minute with numpy, most of an hour
in pure Python (benchmarks/bench_memory_simulate.py)."""

Progress = Callable[[int, int], None]
"""A progress callback: called with (samples done, n) after each chunk."""

_CELLS = 1 << 20  # numpy: draws per chunk (8 MB per int64 array, a few alive at once)
_PY_CHUNK = 1 << 14  # pure Python: samples between progress calls
_MAX_BINS = 1 << 22  # numpy: count with a dense bincount when the numerators span at most this many values


def check_samples(n: object) -> int:
    """n as an int in 1..MAX_SAMPLES, or a one-line AssessmentError naming it and the range."""
    try:
        k = operator.index(n)  # type: ignore[arg-type]
    except TypeError:
        k = None
    if k is None or isinstance(n, bool):
        problem = f"n must be a whole number, got {n!r}"
    elif k < 1:
        problem = f"n must be at least 1, got {k}"
    elif k > MAX_SAMPLES:
        problem = f"too many samples: n = {k}"
    else:
        return k
    raise AssessmentError(
        problem, field="n", allowed=tr("an integer from 1 to {MAX_SAMPLES} (10^8)", MAX_SAMPLES=MAX_SAMPLES)
    )


def _histogram(values: Iterable[int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(Counter(values).items()))


@dataclass(frozen=True)
class Simulation(Result):
    """The simulated index distribution of one assessment: `histogram` holds (numerator, count)
    pairs in ascending order, the index being numerator/`total`, and the counts sum to `n`."""

    result: ScoreResult
    n: int
    seed: int
    backend: str
    uncertain: tuple[str, ...]
    histogram: tuple[tuple[int, int], ...]
    total: int

    def __post_init__(self) -> None:
        hist: Sequence[Any] = self.histogram
        if hist and not isinstance(hist[0], tuple):  # a flat tuple of sampled numerators (the old layout)
            object.__setattr__(self, "histogram", _histogram(hist))

    @property
    def sorted_numerators(self) -> tuple[int, ...]:
        """Every sampled numerator, ascending. It takes memory in proportion to n: use
        `histogram` for anything but small n."""
        return tuple(v for v, k in self.histogram for _ in range(k))

    @property
    def mean(self) -> Fraction:
        return Fraction(sum(v * k for v, k in self.histogram), self.n * self.total)

    def quantiles(self, qs: tuple[str | Decimal | Fraction, ...] = ("0.05", "0.5", "0.95")) -> dict[str, Decimal]:
        """Nearest-rank quantiles of the index, exact."""
        out = {}
        for q in qs:
            f = Fraction(Decimal(q)) if isinstance(q, str) else Fraction(q)
            out[str(q)] = to_decimal(histogram_quantile(self.histogram, f), self.total)
        return out

    @property
    def predikat_probabilities(self) -> dict[str, Fraction]:
        """P(predikat) for every band, highest first (bands never reached have probability 0)."""
        cc = self.result.compiled
        probs: Counter[str] = Counter()
        for v, k in self.histogram:  # band each distinct value once
            probs[cc.band(v, self.total).predikat] += k
        return {b.predikat: Fraction(probs[b.predikat], self.n) for b in cc.catalogue.bands}

    headers = ("predikat", "probability")

    def rows(self) -> list[list[Cell]]:
        """Every band, highest first, with its probability (4 decimals)."""
        return [[p, display(f.numerator, f.denominator, 4)] for p, f in self.predikat_probabilities.items()]

    def summary(self, lang: str | None = None) -> str:
        """`Kota (2024): 100000 samples, seed 1, 3 uncertain indicator(s); mean 3.62, 5–50–95%: 3.50 / 3.62 /
        3.74` in `lang` (default: the current language)."""
        with in_language(lang):
            q = " / ".join(
                shown(Fraction(histogram_quantile(self.histogram, Fraction(k, 100)), self.total)) for k in (5, 50, 95)
            )
            return tr(
                "{subject} ({period}): {n} samples, seed {seed}, {uncertain} uncertain indicator(s); mean {mean}, "
                "5–50–95%: {quantiles}",
                subject=self.result.subject,
                period=self.result.period,
                n=self.n,
                seed=self.seed,
                uncertain=len(self.uncertain),
                mean=shown(self.mean),
                quantiles=q,
            )

    def to_dict(self) -> dict[str, Any]:
        """The samples drawn (n, seed, backend), the uncertain indicators, the exact mean, the 5, 50
        and 95 % quantiles and the exact probability of every predikat."""
        return {
            "subject": self.result.subject,
            "period": self.result.period,
            "n": self.n,
            "seed": self.seed,
            "backend": self.backend,
            "uncertain": list(self.uncertain),
            "mean": exact_text(self.mean),
            "quantiles": {
                q: exact_text(Fraction(histogram_quantile(self.histogram, Fraction(q)), self.total))
                for q in ("0.05", "0.5", "0.95")
            },
            "predikat_probabilities": {k: exact_text(v) for k, v in self.predikat_probabilities.items()},
        }

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of the predikat probabilities (matplotlib, the `plot` extra)."""
        plt = require("matplotlib.pyplot", "plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        probs = self.predikat_probabilities
        ax.bar(list(probs), [float(p) for p in probs.values()])
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
        ax.set_title(self.summary(), fontsize=8)
        return ax


def level_distributions(cc: CompiledCatalogue, r: ScoreResult) -> list[tuple[int, list[int], list[Fraction]]]:
    """Per indicator position with stage values or a distribution: (position, levels, probabilities).
    Stage values replace the declared level even when they all agree (then with probability 1)."""
    a = r.assessment
    out = []
    for n, iid in enumerate(cc.ids):
        dist: dict[int, Fraction] = {}
        if iid in a.distributions:
            dist = {lv: Fraction(p) for lv, p in sorted(a.distributions[iid].items()) if p}
        else:
            values = [a.stages[s][iid] for s in STAGE_SOURCES if s in a.stages and iid in a.stages[s]]
            if values:
                counts = Counter(values)
                dist = {lv: Fraction(k, len(values)) for lv, k in sorted(counts.items())}
        for lv in dist:
            if not cc.lo[n] <= lv <= cc.hi[n]:
                raise AssessmentError(
                    tr(
                        "assessment {subject!r}: indicator {iid} may take level {lv}", subject=a.subject, iid=iid, lv=lv
                    ),
                    field=f"distributions.{iid}",
                    allowed=f"{cc.lo[n]}–{cc.hi[n]}",
                )
        if dist:
            out.append((n, list(dist), list(dist.values())))
    return out


def simulate(
    r: ScoreResult, n: int, seed: int, backend: str = "auto", stream: int = 0, progress: Progress | None = None
) -> Simulation:
    """Draw n samples in chunks and count their numerators. Sample s uses counters s·m … s·m + m − 1
    of (seed, stream), whatever the chunk size or backend, so the result is the same for both."""
    n = check_samples(n)
    cc = r.compiled
    drawn = level_distributions(cc, r)
    positions = {pos for pos, _, _ in drawn}
    fixed_by_stage = sum(levels[0] * cc.weights[pos] for pos, levels, _ in drawn if len(levels) == 1)
    uncertain = [d for d in drawn if len(d[1]) > 1]
    fixed = sum(r.levels[k] * cc.weights[k] for k in range(len(cc.ids)) if k not in positions) + fixed_by_stage
    key = base(seed, stream)  # stream: an agency's own sequence in a batch (0 for a single simulation)
    # per uncertain indicator: what each level adds to the numerator, and the draw thresholds
    table = [([lv * cc.weights[pos] for lv in levels], thresholds(probs)) for pos, levels, probs in uncertain]
    np = numpy_or_none(backend)
    if np is not None and sum(max(adds) - min(adds) for adds, _ in table) >= 1 << 62:
        np = None  # sums beyond int64 (huge integer-scaled weights): the exact Python path, same numbers
    if not table:
        counts: dict[int, int] = {fixed: n}
        if progress is not None:
            progress(n, n)
    elif np is not None:
        counts = _count_numpy(np, key, fixed, table, n, progress)
    else:
        counts = _count_python(key, fixed, table, n, progress)
    return Simulation(
        r,
        n,
        seed,
        "numpy" if np is not None else "python",
        tuple(cc.ids[p] for p, _, _ in uncertain),
        tuple(sorted(counts.items())),
        cc.total,
    )


def _count_python(
    key: int, fixed: int, table: list[tuple[list[int], list[int]]], n: int, progress: Progress | None
) -> dict[int, int]:
    m = len(table)
    counts: dict[int, int] = {}
    get = counts.get
    for start in range(0, n, _PY_CHUNK):
        stop = min(start + _PY_CHUNK, n)
        for c in range(start * m, stop * m, m):
            num = fixed
            for j, (adds, th) in enumerate(table):
                num += adds[bisect_right(th, bits53(key, c + j))]
            counts[num] = get(num, 0) + 1
        if progress is not None:
            progress(stop, n)
    return counts


def _count_numpy(
    np: Any, key: int, fixed: int, table: list[tuple[list[int], list[int]]], n: int, progress: Progress | None
) -> dict[int, int]:
    m = len(table)
    rows = max(1, _CELLS // m)
    low = fixed + sum(adds[0] for adds, _ in table)  # levels ascend, so adds[0] is each column's least
    span = fixed + sum(max(adds) for adds, _ in table) - low + 1
    # bisect_right(th, u) is the number of thresholds at or below u, so the level's addition is
    # adds[0] plus one step per threshold passed (the last threshold, 2**53, is never passed)
    steps = [[(th[k], adds[k + 1] - adds[k]) for k in range(len(adds) - 1)] for adds, th in table]
    column = np.arange(m, dtype=np.uint64)[:, None]
    dense = np.zeros(span, dtype=np.int64) if span <= _MAX_BINS else None
    sparse: Counter[int] = Counter()
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        # counters of sample s are s·m + j: one row per indicator j, so each row is contiguous
        u = np_bits53(np, key, np.arange(start * m, stop * m, m, dtype=np.uint64)[None, :] + column)
        nums = np.zeros(stop - start, dtype=np.int64)
        for j, col in enumerate(steps):
            for th, step in col:
                nums += (u[j] >= th) * step
        del u
        if dense is not None:
            dense += np.bincount(nums, minlength=span)
        else:
            values, k = np.unique(nums, return_counts=True)
            sparse.update(dict(zip(values.tolist(), k.tolist(), strict=True)))
        if progress is not None:
            progress(stop, n)
    if dense is not None:
        (hit,) = np.nonzero(dense)
        return {low + int(v): int(k) for v, k in zip(hit.tolist(), dense[hit].tolist(), strict=True)}
    return {low + v: k for v, k in sparse.items()}

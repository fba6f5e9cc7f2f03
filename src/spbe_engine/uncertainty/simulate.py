"""Monte-Carlo of one assessment: the distribution of the index and the probability of each predikat
when the levels are uncertain — from disagreeing stage values or explicit level distributions."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError
from ..notebook import html_table, require, to_frame
from ..scoring.numbers import display, to_decimal
from .backend import numpy_or_none
from .rng import base, bits53, np_bits53, quantile, thresholds

if TYPE_CHECKING:
    from ..scoring.compiled import CompiledCatalogue
    from ..scoring.result import ScoreResult

__all__ = ["Simulation", "simulate"]

STAGE_SOURCES = ("self_assessment", "internal_verifier", "external_assessor", "final")


@dataclass(frozen=True)
class Simulation:
    """The simulated index distribution of one assessment (exact numerators over `total`)."""

    result: ScoreResult
    n: int
    seed: int
    backend: str
    uncertain: tuple[str, ...]
    sorted_numerators: tuple[int, ...]
    total: int

    @property
    def mean(self) -> Fraction:
        return Fraction(sum(self.sorted_numerators), self.n * self.total)

    def quantiles(self, qs: tuple[str | Decimal | Fraction, ...] = ("0.05", "0.5", "0.95")) -> dict[str, Decimal]:
        """Nearest-rank quantiles of the index, exact."""
        out = {}
        for q in qs:
            f = Fraction(Decimal(q)) if isinstance(q, str) else Fraction(q)
            out[str(q)] = to_decimal(quantile(self.sorted_numerators, f), self.total)
        return out

    @property
    def predikat_probabilities(self) -> dict[str, Fraction]:
        """P(predikat) for every band, highest first (bands never reached have probability 0)."""
        cc = self.result.compiled
        probs: Counter[str] = Counter()
        for v, k in Counter(self.sorted_numerators).items():  # band each distinct value once
            probs[cc.band(v, self.total).predikat] += k
        return {b.predikat: Fraction(probs[b.predikat], self.n) for b in cc.catalogue.bands}

    def rows(self) -> list[list[str]]:
        return [[p, display(f.numerator, f.denominator, 4)] for p, f in self.predikat_probabilities.items()]

    def summary(self) -> str:
        m = self.mean
        q = " / ".join(display(quantile(self.sorted_numerators, Fraction(k, 100)), self.total) for k in (5, 50, 95))
        return (
            f"{self.result.subject} ({self.result.period}): {self.n} samples, seed {self.seed}, "
            f"{len(self.uncertain)} uncertain indicator(s); mean {display(m.numerator, m.denominator)}, "
            f"5–50–95%: {q}"
        )

    def _repr_html_(self) -> str:
        return html_table(("predikat", "probability"), self.rows(), caption=self.summary())

    def to_frame(self) -> Any:
        return to_frame(("predikat", "probability"), self.rows())

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
                    f"assessment {a.subject!r}: indicator {iid} may take level {lv}",
                    field=f"distributions.{iid}",
                    allowed=f"{cc.lo[n]}–{cc.hi[n]}",
                )
        if dist:
            out.append((n, list(dist), list(dist.values())))
    return out


def simulate(r: ScoreResult, n: int, seed: int, backend: str = "auto", stream: int = 0) -> Simulation:
    if n < 1:
        raise AssessmentError("n must be at least 1", field="n")
    cc = r.compiled
    drawn = level_distributions(cc, r)
    positions = {pos for pos, _, _ in drawn}
    fixed_by_stage = sum(levels[0] * cc.weights[pos] for pos, levels, _ in drawn if len(levels) == 1)
    uncertain = [d for d in drawn if len(d[1]) > 1]
    fixed = sum(r.levels[k] * cc.weights[k] for k in range(len(cc.ids)) if k not in positions) + fixed_by_stage
    key = base(seed, stream)  # stream: an agency's own sequence in a batch (0 for a single simulation)
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
    return Simulation(
        r,
        n,
        seed,
        "numpy" if np is not None else "python",
        tuple(cc.ids[p] for p, _, _ in uncertain),
        tuple(sorted(values)),
        cc.total,
    )

"""Weight sensitivity across agencies: perturb every indicator weight by an independent relative
factor in [1 − r, 1 + r] (COINr-style uniform noise, default r = 25 %), re-rank the agencies in
each sample, and report each agency's rank interval (5th–95th percentile, nearest rank).

The factors are 16-bit integers drawn from the shared counter-based generator, so the perturbed
weights and every index stay exact integers and the numpy and pure-Python paths agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import mul
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError, SpbeError
from ..exact import parse_decimal
from ..ranking import competition_ranks
from ..tabular import html_table, to_frame
from .backend import numpy_or_none
from .rng import base, bits53, np_bits53, quantile

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["RankInterval", "WeightSensitivity", "weight_sensitivity"]

F = 1 << 16


@dataclass(frozen=True)
class RankInterval:
    subject: str
    period: str
    official_rank: int
    p5: int
    median: int
    p95: int
    p_first: Fraction  # share of samples in which the agency ranks first


@dataclass(frozen=True)
class WeightSensitivity:
    """Rank intervals of a set of agencies under random weights."""

    n: int
    seed: int
    spread: Fraction
    backend: str
    rows: tuple[RankInterval, ...]

    _headers = ("subject", "official rank", "rank p5", "median", "rank p95", "P(first)")

    def table(self) -> list[list[object]]:
        return [[r.subject, r.official_rank, r.p5, r.median, r.p95, f"{float(r.p_first):.4f}"] for r in self.rows]

    def _repr_html_(self) -> str:
        cap = f"{self.n} weight samples, ±{float(self.spread):.0%} relative noise, seed {self.seed}"
        return html_table(self._headers, self.table(), caption=cap)

    def to_frame(self) -> Any:
        return to_frame(self._headers, self.table())


def weight_sensitivity(
    results: Sequence[ScoreResult], n: int, seed: int, spread: Fraction, backend: str = "auto"
) -> WeightSensitivity:
    if not results:
        raise AssessmentError("no assessments to compare", field="assessments")
    if n < 1:
        raise AssessmentError("n must be at least 1", field="n")
    if not 0 <= spread < 1:
        raise SpbeError(f"spread {spread} must be at least 0 and below 1", field="spread")
    cc = results[0].compiled
    if any(r.compiled.catalogue.id != cc.catalogue.id for r in results):
        raise AssessmentError("weight sensitivity compares assessments of one catalogue", field="catalogue")
    p, q = spread.numerator, spread.denominator  # factor = (F·q + p·(2k − F + 1)) / (F·q), k uniform in [0, F)
    m = len(cc.ids)
    levels = [r.levels for r in results]
    key = base(seed, 1)
    np = numpy_or_none(backend)
    if np is not None and _bound(cc.weights, levels, p, q) >= 2**62:
        np = None  # too many digits in the spread for int64: the exact pure-Python path, same numbers
    if np is not None:
        ranks = _ranks_numpy(np, cc.weights, levels, n, m, key, p, q)
        per_agency = [sorted(col) for col in ranks.T.tolist()]
    else:
        per = [[] for _ in results]  # type: list[list[int]]
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


def _ranks_numpy(
    np: Any,
    weights: Sequence[int],
    levels: Sequence[Sequence[int]],
    n: int,
    m: int,
    key: int,
    p: int,
    q: int,
    chunk: int = 2048,
) -> Any:
    L = np.array(levels, dtype=np.int64)  # agencies × indicators
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
        out[start:stop] = _competition_ranks_rows(np, nums)
    return out


def _competition_ranks_rows(np: Any, nums: Any) -> Any:
    order = np.argsort(-nums, axis=1, kind="stable")
    ordered = np.take_along_axis(nums, order, axis=1)
    pos = np.arange(1, nums.shape[1] + 1)
    new = np.ones_like(ordered, dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    tie_ranks = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    ranks = np.empty_like(tie_ranks)
    np.put_along_axis(ranks, order, tie_ranks, axis=1)
    return ranks


def _bound(weights: Sequence[int], levels: Sequence[Sequence[int]], p: int, q: int) -> int:
    """The largest weighted sum a sample can reach (to know whether int64/float64 stay exact)."""
    return max(weights) * (F * q + p * F) * max(max(lv) for lv in levels) * len(weights)


def parse_spread(value: str | Decimal | Fraction | int) -> Fraction:
    """An exact spread: a decimal string, Decimal, Fraction or int — never a float."""
    if isinstance(value, Fraction):
        return value
    try:
        return Fraction(parse_decimal(value))
    except ValueError as exc:
        raise SpbeError(str(exc), field="spread", allowed="an exact decimal below 1, e.g. '0.25'") from None

"""Weight sensitivity across agencies: perturb every indicator weight by an independent relative
factor in [1 − r, 1 + r] (COINr-style uniform noise, default r = 25 %), re-rank the agencies in
each sample, and report each agency's rank interval (5th–95th percentile, nearest rank).

The factors are 16-bit integers drawn from the shared counter-based generator, so the perturbed
weights and every index stay exact integers and the numpy and pure-Python paths agree exactly.
Samples are drawn in chunks and only counted: each agency keeps a histogram of its ranks (at most
as many bins as there are agencies), so memory does not grow with n — only, at worst, with the
square of the number of agencies — and the percentiles and P(first) stay exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import mul
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError, SpbeError
from ..exact import display, exact_text, parse_decimal
from ..i18n import tr
from ..ranking import competition_ranks
from ..results import Cell, Result, deprecated_alias, in_language, records_were_rows, shown_text
from .backend import numpy_or_none
from .rng import base, bits53, histogram_quantile, np_bits53
from .simulate import Progress, check_samples

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["MAX_RANKS", "RankInterval", "WeightSensitivity", "check_size", "weight_sensitivity"]

F = 1 << 16

MAX_RANKS = 1_000_000_000
"""The largest n × agencies `weight_sensitivity` accepts (n itself is at most MAX_SAMPLES = 10^8,
as for `simulate`). The time grows with the number of ranks drawn: 10^9 of them (615 agencies,
n = 1.6 million) take about three minutes with numpy and over an hour in pure Python
(benchmarks/bench_memory_sensitivity.py); far more samples than rank percentiles need."""

_CELLS = 1 << 18  # numpy: about this many draws or ranks per chunk (2 MB per int64/float64 array)
_PY_CELLS = 1 << 16  # pure Python: about this many ranks between progress calls
_FLUSH = 1 << 20  # numpy: ranks buffered before they are counted (8 MB), more if there are more bins
_MAX_BINS = 1 << 21  # numpy: count in a dense agencies × agencies array up to this many bins (16 MB)


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
class WeightSensitivity(Result):
    """Rank intervals of a set of agencies under random weights: `intervals` holds one
    `RankInterval` per agency, in the order given."""

    n: int
    seed: int
    spread: Fraction
    backend: str
    intervals: tuple[RankInterval, ...]

    headers = ("subject", "official rank", "rank p5", "median", "rank p95", "P(first)")

    @records_were_rows("intervals")
    def rows(self) -> list[list[Cell]]:
        """Per agency: its official rank, the 5th, 50th and 95th percentile of its rank, and the share
        of samples in which it ranks first (4 decimals)."""
        return [
            [r.subject, r.official_rank, r.p5, r.median, r.p95, display(r.p_first.numerator, r.p_first.denominator, 4)]
            for r in self.intervals
        ]

    table = deprecated_alias("rows", "rows()")

    def summary(self, lang: str | None = None) -> str:
        """`3 agencies, 1000 weight samples, ±10% relative noise, seed 0` in `lang` (default: the current
        language)."""
        with in_language(lang):
            return tr(
                "{agencies} agencies, {n} weight samples, ±{spread}% relative noise, seed {seed}",
                agencies=len(self.intervals),
                n=self.n,
                spread=shown_text(exact_text(self.spread * 100)),
                seed=self.seed,
            )

    def to_dict(self) -> dict[str, Any]:
        """The samples (n, seed, exact spread, backend) and every agency's rank interval, with the
        exact share of samples in which it ranks first."""
        return {
            "n": self.n,
            "seed": self.seed,
            "spread": exact_text(self.spread),
            "backend": self.backend,
            "intervals": [
                {
                    "subject": r.subject,
                    "period": r.period,
                    "official_rank": r.official_rank,
                    "p5": r.p5,
                    "median": r.median,
                    "p95": r.p95,
                    "p_first": exact_text(r.p_first),
                }
                for r in self.intervals
            ],
        }


def check_size(n: object, agencies: int) -> int:
    """n as an int in 1..MAX_SAMPLES with n × agencies at most MAX_RANKS, or a one-line
    AssessmentError naming n and the range allowed for that many agencies."""
    k = check_samples(n)
    if k * agencies > MAX_RANKS:
        raise AssessmentError(
            tr(
                "too many samples for {agencies} agencies: n = {k} gives {ranks} ranks",
                agencies=agencies,
                k=k,
                ranks=k * agencies,
            ),
            field="n",
            allowed=tr(
                "an integer from 1 to {most} for {agencies} agencies (n × agencies at most {MAX_RANKS} = 10^9)",
                most=MAX_RANKS // agencies,
                agencies=agencies,
                MAX_RANKS=MAX_RANKS,
            ),
        )
    return k


def weight_sensitivity(
    results: Sequence[ScoreResult],
    n: int,
    seed: int,
    spread: Fraction,
    backend: str = "auto",
    progress: Progress | None = None,
) -> WeightSensitivity:
    """Rank intervals under random weights; `progress(done, n)` is called after each chunk."""
    n = check_samples(n)
    if not results:
        raise AssessmentError(tr("no assessments to compare"), field="assessments")
    n = check_size(n, len(results))
    if not 0 <= spread < 1:
        raise SpbeError(tr("spread {spread} must be at least 0 and below 1", spread=spread), field="spread")
    cc = results[0].compiled
    if any(r.compiled.catalogue.id != cc.catalogue.id for r in results):
        raise AssessmentError(tr("weight sensitivity compares assessments of one catalogue"), field="catalogue")
    p, q = spread.numerator, spread.denominator  # factor = (F·q + p·(2k − F + 1)) / (F·q), k uniform in [0, F)
    levels = [r.levels for r in results]
    key = base(seed, 1)
    np = numpy_or_none(backend)
    if np is not None and _bound(cc.weights, levels, p, q) >= 2**62:
        np = None  # too many digits in the spread for int64: the exact pure-Python path, same numbers
    if np is not None:
        counts = _count_numpy(np, cc.weights, levels, n, key, p, q, progress)
    else:
        counts = _count_python(cc.weights, levels, n, key, p, q, progress)
    official = competition_ranks([r.numerator for r in results])
    rows = []
    for a, (r, hist) in enumerate(zip(results, counts, strict=True)):
        ranks = sorted(hist.items())
        rows.append(
            RankInterval(
                r.subject,
                r.period,
                official[a],
                histogram_quantile(ranks, Fraction(5, 100)),
                histogram_quantile(ranks, Fraction(1, 2)),
                histogram_quantile(ranks, Fraction(95, 100)),
                Fraction(hist.get(1, 0), n),
            )
        )
    return WeightSensitivity(n, seed, spread, "numpy" if np is not None else "python", tuple(rows))


def _count_python(
    weights: Sequence[int],
    levels: Sequence[Sequence[int]],
    n: int,
    key: int,
    p: int,
    q: int,
    progress: Progress | None,
) -> list[dict[int, int]]:
    """Per agency, how many samples gave it each rank. Sample s draws counters s·m … s·m + m − 1."""
    m = len(weights)
    counts: list[dict[int, int]] = [{} for _ in levels]
    rows = max(1, _PY_CELLS // max(m, len(levels)))
    base_w = F * q - p * (F - 1)  # F·q + p·(2k − F + 1) = base_w + 2p·k
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        for c in range(start * m, stop * m, m):
            w = [wt * (base_w + 2 * p * (bits53(key, c + i) >> 37)) for i, wt in enumerate(weights)]
            nums = [sum(map(mul, w, lv)) for lv in levels]
            for hist, rank in zip(counts, competition_ranks(nums), strict=True):
                hist[rank] = hist.get(rank, 0) + 1
        if progress is not None:
            progress(stop, n)
    return counts


def _count_numpy(
    np: Any,
    weights: Sequence[int],
    levels: Sequence[Sequence[int]],
    n: int,
    key: int,
    p: int,
    q: int,
    progress: Progress | None,
) -> list[dict[int, int]]:
    """The same counts as `_count_python`, a chunk of samples at a time: the draws of a chunk are
    the rows of the counter array a single n × m draw would have had, so chunking changes nothing."""
    m, agencies = len(weights), len(levels)
    L = np.array(levels, dtype=np.int64)  # agencies × indicators
    W = np.array(weights, dtype=np.int64)
    exact_float = _bound(weights, levels, p, q) < 2**53  # then a float64 matmul is exact and faster
    LT = L.T.astype(np.float64) if exact_float else L.T
    rows = max(1, _CELLS // max(m, agencies))
    offsets = np.arange(agencies, dtype=np.int64) * agencies - 1  # bin of (agency a, rank r): a·agencies + r − 1
    bins = agencies * agencies
    dense = np.zeros(bins, dtype=np.int64) if bins <= _MAX_BINS else None
    sparse: dict[int, int] = {}
    buffer: list[Any] = []  # bin numbers of ranks not counted yet
    flush_at = max(bins, _FLUSH)  # a bincount costs the bins it spans: spread it over as many ranks

    def flush() -> None:
        cells = np.concatenate(buffer)
        buffer.clear()
        if dense is not None:
            dense[:] += np.bincount(cells, minlength=bins)
        else:
            values, times = np.unique(cells, return_counts=True)
            for v, t in zip(values.tolist(), times.tolist(), strict=True):
                sparse[v] = sparse.get(v, 0) + t

    buffered = 0
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        counters = np.arange(start * m, stop * m, dtype=np.uint64).reshape(stop - start, m)
        k = np_bits53(np, key, counters) >> 37
        wp = W * (F * q + p * (2 * k - F + 1))
        nums = wp.astype(np.float64) @ LT if exact_float else wp @ LT
        del counters, k, wp
        buffer.append((_competition_ranks_rows(np, nums) + offsets).ravel())
        del nums
        buffered += (stop - start) * agencies
        if buffered >= flush_at or stop == n:
            flush()
            buffered = 0
        if progress is not None:
            progress(stop, n)
    if dense is not None:
        (hit,) = np.nonzero(dense)
        sparse = dict(zip(hit.tolist(), dense[hit].tolist(), strict=True))
    counts: list[dict[int, int]] = [{} for _ in levels]
    for cell, t in sparse.items():
        a, r = divmod(cell, agencies)
        counts[a][r + 1] = t
    return counts


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
        raise SpbeError(str(exc), field="spread", allowed=tr("an exact decimal below 1, e.g. '0.25'")) from None

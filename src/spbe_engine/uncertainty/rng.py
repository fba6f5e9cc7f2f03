"""SplitMix64 as a counter-based generator: draw (seed, counter) → 64 random bits, in pure Python
or vectorised with numpy, bit-for-bit identical. Uniforms are 53-bit integers, so sampling against
exact probability thresholds is integer comparison in both paths."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..i18n import tr

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
ONE53 = 1 << 53


def mix(x: int) -> int:
    z = (x + GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


def base(seed: int, stream: int = 0) -> int:
    """A per-seed (and per-stream, e.g. per agency) key."""
    return mix(mix(seed & MASK) ^ (stream & MASK))


def bits53(key: int, counter: int) -> int:
    return mix(key ^ counter) >> 11


def np_bits53(np: Any, key: int, counters: Any) -> Any:
    """The same as `bits53` for an array of counters (uint64), computed in place on one copy of
    them: half the time and memory of fresh temporaries for every step."""
    z = counters.astype(np.uint64)  # a copy: the caller's counters stay as they are
    with np.errstate(over="ignore"):
        z ^= np.uint64(key)
        z += np.uint64(GOLDEN)
        z ^= z >> np.uint64(30)
        z *= np.uint64(M1)
        z ^= z >> np.uint64(27)
        z *= np.uint64(M2)
        z ^= z >> np.uint64(31)
    z >>= np.uint64(11)
    return z.view(np.int64)  # below 2**53: the same numbers as int64


def thresholds(probabilities: Sequence[Fraction]) -> list[int]:
    """Cumulative thresholds on [0, 2**53): level k is drawn when u < thresholds[k]."""
    out = []
    acc = Fraction(0)
    for p in probabilities:
        acc += p
        out.append(int(acc * ONE53))
    out[-1] = ONE53
    return out


def quantile(sorted_values: Sequence[int], q: Fraction) -> int:
    """Nearest-rank quantile (the smallest value with at least q of the values at or below it)."""
    n = len(sorted_values)
    k = max(1, -(-q.numerator * n // q.denominator))  # ceil(q·n), at least 1
    return sorted_values[min(k, n) - 1]


def histogram_quantile(histogram: Sequence[tuple[int, int]], q: Fraction) -> int:
    """`quantile` of the values a histogram of (value, count) pairs, ascending, stands for — without
    expanding it: the value whose cumulative count first reaches the nearest rank."""
    n = sum(k for _, k in histogram)
    rank = min(max(1, -(-q.numerator * n // q.denominator)), n)
    seen = 0
    for value, k in histogram:
        seen += k
        if seen >= rank:
            return value
    raise ValueError(tr("an empty histogram has no quantiles"))

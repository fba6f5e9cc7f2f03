"""Columnar exact scoring: a matrix of levels in, integer sums per group and coded texts out.

Why a second path next to `score.score`: a ScoreResult per assessment costs microseconds of Python
each, while a national or per-OPD table of millions of rows is one integer matrix product. The
arithmetic is the same (integer-scaled weights, the band decided on the unrounded value, half-up
display), done on whole columns: int64 when the largest possible sum fits (checked from the
weights and scales, never assumed), else Python integers row by row. numpy is optional (the
`fast` extra); without it the same columns come from a plain loop, value for value.

Texts that repeat (display values, predikat, exact index texts) are coded: a column of small ints
and the few distinct texts, so a million rows do not make a million strings (a pandas Categorical,
an Arrow dictionary array).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from math import gcd
from operator import mul
from typing import Any, Literal

from ..exact import decimal_places, display, hundredths, to_decimal
from .compiled import CompiledCatalogue
from .score import not_assessed, outside_scale

__all__ = ["Column", "TableScores", "decimal_text", "numpy_or_none", "score_levels"]

CHUNK_ROWS = 8_192  # rows per numpy pass: a block (3 MiB at 47 int64 levels) stays in cache between passes
_TABLE_LIMIT = 1 << 17  # numerators up to this (or the row count) are looked up in a table, not computed
_INT64_LIMIT = 2**62  # headroom under 2**63 for 200 × numerator + denominator (half-up display)


def numpy_or_none() -> Any:
    """numpy when installed (the `fast` extra), else None: the pure-Python path gives the same columns."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - the test suite runs both paths by monkeypatching this
        return None
    return numpy


@dataclass(frozen=True)
class Column:
    """One result column: plain values (a list or an ndarray), or codes into `categories`."""

    name: str
    values: Any
    categories: tuple[str, ...] | None = None

    def plain(self) -> list[Any]:
        """The column as a list of Python values (texts decoded)."""
        values = self.values.tolist() if hasattr(self.values, "tolist") else list(self.values)
        if self.categories is None:
            return values
        cats = self.categories
        return [cats[c] for c in values]


@dataclass(frozen=True)
class TableScores:
    """Scored columns in order: what `Engine.score_table` turns into a DataFrame or an Arrow table."""

    columns: tuple[Column, ...]
    length: int

    def to_dict(self) -> dict[str, list[Any]]:
        return {c.name: c.plain() for c in self.columns}

    def to_pandas(self, index: Any = None) -> Any:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        block = self._int_block()
        if block is not None:  # the numerators and denominators as one 2-D block, not copied
            names, base = block
            frame = pd.DataFrame(base.T, columns=names, index=index, copy=False)
            for at, c in enumerate(self.columns):
                if c.name not in names:
                    frame.insert(at, c.name, self._series(pd, c, index))
            return frame
        data: dict[str, Any] = {}
        for c in self.columns:
            if c.categories is not None:
                data[c.name] = pd.Categorical.from_codes(c.values, categories=list(c.categories))
            elif isinstance(c.values, list):
                data[c.name] = pd.Series(c.values, dtype=object, index=index)
            else:
                data[c.name] = c.values
        return pd.DataFrame(data, index=index)

    def _int_block(self) -> tuple[list[str], Any] | None:
        ints = [c for c in self.columns if c.categories is None and getattr(c.values, "base", None) is not None
                and getattr(c.values.base, "ndim", 0) == 2]  # fmt: skip
        if not ints:
            return None
        base = ints[0].values.base
        if base.shape[0] != len(ints) or any(c.values.base is not base for c in ints):
            return None
        if any(c.values.ctypes.data != base[i].ctypes.data for i, c in enumerate(ints)):
            return None
        return [c.name for c in ints], base

    @staticmethod
    def _series(pd: Any, c: Column, index: Any) -> Any:
        if c.categories is not None:
            return pd.Series(pd.Categorical.from_codes(c.values, categories=list(c.categories)), index=index)
        return pd.Series(c.values, index=index, dtype=object if isinstance(c.values, list) else None)

    def to_arrow(self) -> Any:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

        arrays, names = [], []
        for c in self.columns:
            if c.categories is not None:
                codes = pa.array(c.values, type=pa.int32())
                arrays.append(pa.DictionaryArray.from_arrays(codes, pa.array(list(c.categories), type=pa.string())))
            elif isinstance(c.values, list) and any(isinstance(v, int) and abs(v) >= 2**63 for v in c.values):
                arrays.append(pa.array([str(v) for v in c.values]))  # beyond int64: the exact digits as text
            else:
                arrays.append(pa.array(c.values))
            names.append(c.name)
        return pa.Table.from_arrays(arrays, names=names)


# -- exact texts ---------------------------------------------------------------------------------


def decimal_text(num: int, den: int) -> str:
    """`str(exact.to_decimal(num, den))`, fast for the terminating case (the index text of a CSV row)."""
    if num > 0:
        g = gcd(num, den)
        n, d = num // g, den // g
        k = decimal_places(d)
        if k is not None:
            m = n * 10**k // d
            s = str(m)
            if k == 0:
                return s
            if len(s) - 1 - k >= -6:  # Decimal writes smaller values with an exponent
                s = s.rjust(k + 1, "0")
                return f"{s[:-k]}.{s[-k:]}"
    return str(to_decimal(num, den))


def _display_key_text(key: int) -> str:
    """Display text of a signed hundredths key: k ≥ 0 is k/100; -q-1 is -(q/100) (so -0.00 exists)."""
    if key >= 0:
        return f"{key // 100}.{key % 100:02d}"
    q = -key - 1
    return f"-{q // 100}.{q % 100:02d}"


# -- the computation --------------------------------------------------------------------------


RowLabel = Callable[[int], "int | None"]
Where = Callable[[int], str]


@dataclass(frozen=True)
class Problem:
    """Where a table is refused: the first bad row (by position) and why."""

    row: int
    column: int
    kind: str  # "missing" or "range"


def _fits_int64(cc: CompiledCatalogue) -> bool:
    """Whether every sum, display and band comparison fits in int64 for this catalogue's scales."""
    big = 0
    for w, lo, hi in zip(cc.weights, cc.lo, cc.hi, strict=True):
        big += w * max(abs(lo), abs(hi))
    dens = [cc.total, *(g.weight for g in cc.groups)]
    band_den = max((bd for _, bd, _ in cc.bands), default=1)
    band_num = max((abs(bn) for bn, _, _ in cc.bands), default=0)
    worst = max(200 * big + 2 * max(dens), big * band_den, band_num * max(dens))
    return worst < _INT64_LIMIT and max(cc.weights) < _INT64_LIMIT


def score_levels(
    cc: CompiledCatalogue,
    levels: Any,
    present: Any,
    *,
    missing: str | int | None,
    where: Where,
    label: RowLabel,
    text: bool | Literal["index"] = True,
    groups: Sequence[str] | None = None,
) -> TableScores:
    """Score a level matrix whose columns are `cc.ids` in order (an ndarray when numpy is used, else
    a list of row lists). `present` marks given cells (None: all given); missing cells follow
    `missing` as in `score()`. Errors name the first bad row (`label(position)`) and the column.

    Columns: numerator, denominator, index (exact text), display, predikat, partial, then per
    group `<id>_numerator`, `<id>_denominator`, `<id>_index`, `<id>_display`, `<id>_predikat`
    (every group, or those named in `groups`). `text="index"`: the exact text of the index only.
    """
    np = numpy_or_none()
    if np is not None and isinstance(levels, np.ndarray) and _fits_int64(cc):
        return _score_numpy(np, cc, levels, present, missing, where, label, text, groups)
    rows = levels.tolist() if hasattr(levels, "tolist") else levels
    mask = None if present is None else (present.tolist() if hasattr(present, "tolist") else present)
    return _score_python(cc, rows, mask, missing, where, label, text, groups)


def _raise(cc: CompiledCatalogue, p: Problem, level: Any, absent: list[str], where: Where, label: RowLabel,
           filled: bool) -> None:  # fmt: skip
    place = {"row": label(p.row)}
    if p.kind == "missing":
        raise not_assessed(where(p.row), absent, **place)
    raise outside_scale(cc, p.column, level, where(p.row), filled=filled, **place)


def _fill_value(cc: CompiledCatalogue, n: int, missing: str | int | None) -> int:
    return cc.lo[n] if missing == "minimum" else int(missing)  # type: ignore[arg-type]


def _score_python(
    cc: CompiledCatalogue,
    rows: Sequence[Sequence[Any]],
    present: Sequence[Sequence[bool]] | None,
    missing: str | int | None,
    where: Where,
    label: RowLabel,
    text: bool | Literal["index"],
    chosen: Sequence[str] | None,
) -> TableScores:
    ids, lo, hi, weights = cc.ids, cc.lo, cc.hi, cc.weights
    strict = missing is None or missing == "error"
    nums: list[int] = []
    groups: list[list[int]] = [[] for _ in cc.groups]
    partial: list[bool] = []
    for r, row in enumerate(rows):
        vec = list(row)
        mask = present[r] if present is not None else None
        filled = [False] * len(ids)
        if mask is not None and not all(mask):
            absent = [ids[n] for n, ok in enumerate(mask) if not ok]
            if strict:
                _raise(cc, Problem(r, mask.index(False), "missing"), None, absent, where, label, False)
            for n, ok in enumerate(mask):
                if not ok:
                    vec[n] = _fill_value(cc, n, missing)
                    filled[n] = True
        for n, level in enumerate(vec):
            if not lo[n] <= level <= hi[n]:
                _raise(cc, Problem(r, n, "range"), level, [], where, label, filled[n])
        weighted = list(map(mul, vec, weights))
        nums.append(sum(weighted))
        for k, g in enumerate(cc.groups):
            groups[k].append(sum(g.take(weighted)))
        partial.append(any(filled))
    return _columns_python(cc, nums, groups, partial, text, chosen)


def _columns_python(
    cc: CompiledCatalogue,
    nums: list[int],
    groups: list[list[int]],
    partial: list[bool],
    text: bool | Literal["index"],
    chosen: Sequence[str] | None,
) -> TableScores:
    n = len(nums)
    out: list[Column] = []

    def block(prefix: str, values: list[int], den: int) -> None:
        out.append(Column(f"{prefix}numerator", values))
        out.append(Column(f"{prefix}denominator", [den] * n))
        if text is True or (text == "index" and not prefix):
            cache: dict[int, str] = {}
            out.append(
                Column(f"{prefix}index", [cache.get(v) or cache.setdefault(v, decimal_text(v, den)) for v in values])
            )
        shown: dict[int, str] = {}
        out.append(Column(f"{prefix}display", [shown.get(v) or shown.setdefault(v, display(v, den)) for v in values]))
        bands: dict[int, str] = {}
        out.append(
            Column(
                f"{prefix}predikat",
                [bands.get(v) or bands.setdefault(v, cc.band(v, den).predikat) for v in values],
            )
        )

    block("", nums, cc.total)
    out.append(Column("partial", partial))
    for g, values in zip(cc.groups, groups, strict=True):
        if chosen is None or g.id in chosen:
            block(f"{g.id}_", values, g.weight)
    return TableScores(tuple(out), n)


def _score_numpy(
    np: Any,
    cc: CompiledCatalogue,
    levels: Any,
    present: Any,
    missing: str | int | None,
    where: Where,
    label: RowLabel,
    text: bool | Literal["index"],
    groups: Sequence[str] | None,
) -> TableScores:
    n, k = levels.shape
    if k != len(cc.ids):
        raise ValueError("level matrix columns must be the catalogue's indicators in order")
    lo = np.array(cc.lo, dtype=np.int64)
    hi = np.array(cc.hi, dtype=np.int64)
    w = np.array(cc.weights, dtype=np.int64)
    strict = missing is None or missing == "error"
    fill = None if strict else np.array([_fill_value(cc, j, missing) for j in range(k)], dtype=np.int64)
    chosen = [gi for gi, g in enumerate(cc.groups) if groups is None or g.id in groups]
    spans = _spans(cc)
    stretches: list[tuple[int, int]] = []
    runs: list[tuple[int, int]] = []
    if spans is not None:  # the stretches between the chosen groups' ends, each group a run of them
        cuts = sorted({0, k, *(x for gi in chosen for x in spans[gi])})
        stretches = list(pairwise(cuts))
        runs = [(cuts.index(spans[gi][0]), cuts.index(spans[gi][1])) for gi in chosen]
    ints = np.empty((2 * (1 + len(chosen)), n), dtype=np.int64)  # numerators and denominators: one block
    partial = np.zeros(n, dtype=bool)
    rows = min(n, CHUNK_ROWS)
    seg = np.empty((max(len(stretches), 1), rows), dtype=np.int64)
    weighted = None if spans is not None else np.empty((rows, k), dtype=np.int64)
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        block = levels[start:stop]
        if block.dtype != np.int64:
            block = block.astype(np.int64)
        mask = None if present is None else present[start:stop]
        if mask is not None and not mask.all():
            holes = ~mask
            if strict:
                r = int(np.argmax(holes.any(axis=1)))
                bad = _first_range(np, block[:r], lo, hi, mask[:r])
                if bad is not None:
                    _raise(cc, Problem(start + bad[0], bad[1], "range"), int(block[bad]), [], where, label,
                           False)  # fmt: skip
                absent = [cc.ids[j] for j in np.flatnonzero(holes[r])]
                _raise(cc, Problem(start + r, int(np.argmax(holes[r])), "missing"), None, absent, where, label,
                       False)  # fmt: skip
            block = np.where(mask, block, fill)
            partial[start:stop] = holes.any(axis=1)
        if cc.uniform is None or int(block.min()) < cc.uniform[0] or int(block.max()) > cc.uniform[1]:
            bad = _first_range(np, block, lo, hi, None)
            if bad is not None:
                filled = mask is not None and not bool(mask[bad])
                _raise(cc, Problem(start + bad[0], bad[1], "range"), int(block[bad]), [], where, label, filled)
        m = stop - start
        if weighted is None:  # contiguous groups: one integer matrix-vector product per stretch, no n × k temporary
            for s, (a, b) in enumerate(stretches):
                np.matmul(block[:, a:b], w[a:b], out=seg[s, :m])
            seg[: len(stretches), :m].sum(axis=0, out=ints[0, start:stop])
            for row, (a, b) in enumerate(runs, 1):
                if b - a == 1:
                    ints[2 * row, start:stop] = seg[a, :m]
                else:
                    seg[a:b, :m].sum(axis=0, out=ints[2 * row, start:stop])
        else:
            part = weighted[:m]
            np.multiply(block, w, out=part)
            part.sum(axis=1, out=ints[0, start:stop])
            for row, gi in enumerate(chosen, 1):
                part[:, list(cc.groups[gi].members)].sum(axis=1, out=ints[2 * row, start:stop])
    out: list[Column] = []

    def block_columns(prefix: str, row: int, den: int, span: tuple[int, int]) -> None:
        values = ints[2 * row]
        ints[2 * row + 1] = den
        out.append(Column(f"{prefix}numerator", ints[2 * row]))
        out.append(Column(f"{prefix}denominator", ints[2 * row + 1]))
        table = _table_range(span, n)
        if text is True or (text == "index" and not prefix):
            out.append(_coded(np, f"{prefix}index", values, lambda v: decimal_text(v, den), table))
        out.append(_display(np, f"{prefix}display", values, den, span, table))
        out.append(_predikat(np, cc, f"{prefix}predikat", values, den, table))

    block_columns("", 0, cc.total, _span(cc, range(k)))
    out.append(Column("partial", partial))
    for row, gi in enumerate(chosen, 1):
        g = cc.groups[gi]
        block_columns(f"{g.id}_", row, g.weight, _span(cc, g.members))
    return TableScores(tuple(out), n)


def _table_range(span: tuple[int, int], n: int) -> int | None:
    """The size of a lookup table indexed by the numerator itself, when the numerators the scales
    allow are non-negative and few (then every text column is one `take` from a small table)."""
    if span[0] >= 0 and span[1] < max(_TABLE_LIMIT, n):
        return span[1] + 1
    return None


def _code_type(np: Any, count: int) -> Any:
    """The smallest integer type for codes into `count` texts (what pandas would convert them to)."""
    return np.int8 if count <= 127 else np.int16 if count <= 32_767 else np.int32


def _display(np: Any, name: str, values: Any, den: int, span: tuple[int, int], size: int | None) -> Column:
    """Half-up hundredths as codes into every display text the scales allow (`span`: the least and
    the greatest numerator), so no pass over the column looks for the ones present."""
    if span[0] >= 0:
        lo_q, hi_q = hundredths(span[0], den), hundredths(span[1], den)
        texts = tuple(_display_key_text(k) for k in range(lo_q, hi_q + 1))
        if size is not None:  # (200 v + den) // (2 den) - lo_q for every possible v, then one take
            keys = np.arange(size, dtype=np.int64)
            lut = ((200 * keys + (den - 2 * den * lo_q)) // (2 * den)).clip(0, None).astype(_code_type(np, len(texts)))
            return Column(name, lut.take(values, mode="clip"), texts)
        codes = ((200 * values + (den - 2 * den * lo_q)) // (2 * den)).astype(np.int32)
        return Column(name, codes, texts)
    q = (200 * np.abs(values) + den) // (2 * den)
    return _coded(np, name, np.where(values < 0, -q - 1, q), _display_key_text, None)


def _span(cc: CompiledCatalogue, members: Sequence[int]) -> tuple[int, int]:
    """The least and the greatest numerator levels inside their scales can give."""
    return (sum(cc.weights[m] * cc.lo[m] for m in members), sum(cc.weights[m] * cc.hi[m] for m in members))


def _first_range(np: Any, block: Any, lo: Any, hi: Any, mask: Any) -> tuple[int, int] | None:
    """(row, column) of the first level outside its scale, in row then column order."""
    bad = (block < lo) | (block > hi)
    if mask is not None:
        bad &= mask
    rows = bad.any(axis=1)
    if not rows.any():
        return None
    r = int(np.argmax(rows))
    return r, int(np.argmax(bad[r]))


def _spans(cc: CompiledCatalogue) -> list[tuple[int, int]] | None:
    """Each group's members as a [start, stop) range, when every group's members are contiguous."""
    out = []
    for g in cc.groups:
        a, b = g.members[0], g.members[-1] + 1
        if g.members != tuple(range(a, b)):
            return None
        out.append((a, b))
    return out


def _coded(np: Any, name: str, keys: Any, text: Callable[[int], str], size: int | None) -> Column:
    """Integer keys as codes into the texts of the keys present (sorted), each text made once;
    `size`: the keys are known to lie in [0, size)."""
    n = len(keys)
    if n == 0:
        return Column(name, np.zeros(0, dtype=np.int8), ())
    if size is not None:
        present = np.flatnonzero(np.bincount(keys, minlength=size))
        lut = np.zeros(size, dtype=_code_type(np, len(present)))
        lut[present] = np.arange(len(present))
        return Column(name, lut.take(keys, mode="clip"), tuple(text(int(v)) for v in present))
    lo, hi = int(keys.min()), int(keys.max())
    if hi - lo <= 4 * n + 4096:  # a dense range: counting beats sorting
        shifted = keys - lo
        seen = np.bincount(shifted, minlength=hi - lo + 1) > 0
        where = np.cumsum(seen) - 1
        codes = where[shifted].astype(np.int32)
        present = np.flatnonzero(seen) + lo
    else:
        present, inverse = np.unique(keys, return_inverse=True)
        codes = inverse.astype(np.int32)
    return Column(name, codes, tuple(text(int(v)) for v in present))


def _predikat(np: Any, cc: CompiledCatalogue, name: str, values: Any, den: int, size: int | None) -> Column:
    """The band of each unrounded value: value ≥ lower ⇔ numerator ≥ ceil(lower × den)."""
    ascending = list(reversed(cc.bands))  # lowest first
    thresholds = np.array([-((-bn * den) // bd) for bn, bd, _ in ascending[1:]], dtype=np.int64)  # lowest: the rest
    texts = tuple(b.predikat for _, _, b in ascending)
    if size is not None:
        lut = np.searchsorted(thresholds, np.arange(size, dtype=np.int64), side="right").astype(
            _code_type(np, len(texts))
        )
        return Column(name, lut.take(values, mode="clip"), texts)
    return Column(name, np.searchsorted(thresholds, values, side="right").astype(np.int32), texts)

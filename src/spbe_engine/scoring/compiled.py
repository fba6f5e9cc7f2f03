"""A catalogue compiled for scoring: integer-scaled weights, index positions and band thresholds.

Compiled once per (catalogue, weighting); the hot path then does integer multiply-adds only,
which is exact (a float sum of 47 levels of 3 lands at 2.9999999999999982, below a band) and as
fast as floats. The common scale is the least common multiple of every weight's denominator: a
power of ten for decimal weights, times 3 for 5/2018's 20/6 % service items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import lcm
from operator import itemgetter
from typing import Any

from ..errors import CatalogueError
from ..i18n import tr
from ..model.catalogue import Band, Catalogue, Group, LevelScale


@dataclass(frozen=True)
class CompiledGroup:
    id: str
    kind: str
    name: str
    name_en: str | None
    parent: str | None
    members: tuple[int, ...]
    weight: int  # scaled, = sum of members' weights
    take: Callable[[Sequence[int]], tuple[int, ...]]


@dataclass(frozen=True)
class CompiledCatalogue:
    catalogue: Catalogue
    weighting: str
    ids: tuple[str, ...]
    position: Mapping[str, int]
    scales: tuple[LevelScale, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    uniform: tuple[int, int] | None  # (lo, hi) when every indicator shares the range
    weights: tuple[int, ...]  # scaled integers
    exact_weights: tuple[Decimal | Fraction, ...]
    scale_factor: int  # weights = exact weight * scale_factor
    places: int  # decimal places of the decimal weights (scale_factor is a multiple of 10**places)
    total: int
    groups: tuple[CompiledGroup, ...]
    group_index: Mapping[str, int]
    bands: tuple[tuple[int, int, Band], ...]  # (numerator, denominator, band), highest first
    context: Mapping[str, Any] = field(default_factory=dict)  # what produced it: engine, catalogue hash, plugins
    levels_of: Callable[[Mapping[str, int]], tuple[int, ...]] = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    """The levels of a mapping in catalogue order, in one C call (`itemgetter(*ids)`); KeyError when one lacks."""
    in_scale: Callable[[Sequence[int]], bool] | None = field(default=None, compare=False, repr=False)
    """Whether every level lies inside its scale, in C calls (None: check indicator by indicator)."""

    def id_span(self) -> str:
        """The indicator ids as an error's `allowed` names them: "1–47" when they run 1, 2, 3, ...,
        else every id ("1, ..., 35-1, 35-2, 35-3")."""
        ids = self.ids
        if all(i.isdigit() for i in ids) and [int(i) for i in ids] == list(range(int(ids[0]), int(ids[0]) + len(ids))):
            return f"{ids[0]}–{ids[-1]}"
        return ", ".join(ids)

    def exact_weight(self, scaled: int) -> Decimal | Fraction:
        """A scaled integer weight back as the exact decimal, keeping its places (13.00, not 13), or
        as an exact ratio when no decimal writes it."""
        rest = self.scale_factor // 10**self.places
        if scaled % rest == 0:
            return Decimal(scaled // rest).scaleb(-self.places)
        return Fraction(scaled, self.scale_factor)

    def band(self, num: int, den: int) -> Band:
        """Band of num/den, compared exactly on the unrounded value."""
        for bn, bd, band in self.bands:
            if num * bd >= bn * den:
                return band
        return self.bands[-1][2]


def _taker(members: tuple[int, ...]) -> Callable[[Sequence[int]], tuple[int, ...]]:
    return _Take(members[0]) if len(members) == 1 else itemgetter(*members)


def compile_catalogue(
    catalogue: Catalogue,
    weighting: str,
    weights: Mapping[str, Decimal | Fraction],
    context: Mapping[str, Any] | None = None,
) -> CompiledCatalogue:
    """Compile `catalogue` with the given exact weight per indicator id."""
    indicators = list(catalogue.indicators())
    ids = tuple(i.id for i in indicators)
    unknown = sorted(set(weights) - set(ids))
    if unknown:
        raise CatalogueError(
            tr(
                "weighting {weighting!r} names unknown indicator(s) {unknown}",
                weighting=weighting,
                unknown=", ".join(unknown),
            ),
            field="weights",
            allowed=tr("indicator ids of {catalogue}", catalogue=catalogue.id),
        )
    exact: list[Decimal | Fraction] = []
    for ind in indicators:
        w = weights.get(ind.id)
        if (
            w is None
            or not isinstance(w, (Decimal, Fraction))
            or (isinstance(w, Decimal) and not w.is_finite())
            or w <= 0
        ):
            raise CatalogueError(
                tr(
                    "weighting {weighting!r}: indicator {id!r} needs a positive exact weight, got {w!r}",
                    weighting=weighting,
                    id=ind.id,
                    w=w,
                ),
                field="weights",
            )
        exact.append(w)
    exponents = [w.as_tuple().exponent for w in exact if isinstance(w, Decimal)]
    places = max((-e for e in exponents if isinstance(e, int)), default=0)
    factor = lcm(10 ** max(places, 0), *(w.denominator for w in exact if isinstance(w, Fraction)))
    scaled = tuple(int(Fraction(w) * factor) for w in exact)  # Fraction: exact at any number of digits
    scales = tuple(catalogue.scale(i.scale) for i in indicators)
    lo = tuple(s.min for s in scales)
    hi = tuple(s.max for s in scales)
    uniform = (lo[0], hi[0]) if len(set(lo)) == 1 and len(set(hi)) == 1 else None
    position = {i: n for n, i in enumerate(ids)}

    groups: list[CompiledGroup] = []

    def visit(g: Group, parent: str | None) -> None:
        members = tuple(position[i.id] for i in g.all_indicators())
        total = sum(scaled[m] for m in members)
        groups.append(CompiledGroup(g.id, g.kind, g.name, g.name_en, parent, members, total, _taker(members)))
        for sub in g.groups:
            visit(sub, g.id)

    for top in catalogue.groups:
        visit(top, None)
    bands = []
    for b in catalogue.bands:
        f = Fraction(b.lower)
        bands.append((f.numerator, f.denominator, b))
    return CompiledCatalogue(
        catalogue=catalogue,
        weighting=weighting,
        ids=ids,
        position=position,
        scales=scales,
        lo=lo,
        hi=hi,
        uniform=uniform,
        weights=scaled,
        exact_weights=tuple(exact),
        scale_factor=factor,
        places=max(places, 0),
        total=sum(scaled),
        groups=tuple(groups),
        group_index={g.id: n for n, g in enumerate(groups)},
        bands=tuple(bands),
        context=dict(context or {}),
        levels_of=_levels_of(ids),
        in_scale=_in_scale(uniform),
    )


def _levels_of(ids: tuple[str, ...]) -> Callable[[Mapping[str, int]], tuple[int, ...]]:
    return _Take(ids[0]) if len(ids) == 1 else itemgetter(*ids)


class _Take:
    """`itemgetter` of one key that still gives a tuple (picklable, unlike a lambda: process pools
    send compiled catalogues inside results)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __call__(self, seq: Any) -> tuple[Any, ...]:
        return (seq[self.key],)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Take, (self.key,))


class _InScale:
    """For one shared scale inside 0–255: `bytes(levels)` refuses anything outside 0–255 and
    `translate` deletes the allowed levels, so nothing may remain."""

    __slots__ = ("allowed",)

    def __init__(self, allowed: bytes) -> None:
        self.allowed = allowed

    def __call__(self, levels: Sequence[int]) -> bool:
        try:
            return not bytes(levels).translate(None, self.allowed)
        except (ValueError, TypeError):
            return False

    def __reduce__(self) -> tuple[Any, ...]:
        return (_InScale, (self.allowed,))


def _in_scale(uniform: tuple[int, int] | None) -> Callable[[Sequence[int]], bool] | None:
    if uniform is None or uniform[0] < 0 or uniform[1] > 255:
        return None
    return _InScale(bytes(range(uniform[0], uniform[1] + 1)))

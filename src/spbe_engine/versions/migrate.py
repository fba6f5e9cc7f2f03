"""Migrating an assessment to another catalogue: level ranges propagated along the crosswalk path.

Each step maps source level ranges through the edge's level map (identity, table, min/max/mean,
widened for partial mappings) and clamps to the target scale. New indicators get the whole scale.
The migrated index is an interval — lowest and highest index consistent with the ranges — because
the index is monotone in every level, so its extremes are at the range ends.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..exact import display, exact_text
from ..i18n import tr
from ..model.assessment import Assessment
from ..model.catalogue import Catalogue
from ..model.crosswalk import CrosswalkEdge
from ..results import Cell, Result, in_language, shown
from ..scoring.compiled import CompiledCatalogue
from .compose import ComposedCrosswalk, Provenance

Range = tuple[int, int]

__all__ = ["IndexRange", "Migration", "migrate"]


@dataclass(frozen=True)
class IndexRange:
    """The lowest and highest index consistent with uncertain and new levels."""

    low: Fraction
    high: Fraction
    predikat_low: str
    predikat_high: str

    @property
    def display(self) -> str:
        return (
            f"{display(self.low.numerator, self.low.denominator)}–{display(self.high.numerator, self.high.denominator)}"
        )

    def __contains__(self, value: object) -> bool:
        if isinstance(value, Decimal):
            value = Fraction(value)
        return isinstance(value, (int, Fraction)) and self.low <= value <= self.high


@dataclass(frozen=True)
class Migration(Result):
    """An assessment migrated to another catalogue, with provenance and an honest index interval."""

    source: Assessment
    assessment: Assessment  # certain levels only: uncertain and new indicators are left out
    ranges: Mapping[str, Range]  # every target indicator's possible levels
    provenance: Mapping[str, Provenance]
    needs_assessment: tuple[str, ...]  # new indicators: no source says anything about them
    index_range: IndexRange
    crosswalk: ComposedCrosswalk

    @property
    def uncertain(self) -> dict[str, Range]:
        return {k: r for k, r in self.ranges.items() if r[0] != r[1] and k not in self.needs_assessment}

    headers = ("indicator", "levels", "from", "relations", "confidence", "basis")

    def rows(self) -> list[list[Cell]]:
        """Per target indicator: its possible levels, the source indicators, the relation at each
        step of the crosswalk path, the weakest confidence and the basis."""
        out: list[list[Cell]] = []
        for iid, (lo, hi) in self.ranges.items():
            p = self.provenance[iid]
            out.append(
                [
                    iid,
                    str(lo) if lo == hi else f"{lo}–{hi}",
                    ", ".join(p.sources) or "(new)",
                    " → ".join(p.relations),
                    p.confidence or "",
                    p.basis,
                ]
            )
        return out

    def summary(self, lang: str | None = None) -> str:
        """`Kota (2024): spbe-2020 → pemdi-2026, index 1.86–4.42 (Kurang to Memuaskan); 5 new indicator(s)
        need assessment, 2 uncertain` in `lang` (default: the current language)."""
        with in_language(lang):
            r = self.index_range
            pred = (
                r.predikat_low
                if r.predikat_low == r.predikat_high
                else tr("{low} to {high}", low=r.predikat_low, high=r.predikat_high)
            )
            index = f"{shown(r.low)}–{shown(r.high)}"
            return tr(
                "{subject} ({period}): {source} → {target}, index {index} ({predikat}); {new} new indicator(s) need "
                "assessment, {uncertain} uncertain",
                subject=self.source.subject,
                period=self.source.period,
                source=self.crosswalk.source,
                target=self.crosswalk.target,
                index=index,
                predikat=pred,
                new=len(self.needs_assessment),
                uncertain=len(self.uncertain),
            )

    def to_dict(self) -> dict[str, Any]:
        """The exact index interval and its predikat range, the possible levels and the provenance of
        every target indicator, the new indicators, and the migrated assessment (certain levels)."""
        r = self.index_range
        return {
            "subject": self.source.subject,
            "period": self.source.period,
            "from": self.source.catalogue,
            "to": self.crosswalk.target,
            "index_low": exact_text(r.low),
            "index_high": exact_text(r.high),
            "display": r.display,
            "predikat_low": r.predikat_low,
            "predikat_high": r.predikat_high,
            "needs_assessment": list(self.needs_assessment),
            "levels": {k: list(v) for k, v in self.ranges.items()},
            "provenance": {
                k: {
                    "sources": list(p.sources),
                    "relations": list(p.relations),
                    "confidence": p.confidence,
                    "basis": p.basis,
                    "path": list(p.path),
                }
                for k, p in self.provenance.items()
            },
            "assessment": self.assessment.model_dump(mode="json", exclude_defaults=True),
        }


def _apply(edge: CrosswalkEdge, ranges: list[Range], lo_t: int, hi_t: int) -> Range:
    lm = edge.levels
    if lm.kind == "identity":
        lo, hi = ranges[0]
    elif lm.kind == "table":
        src_lo, src_hi = ranges[0]
        mapped = [lm.table.get(level, (level, level)) for level in range(src_lo, src_hi + 1)]
        lo, hi = min(m[0] for m in mapped), max(m[1] for m in mapped)
    elif lm.kind == "min":
        lo, hi = min(r[0] for r in ranges), min(r[1] for r in ranges)
    elif lm.kind == "max":
        lo, hi = max(r[0] for r in ranges), max(r[1] for r in ranges)
    else:  # mean
        lo = math.floor(Fraction(sum(r[0] for r in ranges), len(ranges)))
        hi = math.ceil(Fraction(sum(r[1] for r in ranges), len(ranges)))
    lo, hi = lo - lm.widen, hi + lm.widen
    return max(lo_t, min(lo, hi_t)), max(lo_t, min(hi, hi_t))


def propagate(
    composed: ComposedCrosswalk, catalogues: Mapping[str, Catalogue], start: Mapping[str, Range]
) -> dict[str, Range]:
    ranges = dict(start)
    for cw in composed.path:
        target = catalogues[cw.target]
        bounds = {i.id: (target.scale(i.scale).min, target.scale(i.scale).max) for i in target.indicators()}
        nxt: dict[str, Range] = {}
        for edge in cw.edges:
            if edge.relation in ("removed", "new"):
                continue
            src = [ranges[s] for s in edge.sources]
            for t in edge.targets:
                nxt[t] = _apply(edge, src, *bounds[t])
        ranges = {t: nxt.get(t, bounds[t]) for t in bounds}  # new or unmapped: anything on the scale
    return ranges


def migrate(
    a: Assessment,
    composed: ComposedCrosswalk,
    catalogues: Mapping[str, Catalogue],
    source_cc: CompiledCatalogue,
    target_cc: CompiledCatalogue,
) -> Migration:
    start: dict[str, Range] = {}
    for n, iid in enumerate(source_cc.ids):
        level = a.levels.get(iid)
        start[iid] = (level, level) if level is not None else (source_cc.lo[n], source_cc.hi[n])
    ranges = propagate(composed, catalogues, start)
    ordered = {iid: ranges[iid] for iid in target_cc.ids}
    low = sum(ordered[i][0] * w for i, w in zip(target_cc.ids, target_cc.weights, strict=True))
    high = sum(ordered[i][1] * w for i, w in zip(target_cc.ids, target_cc.weights, strict=True))
    rng = IndexRange(
        Fraction(low, target_cc.total),
        Fraction(high, target_cc.total),
        target_cc.band(low, target_cc.total).predikat,
        target_cc.band(high, target_cc.total).predikat,
    )
    needs = tuple(i for i in target_cc.ids if composed.provenance[i].new)
    certain = {i: r[0] for i, r in ordered.items() if r[0] == r[1] and i not in needs}
    path = " → ".join([composed.source, *(cw.target for cw in composed.path)])
    migrated = Assessment(
        catalogue=composed.target,
        subject=a.subject,
        period=a.period,
        levels=certain,
        tags={**a.tags, "migrated_from": path},
    )
    return Migration(a, migrated, ordered, dict(composed.provenance), needs, rng, composed)

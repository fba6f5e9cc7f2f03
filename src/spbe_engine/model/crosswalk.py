"""Crosswalks: how the indicators of one catalogue map onto another's, with how sure we are.

A crosswalk is data (YAML) contributed through the `spbe_crosswalks` hook. Each edge says which
source indicators feed which target indicators, the relation, how levels carry over (identity, a
table, or a combination for merges), a confidence and its basis — an official mapping or one
inferred from names and definitions. Uncertain mappings give level *ranges*, never a guess.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..exact import whole_number
from ..i18n import tr
from ._base import StrictModel
from .catalogue import Note, Source

__all__ = ["Crosswalk", "CrosswalkEdge", "LevelMap"]

Relation = Literal["equal", "renamed", "split", "merged", "partial", "removed", "new"]


def _ids(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return tuple(str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v)
    return v


class LevelMap(StrictModel):
    """How source levels become a target level range.

    - `identity`: the same level (clamped to the target scale);
    - `table`: source level → target level, or [low, high] when the mapping is uncertain;
    - `min` / `max` / `mean`: combine several sources (merges); `mean` gives the range from the
      floor of the lowest mean to the ceiling of the highest;
    - `widen`: extra ± levels of uncertainty on top (e.g. 1 for a partial, re-scoped mapping).
    """

    kind: Literal["identity", "table", "min", "max", "mean"] = "identity"
    table: dict[int, tuple[int, int]] = Field(default_factory=dict)
    widen: int = Field(default=0, ge=0)

    @field_validator("widen", mode="before")
    @classmethod
    def _whole_numbers(cls, v: object) -> object:
        """ASCII whole numbers only: pydantic's int parsing also reads "0_3", " 3 " and "3.0"."""
        return None if v is None else whole_number(v)

    @field_validator("table", mode="before")
    @classmethod
    def _pairs(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: (x, x) if isinstance(x, int) and not isinstance(x, bool) else x for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _shape(self) -> LevelMap:
        if self.kind == "table" and not self.table:
            raise ValueError(tr("a table level map needs `table`"))
        for src, (lo, hi) in self.table.items():
            if lo > hi:
                raise ValueError(tr("table entry {src}: [{lo}, {hi}] is not a range", src=src, lo=lo, hi=hi))
        return self


class CrosswalkEdge(StrictModel):
    """One mapping between source and target indicators."""

    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    relation: Relation
    levels: LevelMap = LevelMap()
    confidence: Literal["high", "medium", "low"]
    basis: Literal["official", "inferred"]
    citation: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("sources", "targets", mode="before")
    @classmethod
    def _norm(cls, v: object) -> object:
        return _ids(v)

    @model_validator(mode="after")
    def _arity(self) -> CrosswalkEdge:
        s, t, rel = len(self.sources), len(self.targets), self.relation
        ok = {
            "removed": s >= 1 and t == 0,
            "new": s == 0 and t >= 1,
            "split": s == 1 and t >= 2,
            "merged": s >= 2 and t == 1,
        }.get(rel, s >= 1 and t >= 1)
        if not ok:
            raise ValueError(
                tr(
                    "a {rel!r} edge cannot map {sources} to {targets}",
                    rel=rel,
                    sources=list(self.sources),
                    targets=list(self.targets),
                )
            )
        if s > 1 and self.levels.kind in ("identity", "table"):
            raise ValueError(
                tr(
                    "edge {sources} → {targets}: several sources need min, max or mean",
                    sources=list(self.sources),
                    targets=list(self.targets),
                )
            )
        return self


class Crosswalk(StrictModel):
    """A crosswalk from catalogue `source` to catalogue `target`."""

    id: str
    source: str
    target: str
    title: str
    edges: tuple[CrosswalkEdge, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()

    @model_validator(mode="after")
    def _targets_once(self) -> Crosswalk:
        if self.source == self.target:
            raise ValueError(tr("crosswalk {id!r} maps {source} onto itself", id=self.id, source=self.source))
        seen: set[str] = set()
        for edge in self.edges:
            for t in edge.targets:
                if t in seen:
                    raise ValueError(
                        tr("crosswalk {id!r}: target indicator {t!r} appears in more than one edge", id=self.id, t=t)
                    )
                seen.add(t)
        return self

"""Catalogue diff: what changed between two regulation versions.

Indicators are matched through the crosswalk between the two catalogues when one exists (composed
along the version graph), otherwise by id and name. Groups are matched by name (a renamed group
shows as removed and added).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..i18n import N_, tr, translate
from ..model.catalogue import Catalogue, Group, Indicator
from ..results import Cell, Result, in_language
from ..tabular import cell_text
from .compose import ComposedCrosswalk

#: What `CatalogueDiff.counts` counts, and how indicators were matched without a crosswalk.
_COUNTED = (N_("indicators"), N_("groups"), N_("top-level groups"))
_BY_ID_AND_NAME = N_("id and name")


def _matched_by(how: str) -> str:
    """How indicators were matched, in the current language ("crosswalk a → b", "id and name")."""
    if how.startswith("crosswalk "):
        return tr("crosswalk {path}", path=how.removeprefix("crosswalk "))
    return translate(how)


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("tingkat kematangan", "").split())


@dataclass(frozen=True)
class CatalogueChange:
    """One change: its kind, the ids on each side, and what it was and became."""

    kind: str  # added, removed, renamed, moved, reweighted, rescaled, split, merged, partial, band
    what: str  # indicator, group or band
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class CatalogueDiff(Result):
    """What changed between two catalogues: one `CatalogueChange` per change, in `changes`."""

    old: str
    new: str
    changes: tuple[CatalogueChange, ...]
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    matched_by: str = _BY_ID_AND_NAME

    def _of(self, kind: str, what: str = "indicator") -> list[CatalogueChange]:
        return [c for c in self.changes if c.kind == kind and c.what == what]

    added = property(lambda self: self._of("added"))
    removed = property(lambda self: self._of("removed"))
    renamed = property(lambda self: self._of("renamed"))
    moved = property(lambda self: self._of("moved"))
    reweighted = property(lambda self: self._of("reweighted"))
    rescaled = property(lambda self: self._of("rescaled"))
    split = property(lambda self: self._of("split"))
    merged = property(lambda self: self._of("merged"))
    groups_added = property(lambda self: self._of("added", "group"))
    groups_removed = property(lambda self: self._of("removed", "group"))
    groups_reweighted = property(lambda self: self._of("reweighted", "group"))
    bands = property(lambda self: [c for c in self.changes if c.what == "band"])

    headers = ("change", "what", "old", "new", "was", "becomes")

    def rows(self) -> list[list[Cell]]:
        """One row per change: its kind, what changed, the ids on each side, what it was and becomes."""
        return [[c.kind, c.what, ", ".join(c.old_ids), ", ".join(c.new_ids), c.old, c.new] for c in self.changes]

    def summary(self, lang: str | None = None) -> str:
        """`spbe-2020 → pemdi-2026 (indicators: 47 → 47; ...; indicators matched by id and name)` in `lang`
        (default: the current language)."""
        with in_language(lang):
            parts = [f"{translate(k)}: {a} → {b}" for k, (a, b) in self.counts.items()]
            return tr(
                "{old} → {new} ({changes}; indicators matched by {matched_by})",
                old=self.old,
                new=self.new,
                changes="; ".join(parts),
                matched_by=_matched_by(self.matched_by),
            )

    def to_markdown(self) -> str:
        lines = [
            f"# {self.old} → {self.new}",
            "",
            self.summary(),
            "",
            "| " + " | ".join(self.headers) + " |",
            "|" + " --- |" * len(self.headers),
        ]
        for row in self.rows():
            lines.append("| " + " | ".join(cell_text(cell).replace("|", "\\|") for cell in row) + " |")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "matched_by": self.matched_by,
            "counts": {k: list(v) for k, v in self.counts.items()},
            "changes": [c.__dict__ | {"old_ids": list(c.old_ids), "new_ids": list(c.new_ids)} for c in self.changes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _paths(cat: Catalogue) -> dict[str, tuple[Indicator, str]]:
    out: dict[str, tuple[Indicator, str]] = {}

    def visit(g: Group, trail: tuple[str, ...]) -> None:
        here = (*trail, g.name)
        for sub in g.groups:
            visit(sub, here)
        for ind in g.indicators:
            out[ind.id] = (ind, " / ".join(here))

    for g in cat.groups:
        visit(g, ())
    return out


def _scale_sig(cat: Catalogue, ind: Indicator) -> str:
    s = cat.scale(ind.scale)
    return f"{s.min}–{s.max}: " + ", ".join(lv.name for lv in s.levels)


def diff(old: Catalogue, new: Catalogue, crosswalk: ComposedCrosswalk | None) -> CatalogueDiff:
    changes: list[CatalogueChange] = []
    po, pn = _paths(old), _paths(new)
    pairs: list[tuple[str, str]] = []
    if crosswalk is not None:
        for t, prov in crosswalk.provenance.items():
            if prov.new or not prov.sources:
                changes.append(CatalogueChange("added", "indicator", (), (t,), "", pn[t][0].name))
            elif len(prov.sources) > 1:
                changes.append(CatalogueChange("merged", "indicator", prov.sources, (t,), "", pn[t][0].name))
            else:
                pairs.append((prov.sources[0], t))
                if "partial" in prov.relations:
                    src = prov.sources[0]
                    changes.append(
                        CatalogueChange("partial", "indicator", (src,), (t,), po[src][0].name, pn[t][0].name)
                    )
        for s in crosswalk.removed:
            changes.append(CatalogueChange("removed", "indicator", (s,), (), po[s][0].name, ""))
        fan: dict[str, list[str]] = {}
        for s, t in pairs:
            fan.setdefault(s, []).append(t)
        for s, ts in fan.items():
            if len(ts) > 1:
                changes.append(CatalogueChange("split", "indicator", (s,), tuple(ts), po[s][0].name, ""))
        pairs = [(s, t) for s, t in pairs if len(fan[s]) == 1]
    else:
        by_name = {_norm(i.name): iid for iid, (i, _) in pn.items()}
        used: set[str] = set()
        for iid, (ind, _) in po.items():
            match = iid if iid in pn and _norm(pn[iid][0].name) == _norm(ind.name) else by_name.get(_norm(ind.name))
            if match is None or match in used:
                changes.append(CatalogueChange("removed", "indicator", (iid,), (), ind.name, ""))
            else:
                used.add(match)
                pairs.append((iid, match))
        for iid, (ind, _) in pn.items():
            if iid not in used:
                changes.append(CatalogueChange("added", "indicator", (), (iid,), "", ind.name))
    for s, t in pairs:
        (oi, opath), (ni, npath) = po[s], pn[t]
        if _norm(oi.name) != _norm(ni.name):
            changes.append(CatalogueChange("renamed", "indicator", (s,), (t,), oi.name, ni.name))
        if _norm(opath) != _norm(npath):
            changes.append(CatalogueChange("moved", "indicator", (s,), (t,), opath, npath))
        if oi.weight != ni.weight:
            changes.append(CatalogueChange("reweighted", "indicator", (s,), (t,), str(oi.weight), str(ni.weight)))
        if _scale_sig(old, oi) != _scale_sig(new, ni):
            changes.append(
                CatalogueChange("rescaled", "indicator", (s,), (t,), _scale_sig(old, oi), _scale_sig(new, ni))
            )
    changes.extend(_groups(old, new))
    changes.extend(_bands(old, new))
    sizes = (
        (len(po), len(pn)),
        (len(list(old.all_groups())), len(list(new.all_groups()))),
        (len(old.groups), len(new.groups)),
    )
    counts = dict(zip(_COUNTED, sizes, strict=True))
    how = f"crosswalk {' → '.join(cw.id for cw in crosswalk.path)}" if crosswalk else _BY_ID_AND_NAME
    return CatalogueDiff(old.id, new.id, tuple(changes), counts, how)


def _groups(old: Catalogue, new: Catalogue) -> list[CatalogueChange]:
    og, ng = list(old.all_groups()), list(new.all_groups())
    by_name = {_norm(g.name): g for g in ng}
    matched: set[str] = set()
    out = []
    for g in og:
        m = by_name.get(_norm(g.name))
        if m is None or m.id in matched:
            out.append(CatalogueChange("removed", "group", (g.id,), (), f"{g.name} ({g.weight})", ""))
            continue
        matched.add(m.id)
        if g.weight != m.weight:
            out.append(
                CatalogueChange(
                    "reweighted", "group", (g.id,), (m.id,), f"{g.name}: {g.weight}", f"{m.name}: {m.weight}"
                )
            )
    for g in ng:
        if g.id not in matched:
            out.append(CatalogueChange("added", "group", (), (g.id,), "", f"{g.name} ({g.weight})"))
    return out


def _bands(old: Catalogue, new: Catalogue) -> list[CatalogueChange]:
    def sig(c: Catalogue) -> list[tuple[Decimal, str]]:
        return [(b.lower, b.predikat) for b in c.bands]

    if sig(old) == sig(new):
        return []

    def fmt(c: Catalogue) -> str:
        return "; ".join(f"{p} ≥ {lo}" for lo, p in sig(c))

    return [CatalogueChange("changed", "band", (), (), fmt(old), fmt(new))]

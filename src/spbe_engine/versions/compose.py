"""The version graph (networkx) and crosswalks composed along its paths."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CatalogueError
from ..i18n import tr
from ..model.catalogue import Catalogue
from ..model.crosswalk import Crosswalk

if TYPE_CHECKING:
    import networkx as nx

CONFIDENCE = ("low", "medium", "high")


@dataclass(frozen=True)
class Provenance:
    """Where a target indicator comes from, through every step of the path."""

    indicator: str
    sources: tuple[str, ...]  # indicators of the first catalogue on the path
    relations: tuple[str, ...]  # one per step
    confidence: str | None  # the weakest along the path; None for new indicators
    basis: str  # "official" only when every step is official
    path: tuple[str, ...]  # crosswalk ids

    @property
    def new(self) -> bool:
        return "new" in self.relations


@dataclass(frozen=True)
class ComposedCrosswalk:
    """A crosswalk from `source` to `target`, direct or composed along the version graph."""

    source: str
    target: str
    path: tuple[Crosswalk, ...]
    provenance: Mapping[str, Provenance]  # per target indicator
    removed: tuple[str, ...]  # source indicators that map to nothing

    @property
    def edges(self) -> list[Provenance]:
        return list(self.provenance.values())


def version_graph(crosswalks: Sequence[Crosswalk]) -> nx.DiGraph[str]:
    import networkx as nx

    g: nx.DiGraph[str] = nx.DiGraph()
    for cw in crosswalks:
        g.add_edge(cw.source, cw.target, crosswalk=cw)
    return g


def path_between(g: nx.DiGraph[str], source: str, target: str) -> tuple[Crosswalk, ...]:
    import networkx as nx

    if source == target:
        raise CatalogueError(
            tr("{source} and {target} are the same catalogue", source=source, target=target), field="to"
        )
    try:
        nodes = nx.shortest_path(g, source, target)
    except (nx.NodeNotFound, nx.NetworkXNoPath):
        known = sorted(f"{u} → {v}" for u, v in g.edges)
        raise CatalogueError(
            tr("no crosswalk path from {source} to {target}", source=source, target=target),
            field="to",
            allowed=known or "no crosswalks installed",
        ) from None
    return tuple(g.edges[u, v]["crosswalk"] for u, v in itertools.pairwise(nodes))


def check_against(cw: Crosswalk, source: Catalogue, target: Catalogue) -> None:
    """Every edge names indicators that exist in its catalogues."""
    src = {i.id for i in source.indicators()}
    tgt = {i.id for i in target.indicators()}
    for n, edge in enumerate(cw.edges, 1):
        for s in edge.sources:
            if s not in src:
                raise CatalogueError(
                    tr(
                        "crosswalk {id!r} edge {n} names unknown {catalogue} indicator {s!r}",
                        id=cw.id,
                        n=n,
                        catalogue=source.id,
                        s=s,
                    )
                )
        for t in edge.targets:
            if t not in tgt:
                raise CatalogueError(
                    tr(
                        "crosswalk {id!r} edge {n} names unknown {catalogue} indicator {t!r}",
                        id=cw.id,
                        n=n,
                        catalogue=target.id,
                        t=t,
                    )
                )


def compose(path: tuple[Crosswalk, ...], catalogues: Mapping[str, Catalogue]) -> ComposedCrosswalk:
    first = catalogues[path[0].source]
    prov: dict[str, Provenance] = {
        i.id: Provenance(i.id, (i.id,), (), "high", "official", ()) for i in first.indicators()
    }
    for cw in path:
        target = catalogues[cw.target]
        nxt: dict[str, Provenance] = {}
        for edge in cw.edges:
            if edge.relation == "removed":
                continue
            for t in edge.targets:
                if edge.relation == "new":
                    nxt[t] = Provenance(t, (), (edge.relation,), None, edge.basis, (cw.id,))
                    continue
                # Only parents that carry information count: a source that was itself new adds nothing,
                # and the order in which an edge lists its sources must not matter.
                parents = [prov[s] for s in edge.sources if s in prov and not prov[s].new]
                if not parents:
                    nxt[t] = Provenance(t, (), ("new",), None, "inferred", (cw.id,))
                    continue
                sources = tuple(dict.fromkeys(x for p in parents for x in p.sources))
                conf = min([*(p.confidence for p in parents if p.confidence), edge.confidence], key=CONFIDENCE.index)
                official = edge.basis == "official" and all(p.basis == "official" for p in parents)
                weakest = min(parents, key=lambda p: (CONFIDENCE.index(p.confidence or "low"), p.relations))
                nxt[t] = Provenance(
                    t,
                    sources,
                    (*weakest.relations, edge.relation),
                    conf,
                    "official" if official else "inferred",
                    (*weakest.path, cw.id),
                )
        for ind in target.indicators():
            if ind.id not in nxt:  # not named by any edge: nothing to carry over
                nxt[ind.id] = Provenance(ind.id, (), ("new",), None, "inferred", (cw.id,))
        prov = nxt
    reached = {s for p in prov.values() for s in p.sources}
    removed = tuple(sorted((i.id for i in first.indicators() if i.id not in reached), key=_num))
    return ComposedCrosswalk(path[0].source, path[-1].target, path, prov, removed)


def _num(i: str) -> tuple[int, str]:
    return (int(i), i) if i.isdigit() else (1 << 30, i)

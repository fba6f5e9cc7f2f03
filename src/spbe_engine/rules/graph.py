"""One directed dependency graph per catalogue (networkx): computation edges indicator → group →
index, plus rule edges (inputs → rule → target). Built and checked once, when the catalogue and
its plugins resolve; a cycle among rules or a rule on an unknown indicator is refused by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from ..errors import CatalogueError
from ..model.catalogue import Catalogue, Group
from ..model.rules import Rule

INDEX = "index"


def rule_node(rule_id: str) -> str:
    return f"rule:{rule_id}"


def build_graph(
    catalogue: Catalogue, rules: Sequence[Rule], origins: Mapping[str, str] | None = None
) -> nx.DiGraph[str]:
    g: nx.DiGraph[str] = nx.DiGraph(catalogue=catalogue.id)
    g.add_node(INDEX, kind="index", name=catalogue.index_name)

    def visit(group: Group, parent: str) -> None:
        g.add_node(group.id, kind="group", group_kind=group.kind, name=group.name, weight=str(group.weight))
        g.add_edge(group.id, parent, kind="computation")
        for sub in group.groups:
            visit(sub, group.id)
        for ind in group.indicators:
            g.add_node(ind.id, kind="indicator", name=ind.name, weight=str(ind.weight), scale=ind.scale)
            g.add_edge(ind.id, group.id, kind="computation")

    for top in catalogue.groups:
        visit(top, INDEX)
    indicators = {i.id for i in catalogue.indicators()}
    for rule in rules:
        unknown = [i for i in (*rule.sources_of(), *rule.targets()) if i not in indicators]
        if unknown:
            raise CatalogueError(
                f"rule {rule.id!r} names unknown indicator {unknown[0]!r} of catalogue {catalogue.id}"
                + _from(origins, [rule.id]),
                field="rules",
            )
        node = rule_node(rule.id)
        g.add_node(node, kind="rule", rule_type=rule.type, severity=rule.severity, basis=rule.basis)
        for src in dict.fromkeys(rule.sources_of()):
            g.add_edge(src, node, kind="rule-input")
        if rule.type != "distinct":  # a validation reads, it changes nothing downstream
            for target in rule.targets():
                g.add_edge(node, target, kind="rule-target")
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return g
    path = [edge[0] for edge in cycle] + [cycle[0][0]]
    in_cycle = [n.removeprefix("rule:") for n in path if n.startswith("rule:")]
    raise CatalogueError(
        f"rule cycle in catalogue {catalogue.id}: {' → '.join(path)}" + _from(origins, in_cycle), field="rules"
    )


def _from(origins: Mapping[str, str] | None, rule_ids: Sequence[str]) -> str:
    """Where the rules came from (the catalogue or a plugin, as the registry attributed them)."""
    if not origins:
        return ""
    named = list(dict.fromkeys(origins[r] for r in rule_ids if r in origins))
    return f" [from {', '.join(repr(n) for n in named)}]" if named else ""


def rule_order(g: nx.DiGraph[str]) -> list[str]:
    """Rule node ids in a deterministic topological order (ties broken by id, so the order plugins
    were registered in never matters)."""
    return [n for n in nx.lexicographical_topological_sort(g, key=str) if g.nodes[n]["kind"] == "rule"]

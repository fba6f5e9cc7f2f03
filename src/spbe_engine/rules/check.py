"""Applying rules to an assessment: evidence findings, caps in topological order, prerequisites and
validations. Everything here runs on data compiled at resolution time; no hook is called."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..i18n import tr
from ..model.assessment import Assessment
from ..model.catalogue import Catalogue
from ..model.rules import Rule
from .evidence import LevelNeed, Support, check_items, compile_needs, supported_level
from .finding import Finding, LevelChange
from .graph import build_graph, rule_node, rule_order

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CheckOutcome", "CompiledRules", "compile_rules"]


@dataclass(frozen=True)
class CompiledRules:
    catalogue: Catalogue
    graph: nx.DiGraph[str]
    ordered: tuple[Rule, ...]  # topological order
    needs: dict[str, dict[int, LevelNeed]]
    lo: dict[str, int]
    hi: dict[str, int]
    kinds: frozenset[str]


@dataclass(frozen=True)
class CheckOutcome:
    """Findings, the levels after caps, and the changes the caps made."""

    findings: tuple[Finding, ...]
    levels: dict[str, int]
    changes: tuple[LevelChange, ...]
    supported: dict[str, Support]


def compile_rules(
    catalogue: Catalogue, rules: tuple[Rule, ...], origins: Mapping[str, str] | None = None
) -> CompiledRules:
    """Check and order `rules` on the dependency graph; `origins` (rule id → plugin) names the plugin
    of a rule that is refused."""
    graph = build_graph(catalogue, rules, origins)
    by_node = {rule_node(r.id): r for r in rules}
    ordered = tuple(by_node[n] for n in rule_order(graph))
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}
    for ind in catalogue.indicators():
        scale = catalogue.scale(ind.scale)
        lo[ind.id], hi[ind.id] = scale.min, scale.max
    import networkx as nx

    nx.freeze(graph)
    return CompiledRules(
        catalogue, graph, ordered, compile_needs(catalogue), lo, hi, frozenset(k.id for k in catalogue.evidence.kinds)
    )


def supported_levels(cr: CompiledRules, a: Assessment, as_of: dt.date) -> dict[str, Support]:
    out: dict[str, Support] = {}
    for iid, items in a.evidence.items():
        if iid not in cr.needs:
            from ..errors import AssessmentError

            raise AssessmentError(
                tr("assessment {subject!r}: evidence for unknown indicator {iid!r}", subject=a.subject, iid=iid),
                field=f"evidence.{iid}",
            )
        check_items(iid, items, cr.lo[iid], cr.hi[iid], set(cr.kinds), a.subject)
        out[iid] = supported_level(iid, items, cr.needs[iid], cr.lo[iid], as_of)
    return out


def _finding(
    rule: Rule,
    indicators: tuple[str, ...],
    values: dict[str, Any],
    trace: tuple[str, ...],
    change: LevelChange | None = None,
) -> Finding:
    """A rule's finding, its message filled in both languages."""
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        basis=rule.basis,
        indicators=indicators,
        messages={"en": _fmt(rule, "en", **values), "id": _fmt(rule, "id", **values)},
        citation=rule.citation,
        trace=trace,
        change=change,
    )


def _fmt(rule: Rule, lang: str, **values: Any) -> str:
    template = rule.message.en if lang == "en" else rule.message.id
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _readable(text: str, names: Mapping[str, str]) -> str:
    """`text` with evidence kind ids (`review_report`) as the names people know ("Laporan reviu/evaluasi");
    ids of evidence items (file names such as `1.b.Laporan_Reviu.pdf`) are left alone."""
    if not names:
        return text
    pattern = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
    # one pass: a name holding another kind's id ("Enacted policy document") is not replaced again
    return re.sub(rf"(?<![\w.-])(?:{pattern})(?![\w.-])", lambda m: f"“{names[m.group()]}”", text)


def _evidence_finding(cr: CompiledRules, a: Assessment, s: Support) -> Finding:
    declared = a.levels[s.indicator]
    need = s.need
    assert need is not None
    kinds = cr.catalogue.evidence.kinds
    messages = {}
    for lang, pick, names in (
        ("en", 0, {k.id: k.name_en or k.name for k in kinds}),
        ("id", 1, {k.id: k.name for k in kinds}),
    ):
        why = "; ".join(reason[pick] for reason in s.reasons) or tr("requirements not met", lang=lang)
        messages[lang] = tr(
            "Indicator {indicator} is declared at level {declared} but its evidence supports only"
            " level {level}: {why}.",
            lang=lang,
            indicator=s.indicator,
            declared=declared,
            level=s.level,
            why=_readable(why, names),
        )
    return Finding(
        rule_id=need.rule_id,
        severity="error",
        basis=need.basis,
        indicators=(s.indicator,),
        messages=messages,
        citation=need.citation,
        trace=s.considered,
    )


def check(cr: CompiledRules, a: Assessment, as_of: dt.date) -> CheckOutcome:
    findings: list[Finding] = []
    supported = supported_levels(cr, a, as_of)
    for iid in cr.needs:  # catalogue order
        s = supported.get(iid)
        if s is not None and iid in a.levels and a.levels[iid] > s.level:
            findings.append(_evidence_finding(cr, a, s))
    levels = dict(a.levels)  # after caps, applied in topological order
    declared = dict(a.levels)  # prerequisites judge what was declared, whatever a cap did
    changes: list[LevelChange] = []
    for rule in cr.ordered:
        if rule.type == "distinct":
            findings.extend(_distinct(cr, rule, a))
        elif rule.type == "cap":
            findings.extend(_condition(cr, rule, levels, changes))
        else:
            findings.extend(_condition(cr, rule, declared, changes))
    return CheckOutcome(tuple(findings), levels, tuple(changes), supported)


def _condition(cr: CompiledRules, rule: Rule, levels: dict[str, int], changes: list[LevelChange]) -> list[Finding]:
    iid = rule.indicator
    assert iid is not None
    level = levels.get(iid)
    if level is None:
        return []
    at = rule.at_level if rule.at_level is not None else cr.lo[iid]
    if level < at:
        return []
    out: list[Finding] = []
    for req in rule.requires:
        level = levels[iid]  # a cap on an earlier requirement may have lowered it
        actual = levels.get(req)
        if actual is None or level < at:
            continue
        needed = rule.min_level if rule.min_level is not None else level - (rule.max_gap or 0)
        if actual >= needed:
            continue
        values: dict[str, Any] = {
            "indicator": iid,
            "level": level,
            "requires": req,
            "actual": actual,
            "required_level": needed,
            "limit": rule.max_gap if rule.max_gap is not None else rule.min_level,
        }
        change = None
        if rule.type == "cap":
            cap = at - 1 if rule.min_level is not None else actual + (rule.max_gap or 0)
            cap = max(cap, cr.lo[iid])
            if cap < levels[iid]:
                change = LevelChange(iid, levels[iid], cap, rule.id)
                changes.append(change)
                levels[iid] = cap
                values["cap"] = cap
        out.append(_finding(rule, (iid, req), values, (f"{iid}={level}", f"{req}={actual}"), change))
    return out


_FILLER = {"tingkat", "kematangan", "layanan"}


def _norm(name: str) -> str:
    """Compare service names without the words every indicator name shares (whole words only)."""
    return " ".join(w for w in name.casefold().split() if w not in _FILLER)


def _distinct(cr: CompiledRules, rule: Rule, a: Assessment) -> list[Finding]:
    names = {i: a.services.get(i) for i in rule.indicators}
    if not any(names.values()):
        return []
    taken: dict[str, str] = {}
    for other in rule.against:
        taken[_norm(a.services.get(other) or cr.catalogue.indicator(other).name)] = other
    out: list[Finding] = []
    for iid in rule.indicators:
        name = names[iid]
        if not name:
            continue
        key = _norm(name)
        clash = taken.get(key)
        if clash is not None:
            values = {"indicator": iid, "service": name, "requires": clash}
            other = a.services.get(clash) or cr.catalogue.indicator(clash).name
            out.append(_finding(rule, (iid, clash), values, (f"{iid}: {name}", f"{clash}: {other}")))
        taken.setdefault(key, iid)
    return out

"""Accountability per unit: each OPD's indicators, what they are worth to the city's index, the
evidence still open, the findings, the stages, and its share of the planner's recommended steps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display, exact_text
from ..i18n import N_, number, tr
from ..model.assessment import STAGES
from ..results import Cell, Result, deprecated_alias
from .ownership import Ownership, Targets, Unit

if TYPE_CHECKING:
    from ..rules.finding import Finding
    from ..scoring.result import ScoreResult
    from ..whatif.planner import Plan

__all__ = ["Accountability", "IndicatorLine", "UnitReport"]

EVIDENCE_STATUSES = ("pending", "accepted", "rejected", "needs_revision")


def points(f: Fraction) -> str:
    return display(f.numerator, f.denominator, 4)


@dataclass(frozen=True)
class IndicatorLine:
    indicator: str
    name: str
    role: str  # lead or support
    level: int
    target: int | None
    max_level: int
    weight: Decimal
    at_stake_target: Fraction  # index gain if the indicator reaches its target
    at_stake_max: Fraction  # index gain if it reaches the top of its scale
    evidence: dict[str, int]
    findings: tuple[Finding, ...]
    plan_steps: int
    stages: dict[str, int | None] = field(default_factory=dict)

    @property
    def stage_gap(self) -> int | None:
        """Self-assessment minus the last verified stage (final, else external assessor)."""
        own = self.stages.get("self_assessment")
        verified = (
            self.stages.get("final") if self.stages.get("final") is not None else self.stages.get("external_assessor")
        )
        return None if own is None or verified is None else own - verified


@dataclass(frozen=True)
class UnitReport(Result):
    """One unit's (OPD's) indicators — those it leads, then those it supports — with what each is
    worth to the index, its evidence, findings and planned steps."""

    unit: Unit
    lines: tuple[IndicatorLine, ...]
    plan_total_steps: int

    @property
    def lead(self) -> tuple[IndicatorLine, ...]:
        return tuple(x for x in self.lines if x.role == "lead")

    @property
    def at_stake_target(self) -> Fraction:
        return sum((x.at_stake_target for x in self.lead), Fraction(0))

    @property
    def at_stake_max(self) -> Fraction:
        return sum((x.at_stake_max for x in self.lead), Fraction(0))

    @property
    def plan_steps(self) -> int:
        return sum(x.plan_steps for x in self.lead)

    @property
    def plan_share(self) -> Fraction:
        return Fraction(self.plan_steps, self.plan_total_steps) if self.plan_total_steps else Fraction(0)

    @property
    def evidence(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for x in self.lead:
            total.update(x.evidence)
        return {s: total[s] for s in EVIDENCE_STATUSES}

    @property
    def findings(self) -> list[Finding]:
        return [f for x in self.lead for f in x.findings]

    headers = (
        N_("indicator"),
        N_("name"),
        N_("role"),
        N_("level"),
        N_("target"),
        N_("weight"),
        N_("at stake (target)"),
        N_("at stake (max)"),
        N_("evidence pending/accepted/rejected/revision"),
        N_("findings"),
        N_("plan steps"),
    )

    def rows(self) -> list[list[Cell]]:
        """Per indicator: role, level, target, weight, the index points at stake (to the target and to
        the maximum, 4 decimals), evidence counts, findings and planned steps."""
        return [
            [
                x.indicator,
                x.name,
                x.role,
                str(x.level),
                "" if x.target is None else str(x.target),
                str(x.weight),
                points(x.at_stake_target),
                points(x.at_stake_max),
                "/".join(str(x.evidence[s]) for s in EVIDENCE_STATUSES),
                "; ".join(f"{f.severity}: {f.rule_id}" for f in x.findings),
                str(x.plan_steps),
            ]
            for x in self.lines
        ]

    def summary(self) -> str:
        return tr(
            "{unit}: {lead} lead indicator(s), {supported} supported; {target} index points at stake to the"
            " targets, {max} to the maximum; {steps} planned step(s)",
            unit=self.unit.name,
            lead=len(self.lead),
            supported=len(self.lines) - len(self.lead),
            target=number(points(self.at_stake_target), places=None),
            max=number(points(self.at_stake_max), places=None),
            steps=self.plan_steps,
        )

    def to_dict(self) -> dict[str, Any]:
        """The unit, its totals (exact points at stake, plan share, evidence counts) and every
        indicator line with its exact weight and points at stake, stages and findings."""
        return {
            "unit": {"id": self.unit.id, "name": self.unit.name, "contact": self.unit.contact},
            "at_stake_target": exact_text(self.at_stake_target),
            "at_stake_max": exact_text(self.at_stake_max),
            "plan_steps": self.plan_steps,
            "plan_share": exact_text(self.plan_share),
            "evidence": self.evidence,
            "indicators": [
                {
                    "indicator": x.indicator,
                    "name": x.name,
                    "role": x.role,
                    "level": x.level,
                    "target": x.target,
                    "max_level": x.max_level,
                    "weight": exact_text(x.weight),
                    "at_stake_target": exact_text(x.at_stake_target),
                    "at_stake_max": exact_text(x.at_stake_max),
                    "evidence": dict(x.evidence),
                    "findings": [f.to_dict() for f in x.findings],
                    "plan_steps": x.plan_steps,
                    "stages": dict(x.stages),
                    "stage_gap": x.stage_gap,
                }
                for x in self.lines
            ],
        }

    stage_headers = (N_("indicator"), *STAGES, N_("gap (self − verified)"))

    def stage_rows(self) -> list[list[str]]:
        out = []
        for x in self.lines:
            if not any(v is not None for v in x.stages.values()):
                continue
            gap = x.stage_gap
            out.append(
                [
                    x.indicator,
                    *("" if x.stages.get(s) is None else str(x.stages[s]) for s in STAGES),
                    "" if gap is None else f"{gap:+d}",
                ]
            )
        return out


@dataclass(frozen=True)
class Accountability(Result):
    """The accountability report of one assessment: the city summary and one report per unit.
    As a table: one row per unit, ranked by the index points at stake."""

    result: ScoreResult
    ownership: Ownership
    targets: Targets | None
    plan: Plan | None
    units: tuple[UnitReport, ...]  # ranked by points at stake (to target, then to the maximum)

    def unit(self, unit_id: str) -> UnitReport:
        for u in self.units:
            if u.unit.id == unit_id:
                return u
        raise KeyError(unit_id)

    headers = (
        N_("rank"),
        N_("unit"),
        N_("lead indicators"),
        N_("at stake (target)"),
        N_("at stake (max)"),
        N_("plan share"),
        N_("evidence open (pending or needs revision)"),
        N_("findings"),
    )

    def rows(self) -> list[list[Cell]]:
        """Per unit, ranked: its number of lead indicators, the index points at stake (to the targets
        and to the maximum), its share of the plan, open evidence and findings."""
        return [
            [
                str(n),
                u.unit.name,
                str(len(u.lead)),
                points(u.at_stake_target),
                points(u.at_stake_max),
                display(u.plan_share.numerator * 100, u.plan_share.denominator, 0) + "%",
                str(u.evidence["pending"] + u.evidence["needs_revision"]),
                str(len(u.findings)),
            ]
            for n, u in enumerate(self.units, 1)
        ]

    def summary(self, lang: str | None = None) -> str:
        """The score's line (partial marked), then the improvement plan's, in the current language (or `lang`)."""
        text = self.result.summary(lang)
        if self.plan is not None:
            text += f"; {self.plan.summary(lang)}"
        return text

    summary_headers = deprecated_alias("headers")
    summary_rows = deprecated_alias("rows", "rows()")
    headline = deprecated_alias("summary", "summary()")

    def to_dict(self) -> dict[str, Any]:
        """The score (without its manifest), the plan, and every unit's report (`UnitReport.to_dict`),
        ranked by the index points at stake."""
        return {
            "subject": self.result.subject,
            "period": self.result.period,
            "catalogue": self.result.catalogue,
            "index": exact_text(self.result.fraction),
            "display": self.result.display,
            "predikat": self.result.predikat,
            "plan": None if self.plan is None else self.plan.to_dict(manifest=False),
            "units": [u.to_dict() for u in self.units],
        }


def build(
    result: ScoreResult,
    ownership: Ownership,
    targets: Targets | None,
    findings: list[Finding],
    plan: Plan | None,
) -> Accountability:
    cc = result.compiled
    a = result.assessment
    names = [i.name for i in cc.catalogue.indicators()]
    target_levels = dict(a.stages.get("target", {}))
    if targets is not None:
        target_levels.update(targets.levels)
    steps: Counter[str] = Counter(s.indicator for s in plan.steps) if plan is not None and plan.feasible else Counter()
    total_steps = sum(steps.values())
    lines_by_indicator: dict[str, dict[str, Any]] = {}
    for n, iid in enumerate(cc.ids):
        level, hi, w = result.levels[n], cc.hi[n], cc.weights[n]
        target = target_levels.get(iid)
        gain_t = Fraction(max((target or level) - level, 0) * w, cc.total)
        lines_by_indicator[iid] = {
            "indicator": iid,
            "name": names[n],
            "level": level,
            "target": target,
            "max_level": hi,
            "weight": cc.exact_weights[n],
            "at_stake_target": gain_t,
            "at_stake_max": Fraction((hi - level) * w, cc.total),
            "evidence": {s: sum(1 for e in a.evidence.get(iid, ()) if e.status == s) for s in EVIDENCE_STATUSES},
            "findings": tuple(f for f in findings if iid in f.indicators[:1]),
            "plan_steps": steps.get(iid, 0),
            "stages": {s: a.stages.get(s, {}).get(iid) for s in STAGES},  # type: ignore[call-overload]
        }
    reports = []
    for unit in ownership.units:
        lines = [
            IndicatorLine(role="lead", **lines_by_indicator[r.indicator])
            for r in ownership.indicators
            if r.lead == unit.id
        ]
        lines += [
            IndicatorLine(role="support", **lines_by_indicator[r.indicator])
            for r in ownership.indicators
            if unit.id in r.support
        ]
        order = {iid: n for n, iid in enumerate(cc.ids)}
        lines.sort(key=lambda x: (x.role != "lead", order[x.indicator]))
        reports.append(UnitReport(unit, tuple(lines), total_steps))
    reports.sort(key=lambda u: (-u.at_stake_target, -u.at_stake_max, u.unit.name))
    return Accountability(result, ownership, targets, plan, tuple(reports))

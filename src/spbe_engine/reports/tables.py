"""The report's tables, built once in the current language and shown by every writer.

Why a module of its own: the HTML, Markdown and Excel reports show the same tables; here each cell
keeps its kind — numbers stay `Decimal` (rounded half-up the official way) so the workbook stores
numbers people can sort and sum while the HTML and Markdown write them as the language does ("3,90").
Headers and machine values (roles, stages, yes/no) are translated here; names from the data are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..accountability.report import EVIDENCE_STATUSES
from ..accountability.report import points as points_text
from ..exact import display, exact_text
from ..i18n import N_, number, tr, translate
from ..model.assessment import STAGES
from .i18n import label

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..accountability.report import Accountability, IndicatorLine, UnitReport
    from ..rules.finding import Finding
    from ..scoring.result import ScoreResult

__all__ = [
    "Table",
    "cell_text",
    "dec",
    "findings_text",
    "groups",
    "points",
    "series",
    "stages",
    "unit_lines",
    "units",
]


@dataclass(frozen=True)
class Table:
    """Headers (translated), rows of cells (text, `int` or `Decimal`), and each column's kind for
    layout: "id", "name", "num", "narrow" or "" (see `style.table`)."""

    headers: list[str]
    rows: list[list[Any]]
    kinds: list[str] = field(default_factory=list)

    def shown(self) -> list[list[str]]:
        """The rows as a person reads them: numbers in the language's way ("3,90")."""
        return [[cell_text(c) for c in row] for row in self.rows]


def cell_text(value: Any) -> str:
    """A cell as text: a `Decimal` keeps its digits with the language's decimal mark, None is empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number(value, places=None)
    return str(value)


def dec(value: Decimal | Fraction, places: int = 2) -> Decimal:
    """An exact value as a Decimal rounded half-up to `places` (a weight of 13.00 stays 13.00)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(display(value.numerator, value.denominator, places))


def _h(*texts: str) -> list[str]:
    return [translate(t) for t in texts]


def groups(r: ScoreResult, *, exact: bool = False) -> Table:
    """Every group (domain, aspect): weight, index (2 decimals) and predikat; with `exact`, the
    unrounded index as text beside it."""
    headers = _h(N_("domain/aspect"), N_("name"), N_("weight"), N_("index"), N_("predikat"))
    rows: list[list[Any]] = []
    for g in r.groups.values():
        row: list[Any] = [g.id, g.name, dec(g.weight), Decimal(g.display), g.predikat]
        if exact:
            row.append(exact_text(g.fraction))
        rows.append(row)
    if exact:
        headers.append(translate(N_("index (exact)")))
    return Table(headers, rows, ["id", "name", "num", "num", "", ""])


def series(s: Series) -> Table:
    """The index per period against its target ("on track": yes, no, or empty when undecided)."""
    headers = _h(N_("period"), N_("catalogue"), N_("index"), N_("predikat"), N_("target"), N_("on track"))
    rows: list[list[Any]] = []
    for p in s.points:
        value: Any = Decimal(p.result.display)
        if p.migrated:
            value = tr(
                "{index} ({catalogue}); {range} migrated",
                index=number(p.result.display),
                catalogue=p.result.catalogue,
                range=_range(p.migrated.index_range.low, p.migrated.index_range.high),
            )
        target = None if p.target is None else dec(p.target)
        track = {True: label("yes"), False: label("no"), None: ""}[p.on_track]
        rows.append([p.period, p.result.catalogue, value, p.result.predikat, target, track])
    return Table(headers, rows, ["id", "", "num", "", "num", ""])


def _range(low: Fraction, high: Fraction) -> str:
    return f"{number(dec(low))}–{number(dec(high))}"


def points(f: Fraction) -> Decimal:
    """Index points (a contribution, a gain) to 4 decimals, rounded half-up: every writer's number for them."""
    return Decimal(points_text(f))


def _share(f: Fraction) -> Decimal:
    return Decimal(display(f.numerator * 100, f.denominator, 0))


def units(acc: Accountability, *, exact: bool = False) -> Table:
    """One row per unit, ranked by the index points it could still add (to the targets, then to the
    maximum), with its share of the plan, open evidence and findings."""
    headers = _h(
        N_("rank"),
        N_("unit (OPD)"),
        N_("lead indicators"),
        N_("gain to target"),
        N_("gain to maximum"),
        N_("plan share (%)"),
        N_("evidence open"),
        N_("findings"),
    )
    rows: list[list[Any]] = []
    for n, u in enumerate(acc.units, 1):
        row: list[Any] = [
            n,
            u.unit.name,
            len(u.lead),
            points(u.at_stake_target),
            points(u.at_stake_max),
            _share(u.plan_share),
            u.evidence["pending"] + u.evidence["needs_revision"],
            len(u.findings),
        ]
        if exact:
            row += [exact_text(u.at_stake_target), exact_text(u.at_stake_max)]
        rows.append(row)
    if exact:
        headers += _h(N_("gain to target (exact)"), N_("gain to maximum (exact)"))
    return Table(headers, rows, ["narrow", "name", "num", "num", "num", "num", "num", "num", "", ""])


def evidence_text(x: IndicatorLine) -> str:
    """The evidence of one indicator in words ("1 accepted, 1 pending"), "–" when there is none."""
    parts = [tr("{count} {status}", count=x.evidence[s], status=label(s)) for s in EVIDENCE_STATUSES if x.evidence[s]]
    return ", ".join(parts) or "–"


def unit_lines(u: UnitReport, *, workbook: bool = False) -> Table:
    """A unit's indicators: role, level, target, weight, points at stake, evidence, findings, steps.

    For people (`workbook=False`) the evidence is one narrow column in words and findings a count
    (listed under the table); in the workbook each evidence status is a number column and the
    findings are written out, with the exact points at stake as text."""
    head = [N_("indicator"), N_("name"), N_("role"), N_("level"), N_("target"), N_("weight")]
    head += [N_("gain to target"), N_("gain to maximum")]
    rows: list[list[Any]] = []
    for x in u.lines:
        row: list[Any] = [
            x.indicator,
            x.name,
            label(x.role),
            x.level,
            x.target,
            dec(x.weight),
            points(x.at_stake_target),
            points(x.at_stake_max),
        ]
        if workbook:
            row += [x.evidence[s] for s in EVIDENCE_STATUSES]
            row += ["; ".join(findings_text(f) for f in x.findings), x.plan_steps]
            row += [exact_text(x.at_stake_target), exact_text(x.at_stake_max)]
        else:
            row += [evidence_text(x), len(x.findings) or "–", x.plan_steps or "–"]
        rows.append(row)
    if workbook:
        head += [
            N_("evidence pending"),
            N_("evidence accepted"),
            N_("evidence rejected"),
            N_("evidence needing revision"),
            N_("findings"),
            N_("plan steps"),
            N_("gain to target (exact)"),
            N_("gain to maximum (exact)"),
        ]
    else:
        head += [N_("evidence"), N_("findings"), N_("plan steps")]
    kinds = ["id", "name", "narrow", "num", "num", "num", "num", "num", "narrow", "num", "num"]
    return Table(_h(*head), rows, kinds)


def stages(u: UnitReport) -> Table | None:
    """The levels of each stage (self-assessment to final) and the gap between what the unit
    claimed and what was verified; None when no indicator of the unit has stages."""
    rows: list[list[Any]] = []
    for x in u.lines:
        if not any(v is not None for v in x.stages.values()):
            continue
        gap = x.stage_gap
        rows.append([x.indicator, *(x.stages.get(s) for s in STAGES), None if gap is None else f"{gap:+d}"])
    if not rows:
        return None
    headers = [translate(N_("indicator")), *(label(s) for s in STAGES), translate(N_("gap (self − verified)"))]
    return Table(headers, rows, ["id", *("num" for _ in STAGES), "num"])


def findings_text(f: Finding) -> str:
    """One finding as a person reads it: "Warning (rule X): message" in the current language."""
    from ..i18n import current_language

    return tr(
        "{severity} (rule {rule}): {message}",
        severity=label(f.severity).capitalize(),
        rule=f.rule_id,
        message=f.message(current_language()),
    )

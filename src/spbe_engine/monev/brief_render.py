"""The meeting brief as blocks (headings, key figures, tables, lists), written as HTML, Markdown or Word.

Why blocks: the three formats must say the same thing in the same words and numbers; the content is
decided once (`blocks`), in the current language (numbers with a decimal comma in Indonesian, times
in WIB), and each writer only lays it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ..exact import display
from ..i18n import local_time, number, tr, translate
from ..results import shown, shown_text, signed
from .meeting import hundredths

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult
    from .brief import Brief, EvidenceAdded, LevelChange, TargetGap, UnitBrief
    from .meeting import ActionView


@dataclass(frozen=True)
class Heading:
    text: str
    anchor: str = ""
    level: int = 2


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class Cards:
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A unit's part: a title, a one-line note and its own blocks (a collapsible block in HTML)."""

    title: str
    note: str
    anchor: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    open: bool = False


Block = Heading | Para | Cards | Table | Bullets | Group

#: The city's target gaps shown in full; the rest are summed (each unit's section lists its own).
TOP_GAPS = 10


def _weight(w: Decimal | Fraction) -> str:
    """A weight as the catalogue writes it: a decimal in the current language, a ratio (20/6) as it is."""
    return number(w, places=None) if isinstance(w, Decimal) else str(w)


def _score(r: ScoreResult) -> str:
    return f"{shown_text(r.display)} ({r.predikat})"


def _status(a: ActionView, brief: Brief) -> str:
    from .actions import STATUS_LABELS

    text = translate(STATUS_LABELS.get(a.status, a.status))
    return text + (" — " + tr("overdue") if a.overdue(brief.as_of) else "")


def _action_table(actions: Sequence[ActionView], brief: Brief, names: dict[str, str]) -> Table:
    return Table(
        (
            tr("Indicator"),
            tr("Unit (OPD)"),
            tr("Problem (kendala)"),
            tr("Action (rencana aksi)"),
            tr("Person in charge (PIC)"),
            tr("Due date"),
            tr("Status"),
            tr("Level to reach"),
        ),
        tuple(
            (
                a.indicator,
                names.get(a.unit, a.unit),
                a.kendala,
                a.rencana,
                a.pic,
                "" if a.due is None else a.due.isoformat(),
                _status(a, brief),
                "" if a.level is None else str(a.level),
            )
            for a in actions
        ),
        ("id", "", "", "", "", "narrow", "narrow", "num"),
    )


def _gap_table(gaps: Sequence[TargetGap], names: dict[str, str], with_unit: bool = True) -> Table:
    head = (tr("Indicator"), tr("Name"), *((tr("Unit (OPD)"),) if with_unit else ()), tr("Level"), tr("Target"))
    return Table(
        (*head, tr("Index points")),
        tuple(
            (
                g.indicator,
                g.name,
                *((names.get(g.unit, g.unit),) if with_unit else ()),
                str(g.level),
                str(g.target),
                shown(g.points, 4),
            )
            for g in gaps
        ),
        ("id", "name", *(("",) if with_unit else ()), "num", "num", "num"),
    )


def _change_table(changes: Sequence[LevelChange], names: dict[str, str]) -> Table:
    return Table(
        (tr("Indicator"), tr("Name"), tr("Lead unit"), tr("Before"), tr("Now"), tr("Change")),
        tuple(
            (c.indicator, c.name, names.get(c.unit, c.unit), str(c.before), str(c.after), f"{c.after - c.before:+d}")
            for c in changes
        ),
        ("id", "name", "", "num", "num", "num"),
    )


def _evidence_table(items: Sequence[EvidenceAdded], names: dict[str, str]) -> Table:
    return Table(
        (tr("Indicator"), tr("Unit (OPD)"), tr("Evidence (data dukung)")),
        tuple((e.indicator, names.get(e.unit, e.unit), e.what) for e in items),
        ("id", "", "name"),
    )


def _unit(u: UnitBrief, brief: Brief, names: dict[str, str]) -> Group:
    out: list[Block] = [
        Para(
            tr(
                "Leads {n_lead} indicator(s) and supports {n_support}; {points} index points at stake to the"
                " targets ({max_points} to the maximum).",
                n_lead=len(u.lead),
                n_support=len(u.support),
                points=shown(u.at_stake_target, 4),
                max_points=shown(u.at_stake_max, 4),
            )
        )
    ]
    if u.actions:
        out.append(
            Para(
                tr(
                    "If this unit's open actions succeed, the city's index is {projected}.",
                    projected=_score(u.projected),
                )
            )
        )
    if u.gaps:
        out += [Heading(tr("Target gaps"), level=4), _gap_table(u.gaps, names, with_unit=False)]
    if u.changes:
        out += [Heading(tr("Level changes since the previous meeting"), level=4), _change_table(u.changes, names)]
    if u.evidence:
        out += [Heading(tr("Evidence added"), level=4), _evidence_table(u.evidence, names)]
    if u.actions:
        out += [Heading(tr("Open and overdue actions"), level=4), _action_table(u.actions, brief, names)]
    if u.conflicts:
        out += [Heading(tr("Conflicts from the collection"), level=4), Bullets(tuple(c.message() for c in u.conflicts))]
    note = tr(
        "{n_gaps} target gap(s), {n_open} open action(s), {n_overdue} overdue",
        n_gaps=len(u.gaps),
        n_open=len(u.actions),
        n_overdue=len(u.overdue),
    )
    return Group(u.unit.name, note, f"unit-{u.unit.id}", tuple(out), open=bool(u.overdue or u.conflicts))


def title(brief: Brief) -> str:
    return tr("SPBE meeting brief (bahan rapat)")


def blocks(brief: Brief) -> list[Block]:
    """The brief's content in the current language."""
    r, p = brief.now, brief.projected
    names = {u.unit.id: u.unit.name for u in brief.units}
    out: list[Block] = []
    meta = tr("Period {period} · catalogue {catalogue}", period=r.period, catalogue=r.catalogue)
    if brief.meeting:
        meta += " · " + tr("meeting {meeting}", meeting=brief.meeting)
    meta += " · " + tr("actions as of {date}", date=brief.as_of.isoformat())
    out.append(Para(meta, muted=True))

    # -- summary
    cards: list[tuple[str, str]] = [
        (tr("SPBE index"), shown_text(r.display)),
        (tr("Predikat"), r.predikat),
        (tr("If every open action succeeds"), _score(p)),
    ]
    if brief.previous is not None:
        cards.append((tr("Since the previous meeting"), signed(r.fraction - brief.previous.fraction)))
    if brief.index_target is not None:
        period, target = brief.index_target
        gap = target - r.fraction
        value = shown_text(display(target.numerator, target.denominator))
        value += " · " + (
            tr("reached") if gap <= 0 else tr("gap {gap}", gap=shown_text(display(gap.numerator, gap.denominator)))
        )
        cards.append((tr("Index target {period}", period=period), value))
    rank = brief.rank(r)
    if rank is not None:
        cards.append((tr("Rank in the province"), tr("{rank} of {n}", rank=rank[0], n=rank[1])))
    out += [Heading(tr("Summary"), "summary"), Cards(tuple(cards))]
    at_stake = sum((g.points for g in brief.gaps), Fraction(0))
    out.append(
        Para(
            tr(
                "{n_open} open action(s), {n_overdue} overdue; {n_gaps} indicator(s) below their target,"
                " {points} index points at stake to the targets.",
                n_open=len(brief.actions),
                n_overdue=len(brief.overdue),
                n_gaps=len(brief.gaps),
                points=shown(at_stake, 4),
            )
        )
    )
    if brief.counts is not None:
        c = brief.counts
        out.append(
            Para(
                tr(
                    "Collection: {units_reported} of {units_expected} unit(s) reported; {cells_read} cell(s) read,"
                    " {cells_merged} merged, {cells_in_conflict} in conflict.",
                    units_reported=c["units_reported"],
                    units_expected=c["units_expected"],
                    cells_read=c["cells_read"],
                    cells_merged=c["cells_merged"],
                    cells_in_conflict=c["cells_in_conflict"],
                )
            )
        )

    # -- domains and aspects
    prev = brief.previous
    head = [tr("Group"), tr("Name"), tr("Weight")]
    if prev is not None:
        head.append(tr("Previous meeting"))
    head += [tr("Now"), tr("Predikat"), tr("Projected"), tr("Predikat")]
    rows = []
    for g in r.groups.values():
        pg = p.groups[g.id]
        row = [g.id, g.name, _weight(g.weight)]
        if prev is not None:
            row.append(shown_text(prev.groups[g.id].display) if g.id in prev.groups else "")
        row += [shown_text(g.display), g.predikat, shown_text(pg.display), pg.predikat]
        rows.append(tuple(row))
    kinds = ("id", "name", "num", *(("num",) if prev is not None else ()), "num", "", "num", "")
    out += [Heading(tr("Domains and aspects"), "groups"), Table(tuple(head), tuple(rows), kinds)]

    # -- progress
    out.append(Heading(tr("Progress since the previous meeting"), "progress"))
    if prev is None:
        out.append(Para(tr("No previous snapshot was given (--previous): no level changes to compare."), muted=True))
    elif brief.changes:
        out.append(_change_table(brief.changes, names))
    else:
        out.append(Para(tr("No indicator changed its level."), muted=True))
    out.append(Heading(tr("Evidence added"), level=3))
    if brief.evidence:
        out.append(_evidence_table(brief.evidence, names))
    else:
        out.append(Para(tr("No evidence added."), muted=True))

    # -- target gaps
    out.append(Heading(tr("Target gaps"), "gaps"))
    if brief.gaps:
        out.append(_gap_table(brief.gaps[:TOP_GAPS], names))
        if len(brief.gaps) > TOP_GAPS:
            rest = sum((g.points for g in brief.gaps[TOP_GAPS:]), Fraction(0))
            out.append(
                Para(
                    tr(
                        "The {n} largest of {total} gaps; the other {rest_n} are worth {points} index points together"
                        " (listed per unit below).",
                        n=TOP_GAPS,
                        total=len(brief.gaps),
                        rest_n=len(brief.gaps) - TOP_GAPS,
                        points=shown(rest, 4),
                    ),
                    muted=True,
                )
            )
    else:
        out.append(Para(tr("Every indicator is at or above its target."), muted=True))

    # -- actions
    out.append(Heading(tr("Open and overdue actions"), "actions"))
    if brief.actions:
        out.append(_action_table(brief.actions, brief, names))
    else:
        out.append(Para(tr("No open actions."), muted=True))

    # -- conflicts
    out.append(Heading(tr("Conflicts from the collection"), "conflicts"))
    if brief.counts is None:
        out.append(Para(tr("The snapshot has no collection record (it was not made by spbe collect)."), muted=True))
    elif brief.conflicts:
        out.append(Bullets(tuple(c.message() for c in brief.conflicts)))
    else:
        out.append(Para(tr("No conflicts."), muted=True))

    # -- ranking
    if brief.peers is not None:
        ctx = brief.peers
        now_rank, size = brief.rank(r) or (0, 0)
        proj_rank, _ = brief.rank(p) or (0, 0)
        where = tr("province {province}", province=ctx.group) if ctx.group else tr("the peers given")
        out += [
            Heading(tr("Province ranking"), "ranking"),
            Para(
                tr(
                    "Among {n} agencies of {where} (peers of period {period}): rank {rank} now, {projected_rank} if"
                    " every open action succeeds.",
                    n=size,
                    where=where,
                    period=ctx.period,
                    rank=now_rank,
                    projected_rank=proj_rank,
                )
            ),
        ]
        mine: tuple[str, int, str] = (
            r.subject + " " + tr("(this city)"),
            hundredths(r.numerator, r.compiled.total),
            r.predikat,
        )
        table_rows: list[tuple[str, int, str]] = sorted([*ctx.peers, mine], key=lambda x: -x[1])
        ranked = []
        for agency, peer_index, band in table_rows:
            position = 1 + sum(1 for row in table_rows if row[1] > peer_index)
            ranked.append((str(position), agency, shown_text(display(peer_index, 100)), band))
        out.append(
            Table(
                (tr("Rank"), tr("Agency"), tr("SPBE index"), tr("Predikat")), tuple(ranked), ("num", "name", "num", "")
            )
        )

    # -- per unit
    out.append(Heading(tr("Per unit (OPD)"), "units"))
    out.append(
        Table(
            (
                tr("Unit (OPD)"),
                tr("Lead indicators"),
                tr("Points at stake (target)"),
                tr("Target gaps"),
                tr("Level changes"),
                tr("Open actions"),
                tr("Overdue actions"),
                tr("Conflicts"),
                tr("Projected index"),
            ),
            tuple(
                (
                    u.unit.name,
                    str(len(u.lead)),
                    shown(u.at_stake_target, 4),
                    str(len(u.gaps)),
                    str(len(u.changes)),
                    str(len(u.actions)),
                    str(len(u.overdue)),
                    str(len(u.conflicts)),
                    shown_text(u.projected.display),
                )
                for u in brief.units
            ),
            ("name", "num", "num", "num", "num", "num", "num", "num", "num"),
        )
    )
    out += [_unit(u, brief, names) for u in brief.units if u.has_agenda]
    out.append(
        Para(
            tr(
                "Every index is computed exactly by spbe_engine from the levels; the predikat follows the"
                " unrounded index. Generated on {time}.",
                time=local_time(brief.generated),
            ),
            muted=True,
        )
    )
    return out


def toc(items: Sequence[Block]) -> list[tuple[str, str]]:
    return [(b.anchor, b.text) for b in items if isinstance(b, Heading) and b.anchor]


# -- HTML -------------------------------------------------------------------------------------------


def _html_blocks(items: Sequence[Block]) -> str:
    from ..reports import style

    out = []
    for b in items:
        if isinstance(b, Heading):
            ident = f' id="{style.esc(b.anchor)}"' if b.anchor else ""
            out.append(f"<h{b.level}{ident}>{style.esc(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            cls = ' class="note"' if b.muted else ""
            out.append(f"<p{cls}>{style.esc(b.text)}</p>")
        elif isinstance(b, Cards):
            long = tuple(n for n, (_, v) in enumerate(b.items) if len(v) > 8)
            out.append(style.cards(b.items, small=long))
        elif isinstance(b, Table):
            out.append(style.table(b.headers, b.rows, kinds=b.kinds))
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{style.esc(x)}</li>" for x in b.items) + "</ul>")
        else:
            out.append(style.details(b.title, _html_blocks(b.blocks), anchor=b.anchor, open=b.open, note=b.note))
    return "\n".join(out)


def html(brief: Brief) -> str:
    """The brief as one self-contained HTML page in the shared report style."""
    from ..i18n import current_language
    from ..reports import style

    items = blocks(brief)
    heading = f"{title(brief)} — {brief.now.subject}"
    extra = "<style>h4{font-size:1rem;margin:.9rem 0 .3rem}th.num{white-space:normal}</style>"
    return style.page(heading, toc(items), _html_blocks(items), current_language(), head_extra=extra)


# -- Markdown ---------------------------------------------------------------------------------------


def _md_table(t: Table) -> list[str]:
    from ..reports.markdown import text

    out = ["| " + " | ".join(text(h) for h in t.headers) + " |"]
    out.append(
        "|"
        + "".join(" ---: |" if k == "num" else " --- |" for k in (*t.kinds, *[""] * len(t.headers))[: len(t.headers)])
    )
    out += ["| " + " | ".join(text(c) for c in row) + " |" for row in t.rows]
    return out


def _md_blocks(items: Sequence[Block], depth: int = 0) -> list[str]:
    from ..reports.markdown import text

    out: list[str] = []
    for b in items:
        if isinstance(b, Heading):
            out += ["#" * min(b.level + depth, 6) + " " + text(b.text), ""]
        elif isinstance(b, Para):
            out += [("*" + text(b.text) + "*") if b.muted else text(b.text), ""]
        elif isinstance(b, Cards):
            out += [f"- {text(label)}: **{text(value)}**" for label, value in b.items] + [""]
        elif isinstance(b, Table):
            out += [*_md_table(b), ""]
        elif isinstance(b, Bullets):
            out += [f"- {text(x)}" for x in b.items] + [""]
        else:
            out += [f"### {text(b.title)}", "", f"*{text(b.note)}*", "", *_md_blocks(b.blocks, depth)]
    return out


def markdown(brief: Brief) -> str:
    """The brief as Markdown (for chat, wikis and version control)."""
    from ..reports.markdown import text

    lines = [f"# {text(title(brief))} — {text(brief.now.subject)}", "", *_md_blocks(blocks(brief))]
    return "\n".join(lines).rstrip() + "\n"

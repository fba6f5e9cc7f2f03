"""The meeting-room dashboard: ONE self-contained HTML file (no network, no server, no build step).

The coordinator filters by unit, changes levels (or applies "this unit reaches its targets" /
"every open action succeeds") and sees the index, every domain and aspect, the predikat and the rank
among the province's peers change at once. Why integers in the page: the browser recomputes what
`engine.score()` computes, so it gets the engine's integer-scaled weights (`CompiledCatalogue.weights`,
as decimal text read into BigInt) and does the same arithmetic — index = sum(level × w) / W, the band
compared on cross-multiplied integers, half-up display on integers — so a level vector shows the
same index and predikat in the page as in the engine, at band edges too. The script and the style
are plain files beside this module (assets/), inlined when the page is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import LANGS, N_, local_time, translate
from .meeting import ActionView, action_views, merged_targets, peer_context

if TYPE_CHECKING:
    from ..accountability.ownership import Ownership, Targets
    from ..accountability.report import Accountability
    from ..engine import Engine
    from ..model.assessment import Assessment

__all__ = ["dashboard_data", "render_dashboard", "write_dashboard"]

#: Every label the page shows, by key; both languages are embedded so the page can switch.
LABELS: dict[str, str] = {
    "title": N_("SPBE monitoring dashboard"),
    "index": N_("SPBE index"),
    "predikat": N_("Predikat"),
    "rank": N_("Rank in the province"),
    "rank_all": N_("Rank among the peers"),
    "rank_of": N_("{rank} of {n}"),
    "no_peers": N_("no peers given"),
    "change": N_("Change from the snapshot"),
    "delta": N_("Change"),
    "target": N_("Index target {period}"),
    "gap": N_("gap {gap}"),
    "reached": N_("reached"),
    "unit": N_("Unit (OPD)"),
    "all_units": N_("All units"),
    "apply_targets": N_("This unit reaches its targets"),
    "apply_targets_all": N_("Every unit reaches its targets"),
    "apply_actions": N_("Every open action succeeds"),
    "apply_actions_unit": N_("Every open action of this unit succeeds"),
    "reset": N_("Reset"),
    "print": N_("Print"),
    "groups": N_("Domains and aspects"),
    "group": N_("Group"),
    "name": N_("Name"),
    "weight": N_("Weight"),
    "indicators": N_("Indicators"),
    "no": N_("No."),
    "indicator": N_("Indicator"),
    "lead": N_("Lead unit"),
    "level": N_("Level"),
    "start": N_("At start"),
    "target_level": N_("Target"),
    "open_actions": N_("Open actions"),
    "accountability": N_("Accountability per unit"),
    "lead_count": N_("Lead indicators"),
    "stake_target": N_("Points at stake (target)"),
    "stake_max": N_("Points at stake (maximum)"),
    "overdue_actions": N_("Overdue actions"),
    "actions": N_("Actions"),
    "kendala": N_("Problem (kendala)"),
    "rencana": N_("Action (rencana aksi)"),
    "pic": N_("Person in charge (PIC)"),
    "due": N_("Due date"),
    "status": N_("Status"),
    "to_level": N_("Level to reach"),
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
    "overdue": N_("overdue"),
    "no_actions": N_("No actions."),
    "changed": N_("{n} level(s) changed"),
    "unchanged": N_("No level changed: the snapshot as collected."),
    "ranking": N_("Provincial ranking"),
    "ranking_all": N_("Ranking among the peers"),
    "agency": N_("Agency"),
    "province": N_("Province {name}, period {period}"),
    "peers_period": N_("Peers of period {period}"),
    "exact": N_(
        "Computed exactly with the engine's integer weights; the predikat follows the unrounded index,"
        " the display rounds half-up to 2 decimals."
    ),
    "generated": N_("Generated {time} from {subject}, period {period} ({catalogue})."),
    "this_city": N_("(this city, as changed)"),
    "showing": N_("Showing the indicators of {unit}: lead or support."),
    "none": N_("none"),
    "support": N_("support"),
    "reported": N_("reported: {before} → {level}"),
    "reported_title": N_("The units reported level {level}; the base assessment has {before}."),
    "reported_note": N_("{n} indicator(s) reported by the units at another level than the base assessment (marked)."),
}


NOSCRIPT = N_("This dashboard needs JavaScript.")


def _labels(lang: str) -> dict[str, str]:
    return {k: translate(v, lang) for k, v in LABELS.items()}


def _asset(name: str) -> str:
    return resources.files(__package__ or "spbe_engine.monev").joinpath("assets", name).read_text(encoding="utf-8")


def dashboard_data(
    engine: Engine,
    acc: Accountability,
    *,
    actions: Iterable[Any] = (),
    peers: Sequence[Assessment] = (),
    lang: str = "id",
    as_of: dt.date | None = None,
    generated: dt.datetime | None = None,
    missing: str | int | None = None,
    base: Assessment | None = None,
) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data: the compiled catalogue's integer weights and
    groups, the snapshot's levels, ownership, targets, actions, peers and the labels in both languages.

    `base` is the assessment before the units reported (`MeetingSnapshot.base`): where its level differs
    from the snapshot's, the page marks the indicator as reported differently (display only)."""
    r = acc.result
    cc = r.compiled
    a = r.assessment
    own: Ownership = acc.ownership
    tg: Targets | None = acc.targets
    as_of = as_of or dt.date.today()
    position = cc.position
    lead = {x.indicator: x.lead for x in own.indicators}
    support = {x.indicator: list(x.support) for x in own.indicators}
    target_levels = merged_targets(a, tg)
    views: tuple[ActionView, ...] = action_views(actions)
    ctx = peer_context(engine, a, peers, missing) if peers else None
    upcoming = tg.next_index_target(a.period) if tg is not None else None
    scales = {}
    for s in cc.scales:
        scales[s.id] = {str(lv.value): [lv.name, lv.name_en or lv.name] for lv in s.levels}
    return {
        "lang": lang,
        "subject": a.subject,
        "period": a.period,
        "catalogue": cc.catalogue.id,
        "generated": local_time(generated or dt.datetime.now(dt.UTC)),
        "ids": list(cc.ids),
        "names": [i.name for i in cc.catalogue.indicators()],
        "weights": [str(w) for w in cc.weights],  # integers as text: read into BigInt, whatever their size
        "weightsShown": [str(w) for w in cc.exact_weights],
        "total": str(cc.total),
        "lo": list(cc.lo),
        "hi": list(cc.hi),
        "scale": [s.id for s in cc.scales],
        "scales": scales,
        "levels": list(r.levels),
        "reportedFrom": _reported_from(cc.ids, r.levels, base),
        "lead": [lead[i] for i in cc.ids],
        "support": [support.get(i, []) for i in cc.ids],
        "targets": [target_levels.get(i) for i in cc.ids],
        "groups": [
            {
                "id": g.id,
                "kind": g.kind,
                "name": g.name,
                "parent": g.parent,
                "members": list(g.members),
                "weight": str(g.weight),
                "weightShown": str(cc.exact_weight(g.weight)),
            }
            for g in cc.groups
        ],
        "bands": [[str(n), str(d), b.predikat, b.predikat_en or b.predikat] for n, d, b in cc.bands],
        "units": [{"id": u.unit.id, "name": u.unit.name} for u in acc.units],
        "actions": [
            {
                "at": position[v.indicator],
                "indicator": v.indicator,
                "unit": v.unit,
                "kendala": v.kendala,
                "rencana": v.rencana,
                "pic": v.pic,
                "due": "" if v.due is None else v.due.isoformat(),
                "status": v.status,
                "open": v.is_open,
                "level": v.level,
                "overdue": v.overdue(as_of),
            }
            for v in views
            if v.indicator in position
        ],
        "peers": None
        if ctx is None
        else {"group": ctx.group, "period": ctx.period, "rows": [list(p) for p in ctx.peers]},
        "indexTarget": None
        if upcoming is None
        else {"period": upcoming[0], "num": str(upcoming[1].numerator), "den": str(upcoming[1].denominator)},
        "labels": {code: _labels(code) for code in LANGS},
    }


def _reported_from(ids: Sequence[str], levels: Sequence[int], base: Assessment | None) -> list[int | None]:
    """Per indicator, the base level when the snapshot's level differs from it (a reported change), else None."""
    if base is None:
        return [None] * len(ids)
    out: list[int | None] = []
    for i, level in zip(ids, levels, strict=True):
        before = base.levels.get(i)
        out.append(before if before is not None and before != level else None)
    return out


def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot end the <script> element it sits in, whatever the user text holds."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_dashboard(data: dict[str, Any]) -> str:
    """The page: the shared report style with the dashboard's own on top, the data and the script
    (the script builds the tables). A Content-Security-Policy forbids the page any network access."""
    from html import escape

    from ..reports.style import CSS

    labels = data["labels"][data["lang"]]
    title = f"{labels['title']} — {data['subject']} ({data['period']})"
    policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(data["lang"])}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>{escape(title)}</title><style>{CSS}{_asset('dashboard.css')}</style></head>"
        f"<body><noscript>{escape(translate(NOSCRIPT, data['lang']))}</noscript>"
        '<main class="page" id="app"></main>'
        f'<script type="application/json" id="spbe-data">{_json_for_script(data)}</script>'
        f"<script>{_asset('dashboard.js')}</script></body></html>\n"
    )


def write_dashboard(
    engine: Engine,
    assessment: Assessment,
    *,
    owners: str | PathLike[str] | Ownership,
    out: str | PathLike[str],
    targets: str | PathLike[str] | Targets | None = None,
    actions: Iterable[Any] = (),
    peers: Sequence[Assessment] = (),
    lang: str = "id",
    as_of: dt.date | None = None,
    missing: str | int | None = None,
    overwrite: bool = False,
    base: Assessment | None = None,
) -> Path:
    """Write the dashboard of a snapshot to `out` (one .html file); an existing file only with `overwrite`,
    never one of the input files (`owners`, `targets` given as paths). `base`: see `dashboard_data`."""
    from ..i18n import language
    from ..io.atomic import protect, write_atomic

    path = Path(out)
    protect(path, [p for p in (owners, targets) if isinstance(p, str | PathLike)])
    with language(lang):  # an unknown language is refused before any work
        pass
    acc = engine.accountability(assessment, owners=owners, targets=targets, as_of=as_of, missing=missing)
    data = dashboard_data(engine, acc, actions=actions, peers=peers, lang=lang, as_of=as_of, missing=missing, base=base)
    page = render_dashboard(data)
    write_atomic(path, page.encode("utf-8"), overwrite=overwrite)
    return path

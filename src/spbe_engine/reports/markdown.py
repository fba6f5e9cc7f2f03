"""The report as Markdown (for wikis, chat and version control)."""

from __future__ import annotations

from collections.abc import Sequence

from .build import ReportData


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(map(cell, headers)) + " |", "|" + " --- |" * len(headers)]
    out += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return out


def render(data: ReportData) -> str:
    r = data.latest
    acc = data.accountability
    lines = [
        f"# SPBE report — {r.subject} ({r.period})",
        "",
        f"**{r.assessment.catalogue}**: index **{r.display}**, predikat **{r.predikat}**. "
        f"Generated {data.generated.isoformat()}.",
        "",
    ]
    if acc.plan is not None:
        lines += [f"Plan: {acc.plan.summary()}", ""]
    lines += ["## Groups", ""]
    lines += _table(
        ("group", "name", "weight", "index", "predikat"),
        [[g.id, g.name, g.weight, g.display, g.predikat] for g in r.groups.values()],
    )
    lines += ["", "## Progress over the years", ""]
    lines += _table(data.series.headers, data.series.rows())
    lines += ["", "## Units ranked by index points at stake", ""]
    lines += _table(acc.summary_headers, acc.summary_rows())
    for u in acc.units:
        lines += ["", f"## {u.unit.name}", ""]
        if u.unit.contact:
            lines += [f"Contact: {u.unit.contact}", ""]
        lines += _table(u.headers, u.rows())
        stages = u.stage_rows()
        if stages:
            lines += ["", "Stages:", ""]
            lines += _table(u.stage_headers, stages)
    lines += ["", "## Explanation", "", "```", r.explain(), "```", ""]
    return "\n".join(lines)

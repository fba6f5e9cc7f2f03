"""The words of the command line's tables and messages: column headers, yes/no, the message kinds,
marked for translation here and translated where they are printed. The library's fixed values in
table cells (severities, directions, stages) read as in the reports: `reports.i18n.LABELS`."""

from __future__ import annotations

from ..i18n import N_

YES = N_("yes")
NO = N_("no")
PARTIAL = N_(" (partial)")
ERROR = N_("error")
WARNING = N_("warning")
NOTE = N_("note")
INTERNAL = N_("internal error")

#: Column headers of the results' tables (`Result.headers`) and of the command's own tables.
HEADERS = frozenset(
    {
        N_("subject"),
        N_("period"),
        N_("index"),
        N_("predikat"),
        N_("probability"),
        N_("official rank"),
        N_("rank p5"),
        N_("median"),
        N_("rank p95"),
        N_("P(first)"),
        N_("indicator"),
        N_("points at stake (target)"),
        N_("target gaps"),
        N_("level changes"),
        N_("open actions"),
        N_("overdue actions"),
        N_("conflicts"),
        N_("projected index"),
        N_("base level"),
        N_("reported level"),
        N_("reported by"),
        N_("name"),
        N_("role"),
        N_("level"),
        N_("target"),
        N_("weight"),
        N_("at stake (target)"),
        N_("at stake (max)"),
        N_("gap (self − verified)"),
        N_("rank"),
        N_("unit"),
        N_("lead indicators"),
        N_("plan share"),
        N_("evidence open (pending or needs revision)"),
        N_("findings"),
        N_("catalogue"),
        N_("on track"),
        N_("severity"),
        N_("rule"),
        N_("indicators"),
        N_("basis"),
        N_("message"),
        N_("before"),
        N_("after"),
        N_("delta"),
        N_("predikat before"),
        N_("predikat after"),
        N_("gain of +1"),
        N_("cost"),
        N_("gain per cost"),
        N_("steps to next band"),
        N_("step"),
        N_("index gain"),
        N_("contribution"),
        N_("missing"),
        N_("change"),
        N_("what"),
        N_("old"),
        N_("new"),
        N_("was"),
        N_("becomes"),
        N_("old predikat"),
        N_("old rank"),
        N_("new range"),
        N_("new predikat"),
        N_("rank range"),
        N_("direction"),
        N_("predikat disagrees"),
        N_("levels"),
        N_("from"),
        N_("relations"),
        N_("confidence"),
        N_("group"),
        N_("of"),
        N_("gap"),
        N_("plugin"),
        N_("version"),
        N_("origin"),
        N_("hooks"),
        N_("contributes (or problem)"),
        N_("id"),
        N_("status"),
        N_("regulation"),
        N_("valid"),
        N_("title"),
        N_("explanation"),
    }
)

#: What a plugin contributes (`spbe plugins`).
CONTRIBUTIONS = frozenset(
    {
        N_("catalogues"),
        N_("crosswalks"),
        N_("weighting schemes"),
        N_("rules"),
        N_("level scales"),
        N_("computed indicators"),
    }
)

#: Columns of user text and ids: never read as numbers, nor translated.
TEXT_COLUMNS = frozenset({"subject", "period", "name", "indicator", "indicators", "rule", "unit", "group", "what", ""})

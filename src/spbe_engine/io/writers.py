"""Serialise score results: JSON keeps every exact value; CSV gives one row per assessment.

CSV cells of user text (subject, period, tags) that a spreadsheet would run as a formula get a
leading apostrophe (`io.safe_text.csv_cell`, OWASP's advice); the assessment reader removes it, so
a written CSV reads back to equal assessments.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import SpbeError
from ..i18n import tr
from ..model.assessment import Assessment
from ..scoring.result import ScoreResult
from .readers import NEUTRALISED_CELL
from .safe_text import csv_cell

__all__ = [
    "assessments_to_csv",
    "assessments_to_json",
    "assessments_to_yaml",
    "results_to_csv",
    "results_to_json",
    "write_assessments",
]


def results_to_json(results: Sequence[ScoreResult], *, indent: int | None = 2) -> str:
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=indent)


def results_to_csv(results: Sequence[ScoreResult]) -> str:
    """Columns: subject, period, catalogue, index (unrounded: exact when it terminates, as with
    spbe-2020's weights), display, predikat, partial, then each
    group's display value and predikat in catalogue order."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    group_ids: list[str] = []
    for r in results:
        for gid in r.groups:
            if gid not in group_ids:
                group_ids.append(gid)
    writer.writerow(result_csv_header(group_ids))
    writer.writerows(result_csv_row(r, group_ids) for r in results)
    return buf.getvalue()


def result_csv_header(group_ids: Sequence[str]) -> list[str]:
    """The header of `results_to_csv` for these groups (every catalogue's, in order of first appearance)."""
    return ["subject", "period", "catalogue", "index", "display", "predikat", "partial"] + [
        c for gid in group_ids for c in (gid, f"{gid}_predikat")
    ]


def result_csv_row(r: ScoreResult, group_ids: Sequence[str]) -> list[str]:
    """One row of `results_to_csv` (empty cells for the groups of other catalogues)."""
    groups = r.groups
    row = [
        csv_cell(r.subject),
        csv_cell(r.period),
        csv_cell(r.catalogue),
        str(r.index),
        r.display,
        r.predikat,
        str(r.partial).lower(),
    ]
    for gid in group_ids:
        if gid in groups:
            g = groups[gid]
            row += [g.display, g.predikat]
        else:
            row += ["", ""]
    return row


def _yaml_dumper() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc]
        pass

    def decimal(dumper: Any, value: Decimal) -> Any:
        text = format(value, "f")
        return dumper.represent_scalar("tag:yaml.org,2002:float", text if "." in text else text + ".0")

    Dumper.add_representer(Decimal, decimal)
    return Dumper


def assessments_to_yaml(assessments: Sequence[Assessment]) -> str:
    """YAML that `load_assessments` reads back to equal assessments (decimals stay exact)."""
    import yaml

    data = [a.model_dump(mode="python", exclude_defaults=True) for a in assessments]
    payload: Any = data[0] if len(data) == 1 else {"assessments": data}
    return str(yaml.dump(payload, Dumper=_yaml_dumper(), allow_unicode=True, sort_keys=False))


def assessments_to_json(assessments: Sequence[Assessment]) -> str:
    return json.dumps(
        [a.model_dump(mode="json", exclude_defaults=True) for a in assessments], ensure_ascii=False, indent=2
    )


def assessments_to_csv(assessments: Sequence[Assessment], indicator_ids: Sequence[str]) -> str:
    """The wide layout: subject, period, catalogue, `tag:` columns, one column per indicator. It holds
    levels and tags only; an assessment with evidence, stages, notes or inputs needs YAML, JSON or Excel."""
    richer = [
        a.subject for a in assessments if a.evidence or a.stages or a.notes or a.services or a.distributions or a.inputs
    ]
    if richer:
        raise SpbeError(
            tr("assessment {richer!r} has more than levels and tags, which CSV cannot hold", richer=richer[0]),
            allowed=tr("YAML, JSON or Excel for such assessments"),
        )
    tags = sorted({k for a in assessments for k in a.tags})
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["subject", "period", "catalogue", *(f"tag:{t}" for t in tags), *indicator_ids])
    for a in assessments:
        writer.writerow(
            [
                text_cell(a.subject),
                text_cell(a.period),
                text_cell(a.catalogue),
                *(text_cell(a.tags.get(t, "")) for t in tags),
                *(a.levels.get(i, "") for i in indicator_ids),
            ]
        )
    return buf.getvalue()


def text_cell(value: str) -> str:
    """A cell of user text for an assessment CSV: no spreadsheet runs it (`csv_cell`), and the reader
    gets it back exactly — text that itself begins with apostrophes before a formula character
    (`'=x`) gets one more, since the reader removes one."""
    cell = csv_cell(value)
    if cell == value and NEUTRALISED_CELL.match(value):
        cell = "'" + value
    return cell


def write_assessments(
    path: str | Path,
    assessments: Sequence[Assessment],
    *,
    indicator_ids: Sequence[str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write assessments as YAML, JSON or CSV (by the suffix), atomically, never over an existing file
    unless `overwrite`; `load_assessments` reads the file back to equal assessments."""
    from .atomic import write_atomic

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = assessments_to_yaml(assessments)
    elif suffix == ".json":
        text = assessments_to_json(assessments)
    elif suffix == ".csv":
        ids = list(indicator_ids or dict.fromkeys(i for a in assessments for i in a.levels))
        text = assessments_to_csv(assessments, ids)
    else:
        raise SpbeError(
            tr("unknown file type {suffix!r}", suffix=suffix or "(none)"),
            file=str(p),
            allowed=".yaml, .yml, .json, .csv",
        )
    return write_atomic(p, text, overwrite=overwrite)

"""Serialise score results: JSON keeps every exact value; CSV gives one row per assessment."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from ..scoring.result import ScoreResult

__all__ = ["results_to_csv", "results_to_json"]


def results_to_json(results: Sequence[ScoreResult], *, indent: int | None = 2) -> str:
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=indent)


def results_to_csv(results: Sequence[ScoreResult]) -> str:
    """Columns: subject, period, catalogue, index (exact), display, predikat, partial, then each
    group's display value and predikat in catalogue order."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    group_ids: list[str] = []
    for r in results:
        for gid in r.groups:
            if gid not in group_ids:
                group_ids.append(gid)
    writer.writerow(
        ["subject", "period", "catalogue", "index", "display", "predikat", "partial"]
        + [c for gid in group_ids for c in (gid, f"{gid}_predikat")]
    )
    for r in results:
        groups = r.groups
        row = [r.subject, r.period, r.catalogue, str(r.index), r.display, r.predikat, str(r.partial).lower()]
        for gid in group_ids:
            if gid in groups:
                g = groups[gid]
                row += [g.display, g.predikat]
            else:
                row += ["", ""]
        writer.writerow(row)
    return buf.getvalue()

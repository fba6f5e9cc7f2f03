"""Everything a report shows, computed once and shared by the HTML, Markdown and Excel writers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

from ..errors import AssessmentError
from ..i18n import tr

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..accountability.report import Accountability
    from ..engine import Engine
    from ..model.assessment import Assessment
    from ..scoring.result import ScoreResult


@dataclass(frozen=True)
class ReportData:
    latest: ScoreResult
    series: Series
    accountability: Accountability
    generated: dt.datetime


def collect(
    engine: Engine,
    assessments: Sequence[Assessment],
    owners: str | PathLike[str],
    targets: str | PathLike[str] | None = None,
    as_of: dt.date | None = None,
    missing: str | int | None = None,
) -> ReportData:
    """The latest period's accountability and the whole series of one subject."""
    if not assessments:
        raise AssessmentError(tr("a report needs at least one assessment"), field="assessments")
    series = engine.series(assessments, targets=targets, missing=missing)
    latest = max(assessments, key=lambda a: a.period)
    acc = engine.accountability(latest, owners=owners, targets=targets, as_of=as_of, missing=missing)
    return ReportData(acc.result, series, acc, dt.datetime.now(dt.UTC).replace(microsecond=0))

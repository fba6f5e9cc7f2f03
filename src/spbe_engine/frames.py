"""DataFrames in, DataFrames out: a pandas partition function for Dask (`map_partitions`).

It sits above the engine (it builds one per worker), unlike `parallel`, which the operations use.
"""

from __future__ import annotations

from typing import Any

from .errors import AssessmentError
from .i18n import tr
from .model.assessment import Assessment

__all__ = ["score_frame"]

_ENGINES: dict[bool, Any] = {}


def _engine(load_entry_points: bool) -> Any:
    from .engine import Engine

    engine = _ENGINES.get(load_entry_points)
    if engine is None:
        engine = _ENGINES[load_entry_points] = Engine(load_entry_points=load_entry_points)
    return engine


def score_frame(frame: Any, *, weighting: Any = None, missing: Any = None, load_entry_points: bool = True) -> Any:
    """Score a pandas DataFrame in the wide layout (columns `subject`, `period`, `catalogue`, one
    column per indicator id; empty cells are not assessed) and return one row per assessment:
    subject, period, catalogue, index (exact, as text), display, predikat, partial.

    It is a pure per-partition function, so Dask runs it on a cluster unchanged:
    `ddf.map_partitions(score_frame, meta=score_frame(ddf.head(0)))`.
    """
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    engine = _engine(load_entry_points)
    ids = [c for c in frame.columns if c not in ("subject", "period", "catalogue") and not str(c).startswith("tag:")]
    rows = []
    for n, record in enumerate(frame.to_dict("records")):
        levels = {str(i): _whole(record[i], n, i) for i in ids if pd.notna(record[i]) and str(record[i]).strip() != ""}
        a = Assessment(
            catalogue=str(record["catalogue"]),
            subject=str(record["subject"]),
            period=str(record["period"]),
            levels=levels,
        )
        r = engine.score(a, weighting=weighting, missing=missing)
        rows.append(
            {
                "subject": r.subject,
                "period": r.period,
                "catalogue": r.catalogue,
                "index": str(r.index),
                "display": r.display,
                "predikat": r.predikat,
                "partial": r.partial,
            }
        )
    columns = ["subject", "period", "catalogue", "index", "display", "predikat", "partial"]
    return pd.DataFrame(rows, columns=columns).astype({"partial": bool})


def _whole(value: Any, row: int, column: Any) -> int:
    """A level from a DataFrame cell: a whole number (4 or 4.0), never a truncated 3.7."""
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        number = None
    if isinstance(number, float) and number.is_integer():
        return int(number)
    if isinstance(number, int) and not isinstance(number, bool):
        return number
    raise AssessmentError(
        tr("level {value!r} is not a whole number", value=value), row=row, field=str(column), allowed="whole numbers"
    )

"""DataFrames in, DataFrames out: a pandas partition function for Dask (`map_partitions`).

`score_frame` is `Engine.score_table` on one partition (columnar, exact, no object per row), with
the texts as plain strings so that every partition has the same columns and dtypes whatever its
values. It sits above the engine (it builds one per worker), unlike `parallel`, which the
operations use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["score_frame"]

_ENGINES: dict[bool, Any] = {}
SUMMARY = ("subject", "period", "catalogue", "index", "display", "predikat", "partial")


def _engine(load_entry_points: bool) -> Any:
    from .engine import Engine

    engine = _ENGINES.get(load_entry_points)
    if engine is None:
        engine = _ENGINES[load_entry_points] = Engine(load_entry_points=load_entry_points)
    return engine


def score_frame(
    frame: Any,
    *,
    catalogue: str | None = None,
    weighting: Any = None,
    missing: Any = None,
    groups: str | Sequence[str] | None = None,
    load_entry_points: bool = True,
) -> Any:
    """Score a pandas DataFrame in the wide layout (columns `subject`, `period`, `catalogue`, one
    column per indicator id; empty cells are not assessed) and return one row per assessment:
    subject, period, catalogue, index (exact, as text), display, predikat, partial — and, with
    `groups` ("top", "all" or a list of ids; needs `catalogue=`), `<id>_index`, `<id>_display`
    and `<id>_predikat` per group. Values are identical to `Engine.score` row by row.

    It is a pure per-partition function, so Dask runs it on a cluster unchanged:
    `ddf.map_partitions(score_frame, meta=score_frame(ddf._meta))`, or with groups
    `ddf.map_partitions(score_frame, catalogue="spbe-2020", groups="top", meta=...)`.
    """
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    engine = _engine(load_entry_points)
    names = list(SUMMARY)
    if len(frame) == 0 and catalogue is None:
        if groups is not None:
            from .errors import AssessmentError
            from .i18n import tr

            raise AssessmentError(tr("score_frame with groups needs catalogue="), field="catalogue")
        return pd.DataFrame({n: pd.Series([], dtype=bool if n == "partial" else object) for n in names})
    scored = engine.score_table(
        frame,
        catalogue=catalogue,
        weighting=weighting,
        missing=missing,
        groups=[] if groups is None else groups,
        output="pandas",
    )
    chosen = [c.removesuffix("_numerator") for c in scored.columns if c.endswith("_numerator")]
    names += [f"{g}_{part}" for g in chosen for part in ("index", "display", "predikat")]
    out = {}
    for name in names:
        if name in scored.columns:
            out[name] = _plain(pd, scored[name])
        elif name == "catalogue":  # no catalogue column: the one scored
            out[name] = pd.Series([catalogue] * len(frame), index=frame.index, dtype=object)
        else:
            out[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index)


def _plain(pd: Any, column: Any) -> Any:
    """A coded text column as Python strings (shared objects: no string is made per row)."""
    import numpy as np

    if isinstance(column.dtype, pd.CategoricalDtype):
        texts = np.array(list(column.cat.categories), dtype=object)
        return pd.Series(texts[column.cat.codes.to_numpy()], index=column.index, dtype=object)
    if column.dtype.kind == "b":
        return column
    return column.astype(object)

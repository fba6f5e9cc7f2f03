"""`Engine.score_table`: a whole table of assessments scored as columns, exactly as `score()` would.

Inputs: a pandas DataFrame in the wide layout of `load_assessments` (columns `subject`, `period`,
`catalogue`, one column per indicator id, optional `tag:<name>` columns; an empty cell is not
assessed), a pyarrow Table of the same layout, a 2-D numpy array of levels with `ids` naming its
columns, a list of rows (lists) with `ids`, or a mapping of column name to values (`io.stream`'s
chunks). Cells are validated column by column (whole numbers,
inside each indicator's scale, missing cells per `missing`); the first bad row and column are named.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AssessmentError
from ..i18n import tr
from ..scoring.score import MissingPolicy, assessment_named, check_missing_policy
from ..scoring.table import TableScores, numpy_or_none, score_levels

if TYPE_CHECKING:
    from ..engine import Engine
    from ..resolver import Weighting
    from ..scoring.compiled import CompiledCatalogue

__all__ = ["score_table"]

META = ("subject", "period", "catalogue")
Output = Literal["auto", "pandas", "arrow", "dict"]
_WHOLE = re.compile(r"[+-]?[0-9]{1,9}(?:[.,]0+)?", re.ASCII)  # as the CSV reader reads a level cell


def score_table(
    engine: Engine,
    data: Any,
    *,
    catalogue: str | None = None,
    ids: Sequence[str | int] | None = None,
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    index_text: bool = True,
    groups: Literal["all", "top"] | Sequence[str] = "all",
    output: Output = "auto",
) -> Any:
    """Score every row of a table at once; identical, row by row, to `score()`.

    Returns columns: `subject`, `period`, `catalogue` (when the input has them), `numerator` and
    `denominator` (the exact index is their ratio), `index` (its exact decimal text, as in CSV
    output; skipped with `index_text=False`), `display` (half-up, 2 decimals), `predikat` (banded
    on the unrounded index), `partial`, and the same five per group, prefixed `<group id>_`
    (`D1_display`, `A3_predikat`, ...), for every group (`groups="all"`), the top-level ones
    (`"top"`: the domains) or those named. A DataFrame for pandas and numpy input (texts as
    Categoricals), an Arrow table for Arrow input, a dict of lists for a list of rows; `output`
    chooses. One catalogue per call: `catalogue=` or a `catalogue` column with one value.
    """
    table, scored = _score(engine, data, catalogue, ids, weighting, missing, index_text, groups)
    if output == "auto":
        output = {"arrow": "arrow", "rows": "dict", "columns": "dict"}.get(table.kind, "pandas")  # type: ignore[assignment]
    return _output(table, scored, output)


def score_columns(
    engine: Engine,
    data: Any,
    *,
    catalogue: str | None = None,
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    index_text: bool | Literal["index"] = True,
) -> TableScores:
    """`score_table`'s result columns before they become a frame: numerators as arrays and texts as
    codes into their few distinct texts (what a writer streaming millions of rows wants: no Python
    object per cell). Same input, checks and errors as `score_table`; every group."""
    return _score(engine, data, catalogue, None, weighting, missing, index_text, "all")[1]


def _score(
    engine: Engine,
    data: Any,
    catalogue: str | None,
    ids: Sequence[str | int] | None,
    weighting: Weighting,
    missing: MissingPolicy,
    index_text: bool | Literal["index"],
    groups: Any,
) -> tuple[_Table, TableScores]:
    check_missing_policy(missing)
    table = _read(data, ids)
    cid = _catalogue(table, catalogue)
    cc = engine.compiled(cid, weighting)
    levels, present = _matrix(table, cc)
    meta = table.meta

    def label(r: int) -> int | None:
        return table.label(r)

    def where(r: int) -> str:
        if "subject" in meta and "period" in meta:
            return assessment_named(str(meta["subject"][r]), str(meta["period"][r]))
        return tr("row {row}", row=label(r))

    chosen = _groups(cc, groups)
    scored = score_levels(
        cc, levels, present, missing=missing, where=where, label=label, text=index_text, groups=chosen
    )
    return table, scored


def _groups(cc: CompiledCatalogue, groups: Any) -> list[str] | None:
    if groups == "all":
        return None
    if groups == "top":
        return [g.id for g in cc.groups if g.parent is None]
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise AssessmentError(tr("groups must be 'all', 'top' or a list of group ids"), field="groups")
    known = {g.id for g in cc.groups}
    unknown = [g for g in groups if g not in known]
    if unknown:
        raise AssessmentError(
            tr("unknown group {group!r} in catalogue {catalogue}", group=unknown[0], catalogue=cc.catalogue.id),
            field="groups",
            allowed=", ".join(g.id for g in cc.groups),
        )
    return list(groups)


# -- reading the input ----------------------------------------------------------------------------


class _Table:
    """The input as named columns: text columns (`meta`) and level columns (raw), with row labels."""

    def __init__(self, kind: str, meta: dict[str, Any], columns: dict[str, Any], labels: Any, raw: Any) -> None:
        self.kind, self.meta, self.columns, self.labels, self.raw = kind, meta, columns, labels, raw
        self.length = len(labels) if labels is not None else 0

    def label(self, r: int) -> int | None:
        if self.labels is None:
            return r
        value = self.labels[r]
        return int(value) if isinstance(value, int) or hasattr(value, "__index__") else r


def _read(data: Any, ids: Sequence[str | int] | None) -> _Table:
    np = numpy_or_none()
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns"):
        return _from_pandas(data, ids)
    if module == "pyarrow" and hasattr(data, "column_names"):
        return _from_arrow(data, ids)
    if isinstance(data, Mapping):  # columns by name in the wide layout, e.g. a chunk of `io.stream`
        meta = {str(k).strip().lower(): list(v) for k, v in data.items() if str(k).strip().lower() in META}
        columns = {str(k).strip(): v for k, v in data.items() if str(k).strip().lower() not in META
                   and not str(k).strip().startswith("tag:")}  # fmt: skip
        length = len(next(iter(data.values()))) if data else 0
        t = _Table("columns", meta, columns, None, data)
        t.length = length
        return t
    if np is not None and isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise AssessmentError(tr("a level matrix must have two dimensions, got {ndim}", ndim=data.ndim))
        names = _ids(ids, data.shape[1])
        return _Table("numpy", {}, {n: data[:, j] for j, n in enumerate(names)}, None, data)
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        rows = [list(r) for r in data]
        width = len(rows[0]) if rows else len(ids or ())
        names = _ids(ids, width)
        for r, row in enumerate(rows):
            if len(row) != len(names):
                raise AssessmentError(
                    tr(
                        "row {r} has {n_cells} cells for {n_ids} indicator ids", r=r, n_cells=len(row), n_ids=len(names)
                    ),
                    row=r,
                )
        columns = {n: [row[j] for row in rows] for j, n in enumerate(names)}
        return _Table("rows", {}, columns, range(len(rows)), rows)
    raise AssessmentError(
        tr(
            "score_table takes a DataFrame, an Arrow table, a 2-D numpy array or a list of rows, got {type_name}",
            type_name=type(data).__name__,
        )
    )


def _ids(ids: Sequence[str | int] | None, width: int) -> list[str]:
    if ids is None:
        raise AssessmentError(tr("a level matrix needs ids=: the indicator id of each column"), field="ids")
    names = [str(i).strip() for i in ids]
    if len(names) != width:
        raise AssessmentError(tr("{n_ids} ids for {width} columns", n_ids=len(names), width=width), field="ids")
    if len(set(names)) != len(names):
        raise AssessmentError(tr("an indicator id is given twice in ids"), field="ids")
    return names


def _from_pandas(frame: Any, ids: Sequence[str | int] | None) -> _Table:
    meta: dict[str, Any] = {}
    columns: dict[str, Any] = {}
    for col in frame.columns:
        name = str(col).strip()
        if name.lower() in META:
            meta[name.lower()] = _texts(frame[col])
        elif not name.startswith("tag:"):
            if name in columns:
                raise AssessmentError(tr("column {h!r} appears twice", h=name))
            columns[name] = frame[col]
    index = frame.index
    labels = index if index.dtype.kind in "iu" else None
    t = _Table("pandas", meta, columns, labels, frame)
    t.length = len(frame)
    return t


def _texts(series: Any) -> Any:
    """A text column as Python strings (a year read as a number is the period "2024")."""
    if series.dtype.kind in "iub":
        return series.astype(str).to_numpy(dtype=object)
    return series.to_numpy(dtype=object)


def _from_arrow(table: Any, ids: Sequence[str | int] | None) -> _Table:
    meta: dict[str, Any] = {}
    columns: dict[str, Any] = {}
    for name in table.column_names:
        key = str(name).strip()
        if key.lower() in META:
            meta[key.lower()] = [None if v is None else str(v) for v in table.column(name).to_pylist()]
        elif not key.startswith("tag:"):
            columns[key] = table.column(name)
    t = _Table("arrow", meta, columns, None, table)
    t.length = table.num_rows
    return t


def _catalogue(table: _Table, catalogue: str | None) -> str:
    found = table.meta.get("catalogue")
    values = sorted({str(v) for v in found if v is not None and str(v) != ""}) if found is not None else []
    if catalogue is not None:
        other = [v for v in values if v != catalogue]
        if other:
            raise AssessmentError(
                tr("the catalogue column names {other!r}, not {catalogue!r}", other=other[0], catalogue=catalogue),
                field="catalogue",
            )
        return catalogue
    if len(values) == 1:
        return values[0]
    if not values:
        raise AssessmentError(tr("name the catalogue: catalogue=... or a catalogue column"), field="catalogue")
    raise AssessmentError(
        tr(
            "score_table scores one catalogue at a time, the table has {n}: {names}; score each catalogue's rows"
            " separately",
            n=len(values),
            names=", ".join(values),
        ),
        field="catalogue",
    )


def _matrix(table: _Table, cc: CompiledCatalogue) -> tuple[Any, Any]:
    """The levels in catalogue order and where they were given (None: everywhere)."""
    np = numpy_or_none()
    n = table.length
    for name, col in table.columns.items():
        if name not in cc.position:
            r = _first_given(col)
            if r is not None:
                raise AssessmentError(
                    cc.catalogue.unknown_indicator(name),
                    row=table.label(r),
                    field=f"levels.{name}",
                    allowed=cc.id_span(),
                )
    if np is None:
        return _matrix_python(table, cc)
    if table.kind == "numpy" and table.raw.dtype.kind in "iu" and list(table.columns) == list(cc.ids):
        return table.raw, None
    levels = np.zeros((n, len(cc.ids)), dtype=np.int64)
    present = np.ones((n, len(cc.ids)), dtype=bool)
    holes = False
    firsts: list[tuple[int, int, Any]] = []
    for j, iid in enumerate(cc.ids):
        col = table.columns.get(iid)
        if col is None:
            present[:, j] = False
            holes = holes or n > 0
            continue
        values, given, bad = _convert(np, col, n)
        if bad is not None:
            firsts.append((bad[0], j, bad[1]))
            continue
        levels[:, j] = values
        if given is not None:
            present[:, j] = given
            holes = holes or not bool(given.all())
    if firsts:
        r, j, value = min(firsts, key=lambda f: (f[0], f[1]))
        _not_whole(value, table.label(r), cc.ids[j])
    return levels, (present if holes else None)


def _not_whole(value: Any, row: int | None, iid: str) -> None:
    raise AssessmentError(
        tr("level {value!r} is not a whole number", value=value), row=row, field=iid, allowed=tr("whole numbers")
    )


def _first_given(col: Any) -> int | None:
    """The first row with a value in a column (None, NaN and blank text are not values)."""
    for r, v in enumerate(_pylist(col)):
        if _cell(v) is not _MISSING:
            return r
    return None


def _pylist(col: Any) -> list[Any]:
    if hasattr(col, "to_pylist"):
        return list(col.to_pylist())
    if hasattr(col, "tolist"):
        return list(col.tolist())
    return list(col)


class _Missing:
    pass


_MISSING = _Missing()
_BAD = _Missing()


def _cell(v: Any) -> Any:
    """A level from one cell: an int, `_MISSING`, or `_BAD` (not a whole number)."""
    if v is None:
        return _MISSING
    if isinstance(v, bool):
        return _BAD
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v != v:
            return _MISSING
        return int(v) if v.is_integer() else _BAD
    if isinstance(v, Decimal):
        if not v.is_finite():
            return _MISSING if v.is_nan() else _BAD
        return int(v) if v == v.to_integral_value() else _BAD
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return _MISSING
        if _WHOLE.fullmatch(s):
            return int(s.replace(",", ".").split(".")[0])
        return _BAD
    if type(v).__module__ == "numpy" and hasattr(v, "item"):  # numpy scalars
        return _cell(v.item())
    if type(v).__name__ in ("NAType", "NaTType"):
        return _MISSING
    return _BAD


def _convert(np: Any, col: Any, n: int) -> tuple[Any, Any, tuple[int, Any] | None]:
    """A column as (int64 levels, given mask or None, (first bad row, value) or None)."""
    if hasattr(col, "to_numpy") and hasattr(col, "dtype") and getattr(col.dtype, "kind", "O") in "iu":
        return col.to_numpy(dtype=np.int64), None, None
    if hasattr(col, "type") and hasattr(col, "null_count"):  # an Arrow chunked array
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

        if pa.types.is_integer(col.type) and col.null_count == 0:
            return col.to_numpy().astype(np.int64), None, None
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            return _floats(np, col.to_numpy(zero_copy_only=False).astype(np.float64))
        return _objects(np, np.array(col.to_pylist(), dtype=object))
    arr = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
    kind = arr.dtype.kind
    if kind in "iu":
        return arr.astype(np.int64), None, None
    if kind == "f":
        return _floats(np, arr.astype(np.float64))
    if kind == "b":
        return None, None, (0, bool(arr[0])) if n else None
    return _objects(np, arr.astype(object))


def _floats(np: Any, arr: Any) -> tuple[Any, Any, tuple[int, Any] | None]:
    given = ~np.isnan(arr)
    with np.errstate(invalid="ignore"):
        bad = given & ((arr != np.floor(arr)) | (np.abs(arr) >= 2.0**53))
    if bad.any():
        r = int(np.argmax(bad))
        return None, None, (r, float(arr[r]))
    values = np.where(given, arr, 0).astype(np.int64)
    return values, (None if bool(given.all()) else given), None


def _objects(np: Any, arr: Any) -> tuple[Any, Any, tuple[int, Any] | None]:
    """Cells of any kind (text, numbers, None), each distinct value parsed once."""
    cache: dict[Any, Any] = {}
    values = np.zeros(len(arr), dtype=np.int64)
    given = np.ones(len(arr), dtype=bool)
    for r, v in enumerate(arr.tolist()):
        try:
            level = cache[v]
        except (KeyError, TypeError):
            level = _cell(v)
            with contextlib.suppress(TypeError):
                cache[v] = level
        if level is _MISSING:
            given[r] = False
        elif level is _BAD or abs(level) >= 2**62:
            return None, None, (r, v)
        else:
            values[r] = level
    return values, (None if bool(given.all()) else given), None


def _matrix_python(table: _Table, cc: CompiledCatalogue) -> tuple[list[list[int]], list[list[bool]] | None]:
    n = table.length
    cols: list[list[Any]] = []
    firsts: list[tuple[int, int, Any]] = []
    for j, iid in enumerate(cc.ids):
        col = table.columns.get(iid)
        cells = [_MISSING] * n if col is None else [_cell(v) for v in _pylist(col)]
        bad = next((r for r, c in enumerate(cells) if c is _BAD), None)
        if bad is not None:
            firsts.append((bad, j, _pylist(col)[bad]))
        cols.append(cells)
    if firsts:
        r, j, value = min(firsts, key=lambda f: (f[0], f[1]))
        _not_whole(value, table.label(r), cc.ids[j])
    rows = [[0 if c[r] is _MISSING else c[r] for c in cols] for r in range(n)]
    present = [[c[r] is not _MISSING for c in cols] for r in range(n)]
    return rows, (present if not all(all(p) for p in present) else None)


# -- the output ---------------------------------------------------------------------------------


def _output(table: _Table, scored: TableScores, output: str) -> Any:
    meta = [m for m in META if m in table.meta]
    if output == "dict":
        return {**{m: list(table.meta[m]) for m in meta}, **scored.to_dict()}
    if output == "arrow":
        import pyarrow as pa

        body = scored.to_arrow()
        front = {}
        for m in meta:
            if table.kind == "arrow":
                front[m] = table.raw.column(next(c for c in table.raw.column_names if str(c).strip().lower() == m))
                if not pa.types.is_string(front[m].type) and not pa.types.is_large_string(front[m].type):
                    front[m] = pa.array(table.meta[m], type=pa.string())
            else:
                front[m] = pa.array(list(table.meta[m]), type=pa.string())
        return pa.Table.from_arrays([*front.values(), *body.columns], names=[*front, *body.column_names])
    if output == "pandas":
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        index = table.raw.index if table.kind == "pandas" else None
        body = scored.to_pandas(index=index)
        if not meta:
            return body
        front = pd.DataFrame({m: table.meta[m] for m in meta}, index=index)
        return pd.concat([front, body], axis=1)
    raise AssessmentError(tr("unknown output {output!r}", output=output), field="output",
                          allowed="auto, pandas, arrow, dict")  # fmt: skip

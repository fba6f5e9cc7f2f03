"""Read assessments from YAML, JSON and CSV (wide layout), with errors naming file, row and field.

CSV layout: columns `subject`, `period`, `catalogue`, then one column per indicator id; optional
`tag:<name>` columns become tags. One row per assessment, so a national table loads at once. Empty
cells mean "not assessed yet". Comma-, semicolon- and tab-separated files are accepted (Excel in
Indonesian locales writes semicolons).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._yaml import MAX_DIGITS, exact_decimal, load_yaml_text, non_text_key, one_line, plain, read_text
from ..errors import AssessmentError, SpbeError
from ..model.assessment import Assessment

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = ["LoadedAssessment", "check_duplicates", "load_assessments", "read_assessments"]

REQUIRED = ("subject", "period", "catalogue")
_WHOLE = re.compile(r"[+-]?\d{1,9}(?:\.0+)?")  # as people (and Excel) write levels: 4 or 4.0; not 3_0, 3.5, ٣


@dataclass(frozen=True)
class LoadedAssessment:
    """An assessment with where it came from, so later errors can name the file and row."""

    assessment: Assessment
    file: str
    row: int | None  # CSV: the line number; YAML/JSON lists: the 1-based item number


def load_assessments(path: str | Path, *, engine: Engine | None = None, validate: bool = True) -> list[Assessment]:
    """Load every assessment in a YAML, JSON or CSV file.

    With `validate` (the default) each one is checked against its catalogue: a known catalogue,
    known indicator ids, levels inside each indicator's scale, no duplicate subject/period. Missing
    indicators are allowed here (monitoring is partial); scoring decides what to do with them.
    """
    return [item.assessment for item in read_assessments(path, engine=engine, validate=validate)]


def read_assessments(
    path: str | Path, *, engine: Engine | None = None, validate: bool = True
) -> list[LoadedAssessment]:
    """Like `load_assessments`, keeping the file and row of each assessment."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":  # a binary workbook: openpyxl reads it (the `excel` extra)
        from .excel import read_xlsx

        return read_xlsx(p, engine=engine, validate=validate)
    text = read_text(p, error=AssessmentError)
    if suffix in (".yaml", ".yml"):
        items = _from_records(load_yaml_text(text, source=str(p), error=AssessmentError), str(p))
    elif suffix == ".json":
        items = _from_records(_load_json(text, str(p)), str(p))
    elif suffix in (".csv", ".tsv", ".txt"):
        items = _from_csv(text, str(p))
    else:
        raise AssessmentError(
            f"unknown file type {suffix or '(none)'!r}", file=str(p), allowed=".yaml, .yml, .json, .csv, .xlsx"
        )
    if validate:
        if engine is None:
            from ..engine import Engine

            engine = Engine()
        check_assessments(items, engine)
    return items


def _load_json(text: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise AssessmentError(f"invalid JSON: duplicate key {k!r}", file=source)
            out[k] = v
        return out

    def number(text: str) -> Decimal:
        try:
            return exact_decimal(text)
        except ValueError as exc:
            raise AssessmentError(f"invalid JSON: {exc}", file=source) from None

    def constant(name: str) -> Any:
        raise AssessmentError(f"invalid JSON: {name} is not a finite number", file=source)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_float=number, parse_constant=constant)
    except SpbeError:
        raise
    except json.JSONDecodeError as exc:
        raise AssessmentError(f"invalid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}", file=source) from None
    except RecursionError:
        raise AssessmentError("invalid JSON: nested too deeply", file=source) from None
    except ValueError:  # int() refuses whole numbers of more than 4300 digits
        raise AssessmentError(f"invalid JSON: a whole number has more than {MAX_DIGITS} digits", file=source) from None
    if _SURROGATE_ESCAPE.search(text):
        _no_lone_surrogates(data, source)
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(data: Any, source: str) -> None:
    """JSON may escape half of a UTF-16 pair ("\\ud800"); such a string cannot be written out again."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise AssessmentError(
                    "invalid JSON: a \\u escape gives half of a UTF-16 surrogate pair, which is not text", file=source
                )
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _from_records(data: Any, source: str) -> list[LoadedAssessment]:
    """A single mapping, a list of mappings, or `{assessments: [...]}`."""
    if isinstance(data, Mapping) and set(data) == {"assessments"}:
        data = data["assessments"]
    if isinstance(data, Mapping):
        return [LoadedAssessment(_model(data, source, None), source, None)]
    if isinstance(data, list):
        if not data:
            raise AssessmentError("no assessments in the file", file=source)
        return [LoadedAssessment(_model(item, source, n), source, n) for n, item in enumerate(data, 1)]
    raise AssessmentError("expected an assessment mapping, a list of them, or {assessments: [...]}", file=source)


def _model(data: Any, source: str, row: int | None) -> Assessment:
    if not isinstance(data, Mapping):
        raise AssessmentError(f"expected a mapping, got {type(data).__name__}", file=source, row=row)
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise AssessmentError(f"field names must be text, got {bad[0]!r}", file=source, row=row)
    try:
        return Assessment(**data)
    except TypeError:  # Python refuses `Evidence(**{1: ...})`: a field name that is not text
        found = non_text_key(dict(data))
        if found is None:  # not bad input: a bug, to be seen as one
            raise
        raise AssessmentError(
            f"field names must be text, got {found[1]!r}", file=source, row=row, field=found[0]
        ) from None
    except ArithmeticError:  # e.g. decimal.Overflow summing probabilities such as "1e999999999"
        raise AssessmentError("a number is too large to compute with", file=source, row=row) from None
    except AssessmentError as exc:
        field, msg = exc.field or "", one_line(exc.message)
        allowed: str | None = None
        if msg == "unknown field":
            allowed = ", ".join(Assessment.model_fields)
        elif field.startswith("levels."):
            allowed = "whole numbers"
        raise AssessmentError(msg, file=source, row=row, field=field or None, allowed=allowed) from None


def _from_csv(text: str, source: str) -> list[LoadedAssessment]:
    sample = text[:8192]
    first = sample.splitlines()[0] if sample.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered: list[tuple[int, list[str]]] = []  # (the file line a row starts on, its cells)
    start = 1
    try:
        for r in reader:
            if any(c.strip() for c in r):
                numbered.append((start, r))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise AssessmentError(f"invalid CSV: {exc}", file=source, row=reader.line_num) from None
    rows = [r for _, r in numbered]
    if not rows:
        raise AssessmentError("empty CSV file", file=source)
    header = [h.strip() for h in rows[0]]
    header = [h.lower() if h.lower() in REQUIRED else h for h in header]  # "Subject" is the subject column
    width = len(header)
    while width and not header[width - 1]:  # Excel often ends every line with empty cells: drop them
        width -= 1
    if any(any(c.strip() for c in r[width:]) for r in rows[1:]):
        width = len(header)  # values under a nameless column: report it below
    header = header[:width]
    seen: set[str] = set()
    for n, h in enumerate(header, 1):
        if not h:
            raise AssessmentError(
                f"column {n} has no name", file=source, row=1, allowed="a header on every column with values"
            )
        if h in seen:
            raise AssessmentError(f"column {h!r} appears twice", file=source, row=1)
        seen.add(h)
    for col in REQUIRED:
        if col not in header:
            raise AssessmentError(
                f"missing column {col!r}", file=source, row=1, allowed="subject, period, catalogue, <indicator ids>"
            )
    if len(rows) == 1:
        raise AssessmentError("no assessments in the file (only a header)", file=source)
    out: list[LoadedAssessment] = []
    for lineno, raw in numbered[1:]:
        if len(raw) > len(header) and any(c.strip() for c in raw[len(header) :]):
            raise AssessmentError(f"{len(raw)} cells but {len(header)} columns", file=source, row=lineno)
        cells = dict(zip(header, (c.strip() for c in raw), strict=False))
        levels: dict[str, Any] = {}
        tags: dict[str, str] = {}
        for col, value in cells.items():
            if col in REQUIRED or value == "":
                continue
            if col.startswith("tag:"):
                tags[col[4:]] = value
                continue
            if _WHOLE.fullmatch(value):
                levels[col] = int(value.split(".")[0])
            else:
                raise AssessmentError(
                    f"level {value!r} is not a whole number",
                    file=source,
                    row=lineno,
                    field=col,
                    allowed="whole numbers",
                )
        data: dict[str, Any] = {k: cells.get(k, "") for k in REQUIRED}
        data.update(levels=levels, tags=tags)
        out.append(LoadedAssessment(_model(data, source, lineno), source, lineno))
    return out


def check_duplicates(items: Iterable[LoadedAssessment]) -> None:
    """One assessment per catalogue, subject and period — within a file and across files."""
    seen: dict[tuple[str, str, str], LoadedAssessment] = {}
    for item in items:
        a = item.assessment
        key = (a.catalogue, a.subject, a.period)
        first = seen.get(key)
        if first is not None:
            where = f"row {first.row}" if first.row is not None else "earlier"
            if first.file != item.file:
                where = f"{first.file}" + (f" row {first.row}" if first.row is not None else "")
            raise AssessmentError(
                f"duplicate assessment of {a.subject!r} for period {plain(a.period)} (first at {where})",
                file=item.file,
                row=item.row,
            )
        seen[key] = item


def check_assessments(items: Iterable[LoadedAssessment], engine: Engine) -> None:
    """Check each assessment against its catalogue; raise `AssessmentError` naming file, row, field."""
    items = list(items)
    check_duplicates(items)
    for item in items:
        a = item.assessment
        try:
            cc = engine.compiled(a.catalogue)
        except SpbeError as exc:
            raise AssessmentError(
                exc.message, file=item.file, row=item.row, field="catalogue", allowed=exc.allowed
            ) from None
        for iid, level in a.levels.items():
            n = cc.position.get(iid)
            if n is None:
                raise AssessmentError(
                    f"unknown indicator {iid!r} for catalogue {a.catalogue}",
                    file=item.file,
                    row=item.row,
                    field=f"levels.{iid}",
                    allowed=f"{cc.ids[0]}–{cc.ids[-1]}" if len(cc.ids) > 8 else ", ".join(cc.ids),
                )
            if not cc.lo[n] <= level <= cc.hi[n]:
                raise AssessmentError(
                    f"level {level} is outside the scale of indicator {iid}",
                    file=item.file,
                    row=item.row,
                    field=f"levels.{iid}",
                    allowed=f"{cc.lo[n]}–{cc.hi[n]}",
                )
        _check_other_fields(item, cc)


def _check_other_fields(item: LoadedAssessment, cc: Any) -> None:
    """Ids and levels in notes, services, stages, distributions, evidence and inputs: a typo there
    would otherwise be ignored silently by the feature that reads it."""
    a = item.assessment
    span = f"{cc.ids[0]}–{cc.ids[-1]}" if len(cc.ids) > 8 else ", ".join(cc.ids)

    def known(iid: str, field: str) -> int:
        n = cc.position.get(iid)
        if n is None:
            raise AssessmentError(
                f"unknown indicator {iid!r} for catalogue {a.catalogue}",
                file=item.file,
                row=item.row,
                field=field,
                allowed=span,
            )
        return int(n)

    def in_scale(iid: str, level: int, field: str) -> None:
        n = known(iid, field)
        if not cc.lo[n] <= level <= cc.hi[n]:
            raise AssessmentError(
                f"level {level} is outside the scale of indicator {iid}",
                file=item.file,
                row=item.row,
                field=field,
                allowed=f"{cc.lo[n]}–{cc.hi[n]}",
            )

    for name in ("notes", "services", "inputs"):
        for iid in getattr(a, name):
            known(iid, f"{name}.{iid}")
    for stage, values in a.stages.items():
        for iid, level in values.items():
            in_scale(iid, level, f"stages.{stage}.{iid}")
    for iid, dist in a.distributions.items():
        for level in dist:
            in_scale(iid, level, f"distributions.{iid}")
    kinds = {k.id for k in cc.catalogue.evidence.kinds}
    for iid, evidence in a.evidence.items():
        for e in evidence:
            in_scale(iid, e.level, f"evidence.{iid}")
            if kinds and e.kind not in kinds:
                raise AssessmentError(
                    f"evidence {e.id!r} of indicator {iid} has unknown kind {e.kind!r}",
                    file=item.file,
                    row=item.row,
                    field=f"evidence.{iid}",
                    allowed=sorted(kinds),
                )
    # `inputs` are checked against the computed indicators when scoring (`Engine.with_computed_levels`).

"""Read assessments from YAML, JSON and CSV (wide layout), with errors naming file, row and field.

CSV layout: columns `subject`, `period`, `catalogue`, then one column per indicator id; optional
`tag:<name>` columns become tags. One row per assessment, so a national table loads at once. Empty
cells mean "not assessed yet". Comma-, semicolon- and tab-separated files are accepted (Excel in
Indonesian locales writes semicolons); a first line `sep=;` (`sep=,`, `sep=<tab>`), which Excel
writes and reads, sets the separator and is skipped, and rows are still named by the file's own
line numbers. A text cell that the library protected from spreadsheets (`'=1+1`, see
`io.safe_text`) reads back without its apostrophe.

Levels are whole numbers; as spreadsheets write them, `4.0` and, with the decimal comma of an
Indonesian locale, `4,0` or `4,00` are the level 4, while `4,5` (or `4.5`) is refused naming the
cell. No other CSV field is a number (subject, period, catalogue and tags are text, kept as
written), so the decimal comma matters only for levels. A comma is never a thousands separator
here: levels are small, and `1,000` is 1 as `1.000` is.

Encodings: files must be UTF-8 (a BOM is fine). A file saved as Windows-1252 or Latin-1 (Excel's
plain "CSV" on Windows) is refused, not decoded by a guess, with one line naming the row and
column of the first byte that is not UTF-8, the byte, what it would be in Windows-1252/Latin-1,
and the fix: Save As → "CSV UTF-8 (Comma delimited)". Guessing would be silent about which
characters changed, and a wrong guess corrupts names without an error.

Excel workbooks (.xlsx) are read by `io.excel` (the template) and `io.xlsx_table` (the same wide
table saved as a workbook, read by the rules here: `wide_assessments`).

Files are read item by item (CSV rows, YAML list items, worksheet rows), so memory holds the
assessments and one item's intermediate data, never the whole file's; `iter_assessments` yields
them one at a time.
No value is ever dropped: a row with more cells than columns, a repeated column, a level in other
than the ASCII digits 0-9 are refused, naming the file, row and cell.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._gc import deferred_full_collections
from .._yaml import (
    LINE_BREAK,
    MAX_BYTES,
    UNDECODABLE,
    WIDE_BOMS,
    iter_yaml_items,
    non_text_key,
    not_utf8_at,
    one_line,
    plain,
    read_text,
    sniff_delimiter,
)
from ..errors import AssessmentError, SpbeError
from ..exact import MAX_DIGITS, exact_decimal
from ..i18n import N_, tr, translate
from ..model.assessment import Assessment
from .safe_text import FORMULA_TRIGGERS

if TYPE_CHECKING:
    from ..resolver import Resolver

__all__ = ["LoadedAssessment", "check_duplicates", "iter_assessments", "load_assessments", "read_assessments"]

REQUIRED = ("subject", "period", "catalogue")
# As people (and Excel) write levels: 4, 4.0 or (decimal comma) 4,0; not 3_0, 3.5, 3,5, ٣ or ３
# (re.ASCII: `\d` alone takes any digit).
_WHOLE = re.compile(r"[+-]?[0-9]{1,9}(?:[.,]0+)?", re.ASCII)
WHOLE_DIGITS = N_("whole numbers written with the digits 0-9")
NEUTRALISED_CELL = re.compile("'+[" + re.escape("".join(sorted(FORMULA_TRIGGERS))) + "]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # the lines `open(newline="")` gives
_SEP_LINE = re.compile(r"sep=(.?)(?:\r\n|\r|\n|\Z)", re.IGNORECASE)  # Excel's `sep=;` first line
_SEPARATORS = {",": ",", ";": ";", "\t": "\t"}
EXCEL_UTF8 = N_('in Excel save it with Save As → "CSV UTF-8 (Comma delimited)"')


class TooLargeToReadWhole(AssessmentError):
    """A table larger than the readers that return a list take (`load_assessments`); `iter_assessments`
    streams it. (A workbook over its whole-read caps raises `io.excel.WorkbookRefused`.)"""


@dataclass(frozen=True)
class LoadedAssessment:
    """An assessment with where it came from, so later errors can name the file and row."""

    assessment: Assessment
    file: str
    row: int | None  # CSV: the line number; YAML/JSON lists: the 1-based item number


def load_assessments(path: str | Path, *, engine: Resolver | None = None, validate: bool = True) -> list[Assessment]:
    """Load every assessment in a YAML, JSON or CSV file.

    With `validate` (the default) each one is checked against its catalogue: a known catalogue,
    known indicator ids, levels inside each indicator's scale, no duplicate subject/period. Missing
    indicators are allowed here (monitoring is partial); scoring decides what to do with them.
    """
    return [item.assessment for item in read_assessments(path, engine=engine, validate=validate)]


def read_assessments(
    path: str | Path, *, engine: Resolver | None = None, validate: bool = True
) -> list[LoadedAssessment]:
    """Like `load_assessments`, keeping the file and row of each assessment."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":  # a template or a wide table: `io.excel` reads it (the `excel` extra)
        from .excel import read_xlsx

        return read_xlsx(p, engine=engine, validate=validate)
    if p.suffix.lower() in (".csv", ".tsv", ".txt") and _size(p) > MAX_BYTES:
        raise TooLargeToReadWhole(  # a list of ~3 KB objects per row: the cap bounds the memory a list takes
            tr(
                "file larger than {MAX_BYTES} MiB (the limit of a file read whole; a larger table is read"
                " row by row by iter_assessments and by `spbe score FILE -f csv`)",
                MAX_BYTES=MAX_BYTES // (1024 * 1024),
            ),
            file=str(p),
        )
    with deferred_full_collections():  # every assessment read survives (the list holds it): see spbe_engine._gc
        items = list(_parse(p))
    if validate:
        check_assessments(items, engine or default_resolver())
    return items


def iter_assessments(
    path: str | Path, *, engine: Resolver | None = None, validate: bool = True
) -> Iterator[LoadedAssessment]:
    """The assessments of a file one at a time, each checked as it comes (duplicates against the
    earlier ones): for files too large to hold as a list. The first bad item raises, after the
    items before it were yielded."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":  # a table's rows streamed as they are read (`io.xlsx_table`)
        from .xlsx_table import iter_workbook

        yield from iter_workbook(p, engine=engine, validate=validate)
        return
    items = _parse(p)
    if p.suffix.lower() in (".csv", ".tsv", ".txt") and _size(p) > MAX_BYTES:
        items = _from_csv_stream(p)  # no size cap: read in blocks, memory bounded by a block and a row
    if not validate:
        yield from items
        return
    engine = engine or default_resolver()
    seen: dict[tuple[str, str, str], tuple[str, int | None]] = {}
    for item in items:
        check_duplicate(item, seen)
        check_one(item, engine)
        yield item


def problems_in(
    path: str | Path, *, engine: Resolver | None = None, limit: int = 50
) -> tuple[int, list[SpbeError], int]:
    """Every problem of a file, not only the first: (assessments read, the first `limit` problems,
    how many problems in all). CSV rows and the rows of a table saved as .xlsx are read past a bad
    row; every assessment read is checked against its catalogue. A file that cannot be read at all
    (not CSV/YAML/JSON/.xlsx, bad header, invalid YAML) gives that one problem."""
    p = Path(path)
    engine = engine or default_resolver()
    found: list[SpbeError] = []
    items: list[LoadedAssessment] = []
    locate: Callable[[AssessmentError], AssessmentError] = as_is
    seen: dict[tuple[str, str, str], tuple[str, int | None]] = {}
    if p.suffix.lower() in (".csv", ".tsv", ".txt") and _size(p) > MAX_BYTES:
        return _streamed_problems(p, engine, limit, found, seen)
    try:
        if p.suffix.lower() in (".csv", ".tsv", ".txt"):
            text = read_text(p, error=AssessmentError, locate=_undecodable_cell, hint=EXCEL_UTF8)
            items = list(_from_csv(text, str(p), found))
        elif p.suffix.lower() == ".xlsx":
            from .xlsx_table import workbook_problems

            items, locate = workbook_problems(p, found)
        else:
            items = read_assessments(p, engine=engine, validate=False)
    except SpbeError as exc:
        found.append(exc)
    for item in items:
        _problems_of(item, engine, seen, found, locate)
    found.sort(key=lambda e: (e.row is None, e.row or 0))
    return len(items), found[:limit], len(found)


def _streamed_problems(
    p: Path,
    engine: Resolver,
    limit: int,
    found: list[SpbeError],
    seen: dict[tuple[str, str, str], tuple[str, int | None]],
) -> tuple[int, list[SpbeError], int]:
    """`problems_in` for a CSV too large to read whole: each row checked as it is read (a problem
    that stops the reading still leaves the rows before it checked)."""
    count = 0
    try:
        for item in _from_csv_lines(_stream_lines(p), str(p), found):
            count += 1
            _problems_of(item, engine, seen, found, as_is)
    except SpbeError as exc:
        found.append(exc)
    found.sort(key=lambda e: (e.row is None, e.row or 0))
    return count, found[:limit], len(found)


def _problems_of(
    item: LoadedAssessment,
    engine: Resolver,
    seen: dict[tuple[str, str, str], tuple[str, int | None]],
    found: list[SpbeError],
    locate: Callable[[AssessmentError], AssessmentError],
) -> None:
    try:
        check_duplicate(item, seen)
        check_one(item, engine)
    except AssessmentError as exc:
        found.append(locate(exc))
    except SpbeError as exc:
        found.append(exc)


def as_is(exc: AssessmentError) -> AssessmentError:
    return exc


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0  # the reader names the problem


_STREAM_BLOCK = 1 << 20


def _from_csv_stream(p: Path) -> Iterator[LoadedAssessment]:
    """A CSV file larger than the whole-text cap, read in 1 MiB blocks: the same rows, cells and
    errors as `_from_csv`, each problem raised where it is met (in file order; the whole-text reader
    first checks the encoding of the whole file). A byte that is not UTF-8 is named by line and
    character."""
    yield from _from_csv_lines(_stream_lines(p), str(p))


def _from_csv_lines(
    lines: Iterator[str], source: str, collect: list[SpbeError] | None = None
) -> Iterator[LoadedAssessment]:
    first = next(lines, "")
    delimiter, skipped, _ = _dialect(first, source)
    rest = lines if skipped else _chain(first, lines)  # a `sep=` line is not a row
    yield from wide_assessments(_csv_rows(csv.reader(rest, delimiter=delimiter), skipped, source), source, collect)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _stream_lines(p: Path) -> Iterator[str]:
    """The file's lines as `open(newline="")` gives them, decoded block by block, refusing what
    `read_text` refuses (a UTF-16/32 BOM, a byte that is not UTF-8, a NUL byte) by the same messages."""
    source = str(p)
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise AssessmentError(tr("cannot read: {strerror}", strerror=exc.strerror), file=source) from None
    with fh:
        offset = 0  # of `pending` in the file
        pending = b""
        carry = ""  # text after the last complete line
        breaks = 0  # line breaks before `carry`
        first = True
        while True:
            block = fh.read(max(_STREAM_BLOCK, 4) if first else _STREAM_BLOCK)  # a BOM in the first read
            data = pending + block
            if first:
                for bom, name in WIDE_BOMS:
                    if data.startswith(bom):
                        raise AssessmentError(tr("not UTF-8 text ({name}); save it as UTF-8", name=name), file=source)
                if data.startswith(b"\xef\xbb\xbf"):
                    data, offset = data[3:], 3
                first = False
            nul = data.find(b"\x00")
            if nul >= 0:
                raise AssessmentError(
                    tr("not UTF-8 text (a NUL byte at byte {nul}; UTF-16?); save it as UTF-8", nul=offset + nul),
                    file=source,
                )
            try:
                text = data.decode("utf-8")
                pending = b""
            except UnicodeDecodeError as exc:
                if block and exc.reason == "unexpected end of data" and exc.end == len(data):
                    text, pending = data[: exc.start].decode("utf-8"), data[exc.start :]
                else:
                    lines = LINE_BREAK.split(carry + data[: exc.start].decode("utf-8"))
                    line, char = breaks + len(lines), len(lines[-1]) + 1
                    raise not_utf8_at(
                        data, exc.start, line, char, file=source, error=AssessmentError, hint=EXCEL_UTF8
                    ) from None
            offset += len(data) - len(pending)
            text = carry + text
            if not block:
                if text:
                    yield text
                return
            cut = max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1))  # a final "\r" may begin "\r\n"
            done, carry = text[: cut + 1], text[cut + 1 :]
            for m in _LINE.finditer(done):
                breaks += 1
                yield m.group()



def default_resolver() -> Resolver:
    """Validation needs only the catalogues (the installed plugins'), not a whole engine."""
    from ..resolver import Resolver

    return Resolver()


def _parse(p: Path) -> Iterator[LoadedAssessment]:
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        text = read_text(p, error=AssessmentError, locate=_undecodable_cell, hint=EXCEL_UTF8)
    else:
        text = read_text(p, error=AssessmentError)
    if suffix not in (".yaml", ".yml", ".json", ".csv", ".tsv", ".txt"):
        raise AssessmentError(
            tr("unknown file type {suffix!r}", suffix=suffix or "(none)"),
            file=str(p),
            allowed=".yaml, .yml, .json, .csv, .xlsx",
        )
    if suffix in (".yaml", ".yml"):
        yield from _from_yaml(text, str(p))
    elif suffix == ".json":
        yield from _from_records(load_json_text(text, source=str(p)), str(p))
    else:
        yield from _from_csv(text, str(p))


def _from_yaml(text: str, source: str) -> Iterator[LoadedAssessment]:
    """Each item of the file's list becomes an assessment before the next is read."""
    listed = False
    items = iter_yaml_items(text, source=source, error=AssessmentError)
    for n, data in items:
        if n is None:
            yield from _from_records(data, source)
            return
        listed = True
        try:
            model = _model(data, source, n)
        except AssessmentError:
            _drain(items)  # a file that is not valid YAML says so first, as when it was read whole
            raise
        yield LoadedAssessment(model, source, n)
    if not listed:
        raise AssessmentError(tr("no assessments in the file"), file=source)


def _drain(rest: Iterator[Any]) -> None:
    """Read the rest of a file only for its syntax errors, which come before any error of content."""
    for _ in rest:
        pass


def load_json_text(text: str, *, source: str, error: type[SpbeError] = AssessmentError) -> Any:
    """Parse JSON strictly, as every JSON the library reads: a key given twice (the json module keeps
    the last, silently), NaN/Infinity, nesting too deep and lone surrogates are a one-line `error`
    naming `source`; numbers with a fraction or exponent become exact `Decimal`s."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise error(tr("invalid JSON: duplicate key {k!r}", k=k), file=source)
            out[k] = v
        return out

    def number(text: str) -> Decimal:
        try:
            return exact_decimal(text)
        except ValueError as exc:
            raise error(tr("invalid JSON: {exc}", exc=exc), file=source) from None

    def constant(name: str) -> Any:
        raise error(tr("invalid JSON: {name} is not a finite number", name=name), file=source)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_float=number, parse_constant=constant)
    except SpbeError:
        raise
    except json.JSONDecodeError as exc:
        raise error(
            tr("invalid JSON: line {lineno} column {colno}: {msg}", lineno=exc.lineno, colno=exc.colno, msg=exc.msg),
            file=source,
        ) from None
    except RecursionError:
        raise error(tr("invalid JSON: nested too deeply"), file=source) from None
    except ValueError:  # int() refuses whole numbers of more than 4300 digits
        raise error(
            tr("invalid JSON: a whole number has more than {MAX_DIGITS} digits", MAX_DIGITS=MAX_DIGITS), file=source
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        _no_lone_surrogates(data, source, error)
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(data: Any, source: str, error: type[SpbeError]) -> None:
    """JSON may escape half of a UTF-16 pair ("\\ud800"); such a string cannot be written out again."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise error(
                    tr("invalid JSON: a \\u escape gives half of a UTF-16 surrogate pair, which is not text"),
                    file=source,
                )
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _from_records(data: Any, source: str) -> Iterator[LoadedAssessment]:
    """A single mapping, a list of mappings, or `{assessments: [...]}`. Each raw item is let go once
    its assessment is built, so the raw data and the assessments are not both held in full."""
    if isinstance(data, Mapping) and set(data) == {"assessments"}:
        data = data["assessments"]
    if isinstance(data, Mapping):
        yield LoadedAssessment(_model(data, source, None), source, None)
        return
    if not isinstance(data, list):
        raise AssessmentError(
            tr("expected an assessment mapping, a list of them, or {{assessments: [...]}}"), file=source
        )
    if not data:
        raise AssessmentError(tr("no assessments in the file"), file=source)
    for n in range(1, len(data) + 1):
        item, data[n - 1] = data[n - 1], None
        yield LoadedAssessment(_model(item, source, n), source, n)


def _model(data: Any, source: str, row: int | None) -> Assessment:
    if not isinstance(data, Mapping):
        raise AssessmentError(
            tr("expected a mapping, got {type_name}", type_name=type(data).__name__), file=source, row=row
        )
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise AssessmentError(tr("field names must be text, got {bad!r}", bad=bad[0]), file=source, row=row)
    try:
        return Assessment(**data)
    except TypeError:  # Python refuses `Evidence(**{1: ...})`: a field name that is not text
        found = non_text_key(dict(data))
        if found is None:  # not bad input: a bug, to be seen as one
            raise
        raise AssessmentError(
            tr("field names must be text, got {found!r}", found=found[1]), file=source, row=row, field=found[0]
        ) from None
    except ArithmeticError:  # e.g. decimal.Overflow summing probabilities such as "1e999999999"
        raise AssessmentError(tr("a number is too large to compute with"), file=source, row=row) from None
    except AssessmentError as exc:
        field, msg = exc.field or "", one_line(exc.message)
        allowed: str | None = None
        if msg == "unknown field":
            allowed = ", ".join(Assessment.model_fields)
        elif field.startswith("levels."):
            allowed = "whole numbers"
        raise AssessmentError(msg, file=source, row=row, field=field or None, allowed=allowed) from None


def _from_csv(text: str, source: str, collect: list[SpbeError] | None = None) -> Iterator[LoadedAssessment]:
    """Row by row: memory holds the text and one row, not a list of every row's cells."""
    rows = _csv_rows(*_csv_reader(text, source), source)
    try:
        yield from wide_assessments(rows, source, collect)
    except AssessmentError:
        _drain(rows)  # an invalid CSV says so first, as when it was read whole
        raise


def _sep_line_delimiter(value: str, source: str) -> str:
    """The delimiter an Excel `sep=` first line names, or an error naming the line."""
    delimiter = _SEPARATORS.get(value)
    if delimiter is None:
        raise AssessmentError(
            tr("unsupported separator {sep!r} in the sep= line", sep=value),
            file=source,
            row=1,
            allowed="sep=, sep=; sep=<tab>",
        )
    return delimiter


def _csv_reader(text: str, source: str) -> tuple[Any, int]:
    """A CSV reader of `text` and the number of lines skipped before it (a `sep=` line)."""
    delimiter, skipped, cut = _dialect(text, source)
    return csv.reader((m.group() for m in _LINE.finditer(text[cut:])), delimiter=delimiter), skipped


def _dialect(start: str, source: str) -> tuple[str, int, int]:
    """(separator, lines skipped, characters skipped) from the start of a CSV: Excel's `sep=` line,
    else the first line's most frequent separator."""
    sep = _SEP_LINE.match(start)
    if sep is not None:
        return _sep_line_delimiter(sep.group(1), source), 1, sep.end()
    return sniff_delimiter(start), 0, 0


def _undecodable_cell(text: str) -> tuple[int, str | None, str] | None:
    """The row and column of the first byte that is not UTF-8 (a U+DC80-U+DCFF character in `text`,
    decoded with "surrogateescape"), for `read_text`'s error; None when the CSV itself is unreadable."""
    header: list[str] = []
    try:
        for lineno, raw in _csv_rows(*_csv_reader(text, ""), ""):
            bad = next((k for k, cell in enumerate(raw) if UNDECODABLE.search(cell)), None)
            if bad is None:
                header = header or [h.strip() for h in raw]
                continue
            if not header:
                return lineno, None, tr(" in the header, column {n}", n=bad + 1)
            if bad < len(header) and header[bad] and not UNDECODABLE.search(header[bad]):
                return lineno, header[bad].lower() if header[bad].lower() in REQUIRED else header[bad], ""
            return lineno, None, tr(" in column {n}", n=bad + 1)
    except AssessmentError:
        return None
    return None


def wide_assessments(
    rows: Iterator[tuple[int, list[str]]], source: str, collect: list[SpbeError] | None = None
) -> Iterator[LoadedAssessment]:
    """The wide layout's assessments from its non-blank rows, each (line or row number, cells as
    text), the header first: CSV lines here, worksheet rows in `io.xlsx_table`. With `collect`, a
    row's own problem is added there and the next row is read (the header's problems still stop the
    file): how `spbe validate` reports every problem at once."""
    try:
        head, raw_header = next(rows)
    except StopIteration:
        raise AssessmentError(tr("empty CSV file"), file=source) from None
    header = [h.strip() for h in raw_header]
    header = [h.lower() if h.lower() in REQUIRED else h for h in header]  # "Subject" is the subject column
    named = len(header)
    while named and not header[named - 1]:  # Excel often ends every line with empty cells: ignore them
        named -= 1
    seen: set[str] = set()
    for n, h in enumerate(header[:named], 1):
        if not h:
            raise AssessmentError(
                tr("column {n} has no name", n=n),
                file=source,
                row=head,
                allowed=tr("a header on every column with values"),
            )
        if h in seen:
            raise AssessmentError(tr("column {h!r} appears twice", h=h), file=source, row=head)
        seen.add(h)
    header = [sys.intern(h) for h in header[:named]]  # shared by every row's levels
    for col in REQUIRED:
        if col not in header:
            raise AssessmentError(
                tr("missing column {col!r}", col=col),
                file=source,
                row=head,
                allowed=tr("subject, period, catalogue, <indicator ids>"),
            )
    width = len(header)
    layout = _Layout(header)
    count = 0
    for lineno, raw in rows:
        try:
            item = _csv_row(layout, raw_header, raw, width, head, source, lineno)
        except AssessmentError as exc:
            if collect is None:
                raise
            collect.append(exc)
            continue
        count += 1
        yield item
    if not count and not collect:  # rows with problems are not "only a header"
        raise AssessmentError(tr("no assessments in the file (only a header)"), file=source)


def _csv_row(
    layout: _Layout, raw_header: list[str], raw: list[str], width: int, head: int, source: str, lineno: int
) -> LoadedAssessment:
    """One data row as an assessment, or the row's problem (more cells than columns, a bad level)."""
    extra = [c for c in raw[width:] if c.strip()]
    if extra:
        if len(raw) <= len(raw_header):  # a value under a nameless column of the header
            at = width + next(k for k, c in enumerate(raw[width:]) if c.strip()) + 1
            raise AssessmentError(
                tr("column {at} has no name", at=at),
                file=source,
                row=head,
                allowed=tr("a header on every column with values"),
            )
        raise AssessmentError(
            tr(
                "{n_raw} cells but {n_raw_header} columns; {extra} has no column",
                n_raw=len(raw),
                n_raw_header=len(raw_header),
                extra=plain_cell(extra[0]),
            ),
            file=source,
            row=lineno,
            allowed=tr("one cell per column (quote a cell that holds the separator)"),
        )
    data = layout.record(raw)
    if data is None:
        data = _csv_record(layout.header, raw, source, lineno)
    return LoadedAssessment(_model(data, source, lineno), source, lineno)


def _csv_rows(reader: Any, skipped: int, source: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the file line each starts on (`skipped` lines came before the reader's)."""
    start = 1 + skipped
    try:
        for r in reader:
            if any(c.strip() for c in r):
                yield start, r
            start = reader.line_num + 1 + skipped
    except csv.Error as exc:
        raise AssessmentError(tr("invalid CSV: {exc}", exc=exc), file=source, row=reader.line_num + skipped) from None


_LEVEL_TEXT = {str(n): n for n in range(10)}
"""Level cells as a table writes them (one digit, nothing around it): the common case, looked up."""


class _Layout:
    """Where a wide header's columns are, found once per file, so that a row whose level cells are
    all plain digits (the common case) becomes its record in a few C-level steps: the same record
    `_csv_record` makes of it. Any other row (an empty level, " 3", "4,0", a bad cell, a short
    row) takes `_csv_record`, with its errors."""

    __slots__ = ("cells", "header", "names", "required", "tags", "width")

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.width = len(header)
        self.required = [(n, col) for n, col in enumerate(header) if col in REQUIRED]
        self.tags = [(n, col[4:]) for n, col in enumerate(header) if col not in REQUIRED and col.startswith("tag:")]
        at = [n for n, col in enumerate(header) if col not in REQUIRED and not col.startswith("tag:")]
        self.names = [header[n] for n in at]
        self.cells: Callable[[list[str]], Any] | None = (
            itemgetter(*at) if len(at) > 1 else (lambda raw: (raw[at[0]],)) if at else None
        )

    def record(self, raw: list[str]) -> dict[str, Any] | None:
        """The row's record when every level cell is a plain digit, else None."""
        if self.cells is None or len(raw) < self.width:
            return None
        levels = list(map(_LEVEL_TEXT.get, self.cells(raw)))
        if None in levels:
            return None
        data: dict[str, Any] = dict.fromkeys(REQUIRED, "")
        for n, col in self.required:
            value = raw[n].strip()
            if value:
                text = text_cell(value)
                data[col] = sys.intern(text) if col != "subject" else text
        data["levels"] = dict(zip(self.names, levels, strict=True))
        if self.tags:
            tags = {name: text_cell(value) for n, name in self.tags if (value := raw[n].strip())}
            if tags:
                data["tags"] = tags
        return data


def _csv_record(header: list[str], raw: list[str], source: str, lineno: int) -> dict[str, Any]:
    levels: dict[str, Any] = {}
    tags: dict[str, str] = {}
    data: dict[str, Any] = dict.fromkeys(REQUIRED, "")
    for col, cell in zip(header, raw, strict=False):
        value = cell.strip()
        if value == "":
            continue
        if col in REQUIRED:
            text = text_cell(value)
            data[col] = sys.intern(text) if col != "subject" else text
        elif col.startswith("tag:"):
            tags[col[4:]] = text_cell(value)
        elif _WHOLE.fullmatch(value):
            levels[col] = int(value.replace(",", ".").split(".")[0])
        else:
            raise AssessmentError(
                tr("level {value} is not a whole number", value=plain_cell(value)),
                file=source,
                row=lineno,
                field=col,
                allowed=translate(WHOLE_DIGITS),
            )
    data["levels"] = levels
    if tags:  # an empty `tags` is the default: not passing it saves ~500 bytes per assessment (fields set)
        data["tags"] = tags
    return data


def text_cell(value: str) -> str:
    """A text cell as the writer meant it: `'=1+1` (protected from spreadsheets) is `=1+1`; an
    apostrophe the text itself began with was doubled by the writer (`''=x` is `'=x`)."""
    return value[1:] if NEUTRALISED_CELL.match(value) else value


def plain_cell(value: str) -> str:
    """A cell quoted for a message, cut short when long."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


def check_duplicates(items: Iterable[LoadedAssessment]) -> None:
    """One assessment per catalogue, subject and period — within a file and across files."""
    seen: dict[tuple[str, str, str], tuple[str, int | None]] = {}
    for item in items:
        check_duplicate(item, seen)


def check_duplicate(item: LoadedAssessment, seen: dict[tuple[str, str, str], tuple[str, int | None]]) -> None:
    """One item of `check_duplicates`, for readers that stream: `seen` keeps where each key was
    first (not the assessment), so streaming keeps little."""
    a = item.assessment
    key = (a.catalogue, a.subject, a.period)
    first = seen.get(key)
    if first is not None:
        file, row = first
        where = tr("row {row}", row=row) if row is not None else tr("earlier")
        if file != item.file:
            where = f"{file}" + (" " + tr("row {row}", row=row) if row is not None else "")
        raise AssessmentError(
            tr(
                "duplicate assessment of {subject!r} for period {a} (first at {where})",
                subject=a.subject,
                a=plain(a.period),
                where=where,
            ),
            file=item.file,
            row=item.row,
        )
    seen[key] = (item.file, item.row)


def check_assessments(items: Iterable[LoadedAssessment], engine: Resolver) -> None:
    """Check each assessment against its catalogue; raise `AssessmentError` naming file, row, field."""
    items = list(items)
    check_duplicates(items)
    for item in items:
        check_one(item, engine)


def check_one(item: LoadedAssessment, engine: Resolver) -> None:
    """One item of `check_assessments` (without the duplicates), for readers that stream."""
    a = item.assessment
    try:
        cc = engine.compiled(a.catalogue)
    except SpbeError as exc:
        raise AssessmentError(
            exc.message, file=item.file, row=item.row, field="catalogue", allowed=exc.allowed
        ) from None
    levels = a.levels
    span = cc.uniform
    if (  # the common case in three C-level steps: known ids, every level inside the shared scale
        span is None
        or not levels
        or not levels.keys() <= cc.position.keys()
        or not span[0] <= min(levels.values())
        or not max(levels.values()) <= span[1]
    ):
        _check_levels(item, cc)
    if a.notes or a.services or a.inputs or a.stages or a.distributions or a.evidence:
        _check_other_fields(item, cc)  # a table row has none of them


def _check_levels(item: LoadedAssessment, cc: Any) -> None:
    """Each level of `check_one`: its id known, inside its indicator's scale (the first bad one raised)."""
    a = item.assessment
    for iid, level in a.levels.items():
        n = cc.position.get(iid)
        if n is None:
            raise AssessmentError(
                cc.catalogue.unknown_indicator(iid),
                file=item.file,
                row=item.row,
                field=f"levels.{iid}",
                allowed=cc.id_span(),
            )
        if not cc.lo[n] <= level <= cc.hi[n]:
            raise AssessmentError(
                tr("level {level} is outside the scale of indicator {iid}", level=level, iid=iid),
                file=item.file,
                row=item.row,
                field=f"levels.{iid}",
                allowed=f"{cc.lo[n]}–{cc.hi[n]}",
            )


def _check_other_fields(item: LoadedAssessment, cc: Any) -> None:
    """Ids and levels in notes, services, stages, distributions, evidence and inputs: a typo there
    would otherwise be ignored silently by the feature that reads it."""
    a = item.assessment

    def known(iid: str, field: str) -> int:
        n = cc.position.get(iid)
        if n is None:
            raise AssessmentError(
                cc.catalogue.unknown_indicator(iid),
                file=item.file,
                row=item.row,
                field=field,
                allowed=cc.id_span(),
            )
        return int(n)

    def in_scale(iid: str, level: int, field: str) -> None:
        n = known(iid, field)
        if not cc.lo[n] <= level <= cc.hi[n]:
            raise AssessmentError(
                tr("level {level} is outside the scale of indicator {iid}", level=level, iid=iid),
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
                    tr("evidence {id!r} of indicator {iid} has unknown kind {kind!r}", id=e.id, iid=iid, kind=e.kind),
                    file=item.file,
                    row=item.row,
                    field=f"evidence.{iid}",
                    allowed=sorted(kinds),
                )
    # `inputs` are checked against the computed indicators when scoring (`Engine.with_computed_levels`).

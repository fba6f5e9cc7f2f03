"""Wide CSV tables read in chunks of columns, for `Engine.score_table`: no object per row, memory
bounded by the chunk, whatever the file's size.

`iter_level_chunks(path)` yields each chunk as columns (a pyarrow Table with the `arrow` extra,
else a dict of lists from the stdlib csv module), in the layout of `load_assessments`: `subject`,
`period`, `catalogue`, one column per indicator id, `tag:<name>` columns. It is the fast path for
files that are well formed; `StreamRefused` says that a file needs the exact reader
(`io.readers`), which names the first bad row and column: a `sep=` line, cells such as `4,0`,
text that is not UTF-8 or holds NUL, a row longer than the header, spreadsheet-protected text.
Callers fall back to it; nothing is lost but speed.

A wide table saved as an Excel workbook (.xlsx, see `io.xlsx_table`) comes in the same chunks as
the stdlib path's, its sheet streamed row by row (no cap on its rows, memory bounded as there): levels
are whole numbers (4 or 4.0, or text of digits), text cells are taken as the exact reader takes them
(the number 2024 is the period "2024"); anything else — a formula, a level 4,0 or 3.5, text with
surrounding spaces, a workbook that is not a table — is `StreamRefused`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._yaml import sniff_delimiter
from .readers import NEUTRALISED_CELL, REQUIRED
from .safe_text import FORMULA_TRIGGERS

__all__ = ["StreamRefused", "iter_level_chunks"]

CHUNK_ROWS = 65_536
_BLOCK = 1024 * 1024  # pyarrow's read block, about 8,000 rows of a wide file: its reader reads up to 32 blocks
# ahead on a background thread, so the block size bounds the memory held (4 MiB blocks held ~140 MB)
_LEVEL_CELL = re.compile(r"[0-9]{1,9}\Z", re.ASCII)
_RE2_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "-": "\\-", "\\": "\\\\", "]": "\\]", "^": "\\^"}
_PROTECTED = "^'+[" + "".join(_RE2_ESCAPES.get(c, c) for c in sorted(FORMULA_TRIGGERS)) + "]"
"""A text cell the writer protected from spreadsheets (`io.safe_text`), as pyarrow's RE2 writes it."""


class StreamRefused(Exception):
    """The file needs the exact row-by-row reader (not an error of the file: only of the fast path)."""


def iter_level_chunks(path: str | Path, *, chunk_rows: int = CHUNK_ROWS, arrow: bool | None = None) -> Iterator[Any]:
    """The file's rows in chunks of columns (see the module). `arrow=None` uses pyarrow when
    installed. Raises `StreamRefused` (possibly after some chunks) when the file needs the exact reader."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        yield from _xlsx_chunks(p, chunk_rows)
        return
    header, delimiter = _header(p)
    if arrow is None:
        try:
            import pyarrow.csv  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            arrow = False
        else:
            arrow = True
    if arrow:
        yield from _arrow_chunks(p, header, delimiter, chunk_rows)
    else:
        yield from _csv_chunks(p, header, delimiter, chunk_rows)


def _header(p: Path) -> tuple[list[str], str]:
    """The header as `io.readers` reads it (names stripped, required names lower-case), when plain."""
    with p.open("rb") as fh:
        first = fh.readline(1 << 20)
    if first.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00")) or b"\x00" in first or b'"' in first:
        raise StreamRefused("header")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StreamRefused("encoding") from None
    if line.lower().startswith("sep="):
        raise StreamRefused("sep= line")
    line = line.rstrip("\r\n")
    if "\r" in line or not line.strip():
        raise StreamRefused("header")
    delimiter = sniff_delimiter(line)
    names = [h.strip() for h in line.split(delimiter)]
    names = [h.lower() if h.lower() in REQUIRED else h for h in names]
    while names and not names[-1]:
        names.pop()
    if "" in names or len(set(names)) != len(names) or any(r not in names for r in REQUIRED):
        raise StreamRefused("header")
    return names, delimiter


def _plain_text(value: str) -> bool:
    return not NEUTRALISED_CELL.match(value) and value == value.strip() and "\x00" not in value


def _arrow_chunks(p: Path, header: list[str], delimiter: str, chunk_rows: int) -> Iterator[Any]:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

    levels = [h for h in header if h not in REQUIRED and not h.startswith("tag:")]
    types = {h: pa.string() for h in header if h in REQUIRED or h.startswith("tag:")}
    types |= dict.fromkeys(levels, pa.int64())
    try:
        reader = pcsv.open_csv(
            p,
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, block_size=_BLOCK, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
        for batch in reader:
            table = pa.Table.from_batches([batch])
            # A row of empty cells only is skipped, as the exact reader skips it.
            filled = None
            for name in header:
                col = table.column(name)
                has = pc.is_valid(col) if col.type != pa.string() else pc.not_equal(pc.utf8_length(col), 0)
                filled = has if filled is None else pc.or_(filled, has)
            if filled is not None and not pc.all(filled).as_py():
                table = table.filter(filled)
            for name in types:
                if types[name] == pa.string():
                    _check_text(pc, table.column(name))
                    if name in REQUIRED and not pc.all(pc.greater(pc.utf8_length(table.column(name)), 0)).as_py():
                        raise StreamRefused("empty required cell")
            for start in range(0, table.num_rows, chunk_rows):
                yield table.slice(start, chunk_rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise StreamRefused(str(exc)) from None


def _check_text(pc: Any, col: Any) -> None:
    """Text cells the exact reader would change or refuse: surrounding spaces, NUL, a protected cell."""
    if col.null_count:
        raise StreamRefused("null text")
    if not pc.all(pc.equal(col, pc.utf8_trim_whitespace(col))).as_py():
        raise StreamRefused("spaces")
    if pc.any(pc.match_substring(col, "\x00")).as_py():
        raise StreamRefused("NUL")
    if pc.any(pc.match_substring_regex(col, _PROTECTED)).as_py():
        raise StreamRefused("protected text")


def _csv_chunks(p: Path, header: list[str], delimiter: str, chunk_rows: int) -> Iterator[dict[str, list[Any]]]:
    """The stdlib path: cells as the exact reader reads them when plain (levels of ASCII digits)."""
    with p.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        try:
            reader = csv.reader(_lines(text), delimiter=delimiter)
            next(reader)
            yield from _in_chunks(header, _csv_cells(reader, header), chunk_rows)
        except (UnicodeDecodeError, csv.Error):
            raise StreamRefused("encoding or CSV syntax") from None


def _csv_cells(reader: Iterator[list[str]], header: list[str]) -> Iterator[list[Any]]:
    width = len(header)
    is_level = [h not in REQUIRED and not h.startswith("tag:") for h in header]
    for row in reader:
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise StreamRefused("long row")
        if not any(c.strip() for c in row):
            continue
        cells: list[Any] = []
        for n, cell in enumerate(row[:width] + [""] * (width - len(row))):
            if is_level[n]:
                if cell == "":
                    cells.append(None)
                elif _LEVEL_CELL.match(cell):
                    cells.append(int(cell))
                else:
                    raise StreamRefused("level cell")
            elif _plain_text(cell) and (cell or header[n] not in REQUIRED):
                cells.append(cell)
            else:
                raise StreamRefused("text cell")
        yield cells


def _in_chunks(header: list[str], rows: Iterator[list[Any]], chunk_rows: int) -> Iterator[dict[str, list[Any]]]:
    """Rows of cells as chunks of columns, `chunk_rows` rows each (the last may be shorter)."""
    columns: list[list[Any]] = [[] for _ in header]
    count = 0
    for cells in rows:
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
        count += 1
        if count == chunk_rows:
            yield dict(zip(header, columns, strict=True))
            columns, count = [[] for _ in header], 0
    if count:
        yield dict(zip(header, columns, strict=True))


def _xlsx_chunks(p: Path, chunk_rows: int) -> Iterator[dict[str, list[Any]]]:
    """A workbook's table as the stdlib path's chunks, when every cell is plain (see the module)."""
    try:
        from .xlsx_table import open_table

        with open_table(p, stream=True) as table:
            if table is None:
                raise StreamRefused("not a wide table")
            yield from _sheet_chunks(table.rows, chunk_rows)
    except StreamRefused:
        raise
    except Exception as exc:  # the workbook's errors (SpbeError), and XML, zip and openpyxl errors
        raise StreamRefused(str(exc)) from None


def _sheet_chunks(rows: Iterator[tuple[int, dict[int, Any]]], chunk_rows: int) -> Iterator[dict[str, list[Any]]]:
    from .excel import Formula, cell_text

    head = next(rows, None)
    if head is None or any(isinstance(v, Formula) for v in head[1].values()):
        raise StreamRefused("header")
    texts = {c: (cell_text(v) or "").strip() for c, v in head[1].items()}
    width = max((c for c, t in texts.items() if t), default=0)
    header = [texts.get(c, "") for c in range(1, width + 1)]
    header = [h.lower() if h.lower() in REQUIRED else h for h in header]
    if "" in header or len(set(header)) != len(header) or any(r not in header for r in REQUIRED):
        raise StreamRefused("header")
    yield from _in_chunks(header, _sheet_cells(rows, header, head[0]), chunk_rows)


def _sheet_cells(rows: Iterator[tuple[int, dict[int, Any]]], header: list[str], last: int) -> Iterator[list[Any]]:
    from .excel import cell_text

    width = len(header)
    is_level = [h not in REQUIRED and not h.startswith("tag:") for h in header]
    required = [h in REQUIRED for h in header]
    for n, row in rows:
        if n <= last or max(row) > width:
            raise StreamRefused("row order or a cell under no header")
        last = n
        cells: list[Any] = []
        for k in range(width):
            value = row.get(k + 1)
            if is_level[k]:
                cells.append(_xlsx_level(value))
            elif isinstance(value, str) and _plain_text(value) and (value or not required[k]):
                cells.append(value)
            elif value is None and not required[k]:
                cells.append("")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(cell_text(value))  # the exact reader's text of a number (2024.0 is "2024")
            else:
                raise StreamRefused("text cell")
        yield cells


def _xlsx_level(value: Any) -> int | None:
    """A level cell as the exact reader reads it, when plain: a whole number 0-999,999,999 (4 or 4.0) or
    text of ASCII digits; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        if 0 <= value < 10**9:
            return int(value)
    elif isinstance(value, str) and _LEVEL_CELL.match(value):
        return int(value)
    raise StreamRefused("level cell")


def _lines(text: Any) -> Iterator[str]:
    """Lines as `open(newline="")` gives them, refusing NUL (the exact reader refuses such files)."""
    for line in text:
        if "\x00" in line:
            raise StreamRefused("NUL")
        yield line

"""Wide tables saved as Excel workbooks: the CSV's wide layout on a worksheet, one assessment a row.

A workbook that is not the library's template (no "spbe_meta" sheet) is a table when the first row
holding values of its first visible worksheet names a column `subject`, `period` or `catalogue`.
The header and every row then follow the CSV reader's rules (`io.readers.wide_assessments`, the
same code): the same column names, `tag:<name>` columns, empty cells not assessed, levels 4, "4",
4.0 or "4,0" but not 3.5. Cells are taken as the text Excel shows for them (`excel.cell_text`: the
number 2024 is the period "2024"). Errors name the file, the Excel row and the field
"<sheet>.<column header>"; a formula is refused naming its cell, since its cached result need not
be what the sheet shows.

`read_xlsx` (and so `read_assessments`) reads a table whole, within the caps of `io.excel`
(`MAX_SHEET_ROWS` rows). `iter_workbook` (`iter_assessments`) streams it: each row is read, checked
and handed on before the next one is parsed, so the caps that only count rows, cells and XML
elements are lifted or scaled to Excel's own limits (`excel.open_workbook(stream=True)`), while
memory stays bounded by what is kept whatever the sheet's length: the shared strings and styles
(capped when the workbook is opened), one row's XML (`MAX_ELEMENT_BYTES`) and cells
(`MAX_SHEET_COLUMNS`), and, when validating, where each subject/period was first seen, as for a
streamed CSV (measured: 60 MB peak for 15,000 and for 60,000 rows of 47 levels, unvalidated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError, SpbeError
from ..i18n import N_, tr, translate
from ..tabular import require
from .excel import META, Formula, Row, WorkbookRefused, cell_text, open_workbook, read_xlsx, unreadable
from .readers import (
    REQUIRED,
    LoadedAssessment,
    as_is,
    check_assessments,
    check_duplicate,
    check_one,
    default_resolver,
    wide_assessments,
)

if TYPE_CHECKING:
    from ..resolver import Resolver

__all__ = ["WideSheet", "find_table", "iter_workbook", "open_table", "workbook_problems"]

LEVEL = N_("level")
VALUE = N_("value")


class _SheetError(AssessmentError):
    """An error that already names its sheet and column (not to be located again)."""


def find_table(book: Any) -> WideSheet | None:
    """The workbook's table, when it is one (see the module); None for a template or anything else."""
    if META in book.sheets or not book.visible:
        return None
    sheet = book.visible[0]
    rows = _filled(book.rows(sheet))
    first = next(rows, None)
    if first is None or not any(_header_name(v) in REQUIRED for v in first[1].values()):
        return None
    book.table = True  # the reader's refusals say how to read a larger table
    return WideSheet(book.file, sheet, chain([first], rows))


@contextmanager
def open_table(p: Path, *, stream: bool) -> Iterator[WideSheet | None]:
    """The table of the workbook at `p` (None when it is not one), the workbook open meanwhile;
    `stream` lifts the caps on rows (`excel.open_workbook`)."""
    with open_workbook(p, stream=stream) as book:
        try:
            table = find_table(book)
        except SpbeError:
            raise
        except Exception as exc:  # XML, zip and openpyxl errors met while streaming a sheet
            raise unreadable(p, exc) from None
        yield table


def iter_workbook(p: Path, *, engine: Resolver | None = None, validate: bool = True) -> Iterator[LoadedAssessment]:
    """The assessments of a workbook one at a time: a table's rows streamed (each checked as it
    comes, duplicates against the earlier ones, as `iter_assessments` does for CSV), a template's one
    assessment as `read_xlsx` reads it."""
    with open_table(p, stream=True) as table:
        if table is not None:
            if validate and engine is None:
                engine = default_resolver()
            seen: dict[tuple[str, str, str], tuple[str, int | None]] = {}
            try:
                for item in table.items():
                    if validate and engine is not None:
                        try:
                            check_duplicate(item, seen)
                            check_one(item, engine)
                        except AssessmentError as exc:
                            raise table.locate(exc, checked=True) from None
                    yield item
            except SpbeError:
                raise
            except Exception as exc:  # XML, zip and openpyxl errors met while streaming the sheet
                raise unreadable(p, exc) from None
            return
    yield from read_xlsx(p, engine=engine, validate=validate)  # a template (or not a workbook it reads)


def workbook_problems(
    p: Path, found: list[SpbeError]
) -> tuple[list[LoadedAssessment], Callable[[AssessmentError], AssessmentError]]:
    """For `readers.problems_in`: a table's assessments read past its bad rows (their problems added
    to `found`), and how to name the sheet and column in the problems of the catalogue checks; a
    template as `read_xlsx` reads it."""
    with open_table(p, stream=False) as table:
        if table is not None:
            try:
                return list(table.items(collect=found)), partial(table.locate, checked=True)
            except SpbeError:
                raise
            except Exception as exc:  # XML, zip and openpyxl errors met while streaming the sheet
                raise unreadable(p, exc) from None
    return read_xlsx(p, validate=False), as_is


def _header_name(value: Any) -> str:
    """A header cell as the CSV reader compares it (`subject`, `Subject ` are the subject column)."""
    if isinstance(value, Formula):
        return ""
    return (cell_text(value) or "").strip().lower()


def _filled(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    """The rows holding something other than blank text (a blank row is skipped, as in a CSV)."""
    for n, row in rows:
        if any(isinstance(v, Formula) or (cell_text(v) or "").strip() for v in row.values()):
            yield n, row


def _letter(column: int) -> str:
    return str(require("openpyxl.utils", "excel").get_column_letter(column))


class WideSheet:
    """The rows of a worksheet in the wide layout, header first, read once in order."""

    def __init__(self, file: str, sheet: str, rows: Iterator[tuple[int, Row]]) -> None:
        self.file = file
        self.sheet = sheet
        self.rows = rows
        self.head = 0  # the header's row
        self.names: list[str] = []  # the header's cells as text (index 0: column A)

    def read(self, *, engine: Resolver | None, validate: bool) -> list[LoadedAssessment]:
        """Every row's assessment (for `read_xlsx`), checked as `read_assessments` checks a CSV's."""
        items = list(self.items())
        if validate:
            if engine is None:
                engine = default_resolver()
            try:
                check_assessments(items, engine)
            except AssessmentError as exc:
                raise self.locate(exc, checked=True) from None
        return items

    def items(self, collect: list[SpbeError] | None = None) -> Iterator[LoadedAssessment]:
        """Each row's assessment (not checked against its catalogue), as the sheet is read. With
        `collect`, a row's own problem is added there and the next row is read (as for a CSV)."""
        problems: list[SpbeError] | None = None if collect is None else []
        try:
            yield from wide_assessments(self.text_rows(problems), self.file, problems)
        except AssessmentError as exc:
            raise self.locate(exc) from None
        finally:
            if collect is not None and problems:
                collect.extend(self.locate(e) if isinstance(e, AssessmentError) else e for e in problems)

    def text_rows(self, collect: list[SpbeError] | None = None) -> Iterator[tuple[int, list[str]]]:
        """(Excel row, cells as text) for the header and each row below it: a formula, a row out of
        order or a value under no header is refused naming the cell (added to `collect` when given,
        and the row skipped)."""
        last = 0
        width = 0
        for n, row in self.rows:
            if n <= last:  # a streamed sheet is read once: rows must come in order, as every writer puts them
                raise self.error(tr("row {n} comes after row {last} in the file", n=n, last=last), row=n)
            last = n
            if not self.head:
                self.head = n
                texts = {c: self.text(n, c, v) for c, v in row.items()}
                width = max((c for c, t in texts.items() if t.strip()), default=0)
                self.names = [texts.get(c, "") for c in range(1, width + 1)]
                yield n, self.names
                continue
            try:
                for c, v in row.items():
                    if c > width and self.text(n, c, v).strip():
                        raise self.error(
                            tr("column {at} has no name", at=_letter(c)),
                            row=n,
                            allowed=tr("a header on every column with values"),
                        )
                cells = [self.text(n, c, row.get(c)) for c in range(1, width + 1)]
            except _SheetError as exc:
                if collect is None:
                    raise
                collect.append(exc)
                continue
            yield n, cells

    def text(self, row: int, column: int, value: Any) -> str:
        """A cell as the CSV reader would see it: the text Excel shows; a formula is refused."""
        if isinstance(value, Formula):
            header = self.column(column)
            level = bool(self.head and header and header.lower() not in REQUIRED and not header.startswith("tag:"))
            shown = value.text if len(value.text) <= 40 else value.text[:37] + "..."
            raise self.error(
                tr(
                    "cell {letter}{row} is a formula ({shown}); type the {noun} itself",
                    letter=_letter(column),
                    row=row,
                    shown=shown,
                    noun=translate(LEVEL if level else VALUE),
                ),
                row=row,
                field=self.field(header) if self.head else None,
                allowed=tr("whole numbers") if level else None,
            )
        return cell_text(value) or ""

    def column(self, column: int) -> str:
        names = self.names
        return names[column - 1].strip() if column <= len(names) else ""

    def field(self, name: str | None) -> str:
        """A column of the sheet as errors name it: "<sheet>.<column header>" (the sheet alone)."""
        if not name:
            return self.sheet
        lower = name.lower()
        return f"{self.sheet}.{lower if lower in REQUIRED else name}"

    def error(
        self, message: str, *, row: int | None, field: str | None = None, allowed: str | None = None
    ) -> AssessmentError:
        return _SheetError(message, file=self.file, row=row, field=field or self.sheet, allowed=allowed)

    def locate(self, exc: AssessmentError, *, checked: bool = False) -> AssessmentError:
        """An error of the CSV rules or of validation (`checked`), naming the sheet and column
        ("levels.3" is the column "3"; a duplicate, whose error names no field, the subject's); the
        row is the Excel row already."""
        if isinstance(exc, WorkbookRefused):
            return exc  # about the workbook as a whole: its message says where
        field = exc.field
        if checked and field is None:
            field = "subject"
        if not isinstance(exc, _SheetError):
            field = self.field(field[len("levels.") :] if field and field.startswith("levels.") else field)
        return AssessmentError(exc.message, file=exc.file, row=exc.row, field=field, allowed=exc.allowed)

"""Excel workbooks (.xlsx) for teams: a template to fill in, and an exact reader and writer.

`write_template` makes a workbook for one catalogue; `write_assessment` is the same template filled
with an assessment; `read_xlsx` reads either back into an `Assessment` (one per workbook).

Layout (format version 1):

- "Penilaian": a header block (catalogue, subject, period), then one row per indicator in catalogue
  order: id, group path, name, weight, scale (read-only information), then the fillable level,
  note, service name and one column per stage (`STAGES` order). Empty level cells mean "not assessed".
- "Bukti Dukung" (evidence), "Tags" ("Label" in Indonesian), "Input" ("Masukan") (named exact
  inputs) and "Distribusi" (level probabilities): one item per row.
- "Petunjuk": instructions in Bahasa Indonesia, then English.
- "spbe_meta" (hidden): the format version and catalogue id, and the evidence kinds for validation.

Language: under Indonesian (`lang="id"`, the current language by default) every prompt, instruction
and dropdown label is Indonesian only, as in the unit workbooks of `spbe workbooks`; under English the
prompts are "Indonesian / English" and the instructions come in both languages. The few labels that
differ (the "Level" column, the "Tags" and "Input" sheets, the evidence statuses) are fixed words of the format,
and the reader accepts those of either language (headers in any case), so a workbook reads back the
same whichever language wrote it.

Exactness: probabilities and inputs are written as text cells, so no decimal passes through a
float; numbers typed by people are converted with `Decimal(str(value))`. Levels are integers
(an integer-valued number such as 4.0 is accepted, 3.5 is not) and dates are dates.

Text limits of the format: an empty text is an empty cell (read back as absent), line breaks come
back as "\\n" (XML turns "\\r" into "\\n"), and text that Excel cannot hold (control characters,
U+FFFE/U+FFFF, more than 32,767 characters) is refused when writing.

Hostile files: every text is written as a text cell, never a formula (`put_cell`; "=1+1" reads back as
"=1+1"). Reading streams only the parts it needs within caps on rows, cells, text and XML
(`MAX_SHEET_ROWS` and the others below), so any workbook it accepts is read in bounded memory, and
refuses a formula where it reads a value, naming the cell.

openpyxl is optional (the `excel` extra) and imported only when a workbook is read or written.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from .._version import __version__
from .._yaml import MAX_BYTES, one_line, plain
from ..errors import AssessmentError, SpbeError
from ..exact import exact_decimal
from ..i18n import N_, current_language, number, tr, translate
from ..model.assessment import STAGES, Assessment
from ..model.catalogue import Catalogue, Group, Indicator, LevelScale
from ..model.rules import Evidence
from ..tabular import require
from .atomic import EXISTS, OverwriteRefused, write_atomic
from .readers import LoadedAssessment, check_assessments, default_resolver

if TYPE_CHECKING:
    from ..resolver import Resolver

__all__ = ["FORMAT", "FORMAT_VERSION", "read_xlsx", "write_assessment", "write_template"]

FORMAT = "spbe_engine.xlsx"
FORMAT_VERSION = 1

ASSESS = "Penilaian"
EVIDENCE = "Bukti Dukung"
TAGS = "Tags"
INPUTS = "Input"
DISTS = "Distribusi"
HELP = "Petunjuk"
META = "spbe_meta"

# Header block of "Penilaian": field -> label in column A.
HEADER_LABELS = {"catalogue": "Katalog", "subject": "Instansi", "period": "Periode"}

# Columns of "Penilaian": field -> (header, width). Only `id`, `level`, `note`, `service` and the
# stages are read back; the others are information for the person filling the sheet in.
STAGE_HEADERS = {
    "target": "Target",
    "self_assessment": "Penilaian Mandiri",
    "internal_verifier": "Verifikasi Internal",
    "external_assessor": "Penilai Eksternal",
    "final": "Nilai Akhir",
}
ASSESS_COLUMNS: dict[str, tuple[str, float]] = {
    "id": ("ID Indikator", 12),
    "group": ("Domain / Aspek", 14),
    "name": ("Nama Indikator", 45),
    "weight": ("Bobot", 8),
    "scale": ("Skala", 40),
    "level": ("Level", 8),
    "note": ("Catatan", 40),
    "service": ("Nama Layanan", 28),
    **{stage: (STAGE_HEADERS[stage], 12) for stage in STAGES},
}
EVIDENCE_COLUMNS: dict[str, tuple[str, float]] = {
    "indicator": ("Indikator", 11),
    "id": ("ID Bukti", 18),
    "level": ("Level", 8),
    "kind": ("Jenis", 24),
    "date": ("Tanggal", 12),
    "status": ("Status", 16),
    "note": ("Catatan", 50),
}
TAG_COLUMNS: dict[str, tuple[str, float]] = {"key": ("Kunci", 24), "value": ("Nilai", 50)}
INPUT_COLUMNS: dict[str, tuple[str, float]] = {
    "indicator": ("Indikator", 11),
    "name": ("Nama", 28),
    "value": ("Nilai", 24),
}
DIST_COLUMNS: dict[str, tuple[str, float]] = {
    "indicator": ("Indikator", 11),
    "level": ("Level", 8),
    "probability": ("Probabilitas", 16),
}
# The format's words that differ by language: written as the current language says them, read in
# either (fixed here, not taken from the message catalogue, so the files of every version read back).
LEVEL_ID = "Tingkat kematangan"  # the Indonesian header of the "Level" columns
HEADER_ALIASES: dict[str, tuple[str, ...]] = {"Level": (LEVEL_ID, "Tingkat")}
INPUTS_ID = "Masukan"  # the Indonesian name of the "Input" sheet
TAGS_ID = "Label"  # the Indonesian name of the "Tags" sheet
SHEET_ALIASES: dict[str, tuple[str, ...]] = {INPUTS: (INPUTS_ID,), TAGS: (TAGS_ID,)}
STATUS_ID = {"pending": "menunggu", "accepted": "diterima", "rejected": "ditolak", "needs_revision": "perlu perbaikan"}
IDS_NAME = "spbe_indikator"  # defined names for the list validations
KINDS_NAME = "spbe_jenis_bukti"
STATUSES = ("pending", "accepted", "rejected", "needs_revision")
EXTRA_ROWS = 1000  # rows of the item sheets that carry validations and text formats
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WHOLE = re.compile(r"\s*[+-]?[0-9]{1,15}(?:[.,]0*)?\s*\Z", re.ASCII)  # "4", " 4 ", "4.0", "4,0" as text; not "٣"
_EXCEL_EPOCH = dt.date(1900, 3, 1)  # earlier dates do not survive Excel's serial numbers: written as text


# -- writing -----------------------------------------------------------------------------------


def _count(n: int) -> str:
    """A limit as people read it: "1.000" in Indonesian, "1,000" in English."""
    return number(n, places=None) if current_language() != "en" else f"{n:,}"


def write_assessment(
    engine: Resolver, assessment: Assessment, path: str | Path, *, overwrite: bool = False, lang: str | None = None
) -> Path:
    """Write `assessment` as a filled-in template (see `write_template`); `read_xlsx` reads it back
    identically."""
    return write_template(engine, assessment.catalogue, path, assessment=assessment, overwrite=overwrite, lang=lang)


def write_template(
    engine: Resolver,
    catalogue_id: str,
    path: str | Path,
    *,
    assessment: Assessment | None = None,
    overwrite: bool = False,
    lang: str | None = None,
) -> Path:
    """Write an .xlsx template for `catalogue_id` (filled from `assessment` when given), its prompts
    and instructions in `lang` (default: the current language; English adds the Indonesian too).

    The file is written atomically (a temporary file in the same directory, then renamed), and an
    existing file is never replaced unless `overwrite=True`. Returns the path written.
    """
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise SpbeError(tr("an Excel workbook needs the .xlsx suffix, got {p!r}", p=p.suffix or "(none)"), file=str(p))
    if not overwrite and p.exists():
        raise OverwriteRefused(translate(EXISTS), file=str(p))
    cat = engine.catalogue(catalogue_id)
    if assessment is not None:
        if assessment.catalogue != catalogue_id:
            raise SpbeError(
                tr(
                    "the assessment is for catalogue {catalogue!r}, not {catalogue_id!r}",
                    catalogue=assessment.catalogue,
                    catalogue_id=catalogue_id,
                ),
                field="catalogue",
            )
        _check_ids(assessment, cat)
    wb = Book(cat, assessment, lang).build()
    save_workbook(wb, p, overwrite=overwrite)
    return p


def _check_ids(a: Assessment, cat: Catalogue) -> None:
    """Levels, notes, services and stages live on the indicator rows: their ids must be the catalogue's."""
    ids = {i.id for i in cat.indicators()}
    where: list[tuple[str, Iterator[str]]] = [
        ("levels", iter(a.levels)),
        ("notes", iter(a.notes)),
        ("services", iter(a.services)),
        *((f"stages.{stage}", iter(values)) for stage, values in a.stages.items()),
    ]
    for name, keys in where:
        for iid in keys:
            if iid not in ids:
                raise SpbeError(
                    tr(
                        "indicator {iid!r} is not in catalogue {id}, so it has no row in the workbook",
                        iid=iid,
                        id=cat.id,
                    ),
                    field=f"{name}.{iid}",
                    allowed=tr("indicator ids of {catalogue}", catalogue=cat.id),
                )


def save_workbook(wb: Any, p: Path, *, overwrite: bool) -> None:
    """Save through the library's one atomic writer (never a partial file, never an overwrite
    unless asked, not even by a file that appears meanwhile), after the last text-cell check."""
    _text_cells_only(wb)
    write_atomic(p, lambda tmp: wb.save(tmp), overwrite=overwrite)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")  # what a spreadsheet may take for a formula


def put_cell(ws: Any, row: int, col: int, value: Any, what: str) -> Any:
    """Write a cell; text always as a text cell, never a formula (a note may start with '=').

    openpyxl stores any string starting with "=" as a formula and "#N/A" as an error: here the cell
    is typed as text after the value is set. Text a spreadsheet would take for a formula also gets
    Excel's quote prefix, so it stays text when someone edits the cell. Text Excel cannot hold
    (control characters, U+FFFE/U+FFFF, more than 32,767 characters) is refused naming `what`.
    """
    cell = ws.cell(row=row, column=col)
    if not isinstance(value, str):
        cell.value = value
        return cell
    if value == "":
        return cell
    bad = _NOT_XML.search(value)
    if bad:
        raise SpbeError(tr("character U+{bad:04X} cannot be stored in an Excel cell", bad=ord(bad.group())), field=what)
    if len(value) > MAX_CELL_TEXT:
        raise SpbeError(
            tr(
                "{n_value} characters, more than an Excel cell holds ({MAX_CELL_TEXT})",
                n_value=len(value),
                MAX_CELL_TEXT=MAX_CELL_TEXT,
            ),
            field=what,
        )
    # XML parsers turn "\r" into "\n", openpyxl's lxml writer keeps it escaped: normalise, so the file
    # reads back the same whichever writer openpyxl uses
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    cell.value = value
    cell.data_type = "s"
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell


def _text_cells_only(wb: Any) -> None:
    """The last guard before saving: no cell of a workbook the library writes is a formula or an
    error, whatever wrote it (the library writes no formula)."""
    for ws in wb.worksheets:
        cells = getattr(ws, "_cells", None)
        for cell in cells.values() if isinstance(cells, dict) else (c for r in ws.iter_rows() for c in r):
            if cell.data_type in ("f", "e") and isinstance(cell.value, str):
                cell.data_type = "s"


def _scale_text(scale: LevelScale) -> str:
    names = ", ".join(f"{lv.value} {lv.name}" for lv in scale.levels)
    return f"{scale.min}–{scale.max}: {names}"


def _runs(rows: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Consecutive rows as (first, last) ranges."""
    start = prev = rows[0]
    for r in rows[1:]:
        if r != prev + 1:
            yield start, prev
            start = r
        prev = r
    yield start, prev


def _indicator_rows(cat: Catalogue) -> Iterator[tuple[Indicator, str]]:
    """Every indicator with its group path, in catalogue order (as `Catalogue.indicators`)."""

    def walk(g: Group, path: tuple[str, ...]) -> Iterator[tuple[Indicator, str]]:
        here = (*path, g.id)
        for ind in g.indicators:
            yield ind, " / ".join(here)
        for sub in g.groups:
            yield from walk(sub, here)

    for top in cat.groups:
        yield from walk(top, ())


@dataclass
class Book:
    """Builds one workbook (openpyxl objects are `Any`: the library is optional and untyped)."""

    cat: Catalogue
    a: Assessment | None
    lang: str | None = None  # None: the current language
    xl: Any = field(init=False)
    styles: Any = field(init=False)
    dv_class: Any = field(init=False)
    get_column_letter: Callable[[int], str] = field(init=False)
    ids_range: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.xl = require("openpyxl", "excel")
        self.styles = require("openpyxl.styles", "excel")
        self.dv_class = require("openpyxl.worksheet.datavalidation", "excel").DataValidation
        self.get_column_letter = require("openpyxl.utils", "excel").get_column_letter
        self.lang = self.lang or current_language()

    # helpers

    @property
    def indonesian(self) -> bool:
        return self.lang == "id"

    def both(self, message: str, **params: Any) -> str:
        """A short prompt in Bahasa Indonesia, with its English ("... / ...") unless the language is Indonesian."""
        indonesian = tr(message, lang="id", **params)
        return indonesian if self.indonesian else f"{indonesian} / {tr(message, lang='en', **params)}"

    def pair(self, indonesian: str, english: str) -> str:
        """A fixed Indonesian label, with its English unless the language is Indonesian."""
        return indonesian if self.indonesian else f"{indonesian} / {english}"

    def header(self, header: str) -> str:
        """A column header as this workbook's language writes it ("Level" is "Tingkat kematangan")."""
        return LEVEL_ID if self.indonesian and header == "Level" else header

    @property
    def inputs_title(self) -> str:
        return INPUTS_ID if self.indonesian else INPUTS

    @property
    def tags_title(self) -> str:
        return TAGS_ID if self.indonesian else TAGS

    @property
    def statuses(self) -> list[str]:
        """The evidence statuses as the dropdown offers them: Indonesian labels, or the keys in English."""
        return [STATUS_ID[s] if self.indonesian else s for s in STATUSES]

    def text(self, ws: Any, row: int, col: int, value: str | None, what: str) -> Any:
        """A text cell, never a formula (see `put_cell`); None or "" leaves the cell empty."""
        return put_cell(ws, row, col, value, what)

    def indicator(self, ws: Any, row: int, col: int, iid: str, what: str) -> None:
        """An indicator id: a number when it is one ("12"), so that ids people type match the
        list validation of the item sheets (Excel tells the number 12 from the text "12")."""
        if iid.isascii() and iid.isdecimal() and len(iid) <= 15 and str(int(iid)) == iid:
            put_cell(ws, row, col, int(iid), what)
        else:
            self.text(ws, row, col, iid, what)

    def headers(self, ws: Any, row: int, columns: Mapping[str, tuple[str, float]]) -> dict[str, int]:
        bold = self.styles.Font(bold=True)
        fill = self.styles.PatternFill("solid", fgColor="DDEBF7")
        index: dict[str, int] = {}
        for col, (key, (header, width)) in enumerate(columns.items(), 1):
            label = self.header(header)
            cell = put_cell(ws, row, col, label, "header")
            cell.font = bold
            cell.fill = fill
            ws.column_dimensions[self.get_column_letter(col)].width = width if label == header else len(label) + 2
            index[key] = col
        return index

    def validation(self, ws: Any, **kwargs: Any) -> Any:
        dv = self.dv_class(allow_blank=True, **kwargs)
        ws.add_data_validation(dv)
        return dv

    def letter_range(self, col: int, first: int, last: int) -> str:
        letter = self.get_column_letter(col)
        return f"{letter}{first}:{letter}{last}"

    # the workbook

    def build(self) -> Any:
        wb = self.xl.Workbook()
        self.assess_sheet(wb.active)
        self.evidence_sheet(wb.create_sheet(EVIDENCE))
        self.tags_sheet(wb.create_sheet(self.tags_title))
        self.inputs_sheet(wb.create_sheet(self.inputs_title))
        self.dists_sheet(wb.create_sheet(DISTS))
        self.help_sheet(wb.create_sheet(HELP))
        self.meta_sheet(wb.create_sheet(META))
        # Lists of other sheets go through defined names: understood by every Excel and LibreOffice
        defined_name = require("openpyxl.workbook.defined_name", "excel").DefinedName
        wb.defined_names[IDS_NAME] = defined_name(IDS_NAME, attr_text=self.ids_range)
        if self.cat.evidence.kinds:
            kinds = f"{META}!$D$2:$D${len(self.cat.evidence.kinds) + 1}"
            wb.defined_names[KINDS_NAME] = defined_name(KINDS_NAME, attr_text=kinds)
        return wb

    def assess_sheet(self, ws: Any) -> None:
        cat, a = self.cat, self.a
        ws.title = ASSESS
        bold = self.styles.Font(bold=True)
        self.text(ws, 1, 1, cat.title, "title").font = self.styles.Font(bold=True, size=13)
        given = {"catalogue": cat.id, "subject": a.subject if a else None, "period": a.period if a else None}
        for row, (key, label) in enumerate(HEADER_LABELS.items(), 2):
            self.text(ws, row, 1, label, key).font = bold
            self.text(ws, row, 2, given[key], key)
        self.text(ws, 2, 3, self.both(N_("do not change")), "catalogue")
        self.text(ws, 3, 3, self.both(N_("the agency assessed")), "subject")
        self.text(ws, 4, 3, self.both(N_("e.g. 2024")), "period")
        head = 6
        col = self.headers(ws, head, ASSESS_COLUMNS)
        wrap = self.styles.Alignment(wrap_text=True, vertical="top")
        fill = self.styles.PatternFill("solid", fgColor="FFF2CC")
        by_scale: dict[str, list[int]] = {}
        row = head
        for row, (ind, path) in enumerate(_indicator_rows(cat), head + 1):
            self.indicator(ws, row, col["id"], ind.id, "id")
            self.text(ws, row, col["group"], path, f"indicator {ind.id}")
            self.text(ws, row, col["name"], ind.name, f"indicator {ind.id}").alignment = wrap
            self.text(ws, row, col["weight"], str(ind.weight), "weight")
            scale = next(s for s in cat.scales if s.id == ind.scale)
            self.text(ws, row, col["scale"], _scale_text(scale), f"scale {scale.id}").alignment = wrap
            ws.cell(row=row, column=col["level"]).fill = fill
            by_scale.setdefault(scale.id, []).append(row)
            if a is None:
                continue
            if ind.id in a.levels:
                ws.cell(row=row, column=col["level"], value=a.levels[ind.id])
            self.text(ws, row, col["note"], a.notes.get(ind.id), f"notes.{ind.id}")
            self.text(ws, row, col["service"], a.services.get(ind.id), f"services.{ind.id}")
            for stage, values in a.stages.items():
                if ind.id in values:
                    ws.cell(row=row, column=col[stage], value=values[ind.id])
        for scale_id, rows in by_scale.items():
            scale = next(s for s in cat.scales if s.id == scale_id)
            names = ", ".join(f"{lv.value} {lv.name}" for lv in scale.levels)
            dv = self.validation(
                ws,
                type="whole",
                operator="between",
                formula1=str(scale.min),
                formula2=str(scale.max),
                showInputMessage=True,
                promptTitle=f"{self.header('Level')} {scale.min}–{scale.max}"[:32],
                prompt=(f"{names}. " + self.both(N_("Leave empty if not assessed.")))[:255],
                showErrorMessage=True,
                errorTitle=self.header("Level"),
                error=(self.both(N_("A whole number {range}"), range=f"{scale.min}–{scale.max}") + f" ({scale.name})")[
                    :255
                ],
            )
            for first, last in _runs(rows):
                for column in ("level", *STAGES):
                    dv.add(self.letter_range(col[column], first, last))
        ws.freeze_panes = ws.cell(row=head + 1, column=col["weight"])  # id, group and name stay in view
        self.ids_range = f"{ASSESS}!$A${head + 1}:$A${row}"

    def item_sheet(self, ws: Any, columns: Mapping[str, tuple[str, float]], n: int) -> tuple[dict[str, int], int]:
        col = self.headers(ws, 1, columns)
        ws.freeze_panes = "A2"
        last = max(EXTRA_ROWS, n + 1 + 200)
        if "indicator" in col:
            self.validation(
                ws,
                type="list",
                formula1=IDS_NAME,
                showErrorMessage=True,
                errorTitle="Indikator",
                error=self.both(N_("An indicator id from the Penilaian sheet")),
            ).add(self.letter_range(col["indicator"], 2, last))
        return col, last

    def evidence_sheet(self, ws: Any) -> None:
        items = [(iid, ev) for iid, evs in (self.a.evidence if self.a else {}).items() for ev in evs]
        col, last = self.item_sheet(ws, EVIDENCE_COLUMNS, len(items))
        lo = min(s.min for s in self.cat.scales)
        hi = max(s.max for s in self.cat.scales)
        self.validation(
            ws,
            type="whole",
            operator="between",
            formula1=str(lo),
            formula2=str(hi),
            showErrorMessage=True,
            error=self.both(N_("A whole number {range}"), range=f"{lo}–{hi}"),
        ).add(self.letter_range(col["level"], 2, last))
        kinds = self.cat.evidence.kinds
        if kinds:
            self.validation(
                ws,
                type="list",
                formula1=KINDS_NAME,
                showErrorMessage=True,
                errorTitle="Jenis",
                error=self.both(N_("See the Petunjuk sheet")),
            ).add(self.letter_range(col["kind"], 2, last))
        self.validation(
            ws,
            type="list",
            formula1='"' + ",".join(self.statuses) + '"',
            showErrorMessage=True,
            errorTitle="Status",
            error=", ".join(self.statuses),
        ).add(self.letter_range(col["status"], 2, last))
        self.validation(
            ws,
            showInputMessage=True,
            promptTitle=self.pair("Tanggal", "date"),
            prompt=self.both(N_("The document's date, e.g. 2024-03-31")),
        ).add(self.letter_range(col["date"], 2, last))
        for row, (iid, ev) in enumerate(items, 2):
            what = f"evidence.{iid}[{ev.id}]"
            self.indicator(ws, row, col["indicator"], iid, what)
            self.text(ws, row, col["id"], ev.id, what)
            ws.cell(row=row, column=col["level"], value=ev.level)
            self.text(ws, row, col["kind"], ev.kind, what)
            if ev.date is not None:
                if ev.date < _EXCEL_EPOCH:
                    self.text(ws, row, col["date"], ev.date.isoformat(), what)
                else:
                    ws.cell(row=row, column=col["date"], value=ev.date).number_format = "yyyy-mm-dd"
            self.text(ws, row, col["status"], STATUS_ID[ev.status] if self.indonesian else ev.status, what)
            self.text(ws, row, col["note"], ev.note, what)
        # a column style, so dates typed later show as dates (styling cells would create 1000 rows)
        ws.column_dimensions[self.get_column_letter(col["date"])].number_format = "yyyy-mm-dd"

    def tags_sheet(self, ws: Any) -> None:
        tags = self.a.tags if self.a else {}
        col, _ = self.item_sheet(ws, TAG_COLUMNS, len(tags))
        for row, (key, value) in enumerate(tags.items(), 2):
            self.text(ws, row, col["key"], key, f"tags.{key}")
            self.text(ws, row, col["value"], value, f"tags.{key}")

    def exact_column(self, ws: Any, column: int, last: int, title: str, prompt: str) -> None:
        # No text format on the column: a number typed the locale's way (0,25 in Indonesian Excel) is
        # stored as a number and read back as typed; the values written here are exact text cells.
        self.validation(ws, showInputMessage=True, promptTitle=title, prompt=prompt[:255]).add(
            self.letter_range(column, 2, last)
        )

    def inputs_sheet(self, ws: Any) -> None:
        items = [(iid, name, v) for iid, vals in (self.a.inputs if self.a else {}).items() for name, v in vals.items()]
        col, last = self.item_sheet(ws, INPUT_COLUMNS, len(items))
        title = self.pair("Nilai", "value")
        self.exact_column(ws, col["value"], last, title, self.both(N_("A number, e.g. 12,5 or 12.5")))
        for row, (iid, name, value) in enumerate(items, 2):
            self.indicator(ws, row, col["indicator"], iid, f"inputs.{iid}")
            self.text(ws, row, col["name"], name, f"inputs.{iid}.{name}")
            self.text(ws, row, col["value"], str(value), f"inputs.{iid}.{name}")

    def dists_sheet(self, ws: Any) -> None:
        items = [
            (iid, lv, p) for iid, dist in (self.a.distributions if self.a else {}).items() for lv, p in dist.items()
        ]
        col, last = self.item_sheet(ws, DIST_COLUMNS, len(items))
        self.exact_column(
            ws,
            col["probability"],
            last,
            "Probabilitas",
            self.both(N_("A probability, e.g. 0,25; they sum to exactly 1 per indicator")),
        )
        for row, (iid, level, p) in enumerate(items, 2):
            self.indicator(ws, row, col["indicator"], iid, f"distributions.{iid}")
            ws.cell(row=row, column=col["level"], value=level)
            self.text(ws, row, col["probability"], str(p), f"distributions.{iid}.{level}")

    def help_sheet(self, ws: Any) -> None:
        """Instructions in Bahasa Indonesia, then in English unless the language is Indonesian (the same
        messages, from the catalogue)."""
        bold = self.styles.Font(bold=True)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 110
        lines: list[tuple[str, str]] = []
        langs = [("id", "Petunjuk (Bahasa Indonesia)")]
        if not self.indonesian:
            langs.append(("en", "Instructions (English)"))
        for lang, title in langs:
            stages = ", ".join(f"{STAGE_HEADERS[s]} = {s}" for s in STAGES)
            steps = [
                tr(
                    "Fill in Instansi (the agency assessed) and Periode (the period) on the {sheet} sheet;"
                    " the catalogue ({catalogue}) is already filled in: do not change it.",
                    lang=lang,
                    sheet=ASSESS,
                    catalogue=self.cat.id,
                ),
                tr(
                    "Give each indicator's {level} as a whole number within its scale; leave it empty if the"
                    " indicator is not assessed yet.",
                    lang=lang,
                    level=self.header("Level"),
                ),
                tr(
                    "Catatan (note), Nama Layanan (service) and the stage columns are optional: {stages}.",
                    lang=lang,
                    stages=stages,
                ),
                tr(
                    "{sheet}: one row per document (indicator, id, level, kind, date, status, note).",
                    lang=lang,
                    sheet=EVIDENCE,
                ),
                tr(
                    "{tags}: a key and its value (e.g. the province). {inputs}: named inputs. {dists}: a"
                    " probability per level, summing to exactly 1 per indicator.",
                    lang=lang,
                    tags=self.tags_title,
                    inputs=self.inputs_title,
                    dists=DISTS,
                ),
                tr(
                    "Type numbers as Excel does on your computer (with Indonesian settings: 0,25). Values"
                    " already written as text are read exactly as written. Keep the sheet names, the column"
                    " headers and the spbe_meta sheet.",
                    lang=lang,
                ),
                tr(
                    "Read the workbook with: spbe score file.xlsx, or load_assessments('file.xlsx') in Python.",
                    lang=lang,
                ),
            ]
            if lines:
                lines.append(("", ""))
            lines.append((title, ""))
            lines += [(str(n), text) for n, text in enumerate(steps, 1)]
        lines += [("", ""), ("Status", ", ".join(self.statuses))]
        if self.cat.evidence.kinds:
            lines.append((self.pair("Jenis bukti", "evidence kinds"), ""))
        for kind in self.cat.evidence.kinds:
            english = f" / {kind.name_en}" if kind.name_en and not self.indonesian else ""
            lines.append((kind.id, kind.name + english))
        wrap = self.styles.Alignment(wrap_text=True, vertical="top")
        for row, (a, b) in enumerate(lines, 1):
            cell = self.text(ws, row, 1, a, "help")
            if not b or a == "Status":  # titles
                cell.font = bold
            if b:
                self.text(ws, row, 2, b, "help").alignment = wrap

    def meta_sheet(self, ws: Any) -> None:
        rows = [
            ("format", FORMAT),
            ("version", FORMAT_VERSION),
            ("catalogue", self.cat.id),
            ("written_by", __version__),
        ]
        for row, (key, value) in enumerate(rows, 1):
            put_cell(ws, row, 1, key, META)
            put_cell(ws, row, 2, value, META)
        self.text(ws, 1, 4, "evidence_kinds", META)
        for row, kind in enumerate(self.cat.evidence.kinds, 2):
            self.text(ws, row, 4, kind.id, "evidence kinds")
        ws.sheet_state = "hidden"


# -- reading -----------------------------------------------------------------------------------

# Caps on what a workbook may hold when read. A filled-in template has ~50 rows and a few thousand
# cells: these bounds are far above that, and they bound the memory any accepted workbook takes
# (under 400 MB: tests/test_adversarial_xlsx.py measures it).
MAX_UNZIPPED = 10 * MAX_BYTES  # all parts together, unpacked (200 MiB)
MAX_SHEET_ROWS = 50_000  # rows of one sheet, and of all the sheets read together (~1 kB kept a row)
MAX_SHEET_COLUMNS = 200  # cells in one row
MAX_SHEET_CELLS = 1_000_000  # cells of one sheet
MAX_SHARED_STRINGS = 250_000  # entries of the shared string table (all kept while reading)
MAX_TEXT_CHARS = 10_000_000  # characters of the shared strings and of text typed in cells, all together
MAX_ELEMENT_BYTES = 1024 * 1024  # XML of one row, one shared string or any one element: built whole
MAX_ELEMENTS = 3_000_000  # XML elements read, all parts together (bounds the time a workbook takes)
MAX_ENTRIES = 65_536  # sheets, relationships, number formats and cell formats (Excel: 64,000 formats)
# Streaming a table (`open_workbook(stream=True)`): memory is bounded per row, and the work by the
# file: parts unpacked to at most 100 times its size (Excel's files unpack to 10-15 times theirs; a
# zip bomb to 1,000), a sheet of at most Excel's own 1,048,576 rows.
STREAM_UNZIP_RATIO = 100
STREAM_SHEET_ROWS = 1_048_576

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ROW, _SI, _SHEET, _SHEETS, _WORKBOOK_PR = (f"{_MAIN}{t}" for t in ("row", "si", "sheet", "sheets", "workbookPr"))
_NUM_FMT, _NUM_FMTS, _XF, _CELL_XFS = (f"{_MAIN}{t}" for t in ("numFmt", "numFmts", "xf", "cellXfs"))
_FORMULA, _INLINE, _T, _RUN, _VALUE = (f"{_MAIN}{t}" for t in ("f", "is", "t", "r", "v"))


def read_xlsx(path: str | Path, *, engine: Resolver | None = None, validate: bool = False) -> list[LoadedAssessment]:
    """Read a workbook written by `write_template`/`write_assessment` (and filled in by people), or
    a table in the wide layout of the CSV reader (`io.xlsx_table`: one assessment per row).

    A template gives one `LoadedAssessment` (row None: a workbook holds one assessment); a table one
    per row (row: the Excel row). Errors are one-line `AssessmentError`s naming the file, the Excel
    row and the field as "<sheet>.<column>". With `validate`, the usual catalogue checks of
    `read_assessments` run too, and their errors name the indicator's (the table's) row;
    `read_assessments` / `load_assessments` do this for .xlsx files.

    Only the parts the reader needs are read, streamed, within the caps above (`_Workbook`), so any
    workbook it accepts is read in bounded memory. A formula where a value is read is refused naming
    the cell: its cached result need not be what the sheet shows.
    """
    p = Path(path)
    with open_workbook(p) as book:
        from .xlsx_table import find_table  # a table reads as the CSV reader reads its rows

        try:
            table = find_table(book)
            if table is not None:
                return table.read(engine=engine, validate=validate)
        except SpbeError:
            raise
        except Exception as exc:  # XML, zip and openpyxl errors met while streaming a sheet
            raise unreadable(p, exc) from None
        reader = SheetReader(str(p), book)
        try:
            assessment = reader.assessment()
        except SpbeError:
            raise
        except Exception as exc:  # XML, zip and openpyxl errors met while streaming a sheet
            raise unreadable(p, exc) from None
    items = [LoadedAssessment(assessment, str(p), None)]
    if validate:
        if engine is None:
            engine = default_resolver()
        try:
            check_assessments(items, engine)
        except AssessmentError as exc:
            raise reader.locate(exc) from None
    return items


class WorkbookRefused(AssessmentError):
    """A limit of the reader met by the workbook as a whole (its size, its parts, its rows): the
    message names where; no sheet column or row of a table is to be added to it."""


def unreadable(p: Path, exc: BaseException) -> AssessmentError:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return AssessmentError(tr("not a readable .xlsx workbook ({detail})", detail=detail), file=str(p))


@contextmanager
def open_workbook(p: Path, *, stream: bool = False) -> Iterator[_Workbook]:
    """The workbook's parts, within the caps above. With `stream`, for a caller that lets each row
    go once read (`io.xlsx_table`), the caps that only bound how many rows a sheet holds are lifted
    or scaled to Excel's own limits: no cap on the file's size, the parts unpacked to at most
    `STREAM_UNZIP_RATIO` times it, `STREAM_SHEET_ROWS` rows, no count of the sheet's cells, text and
    XML elements. Every cap that bounds what is held stays (one row's XML and cells, the shared
    strings, the styles, the sheets and relationships)."""
    require("openpyxl", "excel")
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise AssessmentError(tr("no such file"), file=str(p)) from None
    except OSError as exc:
        raise AssessmentError(tr("cannot read: {strerror}", strerror=exc.strerror), file=str(p)) from None
    if p.is_dir():
        raise AssessmentError(tr("is a directory, expected a file"), file=str(p))
    if size > MAX_BYTES and not stream:
        raise WorkbookRefused(
            tr(
                "file larger than {MAX_BYTES} MiB (the limit of a workbook read whole; a larger table is read"
                " row by row by iter_assessments and by `spbe score FILE -f csv`, or save it as CSV)",
                MAX_BYTES=MAX_BYTES // (1024 * 1024),
            ),
            file=str(p),
        )
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise AssessmentError(tr("cannot read: {strerror}", strerror=exc.strerror), file=str(p)) from None
    with fh:
        try:
            z = zipfile.ZipFile(fh)
        except Exception as exc:
            raise unreadable(p, exc) from None
        with z:
            try:
                # zipfile never inflates a part beyond its stated size: a zip bomb is refused unread
                limit = max(MAX_UNZIPPED, STREAM_UNZIP_RATIO * size) if stream else MAX_UNZIPPED
                if sum(info.file_size for info in z.infolist()) > limit:
                    # whole reading refuses what the stream may take (its limit scales with the file)
                    refusal = AssessmentError if stream else WorkbookRefused
                    raise refusal(
                        tr("workbook larger than {MAX_UNZIPPED} MiB unpacked", MAX_UNZIPPED=limit // (1024 * 1024)),
                        file=str(p),
                    )
                book = _Workbook(str(p), z, stream=stream)
            except SpbeError:
                raise
            except Exception as exc:  # zipfile, XML and openpyxl errors alike
                raise unreadable(p, exc) from None
            yield book


class _Workbook:
    """The parts of a workbook the reader needs, found and streamed here rather than by openpyxl's
    `load_workbook`: even in read-only mode that builds whole the styles, the shared strings, the
    properties, chart sheets and more, from parts whose roles the file itself decides. Here the
    package's and the workbook's relationships name the sheets, the shared strings and the styles;
    nothing else is read. Every part is streamed (`elements`): an element the reader does not need
    is dropped as soon as it ends, so at most `MAX_ELEMENT_BYTES` of XML is held at any time. The
    cells themselves are read by openpyxl's own sheet parser, as its read-only worksheets do.
    """

    def __init__(self, file: str, z: zipfile.ZipFile, *, stream: bool = False) -> None:
        self.file = file
        self.z = z
        self.text_chars = self.elements_read = self.rows_read = 0
        self.stream = False  # the caps of whole reading apply to the workbook's own parts, always
        self.table = False  # set by io.xlsx_table when the workbook is a wide table: its refusals say how to stream
        package = self.relationships("_rels/.rels")
        main = next((t for kind, t in package.values() if kind == "officeDocument"), "xl/workbook.xml")
        named: list[tuple[str, str]] = []
        hidden: set[str] = set()
        date1904 = False
        for parent, el in self.elements(main, {_SHEET, _WORKBOOK_PR}, "the workbook part"):
            if el.tag == _WORKBOOK_PR:
                date1904 = el.get("date1904", "").strip().lower() in ("1", "true")
            elif parent == _SHEETS and el.get("name") is not None and el.get(_REL_ID) is not None:
                named.append((str(el.get("name")), str(el.get(_REL_ID))))
                if el.get("state", "visible") != "visible":
                    hidden.add(str(el.get("name")))
                self.entries(len(named), "the workbook part", "sheets")
        rels = self.relationships(_rels_of(main))
        self.sheets: dict[str, str] = {}  # sheet name -> part, in the workbook's order
        for name, rid in named:
            kind, target = rels.get(rid, ("", ""))
            if kind == "worksheet" and target in self.z.NameToInfo:
                self.sheets.setdefault(name, target)
        self.visible = [name for name in self.sheets if name not in hidden]  # worksheets shown, in order
        parts = {"styles": "xl/styles.xml", "sharedStrings": "xl/sharedStrings.xml"}  # where openpyxl looks
        parts.update((kind, target) for kind, target in reversed(rels.values()))
        parts = {kind: target for kind, target in parts.items() if target in self.z.NameToInfo}
        datetimes = require("openpyxl.utils.datetime", "excel")
        self.epoch = datetimes.CALENDAR_MAC_1904 if date1904 else datetimes.CALENDAR_WINDOWS_1900
        self.date_formats, self.timedelta_formats = (
            self.styles(parts["styles"]) if "styles" in parts else (set(), set())
        )
        self.strings = self.shared_strings(parts["sharedStrings"]) if "sharedStrings" in parts else []
        self.stream = stream  # from here on, sheets are read: row by row when streaming

    def refuse(self, message: str) -> AssessmentError:
        return WorkbookRefused(message, file=self.file)

    def entries(self, n: int, where: str, what: str) -> None:
        if n > MAX_ENTRIES:
            raise self.refuse(
                tr(
                    "{where} has more than {MAX_ENTRIES} {what}",
                    where=where,
                    MAX_ENTRIES=_count(MAX_ENTRIES),
                    what=what,
                )
            )

    def text(self, chars: int) -> None:
        self.text_chars += chars
        if self.text_chars > MAX_TEXT_CHARS:
            raise self.refuse(
                tr(
                    "the workbook has more than {MAX_TEXT_CHARS} characters of text",
                    MAX_TEXT_CHARS=_count(MAX_TEXT_CHARS),
                )
            )

    def elements(self, part: str, wanted: set[str], where: str) -> Iterator[tuple[str, Any]]:
        """(parent's tag, element) for each element of `part` whose tag is `wanted`, built whole.

        Every other element is cleared and detached as soon as it ends, and so is a wanted one once
        the caller is done with it: more than `MAX_ELEMENT_BYTES` of XML read without an element
        ending (one huge row, tag or text) is refused. A DOCTYPE is refused before it is parsed, so
        no entity is ever expanded.
        """
        pull: Any = ElementTree.XMLPullParser(events=("start", "end"))  # events: (str, Element)
        prolog: Any = self.prolog(where)
        stack: list[Any] = []
        keep = 0  # depth of the wanted element being built; 0: none
        pending = 0  # bytes fed since an element last ended outside a wanted one
        with self.z.open(part) as src:
            while True:
                chunk = src.read(64 * 1024)
                if prolog is not None:
                    prolog = self.check_prolog(prolog, chunk)
                pending += len(chunk)
                if chunk:
                    pull.feed(chunk)
                else:
                    pull.close()
                for event, el in pull.read_events():
                    if event == "start":
                        self.elements_read += 1
                        stack.append(el)
                        if not keep and el.tag in wanted:
                            keep = len(stack)
                        continue
                    depth = len(stack)
                    stack.pop()
                    if keep and depth > keep:
                        continue  # inside the wanted element: kept until it ends
                    if depth == keep:
                        keep = 0
                        yield (stack[-1].tag if stack else ""), el
                    pending = 0
                    el.clear()
                    if stack:
                        stack[-1].remove(el)  # its earlier siblings are gone already: nothing piles up
                if self.elements_read > MAX_ELEMENTS and not self.stream:
                    raise self.refuse(
                        tr(
                            "the workbook has more than {MAX_ELEMENTS} XML elements to read",
                            MAX_ELEMENTS=_count(MAX_ELEMENTS),
                        )
                    )
                if pending > MAX_ELEMENT_BYTES + 64 * 1024:
                    limit = MAX_ELEMENT_BYTES // (1024 * 1024)
                    raise self.refuse(
                        tr(
                            "{where} has an element (a row, a text, a tag) larger than {limit} MiB",
                            where=where,
                            limit=limit,
                        )
                    )
                if not chunk:
                    return

    def prolog(self, where: str) -> Any:
        """An expat parser that reads up to the root element only, to refuse a DOCTYPE."""
        parser = xml.parsers.expat.ParserCreate()

        def doctype(*_: Any) -> None:
            raise self.refuse(tr("{where} declares a DOCTYPE, which a workbook never does", where=where))

        def root(*_: Any) -> None:
            raise _PrologOver

        parser.StartDoctypeDeclHandler = doctype
        parser.StartElementHandler = root
        return parser

    def check_prolog(self, parser: Any, chunk: bytes) -> Any:
        """The parser, or None once the root element is reached (or the XML is broken: see openpyxl)."""
        try:
            parser.Parse(chunk, not chunk)
        except (_PrologOver, xml.parsers.expat.ExpatError):
            return None
        return parser

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type's last word, target part) of a .rels part (absent: none)."""
        if part not in self.z.NameToInfo:
            return {}
        source = posixpath.dirname(posixpath.dirname(part))  # "xl/_rels/workbook.xml.rels" -> "xl"
        out: dict[str, tuple[str, str]] = {}
        for _, el in self.elements(part, {f"{_RELS}Relationship"}, f"part {part!r}"):
            rid, kind, target = el.get("Id"), el.get("Type", ""), el.get("Target", "")
            if rid is None or el.get("TargetMode") == "External":
                continue
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(source, target))
            out.setdefault(rid, (kind.rpartition("/")[2], path))
            self.entries(len(out), f"part {part!r}", "relationships")
        return out

    def styles(self, part: str) -> tuple[set[int], set[int]]:
        """Which cell formats show dates and durations (as openpyxl's stylesheet works them out)."""
        numbers = require("openpyxl.styles.numbers", "excel")
        custom: dict[int, str] = {}
        kinds: dict[str | None, tuple[bool, bool]] = {}
        dates: set[int] = set()
        durations: set[int] = set()
        n = 0
        for parent, el in self.elements(part, {_NUM_FMT, _XF}, "the styles"):
            if el.tag == _NUM_FMT and parent == _NUM_FMTS:
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                self.entries(len(custom), "the styles", "number formats")
            elif el.tag == _XF and parent == _CELL_XFS:
                number = int(el.get("numFmtId", "0"))
                fmt = custom[number] if number in custom else numbers.builtin_format_code(number)
                if fmt is not None and len(fmt) > 255:  # Excel's limit: nothing longer is a format
                    fmt = None
                if fmt not in kinds:
                    kinds[fmt] = (numbers.is_date_format(fmt), numbers.is_timedelta_format(fmt))
                date, duration = kinds[fmt]
                if date:
                    dates.add(n)
                if duration:
                    durations.add(n)
                n += 1
                self.entries(n, "the styles", "cell formats")
        return dates, durations

    def shared_strings(self, part: str) -> list[str]:
        out: list[str] = []
        for _, el in self.elements(part, {_SI}, "the shared strings"):
            if len(out) >= MAX_SHARED_STRINGS:
                raise self.refuse(
                    tr(
                        "the workbook has more than {MAX_SHARED_STRINGS} shared strings",
                        MAX_SHARED_STRINGS=_count(MAX_SHARED_STRINGS),
                    )
                )
            text = _plain(el).replace("x005F_", "")  # as openpyxl's read_string_table
            self.text(len(text))
            out.append(text)
        return out

    def rows(self, name: str) -> Iterator[tuple[int, Row]]:
        """(row number, {column: value}) for each row of a sheet holding a value, in file order;
        formulas as `Formula`. Only the cells the file holds are kept (one value in XFD1048576 is
        one cell), and each row is dropped once read."""
        where = f"sheet {name!r}"
        parser = require("openpyxl.worksheet._reader", "excel").WorkSheetParser(
            None,
            self.strings,
            data_only=False,
            epoch=self.epoch,
            date_formats=self.date_formats,
            timedelta_formats=self.timedelta_formats,
        )
        parse_cell = parser.parse_cell

        def cell(element: Any) -> dict[str, Any]:
            kind = element.get("t")
            if kind == "inlineStr" and element.find(_FORMULA) is None:
                inline = element.find(_INLINE)  # the same text, as a "str" cell: not built as rich text
                if inline is not None:
                    element.remove(inline)
                    element.set("t", "str")
                    ElementTree.SubElement(element, _VALUE).text = _plain(inline)
                    kind = "str"
            found: dict[str, Any] = parse_cell(element)
            if kind in ("inlineStr", "str") and isinstance(found["value"], str) and not self.stream:
                self.text(len(found["value"]))  # text in the cell itself (shared strings are counted once)
            return found

        def formula(element: Any) -> str:
            """A formula's own text, not translated: a shared formula would be tokenised once per copy."""
            return "=" + (element.find(_FORMULA).text or "")

        parser.parse_cell = cell
        parser.parse_formula = formula
        cells = 0
        for _, el in self.elements(self.sheets[name], {_ROW}, where):
            self.rows_read += 1  # all the sheets read: a sheet alone never has more
            if self.rows_read > (STREAM_SHEET_ROWS if self.stream else MAX_SHEET_ROWS):
                if self.stream or not self.table:
                    raise self.refuse(
                        tr(
                            "{where}: more than {MAX_SHEET_ROWS} rows in the sheets read"
                            " (the limit of a sheet, and of all of them together)",
                            where=where,
                            MAX_SHEET_ROWS=_count(STREAM_SHEET_ROWS if self.stream else MAX_SHEET_ROWS),
                        )
                    )
                raise self.refuse(
                    tr(
                        "{where}: more than {MAX_SHEET_ROWS} rows in the sheets read"
                        " (the limit of a workbook read whole; a larger table is read row by row by"
                        " iter_assessments and by `spbe score FILE -f csv`, or save it as CSV)",
                        where=where,
                        MAX_SHEET_ROWS=_count(MAX_SHEET_ROWS),
                    )
                )
            n, found = parser.parse_row(el)
            parser.row_dimensions.clear()  # row heights: not needed, and would pile up
            if len(found) > MAX_SHEET_COLUMNS:
                raise self.refuse(
                    tr(
                        "{where}, row {n} has more than {MAX_SHEET_COLUMNS} cells (the limit of a row)",
                        where=where,
                        n=n,
                        MAX_SHEET_COLUMNS=_count(MAX_SHEET_COLUMNS),
                    )
                )
            cells += len(found)
            if cells > MAX_SHEET_CELLS and not self.stream:
                if self.table:
                    raise self.refuse(
                        tr(
                            "{where} has more than {MAX_SHEET_CELLS} cells (the limit of a workbook read whole;"
                            " a larger table is read row by row by iter_assessments and by"
                            " `spbe score FILE -f csv`, or save it as CSV)",
                            where=where,
                            MAX_SHEET_CELLS=_count(MAX_SHEET_CELLS),
                        )
                    )
                raise self.refuse(
                    tr(
                        "{where} has more than {MAX_SHEET_CELLS} cells (the limit of a sheet)",
                        where=where,
                        MAX_SHEET_CELLS=_count(MAX_SHEET_CELLS),
                    )
                )
            values: Row = {}
            for c in found:
                value = c["value"]
                if value is not None:
                    values[c["column"]] = Formula(value) if c["data_type"] == "f" else value
            if values:
                yield n, values


class _PrologOver(Exception):
    """The root element is reached: no DOCTYPE can follow."""


def _plain(element: Any) -> str:
    """The text of a shared or inline string, as openpyxl's `Text.content`: the plain text, then the
    text of each rich-text run (phonetic runs are not part of it)."""
    runs = [run.findtext(_T) or "" for run in element.iterfind(_RUN)]
    return (element.findtext(_T) or "") + "".join(runs)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


class Formula:
    """A formula cell where a value was expected (its text, e.g. "=2+1")."""

    __slots__ = ("text",)

    def __init__(self, value: Any) -> None:
        self.text = value if isinstance(value, str) and value != "=" else "a shared formula"

    def __str__(self) -> str:
        return self.text


Row = dict[int, Any]  # column (1-based) -> value, only the cells holding one


def cell_text(value: Any) -> str | None:
    """A cell as text (numbers typed by people included); None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _key(value: Any) -> str | None:
    """An identifier cell: text, stripped; None when empty."""
    text = cell_text(value)
    if text is None:
        return None
    return text.strip() or None


def _normal(header: Any) -> str:
    return " ".join(str(header).split()).casefold() if header is not None else ""


_STATUS_LABELS = {_normal(label): key for key, label in STATUS_ID.items()}  # read in any case


def _expected(key: str, sheet: str) -> tuple[str, str | None]:
    """What a column holds, for the message refusing a formula in it: (noun, allowed values), in
    the reader's language."""
    if key == "level" or key in STAGES:
        return translate(N_("level")), translate(N_("whole numbers"))
    if key == "probability" or (sheet in (INPUTS, *SHEET_ALIASES[INPUTS]) and key == "value"):
        return translate(N_("number")), translate(N_("decimal numbers"))
    if key == "date":
        return translate(N_("date")), translate(N_("dates, or text YYYY-MM-DD"))
    return translate(N_("value")), None


@dataclass
class SheetReader:
    file: str
    wb: _Workbook
    header_rows: dict[str, int] = field(default_factory=dict)
    level_rows: dict[str, int] = field(default_factory=dict)

    def error(
        self, message: str, *, row: int | None = None, field: str | None = None, allowed: str | None = None
    ) -> AssessmentError:
        return AssessmentError(message, file=self.file, row=row, field=field, allowed=allowed)

    def locate(self, exc: AssessmentError) -> AssessmentError:
        """An error of the usual validation, pointed at the row it is about."""
        field, row = exc.field, exc.row
        if field and field.startswith("levels.") and field[7:] in self.level_rows:
            field, row = f"{ASSESS}.level", self.level_rows[field[7:]]
        elif field in HEADER_LABELS and field in self.header_rows:
            field, row = f"{ASSESS}.{field}", self.header_rows[field]
        return AssessmentError(one_line(exc.message), file=self.file, row=row, field=field, allowed=exc.allowed)

    # cells

    def formula(self, sheet: str, key: str, row: int, column: int, value: Formula) -> AssessmentError:
        letter = require("openpyxl.utils", "excel").get_column_letter(column)
        noun, allowed = _expected(key, sheet)
        shown = value.text if len(value.text) <= 40 else value.text[:37] + "..."
        return self.error(
            tr(
                "cell {letter}{row} is a formula ({shown}); type the {noun} itself",
                letter=letter,
                row=row,
                shown=shown,
                noun=noun,
            ),
            row=row,
            field=f"{sheet}.{key}",
            allowed=allowed,
        )

    def cells(self, sheet: str, row: int, raw: Row, col: Mapping[str, int], keys: Sequence[str]) -> dict[str, Any]:
        """The values of the columns `keys` of a row; a formula among them is refused."""
        out: dict[str, Any] = {}
        for key in keys:
            value = raw.get(col[key])
            if isinstance(value, Formula):
                raise self.formula(sheet, key, row, col[key], value)
            out[key] = value
        return out

    def whole(self, value: Any, row: int, field: str, what: str = "level") -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE.match(value):
            return int(value.strip().replace(",", ".").split(".")[0])  # "4,0": an Indonesian decimal comma
        raise self.error(
            tr("{what} {value!r} is not a whole number", what=what, value=value),
            row=row,
            field=field,
            allowed=tr("whole numbers"),
        )

    def exact(self, value: Any, row: int, field: str, what: str) -> Decimal:
        what = translate(what)  # a word of the format ("value", "probability") in the reader's language
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise self.error(
                tr("{what} {value!r} is not a decimal number", what=what, value=cell_text(value)), row=row, field=field
            )
        text = str(value).strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            if "," in text:
                message = tr(
                    "{what} {text!r} is not a decimal number (use a dot as the decimal separator)", what=what, text=text
                )
            else:
                message = tr("{what} {value!r} is not a decimal number", what=what, value=text)
            raise self.error(message, row=row, field=field) from None
        if not d.is_finite():
            raise self.error(
                tr("{what} {text!r} is not a finite decimal number", what=what, text=text), row=row, field=field
            )
        try:
            exact_decimal(text)  # ASCII digits only, at most MAX_DIGITS written out (1e999999999)
        except ValueError as exc:
            raise self.error(tr("{what}: {exc}", what=what, exc=exc), row=row, field=field) from None
        return d

    def date(self, value: Any, row: int, field: str) -> dt.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                raise self.error(
                    tr("{value!r} has a time of day; give a date", value=value.isoformat()), row=row, field=field
                )
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(
            tr("{value!r} is not a date", value=cell_text(value)),
            row=row,
            field=field,
            allowed=tr("dates, or text YYYY-MM-DD"),
        )

    # sheets

    def sheet(self, name: str) -> bool:
        return self.title(name) in self.wb.sheets

    def title(self, name: str) -> str:
        """The sheet's name in this workbook: `name`, or its name in the other language ("Masukan")."""
        if name in self.wb.sheets:
            return name
        return next((alias for alias in SHEET_ALIASES.get(name, ()) if alias in self.wb.sheets), name)

    def rows(self, name: str) -> Iterator[tuple[int, Row]]:
        """The rows of a sheet holding a value (absent sheet: none), streamed, in order."""
        if not self.sheet(name):
            return
        name = self.title(name)
        last = 0
        for n, row in self.wb.rows(name):
            if n <= last:  # a streamed sheet is read once: rows must come in order, as every writer puts them
                raise self.error(tr("row {n} comes after row {last} in the file", n=n, last=last), row=n, field=name)
            last = n
            yield n, row

    def meta(self) -> str:
        if not self.sheet(META):
            raise self.error(
                tr(
                    "not a spbe_engine workbook (no {META!r} sheet); start from spbe_engine.io.excel.write_template",
                    META=META,
                ),
                allowed=tr(
                    "a workbook made by `spbe template`, or a table whose first row names the columns subject,"
                    " period, catalogue and the indicator ids"
                ),
            )
        meta: dict[str, tuple[int, Any]] = {}
        for n, r in self.rows(META):
            key = _key(r.get(1))
            if key:
                meta[key] = (n, r.get(2))

        def value(key: str) -> Any:
            n, v = meta.get(key, (0, None))
            if isinstance(v, Formula):
                raise self.formula(META, key, n, 2, v)
            return v

        if _key(value("format")) != FORMAT:
            raise self.error(
                tr("not a spbe_engine workbook (sheet {META!r} has no format {FORMAT!r})", META=META, FORMAT=FORMAT)
            )
        version = _key(value("version"))
        if version != str(FORMAT_VERSION):
            raise self.error(
                tr("unsupported workbook format version {version!r}", version=version),
                field=f"{META}.version",
                allowed=str(FORMAT_VERSION),
            )
        catalogue = _key(value("catalogue"))
        if not catalogue:
            raise self.error(tr("no catalogue id"), field=f"{META}.catalogue")
        return catalogue

    def table(self, name: str, columns: Mapping[str, tuple[str, float]], header: Row, head: int) -> dict[str, int]:
        """Column number (1-based) per known column, from the header row `head`."""
        found: dict[str, int] = {}
        wanted = {_normal(h): key for key, (h, _) in columns.items()}
        for column, (h, _) in columns.items():  # "Level" as the Indonesian template writes it, too
            wanted.update((_normal(alias), column) for alias in HEADER_ALIASES.get(h, ()))
        for i, h in sorted(header.items()):
            key = wanted.get(_normal(h))
            if key is not None and key not in found:
                found[key] = i

        def shown(h: str) -> str:  # a header as the current language writes it
            return HEADER_ALIASES[h][0] if current_language() == "id" and h in HEADER_ALIASES else h

        missing = [shown(columns[k][0]) for k in columns if k not in found]
        if missing:
            raise self.error(
                tr("column {missing!r} is missing", missing=missing[0]),
                row=head,
                field=name,
                allowed=", ".join(shown(h) for h, _ in columns.values()),
            )
        return found

    def items(self, name: str, columns: Mapping[str, tuple[str, float]]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(Excel row, {column: value}) for each non-empty row of an item sheet (absent sheet: none)."""
        rows = self.rows(name)
        first = next(rows, None)
        if first is None:
            return
        col = self.table(name, columns, first[1] if first[0] == 1 else {}, 1)
        for n, raw in rows:
            cells = self.cells(name, n, raw, col, list(col))
            if any(_key(v) is not None for v in cells.values()):  # a row of blanks is no item
                yield n, cells

    def need(self, cells: Mapping[str, Any], key: str, row: int, sheet: str) -> Any:
        """A required cell's value (raw: a number stays a number)."""
        value = cells.get(key)
        if _key(value) is None:
            raise self.error(tr("missing value"), row=row, field=f"{sheet}.{key}")
        return value

    def need_key(self, cells: Mapping[str, Any], key: str, row: int, sheet: str) -> str:
        """A required identifier cell as stripped text."""
        return str(_key(self.need(cells, key, row, sheet)))

    def assessment(self) -> Assessment:
        meta_catalogue = self.meta()
        if not self.sheet(ASSESS):
            raise self.error(
                tr("no {ASSESS!r} sheet", ASSESS=ASSESS),
                allowed=tr("a workbook from {module}.write_template", module=__name__),
            )
        rows = self.rows(ASSESS)
        id_header = _normal(ASSESS_COLUMNS["id"][0])
        labels = {_normal(label): key for key, label in HEADER_LABELS.items()}
        header: dict[str, str] = {}
        head: tuple[int, Row] | None = None
        for n, r in rows:  # the header block, up to the table's header row
            if _normal(r.get(1)) == id_header:
                head = n, r
                break
            key = labels.get(_normal(r.get(1)))
            if key is not None and key not in self.header_rows:
                self.header_rows[key] = n
                value = self.cells(ASSESS, n, r, {key: 2}, [key])[key]
                if _key(value) is not None:
                    header[key] = str(_key(value))
        if head is None:
            raise self.error(
                tr("no table header (a row starting with {ASSESS_COLUMNS!r})", ASSESS_COLUMNS=ASSESS_COLUMNS["id"][0]),
                field=ASSESS,
            )
        for key, label in HEADER_LABELS.items():
            if key not in header:
                raise self.error(
                    tr("missing {label} ({key})", label=label, key=key),
                    row=self.header_rows.get(key),
                    field=f"{ASSESS}.{key}",
                )
        if header["catalogue"] != meta_catalogue:
            raise self.error(
                tr(
                    "catalogue {header!r} differs from the catalogue this template was made for",
                    header=header["catalogue"],
                ),
                row=self.header_rows["catalogue"],
                field=f"{ASSESS}.catalogue",
                allowed=meta_catalogue,
            )
        col = self.table(ASSESS, ASSESS_COLUMNS, head[1], head[0])
        read = ["id", "level", "note", "service", *STAGES]  # the other columns are information
        levels: dict[str, int] = {}
        notes: dict[str, str] = {}
        services: dict[str, str] = {}
        stages: dict[str, dict[str, int]] = {}
        for n, raw in rows:
            cells = self.cells(ASSESS, n, raw, col, read)
            iid = _key(cells["id"])
            filled = [k for k in ("level", "note", "service", *STAGES) if cell_text(cells[k]) is not None]
            if iid is None:
                if filled:
                    raise self.error(tr("a row with values but no indicator id"), row=n, field=f"{ASSESS}.id")
                continue
            if iid in self.level_rows:
                raise self.error(
                    tr("indicator {iid!r} appears twice (first at row {first})", iid=iid, first=self.level_rows[iid]),
                    row=n,
                    field=f"{ASSESS}.id",
                )
            self.level_rows[iid] = n
            level = cells["level"]
            if _key(level) is not None:
                levels[iid] = self.whole(level, n, f"{ASSESS}.level")
            note = cell_text(cells["note"])
            if note is not None:
                notes[iid] = note
            service = cell_text(cells["service"])
            if service is not None:
                services[iid] = service
            for stage in STAGES:
                value = cells[stage]
                if _key(value) is not None:
                    stages.setdefault(stage, {})[iid] = self.whole(value, n, f"{ASSESS}.{stage}")
        data: dict[str, Any] = dict(
            header,
            levels=levels,
            notes=notes,
            services=services,
            stages=stages,
            tags=self.tags(),
            evidence=self.evidence(),
            inputs=self.inputs(),
            distributions=self.distributions(),
        )
        try:
            return Assessment(**data)
        except AssessmentError as exc:
            raise self.locate(exc) from None

    def tags(self) -> dict[str, str]:
        out: dict[str, str] = {}
        first: dict[str, int] = {}
        s = self.title(TAGS)
        for n, cells in self.items(s, TAG_COLUMNS):
            key = _key(cells["key"])
            if key is None:
                raise self.error(tr("a tag value without a key"), row=n, field=f"{s}.key")
            if key in first:
                raise self.error(
                    tr("tag {key!r} appears twice (first at row {first})", key=key, first=first[key]),
                    row=n,
                    field=f"{s}.key",
                )
            first[key] = n
            out[key] = cell_text(cells["value"]) or ""
        return out

    def evidence(self) -> dict[str, tuple[Evidence, ...]]:
        out: dict[str, list[Evidence]] = {}
        s = EVIDENCE
        for n, cells in self.items(s, EVIDENCE_COLUMNS):
            iid = self.need_key(cells, "indicator", n, s)
            ev_id = self.need_key(cells, "id", n, s)
            level = self.whole(self.need(cells, "level", n, s), n, f"{s}.level")
            kind = self.need_key(cells, "kind", n, s)
            shown = _key(cells["status"]) or "pending"
            status = shown if shown in STATUSES else _STATUS_LABELS.get(_normal(shown))
            if status is None:
                raise self.error(
                    tr("unknown status {status!r}", status=shown),
                    row=n,
                    field=f"{s}.status",
                    allowed=", ".join([*STATUSES, *STATUS_ID.values()]),
                )
            date = self.date(cells["date"], n, f"{s}.date")
            try:
                ev = Evidence(id=ev_id, level=level, kind=kind, date=date, status=status, note=cell_text(cells["note"]))
            except SpbeError as exc:
                raise self.error(one_line(exc.message), row=n, field=f"{s}.{exc.field or 'id'}") from None
            out.setdefault(iid, []).append(ev)
        return {k: tuple(v) for k, v in out.items()}

    def inputs(self) -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = {}
        first: dict[tuple[str, str], int] = {}
        s = self.title(INPUTS)
        for n, cells in self.items(s, INPUT_COLUMNS):
            iid = self.need_key(cells, "indicator", n, s)
            name = self.need_key(cells, "name", n, s)
            raw = cells["value"]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raise self.error(tr("missing value"), row=n, field=f"{s}.value")
            if (iid, name) in first:
                raise self.error(
                    tr(
                        "input {name!r} of indicator {iid} appears twice (first at row {first})",
                        name=name,
                        iid=plain(iid),
                        first=first[iid, name],
                    ),
                    row=n,
                    field=f"{s}.name",
                )
            first[iid, name] = n
            out.setdefault(iid, {})[name] = self.exact(raw, n, f"{s}.value", N_("value"))
        return out

    def distributions(self) -> dict[str, dict[int, Decimal]]:
        out: dict[str, dict[int, Decimal]] = {}
        first: dict[str, int] = {}
        s = DISTS
        for n, cells in self.items(s, DIST_COLUMNS):
            iid = self.need_key(cells, "indicator", n, s)
            level = self.whole(self.need(cells, "level", n, s), n, f"{s}.level")
            p = self.exact(self.need(cells, "probability", n, s), n, f"{s}.probability", N_("probability"))
            if p < 0:
                raise self.error(tr("probability {p} is negative", p=p), row=n, field=f"{s}.probability")
            dist = out.setdefault(iid, {})
            first.setdefault(iid, n)
            if level in dist:
                raise self.error(
                    tr("level {level} of indicator {iid} appears twice", level=level, iid=plain(iid)),
                    row=n,
                    field=f"{s}.level",
                )
            dist[level] = p
        for iid, dist in out.items():
            total = sum(dist.values(), Decimal(0))
            if total != 1:
                raise self.error(
                    tr(
                        "the probabilities of indicator {iid} sum to {total}, not exactly 1",
                        iid=plain(iid),
                        total=total,
                    ),
                    row=first[iid],
                    field=f"{s}.probability",
                )
        return out

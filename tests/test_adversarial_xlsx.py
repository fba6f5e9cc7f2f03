"""Excel workbooks under attack: no formula is ever written from user text, and any workbook the
reader accepts is read in bounded memory (measured in a subprocess), with formulas refused.

Issue 10, defects 1 (formula injection, every workbook the library writes) and 2 (the xlsx bomb).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import pytest

from spbe_engine import Assessment, AssessmentError, Engine, load_assessments
from spbe_engine.cli.main import main
from spbe_engine.model.rules import Evidence

from .memory import PEAK_KB

openpyxl = pytest.importorskip("openpyxl", reason="Excel support needs the `excel` extra")

from spbe_engine.io import excel  # noqa: E402
from spbe_engine.io.excel import read_xlsx, write_assessment, write_template  # noqa: E402

ENGINE = Engine(load_entry_points=False)
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kota-contoh"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MiB = 1024 * 1024

# Text a spreadsheet would run: each leading character OWASP's CSV-injection guidance names.
PAYLOADS = ["=1+1", "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")']
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a <f> element, with or without a namespace prefix


def formula_elements(path: Path) -> list[str]:
    """Every member of the file holding a formula element (an .xlsx is a zip of XML parts)."""
    with zipfile.ZipFile(path) as z:
        return [name for name in z.namelist() if FORMULA.search(z.read(name))]


def strings_in(path: Path) -> dict[str, str]:
    """Every string cell as {sheet!coordinate: value}, and no cell that openpyxl reads as a formula."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, str] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    out[f"{ws.title}!{cell.coordinate}"] = cell.value
    return out


def as_read(text: str) -> str:
    """What a text cell gives back: XML turns a carriage return into a line feed (documented)."""
    return text.replace("\r", "\n")


# -- defect 1: no formula written from user text ------------------------------------------------


def injected_example(tmp_path: Path) -> tuple[list[str], Path]:
    """The kota-contoh example with formulas as subject, unit names, a unit id, tags and notes."""
    d = tmp_path / "in"
    d.mkdir()
    owners = (EXAMPLE / "owners.yaml").read_text(encoding="utf-8")
    owners = owners.replace("name: Dinas Komunikasi, Informatika dan Statistik", "name: '=1+1'")
    owners = owners.replace("name: Inspektorat Daerah", "name: '+1+1'")
    owners = owners.replace("name: Dinas Kesehatan", "name: '-1+1'")
    owners = owners.replace("name: Bagian Hukum Sekretariat Daerah", "name: '@SUM(1+1)'")
    owners = owners.replace("name: Dinas Perpustakaan dan Kearsipan", 'name: "\\t=1+1"')
    owners = owners.replace("bappeda", "=bappeda")  # a unit id: a sheet title
    # titles Excel refuses or takes for another: it compares titles ignoring case
    owners = owners.replace("dinkes", "PENILAIAN").replace("dinsos", "History").replace("disdik", "\"'disdik'\"")
    assert owners.count("'=1+1'") == 1 and "=bappeda" in owners
    (d / "owners.yaml").write_text(owners, encoding="utf-8")
    files = []
    for year in ("2024", "2025"):
        text = (EXAMPLE / f"{year}.yaml").read_text(encoding="utf-8")
        text = text.replace("subject: Pemerintah Kota Contoh", "subject: \"=cmd|' /C calc'!A0\"")
        text = text.replace("  province: Riau", '  province: "\\r=1+1"\n  "=tag": "=HYPERLINK(\\"x\\")"')
        assert "=cmd" in text and "=tag" in text
        (d / f"{year}.yaml").write_text(text, encoding="utf-8")
        files.append(str(d / f"{year}.yaml"))
    return files, d / "owners.yaml"


def test_report_workbook_holds_user_text_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, owners = injected_example(tmp_path)
    out = tmp_path / "report"
    targets = str(EXAMPLE / "targets.yaml")
    assert main(["report", *files, "--owners", str(owners), "--targets", targets, "--out", str(out)]) == 0
    capsys.readouterr()
    book = out / "report.xlsx"
    assert formula_elements(book) == []
    cells = strings_in(book)
    summary = {k: v for k, v in cells.items() if k.startswith("Ringkasan!")}
    assert summary["Ringkasan!B1"] == "=cmd|' /C calc'!A0"  # the subject, exactly as given
    values = set(cells.values())
    for text in ["=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "=cmd|' /C calc'!A0"]:
        assert text in values, text
    titles = openpyxl.load_workbook(book).sheetnames
    assert "=bappeda" in titles  # a unit id is a sheet title
    assert len({t.casefold() for t in titles}) == len(titles)  # Excel would repair the file
    assert not [t for t in titles if t.startswith("'") or t.endswith("'") or t.casefold() == "history"]
    assert {"PENILAIAN~2", "History~1", "disdik"} <= set(titles)
    # the assessment sheets of the report re-import as the assessment, user text included
    (back,) = load_assessments(book, engine=ENGINE)
    assert back.subject == "=cmd|' /C calc'!A0"
    assert back.tags["=tag"] == '=HYPERLINK("x")' and back.tags["province"] == "\n=1+1"
    # numbers the library computes stay numbers: the levels of the indicator sheet
    ws = openpyxl.load_workbook(book)["Indikator"]
    assert [c.value for c in ws[1]][:3] == ["indicator", "name", "level"]
    assert all(isinstance(ws.cell(row=r, column=3).value, int) for r in range(2, ws.max_row + 1))


def hostile_assessment() -> Assessment:
    p = PAYLOADS
    return Assessment(
        catalogue="spbe-2020",
        subject="=cmd|' /C calc'!A0",
        period="+2024",
        levels={"1": 3, "2": 4},
        notes={str(i): text for i, text in enumerate(p, 1)},
        services={"1": "@SUM(A1)", "2": "-1"},
        tags={"=1+1": "=1+1", "@k": "-v", "+k": "\t=1+1"},
        evidence={
            "1": (Evidence(id="=BD-01", level=3, kind="enacted_policy", status="accepted", note="=1+1"),),
            "2": (Evidence(id="@2", level=2, kind="draft_policy", note="\r=2+2"),),
        },
        inputs={"5": {"=name": 1}},
    )


def test_assessment_workbook_holds_user_text_as_text(tmp_path: Path) -> None:
    a = hostile_assessment()
    p = write_assessment(ENGINE, a, tmp_path / "a.xlsx")
    assert formula_elements(p) == []
    cells = strings_in(p)
    assert cells["Penilaian!B3"] == "=cmd|' /C calc'!A0" and cells["Penilaian!B4"] == "+2024"
    for text in PAYLOADS:
        assert as_read(text) in cells.values(), text
    (back,) = read_xlsx(p)
    expected = a.model_copy(
        update={
            "notes": {k: as_read(v) for k, v in a.notes.items()},
            "evidence": {
                **a.evidence,
                "2": (Evidence(id="@2", level=2, kind="draft_policy", note="\n=2+2"),),
            },
        }
    )
    assert back.assessment == expected


class _OneCatalogue:
    """An engine with one catalogue: what `write_template` asks of an engine."""

    def __init__(self, catalogue: Any) -> None:
        self._catalogue = catalogue

    def catalogue(self, catalogue_id: str) -> Any:
        assert catalogue_id == self._catalogue.id
        return self._catalogue


def test_template_holds_catalogue_text_as_text(tmp_path: Path) -> None:
    """A catalogue is data too (a plugin, a YAML file): its title, names and kinds are never formulas."""
    cat = ENGINE.catalogue("spbe-2020")
    top = cat.groups[0]
    ind = top.groups[0].indicators[0] if top.groups else top.indicators[0]
    hostile = cat.model_copy(
        update={
            "title": "=1+1",
            "evidence": cat.evidence.model_copy(
                update={"kinds": [cat.evidence.kinds[0].model_copy(update={"name": "=2+2", "name_en": "@x"})]}
            ),
        }
    )
    renamed = ind.model_copy(update={"name": "-1+1"})

    def swap(group: Any) -> Any:
        return group.model_copy(
            update={
                "indicators": [renamed if i.id == ind.id else i for i in group.indicators],
                "groups": [swap(g) for g in group.groups],
            }
        )

    hostile = hostile.model_copy(update={"groups": [swap(g) for g in hostile.groups]})
    p = write_template(_OneCatalogue(hostile), "spbe-2020", tmp_path / "t.xlsx")  # type: ignore[arg-type]
    assert formula_elements(p) == []
    values = set(strings_in(p).values())
    assert {"=1+1", "-1+1"} <= values and any(v.startswith("=2+2") for v in values)


# -- defect 2: formulas are refused where values are read ---------------------------------------

HEAD = 6  # indicator 1 is on row 7 of "Penilaian"


def filled(tmp_path: Path, **cells: Any) -> Path:
    """A valid filled template, then `cells` ({"Sheet__A1": value}) typed over it."""
    a = Assessment(
        catalogue="spbe-2020",
        subject="Kota",
        period="2024",
        levels={str(i): 3 for i in range(1, 48)},
        evidence={"1": (Evidence(id="BD-1", level=3, kind="enacted_policy"),)},
        distributions={"3": {2: "0.25", 3: "0.75"}},
        inputs={"5": {"jumlah": "12.50"}},
    )
    p = write_assessment(ENGINE, a, tmp_path / "base.xlsx")
    wb = openpyxl.load_workbook(p)
    for ref, value in cells.items():
        sheet, _, cell = ref.partition("__")
        wb[sheet.replace("_", " ")][cell] = value
    out = tmp_path / "penilaian.xlsx"
    wb.save(out)
    return out


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"Penilaian__F7": "=2+1"},
            r"penilaian.xlsx: row 7: field 'Penilaian.level': cell F7 is a formula \(=2\+1\); "
            r"type the level itself \(allowed: whole numbers\)",
        ),
        ({"Penilaian__J8": "=A1"}, r"row 8: field 'Penilaian.self_assessment': cell J8 is a formula \(=A1\)"),
        ({"Penilaian__B3": '=A1&"x"'}, r"row 3: field 'Penilaian.subject': cell B3 is a formula \(=A1&\"x\"\)"),
        ({"Penilaian__G9": "=1+1"}, r"row 9: field 'Penilaian.note': cell G9 is a formula"),
        ({"Bukti_Dukung__C2": "=1+2"}, r"row 2: field 'Bukti Dukung.level': cell C2 is a formula \(=1\+2\)"),
        ({"Distribusi__C2": "=1/4"}, r"row 2: field 'Distribusi.probability': cell C2 is a formula .*decimal"),
        ({"Input__C2": "=SUM(1,2)"}, r"row 2: field 'Input.value': cell C2 is a formula \(=SUM\(1,2\)\)"),
        ({"Tags__A2": "=1", "Tags__B2": "x"}, r"row 2: field 'Tags.key': cell A2 is a formula"),
    ],
)
def test_formulas_are_refused_naming_the_cell(tmp_path: Path, cells: dict[str, Any], message: str) -> None:
    p = filled(tmp_path, **cells)
    with pytest.raises(AssessmentError, match=message) as info:
        load_assessments(p, engine=ENGINE)
    assert "\n" not in str(info.value)


def test_formulas_outside_the_columns_read_are_ignored(tmp_path: Path) -> None:
    p = filled(tmp_path, Penilaian__D7="=1+1", Petunjuk__C1="=A1", Penilaian__P7="=A7")
    assert load_assessments(p, engine=ENGINE)[0].levels["1"] == 3


# -- defect 2: caps on what a sheet may hold ----------------------------------------------------


def rebuild(base: Path, out: Path, parts: dict[str, bytes | Callable[[IO[bytes]], None]]) -> Path:
    """`base` with some parts replaced; a callable part is streamed (a 200 MB part is never in memory)."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in parts:
                z.writestr(info.filename, src.read(info))
        for name, content in parts.items():
            if callable(content):
                with z.open(name, "w", force_zip64=True) as fh:
                    content(fh)
            else:
                z.writestr(name, content)
    return out


def sheet_xml(rows: Iterable[bytes], before: bytes = b"", prolog: bytes = b"") -> Callable[[IO[bytes]], None]:
    def write(fh: IO[bytes]) -> None:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + f'<worksheet xmlns="{MAIN_NS}">'.encode())
        fh.write(before + b"<sheetData>")
        buf = io.BytesIO()
        for row in rows:
            buf.write(row)
            if buf.tell() > MiB:
                fh.write(buf.getvalue())
                buf = io.BytesIO()
        fh.write(buf.getvalue() + b"</sheetData></worksheet>")

    return write


def repeat(chunk: bytes, size: int) -> Iterator[bytes]:
    """`chunk` repeated to about `size` bytes, as a few large pieces."""
    block = chunk * max(1, MiB // len(chunk))
    for _ in range(size // len(block)):
        yield block


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header(*names: str, row: int = 1) -> bytes:
    cells = "".join(inline(f"{column(k)}{row}", h) for k, h in enumerate(names, 1))
    return f'<row r="{row}">{cells}</row>'.encode()


def column(n: int) -> str:
    return str(openpyxl.utils.get_column_letter(n))


EVIDENCE_HEAD = header("Indikator", "ID Bukti", "Level", "Jenis", "Tanggal", "Status", "Catatan")
TAGS_HEAD = header("Kunci", "Nilai")
EVIDENCE, TAGS = "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"  # as write_assessment writes them


def evidence_rows(n: int, *, cells: int = 7, note: str = "catatan") -> Iterator[bytes]:
    for r in range(2, n + 2):
        extra = "".join(f'<c r="{column(8 + k)}{r}"><v>1</v></c>' for k in range(cells - 7))
        yield (
            f'<row r="{r}"><c r="A{r}"><v>1</v></c>{inline(f"B{r}", f"BD-{r}")}<c r="C{r}"><v>3</v></c>'
            f"{inline(f'D{r}', 'enacted_policy')}{inline(f'E{r}', '2024-01-02')}{inline(f'F{r}', 'accepted')}"
            f"{inline(f'G{r}', note)}{extra}</row>"
        ).encode()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid workbook: sheet1 is Penilaian, sheet2 Bukti Dukung, sheet3 Tags, sheet6 Petunjuk."""
    a = Assessment(catalogue="spbe-2020", subject="Kota", period="2024", levels={str(i): 3 for i in range(1, 48)})
    return write_assessment(ENGINE, a, tmp_path_factory.mktemp("base") / "base.xlsx")


@pytest.mark.parametrize(
    ("caps", "rows", "message"),
    [
        (
            {"MAX_SHEET_ROWS": 150},  # the template's other sheets have ~80 rows
            lambda: evidence_rows(100),
            r"big.xlsx: sheet 'Bukti Dukung': more than 150 rows in the sheets read \(the limit of a sheet, and of"
            r" all of them together\)$",
        ),
        (
            {},
            lambda: evidence_rows(3, cells=excel.MAX_SHEET_COLUMNS + 1),
            r"big.xlsx: sheet 'Bukti Dukung', row 2 has more than 200 cells \(the limit of a row\)$",
        ),
        (
            {"MAX_SHEET_CELLS": 1000},
            lambda: evidence_rows(1000 // 150 + 1, cells=150),
            r"big.xlsx: sheet 'Bukti Dukung' has more than 1,000 cells \(the limit of a sheet\)$",
        ),
        (
            {"MAX_TEXT_CHARS": 100_000},  # Penilaian's names and scales take ~15,000
            lambda: evidence_rows(100, note="x" * 999),
            r"big.xlsx: the workbook has more than 100,000 characters of text$",
        ),
        (
            {"MAX_ELEMENTS": 20_000},  # Penilaian has ~2,000
            lambda: evidence_rows(2000),
            r"big.xlsx: the workbook has more than 20,000 XML elements to read$",
        ),
        (
            {},
            lambda: iter([b'<row r="2"><c r="G2" t="inlineStr"><is><t>' + b"x" * (2 * MiB) + b"</t></is></c></row>"]),
            r"big.xlsx: sheet 'Bukti Dukung' has an element \(a row, a text, a tag\) larger than 1 MiB$",
        ),
    ],
)
def test_sheets_beyond_the_caps_are_refused(
    tmp_path: Path, base: Path, monkeypatch: pytest.MonkeyPatch, caps: dict[str, int], rows: Any, message: str
) -> None:
    for name, value in caps.items():  # small caps, same code: the real ones are measured below
        monkeypatch.setattr(excel, name, value)
    p = rebuild(base, tmp_path / "big.xlsx", {EVIDENCE: sheet_xml(itertools.chain([EVIDENCE_HEAD], rows()))})
    with pytest.raises(AssessmentError, match=message) as info:
        read_xlsx(p)
    assert "\n" not in str(info.value)
    for name in caps:  # one below the cap is read
        monkeypatch.setattr(excel, name, caps[name] + 1_000_000)
    if caps:
        assert read_xlsx(p)[0].assessment.subject == "Kota"


def test_a_doctype_is_refused_before_any_entity_is_expanded(tmp_path: Path, base: Path) -> None:
    laughs = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(8)
    )
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>&i;</t></is></c></row>'
    p = rebuild(base, tmp_path / "lol.xlsx", {TAGS: sheet_xml([TAGS_HEAD, cell], prolog=laughs + b"]>")})
    with pytest.raises(AssessmentError, match=r"lol.xlsx: sheet 'Tags' declares a DOCTYPE, which a workbook never"):
        read_xlsx(p)


def test_rows_out_of_order_are_refused(tmp_path: Path, base: Path) -> None:
    rows = [TAGS_HEAD, f'<row r="3">{inline("A3", "a")}</row><row r="2">{inline("A2", "b")}</row>'.encode()]
    p = rebuild(base, tmp_path / "order.xlsx", {TAGS: sheet_xml(rows)})
    with pytest.raises(AssessmentError, match=r"order.xlsx: row 2: field 'Tags': row 2 comes after row 3 in the file"):
        read_xlsx(p)


def test_shared_strings_and_rich_text_read_as_openpyxl_reads_them(tmp_path: Path, base: Path) -> None:
    """The shared strings and inline rich text go through the reader's own text path: as openpyxl."""
    strings = [
        "<si><t>Kota Contoh</t></si>",
        '<si><r><t>Ko</t></r><r><rPr><b/></rPr><t xml:space="preserve">ta </t></r><rPh sb="0" eb="1"><t>x</t></rPh></si>',
        "<si><t>a_x005F_x000D_b</t></si>",
        "<si><t/></si>",
    ]
    sst = f'<sst xmlns="{MAIN_NS}">{"".join(strings)}</sst>'.encode()
    rich = '<c r="B3" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'
    shared = [(2, 0, '<c r="B2" t="s"><v>0</v></c>'), (3, 1, rich), (4, 2, '<c r="B4" t="s"><v>2</v></c>')]
    rows = [TAGS_HEAD, *(f'<row r="{r}"><c r="A{r}" t="s"><v>{i}</v></c>{b}</row>'.encode() for r, i, b in shared)]
    rows.append(b'<row r="5"><c r="A5" t="s"><v>3</v></c></row>')  # an empty key: no tag
    p = rebuild(
        base, tmp_path / "sst.xlsx", {TAGS: sheet_xml(rows), "xl/sharedStrings.xml": sst, **add_shared_strings(base)}
    )
    expected = {}
    wb = openpyxl.load_workbook(p)  # openpyxl, whole: the reference
    for row in wb["Tags"].iter_rows(min_row=2, values_only=True):
        if row[0] is not None and str(row[0]).strip():
            expected[str(row[0]).strip()] = row[1] or ""
    assert expected == {"Kota Contoh": "Kota Contoh", "Kota": "rich", "a_x000D_b": "a_x000D_b"}
    assert read_xlsx(p)[0].assessment.tags == expected


# -- defect 2: bounded memory, measured in a subprocess -----------------------------------------

MEMORY_LIMIT_MB = 400
CHILD = PEAK_KB + r"""
import json, os, resource, sys, time
cap = int(os.environ.get("SPBE_XLSX_CHILD_LIMIT", 3 * 1024**3))  # a regression fails here, not the machine
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from spbe_engine import Engine, SpbeError, load_assessments
from spbe_engine.io.excel import read_xlsx
engine = Engine(load_entry_points=False)
start = time.perf_counter()
try:  # with "raw", the reader alone: it accepts indicators no catalogue has
    if sys.argv[2:] == ["raw"]:
        a = read_xlsx(sys.argv[1])[0].assessment
    else:
        (a,) = load_assessments(sys.argv[1], engine=engine)
    outcome = "read: %d levels, %d evidence, %d tags, %d inputs, %d distributions" % (
        len(a.levels), sum(len(v) for v in a.evidence.values()), len(a.tags),
        sum(len(v) for v in a.inputs.values()), len(a.distributions))
except SpbeError as exc:
    outcome = "refused: " + str(exc)
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - start
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_kb() / 1024}))  # tests/memory.py
"""


def measure(*paths: Path, raw: bool = False) -> list[dict[str, Any]]:
    """Read each of `paths` in a fresh interpreter, as many at once as there are CPUs: outcome, time
    and peak resident memory of each."""
    mode = ["raw"] if raw else []

    def one(p: Path) -> dict[str, Any]:
        run = subprocess.run([sys.executable, "-c", CHILD, str(p), *mode], capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-2000:]
        result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
        return result

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, paths))


def room(base: Path) -> int:
    """Bytes a part may still unpack to, keeping the workbook just under the cap."""
    with zipfile.ZipFile(base) as z:
        return excel.MAX_UNZIPPED - sum(i.file_size for i in z.infolist()) - 64 * 1024


def add_shared_strings(base: Path) -> dict[str, bytes]:
    """The parts that declare a shared string table, as Excel writes them."""
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    return {
        "[Content_Types].xml": types.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/></Types>'.encode()
        ),
        "xl/_rels/workbook.xml.rels": rels.replace(
            b"</Relationships>",
            f'<Relationship Type="{rel}" Target="sharedStrings.xml" Id="rIdS"/></Relationships>'.encode(),
        ),
    }


def bomb_unread(base: Path, out: Path) -> Path:
    """The issue's bomb: a sheet full of tiny cells, just under the unpack cap; here in Petunjuk,
    a sheet the reader never opens."""
    row = b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>"
    return rebuild(base, out, {"xl/worksheets/sheet6.xml": sheet_xml(repeat(row, room(base)))})


def bomb_cells(base: Path, out: Path) -> Path:
    """The same in Bukti Dukung, a sheet the reader reads (in a column it does not read)."""
    row = b"<row>" + b'<c r="H1"><v>1</v></c>' * 100 + b"</row>"
    return rebuild(base, out, {EVIDENCE: sheet_xml(itertools.chain([EVIDENCE_HEAD], repeat(row, room(base))))})


def bomb_rows(base: Path, out: Path) -> Path:
    """Millions of empty rows."""
    return rebuild(base, out, {TAGS: sheet_xml(itertools.chain([TAGS_HEAD], repeat(b"<row/>", room(base))))})


def bomb_one_row(base: Path, out: Path) -> Path:
    """One row of Penilaian with tens of millions of cells (a row is built whole)."""
    return rebuild(
        base, out, {"xl/worksheets/sheet1.xml": sheet_xml([b"<row>", *repeat(b"<c/>", room(base)), b"</row>"])}
    )


def bomb_text(base: Path, out: Path) -> Path:
    """One cell of 200 MB of text."""
    cell = [b'<row r="2"><c r="B2" t="inlineStr"><is><t>', *repeat(b"x", room(base)), b"</t></is></c></row>"]
    return rebuild(base, out, {TAGS: sheet_xml([TAGS_HEAD, *cell])})


def bomb_tag(base: Path, out: Path) -> Path:
    """One start tag of 200 MB (an attribute without end)."""
    return rebuild(base, out, {TAGS: sheet_xml([], before=b'<sheetPr a="' + b"x" * room(base) + b'"/>')})


def bomb_junk(base: Path, out: Path) -> Path:
    """Millions of elements between the rows that are no rows (openpyxl would keep every one)."""
    return rebuild(base, out, {TAGS: sheet_xml(itertools.chain([TAGS_HEAD], repeat(b"<x/>", room(base))))})


def bomb_strings(base: Path, out: Path) -> Path:
    """Millions of tiny shared strings (all kept while reading)."""

    def write(fh: IO[bytes]) -> None:
        fh.write(f'<sst xmlns="{MAIN_NS}">'.encode())
        for block in repeat(b"<si><t>a</t></si>", room(base)):
            fh.write(block)
        fh.write(b"</sst>")

    return rebuild(base, out, {**add_shared_strings(base), "xl/sharedStrings.xml": write})


def bomb_styles(base: Path, out: Path) -> Path:
    """A style table of millions of cell formats."""
    with zipfile.ZipFile(base) as z:
        head, _, tail = z.read("xl/styles.xml").partition(b"<cellXfs")
    tail = tail.partition(b">")[2]

    def write(fh: IO[bytes]) -> None:
        fh.write(head + b"<cellXfs>")
        for block in repeat(b'<xf numFmtId="14"/>', room(base)):
            fh.write(block)
        fh.write(tail)

    return rebuild(base, out, {"xl/styles.xml": write})


def bomb_formula(base: Path, out: Path) -> Path:
    """A long shared formula copied to every row of Tags, in a column not read: openpyxl would
    tokenise it once per copy when it reads formulas."""
    master = b'<row r="2"><c r="C2"><f t="shared" si="0" ref="C2:C99999">' + b"1+" * 16_000 + b"1</f></c></row>"
    children = (b'<row r="%d"><c r="C%d"><f t="shared" si="0"/></c></row>' % (r, r) for r in range(3, 40_000))
    return rebuild(base, out, {TAGS: sheet_xml(itertools.chain([TAGS_HEAD, master], children))})


def bomb_theme(base: Path, out: Path) -> Path:
    """A theme of 200 MB of comments (openpyxl would keep it whole, as bytes)."""

    def write(fh: IO[bytes]) -> None:
        fh.write(b'<?xml version="1.0"?><a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">')
        for block in repeat(b"<!--" + b"x" * 1000 + b"-->", room(base)):
            fh.write(block)
        fh.write(b"</a:theme>")

    return rebuild(base, out, {"xl/theme/theme1.xml": write})


BOMBS: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "unread sheet": (bomb_unread, "read: 47 levels, 0 evidence, 0 tags, 0 inputs, 0 distributions"),
    "cells": (bomb_cells, "refused: sheet 'Bukti Dukung' has more than 1,000,000 cells (the limit of a sheet)"),
    "rows": (
        bomb_rows,
        "refused: sheet 'Tags': more than 50,000 rows in the sheets read (the limit of a sheet, and of all of them"
        " together)",
    ),
    "one row": (bomb_one_row, "refused: sheet 'Penilaian' has an element (a row, a text, a tag) larger than 1 MiB"),
    "text": (bomb_text, "refused: sheet 'Tags' has an element (a row, a text, a tag) larger than 1 MiB"),
    "tag": (bomb_tag, "refused: sheet 'Tags' has an element (a row, a text, a tag) larger than 1 MiB"),
    "junk": (bomb_junk, "refused: the workbook has more than 3,000,000 XML elements to read"),
    "strings": (bomb_strings, "refused: the workbook has more than 250,000 shared strings"),
    "styles": (bomb_styles, "refused: the styles has more than 65,536 cell formats"),
    "formula": (bomb_formula, "read: 47 levels, 0 evidence, 0 tags, 0 inputs, 0 distributions"),
    "theme": (bomb_theme, "read: 47 levels, 0 evidence, 0 tags, 0 inputs, 0 distributions"),
}


@pytest.fixture(scope="module")
def bombs(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every bomb built, then read, each in its own interpreter (all at once: they are slow one by one)."""
    folder = tmp_path_factory.mktemp("bombs")
    paths = {name: build(base, folder / f"{name.replace(' ', '-')}.xlsx") for name, (build, _) in BOMBS.items()}
    return dict(zip(paths, zip(paths.values(), measure(*paths.values()), strict=True), strict=True))


@pytest.mark.parametrize("name", list(BOMBS))
def test_bombs_are_read_or_refused_in_bounded_memory(bombs: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    p, result = bombs[name]
    assert p.stat().st_size < 2 * MiB  # small to send
    with zipfile.ZipFile(p) as z:
        assert sum(i.file_size for i in z.infolist()) <= excel.MAX_UNZIPPED  # under the unpack cap
    assert result["outcome"] == BOMBS[name][1].replace("refused: ", f"refused: {p}: "), result
    assert result["peak_mb"] < MEMORY_LIMIT_MB, result


def largest(base: Path, out: Path, sheet: str) -> tuple[Path, int]:
    """The largest workbook the reader accepts with its rows in `sheet`, as far as memory goes:
    as many rows as the caps allow, each text a distinct shared string with a character outside the
    BMP (4 bytes a character in Python; extra strings in columns not read), the shared strings and
    the text at their caps. Penilaian's indicators are unknown to any catalogue: `read_xlsx` alone
    does not know the catalogue. Returns the workbook and its rows."""
    n = excel.MAX_SHEET_ROWS - 200  # rows of all the sheets read: the template's other sheets hold ~80
    per_row = (excel.MAX_SHARED_STRINGS - 20) // n
    size = (excel.MAX_TEXT_CHARS - 200_000) // (per_row * n)  # the template's own text: ~20,000
    strings = ["spbe-2020", "Kota", "2024", "enacted_policy", "2024-01-02", "accepted"]
    index = {text: i for i, text in enumerate(strings)}

    def s(ref: str, text: str) -> str:
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{ref}" t="s"><v>{index[text]}</v></c>'

    def long(prefix: str, r: int) -> str:
        text = f"{prefix}\U0001f4c4{r:07d}"
        return text + "·" * (size - len(text))

    def row(r: int, cells: str, distinct: int, first_free: int) -> bytes:
        """A row: its cells, then strings in columns not read, up to `per_row` distinct strings (and
        the cap on cells)."""
        room = excel.MAX_SHEET_CELLS // n - cells.count("<c ")
        extra = "".join(
            s(f"{column(first_free + k)}{r}", long(f"x{k}", r)) for k in range(min(per_row - distinct, room))
        )
        return f'<row r="{r}">{cells}{extra}</row>'.encode()

    def penilaian() -> Iterator[bytes]:
        for r, label, value in [(2, "Katalog", "spbe-2020"), (3, "Instansi", "Kota"), (4, "Periode", "2024")]:
            yield f'<row r="{r}">{inline(f"A{r}", label)}{s(f"B{r}", value)}</row>'.encode()
        yield header(*(h for h, _ in excel.ASSESS_COLUMNS.values()), row=6)
        for r in range(7, n + 7):
            stages = "".join(f'<c r="{column(k)}{r}"><v>{1 + r % 5}</v></c>' for k in range(9, 14))
            cells = f'<c r="A{r}"><v>{r}</v></c><c r="F{r}"><v>{1 + r % 5}</v></c>'
            yield row(r, cells + s(f"G{r}", long("n", r)) + s(f"H{r}", long("s", r)) + stages, 2, 14)

    def evidence() -> Iterator[bytes]:
        yield EVIDENCE_HEAD
        for r in range(2, n + 2):
            cells = (
                f'<c r="A{r}"><v>{1 + r % 47}</v></c>{s(f"B{r}", long("BD", r))}<c r="C{r}"><v>3</v></c>'
                f"{s(f'D{r}', 'enacted_policy')}{s(f'E{r}', '2024-01-02')}{s(f'F{r}', 'accepted')}"
                f"{s(f'G{r}', long('c', r))}"
            )
            yield row(r, cells, 2, 8)

    def tags() -> Iterator[bytes]:
        yield TAGS_HEAD
        for r in range(2, n + 2):
            yield row(r, s(f"A{r}", long("k", r)) + s(f"B{r}", long("v", r)), 2, 3)

    def inputs() -> Iterator[bytes]:
        yield header("Indikator", "Nama", "Nilai")
        for r in range(2, n + 2):
            cells = (
                f'<c r="A{r}"><v>{1 + r % 47}</v></c>{s(f"B{r}", long("i", r))}<c r="C{r}"><v>1234567890.12345</v></c>'
            )
            yield row(r, cells, 1, 4)

    def distributions() -> Iterator[bytes]:
        yield header("Indikator", "Level", "Probabilitas")
        for r in range(2, n + 2):  # one level per indicator, certain: indicators 2, 3, ...
            yield row(r, f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>3</v></c><c r="C{r}"><v>1</v></c>', 0, 4)

    part, rows = {
        "Penilaian": ("xl/worksheets/sheet1.xml", penilaian),
        "Bukti Dukung": (EVIDENCE, evidence),
        "Tags": (TAGS, tags),
        "Input": ("xl/worksheets/sheet4.xml", inputs),
        "Distribusi": ("xl/worksheets/sheet5.xml", distributions),
    }[sheet]
    buf = io.BytesIO()
    sheet_xml(rows())(buf)
    sst = io.BytesIO()
    sst.write(f'<sst xmlns="{MAIN_NS}">'.encode())
    for text in strings:
        sst.write(f"<si><t>{text}</t></si>".encode())
    sst.write(b"</sst>")
    parts = {part: buf.getvalue(), "xl/sharedStrings.xml": sst.getvalue(), **add_shared_strings(base)}
    return rebuild(base, out, parts), n


READ = ["Penilaian", "Bukti Dukung", "Tags", "Input", "Distribusi"]


@pytest.fixture(scope="module")
def largest_read(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any]]]:
    """The largest workbook for each sheet read, each read in its own interpreter (side by side)."""
    folder = tmp_path_factory.mktemp("largest")
    built = {sheet: largest(base, folder / f"{sheet.replace(' ', '-')}.xlsx", sheet) for sheet in READ}
    results = measure(*(p for p, _ in built.values()), raw=True)
    return {sheet: (n, result) for (sheet, (_, n)), result in zip(built.items(), results, strict=True)}


@pytest.mark.parametrize("sheet", READ)
def test_the_largest_accepted_workbook_is_read_in_bounded_memory(
    largest_read: dict[str, tuple[int, dict[str, Any]]], sheet: str
) -> None:
    n, result = largest_read[sheet]
    counts = {"levels": 47, "evidence": 0, "tags": 0, "inputs": 0, "distributions": 0}
    counts[
        {"Penilaian": "levels", "Bukti Dukung": "evidence", "Tags": "tags", "Input": "inputs"}.get(
            sheet, "distributions"
        )
    ] = n
    assert result["outcome"] == "read: " + ", ".join(f"{v} {k}" for k, v in counts.items()), result
    assert result["peak_mb"] < MEMORY_LIMIT_MB, result


def test_values_in_excels_last_column_stay_cheap(tmp_path: Path, base: Path) -> None:
    """Sparse is fine: a value in column XFD costs one cell, not 16,384 (in every row up to the cap)."""
    rows = (
        f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'.encode()
        for r in range(2, 10 * (excel.MAX_SHEET_ROWS - 200), 10)
    )
    p = rebuild(base, tmp_path / "far.xlsx", {TAGS: sheet_xml(itertools.chain([TAGS_HEAD], rows))})
    (result,) = measure(p)
    assert result["outcome"] == "read: 47 levels, 0 evidence, 0 tags, 0 inputs, 0 distributions", result
    assert result["peak_mb"] < MEMORY_LIMIT_MB, result


def test_the_example_report_workbook_still_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    files = [str(EXAMPLE / "2024.yaml"), str(EXAMPLE / "2025.yaml")]
    assert main(["report", *files, "--owners", str(EXAMPLE / "owners.yaml"), "--out", str(out)]) == 0
    capsys.readouterr()
    (a,) = load_assessments(out / "report.xlsx", engine=ENGINE)
    assert a.subject == "Pemerintah Kota Contoh" and a.period == "2025"
    shutil.rmtree(out)


def test_report_workbook_stores_numbers_as_numbers(tmp_path: Path) -> None:
    """Issue 13: indices and weights in the report workbook are numbers people can sort and sum, shown
    with the report's decimals; the exact value sits beside them as text."""
    import subprocess
    import sys

    city = ROOT / "examples" / "kota-contoh"
    out = tmp_path / "rep"
    done = subprocess.run(
        [sys.executable, "-m", "spbe_engine", "report", str(city / "2024.yaml"), str(city / "2025.yaml"),
         "--owners", str(city / "owners.yaml"), "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(out / "report.xlsx")
    summary = wb["Ringkasan"]
    rows = {r[0].value: r for r in summary.iter_rows(max_col=5) if r[0].value}
    assert rows["index"][1].data_type == "n" and rows["index"][1].number_format == "0.00"
    assert rows["index"][1].value == 3.64 and rows["index (exact)"][1].value == "3.635"
    d1 = rows["D1"]
    assert (d1[2].value, d1[2].number_format, d1[3].value, d1[3].number_format) == (13, "0.00", 3, "0.00")
    first = next(wb["Indikator"].iter_rows(min_row=2, max_row=2))
    assert first[3].data_type == "n" and first[4].number_format == "0.0000" and first[5].data_type == "s"

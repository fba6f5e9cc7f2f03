"""Wide tables saved as .xlsx (io.xlsx_table): read as the CSV reader reads the same table, errors
naming file, Excel row and <sheet>.<column> in either language, streamed by iter_assessments past
the row cap of whole reading, and chunked by iter_level_chunks for the CLI's fast path."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Engine
from spbe_engine.errors import AssessmentError
from spbe_engine.i18n import language
from spbe_engine.io.readers import iter_assessments, load_assessments, read_assessments

from .conftest import run_cli_bytes

openpyxl = pytest.importorskip("openpyxl")

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
HEADER = ["subject", "period", "catalogue", *IDS, "tag:provinsi"]


def xlsx(path: Path, rows: list[list[Any]], *, title: str = "Tabel", header: list[Any] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate([HEADER if header is None else header, *rows], 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text as typed, never a formula (openpyxl takes "=x" for one)
    wb.save(path)
    return path


def csv_of(path: Path, rows: list[list[Any]]) -> Path:
    """The same table as a CSV, each cell as Excel shows it (4.0 is "4")."""
    from spbe_engine.io.excel import cell_text

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows([cell_text(c) or "" for c in row] for row in rows)
    return path


def agency(k: int, *, rnd: random.Random, blank: float = 0.0) -> list[Any]:
    """A row as people type it: levels as numbers (Excel's floats), ints, or text; some empty."""
    kinds = (float, int, str)
    levels = [None if rnd.random() < blank else rnd.choice(kinds)(rnd.randint(1, 5)) for _ in IDS]
    return [f"Kabupaten {k}", 2024 if k % 2 else "2023", "spbe-2020", *levels, "Riau" if k % 3 else None]


run = run_cli_bytes


# -- reading -----------------------------------------------------------------------------------


def test_a_wide_table_reads_back(tmp_path: Path) -> None:
    p = xlsx(
        tmp_path / "t.xlsx",
        [
            ["Kota A", 2024, "spbe-2020", 4.0, 3, "2", *([None] * 43), "5", "Riau"],
            [" Kota B ", "2024", "spbe-2020", *([3.0] * 47), None],
        ],
        header=["Subject", "period", "catalogue", *IDS, "tag:provinsi"],  # "Subject": the subject column
    )
    items = read_assessments(p, engine=ENGINE)
    assert [(i.file, i.row) for i in items] == [(str(p), 2), (str(p), 3)]
    a, b = (i.assessment for i in items)
    assert (a.subject, a.period, a.catalogue, a.tags) == ("Kota A", "2024", "spbe-2020", {"provinsi": "Riau"})
    assert a.levels == {"1": 4, "2": 3, "3": 2, "47": 5}  # empty cells: not assessed
    assert (b.subject, b.tags, b.levels) == ("Kota B", {}, dict.fromkeys(IDS, 3))
    assert [i.assessment for i in iter_assessments(p, engine=ENGINE)] == [a, b]
    assert ENGINE.score(b).display == ENGINE.score(load_assessments(p)[1]).display


def test_the_first_visible_sheet_is_the_table(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "t.xlsx", [["Kota A", 2024, "spbe-2020", *([2] * 47), None]])
    wb = openpyxl.load_workbook(p)
    notes = wb.create_sheet("Catatan", 0)
    notes["A1"] = "dibaca oleh program? tidak"
    notes.sheet_state = "hidden"
    wb.create_sheet("Lampiran")["A1"] = "subject"  # a later sheet is not read
    wb.save(p)
    (item,) = read_assessments(p, engine=ENGINE)
    assert item.assessment.levels == dict.fromkeys(IDS, 2) and item.row == 2


def test_a_template_still_reads_as_a_template(tmp_path: Path) -> None:
    from spbe_engine.io.excel import write_assessment

    a = load_assessments(xlsx(tmp_path / "t.xlsx", [["Kota A", 2024, "spbe-2020", *([4] * 47), "Riau"]]))[0]
    p = write_assessment(ENGINE, a, tmp_path / "template.xlsx")
    assert [i.assessment for i in read_assessments(p, engine=ENGINE)] == [a]
    assert [(i.assessment, i.row) for i in iter_assessments(p, engine=ENGINE)] == [(a, None)]


rows_st = st.lists(
    st.tuples(
        st.lists(
            st.one_of(st.none(), st.integers(1, 5), st.sampled_from([1.0, 4.0, "3", " 2 ", "4,0"])),
            min_size=47,
            max_size=47,
        ),
        st.sampled_from(["2024", 2024, 2023.0]),
        st.one_of(st.none(), st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=8)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_st)
def test_the_same_table_reads_the_same_as_csv(tmp_path: Path, rows: list[tuple[list[Any], Any, Any]]) -> None:
    table = [[f"Instansi {k}", period, "spbe-2020", *levels, tag] for k, (levels, period, tag) in enumerate(rows)]
    from_csv = read_assessments(csv_of(tmp_path / "t.csv", table), engine=ENGINE)
    from_xlsx = read_assessments(xlsx(tmp_path / "t.xlsx", table), engine=ENGINE)
    assert [(i.assessment, i.row) for i in from_xlsx] == [(i.assessment, i.row) for i in from_csv]
    assert list(iter_assessments(tmp_path / "t.xlsx", engine=ENGINE)) == from_xlsx


# -- errors ------------------------------------------------------------------------------------

ERRORS = [
    ({"E3": 3.5}, r"row 3: field 'Tabel.2': level '3.5' is not a whole number", r"baris 3: kolom 'Tabel.2': tingkat"),
    (
        {"F4": "=2+1"},
        r"row 4: field 'Tabel.3': cell F4 is a formula \(=2\+1\); type the level itself \(allowed: whole numbers\)",
        r"baris 4: kolom 'Tabel.3': sel F4 berisi rumus \(=2\+1\); ketikkan tingkat secara langsung",
    ),
    (
        {"A3": "=A2"},
        r"row 3: field 'Tabel.subject': cell A3 is a formula \(=A2\); type the value itself",
        r"baris 3: kolom 'Tabel.subject': sel A3 berisi rumus \(=A2\); ketikkan nilai secara langsung",
    ),
    ({"D1": "99"}, r"row 2: field 'Tabel.99': .*99", r"baris 2: kolom 'Tabel.99': "),
    ({"G1": "3"}, r"row 1: field 'Tabel': column '3' appears twice", r"baris 1: kolom 'Tabel': kolom '3' "),
    ({"BA4": "x"}, r"row 4: field 'Tabel': column BA has no name", r"baris 4: kolom 'Tabel': kolom BA tidak bernama"),
    (
        {"A4": "Kota 1", "B4": "2024"},
        r"row 4: field 'Tabel.subject': duplicate assessment of 'Kota 1' for period 2024 "
        r"\(first at row 2\)",
        r"baris 4: kolom 'Tabel.subject': penilaian ganda .* \(pertama kali di baris 2\)",
    ),
    (
        {"E3": 7},
        r"row 3: field 'Tabel.2': level 7 is outside the scale of indicator 2 \(allowed: 1–5\)",
        r"baris 3: kolom 'Tabel.2': ",
    ),
]


@pytest.mark.parametrize(("cells", "english", "indonesian"), ERRORS)
def test_errors_name_file_sheet_row_and_column(
    tmp_path: Path, cells: dict[str, Any], english: str, indonesian: str
) -> None:
    p = xlsx(tmp_path / "t.xlsx", [[f"Kota {k}", 2024, "spbe-2020", *([3] * 47), None] for k in range(1, 6)])
    wb = openpyxl.load_workbook(p)
    for ref, value in cells.items():
        wb["Tabel"][ref] = value
    wb.save(p)
    for lang, pattern in (("en", english), ("id", indonesian)):
        with language(lang):
            for read in (read_assessments, lambda q, **kw: list(iter_assessments(q, **kw))):
                with pytest.raises(AssessmentError) as info:
                    read(p, engine=ENGINE)
                message = str(info.value)
                assert message.startswith(f"{p}: ") and "\n" not in message
                assert re.search(pattern, message), (lang, message)


def test_not_a_table_nor_a_template(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "t.xlsx", [["Kota", 2024]], header=["Nama", "Tahun"])
    with pytest.raises(AssessmentError, match=r"not a spbe_engine workbook .*allowed: .*table"):
        list(iter_assessments(p, engine=ENGINE))
    p = xlsx(tmp_path / "u.xlsx", [], header=["subject", "period", "catalogue", "1"])
    with pytest.raises(AssessmentError, match=r"field 'Tabel': no assessments in the file \(only a header\)"):
        read_assessments(p, engine=ENGINE)


# -- streaming ---------------------------------------------------------------------------------


def test_iter_assessments_streams_past_the_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cap on rows protects whole reading; the stream yields the first row after reading a few
    rows of the sheet, and reads on past the cap, one row at a time."""
    import openpyxl.worksheet._reader as sheet_reader

    from spbe_engine.io import excel

    rnd = random.Random(3)
    p = xlsx(tmp_path / "t.xlsx", [agency(k, rnd=rnd) for k in range(300)])
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 100)
    with pytest.raises(AssessmentError, match="more than 100 rows"):
        read_assessments(p, engine=ENGINE)
    parsed = []
    parse_row = sheet_reader.WorkSheetParser.parse_row

    def counted(self: Any, row: Any) -> Any:
        parsed.append(1)
        return parse_row(self, row)

    monkeypatch.setattr(sheet_reader.WorkSheetParser, "parse_row", counted)
    items = iter_assessments(p, engine=ENGINE)
    first = next(items)
    assert (first.row, first.assessment.subject) == (2, "Kabupaten 0")
    assert len(parsed) <= 3  # the header, this row and at most one ahead: not the sheet's 301 rows
    rest = list(items)
    assert len(rest) == 299 and rest[-1].row == 301 and len(parsed) == 301


def test_a_bad_row_stops_the_stream_after_the_good_ones(tmp_path: Path) -> None:
    rnd = random.Random(4)
    rows = [agency(k, rnd=rnd) for k in range(10)]
    rows[6][5] = 2.5
    p = xlsx(tmp_path / "t.xlsx", rows)
    got = []
    with pytest.raises(AssessmentError, match=r"row 8: field 'Tabel.3': level '2.5' is not a whole number"):
        for item in iter_assessments(p, engine=ENGINE):
            got.append(item.row)
    assert got == [2, 3, 4, 5, 6, 7]


# -- the columnar path and the CLI -------------------------------------------------------------


def test_chunks_of_an_xlsx_table_are_the_csv_chunks(tmp_path: Path) -> None:
    from spbe_engine.io.stream import iter_level_chunks

    rnd = random.Random(5)
    rows = [agency(k, rnd=rnd, blank=0.05) for k in range(250)]
    got = list(iter_level_chunks(xlsx(tmp_path / "t.xlsx", rows), chunk_rows=100))
    want = list(iter_level_chunks(csv_of(tmp_path / "t.csv", rows), chunk_rows=100, arrow=False))
    assert [len(c["subject"]) for c in got] == [100, 100, 50]
    assert got == want


@pytest.mark.parametrize(
    "cells",
    [{"D3": "=1+2"}, {"D3": "4,0"}, {"D3": 3.5}, {"A3": " Kota "}, {"BA3": 1}, {"A3": None}],
)
def test_the_chunks_refuse_what_needs_the_exact_reader(tmp_path: Path, cells: dict[str, Any]) -> None:
    from spbe_engine.io.stream import StreamRefused, iter_level_chunks

    p = xlsx(tmp_path / "t.xlsx", [[f"Kota {k}", 2024, "spbe-2020", *([3] * 47), None] for k in range(3)])
    wb = openpyxl.load_workbook(p)
    for ref, value in cells.items():
        wb["Tabel"][ref] = value
    wb.save(p)
    with pytest.raises(StreamRefused):
        list(iter_level_chunks(p))


def test_the_chunks_refuse_a_template(tmp_path: Path) -> None:
    from spbe_engine.io.excel import write_template
    from spbe_engine.io.stream import StreamRefused, iter_level_chunks

    with pytest.raises(StreamRefused):
        list(iter_level_chunks(write_template(ENGINE, "spbe-2020", tmp_path / "t.xlsx")))


@pytest.mark.parametrize("args", [[], ["--missing", "minimum"], ["--lang", "id", "--excel-id"]])
def test_spbe_score_of_the_xlsx_is_the_csv_byte_for_byte(tmp_path: Path, args: list[str]) -> None:
    pytest.importorskip("numpy")
    from spbe_engine.cli.stream import score_csv

    rnd = random.Random(6)
    missing = "minimum" if "--missing" in args else None
    rows = [agency(k, rnd=rnd, blank=0.03 if missing else 0.0) for k in range(400)]
    table, book = csv_of(tmp_path / "t.csv", rows), xlsx(tmp_path / "t.xlsx", rows)
    from_csv = run("score", str(table), "-f", "csv", *args)
    from_xlsx = run("score", str(book), "-f", "csv", *args)
    assert from_csv[0] == 0 and from_csv[1].count(b"\n") == 401
    assert from_xlsx == from_csv
    if "--lang" not in args:  # the CLI's streaming path takes the .xlsx and writes the same bytes
        sink = io.BytesIO()
        assert score_csv(ENGINE, str(book), weighting=None, missing=missing, out=sink)
        assert sink.getvalue() == from_csv[1]


def test_spbe_score_streams_an_xlsx_table_past_the_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`spbe score big.xlsx -f csv` takes the streaming path: the whole-workbook reader's row cap
    does not apply, and the output is the CSV table's."""
    pytest.importorskip("numpy")
    from spbe_engine.io import excel

    rnd = random.Random(8)
    rows = [agency(k, rnd=rnd) for k in range(150)]
    table, book = csv_of(tmp_path / "t.csv", rows), xlsx(tmp_path / "t.xlsx", rows)
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 100)
    refused = run("score", str(book))  # the table output needs every result: the whole reader, capped
    assert refused[0] == 2 and "more than 100 rows" in refused[2] and "spbe score FILE -f csv" in refused[2]
    assert "field" not in refused[2]  # the sheet is named once, in the message
    streamed = run("score", str(book), "-f", "csv")
    assert streamed[0] == 0 and streamed == run("score", str(table), "-f", "csv")


def test_spbe_validate_lists_every_problem_of_a_table(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "t.xlsx", [[f"Kota {k}", 2024, "spbe-2020", *([3.0] * 47)] for k in range(6)])
    wb = openpyxl.load_workbook(p)
    for ref, value in {"D3": 3.5, "E4": "=1+1", "F5": 9, "A7": "Kota 0", "BA6": "x"}.items():
        wb["Tabel"][ref] = value
    wb.save(p)
    code, out, err = run("validate", str(p))
    assert code == 2 and b"5 problem(s) in 3 assessment(s) read" in out, (out, err)
    lines = err.splitlines()
    assert [line.split(": ")[3:5] for line in lines] == [
        ["row 3", "field 'Tabel.1'"],
        ["row 4", "field 'Tabel.2'"],
        ["row 5", "field 'Tabel.3'"],
        ["row 6", "field 'Tabel'"],
        ["row 7", "field 'Tabel.subject'"],
    ]
    assert "cell E4 is a formula" in lines[1] and "column BA has no name" in lines[3]


def test_the_stream_keeps_caps_scaled_to_excels_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming lifts the row cap of whole reading, not every bound: a sheet longer than Excel's
    1,048,576 rows, or parts unpacking to over 100 times the file (a zip bomb), are refused."""
    import zipfile

    from spbe_engine.io import excel

    rnd = random.Random(7)
    p = xlsx(tmp_path / "t.xlsx", [agency(k, rnd=rnd) for k in range(300)])
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 10)
    monkeypatch.setattr(excel, "STREAM_SHEET_ROWS", 100)
    with pytest.raises(AssessmentError, match="more than 100 rows"):
        list(iter_assessments(p, validate=False))
    monkeypatch.setattr(excel, "STREAM_SHEET_ROWS", 1_048_576)
    monkeypatch.setattr(excel, "MAX_UNZIPPED", 1024)  # the 200 MiB floor, lowered to see the ratio
    assert len(list(iter_assessments(p, validate=False))) == 300
    with zipfile.ZipFile(p, "a") as z:
        z.writestr("xl/padding.bin", b"\0" * (8 << 20), compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(AssessmentError, match=r"t.xlsx: workbook larger than \d+ MiB unpacked"):
        list(iter_assessments(p, validate=False))

"""CSV as Indonesian spreadsheets write it: decimal-comma levels, a `sep=` first line, and files
saved in Windows-1252/Latin-1 refused with the row, the column, the byte and how to save as UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_engine import Engine, load_assessments
from spbe_engine.cli.main import main
from spbe_engine.errors import AssessmentError
from spbe_engine.io.readers import read_assessments

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
EXCEL_HINT = 'in Excel save it with Save As → "CSV UTF-8 (Comma delimited)" (allowed: UTF-8 text)'


def table(sep: str = ";", level: str = "3", subject: str = "Dinas Pendidikan – Kota", nl: str = "\r\n") -> str:
    """Two agencies, the second (row 3) named `subject`; every level of the first is `level`."""
    header = ["subject", "period", "catalogue", "tag:provinsi", *IDS]
    rows = [
        ["Kota Contoh", "2024", "spbe-2020", "Riau", *([level] * len(IDS))],
        [subject, "2024", "spbe-2020", "Jambi", *(["3"] * len(IDS))],
    ]
    return nl.join(sep.join(r) for r in [header, *rows]) + nl


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


# -- encodings -----------------------------------------------------------------------------------


def test_cp1252_csv_names_row_column_byte_and_the_fix(tmp_path: Path) -> None:
    p = write(tmp_path / "opd.csv", table().encode("cp1252"))  # "–" is the byte 0x96 in Windows-1252
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == (
        f"{p}: row 3: field 'subject': not UTF-8 text: byte 0x96 ('–' in Windows-1252); {EXCEL_HINT}"
    )
    assert (info.value.row, info.value.field) == (3, "subject")


def test_latin1_byte_in_a_level_column(tmp_path: Path) -> None:
    text = table(sep=",", subject="Kab. Pidie", nl="\n").replace("Jambi,3,3", "Jambi,3,é", 1)
    p = write(tmp_path / "latin.csv", text.encode("latin-1"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == (
        f"{p}: row 3: field '2': not UTF-8 text: byte 0xE9 ('é' in Windows-1252/Latin-1); {EXCEL_HINT}"
    )


def test_undecodable_header_and_row_after_a_sep_line(tmp_path: Path) -> None:
    text = "sep=;\n" + table(subject="Kota", nl="\n").replace("tag:provinsi", "tag:wilayah_é", 1)
    p = write(tmp_path / "head.csv", text.encode("cp1252"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == (
        f"{p}: row 2: not UTF-8 text: byte 0xE9 ('é' in Windows-1252/Latin-1) in the header, column 4; {EXCEL_HINT}"
    )


def test_undecodable_yaml_names_line_and_character(tmp_path: Path) -> None:
    p = write(tmp_path / "a.yaml", "catalogue: spbe-2020\nsubject: Kab. Pidië\nperiod: '2024'\n".encode("latin-1"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == (
        f"{p}: not UTF-8 text: byte 0xEB at line 2, character 19 ('ë' in Windows-1252/Latin-1); "
        "save it as UTF-8 (allowed: UTF-8 text)"
    )


def test_a_byte_no_single_byte_encoding_explains_is_still_located(tmp_path: Path) -> None:
    p = write(tmp_path / "odd.csv", table(sep=",", subject="Kota", nl="\n").encode().replace(b"Kota,", b"Ko\x81ta,"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == f"{p}: row 3: field 'subject': not UTF-8 text: byte 0x81; {EXCEL_HINT}"


# -- sep= line -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_a_leading_sep_line_sets_the_separator_and_is_skipped(tmp_path: Path, sep: str) -> None:
    p = write(tmp_path / "sep.csv", "\ufeff" + f"sep={sep}\r\n" + table(sep=sep, subject="Kota B"))
    items = read_assessments(p, engine=ENGINE)
    assert [(i.assessment.subject, i.row) for i in items] == [("Kota Contoh", 3), ("Kota B", 4)]
    assert items[0].assessment.tags == {"provinsi": "Riau"} and items[0].assessment.levels["47"] == 3


def test_rows_after_a_sep_line_are_the_files_own_lines(tmp_path: Path) -> None:
    p = write(tmp_path / "sep.csv", "sep=;\n" + table(subject="Kota B", nl="\n").replace("Jambi;3;3", "Jambi;3;9", 1))
    with pytest.raises(AssessmentError, match=r"sep.csv: row 4: field 'levels.2': level 9 is outside"):
        load_assessments(p, engine=ENGINE)
    p = write(tmp_path / "dup.csv", "sep=;\n" + table(subject="Kota B", nl="\n").replace(";1;2;", ";1;1;", 1))
    with pytest.raises(AssessmentError, match=r"dup.csv: row 2: column '1' appears twice"):
        load_assessments(p, engine=ENGINE)


def test_an_unsupported_sep_line_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path / "pipe.csv", "sep=|\n" + table(sep="|", nl="\n"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == f"{p}: row 1: unsupported separator '|' in the sep= line (allowed: sep=, sep=; sep=<tab>)"


# -- decimal-comma levels --------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["4,0", "4,00", "4.0", "4"])
def test_integral_decimal_comma_levels_are_whole_numbers(tmp_path: Path, level: str) -> None:
    p = write(tmp_path / "id.csv", table(level=level, subject="Kota B"))
    (a, _) = load_assessments(p, engine=ENGINE)
    assert set(a.levels.values()) == {4} and all(type(v) is int for v in a.levels.values())


@pytest.mark.parametrize("level", ["4,5", "4,", ",0", "4,0,0", "٤,٠", "4,٠", "4_0,0"])
def test_other_decimal_commas_are_refused_naming_the_cell(tmp_path: Path, level: str) -> None:
    p = write(tmp_path / "id.csv", table(level=level, subject="Kota B"))
    with pytest.raises(AssessmentError) as info:
        load_assessments(p, engine=ENGINE)
    assert str(info.value) == (
        f"{p}: row 2: field '1': level {level!r} is not a whole number "
        "(allowed: whole numbers written with the digits 0-9)"
    )


# -- through the CLI -------------------------------------------------------------------------------


def test_cli_cp1252_is_exit_2_and_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path / "opd.csv", table().encode("cp1252"))
    code = main(["score", str(p)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "row 3" in err and "'subject'" in err and "0x96" in err and "CSV UTF-8 (Comma delimited)" in err


def test_cli_reads_sep_line_and_decimal_comma(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path / "id.csv", "sep=;\r\n" + table(level="4,0", subject="Kota B"))
    code = main(["score", str(p), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and '"subject": "Kota Contoh"' in out and '"display": "4.00"' in out
    p = write(tmp_path / "bad.csv", "sep=;\r\n" + table(level="4,5", subject="Kota B"))
    code = main(["score", str(p)])
    out, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "row 3" in err and "'4,5'" in err


def test_xlsx_text_levels_take_a_decimal_comma(tmp_path: Path) -> None:
    """A level typed as text "4,0" in the Excel template (Indonesian locale) is level 4; "4,5" is not a level."""
    import openpyxl

    from spbe_engine import Engine, load_assessments
    from spbe_engine.io.excel import write_template

    engine = Engine(load_entry_points=False)
    template = write_template(engine, "spbe-2020", tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(template)
    ws = wb["Penilaian"]
    level_col = next(c.column for c in ws[6] if c.value == "Level")
    ws["B3"], ws["B4"] = "Pemerintah Kota Contoh", "2024"
    for r in range(7, 7 + 47):
        ws.cell(row=r, column=level_col, value="3")
    ws.cell(row=7, column=level_col, value="4,0")
    wb.save(tmp_path / "filled.xlsx")
    (a,) = load_assessments(tmp_path / "filled.xlsx", engine=engine)
    assert a.levels["1"] == 4
    ws.cell(row=7, column=level_col, value="4,5")
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(Exception, match="not a whole number"):
        load_assessments(tmp_path / "bad.xlsx", engine=engine)


def test_not_utf8_in_indonesian_whole_or_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal of a Windows-1252 file reads as Indonesian throughout (the byte's guess, where it
    is, how to save in Excel), read whole or, over the size cap, block by block with the same guess."""
    from spbe_engine.i18n import language
    from spbe_engine.io import readers

    p = write(tmp_path / "opd.csv", table().encode("cp1252"))  # "–" is the byte 0x96 in Windows-1252
    with language("id"), pytest.raises(AssessmentError) as whole:
        read_assessments(p, engine=ENGINE)
    assert whole.value.message == (
        "bukan teks UTF-8: byte 0x96 ('–' dalam Windows-1252); di Excel simpan dengan Simpan Sebagai (Save As) → "
        '"CSV UTF-8 (Comma delimited)"'
    )
    monkeypatch.setattr(readers, "MAX_BYTES", 10)
    with language("id"), pytest.raises(AssessmentError) as streamed:
        list(readers.iter_assessments(p, engine=ENGINE))
    assert streamed.value.message == (
        "bukan teks UTF-8: byte 0x96 pada baris 3, karakter 18 ('–' dalam Windows-1252); di Excel simpan dengan "
        'Simpan Sebagai (Save As) → "CSV UTF-8 (Comma delimited)"'
    )

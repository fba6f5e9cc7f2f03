"""`spbe score FILE -f csv` on a file too large to read whole that the columnar path does not take
(a level written 4.0, several catalogues, no numpy): it is read row by row in bounded memory and
writes the bytes the whole-file path writes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine
from spbe_engine.io import readers

from .conftest import run_cli_bytes

ENGINE = Engine(load_entry_points=False)
IDS_2020 = [str(i) for i in range(1, 48)]
IDS_PEMDI = list(Engine().compiled("pemdi-2026").ids)  # groups P1-P9: the header grows mid-file


def table(path: Path, n: int, *, seed: int = 1, mixed: bool = False, odd: str = "4.0") -> Path:
    """A wide table of spbe-2020 rows (and Pemdi 2026 rows after the first third when `mixed`), one
    level written `odd`, so the columnar path declines it."""
    rnd = random.Random(seed)
    ids = IDS_2020
    lines = ["subject,period,catalogue," + ",".join(ids) + ",tag:provinsi"]
    for k in range(n):
        old = mixed and k > n // 3 and k % 2
        cells = {i: str(rnd.randint(1, 5)) for i in (IDS_PEMDI if old else IDS_2020)}
        if k == 1:
            cells["5"] = odd
        row = [f"=Kab {k}" if k == 2 else f"Kab {k}", "2026" if old else "2024", "pemdi-2026" if old else "spbe-2020"]
        lines.append(",".join(row + [cells.get(i, "") for i in ids] + ["Riau" if k % 3 else ""]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def workbook_of(table: Path, path: Path, openpyxl: Any) -> Path:
    """The CSV table saved as a workbook, every text typed as text ("=Kab 2" is the CSV's text, not a formula)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in table.read_text(encoding="utf-8").splitlines():
        ws.append([None if c == "" else c for c in line.split(",")])
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"
    wb.save(path)
    return path


@pytest.mark.parametrize("mixed", [False, True])
@pytest.mark.parametrize("options", [[], ["--excel-id"], ["--missing", "minimum"]])
def test_too_large_to_read_whole_is_scored_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mixed: bool, options: list[str]
) -> None:
    p = table(tmp_path / "t.csv", 120, mixed=mixed)
    whole = run_cli_bytes("score", str(p), "-f", "csv", *options)
    assert whole[0] == 0 and whole[1].count(b"\n") == 121
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)  # the file is now too large to read whole
    assert run_cli_bytes("score", str(p), "-f", "json")[0] == 2  # what needs every result still refuses
    assert run_cli_bytes("score", str(p), "-f", "csv", *options) == whole
    out = tmp_path / "out.csv"
    code, stdout, err = run_cli_bytes("score", str(p), "-f", "csv", *options, "-o", str(out))
    assert (code, stdout) == (0, b"") and out.read_bytes() == whole[1] and "written to" in err
    assert run_cli_bytes("score", str(p), "-f", "csv", *options, "-o", str(out))[0] == 2  # no --force


def test_a_bad_row_is_named_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = table(tmp_path / "t.csv", 50)
    with p.open("a", encoding="utf-8") as fh:
        fh.write("Kab X,2024,spbe-2020," + ",".join(["3"] * 46) + ",9,\n")  # level 9 on line 52
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    out = tmp_path / "out.csv"
    code, stdout, err = run_cli_bytes("score", str(p), "-f", "csv", "-o", str(out))
    assert code == 2 and stdout == b"" and not out.exists()
    assert "t.csv: row 52: field 'levels.47': level 9 is outside the scale of indicator 47" in err


def test_the_row_path_without_numpy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The core without the `fast` extra: the columnar path is not there, a large file still scores."""
    import builtins

    p = table(tmp_path / "t.csv", 60, odd="4")
    whole = run_cli_bytes("score", str(p), "-f", "csv")
    real_import = builtins.__import__

    def no_numpy(name: str, *args: object, **kwargs: object) -> object:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    assert run_cli_bytes("score", str(p), "-f", "csv") == whole


@pytest.mark.parametrize(("cap", "value"), [("MAX_SHEET_ROWS", 100), ("MAX_SHEET_CELLS", 5000)])
def test_an_xlsx_table_over_the_whole_read_caps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: str, value: int
) -> None:
    """A wide table saved as .xlsx, past the workbook's whole-read row cap, with a cell the columnar
    path does not take (the text "4.0"): read row by row, the CSV table's bytes."""
    openpyxl = pytest.importorskip("openpyxl")
    from spbe_engine.io import excel

    p = table(tmp_path / "t.csv", 150)
    workbook_of(p, tmp_path / "t.xlsx", openpyxl)
    want = run_cli_bytes("score", str(p), "-f", "csv")
    monkeypatch.setattr(excel, cap, value)
    code, _, err = run_cli_bytes("score", str(tmp_path / "t.xlsx"))  # the table output reads it whole: refused
    assert code == 2 and "read row by row by iter_assessments and by `spbe score FILE -f csv`" in err
    assert run_cli_bytes("score", str(tmp_path / "t.xlsx"), "-f", "csv") == want


def test_a_carriage_return_in_a_subject_stays_in_its_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's CSV writer does not quote a lone \\r, which ends the row in every reader: user text
    is written with \\n line breaks (quoted), the same bytes by every path, one record per assessment."""
    import csv
    import io

    p = tmp_path / "t.csv"
    p.write_bytes(b"subject,period,catalogue," + ",".join(IDS_2020).encode() + b"\n"
                  + b'"Kab\rA",2024,spbe-2020,' + b",".join([b"3"] * 47) + b"\n"
                  + b'"Kab\r\nB",2024,spbe-2020,' + b",".join([b"4"] * 46) + b",4.0\n")  # fmt: skip
    whole = run_cli_bytes("score", str(p), "-f", "csv")
    rows = list(csv.reader(io.StringIO(whole[1].decode("utf-8"), newline="")))
    assert whole[0] == 0 and [r[0] for r in rows[1:]] == ["Kab\nA", "Kab\nB"]
    monkeypatch.setattr(readers, "MAX_BYTES", 100)
    assert run_cli_bytes("score", str(p), "-f", "csv") == whole


def test_an_xlsx_table_over_the_whole_read_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook larger on disk than whole reading takes goes row by row too (it said only "file
    larger than 20 MiB" before), and the refusal of the whole read says how to stream it."""
    openpyxl = pytest.importorskip("openpyxl")
    from spbe_engine.io import excel

    p = table(tmp_path / "t.csv", 40)
    workbook_of(p, tmp_path / "t.xlsx", openpyxl)
    want = run_cli_bytes("score", str(p), "-f", "csv")
    monkeypatch.setattr(excel, "MAX_BYTES", 1000)
    code, _, err = run_cli_bytes("score", str(tmp_path / "t.xlsx"))
    assert code == 2 and "file larger than 0 MiB" in err and "spbe score FILE -f csv" in err
    assert run_cli_bytes("score", str(tmp_path / "t.xlsx"), "-f", "csv") == want


def test_validate_a_file_too_large_to_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`spbe validate` reads a CSV over the whole-read cap row by row: the same problems, counts and
    OK line as for a file it reads whole (it said only "file larger than 20 MiB" before)."""
    good = table(tmp_path / "good.csv", 60, odd="4")
    bad = table(tmp_path / "bad.csv", 60, odd="x")  # row 3: a level that is not a whole number
    with bad.open("a", encoding="utf-8") as fh:
        fh.write("Kab 0,2024,spbe-2020," + ",".join(["3"] * 47) + ",\n")  # a duplicate of row 2, on line 62
        fh.write("Kab Z,2024,spbe-2020," + ",".join(["3"] * 46) + ",9,\n")  # level 9, line 63
    want = [run_cli_bytes("validate", str(p)) for p in (good, bad)]
    assert want[0][0] == 0 and "OK, 60 assessment(s)" in want[0][1].decode()
    assert want[1][0] == 2 and want[1][2].count("error") == 3
    from spbe_engine.errors import AssessmentError

    whole_text = readers.read_text

    def capped(path: Path, **kw: Any) -> str:  # the whole-text reader's own cap, at 1000 bytes
        if Path(path).stat().st_size > 1000:
            raise AssessmentError("file larger than the cap", file=str(path))
        return str(whole_text(path, **kw))

    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    monkeypatch.setattr(readers, "read_text", capped)
    assert [run_cli_bytes("validate", str(p)) for p in (good, bad)] == want


@pytest.mark.parametrize(
    "filters",
    [["--where", "provinsi=riau"], ["--subject", "kab 1"], ["--subject", "Kab 7", "--where", "provinsi=Riau"]],
)
def test_subject_and_where_on_a_file_too_large_to_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filters: list[str]
) -> None:
    """`--subject`/`--where` pick agencies of a national file too large to read whole: the row path
    scores only those, the whole path's bytes; none picked is the same flag error."""
    p = table(tmp_path / "t.csv", 90, mixed=True)
    want = run_cli_bytes("score", str(p), "-f", "csv", *filters)
    none = run_cli_bytes("score", str(p), "-f", "csv", "--where", "provinsi=Aceh")
    assert want[0] == 0 and 2 < want[1].count(b"\n") < 90 and none[0] == 2 and "no assessment matches" in none[2]
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    assert run_cli_bytes("score", str(p), "-f", "csv", *filters) == want
    assert run_cli_bytes("score", str(p), "-f", "csv", "--where", "provinsi=Aceh") == none

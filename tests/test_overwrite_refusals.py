"""A refused overwrite, in one wording per kind of target and in the reader's language: the command
line names --force for a file, a folder (`spbe report`) or a workbook (`spbe workbooks`); a library
caller reads the library's refusal in the current language. The command line knows a refusal by its
kind (`io.atomic.OverwriteRefused`), never by reading English words in a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_engine.cli.common import use_force
from spbe_engine.errors import SpbeError
from spbe_engine.i18n import language
from spbe_engine.io.atomic import OverwriteRefused, write_atomic

from .conftest import ROOT, run_cli

CITY = ROOT / "examples" / "kota-contoh"

#: (language flag, the error label, the refusal of a file, of a folder, of a workbook)
WORDING = {
    "en": (
        "error",
        "refusing to overwrite an existing file (use --force)",
        "refusing to overwrite an existing folder (use --force)",
        "refusing to overwrite an existing workbook (use --force)",
    ),
    "id": (
        "kesalahan",
        "berkas yang sudah ada tidak ditimpa (gunakan --force)",
        "folder yang sudah ada tidak ditimpa (gunakan --force)",
        "buku kerja yang sudah ada tidak ditimpa (gunakan --force)",
    ),
}


pytestmark = pytest.mark.usefixtures("no_locale")


run = run_cli


@pytest.mark.parametrize("lang", ["en", "id"])
def test_out_over_an_existing_file(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scores.csv"
    out.write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "score", str(CITY / "2025.yaml"), "-f", "csv", "-o", str(out), "-l", lang)
    label, file, _, _ = WORDING[lang]
    assert (code, err) == (2, f"spbe: {label}: {out}: {file}\n")
    assert out.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_report_over_an_existing_report(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "laporan"
    argv = ["report", str(CITY / "2025.yaml"), "--owners", str(CITY / "owners.yaml"), "-o", str(out), "-l", lang]
    assert run(capsys, *argv)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = run(capsys, *argv)
    label, _, folder, _ = WORDING[lang]
    assert (code, err) == (2, f"spbe: {label}: {out}: {folder}\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("lang", ["en", "id"])
def test_workbooks_over_existing_workbooks(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl", reason="unit workbooks need the `excel` extra")
    out = tmp_path / "keluar"
    argv = ["workbooks", str(CITY / "2025.yaml"), "--owners", str(CITY / "owners.yaml"), "--unit", "bappeda"]
    assert run(capsys, *argv, "-o", str(out), "-l", lang)[0] == 0
    before = (out / "bappeda.xlsx").read_bytes()
    code, _, err = run(capsys, *argv, "-o", str(out), "-l", lang)
    label, _, _, workbook = WORDING[lang]
    assert (code, err) == (2, f"spbe: {label}: {out / 'bappeda.xlsx'}: {workbook}\n")
    assert (out / "bappeda.xlsx").read_bytes() == before


def test_library_refusal_speaks_the_current_language(tmp_path: Path) -> None:
    """`io.atomic` refuses in the caller's language, as every other library error does."""
    target = tmp_path / "x.txt"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(OverwriteRefused) as refused, language("id"):
        write_atomic(target, b"new", overwrite=False)
    assert refused.value.message == "berkas yang sudah ada tidak ditimpa (berikan overwrite=True)"
    assert (refused.value.file, refused.value.what) == (str(target), "file")
    with pytest.raises(OverwriteRefused, match=r"refusing to overwrite an existing file \(pass overwrite=True\)"):
        write_atomic(target, b"new", overwrite=False)
    assert target.read_text(encoding="utf-8") == "mine"


def test_a_refused_folder_stays_a_folder_under_use_force(tmp_path: Path) -> None:
    """The command line's wording keeps what was refused: a report folder is not called a file."""
    from spbe_engine import Engine
    from spbe_engine.io.readers import read_assessments
    from spbe_engine.reports.write import write_report

    engine = Engine()
    (item,) = read_assessments(CITY / "2025.yaml", engine=engine)
    write_report(engine, [item.assessment], owners=CITY / "owners.yaml", out_dir=tmp_path / "r")
    for lang in ("en", "id"):
        with pytest.raises(SpbeError) as refused, language(lang), use_force():
            write_report(engine, [item.assessment], owners=CITY / "owners.yaml", out_dir=tmp_path / "r")
        assert refused.value.message == WORDING[lang][2]


def test_use_force_reads_no_words_of_other_errors() -> None:
    """An error that merely quotes the words of a refusal (user text in it) passes through unchanged."""
    quoted = SpbeError("unknown unit 'refusing to overwrite an existing'", field="units")
    with pytest.raises(SpbeError) as raised, use_force():
        raise quoted
    assert raised.value is quoted


@pytest.mark.parametrize("lang", ["en", "id"])
def test_template_over_an_existing_workbook(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl", reason="templates need the `excel` extra")
    out = tmp_path / "penilaian.xlsx"
    out.write_bytes(b"mine")
    code, _, err = run(capsys, "template", "spbe-2020", str(out), "-l", lang)
    label, file, _, _ = WORDING[lang]
    assert (code, err) == (2, f"spbe: {label}: {out}: {file}\n")
    assert out.read_bytes() == b"mine"


def test_every_library_refusal_is_an_overwrite_refused(tmp_path: Path) -> None:
    """A caller catches `OverwriteRefused` whatever refused: the template writer, the snapshot writer
    (also a `SnapshotError`), as `io.atomic` itself."""
    pytest.importorskip("openpyxl", reason="templates need the `excel` extra")
    from spbe_engine import Engine
    from spbe_engine.io.excel import write_template
    from spbe_engine.io.readers import load_assessments
    from spbe_engine.monev.snapshot import SnapshotError, collect, write_snapshot

    engine = Engine()
    taken = tmp_path / "t.xlsx"
    taken.write_bytes(b"mine")
    with pytest.raises(OverwriteRefused):
        write_template(engine, "spbe-2020", taken)
    (base,) = load_assessments(CITY / "2025.yaml", engine=engine)
    from spbe_engine.accountability.ownership import load_ownership
    from spbe_engine.monev.workbooks import write_workbooks

    out = tmp_path / "kembali"
    owners = load_ownership(
        CITY / "owners.yaml", catalogue=base.catalogue, indicator_ids=list(engine.compiled(base.catalogue).ids)
    )
    write_workbooks(engine, base, owners, out, units=["bappeda"])  # returned as sent: nothing changed
    snap = collect([out], owners=CITY / "owners.yaml", base=base, engine=engine, meeting="m")
    (tmp_path / "s.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(SnapshotError) as refused:
        write_snapshot(snap, tmp_path / "s.yaml")
    assert isinstance(refused.value, OverwriteRefused) and refused.value.what == "file"
    assert (tmp_path / "s.yaml").read_text(encoding="utf-8") == "mine" and taken.read_bytes() == b"mine"

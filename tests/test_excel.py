"""Excel workbooks: a template people fill in, read back exactly; errors name file, sheet, row and field."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, Engine, SpbeError, load_assessments
from spbe_engine.cli.main import main
from spbe_engine.io.readers import read_assessments
from spbe_engine.model.assessment import STAGES
from spbe_engine.model.rules import Evidence

openpyxl = pytest.importorskip("openpyxl", reason="Excel support needs the `excel` extra")

from spbe_engine.io.excel import read_xlsx, write_assessment, write_template  # noqa: E402

ENGINE = Engine(load_entry_points=False)
CATALOGUES = ENGINE.catalogue_ids()
HEAD = 6  # the table header row of "Penilaian"; indicator 1 is on row 7
COL = {"id": 1, "level": 6, "note": 7, "service": 8, **{s: 9 + n for n, s in enumerate(STAGES)}}


def template(tmp_path: Path, name: str = "t.xlsx", catalogue: str = "spbe-2020") -> Path:
    return write_template(ENGINE, catalogue, tmp_path / name)


def put(ws: Any, row: int, *values: Any) -> None:
    for col, value in enumerate(values, 1):
        ws.cell(row=row, column=col, value=value)


def fill(path: Path, out: Path, **cells: Any) -> Path:
    """Fill a template as a person would in Excel: header, levels, a note, a stage, evidence, tags."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Penilaian"]
    ws["B3"] = "Pemerintah Kota Contoh"
    ws["B4"] = 2024  # typed as a number
    for row in range(HEAD + 1, HEAD + 48):
        ws.cell(row=row, column=COL["level"], value=3)
    ws.cell(row=HEAD + 2, column=COL["level"], value=4.0)  # Excel numbers are floats
    ws.cell(row=HEAD + 47, column=COL["level"]).value = None  # 47 not assessed yet
    ws.cell(row=HEAD + 1, column=COL["note"], value="Perwal 12/2023 sudah diundangkan")
    ws.cell(row=HEAD + 45, column=COL["service"], value="Layanan Perizinan Terpadu")
    ws.cell(row=HEAD + 1, column=COL["self_assessment"], value=4)
    ws.cell(row=HEAD + 1, column=COL["final"], value=3)
    put(wb["Bukti Dukung"], 2, 1, "BD-01", 3, "enacted_policy", dt.datetime(2023, 5, 2), "accepted", "Perwal 12/2023")
    put(wb["Bukti Dukung"], 3, "2", "BD-02", 2, "draft_policy", "2024-01-15", None, None)
    put(wb["Tags"], 2, "provinsi", "Riau")
    put(wb["Tags"], 3, "unit", None)
    put(wb["Distribusi"], 2, "3", 2, 0.25)  # typed as numbers
    put(wb["Distribusi"], 3, "3", 3, "0.75")
    put(wb["Input"], 2, "5", "jumlah", "12.50")
    for ref, value in cells.items():
        sheet, _, cell = ref.partition("__")
        wb[sheet.replace("Bukti_Dukung", "Bukti Dukung")][cell] = value
    wb.save(out)
    return out


# -- the template ------------------------------------------------------------------------------


def test_template_has_a_row_and_validations_per_indicator(tmp_path: Path) -> None:
    p = template(tmp_path)
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["Penilaian", "Bukti Dukung", "Tags", "Input", "Distribusi", "Petunjuk", "spbe_meta"]
    assert wb["spbe_meta"].sheet_state == "hidden"
    assert all(not ws.protection.sheet for ws in wb.worksheets)
    ws = wb["Penilaian"]
    assert ws["A2"].value == "Katalog" and ws["B2"].value == "spbe-2020" and ws["B3"].value is None
    assert ws.freeze_panes == "D7"
    ids = [ws.cell(row=r, column=1).value for r in range(HEAD + 1, ws.max_row + 1)]
    assert ids == list(range(1, 48))  # numbers, so that ids typed on the item sheets match their list validation
    assert ws.cell(row=HEAD + 1, column=2).value == "D1 / A1"
    assert ws.cell(row=HEAD + 1, column=4).value == "1.30"
    assert ws.cell(row=HEAD + 1, column=5).value.startswith("1–5: 1 Rintisan")
    assert ws.cell(row=HEAD, column=1).font.b
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert all((dv.formula1, dv.formula2, dv.showInputMessage) == ("1", "5", True) for dv in whole)
    covered = {c for dv in whole for c in dv.sqref}
    letters = "FIJKLM"  # level and the five stages
    for row in range(HEAD + 1, HEAD + 48):
        for letter in letters:
            assert any(f"{letter}{row}" in r for r in covered), f"{letter}{row}"
    assert "Kosongkan bila belum dinilai" in whole[0].prompt
    ev = wb["Bukti Dukung"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ev.data_validations.dataValidation}
    assert lists["F2"] == '"pending,accepted,rejected,needs_revision"'
    assert lists["D2"] == "spbe_jenis_bukti" and lists["A2"] == "spbe_indikator"
    assert wb.defined_names["spbe_jenis_bukti"].attr_text == "spbe_meta!$D$2:$D$20"
    assert wb.defined_names["spbe_indikator"].attr_text == "Penilaian!$A$7:$A$53"
    meta = wb["spbe_meta"]
    kinds = [meta.cell(row=r, column=4).value for r in range(2, meta.max_row + 1)]
    assert "enacted_policy" in kinds and len(kinds) == len(ENGINE.catalogue("spbe-2020").evidence.kinds)
    assert "Petunjuk (Bahasa Indonesia)" in [c.value for c in wb["Petunjuk"]["A"]]


def test_template_does_not_ask_for_a_dot(tmp_path: Path) -> None:
    """Issue 13: the instructions no longer tell people to type a dot as decimal separator; a number
    typed the Indonesian way (0,25 in Excel: a number cell) in the Distribusi sheet is read exactly."""
    p = template(tmp_path)
    wb = openpyxl.load_workbook(p)
    help_text = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    assert "titik" not in help_text and "a dot" not in help_text
    assert "0,25" in help_text and "Ketik angka seperti biasa di Excel" in help_text
    assert "Instructions (English)" in help_text and "Type numbers as Excel does" in help_text
    for sheet in ("Input", "Distribusi"):
        assert all(d.number_format != "@" for d in wb[sheet].column_dimensions.values()), sheet
    prompts = [dv.prompt for dv in wb["Distribusi"].data_validations.dataValidation if dv.prompt]
    assert any("0,25" in text and "titik" not in text for text in prompts)
    ws = wb["Penilaian"]
    ws["B3"], ws["B4"] = "Kota X", "2025"
    for row in range(7, 54):
        ws.cell(row=row, column=6, value=3)
    d = wb["Distribusi"]
    put(d, 2, 1, 3, 0.25)  # what Excel stores when "0,25" is typed with Indonesian settings
    put(d, 3, 1, 4, 0.75)
    wb.save(p)
    (loaded,) = read_xlsx(p, engine=ENGINE)
    assert loaded.assessment.distributions["1"] == {3: Decimal("0.25"), 4: Decimal("0.75")}


def test_template_without_evidence_kinds(tmp_path: Path) -> None:
    p = template(tmp_path, catalogue="spbe-2018")
    ws = openpyxl.load_workbook(p)["Bukti Dukung"]
    assert [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"] == [
        "spbe_indikator",
        '"pending,accepted,rejected,needs_revision"',
    ]
    assert openpyxl.load_workbook(p)["Penilaian"].max_row == HEAD + 37  # 35 indicators, 35 once per service (3)


def test_filled_template_reads_back(tmp_path: Path) -> None:
    p = fill(template(tmp_path), tmp_path / "filled.xlsx")
    (item,) = read_assessments(p, engine=ENGINE)
    a = item.assessment
    assert (item.file, item.row) == (str(p), None)
    assert (a.catalogue, a.subject, a.period) == ("spbe-2020", "Pemerintah Kota Contoh", "2024")
    assert len(a.levels) == 46 and a.levels["2"] == 4 and a.levels["1"] == 3 and "47" not in a.levels
    assert a.notes == {"1": "Perwal 12/2023 sudah diundangkan"}
    assert a.services == {"45": "Layanan Perizinan Terpadu"}
    assert a.stages == {"self_assessment": {"1": 4}, "final": {"1": 3}}
    assert a.evidence == {
        "1": (
            Evidence(
                id="BD-01",
                level=3,
                kind="enacted_policy",
                date=dt.date(2023, 5, 2),
                status="accepted",
                note="Perwal 12/2023",
            ),
        ),
        "2": (Evidence(id="BD-02", level=2, kind="draft_policy", date=dt.date(2024, 1, 15)),),
    }
    assert a.tags == {"provinsi": "Riau", "unit": ""}
    assert a.distributions == {"3": {2: Decimal("0.25"), 3: Decimal("0.75")}}
    assert a.inputs == {"5": {"jumlah": Decimal("12.50")}}
    assert str(a.inputs["5"]["jumlah"]) == "12.50"  # text cells keep the places
    assert ENGINE.score(a.model_copy(update={"inputs": {}}), missing="minimum").partial
    assert load_assessments(p, engine=ENGINE) == [a]


def test_template_filled_read_written_read_is_identical(tmp_path: Path) -> None:
    p = fill(template(tmp_path), tmp_path / "filled.xlsx")
    (first,) = read_xlsx(p)
    again = write_assessment(ENGINE, first.assessment, tmp_path / "again.xlsx")
    (second,) = read_xlsx(again)
    assert second.assessment == first.assessment
    wb = openpyxl.load_workbook(again)
    assert wb["Distribusi"]["C2"].data_type == "s" and wb["Distribusi"]["C2"].value == "0.25"
    assert wb["Bukti Dukung"]["E2"].value == dt.datetime(2023, 5, 2)
    assert wb["Penilaian"].cell(row=HEAD + 2, column=COL["level"]).value == 4


def test_cli_scores_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_inputs = {"Input__A2": None, "Input__B2": None, "Input__C2": None}  # spbe-2020 computes nothing
    p = fill(template(tmp_path), tmp_path / "filled.xlsx", Penilaian__F53=3, **no_inputs)
    assert main(["score", str(p), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "Pemerintah Kota Contoh" in out and "3.0" in out


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"Penilaian__F18": "tiga"},
            r"filled.xlsx: row 18: field 'Penilaian.level': level 'tiga' is not a whole number \(allowed: whole numbers\)",
        ),
        ({"Penilaian__F18": 3.5}, r"row 18: field 'Penilaian.level': level 3.5 is not a whole number"),
        ({"Penilaian__J9": "4,5"}, r"row 9: field 'Penilaian.self_assessment': level '4,5' is not a whole number"),
        (
            {"Penilaian__F12": 7},
            r"filled.xlsx: row 12: field 'Penilaian.level': level 7 is outside the scale of indicator 6 \(allowed: 1–5\)",
        ),
        ({"Penilaian__B3": None}, r"row 3: field 'Penilaian.subject': missing Instansi \(subject\)"),
        ({"Penilaian__B4": "  "}, r"row 4: field 'Penilaian.period': missing Periode"),
        (
            {"Penilaian__B2": "spbe-2018"},
            r"row 2: field 'Penilaian.catalogue': catalogue 'spbe-2018' differs .* \(allowed: spbe-2020\)",
        ),
        ({"Penilaian__A20": None}, r"row 20: field 'Penilaian.id': a row with values but no indicator id"),
        ({"Penilaian__A20": "1"}, r"row 20: field 'Penilaian.id': indicator '1' appears twice \(first at row 7\)"),
        ({"Penilaian__A20": "99"}, r"row 20: field 'Penilaian.level': unknown indicator '99' .*allowed: 1–47"),
        ({"Penilaian__F6": "Nilai"}, r"row 6: field 'Penilaian': column 'Level' is missing"),
        ({"Bukti_Dukung__F2": "ok"}, r"row 2: field 'Bukti Dukung.status': unknown status 'ok' \(allowed: pending,"),
        ({"Bukti_Dukung__E3": "kemarin"}, r"row 3: field 'Bukti Dukung.date': 'kemarin' is not a date"),
        ({"Bukti_Dukung__B3": None}, r"row 3: field 'Bukti Dukung.id': missing value"),
        (
            {"Distribusi__C3": "0.70"},
            r"row 2: field 'Distribusi.probability': .* indicator 3 sum to 0.95, not exactly 1",
        ),
        ({"Distribusi__C3": "0,75"}, r"row 3: .* '0,75' is not a decimal number \(use a dot"),
        ({"Distribusi__B3": 2}, r"row 3: field 'Distribusi.level': level 2 of indicator 3 appears twice"),
        ({"Input__C2": None}, r"row 2: field 'Input.value': missing value"),
        ({"Tags__A3": "provinsi"}, r"row 3: field 'Tags.key': tag 'provinsi' appears twice \(first at row 2\)"),
        ({"spbe_meta__B2": 2}, r"field 'spbe_meta.version': unsupported workbook format version '2' \(allowed: 1\)"),
    ],
)
def test_errors_name_file_sheet_row_and_field(tmp_path: Path, cells: dict[str, Any], message: str) -> None:
    p = fill(template(tmp_path), tmp_path / "filled.xlsx", **cells)
    with pytest.raises(AssessmentError, match=message) as info:
        load_assessments(p, engine=ENGINE)
    assert str(p) in str(info.value) and "\n" not in str(info.value)


def test_level_outside_the_scale_is_left_to_the_usual_validation(tmp_path: Path) -> None:
    p = fill(template(tmp_path), tmp_path / "filled.xlsx", Penilaian__F12=7)
    assert read_xlsx(p)[0].assessment.levels["6"] == 7  # the reader alone does not know the catalogue
    with pytest.raises(AssessmentError, match="row 12"):
        read_xlsx(p, engine=ENGINE, validate=True)
    assert load_assessments(p, engine=ENGINE, validate=False)[0].levels["6"] == 7


def test_not_a_workbook_or_not_a_template(tmp_path: Path) -> None:
    text = tmp_path / "renamed.xlsx"
    text.write_text("subject,period,catalogue\nA,2024,spbe-2020\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match=r"renamed.xlsx: not a readable .xlsx workbook \(") as info:
        load_assessments(text, engine=ENGINE)
    assert "\n" not in str(info.value)
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Laporan"
    wb.save(other)
    with pytest.raises(
        AssessmentError, match=r"other.xlsx: not a spbe_engine workbook \(no 'spbe_meta' sheet\).*\(allowed: .*table"
    ):
        load_assessments(other, engine=ENGINE)
    wb.active["A1"] = "subject"  # a table's header, not whole: the table's error (tests/test_xlsx_table.py)
    wb.save(other)
    with pytest.raises(AssessmentError, match=r"other.xlsx: row 1: field 'Sheet': missing column 'period'"):
        load_assessments(other, engine=ENGINE)
    zipped = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(AssessmentError, match=r"zip.xlsx: not a readable .xlsx workbook"):
        read_xlsx(zipped)
    with pytest.raises(AssessmentError, match=r"missing.xlsx: no such file"):
        read_xlsx(tmp_path / "missing.xlsx")


def test_writing_is_atomic_and_never_overwrites(tmp_path: Path) -> None:
    p = template(tmp_path)
    before = p.read_bytes()
    with pytest.raises(SpbeError, match=r"t.xlsx: refusing to overwrite an existing file \(pass overwrite=True\)"):
        template(tmp_path)
    assert p.read_bytes() == before
    a = read_xlsx(fill(p, tmp_path / "filled.xlsx"))[0].assessment
    with pytest.raises(SpbeError, match="refusing to overwrite"):
        write_assessment(ENGINE, a, tmp_path / "filled.xlsx")
    write_assessment(ENGINE, a, p, overwrite=True)
    assert read_xlsx(p)[0].assessment == a
    assert sorted(x.name for x in tmp_path.iterdir()) == ["filled.xlsx", "t.xlsx"]  # no temporary files left
    with pytest.raises(SpbeError, match=r"needs the .xlsx suffix"):
        write_template(ENGINE, "spbe-2020", tmp_path / "t.xls")


def test_writer_refuses_what_a_workbook_cannot_hold(tmp_path: Path) -> None:
    base = Assessment(catalogue="spbe-2020", subject="A", period="2024", levels={"1": 3})
    with pytest.raises(SpbeError, match=r"field 'notes.1': character U\+FFFE cannot be stored"):
        write_assessment(ENGINE, base.model_copy(update={"notes": {"1": "a\ufffe"}}), tmp_path / "a.xlsx")
    with pytest.raises(SpbeError, match=r"field 'levels.99': indicator '99' is not in catalogue spbe-2020"):
        write_assessment(ENGINE, base.model_copy(update={"levels": {"99": 3}}), tmp_path / "a.xlsx")
    with pytest.raises(SpbeError, match="is for catalogue 'spbe-2020', not 'spbe-2018'"):
        write_template(ENGINE, "spbe-2018", tmp_path / "a.xlsx", assessment=base)
    assert not (tmp_path / "a.xlsx").exists()
    formula = base.model_copy(update={"notes": {"1": "=HYPERLINK(1)"}})
    (back,) = read_xlsx(write_assessment(ENGINE, formula, tmp_path / "f.xlsx"))
    assert back.assessment.notes == {"1": "=HYPERLINK(1)"}  # text, never a formula


# -- round trip (hypothesis) -------------------------------------------------------------------

TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn"), whitelist_characters="\n\t"), min_size=1, max_size=12
)
KEY = TEXT.map(str.strip).filter(bool)
DECIMALS = st.decimals(  # what the library accepts: at most 30 places, magnitude below 1E+30
    allow_nan=False, allow_infinity=False, min_value=Decimal("-1E+20"), max_value=Decimal("1E+20"), places=12
)
COUNTER = itertools.count()


@st.composite
def probabilities(draw: st.DrawFn, levels: list[int]) -> dict[int, Decimal]:
    chosen = draw(st.lists(st.sampled_from(levels), min_size=1, unique=True))
    places = draw(st.integers(0, 6))
    total = 10**places
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=len(chosen) - 1, max_size=len(chosen) - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return {lv: Decimal(n).scaleb(-places) for lv, n in zip(chosen, parts, strict=True)}


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    cid = draw(st.sampled_from(CATALOGUES))
    cc = ENGINE.compiled(cid)
    scale = {i: (lo, hi) for i, lo, hi in zip(cc.ids, cc.lo, cc.hi, strict=True)}
    some = st.lists(st.sampled_from(cc.ids), unique=True, max_size=6)
    kinds = [k.id for k in ENGINE.catalogue(cid).evidence.kinds]
    kind = st.sampled_from(kinds) if kinds else KEY

    def level(i: str) -> st.SearchStrategy[int]:
        return st.integers(*scale[i])

    evidence = st.builds(
        Evidence,
        id=KEY,
        level=st.integers(0, 5),
        kind=kind,
        date=st.none() | st.dates(),
        status=st.sampled_from(["pending", "accepted", "rejected", "needs_revision"]),
        note=st.none() | TEXT,
    )
    stage_ids = draw(st.lists(st.sampled_from(STAGES), unique=True))
    return Assessment(
        catalogue=cid,
        subject=draw(KEY),
        period=draw(KEY),
        levels={i: draw(level(i)) for i in draw(some)},
        notes={i: draw(TEXT) for i in draw(some)},
        services={i: draw(TEXT) for i in draw(some)},
        tags=draw(
            st.dictionaries(KEY, st.text(max_size=5).filter(lambda s: "\r" not in s and s.isprintable()), max_size=3)
        ),
        stages={s: {i: draw(level(i)) for i in draw(some.filter(bool))} for s in stage_ids},
        evidence={i: tuple(draw(st.lists(evidence, min_size=1, max_size=3))) for i in draw(some)},
        distributions={i: draw(probabilities(list(range(scale[i][0], scale[i][1] + 1)))) for i in draw(some)},
        inputs={i: draw(st.dictionaries(KEY, DECIMALS, min_size=1, max_size=3)) for i in draw(some)},
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assessments())
def test_write_then_read_is_identical(tmp_path: Path, a: Assessment) -> None:
    p = write_assessment(ENGINE, a, tmp_path / f"a{next(COUNTER)}.xlsx")
    (item,) = read_xlsx(p)
    assert item.assessment == a
    assert (item.file, item.row) == (str(p), None)


def test_without_openpyxl_the_error_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = template(tmp_path)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    with pytest.raises(SpbeError, match=r"this needs openpyxl: pip install 'spbe_engine\[excel\]'"):
        load_assessments(p, engine=ENGINE)
    with pytest.raises(SpbeError, match=r"spbe_engine\[excel\]"):
        write_template(ENGINE, "spbe-2020", tmp_path / "b.xlsx")


# -- the language of the template ----------------------------------------------------------------------

ID_STATUS = {"pending": "menunggu", "accepted": "diterima", "rejected": "ditolak", "needs_revision": "perlu perbaikan"}


def _texts(wb: Any) -> list[str]:
    """What a person reads: visible cells and the validations' prompts and messages."""
    out: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        out.append(ws.title)
        out += [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        for dv in ws.data_validations.dataValidation:
            out += [x for x in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error, dv.formula1) if x]
    return out


def test_template_follows_the_language(tmp_path: Path) -> None:
    """Like the unit workbooks: Indonesian only under --lang id, "Indonesian / English" under en."""
    from spbe_engine.i18n import language, translate

    with language("id"):
        wb = openpyxl.load_workbook(template(tmp_path, "id.xlsx"))
    assert wb.sheetnames == ["Penilaian", "Bukti Dukung", "Label", "Masukan", "Distribusi", "Petunjuk", "spbe_meta"]
    assert wb["Penilaian"].cell(row=HEAD, column=COL["level"]).value == "Tingkat kematangan"
    assert wb["Bukti Dukung"]["C1"].value == "Tingkat kematangan"
    texts = _texts(wb)
    joined = "\n".join(texts)
    for english in ("Instructions (English)", "do not change", "Leave empty", "A whole number", "Level", "value"):
        assert english not in joined, english
    assert "jangan diubah" in joined and "Kosongkan bila belum dinilai" in joined
    ev = wb["Bukti Dukung"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ev.data_validations.dataValidation}
    assert lists["F2"] == '"menunggu,diterima,ditolak,perlu perbaikan"'
    help_rows = [c.value for c in wb["Petunjuk"]["B"] if c.value]
    kinds = ENGINE.catalogue("spbe-2020").evidence.kinds
    assert all(k.name_en not in help_rows and k.name in help_rows for k in kinds if k.name_en)
    # the fixed labels of the format are the catalogue's words for the statuses
    for key, label in ID_STATUS.items():
        assert translate(key.replace("_", " "), "id") == label

    with language("en"):
        wb = openpyxl.load_workbook(template(tmp_path, "en.xlsx"))
    assert wb.sheetnames[2:4] == ["Tags", "Input"]
    assert wb["Penilaian"].cell(row=HEAD, column=COL["level"]).value == "Level"
    joined = "\n".join(_texts(wb))
    assert "Instructions (English)" in joined and "jangan diubah / do not change" in joined
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb["Bukti Dukung"].data_validations.dataValidation}
    assert lists["F2"] == '"pending,accepted,rejected,needs_revision"'


def _fill(path: Path, a: Assessment, *, labels: bool) -> None:
    """Fill an empty template with `a` as a person would, in the workbook's own words: the status
    label the dropdown offers (Indonesian under id) when `labels`, else the status key. Texts are
    typed as text (a person types '=0 for the text "=0")."""
    from spbe_engine.io.excel import put_cell

    def row_of(ws: Any, row: int, *values: Any) -> None:
        for col, value in enumerate(values, 1):
            put_cell(ws, row, col, value, "test")

    wb = openpyxl.load_workbook(path)
    ws = wb["Penilaian"]
    put_cell(ws, 3, 2, a.subject, "test")
    put_cell(ws, 4, 2, a.period, "test")
    rows = {str(ws.cell(row=r, column=1).value): r for r in range(HEAD + 1, ws.max_row + 1)}
    for iid, level in a.levels.items():
        ws.cell(row=rows[iid], column=COL["level"], value=level)
    for iid, note in a.notes.items():
        put_cell(ws, rows[iid], COL["note"], note, "test")
    for iid, service in a.services.items():
        put_cell(ws, rows[iid], COL["service"], service, "test")
    for stage, values in a.stages.items():
        for iid, level in values.items():
            ws.cell(row=rows[iid], column=COL[stage], value=level)
    id_labels = wb["Bukti Dukung"]["C1"].value != "Level"
    row = 2
    for iid, evs in a.evidence.items():
        for ev in evs:
            status = ID_STATUS[ev.status] if labels and id_labels else ev.status
            row_of(wb["Bukti Dukung"], row, iid, ev.id, ev.level, ev.kind, ev.date, status, ev.note)
            row += 1
    for row, (key, value) in enumerate(a.tags.items(), 2):
        row_of(wb[wb.sheetnames[2]], row, key, value)  # "Label" or "Tags"
    inputs = wb[wb.sheetnames[3]]  # "Masukan" or "Input"
    items = [(iid, name, str(v)) for iid, values in a.inputs.items() for name, v in values.items()]
    for row, item in enumerate(items, 2):
        row_of(inputs, row, *item)
    dists = [(iid, lv, str(p)) for iid, dist in a.distributions.items() for lv, p in dist.items()]
    for row, item in enumerate(dists, 2):
        row_of(wb["Distribusi"], row, *item)
    wb.save(path)


def _assessments() -> Any:
    from .test_roundtrip import assessments

    return assessments()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=_assessments(), labels=st.booleans())
def test_templates_in_either_language_read_back_the_same(tmp_path: Path, a: Assessment, labels: bool) -> None:
    """A template written under id and one under en, filled alike, read back to the same assessment;
    so does the assessment written in each language."""
    from spbe_engine.i18n import language

    read = []
    for lang in ("id", "en"):
        empty, full = tmp_path / f"t-{lang}.xlsx", tmp_path / f"a-{lang}.xlsx"
        for p in (empty, full):
            p.unlink(missing_ok=True)
        with language(lang):
            write_template(ENGINE, "spbe-2020", empty)
            write_assessment(ENGINE, a, full)
        _fill(empty, a, labels=labels)
        read += [read_xlsx(empty, engine=ENGINE, validate=True)[0].assessment, read_xlsx(full)[0].assessment]
    assert read == [a] * 4


def test_old_and_indonesian_headers_are_read_in_any_case(tmp_path: Path) -> None:
    """Headers are matched case-insensitively: the old "Level" and the Indonesian "Tingkat kematangan";
    a status may be its key or its Indonesian label; the inputs sheet may be "Input" or "Masukan", the
    tags sheet "Tags" or "Label"."""
    p = fill(template(tmp_path), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["Penilaian"].cell(row=HEAD, column=COL["level"], value="TINGKAT KEMATANGAN")
    wb["Bukti Dukung"]["C1"] = "level"
    wb["Bukti Dukung"]["F2"] = "Diterima"
    wb["Input"].title = "Masukan"
    wb["Tags"].title = "Label"
    wb.save(p)
    (loaded,) = read_xlsx(p, engine=ENGINE)
    assert loaded.assessment.tags == {"provinsi": "Riau", "unit": ""}
    assert loaded.assessment.levels["2"] == 4 and loaded.assessment.inputs == {"5": {"jumlah": Decimal("12.50")}}
    assert loaded.assessment.evidence["1"][0].status == "accepted"
    wb["Bukti Dukung"]["F2"] = "sudah"
    wb.save(p)
    with pytest.raises(AssessmentError, match=r"unknown status 'sudah'.*allowed: pending, .*, menunggu, diterima"):
        read_xlsx(p)


@pytest.mark.parametrize(("lang", "shown"), [("id", "1.000"), ("en", "1,000")])
def test_limits_show_numbers_the_languages_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, shown: str
) -> None:
    from spbe_engine.i18n import language
    from spbe_engine.io import excel

    p = fill(template(tmp_path), tmp_path / "f.xlsx")
    monkeypatch.setattr(excel, "MAX_TEXT_CHARS", 1000)  # Penilaian's names and scales take ~15,000
    with language(lang), pytest.raises(AssessmentError) as info:
        read_xlsx(p)
    assert f" {shown} " in str(info.value), str(info.value)

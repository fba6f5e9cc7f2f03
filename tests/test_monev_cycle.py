"""The monitoring cycle on examples/kota-contoh: unit workbooks out, filled by units, collected back into a
snapshot with provenance; every kind of conflict reported, never resolved silently; the action log
carried over meeting to meeting without duplicates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Engine, load_assessments
from spbe_engine.accountability.ownership import load_ownership, load_targets
from spbe_engine.cli.main import main
from spbe_engine.errors import SpbeError
from spbe_engine.monev.actions import load_actions, status_label
from spbe_engine.monev.snapshot import Snapshot, fingerprint, load_snapshot, sidecars

openpyxl = pytest.importorskip("openpyxl", reason="unit workbooks need the `excel` extra")

from spbe_engine.monev.collect import collect  # noqa: E402
from spbe_engine.monev.workbooks import COL, FILLABLE, HEAD, META, REPORT, write_workbooks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"
ENGINE = Engine(load_entry_points=False)
BASE = load_assessments(CITY / "2025.yaml", engine=ENGINE)[0]
CC = ENGINE.compiled(BASE.catalogue)
IDS = list(CC.ids)
OWN = load_ownership(CITY / "owners.yaml", catalogue=BASE.catalogue, indicator_ids=IDS)
TARGETS = load_targets(
    CITY / "targets.yaml",
    indicator_ids=IDS,
    lo=dict(zip(IDS, CC.lo, strict=True)),
    hi=dict(zip(IDS, CC.hi, strict=True)),
)
UNITS_WITH_INDICATORS = 15


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keluar")
    write_workbooks(ENGINE, BASE, OWN, out, targets=TARGETS)
    return out


@pytest.fixture
def returned(blank: Path, tmp_path: Path) -> Path:
    """A fresh copy of every unit's blank workbook, as if all were returned unfilled."""
    out = tmp_path / "kembali"
    shutil.copytree(blank, out)
    return out


def fill(path: Path, values: dict[str, dict[str, Any]], *, text: bool = False) -> None:
    """Fill a unit's workbook as a person would in Excel: only the cells named, per indicator row
    ("=2+2" is a formula, as typed). With `text`, texts are typed as text ('=0 in Excel)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[REPORT]
    for row in range(HEAD + 1, ws.max_row + 1):
        for key, value in values.get(str(ws.cell(row, COL["indicator"]).value), {}).items():
            cell = ws.cell(row, COL[key])
            cell.value = value
            if text and isinstance(value, str):
                cell.data_type = "s"
    wb.save(path)


def row_of(path: Path, indicator: str) -> int:
    ws = openpyxl.load_workbook(path)[REPORT]
    return next(r for r in range(HEAD + 1, ws.max_row + 1) if str(ws.cell(r, 1).value) == indicator)


def run(folder: Path, **kw: Any) -> Snapshot:
    return collect([folder], owners=OWN, base=BASE, engine=ENGINE, meeting=kw.pop("meeting", "2025-04-10"), **kw)


def kinds(snap: Snapshot) -> list[str]:
    return sorted(c.kind for c in snap.conflicts)


# -- workbooks out ----------------------------------------------------------------------------------


def test_one_workbook_per_unit_with_only_its_indicators(blank: Path) -> None:
    files = sorted(p.stem for p in blank.glob("*.xlsx"))
    assert len(files) == UNITS_WITH_INDICATORS and "bappeda" in files
    ws = openpyxl.load_workbook(blank / "bappeda.xlsx")[REPORT]
    rows = {str(ws.cell(r, 1).value): r for r in range(HEAD + 1, ws.max_row + 1)}
    leads = {r.indicator for r in OWN.indicators if r.lead == "bappeda"}
    supports = {r.indicator for r in OWN.indicators if "bappeda" in r.support}
    assert set(rows) == leads | supports
    r11 = rows["11"]
    assert ws.cell(r11, COL["level"]).value == BASE.levels["11"]
    assert ws.cell(r11, COL["target"]).value == TARGETS.levels["11"]
    assert str(ws.cell(r11, COL["criteria"]).value).startswith(f"{BASE.levels['11']} ")
    assert ws.cell(r11, COL["role"]).value != ws.cell(rows["1"], COL["role"]).value  # lead vs support
    assert ws.cell(HEAD, COL["progress"]).value.startswith("Tingkat capaian")  # Bahasa Indonesia first


@pytest.mark.parametrize(("lang", "english"), [("en", True), ("id", False)])
def test_workbook_language(tmp_path: Path, lang: str, english: bool) -> None:
    write_workbooks(ENGINE, BASE, OWN, tmp_path, units=["bappeda"], lang=lang)
    wb = openpyxl.load_workbook(tmp_path / "bappeda.xlsx")
    header = wb[REPORT].cell(HEAD, COL["progress"]).value
    assert header.startswith("Tingkat capaian (penilaian mandiri)")
    assert ("Progress level" in header) is english
    help_text = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    assert ("Instructions (English)" in help_text) is english and "Petunjuk (Bahasa Indonesia)" in help_text
    prompts = " ".join(str(dv.prompt) for dv in wb[REPORT].data_validations.dataValidation if dv.prompt)
    assert ("whole number" in prompts) is english and "Bilangan bulat" in prompts


def test_protection_validation_and_hidden_meta_survive_reopening(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank / "bappeda.xlsx")
    ws = wb[REPORT]
    assert ws.protection.sheet
    row = HEAD + 1
    for key in COL:
        assert ws.cell(row, COL[key]).protection.locked == (key not in FILLABLE), key
    validations = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert set(validations) >= {"whole", "date", "list"}
    assert (validations["whole"].formula1, validations["whole"].formula2) == ("1", "5")
    assert status_label("open") in validations["list"].formula1
    letter = openpyxl.utils.get_column_letter(COL["progress"])
    assert f"{letter}{row}" in str(validations["whole"].sqref)
    meta = wb[META]
    assert meta.sheet_state == "hidden" and meta.protection.sheet
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 20)}
    assert values["unit"] == "bappeda" and values["period"] == BASE.period
    assert values["catalogue"] == BASE.catalogue and values["base_fingerprint"] == fingerprint(BASE)
    assert "Petunjuk" in wb.sheetnames


def test_user_text_is_written_as_text_never_a_formula(tmp_path: Path) -> None:
    evil = BASE.replace(subject='=HYPERLINK("http://x")')
    write_workbooks(ENGINE, evil, OWN, tmp_path, units=["bappeda"])
    cell = openpyxl.load_workbook(tmp_path / "bappeda.xlsx")[REPORT]["B4"]
    assert cell.data_type == "s" and "=HYPERLINK" in cell.value


def test_workbooks_never_overwrite(blank: Path) -> None:
    with pytest.raises(SpbeError, match="overwrite"):
        write_workbooks(ENGINE, BASE, OWN, blank)


def test_workbooks_replace_only_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "keluar"
    argv = ["workbooks", str(CITY / "2025.yaml"), "--owners", str(CITY / "owners.yaml"), "-o", str(out), "-l", "en"]
    assert main([*argv, "--unit", "bappeda", "--unit", "bpkad"]) == 0
    (out / "catatan.txt").write_text("the coordinator's own notes", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main([*argv, "--targets", str(CITY / "targets.yaml")]) == 2  # bappeda.xlsx exists: nothing written
    assert "--force" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main([*argv, "--targets", str(CITY / "targets.yaml"), "--force"]) == 0
    after = sorted(p.name for p in out.iterdir())
    assert after == sorted({*before, *(f"{u}.xlsx" for r in OWN.indicators for u in (r.lead, *r.support))})
    assert (out / "catatan.txt").read_bytes() == before["catatan.txt"]  # not ours: untouched
    ws = openpyxl.load_workbook(out / "bappeda.xlsx")[REPORT]
    assert ws.cell(HEAD + 1, COL["target"]).value is not None  # replaced by the workbook with targets


def test_workbooks_write_all_or_nothing(tmp_path: Path) -> None:
    bad = OWN.model_copy(update={"units": tuple(u if u.id != "bpkad" else u.model_copy(update={"name": "B\x01"})
                                                for u in OWN.units)})  # fmt: skip
    with pytest.raises(SpbeError, match="U\\+0001"):
        write_workbooks(ENGINE, BASE, bad, tmp_path / "keluar")
    assert not (tmp_path / "keluar").exists() or list((tmp_path / "keluar").iterdir()) == []


# -- the full cycle ---------------------------------------------------------------------------------


def test_full_cycle_conflict_reported_rest_merged_with_provenance(returned: Path) -> None:
    due = dt.date(2025, 6, 30)
    fill(
        returned / "bappeda.xlsx",
        {
            "11": {"progress": 4, "kendala": "SK belum ada", "rencana_aksi": "Susun SK", "pic": "Kabid", "due": due,
                   "status": status_label("in_progress")},
            "13": {"progress": 3},
        },
    )  # fmt: skip
    fill(returned / "diskominfo.xlsx", {"13": {"progress": 2}, "1": {"progress": 4, "evidence": "perwal-spbe.pdf"}})
    snap = run(returned)
    assert kinds(snap) == ["level_disagreement"]
    (c,) = snap.conflicts
    assert c.indicator == "13" and c.levels == {"bappeda": 3, "diskominfo": 2}
    assert snap.reported_levels == {"1": 4, "11": 4}  # merged; 13 merged for nobody
    assert snap.assessment.levels == BASE.levels  # the base levels kept
    prov = {(r.unit, r.indicator): r for r in snap.reports}
    assert prov["diskominfo", "1"].evidence == "perwal-spbe.pdf" and prov["diskominfo", "1"].role == "lead"
    assert prov["bappeda", "13"].level == 3 and prov["bappeda", "13"].conflict == 1
    (action,) = snap.actions
    assert (action.indicator, action.unit, action.status, action.due, action.target_level) == (
        "11",
        "bappeda",
        "in_progress",
        due,
        TARGETS.levels["11"],
    )
    n = snap.counts
    assert (n.cells_read, n.cells_merged, n.cells_in_conflict) == (10, 8, 2)
    assert n.cells_read == n.cells_merged + n.cells_in_conflict
    assert (n.units_expected, n.units_reported, n.levels_merged) == (UNITS_WITH_INDICATORS, UNITS_WITH_INDICATORS, 2)


def test_snapshot_is_an_assessment_every_command_reads(
    returned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(returned / "bappeda.xlsx", {"11": {"progress": 4, "kendala": "x"}})
    out = tmp_path / "rapat" / "2025-04.yaml"
    assert main(["collect", str(returned), "--owners", str(CITY / "owners.yaml"), "--base", str(CITY / "2025.yaml"),
                 "-o", str(out), "--meeting", "2025-04-10", "-l", "en"]) == 0  # fmt: skip
    (a,) = load_assessments(out, engine=ENGINE)
    assert a.stages["self_assessment"] == {"11": 4} and a.levels == BASE.levels
    assert ENGINE.score(a).fraction == ENGINE.score(BASE).fraction
    snap = load_snapshot(out, engine=ENGINE)
    assert snap.meeting == "2025-04-10" and [x.id for x in snap.actions] == ["11.bappeda.1"]
    assert all(p.exists() for p in sidecars(out))
    # never over existing files unless --force, and the refusal says how in the command line's words
    args = ["collect", str(returned), "--owners", str(CITY / "owners.yaml"), "--base", str(CITY / "2025.yaml"),
            "-o", str(out)]  # fmt: skip
    before = {p: p.read_bytes() for p in (out, *sidecars(out))}
    capsys.readouterr()
    for lang, words in (("en", "use --force"), ("id", "--force")):
        assert main([*args, "-l", lang]) == 2
        err = capsys.readouterr().err
        assert words in err and "overwrite=True" not in err, err
    assert {p: p.read_bytes() for p in before} == before
    fill(returned / "bappeda.xlsx", {"11": {"progress": 5, "kendala": "x"}})  # a unit corrects its workbook
    assert main([*args, "--force", "--meeting", "2025-04-10", "-l", "en"]) == 0
    assert load_assessments(out, engine=ENGINE)[0].stages["self_assessment"] == {"11": 5}


# -- each kind of conflict --------------------------------------------------------------------------


def test_a_supporting_unit_changing_a_level_its_lead_did_not(returned: Path) -> None:
    # indicator 1: lead diskominfo, support bappeda; base level 3
    fill(returned / "bappeda.xlsx", {"1": {"progress": 5}})
    snap = run(returned)
    assert kinds(snap) == ["support_change"] and snap.conflicts[0].levels == {"bappeda": 5}
    assert "1" not in snap.reported_levels
    fill(returned / "diskominfo.xlsx", {"1": {"progress": 5}})  # the lead agrees: merged
    snap = run(returned)
    assert kinds(snap) == [] and snap.reported_levels == {"1": 5}


def test_a_supporting_unit_confirming_the_base_level_merges(returned: Path) -> None:
    fill(returned / "bappeda.xlsx", {"1": {"progress": BASE.levels["1"]}})
    assert kinds(run(returned)) == [] and run(returned).reported_levels == {"1": BASE.levels["1"]}


def test_a_missing_workbook(returned: Path) -> None:
    (returned / "dinsos.xlsx").unlink()
    snap = run(returned)
    assert kinds(snap) == ["missing_workbook"] and snap.conflicts[0].unit == "dinsos"
    assert snap.counts.units_reported == UNITS_WITH_INDICATORS - 1


@pytest.mark.parametrize(
    ("changed", "kind"),
    [
        ({"period": "2024"}, "other_period"),
        ({"levels": {**BASE.levels, "5": 4}}, "other_base"),
    ],
)
def test_a_workbook_for_another_period_or_base(tmp_path: Path, changed: dict[str, Any], kind: str) -> None:
    other = BASE.replace(**changed)
    write_workbooks(ENGINE, other, OWN, tmp_path, units=["bappeda"])
    fill(tmp_path / "bappeda.xlsx", {"11": {"progress": 4, "kendala": "x"}})
    snap = collect([tmp_path / "bappeda.xlsx"], owners=OWN, base=BASE, engine=ENGINE, meeting="m")
    assert kind in kinds(snap)
    assert snap.reported_levels == {} and len(snap.actions) == 0
    assert (snap.counts.cells_read, snap.counts.cells_merged, snap.counts.cells_in_conflict) == (2, 0, 2)


def test_a_workbook_for_another_catalogue(tmp_path: Path) -> None:
    wb_path = tmp_path / "bappeda.xlsx"
    write_workbooks(ENGINE, BASE, OWN, tmp_path, units=["bappeda"])
    wb = openpyxl.load_workbook(wb_path)
    meta = wb[META]
    row = next(r for r in range(1, 20) if meta.cell(r, 1).value == "catalogue")
    meta.cell(row, 2).value = "spbe-2018"
    wb.save(wb_path)
    snap = collect([wb_path], owners=OWN, base=BASE, engine=ENGINE, meeting="m")
    assert [k for k in kinds(snap) if k != "missing_workbook"] == ["other_catalogue"]


def test_two_workbooks_for_one_unit(returned: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bappeda-lagi.xlsx"
    shutil.copy(returned / "bappeda.xlsx", copy)
    fill(copy, {"11": {"progress": 4}})
    snap = collect([returned, copy], owners=OWN, base=BASE, engine=ENGINE, meeting="m")
    assert kinds(snap) == ["duplicate_workbook", "duplicate_workbook"] and snap.reported_levels == {}


def test_an_edit_outside_the_fillable_cells_is_detected(returned: Path) -> None:
    path = returned / "bappeda.xlsx"
    fill(path, {"11": {"progress": 4}, "12": {"progress": 5}})
    wb = openpyxl.load_workbook(path)
    ws = wb[REPORT]
    row = row_of(path, "12")
    ws.protection.sheet = False  # as someone who removes the protection would
    ws.cell(row, COL["level"]).value = 5  # the current level, locked
    ws.cell(40, 20).value = "catatan"  # a stray note far outside the table
    wb.save(path)
    snap = run(returned)
    (c,) = snap.conflicts
    assert c.kind == "edited_outside" and c.unit == "bappeda"
    assert f"{REPORT}!{row}:{row}" in c.cells and f"{REPORT}!T40" in c.cells
    assert snap.reported_levels == {"11": 4}  # the edited row is held back, the others merge
    assert (snap.counts.cells_read, snap.counts.cells_merged, snap.counts.cells_in_conflict) == (3, 1, 2)


def test_a_formula_is_refused_naming_the_cell(returned: Path) -> None:
    path = returned / "bappeda.xlsx"
    fill(path, {"11": {"progress": "=2+2"}})
    letter = openpyxl.utils.get_column_letter(COL["progress"])
    with pytest.raises(SpbeError, match=f"cell {letter}{row_of(path, '11')} is a formula"):
        run(returned)


def test_a_level_outside_the_scale_is_an_error(returned: Path) -> None:
    fill(returned / "bappeda.xlsx", {"11": {"progress": 9}})
    with pytest.raises(SpbeError, match="outside its scale"):
        run(returned)


def test_strict_makes_any_conflict_an_error(returned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (returned / "dinsos.xlsx").unlink()
    out = tmp_path / "snap.yaml"
    args = ["collect", str(returned), "--owners", str(CITY / "owners.yaml"), "--base", str(CITY / "2025.yaml"),
            "-o", str(out), "-l", "en"]  # fmt: skip
    assert main([*args, "--strict"]) == 2
    assert "no workbook returned (dinsos)" in capsys.readouterr().err and not out.exists()
    assert main(args) == 0 and out.exists()


# -- carried over -----------------------------------------------------------------------------------


def test_the_action_log_carries_over_without_duplicates(blank: Path, tmp_path: Path) -> None:
    first = tmp_path / "m1"
    shutil.copytree(blank, first)
    fill(
        first / "bappeda.xlsx",
        {"11": {"kendala": "SK belum ada", "rencana_aksi": "Susun SK", "due": dt.date(2025, 6, 30)}},
    )
    snap1 = run(first, meeting="2025-04-10")
    assert [a.status for a in snap1.actions] == ["open"]
    # the next meeting's workbooks carry the open action; the unit reports it done
    second_out = tmp_path / "m2-out"
    write_workbooks(ENGINE, BASE, OWN, second_out, targets=TARGETS, actions=snap1.actions)
    ws = openpyxl.load_workbook(second_out / "bappeda.xlsx")[REPORT]
    row = row_of(second_out / "bappeda.xlsx", "11")
    assert ws.cell(row, COL["kendala"]).value == "SK belum ada" and ws.cell(row, COL["action"]).value == "11.bappeda.1"
    fill(second_out / "bappeda.xlsx", {"11": {"status": status_label("done")}, "12": {"kendala": "anggaran"}})
    snap2 = run(second_out, meeting="2025-07-10", actions=snap1.actions)
    assert [a.id for a in snap2.actions] == ["11.bappeda.1", "12.bappeda.1"]
    done = snap2.actions.entries[0]
    assert (done.status, done.kendala, done.created, done.updated) == (
        "done",
        "SK belum ada",
        "2025-04-10",
        "2025-07-10",
    )
    assert (snap2.counts.actions_added, snap2.counts.actions_updated) == (1, 1)
    # collecting the same workbooks again changes nothing
    snap3 = run(second_out, meeting="2025-07-10", actions=snap2.actions)
    assert snap3.actions == snap2.actions
    # a new action for the indicator after the done one gets a new id
    third_out = tmp_path / "m3-out"
    write_workbooks(ENGINE, BASE, OWN, third_out, actions=snap3.actions, units=["bappeda"])
    assert openpyxl.load_workbook(third_out / "bappeda.xlsx")[REPORT].cell(row, COL["action"]).value == "11.bappeda.2"


def test_cli_cycle_with_the_previous_log(blank: Path, tmp_path: Path) -> None:
    first = tmp_path / "m1"
    shutil.copytree(blank, first)
    fill(first / "bappeda.xlsx", {"11": {"kendala": "SK belum ada"}})
    common = ["--owners", str(CITY / "owners.yaml"), "--base", str(CITY / "2025.yaml"), "-l", "en"]
    assert main(["collect", str(first), *common, "-o", str(tmp_path / "m1.yaml"), "--meeting", "m1"]) == 0
    assert main(["collect", str(first), *common, "-o", str(tmp_path / "m2.yaml"), "--meeting", "m2",
                 "--actions", str(tmp_path / "m1.yaml")]) == 0  # fmt: skip
    log = load_actions(tmp_path / "m2.actions.yaml")
    assert [(a.id, a.created, a.updated) for a in log] == [("11.bappeda.1", "m1", "m1")]  # unchanged: not re-dated


# -- exact round trip -------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_levels_written_are_read_back_identical(
    blank: Path, tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    folder = tmp_path_factory.mktemp("rt")
    shutil.copy(blank / "diskominfo.xlsx", folder / "diskominfo.xlsx")
    leads = [r.indicator for r in OWN.indicators if r.lead == "diskominfo"]
    bounds = dict(zip(IDS, zip(CC.lo, CC.hi, strict=True), strict=True))
    chosen = data.draw(st.lists(st.sampled_from(leads), unique=True, max_size=len(leads)))
    levels = {i: data.draw(st.integers(*bounds[i])) for i in chosen}
    texts = data.draw(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                                       max_size=20).filter(str.strip), min_size=len(chosen), max_size=len(chosen)))  # fmt: skip
    fill(
        folder / "diskominfo.xlsx",
        {i: {"progress": lv, "evidence": t} for (i, lv), t in zip(levels.items(), texts, strict=True)},
        text=True,  # hypothesis finds "=0": typed as text, not as a formula
    )
    snap = collect([folder], owners=OWN, base=BASE, engine=ENGINE, meeting="m")
    assert [c.kind for c in snap.conflicts if c.kind != "missing_workbook"] == []
    # only the lead reports: every level merges, unchanged
    assert snap.reported_levels == levels
    assert {r.indicator: r.evidence for r in snap.reports} == dict(zip(levels, texts, strict=True))
    assert snap.counts.cells_read == snap.counts.cells_merged == 2 * len(levels)


def test_collect_counts_nothing_lost_on_an_empty_return(returned: Path) -> None:
    snap = run(returned)
    assert kinds(snap) == [] and snap.counts.cells_read == 0 and len(snap.actions) == 0
    assert snap.assessment.stages.get("self_assessment") is None


def test_workbooks_take_back_what_they_put_in_place_when_a_later_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook that appears meanwhile (another process) refuses the write; the ones this call
    already put in place are taken back, so the folder is as it was."""
    import os

    out = tmp_path / "keluar"
    real_link = os.link
    done: list[str] = []

    def link(src: object, dst: object) -> None:
        if Path(str(dst)).name.startswith("."):  # a temporary file being saved: not a publication
            return real_link(src, dst)  # type: ignore[arg-type]
        if len(done) == 2:  # the third unit's file appears just before it is published
            Path(str(dst)).write_bytes(b"theirs")
        real_link(src, dst)  # type: ignore[arg-type]
        done.append(str(dst))

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(SpbeError, match="refusing to overwrite an existing workbook"):
        write_workbooks(ENGINE, BASE, OWN, out)
    assert len(done) == 2 and [p.read_bytes() for p in out.iterdir()] == [b"theirs"]  # theirs only, no temporaries

"""The meeting brief (bahan rapat): written as HTML, Markdown and Word, Indonesian by default, and every
index in it is `engine.score()` of a level vector the test computes on its own."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Engine, load_assessments
from spbe_engine.errors import SpbeError
from spbe_engine.model.rules import Evidence
from spbe_engine.monev.actions import Action, ActionLog
from spbe_engine.monev.brief import build_brief, write_brief
from spbe_engine.monev.meeting import action_views, open_snapshot
from spbe_engine.monev.snapshot import Conflict, Counts, Report, Snapshot, SnapshotRecord, fingerprint, write_snapshot

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"
OWNERS = CITY / "owners.yaml"
TARGETS = CITY / "targets.yaml"
ENGINE = Engine(load_entry_points=False)
(BASE,) = load_assessments(CITY / "2025.yaml")
AS_OF = dt.date(2025, 6, 30)


def _action(id: str, indicator: str, unit: str, status: str, due: str | None, level: int | None) -> Action:
    return Action(
        id=id,
        indicator=indicator,
        unit=unit,
        kendala="Dokumen belum ditetapkan",
        rencana_aksi=f"Rencana aksi {id}",
        pic="Kepala Bidang",
        due=due,
        status=status,
        target_level=level,
        created="2025-01-15",
        updated="2025-04-10",
    )


LOG = ActionLog(
    entries=(
        _action("A1", "11", "bappeda", "open", "2025-03-01", 5),  # overdue on AS_OF
        _action("A2", "17", "diskominfo", "in_progress", "2025-12-01", 3),
        _action("A3", "24", "bpkad", "done", "2025-02-01", 4),  # done: neither open nor overdue
        _action("A4", "8", "diskominfo", "dropped", "2025-02-01", 5),
        _action("A5", "29", "inspektorat", "open", None, 1),  # below its level: changes nothing
    )
)


@pytest.fixture(scope="module")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot as `spbe collect` writes it: reported levels as the self-assessment stage, a record
    with provenance and a conflict, the action log beside it; evidence added since 2024."""
    reported = {"12": 5, "22": 3}
    stages = {**BASE.stages, "self_assessment": reported}
    evidence = {**BASE.evidence, "22": (Evidence(id="22.a.SK_Tim_Keamanan.pdf", level=3, kind="decree"),)}
    a = BASE.replace(stages=stages, evidence=evidence)
    record = SnapshotRecord(
        meeting="2025-04-10",
        catalogue=a.catalogue,
        subject=a.subject,
        period=a.period,
        base_fingerprint=fingerprint(BASE),
        reports=(
            Report(indicator="12", unit="bappeda", role="lead", file="bappeda.xlsx", row=7, level=5,
                   evidence="12.a.Peta_Rencana_2025.pdf", cells=2, merged=2),
            Report(indicator="22", unit="diskominfo", role="lead", file="diskominfo.xlsx", row=9, level=3,
                   cells=1, merged=1),
            Report(indicator="6", unit="diskominfo", role="lead", file="diskominfo.xlsx", row=5, level=3,
                   cells=1, conflict=1),
            Report(indicator="6", unit="bappeda", role="support", file="bappeda.xlsx", row=4, level=4,
                   cells=1, conflict=1),
        ),
        conflicts=(
            Conflict(kind="level_disagreement", indicator="6", levels={"diskominfo": 3, "bappeda": 4}),
            Conflict(kind="missing_workbook", unit="dinkes"),
        ),
        counts=Counts(workbooks=2, units_expected=15, units_reported=2, cells_read=5, cells_merged=3,
                      cells_in_conflict=2, levels_merged=2),
    )  # fmt: skip
    path = tmp_path_factory.mktemp("snap") / "2025-04.yaml"
    write_snapshot(Snapshot(a, record, LOG), path)
    return path


def _brief(snapshot_file: Path, previous: Path | None = CITY / "2024.yaml"):  # type: ignore[no-untyped-def]
    now = open_snapshot(ENGINE, snapshot_file)
    before = None if previous is None else open_snapshot(ENGINE, previous)
    return build_brief(ENGINE, now, owners=OWNERS, targets=TARGETS, previous=before, as_of=AS_OF)


def _write_full_brief(snapshot_file: Path, out_dir: Path) -> dict[str, Path | str]:
    """The brief's files with every input the example city has: targets, last year, the national peers."""
    return write_brief(
        ENGINE,
        snapshot_file,
        owners=OWNERS,
        targets=TARGETS,
        previous=CITY / "2024.yaml",
        out_dir=out_dir,
        peers=load_assessments(CITY / "nasional-2025.csv"),
        as_of=AS_OF,
    )


def _projected(levels: dict[str, int], actions: ActionLog, unit: str | None = None) -> dict[str, int]:
    out = dict(levels)
    for a in actions:
        if a.status in ("open", "in_progress") and a.aim is not None and (unit is None or a.unit == unit):
            out[a.indicator] = max(out[a.indicator], a.aim)
    return out


def test_now_is_the_snapshot_as_reported(snapshot_file: Path) -> None:
    b = _brief(snapshot_file)
    now_levels = {**BASE.levels, "12": 5, "22": 3}
    assert b.now.fraction == ENGINE.score(BASE.replace(levels=now_levels)).fraction
    assert b.meeting == "2025-04-10" and len(b.conflicts) == 2 and b.counts is not None


def test_projected_index_is_the_engines_score_of_the_projected_levels(snapshot_file: Path) -> None:
    b = _brief(snapshot_file)
    now_levels = dict(b.now.assessment.levels)
    expected = ENGINE.score(BASE.replace(levels=_projected(now_levels, LOG)))
    assert b.projected.fraction == expected.fraction and b.projected.predikat == expected.predikat
    assert b.projected.levels[b.now.compiled.position["11"]] == 5  # the open action's level
    assert b.projected.levels[b.now.compiled.position["24"]] == BASE.levels["24"]  # done: not projected
    assert b.projected.fraction > b.now.fraction
    for u in b.units:
        mine = ENGINE.score(BASE.replace(levels=_projected(now_levels, LOG, u.unit.id)))
        assert u.projected.fraction == mine.fraction, u.unit.id


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([str(i) for i in range(1, 48)]),
            st.sampled_from(["open", "in_progress", "done", "dropped"]),
            st.integers(1, 5),
        ),
        max_size=12,
    )
)
def test_projection_never_lowers_a_level_and_matches_the_engine(entries: list[tuple[str, str, int]]) -> None:
    own = ENGINE.accountability(BASE, owners=OWNERS).ownership
    log = ActionLog(
        entries=tuple(
            _action(f"X{n}", iid, own.lead_of(iid), status, None, level)
            for n, (iid, status, level) in enumerate(entries)
        )
    )
    from spbe_engine.monev.meeting import MeetingSnapshot

    snap = MeetingSnapshot(BASE, BASE, None, action_views(log))
    b = build_brief(ENGINE, snap, owners=OWNERS, as_of=AS_OF)
    expected = ENGINE.score(BASE.replace(levels=_projected(dict(BASE.levels), log)))
    assert b.projected.fraction == expected.fraction >= b.now.fraction


def test_progress_since_the_previous_meeting(snapshot_file: Path) -> None:
    b = _brief(snapshot_file)
    (prev,) = load_assessments(CITY / "2024.yaml")
    now_levels = {**BASE.levels, "12": 5, "22": 3}
    expected = {i: (prev.levels[i], v) for i, v in now_levels.items() if prev.levels[i] != v}
    assert {c.indicator: (c.before, c.after) for c in b.changes} == expected
    added = {(e.indicator, e.what) for e in b.evidence}
    assert ("22", "22.a.SK_Tim_Keamanan.pdf") in added  # a new evidence item
    assert ("12", "12.a.Peta_Rencana_2025.pdf") in added  # evidence a unit reported in its workbook
    assert b.previous is not None and b.previous.fraction == ENGINE.score(prev).fraction
    from spbe_engine.i18n import language

    with language("id"):  # the three indices with the reader's decimal mark
        line = b.summary()
    for r in (b.now, b.projected, b.previous):
        assert r.display.replace(".", ",") in line
    assert "." not in line.replace(str(BASE.subject), "").split(":", 1)[1], line
    # without a previous snapshot nothing is compared
    assert _brief(snapshot_file, previous=None).changes == ()


def test_open_and_overdue_actions(snapshot_file: Path) -> None:
    b = _brief(snapshot_file)
    assert [a.id for a in b.actions] == ["A1", "A2", "A5"]  # open ones only, overdue first
    assert [a.id for a in b.overdue] == ["A1"]
    bappeda = next(u for u in b.units if u.unit.id == "bappeda")
    assert [a.id for a in bappeda.overdue] == ["A1"]
    assert {c.kind for c in bappeda.conflicts} == {"level_disagreement"}  # it reported a disagreeing level


def test_brief_files_in_indonesian_by_default(tmp_path: Path, snapshot_file: Path) -> None:
    out = _write_full_brief(snapshot_file, tmp_path / "bahan")
    b = _brief(snapshot_file)
    now = b.now.display.replace(".", ",")
    projected = b.projected.display.replace(".", ",")
    html = Path(out["html"]).read_text(encoding="utf-8")
    md = Path(out["md"]).read_text(encoding="utf-8")
    for text in (html, md):
        for words in ("Bahan Rapat", "Ringkasan", "Domain dan aspek", "Kemajuan sejak rapat sebelumnya",
                      "Selisih terhadap target", "Rencana aksi terbuka dan terlambat", "Konflik",
                      "Peringkat provinsi", "terlambat", now, projected, "Rencana aksi A1"):  # fmt: skip
            assert words in text, words
        assert "Summary" not in text and "Target gaps" not in text
    assert '<html lang="id"' in html and "WIB" in html
    assert "indikator 6" in md and "diskominfo: 3" in md and "bappeda: 4" in md  # the level conflict, in Indonesian
    docx = pytest.importorskip("docx", reason="python-docx is not installed (the docx extra)")
    doc = docx.Document(str(out["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "Ringkasan" in headings and "Domain dan aspek" in headings and "Per perangkat daerah (OPD)" in headings
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert now in cells and any(projected in c for c in cells)
    assert any("terlambat" in c for c in cells) and "Rencana aksi A1" in cells
    groups = next(t for t in doc.tables if t.rows[0].cells[0].text == "Kelompok")
    d1 = next(r for r in groups.rows if r.cells[0].text == "D1")
    assert d1.cells[-4].text == b.now.groups["D1"].display.replace(".", ",")


def test_english_on_request(tmp_path: Path, snapshot_file: Path) -> None:
    out = write_brief(ENGINE, snapshot_file, owners=OWNERS, out_dir=tmp_path, lang="en", as_of=AS_OF)
    md = Path(out["md"]).read_text(encoding="utf-8")
    assert "## Summary" in md and _brief(snapshot_file).now.display in md and "Ringkasan" not in md


def test_without_python_docx_the_other_two_are_written(
    tmp_path: Path, snapshot_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # `import docx` raises ImportError
    out = write_brief(ENGINE, snapshot_file, owners=OWNERS, out_dir=tmp_path, as_of=AS_OF)
    assert Path(out["html"]).exists() and Path(out["md"]).exists()
    assert isinstance(out["docx"], str) and "python-docx" in out["docx"] and not (tmp_path / "brief.docx").exists()


def test_nothing_is_overwritten_without_force(tmp_path: Path, snapshot_file: Path) -> None:
    (tmp_path / "brief.md").write_text("catatan", encoding="utf-8")
    with pytest.raises(SpbeError, match="overwrite"):
        write_brief(ENGINE, snapshot_file, owners=OWNERS, out_dir=tmp_path)
    assert (tmp_path / "brief.md").read_text(encoding="utf-8") == "catatan"
    assert not (tmp_path / "brief.html").exists()  # refused before writing anything
    with pytest.raises(SpbeError, match="input"):
        write_brief(ENGINE, snapshot_file, owners=OWNERS, out_dir=snapshot_file.parent, overwrite=True,
                    actions=snapshot_file.parent / "brief.md")  # fmt: skip


def test_cli_brief_and_dashboard(tmp_path: Path, snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spbe_engine.cli.main import main

    args = ["--owners", str(OWNERS), "--targets", str(TARGETS), "--peers", str(CITY / "nasional-2025.csv")]
    assert (
        main(["brief", str(snapshot_file), "--previous", str(CITY / "2024.yaml"), *args, "-o", str(tmp_path / "b")])
        == 0
    )
    assert (tmp_path / "b" / "brief.md").read_text(encoding="utf-8").startswith("# Bahan Rapat")
    assert main(["brief", str(snapshot_file), *args, "-o", str(tmp_path / "b")]) == 2  # exists: --force
    assert main(["brief", str(snapshot_file), *args, "-o", str(tmp_path / "b"), "--force", "--lang", "en"]) == 0
    assert "## Summary" in (tmp_path / "b" / "brief.md").read_text(encoding="utf-8")
    assert main(["dashboard", str(snapshot_file), *args, "-o", str(tmp_path / "d.html")]) == 0
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert '<html lang="id"' in page and '"meeting"' not in page.split("spbe-data")[0]
    assert main(["dashboard", str(snapshot_file), "--owners", str(OWNERS), "-o", str(snapshot_file)]) == 2
    err = capsys.readouterr().err
    assert "input" in err and "Traceback" not in err


def test_brief_screenshots(tmp_path: Path, snapshot_file: Path) -> None:
    """The brief in a real browser at 1280 px and at a projector's 1024x768, kept in test-artifacts/."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the browser extra)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no Chromium on PATH (CI installs the distribution's `chromium` package)")
    out = _write_full_brief(snapshot_file, tmp_path)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        except Exception as exc:
            pytest.skip(f"Chromium does not start: {str(exc).splitlines()[0]}")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(Path(out["html"]).resolve().as_uri())
        page.screenshot(path=str(artifacts / "brief-1280.png"), full_page=True)
        page.set_viewport_size({"width": 1024, "height": 768})
        page.screenshot(path=str(artifacts / "brief-1024x768.png"))
        # nothing wider than the page: tables scroll inside their box
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        browser.close()


def test_full_cycle_workbooks_collect_brief_dashboard(tmp_path: Path) -> None:
    """Issue 14's acceptance on the example city, through the command line: workbooks out, two filled
    (one level conflict, one action), collect, then the brief (three formats) and the dashboard."""
    import json

    pytest.importorskip("openpyxl", reason="unit workbooks need the `excel` extra")
    from spbe_engine.cli.main import main
    from spbe_engine.monev.actions import status_label

    from .test_monev_cycle import fill  # as a person fills a unit workbook in Excel

    owners = ["--owners", str(OWNERS)]
    assert (
        main(["workbooks", str(CITY / "2025.yaml"), *owners, "--targets", str(TARGETS), "-o", str(tmp_path / "out")])
        == 0
    )
    fill(
        tmp_path / "out" / "bappeda.xlsx",
        {
            "11": {"progress": 4, "kendala": "SK belum ada", "rencana_aksi": "Susun SK arsitektur", "pic": "Kabid",
                   "due": dt.date(2025, 5, 31), "status": status_label("in_progress")},
            "13": {"progress": 3},
        },
    )  # fmt: skip
    fill(tmp_path / "out" / "diskominfo.xlsx", {"13": {"progress": 2}, "1": {"progress": 4, "evidence": "perwal.pdf"}})
    snap = tmp_path / "2025-04.yaml"
    assert main(["collect", str(tmp_path / "out"), *owners, "--base", str(CITY / "2025.yaml"), "--meeting",
                 "2025-04-10", "-o", str(snap)]) == 0  # fmt: skip
    common = [*owners, "--targets", str(TARGETS), "--peers", str(CITY / "nasional-2025.csv"), "--as-of", "2025-07-01"]
    assert main(["brief", str(snap), "--previous", str(CITY / "2025.yaml"), *common, "-o", str(tmp_path / "b")]) == 0
    md = (tmp_path / "b" / "brief.md").read_text(encoding="utf-8")
    assert "indikator 13" in md and "bappeda: 3" in md and "diskominfo: 2" in md  # the conflict, in Indonesian
    assert "Susun SK arsitektur" in md and "terlambat" in md  # the action, overdue on 2025-07-01
    assert "perwal.pdf" in md  # evidence added
    now = ENGINE.score(BASE.replace(levels={**BASE.levels, "1": 4, "11": 4}))
    assert f"Indeks SPBE: **{now.display.replace('.', ',')}**" in md
    b = build_brief(
        ENGINE, open_snapshot(ENGINE, snap), owners=OWNERS, previous=open_snapshot(ENGINE, CITY / "2025.yaml")
    )
    assert {(c.indicator, c.before, c.after) for c in b.changes} == {("1", 3, 4), ("11", 3, 4)}
    for name in ("brief.html", "brief.docx"):
        assert (tmp_path / "b" / name).stat().st_size > 1000
    assert main(["dashboard", str(snap), *common, "-o", str(tmp_path / "d.html")]) == 0
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    data = json.loads(page.split('id="spbe-data">')[1].split("</script>")[0])
    assert data["levels"] == list(now.levels)  # the page starts from the snapshot as reported
    assert [(a["indicator"], a["unit"], a["overdue"]) for a in data["actions"]] == [("11", "bappeda", True)]

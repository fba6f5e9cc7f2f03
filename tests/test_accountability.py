"""Accountability per unit, stages, monitoring over the years, ranking among peers, and reports."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine, SpbeError, load_assessments

from .conftest import ROOT, spbe2020
from .test_golden_2023 import level_vector, rows

CITY = ROOT / "examples" / "kota-contoh"
ENGINE = Engine()


@pytest.fixture(scope="module")
def city() -> list[Assessment]:
    return [*load_assessments(CITY / "2024.yaml", engine=ENGINE), *load_assessments(CITY / "2025.yaml", engine=ENGINE)]


def test_ownership_errors(tmp_path: Path) -> None:
    a = spbe2020([3] * 47)
    good = (CITY / "owners.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "owners.yaml"
    bad.write_text(good.replace('  "47": {lead: disdukcapil, support: [diskominfo]}\n', ""), encoding="utf-8")
    with pytest.raises(SpbeError, match=r"owners.yaml: field 'indicators': 1 indicator\(s\) have no lead unit: 47"):
        ENGINE.accountability(a, owners=bad)
    bad.write_text(good.replace("lead: disdukcapil", "lead: dukcapil"), encoding="utf-8")
    with pytest.raises(SpbeError, match=r"indicator 47: unknown unit 'dukcapil' \(allowed: bappeda, "):
        ENGINE.accountability(a, owners=bad)
    bad.write_text(good + '  "48": {lead: diskominfo}\n', encoding="utf-8")
    with pytest.raises(SpbeError, match=r"unknown indicator '48' for catalogue spbe-2020 \(allowed: 1–47\)"):
        ENGINE.accountability(a, owners=bad)
    csv = tmp_path / "owners.csv"
    csv.write_text(
        "indicator,lead,support\n" + "".join(f"{i},Diskominfo,Bappeda;Hukum\n" for i in range(1, 48)) + "5,Bappeda,\n",
        encoding="utf-8",
    )
    with pytest.raises(SpbeError, match=r"owners.csv: row 49: field 'lead': indicator 5 has more than one lead"):
        ENGINE.accountability(a, owners=csv)


def test_ownership_from_csv(tmp_path: Path) -> None:
    csv = tmp_path / "owners.csv"
    csv.write_text(
        "indicator;lead;support;contact\n"
        + "".join(f"{i};{'Bappeda' if i in (11, 12) else 'Diskominfo'};Hukum|Inspektorat;\n" for i in range(1, 48)),
        encoding="utf-8",
    )
    acc = ENGINE.accountability(spbe2020([3] * 47), owners=csv)
    assert {u.unit.id for u in acc.units} == {"Diskominfo", "Bappeda", "Hukum", "Inspektorat"}
    assert [x.indicator for x in acc.unit("Bappeda").lead] == ["11", "12"]
    assert len(acc.unit("Hukum").lines) == 47 and not acc.unit("Hukum").lead


def test_accountability_numbers(city: list[Assessment]) -> None:
    a = city[-1]
    acc = ENGINE.accountability(a, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", as_of=None)
    r = ENGINE.score(a)
    kominfo = acc.unit("diskominfo")
    line = next(x for x in kominfo.lead if x.indicator == "1")
    assert line.target == 4  # targets.yaml: "1": 4
    assert line.at_stake_target == Fraction((line.target - line.level) * 130, 10000)
    assert line.at_stake_max == Fraction((5 - line.level) * 130, 10000)
    assert line.evidence == {"pending": 1, "accepted": 1, "rejected": 0, "needs_revision": 0}
    stakes = [u.at_stake_target for u in acc.units]
    assert stakes == sorted(stakes, reverse=True)
    assert sum(u.at_stake_max for u in acc.units) == 5 - r.fraction  # every indicator has exactly one lead
    assert acc.plan is not None and acc.plan.target == 4  # the 2026 target after the 2025 assessment
    assert sum(u.plan_steps for u in acc.units) == len(acc.plan.steps)
    assert sum(u.plan_share for u in acc.units) == 1
    bkpsdm = acc.unit("bkpsdm")
    assert any(f.rule_id == "evidence-management" for f in bkpsdm.findings)  # indicator 25's rejected evidence
    stage_rows = kominfo.stage_rows()
    assert stage_rows and all(len(row) == 7 for row in stage_rows)
    gap = next(x for x in kominfo.lead if x.stages["self_assessment"] is not None)
    assert gap.stage_gap == gap.stages["self_assessment"] - gap.stages["final"]


def test_series_with_targets_and_a_catalogue_change(city: list[Assessment]) -> None:
    s = ENGINE.series(city, targets=CITY / "targets.yaml")
    assert [p.period for p in s.points] == ["2024", "2025"]
    assert [p.on_track for p in s.points] == [False, True]  # 2.67 < 2.80; 3.64 ≥ 3.50
    levels_2018 = {str(i): 3 for i in range(1, 35)} | {f"35-{k}": 3 for k in (1, 2, 3)}
    old = Assessment(catalogue="spbe-2018", subject="Pemerintah Kota Contoh", period="2020", levels=levels_2018)
    mixed = ENGINE.series([old, *city])
    first = mixed.points[0]
    assert first.migrated is not None and first.low <= first.high and "migrated" in mixed.rows()[0][2]
    with pytest.raises(SpbeError, match="follows one subject across periods"):
        ENGINE.series([*city, spbe2020([3] * 47, subject="Kota Lain")])


def test_riau_2023_ranking_puts_dumai_first() -> None:
    riau = [row for row in rows() if row["tabel_sumber"].endswith("Pemerintah Daerah di Riau")]
    assessments = []
    for row in riau:
        vector = level_vector(row)
        assert vector is not None
        a = spbe2020(vector, subject=row["nama_instansi"], period="2023")
        assessments.append(a.model_copy(update={"tags": {"province": "Pemerintah Daerah di Riau"}}))
    ranked = ENGINE.rank(assessments, within="province")
    assert [(x.subject, x.rank, x.display) for x in ranked[:2]] == [
        ("Pemerintah Kota Dumai", 1, "3.43"),
        ("Pemerintah Kota Pekanbaru", 2, "3.42"),
    ]
    ties = [x for x in ranked if x.display == "3.01"]  # Prov. Riau and Kab. Siak share a rank
    assert len(ties) == 2 and ties[0].rank == ties[1].rank
    after = next(x.rank for x in ranked if x.display < "3.01")
    assert after == ties[0].rank + 2  # and the next rank skips
    with pytest.raises(SpbeError, match="has no tag 'kabupaten'"):
        ENGINE.rank(assessments, within="kabupaten")


def test_report_files(tmp_path: Path, city: list[Assessment]) -> None:
    from spbe_engine.reports.write import write_report

    out = write_report(ENGINE, city, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", out_dir=tmp_path)
    html = Path(out["html"]).read_text(encoding="utf-8")
    assert 'id="summary"' in html and "3.64" in html and "Sangat Baik" in html
    assert html.count('<details id="unit-') == 15 and "<svg" in html and "http" not in html.split("<body>")[0]
    md = Path(out["md"]).read_text(encoding="utf-8")
    assert md.startswith("# SPBE report — Pemerintah Kota Contoh (2025)") and "### Dinas Kesehatan" in md
    with pytest.raises(SpbeError, match="refusing to overwrite an input file"):
        write_report(ENGINE, city, owners=tmp_path / "report.md", out_dir=tmp_path)


def test_report_renders_in_headless_chromium(tmp_path: Path, city: list[Assessment]) -> None:
    """Open the HTML in a real browser; save a screenshot as a test artifact."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("headless Chromium is not installed (CI installs the distribution's `chromium` package)")
    from spbe_engine.reports.write import write_report

    out = write_report(ENGINE, city, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", out_dir=tmp_path)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = Path(out["html"]).resolve().as_uri()
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert 'id="summary"' in dom.stdout and dom.stdout.count('class="unit-table"') == 15
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "report.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1280,2400", url],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


def test_ownership_and_targets_objects_are_checked_too() -> None:
    from spbe_engine import Ownership, Responsibility, Targets, Unit

    a = spbe2020([3] * 47)
    units = (Unit(id="kominfo", name="Diskominfo"),)
    partial = Ownership(
        catalogue="spbe-2020",
        units=units,
        indicators=tuple(Responsibility(indicator=str(i), lead="kominfo") for i in range(1, 47)),
    )
    with pytest.raises(SpbeError, match="1 indicator\\(s\\) have no lead unit: 47"):
        ENGINE.accountability(a, owners=partial)
    other = Ownership(catalogue="pemdi-2026", units=units, indicators=())
    with pytest.raises(SpbeError, match="ownership is for catalogue pemdi-2026"):
        ENGINE.accountability(a, owners=other)
    full = Ownership(
        catalogue="spbe-2020",
        units=units,
        indicators=tuple(Responsibility(indicator=str(i), lead="kominfo") for i in range(1, 48)),
    )
    with pytest.raises(SpbeError, match=r"target level 9 of indicator 1 is outside its scale \(allowed: 1–5\)"):
        ENGINE.accountability(a, owners=full, targets=Targets(levels={"1": 9}))
    assert ENGINE.accountability(a, owners=full, targets=Targets(levels={"1": 5})).unit("kominfo").lead[0].target == 5


def test_monitoring_with_partial_assessments(tmp_path: Path, city: list[Assessment]) -> None:
    """Mid-year, some indicators are not assessed yet: every monitoring API takes a missing policy."""
    a = city[-1]
    partial = Assessment(**{**dict(a), "levels": {k: v for k, v in a.levels.items() if int(k) <= 40}})
    with pytest.raises(SpbeError, match="not assessed"):
        ENGINE.accountability(partial, owners=CITY / "owners.yaml")
    acc = ENGINE.accountability(partial, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", missing="minimum")
    assert acc.result.partial and acc.unit("dinkes").lead[0].level == 1  # 46 not assessed: at the minimum
    assert acc.summary().startswith(acc.result.summary()) and "(partial)" in acc.summary()  # not shown as official
    assert "(sebagian)" in acc.summary("id") and "," in acc.summary("id").split(":")[1]  # its decimal comma too
    assert ENGINE.series([city[0], partial], missing="minimum").points[-1].result.partial
    assert ENGINE.what_if(partial, levels={"1": 5}, missing="minimum").after.partial
    assert ENGINE.plan(partial, "Memuaskan", missing="minimum").feasible
    assert ENGINE.simulate(partial, n=10, missing="minimum").result.partial
    assert ENGINE.marginal_impact(partial, missing="minimum").result.partial
    assert ENGINE.rank([partial], missing="minimum")[0].rank == 1
    from spbe_engine.cli.main import main

    p = tmp_path / "partial.yaml"
    from spbe_engine import write_assessments

    write_assessments(p, [partial])
    out = tmp_path / "out"
    assert (
        main(["report", str(p), "--owners", str(CITY / "owners.yaml"), "--missing", "minimum", "--out", str(out)]) == 0
    )
    assert (out / "report.html").exists()


def test_report_in_bahasa_indonesia(tmp_path: Path, city: list[Assessment]) -> None:
    from spbe_engine.reports.write import write_report

    out = write_report(
        ENGINE, city, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", out_dir=tmp_path, lang="id"
    )
    html = Path(out["html"]).read_text(encoding="utf-8")
    assert '<html lang="id">' in html and "Perangkat daerah dalam Tim SPBE" in html
    assert "potensi kenaikan (ke target)</th>" in html and '<td class="narrow">penanggung jawab</td>' in html
    assert "dipertaruhkan" not in html  # issue 13: the odd "poin dipertaruhkan" is gone
    assert "Alasan Sangat Baik" in html  # the explanation in Bahasa Indonesia
    md = Path(out["md"]).read_text(encoding="utf-8")
    assert (
        md.startswith("# Laporan SPBE — Pemerintah Kota Contoh (2025)")
        and "| 2024 | spbe-2020 | 2,67 | Baik | 2,80 | tidak |" in md
    )
    with pytest.raises(SpbeError, match="unknown language 'fr'"):
        write_report(ENGINE, city, owners=CITY / "owners.yaml", out_dir=tmp_path / "x", lang="fr")


def test_report_workbook_speaks_the_reports_language(tmp_path: Path) -> None:
    """`spbe report --lang id` writes the workbook's labels in Bahasa Indonesia too, as the HTML."""
    import openpyxl

    from spbe_engine.cli.main import main

    assert main([
        "report", str(CITY / "2024.yaml"), str(CITY / "2025.yaml"),
        "--owners", str(CITY / "owners.yaml"), "--out", str(tmp_path / "id"), "--lang", "id",
    ]) == 0  # fmt: skip
    wb = openpyxl.load_workbook(tmp_path / "id" / "report.xlsx")
    labels = [row[0].value for row in wb["Ringkasan"].iter_rows(max_col=1)]
    assert labels[:5] == ["Laporan SPBE", "periode", "katalog", "indeks", "indeks (eksak)"]
    assert [row[1].value for row in wb["Ringkasan"].iter_rows(max_col=2)][6].startswith("Target Memuaskan: 21 langkah")
    assert [c.value for c in wb["Indikator"][1]][:3] == ["indikator", "nama", "tingkat"]
    assert [c.value for c in wb["diskominfo"][1]][:3] == ["indikator", "nama", "peran"]

"""The `spbe` command: output people read, and one-line errors with exit code 2 on bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from spbe_engine.cli.main import main

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", str(EXAMPLE))
    assert code == 0 and err == ""
    line = next(line for line in out.splitlines() if line.startswith("Pemerintah Kota Dumai"))
    assert line.split()[-6:] == ["Sangat", "Baik", "4.30", "3.60", "2.36", "4.51"]
    assert "3.90" in line


def test_score_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--format", "json")
    (data,) = json.loads(out)
    assert code == 0 and data["display"] == "3.90" and data["groups"]["D3"]["display"] == "2.36"
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["display"] == "3.90" and row["predikat"] == "Sangat Baik" and row["A8"] == "4.67"


def test_score_explain_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "score", str(EXAMPLE), "--explain")
    assert "Why Sangat Baik" in out
    _, out, _ = run(capsys, "score", str(EXAMPLE), "--explain", "--lang", "id")
    assert "Alasan Sangat Baik" in out and "3,90" in out


def test_weighting_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--weighting", "equal")
    assert code == 0 and "weighting equal" in out


@pytest.mark.parametrize(
    ("content", "suffix", "fragment"),
    [
        (
            "catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 9}\n",
            ".yaml",
            "field 'levels.1': level 9 is outside the scale",
        ),
        ("catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 3}\n", ".yaml", "46 indicator(s) not assessed"),
        ("subject,period\nA,1\n", ".csv", "missing column 'catalogue'"),
        ("levels: [", ".yaml", "invalid YAML"),
        ("catalogue: nope\nsubject: A\nperiod: '1'\nlevels: {1: 3}\n", ".yaml", "unknown catalogue 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, suffix: str, fragment: str
) -> None:
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(content, encoding="utf-8")
    before = bad.read_bytes()
    code, out, err = run(capsys, "score", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("spbe: error: ") and fragment in err and str(bad) in err
    assert "Traceback" not in err
    assert bad.read_bytes() == before  # nothing the user gave is touched


def test_partial_with_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "partial.yaml"
    p.write_text("catalogue: spbe-2020\nsubject: Kota A\nperiod: '2025'\nlevels: {1: 3, 2: 4}\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(p), "--missing", "minimum")
    assert code == 0 and "Kota A (partial)" in out
    code, out, _ = run(capsys, "validate", str(p))
    assert code == 0 and "OK, 1 assessment(s) (1 partial)" in out


def test_validate_catalogues_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(EXAMPLE))
    assert code == 0 and "OK, 1 assessment(s)" in out
    code, out, _ = run(capsys, "catalogues")
    assert code == 0 and "spbe-2020" in out and "spbe-2018" in out and "PermenPANRB 59/2020" in out
    code, out, _ = run(capsys, "show", "spbe-2020")
    assert (
        code == 0
        and "D4  Layanan SPBE  [domain, weight 45.50]" in out
        and "47  Tingkat Kematangan Layanan Publik Sektor 3" in out
    )
    assert "Memuaskan ≥ 4.2" in out
    code, out, _ = run(capsys, "show", "spbe-2020", "--format", "json")
    assert json.loads(out)["id"] == "spbe-2020"
    code, _, err = run(capsys, "show", "spbe-1999")
    assert (
        code == 2
        and "unknown catalogue 'spbe-1999'; a plugin's catalogue appears once the plugin is installed (allowed: " in err
        and "spbe-2018, spbe-2020" in err
    )


def test_console_script_runs_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spbe_engine", "score", str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "3.90" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "spbe_engine", "score", "/nonexistent.yaml"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and proc.stderr.strip() == "spbe: error: /nonexistent.yaml: no such file"


EVIDENCE = ROOT / "examples" / "evidence-kota-contoh.yaml"


def test_check_lists_findings_and_exits_1_on_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(EVIDENCE), "--as-of", "2024-06-30")
    assert code == 1 and err == ""
    assert "evidence-policy" in out and "heuristic-policy-23" in out and "sector-services-distinct" in out
    assert "1.b.Laporan_Reviu_Kebijakan.pdf (2022-05-10) is not under 2 year(s) old on 2024-06-30" in out
    code, out, _ = run(capsys, "check", str(EVIDENCE), "--as-of", "2024-06-30", "--format", "json", "--lang", "id")
    (data,) = json.loads(out)
    assert {f["severity"] for f in data["findings"]} == {"error", "warning"}
    assert any("tidak lazim" in f["message"] for f in data["findings"])


def test_check_exits_0_with_only_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "warn.yaml"
    levels = {i: 3 for i in range(1, 48)} | {11: 4, 1: 1}
    p.write_text(
        json.dumps({"catalogue": "spbe-2020", "subject": "K", "period": "2024", "levels": levels}), encoding="utf-8"
    )
    code, out, _ = run(capsys, "check", str(p))
    assert code == 0 and "0 errors, 1 warning" in out and "heuristic-policy-11" in out


def test_check_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "ev.yaml"
    p.write_text(
        "catalogue: spbe-2020\nsubject: K\nperiod: '1'\nlevels: {1: 3}\n"
        "evidence: {1: [{id: a, level: 2, kind: selfie, status: accepted}]}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1 and "unknown kind 'selfie'" in err and str(p) in err


def test_graph_dot_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "spbe-2020", "--impact", "1")
    assert code == 0 and out.startswith('digraph "spbe-2020"') and '"rule:heuristic-policy-11" -> "11"' in out
    assert '"45"' not in out
    code, out, _ = run(capsys, "graph", "spbe-2020", "--format", "json")
    data = json.loads(out)
    assert sum(n["kind"] == "indicator" for n in data["nodes"]) == 47
    code, _, err = run(capsys, "graph", "spbe-2020", "--impact", "99")
    assert code == 2 and "unknown node '99'" in err


def test_whatif_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "whatif", str(EXAMPLE), "--set", "23=4", "--set", "24=4")
    assert code == 0 and "23=4, 24=4: index 3.90 → 3.94" in out and "D3       2.36   2.64  +0.27  Cukup" in out
    code, out, _ = run(capsys, "whatif", str(EXAMPLE), "--weight", "45=6.00", "--format", "json")
    (data,) = json.loads(out)
    assert data["after"]["weighting"] == "custom" and data["before"]["display"] == "3.90"
    peers = tmp_path / "peers.csv"
    ids = [str(i) for i in range(1, 48)]
    peers.write_text(
        "subject,period,catalogue,"
        + ",".join(ids)
        + "\n"
        + "Kota Pekanbaru,2024,spbe-2020,"
        + ",".join(["4"] * 47)
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "whatif", str(EXAMPLE), "--set", "1=5", "--peers", str(peers))
    assert code == 0 and "rank 2 → 2 of 2" in out
    code, _, err = run(capsys, "whatif", str(EXAMPLE), "--set", "23")
    assert code == 2 and "--set '23' is not of the form ID=VALUE" in err
    code, _, err = run(capsys, "whatif", str(EXAMPLE), "--set", "23=9")
    assert code == 2 and "level 9" in err


def test_plan_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", str(EXAMPLE), "--target", "Memuaskan", "--max-steps", "5", "--periods", "3")
    assert code == 0 and "Target Memuaskan: 12 step(s), total cost 12" in out and "→ 4.22 (Memuaskan)" in out
    costs = tmp_path / "costs.yaml"
    costs.write_text("default: 2\n46: {5: 1}\n47: {5: 1}\n", encoding="utf-8")
    code, out, _ = run(capsys, "plan", str(EXAMPLE), "--target", "3.96", "--costs", str(costs), "--format", "json")
    (data,) = json.loads(out)
    assert data["feasible"] and data["total_cost"] == "4" and {s["indicator"] for s in data["steps"]} >= {"46", "47"}
    code, out, _ = run(capsys, "plan", str(EXAMPLE), "--target", "5", "--max-level", "4")
    assert code == 1 and "not reachable" in out
    costs.write_text("99: 1\n", encoding="utf-8")
    code, _, err = run(capsys, "plan", str(EXAMPLE), "--target", "4.2", "--costs", str(costs))
    assert code == 2 and "costs.yaml" in err and "unknown indicator '99'" in err


def test_simulate_cli(capsys: pytest.CaptureFixture[str]) -> None:
    staged = ROOT / "examples" / "stages-kota-contoh.yaml"
    code, out, _ = run(capsys, "simulate", str(staged), "--n", "2000", "--seed", "3")
    assert code == 0 and "2000 samples, seed 3" in out and "Baik" in out
    code, out, _ = run(
        capsys, "simulate", str(staged), "--n", "2000", "--seed", "3", "--format", "json", "--backend", "python"
    )
    (py,) = json.loads(out)
    code, out, _ = run(capsys, "simulate", str(staged), "--n", "2000", "--seed", "3", "--format", "json")
    (auto,) = json.loads(out)
    assert py["predikat_probabilities"] == auto["predikat_probabilities"] and py["quantiles"] == auto["quantiles"]


def test_duplicates_across_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", str(EXAMPLE), str(EXAMPLE))
    assert code == 2 and "duplicate assessment of 'Pemerintah Kota Dumai' for period 2024" in err


def test_explain_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--format", "json", "--explain", "--lang", "id")
    (data,) = json.loads(out)
    assert code == 0 and "Alasan Sangat Baik" in data["explanation"]


def test_report_and_template_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl", reason="the Excel workbook needs spbe_engine[excel]")
    city = ROOT / "examples" / "kota-contoh"
    out = tmp_path / "out"
    code, text, err = run(
        capsys,
        "report",
        str(city / "2024.yaml"),
        str(city / "2025.yaml"),
        "--owners",
        str(city / "owners.yaml"),
        "--targets",
        str(city / "targets.yaml"),
        "--out",
        str(out),
    )
    assert code == 0 and err == "" and {p.name for p in out.iterdir()} == {"report.html", "report.md", "report.xlsx"}
    code, text, _ = run(capsys, "score", str(out / "report.xlsx"))
    assert code == 0 and "Pemerintah Kota Contoh  2025     3.64  Sangat Baik" in text
    blank = tmp_path / "blank.xlsx"
    assert run(capsys, "template", "spbe-2020", str(blank))[0] == 0 and blank.exists()
    code, _, err = run(capsys, "template", "spbe-2020", str(blank))
    assert code == 2 and "refusing to overwrite an existing file (use --force)" in err
    assert run(capsys, "template", "spbe-2020", str(blank), "--force")[0] == 0
    clash = tmp_path / "report.md"
    clash.write_text("my notes", encoding="utf-8")
    code, _, err = run(capsys, "report", str(city / "2025.yaml"), "--owners", str(clash), "--out", str(tmp_path))
    assert (
        code == 2 and "refusing to overwrite an input file" in err and clash.read_text(encoding="utf-8") == "my notes"
    )


def test_migrate_writes_the_migrated_assessment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pemdi.yaml"
    code, _, err = run(capsys, "migrate", str(EXAMPLE), "--to", "pemdi-2026", "--out", str(out))
    if code == 2 and "unknown catalogue 'pemdi-2026'" in err:
        pytest.skip("the spbe-pemdi plugin is not installed")
    assert code == 0 and "migrated assessment(s) written to" in err
    code, text, _ = run(capsys, "validate", str(out))
    assert code == 0 and "partial" in text
    assert run(capsys, "migrate", str(EXAMPLE), "--to", "pemdi-2026", "--out", str(out))[0] == 2  # no overwrite


def test_check_says_when_no_evidence_was_given(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLE))
    assert code == 0 and "(no evidence given, so the evidence rules were not checked)" in out


def test_csv_headers_are_case_insensitive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "t.csv"
    ids = [str(i) for i in range(1, 48)]
    p.write_text(
        "Subject,Period,Catalogue," + ",".join(ids) + "\nKota,2024,spbe-2020," + ",".join(["3"] * 47) + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "score", str(p))
    assert code == 0 and "Kota" in out and "3.00" in out

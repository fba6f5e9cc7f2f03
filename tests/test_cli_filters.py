"""`spbe rank`, `--subject`/`--where` on every command that reads assessments, and no silent
surprises: flag errors name the flag, `--explain` with CSV, `simulate` on a CSV."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine.cli.main import main

from .conftest import ROOT
from .test_golden_2023 import level_vector, rows

EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"
RIAU = "Pemerintah Daerah di Riau"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2023 rows of Riau and of one other province, as one national CSV tagged by province."""
    chosen = [r for r in rows() if r["tabel_sumber"].endswith(RIAU)]
    other = next(r["tabel_sumber"] for r in rows() if not r["tabel_sumber"].endswith(RIAU))
    chosen += [r for r in rows() if r["tabel_sumber"] == other][:5]
    lines = [";".join(["subject", "period", "catalogue", "tag:province", *map(str, range(1, 48))])]
    for r in chosen:
        vector = level_vector(r)
        if vector is None:
            continue
        province = RIAU if r["tabel_sumber"].endswith(RIAU) else "Lain"
        lines.append(";".join([r["nama_instansi"], "2023", "spbe-2020", province, *map(str, vector)]))
    path = tmp_path_factory.mktemp("national") / "nasional.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- spbe rank -----------------------------------------------------------------------------------


def test_rank_within_province_shares_ranks_with_group_sizes_and_gaps(
    capsys: pytest.CaptureFixture[str], national: Path
) -> None:
    code, out, err = run(capsys, "rank", str(national), "--within", "province", "--format", "csv")
    assert code == 0 and err == ""
    header, *body = list(csv.reader(io.StringIO(out)))
    assert header[1:] == ["subject", "period", "group", "index", "predikat", "of", "gap"]
    table = [dict(zip(header, row, strict=True)) | {"rank": row[0]} for row in body]  # the rank comes first
    riau = [r for r in table if r["group"] == RIAU]
    assert [(r["subject"], r["rank"], r["index"]) for r in riau[:2]] == [
        ("Pemerintah Kota Dumai", "1", "3.43"),
        ("Pemerintah Kota Pekanbaru", "2", "3.42"),
    ]
    assert {r["of"] for r in riau} == {str(len(riau))}
    assert riau[0]["gap"] == "" and riau[1]["gap"] == "0.01"
    ties = [r for r in riau if r["index"] == "3.01"]  # Prov. Riau and Kab. Siak share a rank
    assert len(ties) == 2 and ties[0]["rank"] == ties[1]["rank"] and ties[0]["gap"] == ties[1]["gap"]
    after = riau[riau.index(ties[1]) + 1]
    assert int(after["rank"]) == int(ties[0]["rank"]) + 2 and after["gap"] != "0.00"
    others = [r for r in table if r["group"] == "Lain"]
    assert others and others[0]["rank"] == "1" and {r["of"] for r in others} == {str(len(others))}


def test_rank_table_and_json(capsys: pytest.CaptureFixture[str], national: Path) -> None:
    code, out, _ = run(capsys, "rank", str(national), "--within", "province", "--where", f"province={RIAU}")
    lines = out.splitlines()
    assert code == 0 and "ranked on the published 2-decimal index" in lines[0]
    first = next(line for line in lines if "Pemerintah Kota Dumai" in line)
    assert first.split()[0] == "1" and "3.43" in first
    code, out, _ = run(capsys, "rank", str(national), "--by", "index", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["by"] == "index" and data["within"] is None
    top, second = data["ranking"][:2]
    assert top["rank"] == 1 and top["gap"] is None and top["group_size"] == len(data["ranking"])
    assert Fraction(second["gap"]) == Fraction(top["index"]) - Fraction(second["index"])  # exact


# --- --subject and --where ----------------------------------------------------------------------


def test_subject_picks_one_agency_of_a_national_file(capsys: pytest.CaptureFixture[str], national: Path) -> None:
    code, out, _ = run(capsys, "score", str(national), "--subject", "dumai", "--format", "csv")
    assert code == 0 and [r["subject"] for r in csv.DictReader(io.StringIO(out))] == ["Pemerintah Kota Dumai"]
    code, out, _ = run(
        capsys, "score", str(national), "--subject", "DUMAI", "--subject", "pekanbaru", "--format", "csv"
    )
    subjects = [r["subject"] for r in csv.DictReader(io.StringIO(out))]
    assert subjects == ["Pemerintah Kota Dumai", "Pemerintah Kota Pekanbaru"] or sorted(subjects) == sorted(
        ["Pemerintah Kota Dumai", "Pemerintah Kota Pekanbaru"]
    )
    code, out, _ = run(capsys, "plan", str(national), "--subject", "dumai", "--target", "Sangat Baik")
    assert code == 0 and out.startswith("Pemerintah Kota Dumai (2023)") and "Pekanbaru" not in out
    for command in (["whatif", "--set", "1=5"], ["simulate", "--n", "10"], ["migrate", "--to", "pemdi-2026"]):
        code, out, _ = run(capsys, command[0], str(national), "--subject", "dumai", *command[1:])
        assert code == 0 and "Dumai" in out and "Pekanbaru" not in out, command


def test_where_filters_on_tags(capsys: pytest.CaptureFixture[str], national: Path) -> None:
    code, out, _ = run(capsys, "score", str(national), "--where", "province=lain", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and table and "Pemerintah Kota Dumai" not in {r["subject"] for r in table}
    code, out, _ = run(capsys, "validate", str(national), "--where", f"province={RIAU}", "--subject", "dumai")
    assert code == 0 and "OK, 1 assessment(s)" in out
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--where", "province=Riau")
    assert code in (0, 1) and "Pemerintah Kota Dumai" in out
    code, out, _ = run(capsys, "transition", str(national), "--to", "pemdi-2026", "--subject", "dumai")
    assert code == 0 and out.startswith("spbe-2020 → pemdi-2026: 1 ") and "Pekanbaru" not in out


def test_no_match_is_one_line_naming_the_filter(capsys: pytest.CaptureFixture[str], national: Path) -> None:
    code, out, err = run(capsys, "score", str(national), "--subject", "atlantis")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--subject 'atlantis'" in err and "assessment(s) read" in err
    assert str(national) not in err.split("--subject")[0]  # the filter is at fault, not the file
    code, _, err = run(capsys, "rank", str(national), "--where", "province=Aceh")
    assert code == 2 and "--where province=Aceh" in err and err.count("\n") == 1
    code, _, err = run(capsys, "score", str(national), "--where", "province")
    assert code == 2 and "--where 'province' is not of the form KEY=VALUE" in err


# --- no silent surprises -------------------------------------------------------------------------


def test_flag_errors_name_the_flag_not_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "whatif", str(EXAMPLE), "--set", "11=9")
    assert code == 2 and err.startswith("spbe: error: --set 11=9: ") and "level 9" in err
    assert str(EXAMPLE) not in err
    code, _, err = run(capsys, "whatif", str(EXAMPLE), "--set", "99=3")
    assert code == 2 and err.startswith("spbe: error: --set 99=3: ") and str(EXAMPLE) not in err
    code, _, err = run(capsys, "whatif", str(EXAMPLE), "--set", "11=x")
    assert code == 2 and err.startswith("spbe: error: --set 11=x: ") and str(EXAMPLE) not in err


def test_explain_with_csv_adds_an_explanation_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--format", "csv", "--explain", "--lang", "id")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["display"] == "3.90" and "Alasan Sangat Baik" in row["explanation"]


def test_simulate_on_csv_says_csv_carries_no_stages(capsys: pytest.CaptureFixture[str], national: Path) -> None:
    code, out, err = run(capsys, "simulate", str(national), "--subject", "dumai", "--n", "10")
    assert code == 0 and "0 uncertain indicator(s)" in out
    assert err.count("\n") == 1 and "CSV" in err and "stages" in err
    code, _, err = run(capsys, "simulate", str(EXAMPLE), "--n", "10")
    assert code == 0 and err == ""


def test_validate_reports_every_problem_of_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13 item 6: a sheet with three bad rows needs one round of fixes, not three."""
    from spbe_engine.cli.main import main

    header = "subject,period,catalogue," + ",".join(str(i) for i in range(1, 48))
    row = ",".join(["3"] * 47)
    lines = [header, f"Kota 1,2024,spbe-2020,{row}", f"Kota 2,2024,spbe-2020,{row[:-1]}9",
             f"Kota 3,2024,spbe-2020,tinggi{row[1:]}", f"Kota 1,2024,spbe-2020,{row}", f"Kota 5,2024,spbe-2020,{row}"]  # fmt: skip
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "ok.csv").write_text("\n".join([header, f"Kota 9,2024,spbe-2020,{row}"]) + "\n", encoding="utf-8")
    code = main(["validate", str(tmp_path / "bad.csv"), str(tmp_path / "ok.csv")])
    out, err = capsys.readouterr()
    assert code == 2
    problems = err.strip().splitlines()
    assert [p.split(": ")[3] for p in problems] == ["row 3", "row 4", "row 5"]
    assert "level 9 is outside the scale of indicator 47" in problems[0] and "'tinggi'" in problems[1]
    assert "duplicate assessment of 'Kota 1'" in problems[2]
    assert "bad.csv: 3 problem(s) in 4 assessment(s) read" in out
    code = main(["validate", str(tmp_path / "bad.csv"), "--limit", "1"])
    _, err = capsys.readouterr()
    assert code == 2 and err.strip().splitlines()[-1].endswith("… and 2 more problem(s) (--limit 1)")
    assert main(["validate", str(tmp_path / "ok.csv")]) == 0

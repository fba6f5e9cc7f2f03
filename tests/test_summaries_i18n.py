"""One sentence per result: each result's `summary()` speaks the current language (numbers as the
language writes them: "3,90" in Bahasa Indonesia), and the command line and the report print exactly
that sentence — no second or third wording of it elsewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine, load_assessments

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"
ENGINE = Engine()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from spbe_engine.reports.write import write_report

    city = [a for f in ("2024.yaml", "2025.yaml") for a in load_assessments(CITY / f, engine=ENGINE)]
    out = {}
    for lang in ("id", "en"):
        folder = tmp_path_factory.mktemp("rep") / lang
        write_report(
            ENGINE, city, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", out_dir=folder, lang=lang
        )
        out[lang] = folder
    return out


def test_the_report_plan_line_writes_a_numeric_target_as_the_language_does(reports: dict[str, Path]) -> None:
    for name in ("report.html", "report.md"):
        text = (reports["id"] / name).read_text(encoding="utf-8")
        assert "Target 4,00: 13 langkah, total biaya 13; indeks 3,64 (Sangat Baik) → 4,01 (Sangat Baik)" in text, name
        assert "Target 4.00" not in text, name
        english = (reports["en"] / name).read_text(encoding="utf-8")
        assert "Target 4.00: 13 step(s), total cost 13; index 3.64 (Sangat Baik) → 4.01 (Sangat Baik)" in english, name


def test_the_workbook_plan_line_is_the_plan_summary(reports: dict[str, Path]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(reports["id"] / "report.xlsx")
    texts = [str(c.value) for row in wb["Ringkasan"].iter_rows() for c in row if c.value is not None]
    assert any(re.match(r"Target 4,00: 13 langkah", t) for t in texts), texts


# -- the command line prints each result's summary() as it is ---------------------------------------

EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"
STAGES = ROOT / "examples" / "stages-kota-contoh.yaml"
EVIDENCE = ROOT / "examples" / "evidence-kota-contoh.yaml"
DECIMAL_COMMA = re.compile(r"\d,\d\d")


def _spbe2018(tmp: Path) -> Path:
    import yaml

    ids = ENGINE.compiled("spbe-2018").ids
    data = {"catalogue": "spbe-2018", "subject": "Kota Contoh", "period": "2020", "levels": dict.fromkeys(ids, 3)}
    path = tmp / "kota-2018.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    from spbe_engine.cli.main import main
    from spbe_engine.i18n import language

    with language("en"):  # the command sets the language itself; keep it from leaking into this test
        main(list(args))
    return capsys.readouterr().out


def _one(path: Path):  # type: ignore[no-untyped-def]
    return load_assessments(path, engine=ENGINE)[0]


CASES: dict[str, tuple[list[str], Any, list[str]]] = {
    # name: (command line, the result as the library makes it, Indonesian words its summary must use)
    "plan": (
        ["plan", str(EXAMPLE), "--target", "4.2"],
        lambda tmp: ENGINE.plan(_one(EXAMPLE), "4.2"),
        ["langkah", "total biaya", "indeks"],
    ),
    "plan, infeasible": (
        ["plan", str(EXAMPLE), "--target", "4.8", "--max-steps", "2"],
        lambda tmp: ENGINE.plan(_one(EXAMPLE), "4.8", max_steps_per_period=2),
        ["tidak dapat dicapai"],
    ),
    "whatif": (
        ["whatif", str(EXAMPLE), "--set", "21=4", "--set", "22=4"],
        lambda tmp: ENGINE.what_if(_one(EXAMPLE), levels={"21": 4, "22": 4}),
        ["indeks"],
    ),
    "simulate": (
        ["simulate", str(STAGES), "-n", "2000"],
        lambda tmp: ENGINE.simulate(_one(STAGES), n=2000, seed=1),
        ["sampel", "benih", "indikator belum pasti", "rata-rata"],
    ),
    "diff": (
        ["diff", "spbe-2018", "spbe-2020"],
        lambda tmp: ENGINE.diff("spbe-2018", "spbe-2020"),
        ["indikator dipadankan menurut", "tabel padanan", "kelompok"],
    ),
    "migrate": (
        ["migrate", "{spbe2018}", "--to", "spbe-2020"],
        lambda tmp: ENGINE.migrate(_one(_spbe2018(tmp)), to="spbe-2020"),
        ["indeks", "indikator baru"],
    ),
    "transition": (
        ["transition", "{spbe2018}", "--to", "spbe-2020"],
        lambda tmp: ENGINE.transition([_one(_spbe2018(tmp))], to="spbe-2020"),
        ["instansi", "pasti naik"],
    ),
    "check": (
        ["check", str(EVIDENCE), "--as-of", "2024-06-30"],
        lambda tmp: ENGINE.check(_one(EVIDENCE), as_of=__import__("datetime").date(2024, 6, 30)),
        ["kesalahan", "peringatan"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_summary_speaks_indonesian_and_is_what_the_cli_prints(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spbe_engine.i18n import language

    argv, make, words = CASES[name]
    argv = [a.replace("{spbe2018}", str(_spbe2018(tmp_path))) for a in argv]
    result: Any = make(tmp_path)
    with language("id"):
        indonesian = result.summary()
    english = result.summary()  # the current language: English
    assert result.summary(lang="id") == indonesian and result.summary(lang="en") == english
    for word in words:
        assert word in indonesian, (word, indonesian)
    if re.search(r"\d\.\d\d", english):
        assert DECIMAL_COMMA.search(indonesian) and not re.search(r"\d\.\d\d", indonesian), indonesian
    assert indonesian != english
    printed = _cli(capsys, *argv, "-l", "id").splitlines()
    assert any(line == indonesian or line.endswith(" — " + indonesian) for line in printed), (indonesian, printed[:3])
    printed = _cli(capsys, *argv).splitlines()
    assert any(line == english or line.endswith(" — " + english) for line in printed), (english, printed[:3])


def test_english_summaries_are_unchanged() -> None:
    dumai = _one(EXAMPLE)
    assert ENGINE.what_if(dumai, levels={21: 4, 22: 4}).summary() == "21=4, 22=4: index 3.90 → 3.93 (+0.03)"
    assert ENGINE.plan(dumai, "Memuaskan").summary() == (
        "Target Memuaskan: 12 step(s), total cost 12; index 3.90 (Sangat Baik) → 4.22 (Memuaskan)"
    )
    indonesian = ENGINE.plan(dumai, "4.2").summary(lang="id")
    assert indonesian.startswith("Target 4,20: ") and "4.20" not in indonesian


def test_a_scenario_table_and_weight_sensitivity_speak_the_language() -> None:
    from spbe_engine.i18n import language
    from spbe_engine.whatif.scenario import ScenarioTable

    dumai = _one(EXAMPLE)
    table = ScenarioTable((ENGINE.what_if(dumai, levels={21: 4}), ENGINE.what_if(dumai, weighting="equal")))
    assert table.summary().startswith("Pemerintah Kota Dumai (2024): index 3.90 (Sangat Baik) now; 21=4 3.9")
    with language("id"):
        assert table.summary().startswith("Pemerintah Kota Dumai (2024): indeks saat ini 3,90 (Sangat Baik); 21=4 3,9")
        assert ScenarioTable(()).summary() == "tidak ada skenario"

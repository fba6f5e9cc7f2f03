"""The Pemdi 2026 plugin, installed as a separate distribution and found through entry points only;
the 2018 → 2020 diff; migration of the whole official 2023 table to Pemdi."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from importlib import metadata
from pathlib import Path

import pytest

from spbe_engine import Assessment, AssessmentError, Engine

from .conftest import ROOT, spbe2020
from .test_golden_2023 import level_vector, rows

ENGINE = Engine()  # built-ins + installed plugins (the README's test command installs spbe-pemdi)


def test_pemdi_comes_from_an_installed_distribution_through_entry_points() -> None:
    eps = [ep for ep in metadata.entry_points(group="spbe_engine") if ep.value == "spbe_pemdi"]
    assert eps and eps[0].dist is not None and eps[0].dist.name == "spbe-pemdi"
    info = next(p for p in ENGINE.plugins() if p.name == eps[0].name)
    assert info.origin == "entry-point" and info.version == "0.2.0"
    assert "pemdi-2026" in ENGINE.catalogue_ids()
    assert "pemdi-2026" not in Engine(load_entry_points=False).catalogue_ids()
    core = ROOT / "src" / "spbe_engine"
    offenders = [p for p in core.rglob("*.py") if re.search(r"\bspbe_pemdi\b", p.read_text(encoding="utf-8"))]
    assert offenders == []  # the core never imports the plugin


def test_pemdi_catalogue_shape() -> None:
    c = ENGINE.catalogue("pemdi-2026")
    assert c.status == "provisional" and len(c.groups) == 9 and len(list(c.indicators())) == 35
    assert [g.weight for g in c.groups] == [5, 5, 20, 6, 9, 10, 10, 15, 20]
    assert c.scale("pemdi").level(3).name == "Terstandarisasi"
    assert c.indicator("33").weight == Decimal(10) and all(i.sources for i in c.indicators())
    assert any(n.kind in ("uncertain", "conflict") for n in c.notes)


@pytest.mark.parametrize(
    ("benefit", "cost", "level"),
    [
        ("0", "4", 1),
        ("0.79", "3.2", 1),
        ("0.8", "3.2", 2),
        ("1.59", "2.4", 2),
        ("1.6", "2.4", 3),
        ("2.99", "2", 3),
        ("3", "2", 4),
        ("3.39", "1", 4),
        ("3.4", "1", 5),
        ("4", "0", 5),
    ],  # lower cuts inclusive
)
def test_satisfaction_indicator_is_computed_at_the_band_edges(benefit: str, cost: str, level: int) -> None:
    levels = {str(i): 3 for i in range(1, 36) if i != 33}
    a = Assessment(
        catalogue="pemdi-2026",
        subject="Kota",
        period="2026",
        levels=levels,
        inputs={"33": {"benefit": benefit, "cost": cost}},
    )
    assert ENGINE.score(a).indicators["33"].level == level


def test_satisfaction_inputs_are_checked() -> None:
    levels = {str(i): 3 for i in range(1, 36) if i != 33}
    a = Assessment(
        catalogue="pemdi-2026",
        subject="Kota",
        period="2026",
        levels=levels,
        inputs={"33": {"benefit": "4.5", "cost": "1"}},
    )
    with pytest.raises(AssessmentError, match=r"mean perceived benefit 4.5 is outside 0–4"):
        ENGINE.score(a)


def test_diff_2018_to_2020_reports_the_regulation_changes() -> None:
    d = ENGINE.diff("spbe-2018", "spbe-2020")
    # 5/2018 scores 37 items: its 35 indicators, indicator 35 once per public service (three)
    assert d.counts["indicators"] == (37, 47) and d.counts["top-level groups"] == (3, 4)
    assert [(c.old_ids, c.new_ids) for c in d.renamed if c.old_ids in (("35-1",), ("35-2",), ("35-3",))] == [
        (("35-1",), ("45",)),
        (("35-2",), ("46",)),
        (("35-3",), ("47",)),
    ]
    added_groups = {c.new for c in d.groups_added}
    assert "Manajemen SPBE (16.50)" in added_groups and "Pelaksanaan Audit TIK (4.50)" in added_groups
    assert ("3",) in [c.old_ids for c in d.split]  # Rencana Induk → Arsitektur + Peta Rencana
    assert {c.new_ids[0] for c in d.added} >= {str(i) for i in range(21, 32)}  # the new Manajemen domain
    assert any(c.old_ids == ("D3",) and c.new_ids == ("D4",) for c in d.groups_reweighted)  # Layanan 55 → 45.5
    assert d.bands and "Kurang ≥ 0" in d.bands[0].old


def test_composed_crosswalk_2018_to_pemdi() -> None:
    cw = ENGINE.crosswalk("spbe-2018", "pemdi-2026")
    assert [c.source for c in cw.path] == ["spbe-2018", "spbe-2020"]
    assert set(cw.provenance) == {str(i) for i in range(1, 36)}
    assert all(p.basis == "inferred" for p in cw.provenance.values())  # 2020 → Pemdi is inferred throughout


@pytest.fixture(scope="module")
def table_2023() -> list[Assessment]:
    out = []
    for row in rows():
        vector = level_vector(row)
        if vector is not None:
            out.append(spbe2020(vector, subject=f"{row['nama_instansi']} #{row['no_dalam_tabel']}", period="2023"))
    return out


def test_every_2023_row_migrates_to_pemdi(table_2023: list[Assessment]) -> None:
    lo, hi = Fraction(1), Fraction(5)
    for a in table_2023:
        m = ENGINE.migrate(a, to="pemdi-2026")
        assert set(m.provenance) == {str(i) for i in range(1, 36)}
        r = m.index_range
        assert lo <= r.low <= r.high <= hi
        for bound in (r.low, r.high):  # bounds are themselves indices of some level vector
            assert bound in (
                ENGINE.score(
                    Assessment(
                        catalogue="pemdi-2026",
                        subject="b",
                        period="1",
                        levels={k: (v[0] if bound == r.low else v[1]) for k, v in m.ranges.items()},
                    )
                ).fraction,
            )


def test_transition_2023_to_pemdi(table_2023: list[Assessment]) -> None:
    t = ENGINE.transition(table_2023[:120], to="pemdi-2026")
    assert len(t.agencies) == 120
    assert all(r.best_rank <= r.worst_rank for r in t.agencies)
    assert all(r.direction in ("gain", "loss", "uncertain") for r in t.agencies)
    assert "agencies" in t.summary()


def test_cli_diff_and_migrate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spbe_engine.cli.main import main

    assert main(["diff", "spbe-2018", "spbe-2020", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# spbe-2018 → spbe-2020") and "| added | group |" in out
    assert main(["migrate", str(ROOT / "examples" / "dumai-2024.yaml"), "--to", "pemdi-2026"]) == 0
    out = capsys.readouterr().out
    assert "spbe-2020 → pemdi-2026, index" in out and "need assessment" in out
    assert main(["migrate", str(ROOT / "examples" / "dumai-2024.yaml"), "--to", "spbe-2018"]) == 2
    assert "no crosswalk path from spbe-2020 to spbe-2018" in capsys.readouterr().err

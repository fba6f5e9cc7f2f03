"""Issue 11: fidelity to the regulation and to published results.

5/2018 scored per public service (A7 = six items of 20/6 %), the 2018 → 2020 crosswalk per service,
Pemdi names and scale as published, catalogues that know their years, plans that follow the
regulation by default, and a 2025 rounding fixture.
"""

from __future__ import annotations

import pickle
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, CatalogueError, Engine, hookimpl

from .conftest import spbe2020
from .test_golden_2023 import level_vector, rows

ENGINE = Engine()  # with the installed plugins (pemdi-2026)
CAT_2018 = ENGINE.catalogue("spbe-2018")
IDS_2018 = [i.id for i in CAT_2018.indicators()]
A7_ITEMS = ["32", "33", "34", "35-1", "35-2", "35-3"]


def assess_2018(levels: dict[str, int], **extra: Any) -> Assessment:
    full = dict.fromkeys(IDS_2018, 3) | levels
    return Assessment(catalogue="spbe-2018", subject="Kota Contoh", period="2019", levels=full, **extra)


# -- 5/2018 aspect A7 ------------------------------------------------------------------------


def test_published_a7_example_is_reproduced_exactly() -> None:
    """Levels 32=3, 33=2, 34=3 and services 1, 3, 3 give the published A7 of 2.50 (= 15/6)."""
    a = assess_2018(
        {"32": 3, "33": 2, "34": 3, "35-1": 1, "35-2": 3, "35-3": 3},
        services={"35-1": "Perizinan", "35-2": "Kependudukan", "35-3": "Kesehatan"},
    )
    a7 = ENGINE.score(a).groups["A7"]
    assert a7.fraction == Fraction(15, 6) and a7.display == "2.50" and a7.predikat == "Cukup"
    # the old four-item reading (5 % each, one service) would give 2.25, 2.58 or 2.75
    assert a7.fraction not in (Fraction(9, 4), Fraction(11, 4))


def test_a7_has_six_items_of_exact_20_6_percent() -> None:
    a7 = CAT_2018.group("A7")
    assert [i.id for i in a7.indicators] == A7_ITEMS
    assert all(Fraction(i.weight) == Fraction(20, 6) and str(i.weight) == "20/6" for i in a7.indicators)
    assert [CAT_2018.indicator(f"35-{k}").name for k in (1, 2, 3)] == [
        f"Layanan Publik Instansi Pemerintah (layanan {k})" for k in (1, 2, 3)
    ]
    assert ENGINE.weights("spbe-2018")["35-2"] == Fraction(10, 3)
    assert sum(Fraction(w) for w in ENGINE.weights("spbe-2018").values()) == 100


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=37, max_size=37))
def test_2018_index_is_the_exact_weighted_mean(levels: list[int]) -> None:
    """With rational weights the index is still exact: Σ level × weight / 100 as a Fraction, shown
    half-up and banded on the unrounded value."""
    lv = dict(zip(IDS_2018, levels, strict=True))
    r = ENGINE.score(assess_2018(lv))
    expected = sum(Fraction(CAT_2018.indicator(i).weight) * lv[i] for i in IDS_2018) / 100
    assert r.fraction == expected
    assert r.display == str(
        (Decimal(expected.numerator) / Decimal(expected.denominator)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    )
    band = next(b for b in CAT_2018.bands if expected >= Fraction(b.lower))
    assert r.predikat == band.predikat
    a7 = sum(lv[i] for i in A7_ITEMS)
    assert r.groups["A7"].fraction == Fraction(a7, 6)


def test_old_single_35_is_refused_with_what_changed() -> None:
    levels = {i: 3 for i in IDS_2018 if not i.startswith("35-")} | {"35": 3}
    a = Assessment(catalogue="spbe-2018", subject="Kota Lama", period="2019", levels=levels)
    with pytest.raises(AssessmentError) as err:
        ENGINE.score(a)
    message = str(err.value)
    assert "indicator '35' is no longer in spbe-2018" in message
    assert "35-1, 35-2 and 35-3" in message and "services" in message
    assert "\n" not in message


def test_missing_service_item_follows_the_missing_policy() -> None:
    """Fewer than three services: the regulation's treatment is unknown, so never filled silently."""
    levels = {i: 3 for i in IDS_2018 if i != "35-3"}
    a = Assessment(catalogue="spbe-2018", subject="Kota Dua Layanan", period="2019", levels=levels)
    with pytest.raises(AssessmentError, match=r"1 indicator\(s\) not assessed: 35-3"):
        ENGINE.score(a)
    r = ENGINE.score(a, missing="minimum")
    assert r.partial and r.missing == ("35-3",)
    assert r.groups["A7"].fraction == Fraction(3 * 5 + 0, 6)
    note = next(n for n in CAT_2018.notes if n.id == "a7-fewer-than-three-services")
    assert note.kind == "uncertain" and "unknown" in note.text


def test_rational_weights_survive_pickling_for_process_pools() -> None:
    w = CAT_2018.indicator("35-1").weight
    back = pickle.loads(pickle.dumps(w))
    assert back == Fraction(10, 3) and str(back) == "20/6"
    cc = pickle.loads(pickle.dumps(ENGINE.compiled("spbe-2018")))
    assert cc.weights == ENGINE.compiled("spbe-2018").weights


# -- crosswalk 2018 → 2020 ---------------------------------------------------------------------


def test_service_items_map_one_to_one_to_sector_services() -> None:
    a = assess_2018({"35-1": 1, "35-2": 4, "35-3": 5})
    m = ENGINE.migrate(a, to="spbe-2020")
    levels = m.assessment.levels
    assert (levels["45"], levels["46"], levels["47"]) == (1, 4, 5)
    assert [m.provenance[t].sources for t in ("45", "46", "47")] == [("35-1",), ("35-2",), ("35-3",)]
    assert all(m.provenance[t].relations == ("renamed",) for t in ("45", "46", "47"))


# -- Pemdi as published -----------------------------------------------------------------------


def test_pemdi_scale_and_names_as_published() -> None:
    cat = ENGINE.catalogue("pemdi-2026")
    scale = cat.scale("pemdi")
    assert [lv.name for lv in scale.levels] == [
        "Rintisan",
        "Terkelola",
        "Terstandarisasi",
        "Terintegrasi/Terpadu dan Terukur",
        "Optimum",
    ]
    assert scale.level(2).criteria is not None and "sesuai pedoman" in scale.level(2).criteria
    assert scale.level(4).criteria is not None and "reviu/evaluasi berkala" in scale.level(4).criteria
    assert cat.indicator("8").name == "Tingkat Kematangan Penerapan Manajemen Risiko dan Keberlangsungan"
    assert "BCP" in (cat.indicator("8").description or "") and "CSIRT" in (cat.indicator("19").description or "")
    assert cat.indicator("20").name == "Tingkat Kematangan Penerapan Kapabilitas Sumber Daya Manusia Digital"
    for iid in ("14", "15", "16"):
        assert cat.indicator(iid).name.startswith("Tingkat Kematangan Pelaksanaan Audit")
    notes = {n.id: n for n in cat.notes}
    assert set(notes["pemdi-33-35-converted"].about) == {"33", "34", "35"}
    assert "No PermenPANRB or Pedoman" in notes["pemdi-provisional-single-source"].text
    assert cat.status == "provisional"


# -- catalogues know their years ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2018", "spbe-2018"), ("2020", "spbe-2018"), ("2021", "spbe-2020"), ("2024", "spbe-2020"),
     ("Pemantauan 2025", "spbe-2020"), ("2026", "pemdi-2026"), ("2027-S1", "pemdi-2026")],
)  # fmt: skip
def test_catalogue_for_period(period: str, expected: str) -> None:
    assert ENGINE.catalogue_for(period).id == expected


def test_catalogue_for_refuses_unknown_years_naming_candidates() -> None:
    with pytest.raises(CatalogueError, match=r"no installed catalogue governs 2017.*spbe-2018 \(2018–2020\)"):
        ENGINE.catalogue_for("2017")
    with pytest.raises(CatalogueError, match="names no year"):
        ENGINE.catalogue_for("triwulan")
    # without the Pemdi plugin nothing governs 2026
    with pytest.raises(CatalogueError, match="no installed catalogue governs 2026"):
        Engine(load_entry_points=False).catalogue_for("2026")


def _pemdi_copy(precedence: int) -> object:
    base = ENGINE.catalogue("pemdi-2026")

    class Official:
        @hookimpl
        def spbe_catalogues(self) -> list[Any]:
            return [base.model_copy(update={"id": f"pemdi-2026-p{precedence}", "precedence": precedence})]

    return Official()


def test_higher_precedence_replaces_a_catalogue_for_the_same_years() -> None:
    engine = Engine([_pemdi_copy(10)])
    assert engine.catalogue_for("2026").id == "pemdi-2026-p10"
    assert engine.catalogue_for("2024").id == "spbe-2020"
    tie = Engine([_pemdi_copy(0)])
    with pytest.raises(CatalogueError, match=r"several catalogues govern 2026.*pemdi-2026 \(2026–\).*pemdi-2026-p0"):
        tie.catalogue_for("2026")


def test_period_outside_the_catalogue_years_warns_but_scores() -> None:
    r = ENGINE.score(spbe2020([3] * 47, period="2019"))
    assert r.display == "3.00"
    assert r.warnings and "outside the evaluation rounds spbe-2020 governs (2021–2025)" in r.warnings[0]
    assert "Peringatan: periode '2019'" in r.explain(lang="id")
    assert r.to_dict()["warnings"] == list(r.warnings)
    assert ENGINE.score(spbe2020([3] * 47, period="2024")).warnings == ()


# -- plans follow the regulation ---------------------------------------------------------------


def _official_agency(name: str) -> Assessment:
    row = next(r for r in rows() if r["nama_instansi"] == name)
    vector = level_vector(row)
    assert vector is not None
    return spbe2020(vector, subject=name, period="2023")


def test_plan_default_is_the_formulas_minimum_and_heuristics_are_opt_in() -> None:
    a = _official_agency("Kementerian Kelautan dan Perikanan")  # 3.58 Sangat Baik, from the 2023 table
    default = ENGINE.plan(a, "Memuaskan")
    formula = ENGINE.plan(a, "Memuaskan", respect_rules=False)
    assert default.feasible and default.total_cost == formula.total_cost and len(default.steps) == len(formula.steps)
    assert default.binding_rules == () and "bound by" not in default.summary()
    strict = ENGINE.plan(a, "Memuaskan", respect_rules="all")
    assert strict.feasible and len(strict.steps) > len(default.steps)
    assert strict.binding_rules and all(r.basis == "heuristic" for r in strict.binding_rules)
    assert strict.cost_without_rules == formula.total_cost
    assert strict.rules_cost == strict.total_cost - formula.total_cost > 0
    assert strict.steps_without_rules == len(formula.steps)
    assert f"({len(strict.steps)} step(s) instead of the formula's {len(formula.steps)})" in strict.summary()
    for r in strict.binding_rules:
        assert r.id in strict.summary()


def test_a_rule_declared_binding_constrains_plans_by_default() -> None:
    from spbe_engine import Rule

    rule = ENGINE.rules("spbe-2020")[0].model_copy(update={"id": "province-policy-11", "binding": True})

    class Province:
        @hookimpl
        def spbe_rules(self, catalogue: Any) -> list[Any]:
            return [rule] if catalogue.id == "spbe-2020" else []

    engine = Engine([Province()], load_entry_points=False)
    a = _official_agency("Kementerian Kelautan dan Perikanan")
    applied = engine.plan(a, "Memuaskan").rules_applied
    assert [r.id for r in applied] == ["province-policy-11"] and isinstance(applied[0], Rule)


def test_respect_rules_true_is_deprecated_and_means_all() -> None:
    a = _official_agency("Kementerian Kelautan dan Perikanan")
    with pytest.warns(DeprecationWarning, match='respect_rules="all"'):
        p = ENGINE.plan(a, "Memuaskan", respect_rules=True)
    assert p.total_cost == ENGINE.plan(a, "Memuaskan", respect_rules="all").total_cost
    with pytest.raises(Exception, match="respect_rules='some' is not a choice"):
        ENGINE.plan(a, "Memuaskan", respect_rules="some")  # type: ignore[arg-type]


# -- rounding fixture from 2025 ------------------------------------------------------------------


def test_kalimantan_tengah_2025_rounds_half_up() -> None:
    """Σ(1–10)=35, Σ(11–20)=27, Σ(21–31)=30, 2.75·Σ(32–41)+3·Σ(42–47)=182.5: exact index 3.405,
    published as 3.41 (half-even and float rounding give 3.40)."""
    levels = [4] * 5 + [3] * 5  # D1: 35
    levels += [3] * 7 + [2] * 3  # D2: 27
    levels += [3] * 8 + [2] * 3  # D3: 30 → 2.73
    levels += [4] * 8 + [3] * 2  # 32–41: 38
    levels += [5] * 2 + [4] * 4  # 42–47: 26 → 2.75·38 + 3·26 = 182.5
    r = ENGINE.score(spbe2020(levels, subject="Prov. Kalimantan Tengah", period="2025"))
    assert r.fraction == Fraction(3405, 1000)
    assert [r.groups[d].display for d in ("D1", "D2", "D3", "D4")] == ["3.50", "2.70", "2.73", "4.01"]
    assert r.display == "3.41" and r.predikat == "Baik"
    # the fixture discriminates: other roundings print 3.40
    assert str(Decimal("3.405").quantize(Decimal("0.01"), ROUND_HALF_EVEN)) == "3.40"
    assert f"{round(3.405, 2):.2f}" == "3.40"


# -- on the command line ---------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from spbe_engine.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_show_2018_lists_six_a7_items(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "show", "spbe-2018")
    assert code == 0
    a7 = out[out.index("A7  Layanan Publik Berbasis Elektronik") :]
    for iid in A7_ITEMS:
        assert f"{iid:>3}  " in a7 and "[weight 20/6, scale service]" in a7
    assert "Layanan Publik Instansi Pemerintah (layanan 3)" in a7


def test_cli_scores_the_published_a7_example_and_refuses_the_old_layout(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    levels: dict[str, int] = dict.fromkeys(IDS_2018, 3) | {"33": 2, "35-1": 1}
    path = tmp_path / "kota-2019.yaml"
    doc = {"catalogue": "spbe-2018", "subject": "Kota Contoh", "period": "2019", "levels": levels}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = _cli(capsys, "score", str(path), "--format", "json")
    assert code == 0
    import json

    (r,) = json.loads(out)
    assert r["groups"]["A7"]["exact"] == "2.5" and r["groups"]["A7"]["display"] == "2.50"
    old = {k: v for k, v in levels.items() if not k.startswith("35-")} | {"35": 3}
    path.write_text(yaml.safe_dump(doc | {"levels": old}, allow_unicode=True), encoding="utf-8")
    code, out, err = _cli(capsys, "score", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "indicator '35' is no longer in spbe-2018" in err and "35-1, 35-2 and 35-3" in err


def test_cli_warns_about_a_period_outside_the_catalogue_years(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    path = tmp_path / "lama.yaml"
    doc = {"catalogue": "spbe-2020", "subject": "Kota Lama", "period": "2019", "levels": dict.fromkeys(range(1, 48), 3)}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, out, err = _cli(capsys, "score", str(path))
    assert code == 0 and "3.00" in out
    assert err.strip() == (
        "spbe: warning: period '2019' lies outside the evaluation rounds spbe-2020 governs (2021–2025); "
        "the official result for that year was computed under another catalogue"
    )
    code, _, err = _cli(capsys, "validate", str(path))
    assert code == 0 and "outside the evaluation rounds spbe-2020 governs" in err


def test_cli_plan_follows_the_regulation_unless_asked(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import yaml

    a = _official_agency("Kementerian Kelautan dan Perikanan")
    path = tmp_path / "kkp.yaml"
    path.write_text(yaml.safe_dump(a.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    code, out, _ = _cli(capsys, "plan", str(path), "--target", "Memuaskan", "--format", "json")
    (default,) = json.loads(out)
    assert code == 0 and default["binding_rules"] == [] and default["rules_applied"] == []
    code, out, _ = _cli(capsys, "plan", str(path), "--target", "Memuaskan", "--respect-heuristics", "--format", "json")
    (strict,) = json.loads(out)
    assert code == 0 and strict["binding_rules"] and all(r.startswith("heuristic-") for r in strict["binding_rules"])
    assert Fraction(strict["rules_cost"]) == Fraction(strict["total_cost"]) - Fraction(default["total_cost"]) > 0
    code, out, _ = _cli(capsys, "plan", str(path), "--target", "Memuaskan", "--respect-heuristics")
    assert "bound by heuristic rule(s) heuristic-" in out and "instead of the formula's" in out


def test_reports_say_when_the_catalogue_is_provisional(tmp_path: Any) -> None:
    """Pemdi has no PermenPANRB or Pedoman yet: the report says so at the top, in both languages."""
    import yaml

    from spbe_engine.reports.write import write_report

    a = Assessment(
        catalogue="pemdi-2026", subject="Kota Contoh", period="2026", levels={str(i): 3 for i in range(1, 36)}
    )
    owners = {
        "catalogue": "pemdi-2026",
        "units": [{"id": "diskominfo", "name": "Dinas Komunikasi dan Informatika"}],
        "indicators": {str(i): {"lead": "diskominfo"} for i in range(1, 36)},
    }
    (tmp_path / "owners.yaml").write_text(yaml.safe_dump(owners, allow_unicode=True), encoding="utf-8")
    for lang, words in (("en", "Provisional catalogue"), ("id", "Katalog sementara")):
        out = tmp_path / f"report-{lang}"
        write_report(ENGINE, [a], owners=tmp_path / "owners.yaml", out_dir=out, lang=lang)
        assert words in (out / "report.html").read_text(encoding="utf-8")
        assert f"**{words}**: pemdi-2026" in (out / "report.md").read_text(encoding="utf-8")

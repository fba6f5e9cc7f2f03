"""Bundled catalogues are complete and carry their sources; broken catalogues are refused by name."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from spbe_engine import CatalogueError, Engine
from spbe_engine._builtins.catalogues import catalogue_dir
from spbe_engine._yaml import load_yaml_file
from spbe_engine.catalogue.loader import catalogue_from_data, load_catalogue_file


def raw(cid: str) -> dict[str, Any]:
    return load_yaml_file(catalogue_dir() / f"{cid}.yaml")


def test_spbe_2020_structure(engine: Engine) -> None:
    c = engine.catalogue("spbe-2020")
    assert c.status == "official" and c.regulation.short == "PermenPANRB 59/2020"
    assert [g.id for g in c.groups] == ["D1", "D2", "D3", "D4"]
    assert [g.weight for g in c.groups] == [Decimal("13.00"), Decimal("25.00"), Decimal("16.50"), Decimal("45.50")]
    inds = list(c.indicators())
    assert [i.id for i in inds] == [str(n) for n in range(1, 48)]
    assert {i.scale for i in inds[:31]} == {"process"} and {i.scale for i in inds[31:]} == {"service"}
    assert [lv.name for lv in c.scale("process").levels] == [
        "Rintisan",
        "Terkelola",
        "Terdefinisi",
        "Terpadu dan Terukur",
        "Optimum",
    ]
    assert [lv.name for lv in c.scale("service").levels] == [
        "Informasi",
        "Interaksi",
        "Transaksi",
        "Kolaborasi",
        "Optimum",
    ]
    assert [(b.lower, b.predikat) for b in c.bands][:4] == [
        (Decimal("4.2"), "Memuaskan"),
        (Decimal("3.5"), "Sangat Baik"),
        (Decimal("2.6"), "Baik"),
        (Decimal("1.8"), "Cukup"),
    ]
    assert c.indicator("44").name == "Tingkat Kematangan Jaringan Dokumentasi dan Informasi Hukum (JDIH)"
    assert all(i.sources for i in inds)


def test_conflicts_are_recorded_not_silently_resolved(engine: Engine) -> None:
    c = engine.catalogue("spbe-2020")
    conflicts = [n for n in c.notes if n.kind == "conflict"]
    weight_note = next(n for n in conflicts if "42" in n.about)
    assert "3.50" in weight_note.text and weight_note.resolution
    assert all(c.indicator(i).weight == Decimal("3.00") for i in ("42", "45", "47"))
    assert any(n.id in c.indicator("42").notes for n in conflicts)


def test_spbe_2018_marks_uncertain_weights(engine: Engine) -> None:
    c = engine.catalogue("spbe-2018")
    assert [g.weight for g in c.groups] == [17, 28, 55]
    # Domain and aspect weights are confirmed (C2, reference §3.1); the equal split of an aspect into
    # indicator weights still rests on one source, and so do indicators 1–31.
    assert not any(g.uncertain for g in c.all_groups())
    assert all(c.indicator(str(n)).uncertain for n in range(1, 32))
    assert not any(c.indicator(i).uncertain for i in ("32", "33", "34", "35-1", "35-2", "35-3"))
    assert c.scale("process").min == 0
    open_question = next(n for n in c.notes if n.id == "a7-fewer-than-three-services")
    assert open_question.kind == "uncertain" and set(open_question.about) == {"35-1", "35-2", "35-3"}


def test_every_note_reference_resolves(engine: Engine) -> None:
    for cid in engine.catalogue_ids():
        c = engine.catalogue(cid)
        note_ids = {n.id for n in c.notes}
        ids = {i.id for i in c.indicators()} | {g.id for g in c.all_groups()}
        for ind in c.indicators():
            assert set(ind.notes) <= note_ids, (cid, ind.id)
        for n in c.notes:
            assert set(n.about) <= ids, (cid, n.id)


def _broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw("spbe-2020"))
    mutate(data)
    return data


def a1(data: dict[str, Any]) -> dict[str, Any]:
    return data["groups"][0]["groups"][0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: a1(d)["indicators"][2].update(weight=Decimal("1.40")),
            r"groups\[D1\]\.groups\[A1\]: group 'A1': weights of its children sum to 13.10, but its weight is 13.00",
        ),
        (lambda d: a1(d)["indicators"][2].update(id="1"), "duplicate group/indicator id '1'"),
        (lambda d: a1(d)["indicators"][2].update(scale="nope"), "indicator '3': unknown scale 'nope'"),
        (lambda d: d["bands"].pop(), "bands do not cover the range: the lowest band starts at 1.8"),
        (lambda d: d["bands"].reverse(), "highest lower bound down"),
        (lambda d: a1(d)["indicators"][2].update(colour="red"), r"indicators\[3\]\.colour: unknown field"),
        (lambda d: a1(d)["indicators"][2].update(weight=1.3), "got the float 1.3"),
        (lambda d: d.update(status="draft"), "status: Input should be 'official' or 'provisional'"),
        (lambda d: d["groups"].pop(), "top-level groups sum to 54.50, expected 100"),
        (lambda d: d["scales"][0]["levels"].pop(1), "levels must be contiguous"),
    ],
)
def test_broken_catalogue_is_refused_naming_file_and_entry(mutate: Any, message: str) -> None:
    with pytest.raises(CatalogueError, match=message) as info:
        catalogue_from_data(_broken(mutate), source="broken.yaml")
    assert str(info.value).startswith("broken.yaml: ")


def test_broken_catalogue_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"mine.yaml: invalid YAML: line \d"):
        load_catalogue_file(path)
    path.write_text(yaml.safe_dump({"id": "mine"}), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"mine.yaml: title: Field required \(\+6 more\)"):
        load_catalogue_file(path)
    with pytest.raises(CatalogueError, match="no such file"):
        load_catalogue_file(tmp_path / "absent.yaml")

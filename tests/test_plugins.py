"""Plugins: a new regulation version plugs in without touching the core; broken plugins are named."""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import (
    Assessment,
    Engine,
    LevelScale,
    PluginError,
    WeightingScheme,
    hookimpl,
    hookspecs,
)

from .conftest import ROOT

FLAT_SCALE = {
    "id": "flat-1-4",
    "name": "Skala datar",
    "levels": [{"value": v, "name": f"Tingkat {v}"} for v in range(1, 5)],
}


def flat_catalogue(cid: str = "flat-2030", **over: Any) -> dict[str, Any]:
    """A catalogue of another shape: aspects only (one level of groups), its own scale and bands."""
    data: dict[str, Any] = {
        "id": cid,
        "title": "Indeks Uji",
        "index_name": "Indeks Uji",
        "regulation": {"short": "Peraturan Uji 1/2030", "citation": "Peraturan Uji Nomor 1 Tahun 2030"},
        "status": "provisional",
        "valid_from": 2030,
        "weight_total": "10",
        "bands": [{"lower": "3", "predikat": "Tinggi"}, {"lower": "1", "predikat": "Rendah"}],
        "groups": [
            {
                "id": "X1",
                "kind": "aspect",
                "name": "Aspek Satu",
                "weight": "6",
                "indicators": [
                    {"id": "a", "name": "Indikator A", "weight": "2", "scale": "flat-1-4"},
                    {"id": "b", "name": "Indikator B", "weight": "4", "scale": "flat-1-4"},
                ],
            },
            {
                "id": "X2",
                "kind": "aspect",
                "name": "Aspek Dua",
                "weight": "4",
                "indicators": [{"id": "c", "name": "Indikator C", "weight": "4", "scale": "flat-1-4"}],
            },
        ],
    }
    data.update(over)
    return data


class FlatPlugin:
    """A third-party regulation version: catalogue, shared scale and a weighting scheme."""

    @hookimpl
    def spbe_level_scales(self) -> list[LevelScale]:
        return [LevelScale(**FLAT_SCALE)]

    @hookimpl
    def spbe_catalogues(self) -> list[dict[str, Any]]:
        return [flat_catalogue()]

    @hookimpl
    def spbe_weighting_schemes(self) -> list[WeightingScheme]:
        def services_double(catalogue: Any, options: Any = None) -> dict[str, Decimal]:
            return {i.id: i.weight * (2 if i.kind == "service" else 1) for i in catalogue.indicators()}

        return [WeightingScheme("services-double", "Service indicators weigh twice.", services_double)]


def test_hook_spbe_catalogues() -> None:
    engine = Engine([FlatPlugin()], load_entry_points=False)
    assert engine.catalogue_ids() == ["flat-2030", "spbe-2018", "spbe-2020"]
    r = engine.score(Assessment(catalogue="flat-2030", subject="Desa", period="2030", levels={"a": 4, "b": 1, "c": 3}))
    assert r.fraction == Decimal("2.4") and r.display == "2.40" and r.predikat == "Rendah"
    assert list(r.groups) == ["X1", "X2"] and r.groups["X1"].display == "2.00"
    assert "Peraturan Uji 1/2030" in r.explain() and "provisional" in r.explain()


def test_hook_spbe_level_scales() -> None:
    engine = Engine([FlatPlugin()], load_entry_points=False)
    assert engine.catalogue("flat-2030").scale("flat-1-4").max == 4
    with pytest.raises(Exception, match="outside scale 'flat-1-4'"):
        engine.score(Assessment(catalogue="flat-2030", subject="D", period="1", levels={"a": 5, "b": 1, "c": 1}))


def test_hook_spbe_weighting_schemes() -> None:
    engine = Engine([FlatPlugin()], load_entry_points=False)
    assert "services-double" in engine.weighting_ids()
    levels = {str(i): (5 if i >= 32 else 1) for i in range(1, 48)}
    a = Assessment(catalogue="spbe-2020", subject="K", period="1", levels=levels)
    official = engine.score(a)
    doubled = engine.score(a, weighting="services-double")
    assert doubled.fraction > official.fraction
    assert engine.weights("spbe-2020", "services-double")["45"] == Decimal("6.00")


def test_registration_order_does_not_matter() -> None:
    class Other:
        @hookimpl
        def spbe_catalogues(self) -> list[dict[str, Any]]:
            return [flat_catalogue("flat-2031")]

    one = Engine([FlatPlugin(), Other()], load_entry_points=False)
    two = Engine([Other(), FlatPlugin()], load_entry_points=False)
    assert one.catalogue_ids() == two.catalogue_ids()


def test_plugin_failure_names_the_plugin() -> None:
    class Broken:
        @hookimpl
        def spbe_catalogues(self) -> list[Any]:
            raise RuntimeError("database down")

    engine = Engine([Broken()], load_entry_points=False)
    assert engine.catalogue_ids() == ["spbe-2018", "spbe-2020"]  # the rest still loads
    (problem,) = engine.plugin_problems
    assert problem.plugin.endswith("Broken") and problem.where == "spbe_catalogues"
    assert problem.message == "RuntimeError: database down"
    assert f"disable it with SPBE_DISABLE_PLUGINS={problem.plugin}" in str(problem)
    with pytest.raises(PluginError, match=r"unknown catalogue 'flat-2030'.*broken plugin\(s\) '.*Broken'"):
        engine.catalogue("flat-2030")
    with pytest.raises(
        PluginError, match=r"plugin '.*Broken' is broken \(spbe_catalogues: RuntimeError: database down\)"
    ):
        Engine([Broken()], load_entry_points=False, strict_plugins=True).catalogue_ids()


def test_broken_catalogue_from_plugin_names_plugin_and_entry() -> None:
    bad = flat_catalogue()
    bad["groups"][0]["weight"] = "7"

    class Bad:
        @hookimpl
        def spbe_level_scales(self) -> list[LevelScale]:
            return [LevelScale(**FLAT_SCALE)]

        @hookimpl
        def spbe_catalogues(self) -> list[dict[str, Any]]:
            return [bad]

    with pytest.raises(
        PluginError, match=r"plugin '.*Bad' is broken \(spbe_catalogues: .*groups\[X1\].*sum to 6, but its weight is 7"
    ):
        Engine([Bad()], load_entry_points=False, strict_plugins=True).catalogue_ids()
    engine = Engine([Bad()], load_entry_points=False)
    assert engine.catalogue_ids() == ["spbe-2018", "spbe-2020"]
    assert [p.plugin.endswith("Bad") and "weight is 7" in p.message for p in engine.plugin_problems] == [True]


def test_duplicate_catalogue_names_both_plugins() -> None:
    class Copy:
        @hookimpl
        def spbe_catalogues(self) -> list[str]:
            return [str(ROOT / "catalogues" / "spbe-2020.yaml")]

    engine = Engine([Copy()], load_entry_points=False)
    assert engine.catalogue("spbe-2020").regulation.short == "PermenPANRB 59/2020"  # the built-in, never the copy
    (problem,) = engine.plugin_problems
    assert problem.plugin.endswith("Copy")
    assert "catalogue 'spbe-2020' is provided by both 'spbe_engine._builtins.catalogues' and" in problem.message
    with pytest.raises(PluginError, match=r"catalogue 'spbe-2020' is provided by both"):
        Engine([Copy()], load_entry_points=False, strict_plugins=True).catalogue_ids()


def test_wrong_return_types_are_refused() -> None:
    class NotAList:
        @hookimpl
        def spbe_weighting_schemes(self) -> Any:
            return "official"

    with pytest.raises(PluginError, match="expected a list, got str"):
        Engine([NotAList()], load_entry_points=False, strict_plugins=True).weighting_ids()
    engine = Engine([NotAList()], load_entry_points=False)
    assert engine.weighting_ids() == ["custom", "equal", "official"]
    assert [p.where for p in engine.plugin_problems] == ["spbe_weighting_schemes"]


def test_unknown_hook_is_refused_at_registration() -> None:
    class Typo:
        @hookimpl
        def spbe_catalogue(self) -> list[Any]:
            return []

    with pytest.raises(PluginError, match="spbe_catalogue"):
        Engine([Typo()], load_entry_points=False, strict_plugins=True)
    engine = Engine([Typo()], load_entry_points=False)
    (problem,) = engine.plugin_problems
    assert problem.where == "registration" and "spbe_catalogue" in problem.message
    assert not any(p.name.endswith("Typo") for p in engine.plugins())


def _install_fake_distribution(tmp_path: Path, name: str, module_body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_body), encoding="utf-8")
    info = tmp_path / f"{name}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[spbe_engine]\n{name} = {name}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_installed_plugins_are_found_through_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """
        from spbe_engine import hookimpl
        from tests.test_plugins import FlatPlugin
        _p = FlatPlugin()
        spbe_level_scales = _p.spbe_level_scales
        spbe_catalogues = _p.spbe_catalogues
    """
    _install_fake_distribution(tmp_path, "spbe_flat_plugin", body, monkeypatch)
    engine = Engine()
    assert "flat-2030" in engine.catalogue_ids()
    info = next(p for p in engine.plugins() if p.name == "spbe_flat_plugin")
    assert info.origin == "entry-point" and info.version == "1.2.3"
    assert "flat-2030" not in Engine(load_entry_points=False).catalogue_ids()
    sys.modules.pop("spbe_flat_plugin", None)


def test_plugin_that_fails_to_import_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_distribution(tmp_path, "spbe_broken_plugin", "raise ImportError('needs numpy 9')\n", monkeypatch)
    with pytest.raises(
        PluginError,
        match=r"plugin 'spbe_broken_plugin' is broken \(import of spbe_broken_plugin: ImportError: needs numpy 9\)",
    ):
        Engine(strict_plugins=True)
    engine = Engine()
    assert [p.plugin for p in engine.plugin_problems] == ["spbe_broken_plugin"]
    assert (
        engine.score(
            Assessment(catalogue="spbe-2020", subject="K", period="2024", levels=dict.fromkeys(range(1, 48), 3))
        ).display
        == "3.00"
    )
    assert Engine(disable=["spbe_broken_plugin"]).plugin_problems == ()
    monkeypatch.setenv("SPBE_DISABLE_PLUGINS", "other, spbe_broken_plugin")
    assert Engine().plugin_problems == ()


def test_engines_do_not_share_plugins() -> None:
    """The plugin manager belongs to the engine: a plugin given to one engine is unseen by another."""
    with_plugin = Engine([FlatPlugin()], load_entry_points=False)
    without = Engine(load_entry_points=False)
    assert "flat-2030" in with_plugin.catalogue_ids() and "flat-2030" not in without.catalogue_ids()


HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("spbe_"))


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    tests = Path(__file__).parent
    pattern = re.compile(rf"def test_hook_{hook}\b")
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in tests.glob("test_*.py")), f"no test_hook_{hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `{hook}\(", docs, re.M), f"docs/plugins.md lacks a section for {hook}"

"""Issue 12: hooks dispatched through pluggy (order, wrappers), broken plugins set aside and named,
plugin control (disable, strict), `spbe plugins`, and the thin Engine facade."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine
from spbe_engine.engine import PluginProblem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"

ORDERED = """
from spbe_engine import WeightingScheme, hookimpl

CALLS = []


def _half(catalogue, options=None):
    from decimal import Decimal

    return {i.id: Decimal(1) if i.id.startswith("4") else Decimal(2) for i in catalogue.indicators()}


class First:
    @hookimpl(tryfirst=True)
    def spbe_weighting_schemes(self):
        CALLS.append("first")
        return [WeightingScheme("services-light", "Service indicators weigh half.", _half)]


class Last:
    @hookimpl(trylast=True)
    def spbe_weighting_schemes(self):
        CALLS.append("last")
        return []


class Wrapper:
    @hookimpl(wrapper=True)
    def spbe_catalogues(self):
        contributions = yield
        CALLS.append("wrapper saw %d plugin(s)" % len(contributions))
        # filter: this province does not use 5/2018 any more
        return [[c for c in part if "spbe-2018" not in str(c)] for part in contributions]


first, last, wrapper = First(), Last(), Wrapper()
"""


def _distribution(folder: Path, name: str, body: str, entry: str | None = None) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = folder / f"{name}-3.1.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 3.1.4\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[spbe_engine]\n{entry or name} = {name}\n", encoding="utf-8")


def _spbe(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]), **(env or {})}
    full.pop("SPBE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "spbe_engine", *args], capture_output=True, text=True, env=full)


def test_third_party_plugin_runs_in_pluggys_order_with_a_wrapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "site"
    for n, obj in enumerate(("first", "last", "wrapper")):
        body = f"from spbe_ordered_impl import {obj} as _p\n" + "\n".join(
            f"{h} = _p.{h}"
            for h in ("spbe_weighting_schemes", "spbe_catalogues")
            if (h == "spbe_catalogues") == (obj == "wrapper")
        )
        _distribution(folder, f"spbe_ordered_{n}", body, entry=f"ordered-{obj}")
    (folder / "spbe_ordered_impl.py").write_text(ORDERED, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    import spbe_ordered_impl  # type: ignore[import-not-found]

    engine = Engine()
    spbe_ordered_impl.CALLS.clear()
    assert "services-light" in engine.weighting_ids()
    assert spbe_ordered_impl.CALLS[0] == "first" and spbe_ordered_impl.CALLS[-1] == "last"
    hooks = engine.registry.pm.hook.spbe_weighting_schemes.get_hookimpls()  # pluggy's call order is reversed
    assert hooks[-1].plugin_name == "ordered-first" and hooks[0].plugin_name == "ordered-last"
    assert "spbe-2018" not in engine.catalogue_ids() and "spbe-2020" in engine.catalogue_ids()
    assert any(c.startswith("wrapper saw") for c in spbe_ordered_impl.CALLS)
    assert engine.registry.catalogue_origin("spbe-2020") == "spbe_engine._builtins.catalogues"  # still attributed
    a = Assessment(catalogue="spbe-2020", subject="K", period="2024", levels=dict.fromkeys(range(1, 48), 3))
    assert engine.score(a, weighting="services-light").display == "3.00"

    done = _spbe(folder, "plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = {p["name"]: p for p in json.loads(done.stdout)}
    assert listed["ordered-first"]["version"] == "3.1.4"
    assert listed["ordered-first"]["contributes"] == {"weighting schemes": ["services-light"]}
    assert listed["ordered-wrapper"]["hooks"] == ["spbe_catalogues"]
    table = _spbe(folder, "plugins")
    assert "ordered-first" in table.stdout and "weighting schemes: 'services-light'" in table.stdout
    for name in ("spbe_ordered_impl", *(f"spbe_ordered_{n}" for n in range(3))):
        sys.modules.pop(name, None)


def test_a_plugin_that_raises_at_import_is_named_and_the_rest_works(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    _distribution(folder, "spbe_exploding", "raise RuntimeError('database down')\n")
    done = _spbe(folder, "score", str(EXAMPLE))
    assert done.returncode == 0 and "Pemerintah Kota Dumai" in done.stdout and "3.90" in done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        "spbe: warning: plugin 'spbe_exploding' is broken (import of spbe_exploding: RuntimeError: database down); "
        "disable it with SPBE_DISABLE_PLUGINS=spbe_exploding or uninstall it"
    )
    quiet = _spbe(folder, "score", str(EXAMPLE), env={"SPBE_DISABLE_PLUGINS": "spbe_exploding"})
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == done.stdout
    strict = _spbe(folder, "score", str(EXAMPLE), "--strict-plugins")
    assert strict.returncode == 4 and strict.stdout == ""
    assert strict.stderr.strip().splitlines() == [
        "spbe: error: plugin 'spbe_exploding' is broken (import of spbe_exploding: RuntimeError: database down)"
    ]
    assert str(EXAMPLE) not in strict.stderr  # a plugin error never blames the user's file
    listed = json.loads(_spbe(folder, "plugins", "--format", "json").stdout)
    assert [p["problem"] for p in listed if p["name"] == "spbe_exploding"] == [
        "plugin 'spbe_exploding' is broken (import of spbe_exploding: RuntimeError: database down)"
    ]


def test_what_a_broken_plugin_might_provide_is_refused_not_silently_different(tmp_path: Path) -> None:
    """A broken plugin may have contributed rules: checks refuse to answer with a partial rule set,
    while scoring (which needs no rules) goes on."""
    folder = tmp_path / "site"
    _distribution(folder, "spbe_broken_rules", "raise ImportError('needs a newer networkx')\n")
    check = _spbe(folder, "check", str(EXAMPLE))
    assert check.returncode == 4
    assert "the rules of spbe-2020 cannot be resolved without broken plugin 'spbe_broken_rules'" in check.stderr
    unknown = _spbe(folder, "show", "pemdi-2027")
    assert unknown.returncode == 4 and "unknown catalogue 'pemdi-2027'" in unknown.stderr
    assert "may come from broken plugin(s) 'spbe_broken_rules'" in unknown.stderr


def test_problems_are_plain_values() -> None:
    p = PluginProblem("x", "spbe_rules", "ValueError: bad")
    assert p.summary == "plugin 'x' is broken (spbe_rules: ValueError: bad)"
    assert str(p).endswith("disable it with SPBE_DISABLE_PLUGINS=x or uninstall it")
    disabled = Engine(disable=["spbe_engine._builtins.catalogues"])  # on purpose: not a problem
    assert disabled.plugin_problems == () and "spbe-2020" not in disabled.catalogue_ids()


def test_results_are_immutable_and_options_are_checked() -> None:
    engine = Engine(load_entry_points=False)
    a = Assessment(catalogue="spbe-2020", subject="K", period="2024", levels=dict.fromkeys(range(1, 48), 3))
    r = engine.score(a)
    for name, value in (("index", 0), ("numerator", 0), ("options", {}), ("findings", ())):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(r, name, value)
    with pytest.raises(TypeError):
        r.options["missing"] = "minimum"  # type: ignore[index]
    with pytest.raises(Exception, match="unknown missing-level policy 'bogus'"):
        engine.score(a, missing="bogus")  # refused even though nothing is missing
    import pickle

    again = pickle.loads(pickle.dumps(r))
    assert again.fraction == r.fraction and again.options == r.options


def test_engine_is_a_thin_facade() -> None:
    source = (ROOT / "src" / "spbe_engine" / "engine.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 300
    tree = ast.parse(source)
    engine = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Engine")
    methods = [n.name for n in engine.body if isinstance(n, ast.FunctionDef)]
    assert methods == [], "operations are defined once, in the operations package; __init__ is the resolver's"
    # every operation resolves to a function defined in its package, with its own docstring
    for name in ("score", "plan", "migrate", "rank", "accountability", "simulate", "check", "diff"):
        function = getattr(Engine, name)
        assert function.__module__.startswith("spbe_engine.") and function.__module__ != "spbe_engine.engine"
        assert function.__doc__

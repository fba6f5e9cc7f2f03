"""Issue 10, defect 11: a plugin that calls sys.exit() is a broken plugin, not a successful run.

Seen failing before the fix: the import-time case let SystemExit(0) through, so `spbe check` exited 0
with no output; the hook-time case did the same for a hook implementation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine, PluginError, hookimpl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"


def _fake_distribution(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = tmp_path / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[spbe_engine]\n{name} = {name}\n", encoding="utf-8")


def _spbe(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    env.pop("SPBE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "spbe_engine", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("code", ["sys.exit()", "sys.exit(0)", "raise SystemExit('bye')"])
def test_sys_exit_at_import_is_a_broken_plugin(tmp_path: Path, code: str) -> None:
    _fake_distribution(tmp_path, "spbe_exiting_plugin", f"import sys\n{code}\n")
    done = _spbe(tmp_path, "score", str(EXAMPLE))
    assert done.returncode == 0 and "3.90" in done.stdout  # the rest of the engine works
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "spbe_exiting_plugin" in lines[0] and "SystemExit" in lines[0]
    strict = _spbe(tmp_path, "check", str(EXAMPLE), "--strict-plugins")
    assert strict.returncode == 4 and "spbe_exiting_plugin" in strict.stderr and "SystemExit" in strict.stderr


def test_sys_exit_inside_a_hook_is_a_broken_plugin() -> None:
    class Exiting:
        @hookimpl
        def spbe_weighting_schemes(self) -> Any:
            sys.exit(0)

    with pytest.raises(PluginError, match=r"plugin .*Exiting.* is broken \(spbe_weighting_schemes: SystemExit"):
        Engine([Exiting()], load_entry_points=False, strict_plugins=True).weighting_ids()
    engine = Engine([Exiting()], load_entry_points=False)
    assert engine.weighting_ids() == ["custom", "equal", "official"]
    assert [p.where for p in engine.plugin_problems] == ["spbe_weighting_schemes"]


def test_ctrl_c_in_a_plugin_still_stops_the_program() -> None:
    class Interrupted:
        @hookimpl
        def spbe_weighting_schemes(self) -> Any:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Engine([Interrupted()], load_entry_points=False).weighting_ids()

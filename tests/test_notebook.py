"""The example notebook runs: every code cell is executed in order, as Jupyter would (CI too)."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "what-if.ipynb"


def test_example_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas", reason="the notebook uses to_frame(): install spbe_engine[notebook]")
    matplotlib = pytest.importorskip("matplotlib", reason="the notebook plots: install spbe_engine[notebook]")
    matplotlib.use("Agg")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace: dict[str, object] = {"__name__": "__main__"}
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 8
    for n, cell in enumerate(cells):
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{NOTEBOOK.name} cell {n}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"notebook cell {n} failed: {type(exc).__name__}: {exc}\n{source}")
    plan = namespace["plan"]
    assert plan.feasible and plan.result.predikat == "Memuaskan"  # type: ignore[attr-defined]
    assert namespace["simulation"].backend in ("numpy", "python")  # type: ignore[attr-defined]
    assert os.getcwd() == str(Path(NOTEBOOK.parent))


def test_html_frames_and_plots(engine) -> None:  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from spbe_engine import load_assessments

    (a,) = load_assessments(ROOT / "examples" / "dumai-2024.yaml", engine=engine)
    r = engine.score(a)
    html = r._repr_html_()
    assert "<caption>Pemerintah Kota Dumai (2024), spbe-2020: 3.90 Sangat Baik</caption>" in html
    frame = r.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 47
    assert sum(map(Fraction, frame["contribution"])) == r.fraction  # exact values as text: "0.0216"
    ax = r.plot_waterfall()
    assert len(ax.patches) == 5  # four domains and the index
    c = engine.what_if(a, levels={"1": 5})
    assert len(c.to_frame()) == 1 + len(r.groups)
    assert len(c.plot().patches) == 10
    sim = engine.simulate(a, n=10)
    assert list(sim.to_frame()["predikat"]) == ["Memuaskan", "Sangat Baik", "Baik", "Cukup", "Kurang"]
    assert len(engine.plan(a, "Memuaskan").to_frame()) == 12
    assert "<table" in engine.marginal_impact(a)._repr_html_()

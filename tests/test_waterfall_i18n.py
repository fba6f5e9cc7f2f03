"""`ScoreResult.plot_waterfall` speaks the reader's language: the axis, the index bar and every number
(decimal comma in Bahasa Indonesia), the numbers rounded half-up from the exact values as everywhere
else. matplotlib is in the `test` extra (through `notebook`), so this runs in CI."""

from __future__ import annotations

import pytest

from spbe_engine import Engine, load_assessments
from spbe_engine.exact import display
from spbe_engine.i18n import language

from .conftest import ROOT

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _labels(lang: str) -> tuple[str, str, list[str], list[str]]:
    engine = Engine()
    (a,) = load_assessments(ROOT / "examples" / "dumai-2024.yaml", engine=engine)
    r = engine.score(a)
    with language(lang):
        ax = r.plot_waterfall()
    ax.figure.canvas.draw()
    try:
        return (
            ax.get_title(),
            ax.get_ylabel(),
            [t.get_text() for t in ax.get_xticklabels()],
            [t.get_text() for t in ax.texts],
        )
    finally:
        import matplotlib.pyplot as plt

        plt.close(ax.figure)


def _parts() -> list[str]:
    """The domains' contributions, rounded half-up from the exact values."""
    engine = Engine()
    (a,) = load_assessments(ROOT / "examples" / "dumai-2024.yaml", engine=engine)
    r = engine.score(a)
    total = r.compiled.total
    return [display(g.numerator, total, 2) for g in r.groups.values() if g.parent is None]


def test_waterfall_in_english() -> None:
    title, ylabel, ticks, texts = _labels("en")
    assert title == "Pemerintah Kota Dumai: 3.90 (Sangat Baik)"
    assert ylabel == "contribution to the index"
    assert ticks == ["D1", "D2", "D3", "D4", "index"]
    assert texts == [str(p) for p in _parts()]


def test_waterfall_in_indonesian() -> None:
    title, ylabel, ticks, texts = _labels("id")
    assert title == "Pemerintah Kota Dumai: 3,90 (Sangat Baik)"
    assert ylabel == "kontribusi terhadap indeks"
    assert ticks == ["D1", "D2", "D3", "D4", "indeks"]
    assert texts == [str(p).replace(".", ",") for p in _parts()] and all("," in t for t in texts)

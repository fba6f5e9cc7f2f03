"""`ScoreResult.plot_waterfall` speaks the reader's language: the axis, the index bar and every number
(decimal comma in Bahasa Indonesia), the numbers rounded half-up from the exact values as everywhere
else. matplotlib is in the `test` extra (through `notebook`), so this runs in CI."""

from __future__ import annotations

import pytest

from spbe_engine import Engine, load_assessments
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


#: Dumai 2024's domain contributions (D1 4.30 × 13 %, D2 3.60 × 25 %, D3 2.36 × 16.5 %, D4 4.51 × 45.5 %),
#: worked by hand: 0.559, 0.900, 0.3894, 2.05205, half-up to two decimals.
PARTS = ["0.56", "0.90", "0.39", "2.05"]


def test_waterfall_in_english() -> None:
    title, ylabel, ticks, texts = _labels("en")
    assert title == "Pemerintah Kota Dumai: 3.90 (Sangat Baik)"
    assert ylabel == "contribution to the index"
    assert ticks == ["D1", "D2", "D3", "D4", "index"]
    assert texts == PARTS


def test_waterfall_in_indonesian() -> None:
    title, ylabel, ticks, texts = _labels("id")
    assert title == "Pemerintah Kota Dumai: 3,90 (Sangat Baik)"
    assert ylabel == "kontribusi terhadap indeks"
    assert ticks == ["D1", "D2", "D3", "D4", "indeks"]
    assert texts == ["0,56", "0,90", "0,39", "2,05"]

"""Formats written once and used by every writer: the CSV cell (row and streaming paths), index points
to 4 decimals (HTML, Markdown, Excel), and the note of a report made without matplotlib (the page and
`spbe report` name the extra that installs it)."""

from __future__ import annotations

import sys
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Engine, load_assessments
from spbe_engine.cli.output import EXCEL_ID, csv_field, csv_text
from spbe_engine.i18n import language, translate
from spbe_engine.reports import charts, html, tables
from spbe_engine.reports.build import collect

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"


def test_csv_field_localises_plain_decimals_only() -> None:
    assert [csv_field(v, ",") for v in ("3.90", "-0.25", "1.2.3", "v3.9", "=1+2", 4, None)] == [
        "3,90", "-0,25", "1.2.3", "v3.9", "'=1+2", "4", "",
    ]  # fmt: skip
    assert csv_field("3.90") == "3.90"
    rows = [["a", "3.90", "=cmd"], ["b", Decimal("0.5"), True]]
    assert csv_text(rows, EXCEL_ID) == "\ufeffa;3,90;'=cmd\nb;0,5;True\n"


def test_points_are_four_decimals_half_up() -> None:
    assert tables.points(Fraction(1, 3)) == Decimal("0.3333")
    assert str(tables.points(Fraction(5, 100000))) == "0.0001"  # a tie goes up
    assert str(tables.points(Fraction(13, 1))) == "13.0000"
    assert str(tables.points(Fraction(2, 7))) == "0.2857"
    assert str(tables.points(Fraction(-1, 20000))) == "-0.0001"  # a negative tie goes away from zero, as display


def test_the_plot_extra_installs_matplotlib_and_the_note_says_so() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(d.startswith("matplotlib") for d in extras["plot"])
    assert "'spbe_engine[plot]'" in charts.NO_CHARTS
    with language("id"):
        assert "'spbe_engine[plot]'" in translate(charts.NO_CHARTS) and translate(charts.NO_CHARTS) != charts.NO_CHARTS


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_report_without_matplotlib_shows_the_note(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    city = [a for f in ("2024.yaml", "2025.yaml") for a in load_assessments(CITY / f, engine=engine)]
    data = collect(engine, city, CITY / "owners.yaml", CITY / "targets.yaml")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    page = html.render(data, lang=lang)
    with language(lang):
        note = translate(charts.NO_CHARTS)
    assert "<svg" not in page
    assert f'<p class="note">{note[:1].upper()}{note[1:]}.</p>'.replace("'", "&#x27;") in page

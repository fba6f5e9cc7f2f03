"""Issue 13 for the reports: Bahasa Indonesia throughout (words from tests/data/english-words.txt are
absent), numbers the language's way, times in WIB, numbers in the workbook as numbers; issue 14 (6):
the page's layout (charts in a grid, named radar axes, compact tables, collapsible units, contents)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from spbe_engine import Engine, load_assessments
from spbe_engine.i18n import language

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"
ENGINE = Engine()
WORDS = ROOT / "tests" / "data" / "english-words.txt"


def english_words() -> set[str]:
    out = set()
    for line in WORDS.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            out.add(word)
    return out


def visible_text(html: str) -> str:
    """What a reader sees: no <style>, <svg> or tags; entities undone."""
    import html as h

    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return h.unescape(re.sub(r"<[^>]+>", " ", html))


def english_in(text: str, data: set[str]) -> list[str]:
    """Words of the list found in `text`, after removing what is data (names from the files) and ids
    (tokens with digits, `_`, `-` or `.`: rule ids, file names, catalogue ids)."""
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    tokens = re.findall(r"[\w.\-/@]+", text)
    words = english_words()
    return sorted({t.lower() for t in tokens if not re.search(r"[\d_.\-/@]", t) and t.lower() in words})


@pytest.fixture(scope="module")
def report_id(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from spbe_engine.reports.write import write_report

    out = tmp_path_factory.mktemp("rep") / "id"
    city = [a for f in ("2024.yaml", "2025.yaml") for a in load_assessments(CITY / f, engine=ENGINE)]
    write_report(ENGINE, city, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", out_dir=out, lang="id")
    return out


def data_texts() -> set[str]:
    """Names that come from the data (units, indicators, groups, subjects, rule messages' quotes)."""
    import yaml

    owners = yaml.safe_load((CITY / "owners.yaml").read_text(encoding="utf-8"))
    names = {u["name"] for u in owners["units"]} | {u.get("contact", "") for u in owners["units"]} - {""}
    cat = ENGINE.catalogue("spbe-2020")
    names |= {i.name for i in cat.indicators()} | {"Pemerintah Kota Contoh", "PermenPANRB", "spbe_engine"}
    return names


def test_indonesian_report_has_no_english_words(report_id: Path) -> None:
    data = data_texts()
    html = visible_text((report_id / "report.html").read_text(encoding="utf-8"))
    assert english_in(html, data) == []
    md = (report_id / "report.md").read_text(encoding="utf-8")
    assert english_in(md, data) == []
    assert "dipertaruhkan" not in html + md  # the odd wording is gone
    for word in ("Penilaian Mandiri", "Verifikator Internal", "Asesor Eksternal", "Nilai Akhir", "Indeks SPBE"):
        assert word in html, word
    assert "self_assessment" not in html and "external_assessor" not in html


def test_the_check_itself_catches_english(report_id: Path) -> None:
    """The list works: the English report is full of its words."""
    from spbe_engine.reports.write import write_report

    city = load_assessments(CITY / "2025.yaml", engine=ENGINE)
    out = write_report(ENGINE, city, owners=CITY / "owners.yaml", out_dir=report_id.parent / "en", lang="en")
    html = visible_text(Path(out["html"]).read_text(encoding="utf-8"))
    assert {"the", "of", "weight"} <= set(english_in(html, data_texts()))


def test_numbers_use_the_decimal_comma(report_id: Path) -> None:
    html = (report_id / "report.html").read_text(encoding="utf-8")
    md = (report_id / "report.md").read_text(encoding="utf-8")
    assert '<span class="value">3,64</span>' in html and "3.64" not in visible_text(html)
    assert "| 2025 | spbe-2020 | 3,64 | Sangat Baik | 3,50 | ya |" in md
    assert "3.64" not in md.split("```")[0]


def test_times_in_wib_and_other_zones(tmp_path: Path) -> None:
    import datetime as dt

    from spbe_engine.reports import html, markdown
    from spbe_engine.reports.build import collect

    city = load_assessments(CITY / "2025.yaml", engine=ENGINE)
    data = collect(ENGINE, city, CITY / "owners.yaml")
    data = type(data)(data.latest, data.series, data.accountability, dt.datetime(2026, 1, 31, 20, 30, tzinfo=dt.UTC))
    assert "pada 2026-02-01 03:30 WIB." in html.render(data, "id")
    assert "on 2026-02-01 04:30 WITA." in markdown.render(data, "en", tz="WITA")
    assert "2026-02-01 05:30 WIT" in html.render(data, "id", tz="WIT")


def test_report_tz_keyword(tmp_path: Path) -> None:
    from spbe_engine.errors import SpbeError
    from spbe_engine.reports.write import write_report

    city = load_assessments(CITY / "2025.yaml", engine=ENGINE)
    out = write_report(ENGINE, city, owners=CITY / "owners.yaml", out_dir=tmp_path / "r", tz="WIT")
    assert re.search(r"Generated by spbe_engine on \d{4}-\d\d-\d\d \d\d:\d\d WIT\.", Path(out["html"]).read_text())
    with pytest.raises(SpbeError, match="unknown time zone 'Mars'"):
        write_report(ENGINE, city, owners=CITY / "owners.yaml", out_dir=tmp_path / "x", tz="Mars")
    assert not (tmp_path / "x").exists()


def test_workbook_numbers_are_numbers_on_every_sheet(report_id: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(report_id / "report.xlsx")
    summary = wb["Ringkasan"]
    rows = {r[0].value: r for r in summary.iter_rows(max_col=8) if r[0].value is not None}
    assert rows["indeks"][1].data_type == "n" and rows["indeks"][1].number_format == "0.00"
    assert rows["indeks (eksak)"][1].value == "3.635"
    assert rows["dibuat"][1].value.endswith(" WIB")
    a1 = rows["A1"]  # a group: weight and index numbers with 2 decimals, the exact index as text
    assert (a1[2].value, a1[2].number_format, a1[3].value, a1[3].number_format) == (13, "0.00", 3, "0.00")
    assert a1[5].data_type == "s" and a1[5].value == "3"
    unit = rows[1]  # the first unit of the ranking: points at stake as numbers, the exact value as text
    assert [c.data_type for c in unit[2:5]] == ["n", "n", "n"] and unit[3].number_format == "0.0000"
    sheet = wb["diskominfo"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["indikator", "nama", "peran", "tingkat"] and "data dukung diterima" in head
    first = [c for c in sheet[2]]
    assert first[2].value == "penanggung jawab"
    numeric = [first[n] for n in (3, 4, 5, 6, 7)]  # level, target, weight, gains
    assert all(c.data_type == "n" for c in numeric), [(c.value, c.data_type) for c in numeric]
    assert first[5].number_format == "0.00" and first[6].number_format == "0.0000"
    stage_head = [c.value for row in sheet.iter_rows() for c in row if c.value == "Penilaian Mandiri"]
    assert stage_head  # the stage table's headers in words


def test_explain_in_indonesian_uses_the_decimal_comma() -> None:
    (a,) = load_assessments(ROOT / "examples" / "dumai-2024.yaml", engine=ENGINE)
    r = ENGINE.score(a)
    text = r.explain(lang="id")
    assert "Indeks 3,90 (tanpa pembulatan" in text and "Alasan Sangat Baik" in text
    assert not re.search(r"\d\.\d", text.split("Kontribusi")[0].replace("59/2020", ""))
    with language("id"):
        from spbe_engine.scoring.explain import explain

        assert explain(r) == text  # the language may come from the context
    assert "Index 3.90 (unrounded" in r.explain(lang="en")


def test_findings_speak_both_languages() -> None:
    from spbe_engine.rules.finding import Finding, Findings

    f = Finding("r1", "warning", "heuristic", ("1",), {"en": "hello", "id": "halo"})
    fs = Findings([f, f], subject="Kota", period="2025", catalogue="spbe-2020")
    assert fs.summary("id").startswith("Kota (2025, spbe-2020): 0 kesalahan, 2 peringatan, 0 ")
    assert fs.summary("en") == "Kota (2025, spbe-2020): 0 errors, 2 warnings, 0 info"
    assert fs.rows("id")[0] == ["peringatan", "r1", "1", "heuristik", "halo"]
    assert fs.rows("en")[0] == ["warning", "r1", "1", "heuristic", "hello"]


def test_radar_axes_carry_aspect_names() -> None:
    pytest.importorskip("matplotlib")
    from spbe_engine.reports import charts

    (a,) = load_assessments(CITY / "2025.yaml", engine=ENGINE)
    r = ENGINE.score(a)
    labels = charts.radar_labels(r)
    assert len(labels) == 8 and labels[0].startswith("A1\nKebijakan Internal")
    assert all(len(label.split("\n")) <= 4 for label in labels)
    with language("id"):
        svg = charts.radar(r)
        bars = charts.waterfall(r)
    assert svg is not None and bars is not None
    assert "Indeks per aspek" in svg and "Teknologi" in svg  # matplotlib writes text as <!-- comments -->
    assert "kontribusi terhadap indeks" in bars and "3,64" in bars and "contribution" not in bars


def test_layout_grid_toc_collapsible_units(report_id: Path) -> None:
    html = (report_id / "report.html").read_text(encoding="utf-8")
    assert '<nav class="toc"' in html and 'href="#units"' in html and "Daftar isi" in html
    assert '<div class="grid"><figure>' in html
    assert html.count('<details id="unit-') == 15 and '<details id="unit-1-diskominfo">' in html
    assert 'href="#unit-1-diskominfo"' in html  # the summary table links to each unit
    assert '<div class="scroll"><table' in html  # wide tables scroll inside their box, not the page
    assert "<script" not in html.lower() and not re.search(r'(src|href)="(https?:)?//', html)  # self-contained


def page_metrics(path: Path, width: int, shot: Path | None = None) -> dict[str, float]:
    playwright = pytest.importorskip("playwright.sync_api")
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("headless Chromium is not installed (CI installs the distribution's `chromium` package)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        page = b.new_page(viewport={"width": width, "height": 900})
        page.goto(path.as_uri())
        metrics: dict[str, float] = page.evaluate(
            """() => {
              const m = document.querySelector('#summary').getBoundingClientRect();
              const figs = [...document.querySelectorAll('#charts figure')].map(f => f.getBoundingClientRect().top);
              const names = [...document.querySelectorAll('details[open] td.name, table.units-summary td.name')]
                .map(td => td.getBoundingClientRect().height);
              return {scrollWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
                      left: m.left, right: window.innerWidth - m.right, rows: new Set(figs).size,
                      figures: figs.length, nameHeight: Math.max(0, ...names)};
            }"""
        )
        if shot is not None:
            page.evaluate("document.querySelector('details').open = true")
            page.screenshot(path=str(shot), full_page=True)
        b.close()
    return metrics


@pytest.mark.parametrize("width", [1280, 800])
def test_report_layout_in_a_real_browser(report_id: Path, width: int) -> None:
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    m = page_metrics(report_id / "report.html", width, artifacts / f"report-id-{width}.png")
    assert m["scrollWidth"] <= width  # nothing overflows the page
    assert m["left"] >= 12 and m["right"] >= 12  # margins, also at 800 px
    assert m["height"] < 6000  # fifteen units collapsed: no 9,000 px page
    if width == 1280:
        assert m["figures"] == 3 and m["rows"] == 1  # the three charts side by side
    assert m["nameHeight"] < 100  # a unit's name wraps to a few lines at most

"""The meeting dashboard: one self-contained HTML file whose arithmetic is the engine's.

Driven in a real headless browser (Playwright on the system Chromium): for random level changes and
for levels whose exact index sits on a band bound, just below it, and on a half-up rounding edge,
the index, every group and the predikat the page shows equal `engine.score()` of the same levels.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Engine, load_assessments
from spbe_engine.model.assessment import Assessment
from spbe_engine.monev.dashboard import dashboard_data, render_dashboard, write_dashboard
from spbe_engine.monev.meeting import action_views, merged_targets, peer_context, projected_levels, target_levels

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "kota-contoh"
ENGINE = Engine(load_entry_points=False)
(SNAPSHOT,) = load_assessments(CITY / "2025.yaml")
AS_OF = dt.date(2025, 6, 30)
ACTIONS = [
    {"indicator": "11", "unit": "bappeda", "kendala": "Arsitektur belum ditetapkan",
     "rencana_aksi": "Tetapkan Perwali Arsitektur SPBE", "pic": "Kabid Litbang", "due": "2025-03-01",
     "status": "open", "level": 5},
    {"indicator": "17", "unit": "diskominfo", "kendala": "Jaringan intra belum terpadu",
     "rencana_aksi": "Integrasi jaringan OPD", "pic": "Kasi Infrastruktur", "due": "2026-12-01",
     "status": "in_progress", "level": 3},
    {"indicator": "24", "unit": "diskominfo", "kendala": "—", "rencana_aksi": "Sudah selesai", "pic": "Kasi",
     "due": "2025-01-10", "status": "done", "level": 4},
]  # fmt: skip


def _peers() -> list[Assessment]:
    out = []
    for k, name in enumerate(["Kota Pekanbaru", "Kota Dumai", "Kabupaten Siak", "Kabupaten Kampar"]):
        rnd = random.Random(k)
        out.append(SNAPSHOT.replace(subject=name, levels={i: rnd.randint(2, 5) for i in SNAPSHOT.levels}))
    out.append(SNAPSHOT.replace(subject="Kota Lain", tags={"province": "Jambi"}))  # another province: not a peer
    return out


PEERS = _peers()


def _shown(display: str) -> str:
    return display.replace(".", ",")  # the page speaks Indonesian by default


# -- without a browser --------------------------------------------------------------------------


def _data(**kw: Any) -> dict[str, Any]:
    acc = ENGINE.accountability(SNAPSHOT, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml", as_of=AS_OF)
    return dashboard_data(ENGINE, acc, actions=ACTIONS, peers=PEERS, as_of=AS_OF, **kw)


def test_the_page_gets_the_engines_integer_weights_and_bands() -> None:
    data = _data()
    cc = ENGINE.compiled("spbe-2020")
    assert [int(w) for w in data["weights"]] == list(cc.weights) and int(data["total"]) == cc.total
    assert [(int(n), int(d)) for n, d, *_ in data["bands"]] == [(n, d) for n, d, _ in cc.bands]
    assert [int(g["weight"]) for g in data["groups"]] == [g.weight for g in cc.groups]
    assert data["levels"] == [SNAPSHOT.levels[i] for i in cc.ids]
    assert data["lang"] == "id" and data["labels"]["id"]["index"] == "Indeks SPBE"
    overdue = {a["indicator"]: a["overdue"] for a in data["actions"]}
    assert overdue == {"11": True, "17": False, "24": False}  # done is never overdue
    assert data["peers"]["group"] == "Riau" and len(data["peers"]["rows"]) == 4  # Jambi's city left out
    # without a targets file the page's targets are the assessment's target stage, as the brief's are
    bare = dashboard_data(ENGINE, ENGINE.accountability(SNAPSHOT, owners=CITY / "owners.yaml"))
    assert bare["targets"] == [SNAPSHOT.stages["target"].get(i) for i in cc.ids] != [None] * 47


def test_every_label_has_its_indonesian() -> None:
    from spbe_engine.i18n import translate
    from spbe_engine.monev.dashboard import LABELS, NOSCRIPT

    same = {"Predikat", "Status", "Target", "No."}  # the same word in both languages
    untranslated = [t for t in [*LABELS.values(), NOSCRIPT] if translate(t, "id") == t and t not in same]
    assert untranslated == []


def test_the_page_is_self_contained_and_user_text_cannot_leave_its_script() -> None:
    evil = SNAPSHOT.replace(subject="</script><script>alert(1)</script>")
    acc = ENGINE.accountability(evil, owners=CITY / "owners.yaml")
    page = render_dashboard(dashboard_data(ENGINE, acc))
    assert "<script>alert(1)" not in page and page.count("</script>") == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no network"
    assert "default-src 'none'" in page  # the page may not fetch anything
    raw = page.split('<script type="application/json" id="spbe-data">')[1].split("</script>")[0]
    assert json.loads(raw)["subject"] == evil.subject


def test_writing_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    from spbe_engine.errors import SpbeError

    out = tmp_path / "dashboard.html"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(SpbeError):
        write_dashboard(ENGINE, SNAPSHOT, owners=CITY / "owners.yaml", out=out)
    assert out.read_text(encoding="utf-8") == "keep me"
    write_dashboard(ENGINE, SNAPSHOT, owners=CITY / "owners.yaml", out=out, overwrite=True)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_writing_never_overwrites_an_input_file(tmp_path: Path) -> None:
    """Not even with overwrite=True: the owners or targets file given is refused as the output, by name."""
    from spbe_engine.errors import SpbeError

    for name in ("owners.yaml", "targets.yaml"):
        (tmp_path / name).write_bytes((CITY / name).read_bytes())
    owners, targets = tmp_path / "owners.yaml", tmp_path / "targets.yaml"
    for out in (owners, targets, tmp_path / "." / "targets.yaml", str(owners)):
        with pytest.raises(SpbeError, match="input") as info:
            write_dashboard(ENGINE, SNAPSHOT, owners=owners, targets=str(targets), out=out, overwrite=True)
        message = str(info.value)
        assert "\n" not in message and Path(out).name in message
    assert owners.read_bytes() == (CITY / "owners.yaml").read_bytes()
    assert targets.read_bytes() == (CITY / "targets.yaml").read_bytes()


def test_reported_levels_are_marked_from_the_base_without_changing_the_numbers() -> None:
    acc = ENGINE.accountability(SNAPSHOT, owners=CITY / "owners.yaml")
    now = SNAPSHOT.replace(levels={**SNAPSHOT.levels, "12": 5})
    marked = dashboard_data(ENGINE, ENGINE.accountability(now, owners=CITY / "owners.yaml"), base=SNAPSHOT)
    cc = ENGINE.compiled("spbe-2020")
    assert marked["reportedFrom"] == [SNAPSHOT.levels["12"] if i == "12" else None for i in cc.ids]
    assert marked["levels"] == [now.levels[i] for i in cc.ids]  # the page starts from the reported levels
    assert dashboard_data(ENGINE, acc)["reportedFrom"] == [None] * len(cc.ids)
    assert dashboard_data(ENGINE, acc, base=SNAPSHOT)["reportedFrom"] == [None] * len(cc.ids)


# -- in a real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module's pages (two Playwright sessions cannot run at once)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install 'spbe_engine[browser]')"
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no Chromium on PATH (CI installs the distribution's `chromium` package)")
    with sync_api.sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        except Exception as exc:  # e.g. a Chromium that cannot start here
            pytest.skip(f"Chromium does not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


def _browser_page(browser: Any, out: Path) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.resolve().as_uri())
    page.wait_for_selector("#index")
    page.errors = errors
    yield page
    assert errors == [], errors
    page.close()


@pytest.fixture(scope="module")
def page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = write_dashboard(
        ENGINE,
        SNAPSHOT,
        owners=CITY / "owners.yaml",
        targets=CITY / "targets.yaml",
        actions=ACTIONS,
        peers=PEERS,
        out=tmp_path_factory.mktemp("dashboard") / "dashboard.html",
        as_of=AS_OF,
    )
    yield from _browser_page(browser, out)


SET_LEVELS = """levels => {
  for (const s of document.querySelectorAll('select[data-indicator]')) {
    s.value = String(levels[s.dataset.indicator]);
    s.dispatchEvent(new Event('change'));
  }
}"""


def _set(page: Any, levels: dict[str, int]) -> None:
    page.evaluate(SET_LEVELS, levels)


def _shown_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
        index: document.getElementById('index').textContent,
        predikat: document.getElementById('predikat').textContent,
        rank: document.getElementById('rank').textContent,
        groups: Object.fromEntries([...document.querySelectorAll('tr[data-group]')].map(
            r => [r.dataset.group, [r.cells[3].textContent, r.cells[4].textContent]])),
        levels: Object.fromEntries([...document.querySelectorAll('select[data-indicator]')].map(
            s => [s.dataset.indicator, parseInt(s.value, 10)])),
    })"""
    )


def _assert_same_as_engine(page: Any, levels: dict[str, int]) -> None:
    r = ENGINE.score(SNAPSHOT.replace(levels=levels))
    shown = _shown_state(page)
    assert shown["levels"] == levels
    assert (shown["index"], shown["predikat"]) == (_shown(r.display), r.predikat), r.fraction
    assert shown["groups"] == {g.id: [_shown(g.display), g.predikat] for g in r.groups.values()}
    ctx = peer_context(ENGINE, SNAPSHOT, PEERS)
    assert ctx is not None
    rank, n = ctx.rank((2 * r.numerator * 100 + r.compiled.total) // (2 * r.compiled.total))
    assert shown["rank"] == f"{rank} dari {n}"


def _levels_with_numerator(target: int) -> dict[str, int] | None:
    """Levels whose weighted sum is exactly `target` (a subset-sum over the scales), or None."""
    cc = ENGINE.compiled("spbe-2020")
    reach: dict[int, list[int]] = {0: []}
    for n in range(len(cc.ids)):
        nxt: dict[int, list[int]] = {}
        for total, chosen in reach.items():
            for level in range(cc.lo[n], cc.hi[n] + 1):
                s = total + level * cc.weights[n]
                if s <= target and s not in nxt:
                    nxt[s] = [*chosen, level]
        reach = nxt
    found = reach.get(target)
    return None if found is None else dict(zip(cc.ids, found, strict=True))


def _edges() -> list[int]:
    """Weighted sums on every band bound, one step (the smallest weight unit) below it, and on the
    half-up rounding edge below it (x.xx5 shows rounded up while the predikat stays below)."""
    cc = ENGINE.compiled("spbe-2020")
    lowest = sum(lo * w for lo, w in zip(cc.lo, cc.weights, strict=True))
    out = []
    for num, den, _ in cc.bands:
        bound = num * cc.total // den
        assert bound * den == num * cc.total
        out += [s for s in (bound, bound - 5, bound - 50) if s >= lowest]  # nothing lies below the lowest level
    return out


def test_band_edges_show_the_engines_index_and_predikat(page: Any) -> None:
    seen = set()
    for target in _edges():
        levels = _levels_with_numerator(target)
        assert levels is not None, target
        r = ENGINE.score(SNAPSHOT.replace(levels=levels))
        assert r.numerator == target
        seen.add((r.display, r.predikat))
        _set(page, levels)
        _assert_same_as_engine(page, levels)
    # the edges are real edges: on 3.5 Sangat Baik; 3.4995 and 3.495 show 3.50 yet stay Baik
    assert ("3.50", "Sangat Baik") in seen and ("3.50", "Baik") in seen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_level_changes_show_the_engines_numbers(page: Any, data: st.DataObject) -> None:
    levels = dict(SNAPSHOT.levels)
    changes = data.draw(st.dictionaries(st.sampled_from(sorted(levels)), st.integers(1, 5), max_size=47))
    levels.update(changes)
    _set(page, levels)
    _assert_same_as_engine(page, levels)


def test_reset_restores_the_snapshot(page: Any) -> None:
    _set(page, {i: 5 for i in SNAPSHOT.levels})
    assert _shown_state(page)["index"] == "5,00"
    page.click("#reset")
    _assert_same_as_engine(page, dict(SNAPSHOT.levels))
    assert "snapshot" in page.text_content("#changed") or "awal" in page.text_content("#changed")


def test_unit_filter_shows_that_units_indicators_and_actions(page: Any) -> None:
    own = ENGINE.accountability(SNAPSHOT, owners=CITY / "owners.yaml").ownership
    page.click("#reset")
    page.select_option("#unit-filter", "bappeda")
    visible = page.evaluate(
        "() => [...document.querySelectorAll('tr[data-indicator]')].filter(r => !r.hidden).map(r => r.dataset.indicator)"
    )
    expected = [r.indicator for r in own.indicators if r.lead == "bappeda" or "bappeda" in r.support]
    assert sorted(visible, key=int) == sorted(expected, key=int) and 0 < len(visible) < 47
    units = page.evaluate("() => [...document.querySelectorAll('table.actions tbody tr')].map(r => r.dataset.unit)")
    assert units == ["bappeda"]
    page.select_option("#unit-filter", "")
    assert page.evaluate("() => [...document.querySelectorAll('tr[data-indicator]')].every(r => !r.hidden)")


def test_apply_targets_and_actions_equal_the_engine(page: Any) -> None:
    acc = ENGINE.accountability(SNAPSHOT, owners=CITY / "owners.yaml", targets=CITY / "targets.yaml")
    for unit in ("diskominfo", "bappeda", ""):
        page.click("#reset")
        page.select_option("#unit-filter", unit)
        page.click("#apply-targets")
        expected = target_levels(SNAPSHOT.levels, merged_targets(SNAPSHOT, acc.targets), acc.ownership, unit or None)
        assert expected != SNAPSHOT.levels
        _assert_same_as_engine(page, expected)
    page.click("#reset")
    page.select_option("#unit-filter", "")
    page.click("#apply-actions")
    projected = projected_levels(SNAPSHOT.levels, action_views(ACTIONS))
    assert projected["11"] == 5 and projected["24"] == SNAPSHOT.levels["24"]  # done actions do not count
    _assert_same_as_engine(page, projected)
    page.click("#reset")


def test_language_switch_and_screenshots(page: Any) -> None:
    """Screenshots at 1280 px and at a projector's 1024x768, kept in test-artifacts/ to be looked at."""
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.click("#reset")
    page.select_option("#unit-filter", "")
    page.click("#apply-actions")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / "dashboard-1280.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(path=str(artifacts / "dashboard-1024x768.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "dashboard-print.png"), full_page=True)
    page.emulate_media(media="screen")
    index_id = page.text_content("#index")
    page.click("#lang")
    assert page.text_content("#index") == index_id.replace(",", ".")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("#lang")
    page.click("#reset")
    page.set_viewport_size({"width": 1280, "height": 900})


# -- levels the units reported (a snapshot from `spbe collect`) ------------------------------------

REPORTED = {"12": SNAPSHOT.levels["12"] + 1, "22": SNAPSHOT.levels["22"]}  # 22 reported as it was: no mark

MARKS = """() => [...document.querySelectorAll('tr.reported')].map(r => [r.dataset.indicator,
  r.querySelector('.reported-badge').textContent])"""


def _snapshot_file(tmp: Path) -> Path:
    """A snapshot as `spbe collect` writes it: base levels, the reported ones as the self-assessment stage."""
    from spbe_engine.monev.actions import ActionLog
    from spbe_engine.monev.snapshot import Counts, Report, Snapshot, SnapshotRecord, fingerprint, write_snapshot

    assert SNAPSHOT.levels["12"] < 5
    a = SNAPSHOT.replace(stages={**SNAPSHOT.stages, "self_assessment": REPORTED})
    reports = tuple(
        Report(indicator=i, unit="bappeda", role="lead", file="bappeda.xlsx", row=k + 4, level=v, cells=1, merged=1)
        for k, (i, v) in enumerate(REPORTED.items())
    )
    record = SnapshotRecord(
        meeting="2025-04-10", catalogue=a.catalogue, subject=a.subject, period=a.period,
        base_fingerprint=fingerprint(SNAPSHOT), reports=reports,
        counts=Counts(workbooks=1, units_expected=15, units_reported=1, cells_read=2, cells_merged=2, levels_merged=2),
    )  # fmt: skip
    path = tmp / "2025-04.yaml"
    write_snapshot(Snapshot(a, record, ActionLog()), path)
    return path


@pytest.fixture(scope="module")
def reported_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The dashboard `spbe dashboard` writes for that snapshot."""
    from spbe_engine.cli.main import main

    tmp = tmp_path_factory.mktemp("reported")
    out = tmp / "dasbor.html"
    assert main(["dashboard", str(_snapshot_file(tmp)), "--owners", str(CITY / "owners.yaml"), "-o", str(out)]) == 0
    yield from _browser_page(browser, out)


def test_a_reported_change_is_marked_on_exactly_that_indicator(reported_page: Any) -> None:
    before, after = SNAPSHOT.levels["12"], REPORTED["12"]
    assert reported_page.evaluate(MARKS) == [["12", f"dilaporkan: {before} \u2192 {after}"]]
    assert "1 indikator" in reported_page.text_content("#reported-note")
    # the numbers are those of the reported levels, as before; marking changes no arithmetic
    now = {**SNAPSHOT.levels, **REPORTED}
    r = ENGINE.score(SNAPSHOT.replace(levels=now))
    assert reported_page.text_content("#index") == _shown(r.display)
    assert reported_page.evaluate("() => document.querySelector('select[data-indicator=\"12\"]').value") == str(after)
    # visible: a dark border on the row, the badge in bold; in English through the language switch
    style = reported_page.evaluate("""() => {
      const b = getComputedStyle(document.querySelector('tr.reported .reported-badge'));
      const c = getComputedStyle(document.querySelector('tr.reported td'));
      return [b.fontWeight, b.display, c.borderLeftWidth]; }""")
    assert style == ["700", "inline-block", "6px"]
    reported_page.click("#lang")
    assert reported_page.evaluate(MARKS) == [["12", f"reported: {before} \u2192 {after}"]]
    reported_page.click("#lang")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    reported_page.locator('tr[data-indicator="12"]').screenshot(path=str(artifacts / "dashboard-reported.png"))
    reported_page.emulate_media(media="print")
    assert reported_page.evaluate(MARKS) == [["12", f"dilaporkan: {before} \u2192 {after}"]]
    assert reported_page.evaluate("() => getComputedStyle(document.querySelector('.reported-badge')).display") != "none"
    reported_page.locator('tr[data-indicator="12"]').screenshot(path=str(artifacts / "dashboard-reported-print.png"))
    reported_page.emulate_media(media="screen")


def test_a_plain_assessment_marks_nothing(page: Any, tmp_path: Path) -> None:
    assert page.evaluate(MARKS) == [] and page.query_selector("#reported-note") is None
    # nor through the command, which reads a plain assessment file as its own base
    from spbe_engine.cli.main import main

    out = tmp_path / "plain.html"
    assert main(["dashboard", str(CITY / "2025.yaml"), "--owners", str(CITY / "owners.yaml"), "-o", str(out)]) == 0
    raw = out.read_text(encoding="utf-8").split('id="spbe-data">')[1].split("</script>")[0]
    assert json.loads(raw)["reportedFrom"] == [None] * len(SNAPSHOT.levels)

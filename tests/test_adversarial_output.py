"""Hostile user text in what the library writes and prints (issue 10: defects 1, 4, 5, 9 and the
`spbe verify --help` wording of 10).

Subject, period, unit names and contacts come from people's files. Whatever they hold, a CSV cell is
never run as a formula, a terminal never obeys an escape sequence, Markdown never carries raw HTML,
a chart never crashes on `$`, and a report folder is one whole set, never overwritten unasked and
never left half-written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from spbe_engine import Assessment, Engine, load_assessments, write_assessments
from spbe_engine.cli.main import main
from spbe_engine.io.safe_text import is_neutralised

from .conftest import ROOT

CITY = ROOT / "examples" / "kota-contoh"
FORMULA = "=cmd|' /C calc'!A0"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07Kota"
# A subject that tries to leave a code fence, inject HTML and Markdown, and break a table.
MARKDOWN = "Kota ```\n<script>alert(1)</script> **bold** [x](javascript:alert(1)) | # h & `t`"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def city_2025(subject: str, period: str = "2025") -> Assessment:
    (a,) = load_assessments(CITY / "2025.yaml", engine=Engine())
    return Assessment(**{**dict(a), "subject": subject, "period": period})


def assessment_file(tmp_path: Path, subject: str, name: str = "a.json", period: str = "2025") -> Path:
    path = tmp_path / name
    write_assessments(path, [city_2025(subject, period)])
    return path


def owners_file(tmp_path: Path, name: str, contact: str | None = None) -> Path:
    data = yaml.safe_load((CITY / "owners.yaml").read_text(encoding="utf-8"))
    data["units"][0]["name"] = name
    if contact is not None:
        data["units"][0]["contact"] = contact
    path = tmp_path / "owners.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- defect 1: CSV cells and terminal text -------------------------------------------------------


def test_score_csv_neutralises_formula_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = assessment_file(tmp_path, FORMULA, period="@2025")
    code, out, _ = run(capsys, "score", str(path), "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and is_neutralised(row["subject"]) and row["subject"] == "'" + FORMULA
    assert row["period"] == "'@2025"
    assert row["display"] == "3.64" and row["index"] == "3.635"  # exact values stay as they are


def test_transition_csv_neutralises_formula_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = assessment_file(tmp_path, FORMULA)
    code, out, err = run(capsys, "transition", str(path), "--to", "pemdi-2026", "--format", "csv")
    if code == 2 and "unknown catalogue 'pemdi-2026'" in err:
        pytest.skip("the spbe-pemdi plugin is not installed")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[1][0] == "'" + FORMULA and rows[1][2] == "3.64"
    risky = [c for row in rows for c in row if c[:1] and c[:1] in "=+-@" and not re.fullmatch(r"[+-][0-9.]+", c)]
    assert not risky and rows[1][1] == "2025"


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{f}"],
        ["score", "{f}", "--explain"],
        ["check", "{f}", "--as-of", "2025-06-30"],
        ["whatif", "{f}", "--set", "1=5"],
        ["plan", "{f}", "--target", "Memuaskan"],
        ["simulate", "{f}", "--n", "50"],
        ["transition", "{f}", "--to", "pemdi-2026"],
        ["migrate", "{f}", "--to", "pemdi-2026"],
    ],
    ids=lambda a: " ".join(a[:1] + a[2:]),
)
def test_terminal_output_has_no_escape_sequences(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = assessment_file(tmp_path, ESCAPES, period="2025\x9b31m")
    code, out, err = run(capsys, *(a.replace("{f}", str(path)) for a in args))
    if code == 2 and "unknown catalogue 'pemdi-2026'" in err:
        pytest.skip("the spbe-pemdi plugin is not installed")
    assert code in (0, 1), err
    assert not CONTROL.findall(out + err), CONTROL.findall(out + err)
    assert "pwnedKota" not in out and "Kota" in out  # the title sequence is gone, the name is not


def test_terminal_table_stays_aligned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = assessment_file(tmp_path, ESCAPES)
    code, out, _ = run(capsys, "score", str(path))
    lines = out.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.startswith("----"))
    assert code == 0 and lines[rule + 1].startswith("Kota     2025") and len(lines[rule].split()[0]) == len("subject")


def test_error_lines_have_no_escape_sequences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('catalogue: "spbe-2020\\e[2J\\e]0;x\\a"\nsubject: a\nperiod: "1"\nlevels: {1: 1}\n')
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and err.count("\n") == 1 and not CONTROL.findall(err)


def test_verify_output_has_no_escape_sequences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = assessment_file(tmp_path, ESCAPES)
    code, out, _ = run(capsys, "score", str(path), "--format", "json")
    saved = tmp_path / "r.json"
    saved.write_text(out, encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(saved))
    assert code == 0 and out.endswith("Kota: holds\n") and not CONTROL.findall(out)


def test_json_output_escapes_invisible_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """C1 controls and bidi overrides are legal unescaped in JSON: escape them, keep the value exact."""
    subject = "Kota\x9b2J \u202eevil\u202c"
    path = assessment_file(tmp_path, subject)
    for args in (["score", "--format", "json"], ["check", "--format", "json"], ["whatif", "--format", "json"]):
        code, out, _ = run(capsys, args[0], str(path), *args[1:])
        assert code in (0, 1) and not CONTROL.findall(out) and "\\u009b" in out
        assert json.loads(out)[0]["subject"] == subject


# --- defects 4 and 5: Markdown and charts in the report -------------------------------------------


def _report(tmp_path: Path, subject: str, unit: str = "Dinas X", contact: str | None = None) -> dict[str, Any]:
    from spbe_engine.reports.write import write_report

    owners = owners_file(tmp_path, unit, contact)
    return write_report(Engine(), [city_2025(subject)], owners=owners, out_dir=tmp_path / "out")


def _outside_fences(md: str) -> str:
    """The Markdown text outside fenced code blocks (fences of any length of backticks)."""
    out, fence = [], ""
    for line in md.splitlines():
        m = re.match(r"^(`{3,})", line)
        if fence:
            if m and line.strip() == fence:
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        out.append(line)
    return "\n".join(out)


def test_markdown_escapes_user_text(tmp_path: Path) -> None:
    unit = "<img src=x onerror=alert(1)> | **Dinas** _X_ [y](http://e.example)"
    written = _report(tmp_path, MARKDOWN, unit=unit, contact="``` <b>c</b>")
    md = Path(written["md"]).read_text(encoding="utf-8")
    text = _outside_fences(md)
    assert "<script" not in text and "<img" not in text and "<b>" not in text and not re.search(r"[^\\]\]\(", text)
    assert md.splitlines()[0].startswith("# SPBE report — Kota \\`\\`\\` &lt;script&gt;")
    # the explanation's fence is longer than any run of backticks in it, so nothing leaves it
    fences = re.findall(r"^(`{3,})$", md, re.M)
    assert len(fences) == 2 and len(fences[0]) == 4 and fences[0] == fences[1]


def test_markdown_renders_without_raw_html(tmp_path: Path) -> None:
    """Parsed by a real CommonMark parser (markdown-it-py, with raw HTML allowed and GFM tables)."""
    markdown_it = pytest.importorskip("markdown_it")
    unit = "<img src=x onerror=alert(1)> | Dinas"
    written = _report(tmp_path, MARKDOWN, unit=unit, contact="<b>c</b>")
    md = Path(written["md"]).read_text(encoding="utf-8")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(md)

    def walk(ts: list[Any]) -> list[Any]:
        return [x for t in ts for x in [t, *walk(t.children or [])]]

    every = walk(tokens)
    assert not [t for t in every if t.type in ("html_block", "html_inline")]
    assert not [t for t in every if t.type == "link_open"]
    assert not [t for t in every if t.type in ("em_open", "code_inline")]
    assert sum(t.type == "strong_open" for t in every) == 3  # the report's own bold, not the subject's
    html = parser.render(md)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](javascript:alert(1)) | # h &amp; `t`" in html
    assert "&lt;img src=x onerror=alert(1)&gt; | Dinas" in html
    h1 = next(n for n, t in enumerate(every) if t.type == "heading_open" and t.tag == "h1")
    assert every[h1 + 1].content.endswith("(2025)")  # the heading holds the whole subject, on one line
    (fence,) = [t for t in every if t.type == "fence"]
    assert "<script>alert(1)</script>" in fence.content and fence.content.startswith("Kota ```\n<script>")
    # every table keeps its columns although a unit name holds `|`
    widths, cells = [], 0
    for t in every:
        if t.type in ("td_open", "th_open"):
            cells += 1
        elif t.type == "tr_close":
            widths.append(cells)
            cells = 0
        elif t.type == "table_close":
            assert len(set(widths)) == 1, widths
            widths = []
    assert sum(t.type == "table_open" for t in every) > 10
    assert "Dinas" in html


@pytest.mark.parametrize("subject", ["Kota $x^$", "Kota $\\frac{$", "--><script>alert(1)</script> $a$"])
def test_charts_survive_dollar_signs(subject: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = _report(tmp_path, subject)
    html = Path(written["html"]).read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "<script" not in html.lower()


# --- defect 9: one whole set, no overwrite without --force, no leftovers ----------------------------


def _report_args(out: Path, *extra: str) -> list[str]:
    return ["report", str(CITY / "2025.yaml"), "--owners", str(CITY / "owners.yaml"), "--out", str(out), *extra]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_report_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert run(capsys, *_report_args(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, text, err = run(capsys, *_report_args(out, "--lang", "id"))
    assert code == 2 and text == "" and err.count("\n") == 1
    assert err == f"spbe: kesalahan: {out}: folder yang sudah ada tidak ditimpa (gunakan --force)\n"  # --lang id
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    code, _, err = run(capsys, *_report_args(out, "--lang", "id", "--force"))
    assert code == 0 and err == ""
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Laporan SPBE")
    assert sorted(p.name for p in out.iterdir()) == sorted(before) and _leftovers(tmp_path) == []


def test_report_library_refuses_to_overwrite(tmp_path: Path) -> None:
    from spbe_engine.errors import SpbeError
    from spbe_engine.reports.write import write_report

    engine, a = Engine(), city_2025("Kota")
    write_report(engine, [a], owners=CITY / "owners.yaml", out_dir=tmp_path / "r")
    with pytest.raises(SpbeError, match=r"refusing to overwrite an existing folder \(use --force\)"):
        write_report(engine, [a], owners=CITY / "owners.yaml", out_dir=tmp_path / "r")
    write_report(engine, [a], owners=CITY / "owners.yaml", out_dir=tmp_path / "r", overwrite=True)
    assert _leftovers(tmp_path) == []


def test_report_force_never_deletes_other_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, *_report_args(out, "--force"))
    assert code == 2 and err.count("\n") == 1 and "notes.txt" in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and _leftovers(tmp_path) == []
    # an input inside the folder is never replaced, with or without --force
    owners = out / "report.md"
    owners.write_bytes((CITY / "owners.yaml").read_bytes())
    (out / "notes.txt").unlink()
    code, _, err = run(capsys, "report", str(CITY / "2025.yaml"), "--owners", str(owners), "--out", str(out), "--force")
    assert code == 2 and "refusing to overwrite an input file" in err and owners.read_bytes().startswith(b"#")


def test_report_into_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing empty folder holds nothing to lose: no --force needed (as with mkdtemp)."""
    code, _, _ = run(capsys, *_report_args(tmp_path))
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md", "report.xlsx"]


def test_commands_refuse_to_overwrite_in_one_wording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe migrate --out`, `spbe template` and `spbe report` say the same thing, naming --force."""
    out = tmp_path / "pemdi.yaml"
    code, _, err = run(capsys, "migrate", str(CITY / "2025.yaml"), "--to", "pemdi-2026", "--out", str(out))
    if code == 2 and "unknown catalogue 'pemdi-2026'" in err:
        pytest.skip("the spbe-pemdi plugin is not installed")
    code, _, err = run(capsys, "migrate", str(CITY / "2025.yaml"), "--to", "pemdi-2026", "--out", str(out))
    assert code == 2 and err == f"spbe: error: {out}: refusing to overwrite an existing file (use --force)\n"


def test_report_never_replaces_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *_report_args(Path(".")))
    assert code == 2 and "refusing to replace the current folder" in err and list(tmp_path.iterdir()) == []


SLOW_REPORT = """
import signal, sys, time
from pathlib import Path
# Ctrl-C as a person at a terminal sends it: a test run started in the background inherits SIGINT
# ignored, and the child would then never see the signal this test is about
signal.signal(signal.SIGINT, signal.default_int_handler)
import spbe_engine.reports.markdown as markdown
real, ready = markdown.render, Path(sys.argv[1])
def slow(*args, **kwargs):
    text = real(*args, **kwargs)
    ready.write_text("ready")
    time.sleep(60)
    return text
markdown.render = slow
from spbe_engine.cli.main import run
sys.argv = ["spbe", *sys.argv[2:]]
run()
"""


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_interrupted_report_leaves_nothing(sig: int, status: int, tmp_path: Path) -> None:
    """A report killed mid-run by SIGTERM or Ctrl-C leaves no report folder and no temporary files."""
    work = tmp_path / "work"
    work.mkdir()
    ready = tmp_path / "ready"
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(SLOW_REPORT), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ready), *_report_args(work / "report")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), proc.communicate(timeout=5)
        assert any(work.iterdir())  # the run is under way and has written something
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status, err
    assert sorted(os.listdir(work)) == []  # no report folder, no hidden temporary folder or file


# --- defect 10 (wording): what `spbe verify` promises --------------------------------------------


def test_verify_help_says_integrity_check_not_signature(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "integrity check" in text and "not a signature" in text and "does not prove who made" in text
    docs = " ".join((ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split())
    assert "integrity check" in docs and "not a signature" in docs

"""Every command, and the report, in Bahasa Indonesia: no English word from tests/data/english-words.txt.

The commands are listed from the parser, so a new command is covered at once: it needs an example
invocation in INVOCATIONS (the test says so) and its --help is checked without one. What is data
(catalogue, group and indicator names, subjects, units, ids, file paths) is removed before the check,
and so are option names (--missing), METAVARS, {choices} and `code`. How the language is chosen
(--lang, SPBE_LANG, the locale: the acceptance checks of issue 13) is tests/test_cli_conventions.py's.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"
WORDS_FILE = DATA / "english-words.txt"
DUMAI = EXAMPLES / "dumai-2024.yaml"
KOTA = EXAMPLES / "kota-contoh"
STAGES = EXAMPLES / "stages-kota-contoh.yaml"
EVIDENCE = EXAMPLES / "evidence-kota-contoh.yaml"

# -- what counts as English --------------------------------------------------------------------------


@cache
def english_words() -> frozenset[str]:
    lines = (line.split("#", 1)[0].strip().lower() for line in WORDS_FILE.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in lines if w)


_NOT_PROSE = [
    re.compile(r"`[^`\n]*`"),  # code
    re.compile(r"https?://\S+"),
    re.compile(r"\bspbe(?: +[a-z][a-z-]*)?\b"),  # the program and its command names: spbe show
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # option names: --missing, -n
    re.compile(r"\{[\w,.-]+\}"),  # argparse choices: {table,json}
    re.compile(r"'[^'\s]*'|\"[^\"\s]*\""),  # a quoted value without spaces: an id, a key, a field
    re.compile(r"\S*[/\\]\S*"),  # file paths
    re.compile(r"\b\w+(?:[_.=:]\w+)+\b"),  # identifiers: review_report, manifest.options, sep=;
    re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b"),  # hyphenated ids: evidence-policy, spbe-2020
    re.compile(r"\b[A-Z][A-Z0-9_]+\b"),  # METAVARS: FILE, DIR, OUT
]
_WORD = re.compile(r"[A-Za-z]+")


def english_words_in(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English words of `text` (each with a little context), once `data` and what is not prose
    are removed."""
    text = _data_pattern(frozenset(data)).sub(" ", text)
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    words = english_words()
    found = []
    for m in _WORD.finditer(text):
        if m.group().lower() in words:
            context = " ".join(text[max(0, m.start() - 30) : m.end() + 30].split())
            found.append(f"{m.group()!r} in …{context}…")
    return found


@cache
def _data_pattern(data: frozenset[str]) -> re.Pattern[str]:
    """One pattern for all data texts, longest first, each as whole words."""
    if not data:
        return re.compile(r"(?!)")
    parts = (rf"(?<!\w){re.escape(p)}(?!\w)" for p in sorted(data, key=len, reverse=True))
    return re.compile("|".join(parts))


def _strings(value: Any, key: str = "") -> Iterator[str]:
    """The text values of loaded YAML/JSON (not its keys), but not English names (`name_en`)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not str(k).endswith("_en"):
                yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield value.strip()
        yield " ".join(value.split())  # a folded YAML text as one line


@cache
def data_phrases() -> frozenset[str]:
    """Every text the inputs hold: names, subjects, units, ids, titles. Short texts and single words
    from the list are not data-only (a status `official` must not hide the word "official")."""
    sources: list[Path] = [
        *sorted((ROOT / "catalogues").rglob("*.yaml")),
        *sorted(EXAMPLES.rglob("*.yaml")),
        *sorted(DATA.rglob("*.yaml")),
    ]
    out: set[str] = set()
    for path in sources:
        with contextlib.suppress(yaml.YAMLError, UnicodeDecodeError):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                out.update(_strings(doc))
    for path in sorted([*DATA.rglob("*.csv"), *EXAMPLES.rglob("*.csv")]):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                out.update(cell.strip() for cell in row)  # agency names, provinces
    words = english_words()
    return frozenset({p for p in out if len(p) >= 3 and p.lower() not in words} | _tag_keys(sources))


def _tag_keys(sources: list[Path]) -> set[str]:
    """The keys of `tags:` (province, kind) and of CSV `tag:` columns: data the user chose, even when English."""
    keys: set[str] = set()
    for path in sources:
        with contextlib.suppress(yaml.YAMLError, UnicodeDecodeError):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                for item in doc.get("assessments", [doc]) if isinstance(doc, dict) else doc or []:
                    if isinstance(item, dict) and isinstance(item.get("tags"), dict):
                        keys.update(str(k) for k in item["tags"])
    for path in sorted([*DATA.rglob("*.csv"), *EXAMPLES.rglob("*.csv")]):
        header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
        keys.update(h.strip().removeprefix("tag:") for h in header.split(",") if h.strip().startswith("tag:"))
    return keys


# -- the commands --------------------------------------------------------------------------------


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    from spbe_engine.cli.main import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the spbe parser has no subcommands")


def commands() -> list[str]:
    return sorted(_subparsers())


def _takes(command: str, option: str) -> bool:
    return any(option in a.option_strings for a in _subparsers()[command]._actions)


def _in(tmp: Path) -> Path:
    """Where the inputs an invocation needs are prepared (not checked as the command's output)."""
    (tmp / "in").mkdir(exist_ok=True)
    return tmp / "in"


def _returned_workbooks(tmp: Path) -> Path:
    """The unit workbooks of the example city, as `spbe workbooks` writes them (returned unchanged)."""
    out = _in(tmp) / "keluar"
    if not out.exists():
        code, _out, err = run(["workbooks", str(KOTA / "2025.yaml"), *_OWNERS, "-o", str(out)])
        assert code == 0, err
    return out


def _snapshot(tmp: Path) -> Path:
    snap = _in(tmp) / "2025-04.yaml"
    if not snap.exists():
        argv = ["collect", str(_returned_workbooks(tmp)), "--owners", str(KOTA / "owners.yaml")]
        code, _out, err = run([*argv, "--base", str(KOTA / "2025.yaml"), "--meeting", "2025-04-10", "-o", str(snap)])
        assert code == 0, err
    return snap


_PEERS = ["--peers", str(KOTA / "nasional-2025.csv"), "--as-of", "2025-07-01"]
_OWNERS = ["--owners", str(KOTA / "owners.yaml"), "--targets", str(KOTA / "targets.yaml")]


def _spbe2018(tmp: Path) -> Path:
    """A complete spbe-2018 assessment (35 indicators at level 3), for migrate and transition."""
    from spbe_engine import Engine

    ids = Engine(load_entry_points=False).compiled("spbe-2018").ids
    path = _in(tmp) / "kota-2018.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "catalogue": "spbe-2018",
                "subject": "Pemerintah Kota Contoh",
                "period": "2020",
                "levels": dict.fromkeys(ids, 3),
            }
        ),
        encoding="utf-8",
    )
    return path


def _bad_csv(tmp: Path) -> Path:
    ids = [str(i) for i in range(1, 48)]
    rows = [
        ["subject", "period", "catalogue", *ids],
        ["Kota Contoh", "2024", "spbe-2020", *(["3"] * 47)],
        ["Kota Lain", "2024", "spbe-2020", "3", "x", *(["9"] * 45)],
    ]
    path = _in(tmp) / "opd.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _result_json(tmp: Path) -> Path:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = contextvars.copy_context().run(_main, ["score", str(DUMAI), "--format", "json"])
    assert code == 0
    path = _in(tmp) / "result.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


Argv = list[str]
#: Example invocations of each command in a human format, with the exit codes they may end with.
#: A new command fails test_command_speaks_indonesian until it has one here.
INVOCATIONS: dict[str, Callable[[Path], list[tuple[Argv, set[int]]]]] = {
    "plugins": lambda t: [(["plugins"], {0})],
    "catalogues": lambda t: [(["catalogues"], {0})],
    "show": lambda t: [(["show", "spbe-2020"], {0}), (["show", "spbe-2018"], {0})],
    "score": lambda t: [
        (["score", str(DUMAI), str(KOTA / "2024.yaml"), str(KOTA / "2025.yaml"), "--explain"], {0}),
        (["score", str(_bad_csv(t))], {2}),
        (["score", str(t / "absent.yaml")], {2}),
    ],
    "check": lambda t: [(["check", str(EVIDENCE), "--as-of", "2024-06-30"], {0, 1})],
    "graph": lambda t: [(["graph", "spbe-2020", "--impact", "3"], {0})],
    "whatif": lambda t: [
        (["whatif", str(DUMAI), "--set", "13=4", "--peers", str(KOTA / "2024.yaml")], {0}),
        (["whatif", str(DUMAI), "--set", "13=9"], {2}),
    ],
    "plan": lambda t: [
        (["plan", str(DUMAI), "--target", "Memuaskan"], {0}),
        (["plan", str(DUMAI), "--target", "4.9"], {0, 1}),
    ],
    "simulate": lambda t: [(["simulate", str(STAGES), "--n", "2000"], {0})],
    "diff": lambda t: [(["diff", "spbe-2018", "spbe-2020"], {0})],
    "migrate": lambda t: [(["migrate", str(_spbe2018(t)), "--to", "spbe-2020"], {0})],
    "transition": lambda t: [(["transition", str(_spbe2018(t)), "--to", "spbe-2020"], {0})],
    "report": lambda t: [(_report_argv(t / "report"), {0})],
    "template": lambda t: [(["template", "spbe-2020", str(t / "penilaian.xlsx")], {0})],
    "rank": lambda t: [(["rank", str(DUMAI), str(KOTA / "2024.yaml"), "--within", "province"], {0})],
    "verify": lambda t: [(["verify", str(_result_json(t))], {0})],
    "schema": lambda t: [(["schema", "assessment"], {0})],
    "workbooks": lambda t: [(["workbooks", str(KOTA / "2025.yaml"), *_OWNERS, "-o", str(t / "keluar")], {0})],
    "collect": lambda t: [
        (
            [
                "collect",
                str(_returned_workbooks(t)),
                "--owners",
                str(KOTA / "owners.yaml"),
                "--base",
                str(KOTA / "2025.yaml"),
                "--meeting",
                "2025-04-10",
                "-o",
                str(t / "2025-04.yaml"),
            ],
            {0},
        )
    ],
    "actions": lambda t: [
        (["actions", str(_snapshot(t)), "--as-of", "2025-07-01"], {0}),
        (["actions", str(KOTA / "actions.yaml"), "--as-of", "2025-07-01", "-o", str(t / "aksi.xlsx")], {0}),
    ],
    "brief": lambda t: [(["brief", str(_snapshot(t)), *_OWNERS, *_PEERS, "-o", str(t / "brief")], {0})],
    "dashboard": lambda t: [(["dashboard", str(_snapshot(t)), *_OWNERS, *_PEERS, "-o", str(t / "rapat.html")], {0})],
    "validate": lambda t: [
        (["validate", str(DUMAI), str(KOTA / "2024.yaml")], {0}),
        (["validate", str(_bad_csv(t))], {2}),
    ],
}

#: Commands whose output is a machine format (DOT, JSON Schema): run, not read for words.
MACHINE = {"graph", "schema"}


def _report_argv(out: Path) -> Argv:
    return [
        "report",
        str(KOTA / "2024.yaml"),
        str(KOTA / "2025.yaml"),
        "--owners",
        str(KOTA / "owners.yaml"),
        "--targets",
        str(KOTA / "targets.yaml"),
        "--as-of",
        "2025-06-30",
        "--out",
        str(out),
    ]


def _main(argv: Argv) -> int:
    from spbe_engine.cli.main import main

    try:
        return main(argv)
    except SystemExit as exc:  # argparse: --help, or a bad option
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2


def run(argv: Argv, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`spbe ARGV` in this process (a copy of the context: the language it sets stays inside)."""
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = contextvars.copy_context().run(_main, argv)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out.getvalue(), err.getvalue()


def in_indonesian(argv: Argv) -> tuple[Argv, dict[str, str]]:
    """ARGV with --lang id where the command takes it; else SPBE_LANG=id (and test_every_command_takes_lang fails)."""
    if _takes(argv[0], "--lang"):
        return [*argv, "--lang", "id"], {}
    return argv, {"SPBE_LANG": "id"}


# -- files a command writes ------------------------------------------------------------------------


def html_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    shown = re.findall(r"""(?i)\b(?:title|alt|aria-label|placeholder)\s*=\s*"([^"]*)\"""", html)
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html) + "\n" + "\n".join(shown))


def xlsx_text(path: Path) -> str:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=False)
    parts = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":  # a hidden sheet of ids and checksums for the program
            continue
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(c) for c in row if isinstance(c, str))
        for dv in getattr(sheet.data_validations, "dataValidation", []):
            parts.extend(x for x in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if x)
        for cell_comment in (c.comment for r in sheet.iter_rows() for c in r if c.comment):
            parts.append(cell_comment.text)
    return "\n".join(parts)


def docx_text(path: Path) -> str:
    docx = pytest.importorskip("docx")
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def written_text(root: Path) -> dict[str, str]:
    """The readable text of what a command wrote under `root` (HTML, Markdown, text, Excel), not the
    inputs prepared in `root/in`."""
    out = {}
    for path in sorted(root.rglob("*")):
        if (root / "in") in path.parents:
            continue
        if path.suffix == ".html":
            out[str(path)] = html_text(path.read_text(encoding="utf-8"))
        elif path.suffix in {".md", ".txt"}:
            out[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            out[str(path)] = xlsx_text(path)
        elif path.suffix == ".docx":
            out[str(path)] = docx_text(path)
    return out


# -- the tests -------------------------------------------------------------------------------------


def test_the_word_list_is_a_list_of_english_words() -> None:
    words = english_words()
    assert {"the", "and", "index", "weight", "group", "error", "warning", "step", "cost", "level"} <= words
    assert {"evidence", "missing", "file", "row"} <= words
    for indonesian in ("target", "total", "status", "unit", "data", "no", "predikat", "indeks", "baris"):
        assert indonesian not in words, f"{indonesian!r} is written the same in Indonesian"
    assert all(re.fullmatch(r"[a-z]+", w) for w in words)


def test_the_word_check_ignores_data_code_and_options() -> None:
    assert english_words_in("Indeks SPBE 3,90 (Sangat Baik)") == []
    assert english_words_in("gunakan --missing minimum atau `missing='minimum'`") == []
    assert english_words_in("berkas /tmp/the_file.csv: baris 3", data=()) == []
    assert english_words_in("aturan evidence-policy dan review_report; FILE") == []
    assert english_words_in("Layanan Index", data=["Layanan Index"]) == []
    assert english_words_in("contoh: spbe show spbe-2020") == []
    found = english_words_in("3 errors, 2 warnings: the index")
    assert [f.split()[0] for f in found] == ["'errors'", "'warnings'", "'the'", "'index'"]


def test_every_command_has_an_example_invocation() -> None:
    missing = sorted(set(commands()) - set(INVOCATIONS))
    assert not missing, f"add an example invocation to tests/test_lang_id.py INVOCATIONS for: {missing}"


@pytest.mark.parametrize("command", commands())
def test_every_command_takes_lang(command: str) -> None:
    assert _takes(command, "--lang"), f"spbe {command} has no --lang"


@pytest.mark.parametrize("command", commands())
def test_command_help_speaks_indonesian(command: str) -> None:
    code, out, err = run([command, "--help"], {"SPBE_LANG": "id"})
    assert code == 0, err
    found = english_words_in(out, data_phrases())
    assert not found, f"spbe {command} --help (SPBE_LANG=id) prints English:\n" + "\n".join(found)


@pytest.mark.parametrize("command", commands())
def test_command_speaks_indonesian(command: str, tmp_path: Path) -> None:
    assert command in INVOCATIONS, f"add an example invocation of spbe {command} to INVOCATIONS"
    problems = []
    for argv, codes in INVOCATIONS[command](tmp_path):
        argv, env = in_indonesian(argv)
        code, out, err = run(argv, env)
        shown = " ".join(["spbe", *argv])
        if code not in codes:
            problems.append(f"{shown}: exit {code}, expected {sorted(codes)}: {err.strip()[:300]}")
        texts = {"stderr": err} if command in MACHINE else {"stdout": out, "stderr": err}
        texts.update(written_text(tmp_path))
        for where, text in texts.items():
            kind = where if where in {"stdout", "stderr"} else f"written {Path(where).suffix}"  # one line for 16 files
            for word in english_words_in(text, data_phrases()):
                problems.append(f"{shown} [{kind}]: {word}")
        for path in tmp_path.rglob("*"):  # the next invocation checks only what it writes
            if path.is_file() and path.suffix in {".html", ".md", ".txt", ".xlsx", ".docx"}:
                path.rename(path.with_suffix(path.suffix + ".seen"))
    assert not problems, f"{len(problems)} English word(s):\n" + "\n".join(dict.fromkeys(problems))


def test_report_speaks_indonesian(tmp_path: Path) -> None:
    code, out, err = run([*_report_argv(tmp_path / "laporan"), "--lang", "id"])
    assert code == 0, err
    files = written_text(tmp_path / "laporan")
    assert {Path(p).suffix for p in files} >= {".html", ".md", ".xlsx"}, sorted(files)
    problems = [f"{Path(p).name}: {w}" for p, text in files.items() for w in english_words_in(text, data_phrases())]
    problems += [f"stdout: {w}" for w in english_words_in(out + err, data_phrases())]
    assert not problems, f"{len(problems)} English word(s) in the Indonesian report:\n" + "\n".join(
        dict.fromkeys(problems)
    )

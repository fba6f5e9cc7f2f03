"""Issue 13 (CLI): the language of every command (--lang, SPBE_LANG, the locale; the acceptance checks
`LANG=id_ID.UTF-8 spbe score ...` and `LANG=C`), numbers as the language writes them, CSV for
Indonesian Excel, short flags, stdin, --quiet, progress on stderr only, colour only on a terminal, help
with descriptions and examples, errors that name the flag, and `spbe rank --by` a domain."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine.cli.main import build_parser, main

from .conftest import ROOT, run_cli
from .test_lang_id import data_phrases, english_words_in

EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"
KOTA = ROOT / "examples" / "kota-contoh"
STAGES = ROOT / "examples" / "stages-kota-contoh.yaml"
THREE = [str(EXAMPLE), str(ROOT / "examples" / "evidence-kota-contoh.yaml"), str(STAGES)]


pytestmark = pytest.mark.usefixtures("no_locale")


run = run_cli


def spbe(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`spbe ARGS` as its own process, with the environment's language variables only as given."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SPBE_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run(
        [sys.executable, "-m", "spbe_engine", *args],
        env={**clean, **(env or {})},
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


# -- the language --------------------------------------------------------------------------------


def test_an_indonesian_locale_gives_indonesian_tables_with_the_decimal_comma() -> None:
    """Acceptance: `LANG=id_ID.UTF-8 spbe score examples/dumai-2024.yaml`."""
    p = spbe("score", "examples/dumai-2024.yaml", env={"LANG": "id_ID.UTF-8"})
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr
    header, _, row = out.splitlines()[1:4]
    assert header.split() == ["subjek", "periode", "indeks", "predikat", "D1", "D2", "D3", "D4"]
    assert "3,90" in row and "Sangat Baik" in row and "3.90" not in out
    assert row.split()[-4:] == ["4,30", "3,60", "2,36", "4,51"]
    assert not english_words_in(out, data_phrases()), out


def test_the_c_locale_stays_english() -> None:
    p = spbe("score", "examples/dumai-2024.yaml", env={"LANG": "C"})
    lines = p.stdout.decode().splitlines()
    assert p.returncode == 0 and lines[1].split()[:4] == ["subject", "period", "index", "predikat"]
    assert "3.90" in lines[3] and "3,90" not in p.stdout.decode()
    assert "Sangat Baik" in lines[3]  # the predikat is the regulation's word in every language


def test_spbe_lang_overrides_the_locale_and_lang_overrides_both() -> None:
    p = spbe("score", "examples/dumai-2024.yaml", env={"LANG": "id_ID.UTF-8", "SPBE_LANG": "en"})
    assert "subject" in p.stdout.decode() and "3.90" in p.stdout.decode()
    p = spbe("score", "examples/dumai-2024.yaml", env={"LANG": "C", "SPBE_LANG": "id"})
    assert "subjek" in p.stdout.decode() and "3,90" in p.stdout.decode()
    p = spbe("score", "examples/dumai-2024.yaml", "-l", "en", env={"SPBE_LANG": "id"})
    assert "subject" in p.stdout.decode()


def test_an_unknown_spbe_lang_is_one_line_exit_2() -> None:
    p = spbe("catalogues", env={"SPBE_LANG": "fr"})
    err = p.stderr.decode()
    assert p.returncode == 2 and err.count("\n") == 1 and err.startswith("spbe: error: SPBE_LANG: ") and "'fr'" in err
    assert p.stdout == b""


def test_an_unknown_spbe_lang_is_said_as_any_bad_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's one error line (`cli.output.message`): the variable named as a flag is, in the locale's
    language, coloured on a terminal; --lang, which SPBE_LANG only stands in for, makes it moot."""
    monkeypatch.setenv("SPBE_LANG", "fr")
    assert run(capsys, "catalogues") == (2, "", "spbe: error: SPBE_LANG: unknown language 'fr' (allowed: en, id)\n")
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    code, out, err = run(capsys, "catalogues")
    assert (code, out) == (2, "")
    assert err == "spbe: kesalahan: SPBE_LANG: bahasa 'fr' tidak dikenal (yang diperbolehkan: en, id)\n"
    captured, terminal_stderr = sys.stderr, _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal_stderr)
    assert main(["catalogues"]) == 2
    assert terminal_stderr.getvalue().startswith("spbe: \x1b[1;31mkesalahan\x1b[0m: SPBE_LANG: ")
    monkeypatch.setattr(sys, "stderr", captured)
    code, out, err = run(capsys, "catalogues", "-l", "en")
    assert code == 0 and err == "" and "spbe-2020" in out


def test_every_command_takes_lang_and_quiet() -> None:
    for name, sub in _subcommands().items():
        flags = {f for a in sub._actions for f in a.option_strings}
        assert {"-l", "--lang", "-q", "--quiet"} <= flags, name


def test_headlines_and_values_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", str(EXAMPLE), "--target", "Memuaskan", "-l", "id")
    assert code == 0 and "Target Memuaskan: 12 langkah, total biaya 12; indeks 3,90 (Sangat Baik) → 4,22" in out
    code, out, _ = run(capsys, "plan", str(EXAMPLE), "--target", "Memuaskan")
    assert "Target Memuaskan: 12 step(s), total cost 12; index 3.90 (Sangat Baik) → 4.22" in out
    code, out, _ = run(capsys, "check", str(THREE[1]), "--as-of", "2024-06-30", "-l", "id")
    assert code == 1 and "4 kesalahan, 3 peringatan, 0 info" in out
    assert "\nkesalahan " in out and "keparahan" in out and "error" not in out.split("\n", 1)[0]
    code, out, _ = run(capsys, "check", str(THREE[1]), "--as-of", "2024-06-30")
    assert "4 errors, 3 warnings, 0 info" in out


@pytest.mark.parametrize("lang", ["en", "id"])
def test_table_values_read_as_in_the_reports(lang: str) -> None:
    """One map of machine values to words (`reports.i18n.LABELS`): a stage, a status or a severity reads
    the same in a terminal table as in a report, in both languages."""
    from spbe_engine.cli.output import cell
    from spbe_engine.i18n import language
    from spbe_engine.reports.i18n import LABELS, label

    with language(lang):
        assert {value: cell(value) for value in LABELS} == {value: label(value) for value in LABELS}
        assert cell("self_assessment") == {"en": "Self-assessment", "id": "Penilaian Mandiri"}[lang]
        assert cell("needs_revision") == {"en": "needs revision", "id": "perlu perbaikan"}[lang]
        assert cell("gain") == {"en": "gain", "id": label("gain")}[lang] != "" and cell("Kota Dumai") == "Kota Dumai"


def test_a_subject_that_looks_like_a_number_is_not_localised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = EXAMPLE.read_text(encoding="utf-8").replace("Pemerintah Kota Dumai", "'1.5'")
    f = tmp_path / "a.yaml"
    f.write_text(data, encoding="utf-8")
    _, out, _ = run(capsys, "score", str(f), "-l", "id")
    row = out.splitlines()[3]
    assert row.startswith("1.5 ") and "3,90" in row


# -- CSV for Indonesian Excel -----------------------------------------------------------------------


def test_excel_id_reads_back_as_numbers_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas")
    p = spbe("score", *THREE, "-f", "csv", "--excel-id")
    assert p.returncode == 0 and p.stdout.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    text = p.stdout.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("subject;period;catalogue;index;display;predikat")
    excel = pd.read_csv(io.BytesIO(p.stdout), sep=";", decimal=",", encoding="utf-8-sig")
    plain = pd.read_csv(io.BytesIO(spbe("score", *THREE, "-f", "csv").stdout))
    assert excel["display"].dtype.kind == "f" and excel["D1"].dtype.kind == "f"
    assert list(excel["display"]) == [3.90, 3.09, 3.80]
    pd.testing.assert_frame_equal(excel, plain)
    # and every exact digit is still there: the index column reads back to the exact values
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    exact = list(csv.DictReader(io.StringIO(spbe("score", *THREE, "-f", "csv").stdout.decode())))
    assert [r["index"].replace(",", ".") for r in rows] == [r["index"] for r in exact]


def test_delimiter_and_decimal_on_every_csv_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rank", *THREE, "-f", "csv", "--delimiter", "tab", "--decimal", ",")
    rows = list(csv.reader(io.StringIO(out), delimiter="\t"))
    assert code == 0 and rows[0][:5] == ["rank", "subject", "period", "group", "index"] and rows[1][4] == "3,90"
    code, out, _ = run(capsys, "transition", *THREE, "--to", "pemdi-2026", "--excel-id")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert code == 0 and out.startswith("\ufeff") and rows[0][0] == "subject" and "," in rows[1][2]
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--delimiter", ";")  # a CSV option asks for CSV
    assert code == 0 and out.startswith("subject;period;")


def test_csv_options_are_refused_where_they_mean_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", str(EXAMPLE), "-f", "json", "--excel-id")
    assert code == 2 and out == "" and err.startswith("spbe: error: --format json: ")
    code, _, err = run(capsys, "score", str(EXAMPLE), "--delimiter", ",", "--decimal", ",")
    assert code == 2 and "--delimiter ',' --decimal ','" in err and str(EXAMPLE) not in err
    code, _, err = run(capsys, "score", str(EXAMPLE), "--delimiter", "ab")
    assert code == 2 and err.startswith("spbe: error: --delimiter 'ab': ")


def test_out_writes_a_file_and_never_over_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "hasil.csv"
    code, out, err = run(capsys, "score", str(EXAMPLE), "--excel-id", "-o", str(target))
    assert code == 0 and out == "" and target.read_bytes().startswith(b"\xef\xbb\xbf") and str(target) in err
    before = target.read_bytes()
    code, _, err = run(capsys, "score", str(EXAMPLE), "-f", "json", "-o", str(target))
    assert code == 2 and "--force" in err and target.read_bytes() == before
    code, _, _ = run(capsys, "score", str(EXAMPLE), "-f", "json", "-o", str(target), "--force", "-q")
    assert code == 0 and json.loads(target.read_text(encoding="utf-8"))[0]["display"] == "3.90"
    code, _, err = run(capsys, "score", str(EXAMPLE), "-o", str(EXAMPLE), "--force")
    assert code == 2 and "input" in err  # an input is never overwritten


# -- short flags, stdin ----------------------------------------------------------------------------


def test_short_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "-f", "json", "-l", "id", "-q")
    assert code == 0 and json.loads(out)[0]["display"] == "3.90"  # JSON keeps the dot in any language
    code, out, _ = run(capsys, "simulate", str(STAGES), "-n", "500", "-f", "json")
    assert code == 0 and json.loads(out)[0]["n"] == 500


def test_dash_reads_stdin_with_the_format_sniffed_or_given() -> None:
    yaml_text = EXAMPLE.read_bytes()
    p = spbe("score", "-", stdin=yaml_text, env={"LANG": "C"})
    assert p.returncode == 0 and "3.90" in p.stdout.decode()
    csv_text = spbe("score", "-", "-f", "csv", stdin=yaml_text).stdout  # a results CSV is not an assessment CSV
    assert b"3.90" in csv_text
    levels = json.dumps({"catalogue": "spbe-2020", "subject": "Dari stdin", "period": "2024", "levels": {"1": 9}})
    p = spbe("score", "-", stdin=levels.encode(), env={"LANG": "C"})
    err = p.stderr.decode()
    assert p.returncode == 2 and err.startswith("spbe: error: <stdin>: ") and "level 9" in err and "/tmp" not in err
    p = spbe("score", "-", "--input-format", "yaml", stdin=yaml_text)
    assert p.returncode == 0


def test_dash_twice_is_refused() -> None:
    p = spbe("score", "-", "-", stdin=EXAMPLE.read_bytes(), env={"LANG": "C"})
    assert p.returncode == 2 and p.stderr.decode().startswith("spbe: error: -: ")


# -- progress, quiet, colour ------------------------------------------------------------------------


def _on_a_terminal(*args: str, **env: str) -> tuple[int, bytes, bytes]:
    """`spbe ARGS` with stderr on a pseudo-terminal and stdout on a pipe: (status, stdout, terminal)."""
    pty = pytest.importorskip("pty")
    import select

    master, slave = pty.openpty()
    full = {**os.environ, "LANG": "C", "SPBE_PROGRESS_DELAY": "0", **env}
    full.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    p = subprocess.Popen(
        [sys.executable, "-m", "spbe_engine", *args], stdout=subprocess.PIPE, stderr=slave, env=full, cwd=ROOT
    )
    os.close(slave)
    terminal = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read() if p.stdout else b""
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, out, terminal


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
def test_progress_is_drawn_on_stderr_only_and_hidden_by_quiet() -> None:
    args = ("simulate", str(STAGES), "-n", "200000", "--backend", "python")
    code, out, terminal = _on_a_terminal(*args)
    assert code == 0 and b"Simulating Pemerintah Kota Contoh" in terminal and b"Reading" in terminal
    assert b"Simulating" not in out and b"\x1b" not in out and out.startswith(b"Pemerintah Kota Contoh (2025)")
    code, out_quiet, terminal = _on_a_terminal(*args, "-q")
    assert code == 0 and terminal == b"" and out_quiet == out


def test_no_progress_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPBE_PROGRESS_DELAY", "0")
    code, _, err = run(capsys, "simulate", str(STAGES), "-n", "20000")
    assert code == 0 and err == ""


def test_start_up_imports_neither_babel_nor_rich() -> None:
    """`import spbe_engine` and an English `spbe score` stay fast: Babel and rich are imported only when
    Indonesian numbers or a progress bar are needed."""
    script = (
        "import sys, spbe_engine\n"
        "assert not {'babel', 'rich'} & set(sys.modules), 'import'\n"
        "from spbe_engine.cli.main import main\n"
        f"assert main(['score', {str(EXAMPLE)!r}]) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'babel', 'rich'}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SPBE_LANG", "LC_ALL", "LANGUAGE")}
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**env, "LANG": "C"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "[]"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from spbe_engine.cli.output import message

    terminal_stderr = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal_stderr)  # in the test: pytest's capture is set up before it
    message("error", "x")
    assert terminal_stderr.getvalue() == "spbe: \x1b[1;31merror\x1b[0m: x\n"
    monkeypatch.setenv("NO_COLOR", "1")
    terminal_stderr.truncate(0)
    terminal_stderr.seek(0)
    message("error", "x")
    assert terminal_stderr.getvalue() == "spbe: error: x\n"
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: plain
    message("warning", "y")
    assert sys.stderr.getvalue() == "spbe: warning: y\n"


# -- help ------------------------------------------------------------------------------------------


def _subcommands(lang: str = "en") -> dict[str, argparse.ArgumentParser]:
    parser = build_parser(lang)
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_command_has_a_description_examples_and_help_for_every_option(lang: str) -> None:
    commands = _subcommands(lang)
    assert {"score", "rank", "plan", "simulate", "validate", "report"} <= set(commands)
    for name, sub in commands.items():
        text = sub.format_help()
        assert sub.description and len(sub.description) > 20, name
        label = "examples:" if lang == "en" else "contoh:"
        assert label in text and f"spbe {name}" in text.split(label)[-1], f"spbe {name} --help has no examples"
        for action in sub._actions:
            assert action.help, f"spbe {name} {action.option_strings or action.dest} has no help"


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "samples, 1 to 10^8 (default: 100000)" in out and "(default: 'table')" in out
    with pytest.raises(SystemExit):
        main(["simulate", "--help", "-l", "id"])
    out = " ".join(capsys.readouterr().out.split())
    assert "jumlah sampel, 1 sampai 10^8 (bawaan: 100000)" in out and out.startswith("penggunaan: spbe simulate")


def test_argparse_errors_speak_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["rank", "-l", "id"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "argumen berikut wajib diberikan: FILE" in err and "kesalahan" in err


def test_bash_and_zsh_completion_come_from_the_parser() -> None:
    shtab = pytest.importorskip("shtab")
    bash = shtab.complete(build_parser(), shell="bash")
    zsh = shtab.complete(build_parser(), shell="zsh")
    for script in (bash, zsh):
        assert "rank" in script and "--excel-id" in script and "--lang" in script


# -- errors name the flag --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["plan", str(EXAMPLE), "--target", "Hebat"], "spbe: error: --target Hebat: "),
        (["score", str(EXAMPLE), "--weighting", "nope"], "spbe: error: --weighting nope: "),
        (["migrate", str(EXAMPLE), "--to", "spbe-2018"], "spbe: error: --to spbe-2018: "),
        (["transition", str(EXAMPLE), "--to", "nope"], "spbe: error: --to nope: "),
        (["whatif", str(EXAMPLE), "--set", "11=9"], "spbe: error: --set 11=9: "),
        (["score", str(EXAMPLE), "--missing", "bogus"], "spbe: error: --missing bogus: "),
        (["rank", str(EXAMPLE), "--by", "D9"], "spbe: error: --by D9: "),
        (["simulate", str(EXAMPLE), "-n", "0"], "spbe: error: -n: "),
        (["report", str(EXAMPLE), "--owners", "x.yaml", "-o", "r", "--tz", "Mars"], "spbe: error: --tz Mars: "),
    ],
)
def test_errors_from_flags_name_the_flag_not_the_file(
    capsys: pytest.CaptureFixture[str], argv: list[str], start: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith(start) and err.count("\n") == 1
    assert str(EXAMPLE) not in err


# -- rank --by a domain ----------------------------------------------------------------------------


def test_rank_by_a_domain_uses_its_exact_value_and_shows_it(capsys: pytest.CaptureFixture[str]) -> None:
    from spbe_engine import Engine, load_assessments

    engine = Engine(load_entry_points=False)
    results = [engine.score(a) for f in THREE for a in load_assessments(f)]
    code, out, _ = run(capsys, "rank", *THREE, "--by", "D3", "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["by"] == "D3"
    for entry in data["ranking"]:
        r = next(r for r in results if r.subject == entry["subject"] and r.period == entry["period"])
        assert Fraction(entry["index"]) == r.groups["D3"].fraction and entry["display"] == r.groups["D3"].display
    by_period = [e for e in data["ranking"] if e["period"] == "2024"]
    values = [Fraction(e["index"]) for e in by_period]
    assert values == sorted(values, reverse=True) and [e["rank"] for e in by_period] == [1, 2]
    assert Fraction(by_period[1]["gap"]) == values[0] - values[1]
    code, out, _ = run(capsys, "rank", *THREE, "--by", "D3")
    assert code == 0 and "exact index of D3" in out and out.splitlines()[1].split()[4] == "D3"


def test_rank_by_a_group_shares_ranks_on_equal_exact_values() -> None:
    from spbe_engine import Assessment, Engine
    from spbe_engine.ranking import rank_results

    engine = Engine(load_entry_points=False)
    base = engine.compiled("spbe-2020").ids
    a = Assessment(catalogue="spbe-2020", subject="A", period="1", levels=dict.fromkeys(base, 3))
    b = a.model_copy(update={"subject": "B", "levels": {**a.levels, "47": 5}})  # a D4 indicator: D1 the same
    c = a.model_copy(update={"subject": "C", "levels": {**a.levels, "1": 4}})  # a D1 indicator
    ranking = rank_results([engine.score(x) for x in (a, b, c)], by="D1")
    assert [(r.subject, r.rank) for r in ranking] == [("C", 1), ("A", 2), ("B", 2)]
    assert ranking.summary() == "3 agencies ranked on the exact index of D1, per period"


def test_report_times_in_the_zone_of_tz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", str(KOTA / "2025.yaml"), "--owners", str(KOTA / "owners.yaml"), "--as-of", "2025-06-30"]
    code, _, err = run(capsys, *argv, "-o", str(tmp_path / "wita"), "--tz", "WITA", "-q")
    assert code == 0, err
    html = (tmp_path / "wita" / "report.html").read_text(encoding="utf-8")
    assert " WITA" in html and " WIB" not in html
    code, _, err = run(capsys, *argv, "-o", str(tmp_path / "wib"), "-q")
    assert code == 0 and " WIB" in (tmp_path / "wib" / "report.html").read_text(encoding="utf-8")

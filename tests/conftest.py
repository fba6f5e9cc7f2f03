"""Shared fixtures. Entry points are not loaded by default so tests see only what they register."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine

ROOT = Path(__file__).resolve().parent.parent
# The official 2023 per-agency results, copied into the repository (tests/data/README.md says from where)
# so that every clone runs the golden tests.
OFFICIAL_2023 = ROOT / "tests" / "data" / "indeks_spbe_2023_per_instansi.csv"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_entry_points=False)


def spbe2020(levels: dict[str, int] | list[int], subject: str = "Instansi Uji", period: str = "2024") -> Assessment:
    if isinstance(levels, list):
        levels = {str(n): v for n, v in enumerate(levels, 1)}
    return Assessment(catalogue="spbe-2020", subject=subject, period=period, levels=levels)


def run_cli_bytes(*argv: str) -> tuple[int, bytes, str]:
    """`spbe ARGV` in this process, in English: (exit code, stdout as the bytes a file would get, stderr)."""
    import io
    import os
    from contextlib import redirect_stderr, redirect_stdout

    from spbe_engine.cli.main import main

    out, err = io.BytesIO(), io.StringIO()
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")
    old = os.environ.get("SPBE_LANG")
    os.environ["SPBE_LANG"] = "en"
    try:
        with redirect_stdout(wrapper), redirect_stderr(err):
            code = main(list(argv))
            wrapper.flush()
    finally:
        if old is None:
            del os.environ["SPBE_LANG"]
        else:
            os.environ["SPBE_LANG"] = old
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test chooses its language; the machine's locale and SPBE_* settings must not choose it."""
    for key in ("SPBE_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "NO_COLOR", "SPBE_PROGRESS_DELAY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`spbe ARGS` in this process: (exit code, stdout, stderr) as captured."""
    from spbe_engine.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err

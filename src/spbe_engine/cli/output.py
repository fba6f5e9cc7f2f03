"""What the `spbe` command prints: terminal tables in the current language, CSV for programs or for
Excel, JSON, and one-line messages on stderr.

User text (subjects, periods, unit names, notes) reaches every output, so each output is made safe
for where it goes: tables and messages for a terminal lose escape sequences and control characters,
CSV cells that a spreadsheet would run as formulas are neutralised, and JSON escapes the invisible
controls it may otherwise carry raw.

Numbers a person reads (tables, messages) follow the language: "3,90" in Bahasa Indonesia. JSON and,
by default, CSV keep the dot and every exact digit; `--decimal ,` (or `--excel-id`) changes only the
symbol in CSV cells that are plain decimal numbers.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ..i18n import current_language, number, translate
from ..io.safe_text import csv_cell, terminal_text
from ..reports.i18n import LABELS
from . import words

# A decimal number in a table cell ("3.90", "+0.06", "-0.25"), alone or in a range ("1.86–4.42").
_DECIMAL = re.compile(r"(?<![\w.])([+\-−]?)(\d+)\.(\d+)(?![\w.])")
_NUMERIC_CELL = re.compile(r"[+\-−]?\d+(?:\.\d+)?(?:\s*[–→]\s*[+\-−]?\d+(?:\.\d+)?)*%?")
_PLAIN_DECIMAL = re.compile(r"-?\d+\.\d+")


def localise_number(text: str, lang: str | None = None) -> str:
    """Every decimal number in `text` in the symbols of `lang` ("3.90 → 3.96" is "3,90 → 3,96" in
    Indonesian); the digits are kept as they are (the value was rounded where it was made)."""
    lang = lang or current_language()
    if lang == "en":
        return text

    def one(m: re.Match[str]) -> str:
        return m.group(1) + number(f"{m.group(2)}.{m.group(3)}", lang, places=None)

    return _DECIMAL.sub(one, text)


def cell(value: object, header: str = "") -> str:
    """A table value as a person reads it: None empty, flags yes/no, the library's vocabulary (severities,
    directions, stages: `reports.i18n.LABELS`, as the reports word them) and decimal numbers in the
    current language; user text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return translate(words.YES if value else words.NO)
    text = str(value)
    if text in LABELS:  # the library's vocabulary, in the words of the reports
        return translate(LABELS[text])
    if current_language() == "en":
        return text
    if text.endswith(words.PARTIAL):
        return text.removesuffix(words.PARTIAL) + translate(words.PARTIAL)
    if header not in words.TEXT_COLUMNS and _NUMERIC_CELL.fullmatch(text):
        return localise_number(text)
    return text


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A plain-text table: translated headers, cells as `cell` gives them, `right` columns right-aligned."""
    cells = [
        [terminal_text(cell(c, headers[n] if n < len(headers) else "")) for n, c in enumerate(row)] for row in rows
    ]
    heads = [terminal_text(translate(h) if h else h) for h in headers]
    widths = [len(h) for h in heads]
    for row in cells:
        for n, c in enumerate(row):
            widths[n] = max(widths[n], len(c))

    def fmt(row: Sequence[str]) -> str:
        out = [c.rjust(widths[n]) if n in right else c.ljust(widths[n]) for n, c in enumerate(row)]
        return "  ".join(out).rstrip()

    return "\n".join([fmt(heads), "  ".join("-" * w for w in widths), *(fmt(r) for r in cells)])


def result_table(result: Any, right: Sequence[int] = (), **kw: Any) -> str:
    """A result's `headers` and `rows()` as a terminal table."""
    return table(result.headers, result.rows(**kw), right=right)


def say(text: str, *, file: Any = None) -> None:
    """Print text for a person: user text in it loses escape sequences a terminal would obey."""
    print("\n".join(terminal_text(line) for line in text.split("\n")), file=file)


def _colour(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if "NO_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def message(kind: str, text: str) -> None:
    """One line on stderr: `spbe: error: ...` (red on a terminal), `spbe: warning: ...` (yellow), `spbe: note: ...`."""
    labels = {"error": words.ERROR, "warning": words.WARNING, "note": words.NOTE, "internal": words.INTERNAL}
    label = translate(labels[kind])
    line = " ".join(terminal_text(part) for part in text.split("\n"))
    if _colour(sys.stderr):
        codes = {"error": "31", "internal": "31", "warning": "33", "note": "36"}
        label = f"\x1b[1;{codes[kind]}m{label}\x1b[0m"
    print(f"spbe: {label}: {line}", file=sys.stderr)


# Legal unescaped in JSON strings, but invisible or obeyed by some terminals: C1 controls, DEL,
# bidirectional overrides and the Unicode line separators.
_JSON_HIDDEN = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def say_json(text: str) -> None:
    """Print JSON with the invisible controls as \\u escapes: the same data, nothing hidden."""
    print(_JSON_HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def dump(data: Any) -> None:
    """Print what results' `to_dict()` gave as JSON (exact values are already text)."""
    import json

    say_json(json.dumps(data, ensure_ascii=False, indent=2))


class CsvStyle(NamedTuple):
    """How CSV is written: the field delimiter, the decimal symbol of plain numbers, and whether a
    UTF-8 byte order mark comes first (Excel then reads UTF-8 instead of the Windows code page)."""

    delimiter: str = ","
    decimal: str = "."
    bom: bool = False


PLAIN = CsvStyle()
EXCEL_ID = CsvStyle(delimiter=";", decimal=",", bom=True)


def csv_text(rows: Iterable[Sequence[object]], style: CsvStyle = PLAIN) -> str:
    """CSV whose cells no spreadsheet runs as formulas (OWASP); plain numbers stay numbers (with the
    style's decimal symbol) and keep every digit."""
    import csv
    import io

    mark = style.decimal
    buf = io.StringIO()
    csv.writer(buf, delimiter=style.delimiter, lineterminator="\n").writerows(
        [csv_field(c, mark) for c in row] for row in rows
    )
    return ("\ufeff" if style.bom else "") + buf.getvalue()


def csv_field(value: object, decimal: str = ".") -> str:
    """One CSV cell: `csv_cell`'s safe text, and a plain decimal number ("3.90") with `decimal` as its
    mark. The row path (`csv_text`) and the streaming path (`cli.stream`) both write cells with it."""
    text = csv_cell(value)
    if decimal != "." and _PLAIN_DECIMAL.fullmatch(text):
        return text.replace(".", decimal)
    return text


def write_stdout(text: str) -> None:
    """Write `text` to stdout as UTF-8 whatever the terminal's encoding (a BOM must be UTF-8's)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()

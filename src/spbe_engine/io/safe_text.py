"""Making user text safe where it is shown: spreadsheets (CSV) and terminals.

Why: subject, period and unit names come from people's files. A spreadsheet runs a cell that starts
with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula (CSV injection, OWASP); a terminal obeys escape
sequences. The library never lets either through, yet keeps the text readable and numbers exact.
"""

from __future__ import annotations

import re

#: The leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection),
#: plus their full-width forms, which some spreadsheet locales also accept.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

# A plain decimal number (what the library writes for indices, deltas, weights): safe as it is.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?%?\Z")

# ANSI/VT escape sequences (CSI, OSC, and two-character escapes), then any remaining C0/C1 control
# character except the tab and newline a table may legitimately contain.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def csv_cell(value: object) -> str:
    """The text of one CSV cell that no spreadsheet will run as a formula.

    A cell starting with a formula trigger gets a leading apostrophe (OWASP's advice); Excel and
    LibreOffice show the rest verbatim. Plain numbers such as ``-0.25`` stay as they are so that exact
    values remain readable and sortable. Line breaks are written as ``\n`` (a quoted cell keeps it): a
    carriage return is not quoted by Python's writer and would end the row in every CSV reader.
    """
    text = "" if value is None else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and text[0] in FORMULA_TRIGGERS and not _NUMBER.match(text):
        return "'" + text
    return text


def is_neutralised(text: str) -> bool:
    """True when ``text`` is a cell that :func:`csv_cell` protected (an apostrophe before a trigger)."""
    return len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS


def terminal_text(value: object) -> str:
    """User text for a terminal: escape sequences and control characters removed, newlines as spaces."""
    text = "" if value is None else str(value)
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROLS.sub("", text)

"""`-` as a file argument: the input comes from stdin (`cat table.csv | spbe score -`).

The readers choose the format by a file's suffix, so stdin is saved to a private temporary file with
the suffix `--input-format` names, or one sniffed from the first bytes (a zip is a workbook, `{` or
`[` JSON, a header line with `subject` and a delimiter CSV, anything else YAML). Messages then name
`<stdin>`, not the temporary file, which is removed when the command ends.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from ..i18n import tr

STDIN = "-"
STDIN_NAME = "<stdin>"
FORMATS = {"yaml": ".yaml", "json": ".json", "csv": ".csv", "xlsx": ".xlsx"}

_temporary: dict[str, str] = {}  # temporary file → what the user typed ("-")


def sniff(head: bytes) -> str:
    """The suffix of data that starts with `head`."""
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith(("{", "[")):
        return ".json"
    first = text.split("\n", 1)[0].lower()
    if first.startswith("sep=") or ("subject" in first and any(d in first for d in ",;\t")):
        return ".csv"
    return ".yaml"


def shown_name(path: str | None) -> str | None:
    """The name to show for a file: `<stdin>` for the temporary file stdin was saved to."""
    if path is None:
        return None
    return STDIN_NAME if str(path) in _temporary else path


@contextlib.contextmanager
def stdin_files(paths: list[str], input_format: str | None) -> Iterator[list[str]]:
    """`paths` with `-` replaced by a temporary file holding stdin (read once: `-` may appear once)."""
    if paths.count(STDIN) > 1:
        from .common import FlagError

        raise FlagError(tr("stdin can be read only once: give '-' once"), field="-")
    if STDIN not in paths:
        yield paths
        return
    import tempfile

    data = sys.stdin.buffer.read()
    suffix = FORMATS[input_format] if input_format else sniff(data[:4096])
    fd, name = tempfile.mkstemp(prefix="spbe-stdin-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _temporary[name] = STDIN
        yield [name if p == STDIN else p for p in paths]
    finally:  # the name stays known, so an error raised from inside still says <stdin>
        with contextlib.suppress(OSError):
            os.unlink(name)

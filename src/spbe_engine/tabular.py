"""Tables for people and notebooks: escaped HTML tables for `_repr_html_`, pandas frames (only when
pandas is installed, imported lazily) and the optional-dependency check. (Formerly `notebook.py`.)"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .errors import SpbeError
from .i18n import tr

__all__ = ["cell_text", "html_table", "require", "to_frame"]


def cell_text(value: object) -> str:
    """A plain table value as text (terminal tables, CSV cells, HTML): None as empty, flags as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], caption: str | None = None) -> str:
    """A small, escaped HTML table (agency names can contain anything)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(c))}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="spbe-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def require(module: str, extra: str) -> Any:
    """Import an optional dependency or raise a one-line SpbeError naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SpbeError(
            tr("this needs {module}: pip install 'spbe_engine[{extra}]'", module=module.split(".")[0], extra=extra)
        ) from None


def to_frame(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Any:
    """A pandas DataFrame of the rows (pandas is optional: the `pandas` extra)."""
    pd = require("pandas", "pandas")
    return pd.DataFrame([list(r) for r in rows], columns=list(headers))

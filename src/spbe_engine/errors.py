"""One error family: everything the library raises on bad input derives from `SpbeError`.

Each error carries *where* (file, row, field) and *what was allowed*, so the CLI can print one
line and callers can react programmatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = [
    "AssessmentError",
    "CatalogueError",
    "PluginError",
    "SpbeError",
]


def _same(text: str) -> str:
    return text


#: Translates the words around a message ("row", "field", "allowed"); `spbe_engine.i18n` installs its
#: `translate` here when imported (`set_translator`), so this module needs nothing above it.
_translate: Callable[[str], str] = _same


def set_translator(translate: Callable[[str], str]) -> None:
    """Let the words around every message follow the current language (called by `spbe_engine.i18n`)."""
    global _translate
    _translate = translate


class SpbeError(ValueError):
    """Base of every error spbe_engine raises on bad input or configuration (a `ValueError`)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        allowed: str | Iterable[object] | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        if allowed is not None and not isinstance(allowed, str):
            allowed = ", ".join(str(a) for a in allowed)
        self.allowed = allowed
        super().__init__(self.__str__())

    def __str__(self) -> str:
        """One line in the current language (`spbe_engine.i18n.language`): where, what, what was allowed."""
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(_translate("row {row}").format(row=self.row))
        if self.field:
            where.append(_translate("field {field!r}").format(field=self.field))
        text = f"{': '.join(where)}: {self.message}" if where else self.message
        if self.allowed:
            text += " " + _translate("(allowed: {allowed})").format(allowed=self.allowed)
        return text.replace("\r", "\\r").replace("\n", "\\n")  # always one line, whatever the input held


class CatalogueError(SpbeError):
    """A catalogue is malformed, unknown, or inconsistent (weights, scales, bands)."""


class AssessmentError(SpbeError):
    """An assessment does not fit its catalogue, or a file of assessments is malformed."""


class PluginError(SpbeError):
    """A plugin failed or returned something the engine cannot use; the message names it."""


#: What plugin code may raise that the host reports as a broken plugin. SystemExit is included: a plugin
#: calling sys.exit() must not end the program as if it had succeeded. KeyboardInterrupt is not: Ctrl-C
#: still stops everything.
PLUGIN_FAILURES: tuple[type[BaseException], ...] = (Exception, SystemExit)

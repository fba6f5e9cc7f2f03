"""Help in the reader's language: argparse's own words ("usage", "options", its error messages)
from the package's catalogue, and every option's default shown after its help."""

from __future__ import annotations

import argparse
from typing import Any

from ..i18n import N_, translate

# argparse's messages (Python 3.11-3.13), translated through spbe_engine's catalogue.
_ARGPARSE = frozenset(
    {
        N_("usage: "),
        N_("positional arguments"),
        N_("options"),
        N_("show this help message and exit"),
        N_("show program's version number and exit"),
        N_("%(prog)s: error: %(message)s\n"),
        N_("the following arguments are required: %s"),
        N_("unrecognized arguments: %s"),
        N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("argument %(argument_name)s: %(message)s"),
        N_("expected one argument"),
        N_("expected at least one argument"),
        N_("invalid %(type)s value: %(value)r"),
        N_("not allowed with argument %s"),
        N_("ambiguous option: %(option)s could match %(matches)s"),
    }
)


def _argparse_text(message: str) -> str:
    return translate(message) if message in _ARGPARSE else message


def _argparse_ntext(singular: str, plural: str, n: int) -> str:
    return _argparse_text(singular if n == 1 else plural)


def speak_language() -> None:
    """Make argparse's own texts follow the current language (it looks `_` up when it speaks)."""
    argparse._ = _argparse_text  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ntext  # type: ignore[attr-defined]


DEFAULT = N_("default: {value}")


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions wrapped, examples as written (line breaks kept); each option's help ends with its
    default, when it has one worth saying and the help does not already say it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and default not in (None, False, argparse.SUPPRESS)
            and not isinstance(action, (argparse._StoreTrueAction, argparse._VersionAction, argparse._HelpAction))
            and "%(default)" not in text
        ):
            shown = repr(default) if isinstance(default, str) else default  # a word shown as a value: 'table'
            if isinstance(default, list):
                shown = " ".join(map(str, default))
            # '%' would be read by argparse as a format field
            text += " (" + translate(DEFAULT).format(value=str(shown).replace("%", "%%")) + ")"
        return text

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """Paragraphs wrapped to the terminal; indented lines (the examples) kept as written."""
        import textwrap

        out = []
        for line in text.splitlines():
            if line.startswith("  ") or not line.strip():
                out.append(indent + line)
            else:
                out.append(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent))
        return "\n".join(out)

    def __init__(self, prog: str, **kw: Any) -> None:
        kw.setdefault("max_help_position", 32)
        super().__init__(prog, **kw)

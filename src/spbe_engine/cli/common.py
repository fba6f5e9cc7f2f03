"""What the command modules (`cli.main`, `cli.monev`, `cli.meeting`) share: the engine of a command, the
error of a bad flag, reading and selecting the input assessments, writing the output, and the help's
examples. Public names, so that no command module reaches into another's private ones."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..errors import SpbeError
from ..i18n import N_, tr, translate
from .inputs import shown_name
from .output import EXCEL_ID, CsvStyle, message, write_stdout
from .progress import Activity

_SETTINGS: dict[str, Any] = {"strict_plugins": False}  # set by cli.main from the command line


def set_strict_plugins(strict: bool) -> None:
    """Whether a broken plugin stops the command (`--strict-plugins`) or is set aside with a warning."""
    _SETTINGS["strict_plugins"] = strict


class FlagError(SpbeError):
    """Bad input given on the command line: the message starts with the flag as typed
    (`--set 11=9: ...`), and no input file is blamed for it."""

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.allowed:
            text += " " + translate("(allowed: {allowed})").format(allowed=self.allowed)
        return text.replace("\r", "\\r").replace("\n", "\\n")


def command_engine() -> Any:
    """The engine of this command. A broken plugin is set aside and named on stderr, once, with how
    to disable it; the command goes on without it (or stops, with --strict-plugins)."""
    from ..engine import Engine

    engine = Engine(strict_plugins=_SETTINGS["strict_plugins"])
    for problem in engine.plugin_problems:
        message("warning", str(problem))
    return engine


def csv_style(args: argparse.Namespace) -> CsvStyle:
    """The CSV style of `--excel-id`, `--delimiter` and `--decimal` (the last two override the preset)."""
    base = EXCEL_ID if getattr(args, "excel_id", False) else CsvStyle()
    delimiter = getattr(args, "delimiter", None)
    decimal = getattr(args, "decimal", None)
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in "\"'\r\n" or delimiter.isalnum():
            raise FlagError(
                tr("a delimiter is one character such as , ; or tab"),
                field=f"--delimiter {delimiter!r}",
                allowed=", ; | tab",
            )
    style = CsvStyle(delimiter or base.delimiter, decimal or base.decimal, base.bom)
    if style.delimiter == style.decimal:
        raise FlagError(
            tr("the delimiter and the decimal symbol must differ"),
            field=f"--delimiter {style.delimiter!r} --decimal {style.decimal!r}",
        )
    return style


def emit(args: argparse.Namespace, text: str) -> None:
    """The command's output: to stdout, or to `--out FILE` (written whole, never over a file unless --force)."""
    out = getattr(args, "out", None)
    if not out:
        write_stdout(text)
        return
    from pathlib import Path

    from ..io.atomic import protect, write_atomic

    protect(Path(out), input_files(args))
    with use_force():
        write_atomic(Path(out), text.encode("utf-8"), overwrite=bool(getattr(args, "force", False)))
    if not getattr(args, "quiet", False):
        message("note", tr("written to {path}", path=out))


def input_files(args: argparse.Namespace) -> list[str]:
    """The input files the command was given (`files` and `file`), which `--out` must never replace."""
    return [*(getattr(args, "files", None) or []), *([args.file] if getattr(args, "file", None) else [])]


#: Errors about these fields come from a flag, not from the input file: they name the flag.
FLAG_FIELDS = {
    "weighting": "--weighting",
    "to": "--to",
    "target": "--target",
    "missing": "--missing",
    "by": "--by",
    "within": "--within",
    "tz": "--tz",
    "n": "-n",
    "max_level": "--max-level",
    "max_steps_per_period": "--max-steps",
    "periods": "--periods",
}


#: A refused overwrite as the command line says it, naming --force, by what would have been replaced.
FORCE = {
    "file": N_("refusing to overwrite an existing file (use --force)"),
    "folder": N_("refusing to overwrite an existing folder (use --force)"),
    "workbook": N_("refusing to overwrite an existing workbook (use --force)"),
}


@contextlib.contextmanager
def use_force() -> Iterator[None]:
    """The library's refusal to overwrite (`io.atomic.OverwriteRefused`) in the command line's words,
    one wording per kind of target; known by its class, never by the words of its message."""
    from ..io.atomic import OverwriteRefused

    try:
        yield
    except OverwriteRefused as exc:
        raise SpbeError(translate(FORCE.get(exc.what, FORCE["file"])), file=exc.file) from None


def load_all(engine: Any, files: Sequence[str], args: argparse.Namespace | None = None) -> list[Any]:
    """The assessments of the files (validated, no duplicates across files), narrowed to those that
    `--subject` and `--where` select when `args` is given."""
    from ..io.readers import check_duplicates, read_assessments

    items = []
    label = tr("Reading {file}", file=shown_name(files[0])) if len(files) == 1 else tr("Reading files")
    with Activity(label, total=len(files) if len(files) > 1 else None) as act:
        for f in files:
            items.extend(read_assessments(f, engine=engine))
            act.advance()
    check_duplicates(items)  # across files too
    return items if args is None else select_items(items, args)


def _where(values: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """`--where KEY=VALUE` options as (as typed, key, value)."""
    out = []
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise FlagError(tr("--where {text!r} is not of the form KEY=VALUE (a tag and its value)", text=text))
        out.append((text, key.strip(), value.strip()))
    return out


def select_items(items: Sequence[Any], args: argparse.Namespace) -> list[Any]:
    """The items whose subject contains one of the `--subject` texts (case-insensitive) and whose tags
    have every `--where` value (case-insensitive); all items without filters. None selected is an
    error naming the filters and how many assessments were read."""
    selected = selector(args)
    if selected is None:
        return list(items)
    keep = [i for i in items if selected(i.assessment)]
    if not keep:
        raise no_match(args, len(items))
    return keep


def selector(args: argparse.Namespace) -> Callable[[Any], bool] | None:
    """Whether an assessment is one `--subject` and `--where` select (None: no filter given)."""
    subjects = list(getattr(args, "subject", None) or [])
    where = _where(getattr(args, "where", None))
    if not subjects and not where:
        return None
    wanted = [s.casefold() for s in subjects]

    def selected(a: Any) -> bool:
        if wanted and not any(w in a.subject.casefold() for w in wanted):
            return False
        return all(key in a.tags and str(a.tags[key]).casefold() == value.casefold() for _, key, value in where)

    return selected


def no_match(args: argparse.Namespace, n_items: int) -> FlagError:
    """The error of filters that select nothing, naming them and how many assessments were read."""
    subjects = list(getattr(args, "subject", None) or [])
    where = _where(getattr(args, "where", None))
    named = [*(f"--subject {s!r}" for s in subjects), *(f"--where {text}" for text, _, _ in where)]
    return FlagError(tr("no assessment matches ({n_items} assessment(s) read)", n_items=n_items), field=" ".join(named))


def missing_policy(value: str | None) -> str | int | None:
    """`--missing` as the library takes it: a level (digits) or a policy name."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def one_or_more(engine: Any, files: Sequence[str], args: argparse.Namespace | None = None) -> list[Any]:
    """The assessments of `load_all`, without their file and row."""
    return [item.assessment for item in load_all(engine, files, args)]


def parse_date(text: str) -> Any:
    """An argparse `type=`: a YYYY-MM-DD date, else the one-line usage error."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("{text!r} is not a date (use YYYY-MM-DD)", text=text)) from None


def examples(*lines: str) -> str:
    """An epilog: the word "examples" in the reader's language, then the command lines as typed."""
    return tr("examples:") + "\n" + "\n".join(f"  {line}" for line in lines)


__all__ = [
    "FORCE",
    "FlagError",
    "command_engine",
    "csv_style",
    "emit",
    "examples",
    "input_files",
    "load_all",
    "missing_policy",
    "one_or_more",
    "parse_date",
    "select_items",
    "set_strict_plugins",
    "use_force",
]

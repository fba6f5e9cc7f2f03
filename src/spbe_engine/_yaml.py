"""Safe, exact YAML loading: libyaml when present, floats parsed as Decimal, sizes bounded.

Only the safe loader is used (no Python tags). Floats become `Decimal` from their literal text,
so `1.30` in a catalogue is exactly 1.30. Numbers are ASCII decimal only: YAML 1.1's `0x3`, `0b11`,
`03` (octal), `3_0` and `1:30` (base 60) stay text as written, so a level written that way is
refused and a code such as `0471` keeps its leading zero. Aliases are bounded to stop "billion
laughs": at most `MAX_ALIASES` of them, bringing in at most `MAX_ALIAS_NODES` nodes, and none inside
its own anchor. `iter_yaml_items` reads a list of records one item at a time, so memory holds the
records and one item's node graph rather than the node graph of the whole file (~60x its size).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .errors import SpbeError
from .exact import ASCII_INT, MAX_DIGITS, exact_decimal
from .i18n import N_, tr, translate

MAX_BYTES = 20 * 1024 * 1024
MAX_ALIASES = 1000
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add to a document (a "billion laughs" adds billions)

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Numbers as people write them, in ASCII digits only (`re.ASCII`: `\d` would take `٣`, `３`, ...).
# Implicit: what an unquoted scalar must look like to be a number rather than text.
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_IMPLICIT_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z", re.ASCII)  # no leading zero: YAML 1.1 reads 010 as 8
_IMPLICIT_FLOAT = re.compile(
    r"(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z",
    re.ASCII,
)


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader with Decimal floats and an alias budget.

    The budget is checked on the composed node graph, before anything is constructed: libyaml
    composes nodes in C, so a check inside `compose_node` would never run with `CSafeLoader`.
    """

    check_aliases = True

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None and self.check_aliases:
            _check_aliases(node)
        return node


class _PlainLoader(_Loader):
    """For text without a "*", which therefore has no alias: nothing to walk."""

    check_aliases = False


# YAML 1.1 resolves `0x3`, `0b11`, `03`, `3_0`, `1:30`, `1_0.5` as numbers: here they are text.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT_TAG, _IMPLICIT_INT, list("-+0123456789"))
_Loader.add_implicit_resolver(_FLOAT_TAG, _IMPLICIT_FLOAT, list("-+0123456789."))


class _StreamLoader(_Loader):
    """Composes in Python from libyaml's events, so that a document can be read item by item."""

    check_aliases = False  # checked item by item, with one budget for the document
    compose_node = Composer.compose_node
    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.anchors: dict[str, Any] = {}


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _AliasBudget:
    """What the aliases of one document have used so far, when it is checked item by item:
    nodes of earlier items (reachable only through an alias) are known by their expanded size."""

    def __init__(self) -> None:
        self.aliases = 0
        self.extra = 0  # nodes that aliases add to the document
        self.earlier: dict[int, int] = {}  # id of an anchored node of an earlier item -> its expanded size


def _check_aliases(root: Any, budget: _AliasBudget | None = None, anchored: Any = ()) -> None:
    """Refuse a document whose aliases are too many, expand too far, or refer to their own anchor.

    An alias is a second reference to an already composed node; each one adds that node's whole
    expanded tree to what a consumer walking the data sees. Iterative, linear in the nodes.
    With a `budget`, `root` is one item of a document and `anchored` its anchored nodes, which
    later items may refer to.
    """
    budget = budget or _AliasBudget()
    earlier = budget.earlier
    size: dict[int, int] = {}  # expanded size of each finished node
    seen = {id(root)}
    on_path: set[int] = set()
    aliases = budget.aliases
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        children = _children(node)
        if leaving:
            on_path.discard(id(node))
            size[id(node)] = 1 + sum(size.get(id(c), earlier.get(id(c), 1)) for c in children)
            if budget.extra + size[id(node)] - len(seen) > MAX_ALIAS_NODES:
                raise yaml.YAMLError(f"aliases expand to more than {MAX_ALIAS_NODES} nodes")
            continue
        on_path.add(id(node))
        stack.append((node, True))
        for child in reversed(children):
            if id(child) in on_path:
                raise yaml.MarkedYAMLError(
                    problem="an alias refers to its own anchor (a recursive structure)",
                    problem_mark=child.start_mark,
                )
            if id(child) in seen or id(child) in earlier:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
            else:
                seen.add(id(child))
                stack.append((child, False))
    budget.aliases = aliases
    budget.extra += size[id(root)] - len(seen)
    for node in anchored:
        if id(node) in size:
            earlier[id(node)] = size[id(node)]


def _decimal(loader: Any, node: Any) -> Decimal:
    text = str(loader.construct_scalar(node))
    low = text.lower()
    if low in (".inf", "+.inf", "-.inf", ".nan"):
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a finite number", node.start_mark)
    try:
        return exact_decimal(text)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None


def _mapping(loader: Any, node: Any) -> dict[Any, Any]:
    """Mappings refuse duplicate keys: a level given twice must not silently keep the last one."""
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        if type(key) is str and len(key) <= 64:
            key = sys.intern(key)  # field names and ids: one string each, however many records use them
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _checked(what: str, construct: Any) -> Any:
    """A safe constructor whose errors name the line and the value (`!!bool maybe`, `2024-13-45`)."""

    def checked(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, LookupError, ArithmeticError, TypeError) as exc:
            value = str(node.value)
            shown = repr(value if len(value) <= 24 else value[:20] + "...")
            reason = ""
            if "limit" in str(exc):  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
                reason = f" (more than {MAX_DIGITS} digits)"
            elif str(exc) == "not decimal":
                reason = " (allowed: the digits 0-9, optionally signed)"
            elif what == "date or time":  # e.g. "month must be in 1..12"
                reason = f" ({_one_line(exc)})"
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown} is not a valid {what}{reason}", node.start_mark
            ) from None

    return checked


def _int(loader: Any, node: Any) -> int:
    """`!!int` in decimal only (`!!int 0x3` was 3); int() also reads `٣` and `3_0`."""
    text = str(loader.construct_scalar(node))
    if not ASCII_INT.match(text):
        raise ValueError(tr("not decimal"))
    return int(text)


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
for _tag, _what, _construct in (
    ("bool", "boolean", yaml.constructor.SafeConstructor.construct_yaml_bool),
    ("int", "whole number", _int),
    ("timestamp", "date or time", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
    ("binary", "base64 text", yaml.constructor.SafeConstructor.construct_yaml_binary),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _checked(_what, _construct))


def load_yaml_text(text: str, *, source: str, error: type[SpbeError] = SpbeError) -> Any:
    """Parse YAML text; any problem becomes a one-line `error` naming `source` and the line."""
    _check_size(text, source, error)
    with _yaml_errors(text, source, error):
        return yaml.load(text, Loader=_Loader if "*" in text else _PlainLoader)


def iter_yaml_items(text: str, *, source: str, error: type[SpbeError] = SpbeError) -> Iterator[tuple[int | None, Any]]:
    """The records of a YAML file, one at a time, as (item number, data).

    A top-level list, or a mapping whose only key is `assessments` holding a list, gives its items
    numbered from 1, each composed and constructed on its own: memory holds one item's node graph
    (about 60x its text) instead of the whole file's. Any other document comes whole, as (None, data).
    Aliases may refer to anchors of earlier items; the alias budget is the document's, as in
    `load_yaml_text`. Errors are those of `load_yaml_text`.
    """
    _check_size(text, source, error)
    aliased = "*" in text
    budget = _AliasBudget()
    with _yaml_errors(text, source, error):
        loader: Any = _StreamLoader(text)
        try:
            loader.get_event()  # the stream start
            if loader.check_event(StreamEndEvent):  # an empty file
                yield None, None
                return
            loader.get_event()  # the document start
            root = loader.peek_event()
            streamed = False
            if isinstance(root, SequenceStartEvent) and root.anchor is None and root.tag is None:
                streamed = True
                yield from _stream_items(loader, budget, aliased)
            elif isinstance(root, MappingStartEvent) and root.anchor is None and root.tag is None:
                start = loader.get_event()
                node = yaml.MappingNode(
                    loader.resolve(yaml.MappingNode, None, start.implicit),
                    [],
                    start.start_mark,
                    None,
                    flow_style=start.flow_style,
                )
                if loader.check_event(ScalarEvent) and loader.peek_event().value == "assessments":
                    key = loader.compose_node(node, None)
                    nxt = loader.peek_event()
                    if (
                        key.tag == "tag:yaml.org,2002:str"
                        and isinstance(nxt, SequenceStartEvent)
                        and nxt.anchor is None
                        and nxt.tag is None
                    ):
                        streamed = True
                        yield from _stream_items(loader, budget, aliased)
                        if not loader.check_event(MappingEndEvent):  # more than `assessments`
                            raise yaml.MarkedYAMLError(
                                problem="a file with `assessments:` holds nothing else",
                                problem_mark=loader.peek_event().start_mark,
                            )
                        loader.get_event()
                    else:
                        node.value.append((key, loader.compose_node(node, key)))
                if not streamed:
                    while not loader.check_event(MappingEndEvent):
                        key = loader.compose_node(node, None)
                        node.value.append((key, loader.compose_node(node, key)))
                    node.end_mark = loader.get_event().end_mark
                    yield None, _construct_item(loader, node, budget, aliased)
            else:
                yield None, _construct_item(loader, loader.compose_node(None, None), budget, aliased)
            loader.get_event()  # the document end
            if not loader.check_event(StreamEndEvent):
                raise yaml.MarkedYAMLError(
                    problem="expected a single document in the stream, but found another document",
                    problem_mark=loader.peek_event().start_mark,
                )
        finally:
            loader.dispose()


def _stream_items(loader: Any, budget: _AliasBudget, aliased: bool) -> Iterator[tuple[int, Any]]:
    loader.get_event()  # the sequence start
    n = 0
    while not loader.check_event(SequenceEndEvent):
        n += 1
        yield n, _construct_item(loader, loader.compose_node(None, None), budget, aliased)
    loader.get_event()


def _construct_item(loader: Any, node: Any, budget: _AliasBudget, aliased: bool) -> Any:
    """Construct one item; anchored nodes (and what was built from them) stay for later aliases."""
    if not aliased:  # no alias anywhere: nothing later can refer to this item's anchors
        loader.anchors.clear()
        return loader.construct_document(node)
    anchored = {id(n): n for n in loader.anchors.values() if id(n) not in budget.earlier}
    _check_aliases(node, budget, anchored.values())
    data = loader.construct_object(node)
    while loader.state_generators:  # as `construct_document` does, without forgetting anchored objects
        generators, loader.state_generators = loader.state_generators, []
        for generator in generators:
            for _ in generator:
                pass
    keep = {id(n) for n in loader.anchors.values()}
    loader.constructed_objects = {k: v for k, v in loader.constructed_objects.items() if id(k) in keep}
    loader.recursive_objects = {}
    loader.deep_construct = False
    return data


def _check_size(text: str, source: str, error: type[SpbeError]) -> None:
    if len(text) > MAX_BYTES:
        raise error(tr("file larger than {MAX_BYTES} MiB", MAX_BYTES=MAX_BYTES // (1024 * 1024)), file=source)


@contextmanager
def _yaml_errors(text: str, source: str, error: type[SpbeError]) -> Iterator[None]:
    """Any problem of the parser or a constructor as a one-line `error` naming `source` and the line."""
    try:
        yield
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; its position counts bytes in libyaml
        at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line = f"line {text.count(chr(10), 0, at) + 1}: " if at >= 0 else ""
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise error(
            tr("invalid YAML: {line}unacceptable character {code}: {reason}", line=line, code=code, reason=exc.reason),
            file=source,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise error(
            tr("invalid YAML: {line}{exc}", line=line, exc=_one_line(exc.problem or exc.context)), file=source
        ) from None
    except (yaml.YAMLError, ValueError, ArithmeticError, LookupError, TypeError) as exc:
        if isinstance(exc, SpbeError):  # raised by whoever consumes the items: not a YAML problem
            raise
        # LookupError: e.g. `!!bool maybe` (the safe constructor looks the word up in a table)
        raise error(tr("invalid YAML: {exc}", exc=_one_line(exc)), file=source) from None
    except RecursionError:
        raise error(tr("invalid YAML: nested too deeply"), file=source) from None


def _one_line(what: object) -> str:
    return " ".join(str(what).split()) or "unreadable"


#: Where a text file's first undecodable byte is, given the file decoded with "surrogateescape" (that
#: byte is the first character in U+DC80-U+DCFF): (row, field, more words for the message), or None.
Locate = Callable[[str], tuple[int, str | None, str] | None]
UNDECODABLE = re.compile("[\udc80-\udcff]")


SAVE_AS_UTF8 = N_("save it as UTF-8")
"""How to mend a file that is not UTF-8 (`read_text`'s `hint`: a message id, shown translated)."""


def read_text(
    path: Path, *, error: type[SpbeError] = SpbeError, locate: Locate | None = None, hint: str = SAVE_AS_UTF8
) -> str:
    """Read a UTF-8 text file (a BOM is accepted); errors name the file.

    Text that is not UTF-8 is refused, never decoded by a guess: the error names the first bad byte
    in hex, where it is (the line and character; `locate` may name a row and field instead, as the
    CSV reader does), what it would be in Windows-1252 or Latin-1 when the file reads as such (the
    likely cause: a spreadsheet saved as plain "CSV"), and `hint`, how to save the file as UTF-8.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise error(tr("file larger than {MAX_BYTES} MiB", MAX_BYTES=MAX_BYTES // (1024 * 1024)), file=str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(tr("no such file"), file=str(path)) from None
    except IsADirectoryError:
        raise error(tr("is a directory, expected a file"), file=str(path)) from None
    except OSError as exc:
        raise error(tr("cannot read: {strerror}", strerror=exc.strerror), file=str(path)) from None
    for bom, name in WIDE_BOMS:
        if data.startswith(bom):
            raise error(tr("not UTF-8 text ({name}); save it as UTF-8", name=name), file=str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc.start, path, error, locate, hint) from None
    nul = data.find(b"\x00")
    if nul >= 0:  # no text format allows it; UTF-16 without a BOM has one in every ASCII character
        raise error(tr("not UTF-8 text (a NUL byte at byte {nul}; UTF-16?); save it as UTF-8", nul=nul), file=str(path))
    return text


def _not_utf8(
    data: bytes, start: int, path: Path, error: type[SpbeError], locate: Locate | None, hint: str
) -> SpbeError:
    """The one-line error for the first byte at `start` that is not UTF-8."""
    byte, guess = f"0x{data[start]:02X}", _as_single_byte(data, start)
    where = locate(data.decode("utf-8-sig", "surrogateescape")) if locate is not None else None
    if where is not None:
        row, field, more = where
        return error(
            tr(
                "not UTF-8 text: byte {byte}{guess}{more}; {hint}",
                byte=byte,
                guess=guess,
                more=more,
                hint=translate(hint),
            ),
            file=str(path),
            row=row,
            field=field,
            allowed=tr("UTF-8 text"),
        )
    lines = LINE_BREAK.split(data[:start].decode("utf-8-sig"))  # valid: `start` is the first byte that is not
    return not_utf8_at(data, start, len(lines), len(lines[-1]) + 1, file=str(path), error=error, hint=hint)


def not_utf8_at(
    data: bytes, start: int, line: int, char: int, *, file: str, error: type[SpbeError], hint: str
) -> SpbeError:
    """The error for the byte at `start` of `data`, which is not UTF-8, found at `line` and `char`
    (also by the CSV reader that decodes a large file block by block)."""
    byte = f"0x{data[start]:02X}"
    return error(
        tr(
            "not UTF-8 text: byte {byte} at line {line}, character {char}{guess}; {hint}",
            byte=byte,
            line=line,
            char=char,
            guess=_as_single_byte(data, start),
            hint=translate(hint),
        ),
        file=file,
        allowed=tr("UTF-8 text"),
    )


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as `open(newline="")` and the CSV reader count lines


def sniff_delimiter(text: str) -> str:
    """A CSV's separator from its first line: the most frequent of comma, semicolon (Excel under an
    Indonesian locale) and tab; a comma when the line is empty."""
    sample = text[:8192]
    first = sample.splitlines()[0] if sample.strip() else ""
    return max(",;\t", key=first.count) if first else ","


def _as_single_byte(data: bytes, start: int) -> str:
    """What the byte is in the single-byte encoding the file reads as (" ('–' in Windows-1252)"), or ""
    when neither Windows-1252 nor Latin-1 makes it a printable character. Only for the message."""
    byte = data[start : start + 1]
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are not Windows-1252
        windows = False
    else:
        windows = True
    if byte[0] >= 0xA0:  # the two agree from 0xA0 on
        name = "Windows-1252/Latin-1" if windows else "Latin-1"
        return tr(" ({char} in {encoding})", char=repr(byte.decode("latin-1")), encoding=name)
    if byte[0] >= 0x80 and windows:  # in Latin-1 these are control characters
        return tr(" ({char} in {encoding})", char=repr(byte.decode("cp1252")), encoding="Windows-1252")
    return ""


WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def load_yaml_file(path: Path, *, error: type[SpbeError] = SpbeError) -> Any:
    return load_yaml_text(read_text(path, error=error), source=str(path), error=error)


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file safely (no Python tags), with floats as exact Decimals, duplicate keys
    refused and sizes bounded; any problem is a one-line `SpbeError` naming the file and line."""
    return load_yaml_file(Path(path))


def non_text_key(data: Any) -> tuple[str, object] | None:
    """Where a mapping of field names has a key that is not text, as (path, key); None if nowhere.

    Models cannot be built from such a mapping (Python refuses `Model(**{1: ...})` with a
    TypeError), so loaders use this to say where the bad key is. Entries of lists (a unit, an
    indicator, a piece of evidence) are the likely places and come first; other mappings may be
    keyed by numbers on purpose (levels), so they are named only when no entry is at fault.
    """
    other: tuple[str, object] | None = None
    stack: list[tuple[str, Any, bool]] = [("", data, False)]
    while stack:
        path, item, in_list = stack.pop()
        if isinstance(item, dict):
            bad = [k for k in item if not isinstance(k, str)]
            if bad and in_list:
                return path, bad[0]
            if bad and other is None:
                other = path, bad[0]
            stack.extend((f"{path}.{k}" if path else str(k), v, False) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{path}[{n}]", v, True) for n, v in reversed(list(enumerate(item))))
    return other


_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """`text` with its line breaks escaped ("\\n"), so an error naming a value stays one line."""
    return text.translate(_LINE_BREAKS)


def plain(value: object) -> str:
    """A value as text for a message: as it is when printable ("2024"), else quoted and escaped."""
    text = str(value)
    return text if text.isprintable() else repr(text)

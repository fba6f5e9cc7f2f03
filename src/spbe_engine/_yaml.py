"""Safe, exact YAML loading: libyaml when present, floats parsed as Decimal, sizes bounded.

Only the safe loader is used (no Python tags). Floats become `Decimal` from their literal text,
so `1.30` in a catalogue is exactly 1.30. Alias expansion is bounded to stop "billion laughs".
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import SpbeError

MAX_BYTES = 20 * 1024 * 1024
MAX_ALIASES = 1000

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader with Decimal floats and an alias budget."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
        return super().compose_node(parent, index)


def _decimal(loader: Any, node: Any) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    low = text.lower()
    if low in (".inf", "+.inf", "-.inf", ".nan"):
        raise yaml.YAMLError(f"{text!r} is not a finite number")
    return Decimal(text)


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
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


def load_yaml_text(text: str, *, source: str, error: type[SpbeError] = SpbeError) -> Any:
    """Parse YAML text; any problem becomes `error` naming `source` and the line."""
    if len(text) > MAX_BYTES:
        raise error(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB", file=source)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise error(f"invalid YAML: {line}{exc.problem}", file=source) from None
    except (yaml.YAMLError, ValueError, ArithmeticError) as exc:
        raise error(f"invalid YAML: {exc}", file=source) from None
    except RecursionError:
        raise error("invalid YAML: nested too deeply", file=source) from None


def read_text(path: Path, *, error: type[SpbeError] = SpbeError) -> str:
    """Read a UTF-8 text file (a BOM is accepted); errors name the file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise error(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB", file=str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise error("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise error("is a directory, expected a file", file=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None


def load_yaml_file(path: Path, *, error: type[SpbeError] = SpbeError) -> Any:
    return load_yaml_text(read_text(path, error=error), source=str(path), error=error)


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file safely (no Python tags), with floats as exact Decimals, duplicate keys
    refused and sizes bounded; any problem is a one-line `SpbeError` naming the file and line."""
    return load_yaml_file(Path(path))

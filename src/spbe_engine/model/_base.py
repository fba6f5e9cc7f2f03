"""The one strict pydantic base of the project (compliance-trestle style).

Unknown keys are refused, value objects are frozen, and exact decimals never come from floats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..errors import SpbeError


class StrictModel(BaseModel):
    """Base for every model: `extra="forbid"`, frozen, exact.

    Bad data raises the library's own error family (`_error`, a `SpbeError`) in one line, with a
    path that names entries by id (`groups[D1].groups[A1].indicators[3].weight: ...`), instead of
    pydantic's multi-line report. Nested models compose their paths.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    _error: ClassVar[type[SpbeError]] = SpbeError

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except TypeError as exc:  # `**data` with a key that is not text (e.g. `7:` in a nested YAML entry)
            if "keywords must be strings" not in str(exc):
                raise
            where, bad = _non_text_key(data)
            raise self._error(f"field names must be text, got {bad!r}", field=where or None) from None
        except ValidationError as exc:
            path, msg = describe(exc, data)
            raise self._error(msg, field=path or None) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise self._error(
            f"{type(self).__name__} is immutable; make a changed copy with .replace({name}=...)",
            field=name,
        )

    def replace(self, **changes: Any) -> Self:
        """A changed copy, validated like a new one. (pydantic's `model_copy(update=...)` skips
        validation, so a bad value would slip through; every copy in the library uses this.)"""
        return type(self)(**{**dict(self), **changes})


_FREE_KEYS = {"levels", "notes", "services", "tags", "evidence", "table", "max_age_years", "index"}
_FREE_TWICE = {"stages", "distributions", "inputs"}  # mappings of mappings keyed by ids or levels


def _non_text_key(data: Any, path: str = "", free: int = 0) -> tuple[str, Any]:
    """Where a mapping nested in `data` has a key that is not text (what `**kwargs` cannot take).
    Mappings keyed by indicator ids or levels may use numbers: those are skipped."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            if not isinstance(k, str) and not free:
                return path, k
            inner = 2 if k in _FREE_TWICE else 1 if k in _FREE_KEYS else max(free - 1, 0)
            found = _non_text_key(v, f"{path}.{k}" if path else str(k), inner)
            if found != ("", None):
                return found
    elif isinstance(data, (list, tuple)):
        for n, v in enumerate(data):
            found = _non_text_key(v, f"{path}[{n}]")
            if found != ("", None):
                return found
    return "", None


def describe(exc: ValidationError, data: Any) -> tuple[str, str]:
    """The first error as (path, message), the path naming list entries by their id."""
    err = exc.errors()[0]
    path: list[str] = []
    node: Any = data
    for part in err["loc"]:
        if isinstance(part, int) and isinstance(node, (list, tuple)):
            item = node[part] if part < len(node) else None
            label = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
            path[-1:] = [f"{path[-1] if path else ''}[{label if label is not None else part}]"]
            node = item
        else:
            path.append(str(part))
            node = node.get(part) if isinstance(node, Mapping) else None
    where = ".".join(path)
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, SpbeError):  # raised by a nested model: compose the paths
        where = ".".join(p for p in (where, inner.field or "") if p)
        msg = inner.message
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
    if exc.error_count() > 1:
        msg += f" (+{exc.error_count() - 1} more)"
    return where, msg


# Numbers written with the ASCII digits only: Decimal() and int() also read `١.٥`, `３`, `1_0` and " 1".
_DECIMAL_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z", re.ASCII)
_WHOLE_TEXT = re.compile(r"[-+]?[0-9]+\Z", re.ASCII)
DIGITS = "the digits 0-9"


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected an exact decimal, got a boolean")
    if isinstance(value, float):
        # Floats are binary approximations; YAML files loaded by spbe_engine already give Decimals.
        raise ValueError(f"expected an exact decimal (a string such as '1.30'), got the float {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        if not _DECIMAL_TEXT.match(value) and value.lower().lstrip("+-") not in ("inf", "infinity", "nan"):
            raise ValueError(f"{_shown(value)} is not a decimal number written with {DIGITS} (such as '1.30')")
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    else:
        raise ValueError(f"expected an exact decimal, got {type(value).__name__}")
    if not d.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal")
    exponent = d.as_tuple().exponent
    if d and (d.adjusted() > MAX_MAGNITUDE or (isinstance(exponent, int) and exponent < -MAX_PLACES)):
        # Exact arithmetic turns 1E+999999 into a million-digit integer: refuse the implausible early.
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(
            f"{shown} is out of range (at most {MAX_PLACES} decimal places and magnitude 1E+{MAX_MAGNITUDE})"
        )
    return d


MAX_PLACES = 30
MAX_MAGNITUDE = 30


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def whole_number(value: Any) -> int:
    """A whole number (a level, a level key): an int, or text of the ASCII digits 0-9 ("4").

    pydantic's own int parsing also reads "0_4", " 4 " and "4.0"; `int()` reads "٤" and "４".
    """
    if isinstance(value, bool):
        raise ValueError("expected a whole number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE_TEXT.match(value):
        return int(value)
    shown = _shown(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    raise ValueError(f"{shown} is not a whole number written with {DIGITS}")


ExactDecimal = Annotated[Decimal, BeforeValidator(_to_decimal)]
"""A Decimal that refuses floats, so weights and thresholds stay exact."""

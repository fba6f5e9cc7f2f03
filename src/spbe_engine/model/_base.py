"""The one strict pydantic base of the project (compliance-trestle style).

Unknown keys are refused, value objects are frozen, and exact decimals never come from floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, GetJsonSchemaHandler, ValidationError
from pydantic_core import CoreSchema

from ..errors import SpbeError
from ..exact import parse_decimal
from ..i18n import tr


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
            raise self._error(tr("field names must be text, got {bad!r}", bad=bad), field=where or None) from None
        except ValidationError as exc:
            path, msg = describe(exc, data)
            raise self._error(msg, field=path or None) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise self._error(
            tr(
                "{type_name} is immutable; make a changed copy with .replace({name}=...)",
                type_name=type(self).__name__,
                name=name,
            ),
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


# JSON Schema (`spbe schema ...`, editors validating YAML as people type) of the exact-number fields:
# what `exact.parse_decimal` and `exact.parse_exact` accept, as a number or as text. ECMA-262
# patterns, as JSON Schema requires: `$` ends the text.
DECIMAL_PATTERN = r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
RATIO_PATTERN = r"^\s*[0-9]+\s*/\s*[0-9]+\s*$"
DECIMAL_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}],
    "description": 'An exact decimal: a number, or text of the digits 0-9 such as "1.30".',
    "examples": ["1.30", 17],
}
WEIGHT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": DECIMAL_PATTERN},
        {"type": "string", "pattern": RATIO_PATTERN},
    ],
    "description": 'An exact weight: a number, a decimal as text ("1.30"), or a ratio of whole numbers ("20/6").',
    "examples": ["1.30", 17, "20/6"],
}


class JsonSchemaOf:
    """`Annotated` metadata giving a field type its JSON Schema by name (pydantic calls
    `__get_pydantic_json_schema__`), e.g. `JsonSchemaOf("exact decimal", DECIMAL_SCHEMA)`."""

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        self.name = name
        self.schema = dict(schema)

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        import copy

        return copy.deepcopy(self.schema)

    def __repr__(self) -> str:
        return f"JsonSchemaOf({self.name!r})"


# Numbers written with the ASCII digits only: Decimal() and int() also read `١.٥`, `３`, `1_0` and " 1".
ExactDecimal = Annotated[Decimal, BeforeValidator(parse_decimal), JsonSchemaOf("exact decimal", DECIMAL_SCHEMA)]
"""A Decimal that refuses floats, so weights and thresholds stay exact."""


_to_decimal = parse_decimal  # the old private name, kept for code outside the library that used it

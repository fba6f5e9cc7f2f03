"""The one strict pydantic base of the project (compliance-trestle style).

Unknown keys are refused, value objects are frozen, and exact decimals never come from floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..errors import SpbeError


class StrictModel(BaseModel):
    """Base for every model: `extra="forbid"`, frozen, exact."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EdgeModel(StrictModel):
    """A model users build directly (catalogue, assessment): bad data raises the library's own
    error family in one line, with a readable path, instead of pydantic's multi-line report."""

    _error: ClassVar[type[SpbeError]] = SpbeError

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise self._error(describe(exc, data)) from None


def describe(exc: ValidationError, data: Any) -> str:
    """One line for the first error, with a path that names entries by id where it can,
    e.g. `groups[D1].groups[A1].indicators[3].weight: ...`."""
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
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    where = ".".join(path)
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {msg}{more}" if where else f"{msg}{more}"


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected an exact decimal, got a boolean")
    if isinstance(value, float):
        # Floats are binary approximations; YAML files loaded by spbe_engine already give Decimals.
        raise ValueError(f"expected an exact decimal (a string such as '1.30'), got the float {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, str)):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    else:
        raise ValueError(f"expected an exact decimal, got {type(value).__name__}")
    if not d.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal")
    return d


ExactDecimal = Annotated[Decimal, BeforeValidator(_to_decimal)]
"""A Decimal that refuses floats, so weights and thresholds stay exact."""

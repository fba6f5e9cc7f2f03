"""The one strict pydantic base of the project (compliance-trestle style).

Unknown keys are refused, value objects are frozen, and exact decimals never come from floats.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class StrictModel(BaseModel):
    """Base for every model: `extra="forbid"`, frozen, exact."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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

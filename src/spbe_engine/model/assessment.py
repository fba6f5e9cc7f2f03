"""An assessment: one subject's levels on one catalogue for one period."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, StrictInt, field_validator

from ..errors import AssessmentError, SpbeError
from ._base import StrictModel
from .rules import Evidence

__all__ = ["Assessment"]


def _key(k: Any) -> str:
    if isinstance(k, bool) or not isinstance(k, (int, str)):
        raise ValueError(f"indicator ids must be strings or integers, got {k!r}")
    return str(k).strip()


class Assessment(StrictModel):
    """Levels per indicator id (int keys are accepted and stored as strings).

    Validation against the catalogue (unknown ids, levels outside the scale, missing indicators)
    happens when the engine scores it, because only the catalogue knows what is allowed.
    """

    _error: ClassVar[type[SpbeError]] = AssessmentError

    catalogue: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    period: str = Field(min_length=1)
    levels: dict[str, StrictInt]
    notes: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    evidence: dict[str, tuple[Evidence, ...]] = Field(default_factory=dict)
    services: dict[str, str] = Field(default_factory=dict)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("levels", "notes", "evidence", "services", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        if isinstance(v, dict) and all(type(k) is str and k == k.strip() for k in v):
            return v  # the common case (JSON, CSV, already-normalised data): nothing to convert
        if isinstance(v, dict):
            out: dict[str, Any] = {}
            for k, val in v.items():
                key = _key(k)
                if key in out:
                    raise ValueError(f"indicator {key!r} given twice")
                out[key] = val
            return out
        return v

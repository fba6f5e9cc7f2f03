"""An assessment: one subject's levels on one catalogue for one period."""

from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, StrictInt, ValidatorFunctionWrapHandler, field_validator, model_validator

from ..errors import AssessmentError, SpbeError
from ..exact import whole_number
from ..i18n import tr
from ._base import ExactDecimal, StrictModel
from .rules import Evidence

__all__ = ["STAGES", "Assessment"]

Stage = Literal["target", "self_assessment", "internal_verifier", "external_assessor", "final"]
STAGES: tuple[str, ...] = ("target", "self_assessment", "internal_verifier", "external_assessor", "final")
"""The stages an indicator's value passes through (Pedoman 3/2024: penilaian mandiri, verifikasi
internal, penilaian dokumen/interviu/visitasi by the external assessor, final), plus the target."""


_NORMAL_KEYS: dict[int, frozenset[str]] = {}
"""Key sets already found normalised (text, no surrounding spaces), by size: a table of one catalogue
repeats the same ids in every assessment, so the per-key check runs once, not once per assessment."""


_INT = frozenset({int})

_PLAIN_FIELDS = frozenset({"catalogue", "subject", "period", "levels"})
"""The fields of an assessment as a table row gives it (`Assessment.__init__`'s fast path)."""


class _SharedFieldsSet(set[str]):
    """pydantic's per-instance "fields set", shared by every assessment the fast path builds.

    A set per instance is one more object for the cyclic GC to track and traverse: on 10^5 table
    rows that was a fifth of the building time. Shared, so it refuses to change; a copy (pydantic's
    `model_copy`, `copy`, `deepcopy`, pickling) is a plain set of its own, as pydantic expects.
    """

    __slots__ = ()

    def __init__(self, fields: Any = ()) -> None:
        if self:  # filled once, when made; `set.add(shared, ...)` called unbound still gets through
            self._refuse()
        super().__init__(fields)

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(tr("an assessment's set of given fields cannot change"))

    add = discard = remove = pop = clear = update = _refuse  # type: ignore[assignment]
    intersection_update = difference_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse  # type: ignore[assignment]

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (set, (list(self),))


_PLAIN_FIELDS_SET = _SharedFieldsSet(_PLAIN_FIELDS)

# pydantic's own slots, set the way `model_construct` sets them (the class forbids assignment)
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _text(v: Any) -> bool:
    """What pydantic accepts for a non-empty `str` field, unchanged: a `str` (not a subclass, which
    it converts) that UTF-8 can write (it refuses lone surrogates)."""
    if type(v) is not str or not v:
        return False
    if v.isascii():
        return True
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key(k: Any) -> str:
    if isinstance(k, bool) or not isinstance(k, (int, str)):
        raise ValueError(tr("indicator ids must be strings or integers, got {k!r}", k=k))
    return sys.intern(str(k).strip())  # one string per id, shared by every assessment's levels


class Assessment(StrictModel):
    """Levels per indicator id (int keys are accepted and stored as strings).

    Validation against the catalogue (unknown ids, levels outside the scale, missing indicators)
    happens when the engine scores it, because only the catalogue knows what is allowed.

    Optional: `evidence` (data dukung) and `services` (names of the services assessed, e.g. for the
    sector services 45–47) per indicator; `stages`, the value of each stage per indicator; and
    `distributions`, a probability per level per indicator (exact, summing to 1) for simulation;
    `inputs`, named exact values from which a computed indicator's level is derived.
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
    stages: dict[Stage, dict[str, StrictInt]] = Field(default_factory=dict)
    distributions: dict[str, dict[int, ExactDecimal]] = Field(default_factory=dict)
    inputs: dict[str, dict[str, ExactDecimal]] = Field(default_factory=dict)

    def __init__(self, /, **data: Any) -> None:
        # The already-normal case, a table row (three texts and levels under a key set seen normalised,
        # every level an int, not a bool): exactly what the full validation accepts unchanged, checked
        # with C-level operations, then stored as `model_construct` would. Anything else, and any
        # subclass, takes the full validation with its errors (tests/test_properties.py compares both).
        if data.keys() == _PLAIN_FIELDS and type(self) is Assessment:
            levels = data["levels"]
            if (
                type(levels) is dict
                and levels.keys() == _NORMAL_KEYS.get(len(levels))
                and set(map(type, levels.values())) <= _INT
                and _text(data["catalogue"])
                and _text(data["subject"])
                and _text(data["period"])
            ):
                _set_dict(
                    self,
                    {
                        "catalogue": data["catalogue"],
                        "subject": data["subject"],
                        "period": data["period"],
                        "levels": dict(levels),  # a copy: the caller's dict may change, the assessment may not
                        "notes": {},
                        "tags": {},
                        "evidence": {},
                        "services": {},
                        "stages": {},
                        "distributions": {},
                        "inputs": {},
                    },
                )
                _set_fields_set(self, _PLAIN_FIELDS_SET)
                _set_extra(self, None)
                _set_private(self, None)
                return
        super().__init__(**data)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_values(cls, v: Any) -> Any:
        # YAML reads `kode: 1471` as a number; a tag is text either way.
        if isinstance(v, dict):
            return {k: str(x) if isinstance(x, int) and not isinstance(x, bool) else x for k, x in v.items()}
        return v

    @field_validator("stages", mode="before")
    @classmethod
    def _stage_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: cls._keys(val) for k, val in v.items()}
        return v

    @field_validator("distributions", mode="before")
    @classmethod
    def _distribution_levels(cls, v: Any) -> Any:
        # Levels written with the ASCII digits only: pydantic alone would read "0_3", " 3" and "3.0".
        if not isinstance(v, dict):
            return v
        out: dict[str, Any] = {}
        for iid, dist in cls._keys(v).items():
            if isinstance(dist, dict):
                levels: dict[int, Any] = {}
                for k, p in dist.items():
                    try:
                        level = whole_number(k)
                    except ValueError as exc:  # an AssessmentError's field composes with 'distributions'
                        raise AssessmentError(str(exc), field=iid) from None
                    if level in levels:
                        raise AssessmentError(tr("level {level} given twice", level=level), field=iid)
                    levels[level] = p
                dist = levels
            out[iid] = dist
        return out

    @model_validator(mode="after")
    def _distributions_sum_to_one(self) -> Assessment:
        for iid, dist in self.distributions.items():
            if any(p < 0 for p in dist.values()) or sum(map(Fraction, dist.values()), Fraction(0)) != 1:
                raise ValueError(
                    tr("distributions.{iid}: probabilities must be non-negative and sum to exactly 1", iid=iid)
                )
        return self

    @field_validator("levels", mode="wrap")
    @classmethod
    def _levels(cls, v: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # A key set already found normalised and every level an int (not a bool): exactly what the
        # full validation accepts, checked in three C-level steps instead of per key in Python.
        if type(v) is dict:
            known = _NORMAL_KEYS.get(len(v))
            if known is not None and v.keys() == known and set(map(type, v.values())) <= _INT:
                return dict(v)  # a copy: the caller's dict may change, the assessment may not
        return handler(cls._keys(v))

    @field_validator("notes", "evidence", "services", "distributions", "inputs", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            known = _NORMAL_KEYS.get(len(v))
            if known is not None and v.keys() == known:
                return v  # a key set seen before (a catalogue's ids): one set comparison
            if all(type(k) is str and k == k.strip() for k in v):
                if len(v) >= 8 and len(_NORMAL_KEYS) < 64:
                    _NORMAL_KEYS[len(v)] = frozenset(v)  # remember it: the next assessment's keys match
                return v  # the common case (JSON, CSV, already-normalised data): nothing to convert
            out: dict[str, Any] = {}
            for k, val in v.items():
                key = _key(k)
                if key in out:
                    raise ValueError(tr("indicator {key!r} given twice", key=key))
                out[key] = val
            return out
        return v

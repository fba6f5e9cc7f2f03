"""Rules as data: cross-indicator rules and evidence (data dukung) requirements.

Rules are declared in a catalogue's YAML or contributed by plugins through `spbe_rules`. Each says
whether it comes from the regulation (with a citation) or is a heuristic, so users never mistake
an inferred consistency check for an official cap.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..exact import whole_number
from ..i18n import tr
from ._base import StrictModel

__all__ = [
    "Evidence",
    "EvidenceKind",
    "EvidenceRequirement",
    "EvidenceRule",
    "EvidenceSpec",
    "Rule",
    "RuleMessage",
]

Severity = Literal["error", "warning", "info"]
Basis = Literal["regulation", "heuristic"]
EvidenceStatus = Literal["pending", "accepted", "rejected", "needs_revision"]


def _ids(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return tuple(str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


class RuleMessage(StrictModel):
    """A message template in English and Bahasa Indonesia. Placeholders: {indicator}, {level},
    {requires}, {required_level}, {actual}, {cap}, {limit}."""

    en: str
    id: str


class Rule(StrictModel):
    """A cross-indicator rule.

    - `prerequisite`: `indicator` at level ≥ `at_level` needs every `requires` indicator at level ≥
      `min_level` (absolute) or ≥ its own level − `max_gap` (relative). Violations are findings.
    - `cap`: the same condition, enforced: the indicator is lowered to the highest level at which
      the condition holds (only when rules are applied; the official score is never capped).
    - `distinct`: the services named for `indicators` must differ from each other and from those
      of `against` (e.g. sector services 45–47 vs 32–44).

    `binding` says whether the rule constrains plans by default. Unset, only rules whose basis is the
    regulation bind; a heuristic rule (an inferred consistency check) binds only when the caller asks
    (`respect_rules="all"`) or when its plugin declares `binding: true` (e.g. a province that makes it
    its own policy).
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    type: Literal["prerequisite", "cap", "distinct"]
    severity: Severity
    basis: Basis
    citation: str | None = None
    message: RuleMessage
    indicator: str | None = None
    at_level: int | None = None
    requires: tuple[str, ...] = ()
    min_level: int | None = None
    max_gap: int | None = Field(default=None, ge=0)
    indicators: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    binding: bool | None = None

    @field_validator("at_level", "min_level", "max_gap", mode="before")
    @classmethod
    def _whole_numbers(cls, v: object) -> object:
        """ASCII whole numbers only: pydantic's int parsing also reads "0_3", " 3 " and "3.0"."""
        return None if v is None else whole_number(v)

    @property
    def binds_plans(self) -> bool:
        """True when the rule constrains a plan by default (regulation basis, or declared binding)."""
        return self.binding if self.binding is not None else self.basis == "regulation"

    @field_validator("indicator", "requires", "indicators", "against", mode="before")
    @classmethod
    def _norm(cls, v: object) -> object:
        return _ids(v)

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.basis == "regulation" and not self.citation:
            raise ValueError(tr("rule {id!r}: a regulation rule needs a citation", id=self.id))
        if self.type in ("prerequisite", "cap"):
            if not self.indicator or not self.requires:
                raise ValueError(
                    tr("rule {id!r}: a {type} names `indicator` and `requires`", id=self.id, type=self.type)
                )
            if (self.min_level is None) == (self.max_gap is None):
                raise ValueError(tr("rule {id!r}: give exactly one of `min_level` or `max_gap`", id=self.id))
            if self.indicator in self.requires:
                raise ValueError(
                    tr("rule {id!r}: indicator {indicator} cannot require itself", id=self.id, indicator=self.indicator)
                )
        elif not self.indicators:
            raise ValueError(tr("rule {id!r}: a distinct rule names `indicators`", id=self.id))
        return self

    def sources_of(self) -> tuple[str, ...]:
        """Indicators this rule reads."""
        if self.type == "distinct":
            return (*self.indicators, *self.against)
        return self.requires

    def targets(self) -> tuple[str, ...]:
        """Indicators this rule is about (and, for caps, may lower)."""
        if self.type == "distinct":
            return self.indicators
        return (self.indicator,) if self.indicator else ()


class EvidenceKind(StrictModel):
    """A kind of supporting evidence (data dukung), e.g. an enacted policy or a review report."""

    id: str
    name: str
    name_en: str | None = None


class EvidenceRequirement(StrictModel):
    """What one level needs. An item counts when it is accepted, dated on or before the evaluation
    date, younger than any `max_age_years` for its kind, and declared for this level — or, unless
    `exact_level`, for a higher one (a document that covers more also covers less)."""

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    max_age_years: dict[str, int] = Field(default_factory=dict)
    exact_level: bool = False

    @model_validator(mode="after")
    def _something(self) -> EvidenceRequirement:
        if not self.any_of and not self.all_of:
            raise ValueError(tr("a requirement names `any_of` and/or `all_of` evidence kinds"))
        return self


class EvidenceRule(StrictModel):
    """Evidence requirements per level for indicators of some kinds (or listed indicators)."""

    id: str
    basis: Basis
    citation: str | None = None
    kinds: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    levels: dict[int, EvidenceRequirement]
    sources: tuple[str, ...] = ()

    @field_validator("indicators", mode="before")
    @classmethod
    def _norm(cls, v: object) -> object:
        return _ids(v)

    @model_validator(mode="after")
    def _applies(self) -> EvidenceRule:
        if not self.kinds and not self.indicators:
            raise ValueError(tr("evidence rule {id!r}: name indicator `kinds` or `indicators`", id=self.id))
        if self.basis == "regulation" and not self.citation:
            raise ValueError(tr("evidence rule {id!r}: a regulation rule needs a citation", id=self.id))
        return self


class EvidenceSpec(StrictModel):
    """The evidence vocabulary and rules of a catalogue."""

    kinds: tuple[EvidenceKind, ...] = ()
    rules: tuple[EvidenceRule, ...] = ()

    @model_validator(mode="after")
    def _known_kinds(self) -> EvidenceSpec:
        known = {k.id for k in self.kinds}
        for rule in self.rules:
            for level, req in rule.levels.items():
                for kind in (*req.any_of, *req.all_of, *req.max_age_years):
                    if kind not in known:
                        raise ValueError(
                            tr(
                                "evidence rule {id!r} level {level}: unknown evidence kind {kind!r} (allowed: {known})",
                                id=rule.id,
                                level=level,
                                kind=kind,
                                known=", ".join(sorted(known)),
                            )
                        )
        return self


class Evidence(StrictModel):
    """One evidence item attached to an indicator in an assessment."""

    id: str = Field(min_length=1)
    level: int
    kind: str
    date: dt.date | None = None
    status: EvidenceStatus = "pending"
    note: str | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _whole_numbers(cls, v: object) -> object:
        """ASCII whole numbers only: pydantic's int parsing also reads "0_3", " 3 " and "3.0"."""
        return None if v is None else whole_number(v)

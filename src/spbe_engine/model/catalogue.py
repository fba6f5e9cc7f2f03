"""The catalogue: one regulation version's tree of weighted groups, indicators, level scales and bands.

A catalogue is pure data. Its validator refuses anything the scoring could silently get wrong:
duplicate ids, weights of children that do not add up to their parent, an indicator without a scale,
bands that do not cover the scale's range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator, model_validator

from ..errors import CatalogueError, SpbeError
from ..exact import parse_exact, to_decimal, whole_number
from ..i18n import tr
from ._base import WEIGHT_SCHEMA, ExactDecimal, JsonSchemaOf, StrictModel
from .rules import EvidenceSpec, Rule

__all__ = [
    "Band",
    "Catalogue",
    "Group",
    "Indicator",
    "Level",
    "LevelScale",
    "Note",
    "Regulation",
    "Source",
    "Withdrawn",
    "period_year",
]

ExactWeight = Annotated[
    Decimal | Fraction,
    BeforeValidator(parse_exact),
    PlainSerializer(str, return_type=str, when_used="json"),
    JsonSchemaOf("exact weight", WEIGHT_SCHEMA),
]
"""A weight: an exact Decimal, or an exact ratio (a `Rational` printed as written, e.g. 20/6)."""


class Source(StrictModel):
    """A document an entry rests on (a regulation, a report, a secondary analysis)."""

    key: str
    title: str
    url: str | None = None


class Note(StrictModel):
    """A recorded conflict, uncertainty or remark. Conflicts are kept, never silently resolved."""

    id: str
    kind: Literal["conflict", "uncertain", "info"] = "info"
    about: tuple[str, ...] = ()
    text: str
    resolution: str | None = None
    sources: tuple[str, ...] = ()


class Level(StrictModel):
    """One maturity level: its value, official name and generic criterion."""

    value: int
    name: str
    name_en: str | None = None
    criteria: str | None = None
    criteria_en: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _whole_numbers(cls, v: object) -> object:
        """ASCII whole numbers only: pydantic's int parsing also reads "0_3", " 3 " and "3.0"."""
        return None if v is None else whole_number(v)


class LevelScale(StrictModel):
    """A contiguous ladder of levels (59/2020: 1–5, process or service; 5/2018: 0–5)."""

    id: str
    name: str
    name_en: str | None = None
    levels: tuple[Level, ...] = Field(min_length=1)
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _contiguous(self) -> LevelScale:
        values = [lv.value for lv in self.levels]
        if values != list(range(values[0], values[0] + len(values))):
            raise ValueError(
                tr("scale {id!r}: levels must be contiguous and ascending, got {values}", id=self.id, values=values)
            )
        return self

    @property
    def min(self) -> int:
        return self.levels[0].value

    @property
    def max(self) -> int:
        return self.levels[-1].value

    def level(self, value: int) -> Level:
        """The level with this value (ValueError if outside the scale)."""
        if not self.min <= value <= self.max:
            raise ValueError(
                tr(
                    "level {value} outside scale {id!r} ({min}–{max})",
                    value=value,
                    id=self.id,
                    min=self.min,
                    max=self.max,
                )
            )
        return self.levels[value - self.min]


class Indicator(StrictModel):
    """A scored indicator. `id` is the official number as a string; `name` is verbatim Indonesian."""

    id: str
    name: str
    name_en: str | None = None
    description: str | None = None  # what the name does not say (e.g. "BCP/DRP", "CSIRT"), verbatim Indonesian
    description_en: str | None = None
    weight: ExactWeight
    scale: str
    kind: str | None = None
    sources: tuple[str, ...] = ()
    uncertain: bool = False
    notes: tuple[str, ...] = ()

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("weight")
    @classmethod
    def _positive(cls, v: Decimal | Fraction) -> Decimal | Fraction:
        if v <= 0:
            raise ValueError(tr("weight must be positive, got {v}", v=v))
        return v


class Group(StrictModel):
    """A weighted node of the tree (domain, aspect, ...). Any depth; children are groups and/or indicators."""

    id: str
    kind: str
    name: str
    name_en: str | None = None
    weight: ExactWeight
    groups: tuple[Group, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    sources: tuple[str, ...] = ()
    uncertain: bool = False

    @model_validator(mode="after")
    def _children_sum(self) -> Group:
        if not self.groups and not self.indicators:
            raise ValueError(tr("group {id!r} has no children", id=self.id))
        total = exact_weight_sum([*(g.weight for g in self.groups), *(i.weight for i in self.indicators)])
        if total != Fraction(self.weight):
            raise ValueError(
                tr(
                    "group {id!r}: weights of its children sum to {total}, but its weight is {weight}",
                    id=self.id,
                    total=total,
                    weight=self.weight,
                )
            )
        return self

    def walk(self) -> Iterator[Group]:
        """This group and every group below it, depth first."""
        yield self
        for g in self.groups:
            yield from g.walk()

    def all_indicators(self) -> Iterator[Indicator]:
        """Every indicator below this group, in catalogue order."""
        yield from self.indicators
        for g in self.groups:
            yield from g.all_indicators()


class Band(StrictModel):
    """A predikat band: inclusive lower bound on the *unrounded* index."""

    lower: ExactDecimal
    predikat: str
    predikat_en: str | None = None


class Withdrawn(StrictModel):
    """An indicator id an earlier edition of this catalogue used, and how to write it now: an
    assessment that still uses it is refused with `text`, never silently scored."""

    id: str
    replaced_by: tuple[str, ...] = ()
    text: str
    text_en: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


def period_year(period: str) -> int | None:
    """The evaluation year a period names ("2024", "2025-S1", "Pemantauan 2025"), if any."""
    m = _YEAR.search(period)
    return int(m.group(1)) if m else None


class Regulation(StrictModel):
    """The legal instrument a catalogue encodes."""

    short: str
    citation: str
    url: str | None = None


def _scales_may_be_shared(schema: dict[str, Any]) -> None:
    """A catalogue file may leave its scales to a plugin's `spbe_level_scales` (as Pemdi's does)."""
    schema["required"] = [r for r in schema.get("required", []) if r != "scales"]


class Catalogue(StrictModel):
    """One regulation version, e.g. `spbe-2020` (PermenPANRB 59/2020). Its JSON Schema
    (`spbe schema catalogue`) describes the catalogue YAML, whose `scales` may come from a plugin."""

    model_config = ConfigDict(json_schema_extra=_scales_may_be_shared)
    _error: ClassVar[type[SpbeError]] = CatalogueError

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    index_name: str = "Indeks"
    regulation: Regulation
    status: Literal["official", "provisional"]
    valid_from: int
    valid_to: int | None = None
    precedence: int = 0
    weight_total: ExactDecimal = Decimal(100)
    scales: tuple[LevelScale, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()
    rules: tuple[Rule, ...] = ()
    evidence: EvidenceSpec = EvidenceSpec()
    withdrawn: tuple[Withdrawn, ...] = ()

    @field_validator("valid_from", "valid_to", "precedence", mode="before")
    @classmethod
    def _whole_numbers(cls, v: object) -> object:
        """ASCII whole numbers only: pydantic's int parsing also reads "0_3", " 3 " and "3.0"."""
        return None if v is None else whole_number(v)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(
                tr(
                    "valid_to {valid_to} is before valid_from {valid_from}",
                    valid_to=self.valid_to,
                    valid_from=self.valid_from,
                )
            )
        scale_ids = [s.id for s in self.scales]
        _unique("scale", scale_ids)
        ids: list[str] = []
        for top in self.groups:
            for g in top.walk():
                ids.append(g.id)
                ids.extend(i.id for i in g.indicators)
        _unique("group/indicator", ids)
        total = exact_weight_sum([g.weight for g in self.groups])
        if total != Fraction(self.weight_total):
            raise ValueError(
                tr(
                    "weights of the top-level groups sum to {total}, expected {weight_total}",
                    total=total,
                    weight_total=self.weight_total,
                )
            )
        known_sources = {s.key for s in self.sources}
        for ind in self.indicators():
            if ind.scale not in scale_ids:
                raise ValueError(
                    tr(
                        "indicator {id!r}: unknown scale {scale!r} (allowed: {scale_ids})",
                        id=ind.id,
                        scale=ind.scale,
                        scale_ids=", ".join(scale_ids),
                    )
                )
            missing = [s for s in ind.sources if known_sources and s not in known_sources]
            if missing:
                raise ValueError(tr("indicator {id!r}: unknown source(s) {missing}", id=ind.id, missing=missing))
        self._check_bands()
        if "index" in ids:
            raise ValueError(tr("'index' is reserved for the overall index and cannot be a group or indicator id"))
        note_ids = {n.id for n in self.notes}
        for ind in self.indicators():
            unknown_notes = [n for n in ind.notes if n not in note_ids]
            if unknown_notes:
                raise ValueError(
                    tr("indicator {id!r}: unknown note {unknown_notes!r}", id=ind.id, unknown_notes=unknown_notes[0])
                )
        for note in self.notes:
            unknown_about = [x for x in note.about if x not in ids]
            if unknown_about:
                raise ValueError(
                    tr(
                        "note {id!r} is about unknown indicator or group {unknown_about!r}",
                        id=note.id,
                        unknown_about=unknown_about[0],
                    )
                )
        for w in self.withdrawn:
            if w.id in ids:
                raise ValueError(tr("withdrawn indicator {id!r} is still in the catalogue", id=w.id))
            gone = [x for x in w.replaced_by if x not in ids]
            if gone:
                raise ValueError(
                    tr("withdrawn indicator {id!r} is replaced by unknown indicator {gone!r}", id=w.id, gone=gone[0])
                )
        _unique("withdrawn indicator", [w.id for w in self.withdrawn])
        _unique("rule", [r.id for r in self.rules])
        _unique("evidence rule", [r.id for r in self.evidence.rules])
        kinds = {i.kind for i in self.indicators()}
        for er in self.evidence.rules:
            unknown = [k for k in er.kinds if k not in kinds] + [i for i in er.indicators if i not in ids]
            if unknown:
                raise ValueError(
                    tr("evidence rule {id!r}: unknown indicator kind or id {unknown!r}", id=er.id, unknown=unknown[0])
                )
        return self

    def _check_bands(self) -> None:
        lowers = [b.lower for b in self.bands]
        if lowers != sorted(lowers, reverse=True) or len(set(lowers)) != len(lowers):
            raise ValueError(
                tr("bands must be listed from the highest lower bound down, without repeats: {lowers}", lowers=lowers)
            )
        lo = min(s.min for s in self.scales)
        hi = max(s.max for s in self.scales)
        if lowers[-1] > lo:
            raise ValueError(
                tr(
                    "bands do not cover the range: the lowest band starts at {lowers}, above {lo}",
                    lowers=lowers[-1],
                    lo=lo,
                )
            )
        if lowers[0] > hi:
            raise ValueError(
                tr(
                    "band {predikat!r} starts at {lowers}, above the maximum {hi}",
                    predikat=self.bands[0].predikat,
                    lowers=lowers[0],
                    hi=hi,
                )
            )

    # -- navigation (cheap; the engine compiles what scoring needs once) --------------------

    def indicators(self) -> Iterator[Indicator]:
        """Every indicator in catalogue order."""
        for g in self.groups:
            yield from g.all_indicators()

    def all_groups(self) -> Iterator[Group]:
        """Every group, depth first."""
        for g in self.groups:
            yield from g.walk()

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators():
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def group(self, group_id: str) -> Group:
        for g in self.all_groups():
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def scale(self, scale_id: str) -> LevelScale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(scale_id)

    def governs(self, year: int) -> bool:
        """True when the catalogue applies to the evaluation round of `year` (its `valid_from`–`valid_to`)."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def years(self) -> str:
        """The rounds it governs, e.g. "2021–2025" or "2026–" (open-ended)."""
        return f"{self.valid_from}–{self.valid_to if self.valid_to is not None else ''}"

    def period_warning(self, period: str, lang: str | None = None) -> str | None:
        """Why scoring `period` under this catalogue deserves a warning (its year lies outside the
        rounds the catalogue governs), or None, in `lang` (default: the current language). A warning,
        not an error: what-if on other rules is legitimate."""
        year = period_year(period)
        if year is None or self.governs(year):
            return None
        return tr(
            "period {period!r} lies outside the evaluation rounds {catalogue} governs ({years}); "
            "the official result for that year was computed under another catalogue",
            lang=lang,
            period=period,
            catalogue=self.id,
            years=self.years,
        )

    def unknown_indicator(self, indicator_id: str) -> str:
        """The message for an indicator id this catalogue lacks, saying what changed when an earlier
        edition used it (e.g. 5/2018's single indicator 35, now one item per public service)."""
        for w in self.withdrawn:
            if w.id == indicator_id:
                return f"indicator {indicator_id!r} is no longer in {self.id}: {w.text_en or w.text}"
        return f"unknown indicator {indicator_id!r} for catalogue {self.id}"

    def band_for(self, value: Decimal) -> Band:
        """The band an unrounded value falls in (the lowest band catches anything below)."""
        for b in self.bands:
            if value >= b.lower:
                return b
        return self.bands[-1]


class _Sum(Fraction):
    """An exact sum of decimals that prints as the decimal it is (1.30 + 1.30 → 2.60)."""

    places = 0

    def __str__(self) -> str:
        d = to_decimal(self.numerator, self.denominator)
        if Fraction(d) != self:  # a ratio no decimal writes exactly (20/6 + 20/6)
            return f"{self.numerator}/{self.denominator}"
        return str(d.quantize(Decimal(1).scaleb(-self.places)))


def exact_weight_sum(values: list[Decimal | Fraction]) -> _Sum:
    """Sum weights exactly (Decimal arithmetic rounds to 28 digits), keeping their places for messages."""
    total = _Sum(sum((Fraction(v) for v in values), Fraction(0)))
    exps = [v.as_tuple().exponent for v in values if isinstance(v, Decimal)]
    total.places = max((-e for e in exps if isinstance(e, int)), default=0)
    return total


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(tr("duplicate {what} id {i!r}", what=what, i=i))
        seen.add(i)

"""Who answers for which indicator: a lead unit (OPD) and supporting units per indicator, and targets.

Ownership comes from YAML or CSV. Every indicator of the catalogue needs exactly one lead; unknown
indicators, unknown units and duplicate rows are errors naming the file and row.

YAML::

    catalogue: spbe-2020
    units:
      - {id: diskominfo, name: Dinas Komunikasi, Informatika dan Statistik, contact: kominfo@kota.go.id}
      - {id: bappeda, name: Badan Perencanaan Pembangunan Daerah}
    indicators:
      "1": {lead: diskominfo, support: [bagian-hukum]}

CSV: columns `indicator`, `lead`, `support` (several units separated by `;` or `|`), and optional
`lead_name`, `contact`; units are then the names used.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from .._yaml import load_yaml_text, non_text_key, one_line, plain, read_text
from ..errors import SpbeError
from ..model._base import ExactDecimal, StrictModel

__all__ = ["Ownership", "Responsibility", "Targets", "Unit", "load_ownership", "load_targets"]


class OwnershipError(SpbeError):
    """An ownership or targets file is malformed or does not fit its catalogue."""


class Unit(StrictModel):
    """An organisational unit (OPD, biro, bagian)."""

    _error: ClassVar[type[SpbeError]] = OwnershipError

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    contact: str | None = None


class Responsibility(StrictModel):
    """The lead unit of one indicator and the units supporting it."""

    _error: ClassVar[type[SpbeError]] = OwnershipError

    indicator: str
    lead: str
    support: tuple[str, ...] = ()


class Ownership(StrictModel):
    """Units and the responsibility for each indicator of a catalogue."""

    _error: ClassVar[type[SpbeError]] = OwnershipError

    catalogue: str
    units: tuple[Unit, ...]
    indicators: tuple[Responsibility, ...]

    def unit(self, unit_id: str) -> Unit:
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)

    def lead_of(self, indicator: str) -> str:
        for r in self.indicators:
            if r.indicator == indicator:
                return r.lead
        raise KeyError(indicator)


class Targets(StrictModel):
    """Target levels per indicator and a target path for the index (e.g. the RPJMD, per year)."""

    _error: ClassVar[type[SpbeError]] = OwnershipError

    levels: dict[str, int] = Field(default_factory=dict)
    index: dict[str, ExactDecimal] = Field(default_factory=dict)  # period → target index

    def index_target(self, period: str) -> Fraction | None:
        value = self.index.get(str(period))
        return None if value is None else Fraction(value)

    def next_index_target(self, period: str) -> tuple[str, Fraction] | None:
        """The first target after `period` (what a monitoring meeting plans for), else `period`'s own."""
        later = sorted(p for p in self.index if p > str(period))
        chosen = later[0] if later else (str(period) if str(period) in self.index else None)
        return None if chosen is None else (chosen, Fraction(self.index[chosen]))


def check_ownership(
    own: Ownership, ids: list[str], catalogue: str | None = None, source: str = "ownership"
) -> Ownership:
    """An ownership built in Python gets the same checks as one read from a file."""
    if catalogue is not None and own.catalogue != catalogue:
        raise OwnershipError(
            f"ownership is for catalogue {own.catalogue}, the assessment for {catalogue}",
            file=source,
            field="catalogue",
        )
    return _check(own, ids, source, {})


def _check(own: Ownership, ids: list[str], source: str, rows: Mapping[str, int | None]) -> Ownership:
    unit_ids = {u.id for u in own.units}
    if len(unit_ids) != len(own.units):
        raise OwnershipError("a unit id appears twice", file=source, field="units")
    seen: set[str] = set()
    for r in own.indicators:
        row = rows.get(r.indicator)
        if r.indicator not in ids:
            raise OwnershipError(
                f"unknown indicator {r.indicator!r} for catalogue {own.catalogue}",
                file=source,
                row=row,
                field="indicator",
                allowed=f"{ids[0]}–{ids[-1]}",
            )
        if r.indicator in seen:
            raise OwnershipError(f"indicator {r.indicator} has more than one lead", file=source, row=row, field="lead")
        seen.add(r.indicator)
        for u in (r.lead, *r.support):
            if u not in unit_ids:
                raise OwnershipError(
                    f"indicator {r.indicator}: unknown unit {u!r}",
                    file=source,
                    row=row,
                    field="lead" if u == r.lead else "support",
                    allowed=sorted(unit_ids),
                )
    missing = [i for i in ids if i not in seen]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise OwnershipError(f"{len(missing)} indicator(s) have no lead unit: {shown}", file=source, field="indicators")
    return own


def load_ownership(path: str | PathLike[str], *, catalogue: str | None = None, indicator_ids: list[str]) -> Ownership:
    """Read and validate an ownership file (YAML or CSV) against the catalogue's indicator ids."""
    p = Path(path)
    text = read_text(p, error=OwnershipError)
    source = str(p)
    rows: dict[str, int | None] = {}
    if p.suffix.lower() in (".yaml", ".yml", ".json"):
        data = load_yaml_text(text, source=source, error=OwnershipError)
        if not isinstance(data, Mapping) or not isinstance(data.get("indicators"), Mapping):
            raise OwnershipError("expected a mapping with `units` and `indicators`", file=source)
        resp = []
        for key, spec in data["indicators"].items():
            iid = str(key)
            if isinstance(spec, str):
                spec = {"lead": spec}
            if not isinstance(spec, Mapping):
                raise OwnershipError(f"indicator {plain(iid)}: expected {{lead: ..., support: [...]}}", file=source)
            if "indicator" in spec:  # the key names the indicator; a field could silently contradict it
                raise OwnershipError(
                    f"indicator {plain(iid)}: unknown field 'indicator'", file=source, allowed="lead, support"
                )
            resp.append({"indicator": iid, **spec})
            rows[iid] = None
        raw: dict[str, Any] = {
            "catalogue": data.get("catalogue", catalogue),
            "units": data.get("units") or [],
            "indicators": resp,
        }
    elif p.suffix.lower() == ".csv":
        raw, rows = _from_csv(text, source, catalogue)
    else:
        raise OwnershipError(f"unknown file type {p.suffix!r}", file=source, allowed=".yaml, .yml, .json, .csv")
    if catalogue is not None and raw.get("catalogue") not in (None, catalogue):
        raise OwnershipError(
            f"ownership is for catalogue {plain(raw['catalogue'])}, the assessment for {catalogue}",
            file=source,
            field="catalogue",
        )
    raw["catalogue"] = raw.get("catalogue") or catalogue
    try:
        own = Ownership(**raw)
    except OwnershipError as exc:
        raise OwnershipError(one_line(exc.message), file=source, field=exc.field) from None
    except TypeError:  # Python refuses `Unit(**{1: ...})`: a field name that is not text
        found = non_text_key(raw)
        if found is None:  # not bad input: a bug, to be seen as one
            raise
        raise OwnershipError(f"field names must be text, got {found[1]!r}", file=source, field=found[0]) from None
    return _check(own, indicator_ids, source, rows)


def _from_csv(text: str, source: str, catalogue: str | None) -> tuple[dict[str, Any], dict[str, int | None]]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        reader = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a cell longer than the csv module allows
        raise OwnershipError(f"invalid CSV: {exc}", file=source) from None
    if not reader:
        raise OwnershipError("no rows", file=source)
    for col in ("indicator", "lead"):
        if col not in reader[0]:
            raise OwnershipError(
                f"missing column {col!r}", file=source, row=1, allowed="indicator, lead, support, lead_name, contact"
            )
    units: dict[str, dict[str, Any]] = {}
    resp = []
    rows: dict[str, int | None] = {}
    for n, row in enumerate(reader, 2):
        iid = (row.get("indicator") or "").strip()
        lead = (row.get("lead") or "").strip()
        if not iid or not lead:
            raise OwnershipError("indicator and lead must not be empty", file=source, row=n)
        support = [s.strip() for s in (row.get("support") or "").replace("|", ";").split(";") if s.strip()]
        for u in (lead, *support):
            units.setdefault(u, {"id": u, "name": u})
        if (row.get("lead_name") or "").strip():
            units[lead]["name"] = row["lead_name"].strip()
        if (row.get("contact") or "").strip():
            units[lead]["contact"] = row["contact"].strip()
        if iid in rows:
            raise OwnershipError(
                f"indicator {plain(iid)} has more than one lead (first at row {rows[iid]})",
                file=source,
                row=n,
                field="lead",
            )
        rows[iid] = n
        resp.append({"indicator": iid, "lead": lead, "support": support})
    return {"catalogue": catalogue, "units": list(units.values()), "indicators": resp}, rows


def load_targets(
    path: str | PathLike[str], *, indicator_ids: list[str], lo: Mapping[str, int], hi: Mapping[str, int]
) -> Targets:
    """Read targets (YAML): `levels: {indicator: level}` and `index: {period: value}`."""
    p = Path(path)
    source = str(p)
    data = load_yaml_text(read_text(p, error=OwnershipError), source=source, error=OwnershipError)
    if not isinstance(data, Mapping):
        raise OwnershipError("expected a mapping with `levels` and/or `index`", file=source)
    levels = _by_text_key(data.get("levels"), source, "levels", "indicator ids to target levels")
    index = _by_text_key(data.get("index"), source, "index", "periods to target index values")
    try:
        t = Targets(levels=levels, index=index)
    except OwnershipError as exc:
        raise OwnershipError(one_line(exc.message), file=source, field=exc.field) from None
    return check_targets(t, indicator_ids=indicator_ids, lo=lo, hi=hi, source=source)


def check_targets(
    t: Targets, *, indicator_ids: list[str], lo: Mapping[str, int], hi: Mapping[str, int], source: str = "targets"
) -> Targets:
    """Targets fit the catalogue: known indicators, levels on their scales, index values in range."""
    for iid, level in t.levels.items():
        if iid not in indicator_ids:
            raise OwnershipError(f"unknown indicator {iid!r}", file=source, field=f"levels.{iid}")
        if not lo[iid] <= level <= hi[iid]:
            raise OwnershipError(
                f"target level {level} of indicator {iid} is outside its scale",
                file=source,
                field=f"levels.{iid}",
                allowed=f"{lo[iid]}–{hi[iid]}",
            )
    bottom, top = min(lo.values()), max(hi.values())
    for period, value in t.index.items():
        if not Decimal(bottom) <= value <= Decimal(top):
            raise OwnershipError(
                f"target index {value} for {plain(period)} is outside {bottom}–{top}",
                file=source,
                field=f"index.{period}",
            )
    return t


def _by_text_key(value: Any, source: str, field: str, what: str) -> dict[str, Any]:
    """A mapping with its keys as text (YAML reads `2024:` and `1:` as numbers); keys that become
    the same text are refused rather than one silently replacing the other."""
    if value is None or (isinstance(value, list) and not value):  # `levels:` or `levels: []`: none
        return {}
    if not isinstance(value, Mapping):
        raise OwnershipError(f"expected a mapping of {what}, got {type(value).__name__}", file=source, field=field)
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = str(k)
        if key in out:
            raise OwnershipError(f"{key!r} is given twice", file=source, field=f"{field}.{key}")
        out[key] = v
    return out

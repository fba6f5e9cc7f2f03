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
`lead_name`, `contact`; units are then the names used. Nothing is dropped silently: a row with more
cells than columns (in a semicolon file, `1;diskominfo;bappeda;setda` needs `"bappeda;setda"` or
`bappeda|setda`), a repeated or unknown column are refused, naming the file and row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, field_validator

from .._yaml import load_yaml_text, non_text_key, one_line, plain, read_text, sniff_delimiter
from ..errors import SpbeError
from ..exact import whole_number
from ..i18n import tr
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


def _file_layout(schema: dict[str, Any]) -> None:
    """The JSON Schema of an ownership *file*: `indicators` maps each indicator id to its lead unit,
    or to `{lead, support}`; `catalogue` may be left out (the assessment's is used)."""
    lead = {"type": "string", "minLength": 1, "description": "The id of the lead unit."}
    schema["properties"]["indicators"] = {
        "title": "Indicators",
        "description": "Per indicator id: the lead unit's id, or {lead: unit, support: [units]}.",
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                lead,
                {
                    "type": "object",
                    "properties": {"lead": lead, "support": {"type": "array", "items": {"type": "string"}}},
                    "required": ["lead"],
                    "additionalProperties": False,
                },
            ]
        },
    }
    schema["required"] = [r for r in schema.get("required", []) if r != "catalogue"]
    schema.get("$defs", {}).pop("Responsibility", None)


class Ownership(StrictModel):
    """Units and the responsibility for each indicator of a catalogue. Its JSON Schema
    (`Ownership.model_json_schema()`, `spbe schema owners`) describes the ownership YAML file, whose
    `indicators` map ids to their lead unit (see the module docstring)."""

    model_config = ConfigDict(json_schema_extra=_file_layout)
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

    @field_validator("levels", mode="before")
    @classmethod
    def _whole_levels(cls, v: Any) -> Any:
        # ASCII digits only: pydantic's int parsing alone reads "0_4" and " 4 " as 4.
        if not isinstance(v, Mapping):
            return v
        out: dict[Any, int] = {}
        for k, level in v.items():
            try:
                out[k] = whole_number(level)
            except ValueError as exc:  # an OwnershipError's field composes with 'levels'
                raise OwnershipError(str(exc), field=str(k)) from None
        return out

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
            tr(
                "ownership is for catalogue {catalogue}, the assessment for {assessed}",
                catalogue=own.catalogue,
                assessed=catalogue,
            ),
            file=source,
            field="catalogue",
        )
    return _check(own, ids, source, {})


def _check(own: Ownership, ids: list[str], source: str, rows: Mapping[str, int | None]) -> Ownership:
    unit_ids = {u.id for u in own.units}
    if len(unit_ids) != len(own.units):
        raise OwnershipError(tr("a unit id appears twice"), file=source, field="units")
    seen: set[str] = set()
    for r in own.indicators:
        row = rows.get(r.indicator)
        if r.indicator not in ids:
            raise OwnershipError(
                tr(
                    "unknown indicator {indicator!r} for catalogue {catalogue}",
                    indicator=r.indicator,
                    catalogue=own.catalogue,
                ),
                file=source,
                row=row,
                field="indicator",
                allowed=f"{ids[0]}–{ids[-1]}",
            )
        if r.indicator in seen:
            raise OwnershipError(
                tr("indicator {indicator} has more than one lead", indicator=r.indicator),
                file=source,
                row=row,
                field="lead",
            )
        seen.add(r.indicator)
        for u in (r.lead, *r.support):
            if u not in unit_ids:
                raise OwnershipError(
                    tr("indicator {indicator}: unknown unit {u!r}", indicator=r.indicator, u=u),
                    file=source,
                    row=row,
                    field="lead" if u == r.lead else "support",
                    allowed=sorted(unit_ids),
                )
    missing = [i for i in ids if i not in seen]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise OwnershipError(
            tr("{n_missing} indicator(s) have no lead unit: {shown}", n_missing=len(missing), shown=shown),
            file=source,
            field="indicators",
        )
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
            raise OwnershipError(tr("expected a mapping with `units` and `indicators`"), file=source)
        resp = []
        for key, spec in data["indicators"].items():
            iid = str(key)
            if isinstance(spec, str):
                spec = {"lead": spec}
            if not isinstance(spec, Mapping):
                raise OwnershipError(
                    tr("indicator {iid}: expected {{lead: ..., support: [...]}}", iid=plain(iid)), file=source
                )
            if "indicator" in spec:  # the key names the indicator; a field could silently contradict it
                raise OwnershipError(
                    tr("indicator {iid}: unknown field 'indicator'", iid=plain(iid)),
                    file=source,
                    allowed="lead, support",
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
        raise OwnershipError(
            tr("unknown file type {suffix!r}", suffix=p.suffix), file=source, allowed=".yaml, .yml, .json, .csv"
        )
    if catalogue is not None and raw.get("catalogue") not in (None, catalogue):
        raise OwnershipError(
            tr(
                "ownership is for catalogue {raw}, the assessment for {catalogue}",
                raw=plain(raw["catalogue"]),
                catalogue=catalogue,
            ),
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
        raise OwnershipError(
            tr("field names must be text, got {found!r}", found=found[1]), file=source, field=found[0]
        ) from None
    return _check(own, indicator_ids, source, rows)


COLUMNS = ("indicator", "lead", "support", "lead_name", "contact")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # the lines `open(newline="")` gives


def _csv_rows(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows of the CSV with the file line each starts on."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader((m.group() for m in _LINE.finditer(text)), delimiter=delimiter)
    start = 1
    try:
        for r in reader:
            if any(c.strip() for c in r):
                yield start, r
            start = reader.line_num + 1
    except csv.Error as exc:  # e.g. a cell longer than the csv module allows
        raise OwnershipError(
            tr("invalid CSV: {exc} at line {line_num}", exc=exc, line_num=reader.line_num), file=source
        ) from None


def _from_csv(text: str, source: str, catalogue: str | None) -> tuple[dict[str, Any], dict[str, int | None]]:
    rows = _csv_rows(text, source)
    _, raw_header = next(rows, (1, []))
    if not raw_header:
        raise OwnershipError(tr("no rows"), file=source)
    header = [h.strip() for h in raw_header]
    header = [h.lower() if h.lower() in COLUMNS else h for h in header]
    width = len(header)
    while width and not header[width - 1]:  # Excel often ends every line with empty cells
        width -= 1
    header = header[:width]
    for n, h in enumerate(header, 1):
        if not h:
            raise OwnershipError(tr("column {n} has no name", n=n), file=source, row=1, allowed=", ".join(COLUMNS))
        if h not in COLUMNS:
            raise OwnershipError(tr("unknown column {h!r}", h=h), file=source, row=1, allowed=", ".join(COLUMNS))
        if header.index(h) != n - 1:
            raise OwnershipError(tr("column {h!r} appears twice", h=h), file=source, row=1)
    for col in ("indicator", "lead"):
        if col not in header:
            raise OwnershipError(tr("missing column {col!r}", col=col), file=source, row=1, allowed=", ".join(COLUMNS))
    units: dict[str, dict[str, Any]] = {}
    resp = []
    found: dict[str, int | None] = {}
    for n, raw in rows:
        extra = [c for c in raw[width:] if c.strip()]
        if extra:
            shown = repr(extra[0] if len(extra[0]) <= 40 else extra[0][:37] + "...")
            raise OwnershipError(
                tr(
                    "{n_raw} cells but {raw_header} columns; {shown} has no column",
                    n_raw=len(raw),
                    raw_header=max(len(raw_header), width),
                    shown=shown,
                ),
                file=source,
                row=n,
                allowed=tr("one cell per column (quote a cell that holds the separator, or separate units with |)"),
            )
        row = {col: cell.strip() for col, cell in zip(header, raw, strict=False)}
        iid, lead = row.get("indicator", ""), row.get("lead", "")
        if not iid or not lead:
            raise OwnershipError(tr("indicator and lead must not be empty"), file=source, row=n)
        support = [s.strip() for s in row.get("support", "").replace("|", ";").split(";") if s.strip()]
        for u in (lead, *support):
            units.setdefault(u, {"id": u, "name": u})
        if row.get("lead_name"):
            units[lead]["name"] = row["lead_name"]
        if row.get("contact"):
            units[lead]["contact"] = row["contact"]
        if iid in found:
            raise OwnershipError(
                tr("indicator {iid} has more than one lead (first at row {first})", iid=plain(iid), first=found[iid]),
                file=source,
                row=n,
                field="lead",
            )
        found[iid] = n
        resp.append({"indicator": iid, "lead": lead, "support": support})
    if not resp:
        raise OwnershipError(tr("no rows"), file=source)
    return {"catalogue": catalogue, "units": list(units.values()), "indicators": resp}, found


def load_targets(
    path: str | PathLike[str], *, indicator_ids: list[str], lo: Mapping[str, int], hi: Mapping[str, int]
) -> Targets:
    """Read targets (YAML): `levels: {indicator: level}` and `index: {period: value}`."""
    p = Path(path)
    source = str(p)
    data = load_yaml_text(read_text(p, error=OwnershipError), source=source, error=OwnershipError)
    if not isinstance(data, Mapping):
        raise OwnershipError(tr("expected a mapping with `levels` and/or `index`"), file=source)
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
            raise OwnershipError(tr("unknown indicator {iid!r}", iid=iid), file=source, field=f"levels.{iid}")
        if not lo[iid] <= level <= hi[iid]:
            raise OwnershipError(
                tr("target level {level} of indicator {iid} is outside its scale", level=level, iid=iid),
                file=source,
                field=f"levels.{iid}",
                allowed=f"{lo[iid]}–{hi[iid]}",
            )
    bottom, top = min(lo.values()), max(hi.values())
    for period, value in t.index.items():
        if not Decimal(bottom) <= value <= Decimal(top):
            raise OwnershipError(
                tr(
                    "target index {value} for {period} is outside {bottom}–{top}",
                    value=value,
                    period=plain(period),
                    bottom=bottom,
                    top=top,
                ),
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
        raise OwnershipError(
            tr("expected a mapping of {what}, got {type_name}", what=what, type_name=type(value).__name__),
            file=source,
            field=field,
        )
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = str(k)
        if key in out:
            raise OwnershipError(tr("{key!r} is given twice", key=key), file=source, field=f"{field}.{key}")
        out[key] = v
    return out

"""Levels from evidence: the highest *continuous* level whose required evidence is valid on the
evaluation date. Levels are cumulative, so a gap at level 2 caps the indicator at 1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import AssessmentError
from ..i18n import tr
from ..model.catalogue import Catalogue
from ..model.rules import Evidence, EvidenceRequirement

DEFAULT_RULE = "evidence-default"
_DEFAULT = EvidenceRequirement(any_of=("*",), exact_level=True)


@dataclass(frozen=True)
class LevelNeed:
    rule_id: str
    basis: str
    citation: str | None
    requirement: EvidenceRequirement


@dataclass(frozen=True)
class Support:
    """The level evidence supports for one indicator, and why it stops there."""

    indicator: str
    level: int
    failed_level: int | None = None
    need: LevelNeed | None = None
    reasons: tuple[tuple[str, str], ...] = ()  # (English, Bahasa Indonesia)
    considered: tuple[str, ...] = ()


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def compile_needs(catalogue: Catalogue) -> dict[str, dict[int, LevelNeed]]:
    """Per indicator, per level above the scale minimum: what it needs. Listed indicators win over kinds."""
    out: dict[str, dict[int, LevelNeed]] = {}
    for ind in catalogue.indicators():
        scale = catalogue.scale(ind.scale)
        needs: dict[int, LevelNeed] = {}
        for level in range(scale.min + 1, scale.max + 1):
            chosen = None
            for rule in catalogue.evidence.rules:
                if level in rule.levels and (ind.id in rule.indicators or (not chosen and ind.kind in rule.kinds)):
                    chosen = LevelNeed(rule.id, rule.basis, rule.citation, rule.levels[level])
                    if ind.id in rule.indicators:
                        break
            needs[level] = chosen or LevelNeed(DEFAULT_RULE, "heuristic", None, _DEFAULT)
        out[ind.id] = needs
    return out


Reason = tuple[str, str]  # (English, Bahasa Indonesia)
_SKIP: Reason = ("", "")  # the item is simply not a candidate (other kind or level)
_STATUS_ID = {"pending": "masih menunggu verifikasi", "rejected": "ditolak", "needs_revision": "perlu revisi"}


def _why_not(item: Evidence, kind: str, level: int, req: EvidenceRequirement, as_of: dt.date) -> Reason | None:
    """None when the item satisfies `kind` at `level`, else the reason it does not."""
    if (kind != "*" and item.kind != kind) or (req.exact_level and item.level != level) or item.level < level:
        return _SKIP
    if item.status != "accepted":
        return (f"{item.id} is {item.status.replace('_', ' ')}", f"{item.id} {_STATUS_ID[item.status]}")
    limit = req.max_age_years.get(item.kind)
    if item.date is None:
        return (f"{item.id} is undated", f"{item.id} tidak bertanggal") if limit else None
    if item.date > as_of:
        return (
            f"{item.id} is dated {item.date}, after the evaluation date {as_of}",
            f"{item.id} bertanggal {item.date}, setelah tanggal evaluasi {as_of}",
        )
    if limit and item.date <= years_before(as_of, limit):
        return (
            f"{item.id} ({item.date}) is not under {limit} year(s) old on {as_of}",
            f"{item.id} ({item.date}) tidak kurang dari {limit} tahun pada {as_of}",
        )
    return None


def _meets(items: Sequence[Evidence], need: LevelNeed, level: int, as_of: dt.date) -> tuple[bool, list[Reason]]:
    req = need.requirement
    reasons: list[Reason] = []

    def has(kind: str) -> bool:
        found = False
        for item in items:
            why = _why_not(item, kind, level, req, as_of)
            if why is None:
                found = True
            elif why is not _SKIP:
                reasons.append(why)
        return found

    missing = [k for k in req.all_of if not has(k)]
    if req.any_of and not any([has(k) for k in req.any_of]):
        missing.append(" / ".join(req.any_of))
    for kind in missing:
        label = "evidence" if kind == "*" else kind
        label_id = "bukti dukung" if kind == "*" else kind
        reasons.insert(
            0, (f"no valid {label} for level {level}", f"tidak ada {label_id} yang sah untuk tingkat {level}")
        )
    return not missing, reasons


def supported_level(
    indicator: str,
    items: Sequence[Evidence],
    needs: Mapping[int, LevelNeed],
    lo: int,
    as_of: dt.date,
) -> Support:
    considered = tuple(i.id for i in items)
    level = lo
    for k in sorted(needs):
        ok, reasons = _meets(items, needs[k], k, as_of)
        if not ok:
            return Support(indicator, level, k, needs[k], tuple(dict.fromkeys(reasons)), considered)
        level = k
    return Support(indicator, level, None, None, (), considered)


def check_items(indicator: str, items: Sequence[Evidence], lo: int, hi: int, kinds: set[str], subject: str) -> None:
    for item in items:
        if not lo <= item.level <= hi:
            raise AssessmentError(
                tr(
                    "assessment {subject!r}: evidence {id!r} of indicator {indicator} is for level {level}",
                    subject=subject,
                    id=item.id,
                    indicator=indicator,
                    level=item.level,
                ),
                field=f"evidence.{indicator}",
                allowed=f"{lo}–{hi}",
            )
        if kinds and item.kind not in kinds:
            raise AssessmentError(
                tr(
                    "assessment {subject!r}: evidence {id!r} of indicator {indicator} has unknown kind {kind!r}",
                    subject=subject,
                    id=item.id,
                    indicator=indicator,
                    kind=item.kind,
                ),
                field=f"evidence.{indicator}",
                allowed=sorted(kinds),
            )

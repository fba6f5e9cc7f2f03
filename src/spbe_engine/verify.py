"""`spbe verify`: recompute a saved result from its own manifest and say whether it still holds.

A result file (from `spbe score --format json`) carries the input assessment, the options and the
hashes of the input and the catalogue. Verification re-validates the input, checks both hashes,
rescores with the same options and compares every recorded value; any edit to the file shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import SpbeError
from .model.assessment import Assessment

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Verification", "verify_result"]


@dataclass(frozen=True)
class Verification:
    subject: str
    holds: bool
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _canonical_sha(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_result(engine: Engine, data: Mapping[str, Any]) -> Verification:
    subject = str(data.get("subject", "?"))
    manifest = data.get("manifest")
    raw = data.get("assessment")
    if not isinstance(manifest, Mapping) or not isinstance(raw, Mapping):
        return Verification(subject, False, ("no manifest or input assessment in the result",))
    problems: list[str] = []
    notes: list[str] = []
    try:
        a = Assessment(**raw)
    except SpbeError as exc:
        return Verification(subject, False, (f"the recorded input is not a valid assessment: {exc}",))
    if _canonical_sha(a.model_dump(mode="json")) != manifest.get("input_sha256"):
        problems.append("the input assessment differs from the one the result was computed from")
    try:
        current = engine.context(a.catalogue)
    except SpbeError as exc:
        return Verification(subject, False, (f"cannot recompute: {exc}",))
    if current["catalogue_sha256"] != manifest.get("catalogue_sha256"):
        problems.append(f"catalogue {a.catalogue} has changed since the result was computed")
    if current["engine"] != manifest.get("engine"):
        notes.append(f"computed by {manifest.get('engine')}, verified with {current['engine']}")
    options = manifest.get("options") or {}
    weighting: Any = options.get("weighting")
    if weighting == "custom":
        weighting = options.get("weights") or {}
    elif weighting == "official":
        weighting = None
    try:
        as_of = dt.date.fromisoformat(options["as_of"]) if options.get("as_of") else None
        r = engine.score(
            a,
            weighting=weighting,
            missing=options.get("missing"),
            apply_rules=bool(options.get("apply_rules")),
            as_of=as_of,
        )
    except (SpbeError, ValueError) as exc:
        return Verification(subject, False, (*problems, f"cannot recompute: {exc}"), tuple(notes))
    fresh = r.to_dict(manifest=False)
    for key in (
        "index",
        "exact",
        "display",
        "predikat",
        "partial",
        "missing",
        "catalogue",
        "subject",
        "period",
        "regulation",
        "weighting",
        "findings",
        "changes",
    ):
        if data.get(key) != fresh.get(key):
            problems.append(f"{key}: recorded {data.get(key)!r}, recomputes to {fresh.get(key)!r}")
    for name in ("groups", "indicators"):
        recorded = data.get(name) or {}
        for gid, values in fresh[name].items():
            if recorded.get(gid) != values:
                problems.append(f"{name[:-1]} {gid}: recorded {recorded.get(gid)!r}, recomputes to {values!r}")
        for gid in set(recorded) - set(fresh[name]):
            problems.append(f"{name[:-1]} {gid} is recorded but does not exist")
    return Verification(subject, not problems, tuple(problems), tuple(notes))

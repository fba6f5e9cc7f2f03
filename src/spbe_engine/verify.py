"""`spbe verify`: recompute a saved result from its own manifest and say whether it still holds.

A result file (from `spbe score --format json`) carries the input assessment, the options and the
hashes of the input and the catalogue. Verification re-validates the input, checks both hashes,
rescores with the same options and compares every recorded value; any edit to the file shows.
It is an integrity check, not a signature: it does not prove who made the file.

A file that is not a result at all — invalid JSON, a key given twice (which value would hold?),
nesting too deep, a manifest whose options have the wrong shape — is bad input (`SpbeError`), not
a result that "does not hold".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SpbeError
from .i18n import N_, tr, translate
from .model.assessment import Assessment

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Verification", "load_results", "verify_result"]

NOT_A_RESULT = N_("not a result file")


def load_results(path: str | Path) -> list[dict[str, Any]]:
    """The results in a file written by `spbe score --format json` (one or a list), read strictly:
    a duplicate key, nesting too deep, a non-finite number or anything but result mappings is a
    one-line `SpbeError` naming the file."""
    from ._yaml import read_text
    from .io.readers import load_json_text

    source = str(path)
    text = read_text(Path(path))  # a file that cannot be read is that, not "not a result"
    try:
        data = load_json_text(text, source=source)
    except SpbeError as exc:  # every error of the parser means invalid JSON, in whatever language it speaks
        raise SpbeError(
            tr("{NOT_A_RESULT}: {message}", NOT_A_RESULT=translate(NOT_A_RESULT), message=exc.message), file=source
        ) from None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(x, dict) for x in items):
        raise SpbeError(
            tr(
                "{NOT_A_RESULT}: expected the JSON of `spbe score --format json`",
                NOT_A_RESULT=translate(NOT_A_RESULT),
            ),
            file=source,
        )
    return items


@dataclass(frozen=True)
class Verification:
    subject: str
    holds: bool
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _canonical_sha(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bad(where: str, value: Any, allowed: str) -> SpbeError:
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return SpbeError(tr("malformed result: {shown} is not {allowed}", shown=shown, allowed=allowed), field=where)


def _options(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The scoring options recorded in a manifest, checked for shape before any is used."""
    options = manifest.get("options")
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise _bad(tr("manifest.options"), options, "a mapping of the scoring options")
    weighting = options.get("weighting")
    if weighting is not None and not isinstance(weighting, str):
        raise _bad(tr("manifest.options.weighting"), weighting, "a weighting name (official, equal, custom, ...)")
    weights = options.get("weights")
    if weights is not None and not (isinstance(weights, Mapping) and all(isinstance(w, str) for w in weights.values())):
        raise _bad(tr("manifest.options.weights"), weights, "a mapping of indicator ids to weights such as '2.00'")
    missing = options.get("missing")
    if missing is not None and (isinstance(missing, bool) or not isinstance(missing, (str, int))):
        raise _bad(tr("manifest.options.missing"), missing, "a missing-indicator policy ('minimum' or a level)")
    apply_rules = options.get("apply_rules")
    if apply_rules is not None and not isinstance(apply_rules, bool):
        raise _bad(tr("manifest.options.apply_rules"), apply_rules, "true or false")
    as_of_text = options.get("as_of")
    as_of = None
    if as_of_text is not None:
        try:
            if not isinstance(as_of_text, str):
                raise ValueError
            as_of = dt.date.fromisoformat(as_of_text)
        except ValueError:
            raise _bad(tr("manifest.options.as_of"), as_of_text, "a date such as '2024-06-30'") from None
    chosen: Any = weighting
    if weighting == "custom":
        chosen = dict(weights or {})
    elif weighting == "official":
        chosen = None
    return {"weighting": chosen, "missing": missing, "apply_rules": bool(apply_rules), "as_of": as_of}


_EXACT_FIELDS = {"exact", "contribution_exact", "weight"}


def _same(key: str, recorded: Any, fresh: Any) -> bool:
    """Equal, with exact values compared as numbers: "39/10" (written by 0.1) and "3.9" are one value."""
    if key in _EXACT_FIELDS and isinstance(recorded, str) and isinstance(fresh, str):
        try:
            return Fraction(recorded) == Fraction(fresh)
        except (ValueError, ZeroDivisionError):
            return False
    return bool(recorded == fresh)


def verify_result(engine: Engine, data: Mapping[str, Any]) -> Verification:
    """Recompute one result (a mapping from `spbe score --format json` or `ScoreResult.to_dict()`)
    from its manifest and compare every recorded value. A manifest of the wrong shape raises
    `SpbeError`; a result that was edited, or computed from another input or catalogue, does not hold."""
    if not isinstance(data, Mapping):
        raise SpbeError(
            tr(
                "expected a result mapping (the JSON of `spbe score --format json`), got {type_name}",
                type_name=type(data).__name__,
            )
        )
    for name in ("groups", "indicators"):
        if data.get(name) is not None and not isinstance(data.get(name), Mapping):
            raise _bad(name, data.get(name), "a mapping of ids to recorded values")
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
    options = _options(manifest)
    try:
        r = engine.score(a, **options)
    except SpbeError as exc:
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
        if not _same(key, data.get(key), fresh.get(key)):
            problems.append(f"{key}: recorded {data.get(key)!r}, recomputes to {fresh.get(key)!r}")
    for name in ("groups", "indicators"):
        recorded = data.get(name) or {}
        for gid, values in fresh[name].items():
            got = recorded.get(gid)
            if (
                not isinstance(got, Mapping)
                or set(got) != set(values)
                or not all(_same(k, got[k], v) for k, v in values.items())
            ):
                problems.append(f"{name[:-1]} {gid}: recorded {recorded.get(gid)!r}, recomputes to {values!r}")
        for gid in set(recorded) - set(fresh[name]):
            problems.append(f"{name[:-1]} {gid} is recorded but does not exist")
    return Verification(subject, not problems, tuple(problems), tuple(notes))

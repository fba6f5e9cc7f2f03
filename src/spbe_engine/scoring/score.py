"""The scoring hot path: levels → integer weighted sums. No hooks, no pydantic, no floats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import mul
from typing import TYPE_CHECKING, Any

from ..errors import AssessmentError
from ..i18n import tr
from ..model.assessment import Assessment
from .compiled import CompiledCatalogue
from .result import ScoreResult

if TYPE_CHECKING:
    from ..rules.finding import Finding, LevelChange

MissingPolicy = str | int | None
"""None/'error': missing indicators are an error; 'minimum': the scale minimum; an int: that level."""


def check_missing_policy(missing: MissingPolicy) -> None:
    """Refuse an unknown policy whether or not anything is missing (so it is never recorded)."""
    if missing is None or missing in ("error", "minimum"):
        return
    if isinstance(missing, int) and not isinstance(missing, bool):
        return
    raise AssessmentError(
        tr("unknown missing-level policy {missing!r}", missing=missing),
        field="missing",
        allowed=tr("'error', 'minimum', or a level"),
    )


def score(
    cc: CompiledCatalogue,
    a: Assessment,
    missing: MissingPolicy = None,
    *,
    findings: tuple[Finding, ...] = (),
    changes: tuple[LevelChange, ...] = (),
    options: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """The hot path: levels → integer weighted sums, the result built complete."""
    levels = a.levels
    filled: tuple[str, ...] = ()
    try:
        if len(levels) != len(cc.ids):
            raise KeyError
        vec: Sequence[int] = cc.levels_of(levels)
    except KeyError:
        vec, filled = _diagnose(cc, a, missing)
    if cc.in_scale is not None:
        if not cc.in_scale(vec):
            _range_error(cc, a, list(vec))
    elif cc.uniform is not None:
        lo, hi = cc.uniform
        if min(vec) < lo or max(vec) > hi:
            _range_error(cc, a, list(vec))
    else:
        for level, lo, hi in zip(vec, cc.lo, cc.hi, strict=True):
            if not lo <= level <= hi:
                _range_error(cc, a, list(vec))
    if missing is not None:
        options = {"missing": missing, **(options or {})}
    # Group sums are left to the result, which adds them up when first asked (score_many over a
    # table reads the index only, most of the time).
    return ScoreResult(cc, a, tuple(vec), sum(map(mul, vec, cc.weights)), None, filled, findings, changes, options)


def check_levels(cc: CompiledCatalogue, a: Assessment) -> None:
    """The given levels fit the catalogue (known indicators, inside their scales), with the same
    errors as scoring — for uses that accept partial assessments (rules, migration)."""
    for iid, level in a.levels.items():
        n = cc.position.get(iid)
        if n is None:
            raise AssessmentError(
                tr("{a}: {cc}", a=_where(a), cc=cc.catalogue.unknown_indicator(iid)),
                field=f"levels.{iid}",
                allowed=cc.id_span(),
            )
        if not cc.lo[n] <= level <= cc.hi[n]:
            raise outside_scale(cc, n, level, _where(a), filled=False)


def _where(a: Assessment) -> str:
    return assessment_named(a.subject, a.period)


def assessment_named(subject: str, period: str) -> str:
    """An assessment as an error names it: "assessment 'Kota X' (2024)", in the reader's language."""
    return tr("assessment {subject!r} ({period})", subject=subject, period=period)


def _diagnose(cc: CompiledCatalogue, a: Assessment, missing: MissingPolicy) -> tuple[list[int], tuple[str, ...]]:
    unknown = [k for k in a.levels if k not in cc.position]
    if unknown:
        raise AssessmentError(
            tr("{a}: {cc}", a=_where(a), cc=cc.catalogue.unknown_indicator(unknown[0])),
            field=f"levels.{unknown[0]}",
            allowed=cc.id_span(),
        )
    absent = [i for i in cc.ids if i not in a.levels]
    if missing is None or missing == "error":
        raise not_assessed(_where(a), absent)
    vec: list[int] = []
    for n, iid in enumerate(cc.ids):
        if iid in a.levels:
            vec.append(a.levels[iid])
        elif missing == "minimum":
            vec.append(cc.lo[n])
        elif isinstance(missing, int) and not isinstance(missing, bool):
            vec.append(missing)
        else:
            raise AssessmentError(
                tr("unknown missing-level policy {missing!r}", missing=missing),
                field="missing",
                allowed=tr("'error', 'minimum', or a level"),
            )
    return vec, tuple(absent)


def _range_error(cc: CompiledCatalogue, a: Assessment, vec: list[int]) -> None:
    for n, level in enumerate(vec):
        if not cc.lo[n] <= level <= cc.hi[n]:
            raise outside_scale(cc, n, level, _where(a), filled=cc.ids[n] not in a.levels)


def not_assessed(where: str, absent: Sequence[str], **place: Any) -> AssessmentError:
    """Indicators left out without a missing-level policy: the first eight, and how to score anyway.
    `place` names the file and row where there is one (`score_table`)."""
    shown = ", ".join(absent[:8]) + (" ..." if len(absent) > 8 else "")
    return AssessmentError(
        tr(
            "{a}: {n_absent} indicator(s) not assessed: {shown}; to score a partial assessment, name a policy"
            " for missing levels: the scale minimum or a level (missing='minimum' in Python,"
            " --missing minimum on the command line)",
            a=where,
            n_absent=len(absent),
            shown=shown,
        ),
        field="levels",
        **place,
    )


def outside_scale(
    cc: CompiledCatalogue, n: int, level: int, where: str, *, filled: bool, **place: Any
) -> AssessmentError:
    """Indicator `n`'s level outside its scale; `filled`: the missing-level policy put it there."""
    iid, scale = cc.ids[n], cc.scales[n].id
    if filled:
        text = tr(
            "{a}: indicator {iid} has level {level} (filled in for a missing indicator), outside scale {id!r}",
            a=where,
            iid=iid,
            level=level,
            id=scale,
        )
    else:
        text = tr(
            "{a}: indicator {iid} has level {level}, outside scale {id!r}", a=where, iid=iid, level=level, id=scale
        )
    return AssessmentError(text, field=f"levels.{iid}", allowed=f"{cc.lo[n]}–{cc.hi[n]}", **place)

"""The engine's rule operations: findings, the levels evidence supports, and the rule outcome that
`score(apply_rules=True)` applies. Exposed as `Engine.check` and `Engine.supported_levels`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..errors import AssessmentError
from ..i18n import tr
from ..model.assessment import Assessment
from ..scoring.score import check_levels

if TYPE_CHECKING:
    from ..engine import Engine
    from ..rules.check import CheckOutcome
    from ..rules.finding import Findings

__all__ = ["check", "outcome", "supported_levels"]


def outcome(engine: Engine, assessment: Assessment, as_of: dt.date) -> CheckOutcome:
    """Every finding and cap of the evidence and cross-indicator rules, for one assessment."""
    if not isinstance(assessment, Assessment):
        raise AssessmentError(tr("expected an Assessment, got {type_name}", type_name=type(assessment).__name__))
    check_levels(engine.compiled(assessment.catalogue), assessment)  # partial assessments are fine here
    from ..rules.check import check as run_rules

    return run_rules(engine.compiled_rules(assessment.catalogue), assessment, as_of)


def check(engine: Engine, assessment: Assessment, *, as_of: dt.date | None = None) -> Findings:
    """Findings of the evidence rules and cross-indicator rules for one assessment, as of a date
    (default today). Heuristic rules give warnings; nothing here changes the official score. The
    `Findings` is a list of `Finding`."""
    from ..rules.finding import Findings

    found = outcome(engine, assessment, as_of or dt.date.today()).findings
    return Findings(
        found,
        subject=assessment.subject,
        period=assessment.period,
        catalogue=assessment.catalogue,
        evidence_checked=bool(assessment.evidence),
    )


def supported_levels(engine: Engine, assessment: Assessment, *, as_of: dt.date | None = None) -> dict[str, int]:
    """For each indicator that carries evidence, the highest continuous level it supports."""
    from ..rules.check import supported_levels as supported

    cr = engine.compiled_rules(assessment.catalogue)
    return {k: s.level for k, s in supported(cr, assessment, as_of or dt.date.today()).items()}

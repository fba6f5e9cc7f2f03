"""The engine's computed-levels operation: levels derived from inputs by the plugins' computed
indicators (e.g. Pemdi 33 from survey means), filled in before scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import tr

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model.assessment import Assessment

__all__ = ["with_computed_levels"]


def with_computed_levels(engine: Engine, assessment: Assessment) -> Assessment:
    """A copy whose computed indicators carry the level their `inputs` give (exposed as
    `Engine.with_computed_levels`; scoring calls it when an assessment has inputs)."""
    from ..errors import PLUGIN_FAILURES, AssessmentError, PluginError, SpbeError
    from ..exact import parse_decimal

    comps = engine.computed_indicators(assessment.catalogue)
    levels = dict(assessment.levels)
    for iid, values in assessment.inputs.items():
        comp = comps.get(iid)
        if comp is None:
            raise AssessmentError(
                tr(
                    "assessment {subject!r}: indicator {iid} is not computed from inputs",
                    subject=assessment.subject,
                    iid=iid,
                ),
                field=f"inputs.{iid}",
                allowed=sorted(comps) or "no computed indicators in " + assessment.catalogue,
            )
        missing = [name for name in comp.inputs if name not in values]
        extra = [name for name in values if name not in comp.inputs]
        if missing or extra:
            raise AssessmentError(
                f"assessment {assessment.subject!r}: inputs of indicator {iid} "
                + (f"lack {missing[0]!r}" if missing else f"have unknown {extra[0]!r}"),
                field=f"inputs.{iid}",
                allowed=list(comp.inputs),
            )
        try:
            exact = {name: parse_decimal(value) for name, value in values.items()}
            level = comp.compute(exact)
        except SpbeError as exc:
            raise AssessmentError(
                tr("assessment {subject!r}: {message}", subject=assessment.subject, message=exc.message),
                field=f"inputs.{iid}",
                allowed=exc.allowed,
            ) from None
        except ValueError as exc:
            raise AssessmentError(
                tr("assessment {subject!r}: {exc}", subject=assessment.subject, exc=exc), field=f"inputs.{iid}"
            ) from None
        except PLUGIN_FAILURES as exc:  # a bug in the plugin's function: say which indicator
            raise PluginError(
                tr(
                    "computing indicator {iid} of {catalogue} failed: {type_name}: {exc}",
                    iid=iid,
                    catalogue=assessment.catalogue,
                    type_name=type(exc).__name__,
                    exc=exc,
                )
            ) from None
        if isinstance(level, bool) or not isinstance(level, int):
            raise PluginError(
                tr(
                    "computing indicator {iid} of {catalogue} gave {level!r}, not a level",
                    iid=iid,
                    catalogue=assessment.catalogue,
                    level=level,
                )
            )
        if iid in levels and levels[iid] != level:
            raise AssessmentError(
                tr(
                    "assessment {subject!r}: indicator {iid} is declared at level {declared}"
                    " but its inputs give level {computed}",
                    subject=assessment.subject,
                    iid=iid,
                    declared=levels[iid],
                    computed=level,
                ),
                field=f"levels.{iid}",
            )
        levels[iid] = level
    return assessment.replace(levels=levels)

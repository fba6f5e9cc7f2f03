"""spbe_engine: exact, explainable SPBE / Pemdi maturity scoring with versioned, pluggable catalogues.

```python
from spbe_engine import Engine, Assessment
engine = Engine()
r = engine.score(Assessment(catalogue="spbe-2020", subject="...", period="2024", levels={...}))
r.display, r.predikat, r.groups["D1"].display, r.explain(lang="id")
```
"""

from typing import TYPE_CHECKING, Any

from . import hookspecs
from ._version import __version__
from .errors import AssessmentError, CatalogueError, PluginError, SpbeError
from .hookspecs import hookimpl

# Everything else loads on first use (PEP 562), so `import spbe_engine` — and so `spbe --help` and
# a plugin importing `hookimpl` — stays fast; type checkers see ordinary imports below.
_LAZY = {
    "Ownership": "accountability.ownership",
    "Targets": "accountability.ownership",
    "Unit": "accountability.ownership",
    "Responsibility": "accountability.ownership",
    "write_assessments": "io.writers",
    "verify_result": "verify",
    "Verification": "verify",
    "Accountability": "accountability.report",
    "IndicatorLine": "accountability.report",
    "UnitReport": "accountability.report",
    "Series": "accountability.monitoring",
    "SeriesPoint": "accountability.monitoring",
    "RankRow": "ranking",
    "Ranking": "ranking",
    "Result": "results",
    "Engine": "engine",
    "PluginInfo": "engine",
    "PluginProblem": "engine",
    "load_yaml": "_yaml",
    "ComputedIndicator": "computed",
    "load_assessments": "io.readers",
    "Assessment": "model.assessment",
    "Band": "model.catalogue",
    "Catalogue": "model.catalogue",
    "Group": "model.catalogue",
    "Indicator": "model.catalogue",
    "Level": "model.catalogue",
    "LevelScale": "model.catalogue",
    "Note": "model.catalogue",
    "Regulation": "model.catalogue",
    "Source": "model.catalogue",
    "Withdrawn": "model.catalogue",
    "Rational": "exact",
    "Crosswalk": "model.crosswalk",
    "CrosswalkEdge": "model.crosswalk",
    "LevelMap": "model.crosswalk",
    "Evidence": "model.rules",
    "EvidenceKind": "model.rules",
    "EvidenceRequirement": "model.rules",
    "EvidenceRule": "model.rules",
    "Rule": "model.rules",
    "RuleMessage": "model.rules",
    "Finding": "rules.finding",
    "Findings": "rules.finding",
    "LevelChange": "rules.finding",
    "GroupScore": "scoring.result",
    "IndicatorScore": "scoring.result",
    "ScoreResult": "scoring.result",
    "WeightingScheme": "weighting",
    "RankInterval": "uncertainty.sensitivity",
    "WeightSensitivity": "uncertainty.sensitivity",
    "Simulation": "uncertainty.simulate",
    "ComposedCrosswalk": "versions.compose",
    "Provenance": "versions.compose",
    "CatalogueChange": "versions.diff",
    "CatalogueDiff": "versions.diff",
    "IndexRange": "versions.migrate",
    "Migration": "versions.migrate",
    "Transition": "versions.transition",
    "TransitionRow": "versions.transition",
    "MarginalImpact": "whatif.marginal",
    "MarginalRow": "whatif.marginal",
    "Plan": "whatif.planner",
    "PlanStep": "whatif.planner",
    "Comparison": "whatif.scenario",
    "ScenarioTable": "whatif.scenario",
}

if TYPE_CHECKING:
    from ._yaml import load_yaml
    from .accountability.monitoring import Series, SeriesPoint
    from .accountability.ownership import Ownership, Responsibility, Targets, Unit
    from .accountability.report import Accountability, IndicatorLine, UnitReport
    from .computed import ComputedIndicator
    from .engine import Engine, PluginInfo, PluginProblem
    from .exact import Rational
    from .io.readers import load_assessments
    from .io.writers import write_assessments
    from .model.assessment import Assessment
    from .model.catalogue import (
        Band,
        Catalogue,
        Group,
        Indicator,
        Level,
        LevelScale,
        Note,
        Regulation,
        Source,
        Withdrawn,
    )
    from .model.crosswalk import Crosswalk, CrosswalkEdge, LevelMap
    from .model.rules import Evidence, EvidenceKind, EvidenceRequirement, EvidenceRule, Rule, RuleMessage
    from .ranking import Ranking, RankRow
    from .results import Result
    from .rules.finding import Finding, Findings, LevelChange
    from .scoring.result import GroupScore, IndicatorScore, ScoreResult
    from .uncertainty.sensitivity import RankInterval, WeightSensitivity
    from .uncertainty.simulate import Simulation
    from .verify import Verification, verify_result
    from .versions.compose import ComposedCrosswalk, Provenance
    from .versions.diff import CatalogueChange, CatalogueDiff
    from .versions.migrate import IndexRange, Migration
    from .versions.transition import Transition, TransitionRow
    from .weighting import WeightingScheme
    from .whatif.marginal import MarginalImpact, MarginalRow
    from .whatif.planner import Plan, PlanStep
    from .whatif.scenario import Comparison, ScenarioTable


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'spbe_engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Accountability",
    "Assessment",
    "AssessmentError",
    "Band",
    "Catalogue",
    "CatalogueChange",
    "CatalogueDiff",
    "CatalogueError",
    "Comparison",
    "ComposedCrosswalk",
    "ComputedIndicator",
    "Crosswalk",
    "CrosswalkEdge",
    "Engine",
    "Evidence",
    "EvidenceKind",
    "EvidenceRequirement",
    "EvidenceRule",
    "Finding",
    "Findings",
    "Group",
    "GroupScore",
    "IndexRange",
    "Indicator",
    "IndicatorLine",
    "IndicatorScore",
    "Level",
    "LevelChange",
    "LevelMap",
    "LevelScale",
    "MarginalImpact",
    "MarginalRow",
    "Migration",
    "Note",
    "Ownership",
    "Plan",
    "PlanStep",
    "PluginError",
    "PluginInfo",
    "PluginProblem",
    "Provenance",
    "RankInterval",
    "RankRow",
    "Ranking",
    "Rational",
    "Regulation",
    "Responsibility",
    "Result",
    "Rule",
    "RuleMessage",
    "ScenarioTable",
    "ScoreResult",
    "Series",
    "SeriesPoint",
    "Simulation",
    "Source",
    "SpbeError",
    "Targets",
    "Transition",
    "TransitionRow",
    "Unit",
    "UnitReport",
    "Verification",
    "WeightSensitivity",
    "WeightingScheme",
    "Withdrawn",
    "__version__",
    "hookimpl",
    "hookspecs",
    "load_assessments",
    "load_yaml",
    "verify_result",
    "write_assessments",
]

"""spbe_engine: exact, explainable SPBE / Pemdi maturity scoring with versioned, pluggable catalogues.

```python
from spbe_engine import Engine, Assessment
engine = Engine()
r = engine.score(Assessment(catalogue="spbe-2020", subject="...", period="2024", levels={...}))
r.display, r.predikat, r.groups["D1"].display, r.explain(lang="id")
```
"""

from . import hookspecs
from ._version import __version__
from ._yaml import load_yaml
from .computed import ComputedIndicator
from .engine import Engine, PluginInfo
from .errors import AssessmentError, CatalogueError, PluginError, SpbeError
from .hookspecs import hookimpl
from .io.readers import load_assessments
from .model.assessment import Assessment
from .model.catalogue import Band, Catalogue, Group, Indicator, Level, LevelScale, Note, Regulation, Source
from .model.crosswalk import Crosswalk, CrosswalkEdge, LevelMap
from .model.rules import Evidence, EvidenceKind, EvidenceRequirement, EvidenceRule, Rule, RuleMessage
from .rules.finding import Finding, LevelChange
from .scoring.result import GroupScore, IndicatorScore, ScoreResult
from .uncertainty.sensitivity import RankInterval, WeightSensitivity
from .uncertainty.simulate import Simulation
from .versions.compose import ComposedCrosswalk, Provenance
from .versions.diff import CatalogueChange, CatalogueDiff
from .versions.migrate import IndexRange, Migration
from .versions.transition import Transition, TransitionRow
from .weighting import WeightingScheme
from .whatif.marginal import MarginalImpact, MarginalRow
from .whatif.planner import Plan, PlanStep
from .whatif.scenario import Comparison, ScenarioTable

__all__ = [
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
    "Group",
    "GroupScore",
    "IndexRange",
    "Indicator",
    "IndicatorScore",
    "Level",
    "LevelChange",
    "LevelMap",
    "LevelScale",
    "MarginalImpact",
    "MarginalRow",
    "Migration",
    "Note",
    "Plan",
    "PlanStep",
    "PluginError",
    "PluginInfo",
    "Provenance",
    "RankInterval",
    "Regulation",
    "Rule",
    "RuleMessage",
    "ScenarioTable",
    "ScoreResult",
    "Simulation",
    "Source",
    "SpbeError",
    "Transition",
    "TransitionRow",
    "WeightSensitivity",
    "WeightingScheme",
    "__version__",
    "hookimpl",
    "hookspecs",
    "load_assessments",
    "load_yaml",
]

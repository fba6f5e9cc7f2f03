"""The Engine: the library's front door, a thin facade.

It owns its plugin registry (never a module global, kedro style) and inherits the catalogue side
(lookups by id, compilation, rules, crosswalks) from `Resolver`. Every operation — score, plan,
migrate, rank, ... — is defined once, with its signature and docstring, in its domain package and
exposed here as a method that loads its module on first use, so `import spbe_engine` stays fast and
no signature is written twice.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .registry import PluginInfo, PluginProblem
from .resolver import Resolver, Weighting

__all__ = ["Engine", "PluginInfo", "PluginProblem", "Weighting"]

if TYPE_CHECKING:  # type checkers see each operation's function itself
    from .operations.accountability import accountability as _accountability
    from .operations.accountability import series as _series
    from .operations.computed import with_computed_levels as _with_computed_levels
    from .operations.ranking import rank as _rank
    from .operations.rules import check as _check
    from .operations.rules import supported_levels as _supported_levels
    from .operations.scoring import iter_scores as _iter_scores
    from .operations.scoring import score as _score
    from .operations.scoring import score_many as _score_many
    from .operations.table import score_table as _score_table
    from .operations.uncertainty import (
        simulate as _simulate,
    )
    from .operations.uncertainty import (
        simulate_many as _simulate_many,
    )
    from .operations.uncertainty import (
        weight_sensitivity as _weight_sensitivity,
    )
    from .operations.versions import (
        diff as _diff,
    )
    from .operations.versions import (
        migrate as _migrate,
    )
    from .operations.versions import (
        migrate_many as _migrate_many,
    )
    from .operations.versions import (
        transition as _transition,
    )
    from .operations.whatif import (
        compare as _compare,
    )
    from .operations.whatif import (
        marginal_impact as _marginal_impact,
    )
    from .operations.whatif import (
        plan as _plan,
    )
    from .operations.whatif import (
        plan_many as _plan_many,
    )
    from .operations.whatif import (
        what_if as _what_if,
    )
    from .operations.whatif import (
        what_if_many as _what_if_many,
    )


class _Operation:
    """A method of `Engine` whose function lives in a domain package, `f(engine, ...)`, loaded on
    first use. On the class it is the function itself (for `help()`, `inspect` and the docs)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name
        self.function: Callable[..., Any] | None = None

    def _load(self) -> Callable[..., Any]:
        if self.function is None:
            found = getattr(importlib.import_module(f"spbe_engine.{self.module}"), self.name)
            self.function = found
            return found  # type: ignore[no-any-return]
        return self.function

    def __get__(self, engine: object, owner: type | None = None) -> Any:
        function = self._load()
        return function if engine is None else types.MethodType(function, engine)


class Engine(Resolver):
    """Scores assessments against versioned catalogues contributed by plugins.

    `Engine(plugins=[...], load_entry_points=True, disable=[...], strict_plugins=False)`: the built-in
    catalogues and schemes, the installed plugins (entry-point group `spbe_engine`) except those
    named in `disable` or in the environment variable `SPBE_DISABLE_PLUGINS`, and any plugin objects
    given. A plugin that fails is set aside and listed in `plugin_problems` (with
    `strict_plugins=True` it raises `PluginError` instead). Safe to share across threads for scoring:
    results are immutable.
    """

    # No __init__ of its own: `Engine(...)` takes the resolver's arguments (plugins,
    # load_entry_points, disable, strict_plugins).

    if TYPE_CHECKING:  # what type checkers and readers see: the functions themselves, as methods
        accountability = _accountability
        series = _series
        with_computed_levels = _with_computed_levels
        rank = _rank
        check = _check
        supported_levels = _supported_levels
        iter_scores = _iter_scores
        score = _score
        score_many = _score_many
        score_table = _score_table
        simulate = _simulate
        simulate_many = _simulate_many
        weight_sensitivity = _weight_sensitivity
        diff = _diff
        migrate = _migrate
        migrate_many = _migrate_many
        transition = _transition
        compare = _compare
        marginal_impact = _marginal_impact
        plan = _plan
        plan_many = _plan_many
        what_if = _what_if
        what_if_many = _what_if_many
    else:
        # scoring
        score = _Operation("operations.scoring", "score")
        score_many = _Operation("operations.scoring", "score_many")
        iter_scores = _Operation("operations.scoring", "iter_scores")
        score_table = _Operation("operations.table", "score_table")
        with_computed_levels = _Operation("operations.computed", "with_computed_levels")
        # rules and evidence
        check = _Operation("operations.rules", "check")
        supported_levels = _Operation("operations.rules", "supported_levels")
        # versions
        diff = _Operation("operations.versions", "diff")
        migrate = _Operation("operations.versions", "migrate")
        migrate_many = _Operation("operations.versions", "migrate_many")
        transition = _Operation("operations.versions", "transition")
        # peers, accountability and monitoring
        rank = _Operation("operations.ranking", "rank")
        accountability = _Operation("operations.accountability", "accountability")
        series = _Operation("operations.accountability", "series")
        # what-if and planning
        what_if = _Operation("operations.whatif", "what_if")
        compare = _Operation("operations.whatif", "compare")
        marginal_impact = _Operation("operations.whatif", "marginal_impact")
        plan = _Operation("operations.whatif", "plan")
        plan_many = _Operation("operations.whatif", "plan_many")
        what_if_many = _Operation("operations.whatif", "what_if_many")
        # uncertainty
        simulate = _Operation("operations.uncertainty", "simulate")
        simulate_many = _Operation("operations.uncertainty", "simulate_many")
        weight_sensitivity = _Operation("operations.uncertainty", "weight_sensitivity")

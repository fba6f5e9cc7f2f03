"""Every hook spbe_engine offers, in one flat module (datasette style), typed (tox style).

Hooks run when the engine *resolves* its plugins and catalogues — never per indicator or per
assessment in the scoring hot path (a pluggy call costs ~2 µs). An implementation may accept any
subset of the documented arguments. Each hook returns a list (or None to contribute nothing).

The engine calls every hook through pluggy (`pm.hook.<name>(...)`), so pluggy's rules hold:
implementations run last-registered first, `@hookimpl(tryfirst=True)` / `trylast=True` move one to
the front or the back, and tracing and monitoring see every call. A hook wrapper,
`@hookimpl(wrapper=True)`, receives the list of every plugin's contribution (one list per plugin,
in call order) from its `yield` and returns that list or a changed one: it may drop items (filter
out a catalogue), add items, or annotate them (e.g. a catalogue copied with an extra note); it must
not raise. Each item keeps the name of the plugin that contributed it.

A plugin that fails (at import, at registration, or raising in a hook, `sys.exit()` included) or
contributes something invalid is set aside whole and listed in `Engine.plugin_problems`; whatever it
might have provided is refused with an error naming it (`Engine(strict_plugins=True)` raises at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import pluggy

if TYPE_CHECKING:  # annotations only: importing the hooks (and `hookimpl`) stays cheap
    from .computed import ComputedIndicator
    from .model.catalogue import Catalogue, LevelScale
    from .model.crosswalk import Crosswalk
    from .model.rules import Rule
    from .weighting import WeightingScheme

__all__ = [
    "CatalogueSource",
    "hookimpl",
    "hookspec",
    "spbe_catalogues",
    "spbe_computed_indicators",
    "spbe_crosswalks",
    "spbe_level_scales",
    "spbe_rules",
    "spbe_weighting_schemes",
]

PROJECT = "spbe_engine"
_F = TypeVar("_F", bound=Callable[..., Any])
hookspec = cast(Callable[[_F], _F], pluggy.HookspecMarker(PROJECT))
hookimpl = cast(Callable[[_F], _F], pluggy.HookimplMarker(PROJECT))
"""Decorate a plugin's hook implementations with this marker."""

CatalogueSource: TypeAlias = "Catalogue | str | PathLike[str] | Mapping[str, Any]"
"""A catalogue as an object, a path to a YAML file, or a mapping of the YAML structure."""
CrosswalkSource: TypeAlias = "Crosswalk | str | PathLike[str] | Mapping[str, Any]"


# -- catalogue resolution (called once per Engine, when a catalogue is first needed) ----------


@hookspec
def spbe_catalogues() -> Sequence[CatalogueSource] | None:
    """Return the catalogues (regulation versions) this plugin provides.

    Called once per engine when catalogues are first resolved. Catalogue ids must be unique
    across all plugins; a duplicate is refused naming both plugins.
    """


@hookspec
def spbe_level_scales() -> Sequence[LevelScale] | None:
    """Return shared level scales that catalogues may name by id without defining them inline.

    Called once per engine, before catalogues are validated.
    """


@hookspec
def spbe_weighting_schemes() -> Sequence[WeightingScheme] | None:
    """Return named weighting schemes (e.g. official, equal, custom) usable as `weighting=` when scoring.

    Called once per engine, when a weighting is first asked for.
    """


# -- rules (called once per catalogue, when its rules are first needed) -------------------------


@hookspec
def spbe_rules(catalogue: Catalogue) -> Sequence[Rule] | None:
    """Return cross-indicator rules (prerequisites, caps, validations) for `catalogue`.

    Called once per engine and catalogue; return None or [] for catalogues the plugin does not
    cover. Rules join those declared in the catalogue's YAML; the engine builds the dependency
    graph from both and refuses cycles and unknown indicators, naming the rule.
    """


@hookspec
def spbe_computed_indicators(catalogue: Catalogue) -> Sequence[ComputedIndicator] | None:
    """Return indicators of `catalogue` whose level is computed from inputs rather than rated
    (e.g. Pemdi's user-satisfaction indicator from survey means).

    Called once per engine and catalogue. When an assessment carries `inputs` for such an indicator,
    the engine computes its level before scoring (a plain function call, not a hook call).
    """


# -- versions (called once per engine, when crosswalks are first needed) ------------------------


@hookspec
def spbe_crosswalks() -> Sequence[CrosswalkSource] | None:
    """Return crosswalks between catalogues: `Crosswalk` objects, YAML paths or mappings.

    Crosswalks form a version graph; the engine composes them along its paths (2018 → Pemdi goes
    through 2020). Each (source, target) pair may be provided once.
    """

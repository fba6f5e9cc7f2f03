"""The catalogue side of the engine: what the plugins provide, looked up by id and compiled for scoring.

`Resolver` answers "which catalogue, scheme, rules, crosswalk?" on top of the `Registry` (which knows
the plugins) and caches every compiled artefact in the registry's cache, so that nothing built from a
plugin that is later set aside survives. `Engine` is a `Resolver` plus the operations (score, plan,
migrate, ...), which live in their domain packages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .errors import PLUGIN_FAILURES, CatalogueError, PluginError, SpbeError
from .i18n import tr
from .model.catalogue import Catalogue, period_year
from .registry import PluginInfo, PluginProblem, Registry
from .scoring.compiled import CompiledCatalogue, compile_catalogue

if TYPE_CHECKING:
    import networkx as nx

    from .computed import ComputedIndicator
    from .model.crosswalk import Crosswalk
    from .model.rules import Rule
    from .rules.check import CompiledRules
    from .versions.compose import ComposedCrosswalk
    from .weighting import WeightingScheme

__all__ = ["Resolver", "Weighting"]

Weighting = str | Mapping[str, Any] | None
"""`None`/"official", a scheme id such as "equal", or a mapping of indicator id → weight (custom)."""

_CUSTOM_KEEP = 64  # what-if sessions try many custom weightings: keep the recent compilations


class Resolver:
    """Catalogues, weighting schemes, rules, computed indicators and crosswalks by id, from the plugins."""

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        load_entry_points: bool = True,
        disable: Iterable[str] = (),
        strict_plugins: bool = False,
    ) -> None:
        self.registry = Registry(plugins, load_entry_points=load_entry_points, disable=disable, strict=strict_plugins)

    # -- plugins -----------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin in good health, built-ins first."""
        return self.registry.plugins()

    @property
    def plugin_problems(self) -> tuple[PluginProblem, ...]:
        """The plugins set aside because they failed (at import, registration or in a hook), after
        resolving every catalogue, scheme and crosswalk so that none goes unnoticed."""
        self.registry.resolve_all()
        return self.registry.problems

    # -- catalogues --------------------------------------------------------------------

    def catalogue_ids(self) -> list[str]:
        """Ids of every catalogue available, sorted (e.g. ['spbe-2018', 'spbe-2020'])."""
        return list(self.registry.catalogues())

    def catalogue(self, catalogue_id: str) -> Catalogue:
        """The catalogue with this id; `CatalogueError` listing the known ids otherwise."""
        cats = self.registry.catalogues()
        found = cats.get(catalogue_id) if isinstance(catalogue_id, str) else None
        if found is None:
            raise self.registry.unavailable(
                tr(
                    "unknown catalogue {catalogue_id!r}; a plugin's catalogue appears once the plugin is installed",
                    catalogue_id=catalogue_id,
                ),
                "spbe_catalogues",
                error=CatalogueError,
                field="catalogue",
                allowed=list(cats),
            )
        return found

    def catalogue_for(self, period: str | int) -> Catalogue:
        """The catalogue in force for an evaluation round ("2024" → spbe-2020, "2026" → pemdi-2026).

        Each catalogue declares the rounds it governs (`valid_from`–`valid_to`). Where several do, the
        highest `precedence` wins (an official catalogue replacing a provisional one declares a higher
        precedence); a tie or no catalogue at all is an error naming the candidates."""
        text = str(period)
        year = period_year(text)
        cats = self.registry.catalogues()
        if year is None:
            raise CatalogueError(
                tr("period {text!r} names no year (19xx or 20xx)", text=text),
                field="period",
                allowed=tr("a period such as 2024"),
            )
        governing = [c for c in cats.values() if c.governs(year)]
        if not governing:
            raise self.registry.unavailable(
                tr("no installed catalogue governs {year}", year=year),
                "spbe_catalogues",
                error=CatalogueError,
                field="period",
                allowed=[f"{c.id} ({c.years})" for c in cats.values()],
            )
        top = max(c.precedence for c in governing)
        best = [c for c in governing if c.precedence == top]
        if len(best) > 1:
            raise CatalogueError(
                f"several catalogues govern {year} with the same precedence {top}: "
                + ", ".join(f"{c.id} ({c.years})" for c in best)
                + "; give the one that should win a higher `precedence`, or name the catalogue",
                field="period",
                allowed=[c.id for c in best],
            )
        return best[0]

    # -- weighting ---------------------------------------------------------------------

    def weighting_ids(self) -> list[str]:
        """Names of the weighting schemes available (e.g. 'custom', 'equal', 'official')."""
        return list(self.registry.schemes())

    def _scheme(self, name: str) -> WeightingScheme:
        schemes = self.registry.schemes()
        if name not in schemes:
            raise self.registry.unavailable(
                tr("unknown weighting {name!r}", name=name),
                "spbe_weighting_schemes",
                field="weighting",
                allowed=list(schemes),
            )
        return schemes[name]

    def compiled(self, catalogue_id: str, weighting: Weighting = None) -> CompiledCatalogue:
        """The catalogue compiled for scoring under a weighting (cached)."""
        if isinstance(weighting, Mapping):
            try:
                custom = tuple(sorted((str(k), repr(v)) for k, v in weighting.items()))
            except TypeError:
                raise SpbeError(tr("custom weights map indicator ids to exact decimals"), field="weighting") from None
            cache = self.registry.cache().setdefault("custom", {})
            key = (catalogue_id, custom)
            found = cache.get(key)
            if found is None:
                found = self._compile(catalogue_id, "custom", weighting)
                if len(cache) >= _CUSTOM_KEEP:
                    cache.clear()
                cache[key] = found
            return found  # type: ignore[no-any-return]
        if weighting is not None and not isinstance(weighting, str):
            raise SpbeError(
                tr(
                    "weighting must be a scheme name or a mapping of weights, got {type_name}",
                    type_name=type(weighting).__name__,
                ),
                field="weighting",
                allowed=self.weighting_ids(),
            )
        name = weighting or "official"
        cache = self.registry.cache().setdefault("compiled", {})
        cc = cache.get((catalogue_id, name))
        if cc is None:
            cc = cache[(catalogue_id, name)] = self._compile(catalogue_id, name, None)
        return cc  # type: ignore[no-any-return]

    def _compile(self, catalogue_id: str, name: str, options: Any) -> CompiledCatalogue:
        cat = self.catalogue(catalogue_id)
        scheme = self._scheme(name)
        try:
            weights = scheme.weights(cat, options)
        except SpbeError:
            raise
        except PLUGIN_FAILURES as exc:
            raise PluginError(
                tr(
                    "weighting scheme {name!r} failed: {type_name}: {exc}",
                    name=name,
                    type_name=type(exc).__name__,
                    exc=exc,
                )
            ) from None
        return compile_catalogue(cat, name, weights, self.context(catalogue_id))

    def weights(self, catalogue_id: str, weighting: Weighting = None) -> dict[str, Decimal | Fraction]:
        """The exact weight of each indicator under a weighting (a Fraction where no decimal is exact)."""
        cc = self.compiled(catalogue_id, weighting)
        return dict(zip(cc.ids, cc.exact_weights, strict=True))

    def context(self, catalogue_id: str) -> dict[str, Any]:
        """What a result's manifest records about how it was produced: engine version, catalogue and
        its hash, and the plugins loaded (computed once per catalogue)."""
        from ._version import __version__

        cache = self.registry.cache().setdefault("context", {})
        found = cache.get(catalogue_id)
        if found is None:
            cat = self.catalogue(catalogue_id)
            found = cache[catalogue_id] = {
                "engine": f"spbe_engine {__version__}",
                "catalogue": catalogue_id,
                "catalogue_sha256": hashlib.sha256(cat.model_dump_json().encode("utf-8")).hexdigest(),
                "plugins": [{"name": p.name, "origin": p.origin, "version": p.version} for p in self.plugins()],
            }
        return found  # type: ignore[no-any-return]

    # -- rules -------------------------------------------------------------------------

    def compiled_rules(self, catalogue_id: str) -> CompiledRules:
        """The catalogue's rules and its plugins', checked and ordered on the dependency graph (cached)."""
        cache = self.registry.cache().setdefault("compiled-rules", {})
        found = cache.get(catalogue_id)
        if found is not None:
            return found  # type: ignore[no-any-return]
        from .rules.check import compile_rules

        cat = self.catalogue(catalogue_id)
        rules: dict[str, tuple[str, Rule]] = {r.id: ("catalogue " + cat.id, r) for r in cat.rules}
        for plugin, rule in self.registry.rules(cat):
            if rule.id in rules:
                raise PluginError(
                    tr(
                        "rule {id!r} is provided by both {rule!r} and {plugin!r}",
                        id=rule.id,
                        rule=rules[rule.id][0],
                        plugin=plugin,
                    )
                )
            rules[rule.id] = (plugin, rule)
        origins = {rid: origin for rid, (origin, _) in rules.items()}
        cr = cache[catalogue_id] = compile_rules(cat, tuple(r for _, r in rules.values()), origins)
        return cr

    def rules(self, catalogue_id: str) -> list[Rule]:
        """Every rule of a catalogue (its own and its plugins'), in the order they are applied."""
        return list(self.compiled_rules(catalogue_id).ordered)

    def graph(self, catalogue_id: str) -> nx.DiGraph[str]:
        """The dependency graph (read-only): nodes carry a `kind` of indicator, group, index or rule;
        edges run indicator → group → index, and rule inputs → rule → rule target."""
        return self.compiled_rules(catalogue_id).graph

    def impact(self, catalogue_id: str, node: str) -> set[str]:
        """Every node reached from an indicator (or group, or rule): the groups, the index and the
        rules it feeds, and what those rules may change."""
        import networkx as nx

        g = self.graph(catalogue_id)
        key = str(node)
        if key not in g:
            raise SpbeError(
                tr("unknown node {key!r} in catalogue {catalogue_id}", key=key, catalogue_id=catalogue_id),
                field="impact",
                allowed=tr("indicator ids, group ids, 'index', or 'rule:<rule id>'"),
            )
        return set(nx.descendants(g, key))

    # -- computed indicators -------------------------------------------------------------

    def computed_indicators(self, catalogue_id: str) -> dict[str, ComputedIndicator]:
        """Indicators of a catalogue whose level is computed from `inputs` (resolved once, by hook)."""
        cat = self.catalogue(catalogue_id)
        ids = {i.id for i in cat.indicators()}
        out: dict[str, ComputedIndicator] = {}
        for plugin, comp in self.registry.computed(cat):
            if comp.indicator not in ids:
                raise PluginError(
                    tr(
                        "plugin {plugin!r}: computed indicator {indicator!r} is not in {catalogue_id}",
                        plugin=plugin,
                        indicator=comp.indicator,
                        catalogue_id=catalogue_id,
                    )
                )
            if comp.indicator in out:
                raise PluginError(
                    tr(
                        "indicator {indicator!r} of {catalogue_id} is computed by two plugins",
                        indicator=comp.indicator,
                        catalogue_id=catalogue_id,
                    )
                )
            out[comp.indicator] = comp
        return out

    # -- versions ------------------------------------------------------------------------

    def crosswalks(self) -> list[Crosswalk]:
        """Every crosswalk the plugins provide (the edges of the version graph)."""
        return list(self.registry.crosswalks().values())

    def crosswalk(self, source: str, target: str) -> ComposedCrosswalk:
        """The crosswalk from `source` to `target`, composed along the version graph when there is no
        direct one (e.g. spbe-2018 → pemdi-2026 goes through spbe-2020)."""
        from .versions.compose import compose, path_between, version_graph

        self.catalogue(source), self.catalogue(target)
        try:
            path = path_between(version_graph(self.crosswalks()), source, target)
        except CatalogueError as exc:
            raise self.registry.unavailable(
                exc.message, "spbe_crosswalks", error=CatalogueError, field=exc.field
            ) from None
        return compose(path, self.registry.catalogues())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(plugins={[p.name for p in self.plugins()]})"

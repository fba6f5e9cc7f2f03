"""The Engine: owns its plugin manager (never a module global), resolves catalogues once, scores fast.

Plugins are the built-ins, installed distributions (entry-point group `spbe_engine`) and any
objects passed as `Engine(plugins=[...])`. Hooks run at resolution time; the scoring path then
uses only compiled, integer-scaled catalogues.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from ._builtins import BUILTIN_PLUGINS
from .catalogue.loader import catalogue_from_data, load_catalogue_file
from .computed import ComputedIndicator
from .errors import AssessmentError, CatalogueError, PluginError, SpbeError
from .model._base import _to_decimal
from .model.assessment import Assessment
from .model.catalogue import Catalogue, LevelScale, period_year
from .model.rules import Rule
from .scoring.compiled import CompiledCatalogue, compile_catalogue
from .scoring.result import ScoreResult
from .scoring.score import MissingPolicy, check_levels, score
from .weighting import WeightingScheme

Target = str | int | Decimal | Fraction | float

if TYPE_CHECKING:  # types only: the modules behind them load when first used (fast `import spbe_engine`)
    import networkx as nx

    from .accountability.monitoring import Series
    from .accountability.ownership import Ownership, Targets
    from .accountability.report import Accountability
    from .model.crosswalk import Crosswalk
    from .ranking import RankRow
    from .rules.check import CheckOutcome, CompiledRules
    from .rules.finding import Finding
    from .scale import Executor
    from .uncertainty.sensitivity import WeightSensitivity
    from .uncertainty.simulate import Simulation
    from .versions.compose import ComposedCrosswalk
    from .versions.diff import CatalogueDiff
    from .versions.migrate import Migration
    from .versions.transition import Transition
    from .whatif.api import RespectRules
    from .whatif.costs import Costs
    from .whatif.marginal import MarginalImpact
    from .whatif.planner import Plan
    from .whatif.scenario import Comparison, ScenarioTable

__all__ = ["Engine", "PluginInfo"]

ENTRY_POINT_GROUP = "spbe_engine"

Weighting = str | Mapping[str, Any] | None
"""`None`/"official", a scheme id such as "equal", or a mapping of indicator id → weight (custom)."""


@dataclass(frozen=True)
class PluginInfo:
    """A registered plugin: its name, where it came from, and its distribution version if any."""

    name: str
    origin: str  # "builtin", "entry-point" or "explicit"
    version: str | None = None


def _has_numpy() -> bool:
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


#: What plugin code may raise that the host reports as a broken plugin. SystemExit is included: a plugin
#: calling sys.exit() must not end the program as if it had succeeded. KeyboardInterrupt is not: Ctrl-C
#: still stops everything.
_PLUGIN_FAILURES: tuple[type[BaseException], ...] = (Exception, SystemExit)


class Engine:
    """Scores assessments against versioned catalogues contributed by plugins.

    Safe to share across threads for scoring: resolution is guarded by a lock and results are
    immutable.
    """

    def __init__(self, plugins: Iterable[object] = (), *, load_entry_points: bool = True) -> None:
        self._entry_points_on = load_entry_points
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._plugins: list[PluginInfo] = []
        self._lock = threading.RLock()
        self._catalogues: dict[str, Catalogue] | None = None
        self._schemes: dict[str, WeightingScheme] | None = None
        self._compiled: dict[tuple[str, str], CompiledCatalogue] = {}
        self._rules: dict[str, CompiledRules] = {}
        self._contexts: dict[str, dict[str, Any]] = {}
        self._custom: dict[tuple[str, tuple[tuple[str, str], ...]], CompiledCatalogue] = {}
        self._computed: dict[str, dict[str, ComputedIndicator]] = {}
        self._crosswalks: dict[tuple[str, str], Crosswalk] | None = None
        for modname in BUILTIN_PLUGINS:
            self._register(importlib.import_module(modname), modname, "builtin")
        if load_entry_points:
            self._load_entry_points()
        for plugin in plugins:
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__module__}.{type(plugin).__qualname__}"
            base, n = name, 1
            while self._pm.has_plugin(name):  # several instances of one class: name them #2, #3, ...
                n += 1
                name = f"{base}#{n}"
            self._register(plugin, name, "explicit")
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {exc.plugin!r}: {exc}") from None

    # -- plugins -----------------------------------------------------------------------

    def _register(self, plugin: object, name: str, origin: str, version: str | None = None) -> None:
        if self._pm.is_registered(plugin):
            return
        if self._pm.has_plugin(name):
            raise PluginError(f"plugin {name!r} is registered twice")
        try:
            self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r}: {exc}") from None
        self._plugins.append(PluginInfo(name, origin, version))

    def _load_entry_points(self) -> None:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            version = getattr(dist, "version", None)
            try:
                plugin = ep.load()
            except _PLUGIN_FAILURES as exc:  # a broken plugin must name itself, not crash the host
                raise PluginError(
                    f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}"
                ) from None
            self._register(plugin, ep.name, "entry-point", version)

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin, built-ins first."""
        return list(self._plugins)

    def _collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call each implementation of a hook, naming the plugin when one fails."""
        caller = getattr(self._pm.hook, hook_name)
        out: list[tuple[str, Any]] = []
        for impl in caller.get_hookimpls():  # registration order: built-ins first
            args = [kwargs[a] for a in impl.argnames]
            try:
                result = impl.function(*args)
            except SpbeError as exc:
                raise PluginError(f"plugin {impl.plugin_name!r}, hook {hook_name}: {exc}") from None
            except _PLUGIN_FAILURES as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in hook {hook_name}: {type(exc).__name__}: {exc}"
                ) from None
            if result is None:
                continue
            if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, Iterable):
                raise PluginError(
                    f"plugin {impl.plugin_name!r}, hook {hook_name}: expected a list, got {type(result).__name__}"
                )
            out.extend((impl.plugin_name, item) for item in result)
        return out

    # -- catalogues --------------------------------------------------------------------

    def _resolve(self) -> dict[str, Catalogue]:
        with self._lock:
            if self._catalogues is not None:
                return self._catalogues
            scales: dict[str, tuple[str, LevelScale]] = {}
            for plugin, scale in self._collect("spbe_level_scales"):
                if not isinstance(scale, LevelScale):
                    raise PluginError(f"plugin {plugin!r}, hook spbe_level_scales: expected LevelScale, got {scale!r}")
                if scale.id in scales and scales[scale.id][1] != scale:
                    raise PluginError(
                        f"level scale {scale.id!r} is defined by both {scales[scale.id][0]!r} and {plugin!r}"
                    )
                scales[scale.id] = (plugin, scale)
            shared = {k: v for k, (_, v) in scales.items()}
            found: dict[str, tuple[str, Catalogue]] = {}
            for plugin, source in self._collect("spbe_catalogues"):
                cat = self._load_source(plugin, source, shared)
                if cat.id in found:
                    raise PluginError(f"catalogue {cat.id!r} is provided by both {found[cat.id][0]!r} and {plugin!r}")
                found[cat.id] = (plugin, cat)
            self._catalogues = {k: found[k][1] for k in sorted(found)}
            return self._catalogues

    @staticmethod
    def _load_source(plugin: str, source: Any, shared: Mapping[str, LevelScale]) -> Catalogue:
        try:
            if isinstance(source, Catalogue):
                return source
            if isinstance(source, (str, PathLike)):
                return load_catalogue_file(Path(source), shared_scales=shared)
            if isinstance(source, Mapping):
                return catalogue_from_data(source, source=f"plugin {plugin}", shared_scales=shared)
        except CatalogueError as exc:
            raise CatalogueError(f"{exc} [from plugin {plugin!r}]") from None
        raise PluginError(f"plugin {plugin!r}, hook spbe_catalogues: cannot use {type(source).__name__} as a catalogue")

    def catalogue_ids(self) -> list[str]:
        """Ids of every catalogue available, sorted (e.g. ['spbe-2018', 'spbe-2020'])."""
        return list(self._resolve())

    def catalogue(self, catalogue_id: str) -> Catalogue:
        """The catalogue with this id; `CatalogueError` listing the known ids otherwise."""
        cats = self._resolve()
        try:
            return cats[catalogue_id]
        except (KeyError, TypeError):
            raise CatalogueError(
                f"unknown catalogue {catalogue_id!r}; a plugin's catalogue appears once the plugin is installed",
                field="catalogue",
                allowed=list(cats),
            ) from None

    def catalogue_for(self, period: str | int) -> Catalogue:
        """The catalogue in force for an evaluation round ("2024" → spbe-2020, "2026" → pemdi-2026).

        Each catalogue declares the rounds it governs (`valid_from`–`valid_to`). Where several do, the
        highest `precedence` wins (an official catalogue replacing a provisional one declares a higher
        precedence); a tie or no catalogue at all is an error naming the candidates."""
        text = str(period)
        year = period_year(text)
        cats = self._resolve()
        if year is None:
            raise CatalogueError(
                f"period {text!r} names no year (19xx or 20xx)", field="period", allowed="a period such as 2024"
            )
        governing = [c for c in cats.values() if c.governs(year)]
        if not governing:
            raise CatalogueError(
                f"no installed catalogue governs {year}",
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

    def _weighting_schemes(self) -> dict[str, WeightingScheme]:
        with self._lock:
            if self._schemes is None:
                schemes: dict[str, tuple[str, WeightingScheme]] = {}
                for plugin, scheme in self._collect("spbe_weighting_schemes"):
                    if not isinstance(scheme, WeightingScheme):
                        raise PluginError(f"plugin {plugin!r}, hook spbe_weighting_schemes: expected WeightingScheme")
                    if scheme.id in schemes:
                        raise PluginError(
                            f"weighting scheme {scheme.id!r} is provided by both "
                            f"{schemes[scheme.id][0]!r} and {plugin!r}"
                        )
                    schemes[scheme.id] = (plugin, scheme)
                self._schemes = {k: schemes[k][1] for k in sorted(schemes)}
            return self._schemes

    def weighting_ids(self) -> list[str]:
        """Names of the weighting schemes available (e.g. 'custom', 'equal', 'official')."""
        return list(self._weighting_schemes())

    def compiled(self, catalogue_id: str, weighting: Weighting = None) -> CompiledCatalogue:
        """The catalogue compiled for scoring under a weighting (cached for named schemes)."""
        if isinstance(weighting, Mapping):
            try:
                key_custom = (catalogue_id, tuple(sorted((str(k), repr(v)) for k, v in weighting.items())))
            except TypeError:
                raise SpbeError("custom weights map indicator ids to exact decimals", field="weighting") from None
            found = self._custom.get(key_custom)
            if found is None:
                cat = self.catalogue(catalogue_id)
                weights = self._scheme("custom").weights(cat, weighting)
                found = compile_catalogue(cat, "custom", weights, self._context(catalogue_id))
                with self._lock:
                    if len(self._custom) >= 64:  # what-if sessions try many weightings: keep the recent ones
                        self._custom.clear()
                    self._custom[key_custom] = found
            return found
        if weighting is not None and not isinstance(weighting, str):
            raise SpbeError(
                f"weighting must be a scheme name or a mapping of weights, got {type(weighting).__name__}",
                field="weighting",
                allowed=self.weighting_ids(),
            )
        name = weighting or "official"
        key = (catalogue_id, name)
        cc = self._compiled.get(key)
        if cc is None:
            cat = self.catalogue(catalogue_id)
            scheme = self._scheme(name)
            try:
                weights = scheme.weights(cat, None)
            except SpbeError:
                raise
            except _PLUGIN_FAILURES as exc:
                raise PluginError(f"weighting scheme {name!r} failed: {type(exc).__name__}: {exc}") from None
            cc = compile_catalogue(cat, name, weights, self._context(catalogue_id))
            with self._lock:
                self._compiled[key] = cc
        return cc

    def _context(self, catalogue_id: str) -> dict[str, Any]:
        """What a result's manifest records about how it was produced (computed once per catalogue)."""
        import hashlib

        from ._version import __version__

        found = self._contexts.get(catalogue_id)
        if found is None:
            cat = self.catalogue(catalogue_id)
            found = {
                "engine": f"spbe_engine {__version__}",
                "catalogue": catalogue_id,
                "catalogue_sha256": hashlib.sha256(cat.model_dump_json().encode("utf-8")).hexdigest(),
                "plugins": [{"name": p.name, "origin": p.origin, "version": p.version} for p in self._plugins],
            }
            with self._lock:
                self._contexts[catalogue_id] = found
        return found

    def _scheme(self, name: str) -> WeightingScheme:
        schemes = self._weighting_schemes()
        if name not in schemes:
            raise SpbeError(f"unknown weighting {name!r}", field="weighting", allowed=list(schemes))
        return schemes[name]

    # -- scoring -----------------------------------------------------------------------

    def score(
        self,
        assessment: Assessment,
        *,
        weighting: Weighting = None,
        missing: MissingPolicy = None,
        apply_rules: bool = False,
        as_of: dt.date | None = None,
    ) -> ScoreResult:
        """Score one assessment exactly.

        `missing` names what to do with indicators not yet assessed: None (an error), "minimum"
        (the scale minimum) or a level; the result then says it is partial. With `apply_rules`,
        evidence and rules are checked as of `as_of` (default today), cap rules lower levels before
        scoring, and the result carries the findings and changes (the official score is uncapped).
        """
        if not isinstance(assessment, Assessment):
            raise AssessmentError(f"expected an Assessment, got {type(assessment).__name__}")
        cc = self.compiled(assessment.catalogue, weighting)
        if assessment.inputs:
            assessment = self.with_computed_levels(assessment)
        if not apply_rules:
            return score(cc, assessment, missing)
        outcome = self._outcome(assessment, as_of)
        capped = assessment if not outcome.changes else assessment.model_copy(update={"levels": outcome.levels})
        r = score(cc, capped, missing)
        r.findings, r.changes = outcome.findings, outcome.changes
        r.options = {**r.options, "apply_rules": True, "as_of": (as_of or dt.date.today()).isoformat()}
        return r

    def score_many(
        self,
        assessments: Iterable[Assessment],
        *,
        weighting: Weighting = None,
        missing: MissingPolicy = None,
        executor: Executor | None = None,
        chunk_size: int = 5_000,
    ) -> list[ScoreResult]:
        """Score many assessments (any iterable); identical to `score` one by one, compiled once.
        With an `executor` (a process pool, `dask_client.get_executor()`, ...) chunks run there."""
        if executor is not None:
            return list(
                self.iter_scores(
                    assessments, weighting=weighting, missing=missing, executor=executor, chunk_size=chunk_size
                )
            )
        compiled: dict[str, CompiledCatalogue] = {}
        out: list[ScoreResult] = []
        for a in assessments:
            if not isinstance(a, Assessment):
                raise AssessmentError(f"expected an Assessment, got {type(a).__name__}")
            cc = compiled.get(a.catalogue)
            if cc is None:
                cc = compiled[a.catalogue] = self.compiled(a.catalogue, weighting)
            if a.inputs:
                a = self.with_computed_levels(a)
            out.append(score(cc, a, missing))
        return out

    def iter_scores(
        self,
        assessments: Iterable[Assessment],
        *,
        weighting: Weighting = None,
        missing: MissingPolicy = None,
        executor: Executor | None = None,
        chunk_size: int = 5_000,
    ) -> Iterator[ScoreResult]:
        """Score a stream of any length in chunks, yielding results in input order with bounded
        memory (at most a few chunks in flight on the executor)."""
        from .scale import chunked, run, score_chunk

        if executor is None:
            for chunk in chunked(assessments, chunk_size):
                yield from self.score_many(chunk, weighting=weighting, missing=missing)
            return
        spec = self._spec()
        chunks = ((spec, chunk, weighting, missing) for chunk in chunked(assessments, chunk_size))
        pending: list[list[Assessment]] = []

        def remember(args: tuple[Any, list[Assessment], Any, Any]) -> tuple[Any, ...]:
            pending.append(args[1])
            return args

        compiled: dict[str, CompiledCatalogue] = {}
        for rows in run(score_chunk, (remember(c) for c in chunks), executor, window=4):
            chunk = pending.pop(0)
            for a, (levels, numerator, groups, filled, options, scored) in zip(chunk, rows, strict=True):
                cc = compiled.get(a.catalogue)
                if cc is None:
                    cc = compiled[a.catalogue] = self.compiled(a.catalogue, weighting)
                r = ScoreResult(cc, scored or a, levels, numerator, groups, filled)
                if options:
                    r.options = options
                yield r

    def _spec(self) -> Any:
        from .scale import check_picklable, engine_spec

        spec = engine_spec(self)
        check_picklable(spec)
        return spec

    # -- rules -------------------------------------------------------------------------

    def rules(self, catalogue_id: str) -> list[Rule]:
        """Every rule of a catalogue (its own and its plugins'), in the order they are applied."""
        return list(self._compiled_rules(catalogue_id).ordered)

    def _compiled_rules(self, catalogue_id: str) -> CompiledRules:
        cr = self._rules.get(catalogue_id)
        if cr is not None:
            return cr
        with self._lock:
            if catalogue_id in self._rules:
                return self._rules[catalogue_id]
            cat = self.catalogue(catalogue_id)
            rules: dict[str, tuple[str, Rule]] = {r.id: ("catalogue " + cat.id, r) for r in cat.rules}
            for plugin, rule in self._collect("spbe_rules", catalogue=cat):
                if not isinstance(rule, Rule):
                    raise PluginError(f"plugin {plugin!r}, hook spbe_rules: expected Rule, got {type(rule).__name__}")
                if rule.id in rules:
                    raise PluginError(f"rule {rule.id!r} is provided by both {rules[rule.id][0]!r} and {plugin!r}")
                rules[rule.id] = (plugin, rule)
            from .rules.check import compile_rules

            try:
                cr = compile_rules(cat, tuple(r for _, r in rules.values()))
            except CatalogueError as exc:
                named = next(
                    (f" [from {src!r}]" for rid, (src, _) in rules.items() if f"rule {rid!r}" in exc.message), ""
                )
                raise CatalogueError(exc.message + named, field=exc.field) from None
            self._rules[catalogue_id] = cr
            return cr

    def graph(self, catalogue_id: str) -> nx.DiGraph[str]:
        """The dependency graph (read-only): nodes carry a `kind` of indicator, group, index or rule;
        edges run indicator → group → index, and rule inputs → rule → rule target."""
        return self._compiled_rules(catalogue_id).graph

    def impact(self, catalogue_id: str, node: str) -> set[str]:
        """Every node reached from an indicator (or group, or rule): the groups, the index and the
        rules it feeds, and what those rules may change."""
        import networkx as nx

        g = self.graph(catalogue_id)
        key = str(node)
        if key not in g:
            raise SpbeError(
                f"unknown node {key!r} in catalogue {catalogue_id}",
                field="impact",
                allowed="indicator ids, group ids, 'index', or 'rule:<rule id>'",
            )
        return set(nx.descendants(g, key))

    def _outcome(self, assessment: Assessment, as_of: dt.date | None) -> CheckOutcome:
        if not isinstance(assessment, Assessment):
            raise AssessmentError(f"expected an Assessment, got {type(assessment).__name__}")
        check_levels(self.compiled(assessment.catalogue), assessment)  # partial assessments are fine here
        from .rules.check import check

        return check(self._compiled_rules(assessment.catalogue), assessment, as_of or dt.date.today())

    def check(self, assessment: Assessment, *, as_of: dt.date | None = None) -> list[Finding]:
        """Findings of the evidence rules and cross-indicator rules for one assessment, as of a date
        (default today). Heuristic rules give warnings; nothing here changes the official score."""
        return list(self._outcome(assessment, as_of).findings)

    def supported_levels(self, assessment: Assessment, *, as_of: dt.date | None = None) -> dict[str, int]:
        """For each indicator that carries evidence, the highest continuous level it supports."""
        from .rules.check import supported_levels

        cr = self._compiled_rules(assessment.catalogue)
        return {k: s.level for k, s in supported_levels(cr, assessment, as_of or dt.date.today()).items()}

    # -- computed indicators -----------------------------------------------------------

    def computed_indicators(self, catalogue_id: str) -> dict[str, ComputedIndicator]:
        """Indicators of a catalogue whose level is computed from `inputs` (resolved once, by hook)."""
        found = self._computed.get(catalogue_id)
        if found is not None:
            return found
        cat = self.catalogue(catalogue_id)
        ids = {i.id for i in cat.indicators()}
        out: dict[str, ComputedIndicator] = {}
        for plugin, comp in self._collect("spbe_computed_indicators", catalogue=cat):
            if not isinstance(comp, ComputedIndicator):
                raise PluginError(f"plugin {plugin!r}, hook spbe_computed_indicators: expected ComputedIndicator")
            if comp.indicator not in ids:
                raise PluginError(f"plugin {plugin!r}: computed indicator {comp.indicator!r} is not in {catalogue_id}")
            if comp.indicator in out:
                raise PluginError(f"indicator {comp.indicator!r} of {catalogue_id} is computed by two plugins")
            out[comp.indicator] = comp
        with self._lock:
            self._computed[catalogue_id] = out
        return out

    def with_computed_levels(self, assessment: Assessment) -> Assessment:
        """A copy whose computed indicators carry the level their `inputs` give."""
        comps = self.computed_indicators(assessment.catalogue)
        levels = dict(assessment.levels)
        for iid, values in assessment.inputs.items():
            comp = comps.get(iid)
            if comp is None:
                raise AssessmentError(
                    f"assessment {assessment.subject!r}: indicator {iid} is not computed from inputs",
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
                exact = {name: _to_decimal(value) for name, value in values.items()}
                level = comp.compute(exact)
            except SpbeError as exc:
                raise AssessmentError(
                    f"assessment {assessment.subject!r}: {exc.message}", field=f"inputs.{iid}", allowed=exc.allowed
                ) from None
            except ValueError as exc:
                raise AssessmentError(f"assessment {assessment.subject!r}: {exc}", field=f"inputs.{iid}") from None
            except _PLUGIN_FAILURES as exc:  # a bug in the plugin's function: say which indicator
                raise PluginError(
                    f"computing indicator {iid} of {assessment.catalogue} failed: {type(exc).__name__}: {exc}"
                ) from None
            if isinstance(level, bool) or not isinstance(level, int):
                raise PluginError(f"computing indicator {iid} of {assessment.catalogue} gave {level!r}, not a level")
            if iid in levels and levels[iid] != level:
                raise AssessmentError(
                    f"assessment {assessment.subject!r}: indicator {iid} is declared at level {levels[iid]} but its "
                    f"inputs give level {level}",
                    field=f"levels.{iid}",
                )
            levels[iid] = level
        return assessment.model_copy(update={"levels": levels})

    # -- versions ------------------------------------------------------------------------

    def _crosswalk_table(self) -> dict[tuple[str, str], Crosswalk]:
        if self._crosswalks is not None:
            return self._crosswalks
        with self._lock:
            if self._crosswalks is not None:
                return self._crosswalks
            from ._yaml import load_yaml_file
            from .model.crosswalk import Crosswalk
            from .versions.compose import check_against

            found: dict[tuple[str, str], tuple[str, Crosswalk]] = {}
            for plugin, source in self._collect("spbe_crosswalks"):
                try:
                    if isinstance(source, Crosswalk):
                        cw = source
                    elif isinstance(source, (str, PathLike)):
                        data = load_yaml_file(Path(source), error=CatalogueError)
                        if not isinstance(data, Mapping):
                            raise CatalogueError("a crosswalk must be a mapping", file=str(source))
                        try:
                            cw = Crosswalk(**data)
                        except CatalogueError as exc:
                            raise CatalogueError(exc.message, file=str(source), field=exc.field) from None
                    elif isinstance(source, Mapping):
                        cw = Crosswalk(**source)
                    else:
                        raise PluginError(f"plugin {plugin!r}: cannot use {type(source).__name__} as a crosswalk")
                    check_against(cw, self.catalogue(cw.source), self.catalogue(cw.target))
                except CatalogueError as exc:
                    raise CatalogueError(f"{exc} [from plugin {plugin!r}]") from None
                key = (cw.source, cw.target)
                if key in found:
                    raise PluginError(
                        f"crosswalk {cw.source} → {cw.target} is provided by both {found[key][0]!r} and {plugin!r}"
                    )
                found[key] = (plugin, cw)
            self._crosswalks = {k: v for k, (_, v) in sorted(found.items())}
            return self._crosswalks

    def crosswalks(self) -> list[Crosswalk]:
        """Every crosswalk the plugins provide (the edges of the version graph)."""
        return list(self._crosswalk_table().values())

    def crosswalk(self, source: str, target: str) -> ComposedCrosswalk:
        """The crosswalk from `source` to `target`, composed along the version graph when there is no
        direct one (e.g. spbe-2018 → pemdi-2026 goes through spbe-2020)."""
        from .versions.compose import compose, path_between, version_graph

        self.catalogue(source), self.catalogue(target)
        path = path_between(version_graph(self.crosswalks()), source, target)
        return compose(path, self._resolve())

    def diff(self, old: str, new: str) -> CatalogueDiff:
        """What changed from catalogue `old` to `new`: indicators added, removed, renamed, moved,
        reweighted, re-scaled, split or merged; groups added, removed, reweighted; bands."""
        import networkx as nx

        from .versions.compose import version_graph
        from .versions.diff import diff

        g = version_graph(self.crosswalks())  # a broken crosswalk is an error, not "no crosswalk"
        linked = old in g and new in g and nx.has_path(g, old, new)
        composed = self.crosswalk(old, new) if linked else None
        return diff(self.catalogue(old), self.catalogue(new), composed)

    def migrate(self, assessment: Assessment, *, to: str) -> Migration:
        """Migrate an assessment to catalogue `to`: the new (partial) assessment, per-indicator
        provenance, the indicators that need fresh assessment, and the index as an interval."""
        from .versions.migrate import migrate

        if assessment.inputs:
            assessment = self.with_computed_levels(assessment)
        composed = self.crosswalk(assessment.catalogue, to)
        source_cc = self.compiled(assessment.catalogue)
        check_levels(source_cc, assessment)
        return migrate(assessment, composed, self._resolve(), source_cc, self.compiled(to))

    def transition(self, assessments: Iterable[Assessment], *, to: str, missing: MissingPolicy = None) -> Transition:
        """Score the same agencies under their catalogue and under `to`, side by side: who gains, who
        loses, rank ranges, and where the predikat disagrees. Partial assessments need `missing`
        for their old score (migration itself treats unassessed indicators as the whole scale)."""
        from .versions.transition import transition

        items = list(assessments)
        before = self.score_many(items, missing=missing)
        migrations = [self.migrate(a, to=to) for a in items]
        return transition(before, migrations, [b.predikat for b in self.catalogue(to).bands])

    # -- peers, accountability and monitoring -------------------------------------------

    def rank(
        self,
        assessments: Iterable[Assessment],
        *,
        within: str | None = None,
        by: str = "display",
        missing: MissingPolicy = None,
    ) -> list[RankRow]:
        """Rank agencies within each period, and within groups given by a tag (e.g.
        `within="province"`). Ties share a rank and the next rank skips (1, 2, 2, 4). `by="display"`
        ranks on the published 2-decimal index, as the official tables show it; `by="index"` on the
        exact value."""
        from .ranking import RankRow, competition_ranks

        if by not in ("display", "index"):
            raise SpbeError(f"unknown ranking {by!r}", field="by", allowed="display, index")
        results = self.score_many(assessments, missing=missing)
        groups: dict[tuple[str, str], list[ScoreResult]] = {}
        for r in results:
            if within is not None and within not in r.assessment.tags:
                raise AssessmentError(f"assessment {r.subject!r} has no tag {within!r}", field=f"tags.{within}")
            groups.setdefault((r.period, r.assessment.tags[within] if within else ""), []).append(r)
        out: list[RankRow] = []
        for (_, group), rs in groups.items():
            values = [Fraction(Decimal(r.display)) if by == "display" else r.fraction for r in rs]
            ranked = sorted(zip(competition_ranks(values), rs, strict=True), key=lambda x: (x[0], x[1].subject))
            out.extend(
                RankRow(r.subject, r.period, group, n, r.display, r.predikat, r.index, r.fraction) for n, r in ranked
            )
        return out

    def accountability(
        self,
        assessment: Assessment,
        *,
        owners: str | PathLike[str] | Ownership,
        targets: str | PathLike[str] | Targets | None = None,
        as_of: dt.date | None = None,
        plan_target: Target | None = None,
        missing: MissingPolicy = None,
    ) -> Accountability:
        """Per unit (OPD): its indicators, levels and targets, index points at stake, evidence status,
        findings and its share of the planner's steps; units ranked by points at stake. The plan aims
        at `plan_target`, else the next target index after the period (from `targets`), else the next
        band. During monitoring, `missing` (e.g. "minimum") scores indicators not yet assessed."""
        from .accountability.ownership import (
            Ownership,
            Targets,
            check_ownership,
            check_targets,
            load_ownership,
            load_targets,
        )
        from .accountability.report import build

        cc = self.compiled(assessment.catalogue)
        ids = list(cc.ids)
        lo, hi = dict(zip(ids, cc.lo, strict=True)), dict(zip(ids, cc.hi, strict=True))
        if isinstance(owners, Ownership):
            own = check_ownership(owners, ids, catalogue=assessment.catalogue)
        else:
            own = load_ownership(owners, catalogue=assessment.catalogue, indicator_ids=ids)
        tg: Targets | None = None
        if isinstance(targets, Targets):
            tg = check_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
        elif targets is not None:
            tg = load_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
        result = self.score(assessment, missing=missing)
        goal: Target | None = plan_target
        upcoming = tg.next_index_target(assessment.period) if tg is not None and plan_target is None else None
        if upcoming is not None:
            goal = upcoming[1]
        if goal is None:
            bands = list(cc.catalogue.bands)
            pos = bands.index(cc.band(result.numerator, cc.total))
            goal = bands[pos - 1].predikat if pos > 0 else None  # the next band, by its name
        plan = self.plan(assessment, goal, missing=missing) if goal is not None else None
        return build(result, own, tg, self.check(assessment, as_of=as_of), plan)

    def series(
        self,
        assessments: Iterable[Assessment],
        *,
        targets: str | PathLike[str] | Targets | None = None,
        missing: MissingPolicy = None,
    ) -> Series:
        """One subject's assessments across periods, in period order, against a target path. Points made
        under an older catalogue continue through the crosswalk into the latest one (marked migrated)."""
        from .accountability.monitoring import Series, SeriesPoint
        from .accountability.ownership import Targets, check_targets, load_targets

        items = sorted(assessments, key=lambda a: a.period)
        if not items:
            raise AssessmentError("a series needs at least one assessment", field="assessments")
        subjects = {a.subject for a in items}
        if len(subjects) > 1:
            raise AssessmentError(
                f"a series (and a report) follows one subject across periods, got {len(subjects)} subjects: "
                f"{sorted(subjects)[:3]}",
                field="subject",
            )
        latest = items[-1].catalogue
        cc = self.compiled(latest)
        ids = list(cc.ids)
        lo, hi = dict(zip(ids, cc.lo, strict=True)), dict(zip(ids, cc.hi, strict=True))
        tg: Targets | None = None
        if isinstance(targets, Targets):
            tg = check_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
        elif targets is not None:
            tg = load_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
        points = []
        for a in items:
            migrated = self.migrate(a, to=latest) if a.catalogue != latest else None
            target = tg.index_target(a.period) if tg else None
            points.append(SeriesPoint(a.period, self.score(a, missing=missing), migrated, target))
        return Series(items[-1].subject, latest, tuple(points))

    # -- what-if -----------------------------------------------------------------------

    def what_if(
        self,
        assessment: Assessment,
        *,
        levels: Mapping[str | int, int] | None = None,
        weighting: Weighting = None,
        catalogue: str | None = None,
        peers: Sequence[Assessment] | None = None,
        name: str | None = None,
        missing: MissingPolicy = None,
    ) -> Comparison:
        """Score a changed copy (levels, weighting or catalogue) against the official score:
        `.before`, `.after`, `.delta`, `.predikat_change` and, given peers, `.rank_change`."""
        from .whatif.api import what_if

        return what_if(
            self,
            assessment,
            levels=levels,
            weighting=weighting,
            catalogue=catalogue,
            peers=peers,
            name=name,
            missing=missing,
        )

    def compare(
        self,
        assessment: Assessment,
        scenarios: Mapping[str, Mapping[str, Any]],
        *,
        peers: Sequence[Assessment] | None = None,
        missing: MissingPolicy = None,
    ) -> ScenarioTable:
        """Several named scenarios side by side, e.g.
        `{"policies": {"levels": {"1": 4}}, "equal weights": {"weighting": "equal"}}`."""
        from .whatif.api import compare

        return compare(self, assessment, scenarios, peers=peers, missing=missing)

    def marginal_impact(
        self, assessment: Assessment, *, costs: Costs | None = None, missing: MissingPolicy = None
    ) -> MarginalImpact:
        """Per indicator: the exact index gain of +1 level, its cost and the steps to the next
        band, sorted by gain per cost ("where to invest")."""
        from .whatif.api import marginal

        return marginal(self, assessment, costs, missing)

    def plan(
        self,
        assessment: Assessment,
        target: Target,
        *,
        costs: Costs | None = None,
        max_level: int | Mapping[str | int, int] | None = None,
        max_steps_per_period: int | None = None,
        periods: int = 1,
        respect_rules: RespectRules = "binding",
        weighting: Weighting = None,
        missing: MissingPolicy = None,
    ) -> Plan:
        """The minimum-cost plan that reaches `target` (an index such as "4.2" or a predikat such
        as "Memuaskan"), exactly optimal, under per-indicator maximum levels and a step limit per
        period; infeasible targets say why.

        Rules follow the regulation by default (`respect_rules="binding"`): only prerequisite and cap
        rules whose basis is the regulation, or that their plugin declares binding, constrain the plan.
        `"all"` adds the heuristic consistency checks; `False` plans on the formula alone. The plan
        names the rules that shaped it (`binding_rules`) and what they cost (`rules_cost`)."""
        from .whatif.api import plan

        return plan(
            self,
            assessment,
            target,
            costs=costs,
            max_level=max_level,
            max_steps_per_period=max_steps_per_period,
            periods=periods,
            respect_rules=respect_rules,
            weighting=weighting,
            missing=missing,
        )

    # -- uncertainty -------------------------------------------------------------------

    def simulate(
        self,
        assessment: Assessment,
        *,
        n: int = 100_000,
        seed: int = 1,
        backend: str = "auto",
        missing: MissingPolicy = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Simulation:
        """Monte-Carlo of the index when levels are uncertain: each indicator with disagreeing stage
        values (target excluded) or an explicit distribution is drawn per sample. Seeded and exactly
        reproducible; numpy (the `fast` extra) and pure Python give the same numbers. Memory does not
        grow with n (1 to 10^8); `progress(done, n)` is called after each chunk of samples."""
        from .uncertainty.simulate import check_samples, simulate

        check_samples(n)  # before scoring: a bad n is the first thing to say
        return simulate(self.score(assessment, missing=missing), n, seed, backend, progress=progress)

    def simulate_many(
        self,
        assessments: Iterable[Assessment],
        *,
        n: int = 10_000,
        seed: int = 1,
        backend: str = "auto",
        executor: Executor | None = None,
        chunk_size: int = 8,
    ) -> list[Simulation]:
        """Monte-Carlo for many agencies. Agency k of the input draws its own stream from
        (seed, k), so the results are identical in this process, a process pool or a Dask cluster."""
        from .scale import chunked, run, simulate_chunk
        from .uncertainty.simulate import Simulation, check_samples, level_distributions

        check_samples(n)  # here, not in a worker
        items = list(assessments)
        spec = self._spec() if executor is not None else None
        chunks = ((spec, chunk, k * chunk_size, n, seed, backend) for k, chunk in enumerate(chunked(items, chunk_size)))
        if executor is None:
            from .uncertainty.simulate import simulate

            return [simulate(self.score(a), n, seed, backend, stream=k + 1) for k, a in enumerate(items)]
        out: list[Simulation] = []
        histograms = [x for part in run(simulate_chunk, chunks, executor, window=4) for x in part]
        for a, histogram in zip(items, histograms, strict=True):
            r = self.score(a)
            uncertain = tuple(
                r.compiled.ids[p] for p, levels, _ in level_distributions(r.compiled, r) if len(levels) > 1
            )
            used = backend if backend != "auto" else "numpy" if _has_numpy() else "python"
            out.append(Simulation(r, n, seed, used, uncertain, histogram, r.compiled.total))
        return out

    def migrate_many(
        self, assessments: Iterable[Assessment], *, to: str, executor: Executor | None = None, chunk_size: int = 50
    ) -> list[Migration]:
        """Migrate a table of assessments (e.g. the national results) to catalogue `to`, optionally
        on an executor; the same results either way."""
        from .scale import chunked, migrate_chunk, run

        if executor is None:
            return [self.migrate(a, to=to) for a in assessments]
        spec = self._spec()
        chunks = ((spec, chunk, to) for chunk in chunked(assessments, chunk_size))
        return [m for part in run(migrate_chunk, chunks, executor, window=4) for m in part]

    def weight_sensitivity(
        self,
        assessments: Iterable[Assessment],
        *,
        n: int = 10_000,
        seed: int = 1,
        spread: str | Decimal | Fraction = "0.25",
        backend: str = "auto",
        progress: Callable[[int, int], None] | None = None,
    ) -> WeightSensitivity:
        """Rank intervals (5th–95th percentile) of each agency when every weight is perturbed by an
        independent factor in [1 − spread, 1 + spread]. Memory does not grow with n (1 to 10^8, and
        n × agencies at most 10^9); `progress(done, n)` is called after each chunk of samples."""
        from .uncertainty.sensitivity import check_size, parse_spread, weight_sensitivity
        from .uncertainty.simulate import check_samples

        check_samples(n)  # before scoring: a bad n is the first thing to say
        items = list(assessments)
        if items:
            check_size(n, len(items))
        results = self.score_many(items)
        return weight_sensitivity(results, n, seed, parse_spread(spread), backend, progress=progress)

    def weights(self, catalogue_id: str, weighting: Weighting = None) -> dict[str, Decimal | Fraction]:
        """The exact weight of each indicator under a weighting (a Fraction where no decimal is exact)."""
        cc = self.compiled(catalogue_id, weighting)
        return dict(zip(cc.ids, cc.exact_weights, strict=True))

    def __repr__(self) -> str:
        return f"Engine(plugins={[p.name for p in self._plugins]})"

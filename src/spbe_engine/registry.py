"""The plugin registry: one pluggy manager per engine, hooks dispatched through pluggy, every
contribution validated, attributed to its plugin and cached.

Why one place: catalogues, level scales, weighting schemes, rules, computed indicators and
crosswalks all arrive the same way (a hook returns a list), so one loader calls the hook through
pluggy (honouring `tryfirst`/`trylast` and hook wrappers), knows which plugin gave what, and turns a
failing plugin into a recorded problem instead of a crash. A broken plugin is set aside whole: it
contributes nothing, and anything that it might have provided is refused with an error that names
it, never silently different.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from . import hookspecs
from ._builtins import BUILTIN_PLUGINS
from .errors import PLUGIN_FAILURES, CatalogueError, PluginError, SpbeError
from .i18n import tr

if TYPE_CHECKING:
    from .computed import ComputedIndicator
    from .model.catalogue import Catalogue, LevelScale
    from .model.crosswalk import Crosswalk
    from .model.rules import Rule
    from .weighting import WeightingScheme

__all__ = ["DISABLE_ENV", "ENTRY_POINT_GROUP", "PluginInfo", "PluginProblem", "Registry"]

ENTRY_POINT_GROUP = "spbe_engine"
DISABLE_ENV = "SPBE_DISABLE_PLUGINS"
"""Environment variable: comma-separated plugin names to skip (as `Engine(disable=[...])`)."""


ALL_HOOKS = tuple(n for n in hookspecs.__all__ if n.startswith("spbe_"))
T = TypeVar("T")


@dataclass(frozen=True)
class PluginInfo:
    """A registered plugin: its name, where it came from, its distribution version if any, and the
    hooks it implements."""

    name: str
    origin: str  # "builtin", "entry-point" or "explicit"
    version: str | None = None
    hooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PluginProblem:
    """Why a plugin was set aside: where it failed (`import`, `registration` or a hook name) and how."""

    plugin: str
    where: str
    message: str
    hooks: tuple[str, ...] = ALL_HOOKS  # what it implements (all of them, when it never imported)

    @property
    def summary(self) -> str:
        return f"plugin {self.plugin!r} is broken ({self.where}: {self.message})"

    def __str__(self) -> str:
        return f"{self.summary}; disable it with {DISABLE_ENV}={self.plugin} or uninstall it"


class _Broken(Exception):
    """Internal: a plugin failed inside a hook; carries pluggy's name for it."""

    def __init__(self, plugin: str, hook: str, exc: BaseException) -> None:
        super().__init__(f"{type(exc).__name__}: {exc}")
        self.plugin, self.hook = plugin, hook


def _one_line(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, SpbeError) else f"{type(exc).__name__}: {exc}"
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass
class _Contributions:
    """What each plugin contributed, for `spbe plugins` (catalogue ids, scheme ids, crosswalks, rules)."""

    by_plugin: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, plugin: str, kind: str, item: str) -> None:
        self.by_plugin.setdefault(plugin, {}).setdefault(kind, []).append(item)


class Registry:
    """The plugins of one engine and everything they contribute, resolved once and cached.

    `disable` (and the environment variable `SPBE_DISABLE_PLUGINS`) skips plugins by name; with
    `strict=True` any plugin problem raises `PluginError` instead of being recorded.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        load_entry_points: bool = True,
        disable: Iterable[str] = (),
        strict: bool = False,
    ) -> None:
        env = os.environ.get(DISABLE_ENV, "")
        self.disabled = frozenset(n.strip() for n in [*disable, *env.split(",")] if n and n.strip())
        self.strict = strict
        self.load_entry_points = load_entry_points
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._lock = threading.RLock()
        self._infos: dict[str, PluginInfo] = {}
        self._explicit: list[tuple[str, object]] = []
        self._problems: list[PluginProblem] = []
        self._cache: dict[Any, Any] = {}
        self._attribution: dict[int, str] = {}
        self.contributions = _Contributions()
        for modname in BUILTIN_PLUGINS:
            self._register(importlib.import_module(modname), modname, "builtin")
        if load_entry_points:
            self._load_entry_points()
        for plugin in plugins:
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__module__}.{type(plugin).__qualname__}"
            base, n = name, 1
            while self.pm.has_plugin(name) or name in self._infos:  # several instances of one class: #2, #3, ...
                n += 1
                name = f"{base}#{n}"
            if self._register(plugin, name, "explicit"):
                self._explicit.append((name, plugin))

    # -- registration --------------------------------------------------------------------

    def _register(self, plugin: object, name: str, origin: str, version: str | None = None) -> bool:
        if name in self.disabled:
            return False
        if self.pm.is_registered(plugin):
            return False
        try:
            if self.pm.has_plugin(name):
                raise PluginError(tr("plugin {name!r} is registered twice", name=name))
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except (pluggy.PluginValidationError, PluginError) as exc:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._problem(PluginProblem(name, "registration", _one_line(exc)))
            return False
        hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))
        self._infos[name] = PluginInfo(name, origin, version, hooks)
        # pluggy calls `impl.function` with the hook's arguments; rebinding it once, here, to a guarded
        # copy keeps pluggy's dispatch (order, wrappers, tracing) while we learn who failed or gave what.
        # pluggy types the slot Final; it is an ordinary slot, and pluggy is pinned below 2.
        for caller in self.pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin:
                    guarded = self._guard(impl.function, name, caller.name, impl.wrapper or impl.hookwrapper)
                    impl.function = guarded  # type: ignore[misc]
        return True

    def _load_entry_points(self) -> None:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in self.disabled:
                continue
            dist = getattr(ep, "dist", None)
            version = getattr(dist, "version", None)
            try:
                plugin = ep.load()
            except PLUGIN_FAILURES as exc:  # a broken plugin must name itself, not crash the host
                self._problem(PluginProblem(ep.name, f"import of {ep.value}", _one_line(exc)))
                continue
            self._register(plugin, ep.name, "entry-point", version)

    def _guard(self, function: Callable[..., Any], plugin: str, hook: str, wrapper: bool) -> Callable[..., Any]:
        """Wrap a hook implementation so that its failure carries pluggy's name for the plugin and
        its result can be attributed to it. The hook is still called by pluggy, in pluggy's order."""
        if wrapper:

            def guarded_wrapper(*args: Any) -> Any:
                try:
                    return (yield from function(*args))
                except _Broken:
                    raise
                except PLUGIN_FAILURES as exc:
                    raise _Broken(plugin, hook, exc) from exc

            return guarded_wrapper

        def guarded(*args: Any) -> Any:
            try:
                result = function(*args)
            except PLUGIN_FAILURES as exc:
                raise _Broken(plugin, hook, exc) from exc
            if result is not None:
                self._attribution[id(result)] = plugin
                if isinstance(result, (list, tuple)):  # a wrapper may rebuild the list: know the items too
                    for item in result:
                        self._attribution.setdefault(id(item), plugin)
            return result

        return guarded

    # -- problems ------------------------------------------------------------------------

    def _problem(self, problem: PluginProblem) -> None:
        if self.strict:
            raise PluginError(problem.summary)
        self._problems.append(problem)

    def _set_aside(self, plugin: str, where: str, message: str) -> None:
        """A plugin failed after registration: unregister it whole, forget everything resolved so far
        (it may have contributed to it), and record why."""
        info = self._infos.pop(plugin, None)
        registered = self.pm.get_plugin(plugin)
        if registered is not None:
            self.pm.unregister(registered)
        self._cache.clear()
        self.contributions = _Contributions()
        self._problem(PluginProblem(plugin, where, message, info.hooks if info else ALL_HOOKS))

    @property
    def problems(self) -> tuple[PluginProblem, ...]:
        """Every plugin set aside so far (resolution of the global contributions included)."""
        return tuple(self._problems)

    def broken_for(self, hook: str) -> list[PluginProblem]:
        """The broken plugins that implement (or, never imported, might implement) `hook`."""
        return [p for p in self._problems if hook in p.hooks]

    def unavailable(self, message: str, hook: str, *, error: type[SpbeError] = SpbeError, **kw: Any) -> SpbeError:
        """An error for something not found, naming the broken plugins that might have provided it."""
        broken = self.broken_for(hook)
        if broken:
            names = ", ".join(repr(p.plugin) for p in broken)
            return PluginError(
                tr(
                    "{message}; it may come from broken plugin(s) {names}: {broken}",
                    message=message,
                    names=names,
                    broken=broken[0],
                )
            )
        return error(message, **kw)

    def require_complete(self, hook: str, what: str) -> None:
        """Refuse to give a partial answer: `what` would be incomplete without a broken plugin."""
        broken = self.broken_for(hook)
        if broken:
            raise PluginError(
                tr(
                    "{what} cannot be resolved without broken plugin {plugin!r}: {broken}",
                    what=what,
                    plugin=broken[0].plugin,
                    broken=broken[0],
                )
            )

    # -- plugins -------------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every registered (healthy) plugin, built-ins first."""
        return list(self._infos.values())

    def explicit(self) -> list[tuple[str, object]]:
        """The plugin objects given to the engine directly (to rebuild it in a worker process)."""
        return [(n, p) for n, p in self._explicit if n in self._infos]

    # -- the generic loader --------------------------------------------------------------

    def contributions_of(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call `hook` through pluggy and flatten what every plugin returned into (plugin, item)
        pairs, in pluggy's order. A plugin that fails is set aside and the call is repeated without it."""
        while True:
            self._attribution.clear()  # ids are only meaningful while the results are alive: per call
            caller = getattr(self.pm.hook, hook)
            try:
                results = caller(**kwargs)
            except _Broken as exc:
                self._set_aside(exc.plugin, exc.hook, str(exc))
                continue
            except PLUGIN_FAILURES as exc:  # a hook wrapper of a plugin that pluggy ran outside our guard
                raise PluginError(tr("hook {hook} failed: {exc}", hook=hook, exc=_one_line(exc))) from None
            wrappers = [i.plugin_name for i in caller.get_hookimpls() if i.wrapper or i.hookwrapper]
            out: list[tuple[str, Any]] = []
            bad: tuple[str, str] | None = None
            for result in results:
                plugin = self._attribution.get(id(result)) or (
                    "hook wrapper " + ", ".join(wrappers) if wrappers else "an unknown plugin"
                )
                if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, Iterable):
                    bad = (plugin, f"expected a list, got {type(result).__name__}")
                    break
                out.extend((self._attribution.get(id(item), plugin), item) for item in result)
            if bad is None:
                return out
            if bad[0] in self._infos:
                self._set_aside(bad[0], hook, bad[1])
                continue
            raise PluginError(tr("{plugin}, hook {hook}: {problem}", plugin=bad[0], hook=hook, problem=bad[1]))

    def _cached(self, key: Any, build: Callable[[], T]) -> T:
        """Resolve once. A plugin set aside while building clears the cache and the build starts again."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
            while True:
                problems = len(self._problems)
                value = build()
                if len(self._problems) == problems:  # else a plugin was set aside meanwhile: again
                    self._cache[key] = value
                    return value

    def _typed(self, hook: str, kind: type[T], label: str, **kwargs: Any) -> Iterator[tuple[str, T]]:
        for plugin, item in self.contributions_of(hook, **kwargs):
            if not isinstance(item, kind):
                self._fail(plugin, hook, f"expected {label}, got {type(item).__name__}")
                continue
            yield plugin, item

    def _duplicate(self, plugin: str, other: str, hook: str, what: str) -> None:
        """Two plugins provide the same id: the one that came later (never a built-in) is set aside,
        so the answer is never silently one or the other."""
        order = list(self._infos)
        builtin = {n for n, i in self._infos.items() if i.origin == "builtin"}

        def rank(name: str) -> tuple[bool, int]:
            return (name not in builtin, order.index(name) if name in order else len(order))

        later, earlier = (plugin, other) if rank(plugin) > rank(other) else (other, plugin)
        self._fail(later, hook, f"{what} is provided by both {earlier!r} and {later!r}")

    def _fail(self, plugin: str, hook: str, message: str) -> None:
        """A contribution is invalid: its plugin is broken (a built-in's is a bug, raised as is)."""
        info = self._infos.get(plugin)
        if info is None or info.origin == "builtin":
            raise PluginError(
                tr("plugin {plugin!r}, hook {hook}: {message}", plugin=plugin, hook=hook, message=message)
            )
        self._set_aside(plugin, hook, message)
        raise _Restart

    # -- what the plugins provide --------------------------------------------------------

    def scales(self) -> dict[str, LevelScale]:
        """Shared level scales by id (`spbe_level_scales`)."""
        return self._cached("scales", self._build_scales)

    def _build_scales(self) -> dict[str, LevelScale]:
        from .model.catalogue import LevelScale

        def build() -> dict[str, LevelScale]:
            found: dict[str, tuple[str, LevelScale]] = {}
            for plugin, scale in self._typed("spbe_level_scales", LevelScale, "LevelScale"):
                if scale.id in found and found[scale.id][1] != scale:
                    self._duplicate(plugin, found[scale.id][0], "spbe_level_scales", f"level scale {scale.id!r}")
                found[scale.id] = (plugin, scale)
            return {k: v for k, (_, v) in found.items()}

        return _restarting(build)

    def catalogues(self) -> dict[str, Catalogue]:
        """Every catalogue by id, sorted (`spbe_catalogues`)."""
        return self._cached("catalogues", self._build_catalogues)

    def catalogue_origin(self, catalogue_id: str) -> str | None:
        self.catalogues()
        origins: dict[str, str] = self._cache.get("catalogue-origin", {})
        return origins.get(catalogue_id)

    def _build_catalogues(self) -> dict[str, Catalogue]:
        from .catalogue.loader import catalogue_from_data, load_catalogue_file
        from .model.catalogue import Catalogue

        def build() -> dict[str, Catalogue]:
            shared = self.scales()
            found: dict[str, tuple[str, Catalogue]] = {}
            for plugin, source in self.contributions_of("spbe_catalogues"):
                try:
                    if isinstance(source, Catalogue):
                        cat = source
                    elif isinstance(source, (str, PathLike)):
                        cat = load_catalogue_file(Path(source), shared_scales=shared)
                    elif isinstance(source, Mapping):
                        cat = catalogue_from_data(source, source=f"plugin {plugin}", shared_scales=shared)
                    else:
                        self._fail(plugin, "spbe_catalogues", f"cannot use {type(source).__name__} as a catalogue")
                        continue
                except CatalogueError as exc:
                    self._fail(plugin, "spbe_catalogues", str(exc))
                    continue
                if cat.id in found:
                    self._duplicate(plugin, found[cat.id][0], "spbe_catalogues", f"catalogue {cat.id!r}")
                found[cat.id] = (plugin, cat)
            self._cache["catalogue-origin"] = {k: p for k, (p, _) in found.items()}
            for k, (p, _) in sorted(found.items()):
                self.contributions.add(p, "catalogues", k)
            return {k: found[k][1] for k in sorted(found)}

        return _restarting(build)

    def schemes(self) -> dict[str, WeightingScheme]:
        """Weighting schemes by id (`spbe_weighting_schemes`)."""
        return self._cached("schemes", self._build_schemes)

    def _build_schemes(self) -> dict[str, WeightingScheme]:
        from .weighting import WeightingScheme

        def build() -> dict[str, WeightingScheme]:
            found: dict[str, tuple[str, WeightingScheme]] = {}
            for plugin, scheme in self._typed("spbe_weighting_schemes", WeightingScheme, "WeightingScheme"):
                if scheme.id in found:
                    self._duplicate(
                        plugin, found[scheme.id][0], "spbe_weighting_schemes", f"weighting scheme {scheme.id!r}"
                    )
                found[scheme.id] = (plugin, scheme)
            for k, (p, _) in sorted(found.items()):
                self.contributions.add(p, "weighting schemes", k)
            return {k: found[k][1] for k in sorted(found)}

        return _restarting(build)

    def crosswalks(self) -> dict[tuple[str, str], Crosswalk]:
        """Crosswalks by (source, target), each checked against both catalogues (`spbe_crosswalks`)."""
        return self._cached("crosswalks", self._build_crosswalks)

    def _build_crosswalks(self) -> dict[tuple[str, str], Crosswalk]:
        from ._yaml import load_yaml_file
        from .model.crosswalk import Crosswalk
        from .versions.compose import check_against

        def build() -> dict[tuple[str, str], Crosswalk]:
            cats = self.catalogues()
            found: dict[tuple[str, str], tuple[str, Crosswalk]] = {}
            for plugin, source in self.contributions_of("spbe_crosswalks"):
                try:
                    if isinstance(source, Crosswalk):
                        cw = source
                    elif isinstance(source, (str, PathLike)):
                        data = load_yaml_file(Path(source), error=CatalogueError)
                        if not isinstance(data, Mapping):
                            raise CatalogueError(tr("a crosswalk must be a mapping"), file=str(source))
                        try:
                            cw = Crosswalk(**data)
                        except CatalogueError as exc:
                            raise CatalogueError(exc.message, file=str(source), field=exc.field) from None
                    elif isinstance(source, Mapping):
                        cw = Crosswalk(**source)
                    else:
                        self._fail(plugin, "spbe_crosswalks", f"cannot use {type(source).__name__} as a crosswalk")
                        continue
                    if cw.source not in cats or cw.target not in cats:
                        continue  # dormant until both catalogues are installed (or their plugin repaired)
                    check_against(cw, cats[cw.source], cats[cw.target])
                except CatalogueError as exc:
                    self._fail(plugin, "spbe_crosswalks", str(exc))
                    continue
                key = (cw.source, cw.target)
                if key in found:
                    self._duplicate(plugin, found[key][0], "spbe_crosswalks", f"crosswalk {cw.source} → {cw.target}")
                found[key] = (plugin, cw)
            for (s, t), (p, _) in sorted(found.items()):
                self.contributions.add(p, "crosswalks", f"{s} → {t}")
            return {k: v for k, (_, v) in sorted(found.items())}

        return _restarting(build)

    def rules(self, catalogue: Catalogue) -> list[tuple[str, Rule]]:
        """The rules plugins add to `catalogue` (`spbe_rules`), with the plugin of each."""
        from .model.rules import Rule

        def build() -> list[tuple[str, Rule]]:
            self.require_complete("spbe_rules", f"the rules of {catalogue.id}")
            return list(self._typed("spbe_rules", Rule, "Rule", catalogue=catalogue))

        return self._cached(("rules", catalogue.id), lambda: _restarting(build))

    def computed(self, catalogue: Catalogue) -> list[tuple[str, ComputedIndicator]]:
        """The computed indicators plugins declare for `catalogue` (`spbe_computed_indicators`)."""
        from .computed import ComputedIndicator

        def build() -> list[tuple[str, ComputedIndicator]]:
            self.require_complete("spbe_computed_indicators", f"the computed indicators of {catalogue.id}")
            return list(
                self._typed("spbe_computed_indicators", ComputedIndicator, "ComputedIndicator", catalogue=catalogue)
            )

        return self._cached(("computed", catalogue.id), lambda: _restarting(build))

    def resolve_all(self) -> None:
        """Resolve every global contribution now (catalogues, scales, schemes, crosswalks), so that
        `problems` lists every broken plugin (the CLI does this to warn once at start)."""
        self.schemes()
        self.crosswalks()

    def cache(self) -> dict[Any, Any]:
        """The registry's cache, for resolvers built on it (compiled catalogues, rules, manifests): it is
        cleared whenever a plugin is set aside, so nothing computed from a broken plugin survives."""
        return self._cache


class _Restart(Exception):
    """Internal: a plugin was set aside mid-build; build again without it."""


def _restarting(build: Callable[[], T]) -> T:
    while True:
        try:
            return build()
        except _Restart:
            continue

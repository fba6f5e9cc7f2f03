"""Parallel execution: chunked batches on any `concurrent.futures`-style executor (process pools,
Dask's executor). (Formerly `spbe_engine.scale`, a name that read like a level scale; its pandas
partition function `score_frame` is now in `spbe_engine.frames`.)

The work of a chunk is a module-level function (picklable) that rebuilds an engine in the worker
once and returns plain tuples; the caller turns them back into results with its own compiled
catalogue. Chunks are independent and seeded by position, so the results are identical whether
they run in this process, a process pool, or on a Dask cluster.
"""

from __future__ import annotations

import importlib
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .errors import PluginError
from .i18n import tr

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Executor"]

T = TypeVar("T")
R = TypeVar("R")
EngineSpec = tuple[type, bool, tuple[tuple[str, Any], ...]]
"""How to rebuild an engine in a worker: its class (pickled by reference, so this module needs no
import of the engine), whether it loads entry points, and its explicit plugins."""


class Executor(Protocol):
    """What spbe_engine needs of an executor: `submit` returning a future (the stdlib pools,
    `dask.distributed.Client.get_executor()`, and others)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]: ...


def engine_spec(engine: Engine) -> EngineSpec:
    """How to rebuild `engine` in a worker: entry points on or off, and its explicit plugins (modules
    by name, other objects as themselves — they must be picklable to reach a process pool)."""
    explicit = [
        ("module", plugin.__name__) if isinstance(plugin, ModuleType) else ("object", plugin)
        for _, plugin in engine.registry.explicit()
    ]
    return type(engine), engine.registry.load_entry_points, tuple(explicit)


def spec_of(engine: Engine) -> EngineSpec:
    """`engine_spec`, checked to reach a process pool (explicit plugins must pickle)."""
    spec = engine_spec(engine)
    check_picklable(spec)
    return spec


_WORKER_ENGINES: dict[str, Engine] = {}


def worker_engine(spec: EngineSpec) -> Engine:
    """The engine of this worker process for `spec`, built once."""
    import hashlib
    import pickle

    key = hashlib.sha256(pickle.dumps(spec)).hexdigest()  # the same spec → the same engine, in any worker
    engine = _WORKER_ENGINES.get(key)
    if engine is None:
        engine_type, entry_points, explicit = spec
        plugins = [importlib.import_module(v) if kind == "module" else v for kind, v in explicit]
        if len(_WORKER_ENGINES) >= 4:
            _WORKER_ENGINES.clear()
        engine = _WORKER_ENGINES[key] = engine_type(plugins, load_entry_points=entry_points)
    return engine


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def run(fn: Callable[..., R], chunks: Iterable[tuple[Any, ...]], executor: Executor | None, window: int) -> Iterator[R]:
    """Apply `fn(*chunk)` to each chunk in order; with an executor, keep at most `window` chunks in
    flight so memory stays bounded however long the input."""
    if executor is None:
        for args in chunks:
            yield fn(*args)
        return
    pending: deque[Future[R]] = deque()
    for args in chunks:
        pending.append(executor.submit(fn, *args))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def check_picklable(spec: EngineSpec) -> None:
    import pickle

    try:
        pickle.dumps(spec)
    except Exception as exc:
        raise PluginError(tr("an explicit plugin cannot be sent to the executor's workers: {exc}", exc=exc)) from None

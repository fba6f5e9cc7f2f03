"""The engine's uncertainty operations: Monte-Carlo over disagreeing stages and rank intervals
under other weights. Exposed as `Engine.simulate`, `Engine.simulate_many` and
`Engine.weight_sensitivity`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ..model.assessment import Assessment
from ..scoring.score import MissingPolicy

if TYPE_CHECKING:
    from ..engine import Engine
    from ..parallel import EngineSpec, Executor
    from ..uncertainty.sensitivity import WeightSensitivity
    from ..uncertainty.simulate import Simulation

__all__ = ["simulate", "simulate_many", "weight_sensitivity"]


def simulate(
    engine: Engine,
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
    from ..uncertainty.simulate import check_samples
    from ..uncertainty.simulate import simulate as draw

    check_samples(n)  # before scoring: a bad n is the first thing to say
    return draw(engine.score(assessment, missing=missing), n, seed, backend, progress=progress)


def simulate_many(
    engine: Engine,
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
    from ..parallel import chunked, run, spec_of
    from ..uncertainty.simulate import Simulation, check_samples, level_distributions
    from ..uncertainty.simulate import simulate as draw

    check_samples(n)  # here, not in a worker
    items = list(assessments)
    if executor is None:
        return [draw(engine.score(a), n, seed, backend, stream=k + 1) for k, a in enumerate(items)]
    spec = spec_of(engine)
    chunks = ((spec, chunk, k * chunk_size, n, seed, backend) for k, chunk in enumerate(chunked(items, chunk_size)))
    out: list[Simulation] = []
    histograms = [x for part in run(simulate_chunk, chunks, executor, window=4) for x in part]
    used = backend if backend != "auto" else "numpy" if importlib.util.find_spec("numpy") else "python"
    for a, histogram in zip(items, histograms, strict=True):
        r = engine.score(a)
        uncertain = tuple(r.compiled.ids[p] for p, levels, _ in level_distributions(r.compiled, r) if len(levels) > 1)
        out.append(Simulation(r, n, seed, used, uncertain, histogram, r.compiled.total))
    return out


def weight_sensitivity(
    engine: Engine,
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
    from ..uncertainty.sensitivity import check_size, parse_spread
    from ..uncertainty.sensitivity import weight_sensitivity as perturb
    from ..uncertainty.simulate import check_samples

    check_samples(n)  # before scoring: a bad n is the first thing to say
    items = list(assessments)
    if items:
        check_size(n, len(items))
    return perturb(engine.score_many(items), n, seed, parse_spread(spread), backend, progress=progress)


def simulate_chunk(
    spec: EngineSpec, items: Sequence[Assessment], start: int, n: int, seed: int, backend: str
) -> list[tuple[tuple[int, int], ...]]:
    """Simulate a chunk in a worker: each agency's histogram of (numerator, count), whose size does
    not grow with n."""
    from ..parallel import worker_engine
    from ..uncertainty.simulate import simulate as draw

    engine = worker_engine(spec)
    return [draw(engine.score(a), n, seed, backend, stream=start + k + 1).histogram for k, a in enumerate(items)]

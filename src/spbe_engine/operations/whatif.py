"""The engine's what-if operations: scenarios, where to invest, and the cheapest plan to a target.
Defined here once and exposed as `Engine.what_if`, `Engine.compare`, `Engine.marginal_impact` and
`Engine.plan`."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from ..errors import SpbeError
from ..exact import display, exact_text, parse_decimal
from ..i18n import tr
from ..model.assessment import Assessment
from ..scoring.score import MissingPolicy
from ..whatif.costs import Costs, StepCosts
from ..whatif.marginal import MarginalImpact
from ..whatif.marginal import marginal_impact as gains_per_cost
from ..whatif.planner import Plan, rule_broken_by, solve
from ..whatif.scenario import Comparison, ScenarioTable, levels_update, merge_peers, rank_of

if TYPE_CHECKING:
    from ..engine import Engine
    from ..parallel import Executor
    from ..resolver import Weighting

__all__ = [
    "Progress",
    "RespectRules",
    "Target",
    "compare",
    "marginal_impact",
    "plan",
    "plan_many",
    "what_if",
    "what_if_many",
]

Target = str | int | Decimal | Fraction | float

RespectRules = Literal["binding", "all"] | bool
"""Which rules constrain a plan: "binding" (default: regulation rules and rules declared binding),
"all" (heuristic consistency checks too), or False (none: the formula alone)."""


def what_if(
    engine: Engine,
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
    before = engine.score(assessment, missing=missing)
    update: dict[str, Any] = {}
    if levels:
        update["levels"] = levels_update(assessment.levels, levels)
    if catalogue is not None:
        update["catalogue"] = catalogue
    # A validated copy: the changed levels come from the caller and must be levels.
    changed = assessment.replace(**update) if update else assessment
    after = engine.score(changed, weighting=weighting, missing=missing)
    rank_before = rank_after = None
    count = 0
    if peers is not None:
        group_before = merge_peers(assessment, peers)
        group_after = merge_peers(
            changed, [p.replace(catalogue=catalogue) if catalogue is not None else p for p in peers]
        )
        key = (assessment.subject, assessment.period)
        rank_before = rank_of(key, engine.score_many(group_before, missing=missing))
        rank_after = rank_of(key, engine.score_many(group_after, weighting=weighting, missing=missing))
        count = len(group_before)
    label = name or _label(levels, weighting, catalogue)
    return Comparison(label, before, after, rank_before, rank_after, count)


def _label(levels: Mapping[str | int, int] | None, weighting: Any, catalogue: str | None) -> str:
    parts = []
    if levels:
        parts.append(", ".join(f"{k}={v}" for k, v in levels.items()))
    if weighting is not None:
        parts.append(f"weighting {weighting if isinstance(weighting, str) else 'custom'}")
    if catalogue is not None:
        parts.append(f"catalogue {catalogue}")
    return "; ".join(parts) or "no change"


def compare(
    engine: Engine,
    assessment: Assessment,
    scenarios: Mapping[str, Mapping[str, Any]],
    *,
    peers: Sequence[Assessment] | None = None,
    missing: MissingPolicy = None,
) -> ScenarioTable:
    """Several named scenarios side by side, e.g.
    `{"policies": {"levels": {"1": 4}}, "equal weights": {"weighting": "equal"}}`."""
    allowed = {"levels", "weighting", "catalogue"}
    out = []
    for name, spec in scenarios.items():
        unknown = set(spec) - allowed
        if unknown:
            raise SpbeError(
                tr("scenario {name!r}: unknown key {unknown!r}", name=name, unknown=sorted(unknown)[0]),
                allowed=sorted(allowed),
            )
        out.append(what_if(engine, assessment, peers=peers, name=name, missing=missing, **spec))
    return ScenarioTable(tuple(out))


def _level(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpbeError(tr("{value!r} is not a level", value=value), field=field, allowed=tr("whole numbers"))
    return value


def parse_target(engine: Engine, catalogue_id: str, target: Target) -> tuple[Fraction, str]:
    cat = engine.catalogue(catalogue_id)
    if isinstance(target, str):
        for band in cat.bands:
            if band.predikat.casefold() == target.strip().casefold():
                return Fraction(band.lower), band.predikat
        try:
            value = Fraction(parse_decimal(target.strip().replace(",", ".")))
        except (ArithmeticError, ValueError):
            raise SpbeError(
                tr("unknown target {target!r}", target=target),
                field="target",
                allowed=["an index value", *(b.predikat for b in cat.bands)],
            ) from None
    elif isinstance(target, float):
        if target != target or target in (float("inf"), float("-inf")):
            raise SpbeError(tr("unknown target {target!r}", target=target), field="target")
        value = Fraction(Decimal(str(target)))  # the number as written, not its binary approximation
    elif isinstance(target, Decimal) and not target.is_finite():
        raise SpbeError(tr("unknown target {target!r}", target=target), field="target")
    elif isinstance(target, (int, Decimal, Fraction)) and not isinstance(target, bool):
        value = Fraction(target)
    else:
        raise SpbeError(tr("unknown target {target!r}", target=target), field="target")
    # "4.00" for a target of two decimals (shown in the reader's language by the plan's summary), else exact
    label = display(value.numerator, value.denominator) if (value * 100).denominator == 1 else exact_text(value)
    return value, label


def plan(
    engine: Engine,
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
    cc = engine.compiled(assessment.catalogue, weighting)
    before = engine.score(assessment, weighting=weighting, missing=missing)
    value, label = parse_target(engine, assessment.catalogue, target)
    if isinstance(max_level, Mapping):
        caps = {str(k): _level(v, f"max_level.{k}") for k, v in max_level.items()}
        unknown = sorted(set(caps) - set(cc.ids))
        if unknown:
            raise SpbeError(tr("max_level names unknown indicator {unknown!r}", unknown=unknown[0]), field="max_level")
    elif max_level is None:
        caps = {}
    else:
        caps = dict.fromkeys(cc.ids, _level(max_level, "max_level"))
    if periods < 1 or (max_steps_per_period is not None and max_steps_per_period < 0):
        raise SpbeError(tr("periods must be ≥ 1 and max_steps_per_period ≥ 0"), field="periods")
    mode = _respect_mode(respect_rules)
    rules = [
        r
        for r in engine.rules(assessment.catalogue)
        if r.type in ("prerequisite", "cap") and (mode == "all" or (mode == "binding" and r.binds_plans))
    ]
    step_costs = StepCosts(costs, cc.ids)

    def rescore(a: Assessment) -> Any:
        return engine.score(a, weighting=weighting, missing=missing)

    def run(with_rules: list[Any]) -> Plan:
        return solve(cc, before, value, label, step_costs, caps, with_rules, max_steps_per_period, periods, rescore)

    planned = run(rules)
    if not rules:
        return planned
    # What the rules cost: the formula's own minimum, and the rules that minimum would break.
    free = run([])
    lo = dict(zip(cc.ids, cc.lo, strict=True))
    binding = tuple(r for r in rules if free.feasible and rule_broken_by(r, free, lo))
    return dataclasses.replace(
        planned,
        rules_applied=tuple(rules),
        binding_rules=binding,
        cost_without_rules=free.total_cost if free.feasible else None,
        steps_without_rules=len(free.steps) if free.feasible else None,
    )


def _respect_mode(respect_rules: RespectRules) -> str:
    if respect_rules is False:
        return "none"
    if respect_rules is True:
        warnings.warn(
            'respect_rules=True is ambiguous since spbe_engine 0.2 and means "all" (heuristic rules too); '
            'write respect_rules="all", or leave the default "binding" (only rules the regulation sets)',
            DeprecationWarning,
            stacklevel=4,
        )
        return "all"
    if respect_rules in ("binding", "all"):
        return str(respect_rules)
    raise SpbeError(
        tr("respect_rules={respect_rules!r} is not a choice", respect_rules=respect_rules),
        field="respect_rules",
        allowed=["binding", "all", "False"],
    )


def marginal_impact(
    engine: Engine, assessment: Assessment, *, costs: Costs | None = None, missing: MissingPolicy = None
) -> MarginalImpact:
    """Per indicator: the exact index gain of +1 level, its cost and the steps to the next
    band, sorted by gain per cost ("where to invest")."""
    r = engine.score(assessment, missing=missing)
    return gains_per_cost(r, StepCosts(costs, r.compiled.ids))


Progress = Callable[[int, int], None]
"""`progress(done, total)`, called after each assessment (serial) or each chunk (executor)."""


def plan_many(
    engine: Engine,
    assessments: Iterable[Assessment],
    target: Target,
    *,
    costs: Costs | None = None,
    max_level: int | Mapping[str | int, int] | None = None,
    max_steps_per_period: int | None = None,
    periods: int = 1,
    respect_rules: RespectRules = "binding",
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    chunk_size: int = 8,
) -> list[Plan]:
    """`plan` for each assessment, in input order (identical plans), with an optional executor (a
    process pool, `dask_client.get_executor()`) running chunks of `chunk_size`, and an optional
    `progress(done, total)` callback. The first assessment that cannot be planned raises."""
    options: dict[str, Any] = {
        "costs": costs,
        "max_level": max_level,
        "max_steps_per_period": max_steps_per_period,
        "periods": periods,
        "respect_rules": respect_rules,
        "weighting": weighting,
        "missing": missing,
    }
    return _many(engine, list(assessments), plan_chunk, (target, options), executor, progress, chunk_size)


def what_if_many(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    levels: Mapping[str | int, int] | None = None,
    weighting: Weighting = None,
    catalogue: str | None = None,
    peers: Sequence[Assessment] | None = None,
    missing: MissingPolicy = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    chunk_size: int = 64,
) -> list[Comparison]:
    """`what_if` with the same change for each assessment, in input order, with an optional
    executor and `progress(done, total)` callback (see `plan_many`)."""
    options: dict[str, Any] = {
        "levels": levels,
        "weighting": weighting,
        "catalogue": catalogue,
        "peers": peers,
        "missing": missing,
    }
    return _many(engine, list(assessments), what_if_chunk, (options,), executor, progress, chunk_size)


def _many(
    engine: Engine,
    items: list[Assessment],
    chunk_fn: Callable[..., list[Any]],
    args: tuple[Any, ...],
    executor: Executor | None,
    progress: Progress | None,
    chunk_size: int,
) -> list[Any]:
    from ..parallel import chunked, run, spec_of

    if chunk_size < 1:
        raise SpbeError(tr("chunk_size must be at least 1"), field="chunk_size")
    total = len(items)
    out: list[Any] = []
    if executor is None:
        for chunk in chunked(items, chunk_size):
            out.extend(chunk_fn(engine, chunk, *args))
            if progress is not None:
                progress(len(out), total)
        return out
    spec = spec_of(engine)
    window = 4 * max(1, getattr(executor, "_max_workers", 2))
    for part in run(
        _in_worker, ((spec, chunk_fn, chunk, args) for chunk in chunked(items, chunk_size)), executor, window
    ):
        out.extend(part)
        if progress is not None:
            progress(len(out), total)
    return out


# -- run in a worker process (module level, so a process pool can pickle them) --------------------


def _in_worker(
    spec: Any, chunk_fn: Callable[..., list[Any]], chunk: list[Assessment], args: tuple[Any, ...]
) -> list[Any]:
    from ..parallel import worker_engine

    return chunk_fn(worker_engine(spec), chunk, *args)


def plan_chunk(engine: Engine, chunk: list[Assessment], target: Target, options: dict[str, Any]) -> list[Plan]:
    return [plan(engine, a, target, **options) for a in chunk]


def what_if_chunk(engine: Engine, chunk: list[Assessment], options: dict[str, Any]) -> list[Comparison]:
    return [what_if(engine, a, **options) for a in chunk]

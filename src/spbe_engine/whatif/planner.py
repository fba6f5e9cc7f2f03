"""Goal-seek: the plan of minimum total cost that reaches a target index, exactly optimal.

Weights are exact, so they are integers once scaled; the problem is then a multiple-choice knapsack
("raise indicator i by k levels" is one option per indicator) solved by a Pareto-front dynamic
programme over (cost, gain), with the gain capped at what the target needs. Prerequisite and cap
rules couple indicators: coupled indicators are planned jointly (every combination that respects
the rules is one option), which keeps the programme exact. A per-period step limit adds a steps
dimension to the front.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import SpbeError
from ..exact import display, exact_text, to_decimal
from ..i18n import language, tr
from ..model.assessment import Assessment
from ..model.rules import Rule
from ..results import Cell, Result, in_language, shown, shown_text
from ..scoring.compiled import CompiledCatalogue
from .costs import StepCosts

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["Plan", "PlanStep", "rule_broken_by", "solve"]

MAX_COMBINATIONS = 250_000


@dataclass(frozen=True)
class PlanStep:
    """Raise one indicator by one level, in a period (1-based)."""

    indicator: str
    name: str
    from_level: int
    to_level: int
    cost: Fraction
    gain: Fraction  # exact index gain of this step
    period: int


@dataclass(frozen=True)
class Plan(Result):
    """The cheapest plan that reaches the target, or why none does."""

    target: Fraction
    target_label: str
    feasible: bool
    steps: tuple[PlanStep, ...]
    total_cost: Fraction
    result: ScoreResult | None  # the score after the plan
    before: ScoreResult
    max_reachable: Fraction  # highest index reachable under the limits
    reason: str | None = None
    periods: int = 1
    rules_applied: tuple[Rule, ...] = ()  # the rules the plan was asked to respect
    binding_rules: tuple[Rule, ...] = ()  # those the formula's cheapest plan would break: they shaped this plan
    cost_without_rules: Fraction | None = None  # the formula's minimum cost, when rules were applied
    steps_without_rules: int | None = None

    @property
    def rules_cost(self) -> Fraction | None:
        """What the binding rules add to the formula's minimum cost (0 when they change nothing)."""
        if not self.feasible or self.cost_without_rules is None:
            return None
        return self.total_cost - self.cost_without_rules

    @property
    def levels(self) -> dict[str, int]:
        """The levels after the plan."""
        out = dict(self.before.assessment.levels)
        for s in self.steps:
            out[s.indicator] = s.to_level
        return out

    def by_period(self) -> dict[int, list[PlanStep]]:
        out: dict[int, list[PlanStep]] = {}
        for s in self.steps:
            out.setdefault(s.period, []).append(s)
        return out

    headers = ("period", "indicator", "name", "step", "cost", "index gain")

    def rows(self) -> list[list[Cell]]:
        """One row per step: period, indicator, name, from → to, exact cost, index gain (4 decimals)."""
        return [
            [
                s.period,
                s.indicator,
                s.name,
                f"{s.from_level} → {s.to_level}",
                exact_text(s.cost),
                display(s.gain.numerator, s.gain.denominator, 4),
            ]
            for s in self.steps
        ]

    def summary(self, lang: str | None = None) -> str:
        """`Target Sangat Baik: 6 step(s), total cost 6; index 3.90 (Sangat Baik) → 4.02 (Sangat Baik)`,
        in `lang` (default: the current language), numbers as the language writes them; then the rules
        that bound the plan and what they cost."""
        with in_language(lang):
            target = shown_text(self.target_label)
            if not self.feasible or self.result is None:
                return tr("Target {target} is not reachable: {reason}", target=target, reason=_reason(self.reason)) + (
                    self._rules_text()
                )
            return (
                tr(
                    "Target {target}: {n} step(s), total cost {cost}; index {before} ({before_predikat}) → {after} "
                    "({after_predikat})",
                    target=target,
                    n=len(self.steps),
                    cost=_cost(self.total_cost),
                    before=shown(self.before.fraction),
                    before_predikat=self.before.predikat,
                    after=shown(self.result.fraction),
                    after_predikat=self.result.predikat,
                )
                + self._rules_text()
            )

    def _rules_text(self) -> str:
        """Which rules shaped the plan and what they cost beyond the formula's minimum."""
        if not self.binding_rules:
            return ""
        ids = ", ".join(r.id for r in self.binding_rules)
        kinds = {r.basis for r in self.binding_rules}
        if kinds == {"heuristic"}:
            text = tr("; bound by heuristic rule(s) {ids}", ids=ids)
        elif kinds == {"regulation"}:
            text = tr("; bound by regulation rule(s) {ids}", ids=ids)
        else:
            text = tr("; bound by rule(s) {ids}", ids=ids)
        extra = self.rules_cost
        if extra is None or self.cost_without_rules is None:
            return text
        return text + tr(
            ": +{cost} cost ({n} step(s) instead of the formula's {m})",
            cost=_cost(extra),
            n=len(self.steps),
            m=self.steps_without_rules,
        )

    def to_dict(self, *, manifest: bool = True) -> dict[str, Any]:
        """The target, whether it is reachable (and why not), the exact total cost, the rules that
        shaped the plan and what they cost, every step, and the score after the plan."""

        def exact(value: Fraction | None) -> str | None:
            return None if value is None else exact_text(value)

        return {
            "subject": self.before.subject,
            "period": self.before.period,
            "target": self.target_label,
            "target_index": exact_text(self.target),
            "feasible": self.feasible,
            "reason": self.reason,
            "total_cost": exact_text(self.total_cost),
            "max_reachable": exact_text(self.max_reachable),
            "periods": self.periods,
            "rules_applied": [r.id for r in self.rules_applied],
            "binding_rules": [r.id for r in self.binding_rules],
            "cost_without_rules": exact(self.cost_without_rules),
            "rules_cost": exact(self.rules_cost),
            "steps": [
                {
                    "period": s.period,
                    "indicator": s.indicator,
                    "from": s.from_level,
                    "to": s.to_level,
                    "cost": exact_text(s.cost),
                    "gain": exact_text(s.gain),
                }
                for s in self.steps
            ],
            "result": self.result.to_dict(manifest=manifest) if self.result else None,
        }


@dataclass(frozen=True)
class _Why:
    """Why no plan reaches the target, as data, so the reason can be written in any language."""

    target_label: str
    top: Fraction | None  # the top of the scale, when the target is above it
    reach: Fraction  # the highest index reachable under the limits
    step_limit: int | None
    capped: bool  # maximum levels were given
    rules: bool  # prerequisite rules were respected

    def text(self) -> str:
        """The reason in the current language, numbers as it writes them."""
        target = shown_text(self.target_label)
        if self.top is not None:
            return tr("{target} is above the top of the scale ({top})", target=target, top=shown(self.top))
        limits = ""
        if self.step_limit is not None:
            limits += tr(" with at most {n} step(s)", n=self.step_limit)
        if self.capped:
            limits += tr(" and the maximum levels given")
        if self.rules:
            limits += tr(" and the prerequisite rules")
        return tr(
            "the maximum reachable index under these limits{limits} is {reach} (exactly {exact}), below {target}",
            limits=limits,
            reach=shown(self.reach),
            exact=_cost(self.reach),
            target=target,
        )


class _Reason(str):
    """`Plan.reason`: the English text (what `reason` and `to_dict` hold, unchanged) that `summary()`
    writes again in the reader's language from its `_Why`."""

    why: _Why

    @classmethod
    def of(cls, why: _Why) -> _Reason:
        with language("en"):
            self = cls(why.text())
        self.why = why
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Reason.of, (self.why,))


def _reason(text: str | None) -> str | None:
    """A plan's reason in the current language (a reason given as plain text stays as it is)."""
    return text.why.text() if isinstance(text, _Reason) else text


def _cost(value: Fraction) -> str:
    """A cost as the language writes it, every digit kept ("12", "12,5")."""
    return shown_text(str(to_decimal(value.numerator, value.denominator)))


@dataclass(frozen=True)
class _Option:
    raises: tuple[tuple[int, int], ...]  # (position, levels raised)
    gain: int
    cost: int  # scaled by the common denominator of the step costs: exact, and fast to compare
    steps: int


def rule_broken_by(rule: Rule, plan: Plan, lo: Mapping[str, int]) -> bool:
    """True when `plan` raises an indicator to a level whose prerequisite the plan leaves unmet."""
    if rule.type not in ("prerequisite", "cap") or rule.indicator is None:
        return False
    old = {**plan.before.assessment.levels, **dict(zip(plan.before.compiled.ids, plan.before.levels, strict=True))}
    new = {**old, **{s.indicator: s.to_level for s in plan.steps}}
    return _violates(rule, new, old, lo[rule.indicator])


def _violates(rule: Rule, new: Mapping[str, int], old: Mapping[str, int], lo: int) -> bool:
    """True when the plan raises `rule.indicator` to a level whose prerequisite does not hold."""
    iid = rule.indicator
    assert iid is not None
    level = new[iid]
    if level <= old[iid]:
        return False  # the plan does not raise it: pre-existing states are not the plan's doing
    at = rule.at_level if rule.at_level is not None else lo
    if level < at:
        return False
    for req in rule.requires:
        needed = rule.min_level if rule.min_level is not None else level - (rule.max_gap or 0)
        if new[req] < needed:
            return True
    return False


def _components(ids: Sequence[str], rules: Sequence[Rule]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rules:
        assert r.indicator is not None
        for req in r.requires:
            parent[find(r.indicator)] = find(req)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _front(options: list[list[_Option]], cap_gain: int, step_limit: int | None) -> list[tuple[int, int, Any]]:
    """The Pareto DP over the option groups: the final (cost, gain capped at `cap_gain`, back-pointer)
    states, by steps taken when a step limit applies (otherwise one bucket).

    The same states, in the same order and with the same back-pointers (so the same plan among equal
    ones), as extending every state by every option and keeping the (cost, gain) front of each bucket
    with a stable sort (`_prune`), without building and sorting every pair: per bucket the first state
    of the highest gain at each cost is kept while the pairs are made, and pairs costing more than the
    cheapest one already reaching `cap_gain` are skipped (the front drops them anyway)."""
    if step_limit is None:
        states: list[tuple[int, int, Any]] = [(0, 0, None)]
        for opts in options:
            pairs = [(o.cost, o.gain, o) for o in opts]  # ascending cost (`_reduce`)
            best: dict[int, tuple[int, int, Any]] = {}
            limit = -1  # the lowest cost reaching cap_gain so far (-1: none yet)
            for cost, gain, back in states:
                if limit >= 0 and cost > limit:
                    break  # states ascend in cost: every later pair costs more than the cap's cost
                for ocost, ogain, o in pairs:
                    c = cost + ocost
                    if limit >= 0 and c > limit:
                        break
                    g = gain + ogain
                    if g >= cap_gain:
                        g = cap_gain
                        if limit < 0 or c < limit:
                            limit = c
                    seen = best.get(c)
                    if seen is None or g > seen[1]:
                        best[c] = (c, g, (back, o))
            states = _sweep(best)
        return states
    buckets: dict[int, list[tuple[int, int, Any]]] = {0: [(0, 0, None)]}
    for opts in options:
        nxt: dict[int, dict[int, tuple[int, int, Any]]] = {}
        limits: dict[int, int] = {}
        for taken, states in buckets.items():
            for cost, gain, back in states:
                for o in opts:
                    s = taken + o.steps
                    if s > step_limit:
                        continue
                    c = cost + o.cost
                    lim = limits.get(s, -1)
                    if lim >= 0 and c > lim:
                        continue
                    g = gain + o.gain
                    if g >= cap_gain:
                        g = cap_gain
                        if lim < 0 or c < lim:
                            limits[s] = c
                    bucket = nxt.get(s)
                    if bucket is None:
                        bucket = nxt[s] = {}
                    seen = bucket.get(c)
                    if seen is None or g > seen[1]:
                        bucket[c] = (c, g, (back, o))
        buckets = {s: _sweep(v) for s, v in nxt.items()}
    return [state for states in buckets.values() for state in states]


def _sweep(best: dict[int, tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """The front from the best state per cost: ascending cost, strictly increasing gain."""
    out = []
    top = -1
    for cost in sorted(best):
        state = best[cost]
        if state[1] > top:
            out.append(state)
            top = state[1]
    return out


def _prune(states: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Keep the (cost, gain) Pareto front: ascending cost, strictly increasing gain."""
    states.sort(key=lambda s: (s[0], -s[1]))
    out = []
    best = -1
    for s in states:
        if s[1] > best:
            out.append(s)
            best = s[1]
    return out


def solve(
    cc: CompiledCatalogue,
    before: ScoreResult,
    target: Fraction,
    target_label: str,
    costs: StepCosts,
    max_level: Mapping[str, int],
    rules: Sequence[Rule],
    max_steps: int | None,
    periods: int,
    rescore: Any,
) -> Plan:
    a: Assessment = before.assessment
    ids = cc.ids
    cur = {iid: before.levels[n] for n, iid in enumerate(ids)}
    cap = {iid: min(cc.hi[n], max_level.get(iid, cc.hi[n])) for n, iid in enumerate(ids)}
    need = -((-target.numerator * cc.total) // target.denominator) - before.numerator  # ceil(t·total) − now
    names = [ind.name for ind in cc.catalogue.indicators()]
    step_limit = max_steps * periods if max_steps is not None else None
    lo_of = dict(zip(ids, cc.lo, strict=True))

    # Step costs as integers over their common denominator, so the programme compares ints only.
    step_cost: dict[tuple[str, int], Fraction] = {
        (iid, cur[iid] + k): costs.step(iid, cur[iid] + k)
        for iid in ids
        for k in range(1, max(cap[iid] - cur[iid], 0) + 1)
    }
    scale = math.lcm(1, *{c.denominator for c in step_cost.values()})
    int_cost = {key: c.numerator * (scale // c.denominator) for key, c in step_cost.items()}  # = c·scale, exactly

    options: list[list[_Option]] = []
    by_component = _components(ids, rules)
    comp_rules = {id(c): [r for r in rules if r.indicator in c] for c in by_component}
    for comp in by_component:
        per = []
        for iid in comp:
            n = cc.position[iid]
            choices = []
            cost = 0
            for k in range(0, max(cap[iid] - cur[iid], 0) + 1):
                if k:
                    cost += int_cost[iid, cur[iid] + k]
                choices.append((n, k, k * cc.weights[n], cost))
            per.append(choices)
        total = 1
        for p in per:
            total *= len(p)
        if total > MAX_COMBINATIONS:
            raise SpbeError(
                tr(
                    "{total} combinations of coupled indicators {comp}: too many to plan exactly",
                    total=total,
                    comp=", ".join(comp),
                ),
                field="rules",
            )
        opts = []
        for combo in itertools.product(*per):
            if comp_rules[id(comp)]:
                new = dict(cur)
                for n, k, _, _ in combo:
                    new[ids[n]] = cur[ids[n]] + k
                if any(_violates(r, new, cur, lo_of[r.indicator or ""]) for r in comp_rules[id(comp)]):
                    continue
            raised = tuple((n, k) for n, k, _, _ in combo if k)
            opts.append(_Option(raised, sum(c[2] for c in combo), sum(c[3] for c in combo), sum(c[1] for c in combo)))
        options.append(_reduce(opts))

    finals = _front(options, max(need, 0), step_limit)
    reaching = [f for f in finals if f[1] >= need]
    if need <= 0:
        reaching = [(0, 0, None)]
    if not reaching:
        best_gain = max(f[1] for f in finals)
        reach = Fraction(before.numerator + best_gain, cc.total)
        top = Fraction(max(cc.hi))
        capped = any(cap[i] < cc.hi[cc.position[i]] for i in ids)
        why = _Why(target_label, top if target > top else None, reach, step_limit, capped, bool(rules))
        return Plan(target, target_label, False, (), Fraction(0), None, before, reach, _Reason.of(why), periods)
    scaled_cost, _gain, back = min(reaching, key=lambda f: (f[0], _steps(f[2])))
    total_cost = Fraction(scaled_cost, scale)
    chosen: dict[int, int] = {}
    while back is not None:
        back, opt = back
        for n, k in opt.raises:
            chosen[n] = k
    order = _order(ids, rules)
    ordered: list[PlanStep] = []
    for iid in order:
        n = cc.position[iid]
        for k in range(1, chosen.get(n, 0) + 1):
            to = cur[iid] + k
            ordered.append(
                PlanStep(iid, names[n], to - 1, to, costs.step(iid, to), Fraction(cc.weights[n], cc.total), 0)
            )
    per_period = max_steps if max_steps else max(len(ordered), 1)
    steps = tuple(
        PlanStep(st.indicator, st.name, st.from_level, st.to_level, st.cost, st.gain, 1 + i // per_period)
        for i, st in enumerate(ordered)
    )
    after_levels = dict(a.levels)
    for st in steps:
        after_levels[st.indicator] = st.to_level
    result = rescore(a.replace(levels=after_levels))
    reach = _max_reachable(cc, cur, cap, options, step_limit, before.numerator)
    return Plan(target, target_label, True, steps, total_cost, result, before, reach, None, periods)


def _steps(back: Any) -> int:
    total = 0
    while back is not None:
        back, opt = back
        total += opt.steps
    return total


def _reduce(opts: list[_Option]) -> list[_Option]:
    """Drop options another option beats on cost, steps and gain at once (a sweep in cost order
    keeping, per number of steps, the best gain seen so far)."""
    opts.sort(key=lambda o: (o.cost, o.steps, -o.gain))
    best: dict[int, int] = {}  # steps → best gain among kept options (all cheaper or as cheap)
    kept: list[_Option] = []
    for o in opts:
        if any(g >= o.gain for s, g in best.items() if s <= o.steps):
            continue
        kept.append(o)
        best[o.steps] = max(best.get(o.steps, -1), o.gain)
    return kept


def _max_reachable(
    cc: CompiledCatalogue,
    cur: Mapping[str, int],
    cap: Mapping[str, int],
    options: list[list[_Option]],
    step_limit: int | None,
    numerator: int,
) -> Fraction:
    if step_limit is None:
        return Fraction(numerator + sum(max(o.gain for o in opts) for opts in options), cc.total)
    best: dict[int, int] = {0: 0}  # steps → best gain
    for opts in options:
        nxt: dict[int, int] = {}
        for s, g in best.items():
            for o in opts:
                t = s + o.steps
                if t <= step_limit and nxt.get(t, -1) < g + o.gain:
                    nxt[t] = g + o.gain
        best = nxt
    return Fraction(numerator + max(best.values()), cc.total)


def _order(ids: Sequence[str], rules: Sequence[Rule]) -> list[str]:
    """Indicators with prerequisites after what they require (rules are acyclic), else catalogue order."""
    if not any(r.requires for r in rules):
        return list(ids)  # no edges: the lexicographical topological order is the catalogue order
    import networkx as nx

    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(ids)
    for r in rules:
        for req in r.requires:
            assert r.indicator is not None
            g.add_edge(req, r.indicator)
    pos = {i: n for n, i in enumerate(ids)}
    return list(nx.lexicographical_topological_sort(g, key=lambda i: pos[i]))

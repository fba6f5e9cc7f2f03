"""What-if scenarios, marginal impact and the exact planner (optimality against brute force)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine, SpbeError

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
W = ENGINE.weights("spbe-2020")


def assess(levels: dict[str, int] | None = None, subject: str = "Kota Uji", base: int = 3) -> Assessment:
    lv = dict.fromkeys(IDS, base)
    lv.update(levels or {})
    return Assessment(catalogue="spbe-2020", subject=subject, period="2024", levels=lv)


def index_of(levels: dict[str, int]) -> Fraction:
    return sum((Fraction(W[i]) * levels[i] for i in IDS), Fraction(0)) / 100


# -- scenarios --------------------------------------------------------------------------------


def test_what_if_levels() -> None:
    a = assess()
    c = ENGINE.what_if(a, levels={"11": 5, 12: 4})
    assert c.before.fraction == 3 and c.delta == Fraction(2 * 250 + 250, 10000)
    assert c.group_deltas["A2"] == Fraction(3, 4) and c.group_deltas["D1"] == 0
    assert c.predikat_change is None and c.rank_change is None
    assert a.levels["11"] == 3  # immutable: the input is untouched
    assert c.name == "11=5, 12=4" and "index 3.00 → 3.08 (+0.08)" in c.summary()
    assert c._repr_html_().startswith('<table class="spbe-table"><caption>11=5, 12=4: index 3.00')


def test_what_if_predikat_and_rank_change() -> None:
    peers = [assess(subject=f"Kab {i}", base=3) for i in range(3)]
    peers.append(assess({"1": 5}, subject="Kab Atas"))
    me = assess({i: 3 for i in IDS} | {"32": 4, "33": 4, "34": 4}, subject="Kota Uji")
    c = ENGINE.what_if(
        me,
        levels={
            "35": 5,
            "36": 5,
            "37": 5,
            "38": 5,
            "39": 5,
            "40": 5,
            "41": 5,
            "42": 5,
            "43": 5,
            "44": 5,
            "45": 5,
            "46": 5,
            "47": 5,
        },
        peers=peers,
    )
    assert c.rank_before == 1 and c.rank_after == 1 and c.peer_count == 5
    assert c.predikat_change == ("Baik", "Sangat Baik")
    low = assess(subject="Kota Uji")
    c2 = ENGINE.what_if(low, levels={"1": 5, "2": 5}, peers=peers)
    assert (c2.rank_before, c2.rank_after, c2.rank_change) == (2, 1, 1)  # ties share rank 2 before


def test_what_if_weighting_rescore_peers() -> None:
    peers = [assess({"1": 5, "2": 5}, subject="Kab A")]
    me = assess({"45": 5}, subject="Kota Uji")
    c = ENGINE.what_if(me, weighting="equal", peers=peers)
    assert c.after.weighting == "equal" and c.before.weighting == "official"
    # officially 3.06 vs the peer's 3.052; with equal weights 3 + 2/47 vs 3 + 4/47: the peer is rescored too
    assert (c.rank_before, c.rank_after, c.rank_change) == (1, 2, -1)


def test_compare_side_by_side() -> None:
    a = assess()
    table = ENGINE.compare(a, {"policies": {"levels": {"1": 5}}, "equal": {"weighting": "equal"}})
    assert table.headers == ("", "current", "policies", "equal")
    assert table.rows()[0] == ["index", "3.00", "3.03", "3.00"]
    assert table["policies"].after.groups["A1"].display == "3.20"
    with pytest.raises(SpbeError, match="unknown key 'levles'"):
        ENGINE.compare(a, {"typo": {"levles": {}}})


# -- marginal impact ---------------------------------------------------------------------------


def test_marginal_impact_table() -> None:
    a = assess({"45": 5})
    m = ENGINE.marginal_impact(a)
    assert m.next_predikat == "Sangat Baik" and m.distance == Fraction(35, 10) - index_of(dict(a.levels))
    first = m.indicators[0]
    assert first.indicator == "42" and first.gain == Fraction(3, 100)  # weight 3.00, lowest id among equals
    row45 = next(r for r in m.indicators if r.indicator == "45")
    assert row45.gain == 0 and row45.steps_to_next_band is None and row45.gain_per_cost is None
    row1 = next(r for r in m.indicators if r.indicator == "1")
    assert row1.steps_to_next_band is None  # 0.47 away: two steps of 0.013 cannot cross
    cheap = ENGINE.marginal_impact(a, costs={"1": "0.01"})
    assert cheap.indicators[0].indicator == "1"
    near = assess({i: 3 for i in IDS} | {"42": 5, "43": 5, "44": 5, "46": 5, "47": 5, "32": 5, "33": 5, "34": 4})
    mn = ENGINE.marginal_impact(near)
    d = mn.distance
    assert d is not None and d > 0
    r34 = next(r for r in mn.indicators if r.indicator == "34")
    assert r34.steps_to_next_band == (1 if Fraction(275, 10000) >= d else None)


# -- planner ----------------------------------------------------------------------------------


def test_plan_reaches_memuaskan_with_minimum_steps() -> None:
    a = assess({i: 4 for i in IDS})
    p = ENGINE.plan(a, "Memuaskan")
    assert p.feasible and p.result is not None and p.result.fraction >= Fraction(42, 10)
    assert p.result.predikat == "Memuaskan" and p.total_cost == len(p.steps)
    # 0.2 is needed and no step is worth more than 0.03: 6 steps give at most 0.18, so 7 is the minimum
    assert len(p.steps) == 7 and max(s.gain for s in p.steps) == Fraction(3, 100)


def test_plan_already_there_and_infeasible() -> None:
    a = assess({i: 5 for i in IDS})
    assert ENGINE.plan(a, "4.2").steps == ()
    low = assess()
    p = ENGINE.plan(low, "Memuaskan", max_level=4)
    assert not p.feasible and p.max_reachable == 4
    assert (
        p.reason == "the maximum reachable index under these limits and the maximum levels given is 4.00 "
        "(exactly 4), below Memuaskan"
    )
    p = ENGINE.plan(low, "Memuaskan", max_level=4, respect_rules="all")
    assert (
        p.reason
        == "the maximum reachable index under these limits and the maximum levels given and the prerequisite rules is 4.00 "
        "(exactly 4), below Memuaskan"
    )
    p = ENGINE.plan(low, 5, max_steps_per_period=10)
    assert not p.feasible and "with at most 10 step(s)" in (p.reason or "") and p.max_reachable == 3 + Fraction(30, 100)
    with pytest.raises(SpbeError, match="unknown target 'Luar Biasa'"):
        ENGINE.plan(low, "Luar Biasa")


def test_plan_respects_prerequisites() -> None:
    """Heuristic pair 1 → 11 (max gap 1): raising 11 to 5 needs policy 1 at 4 or more."""
    a = assess({"1": 1, "11": 2})
    pins = {i: a.levels[i] for i in IDS if i not in ("1", "11")}
    p = ENGINE.plan(a, index_of(dict(a.levels)) + Fraction(3 * 250, 10000), max_level=pins, respect_rules="all")
    assert p.feasible
    final = p.levels
    assert final["11"] - final["1"] <= 1
    order = [s.indicator for s in p.steps]
    assert order.index("1") < order.index("11")  # the policy is raised first
    free = ENGINE.plan(a, index_of(dict(a.levels)) + Fraction(3 * 250, 10000), max_level=pins, respect_rules=False)
    assert free.total_cost <= p.total_cost
    assert [r.id for r in p.binding_rules] == ["heuristic-policy-11"]
    assert p.cost_without_rules == free.total_cost and p.rules_cost == p.total_cost - free.total_cost
    assert "bound by heuristic rule(s) heuristic-policy-11" in p.summary()
    assert p.result is not None
    assert "heuristic-policy-11" not in [f.rule_id for f in ENGINE.check(p.result.assessment)]


def test_plan_splits_across_periods() -> None:
    a = assess()
    p = ENGINE.plan(a, "3.5", max_steps_per_period=8, periods=3)
    assert p.feasible and p.result is not None and p.result.fraction >= Fraction(35, 10)
    counts = {k: len(v) for k, v in p.by_period().items()}
    assert all(n <= 8 for n in counts.values()) and sorted(counts) == list(range(1, len(counts) + 1))


def brute_force(
    a: Assessment,
    free: list[str],
    caps: dict[str, int],
    costs: dict[str, dict[int, int]],
    target: Fraction,
    rules: list[Any],
    step_limit: int | None,
) -> Fraction | None:
    best = None
    ranges = [range(a.levels[i], caps[i] + 1) for i in free]
    for combo in itertools.product(*ranges):
        new = dict(a.levels) | dict(zip(free, combo, strict=True))
        if step_limit is not None and sum(new[i] - a.levels[i] for i in free) > step_limit:
            continue
        if index_of(new) < target:
            continue
        bad = False
        for r in rules:
            x = r.indicator
            if new[x] > a.levels[x] and any(new[q] < new[x] - r.max_gap for q in r.requires):
                bad = True
        if bad:
            continue
        cost = sum(sum(costs[i][lv] for lv in range(a.levels[i] + 1, new[i] + 1)) for i in free)
        best = cost if best is None else min(best, cost)
    return best


@settings(max_examples=60, deadline=None)
@given(
    free=st.lists(
        st.sampled_from(["1", "11", "2", "12", "13", "23", "3", "45", "32", "8", "31"]),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    levels=st.lists(st.integers(1, 5), min_size=47, max_size=47),
    costs=st.lists(st.integers(0, 6), min_size=11 * 5, max_size=11 * 5),
    frac=st.fractions(min_value=0, max_value=1),
    step_limit=st.one_of(st.none(), st.integers(0, 8)),
    respect=st.sampled_from(["all", False]),
)
def test_plan_is_optimal_against_brute_force(
    free: list[str], levels: list[int], costs: list[int], frac: Fraction, step_limit: int | None, respect: str | bool
) -> None:
    a = assess(dict(zip(IDS, levels, strict=True)))
    caps = {i: 5 for i in free}
    pins = {i: a.levels[i] for i in IDS if i not in free}
    cost_map = {i: {lv: costs[n * 5 + lv - 1] for lv in range(1, 6)} for n, i in enumerate(free)}
    now = index_of(dict(a.levels))
    top = index_of(dict(a.levels) | caps)
    target = now + (top - now) * frac
    rules = [r for r in ENGINE.rules("spbe-2020") if r.type == "prerequisite"] if respect else []
    p = ENGINE.plan(a, target, costs=cost_map, max_level=pins, respect_rules=respect, max_steps_per_period=step_limit)
    expected = brute_force(a, free, caps, cost_map, target, rules, step_limit)
    if expected is None:
        assert not p.feasible and p.max_reachable < target
        return
    assert p.feasible and p.total_cost == expected
    assert p.result is not None and p.result.fraction >= target
    assert sum((s.cost for s in p.steps), Fraction(0)) == p.total_cost
    if step_limit is not None:
        assert len(p.steps) <= step_limit
    if respect:
        final = p.levels
        for r in rules:
            x = r.indicator
            if final[x] > a.levels[x]:
                assert all(final[q] >= final[x] - r.max_gap for q in r.requires)


def test_free_steps_come_first_in_marginal_impact() -> None:
    m = ENGINE.marginal_impact(assess(), costs={"7": 0})
    assert m.indicators[0].indicator == "7" and m.indicators[0].gain_per_cost is None


def test_what_if_refuses_levels_that_are_not_levels() -> None:
    a = assess()
    for bad in (4.0, "4", True):
        with pytest.raises(SpbeError):
            ENGINE.what_if(a, levels={"11": bad})  # type: ignore[dict-item]
    with pytest.raises(SpbeError, match="unknown target"):
        ENGINE.plan(a, "nan")
    with pytest.raises(SpbeError, match="is not a level"):
        ENGINE.plan(a, "4.2", max_level={"11": "x"})
    with pytest.raises(SpbeError, match="is not a level"):
        ENGINE.plan(a, "4.2", costs={"11": {"x": 1}})
    p = ENGINE.plan(a, "7")
    assert not p.feasible and p.reason == "7.00 is above the top of the scale (5.00)"


def test_explain_uses_the_weighting_total() -> None:
    text = ENGINE.score(assess(), weighting="equal").explain()
    assert "Σ(level × weight) / 47 over all indicators" in text


def test_results_do_not_share_mutable_state() -> None:
    r1, r2 = ENGINE.score(assess()), ENGINE.score(assess(subject="B"))
    with pytest.raises(TypeError):
        r1.options["x"] = 1  # type: ignore[index]
    m = r1.manifest()
    m["plugins"].append({"name": "mine"})
    assert {"name": "mine"} not in r2.manifest()["plugins"]


def test_custom_weights_are_compiled_once_and_stay_exact() -> None:
    a = assess()
    w = {"1": "1.00000000000000000000000000001"}
    assert ENGINE.compiled("spbe-2020", w) is ENGINE.compiled("spbe-2020", dict(w))
    r = ENGINE.score(a, weighting=w)
    assert r.compiled.exact_weights[0] == Decimal("1.00000000000000000000000000001")
    with pytest.raises(SpbeError, match="float"):
        ENGINE.score(a, weighting={"1": 1.5})


# -- the planner's fast Pareto programme against the straightforward one -------------------------


def reference_front(options: list[Any], cap_gain: int, step_limit: int | None) -> list[tuple[int, int, Any]]:
    """The Pareto programme as first written: every state extended by every option, each bucket's
    (cost, gain) front kept with a stable sort. `planner._front` must give the same states, in the
    same order, with the same back-pointers."""
    from spbe_engine.whatif.planner import _prune

    buckets: dict[int, list[tuple[int, int, Any]]] = {0: [(0, 0, None)]}
    for opts in options:
        nxt: dict[int, list[tuple[int, int, Any]]] = {}
        for taken, states in buckets.items():
            for cost, gain, back in states:
                for o in opts:
                    s = taken + o.steps if step_limit is not None else 0
                    if step_limit is not None and s > step_limit:
                        continue
                    nxt.setdefault(s, []).append((cost + o.cost, min(gain + o.gain, cap_gain), (back, o)))
        buckets = {s: _prune(v) for s, v in nxt.items()}
    return [(cost, gain, back) for states in buckets.values() for cost, gain, back in states]


def plan_key(p: Any) -> Any:
    return (
        p.feasible,
        p.steps,
        p.total_cost,
        p.max_reachable,
        p.reason,
        p.binding_rules,
        p.cost_without_rules,
        p.steps_without_rules,
        None if p.result is None else p.result.numerator,
    )


@settings(max_examples=80, deadline=None)
@given(
    levels=st.lists(st.integers(1, 5), min_size=47, max_size=47),
    costs=st.dictionaries(
        st.sampled_from(IDS),
        st.one_of(st.integers(0, 5), st.dictionaries(st.integers(2, 5), st.integers(0, 7), max_size=4)),
        max_size=12,
    ),
    target=st.one_of(
        st.sampled_from(["Memuaskan", "Sangat Baik", "Baik", "Cukup", "Memuaskan"]),
        st.fractions(min_value=1, max_value=5),
    ),
    max_level=st.one_of(st.none(), st.integers(1, 5), st.dictionaries(st.sampled_from(IDS), st.integers(1, 5))),
    step_limit=st.one_of(st.none(), st.integers(0, 12)),
    periods=st.integers(1, 3),
    respect=st.sampled_from(["binding", "all", False]),
)
def test_fast_front_gives_the_same_plans_as_the_reference(
    levels: list[int],
    costs: dict[str, Any],
    target: Any,
    max_level: Any,
    step_limit: int | None,
    periods: int,
    respect: Any,
) -> None:
    from unittest import mock

    from spbe_engine.whatif import planner

    a = assess(dict(zip(IDS, levels, strict=True)))
    if step_limit is None:
        periods = 1
    kwargs: dict[str, Any] = {
        "costs": costs,
        "max_level": max_level,
        "max_steps_per_period": step_limit,
        "periods": periods,
        "respect_rules": respect,
    }
    fast = ENGINE.plan(a, target, **kwargs)
    with mock.patch.object(planner, "_front", reference_front):
        slow = ENGINE.plan(a, target, **kwargs)
    assert plan_key(fast) == plan_key(slow)
    assert fast.summary("en") == slow.summary("en")


def test_plan_many_on_the_national_table_is_plan_one_by_one(tmp_path: Any) -> None:
    import sys
    from pathlib import Path

    from spbe_engine.io.readers import load_assessments

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from national import write_national
    finally:
        sys.path.pop(0)
    path = tmp_path / "national.csv"
    write_national(path)
    items = load_assessments(path, engine=ENGINE)
    assert len(items) == 621
    many = ENGINE.plan_many(items, "Memuaskan", chunk_size=16)
    one = [ENGINE.plan(a, "Memuaskan") for a in items]
    assert [plan_key(p) for p in many] == [plan_key(p) for p in one]
    assert [p.to_dict(manifest=False) for p in many] == [p.to_dict(manifest=False) for p in one]
    assert sum(p.feasible for p in many) > 0 and any(p.steps for p in many)

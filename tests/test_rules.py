"""The rules engine: levels from evidence, cross-indicator rules, the dependency graph, traces."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import (
    Assessment,
    AssessmentError,
    CatalogueError,
    Engine,
    Evidence,
    PluginError,
    Rule,
    RuleMessage,
    SpbeError,
    hookimpl,
)

AS_OF = dt.date(2024, 6, 30)
MSG = RuleMessage(en="{indicator} at {level} vs {requires} at {actual}", id="{indicator} pada {level}")


def assess(
    levels: dict[int, int] | None = None, evidence: dict[int, list[dict[str, Any]]] | None = None, **extra: Any
) -> Assessment:
    base = {str(i): 3 for i in range(1, 48)}
    base.update({str(k): v for k, v in (levels or {}).items()})
    ev = {str(k): [Evidence(**item) for item in items] for k, items in (evidence or {}).items()}
    return Assessment(catalogue="spbe-2020", subject="Kota Uji", period="2024", levels=base, evidence=ev, **extra)


def item(id: str, level: int, kind: str, date: str | None = "2024-01-01", status: str = "accepted") -> dict[str, Any]:
    return {"id": id, "level": level, "kind": kind, "date": date, "status": status}


POLICY_FULL = [
    item("enacted", 3, "enacted_policy", "2020-01-01"),
    item("review", 4, "review_report", "2023-01-01"),
    item("revised", 5, "revised_policy", "2023-06-01"),
]


# -- levels from evidence ---------------------------------------------------------------------


def test_policy_ladder_supported_to_the_top(engine: Engine) -> None:
    a = assess({1: 5}, {1: POLICY_FULL})
    assert engine.supported_levels(a, as_of=AS_OF) == {"1": 5}
    assert engine.check(a, as_of=AS_OF) == []


@pytest.mark.parametrize(
    ("review_date", "as_of", "supported"),
    [
        ("2022-07-01", "2024-06-30", 5),  # 1 day under two years: valid
        ("2022-06-30", "2024-06-30", 3),  # exactly two years: no longer "under 2 years"
        ("2022-06-29", "2024-06-30", 3),
        ("2024-06-30", "2024-06-30", 5),  # dated on the evaluation date
        ("2024-07-01", "2024-06-30", 3),  # dated after the evaluation date: not yet evidence
        ("2022-02-28", "2024-02-29", 3),  # leap day: two years before 2024-02-29 is 2022-02-28
        ("2022-03-01", "2024-02-29", 5),
    ],
)
def test_review_must_be_under_two_years_old(engine: Engine, review_date: str, as_of: str, supported: int) -> None:
    ev = [POLICY_FULL[0], item("review", 4, "review_report", review_date), POLICY_FULL[2]]
    a = assess({1: 5}, {1: ev})
    assert engine.supported_levels(a, as_of=dt.date.fromisoformat(as_of))["1"] == supported


def test_a_gap_at_level_two_caps_the_indicator_at_one(engine: Engine) -> None:
    """Cumulative levels: review and revision evidence cannot stand in for a missing enacted policy."""
    a = assess({1: 5}, {1: POLICY_FULL[1:]})
    assert engine.supported_levels(a, as_of=AS_OF) == {"1": 1}
    (f,) = engine.check(a, as_of=AS_OF)
    assert f.rule_id == "evidence-policy" and f.severity == "error" and f.basis == "regulation"
    assert "supports only level 1" in f.message() and "no valid “Enacted policy document” for level 2" in f.message()
    assert "hanya mendukung tingkat 1" in f.message("id")
    assert f.trace == ("review", "revised") and "Pedoman MenPANRB 3/2024" in (f.citation or "")


@pytest.mark.parametrize("status", ["pending", "rejected", "needs_revision"])
def test_only_accepted_evidence_counts(engine: Engine, status: str) -> None:
    ev = [item("enacted", 3, "enacted_policy", status=status)]
    a = assess({1: 3}, {1: ev})
    assert engine.supported_levels(a, as_of=AS_OF) == {"1": 1}
    assert f"enacted is {status.replace('_', ' ')}" in engine.check(a, as_of=AS_OF)[0].message()


def test_undated_review_does_not_count_but_undated_policy_does(engine: Engine) -> None:
    ev = [item("enacted", 3, "enacted_policy", None), item("review", 4, "review_report", None)]
    a = assess({1: 4}, {1: ev})
    assert engine.supported_levels(a, as_of=AS_OF) == {"1": 3}
    assert "review is undated" in engine.check(a, as_of=AS_OF)[0].message()


def test_audit_needs_an_external_audit_within_two_years(engine: Engine) -> None:
    ev = [
        item("plan", 2, "programme_plan"),
        item("internal", 3, "audit_report_internal"),
        item("external", 4, "audit_report_external", "2022-07-01"),
        item("follow-up", 5, "audit_follow_up"),
    ]
    a = assess({29: 5}, {29: ev})
    assert engine.supported_levels(a, as_of=AS_OF) == {"29": 5}
    assert engine.supported_levels(a, as_of=dt.date(2024, 7, 1)) == {"29": 3}


def test_service_levels_need_their_own_screenshots(engine: Engine) -> None:
    """exact_level: a level-3 screenshot does not document the level-2 functions."""
    only3 = assess({32: 3}, {32: [item("s3", 3, "screenshot")]})
    assert engine.supported_levels(only3, as_of=AS_OF) == {"32": 1}
    both = assess(
        {32: 4}, {32: [item("s2", 2, "screenshot"), item("s3", 3, "screenshot"), item("i4", 4, "integration_proof")]}
    )
    assert engine.supported_levels(both, as_of=AS_OF) == {"32": 4}


def test_architecture_rule_applies_to_11_and_12_only(engine: Engine) -> None:
    ev = [item("doc", 3, "document"), item("kepwal", 4, "decree"), item("review", 4, "review_report")]
    assert engine.supported_levels(assess({11: 4}, {11: ev}), as_of=AS_OF) == {"11": 4}
    # indicator 14 is governance too, but not 11/12: a "document" only reaches level 2 there
    assert engine.supported_levels(assess({14: 4}, {14: ev}), as_of=AS_OF) == {"14": 2}


def test_declared_below_supported_is_not_a_finding(engine: Engine) -> None:
    a = assess({1: 2}, {1: POLICY_FULL})
    assert engine.check(a, as_of=AS_OF) == []


def test_bad_evidence_is_refused(engine: Engine) -> None:
    with pytest.raises(AssessmentError, match=r"unknown kind 'selfie'.*allowed: audit_follow_up"):
        engine.check(assess({}, {1: [item("x", 2, "selfie")]}), as_of=AS_OF)
    with pytest.raises(AssessmentError, match=r"evidence 'x' of indicator 1 is for level 6 \(allowed: 1–5\)"):
        engine.check(assess({}, {1: [item("x", 6, "enacted_policy")]}), as_of=AS_OF)
    with pytest.raises(AssessmentError, match="evidence for unknown indicator '99'"):
        engine.check(assess({}, {99: [item("x", 2, "enacted_policy")]}), as_of=AS_OF)
    with pytest.raises(
        SpbeError, match="field 'status': Input should be 'pending', 'accepted', 'rejected' or 'needs_revision'"
    ):
        Evidence(id="x", level=2, kind="enacted_policy", status="ok")


# -- cross-indicator rules --------------------------------------------------------------------


def test_heuristic_pairs_warn_without_changing_the_index(engine: Engine) -> None:
    a = assess({11: 4, 1: 1})
    findings = engine.check(a, as_of=AS_OF)
    assert [f.rule_id for f in findings] == ["heuristic-policy-11"]
    (f,) = findings
    assert f.severity == "warning" and f.basis == "heuristic" and f.indicators == ("11", "1") and f.change is None
    assert "no cross-indicator cap" in f.message() and f.trace == ("11=4", "1=1")
    plain = engine.score(a)
    ruled = engine.score(a, apply_rules=True, as_of=AS_OF)
    assert ruled.fraction == plain.fraction and ruled.changes == ()
    assert "heuristic-policy-11" in ruled.explain() and "Aturan yang berlaku" in ruled.explain("id")


def test_no_shipped_rule_is_a_cap(engine: Engine) -> None:
    assert all(r.type != "cap" for r in engine.catalogue("spbe-2020").rules)


def test_sector_services_must_differ(engine: Engine) -> None:
    ok = assess(services={45: "Perizinan", 46: "Kesehatan", 47: "Pendidikan"})
    assert engine.check(ok, as_of=AS_OF) == []
    clash = assess(services={45: "Layanan Data Terbuka", 46: "Kesehatan", 47: "kesehatan"})
    findings = engine.check(clash, as_of=AS_OF)
    assert [(f.rule_id, f.indicators) for f in findings] == [
        ("sector-services-distinct", ("45", "43")),
        ("sector-services-distinct", ("47", "46")),
    ]
    assert all(f.severity == "error" and f.basis == "regulation" for f in findings)


class CapPlugin:
    def __init__(self, *rules: Rule) -> None:
        self._rules = list(rules)

    @hookimpl
    def spbe_rules(self, catalogue: Any) -> list[Rule] | None:
        return self._rules if catalogue.id == "spbe-2020" else None


def cap(id: str, indicator: str, requires: str, max_gap: int | None = 1, **kw: Any) -> Rule:
    return Rule(
        id=id,
        type="cap",
        severity="warning",
        basis="heuristic",
        indicator=indicator,
        requires=(requires,),
        max_gap=max_gap,
        message=MSG,
        **kw,
    )


def test_hook_spbe_rules() -> None:
    engine = Engine([CapPlugin(cap("cap-31-8", "31", "8"))], load_entry_points=False)
    assert "cap-31-8" in [r.id for r in engine.rules("spbe-2020")]
    a = assess({31: 5, 8: 2})
    r = engine.score(a, apply_rules=True, as_of=AS_OF)
    assert [(c.indicator, c.before, c.after, c.rule_id) for c in r.changes] == [("31", 5, 3, "cap-31-8")]
    assert r.indicators["31"].level == 3 and r.fraction < engine.score(a).fraction
    assert "lowered 5 → 3 by rule cap-31-8" in r.explain()
    assert engine.graph("spbe-2020").has_edge("rule:cap-31-8", "31")


def test_caps_resolve_in_topological_order() -> None:
    """B is capped by A, C by B: C must see B's capped level, whatever order the plugins came in."""
    rules = [cap("z-cap-b", "22", "8"), cap("a-cap-c", "31", "22")]
    for ordered in (rules, rules[::-1]):
        engine = Engine([CapPlugin(*ordered)], load_entry_points=False)
        r = engine.score(assess({8: 1, 22: 5, 31: 5}), apply_rules=True, as_of=AS_OF)
        assert [(c.indicator, c.after) for c in r.changes] == [("22", 2), ("31", 3)]


def test_min_level_cap() -> None:
    rule = Rule(
        id="need-10",
        type="cap",
        severity="error",
        basis="heuristic",
        indicator="19",
        at_level=4,
        requires=("10",),
        min_level=3,
        message=MSG,
    )
    engine = Engine([CapPlugin(rule)], load_entry_points=False)
    r = engine.score(assess({19: 5, 10: 2}), apply_rules=True, as_of=AS_OF)
    assert r.indicators["19"].level == 3
    assert engine.score(assess({19: 5, 10: 3}), apply_rules=True, as_of=AS_OF).changes == ()


def test_rule_cycle_is_refused_naming_both_indicators() -> None:
    engine = Engine([CapPlugin(cap("c1", "22", "8"), cap("c2", "8", "22"))], load_entry_points=False)
    with pytest.raises(
        CatalogueError, match=r"rule cycle in catalogue spbe-2020: .*(8 → rule:c\d → 22|22 → rule:c\d → 8)"
    ):
        engine.rules("spbe-2020")


def test_rule_on_unknown_indicator_names_the_rule() -> None:
    engine = Engine([CapPlugin(cap("ghost", "48", "8"))], load_entry_points=False)
    with pytest.raises(CatalogueError, match=r"rule 'ghost' names unknown indicator '48'.*from '.*CapPlugin'"):
        engine.check(assess(), as_of=AS_OF)


def test_duplicate_rule_id_names_both_sources() -> None:
    clash = cap("heuristic-policy-11", "11", "1")
    with pytest.raises(PluginError, match="rule 'heuristic-policy-11' is provided by both 'catalogue spbe-2020'"):
        Engine([CapPlugin(clash)], load_entry_points=False).rules("spbe-2020")


def test_rule_shapes_are_validated() -> None:
    with pytest.raises(SpbeError, match="give exactly one of `min_level` or `max_gap`"):
        Rule(id="x", type="cap", severity="error", basis="heuristic", indicator="1", requires=("2",), message=MSG)
    with pytest.raises(SpbeError, match="a regulation rule needs a citation"):
        Rule(
            id="x",
            type="prerequisite",
            severity="error",
            basis="regulation",
            indicator="1",
            requires=("2",),
            max_gap=1,
            message=MSG,
        )
    with pytest.raises(SpbeError, match="cannot require itself"):
        Rule(
            id="x",
            type="cap",
            severity="error",
            basis="heuristic",
            indicator="1",
            requires=("1",),
            max_gap=1,
            message=MSG,
        )


# -- graph and impact -------------------------------------------------------------------------


def test_graph_kinds_and_impact(engine: Engine) -> None:
    g = engine.graph("spbe-2020")
    kinds = {k for _, k in g.nodes(data="kind")}
    assert kinds == {"indicator", "group", "index", "rule"}
    assert sum(k == "indicator" for _, k in g.nodes(data="kind")) == 47
    assert engine.impact("spbe-2020", "1") == {"A1", "D1", "index", "rule:heuristic-policy-11", "11", "A2", "D2"}
    assert engine.impact("spbe-2020", "45") == {"A8", "D4", "index", "rule:sector-services-distinct"}
    assert engine.impact("spbe-2020", 47) >= {"A8", "D4", "index"}
    with pytest.raises(SpbeError, match="unknown node '48'"):
        engine.impact("spbe-2020", "48")


# -- properties -------------------------------------------------------------------------------

CAP_RULES = [
    cap(f"p{n}-{a}-{b}", a, b, g)
    for n, (a, b, g) in enumerate(
        [("31", "8", 1), ("22", "8", 0), ("23", "3", 1), ("11", "1", 2), ("29", "9", 1), ("15", "4", 0)]
    )
]


@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(st.integers(1, 5), min_size=47, max_size=47),
    rules=st.lists(st.sampled_from(CAP_RULES), unique_by=lambda r: r.id, max_size=6),
    data=st.data(),
)
def test_caps_never_raise_and_order_of_registration_is_irrelevant(
    levels: list[int], rules: list[Rule], data: st.DataObject
) -> None:
    a = assess(dict(enumerate(levels, 1)))
    plugins = [CapPlugin(r) for r in rules]
    shuffled = data.draw(st.permutations(plugins))
    one = Engine(plugins, load_entry_points=False)
    two = Engine(shuffled, load_entry_points=False)
    plain = one.score(a)
    r1 = one.score(a, apply_rules=True, as_of=AS_OF)
    r2 = two.score(a, apply_rules=True, as_of=AS_OF)
    assert r1.fraction <= plain.fraction
    assert all(x <= y for x, y in zip(r1.levels, plain.levels, strict=True))
    assert r1.levels == r2.levels and r1.changes == r2.changes
    assert [f.rule_id for f in r1.findings] == [f.rule_id for f in r2.findings]


def _hook_calls_while_scoring(e: Engine) -> list[str]:
    """The hooks pluggy dispatches while `e` scores and checks, once everything is resolved."""
    items = [assess({1: 4, 31: 5, 8: 1}, {1: POLICY_FULL}) for _ in range(5)]
    e.score_many(items)
    e.check(items[0], as_of=AS_OF)  # resolve everything first
    calls: list[str] = []
    undo = e.registry.pm.add_hookcall_monitoring(lambda name, impls, kw: calls.append(name), lambda *a: None)
    try:
        e.score_many(items)
        for a in items:
            e.check(a, as_of=AS_OF)
            e.score(a, apply_rules=True, as_of=AS_OF)
    finally:
        undo()
    return calls


def test_hot_path_calls_no_hooks() -> None:
    assert _hook_calls_while_scoring(Engine([CapPlugin(cap("cap-31-8", "31", "8"))], load_entry_points=False)) == []


def test_the_hot_path_guard_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test of the test: inject a hook call into every score and the guard sees it. (Before 0.2 the
    engine called plugin functions itself, so pluggy's monitor saw nothing and this stayed green.)"""
    import spbe_engine.operations.scoring as ops

    e = Engine([CapPlugin(cap("cap-31-8", "31", "8"))], load_entry_points=False)
    real = ops.score_compiled

    def leaky(cc: Any, a: Any, missing: Any = None, **kw: Any) -> Any:
        e.registry.pm.hook.spbe_weighting_schemes()
        return real(cc, a, missing, **kw)

    monkeypatch.setattr(ops, "score_compiled", leaky)
    assert "spbe_weighting_schemes" in _hook_calls_while_scoring(e)


def test_example_plugin_is_installed_and_found_through_entry_points() -> None:
    """plugins/spbe-riau-rules is installed by the README's test command (and CI)."""
    engine = Engine()
    assert any(p.name == "riau-rules" and p.origin == "entry-point" for p in engine.plugins())
    r = engine.score(assess({31: 5, 8: 2}), apply_rules=True, as_of=AS_OF)
    assert ("31", 5, 3, "riau-security-audit-cap") in [(c.indicator, c.before, c.after, c.rule_id) for c in r.changes]


def test_prerequisites_judge_declared_levels_whatever_a_cap_did() -> None:
    """A cap named to sort first must not hide the heuristic warning on the same pair."""
    for name in ("aaa-cap", "zzz-cap"):
        engine = Engine([CapPlugin(cap(name, "31", "8"))], load_entry_points=False)
        findings = engine.check(assess({31: 5, 8: 2, 9: 4}), as_of=AS_OF)
        assert sorted((f.rule_id, f.indicators) for f in findings) == sorted(
            [(name, ("31", "8")), ("heuristic-policy-31", ("31", "8"))]
        )


def test_findings_in_bahasa_indonesia_are_indonesian(engine: Engine) -> None:
    a = assess({1: 4}, {1: [POLICY_FULL[0], item("review", 4, "review_report", "2021-01-01")]})
    (f,) = engine.check(a, as_of=AS_OF)
    # issue 13: the evidence kind by the name people know, not its id (`review_report`)
    assert "tidak ada “Laporan reviu/evaluasi” yang sah untuk tingkat 4" in f.message("id")
    assert "tidak kurang dari 2 tahun pada 2024-06-30" in f.message("id")
    assert "not under 2 year(s) old" in f.message("en")


def test_service_names_compare_whole_words(engine: Engine) -> None:
    """'Pelayanan Kesehatan' is not 'Kesehatan': only whole filler words are ignored."""
    a = assess(services={45: "Pelayanan Kesehatan", 46: "Layanan Kesehatan", 47: "Pendidikan"})
    findings = engine.check(a, as_of=AS_OF)
    assert findings == []
    b = assess(services={45: "Layanan Kesehatan", 46: "Kesehatan", 47: "Pendidikan"})
    assert [f.indicators for f in engine.check(b, as_of=AS_OF)] == [("46", "45")]


def test_partial_uses_check_levels_like_scoring(engine: Engine) -> None:
    """Rules and migration accept partial assessments but not bad levels, with scoring's errors."""
    bad = Assessment(catalogue="spbe-2020", subject="K", period="1", levels={"5": 9})
    for call in (lambda: engine.check(bad, as_of=AS_OF), lambda: Engine().migrate(bad, to="pemdi-2026")):
        with pytest.raises(AssessmentError, match=r"indicator 5 has level 9, outside scale 'process' \(allowed: 1–5\)"):
            call()
    assert engine.check(Assessment(catalogue="spbe-2020", subject="K", period="1", levels={"5": 3}), as_of=AS_OF) == []

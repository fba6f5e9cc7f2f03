"""Invariants of exact scoring, for every bundled catalogue (hypothesis)."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine

ENGINE = Engine(load_entry_points=False)
CATALOGUES = ENGINE.catalogue_ids()


@st.composite
def assessments(draw: st.DrawFn, catalogue: str | None = None) -> Assessment:
    cid = catalogue or draw(st.sampled_from(CATALOGUES))
    cc = ENGINE.compiled(cid)
    levels = {i: draw(st.integers(lo, hi)) for i, lo, hi in zip(cc.ids, cc.lo, cc.hi, strict=True)}
    return Assessment(catalogue=cid, subject="S", period="2024", levels=levels)


@given(assessments())
def test_index_within_scale_range(a: Assessment) -> None:
    r = ENGINE.score(a)
    cc = r.compiled
    assert min(cc.lo) <= r.fraction <= max(cc.hi)
    for g in r.groups.values():
        assert min(cc.lo) <= g.fraction <= max(cc.hi)


@given(assessments(), st.data())
def test_raising_a_level_never_lowers_anything(a: Assessment, data: st.DataObject) -> None:
    cc = ENGINE.compiled(a.catalogue)
    raisable = [i for n, i in enumerate(cc.ids) if a.levels[i] < cc.hi[n]]
    if not raisable:
        return
    iid = data.draw(st.sampled_from(raisable))
    step = data.draw(st.integers(1, cc.hi[cc.position[iid]] - a.levels[iid]))
    before = ENGINE.score(a)
    after = ENGINE.score(a.model_copy(update={"levels": {**a.levels, iid: a.levels[iid] + step}}))
    assert after.fraction > before.fraction
    for gid, g in before.groups.items():
        assert after.groups[gid].fraction >= g.fraction
    ranks = [b.predikat for b in cc.catalogue.bands]
    assert ranks.index(after.predikat) <= ranks.index(before.predikat)


@given(assessments(), st.randoms(use_true_random=False))
def test_order_of_indicators_is_irrelevant(a: Assessment, rnd: random.Random) -> None:
    items = list(a.levels.items())
    rnd.shuffle(items)
    shuffled = Assessment(catalogue=a.catalogue, subject=a.subject, period=a.period, levels=dict(items))
    assert ENGINE.score(shuffled).to_dict(manifest=False) == ENGINE.score(a).to_dict(manifest=False)


@settings(max_examples=30)
@given(st.lists(assessments(), min_size=0, max_size=8))
def test_score_many_equals_score_one_by_one(items: list[Assessment]) -> None:
    assert [r.to_dict(manifest=False) for r in ENGINE.score_many(items)] == [
        ENGINE.score(a).to_dict(manifest=False) for a in items
    ]


@given(assessments())
def test_display_is_half_up_of_the_exact_value(a: Assessment) -> None:
    r = ENGINE.score(a)
    f = r.fraction
    expected = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert r.display == str(expected)


@given(assessments())
def test_groups_are_weighted_means_of_their_children(a: Assessment) -> None:
    r = ENGINE.score(a)
    cat = r.compiled.catalogue
    for g in cat.all_groups():
        parts = [(r.groups[c.id].fraction, Fraction(c.weight)) for c in g.groups]
        parts += [(Fraction(a.levels[i.id]), Fraction(i.weight)) for i in g.indicators]
        assert r.groups[g.id].fraction == sum(v * w for v, w in parts) / sum(w for _, w in parts)
    assert sum(s.contribution for s in r.indicators.values()) == r.fraction


@given(assessments())
def test_predikat_matches_band_of_exact_value(a: Assessment) -> None:
    r = ENGINE.score(a)
    bands = r.compiled.catalogue.bands
    expected = next((b.predikat for b in bands if r.fraction >= Fraction(b.lower)), bands[-1].predikat)
    assert r.predikat == expected

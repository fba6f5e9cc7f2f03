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


# -- Assessment's fast path (a table row: texts and normalised levels) vs the full validation ----------

_IDS_2020 = ENGINE.compiled("spbe-2020").ids
Assessment(catalogue="spbe-2020", subject="S", period="2024", levels=dict.fromkeys(_IDS_2020, 3))  # a known key set


class _Text(str):
    pass


class _Int(int):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _NeverRemember(dict):  # type: ignore[type-arg]
    """`_NORMAL_KEYS` for the full validation: no key set is ever known, so every key is checked."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


_TEXTS = st.one_of(
    st.sampled_from(["spbe-2020", "Kota Baubau", "2024", "", " x", "x ", "\ud800", "a\udc00b", "Kab. Pidië – ñ"]),
    st.text(max_size=6),
    st.builds(_Text, st.sampled_from(["spbe-2020", "S"])),
    st.sampled_from([2024, True, 4.0, None, b"spbe-2020", ["x"]]),
)
_BAD_LEVELS = st.sampled_from([True, False, 4.0, "4", -1, 0, 6, 99, 2**70, None, _Int(3), Decimal(3), Fraction(3)])
_BAD_KEYS = st.sampled_from([5, " 5", "5 ", "", "99", b"5", 5.0, True, None, ("5",)])


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, object]:
    given: dict[object, object] = {i: draw(st.integers(1, 5)) for i in _IDS_2020}
    levels: object = given
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # mostly valid levels, so the texts matter
        change = draw(st.sampled_from(["value", "drop", "add", "rename"]))
        key = draw(st.sampled_from(_IDS_2020))
        if change == "value":
            given[key] = draw(_BAD_LEVELS)
        elif change == "drop":
            given.pop(key, None)
        elif change == "add":
            given[draw(_BAD_KEYS)] = 3
        else:
            given[draw(_BAD_KEYS)] = given.pop(key, 3)
    shape = draw(st.sampled_from(["dict"] * 7 + ["subclass", "list", "none"]))
    if shape == "subclass":
        levels = _Dict(given)
    elif shape == "list":
        levels = list(given)
    elif shape == "none":
        levels = None
    row: dict[str, object] = {"catalogue": "spbe-2020", "subject": "S", "period": "2024", "levels": levels}
    for name in draw(st.sets(st.sampled_from(["catalogue", "subject", "period"]))):
        row[name] = draw(_TEXTS)
    extra = draw(st.sampled_from([None] * 5 + ["drop", "notes", "unknown"]))
    if extra == "drop":
        del row[draw(st.sampled_from(sorted(row)))]
    elif extra == "notes":
        row["notes"] = {}
    elif extra == "unknown":
        row["colour"] = "red"
    return row


def _outcome(make: object, row: dict[str, object]) -> tuple[str, object]:
    try:
        a = make(**row)  # type: ignore[operator]
    except Exception as exc:  # the exception itself is compared
        return "error", (type(exc), str(exc), getattr(exc, "field", None), getattr(exc, "allowed", None))
    return "ok", (
        a.model_dump(),
        a.model_fields_set,
        {name: type(value) for name, value in a},
        [type(k) for k in a.levels],
        [type(v) for v in a.levels.values()],
        a.levels is not row.get("levels"),
    )


def _full(**row: object) -> Assessment:
    """The full pydantic validation, with no key set known (every key and level checked in Python)."""
    from spbe_engine.model import assessment as module
    from spbe_engine.model._base import StrictModel

    known, module._NORMAL_KEYS = module._NORMAL_KEYS, _NeverRemember()
    try:
        a = Assessment.__new__(Assessment)
        StrictModel.__init__(a, **row)
        return a
    finally:
        module._NORMAL_KEYS = known


@settings(max_examples=400, deadline=None)
@given(_rows())
def test_assessment_fast_path_accepts_and_refuses_exactly_what_full_validation_does(row: dict[str, object]) -> None:
    fast = _outcome(Assessment, row)
    assert fast == _outcome(_full, row)
    if fast[0] == "ok":  # and the result is a model like any other: equal, dumped and copied alike
        a, b = Assessment(**row), _full(**row)
        assert a == b and a.model_dump_json() == b.model_dump_json()
        assert a.replace(subject="T") == b.replace(subject="T")


def test_assessment_fast_path_is_taken_for_a_normal_row(monkeypatch: object) -> None:
    """A table row of known ids and int levels never reaches pydantic (the rate of bulk imports)."""
    from spbe_engine.model._base import StrictModel

    def refuse(self: object, /, **data: object) -> None:
        raise AssertionError("full validation ran")

    levels = {i: 2 for i in _IDS_2020}
    mp = __import__("pytest").MonkeyPatch()
    try:
        mp.setattr(StrictModel, "__init__", refuse)
        a = Assessment(catalogue="spbe-2020", subject="Kab. Pidië", period="2024", levels=levels)
    finally:
        mp.undo()
    levels["1"] = 5  # the caller's dict may change; the assessment does not
    assert a.levels["1"] == 2 and a.model_fields_set == {"catalogue", "subject", "period", "levels"}
    assert a.notes == {} and a.notes is not Assessment(**a.model_dump()).notes
    assert ENGINE.score(a).display == ENGINE.score(a.replace(notes={})).display


def test_fast_path_assessments_share_one_unchangeable_fields_set() -> None:
    """The fast path shares pydantic's "fields set" (one object less per assessment for the GC):
    it refuses to change, and every copy pydantic or the user makes gets a plain set of its own."""
    import copy
    import pickle

    import pytest

    levels = {i: 3 for i in _IDS_2020}
    a, b = (Assessment(catalogue="spbe-2020", subject=s, period="2024", levels=levels) for s in "AB")
    assert a.model_fields_set is b.model_fields_set  # shared, the point of it
    with pytest.raises(TypeError):
        a.model_fields_set.add("notes")
    with pytest.raises(TypeError):
        a.model_fields_set |= {"notes"}
    with pytest.raises(TypeError):
        a.model_fields_set.__init__(["catalogue"])  # type: ignore[misc]
    assert a.model_fields_set == {"catalogue", "subject", "period", "levels"}
    for c in (
        a.model_copy(update={"notes": {"1": "x"}}),
        a.model_copy(update={"notes": {"1": "x"}}, deep=True),
        copy.copy(a),
        copy.deepcopy(a),
        pickle.loads(pickle.dumps(a)),
    ):
        assert type(c.model_fields_set) is set and c.model_fields_set is not a.model_fields_set
        c.model_fields_set.add("tags")  # a copy's set is its own
    assert b.model_fields_set == {"catalogue", "subject", "period", "levels"}
    assert pickle.loads(pickle.dumps(a)) == a and a.replace(subject="C").model_fields_set >= {"subject"}

"""Scoring against the regulation's worked examples, published boundary cases and rounding rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Assessment, AssessmentError, Engine, SpbeError, load_assessments
from spbe_engine.scoring.numbers import display, to_decimal

from .conftest import spbe2020


def spread(total: int, n: int) -> list[int]:
    base, extra = divmod(total, n)
    return [base + 1] * extra + [base] * (n - extra)


def vector(d1: int, a2: list[int], a3: list[int], a4: list[int], d3: int, a7: int, a8: int) -> list[int]:
    return spread(d1, 10) + a2 + a3 + a4 + spread(d3, 11) + spread(a7, 10) + spread(a8, 6)


def test_worked_example_aspect_and_domain(engine: Engine) -> None:
    """59/2020 Lampiran: Aspek 2 (3,4,3,2) → 3.00; Domain 2 with A2=3, A3=4, A4=3 → 85/25 = 3.40."""
    r = engine.score(spbe2020(vector(30, [3, 4, 3, 2], [4, 4, 4, 4], [3, 3], 33, 30, 18)))
    assert r.groups["A2"].fraction == 3
    assert r.groups["A2"].display == "3.00"
    assert r.groups["A3"].display == "4.00"
    assert r.groups["D2"].fraction == Fraction(85, 25)
    assert r.groups["D2"].display == "3.40"


def test_worked_example_index_from_domains(engine: Engine) -> None:
    """59/2020 Lampiran: D1–D4 = 3.70 / 3.40 / 3.00 / 3.20 → 328.20 / 100 = 3.28."""
    cat = engine.catalogue("spbe-2020")
    domains = {"D1": Decimal("3.70"), "D2": Decimal("3.40"), "D3": Decimal("3.00"), "D4": Decimal("3.20")}
    total = sum(domains[g.id] * g.weight for g in cat.groups)
    assert total == Decimal("328.2000")
    f = Fraction(total) / 100
    assert display(f.numerator, f.denominator) == "3.28"


def test_index_is_weighted_sum_of_domains(engine: Engine) -> None:
    r = engine.score(spbe2020(vector(37, [3, 4, 3, 2], [4, 3, 4, 4], [3, 2], 30, 38, 20)))
    cat = engine.catalogue("spbe-2020")
    assert r.fraction == sum(r.groups[g.id].fraction * Fraction(g.weight) for g in cat.groups) / 100


def test_half_up_tie_banyuwangi_2024(engine: Engine) -> None:
    """Kab. Banyuwangi 2024: exactly 4.765, published 4.77 (half-even would give 4.76)."""
    r = engine.score(spbe2020(vector(50, [5, 5, 5, 5], [5, 4, 4, 4], [5, 4], 46, 50, 30)))
    assert r.groups["D2"].display == "4.60"
    assert r.groups["D3"].fraction == Fraction(46, 11)
    assert r.index == Decimal("4.765")
    assert r.display == "4.77"
    assert r.predikat == "Memuaskan"


def _search(lo: int, hi: int) -> list[int]:
    """A level vector whose exact index ×10000 lies in [lo, hi)."""
    for d1 in range(10, 51):
        for d3 in range(11, 56):
            for a7 in range(10, 51):
                for a8 in range(6, 31):
                    base = 130 * d1 + 150 * d3 + 275 * a7 + 300 * a8
                    rest = lo - base
                    d2 = -(-rest // 250)
                    if 10 <= d2 <= 50 and base + 250 * d2 < hi:
                        a2 = spread(d2, 10)
                        return vector(d1, a2[:4], a2[4:8], a2[8:], d3, a7, a8)
    raise AssertionError("no vector found")


@pytest.mark.parametrize(
    ("lo", "hi", "shown", "predikat"),
    [
        (34950, 35000, "3.50", "Baik"),  # like Kab. Pacitan 2024: 3.4986 shows 3.50, still Baik
        (17950, 18000, "1.80", "Kurang"),  # like Kab. Nias Barat 2024: 1.7985 shows 1.80, Kurang
        (25950, 26000, "2.60", "Cukup"),  # like Kab. Luwu 2024: 2.5968 shows 2.60, Cukup
        (35000, 35001, "3.50", "Sangat Baik"),  # exactly on the bound: lower bounds are inclusive
    ],
)
def test_predikat_is_banded_on_the_unrounded_index(engine: Engine, lo: int, hi: int, shown: str, predikat: str) -> None:
    r = engine.score(spbe2020(_search(lo, hi)))
    assert lo <= r.fraction * 10000 < hi
    assert r.display == shown
    assert r.predikat == predikat


def test_explain_says_why_display_and_predikat_differ(engine: Engine) -> None:
    r = engine.score(spbe2020(_search(34950, 35000)))
    text = r.explain()
    assert "displayed as 3.50" in text and "so it is Baik, not Sangat Baik" in text
    assert "PermenPANRB 59/2020" in text
    text_id = r.explain(lang="id")
    assert "ditampilkan 3,50" in text_id and "predikatnya Baik, bukan Sangat Baik" in text_id
    with pytest.raises(SpbeError, match="allowed: en, id"):
        r.explain(lang="fr")


def test_explain_without_trap_has_no_rounding_note(engine: Engine) -> None:
    r = engine.score(spbe2020([3] * 47))
    assert r.index == 3 and r.predikat == "Baik"
    assert "displayed as" not in r.explain()


def test_all_threes_is_exactly_three(engine: Engine) -> None:
    """A float weighted mean lands just below 3 here; the engine must give exactly 3."""
    floats = [float(w) / 100 for w in engine.weights("spbe-2020").values()]
    assert sum(3 * w for w in floats) < 3  # the trap the engine avoids
    r = engine.score(spbe2020([3] * 47))
    assert r.fraction == 3 and all(g.fraction == 3 for g in r.groups.values())


def test_contributions_sum_to_index(engine: Engine) -> None:
    r = engine.score(spbe2020([1, 2, 3, 4, 5] * 9 + [2, 4]))
    assert sum(s.contribution for s in r.indicators.values()) == r.fraction
    assert r.indicators["45"].contribution == Fraction(r.indicators["45"].level * 3, 100)


def test_json_keeps_exact_values(engine: Engine) -> None:
    r = engine.score(spbe2020([1, 2, 3, 4, 5] * 9 + [2, 4]))
    data = json.loads(json.dumps(r.to_dict()))
    assert Decimal(data["index"]) == r.index
    # one encoding for every exact value: the decimal when it terminates, else "n/d"
    assert data["exact"] == str(r.index) and Fraction(data["exact"]) == r.fraction
    assert "/" in data["groups"]["D3"]["exact"]  # 11 indicators: a thirteenth… does not terminate
    assert Fraction(data["groups"]["D3"]["exact"]) == r.groups["D3"].fraction
    assert data["groups"]["D1"]["weight"] == "13.00"
    assert data["predikat"] == r.predikat


def test_partial_needs_a_policy(engine: Engine) -> None:
    levels = {str(i): 4 for i in range(1, 40)}
    a = spbe2020(levels)
    with pytest.raises(AssessmentError, match=r"8 indicator\(s\) not assessed: 40, 41"):
        engine.score(a)
    r = engine.score(a, missing="minimum")
    assert r.partial and r.missing == tuple(str(i) for i in range(40, 48))
    assert r.indicators["47"].level == 1 and r.indicators["47"].missing
    full = engine.score(spbe2020({**levels, **{str(i): 1 for i in range(40, 48)}}))
    assert r.fraction == full.fraction and not full.partial
    assert engine.score(a, missing=3).indicators["40"].level == 3
    assert "Partial: 8 indicator(s)" in r.explain()
    with pytest.raises(AssessmentError, match="outside scale"):
        engine.score(a, missing=9)
    with pytest.raises(AssessmentError, match="unknown missing-level policy"):
        engine.score(a, missing="maximum-ish")


def test_bad_levels_are_refused_with_allowed_values(engine: Engine) -> None:
    with pytest.raises(AssessmentError, match=r"indicator 5 has level 0.*allowed: 1–5"):
        engine.score(spbe2020([3, 3, 3, 3, 0] + [3] * 42))
    with pytest.raises(AssessmentError, match=r"unknown indicator '48'.*allowed: 1–47"):
        engine.score(spbe2020({**{str(i): 3 for i in range(1, 48)}, "48": 3}))
    with pytest.raises(SpbeError, match=r"unknown catalogue 'spbe-1999'.*allowed: spbe-2018, spbe-2020"):
        engine.score(spbe2020([3] * 47).model_copy(update={"catalogue": "spbe-1999"}))


def test_score_many_matches_score(engine: Engine) -> None:
    items = [spbe2020([(i * 7 + k) % 5 + 1 for k in range(47)], subject=f"S{i}") for i in range(20)]
    many = engine.score_many(iter(items))
    assert [r.to_dict(manifest=False) for r in many] == [engine.score(a).to_dict(manifest=False) for a in items]


def test_score_many_fast_loop_matches_score_in_every_case(engine: Engine) -> None:
    """score_many's inlined loop and `score` agree on complete, partial, out-of-scale and mixed-catalogue
    input, with every missing policy: same values, options and errors, in order."""
    full = [spbe2020([(i * 3 + k) % 5 + 1 for k in range(47)], subject=f"S{i}") for i in range(6)]
    partial = spbe2020({str(k): 4 for k in range(1, 40)}, subject="P")
    ids18 = [i.id for i in engine.catalogue("spbe-2018").indicators()]
    from spbe_engine import Assessment

    old = Assessment(catalogue="spbe-2018", subject="O", period="2019", levels={i: n % 6 for n, i in enumerate(ids18)})
    items = [*full, partial, old, *full[:2]]
    for missing in ("minimum", 2):
        many = engine.score_many(items, missing=missing)
        one = [engine.score(a, missing=missing) for a in items]
        assert [r.to_dict(manifest=False) for r in many] == [r.to_dict(manifest=False) for r in one]
        assert [dict(r.options) for r in many] == [dict(r.options) for r in one] != [{}] * len(items)
        assert [r.group_numerators for r in many] == [r.group_numerators for r in one]
    assert [r.options for r in engine.score_many(full)] == [{}] * len(full)
    for bad, match in ((spbe2020([3] * 46 + [6]), "indicator 47 has level 6"), (partial, "not assessed"),
                       (spbe2020([3] * 46 + [-1]), "indicator 47 has level -1")):  # fmt: skip
        with pytest.raises(AssessmentError, match=match) as many_error:
            engine.score_many([*full, bad])
        with pytest.raises(AssessmentError) as one_error:
            engine.score(bad)
        assert str(many_error.value) == str(one_error.value)
    with pytest.raises(AssessmentError, match="expected an Assessment, got dict"):
        engine.score_many([*full, {"catalogue": "spbe-2020"}])  # type: ignore[list-item]


def test_score_many_restores_the_garbage_collector() -> None:
    """score_many defers full collections while it builds results and leaves the GC as it found it
    (enabled or not, its thresholds), also on an error."""
    import gc

    engine = Engine(load_entry_points=False)
    good = spbe2020([3] * 47)
    was, thresholds = gc.isenabled(), gc.get_threshold()
    try:
        for enabled, custom in ((True, thresholds), (False, (500, 7, 3))):
            gc.enable() if enabled else gc.disable()
            gc.set_threshold(*custom)
            engine.score_many([good, good])
            assert (gc.isenabled(), gc.get_threshold()) == (enabled, custom)
            with pytest.raises(AssessmentError):
                engine.score_many([good, spbe2020([3] * 46 + [9])])
            assert (gc.isenabled(), gc.get_threshold()) == (enabled, custom)
    finally:
        gc.enable() if was else gc.disable()
        gc.set_threshold(*thresholds)


def test_weighting_schemes(engine: Engine) -> None:
    levels = [5] * 10 + [1] * 37
    equal = engine.score(spbe2020(levels), weighting="equal")
    assert equal.fraction == Fraction(5 * 10 + 37, 47)
    assert equal.weighting == "equal"
    official = engine.score(spbe2020(levels))
    assert official.fraction == Fraction(13 * 5 + 87, 100)
    custom = engine.score(spbe2020(levels), weighting={"1": "13.00"})
    assert custom.weighting == "custom"
    assert custom.fraction == Fraction(13 * 5 + 9 * Fraction(13, 10) * 5 + 87, 100 + 13 - Fraction(13, 10))
    assert custom.groups["A1"].weight == Decimal("24.70")
    with pytest.raises(SpbeError, match="unknown weighting 'heavy'"):
        engine.score(spbe2020(levels), weighting="heavy")
    with pytest.raises(SpbeError, match="unknown indicator '99'"):
        engine.score(spbe2020(levels), weighting={"99": 1})
    with pytest.raises(SpbeError, match="float"):
        engine.score(spbe2020(levels), weighting={"1": 1.5})
    assert engine.weighting_ids() == ["custom", "equal", "official"]


def test_spbe_2018_allows_level_zero(engine: Engine) -> None:
    from spbe_engine import Assessment

    cat = engine.catalogue("spbe-2018")
    ids = [i.id for i in cat.indicators()]
    # 35 indicators, indicator 35 scored once per public service: 37 scored items
    assert len(ids) == 37 and len({i.split("-")[0] for i in ids}) == 35
    r = engine.score(Assessment(catalogue="spbe-2018", subject="Kota X", period="2019", levels={i: 0 for i in ids}))
    assert r.index == 0 and r.predikat == "Kurang"
    assert sum(g.weight for g in cat.groups) == 100


def test_numbers_helpers() -> None:
    assert display(2465, 1000) == "2.47" and display(2005, 1000) == "2.01" and display(-1, 3) == "-0.33"
    assert to_decimal(46, 11) == Decimal("4.181818181818181818181818182")
    assert to_decimal(47650, 10000) == Decimal("4.765")


def test_bulk_building_defers_full_collections_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """score_many over a generator and load_assessments build their objects with no full collection
    (those of a growing list found nothing and cost as much as the work), while young collections
    still free the caller's cyclic garbage (the GC paused outright let a generator's cycles pile up:
    480 MB for 20,000 rows); then the GC is as it was."""
    import gc
    import weakref

    from spbe_engine._gc import NEVER
    from spbe_engine.io import readers

    engine = Engine(load_entry_points=False)
    thresholds = gc.get_threshold()
    seen: list[tuple[bool, int]] = []
    freed: list[int] = []

    class Cycle:
        pass

    def built() -> Iterator[Assessment]:
        for i in range(3000):
            garbage = Cycle()
            garbage.me = garbage  # type: ignore[attr-defined]  # a cycle only the cyclic GC frees
            weakref.finalize(garbage, freed.append, i)
            del garbage
            seen.append((gc.isenabled(), gc.get_threshold()[2]))
            yield spbe2020([1 + i % 5] * 47)

    assert gc.isenabled()
    assert len(engine.score_many(built())) == 3000
    assert set(seen) == {(True, NEVER)} and gc.get_threshold() == thresholds
    assert len(freed) > 2000  # freed by young collections while the generator ran, not at the end

    table = tmp_path / "t.csv"
    table.write_text(
        "subject,period,catalogue," + ",".join(map(str, range(1, 48))) + "\n"
        + "".join(f"S{k},2024,spbe-2020," + ",".join(["3"] * 47) + "\n" for k in range(3)),
        encoding="utf-8",
    )  # fmt: skip
    seen.clear()
    real = readers.Assessment

    def spy(**data: object) -> Assessment:
        seen.append((gc.isenabled(), gc.get_threshold()[2]))
        return real(**data)

    monkeypatch.setattr(readers, "Assessment", spy)
    assert [a.subject for a in load_assessments(table)] == ["S0", "S1", "S2"]
    assert seen == [(True, NEVER)] * 3 and gc.get_threshold() == thresholds
    table.write_text(table.read_text(encoding="utf-8") + "S9,2024,spbe-2020,x\n", encoding="utf-8")
    with pytest.raises(AssessmentError):
        load_assessments(table)
    assert gc.isenabled() and gc.get_threshold() == thresholds


def test_full_collections_come_back_after_overlapping_threads() -> None:
    """Blocks that overlap in several threads share one deferral: whichever leaves last restores the
    threshold (saving and restoring per block left full collections off for good)."""
    import gc
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from spbe_engine._gc import deferred_full_collections

    thresholds = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with deferred_full_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with deferred_full_collections():
            second_in.set()
            first_out.wait(5)  # the first leaves while this one is still inside

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.get_threshold() == thresholds
    engine = Engine(load_entry_points=False)
    items = [spbe2020([1 + k % 5] * 47, subject=f"S{k}") for k in range(2000)]
    with ThreadPoolExecutor(4) as pool:
        assert len(engine.score_many(items, executor=pool, chunk_size=100)) == 2000
    assert gc.get_threshold() == thresholds

"""`Engine.score_table`: columns identical, row by row, to `score()`, with numpy and without."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, Engine
from spbe_engine.scoring import table as table_module

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

ENGINE = Engine(load_entry_points=False)


def expected(cid: str, rows: list[list[int | None]], missing: object = None) -> dict[str, list[object]]:
    """What `score()` says for each row, in score_table's column names."""
    cc = ENGINE.compiled(cid)
    out: dict[str, list[object]] = {}
    for row in rows:
        levels = {i: v for i, v in zip(cc.ids, row, strict=True) if v is not None}
        r = ENGINE.score(Assessment(catalogue=cid, subject="x", period="2024", levels=levels), missing=missing)
        cells: dict[str, object] = {
            "numerator": r.numerator,
            "denominator": cc.total,
            "index": str(r.index),
            "display": r.display,
            "predikat": r.predikat,
            "partial": r.partial,
        }
        for g in cc.groups:
            gs = r.groups[g.id]
            cells |= {
                f"{g.id}_numerator": gs.numerator,
                f"{g.id}_denominator": g.weight,
                f"{g.id}_index": str(gs.index),
                f"{g.id}_display": gs.display,
                f"{g.id}_predikat": gs.predikat,
            }
        for k, v in cells.items():
            out.setdefault(k, []).append(v)
    return out


def as_dict(frame: object) -> dict[str, list[object]]:
    assert isinstance(frame, pd.DataFrame)
    return {c: [v.item() if hasattr(v, "item") else v for v in frame[c].tolist()] for c in frame.columns}


@pytest.fixture(params=["numpy", "python"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(table_module, "numpy_or_none", lambda: None)
        import spbe_engine.operations.table as op

        monkeypatch.setattr(op, "numpy_or_none", lambda: None)
    return str(request.param)


def levels_for(cid: str) -> st.SearchStrategy[list[list[int]]]:
    cc = ENGINE.compiled(cid)
    row = st.tuples(*(st.integers(lo, hi) for lo, hi in zip(cc.lo, cc.hi, strict=True))).map(list)
    uniform = st.integers(max(cc.lo), min(cc.hi)).map(lambda v: [v] * len(cc.ids))  # on band edges
    return st.lists(st.one_of(row, uniform), min_size=1, max_size=12)


@pytest.mark.parametrize("cid", ["spbe-2020", "spbe-2018"])  # 2018: Rational weights (20/6 % in A7)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_identical_to_score_row_by_row(cid: str, path: str, data: st.DataObject) -> None:
    rows = data.draw(levels_for(cid))
    ids = list(ENGINE.compiled(cid).ids)
    got = ENGINE.score_table(rows, catalogue=cid, ids=ids)  # a list of rows: a dict of lists
    assert got == expected(cid, rows)
    if path == "numpy":
        frame = ENGINE.score_table(np.array(rows, dtype=np.int8), catalogue=cid, ids=ids)
        assert as_dict(frame) == expected(cid, rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_missing_cells_follow_the_policy(path: str, data: st.DataObject) -> None:
    cc = ENGINE.compiled("spbe-2020")
    rows = data.draw(
        st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=47, max_size=47), min_size=1, max_size=6)
    )
    for policy in ("minimum", 3):
        got = ENGINE.score_table(rows, catalogue="spbe-2020", ids=list(cc.ids), missing=policy)
        assert got == expected("spbe-2020", rows, policy)


def test_band_edges_exactly() -> None:
    """All 3s is exactly 3.00 (a float sum gives 2.9999999999999996); 4.2 is Memuaskan, not below."""
    cc = ENGINE.compiled("spbe-2020")
    rows = [[v] * 47 for v in range(1, 6)]
    frame = ENGINE.score_table(np.array(rows), catalogue="spbe-2020", ids=list(cc.ids))
    assert list(frame["index"].astype(str)) == ["1", "2", "3", "4", "5"]
    assert as_dict(frame) == expected("spbe-2020", rows)


def wide(rows: list[list[object]], ids: list[str]) -> object:
    return pd.DataFrame(
        [
            {"subject": f"Instansi {k}", "period": 2024, "catalogue": "spbe-2020", **dict(zip(ids, r, strict=True))}
            for k, r in enumerate(rows)
        ]
    )


def test_dataframe_in_the_wide_layout_and_arrow() -> None:
    cc = ENGINE.compiled("spbe-2020")
    ids = list(cc.ids)
    rows: list[list[object]] = [[(k + j) % 5 + 1 for j in range(47)] for k in range(20)]
    rows[3][5] = None  # not assessed
    rows[4][6] = "4,0"  # a decimal comma, as the CSV reader reads it
    rows[5][7] = 2.0
    frame = wide(rows, ids)
    got = ENGINE.score_table(frame, missing="minimum")
    assert list(got["subject"]) == [f"Instansi {k}" for k in range(20)]
    assert list(got["period"]) == ["2024"] * 20
    clean = [[None if v is None else int(str(v).replace(",", ".").split(".")[0]) for v in r] for r in rows]
    want = expected("spbe-2020", clean, "minimum")
    assert {k: v for k, v in as_dict(got).items() if k in want} == want
    pa = pytest.importorskip("pyarrow")
    arrow = ENGINE.score_table(
        pa.Table.from_pandas(
            frame.astype({i: object for i in ids}).astype(str).replace({"None": None, "nan": None}),
            preserve_index=False,
        ),
        missing="minimum",
    )
    assert isinstance(arrow, pa.Table)
    assert arrow.column("display").to_pylist() == want["display"]
    assert arrow.column("D1_index").to_pylist() == want["D1_index"]


def test_errors_name_the_first_bad_row_and_column(path: str) -> None:
    ids = list(ENGINE.compiled("spbe-2020").ids)
    rows: list[list[object]] = [[3] * 47 for _ in range(5)]
    rows[3][10] = 9
    rows[2][40] = 7
    with pytest.raises(AssessmentError, match=r"row 2: indicator 41 has level 7, outside scale") as info:
        ENGINE.score_table(rows, catalogue="spbe-2020", ids=ids)
    assert info.value.row == 2 and info.value.field == "levels.41"
    rows[1][4] = None
    with pytest.raises(AssessmentError, match=r"row 1: 1 indicator\(s\) not assessed: 5;") as info:
        ENGINE.score_table(rows, catalogue="spbe-2020", ids=ids)
    assert info.value.row == 1
    rows[1][4] = 3
    rows[0][1] = "3,5"
    with pytest.raises(AssessmentError, match=r"level '3,5' is not a whole number") as info:
        ENGINE.score_table(rows, catalogue="spbe-2020", ids=ids)
    assert info.value.row == 0 and info.value.field == "2"
    rows[0][1] = 3
    with pytest.raises(AssessmentError, match=r"filled in for a missing indicator"):
        ENGINE.score_table([[None] + [3] * 46], catalogue="spbe-2020", ids=ids, missing=9)
    from spbe_engine.i18n import language

    partial = Assessment(catalogue="spbe-2020", subject="S", period="2024", levels=dict.fromkeys(ids[1:], 3))
    with language("id"):  # the whole message in the reader's language, the filled-in case included
        for score in (
            lambda: ENGINE.score_table([[None] + [3] * 46], catalogue="spbe-2020", ids=ids, missing=9),
            lambda: ENGINE.score(partial, missing=9),
        ):
            with pytest.raises(AssessmentError, match=r"tingkat 9 pada indikator 1 \(diisikan untuk indikator"):
                score()
        frame = pytest.importorskip("pandas").DataFrame(
            [{"subject": "S", "period": "2024", "catalogue": "spbe-2020", **dict.fromkeys(ids[1:], 3)}]
        )
        for table in (frame, [[None] + [3] * 46]):  # the row named by its subject, else by its number
            with pytest.raises(AssessmentError) as refused:
                ENGINE.score_table(table, catalogue="spbe-2020", ids=None if table is frame else ids)
            assert refused.value.message.startswith(("penilaian 'S' (2024): ", "baris 0: ")), refused.value.message


def test_errors_in_a_frame_name_the_subject_and_unknown_columns() -> None:
    ids = list(ENGINE.compiled("spbe-2020").ids)
    frame = wide([[3] * 47, [3] * 46 + [6]], ids)
    with pytest.raises(AssessmentError, match=r"assessment 'Instansi 1' \(2024\): indicator 47 has level 6"):
        ENGINE.score_table(frame)
    frame = wide([[3] * 47, [3] * 47], ids)
    frame["99"] = [None, 4]
    with pytest.raises(AssessmentError, match=r"unknown indicator '99'") as info:
        ENGINE.score_table(frame)
    assert info.value.row == 1
    frame = frame.drop(columns="99")
    frame.loc[1, "catalogue"] = "spbe-2018"
    with pytest.raises(AssessmentError, match=r"one catalogue at a time"):
        ENGINE.score_table(frame)


def test_a_weighting_too_large_for_int64_is_computed_exactly() -> None:
    """Custom weights whose scaled sums would overflow int64 are scored with Python integers."""
    cc = ENGINE.compiled("spbe-2020")
    from decimal import Decimal

    weights = {i: Decimal(10**17 + n) for n, i in enumerate(cc.ids)}
    big = ENGINE.compiled("spbe-2020", weights)
    assert not table_module._fits_int64(big)
    rows = [[(k * j) % 5 + 1 for j in range(47)] for k in range(6)]
    frame = ENGINE.score_table(np.array(rows), catalogue="spbe-2020", ids=list(cc.ids), weighting=weights)
    for k, row in enumerate(rows):
        r = ENGINE.score(
            Assessment(catalogue="spbe-2020", subject="x", period="2024", levels=dict(zip(cc.ids, row, strict=True))),
            weighting=weights,
        )
        assert frame["numerator"][k] == r.numerator and frame["display"][k] == r.display
        assert frame["index"][k] == str(r.index) and frame["D4_predikat"][k] == r.groups["D4"].predikat


def test_decimal_text_is_to_decimal() -> None:
    from spbe_engine.exact import to_decimal

    for den in (10000, 3000, 1300, 455, 7, 1, 8, 1250):
        for num in [*range(0, 200), 10**9 + 7, 123456789, 1]:
            assert table_module.decimal_text(num, den) == str(to_decimal(num, den)), (num, den)
        assert table_module.decimal_text(-5, den) == str(to_decimal(-5, den))


@pytest.mark.parametrize("variant", ["stretches", "chunks", "no-spans", "no-tables"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_group_choices_and_numpy_variants_agree(
    variant: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any choice of groups, blocks smaller than the table, groups that are not contiguous (the
    product per member) and numerators too many for a lookup table give the columns of score()."""
    cid = data.draw(st.sampled_from(["spbe-2020", "spbe-2018"]))
    cc = ENGINE.compiled(cid)
    if variant == "chunks":
        monkeypatch.setattr(table_module, "CHUNK_ROWS", 3)
    if variant == "no-spans":
        monkeypatch.setattr(table_module, "_spans", lambda cc: None)
    if variant == "no-tables":
        monkeypatch.setattr(table_module, "_TABLE_LIMIT", 0)
    rows = data.draw(levels_for(cid))
    chosen = data.draw(st.lists(st.sampled_from([g.id for g in cc.groups]), unique=True))
    frame = ENGINE.score_table(np.array(rows), catalogue=cid, ids=list(cc.ids), groups=chosen)
    want = expected(cid, rows)
    names = ["numerator", "denominator", "index", "display", "predikat", "partial"]
    names += [f"{g}_{c}" for g in [g.id for g in cc.groups if g.id in chosen] for c in names[:5]]
    assert list(frame.columns) == names
    assert as_dict(frame) == {c: want[c] for c in names}


@pytest.mark.parametrize("cid", ["spbe-2020", "spbe-2018"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_score_columns_are_score_row_by_row(cid: str, path: str, data: st.DataObject) -> None:
    """The streaming writer's columns (codes into texts, the exact text of the index only) against
    `score()` itself: `score_table` shares their core, so comparing the two could not see a core bug."""
    from spbe_engine.operations.table import score_columns

    cc = ENGINE.compiled(cid)
    rows: list[list[int | None]] = list(data.draw(levels_for(cid)))
    missing = data.draw(st.sampled_from([None, "minimum", cc.hi[0]]))
    if missing is not None:  # some cells not assessed, filled in by the policy
        holes = data.draw(st.lists(st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(cc.ids) - 1))))
        for r, j in holes:
            rows[r][j] = None
    columns = {"catalogue": [cid] * len(rows), **{i: [r[j] for r in rows] for j, i in enumerate(cc.ids)}}
    got = score_columns(ENGINE, columns, missing=missing, index_text="index").to_dict()
    want = expected(cid, rows, missing)
    assert "index" in got and "D1_index" not in got
    assert got == {k: v for k, v in want.items() if not k.endswith("_index")}

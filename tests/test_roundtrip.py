"""Every export re-imports to an equal object: YAML, JSON, CSV (levels and tags) and Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine, SpbeError, load_assessments
from spbe_engine.io.writers import write_assessments

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
KINDS = [k.id for k in ENGINE.catalogue("spbe-2020").evidence.kinds]
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).map(str.strip).filter(bool)


@st.composite
def assessments(draw: st.DrawFn, rich: bool = True) -> Assessment:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, min_size=1, max_size=47))
    data: dict[str, object] = {
        "catalogue": "spbe-2020",
        "subject": draw(TEXT),
        "period": draw(st.sampled_from(["2023", "2024", "2025"])),
        "levels": {i: draw(st.integers(1, 5)) for i in ids},
        "tags": draw(st.dictionaries(st.sampled_from(["province", "kind", "region"]), TEXT, max_size=2)),
    }
    if rich:
        data["notes"] = draw(st.dictionaries(st.sampled_from(ids), TEXT, max_size=2))
        data["services"] = draw(st.dictionaries(st.sampled_from(["45", "46", "47"]), TEXT, max_size=3))
        data["stages"] = draw(
            st.dictionaries(
                st.sampled_from(["target", "self_assessment", "final"]),
                st.dictionaries(st.sampled_from(ids), st.integers(1, 5), min_size=1, max_size=3),
                max_size=2,
            )
        )
        data["evidence"] = draw(
            st.dictionaries(
                st.sampled_from(ids),
                st.lists(
                    st.builds(
                        dict,
                        id=TEXT,
                        level=st.integers(1, 5),
                        kind=st.sampled_from(KINDS),
                        date=st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
                        status=st.sampled_from(["pending", "accepted", "rejected", "needs_revision"]),
                    ),
                    min_size=1,
                    max_size=2,
                ),
                max_size=2,
            )
        )
        quarters = draw(st.integers(1, 3))
        data["distributions"] = {ids[0]: {1: Decimal(quarters) / 4, 5: 1 - Decimal(quarters) / 4}}
        data["inputs"] = draw(
            st.dictionaries(
                st.sampled_from(ids),
                st.dictionaries(
                    st.sampled_from(["benefit", "cost"]),
                    st.decimals("-100", "100", places=3, allow_nan=False),
                    min_size=1,
                ),
                max_size=1,
            )
        )
    return Assessment(**data)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(
    items=st.lists(assessments(), min_size=1, max_size=3, unique_by=lambda a: (a.subject, a.period)),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_yaml_and_json_round_trip(tmp_path: Path, items: list[Assessment], suffix: str) -> None:
    path = tmp_path / f"out-{len(items)}-{abs(hash(items[0].subject))}{suffix}"
    path.unlink(missing_ok=True)
    write_assessments(path, items)
    assert load_assessments(path, engine=ENGINE) == items


@SETTINGS
@given(items=st.lists(assessments(rich=False), min_size=1, max_size=4, unique_by=lambda a: (a.subject, a.period)))
def test_csv_round_trip(tmp_path: Path, items: list[Assessment]) -> None:
    path = tmp_path / f"out-{abs(hash(tuple(a.subject for a in items)))}.csv"
    path.unlink(missing_ok=True)
    write_assessments(path, items, indicator_ids=IDS)
    assert load_assessments(path, engine=ENGINE) == items


@SETTINGS
@given(a=assessments())
def test_excel_round_trip(tmp_path: Path, a: Assessment) -> None:
    pytest.importorskip("openpyxl")
    from spbe_engine.io.excel import write_assessment

    path = tmp_path / f"out-{abs(hash(a.subject))}.xlsx"
    path.unlink(missing_ok=True)
    write_assessment(ENGINE, a, path)
    assert load_assessments(path, engine=ENGINE) == [a]


def test_writers_never_overwrite_and_refuse_what_csv_cannot_hold(tmp_path: Path) -> None:
    a = Assessment(catalogue="spbe-2020", subject="Kota", period="2024", levels={"1": 3}, notes={"1": "catatan"})
    path = tmp_path / "a.yaml"
    write_assessments(path, [a])
    with pytest.raises(SpbeError, match="refusing to overwrite"):
        write_assessments(path, [a])
    with pytest.raises(SpbeError, match="has more than levels and tags, which CSV cannot hold"):
        write_assessments(tmp_path / "a.csv", [a])
    assert list(tmp_path.iterdir()) == [path]  # no stray temporary files


def test_a_carriage_return_in_user_text_does_not_split_the_csv_row(tmp_path: Path) -> None:
    """A lone \\r (which Python's writer leaves unquoted) is written as a quoted \\n line break: the row
    reads back whole, the text with \\n."""
    a = Assessment(catalogue="spbe-2020", subject="Kab\rA", period="2024", levels={"1": 3}, tags={"catatan": "x\r\ny"})
    path = tmp_path / "a.csv"
    write_assessments(path, [a])
    (b,) = load_assessments(path, engine=ENGINE)
    assert (b.subject, b.tags, b.levels) == ("Kab\nA", {"catatan": "x\ny"}, {"1": 3})

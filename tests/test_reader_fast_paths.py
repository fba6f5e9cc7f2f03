"""The CSV reader's fast paths (a row of plain-digit levels; a row inside the catalogue's shared
scale) give exactly what the general paths give: the same assessments, the same errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from spbe_engine import Engine, load_assessments
from spbe_engine.errors import SpbeError
from spbe_engine.io import readers

ENGINE = Engine(load_entry_points=False)
IDS = [str(i) for i in range(1, 48)]
CELLS = ["1", "2", "3", "4", "5", "0", "9", "", " 3", "3 ", "4.0", "4,0", "03", "+2", "x", "3.5", "10"]


@st.composite
def tables(draw: st.DrawFn) -> str:
    extra = draw(st.sampled_from([[], ["tag:provinsi"], ["99"], ["tag:a", "tag:b"]]))
    ids = draw(st.permutations(IDS))[: draw(st.integers(1, 47))]
    header = ["subject", "period", "catalogue", *ids, *extra]
    lines = [",".join(header)]
    for k in range(draw(st.integers(1, 4))):
        cells = [f"S{k}", draw(st.sampled_from(["2024", " 2024", "'=2024"])), "spbe-2020"]
        common = draw(st.booleans())  # mostly plain digits: the fast path
        for col in header[3:]:
            if col.startswith("tag:"):
                cells.append(draw(st.sampled_from(["", "Riau", " Jambi ", "'=x"])))
            else:
                cells.append(draw(st.sampled_from(CELLS[:5] if common else CELLS)))
        cut = draw(st.sampled_from([0, 0, 0, 1, 2]))  # a short row: trailing cells left out
        lines.append(",".join(cells[: len(cells) - cut]))
    return "\n".join(lines) + "\n"


def outcome(path: Path, validate: bool) -> tuple[str, Any]:
    try:
        items = readers.read_assessments(path, engine=ENGINE, validate=validate)
    except SpbeError as exc:
        return "error", (type(exc), str(exc))
    return "ok", [(i.row, i.assessment.model_dump(), list(i.assessment.levels)) for i in items]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=tables(), validate=st.booleans())
def test_plain_digit_rows_read_as_the_general_path_reads_them(
    text: str, validate: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    fast = outcome(p, validate)
    with monkeypatch.context() as m:
        m.setattr(readers, "_LEVEL_TEXT", {})  # no cell is "plain": every row takes the general path
        assert outcome(p, validate) == fast


def test_the_fast_path_is_taken_for_plain_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "t.csv"
    p.write_text("subject,period,catalogue," + ",".join(IDS) + "\nS,2024,spbe-2020," + ",".join(["3"] * 47) + "\n")

    def general(*args: object) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(readers, "_csv_record", general)
    (a,) = load_assessments(p, engine=ENGINE)
    assert a.levels == dict.fromkeys(IDS, 3)


_ID = st.sampled_from(["1", "47", "48"])  # known, known, unknown


@st.composite
def other_fields(draw: st.DrawFn) -> dict[str, Any]:
    """What a row of a table never has (none, one or two of them), each sometimes with an unknown id
    or a level out of scale."""
    names = ["notes", "services", "inputs", "stages", "distributions", "evidence"]
    out: dict[str, Any] = {}
    for name in draw(st.sets(st.sampled_from(names), max_size=2)):
        iid, level = draw(_ID), draw(st.integers(0, 6))
        out[name] = {
            "notes": {iid: "n"},
            "services": {iid: "Layanan"},
            "inputs": {iid: {"x": "1"}},
            "stages": {"final": {iid: level}},
            "distributions": {iid: {level: "1"}},
            "evidence": {iid: [{"id": "e", "level": level, "kind": draw(st.sampled_from(["policy", "?"]))}]},
        }[name]
    return out


class _NoSharedScale:
    """The engine's catalogues as if their indicators had scales of their own (`uniform` None)."""

    def compiled(self, catalogue: str) -> Any:
        import dataclasses

        return dataclasses.replace(ENGINE.compiled(catalogue), uniform=None)


_ALONE = [
    {"notes": {"48": "n"}},
    {"services": {"48": "Layanan"}},
    {"inputs": {"48": {"x": "1"}}},
    {"stages": {"final": {"1": 6}}},
    {"distributions": {"1": {6: "1"}}},
    {"evidence": {"1": [{"id": "e", "level": 3, "kind": "?"}]}},
]


@settings(max_examples=400, deadline=None)
@given(
    levels=st.one_of(
        st.dictionaries(st.sampled_from([*IDS, "0", "48", "x"]), st.integers(-1, 7), max_size=47),
        st.dictionaries(st.sampled_from(IDS), st.integers(1, 5), min_size=1, max_size=47),  # a good row
    ),
    others=other_fields(),
    shared=st.booleans(),
)
@example(levels={"1": 3}, others=_ALONE[0], shared=True)
@example(levels={"1": 3}, others=_ALONE[1], shared=True)
@example(levels={"1": 3}, others=_ALONE[2], shared=True)
@example(levels={"1": 3}, others=_ALONE[3], shared=True)
@example(levels={"1": 3}, others=_ALONE[4], shared=True)
@example(levels={"1": 3}, others=_ALONE[5], shared=True)
def test_check_one_takes_a_shortcut_only_where_the_full_check_passes(
    levels: dict[str, int], others: dict[str, Any], shared: bool
) -> None:
    from spbe_engine import Assessment

    try:
        a = Assessment(catalogue="spbe-2020", subject="S", period="2024", levels=levels, **others)
    except SpbeError:
        assume(False)  # not an assessment at all (a probability of a bad shape): hypothesis draws another
    item = readers.LoadedAssessment(a, "f.csv", 2)
    engine: Any = ENGINE if shared else _NoSharedScale()

    def result(check: Any) -> tuple[str, str]:
        try:
            check()
        except SpbeError as exc:
            return "error", str(exc)
        return "ok", ""

    cc = engine.compiled("spbe-2020")
    full = result(lambda: (readers._check_levels(item, cc), readers._check_other_fields(item, cc)))
    assert result(lambda: readers.check_one(item, engine)) == full

"""Loading assessments from YAML, JSON and CSV; every bad input names file, row, field and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spbe_engine import Assessment, AssessmentError, Engine, SpbeError, load_assessments
from spbe_engine.io.readers import read_assessments

IDS = [str(i) for i in range(1, 48)]


def csv_text(rows: list[dict[str, object]], sep: str = ",") -> str:
    header = ["subject", "period", "catalogue", *IDS]
    lines = [sep.join(header)]
    for row in rows:
        lines.append(sep.join(str(row.get(h, "")) for h in header))
    return "\n".join(lines) + "\n"


def row(subject: str, level: int = 3, **over: object) -> dict[str, object]:
    return {"subject": subject, "period": "2024", "catalogue": "spbe-2020", **{i: level for i in IDS}, **over}


def test_csv_wide_layout(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "table.csv"
    p.write_text(csv_text([row("Kota A", 3), row("Kota B", 4)]), encoding="utf-8")
    items = load_assessments(p, engine=engine)
    assert [a.subject for a in items] == ["Kota A", "Kota B"]
    assert items[1].levels["47"] == 4 and len(items[1].levels) == 47
    assert [r.display for r in engine.score_many(items)] == ["3.00", "4.00"]


def test_csv_semicolons_bom_and_tags(tmp_path: Path, engine: Engine) -> None:
    text = csv_text([row("Kota A", 2)], sep=";").replace("catalogue;", "catalogue;tag:province;", 1)
    text = text.replace("spbe-2020;", "spbe-2020;Riau;", 1)
    p = tmp_path / "excel.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (a,) = load_assessments(p, engine=engine)
    assert a.tags == {"province": "Riau"} and a.levels["1"] == 2


def test_csv_empty_cells_are_not_assessed(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "partial.csv"
    p.write_text(csv_text([row("Kota A", 3, **{"47": ""})]), encoding="utf-8")
    (a,) = load_assessments(p, engine=engine)
    assert "47" not in a.levels
    assert engine.score(a, missing="minimum").partial


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [row("A", 3, **{"5": 7})],
            r"t.csv: row 2: field 'levels.5': level 7 is outside the scale of indicator 5 \(allowed: 1–5\)",
        ),
        ([row("A"), row("A")], r"t.csv: row 3: duplicate assessment of 'A' for period 2024 \(first at row 2\)"),
        (
            [row("A", 3, catalogue="spbe-1999")],
            r"row 2: field 'catalogue': unknown catalogue 'spbe-1999'; a plugin's catalogue appears once the plugin is installed \(allowed: spbe-2018, spbe-2020\)",
        ),
        ([row("A", 3, **{"12": "tiga"})], r"row 2: field '12': level 'tiga' is not a whole number"),
        ([row("A", 3, **{"12": "3.5"})], r"row 2: field '12': level '3.5' is not a whole number"),
        ([row("", 3)], r"row 2: field 'subject': String should have at least 1 character"),
    ],
)
def test_csv_errors(tmp_path: Path, engine: Engine, rows: list[dict[str, object]], message: str) -> None:
    p = tmp_path / "t.csv"
    p.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(AssessmentError, match=message):
        load_assessments(p, engine=engine)


def test_csv_structural_errors(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "t.csv"
    p.write_text("subject,period,1\nA,2024,3\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match=r"t\.csv: row 1: missing column 'catalogue'"):
        load_assessments(p, engine=engine)
    p.write_text("subject,period,catalogue,1,1\nA,2024,spbe-2020,3,3\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match="column '1' appears twice"):
        load_assessments(p, engine=engine)
    p.write_text("subject,period,catalogue,99\nA,2024,spbe-2020,3\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match=r"row 2: field 'levels.99': unknown indicator '99' .*allowed: 1–47"):
        load_assessments(p, engine=engine)
    p.write_text("", encoding="utf-8")
    with pytest.raises(AssessmentError, match="empty CSV file"):
        load_assessments(p, engine=engine)


def test_yaml_single_list_and_wrapped(tmp_path: Path, engine: Engine) -> None:
    one = {"catalogue": "spbe-2020", "subject": "Kota A", "period": 2024, "levels": {i: 3 for i in range(1, 48)}}
    p = tmp_path / "a.yaml"
    p.write_text(json.dumps(one), encoding="utf-8")  # JSON is YAML
    (a,) = load_assessments(p, engine=engine)
    assert a.period == "2024" and a.levels["1"] == 3
    p.write_text(json.dumps({"assessments": [one, {**one, "subject": "Kota B"}]}), encoding="utf-8")
    assert [x.subject for x in load_assessments(p, engine=engine)] == ["Kota A", "Kota B"]
    j = tmp_path / "a.json"
    j.write_text(json.dumps([one]), encoding="utf-8")
    assert load_assessments(j, engine=engine)[0].subject == "Kota A"


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 3, 1: 4}\n", ".yaml", "line 4: duplicate key 1"),
        (
            "catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 3, '1': 4}\n",
            ".yaml",
            "indicator '1' given twice",
        ),
        (
            "catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 3.5}\n",
            ".yaml",
            r"field 'levels.1': Input should be a valid integer \(allowed: whole numbers\)",
        ),
        (
            "catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {1: 3}\nscore: 5\n",
            ".yaml",
            r"field 'score': unknown field \(allowed: catalogue, subject",
        ),
        ("[1, 2", ".yaml", "invalid YAML: line"),
        ("- 3\n", ".yaml", "item 1|row 1: expected a mapping"),
        ('{"a": 1,}', ".json", "invalid JSON: line 1"),
        ("!!python/object:os.system {}", ".yaml", "invalid YAML"),
        ("subject: A", ".txt2", "unknown file type '.txt2'"),
    ],
)
def test_yaml_json_errors(tmp_path: Path, engine: Engine, text: str, suffix: str, message: str) -> None:
    p = tmp_path / f"bad{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(AssessmentError, match=message) as info:
        load_assessments(p, engine=engine)
    assert str(p) in str(info.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(AssessmentError, match="no such file"):
        load_assessments(tmp_path / "missing.yaml")
    p = tmp_path / "latin1.csv"
    p.write_bytes("subject\nKab. Pidië\n".encode("latin-1"))
    with pytest.raises(AssessmentError, match="not UTF-8"):
        load_assessments(p)
    with pytest.raises(AssessmentError, match="is a directory"):
        load_assessments(tmp_path)


def test_read_assessments_keeps_rows(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "t.csv"
    p.write_text(csv_text([row("A"), row("B")]), encoding="utf-8")
    assert [(x.file, x.row) for x in read_assessments(p, engine=engine)] == [(str(p), 2), (str(p), 3)]


def test_assessment_model_is_strict() -> None:
    a = Assessment(catalogue="spbe-2020", subject="A", period=2024, levels={1: 4})
    assert a.levels == {"1": 4} and a.period == "2024"
    with pytest.raises(
        AssessmentError, match=r"Assessment is immutable; make a changed copy with .replace\(subject=...\)"
    ):
        a.subject = "B"  # type: ignore[misc]
    assert a.replace(subject="B").subject == "B" and a.subject == "A"
    with pytest.raises(AssessmentError, match=r"field 'levels.1'"):
        a.replace(levels={"1": "tinggi"})  # validated, unlike pydantic's model_copy
    with pytest.raises(AssessmentError, match=r"field 'levels.1': Input should be a valid integer"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={1: True})
    with pytest.raises(SpbeError, match="field 'subject': Field required"):
        Assessment(catalogue="spbe-2020", period="1", levels={})


def test_implausible_decimals_are_refused_before_exact_arithmetic() -> None:
    """1E+999999 would become a million-digit integer in exact arithmetic: refused at once."""
    import time

    start = time.perf_counter()
    with pytest.raises(SpbeError, match="out of range"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={}, inputs={"1": {"x": "1E+999999"}})
    with pytest.raises(SpbeError, match="out of range"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={}, distributions={"1": {1: "1E-999999"}})
    assert time.perf_counter() - start < 1


def test_tags_from_yaml_numbers_are_text(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "a.yaml"
    p.write_text(
        "catalogue: spbe-2020\nsubject: A\nperiod: 2024\nlevels: {1: 3}\ntags: {kode: 1471}\n", encoding="utf-8"
    )
    (a,) = load_assessments(p, engine=engine)
    assert a.tags == {"kode": "1471"}


def test_every_error_is_one_line_and_names_non_text_keys() -> None:
    assert "\n" not in str(SpbeError("a\nb\r\nc", file="f.yaml"))
    with pytest.raises(SpbeError, match=r"field 'evidence.1\[0\]': field names must be text, got 7"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={1: 3}, evidence={"1": [{7: "x"}]})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("stages: {final: {'99': 3}}", r"field 'stages.final.99': unknown indicator '99'"),
        ("stages: {final: {'1': 9}}", r"field 'stages.final.1': level 9 is outside the scale of indicator 1"),
        ("distributions: {'1': {6: 1}}", r"field 'distributions.1': level 6 is outside the scale"),
        ("services: {'48': Kesehatan}", r"field 'services.48': unknown indicator '48'"),
        ("evidence: {'1': [{id: a, level: 2, kind: selfie}]}", r"field 'evidence.1': evidence 'a' .* unknown kind"),
    ],
)
def test_every_per_indicator_field_is_checked(tmp_path: Path, engine: Engine, extra: str, message: str) -> None:
    p = tmp_path / "a.yaml"
    p.write_text(f"catalogue: spbe-2020\nsubject: A\nperiod: '1'\nlevels: {{1: 3}}\n{extra}\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match=message):
        load_assessments(p, engine=engine)


def test_csv_rows_are_file_lines(tmp_path: Path, engine: Engine) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        csv_text([row("A")]).replace("\n", "\n\n", 1) + csv_text([row("B", 3, **{"5": "3_0"})]).split("\n", 1)[1],
        encoding="utf-8",
    )
    with pytest.raises(AssessmentError, match=r"t\.csv: row 4: field '5': level '3_0' is not a whole number"):
        load_assessments(p, engine=engine)


def test_csv_as_excel_writes_it(tmp_path: Path, engine: Engine) -> None:
    """Trailing empty columns and levels like 4.0 are what Excel exports: both load."""
    p = tmp_path / "excel.csv"
    header = ";".join(["subject", "period", "catalogue", *IDS]) + ";;"
    rows = [
        ";".join(["A", "2024", "spbe-2020", *(["3"] * 47)]) + ";;",
        ";".join(["B", "2024", "spbe-2020", *(["4.0"] * 47)]) + ";;",
    ]
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    items = load_assessments(p, engine=engine)
    assert [a.levels["47"] for a in items] == [3, 4]
    p.write_text("subject,period,catalogue,,1\nA,2024,spbe-2020,x,3\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match="row 1: column 4 has no name"):
        load_assessments(p, engine=engine)


STREAM_CASES = [
    'subject,period,catalogue,1,2,tag:note\nA,2024,spbe-2020,3,4,x\r\nB,2024,spbe-2020,,5,"two\nlines"\n',
    "\ufeffsep=;\nsubject;period;catalogue;1;2\nA;2024;spbe-2020;4,0;2\n\nB;2024;spbe-2020;1;1\r\n",
    "Subject\tPeriod\tCatalogue\t1\nKab. Éé 多\t2024\tspbe-2020\t3\rKota Ü\t2024\tspbe-2020\t2",
    "subject,period,catalogue,1\nA,2024,spbe-2020,4.5\n",  # a bad level: the same error, same row
    "subject,period,catalogue,1\nA,2024,spbe-2020,3,7\n",  # a cell without a column
    "subject,period,catalogue,1\nA,2024,spbe-2020,3\nA,2024,spbe-2020,4\n",  # a duplicate
    "subject,period,catalogue\n",  # only a header
    "sep=|\nsubject|period|catalogue\n",
]


def _outcome(fn: object) -> object:
    try:
        return [(i.assessment, i.row) for i in fn()]  # type: ignore[operator]
    except SpbeError as exc:
        return str(exc)


@pytest.mark.parametrize("block", [1, 5, 1 << 20])
@pytest.mark.parametrize("text", STREAM_CASES)
def test_csv_over_the_cap_streams_with_the_same_rows_and_errors(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str, block: int
) -> None:
    """Above the whole-text cap, iter_assessments reads the CSV in blocks (split anywhere: inside a
    UTF-8 character, between \\r and \\n): the assessments, rows and errors of the whole-text reader."""
    from spbe_engine.io import readers

    p = tmp_path / "t.csv"
    p.write_bytes(text.encode("utf-8"))
    want = _outcome(lambda: readers.iter_assessments(p, engine=engine))
    monkeypatch.setattr(readers, "MAX_BYTES", 0)
    monkeypatch.setattr(readers, "_STREAM_BLOCK", block)
    assert _outcome(lambda: readers.iter_assessments(p, engine=engine)) == want


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"subject,period,catalogue\n\xff\xfe", r"t.csv: not UTF-8 text: byte 0xFF at line 2, character 1"),
        ("\ufeffsubject,period\n".encode("utf-16"), r"t.csv: not UTF-8 text \(UTF-16\); save it as UTF-8"),
        (b"subject,period,catalogue\nA\x00", r"t.csv: not UTF-8 text \(a NUL byte at byte 26; UTF-16\?\)"),
        (b"subject,period,catalogue\nK\xe9,2024", r"t.csv: not UTF-8 text: byte 0xE9 at line 2, character 2 \('\xe9'"),
    ],
)
def test_csv_over_the_cap_refuses_what_the_whole_text_reader_refuses(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch, data: bytes, message: str
) -> None:
    from spbe_engine.io import readers

    p = tmp_path / "t.csv"
    p.write_bytes(data)
    monkeypatch.setattr(readers, "MAX_BYTES", 0)
    monkeypatch.setattr(readers, "_STREAM_BLOCK", 3)
    with pytest.raises(AssessmentError, match=message):
        list(readers.iter_assessments(p, engine=engine))


STREAM_CHILD = """
{peak}
import sys
from spbe_engine.io.readers import iter_assessments
n = sum(1 for _ in iter_assessments(sys.argv[1]))
print(n, peak_kb())
"""


def test_iter_assessments_memory_does_not_grow_with_a_csv_over_the_cap(tmp_path: Path) -> None:
    """Files of 24 and 96 MiB (past the 20 MiB cap of the whole-text readers) read one assessment at
    a time in the same memory: it is bounded by a block and a row, not by the file."""
    import subprocess
    import sys

    from .memory import PEAK_KB

    ids = [str(i) for i in range(1, 48)]
    note = "n" * 4000  # long rows: a large file in few rows keeps the test quick
    line = ",2024,spbe-2020," + ",".join("3" for _ in ids) + "," + note + "\n"
    child = tmp_path / "child.py"
    child.write_text(STREAM_CHILD.format(peak=PEAK_KB), encoding="utf-8")
    peaks = []
    for mib in (24, 96):
        p = tmp_path / f"t{mib}.csv"
        rows = mib * 1024 * 1024 // len(line) + 1
        with p.open("w", encoding="utf-8") as fh:
            fh.write("subject,period,catalogue," + ",".join(ids) + ",tag:note\n")
            fh.writelines(f"Instansi {k}{line}" for k in range(rows))
        out = subprocess.run([sys.executable, str(child), str(p)], capture_output=True, text=True, check=True)
        count, peak = map(int, out.stdout.split())
        assert count == rows
        peaks.append(peak)
        p.unlink()
    assert peaks[1] - peaks[0] < 16 * 1024, peaks  # KiB: 72 MiB more file, not 72 MiB more memory


def test_a_csv_over_the_cap_is_read_whole_nowhere_but_streamed(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list of assessments costs ~3 KB a row, so the whole-file readers keep the cap and say how to
    read a larger table; iter_assessments streams the same file."""
    from spbe_engine.io import readers

    p = tmp_path / "t.csv"
    p.write_text("subject,period,catalogue," + ",".join(map(str, range(1, 48))) + "\n"
                 + "".join(f"S{k},2024,spbe-2020," + ",".join(["3"] * 47) + "\n" for k in range(5)))  # fmt: skip
    monkeypatch.setattr(readers, "MAX_BYTES", 100)
    with pytest.raises(AssessmentError, match=r"t.csv: file larger than 0 MiB \(.*iter_assessments.*spbe score FILE -f csv"):
        load_assessments(p, engine=engine)
    assert [i.assessment.subject for i in readers.iter_assessments(p, engine=engine)] == [f"S{k}" for k in range(5)]


def test_unknown_ids_name_the_catalogues_ids_as_they_are(tmp_path: Path, engine: Engine) -> None:
    """spbe-2018's ids end with 35-1, 35-2, 35-3: the reader lists them, not "1–35-3" (a range they do not form)."""
    p = tmp_path / "t.csv"
    p.write_text("subject,period,catalogue,1,99\nKota,2019,spbe-2018,3,3\n", encoding="utf-8")
    with pytest.raises(AssessmentError) as refused:
        load_assessments(p, engine=engine)
    assert refused.value.field == "levels.99" and refused.value.allowed is not None
    assert "1–35-3" not in refused.value.allowed and refused.value.allowed.endswith("35-1, 35-2, 35-3")

"""Hostile and careless input (issue 10: defects 6, 7, 8, 10 and the memory of the largest inputs).

No reader drops a value silently, a level or number is written with the ASCII digits 0-9 or refused,
a writer that promises not to overwrite never does (even when another writer races it), a malformed
result file is bad input (one line, exit 2) rather than an internal error, and reading the largest
accepted file takes memory of a small multiple of its size.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Assessment, AssessmentError, Engine, SpbeError, load_assessments, write_assessments
from spbe_engine._yaml import load_yaml_text
from spbe_engine.accountability.ownership import load_ownership, load_targets
from spbe_engine.cli.main import main
from spbe_engine.io.atomic import write_atomic
from spbe_engine.io.readers import read_assessments
from spbe_engine.verify import verify_result

from .conftest import ROOT

ENGINE = Engine(load_entry_points=False)
IDS = ENGINE.compiled("spbe-2020").ids
EXAMPLE = ROOT / "examples" / "dumai-2024.yaml"


def csv_file(tmp_path: Path, lines: list[str], name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def wide_header(sep: str = ",") -> str:
    return sep.join(["subject", "period", "catalogue", *IDS])


def wide_row(subject: str, levels: list[str] | None = None, sep: str = ",") -> str:
    return sep.join([subject, "2024", "spbe-2020", *(levels or ["3"] * len(IDS))])


def yaml_assessment(tmp_path: Path, body: str, name: str = "a.yaml") -> Path:
    p = tmp_path / name
    p.write_text(f"catalogue: spbe-2020\nsubject: Kota A\nperiod: '2024'\n{body}", encoding="utf-8")
    return p


# -- 6: no reader drops a cell -------------------------------------------------------------------


def test_owners_csv_row_with_more_cells_than_columns_is_refused(tmp_path: Path) -> None:
    """`1;diskominfo;bappeda;setda` under three columns: `setda` was silently dropped (exit 0)."""
    p = csv_file(tmp_path, ["indicator;lead;support", "1;diskominfo;bappeda;setda"], "owners.csv")
    with pytest.raises(SpbeError, match=r"owners.csv: row 2: 4 cells but 3 columns; 'setda' has no column") as info:
        load_ownership(p, indicator_ids=["1"])
    assert "\n" not in str(info.value)


def test_owners_csv_extra_cell_is_refused_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    owners = csv_file(
        tmp_path,
        [
            "indicator;lead;support",
            *(f"{i};diskominfo;bappeda" for i in IDS[:-1]),
            f"{IDS[-1]};diskominfo;bappeda;setda",
        ],
        "owners.csv",
    )
    code = main(["report", str(EXAMPLE), "--owners", str(owners), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"row {len(IDS) + 1}" in err and "'setda'" in err


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("indicator,lead,lead", r"row 1: column 'lead' appears twice"),
        ("indicator,lead,suport", r"row 1: unknown column 'suport' \(allowed: indicator, lead, support"),
    ],
)
def test_owners_csv_columns_that_would_lose_values_are_refused(tmp_path: Path, header: str, message: str) -> None:
    """A repeated column kept only its last cell; a misspelt one was ignored: both lose what people wrote."""
    p = csv_file(tmp_path, [header, "1,diskominfo,bappeda"], "owners.csv")
    with pytest.raises(SpbeError, match=message):
        load_ownership(p, indicator_ids=["1"])


def test_assessment_csv_extra_cell_names_the_value(tmp_path: Path) -> None:
    p = csv_file(tmp_path, [wide_header(";"), wide_row("Kota A", sep=";") + ";;7"])
    with pytest.raises(AssessmentError, match=r"t.csv: row 2: 52 cells but 50 columns; '7' has no column"):
        load_assessments(p, engine=ENGINE)


# -- 7: levels and numbers are ASCII decimal -----------------------------------------------------

NON_ASCII_DIGITS = ["\u0663", "\uff13", "\u0e53", "\u0969", "\U0001d7d1"]  # Arabic-Indic, full-width, Thai, ...


@pytest.mark.parametrize("cell", NON_ASCII_DIGITS)
def test_csv_level_in_other_digits_is_refused(tmp_path: Path, cell: str) -> None:
    """`٣` matched `\\d` and int() made it 3."""
    levels = ["3"] * len(IDS)
    levels[4] = cell
    p = csv_file(tmp_path, [wide_header(), wide_row("Kota A", levels)])
    with pytest.raises(AssessmentError, match=rf"row 2: field '5': level '{cell}' is not a whole number") as info:
        load_assessments(p, engine=ENGINE)
    assert "(allowed: whole numbers written with the digits 0-9)" in str(info.value)


def test_csv_levels_as_people_write_them_still_read(tmp_path: Path) -> None:
    levels = ["3"] * len(IDS)
    levels[:3] = ["4.0", " 2 ", "5.00"]
    p = csv_file(tmp_path, [wide_header(), wide_row("Kota A", levels)])
    (a,) = load_assessments(p, engine=ENGINE)
    assert [a.levels[i] for i in IDS[:4]] == [4, 2, 5, 3]


@pytest.mark.parametrize("literal", ["0x3", "0b11", "0_3", "03", "+0x3", "!!int 0x3", "!!int \u0663", "!!int 0_3"])
def test_yaml_level_in_odd_numerals_is_refused(tmp_path: Path, literal: str) -> None:
    """YAML 1.1 read `0x3`, `0b11`, `0_3` and `03` (octal) as 3."""
    p = yaml_assessment(tmp_path, f"levels:\n  1: {literal}\n")
    with pytest.raises(
        AssessmentError, match=r"a.yaml: (invalid YAML: line 5: .*whole number|field 'levels.1': .*whole numbers)"
    ):
        load_assessments(p, engine=ENGINE)


def test_yaml_odd_numerals_keep_their_text() -> None:
    """Where text is wanted, `0471`, `1:30` and `0x1F` stay as written (they were 313, 90 and 31)."""
    data = load_yaml_text("kode: 0471\njam: 1:30\nwarna: 0x1F\nbiner: 0b11\nn: 1_000\n", source="t")
    assert data == {"kode": "0471", "jam": "1:30", "warna": "0x1F", "biner": "0b11", "n": "1_000"}
    p_data = load_yaml_text("a: 12\nb: -3\nc: 0\nd: 4.0\ne: 3.50\nf: .5\n", source="t")
    assert p_data == {"a": 12, "b": -3, "c": 0, "d": 4, "e": 3.5, "f": 0.5}
    assert [str(p_data[k]) for k in "def"] == ["4.0", "3.50", "0.5"]  # exact decimals, as written


@pytest.mark.parametrize("literal", ["1_0.5", "!!float 0x3", "!!float 1:30.5", "'\u0661.\u0665'", "'\uff13'", "'1 0'"])
def test_yaml_decimal_in_odd_numerals_is_refused(tmp_path: Path, literal: str) -> None:
    """`1_0.5` was 10.5; `'١.٥'` and `'３'` were 1.5 and 3 (Decimal() reads any Unicode digit)."""
    p = yaml_assessment(tmp_path, f"levels: {{1: 3}}\ndistributions:\n  '2': {{3: {literal}}}\n")
    with pytest.raises(
        AssessmentError, match=r"a.yaml: (invalid YAML: line 6: |field 'distributions.2.3': ).*(decimal|number)"
    ):
        load_assessments(p, engine=ENGINE, validate=False)


@pytest.mark.parametrize("value", ["\u0661.\u0665", "\uff11", "1_0", "1 0", " 1", "0x1", "1e0 "])
def test_python_api_decimal_in_odd_numerals_is_refused(value: str) -> None:
    with pytest.raises(AssessmentError, match=r"field 'inputs.43.x': .* digits 0-9"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={}, inputs={"43": {"x": value}})


@pytest.mark.parametrize("key", ["0_3", "3_0", " 3", "\uff13", "3.0"])
def test_distribution_levels_in_odd_numerals_are_refused(key: str) -> None:
    with pytest.raises(AssessmentError, match=r"field 'distributions.1': .*digits 0-9"):
        Assessment(catalogue="spbe-2020", subject="A", period="1", levels={}, distributions={"1": {key: "1"}})


def test_decimals_stay_exact() -> None:
    a = Assessment(
        catalogue="spbe-2020",
        subject="A",
        period="1",
        levels={},
        inputs={"43": {"x": "3.50", "y": "4.0", "z": "-1.25e2"}},
        distributions={"1": {"3": "0.50", 4: "0.5"}},
    )
    assert [str(v) for v in a.inputs["43"].values()][:2] == ["3.50", "4.0"] and a.inputs["43"]["z"] == -125
    assert a.distributions["1"] == {3: 0.5, 4: 0.5}


@pytest.mark.parametrize("value", ["0_4", "\uff14", "4 "])
def test_target_levels_in_odd_numerals_are_refused(tmp_path: Path, value: str) -> None:
    p = tmp_path / "targets.yaml"
    p.write_text(f"levels: {{'1': '{value}'}}\n", encoding="utf-8")
    with pytest.raises(SpbeError, match=r"targets.yaml: field 'levels.1': .*digits 0-9"):
        load_targets(p, indicator_ids=["1"], lo={"1": 1}, hi={"1": 5})


# -- 8: a writer that does not overwrite never does -----------------------------------------------


def test_write_atomic_never_overwrites_a_file_created_meanwhile(tmp_path: Path) -> None:
    """Another writer creates the target after the existence check: the old check-then-replace overwrote it."""
    target = tmp_path / "out.yaml"

    def writer(tmp: Path) -> None:
        tmp.write_text("mine", encoding="utf-8")
        target.write_text("theirs", encoding="utf-8")  # the other writer wins the race

    with pytest.raises(SpbeError, match=r"out.yaml: refusing to overwrite an existing file"):
        write_atomic(target, writer, overwrite=False)
    assert target.read_text(encoding="utf-8") == "theirs" and list(tmp_path.iterdir()) == [target]


def test_write_atomic_without_hard_links_still_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Any, dst: Any) -> None:
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.yaml"
    assert write_atomic(target, "first", overwrite=False) == target and target.read_text(encoding="utf-8") == "first"

    def writer(tmp: Path) -> None:
        tmp.write_text("mine", encoding="utf-8")
        target.write_text("theirs", encoding="utf-8")

    target.unlink()
    with pytest.raises(SpbeError, match="refusing to overwrite"):
        write_atomic(target, writer, overwrite=False)
    assert target.read_text(encoding="utf-8") == "theirs" and list(tmp_path.iterdir()) == [target]
    write_atomic(target, "replaced", overwrite=True)
    assert target.read_text(encoding="utf-8") == "replaced" and list(tmp_path.iterdir()) == [target]


def _race(target: Path) -> dict[str, str]:
    """Two threads write `target`; both finish writing their temporary file before either commits."""
    both_written = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def write(name: str) -> None:
        def data(tmp: Path) -> None:
            tmp.write_text(name, encoding="utf-8")
            both_written.wait(timeout=10)

        try:
            write_atomic(target, data, overwrite=False)
            outcome[name] = "wrote"
        except SpbeError as exc:
            outcome[name] = exc.message

    threads = [threading.Thread(target=write, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_two_writers_racing_exactly_one_wins(tmp_path: Path) -> None:
    """Both pass the existence check, then both commit: with check-then-replace both "succeeded"."""
    for round_ in range(20):
        target = tmp_path / f"out{round_}.csv"
        outcome = _race(target)
        winners = [n for n, o in outcome.items() if o == "wrote"]
        assert len(winners) == 1, outcome
        assert target.read_text(encoding="utf-8") == winners[0]
    assert len(list(tmp_path.iterdir())) == 20  # no temporary files left


def test_write_assessments_refuses_in_the_library_wording(tmp_path: Path) -> None:
    a = Assessment(catalogue="spbe-2020", subject="A", period="2024", levels={"1": 3})
    path = tmp_path / "a.csv"
    write_assessments(path, [a])
    with pytest.raises(SpbeError, match="refusing to overwrite an existing file"):
        write_assessments(path, [a])


# -- CSV written by the library: formula-looking text is neutralised and reads back exactly ---------


FORMULAS = ["=1+1", "+x", "-y", "@SUM(A1)", "\tcmd", "'=quoted", "''=twice", "'plain", "-0.25", "=", "'"]


def test_assessment_csv_neutralises_formulas_and_round_trips(tmp_path: Path) -> None:
    items = [
        Assessment(
            catalogue="spbe-2020",
            subject=text,
            period="2024" if n % 2 else "=2024",
            levels={"1": 3, "2": 4},
            tags={"catatan": text, "kode": '=HYPERLINK("http://x")'},
        )
        for n, text in enumerate(FORMULAS)
    ]
    path = tmp_path / "a.csv"
    write_assessments(path, items)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for cells in rows:
        for cell in cells:
            assert not cell or cell[0] not in "=+@\t\r" or cell in ("-0.25",), cell
            assert not cell.startswith("-") or cell == "-0.25", cell
    assert rows[1][0] == "'=1+1"
    assert load_assessments(path, engine=ENGINE, validate=False) == items


def test_assessment_csv_reader_undoes_the_apostrophe(tmp_path: Path) -> None:
    p = csv_file(tmp_path, ["subject,period,catalogue,tag:x,1", "'=1+1,2024,spbe-2020,'@x,3"])
    (a,) = load_assessments(p, engine=ENGINE)
    assert (a.subject, a.tags) == ("=1+1", {"x": "@x"})


# -- 10: spbe verify -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    (a,) = load_assessments(EXAMPLE, engine=ENGINE)
    return dict(json.loads(json.dumps(ENGINE.score(a).to_dict())))


MALFORMED: list[tuple[str, Any, str]] = [
    ("manifest.options.as_of", 5, r"field 'manifest.options.as_of': malformed result: 5 is not a date"),
    ("manifest.options.as_of", "2024-13-45", r"field 'manifest.options.as_of': malformed result: '2024-13-45' is not"),
    ("manifest.options", "x", r"field 'manifest.options': malformed result: 'x' is not a mapping"),
    ("groups", [], r"field 'groups': malformed result: \[\] is not a mapping"),
    ("manifest.options.weighting", ["x"], r"field 'manifest.options.weighting': malformed result: \['x'\] is not a"),
    ("manifest.options.weights", "x", r"field 'manifest.options.weights': malformed result: 'x' is not a mapping"),
    ("manifest.options.missing", [1], r"field 'manifest.options.missing': malformed result: \[1\] is not a"),
    ("manifest.options.apply_rules", "yes", r"field 'manifest.options.apply_rules': malformed result: 'yes' is not"),
    ("indicators", "x", r"field 'indicators': malformed result: 'x' is not a mapping"),
]


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    *path, last = dotted.split(".")
    node = data
    for part in path:
        node = node[part]
    node[last] = value
    if dotted == "manifest.options.weights":
        data["manifest"]["options"]["weighting"] = "custom"
    return data


@pytest.mark.parametrize(("dotted", "value", "message"), MALFORMED)
def test_verify_malformed_manifest_is_bad_input(result: dict[str, Any], dotted: str, value: Any, message: str) -> None:
    with pytest.raises(SpbeError, match=message) as info:
        verify_result(ENGINE, _set(result, dotted, value))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("dotted", "value", "message"), MALFORMED[:4])
def test_verify_malformed_manifest_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result: dict[str, Any], dotted: str, value: Any, message: str
) -> None:
    p = tmp_path / "r.json"
    p.write_text(json.dumps([_set(result, dotted, value)]), encoding="utf-8")
    assert main(["verify", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"spbe: error: {p}") and err.count("\n") == 1


def test_verify_api_refuses_what_is_not_a_result() -> None:
    with pytest.raises(SpbeError, match="expected a result mapping"):
        verify_result(ENGINE, [])  # type: ignore[arg-type]


def test_load_results_refuses_duplicate_keys_and_deep_nesting(tmp_path: Path, result: dict[str, Any]) -> None:
    from spbe_engine.verify import load_results

    p = tmp_path / "r.json"
    text = json.dumps([result])
    p.write_text(text.replace('"display": "3.90"', '"display": "4.50", "display": "3.90"', 1), encoding="utf-8")
    with pytest.raises(SpbeError, match=r"r.json: not a result file: invalid JSON: duplicate key 'display'"):
        load_results(p)
    p.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(SpbeError, match=r"r.json: not a result file: invalid JSON: nested too deeply"):
        load_results(p)
    p.write_text(text, encoding="utf-8")
    assert load_results(p) == [result]
    assert verify_result(ENGINE, load_results(p)[0]).holds


@pytest.mark.parametrize("kind", ["duplicate key", "nested too deeply", "malformed manifest"])
def test_verify_cli_bad_files_exit_2_in_one_line(tmp_path: Path, result: dict[str, Any], kind: str) -> None:
    """Through `python -m spbe_engine verify`, as a user runs it: exit 2, one line, no traceback."""
    p = tmp_path / "r.json"
    if kind == "duplicate key":
        p.write_text(json.dumps([result]).replace('"display": "3.90"', '"display": "4.50", "display": "3.90"', 1))
    elif kind == "nested too deeply":
        p.write_text("[" * 100_000)
    else:
        p.write_text(json.dumps(_set(result, "manifest.options.as_of", 5)))
    out = subprocess.run(
        [sys.executable, "-m", "spbe_engine", "verify", str(p)], capture_output=True, text=True, timeout=120
    )
    assert (out.returncode, out.stdout) == (2, ""), out.stderr
    assert out.stderr.startswith(f"spbe: error: {p}: ") and out.stderr.count("\n") == 1, out.stderr
    assert kind.split()[0] in out.stderr or "as_of" in out.stderr


# -- Also: memory of the largest accepted inputs ---------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".json"])
def test_reading_holds_little_besides_the_assessments(tmp_path: Path, suffix: str) -> None:
    """Beyond the assessments it returns, reading holds a small multiple of the file at its peak:
    the YAML node graph of the whole file took ~60x its size, the CSV reader a list of every row."""
    n = 3000
    p = tmp_path / f"big{suffix}"
    if suffix == ".csv":
        p.write_text("\n".join([wide_header(), *(wide_row(f"Instansi {k}") for k in range(n))]) + "\n")
    elif suffix == ".json":
        one = {"catalogue": "spbe-2020", "period": "2024", "levels": dict.fromkeys(IDS, 3)}
        p.write_text(json.dumps([{**one, "subject": f"Instansi {k}"} for k in range(n)], indent=1))
    else:
        block = "".join(f"    '{i}': 3\n" for i in IDS)
        p.write_text(
            "assessments:\n"
            + "".join(
                f"- catalogue: spbe-2020\n  subject: Instansi {k}\n  period: '2024'\n  levels:\n{block}"
                for k in range(n)
            )
        )
    tracemalloc.start()
    try:
        items = read_assessments(p, engine=ENGINE)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(items) == n
    size = p.stat().st_size
    assert peak - held < 3 * size, (peak, held, size)


@pytest.mark.parametrize("bad", ["0_3", " 3 ", "3.0", "٣", "３"])
def test_whole_number_fields_of_catalogues_rules_and_crosswalks_are_ascii(bad: str) -> None:
    """Level values, evidence levels, rule levels, crosswalk widening and catalogue years take ASCII
    digits only (pydantic's own int parsing reads all of these as 3)."""
    from spbe_engine import Evidence, Level, LevelMap

    with pytest.raises(SpbeError, match=r"value.*not a whole number written with the digits 0-9"):
        Level(value=bad, name="Rintisan")
    with pytest.raises(SpbeError, match=r"level.*not a whole number"):
        Evidence(id="sk", level=bad, kind="policy")
    with pytest.raises(SpbeError, match=r"widen.*not a whole number"):
        LevelMap(kind="identity", widen=bad)
    assert Level(value="3", name="Rintisan").value == 3 and Evidence(id="sk", level=3, kind="policy").level == 3

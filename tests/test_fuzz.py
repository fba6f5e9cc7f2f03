"""Fuzzing the loaders: whatever the bytes, only a one-line `SpbeError` naming the file comes out.

Random bytes, near-valid files with random edits, wrong encodings, Excel's Indonesian CSV, broken
workbooks and hostile YAML go through `load_assessments`, the catalogue, ownership and targets
loaders and the CLI. Each test has a fixed, derandomized budget so the file runs in seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, AssessmentError, CatalogueError, Engine, SpbeError, load_assessments
from spbe_engine._builtins.catalogues import catalogue_dir
from spbe_engine._yaml import MAX_BYTES, load_yaml, load_yaml_text
from spbe_engine.accountability.ownership import load_ownership, load_targets
from spbe_engine.catalogue.loader import catalogue_from_data, load_catalogue_file
from spbe_engine.cli.main import main
from spbe_engine.model.rules import Evidence

ENGINE = Engine(load_entry_points=False)
CAT = ENGINE.catalogue("spbe-2020")
IDS = [i.id for i in CAT.indicators()]
COMPILED = ENGINE.compiled("spbe-2020")
LO = {i: COMPILED.lo[n] for n, i in enumerate(COMPILED.ids)}
HI = {i: COMPILED.hi[n] for n, i in enumerate(COMPILED.ids)}
SHARED_SCALES = {s.id: s for s in CAT.scales}
CATALOGUE_FILE = catalogue_dir() / "spbe-2020.yaml"

DEEPER = int(os.environ.get("SPBE_FUZZ_SCALE", "1"))  # e.g. 50: fifty times the examples, new ones each run


def budget(n: int) -> settings:
    """A fixed budget: derandomized (the same examples on every run), no deadline, no database.
    `SPBE_FUZZ_SCALE=50` multiplies the examples and draws fresh ones, for a longer hunt by hand."""
    return settings(
        max_examples=n * DEEPER,
        deadline=None,
        derandomize=DEEPER == 1,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- valid inputs to start from ----------------------------------------------------------------

VALID = Assessment(
    catalogue="spbe-2020",
    subject="Pemerintah Kota Contoh — Bekasi",
    period="2024",
    levels={i: 3 for i in IDS[:-1]},
    notes={"1": "Perwal 12/2023 sudah diundangkan"},
    tags={"provinsi": "Jawa Barat", "jenis": "Kota"},
    services={"45": "Layanan Perizinan"},
    stages={"self_assessment": {"1": 4}, "final": {"1": 3}},
    evidence={"1": (Evidence(id="BD-01", level=3, kind="enacted_policy", date=dt.date(2023, 5, 2)),)},
    distributions={"3": {2: Decimal("0.25"), 3: Decimal("0.75")}},
    inputs={"5": {"jumlah": Decimal("12.50")}},
)
VALID_DATA: dict[str, Any] = VALID.model_dump(mode="json", exclude_defaults=True)
VALID_YAML = yaml.safe_dump(VALID_DATA, allow_unicode=True, sort_keys=False)
VALID_JSON = json.dumps([VALID_DATA, {**VALID_DATA, "subject": "Kabupaten Lain"}], ensure_ascii=False, indent=1)


def csv_text(sep: str = ",", level: str = "3") -> str:
    header = ["subject", "period", "catalogue", "tag:provinsi", *IDS]
    rows = [
        ["Pemerintah Kota Contoh", "2024", "spbe-2020", "Riau", *([level] * len(IDS))],
        ["Kabupaten Lain", "2024", "spbe-2020", "Jambi", *([level] * (len(IDS) - 1)), ""],
    ]
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


VALID_CSV = csv_text()
OWNERS_YAML = yaml.safe_dump(
    {
        "catalogue": "spbe-2020",
        "units": [{"id": "diskominfo", "name": "Diskominfo", "contact": "a@b.go.id"}, {"id": "bappeda", "name": "B"}],
        "indicators": {i: {"lead": "diskominfo", "support": ["bappeda"]} for i in IDS},
    },
    sort_keys=False,
)
OWNERS_CSV = "indicator,lead,support,lead_name,contact\n" + "".join(
    f"{i},diskominfo,bappeda|hukum,Dinas Kominfo,k@x.go.id\n" for i in IDS
)
TARGETS_YAML = "index:\n  2024: 2.80\n  2025: 3.50\nlevels:\n" + "".join(f'  "{i}": 4\n' for i in IDS)
CATALOGUE_TEXT = CATALOGUE_FILE.read_text(encoding="utf-8")
CATALOGUE_DATA: dict[str, Any] = load_yaml_text(CATALOGUE_TEXT, source="spbe-2020.yaml")


# -- strategies --------------------------------------------------------------------------------

TOKENS = [
    *":-[]{},\"'\n #&*!|>?%@`;\t\r\\/=0123456789.eE+_",
    "\x00",
    "\x1b",
    "\ufeff",
    "\ufffe",
    "é",
    "\u2028",
    "\x85",
    "😀",
    "NaN",
    "Infinity",
    "-Infinity",
    ".inf",
    "-.inf",
    ".nan",
    "true",
    "null",
    "~",
    "-1",
    "1e400",
    "1.0e999999999",
    "3,0",
    "99999999999999999999999",
    "1" * 5000,
    '"\\ud800"',
    '"\\u0000"',
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!!binary",
    "!!set",
    "!!bool",
    "!!int",
    "!!float",
    "!!timestamp",
    "!!omap",
    "2024-13-45",
    "2024-02-30",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "--- ",
    "...",
    "%YAML 1.1",
    "levels",
    "catalogue",
    "subject",
    "period",
    "evidence",
    "distributions",
    "stages",
    "inputs",
    "spbe-2020",
    "spbe-2018",
]
junk_text = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map("".join) | st.text(max_size=12)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few random edits: deletions, insertions, replacements, truncation, repeated lines."""
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "line"]))
        at = draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:at] + draw(junk_text) + text[at:]
        elif op == "replace":
            text = text[:at] + draw(junk_text) + text[at + draw(st.integers(1, 10)) :]
        elif op == "truncate":
            text = text[:at]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                n = draw(st.integers(0, len(lines) - 1))
                lines.insert(draw(st.integers(0, len(lines))), lines[n])
                text = "".join(lines)
    return text


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**30, -(10**30), 2**63, -1, 0, 6, 10**4000])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | junk_text
    | st.dates()
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=3),
    max_leaves=8,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in nested lists and mappings, as a tuple of keys and indices."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(data, list):
        for n, v in enumerate(data):
            yield from paths(v, (*prefix, n))


def replaced(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    """A copy of `data` with the value at `path` replaced (or its key deleted)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy: Any = dict(data)
        if head not in copy:  # a new key (or an earlier edit removed this place)
            copy[head] = value
            return copy
    elif isinstance(data, list) and isinstance(head, int) and head < len(data):
        copy = list(data)
    else:
        return data  # an earlier edit replaced this place
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = replaced(copy[head], rest, value, delete)
    return copy


@st.composite
def mutated_data(draw: st.DrawFn, data: Any, places: list[tuple[Any, ...]]) -> Any:
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places))
        data = replaced(data, path, draw(junk), delete=bool(path) and draw(st.booleans()))
    return data


ASSESSMENT_PLACES = [*paths(VALID_DATA), ("levels", "1"), ("levels", "99"), ("unknown",), ("levels", "1 ")]
CATALOGUE_PLACES = list(paths(CATALOGUE_DATA))


def dump(data: Any, kind: str) -> str:
    """YAML or JSON text of fuzzed data (JSON writes NaN and Infinity as Python does)."""
    if kind == "json":
        return json.dumps(data, default=str, ensure_ascii=False)

    def plain(x: Any) -> Any:  # YAML: keys must be text or numbers to be dumped
        if isinstance(x, dict):
            return {k if isinstance(k, (str, int)) else str(k): plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x

    return yaml.safe_dump(plain(data), allow_unicode=True, sort_keys=False)


ENCODINGS: list[tuple[str, Callable[[str], bytes]]] = [
    ("utf-8", lambda t: t.encode("utf-8")),
    ("utf-8-sig", lambda t: t.encode("utf-8-sig")),
    ("crlf", lambda t: t.replace("\n", "\r\n").encode("utf-8")),
    ("latin-1", lambda t: t.encode("latin-1", errors="replace")),
    ("cp1252", lambda t: t.encode("cp1252", errors="replace")),
    ("utf-16", lambda t: t.encode("utf-16")),
    ("utf-16-le", lambda t: t.encode("utf-16-le")),
    ("utf-16-be", lambda t: t.encode("utf-16-be")),
    ("utf-32", lambda t: t.encode("utf-32")),
]


# -- the checks --------------------------------------------------------------------------------


def refused_well(exc: SpbeError, path: Path) -> None:
    """A good refusal: one line, naming the file."""
    text = str(exc)
    assert len(text.splitlines()) == 1 and "\r" not in text, repr(text)
    assert str(path) in text, text


def load_or_refuse(path: Path) -> list[Assessment] | None:
    try:
        return load_assessments(path, engine=ENGINE)
    except SpbeError as exc:
        assert isinstance(exc, AssessmentError), repr(exc)
        refused_well(exc, path)
        return None


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_the_starting_points_are_valid(tmp_path: Path) -> None:
    for name, text in [("a.yaml", VALID_YAML), ("a.json", VALID_JSON), ("a.csv", VALID_CSV), ("b.csv", csv_text(";"))]:
        assert load_or_refuse(write(tmp_path / name, text))
    assert load_ownership(write(tmp_path / "o.yaml", OWNERS_YAML), catalogue="spbe-2020", indicator_ids=IDS)
    assert load_ownership(write(tmp_path / "o.csv", OWNERS_CSV), catalogue="spbe-2020", indicator_ids=IDS)
    assert load_targets(write(tmp_path / "t.yaml", TARGETS_YAML), indicator_ids=IDS, lo=LO, hi=HI)
    assert load_catalogue_file(CATALOGUE_FILE).id == "spbe-2020"
    assert catalogue_from_data(CATALOGUE_DATA, source="x", shared_scales=SHARED_SCALES) == CAT


# -- assessments: random bytes, edited text, odd encodings -------------------------------------

SUFFIXES = [".yaml", ".yml", ".json", ".csv", ".tsv", ".txt", ".xlsx", ".XLSX", ".Yaml", ""]


@budget(300)
@given(data=st.binary(max_size=600), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    load_or_refuse(write(tmp_path / f"random{suffix}", data))


@budget(250)
@given(kind=st.sampled_from(["yaml", "json", "csv"]), data=st.data())
def test_edited_text(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    base = {"yaml": VALID_YAML, "json": VALID_JSON, "csv": VALID_CSV}[kind]
    text = data.draw(mutated(base))
    load_or_refuse(write(tmp_path / f"edited.{kind}", text.encode("utf-8", errors="surrogatepass")))


@budget(200)
@given(kind=st.sampled_from(["yaml", "json"]), data=st.data())
def test_random_values_in_fields(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    fuzzed = data.draw(mutated_data(VALID_DATA, ASSESSMENT_PLACES))
    load_or_refuse(write(tmp_path / f"fields.{kind}", dump(fuzzed, kind).encode("utf-8", errors="surrogatepass")))


LEVELS = st.sampled_from(
    [
        "-1",
        "0",
        "6",
        "3.0",
        "3,0",
        "3.5",
        "1e3",
        "true",
        "false",
        ".nan",
        ".inf",
        "-.inf",
        "NaN",
        "Infinity",
        "null",
        "~",
        '""',
        "[]",
        "{}",
        "9" * 40,
        "-" + "9" * 40,
        "1" * 5000,
        "0x10",
        "0o7",
        "1_000",
        "+3",
        "٣",
        '"3"',
        "'3'",
        "1.0e999999999",
        "1e-999999999",
        "2024-01-01",
    ]
)


@budget(100)
@given(kind=st.sampled_from(["yaml", "json", "csv"]), level=LEVELS, where=st.sampled_from(IDS[:3]))
def test_odd_levels(tmp_path: Path, kind: str, level: str, where: str) -> None:
    if kind == "csv":
        cell = level.strip("\"'")
        text = csv_text(";").replace(";spbe-2020;Riau;3;", f";spbe-2020;Riau;{cell};", 1)
    elif kind == "yaml":
        text = VALID_YAML.replace(f"\n  '{where}': 3\n", f"\n  '{where}': {level}\n", 1)
    else:
        text = VALID_JSON.replace(f'"{where}": 3,', f'"{where}": {level},', 1)
    load_or_refuse(write(tmp_path / f"level.{kind}", text))


@budget(80)
@given(
    kind=st.sampled_from(["yaml", "json", "csv", "semicolons"]),
    encoding=st.sampled_from(ENCODINGS),
    cut=st.none() | st.integers(0, 4000),
)
def test_encodings_and_truncation(tmp_path: Path, kind: str, encoding: tuple[str, Any], cut: int | None) -> None:
    text = {"yaml": VALID_YAML, "json": VALID_JSON, "csv": VALID_CSV, "semicolons": csv_text(";", "3,0")}[kind]
    data = encoding[1](text)[:cut]
    suffix = "csv" if kind == "semicolons" else kind
    result = load_or_refuse(write(tmp_path / f"enc.{suffix}", data))
    if cut is None and encoding[0] in ("utf-8", "utf-8-sig", "crlf") and kind != "semicolons":
        assert result is not None  # UTF-8, with or without BOM, either line ending


@budget(100)
@given(
    sep=st.sampled_from([",", ";", "\t"]),
    rows=st.lists(
        st.lists(
            st.sampled_from(["3", "3,0", "4", "", " ", "x", '"', '"a;b"', "spbe-2020", "1", "subject"]), max_size=8
        ),
        max_size=4,
    ),
    header=st.lists(
        st.sampled_from(["subject", "period", "catalogue", "1", "2", "tag:a", "", "tag:", " 1 "]), max_size=7
    ),
)
def test_ragged_csv_and_duplicate_columns(tmp_path: Path, sep: str, rows: list[list[str]], header: list[str]) -> None:
    text = "\n".join(sep.join(r) for r in [header, *rows])
    load_or_refuse(write(tmp_path / "ragged.csv", text))


def test_indonesian_excel_csv_reads_and_a_fraction_is_refused_clearly(tmp_path: Path) -> None:
    p = write(tmp_path / "excel-id.csv", "\ufeff" + csv_text(";", "3,0").replace("\n", "\r\n"))
    assert load_assessments(p, engine=ENGINE)[0].levels["1"] == 3  # issue 13: `3,0` is the level 3
    p = write(tmp_path / "excel-id.csv", "\ufeff" + csv_text(";", "3,5").replace("\n", "\r\n"))
    with pytest.raises(AssessmentError, match=r"row 2: field '1': level '3,5' is not a whole number") as info:
        load_assessments(p, engine=ENGINE)
    refused_well(info.value, p)


def test_duplicate_columns_and_wrong_encodings_are_named(tmp_path: Path) -> None:
    dup = write(tmp_path / "dup.csv", VALID_CSV.replace(",1,2,", ",1,1,", 1))
    with pytest.raises(AssessmentError, match=r"dup.csv: row 1: column '1' appears twice"):
        load_assessments(dup, engine=ENGINE)
    latin = write(
        tmp_path / "latin.yaml", VALID_YAML.replace("Bekasi", "Bekasi Selatan é").encode("latin-1", "replace")
    )
    with pytest.raises(AssessmentError, match=r"latin.yaml: not UTF-8 text"):
        load_assessments(latin, engine=ENGINE)
    wide = write(tmp_path / "wide.csv", VALID_CSV.encode("utf-16"))
    with pytest.raises(AssessmentError, match=r"wide.csv: not UTF-8 text \(UTF-16\)"):
        load_assessments(wide, engine=ENGINE)


# -- Excel workbooks ---------------------------------------------------------------------------

openpyxl = pytest.importorskip("openpyxl", reason="Excel support needs the `excel` extra")

from spbe_engine.io.excel import write_assessment  # noqa: E402


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_assessment(ENGINE, VALID, tmp_path_factory.mktemp("wb") / "valid.xlsx").read_bytes()


def test_the_workbook_is_valid(tmp_path: Path, workbook: bytes) -> None:
    assert load_or_refuse(write(tmp_path / "w.xlsx", workbook)) == [VALID]


@budget(60)
@given(cut=st.integers(0, 100_000), flip=st.lists(st.tuples(st.integers(0, 100_000), st.integers(0, 255)), max_size=3))
def test_truncated_and_damaged_workbooks(
    tmp_path: Path, workbook: bytes, cut: int, flip: list[tuple[int, int]]
) -> None:
    data = bytearray(workbook[: cut % (len(workbook) + 1)])
    for at, byte in flip:
        if data:
            data[at % len(data)] = byte
    load_or_refuse(write(tmp_path / "cut.xlsx", bytes(data)))


XLSX_MEMBERS = [
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "_rels/.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "docProps/app.xml",
    "hello.txt",
]


@budget(60)
@given(
    members=st.lists(
        st.tuples(st.sampled_from(XLSX_MEMBERS), st.binary(max_size=200) | junk_text.map(str.encode)),
        max_size=5,
        unique_by=lambda m: m[0],
    ),
    take=st.lists(st.integers(0, 30), max_size=6),
)
def test_zips_that_are_not_workbooks(
    tmp_path: Path, workbook: bytes, members: list[tuple[str, bytes]], take: list[int]
) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as real, zipfile.ZipFile(buf, "w") as z:
        names = real.namelist()
        kept = {names[n % len(names)] for n in take}  # some members of a real workbook, the rest junk
        for name in kept:
            z.writestr(name, real.read(name))
        for name, content in members:
            if name not in kept:
                z.writestr(name, content)
    load_or_refuse(write(tmp_path / "zip.xlsx", buf.getvalue()))


cell_values = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
    | st.sampled_from(["3,0", "4.0", " 4 ", "tiga", "=1/0", "=A1", "0.25", "1e999", "spbe-2018", "format", "version"])
    | st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1))
    | st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1))
    | st.times()
    | st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=1000))
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
)
SHEETS = ["Penilaian", "Bukti Dukung", "Tags", "Input", "Distribusi", "Petunjuk", "spbe_meta"]


@budget(40)
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(SHEETS),
            st.integers(1, 60) | st.integers(1, 1_048_576),  # Excel's last row and column too
            st.integers(1, 14) | st.integers(1, 16_384),
            cell_values,
        ),
        min_size=1,
        max_size=4,
    ),
    sheet_op=st.sampled_from([None, None, "delete", "rename", "copy"]),
    which=st.sampled_from(SHEETS),
)
def test_workbook_with_random_cells(
    tmp_path: Path,
    workbook: bytes,
    changes: list[tuple[str, int, int, Any]],
    sheet_op: str | None,
    which: str,
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    for sheet, row, col, value in changes:
        wb[sheet].cell(row=row, column=col).value = value
    if sheet_op == "delete" and len(wb.sheetnames) > 1:
        del wb[which]
    elif sheet_op == "rename":
        wb[which].title = which.upper() + " "
    elif sheet_op == "copy":
        wb.copy_worksheet(wb[which])
    p = tmp_path / "cells.xlsx"
    wb.save(p)
    load_or_refuse(p)


# -- YAML safety -------------------------------------------------------------------------------

PYTHON_TAGS = [
    '!!python/object/apply:os.system ["echo pwned"]',
    "!!python/object/apply:subprocess.check_output [[id]]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object/new:os.system [echo pwned]",
    "!!python/object:spbe_engine.Engine {}",
    "!!python/tuple [1, 2]",
    "!!python/str pwned",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [echo pwned]",
    "levels: !!python/object/apply:os.system [echo pwned]",
]


def all_yaml_loaders(path: Path) -> list[Callable[[], object]]:
    return [
        lambda: load_assessments(path, engine=ENGINE),
        lambda: load_catalogue_file(path),
        lambda: load_ownership(path, catalogue="spbe-2020", indicator_ids=IDS),
        lambda: load_targets(path, indicator_ids=IDS, lo=LO, hi=HI),
        lambda: load_yaml(path),
    ]


@pytest.mark.parametrize("text", PYTHON_TAGS)
def test_python_tags_are_refused(tmp_path: Path, text: str, capfd: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path / "evil.yaml", text + "\n")
    for load in all_yaml_loaders(p):
        with pytest.raises(SpbeError, match=r"evil.yaml: invalid YAML: line 1: could not determine a constructor"):
            load()
    assert "pwned" not in capfd.readouterr().out


def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in itertools.pairwise("abcdefghijklmnop"[:levels]):
        text += f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    return text


@pytest.mark.parametrize(
    "text",
    [
        billion_laughs(9),
        billion_laughs(16),
        "levels:\n" + "".join(f"  {line}\n" for line in billion_laughs(12).splitlines()),
        "a: &a [x]\nb: [" + ", ".join(["*a"] * 5000) + "]\n",  # many aliases
        "a: &a {x: 1}\nb: [" + ", ".join(["{<<: *a}"] * 3000) + "]\n",  # many merges
    ],
)
def test_alias_bombs_are_refused_quickly(tmp_path: Path, text: str) -> None:
    p = write(tmp_path / "bomb.yaml", text)
    for load in all_yaml_loaders(p):
        start = time.perf_counter()
        with pytest.raises(SpbeError, match=r"bomb.yaml: invalid YAML: .*alias"):
            load()
        assert time.perf_counter() - start < 2


def test_recursive_aliases_are_refused(tmp_path: Path) -> None:
    for text in ["&a [*a]", "a: &a [1, *a]", "&a {x: *a}"]:
        with pytest.raises(SpbeError, match=r"x.yaml: invalid YAML: .*recursive"):
            load_yaml_text(text, source="x.yaml")


def test_a_few_aliases_are_fine() -> None:
    assert load_yaml_text("a: &a [1, 2]\nb: *a\nc: {<<: {x: 1}}", source="x") == {
        "a": [1, 2],
        "b": [1, 2],
        "c": {"x": 1},
    }


def test_files_over_the_size_limit_are_refused_unread(tmp_path: Path) -> None:
    for name in ["big.yaml", "big.json", "big.csv", "big.xlsx"]:
        p = tmp_path / name
        with p.open("wb") as fh:
            fh.truncate(MAX_BYTES + 1)  # sparse: no 20 MiB written
        start = time.perf_counter()
        with pytest.raises(AssessmentError, match=rf"{name}: file larger than 20 MiB"):
            load_assessments(p, engine=ENGINE)
        assert time.perf_counter() - start < 1
    with pytest.raises(CatalogueError, match=r"big.yaml: file larger than 20 MiB"):
        load_catalogue_file(tmp_path / "big.yaml")
    with pytest.raises(SpbeError, match=r"t.yaml: file larger than 20 MiB"):
        load_yaml_text("x" * (MAX_BYTES + 1), source="t.yaml")


@pytest.mark.parametrize("number", ["1.0e+999999999", "1.0e-999999999", "9.9e+4301", "0." + "1" * 5000])
def test_numbers_too_long_to_be_exact_are_refused_quickly(tmp_path: Path, number: str) -> None:
    p = write(tmp_path / "n.yaml", VALID_YAML.replace("'0.25'", number))
    j = write(tmp_path / "n.json", VALID_JSON.replace('"12.50"', number.replace("+", ""), 1))
    t = write(tmp_path / "t.yaml", TARGETS_YAML.replace("2.80", number))
    c = write(tmp_path / "c.yaml", CATALOGUE_TEXT.replace("weight: 1.30", f"weight: {number}", 1))
    for load in [
        lambda: load_assessments(p, engine=ENGINE),
        lambda: load_assessments(j, engine=ENGINE),
        lambda: load_targets(t, indicator_ids=IDS, lo=LO, hi=HI),
        lambda: load_catalogue_file(c),
    ]:
        start = time.perf_counter()
        with pytest.raises(
            SpbeError, match=r"invalid (YAML: line \d+|JSON): the number \S+ has more than 4300 digits written out"
        ):
            load()
        assert time.perf_counter() - start < 2


@pytest.mark.parametrize("number", ["1e999999999", "-1e999999999", "1e-999999999", "0." + "1" * 5000])
def test_numbers_as_text_too_long_to_be_exact_are_refused_quickly(
    tmp_path: Path, number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write(tmp_path / "n.yaml", VALID_YAML.replace("'0.25'", f"'{number}'"))
    q = write(tmp_path / "i.yaml", VALID_YAML.replace("'12.50'", f"'{number}'"))
    for path in (p, q):
        start = time.perf_counter()
        load_or_refuse(path)
        for command in ("score", "validate"):
            assert main([command, str(path)]) in (0, 2), capsys.readouterr().err
        assert time.perf_counter() - start < 3


# -- catalogues, ownership, targets ------------------------------------------------------------


def catalogue_or_refuse(path: Path) -> None:
    try:
        load_catalogue_file(path)
    except SpbeError as exc:
        assert isinstance(exc, CatalogueError), repr(exc)
        refused_well(exc, path)


@budget(100)
@given(data=st.binary(max_size=600))
def test_catalogue_random_bytes(tmp_path: Path, data: bytes) -> None:
    catalogue_or_refuse(write(tmp_path / "cat.yaml", data))


@budget(60)
@given(data=st.data())
def test_catalogue_edited_text(tmp_path: Path, data: st.DataObject) -> None:
    text = data.draw(mutated(CATALOGUE_TEXT))
    catalogue_or_refuse(write(tmp_path / "cat.yaml", text.encode("utf-8", errors="surrogatepass")))


@budget(200)
@given(data=st.data(), shared=st.booleans())
def test_catalogue_random_values(data: st.DataObject, shared: bool) -> None:
    fuzzed = data.draw(mutated_data(CATALOGUE_DATA, CATALOGUE_PLACES))
    try:
        catalogue_from_data(fuzzed, source="fuzz.yaml", shared_scales=SHARED_SCALES if shared else None)
    except SpbeError as exc:
        assert isinstance(exc, CatalogueError), repr(exc)
        refused_well(exc, Path("fuzz.yaml"))


def owners_or_refuse(path: Path) -> None:
    try:
        load_ownership(path, catalogue="spbe-2020", indicator_ids=IDS)
    except SpbeError as exc:
        refused_well(exc, path)


def targets_or_refuse(path: Path) -> None:
    try:
        load_targets(path, indicator_ids=IDS, lo=LO, hi=HI)
    except SpbeError as exc:
        refused_well(exc, path)


@budget(150)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json", ".csv", ".txt"]))
def test_ownership_and_targets_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    owners_or_refuse(write(tmp_path / f"owners{suffix}", data))
    targets_or_refuse(write(tmp_path / f"targets{suffix}", data))


@budget(150)
@given(kind=st.sampled_from(["owners.yaml", "owners.csv", "targets.yaml"]), data=st.data())
def test_ownership_and_targets_edited(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    base = {"owners.yaml": OWNERS_YAML, "owners.csv": OWNERS_CSV, "targets.yaml": TARGETS_YAML}[kind]
    p = write(tmp_path / kind, data.draw(mutated(base)).encode("utf-8", errors="surrogatepass"))
    if kind.startswith("owners"):
        owners_or_refuse(p)
    else:
        targets_or_refuse(p)


OWNERS_DATA = yaml.safe_load(OWNERS_YAML)
TARGETS_DATA = yaml.safe_load(TARGETS_YAML)


@budget(150)
@given(kind=st.sampled_from(["owners", "targets"]), data=st.data())
def test_ownership_and_targets_random_values(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    base = OWNERS_DATA if kind == "owners" else TARGETS_DATA
    places = [*list(paths(base))[:200], ("units", 0, "id"), ("levels",), ("index",), ("catalogue",), ("indicators",)]
    places = [p for p in places if not p or p[0] in base]
    fuzzed = data.draw(mutated_data(base, places))
    p = write(tmp_path / f"{kind}.yaml", dump(fuzzed, "yaml").encode("utf-8", errors="surrogatepass"))
    if kind == "owners":
        owners_or_refuse(p)
    else:
        targets_or_refuse(p)


# -- the CLI -----------------------------------------------------------------------------------


@st.composite
def fuzzed_file(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["bytes", "yaml", "json", "csv", "fields-yaml", "fields-json"]))
    if kind == "bytes":
        return draw(st.sampled_from([".yaml", ".json", ".csv", ".xlsx"])), draw(st.binary(max_size=300))
    if kind.startswith("fields"):
        fmt = kind.split("-")[1]
        text = dump(draw(mutated_data(VALID_DATA, ASSESSMENT_PLACES)), fmt)
        return f".{fmt}", text.encode("utf-8", errors="surrogatepass")
    base = {"yaml": VALID_YAML, "json": VALID_JSON, "csv": VALID_CSV}[kind]
    return f".{kind}", draw(mutated(base)).encode("utf-8", errors="surrogatepass")


@budget(200)
@given(file=fuzzed_file(), command=st.sampled_from(["score", "validate"]))
def test_cli_never_shows_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: tuple[str, bytes], command: str
) -> None:
    p = write(tmp_path / f"input{file[0]}", file[1])
    capsys.readouterr()
    code = main([command, str(p)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("spbe: error: ") and err.endswith("\n"), err
        # one line per problem: `validate` lists every problem (issue 13), the others stop at the first
        lines = err.splitlines()
        assert "\r" not in err and all(line.startswith("spbe: error: ") for line in lines), repr(err)
        assert len(lines) == 1 or command == "validate", repr(err)
    else:
        assert err == ""


# -- what the fuzzing found, pinned -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!bool maybe\n", r"line 1: 'maybe' is not a valid boolean"),  # was KeyError
        ("a: 2024-13-45\n", r"line 1: '2024-13-45' is not a valid date or time \(month must be in 1..12\)"),
        ("a: b\nc: \x00\n", r"line 2: unacceptable character U\+0000: control characters are not allowed"),
        ("a: " + "1" * 5000 + "\n", r"line 1: '1111.*' is not a valid whole number \(more than 4300 digits\)"),
    ],
)
def test_yaml_errors_are_one_line_with_the_line(text: str, message: str) -> None:
    with pytest.raises(SpbeError, match=rf"^x.yaml: invalid YAML: {message}$") as info:
        load_yaml_text(text, source="x.yaml")
    assert len(str(info.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"levels": {"1": ' + "1" * 5000 + "}}",
            r"invalid JSON: a whole number has more than 4300 digits",
        ),  # ValueError
        ('{"a": NaN}', r"invalid JSON: NaN is not a finite number"),
        ('{"a": -Infinity}', r"invalid JSON: -Infinity is not a finite number"),
        ('{"subject": "\\ud800"}', r"invalid JSON: a \\u escape gives half of a UTF-16 surrogate pair"),
    ],
)
def test_json_numbers_and_escapes(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path / "a.json", text)
    with pytest.raises(AssessmentError, match=rf"a.json: {message}"):
        load_assessments(p, engine=ENGINE)


def test_a_lone_surrogate_never_reaches_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path / "a.json", VALID_JSON.replace("Kabupaten Lain", "\\udc80"))
    assert main(["score", str(p)]) == 2  # was exit 3: UnicodeEncodeError printing the subject
    assert "surrogate" in capsys.readouterr().err


def test_non_text_field_names_inside_entries(tmp_path: Path) -> None:  # was TypeError: keywords must be strings
    p = write(tmp_path / "a.yaml", VALID_YAML.replace("  - id: BD-01\n", "  - id: BD-01\n    7: x\n", 1))
    with pytest.raises(AssessmentError, match=r"a.yaml: field 'evidence.1\[0\]': field names must be text, got 7"):
        load_assessments(p, engine=ENGINE)
    cat = dict(CATALOGUE_DATA, scales=[{**CATALOGUE_DATA["scales"][0], 3: "x"}])
    with pytest.raises(CatalogueError, match=r"c.yaml: scales\[0\]: field names must be text, got 3"):
        catalogue_from_data(cat, source="c.yaml")
    cat = dict(CATALOGUE_DATA, regulation={**CATALOGUE_DATA["regulation"], 1: "x"})
    with pytest.raises(CatalogueError, match=r"c.yaml: regulation: field names must be text, got 1"):
        catalogue_from_data(cat, source="c.yaml")
    o = write(tmp_path / "o.yaml", OWNERS_YAML.replace("- id: bappeda", "- 5: x\n  id: bappeda"))
    with pytest.raises(SpbeError, match=r"o.yaml: field 'units\[1\]': field names must be text, got 5"):
        load_ownership(o, catalogue="spbe-2020", indicator_ids=IDS)


@pytest.mark.parametrize("scales", [5, "abc", [5, [1]], [{"id": [1]}]])
@pytest.mark.parametrize("groups", [5, [5], [{"indicators": 5, "groups": 7}], [{"indicators": [{"scale": [1]}]}]])
def test_shared_scales_with_malformed_catalogues(scales: Any, groups: Any) -> None:  # was TypeError
    with pytest.raises(CatalogueError, match=r"^c.yaml: "):
        catalogue_from_data(
            dict(CATALOGUE_DATA, scales=scales, groups=groups), source="c.yaml", shared_scales=SHARED_SCALES
        )


@pytest.mark.parametrize("field", ["levels", "index"])
@pytest.mark.parametrize("value", ["true", "[1, 2]", "3", "x"])
def test_targets_that_are_not_mappings(tmp_path: Path, field: str, value: str) -> None:  # was AttributeError
    p = write(tmp_path / "t.yaml", f"{field}: {value}\n")
    with pytest.raises(SpbeError, match=rf"t.yaml: field '{field}': expected a mapping of .*, got"):
        load_targets(p, indicator_ids=IDS, lo=LO, hi=HI)


def test_targets_keys_that_become_the_same_text(tmp_path: Path) -> None:
    p = write(tmp_path / "t.yaml", "index:\n  2024: 2.8\n  '2024': 3.1\n")
    with pytest.raises(SpbeError, match=r"t.yaml: field 'index.2024': '2024' is given twice"):
        load_targets(p, indicator_ids=IDS, lo=LO, hi=HI)


def test_ownership_csv_with_a_huge_cell(tmp_path: Path) -> None:  # was csv.Error
    p = write(tmp_path / "o.csv", 'indicator,lead\n1,"' + "x" * 200_000 + '"\n')
    with pytest.raises(SpbeError, match=r"o.csv: invalid CSV: field larger than field limit"):
        load_ownership(p, catalogue="spbe-2020", indicator_ids=IDS)


def test_an_indicator_field_cannot_contradict_its_key(tmp_path: Path) -> None:
    p = write(
        tmp_path / "o.yaml",
        OWNERS_YAML.replace("'1':\n    lead: diskominfo", "'1':\n    indicator: '2'\n    lead: diskominfo"),
    )
    with pytest.raises(SpbeError, match=r"o.yaml: indicator 1: unknown field 'indicator' \(allowed: lead, support\)"):
        load_ownership(p, catalogue="spbe-2020", indicator_ids=IDS)


def test_values_with_line_breaks_keep_errors_on_one_line(tmp_path: Path) -> None:
    twice = write(tmp_path / "a.json", json.dumps([dict(VALID_DATA, period="2024\nX")] * 2))
    targets = write(tmp_path / "t.yaml", 'index:\n  "2024\\u2028": 9\n')
    owners = write(tmp_path / "o.csv", 'indicator,lead\n"1\n2",a\n"1\n2",b\n')
    scale = dict(CATALOGUE_DATA, scales=[dict(s, id=s["id"] + "\r") for s in CATALOGUE_DATA["scales"]])
    for load in [
        lambda: load_assessments(twice, engine=ENGINE),
        lambda: load_targets(targets, indicator_ids=IDS, lo=LO, hi=HI),
        lambda: load_ownership(owners, catalogue="spbe-2020", indicator_ids=IDS),
        lambda: catalogue_from_data(scale, source="c.yaml"),
    ]:
        with pytest.raises(SpbeError) as info:
            load()
        assert len(str(info.value).splitlines()) == 1, str(info.value)


def test_a_value_in_excels_last_cell_is_read_quickly(tmp_path: Path, workbook: bytes) -> None:
    for sheet in ("Penilaian", "Tags", "spbe_meta"):
        wb = openpyxl.load_workbook(io.BytesIO(workbook))
        wb[sheet]["XFD1048576"] = "x"  # openpyxl would create 17 billion empty cells iterating the extent
        p = tmp_path / "far.xlsx"
        wb.save(p)
        start = time.perf_counter()
        assert load_or_refuse(p) == [VALID]
        assert time.perf_counter() - start < 2


def test_workbook_decimals_too_long_to_be_exact(tmp_path: Path, workbook: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    wb["Distribusi"]["C2"] = "1e999999999"  # was decimal.Overflow summing the probabilities
    p = tmp_path / "d.xlsx"
    wb.save(p)
    with pytest.raises(
        AssessmentError, match=r"row 2: field 'Distribusi.probability': probability: the number 1e999999999 has more"
    ):
        load_assessments(p, engine=ENGINE)

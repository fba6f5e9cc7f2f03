"""The bulk paths: chunked CSV reading, `spbe score big.csv -f csv` streamed byte for byte as the
row-by-row path writes it, `plan_many`/`what_if_many`, and compiled catalogues crossing processes."""

from __future__ import annotations

import csv
import io
import pickle
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from spbe_engine import Engine
from spbe_engine.io.readers import load_assessments

from .conftest import OFFICIAL_2023, run_cli_bytes

pytest.importorskip("numpy")
IDS = [str(i) for i in range(1, 48)]
ENGINE = Engine()


def table(path: Path, n: int, *, seed: int = 5, blank: float = 0.0, sep: str = ",", extra: str = "") -> Path:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        if extra:
            fh.write(extra)
        w = csv.writer(fh, delimiter=sep)
        w.writerow(["subject", "period", "catalogue", *IDS, "tag:provinsi"])
        for k in range(n):
            levels = ["" if rnd.random() < blank else rnd.randint(1, 5) for _ in IDS]
            w.writerow([f'Pemkab, {k} "q"', "2019" if k % 7 == 0 else "2024", "spbe-2020", *levels, "Riau"])
    return path


def national(path: Path) -> Path:
    """The official 2023 table's shape: 621 agencies with level vectors reproducing their rows."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from national import write_national

    assert OFFICIAL_2023.exists()
    return write_national(path)


run = run_cli_bytes


def streamed(path: Path, **kw: object) -> bool:
    from spbe_engine.cli.stream import score_csv

    sink = io.BytesIO()
    return score_csv(ENGINE, str(path), weighting=None, missing=kw.get("missing"), out=sink)


@pytest.mark.parametrize("case", ["national", "generated", "blanks", "semicolons", "excel-id"])
def test_streamed_csv_is_byte_for_byte_the_row_by_row_output(tmp_path: Path, case: str) -> None:
    args: list[str] = []
    if case == "national":
        path = national(tmp_path / "national.csv")
    elif case == "blanks":
        path = table(tmp_path / "t.csv", 700, blank=0.05)
        args = ["--missing", "minimum"]
    elif case == "semicolons":
        path = table(tmp_path / "t.csv", 300, sep=";")
    else:
        path = table(tmp_path / "t.csv", 2500)
        if case == "excel-id":
            args = ["--excel-id"]
    assert streamed(path, missing="minimum" if case == "blanks" else None)  # the fast path takes it
    fast = run("score", str(path), "-f", "csv", *args)
    slow = run("score", str(path), "-f", "csv", "--subject", "", *args)  # a filter: the row-by-row path
    assert fast == slow and fast[0] == 0 and fast[1].count(b"\n") > 300


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("level-45", "level '4,5' is not a whole number"),
        ("out-of-scale", "level 7 is outside the scale of indicator 3"),
        ("duplicate", "duplicate assessment of"),
        ("unknown-catalogue", "catalogue"),
        ("missing", "not assessed"),
    ],
)
def test_files_the_stream_refuses_get_the_exact_errors(tmp_path: Path, case: str, error: str) -> None:
    path = table(tmp_path / "t.csv", 40)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = next(csv.reader([text[20]]))
    if case == "level-45":
        cells[5] = "4,5"
    elif case == "out-of-scale":
        cells[5] = "7"
    elif case == "duplicate":
        cells = next(csv.reader([text[3]]))
    elif case == "unknown-catalogue":
        cells[2] = "spbe-1999"
    else:
        cells[9] = ""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    text[20] = buf.getvalue()
    path.write_text("".join(text), encoding="utf-8")
    assert not streamed(path)
    code, out, err = run("score", str(path), "-f", "csv")
    assert code == 2 and out == b"" and error in err
    assert (code, out, err) == run("score", str(path), "-f", "csv", "--subject", "")


def test_the_stream_takes_what_it_can_and_passes_on_the_rest(tmp_path: Path) -> None:
    assert streamed(table(tmp_path / "a.csv", 10))
    assert not streamed(table(tmp_path / "b.csv", 10, extra="sep=,\n"))  # Excel's sep= line
    p = tmp_path / "c.csv"
    p.write_bytes(table(tmp_path / "c0.csv", 10).read_bytes().replace(b"Pemkab, 3", b"Pemkab\xe9, 3"))
    assert not streamed(p)  # not UTF-8: the exact reader names row, column and byte
    code, _, err = run("score", str(p), "-f", "csv")
    assert code == 2 and "not UTF-8 text: byte 0xE9" in err


@pytest.mark.parametrize("arrow", [True, False])
def test_chunks_with_and_without_pyarrow(tmp_path: Path, arrow: bool) -> None:
    if arrow:
        pytest.importorskip("pyarrow")
    from spbe_engine.io.stream import iter_level_chunks

    path = table(tmp_path / "t.csv", 1000, blank=0.02)
    chunks = list(iter_level_chunks(path, chunk_rows=300, arrow=arrow))
    assert [len(c["subject"]) if isinstance(c, dict) else c.num_rows for c in chunks] == [300, 300, 300, 100]
    scored = [ENGINE.score_table(c, missing="minimum", output="dict") for c in chunks]
    got = [d for part in scored for d in part["display"]]
    expected = ENGINE.score_many(load_assessments(path, engine=ENGINE), missing="minimum")
    assert got == [r.display for r in expected]
    assert [s for part in scored for s in part["subject"]] == [r.subject for r in expected]


def test_csv_files_over_20_mib_are_read(tmp_path: Path) -> None:
    """The 20 MiB cap is gone for CSV streams (YAML and JSON keep theirs)."""
    from spbe_engine.io.stream import iter_level_chunks

    path = table(tmp_path / "big.csv", 160_000)
    assert path.stat().st_size > 20 * 1024 * 1024
    assert sum(c.num_rows if hasattr(c, "num_rows") else len(c["subject"]) for c in iter_level_chunks(path)) == 160_000
    code, out, _ = run("score", str(path), "-f", "csv")
    assert code == 0 and out.count(b"\n") == 160_001


def test_plan_many_is_plan_one_by_one_serial_and_on_a_pool() -> None:
    items = load_assessments(national(Path(__import__("tempfile").mkdtemp()) / "n.csv"), engine=ENGINE)[:24]
    single = [ENGINE.plan(a, "Memuaskan") for a in items]
    seen: list[tuple[int, int]] = []
    serial = ENGINE.plan_many(items, "Memuaskan", progress=lambda d, t: seen.append((d, t)), chunk_size=5)
    with ProcessPoolExecutor(2) as pool:
        pooled = ENGINE.plan_many(items, "Memuaskan", executor=pool, chunk_size=5)

    def key(p: object) -> object:
        return (p.summary(), p.steps, p.total_cost, p.feasible, p.binding_rules)  # type: ignore[attr-defined]

    assert [key(p) for p in serial] == [key(p) for p in single] == [key(p) for p in pooled]
    assert seen[-1] == (24, 24) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    whatif = ENGINE.what_if_many(items[:6], levels={"1": 5}, progress=lambda d, t: None)
    assert [c.after.display for c in whatif] == [ENGINE.what_if(a, levels={"1": 5}).after.display for a in items[:6]]


def test_compiled_catalogues_and_results_pickle() -> None:
    """Process pools send results (and their compiled catalogue) back: nothing in them may be a lambda."""
    for cid in ENGINE.catalogue_ids():
        cc = ENGINE.compiled(cid)
        again = pickle.loads(pickle.dumps(cc))
        assert again.ids == cc.ids and [g.take(range(len(cc.ids))) for g in again.groups] == [
            g.take(range(len(cc.ids))) for g in cc.groups
        ]


@pytest.mark.parametrize("cell", ["'=SUM(A1)", "'\tx", "'＝x", "''-1"])
def test_the_arrow_path_leaves_protected_text_to_the_exact_reader(tmp_path: Path, cell: str) -> None:
    """A text cell the writer protected from spreadsheets (every trigger of io.safe_text) is the exact
    reader's to unprotect: the columnar path refuses it rather than keep the apostrophe."""
    pytest.importorskip("pyarrow")
    from spbe_engine.io.stream import StreamRefused, iter_level_chunks

    p = tmp_path / "t.csv"
    quoted = '"' + cell.replace('"', '""') + '"'
    p.write_text("subject,period,catalogue,1\n" + f"{quoted},2024,spbe-2020,3\n", encoding="utf-8")
    with pytest.raises(StreamRefused):
        list(iter_level_chunks(p, arrow=True))

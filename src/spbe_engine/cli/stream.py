"""The CLI's bulk paths: `spbe score big.csv -f csv` in chunks (read → `score_table` → write), and
`spbe plan` on many agencies at once (`plan_many` on a process pool).

The score stream writes exactly what the row-by-row path writes, byte for byte, for every file it
accepts; it holds one chunk of rows (and a hash per assessment, for duplicates) however large the
file. Any file it does not take as it is — a `sep=` line, a level written `4,0`, a bad cell, a
duplicate, an unknown catalogue, a level outside its scale, more than one catalogue, ... — goes to
the row-by-row path, which names the first problem exactly as before; nothing has been written then.
A file too large to read whole (over 20 MiB of CSV, past a workbook's whole-read caps) takes
`score_rows` instead: the row-by-row path without holding the assessments, the same bytes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..errors import SpbeError
from ..i18n import tr
from .output import csv_field

__all__ = ["plan_all", "score_csv", "score_rows"]

Progress = Callable[[int, int], None]
MIN_ROWS_FOR_A_POOL = 64


def score_csv(
    engine: Any,
    path: str,
    *,
    weighting: Any,
    missing: Any,
    delimiter: str = ",",
    decimal: str = ".",
    bom: bool = False,
    out: Any = None,
    warn: Callable[[list[Any]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Write the CSV of `spbe score PATH -f csv` to `out` (stdout's bytes by default) in chunks,
    after calling `warn` with the period warnings (objects with `.warnings`, as results have).

    False when the file needs the row-by-row path (then nothing was written or warned)."""
    import csv
    import io

    from ..io.stream import StreamRefused, iter_level_chunks
    from ..operations.table import score_columns

    try:
        import numpy as np
    except ImportError:  # the `fast` extra: without it, the row-by-row path
        return False

    p = Path(path)
    if p.suffix.lower() not in (".csv", ".tsv", ".txt", ".xlsx") or not p.is_file():
        return False

    def one(value: object) -> str:  # the cell `cli.output.csv_text` writes
        return csv_field(value, decimal)

    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    if bom:
        text.write("\ufeff")
    cid: str | None = None
    groups: list[str] = []
    hashes: list[Any] = []
    periods: dict[str, None] = {}
    done = 0
    release = _releaser()
    try:
        for chunk in iter_level_chunks(p):
            columns = _columns(chunk)
            cats = set(columns["catalogue"])
            if cid is None:
                if len(cats) != 1:
                    return False
                cid = next(iter(cats))
                cc = engine.compiled(cid, weighting)
                groups = [g.id for g in cc.groups]
                header = ["subject", "period", "catalogue", "index", "display", "predikat", "partial"]
                writer.writerow([one(h) for h in header + [c for g in groups for c in (g, f"{g}_predikat")]])
            elif cats != {cid}:
                return False
            scored = score_columns(engine, chunk, catalogue=cid, weighting=weighting, missing=missing,
                                   index_text="index")  # fmt: skip
            named = {c.name: c for c in scored.columns}
            del scored
            subjects, period_cells = columns["subject"], columns["period"]
            hashes.append(
                np.fromiter(map(hash, zip(subjects, period_cells, strict=True)), dtype=np.int64, count=len(subjects))
            )
            periods.update(dict.fromkeys(period_cells))
            cat_cell = one(cid)
            period_text = {v: one(v) for v in periods}
            out_cols: list[Sequence[Any]] = [
                [one(s) for s in subjects],
                [period_text[v] for v in period_cells],
                [cat_cell] * len(subjects),
                _texts(named["index"], one),
                _texts(named["display"], one),
                _texts(named["predikat"], one),
                ["true" if v else "false" for v in named["partial"].values.tolist()],
            ]
            for g in groups:
                out_cols.append(_texts(named[f"{g}_display"], one))
                out_cols.append(_texts(named[f"{g}_predikat"], one))
            del named, columns, subjects, period_cells
            writer.writerows(zip(*out_cols, strict=True))
            done += len(out_cols[0])
            del out_cols, chunk
            release()
            if progress is not None:
                progress(done)
        if cid is None:
            return False  # only a header, or nothing: the row-by-row path says so
        keys = np.empty(sum(len(h) for h in hashes), dtype=np.int64)
        at = 0
        hashes.reverse()
        while hashes:  # into one array, each chunk's hashes dropped once copied: never held twice
            part = hashes.pop()
            keys[at : at + len(part)] = part
            at += len(part)
        keys.sort()  # in place: no second copy of 8 bytes per assessment
        if len(keys) > 1 and bool((keys[1:] == keys[:-1]).any()):
            return False  # a duplicate (or a hash collision): the exact check names it
        text.flush()
        if warn is not None:
            warning = engine.catalogue(cid).period_warning
            warn([SimpleNamespace(warnings=(w,)) for w in (warning(v) for v in periods) if w])
        _copy(spool, out)
    except (StreamRefused, SpbeError):
        return False
    finally:
        text.close()
    return True


def _columns(chunk: Any) -> dict[str, list[Any]]:
    if hasattr(chunk, "column_names"):
        return {m: chunk.column(m).to_pylist() for m in ("subject", "period", "catalogue")}
    return {m: chunk[m] for m in ("subject", "period", "catalogue")}


def _texts(column: Any, one: Callable[[object], str]) -> list[str]:
    """A column of texts through the CSV cell rules, each distinct text once (codes into the
    column's texts, or the texts themselves)."""
    if column.categories is not None:
        shown = [one(c) for c in column.categories]
        return list(map(shown.__getitem__, column.values.tolist()))
    seen: dict[str, str] = {}
    return [seen.get(v) or seen.setdefault(v, one(v)) for v in column.plain()]


def _releaser() -> Callable[[], None]:
    """Give pyarrow's pool back to the system after each chunk: its allocator otherwise keeps the
    high-water mark of several read blocks for the whole run."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return lambda: None
    return pa.default_memory_pool().release_unused  # type: ignore[no-any-return]


def score_rows(
    engine: Any,
    path: str,
    *,
    weighting: Any,
    missing: Any,
    delimiter: str = ",",
    decimal: str = ".",
    bom: bool = False,
    out: Any = None,
    warn: Callable[[list[Any]], None] | None = None,
    progress: Callable[[int], None] | None = None,
    keep: Callable[[Any], bool] | None = None,
    no_match: Callable[[int], Exception] | None = None,
) -> bool:
    """The row-by-row path of `spbe score PATH -f csv` without holding the assessments, for a file too
    large to read whole that the columnar path does not take (a level written `4.0`, several
    catalogues, no numpy): `iter_assessments` checks each row as it comes (keeping ~120 bytes a row
    for the duplicate check), `score_many` scores them a chunk at a time, and the rows go to a spool
    that spills to disk. With `keep` (`--subject`/`--where`), only the assessments it keeps are scored,
    and `no_match(read)` is raised when it keeps none. The bytes are those of the whole-file path; an
    error names the file and row, and nothing has been written then."""
    import csv
    import io

    from ..errors import AssessmentError
    from ..io.readers import iter_assessments
    from ..io.writers import result_csv_header, result_csv_row
    from ..parallel import chunked

    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    groups: list[str] = []
    seen: set[str] = set()
    widened = False  # a later catalogue added groups: the earlier rows get their empty cells at the end
    warnings: dict[str, None] = {}
    done = chosen = 0
    try:
        for rows in chunked(iter_assessments(path, engine=engine), 5_000):
            done += len(rows)
            chunk = rows if keep is None else [i for i in rows if keep(i.assessment)]
            chosen += len(chunk)
            try:
                results = engine.score_many([i.assessment for i in chunk], weighting=weighting, missing=missing)
            except AssessmentError:  # which row: the first that fails alone
                results = [_score_one(engine, i, weighting, missing) for i in chunk]
            for r in results:
                if r.catalogue not in seen:
                    seen.add(r.catalogue)
                    new = [g for g in r.groups if g not in groups]
                    widened = widened or bool(groups and new)
                    groups.extend(new)
                warnings.update(dict.fromkeys(r.warnings))
                writer.writerow([csv_field(c, decimal) for c in result_csv_row(r, groups)])
            if progress is not None:
                progress(done)
        if not done:
            raise AssessmentError(tr("no assessments in the file (only a header)"), file=path)
        if not chosen and no_match is not None:
            raise no_match(done)
        text.flush()
        if warn is not None:
            warn([SimpleNamespace(warnings=(w,)) for w in warnings])
        head = io.BytesIO()
        header = io.TextIOWrapper(head, encoding="utf-8", newline="", write_through=True)
        if bom:
            header.write("\ufeff")
        csv.writer(header, delimiter=delimiter, lineterminator="\n").writerow(
            [csv_field(c, decimal) for c in result_csv_header(groups)]
        )
        if widened:
            spool = _widened(spool, 7 + 2 * len(groups), delimiter)
        _copy(head, out)
        _copy(spool, out)
        return True
    finally:
        text.close()


def _score_one(engine: Any, item: Any, weighting: Any, missing: Any) -> Any:
    from ..errors import AssessmentError
    from .common import FLAG_FIELDS

    try:
        return engine.score(item.assessment, weighting=weighting, missing=missing)
    except AssessmentError as exc:
        if exc.field in FLAG_FIELDS:  # about a flag, not the file's row
            raise
        raise AssessmentError(exc.message, file=item.file, row=item.row, field=exc.field, allowed=exc.allowed) from None


def _widened(spool: Any, width: int, delimiter: str) -> Any:
    """The spooled rows, each with empty cells up to `width` (as the whole-file path writes them)."""
    import csv
    import io

    spool.seek(0)
    wide = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    rows = csv.reader(io.TextIOWrapper(spool, encoding="utf-8", newline=""), delimiter=delimiter)
    text = io.TextIOWrapper(wide, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerows(row + [""] * (width - len(row)) for row in rows)
    text.detach()
    return wide


def _copy(spool: Any, out: Any) -> None:
    spool.seek(0)
    target = out if out is not None else getattr(sys.stdout, "buffer", None)
    if target is None:
        sys.stdout.write(spool.read().decode("utf-8"))
        return
    sys.stdout.flush()
    while block := spool.read(1 << 20):
        target.write(block)
    target.flush()


def plan_all(
    engine: Any, assessments: Sequence[Any], target: Any, *, progress: Progress | None = None, **options: Any
) -> list[Any]:
    """`engine.plan_many`, on a process pool of the machine's cores when there are many agencies."""
    workers = min(os.cpu_count() or 1, 8)
    if len(assessments) < MIN_ROWS_FOR_A_POOL or workers < 2:
        return list(engine.plan_many(assessments, target, progress=progress, **options))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return list(engine.plan_many(assessments, target, executor=pool, progress=progress, **options))

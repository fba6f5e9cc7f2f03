#!/usr/bin/env python
"""Scoring benchmark for spbe_engine: score_many throughput against plain-Python and numpy baselines.

Run from the repository root:

    pip install -e '.[fast]'          # numpy, for the numpy baseline (optional)
    python benchmarks/bench_scoring.py            # full run: 7 trials, 100,000 bulk assessments
    python benchmarks/bench_scoring.py --quick    # 3 trials, 20,000 bulk assessments

Everything runs in one process with a fixed seed (random.Random(2024)). Each row is the best (and
median) wall time of N trials measured with time.perf_counter. The cyclic GC stays on. Inputs
(level lists, level dicts, Assessment objects) are built before the timed region, except in the
row that times building the Assessment objects themselves.

Exit status is 0 whether or not the targets hold; the table says which do.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _common import cpu_model, source_revision, timeit

import spbe_engine
from spbe_engine import Assessment, Engine

try:  # optional: the `fast` extra
    import numpy as np  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    np = None  # type: ignore[assignment,unused-ignore]

CATALOGUE = "spbe-2020"
SEED = 2024
SMALL_N = 615  # about the number of SPBE-assessed agencies (instansi pusat + pemda)
TARGET_EXPLAIN_S = 1.0  # 615 scored and explained, one core
TARGET_RATE = 20_000  # assessments/s through score_many


# -- helpers ------------------------------------------------------------------------------


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Row:
    def __init__(self, case: str, n: int, times: Sequence[float], group: str) -> None:
        self.case = case
        self.n = n
        self.best = min(times)
        self.median = statistics.median(times)
        self.group = group  # rows are compared with baselines of the same group (same level data)

    @property
    def rate(self) -> float:
        return self.n / self.best


def fmt_rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:,.1f} M"
    return f"{x:,.0f}"


def fmt_ratio(r: float) -> str:
    if r >= 10:
        return f"{r:,.0f}×"
    if r >= 0.1:
        return f"{r:.2f}×"
    places = 1 - math.floor(math.log10(r))  # two significant digits, never in exponent notation
    return f"{r:.{places}f}× (1/{1 / r:,.0f})"


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1e3
    for bound, spec in ((100, ",.0f"), (10, ".1f"), (1, ".2f"), (0.1, ".3f")):
        if ms >= bound:
            return format(ms, spec)
    return f"{ms:.4f}"


# -- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 trials and 20,000 bulk assessments (smoke run)")
    ap.add_argument("--trials", type=int, default=None, help="trials per row (default 7, or 3 with --quick)")
    ap.add_argument("--bulk", type=int, default=None, help="bulk assessments (default 100,000, or 20,000 with --quick)")
    args = ap.parse_args(argv)
    trials = args.trials or (3 if args.quick else 7)
    bulk_n = args.bulk or (20_000 if args.quick else 100_000)
    run_start = time.perf_counter()

    print("# spbe_engine scoring benchmark\n")
    print(f"- date: {datetime.date.today().isoformat()}")
    print(f"- Python: {platform.python_implementation()} {sys.version.split()[0]} ({platform.platform()})")
    print(f"- spbe_engine: {spbe_engine.__version__} at {os.path.dirname(spbe_engine.__file__)} ({source_revision()})")
    print(f"- numpy: {np.__version__ if np is not None else 'not installed (numpy baseline skipped)'}")
    print(f"- machine: {cpu_model()}; os.cpu_count()={os.cpu_count()}, usable cores={usable_cores()}")
    print(
        f"- mode: {'quick' if args.quick else 'full'}; best and median of {trials} trials; "
        f"seed random.Random({SEED}); GC {'on' if gc.isenabled() else 'OFF'}; single thread"
    )
    print()

    # --- inputs (untimed) ----------------------------------------------------------------
    engine = Engine()
    weights = engine.weights(CATALOGUE)  # exact Decimal weight per indicator id, catalogue order
    ids = list(weights)
    total = sum(weights.values())
    # Weights normalised so that the float sum is the index itself (1.00–5.00), like spbe_engine's.
    w_float = [float(w / total) for w in weights.values()]
    top_groups = [g.id for g in engine.catalogue(CATALOGUE).groups]
    n_ind = len(ids)

    rng = random.Random(SEED)
    small_lists = [[rng.randint(1, 5) for _ in range(n_ind)] for _ in range(SMALL_N)]
    bulk_lists = [[rng.randint(1, 5) for _ in range(n_ind)] for _ in range(bulk_n)]
    small_dicts = [dict(zip(ids, row, strict=True)) for row in small_lists]
    bulk_dicts = [dict(zip(ids, row, strict=True)) for row in bulk_lists]

    def build(dicts: list[dict[str, int]]) -> list[Assessment]:
        return [
            Assessment(catalogue=CATALOGUE, subject=f"Instansi {i}", period="2024", levels=d)
            for i, d in enumerate(dicts)
        ]

    small = build(small_dicts)

    # Warm the engine: resolve catalogues and compile the official weighting once (a one-off cost
    # timed separately below), and check exactness against the float baseline while at it.
    warm = engine.score_many(small)
    for res, row in zip(warm, small_lists, strict=True):
        f = sum(w * x for w, x in zip(w_float, row, strict=True))
        assert abs(float(res.fraction) - f) < 1e-9, (res, f)
    del warm

    def report(results: list[Any]) -> list[tuple[str, ...]]:
        """What a report table needs: index display + predikat, and the same for every domain."""
        rows = []
        for r in results:
            g = r.groups
            cells = [r.subject, r.display, r.predikat]
            for gid in top_groups:
                gs = g[gid]
                cells.append(gs.display)
                cells.append(gs.predikat)
            rows.append(tuple(cells))
        return rows

    rows: list[Row] = []

    def add(case: str, n: int, fn: Callable[[], Any], group: str) -> Row:
        row = Row(case, n, timeit(fn, trials), group)
        rows.append(row)
        print(f"  {case:<66} n={n:>7,}  best {row.best:9.5f} s  median {row.median:9.5f} s", file=sys.stderr)
        return row

    print(f"timing ({trials} trials per row) ...", file=sys.stderr)

    # --- baselines: same level data ------------------------------------------------------
    def py_sum(lists: list[list[int]]) -> Callable[[], list[float]]:
        W = w_float
        return lambda: [sum(w * x for w, x in zip(W, levels)) for levels in lists]  # noqa: B905 (as specified)

    add("baseline: pure-Python float sum(w*x for w, x in zip(W, levels))", SMALL_N, py_sum(small_lists), "small")
    add("baseline: pure-Python float sum(w*x for w, x in zip(W, levels))", bulk_n, py_sum(bulk_lists), "bulk")
    if np is not None:
        w_np = np.asarray(w_float, dtype=np.float64)
        L_small = np.asarray(small_lists, dtype=np.int8).astype(np.float64)  # converted once, untimed
        L_bulk = np.asarray(bulk_lists, dtype=np.int8).astype(np.float64)
        assert np.allclose(L_small @ w_np, [sum(w * x for w, x in zip(w_float, r, strict=True)) for r in small_lists])
        add("baseline: numpy `L @ w` (float64, pre-converted)", SMALL_N, lambda: L_small @ w_np, "small")
        add("baseline: numpy `L @ w` (float64, pre-converted)", bulk_n, lambda: L_bulk @ w_np, "bulk")

    # --- one-off setup -------------------------------------------------------------------
    def cold() -> Any:
        e = Engine()
        return e.compiled(CATALOGUE)

    add("one-off: Engine() + load catalogues + compile weights", 1, cold, "setup")

    # --- 615 -----------------------------------------------------------------------------
    add("score_many", SMALL_N, lambda: engine.score_many(small), "small")
    add(
        "score_many + display/predikat (index and 4 domains)",
        SMALL_N,
        lambda: report(engine.score_many(small)),
        "small",
    )
    explained = add(
        "score_many + r.explain() (scored and explained)",
        SMALL_N,
        lambda: [r.explain() for r in engine.score_many(small)],
        "small",
    )

    # --- bulk ----------------------------------------------------------------------------
    # Not part of score_many; the input is the pre-built level dicts.
    add("build Assessment objects (pydantic validation)", bulk_n, lambda: build(bulk_dicts), "bulk")
    bulk = build(bulk_dicts)
    bulk_sm = add("score_many", bulk_n, lambda: engine.score_many(bulk), "bulk")
    add("score_many + display/predikat (index and 4 domains)", bulk_n, lambda: report(engine.score_many(bulk)), "bulk")

    # --- table ---------------------------------------------------------------------------
    base_py = {r.group: r for r in rows if r.case.startswith("baseline: pure-Python")}
    base_np = {r.group: r for r in rows if r.case.startswith("baseline: numpy")}

    print(
        "| case | N | best ms | median ms | assessments/s (best) | µs / assessment | "
        "vs pure-Python float sum | vs numpy `L @ w` |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if r.group == "setup":
            print(f"| {r.case} | – | {fmt_ms(r.best)} | {fmt_ms(r.median)} | – | – | – | – |")
            continue
        is_base = r.case.startswith("baseline")
        vs_py = vs_np = "–"
        if not is_base:
            vs_py = fmt_ratio(r.rate / base_py[r.group].rate)
            vs_np = fmt_ratio(r.rate / base_np[r.group].rate) if r.group in base_np else "skipped (no numpy)"
        print(
            f"| {r.case} | {r.n:,} | {fmt_ms(r.best)} | {fmt_ms(r.median)} | {fmt_rate(r.rate)} | "
            f"{r.best / r.n * 1e6:,.{2 if r.best / r.n >= 1e-6 else 3}f} | {vs_py} | {vs_np} |"
        )
    if np is None:
        print("\nnumpy is not installed: the numpy baseline was skipped (`pip install -e '.[fast]'`).")

    # --- targets -------------------------------------------------------------------------
    print("\n## Targets\n")
    ok1 = explained.best < TARGET_EXPLAIN_S
    print(
        f"- {SMALL_N} scored and explained in < {TARGET_EXPLAIN_S:g} s on one core: "
        f"best {explained.best:.3f} s, median {explained.median:.3f} s → {'HOLDS' if ok1 else 'MISSED'}"
    )
    ok2 = bulk_sm.rate >= TARGET_RATE
    print(
        f"- ≥ {TARGET_RATE:,} assessments/s through score_many ({bulk_n:,} assessments): "
        f"best {bulk_sm.rate:,.0f}/s, median {bulk_sm.n / bulk_sm.median:,.0f}/s → {'HOLDS' if ok2 else 'MISSED'}"
    )
    print(f"\n(total run time {time.perf_counter() - run_start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bulk paths of issue 15, each as a ratio to a bare baseline measured in the same run.

    python benchmarks/bench_bulk.py            # 1,000,000 rows (a few minutes)
    python benchmarks/bench_bulk.py --quick    # 100,000 rows
    python benchmarks/bench_bulk.py --memory 10000000   # also the CLI's peak memory on 10^7 rows (once)

Rows: score_table vs numpy `L @ w` (int64); `spbe score table.csv -f csv` vs pandas read_csv + numpy
matmul + to_csv (both as fresh processes); score_frame (the Dask partition function) vs score_table
on the same partition; score_many and building Assessments; `spbe plan` on the national table.
Best of N trials (process CPU noise on a shared VM is large: compare ratios, not seconds).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _common import cpu_model, source_revision  # noqa: E402
from national import write_national  # noqa: E402

IDS = [str(i) for i in range(1, 48)]


def timings(fn: Callable[[], Any], trials: int) -> list[float]:
    out = []
    for _ in range(trials):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def best(fn: Callable[[], Any], trials: int) -> float:
    return min(timings(fn, trials))


def write_table(path: Path, n: int, seed: int = 15) -> Path:
    import numpy as np

    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("subject,period,catalogue," + ",".join(IDS) + "\n")
        step = 100_000
        for start in range(0, n, step):
            m = min(step, n - start)
            levels = rng.integers(1, 6, size=(m, 47)).astype("U1")
            body = [",".join(row) for row in levels.tolist()]
            fh.writelines(f"Instansi {start + k},2024,spbe-2020,{b}\n" for k, b in enumerate(body))
    return path


BASELINE = """
import sys, numpy as np, pandas as pd
w = np.array({weights}, dtype=np.int64)
df = pd.read_csv(sys.argv[1], dtype={{"subject": str, "period": str, "catalogue": str}})
levels = df[{ids}].to_numpy(dtype=np.int64)
num = levels @ w
out = pd.DataFrame({{"subject": df["subject"], "period": df["period"], "catalogue": df["catalogue"],
                    "numerator": num, "display": (200 * num + {total}) // (2 * {total})}})
out.to_csv(sys.stdout, index=False)
"""

PEAK = """
{peak}
import sys, runpy
sys.argv = ["spbe", "score", sys.argv[1], "-f", "csv"]
try:
    from spbe_engine.cli.main import main
    code = main(sys.argv[1:])
finally:
    print("PEAK_KB", peak_kb(), file=sys.stderr)
"""


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--trials", type=int, default=None)
    ap.add_argument("--memory", type=int, default=0, help="rows for the one peak-memory run (e.g. 10000000)")
    ap.add_argument("--objects", action="store_true", help="only the object rates (score_many, building Assessments)")
    args = ap.parse_args(argv)
    n = args.rows or (100_000 if args.quick else 1_000_000)
    trials = args.trials or (3 if args.quick else 5)

    import numpy as np
    import pandas as pd

    from spbe_engine import Assessment, Engine
    from spbe_engine.frames import score_frame

    engine = Engine()
    cc = engine.compiled("spbe-2020")
    w = np.array(cc.weights, dtype=np.int64)
    print(
        f"# bulk benchmarks, {n:,} rows, best of {trials}; {cpu_model()}, {os.cpu_count()} cores; {source_revision()}"
    )
    print("| case | rows | best s | baseline best s | ratio | target | holds? |")
    print("|---|---:|---:|---:|---:|---|---|")

    def row(
        case: str,
        rows: int,
        t: float,
        base: float | None,
        target: str = "",
        limit: float | None = None,
        holds: bool | None = None,
    ) -> None:
        ratio = t / base if base else None
        if holds is None and limit is not None and ratio is not None:
            holds = ratio <= limit
        verdict = "" if holds is None else ("**yes**" if holds else "no")
        shown = f"{ratio:.1f}×" if ratio is not None else "–"
        print(f"| {case} | {rows:,} | {t:.3f} | {base:.3f} | {shown} | {target} | {verdict} |" if base else
              f"| {case} | {rows:,} | {t:.3f} | – | – | {target} | {verdict} |", flush=True)  # fmt: skip

    if args.objects:
        objects(engine, Assessment, 20_000 if args.quick else 100_000, max(trials, 7))
        return 0

    # 1. score_table vs the bare matmul on the same int64 matrix
    levels = np.random.default_rng(1).integers(1, 6, size=(n, 47)).astype(np.int64)
    base = best(lambda: levels @ w, trials)
    for groups, label in (("top", "index + 4 domains"), ("all", "index + every group")):
        t = best(lambda g=groups: engine.score_table(levels, catalogue="spbe-2020", ids=IDS, groups=g), trials)
        target = ("≤ 8×", 8.0) if groups == "top" else ("–", None)  # the target: the index and 4 domains
        row(f"score_table ({label}, display/predikat/exact text) vs numpy int64 `L @ w`", n, t, base, *target)
    t = best(lambda: engine.score_table(levels, catalogue="spbe-2020", ids=IDS, groups="top", index_text=False), trials)
    row("score_table (index + 4 domains, no exact text) vs `L @ w`", n, t, base, "≤ 8×", 8)

    # 4. the Dask partition function vs score_table on the same partition
    part = pd.DataFrame(levels[:100_000], columns=IDS)
    part.insert(0, "catalogue", "spbe-2020")
    part.insert(0, "period", "2024")
    part.insert(0, "subject", [f"Instansi {k}" for k in range(len(part))])
    tt = best(lambda: engine.score_table(part, groups="top"), trials)
    tf = best(lambda: score_frame(part, catalogue="spbe-2020", groups="top"), trials)
    row("score_frame (Dask partition) vs score_table, same partition", len(part), tf, tt, "≤ 2×", 2)

    objects(engine, Assessment, 20_000 if args.quick else 100_000, trials)
    spbe = str(Path(sys.executable).with_name("spbe"))
    with tempfile.TemporaryDirectory() as tmp:
        # 6. plan on the national table
        nat = write_national(Path(tmp) / "national.csv")
        # median of 5 end to end (start-up, reading, the process pool, JSON out), on both cores and pinned
        # to one (`taskset -c 0`: the pool still forks its workers, which then share the one core)
        plan_cmd = [spbe, "plan", str(nat), "--target", "Memuaskan", "-f", "json"]
        t = statistics.median(run(plan_cmd) for _ in range(5))
        row("`spbe plan national.csv --target Memuaskan -f json` (621 agencies), median of 5", 621, t, None, "< 4 s",
            holds=t < 4)  # fmt: skip
        if shutil.which("taskset"):
            t = statistics.median(run(["taskset", "-c", "0", *plan_cmd]) for _ in range(5))
            row("the same pinned to one core (`taskset -c 0`), median of 5", 621, t, None)

        # 3. the CLI end to end vs pandas read_csv + matmul + to_csv
        table = write_table(Path(tmp) / "table.csv", n)
        script = Path(tmp) / "baseline.py"
        script.write_text(BASELINE.format(weights=list(cc.weights), ids=IDS, total=cc.total), encoding="utf-8")
        cli_trials = min(trials, 3)
        base = best(lambda: run([sys.executable, str(script), str(table)]), cli_trials)
        t = best(lambda: run([spbe, "score", str(table), "-f", "csv"]), cli_trials)
        row("`spbe score table.csv -f csv` vs pandas read_csv + matmul + to_csv", n, t, base, "≤ 4×", 4)
        table.unlink()

        if args.memory:
            sys.path.insert(0, str(HERE.parent / "tests"))
            from memory import PEAK_KB

            big = write_table(Path(tmp) / "big.csv", args.memory)
            child = Path(tmp) / "peak.py"
            child.write_text(PEAK.format(peak=PEAK_KB), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(child), str(big)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            took = time.perf_counter() - start
            peak = int(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")))
            print(f"| `spbe score big.csv -f csv`: peak memory | {args.memory:,} | {took:.1f} | – | "
                  f"{peak / 1024:,.0f} MB | < 500 MB | {'**yes**' if peak < 500 * 1024 else 'no'} |")  # fmt: skip
    return 0


def objects(engine: Any, assessment: Any, m: int, trials: int) -> None:
    """score_many on pre-built objects, and building them from level dicts + score_many: best and
    median of `trials` (the cyclic GC on, as in any program; collected between trials, untimed)."""
    import gc
    import statistics

    rnd = random.Random(1)
    dicts = [{i: rnd.randint(1, 5) for i in IDS} for _ in range(m)]

    def build() -> list[Any]:
        return [
            assessment(catalogue="spbe-2020", subject=f"I{k}", period="2024", levels=d) for k, d in enumerate(dicts)
        ]

    objs = build()

    def measure(fn: Callable[[], Any]) -> list[float]:
        out = []
        for _ in range(trials):
            gc.collect()
            out += timings(fn, 1)
        return out

    def built() -> Any:  # the same objects, made while score_many consumes them (its GC pause covers them)
        return (
            assessment(catalogue="spbe-2020", subject=f"I{k}", period="2024", levels=d) for k, d in enumerate(dicts)
        )

    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "table.csv"
        with table.open("w", encoding="utf-8", newline="") as fh:
            fh.write("subject,period,catalogue," + ",".join(IDS) + "\n")
            fh.writelines(f"I{k},2024,spbe-2020,{','.join(str(d[i]) for i in IDS)}\n" for k, d in enumerate(dicts))
        from spbe_engine import load_assessments as load

        rows: tuple[tuple[str, list[float], int | None], ...] = (
            ("score_many on pre-built objects", measure(lambda: engine.score_many(objs)), 150_000),
            ("build Assessment objects alone (list comprehension)", measure(build), None),
            ("build Assessment (list comprehension) + score_many", measure(lambda: engine.score_many(build())), 80_000),
            ("build Assessment (generator into score_many)", measure(lambda: engine.score_many(built())), 80_000),
            ("load_assessments(table.csv) + score_many", measure(lambda: engine.score_many(load(table))), None),
        )
    for case, ts, target in rows:
        rate, mid = m / min(ts), m / statistics.median(ts)
        holds = "" if target is None else ("**yes**" if mid >= target else "no")
        shown = "–" if target is None else f"≥ {target:,}/s (median)"
        print(f"| {case} | {m:,} | {min(ts):.3f} | – | {rate:,.0f}/s best, {mid:,.0f}/s median | {shown} | {holds} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())

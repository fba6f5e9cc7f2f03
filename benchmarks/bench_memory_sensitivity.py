#!/usr/bin/env python3
"""Peak memory and time of `weight_sensitivity` as n grows: each size runs in a fresh subprocess,
whose peak RSS is read after the run and compared with the peak before it (imports, catalogue,
scoring, a warm-up run at n = 10). The peak is VmHWM from /proc/self/status on Linux, and
`resource.getrusage(RUSAGE_SELF).ru_maxrss` elsewhere: on Linux ru_maxrss of a process started
by subprocess carries its parent's peak over the exec, which would hide a smaller child's growth.
The agencies are those of `bench_whatif.py` (615 of them, levels uniform from lo..5 with lo = 1, 2,
3, 4 in turn).

    python benchmarks/bench_memory_sensitivity.py                         # 615 agencies, n = 10^4, 10^5 (numpy)
    python benchmarks/bench_memory_sensitivity.py --sizes 1e4,1e5,1.6e6   # up to the limit for 615 (minutes)
    python benchmarks/bench_memory_sensitivity.py --agencies 2 --sizes 1e6,1e8
    python benchmarks/bench_memory_sensitivity.py --backend python --agencies 25 --sizes 1e3,1e4
    python benchmarks/bench_memory_sensitivity.py --src /tmp/old/src      # measure another source tree

Before issue 10 the ranks were all kept (an n × agencies int32 array, then one Python int per rank):
about 37 bytes per rank, 2.3 GB for 615 agencies at n = 10^5. Now each agency keeps a histogram of
its ranks, and memory does not grow with n (about 20 MB above the warm-up at any n). Memory figures
belong in benchmarks/README.md, not in test assertions on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.memory import PEAK_KB

CHILD = PEAK_KB + r"""
import json, random, resource, sys, time
from spbe_engine import Assessment, Engine

n, agencies, backend = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(2024 + 1)  # bench_whatif.make_agencies(random.Random(SEED + 1), ids, N_AGENCIES)
ids = [str(i) for i in range(1, 48)]
batch = [
    Assessment(catalogue="spbe-2020", subject=f"Instansi {i}", period="2024",
               levels={k: rng.randint(1 + i % 4, 5) for k in ids})
    for i in range(agencies)
]
engine = Engine(load_entry_points=False)
engine.weight_sensitivity(batch, n=10, seed=1, backend=backend)  # warm up: imports numpy, scores
before = peak_kb()
t0 = time.perf_counter()
ws = engine.weight_sensitivity(batch, n=n, seed=1, backend=backend)
seconds = time.perf_counter() - t0
peak = peak_kb()
first = (getattr(ws, "intervals", None) or ws.rows)[0]  # .rows before 0.2
print(json.dumps({"n": n, "backend": ws.backend, "seconds": seconds, "before_kb": before, "peak_kb": peak,
                  "row0": [first.p5, first.median, first.p95, str(first.p_first)]}))
"""


def measure(n: int, agencies: int, backend: str, src: str | None) -> dict[str, object]:
    """Run one sensitivity analysis in a fresh interpreter and return its JSON line (or the failure)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(agencies), backend],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"n": n, "error": f"exit {proc.returncode}: {last}"}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e4,1e5", help="comma-separated n (e.g. 1e4,1.6e6)")
    ap.add_argument("--agencies", type=int, default=615)
    ap.add_argument("--backend", choices=["numpy", "python"], default="numpy")
    ap.add_argument("--src", default=None, help="prepend this source tree to PYTHONPATH in the children")
    args = ap.parse_args(argv)
    sizes = [int(float(x)) for x in args.sizes.split(",") if x.strip()]
    print(
        f"Python {sys.version.split()[0]}, {args.agencies} agencies, backend {args.backend}, "
        f"src {args.src or 'installed spbe_engine'}"
    )
    print("| n | ranks | seconds | RSS before MB | peak RSS MB | growth MB | row 0: p5, median, p95, P(first) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    failed = 0
    for n in sizes:
        r = measure(n, args.agencies, args.backend, args.src)
        if "error" in r:
            print(f"| {n:,} | {n * args.agencies:,} | – | – | – | – | {r['error']} |")
            failed = 1
            continue
        before, peak = int(str(r["before_kb"])) / 1024, int(str(r["peak_kb"])) / 1024
        row0 = r["row0"]
        assert isinstance(row0, list)
        print(
            f"| {n:,} | {n * args.agencies:,} | {float(str(r['seconds'])):.2f} | {before:.0f} | {peak:.0f} | "
            f"{peak - before:.0f} | {', '.join(map(str, row0))} |"
        )
        sys.stdout.flush()
    return failed


if __name__ == "__main__":
    raise SystemExit(main())

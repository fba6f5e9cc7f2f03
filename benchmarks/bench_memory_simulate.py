#!/usr/bin/env python3
"""Peak memory and time of `simulate` as n grows: each size runs in a fresh subprocess, whose peak
RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) is read after the run and compared with the peak
before it (imports, catalogue, assessment). The agency is the one `bench_whatif.py` uses for
Monte-Carlo: its four stages disagree on all 47 indicators, the worst case for the sample size.

    python benchmarks/bench_memory_simulate.py                      # n = 10^5, 10^6, 10^7 (numpy), ~10 s
    python benchmarks/bench_memory_simulate.py --sizes 1e7,1e8      # the 10^8 target (a few minutes)
    python benchmarks/bench_memory_simulate.py --backend python --sizes 1e5,1e6
    python benchmarks/bench_memory_simulate.py --src /tmp/old/src   # measure another source tree

Target (issue 10): n = 10^8 in < 300 MB peak RSS with numpy. Memory figures belong in
benchmarks/README.md, not in test assertions on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TARGET_RSS_MB = 300

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.memory import PEAK_KB  # noqa: E402  (the child measures its own peak)

CHILD = PEAK_KB + r"""
import json, random, resource, sys, time
from spbe_engine import Assessment, Engine

n, backend = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
ids = [str(i) for i in range(1, 48)]
final = {k: rng.randint(1, 5) for k in ids}
up = {k: v + 1 if v < 5 else 4 for k, v in final.items()}
down = {k: v - 1 if v > 1 else 2 for k, v in final.items()}
mixed = {k: rng.choice((final[k], up[k], down[k])) for k in ids}
stages = {"self_assessment": up, "internal_verifier": mixed, "external_assessor": down, "final": final}
a = Assessment(catalogue="spbe-2020", subject="Instansi MC", period="2024", levels=final, stages=stages)
engine = Engine(load_entry_points=False)
engine.simulate(a, n=10, seed=1, backend=backend)  # warm up: imports numpy, compiles the catalogue
before = peak_kb()
t0 = time.perf_counter()
s = engine.simulate(a, n=n, seed=1, backend=backend)
seconds = time.perf_counter() - t0
peak = peak_kb()
quantiles = {k: str(v) for k, v in s.quantiles().items()}
print(json.dumps({"n": n, "backend": s.backend, "uncertain": len(s.uncertain), "seconds": seconds,
                  "before_kb": before, "peak_kb": peak, "mean": str(s.mean), "quantiles": quantiles}))
"""


def measure(n: int, backend: str, src: str | None) -> dict[str, object]:
    """Run one simulation in a fresh interpreter and return its JSON line (or the failure)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), backend], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"n": n, "error": f"exit {proc.returncode}: {last}"}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e5,1e6,1e7", help="comma-separated n (e.g. 1e5,1e8)")
    ap.add_argument("--backend", choices=["numpy", "python"], default="numpy")
    ap.add_argument("--src", default=None, help="prepend this source tree to PYTHONPATH in the children")
    args = ap.parse_args(argv)
    sizes = [int(float(x)) for x in args.sizes.split(",") if x.strip()]
    print(f"Python {sys.version.split()[0]}, backend {args.backend}, src {args.src or 'installed spbe_engine'}")
    print("| n | uncertain | seconds | RSS before MB | peak RSS MB | growth MB | < 300 MB? |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    worst = 0
    for n in sizes:
        r = measure(n, args.backend, args.src)
        if "error" in r:
            print(f"| {n:,} | – | – | – | – | – | {r['error']} |")
            worst = 1
            continue
        before, peak = int(str(r["before_kb"])) / 1024, int(str(r["peak_kb"])) / 1024
        ok = peak < TARGET_RSS_MB
        worst = worst or int(not ok)
        print(
            f"| {n:,} | {r['uncertain']} | {float(str(r['seconds'])):.2f} | {before:.0f} | {peak:.0f} | "
            f"{peak - before:.0f} | {'**yes**' if ok else 'no'} |"
        )
        sys.stdout.flush()
    return worst


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python
"""Scale-out: `simulate_many` for many agencies, serial against a 2-worker process pool, with the
results checked identical. BLAS threads are pinned to 1 in the workers (oversubscription otherwise
eats the gain on 2 cores: see the ecosystem notes).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_scale.py [--agencies 600] [--n 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

from spbe_engine import Assessment, Engine

IDS = [str(i) for i in range(1, 48)]


def agencies(count: int) -> list[Assessment]:
    rnd = random.Random(2024)
    out = []
    for k in range(count):
        final = {i: rnd.randint(1, 5) for i in IDS}
        own = {i: min(5, v + rnd.randint(0, 1)) for i, v in final.items()}
        out.append(
            Assessment(
                catalogue="spbe-2020",
                subject=f"Instansi {k}",
                period="2024",
                levels=own,
                stages={"self_assessment": own, "external_assessor": final},
            )
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=600)
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    engine = Engine(load_entry_points=False)
    items = agencies(args.agencies)
    engine.simulate_many(items[:2], n=100, seed=1)  # warm up
    start = time.perf_counter()
    serial = engine.simulate_many(items, n=args.n, seed=1)
    t_serial = time.perf_counter() - start
    with ProcessPoolExecutor(2) as pool:
        engine.simulate_many(items[:2], n=100, seed=1, executor=pool, chunk_size=1)  # start the workers
        start = time.perf_counter()
        pooled = engine.simulate_many(items, n=args.n, seed=1, executor=pool, chunk_size=25)
        t_pool = time.perf_counter() - start
    assert [s.sorted_numerators for s in serial] == [s.sorted_numerators for s in pooled]
    print(f"| simulate_many, {args.agencies} agencies × {args.n} samples | seconds | speed-up |")
    print("| --- | ---: | ---: |")
    print(f"| serial, one process | {t_serial:.2f} | 1.0× |")
    print(f"| ProcessPoolExecutor(2), chunks of 25 | {t_pool:.2f} | {t_serial / t_pool:.1f}× |")
    print("\nresults identical: yes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Peak memory and time of reading the largest accepted YAML and CSV assessment files.

Each case runs in a fresh process (`resource.getrusage(RUSAGE_SELF).ru_maxrss` is a high-water mark
per process) and is compared with a baseline process that imports spbe_engine and compiles the
catalogue without reading anything. Files are generated just under the reader's size cap
(`spbe_engine._yaml.MAX_BYTES`) with fixed seeds: `spbe-2020` assessments with all 47 levels.

    python benchmarks/bench_memory_readers.py [--src DIR] [--quick] [--keep DIR]

`--src DIR` measures another checkout's `src/` (e.g. a `git archive` of an older commit) to compare
before and after; `--quick` uses files of a tenth of the cap.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.memory import PEAK_KB  # noqa: E402  (the child measures its own peak)

CHILD = PEAK_KB + r"""
import json, resource, sys, time
from spbe_engine import Engine
from spbe_engine.io import readers
engine = Engine(load_entry_points=False)
engine.compiled("spbe-2020")
base = peak_kb()
t1 = time.perf_counter()
n = 0
if sys.argv[1] != "-":
    if sys.argv[2] == "list":
        n = len(readers.read_assessments(sys.argv[1], engine=engine, validate=True))
    elif not hasattr(readers, "iter_assessments"):
        print(json.dumps({"error": "no iter_assessments in this version"}))
        sys.exit(0)
    else:
        n = sum(1 for _ in readers.iter_assessments(sys.argv[1], engine=engine, validate=True))
t2 = time.perf_counter()
peak = peak_kb()
print(json.dumps({"n": n, "base_kib": base, "peak_kib": peak, "read_s": t2 - t1}))
"""


def _levels(rng: random.Random) -> list[int]:
    return [rng.randint(1, 5) for _ in range(47)]


def make_csv(path: Path, cap: int) -> int:
    """Wide CSV rows `Instansi N,2024,spbe-2020,l1,...,l47`, as many as fit under `cap` bytes."""
    rng = random.Random(2024)
    header = "subject,period,catalogue," + ",".join(str(i) for i in range(1, 48)) + "\n"
    size, n = len(header), 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        while True:
            line = f"Instansi {n},2024,spbe-2020," + ",".join(map(str, _levels(rng))) + "\n"
            if size + len(line) > cap:
                return n
            fh.write(line)
            size += len(line)
            n += 1


def make_json(path: Path, cap: int) -> int:
    """A JSON list of assessments, one per line (as `write_assessments` would, less indented)."""
    rng = random.Random(2024)
    size, n = 2, 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        while True:
            item = {"catalogue": "spbe-2020", "subject": f"Instansi {n}", "period": "2024"}
            item["levels"] = {str(i): v for i, v in enumerate(_levels(rng), 1)}  # type: ignore[assignment]
            line = ("" if n == 0 else ",\n") + json.dumps(item)
            if size + len(line) + 2 > cap:
                fh.write("\n]\n")
                return n
            fh.write(line)
            size += len(line)
            n += 1


def make_yaml(path: Path, cap: int) -> int:
    """`assessments:` in block style (as people and `write_assessments` write them), under `cap` bytes."""
    rng = random.Random(2024)
    size, n = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("assessments:\n")
        size += 13
        while True:
            lines = [f"- catalogue: spbe-2020\n  subject: Instansi {n}\n  period: '2024'\n  levels:\n"]
            lines += [f"    '{i}': {v}\n" for i, v in enumerate(_levels(rng), 1)]
            block = "".join(lines)
            if size + len(block.encode()) > cap:
                return n
            fh.write(block)
            size += len(block.encode())
            n += 1


def measure(src: Path, file: str, how: str = "list") -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, "-c", CHILD, file, how]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return dict(json.loads(out.stdout))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the src/ folder to measure")
    ap.add_argument("--quick", action="store_true", help="files of a tenth of the cap")
    ap.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src))
    from spbe_engine._yaml import MAX_BYTES

    cap = MAX_BYTES // 10 if args.quick else MAX_BYTES - 1024
    folder = args.keep or Path(tempfile.mkdtemp(prefix="spbe-bench-mem-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, make in (("csv", make_csv), ("yaml", make_yaml), ("json", make_json)):
        path = folder / f"largest.{name}"
        if not path.exists() or args.keep is None:
            make(path, cap)
        files.append((name, path))
    base = measure(args.src, "-")
    print(f"Python {sys.version.split()[0]}; src: {args.src}; cap {MAX_BYTES} bytes\n")
    print(f"baseline (import, Engine, compile spbe-2020): {base.get('peak_kib', 0) / 1024:.0f} MiB peak RSS\n")
    print("| file | read as | size MiB | assessments | read s | peak RSS MiB | minus baseline MiB | × file size |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, path in files:
        size = path.stat().st_size / 2**20
        for how, label in (("list", "`read_assessments` (list)"), ("iter", "`iter_assessments` (one at a time)")):
            r = measure(args.src, str(path), how)
            if "error" in r:
                print(f"| {name} | {label} | {size:.1f} | – | – | – | – | {r['error']} |")
                continue
            extra = (r["peak_kib"] - r["base_kib"]) / 1024
            print(
                f"| {name} | {label} | {size:.1f} | {r['n']:,} | {r['read_s']:.1f} | {r['peak_kib'] / 1024:.0f} | "
                f"{extra:.0f} | {extra / size:.1f} |"
            )
    if args.keep is None:
        for _, path in files:
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Start-up: `import spbe_engine` and `spbe score` on one file, end to end, in fresh processes,
against `python -c pass` measured in the same run (targets: import < 150 ms, score < 400 ms).

    python benchmarks/bench_startup.py [--trials N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], trials: int) -> tuple[float, float]:
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=15)
    args = ap.parse_args()
    py = sys.executable
    spbe = shutil.which("spbe") or f"{py} -m spbe_engine"
    example = str(ROOT / "examples" / "dumai-2024.yaml")
    base = timed([py, "-c", "pass"], args.trials)
    rows = [
        ("python -c pass (baseline)", base, None),
        ("python -c 'import spbe_engine'", timed([py, "-c", "import spbe_engine"], args.trials), 0.150),
        (
            "python -c 'import spbe_engine; spbe_engine.Engine().catalogue_ids()'",
            timed([py, "-c", "import spbe_engine; spbe_engine.Engine().catalogue_ids()"], args.trials),
            None,
        ),
        (f"spbe score {Path(example).name}", timed([*spbe.split(), "score", example], args.trials), 0.400),
        ("spbe --help", timed([*spbe.split(), "--help"], args.trials), None),
    ]
    print(f"Python {sys.version.split()[0]}; {args.trials} trials each, fresh process per trial\n")
    print("| command | best ms | median ms | minus baseline (best) ms | target | holds? |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, (best, median), target in rows:
        net = best - base[0]
        holds = "" if target is None else ("yes" if net < target else "NO")
        print(
            f"| {name} | {best * 1000:.0f} | {median * 1000:.0f} | {net * 1000:.0f} | "
            f"{'' if target is None else f'< {target * 1000:.0f}'} | {holds} |"
        )


if __name__ == "__main__":
    main()

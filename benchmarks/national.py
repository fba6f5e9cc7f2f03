"""A national table of levels with the shape of the official 2023 results, for the benchmarks.

For each of the 621 published rows (tests/data), the level vector that the golden test finds for
its domain values and index, or (for rows no vector reproduces) a seeded random one; written in
the CSV layout of `load_assessments`.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def national_rows() -> list[tuple[str, list[int]]]:
    sys.path.insert(0, str(ROOT))
    from tests.test_golden_2023 import level_vector, rows

    rnd = random.Random(2023)
    out = []
    for n, row in enumerate(rows()):
        vector = level_vector(row) or [rnd.randint(1, 5) for _ in range(47)]
        out.append((f"{row['nama_instansi']} #{n + 1}", vector))
    return out


def write_national(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "period", "catalogue", *(str(i) for i in range(1, 48))])
        for subject, vector in national_rows():
            w.writerow([subject, "2023", "spbe-2020", *vector])
    return path


if __name__ == "__main__":
    print(write_national(Path(sys.argv[1] if len(sys.argv) > 1 else "national.csv")))

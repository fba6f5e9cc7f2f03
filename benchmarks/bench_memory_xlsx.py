#!/usr/bin/env python
"""Peak memory and time of reading hostile and very large .xlsx workbooks (issue 10, defect 2).

Each workbook is read by `load_assessments` (or `read_xlsx` alone for the largest ones, whose
Penilaian holds indicators no catalogue has) in a fresh interpreter, one at a time. The peak is
that interpreter's own peak resident memory (`VmHWM`: Linux carries a parent's `ru_maxrss` over
fork and exec). The workbooks are built by the adversarial tests' builders:

- the issue's bomb: a sheet of tiny cells just under the 200 MiB unpack cap (a sheet the reader
  does not read, and the same in one it reads);
- the largest workbook the reader accepts, with its rows in each sheet it reads, the shared
  strings and the text at their caps (tests/test_adversarial_xlsx.py: `largest`).

    python benchmarks/bench_memory_xlsx.py [--before DIR] [--only NAME ...] [--timeout 600]

`--before DIR` also measures the spbe_engine source tree in DIR (e.g. `git archive` of an older
commit, its `src/`). Each child is limited to `--limit-gib` of address space (a MemoryError beyond)
and `--timeout` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import test_adversarial_xlsx as t  # noqa: E402  (the builders; needs the test extra)

from spbe_engine import Assessment  # noqa: E402
from spbe_engine.io import excel  # noqa: E402


def build(folder: Path) -> dict[str, tuple[Path, bool]]:
    """name -> (workbook, read without the catalogue check)."""
    a = Assessment(catalogue="spbe-2020", subject="Kota", period="2024", levels={str(i): 3 for i in range(1, 48)})
    base = t.write_assessment(t.ENGINE, a, folder / "base.xlsx")
    out: dict[str, tuple[Path, bool]] = {
        "bomb: cells in a sheet not read": (t.bomb_unread(base, folder / "bomb-unread.xlsx"), False),
        "bomb: cells in Bukti Dukung": (t.bomb_cells(base, folder / "bomb-cells.xlsx"), False),
        "bomb: 200 MB in one cell": (t.bomb_text(base, folder / "bomb-text.xlsx"), False),
        "bomb: tiny shared strings": (t.bomb_strings(base, folder / "bomb-strings.xlsx"), False),
    }
    for sheet in t.READ:
        p, _ = t.largest(base, folder / f"largest-{sheet.replace(' ', '-')}.xlsx", sheet)
        out[f"largest accepted: {sheet}"] = (p, True)
    return out


def run(path: Path, raw: bool, src: str | None, timeout: float, limit_gib: float) -> dict[str, object]:
    env = dict(os.environ, SPBE_XLSX_CHILD_LIMIT=str(int(limit_gib * 2**30)))
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, "-c", t.CHILD, str(path), *(["raw"] if raw else [])]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still running after {timeout:.0f} s (stopped)", "seconds": timeout, "peak_mb": None}
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"crashed: {last[:80]}", "seconds": None, "peak_mb": None}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def short(outcome: object) -> str:
    text = str(outcome)
    if text.startswith("refused: "):
        text = "refused: " + text.split(": ", 2)[-1]
    return text if len(text) <= 90 else text[:87] + "..."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", metavar="DIR", help="also measure the spbe_engine source tree in DIR")
    ap.add_argument("--only", nargs="*", default=None, help="measure only the inputs whose name contains these")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--limit-gib", type=float, default=8)
    opts = ap.parse_args()
    caps = (
        f"caps: {excel.MAX_SHEET_ROWS:,} rows, {excel.MAX_SHEET_COLUMNS} cells a row, {excel.MAX_SHEET_CELLS:,} cells"
        f" a sheet, {excel.MAX_SHARED_STRINGS:,} shared strings, {excel.MAX_TEXT_CHARS:,} characters,"
        f" {excel.MAX_ELEMENTS:,} elements, {excel.MAX_ELEMENT_BYTES // 2**20} MiB an element,"
        f" {excel.MAX_UNZIPPED // 2**20} MiB unpacked"
    )
    print(f"# Reading .xlsx: peak memory and time (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n")
    print(caps + "\n")
    trees = [("after", None)] + ([("before", opts.before)] if opts.before else [])
    with tempfile.TemporaryDirectory() as tmp:
        inputs = build(Path(tmp))
        print("| input | file | unpacked | code | outcome | s | peak MB |")
        print("| --- | ---: | ---: | --- | --- | ---: | ---: |")
        for name, (path, raw) in inputs.items():
            if opts.only and not any(word in name for word in opts.only):
                continue
            with zipfile.ZipFile(path) as z:
                unpacked = sum(i.file_size for i in z.infolist())
            for label, src in trees:
                r = run(path, raw, src, opts.timeout, opts.limit_gib)
                seconds = f"{r['seconds']:.1f}" if isinstance(r["seconds"], float) else "–"
                peak = f"{r['peak_mb']:.0f}" if isinstance(r["peak_mb"], float) else "–"
                print(
                    f"| {name} | {path.stat().st_size / 1024:,.0f} kB | {unpacked / 2**20:,.0f} MiB | {label} |"
                    f" {short(r['outcome'])} | {seconds} | {peak} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()

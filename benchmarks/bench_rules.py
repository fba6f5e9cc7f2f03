#!/usr/bin/env python
"""Rules benchmark: check + score for 615 assessments that carry evidence (target < 2 s, one core).

    python benchmarks/bench_rules.py [--trials N]

Each assessment carries evidence for every indicator (a ladder of items, some expired, some pending),
so every evidence rule, the 14 heuristic pairs and the sector-services rule run. The baseline in the
same process is plain `score_many` of the same assessments, so the cost of the rules shows as a ratio.
It also counts pluggy hook calls during the timed region: the hot path must call none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from spbe_engine import Assessment, Engine, Evidence

AS_OF = dt.date(2024, 6, 30)
KINDS = {
    "policy": ["enacted_policy", "enacted_policy", "review_report", "revised_policy"],
    "governance": ["programme_plan", "guideline_application", "review_report", "improvement_report"],
    "management": ["programme_plan", "guideline_application", "strategy_decision", "improvement_report"],
    "audit": ["programme_plan", "audit_report_internal", "audit_report_external", "audit_follow_up"],
    "service": ["screenshot", "screenshot", "integration_proof", "improvement_report"],
}


def make(rnd: random.Random, engine: Engine, n: int) -> list[Assessment]:
    cat = engine.catalogue("spbe-2020")
    out = []
    for i in range(n):
        levels: dict[str, int] = {}
        evidence: dict[str, list[Evidence]] = {}
        for ind in cat.indicators():
            level = rnd.randint(1, 5)
            levels[ind.id] = level
            items = []
            for k, kind in enumerate(KINDS[ind.kind or "service"], 2):
                if k > level:
                    break
                age = rnd.randint(30, 1000)
                status = "accepted" if rnd.random() < 0.9 else "pending"
                items.append(
                    Evidence(
                        id=f"{ind.id}.{k}.pdf", level=k, kind=kind, status=status, date=AS_OF - dt.timedelta(days=age)
                    )
                )
            evidence[ind.id] = items
        out.append(
            Assessment(catalogue="spbe-2020", subject=f"Instansi {i}", period="2024", levels=levels, evidence=evidence)
        )
    return out


def best(fn: Any, trials: int) -> tuple[float, float]:
    times = []
    for _ in range(trials):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    engine = Engine(load_entry_points=False)
    items = make(random.Random(2024), engine, 615)
    engine.score_many(items)
    engine.check(items[0], as_of=AS_OF)  # resolve catalogues and rules before timing

    def rules_run() -> None:
        for a in items:
            engine.score(a, apply_rules=True, as_of=AS_OF)

    def check_and_score() -> None:
        for a in items:
            engine.check(a, as_of=AS_OF)
        engine.score_many(items)

    calls: list[str] = []
    undo = engine._pm.add_hookcall_monitoring(lambda name, impls, kw: calls.append(name), lambda *a: None)
    base = best(lambda: engine.score_many(items), args.trials)
    both = best(check_and_score, args.trials)
    applied = best(rules_run, args.trials)
    undo()
    findings = sum(len(engine.check(a, as_of=AS_OF)) for a in items)
    print("| case (615 assessments with evidence) | best s | median s | ratio to plain score_many |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| plain `score_many` (baseline) | {base[0]:.4f} | {base[1]:.4f} | 1.0× |")
    print(f"| `check` each + `score_many` | {both[0]:.4f} | {both[1]:.4f} | {both[0] / base[0]:.1f}× |")
    print(f"| `score(apply_rules=True)` each | {applied[0]:.4f} | {applied[1]:.4f} | {applied[0] / base[0]:.1f}× |")
    print(f"\nfindings: {findings}; hook calls during the timed runs: {len(calls)}")
    print(f"target check + score < 2 s: {'holds' if both[0] < 2 else 'MISSED'} ({both[0]:.3f} s)")


if __name__ == "__main__":
    main()

"""Helpers the benchmark scripts share: the machine, the revision measured, and a timing loop."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import time
from collections.abc import Callable
from typing import Any

import spbe_engine


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def source_revision() -> str:
    """The git commit of the spbe_engine being measured, when it runs from a checkout."""
    src = os.path.dirname(os.path.abspath(spbe_engine.__file__))
    try:
        head = subprocess.run(
            ["git", "-C", src, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return "not a git checkout"
        dirty = subprocess.run(
            ["git", "-C", src, "status", "--porcelain", "--", "."], capture_output=True, text=True, timeout=10
        )
        return head.stdout.strip() + (" + uncommitted changes under src/" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def timeit(fn: Callable[[], Any], trials: int) -> list[float]:
    """Wall times of `trials` calls; each result is dropped (and collected) before the next call."""
    times: list[float] = []
    for _ in range(trials):
        t0 = time.perf_counter()
        out = fn()
        t1 = time.perf_counter()
        times.append(t1 - t0)
        del out
        gc.collect()  # outside the timed region: each trial starts from the same heap
    return times

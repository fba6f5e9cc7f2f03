"""Measuring a child process's own peak memory, for the memory tests and benchmarks.

`PEAK_KB` is Python source to put at the top of a child script: it defines `peak_kb()`, the child's
own high-water mark of resident memory in KiB. Linux carries a parent's `ru_maxrss` over fork and
exec into the child, so after a memory-hungry test in the parent, `ru_maxrss` would read the same
whatever the child did; `VmHWM` from /proc/self/status is the child's own (with `ru_maxrss` as the
fallback where there is no /proc).
"""

PEAK_KB = r'''
import resource as _resource, sys as _sys


def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        scale = 1024 if _sys.platform == "darwin" else 1  # bytes on macOS, KiB elsewhere
        return _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss // scale
'''

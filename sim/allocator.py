"""Keep freed memory for reuse instead of returning it to the operating system at once.

A week's vectorised passes allocate temporaries of one float per resident (0.4 MB at
100,000 residents, 19 MB for the whole city) and free them moments later. glibc's malloc
serves blocks of that size with fresh `mmap`s (or trims the heap after them), so every
temporary page-faults its memory in again: measured here, a fade pass over 100,000
residents took 0.26 ms that way and 0.07 ms with freed memory kept (`python
benchmarks/throughput.py` reports the whole step). `retain_freed_memory` raises glibc's
mmap and trim thresholds (`mallopt(3)`) once per process, so large temporaries come from,
and go back to, the heap. Peak memory rises a little, since freed blocks are kept (the
city year: 1.65 GiB before, 1.75 after; `python benchmarks/city.py`). Elsewhere than glibc,
or with `JICENG_MALLOC=default`, it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # <malloc.h>
MMAP_THRESHOLD = 256 * 2**20  # blocks below this come from the heap
TRIM_THRESHOLD = 1 * 2**30  # free heap top kept before it is returned
_done = False


def retain_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process (idempotent); whether set."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("JICENG_MALLOC") == "default":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) & bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _done

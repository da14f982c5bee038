"""Keep freed state buffers in the process heap (glibc ``mallopt``), so training steps do not page-fault.

A batch of statevectors is megabytes; every engine step allocates and frees dozens of such buffers. With
glibc's defaults, blocks above the (adaptive) mmap threshold are mapped fresh and unmapped on free, so each
step touches new pages that the kernel must fault in and zero: measured on the 2-core CI machine, about
6,000 minor page faults and 25% of a W2 step (``qhep bench engine``). Raising the mmap threshold to its
maximum (32 MiB on 64-bit glibc) and the trim threshold makes glibc reuse freed blocks instead.

The cost is that up to the trim threshold of freed memory stays with the process rather than returning to
the OS. The ``qhep`` command line calls :func:`keep_freed_memory` once at start-up; library users may call
it themselves. Set ``QHEP_MALLOC_TUNING=0`` to skip it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["keep_freed_memory", "allocator_tuned"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc refuses an mmap threshold above HEAP_MAX_SIZE / 2, 32 MiB on 64-bit systems.
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 512 * 1024 * 1024

_tuned = False


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Ask glibc malloc to serve blocks below ``mmap_threshold`` bytes from the heap and keep up to
    ``trim_threshold`` bytes of freed memory instead of returning it to the OS.

    Returns:
        True when both settings were applied; False on non-Linux or non-glibc platforms, when
        ``QHEP_MALLOC_TUNING=0`` is set, or when glibc rejected a value (nothing is changed then).
    """
    global _tuned
    if os.environ.get("QHEP_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) == 1 and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)) == 1
    _tuned = _tuned or ok
    return ok


def allocator_tuned() -> bool:
    """Whether :func:`keep_freed_memory` succeeded in this process (reported by the benchmarks)."""
    return _tuned

"""Python kernels compiled by numba on first use (numba imported then; machine code cached on disk)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=None)
def compiled(function: Callable, fastmath: bool = False) -> Callable:
    """``function`` compiled by numba in nopython mode, releasing the GIL, once per process."""
    import numba

    return numba.njit(cache=True, nogil=True, fastmath=fastmath)(function)

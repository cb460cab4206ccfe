"""Scores and measuring helpers shared by the benchmarks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
PASSES = 3  # timed passes per method; its speed is that of the fastest (as timeit: the others met interference)


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True, slots=True)
class PrecisionRecall:
    """A precision and a recall, with their F1."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


@contextmanager
def one_core():
    """Run the block on a single CPU core (where the system lets a process choose)."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cores)


def fastest_pass(work: Callable[[], T], before_each: Callable[[], None] = lambda: None,
                 passes: int = PASSES) -> tuple[T, float]:
    """The result of ``work`` and the CPU seconds of this process in its fastest of ``passes`` runs,
    each preceded (untimed) by ``before_each``."""
    fastest = float("inf")
    for _ in range(passes):
        before_each()
        start = time.process_time()
        result = work()
        fastest = min(fastest, time.process_time() - start)
    return result, fastest

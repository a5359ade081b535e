"""Timing a case: the median of several runs after a warm-up, and the queries one run makes."""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection


@dataclass(frozen=True)
class Timing:
    ms: float
    queries: int


class QueryCounter:
    """Counts the queries run through a connection, without logging them.

    Django's own query log keeps the last 9,000 queries only, and on SQLite logging a query
    quotes each parameter through one more query; a counter has neither limit nor cost.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Collections:
    """The full collections Python's cycle collector made, and the milliseconds they took."""

    count: int = 0
    ms: float = 0.0
    _started: float = field(default=0.0, repr=False)

    def __call__(self, phase: str, info: dict) -> None:
        # Only the oldest generation's: they walk every object alive, so their cost grows with
        # what a case keeps (issue 12); the young generations' stay small.
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.ms += (time.perf_counter() - self._started) * 1000


@contextlib.contextmanager
def full_collections() -> Iterator[Collections]:
    """The full collections made while the block runs (gc.callbacks)."""
    collections = Collections()
    gc.callbacks.append(collections)
    try:
        yield collections
    finally:
        gc.callbacks.remove(collections)


def count_queries(action: Callable[[], object]) -> int:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        action()
    return counter.count


def measure(action: Callable[[], object], runs: int) -> Timing:
    """Count the queries of one run, which also warms caches up, then time ``runs`` more."""
    queries = count_queries(action)
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return Timing(ms=statistics.median(times), queries=queries)


def measure_side_by_side(
    ours: Callable[[], object],
    reference: Callable[[], object],
    runs: int,
    *,
    reset: Callable[[], object] | None = None,
) -> tuple[Timing, Timing]:
    """Like :func:`measure` for two actions, their runs taken in turn, so that whatever else the
    machine does at the time weighs on both alike. ``reset``, if given, is called untimed
    before each run."""
    queries = (count_queries(ours), count_queries(reference))
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for action, spent in zip((ours, reference), times, strict=True):
            if reset is not None:
                reset()
            # Each run starts from the same heap: what the run before left for the cycle
            # collector is collected here, untimed, not during the next run (whichever it is).
            gc.collect()
            started = time.perf_counter()
            action()
            spent.append((time.perf_counter() - started) * 1000)
    return (
        Timing(ms=statistics.median(times[0]), queries=queries[0]),
        Timing(ms=statistics.median(times[1]), queries=queries[1]),
    )

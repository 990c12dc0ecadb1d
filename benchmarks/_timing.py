"""The one way the benchmarks time code: interleaved rounds, the best round of each case.

The machines are shared and noisy: interleaving puts the floor and svaml under the same load, and
the best of several rounds is the run least disturbed by it.

With ``SVAML_BENCH_QUICK=1`` in the environment every case runs once: the test suite runs each
benchmark that way to keep it working, and its figures then mean nothing.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

#: Run each case once (set by the test suite's smoke run of the benchmarks).
QUICK = os.environ.get("SVAML_BENCH_QUICK") == "1"


def best_of(
    cases: dict[str, Callable[[], object]], number: int = 500, rounds: int = 15
) -> dict[str, float]:
    """Return the best µs per call of each case over ``rounds`` rounds that run every case in turn."""
    if QUICK:
        number = rounds = 1
    for fn in cases.values():
        fn()  # warm up: the first call fills caches that every later call finds full
    found = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            found[name] = min(found[name], (time.perf_counter() - start) / number * 1e6)
    return found


def interleaved_medians(cases: dict[str, Callable[[], object]], number: int = 3000) -> dict[str, float]:
    """Return the median µs per call of each case, timing one call of each in turn, in rotating order.

    For cases whose difference is a few percent: in rounds of many calls the case that runs first
    in a round was measured up to 9% faster on this machine, whichever it was. One call at a time,
    with the order rotated every turn, puts every case in every position equally.
    """
    if QUICK:
        number = 1
    names = list(cases)
    for fn in cases.values():
        fn()  # warm up
    found: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(number):
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            fn = cases[name]
            start = time.perf_counter()
            fn()
            found[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) * 1e6 for name, times in found.items()}

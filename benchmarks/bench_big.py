"""Big documents: time and peak memory per MB of Svaml.from_json and validate, against json.loads.

Run: ``python benchmarks/bench_big.py [MB ...]`` (default 5 20 50). Each size is read twice: a
document of ``say`` instructions, and one whose instructions each carry ten unknown fields
(a million unknown keys per 11 MB, each an SV007 warning with its line and column). The size
limit is lifted (``max_bytes=None``) to measure how reading scales; the last lines time the
default limit refusing a document over it. Time is the best of a few runs without tracemalloc;
peak memory is tracemalloc's, in a run of its own. The floor, ``json.loads`` of the same text, is
measured in the same run: read the ratios.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable

from _timing import QUICK

from svaml import Svaml, validate
from svaml._json import MAX_BYTES

SAY = {"name": "say", "text": "Welcome to our service. Please hold the line.", "locale": "en-US"}
UNKNOWN = {"name": "say", "text": "Hello", "locale": "en-US", **{f"k{i}": i for i in range(10)}}


def document(megabytes: float, item: dict[str, object]) -> str:
    """A compact document of about ``megabytes`` MB: copies of ``item``, then hangup."""
    one = len(json.dumps(item, separators=(",", ":"))) + 1
    count = max(1, int(megabytes * 1_000_000) // one)
    return json.dumps({"instructions": [item] * count, "action": {"name": "hangup"}}, separators=(",", ":"))


def seconds(fn: Callable[[], object], runs: int) -> float:
    """The best wall time of ``runs`` calls."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak(fn: Callable[[], object]) -> float:
    """The peak of memory allocated while ``fn`` runs, in MB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    """Print s/MB and MB/MB of each case, and their ratios to json.loads."""
    sizes = [float(a) for a in sys.argv[1:]] or ([0.2, 0.5] if QUICK else [5, 20, 50])
    runs = 1 if QUICK else 2
    # What the benchmark measures is checked first: both read, and every unknown key is reported.
    small = document(0.05, UNKNOWN)
    expected = small.count('"k0"') * 10
    assert expected == len(validate(small, max_bytes=None)), "one SV007 per unknown key"
    print(f"default size limit: {MAX_BYTES:,} bytes; limit lifted below (max_bytes=None)")
    header = f"{'case':<28}{'MB':>6}{'s/MB':>9}{'x loads':>9}{'peak MB/MB':>12}{'x loads':>9}"
    for label, item in (("say", SAY), ("10 unknown keys each", UNKNOWN)):
        print(f"\n{label}")
        print(header)
        for size in sizes:
            text = document(size, item)
            mb = len(text) / 1e6
            cases: dict[str, Callable[[], object]] = {
                "json.loads (floor)": lambda t=text: json.loads(t),
                "Svaml.from_json": lambda t=text: Svaml.from_json(t, max_bytes=None),
                "validate": lambda t=text: validate(t, max_bytes=None),
            }
            floor_s = floor_m = 0.0
            for name, fn in cases.items():
                took = seconds(fn, runs) / mb
                held = peak(fn) / mb
                if name.startswith("json.loads"):
                    floor_s, floor_m = took, held
                print(f"{name:<28}{mb:>6.1f}{took:>9.3f}{took / floor_s:>9.1f}{held:>12.1f}{held / floor_m:>9.1f}")
            del text, cases
            gc.collect()
    over = document(max(sizes), SAY) if max(sizes) * 1e6 > MAX_BYTES else document(MAX_BYTES / 1e6 + 1, SAY)
    refused = seconds(lambda: validate(over), runs)
    codes = [d.code for d in validate(over)]
    assert codes == ["SV001"], codes
    print(f"\nrefused by the default limit: {len(over) / 1e6:.1f} MB in {refused * 1000:.1f} ms ({codes[0]})")


if __name__ == "__main__":
    main()

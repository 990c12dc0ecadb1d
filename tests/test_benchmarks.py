"""The benchmarks still run: each once, quickly, checking what it checks before it times anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each benchmark, its arguments, and a line its report always prints.
BENCHMARKS = [
    ("bench_big.py", [], "refused by the default limit"),
    ("bench_build.py", [], "all three"),
    ("bench_callback.py", [], "ratio:"),
    ("bench_fix.py", [], "a plain validate()"),
    ("bench_hostile.py", [], "refused: all three"),
    ("bench_lint.py", ["40"], "svaml lint peak RSS"),
    ("bench_load.py", [], "ratio:"),
    ("bench_replay.py", [], "ratio:"),
    ("bench_serve.py", ["40", "2"], "errors: 0"),
    ("bench_simulate.py", [], "ratio:"),
    ("bench_simulate_v2.py", [], "ratio:"),
    ("bench_v2.py", [], "all three"),
    ("bench_v2_callback.py", [], "ratio:"),
    ("bench_v2_client.py", [], "ratio:"),
    ("bench_validate.py", [], "all three"),
]


@pytest.mark.parametrize(("script", "args", "line"), BENCHMARKS, ids=[b[0] for b in BENCHMARKS])
def test_the_benchmark_runs(script: str, args: list[str], line: str) -> None:
    """The benchmark's own checks pass and it prints its report (its figures are not looked at)."""
    env = {**os.environ, "SVAML_BENCH_QUICK": "1"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    expected = (0, True)
    assert expected == (done.returncode, line in done.stdout), done.stderr[-2000:]


def test_every_benchmark_is_run() -> None:
    """Each benchmark script in benchmarks/ is in the list above."""
    expected = sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert expected == sorted(b[0] for b in BENCHMARKS)

"""`svaml lint` over a generated corpus of 10,000 files (5% invalid) against `check-jsonschema`.

Run: ``python benchmarks/bench_lint.py [N]``. Both tools run in fresh processes on the same files;
the ratio of files per second is what to read. Peak memory of `svaml lint` is measured at N/5 and
N files: it must not grow with the number of files.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "svaml-ice.schema.json"


def make_corpus(directory: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` ICE responses: the guide documents varied, 5% of them broken."""
    rng = random.Random(seed)
    guide = [json.loads(p.read_text()) for p in sorted((ROOT / "examples").glob("*.ice.json"))]
    paths = []
    for i in range(count):
        doc = json.loads(json.dumps(rng.choice(guide)))
        doc.setdefault("instructions", []).insert(0, {"name": "setCookie", "key": "n", "value": str(i)})
        kind = rng.choice(["type", "name", "json"]) if rng.random() < 0.05 else None
        if kind == "type":
            doc["action"]["name"] = 7
        elif kind == "name":
            doc["action"]["name"] = "connectPSTNX"
        text = json.dumps(doc, indent=2)
        if kind == "json":
            text = text[:-3]
        path = directory / f"doc{i:05}.ice.json"
        path.write_text(text)
        paths.append(path)
    return paths


def run(command: list[str]) -> tuple[float, int, int]:
    """Run a command; return (seconds, exit code, peak RSS of children in MiB)."""
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return elapsed, proc.returncode, peak


def main() -> None:
    """Print files per second of both tools, the ratio, and svaml's peak memory at two sizes."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    tmp = Path(tempfile.mkdtemp(prefix="svaml-bench-"))
    try:
        paths = make_corpus(tmp, count)
        small = tmp / "small"
        small.mkdir()
        for p in paths[: count // 5]:
            shutil.copy(p, small / p.name)
        svaml_cmd = [sys.executable, "-m", "svaml", "lint", "--output-format", "concise", "--exit-zero"]
        # Memory first, each in its own process tree so ru_maxrss is that run's.
        peaks = []
        for target in (small, tmp):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)",
                    *svaml_cmd,
                    str(target),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            peaks.append(int(out.stdout.strip()))
        s_time, s_code, _ = run([*svaml_cmd, str(tmp)])
        checker = shutil.which("check-jsonschema")
        assert checker, "pip install check-jsonschema"
        c_time, c_code, _ = run([checker, "--schemafile", str(SCHEMA), *map(str, paths)])
        print(f"files: {count} ({count // 20} broken on purpose)")
        print(f"check-jsonschema  {c_time:7.2f} s  {count / c_time:9.0f} files/s  (exit {c_code})")
        print(f"svaml lint        {s_time:7.2f} s  {count / s_time:9.0f} files/s  (exit {s_code})")
        print(f"ratio             {c_time / s_time:7.1f}x  (target ≥ 10x)")
        print(f"svaml lint peak RSS: {peaks[0]} MiB at {count // 5} files, {peaks[1]} MiB at {count} files")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

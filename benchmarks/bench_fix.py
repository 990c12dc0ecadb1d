"""`svaml lint --fix` on one file with 1,000, 4,000 and 20,000 fixes: time per fix, and against validate().

Run: ``python benchmarks/bench_fix.py``. Each file is a generated IVR document whose instructions
are all spelt ``SetCookie`` (SV020, a safe fix each), one per line. ``--fix`` runs through the
command line on a real file, rewritten to its broken state before each run; the floor is a plain
``validate()`` of the same text, measured in the same rounds. Targets: the time of 20,000 fixes
at most 20x that of 1,000 (linear), and at most 2x a plain validate of the same file.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _timing import QUICK, best_of

from svaml import validate
from svaml.cli import main as svaml

SIZES = (100, 400, 2000) if QUICK else (1_000, 4_000, 20_000)


def ivr(count: int) -> str:
    """A document with ``count`` fixable instructions, one per line."""
    items = ",\n".join(f'    {{"name": "SetCookie", "key": "k{i}", "value": "v{i}"}}' for i in range(count))
    return '{\n  "instructions": [\n' + items + '\n  ],\n  "action": {"name": "hangup"}\n}\n'


def main() -> None:
    """Print ms per run and µs per fix at each size, the scaling ratio and the ratio to validate()."""
    cases: dict[str, Callable[[], object]] = {}
    with tempfile.TemporaryDirectory(prefix="svaml-bench-fix-") as directory:
        for count in SIZES:
            text = ivr(count)
            path = Path(directory) / f"ivr{count}.json"

            def fix(path: Path = path, text: str = text) -> None:
                path.write_text(text)
                with contextlib.redirect_stdout(io.StringIO()):
                    status = svaml(["lint", "--isolated", "--fix", "-q", str(path)])
                assert status == 0, status

            def check(text: str = text) -> None:
                validate(text)

            # The fix must be whole before it is timed: every name fixed, nothing else changed.
            fix()
            fixed = json.loads(path.read_text())
            expected = json.loads(text.replace('"SetCookie"', '"setCookie"'))
            assert fixed == expected, "the fixed file is not the expected document"
            assert len(validate(text)) == count
            cases[f"fix {count}"] = fix
            cases[f"validate {count}"] = check
        # All sizes in the same rounds, so that the load of the machine falls on each alike.
        times = best_of(cases, number=1, rounds=5)
    found = {count: {"fix": times[f"fix {count}"], "validate": times[f"validate {count}"]} for count in SIZES}
    print(f"{'fixes':>7}  {'--fix ms':>10}  {'µs/fix':>8}  {'validate ms':>12}  {'fix/validate':>12}")
    for count, times in found.items():
        fix_us, validate_us = times["fix"], times["validate"]
        print(
            f"{count:>7}  {fix_us / 1000:>10.1f}  {fix_us / count:>8.1f}  {validate_us / 1000:>12.1f}"
            f"  {fix_us / validate_us:>11.2f}x"
        )
    small, large = SIZES[0], SIZES[-1]
    scaling = found[large]["fix"] / found[small]["fix"]
    print(
        f"scaling: {large:,} fixes take {scaling:.1f}x the time of {small:,} (target ≤ 20x, linear is {large // small}x)"
    )
    floor = found[large]["validate"] / found[small]["validate"]
    print(f"         validate() of the same files: {floor:.1f}x (what the machine gives a linear pass today)")
    ratio = found[large]["fix"] / found[large]["validate"]
    print(f"--fix at {large:,} fixes: {ratio:.2f}x a plain validate() of the same file (target ≤ 2x)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

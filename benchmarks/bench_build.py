"""Build + serialize the three guide documents against literal dicts + json.dumps, and import cost.

Run: ``python benchmarks/bench_build.py``. Every figure is compared with a floor measured in the
same run, and the ratio is what to read: the machines are shared and noisy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from conference import conference  # noqa: E402
from ivr_menu import ivr_menu  # noqa: E402
from pstn_forward import pstn_forward  # noqa: E402


def floor_ivr() -> dict[str, Any]:
    """The IVR document as a literal dict, as a hand-written handler would return it."""
    return {
        "instructions": [{"name": "answer"}, {"name": "setCookie", "key": "step", "value": "main-menu"}],
        "action": {
            "name": "runMenu",
            "barge": True,
            "locale": "en-US",
            "menus": [
                {
                    "id": "main",
                    "mainPrompt": "#tts[Welcome to the main menu. Press 1 to confirm your order or 4 to cancel.]",
                    "repeatPrompt": "#tts[Incorrect value, please try again.]",
                    "repeats": 5,
                    "options": [
                        {"dtmf": "1", "action": "menu(confirm)"},
                        {"dtmf": "4", "action": "return(cancel)"},
                    ],
                },
                {
                    "id": "confirm",
                    "mainPrompt": "#tts[Thank you for confirming your order. Enter your 4-digit PIN.]",
                    "maxDigits": 4,
                },
            ],
        },
    }


def floor_conference() -> dict[str, Any]:
    """The conference document as a literal dict."""
    return {
        "instructions": [
            {"name": "say", "text": "Welcome to the conference. This call is recorded.", "locale": "en-US"},
            {
                "name": "startRecording",
                "options": {
                    "destinationUrl": "s3://my-bucket/recordings/",
                    "credentials": "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:eu-central-1",
                    "format": "mp3",
                    "notificationEvents": True,
                    "transcriptionOptions": {"enabled": True, "locale": "en-US"},
                },
            },
        ],
        "action": {
            "name": "connectConf",
            "conferenceId": "myConference",
            "conferenceDtmfOptions": {"mode": "detect", "maxDigits": 2, "timeoutMills": 3000},
            "moh": "ring",
        },
    }


def floor_pstn() -> dict[str, Any]:
    """The PSTN forward document as a literal dict."""
    return {
        "action": {
            "name": "connectPstn",
            "number": "+46701234567",
            "locale": "en-US",
            "maxDuration": 3000,
            "dialTimeout": 60,
            "cli": "+12015550123",
            "suppressCallbacks": False,
            "indications": "se",
            "amd": {"enabled": True},
        }
    }


def best(fn: Callable[[], object], number: int = 2000, repeat: int = 7) -> float:
    """Return the best time of one call in microseconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def import_time(statement: str, runs: int = 15) -> float:
    """Return the best wall time in ms of ``statement`` in a fresh interpreter.

    Bytecode caching is allowed (and warmed by a first run) so that svaml, imported from the
    work tree, is compared with installed packages on equal terms.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    run = [sys.executable, "-c", code]
    subprocess.check_output(run, text=True, env=env)
    times = [float(subprocess.check_output(run, text=True, env=env)) for _ in range(runs)]
    return min(times) * 1e3


def main() -> None:
    """Print µs per document and the ratio to the floor, then the import costs."""
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    cases = [
        ("ivr menu + setCookie", ivr_menu, floor_ivr),
        ("conference + recording", conference, floor_conference),
        ("pstn forward + amd", pstn_forward, floor_pstn),
    ]
    for build, floor in ((b, f) for _, b, f in cases):
        assert json.loads(build().to_json()) == floor(), (
            "the builder and the floor must write the same document"
        )
    print(f"{'document':<26}{'floor µs':>10}{'svaml µs':>10}{'ratio':>8}{'no check µs':>13}{'ratio':>8}")
    totals = [0.0, 0.0, 0.0]
    for name, build, floor in cases:
        f = best(lambda floor=floor: dumps(floor()))
        s = best(lambda build=build: build().to_json())
        n = best(lambda build=build: build().to_json(check=False))
        totals = [totals[0] + f, totals[1] + s, totals[2] + n]
        print(f"{name:<26}{f:>10.2f}{s:>10.2f}{s / f:>8.2f}{n:>13.2f}{n / f:>8.2f}")
    f, s, n = totals
    print(f"{'all three':<26}{f:>10.2f}{s:>10.2f}{s / f:>8.2f}{n:>13.2f}{n / f:>8.2f}   (target ≤ 1.5x)")
    print()
    cattrs_ms = import_time("import cattrs")
    svaml_ms = import_time("import svaml")
    first_ms = import_time("from svaml import Svaml")
    heavy = subprocess.check_output(
        [
            sys.executable,
            "-c",
            "import sys, svaml; from svaml import Svaml; Svaml().hangup().to_json();"
            "print(sorted(m for m in ('jsonschema', 'requests', 'hypothesis') if m in sys.modules))",
        ],
        text=True,
    ).strip()
    print(f"import cattrs               {cattrs_ms:7.1f} ms")
    print(
        f"import svaml                {svaml_ms:7.1f} ms   ratio {svaml_ms / cattrs_ms:.2f}  (target ≤ 1.1x)"
    )
    print(
        f"from svaml import Svaml     {first_ms:7.1f} ms   ratio {first_ms / cattrs_ms:.2f}  (model + converter)"
    )
    print(f"heavy modules loaded by building and serializing: {heavy}")


if __name__ == "__main__":
    main()

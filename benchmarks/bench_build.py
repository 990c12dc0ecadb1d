"""Build + serialize the three guide documents against literal dicts + json.dumps, and import cost.

Run: ``python benchmarks/bench_build.py``. Every figure is compared with a floor measured in the
same run, and the ratio is what to read: the machines are shared and noisy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from _timing import QUICK, best_of  # noqa: E402
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


@attrs.frozen(kw_only=True)
class _Bare:
    """A frozen slotted attrs class with no validator or converter: the cheapest model object."""

    a: object = None
    b: object = None
    c: object = None
    d: object = None
    e: object = None
    f: object = None
    g: object = None
    h: object = None




# The attrs objects each guide document makes (its parts and one Svaml per builder step), as
# bare objects with as many keyword arguments: what any attrs-based builder must pay at least.
def bare_ivr() -> None:
    """The IVR document's 10 objects: answer, setCookie, 2 options, 2 menus, runMenu, 3 Svaml."""
    _Bare(a=1), _Bare(a=1, b=2, c=3)
    _Bare(a=1, b=2), _Bare(a=1, b=2)
    _Bare(a=1, b=2, c=3, d=4, e=5), _Bare(a=1, b=2, c=3)
    _Bare(a=1, b=2, c=3)
    _Bare(a=1, b=2, c=3), _Bare(a=1, b=2, c=3), _Bare(a=1, b=2, c=3)


def bare_conference() -> None:
    """The conference document's 9 objects: say, 2 options objects, startRecording, 2 for the conference, 3 Svaml."""
    _Bare(a=1, b=2)
    _Bare(a=1, b=2), _Bare(a=1, b=2, c=3, d=4, e=5), _Bare(a=1)
    _Bare(a=1, b=2, c=3), _Bare(a=1, b=2, c=3)
    _Bare(a=1, b=2, c=3), _Bare(a=1, b=2, c=3), _Bare(a=1, b=2, c=3)


def bare_pstn() -> None:
    """The PSTN document's 3 objects: amd, connectPstn with 8 fields, 1 Svaml."""
    _Bare(a=1), _Bare(a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8), _Bare(a=1, b=2, c=3)


def import_time(statement: str, runs: int = 15) -> float:
    """Return the best wall time in ms of ``statement`` in a fresh interpreter.

    Bytecode caching is allowed (and warmed by a first run) so that svaml, imported from the
    work tree, is compared with installed packages on equal terms.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    run = [sys.executable, "-c", code]
    subprocess.check_output(run, text=True, env=env)
    times = [float(subprocess.check_output(run, text=True, env=env)) for _ in range(1 if QUICK else runs)]
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
    bare = {"ivr": bare_ivr, "conference": bare_conference, "pstn": bare_pstn}
    fns: dict[str, Callable[[], object]] = {}
    for (name, build, floor), key in zip(cases, bare, strict=True):
        fns[f"floor {name}"] = lambda floor=floor: dumps(floor())
        fns[f"bare {name}"] = lambda floor=floor, make=bare[key]: (make(), dumps(floor()))
        fns[f"svaml {name}"] = lambda build=build: build().to_json()
        fns[f"nocheck {name}"] = lambda build=build: build().to_json(check=False)
    found = best_of(fns)
    head = f"{'document':<26}{'floor µs':>10}{'svaml µs':>10}{'ratio':>7}{'no check':>10}{'ratio':>7}"
    print(f"{head}{'bare attrs':>12}{'ratio':>7}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for name, _, _ in cases:
        row = [found[f"{kind} {name}"] for kind in ("floor", "svaml", "nocheck", "bare")]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        f, s, n, b = row
        print(f"{name:<26}{f:>10.2f}{s:>10.2f}{s / f:>7.2f}{n:>10.2f}{n / f:>7.2f}{b:>12.2f}{b / f:>7.2f}")
    f, s, n, b = totals
    print(f"{'all three':<26}{f:>10.2f}{s:>10.2f}{s / f:>7.2f}{n:>10.2f}{n / f:>7.2f}{b:>12.2f}{b / f:>7.2f}")
    print("targets: svaml (build, check, to_json) ≤ 3.0x the floor; no check ≤ 2.3x. 'bare attrs' is the floor")
    print("plus as many frozen attrs objects, without any check, as the builder makes: the least any")
    print("attrs-based builder can cost.")
    print()
    cattrs_ms = import_time("import cattrs")
    svaml_ms = import_time("import svaml")
    first_ms = import_time("from svaml import Svaml, validate")
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
    print(f"import svaml                {svaml_ms:7.1f} ms   ratio {svaml_ms / cattrs_ms:.2f}")
    print(
        f"from svaml import Svaml, validate {first_ms:7.1f} ms   ratio {first_ms / cattrs_ms:.2f}  (target ≤ 2.0x)"
    )
    print(f"heavy modules loaded by building and serializing: {heavy}")


if __name__ == "__main__":
    main()

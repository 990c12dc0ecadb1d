"""SVAML v2: build + check + serialize against literal dicts + json.dumps, and validate against jsonschema.

Run: ``python benchmarks/bench_v2.py``. The floors are v1's (``bench_build.py``, ``bench_validate.py``),
measured in the same run: a hand-written dict serialized with ``json.dumps``, and jsonschema's
``is_valid`` with svaml's own v2 schema. Read the ratios, against v1's targets (build ≤ 3.0x, no
check ≤ 2.3x, validate ≤ 0.05x); the machines are shared and noisy.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
from _timing import QUICK, best_of

from svaml import validate
from svaml.v2 import Svaml2
from svaml.v2.model import GotoMenu, MenuItem, RecordingOptions, Say, TranscriptionOptions
from svaml.v2.schema import document_schema

VARIANTS = 50 if QUICK else 5000
_OPTIONS = RecordingOptions(
    destination="AWS",
    destination_url="s3://voice-recordings-prod/calls",
    credentials="accessKeyId:secretAccessKey:eu-central-1",
    transcription_options=TranscriptionOptions(True, locale="en-US"),
)


def ivr() -> Svaml2:
    """An IVR: answer, greet, a two-item menu whose matches dial an agent or go to the other item."""
    return (
        Svaml2()
        .answer()
        .say("Welcome to Acme.", "Emma")
        .menu(
            MenuItem(
                "main",
                prompt=Say("Press 1 for sales, 2 for opening hours.", voice_name="Emma"),
                repeat_count=2,
                matches={
                    "1": Svaml2().dial("+46701234567", call_name="sales", on_answer=Svaml2().bridge_call("b")),
                    "2": GotoMenu("hours"),
                },
                on_fail=Svaml2().hangup(),
            ),
            MenuItem("hours", prompt=Say("We are open 9 to 5.", voice_name="Emma"), on_fail=Svaml2().hangup()),
        )
    )


def notify() -> Svaml2:
    """A notification: dial, detect a machine, speak to a human, hang up otherwise."""
    return Svaml2().dial(
        "+46701234567",
        max_call_duration_seconds=300,
        on_answer=Svaml2().amd(
            on_human=Svaml2().say("Your parcel arrives tomorrow.", "Emma", on_finish=Svaml2().hangup()),
            on_machine=Svaml2().hangup(),
        ),
    )


def record() -> Svaml2:
    """A recorded bridge: record, connect the callee, bridge both legs."""
    return (
        Svaml2()
        .answer()
        .start_recording(_OPTIONS, recording_name="call")
        .dial("sip:agent@pbx.acme.com", call_name="agent", on_answer=Svaml2().bridge_call("desk"))
        .bridge_call("desk")
    )


def _say(text: str) -> dict[str, Any]:
    return {"type": "SAY", "say": {"text": text, "voiceName": "Emma"}}


def floor_ivr() -> dict[str, Any]:
    """The IVR as a literal dict."""
    return {
        "commands": [
            {"command": "answer"},
            {"command": "messages", "messages": [_say("Welcome to Acme.")]},
            {
                "command": "menu",
                "startMenu": "main",
                "menus": {
                    "main": {
                        "prompt": {"messages": [_say("Press 1 for sales, 2 for opening hours.")]},
                        "repeatCount": 2,
                        "matches": {
                            "1": [
                                {
                                    "command": "dial",
                                    "to": {"type": "PHONE", "phone": {"number": "+46701234567"}},
                                    "callName": "sales",
                                    "events": {"onAnswer": [{"command": "bridgeCall", "bridgeName": "b"}]},
                                }
                            ],
                            "2": [{"command": "gotoMenu", "menuName": "hours"}],
                        },
                        "onFail": [{"command": "hangup"}],
                    },
                    "hours": {
                        "prompt": {"messages": [_say("We are open 9 to 5.")]},
                        "onFail": [{"command": "hangup"}],
                    },
                },
            },
        ]
    }


def floor_notify() -> dict[str, Any]:
    """The notification as a literal dict."""
    return {
        "commands": [
            {
                "command": "dial",
                "to": {"type": "PHONE", "phone": {"number": "+46701234567"}},
                "maxCallDurationSeconds": 300,
                "events": {
                    "onAnswer": [
                        {
                            "command": "amd",
                            "events": {
                                "onHuman": [
                                    {
                                        "command": "messages",
                                        "messages": [_say("Your parcel arrives tomorrow.")],
                                        "events": {"onFinish": [{"command": "hangup"}]},
                                    }
                                ],
                                "onMachine": [{"command": "hangup"}],
                            },
                        }
                    ]
                },
            }
        ]
    }


def floor_record() -> dict[str, Any]:
    """The recorded bridge as a literal dict."""
    return {
        "commands": [
            {"command": "answer"},
            {
                "command": "startRecording",
                "recordingOptions": {
                    "destination": "AWS",
                    "destinationUrl": "s3://voice-recordings-prod/calls",
                    "credentials": "accessKeyId:secretAccessKey:eu-central-1",
                    "transcriptionOptions": {"isEnabled": True, "locale": "en-US"},
                },
                "recordingName": "call",
            },
            {
                "command": "dial",
                "to": {"type": "SIP", "sip": {"endpoint": "sip:agent@pbx.acme.com"}},
                "callName": "agent",
                "events": {"onAnswer": [{"command": "bridgeCall", "bridgeName": "desk"}]},
            },
            {"command": "bridgeCall", "bridgeName": "desk"},
        ]
    }


def vary(value: Any, n: int) -> Any:
    """Return ``value`` with every number's last digits and every text made unique by ``n``."""
    if isinstance(value, dict):
        return {k: vary(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [vary(v, n) for v in value]
    if isinstance(value, str) and value.startswith("+4670"):
        return value[:-4] + f"{n:04d}"[-4:]
    if isinstance(value, str) and " " in value:
        return f"{value} {n}"
    return value


def main() -> None:
    """Print µs per document and the ratios to the floors."""
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    cases = [("ivr menu", ivr, floor_ivr), ("amd notification", notify, floor_notify),
             ("recorded bridge", record, floor_record)]
    for name, build, floor in cases:
        assert json.loads(build().to_json()) == floor(), f"{name}: the builder and the floor differ"
    fns: dict[str, Callable[[], object]] = {}
    for name, build, floor in cases:
        fns[f"floor {name}"] = lambda floor=floor: dumps(floor())
        fns[f"svaml {name}"] = lambda build=build: build().to_json()
        fns[f"nocheck {name}"] = lambda build=build: build().to_json(check=False)
    found = best_of(fns)
    print("build + check + serialize (µs per document)")
    print(f"{'document':<20}{'floor':>9}{'svaml':>9}{'ratio':>7}{'no check':>10}{'ratio':>7}")
    totals = [0.0, 0.0, 0.0]
    for name, _, _ in cases:
        row = [found[f"{kind} {name}"] for kind in ("floor", "svaml", "nocheck")]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        f, s, n = row
        print(f"{name:<20}{f:>9.2f}{s:>9.2f}{s / f:>7.2f}{n:>10.2f}{n / f:>7.2f}")
    f, s, n = totals
    print(f"{'all three':<20}{f:>9.2f}{s:>9.2f}{s / f:>7.2f}{n:>10.2f}{n / f:>7.2f}")
    print("v1 targets: svaml (build, check, to_json) ≤ 3.0x the floor; no check ≤ 2.3x.")
    print()
    validator = jsonschema.Draft202012Validator(document_schema())
    docs = {name: floor() for name, _, floor in cases}
    variants = {name: [vary(doc, n) for n in range(VARIANTS)] for name, doc in docs.items()}
    for name, doc in docs.items():
        for each in (doc, variants[name][1], variants[name][-1]):
            assert validator.is_valid(each), name
            assert validate(each) == [], name
    checks: dict[str, Callable[[], object]] = {}
    for name in docs:
        left: Iterator[Any] = itertools.cycle(variants[name])
        right: Iterator[Any] = itertools.cycle(variants[name])
        checks[f"jsonschema {name}"] = lambda it=left: validator.is_valid(next(it))
        checks[f"svaml {name}"] = lambda it=right: validate(next(it))
    timed = best_of(checks, number=200)
    print("validate (µs per document; numbers and texts vary)")
    print(f"{'document':<20}{'jsonschema':>11}{'svaml':>9}{'ratio':>8}")
    j_total = s_total = 0.0
    for name in docs:
        j, s = timed[f"jsonschema {name}"], timed[f"svaml {name}"]
        j_total, s_total = j_total + j, s_total + s
        print(f"{name:<20}{j:>11.1f}{s:>9.1f}{s / j:>8.3f}")
    print(f"{'all three':<20}{j_total:>11.1f}{s_total:>9.1f}{s_total / j_total:>8.3f}   (v1 target ≤ 0.05x)")


if __name__ == "__main__":
    main()

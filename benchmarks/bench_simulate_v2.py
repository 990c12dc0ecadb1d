"""Benchmark a simulated v2 session against the application's own handling of the same webhooks.

One inbound session against a small v2 IVR (a welcome, a menu, a goodbye then a hangup): the caller
presses 2. "handle" replays the very requests the simulator sent (the same bodies, the same
signatures) through the application: it verifies each signature (``svaml.v2.signing``), reads the
event, and answers with a ``Svaml2`` document checked on the way out. "simulate" is the whole
session: writing and signing each CloudEvents webhook, the same application, reading and checking
every answer with the v2 rules, running the commands on the virtual clock, and the transcript.
Both run in the same process, interleaved over several rounds. The v1 simulator's target (at
most 1.5x the application's own work) is the yardstick.

    python benchmarks/bench_simulate_v2.py
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

from _timing import best_of

from svaml.simulator import AppTarget, Reply, Request
from svaml.simulator.v2 import Caller, simulate
from svaml.v2 import Svaml2
from svaml.v2.model import MenuItem, Say
from svaml.v2.signing import verify_webhook

SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="
YARDSTICK = 1.5
VOICE = "Emma"


class Response(NamedTuple):
    """Status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def bye(text: str) -> Svaml2:
    """Say ``text``, then hang up."""
    return Svaml2().say(text, VOICE, on_finish=Svaml2().hangup())


class Ivr:
    """A v2 application as a user writes one: verify, read, answer with a checked Svaml2."""

    def handle(self, method: str, path: str, headers: Iterable[tuple[str, str]], body: bytes) -> Response:
        """Answer one webhook."""
        verify_webhook(path=path, headers=headers, body=body, service_id=SERVICE_ID, secret=SECRET, max_age=None)
        event = json.loads(body)
        if event["event"] == "call.incoming":
            doc = Svaml2().answer().say("Welcome to Acme.", VOICE).menu(
                MenuItem(
                    "main",
                    prompt=Say("Press 1 for sales, 2 to leave.", voice_name=VOICE),
                    matches={"1": bye("Sales is closed."), "2": bye("Goodbye.")},
                    on_fail=bye("Goodbye."),
                )
            )
        else:
            doc = Svaml2()
        return Response(200, (("Content-Type", "application/json"),), doc.to_json().encode())


app = Ivr()
caller = Caller.keys("2")


class Recording(AppTarget):
    """The app target, keeping every request it delivers."""

    def __init__(self) -> None:
        super().__init__(app)
        self.requests: list[Request] = []

    def send(self, request: Request, timeout: float) -> Reply:
        """Keep the request, then deliver it."""
        self.requests.append(request)
        return super().send(request, timeout)


recording = Recording()
transcript = simulate(recording, caller, service_id=SERVICE_ID, secret=SECRET)
REQUESTS = recording.requests


def handle() -> None:
    """The application's own work for the session: each webhook through its handle."""
    for r in REQUESTS:
        assert app.handle(r.method, r.path, r.headers, r.body).status == 200


def simulated() -> None:
    """The whole simulated session."""
    assert simulate(app, caller, service_id=SERVICE_ID, secret=SECRET).ok


def main() -> None:
    """Measure and print µs per session and the ratio."""
    expected = ("call.incoming", "call.message.finished", "call.hangup")
    assert transcript.ok, transcript
    assert transcript.events == expected, transcript
    best = best_of({"handle": handle, "simulate": simulated}, number=100, rounds=15)
    print(f"{'the application for the same 3 webhooks':<46} {best['handle']:8.1f} µs/session")
    print(f"{'simulated session (svaml.simulator.v2)':<46} {best['simulate']:8.1f} µs/session")
    ratio = best["simulate"] / best["handle"]
    print(f"ratio: {ratio:.2f}x (v1's target {YARDSTICK:g}x: {'within' if ratio <= YARDSTICK else 'over'})")


if __name__ == "__main__":
    main()

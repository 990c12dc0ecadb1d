"""Benchmark an in-process simulated call against the application's own handling of the same events.

One call against the examples' IVR (examples/ivr_app.py): the ICE gets a menu, the caller presses
2, the PIE gets a goodbye and a hangup, the DiCE ``{}``. "handle" replays the very requests
the simulator sent (the same bodies, the same signatures) through ``CallbackApp.handle``: what the
application spends on the call. "simulate" is the whole simulated call: writing and signing each
event, the same ``handle``, reading and checking every answer with every rule for its event,
executing it on the virtual clock, and the transcript. Both run in the same process, interleaved
over several rounds; the target is a ratio of at most 1.5.

    python benchmarks/bench_simulate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import best_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from ivr_app import create_app

from svaml.simulator import AppTarget, Caller, Reply, Request, simulate

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
TARGET = 1.5  # issue 17: in-process simulation at most 1.5x the application's own handling

# "handle" answers the simulator's recorded requests again and again: the replay check would refuse them.
app = create_app(KEY, SECRET, replay=None)
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
transcript = simulate(recording, caller, key=KEY, secret=SECRET)
REQUESTS = recording.requests


def handle() -> None:
    """The application's own work for the call: each event through CallbackApp.handle."""
    for r in REQUESTS:
        assert app.handle(r.method, r.path, r.headers, r.body).status == 200


def simulated() -> None:
    """The whole simulated call."""
    assert simulate(app, caller, key=KEY, secret=SECRET).ok


def main() -> None:
    """Measure and print µs per call and the ratio."""
    expected = ("ice", "pie", "dice")
    assert transcript.ok, transcript
    assert transcript.events == expected, transcript
    best = best_of({"handle": handle, "simulate": simulated}, number=200, rounds=15)
    print(f"{'CallbackApp.handle for the same 3 events':<44} {best['handle']:8.1f} µs/call")
    print(f"{'simulated call (svaml.simulator, in-process)':<44} {best['simulate']:8.1f} µs/call")
    ratio = best["simulate"] / best["handle"]
    print(f"ratio: {ratio:.2f}x (target <= {TARGET:g}x) {'OK' if ratio <= TARGET else 'OVER TARGET'}")


if __name__ == "__main__":
    main()

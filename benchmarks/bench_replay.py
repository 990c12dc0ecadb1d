"""Benchmark what replay protection adds to a callback round trip: in process, and in Redis on localhost.

Three apps answer the same kind of ICE (verify, read, a function building a small menu, check,
write): one with the replay check off, one with the default in-process store, one with a
RedisReplayStore on a redis-server this script starts on a free port of 127.0.0.1 (skipped, and
said so, when ``redis-server`` is not installed). Every request is signed anew (a replayed one
would be refused), so each case gets its own pre-signed requests. One call of each case in turn,
in rotating order (see ``_timing.interleaved_medians``: in rounds, the case run first was
measured faster), and the median of each counts; the target is in-process ≤ 5% over the
check-off round trip.

    python benchmarks/bench_replay.py
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

from _timing import QUICK, interleaved_medians

from svaml import IceSvaml, Menu, MenuOption, Svaml, return_, tts
from svaml.callbacks import CallbackApp
from svaml.model import IceEvent
from svaml.replay import MemoryReplayStore, RedisReplayStore, ReplayStore
from svaml.signing import Credentials

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"
NUMBER = 5000
CREDENTIALS = Credentials(key=KEY, secret=SECRET)


def greet(event: IceEvent) -> IceSvaml:
    """The small menu every case answers with."""
    menu = Menu(
        id="main",
        main_prompt=tts("Press 1 for sales, or 2 to end the call."),
        options=[MenuOption(dtmf="1", action=return_("sales")), MenuOption(dtmf="2", action=return_("bye"))],
    )
    return Svaml.ice().answer().run_menu(menu, locale="en-US")


def requests_for(count: int) -> Iterator[tuple[dict[str, str], bytes]]:
    """Yield ``count`` distinctly signed ICE requests (each call id differs, so each signature does)."""
    for i in range(count):
        body = json.dumps(
            {"event": "ice", "callid": f"call-{i:08d}", "cli": "+46708168731", "version": 1,
             "to": {"type": "number", "endpoint": "+46700000000"}, "domain": "pstn"},
            separators=(",", ":"),
        ).encode()
        headers = CREDENTIALS.sign(method="POST", path=PATH, body=body, content_type="application/json")
        yield {**headers, "Content-Type": "application/json"}, body


def case(store: ReplayStore | None) -> Callable[[], None]:
    """One round trip of an app with ``store``, each call with a request not seen before."""
    app = CallbackApp(key=KEY, secret=SECRET, replay=store)
    app.ice(greet)
    supply = iter(list(requests_for(3 if QUICK else NUMBER + 5)))

    def run() -> None:
        headers, body = next(supply)
        response = app.handle("POST", PATH, headers, body)
        assert response.status == 200, response

    return run


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_redis(directory: str) -> tuple[subprocess.Popen[bytes], str] | None:
    """Start redis-server on a free port in ``directory``; None when it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", directory, "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    process.terminate()
    sys.exit("redis-server did not start")


def main() -> None:
    """Time the three cases and print the figures."""
    cases = {"replay off": case(None), "in process": case(MemoryReplayStore())}
    with tempfile.TemporaryDirectory() as directory:
        started = start_redis(directory)
        try:
            if started is not None:
                cases["redis"] = case(RedisReplayStore.from_url(started[1]))
            found = interleaved_medians(cases, number=NUMBER)
        finally:
            if started is not None:
                started[0].terminate()
                started[0].wait(10)
    off = found["replay off"]
    print(f"ICE round trip, replay check off:   {off:8.1f} µs (medians of {NUMBER:,} calls each)")
    memory = found["in process"]
    print(f"with the in-process store:          {memory:8.1f} µs  ratio: {memory / off:.3f} (target ≤ 1.05)")
    if "redis" in found:
        redis = found["redis"]
        print(f"with Redis on localhost:            {redis:8.1f} µs  adds {redis - off:.1f} µs a request")
    else:
        print("with Redis on localhost:            not measured (redis-server is not installed)")


if __name__ == "__main__":
    main()

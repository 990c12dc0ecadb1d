"""Benchmark the load mode's own overhead: does it report the server's latency, or its own.

A CallbackApp IVR is served on 127.0.0.1 by a threaded wsgiref server. In the same run:

- the floor: a bare ``http.client`` loop on one kept-alive connection posting ICE, PIE and DiCE
  sample bodies, each built and signed as it goes (the three requests of
  the simulated call) and timing each answer;
- the load mode: ``svaml.load.run`` with one thread playing the same calls (sign each event,
  post it, judge the answer with the rules, execute it on the virtual clock), timing each request.

Both measure the same server on the same connection kind; the ratio of their median request
latencies says how much the load mode's own work leaks into what it reports (target: close to
1), and calls/s says what it costs in throughput.

    python benchmarks/bench_load.py [CALLS]
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from _timing import QUICK

from svaml import Menu, MenuOption, Svaml, _json, codec, return_
from svaml.callbacks import CallbackApp
from svaml.cli.send import sample_event, signed_headers
from svaml.load import percentile, run
from svaml.signing import Credentials
from svaml.simulator import Caller

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def app() -> CallbackApp:
    """The IVR under load: a menu at ICE, a hangup at PIE."""
    ivr = CallbackApp(key=KEY, secret=SECRET)
    menu = Menu(id="main", main_prompt="#tts[Press 1]", options=[MenuOption(dtmf="1", action=return_("one"))])
    ivr.ice(lambda event: Svaml.ice().answer().run_menu(menu, locale="en-US"))
    ivr.pie(lambda event: Svaml.pie().hangup())
    return ivr


def bare(port: int, calls: int) -> tuple[list[float], float]:
    """Post ICE, PIE, DiCE per call on one connection; return request latencies and the seconds taken."""
    credentials = Credentials(key=KEY, secret=SECRET)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        for name in ("ice", "pie", "dice"):
            body = _json.dumps(codec.unstructure(sample_event(name, key=KEY))).encode()
            headers = signed_headers(credentials, PATH, body)
            begin = time.perf_counter()
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - begin)
            assert response.status == 200, response.status
    connection.close()
    return sorted(latencies), time.perf_counter() - started


def main() -> None:
    """Run both, interleaved, and print the medians and the ratio."""
    calls = 5 if QUICK else int(sys.argv[1]) if len(sys.argv) > 1 else 300
    server = make_server("127.0.0.1", 0, app().wsgi, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{PATH}"
    try:
        rounds = 1 if QUICK else 3
        best_bare = best_load = float("inf")
        bare_rate = load_rate = 0.0
        for _ in range(rounds):  # interleaved: both under the same load of the shared machine
            latencies, seconds = bare(server.server_port, calls)
            if percentile(latencies, 0.5) < best_bare:
                best_bare, bare_rate = percentile(latencies, 0.5), calls / seconds
            report = run(url, calls=calls, concurrency=1, callers=lambda n: Caller.keys("1"), key=KEY, secret=SECRET)
            assert report.ok, report.to_text()
            assert report.requests == 3 * calls, report.to_text()
            if report.latency(0.5) < best_load:
                best_load, load_rate = report.latency(0.5), report.calls / report.seconds
    finally:
        server.shutdown()
        server.server_close()
    print(f"{calls} calls of 3 requests against a CallbackApp IVR on wsgiref, best of {rounds} rounds")
    print(f"bare http.client loop  median request {best_bare * 1000:.3f} ms  {bare_rate:.0f} calls/s")
    print(f"svaml load mode        median request {best_load * 1000:.3f} ms  {load_rate:.0f} calls/s")
    print(f"ratio: reported latency {best_load / best_bare:.2f}x the bare loop's; throughput {load_rate / bare_rate:.2f}x")


if __name__ == "__main__":
    main()

"""The load mode against real callback servers on 127.0.0.1: counts, latencies and failures."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from svaml import Menu, MenuOption, Svaml, return_
from svaml.callbacks import CallbackApp
from svaml.cli import main
from svaml.errors import SvamlError
from svaml.load import percentile, run
from svaml.simulator import Caller

ROOT = Path(__file__).parent.parent
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
#: The first problem of a call whose PIE answer is not SVAML (CallbackApp answers 500 saying why).
BROKEN_PIE = "PIE: status: HTTP 500: the pie function returned str, not SVAML"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def _app(broken_pie: bool) -> CallbackApp:
    app = CallbackApp(key=KEY, secret=SECRET)
    menu = Menu(id="main", main_prompt="#tts[Press 1]", options=[MenuOption(dtmf="1", action=return_("one"))])
    app.ice(lambda event: Svaml.ice().answer().run_menu(menu, locale="en-US"))
    if broken_pie:
        app.pie(lambda event: "not SVAML")
    else:
        app.pie(lambda event: Svaml.pie().hangup())
    return app


@pytest.fixture(params=[False, True], ids=["good", "broken"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, bool]]:
    """A threaded wsgiref server with an IVR app whose PIE answer is good or broken: (URL, broken)."""
    server = make_server("127.0.0.1", 0, _app(request.param).wsgi, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sinch/callback", request.param
    finally:
        server.shutdown()
        server.server_close()


def test_many_calls_report_latencies_and_first_problems(served: tuple[str, bool]) -> None:
    """40 calls on 4 threads: every request timed; a broken PIE answer is each call's first problem."""
    url, broken = served
    report = run(url, calls=40, concurrency=4, callers=lambda n: Caller.keys("1"), key=KEY, secret=SECRET)
    problems = [p for p, _ in report.failures]
    first = [BROKEN_PIE] if broken else []
    expected = (40, 40 if broken else 0, 120, True, first)
    assert expected == (
        report.calls,
        report.failed,
        report.requests,
        0 < report.latency(0.5) <= report.latency(0.99),
        problems,
    )


def test_the_time_limit_stops_new_calls() -> None:
    """With no time at all, no call starts and the report says the time limit stopped it."""
    report = run("http://127.0.0.1:9/x", calls=1000, concurrency=2, time_limit=0.0)
    expected = (0, True)
    assert expected == (report.calls, report.stopped_by_time)


def test_percentile_interpolates() -> None:
    """The median of 1..4 is 2.5; the 0.99 percentile of one value is that value."""
    expected = (2.5, 7.0)
    assert expected == (percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([7.0], 0.99))


def test_bad_credentials_are_refused_before_any_call() -> None:
    """A secret that is not Base64 raises SvamlError from run() itself, not a traceback in each thread."""
    with pytest.raises(SvamlError) as caught:
        run("http://127.0.0.1:9/x", calls=10, concurrency=2, key=KEY, secret="not base64!")
    expected = "the application secret is not Base64 (copy it from the Sinch dashboard)"
    assert expected == str(caught.value)


def _simulate(*args: str, stderr: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """Run ``python -m svaml simulate ARGS`` with this tree and the test credentials."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SINCH_APPLICATION_KEY": KEY,
        "SINCH_APPLICATION_SECRET": SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "svaml", "simulate", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_load_flags_report_as_json_and_exit_1_on_failures(served: tuple[str, bool]) -> None:
    """``--calls 30 --concurrency 3 --format json``: calls, requests, first problems; 1 when one failed."""
    url, broken = served
    done = _simulate("--url", url, "--keys", "1", "--calls", "30", "--concurrency", "3", "--format", "json")
    data = json.loads(done.stdout)
    failures = [{"problem": BROKEN_PIE, "calls": 30}] if broken else []
    expected = (1 if broken else 0, 30, 30 if broken else 0, 90, failures, "")
    assert expected == (
        done.returncode,
        data["calls"],
        data["failed"],
        data["requests"],
        data["failures"],
        done.stderr,
    )


def test_the_progress_line_is_drawn_on_a_terminal() -> None:
    """With standard error a terminal, a progress line is drawn and cleared; the text report follows."""
    server = make_server("127.0.0.1", 0, _app(False).wsgi, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    leader, follower = pty.openpty()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sinch/callback"
        done = _simulate("--url", url, "--keys", "1", "--calls", "20", "--concurrency", "2", stderr=follower)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
        server.shutdown()
        server.server_close()
    expected = (0, True, True, "20 calls (0 failed), 60 requests (0 errors)")
    assert expected == (
        done.returncode,
        b"\r20/20 calls, 0 failed, " in drawn,
        drawn.endswith(b"\r\x1b[K"),
        done.stdout.split(" in ")[0],
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["app:app", "--calls", "5"], "give --url URL, not MODULE:NAME"),
        (["--url", "http://127.0.0.1:9/x", "--calls", "0"], "--calls must be at least 1, got 0"),
        (["--url", "http://127.0.0.1:9/x", "--time-limit", "0"], "--time-limit must be more than 0 seconds"),
        (["--url", "http://127.0.0.1:9/x", "--calls", "5", "--format", "mermaid"], "not mermaid"),
        (
            ["--url", "http://127.0.0.1:9/x", "--calls", "5", "--key", KEY, "--secret", "not base64!"],
            "is not Base64",
        ),
    ],
)
def test_load_usage_errors_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Load flags without --url, bad counts, a mermaid report or bad credentials: exit 2 saying why."""
    status = main(["simulate", *args])
    err = capsys.readouterr().err
    expected = (2, True)
    assert expected == (status, message in err), err

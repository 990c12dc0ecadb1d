"""svaml.load.locust run by real Locust (headless; a master and two workers) against a local CallbackApp."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from svaml import Menu, MenuOption, Svaml, return_
from svaml.callbacks import CallbackApp
from svaml.model.events import PieEvent

ROOT = Path(__file__).parent.parent
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
BROKEN_PIE = "PIE: status: HTTP 500: the pie function returned str, not SVAML"

LOCUSTFILE = """
from svaml.load.locust import SimulatedCallUser


class Buyer(SimulatedCallUser):
    keys = "1"


class Complainer(SimulatedCallUser):
    keys = "2"
"""


# Headless, a master and two forked workers, 4 users started at once, for 2 seconds.
LOCUST = [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--processes", "2"]
LOCUST += ["-u", "4", "-r", "4", "--run-time", "2s"]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def _pie(event: PieEvent) -> object:
    # Option 2 is broken: its PIE gets no SVAML, which CallbackApp answers with a 500.
    return Svaml.pie().hangup() if event.menu_result and event.menu_result.value == "one" else "not SVAML"


def _app() -> CallbackApp:
    app = CallbackApp(key=KEY, secret=SECRET)
    menu = Menu(
        id="main",
        main_prompt="#tts[Press 1 or 2]",
        options=[MenuOption(dtmf="1", action=return_("one")), MenuOption(dtmf="2", action=return_("two"))],
    )
    app.ice(lambda event: Svaml.ice().answer().run_menu(menu, locale="en-US"))
    app.pie(_pie)
    return app


def _rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(file)}


def test_locust_master_and_workers_play_simulated_calls(tmp_path: Path) -> None:
    """Two workers play both callers: requests as POSTs by event, calls as CALLs, failures by their cause."""
    server = make_server("127.0.0.1", 0, _app().wsgi, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SINCH_APPLICATION_KEY": KEY,
        "SINCH_APPLICATION_SECRET": SECRET,
    }
    url = f"http://127.0.0.1:{server.server_port}/sinch/callback"
    try:
        done = subprocess.run(
            [*LOCUST, "--host", url, "--csv", "out", "--only-summary"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    stats = _rows(tmp_path / "out_stats.csv")
    with (tmp_path / "out_failures.csv").open(newline="", encoding="utf-8") as file:
        failures = sorted((row["Method"], row["Name"], row["Error"]) for row in csv.DictReader(file))
    calls = stats["CALL", "call"]
    counts = {name: int(stats["POST", name]["Request Count"]) for name in ("ICE", "PIE", "DICE")}
    expected = (
        True,
        True,
        [
            ("CALL", "call", f"CallFailedError({BROKEN_PIE!r})"),
            ("POST", "PIE", "CallFailedError('HTTP 500')"),
        ],
        "0",
        True,
    )
    assert expected == (
        "2 workers connected" in done.stderr,
        0 < int(calls["Failure Count"]) < int(calls["Request Count"]),
        failures,
        stats["POST", "ICE"]["Failure Count"],
        counts["ICE"] >= counts["PIE"] >= counts["DICE"] >= int(calls["Request Count"]) > 20,
    ), done.stderr[-3000:]

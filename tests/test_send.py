"""``svaml send EVENT --url``: signed sample events posted to real servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from svaml import Svaml
from svaml.callbacks import CallbackApp
from svaml.model import IceEvent, PieEvent

ROOT = Path(__file__).resolve().parent.parent
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture
def app_url() -> Iterator[tuple[str, list[str]]]:
    """A CallbackApp with Sinch's documented credentials served by wsgiref; yields its URL and a log."""
    app = CallbackApp(key=KEY, secret=SECRET)
    seen: list[str] = []

    @app.ice
    def ice(event: IceEvent) -> Any:
        seen.append(f"ice {event.cli} {event.to.endpoint if event.to else ''}")
        return Svaml.ice().answer().say("Hello", locale="en-US").hangup()

    @app.pie
    def pie(event: PieEvent) -> Any:
        seen.append(f"pie {event.menu_result.value if event.menu_result else ''}")
        return Svaml.pie().hangup()

    server = make_server("127.0.0.1", 0, app.wsgi, WSGIServer, _Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sinch/callback", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bad_url() -> Iterator[str]:
    """A server that answers every POST with SVAML Sinch would reject (two actions, no menus)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"action": {"name": "runMenu"}, "instructions": [{"name": "hangup"}]}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bad"
    finally:
        server.shutdown()
        server.server_close()


def send(*argv: str, key: str | None = KEY, secret: str | None = SECRET) -> subprocess.CompletedProcess[str]:
    """Run ``svaml send`` in a subprocess with the credentials in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    env["PYTHONPATH"] = str(ROOT)
    if key is not None:
        env["SINCH_APPLICATION_KEY"] = key
    if secret is not None:
        env["SINCH_APPLICATION_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "svaml", "send", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_ice_is_signed_so_the_app_verifies_it(app_url: tuple[str, list[str]]) -> None:
    """A CallbackApp that verifies signatures reads the sample ICE and its valid answer exits 0."""
    url, seen = app_url
    done = send("ice", "--url", url)
    expected = (0, "200 OK", ["ice +46708168731 +46700000000"], True)
    assert expected == (
        done.returncode, done.stdout.splitlines()[0], seen, '"name":"hangup"' in done.stdout
    ), done.stderr


def test_fields_are_set_from_the_command_line(app_url: tuple[str, list[str]]) -> None:
    """``--set`` replaces a field of the sample (a JSON value, here the menu result)."""
    url, seen = app_url
    done = send("pie", "--url", url, "--set", 'menuResult={"menuId": "main", "type": "return", "value": "7"}')
    expected = (0, ["pie 7"])
    assert expected == (done.returncode, seen), done.stderr


def test_a_wrong_secret_is_refused_by_the_app(app_url: tuple[str, list[str]]) -> None:
    """Signed with another secret, the event gets the app's 401 and the command exits 1."""
    url, seen = app_url
    done = send("ice", "--url", url, secret="c29tZXRoaW5nLWVsc2U=")
    expected = (1, "401 Unauthorized", [], True)
    assert expected == (done.returncode, done.stdout.splitlines()[0], seen, "HTTP 401" in done.stderr)


def test_an_invalid_answer_is_reported_with_its_rules(bad_url: str) -> None:
    """An answer Sinch would reject exits 1 and names each broken rule on stderr."""
    done = send("ice", "--url", bad_url)
    expected = (1, True, True)
    assert expected == (done.returncode, "[SV" in done.stderr, "not valid for an ICE response" in done.stderr)


def test_dice_needs_no_svaml(app_url: tuple[str, list[str]]) -> None:
    """A DiCE gets an empty 200, which is all Sinch wants: exit 0."""
    url, _ = app_url
    expected = 0
    assert expected == send("dice", "--url", url).returncode


@pytest.mark.parametrize(
    ("argv", "key", "status", "says"),
    [
        (["ice", "--url", "http://127.0.0.1:9/x"], None, 2, "SINCH_APPLICATION_KEY not set"),
        (["ice", "--url", "ftp://example.com/x"], KEY, 2, "--url must be an http(s) URL"),
        (["ice", "--url", "http://127.0.0.1:9/x", "--set", "nothing"], KEY, 2, "FIELD=VALUE"),
        (["ice", "--url", "http://127.0.0.1:9/x"], KEY, 1, "POST http://127.0.0.1:9/x"),
    ],
)
def test_bad_use_is_a_clear_error(argv: list[str], key: str | None, status: int, says: str) -> None:
    """Missing credentials, a bad URL, a bad --set and an unreachable app each say what is wrong."""
    done = send(*argv, key=key)
    expected = (status, True, False)
    assert expected == (done.returncode, says in done.stderr, "Traceback" in done.stderr)

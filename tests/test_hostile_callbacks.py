"""CallbackApp under attack and under its own handlers' faults: handle() never raises.

Through ``handle`` and through real servers (wsgiref for WSGI, uvicorn for ASGI) on 127.0.0.1:
functions that raise anything or return SVAML that cannot be written, arguments of the wrong
kind, bodies announced at 10 GB or streamed without end, and 120,000 bad items in one signed
body, whose log is summarised.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import attrs
import pytest
import requests
import uvicorn

from svaml import Svaml
from svaml.callbacks import CallbackApp, CallbackResponse
from svaml.model.events import IceEvent
from svaml.signing import sign

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"
ICE = b'{"event":"ice","callid":"c1","cli":"+46708168731"}'
TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


def signed(body: bytes, path: str = PATH) -> dict[str, str]:
    """Return the headers Sinch would send with ``body`` posted to ``path``."""
    headers = sign(
        method="POST", path=path, body=body, content_type="application/json", key=KEY, secret=SECRET
    )
    return {**headers, "Content-Type": "application/json"}


class Unwritable(Exception):
    """What a handler's own bug raises."""


def answering(answer: Callable[[IceEvent], Any], **options: Any) -> CallbackApp:
    """Return an app whose ICE function is ``answer``."""
    app = CallbackApp(key=KEY, secret=SECRET, **options)
    app.on("ice", answer)
    return app


def raising(error: BaseException) -> Callable[[IceEvent], Any]:
    """An ICE function that raises ``error``."""

    def ice(event: IceEvent) -> Any:
        raise error

    return ice


def set_valued(event: IceEvent) -> Svaml:
    """Return (or fail to build) SVAML holding a value JSON cannot carry: a set in an unknown field."""
    return Svaml.from_dict({"action": {"name": "hangup"}, "extra": {1, 2}})


class BrokenSvaml(Svaml):
    """A document whose writing fails with a non-svaml error (a user's subclass, a bug)."""

    def to_json(self, *args: Any, **kwargs: Any) -> str:
        """Fail as json.dumps does on a value it cannot write."""
        raise TypeError("Object of type Decimal is not JSON serializable")


FAULTS: dict[str, Callable[[IceEvent], Any]] = {
    "KeyError": raising(KeyError("callid")),
    "own exception": raising(Unwritable("bug")),
    "RecursionError": raising(RecursionError("maximum recursion depth exceeded")),
    "set value": set_valued,
    "to_json TypeError": lambda event: BrokenSvaml(**attrs.asdict(Svaml.ice().hangup(), recurse=False)),
    "int": lambda event: 42,
}


@pytest.mark.parametrize("answer", list(FAULTS.values()), ids=list(FAULTS))
def test_every_fault_of_the_function_is_a_500_saying_which(
    answer: Callable[[IceEvent], Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever the function raises or returns, handle answers 500 with a short text and logs an error."""
    with caplog.at_level(logging.ERROR, logger="svaml.callbacks"):
        response = answering(answer).handle("POST", PATH, signed(ICE), ICE)
    expected = (500, TEXT, True, True, 1)
    assert expected == (
        response.status,
        response.headers,
        response.body.startswith(b"the ice function "),
        b"Traceback" not in response.body,
        len(caplog.records),
    )


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        (("POST", PATH, {}, None), 400),  # unsigned app: an empty body is not an event
        (("POST", PATH, {}, ICE.decode()), 200),
        (("POST", PATH, {}, bytearray(ICE)), 200),
        (("POST", PATH, {}, memoryview(ICE)), 200),
        (("POST", PATH, {}, 12), 500),
        ((None, PATH, {}, ICE), 405),
        (("POST", None, {}, ICE), 200),
        (("POST", PATH, 5, ICE), 200),
    ],
)
def test_handle_takes_any_arguments_without_raising(arguments: tuple[Any, ...], status: int) -> None:
    """Odd arguments (None or text bodies, a None method) get a status, never an exception."""
    app = CallbackApp(verify=False)
    expected = status
    assert expected == app.handle(*arguments).status


def test_a_none_body_to_a_verifying_app_is_401() -> None:
    """``handle("POST", "/x", {}, None)`` on a verifying app is a 401, not a TypeError."""
    expected = CallbackResponse(401, (("WWW-Authenticate", "Application"),), b"")
    assert expected == CallbackApp(key=KEY, secret=SECRET).handle("POST", "/x", {}, None)


def test_a_signed_path_function_that_raises_is_a_500() -> None:
    """A ``signed_path`` function that raises gives 500, not an exception."""
    app = CallbackApp(key=KEY, secret=SECRET, signed_path=lambda path: path.split("/")[9])
    expected = (500, TEXT)
    assert expected == app.handle("POST", PATH, signed(ICE), ICE)[:2]


@pytest.mark.parametrize("max_body", [-1, "big", 1.5, True])
def test_a_bad_max_body_is_refused_at_construction(max_body: Any) -> None:
    """A max_body that is not a count of bytes is an error when the app is made, not at each request."""
    from svaml.errors import SvamlError

    with pytest.raises(SvamlError, match="max_body must be a number of bytes"):
        CallbackApp(key=KEY, secret=SECRET, max_body=max_body)


def test_many_bad_items_are_logged_as_a_summary(caplog: pytest.LogCaptureFixture) -> None:
    """A 240 KB signed body with 120,000 bad call headers logs one line of a few KB, and a 400 saying so."""
    body = json.dumps({"event": "ice", "callid": "c1", "callHeaders": [1] * 120_000}, separators=(",", ":"))
    data = body.encode()
    with caplog.at_level(logging.DEBUG, logger="svaml"):
        response = CallbackApp(key=KEY, secret=SECRET).handle("POST", PATH, signed(data), data)
    summary = "  … and 119,980 more (SV002: 119,980)"
    expected = (400, 1, True, True, True)
    assert expected == (
        response.status,
        len(caplog.records),
        len(caplog.text) < 8000,
        summary in caplog.records[0].getMessage(),
        response.body.decode().endswith(summary),
    )


# -- real servers ---------------------------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    """A wsgiref handler that does not log every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Drop the access log line."""


def serve_wsgi(app: CallbackApp) -> Iterator[tuple[str, int]]:
    """Serve ``app.wsgi`` with wsgiref on 127.0.0.1; yield (host, port)."""
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=QuietHandler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield ("127.0.0.1", server.server_port)
        server.shutdown()
        thread.join()


def serve_asgi(app: CallbackApp) -> Iterator[tuple[str, int]]:
    """Serve ``app.asgi`` with uvicorn on 127.0.0.1; yield (host, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app.asgi, log_level="critical", lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield ("127.0.0.1", sock.getsockname()[1])
    server.should_exit = True
    thread.join(10)


SERVERS = {"wsgiref": serve_wsgi, "uvicorn": serve_asgi}


@pytest.fixture(params=list(SERVERS))
def served(request: pytest.FixtureRequest) -> Iterator[Callable[[CallbackApp], tuple[str, int]]]:
    """Yield a function that serves an app on the parametrised real server and returns its address."""
    running: list[Iterator[tuple[str, int]]] = []

    def start(app: CallbackApp) -> tuple[str, int]:
        server = SERVERS[request.param](app)
        running.append(server)
        return next(server)

    yield start
    for server in running:
        next(server, None)


@pytest.mark.parametrize(
    "answer", [FAULTS["own exception"], FAULTS["to_json TypeError"]], ids=["raises", "unwritable"]
)
def test_a_real_server_answers_a_failing_function_with_the_apps_500(
    served: Callable[[CallbackApp], tuple[str, int]], answer: Callable[[IceEvent], Any]
) -> None:
    """Under wsgiref and uvicorn, a failing function gives the app's own 500 text, not the server's page."""
    host, port = served(answering(answer))
    response = requests.post(f"http://{host}:{port}{PATH}", data=ICE, headers=signed(ICE), timeout=5)
    expected = (500, "text/plain; charset=utf-8", True)
    assert expected == (
        response.status_code,
        response.headers["Content-Type"],
        response.text.startswith("the ice function "),
    )


def exchange(address: tuple[str, int], head: bytes, chunks: tuple[bytes, ...] = ()) -> bytes:
    """Send ``head`` then ``chunks`` on a raw socket; return the first bytes of the answer."""
    with socket.create_connection(address, timeout=3) as connection:
        connection.sendall(head)
        for chunk in chunks:
            try:
                connection.sendall(chunk)
            except OSError:
                break  # the server answered and closed: what a refusal looks like
        try:
            return connection.recv(4096)
        except TimeoutError:
            return b"(no answer in 3 s)"


def test_a_10_gb_content_length_is_refused_before_the_body(
    served: Callable[[CallbackApp], tuple[str, int]],
) -> None:
    """A request announcing 10 GB and sending none of it gets 413 at once from both servers."""
    address = served(answering(lambda event: Svaml.ice().hangup()))
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000000000\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = exchange(address, head)
    expected = (b" 413 ", True)
    assert expected == (answer[8:13], time.monotonic() - started < 2)


def test_a_chunked_body_is_refused_once_it_passes_max_body() -> None:
    """Under uvicorn, a chunked body growing past max_body gets 413 without waiting for its end."""
    app = answering(lambda event: Svaml.ice().hangup(), max_body=4096)
    server = serve_asgi(app)
    address = next(server)
    try:
        head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"
        answer = exchange(address, head, (chunk,) * 8)  # 8 KiB sent, and no last chunk ever
    finally:
        next(server, None)
    expected = b"HTTP/1.1 413 "
    assert expected == answer[:13]

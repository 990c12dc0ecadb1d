"""Serving an application for real on 127.0.0.1: wsgiref or uvicorn in a thread, for the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, make_server

import uvicorn


class QuietHandler(WSGIRequestHandler):
    """A wsgiref handler that does not log every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Drop the access log line."""


class Served(Protocol):
    """An application with a WSGI and an ASGI entry (``CallbackApp``, ``WebhookApp``)."""

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        """Answer one WSGI request."""

    @property
    def asgi(self) -> Callable[..., Any]:
        """The ASGI application."""


def serve_wsgi(app: Served) -> Iterator[str]:
    """Serve ``app.wsgi`` with wsgiref on 127.0.0.1 in a thread; yield its base URL."""
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=QuietHandler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join()


def serve_asgi(app: Served) -> Iterator[str]:
    """Serve ``app.asgi`` with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app.asgi, log_level="critical", lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)

"""The emulators' HTTP server: the standard library's threading server, moving bytes to an ``answer``.

Shared by the v1 emulator (:class:`svaml.emulator.Emulator`) and the v2 stand-in
(:class:`svaml.v2.emulator.Emulator2`): each gives its own ``answer`` function, and its own
``refuse`` for a request the server cannot read (a bad or too large ``Content-Length``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from svaml import _json
from svaml.emulator._rest import Answer, error_body

__all__ = ["HttpServer"]

_log = logging.getLogger("svaml.emulator")
_MAX_BODY = 1024 * 1024


class HttpServer(ThreadingHTTPServer):
    """A threading HTTP server: ``answer(method, target, headers, body)`` answers every request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        answer: Callable[[str, str, list[tuple[str, str]], bytes], Answer],
        refuse: Callable[[int, str], Answer] | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.answer = answer
        self.refuse = refuse or _refuse

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is not the emulator's failure; log it quietly.
        _log.debug("svaml emulator: a request from %s failed", client_address, exc_info=True)


def _refuse(status: int, message: str) -> Answer:
    """v1's refusal of a request the server cannot read: Sinch's error body, errorCode 40003."""
    return Answer(status, error_body(status, 40003, message))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body in two writes would meet delayed ACKs
    server: HttpServer
    server_version = "svaml-emulator"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        _log.debug("svaml emulator: " + format, *args)

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self.close_connection = True
            self._write(self.server.refuse(400 if length < 0 else 413, "bad or too large Content-Length"))
            return
        body = self.rfile.read(length) if length else b""
        self._write(self.server.answer(self.command, self.path, list(self.headers.items()), body))

    def _write(self, answer: Answer) -> None:
        if answer.drop:
            self.close_connection = True
            return
        data = b"" if answer.body is None else _json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        if data:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.status != 204:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and answer.status != 204:
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

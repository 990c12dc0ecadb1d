"""The emulators' HTTP server: the standard library's threading server, moving bytes to an ``answer``.

Shared by the v1 emulator (:class:`svaml.emulator.Emulator`) and the v2 stand-in
(:class:`svaml.v2.emulator.Emulator2`): each gives its own ``answer`` function, and its own
``refuse`` for a request the server cannot read (a bad or too large ``Content-Length``).
:class:`Served` is their one way of being served: started in a thread, stopped, or used in a
``with`` block.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from svaml import _json
from svaml.emulator._rest import Answer, error_body
from svaml.errors import SvamlError

__all__ = ["HttpServer", "Served"]

_log = logging.getLogger("svaml.emulator")
_MAX_BODY = 1024 * 1024
_S = TypeVar("_S", bound="Served")


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


class Served:
    """Served on ``_address`` in a background thread: :meth:`start`, :meth:`stop`, ``with``, :attr:`url`.

    A subclass calls ``_served_at(host, port)`` in its constructor, says its name in ``_NAME``
    and answers requests in :meth:`_answer` (and refuses unreadable ones in :meth:`_refuse`).
    """

    _NAME: ClassVar[str] = "emulator"
    _address: tuple[str, int]
    _server: HttpServer | None
    _thread: threading.Thread | None

    def _served_at(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._server = None
        self._thread = None

    def _answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        raise NotImplementedError

    def _refuse(self, status: int, message: str) -> Answer:
        return _refuse(status, message)

    def _stopping(self) -> None:
        """What to end before the server stops (nothing by default)."""

    @property
    def url(self) -> str:
        """The base URL to give the client as ``base_url``, e.g. ``http://127.0.0.1:8900``."""
        if self._server is None:
            raise SvamlError(f"the {self._NAME} is not started: call start() or use it in a with block")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self: _S) -> _S:
        """Start serving in a background thread; return the object itself."""
        if self._server is None:
            self._server = HttpServer(self._address, self._answer, self._refuse)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"svaml-{self._NAME.replace(' ', '-')}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._stopping()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the command line's loop)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


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

"""Where the simulated platform posts its events: an application in-process, or a URL over HTTP.

A :class:`Target` takes one signed :class:`Request` and gives the :class:`Reply`, or raises
:class:`TargetError` when no answer came (timeout, unreachable, the application raised). Four
come with svaml: :class:`AppTarget` (a :class:`~svaml.callbacks.CallbackApp`, v2's
``WebhookApp``, or anything else with the same ``handle``), :class:`WsgiTarget`,
:class:`AsgiTarget` (any framework, called in-process as its server would) and
:class:`UrlTarget` (a running server, over real HTTP). :func:`as_target` picks one for an object.
"""

from __future__ import annotations

import asyncio
import contextvars
import http.client
import inspect
import io
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol, runtime_checkable
from urllib.parse import urlsplit

from svaml.callbacks import CallbackApp
from svaml.diagnostic import Diagnostic
from svaml.errors import SvamlError
from svaml.simulator._transcript import FailureKind

__all__ = [
    "AppTarget",
    "AsgiTarget",
    "Handles",
    "Reply",
    "Request",
    "Target",
    "TargetError",
    "UrlTarget",
    "WsgiTarget",
    "as_target",
    "status_message",
]

#: The path Sinch posts to when none is given: the examples' callback path.
DEFAULT_PATH = "/sinch/callback"


class Request(NamedTuple):
    """One callback as Sinch sends it: method, path (what is signed), headers, raw body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Reply(NamedTuple):
    """The application's answer: status, headers, raw body.

    ``detail`` and ``diagnostics`` say why an in-process application answered an error (what it
    logged: the exception, or the rules' findings for the SVAML it returned); empty otherwise.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    detail: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()


def status_message(reply: Reply, signed: bool, hint: str) -> str:
    """Why a non-2xx answer failed the call, in one line: what the application logged, or its body.

    A 401 adds whether the requests were ``signed`` and the ``hint`` (which credentials to give).
    """
    if reply.status == 401:
        why = "they were signed with other credentials" if signed else "they were not signed"
        said = reply.detail or "the application refused the signature"
        return f"HTTP 401: {said} ({why}; {hint})"
    if reply.detail:
        return f"HTTP {reply.status}: {reply.detail}"
    text = reply.body.decode("utf-8", "replace").strip().split("\n", 1)[0][:200]
    return f"HTTP {reply.status}" + (f": {text}" if text else " with an empty body")


class TargetError(SvamlError):
    """No answer came: ``kind`` is ``timeout``, ``unreachable`` or ``app-error``."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@runtime_checkable
class Target(Protocol):
    """Anything the platform can post events to; ``path`` is the callback path Sinch signs."""

    path: str

    def send(self, request: Request, timeout: float) -> Reply:
        """Deliver ``request`` and return the reply; raise :class:`TargetError` when none comes."""
        ...


# -- in-process: CallbackApp, WebhookApp ---------------------------------------------------------


class _Response(Protocol):
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def body(self) -> bytes: ...


@runtime_checkable
class Handles(Protocol):
    """An application answering one request in-process: v1's ``CallbackApp``, v2's ``WebhookApp``."""

    def handle(
        self, method: str, path: str, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> _Response:
        """Answer one request: status, headers and body."""
        ...



# The loggers of svaml's applications: why one answered an error.
_LOGGERS = ("svaml.callbacks", "svaml.v2.webhooks")

# What ``svaml.callbacks`` logs while a simulated request is handled in-process. A context
# variable, not a thread-local: ``handle_async`` checks the request and runs plain functions in a
# worker thread (asyncio.to_thread carries the context there), and an ASGI app's task copies it.
_records: contextvars.ContextVar[list[logging.LogRecord] | None] = contextvars.ContextVar(
    "svaml_simulator_records", default=None
)


class _Capture(logging.Handler):
    """Keeps what ``svaml.callbacks`` logs for the simulated request being handled in this context."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        found = _records.get()
        if found is not None:
            found.append(record)


_capture: _Capture | None = None
_capture_lock = threading.Lock()


def _install() -> None:
    global _capture
    if _capture is not None:
        return
    with _capture_lock:
        if _capture is None:
            _capture = _Capture()
            for name in _LOGGERS:
                logging.getLogger(name).addHandler(_capture)


def _captured(send: Callable[[], Reply]) -> Reply:
    """Call ``send``; a 4xx or 5xx reply carries the reason a CallbackApp inside logged, if one did."""
    _install()
    records: list[logging.LogRecord] = []
    token = _records.set(records)
    try:
        reply = send()
    finally:
        _records.reset(token)
    if reply.status < 400 or not records:
        return reply
    detail, found = _explain(records)
    return reply._replace(detail=detail, diagnostics=found)


def _explain(records: list[logging.LogRecord]) -> tuple[str, tuple[Diagnostic, ...]]:
    lines: list[str] = []
    found: list[Diagnostic] = []
    for record in records:
        # Say what the application did, not the handler's whole message, which repeats the problems.
        errors = [
            a for a in (record.args if isinstance(record.args, tuple) else ()) if isinstance(a, SvamlError)
        ]
        if errors:
            found.extend(errors[0].problems)
            lines.append(record.getMessage().split("\n", 1)[0])
        else:
            lines.append(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            where = traceback.extract_tb(exc.__traceback__)[-1:]
            place = f" at {where[0].filename}:{where[0].lineno}" if where else ""
            lines.append(f"{type(exc).__name__}: {exc}{place}")
    return "\n".join(lines), tuple(found)


class AppTarget:
    """An application called in-process through ``handle``, as a server would.

    A :class:`~svaml.callbacks.CallbackApp`, v2's ``WebhookApp``, or anything :class:`Handles`.
    When it answers an error, the reply's ``detail`` and ``diagnostics`` carry what it logged.
    """

    def __init__(self, app: Handles, path: str = DEFAULT_PATH) -> None:
        self.app = app
        self.path = path

    def __repr__(self) -> str:
        return f"AppTarget({self.app!r}, path={self.path!r})"

    def send(self, request: Request, timeout: float) -> Reply:
        """Call ``handle``; a 4xx or 5xx reply carries the reason the application logged."""
        def send() -> Reply:
            response = self.app.handle(request.method, request.path, request.headers, request.body)
            return Reply(response.status, response.headers, response.body)

        return _captured(send)


# -- in-process: WSGI and ASGI ------------------------------------------------------------------


def _app_error(exc: BaseException) -> TargetError:
    where = traceback.extract_tb(exc.__traceback__)[-1:]
    place = f" at {where[0].filename}:{where[0].lineno}" if where else ""
    return TargetError(FailureKind.APP_ERROR, f"the application raised {type(exc).__name__}: {exc}{place}")


class WsgiTarget:
    """Any WSGI application (PEP 3333: Flask, Django, ``CallbackApp.wsgi``…) called in-process."""

    def __init__(self, app: Callable[..., Iterable[bytes]], path: str = DEFAULT_PATH) -> None:
        self.app = app
        self.path = path

    def __repr__(self) -> str:
        return f"WsgiTarget({self.app!r}, path={self.path!r})"

    def send(self, request: Request, timeout: float) -> Reply:
        """Call the application with a WSGI environ for ``request``; its exceptions become app errors.

        A 4xx or 5xx reply carries the reason a :class:`~svaml.callbacks.CallbackApp` inside it logged.
        """
        return _captured(lambda: self._send(request))

    def _send(self, request: Request) -> Reply:
        path, _, query = request.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            else:
                environ[f"HTTP_{key}"] = value
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        try:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as exc:
            raise _app_error(exc) from None
        if not started:
            raise TargetError(FailureKind.APP_ERROR, "the WSGI application never called start_response")
        status = int(str(started[0]).split(" ", 1)[0])
        return Reply(status, tuple(started[1]), body)


_Asgi = Callable[[dict[str, Any], Any, Any], Any]


class AsgiTarget:
    """Any ASGI 3 application (FastAPI, Starlette, ``CallbackApp.asgi``…) called in-process.

    Each request runs on the target's own event loop, as one HTTP request of a server.
    """

    def __init__(self, app: _Asgi, path: str = DEFAULT_PATH) -> None:
        self.app = app
        self.path = path
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"AsgiTarget({self.app!r}, path={self.path!r})"

    def close(self) -> None:
        """Close the event loop the requests ran on."""
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    def send(self, request: Request, timeout: float) -> Reply:
        """Run one HTTP request through the application; past ``timeout`` seconds, a timeout.

        A 4xx or 5xx reply carries the reason a :class:`~svaml.callbacks.CallbackApp` inside it logged.
        """
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        loop, answer = self._loop, asyncio.wait_for(self._request(request), timeout)
        try:
            return _captured(lambda: loop.run_until_complete(answer))
        except asyncio.TimeoutError:
            raise TargetError(FailureKind.TIMEOUT, f"no answer within {timeout:g} s") from None
        except TargetError:
            raise
        except Exception as exc:
            raise _app_error(exc) from None

    async def _request(self, request: Request) -> Reply:
        path, _, query = request.path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 80),
        }
        sent = False
        status: list[int] = []
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await asyncio.sleep(3600)  # never disconnects while the application works
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
                headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", ())
                )
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await self.app(scope, receive, send)
        if not status:
            raise TargetError(FailureKind.APP_ERROR, "the ASGI application sent no response")
        return Reply(status[0], tuple(headers), b"".join(chunks))


# -- over HTTP ------------------------------------------------------------------------------------


class UrlTarget:
    """A running server reached over real HTTP (``http://`` or ``https://``), at the URL's path.

    The path Sinch signs is the URL's path with its query string. One connection is kept open
    and reopened when the server closes it.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SvamlError(f"the callback URL {url!r:.80} is not an http:// or https:// URL with a host")
        self.url = url
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._connection: http.client.HTTPConnection | None = None

    def __repr__(self) -> str:
        return f"UrlTarget({self.url!r})"

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        if self._connection is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = cls(self._host, self._port, timeout=timeout)
        self._connection.timeout = timeout
        return self._connection

    def send(self, request: Request, timeout: float) -> Reply:
        """POST over HTTP; a timeout or a refused connection raises :class:`TargetError`."""
        for attempt in (1, 2):
            connection = self._connect(timeout)
            started = time.monotonic()
            try:
                connection.request(
                    request.method, request.path, body=request.body, headers=dict(request.headers)
                )
                response = connection.getresponse()
                body = response.read()
            except TimeoutError:
                self.close()
                raise TargetError(
                    FailureKind.TIMEOUT, f"no answer from {self.url} within {timeout:g} s"
                ) from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A kept-alive connection the server closed: try once on a new one.
                self.close()
                if attempt == 2 or time.monotonic() - started > timeout:
                    raise TargetError(
                        FailureKind.UNREACHABLE, f"{self.url}: {exc or type(exc).__name__}"
                    ) from None
                continue
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise TargetError(FailureKind.UNREACHABLE, f"cannot reach {self.url}: {exc}") from None
            if response.will_close:
                self.close()
            return Reply(response.status, tuple(response.getheaders()), body)
        raise AssertionError("unreachable")  # pragma: no cover


_OWN = (AppTarget, WsgiTarget, AsgiTarget, UrlTarget)


def as_target(obj: object, path: str = DEFAULT_PATH) -> Target:
    """Return the target for ``obj``: a Target as it is, an app with ``handle``, a URL, an ASGI or WSGI app.

    An object with a ``handle`` method (a CallbackApp, a WebhookApp) is called through it. An
    object whose ``__call__`` is a coroutine function is taken for ASGI, any other callable for WSGI.
    ``path`` is the callback path for in-process applications (a URL brings its own).
    """
    if isinstance(obj, CallbackApp):
        return AppTarget(obj, path)
    if isinstance(obj, str):
        return UrlTarget(obj)
    if isinstance(obj, _OWN):
        return obj
    if callable(getattr(obj, "handle", None)) and not callable(getattr(obj, "send", None)):
        return AppTarget(obj, path)  # type: ignore[arg-type]
    if isinstance(obj, Target):  # after the others: the protocol's check is the slow one
        return obj
    if inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(type(obj).__call__):
        return AsgiTarget(obj, path)  # type: ignore[arg-type]
    if callable(obj):
        return WsgiTarget(obj, path)
    raise SvamlError(
        f"cannot simulate calls against {type(obj).__name__}: give a CallbackApp or WebhookApp, a WSGI"
        " or ASGI application, a callback URL, or a Target"
    )

"""What a callback application (v1) and a webhook application (v2) share: one way to take a request.

:class:`Serving` is the base of :class:`svaml.callbacks.CallbackApp` and
:class:`svaml.v2.webhooks.WebhookApp`: its constructor checks the settings both take, and it holds
the request handling both follow — the method, the body limit, the signature and the replay store,
reading the event, calling the function (plain, or ``async def`` on a loop), the structured logs —
and the WSGI and ASGI adapters. A subclass says how to verify (:meth:`Serving._verify`), how to
read an event (:meth:`Serving._parse`), what an event is called in the logs and what to answer
(:meth:`Serving.respond`).
"""

from __future__ import annotations

import asyncio
import http
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, MutableMapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar
from urllib.parse import quote

from svaml.errors import EventError, ReplayError, ReplayStoreError, SignatureError, SvamlError
from svaml.replay import MemoryReplayStore, ReplayStore
from svaml.rules import read_selectors
from svaml.signing import Keyring, _window_seconds

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["CallbackResponse", "Serving"]


class CallbackResponse(NamedTuple):
    """What ``handle`` answers (``CallbackApp``, ``WebhookApp``): a status, headers and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


JSON = (("Content-Type", "application/json"),)
TEXT = (("Content-Type", "text/plain; charset=utf-8"),)
NOT_ALLOWED = CallbackResponse(405, (("Allow", "POST"),), b"")
# A 400 or 500 body says why in a line or a few; never a traceback, never the event's data.
_MAX_REASON = 4096

_E = TypeVar("_E")
_F = TypeVar("_F", bound=Callable[..., Any])
_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class DefaultStore:
    """Marks the default of ``replay=``: a :class:`MemoryReplayStore` of the application's own."""

    def __repr__(self) -> str:
        return "<a MemoryReplayStore of the application's own>"


IN_PROCESS = DefaultStore()


class Loop:
    """One event loop in a daemon thread, started on first use, where ``handle()`` runs coroutines.

    ``handle()`` (under WSGI, or from a framework's plain view) runs ``async def`` functions
    there. Every coroutine of the application runs on this one loop, for the application's life, so
    what they keep between calls (a client session, a pool) stays on the loop that made it.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: object) -> Loop:
        return Loop()  # a copy of the application starts its own loop when it needs one

    def run(self, awaitable: Awaitable[Any]) -> Any:
        loop = self._loop
        if loop is None:
            with self._lock:
                loop = self._loop
                if loop is None:
                    loop = asyncio.new_event_loop()
                    threading.Thread(target=loop.run_forever, name="svaml-callbacks", daemon=True).start()
                    self._loop = loop
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), loop).result()


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class Answered(NamedTuple):
    """An event answered in the worker thread (a plain function), with its response."""

    event: Any
    response: CallbackResponse


class Serving(Generic[_E]):
    """The request handling of a Sinch callback or webhook application; see the module's docstring.

    ``_E`` is the application's event type. A subclass sets ``_log`` (its logger) and ``_what``
    ("callback", "webhook"), and implements :meth:`_verify`, :meth:`_parse`, :meth:`_name`,
    :meth:`_call_id`, :meth:`_function`, :meth:`respond` and :meth:`_answer`.
    """

    _log: ClassVar[logging.Logger]
    _what: ClassVar[str]

    def __init__(
        self,
        *,
        keyring: Keyring | None,
        verify: bool,
        max_age: float | timedelta | None,
        max_body: int,
        replay: ReplayStore | DefaultStore | None,
        ignore: Iterable[str],
        signed_path: str | Callable[[str], str] | None,
        credentials: str,
    ) -> None:
        """Check and keep the settings; ``credentials`` names what to give when ``verify`` lacks them."""
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise SvamlError(f"max_body must be a number of bytes, an int of 0 or more, not {max_body!r:.40}")
        if verify and keyring is None:
            raise SvamlError(
                f"{type(self).__name__} needs {credentials} to verify Sinch's signatures;"
                f" pass verify=False to accept unsigned {self._what}s (local development only)"
            )
        window = _window_seconds(max_age)
        if isinstance(replay, DefaultStore):
            store: ReplayStore | None = MemoryReplayStore() if verify and window is not None else None
        elif replay is not None and not isinstance(replay, ReplayStore):
            kind = type(replay).__name__
            raise SvamlError(f"replay must be a replay store (svaml.replay) or None, not {kind}")
        elif replay is not None and window is None:
            raise SvamlError("replay protection needs the replay window: give max_age, or replay=None")
        else:
            store = replay
        if not verify:
            self._log.warning(
                "svaml: %s signatures are NOT verified; anyone can steer these calls", self._what
            )
        self._keyring = keyring if verify else None
        self._max_age = max_age
        self._window = window
        self._max_body = max_body
        self._signed_path = signed_path
        self._replay = store
        self._ignore = read_selectors(
            ignore.split(",") if isinstance(ignore, str) else ignore, "ignore", allow_all=False
        )
        self._loop = Loop()
        self._functions: dict[str, Callable[[Any], Any]] = {}
        self._coroutines: set[str] = set()

    @property
    def replay(self) -> ReplayStore | None:
        """Where accepted requests are remembered (None: the replay check is off)."""
        return self._replay

    def _register(self, name: str, function: _F | None) -> _F | Callable[[_F], _F]:
        """Register ``function`` for the event ``name`` (checked by the caller); without it, a decorator."""

        def register(fn: _F) -> _F:
            if not callable(fn):
                raise SvamlError(f"expected a function for {name}, got {type(fn).__name__}")
            if name in self._functions:
                raise SvamlError(f"a function is already registered for {name}")
            self._functions[name] = fn
            if inspect.iscoroutinefunction(fn):  # else an awaitable it returns is still awaited
                self._coroutines.add(name)
            return fn

        return register if function is None else register(function)

    # -- what a subclass says -----------------------------------------------------------------

    def _verify(self, keyring: Keyring, method: str, path: str, headers: Any, body: bytes) -> str | None:
        """Check the signature (and the replay store); return who signed, or raise as :mod:`svaml.signing`."""
        raise NotImplementedError

    def _replayed(self, path: str, headers: Any, body: bytes, error: ReplayError) -> CallbackResponse:
        """The answer to a request the replay store has seen: a 401 (v2 may answer a redelivery again)."""
        self._refused(path, 401, str(error), replayed=True)
        return self._unauthorized

    _unauthorized: ClassVar[CallbackResponse]

    def _parse(self, body: bytes, headers: Any, signer: str | None) -> _E:
        """Read the event of a request ``signer`` signed (None: unverified); raise ``EventError``.

        A ``SignatureError`` here (an event that is not the signer's) is a 401 too.
        """
        raise NotImplementedError

    def _name(self, event: _E) -> str:
        """The event's name, as logs give it."""
        raise NotImplementedError

    def _call_id(self, event: _E) -> str | None:
        """The event's call, as logs give it."""
        raise NotImplementedError

    def _function(self, event: _E) -> tuple[Callable[[Any], Any] | None, bool]:
        """The function registered for ``event`` (None: none), and whether it is ``async def``."""
        raise NotImplementedError

    def respond(self, event: _E) -> CallbackResponse:
        """Call the function registered for ``event`` and turn its result into the response."""
        raise NotImplementedError

    def _answer(self, event: _E, answer: object) -> CallbackResponse:
        """Check a function's result for its event and write it."""
        raise NotImplementedError

    # -- handling -----------------------------------------------------------------------------

    def _call(self, event: _E, function: Callable[[Any], Any]) -> CallbackResponse:
        """Call a function (an awaitable result runs on the application's loop); never raises."""
        try:
            answer = function(event)
            if inspect.isawaitable(answer):
                answer = self._loop.run(answer)
        except Exception:
            return self._raised(event)
        return self._answer(event, answer)

    async def _call_async(self, event: _E, function: Callable[[Any], Any]) -> CallbackResponse:
        """Call a function, awaiting it on the running loop; never raises."""
        try:
            answer = function(event)
            if inspect.isawaitable(answer):
                answer = await answer
        except Exception:
            return self._raised(event)
        return self._answer(event, answer)

    async def _respond_async(self, event: _E) -> CallbackResponse:
        """:meth:`respond` for an ``async def`` function, awaited on the running loop."""
        function, _ = self._function(event)
        assert function is not None  # only coroutine functions come here
        return await self._call_async(event, function)

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one request: verify, read, call the function, check and write its SVAML. Never raises."""
        started = time.perf_counter()
        try:
            found = self._receive(method, path, headers, body, inline=True)
            if isinstance(found, CallbackResponse):
                return found
            if isinstance(found, Answered):
                event, response = found.event, found.response
            else:
                event, response = found, self.respond(found)
        except Exception:  # the promise: a framework gets a response, never a traceback page
            self._log.exception("svaml: answering a %s to %s failed", self._what, shown(path))
            return self._failed(f"svaml could not answer this {self._what}; the server's log says why")
        self._answered(event, response, started)
        return response

    async def handle_async(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one request in an async framework; see :meth:`handle`. Never raises."""
        started = time.perf_counter()
        try:
            found = await asyncio.to_thread(self._receive, method, path, headers, body, inline=False)
            if isinstance(found, CallbackResponse):
                return found
            if isinstance(found, Answered):
                event, response = found.event, found.response
            else:
                event, response = found, await self._respond_async(found)
        except Exception:
            self._log.exception("svaml: answering a %s to %s failed", self._what, shown(path))
            return self._failed(f"svaml could not answer this {self._what}; the server's log says why")
        self._answered(event, response, started)
        return response

    def _receive(
        self,
        method: object,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: object,
        *,
        inline: bool,
    ) -> CallbackResponse | _E | Answered:
        """Check and read a request; a refusal is the response, else the event.

        With ``inline=False`` (from the event loop, in a worker thread) a plain function is
        called here too, in the same thread: the event comes back answered.
        """
        if not isinstance(method, str) or method.upper() != "POST":
            return NOT_ALLOWED
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        elif isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        elif not isinstance(body, bytes):
            self._log.error("svaml: handle() got a body of type %s, not bytes", type(body).__name__)
            return self._failed(f"the {self._what} body reached svaml as {type(body).__name__}, not bytes")
        if len(body) > self._max_body:
            self._refused(path, 413, f"a body of {len(body)} bytes")
            return self._too_large()
        signer = None
        if self._keyring is not None:
            try:
                signer = self._verify(self._keyring, method, self._signed(path), headers, body)
            except ReplayError as exc:
                return self._replayed(path, headers, body, exc)
            except SignatureError as exc:
                self._refused(path, 401, str(exc))
                return self._unauthorized
            except ReplayStoreError:  # Redis down: refuse what cannot be checked
                self._log.exception(
                    "svaml: the replay store failed; answered 503 to a %s to %s",
                    self._what,
                    shown(path),
                    extra={"status": 503},
                )
                return CallbackResponse(
                    503,
                    TEXT,
                    f"svaml could not check this {self._what} against the replay store;"
                    " the server's log says why".encode(),
                )
        try:
            event = self._parse(body, headers, signer)
        except EventError as exc:
            self._refused(path, 400, str(exc))
            return CallbackResponse(400, TEXT, reason(str(exc)))
        except SignatureError as exc:
            self._refused(path, 401, str(exc))
            return self._unauthorized
        if inline or self._function(event)[1]:
            return event
        return Answered(event, self.respond(event))

    def _signed(self, path: str) -> str:
        """The path Sinch signed: the received one, or what ``signed_path`` makes of it."""
        signed = self._signed_path
        if signed is None:
            return path
        return signed if isinstance(signed, str) else signed(path)

    def _raised(self, event: _E) -> CallbackResponse:
        name, call_id = self._name(event), self._call_id(event)
        self._log.exception(
            "svaml: the %s function raised (call %s)",
            name,
            call_id,
            extra={"call_id": call_id, "sinch_event": name, "status": 500},
        )
        return self._failed(f"the {name} function raised an exception; the server's log says which")

    # -- logging ------------------------------------------------------------------------------

    def _answered(self, event: _E, response: CallbackResponse, started: float, **fields: object) -> None:
        """Log an answered request with its structured fields (INFO; a 500 was logged as an error)."""
        if self._log.isEnabledFor(logging.INFO):
            milliseconds = (time.perf_counter() - started) * 1000
            name, call_id = self._name(event), self._call_id(event)
            self._log.info(
                "svaml: answered %s with %d in %.1f ms (call %s)",
                name,
                response.status,
                milliseconds,
                call_id,
                extra={
                    "call_id": call_id,
                    "sinch_event": name,
                    "status": response.status,
                    "duration_ms": round(milliseconds, 3),
                    **fields,
                },
            )

    def _refused(self, path: object, status: int, why: str, *, replayed: bool = False) -> None:
        """Log a refused request (a warning) with its structured fields; never a secret nor a signature."""
        self._log.warning(
            "svaml: refused a %s to %s with %d: %s",
            self._what,
            shown(path) or "?",
            status,
            why,
            extra={"status": status, "reason": why, "replayed": replayed},
        )

    def _failed(self, why: str) -> CallbackResponse:
        """A 500 whose text says why, in Sinch's eyes and the developer's, without internals."""
        return CallbackResponse(500, TEXT, reason(why))

    def _too_large(self) -> CallbackResponse:
        return CallbackResponse(
            413, TEXT, f"the body is larger than this {self._what} application accepts".encode()
        )

    # -- adapters -----------------------------------------------------------------------------

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the application as a WSGI application (PEP 3333); refuses a body over ``max_body`` unread."""
        try:
            response = self._wsgi(environ)
        except Exception:  # a broken environ or input stream: a 500, not the server's traceback page
            self._log.exception("svaml: answering a %s failed", self._what)
            response = self._failed(f"svaml could not answer this {self._what}; the server's log says why")
        start_response(
            status_line(response.status),
            [*response.headers, ("Content-Length", str(len(response.body)))],
        )
        return [response.body]

    def _wsgi(self, environ: WSGIEnvironment) -> CallbackResponse:
        length = content_length(environ.get("CONTENT_LENGTH"))
        if length is None:
            return CallbackResponse(400, TEXT, b"bad Content-Length")
        if length > self._max_body:
            self._refused("", 413, f"a Content-Length of {length} bytes")
            return self._too_large()
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [
            (name[5:].replace("_", "-").lower(), value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        ]
        if "CONTENT_TYPE" in environ:
            headers.append(("content-type", environ["CONTENT_TYPE"]))
        return self.handle(environ["REQUEST_METHOD"], wsgi_path(environ), headers, body)

    @property
    def asgi(self) -> Callable[[_Scope, _Receive, _Send], Coroutine[Any, Any, None]]:
        """The application as an ASGI 3 application (HTTP and lifespan).

        A plain coroutine function, so servers such as uvicorn recognise it as ASGI 3. A
        ``Content-Length`` over ``max_body`` gets a 413 before any of the body is read, and a
        body without one is refused as soon as it grows past ``max_body``. ``async def``
        functions are awaited on the server's loop (see :meth:`handle_async`).
        """
        serve = self._serve_asgi

        async def application(scope: _Scope, receive: _Receive, send: _Send) -> None:
            await serve(scope, receive, send)

        return application

    async def _serve_asgi(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            raise SvamlError(f"the {self._what} application serves HTTP only, not {scope['type']}")
        try:
            response = await self._asgi_response(scope, receive)
        except Exception:  # a broken scope or receive: a 500, not the server's own
            self._log.exception("svaml: answering a %s failed", self._what)
            response = self._failed(f"svaml could not answer this {self._what}; the server's log says why")
        if response is None:
            return  # the client went away
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [
                    *((k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers),
                    (b"content-length", str(len(response.body)).encode("ascii")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _asgi_response(self, scope: _Scope, receive: _Receive) -> CallbackResponse | None:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        declared = [value for name, value in headers if name.lower() == "content-length"]
        if declared:
            length = content_length(declared[0]) if len(declared) == 1 else None
            if length is None:
                return CallbackResponse(400, TEXT, b"bad Content-Length")
            if length > self._max_body:
                self._refused("", 413, f"a Content-Length of {length} bytes")
                return self._too_large()  # before reading: a 10 GB body is not waited for
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:  # a chunked body: stop as soon as it is too large
                self._refused("", 413, f"a body over {self._max_body} bytes")
                return self._too_large()
            chunks.append(chunk)
            more = message.get("more_body", False)
        return await self.handle_async(scope["method"], asgi_path(scope), headers, b"".join(chunks))


def reason(text: str) -> bytes:
    """The body of a 400 or 500: the (summarised) reason, bounded."""
    data = text.encode("utf-8", "replace")
    return data if len(data) <= _MAX_REASON else data[: _MAX_REASON - 3] + "…".encode()


def shown(path: object) -> str:
    """A request path as logged: bounded, and printable whatever was received."""
    return repr(path)[1:-1][:200] if isinstance(path, str) else f"<{type(path).__name__}>"


def content_length(value: object) -> int | None:
    """Read a Content-Length (0 when absent); None when it is not a count of bytes."""
    if value is None or value == "":
        return 0
    if not isinstance(value, str) or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value.strip()) if len(value.strip()) < 30 else 10**30


_PATH_SAFE = "/!$&'()*+,;=:@~"


def status_line(status: int) -> str:
    """The WSGI status line of a status code."""
    return f"{status} {http.HTTPStatus(status).phrase}"


def wsgi_path(environ: WSGIEnvironment) -> str:
    """The path Sinch signed: the raw request target when the server gives it, else rebuilt."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return raw
    # PEP 3333 strings carry the URL-decoded bytes as latin-1; encode them back.
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    query = environ.get("QUERY_STRING", "")
    return quote(path, safe=_PATH_SAFE) + (f"?{query}" if query else "")


def asgi_path(scope: _Scope) -> str:
    """The path Sinch signed: ``raw_path`` when the server gives it, else rebuilt."""
    raw = scope.get("raw_path")
    if raw:
        path: str = raw.decode("latin-1").split("?", 1)[0]
    else:
        root, path = scope.get("root_path", ""), scope["path"]
        # Servers differ on whether ``path`` already starts with ``root_path``.
        path = quote((path if path.startswith(root) else root + path).encode("utf-8"), safe=_PATH_SAFE)
    query = scope.get("query_string", b"").decode("latin-1")
    return path + (f"?{query}" if query else "")

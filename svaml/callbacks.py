"""Callback events in, SVAML out: read events, verify and read in one call, and serve an application.

:func:`parse_event` reads a callback body into its event class; :func:`construct_event` checks
Sinch's signature first and reads second. :class:`CallbackApp` is a whole callback application:
register one function per event, then serve it from any framework through :meth:`CallbackApp.handle`
(method, path, headers, body → status, headers, body), or as a WSGI or ASGI application.

Signature checks use the path the request arrived at. Behind a proxy that rewrites paths, give the
path Sinch signs (the path of the callback URL configured at Sinch) as ``signed_path``;
``X-Forwarded-*`` headers are never trusted, since anyone can send them.
"""

from __future__ import annotations

import asyncio
import http
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, MutableMapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload
from urllib.parse import quote

import attrs

from svaml import _json, codec
from svaml.diagnostic import Severity
from svaml.document import Svaml
from svaml.errors import EventError, ReplayError, ReplayStoreError, SignatureError, SvamlError
from svaml.model.events import (
    EVENT_CLASSES,
    AceEvent,
    DiceEvent,
    Event,
    IceEvent,
    NotifyEvent,
    PieEvent,
)
from svaml.model.permissions import Callback
from svaml.replay import MemoryReplayStore, ReplayStore
from svaml.rules import Limits, read_selectors, validate
from svaml.rules._validate import read_json
from svaml.signing import _DEFAULT_MAX_AGE, Credentials, Keyring, Secret, _window_seconds
from svaml.signing import verify as verify_signature

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from svaml.typed import AceSvaml, IceSvaml, PieSvaml

__all__ = ["CallbackApp", "CallbackResponse", "construct_event", "parse_event"]

_log = logging.getLogger("svaml.callbacks")

_EVENT_NAMES = ", ".join(EVENT_CLASSES)


# -- reading --------------------------------------------------------------------------------------


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any], *, max_bytes: int | None = _json.MAX_BYTES
) -> Event:
    """Read a callback body (raw bytes, text or decoded JSON) into its event class.

    Returns an :class:`~svaml.model.events.IceEvent`, ``AceEvent``, ``DiceEvent``, ``PieEvent`` or
    ``NotifyEvent``. Raises :class:`~svaml.errors.EventError` when the body breaks the JSON policy
    (:mod:`svaml._json`: not UTF-8 JSON, ``NaN``, a repeated key…), is not an object, has no or
    an unknown ``event``, or has a field of the wrong type (its ``problems`` say where). A body of
    more than ``max_bytes`` bytes (10 MiB by default; None for no limit) is refused unread, and a
    mapping holding a value JSON cannot carry (a set, NaN, a too long integer…) is refused (SV001).
    This does not check the signature: see :func:`construct_event`.
    """
    # Raw bytes first: what every request brings, tested before the slower Mapping ABC.
    if isinstance(body, (bytes, str, bytearray, memoryview)):
        data: Any = read_json(body, "the callback body", EventError, max_bytes)
        decoded = True
    elif isinstance(body, Mapping):
        data, decoded = body, False  # held to the JSON policy by the reader
    else:
        raise EventError(f"expected the callback body as bytes, str or a mapping, got {type(body).__name__}")
    if not (data.__class__ is dict or isinstance(data, Mapping)):
        raise EventError(f"the callback body is not a JSON object but {_json.typename(data)}")
    name = data.get("event")
    if name is None:
        raise EventError("the callback body has no 'event' field: not a Sinch Voice event")
    cls = EVENT_CLASSES.get(name.casefold()) if isinstance(name, str) else None
    if cls is None:
        raise EventError(f"unknown event {_json.brief(name, 60)}; expected one of {_EVENT_NAMES}")
    try:
        return codec.structure(data, cls, decoded=decoded)
    except SvamlError as exc:
        raise EventError(f"cannot read the {cls.EVENT} event:", exc.problems) from None


def construct_event(
    body: bytes | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    method: str = "POST",
    path: str,
    key: str,
    secret: str | Secret,
    max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
    allow_basic: bool = False,
    now: datetime | None = None,
    replay: ReplayStore | None = None,
) -> Event:
    """Verify a callback's signature, then read its body; return the event.

    ``body`` is the raw body exactly as received, ``headers`` the request's headers (any case),
    ``path`` the path Sinch signed: the path of your callback URL (with the query string, if any,
    as received; behind a proxy that rewrites paths, the public one). ``max_age`` is the replay
    window in seconds around the ``x-timestamp`` header (None turns it off, for replaying recorded
    traffic). With a ``replay`` store (:mod:`svaml.replay`) a request is accepted once within
    the window (:class:`~svaml.errors.ReplayError` the second time). Raises
    :class:`~svaml.errors.SignatureError` (nothing is read from an unverified body) or
    :class:`~svaml.errors.EventError`.
    """
    held = secret if isinstance(secret, Secret) else Secret(secret)
    del secret  # only the Secret, whose repr hides it, stays in this frame's locals
    verify_signature(
        method=method,
        path=path,
        headers=headers,
        body=body,
        key=key,
        secret=held,
        max_age=max_age,
        allow_basic=allow_basic,
        now=now,
        replay=replay,
    )
    return parse_event(body)


# -- the application ------------------------------------------------------------------------------


class CallbackResponse(NamedTuple):
    """What :meth:`CallbackApp.handle` answers: a status, headers and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


_JSON = (("Content-Type", "application/json"),)
_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)
# DiCE and Notify: a JSON object with nothing in it. A bare empty 200 makes Sinch log "Error
# processing callback response" for DiCE (docs/callbacks.md, "What DiCE and Notify get").
_ACKNOWLEDGED = CallbackResponse(200, _JSON, b"{}")
_UNAUTHORIZED = CallbackResponse(401, (("WWW-Authenticate", "Application"),), b"")
_NOT_ALLOWED = CallbackResponse(405, (("Allow", "POST"),), b"")
_TOO_LARGE = CallbackResponse(413, _TEXT, b"the body is larger than this callback application accepts")
_UNAVAILABLE = CallbackResponse(
    503, _TEXT, b"svaml could not check this callback against the replay store; the server's log says why"
)
# A 400 or 500 body says why in a line or a few; never a traceback, never the event's data.
_MAX_REASON = 4096

# With no function registered: refuse an incoming call; let an answered call or a menu go on.
_DEFAULTS: Mapping[Callback, object] = {
    Callback.ICE: Svaml.ice().hangup(),
    Callback.ACE: Svaml.ace().continue_(),
    Callback.PIE: Svaml.pie().continue_(),
}

# Each registration decorator takes a plain function or an ``async def`` one, and returns it as given.
_Ice = TypeVar("_Ice", bound=Callable[[IceEvent], "IceSvaml | Awaitable[IceSvaml]"])
_Ace = TypeVar("_Ace", bound=Callable[[AceEvent], "AceSvaml | Awaitable[AceSvaml]"])
_Pie = TypeVar("_Pie", bound=Callable[[PieEvent], "PieSvaml | Awaitable[PieSvaml]"])
_Dice = TypeVar("_Dice", bound=Callable[[DiceEvent], object])
_Notify = TypeVar("_Notify", bound=Callable[[NotifyEvent], object])
_F = TypeVar("_F", bound=Callable[..., Any])

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class _DefaultStore:
    """Marks the default of ``replay=``: a :class:`MemoryReplayStore` of the application's own."""

    def __repr__(self) -> str:
        return "<a MemoryReplayStore of the application's own>"


_IN_PROCESS = _DefaultStore()


class _Loop:
    """One event loop in a daemon thread, started on first use, where ``handle()`` runs coroutines.

    :meth:`CallbackApp.handle` (under WSGI, or from a framework's plain view) runs ``async def``
    functions there. Every coroutine of the application runs on this one loop, for the application's life, so
    what they keep between calls (a client session, a pool) stays on the loop that made it.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: object) -> _Loop:
        return _Loop()  # a copy of the application starts its own loop when it needs one

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


class CallbackApp:
    """A Sinch Voice callback application: one function per event, served from any framework.

    Register functions with the decorators :meth:`ice`, :meth:`ace`, :meth:`pie`, :meth:`dice`
    and :meth:`notify` (or :meth:`on`), plain or ``async def``. ICE, ACE and PIE functions return
    a :class:`Svaml`; DiCE and Notify functions return nothing, and Sinch gets ``{}``. Serve the
    application with :meth:`handle` (or :meth:`handle_async` in an async framework) from a
    framework's view, or mount :meth:`wsgi` or :meth:`asgi`.

    Every request must carry Sinch's signature for ``key`` and ``secret`` — or, for several
    applications or a secret being rotated, for one of the ``keys`` (a mapping of key to secret,
    or a :class:`~svaml.signing.Keyring`) — with an ``x-timestamp`` within ``max_age`` seconds of
    now. Without credentials the constructor raises unless ``verify=False`` says on purpose that
    unsigned callbacks are fine (local development). ``signed_path`` is the path Sinch signs when
    it is not the path the request arrives at (a proxy that rewrites paths): a string, or a
    function of the received path.

    ``replay`` is where accepted requests are remembered, so that each is accepted once
    (:mod:`svaml.replay`): by default a :class:`~svaml.replay.MemoryReplayStore` of the
    application's own; a :class:`~svaml.replay.RedisReplayStore` for several instances; None to
    turn the check off. ``ignore`` lists rule codes or prefixes (``SV302``, ``SV3``) whose
    diagnostics on an answer are dropped, as the linter's ``--ignore``: an ignored error no
    longer refuses the answer. ``limits`` (:class:`svaml.rules.Limits`) are the limits Sinch
    support raised for the application, as the linter's ``[tool.svaml] limits``: with
    ``Limits(say=1200)`` a say of 1,000 characters is sent. Warnings on an answer are logged
    with their codes.

    An event without a function gets a default: ICE a ``hangup`` (the call is refused), ACE and
    PIE a ``continue``, DiCE and Notify ``{}``.
    """

    def __init__(
        self,
        *,
        key: str | None = None,
        secret: str | Secret | None = None,
        keys: Mapping[str, str | Secret] | Keyring | None = None,
        verify: bool = True,
        max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
        allow_basic: bool = False,
        signed_path: str | Callable[[str], str] | None = None,
        max_body: int = 256 * 1024,
        replay: ReplayStore | _DefaultStore | None = _IN_PROCESS,
        ignore: Iterable[str] = (),
        limits: Limits | None = None,
    ) -> None:
        held = None if secret is None else secret if isinstance(secret, Secret) else Secret(secret)
        del secret  # only the Secret, whose repr hides it, stays in this frame's locals
        keyring: Keyring | None
        if keys is not None:
            if key is not None or held is not None:
                raise SvamlError("give either key and secret, or keys (several keys and secrets), not both")
            keyring = keys if isinstance(keys, Keyring) else Keyring(keys)
        elif key is None and held is None:
            keyring = None
        elif key is None or held is None:
            raise SvamlError("give both the application key and the application secret, or neither")
        else:
            keyring = Keyring([Credentials(key=key, secret=held)])
        del keys
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise SvamlError(f"max_body must be a number of bytes, an int of 0 or more, not {max_body!r:.40}")
        if verify and keyring is None:
            raise SvamlError(
                "CallbackApp needs the application key and secret to verify Sinch's signatures;"
                " pass verify=False to accept unsigned callbacks (local development only)"
            )
        window = _window_seconds(max_age)
        if isinstance(replay, _DefaultStore):
            store: ReplayStore | None = MemoryReplayStore() if verify and window is not None else None
        elif replay is not None and not isinstance(replay, ReplayStore):
            kind = type(replay).__name__
            raise SvamlError(f"replay must be a replay store (svaml.replay) or None, not {kind}")
        elif replay is not None and window is None:
            raise SvamlError("replay protection needs the replay window: give max_age, or replay=None")
        else:
            store = replay
        if not verify:
            _log.warning("svaml: callback signatures are NOT verified; anyone can steer these calls")
        self._keyring = keyring if verify else None
        self._max_age = max_age
        self._allow_basic = allow_basic
        self._signed_path = signed_path
        self._max_body = max_body
        self._replay = store
        self._ignore = _selectors(ignore)
        if limits is not None and not isinstance(limits, Limits):
            raise SvamlError(f"limits must be a svaml.rules.Limits, not {type(limits).__name__}")
        self._limits = limits
        self._functions: dict[str, Callable[[Any], Any]] = {}
        self._coroutines: set[str] = set()
        self._loop = _Loop()

    def __repr__(self) -> str:
        # Safe on a half-built app (a constructor that raised, a debugger): no attribute is assumed.
        parts = vars(self)
        keyring = parts.get("_keyring")
        keys = list(keyring) if isinstance(keyring, Keyring) else []
        shown = f"key={keys[0]!r}" if len(keys) == 1 else f"keys={keys!r}"
        events = ", ".join(parts.get("_functions") or ()) or "none"
        return f"CallbackApp({shown}, verify={bool(keys)}, functions: {events})"

    @property
    def replay(self) -> ReplayStore | None:
        """Where accepted requests are remembered (None: the replay check is off)."""
        return self._replay

    # -- registration -------------------------------------------------------------------------

    @overload
    def on(self, event: str | Callback, function: None = None) -> Callable[[_F], _F]: ...
    @overload
    def on(self, event: str | Callback, function: _F) -> _F: ...

    def on(self, event: str | Callback, function: _F | None = None) -> _F | Callable[[_F], _F]:
        """Register ``function`` for ``event`` (``ice``, ``ace``, ``pie``, ``dice``, ``notify``).

        ``function`` may be ``async def``: served by :meth:`asgi` or :meth:`handle_async`, it is
        awaited on the server's event loop; called through :meth:`handle` (WSGI, a plain view),
        it runs on one event loop the application keeps in a thread of its own. Without
        ``function``, return a decorator. Registering a second function for an event is an error.
        """
        name = str(event.value if isinstance(event, Callback) else event).casefold()
        if name not in EVENT_CLASSES:
            raise SvamlError(f"unknown event {event!r}; expected one of {_EVENT_NAMES}")

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

    def ice(self, function: _Ice) -> _Ice:
        """Register the function (plain or ``async def``) that answers Incoming Call Events with SVAML."""
        return self.on("ice", function)

    def ace(self, function: _Ace) -> _Ace:
        """Register the function (plain or ``async def``) that answers Answered Call Events with SVAML."""
        return self.on("ace", function)

    def pie(self, function: _Pie) -> _Pie:
        """Register the function (plain or ``async def``) that answers Prompt Input Events with SVAML."""
        return self.on("pie", function)

    def dice(self, function: _Dice) -> _Dice:
        """Register the function told of Disconnected Call Events (its result is ignored)."""
        return self.on("dice", function)

    def notify(self, function: _Notify) -> _Notify:
        """Register the function told of Notify events (its result is ignored)."""
        return self.on("notify", function)

    # -- handling -----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one callback request: verify, read, call the function, check and write its SVAML.

        ``path`` is the request's path (with its query string, if any), ``body`` the raw body
        (None or text is taken as its bytes). Returns 200 with SVAML (``{}`` for DiCE and
        Notify); 401 with an empty body when the signature does not verify or the request was
        already accepted once (a replay); 400 when the body is not an event, saying why in full;
        405 for a method other than POST; 413 for a body over ``max_body``; 503 when the replay
        store cannot be reached; 500 when the function raises, returns something that is not
        valid SVAML for the event, or anything else fails, with a short text saying which (never
        a traceback). Every answer is logged on the ``svaml.callbacks`` logger with structured
        fields (``extra``: ``call_id``, ``sinch_event``, ``status``, ``duration_ms``), never with
        a secret. Never raises an ``Exception``.
        """
        started = time.perf_counter()
        try:
            found = self._receive(method, path, headers, body, inline=True)
            if not isinstance(found, Event):
                return found if isinstance(found, CallbackResponse) else found.response
            response = self.respond(found)
        except Exception:  # the promise: a framework gets a response, never a traceback page
            _log.exception("svaml: answering a callback to %s failed", _shown(path))
            return _failed("svaml could not answer this callback; the server's log says why")
        _answered(found, response, started)
        return response

    async def handle_async(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one callback request in an async framework; see :meth:`handle`.

        An ``async def`` function is awaited on the running event loop; the rest (checking the
        signature and the replay store, a plain function) runs in a worker thread, since it may
        block. Never raises an ``Exception``.
        """
        started = time.perf_counter()
        try:
            found = await asyncio.to_thread(self._receive, method, path, headers, body, inline=False)
            if isinstance(found, CallbackResponse):
                return found
            if isinstance(found, _Answered):
                response = found.response
                event: Event = found.event
            else:
                event = found
                response = await self._respond_async(event)
        except Exception:
            _log.exception("svaml: answering a callback to %s failed", _shown(path))
            return _failed("svaml could not answer this callback; the server's log says why")
        _answered(event, response, started)
        return response

    def _receive(
        self,
        method: object,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: object,
        *,
        inline: bool,
    ) -> CallbackResponse | Event | _Answered:
        """Check and read a request; a refusal is the response, else the event.

        With ``inline=False`` (from the event loop, in a worker thread) a plain function is
        called here too, in the same thread: the event comes back answered.
        """
        if not isinstance(method, str) or method.upper() != "POST":
            return _NOT_ALLOWED
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        elif isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        elif not isinstance(body, bytes):
            _log.error("svaml: handle() got a body of type %s, not bytes", type(body).__name__)
            return _failed(f"the callback body reached svaml as {type(body).__name__}, not bytes")
        if len(body) > self._max_body:
            _refused(path, 413, f"a body of {len(body)} bytes")
            return _TOO_LARGE
        if self._keyring is not None:
            signed = self._signed(path)
            try:
                self._keyring.verify(
                    method=method,
                    path=signed,
                    headers=headers,
                    body=body,
                    max_age=self._max_age,
                    allow_basic=self._allow_basic,
                    replay=self._replay,
                )
            except ReplayError as exc:
                _refused(path, 401, str(exc), replayed=True)
                return _UNAUTHORIZED
            except SignatureError as exc:
                _refused(path, 401, str(exc))
                return _UNAUTHORIZED
            except ReplayStoreError:  # Redis down: refuse what cannot be checked
                _log.exception(
                    "svaml: the replay store failed; answered 503 to a callback to %s",
                    _shown(path),
                    extra={"status": 503},
                )
                return _UNAVAILABLE
        try:
            event = parse_event(body)
        except EventError as exc:
            _refused(path, 400, str(exc))
            return CallbackResponse(400, _TEXT, _reason(str(exc)))
        if inline or event.EVENT in self._coroutines:
            return event
        return _Answered(event, self.respond(event))

    def respond(self, event: Event) -> CallbackResponse:
        """Call the function registered for ``event`` and turn its result into the response.

        An ``async def`` function runs on the application's own event loop (see :meth:`on`).
        Never raises an ``Exception``: a failure is a logged 500 whose short text says which.
        """
        function = self._functions.get(event.EVENT)
        if function is None:
            return self._answer(event, self._default(event))
        try:
            answer = function(event)
            if inspect.isawaitable(answer):
                answer = self._loop.run(answer)
        except Exception:
            return self._raised(event)
        return self._answer(event, answer)

    async def _respond_async(self, event: Event) -> CallbackResponse:
        function = self._functions[event.EVENT]
        try:
            answer = function(event)
            if inspect.isawaitable(answer):
                answer = await answer
        except Exception:
            return self._raised(event)
        return self._answer(event, answer)

    def _default(self, event: Event) -> object:
        if event.CALLBACK is Callback.ICE:
            _log.warning(
                "svaml: no function for ice; answered hangup (call %s)",
                event.call_id,
                extra={"call_id": event.call_id, "sinch_event": "ice"},
            )
        return _DEFAULTS.get(event.CALLBACK)

    def _raised(self, event: Event) -> CallbackResponse:
        name = event.EVENT
        _log.exception(
            "svaml: the %s function raised (call %s)",
            name,
            event.call_id,
            extra={"call_id": event.call_id, "sinch_event": name, "status": 500},
        )
        return _failed(f"the {name} function raised an exception; the server's log says which")

    def _answer(self, event: Event, answer: object) -> CallbackResponse:
        """Check a function's result for its event and write it; log its warnings with their codes."""
        name = event.EVENT
        callback = event.CALLBACK
        if callback is Callback.DICE or callback is Callback.NOTIFY:
            return _ACKNOWLEDGED
        fields = {"call_id": event.call_id, "sinch_event": name}
        if not isinstance(answer, Svaml):
            kind = type(answer).__name__
            _log.error(
                "svaml: the %s function returned %s, not a Svaml (call %s)",
                name,
                kind,
                event.call_id,
                extra={**fields, "status": 500},
            )
            return _failed(f"the {name} function returned {kind}, not SVAML")
        try:
            if answer.callback is not callback:
                answer = attrs.evolve(answer, callback=callback)
            problems = validate(answer, callback=callback, limits=self._limits)
            if self._ignore:
                problems = [p for p in problems if not p.code.startswith(self._ignore)]
            errors = [p for p in problems if p.severity is Severity.ERROR]
            if errors:
                raise SvamlError(f"the SVAML document is not valid for {callback.phrase}:", errors)
            for warning in problems:
                _log.warning(
                    "svaml: the %s answer (call %s): %s",
                    name,
                    event.call_id,
                    warning.describe(),
                    extra={**fields, "code": warning.code},
                )
            text = answer.to_json(check=False)
        except SvamlError as exc:
            codes = ", ".join(sorted({p.code for p in exc.problems})) or "see the server's log"
            _log.error(
                "svaml: the %s function returned SVAML Sinch would reject (call %s): %s",
                name,
                event.call_id,
                exc,
                extra={**fields, "status": 500, "codes": codes},
            )
            return _failed(f"the {name} function returned SVAML Sinch would reject ({codes})")
        except Exception:  # a value JSON cannot carry, a broken custom type…
            _log.exception(
                "svaml: the %s function's SVAML cannot be written (call %s)",
                name,
                event.call_id,
                extra={**fields, "status": 500},
            )
            return _failed(f"the {name} function returned SVAML that cannot be written as JSON")
        return CallbackResponse(200, _JSON, text.encode("utf-8"))

    def _signed(self, path: str) -> str:
        signed = self._signed_path
        if signed is None:
            return path
        return signed if isinstance(signed, str) else signed(path)

    # -- adapters -----------------------------------------------------------------------------

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the application as a WSGI application (PEP 3333); refuses a body over ``max_body`` unread."""
        try:
            response = self._wsgi(environ)
        except Exception:  # a broken environ or input stream: a 500, not the server's traceback page
            _log.exception("svaml: answering a callback failed")
            response = _failed("svaml could not answer this callback; the server's log says why")
        start_response(
            _status_line(response.status),
            [*response.headers, ("Content-Length", str(len(response.body)))],
        )
        return [response.body]

    def _wsgi(self, environ: WSGIEnvironment) -> CallbackResponse:
        length = _content_length(environ.get("CONTENT_LENGTH"))
        if length is None:
            return CallbackResponse(400, _TEXT, b"bad Content-Length")
        if length > self._max_body:
            _refused("", 413, f"a Content-Length of {length} bytes")
            return _TOO_LARGE
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [
            (name[5:].replace("_", "-").lower(), value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        ]
        if "CONTENT_TYPE" in environ:
            headers.append(("content-type", environ["CONTENT_TYPE"]))
        return self.handle(environ["REQUEST_METHOD"], _wsgi_path(environ), headers, body)

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
            raise SvamlError(f"the callback application serves HTTP only, not {scope['type']}")
        try:
            response = await self._asgi_response(scope, receive)
        except Exception:  # a broken scope or receive: a 500, not the server's own
            _log.exception("svaml: answering a callback failed")
            response = _failed("svaml could not answer this callback; the server's log says why")
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
            length = _content_length(declared[0]) if len(declared) == 1 else None
            if length is None:
                return CallbackResponse(400, _TEXT, b"bad Content-Length")
            if length > self._max_body:
                _refused("", 413, f"a Content-Length of {length} bytes")
                return _TOO_LARGE  # before reading: a 10 GB body is not waited for
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
                _refused("", 413, f"a body over {self._max_body} bytes")
                return _TOO_LARGE
            chunks.append(chunk)
            more = message.get("more_body", False)
        return await self.handle_async(scope["method"], _asgi_path(scope), headers, b"".join(chunks))


class _Answered(NamedTuple):
    """An event answered in the worker thread (a plain function), with its response."""

    event: Event
    response: CallbackResponse


def _selectors(ignore: Iterable[str]) -> tuple[str, ...]:
    """Read ``ignore=``: rule codes or prefixes, as the linter's ``--ignore``; refuse one naming no rule."""
    return read_selectors(ignore.split(",") if isinstance(ignore, str) else ignore, "ignore", allow_all=False)


def _answered(event: Event, response: CallbackResponse, started: float) -> None:
    """Log an answered callback with its structured fields (INFO; a 500 was logged as an error)."""
    if _log.isEnabledFor(logging.INFO):
        milliseconds = (time.perf_counter() - started) * 1000
        _log.info(
            "svaml: answered %s with %d in %.1f ms (call %s)",
            event.EVENT,
            response.status,
            milliseconds,
            event.call_id,
            extra={
                "call_id": event.call_id,
                "sinch_event": event.EVENT,
                "status": response.status,
                "duration_ms": round(milliseconds, 3),
            },
        )


def _refused(path: object, status: int, reason: str, *, replayed: bool = False) -> None:
    """Log a refused request (a warning) with its structured fields; never a secret nor a signature."""
    _log.warning(
        "svaml: refused a callback to %s with %d: %s",
        _shown(path) or "?",
        status,
        reason,
        extra={"status": status, "reason": reason, "replayed": replayed},
    )


def _failed(reason: str) -> CallbackResponse:
    """A 500 whose text says why, in Sinch's eyes and the developer's, without internals."""
    return CallbackResponse(500, _TEXT, _reason(reason))


def _reason(text: str) -> bytes:
    """The body of a 400 or 500: the (summarised) reason, bounded."""
    data = text.encode("utf-8", "replace")
    return data if len(data) <= _MAX_REASON else data[: _MAX_REASON - 3] + "…".encode()


def _shown(path: object) -> str:
    """A request path as logged: bounded, and printable whatever was received."""
    return repr(path)[1:-1][:200] if isinstance(path, str) else f"<{type(path).__name__}>"


def _content_length(value: object) -> int | None:
    """Read a Content-Length (0 when absent); None when it is not a count of bytes."""
    if value is None or value == "":
        return 0
    if not isinstance(value, str) or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value.strip()) if len(value.strip()) < 30 else 10**30


_PATH_SAFE = "/!$&'()*+,;=:@~"


def _status_line(status: int) -> str:
    return f"{status} {http.HTTPStatus(status).phrase}"


def _wsgi_path(environ: WSGIEnvironment) -> str:
    """The path Sinch signed: the raw request target when the server gives it, else rebuilt."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return raw
    # PEP 3333 strings carry the URL-decoded bytes as latin-1; encode them back.
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    query = environ.get("QUERY_STRING", "")
    return quote(path, safe=_PATH_SAFE) + (f"?{query}" if query else "")


def _asgi_path(scope: _Scope) -> str:
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

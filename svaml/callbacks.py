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

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from svaml import _json, codec
from svaml._serving import IN_PROCESS, JSON, CallbackResponse, DefaultStore, Serving
from svaml.diagnostic import Severity
from svaml.document import Svaml
from svaml.errors import EventError, SvamlError
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
from svaml.replay import ReplayStore
from svaml.rules import Limits, validate
from svaml.rules._validate import read_json
from svaml.signing import _DEFAULT_MAX_AGE, Credentials, Keyring, Secret
from svaml.signing import verify as verify_signature

if TYPE_CHECKING:
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


# DiCE and Notify: a JSON object with nothing in it. A bare empty 200 makes Sinch log "Error
# processing callback response" for DiCE (docs/callbacks.md, "What DiCE and Notify get").
_ACKNOWLEDGED = CallbackResponse(200, JSON, b"{}")
_UNAUTHORIZED = CallbackResponse(401, (("WWW-Authenticate", "Application"),), b"")

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


class CallbackApp(Serving[Event]):
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

    _log = _log
    _what = "callback"
    _unauthorized = _UNAUTHORIZED

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
        replay: ReplayStore | DefaultStore | None = IN_PROCESS,
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
        super().__init__(
            keyring=keyring,
            verify=verify,
            max_age=max_age,
            max_body=max_body,
            replay=replay,
            ignore=ignore,
            signed_path=signed_path,
            credentials="the application key and secret",
        )
        self._allow_basic = allow_basic
        if limits is not None and not isinstance(limits, Limits):
            raise SvamlError(f"limits must be a svaml.rules.Limits, not {type(limits).__name__}")
        self._limits = limits

    def __repr__(self) -> str:
        # Safe on a half-built app (a constructor that raised, a debugger): no attribute is assumed.
        parts = vars(self)
        keyring = parts.get("_keyring")
        keys = list(keyring) if isinstance(keyring, Keyring) else []
        shown = f"key={keys[0]!r}" if len(keys) == 1 else f"keys={keys!r}"
        events = ", ".join(parts.get("_functions") or ()) or "none"
        return f"CallbackApp({shown}, verify={bool(keys)}, functions: {events})"

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

        return self._register(name, function)

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
        return Serving.handle(self, method, path, headers, body)

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
        return await Serving.handle_async(self, method, path, headers, body)

    def _verify(self, keyring: Keyring, method: str, path: str, headers: Any, body: bytes) -> str | None:
        return keyring.verify(
            method=method,
            path=path,
            headers=headers,
            body=body,
            max_age=self._max_age,
            allow_basic=self._allow_basic,
            replay=self._replay,
        )

    def _parse(self, body: bytes, headers: Any, signer: str | None) -> Event:
        return parse_event(body)

    def _name(self, event: Event) -> str:
        return event.EVENT

    def _call_id(self, event: Event) -> str | None:
        return event.call_id

    def _function(self, event: Event) -> tuple[Callable[[Any], Any] | None, bool]:
        name = event.EVENT
        return self._functions.get(name), name in self._coroutines

    def respond(self, event: Event) -> CallbackResponse:
        """Call the function registered for ``event`` and turn its result into the response.

        An ``async def`` function runs on the application's own event loop (see :meth:`on`).
        Never raises an ``Exception``: a failure is a logged 500 whose short text says which.
        """
        function = self._functions.get(event.EVENT)
        if function is None:
            return self._answer(event, self._default(event))
        return self._call(event, function)

    def _default(self, event: Event) -> object:
        if event.CALLBACK is Callback.ICE:
            _log.warning(
                "svaml: no function for ice; answered hangup (call %s)",
                event.call_id,
                extra={"call_id": event.call_id, "sinch_event": "ice"},
            )
        return _DEFAULTS.get(event.CALLBACK)

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
            return self._failed(f"the {name} function returned {kind}, not SVAML")
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
            return self._failed(f"the {name} function returned SVAML Sinch would reject ({codes})")
        except Exception:  # a value JSON cannot carry, a broken custom type…
            _log.exception(
                "svaml: the %s function's SVAML cannot be written (call %s)",
                name,
                event.call_id,
                extra={**fields, "status": 500},
            )
            return self._failed(f"the {name} function returned SVAML that cannot be written as JSON")
        return CallbackResponse(200, JSON, text.encode("utf-8"))

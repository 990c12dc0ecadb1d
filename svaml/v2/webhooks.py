"""Voice API v2 webhooks in, SVAML v2 out: read events, verify and read in one call, serve an application.

Sinch posts every v2 event as a CloudEvent in HTTP binary mode: the event's metadata in ``ce-*``
headers, the JSON body ``{event, call, menu?}``, signed with the ``service`` scheme
(:mod:`svaml.v2.signing`). :func:`parse_event` reads a body (and the headers) into the typed event
of its name; :func:`construct_event` verifies the signature first and reads second;
:class:`WebhookApp` is a whole webhook application: one function per event, served from any
framework through :meth:`WebhookApp.handle` or as a WSGI or ASGI application, each answer checked
with the v2 rules before it is sent.

Delivery is at least once: Sinch may send an event again (to the fallback URL when the first
answer came late). Events are identified by (``ce-id``, ``ce-source``): ``event.cloud.key``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar, overload

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _json, codec
from svaml._serving import IN_PROCESS, JSON, CallbackResponse, DefaultStore, Serving
from svaml.diagnostic import Severity
from svaml.errors import EventError, ReplayError, SignatureError, SvamlError
from svaml.replay import ReplayStore
from svaml.rules import validate
from svaml.rules._validate import read_json
from svaml.signing import _DEFAULT_MAX_AGE, Credentials, Keyring, Secret
from svaml.v2.document import Svaml2
from svaml.v2.model.calls import (
    CLOUD_EVENT_HEADERS,
    CloudEvent,
    Event,
    IncomingEvent,
    event_class,
)
from svaml.v2.model.document import Document
from svaml.v2.model.events import CUSTOM_PREFIX, EVENT_NAMES, event_name
from svaml.v2.signing import _keyring, verify_webhook

__all__ = ["WebhookApp", "construct_event", "parse_event", "read_cloud_event"]

_log = logging.getLogger("svaml.v2.webhooks")

_EVENT_NAMES = ", ".join((*EVENT_NAMES, CUSTOM_PREFIX + "<webhookName>"))
_INCOMING = IncomingEvent.EVENT
# The header names of the CloudEvent attributes, lower-case (as svaml reads every header).
_HEADERS = {header.lower(): attribute for attribute, header in CLOUD_EVENT_HEADERS.items()}


# -- reading --------------------------------------------------------------------------------------


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    *,
    max_bytes: int | None = _json.MAX_BYTES,
) -> Event:
    """Read a v2 webhook body (raw bytes, text or decoded JSON) into the event class of its name.

    Returns an :class:`~svaml.v2.model.IncomingEvent`, ``AnsweredEvent``, … ``MenuEvent``, or a
    ``CustomEvent`` for ``call.webhook.<webhookName>`` (Sinch's Python and Java SDKs' spelling
    ``call.customEvent.<name>`` is read as ``call.webhook.<name>``). With ``headers`` the
    CloudEvents attributes (``ce-id``, ``ce-source``, ``ce-type``, ``ce-specversion``,
    ``ce-time``) are read into the event's ``cloud`` (:func:`read_cloud_event`).

    Raises :class:`~svaml.errors.EventError` when the body breaks the JSON policy
    (:mod:`svaml._json`), is not an object, has no or an unknown ``event``, has no ``call``
    or a ``call`` with no ``callId`` (Sinch always sends both; the error's ``data`` keeps the
    decoded body), or has a field of the
    wrong type (its ``problems`` say where); a body over ``max_bytes`` bytes (10 MiB by default;
    None for no limit) is refused unread. This does not check the signature: see
    :func:`construct_event`.
    """
    if isinstance(body, (bytes, str, bytearray, memoryview)):
        data: Any = read_json(body, "the webhook body", EventError, max_bytes)
        decoded = True
    elif isinstance(body, Mapping):
        data, decoded = body, False  # held to the JSON policy by the reader
    else:
        raise EventError(f"expected the webhook body as bytes, str or a mapping, got {type(body).__name__}")
    if not (data.__class__ is dict or isinstance(data, Mapping)):
        raise EventError(f"the webhook body is a JSON {_json.typename(data)}, not an object")
    name = data.get("event")
    if name is None:
        raise EventError("the webhook body has no 'event' field: not a Sinch Voice API v2 event", data=data)
    cls = event_class(name) if isinstance(name, str) else None
    if cls is None:
        raise EventError(f"unknown event {_json.brief(name, 60)}; expected one of {_EVENT_NAMES}", data=data)
    wire = event_name(name)  # the SDKs' call.customEvent.x is call.webhook.x (the model reads it so)
    if data.get("call") is None:
        raise EventError(
            f"the {wire} event has no 'call' object; Sinch always sends one (webhookRequest requires it)",
            data=data,
        )
    try:
        event = codec.structure(data, cls, decoded=decoded)
    except SvamlError as exc:
        raise EventError(f"cannot read the {wire} event:", exc.problems, data=data) from None
    if headers is None:
        return event
    return attrs.evolve(event, cloud=read_cloud_event(headers))


def read_cloud_event(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> CloudEvent | None:
    """Read the CloudEvents attributes of a webhook's ``ce-*`` headers (names in any case).

    Returns None when the request carries none of them. A missing ``ce-type`` or
    ``ce-specversion`` is Sinch's one value, a missing ``ce-time`` None; ``ce-time`` is read
    leniently (as every Sinch timestamp, :func:`svaml._time.parse_timestamp`). Raises
    :class:`~svaml.errors.EventError` for a header given twice, no ``ce-id`` or ``ce-source``
    (they identify the event), or a ``ce-time`` that is no time.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, Any] = {}
    try:
        for name, value in pairs:
            attribute = _HEADERS.get(name.lower()) if isinstance(name, str) else None
            if attribute is None:
                continue
            if attribute in found:
                raise EventError(f"more than one {CLOUD_EVENT_HEADERS[attribute]} header")
            if not isinstance(value, str):
                raise EventError(f"the {CLOUD_EVENT_HEADERS[attribute]} header is not text")
            found[attribute] = value
    except (TypeError, ValueError):
        raise EventError("headers must be a mapping or an iterable of (name, value) pairs") from None
    if not found:
        return None
    missing = [CLOUD_EVENT_HEADERS[a] for a in ("id", "source") if a not in found]
    if missing:
        raise EventError(f"the webhook has CloudEvents headers but no {' nor '.join(missing)} header")
    try:
        return CloudEvent(**found)  # reads ce-time as every Sinch timestamp
    except SvamlError:
        raise EventError(
            f"the ce-time header {_json.brief(found.get('time'), 40)} is not a date and time"
        ) from None


def _key(event: Event) -> tuple[str, str] | None:
    return None if event.cloud is None else event.cloud.key


def construct_event(
    body: bytes | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    path: str,
    service_id: str | None = None,
    secret: str | Secret | None = None,
    services: Mapping[str, str | Secret] | Mapping[str, Credentials] | None = None,
    method: str = "POST",
    max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
    now: datetime | None = None,
    replay: ReplayStore | None = None,
    max_bytes: int | None = _json.MAX_BYTES,
) -> Event:
    """Verify a v2 webhook's signature, then read its body and headers; return the event.

    The arguments are :func:`~svaml.v2.signing.verify_webhook`'s (``path``: the path the request
    arrived at, its query string dropped; one service or several; the replay window and store)
    and :func:`parse_event`'s. Raises :class:`~svaml.errors.SignatureError` (nothing is read from
    an unverified body) — also when the event names another service than the one that signed it
    (in ``ce-source`` or ``call.serviceId``) — or :class:`~svaml.errors.EventError`.
    """
    keyring = _keyring(service_id, secret, services)
    del secret, services  # only Credentials, whose reprs hide the secrets, stay in this frame
    signer = verify_webhook(
        path=path,
        headers=headers,
        body=body,
        services=keyring,
        method=method,
        max_age=max_age,
        now=now,
        replay=replay,
    )
    event = parse_event(body, headers, max_bytes=max_bytes)
    _same_service(event, signer)
    return event


def _same_service(event: Event, signer: str) -> None:
    """Refuse an event that names another service than the one whose secret signed it."""
    named = [
        (where, value)
        for where, value in (
            ("ce-source", None if event.cloud is None else event.cloud.service_id),
            ("call.serviceId", event.call.service_id),
        )
        if value is not None and value != signer
    ]
    if named:
        where, value = named[0]
        raise SignatureError(
            f"the webhook is signed by service {signer}, but its {where} names service {value}"
        )


# -- answering a delivery again -------------------------------------------------------------------


class _Delivery:
    """One event being answered (``settled`` False), or answered: ``response`` None if that failed."""

    __slots__ = ("expiry", "identity", "response", "settled")

    def __init__(self, identity: object, expiry: float) -> None:
        self.identity = identity
        self.expiry = expiry
        self.settled = False
        self.response: CallbackResponse | None = None


def _identity(event: Event) -> object:
    """What two deliveries of one event share besides (ce-id, ce-source): name, call and menu input.

    Kept instead of the event, whose object graph would cost memory and garbage collection.
    """
    return (event.event, event.call.call_id, event.menu)


class _Redeliveries:
    """The answers of the last window's events, by (ce-id, ce-source), to answer a redelivery again.

    In process, bounded (the oldest leaves first), thread-safe. Only 200 answers are kept: after a
    failure the next delivery calls the function again.
    """

    # How long a redelivery waits for the first delivery's answer: Sinch's own timeout.
    WAIT = 5.0

    def __init__(self, max_entries: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._window = window
        self._clock = clock
        # Arrival order is about expiry order; an OrderedDict drops its oldest in O(1) (a dict that
        # loses its first keys one by one scans the holes they leave).
        self._entries: OrderedDict[tuple[str, str], _Delivery] = OrderedDict()
        # One lock and condition for all: a delivery costs no lock of its own (a redelivery is rare).
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._warned = False

    def claim(self, key: tuple[str, str], event: Event) -> tuple[_Delivery, bool] | None:
        """Return the delivery of ``key`` and whether it is new (this one answers, then settles it).

        An old one is the first delivery's, answered or being answered. None: the key was answered
        for another body (not a redelivery); answer without keeping.
        """
        now = self._clock()
        with self._lock:
            entries = self._entries
            while entries:  # the oldest first: they expire about in order
                oldest = next(iter(entries.values()))
                if oldest.expiry > now:
                    break
                entries.popitem(last=False)
            found = entries.get(key)
            if found is None:
                if len(entries) >= self._max:
                    entries.popitem(last=False)
                    if not self._warned:
                        self._warned = True
                        _log.warning(
                            "svaml: the answers kept for redeliveries are full; the oldest leave first"
                        )
                mine = entries[key] = _Delivery(_identity(event), now + self._window)
                return mine, True
        if found.identity != _identity(event):
            _log.warning("svaml: two events share ce-id and ce-source %s but differ; both are answered", key)
            return None
        return found, False

    def settle(self, key: tuple[str, str], delivery: _Delivery, response: CallbackResponse) -> None:
        """Keep a 200 answer for the window; forget a failed one, so that the next delivery calls again."""
        with self._settled:
            if response.status == 200:
                delivery.response = response
            elif self._entries.get(key) is delivery:
                del self._entries[key]
            delivery.settled = True
            self._settled.notify_all()

    def wait(self, delivery: _Delivery) -> CallbackResponse | None:
        """Wait (up to :attr:`WAIT` seconds) for another delivery's answer; None if it failed or is late."""
        with self._settled:
            self._settled.wait_for(lambda: delivery.settled, self.WAIT)
        return delivery.response

    def answered(self, event: Event) -> CallbackResponse | None:
        """The answer kept for an event equal to ``event`` (waiting for it when pending), or None."""
        key = _key(event)
        found = None if key is None else self._entries.get(key)
        if found is None or found.identity != _identity(event):
            return None
        return self.wait(found)


# -- the application ------------------------------------------------------------------------------

_UNAUTHORIZED = CallbackResponse(401, (("WWW-Authenticate", "service"),), b"")
_NOTHING = Svaml2()  # {"commands": []}: Sinch's "no action" (reference D1)
_HANGUP = Svaml2().hangup()
# What settles a delivery whose answering was cut short (cancelled): not kept, so answered anew.
_LOST = CallbackResponse(500, (), b"")
# A registered function: plain or ``async def``, answering a Svaml2 (any v2 Document) or None.
_F = TypeVar("_F", bound=Callable[[Any], "Document | Awaitable[Document | None] | None"])


def _registrar(event: str) -> Callable[[WebhookApp, _F], _F]:
    """The decorator method that registers a function for ``event`` (one per event name)."""

    def register(self: WebhookApp, function: _F) -> _F:
        return self.on(event, function)

    register.__name__ = event[len("call.") :].replace(".", "_")
    register.__qualname__ = f"WebhookApp.{register.__name__}"
    register.__doc__ = f"Register the function (plain or ``async def``) that answers ``{event}`` events."
    return register


class WebhookApp(Serving[Event]):
    """A Sinch Voice API v2 webhook application: one function per event, served from any framework.

    Register functions with a decorator per event (:meth:`incoming`, :meth:`answered`,
    :meth:`hangup`, :meth:`menu`, :meth:`amd_machine`… one for each event name, ``call.`` left
    out and dots as underscores), :meth:`custom` for the ``call.webhook.<webhookName>`` events
    of ``webhook`` commands, :meth:`default` for every event without its own, or :meth:`on`.
    Functions are plain or ``async def``; each takes the typed event and returns a
    :class:`~svaml.v2.Svaml2` (the answer) or None (nothing to say: ``{"commands": []}``).
    Serve the application with :meth:`handle` (or :meth:`handle_async` in an async framework)
    from a framework's view, or mount :meth:`wsgi` or :meth:`asgi`.

    Every request must carry Sinch's ``service`` signature for ``service_id`` and ``secret`` —
    or, for several services or a secret being rotated, for one of ``services`` (a mapping of
    service ID to secret, or a :class:`~svaml.signing.Keyring`) — with an ``x-timestamp``
    within ``max_age`` seconds of now (None turns the window off). Without credentials the
    constructor raises unless ``verify=False`` says on purpose that unsigned webhooks are fine
    (local development). ``signed_path`` is the path Sinch signs (the path of the webhook URL
    configured at Sinch) when it is not the path the request arrives at: a string, or a function
    of the received path. ``replay`` is where accepted requests are remembered (:mod:`svaml.replay`;
    by default a store of the application's own; None turns the check off).

    Every answer is checked with the v2 rules before it is sent: an error refuses it (500, the
    codes in the text and the log), warnings are logged with their codes; ``strict`` makes
    unknown properties errors, ``ignore`` drops the diagnostics of rule codes or prefixes.
    ``callName`` and ``events`` take effect only in the answer to ``call.incoming`` (a warning
    says so elsewhere). Without a function, ``call.incoming`` is answered ``hangup`` (the call is
    refused, with a warning) and every other event ``{"commands": []}``.

    Delivery is at least once: a second delivery of an event (same ``ce-id`` and ``ce-source``,
    same body) within the replay window (300 seconds when it is off) gets the first answer again,
    without calling the function twice — the last ``redeliveries`` answers are kept in the
    process (0 turns this off). Instances behind a load balancer do not share them: make the
    functions idempotent on ``event.cloud.key`` (``ce-id``, ``ce-source``) too.
    """

    _log = _log
    _what = "webhook"
    _unauthorized = _UNAUTHORIZED

    def __init__(
        self,
        *,
        service_id: str | None = None,
        secret: str | Secret | None = None,
        services: Mapping[str, str | Secret] | Mapping[str, Credentials] | None = None,
        verify: bool = True,
        max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
        signed_path: str | Callable[[str], str] | None = None,
        max_body: int = 256 * 1024,
        replay: ReplayStore | DefaultStore | None = IN_PROCESS,
        ignore: Iterable[str] = (),
        strict: bool = False,
        redeliveries: int = 10_000,
    ) -> None:
        keyring: Keyring | None = None
        if service_id is not None or secret is not None or services is not None:
            try:
                found = _keyring(service_id, secret, services)
            except SignatureError as exc:  # a setting, not a request: the constructor's error
                raise SvamlError(str(exc)) from None
            keyring = found if isinstance(found, Keyring) else Keyring(list(found.values()))
        del secret, services  # only the Keyring, whose repr hides the secrets, stays in this frame
        super().__init__(
            keyring=keyring,
            verify=verify,
            max_age=max_age,
            max_body=max_body,
            replay=replay,
            ignore=ignore,
            signed_path=signed_path,
            credentials="the service ID and secret",
        )
        if isinstance(redeliveries, bool) or not isinstance(redeliveries, int) or redeliveries < 0:
            raise SvamlError(
                f"redeliveries must be a number of answers, an int of 0 or more, not {redeliveries!r:.40}"
            )
        self._strict = bool(strict)
        self._redeliveries = (
            _Redeliveries(redeliveries, _DEFAULT_MAX_AGE if self._window is None else self._window)
            if redeliveries
            else None
        )
        self._fallback: Callable[[Any], Any] | None = None
        self._fallback_async = False

    def __repr__(self) -> str:
        # Safe on a half-built app (a constructor that raised, a debugger): no attribute is assumed.
        parts = vars(self)
        keyring = parts.get("_keyring")
        services = list(keyring) if isinstance(keyring, Keyring) else []
        shown = f"service_id={services[0]!r}" if len(services) == 1 else f"services={services!r}"
        events = ", ".join(parts.get("_functions") or ()) or "none"
        return f"WebhookApp({shown}, verify={bool(services)}, functions: {events})"

    # -- registration -------------------------------------------------------------------------

    @overload
    def on(self, event: str, function: None = None) -> Callable[[_F], _F]: ...
    @overload
    def on(self, event: str, function: _F) -> _F: ...

    def on(self, event: str, function: _F | None = None) -> _F | Callable[[_F], _F]:
        """Register ``function`` for ``event``: one of the v2 event names, or ``call.webhook.<name>``.

        ``function`` may be ``async def``: served by :meth:`asgi` or :meth:`handle_async`, it is
        awaited on the server's event loop; called through :meth:`handle` (WSGI, a plain view),
        it runs on one event loop the application keeps in a thread of its own. Without
        ``function``, return a decorator. Registering a second function for an event is an error.
        """
        name = event_name(event) if isinstance(event, str) else event
        if not isinstance(name, str) or event_class(name) is None or name == CUSTOM_PREFIX:
            raise SvamlError(f"unknown event {event!r}; expected one of {_EVENT_NAMES}")

        return self._register(name, function)

    def custom(self, webhook_name: str) -> Callable[[_F], _F]:
        """Return a decorator registering the function for ``call.webhook.<webhook_name>``.

        Those are the events of a ``webhook`` command named ``webhook_name`` (blocking: the call
        waits for the answer).
        """
        if not isinstance(webhook_name, str) or not webhook_name:
            raise SvamlError(f"expected the webhookName of a webhook command, got {webhook_name!r:.40}")
        return self.on(CUSTOM_PREFIX + webhook_name)

    def default(self, function: _F) -> _F:
        """Register the function (plain or ``async def``) for every event without a function of its own."""
        if not callable(function):
            raise SvamlError(f"expected a function, got {type(function).__name__}")
        if self._fallback is not None:
            raise SvamlError("a default function is already registered")
        self._fallback = function
        self._fallback_async = inspect.iscoroutinefunction(function)
        return function

    incoming = _registrar("call.incoming")
    answered = _registrar("call.answered")
    busy = _registrar("call.busy")
    rejected = _registrar("call.rejected")
    timeout = _registrar("call.timeout")
    hangup = _registrar("call.hangup")
    failed = _registrar("call.failed")
    amd_human = _registrar("call.amd.human")
    amd_machine = _registrar("call.amd.machine")
    amd_beep = _registrar("call.amd.beep")
    amd_unknown = _registrar("call.amd.unknown")
    message_finished = _registrar("call.message.finished")
    recording_finished = _registrar("call.recording.finished")
    recording_failed = _registrar("call.recording.failed")
    menu = _registrar("call.menu")

    # -- handling -----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one webhook request: verify, read, call the function, check and write its SVAML.

        ``path`` is the request's path (its query string is not signed), ``body`` the raw body
        (None or text is taken as its bytes). Returns 200 with SVAML v2 (``{"commands": []}``
        when there is nothing to say); 401 with an empty body when the signature does not
        verify or the request was already accepted once (a replay that is not a redelivery of
        an answered event); 400 when the body is not a v2 event, saying why in full; 405 for a
        method other than POST; 413 for a body over ``max_body``; 503 when the replay store
        cannot be reached; 500 when the function raises, returns something that is not valid
        SVAML v2, or anything else fails, with a short text saying which (never a traceback).
        Every answer is logged on the ``svaml.v2.webhooks`` logger with structured fields
        (``extra``: ``call_id``, ``sinch_event``, ``status``, ``duration_ms``), never with a
        secret. Never raises an ``Exception``.
        """
        return Serving.handle(self, method, path, headers, body)

    async def handle_async(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> CallbackResponse:
        """Answer one webhook request in an async framework; see :meth:`handle`.

        An ``async def`` function is awaited on the running event loop; the rest (checking the
        signature and the replay store, a plain function) runs in a worker thread, since it may
        block. Never raises an ``Exception``.
        """
        return await Serving.handle_async(self, method, path, headers, body)

    def _verify(self, keyring: Keyring, method: str, path: str, headers: Any, body: bytes) -> str | None:
        return verify_webhook(
            path=path,
            headers=headers,
            body=body,
            services=keyring,
            method=method,
            max_age=self._max_age,
            replay=self._replay,
        )

    def _replayed(self, path: str, headers: Any, body: bytes, error: ReplayError) -> CallbackResponse:
        # Sinch may send the very same signed request again: that is a redelivery, not an attack.
        if self._redeliveries is not None:
            try:
                event = self._parse(body, headers, None)  # the signature verified: it is a replay
            except EventError:
                event = None
            response = None if event is None else self._redeliveries.answered(event)
            if event is not None and response is not None:
                self._again(event)
                return response
        return super()._replayed(path, headers, body, error)

    def _parse(self, body: bytes, headers: Any, signer: str | None) -> Event:
        event = parse_event(body, headers)
        if signer is not None:
            _same_service(event, signer)
        return event

    def _name(self, event: Event) -> str:
        return event.event

    def _call_id(self, event: Event) -> str | None:
        return event.call.call_id

    def _function(self, event: Event) -> tuple[Callable[[Any], Any] | None, bool]:
        name = event.event
        function = self._functions.get(name)
        if function is not None:
            return function, name in self._coroutines
        return self._fallback, self._fallback_async

    def respond(self, event: Event) -> CallbackResponse:
        """Call the function for ``event`` and turn its result into the response (see :meth:`handle`).

        A redelivery of an event answered within the window gets its answer again, without a
        call. An ``async def`` function runs on the application's own event loop (see :meth:`on`).
        Never raises an ``Exception``: a failure is a logged 500 whose short text says which.
        """
        key = None if self._redeliveries is None else _key(event)
        if key is None or self._redeliveries is None:
            return self._respond_now(event)
        claimed = self._redeliveries.claim(key, event)
        if claimed is not None and not claimed[1]:  # answered, or being answered
            first = self._redeliveries.wait(claimed[0])
            if first is not None:
                self._again(event)
                return first
            claimed = None  # the first failed or is stuck: this delivery is answered anew
        if claimed is None:
            return self._respond_now(event)
        response = _LOST
        try:
            response = self._respond_now(event)
        finally:
            self._redeliveries.settle(key, claimed[0], response)
        return response

    async def _respond_async(self, event: Event) -> CallbackResponse:
        function, _ = self._function(event)
        assert function is not None  # only coroutine functions come here
        key = None if self._redeliveries is None else _key(event)
        if key is None or self._redeliveries is None:
            return await self._call_async(event, function)
        claimed = self._redeliveries.claim(key, event)
        if claimed is not None and not claimed[1]:
            first = await asyncio.to_thread(self._redeliveries.wait, claimed[0])
            if first is not None:
                self._again(event)
                return first
            claimed = None
        if claimed is None:
            return await self._call_async(event, function)
        response = _LOST
        try:
            response = await self._call_async(event, function)
        finally:
            self._redeliveries.settle(key, claimed[0], response)
        return response

    def _respond_now(self, event: Event) -> CallbackResponse:
        function, _ = self._function(event)
        if function is not None:
            return self._call(event, function)
        if event.event == _INCOMING:
            _log.warning(
                "svaml: no function for call.incoming; answered hangup (call %s)",
                self._call_id(event),
                extra={"call_id": self._call_id(event), "sinch_event": _INCOMING},
            )
            return self._answer(event, _HANGUP)
        return self._answer(event, _NOTHING)

    def _again(self, event: Event) -> None:
        _log.info(
            "svaml: %s delivered again (ce-id %s); answered as the first time, without calling the function",
            event.event,
            None if event.cloud is None else event.cloud.id,
            extra={"call_id": self._call_id(event), "sinch_event": event.event, "redelivered": True},
        )

    def _answer(self, event: Event, answer: object) -> CallbackResponse:
        """Check a function's result with the v2 rules and write it; log its warnings with their codes."""
        name, call_id = event.event, self._call_id(event)
        fields = {"call_id": call_id, "sinch_event": name}
        if answer is None:
            answer = _NOTHING
        if not isinstance(answer, Document):
            kind = type(answer).__name__
            _log.error(
                "svaml: the %s function returned %s, not a Svaml2 (call %s)",
                name,
                kind,
                call_id,
                extra={**fields, "status": 500},
            )
            return self._failed(f"the {name} function returned {kind}, not SVAML v2")
        try:
            # Checked where it is used: what Sinch ignores there is S2010, "no action" is no S2009.
            problems = validate(answer, version=2, strict=self._strict, use=name)
            if self._ignore:
                problems = [p for p in problems if not p.code.startswith(self._ignore)]
            errors = [p for p in problems if p.severity is Severity.ERROR]
            if errors:
                raise SvamlError("the SVAML v2 answer is not valid:", errors)
            for warning in problems:
                _log.warning(
                    "svaml: the %s answer (call %s): %s",
                    name,
                    call_id,
                    warning.describe(),
                    extra={**fields, "code": warning.code},
                )
            text = codec.unstructure(answer)
            data = _json.dumps(text).encode("utf-8")
        except SvamlError as exc:
            codes = ", ".join(sorted({p.code for p in exc.problems})) or "see the server's log"
            _log.error(
                "svaml: the %s function returned SVAML v2 Sinch would reject (call %s): %s",
                name,
                call_id,
                exc,
                extra={**fields, "status": 500, "codes": codes},
            )
            return self._failed(f"the {name} function returned SVAML v2 Sinch would reject ({codes})")
        except Exception:  # a value JSON cannot carry, a broken custom type…
            _log.exception(
                "svaml: the %s function's SVAML v2 cannot be written (call %s)",
                name,
                call_id,
                extra={**fields, "status": 500},
            )
            return self._failed(f"the {name} function returned SVAML v2 that cannot be written as JSON")
        return CallbackResponse(200, JSON, data)


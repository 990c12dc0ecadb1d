"""Sinch's Voice API v2 as the stand-in serves it: routes, checks, state and refusals, no sockets.

:class:`Api2` answers one request (method, target, headers, body) with an :class:`Answer`, the way
the reference (§8) says Sinch answers it: authentication first (Basic with the access key, or a
bearer token this stand-in issued and that has not expired), then the body (svaml's v2 rules,
:func:`svaml.rules.validate`), then the state (services, sessions, calls, batches).

Where the reference is silent the stand-in chooses, and says so here and in docs/v2-client.md:

- an ``Idempotency-Key`` seen within 10 minutes with **another** request (method, path, query or
  body) is refused with 400: the key is misused, the request is bad; Sinch's 409 is documented
  as "Duplicate resource name" and would mislead;
- a create-call request needs a ``dial`` among its top-level commands (a server-made call needs a
  leg; every example of the reference starts with one): without one it is 400;
- a PATCH of a call that has ended is 400 (the reference lists no 409 for PATCH);
- a stopped batch's sessions that never started become EXPIRED (the reference has no other state
  for a session that never starts);
- lists are newest first; a request for another project is 403;
- an error's ``detail`` lists the rules' error messages, each with its JSON pointer.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _json, codec
from svaml._time import parse_strict, parse_timestamp, ulid
from svaml.diagnostic import Diagnostic, Severity
from svaml.emulator._rest import Answer
from svaml.errors import SvamlError
from svaml.rules import validate
from svaml.rules._v2._menus import _PLACEHOLDER
from svaml.signing import Secret
from svaml.v2.client import check_idempotency_key, service_problems
from svaml.v2.emulator._describe import describe, sinch_messages
from svaml.v2.model import (
    FINAL_RESULTS,
    BatchDetails,
    BatchSession,
    BatchStopped,
    BatchSummary,
    Call,
    CallBehavior,
    CallBehaviorType,
    CallCreated,
    CallList,
    CallReason,
    CallResult,
    Description,
    Dial,
    Direction,
    Document,
    Links,
    Money,
    OriginationType,
    PageMeta,
    Problem,
    Service,
    ServiceList,
    ServiceRequest,
    Session,
    SessionState,
    ValidationResult,
    WebhookTarget,
)

__all__ = ["IDEMPOTENCY_WINDOW", "Api2", "Batch", "PlacedCall", "problem"]

#: Seconds an ``Idempotency-Key`` is remembered (reference §8.3: 10 minutes).
IDEMPOTENCY_WINDOW = 600.0

_PROBLEMS: Mapping[int, tuple[str, str]] = {
    400: ("bad-request", "Bad Request"),
    401: ("unauthorized", "Unauthorized"),
    402: ("payment-required", "Account Suspended"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not Found"),
    405: ("method-not-allowed", "Method Not Allowed"),
    409: ("conflict", "Duplicate resource name"),
    413: ("payload-too-large", "Payload Too Large"),
    429: ("too-many-requests", "Too Many Requests"),
    500: ("internal-server-error", "Internal Server Error"),
}
_RATE = Money(currency_code="EUR", amount="0.0100")
_EXPIRED_TOKEN = 'Bearer realm="sinch", error="invalid_token", error_description="Token has expired"'
_UNKNOWN_TOKEN = 'Bearer realm="sinch", error="invalid_token", error_description="Token is not valid"'


def problem(status: int, detail: str, instance: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """An RFC 9457 ``application/problem+json`` answer as Sinch writes it (reference §8.3)."""
    slug, title = _PROBLEMS.get(status, (f"http-{status}", HTTPStatus(status).phrase))
    body = Problem(
        type=f"https://api.sinch.com/docs/errors/{slug}", title=title, detail=detail, instance=instance
    )
    return Answer(status, codec.unstructure(body), "application/problem+json", headers)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Refused(Exception):
    """A request refused: the answer to send."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


@attrs.define(eq=False)
class PlacedCall:
    """A call the stand-in placed, handed to the one player (:class:`~svaml.v2.emulator.Player`).

    ``document`` is the create request's document (for a batch, with the session's parameters
    put in), ``dial`` the command that placed the leg, ``service`` the service it runs under
    (its ``call_behavior`` says where webhooks go). :meth:`advance` moves the leg through
    Sinch's states; ``patches`` holds every PATCH document in order; ``ended`` is set once the
    leg reaches a final state.
    """

    api: Api2 = attrs.field(repr=False)
    call_id: str
    session_id: str
    document: Document = attrs.field(repr=False)
    dial: Dial = attrs.field(repr=False)
    service: Service = attrs.field(repr=False)
    patches: list[Document] = attrs.field(factory=list, repr=False)
    ended: threading.Event = attrs.field(factory=threading.Event, repr=False)
    hangup_requested: threading.Event = attrs.field(factory=threading.Event, repr=False)

    @property
    def call(self) -> Call:
        """The leg as ``GET /calls/{callId}`` answers it now."""
        with self.api.lock:
            return self.api.calls[self.call_id]

    @property
    def project_id(self) -> str:
        """The project the leg belongs to (``ce-source`` is ``projects/{project}/services/{service}``)."""
        return self.api.project_id

    @property
    def api_url(self) -> str:
        """The stand-in's base URL: the leg's ``callResourceUrl`` is ``{api_url}/v2/projects/…``."""
        return self.api.base_url()

    @property
    def session_calls(self) -> list[PlacedCall]:
        """Every leg placed with this one (one per top-level ``dial`` of the request), in order."""
        with self.api.lock:
            calls = self.api.sessions[self.session_id].calls
            return [self.api.placed[c] for c in calls if c in self.api.placed]

    @property
    def service_secret(self) -> str:
        """The service's signing secret (Base64): webhooks about this leg are signed with it."""
        with self.api.lock:
            return self.api.service_secrets[str(self.service.service_id)]

    @property
    def webhook_url(self) -> str | None:
        """Where the service posts this leg's events (None unless its behaviour is WEBHOOK)."""
        behavior = self.service.call_behavior
        if behavior is None or behavior.webhook is None or str(behavior.type) != "WEBHOOK":
            return None
        return behavior.webhook.url

    def advance(self, result: CallResult, reason: CallReason | None = None) -> Call:
        """Move the leg to ``result`` (its times and the session's state follow); return it."""
        return self.api.advance(self.call_id, result, reason)

    def join(self, dial: Dial) -> PlacedCall:
        """Place a leg the player dials itself in this leg's session (a handler's ``dial``).

        The API shows it at once (QUEUED, a new id, this request's document and service), and a
        PATCH of it, by id or by ``callName``, goes to the player; it is not handed to
        :meth:`~svaml.v2.emulator.Player.play`: the player that dialled it plays it.
        """
        return self.api.place(self.document, dial, self.session_id, self.service, self.call.batch_id)

    def settle(self, legs: Sequence[Call]) -> None:
        """End the leg's session as the player played it: see :meth:`Api2.settle`."""
        self.api.settle(self.session_id, legs)

    def wait(self, timeout: float = 10.0) -> Call:
        """Wait until the leg has ended; return it. Raises :class:`~svaml.errors.SvamlError` on timeout."""
        if not self.ended.wait(timeout):
            raise SvamlError(f"the call {self.call_id} has not ended within {timeout:g} seconds")
        return self.call


@attrs.define(eq=False)
class _SessionState:
    session_id: str
    service_id: str
    created: datetime
    state: SessionState = SessionState.QUEUED
    calls: list[str] = attrs.field(factory=list)
    updated: datetime | None = None
    ended: datetime | None = None
    batch_id: str | None = None


@attrs.define(eq=False)
class Batch:
    """A batch: one session per parameter set, started at ``max_cps`` within ``ttl_seconds``."""

    batch_id: str
    sessions: list[str]
    documents: list[Document] = attrs.field(repr=False)
    service_id: str
    max_cps: int
    ttl_seconds: int
    started: float
    stop: threading.Event = attrs.field(factory=threading.Event, repr=False)
    end_time: datetime | None = None


@attrs.define(eq=False)
class _Remembered:
    fingerprint: str
    answer: Answer
    at: float


Query = Mapping[str, list[str]]
_Handler = Callable[[str, Query, bytes, list[str]], Answer]
Play = Callable[[PlacedCall], None]
Patched = Callable[[PlacedCall, Document], None]


class Api2:
    """The v2 API of one project: its state, and :meth:`handle` to answer one request.

    ``play`` is called with each call placed (outside the lock), ``patched`` with each PATCH of a
    live call; ``clock`` is the monotonic clock of token expiry, idempotency and batch pacing.
    """

    def __init__(
        self,
        *,
        project_id: str,
        key_id: str,
        key_secret: Secret,
        base_url: Callable[[], str],
        play: Play,
        patched: Patched,
        service_secret: str,
        token_lifetime: float = 3600.0,
        allow_basic: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project_id = project_id
        self.key_id = key_id
        self._secret = key_secret
        #: The stand-in's base URL now (it is known once the server listens).
        self.base_url = base_url
        self._play = play
        self._patched = patched
        self.token_lifetime = token_lifetime
        self.allow_basic = allow_basic
        self.clock = clock
        self.lock = threading.RLock()
        self._local = threading.local()
        self.tokens: dict[str, float] = {}
        self.calls: dict[str, Call] = {}
        self.placed: dict[str, PlacedCall] = {}
        self.sessions: dict[str, _SessionState] = {}
        self.batches: dict[str, Batch] = {}
        self.services: dict[str, Service] = {}
        #: Each service's signing secret (Base64 of 16 bytes, as Sinch's): webhooks are signed with it.
        self.service_secrets: dict[str, str] = {}
        self.remembered: dict[str, _Remembered] = {}
        #: Every request received: (method, target, headers, body), oldest first.
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        #: How many of the next answers to drop (the connection closes unanswered), by method and path.
        self.drops: list[tuple[str, str]] = []
        default = Service(
            service_id=str(uuid.uuid4()),
            project_id=project_id,
            create_time=_now(),
            name="Default service",
            is_default=True,
            call_behavior=CallBehavior(type=CallBehaviorType.NONE),
        )
        self.services[str(default.service_id)] = default
        self.service_secrets[str(default.service_id)] = service_secret

    # -- entry ------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        """Answer one request; never raises."""
        got = {name.lower(): value for name, value in headers}
        parts = urlsplit(target)
        path = parts.path
        with self.lock:
            self.received.append((method, target, got, body))
        # The player hears of placed legs and patches once the request is handled and the lock free.
        later: list[Callable[[], None]] = []
        self._local.later = later
        try:
            if path == "/oauth2/token":
                answer = self._token(method, got, body)
            else:
                answer = self._api(method, path, parse_qs(parts.query, keep_blank_values=True), got, body)
        except _Refused as refused:
            answer = refused.answer
        finally:
            self._local.later = None
        for step in later:
            step()
        with self.lock:
            for index, (drop_method, drop_path) in enumerate(self.drops):
                if drop_method == method and path.endswith(drop_path):
                    del self.drops[index]
                    return attrs.evolve(answer, drop=True)
        return answer

    def _defer(self, step: Callable[[], None]) -> None:
        """Run ``step`` after the current request is handled (at once outside a request: a batch)."""
        later = getattr(self._local, "later", None)
        if later is None:
            step()
        else:
            later.append(step)

    # -- OAuth2 ---------------------------------------------------------------------------------

    def _token(self, method: str, headers: Mapping[str, str], body: bytes) -> Answer:
        if method != "POST":
            return _oauth_error(405, "invalid_request", "use POST")
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        pair = _basic(headers.get("authorization", ""))
        if pair is None and "client_id" in form and "client_secret" in form:
            pair = f"{form['client_id'][0]}:{form['client_secret'][0]}".encode()
        if pair is None or not self._secret.matches_basic(self.key_id, pair):
            return _oauth_error(401, "invalid_client", "the client id or secret is not valid")
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = self.clock() + self.token_lifetime
        lifetime = max(1, int(self.token_lifetime))
        return Answer(
            200, {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "scope": ""}
        )

    def revoke_tokens(self) -> None:
        """Forget every token issued: the next request with one is 401 ``invalid_token``."""
        with self.lock:
            self.tokens.clear()

    def _authenticate(self, headers: Mapping[str, str], instance: str) -> None:
        given = headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer":
            with self.lock:
                expiry = self.tokens.get(value.strip())
            if expiry is None:
                raise _Refused(
                    problem(
                        401,
                        "The access token is not valid",
                        instance,
                        (("WWW-Authenticate", _UNKNOWN_TOKEN),),
                    )
                )
            if self.clock() >= expiry:
                raise _Refused(
                    problem(401, "Token has expired", instance, (("WWW-Authenticate", _EXPIRED_TOKEN),))
                )
            return
        if scheme.lower() == "basic" and self.allow_basic:
            pair = _basic(given)
            if pair is not None and self._secret.matches_basic(self.key_id, pair):
                return
            raise _Refused(
                problem(
                    401,
                    "The access key id or secret is not valid",
                    instance,
                    (("WWW-Authenticate", 'Basic realm="sinch"'),),
                )
            )
        raise _Refused(
            problem(
                401,
                "Authentication is required: a Bearer token or Basic access key",
                instance,
                (("WWW-Authenticate", 'Bearer realm="sinch"'),),
            )
        )

    # -- routing --------------------------------------------------------------------------------

    def _api(self, method: str, path: str, query: Query, headers: Mapping[str, str], body: bytes) -> Answer:
        segments = [unquote(s) for s in path.split("/")[1:]]
        if len(segments) < 3 or segments[:2] != ["v2", "projects"]:
            return problem(404, f"No resource at {path}", path)
        self._authenticate(headers, path)
        if segments[2] != self.project_id:
            return problem(403, f"These credentials are not for project {segments[2]}", path)
        rest = segments[3:]
        route = self._route(method, rest)
        if route is None:
            known = self._route_methods(rest)
            if known:
                return problem(405, f"{method} is not allowed here; use {', '.join(known)}", path)
            return problem(404, f"No resource at {path}", path)
        handler, needs_key = route
        if needs_key:
            key = headers.get("idempotency-key")
            if key is not None:
                return self._idempotent(
                    key, method, path, query, body, lambda: handler(path, query, body, rest)
                )
        return handler(path, query, body, rest)

    def _route(self, method: str, rest: list[str]) -> tuple[_Handler, bool] | None:
        table = self._routes(rest)
        return table.get(method)

    def _route_methods(self, rest: list[str]) -> list[str]:
        return sorted(self._routes(rest))

    def _routes(self, rest: list[str]) -> dict[str, tuple[_Handler, bool]]:
        # Ids sit at the odd places (calls/{id}/…), except under svaml/, whose names are fixed.
        shape = tuple("*" if i % 2 and rest[0] != "svaml" else s for i, s in enumerate(rest))
        routes: dict[tuple[str, ...], dict[str, Any]] = {
            ("calls",): {"GET": (self._list_calls, False), "POST": (self._create_call, True)},
            ("calls", "*"): {"GET": (self._get_call, False), "PATCH": (self._patch_call, True)},
            ("sessions", "*"): {"GET": (self._get_session, False)},
            ("sessions", "*", "calls", "*"): {"PATCH": (self._patch_by_name, True)},
            ("batches", "*"): {"GET": (self._get_batch, False), "DELETE": (self._stop_batch, False)},
            ("batches", "*", "details"): {"GET": (self._batch_details, False)},
            ("services",): {"GET": (self._list_services, False), "POST": (self._create_service, True)},
            ("services", "*"): {
                "GET": (self._get_service, False),
                "PATCH": (self._update_service, True),
                "DELETE": (self._delete_service, False),
            },
            ("svaml", "validate"): {"POST": (self._validate, False)},
            ("svaml", "describe"): {"POST": (self._describe, False)},
        }
        return routes.get(shape, {})

    def _idempotent(
        self,
        key: str,
        method: str,
        path: str,
        query: Query,
        body: bytes,
        handler: Callable[[], Answer],
    ) -> Answer:
        try:
            check_idempotency_key(key)
        except SvamlError as exc:
            return problem(400, f"Idempotency-Key: {exc}", path)
        seen = sorted((k, tuple(v)) for k, v in query.items())
        fingerprint = hashlib.sha256(repr((method, path, seen)).encode() + b"\0" + body).hexdigest()
        with self.lock:  # one request of a key at a time: a retry waits for the first answer
            now = self.clock()
            for old in [k for k, r in self.remembered.items() if now - r.at >= IDEMPOTENCY_WINDOW]:
                del self.remembered[old]
            found = self.remembered.get(key)
            if found is not None:
                if found.fingerprint != fingerprint:
                    return problem(
                        400,
                        f"Idempotency-Key {key!r} was used in the last {IDEMPOTENCY_WINDOW / 60:g} minutes"
                        " for another request; use a new key for a new request",
                        path,
                    )
                return attrs.evolve(
                    found.answer, headers=(*found.answer.headers, ("Idempotent-Replayed", "true"))
                )
            answer = handler()
            if answer.status < 500:
                self.remembered[key] = _Remembered(fingerprint, answer, now)
            return answer

    # -- bodies ---------------------------------------------------------------------------------

    def _json(self, body: bytes, path: str) -> Any:
        if not body.strip():
            raise _Refused(problem(400, "The request has no body", path))
        try:
            decoded = _json.decode(body)
        except (ValueError, RecursionError) as exc:
            raise _Refused(problem(400, f"The body is not JSON: {exc}", path)) from None
        if not decoded.clean:
            raise _Refused(problem(400, f"The body is not JSON: {decoded.reason}", path))
        return decoded.value

    def _document(self, data: Any, path: str, *, patch: bool) -> Document:
        """A create-call or PATCH body checked by the v2 rules; 400 with their errors."""
        if not isinstance(data, Mapping):
            raise _Refused(problem(400, f"The body must be an object, not {_json.typename(data)}", path))
        if patch:
            extra = sorted(set(data) - {"commands"})
            if extra:
                raise _Refused(
                    problem(400, f"Invalid property {extra[0]!r}: a PATCH takes commands only", path)
                )
        _refuse_errors(validate(dict(data), version=2), path)
        read = codec.read(data, Document, decoded=True)
        if read.value is None:  # pragma: no cover - the rules reported what cannot be read
            raise _Refused(problem(400, "; ".join(d.describe() for d in read.problems), path))
        document: Document = read.value
        return document

    # -- calls ----------------------------------------------------------------------------------

    def _service_for(self, query: Query, path: str) -> Service:
        wanted = _one(query, "serviceId", path)
        with self.lock:
            if wanted is not None:
                found = self.services.get(wanted)
                if found is None:
                    raise _Refused(problem(404, f"Service {wanted} not found", path))
                return found
            for service in self.services.values():
                if service.is_default:
                    return service
        raise _Refused(problem(400, "The project has no default service: give serviceId", path))

    def _create_call(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        data = self._json(body, path)
        document = self._document(data, path, patch=False)
        service = self._service_for(query, path)
        if not any(isinstance(c, Dial) for c in document.commands):
            return problem(
                400, "A create-call request needs a dial command: a call needs a leg to place", path
            )
        service_id = str(service.service_id)
        if document.parameters is None:
            session_id = self._open_session(service_id, None)
            placed = self._place(document, session_id, service, None)
            for call in placed:
                self._defer(functools.partial(self._play, call))
            created = CallCreated(project_id=self.project_id, service_id=service_id, session_id=session_id)
            return Answer(201, codec.unstructure(created))
        batch = self._create_batch(data, document, service)
        created = CallCreated(
            project_id=self.project_id,
            service_id=service_id,
            session_id=batch.sessions[0] if batch.sessions else None,
            batch_id=batch.batch_id,
        )
        return Answer(201, codec.unstructure(created))

    def _open_session(self, service_id: str, batch_id: str | None) -> str:
        session_id = ulid()
        with self.lock:
            self.sessions[session_id] = _SessionState(session_id, service_id, _now(), batch_id=batch_id)
        return session_id

    def _place(
        self, document: Document, session_id: str, service: Service, batch_id: str | None
    ) -> list[PlacedCall]:
        """Make the legs of the document's top-level dials (QUEUED); the caller hands them to the player."""
        with self.lock:
            return [
                self.place(document, command, session_id, service, batch_id)
                for command in document.commands
                if isinstance(command, Dial)
            ]

    def place(
        self, document: Document, dial: Dial, session_id: str, service: Service, batch_id: str | None
    ) -> PlacedCall:
        """Make one QUEUED leg of ``dial`` in a session, under a new id; return its handle."""
        now = _now()
        with self.lock:
            session = self.sessions[session_id]
            call_id = ulid()
            self.calls[call_id] = Call(
                call_id=call_id,
                project_id=self.project_id,
                service_id=str(service.service_id),
                session_id=session_id,
                direction=Direction.OUTBOUND,
                origination_type=OriginationType.SERVER,
                call_type=dial.to.type,
                call_result=CallResult.QUEUED,
                start_time=now,
                call_rate=_RATE,
                call_resource_url=f"{self.base_url()}/v2/projects/{self.project_id}/calls/{call_id}",
                call_name=dial.call_name,
                batch_id=batch_id,
                from_=dial.from_,
                to=dial.to,
                update_time=now,
            )
            session.calls.append(call_id)
            session.updated = now
            handle = PlacedCall(self, call_id, session_id, document, dial, service)
            self.placed[call_id] = handle
        return handle

    def advance(self, call_id: str, result: CallResult, reason: CallReason | None = None) -> Call:
        """Move a leg to ``result``; set its times, and its session's state."""
        now = _now()
        with self.lock:
            call = self.calls[call_id]
            changes: dict[str, Any] = {"call_result": result, "update_time": now}
            if reason is not None:
                changes["call_reason"] = reason
            if result is CallResult.IN_PROGRESS and call.answer_time is None:
                changes["answer_time"] = now
            if result in FINAL_RESULTS:
                changes["end_time"] = now
                if call.answer_time is not None:
                    changes["call_duration_seconds"] = int((now - call.answer_time).total_seconds())
                elif result is CallResult.COMPLETED or result is CallResult.CANCEL:
                    changes["call_duration_seconds"] = 0
            call = attrs.evolve(call, **changes)
            self.calls[call_id] = call
            session = self.sessions[str(call.session_id)]
            session.updated = now
            if session.state is SessionState.QUEUED:
                session.state = SessionState.IN_PROGRESS
            if all(self.calls[c].call_result in FINAL_RESULTS for c in session.calls):
                session.state = SessionState.COMPLETED
                session.ended = now
            handle = self.placed.get(call_id)
            if result in FINAL_RESULTS and handle is not None:
                handle.ended.set()
            if session.batch_id is not None:
                self._batch_ended(self.batches[session.batch_id])
        return call

    def settle(self, session_id: str, legs: Sequence[Call]) -> None:
        """Set a session's legs as a player that plays it says (while it plays, or at its end).

        Each leg the stand-in placed takes the state, reason and times of the played leg of its
        id (else of its ``callName``, else of the first unnamed one left, in order: a player that
        names its legs itself); its ids stay the stand-in's.
        The played legs left over (legs the player dialled from handlers) join the session as
        they are, under the stand-in's project, service and session. The session's state follows:
        COMPLETED once every leg is final. Calling it again with newer legs updates them.
        """
        copied = (
            "call_result",
            "call_reason",
            "answer_time",
            "end_time",
            "update_time",
            "call_duration_seconds",
            "from_",
            "bridge_name",
        )
        with self.lock:
            session = self.sessions[session_id]
            placed = list(session.calls)
            remaining = list(legs)
            # A placed leg takes the played leg of its callName, else the first one left.
            for call_id in placed:
                name = self.calls[call_id].call_name
                match = next((leg for leg in remaining if leg.call_id == call_id), None)
                if match is None:
                    match = next(
                        (leg for leg in remaining if name is not None and leg.call_name == name), None
                    )
                if match is None:
                    match = next(
                        (leg for leg in remaining if leg.call_name is None or leg.call_name == name), None
                    )
                if match is None:
                    continue
                remaining.remove(match)
                changes = {n: getattr(match, n) for n in copied if getattr(match, n) is not None}
                self.calls[call_id] = attrs.evolve(self.calls[call_id], **changes)
            for leg in remaining:
                extra = attrs.evolve(
                    leg,
                    call_id=leg.call_id or ulid(),
                    project_id=self.project_id,
                    service_id=session.service_id,
                    session_id=session_id,
                )
                if str(extra.call_id) not in session.calls:
                    session.calls.append(str(extra.call_id))
                self.calls[str(extra.call_id)] = extra
            now = _now()
            session.updated = now
            if all(self.calls[c].call_result in FINAL_RESULTS for c in session.calls):
                session.state, session.ended = SessionState.COMPLETED, now
            elif session.state is SessionState.QUEUED:
                session.state = SessionState.IN_PROGRESS
            for call_id in placed:
                handle = self.placed.get(call_id)
                if handle is not None and self.calls[call_id].call_result in FINAL_RESULTS:
                    handle.ended.set()
            if session.batch_id is not None:
                self._batch_ended(self.batches[session.batch_id])

    def _list_calls(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        filters: list[Callable[[Call], bool]] = []
        service = _one(query, "serviceId", path)
        if service is not None:
            filters.append(lambda c: c.service_id == service)
        for name, attr in (("from", "from_"), ("to", "to")):
            value = _one(query, name, path)
            if value is not None:
                filters.append(_matches_address(attr, value))
        enums = (("callType", "call_type"), ("callResult", "call_result"), ("callReason", "call_reason"))
        for name, attr in enums:
            value = _one(query, name, path)
            if value is not None:
                filters.append(_matches_enum(attr, value.upper()))
        start, end = _moment(query, "startTime", path), _moment(query, "endTime", path)
        if start is not None:
            filters.append(lambda c: c.start_time is not None and c.start_time >= start)
        if end is not None:
            filters.append(lambda c: c.start_time is not None and c.start_time < end)
        with self.lock:
            found = [c for c in reversed(self.calls.values()) if all(f(c) for f in filters)]
        items, links, meta = self._page(found, query, path)
        return Answer(200, codec.unstructure(CallList(calls=tuple(items), links=links, meta=meta)))

    def _page(self, items: list[Any], query: Query, path: str) -> tuple[list[Any], Links, PageMeta]:
        size = _int(query, "pageSize", 20, 1, 100, path)
        page = _int(query, "page", 1, 1, None, path)
        pages = max(1, -(-len(items) // size))
        base = f"{self.base_url()}{path}"
        others = [(k, v) for k, values in query.items() if k not in ("page", "pageSize") for v in values]

        def link(number: int) -> str:
            return f"{base}?{urlencode([*others, ('page', number), ('pageSize', size)])}"

        links = Links(
            first=link(1),
            last=link(pages),
            self_=link(page),
            next=link(page + 1) if page < pages else None,
            prev=link(page - 1) if page > 1 else None,
        )
        return (
            items[(page - 1) * size : page * size],
            links,
            PageMeta(total_count=len(items), page_count=pages),
        )

    def _get_call(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            call = self.calls.get(rest[1])
        if call is None:
            return problem(404, f"Call {rest[1]} not found", path)
        return Answer(200, codec.unstructure(call))

    def _patch_call(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            handle = self.placed.get(rest[1])
        if handle is None:
            return problem(404, f"Call {rest[1]} not found", path)
        return self._patch(handle, body, path)

    def _patch_by_name(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        session_id, name = rest[1], rest[3]
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                return problem(404, f"Session {session_id} not found", path)
            live = [
                self.placed[c]
                for c in session.calls
                if c in self.placed
                and self.calls[c].call_name == name
                and self.calls[c].call_result not in FINAL_RESULTS
            ]
        if not live:
            return problem(404, f"No active call named {name!r} in session {session_id}", path)
        return self._patch(live[0], body, path)

    def _patch(self, handle: PlacedCall, body: bytes, path: str) -> Answer:
        document = self._document(self._json(body, path), path, patch=True)
        if handle.call.call_result in FINAL_RESULTS:
            return problem(400, f"Call {handle.call_id} has ended", path)
        with self.lock:
            handle.patches.append(document)
        self._defer(functools.partial(self._patched, handle, document))
        return Answer(202)

    # -- sessions and batches ---------------------------------------------------------------------

    def session(self, session_id: str) -> Session | None:
        """The session as ``GET /sessions/{sessionId}`` answers it now (None: no such session)."""
        with self.lock:
            found = self.sessions.get(session_id)
            if found is None:
                return None
            return Session(
                session_id=found.session_id,
                project_id=self.project_id,
                service_id=found.service_id,
                calls=tuple(self.calls[c] for c in found.calls),
                create_time=found.created,
                state=found.state,
                update_time=found.updated,
                end_time=found.ended,
            )

    def _get_session(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        session = self.session(rest[1])
        if session is None:
            return problem(404, f"Session {rest[1]} not found", path)
        return Answer(200, codec.unstructure(session))

    def _create_batch(self, data: Mapping[str, Any], document: Document, service: Service) -> Batch:
        options = document.batch_options
        max_cps = options.max_cps if options is not None and options.max_cps is not None else 1000
        ttl = options.ttl_seconds if options is not None and options.ttl_seconds is not None else 10800
        batch_id = ulid()
        documents, sessions = [], []
        for values in document.parameters or ():
            filled = _fill({"commands": data["commands"]}, values)
            documents.append(codec.structure(filled, Document))
            sessions.append(self._open_session(str(service.service_id), batch_id))
        batch = Batch(batch_id, sessions, documents, str(service.service_id), max_cps, ttl, self.clock())
        with self.lock:
            self.batches[batch_id] = batch
        threading.Thread(
            target=self._run_batch, args=(batch, service), name="svaml-v2-batch", daemon=True
        ).start()
        return batch

    def _run_batch(self, batch: Batch, service: Service) -> None:
        """Start the batch's sessions at ``max_cps``; those not started within the TTL expire."""
        for index, (session_id, document) in enumerate(zip(batch.sessions, batch.documents, strict=True)):
            due = batch.started + index / batch.max_cps
            limit = batch.started + batch.ttl_seconds
            if due >= limit:
                batch.stop.wait(max(0.0, limit - self.clock()))
                self._expire(batch, batch.sessions[index:])
                return
            if batch.stop.wait(max(0.0, due - self.clock())):
                self._expire(batch, batch.sessions[index:])
                return
            for call in self._place(document, session_id, service, batch.batch_id):
                self._play(call)

    def _expire(self, batch: Batch, sessions: list[str]) -> None:
        now = _now()
        with self.lock:
            for session_id in sessions:
                session = self.sessions[session_id]
                if session.state is SessionState.QUEUED:
                    session.state, session.updated, session.ended = SessionState.EXPIRED, now, now
            self._batch_ended(batch)

    def _batch_ended(self, batch: Batch) -> None:
        states = [self.sessions[s].state for s in batch.sessions]
        if batch.end_time is None and all(
            s in (SessionState.COMPLETED, SessionState.EXPIRED) for s in states
        ):
            batch.end_time = _now()

    def _get_batch(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            batch = self.batches.get(rest[1])
            if batch is None:
                return problem(404, f"Batch {rest[1]} not found", path)
            states = [self.sessions[s].state for s in batch.sessions]
            summary = BatchSummary(
                batch_id=batch.batch_id,
                session_count=len(states),
                queued=states.count(SessionState.QUEUED),
                in_progress=states.count(SessionState.IN_PROGRESS),
                completed=states.count(SessionState.COMPLETED),
                expired=states.count(SessionState.EXPIRED),
                requested_cps=batch.max_cps,
                end_time=batch.end_time,
                ttl_seconds=batch.ttl_seconds,
            )
        return Answer(200, codec.unstructure(summary))

    def _batch_details(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            batch = self.batches.get(rest[1])
            if batch is None:
                return problem(404, f"Batch {rest[1]} not found", path)
            sessions = tuple(
                BatchSession(id=s, state=self.sessions[s].state)
                for s in batch.sessions
                if self.sessions[s].state is not SessionState.EXPIRED
            )
        return Answer(200, codec.unstructure(BatchDetails(sessions=sessions)))

    def _stop_batch(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            batch = self.batches.get(rest[1])
        if batch is None:
            return problem(404, f"Batch {rest[1]} not found", path)
        batch.stop.set()
        return Answer(202, codec.unstructure(BatchStopped(result="STOP_REQUESTED")))

    # -- services -------------------------------------------------------------------------------

    def _service_request(self, body: bytes, path: str, *, update: bool) -> ServiceRequest:
        data = self._json(body, path)
        if not isinstance(data, Mapping):
            raise _Refused(problem(400, f"The body must be an object, not {_json.typename(data)}", path))
        extra = sorted(set(data) - {"name", "description", "isDefault", "callBehavior"})
        if extra:
            raise _Refused(problem(400, f"Invalid property {extra[0]!r} in the service", path))
        read = codec.read(data, ServiceRequest, decoded=True)
        if read.value is None or read.problems:
            raise _Refused(problem(400, "; ".join(d.describe() for d in read.problems), path))
        request: ServiceRequest = read.value
        problems = service_problems(request, update=update)
        if problems:
            raise _Refused(problem(400, "; ".join(problems), path))
        return request

    def _list_services(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        text = (_one(query, "filter", path) or "").casefold()
        default = _one(query, "isDefault", path)
        if default is not None and default.lower() not in ("true", "false"):
            return problem(400, f"isDefault must be true or false, not {default!r}", path)
        with self.lock:
            found = [
                s
                for s in reversed(self.services.values())
                if (text in (s.name or "").casefold() or text in (s.description or "").casefold())
                and (default is None or s.is_default is (default.lower() == "true"))
            ]
        items, links, meta = self._page(found, query, path)
        short = tuple(attrs.evolve(s, call_behavior=None) for s in items)
        return Answer(200, codec.unstructure(ServiceList(services=short, links=links, meta=meta)))

    def _create_service(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        request = self._service_request(body, path, update=False)
        with self.lock:
            self._unique(str(request.name), None, path)
            service = Service(
                service_id=str(uuid.uuid4()),
                project_id=self.project_id,
                create_time=_now(),
                name=request.name,
                is_default=bool(request.is_default),
                description=request.description,
                call_behavior=request.call_behavior or CallBehavior(type=CallBehaviorType.NONE),
            )
            if service.is_default:
                self._undefault()
            self.services[str(service.service_id)] = service
            self.service_secrets[str(service.service_id)] = base64.b64encode(os.urandom(16)).decode("ascii")
        return Answer(201, codec.unstructure(service))

    def _unique(self, name: str, service_id: str | None, path: str) -> None:
        for other in self.services.values():
            if other.name == name and other.service_id != service_id:
                raise _Refused(problem(409, f"A service named {name!r} exists already", path))

    def _undefault(self) -> None:
        for key, other in list(self.services.items()):
            if other.is_default:
                self.services[key] = attrs.evolve(other, is_default=False, update_time=_now())

    def _get_service(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            found = self.services.get(rest[1])
        if found is None:
            return problem(404, f"Service {rest[1]} not found", path)
        return Answer(200, codec.unstructure(found))

    def _update_service(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        request = self._service_request(body, path, update=True)
        with self.lock:
            found = self.services.get(rest[1])
            if found is None:
                return problem(404, f"Service {rest[1]} not found", path)
            if request.name is not None:
                self._unique(request.name, found.service_id, path)
            changes: dict[str, Any] = {
                name: value
                for name, value in (
                    ("name", request.name),
                    ("description", request.description),
                    ("call_behavior", request.call_behavior),
                )
                if value is not None
            }
            if request.is_default and not found.is_default:
                self._undefault()
                changes["is_default"] = True
            updated = attrs.evolve(found, update_time=_now(), **changes)
            self.services[rest[1]] = updated
        return Answer(200, codec.unstructure(updated))

    def _delete_service(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        with self.lock:
            found = self.services.get(rest[1])
            if found is None:
                return problem(404, f"Service {rest[1]} not found", path)
            if found.is_default:
                return problem(
                    400, "The default service cannot be deleted: make another the default first", path
                )
            del self.services[rest[1]]
        return Answer(204)

    def set_webhook(self, url: str | None) -> None:
        """Make the default service's behaviour WEBHOOK to ``url`` (None: NONE)."""
        behavior = CallBehavior(type=CallBehaviorType.NONE)
        if url is not None:
            behavior = CallBehavior(type=CallBehaviorType.WEBHOOK, webhook=WebhookTarget(url=url))
        with self.lock:
            for key, service in self.services.items():
                if service.is_default:
                    self.services[key] = attrs.evolve(service, call_behavior=behavior, update_time=_now())

    # -- SVAML ----------------------------------------------------------------------------------

    def _svaml(self, body: bytes, path: str, allowed: set[str]) -> tuple[Mapping[str, Any], Any]:
        data = self._json(body, path)
        if not isinstance(data, Mapping):
            raise _Refused(problem(400, f"The body must be an object, not {_json.typename(data)}", path))
        extra = sorted(set(data) - allowed)
        if extra:
            raise _Refused(problem(400, f"Invalid property {extra[0]!r}", path))
        if not isinstance(data.get("svaml"), Mapping):
            raise _Refused(problem(400, "svaml is required: the SVAML v2 document (an object)", path))
        return data, data["svaml"]

    def _validate(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        data, svaml = self._svaml(body, path, {"svaml", "validationType"})
        kind = data.get("validationType", "NORMAL")
        if kind not in ("NORMAL", "STRICT"):
            return problem(400, f"validationType must be NORMAL or STRICT, not {kind!r}", path)
        found = [
            d
            for d in validate(dict(svaml), version=2, strict=kind == "STRICT")
            if d.severity is Severity.ERROR
        ]
        result = ValidationResult(is_valid=not found, errors=tuple(sinch_messages(svaml, found)))
        return Answer(200, codec.unstructure(result))

    def _describe(self, path: str, query: Query, body: bytes, rest: list[str]) -> Answer:
        _, svaml = self._svaml(body, path, {"svaml"})
        _refuse_errors(validate(dict(svaml), version=2), path)
        document = codec.structure(svaml, Document)
        return Answer(200, codec.unstructure(Description(description=describe(document))))


# -- helpers ----------------------------------------------------------------------------------------


def _refuse_errors(found: list[Diagnostic], path: str) -> None:
    errors = [d for d in found if d.severity is Severity.ERROR]
    if errors:
        raise _Refused(
            problem(400, "; ".join(f"{d.pointer or '/'}: {d.message} [{d.code}]" for d in errors), path)
        )


def _oauth_error(status: int, error: str, description: str) -> Answer:
    return Answer(status, {"error": error, "error_description": description})


def _basic(header: str) -> bytes | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _one(query: Query, name: str, path: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise _Refused(problem(400, f"{name} is given {len(values)} times", path))
    return values[0]


def _int(query: Query, name: str, default: int, low: int, high: int | None, path: str) -> int:
    text = _one(query, name, path)
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise _Refused(problem(400, f"{name} must be an integer, {span}, not {text!r}", path))
    return int(text)


def _moment(query: Query, name: str, path: str) -> datetime | None:
    text = _one(query, name, path)
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        found = parse_strict(text) or parse_timestamp(text)
    except (ValueError, SvamlError):
        raise _Refused(problem(400, f"{name} must be a date or a date-time, not {text!r}", path)) from None
    return found


def _matches_address(attr: str, wanted: str) -> Callable[[Call], bool]:
    return lambda call: _address(getattr(call, attr)) == wanted


def _matches_enum(attr: str, wanted: str) -> Callable[[Call], bool]:
    return lambda call: str(getattr(getattr(call, attr), "value", getattr(call, attr))) == wanted


def _address(endpoint: object) -> str | None:
    for attr in ("number", "endpoint"):
        value = getattr(endpoint, attr, None)
        if isinstance(value, str):
            return value
    return None


def _fill(data: Any, values: Mapping[str, str]) -> Any:
    """``data`` with each ``@key`` of its strings replaced by the parameter set's value."""
    if isinstance(data, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), data)
    if isinstance(data, list):
        return [_fill(item, values) for item in data]
    if isinstance(data, Mapping):
        return {key: _fill(value, values) for key, value in data.items()}
    return data

"""A local stand-in of Sinch's Voice API v2: the REST API of one project on localhost, for tests.

:class:`Emulator2` serves every endpoint :class:`svaml.v2.client.VoiceClient2` uses under
``/v2/projects/{projectId}/…`` (calls, sessions, batches, services, ``svaml/validate``,
``svaml/describe``) and ``POST /oauth2/token``, on a real HTTP server of 127.0.0.1 (the v1
emulator's server, :mod:`svaml.emulator._server`). It checks requests as Sinch does: credentials
(Basic with the access key, or a bearer token it issued and that has not expired), bodies (the
v2 rules: a 400 problem+json with their messages), ``Idempotency-Key`` (the same key within 10
minutes answers the first answer again), and the state (one default service that cannot be
deleted, unique service names, sessions, batches paced at ``maxCps`` and expiring after
``ttlSeconds``). Point a client at it::

    with Emulator2() as sinch, sinch.client() as client:
        created = client.create_call(Svaml2().dial("+46700000001"))
        print(sinch.session(created.session_id).wait().state)  # COMPLETED

Each call it places is handed to one **player** (:class:`Player`): by default a
:class:`StatePlayer`, which moves the leg through Sinch's states (QUEUED → INITIATED →
IN_PROGRESS → COMPLETED) and hangs it up when a PATCH says ``hangup``; or a
:class:`SimulatorPlayer`, which plays the session's commands with svaml's v2 simulator against
the service's webhook, signed with the service's secret.

In pytest: the ``sinch_v2_emulator`` fixture of :mod:`svaml.v2.emulator.pytest_plugin`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import attrs

from svaml._time import ulid
from svaml.emulator._rest import Answer
from svaml.emulator._server import Served
from svaml.errors import SvamlError
from svaml.signing import Secret
from svaml.simulator import RealClock, Transcript, VirtualClock
from svaml.simulator.v2 import DEFAULT_PATH, Caller, Platform
from svaml.simulator.v2 import Session as SimulatedSession
from svaml.v2.client import VoiceClient2
from svaml.v2.emulator._api import IDEMPOTENCY_WINDOW, Api2, Batch, PlacedCall, problem
from svaml.v2.model import (
    Call,
    CallReason,
    CallResult,
    Dial,
    Document,
    Hangup,
    Service,
    Session,
    SessionState,
)

__all__ = [
    "DEFAULT_KEY_ID",
    "DEFAULT_KEY_SECRET",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_SERVICE_SECRET",
    "IDEMPOTENCY_WINDOW",
    "Batch",
    "Emulator2",
    "PlacedCall",
    "Player",
    "SessionView",
    "SimulatorPlayer",
    "StatePlayer",
]

#: The project the stand-in serves unless told otherwise (a test value).
DEFAULT_PROJECT_ID = "00000000-0000-4000-8000-00000000e2e2"
#: The access key id it answers to (a test value, not a secret).
DEFAULT_KEY_ID = "00000000-0000-4000-8000-0000000000a1"
#: The matching access key secret (a test credential: shown, not hidden).
DEFAULT_KEY_SECRET = "emulator-v2-access-key-secret"
#: The default service's signing secret (Base64 of 16 bytes, as Sinch's; a test value).
DEFAULT_SERVICE_SECRET = "ZW11bGF0b3ItdjItc3ZjIQ=="

# How often a real-time simulated session's legs are copied to the API while it plays.
_MIRROR_SECONDS = 0.02

_FAILED_REASONS = {
    CallResult.BUSY: CallReason.NOT_AVAILABLE,
    CallResult.REJECTED: CallReason.NOT_AVAILABLE,
    CallResult.NO_ANSWER: CallReason.NOT_AVAILABLE,
    CallResult.FAILED: CallReason.ERROR,
}


class Player(Protocol):
    """Plays the calls the stand-in places: one object, handed every call and every PATCH of it.

    :meth:`play` is called once per placed leg, outside the stand-in's lock, once the request is
    handled and before its answer is sent (a batch's legs: in the batch's thread), so start a
    thread of your own for anything that takes time. It gets a :class:`PlacedCall`, which knows
    the create request's document, the ``dial`` that placed the leg, the service (its webhook
    URL and signing secret); the player moves the leg with :meth:`PlacedCall.advance`, and
    places a leg it dials itself with :meth:`PlacedCall.join`.
    :meth:`patch` is called with each PATCH's document, the same way.
    """

    def play(self, call: PlacedCall) -> None:
        """Start playing a placed leg (it is QUEUED)."""

    def patch(self, call: PlacedCall, document: Document) -> None:
        """Run a PATCH's commands on a live leg."""


@attrs.frozen(kw_only=True)
class StatePlayer:
    """Moves each leg through Sinch's states, on the real clock, without playing its commands.

    The leg rings (INITIATED) for ``ring_seconds``, then is answered (IN_PROGRESS) and hangs up
    (COMPLETED, CALLEE_HANGUP) after ``talk_seconds``; with ``talk_seconds=None`` it stays
    answered until a PATCH hangs it up or the dial's ``maxCallDurationSeconds`` passes.
    ``unanswered`` (BUSY, REJECTED, NO_ANSWER or FAILED) ends every leg that way after ringing.
    A PATCH with a ``hangup`` for the leg (no ``callName``, or its own) ends it: MANAGER_HANGUP
    once answered, CANCEL while ringing.
    """

    ring_seconds: float = 0.0
    talk_seconds: float | None = 0.0
    unanswered: CallResult | None = attrs.field(default=None)

    @unanswered.validator
    def _check(self, attribute: attrs.Attribute[Any], value: CallResult | None) -> None:
        if value is not None and value not in _FAILED_REASONS:
            raise SvamlError(f"unanswered must be one of {', '.join(r.value for r in _FAILED_REASONS)}")

    def play(self, call: PlacedCall) -> None:
        """Start the leg's life in a thread of its own."""
        threading.Thread(target=self._run, args=(call,), name="svaml-v2-call", daemon=True).start()

    def patch(self, call: PlacedCall, document: Document) -> None:
        """Hang the leg up if the PATCH says so; other commands are not played."""
        name = call.call.call_name
        if any(isinstance(c, Hangup) and c.call_name in (None, name) for c in document.commands):
            call.hangup_requested.set()

    def _run(self, call: PlacedCall) -> None:
        call.advance(CallResult.INITIATED)
        if call.hangup_requested.wait(self.ring_seconds):
            call.advance(CallResult.CANCEL, CallReason.MANAGER_HANGUP)
            return
        if self.unanswered is not None:
            call.advance(self.unanswered, _FAILED_REASONS[self.unanswered])
            return
        call.advance(CallResult.IN_PROGRESS)
        talk = self.talk_seconds
        if talk is None:
            talk = call.dial.max_call_duration_seconds
        if call.hangup_requested.wait(talk):
            call.advance(CallResult.COMPLETED, CallReason.MANAGER_HANGUP)
        else:
            call.advance(CallResult.COMPLETED, CallReason.CALLEE_HANGUP)


@attrs.define(kw_only=True, eq=False)
class SimulatorPlayer:
    """Plays each created call with svaml's v2 simulator, against the service's webhook.

    The first leg of a session starts a :class:`svaml.simulator.v2.Session` with the create
    request's document (a batch's session: its parameters filled in), the service's webhook URL
    as the target, its signing secret (every webhook signed as Sinch signs it), and the
    stand-in's project, service, session and batch ids; the simulated legs take the stand-in's
    call ids (the leg each top-level ``dial`` makes, the id the stand-in placed it under; a leg
    dialled later joins the session at once: :meth:`PlacedCall.join`) and its URL, so every
    webhook, the transcript and the API name a leg alike and a PATCH by the ``callId`` a webhook
    carried reaches it. ``caller`` scripts the people (the callee of each ``dial``, keys, AMD);
    ``platform`` holds the simulator's assumptions.
    ``target`` plays against an application in the same process instead of the webhook URL (a
    :class:`~svaml.v2.webhooks.WebhookApp`, any WSGI or ASGI application: see
    :func:`svaml.simulator.as_target`), signed for the webhook URL's path.
    ``real_time`` plays on the real clock (waits last as long as they say, a PATCH reaches a leg
    while it waits, and the API shows the legs' states as they change); otherwise a session
    plays out at once on a virtual clock.

    The API reports what was played (:meth:`PlacedCall.settle`): each placed leg takes the state,
    reason and times of the simulated leg of its id, and the legs the simulator dialled besides
    join the session. A PATCH goes to :meth:`svaml.simulator.v2.Session.update` for the leg of
    its id.
    A service without a webhook (NONE) and no ``target`` has nothing to play against: its legs go through
    :class:`StatePlayer`. ``transcripts`` keeps each session's transcript by session id, once the
    simulated session is over (on the real clock the API may report every leg ended a little
    earlier: a ``pause`` of the create request's own commands, bound to no leg, runs out first, or the
    last webhook is still being sent); :meth:`transcript` waits for it.
    """

    caller: Caller | None = None
    platform: Platform | None = None
    real_time: bool = False
    target: object | None = None
    transcripts: dict[str, Transcript] = attrs.field(factory=dict, init=False)
    _sessions: dict[str, SimulatedSession] = attrs.field(factory=dict, init=False)
    _fallback: StatePlayer = attrs.field(factory=StatePlayer, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def play(self, call: PlacedCall) -> None:
        """Start the session on its first leg; a later leg of the same session waits for its end."""
        url = call.webhook_url
        if url is None and self.target is None:
            self._fallback.play(call)
            return
        with self._lock:
            if call.session_id in self._sessions:
                return
            session = SimulatedSession(
                self.target if self.target is not None else url,
                self.caller,
                path=(urlsplit(url).path or DEFAULT_PATH) if url is not None else DEFAULT_PATH,
                document=Document(commands=call.document.commands),
                secret=call.service_secret,
                platform=self.platform,
                project_id=call.project_id,
                service_id=str(call.service.service_id),
                clock=RealClock() if self.real_time else VirtualClock(),
                session_id=call.session_id,
                batch_id=call.call.batch_id,
                call_ids=_call_ids(call),
                api_url=call.api_url,
            )
            self._sessions[call.session_id] = session
        threading.Thread(target=self._run, args=(call, session), name="svaml-v2-session", daemon=True).start()

    def transcript(self, session_id: object, timeout: float = 10.0) -> Transcript:
        """Wait until the simulated session ``session_id`` is over; return its transcript.

        On the real clock the API may report every leg ended while the simulator is still sending
        the last webhook (``call.hangup``): read the transcript through this, not ``transcripts``.
        Raises :class:`~svaml.errors.SvamlError` when it is not over within ``timeout`` seconds.
        """
        key = str(session_id)
        pause = threading.Event()
        ends = time.monotonic() + timeout
        while key not in self.transcripts:
            if time.monotonic() >= ends:
                raise SvamlError(f"the simulated session {key} is not over within {timeout:g} seconds")
            pause.wait(0.01)
        return self.transcripts[key]

    def patch(self, call: PlacedCall, document: Document) -> None:
        """Give the leg's session the PATCH's commands, for the simulated leg of the same callId."""
        with self._lock:
            session = self._sessions.get(call.session_id)
        if session is None:
            self._fallback.patch(call, document)
            return
        session.update(document, call.call_id)

    def _run(self, call: PlacedCall, session: SimulatedSession) -> None:
        done = threading.Event()
        if self.real_time:  # the API shows the legs as they go (ringing, answered), not only at the end
            threading.Thread(target=self._mirror, args=(call, session, done), daemon=True).start()
        try:
            transcript = session.run()
        finally:
            done.set()
            with self._lock:
                self._sessions.pop(call.session_id, None)
        self.transcripts[call.session_id] = transcript  # kept before the API says the session ended
        call.settle(transcript.legs)

    def _mirror(self, call: PlacedCall, session: SimulatedSession, done: threading.Event) -> None:
        while not done.wait(_MIRROR_SECONDS):
            legs = session.transcript.legs
            if legs and not done.is_set():
                call.settle(legs)


def _call_ids(call: PlacedCall) -> Callable[[Dial | None], str]:
    """The simulator's names for its legs: the stand-in's, placed or joined as the simulator dials.

    A top-level dial takes the id its leg was placed under (the dial matched by identity: the
    simulator plays the very commands the stand-in placed); any other dial joins the session.
    """
    left = call.session_calls

    def call_id(dial: Dial | None) -> str:
        found = next((p for p in left if p.dial is dial), None)
        if found is not None:
            left.remove(found)
            return found.call_id
        return ulid() if dial is None else call.join(dial).call_id

    return call_id


@attrs.frozen
class SessionView:
    """A session of the stand-in: :meth:`get` reads it now, :meth:`wait` waits for its end."""

    emulator: Emulator2 = attrs.field(repr=False)
    session_id: str

    def get(self) -> Session:
        """The session as ``GET /sessions/{sessionId}`` answers it now."""
        return self.emulator._session(self.session_id)

    def wait(self, timeout: float = 10.0) -> Session:
        """Wait until the session is COMPLETED (every leg ended) or EXPIRED; return it.

        Raises :class:`~svaml.errors.SvamlError` when it has not ended within ``timeout`` seconds.
        """
        pause = threading.Event()
        ends = time.monotonic() + timeout
        while True:
            session = self.get()
            if session.state in (SessionState.COMPLETED, SessionState.EXPIRED):
                return session
            if time.monotonic() >= ends:
                raise SvamlError(f"the session {self.session_id} has not ended within {timeout:g} seconds")
            pause.wait(0.01)


class Emulator2(Served):
    """Sinch's Voice API v2 for one project, served on ``host:port`` (0: a free port).

    ``project_id``, ``key_id`` and ``key_secret`` are the project and its access key (test
    values by default). ``webhook_url`` makes the default service a WEBHOOK service posting
    there (it is NONE otherwise); ``service_secret`` is that service's signing secret (each
    service made later gets a random one: :meth:`service_secret`). ``player`` plays each placed call (default
    :class:`StatePlayer`). ``token_lifetime`` is the seconds an OAuth2 token lives;
    ``allow_basic=False`` refuses Basic credentials. Start it with :meth:`start` or ``with``.
    """

    _NAME = "v2 emulator"

    def __init__(
        self,
        *,
        project_id: str = DEFAULT_PROJECT_ID,
        key_id: str = DEFAULT_KEY_ID,
        key_secret: str = DEFAULT_KEY_SECRET,
        webhook_url: str | None = None,
        service_secret: str = DEFAULT_SERVICE_SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
        player: Player | None = None,
        token_lifetime: float = 3600.0,
        allow_basic: bool = True,
    ) -> None:
        self._key_secret = key_secret  # a test credential, shown (see key_secret)
        self.player: Player = player if player is not None else StatePlayer()
        self.api = Api2(
            project_id=project_id,
            key_id=key_id,
            key_secret=Secret(key_secret),
            base_url=lambda: self.url,
            play=lambda call: self.player.play(call),
            patched=lambda call, document: self.player.patch(call, document),
            service_secret=service_secret,
            token_lifetime=token_lifetime,
            allow_basic=allow_basic,
        )
        if webhook_url is not None:
            self.api.set_webhook(webhook_url)
        self._served_at(host, port)

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"Emulator2(project_id={self.project_id!r}, {where})"

    # -- the project ------------------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        """The project it serves."""
        return self.api.project_id

    @property
    def key_id(self) -> str:
        """The access key id requests must carry."""
        return self.api.key_id

    @property
    def key_secret(self) -> str:
        """The access key secret (a test credential)."""
        return self._key_secret

    @property
    def default_service(self) -> Service:
        """The project's default service now."""
        with self.api.lock:
            return next(s for s in self.api.services.values() if s.is_default)

    def service_secret(self, service_id: str | None = None) -> str:
        """The signing secret of a service (default: the default service), to verify its webhooks."""
        with self.api.lock:
            key = str(service_id if service_id is not None else self.default_service.service_id)
            found = self.api.service_secrets.get(key)
        if found is None:
            raise SvamlError(f"no service {service_id!r} on this emulator")
        return found

    @property
    def webhook_url(self) -> str | None:
        """Where the default service posts its events (None: its behaviour is NONE)."""
        behavior = self.default_service.call_behavior
        return behavior.webhook.url if behavior is not None and behavior.webhook is not None else None

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self.api.set_webhook(url)

    # -- serving ------------------------------------------------------------------------------------

    @property
    def token_url(self) -> str:
        """The OAuth2 token URL to give ``VoiceClient2(token_url=...)``."""
        return self.url + "/oauth2/token"

    def client(self, **options: Any) -> VoiceClient2:
        """A :class:`~svaml.v2.client.VoiceClient2` of this stand-in (``options``: its keyword arguments)."""
        settings: dict[str, Any] = {"base_url": self.url, "token_url": self.token_url}
        settings.update(options)
        return VoiceClient2(self.project_id, self.key_id, self._key_secret, **settings)

    def _answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        return self.api.handle(method, target, headers, body)

    def _refuse(self, status: int, message: str) -> Answer:
        return problem(status, message, "")

    def _stopping(self) -> None:
        # Batches pace their calls on their own threads: stop them with the server.
        with self.api.lock:
            for batch in self.api.batches.values():
                batch.stop.set()

    # -- what happened ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every leg placed so far, oldest first, as it is now."""
        with self.api.lock:
            return list(self.api.calls.values())

    def call(self, call_id: str) -> PlacedCall:
        """The placed leg ``call_id``; raises :class:`~svaml.errors.SvamlError` for an unknown id."""
        with self.api.lock:
            found = self.api.placed.get(call_id)
        if found is None:
            raise SvamlError(f"no call {call_id!r} was placed on this emulator")
        return found

    def session(self, session_id: str | None) -> SessionView:
        """The session ``session_id`` (:meth:`SessionView.wait` waits for its end)."""
        with self.api.lock:
            known = session_id in self.api.sessions
        if session_id is None or not known:
            raise SvamlError(f"no session {session_id!r} on this emulator")
        return SessionView(self, session_id)

    def batch(self, batch_id: str | None) -> Batch:
        """The batch ``batch_id``."""
        with self.api.lock:
            found = self.api.batches.get(str(batch_id))
        if found is None:
            raise SvamlError(f"no batch {batch_id!r} on this emulator")
        return found

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str], bytes]]:
        """Every request received, oldest first: ``(method, target, headers, body)``."""
        with self.api.lock:
            return list(self.api.received)

    def drop_answers(self, method: str, path: str, times: int = 1) -> None:
        """Handle the next ``times`` requests of ``method`` to a path ending in ``path``, then hang up.

        The request takes effect (a create places its call) and the client sees the connection
        close: the fault that makes a retried create without an idempotency key dangerous.
        """
        with self.api.lock:
            self.api.drops.extend([(method.upper(), path)] * times)

    def revoke_tokens(self) -> None:
        """Forget every token issued: the next request with one is 401 ``invalid_token``."""
        self.api.revoke_tokens()

    def _session(self, session_id: str) -> Session:
        found = self.api.session(session_id)
        if found is None:  # pragma: no cover - sessions are never forgotten
            raise SvamlError(f"no session {session_id!r} on this emulator")
        return found

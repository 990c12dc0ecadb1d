"""The platform's side of a v2 session: legs, command sequences on a virtual clock, webhooks.

Commands run in order; a blocking one (``pause``, ``webhook``, ``menu``, ``gotoMenu``) holds its
sequence, the others start and return. Each sequence is a generator that yields the seconds it
waits; one queue of timed actions, ordered by virtual time and then by arrival, runs them all, so
parallel work (messages playing, a callee ringing, AMD listening) interleaves as on the platform.
An event runs its command's handler as a new sequence, or, when the command has no ``events``,
goes to the service webhook, whose answer runs as a new sequence on the event's leg.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlsplit

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _json, codec
from svaml._time import ulid
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.rules import validate
from svaml.rules._v2._limits import _pattern as _placeholders
from svaml.rules._v2._limits import _replacer
from svaml.signing import Secret
from svaml.simulator._answers import Judged, judge
from svaml.simulator._caller import HangUp, Input, Press, acts_at, collect
from svaml.simulator._engine import Clock, VirtualClock
from svaml.simulator._platform import SignatureClock
from svaml.simulator._targets import Request, Target, TargetError, as_target, status_message
from svaml.simulator._transcript import (
    Entry,
    Failure,
    FailureKind,
    Kind,
    Step,
    Transcript,
    leg_label,
)
from svaml.simulator.v2._platform import Merge, Platform
from svaml.simulator.v2._script import Amd as AmdVerdict
from svaml.simulator.v2._script import Callee, Caller, Outcome
from svaml.v2.client import REGIONS
from svaml.v2.model import (
    Amd,
    Answer,
    BridgeCall,
    Command,
    Destination,
    Dial,
    Document,
    DocumentEvents,
    GotoMenu,
    Hangup,
    Menu,
    MenuItem,
    Messages,
    Origin,
    Pause,
    Phone,
    Play,
    Say,
    StartRecording,
    StopMessages,
    StopRecording,
    Use,
    Webhook,
    use_of,
)
from svaml.v2.model.calls import (
    CE_TYPE,
    CLOUD_EVENT_HEADERS,
    EVENT_CLASSES,
    SPEC_VERSION,
    Call,
    CloudEvent,
    CustomEvent,
    Event,
    IncomingEvent,
    MenuEvent,
    MenuInput,
    Money,
)
from svaml.v2.model.enums import (
    FINAL_RESULTS,
    CallReason,
    CallResult,
    CallType,
    Direction,
    OriginationType,
    TextFormat,
)
from svaml.v2.model.events import CUSTOM_PREFIX, HANDLER_EVENTS
from svaml.v2.signing import CONTENT_TYPE, format_timestamp, sign_webhook

__all__ = ["DEFAULT_PATH", "Session", "simulate", "simulate_batch"]

#: The path of the service webhook when none is given: the reference's worked example's.
DEFAULT_PATH = "/voice-webhooks"

# Documented (reference §5, §6.4), not assumptions.
_WEBHOOK_TIMEOUT = 5.0
_PRIMARY_RETRY = 60.0
_MENU_TIMEOUT = 5
_MENU_REPEATS = 2
_TICK = timedelta(microseconds=1)  # what x-timestamp's 7 digits carry of a datetime
_TAGS = re.compile(r"<[^>]*>")
_RATE = Money(currency_code="USD", amount="0.0000")
# Commands that act on their leg: not executed once it has ended (§2.3).
_ON_LEG = frozenset(
    {
        "messages",
        "webhook",
        "amd",
        "answer",
        "startRecording",
        "stopRecording",
        "bridgeCall",
        "menu",
        "gotoMenu",
    }
)
_UPDATES = threading.Lock()


def _camel(attribute: str) -> str:
    head, *rest = attribute.split("_")
    return head + "".join(part.title() for part in rest)


def _endpoint(value: Origin | Destination | None) -> str:
    if value is None:
        return "anonymous"
    return str(getattr(value, "number", None) or getattr(value, "endpoint", "?"))


def _call_type(value: Destination | None) -> CallType:
    type_ = getattr(value, "type", "PHONE")
    return CallType(type_) if type_ in CallType.__members__ else CallType.PHONE


class _Over(Exception):
    """The session ended at a failure: unwinds to :meth:`Session.run`."""


@attrs.define(eq=False)
class _Leg:
    """One leg as the platform holds it, mutable while the session runs."""

    call_id: str
    name: str | None
    direction: Direction
    origination: OriginationType
    from_: Origin | None
    to: Destination | None
    inputs: list[Input]
    amd: AmdVerdict
    started: float
    #: The dial that made it (its handlers), or None for the inbound leg.
    dial: Dial | None = None
    #: The leg whose sequence ran that dial (None: a create-call document's).
    dialler: _Leg | None = None
    #: Which dial of the session made it (1 for the first), 0 for the inbound leg.
    dial_number: int = 0
    #: The inbound leg's document-level handlers (``events`` of the call.incoming answer).
    events: DocumentEvents | None = None
    result: CallResult = CallResult.QUEUED
    reason: CallReason | None = None
    answered: float | None = None
    ended_at: float | None = None
    bridge: str | None = None
    recordings: dict[str, StartRecording] = attrs.Factory(dict)
    #: When what the leg hears now (messages, a prompt) ends: later audio queues behind it.
    audio_free: float = 0.0

    @property
    def label(self) -> str:
        return leg_label(self.name, self.direction is Direction.INBOUND, self.dial_number)

    @property
    def ended(self) -> bool:
        return self.result in FINAL_RESULTS

    @property
    def person(self) -> str:
        return "the caller" if self.direction is Direction.INBOUND else "the callee"


class _Bound(NamedTuple):
    """A wait of a sequence on a leg (a prompt, a menu's timeout): cut short when the leg ends."""

    seconds: float
    leg: _Leg


#: A sequence of commands (or a menu, or messages playing): yields how long it waits.
_Sequence = Generator[float | _Bound, None, None]


@attrs.frozen
class _Context:
    """Where a sequence runs: its current leg, and the menu whose handler it is (for ``gotoMenu``)."""

    leg: _Leg | None
    menu: Menu | None = None
    input: MenuInput | None = None


@attrs.define(eq=False)
class _Playing:
    name: str | None
    leg: _Leg
    ends: float
    stopped: bool = False
    #: The timeline index of the message being heard and when it ends (to mark it if cut short).
    heard: tuple[int, float] | None = None


@attrs.define(eq=False)
class _Route:
    """A primary webhook URL's delivery state (§6.4): consecutive failures, bypassed since when."""

    failures: int = 0
    last_failure: float | None = None
    bypassed: bool = False


@functools.lru_cache(maxsize=2048)
def _judge(body: bytes, use: Use | None) -> Judged:
    """Read and check a webhook's answer with every v2 rule, for its use (cached: answers repeat)."""
    return judge(
        body,
        rules=functools.partial(validate, version=2, use=use),
        model=Document,
        name="SVAML v2",
        needed='Sinch needs SVAML v2 ({"commands": []} for no action)',
        invalid="the answer is not valid SVAML v2",
    )


_PLATFORM = Platform()


@functools.lru_cache(maxsize=64)
def _secret(service_id: str, secret: str | Secret) -> Secret:
    """Check and key a service's ID and secret once, not once a session (a property test makes hundreds).

    A bad one is refused in a service's words (``sign_webhook``'s), never showing the secret.
    """
    held = Secret(secret)
    del secret
    sign_webhook(service_id=service_id, secret=held, path="/", body=None)
    return held


class Session:
    """One v2 session the simulated platform plays against an application: every leg, every webhook.

    ``target`` is the service webhook (see :func:`~svaml.simulator.as_target`: a ``WebhookApp``,
    any WSGI or ASGI application, a URL); ``path`` its path for in-process applications (what is
    signed). ``caller`` is the script. Without ``document`` the session is an inbound call on a
    WEBHOOK service: ``call.incoming`` first; with ``static`` it is an inbound call on a STATIC
    service, which runs that document with no ``call.incoming``; with ``document`` (a create-call
    request) it is a call the API created, whose first ``dial`` makes the first leg.
    ``fallback`` is the service's ``fallbackUrl`` (a target too); ``targets`` maps the URLs of
    ``webhook`` commands (and their fallbacks) to targets; any other URL goes to ``target`` at
    that URL's path. With ``secret`` (the service's), every webhook is signed as Sinch signs it
    (``Authorization: service <service_id>:<signature>``); without it webhooks go unsigned.
    ``session_id`` (a new ULID by default, the same for every run) and ``batch_id`` name the
    session and its batch in every call object. ``call_ids`` names each leg as it is made: it
    is called with the ``dial`` that makes the leg (None for the inbound leg) and returns its
    ``callId`` (a new ULID by default); ``api_url`` is the API's base URL the legs live under
    (``callResourceUrl`` is ``{api_url}/v2/projects/{project_id}/calls/{callId}``). A stand-in of
    the API gives both, so that webhooks, the transcript and the API name every leg alike.

    :meth:`run` plays the session and returns its :class:`~svaml.simulator.Transcript`;
    :meth:`update` gives a leg commands from outside (a PATCH), run at once when the session next
    waits.
    """

    def __init__(
        self,
        target: object,
        caller: Caller | None = None,
        *,
        document: Document | None = None,
        static: Document | None = None,
        fallback: object | None = None,
        targets: Mapping[str, object] | None = None,
        secret: str | Secret | None = None,
        platform: Platform | None = None,
        path: str = DEFAULT_PATH,
        project_id: str = "00000000-0000-4000-8000-000000000001",
        service_id: str = "00000000-0000-4000-8000-000000000002",
        clock: Clock | None = None,
        session_id: str | None = None,
        batch_id: str | None = None,
        call_ids: Callable[[Dial | None], str] | None = None,
        api_url: str = REGIONS["global"],
    ) -> None:
        if document is not None and static is not None:
            raise SvamlError("give a create-call document or a STATIC service's document, not both")
        if document is not None and document.parameters is not None:
            raise SvamlError(
                "the create-call document is a batch (it has parameters): play it with simulate_batch,"
                " one session per parameter set"
            )
        self.target: Target = as_target(target, path)
        self._owned = [self.target] if self.target is not target else []
        self.fallback: Target | None = None if fallback is None else as_target(fallback, path)
        if self.fallback is not None and self.fallback is not fallback:
            self._owned.append(self.fallback)
        self.targets = {url: as_target(t, urlsplit(url).path or "/") for url, t in (targets or {}).items()}
        self.caller = caller if caller is not None else Caller()
        self.document = document
        self.static = static
        # A bad service ID or secret is refused here, not at the first webhook.
        self._secret = None if secret is None else _secret(service_id, secret)
        del secret
        self.platform = platform if platform is not None else _PLATFORM
        self.project_id = project_id
        self.service_id = service_id
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self._wake: threading.Event | None = (
            None if isinstance(self.clock, VirtualClock) else threading.Event()
        )
        self._pending: list[tuple[Document, str | None]] = []
        self.session_id = session_id or ulid(self.platform.start or datetime.now(timezone.utc))
        self.batch_id = batch_id
        self.call_ids = call_ids
        self.api_url = api_url.rstrip("/")
        self._reset()

    def __repr__(self) -> str:
        return f"Session({self.session_id}, {self.target!r})"

    def _reset(self) -> None:
        self._now = 0.0
        self._epoch = self.platform.start or datetime.now(timezone.utc)
        self._timeline: list[Entry] = []
        self._steps: list[Step] = []
        self._legs: list[_Leg] = []
        self._queue: list[tuple[float, int, Callable[[], None], _Leg | None]] = []
        self._order = itertools.count()
        self._dials = 0
        self._commands = 0
        self._stopped: set[str] = set()
        self._playing: list[_Playing] = []
        self._routes: dict[str, _Route] = {}
        self._failure: Failure | None = None
        self._stamped: datetime | None = None  # the last x-timestamp sent

    # -- the public face ----------------------------------------------------------------------

    def run(self) -> Transcript:
        """Play the session to its end and return the transcript; never raises for the app's faults."""
        self._reset()
        try:
            if self.document is not None:
                self._entry(Kind.UPDATE, f"the API creates a call: {_names(self.document.commands)}")
                self._launch(_Context(None), self.document.commands)
            else:
                self._incoming()
            self._loop()
        except _Over:
            self._queue.clear()  # the session is over: what was still to happen does not
        finally:
            for target in self._owned:
                close = getattr(target, "close", None)
                if close is not None:
                    close()
        return self.transcript

    def update(self, document: Document, call: str | None = None) -> None:
        """Give the leg ``call`` (its callName or callId; None: the first leg) commands from outside.

        As a PATCH of the v2 API: the commands run on that leg when the session next waits.
        """
        with _UPDATES:
            if self._wake is None:
                self._wake = threading.Event()
            self._pending.append((document, call))
            self._wake.set()

    @property
    def transcript(self) -> Transcript:
        """The transcript so far (the whole session once :meth:`run` has returned)."""
        first = self._legs[0] if self._legs else None
        done = bool(self._legs) and all(leg.ended for leg in self._legs) and not self._queue
        return Transcript(
            call_id=first.call_id if first is not None else "",
            timeline=tuple(self._timeline),
            steps=tuple(self._steps),
            result=first.result if first is not None and done else None,
            reason=first.reason if first is not None and done else None,
            duration=self._now,
            failure=self._failure,
            unused=tuple(str(i) for leg in self._legs[:1] for i in leg.inputs),
            session_id=self.session_id,
            legs=tuple(self._call(leg) for leg in self._legs),
        )

    # -- time -----------------------------------------------------------------------------------

    def _at(self, seconds: float, action: Callable[[], None], leg: _Leg | None = None) -> None:
        """Run ``action`` in ``seconds``; bound to a ``leg``, at once if the leg ends meanwhile."""
        heapq.heappush(self._queue, (self._now + seconds, next(self._order), action, leg))

    def _release(self, leg: _Leg) -> None:
        """``leg`` has ended: what waits on it (anywhere in the queue) is due now, in its order."""
        if any(bound is leg for *_, bound in self._queue):
            self._queue = [
                (self._now if bound is leg else at, order, action, bound)
                for at, order, action, bound in self._queue
            ]
            heapq.heapify(self._queue)

    def _loop(self) -> None:
        limit = self.platform.max_call_seconds
        while True:
            if self._wake is not None and self._wake.is_set():
                self._take_updates()
            if not self._queue:
                if self._silence():
                    continue
                return
            at, _, action, bound = self._queue[0]
            if bound is not None and bound.ended:
                heapq.heappop(self._queue)  # what waited on an ended leg goes on now: no time passes for it
                action()
                continue
            if at > limit:
                self._longest_call(limit)
                continue
            if at > self._now:
                if self._wake is None:
                    self._now = at
                else:
                    passed, woken = self.clock.wait(at - self._now, self._wake)
                    if woken:
                        self._now += passed
                        self._take_updates()
                        continue
                    self._now = at
            heapq.heappop(self._queue)
            action()

    def _take_updates(self) -> None:
        assert self._wake is not None
        with _UPDATES:
            pending, self._pending = self._pending, []
            self._wake.clear()
        for document, name in pending:
            leg = self._find(name) if name is not None else (self._legs[0] if self._legs else None)
            if leg is None or leg.ended:
                self._entry(Kind.UPDATE, f"update for {name or 'the first leg'} refused: no such active leg")
                continue
            self._entry(Kind.UPDATE, f"update: {_names(document.commands)}", leg)
            self._launch(_Context(leg), document.commands)

    def _silence(self) -> bool:
        """Nothing left to happen: each person still on a leg hangs up after the platform's patience."""
        live = [leg for leg in self._legs if not leg.ended]
        if not live:
            return False
        patience = self.platform.caller_patience
        for leg in live:
            self._at(patience, functools.partial(self._gives_up, leg, patience), leg)
        return True

    def _gives_up(self, leg: _Leg, patience: float) -> None:
        if leg.ended:
            return
        self._entry(Kind.HANGUP, f"{leg.person} hangs up after {patience:g} s of silence", leg)
        self._person_hangs_up(leg)

    def _longest_call(self, limit: float) -> None:
        """The session reached the platform's longest call: every leg ends there, nothing more runs."""
        self._now = limit
        self._queue.clear()
        for leg in self._legs:
            if not leg.ended:
                self._entry(Kind.HANGUP, f"the longest call the platform allows ({limit:g} s)", leg)
                self._end(leg, *self.platform.max_duration_end, handlers=False)

    # -- the timeline ---------------------------------------------------------------------------

    def _entry(
        self, kind: Kind, text: str, leg: _Leg | None = None, step: int | None = None, **detail: Any
    ) -> None:
        self._timeline.append(
            Entry(
                at=self._now,
                kind=kind,
                text=text,
                step=step,
                detail=detail,
                leg=leg.label if leg is not None else None,
            )
        )

    # -- legs -------------------------------------------------------------------------------------

    def _moment(self, seconds: float | None) -> datetime | None:
        return None if seconds is None else self._epoch + timedelta(seconds=seconds)

    def _call(self, leg: _Leg) -> Call:
        """The leg as the v2 API shows a call: its state now."""
        talked = None
        if leg.answered is not None and leg.ended_at is not None:
            talked = int(leg.ended_at - leg.answered)
        return Call(
            call_id=leg.call_id,
            project_id=self.project_id,
            service_id=self.service_id,
            session_id=self.session_id,
            direction=leg.direction,
            origination_type=leg.origination,
            call_type=_call_type(leg.to),
            call_result=leg.result,
            start_time=self._moment(leg.started),
            call_rate=_RATE,
            call_resource_url=f"{self.api_url}/v2/projects/{self.project_id}/calls/{leg.call_id}",
            call_name=leg.name,
            bridge_name=leg.bridge,
            batch_id=self.batch_id,
            from_=leg.from_,
            to=leg.to,
            update_time=self._moment(self._now if leg.ended_at is None else leg.ended_at),
            answer_time=self._moment(leg.answered),
            end_time=self._moment(leg.ended_at),
            call_duration_seconds=talked,
            call_reason=leg.reason,
        )

    def _find(self, name: str) -> _Leg | None:
        """The active leg of that callName (or callId); else the last leg of that name."""
        found = [leg for leg in self._legs if name in (leg.name, leg.call_id)]
        active = [leg for leg in found if not leg.ended]
        chosen = active or found
        return chosen[-1] if chosen else None

    def _new_leg(self, **fields: Any) -> _Leg:
        if self.call_ids is None:
            call_id = ulid(self._epoch + timedelta(seconds=self._now))
        else:
            call_id = self.call_ids(fields.get("dial"))
            if not isinstance(call_id, str) or not call_id or any(x.call_id == call_id for x in self._legs):
                raise SvamlError(f"call_ids gave {call_id!r}: a leg's callId is a new non-empty string")
        leg = _Leg(call_id=call_id, started=self._now, **fields)
        self._legs.append(leg)
        return leg

    def _answer(self, leg: _Leg, why: str) -> None:
        if leg.answered is None and not leg.ended:
            leg.answered = self._now
            leg.result = CallResult.IN_PROGRESS
            self._entry(Kind.ANSWERED, why, leg)

    def _end(self, leg: _Leg, result: CallResult, reason: CallReason, *, handlers: bool = True) -> None:
        """End a leg: its recordings stop, it leaves its bridge, then its hangup handler runs."""
        if leg.ended:
            return
        leg.result, leg.reason, leg.ended_at = result, reason, self._now
        self._release(leg)
        self._entry(Kind.END, f"{result.value} {reason.value}", leg, result=result.value, reason=reason.value)
        if leg.bridge is not None:
            others = [x.label for x in self._legs if x.bridge == leg.bridge and not x.ended]
            self._entry(
                Kind.CONNECTED,
                f"leaves bridge {leg.bridge}"
                + (f" ({', '.join(others)} stay{'s' * (len(others) == 1)})" if others else ""),
                leg,
            )
        for playing in self._playing:
            if playing.leg is leg and not playing.stopped:
                playing.stopped = True
                self._cut(playing)
                if playing.ends > self._now:
                    what = f"messages {playing.name}" if playing.name else "the messages playing"
                    self._entry(Kind.END, f"{what} cut short", leg)
        if not handlers:
            leg.recordings.clear()
            return
        for name, command in list(leg.recordings.items()):
            del leg.recordings[name]
            self._entry(
                Kind.RECORDING, f"recording {name or ''} stopped: the leg ended".replace("  ", " "), leg
            )
            self._outcome(leg, command, "on_finish")
        self._hung_up(leg)

    def _cut(self, playing: _Playing) -> None:
        """Mark the message being heard ``[cut short]`` (as a barged-in prompt) if it stops early."""
        if playing.heard is not None and playing.heard[1] > self._now:
            index = playing.heard[0]
            entry = self._timeline[index]
            detail = {**entry.detail, "cut": True}
            self._timeline[index] = attrs.evolve(entry, text=entry.text + " [cut short]", detail=detail)

    def _hung_up(self, leg: _Leg) -> None:
        """A leg disconnected: the onHangup of what made it, or ``call.hangup`` (reference §4)."""
        if leg.dial is not None:
            self._outcome(leg, leg.dial, "on_hangup")
        elif leg.events is not None:
            self._run_handler(leg, "onHangup", "the call", leg.events.on_hangup, _Context(leg))
        else:
            self._notify(leg, "call.hangup")

    def _person_hangs_up(self, leg: _Leg) -> None:
        if leg.answered is None and leg.direction is Direction.INBOUND:
            self._end(leg, *self.platform.caller_gives_up)
        else:
            reason = (
                CallReason.CALLER_HANGUP if leg.direction is Direction.INBOUND else CallReason.CALLEE_HANGUP
            )
            self._end(leg, CallResult.COMPLETED, reason)

    # -- the start ----------------------------------------------------------------------------------

    def _incoming(self) -> None:
        caller = self.caller
        leg = self._new_leg(
            name=None,
            direction=Direction.INBOUND,
            origination=OriginationType.PHONE,
            from_=Phone(caller.cli),
            to=Phone(caller.to),
            inputs=list(caller.inputs),
            amd=caller.amd,
        )
        leg.result = CallResult.INITIATED
        self._entry(Kind.DIAL, f"inbound call from {caller.cli} to {caller.to}", leg)
        if caller.hangup_after is not None:
            self._at(caller.hangup_after, functools.partial(self._scripted_hangup, leg), leg)
        if self.static is not None:
            self._entry(Kind.HANDLER, "the STATIC service's document runs (no call.incoming)", leg)
            self._adopt(leg, self.static)
            self._launch(_Context(leg), self.static.commands)
            return
        answer = self._deliver(self._event(IncomingEvent, leg), leg)
        if answer is not None:
            self._adopt(leg, answer)
            self._launch(_Context(leg), answer.commands)

    def _adopt(self, leg: _Leg, document: Document) -> None:
        """``callName`` and ``events`` of the inbound leg's document name it and hold its onHangup."""
        if document.call_name is not None:
            leg.name = document.call_name
        leg.events = document.events

    def _scripted_hangup(self, leg: _Leg) -> None:
        if not leg.ended:
            self._entry(Kind.HANGUP, f"{leg.person} hangs up", leg)
            self._person_hangs_up(leg)

    # -- sequences ----------------------------------------------------------------------------------

    def _launch(self, ctx: _Context, commands: Iterable[Command]) -> None:
        """Start ``commands`` as a sequence of its own (a handler, an answer), after what runs now."""
        self._at(0.0, functools.partial(self._step, self._sequence(ctx, tuple(commands))))

    def _step(self, sequence: _Sequence) -> None:
        try:
            wait = next(sequence)
        except StopIteration:
            return
        if isinstance(wait, _Bound):
            self._at(wait.seconds, functools.partial(self._step, sequence), wait.leg)
        else:
            self._at(wait, functools.partial(self._step, sequence))

    def _sequence(self, ctx: _Context, commands: tuple[Command, ...]) -> _Sequence:
        for command in commands:
            self._commands += 1
            if self._commands > self.platform.max_commands:
                self._fail_session(
                    f"the session ran more than {self.platform.max_commands} commands (Platform.max_commands)"
                )
            leg = ctx.leg
            text = _describe(command)
            if command.command in _ON_LEG and (leg is None or leg.ended):
                why = "no leg yet" if leg is None else "its leg has ended"
                self._entry(Kind.COMMAND, f"{text}: not executed, {why}", leg)
                continue
            self._entry(Kind.COMMAND, text, leg)
            if isinstance(command, Pause):
                seconds = command.duration_milliseconds / 1000
                yield seconds if leg is None else _Bound(seconds, leg)
            elif isinstance(command, Webhook):
                assert leg is not None
                answer = self._custom(ctx, leg, command)
                if answer is not None:
                    yield from self._sequence(_Context(leg, ctx.menu, ctx.input), answer.commands)
                    if self.platform.webhook_merge is Merge.REPLACE:
                        return
            elif isinstance(command, Menu):
                assert leg is not None
                yield from self._menu(leg, command, command.start_menu)
            elif isinstance(command, GotoMenu):
                assert leg is not None
                if ctx.menu is None:
                    self._entry(Kind.MENU, f"gotoMenu {command.menu_name}: not inside a menu, ignored", leg)
                else:
                    yield from self._menu(leg, ctx.menu, command.menu_name)
            else:
                self._parallel(ctx, command)

    def _parallel(self, ctx: _Context, command: Command) -> None:
        """Start a non-blocking command: it returns at once, its work goes on in parallel."""
        leg = ctx.leg
        if isinstance(command, Dial):
            self._dial(ctx, command)
        elif isinstance(command, Hangup):
            self._hangup(leg, command)
        elif isinstance(command, StopMessages):
            self._stop_messages(leg, command.messages_name)
        else:
            assert leg is not None  # the other commands act on their leg (_ON_LEG)
            if isinstance(command, Answer):
                self._answer(leg, "answered (answer)")
            elif isinstance(command, Messages):
                self._messages(leg, command)
            elif isinstance(command, Amd):
                self._at(self.platform.amd_seconds, functools.partial(self._amd, leg, command), leg)
            elif isinstance(command, StartRecording):
                self._start_recording(leg, command)
            elif isinstance(command, StopRecording):
                self._stop_recording(leg, command.recording_name)
            elif isinstance(command, BridgeCall):
                self._bridge(leg, command.bridge_name)

    # -- outcomes: a handler, or the service webhook ------------------------------------------------

    def _outcome(
        self, leg: _Leg, command: Dial | Messages | Amd | StartRecording, handler: str, on: _Leg | None = None
    ) -> None:
        """An outcome of ``command`` on ``leg``: its handler runs; with no ``events``, its webhook is sent.

        The handler (or the webhook's answer) runs on ``on`` when given, else on ``leg``.
        """
        name = _camel(handler)
        event = HANDLER_EVENTS[command.command][name]
        events = command.events
        if events is None:
            self._notify(leg, event, runs_on=on)
            return
        self._run_handler(leg, name, command.command, getattr(events, handler), _Context(on or leg))

    def _run_handler(
        self, leg: _Leg, name: str, owner: str, commands: tuple[Command, ...] | None, ctx: _Context
    ) -> None:
        if commands is None:
            self._entry(Kind.HANDLER, f"{owner} has events but no {name}: the outcome is ignored", leg)
            return
        self._entry(Kind.HANDLER, f"{name} of {owner}: {_names(commands)}", leg)
        self._launch(ctx, commands)

    # -- webhooks -----------------------------------------------------------------------------------

    def _event(
        self, cls: type[Event], leg: _Leg, name: str | None = None, menu: MenuInput | None = None
    ) -> Event:
        fields: dict[str, Any] = {"call": self._call(leg), "menu": menu}
        if name is not None:
            fields["event"] = name
        return cls(**fields)

    def _notify(
        self, leg: _Leg, name: str, menu: MenuInput | None = None, runs_on: _Leg | None = None
    ) -> None:
        """Send an event about ``leg`` to the service webhook; its answer runs on ``runs_on`` or that leg.

        A STATIC service has no webhook: the event is ignored (reference §2.3's precedence).
        """
        if self.static is not None:
            self._entry(Kind.HANDLER, f"{name} ignored: a STATIC service has no webhook", leg)
            return
        answer = self._deliver(self._event(EVENT_CLASSES[name], leg, menu=menu), leg)
        if answer is not None and answer.commands:
            self._launch(_Context(runs_on or leg), answer.commands)

    def _custom(self, ctx: _Context, leg: _Leg, command: Webhook) -> Document | None:
        event = self._event(CustomEvent, leg, CUSTOM_PREFIX + command.webhook_name, ctx.input)
        return self._deliver(event, leg, command.url, command.fallback_url)

    def _target(self, url: str | None) -> tuple[Target, str]:
        """Where a URL's requests go, and the path signed: the service's, or a webhook command's."""
        if url is None:
            return self.target, self.target.path
        given = self.targets.get(url)
        if given is not None:
            return given, given.path
        parts = urlsplit(url)
        return self.target, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def _deliver(
        self, event: Event, leg: _Leg, url: str | None = None, fallback_url: str | None = None
    ) -> Document | None:
        """Deliver an event (§6.4): the primary URL, the fallback on failure; the answer, or None.

        A delivery that fails on every URL disconnects the call (the session, or the leg: see
        ``Platform.failure_ends_session``) and returns None.
        """
        has_fallback = (self.fallback is not None) if url is None else (fallback_url is not None)
        route = self._routes.setdefault(url or "", _Route())
        cloud = CloudEvent(
            id=str(uuid.uuid4()),
            source=f"projects/{self.project_id}/services/{self.service_id}",
            type=CE_TYPE,
            specversion=SPEC_VERSION,
            time=self._moment(self._now),
        )
        event = attrs.evolve(event, cloud=cloud)  # the transcript keeps the ce-* attributes sent
        body = _json.dumps(codec.unstructure(event)).encode()
        self._entry(Kind.EVENT, _event_text(event), leg, step=len(self._steps))
        use_primary = not (has_fallback and route.bypassed)
        if (
            not use_primary
            and route.last_failure is not None
            and self._now - route.last_failure >= _PRIMARY_RETRY
        ):
            use_primary = True  # the primary is retried every 60 s while bypassed
        last: tuple[FailureKind, str, tuple[Diagnostic, ...]] | None = None
        if use_primary:
            target, path = self._target(url)
            outcome = self._send(event, cloud, body, target, path, url or self.target.path, leg)
            if isinstance(outcome, Document):
                route.failures, route.bypassed, route.last_failure = 0, False, None
                return outcome
            last = outcome
            route.failures += 1
            route.last_failure = self._now
            if route.failures >= self.platform.failures_before_bypass and has_fallback and not route.bypassed:
                route.bypassed = True
                self._entry(
                    Kind.FAILURE,
                    f"{route.failures} failures in a row: only the fallback URL is used now",
                    leg,
                )
        if has_fallback:
            if url is None:
                assert self.fallback is not None
                target, path, shown_url = self.fallback, self.fallback.path, "fallback " + self.fallback.path
            else:
                assert fallback_url is not None
                target, path = self._target(fallback_url)
                shown_url = fallback_url
            outcome = self._send(event, cloud, body, target, path, shown_url, leg)
            if isinstance(outcome, Document):
                return outcome
            last = outcome
        assert last is not None
        kind, message, found = last
        self._fail(leg, event, kind, message, found)
        return None

    def _send(
        self,
        event: Event,
        cloud: CloudEvent,
        body: bytes,
        target: Target,
        path: str,
        shown_url: str,
        leg: _Leg,
    ) -> Document | tuple[FailureKind, str, tuple[Diagnostic, ...]]:
        """One request of a delivery: recorded as a step; the answer, or why it failed."""
        index = len(self._steps)
        if index >= self.platform.max_steps:
            self._fail_session(
                f"the session did not end within {self.platform.max_steps} webhooks (Platform.max_steps)",
                FailureKind.STEP_LIMIT,
                event,
            )
        request = self._request(cloud, body, path)
        started = time.perf_counter()
        try:
            reply = target.send(request, _WEBHOOK_TIMEOUT)
        except TargetError as exc:
            self._record(index, event, None, "", None, (), time.perf_counter() - started, shown_url)
            self._entry(Kind.ANSWER, f"no answer: {exc}", leg, step=index)
            return (exc.kind, str(exc), ())
        latency = time.perf_counter() - started
        if not 200 <= reply.status < 300:
            text = reply.body.decode("utf-8", "replace")
            self._record(index, event, reply.status, text, None, reply.diagnostics, latency, shown_url)
            self._entry(Kind.ANSWER, f"HTTP {reply.status}", leg, step=index)
            message = status_message(reply, self._secret is not None, "give the service ID and secret")
            return (FailureKind.STATUS, message, reply.diagnostics)
        judged = _judge(reply.body, use_of(event.event))  # {"commands": []} is "no action" but to incoming
        found = judged.diagnostics
        self._record(index, event, reply.status, judged.text, judged.document, found, latency, shown_url)
        self._entry(Kind.ANSWER, f"{reply.status} {judged.summary}", leg, step=index)
        if judged.kind is not None:
            return (judged.kind, judged.message, judged.diagnostics)
        if latency > _WEBHOOK_TIMEOUT:
            return (
                FailureKind.TIMEOUT,
                f"answered after {latency:.3f} s; Sinch waits {_WEBHOOK_TIMEOUT:g} s",
                (),
            )
        document: Document = judged.document
        assert document is not None
        if not isinstance(event, IncomingEvent) and (
            document.call_name is not None or document.events is not None
        ):
            self._entry(
                Kind.HANDLER, "callName and events count only in a call.incoming answer: ignored", leg
            )
        return document

    def _timestamp(self) -> datetime:
        """The next ``x-timestamp``: the wall (or virtual) time, each later than the last.

        Two webhooks with the same body (two messages ending at once) then never carry the same
        signature, which an application's replay store would refuse.
        """
        if self.platform.signature_clock is SignatureClock.VIRTUAL:
            moment = self._epoch + timedelta(seconds=self._now)
        else:
            moment = datetime.now(timezone.utc)
        if self._stamped is not None and moment <= self._stamped:
            moment = self._stamped + _TICK
        self._stamped = moment
        return moment

    def _request(self, cloud: CloudEvent, body: bytes, path: str) -> Request:
        moment = self._timestamp()
        headers: list[tuple[str, str]] = [("Content-Type", CONTENT_TYPE)]
        for attribute, header in CLOUD_EVENT_HEADERS.items():
            value = getattr(cloud, attribute)
            headers.append((header, value if isinstance(value, str) else _ce_time(value)))
        if self._secret is not None:
            signed = sign_webhook(
                service_id=self.service_id, secret=self._secret, path=path, body=body, timestamp=moment
            )
            headers.extend(signed.items())
        else:
            headers.append(("x-timestamp", format_timestamp(moment)))
        return Request("POST", path, tuple(headers), body)

    def _record(
        self,
        index: int,
        event: Event,
        status: int | None,
        body: str,
        answer: Document | None,
        found: tuple[Diagnostic, ...],
        latency: float,
        url: str,
    ) -> None:
        self._steps.append(
            Step(
                index=index,
                at=self._now,
                event=event,
                status=status,
                body=body,
                answer=answer,
                diagnostics=found,
                latency=latency,
                url=url,
            )
        )

    # -- failures -----------------------------------------------------------------------------------

    def _fail(
        self, leg: _Leg, event: Event, kind: FailureKind, message: str, found: tuple[Diagnostic, ...]
    ) -> None:
        """A webhook failed on every URL: the call is disconnected (§6.4)."""
        errors = tuple(d for d in found if d.severity is Severity.ERROR) or found
        if self._failure is None:
            self._failure = Failure(
                step=len(self._steps) - 1, event=event.event, kind=kind, message=message, diagnostics=errors
            )
        self._entry(
            Kind.FAILURE, f"{event.event} failed: {kind.value}: {message}", leg, step=len(self._steps) - 1
        )
        legs = [x for x in self._legs if not x.ended] if self.platform.failure_ends_session else [leg]
        for each in legs:
            after = (
                self.platform.after_failure
                if each.answered is not None
                else self.platform.after_failure_unanswered
            )
            self._end(each, *after, handlers=False)
        if self.platform.failure_ends_session:
            raise _Over

    def _fail_session(
        self, message: str, kind: FailureKind = FailureKind.STEP_LIMIT, event: Event | None = None
    ) -> NoReturn:
        name = event.event if event is not None else "session"
        if self._failure is None:
            self._failure = Failure(step=len(self._steps), event=name, kind=kind, message=message)
        self._entry(Kind.FAILURE, f"{kind.value}: {message}")
        for leg in self._legs:
            if not leg.ended:
                after = (
                    self.platform.after_failure
                    if leg.answered is not None
                    else self.platform.after_failure_unanswered
                )
                self._end(leg, *after, handlers=False)
        raise _Over

    # -- the non-blocking commands ------------------------------------------------------------------

    def _dial(self, ctx: _Context, command: Dial) -> None:
        callee = self.caller.callee(self._dials)
        self._dials += 1
        source = ctx.leg
        from_ = command.from_
        if from_ is None and source is not None and isinstance(source.to, Phone):
            from_ = source.to  # the number the inbound call was made to calls out
        leg = self._new_leg(
            name=command.call_name,
            direction=Direction.OUTBOUND,
            origination=OriginationType.SERVER,
            from_=from_,
            to=command.to,
            inputs=list(callee.inputs),
            amd=callee.amd,
            dial=command,
            dialler=source,
            dial_number=self._dials,
        )
        if command.call_name is not None and any(
            x.name == command.call_name and not x.ended and x is not leg for x in self._legs
        ):
            leg.result = CallResult.INITIATED
            self._entry(
                Kind.DIAL, f"callName {command.call_name} is taken by an active leg: the dial fails", leg
            )
            self._at(0.0, functools.partial(self._dial_ends, leg, command, Outcome.FAILURE), leg)
            return
        leg.result = CallResult.INITIATED
        where = _endpoint(command.to)
        self._entry(Kind.DIAL, f"dials {where}: {callee.outcome.value}", leg, outcome=callee.outcome.value)
        timeout = (
            float(command.dial_timeout_duration_seconds)
            if command.dial_timeout_duration_seconds is not None
            else self.platform.dial_timeout
        )
        outcome = callee.outcome
        if outcome is Outcome.FAILURE:
            self._at(0.0, functools.partial(self._dial_ends, leg, command, outcome), leg)
        elif outcome is Outcome.TIMEOUT or callee.ring >= timeout:
            self._at(timeout, functools.partial(self._dial_ends, leg, command, Outcome.TIMEOUT), leg)
        elif outcome is Outcome.ANSWER:
            self._at(callee.ring, functools.partial(self._answered, leg, command, callee), leg)
        else:
            self._at(callee.ring, functools.partial(self._dial_ends, leg, command, outcome), leg)

    def _answered(self, leg: _Leg, command: Dial, callee: Callee) -> None:
        if leg.ended:
            return
        self._answer(leg, f"{_endpoint(command.to)} answered")
        if command.max_call_duration_seconds is not None:
            limit = float(command.max_call_duration_seconds)
            self._at(limit, functools.partial(self._max_duration, leg, limit), leg)
        if callee.talk is not None:
            self._at(callee.talk, functools.partial(self._scripted_hangup, leg), leg)
        self._outcome(leg, command, "on_answer")

    def _max_duration(self, leg: _Leg, limit: float) -> None:
        if not leg.ended:
            self._entry(Kind.HANGUP, f"maxCallDurationSeconds {limit:g} reached", leg)
            self._end(leg, *self.platform.max_duration_end)

    def _dial_ends(self, leg: _Leg, command: Dial, outcome: Outcome) -> None:
        """A dialled leg that never connects: its state, then its handler (and onHangup, per A3)."""
        if leg.ended:
            return
        result, handler = {
            Outcome.BUSY: (CallResult.BUSY, "on_busy"),
            Outcome.REJECT: (CallResult.REJECTED, "on_reject"),
            Outcome.TIMEOUT: (CallResult.NO_ANSWER, "on_timeout"),
            Outcome.FAILURE: (CallResult.FAILED, "on_failure"),
        }[outcome]
        reason = CallReason.ERROR if outcome is Outcome.FAILURE else CallReason.NOT_AVAILABLE
        leg.result, leg.reason, leg.ended_at = result, reason, self._now
        self._release(leg)
        self._entry(Kind.END, f"{result.value} {reason.value}", leg, result=result.value, reason=reason.value)
        on = leg.dialler if self.platform.failed_dial_on_dialler else None
        self._outcome(leg, command, handler, on)
        if self.platform.hangup_after_unanswered:
            self._outcome(leg, command, "on_hangup", on)

    def _hangup(self, leg: _Leg | None, command: Hangup) -> None:
        if command.call_name is not None:
            found = self._find(command.call_name)
            if found is None or found.ended:
                self._entry(Kind.HANGUP, f"hangup {command.call_name}: no active leg of that name", leg)
                return
            leg = found
        if leg is None or leg.ended:
            self._entry(Kind.HANGUP, "hangup: the leg has ended already", leg)
            return
        if self.platform.hangup_after_audio and leg.audio_free > self._now:
            self._entry(Kind.HANGUP, "the application hangs up once what plays has ended", leg)
            self._at(leg.audio_free - self._now, functools.partial(self._app_hangup, leg), leg)
            return
        self._entry(Kind.HANGUP, "the application hangs up", leg)
        self._app_hangup(leg)

    def _app_hangup(self, leg: _Leg) -> None:
        if leg.ended:
            return
        if leg.answered is not None:
            self._end(leg, *self.platform.app_hangup)
        elif leg.direction is Direction.INBOUND:
            self._end(leg, *self.platform.app_hangup_unanswered)
        else:
            self._end(leg, *self.platform.app_hangup_ringing)

    def _implicit_answer(self, leg: _Leg, what: str) -> None:
        if leg.answered is None and leg.direction is Direction.INBOUND and self.platform.implicit_answer:
            self._answer(leg, f"answered by the {what} (Platform.implicit_answer)")

    def _parts(self, messages: Iterable[Say | Play]) -> list[tuple[str, float]]:
        """What each message says (or plays) and for how many seconds."""
        out = []
        for message in messages:
            if isinstance(message, Say):
                text = message.text
                if message.format == TextFormat.SSML:
                    text = _TAGS.sub("", text).strip()
                out.append((text, max(len(text), 1) / self.platform.tts_chars_per_second))
            else:
                out.append((f"[play {message.url}]", self.platform.file_seconds))
        return out

    def _messages(self, leg: _Leg, command: Messages) -> None:
        name = command.messages_name
        if name is not None and name in self._stopped:
            self._entry(Kind.COMMAND, f"messages {name}: not played, stopMessages stopped that name", leg)
            return
        self._implicit_answer(leg, "messages")
        parts = self._parts(command.messages)
        queued = self._queued(leg)
        playing = _Playing(name, leg, self._now + queued + sum(seconds for _, seconds in parts))
        if self.platform.queue_audio:
            leg.audio_free = playing.ends
        self._playing.append(playing)
        sequence = self._play(leg, command, playing, parts)
        if queued:
            self._at(queued, functools.partial(self._step, sequence), leg)
        else:
            self._step(sequence)  # it starts now: a hangup right after it cuts it short

    def _queued(self, leg: _Leg) -> float:
        """Seconds until what ``leg`` hears now ends (0 when audio does not queue)."""
        return max(0.0, leg.audio_free - self._now) if self.platform.queue_audio else 0.0

    def _play(
        self, leg: _Leg, command: Messages, playing: _Playing, parts: list[tuple[str, float]]
    ) -> _Sequence:
        try:
            for text, seconds in parts:
                if playing.stopped:
                    return
                self._entry(Kind.HEARD, text, leg)
                playing.heard = (len(self._timeline) - 1, self._now + seconds)
                yield _Bound(seconds, leg)
            if playing.stopped:
                return
        finally:
            self._playing.remove(playing)
        self._outcome(leg, command, "on_finish")

    def _stop_messages(self, leg: _Leg | None, name: str) -> None:
        self._stopped.add(name)
        stopped = [p for p in self._playing if p.name == name and not p.stopped]
        for playing in stopped:
            playing.stopped = True
            self._cut(playing)
            left = [p.ends for p in self._playing if p.leg is playing.leg and not p.stopped]
            playing.leg.audio_free = max(left, default=self._now)
        self._entry(
            Kind.COMMAND,
            f"messages {name} stopped"
            + ("" if stopped else " (none playing)")
            + "; later ones will not play",
            leg,
        )

    def _amd(self, leg: _Leg, command: Amd) -> None:
        if leg.ended:
            return
        verdict = leg.amd
        self._entry(Kind.AMD, verdict.value, leg, verdict=verdict.value)
        if verdict is AmdVerdict.BEEP and self.platform.beep_also_machine:
            self._outcome(leg, command, "on_machine")
        self._outcome(leg, command, "on_" + verdict.value)

    def _start_recording(self, leg: _Leg, command: StartRecording) -> None:
        name = command.recording_name or ""
        if self.caller.recording_fails or name in leg.recordings:
            why = (
                "the caller script fails it"
                if self.caller.recording_fails
                else f"{name} is recording already"
            )
            self._entry(Kind.RECORDING, f"recording {name} could not start ({why})".replace("  ", " "), leg)
            if command.events is None and not self.platform.recording_failure_webhook:
                self._entry(
                    Kind.HANDLER,
                    "no onFailure: the failure is ignored (Platform.recording_failure_webhook)",
                    leg,
                )
                return
            self._outcome(leg, command, "on_failure")
            return
        leg.recordings[name] = command
        self._entry(Kind.RECORDING, f"recording {name} started".replace("  ", " "), leg)

    def _stop_recording(self, leg: _Leg, name: str) -> None:
        command = leg.recordings.pop(name, None)
        if command is None:
            self._entry(Kind.RECORDING, f"stopRecording {name}: no such recording on this leg", leg)
            return
        self._entry(Kind.RECORDING, f"recording {name} stopped", leg)
        self._outcome(leg, command, "on_finish")

    def _bridge(self, leg: _Leg, name: str) -> None:
        leg.bridge = name
        others = [x.label for x in self._legs if x.bridge == name and not x.ended and x is not leg]
        self._entry(
            Kind.CONNECTED,
            f"joins bridge {name}" + (f" with {', '.join(others)}" if others else " (alone)"),
            leg,
            bridge=name,
        )

    # -- menus ----------------------------------------------------------------------------------------

    def _menu(self, leg: _Leg, menu: Menu, name: str) -> _Sequence:
        """Run one item of ``menu`` on ``leg`` (blocking) until its outcome's commands are launched."""
        item = next((i for i in menu.menus if i.name == name), None)
        if item is None:
            self._entry(Kind.MENU, f"menu item {name} does not exist: ignored", leg)
            return
        self._implicit_answer(leg, "menu")
        self._entry(Kind.MENU, f"menu {name}", leg, menu=name)
        repeats = item.repeat_count if item.repeat_count is not None else _MENU_REPEATS
        timeout = float(item.input_timeout_duration_seconds or _MENU_TIMEOUT)
        shortest = item.minimum_input_length or 1
        longest = item.maximum_input_length or 1
        prompt = item.prompt
        attempts = 0
        entered = ""
        while True:
            messages = prompt.messages if prompt is not None else ()
            barge = prompt is None or prompt.allow_barge_in is not False
            parts = self._parts(messages)
            total = sum(seconds for _, seconds in parts)
            given = leg.inputs.pop(0) if leg.inputs else None
            at, later = acts_at(given, total, timeout, barge, self.platform.keep_keys_without_barge)
            if later is not None:
                leg.inputs.insert(0, later)
            if at is None or given is None:
                yield from self._hear(leg, parts)
                if leg.ended:
                    return
                self._entry(Kind.WAITED, f"no input within {timeout:g} s", leg)
                yield _Bound(timeout, leg)
                entered = ""
            else:
                yield from self._hear(leg, parts, cut=at if barge and at < total else None)
                heard = min(at, total) if barge else total
                if at > heard:
                    yield _Bound(at - heard, leg)
                if leg.ended:
                    return
                if isinstance(given, HangUp):
                    self._entry(Kind.HANGUP, f"{leg.person} hangs up in the menu", leg)
                    self._person_hangs_up(leg)
                    return
                assert isinstance(given, Press)
                self._entry(Kind.PRESSED, given.keys, leg)
                entered, done = collect(given.keys, longest, item.terminating_sequence, keep_terminator=True)
                yield _Bound(len(entered) * self.platform.dtmf_tone_seconds + (0.0 if done else timeout), leg)
            if leg.ended:
                return
            if entered and len(entered) >= shortest:
                if item.matches is None and item.on_fail is None:
                    self._menu_webhook(leg, name, entered)
                    return
                for match in item.matches or ():
                    if _matches(match.key, entered):
                        self._entry(
                            Kind.MENU, f"{entered!r} matches {match.key!r}", leg, menu=name, input=entered
                        )
                        ctx = _Context(leg, menu, MenuInput(menu_name=name, input=entered))
                        self._run_handler(leg, f"matches[{match.key!r}]", f"menu {name}", match.commands, ctx)
                        return
                self._entry(Kind.MENU, f"{entered!r} matches nothing", leg, menu=name, input=entered)
            elif entered:
                self._entry(Kind.MENU, f"{entered!r} is shorter than minimumInputLength {shortest}", leg)
            attempts += 1
            if attempts > repeats:
                self._menu_fails(leg, menu, item, entered)
                return
            self._entry(Kind.MENU, f"menu {name}: repeat {attempts} of {repeats}", leg, menu=name)
            prompt = item.repeat_prompt or item.prompt

    def _menu_fails(self, leg: _Leg, menu: Menu, item: MenuItem, entered: str) -> None:
        name = item.name
        self._entry(Kind.MENU, f"menu {name} fails: no match after the repeats", leg, menu=name)
        if item.on_fail is not None:
            ctx = _Context(leg, menu, MenuInput(menu_name=name, input=entered))
            self._run_handler(leg, "onFail", f"menu {name}", item.on_fail, ctx)
        elif item.matches is None:
            self._menu_webhook(leg, name, entered)
        else:
            self._entry(Kind.HANDLER, f"menu {name} has matches but no onFail: nothing runs", leg)

    def _menu_webhook(self, leg: _Leg, name: str, entered: str) -> None:
        """An item with neither ``matches`` nor ``onFail``: ``call.menu`` (only on a WEBHOOK service)."""
        self._notify(leg, MenuEvent.EVENT, menu=MenuInput(menu_name=name, input=entered))

    def _hear(self, leg: _Leg, parts: list[tuple[str, float]], *, cut: float | None = None) -> _Sequence:
        """Play a prompt's messages to ``leg`` (all of them, or up to ``cut`` seconds when barged in).

        The prompt waits for what the leg hears now to end (``Platform.queue_audio``).
        """
        queued = self._queued(leg)
        if queued and parts:
            yield _Bound(queued, leg)
        if self.platform.queue_audio:
            total = sum(seconds for _, seconds in parts)
            leg.audio_free = self._now + (total if cut is None else min(cut, total))
        played = 0.0
        for text, seconds in parts:
            if leg.ended:
                return
            if cut is not None and played + seconds > cut:
                self._entry(Kind.HEARD, text + " [cut short]", leg, barged=True)
                if cut > played:
                    yield _Bound(cut - played, leg)
                return
            self._entry(Kind.HEARD, text, leg)
            played += seconds
            yield _Bound(seconds, leg)


# -- helpers ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _pattern(key: str) -> re.Pattern[str] | None:
    try:
        return re.compile(key)
    except re.error:
        return None


def _matches(key: str, entered: str) -> bool:
    """A4: a ``matches`` key is a regular expression matched in full, or, if not one, a literal."""
    pattern = _pattern(key)
    if pattern is None:
        return key == entered
    return pattern.fullmatch(entered) is not None


def _names(commands: Iterable[Command]) -> str:
    return ", ".join(c.command for c in commands) or "(no commands)"


def _describe(command: Command) -> str:
    if isinstance(command, Dial):
        return f"dial {_endpoint(command.to)}" + (f" as {command.call_name}" if command.call_name else "")
    if isinstance(command, Messages):
        count = len(command.messages)
        return f"messages {command.messages_name or ''} ({count} message{'s' * (count != 1)})".replace(
            "  ", " "
        )
    if isinstance(command, Pause):
        return f"pause {command.duration_milliseconds} ms"
    if isinstance(command, Hangup):
        return f"hangup {command.call_name}" if command.call_name else "hangup"
    if isinstance(command, Webhook):
        return f"webhook {command.webhook_name} to {command.url}"
    if isinstance(command, Menu):
        return f"menu (start {command.start_menu})"
    if isinstance(command, GotoMenu):
        return f"gotoMenu {command.menu_name}"
    if isinstance(command, (StopMessages, StopRecording, BridgeCall, StartRecording)):
        name = next(
            (
                getattr(command, f)
                for f in ("messages_name", "recording_name", "bridge_name")
                if getattr(command, f, None)
            ),
            None,
        )
        return f"{command.command} {name}" if name else command.command
    return command.command


def _event_text(event: Event) -> str:
    if event.menu is not None:
        return f"{event.event} {event.menu.menu_name}: {event.menu.input!r}"
    return event.event


def _ce_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).isoformat()


def simulate(target: object, caller: Caller | None = None, **options: Any) -> Transcript:
    """Play one v2 session against ``target``; return its transcript.

    ``simulate(target, caller, **options)`` is ``Session(target, caller, **options).run()``.
    """
    return Session(target, caller, **options).run()


def _substituted(document: Document, values: Mapping[str, str]) -> Document:
    """One parameter set's call of a batch: each ``@key`` in its strings replaced (reference §8.4)."""
    pattern = _placeholders(values)
    data = codec.unstructure(attrs.evolve(document, parameters=None, batch_options=None))
    if pattern is not None:
        data = _replace(data, pattern, _replacer(values))
    found = codec.read(data, Document).value
    assert isinstance(found, Document)  # the document was read before; only strings changed
    return found


def _replace(value: Any, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(replace, value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, replace) for v in value]
    return value


def simulate_batch(
    target: object, document: Document, caller: Caller | None = None, **options: Any
) -> tuple[Transcript, ...]:
    """Play a batch (a create-call document with ``parameters``): one session per parameter set, in order.

    Each session plays the document with that set's values in place of its ``@key`` placeholders;
    ``caller`` and ``options`` are :class:`Session`'s, the same for every session; every leg
    carries the batch's ``batch_id`` (a new ULID unless given).
    """
    if not document.parameters:
        raise SvamlError("the document has no parameters (one call): play it with simulate(document=...)")
    options.setdefault("batch_id", ulid(datetime.now(timezone.utc)))
    return tuple(
        Session(target, caller, document=_substituted(document, values), **options).run()
        for values in document.parameters
    )

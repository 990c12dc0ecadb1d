"""The platform's side of one call: send each event, check the answer, execute it, keep the clock."""

from __future__ import annotations

import functools
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn, Protocol

import attrs

from svaml import _json, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.model.actions import (
    ConnectConf,
    ConnectMxp,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Continue,
    Hangup,
    Menu,
    OptionAction,
    Park,
    RunMenu,
    read_option_action,
)
from svaml.model.document import Document
from svaml.model.enums import ConferenceDtmfMode, DestinationType
from svaml.model.events import (
    AceEvent,
    AmdResult,
    AmdStatus,
    DiceEvent,
    DiceReason,
    DiceResult,
    Event,
    EventDestination,
    IceEvent,
    InputMethod,
    MenuResult,
    MenuResultType,
    NotifyEvent,
    NotifyType,
    PieEvent,
    Price,
)
from svaml.model.instructions import (
    Answer,
    Instruction,
    PlayFiles,
    Say,
    SendDtmf,
    SetCookie,
    StartRecording,
    StopRecording,
)
from svaml.model.permissions import Callback
from svaml.rules import validate
from svaml.rules._prompts import parse_prompts
from svaml.signing import Credentials, format_timestamp
from svaml.simulator._answers import Judged, judge
from svaml.simulator._caller import Callee, Caller, HangUp, Input, Outcome, Wait, acts_at, collect
from svaml.simulator._platform import Platform, SignatureClock
from svaml.simulator._targets import DEFAULT_PATH, Request, Target, TargetError, as_target, status_message
from svaml.simulator._transcript import Entry, Failure, FailureKind, Kind, Step, Transcript

__all__ = ["Call", "Clock", "Conferences", "RealClock", "VirtualClock", "simulate"]

# Documented defaults (sinch-voice.md §1a), not assumptions.
_MENU_TIMEOUT_MS = 5000
_CONF_MAX_DIGITS = 1
_CONF_TIMEOUT_MS = 3000
_DTMF_PAUSE = 0.5  # a 'w' in a DTMF string
_JSON_TYPE = "application/json"
_TAGS = re.compile(r"<[^>]*>")
_USD0 = Price(currency_id="USD", amount=0.0)


# -- clocks ---------------------------------------------------------------------------------------


class Clock(Protocol):
    """How the call's waits pass: at once (virtual) or in real time (for an emulator)."""

    def wait(self, seconds: float, wake: threading.Event) -> tuple[float, bool]:
        """Wait ``seconds`` or until ``wake`` is set; return the seconds passed and whether woken."""
        ...


class VirtualClock:
    """Time passes at once: a 20-minute call takes microseconds. Only an update already given wakes it."""

    def wait(self, seconds: float, wake: threading.Event) -> tuple[float, bool]:
        """Pass ``seconds`` at once, unless an update is already waiting."""
        if wake.is_set():
            return 0.0, True
        return seconds, False


class RealClock:
    """Time passes for real (``seconds`` of wall time, or until an update wakes the call)."""

    def wait(self, seconds: float, wake: threading.Event) -> tuple[float, bool]:
        """Sleep up to ``seconds`` on ``wake``."""
        started = time.monotonic()
        woken = wake.wait(seconds)
        return (time.monotonic() - started if woken else seconds), woken


# -- conferences ----------------------------------------------------------------------------------


class Conferences:
    """The conference rooms of a simulated platform: who is in which room (share one across calls)."""

    def __init__(self) -> None:
        self._rooms: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def join(self, conference_id: str, call_id: str) -> int:
        """Put the call in the room; return how many are in it now."""
        with self._lock:
            room = self._rooms.setdefault(conference_id, [])
            room.append(call_id)
            return len(room)

    def leave(self, conference_id: str, call_id: str) -> None:
        """Take the call out of the room (an empty room is closed)."""
        with self._lock:
            room = self._rooms.get(conference_id, [])
            if call_id in room:
                room.remove(call_id)
            if not room:
                self._rooms.pop(conference_id, None)

    def participants(self, conference_id: str) -> tuple[str, ...]:
        """The call ids in the room, in the order they joined."""
        with self._lock:
            return tuple(self._rooms.get(conference_id, ()))


# -- judging an answer ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=2048)
def _judge(body: bytes, callback: Callback) -> Judged:
    """Read and check an answer's body for its event, with every rule (cached: answers repeat)."""
    wants_svaml = callback in (Callback.ICE, Callback.ACE, Callback.PIE)
    return judge(
        body,
        rules=functools.partial(validate, callback=callback),
        model=Document,
        name="SVAML",
        needed=f"Sinch needs SVAML to answer {callback.phrase[3:]}" if wants_svaml else None,
        invalid=f"the answer is not valid SVAML for {callback.phrase}",
        empty_object_ok=not wants_svaml,
    )


@functools.lru_cache(maxsize=64)
def _credentials(key: str, secret: str) -> Credentials:
    """Check and key a key and secret once, not once a call (a property test makes hundreds)."""
    return Credentials(key=key, secret=secret)


@functools.lru_cache(maxsize=64)
def _destination(number: str) -> EventDestination:
    return EventDestination(type=DestinationType.NUMBER, endpoint=number)


_PLATFORM = Platform()
_UPDATES = threading.Lock()  # guards each call's pending updates (rarely taken)


class _Over(Exception):
    """The call ended (or failed): unwinds the execution to :meth:`Call.run`."""


# -- the call -------------------------------------------------------------------------------------


class Call:
    """One call the simulated platform plays against an application, from ICE to DiCE.

    ``target`` is where events go (see :func:`~svaml.simulator.as_target`): a CallbackApp, a WSGI
    or ASGI application, or a callback URL. ``key`` and ``secret`` (or ``credentials``) sign every
    event as Sinch does; without them events go unsigned. ``platform`` holds the assumptions,
    ``clock`` how time passes (virtual by default; on a :class:`RealClock` prompts, timeouts and
    talk take real time, as an emulator needs), ``conferences`` the rooms (shared across
    calls to put several in one). ``callout`` makes the call a callout instead of an incoming
    call: the first callee is dialled, an ACE is sent when it answers, and the callout's SVAML
    runs after a ``continue``. ``inline`` maps the events the platform does not post to the
    answer it uses instead: a custom callout's inline SVAML (its ``ice``, ``ace`` or ``pie``), or
    None for an event the callout does not enable (``enableAce``, ``enableDice``, ``enablePie``
    false), which goes on as after an empty answer. With an inline ICE the call plays that
    document first (its connect action dials the callee) instead of posting an ICE.

    :meth:`run` plays the call once and returns its :class:`Transcript`; :meth:`update` gives
    the call new SVAML from outside (a PATCH), executed when the call next waits.
    """

    def __init__(
        self,
        target: object,
        caller: Caller | None = None,
        *,
        key: str | None = None,
        secret: str | None = None,
        credentials: Credentials | None = None,
        platform: Platform | None = None,
        path: str = DEFAULT_PATH,
        call_id: str | None = None,
        clock: Clock | None = None,
        conferences: Conferences | None = None,
        callout: Document | None = None,
        inline: Mapping[Callback, Document | None] | None = None,
    ) -> None:
        if credentials is None and (key is not None or secret is not None):
            if key is None or secret is None:
                raise SvamlError("give both the application key and the application secret, or neither")
            credentials = _credentials(key, secret)
        self.target: Target = as_target(target, path)
        # A target made here (for a URL, an ASGI app) is closed after each run; one given is the giver's.
        self._owned = self.target is not target
        self.caller = caller if caller is not None else Caller()
        self.platform = platform if platform is not None else _PLATFORM
        self.credentials = credentials
        self.call_id = call_id or uuid.uuid4().hex
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.conferences = conferences if conferences is not None else Conferences()
        self.callout = callout
        self.inline: dict[Callback, Document | None] = dict(inline or {})
        # Made on the first update (or for a clock that waits for real): most calls never need one.
        virtual = isinstance(self.clock, VirtualClock)
        self._wake: threading.Event | None = None if virtual else threading.Event()
        self._pending: list[Document] = []
        self._reset()

    def __repr__(self) -> str:
        return f"Call({self.call_id}, {self.target!r})"

    def _reset(self) -> None:
        self._now = 0.0
        self._start = self.platform.start or datetime.now(timezone.utc)
        self._timeline: list[Entry] = []
        self._steps: list[Step] = []
        self._cookies: dict[str, str] = {}
        self._inputs = list(self.caller.inputs)
        self._callees = 0
        self._answered_at: float | None = None
        self._recording = False
        self._recording_notifies = False
        self._room: str | None = None
        self._failure: Failure | None = None
        self._result: DiceResult | None = None
        self._reason: DiceReason | None = None
        self._step: int | None = None
        # On the virtual clock the whole call is sent within a blink of wall time: one stamp serves it.
        self._wall_stamp = format_timestamp() if isinstance(self.clock, VirtualClock) else None
        self._signer: Callable[[bytes], dict[str, str]] | None = None  # made at the first event

    # -- the public face ----------------------------------------------------------------------

    def run(self) -> Transcript:
        """Play the call to its end and return the transcript; never raises for the app's faults."""
        self._reset()
        try:
            if self.callout is not None:
                self._dial_out(self.callout)
            else:
                self._execute(self._callback(self._ice()), Callback.ICE)
                self._silence()
        except _Over:
            pass
        finally:
            close = getattr(self.target, "close", None)
            if self._owned and close is not None:
                close()
        return self.transcript

    def update(self, document: Document) -> None:
        """Give the call SVAML from outside (a PATCH): it runs when the call next waits."""
        with _UPDATES:
            if self._wake is None:
                self._wake = threading.Event()
            self._pending.append(document)
            self._wake.set()

    @property
    def transcript(self) -> Transcript:
        """The transcript so far (the whole call once :meth:`run` has returned)."""
        return Transcript(
            call_id=self.call_id,
            timeline=tuple(self._timeline),
            steps=tuple(self._steps),
            result=self._result,
            reason=self._reason,
            duration=self._now,
            failure=self._failure,
            cookies=dict(self._cookies),
            unused=tuple(map(str, self._inputs)),
        )

    # -- time -----------------------------------------------------------------------------------

    def _advance(self, seconds: float) -> None:
        """Let ``seconds`` pass with nothing else happening; end the call at the platform's limit."""
        limit = self.platform.max_call_seconds
        if self._now + seconds >= limit:
            self._now = limit
            self._entry(Kind.HANGUP, f"the call reached the longest call Sinch allows ({limit:g} s)")
            self._end(
                DiceResult.ANSWERED if self._answered_at is not None else DiceResult.NA, DiceReason.TIMEOUT
            )
        self._now += seconds

    def _hold(self, seconds: float) -> bool:
        """Let ``seconds`` pass on the clock (prompts, timeouts, talk); run updates given meanwhile.

        Return True if an update ran (the wait stopped early).
        """
        if self._wake is None:  # no update given, virtual time: nothing to wait for
            self._advance(seconds)
            return False
        passed, woken = self.clock.wait(seconds, self._wake)
        self._advance(passed)
        if not woken:
            return False
        with _UPDATES:
            pending, self._pending = self._pending, []
            self._wake.clear()
        for document in pending:
            self._entry(Kind.UPDATE, f"update: {_names(document)}")
            self._execute(document, Callback.PATCH)
        return True

    # -- the timeline ---------------------------------------------------------------------------

    def _entry(self, kind: Kind, text: str, **detail: Any) -> None:
        self._timeline.append(Entry(at=self._now, kind=kind, text=text, step=self._step, detail=detail))

    def _parts(self, prompt: str | None) -> list[tuple[str, float, str]]:
        """Each prompt of a prompt string: what the caller hears, for how many seconds, the prompt."""
        found = []
        for part in parse_prompts(prompt) if prompt else ():
            if part.kind in ("tts", "ssml"):
                text = part.content if part.kind == "tts" else _TAGS.sub("", part.content).strip()
                seconds = max(len(text), 1) / self.platform.tts_chars_per_second
            else:
                text = f"[{part.kind} {part.content or part.text}]"
                seconds = self.platform.file_seconds
            found.append((text, seconds, part.text))
        return found

    def _heard(self, prompt: str | None, locale: str | None = None, *, cut: float | None = None) -> float:
        """The caller hears a prompt string; return its seconds (all of it, or ``cut`` when barged in)."""
        total = 0.0
        for text, seconds, raw in self._parts(prompt):
            detail: dict[str, Any] = {"prompt": raw}
            if locale:
                detail["locale"] = locale
            if cut is not None and total + seconds > cut:
                detail["barged"] = True
                self._entry(Kind.HEARD, text + " [cut short]", **detail)
                return cut
            self._entry(Kind.HEARD, text, **detail)
            total += seconds
        return total

    # -- events ---------------------------------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "call_id": self.call_id,
            "timestamp": self._start + timedelta(seconds=self._now),
            "version": 1,
            "custom": self.caller.custom,
            "application_key": self.credentials.key if self.credentials is not None else None,
        }
        if self.platform.cookies_in_events and self._cookies:
            fields["extras"] = {"cookies": dict(self._cookies)}
        return fields

    def _to(self) -> EventDestination:
        return _destination(self.caller.to)

    def _ice(self) -> IceEvent:
        return IceEvent(
            **self._common(),
            call_resource_url=f"https://calling.api.sinch.com/calling/v1/calls/id/{self.call_id}",
            user_rate=_USD0,
            cli=self.caller.cli,
            to=self._to(),
            domain=self.caller.domain,
            origination_type=self.caller.domain,
        )

    def _request(self, event: Event) -> Request:
        body = _json.dumps(codec.unstructure(event)).encode()
        headers: list[tuple[str, str]] = [("Content-Type", _JSON_TYPE)]
        stamp: datetime | str | None = self._wall_stamp  # None: sign stamps the time of sending
        if self.platform.signature_clock is SignatureClock.VIRTUAL:
            stamp = self._start + timedelta(seconds=self._now)
            if self.credentials is not None:
                signed = self.credentials.sign(
                    method="POST", path=self.target.path, body=body, content_type=_JSON_TYPE, timestamp=stamp
                )
                headers.extend(signed.items())
        elif self.credentials is not None:
            # One stamp (or the time of sending) for the whole call: checked once, not per event.
            if self._signer is None:
                self._signer = self.credentials.signer(
                    method="POST", path=self.target.path, content_type=_JSON_TYPE, timestamp=stamp
                )
            headers.extend(self._signer(body).items())
        if self.credentials is None:
            headers.append(("x-timestamp", stamp if isinstance(stamp, str) else format_timestamp(stamp)))
        return Request("POST", self.target.path, tuple(headers), body)

    def _callback(self, event: Event) -> Document | None:
        """Send ``event``, check the answer for it; return the SVAML, or fail the call at this step."""
        index = len(self._steps)
        if index >= self.platform.max_steps:
            self._fail(
                index,
                event,
                FailureKind.STEP_LIMIT,
                f"the call did not end within {self.platform.max_steps} callbacks (Platform.max_steps)",
            )
        callback = event.CALLBACK
        if callback in self.inline:
            return self._inline(event)
        self._step = index
        self._entry(Kind.EVENT, _describe(event))
        request = self._request(event)
        started = time.perf_counter()
        try:
            reply = self.target.send(request, self.platform.callback_timeout)
        except TargetError as exc:
            latency = time.perf_counter() - started
            self._steps.append(
                Step(
                    index=index, at=self._now, event=event, status=None, body="", answer=None, latency=latency
                )
            )
            self._fail(index, event, exc.kind, str(exc))
        latency = time.perf_counter() - started
        if not 200 <= reply.status < 300:
            body = reply.body.decode("utf-8", "replace")
            self._steps.append(
                Step(
                    index=index,
                    at=self._now,
                    event=event,
                    status=reply.status,
                    body=body,
                    answer=None,
                    diagnostics=reply.diagnostics,
                    latency=latency,
                )
            )
            self._entry(Kind.ANSWER, f"HTTP {reply.status}")
            self._fail(
                index,
                event,
                FailureKind.STATUS,
                status_message(reply, self.credentials is not None, "give its key and secret"),
                reply.diagnostics,
            )
        judged = _judge(reply.body, callback)
        step = Step(
            index=index,
            at=self._now,
            event=event,
            status=reply.status,
            body=judged.text,
            answer=judged.document,
            diagnostics=judged.diagnostics,
            latency=latency,
        )
        self._steps.append(step)
        self._entry(Kind.ANSWER, f"{reply.status} {judged.summary}")
        if judged.kind is not None:
            self._fail(index, event, judged.kind, judged.message, judged.diagnostics)
        if latency > self.platform.callback_timeout:
            self._fail(
                index,
                event,
                FailureKind.TIMEOUT,
                f"answered after {latency:.3f} s; Sinch waits {self.platform.callback_timeout:g} s",
            )
        if self.caller.hangup_at == index and callback is not Callback.DICE and self._reason is None:
            self._entry(Kind.HANGUP, "the caller hangs up")
            self._end_answered(DiceReason.CALLERHANGUP)
        answer: Document | None = judged.document
        return answer

    def _notify(self, event: NotifyEvent) -> None:
        self._callback(event)

    def _inline(self, event: Event) -> Document | None:
        """The answer to an event the platform does not post (``inline``): recorded, not sent."""
        document = self.inline[event.CALLBACK]
        name = event.EVENT.upper()
        if document is None:
            self._entry(Kind.INLINE, f"{name} not sent: the callout does not enable it")
        else:
            self._entry(Kind.INLINE, f"{name} answered by the callout's inline SVAML: {_names(document)}")
        return document

    def _fail(
        self,
        index: int,
        event: Event,
        kind: FailureKind,
        message: str,
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> NoReturn:
        errors = tuple(d for d in diagnostics if d.severity is Severity.ERROR) or diagnostics
        self._failure = Failure(step=index, event=event.EVENT, kind=kind, message=message, diagnostics=errors)
        self._entry(Kind.FAILURE, f"{event.EVENT.upper()} failed: {kind.value}: {message}")
        after = self.platform.after_failure
        if after is not None and not isinstance(event, DiceEvent) and self._reason is None:
            self._result, self._reason = after
            dice = self._dice(*after)
            self._entry(Kind.END, f"{after[0].value} {after[1].value}")
            if Callback.DICE in self.inline:  # a callout that does not enable DiCE: none after a failure
                raise _Over
            self._step = len(self._steps)
            self._entry(Kind.EVENT, _describe(dice))
            try:  # told, not judged: the call has failed already
                reply = self.target.send(self._request(dice), self.platform.callback_timeout)
                self._steps.append(
                    Step(
                        index=len(self._steps),
                        at=self._now,
                        event=dice,
                        status=reply.status,
                        body=reply.body.decode("utf-8", "replace"),
                        answer=None,
                    )
                )
            except TargetError:
                self._steps.append(
                    Step(index=len(self._steps), at=self._now, event=dice, status=None, body="", answer=None)
                )
        raise _Over

    # -- ending -----------------------------------------------------------------------------------

    def _dice(self, result: DiceResult, reason: DiceReason) -> DiceEvent:
        talked = 0 if self._answered_at is None else int(self._now - self._answered_at)
        return DiceEvent(
            **self._common(),
            reason=reason,
            result=result,
            debit=_USD0,
            user_rate=_USD0,
            to=self._to(),
            duration=talked,
            from_=self.caller.cli,
        )

    def _end(self, result: DiceResult, reason: DiceReason) -> NoReturn:
        if self._reason is None:
            self._leave_room()  # the DiCE comes once the call has left its conference
            self._result, self._reason = result, reason
            self._entry(Kind.END, f"{result.value} {reason.value}")
            if self._recording:
                self._recording = False
                self._entry(Kind.RECORDING, "recording stopped (the call ended)")
            self._callback(self._dice(result, reason))
        raise _Over

    def _end_answered(self, reason: DiceReason) -> NoReturn:
        self._end(DiceResult.ANSWERED if self._answered_at is not None else DiceResult.NA, reason)

    def _caller_hangs_up(self, why: str) -> NoReturn:
        self._entry(Kind.HANGUP, why)
        self._end_answered(DiceReason.CALLERHANGUP)

    def _silence(self) -> NoReturn:
        """Nothing left to do: the caller waits in silence, then hangs up."""
        patience = self.platform.caller_patience
        while self._hold(patience):
            pass
        self._caller_hangs_up(f"the caller hangs up after {patience:g} s of silence")

    # -- executing SVAML --------------------------------------------------------------------------

    def _execute(self, document: Document | None, callback: Callback) -> bool:
        """Run the instructions, then the action; return True for ``continue`` (the caller goes on)."""
        if document is None:
            return True
        for instruction in document.instructions:
            self._instruction(instruction)
        action = document.action
        if action is None or isinstance(action, Continue):
            return True
        if isinstance(action, Hangup):
            self._entry(Kind.HANGUP, "the application hangs up")
            answered = self._answered_at is not None
            self._end(*(self.platform.app_hangup if answered else self.platform.app_hangup_unanswered))
        if isinstance(action, RunMenu):
            self._run_menu(action)
        elif isinstance(action, (ConnectPstn, ConnectSip, ConnectMxp)):
            self._connect(action)
        elif isinstance(action, ConnectConf):
            self._conference(action)
        elif isinstance(action, Park):
            self._park(action)
        elif isinstance(action, ConnectStream):
            self._stream(action)
        return False

    def _instruction(self, instruction: Instruction) -> None:
        if isinstance(instruction, Answer):
            self._answer()
        elif isinstance(instruction, Say):
            self._hold(self._heard(f"#tts[{instruction.text}]", instruction.locale))
        elif isinstance(instruction, PlayFiles):
            for prompt in instruction.ids:
                self._hold(self._heard(prompt, instruction.locale))
        elif isinstance(instruction, SendDtmf):
            self._send_dtmf(instruction.value)
        elif isinstance(instruction, SetCookie):
            self._cookies[instruction.key] = instruction.value
            self._entry(
                Kind.COOKIE,
                f"{instruction.key} = {instruction.value}",
                key=instruction.key,
                value=instruction.value,
            )
        elif isinstance(instruction, StartRecording):
            self._recording = True
            options = instruction.options
            # notificationEvents defaults to true (the reference, from the Node SDK's docs).
            self._recording_notifies = options is None or options.notification_events is not False
            self._entry(Kind.RECORDING, "recording started")
        elif isinstance(instruction, StopRecording) and self._recording:
            self._recording = False
            self._entry(Kind.RECORDING, "recording stopped")
            if self._recording_notifies:
                self._notify(NotifyEvent(**self._common(), type=NotifyType.RECORDING_FINISHED))

    def _answer(self) -> None:
        if self._answered_at is None:
            self._answered_at = self._now
            self._entry(Kind.ANSWERED, "the call is answered")

    def _send_dtmf(self, value: str) -> None:
        self._entry(Kind.DTMF, value)
        self._hold(sum(_DTMF_PAUSE if c in "wW" else self.platform.dtmf_tone_seconds for c in value))

    def _next_input(self) -> Input | None:
        return self._inputs.pop(0) if self._inputs else None

    # -- runMenu ----------------------------------------------------------------------------------

    def _run_menu(self, run: RunMenu) -> None:
        menus = {m.id: m for m in run.menus}
        first = run.main_menu if run.main_menu in menus else "main"
        menu = menus.get(first) or (run.menus[0] if run.menus else None)
        if menu is None:  # the rules fail such a document before it runs
            return
        barge = run.barge is not False
        self._entry(Kind.MENU, f"menu {menu.id}", menu=menu.id)
        attempts = 0
        prompt = menu.main_prompt
        while True:
            repeats = menu.repeats if menu.repeats is not None else self.platform.menu_repeats
            timeout = (menu.timeout_mills if menu.timeout_mills is not None else _MENU_TIMEOUT_MS) / 1000
            total = sum(seconds for _, seconds, _ in self._parts(prompt))
            given = self._next_input()
            at = self._acts_at(given, total, timeout, barge)
            if at is None or given is None or isinstance(given, Wait):
                self._hold(self._heard(prompt, run.locale))
                self._entry(Kind.WAITED, f"no key within {timeout:g} s")
                self._hold(timeout)
                attempts += 1
                if attempts > repeats:
                    self._menu_result(menu, MenuResultType.TIMEOUT, None)
                    return
                prompt = menu.repeat_prompt or menu.main_prompt
                continue
            self._heard(prompt, run.locale, cut=at if at < total else None)
            self._hold(at)
            if isinstance(given, HangUp):
                self._entry(Kind.HANGUP, "the caller hangs up in the menu")
                if self.platform.pie_on_menu_hangup:
                    self._pie(menu.id, MenuResultType.HANGUP, None, None)
                self._end_answered(DiceReason.CALLERHANGUP)
            keys = given.keys
            self._entry(Kind.PRESSED, keys)
            max_digits = menu.max_digits or self.platform.menu_max_digits
            digits, ended = _collect(keys, max_digits)
            self._hold(len(digits) * self.platform.dtmf_tone_seconds + (0.0 if ended else timeout))
            target = _chosen(menu, digits)
            if target is not None and target.kind == "menu" and target.value in menus:
                menu = menus[target.value]
                attempts = 0
                prompt = menu.main_prompt
                self._entry(Kind.MENU, f"menu {menu.id}", menu=menu.id)
                continue
            if target is not None and target.kind == "return":
                self._menu_result(menu, MenuResultType.RETURN, target.value)
                return
            if digits and (max_digits > 1 or not menu.options):
                self._menu_result(menu, MenuResultType.SEQUENCE, digits)
                return
            attempts += 1
            if attempts > repeats:
                self._menu_result(menu, MenuResultType.INVALIDINPUT, digits)
                return
            self._entry(Kind.MENU, f"invalid input {digits!r}", menu=menu.id)
            prompt = menu.repeat_prompt or menu.main_prompt

    def _acts_at(self, given: Input | None, total: float, timeout: float, barge: bool) -> float | None:
        """When, seconds into a prompt of ``total`` seconds, the caller's input counts; None for a timeout."""
        at, later = acts_at(given, total, timeout, barge, self.platform.keep_keys_without_barge)
        if later is not None:
            self._inputs.insert(0, later)
        return at

    def _menu_result(self, menu: Menu, kind: MenuResultType, value: str | None) -> None:
        self._entry(
            Kind.MENU,
            f"menu {menu.id} ends: {kind.value}" + (f" {value}" if value else ""),
            menu=menu.id,
            result=kind.value,
            value=value,
        )
        method = InputMethod.DTMF if kind is not MenuResultType.TIMEOUT else None
        if self._execute(self._pie(menu.id, kind, value, method), Callback.PIE):
            self._silence()

    def _pie(
        self, menu_id: str, kind: MenuResultType, value: str | None, method: InputMethod | None
    ) -> Document | None:
        result = MenuResult(menu_id=menu_id, type=kind, value=value, input_method=method)
        return self._callback(PieEvent(**self._common(), menu_result=result))

    # -- connecting a callee ----------------------------------------------------------------------

    def _next_callee(self) -> Callee:
        callee = self.caller.callee(self._callees)
        self._callees += 1
        return callee

    def _connect(self, action: ConnectPstn | ConnectSip | ConnectMxp) -> None:
        callee = self._next_callee()
        if isinstance(action, ConnectPstn):
            where = action.number or self.caller.to
        elif action.destination is not None:
            where = action.destination.endpoint
        else:
            where = self.caller.to
        self._entry(Kind.DIAL, f"{action.name} {where}: {callee.outcome.value}", outcome=callee.outcome.value)
        dial_timeout = getattr(action, "dial_timeout", None) or self.platform.dial_timeout
        if callee.outcome is Outcome.NO_ANSWER:
            self._hold(dial_timeout)
        elif callee.outcome in (Outcome.BUSY, Outcome.FAIL):
            self._hold(min(callee.ring, dial_timeout))
        if callee.outcome not in (Outcome.ANSWER, Outcome.MACHINE):
            self._end(*self.platform.callee_ends[callee.outcome.value])
        if callee.ring >= dial_timeout:
            self._hold(dial_timeout)
            self._end(*self.platform.callee_ends[Outcome.NO_ANSWER.value])
        self._hold(callee.ring)
        self._answer()
        self._entry(
            Kind.DIAL, f"{where} answered" + (" (a machine)" if callee.outcome is Outcome.MACHINE else "")
        )
        amd = getattr(action, "amd", None)
        detect = amd is not None and amd.enabled and self.platform.amd_anywhere
        found = AmdResult(status=callee.amd, reason=callee.amd_reason, duration=2.5) if detect else None
        asynchronous = detect and amd is not None and bool(amd.async_)
        if isinstance(action, ConnectPstn) and action.dtmf:
            self._send_dtmf(action.dtmf)
        suppressed = bool(getattr(action, "suppress_callbacks", False))
        if self.platform.ace_on_connect and not suppressed:
            ace = AceEvent(**self._common(), amd=None if asynchronous else found)
            if asynchronous:
                ace = attrs.evolve(ace, amd=AmdResult(status=AmdStatus.INPROGRESS))
            document = self._callback(ace)
            if asynchronous and found is not None:
                self._notify(NotifyEvent(**self._common(), type=NotifyType.AMD, amd=found))
            if not self._execute(document, Callback.ACE):
                return
        elif asynchronous and found is not None:
            self._notify(NotifyEvent(**self._common(), type=NotifyType.AMD, amd=found))
        limit = getattr(action, "max_duration", None) or self.platform.max_call_seconds
        self._entry(Kind.CONNECTED, f"talking to {where}")
        talk = min(callee.talk, limit)
        while self._hold(talk):
            pass
        if callee.talk >= limit:
            self._entry(Kind.HANGUP, f"maxDuration {limit:g} s reached")
            self._end(DiceResult.ANSWERED, DiceReason.TIMEOUT)
        if callee.hangs_up:
            self._entry(Kind.HANGUP, "the callee hangs up")
            self._end(DiceResult.ANSWERED, DiceReason.CALLEEHANGUP)
        self._caller_hangs_up("the caller hangs up")

    def _dial_out(self, callout: Document) -> None:
        """A callout: dial the first callee; on answer, ACE, then the callout's SVAML after ``continue``."""
        callee = self._next_callee()
        self._entry(
            Kind.DIAL, f"callout to {self.caller.to}: {callee.outcome.value}", outcome=callee.outcome.value
        )
        if callee.outcome not in (Outcome.ANSWER, Outcome.MACHINE):
            self._hold(self.platform.dial_timeout if callee.outcome is Outcome.NO_ANSWER else callee.ring)
            self._end(*self.platform.callee_ends[callee.outcome.value])
        self._hold(callee.ring)
        self._answer()
        ace = self._callback(AceEvent(**self._common()))
        if self._execute(ace, Callback.ACE) and self._execute(callout, Callback.ICE):
            self._silence()

    # -- conferences, park, streams ---------------------------------------------------------------

    def _conference(self, action: ConnectConf) -> None:
        self._answer()
        size = self.conferences.join(action.conference_id, self.call_id)
        self._room = action.conference_id
        try:
            self._entry(
                Kind.CONNECTED,
                f"conference {action.conference_id} ({size} in the room)",
                conference=action.conference_id,
            )
            if size == 1 and action.moh is not None:
                self._entry(
                    Kind.HEARD,
                    f"[music on hold {action.moh.value if hasattr(action.moh, 'value') else action.moh}]",
                )
            options = action.conference_dtmf_options
            mode = (
                options.mode
                if options is not None and options.mode is not None
                else ConferenceDtmfMode.IGNORE
            )
            max_digits = (options.max_digits if options is not None else None) or _CONF_MAX_DIGITS
            timeout = ((options.timeout_mills if options is not None else None) or _CONF_TIMEOUT_MS) / 1000
            while True:
                given = self._next_input()
                if given is None:
                    if not self._hold(self.platform.conference_seconds):
                        self._caller_hangs_up("the caller leaves the conference")
                    continue
                if isinstance(given, HangUp):
                    self._hold(given.after)
                    self._caller_hangs_up("the caller hangs up in the conference")
                if isinstance(given, Wait) or not given.keys:
                    self._entry(Kind.WAITED, "the caller listens")
                    self._hold(timeout)
                    continue
                self._hold(given.after)
                self._entry(Kind.PRESSED, given.keys)
                if mode is ConferenceDtmfMode.DETECT:
                    digits, ended = _collect(given.keys, max_digits)
                    self._hold(len(digits) * self.platform.dtmf_tone_seconds + (0.0 if ended else timeout))
                    result = MenuResult(
                        menu_id=action.conference_id,
                        type=MenuResultType.SEQUENCE,
                        value=digits,
                        input_method=InputMethod.DTMF,
                    )
                    document = self._callback(PieEvent(**self._common(), menu_result=result))
                    if self.platform.run_conference_pie_answer and not self._execute(document, Callback.PIE):
                        return
                elif mode is ConferenceDtmfMode.FORWARD:
                    self._entry(Kind.DTMF, f"{given.keys} forwarded to the conference")
        finally:
            self._leave_room()

    def _leave_room(self) -> None:
        if self._room is not None:
            self.conferences.leave(self._room, self.call_id)
            self._room = None

    def _park(self, action: Park) -> None:
        self._answer()
        if action.intro_prompt:
            self._hold(self._heard(action.intro_prompt, action.locale))
        seconds = action.max_duration or self.platform.park_seconds
        self._entry(Kind.CONNECTED, f"parked for up to {seconds:g} s")
        if action.hold_prompt:
            self._heard(action.hold_prompt, action.locale)
        if self._hold(seconds):
            self._silence()
        self._entry(Kind.HANGUP, "the park's maxDuration ran out")
        self._end_answered(DiceReason.TIMEOUT)

    def _stream(self, action: ConnectStream) -> None:
        self._answer()
        self._entry(Kind.CONNECTED, f"streaming to {action.destination.endpoint}")
        limit = action.max_duration or self.platform.max_call_seconds
        if self._hold(min(self.platform.stream_seconds, limit)):
            self._silence()
        if self.platform.stream_seconds >= limit:
            self._entry(Kind.HANGUP, f"maxDuration {limit:g} s reached")
            self._end_answered(DiceReason.TIMEOUT)
        self._entry(Kind.HANGUP, "the stream closes")
        self._end_answered(DiceReason.CALLEEHANGUP)


# -- helpers --------------------------------------------------------------------------------------


def _collect(keys: str, max_digits: int) -> tuple[str, bool]:
    """The digits a menu takes from ``keys``: up to ``#`` or ``max_digits``; whether input ended by itself."""
    return collect(keys, max_digits, "#", keep_terminator=False)


def _chosen(menu: Menu, digits: str) -> OptionAction | None:
    for option in menu.options:
        if option.dtmf == digits:
            return read_option_action(option.action)
    return None


def _names(document: Document) -> str:
    names = [i.name for i in document.instructions]
    if document.action is not None:
        names.append(document.action.name)
    return ", ".join(names) or "(empty)"


def _value(x: object) -> str:
    return str(getattr(x, "value", x))


def _describe(event: Event) -> str:
    if isinstance(event, PieEvent) and event.menu_result is not None:
        r = event.menu_result
        value = f" {r.value}" if r.value is not None else ""
        return f"PIE {r.menu_id}: {_value(r.type)}{value}"
    if isinstance(event, DiceEvent):
        return f"DICE {_value(event.result)} {_value(event.reason)}"
    if isinstance(event, AceEvent) and event.amd is not None:
        return f"ACE amd {_value(event.amd.status)}"
    if isinstance(event, NotifyEvent):
        return f"NOTIFY {_value(event.type)}"
    if isinstance(event, IceEvent):
        return f"ICE from {event.cli} to {event.to.endpoint if event.to else ''}"
    return event.EVENT.upper()


def simulate(target: object, caller: Caller | None = None, **options: Any) -> Transcript:
    """Play one call against ``target``; return its transcript (``Call(target, caller, **options).run()``)."""
    return Call(target, caller, **options).run()

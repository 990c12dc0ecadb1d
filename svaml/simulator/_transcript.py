"""What a simulated call leaves behind: the timeline, the callback steps, the end, and any failure.

One record for both versions: a v1 call (events ICE to DiCE, a ``Document`` answer, DiCE's result)
and a v2 session (webhooks, a v2 ``Document`` answer, the legs as :class:`svaml.v2.model.Call`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs

from svaml import _json, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.model.document import Document
from svaml.model.events import DiceReason, DiceResult, Event
from svaml.v2.model.calls import CLOUD_EVENT_HEADERS
from svaml.v2.model.calls import Call as Leg
from svaml.v2.model.calls import Event as Event2
from svaml.v2.model.document import Document as Document2
from svaml.v2.model.enums import CallReason, CallResult

__all__ = ["CallFailed", "Entry", "Failure", "FailureKind", "Kind", "Step", "Transcript"]


class Kind(str, enum.Enum):
    """What one entry of the timeline records."""

    EVENT = "event"  # the platform posted an event (a webhook) to the application
    INLINE = "inline"  # an event not posted: a callout's inline SVAML answered it, or it is not enabled
    ANSWER = "answer"  # the application answered it
    HEARD = "heard"  # the caller heard a prompt (say, playFiles, a menu prompt, music on hold)
    PRESSED = "pressed"  # the caller pressed keys
    WAITED = "waited"  # the caller pressed nothing: a menu timed out
    DTMF = "dtmf"  # the platform sent DTMF to the other party (sendDtmf, connectPstn dtmf)
    ANSWERED = "answered"  # the call was answered (billing starts)
    COOKIE = "cookie"  # setCookie
    RECORDING = "recording"  # a recording started or stopped
    MENU = "menu"  # a menu started, moved to another menu, or ended with a result
    DIAL = "dial"  # a callee rang, answered, was busy, did not answer, was a machine
    CONNECTED = "connected"  # the caller talks to a callee, a conference, a stream, or waits parked
    UPDATE = "update"  # SVAML given to the call from outside (a PATCH)
    COMMAND = "command"  # v2: a command ran (or was skipped: its leg had ended)
    HANDLER = "handler"  # v2: an event ran a command's handler, or was ignored for want of one
    AMD = "amd"  # v2: answering-machine detection's verdict
    HANGUP = "hangup"  # someone hung up
    END = "end"  # the call ended: DiCE's result and reason
    FAILURE = "failure"  # the application failed the call at a step


class FailureKind(str, enum.Enum):
    """Why the application failed a call."""

    INVALID = "invalid-svaml"  # the answer has errors for its event (rule codes, pointers)
    STATUS = "status"  # the answer's HTTP status is not 2xx
    JUNK = "junk"  # the answer is not SVAML at all (not JSON, not an object)
    TIMEOUT = "timeout"  # no answer within the platform's callback timeout
    UNREACHABLE = "unreachable"  # the application could not be reached (connection refused, DNS…)
    APP_ERROR = "app-error"  # the application raised (in-process targets only)
    STEP_LIMIT = "step-limit"  # the call did not end within the platform's step limit


@attrs.frozen(kw_only=True)
class Entry:
    """One moment of the call: when (virtual seconds since the start), what, and its details.

    ``step`` is the index of the callback step the entry belongs to (None before the first);
    ``leg`` the v2 leg it happened on (its callName, else ``inbound`` or ``dial<n>``). ``detail``
    holds what the kind records, JSON-ready: ``text`` and ``locale`` of a prompt, the ``keys``
    pressed, ``menu``, ``result``, ``reason``…
    """

    at: float
    kind: Kind
    text: str
    step: int | None = None
    detail: Mapping[str, Any] = attrs.field(factory=dict)
    leg: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        out: dict[str, Any] = {"at": round(self.at, 3), "kind": self.kind.value, "text": self.text}
        if self.step is not None:
            out["step"] = self.step
        if self.leg is not None:
            out["leg"] = self.leg
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


@attrs.frozen(kw_only=True)
class Step:
    """One callback: the event sent, the answer received, and what svaml's rules say of it.

    ``status`` is None when no HTTP answer came (timeout, unreachable). ``answer`` is the SVAML
    read from the body (None for an empty body or one that is not SVAML); ``body`` the raw text.
    ``diagnostics`` are every rule's findings for the answer *for this event* (errors and
    warnings). ``latency`` is the wall-clock seconds the application took (it does not move the
    virtual clock). ``url`` is where a v2 webhook went (the service's URL, a ``webhook``
    command's, or a fallback); None for v1.
    """

    index: int
    at: float
    event: Event | Event2
    status: int | None
    body: str
    answer: Document | Document2 | None
    diagnostics: tuple[Diagnostic, ...] = ()
    latency: float = 0.0
    url: str | None = None

    @property
    def name(self) -> str:
        """The event's name: v1's ``ice``, ``ace``, ``pie``, ``dice``, ``notify``; v2's as sent."""
        return self.event.EVENT if isinstance(self.event, Event) else self.event.event

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that are errors: Sinch would reject the answer."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def summary(self) -> str:
        """The answer in a few words: the instructions' and the action's names, or why there is none."""
        return summary(self.answer, self.body)

    def to_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data (the event and the answer as Sinch writes them)."""
        answer: Any = codec.unstructure(self.answer) if self.answer is not None else None
        out = {
            "index": self.index,
            "at": round(self.at, 3),
            "event": codec.unstructure(self.event),
            "status": self.status,
            "answer": answer,
            "body": self.body if answer is None else None,
            "diagnostics": [_diagnostic(d) for d in self.diagnostics],
            "latency": round(self.latency, 6),
        }
        if self.url is not None:
            out["url"] = self.url
        cloud = getattr(self.event, "cloud", None)
        if cloud is not None:  # a v2 webhook's CloudEvents attributes, as its ce-* headers carry them
            out["cloudEvent"] = {
                name: value.isoformat() if isinstance(value, datetime) else value
                for name in CLOUD_EVENT_HEADERS
                if (value := getattr(cloud, name)) is not None
            }
        return out


def summary(answer: Document | Document2 | None, body: str) -> str:
    """An answer in a few words: its instructions' and action's names (v2: commands'), or why none."""
    if answer is None:
        return "(no SVAML)" if body.strip() in ("", "{}") else "(not SVAML)"
    if isinstance(answer, Document2):
        return ", ".join(c.command for c in answer.commands) or "(no commands)"
    names = [i.name for i in answer.instructions]
    if answer.action is not None:
        names.append(answer.action.name.upper())
    return ", ".join(names) or "(empty)"


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "pointer": d.pointer,
        "message": d.message,
    }


@attrs.frozen(kw_only=True)
class Failure:
    """How the application failed the call: at which step, why, and the rules' diagnostics."""

    step: int
    event: str
    kind: FailureKind
    message: str
    diagnostics: tuple[Diagnostic, ...] = ()

    def describe(self) -> str:
        """Several lines: the step, the reason, then one line per diagnostic (pointer, message, code)."""
        lines = [f"step {self.step} ({shown(self.event)}): {self.kind.value}: {self.message}"]
        lines.extend(f"  {d.describe()}" for d in self.diagnostics)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the failure as JSON-ready data."""
        return {
            "step": self.step,
            "event": self.event,
            "kind": self.kind.value,
            "message": self.message,
            "diagnostics": [_diagnostic(d) for d in self.diagnostics],
        }


def shown(event: str) -> str:
    """An event's name as the timeline writes it: v1's in capitals (``PIE``), v2's as sent."""
    return event if "." in event else event.upper()


@attrs.frozen(kw_only=True)
class Transcript:
    """The record of one simulated call: assert on it, print it, store it as JSON, draw it in Mermaid.

    ``timeline`` is every entry in order; ``steps`` the callbacks. ``result`` and ``reason`` are
    those of the DiCE the platform sent (None when the call failed before it ended); for a v2
    session those of its first leg once every leg has ended. ``duration`` is the virtual seconds
    from the first event to the end; ``failure`` is None when every answer was good. A v2
    session also has its ``session_id`` and its ``legs``, each as the v2 API shows a call (the
    state it ended in).
    """

    call_id: str
    timeline: tuple[Entry, ...]
    steps: tuple[Step, ...]
    result: DiceResult | CallResult | None
    reason: DiceReason | CallReason | None
    duration: float
    failure: Failure | None
    cookies: Mapping[str, str] = attrs.field(factory=dict)
    #: The caller's inputs the call ended before using (a script longer than the call).
    unused: tuple[str, ...] = ()
    session_id: str | None = None
    legs: tuple[Leg, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the call ended and no step failed."""
        return self.failure is None and self.ended

    @property
    def ended(self) -> bool:
        """Whether the call ended (v1: a DiCE was sent; v2: every leg ended)."""
        return self.reason is not None

    def leg(self, name: str) -> Leg:
        """The v2 leg of that callName, callId or label (``inbound``, ``dial2``); else :class:`KeyError`."""
        for leg, label in zip(self.legs, leg_labels(self.legs), strict=True):
            if name in (leg.call_name, leg.call_id, label):
                return leg
        names = ", ".join(leg_labels(self.legs))
        raise KeyError(f"no leg named {name!r} (legs: {names})")

    @property
    def heard(self) -> tuple[str, ...]:
        """Every prompt the caller heard, in order (the text of a TTS prompt, else the prompt)."""
        return tuple(e.text for e in self.timeline if e.kind is Kind.HEARD)

    @property
    def pressed(self) -> tuple[str, ...]:
        """Every key sequence the caller pressed, in order."""
        return tuple(e.text for e in self.timeline if e.kind is Kind.PRESSED)

    @property
    def events(self) -> tuple[str, ...]:
        """The events sent, in order: ``("ice", "pie", "dice")``, ``("call.incoming", "call.hangup")``."""
        return tuple(s.name for s in self.steps)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic of every answer, in step order."""
        return tuple(d for s in self.steps for d in s.diagnostics)

    def entries(self, kind: Kind) -> tuple[Entry, ...]:
        """The entries of one kind, in order."""
        return tuple(e for e in self.timeline if e.kind is kind)

    def check(self) -> Transcript:
        """Return the transcript if the call is :attr:`ok`; else raise :class:`CallFailed` showing it."""
        if not self.ok:
            raise CallFailed(self)
        return self

    # -- output -----------------------------------------------------------------------------------

    def to_text(self) -> str:
        """The timeline as text, one line an entry: ``  12.300s  [pie] PIE menu main: return(sales)``."""
        lines = [f"call {self.call_id}"]
        for entry in self.timeline:
            step = f"#{entry.step}" if entry.step is not None else ""
            leg = f"[{entry.leg}] " if entry.leg is not None else ""
            lines.append(f"{entry.at:9.3f}s {step:>4} {entry.kind.value:<9} {leg}{entry.text}")
            if entry.kind is Kind.ANSWER:
                s = self.steps[entry.step] if entry.step is not None else None
                if s is not None:
                    lines.extend(f"{'':15}{d.describe()}" for d in s.diagnostics)
        if self.unused:
            lines.append(f"unused inputs: {', '.join(self.unused)}")
        if self.failure is not None:
            lines.append("FAILED " + self.failure.describe())
        elif not self.ended:
            lines.append("the call did not end")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """Return the whole transcript as JSON-ready data (a v2 session's legs as the API writes calls)."""
        out = {
            "callId": self.call_id,
            "ok": self.ok,
            "result": self.result.value if self.result is not None else None,
            "reason": self.reason.value if self.reason is not None else None,
            "duration": round(self.duration, 3),
            "failure": self.failure.to_dict() if self.failure is not None else None,
            "cookies": dict(self.cookies),
            "unused": list(self.unused),
            "steps": [s.to_dict() for s in self.steps],
            "timeline": [e.to_dict() for e in self.timeline],
        }
        if self.session_id is not None:
            out["sessionId"] = self.session_id
            out["legs"] = [codec.unstructure(leg) for leg in self.legs]
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the transcript as JSON text (svaml's one JSON writer)."""
        return _json.dumps(self.to_dict(), indent=indent)

    def to_mermaid(self) -> str:
        """Return the call as a Mermaid sequence diagram (``sequenceDiagram``), for docs and reviews."""
        return "\n".join(_mermaid(self))


_ARROWS: Mapping[Kind, tuple[str, str, str]] = {
    Kind.EVENT: ("Sinch", "App", "->>"),
    Kind.ANSWER: ("App", "Sinch", "-->>"),
    Kind.HEARD: ("Sinch", "Caller", "->>"),
    Kind.PRESSED: ("Caller", "Sinch", "->>"),
    Kind.DTMF: ("Sinch", "Callee", "->>"),
    Kind.DIAL: ("Sinch", "Callee", "->>"),
    Kind.UPDATE: ("App", "Sinch", "->>"),
}


# Mermaid's entity codes (decimal): '#' starts one and ';' ends a statement, so both are written as codes.
_MERMAID_CODES = str.maketrans({"#": "#35;", ";": "#59;"})


def _mermaid_text(text: str) -> str:
    # Mermaid ends a message at a newline; keys such as "42#" keep their '#'.
    cleaned = text.replace("\n", " ").replace(":", " -")
    cleaned = cleaned if len(cleaned) <= 70 else cleaned[:69] + "…"
    return cleaned.translate(_MERMAID_CODES)


def _mermaid(t: Transcript) -> Iterator[str]:
    yield "sequenceDiagram"
    yield "    participant Caller"
    yield "    participant Sinch as Sinch (simulated)"
    yield "    participant App"
    if any(e.kind in (Kind.DIAL, Kind.DTMF) for e in t.timeline):
        yield "    participant Callee"
    # A v2 session's dialled legs are callees: what they hear and press goes to and from them.
    labels = zip(t.legs, leg_labels(t.legs), strict=True)
    callees = {label for leg, label in labels if str(leg.direction) == "OUTBOUND"}
    for e in t.timeline:
        arrow = _ARROWS.get(e.kind)
        callee = e.leg in callees
        if callee and e.kind in (Kind.HEARD, Kind.PRESSED):
            arrow = ("Sinch", "Callee", "->>") if e.kind is Kind.HEARD else ("Callee", "Sinch", "->>")
        elif e.kind is Kind.DIAL and e.leg is not None and not callee:
            arrow = ("Caller", "Sinch", "->>")  # a v2 inbound call arrives
        text = _mermaid_text(f"{e.at:.1f}s " + (f"[{e.leg}] " if e.leg is not None else "") + e.text)
        if arrow is not None:
            source, target, line = arrow
            yield f"    {source}{line}{target}: {text}"
        elif e.kind is Kind.FAILURE:
            yield f"    Note over Sinch,App: {text}"
        elif callee:
            yield f"    Note over Sinch,Callee: {text}"
        else:
            yield f"    Note over Caller,Sinch: {text}"


def leg_label(call_name: str | None, inbound: bool, dial: int) -> str:
    """How the timeline names a v2 leg: its callName, else ``inbound``, or ``dial<n>`` for the n-th dial."""
    return call_name or ("inbound" if inbound else f"dial{dial}")


def leg_labels(legs: tuple[Leg, ...]) -> tuple[str, ...]:
    """The labels of a session's legs (in the order they were made: each dial made the next outbound one)."""
    found = []
    dials = 0
    for leg in legs:
        inbound = str(leg.direction) == "INBOUND"
        dials += not inbound
        found.append(leg_label(leg.call_name, inbound, dials))
    return tuple(found)


class CallFailed(SvamlError):
    """A simulated call failed, did not end, or broke a property; the message: the reason, the transcript.

    ``transcript`` is the call; ``problems`` the failing step's diagnostics.
    """

    def __init__(self, transcript: Transcript, reason: str = "the simulated call failed") -> None:
        super().__init__(f"{reason}:\n{transcript.to_text()}")
        # Set after: the message shows them in the transcript already.
        self.problems = transcript.failure.diagnostics if transcript.failure is not None else ()
        self.transcript = transcript

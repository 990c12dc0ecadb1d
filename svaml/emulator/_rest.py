"""Sinch's Calling API v1 as the emulator serves it: routes, checks and refusals, no sockets.

:class:`Api` answers one request (method, path, headers, body) with a status and a JSON body, the
way Sinch answers it: the signature first, then the body, then the state of the calls and
conferences. The HTTP server in :mod:`svaml.emulator._server` only moves bytes.

Where the reference is silent the emulator chooses, and says so here (and in docs/testing.md):

- the replay window of ``x-timestamp`` is 600 seconds either way;
- a request to an unknown path is 404 ``40400``; a known path with another method is 405 ``40500``;
- a body that is not JSON under svaml's JSON policy, or a body without ``Content-Type:
  application/json``, is 400 ``40003`` (InvalidRequest);
- a callout the rules reject is 400 ``40005`` when a number lacks its ``+`` (Sinch's
  NumberMissingLeadingPlus), else 400 ``40001`` (ParameterValidation), the message listing every
  error with its rule code and pointer; SVAML for a call or a call leg is checked the same way;
- a PATCH of a call that has ended is 409 ``40900``;
- ``errorCode`` is written as an integer, as Sinch's examples and mock server do.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from svaml import _json
from svaml._time import iso_timestamp, parse_strict
from svaml.client import LEGS
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SignatureError
from svaml.model.permissions import Callback
from svaml.rules import validate, validate_callout
from svaml.signing import Credentials
from svaml.simulator import Transcript

__all__ = ["REPLAY_WINDOW", "Answer", "Api", "CallRecord", "Participant", "error_body"]

#: Seconds either way that a request's ``x-timestamp`` may be from the emulator's clock.
REPLAY_WINDOW = 600.0

_COMMANDS = ("mute", "unmute", "onhold", "resume")


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """Return Sinch's error body: ``status``, ``errorCode``, ``message`` and a fresh ``reference``."""
    return {
        "status": f"{status} {HTTPStatus(status).phrase}",
        "errorCode": code,
        "message": message,
        "reference": str(uuid.uuid4()),
    }


@attrs.frozen
class Answer:
    """What the API answers: a status, a JSON-ready body (None for an empty one), its type, more headers."""

    status: int
    body: Any = None
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    #: Close the connection without answering (a fault a test asks for: the request was handled).
    drop: bool = False


def _refuse(status: int, code: int, message: str) -> Answer:
    return Answer(status, error_body(status, code, message))


@attrs.define(kw_only=True)
class Participant:
    """One call in a conference room, as ``GET /conferences/id/{id}`` lists it."""

    call_id: str
    cli: str
    joined: float
    muted: bool = False
    onhold: bool = False

    def to_json(self, now: float) -> dict[str, Any]:
        """Return the participant as Sinch writes it."""
        return {
            "cli": self.cli,
            "id": self.call_id,
            "duration": int(now - self.joined),
            "muted": self.muted,
            "onhold": self.onhold,
        }


@attrs.define(kw_only=True)
class CallRecord:
    """What the emulator knows of one call, as ``GET /calls/id/{id}`` tells it.

    ``method`` is the callout's method, ``request`` its body as received; ``updates`` holds the
    SVAML of each PATCH in order (the simulated call runs them); ``ended`` is set when the call
    reaches its end, and ``transcript`` then holds the simulated call's transcript.
    """

    call_id: str
    method: str
    request: Mapping[str, Any]
    cli: str
    to: Mapping[str, Any]
    started: datetime
    custom: str | None = None
    status: str = "ONGOING"
    result: str = "N/A"
    reason: str = "N/A"
    duration: int = 0
    conference_id: str | None = None
    updates: list[tuple[str, dict[str, Any]]] = attrs.field(factory=list)
    ended: threading.Event = attrs.field(factory=threading.Event)
    transcript: Transcript | None = None

    def finish(self, result: str, reason: str, duration: int) -> None:
        """Mark the call as ended with Sinch's result and reason."""
        self.status, self.result, self.reason, self.duration = "FINAL", result, reason, duration
        self.ended.set()

    def to_json(self) -> dict[str, Any]:
        """Return the call as ``GET /calling/v1/calls/id/{callId}`` answers it."""
        amount = round(0.0368 * max(1, -(-self.duration // 60)), 4) if self.result == "ANSWERED" else 0.0
        data: dict[str, Any] = {
            "from": {"type": "number", "endpoint": self.cli},
            "to": dict(self.to),
            "domain": "pstn",
            "callId": self.call_id,
            "duration": self.duration,
            "status": self.status,
            "result": self.result,
            "reason": self.reason,
            "timestamp": iso_timestamp(self.started),
            "userRate": {"currencyId": "USD", "amount": 0.0368},
            "debit": {"currencyId": "USD", "amount": amount},
        }
        if self.custom is not None:
            data["custom"] = self.custom
        return data


_Handler = Callable[..., Answer]


class Api:
    """Sinch's Calling API for one application: checks each request and keeps calls and conferences.

    ``placed`` is called with each new :class:`CallRecord` after its callout is accepted (the
    emulator starts the simulated call there); ``updated`` with a call and the SVAML of a PATCH
    after it is accepted; ``kicked`` with a call removed from its conference. ``clock`` returns
    seconds (monotonic).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        allow_basic: bool = True,
        placed: Callable[[CallRecord], None] | None = None,
        updated: Callable[[CallRecord, str, dict[str, Any]], None] | None = None,
        kicked: Callable[[CallRecord], None] | None = None,
        clock: Callable[[], float],
    ) -> None:
        self.credentials = credentials
        self.allow_basic = allow_basic
        self.calls: dict[str, CallRecord] = {}
        self.conferences: dict[str, dict[str, Participant]] = {}
        self.callback_urls: dict[str, dict[str, str]] = {}
        self._placed = placed
        self._updated = updated
        self._kicked = kicked
        self._clock = clock
        self.lock = threading.RLock()

    # -- the one entry ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes) -> Answer:
        """Answer one request: ``target`` is the raw request target (path and query)."""
        pairs = list(headers)
        refused = self._authenticate(method, target, pairs, body)
        if refused is not None:
            return refused
        path = urlsplit(target).path
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            handler = methods.get(method.upper())
            if handler is None:
                return _refuse(405, 40500, f"{method} is not allowed on {path}; use {', '.join(methods)}")
            data: Any = None
            if body.strip():
                content_type = _header(pairs, "content-type") or ""
                if content_type.split(";", 1)[0].strip().lower() != "application/json":
                    return _refuse(
                        400, 40003, f"the body must be sent as application/json, not {content_type!r}"
                    )
                decoded = _json.decode(body)
                if not decoded.clean:
                    return _refuse(400, 40003, f"the request body is not valid JSON: {decoded.reason}")
                data = decoded.value
            with self.lock:
                return handler(self, data, *(unquote(g) for g in match.groups()))
        return _refuse(404, 40400, f"no such resource: {path}")

    def _authenticate(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer | None:
        """Refuse a request Sinch would not accept, with the error Sinch gives; None when it is fine."""
        authorization = _header(headers, "authorization")
        if authorization is None or not authorization.strip():
            return _refuse(401, 40100, "Authorization header missing")
        scheme = authorization.strip().partition(" ")[0].lower()
        if scheme == "basic" and not self.allow_basic:
            return _refuse(401, 40100, "Basic authorization is not accepted here; sign the request")
        if scheme == "application":
            received_key = authorization.strip().partition(" ")[2].partition(":")[0]
            if received_key != self.credentials.key:
                return _refuse(401, 40108, "Invalid credentials: unknown application key")
            timestamp = _header(headers, "x-timestamp")
            if timestamp is None or parse_strict(timestamp) is None:
                return _refuse(401, 40101, "X-Timestamp request header invalid or missing")
        try:
            self.credentials.verify(
                method=method,
                path=target,
                headers=headers,
                body=body,
                max_age=REPLAY_WINDOW,
                allow_basic=self.allow_basic,
            )
        except SignatureError as exc:
            text = str(exc)
            if "replay window" in text:
                return _refuse(401, 40105, f"Expired: {text}")
            if scheme == "basic":
                return _refuse(401, 40108, f"Invalid credentials: {text}")
            if scheme != "application":
                return _refuse(401, 40100, f"Authorization header invalid: {text}")
            return _refuse(401, 40102, f"Invalid signature: {text}")
        return None

    # -- callouts ---------------------------------------------------------------------------------

    def _callout(self, data: Any) -> Answer:
        if data is None:
            return _refuse(400, 40002, "missing request body: a callout needs 'method' and its object")
        refused = _refusal(validate_callout(data), "the callout request is not valid")
        if refused is not None:
            return refused
        method = data["method"]
        callout = data[method]
        call_id = f"{uuid.uuid4().hex}_{len(self.calls) + 1}"
        destination = callout.get("destination") or _inline_destination(callout)
        record = CallRecord(
            call_id=call_id,
            method=method,
            request=data,
            cli=callout.get("cli") or "private",
            to=destination or {"type": "number", "endpoint": "unknown"},
            started=datetime.now(timezone.utc),
            custom=callout.get("custom"),
        )
        self.calls[call_id] = record
        if self._placed is not None:
            self._placed(record)
        return Answer(200, {"callId": call_id})

    # -- calls ------------------------------------------------------------------------------------

    def _get_call(self, _: Any, call_id: str) -> Answer:
        call = self.calls.get(call_id)
        if call is None:
            return _refuse(404, 40400, f"Call not found: {call_id}")
        return Answer(200, call.to_json())

    def _update_call(self, data: Any, call_id: str) -> Answer:
        return self._patch(data, call_id, "patch", Callback.PATCH, 204)

    def _manage_leg(self, data: Any, call_id: str, leg: str) -> Answer:
        if leg not in LEGS:
            return _refuse(400, 40001, f"invalid call leg {leg!r}: use caller, callee or both")
        return self._patch(data, call_id, leg, Callback.CALL_LEG, 200)

    def _patch(self, data: Any, call_id: str, what: str, callback: Callback, status: int) -> Answer:
        call = self.calls.get(call_id)
        if call is None:
            return _refuse(404, 40400, f"Call not found: {call_id}")
        if data is None:
            return _refuse(400, 40002, "missing request body: SVAML expected")
        refused = _refusal(validate(data, callback=callback), f"the SVAML is not valid for {callback.phrase}")
        if refused is not None:
            return refused
        if call.status != "ONGOING":
            return _refuse(409, 40900, f"the call {call_id} has ended ({call.reason}); it cannot be changed")
        call.updates.append((what, data))
        if self._updated is not None:
            self._updated(call, what, data)
        return Answer(status)

    # -- conferences ------------------------------------------------------------------------------

    def _get_conference(self, _: Any, conference_id: str) -> Answer:
        room = self.conferences.get(conference_id)
        if room is None:
            return _refuse(404, 40400, f"Conference not found: {conference_id}")
        now = self._clock()
        return Answer(200, {"participants": [p.to_json(now) for p in room.values()]})

    def _kick_all(self, _: Any, conference_id: str) -> Answer:
        room = self.conferences.get(conference_id)
        if room is None:
            return _refuse(404, 40400, f"Conference not found: {conference_id}")
        for call_id in list(room):
            self._kick(conference_id, call_id)
        return Answer(204)

    def _manage_participant(self, data: Any, conference_id: str, call_id: str) -> Answer:
        participant = self.conferences.get(conference_id, {}).get(call_id)
        if participant is None:
            return _refuse(404, 40400, f"Participant not found: {call_id} in {conference_id}")
        command = data.get("command") if isinstance(data, dict) else None
        if command is None:
            return _refuse(400, 40002, "missing parameter 'command' (mute, unmute, onhold or resume)")
        if command not in _COMMANDS:
            return _refuse(400, 40001, f"invalid command {command!r}: use mute, unmute, onhold or resume")
        if "moh" in data and command != "onhold":
            return _refuse(400, 40001, "'moh' is only used with the onhold command")
        if command in ("mute", "unmute"):
            participant.muted = command == "mute"
        else:
            participant.onhold = command == "onhold"
        return Answer(200)

    def _kick_participant(self, _: Any, conference_id: str, call_id: str) -> Answer:
        if call_id not in self.conferences.get(conference_id, {}):
            return _refuse(404, 40400, f"Participant not found: {call_id} in {conference_id}")
        self._kick(conference_id, call_id)
        return Answer(200)

    def _kick(self, conference_id: str, call_id: str) -> None:
        room = self.conferences[conference_id]
        del room[call_id]
        if not room:
            del self.conferences[conference_id]
        call = self.calls.get(call_id)
        if call is not None and self._kicked is not None:
            self._kicked(call)

    def join(self, call: CallRecord, conference_id: str) -> None:
        """Put a call into a conference room (the room is made with its first participant)."""
        with self.lock:
            call.conference_id = conference_id
            room = self.conferences.setdefault(conference_id, {})
            room[call.call_id] = Participant(call_id=call.call_id, cli=call.cli, joined=self._clock())

    def leave(self, call: CallRecord) -> None:
        """Take a call out of its conference room, if it is in one."""
        with self.lock:
            room = self.conferences.get(call.conference_id or "")
            if room is not None and room.pop(call.call_id, None) is not None and not room:
                del self.conferences[call.conference_id or ""]

    # -- configuration ----------------------------------------------------------------------------

    def _get_callbacks(self, _: Any, key: str) -> Answer:
        if key != self.credentials.key:
            return _refuse(404, 40400, f"Application not found: {key}")
        return Answer(200, {"url": self.callback_urls.get(key, {})})

    def _update_callbacks(self, data: Any, key: str) -> Answer:
        if key != self.credentials.key:
            return _refuse(404, 40400, f"Application not found: {key}")
        url = data.get("url") if isinstance(data, dict) else None
        if not isinstance(url, dict) or not isinstance(url.get("primary"), str):
            return _refuse(400, 40002, "missing parameter url.primary")
        self.callback_urls[key] = {k: v for k, v in url.items() if isinstance(v, str)}
        return Answer(204)


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _refusal(found: list[Diagnostic], what: str) -> Answer | None:
    errors = [d for d in found if d.severity is Severity.ERROR]
    if not errors:
        return None
    code = 40005 if any(d.code == "SV401" for d in errors) else 40001
    listed = "; ".join(f"{d.pointer or '/'}: {d.message} [{d.code}]" for d in errors)
    return _refuse(400, code, f"{what}: {listed}")


def _inline_destination(callout: Mapping[str, Any]) -> dict[str, Any] | None:
    """The destination of a custom callout whose inline ICE SVAML connects the call."""
    ice = callout.get("ice")
    if not isinstance(ice, str) or not ice.lstrip().startswith("{"):
        return None
    decoded = _json.decode(ice)
    action = decoded.value.get("action") if decoded.clean and isinstance(decoded.value, dict) else None
    if isinstance(action, dict):
        number = action.get("number")
        if isinstance(number, str):
            return {"type": "number", "endpoint": number}
        if isinstance(action.get("destination"), dict):
            return dict(action["destination"])
    return None


_SEG = "([^/]+)"
_ROUTES: list[tuple[re.Pattern[str], dict[str, _Handler]]] = [
    (re.compile("/calling/v1/callouts"), {"POST": Api._callout}),
    (re.compile(f"/calling/v1/calls/id/{_SEG}"), {"GET": Api._get_call, "PATCH": Api._update_call}),
    (re.compile(f"/calling/v1/calls/id/{_SEG}/leg/{_SEG}"), {"PATCH": Api._manage_leg}),
    (
        re.compile(f"/calling/v1/conferences/id/{_SEG}"),
        {"GET": Api._get_conference, "DELETE": Api._kick_all},
    ),
    (
        re.compile(f"/calling/v1/conferences/id/{_SEG}/{_SEG}"),
        {"PATCH": Api._manage_participant, "DELETE": Api._kick_participant},
    ),
    (
        re.compile(f"/v1/configuration/callbacks/applications/{_SEG}"),
        {"GET": Api._get_callbacks, "POST": Api._update_callbacks},
    ),
]

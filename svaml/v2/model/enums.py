"""Enumerated values of SVAML v2, open as in v1: a value Sinch adds later reads and writes back.

Each enum reads in any letter case through v1's :func:`~svaml.model.enums.member_or_text` and writes
its canonical value (upper case on the v2 wire). ``transport`` shares v1's :class:`Transport`.
"""

from __future__ import annotations

from svaml.model.enums import Transport, _SvamlEnum

__all__ = [
    "FINAL_RESULTS",
    "CallBehaviorType",
    "CallReason",
    "CallResult",
    "CallType",
    "Direction",
    "InputMethod",
    "OriginationType",
    "RecordingDestination",
    "RecordingFormat",
    "RecordingType",
    "SessionState",
    "StreamCodec",
    "TextFormat",
    "Transport",
    "ValidationType",
]


class TextFormat(_SvamlEnum):
    """How ``say.text`` is read: plain text, or an SSML ``<speak>`` document."""

    TEXT = "TEXT"
    SSML = "SSML"


class RecordingFormat(_SvamlEnum):
    """The audio format of a recording (Sinch's default is MP3)."""

    MP3 = "MP3"
    WAV = "WAV"


class RecordingType(_SvamlEnum):
    """Which audio a recording holds: both directions mixed, or one of them."""

    COMBINED = "COMBINED"
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class RecordingDestination(_SvamlEnum):
    """The cloud storage a recording is uploaded to."""

    AWS = "AWS"
    GCP = "GCP"
    AZURE = "AZURE"


class InputMethod(_SvamlEnum):
    """How a menu collects input (only DTMF exists)."""

    DTMF = "DTMF"


class StreamCodec(_SvamlEnum):
    """The audio codec of a STREAM destination (only PCM exists)."""

    PCM = "PCM"


# -- calls, sessions and services (reference §1, §8.5) ----------------------------------------------


class Direction(_SvamlEnum):
    """Which way a call leg goes: it reached the service, or the service (or the API) placed it."""

    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class CallType(_SvamlEnum):
    """The kind of endpoint a leg connects to."""

    PHONE = "PHONE"
    SIP = "SIP"
    STREAM = "STREAM"
    VOICE_RELAY = "VOICE_RELAY"


class OriginationType(_SvamlEnum):
    """Where a leg came from: a phone, a SIP endpoint, or the REST API (``SERVER``)."""

    PHONE = "PHONE"
    SIP = "SIP"
    SERVER = "SERVER"


class CallResult(_SvamlEnum):
    """A leg's state: QUEUED, INITIATED (ringing) and IN_PROGRESS (answered) pass; the rest are final."""

    QUEUED = "QUEUED"
    INITIATED = "INITIATED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    NO_ANSWER = "NO_ANSWER"
    CANCEL = "CANCEL"
    BUSY = "BUSY"
    FAILED = "FAILED"


#: The final call results; QUEUED, INITIATED and IN_PROGRESS pass (reference §1).
FINAL_RESULTS: frozenset[CallResult] = frozenset(CallResult) - {
    CallResult.QUEUED,
    CallResult.INITIATED,
    CallResult.IN_PROGRESS,
}


class CallReason(_SvamlEnum):
    """Why a leg is in its state (``callReason``)."""

    OK = "OK"
    NOT_AVAILABLE = "NOT_AVAILABLE"
    CALLER_HANGUP = "CALLER_HANGUP"
    CALLEE_HANGUP = "CALLEE_HANGUP"
    MANAGER_HANGUP = "MANAGER_HANGUP"
    DID_NOT_FOUND = "DID_NOT_FOUND"
    INVALID_SCRIPT = "INVALID_SCRIPT"
    UNKNOWN_PRODUCT = "UNKNOWN_PRODUCT"
    NO_MORE_ROUTES = "NO_MORE_ROUTES"
    ERROR = "ERROR"


class SessionState(_SvamlEnum):
    """A session's (or a batch session's) state; EXPIRED: the batch's TTL passed before it started."""

    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"


class CallBehaviorType(_SvamlEnum):
    """How a service handles inbound calls: not at all, by its webhook, or with a fixed document."""

    NONE = "NONE"
    WEBHOOK = "WEBHOOK"
    STATIC = "STATIC"


class ValidationType(_SvamlEnum):
    """How ``svaml/validate`` checks: NORMAL ignores unknown properties, STRICT reports them."""

    NORMAL = "NORMAL"
    STRICT = "STRICT"

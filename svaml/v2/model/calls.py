"""A v2 call leg and the webhook events Sinch sends about it (reference §6 and §8.5).

A webhook is a CloudEvents 1.0 request in binary mode: its attributes travel in ``ce-*`` headers
(:class:`CloudEvent`) and its body is ``{"event", "call", "menu"}`` (:class:`Event`). The ``ce-type``
is the same for every event; the body's ``event`` names it, and picks its class here.

Reading is liberal, as for v1 events: every field of :class:`Call` but ``callId`` is optional
(Sinch's own mock server sends partial objects; an event's ``call`` and a call's ``callId`` are
always there, so an application can act on the call), enumerated values match in any case and
an unknown one is kept as text, timestamps are read in every form the sources show (``T`` or a
space, ``Z``, an offset or none, up to 7 fractional digits), and unknown fields are kept in
``extras``. Writing is canonical: RFC 3339 in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from svaml._time import parse_timestamp
from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, is_
from svaml.model.enums import member_or_text
from svaml.v2.model.endpoints import Destination, Origin, destination_of, origin_of
from svaml.v2.model.enums import CallReason, CallResult, CallType, Direction, OriginationType
from svaml.v2.model.events import CUSTOM_PREFIX, event_name

__all__ = [
    "CE_TYPE",
    "CLOUD_EVENT_HEADERS",
    "EVENT_CLASSES",
    "SPEC_VERSION",
    "AmdBeepEvent",
    "AmdHumanEvent",
    "AmdMachineEvent",
    "AmdUnknownEvent",
    "AnsweredEvent",
    "BusyEvent",
    "Call",
    "CloudEvent",
    "CustomEvent",
    "Event",
    "FailedEvent",
    "HangupEvent",
    "IncomingEvent",
    "MenuEvent",
    "MenuInput",
    "MessageFinishedEvent",
    "Money",
    "RecordingFailedEvent",
    "RecordingFinishedEvent",
    "RejectedEvent",
    "TimeoutEvent",
    "event_class",
]

#: The CloudEvents version of every v2 webhook (``ce-specversion``).
SPEC_VERSION = "1.0"
#: The ``ce-type`` of every v2 webhook; the body's ``event`` says which event it is.
CE_TYPE = "com.sinch.voice.call.control.v1"
#: The header of each :class:`CloudEvent` attribute (binary content mode: ``ce-`` and its name).
CLOUD_EVENT_HEADERS: Mapping[str, str] = MappingProxyType(
    {name: "ce-" + name for name in ("id", "source", "type", "specversion", "time")}
)

_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)


def opt_timestamp(value: Any) -> datetime | None:
    """Read a timestamp in any form the sources show (see the module's docstring); None stays None."""
    return None if value is None else parse_timestamp(value)


# Named functions, one per enum: the attrs mypy plugin reads a converter's signature only from those.
def _direction(value: Any) -> Direction | str | None:
    return None if value is None else member_or_text(Direction, value, "direction")


def _call_type(value: Any) -> CallType | str | None:
    return None if value is None else member_or_text(CallType, value, "callType")


def _origination(value: Any) -> OriginationType | str | None:
    return None if value is None else member_or_text(OriginationType, value, "originationType")


def _result(value: Any) -> CallResult | str | None:
    return None if value is None else member_or_text(CallResult, value, "callResult")


def _reason(value: Any) -> CallReason | str | None:
    return None if value is None else member_or_text(CallReason, value, "callReason")


def _origin(value: Any) -> Origin | None:
    return None if value is None else origin_of(value)


def _destination(value: Any) -> Destination | None:
    return None if value is None else destination_of(value)


@attrs.frozen(kw_only=True)
class Money(SvamlObject):
    """An amount of money: ``amount`` is a decimal string (up to 4 decimals), as Sinch writes it."""

    currency_code: str | None = attrs.field(default=None, validator=_opt_str)
    amount: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Call(SvamlObject):
    """One leg of a session: who, where, in which state, and what it costs (``call_rate`` a minute).

    ``call_result`` moves QUEUED → INITIATED (ringing) → IN_PROGRESS (answered) → a final state;
    ``call_reason`` says why. ``answer_time`` is absent while unanswered, ``end_time`` while going on.
    """

    call_id: str = attrs.field(validator=is_(str))
    project_id: str | None = attrs.field(default=None, validator=_opt_str)
    service_id: str | None = attrs.field(default=None, validator=_opt_str)
    session_id: str | None = attrs.field(default=None, validator=_opt_str)
    direction: Direction | str | None = attrs.field(default=None, converter=_direction)
    origination_type: OriginationType | str | None = attrs.field(default=None, converter=_origination)
    call_type: CallType | str | None = attrs.field(default=None, converter=_call_type)
    call_result: CallResult | str | None = attrs.field(default=None, converter=_result)
    start_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    call_rate: Money | None = attrs.field(default=None, validator=is_(Money, optional=True))
    call_resource_url: str | None = attrs.field(default=None, validator=_opt_str)
    call_name: str | None = attrs.field(default=None, validator=_opt_str)
    bridge_name: str | None = attrs.field(default=None, validator=_opt_str)
    batch_id: str | None = attrs.field(default=None, validator=_opt_str)
    from_: Origin | None = attrs.field(default=None, converter=_origin)
    to: Destination | None = attrs.field(default=None, converter=_destination)
    update_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    answer_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    end_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    call_duration_seconds: int | None = attrs.field(default=None, validator=_opt_int)
    call_reason: CallReason | str | None = attrs.field(default=None, converter=_reason)


@attrs.frozen(kw_only=True)
class MenuInput(SvamlObject):
    """The body's ``menu``: which menu item ran and what the caller entered (the terminator included)."""

    menu_name: str | None = attrs.field(default=None, validator=_opt_str)
    input: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class CloudEvent:
    """The CloudEvents attributes of a webhook, from its ``ce-*`` headers (not part of the body).

    Deliveries are at least once: the same event may arrive twice, with the same ``(id, source)``
    (:attr:`key`).
    """

    id: str
    source: str
    type: str = CE_TYPE
    specversion: str = SPEC_VERSION
    time: datetime | None = attrs.field(default=None, converter=opt_timestamp)

    @property
    def key(self) -> tuple[str, str]:
        """What tells one event from another: ``(id, source)``; a redelivery has the same."""
        return (self.id, self.source)

    @property
    def project_id(self) -> str | None:
        """The project of ``source`` (``projects/{projectId}/services/{serviceId}``), or None."""
        return self._parts()[0]

    @property
    def service_id(self) -> str | None:
        """The service of ``source`` (``projects/{projectId}/services/{serviceId}``), or None."""
        return self._parts()[1]

    def _parts(self) -> tuple[str | None, str | None]:
        parts = self.source.split("/")
        if len(parts) == 4 and parts[0] == "projects" and parts[2] == "services" and all(parts[1::2]):
            return parts[1], parts[3]
        return None, None


def _event(value: Any) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"event must be a string, got {type(value).__name__}")
    return event_name(value)


def _is_custom(name: str) -> bool:
    return name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX)


def _check_event(inst: Event, attribute: attrs.Attribute[Any], value: str) -> None:
    # The base class reads any name; each subclass only its own.
    cls = type(inst)
    if cls is Event or (value == inst.EVENT if inst.EVENT else _is_custom(value)):
        return
    wanted = inst.EVENT or CUSTOM_PREFIX + "<webhookName>"
    raise SvamlTypeError(f"{cls.__name__}.event must be {wanted!r}, got {value!r}")


@attrs.frozen(kw_only=True)
class Event(SvamlObject):
    """A v2 webhook: ``event`` names it, ``call`` is the leg it is about, ``menu`` a menu's outcome.

    ``cloud`` holds the CloudEvents attributes of the request it came in (None for a body read
    alone); it is no part of the JSON body nor of equality.
    """

    EVENT: ClassVar[str] = ""

    event: str = attrs.field(
        default=attrs.Factory(lambda self: self.EVENT, takes_self=True),
        converter=_event,
        validator=_check_event,
    )
    call: Call = attrs.field(validator=is_(Call))
    menu: MenuInput | None = attrs.field(default=None, validator=is_(MenuInput, optional=True))
    cloud: CloudEvent | None = attrs.field(
        default=None, validator=is_(CloudEvent, optional=True), eq=False, hash=False, repr=False
    )


@attrs.frozen(kw_only=True)
class IncomingEvent(Event):
    """``call.incoming``: an inbound call reached a WEBHOOK service; the answer steers it."""

    EVENT: ClassVar[str] = "call.incoming"


@attrs.frozen(kw_only=True)
class AnsweredEvent(Event):
    """``call.answered``: an outbound call was answered."""

    EVENT: ClassVar[str] = "call.answered"


@attrs.frozen(kw_only=True)
class BusyEvent(Event):
    """``call.busy``: the callee of an outbound call was busy."""

    EVENT: ClassVar[str] = "call.busy"


@attrs.frozen(kw_only=True)
class RejectedEvent(Event):
    """``call.rejected``: the callee rejected an outbound call."""

    EVENT: ClassVar[str] = "call.rejected"


@attrs.frozen(kw_only=True)
class TimeoutEvent(Event):
    """``call.timeout``: an outbound call was not answered within the dial timeout."""

    EVENT: ClassVar[str] = "call.timeout"


@attrs.frozen(kw_only=True)
class HangupEvent(Event):
    """``call.hangup``: the leg was disconnected."""

    EVENT: ClassVar[str] = "call.hangup"


@attrs.frozen(kw_only=True)
class FailedEvent(Event):
    """``call.failed``: the call could not be set up."""

    EVENT: ClassVar[str] = "call.failed"


@attrs.frozen(kw_only=True)
class AmdHumanEvent(Event):
    """``call.amd.human``: answering-machine detection heard a person."""

    EVENT: ClassVar[str] = "call.amd.human"


@attrs.frozen(kw_only=True)
class AmdMachineEvent(Event):
    """``call.amd.machine``: answering-machine detection heard a machine."""

    EVENT: ClassVar[str] = "call.amd.machine"


@attrs.frozen(kw_only=True)
class AmdBeepEvent(Event):
    """``call.amd.beep``: answering-machine detection heard the machine's beep."""

    EVENT: ClassVar[str] = "call.amd.beep"


@attrs.frozen(kw_only=True)
class AmdUnknownEvent(Event):
    """``call.amd.unknown``: answering-machine detection could not tell."""

    EVENT: ClassVar[str] = "call.amd.unknown"


@attrs.frozen(kw_only=True)
class MessageFinishedEvent(Event):
    """``call.message.finished``: every message of a ``messages`` command was played."""

    EVENT: ClassVar[str] = "call.message.finished"


@attrs.frozen(kw_only=True)
class RecordingFinishedEvent(Event):
    """``call.recording.finished``: a recording stopped (its file may not be delivered yet)."""

    EVENT: ClassVar[str] = "call.recording.finished"


@attrs.frozen(kw_only=True)
class RecordingFailedEvent(Event):
    """``call.recording.failed``: a recording could not start."""

    EVENT: ClassVar[str] = "call.recording.failed"


@attrs.frozen(kw_only=True)
class MenuEvent(Event):
    """``call.menu``: a menu item with neither ``matches`` nor ``onFail`` ended; ``menu`` says how."""

    EVENT: ClassVar[str] = "call.menu"


@attrs.frozen(kw_only=True)
class CustomEvent(Event):
    """``call.webhook.<webhookName>``: a ``webhook`` command ran (``menu`` set when inside a menu)."""

    @property
    def webhook_name(self) -> str:
        """The command's ``webhookName``: the event's name after ``call.webhook.``."""
        return self.event[len(CUSTOM_PREFIX) :]


#: The class of each named event (reference §6.2), by its name.
EVENT_CLASSES: Mapping[str, type[Event]] = MappingProxyType(
    {
        cls.EVENT: cls
        for cls in (
            IncomingEvent,
            AnsweredEvent,
            BusyEvent,
            RejectedEvent,
            TimeoutEvent,
            HangupEvent,
            FailedEvent,
            AmdHumanEvent,
            AmdMachineEvent,
            AmdBeepEvent,
            AmdUnknownEvent,
            MessageFinishedEvent,
            RecordingFinishedEvent,
            RecordingFailedEvent,
            MenuEvent,
        )
    }
)


def event_class(name: str) -> type[Event] | None:
    """Return the class of the event ``name``, or None for a name Voice API v2 does not send.

    ``call.webhook.*``, and the SDKs' ``call.customEvent.*``, are :class:`CustomEvent`.
    """
    wire = event_name(name)
    if _is_custom(wire):
        return CustomEvent
    return EVENT_CLASSES.get(wire)

"""The callback events Sinch posts to an application: ICE, ACE, DiCE, PIE and Notify.

Reading is liberal, as the reference's policy table says: the call id comes from ``callid`` or
``callId``, enumerated values match in any letter case (a value Sinch adds later is kept as a plain
``str``), ``timestamp`` takes any number of fractional digits and any zone, and the fields svaml
does not know are kept in ``extras``. Writing is canonical: ``callid``, the enum's own spelling,
and timestamps in UTC with ``Z``.

Read events with :func:`svaml.callbacks.parse_event`, or verify and read in one step with
:func:`svaml.callbacks.construct_event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

from svaml._json import unfit_scalar
from svaml._time import iso_timestamp, parse_timestamp
from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, each, is_, to_tuple
from svaml.model.actions import CallHeader
from svaml.model.enums import DestinationType, Domain, _SvamlEnum, member_or_text
from svaml.model.permissions import Callback

__all__ = [
    "EVENT_CLASSES",
    "AceEvent",
    "AmdReason",
    "AmdResult",
    "AmdStatus",
    "DiceEvent",
    "DiceReason",
    "DiceResult",
    "Event",
    "EventDestination",
    "IceEvent",
    "InputMethod",
    "MenuResult",
    "MenuResultType",
    "NotifyEvent",
    "NotifyType",
    "PieEvent",
    "Price",
    "iso_timestamp",
    "parse_timestamp",
]

_E = TypeVar("_E", bound=_SvamlEnum)


# -- enums ----------------------------------------------------------------------------------------


class DiceReason(_SvamlEnum):
    """Why a call ended (DiCE ``reason``, OAS list; get-call adds ``INVALIDSVAMLACTION``)."""

    NA = "N/A"
    ESTABLISHED = "ESTABLISHED"
    OTHERPEERANSWERED = "OTHERPEERANSWERED"
    TIMEOUT = "TIMEOUT"
    CALLERHANGUP = "CALLERHANGUP"
    CALLEEHANGUP = "CALLEEHANGUP"
    BLOCKED = "BLOCKED"
    MANAGERHANGUP = "MANAGERHANGUP"
    NOCREDITPARTNER = "NOCREDITPARTNER"
    CLIENTNETWORK = "CLIENTNETWORK"
    CONGESTION = "CONGESTION"
    GENERALERROR = "GENERALERROR"
    CANCEL = "CANCEL"
    USERNOTFOUND = "USERNOTFOUND"
    CALLBACKERROR = "CALLBACKERROR"
    INVALIDSVAMLACTION = "INVALIDSVAMLACTION"


class DiceResult(_SvamlEnum):
    """How a call went (DiCE ``result``)."""

    NA = "N/A"
    ANSWERED = "ANSWERED"
    BUSY = "BUSY"
    NOANSWER = "NOANSWER"
    FAILED = "FAILED"


class MenuResultType(_SvamlEnum):
    """What ended a menu (PIE ``menuResult.type``)."""

    ERROR = "error"
    RETURN = "return"
    SEQUENCE = "sequence"
    TIMEOUT = "timeout"
    HANGUP = "hangup"
    INVALIDINPUT = "invalidinput"


class InputMethod(_SvamlEnum):
    """How the caller answered a menu (PIE ``menuResult.inputMethod``)."""

    DTMF = "dtmf"
    VOICE = "voice"


class AmdStatus(_SvamlEnum):
    """What answering-machine detection found (``inprogress`` is the asynchronous mode's)."""

    MACHINE = "machine"
    HUMAN = "human"
    NOTSURE = "notsure"
    HANGUP = "hangup"
    INPROGRESS = "inprogress"


class AmdReason(_SvamlEnum):
    """Why answering-machine detection decided so."""

    LONGGREETING = "longgreeting"
    INITIALSILENCE = "initialsilence"
    BEEP = "beep"
    NA = "n/a"
    GREETING = "greeting"


class NotifyType(_SvamlEnum):
    """The kind of a Notify event: a recording, a transcription, an AMD result or a calling error."""

    RECORDING_FINISHED = "recording_finished"
    RECORDING_AVAILABLE = "recording_available"
    TRANSCRIPTION_AVAILABLE = "transcription_available"
    TRANSCRIPTION_COMPLETE = "transcription_complete"
    AMD = "amd"
    AMD_BEEP = "amd_beep"
    CALLINGERROR = "callingerror"


# -- converters: liberal reading, SvamlTypeError for what cannot be read -------------------------


def _liberal(cls: type[_E], value: Any) -> _E | str | None:
    """Return ``value`` as a member of ``cls``, any case; an unknown string is kept as it is."""
    return None if value is None else member_or_text(cls, value, cls.__name__)


# Named functions, one per enum: the attrs mypy plugin reads a converter's signature only from those.
def _destination_type(value: Any) -> DestinationType | str | None:
    return _liberal(DestinationType, value)


def _domain(value: Any) -> Domain | str | None:
    return _liberal(Domain, value)


def _dice_reason(value: Any) -> DiceReason | str | None:
    return _liberal(DiceReason, value)


def _dice_result(value: Any) -> DiceResult | str | None:
    return _liberal(DiceResult, value)


def _menu_result_type(value: Any) -> MenuResultType | str | None:
    return _liberal(MenuResultType, value)


def _input_method(value: Any) -> InputMethod | str | None:
    return _liberal(InputMethod, value)


def _amd_status(value: Any) -> AmdStatus | str | None:
    return _liberal(AmdStatus, value)


def _amd_reason(value: Any) -> AmdReason | str | None:
    return _liberal(AmdReason, value)


def _notify_type(value: Any) -> NotifyType | str | None:
    return _liberal(NotifyType, value)


def _opt_number(value: Any) -> float | None:
    if value is None:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        why = unfit_scalar(value)
        if why is None:
            return value
        raise SvamlTypeError(why)
    raise SvamlTypeError(f"expected a number, got {type(value).__name__}")


def _opt_text(value: Any) -> str | None:
    # Digits may arrive as a JSON number (as menu keys do in Sinch's examples).
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise SvamlTypeError(f"expected a string, got {type(value).__name__}")


def _opt_timestamp(value: Any) -> datetime | None:
    return None if value is None else parse_timestamp(value)


def _event_name(value: Any) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"event must be a string, got {type(value).__name__}")
    return value.casefold()


def _check_event(inst: Event, attribute: attrs.Attribute[Any], value: str) -> None:
    if value != inst.EVENT:
        raise SvamlTypeError(f"{type(inst).__name__}.event must be {inst.EVENT!r}, got {value!r}")


_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)


# -- sub-objects ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Price(SvamlObject):
    """An amount of money: ``userRate`` (per minute) and ``debit`` (the whole call)."""

    currency_id: str | None = attrs.field(default=None, validator=_opt_str)
    amount: float | None = attrs.field(default=None, converter=_opt_number)


@attrs.frozen(kw_only=True)
class EventDestination(SvamlObject):
    """The ``to`` of an event: the number, user or SIP address the caller dialled."""

    type: DestinationType | str | None = attrs.field(default=None, converter=_destination_type)
    endpoint: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class AmdResult(SvamlObject):
    """The result of answering-machine detection (ACE and Notify ``amd``); duration in seconds."""

    status: AmdStatus | str | None = attrs.field(default=None, converter=_amd_status)
    reason: AmdReason | str | None = attrs.field(default=None, converter=_amd_reason)
    duration: float | None = attrs.field(default=None, converter=_opt_number)


@attrs.frozen(kw_only=True)
class MenuResult(SvamlObject):
    """What the caller did in a menu: ``type`` says how it ended, ``value`` the option's value or digits."""

    menu_id: str | None = attrs.field(default=None, validator=_opt_str)
    type: MenuResultType | str | None = attrs.field(default=None, converter=_menu_result_type)
    value: str | None = attrs.field(default=None, converter=_opt_text)
    input_method: InputMethod | str | None = attrs.field(default=None, converter=_input_method)


# -- events ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Event(SvamlObject):
    """The fields every callback event shares; ``event`` is fixed by the class.

    ``call_id`` is read from ``callid`` or ``callId`` and written as ``callid``; ``timestamp`` is
    an aware UTC ``datetime``.
    """

    EVENT: ClassVar[str] = ""
    CALLBACK: ClassVar[Callback]

    event: str = attrs.field(
        default=attrs.Factory(lambda self: self.EVENT, takes_self=True),
        converter=_event_name,
        validator=_check_event,
    )
    call_id: str | None = attrs.field(
        default=None, validator=_opt_str, metadata={"json": "callid", "aliases": ("callId",)}
    )
    conference_id: str | None = attrs.field(default=None, validator=_opt_str)
    timestamp: datetime | None = attrs.field(default=None, converter=_opt_timestamp)
    version: int | None = attrs.field(default=None, validator=_opt_int)
    custom: str | None = attrs.field(default=None, validator=_opt_str)
    application_key: str | None = attrs.field(default=None, validator=_opt_str)


_each_header = each(CallHeader, wanted="a CallHeader")


@attrs.frozen(kw_only=True)
class IceEvent(Event):
    """Incoming Call Event: a call reached the application, which answers with SVAML.

    ``to`` is what the caller dialled, ``cli`` who calls; ``call_resource_url`` is the regional
    URL to manage this call with.
    """

    EVENT: ClassVar[str] = "ice"
    CALLBACK: ClassVar[Callback] = Callback.ICE

    call_resource_url: str | None = attrs.field(default=None, validator=_opt_str)
    user_rate: Price | None = attrs.field(default=None, validator=is_(Price, optional=True))
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    to: EventDestination | None = attrs.field(default=None, validator=is_(EventDestination, optional=True))
    domain: Domain | str | None = attrs.field(default=None, converter=_domain)
    origination_type: Domain | str | None = attrs.field(default=None, converter=_domain)
    duration: int | None = attrs.field(default=None, validator=_opt_int)
    rdnis: str | None = attrs.field(default=None, validator=_opt_str)
    call_headers: tuple[CallHeader, ...] = attrs.field(default=(), converter=to_tuple, validator=_each_header)


@attrs.frozen(kw_only=True)
class AceEvent(Event):
    """Answered Call Event: the callee answered; ``amd`` holds answering-machine detection's result."""

    EVENT: ClassVar[str] = "ace"
    CALLBACK: ClassVar[Callback] = Callback.ACE

    amd: AmdResult | None = attrs.field(default=None, validator=is_(AmdResult, optional=True))


@attrs.frozen(kw_only=True)
class DiceEvent(Event):
    """Disconnected Call Event: the call ended; Sinch expects no SVAML in return.

    ``duration`` is in seconds; ``debit`` is what the call cost, ``user_rate`` the rate applied.
    """

    EVENT: ClassVar[str] = "dice"
    CALLBACK: ClassVar[Callback] = Callback.DICE

    reason: DiceReason | str | None = attrs.field(default=None, converter=_dice_reason)
    result: DiceResult | str | None = attrs.field(default=None, converter=_dice_result)
    debit: Price | None = attrs.field(default=None, validator=is_(Price, optional=True))
    user_rate: Price | None = attrs.field(default=None, validator=is_(Price, optional=True))
    to: EventDestination | None = attrs.field(default=None, validator=is_(EventDestination, optional=True))
    duration: int | None = attrs.field(default=None, validator=_opt_int)
    from_: str | None = attrs.field(default=None, validator=_opt_str, metadata={"json": "from"})
    call_headers: tuple[CallHeader, ...] = attrs.field(default=(), converter=to_tuple, validator=_each_header)


@attrs.frozen(kw_only=True)
class PieEvent(Event):
    """Prompt Input Event: the result of a ``runMenu`` (or of conference DTMF detection)."""

    EVENT: ClassVar[str] = "pie"
    CALLBACK: ClassVar[Callback] = Callback.PIE

    menu_result: MenuResult | None = attrs.field(default=None, validator=is_(MenuResult, optional=True))


@attrs.frozen(kw_only=True)
class NotifyEvent(Event):
    """Notify event: news about a call that needs no answer; ``type`` says which kind.

    ``recording_finished``/``recording_available``/``transcription_available`` carry the file's
    URL in ``destination``; ``amd``/``amd_beep`` carry ``amd``; ``callingerror`` carries
    ``error_code``, ``error_msg`` and ``user``.
    """

    EVENT: ClassVar[str] = "notify"
    CALLBACK: ClassVar[Callback] = Callback.NOTIFY

    type: NotifyType | str | None = attrs.field(default=None, converter=_notify_type)
    destination: str | None = attrs.field(default=None, validator=_opt_str)
    amd: AmdResult | None = attrs.field(default=None, validator=is_(AmdResult, optional=True))
    error_code: int | None = attrs.field(default=None, validator=_opt_int)
    error_msg: str | None = attrs.field(default=None, validator=_opt_str)
    user: str | None = attrs.field(default=None, validator=_opt_str)


#: The event classes by the value of their ``event`` field.
EVENT_CLASSES: Mapping[str, type[Event]] = {
    cls.EVENT: cls for cls in (IceEvent, AceEvent, DiceEvent, PieEvent, NotifyEvent)
}

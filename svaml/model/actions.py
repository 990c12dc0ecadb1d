"""The nine SVAML actions and their sub-objects (destinations, headers, AMD, menus, options)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import ClassVar, Literal, NamedTuple, cast

import attrs

from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, each, is_, to_tuple
from svaml.model.enums import (
    ConferenceDtmfMode,
    DestinationType,
    Indications,
    Moh,
    Transport,
    member_or_text,
)

__all__ = [
    "ACTION_CLASSES",
    "MENU_MAX_TIMEOUT_MILLS",
    "MENU_TIMEOUT_MILLS",
    "Action",
    "Amd",
    "CallHeader",
    "ConferenceDtmfOptions",
    "ConnectConf",
    "ConnectMxp",
    "ConnectPstn",
    "ConnectSip",
    "ConnectStream",
    "Continue",
    "Destination",
    "Hangup",
    "Menu",
    "MenuOption",
    "OptionAction",
    "Park",
    "RunMenu",
    "StreamingOptions",
    "read_option_action",
]

#: How long a menu waits for input (``timeoutMills``) when it does not say: Sinch's documented default.
MENU_TIMEOUT_MILLS = 5000
#: The cap on voice input in a menu (``maxTimeoutMills``) when it does not say: Sinch's documented default.
MENU_MAX_TIMEOUT_MILLS = 20000

_str = is_(str)
_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)
_opt_bool = is_(bool, optional=True)


# Enumerated fields are open: an unknown value is kept as text (the validator reports it, SV006).
def _transport(value: Transport | str | None) -> Transport | str | None:
    return None if value is None else member_or_text(Transport, value, "transport")


def _moh(value: Moh | str | None) -> Moh | str | None:
    return None if value is None else member_or_text(Moh, value, "moh")


def _indications(value: Indications | str | None) -> Indications | str | None:
    return None if value is None else member_or_text(Indications, value, "indications")


def _dtmf_mode(value: ConferenceDtmfMode | str | None) -> ConferenceDtmfMode | str | None:
    return None if value is None else member_or_text(ConferenceDtmfMode, value, "mode")


def _destination_type(value: DestinationType | str | None) -> DestinationType | str | None:
    return None if value is None else member_or_text(DestinationType, value, "type")


def _dtmf_key(value: str | int) -> str:
    # Sinch's own examples write menu keys as JSON integers; the canonical form is a string.
    if value.__class__ is str:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and float.is_integer(value):
        return str(int(value))  # 1.0 is the integer 1 in JSON, as elsewhere in the codec
    if isinstance(value, str):
        return str(value)
    raise SvamlTypeError(f"expected a DTMF key, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Destination(SvamlObject):
    """Where a connect action goes: a ``type`` and an ``endpoint`` (username, SIP URI, ``wss://`` URL…)."""

    type: DestinationType | str | None = attrs.field(default=None, converter=_destination_type)
    endpoint: str = attrs.field(validator=_str)

    @classmethod
    def of(cls, value: Destination | str, kind: DestinationType) -> Destination:
        """Return ``value`` as a destination: a ``str`` is an endpoint of type ``kind``."""
        if isinstance(value, Destination):
            return value
        if isinstance(value, str):
            return cls(type=kind, endpoint=value)
        raise SvamlTypeError(f"destination must be a Destination or str, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class CallHeader(SvamlObject):
    """A custom call header (private SIP header, MXP header or WebSocket message field)."""

    key: str = attrs.field(validator=_str)
    value: str = attrs.field(validator=_str)


# One named converter per kind of endpoint: the attrs mypy plugin reads a converter's signature only
# from a named function, and makes the constructor take what the converter takes.
def _username(value: Destination | str | None) -> Destination | None:
    return None if value is None else Destination.of(value, DestinationType.USERNAME)


def _sip(value: Destination | str) -> Destination:
    return Destination.of(value, DestinationType.SIP)


def _websocket(value: Destination | str) -> Destination:
    return Destination.of(value, DestinationType.WEBSOCKET)


def _call_headers(value: Mapping[str, str] | Iterable[CallHeader]) -> tuple[CallHeader, ...]:
    # A mapping of key to value is the short way to write them.
    if isinstance(value, Mapping):
        return tuple(CallHeader(key=k, value=v) for k, v in value.items())
    return to_tuple(value)


@attrs.frozen(kw_only=True)
class Amd(SvamlObject):
    """Answering-machine detection for ``connectPstn`` (only honoured in a custom callout's ICE)."""

    enabled: bool | None = attrs.field(default=None, validator=_opt_bool)
    async_: bool | None = attrs.field(
        default=None, validator=_opt_bool, metadata={"json": "async"}
    )


@attrs.frozen(kw_only=True)
class ConferenceDtmfOptions(SvamlObject):
    """How a conference treats DTMF: ignore it, forward it, or detect it and send PIE events."""

    mode: ConferenceDtmfMode | str | None = attrs.field(default=None, converter=_dtmf_mode)
    max_digits: int | None = attrs.field(default=None, validator=_opt_int)
    timeout_mills: int | None = attrs.field(default=None, validator=_opt_int)


@attrs.frozen(kw_only=True)
class StreamingOptions(SvamlObject):
    """Audio streaming parameters of ``connectStream``."""

    version: int | None = attrs.field(default=None, validator=_opt_int)
    sample_rate: int | None = attrs.field(default=None, validator=_opt_int)


@attrs.frozen(kw_only=True)
class MenuOption(SvamlObject):
    """A key of a menu and what it does: ``menu(<id>)`` or ``return(<value>)``.

    ``dtmf`` accepts an ``int`` or a ``str`` and is always written as a string.
    """

    dtmf: str = attrs.field(converter=_dtmf_key)
    action: str = attrs.field(validator=_str)


class OptionAction(NamedTuple):
    """A menu option's action read: ``menu`` or ``return``, its argument, and whether it had extra spaces."""

    kind: Literal["menu", "return"]
    value: str
    spaced: bool


# Spaces around the keyword are tolerated (the OAS text once writes `return (value)`), not inside.
_OPTION_ACTION = re.compile(r"(\s*)(menu|return)(\s*)\((.*)\)(\s*)", re.DOTALL)


def read_option_action(action: str) -> OptionAction | None:
    """Read an option action, ``menu(<id>)`` or ``return(<value>)``; None if it is neither.

    The linter, the simulator and the snippets read options through this one function, so
    ``return (sales)`` means the same to all of them.
    """
    # Cached, as menus repeat on every call; a long string is read afresh rather than kept alive.
    return _read_cached(action) if len(action) <= 100 else _read_option_action(action)


def _read_option_action(action: str) -> OptionAction | None:
    if action.endswith(")"):
        if action.startswith("menu("):
            return OptionAction("menu", action[5:-1], False)
        if action.startswith("return("):
            return OptionAction("return", action[7:-1], False)
    match = _OPTION_ACTION.fullmatch(action)
    if match is None:
        return None
    kind = cast('Literal["menu", "return"]', match[2])
    return OptionAction(kind, match[4], bool(match[1] or match[3] or match[5]))


_read_cached = functools.lru_cache(maxsize=1024)(_read_option_action)


@attrs.frozen(kw_only=True)
class Menu(SvamlObject):
    """One menu of ``runMenu``: its prompts, input limits and options."""

    id: str = attrs.field(validator=_str)
    main_prompt: str | None = attrs.field(default=None, validator=_opt_str)
    repeat_prompt: str | None = attrs.field(default=None, validator=_opt_str)
    repeats: int | None = attrs.field(default=None, validator=_opt_int)
    max_digits: int | None = attrs.field(default=None, validator=_opt_int)
    timeout_mills: int | None = attrs.field(default=None, validator=_opt_int)
    max_timeout_mills: int | None = attrs.field(default=None, validator=_opt_int)
    options: tuple[MenuOption, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(MenuOption)
    )


@attrs.frozen(kw_only=True)
class Hangup(SvamlObject):
    """End the call."""

    name: ClassVar[str] = "hangup"


@attrs.frozen(kw_only=True)
class Continue(SvamlObject):
    """Let the call go on as it was (not in an ICE response)."""

    name: ClassVar[str] = "continue"


@attrs.frozen(kw_only=True)
class ConnectPstn(SvamlObject):
    """Connect the call to a phone number (E.164); ``cli`` is the caller id shown, or ``private``."""

    name: ClassVar[str] = "connectPstn"
    number: str | None = attrs.field(default=None, validator=_opt_str, kw_only=False)
    locale: str | None = attrs.field(default=None, validator=_opt_str)
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)
    dial_timeout: int | None = attrs.field(default=None, validator=_opt_int)
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    suppress_callbacks: bool | None = attrs.field(default=None, validator=_opt_bool)
    dtmf: str | None = attrs.field(default=None, validator=_opt_str)
    indications: Indications | str | None = attrs.field(default=None, converter=_indications)
    amd: Amd | None = attrs.field(default=None, validator=is_(Amd, optional=True))


@attrs.frozen(kw_only=True)
class ConnectMxp(SvamlObject):
    """Connect the call to an in-app (MXP) user."""

    name: ClassVar[str] = "connectMxp"
    destination: Destination | None = attrs.field(
        default=None,
        converter=_username,
        validator=is_(Destination, optional=True),
        kw_only=False,
    )
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(),
        converter=_call_headers,
        validator=each(CallHeader),
        metadata={"aliases": ("callheaders",)},
    )


@attrs.frozen(kw_only=True)
class ConnectConf(SvamlObject):
    """Connect the call to a conference room (``conferenceId`` at most 64 characters)."""

    name: ClassVar[str] = "connectConf"
    conference_id: str = attrs.field(validator=_str, kw_only=False)
    conference_dtmf_options: ConferenceDtmfOptions | None = attrs.field(
        default=None, validator=is_(ConferenceDtmfOptions, optional=True)
    )
    moh: Moh | str | None = attrs.field(default=None, converter=_moh)


@attrs.frozen(kw_only=True)
class ConnectSip(SvamlObject):
    """Connect the call to a SIP endpoint (``user@host``)."""

    name: ClassVar[str] = "connectSip"
    destination: Destination = attrs.field(
        converter=_sip, validator=is_(Destination), kw_only=False
    )
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    transport: Transport | str | None = attrs.field(default=None, converter=_transport)
    suppress_callbacks: bool | None = attrs.field(default=None, validator=_opt_bool)
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(),
        converter=_call_headers,
        validator=each(CallHeader),
        metadata={"aliases": ("callheaders",)},
    )
    moh: Moh | str | None = attrs.field(default=None, converter=_moh)


@attrs.frozen(kw_only=True)
class ConnectStream(SvamlObject):
    """Stream the call's audio to a WebSocket server (closed beta)."""

    name: ClassVar[str] = "connectStream"
    destination: Destination = attrs.field(
        converter=_websocket, validator=is_(Destination), kw_only=False
    )
    streaming_options: StreamingOptions | None = attrs.field(
        default=None, validator=is_(StreamingOptions, optional=True)
    )
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(),
        converter=_call_headers,
        validator=each(CallHeader),
        metadata={"aliases": ("callheaders",)},
    )


@attrs.frozen(kw_only=True)
class RunMenu(SvamlObject):
    """Play an IVR menu and collect keys (or voice); the result comes back in a PIE event."""

    name: ClassVar[str] = "runMenu"
    barge: bool | None = attrs.field(default=None, validator=_opt_bool)
    locale: str | None = attrs.field(default=None, validator=_opt_str)
    main_menu: str | None = attrs.field(default=None, validator=_opt_str)
    enable_voice: bool | None = attrs.field(default=None, validator=_opt_bool)
    menus: tuple[Menu, ...] = attrs.field(default=(), converter=to_tuple, validator=each(Menu))

    @classmethod
    def of(
        cls,
        *menus: Menu,
        barge: bool | None = None,
        locale: str | None = None,
        main_menu: str | None = None,
        enable_voice: bool | None = None,
    ) -> RunMenu:
        """Make the action from menus given one by one (the builder's ``run_menu``)."""
        return cls(barge=barge, locale=locale, main_menu=main_menu, enable_voice=enable_voice, menus=menus)


@attrs.frozen(kw_only=True)
class Park(SvamlObject):
    """Park the call: play ``introPrompt`` once, then ``holdPrompt`` until unparked or ``maxDuration``."""

    name: ClassVar[str] = "park"
    locale: str | None = attrs.field(default=None, validator=_opt_str)
    intro_prompt: str | None = attrs.field(default=None, validator=_opt_str)
    hold_prompt: str | None = attrs.field(default=None, validator=_opt_str)
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)


#: Any SVAML action.
Action = (
    Hangup | Continue | ConnectPstn | ConnectMxp | ConnectConf | ConnectSip | ConnectStream | RunMenu | Park
)

#: Action classes by their canonical ``name``.
ACTION_CLASSES: dict[str, type[Action]] = {
    cls.name: cls
    for cls in (
        Hangup,
        Continue,
        ConnectPstn,
        ConnectMxp,
        ConnectConf,
        ConnectSip,
        ConnectStream,
        RunMenu,
        Park,
    )
}

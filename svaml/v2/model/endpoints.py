"""Where a v2 ``dial`` goes and where it comes from: phone, SIP, stream and voice-relay endpoints.

On the wire an endpoint is wrapped: ``{"type": "PHONE", "phone": {"number": "+46…"}}``. Each class
holds the inner object's fields; ``type`` and ``key`` (class variables) say how it is wrapped. An
unknown field inside the inner object is kept in ``extras``, one beside ``type`` in ``wrapper``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from svaml.errors import SvamlTypeError
from svaml.model._fields import NO_EXTRAS, SvamlObject, each, is_, to_extras, to_tuple
from svaml.model.enums import member_or_text
from svaml.v2.model.enums import StreamCodec, Transport

__all__ = [
    "DESTINATION_CLASSES",
    "ORIGIN_CLASSES",
    "CallHeader",
    "Destination",
    "Origin",
    "Phone",
    "Sip",
    "SipFrom",
    "Stream",
    "StreamOptions",
    "VoiceRelay",
    "destination_of",
    "origin_of",
]

_str = is_(str)
_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)
_opt_bool = is_(bool, optional=True)


def _transport(value: Transport | str | None) -> Transport | str | None:
    return None if value is None else member_or_text(Transport, value, "transport")


def _codec(value: StreamCodec | str | None) -> StreamCodec | str | None:
    return None if value is None else member_or_text(StreamCodec, value, "codec")


#: The field every wrapped class has for the unknown fields beside ``type`` (not part of equality).
def _wrapper() -> Any:
    return attrs.field(default=NO_EXTRAS, converter=to_extras, repr=False, eq=False, hash=False)


@attrs.frozen(kw_only=True)
class CallHeader(SvamlObject):
    """A header sent in call setup: SIP (``key`` a SIP token) or stream and voice relay (printable)."""

    key: str = attrs.field(validator=_str)
    value: str | None = attrs.field(default=None, validator=_opt_str)


def _call_headers(value: Mapping[str, str] | Iterable[CallHeader]) -> tuple[CallHeader, ...]:
    # A mapping of key to value is the short way to write them.
    if isinstance(value, Mapping):
        return tuple(CallHeader(key=k, value=v) for k, v in value.items())
    return to_tuple(value)


@attrs.frozen(kw_only=True)
class Phone(SvamlObject):
    """A phone number in E.164 (``+`` and up to 15 digits), as origin or destination."""

    type: ClassVar[str] = "PHONE"
    key: ClassVar[str] = "phone"
    number: str = attrs.field(validator=_str, kw_only=False)
    wrapper: Mapping[str, Any] = _wrapper()


@attrs.frozen(kw_only=True)
class Sip(SvamlObject):
    """A SIP destination: ``sip:`` or ``sips:`` URI (≤256 characters), transport and SIP headers."""

    type: ClassVar[str] = "SIP"
    key: ClassVar[str] = "sip"
    endpoint: str = attrs.field(validator=_str, kw_only=False)
    transport: Transport | str | None = attrs.field(default=None, converter=_transport)
    # Written out, not made by a helper: the attrs mypy plugin types __init__ with the converter's parameter.
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(), converter=_call_headers, validator=each(CallHeader)
    )
    wrapper: Mapping[str, Any] = _wrapper()


@attrs.frozen(kw_only=True)
class SipFrom(SvamlObject):
    """A SIP origin: ``sip:`` or ``sips:`` URI (≤192 characters) and the display name (≤64)."""

    type: ClassVar[str] = "SIP"
    key: ClassVar[str] = "sip"
    endpoint: str = attrs.field(validator=_str, kw_only=False)
    display_name: str | None = attrs.field(default=None, validator=_opt_str)
    wrapper: Mapping[str, Any] = _wrapper()


@attrs.frozen(kw_only=True)
class StreamOptions(SvamlObject):
    """Audio of a STREAM destination: protocol ``version`` (1), ``codec`` (PCM), ``sampleRate`` (8000)."""

    version: int | None = attrs.field(default=None, validator=_opt_int)
    codec: StreamCodec | str | None = attrs.field(default=None, converter=_codec)
    sample_rate: int | None = attrs.field(default=None, validator=_opt_int)


@attrs.frozen(kw_only=True)
class Stream(SvamlObject):
    """Stream the call's audio to a WebSocket server (``wss://`` recommended); destination only."""

    type: ClassVar[str] = "STREAM"
    key: ClassVar[str] = "stream"
    endpoint: str = attrs.field(validator=_str, kw_only=False)
    stream_options: StreamOptions | None = attrs.field(
        default=None, validator=is_(StreamOptions, optional=True)
    )
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(), converter=_call_headers, validator=each(CallHeader)
    )
    wrapper: Mapping[str, Any] = _wrapper()


@attrs.frozen(kw_only=True)
class VoiceRelay(SvamlObject):
    """Relay the call to a WebSocket voice agent: its TTS voice, its STT language; destination only."""

    type: ClassVar[str] = "VOICE_RELAY"
    key: ClassVar[str] = "voiceRelay"
    endpoint: str = attrs.field(validator=_str, kw_only=False)
    tts_voice: str = attrs.field(validator=_str)
    stt_language: str = attrs.field(validator=_str)
    enable_interruptions: bool | None = attrs.field(default=None, validator=_opt_bool)
    call_headers: tuple[CallHeader, ...] = attrs.field(
        default=(), converter=_call_headers, validator=each(CallHeader)
    )
    wrapper: Mapping[str, Any] = _wrapper()


#: Where a ``dial`` may go.
Destination = Phone | Sip | Stream | VoiceRelay
#: Where a ``dial`` may come from.
Origin = Phone | SipFrom

#: Destination classes by their ``type``.
DESTINATION_CLASSES: dict[str, type[Destination]] = {c.type: c for c in (Phone, Sip, Stream, VoiceRelay)}
#: Origin classes by their ``type``.
ORIGIN_CLASSES: dict[str, type[Origin]] = {c.type: c for c in (Phone, SipFrom)}


def destination_of(value: Destination | str) -> Destination:
    """Return ``value`` as a destination: text is a phone number, or a SIP URI if it starts with ``sip``."""
    if isinstance(value, (Phone, Sip, Stream, VoiceRelay)):
        return value
    if isinstance(value, str):
        if value.startswith(("sip:", "sips:")):
            return Sip(value)
        if value.startswith(("ws://", "wss://")):
            return Stream(value)
        return Phone(value)
    raise SvamlTypeError(
        f"destination must be Phone, Sip, Stream, VoiceRelay or str, got {type(value).__name__}"
    )


def origin_of(value: Origin | str | None) -> Origin | None:
    """Return ``value`` as an origin: text is a phone number, or a SIP URI if it starts with ``sip``."""
    if value is None or isinstance(value, (Phone, SipFrom)):
        return value
    if isinstance(value, str):
        return SipFrom(value) if value.startswith(("sip:", "sips:")) else Phone(value)
    raise SvamlTypeError(f"origin must be Phone, SipFrom or str, got {type(value).__name__}")

"""Enumerated values of SVAML and of callout requests.

Each enum reads liberally (any letter case, and the other spellings Sinch's own material uses) and
always writes the canonical value, as the reference's policy table says.
"""

from __future__ import annotations

import enum
import typing
from typing import TypeVar

from svaml.errors import SvamlTypeError

__all__ = [
    "Capability",
    "ConferenceDtmfMode",
    "DestinationType",
    "Domain",
    "Indications",
    "Moh",
    "Transport",
]

_E = TypeVar("_E", bound="_SvamlEnum")


class _SvamlEnum(str, enum.Enum):
    """A string enum whose lookup ignores letter case; its ``str()`` is its JSON value."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> _SvamlEnum | None:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None


class Transport(_SvamlEnum):
    """SIP transport of ``connectSip`` (Sinch's default is UDP)."""

    UDP = "UDP"
    TCP = "TCP"
    TLS = "TLS"


class Moh(_SvamlEnum):
    """Music on hold: played to a lone conference participant or a SIP call on hold."""

    RING = "ring"
    MUSIC1 = "music1"
    MUSIC2 = "music2"
    MUSIC3 = "music3"


class ConferenceDtmfMode(_SvamlEnum):
    """What a conference does with the DTMF its participants press."""

    IGNORE = "ignore"
    FORWARD = "forward"
    DETECT = "detect"


class DestinationType(_SvamlEnum):
    """The kind of a destination endpoint (SVAML actions and callout requests)."""

    NUMBER = "number"
    USERNAME = "username"
    SIP = "sip"
    DID = "did"
    WEBSOCKET = "Websocket"


class Domain(_SvamlEnum):
    """The domain of a callout: the phone network or in-app (MXP)."""

    PSTN = "pstn"
    MXP = "mxp"


class Capability(_SvamlEnum):
    """What a number is assigned to an application for."""

    VOICE = "voice"
    SMS = "sms"


class Indications(_SvamlEnum):
    """The country whose ringing tones ``connectPstn`` plays."""

    AT = "at"
    AU = "au"
    BG = "bg"
    BR = "br"
    BE = "be"
    CH = "ch"
    CL = "cl"
    CN = "cn"
    CZ = "cz"
    DE = "de"
    DK = "dk"
    EE = "ee"
    ES = "es"
    FI = "fi"
    FR = "fr"
    GR = "gr"
    HU = "hu"
    IL = "il"
    IN = "in"
    IT = "it"
    LT = "lt"
    JP = "jp"
    MX = "mx"
    MY = "my"
    NL = "nl"
    NO = "no"
    NZ = "nz"
    PH = "ph"
    PL = "pl"
    PT = "pt"
    RU = "ru"
    SE = "se"
    SG = "sg"
    TH = "th"
    UK = "uk"
    US = "us"
    TW = "tw"
    VE = "ve"
    ZA = "za"

    @classmethod
    def _missing_(cls, value: object) -> Indications | None:
        # Sinch's OpenAPI file carries `false` for Norway (a YAML 1.1 accident); read it as `no`.
        if value is False or value == "false":
            return cls.NO
        found = super()._missing_(value)
        return found if isinstance(found, Indications) else None


def coerce(cls: type[_E], value: object, owner: str) -> _E:
    """Return ``value`` as a member of ``cls``, or raise a type error that names the field.

    For arguments svaml sends itself (a REST request): an unknown value is refused here.
    """
    found = member_or_text(cls, value, owner)
    if found.__class__ is str:
        allowed = ", ".join(m.value for m in cls)
        raise SvamlTypeError(f"{owner} must be one of {allowed}; got {value!r}")
    return typing.cast(_E, found)


def member_or_text(cls: type[_E], value: object, owner: str) -> _E | str:
    """Return ``value`` as a member of ``cls`` (any letter case), or as the text it is when unknown.

    The model's enumerated fields are open, as in Sinch's own SDKs: a value Sinch adds later
    reads and writes back unchanged (the validator reports it, SV006). Only a wrong type raises.
    """
    if value.__class__ is cls:
        return value
    if isinstance(value, str) or value is False:
        try:
            return cls(value)
        except ValueError:
            if isinstance(value, str):
                return str(value)
    raise SvamlTypeError(f"{owner} must be a {cls.__name__} or str, got {type(value).__name__}")

"""Callout request bodies: place a call with text-to-speech, into a conference, or with custom SVAML.

The JSON is ``{"method": "ttsCallout", "ttsCallout": {...}}``; :class:`CalloutRequest` mirrors it,
and :func:`callout_request` wraps one callout into it.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from svaml.model._fields import SvamlObject, is_
from svaml.model.actions import ConferenceDtmfOptions, Destination
from svaml.model.enums import DestinationType, Domain, Moh, member_or_text

__all__ = [
    "CALLOUT_CLASSES",
    "SEEN_OUTSIDE_SCHEMA",
    "Callout",
    "CalloutRequest",
    "ConferenceCallout",
    "CustomCallout",
    "TtsCallout",
    "callout_request",
]

_str = is_(str)
_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)
_opt_bool = is_(bool, optional=True)
_opt_destination = is_(Destination, optional=True)
# Where a field the OpenAPI schema lacks comes from (a field's ``outside_schema`` metadata).
_AMD_EXAMPLE = "Sinch's OpenAPI AMD custom callout example; the Java and Node SDKs leave it out"


def _number(value: Destination | str | None) -> Destination | None:
    # A str destination of a callout is the phone number to call.
    return None if value is None else Destination.of(value, DestinationType.NUMBER)


def _number_required(value: Destination | str) -> Destination:
    return Destination.of(value, DestinationType.NUMBER)


# Enumerated fields are open: an unknown value is kept as text (the validator reports it, SV006).
def _domain(value: Domain | str | None) -> Domain | str | None:
    return None if value is None else member_or_text(Domain, value, "domain")


def _moh(value: Moh | str | None) -> Moh | str | None:
    return None if value is None else member_or_text(Moh, value, "mohClass")


@attrs.frozen(kw_only=True)
class TtsCallout(SvamlObject):
    """Call a number and play text-to-speech or prompts; Sinch never connects it without ``cli``."""

    method: ClassVar[str] = "ttsCallout"
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    destination: Destination | None = attrs.field(
        default=None, converter=_number, validator=_opt_destination, kw_only=False
    )
    dtmf: str | None = attrs.field(default=None, validator=_opt_str)
    domain: Domain | str | None = attrs.field(default=None, converter=_domain)
    custom: str | None = attrs.field(default=None, validator=_opt_str)
    locale: str | None = attrs.field(default=None, validator=_opt_str)
    text: str | None = attrs.field(default=None, validator=_opt_str)
    prompts: str | None = attrs.field(default=None, validator=_opt_str)
    enable_ace: bool | None = attrs.field(default=None, validator=_opt_bool)
    enable_dice: bool | None = attrs.field(default=None, validator=_opt_bool)
    enable_pie: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen(kw_only=True)
class ConferenceCallout(SvamlObject):
    """Call a number and connect it to a conference."""

    method: ClassVar[str] = "conferenceCallout"
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    destination: Destination = attrs.field(
        converter=_number_required, validator=is_(Destination), kw_only=False
    )
    conference_id: str = attrs.field(validator=_str, kw_only=False)
    conference_dtmf_options: ConferenceDtmfOptions | None = attrs.field(
        default=None, validator=is_(ConferenceDtmfOptions, optional=True)
    )
    dtmf: str | None = attrs.field(default=None, validator=_opt_str)
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)
    enable_ace: bool | None = attrs.field(default=None, validator=_opt_bool)
    enable_dice: bool | None = attrs.field(default=None, validator=_opt_bool)
    enable_pie: bool | None = attrs.field(default=None, validator=_opt_bool)
    locale: str | None = attrs.field(default=None, validator=_opt_str)
    greeting: str | None = attrs.field(default=None, validator=_opt_str)
    moh_class: Moh | str | None = attrs.field(default=None, converter=_moh)
    custom: str | None = attrs.field(default=None, validator=_opt_str)
    domain: Domain | str | None = attrs.field(default=None, converter=_domain)


@attrs.frozen(kw_only=True)
class CustomCallout(SvamlObject):
    """Call a number and drive it with SVAML: ``ice``, ``ace``, ``pie`` are SVAML JSON text or URLs.

    ``dice`` can only be a URL. When ``ice`` is inline SVAML, leave out ``cli`` and
    ``destination``: the ICE SVAML's connect action carries them.
    """

    method: ClassVar[str] = "customCallout"
    cli: str | None = attrs.field(default=None, validator=_opt_str)
    destination: Destination | None = attrs.field(
        default=None, converter=_number, validator=_opt_destination
    )
    dtmf: str | None = attrs.field(default=None, validator=_opt_str)
    custom: str | None = attrs.field(default=None, validator=_opt_str)
    max_duration: int | None = attrs.field(default=None, validator=_opt_int)
    # Not in the OpenAPI schema of customCallout, but in Sinch's own AMD custom callout example:
    # read, and warned about (SV907) with where they come from.
    enable_ace: bool | None = attrs.field(
        default=None, validator=_opt_bool, metadata={"outside_schema": _AMD_EXAMPLE}
    )
    enable_dice: bool | None = attrs.field(
        default=None, validator=_opt_bool, metadata={"outside_schema": _AMD_EXAMPLE}
    )
    ice: str | None = attrs.field(default=None, validator=_opt_str)
    ace: str | None = attrs.field(default=None, validator=_opt_str)
    pie: str | None = attrs.field(default=None, validator=_opt_str)
    dice: str | None = attrs.field(default=None, validator=_opt_str)


#: Any callout.
Callout = TtsCallout | ConferenceCallout | CustomCallout

#: Callout classes by their ``method``.
CALLOUT_CLASSES: dict[str, type[Callout]] = {
    cls.method: cls for cls in (TtsCallout, ConferenceCallout, CustomCallout)
}


@attrs.frozen(kw_only=True)
class CalloutRequest(SvamlObject):
    """The body of ``POST /calling/v1/callouts``: a ``method`` and the callout of that name."""

    method: str = attrs.field(validator=_str)
    tts_callout: TtsCallout | None = attrs.field(
        default=None, validator=is_(TtsCallout, optional=True)
    )
    conference_callout: ConferenceCallout | None = attrs.field(
        default=None, validator=is_(ConferenceCallout, optional=True)
    )
    custom_callout: CustomCallout | None = attrs.field(
        default=None, validator=is_(CustomCallout, optional=True)
    )

    @property
    def callout(self) -> Callout | None:
        """The callout that ``method`` names, if present."""
        return {
            "ttsCallout": self.tts_callout,
            "conferenceCallout": self.conference_callout,
            "customCallout": self.custom_callout,
        }.get(self.method)


#: Keys of callout requests seen in Sinch's material but in no schema, by the model class whose
#: objects hold them, with where they were seen. svaml does not read them (they stay in an
#: object's ``extras``); the unknown-field warning (SV007) says where they come from.
SEEN_OUTSIDE_SCHEMA: dict[type, dict[str, str]] = {
    CalloutRequest: {"pop": "Sinch's OpenAPI customCallout example"},
    Destination: {"number": "Sinch's OpenAPI JavaScript example, in place of 'endpoint'"},
}


def callout_request(callout: Callout) -> CalloutRequest:
    """Wrap a callout into the request body Sinch expects."""
    if isinstance(callout, TtsCallout):
        return CalloutRequest(method=callout.method, tts_callout=callout)
    if isinstance(callout, ConferenceCallout):
        return CalloutRequest(method=callout.method, conference_callout=callout)
    return CalloutRequest(method=callout.method, custom_callout=callout)

"""Which callback may answer with which action and instruction (Sinch's SVAML table).

The builder refuses a method its callback does not allow, and the validator reports the same
thing; both read this one table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from svaml.errors import SvamlTypeError

__all__ = ["ACTIONS_ALLOWED", "INSTRUCTIONS_ALLOWED", "Callback", "callback_of", "refusal"]


class Callback(str, enum.Enum):
    """Where a SVAML document is used: the answer to an event, or the body of a call update."""

    ICE = "ice"
    ACE = "ace"
    PIE = "pie"
    DICE = "dice"
    NOTIFY = "notify"
    PATCH = "patch"
    CALL_LEG = "call-leg"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> Callback | None:
        if isinstance(value, str):
            folded = value.strip().casefold().replace("_", "-")
            aliases = {"leg": "call-leg", "callleg": "call-leg", "update": "patch"}
            folded = aliases.get(folded, folded)
            for member in cls:
                if member.value == folded:
                    return member
        return None

    @property
    def phrase(self) -> str:
        """How the docs name a document used here, e.g. ``an ACE response``."""
        return _PHRASES[self]


#: What a user writes for "the callback is not known" (``--callback unknown``, ``callback="auto"``).
_UNKNOWN = frozenset(("", "unknown", "auto", "none"))


def callback_of(value: Callback | str | None) -> Callback | None:
    """Return the callback ``value`` names (any case, ``call_leg``, ``update``); None when not known.

    This is the one reading of a callback name, for the builder, the validator, the strategies
    and the command line; anything else raises :class:`~svaml.errors.SvamlTypeError`.
    """
    if value is None or isinstance(value, Callback):
        return value
    if isinstance(value, str):
        if value.strip().casefold() in _UNKNOWN:
            return None
        try:
            return Callback(value)
        except ValueError:
            pass
    allowed = ", ".join(c.value for c in Callback)
    raise SvamlTypeError(f"callback must be one of {allowed} or unknown; got {value!r}")


_PHRASES = {
    Callback.ICE: "an ICE response",
    Callback.ACE: "an ACE response",
    Callback.PIE: "a PIE response",
    Callback.DICE: "a DiCE response",
    Callback.NOTIFY: "a Notify response",
    Callback.PATCH: "a call update (PATCH)",
    Callback.CALL_LEG: "a call-leg update",
}

_ICE, _ACE, _PIE, _DICE = Callback.ICE, Callback.ACE, Callback.PIE, Callback.DICE
_PATCH, _LEG = Callback.PATCH, Callback.CALL_LEG

#: For each action, the callbacks whose SVAML may carry it (DOCS svaml.md table = OAS svaml.action.*).
#: DiCE takes no SVAML, but a lone hangup is accepted; the call-leg update takes the PATCH actions.
ACTIONS_ALLOWED: Mapping[str, frozenset[Callback]] = {
    "hangup": frozenset({_ICE, _ACE, _PIE, _DICE, _PATCH, _LEG}),
    "continue": frozenset({_ACE, _PIE, _PATCH, _LEG}),
    "connectPstn": frozenset({_ICE, _PIE}),
    "connectMxp": frozenset({_ICE}),
    "connectConf": frozenset({_ICE, _ACE, _PIE}),
    "connectSip": frozenset({_ICE, _PIE}),
    "connectStream": frozenset({_ICE}),
    "runMenu": frozenset({_ICE, _ACE, _PIE}),
    "park": frozenset({_ICE, _PATCH, _LEG}),
}

#: For each instruction, the callbacks whose SVAML may carry it (OAS svaml.instruction.*; the
#: call-leg update is "only used with PlayFiles and Say").
INSTRUCTIONS_ALLOWED: Mapping[str, frozenset[Callback]] = {
    "playFiles": frozenset({_ICE, _ACE, _PIE, _PATCH, _LEG}),
    "say": frozenset({_ICE, _ACE, _PIE, _PATCH, _LEG}),
    "setCookie": frozenset({_ICE, _ACE, _PIE, _PATCH}),
    "startRecording": frozenset({_ICE, _ACE, _PIE, _PATCH}),
    "stopRecording": frozenset({_ICE, _ACE, _PIE, _PATCH}),
    "sendDtmf": frozenset({_ICE, _PIE, _PATCH}),
    "answer": frozenset({_ICE, _PATCH}),
}


#: For each callback, the names of the actions and instructions it allows (the table, inverted).
ALLOWED_IN: Mapping[Callback, frozenset[str]] = {
    callback: frozenset(
        name
        for table in (ACTIONS_ALLOWED, INSTRUCTIONS_ALLOWED)
        for name, allowed in table.items()
        if callback in allowed
    )
    for callback in Callback
}


def refusal(name: str, callback: Callback) -> str | None:
    """Say why ``name`` (an action or instruction) is not allowed in ``callback``, or None if it is."""
    if callback in (Callback.NOTIFY,):
        return f"{name} is not allowed in {callback.phrase}: Sinch discards the response to Notify events"
    table = ACTIONS_ALLOWED if name in ACTIONS_ALLOWED else INSTRUCTIONS_ALLOWED
    allowed = table.get(name)
    if allowed is None or callback in allowed:
        return None
    if callback is Callback.DICE:
        return f"{name} is not allowed in {callback.phrase}: DiCE takes no SVAML (a lone hangup at most)"
    places = [c.phrase for c in Callback if c in allowed]
    where = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]
    kind = "action" if table is ACTIONS_ALLOWED else "instruction"
    return f"the {kind} {name} is not allowed in {callback.phrase}; Sinch allows it only in {where}"

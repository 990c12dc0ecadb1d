"""What the simulator assumes of Sinch where the reference is silent: one class, every choice a field.

Each field's comment says what the reference (``sinch-voice.md``) says, or that it is silent. The
documented defaults themselves (``timeoutMills`` 5000, ``barge`` true, ``maxDuration`` at most
14400…) are not assumptions and are read from the documents as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from svaml.errors import SvamlError
from svaml.model.events import DiceReason, DiceResult

__all__ = ["Common", "Platform", "SignatureClock"]


class SignatureClock(str, enum.Enum):
    """Which clock stamps ``x-timestamp`` (the signed header; event ``timestamp`` fields are virtual)."""

    WALL = "wall"  # the real time of sending: apps with a replay window accept every event
    VIRTUAL = "virtual"  # the virtual clock: deterministic headers (verify with max_age=None)


def _positive(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise SvamlError(f"Platform.{attribute.name} must be a number > 0, got {value!r}")


def _seconds(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise SvamlError(f"Platform.{attribute.name} must be a number of seconds >= 0, got {value!r}")


def _count(least: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(inst: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise SvamlError(f"Platform.{attribute.name} must be a whole number >= {least}, got {value!r}")

    return check


def _end(result: DiceResult, reason: DiceReason) -> tuple[DiceResult, DiceReason]:
    return (result, reason)


@attrs.frozen(kw_only=True)
class Common:
    """The assumptions both simulators share (v1's :class:`Platform` and v2's): bounds, clocks, speech.

    Each field says what it assumes; the subclasses add their version's own.
    """

    # -- bounds of the simulation (the simulator's own, not Sinch's) ---------------------------
    #: Callbacks (webhooks) a call may make before the simulator fails it (a flow that never ends).
    max_steps: int = attrs.field(default=60, validator=_count(1))
    #: The longest call, in seconds: the references cap every ``maxDuration`` (v1) and
    #: ``maxCallDurationSeconds`` (v2) at 14400.
    max_call_seconds: float = attrs.field(default=14400.0, validator=_positive)
    #: The virtual clock's start (None: now, when the call starts).
    start: datetime | None = None
    #: Which clock stamps the signed ``x-timestamp`` header.
    signature_clock: SignatureClock = SignatureClock.WALL

    # -- speech and tones (silent) -------------------------------------------------------------
    #: Characters of TTS or SSML text spoken per second.
    tts_chars_per_second: float = attrs.field(default=15.0, validator=_positive)
    #: Seconds a recorded file or URL prompt lasts.
    file_seconds: float = attrs.field(default=3.0, validator=_seconds)
    #: Seconds one DTMF tone lasts (a ``w`` pauses 0.5 s, as the v1 reference says).
    dtmf_tone_seconds: float = attrs.field(default=0.2, validator=_seconds)
    #: Keys pressed during a prompt that does not allow barge-in: kept for after the prompt
    #: (True), or lost (False).
    keep_keys_without_barge: bool = True

    # -- callees and callers (silent) ------------------------------------------------------------
    #: Seconds a callee rings before a no-answer when the document gives no dial timeout.
    dial_timeout: float = attrs.field(default=60.0, validator=_seconds)
    #: Seconds a caller left in silence (nothing to hear, nothing to answer) waits before
    #: hanging up.
    caller_patience: float = attrs.field(default=10.0, validator=_seconds)


@attrs.frozen(kw_only=True)
class Platform(Common):
    """The platform's behaviour the reference does not state, with the simulator's defaults.

    Change one with :func:`attrs.evolve` or ``Platform(field=...)``; every assumption is listed in
    ``docs/testing.md``. A count or a time out of range (a negative timeout, ``max_steps=0``)
    raises :class:`~svaml.errors.SvamlError`. The fields shared with v2's platform (bounds,
    clocks, speech, dial timeout, patience) come from :class:`Common`.
    """

    #: Seconds Sinch waits for a callback's answer (silent; "if no ICE response within timeout").
    callback_timeout: float = attrs.field(default=10.0, validator=_positive)

    # -- menus (silent unless noted) -----------------------------------------------------------
    #: ``repeats`` when a menu gives none: how many more times the prompt plays after a timeout
    #: or an invalid input before the menu gives up.
    menu_repeats: int = attrs.field(default=2, validator=_count(0))
    #: ``maxDigits`` when a menu gives none.
    menu_max_digits: int = attrs.field(default=1, validator=_count(1))
    #: When the caller hangs up in a menu, send a PIE of type ``hangup`` before the DiCE (the
    #: reference lists the type, not when it is sent).
    pie_on_menu_hangup: bool = True

    # -- connecting a callee (silent unless noted) ---------------------------------------------
    #: Send an ACE when a connectPstn, connectSip or connectMxp callee answers (unless
    #: ``suppressCallbacks``); the reference documents ACE for callouts.
    ace_on_connect: bool = True
    #: Run answering-machine detection whenever an action enables it; the reference says AMD works
    #: only in the ICE answer of a custom callout (False applies that).
    amd_anywhere: bool = True

    # -- where the call goes on without the caller pressing anything (silent) ------------------
    #: Seconds a caller stays in a conference after their last input.
    conference_seconds: float = attrs.field(default=60.0, validator=_seconds)
    #: Seconds a ``park`` lasts when it has no ``maxDuration``.
    park_seconds: float = attrs.field(default=180.0, validator=_seconds)
    #: Seconds a stream runs before the far end closes it.
    stream_seconds: float = attrs.field(default=30.0, validator=_seconds)
    #: Execute the SVAML answered to a conference-DTMF PIE (the reference: it "expects a 200 OK").
    #: False: the answer is checked, and the caller stays in the conference.
    run_conference_pie_answer: bool = False

    # -- how calls end: DiCE's result and reason (silent) --------------------------------------
    #: The application's ``hangup`` on an answered call, and on one not answered yet.
    app_hangup: tuple[DiceResult, DiceReason] = _end(DiceResult.ANSWERED, DiceReason.MANAGERHANGUP)
    app_hangup_unanswered: tuple[DiceResult, DiceReason] = _end(DiceResult.NA, DiceReason.MANAGERHANGUP)
    #: A callee that is busy, does not answer, or cannot be reached.
    callee_ends: Mapping[str, tuple[DiceResult, DiceReason]] = attrs.field(
        factory=lambda: {
            "busy": _end(DiceResult.BUSY, DiceReason.CALLEEHANGUP),
            "no-answer": _end(DiceResult.NOANSWER, DiceReason.TIMEOUT),
            "fail": _end(DiceResult.FAILED, DiceReason.GENERALERROR),
        }
    )
    #: A failed callback: Sinch plays an error prompt and disconnects (the reference), with this
    #: DiCE; None sends no DiCE after a failure.
    after_failure: tuple[DiceResult, DiceReason] | None = _end(DiceResult.FAILED, DiceReason.CALLBACKERROR)
    #: Send each call's cookies (setCookie) in later events' ``cookies`` field. The reference
    #: says cookies persist across the call's events but names no field: off by default.
    cookies_in_events: bool = False

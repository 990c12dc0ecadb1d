"""What the v2 simulator assumes of Sinch where the v2 reference is silent: every choice a field.

The shared assumptions (bounds, clocks, speech, the dial timeout, the caller's patience) come from
:class:`~svaml.simulator._platform.Common`; the documented v2 behaviour (5 s webhook timeout, the
60 s primary retry, menu defaults) is not an assumption and is not here.
"""

from __future__ import annotations

import enum

import attrs

from svaml.simulator._platform import Common, _count, _seconds
from svaml.v2.model import CallReason, CallResult

__all__ = ["Merge", "Platform"]


class Merge(str, enum.Enum):
    """A1: what the commands answered to a ``webhook`` command do to the rest of its sequence."""

    PRECEDE = "precede"  # they run first, then the sequence goes on after the webhook command
    REPLACE = "replace"  # they run instead of the rest of the sequence


def _end(result: CallResult, reason: CallReason) -> tuple[CallResult, CallReason]:
    return (result, reason)


@attrs.frozen(kw_only=True)
class Platform(Common):
    """The v2 platform's behaviour the reference does not state, with the simulator's defaults.

    Change one with :func:`attrs.evolve` or ``Platform(field=...)``; each is listed in
    ``docs/v2-testing.md``. A count or a time out of range raises :class:`~svaml.errors.SvamlError`.
    """

    #: Commands a session may run before the simulator fails it (a loop that takes no time).
    max_commands: int = attrs.field(default=2000, validator=_count(1))

    # -- the open questions of the reference (A1-A5) ---------------------------------------------
    #: A1: the commands answered to a ``webhook`` command run before the rest of its sequence
    #: (the reference: "the next command ... runs only once the backend has answered").
    webhook_merge: Merge = attrs.field(default=Merge.PRECEDE, converter=Merge)
    #: A2: a ``startRecording`` without an ``events`` property that cannot start sends
    #: ``call.recording.failed`` to the service webhook (False: the failure is ignored).
    recording_failure_webhook: bool = True
    #: A3: a dialled leg that never connects (busy, rejected, timeout, failure) also fires
    #: ``onHangup`` (or ``call.hangup``) after its own handler.
    hangup_after_unanswered: bool = False
    #: The current leg of onBusy, onReject, onTimeout and onFailure (and of the webhook's answer
    #: to their events): the leg whose sequence ran the ``dial`` (True; the dialled leg never
    #: connected), or the dialled leg (False: commands acting on a leg do not run there). The
    #: reference infers the dialled leg only from onAnswer and onHangup.
    failed_dial_on_dialler: bool = True
    #: A5: ``messages`` or a ``menu`` on an inbound leg not answered yet answers it (the OpenAPI
    #: example plays messages without ``answer``); False: they play as early media.
    implicit_answer: bool = True
    #: A5: a ``beep`` verdict of AMD fires ``onMachine`` (``call.amd.machine``) before ``onBeep``.
    beep_also_machine: bool = False

    # -- timing (silent) ----------------------------------------------------------------------------
    #: What a leg hears plays one thing at a time: ``messages`` and menu prompts started while
    #: something plays wait their turn (the command itself returns at once). False: they play
    #: at once, over each other.
    queue_audio: bool = True
    #: ``hangup`` of a leg hearing messages waits for them to end (True), or cuts them short at
    #: once, as its being non-blocking says (False; the transcript shows what was cut).
    hangup_after_audio: bool = False
    #: Seconds answering-machine detection takes to reach its verdict.
    amd_seconds: float = attrs.field(default=3.0, validator=_seconds)

    # -- webhook delivery (§6.4: "several consecutive failures", number unspecified) ----------------
    #: Consecutive failures of a primary URL after which only its fallback URL is used.
    failures_before_bypass: int = attrs.field(default=3, validator=_count(1))
    #: A failed webhook disconnects the call (§6.4): end the whole session there (True), or only
    #: the leg the event was about (False).
    failure_ends_session: bool = True

    # -- how legs end: callResult and callReason (silent where not in §9) -------------------------
    #: The application's ``hangup`` of an answered leg.
    app_hangup: tuple[CallResult, CallReason] = _end(CallResult.COMPLETED, CallReason.MANAGER_HANGUP)
    #: The application's ``hangup`` of an inbound leg not answered yet.
    app_hangup_unanswered: tuple[CallResult, CallReason] = _end(
        CallResult.REJECTED, CallReason.MANAGER_HANGUP
    )
    #: The application's ``hangup`` of a dialled leg still ringing.
    app_hangup_ringing: tuple[CallResult, CallReason] = _end(CallResult.CANCEL, CallReason.MANAGER_HANGUP)
    #: ``maxCallDurationSeconds`` (counted from the answer) or the longest call reached.
    max_duration_end: tuple[CallResult, CallReason] = _end(CallResult.COMPLETED, CallReason.MANAGER_HANGUP)
    #: The caller of an inbound leg hangs up before it is answered.
    caller_gives_up: tuple[CallResult, CallReason] = _end(CallResult.CANCEL, CallReason.CALLER_HANGUP)
    #: A leg disconnected because a webhook failed (answered, and not answered yet).
    after_failure: tuple[CallResult, CallReason] = _end(CallResult.COMPLETED, CallReason.ERROR)
    after_failure_unanswered: tuple[CallResult, CallReason] = _end(CallResult.FAILED, CallReason.ERROR)

"""Hypothesis callers and ready-made properties of call flows (this module imports hypothesis).

:func:`callers` draws :class:`~svaml.simulator.Caller` scripts: keys (valid or not for the menu
at hand), waits that let menus time out, hang-ups at any point, callees that answer, are busy,
do not answer or are machines, and every AMD result. Hypothesis shrinks a failing caller to the
shortest script that still fails. The properties take a :class:`~svaml.simulator.Transcript` and
raise :class:`~svaml.simulator.CallFailed`, whose message is the reason and the whole
transcript::

    @given(callers())
    def test_my_ivr(caller):
        holds(simulate(app, caller, key=KEY, secret=SECRET))
"""

from __future__ import annotations

from hypothesis import strategies as st

from svaml.model.events import AmdReason, AmdStatus
from svaml.rules import RULES
from svaml.simulator._caller import Callee, Caller, HangUp, Input, Outcome, Press, Wait
from svaml.simulator._transcript import CallFailed, FailureKind, Transcript, shown

__all__ = [
    "DTMF_KEYS",
    "callees",
    "callers",
    "ends_within",
    "every_answer_valid",
    "holds",
    "inputs",
    "no_server_error",
    "no_unreachable_menu",
]

#: Every DTMF key a phone sends: the ones a menu expects and the ones it does not.
DTMF_KEYS = "0123456789*#"
# v1's runMenu menus and v2's menu items that nothing leads to.
_UNREACHABLE = frozenset(
    code for code, rule in RULES.items() if rule.name in ("unreachable-menu", "unreachable-menu-item")
)


def inputs(keys: str = DTMF_KEYS, max_keys: int = 5) -> st.SearchStrategy[Input]:
    """One thing the caller does at a prompt: press keys (early, late, or after the prompt), wait, hang up."""
    press = st.builds(
        Press,
        st.text(alphabet=keys, min_size=1, max_size=max_keys),
        after=st.sampled_from([1.0, 0.2, 4.0, 30.0]),
    )
    return st.one_of(press, st.just(Wait()), st.builds(HangUp, after=st.sampled_from([0.5, 0.0, 5.0])))


def callees() -> st.SearchStrategy[Callee]:
    """A callee: any outcome, any AMD status and reason, a short or long talk, either side hanging up."""
    return st.builds(
        Callee,
        outcome=st.sampled_from(list(Outcome)),
        amd=st.sampled_from([AmdStatus.HUMAN, AmdStatus.MACHINE, AmdStatus.NOTSURE, AmdStatus.HANGUP]),
        amd_reason=st.sampled_from(
            [AmdReason.NA, AmdReason.LONGGREETING, AmdReason.INITIALSILENCE, AmdReason.BEEP]
        ),
        talk=st.sampled_from([30.0, 1.0, 600.0]),
        hangs_up=st.booleans(),
    )


def callers(*, keys: str = DTMF_KEYS, max_inputs: int = 6, max_callees: int = 3) -> st.SearchStrategy[Caller]:
    """Callers: up to ``max_inputs`` inputs and ``max_callees`` callees, maybe a hang-up at a step."""
    return st.builds(
        Caller,
        inputs=st.lists(inputs(keys), max_size=max_inputs).map(tuple),
        callees=st.lists(callees(), min_size=1, max_size=max_callees).map(tuple),
        hangup_at=st.none() | st.integers(min_value=0, max_value=8),
    )


# -- properties -----------------------------------------------------------------------------------


def every_answer_valid(transcript: Transcript) -> None:
    """Every answer the application gave is valid SVAML for its event (no rule reports an error)."""
    for step in transcript.steps:
        if step.errors:
            raise CallFailed(
                transcript, f"the answer to step {step.index} ({shown(step.name)}) is not valid"
            )
    if transcript.failure is not None and transcript.failure.kind in (FailureKind.INVALID, FailureKind.JUNK):
        raise CallFailed(transcript, "an answer is not SVAML")


def no_server_error(transcript: Transcript) -> None:
    """No answer is a 5xx, nor missing (timeout, unreachable, the application raised)."""
    for step in transcript.steps:
        if step.status is None or step.status >= 500:
            raise CallFailed(transcript, f"step {step.index} ({shown(step.name)}) got no good HTTP answer")


def ends_within(transcript: Transcript, steps: int = 30, seconds: float | None = None) -> None:
    """The call ended, in at most ``steps`` callbacks and ``seconds`` virtual seconds (None: no bound)."""
    if not transcript.ended:
        raise CallFailed(transcript, "the call did not end")
    if len(transcript.steps) > steps:
        raise CallFailed(transcript, f"the call took {len(transcript.steps)} callbacks (more than {steps})")
    if seconds is not None and transcript.duration > seconds:
        raise CallFailed(transcript, f"the call lasted {transcript.duration:g} s (more than {seconds:g} s)")


def no_unreachable_menu(transcript: Transcript) -> None:
    """No menu the application answered has a part nothing leads to (a runMenu's menu, a v2 menu item)."""
    for step in transcript.steps:
        if any(d.code in _UNREACHABLE for d in step.diagnostics):
            raise CallFailed(transcript, f"the answer of step {step.index} has a menu nothing leads to")


def holds(transcript: Transcript, steps: int = 30, seconds: float | None = None) -> Transcript:
    """All the properties at once, and no failure at all; return the transcript when they hold."""
    every_answer_valid(transcript)
    no_server_error(transcript)
    no_unreachable_menu(transcript)
    if transcript.failure is not None:
        raise CallFailed(transcript)
    ends_within(transcript, steps, seconds)
    return transcript

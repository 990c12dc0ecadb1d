"""Hypothesis callers for v2 sessions, and the ready-made properties (this module imports hypothesis).

:func:`callers` draws v2 :class:`~svaml.simulator.v2.Caller` scripts: keys per menu attempt (valid
or not for the menu at hand), waits that let a menu time out, hang-ups at a prompt or at any time,
callees that answer, are busy, reject, ring out or fail, and every AMD verdict. The properties are
v1's, which read any :class:`~svaml.simulator.Transcript` (a v2 one too) and raise
:class:`~svaml.simulator.CallFailed` with the reason and the whole transcript::

    @given(callers())
    def test_my_ivr(caller):
        holds(simulate(app, caller))
"""

from __future__ import annotations

from hypothesis import strategies as st

from svaml.simulator.properties import (
    DTMF_KEYS,
    ends_within,
    every_answer_valid,
    holds,
    inputs,
    no_server_error,
    no_unreachable_menu,
)
from svaml.simulator.v2._script import Amd, Callee, Caller, Outcome

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


def callees(*, keys: str = DTMF_KEYS, max_inputs: int = 3) -> st.SearchStrategy[Callee]:
    """A callee: any outcome, quick or slow to pick up (past a dial timeout too), any AMD verdict."""
    return st.builds(
        Callee,
        outcome=st.sampled_from(list(Outcome)),
        ring=st.sampled_from([4.0, 0.5, 70.0]),
        talk=st.sampled_from([30.0, 2.0, 600.0, None]),
        inputs=st.lists(inputs(keys), max_size=max_inputs).map(tuple),
        amd=st.sampled_from(list(Amd)),
    )


def callers(
    *, keys: str = DTMF_KEYS, max_inputs: int = 6, max_callees: int = 3
) -> st.SearchStrategy[Caller]:
    """Callers: up to ``max_inputs`` inputs and ``max_callees`` callees, maybe hanging up at some time."""
    return st.builds(
        Caller,
        inputs=st.lists(inputs(keys), max_size=max_inputs).map(tuple),
        callees=st.lists(callees(keys=keys), min_size=1, max_size=max_callees).map(tuple),
        amd=st.sampled_from(list(Amd)),
        hangup_after=st.none() | st.sampled_from([0.5, 3.0, 20.0, 300.0]),
        recording_fails=st.booleans(),
    )

"""The people on a v2 call: the caller's script, and the callee each ``dial`` reaches.

Inputs are v1's (:class:`~svaml.simulator.Press`, :class:`~svaml.simulator.Wait`,
:class:`~svaml.simulator.HangUp`), used one per menu attempt by the person on the leg that runs
the menu.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from svaml.errors import SvamlError
from svaml.simulator._caller import Input, Press, _inputs, _seconds

__all__ = ["Amd", "Callee", "Caller", "Outcome"]


class Outcome(str, enum.Enum):
    """What happens when a ``dial`` calls someone: each outcome has its handler (reference §4)."""

    ANSWER = "answer"  # onAnswer, call.answered
    BUSY = "busy"  # onBusy, call.busy
    REJECT = "reject"  # onReject, call.rejected
    TIMEOUT = "timeout"  # rings past dialTimeoutDurationSeconds: onTimeout, call.timeout
    FAILURE = "failure"  # the call cannot be set up: onFailure, call.failed


class Amd(str, enum.Enum):
    """What answering-machine detection reports for a person's leg: its four handlers."""

    HUMAN = "human"
    MACHINE = "machine"
    BEEP = "beep"
    UNKNOWN = "unknown"


def _outcome(value: Outcome | str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise SvamlError(f"{value!r:.40} is not a dial outcome: use {choices}") from None


def _amd(value: Amd | str) -> Amd:
    try:
        return Amd(value)
    except ValueError:
        choices = ", ".join(a.value for a in Amd)
        raise SvamlError(f"{value!r:.40} is not an AMD verdict: use {choices}") from None


def _optional_seconds(inst: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise SvamlError(f"{attribute.name} must be a number of seconds >= 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class Callee:
    """The person a ``dial`` reaches: how the leg ends up, and what they do once it is answered.

    ``ring`` is the seconds before they answer, are busy or reject; ``talk`` the seconds after
    answering before they hang up (None: they stay until the leg is ended for them, or until
    nothing is left to hear). ``inputs`` are their keys at the menus run on their leg, ``amd``
    what detection reports for them.
    """

    outcome: Outcome = attrs.field(default=Outcome.ANSWER, converter=_outcome)
    ring: float = attrs.field(default=4.0, validator=_seconds)
    talk: float | None = attrs.field(default=30.0, validator=_optional_seconds)
    inputs: tuple[Input, ...] = attrs.field(default=(), converter=_inputs)
    amd: Amd = attrs.field(default=Amd.HUMAN, converter=_amd)


def _callees(value: Iterable[Callee | Outcome | str] | Callee | Outcome | str) -> tuple[Callee, ...]:
    if isinstance(value, (Callee, Outcome, str)):
        value = [value]
    out = tuple(c if isinstance(c, Callee) else Callee(outcome=_outcome(c)) for c in value)
    return out or (Callee(),)


@attrs.frozen(kw_only=True)
class Caller:
    """The script of a simulated v2 call: the caller of an inbound call, and everyone a ``dial`` reaches.

    ``inputs`` are the caller's keys per menu attempt (:class:`~svaml.simulator.Press`,
    :class:`~svaml.simulator.Wait`, :class:`~svaml.simulator.HangUp`, or strings ``"1"``,
    ``"wait"``, ``"hangup"``); when they run out the caller waits. ``callees`` answer the dials in
    order (the last one answers every later dial); an :class:`Outcome` or its value stands for a
    callee with that outcome. ``amd`` is what detection reports for the caller's leg,
    ``hangup_after`` the seconds into the call at which the caller hangs up (None: when left in
    silence). ``recording_fails`` makes every ``startRecording`` fail to start. ``cli`` and
    ``to`` are the numbers of an inbound call (``from`` and ``to`` of ``call.incoming``).
    """

    inputs: tuple[Input, ...] = attrs.field(default=(), converter=_inputs)
    callees: tuple[Callee, ...] = attrs.field(default=(Callee(),), converter=_callees)
    amd: Amd = attrs.field(default=Amd.HUMAN, converter=_amd)
    hangup_after: float | None = attrs.field(default=None, validator=_optional_seconds)
    recording_fails: bool = False
    cli: str = "+46700000001"
    to: str = "+46700000000"

    @classmethod
    def keys(cls, *keys: str, **fields: object) -> Caller:
        """A caller who presses each of ``keys`` at one menu attempt in turn: ``Caller.keys("1", "42#")``."""
        return cls(inputs=tuple(Press(k) for k in keys), **fields)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, script: str, **fields: object) -> Caller:
        """Read a script as the command line writes it: ``"1,42#,wait,hangup"`` (comma-separated)."""
        return cls(inputs=tuple(script.split(",")) if script.strip() else (), **fields)  # type: ignore[arg-type]

    def callee(self, index: int) -> Callee:
        """The callee the ``index``-th dial reaches (the last one for every later dial)."""
        if index < 0:
            raise SvamlError(f"a dial index is >= 0, got {index}")
        return self.callees[min(index, len(self.callees) - 1)]

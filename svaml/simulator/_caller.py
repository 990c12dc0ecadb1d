"""The people on the call: the caller's script and the callees a connect action reaches."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import TypeAlias

import attrs

from svaml.errors import SvamlError, SvamlTypeError
from svaml.model.events import AmdReason, AmdStatus

__all__ = ["Callee", "Caller", "HangUp", "Input", "Outcome", "Press", "Wait", "acts_at", "collect"]

_KEYS = re.compile(r"[0-9*#A-Da-d]*")


def _keys(value: str) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"keys must be a string of DTMF keys, got {type(value).__name__}")
    if not _KEYS.fullmatch(value):
        raise SvamlError(f"keys {value!r:.40} are not DTMF keys: use 0-9, *, # and A-D")
    return value.upper()


def _seconds(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise SvamlError(f"{attribute.name} must be a number of seconds >= 0, got {value!r}")


@attrs.frozen
class Press:
    """The caller presses ``keys`` (DTMF: 0-9, ``*``, ``#``, A-D) ``after`` seconds into a prompt.

    With barge-in (``runMenu``'s ``barge``, true by default) keys pressed during the prompt cut it
    short. An empty ``keys`` presses nothing, like :class:`Wait`.
    """

    keys: str = attrs.field(converter=_keys)
    after: float = attrs.field(default=1.0, validator=_seconds, kw_only=True)

    def __str__(self) -> str:
        return self.keys or "(nothing)"


@attrs.frozen
class Wait:
    """The caller presses nothing: the menu's timeout runs out."""

    def __str__(self) -> str:
        return "wait"


@attrs.frozen
class HangUp:
    """The caller hangs up, ``after`` seconds into what is playing."""

    after: float = attrs.field(default=0.5, validator=_seconds, kw_only=True)

    def __str__(self) -> str:
        return "hangup"


#: What the caller does each time the platform waits for them.
Input: TypeAlias = "Press | Wait | HangUp"


class Outcome(str, enum.Enum):
    """What happens when a connect action dials a callee."""

    ANSWER = "answer"  # a person answers
    BUSY = "busy"
    NO_ANSWER = "no-answer"  # rings until the dial timeout
    MACHINE = "machine"  # an answering machine answers
    FAIL = "fail"  # the network cannot reach the callee


def _default_amd(self: Callee) -> AmdStatus:
    return AmdStatus.MACHINE if self.outcome is Outcome.MACHINE else AmdStatus.HUMAN


@attrs.frozen(kw_only=True)
class Callee:
    """The far end of a connectPstn, connectSip or connectMxp: how it answers and for how long it talks.

    ``amd`` is what answering-machine detection reports when the action asks for it (by default
    ``machine`` for a machine, else ``human``); ``amd_reason`` why. ``talk`` is the seconds the
    conversation lasts before the callee hangs up (``hangs_up=True``) or the caller does.
    """

    outcome: Outcome = attrs.field(default=Outcome.ANSWER, converter=Outcome)
    ring: float = attrs.field(default=4.0, validator=_seconds)
    talk: float = attrs.field(default=30.0, validator=_seconds)
    hangs_up: bool = True
    amd: AmdStatus = attrs.field(default=attrs.Factory(_default_amd, takes_self=True), converter=AmdStatus)
    amd_reason: AmdReason = attrs.field(default=AmdReason.NA, converter=AmdReason)


def _inputs(value: Iterable[Input | str]) -> tuple[Input, ...]:
    if isinstance(value, (str, Press, Wait, HangUp)):
        value = [value]
    out: list[Input] = []
    for item in value:
        if isinstance(item, (Press, Wait, HangUp)):
            out.append(item)
        elif isinstance(item, str):
            out.append(_token(item))
        else:
            raise SvamlTypeError(f"expected keys (str), Press, Wait or HangUp, got {type(item).__name__}")
    return tuple(out)


def _token(text: str) -> Input:
    word = text.strip().casefold()
    if word in ("wait", "timeout", ""):
        return Wait()
    if word in ("hangup", "hang-up", "bye"):
        return HangUp()
    return Press(text.strip())


def acts_at(
    given: Input | None, total: float, timeout: float, barge: bool, keep_without_barge: bool
) -> tuple[float | None, Input | None]:
    """When, seconds into a prompt of ``total`` seconds, the caller's input counts (None: a timeout).

    Keys pressed during a prompt without barge-in count when it ends (or are lost, unless
    ``keep_without_barge``). An input later than the prompt and its ``timeout`` comes during
    the next prompt instead: it is returned second, moved that much earlier, to be used next.
    """
    if given is None or isinstance(given, Wait) or (isinstance(given, Press) and not given.keys):
        return None, None
    at = given.after
    if isinstance(given, Press) and not barge and at < total:
        if not keep_without_barge:
            return None, None
        at = total
    if at > total + timeout:
        later = attrs.evolve(given, after=at - total - timeout) if total + timeout > 0 else None
        return None, later
    return at, None


def collect(keys: str, max_length: int, terminator: str | None, *, keep_terminator: bool) -> tuple[str, bool]:
    """The input a menu takes from ``keys``, and whether it ended by itself (else its timeout ends it).

    Input ends at ``max_length`` keys or at ``terminator`` (v1's ``#``, dropped from the input; v2's
    ``terminatingSequence``, kept in it as Sinch evaluates it).
    """
    digits = ""
    for key in keys:
        digits += key
        if terminator and digits.endswith(terminator):
            return (digits if keep_terminator else digits[: -len(terminator)]), True
        if len(digits) >= max_length:
            return digits, True
    return digits, False


def _callees(value: Iterable[Callee | Outcome | str] | Callee | Outcome | str) -> tuple[Callee, ...]:
    if isinstance(value, (Callee, Outcome, str)):
        value = [value]
    out = tuple(c if isinstance(c, Callee) else Callee(outcome=Outcome(c)) for c in value)
    return out or (Callee(),)


def _step_or_none(inst: object, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise SvamlError(f"{attribute.name} must be a step index >= 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class Caller:
    """Who calls and what they do: the script the simulated caller follows.

    ``inputs`` are used one by one, each time the platform waits for the caller (a menu prompt,
    a conference with DTMF detection): :class:`Press`, :class:`Wait` or :class:`HangUp`; a plain
    string is keys (``"1"``, ``"42#"``), ``"wait"`` or ``"hangup"``. When they run out, the
    caller waits. ``callees`` answer the connect actions in order (the last one answers every
    later one); an :class:`Outcome` or its value stands for a callee that does so.
    ``hangup_at`` hangs up as soon as the answer to that step has come, before it runs (0 is the
    ICE).
    ``cli``, ``to``, ``domain`` and ``custom`` fill the ICE.
    """

    inputs: tuple[Input, ...] = attrs.field(default=(), converter=_inputs)
    callees: tuple[Callee, ...] = attrs.field(default=(Callee(),), converter=_callees)
    hangup_at: int | None = attrs.field(default=None, validator=_step_or_none)
    cli: str = "+46700000001"
    to: str = "+46700000000"
    domain: str = "pstn"
    custom: str | None = None

    @classmethod
    def keys(cls, *keys: str, **fields: object) -> Caller:
        """A caller who presses each of ``keys`` at one prompt in turn: ``Caller.keys("1", "42#")``."""
        return cls(inputs=tuple(Press(k) for k in keys), **fields)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, script: str, **fields: object) -> Caller:
        """Read a script as the command line writes it: ``"1,42#,wait,hangup"`` (comma-separated)."""
        return cls(inputs=tuple(script.split(",")) if script.strip() else (), **fields)  # type: ignore[arg-type]

    def callee(self, index: int) -> Callee:
        """The callee the ``index``-th connect action reaches (the last one for every later one)."""
        return self.callees[min(index, len(self.callees) - 1)]

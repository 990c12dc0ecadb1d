"""Per-callback views of :class:`~svaml.document.Svaml` for the type checker, and the type of a step.

Each builder method of ``Svaml`` is a :class:`Step` made from its model class (``say`` from
:class:`~svaml.model.instructions.Say`), so it takes that class's own parameters; nothing
restates them. ``Svaml.ice()`` returns a ``Svaml`` at run time, typed as :class:`IceSvaml`: a
protocol that has only the steps an ICE response allows (``svaml.model.permissions.ALLOWED_IN``,
pinned by a test), so mypy rejects ``Svaml.ace().answer()`` just as the builder does when it
runs. A step keeps the type of the document it is called on, and any ``Svaml`` satisfies every
one of these protocols, so a function annotated ``-> IceSvaml`` may return a plain ``Svaml()``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast, overload

from svaml.model.actions import (
    Action,
    ConnectConf,
    ConnectMxp,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Continue,
    Hangup,
    Park,
    RunMenu,
)
from svaml.model.instructions import (
    Answer,
    Instruction,
    PlayFiles,
    Say,
    SendDtmf,
    SetCookie,
    StartRecording,
    StopRecording,
)
from svaml.model.permissions import Callback

__all__ = ["AceSvaml", "CallLegSvaml", "IceSvaml", "PatchSvaml", "PieSvaml", "Step", "step_name"]

_P = ParamSpec("_P")
_D = TypeVar("_D")


def step_name(name: str) -> str:
    """Return the Python method named for a SVAML name: ``connectPstn`` is ``connect_pstn``.

    A keyword gets an underscore (``continue_``). The builder's steps and the client's callout
    methods (``tts_callout`` for ``ttsCallout``) are named so.
    """
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return snake + "_" if keyword.iskeyword(snake) else snake


class Step(Protocol[_P]):
    """A builder method made from a model class (or its ``of`` factory): its parameters are the class's.

    Bound to a document it takes what the model class takes and returns a document of the same
    type, so a typed builder stays typed along a chain. ``factory`` is the model class (or its
    ``of`` factory) the step is made from: code that writes builder calls (:mod:`svaml.snippets`)
    reads a step's parameters from it.
    """

    factory: Callable[_P, Instruction | Action]

    @overload
    def __get__(self, document: None, owner: type[Any]) -> Step[_P]: ...
    @overload
    def __get__(self, document: _D, owner: type[Any] | None = None) -> Callable[_P, _D]: ...


def _step(make: Callable[_P, Instruction | Action]) -> Callable[[Callable[..., None]], Step[_P]]:
    # Declares a protocol member as the step made from ``make`` (mypy wants members declared).
    def declare(member: Callable[..., None]) -> Step[_P]:
        return cast("Step[_P]", member)  # a function is the descriptor Step describes

    return declare


class _Document(Protocol):
    @property
    def instructions(self) -> tuple[Instruction, ...]: ...
    @property
    def action(self) -> Action | None: ...
    @property
    def callback(self) -> Callback | None: ...
    def to_dict(self, *, check: bool = True) -> dict[str, Any]: ...
    def to_json(self, *, indent: int | None = None, check: bool = True) -> str: ...


# One protocol per step; each callback's view below lists the steps the permission table allows.


class _Answer(Protocol):
    @_step(Answer)
    def answer(self) -> None: ...


class _Say(Protocol):
    @_step(Say)
    def say(self) -> None: ...


class _PlayFiles(Protocol):
    @_step(PlayFiles.of)
    def play_files(self) -> None: ...


class _SendDtmf(Protocol):
    @_step(SendDtmf)
    def send_dtmf(self) -> None: ...


class _SetCookie(Protocol):
    @_step(SetCookie)
    def set_cookie(self) -> None: ...


class _StartRecording(Protocol):
    @_step(StartRecording)
    def start_recording(self) -> None: ...


class _StopRecording(Protocol):
    @_step(StopRecording)
    def stop_recording(self) -> None: ...


class _Hangup(Protocol):
    @_step(Hangup)
    def hangup(self) -> None: ...


class _Continue(Protocol):
    @_step(Continue)
    def continue_(self) -> None: ...


class _ConnectPstn(Protocol):
    @_step(ConnectPstn)
    def connect_pstn(self) -> None: ...


class _ConnectMxp(Protocol):
    @_step(ConnectMxp)
    def connect_mxp(self) -> None: ...


class _ConnectConf(Protocol):
    @_step(ConnectConf)
    def connect_conf(self) -> None: ...


class _ConnectSip(Protocol):
    @_step(ConnectSip)
    def connect_sip(self) -> None: ...


class _ConnectStream(Protocol):
    @_step(ConnectStream)
    def connect_stream(self) -> None: ...


class _RunMenu(Protocol):
    @_step(RunMenu.of)
    def run_menu(self) -> None: ...


class _Park(Protocol):
    @_step(Park)
    def park(self) -> None: ...


class IceSvaml(
    _Document,
    _Answer,
    _Say,
    _PlayFiles,
    _SendDtmf,
    _SetCookie,
    _StartRecording,
    _StopRecording,
    _Hangup,
    _ConnectPstn,
    _ConnectMxp,
    _ConnectConf,
    _ConnectSip,
    _ConnectStream,
    _RunMenu,
    _Park,
    Protocol,
):
    """A response to an Incoming Call Event: every instruction; every action but ``continue``."""


class AceSvaml(
    _Document,
    _Say,
    _PlayFiles,
    _SetCookie,
    _StartRecording,
    _StopRecording,
    _Hangup,
    _Continue,
    _ConnectConf,
    _RunMenu,
    Protocol,
):
    """A response to an Answered Call Event: no answer or sendDtmf; four actions.

    The actions are hangup, continue, connectConf and runMenu.
    """


class PieSvaml(
    _Document,
    _Say,
    _PlayFiles,
    _SendDtmf,
    _SetCookie,
    _StartRecording,
    _StopRecording,
    _Hangup,
    _Continue,
    _ConnectPstn,
    _ConnectConf,
    _ConnectSip,
    _RunMenu,
    Protocol,
):
    """A response to a Prompt Input Event: no ``answer``; no connectMxp, connectStream or park."""


class PatchSvaml(
    _Document,
    _Answer,
    _Say,
    _PlayFiles,
    _SendDtmf,
    _SetCookie,
    _StartRecording,
    _StopRecording,
    _Hangup,
    _Continue,
    _Park,
    Protocol,
):
    """The body of a call update: every instruction; the actions hangup, continue and park."""


class CallLegSvaml(
    _Document,
    _Say,
    _PlayFiles,
    _Hangup,
    _Continue,
    _Park,
    Protocol,
):
    """The body of a call-leg update: playFiles and say, with a call-update action."""

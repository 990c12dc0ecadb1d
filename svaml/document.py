"""The SVAML document, which is also its own chainable builder.

This module sits above the rules: ``to_dict``/``to_json`` check the document for its callback
with the validator, and ``from_dict``/``from_json`` read through the codec.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, cast

import attrs

from svaml import _json, codec
from svaml._json import MAX_BYTES
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model.actions import (
    ACTION_CLASSES,
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
from svaml.model.document import Document
from svaml.model.instructions import (
    INSTRUCTION_CLASSES,
    Answer,
    Instruction,
    PlayFiles,
    Say,
    SendDtmf,
    SetCookie,
    StartRecording,
    StopRecording,
)
from svaml.model.permissions import ALLOWED_IN, Callback, callback_of, refusal
from svaml.rules import check_built
from svaml.rules._validate import read_json
from svaml.typed import AceSvaml, CallLegSvaml, IceSvaml, PatchSvaml, PieSvaml, Step, step_name

__all__ = ["Svaml"]

_P = ParamSpec("_P")
_INSTRUCTION_TYPES = tuple(INSTRUCTION_CLASSES.values())
_ACTION_TYPES = tuple(ACTION_CLASSES.values())


def _named(step: Callable[..., Svaml], make: Callable[..., Instruction | Action]) -> None:
    # Named for the model's SVAML name, documented by the model class.
    model: Any = getattr(make, "__self__", make)  # a model class, or its ``of`` factory
    step.__name__ = step_name(model.name)
    step.__qualname__ = f"Svaml.{step.__name__}"
    step.__doc__ = model.__doc__


def _instruction(make: Callable[_P, Instruction]) -> Step[_P]:
    """Make the builder step that appends the instruction ``make`` returns."""

    def step(self: Svaml, *args: _P.args, **kwargs: _P.kwargs) -> Svaml:
        instruction = make(*args, **kwargs)
        self._allow(instruction.name)
        return self._replace((*self.instructions, instruction), self.action)

    return _made(step, make)


def _made(step: Callable[..., Svaml], make: Callable[_P, Instruction | Action]) -> Step[_P]:
    _named(step, make)
    made = cast("Step[_P]", step)  # a function is the descriptor Step describes
    made.factory = make
    return made


def _action(make: Callable[_P, Action]) -> Step[_P]:
    """Make the builder step that sets the action ``make`` returns."""

    def step(self: Svaml, *args: _P.args, **kwargs: _P.kwargs) -> Svaml:
        return self._set_action(make(*args, **kwargs))

    return _made(step, make)


@attrs.frozen(kw_only=True)
class Svaml(Document):
    """A SVAML document: instructions, executed in order, and exactly one action.

    ``Svaml`` is immutable; every builder method returns a new document, so a shared prefix can be
    branched safely::

        >>> from svaml import Svaml
        >>> Svaml().answer().say("Hello", locale="en-US").hangup().to_json()
        '{"instructions":[{"name":"answer"},{"name":"say","text":"Hello","locale":"en-US"}],"action":{"name":"hangup"}}'

    Start from :meth:`ice`, :meth:`ace`, :meth:`pie`, :meth:`patch` or :meth:`call_leg` to say
    where the document will be used: a method that callback does not allow then raises at once,
    and mypy rejects it too.
    """

    # -- entry points -------------------------------------------------------------------------

    @classmethod
    def ice(cls) -> IceSvaml:
        """Start a response to an Incoming Call Event."""
        return _EMPTY[Callback.ICE]

    @classmethod
    def ace(cls) -> AceSvaml:
        """Start a response to an Answered Call Event."""
        return _EMPTY[Callback.ACE]

    @classmethod
    def pie(cls) -> PieSvaml:
        """Start a response to a Prompt Input Event."""
        return _EMPTY[Callback.PIE]

    @classmethod
    def patch(cls) -> PatchSvaml:
        """Start the body of a call update (``PATCH /calls/id/{callId}``)."""
        return _EMPTY[Callback.PATCH]

    @classmethod
    def call_leg(cls) -> CallLegSvaml:
        """Start the body of a call-leg update (playFiles and say only)."""
        return _EMPTY[Callback.CALL_LEG]

    @classmethod
    def from_dict(cls, data: Any, *, callback: Callback | str | None = None) -> Svaml:
        """Read a decoded SVAML document; raise :class:`SvamlError` listing every problem.

        Python values JSON cannot carry (a set, bytes, a datetime, NaN, a key that is not a string,
        an integer of more than 4,300 digits…) are refused with their JSON pointers (SV001); a tuple,
        a mapping and an exact ``Decimal`` are read as the JSON they stand for (docs/limits.md).
        """
        return _from_document(codec.structure(data, Document), callback_of(callback))

    @classmethod
    def from_json(
        cls, text: str | bytes, *, callback: Callback | str | None = None, max_bytes: int | None = MAX_BYTES
    ) -> Svaml:
        """Read SVAML JSON text (str or UTF-8 bytes); raise :class:`SvamlError` listing every problem.

        The text is read under svaml's one JSON policy (:mod:`svaml._json`): text that is not JSON,
        ``NaN`` or ``Infinity``, or more than ``max_bytes`` bytes long (10 MiB by default, refused
        before decoding; None for no limit) is refused (SV001), and so is a key repeated in one
        object (SV103, SV104).
        """
        data = read_json(text, "the SVAML text", max_bytes=max_bytes)
        return _from_document(codec.structure(data, Document, decoded=True), callback_of(callback))

    # -- output -------------------------------------------------------------------------------

    def to_dict(self, *, check: bool = True) -> dict[str, Any]:
        """Return the document as JSON-ready data, checked for its callback unless ``check=False``."""
        data: dict[str, Any] = codec.unstructure(self)
        if check:
            check_built(self, data)
        return data

    def to_json(self, *, indent: int | None = None, check: bool = True) -> str:
        """Return the document as JSON text: compact by default, ``indent=2`` for humans."""
        return _json.dumps(self.to_dict(check=check), indent=indent)

    # -- generic steps ------------------------------------------------------------------------

    def with_instruction(self, instruction: Instruction) -> Svaml:
        """Return a copy with ``instruction`` appended."""
        if not isinstance(instruction, _INSTRUCTION_TYPES):
            raise SvamlTypeError(f"expected an instruction, got {type(instruction).__name__}")
        self._allow(instruction.name)
        return self._replace((*self.instructions, instruction), self.action)

    def with_action(self, action: Action) -> Svaml:
        """Return a copy whose action is ``action``; a document has exactly one action."""
        if not isinstance(action, _ACTION_TYPES):
            raise SvamlTypeError(f"expected an action, got {type(action).__name__}")
        return self._set_action(action)

    def _set_action(self, action: Action) -> Svaml:
        self._allow(action.name)
        if self.action is not None:
            raise SvamlError(
                f"this document already has the action {self.action.name}; cannot also set "
                f"{action.name}: a SVAML document has exactly one action"
            )
        return self._replace(self.instructions, action)

    def _allow(self, name: str) -> None:
        callback = self.callback
        if callback is not None and name not in ALLOWED_IN[callback]:
            raise SvamlError(refusal(name, callback) or f"{name} is not allowed in {callback.phrase}")

    def _replace(self, instructions: tuple[Instruction, ...], action: Action | None) -> Svaml:
        # Every part is already checked (each step made its object through its model class), so
        # the copy is set as attrs documents for frozen classes, without __init__'s checks of all
        # the instructions again at every step.
        new = object.__new__(Svaml)
        object.__setattr__(new, "extras", self.extras)
        object.__setattr__(new, "instructions", instructions)
        object.__setattr__(new, "action", action)
        object.__setattr__(new, "callback", self.callback)
        return new

    # -- steps: each made from its model class, whose parameters it takes ---------------------

    answer = _instruction(Answer)
    say = _instruction(Say)
    play_files = _instruction(PlayFiles.of)
    send_dtmf = _instruction(SendDtmf)
    set_cookie = _instruction(SetCookie)
    start_recording = _instruction(StartRecording)
    stop_recording = _instruction(StopRecording)

    hangup = _action(Hangup)
    continue_ = _action(Continue)
    connect_pstn = _action(ConnectPstn)
    connect_mxp = _action(ConnectMxp)
    connect_conf = _action(ConnectConf)
    connect_sip = _action(ConnectSip)
    connect_stream = _action(ConnectStream)
    run_menu = _action(RunMenu.of)
    park = _action(Park)


#: The empty document of each callback: immutable, so the entry points can share them.
_EMPTY = {callback: Svaml(callback=callback) for callback in Callback}


def _from_document(doc: Document, callback: Callback | None) -> Svaml:
    return Svaml(instructions=doc.instructions, action=doc.action, extras=doc.extras, callback=callback)

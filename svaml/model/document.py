"""The data of a SVAML document: instructions, executed in order, and one action.

:class:`Document` is pure data, like every model class. :class:`svaml.Svaml` (in
:mod:`svaml.document`, above the rules) is the same document with its builder and its checked
``to_json``; the validator reads any ``Document``.
"""

from __future__ import annotations

import attrs

from svaml.model._fields import SvamlObject, each, is_, to_tuple
from svaml.model.actions import ACTION_CLASSES, Action
from svaml.model.instructions import INSTRUCTION_CLASSES, Instruction
from svaml.model.permissions import Callback, callback_of

__all__ = ["Document"]



@attrs.frozen(kw_only=True)
class Document(SvamlObject):
    """A SVAML document's data; ``callback`` says where it is used (None when not known)."""

    instructions: tuple[Instruction, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=each(*INSTRUCTION_CLASSES.values(), wanted="an instruction"),
    )
    action: Action | None = attrs.field(
        default=None, validator=is_(*ACTION_CLASSES.values(), optional=True, wanted="an action")
    )
    callback: Callback | None = attrs.field(default=None, converter=callback_of, eq=False)

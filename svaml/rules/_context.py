"""What a rule sees: the decoded document, the parts that read into the model, and the callback."""

from __future__ import annotations

from typing import Any

from svaml.codec import field_info
from svaml.diagnostic import pointer
from svaml.model._fields import SvamlObject
from svaml.model.actions import Action
from svaml.model.callouts import CalloutRequest
from svaml.model.instructions import Instruction
from svaml.model.permissions import Callback
from svaml.rules._bounds import DEFAULT_LIMITS, Limits

__all__ = ["Context"]


class Context:
    """The document under validation.

    ``instructions`` holds ``(index, instruction)`` for every instruction that read into the model
    (a malformed one is left out, so the rules still see its siblings); ``action`` is None when
    missing or malformed. ``data`` is the decoded JSON as given; for a :class:`Svaml` input it is
    the canonical ``to_dict`` form. ``limits`` are the application's (:class:`Limits`).
    """

    # A plain slotted class: one is made per validated document, on every webhook answer.
    __slots__ = (
        "_objects",
        "action",
        "base",
        "built",
        "callback",
        "callout",
        "data",
        "instructions",
        "limits",
        "memo",
    )

    def __init__(
        self,
        data: Any,
        callback: Callback | None = None,
        *,
        base: str = "",
        built: bool = False,
        instructions: list[tuple[int, Instruction]] | None = None,
        action: Action | None = None,
        callout: CalloutRequest | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.data = data
        self.callback = callback
        self.base = base
        self.built = built
        self.instructions: list[tuple[int, Instruction]] = [] if instructions is None else instructions
        self.action = action
        self.callout = callout
        self.limits = limits
        self.memo: dict[object, Any] = {}
        self._objects: list[tuple[str, SvamlObject]] | None = None

    def at(self, *tokens: str | int) -> str:
        """Return the JSON pointer of ``tokens`` below the document's base."""
        return self.base + pointer(*tokens)

    def objects(self) -> list[tuple[str, SvamlObject]]:
        """Return ``(pointer, object)`` for every model object of the document, outermost first.

        Walked once per document, in document order: instructions, then the action, or the
        callout request.
        """
        found = self._objects
        if found is None:
            found = self._objects = []
            at = self.base + "/instructions/"
            for index, instruction in self.instructions:
                _walk(at + str(index), instruction, found)
            if self.action is not None:
                _walk(self.base + "/action", self.action, found)
            if self.callout is not None:
                _walk(self.base, self.callout, found)
        return found


#: The fields of each model class that hold model objects: (attribute, pointer step, holds a list).
_NESTED: dict[type, tuple[tuple[str, str, bool], ...]] = {}


def _nested(cls: type[SvamlObject]) -> tuple[tuple[str, str, bool], ...]:
    found = _NESTED.get(cls)
    if found is None:
        found = _NESTED[cls] = tuple(
            (f.attr, f"/{f.json}/" if f.kind == "objects" else f"/{f.json}", f.kind == "objects")
            for f in field_info(cls)
            if f.kind in ("object", "objects")
        )
    return found


def _walk(where: str, obj: SvamlObject, out: list[tuple[str, SvamlObject]]) -> None:
    """Add ``obj`` and the model objects below it to ``out``, in document order.

    The depth is the model's, a handful: no model class holds itself.
    """
    out.append((where, obj))
    nested = _NESTED.get(obj.__class__)
    if nested is None:
        nested = _nested(obj.__class__)
    for attr, step, many in nested:
        value = getattr(obj, attr)
        if value is None:
            continue
        if many:
            at = where + step
            for index, item in enumerate(value):
                _walk(at + str(index), item, out)
        else:
            _walk(where + step, value, out)

"""What a rule sees: the decoded document, the parts that read into the model, and the callback."""

from __future__ import annotations

from typing import Any

import attrs

from svaml.diagnostic import pointer
from svaml.model._fields import SvamlObject
from svaml.model.actions import Action
from svaml.model.callouts import CalloutRequest
from svaml.model.instructions import Instruction
from svaml.model.permissions import Callback

__all__ = ["Context"]


@attrs.define(slots=True)
class Context:
    """The document under validation.

    ``instructions`` holds ``(index, instruction)`` for every instruction that read into the model
    (a malformed one is left out, so the rules still see its siblings); ``action`` is None when
    missing or malformed. ``data`` is the decoded JSON as given; for a :class:`Svaml` input it is
    the canonical ``to_dict`` form.
    """

    data: Any
    callback: Callback | None = None
    instructions: list[tuple[int, Instruction]] = attrs.field(factory=list)
    action: Action | None = None
    callout: CalloutRequest | None = None
    base: str = ""
    built: bool = False
    memo: dict[str, Any] = attrs.field(factory=dict)
    _walked: list[tuple[str, SvamlObject]] | None = None
    _kinds: frozenset[type] | None = None

    def at(self, *tokens: str | int) -> str:
        """Return the JSON pointer of ``tokens`` below the document's base."""
        out = self.base
        for token in tokens:
            text = token if token.__class__ is str else str(token)
            if "~" in text or "/" in text:
                return self.base + pointer(*tokens)
            out += "/" + text
        return out

    def walk(self) -> list[tuple[str, SvamlObject]]:
        """Return ``(pointer, object)`` for every model object of the document, outermost first."""
        walked = self._walked
        if walked is None:
            roots: list[tuple[str, SvamlObject]] = []
            at = self.base + "/instructions/"
            for index, instruction in self.instructions:
                roots.append((at + str(index), instruction))
            if self.action is not None:
                roots.append((self.base + "/action", self.action))
            if self.callout is not None:
                roots.append((self.base, self.callout))
            walked = self._walked = _walk(roots)
        return walked

    def kinds(self) -> frozenset[type]:
        """Return the model classes present in the document."""
        found = self._kinds
        if found is None:
            found = self._kinds = frozenset([obj.__class__ for _, obj in self.walk()])
        return found


_NESTED: dict[type, tuple[tuple[str, str], ...]] = {}


def _nested(cls: type) -> tuple[tuple[str, str], ...]:
    """The (attribute, JSON name) of the fields of ``cls`` that hold model objects."""
    found = _NESTED.get(cls)
    if found is None:
        from svaml.codec import field_info

        found = tuple((f.attr, f.json) for f in field_info(cls) if f.kind in ("object", "objects"))
        _NESTED[cls] = found
    return found


def _walk(roots: list[tuple[str, SvamlObject]]) -> list[tuple[str, SvamlObject]]:
    """Walk the objects below ``roots`` depth first, in document order, without recursion."""
    out: list[tuple[str, SvamlObject]] = []
    stack = roots[::-1]
    while stack:
        where, obj = stack.pop()
        out.append((where, obj))
        nested = _NESTED.get(obj.__class__)
        if nested is None:
            nested = _nested(obj.__class__)
        below: list[tuple[str, SvamlObject]] = []
        for attr, name in nested:
            value = getattr(obj, attr)
            if value is None:
                continue
            if value.__class__ is tuple:
                prefix = f"{where}/{name}/"
                for index, item in enumerate(value):
                    below.append((prefix + str(index), item))
            else:
                below.append((f"{where}/{name}", value))
        if below:
            stack.extend(reversed(below))
    return out

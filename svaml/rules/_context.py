"""What a rule sees: the decoded document, the parts that read into the model, and the callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from svaml.diagnostic import pointer
from svaml.model._fields import SvamlObject
from svaml.model.actions import Action
from svaml.model.callouts import CalloutRequest
from svaml.model.instructions import Instruction
from svaml.model.permissions import Callback

__all__ = ["Context"]


class Context:
    """The document under validation.

    ``instructions`` holds ``(index, instruction)`` for every instruction that read into the model
    (a malformed one is left out, so the rules still see its siblings); ``action`` is None when
    missing or malformed. ``data`` is the decoded JSON as given; for a :class:`Svaml` input it is
    the canonical ``to_dict`` form.
    """

    # A plain slotted class: one is made per validated document, on every webhook answer.
    __slots__ = (
        "_by_class",
        "_walked",
        "action",
        "base",
        "built",
        "callback",
        "callout",
        "data",
        "instructions",
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
    ) -> None:
        self.data = data
        self.callback = callback
        self.base = base
        self.built = built
        self.instructions: list[tuple[int, Instruction]] = [] if instructions is None else instructions
        self.action = action
        self.callout = callout
        self.memo: dict[object, Any] = {}
        self._walked: list[tuple[str, SvamlObject]] | None = None
        self._by_class: dict[type, list[tuple[str, SvamlObject]]] = {}

    def at(self, *tokens: str | int) -> str:
        """Return the JSON pointer of ``tokens`` below the document's base."""
        return self.base + pointer(*tokens)

    def walk(self) -> list[tuple[str, SvamlObject]]:
        """Return ``(pointer, object)`` for every model object of the document, outermost first."""
        walked = self._walked
        if walked is None:
            walked = self._walked = []
            by_class = self._by_class
            at = self.base + "/instructions/"
            for index, instruction in self.instructions:
                _WALKERS[instruction.__class__](at + str(index), instruction, walked, by_class)
            if self.action is not None:
                _WALKERS[self.action.__class__](self.base + "/action", self.action, walked, by_class)
            if self.callout is not None:
                _WALKERS[self.callout.__class__](self.base, self.callout, walked, by_class)
        return walked

    def of(self, kinds: tuple[type, ...]) -> list[tuple[str, SvamlObject]]:
        """Return ``(pointer, object)`` of the document's objects of exactly these classes, in order."""
        if self._walked is None:
            self.walk()
        by_class = self._by_class
        present = [kind for kind in kinds if kind in by_class]
        if not present:
            return _NONE
        if len(present) == 1:
            return by_class[present[0]]
        # Several rules ask for the same classes: filter the walk once per document.
        memo = self.memo
        found: list[tuple[str, SvamlObject]] | None = memo.get(kinds)
        if found is None:
            wanted = frozenset(present)
            found = memo[kinds] = [item for item in self.walk() if item[1].__class__ in wanted]
        return found

    def kinds(self) -> frozenset[type]:
        """Return the model classes present in the document."""
        if self._walked is None:
            self.walk()
        return frozenset(self._by_class)


_NONE: list[tuple[str, SvamlObject]] = []
_NESTED: dict[type, tuple[tuple[str, str, bool], ...]] = {}


def _nested(cls: type) -> tuple[tuple[str, str, bool], ...]:
    """The (attribute, pointer step, holds a list) of the fields of ``cls`` that hold model objects."""
    found = _NESTED.get(cls)
    if found is None:
        from svaml.codec import field_info

        found = tuple(
            (f.attr, f"/{f.json}/" if f.kind == "objects" else f"/{f.json}", f.kind == "objects")
            for f in field_info(cls)
            if f.kind in ("object", "objects")
        )
        _NESTED[cls] = found
    return found


_Walker = Callable[
    [str, SvamlObject, list[tuple[str, SvamlObject]], dict[type, list[tuple[str, SvamlObject]]]], None
]


class _Walkers(dict[type, _Walker]):
    """The walker of each model class, generated on first use."""

    def __missing__(self, cls: type) -> _Walker:
        walker = self[cls] = _walker(cls)
        return walker


_WALKERS = _Walkers()


def _walker(cls: type) -> _Walker:
    """Generate the function that adds an object of ``cls`` and the objects below it, in document order.

    It adds ``(pointer, object)`` to the walk and to the list of its class, then walks each field
    that holds model objects. Recursion is bounded: no model class holds itself, so the depth is the
    model's, a handful.
    """
    lines = [
        "def walk(where, obj, out, by_class):",
        "    item = (where, obj)",
        "    out.append(item)",
        "    same = by_class.get(cls)",
        "    if same is None: by_class[cls] = [item]",
        "    else: same.append(item)",
    ]
    for attr, step, many in _nested(cls):
        lines.append(f"    v = obj.{attr}")
        if many:
            lines.append("    if v:")
            lines.append(f"        at = where + {step!r}")
            lines.append("        for i, x in enumerate(v): W[x.__class__](at + str(i), x, out, by_class)")
        else:
            lines.append(f"    if v is not None: W[v.__class__](where + {step!r}, v, out, by_class)")
    scope: dict[str, Any] = {"cls": cls, "W": _WALKERS}
    exec("\n".join(lines), scope)
    walker: _Walker = scope["walk"]
    return walker

"""What a v2 rule sees: the decoded document, the commands that read, and where each object sits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from svaml.codec import field_info
from svaml.diagnostic import escape_pointer
from svaml.model._fields import SvamlObject
from svaml.v2.model.commands import Command, GotoMenu, Match, Menu, MenuItem
from svaml.v2.model.document import Document, Use

__all__ = ["Context2", "inside", "iter_strings"]


class Context2:
    """A SVAML v2 document under validation.

    ``commands`` holds ``(index, command)`` for every top-level command that read (a broken one
    is left out, so the rules still see its siblings); ``document`` holds the other top-level
    fields (None when they do not read). ``data`` is the decoded JSON, or a built document's
    written form. ``use`` is where the document is used (None: not known).
    """

    __slots__ = (
        "_menus",
        "_objects",
        "base",
        "built",
        "commands",
        "data",
        "document",
        "memo",
        "strict",
        "use",
    )

    def __init__(
        self,
        data: Any,
        *,
        base: str = "",
        built: bool = False,
        strict: bool = False,
        commands: list[tuple[int, Command]] | None = None,
        document: Document | None = None,
        use: Use | None = None,
    ) -> None:
        self.data = data
        self.base = base
        self.built = built
        self.strict = strict
        self.use = use
        self.commands: list[tuple[int, Command]] = [] if commands is None else commands
        self.document = document
        self.memo: dict[object, Any] = {}
        self._objects: list[tuple[str, SvamlObject]] | None = None
        self._menus: dict[str, Menu | None] = {}

    def at(self, *tokens: str | int) -> str:
        """Return the JSON pointer of ``tokens`` below the document's base."""
        return self.base + "".join("/" + escape_pointer(t) for t in tokens)

    @property
    def parameters(self) -> tuple[Mapping[str, Any], ...]:
        """The batch's parameter sets (none when the document is not a batch)."""
        doc = self.document
        return () if doc is None or doc.parameters is None else doc.parameters

    def objects(self) -> list[tuple[str, SvamlObject]]:
        """Return ``(pointer, object)`` for every model object of the document, outermost first."""
        found = self._objects
        if found is None:
            found = self._objects = []
            doc = self.document
            if doc is not None:
                _walk(self.base, doc, None, found, self._menus)
            if doc is None or not doc.commands:  # a built document's walk has its commands
                at = self.base + "/commands/"
                for index, command in self.commands:
                    _walk(at + str(index), command, None, found, self._menus)
        return found

    def menu_of(self, where: str) -> Menu | None:
        """The ``menu`` whose items hold the ``gotoMenu`` at ``where`` (None outside any menu)."""
        self.objects()
        return self._menus.get(where)


#: The fields of each class that hold model objects: (attribute, JSON name, holds many, keyed).
_NESTED: dict[type, tuple[tuple[str, str, bool, bool], ...]] = {}


def _nested(cls: type[SvamlObject]) -> tuple[tuple[str, str, bool, bool], ...]:
    found = _NESTED.get(cls)
    if found is None:
        fields = {f.name: f for f in attrs.fields(cls)}
        found = _NESTED[cls] = tuple(
            (i.attr, i.json, i.kind == "objects", bool(fields[i.attr].metadata.get("keyed")))
            for i in field_info(cls)
            if i.kind in ("object", "objects")
        )
    return found


def _walk(
    where: str,
    obj: SvamlObject,
    menu: Menu | None,
    out: list[tuple[str, SvamlObject]],
    menus: dict[str, Menu | None],
) -> None:
    """Add ``obj`` and the objects below it, in document order, noting the menu each sits in."""
    out.append((where, obj))
    if obj.__class__ is GotoMenu:
        menus[where] = menu
    inner = obj if isinstance(obj, Menu) else menu  # a nested menu opens its own context
    for attr, json, many, keyed in _nested(obj.__class__):
        value = getattr(obj, attr)
        if value is None:
            continue
        at = f"{where}/{json}"
        if not many:
            _walk(at, value, inner, out, menus)
        elif keyed:
            for item in value:
                if isinstance(item, Match):
                    here = f"{at}/{escape_pointer(item.key)}"
                    out.append((here, item))
                    for index, command in enumerate(item.commands):
                        _walk(f"{here}/{index}", command, inner, out, menus)
                elif isinstance(item, MenuItem):
                    _walk(f"{at}/{escape_pointer(item.name)}", item, inner, out, menus)
        else:
            for index, item in enumerate(value):
                _walk(f"{at}/{index}", item, inner, out, menus)


def iter_strings(obj: SvamlObject) -> Iterator[tuple[str, str]]:
    """Yield ``(JSON name, text)`` for each string field of ``obj`` (not below it)."""
    for info in field_info(type(obj)):
        if info.kind == "value" and info.target is str:
            value = getattr(obj, info.attr)
            if isinstance(value, str):
                yield info.json, value


def inside(where: str, obj: SvamlObject) -> str:
    """The pointer of an object's own fields: an endpoint's or a message's are in its wrapped object."""
    key = getattr(obj.__class__, "key", None)
    return (
        f"{where}/{key}"
        if isinstance(key, str) and isinstance(getattr(obj.__class__, "type", None), str)
        else where
    )

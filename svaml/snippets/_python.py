"""Python code that builds a document with svaml's builder: executing it gives back an equal document.

Nothing here lists fields or instructions. Each instruction or action becomes the builder step
named for it (:func:`svaml.typed.step_name`), whose parameters are read from the step's
``factory`` (the model class or its ``of`` factory); a model object becomes a call of its class
with the parameters of the class's own ``__init__``; a field whose attrs converter accepts a
shorter form (a destination's endpoint, call headers as a mapping) is written so when the
converter gives back the very same value.
"""

from __future__ import annotations

import enum
import inspect
import json
import keyword
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from svaml import codec
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model._fields import NO_EXTRAS, SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CalloutRequest, CustomCallout, callout_request
from svaml.model.permissions import Callback
from svaml.snippets._layout import Chain, Group, Node, layout
from svaml.typed import step_name

__all__ = ["to_python"]

# The customCallout fields that may hold inline SVAML for these callbacks.
_INLINE = {"ice": Callback.ICE, "ace": Callback.ACE, "pie": Callback.PIE}


def text(value: str) -> str:
    """A string literal: JSON's escapes are Python's too (and JavaScript's)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escape everything
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


class _Writer:
    """Collects the names the code imports while it writes the expressions."""

    def __init__(self) -> None:
        self.model_names: set[str] = set()
        self.svaml = False

    # -- values ---------------------------------------------------------------------------------

    def data(self, value: Any) -> Node:
        """A JSON value (kept unknown fields) as a Python literal."""
        if value is None or isinstance(value, bool):
            return repr(value)
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, str):
            return text(value)
        if isinstance(value, Mapping):
            return Group("{", tuple((f"{text(str(k))}: ", self.data(v)) for k, v in value.items()), "}")
        return Group("[", tuple(("", self.data(v)) for v in value), "]")

    def field_value(self, owner: SvamlObject, field: attrs.Attribute[Any], value: Any) -> Node:
        if isinstance(value, enum.Enum):
            return text(str(value.value))
        if isinstance(value, str):
            inline = self.inline_svaml(owner, field.name, value)
            return text(value) if inline is None else inline
        if isinstance(value, SvamlObject):
            return self.short(field, value) or self.object(value)
        if isinstance(value, tuple):
            short = self.short(field, value)
            if short is not None:
                return short
            return Group("[", tuple(("", self.item(v)) for v in value), "]")
        if isinstance(value, Mapping):  # extras
            return self.data(dict(value))
        return repr(value)

    def item(self, value: Any) -> Node:
        return self.object(value) if isinstance(value, SvamlObject) else self.data(value)

    def short(self, field: attrs.Attribute[Any], value: Any) -> Node | None:
        """The shorter form the field's converter accepts for ``value``, if it gives it back exactly."""
        convert: Any = field.converter
        if convert is None:
            return None
        candidate: Any = None
        if isinstance(value, SvamlObject):
            required = [i for i in codec.field_info(type(value)) if i.required and i.kind == "value"]
            if len(required) == 1:
                candidate = getattr(value, required[0].attr)
        elif value and all(isinstance(v, SvamlObject) for v in value):
            pairs = [[i.attr for i in codec.field_info(type(v)) if i.required] for v in value]
            if all(len(p) == 2 for p in pairs):
                candidate = {getattr(v, p[0]): getattr(v, p[1]) for v, p in zip(value, pairs, strict=True)}
        if not isinstance(candidate, (str, dict)):
            return None
        try:
            same = convert(candidate) == value
        except Exception:  # a converter refusing the shorter form: the long form it is
            return None
        if not same:
            return None
        return text(candidate) if isinstance(candidate, str) else self.data(candidate)

    def inline_svaml(self, owner: SvamlObject, name: str, value: str) -> Node | None:
        """A custom callout's inline SVAML as builder code, when that writes back the same text."""
        callback = _INLINE.get(name)
        if not isinstance(owner, CustomCallout) or callback is None or not value.lstrip().startswith("{"):
            return None
        try:
            document = Svaml.from_json(value, callback=callback)
            same = document.to_json(check=False) == value
        except Exception:  # not SVAML svaml reads: written as the text it is
            return None
        if not same:
            return None
        chain = self.chain(document)
        return Chain(chain.head, (*chain.calls, "to_json()"), parenthesized=True)

    # -- model objects ----------------------------------------------------------------------------

    def object(self, obj: SvamlObject) -> Node:
        """``Class(...)`` with the parameters of the class's own ``__init__``."""
        cls = type(obj)
        self.model_names.add(cls.__name__)
        arguments = self.arguments(cls, obj)
        assert arguments is not None
        return Group(cls.__name__ + "(", arguments, ")")

    def arguments(self, make: Callable[..., Any], obj: SvamlObject) -> tuple[tuple[str, Node], ...] | None:
        """The arguments that make ``obj`` through ``make``; None when ``make`` cannot carry a set field."""
        fields = attrs.fields_dict(type(obj))
        unset = {
            name: _is_default(f, getattr(obj, name)) for name, f in fields.items() if f.eq or name == "extras"
        }
        out: list[tuple[str, Node]] = []
        last: list[tuple[str, Node]] = []
        positional = True
        covered = set()
        for parameter in inspect.signature(make).parameters.values():
            field = fields.get(parameter.name)
            if field is None:
                return None
            covered.add(parameter.name)
            value = getattr(obj, parameter.name)
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                out += [("", self.item(v)) for v in value]
                continue
            if unset[parameter.name]:
                positional = False
                continue
            node = self.field_value(obj, field, value)
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and positional:
                out.append(("", node))
            else:
                (last if parameter.name == "extras" else out).append((f"{parameter.name}=", node))
        if any(not is_unset for name, is_unset in unset.items() if name not in covered):
            return None
        return (*out, *last)

    # -- documents --------------------------------------------------------------------------------

    def chain(self, document: Svaml) -> Chain:
        self.svaml = True
        callback = document.callback
        entry = (
            None if callback is None else getattr(Svaml, step_name(callback.value.replace("-", "_")), None)
        )
        if document.extras or (callback is not None and entry is None):
            arguments: list[tuple[str, Node]] = []
            if callback is not None:
                arguments.append(("callback=", text(callback.value)))
            if document.extras:
                arguments.append(("extras=", self.data(dict(document.extras))))
            head: Node = Group("Svaml(", tuple(arguments), ")")
        else:
            head = "Svaml()" if callback is None else f"Svaml.{step_name(callback.value.replace('-', '_'))}()"
        calls = [self.step(part) for part in (*document.instructions, document.action) if part is not None]
        return Chain(head, tuple(calls), parenthesized=True)

    def step(self, part: Any) -> Node:
        name = step_name(part.name)
        arguments = self.arguments(getattr(Svaml, name).factory, part)
        if arguments is None:  # a field the step does not take (kept unknown fields): the generic step
            generic = "with_action" if part.name in ACTION_CLASSES else "with_instruction"
            return Group(generic + "(", (("", self.object(part)),), ")")
        return Group(name + "(", arguments, ")")

    def request(self, request: CalloutRequest) -> Node:
        callout = request.callout
        if callout is not None and callout_request(callout) == request:
            self.model_names.add("callout_request")
            return Group("callout_request(", (("", self.object(callout)),), ")")
        return self.object(request)

    def imports(self) -> str:
        lines = ["from svaml import Svaml"] if self.svaml else []
        if self.model_names:
            names = ", ".join(sorted(self.model_names, key=lambda n: (n[0].islower(), n)))
            lines.append(f"from svaml.model import {names}")
        return "\n".join(lines)


def _is_default(field: attrs.Attribute[Any], value: Any) -> bool:
    default = field.default
    if default is attrs.NOTHING:
        return False
    if default is NO_EXTRAS:
        return not value
    return bool(value == default)


def to_python(value: Svaml | CalloutRequest, *, name: str | None = None) -> str:
    """Python code that builds ``value`` with svaml and binds it to ``name``.

    ``name`` defaults to ``document`` for SVAML and ``request`` for a callout request. Executing
    the code gives back a value equal to ``value``.
    """
    if name is not None and not (name.isidentifier() and not keyword.iskeyword(name)):
        raise SvamlError(f"name={name!r} is not a Python variable name")
    writer = _Writer()
    if isinstance(value, CalloutRequest):
        target = name or "request"
        expression = layout(writer.request(value), column=len(target) + 3)
    else:
        target = name or "document"
        expression = layout(writer.chain(value), column=len(target) + 3)
    return f"{writer.imports()}\n\n{target} = {expression}\n"

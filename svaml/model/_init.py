"""A generated ``__init__`` for the frozen model classes: attrs' own, without its per-field calls.

attrs sets each field of a frozen class through ``object.__setattr__`` and calls one validator
per field; for the builder's small objects that is most of what making them costs, on every
webhook answer. The ``__init__`` made here does the same work in the same order (converters as
each field is set, then validators, then ``__attrs_post_init__``) with three shortcuts:

- each field is set through its slot's descriptor, the cheapest way past a frozen ``__setattr__``;
- a type check made by :func:`svaml.model._fields.is_` is inlined as an exact-class test, and the
  validator itself is called only when that test fails, so every error and message is attrs' own;
- ``to_extras`` and ``to_tuple`` are skipped for values they would return unchanged.

A class that uses anything else of attrs' (``__attrs_pre_init__``, a field outside ``__init__``,
a converter object) keeps attrs' ``__init__``. The tests hold both to the same results.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from svaml.model._fields import NO_EXTRAS, Each, IsType, SvamlObject, to_extras, to_tuple

__all__ = ["ATTRS_INIT", "install", "install_all", "model_classes", "setters"]

#: attrs' own ``__init__`` of each class whose ``__init__`` was replaced (the tests compare them).
ATTRS_INIT: dict[type, Callable[..., None]] = {}


def setters(cls: type) -> dict[str, Callable[[Any, Any], None]]:
    """Return the slot setter of each attrs field of ``cls``; raise TypeError if a field has no slot."""
    found: dict[str, Callable[[Any, Any], None]] = {}
    for field in attrs.fields(cls):
        slot = next((k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__), None)
        if not isinstance(slot, types.MemberDescriptorType):
            raise TypeError(f"{cls.__qualname__}.{field.name} is not a slot")
        found[field.name] = slot.__set__
    return found


def model_classes(root: type = SvamlObject) -> Iterator[type]:
    """Yield every slotted attrs class below ``root`` (attrs' discarded pre-slots copies left out)."""
    seen: set[type] = set()
    stack: list[type] = [root]
    while stack:
        cls = stack.pop()
        sub: type
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if "__slots__" in sub.__dict__ and "__attrs_attrs__" in sub.__dict__:
                    yield sub


def install_all() -> None:
    """Give every model class defined so far the generated ``__init__``."""
    for cls in model_classes():
        install(cls)


def install(cls: type) -> bool:
    """Give ``cls`` the generated ``__init__``; return False (and leave attrs' own) if it cannot."""
    if cls in ATTRS_INIT:
        return True
    source = _source(cls)
    if source is None:
        return False
    code, scope = source
    exec(code, scope)
    init = scope["__init__"]
    original = cls.__init__  # type: ignore[misc]
    init.__qualname__ = original.__qualname__
    init.__module__ = original.__module__
    init.__doc__ = original.__doc__
    init.__annotations__ = dict(original.__annotations__)
    ATTRS_INIT[cls] = original
    cls.__init__ = init  # type: ignore[misc]
    return True


def _source(cls: type) -> tuple[str, dict[str, Any]] | None:
    """The code of the ``__init__`` of ``cls`` and its scope, or None when attrs' must stay."""
    if "__attrs_pre_init__" in dir(cls):
        return None
    fields = attrs.fields(cls)
    if any(not f.init or isinstance(f.converter, attrs.Converter) for f in fields):
        return None
    try:
        slots = setters(cls)
    except TypeError:
        return None
    scope: dict[str, Any] = {
        "NOTHING": attrs.NOTHING,
        "NO_EXTRAS": NO_EXTRAS,
        "validators_disabled": attrs.validators.get_disabled,
    }
    params: list[str] = []
    positional: list[str] = []  # fields that are not keyword-only come first, in field order
    body: list[str] = []
    checks: list[str] = []
    for f in fields:
        name, arg = f.name, f.alias or f.name
        scope[f"s_{name}"] = slots[name]
        scope[f"a_{name}"] = f
        own = params if f.kw_only else positional
        if f.default is attrs.NOTHING:
            own.append(arg)
        elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            own.append(f"{arg}=NOTHING")
            scope[f"d_{name}"] = f.default.factory
            made = f"d_{name}(self)" if f.default.takes_self else f"d_{name}()"
            body.append(f"    if {arg} is NOTHING: {arg} = {made}")
        else:
            own.append(f"{arg}=d_{name}")
            scope[f"d_{name}"] = f.default
        converter = f.converter
        if converter is to_extras:
            body.append(f"    if {arg} is not NO_EXTRAS: {arg} = c_{name}({arg})")
        elif converter is to_tuple:
            body.append(f"    if {arg}.__class__ is not tuple: {arg} = c_{name}({arg})")
        elif converter is not None:
            body.append(f"    {arg} = c_{name}({arg})")
        scope[f"c_{name}"] = converter
        body.append(f"    s_{name}(self, {arg})")
        if f.validator is not None:
            scope[f"v_{name}"] = f.validator
            checks.append(_check(f.validator, name, arg, scope))
    lines = [f"def __init__({', '.join(['self', *positional, '*', *params])}):", *body]
    if checks:
        # attrs.validators.set_disabled() switches the checks off, as in attrs' own __init__.
        lines += ["    if not validators_disabled():", *checks]
    if "__attrs_post_init__" in dir(cls):
        lines.append("    self.__attrs_post_init__()")
    return "\n".join(lines), scope


def _check(validator: Any, name: str, arg: str, scope: dict[str, Any]) -> str:
    """The line that runs ``validator``: inlined for an exact-class check, else a call."""
    call = f"v_{name}(self, a_{name}, {arg})"
    if isinstance(validator, Each):
        return f"        if {arg}: {call}"  # nothing to check in an empty tuple
    if not isinstance(validator, IsType):
        return f"        {call}"
    exact = validator.exact
    if len(exact) == 1:
        scope[f"t_{name}"] = next(iter(exact))
        test = f"{arg}.__class__ is not t_{name}"
    else:
        scope[f"t_{name}"] = exact
        test = f"{arg}.__class__ not in t_{name}"
    if validator.optional:
        test = f"{arg} is not None and {test}"
    return f"        if {test}: {call}"

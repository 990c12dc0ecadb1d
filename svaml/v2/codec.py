"""SVAML v2 on the one converter: its hooks, registered on :data:`svaml.codec.converter`.

The JSON shapes v2 adds to v1's are read and written here, with cattrs' own generators for each
class and v1's value hooks (strings, numbers, open enums, lists):

- commands are told apart by ``command`` (exact spelling; anything else is an unknown command);
- endpoints and messages are wrapped, ``{"type": "PHONE", "phone": {…}}``, told apart by ``type``;
- ``menus`` and ``matches`` are JSON objects keyed by name, held as ordered tuples
  (:class:`~svaml.v2.model.MenuItem`, :class:`~svaml.v2.model.Match`);
- handlers hold commands, so the hooks of nested commands are looked up when first used (the
  model is recursive).

Reading loses nothing, as in v1: unknown fields go to ``extras`` (and, beside an endpoint's or a
message's ``type``, to ``wrapper``) and are written back; a value outside an enum is kept as text.
:func:`svaml.codec.read` reads v2 classes as it reads v1 ones once this module is imported.
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Union

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from svaml._json import typename
from svaml._time import iso_timestamp
from svaml.codec import (
    _KEPT,
    FieldInfo,
    _converted_hook,
    _enum_hook,
    _enum_value,
    _Invalid,
    _list_hook,
    _optional,
    converter,
    field_info,
)
from svaml.model._fields import SvamlObject
from svaml.v2.model import commands, document, endpoints, messages

__all__ = ["V2_CLASSES", "suggest"]

_V2_MODEL = "svaml.v2.model."

#: Every class of a SVAML v2 document (commands, endpoints, messages, the document).
V2_CLASSES: frozenset[type[SvamlObject]] = frozenset(
    cls
    for module in (commands, document, endpoints, messages)
    for cls in vars(module).values()
    if isinstance(cls, type)
    and issubclass(cls, SvamlObject)
    and cls is not SvamlObject
    and cls.__module__ == module.__name__
)

# The JSON key under which a keyed item's own key is handed to its class's hook: never a JSON key.
_KEY = "\x00key"


def suggest(word: str, known: typing.Iterable[str], cutoff: float = 0.6) -> str:
    """Return ``; did you mean 'x'?`` for the closest of ``known`` (any case), or nothing."""
    choices = list(known)
    folded = {k.casefold(): k for k in choices}
    if word.casefold() in folded:
        return f"; did you mean {folded[word.casefold()]!r}?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_v2(tp: Any) -> bool:
    # A subclass too: the builder Svaml2 is a Document. The calls, events and REST bodies
    # (svaml.v2.model.calls, .rest) load only when used, and get their hooks then.
    return tp in V2_CLASSES or (
        isinstance(tp, type)
        and issubclass(tp, SvamlObject)
        and (issubclass(tp, document.Document) or tp.__module__.startswith(_V2_MODEL))
    )


def _is_v2_union(tp: Any) -> bool:
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in (Union, types.UnionType)
        and bool(args)
        and all(a in V2_CLASSES for a in args)
    )


def _lazy(target: Any) -> Callable[[Any, Any], Any]:
    """The structure hook of ``target``, looked up on first use (the model nests commands in commands)."""
    found: list[Callable[[Any, Any], Any]] = []

    def structure(value: Any, _: Any) -> Any:
        if not found:
            found.append(converter.get_structure_hook(target))
        return found[0](value, target)

    return structure


def _lazy_writer(target: Any) -> Callable[[Any], Any]:
    found: list[Callable[[Any], Any]] = []

    def unstructure(obj: Any) -> Any:
        if not found:
            found.append(converter.get_unstructure_hook(target))
        return found[0](obj)

    return unstructure


def _is_key(field: attrs.Attribute[Any]) -> bool:
    return bool(field.metadata.get("key"))


def _mapping(value: Any, _: Any) -> dict[str, Any]:
    """A batch parameter set: an object; its values are checked by the rules."""
    if not isinstance(value, Mapping):
        raise _Invalid("type", f"expected an object, got {typename(value)}")
    return dict(value)


def _item_hook(target: Any) -> Callable[[Any, Any], Any]:
    """How one item of a list of values is read: an open enum, a parameter set, or a plain value."""
    args = typing.get_args(target)
    enums = [a for a in args if isinstance(a, type) and issubclass(a, str) and a is not str]
    if enums:
        return _enum_hook(typing.cast("type[enum.Enum]", enums[0]))
    if typing.get_origin(target) is Mapping or target is Mapping:
        return _mapping
    return converter.get_structure_hook(target)


def _wrap_problems(exc: Exception, name: str, cls: type) -> cattrs.ClassValidationError:
    """``exc`` as the problem of the member ``name`` of ``cls``, so its pointer goes through ``name``."""
    note = AttributeValidationNote(f"member {name}", name, cls)
    exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
    return cattrs.ClassValidationError(f"While structuring {cls.__name__}", [exc], cls)


def _keyed_hook(item: type[SvamlObject]) -> Callable[[Any, Any], Any]:
    """Read a JSON object keyed by name into a tuple of ``item`` (menu items, matches), in order."""
    value_field = next((f for f in attrs.fields(item) if f.metadata.get("value")), None)
    key_field = next(f for f in attrs.fields(item) if _is_key(f))
    read_commands = _list_hook(commands.Command, _lazy(commands.Command))
    read_item = _lazy(item)

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, Mapping):
            raise _Invalid("type", f"expected an object, got {typename(value)}")
        out = []
        errors: list[Exception] = []
        for key, element in value.items():
            try:
                if value_field is not None:
                    out.append(item(**{key_field.name: key, value_field.name: read_commands(element, None)}))
                elif not isinstance(element, Mapping):
                    raise _Invalid("type", f"expected an object, got {typename(element)}")
                else:
                    out.append(read_item({**element, _KEY: key}, item))
            except Exception as exc:  # collected, each with the key it is under
                note = AttributeValidationNote(key, key, item)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(exc)
        if errors:
            raise cattrs.ClassValidationError(f"While structuring {item.__name__}s", errors, item)
        return tuple(out)

    return structure


def _field_hook(field: attrs.Attribute[Any], info: FieldInfo) -> Callable[[Any, Any], Any]:
    target = info.target
    if _is_key(field):
        return converter.get_structure_hook(str)
    if info.kind == "enum":
        return _enum_hook(target)
    if info.kind == "objects":
        hook = _keyed_hook(target) if field.metadata.get("keyed") else _list_hook(target, _lazy(target))
    elif info.kind == "values":
        hook = _list_hook(target, _item_hook(target))
    elif info.kind == "object":
        hook = _lazy(target)
    elif info.kind == "datetime":
        hook = _converted_hook(field)  # the field's own reader: every form the sources show
    else:
        hook = converter.get_structure_hook(target)
    return hook if info.required else _optional(hook, target)


def _json_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.name != "extras" and f.eq]


def _structure_factory(cls: type[SvamlObject]) -> Callable[[Any, Any], Any]:
    """The hook of one v2 class: cattrs' generated function, unknown fields kept in ``extras``."""
    infos = {i.attr: i for i in field_info(cls)}
    fields = _json_fields(cls)
    overrides: dict[str, Any] = {}
    for f in fields:
        info = infos[f.name]
        name = _KEY if _is_key(f) else info.json
        overrides[f.name] = override(rename=name, struct_hook=_field_hook(f, info))
    overrides.update({f.name: override(omit=True) for f in attrs.fields(cls) if f not in fields})
    generated = make_dict_structure_fn(
        cls, converter, _cattrs_detailed_validation=True, _cattrs_forbid_extra_keys=False, **overrides
    )
    tag = "command" if isinstance(cls.__dict__.get("command"), str) else None
    known = frozenset([_KEY if _is_key(f) else infos[f.name].json for f in fields] + ([tag] if tag else []))
    aliases = {alias: i.json for i in infos.values() for alias in i.aliases}
    wrapped: str | None = cls.__dict__.get("key") if isinstance(cls.__dict__.get("type"), str) else None

    def inner(data: Any) -> Any:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise _Invalid("type", f"expected an object, got {typename(data)}")
        if known.issuperset(data):
            return generated(data, cls)
        found: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for key, value in data.items():
            canonical = aliases.get(key)
            if key in known:
                found[key] = value
            elif canonical is not None and canonical not in data:
                found[canonical] = value
            elif key is _KEPT:
                extras.update(value)  # a value of the wrong type, set aside by svaml.codec.read
            else:
                extras[key] = value
        obj = generated(found, cls)
        return attrs.evolve(obj, extras=extras) if extras else obj

    if wrapped is None:
        return lambda data, _: inner(data)
    key: str = wrapped

    def structure_wrapped(data: Any, _: Any) -> Any:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise _Invalid("type", f"expected an object, got {typename(data)}")
        if key not in data:
            raise _Invalid("missing", f"missing required field {key!r} (the {data.get('type')} object)")
        try:
            obj = inner(data[key])
        except Exception as exc:
            raise _wrap_problems(exc, key, cls) from None
        outer = {k: v for k, v in data.items() if k not in ("type", key)}
        return attrs.evolve(obj, wrapper=outer) if outer else obj

    return structure_wrapped


def _union_factory(union: Any) -> Callable[[Any, Any], Any]:
    """Read one of a union of commands (by ``command``), or of endpoints or messages (by ``type``).

    The problem kinds are the codec's: an unknown command is reported as v1's unknown action
    and an unknown endpoint or message type as its unknown instruction; the v2 driver gives them
    their v2 codes (S2004, S2005).
    """
    members = typing.get_args(union)
    if all(isinstance(m.__dict__.get("command"), str) for m in members):
        tag, what = "command", "command"
        classes = {m.command: m for m in members}
    else:
        tag = "type"
        classes = {m.type: m for m in members}
        what = "endpoint" if all(m in endpoints.__dict__.values() for m in members) else "message"
    hooks = {cls: _lazy(cls) for cls in classes.values()}
    known = ", ".join(classes)
    # A type of the same family this union does not take: STREAM or VOICE_RELAY as `from`.
    destinations_only = frozenset(endpoints.DESTINATION_CLASSES) - frozenset(classes)

    def structure(data: Any, _: Any) -> Any:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise _Invalid("type", f"expected a {what} object, got {typename(data)}")
        name = data.get(tag)
        if name is None:
            if tag == "command":
                raise _Invalid("no-name", "the command has no 'command'")
            raise _Invalid("missing", f"missing required field 'type' (one of {known})")
        if not isinstance(name, str):
            raise _Invalid("type", f"expected a string, got {typename(name)}", (tag,))
        cls = classes.get(name)
        if cls is None:
            if tag == "command":
                hint = suggest(name, classes)
                raise _Invalid("action-name", f"unknown command {name!r}{hint}", (tag,))
            where = " (it is a destination only)" if name in destinations_only else suggest(name, classes)
            raise _Invalid("instruction-name", f"{what} type {name!r} is not one of {known}{where}", (tag,))
        return hooks[cls](data, cls)

    return structure


def _unstructure_factory(cls: type[SvamlObject]) -> Callable[[Any], Any]:
    overrides: dict[str, Any] = {}
    infos = {i.attr: i for i in field_info(cls)}
    fields = _json_fields(cls)
    for f in fields:
        if _is_key(f):
            continue
        info = infos[f.name]
        hook: Callable[[Any], Any] = identity
        if info.kind == "enum":
            hook = _enum_value
        elif info.kind == "datetime":
            hook = iso_timestamp
        elif info.kind == "values":
            hook = _values_writer(info.target)
        elif info.kind == "objects":
            hook = _keyed_writer(info.target) if f.metadata.get("keyed") else _list_writer(info.target)
        elif info.kind == "object":
            hook = _lazy_writer(info.target)
        omit = not info.required and not f.metadata.get("always") and (f.default is None or f.default == ())
        overrides[f.name] = override(rename=info.json, omit_if_default=omit, unstruct_hook=hook)
    overrides.update({f.name: override(omit=True) for f in attrs.fields(cls) if f.name not in overrides})
    generated = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)
    tag = cls.__dict__.get("command")
    wrap_type = cls.__dict__.get("type")

    if isinstance(tag, str):

        def unstructure_command(obj: Any) -> dict[str, Any]:
            out = {"command": tag, **generated(obj)}  # Sinch's documents write the command first
            if obj.extras:
                out.update(obj.extras)
            return out

        return unstructure_command
    if isinstance(wrap_type, str):
        key = cls.__dict__["key"]

        def unstructure_wrapped(obj: Any) -> dict[str, Any]:
            inner = generated(obj)
            if obj.extras:
                inner.update(obj.extras)
            out = {"type": wrap_type, key: inner}
            if obj.wrapper:
                out.update(obj.wrapper)
            return out

        return unstructure_wrapped

    def unstructure(obj: Any) -> dict[str, Any]:
        out = generated(obj)
        if obj.extras:
            out.update(obj.extras)
        return out

    return unstructure


def _values_writer(target: Any) -> Callable[[Any], Any]:
    return lambda items: [_enum_value(i) if not isinstance(i, Mapping) else dict(i) for i in items]


def _union_writer(union: Any) -> Callable[[Any], Any]:
    writers = {cls: _lazy_writer(cls) for cls in typing.get_args(union)}
    return lambda obj: writers[obj.__class__](obj)


def _list_writer(item: Any) -> Callable[[Any], Any]:
    write = _lazy_writer(item)
    return lambda items: [write(i) for i in items]


def _keyed_writer(item: type[SvamlObject]) -> Callable[[Any], Any]:
    key_field = next(f for f in attrs.fields(item) if _is_key(f))
    value_field = next((f for f in attrs.fields(item) if f.metadata.get("value")), None)
    write = _lazy_writer(item)
    write_commands = _list_writer(commands.Command)
    if value_field is not None:
        return lambda items: {
            getattr(i, key_field.name): write_commands(getattr(i, value_field.name)) for i in items
        }
    return lambda items: {getattr(i, key_field.name): write(i) for i in items}


converter.register_structure_hook_factory(_is_v2, _structure_factory)
converter.register_structure_hook_factory(_is_v2_union, _union_factory)
converter.register_unstructure_hook_factory(_is_v2, _unstructure_factory)
converter.register_unstructure_hook_factory(_is_v2_union, _union_writer)

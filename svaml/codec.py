"""The one converter: every SVAML object to JSON-ready data and back, built with cattrs' generators.

Each model class has one structure and one unstructure hook, made by
:func:`cattrs.gen.make_dict_structure_fn` and :func:`cattrs.gen.make_dict_unstructure_fn`
with ``override(rename=...)`` for the JSON names. Writing is canonical: camelCase names, unset
(None or empty) fields left out, enum values in the schema's spelling. Reading is liberal as the
reference's policy table says (name casing, ``callheaders``, integer DTMF keys, enum casing,
``"true"`` for booleans, ``destination`` for ``destinationUrl``), and loses nothing:

- fields svaml does not know are kept in each object's ``extras`` and written back;
- enumerated fields are open: a value outside the enum reads as the plain ``str`` and writes
  back unchanged (the validator reports it, SV006);
- a value of the wrong type on an *optional* field leaves that field unset and keeps the raw
  value in its object's ``extras`` under its JSON name, so the rest of the object still reads
  and the document writes back unchanged; the problem is still reported (SV002).

Every problem is collected with its JSON pointer (cattrs' detailed validation). :func:`read`
returns the object (None when a required part cannot be read), the problems, and whether a
liberal form was read: exactly when the object does not write back to the data it was read from.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, Union

import attrs
import cattrs
from cattrs.errors import IterableValidationNote
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from svaml._json import Unfit, dumps, json_value, typename
from svaml._time import iso_timestamp
from svaml.diagnostic import Diagnostic, Severity, pointer
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model._fields import SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.document import Document
from svaml.model.instructions import INSTRUCTION_CLASSES

__all__ = [
    "STRUCTURE_CODES",
    "FieldInfo",
    "Reading",
    "classes_below",
    "converter",
    "field_info",
    "json_name",
    "problems",
    "read",
    "structure",
    "to_json",
    "unstructure",
]

_T = TypeVar("_T")

#: The codes of the problems reading can find; the validator's structure rules share them. (A value
#: outside an enum reads: the validator's rule SV006 reports it.) ``json`` is a Python value that
#: JSON cannot carry (the JSON policy's :func:`svaml._json.json_value`).
STRUCTURE_CODES: Mapping[str, tuple[str, str]] = {
    "json": ("SV001", "invalid-json"),
    "type": ("SV002", "invalid-type"),
    "missing": ("SV003", "missing-field"),
    "action-name": ("SV004", "unknown-action"),
    "instruction-name": ("SV005", "unknown-instruction"),
    "no-name": ("SV008", "missing-name"),
}

converter = cattrs.Converter()
"""The one cattrs converter of svaml; hooks for every model class are registered on it."""


class _Invalid(Exception):
    """One problem a hook found: its kind (a key of STRUCTURE_CODES), message, and pointer below the hook."""

    def __init__(self, kind: str, message: str, tokens: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.tokens = tokens


# -- the fields of a model class ------------------------------------------------------------------


def json_name(field: attrs.Attribute[Any]) -> str:
    """Return the JSON name of a model field: camelCase of its Python name, or its ``json`` metadata."""
    explicit = field.metadata.get("json")
    if explicit:
        return str(explicit)
    head, *rest = field.name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_enum(tp: Any) -> typing.TypeGuard[type[enum.Enum]]:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, SvamlObject) and attrs.has(tp)


def _leaf(tp: Any) -> tuple[str, Any]:
    """Classify a field type: (kind, the type of the value or of the list's items)."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (Union, types.UnionType):
        enums = [a for a in args if _is_enum(a)]
        if len(enums) == 1 and set(args) <= {enums[0], str}:
            return ("enum", enums[0])  # `E | str`: open, an unknown value kept as text
        if all(_is_model(a) for a in args):
            return ("object", args[0] if len(args) == 1 else Union[tuple(args)])  # noqa: UP007
        if len(args) == 1:
            return _leaf(args[0])
        return ("value", tp)
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        models = typing.get_args(item) or (item,)
        return ("objects" if all(_is_model(a) for a in models) else "values", item)
    if _is_enum(tp):
        return ("enum", tp)
    if tp is datetime:
        return ("datetime", tp)
    if _is_model(tp):
        return ("object", tp)
    return ("value", tp)


class FieldInfo(typing.NamedTuple):
    """How one model field appears in JSON.

    ``kind`` is ``value`` (a string, number or boolean), ``enum`` (open: a value outside the enum
    reads as text), ``datetime``, ``object`` (a model object, or one of a tagged union),
    ``values`` (a list of strings) or ``objects`` (a list of model objects); ``target`` is the
    Python type of the value or of the list's items.
    """

    attr: str
    json: str
    kind: str
    target: Any
    required: bool
    aliases: tuple[str, ...]


_FIELD_INFO: dict[type, tuple[FieldInfo, ...]] = {}


def _fields(cls: type) -> list[attrs.Attribute[Any]]:
    """The fields of ``cls`` that appear in JSON: all but ``extras`` and those outside equality.

    (A document's ``callback`` says where it is used, and is no part of its JSON.)
    """
    attrs.resolve_types(cls)
    return [f for f in attrs.fields(cls) if f.name != "extras" and f.eq]


def field_info(cls: type[SvamlObject]) -> tuple[FieldInfo, ...]:
    """Return how the fields of a model class appear in JSON, in declaration order."""
    found = _FIELD_INFO.get(cls)
    if found is None:
        found = _FIELD_INFO[cls] = tuple(
            FieldInfo(
                f.name,
                json_name(f),
                *_leaf(f.type),
                f.default is attrs.NOTHING,
                tuple(f.metadata.get("aliases", ())),
            )
            for f in _fields(cls)
        )
        _ALIAS_OF.update({alias: info.json for info in found for alias in info.aliases})
    return found


def classes_below(*roots: type[SvamlObject]) -> tuple[type[SvamlObject], ...]:
    """Return ``roots`` and every model class their fields hold, at any depth, each once."""
    found: dict[type[SvamlObject], None] = {}
    todo = list(roots)
    while todo:
        cls = todo.pop(0)
        if cls not in found:
            found[cls] = None
            todo += [i.target for i in field_info(cls) if i.kind in ("object", "objects")]
    return tuple(found)


#: The canonical JSON name of every alias of the model (``callheaders``…), from the fields' metadata.
_ALIAS_OF: dict[str, str] = {}


# -- reading values: strict, but for the liberal forms the policy table names --------------------


def _str(value: Any, _: Any) -> str:
    if value.__class__ is str or isinstance(value, str):
        return value
    raise _Invalid("type", f"expected a string, got {typename(value)}")


def _int(value: Any, _: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _Invalid("type", f"expected an integer, got {typename(value)}")


def _float(value: Any, _: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise _Invalid("type", f"expected a number, got {typename(value)}")


def _bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    # Sinch's own AMD example writes "enabled": "true"; the validator warns about it.
    if value in ("true", "false"):
        return bool(value == "true")
    raise _Invalid("type", f"expected a boolean, got {typename(value)}")


def _any(value: Any, _: Any) -> Any:
    return value


for _type, _hook in ((str, _str), (int, _int), (float, _float), (bool, _bool), (Any, _any)):
    converter.register_structure_hook(_type, _hook)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[Any, Any], Any]:
    """Read a member of ``cls`` in any letter case, or keep an unknown text as it is (open enum)."""
    def structure(value: Any, _: Any) -> Any:
        if value is None:
            return None  # every enumerated field is optional
        if isinstance(value, str) or value is False:
            try:
                return cls(value)  # any case; `indications: false` is Norway
            except ValueError:
                if isinstance(value, str):
                    return value
        raise _Invalid("type", f"expected a string, got {typename(value)}")

    return structure


def _converted_hook(field: attrs.Attribute[Any]) -> Callable[[Any, Any], Any]:
    """Read through the field's own attrs converter (a DTMF key written as an integer, a timestamp)."""
    convert: Callable[[Any], Any] = typing.cast(Any, field.converter)

    def structure(value: Any, _: Any) -> Any:
        try:
            return convert(value)
        except (SvamlTypeError, ValueError) as exc:
            raise _Invalid("type", str(exc)) from None

    return structure


def _list_hook(item: Any, read_item: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Read a JSON list into a tuple, collecting the problems of every item (cattrs' own errors)."""

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _Invalid("type", f"expected a list, got {typename(value)}")
        out = []
        errors: list[Exception] = []
        for index, element in enumerate(value):
            try:
                out.append(read_item(element, item))
            except Exception as exc:  # collected, as cattrs collects them, with a note of where
                note = IterableValidationNote(f"Structuring item @ index {index}", index, item)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(exc)
        if errors:
            raise cattrs.IterableValidationError(f"While structuring tuple[{item}, ...]", errors, tuple)
        return tuple(out)

    return structure


def _optional(hook: Callable[[Any, Any], Any], target: Any) -> Callable[[Any, Any], Any]:
    """``hook`` for an optional field: None reads as unset, and a value of exactly ``target`` as itself."""
    if target in (str, int, bool, float):

        def read_value(value: Any, tp: Any) -> Any:
            # The usual case, a value of exactly its type, costs no second call.
            if value is None or value.__class__ is target:
                return value
            return hook(value, tp)

        return read_value
    return lambda value, tp: None if value is None else hook(value, tp)


def _is_tagged_union(tp: Any) -> bool:
    """Whether ``tp`` is a union of model classes told apart by their ``name`` (actions, instructions)."""
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in (Union, types.UnionType)
        and bool(args)
        and all(_is_model(a) and isinstance(getattr(a, "name", None), str) for a in args)
    )


#: The tagged unions by what their members are called in messages.
_TAGGED: Mapping[str, Mapping[str, type[Any]]] = {
    "action": ACTION_CLASSES,
    "instruction": INSTRUCTION_CLASSES,
}


def _tagged_hook(union: Any) -> Callable[[Any, Any], Any]:
    """Read one of a tagged union of actions or instructions, told apart by ``name`` (any case)."""
    members = set(typing.get_args(union))
    what, classes = next((w, c) for w, c in _TAGGED.items() if members <= set(c.values()))
    classes = {name: cls for name, cls in classes.items() if cls in members}
    hooks = {cls: converter.get_structure_hook(cls) for cls in classes.values()}
    folded = {name.casefold(): cls for name, cls in classes.items()}
    kind = f"{what}-name"
    known = ", ".join(classes)

    def structure(data: Any, _: Any) -> Any:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise _Invalid("type", f"expected an {what} object, got {typename(data)}")
        name = data.get("name")
        if name is None:
            raise _Invalid("no-name", f"the {what} has no 'name'")
        if not isinstance(name, str):
            raise _Invalid("type", f"expected a string, got {typename(name)}", ("name",))
        cls = classes.get(name) or folded.get(name.casefold())
        if cls is None:
            raise _Invalid(kind, f"unknown {what} {name!r}; expected one of {known}", ("name",))
        return hooks[cls](data, cls)

    return structure


def _field_hook(cls: type, field: attrs.Attribute[Any], info: FieldInfo) -> Callable[[Any, Any], Any]:
    """The structure hook of one field, chosen by its JSON kind."""
    target = info.target
    if info.kind in ("values", "objects"):
        items = _list_hook(target, converter.get_structure_hook(target))
        if issubclass(cls, Document):
            return lambda value, tp: () if value is None else items(value, tp)  # as the schema says
        return items
    if info.kind == "enum":
        return _enum_hook(target)
    if field.converter is not None and info.kind != "object":
        # The converter reads None itself. A model object is read by its class's hook first: the
        # builder's converters (a str destination) are for Python values, not JSON objects.
        return _converted_hook(field)
    hook = converter.get_structure_hook(target)
    return hook if info.required else _optional(hook, target)


#: A key no JSON object has: a value set aside by :func:`read` (see :func:`_set_aside`) under it
#: goes to the object's extras instead of its field.
_KEPT = object()


def _structure_factory(cls: type[SvamlObject]) -> Callable[[Any, Any], Any]:
    infos = field_info(cls)
    by_attr = {f.name: f for f in _fields(cls)}
    overrides: dict[str, Any] = {
        i.attr: override(rename=i.json, struct_hook=_field_hook(cls, by_attr[i.attr], i)) for i in infos
    }
    overrides.update({f.name: override(omit=True) for f in attrs.fields(cls) if f.name not in by_attr})
    generated = make_dict_structure_fn(
        cls, converter, _cattrs_detailed_validation=True, _cattrs_forbid_extra_keys=False, **overrides
    )
    tagged = isinstance(getattr(cls, "name", None), str)
    known = frozenset([i.json for i in infos] + (["name"] if tagged else []))
    aliases = {alias: i.json for i in infos for alias in i.aliases}

    def structure(data: Any, _: Any) -> Any:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise _Invalid("type", f"expected an object, got {typename(data)}")
        if known.issuperset(data):
            return generated(data, cls)  # the usual case: every key known, nothing to keep aside
        fields: dict[str, Any] = {}
        extras: dict[Any, Any] = {}
        for key, value in data.items():
            canonical = aliases.get(key)
            if key in known:
                fields[key] = value
            elif canonical is not None and canonical not in data:
                fields[canonical] = value
            elif key is _KEPT:
                extras.update(value)
            else:
                extras[key] = value
        obj = generated(fields, cls)
        return attrs.evolve(obj, extras=extras) if extras else obj

    return structure


def _unstructure_factory(cls: type[SvamlObject]) -> Callable[[Any], dict[str, Any]]:
    overrides: dict[str, Any] = {}
    for f, info in zip(_fields(cls), field_info(cls), strict=True):
        unset = f.default is None or f.default == ()
        hook: Callable[[Any], Any] = identity  # written as it is, inline
        if info.kind == "enum":
            hook = _enum_value
        elif info.kind == "datetime":
            hook = iso_timestamp
        elif info.kind == "values":
            hook = list
        elif info.kind == "objects":
            hook = _objects(info.target)
        elif info.kind == "object":
            hook = _object_hook(info.target)
        overrides[f.name] = override(rename=info.json, omit_if_default=unset, unstruct_hook=hook)
    overrides.update({f.name: override(omit=True) for f in attrs.fields(cls) if f.name not in overrides})
    generated = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)
    tag = getattr(cls, "name", None)

    def unstructure(obj: Any) -> dict[str, Any]:
        out = generated(obj)
        if obj.extras:
            out.update(obj.extras)
        return out

    def unstructure_tagged(obj: Any) -> dict[str, Any]:
        out = {"name": tag, **generated(obj)}  # Sinch's documents write the name first
        if obj.extras:
            out.update(obj.extras)
        return out

    return unstructure_tagged if isinstance(tag, str) else unstructure


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _object_hook(target: Any) -> Callable[[Any], Any]:
    """The unstructure hook of a model class; for a tagged union, that of the object's own class."""
    if not typing.get_args(target):
        return converter.get_unstructure_hook(target)
    writers = {cls: converter.get_unstructure_hook(cls) for cls in typing.get_args(target)}
    return lambda obj: writers[obj.__class__](obj)


def _objects(item: Any) -> Callable[[tuple[Any, ...]], list[Any]]:
    write = _object_hook(item)
    return lambda items: [write(i) for i in items]


converter.register_structure_hook_factory(_is_model, _structure_factory)
converter.register_structure_hook_factory(_is_tagged_union, _tagged_hook)
converter.register_unstructure_hook_factory(_is_model, _unstructure_factory)


# -- problems -------------------------------------------------------------------------------------


class _Problem(NamedTuple):
    tokens: tuple[str | int, ...]
    kind: str
    message: str
    #: The problem is the value of an optional field itself: the field can be set aside.
    optional: bool


_OPTIONAL: dict[type, tuple[dict[str, str], frozenset[str]]] = {}


def _names(cls: type) -> tuple[dict[str, str], frozenset[str]]:
    """The JSON name of each attribute of ``cls``, and the attributes that have a default."""
    found = _OPTIONAL.get(cls)
    if found is None:
        infos = field_info(cls)
        optional = frozenset(i.attr for i in infos if not i.required)
        found = _OPTIONAL[cls] = ({i.attr: i.json for i in infos}, optional)
    return found


def _problems(exc: BaseException, tokens: tuple[str | int, ...] = ()) -> Iterator[_Problem]:
    """Every problem in ``exc`` (cattrs' validation errors hold them, each with a note of where)."""
    if isinstance(exc, cattrs.ClassValidationError):
        names, optional = _names(exc.cl)
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            key = names.get(note.name, note.name)
            if isinstance(sub, KeyError) and sub.args == (key,):
                yield _Problem(tokens, "missing", f"missing required field {key!r}", False)
            elif isinstance(sub, _Invalid) and not sub.tokens:
                yield _Problem((*tokens, key), sub.kind, sub.message, note.name in optional)
            else:
                yield from _problems(sub, (*tokens, key))
        for sub in without:
            yield from _problems(sub, tokens)
    elif isinstance(exc, cattrs.IterableValidationError):
        items, without = exc.group_exceptions()
        for item, where in items:
            yield from _problems(item, (*tokens, where.index))
        for sub in without:
            yield from _problems(sub, tokens)
    elif isinstance(exc, _Invalid):
        yield _Problem((*tokens, *exc.tokens), exc.kind, exc.message, False)
    elif isinstance(exc, SvamlTypeError):  # an attrs validator of the class itself
        yield _Problem(tokens, "type", str(exc), False)
    else:
        raise exc  # a bug in svaml, not a problem of the document


def _raw_tokens(data: Any, tokens: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``tokens`` with each field name as the data spells it (an alias such as ``callheaders``)."""
    out: list[str | int] = []
    for token in tokens:
        if isinstance(data, Mapping) and isinstance(token, str) and token not in data:
            token = next((k for k in data if isinstance(k, str) and _ALIAS_OF.get(k) == token), token)
        out.append(token)
        data = _child(data, token)
    return tuple(out)


def _child(data: Any, token: str | int) -> Any:
    if isinstance(data, list):
        return data[token] if isinstance(token, int) and 0 <= token < len(data) else None
    return data.get(token) if isinstance(data, Mapping) else None


def _set_aside(data: Any, tokens: tuple[str | int, ...]) -> Any:
    """A copy of ``data`` whose value at ``tokens`` is moved under its object's :data:`_KEPT` key."""
    head, rest = tokens[0], tokens[1:]
    if isinstance(data, list) and isinstance(head, int):
        items = list(data)
        items[head] = _set_aside(data[head], rest)
        return items
    copy = dict(data)
    if rest:
        copy[head] = _set_aside(data[head], rest)
        return copy
    copy[_KEPT] = {**copy.get(_KEPT, {}), head: copy.pop(head)}
    return copy


def _diagnostics(found: list[_Problem], prefix: tuple[str | int, ...]) -> list[Diagnostic]:
    out = []
    for problem in found:
        code, name = STRUCTURE_CODES[problem.kind]
        out.append(
            Diagnostic(
                code=code,
                name=name,
                severity=Severity.ERROR,
                message=problem.message,
                pointer=pointer(*prefix, *problem.tokens),
            )
        )
    return out


def _too_deep() -> Diagnostic:
    code, name = STRUCTURE_CODES["type"]
    return Diagnostic(
        code=code, name=name, severity=Severity.ERROR, message="the document is nested too deeply to read"
    )


# -- the public face ------------------------------------------------------------------------------


class Reading(NamedTuple):
    """What :func:`read` gives: the object, every problem, and whether a liberal form was read.

    ``value`` is None when the data cannot be read; it may be an object *and* come with problems
    when only optional fields were wrong (their raw values are then in the objects' ``extras``).
    ``liberal`` is true when the object does not write back exactly to the data it was read from
    (a name in another case, an alias, an integer menu key…): only then can the canonical-form
    rules find anything.
    """

    value: Any
    problems: list[Diagnostic]
    liberal: bool


#: The structure hook of each class :func:`read` was asked for (cattrs' dispatch, once).
_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}


def read(data: Any, cls: Any, *prefix: str | int, decoded: bool = False) -> Reading:
    """Read ``data`` into ``cls`` (a model class or a tagged union), every problem under ``prefix``.

    ``data`` is first held to the JSON policy (:func:`svaml._json.json_value`): a value JSON cannot
    carry is a problem (SV001), and nothing is read. ``decoded=True`` says ``data`` was decoded from
    JSON text by :func:`svaml._json.decode` (or already checked), so it is JSON throughout.
    Never raises on bad input.
    """
    if not decoded:
        checked = json_value(data)
        if checked.unfit:
            return Reading(None, _not_json(checked.unfit, prefix), False)
        data = checked.value
    hook = _HOOKS.get(cls) or _HOOKS.setdefault(cls, converter.get_structure_hook(cls))
    try:
        try:
            obj = hook(data, cls)
            found: list[_Problem] = []
        except Exception as exc:  # sorted by _problems, which re-raises a bug
            found = [p._replace(tokens=_raw_tokens(data, p.tokens)) for p in _problems(exc)]
            obj = _read_without(data, found, hook, cls)
            if obj is None:
                return Reading(None, _diagnostics(found, prefix), False)
    except RecursionError:
        return Reading(None, [_too_deep()], False)
    try:
        liberal = not _same(unstructure(obj), data)
    except RecursionError:
        liberal = False  # unknown fields nested too deeply to compare: no rule could compare them either
    return Reading(obj, _diagnostics(found, prefix) if found else [], liberal)


def _read_without(data: Any, found: list[_Problem], hook: Callable[[Any, Any], Any], cls: Any) -> Any:
    """Read ``data`` with the values of ``found`` set aside, if each is an optional field's; else None."""
    if not all(p.optional for p in found):
        return None
    repaired = data
    for tokens in dict.fromkeys(p.tokens for p in found):
        repaired = _set_aside(repaired, tokens)
    try:
        return hook(repaired, cls)
    except (cattrs.BaseValidationError, _Invalid):  # reported as found already
        return None


def _same(written: Any, data: Any) -> bool:
    """Whether ``written`` is ``data`` exactly: equal, and of the same JSON types (60 is not 60.0)."""
    return written == data and written.__class__ is data.__class__ and _alike(written, data)


def _alike(written: Any, data: Any) -> bool:
    """Whether the equal containers ``written`` and ``data`` hold values of the same types throughout."""
    if written.__class__ is dict:
        pairs = zip(written.values(), map(data.__getitem__, written), strict=True)
    else:
        pairs = zip(written, data, strict=True)
    for a, b in pairs:
        kind = a.__class__
        if kind is not b.__class__ or ((kind is dict or kind is list) and not _alike(a, b)):
            return False
    return True


def problems(data: Any, cls: type[Any]) -> list[Diagnostic]:
    """Return what keeps ``data`` from reading into ``cls`` (empty if it reads); never raises."""
    return read(data, cls).problems


def _not_json(unfit: tuple[Unfit, ...], prefix: tuple[str | int, ...]) -> list[Diagnostic]:
    code, name = STRUCTURE_CODES["json"]
    return [
        Diagnostic(
            code=code,
            name=name,
            severity=Severity.ERROR,
            message=f"not JSON: {u.message}",
            pointer=pointer(*prefix, *u.tokens),
        )
        for u in unfit
    ]


def structure(data: Any, cls: type[_T], *, decoded: bool = False) -> _T:
    """Read ``data`` into ``cls``; raise :class:`SvamlError` listing every problem.

    ``data`` is held to the JSON policy first, as :func:`read` holds it (``decoded`` as there).
    """
    name = getattr(cls, "__name__", str(cls))
    what = "a SVAML document" if name == "Document" else name
    if not decoded:
        checked = json_value(data)
        if checked.unfit:
            raise SvamlError(f"cannot read {what}:", _not_json(checked.unfit, ()))
        data = checked.value
    try:
        return typing.cast(_T, converter.get_structure_hook(cls)(data, cls))
    except RecursionError:
        found = [_too_deep()]
    except Exception as exc:  # sorted by _problems, which re-raises a bug
        found = _diagnostics([p._replace(tokens=_raw_tokens(data, p.tokens)) for p in _problems(exc)], ())
    raise SvamlError(f"cannot read {what}:", found)


def unstructure(obj: Any) -> Any:
    """Return any model object as JSON-ready data (canonical names and forms)."""
    return converter.unstructure(obj)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Return any model object (an event, a callout request…) as JSON text, unchecked."""
    return dumps(converter.unstructure(obj), indent=indent)

"""The one converter: every SVAML object to JSON-ready data and back.

Reading is liberal as the reference's policy table says (name casing, ``callheaders``,
integer DTMF keys, enum casing, ``"true"`` for booleans, ``destination`` for ``destinationUrl``)
and keeps the fields svaml does not know in each object's ``extras``; writing is canonical.
A document that cannot be read raises :class:`~svaml.errors.SvamlError` whose ``problems`` list
every problem with its JSON pointer: reading never stops at the first one.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, Union

import attrs
import cattrs

from svaml._json import dumps, typename
from svaml._time import iso_timestamp, parse_strict
from svaml.diagnostic import Diagnostic, Severity, pointer
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model._fields import NO_EXTRAS, SvamlObject, to_extras
from svaml.model._init import setters
from svaml.model.actions import ACTION_CLASSES, Action
from svaml.model.document import Document
from svaml.model.instructions import INSTRUCTION_CLASSES, Instruction

__all__ = [
    "STRUCTURE_CODES",
    "FieldInfo",
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

#: The codes of the problems reading can find; the validator's structure rules share them.
STRUCTURE_CODES: Mapping[str, tuple[str, str]] = {
    "json": ("SV001", "invalid-json"),
    "type": ("SV002", "invalid-type"),
    "missing": ("SV003", "missing-field"),
    "action-name": ("SV004", "unknown-action"),
    "instruction-name": ("SV005", "unknown-instruction"),
    "value": ("SV006", "invalid-value"),
    "no-name": ("SV008", "missing-name"),
}

converter = cattrs.Converter()
"""The one cattrs converter of svaml; hooks for every model class are registered on it."""


class _Invalid(Exception):
    """Problems found while reading, each as (pointer tokens, kind, message)."""

    def __init__(self, found: list[tuple[tuple[str | int, ...], str, str]]) -> None:
        super().__init__(found)
        self.found = found


def _fail(kind: str, message: str) -> _Invalid:
    return _Invalid([((), kind, message)])




def json_name(field: attrs.Attribute[Any]) -> str:
    """Return the JSON name of a model field: camelCase of its Python name, or its ``json`` metadata."""
    explicit = field.metadata.get("json")
    if explicit:
        return str(explicit)
    head, *rest = field.name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# -- primitives: strict, but for the liberal forms the policy table names ----------------------


def _str(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return value
    raise _fail("type", f"expected a string, got {typename(value)}")


#: How many non-canonical forms reading has accepted, ever: a name or enum value in another
#: case, an alias field name, an integer menu key, a ``"true"`` boolean, ``indications: false``,
#: an integral float. The validator compares it before and after reading a document: when it did
#: not move, the document is in canonical form and the canonical-form rules have nothing to do.
liberal_reads = 0


def _liberal() -> None:
    global liberal_reads
    liberal_reads += 1


def _int(value: Any, _: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        _liberal()
        return int(value)
    raise _fail("type", f"expected an integer, got {typename(value)}")


def _bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    # Sinch's own AMD example writes "enabled": "true"; the validator warns about it.
    if value in ("true", "false"):
        _liberal()
        return bool(value == "true")
    raise _fail("type", f"expected a boolean, got {typename(value)}")


def _any(value: Any, _: Any) -> Any:
    return value


converter.register_structure_hook(str, _str)
converter.register_structure_hook(int, _int)
converter.register_structure_hook(bool, _bool)
converter.register_structure_hook(Any, _any)


def _is_enum(tp: Any) -> typing.TypeGuard[type[enum.Enum]]:
    """Whether ``tp`` is an enum class."""
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[Any, Any], Any]:
    allowed = ", ".join(str(m.value) for m in cls)

    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, str) or value is False:
            try:
                member = cls(value)
                if member.value != value:
                    _liberal()
                return member
            except ValueError:
                pass
        raise _fail("value", f"expected one of {allowed}, got {value!r}")

    return structure


converter.register_structure_hook_factory(
    _is_enum, _enum_hook
)


# -- model classes ------------------------------------------------------------------------------


def _is_optional(tp: Any) -> Any:
    """Return ``X`` for ``X | None``, else None."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0]
    return None


def _item_type(tp: Any) -> Any:
    """Return ``X`` for ``tuple[X, ...]``, else None."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return None


def _field_reader(field: attrs.Attribute[Any]) -> Callable[[Any], Any]:
    tp = field.type
    item = _item_type(tp)
    if item is not None:
        read_item = converter.get_structure_hook(item)

        def read_tuple(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _fail("type", f"expected a list, got {typename(value)}")
            out = []
            found: list[tuple[tuple[str | int, ...], str, str]] = []
            for index, element in enumerate(value):
                try:
                    out.append(read_item(element, item))
                except _Invalid as exc:
                    found.extend(((index, *tokens), k, m) for tokens, k, m in exc.found)
            if found:
                raise _Invalid(found)
            return tuple(out)

        return read_tuple
    inner = _is_optional(tp)
    target = inner if inner is not None else tp
    convert = field.converter
    if convert is not None and not _is_enum(target) and not _is_model(target):
        # Fields such as MenuOption.dtmf convert liberally themselves (an int key becomes "1").
        call = _converter_of(field)

        def read_converted(value: Any) -> Any:
            try:
                converted = call(value)
                if converted is not value and converted.__class__ is not value.__class__:
                    _liberal()  # a menu key written as an integer
                return converted
            except SvamlTypeError as exc:
                raise _fail("type", str(exc)) from None

        canonical = _canonical_text(field)
        if canonical is None:
            return read_converted

        def read_canonical(value: Any) -> Any:
            # Sinch's own spelling of an enum value or a timestamp is no liberal form.
            if value.__class__ is str:
                found = canonical(value)
                if found is not None:
                    return found
            return read_converted(value)

        return read_canonical
    # Enums not through dispatch: they are str subclasses, and str's hook would win.
    hook = _enum_hook(target) if _is_enum(target) else converter.get_structure_hook(target)
    if target in (str, int, bool):
        # The common case, a value of exactly the right type, costs no second call.
        exact, optional = target, inner is not None

        def read_primitive(value: Any) -> Any:
            if value.__class__ is exact or (optional and value is None):
                return value
            return hook(value, exact)

        return read_primitive
    if inner is None:
        return lambda value: hook(value, target)
    return lambda value: None if value is None else hook(value, target)


def _converter_of(field: attrs.Attribute[Any]) -> Callable[[Any], Any]:
    """Return the function that converts ``field``'s values (attrs may wrap it)."""
    convert = field.converter
    return typing.cast("Callable[[Any], Any]", getattr(convert, "converter", convert))


def _canonical_text(field: attrs.Attribute[Any]) -> Callable[[str], Any] | None:
    """Return a reader of the canonical text of a converted ``Enum | str`` or ``datetime`` field, else None.

    The reader returns what the field's converter returns for that text, or None for any other
    text (which the converter reads, liberally). For an enum it is the enum's own value-to-member
    table, checked here against the converter for every member; for a timestamp it is
    :func:`~svaml._time.parse_strict`, the form every timestamp converter reads first.
    """
    if field.converter is None:
        return None
    inner = _is_optional(field.type)
    target = inner if inner is not None else field.type
    if target is datetime:
        sample = "2024-01-19T09:19:28.9372196Z"
        return parse_strict if _converter_of(field)(sample) == parse_strict(sample) else None
    enum_cls = _enum_or_str(target)
    if enum_cls is None:
        return None
    call = _converter_of(field)
    if any(call(member.value) is not member for member in enum_cls):
        return None
    table: dict[str, Any] = enum_cls._value2member_map_
    return table.get


def _fields(cls: type[SvamlObject]) -> list[attrs.Attribute[Any]]:
    """Return the model fields of ``cls`` (without ``extras``), their annotations resolved."""
    attrs.resolve_types(cls)
    return [f for f in attrs.fields(cls) if f.name != "extras"]


def _structure_factory(cls: type[SvamlObject]) -> Callable[[Any, Any], Any]:
    fields = _fields(cls)
    readers: dict[str, tuple[str, Callable[[Any], Any]]] = {}
    aliases: dict[str, str] = {}
    required: list[str] = []
    for field in fields:
        name = json_name(field)
        readers[name] = (field.name, _field_reader(field))
        for alias in field.metadata.get("aliases", ()):
            aliases[alias] = name
        if field.default is attrs.NOTHING:
            required.append(name)
    tagged = "name" in cls.__dict__ and not any(f.name == "name" for f in fields)

    def structure(data: Any, _: Any) -> Any:
        if not (data.__class__ is dict or isinstance(data, Mapping)):
            raise _fail("type", f"expected an object, got {typename(data)}")
        kwargs: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        found: list[tuple[tuple[str | int, ...], str, str]] = []
        for key, value in data.items():
            entry = readers.get(key)
            if entry is None:
                canonical = aliases.get(key)
                if canonical is not None and canonical not in data:
                    _liberal()
                    entry = readers[canonical]
                elif tagged and key == "name":
                    continue
                else:
                    extras[key] = value
                    continue
            attr, read = entry
            try:
                kwargs[attr] = read(value)
            except _Invalid as exc:
                found.extend(((key, *tokens), k, m) for tokens, k, m in exc.found)
        for name in required:
            if name not in data and not any(a in data for a, c in aliases.items() if c == name):
                found.append(((), "missing", f"missing required field {name!r}"))
        if found:
            raise _Invalid(found)
        if extras:
            kwargs["extras"] = to_extras(extras)
        return make(kwargs)

    make = _trusted_constructor(cls)
    _GENERAL[cls] = structure
    fast = _FAST[cls] = _fast_reader(
        cls, fields, {field.name: readers[json_name(field)][1] for field in fields}, tagged
    )

    def read(data: Any, _: Any) -> Any:
        if data.__class__ is dict:
            found = fast(data)
            if found is not None:
                return found
        return structure(data, _)

    return read


_MISSING = object()
#: The fast reader of each model class, once its structure hook is made, and the general one
#: that reports problems (the tests hold the two to the same results).
_FAST: dict[type, Callable[[dict[str, Any]], Any]] = {}
_GENERAL: dict[type, Callable[[Any, Any], Any]] = {}


def _default(field: attrs.Attribute[Any], scope: dict[str, Any]) -> str:
    """The expression of ``field``'s default in generated code (``o`` is the object being made)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        scope[f"d_{field.name}"] = default.factory
        return f"d_{field.name}(o)" if default.takes_self else f"d_{field.name}()"
    scope[f"d_{field.name}"] = default
    return f"d_{field.name}"


def _fast_reader(
    cls: type[SvamlObject],
    fields: list[attrs.Attribute[Any]],
    readers: dict[str, Callable[[Any], Any]],
    tagged: bool,
) -> Callable[[dict[str, Any]], Any]:
    """Return generated code that reads a canonical object in one pass, or None for anything else.

    Most documents are canonical: every key known, every value of exactly its type. This path
    reads them without a call per field. Anything else (an unknown key, an alias, a value of
    another type, a problem) returns None, and the general reader, which reports problems and
    counts liberal forms, reads the object instead. Fields with converters are read as
    :func:`_converted_lines` says; fields of other kinds go through their general reader here
    too, which counts what it accepts liberally itself.
    """
    known = frozenset([json_name(f) for f in fields] + (["name"] if tagged else []))
    scope: dict[str, Any] = {
        "new": object.__new__,
        **_setters(cls),
        "cls": cls,
        "known": known,
        "M": _MISSING,
        "NO_EXTRAS": NO_EXTRAS,
        "Invalid": _Invalid,
        "SvamlTypeError": SvamlTypeError,
    }
    lines = ["def fast(data):", "    if not known.issuperset(data): return None", "    o = new(cls)"]
    lines += ["    try:", "        pass"]
    for field in fields:
        attr, key, tp = field.name, json_name(field), typing.cast(Any, field.type)
        inner = _is_optional(tp)
        target: Any = inner if inner is not None else tp
        item: Any = _item_type(tp)
        absent = (
            "return None" if field.default is attrs.NOTHING else f"s_{attr}(o, {_default(field, scope)})"
        )
        lines.append(f"        v = data.get({key!r}, M)")
        primitive = item is None and field.converter is None and target in (str, int, bool)
        if primitive:
            # The usual case first: a value of exactly its type (the sentinel M is of none).
            scope[f"t_{attr}"] = target
            lines.append(f"        if v.__class__ is t_{attr}: s_{attr}(o, v)")
            lines.append(f"        elif v is M: {absent}")
        else:
            lines.append(f"        if v is M: {absent}")
        # The kinds read here; an enum field's converter is the general reader's business too.
        plain = _is_model(target) or (field.converter is None and target in (str, int, bool))
        simple = (
            (item is not None and (item in (str, int) or _is_model(item)))
            or (item is None and _is_enum(target))
            or (item is None and plain)
        )
        if not simple:
            lines += _converted_lines(field, item, target, scope, readers[attr])
            continue
        null = f"s_{attr}(o, None)" if inner is not None else "return None"
        lines.append(f"        elif v is None: {null}")
        if item is not None and not _is_model(item):
            scope[f"t_{attr}"] = item
            lines += [
                "        elif v.__class__ is list:",
                "            for i in v:",
                f"                if i.__class__ is not t_{attr}: return None",
                f"            s_{attr}(o, tuple(v))",
            ]
        elif item is not None:
            scope[f"f_{attr}"] = _fast_of(item, scope, f"f_{attr}")
            lines += [
                "        elif v.__class__ is list:",
                f"            r = f_{attr}",
                "            t = []",
                "            for i in v:",
                "                x = r(i) if i.__class__ is dict else None",
                "                if x is None: return None",
                "                t.append(x)",
                f"            s_{attr}(o, tuple(t))",
            ]
        elif primitive:
            pass  # its type was tested first
        elif _is_enum(target):
            scope[f"e_{attr}"] = target._value2member_map_  # canonical spelling -> member
            lines += [
                "        elif v.__class__ is str:",
                f"            x = e_{attr}.get(v)",
                "            if x is None: return None",
                f"            s_{attr}(o, x)",
            ]
        else:
            scope[f"f_{attr}"] = _fast_of(target, scope, f"f_{attr}")
            lines += [
                "        elif v.__class__ is dict:",
                f"            x = f_{attr}(v)",
                "            if x is None: return None",
                f"            s_{attr}(o, x)",
            ]
        lines.append("        else: return None")
    lines.append("    except (Invalid, SvamlTypeError): return None")
    lines.append("    s_extras(o, NO_EXTRAS)")
    lines.append("    return o")
    exec("\n".join(lines), scope)
    fast: Callable[[dict[str, Any]], Any] = scope["fast"]
    return fast


def _converted_lines(
    field: attrs.Attribute[Any], item: Any, target: Any, scope: dict[str, Any], read: Callable[[Any], Any]
) -> list[str]:
    """Return the fast reader's lines for a field read by a converter or a general reader.

    Sinch's own spelling of an enum value or a timestamp, and a number of exactly its type, are
    read inline; any other value of a converted field goes to the converter itself, which is
    one call where the general reader would make two. A value the converter turns into another
    type (a menu key written as an integer) is a liberal form: the general reader counts it.
    """
    attr = field.name
    scope[f"r_{attr}"] = read
    if field.converter is None or item is not None:
        # Read as the general reader does, null included.
        return [f"        else: s_{attr}(o, r_{attr}(v))"]
    lines = []
    canonical = _canonical_text(field)
    if canonical is not None:
        scope[f"c_{attr}"] = canonical
        lines += [
            f"        elif v.__class__ is str and (x := c_{attr}(v)) is not None: s_{attr}(o, x)",
            f"        else: s_{attr}(o, r_{attr}(v))",
        ]
        return lines
    if target is float and _keeps_numbers(_converter_of(field)):
        lines.append(f"        elif v.__class__ is float or v.__class__ is int: s_{attr}(o, v)")
    scope[f"k_{attr}"] = _converter_of(field)
    lines += [
        "        else:",
        f"            x = k_{attr}(v)",
        "            if x is not v and x.__class__ is not v.__class__: return None",
        f"            s_{attr}(o, x)",
    ]
    return lines


def _keeps_numbers(convert: Callable[[Any], Any]) -> bool:
    """Whether a number field's converter returns an int or a float as it is (checked on samples)."""
    try:
        return all(convert(n) is n for n in (0, 7, 2**70, 0.0, 0.25, 1e300))
    except SvamlTypeError:
        return False


def _fast_of(cls: type[SvamlObject], scope: dict[str, Any], name: str) -> Callable[[dict[str, Any]], Any]:
    """Return a stand-in for the fast reader of ``cls`` in generated code, known as ``name`` in ``scope``.

    Classes nest in any order, so the reader is made on first use; the stand-in then puts it in
    its own place in ``scope``, and later reads call it directly.
    """

    def first(data: dict[str, Any]) -> Any:
        found = _FAST.get(cls)
        if found is None:
            _hook(cls)  # makes the class's hooks, its fast reader among them
            found = _FAST[cls]
        scope[name] = found
        return found(data)

    return first


def _setters(cls: type) -> dict[str, Callable[[Any, Any], None]]:
    """``s_<field>``: the setter of each field's slot, for generated code (past the frozen __setattr__)."""
    return {f"s_{name}": setter for name, setter in setters(cls).items()}


def _trusted_constructor(cls: type[SvamlObject]) -> Callable[[dict[str, Any]], Any]:
    """Return a function that builds ``cls`` from values the field readers have already checked.

    The readers check and convert every value, so running ``__init__``'s validators and
    converters again would only double the cost of reading; missing fields get their defaults.
    """
    lines = ["def make(kw):", "    o = new(cls)", "    get = kw.get"]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, **_setters(cls)}
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            lines.append(f"    s_{field.name}(o, kw[{field.name!r}])")
        else:
            scope[f"d_{field.name}"] = field.default
            lines.append(f"    s_{field.name}(o, get({field.name!r}, d_{field.name}))")
    lines.append("    return o")
    exec("\n".join(lines), scope)
    make: Callable[[dict[str, Any]], Any] = scope["make"]
    return make


def _enum_or_str(tp: Any) -> Any:
    """Return the enum of ``Enum | str`` (a value Sinch may extend: kept as text when unknown)."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        enums = [a for a in args if _is_enum(a)]
        if len(enums) == 1 and set(args) == {enums[0], str}:
            return enums[0]
    return None


def _leaf(tp: Any) -> tuple[str, Any]:
    """Classify a field type for unstructuring: (kind, class)."""
    inner = _is_optional(tp)
    target = inner if inner is not None else tp
    item = _item_type(target)
    if item is not None:
        return ("objects" if attrs.has(item) else "values", item)
    if _is_enum(target):
        return ("enum", target)
    if _enum_or_str(target) is not None:
        return ("enum-or-str", _enum_or_str(target))
    if target is datetime:
        return ("datetime", target)
    if isinstance(target, type) and attrs.has(target):
        return ("object", target)
    return ("value", target)


class FieldInfo(typing.NamedTuple):
    """How one model field appears in JSON.

    ``kind`` is ``value`` (a string, number or boolean), ``enum``, ``object`` (a model object),
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


def field_info(cls: type[SvamlObject]) -> tuple[FieldInfo, ...]:
    """Return how the fields of a model class appear in JSON, in declaration order."""
    found = _FIELD_INFO.get(cls)
    if found is None:
        found = tuple(
            FieldInfo(
                f.name,
                json_name(f),
                *_leaf(f.type),
                f.default is attrs.NOTHING,
                tuple(f.metadata.get("aliases", ())),
            )
            for f in _fields(cls)
        )
        _FIELD_INFO[cls] = found
    return found


def _unstructure_factory(cls: type[SvamlObject]) -> Callable[[Any], dict[str, Any]]:
    # Generated straight-line code, as cattrs does: this is the hot path of every webhook.
    tag = cls.__dict__.get("name") if isinstance(cls.__dict__.get("name"), str) else None
    lines = ["def unstructure(o):"]
    lines.append(f"    r = {{'name': {tag!r}}}" if tag else "    r = {}")
    scope: dict[str, Any] = {"iso": iso_timestamp}
    for field in _fields(cls):
        kind, target = _leaf(field.type)
        attr, key = field.name, json_name(field)
        if kind in ("object", "objects"):
            scope[f"u_{attr}"] = converter.get_unstructure_hook(target)
        expr = {
            "value": "v",
            "enum": "v.value",
            "enum-or-str": "v if v.__class__ is str else v.value",
            "datetime": "iso(v)",
            "object": f"u_{attr}(v)",
            "values": "list(v)",
            "objects": f"[u_{attr}(i) for i in v]",
        }[kind]
        required = field.default is attrs.NOTHING
        lines.append(f"    v = o.{attr}")
        if required:
            lines.append(f"    r[{key!r}] = {expr}")
        else:
            test = "v" if kind in ("values", "objects") else "v is not None"
            lines.append(f"    if {test}: r[{key!r}] = {expr}")
    lines.append("    if o.extras: r.update(o.extras)")
    lines.append("    return r")
    exec("\n".join(lines), scope)
    fn: Callable[[Any], dict[str, Any]] = scope["unstructure"]
    return fn


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, SvamlObject) and not issubclass(tp, Document)


converter.register_structure_hook_factory(_is_model, _structure_factory)
converter.register_unstructure_hook_factory(_is_model, _unstructure_factory)


# -- tagged unions: actions and instructions are told apart by `name` ----------------------------


def _tagged(
    classes: Mapping[str, type[Any]], kind: str, what: str
) -> Callable[[Any, Any], Any]:
    folded = {name.casefold(): cls for name, cls in classes.items()}
    known = ", ".join(classes)

    def structure(data: Any, _: Any) -> Any:
        if data.__class__ is dict:
            # The common case first: a known name, exactly as written, and a canonical object.
            name = data.get("name")
            cls = classes.get(name) if name.__class__ is str else None
            fast = None if cls is None else _FAST.get(cls)
            if cls is not None and fast is not None:
                found = fast(data)
                # Declined: the general reader says why (the hook would try the fast one again).
                return found if found is not None else _GENERAL[cls](data, cls)
        elif not isinstance(data, Mapping):
            raise _fail("type", f"expected an {what} object, got {typename(data)}")
        name = data.get("name")
        if name is None:
            raise _fail("no-name", f"the {what} has no 'name'")
        if not isinstance(name, str):
            raise _Invalid([(("name",), "type", f"expected a string, got {typename(name)}")])
        cls = classes.get(name)
        if cls is None:
            cls = folded.get(name.casefold())
            if cls is not None:
                _liberal()
        if cls is None:
            raise _Invalid([(("name",), kind, f"unknown {what} {name!r}; expected one of {known}")])
        return _hook(cls)(data, cls)

    return structure


_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}


def _hook(cls: Any) -> Callable[[Any, Any], Any]:
    """Return the converter's structure hook for ``cls``, skipping its dispatch on every call."""
    found = _HOOKS.get(cls)
    if found is None:
        found = _HOOKS[cls] = converter.get_structure_hook(cls)
    return found


converter.register_structure_hook(Action, _tagged(ACTION_CLASSES, "action-name", "action"))
converter.register_structure_hook(
    Instruction, _tagged(INSTRUCTION_CLASSES, "instruction-name", "instruction")
)

_read_action = converter.get_structure_hook(Action)
_read_instruction = converter.get_structure_hook(Instruction)
_unstructure_any = converter.unstructure


def _structure_document(data: Any, _: Any) -> Document:
    if not (data.__class__ is dict or isinstance(data, Mapping)):
        raise _fail("type", f"expected a SVAML object, got {typename(data)}")
    found: list[tuple[tuple[str | int, ...], str, str]] = []
    instructions: list[Any] = []
    action = None
    extras = {k: v for k, v in data.items() if k not in ("instructions", "action")}
    raw = data.get("instructions")
    if raw is not None:
        if isinstance(raw, list):
            for index, item in enumerate(raw):
                try:
                    instructions.append(_read_instruction(item, Instruction))
                except _Invalid as exc:
                    found.extend((("instructions", index, *t), k, m) for t, k, m in exc.found)
        else:
            found.append((("instructions",), "type", f"expected a list, got {typename(raw)}"))
    if data.get("action") is not None:
        try:
            action = _read_action(data["action"], Action)
        except _Invalid as exc:
            found.extend((("action", *t), k, m) for t, k, m in exc.found)
    if found:
        raise _Invalid(found)
    return Document(instructions=instructions, action=action, extras=extras)


def _unstructure_document(doc: Document) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.instructions:
        out["instructions"] = [_unstructure_any(i) for i in doc.instructions]
    if doc.action is not None:
        out["action"] = _unstructure_any(doc.action)
    if doc.extras:
        out.update(doc.extras)
    return out


converter.register_structure_hook(Document, _structure_document)
converter.register_unstructure_hook_func(
    lambda tp: isinstance(tp, type) and issubclass(tp, Document), _unstructure_document
)


# -- the public face ----------------------------------------------------------------------------


def _diagnostics(exc: _Invalid) -> list[Diagnostic]:
    out = []
    for tokens, kind, message in exc.found:
        code, name = STRUCTURE_CODES[kind]
        out.append(
            Diagnostic(
                code=code,
                name=name,
                severity=Severity.ERROR,
                message=message,
                pointer=pointer(*tokens),
            )
        )
    return out


def read(data: Any, cls: Any, *prefix: str | int) -> tuple[Any, list[Diagnostic]]:
    """Read ``data`` into ``cls``: (object, []) or (None, every problem under ``prefix``); never raises."""
    try:
        return _hook(cls)(data, cls), []
    except _Invalid as exc:
        found = [((*prefix, *tokens), kind, message) for tokens, kind, message in exc.found]
        return None, _diagnostics(_Invalid(found))
    except RecursionError:
        return None, [_too_deep()]


def problems(data: Any, cls: type[Any]) -> list[Diagnostic]:
    """Return what keeps ``data`` from reading into ``cls`` (empty if it reads); never raises."""
    try:
        _hook(cls)(data, cls)
    except _Invalid as exc:
        return _diagnostics(exc)
    except RecursionError:
        return [_too_deep()]
    return []


def _too_deep() -> Diagnostic:
    code, name = STRUCTURE_CODES["type"]
    return Diagnostic(
        code=code,
        name=name,
        severity=Severity.ERROR,
        message="the document is nested too deeply to read",
    )


def structure(data: Any, cls: type[_T]) -> _T:
    """Read ``data`` into ``cls``; raise :class:`SvamlError` listing every problem."""
    try:
        if data.__class__ is dict:
            # The fast reader straight away (once the hook has made it): a callback's usual case.
            fast = _FAST.get(cls)
            if fast is not None:
                found_fast: _T | None = fast(data)
                # Declined: the general reader says why (the hook would try the fast one again).
                return found_fast if found_fast is not None else typing.cast(_T, _GENERAL[cls](data, cls))
        return typing.cast(_T, _hook(cls)(data, cls))
    except _Invalid as exc:
        found = _diagnostics(exc)
    except RecursionError:
        found = [_too_deep()]
    what = "a SVAML document" if cls is Document else getattr(cls, "__name__", str(cls))
    raise SvamlError(f"cannot read {what}:", found)



def unstructure(obj: Any) -> Any:
    """Return any model object as JSON-ready data (canonical names and forms)."""
    return converter.unstructure(obj)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Return any model object (an event, a callout request…) as JSON text, unchecked."""
    return dumps(converter.unstructure(obj), indent=indent)




"""The JSON Schema (Draft 2020-12) of SVAML documents and callout requests, generated from the model.

Nothing here restates a field: every definition comes from the model classes (``attrs`` fields,
their types and metadata, through :func:`svaml.codec.field_info`), the tagged unions from
``ACTION_CLASSES`` and ``INSTRUCTION_CLASSES``, and the per-callback variants from the permission
table. The schema accepts exactly what the codec reads (names and enumerated values in any
letter case, ``callheaders``, integer menu keys, ``"true"`` booleans, ``indications: false``,
integral floats, unknown fields), so it agrees with the structure diagnostics; the
canonical-form warnings and the semantic rules are the validator's.

The callout schema also asks what the callout rule SV904 asks: ``method`` names a callout, and
the body carries that callout object and no other.

``python -m svaml.schema DIRECTORY`` writes the files shipped in ``schema/``. Importing this
module does not import jsonschema.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from svaml.codec import field_info, json_name
from svaml.document import Svaml
from svaml.model._fields import SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CALLOUT_CLASSES, CalloutRequest
from svaml.model.enums import Indications
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.model.permissions import ACTIONS_ALLOWED, INSTRUCTIONS_ALLOWED, Callback
from svaml.rules import Limits
from svaml.rules._callouts import schema_required
from svaml.rules._limits import schema_keywords

__all__ = [
    "BASE_URL",
    "FILES",
    "callout_schema",
    "document_schema",
    "dumps",
    "main",
    "write_schemas",
]

#: Where the schemas' ``$id``s live.
BASE_URL = "https://svaml.dev/schema/"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SVAML_CALLBACKS = (Callback.ICE, Callback.ACE, Callback.PIE, Callback.PATCH, Callback.CALL_LEG)
# `$` also matches before a final newline in Python's re (jsonschema's engine), not in ECMA 262.
_END = "$(?!\\n)"


# -- patterns -----------------------------------------------------------------------------------


def _any_case(word: str) -> str:
    """The regex (no anchors) of ``word`` in any ASCII letter case: ``[Rr][Uu][Nn]``.

    Written without ``(?i)``, which not every engine has. The codec also folds a few non-ASCII
    characters (``str.casefold``: the long s, the Kelvin sign, some ligatures); the schema keeps to
    readable ASCII and refuses them: nobody means them, and SV020 would ask for the canonical name.
    """
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in word)


def _one_of_words(words: Iterable[str], strict: bool) -> dict[str, Any]:
    """A string that is one of ``words``: in any letter case as the codec reads it, or exactly (strict)."""
    words = list(words)
    if strict:
        return {"enum": words}
    alternatives = "|".join(_any_case(w) for w in words)
    return {"type": "string", "pattern": f"^(?:{alternatives}){_END}"}


# -- definitions --------------------------------------------------------------------------------


@attrs.frozen
class _Options:
    """What kind of schema is made.

    ``strict``: canonical forms, no unknown keys, no null. ``keywords``: the JSON Schema keywords
    of the limits, by class and field; ``required``: the fields rules require beyond the model's.
    """

    strict: bool
    keywords: Mapping[type, Mapping[str, Mapping[str, object]]]
    required: Mapping[type, tuple[str, ...]]


def _options(strict: bool, limits: Limits | None) -> _Options:
    return _Options(strict, schema_keywords(limits or Limits()), schema_required())


def _enum(cls: type[enum.Enum], opts: _Options) -> dict[str, Any]:
    schema = _one_of_words((str(m.value) for m in cls), opts.strict)
    if cls is Indications and not opts.strict:
        # `false` is Norway in Sinch's OpenAPI file (YAML 1.1); svaml reads it, and "false", as "no".
        return {"anyOf": [schema, {"enum": [False, "false"]}]}
    return schema


def _value(target: Any, converter: Any, opts: _Options) -> dict[str, Any]:
    if converter is not None and target is str and not opts.strict:
        # A field that converts its value (a menu key): a JSON integer is read as its digits.
        return {"type": ["string", "integer"]}
    if target is bool:
        if opts.strict:
            return {"type": "boolean"}
        return {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]}
    if target is int:
        return {"type": "integer"}  # in 2020-12 60.0 is an integer too, as svaml reads it
    if target is str:
        return {"type": "string"}
    return {}


def _ref(cls: type) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{cls.__name__}"}


def _nullable(tp: Any) -> bool:
    """Whether a field's type is ``X | None`` (a JSON null reads as absent)."""
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def _description(cls: type) -> str:
    """The class docstring, its reST literals written as Markdown ones (editors show Markdown)."""
    return inspect.cleandoc(cls.__doc__ or cls.__name__).replace("``", "`")


def _definition(cls: type[SvamlObject], defs: dict[str, Any], opts: _Options) -> dict[str, Any]:
    attrs.resolve_types(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    properties: dict[str, Any] = {}
    required: list[str] = []
    conditions: list[dict[str, Any]] = []
    tag = cls.__dict__.get("name")
    if isinstance(tag, str):
        properties["name"] = _one_of_words([tag], opts.strict)
        required.append("name")
    limits = opts.keywords.get(cls, {})
    for info in field_info(cls):
        field = fields[info.attr]
        if info.kind == "object":
            schema = _ref(info.target)
            _collect(info.target, defs, opts)
        elif info.kind == "objects":
            schema = {"type": "array", "items": _ref(info.target)}
            _collect(info.target, defs, opts)
        elif info.kind == "values":
            schema = {"type": "array", "items": _value(info.target, None, opts)}
        elif info.kind == "enum":
            schema = _enum(info.target, opts)
        else:
            schema = {**_value(info.target, field.converter, opts), **limits.get(info.json, {})}
            if schema.get("type") == ["string", "integer"] and "pattern" in schema:
                schema["minimum"] = 0  # a key written as an integer is its digits
        if _nullable(field.type) and not opts.strict:
            schema = {"anyOf": [schema, {"type": "null"}]}
        properties[info.json] = schema
        # A required field with an alias is required in the conditions below, unless strict.
        by_model = info.required and not (info.aliases and not opts.strict)
        if by_model or info.json in opts.required.get(cls, ()):
            required.append(info.json)
        if opts.strict:
            continue  # an alias is not the canonical name (SV021)
        for alias in info.aliases:
            # The alias is read as the field only when the field itself is absent; beside it, the
            # alias is just an unknown field.
            properties[alias] = {"description": f"Read as {info.json!r} when {info.json!r} is absent."}
            alone: dict[str, Any] = {"properties": {alias: schema}}
            if info.required:
                alone["required"] = [alias]
            conditions.append({"anyOf": [{"required": [info.json]}, alone]})
    out: dict[str, Any] = {
        "type": "object",
        "description": _description(cls),
        "properties": properties,
        # Unknown fields are kept, and only a warning (SV007); the strict schema refuses them.
        "additionalProperties": not opts.strict,
    }
    if required:
        out["required"] = required
    if conditions:
        out["allOf"] = conditions
    return out


def _collect(cls: type[SvamlObject], defs: dict[str, Any], opts: _Options) -> None:
    if cls.__name__ not in defs:
        defs[cls.__name__] = {}  # reserve first: definitions may refer to each other
        defs[cls.__name__] = _definition(cls, defs, opts)


def _union(
    classes: Mapping[str, type[SvamlObject]],
    allowed: Iterable[str],
    what: str,
    defs: dict[str, Any],
    opts: _Options,
) -> dict[str, Any]:
    """A tagged union told apart by ``name`` (in any letter case), as the codec reads it."""
    allowed = set(allowed)
    names = [n for n in classes if n in allowed]
    branches = []
    for name, cls in classes.items():
        _collect(cls, defs, opts)
        if name in allowed:
            branches.append(
                {"if": {"properties": {"name": _one_of_words([name], opts.strict)}}, "then": _ref(cls)}
            )
    return {
        "type": "object",
        "description": f"A SVAML {what}, told apart by its name: {', '.join(names) or 'none allowed'}.",
        "required": ["name"],
        "properties": {"name": _one_of_words(names, opts.strict)},
        "allOf": branches,
    }


def _document_properties(opts: _Options) -> dict[str, Any]:
    """The document's fields, from the ``Svaml`` class (``callback`` is not part of the JSON)."""
    attrs.resolve_types(Svaml)
    properties: dict[str, Any] = {
        # Editors read `$schema`; Sinch and svaml ignore it.
        "$schema": {"description": "The JSON Schema of this document, for editors; Sinch ignores it."},
    }
    for field in attrs.fields(Svaml):
        if field.name == "extras" or not field.eq:
            continue
        if typing.get_origin(field.type) is tuple:
            ref = {"type": "array", "items": {"$ref": "#/$defs/instruction"}}
        else:
            ref = {"$ref": "#/$defs/action"}
        # null reads as absent, as the codec reads it (the validator then reports a missing action).
        properties[json_name(field)] = ref if opts.strict else {"anyOf": [ref, {"type": "null"}]}
    return properties


def document_schema(
    callback: Callback | str | None = None, *, strict: bool = False, limits: Limits | None = None
) -> dict[str, Any]:
    """Return the JSON Schema of a SVAML document, for one callback or for any.

    For a callback, the action and instruction names are those Sinch allows there. Every schema
    carries the limits a schema can express (``maxDuration``, text length, ``conferenceId``,
    DTMF keys, non-negative counts; ``limits`` an application's raised ones). ``strict`` asks
    for what lints clean of structure warnings: canonical names and values, no unknown field,
    no ``null``, and an action.
    """
    opts = _options(strict, limits)
    cb = None if callback is None else Callback(callback)
    suffix = f"-{cb.value}" if cb is not None else ""
    if strict:
        suffix += "-strict"
    defs: dict[str, Any] = {}
    actions = [n for n, allowed in ACTIONS_ALLOWED.items() if cb is None or cb in allowed]
    instructions = [n for n, allowed in INSTRUCTIONS_ALLOWED.items() if cb is None or cb in allowed]
    where = f" used as {cb.phrase}" if cb is not None else ""
    out: dict[str, Any] = {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}svaml{suffix}.schema.json",
        "title": f"SVAML document{where}" + (" (strict)" if strict else ""),
        "description": _description(Svaml).split("\n\n")[0]
        + " Generated from the svaml model; `svaml lint` checks the documented rules beyond structure.",
        "type": "object",
        "properties": _document_properties(opts),
        "additionalProperties": not strict,
        "$defs": {
            "action": _union(ACTION_CLASSES, actions, "action", defs, opts),
            "instruction": _union(INSTRUCTION_CLASSES, instructions, "instruction", defs, opts),
            **defs,
        },
    }
    if strict:
        out["required"] = ["action"]  # SV101
    return out


def callout_schema(*, strict: bool = False, limits: Limits | None = None) -> dict[str, Any]:
    """Return the JSON Schema of a callout request body (``POST /calling/v1/callouts``).

    The body is ``{"method": "<name>", "<name>": {...}}``: ``method`` names a callout, spelt as
    Sinch documents it, and the body carries that callout object and no other. ``strict`` and
    ``limits`` as for :func:`document_schema`.
    """
    opts = _options(strict, limits)
    defs: dict[str, Any] = {}
    _collect(CalloutRequest, defs, opts)
    branches = []
    for method in CALLOUT_CLASSES:
        # SV904: the object `method` names is there, and no other callout object is.
        if strict:
            others: dict[str, Any] = {o: False for o in CALLOUT_CLASSES if o != method}
        else:
            others = {o: {"type": "null"} for o in CALLOUT_CLASSES if o != method}
        branches.append(
            {
                "if": {"properties": {"method": {"const": method}}},
                "then": {"required": [method], "properties": {method: {"type": "object"}, **others}},
            }
        )
    # A body with `action` or `instructions` is read as a SVAML document, not as a callout request.
    branches.append({"not": {"anyOf": [{"required": ["action"]}, {"required": ["instructions"]}]}})
    return {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}callout{'-strict' if strict else ''}.schema.json",
        "title": "Sinch Voice callout request" + (" (strict)" if strict else ""),
        "description": _description(CalloutRequest).split("\n\n")[0] + " Generated from the svaml model.",
        "$ref": "#/$defs/CalloutRequest",
        "properties": {"method": {"enum": list(CALLOUT_CLASSES)}},
        "allOf": branches,
        "$defs": defs,
    }


def _variant(callback: Callback | None, strict: bool) -> Callable[[], dict[str, Any]]:
    return lambda: document_schema(callback, strict=strict)


def _callout_variant(strict: bool) -> Callable[[], dict[str, Any]]:
    return lambda: callout_schema(strict=strict)


#: The files ``write_schemas`` writes, by name, and the function that makes each.
FILES: Mapping[str, Callable[[], dict[str, Any]]] = {
    **{
        f"svaml{'-' + cb.value if cb else ''}{'-strict' if strict else ''}.schema.json": _variant(cb, strict)
        for strict in (False, True)
        for cb in (None, *_SVAML_CALLBACKS)
    },
    "callout.schema.json": _callout_variant(False),
    "callout-strict.schema.json": _callout_variant(True),
}


def dumps(schema: dict[str, Any]) -> str:
    """Return a schema as the text of its file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(
    directory: str | Path, files: Mapping[str, Callable[[], dict[str, Any]]] | None = None
) -> list[Path]:
    """Write the schema files (``files``, or v1's) into ``directory`` (made if missing); return the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (FILES if files is None else files).items():
        path = out / name
        path.write_text(dumps(make()), encoding="utf-8")
        written.append(path)
    return written


def main(
    argv: list[str] | None = None, files: Mapping[str, Callable[[], dict[str, Any]]] | None = None
) -> int:
    """Write the schema files into the directory given (default ``schema``); print their paths."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(args[0] if args else "schema", files):
        print(path)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

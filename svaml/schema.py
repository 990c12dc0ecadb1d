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
import functools
import inspect
import json
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


def _escape(char: str) -> str:
    return char if char.isascii() and char.isalnum() else f"\\u{ord(char):04x}"


@functools.cache
def _folds_to_ascii() -> Mapping[str, tuple[str, ...]]:
    """Map each casefolded ASCII text to the non-ASCII characters that casefold to it.

    The codec compares names and enumerated values with ``str.casefold``, which folds a few
    non-ASCII characters into ASCII letters (the long s, the Kelvin sign, the ligatures
    U+FB00-FB06): the patterns must accept them too.
    """
    found: dict[str, list[str]] = {}
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        folded = char.casefold()
        if folded.isascii():
            found.setdefault(folded, []).append(char)
    return {folded: tuple(chars) for folded, chars in found.items()}


def _casefold_pattern(word: str) -> str:
    """Return the regex (no anchors) of the strings whose ``casefold()`` is ``word.casefold()``.

    A character class per letter, ``[Rr][Uu][Nn]``; a character that folds into several letters
    (the ligature U+FB01 into ``fi``) adds an alternative. Written without ``(?i)``, which not
    every engine has.
    """
    target = word.casefold()
    folds = _folds_to_ascii()

    @functools.cache
    def tail(i: int) -> str:
        if i == len(target):
            return ""
        letter = target[i]
        same = sorted({letter, letter.upper(), *folds.get(letter, ())} - {""})
        single = "".join(_escape(c) for c in same if c.casefold() == letter)
        head = single if len(single) == 1 else f"[{single}]"
        branches = [head + tail(i + 1)]
        for size in range(2, len(target) - i + 1):
            for char in folds.get(target[i : i + size], ()):
                branches.append(_escape(char) + tail(i + size))
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return tail(0)


def _one_of_words(words: Iterable[str]) -> dict[str, Any]:
    """A string that is one of ``words`` in any letter case, as the codec reads names and enums."""
    alternatives = "|".join(_casefold_pattern(w) for w in words)
    return {"type": "string", "pattern": f"^(?:{alternatives}){_END}"}


# -- definitions --------------------------------------------------------------------------------


def _enum(cls: type[enum.Enum]) -> dict[str, Any]:
    schema = _one_of_words(str(m.value) for m in cls)
    if cls is Indications:
        # `false` is Norway in Sinch's OpenAPI file (YAML 1.1); svaml reads it, and "false", as "no".
        return {"anyOf": [schema, {"enum": [False, "false"]}]}
    return schema


def _value(target: Any, converter: Any) -> dict[str, Any]:
    if converter is not None and target is str:
        # A field that converts its value (a menu key): a JSON integer is read as its digits.
        return {"type": ["string", "integer"]}
    if target is bool:
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


def _definition(cls: type[SvamlObject], defs: dict[str, Any]) -> dict[str, Any]:
    attrs.resolve_types(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    properties: dict[str, Any] = {}
    required: list[str] = []
    conditions: list[dict[str, Any]] = []
    tag = cls.__dict__.get("name")
    if isinstance(tag, str):
        properties["name"] = _one_of_words([tag])
        required.append("name")
    for info in field_info(cls):
        field = fields[info.attr]
        if info.kind == "object":
            schema = _ref(info.target)
            _collect(info.target, defs)
        elif info.kind == "objects":
            schema = {"type": "array", "items": _ref(info.target)}
            _collect(info.target, defs)
        elif info.kind == "values":
            schema = {"type": "array", "items": _value(info.target, None)}
        elif info.kind == "enum":
            schema = _enum(info.target)
        else:
            schema = _value(info.target, field.converter)
        if _nullable(field.type):
            schema = {"anyOf": [schema, {"type": "null"}]}
        properties[info.json] = schema
        if info.required and not info.aliases:
            required.append(info.json)
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
        "additionalProperties": True,  # unknown fields are kept, and only a warning
    }
    if required:
        out["required"] = required
    if conditions:
        out["allOf"] = conditions
    return out


def _collect(cls: type[SvamlObject], defs: dict[str, Any]) -> None:
    if cls.__name__ not in defs:
        defs[cls.__name__] = {}  # reserve first: definitions may refer to each other
        defs[cls.__name__] = _definition(cls, defs)


def _union(
    classes: Mapping[str, type[SvamlObject]], allowed: Iterable[str], what: str, defs: dict[str, Any]
) -> dict[str, Any]:
    """A tagged union told apart by ``name`` (in any letter case), as the codec reads it."""
    allowed = set(allowed)
    names = [n for n in classes if n in allowed]
    branches = []
    for name, cls in classes.items():
        _collect(cls, defs)
        if name in allowed:
            branches.append({"if": {"properties": {"name": _one_of_words([name])}}, "then": _ref(cls)})
    return {
        "type": "object",
        "description": f"A SVAML {what}, told apart by its name: {', '.join(names) or 'none allowed'}.",
        "required": ["name"],
        "properties": {"name": _one_of_words(names)},
        "allOf": branches,
    }


def _document_properties() -> dict[str, Any]:
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
        properties[json_name(field)] = {"anyOf": [ref, {"type": "null"}]}
    return properties


def document_schema(callback: Callback | str | None = None) -> dict[str, Any]:
    """Return the JSON Schema of a SVAML document, for one callback or for any.

    For a callback, the action and instruction names are those Sinch allows there.
    """
    cb = None if callback is None else Callback(callback)
    suffix = f"-{cb.value}" if cb is not None else ""
    defs: dict[str, Any] = {}
    actions = [n for n, allowed in ACTIONS_ALLOWED.items() if cb is None or cb in allowed]
    instructions = [n for n, allowed in INSTRUCTIONS_ALLOWED.items() if cb is None or cb in allowed]
    where = f" used as {cb.phrase}" if cb is not None else ""
    return {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}svaml{suffix}.schema.json",
        "title": f"SVAML document{where}",
        "description": _description(Svaml).split("\n\n")[0]
        + " Generated from the svaml model; `svaml lint` checks the documented rules beyond structure.",
        "type": "object",
        "properties": _document_properties(),
        "additionalProperties": True,
        "$defs": {
            "action": _union(ACTION_CLASSES, actions, "action", defs),
            "instruction": _union(INSTRUCTION_CLASSES, instructions, "instruction", defs),
            **defs,
        },
    }


def callout_schema() -> dict[str, Any]:
    """Return the JSON Schema of a callout request body (``POST /calling/v1/callouts``).

    The body is ``{"method": "<name>", "<name>": {...}}``: ``method`` names a callout, spelt as
    Sinch documents it, and the body carries that callout object and no other.
    """
    defs: dict[str, Any] = {}
    _collect(CalloutRequest, defs)
    branches = []
    for method in CALLOUT_CLASSES:
        # SV904: the object `method` names is there, and no other callout object is.
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
        "$id": f"{BASE_URL}callout.schema.json",
        "title": "Sinch Voice callout request",
        "description": _description(CalloutRequest).split("\n\n")[0] + " Generated from the svaml model.",
        "$ref": "#/$defs/CalloutRequest",
        "properties": {"method": {"enum": list(CALLOUT_CLASSES)}},
        "allOf": branches,
        "$defs": defs,
    }


def _variant(callback: Callback) -> Callable[[], dict[str, Any]]:
    return lambda: document_schema(callback)


#: The files ``write_schemas`` writes, by name, and the function that makes each.
FILES: Mapping[str, Callable[[], dict[str, Any]]] = {
    "svaml.schema.json": document_schema,
    **{f"svaml-{cb.value}.schema.json": _variant(cb) for cb in _SVAML_CALLBACKS},
    "callout.schema.json": callout_schema,
}


def dumps(schema: dict[str, Any]) -> str:
    """Return a schema as the text of its file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: str | Path) -> list[Path]:
    """Write every schema file into ``directory`` (made if missing); return their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FILES.items():
        path = out / name
        path.write_text(dumps(make()), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the schema files into the directory given (default ``schema``); print their paths."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(args[0] if args else "schema"):
        print(path)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The JSON Schema (Draft 2020-12) of SVAML documents and callout requests, generated from the model.

Nothing here restates a field: every definition comes from the model classes through
:func:`svaml.codec.field_info`, and the per-callback variants from the permission table. The
schema accepts what svaml reads (names in any letter case, ``callheaders``, integer menu keys,
``"true"`` booleans, ``indications: false``, unknown fields), so it agrees with the structure
diagnostics; the canonical-form warnings and the semantic rules are the validator's.

``python -m svaml.schema DIRECTORY`` writes the files shipped in ``schema/``.
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from svaml.codec import field_info
from svaml.model._fields import SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CalloutRequest
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.model.permissions import ACTIONS_ALLOWED, INSTRUCTIONS_ALLOWED, Callback

__all__ = ["BASE_URL", "FILES", "callout_schema", "document_schema", "main", "write_schemas"]

#: Where the schemas' ``$id``s live.
BASE_URL = "https://svaml.dev/schema/"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SVAML_CALLBACKS = (Callback.ICE, Callback.ACE, Callback.PIE, Callback.PATCH, Callback.CALL_LEG)


def _case_insensitive(word: str) -> str:
    """Return a regex matching ``word`` in any letter case, without ``(?i)`` (not in every engine)."""
    return "^" + "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word) + "$"


def _names(names: list[str]) -> dict[str, Any]:
    return {"type": "string", "anyOf": [{"pattern": _case_insensitive(n)} for n in names]}


def _enum(cls: type[enum.Enum]) -> dict[str, Any]:
    values = [str(m.value) for m in cls]
    schema: dict[str, Any] = {"type": "string", "anyOf": [{"pattern": _case_insensitive(v)} for v in values]}
    if cls.__name__ == "Indications":
        # `false` is Norway in Sinch's OpenAPI file (YAML 1.1); svaml reads it as "no".
        schema = {"anyOf": [schema, {"const": False}]}
    return schema


def _value(target: Any, attr: str) -> dict[str, Any]:
    if attr == "dtmf" and target is str:
        return {"type": ["string", "integer"]}  # a menu key may be a JSON integer (Sinch's examples)
    if target is bool:
        return {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]}
    if target is int:
        return {"type": "integer"}  # 2020-12: 60.0 is an integer too, as svaml reads it
    if target is str:
        return {"type": "string"}
    return {}


def _ref(cls: type) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{cls.__name__}"}


def _definition(cls: type[SvamlObject], defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    tag = cls.__dict__.get("name")
    if isinstance(tag, str):
        properties["name"] = {"type": "string", "pattern": _case_insensitive(tag)}
        required.append("name")
    for f in field_info(cls):
        if f.kind == "object":
            schema = _ref(f.target)
            _collect(f.target, defs)
        elif f.kind == "objects":
            schema = {"type": "array", "items": _ref(f.target)}
            _collect(f.target, defs)
        elif f.kind == "values":
            schema = {"type": "array", "items": _value(f.target, f.attr)}
        elif f.kind == "enum":
            schema = _enum(f.target)
        else:
            schema = _value(f.target, f.attr)
        if not f.required:
            schema = {"anyOf": [schema, {"type": "null"}]} if schema else {}
        properties[f.json] = schema
        for alias in f.aliases:
            properties[alias] = schema
        if f.required:
            required.append(f.json)
    out: dict[str, Any] = {
        "type": "object",
        "description": inspect.cleandoc(cls.__doc__ or cls.__name__).split("\n\n")[0],
        "properties": properties,
    }
    if required:
        out["required"] = required
    aliased = {a: f.json for f in field_info(cls) for a in f.aliases}
    for alias, canonical in aliased.items():
        # The alias stands for the field only when the field itself is absent.
        if canonical in required:
            out["required"] = [r for r in required if r != canonical]
            out["anyOf"] = [{"required": [canonical]}, {"required": [alias]}]
    return out


def _collect(cls: type[SvamlObject], defs: dict[str, Any]) -> None:
    if cls.__name__ not in defs:
        defs[cls.__name__] = {}  # reserve first: definitions may refer to each other
        defs[cls.__name__] = _definition(cls, defs)


def _union(classes: dict[str, type[SvamlObject]], allowed: set[str], defs: dict[str, Any]) -> dict[str, Any]:
    """A tagged union told apart by ``name`` (case-insensitive), like the codec reads it."""
    branches = []
    for name, cls in classes.items():
        _collect(cls, defs)
        if name in allowed:
            branches.append(
                {"if": {"properties": {"name": {"pattern": _case_insensitive(name)}}}, "then": _ref(cls)}
            )
    return {
        "type": "object",
        "required": ["name"],
        "properties": {"name": _names([n for n in classes if n in allowed])},
        "allOf": branches,
    }


def document_schema(callback: Callback | str | None = None) -> dict[str, Any]:
    """Return the JSON Schema of a SVAML document, for one callback or for any."""
    cb = None if callback is None else Callback(callback)
    suffix = f"-{cb.value}" if cb is not None else ""
    defs: dict[str, Any] = {}
    actions = {n for n, allowed in ACTIONS_ALLOWED.items() if cb is None or cb in allowed}
    instructions = {n for n, allowed in INSTRUCTIONS_ALLOWED.items() if cb is None or cb in allowed}
    where = f" used as {cb.phrase}" if cb is not None else ""
    return {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}svaml{suffix}.schema.json",
        "title": f"SVAML document{where}",
        "description": "A Sinch Voice SVAML document: instructions, executed in order, and exactly one "
        "action. Generated from the svaml model; svaml lint checks the documented rules beyond structure.",
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            # null reads as absent, as the codec reads it (the validator then reports a missing action).
            "instructions": {"type": ["array", "null"], "items": {"$ref": "#/$defs/instruction"}},
            "action": {"anyOf": [{"$ref": "#/$defs/action"}, {"type": "null"}]},
        },
        "$defs": {
            "action": _union(dict(ACTION_CLASSES), actions, defs),
            "instruction": _union(dict(INSTRUCTION_CLASSES), instructions, defs),
            **defs,
        },
    }


def callout_schema() -> dict[str, Any]:
    """Return the JSON Schema of a callout request body (``POST /calling/v1/callouts``)."""
    defs: dict[str, Any] = {}
    _collect(CalloutRequest, defs)
    return {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}callout.schema.json",
        "title": "Sinch Voice callout request",
        "description": "The body of POST /calling/v1/callouts. Generated from the svaml model.",
        "$ref": "#/$defs/CalloutRequest",
        "$defs": defs,
    }


#: The files ``write_schemas`` writes, by name.
FILES: dict[str, Callable[[], dict[str, Any]]] = {
    "svaml.schema.json": document_schema,
    **{f"svaml-{cb.value}.schema.json": functools.partial(document_schema, cb) for cb in _SVAML_CALLBACKS},
    "callout.schema.json": callout_schema,
}


def dumps(schema: dict[str, Any]) -> str:
    """Return a schema as the text of its file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: str | Path) -> list[Path]:
    """Write every schema file into ``directory``; return their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FILES.items():
        path = out / name
        path.write_text(dumps(make()), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the schema files into the directory given (default ``schema``)."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(args[0] if args else "schema"):
        print(path)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

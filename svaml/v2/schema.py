"""The JSON Schema (Draft 2020-12) of SVAML v2 documents, generated from the v2 model.

Built with the machinery of :mod:`svaml.schema` (its dialect, ids, enum patterns, value types and
descriptions) over the v2 classes: every definition comes from the model (``attrs`` fields through
:func:`svaml.codec.field_info`), commands from ``COMMAND_CLASSES``, endpoints and messages from
their classes' ``type`` and ``key``. The default schema accepts what the codec reads (enum values in
any case, unknown properties: Sinch's NORMAL validation ignores them); ``strict=True`` closes every
object, as Sinch's STRICT validation and OpenAPI 2.0.58 do. The semantic rules (S2xxx) are the
validator's.

``python -m svaml.v2.schema DIRECTORY`` writes ``svaml-v2.schema.json`` and
``svaml-v2-strict.schema.json``. Importing this module does not import jsonschema.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks: field_info reads the same classes)
from svaml import schema
from svaml.codec import field_info
from svaml.model._fields import SvamlObject
from svaml.rules._v2._limits import schema_keywords
from svaml.schema import _DIALECT, BASE_URL, _description, _enum, _Options, _value
from svaml.v2.document import Svaml2
from svaml.v2.model.commands import COMMAND_CLASSES, Command

__all__ = ["FILES", "document_schema", "main", "write_schemas"]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _is_union(target: Any) -> bool:
    return len(typing.get_args(target)) > 1 and typing.get_origin(target) is not None


class _Builder:
    """Collects the definitions of one schema (open or strict)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.opts = _Options(strict, schema_keywords(), {})
        self.defs: dict[str, Any] = {}

    def target(self, target: Any) -> dict[str, Any]:
        """The schema of a field's object: a class, or a union of commands, endpoints or messages."""
        if target == Command:
            self.commands()
            return _ref("command")
        if _is_union(target):
            members = typing.get_args(target)
            return {"oneOf": [self.cls(m) for m in members]}
        return self.cls(target)

    def commands(self) -> None:
        if "command" in self.defs:
            return
        self.defs["command"] = {}
        branches = [
            {"if": {"properties": {"command": {"const": name}}}, "then": self.cls(cls)}
            for name, cls in COMMAND_CLASSES.items()
        ]
        self.defs["command"] = {
            "type": "object",
            "description": "A SVAML v2 command, told apart by `command`: " + ", ".join(COMMAND_CLASSES) + ".",
            "required": ["command"],
            "properties": {"command": {"enum": list(COMMAND_CLASSES)}},
            "allOf": branches,
        }

    def cls(self, cls: type[SvamlObject]) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # reserve first: definitions refer to each other
            self.defs[name] = self.definition(cls)
        return _ref(name)

    def definition(self, cls: type[SvamlObject]) -> dict[str, Any]:
        attrs.resolve_types(cls)
        fields = {f.name: f for f in attrs.fields(cls)}
        limits = self.opts.keywords.get(cls, {})
        properties: dict[str, Any] = {}
        required: list[str] = []
        tag = cls.__dict__.get("command")
        if isinstance(tag, str):
            properties["command"] = {"const": tag}
            required.append("command")
        for info in field_info(cls):
            field = fields[info.attr]
            if field.metadata.get("key"):
                continue  # the key of its keyed object, not a property
            if info.kind == "object":
                schema = self.target(info.target)
            elif info.kind == "objects" and field.metadata.get("keyed"):
                schema = self.keyed(info.target)
            elif info.kind == "objects":
                schema = {"type": "array", "items": self.target(info.target)}
            elif info.kind == "values":
                item = info.target
                enums = [a for a in typing.get_args(item) if isinstance(a, type) and a is not str]
                if enums:
                    schema = {"type": "array", "items": _enum(enums[0], self.opts)}
                else:
                    schema = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
            elif info.kind == "enum":
                schema = _enum(info.target, self.opts)
            else:
                schema = {**_value(info.target, None, self.opts), **limits.get(info.json, {})}
            if not info.required and not self.strict:
                schema = {"anyOf": [schema, {"type": "null"}]}  # null reads as absent (S2020)
            properties[info.json] = schema
            if info.required:
                required.append(info.json)
            for alias in () if self.strict else info.aliases:  # strict: the canonical name only
                properties[alias] = {
                    "description": f"Read as {info.json!r} when {info.json!r} is absent (S2020)."
                }
        inner: dict[str, Any] = {
            "type": "object",
            "description": _description(cls),
            "properties": properties,
            "additionalProperties": not self.strict,
        }
        aliased = [i for i in field_info(cls) if i.aliases and i.required and not self.strict]
        for info in aliased:
            required.remove(info.json)
            inner.setdefault("allOf", []).append(
                {"anyOf": [{"required": [info.json]}, *({"required": [a]} for a in info.aliases)]}
            )
        if required:
            inner["required"] = required
        wrap_type = cls.__dict__.get("type")
        if not isinstance(wrap_type, str):
            return inner
        key = cls.__dict__["key"]
        self.defs[f"{cls.__name__}Object"] = inner
        return {
            "type": "object",
            "description": f"{wrap_type}: " + _description(cls),
            "required": ["type", key],
            "properties": {"type": {"const": wrap_type}, key: _ref(f"{cls.__name__}Object")},
            "additionalProperties": not self.strict,
        }

    def keyed(self, item: type[SvamlObject]) -> dict[str, Any]:
        """A JSON object keyed by name: menu items, or matches (key → commands)."""
        if any(f.metadata.get("value") for f in attrs.fields(item)):
            self.commands()
            value: dict[str, Any] = {"type": "array", "items": _ref("command")}
        else:
            value = self.cls(item)
        return {"type": "object", "additionalProperties": value}


def document_schema(*, strict: bool = False) -> dict[str, Any]:
    """Return the JSON Schema of a SVAML v2 document; ``strict`` closes every object (Sinch's STRICT)."""
    builder = _Builder(strict)
    document = builder.definition(Svaml2)
    suffix = "-strict" if strict else ""
    return {
        "$schema": _DIALECT,
        "$id": f"{BASE_URL}svaml-v2{suffix}.schema.json",
        "title": "SVAML v2 document" + (" (strict)" if strict else ""),
        "description": "A SVAML v2 document (Sinch Voice API v2): commands run in order. Generated from the "
        "svaml model; `svaml lint` checks the documented rules beyond structure.",
        **{k: v for k, v in document.items() if k != "description"},
        "properties": {
            "$schema": {"description": "The JSON Schema of this document, for editors; Sinch ignores it."},
            **document["properties"],
        },
        "$defs": dict(sorted(builder.defs.items())),
    }


def _strict() -> dict[str, Any]:
    return document_schema(strict=True)


#: The files ``write_schemas`` writes, by name, and the function that makes each.
FILES: Mapping[str, Callable[[], dict[str, Any]]] = {
    "svaml-v2.schema.json": document_schema,
    "svaml-v2-strict.schema.json": _strict,
}


def write_schemas(directory: str | Path) -> list[Path]:
    """Write the v2 schema files into ``directory`` (made if missing); return their paths."""
    return schema.write_schemas(directory, FILES)


def main(argv: list[str] | None = None) -> int:
    """Write the v2 schema files into the directory given (default ``schema``); print their paths."""
    return schema.main(argv, FILES)


if __name__ == "__main__":
    raise SystemExit(main())

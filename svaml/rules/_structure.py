"""Structure rules (SV0xx): what reading a document into the model checks, and the canonical forms.

The codec finds SV001-SV008 while reading; they are registered here with their documentation.
The canonical-form rules (SV02x) compare the document with what svaml would write for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from svaml import codec
from svaml.diagnostic import Edit, Fix, Severity, escape_pointer
from svaml.rules._context import Context
from svaml.rules._registry import Finding, Rule, register, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_OAS = "Sinch Voice API OpenAPI 1.0.1, SVAML schemas"


def _doc(code: str, name: str, severity: Severity, summary: str, doc: str, source: str = _OAS) -> None:
    register(Rule(code=code, name=name, severity=severity, summary=summary, doc=doc, source=source))


_doc(
    "SV000",
    "internal-error",
    _E,
    "svaml could not check the document",
    "A bug in svaml stopped a check. The document may be fine; the error is logged. Please report it.",
    "svaml",
)
_doc(
    "SV001",
    "invalid-json",
    _E,
    "The text is not JSON",
    "Sinch reads SVAML as JSON: a syntax error, a byte that is not UTF-8, NaN or Infinity makes the "
    "whole response unreadable and the call fails (an ICE without a usable answer is disconnected).",
    "DOCS svaml.md; OAS: ICE timeout or error disconnects the call",
)
_doc(
    "SV002",
    "invalid-type",
    _E,
    "A value has the wrong JSON type",
    "Each SVAML field has a type (string, integer, boolean, object, list). A value of another type "
    "is rejected by Sinch. svaml reads the liberal forms Sinch's own material uses (integer menu "
    "keys, `\"true\"` booleans, integral floats) and reports them as canonical-form warnings instead.",
)
_doc(
    "SV003",
    "missing-field",
    _E,
    "A required field is missing",
    "Some fields are required: `say.text`, `playFiles.ids`, `sendDtmf.value`, `setCookie.key` and "
    "`value`, `connectConf.conferenceId`, `connectSip.destination`, `connectStream.destination`, "
    "a menu's `id`, an option's `dtmf` and `action`, a destination's `endpoint`.",
)
_doc(
    "SV004",
    "unknown-action",
    _E,
    "The action's name is not a SVAML action",
    "The actions are hangup, continue, connectPstn, connectMxp, connectConf, connectSip, "
    "connectStream, runMenu and park. Names are matched regardless of case "
    "(see SV020 for the canonical spelling).",
    "DOCS svaml/actions; OAS svaml.action discriminator",
)
_doc(
    "SV005",
    "unknown-instruction",
    _E,
    "An instruction's name is not a SVAML instruction",
    "The instructions are playFiles, say, sendDtmf, setCookie, answer, startRecording and "
    "stopRecording.",
    "DOCS svaml/instructions; OAS svaml.instruction discriminator",
)
_doc(
    "SV006",
    "invalid-value",
    _E,
    "A value is not one of the values the field allows",
    "Enumerated fields (transport, moh, indications, conference DTMF mode, destination type, domain) "
    "take one of a fixed set of values; letter case does not matter when reading.",
)
_doc(
    "SV008",
    "missing-name",
    _E,
    "An action or instruction has no name",
    "Sinch tells actions and instructions apart by their `name`; without it the object is rejected.",
    "OAS svaml.action / svaml.instruction discriminator",
)


@rule(
    "SV007",
    "unknown-field",
    _W,
    summary="A field svaml does not know (a typo, or a field Sinch does not document)",
    source=_OAS,
    target="any",
)
def unknown_field(ctx: Context) -> Iterator[Finding]:
    """Sinch ignores fields it does not know: a misspelt field (``maxduration``) does nothing.

    svaml keeps such fields when it reads and writes a document, so nothing is lost; this warning
    says which ones it does not know.
    """
    if isinstance(ctx.data, Mapping) and ctx.callout is None:
        for key in ctx.data:
            # `$schema` points editors at svaml's JSON Schema; Sinch ignores it.
            if key not in ("instructions", "action", "$schema"):
                yield Finding(ctx.at(key), f"unknown field {key!r} in the SVAML document")
    for where, obj in ctx.walk():
        for key in obj.extras:
            yield Finding(
                f"{where}/{escape_pointer(key)}",
                f"unknown field {key!r} in {type(obj).__name__}; Sinch ignores it",
            )


# -- canonical forms ----------------------------------------------------------------------------


def _differences(ctx: Context) -> list[tuple[str, str, Any, Any]]:
    """(kind, pointer, raw, canonical) for every place where the document is not in canonical form."""
    found: list[tuple[str, str, Any, Any]] | None = ctx.memo.get("canonical")
    if found is not None:
        return found
    found = []
    data = ctx.data
    # Reading counts the non-canonical forms it accepts: none, nothing to compare.
    if (data.__class__ is dict or isinstance(data, Mapping)) and ctx.memo.get("liberal", True):
        pairs: list[tuple[str, Any, Any]] = []
        raw_instructions = data.get("instructions") or []
        for index, obj in ctx.instructions:
            pairs.append((ctx.at("instructions", index), raw_instructions[index], codec.unstructure(obj)))
        if ctx.action is not None:
            pairs.append((ctx.at("action"), data.get("action"), codec.unstructure(ctx.action)))
        if ctx.callout is not None:
            pairs.append((ctx.base, data, codec.unstructure(ctx.callout)))
        for where, raw, canonical in pairs:
            _diff(where, raw, canonical, found)
    ctx.memo["canonical"] = found
    return found


_ALIASES = {"callheaders": "callHeaders", "destination": "destinationUrl"}


def _diff(where: str, raw: Any, canonical: Any, out: list[tuple[str, str, Any, Any]]) -> None:
    if isinstance(raw, Mapping) and isinstance(canonical, Mapping):
        for key, value in raw.items():
            here = f"{where}/{escape_pointer(key)}"
            if key in canonical:
                _diff(here, value, canonical[key], out)
            else:
                new = _ALIASES.get(key)
                if new is not None and new in canonical:
                    out.append(("field-name", here, key, new))
                    _diff(f"{where}/{escape_pointer(new)}", value, canonical[new], out)
        return
    if isinstance(raw, list) and isinstance(canonical, list):
        for index, (a, b) in enumerate(zip(raw, canonical, strict=False)):
            _diff(f"{where}/{index}", a, b, out)
        return
    if raw == canonical and type(raw) is type(canonical):
        return
    if where.endswith("/name"):
        kind = "name"
    elif isinstance(raw, int) and not isinstance(raw, bool) and isinstance(canonical, str):
        kind = "dtmf-key"
    elif isinstance(raw, str) and isinstance(canonical, bool):
        kind = "boolean"
    elif raw is False and canonical == "no":
        kind = "norway"
    elif isinstance(raw, str) and isinstance(canonical, str):
        kind = "enum-case"
    else:
        kind = "number"
    out.append((kind, where, raw, canonical))


def _replace(where: str, raw: Any, canonical: Any, what: str) -> Finding:
    return Finding(
        where,
        f"{what} {raw!r} is not the canonical form; write {canonical!r}",
        Fix(description=f"write {canonical!r}", edits=(Edit(op="replace", path=where, value=canonical),)),
    )


def _forms(ctx: Context, kind: str) -> Iterator[tuple[str, Any, Any]]:
    for k, where, raw, canonical in _differences(ctx):
        if k == kind:
            yield where, raw, canonical


_FORMS = "the reference's policy table: liberal in what svaml reads, canonical in what it writes"


@rule(
    "SV020",
    "noncanonical-name",
    _W,
    summary="An action or instruction name in another letter case than Sinch's camelCase",
    source="OAS customCallout.ace example (RunMenu); DOCS voice-recording (connectMXP); " + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def noncanonical_name(ctx: Context) -> Iterator[Finding]:
    """Names are camelCase (``runMenu``); other casings are read but not canonical.

    Sinch's material shows ``RunMenu``, ``connectMXP`` and all-lower-case names; the platform
    appears to match names regardless of case. Fixed by writing the canonical name.
    """
    for where, raw, canonical in _forms(ctx, "name"):
        yield _replace(where, raw, canonical, "name")


@rule(
    "SV021",
    "noncanonical-field-name",
    _W,
    summary="A field spelt as some Sinch sources spell it (callheaders, destination), not canonically",
    source="OAS schema `callheaders` vs OAS example `callHeaders`; OAS startRecording example; " + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def noncanonical_field_name(ctx: Context) -> Iterator[Finding]:
    """A field spelt as one Sinch source spells it is read under its canonical name.

    ``connectMxp.callheaders`` (OpenAPI schema, Java and .NET SDKs) is read as ``callHeaders``,
    and ``startRecording`` ``destination`` (one OpenAPI example) as ``destinationUrl``. Fixed by
    renaming the field.
    """
    for where, raw, canonical in _forms(ctx, "field-name"):
        parent = where.rsplit("/", 1)[0]
        new = f"{parent}/{escape_pointer(canonical)}"
        yield Finding(
            where,
            f"field {raw!r} is read as {canonical!r}, its canonical name",
            Fix(
                description=f"rename {raw!r} to {canonical!r}",
                edits=(Edit(op="move", path=new, from_=where),),
            ),
        )


@rule(
    "SV022",
    "integer-dtmf-key",
    _W,
    summary="A menu option's DTMF key written as a JSON integer",
    source="OAS runMenu example and Sinch skill examples use integers; OAS schema says string; " + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def integer_dtmf_key(ctx: Context) -> Iterator[Finding]:
    """The schema types ``dtmf`` as a string (``"1"``); Sinch's examples use ``1``. Fixed by quoting it."""
    for where, raw, canonical in _forms(ctx, "dtmf-key"):
        yield _replace(where, raw, canonical, "DTMF key")


@rule(
    "SV023",
    "noncanonical-enum-case",
    _W,
    summary="An enumerated value in another letter case (Sip, tls, Username)",
    source="OAS example, skill and Node SDK test use `Sip` and `tls`; OAS schema `sip`, `TLS`; " + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def noncanonical_enum_case(ctx: Context) -> Iterator[Finding]:
    """Enumerated values are read regardless of case; the canonical forms are those of the schema."""
    for where, raw, canonical in _forms(ctx, "enum-case"):
        yield _replace(where, raw, canonical, "value")


@rule(
    "SV024",
    "indications-false",
    _W,
    summary="`indications: false` for Norway",
    source="OAS and Java SDK carry `false` (a YAML 1.1 accident) where Python SDK has `no`; " + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def indications_false(ctx: Context) -> Iterator[Finding]:
    """``indications: false`` means Norway; the canonical value is ``"no"``.

    Sinch's OpenAPI file lists ``false`` among the ``indications`` countries: YAML 1.1 read
    ``no`` (Norway) as a boolean. svaml reads ``false`` as ``no``; fixed by writing ``"no"``.
    """
    for where, raw, canonical in _forms(ctx, "norway"):
        yield _replace(where, raw, canonical, "indications")


@rule(
    "SV025",
    "string-boolean",
    _W,
    summary='A boolean written as the string "true" or "false"',
    source='OAS AMD custom callout example writes `"enabled": "true"`; ' + _FORMS,
    fixable=True,
    raw=True,
    target="any",
)
def string_boolean(ctx: Context) -> Iterator[Finding]:
    """Boolean fields such as ``amd.enabled`` are JSON booleans; one Sinch example quotes them."""
    for where, raw, canonical in _forms(ctx, "boolean"):
        yield _replace(where, raw, canonical, "boolean")


@rule(
    "SV026",
    "integral-float",
    _W,
    summary="An integer field written as a number with a fraction part (60.0)",
    source=_OAS,
    fixable=True,
    raw=True,
    target="any",
)
def integral_float(ctx: Context) -> Iterator[Finding]:
    """Integer fields (``maxDuration``, ``timeoutMills``…) are JSON integers; ``60.0`` reads as ``60``."""
    for where, raw, canonical in _forms(ctx, "number"):
        yield _replace(where, raw, canonical, "number")

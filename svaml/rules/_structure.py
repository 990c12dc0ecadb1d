"""Structure rules (SV0xx): what reading a document into the model checks, and the canonical forms.

The JSON policy finds SV001, SV103 and SV104 and the codec SV002-SV005 and SV008 while reading; they
are registered here with their documentation. SV006 checks the values the codec keeps as text
because they are outside an enum.
The canonical-form rules (SV02x) compare the document with what svaml would write for it.
"""

from __future__ import annotations

import typing
from collections.abc import Container, Iterator, Mapping
from typing import Any

from svaml import _json, codec
from svaml.diagnostic import Applicability, Edit, Fix, Severity, escape_pointer
from svaml.model._fields import SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import SEEN_OUTSIDE_SCHEMA, CalloutRequest
from svaml.model.document import Document
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.rules._context import Context
from svaml.rules._registry import Example, Finding, rule
from svaml.rules._validate import is_callout

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_OAS = "Sinch Voice API OpenAPI 1.0.1, SVAML schemas"


_BY_READING = "reading into the model"


def _hangup_after(instruction: dict[str, Any]) -> dict[str, Any]:
    """An example document: one instruction, then hangup."""
    return {"instructions": [instruction], "action": {"name": "hangup"}}


@rule(
    "SV000",
    "internal-error",
    _E,
    summary="svaml could not check the document",
    source="svaml",
    example=None,
    found_by="svaml itself, when one of its checks fails",
)
def internal_error() -> None:
    """A bug in svaml stopped a check. The document may be fine; the error is logged. Please report it."""


@rule(
    "SV001",
    "invalid-json",
    _E,
    summary="The text is not JSON (or Python data holds a value JSON cannot carry)",
    source="DOCS svaml.md; OAS: ICE timeout or error disconnects the call",
    example=Example(text='{"action": {"name": "hangup"},}', fixed={"action": {"name": "hangup"}}),
    found_by="decoding the JSON text, or holding Python data to the JSON policy",
)
def invalid_json() -> None:
    """Write SVAML as JSON text.

    Sinch reads SVAML as JSON: a syntax error, a byte that is not UTF-8, NaN or Infinity makes the
    whole response unreadable and the call fails (an ICE without a usable answer is disconnected).
    A text over the size limit (10 MiB by default) is refused before it is decoded. Python data
    given in place of decoded JSON is held to the same policy: a set, bytes, a datetime, NaN, an
    integer of more than 4,300 digits or a key that is not a string is reported at its JSON pointer
    (see docs/limits.md). Nothing else is checked in a document that is not JSON.
    """


@rule(
    "SV002",
    "invalid-type",
    _E,
    summary="A value has the wrong JSON type",
    source=_OAS,
    example=Example(
        text={"action": {"name": "connectPstn", "number": "+46701234567", "maxDuration": "60 seconds"}},
        fixed={"action": {"name": "connectPstn", "number": "+46701234567", "maxDuration": 60}},
    ),
    found_by=_BY_READING,
)
def invalid_type() -> None:
    """Give each field a value of its JSON type.

    Each SVAML field has a type (string, integer, boolean, object, list). A value of another type
    is rejected by Sinch. svaml reads the liberal forms Sinch's own material uses (integer menu
    keys, `"true"` booleans, integral floats) and reports them as canonical-form warnings instead.
    """


@rule(
    "SV003",
    "missing-field",
    _E,
    summary="A required field is missing",
    source=_OAS,
    example=Example(
        text=_hangup_after({"name": "say", "locale": "en-US"}),
        fixed=_hangup_after({"name": "say", "text": "Hello", "locale": "en-US"}),
    ),
    fix=Applicability.SAFE,
    found_by=_BY_READING,
)
def missing_field() -> None:
    """Give every required field.

    Some fields are required: `say.text`, `playFiles.ids`, `sendDtmf.value`, `setCookie.key` and
    `value`, `connectConf.conferenceId`, `connectSip.destination`, `connectStream.destination`,
    a menu's `id`, an option's `dtmf` and `action`, a destination's `endpoint`.

    When the object holds an unknown key one edit away from the missing field (`txt` for
    `text`), that is one mistake, reported once: on the misspelt key, with renaming it as a
    safe fix (not again as SV007).
    """


@rule(
    "SV004",
    "unknown-action",
    _E,
    summary="The action's name is not a SVAML action",
    source="DOCS svaml/actions; OAS svaml.action discriminator",
    example=Example(text={"action": {"name": "transfer"}}),
    found_by=_BY_READING,
)
def unknown_action() -> None:
    """Name an action that SVAML has.

    The actions are hangup, continue, connectPstn, connectMxp, connectConf, connectSip,
    connectStream, runMenu and park. Names are matched regardless of case
    (see SV020 for the canonical spelling).
    """


@rule(
    "SV005",
    "unknown-instruction",
    _E,
    summary="An instruction's name is not a SVAML instruction",
    source="DOCS svaml/instructions; OAS svaml.instruction discriminator",
    example=Example(
        text=_hangup_after({"name": "playAudio", "ids": ["welcome"]}),
        fixed=_hangup_after({"name": "playFiles", "ids": ["welcome"]}),
    ),
    found_by=_BY_READING,
)
def unknown_instruction() -> None:
    """Name an instruction that SVAML has.

    The instructions are playFiles, say, sendDtmf, setCookie, answer, startRecording and
    stopRecording.
    """


def _enum_fields() -> dict[type, tuple[tuple[str, str, str], ...]]:
    """(attribute, JSON name, allowed values) of the enumerated fields of every class a document holds."""
    found: dict[type, tuple[tuple[str, str, str], ...]] = {}
    for cls in codec.classes_below(*ACTION_CLASSES.values(), *INSTRUCTION_CLASSES.values(), CalloutRequest):
        enums = tuple(
            (i.attr, i.json, ", ".join(str(m.value) for m in i.target))
            for i in codec.field_info(cls)
            if i.kind == "enum"
        )
        if enums:
            found[cls] = enums
    return found


_ENUM_FIELDS = _enum_fields()
_ENUM_CLASSES = tuple(_ENUM_FIELDS)


@rule(
    "SV006",
    "invalid-value",
    _E,
    summary="A value is not one of the values the field allows",
    source=_OAS,
    targets=("svaml", "callout"),
    kinds=_ENUM_CLASSES,
    example=Example(
        text={"action": {"name": "connectConf", "conferenceId": "team", "moh": "jazz"}},
        fixed={"action": {"name": "connectConf", "conferenceId": "team", "moh": "music1"}},
    ),
)
def invalid_value(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Give enumerated fields one of their values.

    The enumerated fields are transport, moh, indications, conference DTMF mode, destination type,
    domain and mohClass; letter case does not matter when reading. svaml reads a value outside the
    set and writes it back unchanged (Sinch may add values, and its SDKs keep them), but Sinch
    rejects a value it does not know.
    """
    for attr, key, allowed in _ENUM_FIELDS[obj.__class__]:
        value = getattr(obj, attr)
        if value.__class__ is str:
            yield Finding(f"{where}/{key}", f"expected one of {allowed}, got {value!r}")


@rule(
    "SV008",
    "missing-name",
    _E,
    summary="An action or instruction has no name",
    source="OAS svaml.action / svaml.instruction discriminator",
    example=Example(
        text=_hangup_after({"text": "Goodbye", "locale": "en-US"}),
        fixed=_hangup_after({"name": "say", "text": "Goodbye", "locale": "en-US"}),
    ),
    found_by=_BY_READING,
)
def missing_name() -> None:
    """Sinch tells actions and instructions apart by their `name`; without it the object is rejected."""


@rule(
    "SV007",
    "unknown-field",
    _W,
    summary="A field svaml does not know (a typo, or a field Sinch does not document)",
    source=_OAS,
    targets=("svaml", "callout"),
    fix=Applicability.SAFE,
    at_key=True,
    example=Example(
        text={"action": {"name": "connectPstn", "number": "+46701234567", "maxduration": 600}},
        fixed={"action": {"name": "connectPstn", "number": "+46701234567", "maxDuration": 600}},
    ),
)
def unknown_field(data: object, base: str, ctx: Context) -> Iterator[Finding]:
    """Sinch ignores fields it does not know: a misspelt field (``maxduration``) does nothing.

    svaml keeps such fields when it reads and writes a document, so nothing is lost; this warning
    says which ones it does not know, on the key itself. When the key is one edit away from a field
    the object can hold (a letter missing, added, changed or two letters swapped), or differs from
    it only in letter case, the warning says *did you mean* that field, and renaming the key is a
    safe fix. When several fields are equally close (``aice`` is one edit from a customCallout's
    ``ice``, ``ace`` and ``dice``; ``enableDce`` from ``enableAce`` and ``enableDice``), all are
    named and there is no fix. A field the object already has is never suggested.
    """
    if not isinstance(ctx.data, Mapping):
        return
    root: type[SvamlObject] = CalloutRequest if is_callout(ctx.data) else Document
    # The usual case: every object read, none kept an unknown field, no unknown key at the top.
    known = _known(root)[0]
    if (
        not ctx.memo.get("unread", False)
        and all(key in known for key in ctx.data)
        and not any(obj.extras for _, obj in ctx.objects())
    ):
        return
    seen = SEEN_OUTSIDE_SCHEMA if root is CalloutRequest else {}
    yield from _unknown_keys(ctx.data, root, ctx.base, "", seen)


def _unknown_keys(
    data: Mapping[Any, Any],
    cls: type[SvamlObject],
    where: str,
    label: str,
    seen: Mapping[type, Mapping[str, str]],
) -> Iterator[Finding]:
    """The unknown keys of ``data`` read as ``cls``, and of the objects below it, in document order.

    ``seen`` says where Sinch's material shows keys that are in no schema.
    """
    known, infos = _known(cls)
    label = _label(cls, label)
    for key, value in data.items():
        here = f"{where}/{escape_pointer(key)}"
        info = infos.get(key)
        if info is None:
            if key not in known:
                origin = seen.get(cls, {}).get(key) if isinstance(key, str) else None
                if origin is not None:
                    yield Finding(
                        here,
                        f"unknown field {key!r} in {label}: Sinch's schema has no such field (it appears "
                        f"in {origin}); Sinch ignores it",
                    )
                else:
                    yield _unknown(here, key, cls, data, label)
            continue
        below = f"{label}.{info.json}"
        if info.kind == "object" and isinstance(value, Mapping):
            target = _member(info.target, value)
            if target is not None:
                yield from _unknown_keys(value, target, here, below, seen)
        elif info.kind == "objects" and isinstance(value, list):
            for index, item in enumerate(value):
                target = _member(info.target, item) if isinstance(item, Mapping) else None
                if target is not None:
                    yield from _unknown_keys(item, target, f"{here}/{index}", below, seen)


def _label(cls: type[SvamlObject], label: str) -> str:
    """What a message calls an object: its SVAML name (``connectPstn``), or the path of fields to it."""
    name = getattr(cls, "name", None) or getattr(cls, "method", None)
    if isinstance(name, str):
        return name
    if cls is Document:
        return "the SVAML document"
    if cls is CalloutRequest:
        return "the callout request"
    return label


def _member(target: Any, value: Mapping[Any, Any]) -> type[SvamlObject] | None:
    """The model class ``value`` reads as: ``target``, or the member of a tagged union its name picks."""
    members = typing.get_args(target)
    if not members:
        return typing.cast("type[SvamlObject]", target)
    name = value.get("name")
    if not isinstance(name, str):
        return None
    folded = name.casefold()
    return next((m for m in members if str(getattr(m, "name", "")).casefold() == folded), None)


_KNOWN: dict[type, tuple[frozenset[str], dict[str, codec.FieldInfo]]] = {}


def _known(cls: type[SvamlObject]) -> tuple[frozenset[str], dict[str, codec.FieldInfo]]:
    """The keys an object of ``cls`` may hold, and the field of each JSON name and alias (from the codec)."""
    found = _KNOWN.get(cls)
    if found is None:
        infos = {key: i for i in codec.field_info(cls) for key in (i.json, *i.aliases)}
        extra = {"name"} if isinstance(getattr(cls, "name", None), str) else set()
        if cls is Document:
            extra.add("$schema")  # points editors at svaml's JSON Schema; Sinch ignores it
        found = _KNOWN[cls] = (frozenset(infos) | extra, infos)
    return found


def _unknown(where: str, key: object, cls: type[SvamlObject], data: Mapping[Any, Any], label: str) -> Finding:
    text = f"{key!r}" if isinstance(key, str) else repr(key)
    guesses = suggestions(str(key), cls, present=data) if isinstance(key, str) else ()
    if not guesses:
        return Finding(where, f"unknown field {text} in {label}; Sinch ignores it")
    if len(guesses) > 1:
        names = " or ".join(repr(g) for g in guesses)
        return Finding(where, f"unknown field {text} in {label}; did you mean {names}? Sinch ignores it")
    guess = guesses[0]
    parent = where.rsplit("/", 1)[0]
    fix = Fix(
        description=f"rename {key!r} to {guess!r}",
        edits=(Edit(op="move", path=f"{parent}/{escape_pointer(guess)}", from_=where),),
        applicability=Applicability.SAFE,
    )
    return Finding(where, f"unknown field {text} in {label}; did you mean {guess!r}? Sinch ignores it", fix)


def suggestions(key: str, cls: type[SvamlObject], present: Container[object] = ()) -> tuple[str, ...]:
    """The fields of ``cls`` that ``key`` is likely a slip for, closest first (none when it is far from all).

    A field whose name differs from ``key`` only in letter case wins; otherwise every field one
    edit away (ignoring case): one letter missing, added or changed, or two neighbours swapped.
    Fields already in ``present`` (the keys of the object) are left out. Names come from the
    codec, never from a list of their own.
    """
    folded = key.casefold()
    fields = [
        i.json
        for i in codec.field_info(cls)
        if i.json not in present and not any(alias in present for alias in i.aliases)
    ]
    same = [f for f in fields if f.casefold() == folded]
    if same:
        return tuple(same)
    return tuple(f for f in fields if _one_edit(folded, f.casefold()))


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


# -- canonical forms ----------------------------------------------------------------------------


def _differences(ctx: Context) -> list[tuple[str, str, Any, Any]]:
    """(kind, pointer, raw, canonical) for every place where the document is not in canonical form."""
    found: list[tuple[str, str, Any, Any]] | None = ctx.memo.get("canonical")
    if found is not None:
        return found
    found = []
    data = ctx.data
    # The codec says whether any part was read in a liberal form: none, nothing to compare.
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


def _shown(value: Any) -> str:
    """A value in a message: text quoted, anything else in JSON's words (``true``, not ``True``)."""
    return repr(value) if isinstance(value, str) else _json.dumps(value)


def _replace(where: str, raw: Any, canonical: Any, what: str) -> Finding:
    return Finding(
        where,
        f"{what} {_shown(raw)} is not the canonical form; write {_shown(canonical)}",
        Fix(
            description=f"write {_shown(canonical)}",
            edits=(Edit(op="replace", path=where, value=canonical),),
            applicability=Applicability.SAFE,
        ),
    )


def _rename(where: str, raw: Any, canonical: Any, what: str) -> Finding:
    parent = where.rsplit("/", 1)[0]
    new = f"{parent}/{escape_pointer(canonical)}"
    return Finding(
        where,
        f"{what} {raw!r} is read as {canonical!r}, its canonical name",
        Fix(
            description=f"rename {raw!r} to {canonical!r}",
            edits=(Edit(op="move", path=new, from_=where),),
            applicability=Applicability.SAFE,
        ),
    )


_FORMS = "the reference's policy table: liberal in what svaml reads, canonical in what it writes"


def _canonical_form_rule(
    code: str,
    name: str,
    kind: str,
    what: str,
    summary: str,
    source: str,
    doc: str,
    broken: dict[str, Any],
    fixed: dict[str, Any],
    callback: str | None = None,
) -> None:
    """Register the rule that reports one kind of difference from the canonical form, with its fix."""
    finding = _rename if kind == "field-name" else _replace

    def check(data: object, base: str, ctx: Context) -> Iterator[Finding]:
        for k, where, raw, canonical in _differences(ctx):
            if k == kind:
                yield finding(where, raw, canonical, what)

    check.__doc__ = doc
    rule(
        code,
        name,
        _W,
        summary=summary,
        source=f"{source}; {_FORMS}",
        example=Example(text=broken, fixed=fixed, callback=callback),
        fix=Applicability.SAFE,
        raw=True,
        targets=("svaml", "callout"),
    )(check)


def _pstn(**fields: Any) -> dict[str, Any]:
    return {"action": {"name": "connectPstn", "number": "+46701234567", **fields}}


def _menu_key(key: object) -> dict[str, Any]:
    menu = {"id": "main", "options": [{"dtmf": key, "action": "return(sales)"}]}
    return {"action": {"name": "runMenu", "locale": "en-US", "menus": [menu]}}


def _sip(type_: str) -> dict[str, Any]:
    destination = {"type": type_, "endpoint": "alice@sip.example.com"}
    return {"action": {"name": "connectSip", "destination": destination}}


def _mxp(headers: str) -> dict[str, Any]:
    destination = {"type": "username", "endpoint": "alice"}
    action = {"name": "connectMxp", "destination": destination, headers: [{"key": "ticket", "value": "42"}]}
    return {"action": action}


# (code, name, kind of difference, what the message calls it, summary, source, doc, the example
# that breaks it, its fixed form[, its callback])
for _args in (
    (
        "SV020",
        "noncanonical-name",
        "name",
        "name",
        "An action or instruction name in another letter case than Sinch's camelCase",
        "OAS customCallout.ace example (RunMenu); DOCS voice-recording (connectMXP)",
        """Names are camelCase (``runMenu``); other casings are read but not canonical.

        Sinch's material shows ``RunMenu``, ``connectMXP`` and all-lower-case names; the platform
        appears to match names regardless of case. Fixed by writing the canonical name.""",
        {"action": {"name": "Hangup"}},
        {"action": {"name": "hangup"}},
    ),
    (
        "SV021",
        "noncanonical-field-name",
        "field-name",
        "field",
        "A field spelt as some Sinch sources spell it (callheaders, destination), not canonically",
        "OAS schema `callheaders` vs OAS example `callHeaders`; OAS startRecording example",
        """A field spelt as one Sinch source spells it is read under its canonical name.

        ``connectMxp.callheaders`` (OpenAPI schema, Java and .NET SDKs) is read as ``callHeaders``,
        and ``startRecording`` ``destination`` (one OpenAPI example) as ``destinationUrl``. Fixed by
        renaming the field.""",
        _mxp("callheaders"),
        _mxp("callHeaders"),
    ),
    (
        "SV022",
        "integer-dtmf-key",
        "dtmf-key",
        "DTMF key",
        "A menu option's DTMF key written as a JSON integer",
        "OAS runMenu example and Sinch skill examples use integers; OAS schema says string",
        """The schema types ``dtmf`` as a string (``"1"``); Sinch's examples use ``1``.

        Fixed by quoting it.""",
        _menu_key(1),
        _menu_key("1"),
    ),
    (
        "SV023",
        "noncanonical-enum-case",
        "enum-case",
        "value",
        "An enumerated value in another letter case (Sip, tls, Username)",
        "OAS example, skill and Node SDK test use `Sip` and `tls`; OAS schema `sip`, `TLS`",
        """Enumerated values are read regardless of case; the canonical forms are those of the schema.""",
        _sip("Sip"),
        _sip("sip"),
    ),
    (
        "SV024",
        "indications-false",
        "norway",
        "indications",
        "`indications: false` for Norway",
        "OAS and Java SDK carry `false` (a YAML 1.1 accident) where Python SDK has `no`",
        """``indications: false`` means Norway; the canonical value is ``"no"``.

        Sinch's OpenAPI file lists ``false`` among the ``indications`` countries: YAML 1.1 read
        ``no`` (Norway) as a boolean. svaml reads ``false`` as ``no``; fixed by writing ``"no"``.""",
        _pstn(indications=False),
        _pstn(indications="no"),
    ),
    (
        "SV025",
        "string-boolean",
        "boolean",
        "boolean",
        'A boolean written as the string "true" or "false"',
        'OAS AMD custom callout example writes `"enabled": "true"`',
        """Boolean fields such as ``amd.enabled`` are JSON booleans; one Sinch example quotes them.""",
        _pstn(amd={"enabled": "true"}),
        _pstn(amd={"enabled": True}),
        "ice",
    ),
    (
        "SV026",
        "integral-float",
        "number",
        "number",
        "An integer field written as a number with a fraction part (60.0)",
        _OAS,
        """Integer fields (``maxDuration``, ``timeoutMills``…) are JSON integers.

        ``60.0`` is read as ``60``; fixed by writing the integer.""",
        _pstn(maxDuration=600.0),
        _pstn(maxDuration=600),
    ),
):
    _canonical_form_rule(*_args)

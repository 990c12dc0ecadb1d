"""SVAML v2 structure rules (S20xx): what reading a v2 document finds, unknown properties, canonical form.

The codes mirror v1's (SV002 invalid type ↔ S2002 …): ``--select S2`` picks every v2 rule, ``SV``
every v1 rule, and the group digit means the same in both (0 structure, 3 order and handlers, 5
limits, 7 menus, 8 voices, 9 requests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from svaml import codec
from svaml.diagnostic import Severity, escape_pointer
from svaml.model._fields import SvamlObject
from svaml.rules._registry import Example, Finding, Target, rule
from svaml.rules._v2._context import Context2, inside
from svaml.rules._v2._examples import dial, doc
from svaml.v2.codec import V2_CLASSES, suggest
from svaml.v2.model.commands import AmdEvents, CallEvents, MessagesEvents, RecordingEvents
from svaml.v2.model.document import USE_FIELDS, DocumentEvents, Use

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_OAS = "Sinch Voice API v2 OpenAPI 2.0.58"
_BY_READING = "reading into the v2 model"
_V2: tuple[Target] = ("svaml2",)


@rule(
    "S2002",
    "v2-invalid-type",
    _E,
    summary="A v2 value has the wrong JSON type",
    source=f"{_OAS}, svamlCommand schemas",
    targets=_V2,
    example=Example(
        text=doc({"command": "pause", "durationMilliseconds": "500"}),
        fixed=doc({"command": "pause", "durationMilliseconds": 500}),
    ),
    found_by=_BY_READING,
)
def v2_invalid_type() -> None:
    """Give each v2 field a value of its JSON type.

    Every field of a v2 command has a type (string, integer, boolean, object, list); Sinch
    rejects a value of another type. An integral float (``500.0``) reads as an integer, with a
    canonical-form warning (S2020).
    """


@rule(
    "S2003",
    "v2-missing-field",
    _E,
    summary="A required v2 field is missing",
    source=f"{_OAS}: required properties of svamlInput and each command",
    targets=_V2,
    example=Example(
        text=doc({"command": "dial", "callName": "agent"}),
        fixed=doc(dial(callName="agent")),
    ),
    found_by=_BY_READING,
)
def v2_missing_field() -> None:
    """Give every required field.

    Required: the document's ``commands``; ``dial.to``; ``messages.messages``;
    ``stopMessages.messagesName``; ``webhook.webhookName`` and ``url``; ``pause.durationMilliseconds``;
    ``startRecording.recordingOptions`` with its ``destination``, ``destinationUrl`` and
    ``credentials``; ``stopRecording.recordingName``; ``bridgeCall.bridgeName``; ``menu.startMenu``
    and ``menus``; ``gotoMenu.menuName``; a SAY's ``text`` and ``voiceName``; a PLAY's ``url``; a
    prompt's ``messages``; an endpoint's ``type`` and its object (``phone``, ``sip``…) with its
    ``number`` or ``endpoint``; a voice relay's ``ttsVoice`` and ``sttLanguage``.
    """


@rule(
    "S2004",
    "unknown-command",
    _E,
    summary="A command's `command` is not one of the 13 v2 commands",
    source=f'{_OAS}: svamlCommand discriminator "command"; validate errors "Unknown command \'test\'."',
    targets=_V2,
    example=Example(text=doc({"command": "Say", "text": "Hello"})),
    found_by=_BY_READING,
)
def unknown_command() -> None:
    """Name one of the v2 commands, spelt exactly.

    The commands are dial, messages, stopMessages, webhook, amd, hangup, answer, pause,
    startRecording, stopRecording, bridgeCall, menu and gotoMenu. The discriminator is case-
    sensitive (``Dial`` is unknown); svaml suggests the closest command. v1 names (``say``,
    ``connectPstn``) are not v2 commands: speak with ``messages`` and call with ``dial``.
    """


@rule(
    "S2005",
    "unknown-type",
    _E,
    summary="An endpoint's or a message's `type` is not one v2 has there",
    source=f"{_OAS}: endpoint (PHONE, SIP, STREAM, VOICE_RELAY) and message (SAY, PLAY) discriminators",
    targets=_V2,
    example=Example(
        text=doc({**dial(), "from": {"type": "STREAM", "stream": {"endpoint": "wss://media.example.com"}}}),
    ),
    found_by=_BY_READING,
)
def unknown_type() -> None:
    """Use an endpoint or message type v2 has, where it has it.

    ``to`` is PHONE, SIP, STREAM or VOICE_RELAY; ``from`` only PHONE or SIP (a stream or a voice
    relay is a destination only); a message is SAY or PLAY. Each is written wrapped,
    ``{"type": "PHONE", "phone": {"number": …}}``.
    """


def _enum_fields() -> dict[type, tuple[tuple[str, str, str], ...]]:
    found: dict[type, tuple[tuple[str, str, str], ...]] = {}
    for cls in V2_CLASSES:
        enums = tuple(
            (i.attr, i.json, ", ".join(str(m.value) for m in i.target))
            for i in codec.field_info(cls)
            if i.kind == "enum"
        )
        if enums:
            found[cls] = enums
    return found


_ENUMS = _enum_fields()


@rule(
    "S2006",
    "v2-invalid-value",
    _E,
    summary="A v2 value is not one of the values the field allows",
    source=f"{_OAS}: enums of format, recordingType, destination, transport, codec, inputMethods",
    targets=_V2,
    kinds=sorted(_ENUMS, key=lambda c: c.__name__),
    example=Example(
        text=doc(dial(to={"type": "SIP", "sip": {"endpoint": "sip:alice@acme.com", "transport": "QUIC"}})),
        fixed=doc(dial(to={"type": "SIP", "sip": {"endpoint": "sip:alice@acme.com", "transport": "TLS"}})),
    ),
)
def v2_invalid_value(obj: SvamlObject, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give enumerated fields one of their values.

    svaml reads a value outside the set and writes it back unchanged (Sinch may add values), but
    the platform rejects a value it does not know. Letter case does not matter when reading
    (S2020 reports the spelling).
    """
    for attr, key, allowed in _ENUMS[obj.__class__]:
        value = getattr(obj, attr)
        values = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(values):
            if item.__class__ is str:
                at = f"{where}/{key}" + (f"/{index}" if isinstance(value, tuple) else "")
                yield Finding(at, f"expected one of {allowed}, got {item!r}")


_EVENTS: Mapping[type, str] = {
    CallEvents: "dial",
    MessagesEvents: "messages",
    AmdEvents: "amd",
    RecordingEvents: "startRecording",
    DocumentEvents: "the document",
}


def _handler_names(cls: type) -> list[str]:
    return [i.json for i in codec.field_info(cls)]


def _is_handler_like(key: Any, cls: type) -> bool:
    return cls in _EVENTS and isinstance(key, str) and key.startswith("on")


@rule(
    "S2007",
    "unknown-property",
    _W,
    summary="A property v2 does not define (an error in strict mode)",
    source=f"{_OAS}: every command schema additionalProperties false; validateSvaml validationType "
    "NORMAL ignores unknown properties, STRICT reports them",
    targets=_V2,
    example=Example(
        text=doc({"command": "stopMessages", "messagesName": "welcome", "flags": "ONLY_PLAYING"}),
        fixed=doc({"command": "stopMessages", "messagesName": "welcome"}),
    ),
)
def unknown_property(data: Any, base: str, ctx: Context2) -> Iterator[Finding]:
    """Write only the properties v2 defines.

    Every v2 schema is closed. Sinch's NORMAL validation (the default, and what the platform does
    with a call) ignores an unknown property; its STRICT validation reports it. svaml keeps the
    property (it reads and writes back unchanged) and warns; ``strict=True`` (``svaml lint
    --strict``) makes it an error. SDK-only forms land here: ``stopMessages.flags`` (Sinch's Node
    and Python SDKs; not in OpenAPI 2.0.58). A top-level field that does not belong where the
    document is used (``callName`` in a create-call request) is S2010; a handler a command does
    not have is S2301.
    """
    # One pass over the objects (most have no unknown property), rather than a check per object.
    for where, obj in ctx.objects():
        wrapper = getattr(obj, "wrapper", None)
        if obj.extras or wrapper:
            yield from _unknown(obj, where, wrapper)


def _unknown(obj: SvamlObject, where: str, wrapper: Mapping[str, Any] | None) -> Iterator[Finding]:
    known = [i.json for i in codec.field_info(obj.__class__)]
    inner = inside(where, obj)
    for key in obj.extras:
        if _is_handler_like(key, obj.__class__):
            continue
        hint = suggest(str(key), known, cutoff=0.8) if known else ""
        yield Finding(f"{inner}/{escape_pointer(key)}", f"unknown property {key!r}: Sinch ignores it{hint}")
    for key in wrapper or ():
        yield Finding(
            f"{where}/{escape_pointer(key)}", f"unknown property {key!r} beside 'type'; Sinch ignores it"
        )


@rule(
    "S2008",
    "missing-command",
    _E,
    summary="An object in a command list has no `command`",
    source=f"{_OAS}: svamlCommand discriminator",
    targets=_V2,
    example=Example(
        text=doc({"durationMilliseconds": 500}),
        fixed=doc({"command": "pause", "durationMilliseconds": 500}),
    ),
    found_by=_BY_READING,
)
def missing_command() -> None:
    """Say which command each object is, with ``command``."""


_NOT_RESPONSE = (None, Use.INCOMING, Use.CREATE, Use.PATCH)

#: What an empty ``commands`` means, by use (None: not known, as before uses were said).
_EMPTY: Mapping[Use | None, str] = {
    None: "commands is empty: Sinch does nothing (a webhook's 'no action')",
    Use.INCOMING: "commands is empty: the answer to call.incoming needs at least one command "
    "(svamlInput minItems 1); only the answer to another webhook means 'no action' by it",
    Use.CREATE: "commands is empty: the created call does nothing (a create-call request places "
    "its call with a dial)",
    Use.PATCH: "commands is empty: the call update changes nothing",
}


@rule(
    "S2009",
    "empty-commands",
    _W,
    summary="`commands` is empty where it is not Sinch's 'no action'",
    source=f"{_OAS}: svamlInput.commands minItems 1; the Webhooks tag allows an empty list as "
    "'no action' (reference D1)",
    targets=_V2,
    uses=_NOT_RESPONSE,
    example=Example(text=doc()),
)
def empty_commands(data: Any, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give ``commands`` at least one command, unless the document answers a webhook with "do nothing".

    The schema asks for at least one command; Sinch's webhook documentation and SDKs answer an
    event that needs no action with ``{"commands": []}``. So S2009 is not reported for the answer
    to a webhook other than ``call.incoming`` (``validate(doc, version=2, use="response")``, or
    ``use=event.event``; ``WebhookApp`` and the simulator say so). It is for the answer to
    ``call.incoming`` or a STATIC service's document, a create-call request (which places no
    call) and a call update (which changes nothing), and when the use is not known (as here).
    """
    commands = data.get("commands") if isinstance(data, Mapping) else None
    if isinstance(commands, list) and not commands:
        yield Finding(f"{where}/commands", _EMPTY[ctx.use])


#: The top-level fields besides ``commands``, with the model attribute holding each.
_TOP_LEVEL = (
    ("callName", "call_name"),
    ("events", "events"),
    ("parameters", "parameters"),
    ("batchOptions", "batch_options"),
)
#: Where each top-level field takes effect, in words (from USE_FIELDS, the one table).
_BELONGS = {key: " or ".join(u.phrase for u in Use if key in USE_FIELDS[u]) for key, _ in _TOP_LEVEL}
_HINTS = {("callName", Use.CREATE): ": name the created leg with its dial's callName"}


@rule(
    "S2010",
    "mixed-document-kinds",
    _W,
    summary="A top-level field Sinch ignores where the document is used (an error in strict mode), "
    "or both a create-call request's fields and a webhook answer's",
    source=f"{_OAS}: callRequest {{commands, parameters, batchOptions}}; callPatchRequest {{commands}}; "
    "svamlInput {commands, callName, events} (additionalProperties false); callName and events "
    "take effect only in the answer to call.incoming (reference §2.2, §6.3)",
    targets=_V2,
    example=Example(
        text=doc(dial(), callName="caller", parameters=[{"to": "+46701234567"}]),
        fixed=doc(dial(), parameters=[{"to": "+46701234567"}]),
    ),
)
def mixed_document_kinds(data: Any, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write only the top-level fields that take effect where the document is used.

    Each use takes its own: the answer to ``call.incoming`` or a STATIC service's document
    ``callName`` and ``events`` (the inbound leg's ``onHangup``); a create-call request
    (``POST /calls``) ``parameters`` and ``batchOptions``; the answer to any other webhook and a
    call update (``PATCH``) ``commands`` only. Sinch ignores a field that does not belong where
    the document is used. When the use is given (``validate(doc, version=2, use="create")``, or
    ``use=event.event`` for a webhook answer), each such field is reported, saying where it
    belongs; ``strict=True`` makes it an error, as an unknown property is. When it is not (as
    here), a document with both a create-call request's fields and a webhook answer's is
    reported, since half of it does nothing wherever it is used.
    """
    doc = ctx.document
    if doc is None:
        return
    use = ctx.use
    if use is not None:
        for key, attr in _TOP_LEVEL:
            if key not in USE_FIELDS[use] and getattr(doc, attr) is not None:
                yield Finding(
                    f"{where}/{key}",
                    f"{key} takes effect only in {_BELONGS[key]}; Sinch ignores it in {use.phrase}"
                    + _HINTS.get((key, use), ""),
                )
        return
    if doc.parameters is None and doc.batch_options is None:
        return
    for key, value in (("callName", doc.call_name), ("events", doc.events)):
        if value is not None:
            yield Finding(
                f"{where}/{key}",
                f"{key} is for a webhook answer, but parameters or batchOptions make this a create-call "
                "request: Sinch ignores one of them",
            )


@rule(
    "S2020",
    "noncanonical-form",
    _W,
    summary="A v2 value is read liberally but is not written as Sinch spells it",
    source=f"{_OAS}; reference 'What svaml does where sources disagree' (liberal reading, canonical writing)",
    targets=_V2,
    raw=True,
    example=Example(
        text=doc({"command": "pause", "durationMilliseconds": 500.0}),
        fixed=doc({"command": "pause", "durationMilliseconds": 500}),
    ),
)
def noncanonical_form(data: Any, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write each value as Sinch spells it.

    svaml reads a few forms the schema does not: an enumerated value in another letter case
    (``mp3``), an integral float (``500.0``), ``"true"`` for a boolean, ``null`` for an absent
    object (``"batchOptions": null``, as Sinch's Python SDK sends), and ``recordingOptions.url``
    for ``destinationUrl`` (Sinch's Node SDK). Each is reported where it is, with the form
    svaml writes.
    """
    if not isinstance(data, Mapping):
        return
    written: dict[str, Any] = {}
    commands = data.get("commands")
    if isinstance(commands, list):
        read = dict(ctx.commands)
        written["commands"] = [
            codec.unstructure(read[i]) if i in read else item for i, item in enumerate(commands)
        ]
    if ctx.document is not None:
        written.update({k: v for k, v in codec.unstructure(ctx.document).items() if k != "commands"})
    else:
        written.update({k: v for k, v in data.items() if k != "commands"})
    yield from _differences(data, written, where)


def _differences(data: Any, written: Any, where: str) -> Iterator[Finding]:
    if isinstance(data, Mapping) and isinstance(written, Mapping):
        for key, value in data.items():
            at = f"{where}/{escape_pointer(key)}"
            if key not in written:
                if value is None:
                    yield Finding(at, f"{key!r} is null: leave it out")
                else:
                    alias = next((k for k in written if k not in data), None)
                    name = f": write {alias!r}" if alias else ""
                    yield Finding(at, f"{key!r} is not the name Sinch uses{name}")
            else:
                yield from _differences(value, written[key], at)
    elif isinstance(data, list) and isinstance(written, list) and len(data) == len(written):
        for index, (a, b) in enumerate(zip(data, written, strict=True)):
            yield from _differences(a, b, f"{where}/{index}")
    elif not isinstance(data, (Mapping, list)) and (data != written or type(data) is not type(written)):
        yield Finding(where, f"write {_show(written)} rather than {_show(data)}")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@rule(
    "S2301",
    "unknown-handler",
    _W,
    summary="A command's `events` names a handler that command does not have (an error in strict mode)",
    source=f"{_OAS}: callEvents, messages/amd/startRecording events and svamlInput.events are closed",
    targets=_V2,
    kinds=sorted(_EVENTS, key=lambda c: c.__name__),
    example=Example(
        text=doc(dial(events={"onFinish": [{"command": "hangup"}]})),
        fixed=doc(dial(events={"onHangup": [{"command": "hangup"}]})),
    ),
)
def unknown_handler(obj: SvamlObject, where: str, ctx: Context2) -> Iterator[Finding]:
    """Use only the handlers the command has.

    ``dial``: onAnswer, onBusy, onReject, onTimeout, onHangup, onFailure. ``messages``: onFinish.
    ``amd``: onHuman, onMachine, onBeep, onUnknown. ``startRecording``: onFinish, onFailure. The
    document (a ``call.incoming`` answer or a STATIC service): onHangup. A menu item runs its
    ``matches`` and ``onFail``. Sinch ignores any other handler, so its commands never run; and
    since the command has an ``events`` property, the event is not sent to the webhook either.
    """
    if not obj.extras:
        return
    known = _handler_names(obj.__class__)
    for key in obj.extras:
        if _is_handler_like(key, obj.__class__):
            hint = suggest(key, known)
            yield Finding(
                f"{where}/{escape_pointer(key)}",
                f"{_EVENTS[obj.__class__]} has no handler {key!r}{hint}; its handlers are {', '.join(known)}",
            )

"""SVAML v2 limits (S21xx names, S24xx endpoints, S25xx lengths and ranges, S28xx voices and text).

The limits are written here once, from OpenAPI 2.0.58 (reference §3); the schema and the
strategies read them. In a batch (a create-call request with ``parameters``) a string holding an
``@placeholder`` is checked once per parameter set, after substitution (reference D20).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from svaml.diagnostic import Severity
from svaml.model._fields import SvamlObject
from svaml.rules._registry import Example, Finding, Target, rule
from svaml.rules._v2._context import Context2, inside
from svaml.rules._v2._examples import PHONE, dial, doc, menu, say
from svaml.v2.model.commands import (
    BridgeCall,
    Dial,
    GotoMenu,
    Hangup,
    Menu,
    MenuItem,
    MenuPrompt,
    Messages,
    Pause,
    RecordingOptions,
    StartRecording,
    StopMessages,
    StopRecording,
    Webhook,
)
from svaml.v2.model.document import BatchOptions, Document
from svaml.v2.model.endpoints import CallHeader, Phone, Sip, SipFrom, Stream, StreamOptions, VoiceRelay
from svaml.v2.model.enums import TextFormat
from svaml.v2.model.messages import Play, Say
from svaml.v2.model.voices import VOICE_NAMES

__all__ = ["E164", "NAME_LIMITS", "RANGES", "SAMPLE_RATES", "TEXT_LIMIT", "schema_keywords", "substituted"]

_E, _W = Severity.ERROR, Severity.WARNING
_OAS = "Sinch Voice API v2 OpenAPI 2.0.58"
_V2: tuple[Target] = ("svaml2",)

#: Names (class, attribute, JSON name) → (most characters, whether whitespace is refused).
NAME_LIMITS: Mapping[tuple[type, str, str], tuple[int, bool]] = {
    (Document, "call_name", "callName"): (32, True),
    (Dial, "call_name", "callName"): (32, True),
    (Hangup, "call_name", "callName"): (32, True),
    (Messages, "messages_name", "messagesName"): (32, True),
    (StopMessages, "messages_name", "messagesName"): (32, True),
    (StartRecording, "recording_name", "recordingName"): (32, True),
    (StopRecording, "recording_name", "recordingName"): (32, True),
    (BridgeCall, "bridge_name", "bridgeName"): (32, True),
    (Webhook, "webhook_name", "webhookName"): (64, True),
    (Menu, "start_menu", "startMenu"): (16, False),
    (GotoMenu, "menu_name", "menuName"): (16, False),
}
#: Integer fields (class, attribute, JSON name) → (least, most; None: no maximum).
RANGES: Mapping[tuple[type, str, str], tuple[int, int | None]] = {
    (Dial, "dial_timeout_duration_seconds", "dialTimeoutDurationSeconds"): (1, 60),
    (Dial, "max_call_duration_seconds", "maxCallDurationSeconds"): (1, 14400),
    (Pause, "duration_milliseconds", "durationMilliseconds"): (1, None),
    (MenuItem, "input_timeout_duration_seconds", "inputTimeoutDurationSeconds"): (1, 60),
    (MenuItem, "repeat_count", "repeatCount"): (0, 10),
    (MenuItem, "minimum_input_length", "minimumInputLength"): (1, 100),
    (MenuItem, "maximum_input_length", "maximumInputLength"): (1, 100),
    (StreamOptions, "version", "version"): (1, None),
    (BatchOptions, "max_cps", "maxCps"): (1, 1000),
    (BatchOptions, "ttl_seconds", "ttlSeconds"): (1, 10800),
}
#: The sample rates a STREAM destination takes.
SAMPLE_RATES = (8000, 16000, 24000, 44100, 48000, 96000)
#: The most characters of a SAY's text.
TEXT_LIMIT = 600
#: A phone number in E.164, as v2's schema writes it.
E164 = re.compile(r"\+[1-9]\d{1,14}")
_MENU_ITEM_NAME = 16
_NAME_CLASSES = tuple(sorted({k[0] for k in NAME_LIMITS}, key=lambda c: c.__name__))
# The limits by class, as the rule reads them once per object.
_NAMES_OF: dict[type, list[tuple[str, str, int, bool]]] = {}
for (_cls, _attr, _key), (_most, _no_space) in NAME_LIMITS.items():
    _NAMES_OF.setdefault(_cls, []).append((_attr, _key, _most, _no_space))
_RANGES_OF: dict[type, list[tuple[str, str, int, int | None]]] = {}
for (_cls, _attr, _key), (_low, _high) in RANGES.items():
    _RANGES_OF.setdefault(_cls, []).append((_attr, _key, _low, _high))
_RANGE_CLASSES = tuple(sorted({k[0] for k in RANGES}, key=lambda c: c.__name__))
_VOICES = frozenset(VOICE_NAMES)


def schema_keywords() -> dict[type, dict[str, dict[str, object]]]:
    """The JSON Schema keywords of the limits above, by model class and JSON field name.

    What a schema can say of S2101 (names), S2501 (text length) and S2502 (ranges, sample rates),
    so the v2 schema and the rules share one source. E.164 (S2401) is not among them: in a batch a
    placeholder stands for the number, and only its substitution is checked.
    """
    found: dict[type, dict[str, dict[str, object]]] = {}

    def add(cls: type, name: str, **keywords: object) -> None:
        found.setdefault(cls, {}).setdefault(name, {}).update(keywords)

    for (cls, _, key), (most, no_space) in NAME_LIMITS.items():
        add(cls, key, minLength=1, maxLength=most)
        if no_space:
            add(cls, key, pattern="^\\S+$(?!\\n)")
    for (cls, _, key), (low, high) in RANGES.items():
        add(cls, key, minimum=low)
        if high is not None:
            add(cls, key, maximum=high)
    add(StreamOptions, "sampleRate", enum=list(SAMPLE_RATES))
    add(Say, "text", maxLength=TEXT_LIMIT)
    return found


# -- batch placeholders -------------------------------------------------------------------------


def _pattern(values: Mapping[str, Any]) -> re.Pattern[str] | None:
    keys = sorted((k for k in values if isinstance(k, str) and k), key=len, reverse=True)
    return re.compile("@(" + "|".join(map(re.escape, keys)) + ")") if keys else None


def _replacer(values: Mapping[str, Any]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return str(values[match[1]])

    return replace


def substituted(text: str, ctx: Context2) -> Iterator[tuple[str, str]]:
    """Yield ``(where, text)``: the text itself, or in a batch, each parameter set's substitution of it.

    ``where`` is empty for the text itself and `` (parameters[3])`` for a substitution.
    """
    sets = ctx.parameters
    if not sets or "@" not in text:
        yield "", text
        return
    patterns: list[re.Pattern[str] | None] | None = ctx.memo.get("placeholders")
    if patterns is None:
        patterns = ctx.memo["placeholders"] = [_pattern(values) for values in sets]
    for index, (values, pattern) in enumerate(zip(sets, patterns, strict=True)):
        if pattern is None:
            yield f" (parameters[{index}])", text
        else:
            yield f" (parameters[{index}])", pattern.sub(_replacer(values), text)


def _first(found: Iterator[Finding]) -> Iterator[Finding]:
    """Only the first finding: a batch of 10 000 sets reports one substitution, not 10 000."""
    for finding in found:
        yield finding
        return


# -- names ----------------------------------------------------------------------------------------


_SPACE = re.compile(r"\s")


def _name_problem(value: str, most: int, no_space: bool) -> str | None:
    if not value:
        return "is empty"
    if len(value) > most:
        return f"has {len(value)} characters, more than {most}"
    if no_space and _SPACE.search(value):
        return "holds whitespace"
    return None


@rule(
    "S2101",
    "invalid-name",
    _E,
    summary="A name is empty, too long, or holds whitespace",
    source=f"{_OAS}: callName, messagesName, recordingName, bridgeName 1-32 `^\\S+$`; webhookName 1-64 "
    "`^\\S+$`; startMenu, menuName and menus keys at most 16",
    targets=_V2,
    kinds=(*_NAME_CLASSES, Menu),
    example=Example(
        text=doc(dial(callName="support agent")),
        fixed=doc(dial(callName="support-agent")),
    ),
)
def invalid_name(obj: SvamlObject, where: str, ctx: Context2) -> Iterator[Finding]:
    """Keep names within their limits.

    ``callName``, ``messagesName``, ``recordingName`` and ``bridgeName`` are 1 to 32 characters
    with no whitespace; ``webhookName`` 1 to 64 with no whitespace (dots are fine: it becomes the
    event ``call.webhook.<name>``); a menu item's name, ``startMenu`` and ``gotoMenu.menuName`` at
    most 16. Sinch rejects the document otherwise. In a batch, the name is checked after each
    parameter set's substitution.
    """
    for attr, key, most, no_space in _NAMES_OF.get(obj.__class__, ()):
        value = getattr(obj, attr)
        if value is None:
            continue
        if "@" not in value or not ctx.parameters:  # the usual case: the name as written
            problem = _name_problem(value, most, no_space)
            if problem is not None:
                yield Finding(f"{where}/{key}", f"{key} {value!r} {problem}")
            continue
        yield from _first(
            Finding(f"{where}/{key}", f"{key} {value!r}{label} {problem}")
            for label, text in substituted(value, ctx)
            if (problem := _name_problem(text, most, no_space)) is not None
        )
    if isinstance(obj, Menu):
        for item in obj.menus:
            if len(item.name) > _MENU_ITEM_NAME:
                yield Finding(
                    f"{where}/menus/{item.name}",
                    f"the menu item name {item.name!r} has {len(item.name)} characters, more than 16",
                )


# -- endpoints ------------------------------------------------------------------------------------


@rule(
    "S2401",
    "phone-not-e164",
    _E,
    summary="A phone number is not in E.164",
    source=f"{_OAS}: phone.number pattern `^\\+[1-9]\\d{{1,14}}$`; batch placeholders (reference D20)",
    targets=_V2,
    kinds=(Phone,),
    example=Example(text=doc(dial("0701234567")), fixed=doc(dial(PHONE))),
)
def phone_not_e164(obj: Phone, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write phone numbers in E.164: ``+``, the country code, the number; no spaces.

    In a batch, a placeholder (``"@to"``) is fine: each parameter set's substitution is checked.
    A placeholder outside a batch is sent as it is, and is not a number.
    """
    at = f"{where}/phone/number"
    for label, text in substituted(obj.number, ctx):
        if E164.fullmatch(text) is None:
            hint = " (a placeholder, but the document has no parameters)" if "@" in text and not label else ""
            yield Finding(at, f"{text!r}{label} is not an E.164 number (+ and 2 to 15 digits){hint}")
            return


_SIP = re.compile(r"sips?:\S+")
_WS = re.compile(r"wss?://\S+")


@rule(
    "S2402",
    "invalid-endpoint",
    _E,
    summary="A SIP, stream or voice-relay endpoint is not a URI of its kind, or is too long",
    source=f"{_OAS}: sip.endpoint `^sips?:` (≤256 as destination, ≤192 as origin), displayName ≤64; "
    "stream and voiceRelay endpoint ws:// or wss://",
    targets=_V2,
    kinds=(Sip, SipFrom, Stream, VoiceRelay),
    example=Example(
        text=doc(dial(to={"type": "SIP", "sip": {"endpoint": "alice@acme.com"}})),
        fixed=doc(dial(to={"type": "SIP", "sip": {"endpoint": "sip:alice@acme.com"}})),
    ),
)
def invalid_endpoint(obj: SvamlObject, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give each endpoint its kind of URI.

    A SIP endpoint starts with ``sip:`` or ``sips:`` and has at most 256 characters (192 as the
    origin, whose ``displayName`` has at most 64); a stream or voice-relay endpoint is a
    ``ws://`` or ``wss://`` URL.
    """
    at = f"{inside(where, obj)}/endpoint"
    endpoint: str = getattr(obj, "endpoint")  # noqa: B009
    if isinstance(obj, (Sip, SipFrom)):
        most = 256 if isinstance(obj, Sip) else 192
        if _SIP.fullmatch(endpoint) is None:
            yield Finding(at, f"{endpoint!r} is not a SIP URI: write sip:user@host or sips:user@host")
        elif len(endpoint) > most:
            yield Finding(at, f"the SIP URI has {len(endpoint)} characters, more than {most}")
        if isinstance(obj, SipFrom) and obj.display_name is not None and len(obj.display_name) > 64:
            yield Finding(f"{inside(where, obj)}/displayName", "displayName has more than 64 characters")
    elif _WS.fullmatch(endpoint) is None:
        yield Finding(at, f"{endpoint!r} is not a WebSocket URL: write wss://host/path")


@rule(
    "S2403",
    "insecure-stream",
    _W,
    summary="A stream or voice relay goes to `ws://` rather than `wss://`",
    source=f"{_OAS}: stream endpoint 'ws:// or wss:// (recommended)'",
    targets=_V2,
    kinds=(Stream, VoiceRelay),
    example=Example(
        text=doc(dial(to={"type": "STREAM", "stream": {"endpoint": "ws://media.acme.com/audio"}})),
        fixed=doc(dial(to={"type": "STREAM", "stream": {"endpoint": "wss://media.acme.com/audio"}})),
    ),
)
def insecure_stream(obj: Stream | VoiceRelay, where: str, ctx: Context2) -> Iterator[Finding]:
    """Stream call audio over TLS: ``wss://``. Sinch recommends it; ``ws://`` sends the call in clear."""
    if obj.endpoint.startswith("ws://"):
        yield Finding(f"{inside(where, obj)}/endpoint", "the call's audio would go unencrypted: use wss://")


_BCP47 = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


@rule(
    "S2404",
    "invalid-language",
    _E,
    summary="A voice relay's `sttLanguage` is not a BCP-47 tag",
    source=f"{_OAS}: voiceRelay.sttLanguage `^[a-z]{{2,3}}(-[A-Z][a-z]{{3}})?(-([A-Z]{{2}}|[0-9]{{3}}))?$`",
    targets=_V2,
    kinds=(VoiceRelay,),
    example=Example(
        text=doc(
            dial(
                to={
                    "type": "VOICE_RELAY",
                    "voiceRelay": {
                        "endpoint": "wss://agent.acme.com",
                        "ttsVoice": "Emma",
                        "sttLanguage": "en_us",
                    },
                }
            )
        ),
        fixed=doc(
            dial(
                to={
                    "type": "VOICE_RELAY",
                    "voiceRelay": {
                        "endpoint": "wss://agent.acme.com",
                        "ttsVoice": "Emma",
                        "sttLanguage": "en-US",
                    },
                }
            )
        ),
    ),
)
def invalid_language(obj: VoiceRelay, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write the speech-to-text language as BCP-47: ``en-US``, ``sv-SE``, ``zh-Hans-CN``."""
    if _BCP47.fullmatch(obj.stt_language) is None:
        yield Finding(
            f"{inside(where, obj)}/sttLanguage",
            f"{obj.stt_language!r} is not a BCP-47 language tag such as 'en-US'",
        )


_SIP_KEY = re.compile(r"[-A-Za-z0-9.!%*_+`'~]+")
_PRINTABLE = re.compile(r"[\x20-\x7e\t]*")


@rule(
    "S2405",
    "invalid-call-header",
    _E,
    summary="More than 16 call headers, or a header key or value Sinch refuses",
    source=f"{_OAS}: callHeaders ≤16; SIP keys 1-255 SIP tokens; stream and voice-relay "
    "keys and values printable ASCII; values ≤255",
    targets=_V2,
    kinds=(Sip, Stream, VoiceRelay),
    example=Example(
        text=doc(
            dial(
                to={
                    "type": "SIP",
                    "sip": {
                        "endpoint": "sip:alice@acme.com",
                        "callHeaders": [{"key": "X Customer", "value": "42"}],
                    },
                }
            )
        ),
        fixed=doc(
            dial(
                to={
                    "type": "SIP",
                    "sip": {
                        "endpoint": "sip:alice@acme.com",
                        "callHeaders": [{"key": "X-Customer", "value": "42"}],
                    },
                }
            )
        ),
    ),
)
def invalid_call_header(obj: Sip | Stream | VoiceRelay, where: str, ctx: Context2) -> Iterator[Finding]:
    """Send at most 16 headers, each with a key Sinch accepts.

    A SIP header's key is a SIP token (letters, digits and any of - . ! % * _ + ` ' ~); a stream's or voice
    relay's key and value are printable ASCII. Keys have 1 to 255 characters, values at most 255.
    """
    at = f"{inside(where, obj)}/callHeaders"
    if len(obj.call_headers) > 16:
        yield Finding(at, f"{len(obj.call_headers)} call headers, more than 16")
    key_pattern = _SIP_KEY if isinstance(obj, Sip) else _PRINTABLE
    for index, header in enumerate(obj.call_headers):
        yield from _header(header, f"{at}/{index}", key_pattern, isinstance(obj, Sip))


def _header(header: CallHeader, at: str, key_pattern: re.Pattern[str], sip: bool) -> Iterator[Finding]:
    if not header.key or len(header.key) > 255:
        yield Finding(f"{at}/key", f"the key has {len(header.key)} characters: write 1 to 255")
    elif key_pattern.fullmatch(header.key) is None:
        kind = "a SIP token (letters, digits, -.!%*_+`'~)" if sip else "printable ASCII"
        yield Finding(f"{at}/key", f"the key {header.key!r} is not {kind}")
    value = header.value
    if value is not None:
        if len(value) > 255:
            yield Finding(f"{at}/value", f"the value has {len(value)} characters, more than 255")
        elif not sip and _PRINTABLE.fullmatch(value) is None:
            yield Finding(f"{at}/value", "the value is not printable ASCII")


# -- lengths and ranges ---------------------------------------------------------------------------


@rule(
    "S2501",
    "say-text-too-long",
    _E,
    summary="A SAY's text has more than 600 characters",
    source=f"{_OAS}: say.text maxLength 600",
    targets=_V2,
    kinds=(Say,),
    example=Example(
        text=doc({"command": "messages", "messages": [say("Your appointment is confirmed. " * 21)]}),
        fixed=doc(
            {
                "command": "messages",
                "messages": [
                    say("Your appointment is confirmed. " * 10),
                    say("Your appointment is confirmed. " * 10),
                ],
            }
        ),
    ),
)
def say_text_too_long(obj: Say, where: str, ctx: Context2) -> Iterator[Finding]:
    """Keep each SAY to 600 characters; split a longer text into several messages (up to 10 per command).

    In a batch the text is measured after substitution.
    """
    for label, text in substituted(obj.text, ctx):
        if len(text) > TEXT_LIMIT:
            yield Finding(f"{where}/say/text", f"the text{label} has {len(text)} characters, more than 600")
            return


def _range(low: int, high: int | None) -> str:
    return f"at least {low}" if high is None else f"from {low} to {high}"


@rule(
    "S2502",
    "value-out-of-range",
    _E,
    summary="A number is outside the range v2 allows",
    source=f"{_OAS}: dialTimeoutDurationSeconds 1-60, maxCallDurationSeconds 1-14400, "
    "durationMilliseconds ≥1, inputTimeoutDurationSeconds 1-60, repeatCount 0-10, input lengths 1-100, "
    "sampleRate 8000/16000/24000/44100/48000/96000, maxCps 1-1000, ttlSeconds 1-10800",
    targets=_V2,
    kinds=_RANGE_CLASSES,
    example=Example(
        text=doc(dial(dialTimeoutDurationSeconds=90)),
        fixed=doc(dial(dialTimeoutDurationSeconds=60)),
    ),
)
def value_out_of_range(obj: SvamlObject, where: str, ctx: Context2) -> Iterator[Finding]:
    """Keep durations, counts and rates in their ranges.

    ``dial``: ``dialTimeoutDurationSeconds`` 1-60, ``maxCallDurationSeconds`` 1-14400 (four hours).
    ``pause``: ``durationMilliseconds`` at least 1. A menu item: ``inputTimeoutDurationSeconds``
    1-60, ``repeatCount`` 0-10, ``minimumInputLength`` and ``maximumInputLength`` 1-100. A stream:
    ``sampleRate`` 8000, 16000, 24000, 44100, 48000 or 96000. A batch: ``maxCps`` 1-1000,
    ``ttlSeconds`` 1-10800.
    """
    for attr, key, low, high in _RANGES_OF.get(obj.__class__, ()):
        value = getattr(obj, attr)
        if isinstance(value, int) and (value < low or (high is not None and value > high)):
            yield Finding(f"{where}/{key}", f"{key} is {value}: write a value {_range(low, high)}")
    if isinstance(obj, StreamOptions) and obj.sample_rate is not None and obj.sample_rate not in SAMPLE_RATES:
        rates = ", ".join(map(str, SAMPLE_RATES))
        yield Finding(f"{where}/sampleRate", f"sampleRate is {obj.sample_rate}: write one of {rates}")


@rule(
    "S2503",
    "message-count",
    _E,
    summary="A `messages` command or a menu prompt holds no message, or more than 10",
    source=f"{_OAS}: messages.messages and menuPrompt.messages minItems 1, maxItems 10",
    targets=_V2,
    kinds=(Messages, MenuPrompt),
    example=Example(
        text=doc({"command": "messages", "messages": []}),
        fixed=doc({"command": "messages", "messages": [say()]}),
    ),
)
def message_count(obj: Messages | MenuPrompt, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give a ``messages`` command and a menu prompt 1 to 10 messages; use two commands for more."""
    count = len(obj.messages)
    if count == 0:
        yield Finding(f"{where}/messages", "there is no message: give 1 to 10")
    elif count > 10:
        yield Finding(f"{where}/messages", f"{count} messages, more than 10: split them")


@rule(
    "S2504",
    "input-length-order",
    _W,
    summary="A menu item's `minimumInputLength` is more than its `maximumInputLength`",
    source=f"{_OAS}: menuItem minimumInputLength and maximumInputLength (both default 1); reference, "
    "'min>max input length' → warning",
    targets=_V2,
    kinds=(MenuItem,),
    example=Example(
        text=doc(menu(main={"minimumInputLength": 4, "matches": {"1234": [{"command": "hangup"}]}})),
        fixed=doc(
            menu(
                main={
                    "minimumInputLength": 4,
                    "maximumInputLength": 4,
                    "matches": {"1234": [{"command": "hangup"}]},
                }
            )
        ),
    ),
)
def input_length_order(obj: MenuItem, where: str, ctx: Context2) -> Iterator[Finding]:
    """Let ``maximumInputLength`` be at least ``minimumInputLength``.

    Input is evaluated when it reaches ``maximumInputLength`` (default 1), and input shorter than
    ``minimumInputLength`` is not evaluated: with a minimum above the maximum no input is ever
    long enough. Setting only ``minimumInputLength: 4`` leaves the maximum at 1.
    """
    low = obj.minimum_input_length if obj.minimum_input_length is not None else 1
    high = obj.maximum_input_length if obj.maximum_input_length is not None else 1
    if low > high:
        said = "" if obj.maximum_input_length is not None else " (its default)"
        yield Finding(
            f"{where}/minimumInputLength",
            f"minimumInputLength {low} is more than maximumInputLength {high}{said}: "
            "no input is ever evaluated",
        )


_TERMINATING = re.compile(r"[0-9*#]{1,10}")


@rule(
    "S2505",
    "invalid-terminating-sequence",
    _E,
    summary="A menu item's `terminatingSequence` is not 1 to 10 of 0-9, * and #",
    source=f"{_OAS}: menuItem.terminatingSequence maxLength 10, `^[0-9*#]+$`",
    targets=_V2,
    kinds=(MenuItem,),
    example=Example(
        text=doc(menu(main={"terminatingSequence": "end", "maximumInputLength": 6})),
        fixed=doc(menu(main={"terminatingSequence": "#", "maximumInputLength": 6})),
    ),
)
def invalid_terminating_sequence(obj: MenuItem, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write the terminating sequence with DTMF keys: ``#``, ``*``, digits; at most 10.

    The sequence ends input at once and is part of the evaluated input.
    """
    value = obj.terminating_sequence
    if value is not None and _TERMINATING.fullmatch(value) is None:
        yield Finding(f"{where}/terminatingSequence", f"{value!r} is not 1 to 10 of the keys 0-9, * and #")


_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


@rule(
    "S2506",
    "invalid-url",
    _E,
    summary="A webhook or media URL is not an absolute URI",
    source=f"{_OAS}: webhook.url and fallbackUrl, play.url format uri",
    targets=_V2,
    kinds=(Webhook, Play),
    example=Example(
        text=doc({"command": "webhook", "webhookName": "menu-choice", "url": "/voice/menu"}),
        fixed=doc({"command": "webhook", "webhookName": "menu-choice", "url": "https://acme.com/voice/menu"}),
    ),
)
def invalid_url(obj: Webhook | Play, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give webhook and media URLs in full, scheme and host: ``https://acme.com/voice``."""
    fields = (
        (("url", obj.url),)
        if isinstance(obj, Play)
        else (("url", obj.url), ("fallbackUrl", obj.fallback_url))
    )
    base = inside(where, obj)
    for key, value in fields:
        if value is not None:
            for label, text in substituted(value, ctx):
                if _URI.fullmatch(text) is None:
                    yield Finding(f"{base}/{key}", f"{text!r}{label} is not an absolute URI")
                    break


_STORAGE_SCHEMES = {"AWS": "s3", "GCP": "gs", "AZURE": "azure"}


@rule(
    "S2507",
    "recording-url-scheme",
    _W,
    summary="A recording's `destinationUrl` scheme does not match its `destination`",
    source=f"{_OAS}: recordingOptions.destinationUrl 's3 for AWS, gs for GCP, azure for AZURE'",
    targets=_V2,
    kinds=(RecordingOptions,),
    example=Example(
        text=doc(
            {
                "command": "startRecording",
                "recordingOptions": {
                    "destination": "GCP",
                    "destinationUrl": "s3://recordings/calls",
                    "credentials": "KEY:SECRET:eu-west-1",
                },
            }
        ),
        fixed=doc(
            {
                "command": "startRecording",
                "recordingOptions": {
                    "destination": "AWS",
                    "destinationUrl": "s3://recordings/calls",
                    "credentials": "KEY:SECRET:eu-west-1",
                },
            }
        ),
    ),
)
def recording_url_scheme(obj: RecordingOptions, where: str, ctx: Context2) -> Iterator[Finding]:
    """Point the recording at the storage ``destination`` names: ``s3://`` AWS, ``gs://`` GCP, ``azure://``."""
    scheme = _STORAGE_SCHEMES.get(str(obj.destination))
    if scheme is not None and not obj.destination_url.startswith(f"{scheme}://"):
        yield Finding(
            f"{where}/destinationUrl",
            f"destination is {obj.destination}, so the URL should start with {scheme}://",
        )


# -- voices and text ------------------------------------------------------------------------------


@rule(
    "S2801",
    "unknown-voice",
    _W,
    summary="A voice name is not in Sinch's catalogue",
    source=f"{_OAS}: voiceName enum (772 names, reference Appendix A); Sinch's Node SDK accepts any name",
    targets=_V2,
    kinds=(Say, VoiceRelay),
    example=Example(
        text=doc({"command": "messages", "messages": [say(voice="Ema")]}),
        fixed=doc({"command": "messages", "messages": [say(voice="Emma")]}),
    ),
)
def unknown_voice(obj: Say | VoiceRelay, where: str, ctx: Context2) -> Iterator[Finding]:
    """Name a voice of the catalogue: a voice id such as ``Emma`` or ``Emma_3``, not a locale.

    The catalogue of OpenAPI 2.0.58 has 772 voices (``svaml.v2.model.VOICE_NAMES``); Sinch adds
    voices, so a name outside it is a warning with the closest names, not an error.
    """
    name, key = (
        (obj.voice_name, "say/voiceName") if isinstance(obj, Say) else (obj.tts_voice, "voiceRelay/ttsVoice")
    )
    if name in _VOICES:
        return
    close = difflib.get_close_matches(name, VOICE_NAMES, n=3, cutoff=0.6)
    folded = [v for v in VOICE_NAMES if v.casefold() == name.casefold()]
    close = folded + [c for c in close if c not in folded]
    hint = (
        f"; did you mean {', '.join(map(repr, close[:3]))}?"
        if close
        else " (voices are names such as 'Emma')"
    )
    yield Finding(f"{where}/{key}", f"{name!r} is not a voice of Sinch's catalogue{hint}")


@rule(
    "S2802",
    "ssml-not-speak",
    _W,
    summary="A SAY in SSML format is not a `<speak>` document",
    source=f"{_OAS}: say.format SSML 'text is an SSML <speak>…</speak> document'",
    targets=_V2,
    kinds=(Say,),
    example=Example(
        text=doc({"command": "messages", "messages": [say("Hello <break time='1s'/> there", format="SSML")]}),
        fixed=doc(
            {
                "command": "messages",
                "messages": [say("<speak>Hello <break time='1s'/> there</speak>", format="SSML")],
            }
        ),
    ),
)
def ssml_not_speak(obj: Say, where: str, ctx: Context2) -> Iterator[Finding]:
    """Wrap SSML text in ``<speak>…</speak>``; plain text needs ``format`` TEXT (the default)."""
    if obj.format is TextFormat.SSML:
        text = obj.text.strip()
        if not (text.startswith("<speak") and text.endswith("</speak>")):
            yield Finding(
                f"{where}/say/text", "format is SSML but the text is not a <speak>…</speak> document"
            )

"""Limit rules (SV5xx): durations, text lengths, conference ids, DTMF strings, negative numbers.

Each rule reads a table of the model classes and fields it checks, so one function serves SVAML
documents and callout requests alike, under one code. The limits themselves are written once, in
``_bounds`` (re-exported here); the JSON Schema takes its keywords from :func:`schema_keywords`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svaml.diagnostic import Severity
from svaml.model._fields import SvamlObject
from svaml.model.actions import (
    ConferenceDtmfOptions,
    ConnectConf,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Menu,
    MenuOption,
    Park,
    StreamingOptions,
)
from svaml.model.callouts import ConferenceCallout, CustomCallout, TtsCallout
from svaml.model.instructions import PlayFiles, Say, SendDtmf
from svaml.rules._bounds import (
    CONFERENCE_ID_LIMIT,
    DEFAULT_LIMITS,
    DTMF_KEYS,
    MAX_DURATION,
    TEXT_LIMIT,
    Limits,
)
from svaml.rules._context import Context
from svaml.rules._registry import Example, Finding, rule

__all__ = [
    "CONFERENCE_ID_LIMIT",
    "DEFAULT_LIMITS",
    "DTMF_KEYS",
    "MAX_DURATION",
    "TEXT_LIMIT",
    "Limits",
    "schema_keywords",
]

_E = Severity.ERROR
_OAS = "Sinch Voice API OpenAPI 1.0.1"


# What each rule checks, by model class: the fields as (attribute, JSON name[, kind]).
# The parts the examples are made of.
_LONG = "Your appointment is confirmed. " * 21


def _pstn(**fields: object) -> dict[str, object]:
    return {"action": {"name": "connectPstn", "number": "+46701234567", **fields}}


def _say(text: str) -> dict[str, object]:
    return {"instructions": [{"name": "say", "text": text, "locale": "en-US"}], "action": {"name": "hangup"}}


def _send_dtmf(value: str) -> dict[str, object]:
    return {"instructions": [{"name": "sendDtmf", "value": value}], "action": {"name": "continue"}}


def _menu(**fields: object) -> dict[str, object]:
    menu = {"id": "main", **fields, "options": [{"dtmf": "1", "action": "return(sales)"}]}
    return {"action": {"name": "runMenu", "locale": "en-US", "menus": [menu]}}


_MAX_DURATION_KINDS = (ConnectPstn, ConnectSip, ConnectStream, Park, ConferenceCallout, CustomCallout)
# The kind of a text field: plain text, one prompt string, or a list of prompt strings.
_SAY_FIELDS: dict[type, tuple[tuple[str, str, str], ...]] = {
    Say: (("text", "text", "text"),),
    PlayFiles: (("ids", "ids", "prompt list"),),
    Menu: (("main_prompt", "mainPrompt", "prompt"), ("repeat_prompt", "repeatPrompt", "prompt")),
    Park: (("intro_prompt", "introPrompt", "prompt"), ("hold_prompt", "holdPrompt", "prompt")),
    TtsCallout: (("text", "text", "text"), ("prompts", "prompts", "prompt")),
    ConferenceCallout: (("greeting", "greeting", "prompt"),),
}
_CONFERENCE_ID_TYPES = (ConnectConf, ConferenceCallout)
_DTMF_FIELDS: dict[type, tuple[str, str]] = {
    SendDtmf: ("value", "value"),
    ConnectPstn: ("dtmf", "dtmf"),
    MenuOption: ("dtmf", "dtmf"),
    TtsCallout: ("dtmf", "dtmf"),
    ConferenceCallout: ("dtmf", "dtmf"),
    CustomCallout: ("dtmf", "dtmf"),
}
_NON_NEGATIVE_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {
    ConnectPstn: (("dial_timeout", "dialTimeout"),),
    Menu: (
        ("repeats", "repeats"),
        ("max_digits", "maxDigits"),
        ("timeout_mills", "timeoutMills"),
        ("max_timeout_mills", "maxTimeoutMills"),
    ),
    StreamingOptions: (("version", "version"), ("sample_rate", "sampleRate")),
    ConferenceDtmfOptions: (("max_digits", "maxDigits"), ("timeout_mills", "timeoutMills")),
}


@rule(
    "SV501",
    "max-duration-range",
    _E,
    summary="`maxDuration` is not between 1 and 14400 seconds",
    source=f"{_OAS}: connectPstn/connectSip/connectStream maxDuration, maximum 14400",
    kinds=_MAX_DURATION_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_pstn(maxDuration=20000), fixed=_pstn(maxDuration=14400)),
)
def max_duration_range(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Keep ``maxDuration`` between 1 and 14400 seconds.

    ``maxDuration`` caps a call (or, for ``park``, how long the hold prompt plays) in seconds.
    Sinch documents a maximum of 14400 (four hours); a larger value, zero or a negative one is
    refused. Write a value from 1 to 14400, or leave the field out for Sinch's default.

    Checked in ``connectPstn``, ``connectSip``, ``connectStream``, ``park``, and in
    ``conferenceCallout`` and ``customCallout`` requests.

    In callout requests (`POST /calling/v1/callouts`) it checks `maxDuration`.
    """
    value = getattr(obj, "max_duration", None)
    if value is not None and not 1 <= value <= MAX_DURATION:
        if value > MAX_DURATION:
            why = f"Sinch allows at most {MAX_DURATION} (4 hours): lower it"
        else:
            why = f"write 1 to {MAX_DURATION} seconds, or leave it out for Sinch's default"
        yield Finding(f"{where}/maxDuration", f"maxDuration is {value}; {why}")


# A prompt's content is shorter than the string that holds it: a string no longer than the limit
# and this is short enough.
_PROMPT_HEAD = len("#tts[")
_PROMPT_START = re.compile(r"#(tts|ssml)\[", re.IGNORECASE)


def _long_prompts(value: str, limit: int) -> Iterator[tuple[str, int]]:
    """Yield (kind, length) of each ``#tts[…]``/``#ssml[…]`` prompt of ``value`` over ``limit``."""
    n = len(value)
    if n <= limit + _PROMPT_HEAD or "#" not in value:
        return
    pos = 0
    for match in _PROMPT_START.finditer(value):
        if match.start() < pos:
            continue  # inside the previous prompt's text
        start = match.end()
        # A prompt ends at `];` (the next prompt follows) or at the final `]`; SSML may hold `;`.
        end = value.find("];", start)
        if end < 0:
            end, pos = (n - 1 if value.endswith("]") else n), n
        else:
            pos = end + 2
        length = max(end - start, 0)
        if length > limit:
            yield f"#{match[1].lower()}", length


@rule(
    "SV502",
    "say-too-long",
    _E,
    summary="Text-to-speech text over 600 characters",
    source=f"{_OAS}: say.text and ttsCallout.text, default maximum 600 characters per application",
    kinds=_SAY_FIELDS,
    targets=("svaml", "callout"),
    example=Example(text=_say(_LONG), fixed=_say(_LONG[:TEXT_LIMIT].rstrip())),
)
def say_too_long(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Keep text-to-speech text to 600 characters.

    Sinch speaks at most 600 characters of text-to-speech at a time by default: ``say.text``,
    ``ttsCallout.text`` and the content of each ``#tts[…]`` or ``#ssml[…]`` prompt (in
    ``playFiles`` ids, menu prompts, park prompts, ``ttsCallout.prompts`` and
    ``conferenceCallout.greeting``). Longer text is refused. Shorten it, or split it into several
    ``say`` instructions or several prompts separated by ``;``.

    Sinch support can raise the limit for an application; if yours has a higher one, say so and
    svaml checks that limit instead: ``limits = {say = 1200}`` in ``[tool.svaml]``, or
    ``validate(doc, limits=Limits(say=1200))`` in Python.

    In callout requests (`POST /calling/v1/callouts`) it checks `text`, `prompts`, `greeting`.
    """
    limit = ctx.limits.say
    # Sinch's default, or the application's own (support raised it).
    whose = "by default" if limit == TEXT_LIMIT else "for this application (its configured limit)"
    for attr, name, kind in _SAY_FIELDS[obj.__class__]:
        value = getattr(obj, attr)
        if value is None:
            continue
        if kind == "text":
            if len(value) > limit:
                yield Finding(
                    f"{where}/{name}",
                    f"the text is {len(value)} characters; Sinch speaks at most {limit} {whose}: "
                    "shorten it or split it into several parts",
                )
            continue
        prompts = enumerate(value) if kind == "prompt list" else ((None, value),)
        for index, prompt in prompts:
            if len(prompt) <= limit + _PROMPT_HEAD:
                continue
            for found, length in _long_prompts(prompt, limit):
                yield Finding(
                    f"{where}/{name}" if index is None else f"{where}/{name}/{index}",
                    f"a {found} prompt holds {length} characters; Sinch speaks at most {limit} "
                    f"per prompt {whose}: shorten it or split it into several prompts separated by ';'",
                )


@rule(
    "SV503",
    "conference-id-length",
    _E,
    summary="`conferenceId` is empty or longer than 64 characters",
    source=f"{_OAS}: connectConf.conferenceId \"shouldn't exceed 64 characters\"; conferenceCallout",
    kinds=_CONFERENCE_ID_TYPES,
    targets=("svaml", "callout"),
    example=Example(
        text={"action": {"name": "connectConf", "conferenceId": ""}},
        fixed={"action": {"name": "connectConf", "conferenceId": "team"}},
    ),
)
def conference_id_length(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Give a conference an id of 1 to 64 characters.

    A conference id names the room every participant joins; Sinch requires one, and it
    "shouldn't exceed 64 characters". Use a non-empty id of at most 64 characters (a UUID fits).

    In callout requests (`POST /calling/v1/callouts`) it checks conferenceCallout `conferenceId`.
    """
    if isinstance(obj, _CONFERENCE_ID_TYPES):  # always: narrows the type
        size = len(obj.conference_id)
        if size == 0:
            yield Finding(f"{where}/conferenceId", "conferenceId is empty: name the conference room")
        elif size > CONFERENCE_ID_LIMIT:
            yield Finding(
                f"{where}/conferenceId",
                f"conferenceId is {size} characters; Sinch allows at most {CONFERENCE_ID_LIMIT}: "
                "use a shorter id",
            )


_DTMF = frozenset(DTMF_KEYS)


@rule(
    "SV504",
    "invalid-dtmf",
    _E,
    summary="A DTMF string holds characters other than 0-9, # and w",
    source=f"{_OAS}: dtmf pattern [0-9#w] (connectPstn.dtmf, sendDtmf, menu option dtmf, callouts); "
    "Java SDK DualToneMultiFrequency",
    kinds=_DTMF_FIELDS,
    targets=("svaml", "callout"),
    example=Example(text=_send_dtmf("1234*"), fixed=_send_dtmf("1234#")),
)
def invalid_dtmf(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Use only ``0``-``9``, ``#`` and ``w`` in DTMF strings.

    DTMF strings use the digits ``0``-``9``, ``#``, and ``w`` for a 500 ms pause
    (``ww1234#w#``). Sinch documents no other character (not even ``*``), and an empty string sends
    nothing. Checked in ``sendDtmf.value``, ``connectPstn.dtmf``, each menu option's ``dtmf`` key
    and a callout's ``dtmf``.

    In callout requests (`POST /calling/v1/callouts`) it checks `dtmf`.
    """
    attr, name = _DTMF_FIELDS[obj.__class__]
    value = getattr(obj, attr)
    if value is not None:
        if not value:
            yield Finding(f"{where}/{name}", f"{name} is empty: write the keys to send, from 0-9, # and w")
        elif not _DTMF.issuperset(value):
            bad = "".join(sorted({c for c in value if c not in _DTMF}))
            yield Finding(
                f"{where}/{name}",
                f"{name} {value!r} holds {bad!r}: DTMF strings take only 0-9, # and w (a 500 ms pause)",
            )


@rule(
    "SV505",
    "negative-value",
    _E,
    summary="A count, timeout or rate is negative",
    source=f"{_OAS}: integer fields dialTimeout, repeats, maxDigits, timeoutMills, maxTimeoutMills, "
    "streamingOptions, conferenceDtmfOptions",
    kinds=_NON_NEGATIVE_FIELDS,
    targets=("svaml", "callout"),
    example=Example(text=_menu(repeats=-1), fixed=_menu(repeats=2)),
)
def negative_value(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Keep counts, timeouts and rates at zero or more.

    Counts, timeouts and rates cannot be negative: ``connectPstn.dialTimeout``; a menu's
    ``repeats``, ``maxDigits``, ``timeoutMills`` and ``maxTimeoutMills``; ``streamingOptions``
    ``version`` and ``sampleRate``; ``conferenceDtmfOptions`` ``maxDigits`` and ``timeoutMills``.
    Write 0 or more, or leave the field out for Sinch's default.

    In callout requests (`POST /calling/v1/callouts`) it checks conferenceCallout `conferenceDtmfOptions`.
    """
    for attr, name in _NON_NEGATIVE_FIELDS[obj.__class__]:
        value = getattr(obj, attr)
        if value is not None and value < 0:
            yield Finding(
                f"{where}/{name}",
                f"{name} is {value}: it must be 0 or more (leave it out for Sinch's default)",
            )


def schema_keywords(limits: Limits = DEFAULT_LIMITS) -> dict[type, dict[str, dict[str, object]]]:
    """The JSON Schema keywords of the limits above, by model class and JSON field name.

    What a schema can say of SV501 (``minimum``/``maximum``), SV502 on plain text (``maxLength``;
    a prompt string holds several prompts, beyond a schema), SV503 (``minLength``/``maxLength``),
    SV504 (``pattern``) and SV505 (``minimum``). The JSON Schema takes them from here, so the
    schema and the rules share one source.
    """
    found: dict[type, dict[str, dict[str, object]]] = {}

    def add(cls: type, name: str, **keywords: object) -> None:
        found.setdefault(cls, {}).setdefault(name, {}).update(keywords)

    for kind in _MAX_DURATION_KINDS:
        add(kind, "maxDuration", minimum=1, maximum=MAX_DURATION)
    for cls, fields in _SAY_FIELDS.items():
        for _, name, what in fields:
            if what == "text":
                add(cls, name, maxLength=limits.say)
    for conference in _CONFERENCE_ID_TYPES:
        add(conference, "conferenceId", minLength=1, maxLength=CONFERENCE_ID_LIMIT)
    # `$` would also match before a final newline in Python's re (jsonschema's engine).
    keys = "0-9" + "".join(c for c in DTMF_KEYS if not c.isdigit())  # [0-9#w]: no escapes to read
    for cls, (_, name) in _DTMF_FIELDS.items():
        add(cls, name, pattern=f"^[{keys}]+$(?!\\n)")
    for cls, pairs in _NON_NEGATIVE_FIELDS.items():
        for _, name in pairs:
            add(cls, name, minimum=0)
    return found

"""Hypothesis strategies for SVAML v2: valid commands and whole documents, derived from the v2 rules' tables.

Every document :func:`documents` generates validates with no diagnostic at all, reads back equal,
and is valid for the v2 JSON Schemas (normal and strict)::

    from hypothesis import given
    from svaml import validate
    from svaml.v2.strategies import documents

    @given(documents())
    def test_v2_documents_are_clean(doc):
        assert validate(doc) == []

The limits come from the rules (``NAME_LIMITS``, ``RANGES``, ``SAMPLE_RATES``, ``TEXT_LIMIT``)
and the voices from the catalogue, so a changed limit changes what is generated. Handlers nest
commands up to ``depth`` levels; menus generate ``gotoMenu`` only to their own items.

This module needs hypothesis, which ``import svaml`` never loads: ``pip install 'svaml[testing]'``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import TypeVar

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a test with hypothesis hidden
    raise ImportError(
        "svaml.v2.strategies needs hypothesis, which is not installed: pip install 'svaml[testing]'"
    ) from exc

from svaml.rules._v2._limits import NAME_LIMITS, RANGES, SAMPLE_RATES, TEXT_LIMIT
from svaml.v2.document import Svaml2
from svaml.v2.model.commands import (
    BLOCKING_COMMANDS,
    Amd,
    AmdEvents,
    Answer,
    BridgeCall,
    CallEvents,
    Command,
    Dial,
    GotoMenu,
    Hangup,
    Menu,
    MenuItem,
    MenuPrompt,
    Messages,
    MessagesEvents,
    Pause,
    RecordingEvents,
    RecordingOptions,
    StartRecording,
    StopMessages,
    StopRecording,
    TranscriptionOptions,
    Webhook,
)
from svaml.v2.model.document import Document
from svaml.v2.model.endpoints import Phone, Sip, SipFrom, Stream, StreamOptions, VoiceRelay
from svaml.v2.model.enums import RecordingDestination, RecordingFormat, RecordingType, Transport
from svaml.v2.model.messages import Message, Play, Say
from svaml.v2.model.voices import VOICE_NAMES

__all__ = ["commands", "documents", "messages"]

_T = TypeVar("_T")
_Strategy = st.SearchStrategy

_NAME_CHARS = string.ascii_letters + string.digits + "-_."


def _name(cls: type, attr: str) -> _Strategy[str]:
    """A name within the limit the rules set for ``cls.attr``."""
    most = next(limit for (c, a, _), (limit, _) in NAME_LIMITS.items() if c is cls and a == attr)
    return st.text(_NAME_CHARS, min_size=1, max_size=most)


def _int(cls: type, attr: str) -> _Strategy[int]:
    low, high = next(r for (c, a, _), r in RANGES.items() if c is cls and a == attr)
    return st.integers(low, high if high is not None else low + 100_000)


def _optional(strategy: _Strategy[_T]) -> _Strategy[_T | None]:
    return st.none() | strategy


_VOICES = st.sampled_from(VOICE_NAMES)
_TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="<"), min_size=1, max_size=80
).filter(str.strip)
_NUMBERS = st.from_regex(r"\+[1-9][0-9]{6,13}", fullmatch=True)
_HOST = st.from_regex(r"[a-z]{1,10}\.(com|se|net)", fullmatch=True)
_HTTPS = st.builds(lambda host, path: f"https://{host}/{path}", _HOST, st.text(_NAME_CHARS, max_size=12))


def _say() -> _Strategy[Say]:
    long = st.text("abc ", min_size=TEXT_LIMIT - 5, max_size=TEXT_LIMIT).filter(str.strip)
    return st.builds(Say, _TEXT | long, voice_name=_VOICES)


def messages() -> _Strategy[Message]:
    """A SAY (a catalogue voice, text up to the limit) or a PLAY (an https URL)."""
    return _say() | st.builds(Play, _HTTPS.map(lambda u: u + ".mp3"))


_MESSAGES = st.lists(messages(), min_size=1, max_size=10)
#: The pause put between messages and a hangup, so the messages are heard (S2302).
_HEARD_MS = 3000

_DESTINATIONS = st.one_of(
    st.builds(Phone, _NUMBERS),
    st.builds(
        Sip,
        _HOST.map(lambda h: f"sip:agent@{h}"),
        transport=_optional(st.sampled_from(Transport)),
    ),
    st.builds(
        Stream,
        _HOST.map(lambda h: f"wss://{h}/audio"),
        stream_options=_optional(
            st.builds(StreamOptions, version=st.just(1), sample_rate=_optional(st.sampled_from(SAMPLE_RATES)))
        ),
    ),
    st.builds(
        VoiceRelay,
        _HOST.map(lambda h: f"wss://{h}/relay"),
        tts_voice=_VOICES,
        stt_language=st.sampled_from(["en-US", "sv-SE", "zh-Hans-CN", "es-419"]),
        enable_interruptions=_optional(st.booleans()),
    ),
)
_ORIGINS = st.builds(Phone, _NUMBERS) | st.builds(
    SipFrom, _HOST.map(lambda h: f"sip:desk@{h}"), display_name=_optional(st.text("abc ", max_size=20))
)
_SCHEMES = {
    RecordingDestination.AWS: "s3",
    RecordingDestination.GCP: "gs",
    RecordingDestination.AZURE: "azure",
}
_RECORDING = st.sampled_from(RecordingDestination).flatmap(
    lambda where: st.builds(
        RecordingOptions,
        destination=st.just(where),
        destination_url=st.just(f"{_SCHEMES[where]}://recordings/calls"),
        credentials=st.just("KEY:SECRET:eu-west-1"),
        format=_optional(st.sampled_from(RecordingFormat)),
        recording_type=_optional(st.sampled_from(RecordingType)),
        transcription_options=_optional(
            st.builds(TranscriptionOptions, st.booleans(), locale=st.just("en-US"))
        ),
    )
)


def _heard(commands: Iterable[Command]) -> tuple[Command, ...]:
    """The commands, with a pause before a hangup that would cut the messages before it short (S2302)."""
    out: list[Command] = []
    playing = False
    for command in commands:
        if isinstance(command, Messages):
            playing = True
        elif isinstance(command, BLOCKING_COMMANDS):
            playing = False
        elif isinstance(command, Hangup) and playing:
            out.append(Pause(_HEARD_MS))
            playing = False
        out.append(command)
    return tuple(out)


def _handler(depth: int) -> _Strategy[tuple[Command, ...] | None]:
    if depth <= 0:
        return st.none() | st.just(()) | st.just((Hangup(),))
    return _optional(st.lists(_command(depth - 1, None), max_size=3).map(_heard))


def _leaves(menu: tuple[str, ...] | None) -> list[_Strategy[Command]]:
    found: list[_Strategy[Command]] = [
        st.just(Answer()),
        st.builds(Hangup, _optional(_name(Hangup, "call_name"))),
        st.builds(Pause, _int(Pause, "duration_milliseconds")),
        st.builds(StopMessages, _name(StopMessages, "messages_name")),
        st.builds(StopRecording, _name(StopRecording, "recording_name")),
        st.builds(BridgeCall, _name(BridgeCall, "bridge_name")),
        st.builds(Webhook, _name(Webhook, "webhook_name"), url=_HTTPS, fallback_url=_optional(_HTTPS)),
    ]
    if menu:
        found.append(st.sampled_from(menu).map(GotoMenu))
    return found


def _command(depth: int, menu: tuple[str, ...] | None) -> _Strategy[Command]:
    """A command; ``menu`` holds the item names a ``gotoMenu`` may go to (None outside a menu)."""
    leaves = _leaves(menu)
    if depth <= 0:
        return st.one_of(leaves)
    inner = _handler(depth)
    nested = [
        st.builds(
            Dial,
            _DESTINATIONS,
            call_name=_optional(_name(Dial, "call_name")),
            from_=_optional(_ORIGINS),
            dial_timeout_duration_seconds=_optional(_int(Dial, "dial_timeout_duration_seconds")),
            max_call_duration_seconds=_optional(_int(Dial, "max_call_duration_seconds")),
            events=_optional(
                st.builds(CallEvents, on_answer=inner, on_busy=inner, on_hangup=inner, on_failure=inner)
            ),
        ),
        st.builds(
            Messages,
            _MESSAGES,
            messages_name=_optional(_name(Messages, "messages_name")),
            events=_optional(st.builds(MessagesEvents, on_finish=inner)),
        ),
        st.builds(Amd, events=_optional(st.builds(AmdEvents, on_human=inner, on_machine=inner))),
        st.builds(
            StartRecording,
            _RECORDING,
            recording_name=_optional(_name(StartRecording, "recording_name")),
            events=_optional(st.builds(RecordingEvents, on_finish=inner, on_failure=inner)),
        ),
        _menu(depth - 1),
    ]
    return st.one_of(*leaves, *nested)


@st.composite
def _menu_draw(draw: st.DrawFn, depth: int) -> Menu:
    names = draw(st.lists(st.text(_NAME_CHARS, min_size=1, max_size=16), min_size=1, max_size=3, unique=True))
    context = tuple(names)
    # Every item is reached: each but the first is the target of a gotoMenu in the first.
    items = []
    for index, name in enumerate(names):
        keys = draw(
            st.lists(st.sampled_from(["1", "2", "3", "#", "[4-9]", "\\*", "0{2}"]), unique=True, max_size=3)
        )
        matches = {
            key: _heard(draw(st.lists(_command(depth, context), min_size=1, max_size=2))) for key in keys
        }
        if index == 0:
            for number, target in enumerate(names[1:]):
                matches[f"9{number}"] = (GotoMenu(target),)
        low = draw(st.integers(1, 3))
        items.append(
            MenuItem(
                name,
                prompt=draw(
                    _optional(st.builds(MenuPrompt, _MESSAGES, allow_barge_in=_optional(st.booleans())))
                ),
                input_timeout_duration_seconds=draw(
                    _optional(_int(MenuItem, "input_timeout_duration_seconds"))
                ),
                repeat_count=draw(_optional(_int(MenuItem, "repeat_count"))),
                minimum_input_length=low,
                maximum_input_length=draw(st.integers(low, 100)),
                terminating_sequence=draw(_optional(st.sampled_from(["#", "*", "##", "0#"]))),
                matches=matches or None,
                on_fail=draw(_optional(st.lists(_command(0, context), max_size=2).map(_heard))),
            )
        )
    return Menu(start_menu=names[0], menus=tuple(items))


def _menu(depth: int) -> _Strategy[Menu]:
    return _menu_draw(depth)


def commands(depth: int = 2) -> _Strategy[Command]:
    """A valid command, its handlers nesting commands up to ``depth`` levels."""
    return _command(depth, None)


@st.composite
def _document(draw: st.DrawFn, depth: int) -> Svaml2:
    doc = Svaml2(commands=_heard(draw(st.lists(commands(depth), min_size=1, max_size=4))))
    if draw(st.booleans()):
        doc = doc.with_call_name(draw(_name(Document, "call_name")))
    return doc


def documents(depth: int = 2) -> _Strategy[Svaml2]:
    """A valid v2 document: 1 to 4 commands, handlers nested up to ``depth`` levels."""
    return _document(depth)

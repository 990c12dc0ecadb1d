"""Tests of the chainable builder: immutability, one action, per-callback refusals, canonical JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from svaml import (
    Amd,
    CallHeader,
    ConferenceDtmfOptions,
    Destination,
    Menu,
    MenuOption,
    RecordingOptions,
    StreamingOptions,
    Svaml,
    SvamlError,
    SvamlTypeError,
    TranscriptionOptions,
    menu,
    return_,
    tts,
)
from svaml.model import (
    ACTION_CLASSES,
    ACTIONS_ALLOWED,
    INSTRUCTION_CLASSES,
    INSTRUCTIONS_ALLOWED,
    Callback,
    ConnectConf,
    ConnectMxp,
    ConnectSip,
    ConnectStream,
    Say,
    SetCookie,
)
from svaml.typed import step_name

# One call of every builder method, by the SVAML name it adds.
STEPS: dict[str, Callable[[Any], Any]] = {
    "answer": lambda s: s.answer(),
    "say": lambda s: s.say("Hello", locale="en-US"),
    "playFiles": lambda s: s.play_files(tts("Hi"), locale="en-US"),
    "sendDtmf": lambda s: s.send_dtmf("1234#"),
    "setCookie": lambda s: s.set_cookie("k", "v"),
    "startRecording": lambda s: s.start_recording(),
    "stopRecording": lambda s: s.stop_recording(),
    "hangup": lambda s: s.hangup(),
    "continue": lambda s: s.continue_(),
    "connectPstn": lambda s: s.connect_pstn("+46701234567"),
    "connectMxp": lambda s: s.connect_mxp("alice"),
    "connectConf": lambda s: s.connect_conf("room"),
    "connectSip": lambda s: s.connect_sip("alice@sip.example.com"),
    "connectStream": lambda s: s.connect_stream("wss://stream.example.com/audio"),
    "runMenu": lambda s: s.run_menu(Menu(id="main", options=[MenuOption(dtmf=1, action=return_("one"))])),
    "park": lambda s: s.park(hold_prompt=tts("Please hold")),
}
ALLOWED = {**ACTIONS_ALLOWED, **INSTRUCTIONS_ALLOWED}
ENTRY = {
    Callback.ICE: Svaml.ice,
    Callback.ACE: Svaml.ace,
    Callback.PIE: Svaml.pie,
    Callback.PATCH: Svaml.patch,
    Callback.CALL_LEG: Svaml.call_leg,
}


def test_chain_emits_canonical_json() -> None:
    """The issue's example chain writes the camelCase SVAML Sinch documents."""
    doc = (
        Svaml()
        .answer()
        .say("Hi", locale="en-US")
        .run_menu(
            Menu(id="main", main_prompt=tts("Press 1"), options=[MenuOption(dtmf=1, action=menu("main"))])
        )
    )
    expected = {
        "instructions": [{"name": "answer"}, {"name": "say", "text": "Hi", "locale": "en-US"}],
        "action": {
            "name": "runMenu",
            "menus": [
                {
                    "id": "main",
                    "mainPrompt": "#tts[Press 1]",
                    "options": [{"dtmf": "1", "action": "menu(main)"}],
                }
            ],
        },
    }
    assert expected == json.loads(doc.to_json())


def test_every_method_returns_a_new_document() -> None:
    """Each builder method leaves its receiver unchanged and returns a new Svaml."""
    for name, step in STEPS.items():
        base = Svaml()
        new = step(base)
        assert (Svaml(), True) == (base, isinstance(new, Svaml)), name
        assert new != base, name


def test_shared_prefix_branches_independently() -> None:
    """Two branches built from one prefix do not see each other's steps."""
    prefix = Svaml.ice().answer().say("Welcome", locale="en-US")
    left = prefix.hangup()
    right = prefix.say("Connecting", locale="en-US").connect_pstn("+46701234567")
    assert (len(left.instructions), len(right.instructions), prefix.action) == (2, 3, None)


def test_second_action_names_both() -> None:
    """Setting a second action raises SvamlError naming the first and the second action."""
    with pytest.raises(SvamlError, match="already has the action hangup; cannot also set connectConf"):
        Svaml().hangup().connect_conf("room")


@pytest.mark.parametrize("callback", list(ENTRY), ids=str)
@pytest.mark.parametrize("name", list(STEPS))
def test_callback_entry_points_allow_exactly_the_table(callback: Callback, name: str) -> None:
    """Each entry point allows the methods Sinch's table allows and refuses the others with the reason."""
    start = ENTRY[callback]()
    if callback in ALLOWED[name]:
        assert callback == STEPS[name](start).callback
    else:
        with pytest.raises(SvamlError, match=re.escape(f"{name} is not allowed in {callback.phrase}")):
            STEPS[name](start)


def test_answer_in_ace_says_where_it_is_allowed() -> None:
    """The refusal of answer in an ACE response says which callbacks allow it."""
    with pytest.raises(SvamlError) as info:
        Svaml.ace().answer()
    expected = (
        "the instruction answer is not allowed in an ACE response; "
        "Sinch allows it only in an ICE response or a call update (PATCH)"
    )
    assert expected == str(info.value)


def test_snake_case_arguments_become_camel_case_json() -> None:
    """Keyword arguments are snake_case and every one of them lands in its camelCase JSON field."""
    doc = Svaml().connect_pstn(
        "+46701234567",
        locale="sv-SE",
        max_duration=3600,
        dial_timeout=30,
        cli="private",
        suppress_callbacks=True,
        dtmf="ww12#",
        indications="se",
        amd=Amd(enabled=True, async_=False),
    )
    expected = {
        "name": "connectPstn",
        "number": "+46701234567",
        "locale": "sv-SE",
        "maxDuration": 3600,
        "dialTimeout": 30,
        "cli": "private",
        "suppressCallbacks": True,
        "dtmf": "ww12#",
        "indications": "se",
        "amd": {"enabled": True, "async": False},
    }
    assert expected == doc.to_dict()["action"]


def test_connect_actions_take_strings_or_objects() -> None:
    """A plain string destination gets the action's destination type; headers may be a mapping."""
    mxp = Svaml().connect_mxp("alice", call_headers={"x-app": "1"}).to_dict()["action"]
    sip = Svaml().connect_sip(Destination(type="sip", endpoint="bob@example.com"), transport="tls").to_dict()
    stream = Svaml().connect_stream(
        "wss://s.example.com", streaming_options=StreamingOptions(version=1, sample_rate=16000)
    )
    expected = (
        {
            "name": "connectMxp",
            "destination": {"type": "username", "endpoint": "alice"},
            "callHeaders": [{"key": "x-app", "value": "1"}],
        },
        {
            "name": "connectSip",
            "destination": {"type": "sip", "endpoint": "bob@example.com"},
            "transport": "TLS",
        },
        {
            "name": "connectStream",
            "destination": {"type": "Websocket", "endpoint": "wss://s.example.com"},
            "streamingOptions": {"version": 1, "sampleRate": 16000},
        },
    )
    assert expected == (mxp, sip["action"], stream.to_dict()["action"])


def test_recording_and_conference_options_serialize() -> None:
    """Nested option objects are written with their camelCase names and the credentials kept."""
    doc = (
        Svaml()
        .start_recording(
            RecordingOptions(
                destination_url="s3://b/k",
                credentials="A:S:eu-west-1",
                notification_events=True,
                transcription_options=TranscriptionOptions(enabled=True, locale="en-US"),
            )
        )
        .connect_conf("room", conference_dtmf_options=ConferenceDtmfOptions(mode="DETECT", max_digits=2))
    )
    expected = {
        "instructions": [
            {
                "name": "startRecording",
                "options": {
                    "destinationUrl": "s3://b/k",
                    "credentials": "A:S:eu-west-1",
                    "notificationEvents": True,
                    "transcriptionOptions": {"enabled": True, "locale": "en-US"},
                },
            }
        ],
        "action": {
            "name": "connectConf",
            "conferenceId": "room",
            "conferenceDtmfOptions": {"mode": "detect", "maxDigits": 2},
        },
    }
    assert expected == doc.to_dict()


def test_credentials_never_show_in_repr() -> None:
    """The recording credentials are a secret: a repr shows stars instead."""
    options = RecordingOptions(destination_url="s3://b", credentials="AKIA:topsecret:eu")
    assert ("topsecret" in repr(options), "credentials=***" in repr(options)) == (False, True)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Svaml().say(42), "Say.text must be str, got int"),  # type: ignore[arg-type]
        (lambda: Svaml().connect_pstn(max_duration="60"), "ConnectPstn.max_duration must be int, got str"),  # type: ignore[arg-type]
        (lambda: Svaml().connect_pstn(suppress_callbacks=1), "must be bool, got int"),  # type: ignore[arg-type]
        (lambda: Svaml().connect_sip("a@b", transport=6), "transport must be a Transport or str, got int"),  # type: ignore[arg-type]
        (lambda: Svaml().play_files("welcome.wav"[0:0] or "x", locale=3), "PlayFiles.locale must be str"),  # type: ignore[arg-type]
        (
            lambda: Svaml().run_menu(Menu(id="main", options=[MenuOption(dtmf=[1], action="x")])),  # type: ignore[arg-type]
            "expected a DTMF key, got list",
        ),
        (lambda: Svaml().connect_sip(3), "destination must be a Destination or str, got int"),  # type: ignore[arg-type]
        (lambda: Svaml().connect_mxp(call_headers="x"), "expected a sequence, got str"),  # type: ignore[arg-type]
        (lambda: Svaml(instructions=["say"]), "must be an instruction, got str"),  # type: ignore[list-item]
        (lambda: Svaml().with_action("hangup"), "expected an action, got str"),  # type: ignore[arg-type]
        (lambda: Menu(id="main", options="1"), "expected a sequence, got str"),  # type: ignore[arg-type]
    ],
)
def test_types_are_checked_at_construction(build: Callable[[], object], message: str) -> None:
    """A value of the wrong type raises SvamlTypeError (a TypeError) at the call that passes it."""
    with pytest.raises(SvamlTypeError, match=message):
        build()


def test_to_json_indent_is_for_humans() -> None:
    """to_json is compact by default and indented on request, both the same document."""
    doc = Svaml().say("Hej", locale="sv-SE").hangup()
    compact, pretty = doc.to_json(), doc.to_json(indent=2)
    assert (True, json.loads(compact)) == ("\n  " in pretty, json.loads(pretty))
    assert " " not in compact.replace("sv-SE", "").replace("Hej", "")


def test_non_ascii_is_written_as_is() -> None:
    """Text in any language is written as UTF-8 characters, not escapes."""
    assert '"text":"Hallå, välkommen"' in Svaml().say("Hallå, välkommen", locale="sv-SE").hangup().to_json()


@pytest.mark.parametrize("name", [*ACTION_CLASSES, *INSTRUCTION_CLASSES])
def test_every_step_is_its_model_class(name: str) -> None:
    """Each action and instruction has the step named for it in snake_case, documented by its class."""
    cls = {**ACTION_CLASSES, **INSTRUCTION_CLASSES}[name]
    method = step_name(name)
    step = getattr(Svaml, method)
    doc = STEPS[name](Svaml())
    added = doc.action if name in ACTION_CLASSES else doc.instructions[-1]
    expected = (method, cls.__doc__, cls)
    assert expected == (step.__name__, step.__doc__, type(added))


def test_model_classes_take_what_the_builder_takes() -> None:
    """The builder's conveniences are the model's: positional first fields, str destinations, header maps."""
    built = Svaml().connect_sip("bob@example.com", call_headers={"x-app": "1"}).action
    expected = ConnectSip(
        destination=Destination(type="sip", endpoint="bob@example.com"),
        call_headers=(CallHeader(key="x-app", value="1"),),
    )
    assert (expected, expected) == (built, ConnectSip("bob@example.com", call_headers={"x-app": "1"}))
    expected_rest = (
        Destination(type="username", endpoint="alice"),
        Destination(type="Websocket", endpoint="wss://s.example.com"),
        Say(text="Hi", locale="en-US"),
        SetCookie(key="k", value="v"),
        ConnectConf(conference_id="room"),
    )
    assert expected_rest == (
        ConnectMxp("alice").destination,
        ConnectStream("wss://s.example.com").destination,
        Say("Hi", locale="en-US"),
        SetCookie("k", "v"),
        ConnectConf("room"),
    )

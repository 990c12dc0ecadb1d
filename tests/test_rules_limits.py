"""Tests of the limit rules: maxDuration, TTS length, conference ids, DTMF, negative values (SV50x, SV51x)."""

from __future__ import annotations

from typing import Any

import pytest

from svaml import ConferenceDtmfOptions, Menu, MenuOption, StreamingOptions, Svaml, SvamlError, validate
from svaml.rules import RULES

GOOD = "+46701234567"
LONG = "x" * 601


def found(doc: Any, callback: str | None = None) -> list[tuple[str, str]]:
    """Return the (code, pointer) of every diagnostic of ``doc``."""
    return [(d.code, d.pointer) for d in validate(doc, callback=callback)]


def action(name: str, **fields: Any) -> dict[str, Any]:
    """Return a SVAML document whose action is ``name`` with ``fields``."""
    return {"action": {"name": name, **fields}}


def menu(**fields: Any) -> dict[str, Any]:
    """Return a runMenu document with one menu ``main`` holding ``fields``."""
    return action("runMenu", locale="en-US", menus=[{"id": "main", **fields}])


def say(text: str) -> dict[str, Any]:
    """Return a document that says ``text`` and hangs up."""
    return {"instructions": [{"name": "say", "text": text, "locale": "en-US"}], "action": {"name": "hangup"}}


def callout(method: str, **fields: Any) -> dict[str, Any]:
    """Return a callout request of ``method``: a correct body but for ``fields``."""
    base: dict[str, dict[str, Any]] = {
        "ttsCallout": {"cli": GOOD, "destination": {"type": "number", "endpoint": GOOD}, "locale": "en-US"},
        "conferenceCallout": {"cli": GOOD, "destination": {"endpoint": GOOD}, "conferenceId": "room"},
        "customCallout": {"ice": "https://example.com/ice"},
    }
    return {"method": method, method: {**base[method], **fields}}


FIRES = [
    ("pstn-over", action("connectPstn", number=GOOD, maxDuration=14401), [("SV501", "/action/maxDuration")]),
    (
        "sip-zero",
        action("connectSip", destination={"endpoint": "a@b.example"}, maxDuration=0),
        [("SV501", "/action/maxDuration")],
    ),
    (
        "stream-negative",
        action(
            "connectStream", destination={"type": "Websocket", "endpoint": "wss://x.example"}, maxDuration=-1
        ),
        [("SV501", "/action/maxDuration")],
    ),
    ("park-over", action("park", maxDuration=100000), [("SV501", "/action/maxDuration")]),
    ("say-601", say(LONG), [("SV502", "/instructions/0/text")]),
    (
        "tts-prompt-in-play-files",
        {
            "instructions": [{"name": "playFiles", "ids": ["welcome", f"#tts[{LONG}]"], "locale": "en-US"}],
            "action": {"name": "hangup"},
        },
        [("SV502", "/instructions/0/ids/1")],
    ),
    (
        "ssml-prompt-in-menu",
        menu(mainPrompt=f"#tts[Hi];#ssml[<speak>{'y' * 590}</speak>]"),
        [("SV502", "/action/menus/0/mainPrompt")],
    ),
    (
        "unterminated-prompt-in-menu",
        menu(repeatPrompt=f"#tts[{LONG}"),
        [("SV502", "/action/menus/0/repeatPrompt"), ("SV801", "/action/menus/0/repeatPrompt")],
    ),
    (
        "park-hold-prompt",
        action("park", locale="en-US", holdPrompt=f"#tts[{LONG}]"),
        [("SV502", "/action/holdPrompt")],
    ),
    ("conference-id-empty", action("connectConf", conferenceId=""), [("SV503", "/action/conferenceId")]),
    ("conference-id-65", action("connectConf", conferenceId="c" * 65), [("SV503", "/action/conferenceId")]),
    (
        "send-dtmf-star",
        {"instructions": [{"name": "sendDtmf", "value": "12*3"}], "action": {"name": "hangup"}},
        [("SV504", "/instructions/0/value")],
    ),
    (
        "send-dtmf-empty",
        {"instructions": [{"name": "sendDtmf", "value": ""}], "action": {"name": "hangup"}},
        [("SV504", "/instructions/0/value")],
    ),
    ("pstn-dtmf-upper-w", action("connectPstn", number=GOOD, dtmf="W1"), [("SV504", "/action/dtmf")]),
    (
        "menu-key",
        menu(options=[{"dtmf": "A", "action": "return(a)"}]),
        [("SV504", "/action/menus/0/options/0/dtmf")],
    ),
    (
        "menu-key-negative-integer",
        menu(options=[{"dtmf": -1, "action": "return(a)"}]),
        [("SV022", "/action/menus/0/options/0/dtmf"), ("SV504", "/action/menus/0/options/0/dtmf")],
    ),
    ("dial-timeout", action("connectPstn", number=GOOD, dialTimeout=-5), [("SV505", "/action/dialTimeout")]),
    (
        "menu-counts",
        menu(repeats=-1, maxDigits=-1, timeoutMills=-1, maxTimeoutMills=-1),
        [
            ("SV505", "/action/menus/0/repeats"),
            ("SV505", "/action/menus/0/maxDigits"),
            ("SV505", "/action/menus/0/timeoutMills"),
            ("SV505", "/action/menus/0/maxTimeoutMills"),
        ],
    ),
    (
        "streaming-options",
        action(
            "connectStream",
            destination={"type": "Websocket", "endpoint": "wss://x.example"},
            streamingOptions={"version": -1, "sampleRate": -16000},
        ),
        [("SV505", "/action/streamingOptions/version"), ("SV505", "/action/streamingOptions/sampleRate")],
    ),
    (
        "conference-dtmf-options",
        action(
            "connectConf",
            conferenceId="room",
            conferenceDtmfOptions={"mode": "detect", "maxDigits": -1, "timeoutMills": -1},
        ),
        [
            ("SV505", "/action/conferenceDtmfOptions/maxDigits"),
            ("SV505", "/action/conferenceDtmfOptions/timeoutMills"),
        ],
    ),
    (
        "callout-max-duration",
        callout("customCallout", maxDuration=20000),
        [("SV501", "/customCallout/maxDuration")],
    ),
    (
        "callout-conference-max-duration",
        callout("conferenceCallout", maxDuration=0),
        [("SV501", "/conferenceCallout/maxDuration")],
    ),
    ("callout-text", callout("ttsCallout", text=LONG), [("SV502", "/ttsCallout/text")]),
    ("callout-prompts", callout("ttsCallout", prompts=f"#tts[{LONG}]"), [("SV502", "/ttsCallout/prompts")]),
    (
        "callout-greeting",
        callout("conferenceCallout", greeting=f"#tts[{LONG}]"),
        [("SV502", "/conferenceCallout/greeting")],
    ),
    (
        "callout-conference-id",
        callout("conferenceCallout", conferenceId="c" * 65),
        [("SV503", "/conferenceCallout/conferenceId")],
    ),
    ("callout-dtmf", callout("ttsCallout", text="Hi", dtmf="1-2"), [("SV504", "/ttsCallout/dtmf")]),
    (
        "callout-negative",
        callout("conferenceCallout", conferenceDtmfOptions={"maxDigits": -2}),
        [("SV505", "/conferenceCallout/conferenceDtmfOptions/maxDigits")],
    ),
]


@pytest.mark.parametrize(("doc", "expected"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_rule_fires(doc: Any, expected: list[tuple[str, str]]) -> None:
    """Each value out of its limits gets exactly its diagnostic, at the value."""
    assert expected == found(doc)


QUIET = [
    ("max-duration-bounds", action("connectPstn", number=GOOD, maxDuration=14400)),
    ("max-duration-one", action("park", maxDuration=1)),
    ("say-600", say("x" * 600)),
    ("say-600-non-ascii", say("å" * 600)),
    (
        "prompts-600-each",
        menu(mainPrompt=f"#tts[{'x' * 600}];#ssml[<speak>{'y' * 580}</speak>];#tts[{'z' * 600}]"),
    ),
    (
        "long-url-is-not-tts",
        {
            "instructions": [{"name": "playFiles", "ids": ["https://example.com/" + "a" * 700]}],
            "action": {"name": "hangup"},
        },
    ),
    ("conference-id-64", action("connectConf", conferenceId="c" * 64)),
    (
        "dtmf-alphabet",
        {
            "instructions": [{"name": "sendDtmf", "value": "ww1234#w#0987654321"}],
            "action": {"name": "connectPstn", "number": GOOD, "dtmf": "w#"},
        },
    ),
    ("zeros", menu(repeats=0, maxDigits=0, timeoutMills=0, maxTimeoutMills=0)),
    (
        "builder",
        Svaml.ice()
        .answer()
        .say("x" * 600, locale="en-US")
        .send_dtmf("1#w")
        .connect_pstn(GOOD, max_duration=14400, dial_timeout=0, dtmf="ww1"),
    ),
    (
        "builder-menu",
        Svaml.ice().run_menu(
            Menu(
                id="main",
                repeats=2,
                max_digits=4,
                timeout_mills=5000,
                options=(MenuOption(dtmf="#", action="return(x)"),),
            ),
            locale="en-US",
        ),
    ),
    (
        "builder-conference",
        Svaml.ace().connect_conf(
            "c" * 64,
            conference_dtmf_options=ConferenceDtmfOptions(mode="detect", max_digits=1, timeout_mills=3000),
        ),
    ),
    (
        "builder-stream",
        Svaml.ice().connect_stream(
            "wss://x.example/audio",
            streaming_options=StreamingOptions(version=1, sample_rate=16000),
            max_duration=60,
        ),
    ),
    (
        "callouts",
        callout(
            "conferenceCallout",
            maxDuration=14400,
            dtmf="1#",
            conferenceId="r" * 64,
            conferenceDtmfOptions={"maxDigits": 0},
            greeting="#tts[Welcome]",
        ),
    ),
    ("tts-callout-600", callout("ttsCallout", text="x" * 600, dtmf="w1")),
]


@pytest.mark.parametrize("doc", [q[1] for q in QUIET], ids=[q[0] for q in QUIET])
def test_rule_quiet(doc: Any) -> None:
    """Values at their limits give no diagnostic."""
    expected: list[tuple[str, str]] = []
    assert expected == found(doc)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            action("connectPstn", number=GOOD, maxDuration=20000),
            "maxDuration is 20000; Sinch allows at most 14400 (4 hours): lower it",
        ),
        (
            action("park", maxDuration=0),
            "maxDuration is 0; write 1 to 14400 seconds, or leave it out for Sinch's default",
        ),
        (
            say(LONG),
            "the text is 601 characters; Sinch speaks at most 600 by default: shorten it or split it into "
            "several parts",
        ),
        (
            menu(mainPrompt=f"#ssml[<speak>{'y' * 590}</speak>]"),
            "a #ssml prompt holds 605 characters; Sinch speaks at most 600 per prompt by default: "
            "shorten it or split it into several prompts separated by ';'",
        ),
        (action("connectConf", conferenceId=""), "conferenceId is empty: name the conference room"),
        (
            action("connectPstn", number=GOOD, dtmf="1*2a"),
            "dtmf '1*2a' holds '*a': DTMF strings take only 0-9, # and w (a 500 ms pause)",
        ),
        (
            action("connectPstn", number=GOOD, dialTimeout=-1),
            "dialTimeout is -1: it must be 0 or more (leave it out for Sinch's default)",
        ),
    ],
)
def test_messages_say_how_to_fix(doc: Any, message: str) -> None:
    """Messages say the value, the limit and what to do."""
    expected = [message]
    assert expected == [d.message for d in validate(doc)]


def test_builder_refuses_values_out_of_limits() -> None:
    """The builder's guard raises on these errors when the JSON is written."""
    with pytest.raises(SvamlError, match=r"maxDuration is 14401.*\[SV501\]"):
        Svaml.ice().connect_pstn(GOOD, max_duration=14401).to_json()
    with pytest.raises(SvamlError, match=r"\[SV502\]"):
        Svaml.ice().say("x" * 601, locale="en-US").hangup().to_json()
    with pytest.raises(SvamlError, match=r"\[SV504\]"):
        Svaml.ice().send_dtmf("*").hangup().to_json()


def test_say_limit_doc_names_the_configured_limit() -> None:
    """The SV502 doc says the limit can be raised and how to tell svaml the application's limit."""
    doc = RULES["SV502"].doc
    expected = (True, True, True)
    assert expected == (
        "Sinch support can raise the limit" in doc,
        "limits = {say = 1200}" in doc,
        "Limits(say=1200)" in doc,
    )


def test_limit_rules_check_svaml_and_callouts() -> None:
    """SV501 to SV505 check SVAML documents and callout requests alike, under one code each."""
    expected = [frozenset({"svaml", "callout"})] * 5
    assert expected == [RULES[f"SV50{i}"].targets for i in range(1, 6)]

"""Tests of the action rules: recording with connectMxp, stream endpoints, destination types, AMD (SV6xx)."""

from __future__ import annotations

from typing import Any

import pytest

from svaml import Amd, Destination, Svaml, SvamlError, validate
from svaml.cli.fix import apply_edits

GOOD = "+46701234567"
RECORD = {"name": "startRecording", "options": {"destinationUrl": "s3://bucket/calls"}}


def found(doc: Any, callback: str | None = None) -> list[tuple[str, str]]:
    """Return the (code, pointer) of every diagnostic of ``doc``."""
    return [(d.code, d.pointer) for d in validate(doc, callback=callback)]


def action(name: str, **fields: Any) -> dict[str, Any]:
    """Return a SVAML document whose action is ``name`` with ``fields``."""
    return {"action": {"name": name, **fields}}


def stream(endpoint: str, kind: str | None = "Websocket") -> dict[str, Any]:
    """Return a connectStream document to ``endpoint`` with destination type ``kind``."""
    destination = {"endpoint": endpoint} if kind is None else {"type": kind, "endpoint": endpoint}
    return action("connectStream", destination=destination)


def mxp(*instructions: dict[str, Any]) -> dict[str, Any]:
    """Return a connectMxp document to the user alice, after ``instructions``."""
    return {
        "instructions": list(instructions),
        "action": {"name": "connectMxp", "destination": {"type": "username", "endpoint": "alice"}},
    }


ENDPOINT = "/action/destination/endpoint"
AMD = action("connectPstn", number=GOOD, amd={"enabled": True})

FIRES = [
    ("recording-with-mxp", mxp(RECORD), None, [("SV601", "/instructions/0")]),
    (
        "start-and-stop-with-mxp",
        mxp({"name": "answer"}, RECORD, {"name": "stopRecording"}),
        "ice",
        [("SV601", "/instructions/1")],
    ),
    ("stream-https", stream("https://media.example/audio"), None, [("SV602", ENDPOINT)]),
    ("stream-bare-host", stream("media.example"), None, [("SV602", ENDPOINT)]),
    ("stream-no-host", stream("wss:///audio"), None, [("SV602", ENDPOINT)]),
    ("stream-spaces", stream("wss://media.example/a b"), None, [("SV602", ENDPOINT)]),
    ("stream-bad-ipv6", stream("wss://[::1/audio"), None, [("SV602", ENDPOINT)]),
    ("stream-ws", stream("ws://media.example/audio"), None, [("SV603", ENDPOINT)]),
    ("stream-ws-upper", stream("WS://media.example/audio"), None, [("SV603", ENDPOINT)]),
    (
        "mxp-number-type",
        action("connectMxp", destination={"type": "number", "endpoint": GOOD}),
        None,
        [("SV604", "/action/destination/type")],
    ),
    (
        "sip-username-type",
        action("connectSip", destination={"type": "username", "endpoint": "a@sip.example"}),
        None,
        [("SV604", "/action/destination/type")],
    ),
    ("stream-sip-type", stream("wss://media.example", "sip"), None, [("SV604", "/action/destination/type")]),
    ("stream-no-type", stream("wss://media.example", None), None, [("SV604", "/action/destination")]),
    ("amd-in-pie", AMD, "pie", [("SV605", "/action/amd/enabled")]),
    (
        "amd-string-in-pie",
        action("connectPstn", number=GOOD, amd={"enabled": "true"}),
        "pie",
        [("SV025", "/action/amd/enabled"), ("SV605", "/action/amd/enabled")],
    ),
]


@pytest.mark.parametrize(("doc", "callback", "expected"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_rule_fires(doc: Any, callback: str | None, expected: list[tuple[str, str]]) -> None:
    """Each mistake gets exactly its diagnostic, where it is."""
    assert expected == found(doc, callback)


QUIET = [
    (
        "recording-with-pstn",
        {"instructions": [RECORD], "action": {"name": "connectPstn", "number": GOOD}},
        None,
    ),
    ("mxp-without-recording", mxp({"name": "setCookie", "key": "k", "value": "v"}), "ice"),
    ("stream-wss", stream("wss://media.example:8443/audio?call=1"), "ice"),
    ("stream-wss-upper-type", stream("WSS://media.example/audio", "websocket"), None),
    ("mxp-untyped", action("connectMxp", destination={"endpoint": "alice"}), None),
    (
        "mxp-username-any-case",
        action("connectMxp", destination={"type": "Username", "endpoint": "alice"}),
        None,
    ),
    ("sip-untyped", action("connectSip", destination={"endpoint": "a@sip.example"}), None),
    ("mxp-no-destination", action("connectMxp"), "ice"),
    ("amd-in-ice", AMD, "ice"),
    ("amd-unknown-callback", AMD, None),
    ("amd-disabled-in-pie", action("connectPstn", number=GOOD, amd={"enabled": False}), "pie"),
    ("builder-mxp", Svaml.ice().answer().connect_mxp("alice", call_headers={"k": "v"}), None),
    ("builder-sip", Svaml.ice().start_recording().connect_sip("a@sip.example", transport="TLS"), None),
    ("builder-stream", Svaml.ice().connect_stream("wss://media.example/audio"), None),
    ("builder-amd", Svaml.ice().connect_pstn(GOOD, amd=Amd(enabled=True, async_=True)), None),
]


@pytest.mark.parametrize(("doc", "callback"), [q[1:] for q in QUIET], ids=[q[0] for q in QUIET])
def test_rule_quiet(doc: Any, callback: str | None) -> None:
    """Correct documents give no SV6xx diagnostic (the letter-case ones warn under SV023 only)."""
    expected: list[tuple[str, str]] = []
    assert expected == [f for f in found(doc, callback) if f[0] not in ("SV023",)]


def test_recording_fix_removes_every_recording_instruction() -> None:
    """SV601 is reported once and its fix removes all recording instructions, highest index first."""
    say = {"name": "say", "text": "Hi", "locale": "en-US"}
    doc = mxp(RECORD, {"name": "answer"}, say, {"name": "stopRecording"}, RECORD)
    (diagnostic,) = validate(doc)
    assert diagnostic.fix is not None
    fixed = apply_edits(doc, diagnostic.fix.edits)
    expected: tuple[Any, ...] = (
        ["/instructions/4", "/instructions/3", "/instructions/0"],
        mxp({"name": "answer"}, say),
        [],
    )
    assert expected == ([e.path for e in diagnostic.fix.edits], fixed, validate(fixed))


def test_stream_type_fix_adds_websocket() -> None:
    """The SV604 fix for a connectStream destination without type adds "Websocket"."""
    doc = stream("wss://media.example", None)
    (diagnostic,) = validate(doc)
    assert diagnostic.fix is not None
    fixed = apply_edits(doc, diagnostic.fix.edits)
    assert (stream("wss://media.example"), []) == (fixed, validate(fixed))


@pytest.mark.parametrize(
    ("doc", "callback", "message"),
    [
        (
            mxp(RECORD),
            None,
            "Sinch ignores recording with connectMxp: the recording instruction will do nothing; "
            "remove it or record a call connected another way",
        ),
        (
            stream("https://media.example/a"),
            None,
            "the stream endpoint 'https://media.example/a' uses https://: write a wss://host/path URL "
            "(a WebSocket server on the same host is wss://…)",
        ),
        (
            stream("ws://media.example"),
            None,
            "the stream endpoint 'ws://media.example' is not encrypted: use wss:// (WebSocket/TLS)",
        ),
        (
            action("connectSip", destination={"type": "number", "endpoint": "a@b"}),
            None,
            "connectSip connects to a SIP endpoint: its destination type must be 'sip', not 'number'; "
            "to call a phone number use connectPstn",
        ),
        (
            AMD,
            "pie",
            "Sinch ignores AMD in a PIE response: it works only in the ICE response of a customCallout",
        ),
    ],
)
def test_messages_say_how_to_fix(doc: Any, callback: str | None, message: str) -> None:
    """Messages say what is wrong and what to do."""
    expected = [message]
    assert expected == [d.message for d in validate(doc, callback=callback)]


def test_builder_refuses_a_wrong_destination_type() -> None:
    """The builder's guard raises on SV602 and SV604 errors, and lets the SV603 warning through."""
    with pytest.raises(SvamlError, match=r"\[SV604\]"):
        Svaml.ice().connect_mxp(Destination(type="sip", endpoint="alice")).to_json()
    with pytest.raises(SvamlError, match=r"\[SV602\]"):
        Svaml.ice().connect_stream("https://media.example").to_json()
    assert '"endpoint":"ws://media.example"' in Svaml.ice().connect_stream("ws://media.example").to_json()

"""S2302: a hangup of the leg right after its messages cuts them short, in any sequence at any depth."""

from __future__ import annotations

from typing import Any

import pytest

from svaml.diagnostic import Severity
from svaml.rules import validate
from svaml.v2 import Svaml2
from svaml.v2.model import MenuItem, Say

GOODBYE: dict[str, Any] = {
    "command": "messages",
    "messages": [{"type": "SAY", "say": {"text": "Thank you for calling. Goodbye.", "voiceName": "Emma"}}],
}
HANGUP: dict[str, Any] = {"command": "hangup"}


def _found(doc: Any, **options: Any) -> list[str]:
    """The pointers of the S2302 findings of a v2 document."""
    return [d.pointer for d in validate(doc, version=2, **options) if d.code == "S2302"]


def _dial(call_name: str | None = "agent", **events: list[dict[str, Any]]) -> dict[str, Any]:
    dial: dict[str, Any] = {"command": "dial", "to": {"type": "PHONE", "phone": {"number": "+46701234567"}}}
    if call_name is not None:
        dial["callName"] = call_name
    return {**dial, "events": events}


def test_top_level_hangup_after_messages_is_a_warning_naming_what_is_cut() -> None:
    """[messages, hangup] at the top level: a warning at the hangup, naming the messages and onFinish."""
    found = validate({"commands": [GOODBYE, HANGUP]}, version=2)
    expected = [("S2302", "/commands/1", Severity.WARNING, None)]
    assert expected == [(d.code, d.pointer, d.severity, d.fix) for d in found]
    message = found[0].message
    expected_words = (True, True, True)
    assert expected_words == (
        "/commands/0 ('Thank you for calling. Goodbye.')" in message,
        "events.onFinish" in message,
        "pause, menu or webhook" in message,
    )


def test_inside_a_handler() -> None:
    """The sequence of a dial's onAnswer is checked as the top level is."""
    doc = {"commands": [_dial(onAnswer=[{"command": "answer"}, GOODBYE, HANGUP])]}
    expected = ["/commands/0/events/onAnswer/2"]
    assert expected == _found(doc)


def test_in_a_nested_menus_matches() -> None:
    """A menu inside a menu's matches: its own matches' sequence is checked, at its full pointer."""
    inner = Svaml2().menu(MenuItem("inner", matches={"1": Svaml2().say("Bye.", "Emma").hangup()}))
    doc = Svaml2().menu(MenuItem("main", prompt=Say("Press 1", voice_name="Emma"), matches={"1": inner}))
    expected = ["/commands/0/menus/main/matches/1/0/menus/inner/matches/1/1"]
    assert (expected, expected) == (_found(doc), _found(doc.to_dict()))


@pytest.mark.parametrize(
    "between",
    [
        {"command": "pause", "durationMilliseconds": 3000},
        {"command": "webhook", "webhookName": "goodbye", "url": "https://acme.com/voice"},
        {"command": "menu", "startMenu": "main", "menus": {"main": {}}},
    ],
    ids=["pause", "webhook", "menu"],
)
def test_a_blocking_command_between_is_no_finding(between: dict[str, Any]) -> None:
    """pause, webhook or menu between the messages and the hangup holds the hangup back: no finding."""
    expected: list[str] = []
    assert expected == _found({"commands": [GOODBYE, between, HANGUP]})


def test_goto_menu_between_is_no_finding() -> None:
    """A gotoMenu blocks too: inside a menu's matches, [messages, gotoMenu, hangup] draws no S2302."""
    doc = Svaml2().menu(
        MenuItem("main", matches={"1": Svaml2().say("Again.", "Emma").goto_menu("main").hangup()})
    )
    expected: list[str] = []
    assert expected == _found(doc)


def test_a_non_blocking_command_between_does_not_help() -> None:
    """answer, dial or stopMessages of another name between do not wait: the messages are still cut."""
    stop = {"command": "stopMessages", "messagesName": "music"}
    doc = {"commands": [GOODBYE, {"command": "answer"}, _dial(), stop, HANGUP]}
    expected = ["/commands/4"]
    assert expected == _found(doc)


def test_on_finish_form_is_no_finding() -> None:
    """The v2 way, the hangup in the messages' onFinish, draws nothing at all."""
    doc = {"commands": [{**GOODBYE, "events": {"onFinish": [HANGUP]}}]}
    built = Svaml2().say("Thank you for calling. Goodbye.", "Emma", on_finish=Svaml2().hangup())
    expected: tuple[list[object], list[object]] = ([], [])
    assert expected == (validate(doc, version=2), validate(built))


def test_hangup_of_another_leg_is_no_finding() -> None:
    """A hangup naming another leg leaves this one playing; the document's own leg name counts."""
    other = {"commands": [GOODBYE, {"command": "hangup", "callName": "agent"}], "callName": "caller"}
    own = {"commands": [GOODBYE, {"command": "hangup", "callName": "caller"}], "callName": "caller"}
    unnamed = {"commands": [GOODBYE, {"command": "hangup", "callName": "caller"}]}
    expected = ([], ["/commands/1"], [])
    assert expected == (_found(other), _found(own), _found(unnamed))


def test_the_leg_of_a_dial_handler() -> None:
    """A dial's onAnswer runs on the dialled leg (its callName counts); onBusy on the leg that dialled."""
    agent = {"command": "hangup", "callName": "agent"}
    caller = {"command": "hangup", "callName": "caller"}
    doc = {
        "callName": "caller",
        "commands": [
            _dial(onAnswer=[GOODBYE, agent], onHangup=[GOODBYE, caller], onBusy=[GOODBYE, caller]),
            _dial(None, onTimeout=[GOODBYE, agent]),
        ],
    }
    expected = ["/commands/0/events/onAnswer/1", "/commands/0/events/onBusy/1"]
    assert expected == _found(doc)


def test_top_level_name_counts_only_where_it_takes_effect() -> None:
    """The top-level callName names the leg in the answer to call.incoming, not in another answer."""
    doc = {"commands": [GOODBYE, {"command": "hangup", "callName": "caller"}], "callName": "caller"}
    expected = (["/commands/1"], [])
    assert expected == (_found(doc, use="call.incoming"), _found(doc, use="call.answered"))


def test_several_messages_one_finding_for_the_first_hangup() -> None:
    """Two messages before the hangup: one finding naming both; nothing after the leg has ended."""
    doc = {"commands": [GOODBYE, GOODBYE, HANGUP, GOODBYE, HANGUP]}
    found = [d for d in validate(doc, version=2) if d.code == "S2302"]
    expected = (["/commands/2"], True)
    assert expected == (
        [d.pointer for d in found],
        "the 2 messages at /commands/0, /commands/1; hang up in the last one's" in found[0].message,
    )


def test_messages_stopped_first_are_no_finding() -> None:
    """Messages a stopMessages of their name stops (before, or already) are not what the hangup cuts."""
    named = {**GOODBYE, "messagesName": "hold"}
    stop = {"command": "stopMessages", "messagesName": "hold"}
    expected: tuple[list[str], list[str]] = ([], [])
    assert expected == (
        _found({"commands": [named, stop, HANGUP]}),
        _found({"commands": [stop, named, HANGUP]}),
    )


def test_a_command_that_does_not_read_between_is_no_finding() -> None:
    """A broken command between may have been blocking: S2002 for it, no guess of S2302."""
    broken = {"command": "pause", "durationMilliseconds": "3000"}
    expected = ["S2002"]
    assert expected == [d.code for d in validate({"commands": [GOODBYE, broken, HANGUP]}, version=2)]


def test_builder_still_writes_the_pattern() -> None:
    """A warning, not an error: the builder's guard writes [messages, hangup] (as a PATCH may want)."""
    doc = Svaml2().say("Bye.", "Emma").hangup()
    expected = ({"command": "hangup"}, ["/commands/1"])
    assert expected == (doc.to_dict()["commands"][1], _found(doc))

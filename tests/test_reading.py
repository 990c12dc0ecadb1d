"""Reading loses nothing and a broken part hides nothing: open enums, wrong-typed fields, liberal reads."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from svaml import Svaml, SvamlError, codec, validate
from svaml.errors import SvamlTypeError
from svaml.model import Action, CalloutRequest, ConnectPstn, Document, Instruction
from svaml.rules import RULES

ISSUE_EXAMPLE = {
    "action": {"name": "connectPstn", "number": "0701234567", "maxDuration": 99999, "indications": "zz"}
}


def _found(data: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """The (code, pointer) of every diagnostic of ``data``."""
    return [(d.code, d.pointer) for d in validate(data, **kwargs)]


def test_a_broken_part_hides_nothing() -> None:
    """An unknown enum value, a national number and a too long duration are all reported together."""
    expected = [
        ("SV006", "/action/indications"),
        ("SV401", "/action/number"),
        ("SV501", "/action/maxDuration"),
    ]
    assert expected == _found(ISSUE_EXAMPLE)


def test_a_wrong_type_on_an_optional_field_leaves_the_other_rules_running() -> None:
    """A wrong-typed optional field is SV002 at its pointer, and every other rule on the object still runs."""
    data = {"action": {**ISSUE_EXAMPLE["action"], "maxDuration": "long"}}
    expected = [
        ("SV002", "/action/maxDuration"),
        ("SV006", "/action/indications"),
        ("SV401", "/action/number"),
    ]
    assert expected == _found(data)


def test_a_wrong_typed_value_is_kept_and_written_back() -> None:
    """A wrong-typed optional field's raw value is kept in extras under its JSON name and written back."""
    data = {"name": "connectPstn", "number": "+46701234567", "maxDuration": "long", "amd": {"enabled": 3}}
    found = codec.read(data, Action, "action")
    expected = (["/action/maxDuration", "/action/amd/enabled"], {"maxDuration": "long"}, data)
    assert expected == (
        [d.pointer for d in found.problems],
        dict(found.value.extras),
        codec.unstructure(found.value),
    )


def test_siblings_of_a_broken_instruction_are_checked() -> None:
    """A wrong-typed field in one instruction hides neither its siblings nor the action from the rules."""
    data = {
        "instructions": [{"name": "say", "text": "hi", "locale": 5}, {"name": "playFiles", "ids": ["x"]}],
        "action": {
            "name": "connectPstn",
            "number": "+46701234567",
            "amd": {"enabled": 3},
            "maxDuration": 99999,
        },
    }
    expected = [
        ("SV002", "/instructions/0/locale"),
        ("SV002", "/action/amd/enabled"),
        ("SV501", "/action/maxDuration"),
    ]
    assert expected == _found(data)


def test_a_callout_request_with_a_broken_field_is_still_checked() -> None:
    """A callout request with a wrong-typed flag and an unknown domain gets every rule, and writes back."""
    data = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": "+12015550123",
            "destination": {"type": "number", "endpoint": "0701234567"},
            "text": "hi",
            "enableAce": "yes",
            "domain": "zz",
        },
    }
    expected = (
        [
            ("SV002", "/ttsCallout/enableAce"),
            ("SV006", "/ttsCallout/domain"),
            ("SV401", "/ttsCallout/destination/endpoint"),
        ],
        data,
    )
    assert expected == (_found(data), codec.unstructure(codec.read(data, CalloutRequest).value))


def test_a_broken_required_field_still_fails_its_part_alone() -> None:
    """A problem no optional field holds fails its part only; the other parts are read and checked."""
    data = {
        "instructions": [{"name": "say"}, {"name": "say", "text": "hi", "locale": "en-US"}],
        "action": {"name": "connectPstn", "number": "0701234567"},
    }
    expected = [("SV003", "/instructions/0"), ("SV401", "/action/number")]
    assert expected == _found(data)


# -- open enums -----------------------------------------------------------------------------------

OPEN_ENUMS = [
    {"name": "connectPstn", "indications": "unknown value"},
    {"name": "connectConf", "conferenceId": "r", "moh": "jazz"},
    {"name": "connectConf", "conferenceId": "r", "conferenceDtmfOptions": {"mode": "shout"}},
    {"name": "connectSip", "destination": {"type": "sips", "endpoint": "a@b"}, "transport": "SCTP"},
]


@pytest.mark.parametrize("action", OPEN_ENUMS)
def test_a_value_outside_its_enum_reads_and_writes_back_unchanged(action: dict[str, Any]) -> None:
    """A value outside a documented enum reads as text and writes back as it was, as a plain read."""
    found = codec.read(action, Action)
    assert (action, [], False) == (codec.unstructure(found.value), found.problems, found.liberal)


def test_validate_reports_a_value_outside_its_enum_with_the_allowed_values() -> None:
    """The validator says SV006 for each value outside its enum and names the values allowed."""
    data = {"action": {**OPEN_ENUMS[3], "moh": "jazz"}}
    expected = [
        ("SV006", "/action/transport", "expected one of UDP, TCP, TLS, got 'SCTP'"),
        ("SV006", "/action/moh", "expected one of ring, music1, music2, music3, got 'jazz'"),
        (
            "SV006",
            "/action/destination/type",
            "expected one of number, username, sip, did, Websocket, got 'sips'",
        ),
    ]
    assert expected == [(d.code, d.pointer, d.message) for d in validate(data) if d.code == "SV006"]


def test_the_builder_refuses_a_wrong_type_and_its_check_an_unknown_value() -> None:
    """An enum field given an int raises at once; an unknown text builds, and to_json's check says SV006."""
    with pytest.raises(SvamlTypeError, match="transport must be a Transport or str, got int"):
        Svaml().connect_sip("a@b", transport=6)  # type: ignore[arg-type]
    doc = Svaml().connect_sip("a@b", transport="SCTP")
    with pytest.raises(SvamlError) as info:
        doc.to_json()
    expected = ([("SV006", "/action/transport")], "SCTP")
    assert expected == (
        [(d.code, d.pointer) for d in info.value.problems],
        doc.to_dict(check=False)["action"]["transport"],
    )


# -- the liberal flag travels with the read ---------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "liberal"),
    [
        ({"name": "hangup"}, False),
        ({"name": "connectPstn", "maxDuration": 60, "unknown": [1.5]}, False),
        ({"name": "connectPstn", "maxDuration": 60.0}, True),
        ({"name": "Hangup"}, True),
        ({"name": "connectMxp", "callheaders": [{"key": "a", "value": "b"}]}, True),
        ({"name": "connectPstn", "amd": {"enabled": "true"}}, True),
        ({"name": "connectPstn", "indications": "NO"}, True),
        ({"name": "connectPstn", "indications": False}, True),
    ],
)
def test_a_read_is_liberal_exactly_when_it_does_not_write_back(part: dict[str, Any], liberal: bool) -> None:
    """codec.read says whether a liberal form was read: names, aliases, numbers, booleans, enum spellings."""
    assert liberal == codec.read(part, Action).liberal


def test_the_canonical_form_rules_run_when_a_part_was_read_liberally() -> None:
    """A liberal form in one part is reported even when the others are canonical."""
    data = {"instructions": [{"name": "answer"}], "action": {"name": "connectPstn", "maxDuration": 60.0}}
    expected = [("SV026", "/action/maxDuration")]
    assert expected == _found(data)


def test_reading_a_union_and_a_document_agree() -> None:
    """An instruction read alone is the one read inside its document."""
    say = {"name": "say", "text": "hi"}
    expected = codec.read(say, Instruction).value
    assert expected == codec.read({"instructions": [say]}, Document).value.instructions[0]


def test_model_classes_use_attrs_own_init() -> None:
    """A model class's __init__ is attrs' own, with readable source (tracebacks show it)."""
    assert "def __init__(self, number=" in inspect.getsource(ConnectPstn.__init__)


def test_unknown_fields_nested_very_deeply_are_refused_as_json_is() -> None:
    """Python data nested deeper than JSON text may be (500 levels) is SV001 at the level that passes it."""
    deep: Any = "x"
    for _ in range(100_000):
        deep = {"a": deep}
    expected = [("SV001", "/action/extra/0" + "/a" * 497)]
    assert expected == _found({"action": {"name": "hangup", "extra": [deep]}})


def test_unknown_fields_nested_deeply_still_read() -> None:
    """An object whose unknown field is nested 400 levels deep reads, and is checked."""
    deep: Any = "x"
    for _ in range(400):
        deep = {"a": deep}
    expected = [("SV007", "/action/extra")]
    assert expected == _found({"action": {"name": "hangup", "extra": [deep]}})


def test_the_codes_reading_reports_are_registered_rules_found_by_reading() -> None:
    """Each code the codec reports is a registered rule of that name, documented as found by reading."""
    expected = {code: (name, True) for code, name in codec.STRUCTURE_CODES.values()}
    actual = {code: (RULES[code].name, RULES[code].found_by is not None) for code in expected}
    assert expected == actual

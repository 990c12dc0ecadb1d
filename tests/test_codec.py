"""Tests of the one converter: canonical writing, liberal reading, lossless round trips, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from svaml import Svaml, SvamlError, codec, validate
from svaml.codec import structure, unstructure
from svaml.model import CalloutRequest, Menu, MenuOption, RunMenu, TtsCallout
from svaml.model.actions import ACTION_CLASSES
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.strategies import documents, json_values, svaml_like


def test_unset_fields_are_omitted_and_order_kept() -> None:
    """Only the fields that were set are written, and instructions keep their order."""
    doc = Svaml().say("one").play_files("two").say("three").hangup()
    expected = {
        "instructions": [
            {"name": "say", "text": "one"},
            {"name": "playFiles", "ids": ["two"]},
            {"name": "say", "text": "three"},
        ],
        "action": {"name": "hangup"},
    }
    assert expected == doc.to_dict()


# Each pair: a form Sinch's own material uses, and the canonical form svaml writes for it.
LIBERAL_FORMS = [
    ({"name": "RunMenu", "menus": [{"id": "main"}]}, {"name": "runMenu", "menus": [{"id": "main"}]}),
    ({"name": "connectMXP"}, {"name": "connectMxp"}),
    ({"name": "connectpstn", "number": "+46701234567"}, {"name": "connectPstn", "number": "+46701234567"}),
    (
        {"name": "connectMxp", "callheaders": [{"key": "a", "value": "b"}]},
        {"name": "connectMxp", "callHeaders": [{"key": "a", "value": "b"}]},
    ),
    (
        {"name": "connectSip", "destination": {"type": "Sip", "endpoint": "a@b"}, "transport": "tls"},
        {"name": "connectSip", "destination": {"type": "sip", "endpoint": "a@b"}, "transport": "TLS"},
    ),
    (
        {"name": "runMenu", "menus": [{"id": "main", "options": [{"dtmf": 1, "action": "return(x)"}]}]},
        {"name": "runMenu", "menus": [{"id": "main", "options": [{"dtmf": "1", "action": "return(x)"}]}]},
    ),
    ({"name": "connectPstn", "indications": False}, {"name": "connectPstn", "indications": "no"}),
    ({"name": "connectPstn", "amd": {"enabled": "true"}}, {"name": "connectPstn", "amd": {"enabled": True}}),
    ({"name": "connectPstn", "maxDuration": 60.0}, {"name": "connectPstn", "maxDuration": 60}),
    (
        {"name": "connectConf", "conferenceId": "r", "moh": "MUSIC1"},
        {"name": "connectConf", "conferenceId": "r", "moh": "music1"},
    ),
]


@pytest.mark.parametrize(("liberal", "canonical"), LIBERAL_FORMS)
def test_liberal_forms_read_and_write_canonically(liberal: dict[str, Any], canonical: dict[str, Any]) -> None:
    """A non-canonical form of Sinch's material reads, and is written back in canonical form."""
    assert {"action": canonical} == Svaml.from_dict({"action": liberal}).to_dict(check=False)


def test_start_recording_destination_reads_as_destination_url() -> None:
    """The OAS example's startRecording `destination` is read as `destinationUrl`."""
    doc = Svaml.from_dict(
        {
            "instructions": [{"name": "startRecording", "options": {"destination": "s3://b"}}],
            "action": {"name": "continue"},
        }
    )
    assert doc.to_dict()["instructions"] == [
        {"name": "startRecording", "options": {"destinationUrl": "s3://b"}}
    ]


def test_unknown_fields_survive_a_round_trip() -> None:
    """Fields svaml does not know are kept at every level and written back unchanged."""
    data = {
        "instructions": [{"name": "say", "text": "Hi", "voiceStyle": {"pitch": 2}}],
        "action": {
            "name": "runMenu",
            "record": True,
            "menus": [
                {"id": "main", "future": [1, 2], "options": [{"dtmf": "1", "action": "return(a)", "x": None}]}
            ],
        },
        "version": 2,
    }
    assert data == Svaml.from_dict(data).to_dict(check=False)


def test_from_json_takes_str_and_bytes() -> None:
    """from_json reads text and UTF-8 bytes into the same document."""
    text = '{"instructions":[{"name":"say","text":"Hallå"}],"action":{"name":"hangup"}}'
    assert Svaml.from_json(text) == Svaml.from_json(text.encode()) == Svaml().say("Hallå").hangup()


def test_problems_list_every_pointer() -> None:
    """Reading a malformed document reports every problem with its JSON pointer in one error."""
    data = {
        "instructions": [{"name": "say"}, {"name": "shout"}, 7],
        "action": {
            "name": "runMenu",
            "menus": [
                {"id": "main", "options": [{"dtmf": "1", "action": "x"}, {"dtmf": [1], "action": "y"}]}
            ],
        },
    }
    with pytest.raises(SvamlError) as info:
        Svaml.from_dict(data)
    expected = [
        ("/instructions/0", "SV003", "missing required field 'text'"),
        (
            "/instructions/1/name",
            "SV005",
            "unknown instruction 'shout'; expected one of playFiles, say, sendDtmf, setCookie, answer, "
            "startRecording, stopRecording",
        ),
        ("/instructions/2", "SV002", "expected an instruction object, got integer"),
        ("/action/menus/0/options/1/dtmf", "SV002", "expected a DTMF key, got list"),
    ]
    assert expected == [(p.pointer, p.code, p.message) for p in info.value.problems]
    assert "/action/menus/0/options/1/dtmf: expected a DTMF key, got list" in str(info.value)


def test_invalid_json_gives_line_and_column() -> None:
    """from_json on broken JSON raises SvamlError with the line and column of the syntax error."""
    with pytest.raises(SvamlError) as info:
        Svaml.from_json('{\n  "action": {"name": "hangup",}\n}')
    problem = info.value.problems[0]
    assert (problem.code, problem.line, problem.column) == ("SV001", 2, 31)


@pytest.mark.parametrize("value", [None, [], "hangup", 3, 2.5, True, b"\xff\xfe"])
def test_non_documents_raise_svaml_error(value: Any) -> None:
    """Anything that is not a SVAML object raises SvamlError, never a raw cattrs or json error."""
    read = Svaml.from_json if isinstance(value, bytes) else Svaml.from_dict
    with pytest.raises(SvamlError):
        read(value)


def test_deep_nesting_raises_svaml_error() -> None:
    """A document nested far too deep is reported, not a RecursionError."""
    deep: Any = "x"
    for _ in range(100_000):
        deep = {"a": deep}
    with pytest.raises(SvamlError):
        Svaml.from_dict({"action": {"name": "hangup", "extra": [deep]}, "instructions": [deep]})


@given(st.one_of(json_values(), svaml_like()))
def test_reading_anything_raises_only_svaml_error(data: Any) -> None:
    """from_dict on arbitrary JSON either reads or raises SvamlError with at least one problem."""
    try:
        doc = Svaml.from_dict(data)
    except SvamlError as exc:
        problems = len(exc.problems)
        assert problems >= 1
    else:
        assert doc == Svaml.from_dict(json.loads(doc.to_json(check=False)))


def test_callout_requests_round_trip() -> None:
    """A callout request body reads into the model and writes back unchanged."""
    data = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": "+12015550123",
            "destination": {"type": "number", "endpoint": "+46701234567"},
            "locale": "en-US",
            "text": "Hello",
            "enableAce": True,
        },
        "pop": "x",
    }
    request = structure(data, CalloutRequest)
    assert (data, TtsCallout) == (unstructure(request), type(request.callout))


def test_model_objects_unstructure_alone() -> None:
    """Any single model object converts to and from its JSON form through the one converter."""
    menu = Menu(id="m", options=[MenuOption(dtmf="#", action="return(x)")])
    expected = ({"id": "m", "options": [{"dtmf": "#", "action": "return(x)"}]}, {"name": "runMenu"})
    assert expected == (unstructure(menu), unstructure(RunMenu()))
    assert menu == structure(unstructure(menu), Menu)


@pytest.mark.parametrize("name", [["hangup"], {"x": 1}, 3, None, True])
@pytest.mark.parametrize("where", ["action", "instruction"])
def test_a_name_of_the_wrong_type_is_a_type_problem(name: Any, where: str) -> None:
    """An action or instruction whose `name` is not a string gets SV002/SV008, never an internal error."""
    part = {"name": name}
    data = {"action": part} if where == "action" else {"instructions": [part], "action": {"name": "hangup"}}
    pointer = "/action" if where == "action" else "/instructions/0"
    expected = [("SV008", pointer)] if name is None else [("SV002", pointer + "/name")]
    assert expected == [(d.code, d.pointer) for d in validate(data)]


def _parts(data: Any) -> list[tuple[type, dict[str, Any]]]:
    """The action and instruction objects of decoded SVAML whose name is one svaml knows exactly."""
    found = []
    if isinstance(data, dict):
        candidates = [data.get("action")]
        if isinstance(data.get("instructions"), list):
            candidates += data["instructions"]
        for part in candidates:
            if isinstance(part, dict) and isinstance(part.get("name"), str):
                cls = ACTION_CLASSES.get(part["name"]) or INSTRUCTION_CLASSES.get(part["name"])
                if cls is not None:
                    found.append((cls, part))
    return found


@given(st.one_of(svaml_like(), documents().map(lambda doc: doc.to_dict(check=False))))
@example(  # a DTMF key written as a number: read by the field's converter, a liberal form
    {"action": {"name": "runMenu", "menus": [{"id": "m", "options": [{"dtmf": -1, "action": "return(x)"}]}]}}
)
def test_every_part_that_reads_writes_back_canonically(data: Any) -> None:
    """A part that reads writes JSON that reads back equal, with the same problems and no liberal form."""
    for cls, part in _parts(data):
        found = codec.read(part, cls)
        if found.value is not None:
            assert (found.value, found.problems, False) == codec.read(unstructure(found.value), cls)


@pytest.mark.parametrize("name", ["ivr_menu", "conference", "pstn_forward"])
def test_every_part_of_a_canonical_document_reads_plainly(name: str) -> None:
    """Every part of a stored guide document reads with no problem and no liberal form."""
    data = json.loads((Path(__file__).parent.parent / "examples" / f"{name}.ice.json").read_text())
    parts = _parts(data)
    expected = [([], False)] * len(parts)
    assert expected == [codec.read(part, cls)[1:] for cls, part in parts]
    assert len(parts) == len(data.get("instructions", [])) + 1


def _structured(data: Any, cls: Any) -> Any:
    """What reading ``data`` gives: the object, or each problem's code, pointer and message."""
    try:
        return structure(data, cls)
    except SvamlError as exc:
        return [(d.code, d.pointer, d.message) for d in exc.problems]


@given(st.one_of(svaml_like(), documents().map(lambda doc: doc.to_dict(check=False))))
def test_structure_reads_as_read_does(data: Any) -> None:
    """structure() returns what read() reads, or raises with exactly the problems read() reports."""
    for cls, part in _parts(data):
        found = codec.read(part, cls)
        problems = [(d.code, d.pointer, d.message) for d in found.problems]
        expected = problems or found.value
        assert expected == _structured(part, cls)

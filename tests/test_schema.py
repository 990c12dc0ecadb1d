"""The JSON Schema is generated from the model, shipped current, and agrees with what the codec reads."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import Svaml
from svaml.codec import field_info, json_name, problems, unstructure
from svaml.diagnostic import Diagnostic
from svaml.model import (
    ACTION_CLASSES,
    ACTIONS_ALLOWED,
    INSTRUCTION_CLASSES,
    INSTRUCTIONS_ALLOWED,
    Callback,
    CalloutRequest,
)
from svaml.rules import validate, validate_callout
from svaml.schema import FILES, callout_schema, document_schema, dumps, main
from svaml.strategies import actions, callout_requests, documents, instructions, svaml_like

ROOT = Path(__file__).parent.parent
#: Every callback that takes SVAML, and None (not known).
CALLBACKS: list[Callback | None] = [None, *(cb for cb in Callback if cb is not Callback.NOTIFY)]
DOCUMENT = jsonschema.Draft202012Validator(document_schema())
SCHEMAS = {cb: jsonschema.Draft202012Validator(document_schema(cb)) for cb in CALLBACKS}
CALLOUT = jsonschema.Draft202012Validator(callout_schema())

# -- the files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_shipped_schema_is_current_and_valid(name: str) -> None:
    """Each file in schema/ is what `python -m svaml.schema schema/` writes now, and valid Draft 2020-12."""
    schema = FILES[name]()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert dumps(schema) == (ROOT / "schema" / name).read_text(encoding="utf-8"), (
        "schema/ is stale: run `python -m svaml.schema schema/`"
    )


def test_main_writes_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """main(DIR) writes one file per schema, as shipped, and prints their paths."""
    expected = (0, sorted(FILES), [str(tmp_path / "out" / n) for n in FILES])
    status = main([str(tmp_path / "out")])
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert expected == (status, written, capsys.readouterr().out.split())


def test_ids_are_stable() -> None:
    """The $ids are the documented addresses under https://svaml.dev/schema/."""
    expected = [
        "https://svaml.dev/schema/svaml.schema.json",
        "https://svaml.dev/schema/svaml-ice.schema.json",
        "https://svaml.dev/schema/svaml-ace.schema.json",
        "https://svaml.dev/schema/svaml-pie.schema.json",
        "https://svaml.dev/schema/svaml-patch.schema.json",
        "https://svaml.dev/schema/svaml-call-leg.schema.json",
        "https://svaml.dev/schema/svaml-strict.schema.json",
        "https://svaml.dev/schema/svaml-ice-strict.schema.json",
        "https://svaml.dev/schema/svaml-ace-strict.schema.json",
        "https://svaml.dev/schema/svaml-pie-strict.schema.json",
        "https://svaml.dev/schema/svaml-patch-strict.schema.json",
        "https://svaml.dev/schema/svaml-call-leg-strict.schema.json",
        "https://svaml.dev/schema/callout.schema.json",
        "https://svaml.dev/schema/callout-strict.schema.json",
    ]
    assert expected == [FILES[name]()["$id"] for name in FILES]


def test_import_does_not_load_jsonschema() -> None:
    """`import svaml.schema` and making every schema leave jsonschema unloaded."""
    code = (
        "import sys, svaml.schema as s; [f() for f in s.FILES.values()];"
        "print('jsonschema' in sys.modules, 'hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    expected = "False False"
    assert expected == out.strip()


# -- generated from the model ---------------------------------------------------------------------


def test_every_class_has_its_definition() -> None:
    """$defs holds every action, instruction and sub-object class, each described by its docstring."""
    defs = document_schema()["$defs"]
    classes = [*ACTION_CLASSES.values(), *INSTRUCTION_CLASSES.values()]
    classes += [f.target for c in list(classes) for f in field_info(c) if f.kind in ("object", "objects")]
    classes += [f.target for c in list(classes) for f in field_info(c) if f.kind in ("object", "objects")]
    expected = {c.__name__: inspect.cleandoc(c.__doc__ or "").replace("``", "`") for c in classes}
    assert expected == {name: defs[name]["description"] for name in expected}


@pytest.mark.parametrize(
    "cls", [*ACTION_CLASSES.values(), *INSTRUCTION_CLASSES.values()], ids=lambda c: c.__name__
)
def test_required_fields_are_the_model_fields_without_default(cls: type) -> None:
    """An action or instruction definition requires `name` and the attrs fields that have no default."""
    attrs.resolve_types(cls)
    expected = ["name"] + [json_name(f) for f in attrs.fields(cls) if f.default is attrs.NOTHING]
    definition = document_schema()["$defs"][cls.__name__]
    assert (expected, True) == (definition["required"], definition["additionalProperties"])


@pytest.mark.parametrize("callback", CALLBACKS, ids=str)
@given(data=st.data())
def test_generated_documents_are_schema_valid(callback: Callback | None, data: st.DataObject) -> None:
    """Every document the strategies generate for a callback validates under that callback's schema."""
    doc = data.draw(documents(callback))
    expected: list[str] = []
    assert expected == [e.message for e in SCHEMAS[callback].iter_errors(doc.to_dict(check=False))]


@given(callout_requests())
def test_generated_callout_requests_are_schema_valid(request: CalloutRequest) -> None:
    """Every callout request the strategies generate validates under the callout schema."""
    expected: list[str] = []
    assert expected == [e.message for e in CALLOUT.iter_errors(unstructure(request))]


@given(actions(), instructions(), st.sampled_from([cb for cb in CALLBACKS if cb is not None]))
def test_per_callback_schema_allows_what_the_table_allows(
    action: Any, instruction: Any, callback: Callback
) -> None:
    """A callback's schema accepts an action or an instruction exactly when the permission table allows it."""
    hangup = {"name": "hangup"}
    alone = {"action": unstructure(action)}
    with_instruction = {"instructions": [unstructure(instruction)], "action": hangup}
    expected = (callback in ACTIONS_ALLOWED[action.name], callback in INSTRUCTIONS_ALLOWED[instruction.name])
    assert expected == (SCHEMAS[callback].is_valid(alone), SCHEMAS[callback].is_valid(with_instruction))


def test_per_callback_schema_restricts_names() -> None:
    """The ICE schema refuses continue; the ACE schema refuses answer; both accept hangup."""
    ice, ace = SCHEMAS[Callback.ICE], SCHEMAS[Callback.ACE]
    hangup = {"action": {"name": "hangup"}}
    expected = (False, False, True, True)
    assert expected == (
        ice.is_valid({"action": {"name": "continue"}}),
        ace.is_valid({"instructions": [{"name": "answer"}], "action": {"name": "continue"}}),
        ice.is_valid(hangup),
        ace.is_valid(hangup),
    )


# -- the schema agrees with the codec -------------------------------------------------------------


def is_callout(data: Any) -> bool:
    """Whether the validator reads ``data`` as a callout request rather than a SVAML document."""
    return isinstance(data, dict) and "method" in data and "action" not in data and "instructions" not in data


# The rules whose limits the schema carries (SV502 only on plain text, not on prompt strings).
CARRIED = {"SV006", "SV501", "SV503", "SV504", "SV505", "SV901", "SV904", "SV906"}


def carried(d: Diagnostic) -> bool:
    """Whether the schema says what the diagnostic says (not of an inline document inside a string)."""
    inline = d.message.startswith("in the inline ")
    return not inline and (d.code in CARRIED or (d.code == "SV502" and d.pointer.endswith("/text")))


def agree(data: Any) -> tuple[bool, bool]:
    """Return (the schema accepts it, svaml reads it) for a SVAML document or a callout request.

    "svaml reads it" also asks that no rule whose limit the schema carries reports it: an
    enumerated value outside its enum (SV006: the codec reads such a value, open), ``method``
    naming the callout it carries (SV904), and the limits of SV501-SV505, SV901 and SV906.
    """
    if is_callout(data):
        readable = problems(data, CalloutRequest) == []
        return CALLOUT.is_valid(data), readable and not any(carried(d) for d in validate_callout(data))
    readable = problems(data, Svaml) == [] and not any(carried(d) for d in validate(data))
    return DOCUMENT.is_valid(data), readable


MENU = {"name": "runMenu", "menus": [{"id": "main", "options": [{"dtmf": "1", "action": "return(a)"}]}]}
#: Liberal forms Sinch's own material uses, and ones str.casefold() accepts: all read, all schema-valid.
LIBERAL = [
    {
        "action": {
            "name": "RunMenu",
            "menus": [{"id": "main", "options": [{"dtmf": 1, "action": "return(a)"}]}],
        }
    },
    {"action": {"name": "connectMXP", "callheaders": [{"key": "a", "value": "b"}]}},
    {"action": {"name": "connectmxp", "callHeaders": [], "callheaders": "ignored beside callHeaders"}},
    {
        "action": {
            "name": "connectpstn",
            "indications": False,
            "maxDuration": 60.0,
            "amd": {"enabled": "true"},
        }
    },
    {"action": {"name": "connectPstn", "indications": "false", "dialTimeout": 1e3}},
    {"action": {"name": "connectSip", "destination": {"type": "Sip", "endpoint": "a@b"}, "transport": "tls"}},
    {
        "instructions": [
            {"name": "startRecording", "options": {"destination": "s3://b", "notificationEvents": "true"}}
        ],
        "action": {"name": "hangup", "x-unknown": [1]},
        "$schema": "https://svaml.dev/schema/svaml.schema.json",
    },
    {"instructions": [{"name": "PLAYFILES", "ids": ["welcome"], "locale": None}], "action": None},
    {"instructions": None},
    {"action": {"name": "connectStream", "destination": {"type": "WEBSOCKET", "endpoint": "wss://h"}}},
    {
        "action": {
            "name": "connectConf",
            "conferenceId": "c",
            "moh": "MUSIC1",
            "conferenceDtmfOptions": {"mode": "Detect", "maxDigits": 2.0},
        }
    },
    {
        "method": "ttsCallout",
        "ttsCallout": {"cli": "+46", "destination": {"type": "Number", "endpoint": "+46"}, "domain": "PSTN"},
    },
    {
        "method": "ttsCallout",
        "ttsCallout": {"cli": "+1", "destination": {"endpoint": "+1"}, "enableAce": "false"},
        "customCallout": None,
        "x-unknown": 1,
    },
    {
        "method": "conferenceCallout",
        "conferenceCallout": {
            "destination": {"endpoint": "+1"},
            "conferenceId": "c",
            "mohClass": "Ring",
            "maxDuration": 10.0,
        },
    },
]
#: Mistakes on the structure: none reads, none is schema-valid.
INVALID = [
    [],
    {"action": {"name": "hangup\n"}},
    {"action": {"name": "hang up"}},
    {"action": {"name": "Hangup", "x": 1}, "instructions": {}},
    {"action": {"menus": []}},
    {"action": {"name": "runMenu", "menus": None}},
    {"action": {"name": "runMenu", "menus": [{"options": []}]}},
    {"action": {**MENU, "menus": [{"id": "main", "options": [{"dtmf": True, "action": "return(a)"}]}]}},
    {"action": {**MENU, "menus": [{"id": "main", "options": [{"dtmf": ["1"], "action": "return(a)"}]}]}},
    {"action": {"name": "connectMxp", "callHeaders": None}},
    {"action": {"name": "connectMxp", "callheaders": [{"key": 1, "value": "b"}]}},
    {"action": {"name": "connectPstn", "indications": "FALSE"}},
    {"action": {"name": "connectPstn", "maxDuration": 1.5}},
    {"action": {"name": "connectPstn", "maxDuration": True}},
    {"action": {"name": "connectPstn", "suppressCallbacks": "yes"}},
    {"action": {"name": "connectSip", "destination": {"type": "sips", "endpoint": "a@b"}}},
    {"action": {"name": "connectConf"}},
    {"instructions": [{"name": "say"}], "action": {"name": "hangup"}},
    {
        "instructions": [{"name": "startRecording", "options": {"destination": 5}}],
        "action": {"name": "hangup"},
    },
    {"instructions": [{"name": "playFiles", "ids": "welcome"}], "action": {"name": "hangup"}},
    {"method": "ttsCallout"},
    {"method": "smsCallout", "smsCallout": {}},
    {"method": "TTSCallout", "ttsCallout": {}},
    {"method": "ttsCallout", "ttsCallout": {}, "customCallout": {}},
    {"method": "ttsCallout", "ttsCallout": {"cli": 46}},
    {"method": 1, "ttsCallout": {}},
]


@pytest.mark.parametrize("data", LIBERAL, ids=[json.dumps(d, ensure_ascii=True)[:60] for d in LIBERAL])
def test_liberal_forms_are_schema_valid_and_read(data: Any) -> None:
    """The forms svaml reads liberally are schema-valid too."""
    expected = (True, True)
    assert expected == agree(data)


#: Names str.casefold() folds into ASCII: the codec reads them, the schema's readable ASCII patterns do not.
FOLDED = [
    {"instructions": [{"name": "\u017fay", "text": "long s folds to s"}], "action": {"name": "hangup"}},
    {"instructions": [{"name": "play\ufb01les", "ids": []}], "action": {"name": "par\u212a"}},
]


@pytest.mark.parametrize("data", FOLDED, ids=[json.dumps(d, ensure_ascii=True)[:60] for d in FOLDED])
def test_non_ascii_foldings_are_read_but_refused_by_the_schema(data: Any) -> None:
    """The long s, a ligature or the Kelvin sign in a name reads, but the schema keeps to ASCII patterns."""
    expected = (False, True)
    assert expected == agree(data)


@pytest.mark.parametrize("data", INVALID, ids=[json.dumps(d, ensure_ascii=True)[:60] for d in INVALID])
def test_structure_mistakes_are_refused_by_both(data: Any) -> None:
    """A document or request with a structure mistake is refused by the schema and by the codec alike."""
    expected = (False, False)
    assert expected == agree(data)


def test_integral_float_menu_key() -> None:
    """A menu key written 1.0 is a JSON integer to JSON Schema, and the codec reads it as "1" too."""
    data = {"action": {**MENU, "menus": [{"id": "main", "options": [{"dtmf": 1.0, "action": "return(a)"}]}]}}
    expected = (True, True)
    assert expected == agree(data)


def corpus_documents() -> list[tuple[str, Any]]:
    """Return every decodable JSON file of the corpus and the examples."""
    found = []
    for path in sorted([*(ROOT / "tests" / "corpus").rglob("*.json"), *(ROOT / "examples").glob("*.json")]):
        try:
            found.append((str(path.relative_to(ROOT)), json.loads(path.read_text(encoding="utf-8"))))
        except ValueError:
            continue
    return found


@pytest.mark.parametrize(("where", "data"), corpus_documents(), ids=[w for w, _ in corpus_documents()])
def test_schema_and_codec_agree_on_the_corpus(where: str, data: Any) -> None:
    """On every stored document, the schema accepts exactly what the codec reads."""
    schema_ok, codec_ok = agree(data)
    assert schema_ok == codec_ok, where


keys = st.sampled_from(
    [
        "name",
        "action",
        "instructions",
        "text",
        "menus",
        "options",
        "dtmf",
        "id",
        "locale",
        "destination",
        "endpoint",
        "type",
        "callHeaders",
        "callheaders",
        "key",
        "value",
        "amd",
        "enabled",
        "maxDuration",
        "cli",
        "number",
        "ids",
        "mainPrompt",
        "conferenceId",
        "moh",
        "transport",
        "indications",
        "destinationUrl",
        "barge",
        "async",
        "method",
        "ttsCallout",
        "conferenceCallout",
        "customCallout",
        "mohClass",
        "domain",
    ]
)
names = st.sampled_from(
    [
        "say",
        "RunMenu",
        "hangup",
        "connectPstn",
        "connectSip",
        "playFiles",
        "park",
        "answer",
        "startRecording",
        "connectMxp",
        "connectStream",
        "connectConf",
        "setCookie",
        "sendDtmf",
        "ttsCallout",
        "CustomCallout",
        "conferenceCallout",
        "\u017fay",
        "hangup\n",
        "hang-up",
    ]
)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(-3, 20000)
    | st.sampled_from([2.0, 2.5])
    | names
    | st.sampled_from(
        ["true", "false", "tls", "Sip", "ring", "se", "no", "x", "main", "return(a)", "username"]
    )
)
nested = st.recursive(
    leaves, lambda c: st.lists(c, max_size=3) | st.dictionaries(keys, c, max_size=5), max_leaves=30
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "action": nested,
        "instructions": st.lists(nested, max_size=3),
        "method": names,
        "ttsCallout": nested,
        "conferenceCallout": nested,
        "customCallout": nested,
    },
)


@given(shaped)
def test_schema_and_codec_agree_on_anything(data: dict[str, Any]) -> None:
    """On arbitrary SVAML-like JSON, the schema accepts exactly what the codec reads."""
    schema_ok, codec_ok = agree(data)
    assert schema_ok == codec_ok


@given(svaml_like())
def test_schema_and_codec_agree_on_broken_documents(data: Any) -> None:
    """On valid documents and requests broken at random, the schema accepts exactly what the codec reads."""
    schema_ok, codec_ok = agree(data)
    assert schema_ok == codec_ok

"""The JSON Schema is generated from the model, shipped current, and agrees with what the codec reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svaml import Svaml
from svaml.codec import problems
from svaml.model import CalloutRequest
from svaml.schema import FILES, callout_schema, document_schema, dumps

ROOT = Path(__file__).parent.parent
DOCUMENT = jsonschema.Draft202012Validator(document_schema())
CALLOUT = jsonschema.Draft202012Validator(callout_schema())


@pytest.mark.parametrize("name", list(FILES))
def test_shipped_schema_is_current_and_valid(name: str) -> None:
    """Each file in schema/ is what the generator writes now, and is a valid Draft 2020-12 schema."""
    schema = FILES[name]()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert dumps(schema) == (ROOT / "schema" / name).read_text(encoding="utf-8")


def test_ids_are_stable() -> None:
    """The $ids are the documented addresses under https://svaml.dev/schema/."""
    expected = [f"https://svaml.dev/schema/{name}" for name in FILES]
    assert expected == [FILES[name]()["$id"] for name in FILES]


def test_liberal_forms_are_schema_valid_and_read() -> None:
    """The forms Sinch's material uses pass the schema and read into the model."""
    doc = {
        "instructions": [{"name": "startRecording", "options": {"destination": "s3://b", "notificationEvents": "true"}}],
        "action": {"name": "connectMXP", "callheaders": [{"key": "a", "value": "b"}]},
    }
    menu = {"action": {"name": "RunMenu", "menus": [{"id": "main", "options": [{"dtmf": 1, "action": "return(a)"}]}]}}
    pstn = {"action": {"name": "connectpstn", "indications": False, "maxDuration": 60.0}}
    assert ([], [], []) == tuple(list(DOCUMENT.iter_errors(d)) for d in (doc, menu, pstn))
    assert [Svaml, Svaml, Svaml] == [type(Svaml.from_dict(d)) for d in (doc, menu, pstn)]


def test_per_callback_schema_restricts_names() -> None:
    """The ICE schema refuses continue; the ACE schema refuses answer; both accept hangup."""
    ice = jsonschema.Draft202012Validator(document_schema("ice"))
    ace = jsonschema.Draft202012Validator(document_schema("ace"))
    hangup = {"action": {"name": "hangup"}}
    expected = (False, False, True, True)
    assert expected == (
        ice.is_valid({"action": {"name": "continue"}}),
        ace.is_valid({"instructions": [{"name": "answer"}], "action": {"name": "continue"}}),
        ice.is_valid(hangup),
        ace.is_valid(hangup),
    )


def corpus_documents() -> list[tuple[str, Any]]:
    """Return every decodable JSON file of the corpus and the examples."""
    found = []
    for path in sorted([*(ROOT / "tests" / "corpus").rglob("*.json"), *(ROOT / "examples").glob("*.json")]):
        try:
            found.append((str(path.relative_to(ROOT)), json.loads(path.read_text(encoding="utf-8"))))
        except ValueError:
            continue
    return found


def agree(data: Any) -> tuple[bool, bool]:
    """Return (schema says valid, codec reads it) for a SVAML document or callout request."""
    is_callout = isinstance(data, dict) and "method" in data and "action" not in data and "instructions" not in data
    if is_callout:
        return CALLOUT.is_valid(data), problems(data, CalloutRequest) == []
    return DOCUMENT.is_valid(data), problems(data, Svaml) == []


@pytest.mark.parametrize(("where", "data"), corpus_documents(), ids=[w for w, _ in corpus_documents()])
def test_schema_and_codec_agree_on_the_corpus(where: str, data: Any) -> None:
    """On every stored document, the schema accepts exactly what the codec reads."""
    schema_ok, codec_ok = agree(data)
    assert schema_ok == codec_ok, where


keys = st.sampled_from(["name", "action", "instructions", "text", "menus", "options", "dtmf", "id", "locale",
                        "destination", "endpoint", "type", "callHeaders", "callheaders", "key", "value", "amd",
                        "enabled", "maxDuration", "cli", "number", "ids", "mainPrompt", "conferenceId", "moh",
                        "transport", "indications", "options", "destinationUrl", "barge", "async"])
names = st.sampled_from(["say", "RunMenu", "hangup", "connectPstn", "connectSip", "playFiles", "park", "answer",
                         "startRecording", "connectMxp", "connectStream", "connectConf", "setCookie", "sendDtmf"])
leaves = (st.none() | st.booleans() | st.integers(-3, 20000) | st.sampled_from([1.0, 2.5]) | names
          | st.sampled_from(["true", "tls", "Sip", "ring", "se", "x", "main", "return(a)", "username"]))
svaml_like = st.recursive(leaves, lambda c: st.lists(c, max_size=3) | st.dictionaries(keys, c, max_size=5),
                          max_leaves=30)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={"action": svaml_like, "instructions": st.lists(svaml_like, max_size=3)}))
def test_schema_and_codec_agree_on_anything(data: dict[str, Any]) -> None:
    """On arbitrary SVAML-like JSON, the schema accepts exactly what the codec reads."""
    schema_ok, codec_ok = agree(data)
    assert schema_ok == codec_ok

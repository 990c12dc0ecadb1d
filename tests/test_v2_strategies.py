"""SVAML v2 documents generated from the model and the rules' tables: clean, round-tripping, schema-valid."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svaml import validate
from svaml.v2 import Svaml2
from svaml.v2.schema import document_schema
from svaml.v2.strategies import commands, documents

NORMAL = jsonschema.Draft202012Validator(document_schema())
STRICT = jsonschema.Draft202012Validator(document_schema(strict=True))
_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(documents())
def test_generated_documents_are_clean(doc: Svaml2) -> None:
    """Every generated document validates with no diagnostic, built or as its JSON text."""
    expected: list[object] = []
    assert (expected, expected) == (validate(doc), validate(doc.to_json()))


@_SETTINGS
@given(documents())
def test_generated_documents_round_trip(doc: Svaml2) -> None:
    """A generated document reads back equal from its JSON, and writes the same JSON again."""
    text = doc.to_json()
    again = Svaml2.from_json(text)
    assert (doc, text) == (again, again.to_json())


@_SETTINGS
@given(documents())
def test_generated_documents_are_schema_valid(doc: Svaml2) -> None:
    """The normal and strict v2 schemas accept every generated document."""
    data = doc.to_dict()
    expected = (True, True)
    assert expected == (NORMAL.is_valid(data), STRICT.is_valid(data))


@_SETTINGS
@given(commands(depth=1))
def test_a_command_alone_is_a_document(command: object) -> None:
    """Any generated command makes a clean one-command document through the builder."""
    doc = Svaml2().with_command(command)  # type: ignore[arg-type]
    expected: list[object] = []
    assert expected == validate(doc)


_KEYS = st.sampled_from(
    [
        "command",
        "commands",
        "type",
        "to",
        "from",
        "phone",
        "sip",
        "stream",
        "voiceRelay",
        "number",
        "endpoint",
        "events",
        "onAnswer",
        "onFinish",
        "onFail",
        "messages",
        "say",
        "play",
        "text",
        "voiceName",
        "menus",
        "startMenu",
        "matches",
        "menuName",
        "prompt",
        "recordingOptions",
        "parameters",
        "batchOptions",
        "callName",
        "callHeaders",
        "key",
        "value",
        "x",
    ]
)
_WORDS = st.sampled_from(
    [
        "dial",
        "menu",
        "gotoMenu",
        "messages",
        "PHONE",
        "SIP",
        "STREAM",
        "SAY",
        "PLAY",
        "main",
        "@to",
        "+46701234567",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100_000)
    | st.floats(allow_nan=False)
    | _WORDS
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@_SETTINGS
@given(st.lists(_JSON, max_size=4), st.dictionaries(_KEYS, _JSON, max_size=3), st.booleans())
def test_validate_never_raises_on_v2_shaped_data(
    commands_: list[object], rest: dict[str, object], strict: bool
) -> None:
    """Any JSON under a commands list gets diagnostics, never an exception or an internal error."""
    found = validate({**rest, "commands": commands_}, strict=strict)
    expected: list[str] = []
    assert expected == [d.code for d in found if d.code == "SV000"]

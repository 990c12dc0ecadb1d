"""SVAML v2 documents generated from the model and the rules' tables: clean, round-tripping, schema-valid."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings

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

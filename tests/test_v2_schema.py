"""The v2 JSON Schemas: shipped and current, valid Draft 2020-12, agreeing with the codec on the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from svaml.cli import main
from svaml.rules import validate
from svaml.schema import dumps
from svaml.v2.schema import FILES, document_schema

ROOT = Path(__file__).parent.parent
CORPUS = sorted((ROOT / "tests" / "corpus" / "v2").glob("*.json"))
# What the schema refuses: what does not read, and the limits it carries (names, text, ranges);
# strict, also unknown properties and liberal forms.
READING = {"S2002", "S2003", "S2004", "S2005", "S2006", "S2008", "S2101", "S2501", "S2502"}


@pytest.mark.parametrize("name", list(FILES))
def test_shipped_v2_schema_is_current_and_valid(name: str) -> None:
    """Each v2 file in schema/ is what `python -m svaml.v2.schema schema/` writes now, and valid 2020-12."""
    schema = FILES[name]()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert dumps(schema) == (ROOT / "schema" / name).read_text(encoding="utf-8")


def _decoded() -> list[tuple[str, Any]]:
    found = []
    for path in CORPUS:
        try:
            found.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
        except ValueError:
            continue
    return found


@pytest.mark.parametrize("strict", [False, True], ids=["normal", "strict"])
def test_schema_and_codec_agree_on_the_v2_corpus(strict: bool) -> None:
    """On every v2 corpus document, the schema accepts what reads (strict: and has no unknown property)."""
    validator = jsonschema.Draft202012Validator(document_schema(strict=strict))
    # (Strict refuses S2020's liberal forms too, but for an integral float: 2020-12 calls 500.0 an integer.)
    refused = READING | ({"S2007", "S2301"} if strict else set())
    disagree = [
        name
        for name, data in _decoded()
        if validator.is_valid(data) != (not {d.code for d in validate(data, strict=strict)} & refused)
    ]
    expected: list[str] = []
    assert expected == disagree


def test_schema_command_prints_v2(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml schema --svaml-version 2 --strict` prints the strict v2 schema."""
    status = main(["schema", "--svaml-version", "2", "--strict"])
    expected = (0, "https://svaml.dev/schema/svaml-v2-strict.schema.json")
    assert expected == (status, json.loads(capsys.readouterr().out)["$id"])

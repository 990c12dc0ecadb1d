"""The guide documents in examples/ are built by their scripts and stored as the JSON they produce."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from svaml import Svaml, validate

EXAMPLES = Path(__file__).parent.parent / "examples"
GUIDE = ["ivr_menu", "conference", "pstn_forward"]


@pytest.mark.parametrize("name", GUIDE)
def test_stored_json_is_what_the_builder_writes(name: str) -> None:
    """Each example's stored .ice.json is exactly the indented JSON its builder function writes."""
    build = runpy.run_path(str(EXAMPLES / f"{name}.py"))[name]
    stored = (EXAMPLES / f"{name}.ice.json").read_text(encoding="utf-8")
    assert stored == build().to_json(indent=2) + "\n"


@pytest.mark.parametrize("name", GUIDE)
def test_guide_documents_are_clean_and_round_trip(name: str) -> None:
    """Each guide document has no diagnostic as an ICE response and reads back into the same object."""
    text = (EXAMPLES / f"{name}.ice.json").read_text(encoding="utf-8")
    doc = Svaml.from_json(text, callback="ice")
    assert ([], json.loads(text)) == (validate(text, callback="ice"), doc.to_dict())


def test_example_script_runs_as_a_user_would() -> None:
    """Running an example script prints its SVAML."""
    out = subprocess.run([sys.executable, str(EXAMPLES / "pstn_forward.py")], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out)["action"]["name"] == "connectPstn"

"""The Node code svaml prints runs on real Node with @sinch/voice from npm and builds svaml's JSON.

``tests/node`` holds the package (``package.json``, ``package-lock.json``; ``.ci/run`` runs
``npm ci`` there). Every case runs in one Node process, as starting Node is slow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_snippets import CORPUS_VALUES

from svaml import Svaml, codec
from svaml.model import Callback, StopRecording, TtsCallout, callout_request
from svaml.rules import is_valid
from svaml.snippets import NODE_HELPERS, NodeUnsupported, load, to_node
from svaml.strategies import documents

ROOT = Path(__file__).parent.parent
NODE_DIR = ROOT / "tests" / "node"
NODE = shutil.which("node")
INSTALLED = (NODE_DIR / "node_modules" / "@sinch" / "voice" / "package.json").exists()

# Skipped only off CI: .ci/run installs Node's package, so there a missing node fails the test.
needs_node = pytest.mark.skipif(
    os.environ.get("CI") != "true" and (NODE is None or not INSTALLED),
    reason="needs node and `npm ci` in tests/node (CI installs both)",
)


def run_node(cases: list[str]) -> Any:
    """Run each case's code in one Node process; return what each binds to ``document``, and the helpers."""
    assert NODE is not None, "node is not installed"
    bodies = ",\n".join(f"(() => {{\n{code}\nreturn document;\n}})()" for code in cases)
    script = (
        'const { Voice } = require("@sinch/voice");\n'
        "const helpers = {};\n"
        'for (const cb of ["ice", "ace", "pie"]) {\n'
        "  helpers[cb] = [\n"
        "    Object.keys(Voice[cb + 'ActionHelper']), Object.keys(Voice[cb + 'InstructionHelper']),\n"
        "  ];\n"
        "}\n"
        f"const documents = [\n{bodies}\n];\n"
        "process.stdout.write(JSON.stringify({ helpers, documents }));\n"
    )
    path = NODE_DIR / "_svaml_cases.js"
    path.write_text(script, encoding="utf-8")
    try:
        done = subprocess.run([NODE, path.name], cwd=NODE_DIR, capture_output=True, text=True, timeout=120)
    finally:
        path.unlink()
    expected = (0, "")
    assert expected == (done.returncode, done.stderr)
    return json.loads(done.stdout)


def collect() -> list[Svaml]:
    """Documents for ICE, ACE and PIE from the strategies, the examples and a few made by hand."""
    found: list[Svaml] = []

    @settings(max_examples=60, database=None)
    @given(st.sampled_from([Callback.ICE, Callback.ACE, Callback.PIE]).flatmap(documents))
    def gather(document: Svaml) -> None:
        found.append(document)

    gather()
    # The corpus's ICE, ACE and PIE documents (Sinch's spellings among them), as svaml reads them.
    found += [
        v for _, v in CORPUS_VALUES if isinstance(v, Svaml) and v.callback in NODE_HELPERS and is_valid(v)
    ]
    examples = ROOT / "examples"
    found += [
        load(s, base=examples)
        for s in ("ivr_menu.py:ivr_menu", "pstn_forward.py:pstn_forward", "conference.ice.json")
    ]
    return found


@needs_node
def test_node_builders_build_what_svaml_writes() -> None:
    """Node's builders, running the printed code, make svaml's JSON for every document they can express."""
    printed: list[tuple[Svaml, str]] = []
    refused = 0
    for document in collect():
        try:
            printed.append((document, to_node(document)))
        except NodeUnsupported:
            refused += 1
    assert len(printed) >= 30
    result = run_node([code for _, code in printed])
    expected = [codec.unstructure(document) for document, _ in printed]
    assert expected == result["documents"]
    actual_helpers = {
        cb: (frozenset(actions), frozenset(instructions))
        for cb, (actions, instructions) in result["helpers"].items()
    }
    assert {cb.value: helpers for cb, helpers in NODE_HELPERS.items()} == actual_helpers


def test_node_code_of_an_ivr() -> None:
    """The IVR example becomes an IceSvamletBuilder chain over the ICE helpers, runMenu's props hugged."""
    code = to_node(load("ivr_menu.py:ivr_menu", base=ROOT / "examples"))
    assert code.startswith(
        'const { Voice } = require("@sinch/voice");\n\nconst document = new Voice.IceSvamletBuilder()\n'
    )
    assert "  .setAction(\n    Voice.iceActionHelper.runMenu({\n" in code
    assert code.endswith("  .build();\n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (callout_request(TtsCallout("+46701234567", text="Hi")), "no builder for callout requests"),
        (Svaml.patch().hangup(), "only for ICE, ACE and PIE responses, not for a call update"),
        (Svaml().hangup(), "say which one the document answers"),
        (Svaml.ace().with_instruction(StopRecording()).hangup(), "aceInstructionHelper has no stopRecording"),
        (Svaml.ice().start_recording().hangup(), "this startRecording has none"),
        (
            Svaml.from_dict({"action": {"name": "hangup", "reason": "x"}}, callback="ice"),
            "fields svaml does not know",
        ),
    ],
)
def test_node_refuses_what_the_sdk_cannot_express(value: Any, message: str) -> None:
    """Each construct @sinch/voice's builders lack is refused with a message saying which."""
    with pytest.raises(NodeUnsupported, match=message):
        to_node(value)


@pytest.mark.parametrize(
    ("value", "alternatives"),
    [
        (Svaml.from_dict({"action": {"name": "hangup"}}, callback="dice"), "render it as json"),
        (Svaml.call_leg().hangup(), "render it as json or curl"),
    ],
)
def test_node_refusals_offer_only_forms_that_work(value: Any, alternatives: str) -> None:
    """A DiCE response is no request, so curl is not offered for it; a call-leg update is one."""
    with pytest.raises(NodeUnsupported) as caught:
        to_node(value)
    assert alternatives == str(caught.value).rsplit("; ", 1)[1]

"""``svaml simulate --svaml-version 2`` run as a user runs it: a subprocess against a v2 app or server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from v2apps import ivr, served

from svaml.errors import SignatureError
from svaml.v2 import Svaml2
from svaml.v2.signing import verify_webhook

ROOT = Path(__file__).parent.parent
SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="


def run(*args: str, cwd: Path = ROOT, **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m svaml simulate ARGS`` with this tree, the tests' v2 apps and ``environ``."""
    env = {k: v for k, v in os.environ.items() if k not in ("SINCH_SERVICE_ID", "SINCH_SERVICE_SECRET")}
    env.update(environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    return subprocess.run(
        [sys.executable, "-m", "svaml", "simulate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_v2_app_plays_a_session_from_the_command_line() -> None:
    """``--svaml-version 2 --keys 3,12345#`` plays the IVR: exit 0, the webhook command and its answer."""
    done = run("v2apps:ivr", "--factory", "--svaml-version", "2", "--keys", "3,12345#")
    expected = (0, True, True)
    assert expected == (
        done.returncode,
        "call.webhook.account account: '12345#'" in done.stdout,
        "[caller] Account 12345 is in order." in done.stdout,
    ), done.stderr


def verified(method: str, path: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether the request is signed by the tests' service (as the server checks it)."""
    try:
        verify_webhook(path=path, headers=headers, body=body, service_id=SERVICE_ID, secret=SECRET)
    except SignatureError:
        return False
    return True


def test_a_v2_server_over_http_with_signed_webhooks_and_json() -> None:
    """``--url`` with ``--service-id``/``--secret``: the server verifies every webhook; JSON has the legs."""
    app = ivr()
    app.check = verified
    with served(app) as base:
        done = run(
            "--url",
            base + "/voice-webhooks",
            "--svaml-version",
            "2",
            "--keys",
            "1",
            "--callee",
            "busy",
            "--service-id",
            SERVICE_ID,
            "--secret",
            SECRET,
            "--format",
            "json",
        )
    data = json.loads(done.stdout)
    expected = (0, True, {"caller": "COMPLETED", "sales": "BUSY"})
    assert expected == (
        done.returncode,
        data["ok"],
        {leg["callName"]: leg["callResult"] for leg in data["legs"]},
    )


def test_the_service_credentials_come_from_the_environment_as_the_examples_read_them() -> None:
    """SINCH_SERVICE_ID and SINCH_SERVICE_SECRET sign the webhooks when the flags are not given."""
    app = ivr()
    app.check = verified
    with served(app) as base:
        url = ("--url", base + "/voice-webhooks", "--svaml-version", "2", "--keys", "1", "--callee", "busy")
        signed = run(*url, SINCH_SERVICE_ID=SERVICE_ID, SINCH_SERVICE_SECRET=SECRET)
        unsigned = run(*url)
    secret_alone = run("v2apps:ivr", "--factory", "--svaml-version", "2", SINCH_SERVICE_SECRET=SECRET)
    expected = [
        (0, ""),
        (1, True),
        (2, "svaml: error: $SINCH_SERVICE_SECRET signs v2 webhooks for a service: give --service-id or"
         " $SINCH_SERVICE_ID too\n"),
    ]
    assert expected == [
        (signed.returncode, signed.stderr),
        (unsigned.returncode, "HTTP 401" in unsigned.stderr),
        (secret_alone.returncode, secret_alone.stderr),
    ]


def test_a_create_call_document_plays_the_call_the_api_created(tmp_path: Path) -> None:
    """``--document FILE`` dials first; the webhooks of the dial's outcome go to the app."""
    (tmp_path / "call.json").write_text(Svaml2().dial("+46701234567", call_name="customer").to_json())
    (tmp_path / "app.py").write_text(
        "from v2apps import App\nfrom svaml.v2 import Svaml2\n"
        "bye = Svaml2().say('Your parcel is here.', 'Emma', on_finish=Svaml2().hangup())\n"
        "app = App({'call.answered': bye})\n"
    )
    done = run("app:app", "--svaml-version", "2", "--document", "call.json", cwd=tmp_path)
    expected = (0, True, True)
    assert expected == (
        done.returncode,
        "call.answered" in done.stdout,
        "[customer] Your parcel is here." in done.stdout,
    ), done.stderr


def test_v1_flags_with_v2_and_bad_outcomes_are_usage_errors() -> None:
    """A v1-only flag with v2, a v2 flag without it, or an unknown outcome: exit 2 and one line why."""
    v1_flag = run("v2apps:ivr", "--factory", "--svaml-version", "2", "--hangup-at", "1")
    v2_flag = run("--url", "http://127.0.0.1:9/x", "--document", "call.json")
    outcome = run("v2apps:ivr", "--factory", "--svaml-version", "2", "--callee", "machine")
    expected = [
        (2, "svaml: error: --hangup-at is for v1 calls; v2 sessions do not take it\n"),
        (2, "svaml: error: --document is for v2 sessions: add --svaml-version 2\n"),
        (2, True),
    ]
    assert expected == [
        (v1_flag.returncode, v1_flag.stderr),
        (v2_flag.returncode, v2_flag.stderr),
        (outcome.returncode, "--callee: 'machine' is not a dial outcome: use answer, busy" in outcome.stderr),
    ]

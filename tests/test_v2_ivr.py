"""The example v2 IVR (examples/v2_ivr.py) behind a verified webhook, under real servers."""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests
from local_servers import serve_asgi, serve_wsgi

from svaml.v2.signing import CONTENT_TYPE, sign_webhook

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "v2_ivr.py"
SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="
PATH = "/sinch/v2/webhooks"
CALL = {"callId": "01AN4Z07BY79KA1307SR9X4MV3", "serviceId": SERVICE_ID, "direction": "INBOUND"}


@pytest.fixture(scope="module")
def ivr() -> Iterator[ModuleType]:
    """The example module, importable from examples/."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE.parent))
        patch.setenv("PUBLIC_URL", "https://ivr.example.com")
        yield importlib.import_module("v2_ivr")


def post(url: str, event: str, *, ce_id: str, **fields: Any) -> requests.Response:
    """POST a v2 webhook as Sinch does: CloudEvents headers, signed with the service's secret."""
    body = json.dumps({"event": event, "call": CALL, **fields}).encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "ce-id": ce_id,
        "ce-source": f"projects/p/services/{SERVICE_ID}",
        **sign_webhook(service_id=SERVICE_ID, secret=SECRET, path=PATH, body=body),
    }
    return requests.post(url + PATH, data=body, headers=headers, timeout=10)


def commands(response: requests.Response) -> list[Any]:
    """The commands of an answer, after checking it is a 200 JSON answer."""
    expected = (200, "application/json")
    assert expected == (response.status_code, response.headers["Content-Type"])
    found: list[Any] = response.json()["commands"]
    return found


def walk_the_call(url: str) -> dict[str, Any]:
    """Play one caller through the IVR: incoming, the sales choice, the hours choice, the hangup."""
    menu = {"menuName": "main", "input": "1"}
    incoming = commands(post(url, "call.incoming", ce_id="1"))
    return {
        "incoming": [c["command"] for c in incoming],
        "matches": {
            key: [c["command"] for c in cmds] for key, cmds in incoming[1]["menus"]["main"]["matches"].items()
        },
        "webhook": incoming[1]["menus"]["main"]["matches"]["1"][0],
        "on_fail": [c["command"] for c in incoming[1]["menus"]["main"]["onFail"]],
        "sales": [c["command"] for c in commands(post(url, "call.webhook.sales", ce_id="2", menu=menu))],
        "hours": [c["command"] for c in commands(post(url, "call.webhook.hours", ce_id="3", menu=menu))],
        "hangup": commands(post(url, "call.hangup", ce_id="4")),
        "unsigned": requests.post(url + PATH, data=b"{}", timeout=10).status_code,
    }


EXPECTED = {
    "incoming": ["answer", "menu"],
    "matches": {"1": ["webhook"], "2": ["webhook"]},
    "webhook": {"command": "webhook", "webhookName": "sales", "url": "https://ivr.example.com" + PATH},
    # The goodbyes hang up when heard: a hangup after them in the list would cut them.
    "on_fail": ["messages"],
    "sales": ["messages", "dial", "bridgeCall"],
    "hours": ["messages"],
    "hangup": [],
    "unsigned": 401,
}


@pytest.mark.parametrize("serve", [serve_wsgi, serve_asgi], ids=["wsgiref", "uvicorn"])
def test_the_ivr_answers_a_call_end_to_end(ivr: ModuleType, serve: Any) -> None:
    """Under wsgiref and uvicorn the IVR answers, runs its menu, answers its custom events and the hangup."""
    served = serve(ivr.create_app(SERVICE_ID, SECRET))
    url = next(served)
    try:
        actual = walk_the_call(url)
    finally:
        next(served, None)
    expected = EXPECTED
    assert expected == actual


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_the_example_runs_as_a_script() -> None:
    """``python examples/v2_ivr.py`` serves the IVR as its docstring says, from the environment."""
    port = free_port()
    env = {
        **os.environ,
        "SINCH_SERVICE_ID": SERVICE_ID,
        "SINCH_SERVICE_SECRET": SECRET,
        "PUBLIC_URL": "https://ivr.example.com",
        "PORT": str(port),
    }
    actual: dict[str, Any] = {}
    with subprocess.Popen(
        [sys.executable, str(EXAMPLE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            deadline = time.monotonic() + 10
            while not actual and time.monotonic() < deadline:
                try:
                    actual = walk_the_call(f"http://127.0.0.1:{port}")
                except requests.ConnectionError:
                    time.sleep(0.05)
        finally:
            process.terminate()
    expected = (f"Serving the v2 IVR on http://127.0.0.1:{port}{PATH}\n", EXPECTED)
    assert expected == (banner, actual)


def test_the_example_without_credentials_says_what_to_set() -> None:
    """Without the service's ID and secret the example exits saying which variables to set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_SERVICE")}
    done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=30)
    expected = (1, "Set SINCH_SERVICE_ID and SINCH_SERVICE_SECRET")
    assert expected == (done.returncode, done.stderr[: len(expected[1])])

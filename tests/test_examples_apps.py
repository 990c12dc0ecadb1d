"""The IVR example served by Flask, FastAPI, Django and bare WSGI, each tested with signed requests."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from wsgiref.simple_server import make_server

import pytest
import requests
from local_servers import QuietHandler

from svaml.signing import sign

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"
ICE = b'{"event":"ice","callid":"c1","cli":"+46708168731","to":{"type":"number","endpoint":"+46700000001"}}'
APPS = ["app_flask", "app_fastapi", "app_django", "app_wsgi"]


def signed(body: bytes, path: str = PATH) -> dict[str, str]:
    """Return the headers Sinch would send with ``body`` posted now to ``path``."""
    headers = sign(
        method="POST", path=path, body=body, content_type="application/json", key=KEY, secret=SECRET
    )
    return {"Content-Type": "application/json", **headers}


@pytest.fixture(scope="module")
def examples() -> Iterator[None]:
    """Make the examples importable with the credentials they read from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SINCH_APPLICATION_KEY", KEY)
        patch.setenv("SINCH_APPLICATION_SECRET", SECRET)
        patch.syspath_prepend(str(EXAMPLES))
        yield


def example(name: str) -> ModuleType:
    """Import an example module (the ``examples`` fixture must be active)."""
    return importlib.import_module(name)


def menu_json() -> Any:
    """Return the SVAML the IVR answers an ICE with."""
    from svaml.model import IceEvent

    return example("ivr_app").greet(IceEvent()).to_dict()


# -- the shared IVR application -------------------------------------------------------------------


@pytest.mark.usefixtures("examples")
@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (b'{"event":"pie","callid":"c1","menuResult":{"menuId":"main","type":"return","value":"sales",'
         b'"inputMethod":"dtmf"}}', {"action": {"name": "connectPstn", "number": "+46700000000"}}),
        (b'{"event":"pie","callid":"c1","menuResult":{"menuId":"main","type":"return","value":"goodbye"}}',
         {"instructions": [{"name": "say", "text": "Thank you for calling. Goodbye.", "locale": "en-US"}],
          "action": {"name": "hangup"}}),
        (b'{"event":"pie","callid":"c1","menuResult":{"menuId":"main","type":"timeout"}}',
         {"instructions": [{"name": "say", "text": "Thank you for calling. Goodbye.", "locale": "en-US"}],
          "action": {"name": "hangup"}}),
        (b'{"event":"ace","callid":"c1"}', {"action": {"name": "continue"}}),
    ],
    ids=["pie-sales", "pie-goodbye", "pie-timeout", "ace"],
)
def test_ivr_answers(body: bytes, answer: Any) -> None:
    """The IVR connects "sales" to the sales number, says goodbye otherwise, and lets ACE continue."""
    app = example("ivr_app").create_app()
    response = app.handle("POST", PATH, signed(body), body)
    expected = (200, answer)
    assert expected == (response.status, json.loads(response.body))


@pytest.mark.usefixtures("examples")
def test_ivr_menu_and_dice_log(caplog: pytest.LogCaptureFixture) -> None:
    """The ICE answer is the two-option menu; a DiCE gets {} and is logged."""
    app = example("ivr_app").create_app()
    dice = b'{"event":"dice","callid":"c1","reason":"CALLERHANGUP","duration":12}'
    with caplog.at_level(logging.INFO, logger="ivr_app"):
        ice = app.handle("POST", PATH, signed(ICE), ICE)
        ended = app.handle("POST", PATH, signed(dice), dice)
    options = json.loads(ice.body)["action"]["menus"][0]["options"]
    expected = (
        [{"dtmf": "1", "action": "return(sales)"}, {"dtmf": "2", "action": "return(goodbye)"}],
        (200, b"{}"),
        ["incoming call c1 from +46708168731", "call c1 ended: CALLERHANGUP (12 seconds)"],
    )
    assert expected == (options, (ended.status, ended.body), caplog.messages)


def test_ivr_without_credentials_tells_the_user_what_to_set() -> None:
    """Run without the environment variables, an example exits with a message naming them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_APPLICATION_")}
    done = subprocess.run([sys.executable, "examples/app_wsgi.py"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    expected = (1, True)
    actual = (done.returncode, "Set SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET" in done.stderr)
    assert expected == actual


# -- each framework, through its own test client --------------------------------------------------


@pytest.mark.usefixtures("examples")
def test_flask_app() -> None:
    """Flask's test client: a signed ICE gets the menu, an unsigned one 401."""
    client = example("app_flask").app.test_client()
    ok = client.post(PATH, data=ICE, headers=signed(ICE))
    refused = client.post(PATH, data=ICE, headers={"Content-Type": "application/json"})
    expected = ((200, "application/json", menu_json()), (401, b""))
    assert expected == ((ok.status_code, ok.content_type, ok.get_json()), (refused.status_code, refused.data))


@pytest.mark.usefixtures("examples")
def test_fastapi_app() -> None:
    """Through httpx's ASGI transport (which Starlette's TestClient wraps): signed 200, unsigned 401."""
    import httpx

    async def exchange() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=example("app_fastapi").api)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ok = await client.post(PATH, content=ICE, headers=signed(ICE))
            refused = await client.post(PATH, content=ICE, headers={"Content-Type": "application/json"})
            return ok, refused

    ok, refused = asyncio.run(exchange())
    expected = ((200, "application/json", menu_json()), (401, b""))
    actual = ((ok.status_code, ok.headers["content-type"], ok.json()), (refused.status_code, refused.content))
    assert expected == actual


@pytest.mark.usefixtures("examples")
def test_fastapi_app_awaits_its_async_function(caplog: pytest.LogCaptureFixture) -> None:
    """The FastAPI example's async Notify function is awaited: a signed Notify gets {} and is logged."""
    import httpx

    notify = b'{"event":"notify","callid":"c1","type":"recording_available"}'

    async def exchange() -> httpx.Response:
        transport = httpx.ASGITransport(app=example("app_fastapi").api)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(PATH, content=notify, headers=signed(notify))

    with caplog.at_level(logging.INFO, logger="ivr_app"):
        answer = asyncio.run(exchange())
    expected = ((200, b"{}"), ["notify recording_available for call c1"])
    assert expected == ((answer.status_code, answer.content), caplog.messages)


@pytest.mark.usefixtures("examples")
def test_django_app() -> None:
    """Django's test client, with the settings the example configures: signed 200, unsigned 401."""
    example("app_django")
    from django.test import Client

    client = Client()
    headers = signed(ICE)
    ok = client.post(PATH, data=ICE, content_type="application/json",
                     headers={k: v for k, v in headers.items() if k != "Content-Type"})
    refused = client.post(PATH, data=ICE, content_type="application/json")
    expected = ((200, "application/json", menu_json()), (401, b""))
    assert expected == ((ok.status_code, ok["Content-Type"], json.loads(ok.content)), (refused.status_code,
                                                                                        refused.content))


@pytest.mark.usefixtures("examples")
def test_bare_wsgi_app() -> None:
    """The bare WSGI application, served by wsgiref in a thread on 127.0.0.1: signed 200, unsigned 401."""
    with make_server("127.0.0.1", 0, example("app_wsgi").application, handler_class=QuietHandler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}{PATH}"
        try:
            ok = requests.post(url, data=ICE, headers=signed(ICE), timeout=5)
            refused = requests.post(url, data=ICE, timeout=5)
        finally:
            server.shutdown()
            thread.join()
    expected = ((200, "application/json", menu_json()), (401, b""))
    assert expected == ((ok.status_code, ok.headers["Content-Type"], ok.json()), (refused.status_code,
                                                                                   refused.content))


# -- each example run as a new user runs it -------------------------------------------------------


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.usefixtures("examples")
@pytest.mark.parametrize("name", APPS)
def test_example_runs_as_in_its_readme(name: str) -> None:
    """``python examples/<app>.py`` with the credentials in the environment serves signed callbacks."""
    port = free_port()
    env = {**os.environ, "SINCH_APPLICATION_KEY": KEY, "SINCH_APPLICATION_SECRET": SECRET, "PORT": str(port)}
    process = subprocess.Popen([sys.executable, f"examples/{name}.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}{PATH}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ok = requests.post(url, data=ICE, headers=signed(ICE), timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        refused = requests.post(url, data=ICE, timeout=5)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    expected = ((200, menu_json()), 401)
    assert expected == ((ok.status_code, ok.json()), refused.status_code)

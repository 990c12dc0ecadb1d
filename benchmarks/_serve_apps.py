"""The applications bench_serve.py serves: svaml's CallbackApp and a bare endpoint, as ASGI and WSGI.

The bare endpoint does the least any Python webhook does per request: ``json.loads`` of the
body, one HMAC-SHA256 digest, ``json.dumps`` of a literal answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from svaml import IceSvaml, Menu, MenuOption, Svaml, return_, tts
from svaml.callbacks import CallbackApp
from svaml.model import IceEvent

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
SECRET_BYTES = base64.b64decode(SECRET)
ANSWER = {
    "instructions": [{"name": "answer"}],
    "action": {
        "name": "runMenu",
        "locale": "en-US",
        "menus": [
            {
                "id": "main",
                "mainPrompt": "#tts[Press 1 for sales, or 2 to end the call.]",
                "options": [{"dtmf": "1", "action": "return(sales)"}, {"dtmf": "2", "action": "return(bye)"}],
            }
        ],
    },
}


def greet(event: IceEvent) -> IceSvaml:
    """The small menu svaml's app answers every ICE with."""
    menu = Menu(
        id="main",
        main_prompt=tts("Press 1 for sales, or 2 to end the call."),
        options=[MenuOption(dtmf="1", action=return_("sales")), MenuOption(dtmf="2", action=return_("bye"))],
    )
    return Svaml.ice().answer().run_menu(menu, locale="en-US")


app = CallbackApp(key=KEY, secret=SECRET)  # the default in-process replay store: each request is new
app.ice(greet)
asgi_svaml = app.asgi
wsgi_svaml = app.wsgi


def _bare(body: bytes) -> bytes:
    json.loads(body)
    hmac.new(SECRET_BYTES, body, hashlib.sha256).digest()
    return json.dumps(ANSWER).encode()


def wsgi_bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The bare endpoint as a WSGI application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    out = _bare(environ["wsgi.input"].read(length))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]


async def asgi_bare(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
) -> None:
    """The bare endpoint as an ASGI application."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    out = _bare(b"".join(chunks))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": out})

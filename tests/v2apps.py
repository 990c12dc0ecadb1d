"""v2 applications the simulator's tests play against: a table-driven app, an IVR, a real HTTP server.

:class:`App` answers each v2 webhook in-process through ``handle`` (the contract of
``CallbackApp`` and v2's ``WebhookApp``); :func:`ivr` is a small IVR (menus, a dial with AMD, a
``webhook`` command) written with ``Svaml2``; :class:`Served` serves any such app over real HTTP on
127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

from svaml.v2 import Svaml2
from svaml.v2.model import GotoMenu, MenuItem, Say

__all__ = ["VOICE", "App", "Response", "ivr", "served"]

VOICE = "Emma"
NOTHING = Svaml2()


class Response(NamedTuple):
    """What an app answers: status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


Answer = Svaml2 | dict[str, Any] | tuple[int, bytes] | None


class App:
    """A v2 application in-process: answers each event with what its table or function gives.

    ``answers`` maps an event name (``call.webhook.<name>`` for a webhook command) to a document,
    a JSON-ready dict, a ``(status, body)`` pair, or a function of the event's JSON; other
    events get ``fallback`` (``{"commands": []}`` by default). Every request is kept in
    ``received``; ``check`` (given the method, path, headers and body) refuses a request with 401
    when it returns False.
    """

    def __init__(
        self,
        answers: Mapping[str, Answer | Callable[[dict[str, Any]], Answer]],
        check: Callable[[str, str, Mapping[str, str], bytes], bool] | None = None,
        fallback: Answer = None,
    ) -> None:
        self.answers = dict(answers)
        self.check = check
        self.fallback = NOTHING if fallback is None else fallback
        self.received: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers: tuple[tuple[str, str], ...], body: bytes) -> Response:
        """Answer one webhook."""
        if self.check is not None and not self.check(method, path, dict(headers), body):
            return Response(401, (), b"")
        event = json.loads(body)
        with self._lock:
            self.received.append((path, dict(headers), event))
        found = self.answers.get(event["event"], self.fallback)
        answer = found(event) if callable(found) else found
        if isinstance(answer, tuple):
            return Response(answer[0], (), answer[1])
        data = answer.to_dict() if isinstance(answer, Svaml2) else answer
        return Response(200, (("Content-Type", "application/json"),), json.dumps(data).encode())

    @property
    def events(self) -> list[str]:
        """The names of the events received, in order."""
        return [event["event"] for _, _, event in self.received]


def _bye(text: str) -> Svaml2:
    """Say ``text``, then hang up once it has been said."""
    return Svaml2().say(text, VOICE, on_finish=Svaml2().hangup())


def ivr(account_url: str = "https://ivr.example/account") -> App:
    """A small IVR: a main menu (sales with AMD, opening hours, an account number sent to a webhook)."""
    sales = Svaml2().dial(
        "+46701234567",
        call_name="sales",
        dial_timeout_duration_seconds=20,
        max_call_duration_seconds=600,
        on_answer=Svaml2().amd(on_human=Svaml2().bridge_call("desk"), on_machine=Svaml2().hangup()),
        on_busy=_bye("Sales is busy, please call again."),
        on_reject=_bye("Sales cannot take your call."),
        on_timeout=_bye("Nobody answers at sales."),
        on_failure=_bye("We cannot reach sales."),
        on_hangup=Svaml2().hangup("caller"),
    )
    menu = Svaml2().menu(
        MenuItem(
            "main",
            prompt=Say("Press 1 for sales, 2 for opening hours, 3 for your account.", voice_name=VOICE),
            repeat_prompt=Say("Please press 1, 2 or 3.", voice_name=VOICE),
            repeat_count=2,
            matches={"1": sales.bridge_call("desk"), "2": GotoMenu("hours"), "3": GotoMenu("account")},
            on_fail=_bye("Goodbye."),
        ),
        MenuItem(
            "hours",
            prompt=Say("We are open 9 to 5. Press 0 for the main menu.", voice_name=VOICE),
            matches={"0": GotoMenu("main")},
            on_fail=_bye("Goodbye."),
        ),
        MenuItem(
            "account",
            prompt=Say("Enter your account number, then hash.", voice_name=VOICE),
            minimum_input_length=3,
            maximum_input_length=9,
            terminating_sequence="#",
            matches={r"\d{2,8}#": Svaml2().webhook("account", account_url)},
            on_fail=GotoMenu("main"),
        ),
    )
    welcome = Svaml2().with_call_name("caller").answer().say("Welcome to Acme.", VOICE)
    return App(
        {
            "call.incoming": Svaml2(commands=welcome.commands + menu.commands, call_name="caller"),
            "call.webhook.account": lambda e: _bye(f"Account {e['menu']['input'].rstrip('#')} is in order."),
        }
    )


class _Handler(BaseHTTPRequestHandler):
    app: Any = None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = self.app.handle("POST", self.path, tuple(self.headers.items()), body)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        """Keep the test output quiet."""


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` (anything with ``handle``) over real HTTP on 127.0.0.1; yield its base URL."""
    handler = type("Handler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

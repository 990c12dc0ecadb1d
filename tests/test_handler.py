"""Tests for CallbackApp: every answer of handle(), and its WSGI and ASGI adapters on real servers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import make_server

import pytest
import requests
import uvicorn
from local_servers import QuietHandler

from svaml import Menu, MenuOption, Svaml, return_, tts
from svaml.callbacks import CallbackApp, CallbackResponse
from svaml.errors import SvamlError
from svaml.model import AceEvent, Callback, DiceEvent, IceEvent, NotifyEvent, PieEvent
from svaml.signing import content_md5, format_timestamp, sign, string_to_sign
from svaml.typed import AceSvaml, IceSvaml, PieSvaml

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
OTHER_SECRET = "JViE5vDor0Sw3WllZka15Q=="
PATH = "/sinch/callback"
ICE = b'{"event":"ice","callid":"c1","cli":"+46708168731"}'
JSON = (("Content-Type", "application/json"),)
TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


def signed(
    body: bytes, path: str = PATH, secret: str = SECRET, timestamp: str | None = None
) -> list[tuple[str, str]]:
    """Return the headers Sinch would send with ``body`` posted to ``path``."""
    headers = sign(
        method="POST",
        path=path,
        body=body,
        content_type="application/json",
        key=KEY,
        secret=secret,
        timestamp=timestamp,
    )
    return [("Content-Type", "application/json"), *headers.items()]


def menu_doc() -> IceSvaml:
    """Build the small menu the ICE function answers with."""
    return (
        Svaml.ice()
        .answer()
        .run_menu(
            Menu(
                id="main",
                main_prompt=tts("Press 1."),
                options=[MenuOption(dtmf="1", action=return_("one"))],
            )
        )
    )


@pytest.fixture
def seen() -> list[object]:
    """Collect the events the functions receive."""
    return []


@pytest.fixture
def app(seen: list[object]) -> CallbackApp:
    """Return an application with a function for every event."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    def ice(event: IceEvent) -> IceSvaml:
        seen.append(event)
        return menu_doc()

    @app.ace
    def ace(event: AceEvent) -> AceSvaml:
        seen.append(event)
        return Svaml.ace().say("Hello").continue_()

    @app.pie
    def pie(event: PieEvent) -> PieSvaml:
        seen.append(event)
        return Svaml.pie().hangup()

    @app.dice
    def dice(event: DiceEvent) -> None:
        seen.append(event)

    @app.notify
    def notify(event: NotifyEvent) -> None:
        seen.append(event)

    return app


def post(app: CallbackApp, body: bytes, headers: list[tuple[str, str]] | None = None) -> CallbackResponse:
    """Post ``body`` to the application, signed unless ``headers`` are given."""
    return app.handle("POST", PATH, signed(body) if headers is None else headers, body)


# -- 200 ------------------------------------------------------------------------------------------


def test_ice_is_answered_with_the_functions_svaml(app: CallbackApp, seen: list[object]) -> None:
    """A signed ICE calls the ICE function with the event and answers 200 with its SVAML as JSON."""
    expected = (CallbackResponse(200, JSON, menu_doc().to_json().encode()), [IceEvent(call_id="c1",
                                                                                       cli="+46708168731")])
    assert expected == (post(app, ICE), seen)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (b'{"event":"ace","callid":"c1"}', '{"instructions":[{"name":"say","text":"Hello"}],'
                                            '"action":{"name":"continue"}}'),
        (b'{"event":"pie","callid":"c1","menuResult":{"type":"return","value":"one"}}',
         '{"action":{"name":"hangup"}}'),
    ],
    ids=["ace", "pie"],
)
def test_ace_and_pie_are_answered_with_svaml(app: CallbackApp, body: bytes, answer: str) -> None:
    """ACE and PIE functions' SVAML is the body of a 200."""
    expected = CallbackResponse(200, JSON, answer.encode())
    assert expected == post(app, body)


@pytest.mark.parametrize(
    ("body", "event"),
    [
        (b'{"event":"dice","callid":"c1","reason":"BUSY"}', DiceEvent(call_id="c1", reason="BUSY")),
        (b'{"event":"notify","callid":"c1","type":"amd"}', NotifyEvent(call_id="c1", type="amd")),
    ],
    ids=["dice", "notify"],
)
def test_dice_and_notify_get_an_empty_json_object(
    app: CallbackApp, seen: list[object], body: bytes, event: object
) -> None:
    """DiCE and Notify call their function and answer {}: a bare empty 200 makes Sinch log an error."""
    expected = (CallbackResponse(200, JSON, b"{}"), [event])
    assert expected == (post(app, body), seen)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ICE, CallbackResponse(200, JSON, b'{"action":{"name":"hangup"}}')),
        (b'{"event":"ace"}', CallbackResponse(200, JSON, b'{"action":{"name":"continue"}}')),
        (b'{"event":"pie"}', CallbackResponse(200, JSON, b'{"action":{"name":"continue"}}')),
        (b'{"event":"dice"}', CallbackResponse(200, JSON, b"{}")),
        (b'{"event":"notify"}', CallbackResponse(200, JSON, b"{}")),
    ],
    ids=["ice", "ace", "pie", "dice", "notify"],
)
def test_events_without_a_function_get_the_documented_default(
    body: bytes, expected: CallbackResponse
) -> None:
    """Without functions: ICE is hung up, ACE and PIE continue, DiCE and Notify get {}."""
    assert expected == post(CallbackApp(key=KEY, secret=SECRET), body)


def test_a_missing_ice_function_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Hanging up an ICE for want of a function is logged as a warning."""
    with caplog.at_level(logging.WARNING, logger="svaml.callbacks"):
        post(CallbackApp(key=KEY, secret=SECRET), ICE)
    expected = ["svaml: no function for ice; answered hangup (call c1)"]
    assert expected == caplog.messages


def test_the_function_may_return_a_plain_svaml() -> None:
    """A plain ``Svaml()`` (no callback) is checked as the event's response and served."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.on("ice", lambda event: Svaml().say("Hi").hangup())
    text = b'{"instructions":[{"name":"say","text":"Hi"}],"action":{"name":"hangup"}}'
    expected = CallbackResponse(200, JSON, text)
    assert expected == post(app, ICE)


# -- 401 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([("Content-Type", "application/json")], "missing Authorization header"),
        (signed(ICE, secret=OTHER_SECRET), "signature does not match"),
        (signed(ICE, path="/elsewhere"), "signature does not match"),
        (signed(b'{"event":"ice","callid":"c2"}'), "signature does not match"),
        (signed(ICE, timestamp="2014-09-24T10:59:41Z"), "outside the replay window"),
        ([("Authorization", "Basic " + "a2V5OnNlY3JldA==")], "Basic is accepted only with allow_basic"),
    ],
    ids=["unsigned", "other-secret", "other-path", "other-body", "stale", "basic"],
)
def test_unsigned_or_wrongly_signed_is_401_without_detail(
    app: CallbackApp,
    seen: list[object],
    caplog: pytest.LogCaptureFixture,
    headers: list[tuple[str, str]],
    reason: str,
) -> None:
    """A request that does not verify gets 401 with an empty body; the reason goes to the log only."""
    with caplog.at_level(logging.WARNING, logger="svaml.callbacks"):
        response = post(app, ICE, headers)
    refused = CallbackResponse(401, (("WWW-Authenticate", "Application"),), b"")
    expected: tuple[object, ...] = (refused, [], True, [])
    log = caplog.text
    assert expected == (response, seen, reason in log, [s for s in (SECRET, OTHER_SECRET) if s in log])


# -- 400, 405, 413 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"event=ice", b"the callback body is not JSON\n"
         b"  1:1: /: invalid JSON: expected a JSON value [SV001]"),
        (b'{"event":"ring"}', b"unknown event 'ring'; expected one of ice, ace, dice, pie, notify"),
        (
            b'{"event":"ice","version":"x"}',
            b"cannot read the ice event:\n  /version: expected an integer, got string [SV002]",
        ),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_400(app: CallbackApp, body: bytes, text: bytes) -> None:
    """A verified body that is not JSON or not a known event gets 400 with the reason and its problems."""
    expected = CallbackResponse(400, (("Content-Type", "text/plain; charset=utf-8"),), text)
    assert expected == post(app, body)


def test_methods_other_than_post_are_405(app: CallbackApp) -> None:
    """Sinch only posts; anything else gets 405 with ``Allow: POST``."""
    expected = CallbackResponse(405, (("Allow", "POST"),), b"")
    assert expected == app.handle("GET", PATH, signed(b""), b"")


def test_a_body_over_max_body_is_413() -> None:
    """A body larger than ``max_body`` is refused before anything else."""
    body = b'{"event":"ice","custom":"' + b"x" * 100 + b'"}'
    expected = CallbackResponse(413, TEXT, b"the body is larger than this callback application accepts")
    assert expected == post(CallbackApp(key=KEY, secret=SECRET, max_body=100), body)


# -- 500 ------------------------------------------------------------------------------------------


def failing_app(answer: Any) -> CallbackApp:
    """Return an application whose ICE function returns ``answer``, or raises it if an exception."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.on("ice")
    def ice(event: IceEvent) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return app


@pytest.mark.parametrize(
    ("answer", "logged", "said"),
    [
        (
            RuntimeError("database is down"),
            "svaml: the ice function raised (call c1)",
            b"the ice function raised an exception; the server's log says which",
        ),
        (
            Svaml().continue_(),
            "svaml: the ice function returned SVAML Sinch would reject (call c1): "
            "the SVAML document is not valid for an ICE response:",
            b"the ice function returned SVAML Sinch would reject (SV201)",
        ),
        (
            Svaml.ace().continue_(),
            "svaml: the ice function returned SVAML Sinch would reject (call c1)",
            b"the ice function returned SVAML Sinch would reject (SV201)",
        ),
        (
            {"action": {"name": "hangup"}},
            "svaml: the ice function returned dict, not a Svaml (call c1)",
            b"the ice function returned dict, not SVAML",
        ),
        (
            None,
            "svaml: the ice function returned NoneType, not a Svaml (call c1)",
            b"the ice function returned NoneType, not SVAML",
        ),
    ],
    ids=["raises", "continue-in-ice", "ace-document", "dict", "none"],
)
def test_a_failing_function_is_500_with_the_cause_logged(
    caplog: pytest.LogCaptureFixture, answer: Any, logged: str, said: bytes
) -> None:
    """A function that raises or returns no valid SVAML gives 500 saying which; the log says why."""
    with caplog.at_level(logging.ERROR, logger="svaml.callbacks"):
        response = post(failing_app(answer), ICE)
    expected = (CallbackResponse(500, TEXT, said), [True], False)
    assert expected == (response, [m.startswith(logged) for m in caplog.messages], SECRET in caplog.text)


def test_the_500_log_carries_the_traceback_and_the_diagnostics(caplog: pytest.LogCaptureFixture) -> None:
    """The log of a raising function has its traceback; that of invalid SVAML has the diagnostic."""
    with caplog.at_level(logging.ERROR, logger="svaml.callbacks"):
        post(failing_app(RuntimeError("database is down")), ICE)
        post(failing_app(Svaml().continue_()), ICE)
    expected = (True, True)
    assert expected == (
        "RuntimeError: database is down" in caplog.text,
        "/action/name: the action continue is not allowed in an ICE response" in caplog.text,
    )


def test_a_raising_dice_function_is_500() -> None:
    """A DiCE function that raises gives 500 too."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.dice(lambda event: 1 / 0)
    said = b"the dice function raised an exception; the server's log says which"
    expected = CallbackResponse(500, TEXT, said)
    assert expected == post(app, b'{"event":"dice"}')


# -- construction and registration ----------------------------------------------------------------


def test_without_credentials_the_app_refuses_to_start() -> None:
    """No key and secret without an explicit ``verify=False`` is an error, never an open endpoint."""
    with pytest.raises(SvamlError, match="pass verify=False to accept unsigned callbacks"):
        CallbackApp()


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"key": KEY}, "give both the application key and the application secret"),
        ({"secret": SECRET}, "give both the application key and the application secret"),
        ({"key": KEY, "secret": "not base64!"}, "the application secret is not Base64"),
        ({"key": "", "secret": SECRET}, "the application key must not be empty"),
    ],
)
def test_bad_credentials_fail_at_construction(arguments: dict[str, Any], match: str) -> None:
    """Half or malformed credentials raise when the app is built, without echoing the secret."""
    with pytest.raises(SvamlError, match=match) as caught:
        CallbackApp(**arguments)
    assert "not base64!" not in str(caught.value)


def test_verify_false_accepts_unsigned_callbacks_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    """``verify=False`` serves unsigned requests, and logs a warning when the app is built."""
    with caplog.at_level(logging.WARNING, logger="svaml.callbacks"):
        app = CallbackApp(verify=False)
    expected = (CallbackResponse(200, JSON, b'{"action":{"name":"hangup"}}'), True)
    assert expected == (post(app, ICE, []), "NOT verified" in caplog.text)


def test_verify_false_ignores_credentials_too() -> None:
    """``verify=False`` with credentials still skips the check (replaying traffic locally)."""
    app = CallbackApp(key=KEY, secret=SECRET, verify=False)
    expected = 200
    assert expected == post(app, ICE, []).status


def test_repr_hides_the_secret(app: CallbackApp) -> None:
    """The app's repr shows the key and the registered events, never the secret."""
    expected = f"CallbackApp(key={KEY!r}, verify=True, functions: ice, ace, pie, dice, notify)"
    assert expected == repr(app)


def test_registration_errors() -> None:
    """An unknown event, a second function for an event, or a non-function are refused."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.on(Callback.ICE, lambda event: Svaml().hangup())
    with pytest.raises(SvamlError, match="a function is already registered for ice"):
        app.on("ICE", lambda event: Svaml().hangup())
    with pytest.raises(SvamlError, match="unknown event 'patch'; expected one of ice, ace, dice, pie"):
        app.on("patch", lambda event: None)
    with pytest.raises(SvamlError, match="expected a function for ace, got str"):
        app.on("ace", "not a function")  # type: ignore[call-overload]


# -- behind a proxy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signed_path", ["/public/sinch", lambda path: "/public" + path.removeprefix("/internal")]
)
def test_signed_path_verifies_requests_rewritten_by_a_proxy(signed_path: Any) -> None:
    """``signed_path`` (a string or a function of the received path) is the path that is verified."""
    app = CallbackApp(key=KEY, secret=SECRET, signed_path=signed_path)
    headers = signed(ICE, path="/public/sinch")
    expected = (200, 401)
    assert expected == (
        app.handle("POST", "/internal/sinch", headers, ICE).status,
        CallbackApp(key=KEY, secret=SECRET).handle("POST", "/internal/sinch", headers, ICE).status,
    )


def test_forwarded_headers_are_not_trusted() -> None:
    """X-Forwarded-Prefix and friends do not change the path that is verified."""
    app = CallbackApp(key=KEY, secret=SECRET)
    headers = [*signed(ICE, path="/public/sinch"), ("X-Forwarded-Prefix", "/public"),
               ("X-Forwarded-Uri", "/public/sinch")]
    expected = 401
    assert expected == app.handle("POST", "/sinch", headers, ICE).status


# -- WSGI and ASGI on real servers ----------------------------------------------------------------


@pytest.fixture
def wsgi_url(app: CallbackApp) -> Iterator[str]:
    """Serve the app's WSGI adapter with wsgiref on 127.0.0.1 in a thread; yield its base URL."""
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=QuietHandler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join()


@pytest.fixture
def asgi_url(app: CallbackApp) -> Iterator[str]:
    """Serve the app's ASGI adapter with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app.asgi, log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join()
    sock.close()


@pytest.mark.parametrize("adapter", ["wsgi_url", "asgi_url"])
def test_adapters_serve_signed_callbacks(adapter: str, request: pytest.FixtureRequest) -> None:
    """Through a real server, a signed ICE gets the menu, an unsigned one 401, a GET 405."""
    url = request.getfixturevalue(adapter)
    ok = requests.post(url + PATH, data=ICE, headers=dict(signed(ICE)), timeout=5)
    unsigned = requests.post(url + PATH, data=ICE, timeout=5)
    get = requests.get(url + PATH, timeout=5)
    expected = ((200, "application/json", menu_doc().to_dict()), (401, b""), (405, "POST"))
    assert expected == (
        (ok.status_code, ok.headers["Content-Type"], ok.json()),
        (unsigned.status_code, unsigned.content),
        (get.status_code, get.headers["Allow"]),
    )


def signed_with_query(body: bytes, path: str) -> dict[str, str]:
    """Sign over a path with its query string, as Sinch's .NET SDK does (``sign`` drops the query)."""
    timestamp = format_timestamp()
    text = string_to_sign(
        "POST", content_md5=content_md5(body), content_type="application/json", timestamp=timestamp, path=path
    )
    digest = hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "x-timestamp": timestamp,
        "Authorization": f"Application {KEY}:{base64.b64encode(digest).decode()}",
    }


@pytest.mark.parametrize("adapter", ["wsgi_url", "asgi_url"])
def test_adapters_verify_the_path_with_its_query(adapter: str, request: pytest.FixtureRequest) -> None:
    """The adapters hand the path with its query string to verification."""
    url = request.getfixturevalue(adapter)
    headers = signed_with_query(ICE, PATH + "?tenant=7")
    expected = (200, 401)
    assert expected == (
        requests.post(url + PATH + "?tenant=7", data=ICE, headers=headers, timeout=5).status_code,
        requests.post(url + PATH + "?tenant=8", data=ICE, headers=headers, timeout=5).status_code,
    )


def run_asgi(app: CallbackApp, scope: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drive the ASGI adapter with ``messages`` and return what it sent."""
    sent: list[dict[str, Any]] = []
    incoming = iter(messages)

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(app.asgi(scope, receive, send))
    return sent


def test_asgi_reads_a_body_in_chunks_and_refuses_one_too_large() -> None:
    """The ASGI adapter joins body chunks, and answers 413 past ``max_body``."""
    app = CallbackApp(key=KEY, secret=SECRET, max_body=len(ICE))
    scope = {"type": "http", "method": "POST", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in signed(ICE)]}
    chunks = [{"type": "http.request", "body": ICE[:10], "more_body": True},
              {"type": "http.request", "body": ICE[10:], "more_body": False}]
    too_large = [{"type": "http.request", "body": ICE + b" ", "more_body": False}]
    expected = (200, 413)
    actual = (run_asgi(app, scope, chunks)[0]["status"], run_asgi(app, scope, too_large)[0]["status"])
    assert expected == actual


def test_asgi_refuses_websockets() -> None:
    """The ASGI adapter serves HTTP only."""
    with pytest.raises(SvamlError, match="serves HTTP only, not websocket"):
        run_asgi(CallbackApp(key=KEY, secret=SECRET), {"type": "websocket"}, [])


def test_wsgi_rebuilds_the_path_from_script_name_and_path_info(app: CallbackApp) -> None:
    """Mounted under a prefix, the WSGI adapter verifies SCRIPT_NAME + PATH_INFO + query."""
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "/voice",
        "PATH_INFO": "/sinch",
        "QUERY_STRING": "a=1",
        "CONTENT_LENGTH": str(len(ICE)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(ICE),
        **{
            "HTTP_" + k.upper().replace("-", "_"): v
            for k, v in signed_with_query(ICE, "/voice/sinch?a=1").items()
            if k != "Content-Type"
        },
    }

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)

    body = b"".join(app.wsgi(environ, start_response))
    expected = (["200 OK"], menu_doc().to_dict())
    assert expected == (statuses, json.loads(body))

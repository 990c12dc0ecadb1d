"""Voice API v2 webhooks: typed events, verify-and-parse, and WebhookApp against real servers.

The servers are real: uvicorn and wsgiref on 127.0.0.1; requests are signed as Sinch signs them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import textwrap
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from local_servers import serve_asgi, serve_wsgi
from mypy import api

from svaml.errors import EventError, ReplayStoreError, SignatureError, SvamlError
from svaml.signing import Keyring, sign
from svaml.v2 import Svaml2
from svaml.v2.model import (
    EVENT_CLASSES,
    EVENT_NAMES,
    CloudEvent,
    CustomEvent,
    Event,
    HangupEvent,
    IncomingEvent,
    MenuEvent,
)
from svaml.v2.signing import CONTENT_TYPE, sign_webhook
from svaml.v2.webhooks import WebhookApp, construct_event, parse_event, read_cloud_event

SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="
OTHER_ID = "serviceKey"
OTHER_SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/v2/webhooks"
SOURCE = f"projects/8a2b6c1e-0f18-4f8e-9c23-8e6b5df8fd3e/services/{SERVICE_ID}"
CALL = {"callId": "01AN4Z07BY79KA1307SR9X4MV3", "serviceId": SERVICE_ID, "direction": "INBOUND"}
JSON = (("Content-Type", "application/json"),)
HELLO = Svaml2().answer().say("Hello", "Emma")
HELLO_JSON = HELLO.to_json().encode()
NOTHING = b'{"commands":[]}'


def body_of(event: str, **fields: Any) -> bytes:
    """The JSON body of a v2 webhook ``event`` about CALL."""
    return json.dumps({"event": event, "call": CALL, **fields}, separators=(",", ":")).encode()


def headers_of(
    body: bytes,
    *,
    ce_id: str = "ev-1",
    service_id: str = SERVICE_ID,
    secret: str = SECRET,
    source: str = SOURCE,
) -> dict[str, str]:
    """The headers Sinch sends with ``body`` now: CloudEvents attributes, Content-Type and the signature."""
    return {
        "Content-Type": CONTENT_TYPE,
        "ce-id": ce_id,
        "ce-source": source,
        "ce-type": "com.sinch.voice.call.control.v1",
        "ce-specversion": "1.0",
        "ce-time": "2026-06-10T21:27:04.0783345+00:00",
        **sign_webhook(service_id=service_id, secret=secret, path=PATH, body=body),
    }


def hello_app(**options: Any) -> tuple[WebhookApp, list[Event]]:
    """An app answering call.incoming with HELLO, and the events its function saw."""
    seen: list[Event] = []
    app = WebhookApp(**{"service_id": SERVICE_ID, "secret": SECRET, **options})

    @app.incoming
    def greet(event: IncomingEvent) -> Svaml2:
        seen.append(event)
        return HELLO

    return app, seen


# -- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*EVENT_NAMES, "call.webhook.menu-selection"])
def test_every_event_reads_into_its_class_with_its_cloud_event(name: str) -> None:
    """Each v2 event name reads into its class, the ce-* headers into its ``cloud``."""
    body = body_of(name)
    event = parse_event(body, headers_of(body))
    expected = (
        EVENT_CLASSES.get(name, CustomEvent),
        name,
        "01AN4Z07BY79KA1307SR9X4MV3",
        CloudEvent(
            id="ev-1", source=SOURCE, time=datetime(2026, 6, 10, 21, 27, 4, 78334, tzinfo=timezone.utc)
        ),
        ("ev-1", SOURCE),
    )
    assert event.cloud is not None
    assert expected == (
        type(event),
        event.event,
        event.call and event.call.call_id,
        event.cloud,
        event.cloud.key,
    )


def test_the_sdks_custom_event_spelling_reads_as_the_wire_name() -> None:
    """``call.customEvent.x`` (PY/JAVA SDKs, D4) is read as ``call.webhook.x``, with the menu's input."""
    event = parse_event(body_of("call.customEvent.sales", menu={"menuName": "main", "input": "1"}))
    expected = (CustomEvent, "call.webhook.sales", "sales", "1")
    assert isinstance(event, CustomEvent)
    assert expected == (type(event), event.event, event.webhook_name, event.menu and event.menu.input)


def test_an_event_without_call_is_an_error_that_keeps_the_body() -> None:
    """A body without ``call`` (D10) is an EventError saying so, with the decoded body in ``data``."""
    with pytest.raises(EventError, match=r"^the call\.hangup event has no 'call' object") as raised:
        parse_event(b'{"event":"call.hangup","menu":null}')
    expected = {"event": "call.hangup", "menu": None}
    assert expected == raised.value.data


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "^the webhook body is not JSON"),
        (b"[1]", "^the webhook body is a JSON array, not an object$"),
        (b'{"call":{}}', "^the webhook body has no 'event' field"),
        (b'{"event":"ice","call":{}}', r"^unknown event 'ice'; expected one of call\.incoming"),
        (b'{"event":"call.webhook.","call":{}}', r"^unknown event 'call\.webhook\.'"),
        (b'{"event":7,"call":{}}', "^unknown event 7"),
        (
            b'{"event":"call.hangup","call":{"callDurationSeconds":"long"}}',
            r"^cannot read the call\.hangup event",
        ),
        (b'{"event":"call.hangup","call":{"startTime":NaN}}', "^the webhook body is not JSON"),
    ],
)
def test_what_is_not_a_v2_event_says_why(body: bytes, message: str) -> None:
    """Each kind of bad body is an EventError whose message says what is wrong."""
    with pytest.raises(EventError, match=message):
        parse_event(body)


def test_a_body_over_max_bytes_is_refused_unread() -> None:
    """``max_bytes`` bounds the body before it is decoded."""
    with pytest.raises(EventError, match="SV001"):
        parse_event(body_of("call.incoming"), max_bytes=10)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([("ce-id", "a"), ("CE-ID", "b"), ("ce-source", SOURCE)], "^more than one ce-id header$"),
        ({"ce-source": SOURCE}, "^the webhook has CloudEvents headers but no ce-id header$"),
        ({"ce-id": "a", "ce-source": SOURCE, "ce-time": "noon"}, "^the ce-time header 'noon' is not a date"),
    ],
)
def test_bad_cloud_event_headers_say_why(headers: Any, message: str) -> None:
    """A repeated, missing or unreadable ce-* header is an EventError naming it."""
    with pytest.raises(EventError, match=message):
        read_cloud_event(headers)


def test_cloud_event_headers_read_in_any_case_and_any_time_form() -> None:
    """Header names in any case; ce-time in the forms Sinch sends (space, no zone, 7 digits); none ⇒ None."""
    found = read_cloud_event({"CE-Id": "x", "Ce-Source": SOURCE, "ce-time": "2026-09-04 10:14:55.0000000"})
    expected = (
        CloudEvent(id="x", source=SOURCE, time=datetime(2026, 9, 4, 10, 14, 55, tzinfo=timezone.utc)),
        None,
    )
    assert expected == (found, read_cloud_event({"Content-Type": CONTENT_TYPE}))


def test_construct_event_verifies_the_worked_example_then_reads_it() -> None:
    """The OAS worked example verifies and reads into an IncomingEvent."""
    body = b'{"event":"call.incoming","call":{"callId":"01AN4Z07BY79KA1307SR9X4MV3"}}'
    headers = {
        "Authorization": f"service {SERVICE_ID}:EWFtVTrykdhMTdyYSbn40GBJpf5UBeggO9T99sdwLyY=",
        "Content-Type": CONTENT_TYPE,
        "x-timestamp": "2026-04-01T12:00:00.0000000Z",
    }
    event = construct_event(
        body,
        headers,
        path="/voice-webhooks",
        service_id=SERVICE_ID,
        secret=SECRET,
        now=datetime(2026, 4, 1, 12, 1, tzinfo=timezone.utc),
    )
    expected = (IncomingEvent, "01AN4Z07BY79KA1307SR9X4MV3", None)
    assert expected == (type(event), event.call and event.call.call_id, event.cloud)


def test_construct_event_reads_nothing_unverified() -> None:
    """A body that is not even JSON, badly signed, is a SignatureError: verification comes first."""
    headers = {**headers_of(b"garbage"), "Authorization": f"service {SERVICE_ID}:AAAA"}
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        construct_event(b"garbage", headers, path=PATH, service_id=SERVICE_ID, secret=SECRET)


@pytest.mark.parametrize(
    ("body", "source", "where"),
    [
        (body_of("call.hangup"), f"projects/p/services/{OTHER_ID}", "ce-source"),
        (
            json.dumps({"event": "call.hangup", "call": {**CALL, "serviceId": OTHER_ID}}).encode(),
            SOURCE,
            r"call\.serviceId",
        ),
    ],
)
def test_an_event_naming_another_service_than_its_signer_is_refused(
    body: bytes, source: str, where: str
) -> None:
    """An event signed by one service that names another (ce-source, call.serviceId) is refused."""
    with pytest.raises(
        SignatureError, match=f"signed by service {SERVICE_ID}, but its {where} names service"
    ):
        construct_event(
            body, headers_of(body, source=source), path=PATH, service_id=SERVICE_ID, secret=SECRET
        )


def test_construct_event_with_several_services() -> None:
    """With ``services`` each service's webhooks verify and read."""
    services = {SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET}
    body = body_of("call.answered")
    theirs = json.dumps({"event": "call.answered", "call": {"callId": "c2", "serviceId": OTHER_ID}}).encode()
    other = headers_of(
        theirs, service_id=OTHER_ID, secret=OTHER_SECRET, source=f"projects/p/services/{OTHER_ID}"
    )
    events = [
        construct_event(body, headers_of(body), path=PATH, services=services),
        construct_event(theirs, other, path=PATH, services=services),
    ]
    expected = [SERVICE_ID, OTHER_ID]
    assert expected == [e.call.service_id for e in events]


# -- the application --------------------------------------------------------------------------------


def test_the_incoming_answer_is_checked_and_sent() -> None:
    """A call.incoming is answered with the function's SVAML v2, its event typed with its CloudEvent."""
    app, seen = hello_app()
    body = body_of("call.incoming")
    response = app.handle("POST", PATH + "?tenant=7", headers_of(body), body)
    expected = ((200, JSON, HELLO_JSON), IncomingEvent, "ev-1")
    assert seen[0].cloud is not None
    assert expected == (tuple(response), type(seen[0]), seen[0].cloud.id)


def test_events_without_a_function_get_a_hangup_or_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Without a function call.incoming is refused (hangup, with a warning); other events get no commands."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    incoming, hangup = body_of("call.incoming"), body_of("call.hangup")
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        answers = [
            app.handle("POST", PATH, headers_of(incoming, ce_id="a"), incoming).body,
            app.handle("POST", PATH, headers_of(hangup, ce_id="b"), hangup).body,
        ]
    expected = ([b'{"commands":[{"command":"hangup"}]}', NOTHING], ["svaml: no function for call.incoming"])
    assert expected == (answers, [r.getMessage().split(";")[0] for r in caplog.records])


def test_nothing_to_say_is_no_commands_without_a_warning_except_for_incoming(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A function returning None answers ``{"commands": []}`` (D1); only call.incoming warns (S2009)."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.default(lambda event: None)
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        answers = [
            app.handle("POST", PATH, headers_of(body, ce_id=name), body).body
            for name in ("call.hangup", "call.incoming", "call.webhook.x")
            for body in [body_of(name)]
        ]
    expected = ([NOTHING] * 3, ["S2009"])
    assert expected == (answers, [getattr(r, "code", None) for r in caplog.records])


def test_an_answer_sinch_would_reject_is_a_500_naming_the_rule(caplog: pytest.LogCaptureFixture) -> None:
    """An error of the v2 rules refuses the answer (500 with its code); nothing invalid reaches Sinch."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.hangup(lambda event: Svaml2().goto_menu("main"))
    body = body_of("call.hangup")
    response = app.handle("POST", PATH, headers_of(body), body)
    expected = (500, b"the call.hangup function returned SVAML v2 Sinch would reject (S2704)", ["S2704"])
    assert expected == (response.status, response.body, [getattr(r, "codes", None) for r in caplog.records])


def test_warnings_are_logged_with_their_codes(caplog: pytest.LogCaptureFixture) -> None:
    """A warning of the rules is logged with its code and the answer is sent; ``ignore`` drops it."""
    answer = Svaml2().say("Hello", "Emmma")
    loud, quiet = (
        WebhookApp(service_id=SERVICE_ID, secret=SECRET, ignore=ignore) for ignore in ((), ("S28",))
    )
    for app in (loud, quiet):
        app.answered(lambda event: answer)
    body = body_of("call.answered")
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        statuses = [app.handle("POST", PATH, headers_of(body), body).status for app in (loud, quiet)]
    codes = [getattr(r, "code", None) for r in caplog.records]
    expected = ([200, 200], 1)
    assert expected == (statuses, len([c for c in codes if c and c.startswith("S28")]))


def test_call_name_and_events_outside_an_incoming_answer_are_warned(caplog: pytest.LogCaptureFixture) -> None:
    """The callName and events matter only in a call.incoming answer (§6.3): elsewhere S2010 says so."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    named = Svaml2().with_call_name("caller").answer().on_hangup(Svaml2().hangup("agent"))
    app.default(lambda event: named)
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        for name in ("call.incoming", "call.answered"):
            body = body_of(name)
            app.handle("POST", PATH, headers_of(body, ce_id=name), body)
    expected = [
        f"svaml: the call.answered answer (call 01AN4Z07BY79KA1307SR9X4MV3): /{key}: {key} takes effect"
        " only in the answer to call.incoming (or a STATIC service's document); Sinch ignores it in the"
        " answer to a webhook other than call.incoming [S2010]"
        for key in ("callName", "events")
    ]
    assert expected == [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"commands": []}, b"the call.hangup function returned dict, not SVAML v2"),
        ("hangup", b"the call.hangup function returned str, not SVAML v2"),
    ],
)
def test_an_answer_that_is_not_svaml_v2_is_a_500(answer: object, reason: bytes) -> None:
    """A function returning anything but a Svaml2 (or None) gets a 500 saying what it returned."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.hangup(lambda event: answer)
    body = body_of("call.hangup")
    expected = (500, reason)
    response = app.handle("POST", PATH, headers_of(body), body)
    assert expected == (response.status, response.body)


class BrokenStore:
    """A replay store whose backend is down."""

    def add(self, fingerprint: str, ttl: float) -> bool:
        """Fail as a Redis client does when the server is gone."""
        raise ConnectionError("connection refused")


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (("POST", {"Authorization": "service x:y"}), (401, (("WWW-Authenticate", "service"),), b"")),
        (("GET", None), (405, (("Allow", "POST"),), b"")),
        (("POST", "application"), (401, (("WWW-Authenticate", "service"),), b"")),
    ],
    ids=["bad signature", "GET", "a v1 signature"],
)
def test_refusals(request_: tuple[str, Any], expected: tuple[Any, ...]) -> None:
    """A bad or v1 signature is a 401 with no body, another method a 405."""
    app, seen = hello_app()
    method, changes = request_
    body = body_of("call.incoming")
    headers = headers_of(body)
    if changes == "application":
        headers.update(
            sign(
                method="POST", path=PATH, body=body, content_type=CONTENT_TYPE, key=SERVICE_ID, secret=SECRET
            )
        )
    elif changes:
        headers.update(changes)
    assert (expected, []) == (tuple(app.handle(method, PATH, headers, body)), seen)


def test_more_refusals_say_why() -> None:
    """A body that is no event is a 400 saying why, one over max_body a 413, a failing replay store a 503."""
    app, _ = hello_app(max_body=1000)
    broken, _ = hello_app(replay=BrokenStore())
    not_event = b'{"event":"call.incoming"}'
    big = body_of("call.incoming", padding="x" * 2000)
    body = body_of("call.incoming")
    expected = [
        (
            400,
            b"the call.incoming event has no 'call' object; Sinch always sends one"
            b" (webhookRequest requires it)",
        ),
        (413, b"the body is larger than this webhook application accepts"),
        (503, b"svaml could not check this webhook against the replay store; the server's log says why"),
    ]
    actual = [
        app.handle("POST", PATH, headers_of(not_event), not_event),
        app.handle("POST", PATH, headers_of(big), big),
        broken.handle("POST", PATH, headers_of(body), body),
    ]
    assert expected == [(r.status, r.body) for r in actual]


def test_the_app_refuses_an_event_of_another_service_than_its_signer() -> None:
    """A webhook signed by one service whose ce-source names another is a 401; the function is not called."""
    app, seen = hello_app(service_id=None, secret=None, services={SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET})
    body = body_of("call.incoming")
    response = app.handle("POST", PATH, headers_of(body, source=f"projects/p/services/{OTHER_ID}"), body)
    expected = ((401, (("WWW-Authenticate", "service"),), b""), [])
    assert expected == (tuple(response), seen)


def test_a_function_that_raises_is_a_500_and_a_redelivery_calls_it_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A raising function gets a logged 500; its event is not kept, so a redelivery calls it again."""
    calls: list[str] = []
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)

    @app.incoming
    def flaky(event: IncomingEvent) -> Svaml2:
        calls.append("call")
        if len(calls) == 1:
            raise RuntimeError("database down")
        return HELLO

    body = body_of("call.incoming")
    first = app.handle("POST", PATH, headers_of(body), body)
    time.sleep(0.001)
    second = app.handle("POST", PATH, headers_of(body), body)
    expected = (
        500,
        b"the call.incoming function raised an exception; the server's log says which",
        200,
        2,
        True,
    )
    assert expected == (first.status, first.body, second.status, len(calls), "database down" in caplog.text)


def test_behind_a_proxy_the_configured_path_is_what_verifies() -> None:
    """With ``signed_path`` a webhook received at a rewritten path verifies against the configured one."""
    app, seen = hello_app(signed_path=PATH)
    body = body_of("call.incoming")
    expected = [200, 1]
    assert expected == [app.handle("POST", "/internal/hooks?x=1", headers_of(body), body).status, len(seen)]


def test_with_the_window_off_old_webhooks_verify_and_redeliveries_are_still_answered_once() -> None:
    """``max_age=None`` accepts a webhook signed long ago, and still answers its redelivery once."""
    app, seen = hello_app(max_age=None, replay=None)
    body = body_of("call.incoming")
    headers = {
        **headers_of(body),
        **sign_webhook(
            service_id=SERVICE_ID,
            secret=SECRET,
            path=PATH,
            body=body,
            timestamp="2020-01-01T00:00:00.0000000Z",
        ),
    }
    expected = ([200, 200], 1, None)
    statuses = [app.handle("POST", PATH, headers, body).status for _ in range(2)]
    assert expected == (statuses, len(seen), app.replay)


# -- at-least-once delivery -------------------------------------------------------------------------


def test_a_redelivery_gets_the_first_answer_without_a_second_call() -> None:
    """The same event again (a new signature, or the very same request) gets the first answer; one call."""
    app, seen = hello_app()
    body = body_of("call.incoming")
    headers = headers_of(body)
    first = app.handle("POST", PATH, headers, body)
    time.sleep(0.001)
    resigned = app.handle("POST", PATH, headers_of(body), body)
    same = app.handle("POST", PATH, headers, body)  # the replay store has seen it: answered again
    expected = ([HELLO_JSON] * 3, 1)
    assert expected == ([first.body, resigned.body, same.body], len(seen))


def test_another_event_id_or_body_is_answered_anew() -> None:
    """Another ce-id, or another body under the same ce-id, calls the function again."""
    app, seen = hello_app()
    body = body_of("call.incoming")
    changed = body_of("call.incoming", menu={"menuName": "x", "input": "1"})
    statuses = [
        app.handle("POST", PATH, headers_of(body, ce_id="a"), body).status,
        app.handle("POST", PATH, headers_of(body, ce_id="b"), body).status,
        app.handle("POST", PATH, headers_of(changed, ce_id="b"), changed).status,
    ]
    expected = ([200, 200, 200], 3)
    assert expected == (statuses, len(seen))


def test_a_replayed_request_of_an_unanswered_event_is_refused() -> None:
    """The very same signed request, when its event was never answered, is a replay: 401."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.incoming(lambda event: 1 / 0)
    body = body_of("call.incoming")
    headers = headers_of(body)
    expected = [500, 401]
    assert expected == [app.handle("POST", PATH, headers, body).status for _ in range(2)]


def test_redeliveries_off_calls_the_function_each_time() -> None:
    """With ``redeliveries=0`` each delivery calls the function."""
    app, seen = hello_app(redeliveries=0)
    body = body_of("call.incoming")
    for _ in range(2):
        app.handle("POST", PATH, headers_of(body), body)
        time.sleep(0.001)
    expected = 2
    assert expected == len(seen)


def test_a_redelivery_during_the_first_answer_waits_for_it() -> None:
    """A redelivery arriving while the first delivery is being answered gets that answer; one call."""
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)

    @app.incoming
    def slow(event: IncomingEvent) -> Svaml2:
        calls.append("call")
        started.set()
        release.wait(5)
        return HELLO

    body = body_of("call.incoming")
    answers: list[bytes] = []
    first = threading.Thread(
        target=lambda: answers.append(app.handle("POST", PATH, headers_of(body), body).body)
    )
    first.start()
    started.wait(5)
    second = threading.Thread(
        target=lambda: answers.append(app.handle("POST", PATH, headers_of(body), body).body)
    )
    second.start()
    time.sleep(0.05)
    release.set()
    first.join(5)
    second.join(5)
    expected = ([HELLO_JSON, HELLO_JSON], 1)
    assert expected == (answers, len(calls))


# -- registration -----------------------------------------------------------------------------------


def test_each_event_name_has_its_decorator() -> None:
    """Every v2 event name has a decorator named after it (``call.`` left out, dots as underscores)."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    for name in EVENT_NAMES:
        decorator = getattr(app, name[len("call.") :].replace(".", "_"))
        decorator(lambda event: Svaml2().say(event.event, "Emma"))
    said = [
        json.loads(app.handle("POST", PATH, headers_of(body, ce_id=name), body).body)["commands"][0][
            "messages"
        ][0]
        for name in EVENT_NAMES
        for body in [body_of(name)]
    ]
    expected = list(EVENT_NAMES)
    assert expected == [message["say"]["text"] for message in said]


def test_custom_and_default_functions() -> None:
    """``custom`` takes a webhookName; ``default`` answers every event without a function of its own."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.custom("sales")(lambda event: Svaml2().say(f"sales {event.menu.input}", "Emma"))
    app.default(lambda event: Svaml2().say(event.event, "Emma"))
    menu = {"menuName": "main", "input": "1"}
    answers = [
        json.loads(app.handle("POST", PATH, headers_of(body, ce_id=name), body).body)["commands"][0][
            "messages"
        ][0]["say"]["text"]
        for name in ("call.webhook.sales", "call.customEvent.sales", "call.webhook.other", "call.menu")
        for body in [body_of(name, menu=menu)]
    ]
    expected = ["sales 1", "sales 1", "call.webhook.other", "call.menu"]
    assert expected == answers


@pytest.mark.parametrize(
    ("register", "message"),
    [
        (lambda app: app.on("call.ringing", lambda e: None), "unknown event 'call.ringing'"),
        (lambda app: app.on("call.webhook.", lambda e: None), r"unknown event 'call\.webhook\.'"),
        (lambda app: app.custom("")(lambda e: None), "expected the webhookName"),
        (lambda app: app.hangup(42), "expected a function for call.hangup, got int"),
        (
            lambda app: [app.hangup(lambda e: None), app.on("call.hangup", lambda e: None)],
            "already registered",
        ),
        (lambda app: [app.default(lambda e: None), app.default(lambda e: None)], "already registered"),
    ],
)
def test_registration_errors_say_why(register: Any, message: str) -> None:
    """A bad registration raises SvamlError saying why."""
    with pytest.raises(SvamlError, match=message):
        register(WebhookApp(verify=False))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "WebhookApp needs the service ID and secret to verify Sinch's signatures"),
        ({"service_id": SERVICE_ID}, "give the service ID and the service secret"),
        ({"service_id": SERVICE_ID, "secret": "not base64!"}, "the service secret is not Base64"),
        ({"service_id": SERVICE_ID, "secret": SECRET, "services": {OTHER_ID: OTHER_SECRET}}, "not both"),
        ({"verify": False, "redeliveries": -1}, "redeliveries must be a number of answers"),
        ({"verify": False, "max_body": "big"}, "max_body must be a number of bytes"),
    ],
)
def test_constructor_errors_say_why_and_never_the_secret(options: dict[str, Any], message: str) -> None:
    """A bad setting raises SvamlError saying which, without the secret."""
    with pytest.raises(SvamlError, match=message) as raised:
        WebhookApp(**options)
    expected: list[str] = []
    assert expected == [s for s in ("not base64!", SECRET, OTHER_SECRET) if s in str(raised.value)]


def test_the_repr_shows_services_not_secrets() -> None:
    """The app's repr names its services and functions, never a secret."""
    app = WebhookApp(services=Keyring({SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET}))
    app.hangup(lambda event: None)
    expected = f"WebhookApp(services=['{SERVICE_ID}', '{OTHER_ID}'], verify=True, functions: call.hangup)"
    assert expected == repr(app)


# -- served for real ------------------------------------------------------------------------------


def async_app(loops: list[int]) -> WebhookApp:
    """An app whose call.incoming function is ``async def`` and records the loop it ran on."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)

    @app.incoming
    async def greet(event: IncomingEvent) -> Svaml2:
        await asyncio.sleep(0.001)
        loops.append(id(asyncio.get_running_loop()))
        return HELLO

    @app.hangup
    def ended(event: HangupEvent) -> None:
        return None

    return app


@pytest.mark.parametrize("serve", [serve_wsgi, serve_asgi], ids=["wsgiref", "uvicorn"])
def test_served_for_real_with_an_async_function(serve: Any) -> None:
    """Under wsgiref and uvicorn an async function answers, a plain one too, a redelivery once."""
    loops: list[int] = []
    served = serve(async_app(loops))
    url = next(served)
    try:
        incoming, hangup = body_of("call.incoming"), body_of("call.hangup")
        answers = [
            requests.post(url + PATH, data=incoming, headers=headers_of(incoming), timeout=10),
            requests.post(url + PATH, data=hangup, headers=headers_of(hangup, ce_id="h"), timeout=10),
            requests.post(url + PATH + "?retry=1", data=incoming, headers=headers_of(incoming), timeout=10),
            requests.get(url + PATH, timeout=10),
        ]
    finally:
        next(served, None)
    expected = ([200, 200, 200, 405], [HELLO_JSON, NOTHING, HELLO_JSON], 1)
    assert expected == ([a.status_code for a in answers], [a.content for a in answers[:3]], len(loops))


def test_handle_async_awaits_on_the_callers_loop() -> None:
    """handle_async awaits an async function on the running loop."""
    loops: list[int] = []
    app = async_app(loops)
    body = body_of("call.incoming")

    async def run() -> tuple[int, bytes, int]:
        response = await app.handle_async("POST", PATH, headers_of(body), body)
        return response.status, response.body, id(asyncio.get_running_loop())

    status, answer, loop = asyncio.run(run())
    expected = (200, HELLO_JSON, [loop])
    assert expected == (status, answer, loops)


def test_a_menu_event_reads_its_input() -> None:
    """A call.menu carries the menu's name and the caller's input to the function."""
    inputs: list[tuple[str | None, str | None]] = []
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)

    @app.menu
    def chosen(event: MenuEvent) -> None:
        assert event.menu is not None
        inputs.append((event.menu.menu_name, event.menu.input))

    body = body_of("call.menu", menu={"menuName": "main", "input": "1#"})
    app.handle("POST", PATH, headers_of(body), body)
    expected = [("main", "1#")]
    assert expected == inputs


def test_an_unverified_app_warns_and_answers() -> None:
    """``verify=False`` answers unsigned webhooks (local development), after a warning."""
    app = WebhookApp(verify=False, replay=None)
    app.incoming(lambda event: HELLO)
    body = body_of("call.incoming")
    expected = (200, HELLO_JSON)
    response = app.handle("POST", PATH, {"Content-Type": CONTENT_TYPE}, body)
    assert expected == (response.status, response.body)


def test_replay_store_failure_type_is_the_documented_one() -> None:
    """construct_event with a failing store raises ReplayStoreError, not the store's own error."""
    body = body_of("call.incoming")
    with pytest.raises(ReplayStoreError, match="ConnectionError: connection refused"):
        construct_event(
            body, headers_of(body), path=PATH, service_id=SERVICE_ID, secret=SECRET, replay=BrokenStore()
        )


def test_mypy_accepts_plain_and_async_functions_and_refuses_a_wrong_answer(tmp_path: Path) -> None:
    """Registered functions keep their types; one answering something else than SVAML v2 is a type error."""
    source = tmp_path / "snippet.py"
    source.write_text(
        textwrap.dedent(
            """
            from svaml.v2 import Svaml2
            from svaml.v2.model import CustomEvent, HangupEvent, IncomingEvent
            from svaml.v2.webhooks import WebhookApp

            app = WebhookApp(verify=False)


            @app.incoming
            def greet(event: IncomingEvent) -> Svaml2:
                return Svaml2().answer()


            @app.hangup
            async def ended(event: HangupEvent) -> None:
                return None


            @app.custom("sales")
            def sales(event: CustomEvent) -> Svaml2 | None:
                return None


            @app.answered
            def wrong(event: object) -> int:
                return 1


            reveal_type(greet)
            """
        ),
        encoding="utf-8",
    )
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(source)])
    found = [line.split(": ", 1)[1] for line in out.splitlines() if ": error: " in line or ": note: " in line]
    expected = [
        'error: Value of type variable "_F" of function cannot be "Callable[[object], int]"  [type-var]',
        'note: Revealed type is "def (event: svaml.v2.model.calls.IncomingEvent)'
        ' -> svaml.v2.document.Svaml2"',
    ]
    assert expected == found

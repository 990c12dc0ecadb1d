"""VoiceClient2 against the v2 stand-in (Emulator2) over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from svaml import codec
from svaml.errors import RateLimitedError, SvamlError, SvamlTypeError, TransportError
from svaml.v2 import Svaml2
from svaml.v2.client import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    ProblemError,
    TooManyRequestsError,
    UnauthorizedError,
    VoiceClient2,
)
from svaml.v2.emulator import Emulator2, PlacedCall, StatePlayer
from svaml.v2.model import (
    Call,
    CallBehavior,
    CallBehaviorType,
    CallReason,
    CallResult,
    Document,
    ServiceRequest,
    SessionState,
    ValidationType,
    WebhookTarget,
)

pytest_plugins = ["svaml.v2.emulator.pytest_plugin"]

TO = "+46700000001"


@pytest.fixture
def client(sinch_v2_emulator: Emulator2) -> Iterator[VoiceClient2]:
    """Yield an OAuth2 client of the stand-in with short timeouts and waits."""
    with sinch_v2_emulator.client(timeout=2.0, backoff=0.01) as made:
        yield made


def paths(emulator: Emulator2, method: str | None = None) -> list[str]:
    """The targets the stand-in received (of ``method``), API requests only."""
    return [t for m, t, _, _ in emulator.requests if (method is None or m == method) and t.startswith("/v2/")]


def token_requests(emulator: Emulator2) -> int:
    """How many token requests the stand-in received."""
    return sum(1 for _, t, _, _ in emulator.requests if t == "/oauth2/token")


# -- construction -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("global", "https://voice.api.sinch.com"),
        ("us1", "https://us1.voice.api.sinch.com"),
        ("br1", "https://br1.voice.api.sinch.com"),
        ("EU1", "https://eu1.voice.api.sinch.com"),
        ("sg1", "https://sg1.voice.api.sinch.com"),
        ("au1", "https://au1.voice.api.sinch.com"),
    ],
)
def test_regions_map_to_the_reference_hosts(region: str, host: str) -> None:
    """Each v2 region of the reference (§8.1) has its host; the name is read in any case."""
    assert host == VoiceClient2("p", "k", "s", region=region).base_url


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"region": "europe"}, "unknown region 'europe'; expected one of global, us1, br1, eu1, sg1, au1"),
        ({"base_url": "http://example.com"}, "credentials are refused over plain http"),
        ({"token_url": "http://example.com/token"}, "credentials are refused over plain http"),
        ({"auth": "signed"}, "auth must be 'oauth2' or 'basic'"),
        ({"timeout": 0}, "timeout must be more than 0 seconds"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], message: str) -> None:
    """Settings that cannot work raise SvamlError when the client is made."""
    with pytest.raises(SvamlError, match=message):
        VoiceClient2("p", "k", "s", **options)


def test_importing_the_client_and_svaml_v2_does_not_import_requests() -> None:
    """``import svaml.v2`` and ``import svaml.v2.client`` leave requests unloaded until a client is made."""
    code = "import sys, svaml.v2, svaml.v2.client; print('requests' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "False"
    assert expected == found.stdout.strip()


def test_from_env_reads_the_project_the_key_and_the_region(sinch_v2_emulator: Emulator2) -> None:
    """from_env takes SINCH_PROJECT_ID, SINCH_KEY_ID, SINCH_KEY_SECRET and SINCH_VOICE_V2_REGION."""
    environ = {
        "SINCH_PROJECT_ID": sinch_v2_emulator.project_id,
        "SINCH_KEY_ID": f" {sinch_v2_emulator.key_id} ",
        "SINCH_KEY_SECRET": sinch_v2_emulator.key_secret,
        "SINCH_VOICE_V2_REGION": "eu1",
    }
    with VoiceClient2.from_env(environ) as made:
        expected = ("eu1", "https://eu1.voice.api.sinch.com")
        assert expected == (made.region, made.base_url)
    emulator = sinch_v2_emulator
    with VoiceClient2.from_env(environ, base_url=emulator.url, token_url=emulator.token_url) as made:
        expected = "Default service"
        assert expected == made.get_service(str(emulator.default_service.service_id)).name


def test_from_env_names_what_is_missing_and_never_a_value() -> None:
    """A missing variable is named; the secret of another variable never appears."""
    with pytest.raises(SvamlError) as caught:
        VoiceClient2.from_env({"SINCH_KEY_SECRET": "hunter2-secret"})
    text = str(caught.value)
    expected = (True, False)
    assert expected == (text.startswith("SINCH_PROJECT_ID, SINCH_KEY_ID not set"), "hunter2" in text)


# -- calls --------------------------------------------------------------------------------------------


def test_a_created_call_is_played_through_sinch_states(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """create_call answers the session; the leg goes QUEUED→INITIATED→IN_PROGRESS→COMPLETED."""
    created = client.create_call(Svaml2().dial(TO, call_name="callee"))
    ended = sinch_v2_emulator.session(created.session_id).wait().calls[0]
    call = client.get_call(str(ended.call_id))
    session = client.get_session(str(created.session_id))
    expected = (CallResult.COMPLETED, CallReason.CALLEE_HANGUP, "callee", SessionState.COMPLETED, 1, True)
    assert expected == (
        call.call_result,
        call.call_reason,
        call.call_name,
        session.state,
        len(session.calls),
        call.answer_time is not None and call.end_time is not None,
    )


def test_a_live_call_is_hung_up_by_patch_and_by_session_and_name(sinch_v2_emulator: Emulator2) -> None:
    """A PATCH by id, and one by session and callName, each end a talking leg as MANAGER_HANGUP."""
    sinch_v2_emulator.player = StatePlayer(talk_seconds=None)
    with sinch_v2_emulator.client() as client:
        first = client.create_call(Svaml2().dial(TO))
        second = client.create_call(Svaml2().dial(TO, call_name="agent"))
        leg = client.get_session(str(first.session_id)).calls[0]
        for _ in range(200):
            if client.get_call(str(leg.call_id)).call_result is CallResult.IN_PROGRESS:
                break
            time.sleep(0.01)
        client.patch_call(str(leg.call_id), Svaml2().hangup())
        client.patch_call_by_name(str(second.session_id), "agent", Svaml2().hangup())
        results = [
            sinch_v2_emulator.session(s.session_id).wait().calls[0].call_reason for s in (first, second)
        ]
    expected = [CallReason.MANAGER_HANGUP, CallReason.MANAGER_HANGUP]
    assert expected == results


def test_a_patch_of_an_unknown_leg_name_is_not_found(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """PATCH by session and a name no live leg has is a NotFoundError carrying Sinch's problem."""
    created = client.create_call(Svaml2().dial(TO))
    with pytest.raises(NotFoundError) as caught:
        client.patch_call_by_name(str(created.session_id), "nobody", Svaml2().hangup())
    problem = caught.value.problem
    assert problem is not None
    expected = (404, "https://api.sinch.com/docs/errors/not-found", "Not Found", True)
    assert expected == (
        caught.value.status,
        problem.type,
        problem.title,
        str(problem.instance).endswith("/calls/nobody"),
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (Svaml2().dial(TO).pause(0), "S2"),
        (Svaml2().with_call_name("me").dial(TO), "callName takes effect only.*S2010"),
    ],
)
def test_an_invalid_create_raises_before_any_request(
    client: VoiceClient2, sinch_v2_emulator: Emulator2, document: Document, message: str
) -> None:
    """A create-call document the v2 rules refuse, or one with a webhook answer's callName, is never sent."""
    with pytest.raises(SvamlError, match=message):
        client.create_call(document)
    expected = []
    assert expected == paths(sinch_v2_emulator)


def test_a_patch_with_batch_fields_is_refused_before_sending(client: VoiceClient2) -> None:
    """A PATCH document takes commands only: parameters are refused with the reason (S2010)."""
    with pytest.raises(SvamlError, match=r"parameters takes effect only.*S2010"):
        client.patch_call("01ARZ3NDEKTSV4RRFFQ69G5FAV", Svaml2().with_parameters({"a": "b"}).hangup())


def test_the_stand_in_refuses_what_the_rules_refuse(sinch_v2_emulator: Emulator2) -> None:
    """A body sent past the client (raw HTTP) is 400 problem+json listing the rules' errors with pointers."""
    auth = base64.b64encode(f"{sinch_v2_emulator.key_id}:{sinch_v2_emulator.key_secret}".encode()).decode()
    answer = requests.post(
        f"{sinch_v2_emulator.url}/v2/projects/{sinch_v2_emulator.project_id}/calls",
        json={"commands": [{"command": "dial", "to": {"type": "PHONE", "phone": {"number": "0701"}}}]},
        headers={"Authorization": f"Basic {auth}"},
        timeout=5,
    )
    body = answer.json()
    expected = (400, "application/problem+json", "Bad Request", True)
    assert expected == (
        answer.status_code,
        answer.headers["Content-Type"],
        body["title"],
        "/commands/0/to/phone/number" in body["detail"],
    )


# -- lists and pages ----------------------------------------------------------------------------------


def test_pages_have_links_and_meta_and_iter_calls_walks_them(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """Five calls in pages of two: three pages, next/prev links; iter_calls yields all five, newest first."""
    made = [client.create_call(Svaml2().dial(f"+4670000000{n}")).session_id for n in range(5)]
    page = client.list_calls(page_size=2, page=2)
    walked = [c.session_id for c in client.iter_calls(page_size=2)]
    assert page.links is not None
    assert page.meta is not None
    expected = (2, 5, 3, True, True, list(reversed(made)))
    assert expected == (
        len(page.calls),
        page.meta.total_count,
        page.meta.page_count,
        str(page.links.next).endswith("page=3&pageSize=2"),
        str(page.links.prev).endswith("page=1&pageSize=2"),
        walked,
    )


def test_list_filters_are_sent_and_applied(client: VoiceClient2, sinch_v2_emulator: Emulator2) -> None:
    """Filtering by destination and by result finds only the matching legs."""
    for number in ("+46700000001", "+46700000002", "+46700000002"):
        sinch_v2_emulator.session(client.create_call(Svaml2().dial(number)).session_id).wait()
    found = client.list_calls(to="+46700000002", call_result="completed")
    none = client.list_calls(call_result=CallResult.BUSY)
    expected = (2, 0)
    assert expected == (len(found.calls), len(none.calls))


@pytest.mark.parametrize(
    ("options", "message"),
    [({"page_size": 101}, "pageSize must be 1 to 100"), ({"page": 0}, "page must be at least 1")],
)
def test_paging_out_of_range_is_refused_before_sending(
    client: VoiceClient2, options: dict[str, Any], message: str
) -> None:
    """The client checks pageSize (1-100) and page (at least 1)."""
    with pytest.raises(SvamlError, match=message):
        client.list_calls(**options)


# -- batches ------------------------------------------------------------------------------------------


def test_a_batch_paces_its_sessions_and_expires_those_past_the_ttl(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """Three parameter sets at 2 calls a second within 1 s: two start, one expires; details omit it."""
    document = (
        Svaml2()
        .with_parameters(
            {"to": "+46700000001"}, {"to": "+46700000002"}, {"to": "+46700000003"}, max_cps=2, ttl_seconds=1
        )
        .dial("@to")
    )
    created = client.create_call(document)
    batch = sinch_v2_emulator.batch(created.batch_id)
    for session in batch.sessions:
        sinch_v2_emulator.session(session).wait(5)
    summary = client.get_batch(str(created.batch_id))
    details = client.get_batch_details(str(created.batch_id))
    numbers = sorted(str(getattr(c.to, "number", "")) for c in sinch_v2_emulator.calls)
    expected = (3, 2, 1, 2, 1, 2, ["+46700000001", "+46700000002"], True)
    assert expected == (
        summary.session_count,
        summary.completed,
        summary.expired,
        summary.requested_cps,
        summary.ttl_seconds,
        len(details.sessions),
        numbers,
        summary.end_time is not None,
    )


def test_stopping_a_batch_leaves_its_queued_sessions_unstarted(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """stop_batch answers STOP_REQUESTED; sessions not yet started never start (EXPIRED)."""
    document = Svaml2().with_parameters(*({"to": f"+4670000000{n}"} for n in range(4)), max_cps=1).dial("@to")
    created = client.create_call(document)
    stopped = client.stop_batch(str(created.batch_id))
    batch = sinch_v2_emulator.batch(created.batch_id)
    for session in batch.sessions:
        sinch_v2_emulator.session(session).wait(5)
    summary = client.get_batch(str(created.batch_id))
    expected = ("STOP_REQUESTED", 1, 3)
    assert expected == (stopped.result, summary.completed, summary.expired)


# -- services -----------------------------------------------------------------------------------------


def test_services_lifecycle(client: VoiceClient2, sinch_v2_emulator: Emulator2) -> None:
    """Create, find, make default (the old one stops being it), refuse deleting the default, delete."""
    old = sinch_v2_emulator.default_service
    behavior = CallBehavior(
        type=CallBehaviorType.WEBHOOK, webhook=WebhookTarget(url="https://example.com/hook")
    )
    made = client.create_service(ServiceRequest(name="IVR", description="the menu", call_behavior=behavior))
    found = [s.name for s in client.iter_services(filter="MENU")]
    client.update_service(str(made.service_id), ServiceRequest(is_default=True))
    with pytest.raises(BadRequestError, match="default service cannot be deleted"):
        client.delete_service(str(made.service_id))
    client.delete_service(str(old.service_id))
    with pytest.raises(NotFoundError):
        client.get_service(str(old.service_id))
    listed = client.list_services(is_default=True)
    expected = (["IVR"], ["IVR"], "https://example.com/hook")
    webhook = client.get_service(str(made.service_id)).call_behavior
    assert webhook is not None
    assert webhook.webhook is not None
    assert expected == (found, [s.name for s in listed.services], webhook.webhook.url)


def test_a_duplicate_service_name_is_a_conflict(client: VoiceClient2) -> None:
    """Creating a second service of the same name is a ConflictError (409, 'Duplicate resource name')."""
    client.create_service(ServiceRequest(name="Sales"))
    with pytest.raises(ConflictError) as caught:
        client.create_service(ServiceRequest(name="Sales"))
    assert caught.value.problem is not None
    expected = (409, "Duplicate resource name")
    assert expected == (caught.value.status, caught.value.problem.title)


@pytest.mark.parametrize(
    ("request_", "update", "message"),
    [
        (ServiceRequest(is_default=False), True, "isDefault cannot be false"),
        (ServiceRequest(description="x"), False, "name is required"),
        (ServiceRequest(name=" padded"), False, "no leading or trailing whitespace"),
        (ServiceRequest(name="x", call_behavior=CallBehavior(type="WEBHOOK")), False, "needs webhook.url"),
    ],
)
def test_bad_service_requests_are_refused_before_sending(
    client: VoiceClient2, sinch_v2_emulator: Emulator2, request_: ServiceRequest, update: bool, message: str
) -> None:
    """The service rules of the reference (§8.4) are checked by the client; nothing is sent."""
    send = (
        (lambda: client.update_service("any", request_))
        if update
        else (lambda: client.create_service(request_))
    )
    with pytest.raises(SvamlError, match=message):
        send()
    expected = []
    assert expected == paths(sinch_v2_emulator)


# -- svaml/validate and svaml/describe ---------------------------------------------------------------


def test_validate_normal_ignores_what_strict_reports(client: VoiceClient2) -> None:
    """An unknown property is fine under NORMAL and an error under STRICT, in Sinch's words."""
    document = codec.structure(
        {"commands": [{"command": "dial", "to": {"type": "PHONE", "phone": {"number": TO}}, "test": 1}]},
        Document,
    )
    normal = client.validate_svaml(document)
    strict = client.validate_svaml(document, validation_type=ValidationType.STRICT)
    expected = ((True, ()), (False, ("Invalid property 'test' in the dial command",)))
    assert expected == ((normal.is_valid, normal.errors), (strict.is_valid, strict.errors))


def test_validate_sends_decoded_json_no_model_class_can_hold(client: VoiceClient2) -> None:
    """Decoded JSON with an unknown command is sent as it is, and Sinch's verdict comes back."""
    result = client.validate_svaml({"commands": [{"command": "test"}]})
    expected = (False, ("Unknown command 'test'.",))
    assert expected == (result.is_valid, result.errors)


def test_validate_refuses_a_value_json_cannot_carry_before_sending(client: VoiceClient2) -> None:
    """A set in the document is refused at its pointer before any request."""
    with pytest.raises(SvamlTypeError, match="at /commands/0/x"):
        client.validate_svaml({"commands": [{"command": "answer", "x": {1}}]})


def test_validate_says_what_is_missing_as_sinch_does(sinch_v2_emulator: Emulator2) -> None:
    """A dial with no destination, a say with no voice and an unknown command read as Sinch's samples."""
    auth = base64.b64encode(f"{sinch_v2_emulator.key_id}:{sinch_v2_emulator.key_secret}".encode()).decode()
    svaml = {
        "commands": [
            {"command": "dial"},
            {"command": "messages", "messages": [{"type": "SAY", "say": {"text": "Hi"}}]},
            {"command": "test"},
        ]
    }
    answer = requests.post(
        f"{sinch_v2_emulator.url}/v2/projects/{sinch_v2_emulator.project_id}/svaml/validate",
        json={"svaml": svaml},
        headers={"Authorization": f"Basic {auth}"},
        timeout=5,
    )
    expected = {
        "isValid": False,
        "errors": [
            "Invalid dial command. Missing destination.",
            "Invalid say command. Missing voice name.",
            "Unknown command 'test'.",
        ],
    }
    assert expected == {**answer.json(), "errors": sorted(answer.json()["errors"])}


def test_describe_writes_a_numbered_outline(client: VoiceClient2) -> None:
    """Describing answers the reference's outline style: numbered commands, handlers five deeper."""
    document = Svaml2().dial(
        "+12017777777",
        call_name="audio-notification",
        max_call_duration_seconds=300,
        on_answer=Svaml2().play("https://example.com/a.mp3").hangup(),
    )
    expected = (
        "1. A new call with name 'audio-notification' will be initiated to number +12017777777 with max"
        " duration set to 5 minutes.\n"
        " * on answer:\n"
        "     1. An audio file will be played from https://example.com/a.mp3.\n"
        "     2. The call will be hung up."
    )
    assert expected == client.describe_svaml(document).description


# -- idempotency --------------------------------------------------------------------------------------


def test_every_create_and_patch_carries_a_fresh_key_and_gets_none(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """POST and PATCH carry a UUIDv4 Idempotency-Key, a new one each; GET carries none."""
    created = client.create_call(Svaml2().dial(TO))
    client.create_service(ServiceRequest(name="Other"))
    client.get_session(str(created.session_id))
    keys = {
        (m, t.split("?")[0].rsplit("/", 1)[-1]): h.get("idempotency-key")
        for m, t, h, _ in sinch_v2_emulator.requests
    }
    created_key, service_key = keys[("POST", "calls")], keys[("POST", "services")]
    assert created_key is not None
    assert service_key is not None
    expected = (36, "4", True, None)
    assert expected == (
        len(created_key),
        created_key[14],
        created_key != service_key,
        keys[("GET", str(created.session_id))],
    )


def test_the_same_key_answers_the_first_answer_and_places_one_call(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """Two creates with one caller-given key place one call; both answers name the same session."""
    key = "order-4711-first-attempt"
    first = client.create_call(Svaml2().dial(TO), idempotency_key=key)
    second = client.create_call(Svaml2().dial(TO), idempotency_key=key)
    expected = (first.session_id, 1)
    assert expected == (second.session_id, len(sinch_v2_emulator.calls))


def test_the_same_key_with_another_body_is_a_bad_request(client: VoiceClient2) -> None:
    """Reusing a key for another request within 10 minutes is 400 (the stand-in's choice, see the docs)."""
    client.create_call(Svaml2().dial(TO), idempotency_key="k" * 16)
    with pytest.raises(BadRequestError, match="was used in the last 10 minutes for another request"):
        client.create_call(Svaml2().dial("+46700000009"), idempotency_key="k" * 16)


def test_a_create_whose_answer_is_lost_is_retried_and_places_one_call(
    client: VoiceClient2, sinch_v2_emulator: Emulator2
) -> None:
    """The connection drops after the stand-in placed the call: the retry, same key, gets the first answer."""
    sinch_v2_emulator.drop_answers("POST", "/calls")
    created = client.create_call(Svaml2().dial(TO))
    posts = [
        h["idempotency-key"] for m, t, h, _ in sinch_v2_emulator.requests if m == "POST" and "/calls" in t
    ]
    expected = (2, 1, 1, [created.session_id])
    assert expected == (
        len(posts),
        len(set(posts)),
        len(sinch_v2_emulator.calls),
        [c.session_id for c in sinch_v2_emulator.calls],
    )


def test_without_a_key_a_lost_create_is_never_retried(sinch_v2_emulator: Emulator2) -> None:
    """With idempotency off, a dropped create is sent once and the error says the call may exist."""
    sinch_v2_emulator.drop_answers("POST", "/calls")
    with (
        sinch_v2_emulator.client(idempotency=False, backoff=0.01) as client,
        pytest.raises(TransportError, match="the call may have been placed"),
    ):
        client.create_call(Svaml2().dial(TO))
    expected = (1, 1)
    assert expected == (len(paths(sinch_v2_emulator, "POST")), len(sinch_v2_emulator.calls))


@pytest.mark.parametrize("key", ["short", "x" * 129, "has a space in it!!"])
def test_a_bad_idempotency_key_is_refused(client: VoiceClient2, key: str) -> None:
    """A caller-given key must have 16-128 printable characters."""
    with pytest.raises(SvamlError, match="idempotency_key must"):
        client.create_call(Svaml2().dial(TO), idempotency_key=key)


# -- authentication -----------------------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused(client: VoiceClient2, sinch_v2_emulator: Emulator2) -> None:
    """Three requests, one token request; each API request carries the bearer token."""
    for _ in range(3):
        client.list_services()
    bearer = {
        h.get("authorization", "")[:7] for _, t, h, _ in sinch_v2_emulator.requests if t.startswith("/v2/")
    }
    expected = (1, {"Bearer "})
    assert expected == (token_requests(sinch_v2_emulator), bearer)


def test_a_refused_token_is_fetched_again_once(client: VoiceClient2, sinch_v2_emulator: Emulator2) -> None:
    """After the stand-in forgets its tokens, a 401 invalid_token makes the client fetch one and resend."""
    client.list_services()
    sinch_v2_emulator.revoke_tokens()
    client.list_services()
    expected = (2, 3)
    assert expected == (token_requests(sinch_v2_emulator), len(paths(sinch_v2_emulator)))


def test_a_token_is_renewed_shortly_before_it_expires() -> None:
    """A token living one second is used for 0.9 s, then a new one is fetched."""
    with Emulator2(token_lifetime=1.0) as sinch, sinch.client() as client:
        client.list_services()
        client.list_services()
        time.sleep(0.95)
        client.list_services()
        expected = 2
        assert expected == token_requests(sinch)


def test_a_token_refused_twice_is_an_unauthorized_error() -> None:
    """When even a fresh token is refused, the second 401 is raised with Sinch's problem and header."""
    with Emulator2(token_lifetime=0.0) as sinch, sinch.client() as client:
        with pytest.raises(UnauthorizedError) as caught:
            client.list_services()
        expected = (2, 2, True, "Token has expired")
        assert caught.value.problem is not None
        assert expected == (
            token_requests(sinch),
            len(paths(sinch)),
            "invalid_token" in caught.value.www_authenticate,
            caught.value.problem.detail,
        )


@pytest.mark.parametrize("auth", ["oauth2", "basic"])
def test_a_wrong_secret_is_unauthorized(sinch_v2_emulator: Emulator2, auth: str) -> None:
    """A wrong secret is refused: by the token URL (OAuth2's words) or by the API (problem+json)."""
    with sinch_v2_emulator.client(auth=auth) as good:
        good.list_services()
    bad = VoiceClient2(
        sinch_v2_emulator.project_id,
        sinch_v2_emulator.key_id,
        "wrong-secret",
        auth=auth,  # type: ignore[arg-type]
        base_url=sinch_v2_emulator.url,
        token_url=sinch_v2_emulator.token_url,
    )
    with bad, pytest.raises(UnauthorizedError) as caught:
        bad.list_services()
    said = "invalid_client" if auth == "oauth2" else "The access key id or secret is not valid"
    expected = (401, True)
    assert expected == (caught.value.status, said in str(caught.value))


def test_another_project_is_forbidden(sinch_v2_emulator: Emulator2) -> None:
    """Valid credentials for one project do not reach another: 403 ForbiddenError, a ProblemError."""
    with (
        VoiceClient2(
            "11111111-1111-4111-8111-111111111111",
            sinch_v2_emulator.key_id,
            sinch_v2_emulator.key_secret,
            base_url=sinch_v2_emulator.url,
            token_url=sinch_v2_emulator.token_url,
        ) as other,
        pytest.raises(ProblemError) as caught,
    ):
        other.list_services()
    expected = (403, "ForbiddenError")
    assert expected == (caught.value.status, type(caught.value).__name__)


def test_the_secret_never_shows(sinch_v2_emulator: Emulator2, caplog: pytest.LogCaptureFixture) -> None:
    """No repr, error or DEBUG log line holds the secret, the Basic credentials or a token."""
    caplog.set_level(logging.DEBUG)
    secret = sinch_v2_emulator.key_secret
    basic = base64.b64encode(f"{sinch_v2_emulator.key_id}:{secret}".encode()).decode()
    texts = []
    for auth in ("oauth2", "basic"):
        with sinch_v2_emulator.client(auth=auth) as client:
            client.list_services()
            texts += [repr(client), repr(vars(client))]
            with pytest.raises(NotFoundError) as caught:
                client.get_call("missing")
            texts += [str(caught.value), repr(caught.value.__cause__), repr(caught.value.__context__)]
    tokens = list(sinch_v2_emulator.api.tokens)
    texts += [r.getMessage() for r in caplog.records] + [str(vars(r)) for r in caplog.records]
    leaks = [t for t in texts for s in (secret, basic, *tokens) if s in t]
    expected = (True, [])
    assert expected == (len(caplog.records) > 4, leaks)


def test_a_client_is_not_pickled() -> None:
    """Pickling a client (it holds the secret) is refused with a SvamlTypeError."""
    import pickle

    with pytest.raises(SvamlTypeError, match="not pickled"):
        pickle.dumps(VoiceClient2("p", "k", "s"))


def test_too_many_requests_is_a_rate_limited_error() -> None:
    """TooManyRequestsError is both a ProblemError and v1's RateLimitedError."""
    expected = (True, True)
    assert expected == (
        issubclass(TooManyRequestsError, ProblemError),
        issubclass(TooManyRequestsError, RateLimitedError),
    )


# -- players ------------------------------------------------------------------------------------------


class Recorder:
    """A player that keeps what it is handed and ends each leg BUSY (a real object, not a mock)."""

    def __init__(self) -> None:
        self.played: list[PlacedCall] = []
        self.patched: list[Document] = []

    def play(self, call: PlacedCall) -> None:
        """Keep the leg, then end it busy."""
        self.played.append(call)
        call.advance(CallResult.INITIATED)
        call.advance(CallResult.BUSY, CallReason.NOT_AVAILABLE)

    def patch(self, call: PlacedCall, document: Document) -> None:
        """Keep the patch."""
        self.patched.append(document)


def test_each_placed_leg_is_handed_to_the_one_player_with_its_webhook_and_secret() -> None:
    """The player gets the leg, its dial, webhook URL and signing secret; the API reports its outcome."""
    recorder = Recorder()
    with Emulator2(webhook_url="http://127.0.0.1:9/hook", player=recorder) as sinch, sinch.client() as client:
        created = client.create_call(Svaml2().dial(TO, call_name="callee"))
        call = client.get_session(str(created.session_id)).calls[0]
        handed = recorder.played[0]
        expected = (
            1,
            "callee",
            "http://127.0.0.1:9/hook",
            sinch.service_secret(),
            sinch.project_id,
            CallResult.BUSY,
            CallReason.NOT_AVAILABLE,
        )
        assert expected == (
            len(recorder.played),
            handed.dial.call_name,
            handed.webhook_url,
            handed.service_secret,
            handed.project_id,
            call.call_result,
            call.call_reason,
        )


@pytest.mark.parametrize("outcome", [CallResult.BUSY, CallResult.NO_ANSWER, CallResult.FAILED])
def test_the_state_player_can_leave_legs_unanswered(outcome: CallResult) -> None:
    """StatePlayer(unanswered=…) ends each leg that way after ringing, with Sinch's reason."""
    with Emulator2(player=StatePlayer(unanswered=outcome)) as sinch, sinch.client() as client:
        created = client.create_call(Svaml2().dial(TO))
        leg = sinch.session(created.session_id).wait().calls[0]
    reason = CallReason.ERROR if outcome is CallResult.FAILED else CallReason.NOT_AVAILABLE
    expected = (outcome, reason, None)
    assert expected == (leg.call_result, leg.call_reason, leg.answer_time)


def test_time_filters_take_aware_datetimes_and_dates(client: VoiceClient2) -> None:
    """start_time is inclusive, end_time exclusive; a date or an aware datetime is sent as Sinch reads it."""
    client.create_call(Svaml2().dial(TO))
    now = datetime.now(timezone.utc)
    found = [
        len(client.list_calls(start_time=now - timedelta(minutes=1)).calls),
        len(client.list_calls(start_time=now + timedelta(minutes=1)).calls),
        len(client.list_calls(end_time=now.date()).calls),
        len(client.list_calls(start_time=now.date()).calls),
    ]
    expected = [1, 0, 0, 1]
    assert expected == found


def test_a_naive_datetime_is_refused(client: VoiceClient2) -> None:
    """A datetime without a time zone is ambiguous: refused before sending."""
    with pytest.raises(SvamlError, match="must be an aware datetime"):
        client.list_calls(start_time=datetime(2026, 1, 1))


def test_concurrent_creates_with_one_key_place_one_call(sinch_v2_emulator: Emulator2) -> None:
    """Eight threads sending the same create with the same key at once place one call between them."""
    key = "one-key-for-eight-threads"
    with sinch_v2_emulator.client() as client, ThreadPoolExecutor(8) as pool:
        sessions = set(
            pool.map(
                lambda _: client.create_call(Svaml2().dial(TO), idempotency_key=key).session_id, range(8)
            )
        )
    expected = (1, 1)
    assert expected == (len(sessions), len(sinch_v2_emulator.calls))


def test_the_stand_in_refuses_a_key_of_the_wrong_length(sinch_v2_emulator: Emulator2) -> None:
    """An Idempotency-Key shorter than 16 characters, sent past the client, is 400 problem+json."""
    auth = base64.b64encode(f"{sinch_v2_emulator.key_id}:{sinch_v2_emulator.key_secret}".encode()).decode()
    answer = requests.post(
        f"{sinch_v2_emulator.url}/v2/projects/{sinch_v2_emulator.project_id}/services",
        json={"name": "x"},
        headers={"Authorization": f"Basic {auth}", "Idempotency-Key": "short"},
        timeout=5,
    )
    expected = (400, True, 0)
    assert expected == (
        answer.status_code,
        "16 to 128 characters" in answer.json()["detail"],
        sum(1 for s in sinch_v2_emulator.api.services.values() if s.name == "x"),
    )


class Settler:
    """A player that ends each session at once with the legs it 'played': its own, and one more it dialled."""

    def play(self, call: PlacedCall) -> None:
        """Settle the session: the placed leg answered and completed, plus an extra leg, busy."""
        answered = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
        call.settle(
            [
                Call(
                    call_id=call.call_id,
                    call_result=CallResult.COMPLETED,
                    call_reason=CallReason.CALLER_HANGUP,
                    answer_time=answered,
                    end_time=answered + timedelta(seconds=42),
                    call_duration_seconds=42,
                ),
                Call(call_id="01ARZ3NDEKTSV4RRFFQ69G5FAW", call_name="agent", call_result=CallResult.BUSY),
            ]
        )

    def patch(self, call: PlacedCall, document: Document) -> None:
        """Nothing to run."""


def test_a_player_settles_a_session_with_the_legs_it_played() -> None:
    """settle() gives the placed leg the played state and adds the legs the player dialled besides."""
    with Emulator2(player=Settler()) as sinch, sinch.client() as client:
        created = client.create_call(Svaml2().dial(TO))
        session = sinch.session(created.session_id).wait()
    first, extra = session.calls
    expected = (
        SessionState.COMPLETED,
        (CallResult.COMPLETED, CallReason.CALLER_HANGUP, 42, TO),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAW", "agent", CallResult.BUSY, created.session_id),
    )
    assert expected == (
        session.state,
        (
            first.call_result,
            first.call_reason,
            first.call_duration_seconds,
            getattr(first.to, "number", None),
        ),
        (extra.call_id, extra.call_name, extra.call_result, extra.session_id),
    )

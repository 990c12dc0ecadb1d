"""VoiceClient against a real local server that plays Sinch Voice and verifies every signature."""

from __future__ import annotations

import base64
import builtins
import email.utils
import json
import logging
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from sinch_server import KEY, SECRET, SinchServer, sinch_server_fixture  # noqa: F401 - the fixture

from svaml import Svaml
from svaml.client import (
    CONFIGURATION_URL,
    REGIONS,
    CallbackUrls,
    CallInfo,
    NumberInfo,
    Participant,
    Price,
    VoiceClient,
)
from svaml.errors import (
    ApiError,
    RateLimitedError,
    SinchError,
    SinchTimeoutError,
    SvamlError,
    SvamlTypeError,
    TransportError,
)
from svaml.model import ConferenceDtmfOptions, Destination, TtsCallout

TO = "+46700000001"
CLI = "+46700000002"
CALLOUTS = "/calling/v1/callouts"
ROOT = Path(__file__).resolve().parent.parent


def make_client(server: SinchServer, **options: Any) -> VoiceClient:
    """Return a client of ``server`` with small timeouts and waits."""
    settings: dict[str, Any] = {"base_url": server.url, "timeout": (2.0, 2.0), "backoff": 0.01}
    settings.update(options)
    return VoiceClient(KEY, SECRET, **settings)


@pytest.fixture
def client(sinch_server: SinchServer) -> Iterator[VoiceClient]:
    """Yield a client of the local server."""
    with make_client(sinch_server) as made:
        yield made


@pytest.fixture
def config_server() -> Iterator[SinchServer]:
    """Yield a second server that plays the configuration host."""
    with SinchServer() as server:
        yield server
    assert server.unsigned() == []


@pytest.fixture
def config_client(sinch_server: SinchServer, config_server: SinchServer) -> Iterator[VoiceClient]:
    """Yield a client whose configuration endpoints go to ``config_server``."""
    with make_client(sinch_server, configuration_url=config_server.url) as made:
        yield made


def call_path(call_id: str) -> str:
    """Return the path of a call."""
    return f"/calling/v1/calls/id/{call_id}"


# -- construction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("global", "https://calling.api.sinch.com"),
        ("europe", "https://calling-euc1.api.sinch.com"),
        ("north-america", "https://calling-use1.api.sinch.com"),
        ("south-america", "https://calling-sae1.api.sinch.com"),
        ("southeast-asia-1", "https://calling-apse1.api.sinch.com"),
        ("southeast-asia-2", "https://calling-apse2.api.sinch.com"),
        ("euc1", "https://calling-euc1.api.sinch.com"),
        ("North_America", "https://calling-use1.api.sinch.com"),
    ],
)
def test_regions_map_to_the_reference_hosts(region: str, host: str) -> None:
    """Each region name (and Sinch's short name) selects its host; configuration stays on callingapi."""
    made = VoiceClient(KEY, SECRET, region=region)
    assert (host, "https://callingapi.sinch.com") == (made.base_url, made.configuration_url)


def test_regions_table_has_the_six_regions() -> None:
    """The table names the six regions of the reference, and the configuration host is callingapi."""
    expected = ["global", "europe", "north-america", "south-america", "southeast-asia-1", "southeast-asia-2"]
    assert expected == list(REGIONS)
    expected = "https://callingapi.sinch.com"
    assert expected == CONFIGURATION_URL


def test_unknown_region_lists_the_known_ones() -> None:
    """An unknown region is refused with the list of regions."""
    with pytest.raises(SvamlError, match="unknown region 'mars'; expected one of global, europe"):
        VoiceClient(KEY, SECRET, region="mars")


def test_base_url_overrides_both_hosts_unless_configuration_url_is_given() -> None:
    """A base_url is used for the configuration endpoints too, unless configuration_url is set."""
    one = VoiceClient(KEY, SECRET, base_url="http://127.0.0.1:1/")
    two = VoiceClient(KEY, SECRET, base_url="http://127.0.0.1:1", configuration_url="http://127.0.0.1:2")
    expected = [("http://127.0.0.1:1", "http://127.0.0.1:1"), ("http://127.0.0.1:1", "http://127.0.0.1:2")]
    assert expected == [(one.base_url, one.configuration_url), (two.base_url, two.configuration_url)]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"auth": "oauth"}, "auth must be 'signed' or 'basic'"),
        ({"timeout": -1}, "timeout must not be negative"),
        ({"timeout": float("nan")}, "timeout must be a number of seconds, not NaN"),
        ({"backoff": float("nan")}, "backoff must be a number of seconds, not NaN"),
        ({"timeout": 0}, "timeout must be more than 0"),
        ({"retries": -1}, "retries must not be negative"),
        ({"base_url": "ftp://example.com"}, "base_url must be an http"),
        ({"base_url": "http://user:hunter2@127.0.0.1:1"}, "base_url must not carry a user name or password"),
        ({"configuration_url": "https://u:p@example.com"}, "configuration_url must not carry a user name"),
        ({"auth": "basic", "base_url": "http://example.com"}, "refused over plain http"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], message: str) -> None:
    """Settings that cannot work raise SvamlError when the client is made."""
    with pytest.raises(SvamlError, match=re.escape(message)):
        VoiceClient(KEY, SECRET, **options)


def test_timeout_defaults_to_connect_and_read() -> None:
    """By default a client has a connect and a read timeout; one number sets both."""
    expected = [(3.05, 10.0), (4.0, 4.0)]
    assert expected == [VoiceClient(KEY, SECRET).timeout, VoiceClient(KEY, SECRET, timeout=4).timeout]


def test_importing_the_client_does_not_import_requests() -> None:
    """``import svaml.client`` leaves requests unloaded until a client is made."""
    code = "import sys, svaml.client; print('requests' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    expected = "False"
    assert expected == found.stdout.strip()


def test_missing_requests_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without requests, making a client says to install the client extra."""
    monkeypatch.setitem(sys.modules, "requests", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'svaml[client]'")):
        VoiceClient(KEY, SECRET)


def test_context_manager_closes_its_own_session(sinch_server: SinchServer) -> None:
    """Leaving the with block closes the pooled connections of the session the client made."""
    with make_client(sinch_server) as made:
        made.list_numbers()
        pools = made.session.get_adapter(sinch_server.url).poolmanager.pools
        before = len(pools)
    expected = (1, 0)
    assert expected == (before, len(pools))


def test_context_manager_leaves_an_injected_session_open(sinch_server: SinchServer) -> None:
    """A session passed in belongs to the caller and stays open."""
    with requests.Session() as session:
        with make_client(sinch_server, session=session) as made:
            made.list_numbers()
        expected = 1
        assert expected == len(session.get_adapter(sinch_server.url).poolmanager.pools)


# -- every endpoint -------------------------------------------------------------------------------


def test_tts_callout_sends_a_signed_callout_and_returns_the_call_id(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A TTS callout is one signed POST with the callout JSON; the result is Sinch's callId."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello", locale="en-US", enable_dice=True)
    sent = sinch_server.requests[0]
    expected = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": CLI,
            "destination": {"type": "number", "endpoint": TO},
            "locale": "en-US",
            "text": "Hello",
            "enableDice": True,
        },
    }
    assert expected == sent.json
    expected = ("POST", CALLOUTS, "application/json; charset=UTF-8")
    assert expected == (
        sent.method,
        sent.path,
        sent.header("Content-Type"),
    )
    assert [call_id] == list(sinch_server.calls)
    assert sent.header("Authorization").startswith(f"Application {KEY}:")


def test_conference_callout_sends_the_conference_fields(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A conference callout carries conferenceId, DTMF options and mohClass."""
    call_id = client.conference_callout(
        TO,
        "room-1",
        cli=CLI,
        greeting="Welcome",
        moh_class="music1",
        conference_dtmf_options=ConferenceDtmfOptions(mode="forward"),
    )
    expected = {
        "method": "conferenceCallout",
        "conferenceCallout": {
            "cli": CLI,
            "destination": {"type": "number", "endpoint": TO},
            "conferenceId": "room-1",
            "conferenceDtmfOptions": {"mode": "forward"},
            "greeting": "Welcome",
            "mohClass": "music1",
        },
    }
    assert expected == sinch_server.requests[0].json
    assert [call_id] == list(sinch_server.conferences["room-1"])


def test_custom_callout_sends_svaml_as_json_strings_and_urls(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """Svaml objects become JSON strings; URLs go as they are."""
    ice = Svaml.ice().connect_pstn(TO, cli=CLI)
    ace = Svaml().say("Hi", locale="en-US").continue_()
    client.custom_callout(ice=ice, ace=ace, pie="https://example.com/pie", dice="https://example.com/dice")
    expected = {
        "method": "customCallout",
        "customCallout": {
            "ice": ice.to_json(),
            "ace": (
                '{"instructions":[{"name":"say","text":"Hi","locale":"en-US"}],"action":{"name":"continue"}}'
            ),
            "pie": "https://example.com/pie",
            "dice": "https://example.com/dice",
        },
    }
    assert expected == sinch_server.requests[0].json


def test_custom_callout_takes_svaml_json_text(client: VoiceClient, sinch_server: SinchServer) -> None:
    """SVAML JSON text is checked and sent as written."""
    text = '{"action": {"name": "hangup"}}'
    client.custom_callout(ice=text)
    assert {"method": "customCallout", "customCallout": {"ice": text}} == sinch_server.requests[0].json


def test_update_call_patches_the_call(client: VoiceClient, sinch_server: SinchServer) -> None:
    """update_call sends the SVAML with PATCH to the call and returns None on 204."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello")
    result = client.update_call(call_id, Svaml.patch().say("Goodbye", locale="en-US").hangup())
    sent = sinch_server.requests[1]
    expected = (
        "PATCH",
        call_path(call_id),
        {
            "instructions": [{"name": "say", "text": "Goodbye", "locale": "en-US"}],
            "action": {"name": "hangup"},
        },
    )
    assert expected == (sent.method, sent.path, sent.json)
    expected = (None, "FINAL")
    assert expected == (result, client.get_call(call_id).status)


@pytest.mark.parametrize("leg", ["caller", "callee", "both"])
def test_manage_call_leg_patches_the_leg(client: VoiceClient, sinch_server: SinchServer, leg: Any) -> None:
    """manage_call_leg sends the SVAML to /leg/{leg}."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello")
    client.manage_call_leg(
        call_id, Svaml.call_leg().play_files("#tts[Hi]", locale="en-US").continue_(), leg=leg
    )
    sent = sinch_server.requests[1]
    assert ("PATCH", f"{call_path(call_id)}/leg/{leg}") == (sent.method, sent.path)


def test_get_call_returns_typed_call_info(client: VoiceClient, sinch_server: SinchServer) -> None:
    """get_call reads Sinch's answer into CallInfo, times and prices typed."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello", custom="order-7")
    info = client.get_call(call_id)
    expected = CallInfo(
        call_id=call_id,
        from_=Destination(type="number", endpoint=CLI),
        to=Destination(type="number", endpoint=TO),
        domain="pstn",
        duration=0,
        status="ONGOING",
        result="N/A",
        reason="N/A",
        timestamp=info.timestamp,
        custom="order-7",
        user_rate=Price(currency_id="USD", amount=0.0368),
        debit=Price(currency_id="USD", amount=0.0),
    )
    assert expected == info
    assert timedelta(0) <= datetime.now(timezone.utc) - info.timestamp < timedelta(minutes=1)  # type: ignore[operator]


def test_call_info_reads_liberally_and_keeps_the_raw_answer(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """Unexpected forms are left None, numbers in strings and 7-digit fractions read, raw keeps it all."""
    raw = {
        "callId": "odd",
        "duration": "12",
        "status": {"code": 5},
        "timestamp": "2024-01-19T09:19:28.9372196Z",
        "userRate": "free",
        "brandNew": [1, 2],
    }
    sinch_server.calls["odd"] = raw
    info = client.get_call("odd")
    expected = CallInfo(
        call_id="odd", duration=12, timestamp=datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=timezone.utc)
    )
    assert expected == info
    assert raw == dict(info.raw)


def test_call_info_reads_the_older_string_form_of_from_and_to(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A from or to sent as a plain string reads as a destination without a type; an empty one is None."""
    sinch_server.calls["old"] = {"callId": "old", "from": "+46700000002", "to": ""}
    info = client.get_call("old")
    expected = (Destination(endpoint=CLI), None)
    assert expected == (info.from_, info.to)


def test_conference_endpoints(client: VoiceClient, sinch_server: SinchServer) -> None:
    """Get, mute, unmute, hold, resume and kick act on the conference and its participants."""
    first = client.conference_callout(TO, "room", cli=CLI)
    second = client.conference_callout("+46700000003", "room", cli=CLI)
    client.mute("room", first)
    client.hold("room", second, moh="ring")
    info = client.get_conference("room")
    expected = (
        Participant(call_id=first, cli=CLI, duration=0, muted=True, on_hold=False),
        Participant(call_id=second, cli=CLI, duration=0, muted=False, on_hold=True),
    )
    assert expected == info.participants
    client.unmute("room", first)
    client.resume("room", second)
    client.kick_participant("room", first)
    after = client.get_conference("room").participants
    assert (Participant(call_id=second, cli=CLI, duration=0, muted=False, on_hold=False),) == after
    client.kick_all("room")
    expected = ()
    assert expected == client.get_conference("room").participants
    expected_requests = [
        ("PATCH", f"/calling/v1/conferences/id/room/{first}", {"command": "mute"}),
        ("PATCH", f"/calling/v1/conferences/id/room/{second}", {"command": "onhold", "moh": "ring"}),
        ("GET", "/calling/v1/conferences/id/room", None),
        ("PATCH", f"/calling/v1/conferences/id/room/{first}", {"command": "unmute"}),
        ("PATCH", f"/calling/v1/conferences/id/room/{second}", {"command": "resume"}),
        ("DELETE", f"/calling/v1/conferences/id/room/{first}", None),
        ("GET", "/calling/v1/conferences/id/room", None),
        ("DELETE", "/calling/v1/conferences/id/room", None),
        ("GET", "/calling/v1/conferences/id/room", None),
    ]
    assert expected_requests == [(r.method, r.path, r.json) for r in sinch_server.requests[2:]]


def test_ids_are_percent_encoded_in_the_signed_path(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A conference id with a space and a slash is encoded; the encoded path is what is signed."""
    client.conference_callout(TO, "team a/b", cli=CLI)
    client.get_conference("team a/b")
    expected = "/calling/v1/conferences/id/team%20a%2Fb"
    assert expected == sinch_server.requests[1].path


def test_numbers_go_to_the_configuration_host(
    config_client: VoiceClient, sinch_server: SinchServer, config_server: SinchServer
) -> None:
    """Numbers are assigned, listed and unassigned on the configuration host with the app key."""
    config_client.assign_numbers(["+46700000010", "+46700000011"])
    listed = config_client.list_numbers()
    config_client.unassign_number("+46700000010", capability="voice")
    expires = datetime(2030, 1, 1, tzinfo=timezone.utc)
    expected = tuple(
        NumberInfo(number=n, application_key=KEY, capability="voice", expires=expires)
        for n in ("+46700000010", "+46700000011")
    )
    assert expected == listed
    expected = ("+46700000011",)
    assert expected == tuple(n.number for n in config_client.list_numbers())
    expected_requests = [
        (
            "POST",
            "/v1/configuration/numbers",
            {"numbers": ["+46700000010", "+46700000011"], "applicationkey": KEY, "capability": "voice"},
        ),
        ("GET", "/v1/configuration/numbers", None),
        (
            "DELETE",
            "/v1/configuration/numbers",
            {"number": "+46700000010", "applicationkey": KEY, "capability": "voice"},
        ),
        ("GET", "/v1/configuration/numbers", None),
    ]
    assert expected_requests == [(r.method, r.path, r.json) for r in config_server.requests]
    expected = []
    assert expected == sinch_server.requests


def test_callback_urls_go_to_the_configuration_host(
    config_client: VoiceClient, config_server: SinchServer
) -> None:
    """Callback URLs are set and read under the application key."""
    config_client.update_callback_urls("https://example.com/primary", "https://example.com/fallback")
    urls = config_client.get_callback_urls()
    expected = CallbackUrls(primary="https://example.com/primary", fallback="https://example.com/fallback")
    assert expected == urls
    path = f"/v1/configuration/callbacks/applications/{KEY}"
    expected_requests = [
        (
            "POST",
            path,
            {"url": {"primary": "https://example.com/primary", "fallback": "https://example.com/fallback"}},
        ),
        ("GET", path, None),
    ]
    assert expected_requests == [(r.method, r.path, r.json) for r in config_server.requests]


def test_query_number_reads_the_number_details(client: VoiceClient, sinch_server: SinchServer) -> None:
    """The deprecated number query warns of Sinch's deprecation, then is a GET that reads into NumberQuery."""
    with pytest.warns(DeprecationWarning, match="Number Lookup") as warned:
        found = client.query_number("+46700000001")
    expected_where = __file__
    assert expected_where == warned[0].filename  # blames the caller, not svaml
    assert ("SE", "Mobile", False, Price(currency_id="USD", amount=0.0368)) == (
        found.country_id,
        found.number_type,
        found.restricted,
        found.rate,
    )
    expected = "/v1/calling/query/number/+46700000001"
    assert expected == sinch_server.requests[0].path


# -- checks before any HTTP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("send", "message"),
    [
        (
            lambda c: c.callout(TtsCallout(destination=Destination(type="number", endpoint=TO), text="Hi")),
            "cli",
        ),
        (lambda c: c.tts_callout("0701234567", cli=CLI, text="Hi"), "E.164"),
        (lambda c: c.tts_callout(TO, cli=CLI, text="x" * 601), "600"),
        (
            lambda c: c.update_call("call-1", Svaml().connect_pstn(TO)),
            "connectPstn is not allowed in a call update",
        ),
        (lambda c: c.manage_call_leg("call-1", Svaml().send_dtmf("1").continue_()), "sendDtmf"),
        (lambda c: c.custom_callout(ice=Svaml().continue_()), "ice: the action continue is not allowed"),
        (lambda c: c.custom_callout(ace='{"action": {"name": "park"}}'), "ace: the action park"),
    ],
)
def test_invalid_requests_raise_with_diagnostics_before_any_http(
    client: VoiceClient, sinch_server: SinchServer, send: Callable[[VoiceClient], Any], message: str
) -> None:
    """The validator's errors raise SvamlError carrying diagnostics, and nothing reaches the server."""
    with pytest.raises(SvamlError, match="nothing was sent") as caught:
        send(client)
    expected = []
    assert expected == sinch_server.requests
    assert caught.value.problems
    assert any(message in d.message for d in caught.value.problems), caught.value


@pytest.mark.parametrize(
    ("send", "error", "message"),
    [
        (lambda c: c.custom_callout(ice="say hello"), SvamlError, "ice must be SVAML"),
        (lambda c: c.custom_callout(dice=Svaml().hangup()), SvamlTypeError, "dice must be the URL"),
        (
            lambda c: c.manage_call_leg("c", Svaml().say("x").continue_(), leg="left"),
            SvamlError,
            "leg must be",
        ),
        (lambda c: c.update_call("c", {"action": {"name": "hangup"}}), SvamlTypeError, "must be a Svaml"),
        (lambda c: c.get_call(""), SvamlError, "call_id must not be empty"),
        (lambda c: c.assign_numbers("+46700000001"), SvamlTypeError, "not a single str"),
        (lambda c: c.assign_numbers(["0701234567"]), SvamlError, "not an E.164 number"),
        (lambda c: c.assign_numbers([]), SvamlError, "1 to 100 numbers"),
        (lambda c: c.assign_numbers(["+46700000001"], capability="fax"), SvamlError, "capability must be"),
        (lambda c: c.update_callback_urls("example.com"), SvamlError, "must be an http"),
        (lambda c: c.hold("room", "c", moh="jazz"), SvamlError, "moh must be one of"),
    ],
)
def test_bad_arguments_raise_before_any_http(
    client: VoiceClient,
    sinch_server: SinchServer,
    send: Callable[[VoiceClient], Any],
    error: type[Exception],
    message: str,
) -> None:
    """Arguments that cannot make a valid request raise at once, and nothing is sent."""
    with pytest.raises(error, match=re.escape(message)):
        send(client)
    expected = []
    assert expected == sinch_server.requests


# -- errors -----------------------------------------------------------------------------------------


def test_sinch_error_body_becomes_api_error(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A 404 carries status, Sinch's integer errorCode, message and reference."""
    with pytest.raises(ApiError, match="Call not found") as caught:
        client.get_call("nope")
    error = caught.value
    assert re.fullmatch(r"[0-9a-f-]{36}", error.reference or "")
    expected = (
        404,
        40400,
        f"GET {sinch_server.url}/calling/v1/calls/id/nope: Call not found"
        f" (HTTP 404, errorCode 40400, reference {error.reference})",
    )
    assert expected == (error.status, error.error_code, str(error))
    expected = 1
    assert expected == len(sinch_server.requests)


def test_string_error_code_reads_as_the_same_int(client: VoiceClient, sinch_server: SinchServer) -> None:
    """An errorCode sent as a string of digits (Sinch's schema) reads as the int its examples send."""
    body = {"status": "400 Bad Request", "errorCode": "40001", "message": "Invalid cli", "reference": "ref-1"}
    sinch_server.error(CALLOUTS, 400, body=body)
    with pytest.raises(ApiError, match=r"/calling/v1/callouts: Invalid cli \(HTTP 400") as caught:
        client.tts_callout(TO, cli=CLI, text="Hi")
    expected = (400, 40001, "ref-1")
    assert expected == (caught.value.status, caught.value.error_code, caught.value.reference)


def test_error_code_that_is_not_a_number_is_none_and_kept_in_the_body(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """An errorCode that is no number is None, and the body still has it as sent."""
    body = {"status": "400 Bad Request", "errorCode": "E-1", "message": "Odd", "reference": "ref-2"}
    sinch_server.error(CALLOUTS, 400, body=body)
    with pytest.raises(ApiError) as caught:
        client.tts_callout(TO, cli=CLI, text="Hi")
    expected = (None, "E-1")
    assert expected == (caught.value.error_code, json.loads(caught.value.body)["errorCode"])


def test_500_is_not_retried(client: VoiceClient, sinch_server: SinchServer) -> None:
    """An internal error is raised at once, even for a GET."""
    sinch_server.error(call_path("c1"), 500, times=None)
    with pytest.raises(ApiError) as caught:
        client.get_call("c1")
    expected = (500, 50000, 1)
    assert expected == (caught.value.status, caught.value.error_code, len(sinch_server.requests))
    assert not isinstance(caught.value, RateLimitedError)


def test_503_with_retry_after_is_waited_out(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A GET answered 503 with Retry-After 0.3 is retried after 0.3 s and succeeds."""
    sinch_server.error("/v1/configuration/numbers", 503, retry_after="0.3")
    expected = ()
    assert expected == client.list_numbers()
    first, second = sinch_server.requests
    assert 0.3 <= second.received - first.received < 2.0


def test_429_with_integer_retry_after_is_waited_out(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A GET answered 429 with Retry-After 1 waits a second, then succeeds."""
    sinch_server.error("/v1/configuration/numbers", 429, retry_after="1")
    expected = ()
    assert expected == client.list_numbers()
    first, second = sinch_server.requests
    assert 1.0 <= second.received - first.received < 3.0


def test_retry_after_as_http_date(sinch_server: SinchServer) -> None:
    """A Retry-After date in the past means retry now, not after the (long) backoff."""
    past = email.utils.format_datetime(datetime.now(timezone.utc) - timedelta(seconds=5), usegmt=True)
    sinch_server.error("/v1/configuration/numbers", 503, retry_after=past)
    with make_client(sinch_server, backoff=10.0) as made:
        expected = ()
        assert expected == made.list_numbers()
    first, second = sinch_server.requests
    assert second.received - first.received < 1.0


def test_502_without_retry_after_backs_off(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A 502 on a GET is retried with backoff until it succeeds."""
    sinch_server.error("/v1/configuration/numbers", 502, times=2)
    expected = ()
    assert expected == client.list_numbers()
    expected = 3
    assert expected == len(sinch_server.requests)


def test_persistent_429_raises_rate_limited_after_the_retries(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """When every attempt is rate limited, RateLimitedError carries status and retry_after."""
    sinch_server.error("/v1/configuration/numbers", 429, retry_after="0", times=None)
    with pytest.raises(RateLimitedError) as caught:
        client.list_numbers()
    expected = (429, 42900, 0.0, 3)
    assert expected == (
        caught.value.status,
        caught.value.error_code,
        caught.value.retry_after,
        len(sinch_server.requests),
    )


def test_long_retry_after_is_not_waited_for(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A Retry-After beyond max_retry_after raises at once, saying how long to wait."""
    sinch_server.error("/v1/configuration/numbers", 503, retry_after="120", times=None)
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as caught:
        client.list_numbers()
    expected = (120.0, 1)
    assert expected == (caught.value.retry_after, len(sinch_server.requests))
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("status", [429, 503])
def test_callout_is_never_retried_on_rate_limit(
    client: VoiceClient, sinch_server: SinchServer, status: int
) -> None:
    """A callout answered 429 or 503 raises RateLimitedError after exactly one request."""
    sinch_server.error(CALLOUTS, status, retry_after="0", times=None)
    with pytest.raises(RateLimitedError, match="callouts are never retried") as caught:
        client.tts_callout(TO, cli=CLI, text="Hi")
    assert (status, 1) == (caught.value.status, len(sinch_server.requests))


@pytest.mark.parametrize(
    ("operation", "retried"),
    [
        pytest.param(lambda c: c.get_call("c1"), True, id="get_call"),
        pytest.param(lambda c: c.get_conference("room"), True, id="get_conference"),
        pytest.param(lambda c: c.kick_all("room"), True, id="kick_all"),
        pytest.param(lambda c: c.kick_participant("room", "c1"), True, id="kick_participant"),
        pytest.param(lambda c: c.mute("room", "c1"), True, id="mute"),
        pytest.param(lambda c: c.hold("room", "c1"), True, id="hold"),
        pytest.param(lambda c: c.list_numbers(), True, id="list_numbers"),
        pytest.param(lambda c: c.unassign_number(TO), True, id="unassign_number"),
        pytest.param(lambda c: c.get_callback_urls(), True, id="get_callback_urls"),
        pytest.param(
            lambda c: c.update_callback_urls("https://example.com/cb"), True, id="update_callback_urls"
        ),
        pytest.param(
            lambda c: c.query_number(TO),
            True,
            id="query_number",
            marks=pytest.mark.filterwarnings("ignore::DeprecationWarning"),
        ),
        pytest.param(lambda c: c.tts_callout(TO, cli=CLI, text="Hi"), False, id="tts_callout"),
        pytest.param(lambda c: c.conference_callout(TO, "room", cli=CLI), False, id="conference_callout"),
        pytest.param(
            lambda c: c.custom_callout(ice=Svaml.ice().connect_pstn(TO, cli=CLI)), False, id="custom_callout"
        ),
        pytest.param(lambda c: c.update_call("c1", Svaml.patch().hangup()), False, id="update_call"),
        pytest.param(
            lambda c: c.manage_call_leg("c1", Svaml.call_leg().say("Hi", locale="en-US").continue_()),
            False,
            id="manage_call_leg",
        ),
        pytest.param(lambda c: c.assign_numbers([TO]), False, id="assign_numbers"),
    ],
)
def test_retry_policy(
    client: VoiceClient, sinch_server: SinchServer, operation: Callable[[VoiceClient], Any], retried: bool
) -> None:
    """Idempotent requests are retried (3 attempts with retries=2); callouts and updates are sent once."""
    for path in (
        CALLOUTS,
        call_path("c1"),
        call_path("c1") + "/leg/caller",
        "/calling/v1/conferences/id/room",
        "/calling/v1/conferences/id/room/c1",
        "/v1/configuration/numbers",
        f"/v1/configuration/callbacks/applications/{KEY}",
        f"/v1/calling/query/number/{TO}",
    ):
        sinch_server.error(path, 503, retry_after="0", times=None)
    with pytest.raises(RateLimitedError):
        operation(client)
    assert (3 if retried else 1) == len(sinch_server.requests)


def test_slow_answer_times_out_and_an_idempotent_request_is_retried(sinch_server: SinchServer) -> None:
    """A GET whose first answer is too slow is retried and succeeds."""
    sinch_server.slow("/v1/configuration/numbers", 5.0)
    with make_client(sinch_server, timeout=(1.0, 0.2)) as made:
        expected = ()
        assert expected == made.list_numbers()
    expected = 2
    assert expected == len(sinch_server.requests)


def test_slow_answers_raise_timeout_error(sinch_server: SinchServer) -> None:
    """Every answer too slow: SinchTimeoutError (also the builtin TimeoutError) after the retries."""
    sinch_server.slow("/v1/configuration/numbers", 5.0, times=None)
    with make_client(sinch_server, timeout=(1.0, 0.2)) as made, pytest.raises(SinchTimeoutError) as caught:
        made.list_numbers()
    error = caught.value
    expected = (True, True, 3)
    assert expected == (
        isinstance(error, builtins.TimeoutError),
        isinstance(error, TransportError),
        len(sinch_server.requests),
    )


def test_slow_callout_times_out_once_and_says_the_call_may_exist(sinch_server: SinchServer) -> None:
    """A callout that times out is not retried, and the error says the call may have been placed."""
    sinch_server.slow(CALLOUTS, 5.0, times=None)
    with (
        make_client(sinch_server, timeout=(1.0, 0.2)) as made,
        pytest.raises(SinchTimeoutError, match="the call may have been placed; callouts are never retried"),
    ):
        made.tts_callout(TO, cli=CLI, text="Hi")
    expected = 1
    assert expected == len(sinch_server.requests)


def test_connection_reset_is_retried_for_a_get(client: VoiceClient, sinch_server: SinchServer) -> None:
    """A GET whose connection is reset is retried and succeeds."""
    sinch_server.reset("/v1/configuration/numbers")
    expected = ()
    assert expected == client.list_numbers()
    expected = 2
    assert expected == len(sinch_server.requests)


def test_connection_reset_on_a_callout_raises_transport_error(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A callout whose connection is reset raises TransportError after one request."""
    sinch_server.reset(CALLOUTS, times=None)
    with pytest.raises(TransportError, match="no answer from Sinch") as caught:
        client.tts_callout(TO, cli=CLI, text="Hi")
    expected = (False, 1)
    assert expected == (isinstance(caught.value, SinchTimeoutError), len(sinch_server.requests))


def test_persistent_reset_raises_transport_error_after_retries(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A GET reset on every attempt raises TransportError after 3 attempts."""
    sinch_server.reset("/v1/configuration/numbers", times=None)
    with pytest.raises(TransportError):
        client.list_numbers()
    expected = 3
    assert expected == len(sinch_server.requests)


def test_success_body_that_is_not_json_raises_transport_error(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A 200 whose body is HTML raises TransportError quoting it."""
    sinch_server.not_json("/v1/configuration/numbers")
    with pytest.raises(TransportError, match="Sinch answered 200 with a body that is not JSON: '<html>"):
        client.list_numbers()
    expected = 1
    assert expected == len(sinch_server.requests)


def test_callout_answer_that_is_not_json_says_the_call_may_exist(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A callout answered 200 with a body that is not JSON may still have placed the call."""
    sinch_server.not_json(CALLOUTS)
    with pytest.raises(TransportError, match=r"not JSON.*the call may have been placed"):
        client.tts_callout(TO, cli=CLI, text="Hi")


def test_error_body_that_is_not_json_keeps_status_and_body(
    client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A 502 with an HTML body is an ApiError with the status and the raw body, after the retries."""
    sinch_server.not_json("/v1/configuration/numbers", status=502, times=None)
    with pytest.raises(
        ApiError, match="Sinch answered 502 Bad Gateway, with a body that is not JSON"
    ) as caught:
        client.list_numbers()
    expected = (502, None, "<html><body>Bad gateway</body></html>", 3)
    assert expected == (
        caught.value.status,
        caught.value.error_code,
        caught.value.body,
        len(sinch_server.requests),
    )


def test_connection_refused_raises_transport_error() -> None:
    """A host that refuses connections gives TransportError, not a requests exception."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        port = sock.getsockname()[1]
        made = VoiceClient(KEY, SECRET, base_url=f"http://127.0.0.1:{port}", backoff=0.0, timeout=1.0)
        with pytest.raises(
            TransportError,
            match=f"GET http://127.0.0.1:{port}/calling/v1/calls/id/c1: no answer from Sinch .*refused",
        ):
            made.get_call("c1")


def test_callout_to_a_refused_connection_says_the_call_was_not_placed() -> None:
    """When no connection could be made, the callout error says no call was placed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        made = VoiceClient(KEY, SECRET, base_url=f"http://127.0.0.1:{sock.getsockname()[1]}")
        with pytest.raises(TransportError, match=r"refused.*; the call was not placed$"):
            made.tts_callout(TO, cli=CLI, text="Hi")


def test_wrong_secret_is_rejected_by_sinch_with_401() -> None:
    """A request signed with another secret gets Sinch's 401 InvalidSignature."""
    with SinchServer(secret="JViE5vDor0Sw3WllZka15Q==") as server:
        server.expect_unsigned = True
        with make_client(server) as made, pytest.raises(ApiError) as caught:
            made.list_numbers()
        expected = (401, 40102)
        assert expected == (caught.value.status, caught.value.error_code)
        expected = 1
        assert expected == len(server.unsigned())


def test_basic_auth(sinch_server: SinchServer) -> None:
    """auth='basic' sends Basic key:secret; a server that accepts Basic answers."""
    sinch_server.allow_basic = True
    with make_client(sinch_server, auth="basic") as made:
        expected = ()
        assert expected == made.list_numbers()
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert (f"Basic {token}", None) == (
        sinch_server.requests[0].header("Authorization"),
        sinch_server.requests[0].header("x-timestamp"),
    )


def test_redirect_of_a_get_within_the_origin_is_followed_and_signed_again(sinch_server: SinchServer) -> None:
    """A 307 of a GET to the same scheme, host and port is followed, and the new request verifies."""
    with make_client(sinch_server) as made:
        call_id = made.tts_callout(TO, cli=CLI, text="Hi")
        sinch_server.redirect(call_path(call_id), sinch_server.url + call_path(call_id) + "?again=1")
        info = made.get_call(call_id)
    assert (call_id, 3, []) == (info.call_id, len(sinch_server.requests), sinch_server.unsigned())


@pytest.mark.parametrize(
    ("status", "host"),
    [(307, "localhost"), (302, "127.0.0.1")],
)
def test_redirects_that_would_change_the_request_or_leave_sinch_are_not_followed(
    sinch_server: SinchServer, status: int, host: str
) -> None:
    """A redirect to a foreign host, or a 302 for a POST, is an ApiError naming the location."""
    location = f"http://{host}:1{CALLOUTS}"
    sinch_server.redirect(CALLOUTS, location, status=status)
    with (
        make_client(sinch_server) as made,
        pytest.raises(ApiError, match="not following the redirect") as caught,
    ):
        made.tts_callout(TO, cli=CLI, text="Hi")
    assert (status, 1) == (caught.value.status, len(sinch_server.requests))


def test_every_error_is_a_sinch_error() -> None:
    """ApiError, RateLimitedError, TransportError and SinchTimeoutError all derive from SinchError."""
    expected = [True] * 4
    assert expected == [
        issubclass(e, SinchError) for e in (ApiError, RateLimitedError, TransportError, SinchTimeoutError)
    ]


# -- secrets ----------------------------------------------------------------------------------------


def _leaks(text: str) -> list[str]:
    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    return [s for s in (SECRET, SECRET.rstrip("="), basic) if s in text]


def _chain(error: BaseException) -> str:
    parts = []
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_secret_never_in_repr_logs_or_errors(
    sinch_server: SinchServer, caplog: pytest.LogCaptureFixture
) -> None:
    """With every logger at DEBUG, no log line, repr or error message contains the secret."""
    caplog.set_level(logging.DEBUG)
    sinch_server.allow_basic = True
    texts: list[str] = []
    for auth in ("signed", "basic"):
        made = make_client(sinch_server, auth=auth)
        texts += [repr(made), str(made), repr(vars(made))]
        with made:
            call_id = made.tts_callout(TO, cli=CLI, text="Hi")
            made.get_call(call_id)
            sinch_server.error("/v1/configuration/numbers", 503, retry_after="0", times=None)
            sinch_server.reset(call_path(call_id), times=None)
            sinch_server.not_json(CALLOUTS)
            failing: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
                (made.list_numbers, (), {}),
                (made.get_call, (call_id,), {}),
                (made.tts_callout, (TO,), {"cli": CLI, "text": "Hi"}),
                (made.tts_callout, ("070",), {"cli": CLI, "text": "Hi"}),
                (made.get_call, ("missing",), {}),
            ]
            for method, args, kwargs in failing:
                with pytest.raises(SvamlError) as caught:
                    method(*args, **kwargs)
                texts.append(_chain(caught.value))
            sinch_server.faults.clear()
    with pytest.raises(SvamlError) as bad:
        VoiceClient(KEY, "not base64!")
    texts.append(_chain(bad.value))
    texts += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) > 20  # the debug log did run
    expected = []
    assert expected == [leak for text in texts for leak in _leaks(text)]
    assert "not base64!" not in texts[-len(caplog.records) - 1]


# -- from the environment ---------------------------------------------------------------------------


def test_from_env_reads_key_secret_and_region(sinch_server: SinchServer) -> None:
    """from_env takes the key, secret and region from the variables, and its requests verify at Sinch."""
    environ = {
        "SINCH_APPLICATION_KEY": f" {KEY} ",
        "SINCH_APPLICATION_SECRET": SECRET,
        "SINCH_VOICE_REGION": "euc1",
    }
    with VoiceClient.from_env(environ) as made:
        expected = (KEY, "europe", "https://calling-euc1.api.sinch.com")
        assert expected == (made.application_key, made.region, made.base_url)
    with VoiceClient.from_env(environ, base_url=sinch_server.url, region="north-america") as made:
        made.list_numbers()
        expected_region = "north-america"
        assert expected_region == made.region
    expected_unsigned: list[object] = []
    assert expected_unsigned == sinch_server.unsigned()


def test_from_env_defaults_to_os_environ_and_the_global_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a mapping from_env reads os.environ; with no region variable the region is global."""
    monkeypatch.setenv("SINCH_APPLICATION_KEY", KEY)
    monkeypatch.setenv("SINCH_APPLICATION_SECRET", SECRET)
    monkeypatch.setenv("SINCH_VOICE_REGION", "  ")
    with VoiceClient.from_env() as made:
        expected = (KEY, "global")
        assert expected == (made.application_key, made.region)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET not set"),
        ({"SINCH_APPLICATION_KEY": KEY, "SINCH_APPLICATION_SECRET": " "}, "SINCH_APPLICATION_SECRET not set"),
        ({"SINCH_APPLICATION_SECRET": SECRET}, "SINCH_APPLICATION_KEY not set"),
    ],
)
def test_from_env_names_what_is_missing_and_never_a_value(environ: dict[str, str], message: str) -> None:
    """A missing or blank credential variable is named in the error; no value appears in it."""
    with pytest.raises(SvamlError) as caught:
        VoiceClient.from_env(environ)
    text = str(caught.value)
    expected = (True, [])
    assert expected == (text.startswith(message), _leaks(text))


def test_requests_are_logged_with_structured_fields(
    client: VoiceClient, sinch_server: SinchServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request's DEBUG record carries method, url, status, duration_ms and attempt; no secret."""
    with caplog.at_level(logging.DEBUG, logger="svaml.client"):
        client.list_numbers()
    record = next(r for r in caplog.records if hasattr(r, "status"))
    expected = ("GET", f"{sinch_server.url}/v1/configuration/numbers", 200, 1, True)
    assert expected == (
        record.method,  # type: ignore[attr-defined]
        record.url,  # type: ignore[attr-defined]
        record.status,  # type: ignore[attr-defined]
        record.attempt,  # type: ignore[attr-defined]
        record.duration_ms >= 0,  # type: ignore[attr-defined]
    )
    expected_leaks: list[str] = []
    assert expected_leaks == _leaks(caplog.text + str([vars(r) for r in caplog.records]))


def test_the_old_timeout_error_name_still_imports_with_a_deprecation_warning() -> None:
    """``from svaml.errors import TimeoutError`` (svaml 0.1.0) warns and gives SinchTimeoutError."""
    with pytest.warns(DeprecationWarning, match="use svaml.errors.SinchTimeoutError"):
        from svaml.errors import TimeoutError as Old
    assert SinchTimeoutError is Old

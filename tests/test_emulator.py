"""The emulator's REST surface against the real client and raw signed requests on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests

from svaml import ConferenceDtmfOptions, Menu, MenuOption, Svaml, return_
from svaml.callbacks import CallbackApp
from svaml.client import VoiceClient
from svaml.emulator import Emulator
from svaml.errors import ApiError
from svaml.signing import basic_authorization, sign
from svaml.simulator import Caller

ROOT = Path(__file__).resolve().parent.parent
TO = "+46700000001"
CLI = "+46700000002"


@pytest.fixture
def sinch() -> Iterator[Emulator]:
    """A started emulator."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(sinch: Emulator) -> Iterator[VoiceClient]:
    """The real REST client pointed at the emulator, without retries."""
    with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as voice:
        yield voice


def signed(
    sinch: Emulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    timestamp: str | datetime | None = None,
    secret: str | None = None,
) -> requests.Response:
    """Send one request signed as Sinch's SDKs sign it; return the answer."""
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = sign(
        method=method,
        path=path,
        body=data,
        content_type=content_type if data else "",
        key=sinch.key,
        secret=secret or sinch.secret,
        timestamp=timestamp,
    )
    if data:
        headers["Content-Type"] = content_type
    return requests.request(method, sinch.url + path, data=data or None, headers=headers, timeout=5)


def refusal(response: requests.Response) -> tuple[int, int, str]:
    """The status, Sinch's errorCode and the status text of a refusal."""
    body = response.json()
    assert sorted(body) == ["errorCode", "message", "reference", "status"]
    return response.status_code, body["errorCode"], body["status"]


def test_tts_callout_is_a_call_to_look_up(client: VoiceClient) -> None:
    """A TTS callout answers a call id whose information names its number, custom and status."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello", custom="order-7")
    info = client.get_call(call_id)
    expected = (call_id, TO, "ONGOING", "order-7")
    assert expected == (info.call_id, info.to.endpoint if info.to else None, info.status, info.custom)


def test_patch_hangup_ends_the_call_and_a_second_patch_is_refused(client: VoiceClient) -> None:
    """A PATCH with hangup ends the call (MANAGERHANGUP); changing it again is 409 40900."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello")
    client.update_call(call_id, Svaml.patch().hangup())
    info = client.get_call(call_id)
    with pytest.raises(ApiError) as raised:
        client.update_call(call_id, Svaml.patch().hangup())
    expected = ("FINAL", "MANAGERHANGUP", 409, 40900)
    assert expected == (info.status, info.reason, raised.value.status, raised.value.error_code)


def test_conference_participants_are_muted_and_kicked(client: VoiceClient, sinch: Emulator) -> None:
    """A conference callout joins its room; mute, unmute, kick change what the room lists."""
    first = client.conference_callout(TO, "room-1", cli=CLI)
    second = client.conference_callout("+46700000003", "room-1", cli=CLI)
    client.mute("room-1", first)
    muted = [(p.call_id, p.muted) for p in client.get_conference("room-1").participants]
    client.unmute("room-1", first)
    client.kick_participant("room-1", second)
    left = [(p.call_id, p.muted) for p in client.get_conference("room-1").participants]
    expected = ([(first, True), (second, False)], [(first, False)], "MANAGERHANGUP")
    assert expected == (muted, left, sinch.call(second).reason)


def test_kick_all_empties_the_room(client: VoiceClient) -> None:
    """DELETE of a conference removes every participant; the room is then unknown (404)."""
    client.conference_callout(TO, "room-2", cli=CLI)
    client.kick_all("room-2")
    with pytest.raises(ApiError) as raised:
        client.get_conference("room-2")
    expected = (404, 40400)
    assert expected == (raised.value.status, raised.value.error_code)


def test_call_leg_takes_prompts_only(sinch: Emulator, client: VoiceClient) -> None:
    """A call-leg PATCH with say is 200; one with sendDtmf is refused with the rule's code."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello")
    leg = Svaml.call_leg().say("Still there?", locale="en-US").continue_()
    client.manage_call_leg(call_id, leg, leg="callee")
    path = f"/calling/v1/calls/id/{call_id}/leg/caller"
    body = {"instructions": [{"name": "sendDtmf", "value": "1"}], "action": {"name": "continue"}}
    bad = signed(sinch, "PATCH", path, body)
    status, code, _ = refusal(bad)
    expected = (400, 40001, True, [("callee", "say")])
    assert expected == (
        status,
        code,
        "SV" in bad.json()["message"],
        [(what, svaml["instructions"][0]["name"]) for what, svaml in sinch.call(call_id).updates],
    )


def test_a_call_leg_sinch_does_not_know_is_refused(sinch: Emulator, client: VoiceClient) -> None:
    """A leg other than caller, callee or both is 400 40001."""
    call_id = client.tts_callout(TO, cli=CLI, text="Hello")
    body = {"instructions": [{"name": "say", "text": "hi", "locale": "en-US"}]}
    answer = signed(sinch, "PATCH", f"/calling/v1/calls/id/{call_id}/leg/everyone", body)
    expected = (400, 40001, "400 Bad Request")
    assert expected == refusal(answer)


def test_invalid_callout_is_refused_with_every_error(sinch: Emulator) -> None:
    """A callout the rules reject is 400; a number without '+' gives Sinch's 40005, naming each rule."""
    body = {"method": "ttsCallout", "ttsCallout": {"destination": {"type": "number", "endpoint": "4670"}}}
    answer = signed(sinch, "POST", "/calling/v1/callouts", body)
    message = answer.json()["message"]
    expected = ((400, 40005, "400 Bad Request"), True, True, [])
    assert expected == (refusal(answer), "[SV401]" in message, "[SV901]" in message, sinch.calls)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("no authorization", 401, 40100),
        ("wrong secret", 401, 40102),
        ("unknown key", 401, 40108),
        ("stale timestamp", 401, 40105),
        ("bad timestamp", 401, 40101),
        ("not json", 400, 40003),
        ("text body", 400, 40003),
        ("unknown path", 404, 40400),
        ("wrong method", 405, 40500),
        ("unknown call", 404, 40400),
    ],
)
def test_refusals_are_sinchs(sinch: Emulator, change: str, status: int, code: int) -> None:
    """Each bad request gets Sinch's status and errorCode in Sinch's error body."""
    path, body = "/calling/v1/callouts", {"method": "ttsCallout"}
    if change == "no authorization":
        answer = requests.post(sinch.url + path, json=body, timeout=5)
    elif change == "wrong secret":
        answer = signed(sinch, "POST", path, body, secret="c29tZXRoaW5nLWVsc2U=")
    elif change == "unknown key":
        headers = sign(
            method="GET",
            path="/calling/v1/calls/id/x",
            body=None,
            content_type="",
            key="another-key",
            secret=sinch.secret,
        )
        answer = requests.get(sinch.url + "/calling/v1/calls/id/x", headers=headers, timeout=5)
    elif change == "stale timestamp":
        answer = signed(sinch, "POST", path, body, timestamp=datetime.now(timezone.utc) - timedelta(hours=1))
    elif change == "bad timestamp":
        headers = sign(
            method="GET",
            path="/calling/v1/calls/id/x",
            body=None,
            content_type="",
            key=sinch.key,
            secret=sinch.secret,
        )
        headers["x-timestamp"] = "yesterday"
        answer = requests.get(sinch.url + "/calling/v1/calls/id/x", headers=headers, timeout=5)
    elif change == "not json":
        answer = signed(sinch, "POST", path, b'{"method": NaN}')
    elif change == "text body":
        answer = signed(sinch, "POST", path, b"method=tts", content_type="text/plain")
    elif change == "unknown path":
        answer = signed(sinch, "GET", "/calling/v1/nothing")
    elif change == "wrong method":
        answer = signed(sinch, "DELETE", path)
    else:
        answer = signed(sinch, "GET", "/calling/v1/calls/id/no-such-call")
    expected = (status, code)
    assert expected == refusal(answer)[:2]


def test_basic_authorization_is_accepted_unless_refused() -> None:
    """Basic credentials work by default; with allow_basic=False they are 401 40100."""
    found = []
    for allow in (True, False):
        with Emulator(allow_basic=allow) as sinch:
            headers = basic_authorization(sinch.key, sinch.secret)
            found.append(requests.get(sinch.url + "/calling/v1/calls/id/x", headers=headers, timeout=5))
    expected = [(404, 40400), (401, 40100)]
    assert expected == [refusal(r)[:2] for r in found]


def test_callback_urls_are_configured_as_with_sinch(sinch: Emulator, client: VoiceClient) -> None:
    """The configuration endpoint sets the URL callouts use, and reads it back."""
    client.update_callback_urls("http://127.0.0.1:9/events")
    expected = ("http://127.0.0.1:9/events", "http://127.0.0.1:9/events")
    assert expected == (client.get_callback_urls().primary, sinch.callback_url)


def test_the_command_serves_until_interrupted(tmp_path: Path) -> None:
    """``svaml emulator --port 0`` prints its URL, answers a signed request, and exits 0 on Ctrl-C."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SINCH_APPLICATION_KEY": "app-key",
        "SINCH_APPLICATION_SECRET": "c2VjcmV0LXNlY3JldA==",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "svaml", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        with VoiceClient("app-key", "c2VjcmV0LXNlY3JldA==", base_url=url, retries=0) as voice:
            call_id = voice.tts_callout(TO, cli=CLI, text="Hi")
            status = voice.get_call(call_id).status
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    expected = ("ONGOING", 0, False)
    assert expected == (status, process.returncode, "c2VjcmV0" in first + out + err), err


def test_the_fixture_works_from_a_users_conftest(tmp_path: Path) -> None:
    """A user's conftest enables the plugin; its ``sinch_emulator`` fixture serves the client."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["svaml.emulator.pytest_plugin"]\n')
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            from svaml.client import VoiceClient

            def test_callout(sinch_emulator):
                with VoiceClient(sinch_emulator.key, sinch_emulator.secret,
                                 base_url=sinch_emulator.url) as client:
                    call_id = client.tts_callout("+46700000001", cli="+46700000002", text="Hi")
                assert sinch_emulator.call(call_id).status == "ONGOING"
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    expected = (0, True)
    assert expected == (done.returncode, "1 passed" in done.stdout), done.stdout[-2000:]


# -- callouts become simulated calls ----------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def serve(app: CallbackApp | _Recording) -> tuple[str, WSGIServer]:
    """Serve a CallbackApp on 127.0.0.1 in a thread; return its callback URL and the server."""
    server = make_server("127.0.0.1", 0, app.wsgi, WSGIServer, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/sinch/callback", server


def test_a_callout_is_answered_by_the_app_end_to_end() -> None:
    """VoiceClient places a callout; the emulator plays it against a CallbackApp over HTTP to its DiCE."""
    with Emulator(caller=Caller.keys("1")) as sinch:
        app = CallbackApp(key=sinch.key, secret=sinch.secret)
        option = MenuOption(dtmf="1", action=return_("yes"))
        menu = Menu(id="main", main_prompt="#tts[Press 1 to confirm]", options=[option])
        app.ace(lambda event: Svaml.ace().run_menu(menu, locale="en-US"))
        app.pie(lambda event: Svaml.pie().say("Confirmed", locale="en-US").hangup())
        sinch.callback_url, server = serve(app)
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                call_id = client.tts_callout(
                    TO, cli=CLI, text="Hello", enable_ace=True, enable_pie=True, enable_dice=True
                )
                record = sinch.wait(call_id)
                info = client.get_call(call_id)
        finally:
            server.shutdown()
            server.server_close()
    assert record.transcript is not None
    heard = ("Press 1 to confirm [cut short]", "Confirmed")
    expected = (("ace", "pie", "dice"), heard, "FINAL", "MANAGERHANGUP")
    assert expected == (record.transcript.events, record.transcript.heard, info.status, info.reason)


def test_a_patch_reaches_a_call_in_a_conference() -> None:
    """In real time, a conference callout lists its participant; a PATCH hangup ends the waiting call."""
    with Emulator(real_time=True) as sinch:
        app = CallbackApp(key=sinch.key, secret=sinch.secret)
        sinch.callback_url, server = serve(app)
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                call_id = client.conference_callout(TO, "room-9", cli=CLI)
                deadline = time.monotonic() + 10
                while not sinch.participants("room-9") and time.monotonic() < deadline:
                    time.sleep(0.02)
                listed = [p.call_id for p in client.get_conference("room-9").participants]
                client.update_call(call_id, Svaml.patch().hangup())
                record = sinch.wait(call_id, timeout=10)
        finally:
            server.shutdown()
            server.server_close()
    expected = ([call_id], "MANAGERHANGUP", [])
    assert expected == (listed, record.reason, sinch.participants("room-9"))


def test_an_unreachable_app_fails_the_call_with_its_reason() -> None:
    """A callback URL nobody serves ends the call as CALLBACKERROR, the transcript saying why."""
    with Emulator(callback_url="http://127.0.0.1:9/sinch/callback") as sinch:
        with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
            call_id = client.tts_callout(TO, cli=CLI, text="Hello", enable_ace=True)
        record = sinch.wait(call_id)
    assert record.transcript is not None
    assert record.transcript.failure is not None
    expected = ("CALLBACKERROR", "unreachable", "ace")
    assert expected == (record.reason, record.transcript.failure.kind.value, record.transcript.failure.event)


class _Recording:
    """A CallbackApp served through a WSGI wrapper that records the event of each request it is sent."""

    def __init__(self, key: str, secret: str) -> None:
        self.app = CallbackApp(key=key, secret=secret)
        self.received: list[str] = []
        self.paths: list[str] = []

    def pie(self, function: Any) -> None:
        """Answer PIE with ``function``."""
        self.app.pie(function)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Record the event's name and path, then let the CallbackApp answer."""
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.received.append(json.loads(body)["event"])
        self.paths.append(environ["PATH_INFO"])
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app.wsgi(environ, start_response)


def test_a_tts_callout_posts_only_the_events_it_enables() -> None:
    """Without enableAce the callee hears the dtmf and the text at once; DiCE is posted only when enabled."""
    with Emulator() as sinch:
        app = _Recording(sinch.key, sinch.secret)
        sinch.callback_url, server = serve(app)
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                quiet = sinch.wait(
                    client.tts_callout(TO, cli=CLI, text="Your code is 1 2 3 4; again: 1 2 3 4")
                )
                told = sinch.wait(client.tts_callout(TO, cli=CLI, text="Hi", dtmf="1w2", enable_dice=True))
                prompts = sinch.wait(
                    client.tts_callout(TO, cli=CLI, text="unused", prompts="#tts[One];#tts[Two]")
                )
        finally:
            server.shutdown()
            server.server_close()
    assert quiet.transcript is not None
    assert told.transcript is not None
    assert prompts.transcript is not None
    expected = (
        ((), ("Your code is 1 2 3 4; again: 1 2 3 4",), "ANSWERED", "MANAGERHANGUP"),
        (("dice",), ("Hi",), ["1w2"]),
        ("One", "Two"),
        ["dice"],
    )
    assert expected == (
        (quiet.transcript.events, quiet.transcript.heard, quiet.result, quiet.reason),
        (
            told.transcript.events,
            told.transcript.heard,
            [e.text for e in told.transcript.timeline if e.kind.value == "dtmf"],
        ),
        prompts.transcript.heard,
        app.received,
    )


def test_a_username_destination_gets_no_ace_or_dice_even_when_enabled(sinch: Emulator) -> None:
    """ACE and DiCE are not issued for a username destination, even with enableAce/enableDice."""
    app = _Recording(sinch.key, sinch.secret)
    sinch.callback_url, server = serve(app)
    callout = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": CLI,
            "destination": {"type": "username", "endpoint": "alice"},
            "text": "Hello Alice",
            "locale": "en-US",
            "enableAce": True,
            "enableDice": True,
        },
    }
    try:
        answer = signed(sinch, "POST", "/calling/v1/callouts", callout)
        record = sinch.wait(answer.json()["callId"])
    finally:
        server.shutdown()
        server.server_close()
    assert record.transcript is not None
    expected = (200, (), ("Hello Alice",), [])
    assert expected == (answer.status_code, record.transcript.events, record.transcript.heard, app.received)


def test_a_custom_callouts_inline_svaml_is_used_and_its_ice_dials_one_callee() -> None:
    """Inline ICE connectPstn dials the callee once, inline ACE runs a menu; only PIE and DiCE are posted."""
    # A second callee would be busy: a wrong second dial would end the call BUSY.
    with Emulator(caller=Caller.parse("1", callees=("answer", "busy"))) as sinch:
        app = _Recording(sinch.key, sinch.secret)
        app.pie(lambda event: Svaml.pie().say("Thanks", locale="en-US").hangup())
        sinch.callback_url, server = serve(app)
        menu = Menu(
            id="main",
            main_prompt="#tts[Press 1 to confirm]",
            options=[MenuOption(dtmf="1", action=return_("ok"))],
        )
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                call_id = client.custom_callout(
                    ice=Svaml.ice().connect_pstn(TO, cli=CLI),
                    ace=Svaml.ace().run_menu(menu, locale="en-US"),
                )
                record = sinch.wait(call_id)
        finally:
            server.shutdown()
            server.server_close()
    assert record.transcript is not None
    dials = [e.text for e in record.transcript.timeline if e.kind.value == "dial"]
    inline = [e.text for e in record.transcript.timeline if e.kind.value == "inline"]
    expected = (
        ("pie", "dice"),
        ["connectPstn +46700000001: answer", "+46700000001 answered"],
        [
            "ICE answered by the callout's inline SVAML: connectPstn",
            "ACE answered by the callout's inline SVAML: runMenu",
        ],
        ("Press 1 to confirm [cut short]", "Thanks"),
        ("ANSWERED", "MANAGERHANGUP"),
        ["pie", "dice"],
    )
    assert expected == (
        record.transcript.events,
        dials,
        inline,
        record.transcript.heard,
        (record.result, record.reason),
        app.received,
    )


def test_a_custom_callouts_event_urls_each_get_their_event_signed_for_their_path() -> None:
    """ICE goes to the ice URL, ACE and DiCE to theirs on another server and path, each signed for it."""
    with Emulator() as sinch:
        first, second = _Recording(sinch.key, sinch.secret), _Recording(sinch.key, sinch.secret)
        first.app.ice(lambda event: Svaml.ice().connect_pstn(TO, cli=CLI))
        second.app.ace(lambda event: Svaml.ace().say("Hello", locale="en-US").continue_())
        ice_url, first_server = serve(first)
        base, second_server = serve(second)
        base = base.rsplit("/", 2)[0]
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                call_id = client.custom_callout(ice=ice_url, ace=f"{base}/b/ace", dice=f"{base}/b/dice")
                record = sinch.wait(call_id)
        finally:
            for server in (first_server, second_server):
                server.shutdown()
                server.server_close()
    assert record.transcript is not None
    expected = (True, ["ice"], ["ace", "dice"], ["/b/ace", "/b/dice"], ("Hello",))
    assert expected == (
        record.transcript.ok,
        first.received,
        second.received,
        second.paths,
        record.transcript.heard,
    )


def test_a_conference_callout_posts_its_dtmf_pie_only_when_enabled() -> None:
    """Keys in a detect-mode conference make a PIE only with enablePie; the greeting is heard either way."""
    options = ConferenceDtmfOptions(mode="detect", max_digits=2)
    with Emulator(caller=Caller.parse("12")) as sinch:
        app = _Recording(sinch.key, sinch.secret)
        sinch.callback_url, server = serve(app)
        try:
            with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url, retries=0) as client:
                quiet = sinch.wait(
                    client.conference_callout(
                        TO, "room-1", cli=CLI, greeting="Welcome", conference_dtmf_options=options
                    )
                )
                told = sinch.wait(
                    client.conference_callout(
                        TO,
                        "room-2",
                        cli=CLI,
                        conference_dtmf_options=options,
                        enable_pie=True,
                        enable_dice=True,
                    )
                )
        finally:
            server.shutdown()
            server.server_close()
    assert quiet.transcript is not None
    assert told.transcript is not None
    expected = ((), ("Welcome",), ("pie", "dice"), ["pie", "dice"])
    assert expected == (quiet.transcript.events, quiet.transcript.heard, told.transcript.events, app.received)

"""The v2 stand-in playing created calls with svaml's v2 simulator against a real WebhookApp over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import make_server

from local_servers import QuietHandler

from svaml.errors import SvamlError
from svaml.simulator.v2 import Callee, Caller, Outcome
from svaml.v2 import Svaml2
from svaml.v2.emulator import Emulator2, SimulatorPlayer
from svaml.v2.model import AnsweredEvent, CallReason, CallResult, SessionState
from svaml.v2.webhooks import WebhookApp

TO = "+46700000001"


@contextmanager
def serving(app: WebhookApp) -> Iterator[str]:
    """Serve ``app.wsgi`` with wsgiref on 127.0.0.1 in a thread; yield its webhook URL."""
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=QuietHandler) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/voice"
        finally:
            server.shutdown()
            thread.join(5)


def greeting_app(service_id: str, secret: str) -> WebhookApp:
    """A webhook application that greets an answered callee and hangs up (signatures checked)."""
    app = WebhookApp(service_id=service_id, secret=secret)

    @app.answered
    def answered(event: AnsweredEvent) -> Svaml2:
        return Svaml2().say("Your parcel arrives today", "Emma", on_finish=Svaml2().hangup())

    return app


def test_a_created_call_is_played_against_the_service_webhook() -> None:
    """The simulator posts a signed call.answered to the app and plays its answer; the API reports the end."""
    player = SimulatorPlayer()
    with Emulator2(player=player) as sinch:
        app = greeting_app(str(sinch.default_service.service_id), sinch.service_secret())
        with serving(app) as url, sinch.client() as client:
            sinch.webhook_url = url
            created = client.create_call(Svaml2().dial(TO, call_name="customer"))
            session = sinch.session(created.session_id).wait()
            leg = client.get_call(str(session.calls[0].call_id))
    transcript = player.transcripts[str(created.session_id)]
    expected = (
        SessionState.COMPLETED,
        CallResult.COMPLETED,
        CallReason.MANAGER_HANGUP,
        ("Your parcel arrives today",),
        None,
        ["call.answered", "call.hangup"],
    )
    assert expected == (
        session.state,
        leg.call_result,
        leg.call_reason,
        transcript.heard,
        transcript.failure,
        [step.event.event for step in transcript.steps],
    )


def test_the_callees_outcome_comes_from_the_callers_script() -> None:
    """A busy callee in the simulator's script makes the stand-in's leg BUSY."""
    player = SimulatorPlayer(caller=Caller(callees=(Callee(outcome=Outcome.BUSY),)))
    with Emulator2(player=player) as sinch:
        app = greeting_app(str(sinch.default_service.service_id), sinch.service_secret())
        with serving(app) as url, sinch.client() as client:
            sinch.webhook_url = url
            created = client.create_call(Svaml2().dial(TO))
            leg = sinch.session(created.session_id).wait().calls[0]
    transcript = player.transcripts[str(created.session_id)]
    expected = (CallResult.BUSY, CallReason.NOT_AVAILABLE, ["call.busy"])
    assert expected == (leg.call_result, leg.call_reason, [step.event.event for step in transcript.steps])


def test_a_patch_by_session_and_name_reaches_a_live_simulated_leg() -> None:
    """On the real clock, a PATCH hangup by session and callName ends a leg the app put on a 3 s pause."""
    app = WebhookApp(verify=False)

    @app.answered
    def answered(event: AnsweredEvent) -> Svaml2:
        return Svaml2().pause(3000).say("too late", "Emma")

    player = SimulatorPlayer(caller=Caller(callees=(Callee(ring=0, talk=None),)), real_time=True)
    with Emulator2(player=player) as sinch, serving(app) as url, sinch.client() as client:
        sinch.webhook_url = url
        created = client.create_call(Svaml2().dial(TO, call_name="customer"))
        started = time.monotonic()
        while client.get_session(str(created.session_id)).calls[0].call_result is not CallResult.IN_PROGRESS:
            assert time.monotonic() - started < 5
            time.sleep(0.02)
        client.patch_call_by_name(str(created.session_id), "customer", Svaml2().hangup())
        leg = sinch.session(created.session_id).wait(10).calls[0]
        took = time.monotonic() - started
    expected = (CallResult.COMPLETED, CallReason.MANAGER_HANGUP, True)
    assert expected == (leg.call_result, leg.call_reason, took < 2.5)


def test_webhooks_the_transcript_and_the_api_name_every_leg_alike() -> None:
    """Webhooks carry the stand-in's ids and URLs, for placed and later-dialled legs; each takes a PATCH."""
    seen: list[tuple[str, str | None, str]] = []
    live: list[str | None] = []
    app = WebhookApp(verify=False)
    player = SimulatorPlayer()
    with Emulator2(player=player) as sinch, serving(app) as url, sinch.client() as client:

        @app.answered
        def answered(event: AnsweredEvent) -> Svaml2 | None:
            call_id = str(event.call.call_id)
            seen.append((call_id, event.call.call_name, str(event.call.call_resource_url)))
            if event.call.call_name == "customer":
                return Svaml2().dial("+46700000002", call_name="agent")
            live.append(client.get_call(call_id).call_name)  # the API knows the leg while it plays
            client.patch_call(call_id, Svaml2().say("patched", "Emma"))
            return None

        sinch.webhook_url = url
        created = client.create_call(Svaml2().dial(TO, call_name="customer"))
        placed = sinch.calls[0].call_id
        session = sinch.session(created.session_id).wait()
        fetched = {name: client.get_call(call_id).call_name for call_id, name, _ in seen}
        base = f"{sinch.url}/v2/projects/{sinch.project_id}/calls/"
    transcript = player.transcripts[str(created.session_id)]
    ids = [call_id for call_id, _, _ in seen]
    expected = (
        ["customer", "agent"],
        ["agent"],
        ("patched",),
        placed,
        [base + call_id for call_id in ids],
        {"customer": "customer", "agent": "agent"},
        ids,
        ids,
    )
    assert expected == (
        [name for _, name, _ in seen],
        live,
        transcript.heard,
        ids[0],
        [resource for _, _, resource in seen],
        fetched,
        [str(leg.call_id) for leg in session.calls],
        [str(leg.call_id) for leg in transcript.legs],
    )


def test_a_webhook_handler_patches_the_call_by_the_id_it_received() -> None:
    """On call.answered the app PATCHes a hangup by event.call.call_id; the leg's 60 s pause ends with it."""
    patched: list[str] = []
    player = SimulatorPlayer(caller=Caller(callees=(Callee(ring=0, talk=None),)), real_time=True)
    with Emulator2(player=player) as sinch, sinch.client() as client:
        app = WebhookApp(service_id=str(sinch.default_service.service_id), secret=sinch.service_secret())

        @app.answered
        def answered(event: AnsweredEvent) -> Svaml2:
            client.patch_call(str(event.call.call_id), Svaml2().hangup())
            patched.append(str(event.call.call_id))
            return Svaml2().pause(60000).say("too late", "Emma")

        with serving(app) as url:
            sinch.webhook_url = url
            started = time.monotonic()
            created = client.create_call(Svaml2().dial(TO))
            leg = sinch.session(created.session_id).wait(10).calls[0]
            transcript = player.transcript(created.session_id)  # the simulated session is over too
            took = time.monotonic() - started
    expected = (
        [str(leg.call_id)],
        (CallResult.COMPLETED, CallReason.MANAGER_HANGUP),
        (),
        ["call.answered", "call.hangup"],
        True,
    )
    assert expected == (
        patched,
        (leg.call_result, leg.call_reason),
        transcript.heard,
        [step.event.event for step in transcript.steps],
        took < 5,
    )


def test_the_transcript_waits_for_the_last_webhook_the_api_already_reports_ended() -> None:
    """On the real clock a slow call.hangup answer is in the transcript read after the session's wait."""
    app = WebhookApp(verify=False)

    @app.answered
    def answered(event: AnsweredEvent) -> Svaml2:
        return Svaml2().hangup()

    @app.hangup
    def ended(event: Any) -> None:
        time.sleep(0.3)  # the API reports the leg ended meanwhile

    player = SimulatorPlayer(caller=Caller(callees=(Callee(ring=0, talk=None),)), real_time=True)
    with Emulator2(player=player) as sinch, serving(app) as url, sinch.client() as client:
        sinch.webhook_url = url
        created = client.create_call(Svaml2().dial(TO))
        state = sinch.session(created.session_id).wait(10).state
        transcript = player.transcript(created.session_id)
    expected = (SessionState.COMPLETED, ["call.answered", "call.hangup"])
    assert expected == (state, [step.event.event for step in transcript.steps])


def test_the_transcript_of_a_session_never_played_is_refused_after_the_timeout() -> None:
    """Waiting for a session the player never played is an error naming it, not a KeyError."""
    player = SimulatorPlayer()
    try:
        player.transcript("01ARZ3NDEKTSV4RRFFQ69G5FAV", timeout=0.05)
    except SvamlError as error:
        message = str(error)
    expected = "the simulated session 01ARZ3NDEKTSV4RRFFQ69G5FAV is not over within 0.05 seconds"
    assert expected == message

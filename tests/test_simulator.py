"""The simulator plays Sinch's side of real applications: in-process, WSGI, ASGI, and over real HTTP."""

from __future__ import annotations

import importlib
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import attrs
import pytest
import uvicorn

from svaml import Amd, ConferenceDtmfOptions, Menu, MenuOption, RecordingOptions, Svaml, menu, return_, tts
from svaml.callbacks import CallbackApp
from svaml.errors import SvamlError
from svaml.model import AceEvent, AmdStatus, IceEvent, MenuResultType, NotifyEvent, PieEvent
from svaml.simulator import (
    Call,
    Callee,
    Caller,
    CallFailed,
    Conferences,
    FailureKind,
    HangUp,
    Kind,
    Outcome,
    Platform,
    Press,
    RealClock,
    SignatureClock,
    UrlTarget,
    Wait,
    simulate,
)

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
SIGNED = {"key": KEY, "secret": SECRET}
MAIN = Menu(
    id="main",
    main_prompt=tts("Press 1 for sales, 2 for your PIN."),
    repeat_prompt=tts("Please press 1 or 2."),
    repeats=1,
    options=[MenuOption(dtmf="1", action=return_("sales")), MenuOption(dtmf="2", action=menu("pin"))],
)
PIN = Menu(id="pin", main_prompt=tts("Enter your PIN, then hash."), max_digits=4)


def ivr() -> CallbackApp:
    """A two-level IVR: 1 connects sales, 2 asks a PIN (a sequence) and says it back."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    def ice(event: IceEvent) -> Any:
        return Svaml.ice().answer().set_cookie("step", "menu").run_menu(MAIN, PIN, locale="en-US")

    @app.pie
    def pie(event: PieEvent) -> Any:
        result = event.menu_result
        assert result is not None
        if result.value == "sales":
            return Svaml.pie().connect_pstn("+46700000009", amd=Amd(enabled=True))
        if result.type is MenuResultType.SEQUENCE:
            return Svaml.pie().say(f"You entered {result.value}.", locale="en-US").hangup()
        return Svaml.pie().say("Goodbye.", locale="en-US").hangup()

    @app.ace
    def ace(event: AceEvent) -> Any:
        if event.amd is not None and event.amd.status is AmdStatus.MACHINE:
            return Svaml.ace().hangup()
        return Svaml.ace().continue_()

    return app


APP = ivr()


def test_keys_reach_sales_and_the_callee_talks() -> None:
    """Pressing 1 sends a PIE return(sales); the callee answers, an ACE is sent, and the callee hangs up."""
    t = simulate(APP, Caller.keys("1"), **SIGNED)
    expected = (True, ("ice", "pie", "ace", "dice"), "sales", "ANSWERED", "CALLEEHANGUP", {"step": "menu"})
    pie = t.steps[1].event
    assert isinstance(pie, PieEvent)
    assert pie.menu_result is not None
    assert expected == (
        t.ok,
        t.events,
        pie.menu_result.value,
        str(t.result.value if t.result else None),
        str(t.reason.value if t.reason else None),
        dict(t.cookies),
    )


def test_menu_navigation_and_a_sequence() -> None:
    """Option 2 moves to the PIN menu without a callback; 1234# comes back as a sequence and is said back."""
    t = simulate(APP, Caller.keys("2", "1234#"), **SIGNED)
    pie = t.steps[1].event
    assert isinstance(pie, PieEvent)
    assert pie.menu_result is not None
    expected = (("ice", "pie", "dice"), "pin", "sequence", "1234", "You entered 1234.")
    assert expected == (
        t.events,
        pie.menu_result.menu_id,
        str(pie.menu_result.type.value)  # type: ignore[union-attr]
        if pie.menu_result.type
        else None,
        pie.menu_result.value,
        t.heard[-1],
    )


def test_short_digits_end_after_the_inter_digit_timeout() -> None:
    """Fewer digits than maxDigits and no # end after the menu's timeout (5 s by default)."""
    t = simulate(APP, Caller.keys("2", "12"), **SIGNED)
    pressed = [e for e in t.timeline if e.kind is Kind.PRESSED][-1]
    pie = next(s for s in t.steps if s.name == "pie")
    expected = ("12", True)
    assert expected == (pie.event.menu_result.value, pie.at - pressed.at >= 5.0)  # type: ignore[attr-defined]


def test_timeouts_and_invalid_keys_follow_repeats() -> None:
    """Silence plays the repeat prompt; past ``repeats`` the PIE says timeout (invalidinput for bad keys)."""
    waited = simulate(APP, Caller(inputs=[Wait(), Wait()]), **SIGNED)
    invalid = simulate(APP, Caller.keys("9", "*"), **SIGNED)
    kinds = [
        str(s.event.menu_result.type.value)  # type: ignore[attr-defined]
        for t in (waited, invalid)
        for s in t.steps
        if s.name == "pie"
    ]
    expected = (["timeout", "invalidinput"], 2)
    assert expected == (kinds, waited.heard.count("Please press 1 or 2.") + 1)


def test_hangups_at_a_prompt_and_at_a_step() -> None:
    """A hang-up in a menu sends PIE hangup and DiCE CALLERHANGUP; hangup_at ends the call at that step."""
    in_menu = simulate(APP, Caller(inputs=[HangUp()]), **SIGNED)
    at_step = simulate(APP, Caller(hangup_at=0), **SIGNED)
    expected = ((("ice", "pie", "dice"), "CALLERHANGUP"), (("ice", "dice"), "CALLERHANGUP"))
    assert expected == tuple((t.events, t.reason.value if t.reason else None) for t in (in_menu, at_step))


@pytest.mark.parametrize(
    ("callee", "events", "result", "reason"),
    [
        (Callee(outcome=Outcome.BUSY), ("ice", "pie", "dice"), "BUSY", "CALLEEHANGUP"),
        (Callee(outcome=Outcome.NO_ANSWER), ("ice", "pie", "dice"), "NOANSWER", "TIMEOUT"),
        (Callee(outcome=Outcome.MACHINE), ("ice", "pie", "ace", "dice"), "ANSWERED", "MANAGERHANGUP"),
        (Callee(talk=20000.0), ("ice", "pie", "ace", "dice"), "ANSWERED", "TIMEOUT"),
    ],
)
def test_callee_outcomes(callee: Callee, events: tuple[str, ...], result: str, reason: str) -> None:
    """Busy, no answer, a machine (the app hangs up on AMD machine) and a call past 14400 s end right."""
    t = simulate(APP, Caller(inputs=["1"], callees=[callee]), **SIGNED)
    expected = (True, events, result, reason)
    assert expected == (
        t.ok,
        t.events,
        t.result.value if t.result else None,
        t.reason.value if t.reason else None,
    )


def test_amd_result_in_the_ace_and_async_in_a_notify() -> None:
    """Synchronous AMD puts the status in the ACE; asynchronous AMD sends inprogress, then a Notify amd."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda e: Svaml.ice().connect_pstn("+46700000009", amd=Amd(enabled=True, async_=True)))
    t = simulate(app, Caller(callees=["machine"]), **SIGNED)
    ace, notify = t.steps[1].event, t.steps[2].event
    assert isinstance(ace, AceEvent)
    assert isinstance(notify, NotifyEvent)
    expected = ("inprogress", "amd", "machine")
    assert expected == (str(ace.amd.status.value), str(notify.type.value), str(notify.amd.status.value))  # type: ignore[union-attr]


def test_conference_dtmf_detect_sends_a_pie_per_sequence() -> None:
    """In a conference with DTMF detect, keys come back as a PIE whose menuId is the conference id."""
    app = CallbackApp(key=KEY, secret=SECRET)
    options = ConferenceDtmfOptions(mode="detect", max_digits=3)
    app.ice(lambda e: Svaml.ice().connect_conf("room-1", conference_dtmf_options=options, moh="music1"))
    t = simulate(app, Caller(inputs=["12#", "999", HangUp()]), **SIGNED)
    pies = [s.event.menu_result for s in t.steps if isinstance(s.event, PieEvent)]
    expected = ([("room-1", "sequence", "12"), ("room-1", "sequence", "999")], "CALLERHANGUP")
    assert expected == (
        [(r.menu_id, str(r.type.value), r.value) for r in pies if r is not None],  # type: ignore[union-attr]
        t.reason.value if t.reason else None,
    )


def test_recordings_notify_and_instructions_run_in_order() -> None:
    """startRecording, say, sendDtmf, stopRecording run in order; stopping sends Notify recording_finished."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(
        lambda e: (
            Svaml.ice()
            .answer()
            .start_recording(RecordingOptions(destination_url="s3://bucket/x", credentials="A:B:eu-west-1"))
            .say("Recorded.", locale="en-US")
            .send_dtmf("1w2")
            .stop_recording()
            .hangup()
        )
    )
    t = simulate(app, Caller(), **SIGNED)
    kinds = [e.kind for e in t.timeline if e.kind in (Kind.RECORDING, Kind.HEARD, Kind.DTMF)]
    expected = ([Kind.RECORDING, Kind.HEARD, Kind.DTMF, Kind.RECORDING], ("ice", "notify", "dice"), True)
    assert expected == (kinds, t.events, t.ok)


def test_park_ends_at_its_max_duration_and_an_update_ends_it_sooner() -> None:
    """A park lasts its maxDuration; an update (PATCH) given to the call runs at its next wait."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(
        lambda e: Svaml.ice().park(
            intro_prompt=tts("Please hold."), hold_prompt=tts("Music."), max_duration=60
        )
    )
    parked = simulate(app, **SIGNED)
    call = Call(app, **SIGNED)
    call.update(Svaml.patch().say("Back to you.", locale="en-US").hangup())
    updated = call.run()
    expected = (("TIMEOUT", True), ("MANAGERHANGUP", "Back to you."))
    assert expected == (
        (parked.reason.value if parked.reason else None, 60.0 < parked.duration < 70.0),
        (updated.reason.value if updated.reason else None, updated.heard[-1]),
    )


def test_a_callout_dials_first_then_runs_its_svaml() -> None:
    """With ``callout=``, the callee is dialled, an ACE sent, and the callout's SVAML plays after continue."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ace(lambda e: Svaml.ace().continue_())
    t = Call(app, callout=Svaml.ice().say("Your code is 1234.", locale="en-US").hangup(), **SIGNED).run()
    expected = (("ace", "dice"), ("Your code is 1234.",), True)
    assert expected == (t.events, t.heard, t.ok)


# -- bad answers fail the call at the step, with the diagnostics ----------------------------------


def raw_app(answers: dict[str, tuple[str, bytes]], delay: float = 0.0) -> Callable[..., Iterable[bytes]]:
    """A bare WSGI application answering each event with a fixed status and body (no svaml inside)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        status, answer = answers.get(json.loads(body)["event"], ("200 OK", b""))
        time.sleep(delay)
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
        return [answer]

    return application


@pytest.mark.parametrize(
    ("answers", "kind", "codes"),
    [
        ({"ice": ("200 OK", b'{"action":{"name":"continue"}}')}, FailureKind.INVALID, ["SV201"]),
        ({"ice": ("200 OK", b'{"action": {"name": "hangup"}')}, FailureKind.JUNK, ["SV001"]),
        ({"ice": ("200 OK", b"[1, 2]")}, FailureKind.JUNK, []),
        ({"ice": ("200 OK", b"")}, FailureKind.JUNK, []),
        ({"ice": ("503 Service Unavailable", b"down for maintenance")}, FailureKind.STATUS, []),
    ],
    ids=["invalid-for-ice", "not-json", "not-an-object", "empty", "503"],
)
def test_bad_answers_fail_at_the_step(
    answers: dict[str, tuple[str, bytes]], kind: FailureKind, codes: list[str]
) -> None:
    """An answer invalid for its event, junk, an empty body or a 503 fail the call at step 0, saying why."""
    t = simulate(raw_app(answers))
    assert t.failure is not None
    expected = (False, 0, "ice", kind, codes, ("ice", "dice"), "CALLBACKERROR")
    assert expected == (
        t.ok,
        t.failure.step,
        t.failure.event,
        t.failure.kind,
        [d.code for d in t.failure.diagnostics],
        t.events,
        t.reason.value if t.reason else None,
    )


def test_an_app_that_raises_is_never_a_bare_500() -> None:
    """A CallbackApp function that raises fails the call with the exception, not a bare 500."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    def ice(event: IceEvent) -> Any:
        raise ValueError("no database")

    raised = simulate(app, **SIGNED)
    assert raised.failure is not None
    expected = (FailureKind.STATUS, True)
    assert expected == (raised.failure.kind, "ValueError: no database" in raised.failure.message)


def test_unsigned_events_are_refused_with_a_hint() -> None:
    """Simulating a verifying app without its credentials fails at the ICE with a 401 that says why."""
    t = simulate(APP)
    assert t.failure is not None
    expected = (FailureKind.STATUS, True)
    assert expected == (t.failure.kind, "not signed" in t.failure.message)


def test_a_flow_that_never_ends_hits_the_step_limit() -> None:
    """A PIE answered with the same menu forever fails at the platform's step limit, not in a hang."""
    app = CallbackApp(key=KEY, secret=SECRET)
    again = Svaml.pie().run_menu(MAIN, PIN, locale="en-US")
    app.ice(lambda e: Svaml.ice().run_menu(MAIN, PIN, locale="en-US"))
    app.pie(lambda e: again)
    t = simulate(app, platform=Platform(max_steps=12), **SIGNED)
    assert t.failure is not None
    expected = (FailureKind.STEP_LIMIT, 12)
    assert expected == (t.failure.kind, t.failure.step)


def test_check_raises_with_the_transcript() -> None:
    """``Transcript.check`` raises CallFailed whose message holds the transcript and the failing rule code."""
    t = simulate(raw_app({"ice": ("200 OK", b'{"action":{"name":"continue"}}')}))
    with pytest.raises(CallFailed) as raised:
        t.check()
    expected = (True, True, ["SV201"])
    assert expected == (
        "ICE from" in str(raised.value),
        "[SV201]" in str(raised.value),
        [d.code for d in raised.value.problems],
    )


# -- real servers -----------------------------------------------------------------------------------


class Quiet(WSGIRequestHandler):
    """No access log."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Drop the line."""


class ThreadedWSGIServer(WSGIServer):
    """wsgiref's server, one thread a request."""

    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve each request in its own thread."""
        threading.Thread(target=self._serve, args=(request, client_address), daemon=True).start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def serve_wsgi(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 with wsgiref in a thread; yield its callback URL."""
    with make_server("127.0.0.1", 0, app, server_class=ThreadedWSGIServer, handler_class=Quiet) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/sinch/callback"
        finally:
            server.shutdown()
            thread.join()


@pytest.fixture
def wsgi_url() -> Iterator[str]:
    """The IVR's WSGI adapter under a real threaded wsgiref server."""
    yield from serve_wsgi(APP.wsgi)


@pytest.fixture
def asgi_url() -> Iterator[str]:
    """The IVR's ASGI adapter under uvicorn on 127.0.0.1."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(APP.asgi, log_level="warning", lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sinch/callback"
    server.should_exit = True
    thread.join()
    sock.close()


def story(t: Any) -> tuple[Any, ...]:
    """What must be the same wherever the app runs: events, prompts heard, the end."""
    return (t.ok, t.events, t.heard, t.result, t.reason)


@pytest.mark.parametrize("where", ["wsgi_url", "asgi_url"])
def test_the_same_call_over_real_http(where: str, request: pytest.FixtureRequest) -> None:
    """A call against the IVR served by wsgiref or uvicorn tells the same story as in-process."""
    url = request.getfixturevalue(where)
    caller = Caller.keys("2", "4321#")
    expected = story(simulate(APP, caller, **SIGNED))
    assert expected == story(simulate(url, caller, **SIGNED))


def test_in_process_wsgi_and_asgi_targets() -> None:
    """CallbackApp's WSGI and ASGI adapters called in-process tell the same story as the app itself."""
    caller = Caller.keys("2", "4321#")
    expected = story(simulate(APP, caller, **SIGNED))
    assert [expected, expected] == [
        story(simulate(APP.wsgi, caller, **SIGNED)),
        story(simulate(APP.asgi, caller, **SIGNED)),
    ]


def test_a_slow_server_times_out_and_a_closed_port_is_unreachable() -> None:
    """Over HTTP, an answer slower than the callback timeout and a refused connection fail at the ICE."""
    slow_app = raw_app({"ice": ("200 OK", b'{"action":{"name":"hangup"}}')}, delay=1.0)
    platform = Platform(callback_timeout=0.3)
    servers = serve_wsgi(slow_app)
    url = next(servers)
    try:
        slow = simulate(url, platform=platform)
    finally:
        servers.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/sinch/callback"
    gone = simulate(UrlTarget(closed), platform=platform)
    expected = ((FailureKind.TIMEOUT, 0), (FailureKind.UNREACHABLE, 0))
    assert expected == tuple((t.failure.kind, t.failure.step) for t in (slow, gone) if t.failure is not None)


# -- the transcript's forms ---------------------------------------------------------------------------


def test_transcript_text_json_and_mermaid() -> None:
    """The transcript prints as text, writes JSON that reads back, and draws a Mermaid sequence diagram."""
    t = simulate(APP, Caller(inputs=[Press("1", after=0.5)]), **SIGNED)
    data = json.loads(t.to_json())
    mermaid = t.to_mermaid().splitlines()
    expected = (True, ["ice", "pie", "ace", "dice"], "sequenceDiagram", 4, True)
    assert expected == (
        data["ok"],
        [s["event"]["event"] for s in data["steps"]],
        mermaid[0],
        sum(1 for line in mermaid if "Sinch->>App" in line),
        "PIE main - return sales" in t.to_mermaid(),
    )


# -- the docs say what the code does ----------------------------------------------------------------

DOCS = Path(__file__).parent.parent / "docs" / "testing.md"


def test_the_docs_diagram_is_the_simulators() -> None:
    """The Mermaid diagram in docs/testing.md is what the simulator draws for the examples' IVR today."""
    sys.path.insert(0, str(DOCS.parent.parent / "examples"))
    try:
        ivr_app = importlib.import_module("ivr_app")
    finally:
        sys.path.pop(0)
    t = simulate(ivr_app.create_app(KEY, SECRET), Caller.keys("9", "1"), **SIGNED)
    block = re.search(r"```mermaid\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    assert t.to_mermaid() + "\n" == block.group(1)


def test_every_assumption_is_in_the_docs() -> None:
    """Each field of Platform (an assumption about Sinch) has its row in docs/testing.md."""
    text = DOCS.read_text(encoding="utf-8")
    expected: list[str] = []
    assert expected == [f.name for f in attrs.fields(Platform) if f"| `{f.name}` |" not in text]


def test_the_simulator_does_not_import_hypothesis() -> None:
    """Playing a call loads svaml.simulator but not hypothesis (only svaml.simulator.properties does)."""
    code = (
        "import sys; from svaml.callbacks import CallbackApp; from svaml.simulator import simulate;"
        "print(simulate(CallbackApp(verify=False)).ended, 'hypothesis' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "True False"
    assert expected == done.stdout.strip()


# -- menus in detail, clocks, rooms ------------------------------------------------------------------


def menu_app(barge: bool) -> CallbackApp:
    """An app whose ICE runs the main menu with or without barge-in; PIEs hang up."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda e: Svaml.ice().run_menu(MAIN, PIN, barge=barge, locale="en-US"))
    app.pie(lambda e: Svaml.pie().hangup())
    return app


def first_pie(t: Any) -> tuple[str | None, str | None]:
    """The type and value of the first PIE's menu result."""
    result = next(s.event.menu_result for s in t.steps if isinstance(s.event, PieEvent))
    return (str(result.type.value) if result.type else None, result.value)


def test_barge_in_and_keys_held_or_lost_without_it() -> None:
    """With barge-in keys cut the prompt; without, they count after it (or are lost, if the platform says)."""
    barged = simulate(menu_app(True), Caller.keys("1"), **SIGNED)
    held = simulate(menu_app(False), Caller.keys("1"), **SIGNED)
    lost = simulate(
        menu_app(False), Caller.keys("1"), platform=Platform(keep_keys_without_barge=False), **SIGNED
    )
    expected = (
        (("return", "sales"), True),
        (("return", "sales"), False),
        ("timeout", None),
    )
    assert expected == (
        (first_pie(barged), barged.heard[0].endswith("[cut short]")),
        (first_pie(held), held.heard[0].endswith("[cut short]")),
        first_pie(lost),
    )


def test_a_press_after_the_timeout_comes_during_the_next_prompt() -> None:
    """Keys pressed later than the menu's timeout land in the repeat prompt: one timeout, then the option."""
    t = simulate(menu_app(True), Caller(inputs=[Press("1", after=8.0)]), **SIGNED)
    expected = (("return", "sales"), 1, "Please press 1 or 2. [cut short]")
    assert expected == (first_pie(t), len(t.entries(Kind.WAITED)), t.heard[1])


def test_real_clock_update_from_another_thread() -> None:
    """On the real clock a parked call waits for real until an update from another thread hangs it up."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda e: Svaml.ice().park(hold_prompt=tts("Music."), max_duration=30))
    call = Call(app, clock=RealClock(), **SIGNED)
    timer = threading.Timer(0.2, call.update, args=(Svaml.patch().hangup(),))
    timer.start()
    started = time.monotonic()
    t = call.run()
    timer.join()
    expected = ("MANAGERHANGUP", True, 1)
    assert expected == (
        t.reason.value if t.reason else None,
        time.monotonic() - started < 5,
        len(t.entries(Kind.UPDATE)),
    )


def test_shared_rooms_and_forwarded_conference_dtmf() -> None:
    """A call is in its room until it ends (the DiCE finds it gone); forward mode passes keys on, no PIE."""
    rooms = Conferences()
    seen: list[tuple[str, ...]] = []
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(
        lambda e: Svaml.ice().connect_conf(
            "room-2", conference_dtmf_options=ConferenceDtmfOptions(mode="forward")
        )
    )
    app.dice(lambda e: seen.append(rooms.participants("room-2")))
    first = Call(app, Caller(inputs=["5"]), conferences=rooms, call_id="a", **SIGNED)
    first.run()
    expected = (("ice", "dice"), ["5 forwarded to the conference"], [()], ())
    assert expected == (
        first.transcript.events,
        [e.text for e in first.transcript.entries(Kind.DTMF)],
        seen,
        rooms.participants("room-2"),
    )


def test_virtual_signatures_cookies_in_events_and_no_dice_after_failure() -> None:
    """Virtual stamps verify with max_age=None; cookies ride in events; after_failure=None sends no DiCE."""
    app = CallbackApp(key=KEY, secret=SECRET, max_age=None)
    seen: list[object] = []
    app.ice(lambda e: Svaml.ice().answer().set_cookie("lang", "sv").run_menu(MAIN, PIN, locale="en-US"))
    app.pie(lambda e: (seen.append(e.extras.get("cookies")), Svaml.pie().hangup())[1])
    platform = Platform(
        signature_clock=SignatureClock.VIRTUAL,
        cookies_in_events=True,
        start=datetime(2020, 1, 1, tzinfo=timezone.utc),
    )
    t = simulate(app, Caller.keys("1"), platform=platform, **SIGNED)
    broken = simulate(
        raw_app({"ice": ("500 Internal Server Error", b"")}), platform=Platform(after_failure=None)
    )
    expected = (True, [{"lang": "sv"}], "2020-01-01", ("ice",), False)
    assert expected == (
        t.ok,
        seen,
        t.steps[0].event.timestamp.date().isoformat(),
        broken.events,
        broken.ended,
    )  # type: ignore[union-attr]


def test_callers_are_checked() -> None:
    """Keys that are not DTMF, an unknown outcome and a negative step are refused with a clear error."""
    messages = []
    for make in (lambda: Caller.keys("1x"), lambda: Caller(callees=["maybe"]), lambda: Caller(hangup_at=-1)):
        with pytest.raises((SvamlError, ValueError)) as raised:
            make()
        messages.append(str(raised.value).split(":")[0][:20])
    expected = ["keys '1x' are not DT", "'maybe' is not a val", "hangup_at must be a "]
    assert expected == messages


def test_inputs_the_call_did_not_use_are_reported() -> None:
    """A script longer than the call lists the inputs it never used, in the object and in the text."""
    t = simulate(APP, Caller.parse("2,1234#,9,hangup"), **SIGNED)
    expected = (("9", "hangup"), True)
    assert expected == (t.unused, "unused inputs: 9, hangup" in t.to_text())


def test_platform_switches_change_what_the_app_is_sent() -> None:
    """Without amd_anywhere no AMD result, without ace_on_connect no ACE; a conference PIE answer can run."""
    amd_app = CallbackApp(key=KEY, secret=SECRET)
    amd_app.ice(lambda e: Svaml.ice().connect_pstn("+46700000009", amd=Amd(enabled=True)))
    no_amd = simulate(amd_app, Caller(callees=["machine"]), platform=Platform(amd_anywhere=False), **SIGNED)
    no_ace = simulate(amd_app, Caller(callees=["machine"]), platform=Platform(ace_on_connect=False), **SIGNED)
    conf_app = CallbackApp(key=KEY, secret=SECRET)
    options = ConferenceDtmfOptions(mode="detect")
    conf_app.ice(lambda e: Svaml.ice().connect_conf("room-3", conference_dtmf_options=options))
    conf_app.pie(lambda e: Svaml.pie().say("Leaving.", locale="en-US").hangup())
    kept = simulate(conf_app, Caller(inputs=["1"]), **SIGNED)
    ran = simulate(
        conf_app, Caller(inputs=["1"]), platform=Platform(run_conference_pie_answer=True), **SIGNED
    )
    ace = no_amd.steps[1].event
    assert isinstance(ace, AceEvent)
    expected = (None, ("ice", "dice"), ("CALLERHANGUP", ()), ("MANAGERHANGUP", ("Leaving.",)))
    assert expected == (
        ace.amd,
        no_ace.events,
        (kept.reason.value if kept.reason else None, kept.heard),
        (ran.reason.value if ran.reason else None, ran.heard),
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"callback_timeout": -1}, "Platform.callback_timeout must be a number > 0, got -1"),
        ({"callback_timeout": float("nan")}, "Platform.callback_timeout must be a number > 0, got nan"),
        ({"max_steps": 0}, "Platform.max_steps must be a whole number >= 1, got 0"),
        ({"menu_repeats": -1}, "Platform.menu_repeats must be a whole number >= 0, got -1"),
        ({"tts_chars_per_second": 0}, "Platform.tts_chars_per_second must be a number > 0, got 0"),
        ({"park_seconds": -5.0}, "Platform.park_seconds must be a number of seconds >= 0, got -5.0"),
    ],
)
def test_platform_refuses_counts_and_times_out_of_range(fields: dict[str, Any], message: str) -> None:
    """A negative timeout or no step at all is refused when the Platform is made, saying which field."""
    with pytest.raises(SvamlError) as raised:
        Platform(**fields)
    assert message == str(raised.value)


def test_a_late_in_process_answer_says_how_late() -> None:
    """An answer later than a short callback timeout reports its latency at the precision that shows it."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    def slow(event: IceEvent) -> Any:
        time.sleep(0.02)
        return Svaml.ice().hangup()

    call = simulate(app, Caller(), platform=Platform(callback_timeout=0.01), **SIGNED)
    assert call.failure is not None
    found = re.fullmatch(r"answered after (\d+\.\d{3}) s; Sinch waits 0\.01 s", call.failure.message)
    assert found is not None, call.failure.message
    expected = (FailureKind.TIMEOUT, True)
    assert expected == (call.failure.kind, float(found.group(1)) >= 0.02)


def test_mermaid_keeps_hash_and_semicolon_as_entity_codes() -> None:
    """Keys ending in # and prompts with ';' are drawn with Mermaid's entity codes, not dropped or split."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda event: Svaml.ice().answer().run_menu(attrs.evolve(PIN, id="main"), locale="en-US"))
    app.pie(lambda event: Svaml.pie().say("Thanks; goodbye.", locale="en-US").hangup())
    mermaid = simulate(app, Caller.keys("12#"), **SIGNED).to_mermaid().splitlines()
    expected = (["    Caller->>Sinch: 1.0s 12#35;"], ["    Sinch->>Caller: 1.4s Thanks#59; goodbye."])
    assert expected == (
        [line for line in mermaid if line.startswith("    Caller->>Sinch")],
        [line for line in mermaid if "Thanks" in line],
    )


def test_wsgi_and_asgi_targets_say_why_a_callback_app_inside_answered_500() -> None:
    """Through a framework (WSGI or ASGI), a raising function's exception is in the failure, as in-process."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda event: Svaml.ice().answer().run_menu(MAIN, PIN, locale="en-US"))

    @app.pie
    def broken(event: PieEvent) -> Any:
        raise RuntimeError("the CRM is down")

    def framework(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """A WSGI view that hands the request to the CallbackApp, as the examples' Flask view does."""
        return app.wsgi(environ, start_response)

    found = []
    for target in (framework, app.asgi):
        failure = simulate(target, Caller.keys("1"), **SIGNED).failure
        assert failure is not None
        found.append((failure.step, failure.kind, "RuntimeError: the CRM is down at " in failure.message))
    expected = [(1, FailureKind.STATUS, True)] * 2
    assert expected == found

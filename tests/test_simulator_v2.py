"""The v2 simulator, one semantic of the reference (§2.3, §4, §5, §6.4, §9) at a time."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from v2apps import VOICE, App

from svaml import codec
from svaml.errors import SignatureError, SvamlError
from svaml.simulator import (
    FailureKind,
    HangUp,
    Kind,
    Press,
    RealClock,
    Reply,
    Request,
    TargetError,
    Transcript,
)
from svaml.simulator.v2 import Callee, Caller, Merge, Platform, Session, simulate, simulate_batch
from svaml.v2 import Svaml2
from svaml.v2.model import CallEvents, Dial, GotoMenu, Match, MenuItem, MenuPrompt, RecordingOptions, Say
from svaml.v2.model.calls import Event, IncomingEvent
from svaml.v2.signing import verify_webhook

OPTIONS = RecordingOptions(
    destination="AWS", destination_url="s3://bucket/calls", credentials="a:b:eu-central-1"
)


def play(answers: Mapping[str, Any], caller: Caller | None = None, **options: Any) -> tuple[Transcript, App]:
    """Play a session against an App of ``answers``; return the transcript and the app."""
    app = App(answers)
    return simulate(app, caller, **options), app


def texts(t: Transcript, *kinds: Kind) -> list[tuple[float, str | None, str]]:
    """The timeline's entries of those kinds: (time, leg, text)."""
    return [(round(e.at, 3), e.leg, e.text) for e in t.timeline if e.kind in kinds]


def results(t: Transcript) -> dict[str, tuple[str, str]]:
    """Each leg's final callResult and callReason, by its name."""
    return {leg.call_name or "?": (str(leg.call_result), str(leg.call_reason)) for leg in t.legs}


def incoming(doc: Svaml2) -> dict[str, Any]:
    """An answer table where call.incoming gets ``doc`` named leg ``caller``."""
    return {"call.incoming": doc.with_call_name("caller")}


# -- the start of a session -------------------------------------------------------------------------


def test_an_inbound_call_starts_with_call_incoming_sent_as_a_cloudevent() -> None:
    """call.incoming comes first, a CloudEvents request whose body reads back as the model's event."""
    t, app = play(incoming(Svaml2().hangup()))
    path, headers, body = app.received[0]
    event = codec.structure(body, Event)
    expected = (
        "/voice-webhooks",
        "1.0",
        "com.sinch.voice.call.control.v1",
        "projects/00000000-0000-4000-8000-000000000001/services/00000000-0000-4000-8000-000000000002",
        "application/json; charset=utf-8",
        True,
        True,
        IncomingEvent,
        ("INBOUND", "INITIATED", "+46700000001"),
    )
    assert expected == (
        path,
        headers["ce-specversion"],
        headers["ce-type"],
        headers["ce-source"],
        headers["Content-Type"],
        bool(re.fullmatch(r"[0-9a-f-]{36}", headers["ce-id"])),
        bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", headers["x-timestamp"])),
        type(codec.structure(body, IncomingEvent)),
        (str(event.call.direction), str(event.call.call_result), event.call.from_.number),  # type: ignore[union-attr]
    )
    assert t.ok


def test_a_call_the_api_created_starts_with_its_first_dial() -> None:
    """A create-call document: commands before the first dial have no leg and do not run."""
    document = (
        Svaml2()
        .say("lost", VOICE)
        .dial(
            "+46701234567",
            call_name="customer",
            on_answer=Svaml2().say("Your parcel is here.", VOICE).hangup(),
        )
    )
    t, app = play({}, Caller(callees=[Callee(ring=2.0)]), document=document)
    expected_heard = [
        (2.0, "customer", "Your parcel is here. [cut short]"),
        (2.0, "customer", "COMPLETED MANAGER_HANGUP"),
        (2.0, "customer", "the messages playing cut short"),
    ]
    assert expected_heard == texts(t, Kind.HEARD, Kind.END)
    expected = []
    assert expected == app.events
    expected = {"customer": ("COMPLETED", "MANAGER_HANGUP")}
    assert expected == results(t)
    expected = ("messages (1 message): not executed, no leg yet", "OUTBOUND", "SERVER")
    assert expected == (
        texts(t, Kind.COMMAND)[0][2],
        str(t.legs[0].direction),
        str(t.legs[0].origination_type),
    )


def test_a_static_service_runs_its_document_without_call_incoming() -> None:
    """A STATIC service: no call.incoming; its callName and onHangup hold for the inbound leg."""
    static = Svaml2().with_call_name("in").answer().say("Closed today.", VOICE).hangup()
    static = static.on_hangup(Svaml2().say("never heard", VOICE))
    t, app = play({}, static=static)
    expected = ([], {"in": ("COMPLETED", "MANAGER_HANGUP")})
    assert expected == (app.events, results(t))
    expected = [(0.0, "in", "onHangup of the call: messages")]
    assert expected == [x for x in texts(t, Kind.HANDLER) if "onHangup" in x[2]]


# -- blocking and non-blocking commands ---------------------------------------------------------------


def test_pause_blocks_and_messages_do_not() -> None:
    """A pause holds its sequence; messages start and the next command runs at once."""
    doc = Svaml2().answer().pause(2000).say("one two three", VOICE).pause(100).hangup()
    t, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=1.0))
    expected = [(2.0, "caller", "one two three [cut short]"), (2.1, "caller", "the application hangs up")]
    assert expected == texts(t, Kind.HEARD, Kind.HANGUP)


def test_a_hangup_right_after_messages_cuts_them_unless_the_platform_waits() -> None:
    """A hangup does not wait: say(...).hangup() cuts the words (heard says so); hangup_after_audio waits."""
    doc = Svaml2().answer().say("Goodbye.", VOICE).hangup()
    cut, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=4.0))
    waited, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=4.0, hangup_after_audio=True))
    expected = (
        ("Goodbye. [cut short]",),
        [(0.0, "caller", "COMPLETED MANAGER_HANGUP"), (0.0, "caller", "the messages playing cut short")],
        ("Goodbye.",),
        [(2.0, "caller", "COMPLETED MANAGER_HANGUP")],
    )
    assert expected == (cut.heard, texts(cut, Kind.END), waited.heard, texts(waited, Kind.END))


def test_a_handler_runs_as_its_own_sequence_and_does_not_resume_the_parent() -> None:
    """A handler (onFinish) runs when the messages end; the parent sequence went on meanwhile."""
    doc = (
        Svaml2()
        .answer()
        .say("abcd", VOICE, on_finish=Svaml2().say("after", VOICE))
        .pause(1000)
        .say("x", VOICE)
    )
    t, _ = play(incoming(doc), Caller(hangup_after=20), platform=Platform(tts_chars_per_second=1.0))
    expected = [(0.0, "caller", "abcd"), (4.0, "caller", "x"), (5.0, "caller", "after")]
    assert expected == texts(t, Kind.HEARD)


def test_audio_queues_on_a_leg_unless_the_platform_mixes_it() -> None:
    """Two messages commands play one after the other; with queue_audio=False, at once."""
    doc = Svaml2().answer().say("aa", VOICE).say("bbb", VOICE)
    queued, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=1.0))
    mixed, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=1.0, queue_audio=False))
    expected = (
        [(0.0, "caller", "aa"), (2.0, "caller", "bbb")],
        [(0.0, "caller", "aa"), (0.0, "caller", "bbb")],
    )
    assert expected == (texts(queued, Kind.HEARD), texts(mixed, Kind.HEARD))


# -- handlers or webhooks (§4 precedence) -------------------------------------------------------------


def test_an_events_property_even_empty_stops_the_commands_webhooks() -> None:
    """A dial with events {} sends no call.answered; without events the webhook gets it, its answer runs."""
    silent = Svaml2().with_command(Dial("+46701234567", call_name="a", events=CallEvents()))
    loud = Svaml2().dial("+46701234567", call_name="a")
    quiet, quiet_app = play(incoming(Svaml2().answer().with_command(silent.commands[0])))
    told, told_app = play(
        {
            **incoming(Svaml2().answer().with_command(loud.commands[0])),
            "call.answered": Svaml2().say("Hello callee", VOICE).hangup(),
        }
    )
    expected = (["call.incoming", "call.hangup"], ["call.incoming", "call.answered", "call.hangup"])
    assert expected == (
        quiet_app.events,
        told_app.events[:3],
    )
    expected = [(4.0, "a", "Hello callee [cut short]")]
    assert expected == texts(told, Kind.HEARD)
    assert "dial has events but no onAnswer: the outcome is ignored" in [
        x[2] for x in texts(quiet, Kind.HANDLER)
    ]


def test_the_webhooks_answer_runs_on_the_leg_the_event_is_about() -> None:
    """The answer to call.answered acts on the dialled leg: its hangup ends that leg, not the caller."""
    answers = {
        **incoming(Svaml2().answer().dial("+46701234567", call_name="b")),
        "call.answered": Svaml2().hangup(),
    }
    t, _ = play(answers, Caller(hangup_after=30))
    expected = {"caller": ("COMPLETED", "CALLER_HANGUP"), "b": ("COMPLETED", "MANAGER_HANGUP")}
    assert expected == results(t)


# -- dial outcomes (§9) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "handler", "result", "at"),
    [
        ("answer", "on_answer", ("COMPLETED", "CALLEE_HANGUP"), 4.0),
        ("busy", "on_busy", ("BUSY", "NOT_AVAILABLE"), 4.0),
        ("reject", "on_reject", ("REJECTED", "NOT_AVAILABLE"), 4.0),
        ("timeout", "on_timeout", ("NO_ANSWER", "NOT_AVAILABLE"), 20.0),
        ("failure", "on_failure", ("FAILED", "ERROR"), 0.0),
    ],
)
def test_each_dial_outcome_runs_its_handler_and_ends_the_leg_so(
    outcome: str, handler: str, result: tuple[str, str], at: float
) -> None:
    """Answered, busy, rejected, not answered in dialTimeoutDurationSeconds, failed: each its handler.

    onAnswer runs on the dialled leg; the others on the leg that dialled (Platform.failed_dial_on_dialler).
    """
    marker = Svaml2().say(handler, VOICE)
    dial = Svaml2().dial("+46701234567", call_name="c", dial_timeout_duration_seconds=20, **{handler: marker})
    t, _ = play(incoming(Svaml2().answer().with_command(dial.commands[0])), Caller(callees=[outcome]))
    spoken_on = "c" if outcome == "answer" else "caller"
    assert ((at, spoken_on, handler), result) == (texts(t, Kind.HEARD)[0], results(t)["c"])


def test_a_callee_ringing_past_the_dial_timeout_times_out() -> None:
    """A ring ≥ dialTimeoutDurationSeconds is a timeout at the dial timeout, whatever the callee meant."""
    dial = Svaml2().dial(
        "+46701234567", call_name="c", dial_timeout_duration_seconds=5, on_timeout=Svaml2().say("late", VOICE)
    )
    t, _ = play(incoming(Svaml2().answer().with_command(dial.commands[0])), Caller(callees=[Callee(ring=9)]))
    expected = ([(5.0, "caller", "late")], ("NO_ANSWER", "NOT_AVAILABLE"))
    assert expected == (texts(t, Kind.HEARD), results(t)["c"])


def test_max_call_duration_ends_the_leg_counted_from_the_answer() -> None:
    """The maxCallDurationSeconds ends the answered leg that long after it answered."""
    dial = Svaml2().dial(
        "+46701234567", call_name="c", max_call_duration_seconds=10, on_answer=Svaml2().bridge_call("b")
    )
    t, _ = play(
        incoming(Svaml2().answer().with_command(dial.commands[0])), Caller(callees=[Callee(ring=3, talk=60)])
    )
    expected = [(13.0, "c", "maxCallDurationSeconds 10 reached")]
    assert expected == texts(t, Kind.HANGUP)[:1]
    expected = ("COMPLETED", "MANAGER_HANGUP")
    assert expected == results(t)["c"]


def test_on_hangup_after_a_dial_that_never_connected_is_a_platform_choice() -> None:
    """A3: by default a busy leg fires onBusy only; hangup_after_unanswered adds its onHangup."""
    dial = Svaml2().dial(
        "+46701234567",
        call_name="c",
        on_busy=Svaml2().say("busy", VOICE),
        on_hangup=Svaml2().say("gone", VOICE),
    )
    answers = incoming(Svaml2().answer().with_command(dial.commands[0]))
    plain, _ = play(answers, Caller(callees=["busy"]))
    both, _ = play(answers, Caller(callees=["busy"]), platform=Platform(hangup_after_unanswered=True))
    expected = (["busy"], ["busy", "gone"])
    assert expected == (
        [x[2] for x in texts(plain, Kind.HEARD)],
        [x[2] for x in texts(both, Kind.HEARD)],
    )


def test_a_call_name_taken_by_an_active_leg_fails_the_dial() -> None:
    """A callName is unique among active legs: a second dial of the name fails (onFailure)."""
    dial = Svaml2().dial("+46701234567", call_name="caller", on_failure=Svaml2().say("taken", VOICE))
    t, _ = play(incoming(Svaml2().answer().with_command(dial.commands[0])))
    expected = ("FAILED", "ERROR")
    assert expected == (str(t.legs[1].call_result), str(t.legs[1].call_reason))


# -- AMD ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "heard"), [("human", ["h"]), ("machine", ["m"]), ("beep", ["b"]), ("unknown", ["u"])]
)
def test_amd_runs_the_handler_of_its_verdict(verdict: str, heard: list[str]) -> None:
    """The callee's AMD verdict picks onHuman, onMachine, onBeep or onUnknown, amd_seconds after."""
    amd = Svaml2().amd(
        on_human=Svaml2().say("h", VOICE),
        on_machine=Svaml2().say("m", VOICE),
        on_beep=Svaml2().say("b", VOICE),
        on_unknown=Svaml2().say("u", VOICE),
    )
    dial = Svaml2().dial("+46701234567", call_name="c", on_answer=amd)
    t, _ = play(
        incoming(Svaml2().answer().with_command(dial.commands[0])),
        Caller(callees=[Callee(amd=verdict, ring=1)]),
    )
    assert (heard, 4.0) == ([x[2] for x in texts(t, Kind.HEARD)], texts(t, Kind.HEARD)[0][0])


def test_a_beep_can_imply_a_machine() -> None:
    """beep_also_machine: a beep fires onMachine before onBeep."""
    amd = Svaml2().amd(on_machine=Svaml2().say("m", VOICE), on_beep=Svaml2().pause(1).say("b", VOICE))
    t, _ = play(
        incoming(Svaml2().answer().with_command(amd.commands[0])),
        Caller(amd="beep"),
        platform=Platform(beep_also_machine=True),
    )
    expected = ["m", "b"]
    assert expected == [x[2] for x in texts(t, Kind.HEARD)]


def test_amd_without_events_sends_its_verdict_to_the_webhook() -> None:
    """An amd with no events: the verdict is call.amd.<verdict> at the service webhook."""
    _, app = play(incoming(Svaml2().answer().amd().pause(5000).hangup()), Caller(amd="machine"))
    expected = ["call.incoming", "call.amd.machine", "call.hangup"]
    assert expected == app.events


# -- messages and stopMessages ----------------------------------------------------------------------------


def test_stop_messages_stops_them_and_any_started_later_with_that_name() -> None:
    """stopMessages(name) stops what plays and cancels later messages of that name in the session."""
    doc = (
        Svaml2()
        .answer()
        .messages(
            Say("one", voice_name=VOICE),
            Say("two", voice_name=VOICE),
            messages_name="promo",
            on_finish=Svaml2().say("finished", VOICE),
        )
        .pause(500)
        .stop_messages("promo")
        .say("again", VOICE, messages_name="promo")
        .say("other", VOICE)
    )
    t, _ = play(incoming(doc), platform=Platform(tts_chars_per_second=1.0))
    expected = [(0.0, "caller", "one [cut short]"), (0.5, "caller", "other")]
    assert expected == texts(t, Kind.HEARD)
    assert "messages promo: not played, stopMessages stopped that name" in [
        x[2] for x in texts(t, Kind.COMMAND)
    ]


# -- recordings -------------------------------------------------------------------------------------------


def test_a_recording_stops_with_its_on_finish_and_at_the_end_of_the_leg() -> None:
    """A stopRecording fires onFinish; an unnamed recording runs until the leg ends, then onFinish."""
    doc = (
        Svaml2()
        .answer()
        .start_recording(OPTIONS, recording_name="r1", on_finish=Svaml2().say("r1 done", VOICE))
        .start_recording(OPTIONS, on_finish=Svaml2().dial("+46701234567", call_name="after"))
        .pause(2000)
        .stop_recording("r1")
        .pause(1000)
        .hangup()
    )
    t, _ = play(incoming(doc))
    expected = [(2.0, "caller", "recording r1 stopped"), (3.0, "caller", "recording stopped: the leg ended")]
    assert expected == [x for x in texts(t, Kind.RECORDING) if "stopped" in x[2]]
    # The handler's dial is leg-independent: it runs although the caller's leg has ended.
    assert "after" in results(t)


def test_a_recording_that_cannot_start_runs_on_failure_or_tells_the_webhook() -> None:
    """A failed start runs onFailure; with no events, call.recording.failed (A2) unless ignored by choice."""
    handled = Svaml2().answer().start_recording(OPTIONS, on_failure=Svaml2().say("no recording", VOICE))
    bare = Svaml2().answer().start_recording(OPTIONS).pause(10).hangup()
    failing = Caller(recording_fails=True)
    t, _ = play(incoming(handled), failing)
    _, told = play(incoming(bare), failing)
    _, ignored = play(incoming(bare), failing, platform=Platform(recording_failure_webhook=False))
    expected = (
        ["no recording"],
        ["call.incoming", "call.recording.failed", "call.hangup"],
        ["call.incoming", "call.hangup"],
    )
    assert expected == ([x[2] for x in texts(t, Kind.HEARD)], told.events, ignored.events)


# -- bridges and hangups ---------------------------------------------------------------------------------


def test_hanging_up_a_bridged_leg_leaves_the_others_unless_on_hangup_does() -> None:
    """The callee hangs up: the caller stays in the bridge; an onHangup hangup(callName) ends it."""
    stay = (
        Svaml2()
        .answer()
        .dial("+46701234567", call_name="agent", on_answer=Svaml2().bridge_call("b"))
        .bridge_call("b")
    )
    end = (
        Svaml2()
        .answer()
        .dial(
            "+46701234567",
            call_name="agent",
            on_answer=Svaml2().bridge_call("b"),
            on_hangup=Svaml2().hangup("caller"),
        )
        .bridge_call("b")
    )
    callees = Caller(callees=[Callee(ring=1, talk=5)], hangup_after=100)
    stayed, _ = play(incoming(stay), callees)
    ended, _ = play(incoming(end), callees)
    expected = (100.0, 6.0)
    assert expected == (stayed.duration, ended.duration)
    expected = {"caller": ("COMPLETED", "MANAGER_HANGUP"), "agent": ("COMPLETED", "CALLEE_HANGUP")}
    assert expected == results(ended)
    assert (6.0, "agent", "leaves bridge b (caller stays)") in texts(stayed, Kind.CONNECTED)


def test_commands_after_a_hangup_of_their_leg_do_not_run_but_a_new_dial_does() -> None:
    """After hangup, messages on the ended leg are skipped; a dial still runs (§2.3)."""
    doc = Svaml2().answer().hangup().say("never", VOICE).dial("+46701234567", call_name="d")
    t, _ = play(incoming(doc))
    expected = ([], "d")
    assert expected == (texts(t, Kind.HEARD), t.legs[1].call_name)
    assert (0.0, "caller", "messages (1 message): not executed, its leg has ended") in texts(t, Kind.COMMAND)


def test_the_inbound_legs_on_hangup_replaces_the_call_hangup_webhook() -> None:
    """events.onHangup of the call.incoming answer runs instead of call.hangup; without it, the webhook."""
    with_handler = Svaml2().answer().on_hangup(Svaml2().dial("+46701234567", call_name="notify"))
    t, app = play(incoming(with_handler), Caller(hangup_after=3, callees=["busy"]))
    _, bare = play(incoming(Svaml2().answer()), Caller(hangup_after=3))
    expected = (["call.incoming", "call.busy"], ["call.incoming", "call.hangup"])
    assert expected == (app.events, bare.events)
    expected = ("COMPLETED", "CALLER_HANGUP")
    assert expected == results(t)["caller"]


def test_call_name_and_events_count_only_in_a_call_incoming_answer() -> None:
    """A callName in another event's answer is ignored (and said so)."""
    answers = {
        **incoming(Svaml2().answer().say("x", VOICE)),
        "call.message.finished": Svaml2().with_call_name("renamed").hangup(),
    }
    t, _ = play(answers)
    expected = ("caller", True)
    assert expected == (
        t.legs[0].call_name,
        (0.067, "caller", "callName and events count only in a call.incoming answer: ignored")
        in texts(t, Kind.HANDLER),
    )


# -- menus (§5) -----------------------------------------------------------------------------------------


def menu_call(*items: MenuItem, caller: Caller | None = None, **options: Any) -> tuple[Transcript, App]:
    """An inbound call answered with a menu of ``items``; each match says its key."""
    return play(
        incoming(Svaml2().answer().menu(*items)),
        caller,
        platform=Platform(tts_chars_per_second=10.0),
        **options,
    )


def said(text: str) -> Svaml2:
    """A handler that says ``text`` and hangs up once it has been heard."""
    return Svaml2().say(text, VOICE, on_finish=Svaml2().hangup())


def test_barge_in_cuts_the_prompt_and_its_absence_waits_for_it() -> None:
    """Input during a prompt cuts it (barge-in, the default); allowBargeIn false evaluates it after."""
    prompt = [Say("0123456789" * 2, voice_name=VOICE)]  # 2 s
    barge, _ = menu_call(MenuItem("m", prompt=prompt, matches={"1": said("one")}), caller=Caller.keys("1"))
    still, _ = menu_call(
        MenuItem("m", prompt=MenuPrompt(prompt, allow_barge_in=False), matches={"1": said("one")}),
        caller=Caller.keys("1"),
    )
    expected = ((1.2, "caller", "one"), (2.2, "caller", "one"))
    assert expected == (texts(barge, Kind.HEARD)[-1], texts(still, Kind.HEARD)[-1])
    assert texts(barge, Kind.HEARD)[0][2].endswith("[cut short]")


@pytest.mark.parametrize(
    ("keys", "item", "heard"),
    [
        ("12", {"maximum_input_length": 2}, "12"),  # max length reached
        ("1", {"maximum_input_length": 3}, "1"),  # timeout ends shorter input
        ("12#", {"maximum_input_length": 5, "terminating_sequence": "#"}, "12#"),  # terminator kept
        ("1", {"minimum_input_length": 2, "maximum_input_length": 3}, "fail"),  # too short: no match
    ],
)
def test_input_collection_by_length_terminator_and_timeout(
    keys: str, item: dict[str, Any], heard: str
) -> None:
    """Input ends at maximumInputLength, the terminating sequence (kept) or the timeout; short input fails."""
    t, _ = menu_call(
        MenuItem(
            "m",
            matches={".+": Svaml2().webhook("got", "https://app.example/got")},
            repeat_count=0,
            on_fail=said("fail"),
            **item,
        ),
        caller=Caller.keys(keys),
    )
    custom = [s.event.menu.input for s in t.steps if s.name == "call.webhook.got" and s.event.menu]
    assert heard == (custom[0] if custom else texts(t, Kind.HEARD)[-1][2])


def test_matches_are_tried_in_order_as_full_regexes_or_literals() -> None:
    """A4: keys match in order, as a full-match regex, or literally when not a regex."""
    item = MenuItem(
        "m",
        maximum_input_length=3,
        matches=[
            Match("1", said("exactly one")),
            Match("1.", said("one then any")),
            Match("[", said("bracket")),
            Match(r"\*9", said("star nine")),
        ],
        repeat_count=0,
        on_fail=said("no"),
    )
    heard = []
    for keys in ("1", "12", "123", "*9", "2"):
        t, _ = menu_call(item, caller=Caller.keys(keys))
        heard.append(texts(t, Kind.HEARD)[-1][2])
    expected = ["exactly one", "one then any", "no", "star nine", "no"]
    assert expected == heard


def test_a_literal_key_that_is_no_regex_matches_itself() -> None:
    """A key that does not compile as a regex (``[``) matches input equal to it: none from DTMF, so onFail."""
    t, _ = menu_call(
        MenuItem("m", matches=[Match("[", said("bracket"))], repeat_count=0, on_fail=said("no")),
        caller=Caller.keys("1"),
    )
    expected = "no"
    assert expected == texts(t, Kind.HEARD)[-1][2]


def test_timeouts_repeat_with_the_repeat_prompt_then_on_fail() -> None:
    """No input: the item repeats repeatCount times with repeatPrompt, then onFail runs."""
    item = MenuItem(
        "m",
        prompt=Say("first", voice_name=VOICE),
        repeat_prompt=Say("again", voice_name=VOICE),
        repeat_count=2,
        input_timeout_duration_seconds=3,
        matches={"1": said("one")},
        on_fail=said("bye"),
    )
    t, _ = menu_call(item)
    expected = ["first", "again", "again", "bye"]
    assert expected == [x[2] for x in texts(t, Kind.HEARD)]
    # Each attempt: the prompt (0.5 s at 10 characters a second), then 3 s of waiting.
    expected = [0.0, 3.5, 7.0, 10.5]
    assert expected == [x[0] for x in texts(t, Kind.HEARD)]


def test_goto_menu_and_a_nested_menu_opens_its_own_context() -> None:
    """A gotoMenu switches item; a menu inside a match runs its own items."""
    inner = Svaml2().menu(MenuItem("deep", matches={"3": said("deep three")}, on_fail=said("deep fail")))
    item_a = MenuItem("a", matches={"1": GotoMenu("b"), "2": inner}, on_fail=said("a fail"))
    item_b = MenuItem("b", prompt=Say("in b", voice_name=VOICE), matches={"1": said("b one")})
    goto, _ = menu_call(item_a, item_b, caller=Caller.keys("1", "1"))
    nested, _ = menu_call(item_a, item_b, caller=Caller.keys("2", "3"))
    expected = (["in b", "b one"], ["deep three"])
    assert expected == (
        [x[2] for x in texts(goto, Kind.HEARD)],
        [x[2] for x in texts(nested, Kind.HEARD)],
    )


def test_an_item_with_neither_matches_nor_on_fail_sends_call_menu() -> None:
    """call.menu carries the item and the input; its answer runs; a timeout gives input ''."""
    answers = {
        **incoming(
            Svaml2().answer().menu(MenuItem("main", maximum_input_length=4, terminating_sequence="#"))
        ),
        "call.menu": lambda e: said(f"you chose {e['menu']['input']}"),
    }
    t, app = play(answers, Caller.keys("42#"))
    _, quiet_app = play({**answers}, Caller(), platform=Platform(caller_patience=1))
    expected = ({"menuName": "main", "input": "42#"}, "you chose 42#")
    assert expected == (app.received[1][2]["menu"], texts(t, Kind.HEARD)[-1][2])
    expected = {"menuName": "main", "input": ""}
    assert expected == quiet_app.received[1][2]["menu"]


def test_the_caller_hanging_up_in_a_menu_ends_the_leg() -> None:
    """HangUp at a prompt: the leg ends with CALLER_HANGUP, and call.hangup goes to the webhook."""
    t, app = menu_call(MenuItem("m", matches={"1": said("one")}), caller=Caller(inputs=(HangUp(after=0.5),)))
    expected = (("COMPLETED", "CALLER_HANGUP"), ["call.incoming", "call.hangup"])
    assert expected == (results(t)["caller"], app.events)


def test_keys_pressed_late_come_at_the_next_attempt() -> None:
    """A press later than the prompt and its timeout counts at the next attempt."""
    item = MenuItem("m", input_timeout_duration_seconds=2, matches={"1": said("one")}, on_fail=said("no"))
    t, _ = menu_call(item, caller=Caller(inputs=(Press("1", after=3),)))
    expected = [(3.2, "caller", "one")]
    assert expected == texts(t, Kind.HEARD)


# -- the webhook command (A1) -----------------------------------------------------------------------------


def test_the_webhook_command_blocks_and_its_answer_precedes_the_rest_by_default() -> None:
    """A1: the answer's commands run, then the rest (Merge.PRECEDE); REPLACE drops the rest."""
    doc = Svaml2().answer().webhook("ask", "https://app.example/ask").say("rest", VOICE)
    answers = {**incoming(doc), "call.webhook.ask": Svaml2().say("answer", VOICE)}
    precede, app = play(answers)
    replace, _ = play(answers, platform=Platform(webhook_merge=Merge.REPLACE))
    expected = (["answer", "rest"], ["answer"])
    assert expected == (
        [x[2] for x in texts(precede, Kind.HEARD)],
        [x[2] for x in texts(replace, Kind.HEARD)],
    )
    expected = ("/ask", "https://app.example/ask")
    assert expected == (app.received[1][0], precede.steps[1].url)


def test_a_webhook_inside_a_menu_carries_the_menu_input() -> None:
    """A webhook command run by a match sends menu{menuName, input}."""
    _, app = menu_call(
        MenuItem(
            "main", maximum_input_length=2, matches={r"\d\d": Svaml2().webhook("pick", "https://a.example/p")}
        ),
        caller=Caller.keys("42"),
    )
    expected = {"menuName": "main", "input": "42"}
    assert expected == app.received[1][2]["menu"]


# -- webhook failures (§6.4) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ((500, b"oops"), FailureKind.STATUS),
        ((200, b"not json"), FailureKind.JUNK),
        ((200, b""), FailureKind.JUNK),
        ({"commands": [{"command": "dance"}]}, FailureKind.INVALID),
    ],
)
def test_a_failed_webhook_disconnects_the_call(answer: Any, kind: FailureKind) -> None:
    """A non-2xx status, a body that is not SVAML v2 or an invalid one fails the step, ends the session."""
    t, app = play({**incoming(Svaml2().answer().say("x", VOICE)), "call.message.finished": answer})
    assert (kind, 1, "call.message.finished", ("COMPLETED", "ERROR"), False) == (
        t.failure.kind if t.failure else None,
        t.failure.step if t.failure else None,
        t.failure.event if t.failure else None,
        results(t)["caller"],
        t.ok,
    )
    expected = ["call.incoming", "call.message.finished"]
    assert expected == app.events


def test_a_failed_webhook_can_end_only_its_leg() -> None:
    """failure_ends_session=False: the failed event's leg ends; the rest of the session goes on."""
    doc = Svaml2().answer().dial("+46701234567", call_name="x", on_answer=Svaml2().say("hi", VOICE))
    answers = {**incoming(doc), "call.message.finished": (500, b"")}
    t, _ = play(answers, Caller(hangup_after=50), platform=Platform(failure_ends_session=False))
    expected = {"caller": ("COMPLETED", "CALLER_HANGUP"), "x": ("COMPLETED", "ERROR")}
    assert expected == results(t)


class Slow:
    """A network where every request times out (the platform waits 5 s for an answer)."""

    path = "/slow"

    def send(self, request: Request, timeout: float) -> Reply:
        """Give up after ``timeout``."""
        raise TargetError(FailureKind.TIMEOUT, f"no answer within {timeout:g} s")


def test_the_fallback_url_answers_when_the_primary_fails_and_takes_over_after_several_failures() -> None:
    """§6.4: the event goes at once to the fallback; after failures_before_bypass only to it; 60 s retry."""
    good = App(
        incoming(Svaml2().answer().say("a", VOICE).pause(1000).say("b", VOICE).pause(61000).say("c", VOICE))
    )
    t = simulate(Slow(), fallback=good, platform=Platform(failures_before_bypass=2))
    urls = [(s.event.event, s.url, s.status) for s in t.steps]
    expected = [
        ("call.incoming", "/slow", None),
        ("call.incoming", "fallback /voice-webhooks", 200),
        ("call.message.finished", "/slow", None),
        ("call.message.finished", "fallback /voice-webhooks", 200),
        ("call.message.finished", "fallback /voice-webhooks", 200),  # bypassed: the primary is not tried
        ("call.message.finished", "/slow", None),  # 60 s after the last primary failure: tried again
        ("call.message.finished", "fallback /voice-webhooks", 200),
        ("call.hangup", "fallback /voice-webhooks", 200),
    ]
    assert (expected, True) == (urls, t.failure is None)
    # A resent event is the same event: the same ce-id and source, kept on each step's event.
    clouds = [s.event.cloud for s in t.steps[:3]]
    same = (True, False)
    assert same == (clouds[0] == clouds[1], clouds[1] == clouds[2])


def test_no_answer_within_5_seconds_fails_without_a_fallback() -> None:
    """No fallback: a timeout is the step's failure and the session ends."""
    t = simulate(Slow())
    assert t.failure is not None
    expected = (FailureKind.TIMEOUT, "no answer within 5 s", ("FAILED", "ERROR"))
    assert expected == (t.failure.kind, t.failure.message, results(t)["?"])


# -- bounds, updates, records -----------------------------------------------------------------------------


def test_a_session_that_never_ends_fails_at_the_step_limit() -> None:
    """A webhook answered with itself forever fails at Platform.max_steps."""
    loop = Svaml2().webhook("again", "https://a.example/x")
    t, _ = play(
        {**incoming(Svaml2().answer().with_command(loop.commands[0])), "call.webhook.again": loop},
        platform=Platform(max_steps=10),
    )
    assert t.failure is not None
    expected = (FailureKind.STEP_LIMIT, 10)
    assert expected == (t.failure.kind, len(t.steps))


def test_a_loop_that_takes_no_time_fails_at_the_command_limit() -> None:
    """A gotoMenu loop whose item has no prompt and a caller pressing at once ends at max_commands."""
    item = MenuItem("m", matches={"1": GotoMenu("m")})
    caller = Caller(inputs=tuple(Press("1", after=0) for _ in range(300)))
    platform = Platform(max_commands=50, dtmf_tone_seconds=0)
    t = simulate(App(incoming(Svaml2().answer().menu(item))), caller, platform=platform)
    assert t.failure is not None
    expected = (FailureKind.STEP_LIMIT, "the session ran more than 50 commands (Platform.max_commands)", 0.0)
    assert expected == (t.failure.kind, t.failure.message, t.duration)


def test_an_update_runs_on_the_named_leg() -> None:
    """Session.update gives a leg commands from outside, as a PATCH; they run when the session next waits."""
    session = Session(App(incoming(Svaml2().answer().pause(5000))))
    session.update(Svaml2().say("patched", VOICE).hangup(), "caller")
    t = session.run()
    expected = [(0.0, "caller", "patched [cut short]")]
    assert expected == texts(t, Kind.HEARD)


def test_a_pause_ends_with_its_leg() -> None:
    """A pause on a leg that ends meanwhile ends with it (§2.3): what follows is not executed, at once."""
    doc = Svaml2().answer().dial("+46700000009").pause(60000).say("too late", VOICE)
    caller = Caller(hangup_after=1, callees=(Callee(ring=4, talk=30),))
    t, _ = play(incoming(doc), caller)
    expected = [(1.0, "caller", "messages (1 message): not executed, its leg has ended")]
    assert expected == [x for x in texts(t, Kind.COMMAND) if "not executed" in x[2]]


def test_an_update_that_hangs_up_a_pausing_leg_ends_the_session_there() -> None:
    """A hangup from outside (a PATCH) while the leg pauses ends the pause too: the session ends at once."""
    session = Session(App(incoming(Svaml2().answer().pause(60000).say("too late", VOICE))))
    session.update(Svaml2().hangup(), "caller")
    t = session.run()
    expected = ((), ("COMPLETED", "MANAGER_HANGUP"), 0.0)
    assert expected == (t.heard, results(t)["caller"], t.duration)


def test_the_legs_take_the_call_ids_and_the_api_url_given() -> None:
    """call_ids names each leg as it is made (given its dial); api_url roots every callResourceUrl."""
    dials: list[str | None] = []

    def call_ids(dial: Dial | None) -> str:
        dials.append(None if dial is None else dial.call_name)
        return f"leg-{len(dials)}"

    doc = Svaml2().answer().dial("+46700000009", call_name="agent").pause(1000).hangup()
    t, app = play(incoming(doc), call_ids=call_ids, api_url="http://127.0.0.1:9/")
    base = "http://127.0.0.1:9/v2/projects/00000000-0000-4000-8000-000000000001/calls/"
    expected = (
        [None, "agent"],
        ["leg-1", "leg-2"],
        "leg-1",
        {"leg-1", "leg-2"},
        {base + "leg-1", base + "leg-2"},
    )
    assert expected == (
        dials,
        [str(leg.call_id) for leg in t.legs],
        t.call_id,
        {event["call"]["callId"] for _, _, event in app.received},
        {event["call"]["callResourceUrl"] for _, _, event in app.received},
    )


def test_call_ids_that_repeat_an_id_are_refused() -> None:
    """A call_ids that gives two legs one id is refused with what it gave."""
    doc = Svaml2().answer().dial("+46700000009")
    with pytest.raises(SvamlError, match="call_ids gave 'same': a leg's callId is a new non-empty string"):
        play(incoming(doc), call_ids=lambda dial: "same")


def test_the_transcript_of_a_session_prints_stores_and_draws() -> None:
    """to_text, to_json (with legs as the API writes calls) and to_mermaid all carry the session."""
    t, _ = play(incoming(Svaml2().answer().say("Hello", VOICE).hangup()))
    data = json.loads(t.to_json())
    attributes = ["id", "source", "specversion", "time", "type"]
    assert attributes == sorted(data["steps"][0]["cloudEvent"])
    assert (t.session_id, "caller", "COMPLETED") == (
        data["sessionId"],
        data["legs"][0]["callName"],
        data["legs"][0]["callResult"],
    )
    assert "[caller] Hello" in t.to_text()
    assert "Sinch->>App: 0.0s [caller] call.incoming" not in t.to_mermaid()
    assert "Sinch->>Caller: 0.0s [caller] Hello" in t.to_mermaid()
    assert t.leg("caller") is t.legs[0]


def test_bad_options_are_refused_with_a_reason() -> None:
    """Both a create-call document and a STATIC document, or a negative time, are refused clearly."""
    with pytest.raises(SvamlError, match="not both"):
        Session(App({}), document=Svaml2().dial("+46701234567"), static=Svaml2().answer())
    with pytest.raises(SvamlError, match="amd_seconds"):
        Platform(amd_seconds=-1)
    with pytest.raises(SvamlError, match="talk"):
        Callee(talk=-2)


def test_the_event_bodies_are_the_models_events() -> None:
    """Every body the app received reads back, by the one converter, into the event class of its name."""
    doc = Svaml2().answer().amd().say("x", VOICE).dial("+46701234567", call_name="z")
    _, app = play(incoming(doc), Caller(hangup_after=40))
    from svaml.v2.model.calls import event_class

    assert app.events == [
        codec.structure(body, event_class(body["event"]) or Event).event for _, _, body in app.received
    ]
    assert attrs.has(type(codec.structure(app.received[0][2], IncomingEvent)))


# -- signing (§7) -----------------------------------------------------------------------------------------

SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SERVICE_SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="


def verified(method: str, path: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a webhook verifies for the service, as an application would check it."""
    try:
        verify_webhook(path=path, headers=headers, body=body, service_id=SERVICE_ID, secret=SERVICE_SECRET)
    except SignatureError:
        return False
    return True


def test_every_webhook_is_signed_with_the_service_scheme() -> None:
    """With the service's secret every webhook, to any URL, verifies; its source names the service."""
    doc = Svaml2().answer().webhook("w", "https://x.example/hook?page=1").hangup()
    app = App(incoming(doc), check=verified)
    t = simulate(app, service_id=SERVICE_ID, secret=SERVICE_SECRET)
    expected = (True, ["call.incoming", "call.webhook.w", "call.hangup"], f"service {SERVICE_ID}:")
    assert expected == (t.ok, app.events, app.received[0][1]["Authorization"][: len(SERVICE_ID) + 9])
    hook = "/hook?page=1"
    assert hook == app.received[1][0]
    assert app.received[0][1]["ce-source"].endswith(f"/services/{SERVICE_ID}")


def test_webhooks_signed_with_another_secret_fail_with_a_401_that_says_so() -> None:
    """An application refusing the signature fails the first step, saying how the webhooks were signed."""
    other = "BeIukql3pTKJ8RGL5zo0DA=="
    t = simulate(App(incoming(Svaml2().answer()), check=verified), service_id=SERVICE_ID, secret=other)
    unsigned = simulate(App(incoming(Svaml2().answer()), check=verified), service_id=SERVICE_ID)
    assert t.failure is not None
    assert unsigned.failure is not None
    expected = (
        "HTTP 401: the application refused the signature (they were signed with other credentials;"
        " give the service ID and secret)",
        "HTTP 401: the application refused the signature (they were not signed;"
        " give the service ID and secret)",
    )
    assert expected == (t.failure.message, unsigned.failure.message)


def test_a_bad_secret_is_refused_before_the_session() -> None:
    """A secret that is not Base64 is refused when the session is made, without showing it."""
    with pytest.raises(SvamlError, match="not Base64") as caught:
        Session(App({}), service_id=SERVICE_ID, secret="not base64!")
    assert "not base64!" not in str(caught.value)


def test_the_longest_call_ends_every_leg_there() -> None:
    """Past Platform.max_call_seconds every leg ends (max_duration_end) and nothing more runs."""
    doc = Svaml2().answer().dial("+46701234567", call_name="long", on_answer=Svaml2().bridge_call("b"))
    callee = Callee(ring=1, talk=None)
    t, app = play(
        incoming(doc.bridge_call("b")),
        Caller(callees=[callee], hangup_after=1000),
        platform=Platform(max_call_seconds=60),
    )
    expected = (60.0, {"caller": ("COMPLETED", "MANAGER_HANGUP"), "long": ("COMPLETED", "MANAGER_HANGUP")})
    assert expected == (t.duration, results(t))
    sent = ["call.incoming"]
    assert (sent, True) == (app.events, t.ended)


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI application answering call.incoming with a goodbye, everything else with nothing."""
    message = await receive()
    event = json.loads(message["body"])
    doc = (
        Svaml2().say("Bye.", VOICE, on_finish=Svaml2().hangup())
        if event["event"] == "call.incoming"
        else NONE
    )
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": doc.to_json().encode()})


NONE = Svaml2()


def test_an_asgi_application_is_called_in_process() -> None:
    """An ASGI application is a target as it is in v1: the session runs through it."""
    t = simulate(asgi_app)
    expected = (True, ("Bye.",), ("call.incoming", "call.hangup"), ("COMPLETED", "MANAGER_HANGUP"))
    assert expected == (t.ok, t.heard, t.events, results(t)["?"])


def test_a_batch_plays_one_session_per_parameter_set() -> None:
    """simulate_batch: each parameter set's values replace the placeholders of its own session."""
    hello = Svaml2().say("Hello @name, your parcel arrives @day.", VOICE, on_finish=Svaml2().hangup())
    batch = (
        Svaml2()
        .dial("@to", call_name="customer", on_answer=hello)
        .with_parameters(
            {"to": "+46701234567", "name": "Ada", "day": "today"},
            {"to": "+46701234568", "name": "Alan", "day": "tomorrow"},
        )
    )
    sessions = simulate_batch(App({}), batch)
    expected = [
        ("+46701234567", ("Hello Ada, your parcel arrives today.",)),
        ("+46701234568", ("Hello Alan, your parcel arrives tomorrow.",)),
    ]
    assert expected == [(s.legs[0].to.number, s.heard) for s in sessions]  # type: ignore[union-attr]
    batch_ids = {s.legs[0].batch_id for s in sessions}
    one_batch_two_sessions = (1, False, 2)
    assert one_batch_two_sessions == (
        len(batch_ids),
        None in batch_ids,
        len({s.session_id for s in sessions}),
    )
    with pytest.raises(SvamlError, match="simulate_batch"):
        Session(App({}), document=batch)


def test_an_unknown_outcome_or_verdict_is_refused_with_the_choices() -> None:
    """A callee outcome or an AMD verdict svaml does not know is a SvamlError listing the choices."""
    with pytest.raises(
        SvamlError, match="'machine' is not a dial outcome: use answer, busy, reject, timeout, failure"
    ):
        Caller(callees=["machine"])
    with pytest.raises(SvamlError, match="'robot' is not an AMD verdict: use human, machine, beep, unknown"):
        Callee(amd="robot")


def test_a_webhook_commands_urls_go_to_their_targets_and_its_fallback_answers() -> None:
    """targets= routes a webhook command's URL and fallbackUrl; a primary that times out falls back."""
    backup = App({"call.webhook.ask": Svaml2().say("from the backup", VOICE)})
    doc = Svaml2().answer().webhook("ask", "https://a.example/ask", fallback_url="https://b.example/ask")
    t, main = play(incoming(doc), targets={"https://a.example/ask": Slow(), "https://b.example/ask": backup})
    expected = (
        [
            ("call.webhook.ask", "https://a.example/ask", None),
            ("call.webhook.ask", "https://b.example/ask", 200),
        ],
        ["from the backup"],
        ["call.webhook.ask"],
    )
    assert expected == (
        [(s.name, s.url, s.status) for s in t.steps[1:3]],
        [x[2] for x in texts(t, Kind.HEARD)],
        backup.events,
    )
    assert "call.webhook.ask" not in main.events


def test_a_dial_calls_from_its_from_or_the_number_called() -> None:
    """A dial's from is its own (a SIP from too), else the number the inbound call was made to."""
    doc = (
        Svaml2()
        .answer()
        .dial("+46701234567", call_name="a")
        .dial("+46701234568", call_name="b", from_="sip:me@acme.se")
    )
    t, _ = play(incoming(doc), Caller(to="+46855512345"))
    expected = ("+46855512345", "sip:me@acme.se")
    assert expected == (t.leg("a").from_.number, t.leg("b").from_.endpoint)  # type: ignore[union-attr]


def test_a_busy_agent_the_whole_transcript() -> None:
    """A small document and its whole transcript: the inbound leg, the dial, onBusy on the caller, the end."""
    doc = (
        Svaml2()
        .answer()
        .dial(
            "+46701234567",
            call_name="agent",
            dial_timeout_duration_seconds=20,
            on_answer=Svaml2().bridge_call("desk"),
            on_busy=Svaml2().say("Busy.", VOICE, on_finish=Svaml2().hangup()),
        )
        .bridge_call("desk")
    )
    t, _ = play(incoming(doc), Caller(callees=["busy"]), platform=Platform(tts_chars_per_second=5))
    expected = """\
    0.000s      dial      [inbound] inbound call from +46700000001 to +46700000000
    0.000s   #0 event     [inbound] call.incoming
    0.000s   #0 answer    [inbound] 200 answer, dial, bridgeCall
    0.000s      command   [caller] answer
    0.000s      answered  [caller] answered (answer)
    0.000s      command   [caller] dial +46701234567 as agent
    0.000s      dial      [agent] dials +46701234567: busy
    0.000s      command   [caller] bridgeCall desk
    0.000s      connected [caller] joins bridge desk (alone)
    4.000s      end       [agent] BUSY NOT_AVAILABLE
    4.000s      handler   [agent] onBusy of dial: messages
    4.000s      command   [caller] messages (1 message)
    4.000s      heard     [caller] Busy.
    5.000s      handler   [caller] onFinish of messages: hangup
    5.000s      command   [caller] hangup
    5.000s      hangup    [caller] the application hangs up
    5.000s      end       [caller] COMPLETED MANAGER_HANGUP
    5.000s      connected [caller] leaves bridge desk
    5.000s   #1 event     [caller] call.hangup
    5.000s   #1 answer    [caller] 200 (no commands)"""
    assert expected == t.to_text().split("\n", 1)[1]


def test_a_static_service_has_no_webhook_so_unhandled_events_are_ignored() -> None:
    """On a STATIC service an event without a handler is ignored (no webhook to send it to)."""
    static = Svaml2().answer().say("Closed today.", VOICE).menu(MenuItem("m"))
    t, app = play({}, Caller.keys("1"), static=static)
    expected = (
        [],
        [
            "call.message.finished ignored: a STATIC service has no webhook",
            "call.menu ignored: a STATIC service has no webhook",
            "call.hangup ignored: a STATIC service has no webhook",
        ],
    )
    assert expected == (app.events, [x[2] for x in texts(t, Kind.HANDLER)][1:])


def test_a_session_keeps_its_id_across_runs() -> None:
    """The session ID is known before the run (an emulator answers with it) and stays the same."""
    session = Session(App(incoming(Svaml2().hangup())), session_id="01J00000000000000000000000")
    first, second = session.run(), session.run()
    expected = ("01J00000000000000000000000",) * 3
    assert expected == (first.session_id, second.session_id, first.legs[0].session_id)


def test_on_a_real_clock_an_update_from_another_thread_wakes_the_session() -> None:
    """With RealClock the session waits for real; an update (a PATCH) from another thread runs at once."""
    session = Session(
        App(incoming(Svaml2().answer())), clock=RealClock(), platform=Platform(caller_patience=5.0)
    )
    timer = threading.Timer(0.2, session.update, args=(Svaml2().say("patched", VOICE).hangup(), "caller"))
    timer.start()
    try:
        t = session.run()
    finally:
        timer.cancel()
    expected = (["patched [cut short]"], ("COMPLETED", "MANAGER_HANGUP"), True)
    assert expected == ([x[2] for x in texts(t, Kind.HEARD)], results(t)["caller"], 0.1 < t.duration < 2.0)


def test_an_empty_answer_is_no_action_except_to_call_incoming() -> None:
    """An empty commands list answering an event is "no action"; only answering call.incoming is it S2009."""
    t, _ = play({"call.incoming": Svaml2()}, platform=Platform(caller_patience=1))
    expected = (["S2009"], [])
    assert expected == ([d.code for d in t.steps[0].diagnostics], [d.code for d in t.steps[1].diagnostics])

"""Property tests of a v2 IVR over generated callers, in-process and over real HTTP."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from v2apps import App, ivr, served

from svaml.simulator import CallFailed, FailureKind, Kind
from svaml.simulator.v2 import Callee, Caller, Platform, simulate
from svaml.simulator.v2.properties import callers, holds, no_unreachable_menu
from svaml.v2 import Svaml2
from svaml.v2.model import MenuItem
from svaml.v2.strategies import documents

IVR = ivr()


@settings(max_examples=150, deadline=None)
@given(callers())
def test_the_ivr_answers_valid_svaml_and_always_ends(caller: Caller) -> None:
    """Whatever the caller and the callees do, every answer is valid and the session ends in 30 webhooks."""
    holds(simulate(IVR, caller))


def test_a_menu_item_nothing_leads_to_breaks_the_property() -> None:
    """An answer whose menu has an unreachable item fails no_unreachable_menu, naming the step."""
    menu = Svaml2().answer().menu(MenuItem("main", on_fail=Svaml2().hangup()), MenuItem("lost"))
    app = App({"call.incoming": menu})
    with pytest.raises(CallFailed, match="the answer of step 0 has a menu nothing leads to"):
        no_unreachable_menu(simulate(app))


def test_a_5xx_breaks_holds_with_the_transcript() -> None:
    """An app that answers 500 fails holds, and the message carries the transcript."""
    with pytest.raises(CallFailed, match=r"(?s)step 0 \(call.incoming\) got no good HTTP answer.*HTTP 500"):
        holds(simulate(App({"call.incoming": (500, b"boom")})))


def test_the_ivr_over_real_http_plays_the_same_session() -> None:
    """Over a real HTTP server on localhost, the session is the one played in-process."""
    caller = Caller.parse("3,12345#", callees=[Callee()])
    local = simulate(ivr(), caller)
    app = ivr(account_url="http://ignored.example/account")
    with served(app) as base:
        remote = simulate(base + "/voice-webhooks", caller)
    expected = [(e.at, e.leg, e.text) for e in local.timeline if e.kind is Kind.HEARD]
    assert expected == [(e.at, e.leg, e.text) for e in remote.timeline if e.kind is Kind.HEARD]
    expected = ["call.incoming", "call.message.finished", "call.webhook.account", "call.hangup"]
    assert expected == app.events
    paths = ("/voice-webhooks", "/account")
    assert paths == (app.received[0][0], app.received[2][0])
    assert remote.ok


@settings(max_examples=60, deadline=None)
@given(documents(), documents(), callers())
def test_any_valid_documents_play_to_an_end_without_raising(
    first: Svaml2, later: Svaml2, caller: Caller
) -> None:
    """Whatever valid v2 documents an app answers with, the session ends or fails at a bound: never raises."""
    app = App({"call.incoming": first}, fallback=later)
    t = simulate(app, caller, platform=Platform(max_steps=20, max_commands=400))
    assert t.ended or (t.failure is not None and t.failure.kind is FailureKind.STEP_LIMIT), t.to_text()
    assert all(step.errors == () for step in t.steps)

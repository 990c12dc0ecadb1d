"""The v2 simulator against the examples' v2 IVR (examples/v2_ivr.py), served by the real WebhookApp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings

from svaml.simulator import CallFailed, Kind
from svaml.simulator.v2 import Caller, Platform, simulate
from svaml.simulator.v2.properties import callers, holds
from svaml.v2 import Svaml2
from svaml.v2.model import CustomEvent, GotoMenu, IncomingEvent, MenuItem, Say
from svaml.v2.webhooks import WebhookApp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from v2_ivr import VOICE, WEBHOOK_PATH, create_app, greet, hours  # noqa: E402 - the examples directory first

SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="
IVR = create_app(SERVICE_ID, SECRET)


@settings(max_examples=100, deadline=None)
@given(callers())
def test_the_example_ivr_holds_whatever_the_caller_does(caller: Caller) -> None:
    """Every answer of the example IVR is valid, none is a 5xx, and every session ends within 30 webhooks."""
    holds(simulate(IVR, caller, service_id=SERVICE_ID, secret=SECRET, path=WEBHOOK_PATH))


def the_property(app: WebhookApp) -> None:
    """The documented property, with the keys the menu uses (docs/v2-testing.md); no shrinking (time)."""

    @settings(max_examples=50, deadline=None, derandomize=True, database=None, phases=[Phase.generate])
    @given(callers(keys="12"))
    def check(caller: Caller) -> None:
        holds(simulate(app, caller, service_id=SERVICE_ID, secret=SECRET, path=WEBHOOK_PATH))

    check()


def test_the_property_finds_a_crash_behind_a_menu_choice_and_says_what_raised() -> None:
    """The example with a sales function that raises: the property fails on key 1, naming the exception."""

    def sales(event: CustomEvent) -> Svaml2:
        raise KeyError("sales desk")

    broken = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    broken.incoming(greet)
    broken.custom("sales")(sales)
    broken.custom("hours")(hours)
    with pytest.raises(CallFailed) as caught:
        the_property(broken)
    failed = next(line for line in str(caught.value).splitlines() if line.startswith("FAILED"))
    expected = "FAILED step 1 (call.webhook.sales): status: HTTP 500: svaml: the call.webhook.sales function"
    assert expected + " raised" == failed.rsplit(" (call ", 1)[0]
    assert "KeyError: 'sales desk' at " + __file__ in str(caught.value)


def test_the_property_finds_a_menu_choice_going_to_a_missing_item_and_names_the_rule() -> None:
    """A choice whose gotoMenu names no item: the first answer is refused (500), the failure says S2703."""

    def greet_broken(event: IncomingEvent) -> Svaml2:
        prompt = Say("Press 1 for sales.", voice_name=VOICE)
        return Svaml2().answer().menu(MenuItem("main", prompt=prompt, matches={"1": GotoMenu("sales")}))

    broken = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    broken.incoming(greet_broken)
    with pytest.raises(CallFailed) as caught:
        the_property(broken)
    expected = (
        "/commands/1/menus/main/matches/1/0/menuName: gotoMenu names 'sales', which is not an item;"
        " the items are 'main' [S2703]"
    )
    assert expected in str(caught.value)


def test_pressing_1_dials_sales_and_bridges_the_caller() -> None:
    """Key 1: the menu's webhook command asks the app, whose answer dials sales and bridges both legs."""
    t = simulate(IVR, Caller.keys("1"), service_id=SERVICE_ID, secret=SECRET, path=WEBHOOK_PATH)
    expected = (
        True,
        ("call.incoming", "call.webhook.sales", "call.message.finished", "call.hangup"),
        {"caller": "COMPLETED", "sales": "COMPLETED"},
    )
    assert expected == (t.ok, t.events, {str(leg.call_name): str(leg.call_result) for leg in t.legs})
    assert (5.2, "sales", "joins bridge desk with caller") in [
        (round(e.at, 3), e.leg, e.text) for e in t.timeline if e.kind is Kind.CONNECTED
    ]


SORRY = "Sales cannot take your call now. Please call again."
HOURS = ("We are open today from 9 to 5.", "We are closed today; we open on Monday at 9.")


@pytest.mark.parametrize(
    ("keys", "callee", "goodbyes"),
    [
        ("wait,wait,wait", "answer", ("Thank you for calling. Goodbye.",)),
        ("1", "busy", (SORRY,)),
        ("1", "reject", (SORRY,)),
        ("1", "timeout", (SORRY,)),
        ("1", "failure", (SORRY,)),
        ("2", "answer", HOURS),
    ],
)
def test_every_goodbye_is_heard_whole(keys: str, callee: str, goodbyes: tuple[str, ...]) -> None:
    """Each way the example ends a call, its last words play to their end, then the app hangs up."""
    caller = Caller.parse(keys, callees=[callee])
    t = simulate(IVR, caller, service_id=SERVICE_ID, secret=SECRET, path=WEBHOOK_PATH)
    last = [e for e in t.timeline if e.kind is Kind.HEARD and e.leg == "caller"][-1]
    ends = [(e.at, e.text) for e in t.timeline if e.kind is Kind.END and e.leg == "caller"]
    expected = (True, True, [(ends[0][0], "COMPLETED MANAGER_HANGUP")], True)
    assert expected == (t.ok, last.text in goodbyes, ends, ends[0][0] >= last.at + 1.0)


def test_two_webhooks_with_the_same_body_both_pass_the_apps_replay_store() -> None:
    """Two messages ending at once send identical bodies; their x-timestamps differ, so both verify."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.incoming(lambda event: Svaml2().answer().say("one", "Emma").say("two", "Emma"))
    t = simulate(app, service_id=SERVICE_ID, secret=SECRET, platform=Platform(queue_audio=False))
    bodies = [s.event.call for s in t.steps[1:3]]
    expected = (
        True,
        ("call.incoming", "call.message.finished", "call.message.finished", "call.hangup"),
        True,
    )
    assert expected == (t.ok, t.events, bodies[0] == bodies[1])


def test_the_command_line_recognises_a_webhook_app() -> None:
    """``svaml simulate v2_ivr:create_app --factory`` plays v2 without --svaml-version: a WebhookApp."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples")]),
        "SINCH_SERVICE_ID": SERVICE_ID,
        "SINCH_SERVICE_SECRET": SECRET,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "svaml",
            "simulate",
            "v2_ivr:create_app",
            "--factory",
            "--keys",
            "2",
            "--service-id",
            SERVICE_ID,
            "--secret",
            SECRET,
            "--path",
            WEBHOOK_PATH,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    expected = (0, True)
    assert expected == (done.returncode, "call.webhook.hours" in done.stdout), done.stderr

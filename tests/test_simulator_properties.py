"""Property tests written with the simulator: the examples' IVR holds for every caller hypothesis draws."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings

from svaml import Svaml
from svaml.callbacks import CallbackApp
from svaml.model import PieEvent
from svaml.simulator import Caller, CallFailed, simulate
from svaml.simulator.properties import callers, ends_within, every_answer_valid, holds, no_unreachable_menu

EXAMPLES = Path(__file__).parent.parent / "examples"
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="


@pytest.fixture(scope="module", autouse=True)
def examples() -> Iterator[None]:
    """Make the examples importable."""
    sys.path.insert(0, str(EXAMPLES))
    yield
    sys.path.remove(str(EXAMPLES))


def ivr_app() -> CallbackApp:
    """The IVR every framework example serves (examples/ivr_app.py)."""
    return importlib.import_module("ivr_app").create_app(KEY, SECRET)  # type: ignore[no-any-return]


def ivr_menu_app() -> CallbackApp:
    """Sinch's two-level IVR example (examples/ivr_menu.py) as the ICE answer; PIEs say goodbye."""
    app = CallbackApp(key=KEY, secret=SECRET)
    build = importlib.import_module("ivr_menu").ivr_menu
    app.ice(lambda event: build())

    @app.pie
    def pie(event: PieEvent) -> Any:
        return Svaml.pie().say("Goodbye.", locale="en-US").hangup()

    return app


@settings(max_examples=200)
@given(caller=callers())
def test_the_examples_ivr_holds_for_any_caller(caller: Caller) -> None:
    """Whatever the caller does, the IVR answers valid SVAML, never a 5xx, and ends the call in few steps."""
    holds(simulate(ivr_app(), caller, key=KEY, secret=SECRET), steps=8, seconds=14400)


@settings(max_examples=50)
@given(caller=callers())
def test_the_two_level_menu_holds_for_any_caller(caller: Caller) -> None:
    """Sinch's two-level menu example: every answer valid, every menu reachable, every call ends."""
    t = simulate(ivr_menu_app(), caller, key=KEY, secret=SECRET)
    every_answer_valid(t)
    no_unreachable_menu(t)
    ends_within(t, steps=6)


def test_a_broken_flow_shrinks_to_the_shortest_failing_call() -> None:
    """A PIE function that breaks on a timeout fails the property; the reported caller presses nothing."""
    broken = CallbackApp(key=KEY, secret=SECRET)
    broken.ice(importlib.import_module("ivr_app").greet)

    @broken.pie
    def pie(event: PieEvent) -> Any:
        if event.menu_result is not None and event.menu_result.value is None:
            raise RuntimeError("no value")
        return Svaml.pie().hangup()

    found: list[Caller] = []

    # No explain phase: it re-runs examples under a tracer, which is most of the time, and says nothing here.
    phases = [Phase.generate, Phase.shrink]

    @settings(max_examples=30, database=None, report_multiple_bugs=False, phases=phases)
    @given(caller=callers())
    def prop(caller: Caller) -> None:
        try:
            holds(simulate(broken, caller, key=KEY, secret=SECRET))
        except CallFailed:
            found.append(caller)
            raise

    with pytest.raises(CallFailed) as raised:
        prop()
    expected = ((), None, True)
    assert expected == (found[-1].inputs, found[-1].hangup_at, "RuntimeError: no value" in str(raised.value))

"""The per-callback builders are typed: mypy rejects what the builder refuses at run time."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api

from svaml import AceSvaml, CallLegSvaml, IceSvaml, PatchSvaml, PieSvaml, Svaml
from svaml.model import Callback
from svaml.model.permissions import ALLOWED_IN
from svaml.typed import step_name

TYPED = {
    Callback.ICE: IceSvaml,
    Callback.ACE: AceSvaml,
    Callback.PIE: PieSvaml,
    Callback.PATCH: PatchSvaml,
    Callback.CALL_LEG: CallLegSvaml,
}


def run_mypy(tmp_path: Path, source: str) -> list[str]:
    """Type-check ``source`` strictly and return mypy's error lines."""
    file = tmp_path / "snippet.py"
    file.write_text(textwrap.dedent(source), encoding="utf-8")
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(file)])
    return [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]


def test_mypy_rejects_disallowed_methods(tmp_path: Path) -> None:
    """Methods a callback does not allow are type errors; allowed chains and plain Svaml pass."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml import AceSvaml, IceSvaml, Menu, MenuOption, Svaml, return_

        def on_ice() -> IceSvaml:
            menu = Menu(id="main", options=[MenuOption(dtmf=1, action=return_("a"))])
            return Svaml.ice().answer().say("Hi").run_menu(menu)

        def on_ace() -> AceSvaml:
            return Svaml().continue_()          # a plain Svaml fits every callback's type

        Svaml.ace().answer()                    # error 1: no answer in ACE
        Svaml.patch().connect_pstn("+46701234567")   # error 2: PATCH takes hangup/continue/park
        Svaml.call_leg().set_cookie("k", "v")  # error 3: call-leg takes playFiles and say
        Svaml.ice().continue_()                 # error 4: no continue in ICE
        """,
    )
    expected = [
        '"AceSvaml" has no attribute "answer"  [attr-defined]',
        '"PatchSvaml" has no attribute "connect_pstn"  [attr-defined]',
        '"CallLegSvaml" has no attribute "set_cookie"  [attr-defined]',
        '"IceSvaml" has no attribute "continue_"  [attr-defined]',
    ]
    assert expected == errors


def protocol_steps(protocol: type) -> set[str]:
    """Return the builder methods a typed-builder protocol declares (its document members left out)."""
    document = {"instructions", "action", "callback", "to_dict", "to_json"}
    return {
        name
        for cls in protocol.__mro__
        if cls.__module__ == "svaml.typed"
        for name in vars(cls)
        if not name.startswith("_") and name not in document
    }


@pytest.mark.parametrize("callback", list(TYPED), ids=str)
def test_typed_builders_have_exactly_the_steps_the_table_allows(callback: Callback) -> None:
    """Each per-callback protocol declares the step of every name ALLOWED_IN allows there, and no other."""
    expected = sorted(getattr(Svaml, step_name(name)).__name__ for name in ALLOWED_IN[callback])
    assert expected == sorted(protocol_steps(TYPED[callback]))


def test_steps_take_their_model_class_parameters(tmp_path: Path) -> None:
    """A step's parameters are its model class's, and a chain keeps its callback's type."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml import AceSvaml, IceSvaml, Svaml

        ice: IceSvaml = Svaml.ice().connect_sip("a@b.example.com", call_headers={"x": "1"})
        Svaml.ice().connect_pstn("+46701234567", max_durration=60)   # error 1: no such field
        Svaml().say(text=3)                                          # error 2: text is a str
        ace: AceSvaml = Svaml.ice().say("Hi")                        # error 3: an ICE chain is no ACE
        """,
    )
    expected = [
        'Unexpected keyword argument "max_durration"; did you mean "max_duration"?  [call-arg]',
        'Argument "text" has incompatible type "int"; expected "str"  [arg-type]',
        'Incompatible types in assignment (expression has type "IceSvaml", variable has type "AceSvaml")'
        "  [assignment]",
    ]
    assert expected == errors


def test_step_names_are_snake_case_of_the_svaml_names() -> None:
    """A step is the SVAML name in snake_case, with an underscore after a Python keyword."""
    expected = ["connect_pstn", "continue_", "play_files", "tts_callout", "answer"]
    names = ("connectPstn", "continue", "playFiles", "ttsCallout", "answer")
    assert expected == [step_name(n) for n in names]


def test_v2_handlers_take_what_their_converters_take(tmp_path: Path) -> None:
    """v2 handler fields and call_headers take a Svaml2, a list or one command, as docs/v2.md writes them."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml.v2 import Svaml2
        from svaml.v2.model import CallEvents, DocumentEvents, GotoMenu, MenuItem, MessagesEvents, Say, Sip

        MenuItem("main", prompt=Say("Hi", voice_name="Emma"), on_fail=Svaml2().say("Bye", "Emma").hangup())
        MenuItem("hours", on_fail=GotoMenu("main"))
        MenuItem("other", on_fail=[GotoMenu("main")])
        CallEvents(on_answer=Svaml2().bridge_call("desk"))
        MessagesEvents(on_finish=Svaml2().hangup())
        DocumentEvents(on_hangup=Svaml2().hangup("sales"))
        Sip("sip:desk@pbx.example.com", call_headers={"X-Team": "sales"})
        MenuItem("main", on_fail="hangup")       # error 1: a string is no command
        """,
    )
    expected = [
        'Argument "on_fail" to "MenuItem" has incompatible type "str"; expected '
        '"Iterable[Dial | Messages | StopMessages | Webhook | Amd | <8 more items>] | Dial | Messages | '
        'StopMessages | Webhook | Amd | <8 more items> | None"  [arg-type]',
    ]
    assert expected == errors


def test_a_v2_webhook_function_acts_on_its_call_without_casts(tmp_path: Path) -> None:
    """A v2 event's ``call`` and ``call_id`` are always there to mypy: a PATCH takes them as they are."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml.v2 import Svaml2
        from svaml.v2.client import VoiceClient2
        from svaml.v2.model import AnsweredEvent

        def answered(event: AnsweredEvent, client: VoiceClient2) -> Svaml2:
            client.patch_call(event.call.call_id, Svaml2().hangup())
            return Svaml2().pause(60_000)
        """,
    )
    expected: list[str] = []
    assert expected == errors

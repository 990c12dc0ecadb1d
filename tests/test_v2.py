"""SVAML v2: the model read and written through the one codec, the Svaml2 builder, the v2 rules and lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from svaml import codec, validate
from svaml.cli import main
from svaml.diagnostic import Severity
from svaml.errors import SvamlError, SvamlTypeError
from svaml.rules import RULES, validate_v2
from svaml.v2 import Svaml2
from svaml.v2.model import (
    COMMAND_CLASSES,
    VOICE_NAMES,
    CallEvents,
    Dial,
    Document,
    GotoMenu,
    Hangup,
    Match,
    MenuItem,
    Phone,
    Play,
    RecordingOptions,
    Say,
    Sip,
    Stream,
    event_name,
)

CORPUS = Path(__file__).parent / "corpus" / "v2"
# Files whose diagnostics are about reading (nothing to write back) or a liberal form (written canonically).
NOT_ROUND_TRIP = {"S2002", "S2003", "S2004", "S2005", "S2008", "S2020"}


def _expected_codes(path: Path) -> set[str]:
    text = path.with_name(path.name[: -len(".json")] + ".expected").read_text(encoding="utf-8")
    return {line.split()[1] for line in text.splitlines()}


ROUND_TRIP = sorted(
    p
    for p in CORPUS.glob("*.json")
    if not _expected_codes(p) & NOT_ROUND_TRIP and "S2702" not in _expected_codes(p)
)


def _codes(doc: Any, **options: Any) -> list[str]:
    return [d.code for d in validate(doc, **options)]


def test_corpus_has_round_trip_files() -> None:
    """The v2 corpus holds documents that read, so the round-trip test below runs on many."""
    assert len(ROUND_TRIP) >= 25


@pytest.mark.parametrize("path", ROUND_TRIP, ids=[p.name for p in ROUND_TRIP])
def test_corpus_document_writes_back_unchanged(path: Path) -> None:
    """A stored v2 document reads into the model and writes back exactly as it was."""
    data = json.loads(path.read_text(encoding="utf-8"))
    written = Svaml2.from_dict(data).to_dict(check=False)
    assert data == written


def test_matches_keep_their_order() -> None:
    """Sinch evaluates matches in definition order: reading and writing keep it."""
    data = {
        "commands": [
            {
                "command": "menu",
                "startMenu": "m",
                "menus": {
                    "m": {
                        "matches": {
                            "9": [{"command": "hangup"}],
                            "[0-9]": [{"command": "hangup"}],
                            "1": [{"command": "hangup"}],
                        }
                    }
                },
            }
        ]
    }
    written = Svaml2.from_dict(data).to_dict(check=False)
    expected = ["9", "[0-9]", "1"]
    assert expected == list(written["commands"][0]["menus"]["m"]["matches"])


def test_unknown_properties_are_kept_and_written_back() -> None:
    """Unknown fields (inside an endpoint, beside its type, on a command) read and write back unchanged."""
    data = {
        "commands": [
            {
                "command": "dial",
                "x": 1,
                "to": {"type": "PHONE", "y": 2, "phone": {"number": "+46701234567", "z": 3}},
            }
        ],
        "w": 4,
    }
    assert data == Svaml2.from_dict(data).to_dict(check=False)
    expected = ["S2007", "S2007", "S2007", "S2007"]
    assert expected == _codes(data)


def test_builder_writes_a_v2_ivr() -> None:
    """The builder makes the wire form: commands, wrapped messages and endpoints, keyed menus and matches."""
    doc = (
        Svaml2()
        .answer()
        .menu(
            MenuItem(
                "main",
                prompt=Say("Press 1 for sales.", voice_name="Emma"),
                matches={"1": Svaml2().dial("+46701234567", on_answer=Svaml2().say("Hi", "Emma"))},
                on_fail=Hangup(),
            )
        )
    )
    expected = {
        "commands": [
            {"command": "answer"},
            {
                "command": "menu",
                "startMenu": "main",
                "menus": {
                    "main": {
                        "prompt": {
                            "messages": [
                                {"type": "SAY", "say": {"text": "Press 1 for sales.", "voiceName": "Emma"}}
                            ]
                        },
                        "matches": {
                            "1": [
                                {
                                    "command": "dial",
                                    "to": {"type": "PHONE", "phone": {"number": "+46701234567"}},
                                    "events": {
                                        "onAnswer": [
                                            {
                                                "command": "messages",
                                                "messages": [
                                                    {
                                                        "type": "SAY",
                                                        "say": {"text": "Hi", "voiceName": "Emma"},
                                                    }
                                                ],
                                            }
                                        ]
                                    },
                                }
                            ]
                        },
                        "onFail": [{"command": "hangup"}],
                    }
                },
            },
        ]
    }
    assert expected == json.loads(doc.to_json())


def test_builder_is_immutable_and_branches() -> None:
    """Every step returns a new document: a shared prefix can be branched safely."""
    start = Svaml2().answer()
    left, right = start.say("a", "Emma"), start.play("https://example.com/a.mp3")
    expected = (1, 2, 2, "messages", "messages")
    assert expected == (
        len(start.commands),
        len(left.commands),
        len(right.commands),
        left.commands[1].command,
        right.commands[1].command,
    )


@pytest.mark.parametrize(
    "handler",
    [Svaml2().hangup(), [Hangup()], Hangup(), (Hangup(),)],
    ids=["builder", "list", "command", "tuple"],
)
def test_handlers_take_builders_lists_and_commands(handler: Any) -> None:
    """A handler argument is a Svaml2, a list or tuple of commands, or one command: all write alike."""
    doc = Svaml2().dial("+46701234567", on_busy=handler)
    expected = [{"command": "hangup"}]
    assert expected == doc.to_dict()["commands"][0]["events"]["onBusy"]


def test_handler_refuses_a_whole_document() -> None:
    """A builder that names the leg cannot be a handler: its call name would be lost."""
    with pytest.raises(SvamlError, match="only a whole document has"):
        Svaml2().dial("+46701234567", on_answer=Svaml2().hangup().with_call_name("x"))


def test_to_json_checks_with_the_v2_rules() -> None:
    """to_json raises SvamlError carrying the v2 errors; check=False writes anyway; warnings never raise."""
    doc = Svaml2().goto_menu("main").say("Hello", "Ema")
    with pytest.raises(SvamlError) as caught:
        doc.to_json()
    expected = ["S2704"]
    assert expected == [d.code for d in caught.value.problems]
    assert doc.to_json(check=False).startswith('{"commands":[{"command":"gotoMenu"')


def test_from_json_reports_every_problem() -> None:
    """Reading broken v2 text raises one SvamlError that lists each problem with its place."""
    text = '{"commands": [{"command": "dail"}, {"command": "pause", "durationMilliseconds": "1"}]}'
    with pytest.raises(SvamlError) as caught:
        Svaml2.from_json(text)
    expected = ["/commands/0/command", "/commands/1/durationMilliseconds"]
    assert expected == sorted(d.pointer for d in caught.value.problems)


def test_string_destinations() -> None:
    """A text destination is a phone number, a sip: URI or a ws(s):// stream."""
    expected = (Phone, Sip, Stream)
    assert expected == tuple(
        type(Dial(to).to) for to in ("+46701234567", "sip:alice@acme.com", "wss://media.acme.com")
    )


def test_model_refuses_wrong_types() -> None:
    """The model's classes refuse a value of the wrong type at once, naming the field."""
    with pytest.raises(SvamlTypeError, match=r"CallEvents.on_answer\[0\] must be a v2 command"):
        CallEvents(on_answer=["hangup"])  # type: ignore[list-item]


def test_events_empty_and_absent_differ() -> None:
    """An empty handler and an empty events object are written (they stop webhooks); an absent one is not."""
    expected = {
        "command": "dial",
        "to": {"type": "PHONE", "phone": {"number": "+46701234567"}},
        "events": {"onAnswer": []},
    }
    assert expected == codec.unstructure(Dial("+46701234567", events=CallEvents(on_answer=[])))


def test_v2_is_told_by_shape_or_version() -> None:
    """Validate tells v2 by its commands list; version=1 or 2 forces either; another version is refused."""
    doc = {"commands": [{"command": "hangup"}]}
    expected = ([], ["SV101", "SV007"], ["S2003", "S2007"])
    assert expected == (
        _codes(doc),
        sorted(_codes(doc, version=1), reverse=True),
        _codes({"action": {"name": "hangup"}}, version=2),
    )
    with pytest.raises(SvamlTypeError):
        validate(doc, version=3)


def test_strict_mode_makes_unknown_properties_errors() -> None:
    """An unknown property or handler is a warning (Sinch's NORMAL validation) and an error under strict."""
    doc = {"commands": [{"command": "amd", "events": {"onFinish": []}}, {"command": "answer", "flags": 1}]}
    normal = [(d.code, d.severity) for d in validate_v2(doc)]
    strict = [(d.code, d.severity) for d in validate_v2(doc, strict=True)]
    expected = (
        [("S2007", Severity.WARNING), ("S2301", Severity.WARNING)],
        [("S2007", Severity.ERROR), ("S2301", Severity.ERROR)],
    )
    assert expected == (normal, strict)


def test_batch_placeholders_are_checked_after_substitution() -> None:
    """In a batch, @to is fine where every set gives a number; a set whose value is not one is named."""
    doc = Svaml2().dial("@to").with_parameters({"to": "+46701234567"}, {"to": "0701234567"})
    found = validate(doc)
    expected = [("S2401", "/commands/0/to/phone/number")]
    assert expected == [(d.code, d.pointer) for d in found]
    assert "(parameters[1])" in found[0].message


def test_goto_menu_is_checked_against_its_own_menu() -> None:
    """A gotoMenu nested in a dial's handler belongs to the enclosing menu; a nested menu opens its own."""
    inner = Svaml2().menu(MenuItem("inner", matches={"1": GotoMenu("main")}))
    doc = Svaml2().menu(
        MenuItem("main", matches={"1": Svaml2().dial("+46701234567", on_answer=GotoMenu("main")), "2": inner})
    )
    expected = [("S2703", "/commands/0/menus/main/matches/2/0/menus/inner/matches/1/0/menuName")]
    assert expected == [(d.code, d.pointer) for d in validate(doc) if d.severity is Severity.ERROR]


def test_duplicate_menu_names_are_found_in_the_model_and_in_text() -> None:
    """Two items of one name: S2702 for a built menu and for a key repeated in JSON text."""
    built = Svaml2().menu(MenuItem("main"), MenuItem("main"))
    text = '{"commands": [{"command": "menu", "startMenu": "a", "menus": {"a": {}, "a": {}}}]}'
    expected = (["S2702"], ["S2702"])
    assert expected == (_codes(built), _codes(text))


def test_unknown_voice_suggests_close_names() -> None:
    """A voice outside the catalogue is a warning naming the closest voices, any case first."""
    found = validate(Svaml2().say("Hi", "emma"))
    expected = [("S2801", Severity.WARNING)]
    assert expected == [(d.code, d.severity) for d in found]
    assert "did you mean 'Emma'" in found[0].message


def test_voice_catalogue() -> None:
    """The catalogue is Appendix A's 772 names, each once; the 13 commands are OpenAPI's."""
    expected = (772, 772, "Aarav", "Zuri", 13)
    assert expected == (
        len(VOICE_NAMES),
        len(set(VOICE_NAMES)),
        VOICE_NAMES[0],
        VOICE_NAMES[-1],
        len(COMMAND_CLASSES),
    )


def test_sdk_renames_read_as_wire_names() -> None:
    """The SDKs' call.customEvent.* is call.webhook.*; recordingOptions.url reads as destinationUrl."""
    options = codec.read({"destination": "AWS", "url": "s3://b/c", "credentials": "k"}, RecordingOptions)
    expected = ("call.webhook.menu-selection", "call.answered", "s3://b/c", True)
    assert expected == (
        event_name("call.customEvent.menu-selection"),
        event_name("call.answered"),
        options.value.destination_url,
        options.liberal,
    )


def test_match_and_message_classes() -> None:
    """Matches and messages are model objects, compared by value."""
    expected = (Match("1", [Hangup()]), Play("u"))
    assert expected == (Match("1", (Hangup(),)), Play("u"))


def test_validate_built_and_decoded_agree() -> None:
    """A built document and its written form draw the same diagnostics."""
    doc = Svaml2().dial("0701234567", dial_timeout_duration_seconds=0).say("x" * 601, "Emma")
    expected = [(d.code, d.pointer) for d in validate(doc)]
    assert expected == [(d.code, d.pointer) for d in validate(doc.to_dict(check=False))]
    assert sorted(c for c, _ in expected) == ["S2401", "S2501", "S2502"]


def test_every_v2_rule_has_its_own_range_and_name() -> None:
    """The v2 rules are S2nnn, target v2 documents only, and each has an example and a doc."""
    v2 = [r for code, r in RULES.items() if code.startswith("S2")]
    expected: list[str] = []
    assert expected == [
        r.code for r in v2 if r.targets != frozenset({"svaml2"}) or not r.doc or not r.example
    ]
    assert len(v2) >= 36


def test_document_is_iterable_as_commands() -> None:
    """A document gives its commands when iterated, so it stands wherever commands are expected."""
    doc = Document(commands=[Hangup()])
    expected = [Hangup()]
    assert expected == list(doc)


# -- lint through the command line, on real files -----------------------------------------------


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str]]]:
    status = main(["lint", "--isolated", "--output-format", "json", *args])
    out = json.loads(capsys.readouterr().out or "[]")
    return status, sorted((Path(d["filename"]).name, d["code"]) for d in out)


def test_lint_tells_v1_from_v2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One run checks v1 and v2 files, each with its own rules."""
    (tmp_path / "v1.json").write_text('{"action": {"name": "connectPstn", "number": "0701"}}', "utf-8")
    (tmp_path / "v2.json").write_text(
        json.dumps({"commands": [{"command": "dial", "to": {"type": "PHONE", "phone": {"number": "0701"}}}]}),
        "utf-8",
    )
    (tmp_path / "ok.json").write_text(
        Svaml2().answer().say("Hi", "Emma", on_finish=Svaml2().hangup()).to_json(), "utf-8"
    )
    expected = (1, [("v1.json", "SV401"), ("v2.json", "S2401")])
    assert expected == _lint(capsys, str(tmp_path))


def test_lint_selects_v2_by_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--select S2 keeps only v2 rules; --select SV only v1's."""
    (tmp_path / "v1.json").write_text('{"action": {"name": "connectPstn", "number": "0701"}}', "utf-8")
    (tmp_path / "v2.json").write_text(
        '{"commands": [{"command": "pause", "durationMilliseconds": 0}]}', "utf-8"
    )
    expected = ((1, [("v2.json", "S2502")]), (1, [("v1.json", "SV401")]))
    assert expected == (
        _lint(capsys, "--select", "S2", str(tmp_path)),
        _lint(capsys, "--select", "SV", str(tmp_path)),
    )


def test_lint_strict_and_version_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--strict turns an unknown property into an error; --svaml-version 2 checks any JSON file as v2."""
    sdk = tmp_path / "sdk.json"
    sdk.write_text(
        '{"commands": [{"command": "stopMessages", "messagesName": "a", "flags": "ONLY_PLAYING"}]}'
    )
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', "utf-8")
    assert main(["lint", "--isolated", "--exit-zero", "--strict", str(sdk)]) + 1 == 1
    capsys.readouterr()
    status = main(["lint", "--isolated", "--output-format", "json", "--strict", str(sdk)])
    severities = [d.get("severity", d.get("level")) for d in json.loads(capsys.readouterr().out)]
    expected = (1, ["error"])
    assert expected == (status, severities)
    expected_v2 = (1, [("other.json", "S2003"), ("other.json", "S2007")])
    assert expected_v2 == _lint(capsys, "--svaml-version", "2", str(other))


def test_building_and_checking_v2_is_light() -> None:
    """Building, checking and writing a v2 document load neither jsonschema, requests nor hypothesis."""
    code = (
        "import sys; from svaml.v2 import Svaml2; from svaml import validate;"
        "Svaml2().answer().say('Hi', 'Emma').hangup().to_json(); validate({'commands': []});"
        "print(sorted(m for m in ('jsonschema', 'requests', 'hypothesis') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "[]"
    assert expected == run.stdout.strip()

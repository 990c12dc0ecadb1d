"""Tests of the number rules: E.164 (SV401, SV401) and numbers that cannot exist (SV402, SV402)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from svaml import Svaml, SvamlError, validate
from svaml.cli.fix import apply_edits
from svaml.rules import RULES

GOOD = "+46701234567"
OTHER = "+46700000000"


def found(doc: Any, callback: str | None = None) -> list[tuple[str, str]]:
    """Return the (code, pointer) of every diagnostic of ``doc``."""
    return [(d.code, d.pointer) for d in validate(doc, callback=callback)]


def pstn(**fields: Any) -> dict[str, Any]:
    """Return a SVAML document whose action is connectPstn with ``fields``."""
    return {"action": {"name": "connectPstn", **fields}}


def tts_callout(**fields: Any) -> dict[str, Any]:
    """Return a ttsCallout request, correct but for ``fields``."""
    destination = {"type": "number", "endpoint": GOOD}
    body = {"cli": OTHER, "destination": destination, "text": "Hello", "locale": "en-US"}
    return {"method": "ttsCallout", "ttsCallout": {**body, **fields}}


def conference_callout(**fields: Any) -> dict[str, Any]:
    """Return a conferenceCallout request, correct but for ``fields``."""
    body = {"cli": OTHER, "destination": {"endpoint": GOOD}, "conferenceId": "room-1"}
    return {"method": "conferenceCallout", "conferenceCallout": {**body, **fields}}


FIRES = [
    ("number-without-plus", pstn(number="46701234567"), [("SV401", "/action/number")]),
    ("cli-national", pstn(number=GOOD, cli="0701234567"), [("SV401", "/action/cli")]),
    ("cli-spaces", pstn(cli="+46 70-123 45 67"), [("SV401", "/action/cli")]),
    ("number-letters", pstn(number="call me"), [("SV401", "/action/number")]),
    ("number-16-digits", pstn(number="+1234567890123456"), [("SV401", "/action/number")]),
    ("number-empty", pstn(number=""), [("SV401", "/action/number")]),
    ("number-unicode-digits", pstn(number="+٤٦٧٠١٢٣٤٥٦٧"), [("SV401", "/action/number")]),
    (
        "sip-cli",
        {"action": {"name": "connectSip", "destination": {"endpoint": "a@b.example"}, "cli": "12"}},
        [("SV401", "/action/cli")],
    ),
    ("number-impossible-range", pstn(number="+461234567890"), [("SV402", "/action/number")]),
    ("cli-bad-country-code", pstn(number=GOOD, cli="+999123456"), [("SV402", "/action/cli")]),
    ("cli-zero-country-code", pstn(cli="+0123"), [("SV402", "/action/cli")]),
    ("cli-too-short", pstn(cli="+4670"), [("SV402", "/action/cli")]),
    ("tts-cli", tts_callout(cli="46700000000"), [("SV401", "/ttsCallout/cli")]),
    (
        "tts-destination",
        tts_callout(destination={"type": "number", "endpoint": "0701234567"}),
        [("SV401", "/ttsCallout/destination/endpoint")],
    ),
    (
        "conference-destination-untyped",
        conference_callout(destination={"endpoint": "+46 70 123 45 67"}),
        [("SV401", "/conferenceCallout/destination/endpoint")],
    ),
    (
        "custom-cli-impossible",
        {"method": "customCallout", "customCallout": {"cli": "+461234567890"}},
        [("SV402", "/customCallout/cli")],
    ),
    (
        "conference-destination-impossible",
        conference_callout(destination={"type": "number", "endpoint": "+4670"}),
        [("SV402", "/conferenceCallout/destination/endpoint")],
    ),
]


@pytest.mark.parametrize(("doc", "expected"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_rule_fires(doc: Any, expected: list[tuple[str, str]]) -> None:
    """Each wrong number gets exactly its diagnostic, at the number."""
    assert expected == found(doc)


QUIET = [
    ("pstn", pstn(number=GOOD, cli=OTHER)),
    ("pstn-dialled-number", pstn()),
    ("cli-private", pstn(number=GOOD, cli="private")),
    ("cli-private-any-case", pstn(number=GOOD, cli="PRIVATE")),
    ("us-number", pstn(number="+12025550123")),
    ("tts-callout", tts_callout()),
    ("tts-callout-private", tts_callout(cli="Private")),
    ("conference-callout-untyped-destination", conference_callout()),
    (
        "conference-callout-username",
        conference_callout(destination={"type": "username", "endpoint": "alice"}),
    ),
    (
        "sip-endpoint-is-not-a-number",
        {"action": {"name": "connectSip", "destination": {"endpoint": "12@sip.example"}}},
    ),
    ("builder", Svaml.ice().answer().connect_pstn(GOOD, cli=OTHER, max_duration=600)),
    ("builder-private", Svaml.pie().connect_pstn(GOOD, cli="private")),
]


@pytest.mark.parametrize("doc", [q[1] for q in QUIET], ids=[q[0] for q in QUIET])
def test_rule_quiet(doc: Any) -> None:
    """Correct numbers, ``private`` and non-number endpoints give no diagnostic."""
    expected: list[tuple[str, str]] = []
    assert expected == found(doc)


@pytest.mark.parametrize(
    ("number", "fixed", "why"),
    [
        ("46701234567", GOOD, " (assumes the digits start with the country code)"),
        ("+46 (70) 123-45.67", GOOD, ""),
        ("46 70 123 45 67", GOOD, " (assumes the digits start with the country code)"),
    ],
)
def test_fix_writes_e164(number: str, fixed: str, why: str) -> None:
    """A number missing only its '+', or written with separators, is fixed to E.164 and then clean."""
    doc = pstn(number=number)
    (diagnostic,) = validate(doc)
    assert diagnostic.fix is not None
    fixed_doc = apply_edits(doc, diagnostic.fix.edits)
    expected: tuple[Any, ...] = (f"write {fixed!r}{why}", pstn(number=fixed), [])
    assert expected == (diagnostic.fix.description, fixed_doc, validate(fixed_doc))


@pytest.mark.parametrize("number", ["0701234567", "+1234567890123456", "abc", ""])
def test_no_fix_without_a_safe_rewrite(number: str) -> None:
    """A national number (no country to guess), a too long one or letters get no fix."""
    expected = [("SV401", None)]
    assert expected == [(d.code, d.fix) for d in validate(pstn(number=number))]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (
            "46701234567",
            "number '46701234567' has no leading '+' (Sinch error 40005 "
            "NumberMissingLeadingPlus): write '+46701234567' if the digits start with the country code",
        ),
        (
            "0701234567",
            "number '0701234567' looks like a national number: write it in E.164, '+', "
            "the country code, then the number without its trunk prefix 0",
        ),
        (
            "+461234567890",
            "number '+461234567890' cannot be a phone number: it is in no number range "
            "in use in SE (+46); check the digits",
        ),
        (
            "+999123456",
            "number '+999123456' cannot be a phone number: no country calling code starts "
            "with these digits; check the digits",
        ),
        ("+99", "number '+99' cannot be a phone number: it is too short; check the digits"),
        (
            "+4670",
            "number '+4670' cannot be a phone number: it is too short for a +46 number; check the digits",
        ),
    ],
)
def test_messages_say_how_to_fix(number: str, message: str) -> None:
    """Messages name the field and value, what is wrong and what to write."""
    assert [message] == [d.message for d in validate(pstn(number=number))]


def test_builder_refuses_a_number_without_plus() -> None:
    """The builder's guard raises on an error from these rules, and not on a warning."""
    with pytest.raises(SvamlError, match=r"has no leading '\+'.*\[SV401\]"):
        Svaml.ice().connect_pstn("46701234567").to_json()
    assert '"number":"+461234567890"' in Svaml.ice().connect_pstn("+461234567890").to_json()


def test_number_rules_check_svaml_and_callouts() -> None:
    """SV401 and SV402 check SVAML documents and callout requests alike, under one code."""
    expected = [frozenset({"svaml", "callout"})] * 2
    assert expected == [RULES[code].targets for code in ("SV401", "SV402")]


def test_phonenumbers_loads_only_for_numbers() -> None:
    """validate() imports phonenumbers only when a document holds a number (it is heavy)."""
    code = (
        "import sys\n"
        "from svaml import Svaml, validate\n"
        "validate({'action': {'name': 'hangup'}})\n"
        "Svaml.ice().answer().say('Hi', locale='en-US').connect_conf('room').to_json()\n"
        "before = 'phonenumbers' in sys.modules\n"
        "validate({'action': {'name': 'connectPstn', 'number': '+46701234567'}})\n"
        "print(before, 'phonenumbers' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "False True"
    assert expected == result.stdout.strip()

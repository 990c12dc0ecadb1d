"""Tests for the callout request rules (SV901-SV905)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml.diagnostic import Applicability, Edit, Fix, Severity
from svaml.model.actions import Destination
from svaml.model.callouts import TtsCallout, callout_request
from svaml.rules import validate, validate_callout

NUMBER = {"type": "number", "endpoint": "+46707654321"}
USERNAME = {"type": "username", "endpoint": "alice"}
ICE = json.dumps(
    {
        "instructions": [{"name": "answer"}],
        "action": {"name": "connectPstn", "number": "+46707654321", "cli": "+46701234567"},
    }
)


def _tts(**fields: Any) -> dict[str, Any]:
    body = {
        "cli": "+46701234567",
        "destination": NUMBER,
        "locale": "en-US",
        "text": "Your code is 1234",
        **fields,
    }
    return {"method": "ttsCallout", "ttsCallout": {k: v for k, v in body.items() if v is not None}}


def _conf(**fields: Any) -> dict[str, Any]:
    return {
        "method": "conferenceCallout",
        "conferenceCallout": {"destination": NUMBER, "conferenceId": "team", **fields},
    }


def _custom(**fields: Any) -> dict[str, Any]:
    return {"method": "customCallout", "customCallout": fields}


def _found(body: Any, code: str) -> list[tuple[str, str]]:
    """Return (pointer, message) of the diagnostics of ``code``."""
    return [(d.pointer, d.message) for d in validate(body) if d.code == code]


@pytest.mark.parametrize(
    "body",
    [
        _tts(),
        _tts(prompts="#tts[Hello];#href[https://example.com/a.mp3]", text=None, enableAce=True),
        _conf(enableAce=True, enableDice=True, greeting="#tts[Welcome]", locale="en-US"),
        _custom(
            ice=ICE,
            ace="https://example.com/ace",
            pie=json.dumps({"action": {"name": "hangup"}}),
            dice="https://example.com/dice",
        ),
        _custom(cli="+46701234567", destination=NUMBER, ice="https://example.com/ice", maxDuration=600),
    ],
)
def test_correct_callouts_are_clean(body: dict[str, Any]) -> None:
    """Well-formed callout requests of the three kinds give no diagnostic."""
    expected = []
    assert expected == validate(body)


def test_callout_request_objects_are_validated() -> None:
    """A CalloutRequest built from the model is checked like its JSON."""
    request = callout_request(
        TtsCallout(destination=Destination(type="number", endpoint="+46707654321"), text="x")
    )
    expected = ["SV901"]
    assert expected == [d.code for d in validate(request)]


# -- SV901 tts-callout-without-cli --------------------------------------------------------------


def test_tts_callout_without_cli_fires() -> None:
    """A ttsCallout without cli is an SV901 error at the callout."""
    found = [(d.code, d.severity, d.pointer) for d in validate(_tts(cli=None))]
    expected = [("SV901", Severity.ERROR, "/ttsCallout")]
    assert expected == found


def test_empty_cli_is_left_to_the_number_rule() -> None:
    """An empty cli is reported once, as not E.164 (SV401), not again by SV901."""
    expected = ["SV401"]
    assert expected == [d.code for d in validate(_tts(cli=""))]


def test_other_callouts_need_no_cli() -> None:
    """Conference and custom callouts without cli are not SV901's concern."""
    expected = ([], [])
    assert expected == (_found(_conf(), "SV901"), _found(_custom(ice=ICE), "SV901"))


# -- SV902 ace-never-sent -----------------------------------------------------------------------


def test_ace_never_sent_fires_for_username_destinations() -> None:
    """enableAce/enableDice, and a custom callout's ace and dice, warn for a username destination."""
    bodies = [
        _tts(destination=USERNAME, enableAce=True, enableDice=True, enablePie=True),
        _conf(destination=USERNAME, enableAce=True),
        _custom(
            destination=USERNAME,
            ice="https://example.com/ice",
            ace="https://example.com/ace",
            dice="https://example.com/dice",
            enableDice="true",
        ),
    ]
    expected = [
        (
            "/ttsCallout/enableAce",
            "'enableAce' is set, but the destination is a username: Sinch sends no ACE "
            "for username destinations",
        ),
        (
            "/ttsCallout/enableDice",
            "'enableDice' is set, but the destination is a username: Sinch sends no DiCE "
            "for username destinations",
        ),
        (
            "/conferenceCallout/enableAce",
            "'enableAce' is set, but the destination is a username: Sinch sends "
            "no ACE for username destinations",
        ),
        (
            "/customCallout/enableDice",
            "'enableDice' is set, but the destination is a username: Sinch sends no "
            "DiCE for username destinations",
        ),
        (
            "/customCallout/ace",
            "'ace' is set, but the destination is a username: Sinch sends no ACE for username destinations",
        ),
        (
            "/customCallout/dice",
            "'dice' is set, but the destination is a username: Sinch sends no DiCE for username destinations",
        ),
    ]
    assert expected == [f for body in bodies for f in _found(body, "SV902")]


def test_ace_never_sent_is_a_warning() -> None:
    """SV902 warns: the call still works, only the events never come."""
    severities = {
        d.severity for d in validate(_tts(destination=USERNAME, enableAce=True)) if d.code == "SV902"
    }
    expected = {Severity.WARNING}
    assert expected == severities


def test_ace_never_sent_quiet() -> None:
    """Number destinations, and username destinations without ACE or DiCE, do not warn."""
    bodies = [_tts(enableAce=True), _tts(destination=USERNAME, enableAce=False), _conf(destination=USERNAME)]
    expected = []
    assert expected == [f for body in bodies for f in _found(body, "SV902")]


# -- SV903 invalid-inline-svaml -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"ice": "example.com/ice"},
            [
                (
                    "/customCallout/ice",
                    "'ice' is neither SVAML JSON nor an http(s) URL: "
                    "'example.com/ice' has no scheme: Sinch fetches callbacks over http:// "
                    "or https://",
                )
            ],
        ),
        (
            {"ace": "ftp://example.com/ace"},
            [
                (
                    "/customCallout/ace",
                    "'ace' is neither SVAML JSON nor an http(s) "
                    "URL: 'ftp://example.com/ace' has 'ftp:': Sinch fetches callbacks "
                    "over http:// or https://",
                )
            ],
        ),
        ({"pie": "  "}, [("/customCallout/pie", "'pie' is empty: give a callback URL or leave it out")]),
        (
            {"ice": '{"action": {"name": "hangup"},'},
            [
                (
                    "/customCallout/ice",
                    "the inline ICE SVAML is not valid JSON: Expecting property name enclosed in "
                    "double quotes: line 1 column 31 (char 30)",
                )
            ],
        ),
        (
            {"ice": '[{"name": "hangup"}]'},
            [("/customCallout/ice", "the inline ICE SVAML is a JSON array, not a SVAML object")],
        ),
        (
            {"ace": '{"method": "ttsCallout", "ttsCallout": {}}'},
            [("/customCallout/ace", "the inline ACE SVAML is a callout request, not a SVAML document")],
        ),
        (
            {"ice": "[" * 100_000},
            [("/customCallout/ice", "the inline ICE SVAML is nested too deeply to check")],
        ),
        (
            {"dice": '{"action": {"name": "hangup"}}'},
            [("/customCallout/dice", "'dice' takes a callback URL only: DiCE takes no SVAML")],
        ),
        (
            {"dice": "dice-handler"},
            [
                (
                    "/customCallout/dice",
                    "'dice' is not a URL: 'dice-handler' has no scheme: "
                    "Sinch fetches callbacks over http:// or https://",
                )
            ],
        ),
    ],
)
def test_invalid_inline_svaml_fires_on_bad_fields(
    fields: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    """Callback fields that are neither a URL nor SVAML JSON (dice: not a URL) are SV903 errors."""
    assert expected == _found(_custom(**fields), "SV903")


def test_invalid_inline_svaml_reports_the_inner_errors_with_their_codes() -> None:
    """Inline SVAML, checked for its callback, reports at its field with the inner pointer, code, severity."""
    ice = {
        "instructions": [{"name": "say", "text": "Hi", "locale": "en-US"}, {"name": "answer"}],
        "action": {"name": "connectPstn", "number": "+46707654321", "maxDuration": 20000},
    }
    ace = {"instructions": [{"name": "answer"}], "action": {"name": "continue"}}
    body = _custom(ice=json.dumps(ice), ace=json.dumps(ace), pie=json.dumps({"action": {"name": "Hangup"}}))
    expected = [
        (
            "SV301",
            Severity.WARNING,
            "/customCallout/ice",
            "in the inline ICE SVAML at /instructions/0: this say plays before 'answer' (instruction 1); "
            "the caller may not hear it",
        ),
        (
            "SV501",
            Severity.ERROR,
            "/customCallout/ice",
            "in the inline ICE SVAML at /action/maxDuration: maxDuration is 20000; Sinch "
            "allows at most 14400 (4 hours): lower it",
        ),
        (
            "SV202",
            Severity.ERROR,
            "/customCallout/ace",
            "in the inline ACE SVAML at /instructions/0/name: the instruction answer is not "
            "allowed in an ACE response; Sinch allows it only in an ICE response or a call "
            "update (PATCH)",
        ),
        (
            "SV020",
            Severity.WARNING,
            "/customCallout/pie",
            "in the inline PIE SVAML at /action/name: name 'Hangup' is not the canonical form; "
            "write 'hangup'",
        ),
    ]
    assert expected == [(d.code, d.severity, d.pointer, d.message) for d in validate(body)]


def test_inline_diagnostics_keep_their_codes_and_severities() -> None:
    """Each diagnostic of inline SVAML is reported under its own code and severity, warnings included."""
    ice = {
        "instructions": [{"name": "say", "text": "Hi", "locale": "en-US"}, {"name": "answer"}],
        "action": {"name": "Hangup"},
    }
    diagnostics = validate(_custom(ice=json.dumps(ice)))
    found = [(d.pointer, d.code, d.severity, d.message.split(":")[0]) for d in diagnostics]
    expected = [
        ("/customCallout/ice", "SV301", Severity.WARNING, "in the inline ICE SVAML at /instructions/0"),
        ("/customCallout/ice", "SV020", Severity.WARNING, "in the inline ICE SVAML at /action/name"),
    ]
    assert expected == found


def test_inline_warnings_stay_warnings() -> None:
    """An inline warning surfaces as that warning: it does not make the callout invalid."""
    ice = {
        "instructions": [{"name": "say", "text": "Hi", "locale": "en-US"}, {"name": "answer"}],
        "action": {"name": "hangup"},
    }
    found = validate(_custom(ice=json.dumps(ice)))
    assert [(d.code, d.severity) for d in found] == [("SV301", Severity.WARNING)]


def test_inline_svaml_is_checked_for_its_own_callback() -> None:
    """The same SVAML is fine as a PIE answer and refused as an ICE answer (continue is not ICE)."""
    svaml = json.dumps({"action": {"name": "continue"}})
    expected = ([], ["SV201"])
    assert expected == (
        [d.code for d in validate(_custom(pie=svaml))],
        [d.code for d in validate(_custom(ice=svaml))],
    )


# -- SV904 callout-method-mismatch --------------------------------------------------------------


def test_method_in_another_case_is_fixable() -> None:
    """A method in another letter case is an error with a fix that writes the documented name."""
    body = {"method": "TTSCallout", "ttsCallout": _tts()["ttsCallout"]}
    found = [(d.code, d.pointer, d.message, d.fix) for d in validate(body)]
    fix = Fix(
        description="write 'ttsCallout'",
        edits=(Edit(op="replace", path="/method", value="ttsCallout"),),
        applicability=Applicability.SAFE,
    )
    expected = [
        (
            "SV904",
            "/method",
            "method 'TTSCallout' is not spelt as Sinch documents it: write 'ttsCallout'",
            fix,
        )
    ]
    assert expected == found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"method": "smsCallout", "ttsCallout": _tts()["ttsCallout"]},
            [
                (
                    "/method",
                    "method 'smsCallout' is not a callout: "
                    "use ttsCallout, conferenceCallout or customCallout",
                )
            ],
        ),
        (
            {"method": "conferenceCallout"},
            [("/method", "method is 'conferenceCallout' but the body has no 'conferenceCallout' object")],
        ),
        (
            {"method": "ttsCallout", "ttsCallout": _tts()["ttsCallout"], "customCallout": {"ice": ICE}},
            [
                (
                    "/customCallout",
                    "the body carries 'customCallout' but method is 'ttsCallout': Sinch reads only the "
                    "'ttsCallout' object; remove 'customCallout' or change the method",
                )
            ],
        ),
    ],
)
def test_callout_method_mismatch_fires(body: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    """An unknown method, a missing callout object, or a second callout object is an SV904 error."""
    assert expected == _found(body, "SV904")


def test_validate_callout_refuses_a_svaml_document() -> None:
    """validate_callout reports a body that is not a callout request under SV904."""
    expected = ["SV904"]
    assert expected == [
        d.code for d in validate_callout({"method": "ttsCallout", "action": {"name": "hangup"}})
    ]


# -- SV905 inline-ice-with-cli ------------------------------------------------------------------


def test_inline_ice_with_cli_fires_with_fixes() -> None:
    """A cli and a destination beside an inline ICE are warnings, each fixed by removing the field."""
    found = [
        (d.severity, d.pointer, d.fix)
        for d in validate(_custom(cli="+46701234567", destination=NUMBER, ice=ICE))
        if d.code == "SV905"
    ]
    expected = [
        (
            Severity.WARNING,
            "/customCallout/cli",
            Fix(
                description="remove 'cli'",
                edits=(Edit(op="remove", path="/customCallout/cli"),),
                applicability=Applicability.UNSAFE,
            ),
        ),
        (
            Severity.WARNING,
            "/customCallout/destination",
            Fix(
                description="remove 'destination'",
                edits=(Edit(op="remove", path="/customCallout/destination"),),
                applicability=Applicability.UNSAFE,
            ),
        ),
    ]
    assert expected == found


def test_inline_ice_with_cli_quiet() -> None:
    """A cli and a destination with an ICE URL, or an inline ICE alone, are fine."""
    bodies = [
        _custom(cli="+46701234567", destination=NUMBER, ice="https://example.com/ice"),
        _custom(ice=ICE),
    ]
    expected = []
    assert expected == [f for body in bodies for f in _found(body, "SV905")]


# -- robustness ----------------------------------------------------------------------------------

_FIELD = st.one_of(
    st.text(alphabet=st.sampled_from('{}[]":,ahttps/.\\ \ud800'), max_size=40),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["action", "name"]), inner)
        ),
        max_leaves=8,
    ).map(json.dumps),
)


@given(ice=_FIELD, ace=_FIELD, dice=_FIELD, method=st.sampled_from(["customCallout", "CustomCallout", "x"]))
def test_callout_rules_never_fail_internally(ice: str, ace: str, dice: str, method: str) -> None:
    """Whatever a custom callout's callback fields hold, the rules never fail internally."""
    body = {
        "method": method,
        "customCallout": {"destination": USERNAME, "ice": ice, "ace": ace, "dice": dice},
    }
    expected: list[str] = []
    assert expected == [d.message for d in validate(body) if d.code == "SV000"]

"""Tests of validate(): it never raises, positions text, keeps checking past broken parts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import Severity, Svaml, SvamlError, validate
from svaml.diagnostic import Diagnostic
from svaml.rules import RULES, check, is_valid, iter_diagnostics, validate_callout
from svaml.rules._validate import validate_unlocated
from svaml.strategies import json_values, svaml_like

callbacks = st.sampled_from([None, "ice", "ace", "pie", "dice", "notify", "patch", "call-leg"])


def assert_diagnostics(found: Any) -> None:
    """Check that validate returned a list of diagnostics whose codes are all registered."""
    assert (list, True) == (type(found), all(isinstance(d, Diagnostic) and d.code in RULES for d in found))


@given(st.one_of(json_values(), svaml_like()), callbacks)
def test_validate_never_raises_on_json(data: Any, callback: str | None) -> None:
    """Any decoded JSON, for any callback, gives a list of registered diagnostics, never an exception."""
    assert_diagnostics(validate(data, callback=callback))
    assert_diagnostics(validate(json.dumps(data), callback=callback))


@given(st.binary(max_size=200))
def test_validate_never_raises_on_bytes(data: bytes) -> None:
    """Any bytes give diagnostics (invalid JSON, not UTF-8, …), never an exception."""
    assert_diagnostics(validate(data))


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {1, 2},
        3 + 4j,
        Svaml,
        float("nan"),
        {"action": {"name": "say", "text": object()}},
        {"action": {"name": "hangup"}, "instructions": "say"},
        {"action": "hangup"},
        "",
    ],
    ids=repr,
)
def test_validate_takes_anything(value: Any) -> None:
    """Values that are not JSON at all are still answered with diagnostics."""
    assert_diagnostics(validate(value))


def test_deep_nesting_and_huge_strings() -> None:
    """100,000 levels of nesting and a 20 MB string are reported or passed, never a crash."""
    deep = "[" * 100_000 + "]" * 100_000
    nested: Any = {}
    for _ in range(100_000):
        nested = {"a": nested}
    huge = {"instructions": [{"name": "say", "text": "x" * 20_000_000}], "action": {"name": "hangup"}}
    for value in (deep, '{"action":' + deep + "}", nested, {"action": {"name": "hangup", "x": nested}}, huge):
        assert_diagnostics(validate(value))


def test_broken_instruction_hides_nothing_else() -> None:
    """A malformed instruction gets its diagnostic and its siblings and the action are still checked."""
    found = validate(
        {
            "instructions": [
                {"name": "say", "text": 5},
                {"name": "answer"},
                {"name": "sendDtmf", "value": "12"},
            ],
            "action": {"name": "continue"},
        },
        callback="ace",
    )
    expected = [
        ("SV002", "/instructions/0/text"),
        ("SV202", "/instructions/1/name"),
        ("SV202", "/instructions/2/name"),
    ]
    assert expected == [(d.code, d.pointer) for d in found]


def test_text_input_carries_positions() -> None:
    """Diagnostics of JSON text carry the line and column of the offending value."""
    text = '{\n  "instructions": [{"name": "answer"}],\n  "action": {"name": "continue"}\n}\n'
    found = validate(text, callback="ice")
    assert [(d.code, d.line, d.column, d.end_line, d.end_column) for d in found] == [("SV201", 3, 22, 3, 32)]


def test_unlocated_check_places_what_it_is_asked_to() -> None:
    """validate_unlocated finds what validate finds, unplaced; locate() places it as validate does."""
    text = (
        '{\n  "instructions": [{"name": "SetCookie", "key": "k", "value": "v", "vlaue": 1}],\n'
        '  "action": {"name": "continue"}\n}\n'
    )
    expected = validate(text, callback="ice")
    checked = validate_unlocated(text, callback="ice")
    assert [None] * len(expected) == [d.line for d in checked.diagnostics]
    assert expected == checked.locate()
    unknown = [d for d in checked.diagnostics if d.code == "SV007"]
    assert [d for d in expected if d.code == "SV007"] == checked.locate(unknown)


def test_decoded_input_has_no_positions() -> None:
    """Diagnostics of a dict have pointers but no line or column."""
    found = validate({"instructions": [{"name": "answer"}], "action": {"name": "continue"}}, callback="ice")
    assert [(d.pointer, d.line) for d in found] == [("/action/name", None)]


def test_svaml_object_uses_its_own_callback() -> None:
    """A Svaml built for a callback is validated for it unless another callback is given."""
    doc = Svaml().answer().continue_()
    assert (validate(doc), [d.code for d in validate(doc, callback="ice")]) == ([], ["SV201"])


def test_triad_agrees() -> None:
    """is_valid, iter_diagnostics and check agree with validate, warnings not counting as errors."""
    warning_only = {"action": {"name": "RunMenu", "menus": [{"id": "main"}]}}
    bad = {"action": {"name": "continue"}}
    assert (is_valid(warning_only), [d.code for d in iter_diagnostics(warning_only)]) == (True, ["SV020"])
    assert validate(warning_only)[0].severity == Severity.WARNING
    check(warning_only)
    with pytest.raises(SvamlError, match="continue is not allowed in an ICE response"):
        check(bad, callback="ice")


@pytest.mark.parametrize("callback", ["cie", ["ice"], 3])
def test_unknown_callback_is_a_usage_error(callback: Any) -> None:
    """A callback svaml does not know (or not a string at all) is the caller's mistake, reported at once."""
    with pytest.raises(SvamlError, match="callback must be one of"):
        validate({}, callback=callback)


def test_builder_to_json_raises_with_diagnostics() -> None:
    """to_json() of a document that breaks a rule raises SvamlError carrying the diagnostics."""
    doc = Svaml(callback="ice", action=Svaml().continue_().action)  # the constructor does not check
    with pytest.raises(SvamlError) as info:
        doc.to_json()
    assert [d.code for d in info.value.problems] == ["SV201"]


def test_builder_check_false_skips_the_validator() -> None:
    """check=False writes even a document without an action."""
    assert Svaml().to_json(check=False) == "{}"
    with pytest.raises(SvamlError, match="SV101"):
        Svaml().to_json()


def test_validate_callout_rejects_a_svaml_document() -> None:
    """validate_callout on something that is not a callout request says so."""
    assert [d.code for d in validate_callout({"action": {"name": "hangup"}})] == ["SV904"]

"""What svaml refuses and why: Python values JSON cannot carry, too long integers, too large texts.

Each entry point that takes Python data (``Svaml.from_dict``, ``validate`` of a dict,
``parse_event`` of a mapping, the codec's readers, a model object's ``extras`` and builder
arguments) holds it to the one JSON policy; each that takes text refuses one over the size limit
before decoding it. Property tests fuzz both.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svaml import Svaml, SvamlError, SvamlTypeError, validate
from svaml.callbacks import parse_event
from svaml.cli import main
from svaml.codec import read, structure
from svaml.errors import EventError
from svaml.model import Document, Hangup
from svaml.model.actions import ConnectPstn
from svaml.model.events import DiceEvent
from svaml.strategies import json_values

HUGE = 10**5000  # more digits than Python converts to text (sys.get_int_max_str_digits(), 4,300)
PSTN = {"name": "connectPstn", "number": "+46701234567"}


def _codes(found: Any) -> list[tuple[str, str]]:
    """The (code, pointer) of each diagnostic."""
    return [(d.code, d.pointer) for d in found]


def _refused(call: Any) -> list[tuple[str, str]]:
    """The (code, pointer) of the problems of the SvamlError ``call()`` raises."""
    with pytest.raises(SvamlError) as caught:
        call()
    return _codes(caught.value.problems)


# -- integers over 4,300 digits: the reproductions of issue 11 ------------------------------------


def test_validate_reports_a_huge_integer_and_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """An integer of 5,001 digits is SV001 at its place: no SV000, no traceback in the log."""
    caplog.set_level(logging.DEBUG)
    found = validate({"action": {**PSTN, "maxDuration": HUGE}})
    expected = ([("SV001", "/action/maxDuration")], [])
    assert expected == (_codes(found), [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR])


def test_from_dict_refuses_a_huge_integer_with_its_place() -> None:
    """from_dict raises SvamlError (SV001 at the pointer), not a ValueError."""
    expected = [("SV001", "/action/x")]
    assert expected == _refused(lambda: Svaml.from_dict({"action": {"name": "hangup", "x": HUGE}}))


def test_parse_event_refuses_a_huge_integer_with_its_place() -> None:
    """parse_event of a mapping raises EventError (SV001 at /duration), not a ValueError."""
    with pytest.raises(EventError) as caught:
        parse_event({"event": "dice", "callid": "c1", "duration": HUGE})
    expected = [("SV001", "/duration")]
    assert expected == _codes(caught.value.problems)


def test_a_huge_event_name_is_an_event_error() -> None:
    """An event name that is a huge integer gets an EventError whose message can be printed."""
    with pytest.raises(EventError) as caught:
        parse_event({"event": HUGE})
    expected = "unknown event <integer of 16610 bits>; expected one of ice, ace, dice, pie, notify"
    assert expected == str(caught.value)


def test_the_builder_refuses_a_huge_integer() -> None:
    """A builder argument of 5,001 digits raises SvamlTypeError at once, so repr and to_json never fail."""
    with pytest.raises(SvamlTypeError, match=r"ConnectPstn.max_duration: an integer of about 5,000 digits"):
        Svaml.ice().connect_pstn("+46701234567", max_duration=HUGE)


def test_an_event_refuses_a_huge_number() -> None:
    """A model event made in Python refuses a too long integer as its JSON form would."""
    with pytest.raises(SvamlTypeError, match="too long for JSON"):
        DiceEvent(call_id="c1", duration=HUGE)


def test_the_integer_limit_is_the_one_text_has() -> None:
    """4,300 digits read from a dict as from text; 4,301 are refused by both, with SV001."""
    digits = ["9" * 4300, "1" + "0" * 4300]
    texts = ['{"action": {"name": "hangup", "x": ' + n + "}}" for n in digits]
    dicts = [{"action": {"name": "hangup", "x": n}} for n in (10**4300 - 1, 10**4300)]
    expected = [["SV007"], ["SV001"], ["SV007"], ["SV001"]]
    assert expected == [[d.code for d in validate(doc)] for doc in [*texts, *dicts]]


# -- values JSON cannot carry: refused where they are ---------------------------------------------

UNFIT = {
    "datetime": (dt.datetime(2024, 1, 19, 9, 19, 28), "datetime is not a JSON value: JSON has no dates"),
    "date": (dt.date(2024, 1, 19), "date is not a JSON value: JSON has no dates"),
    "set": ({1, 2}, "set is not a JSON value: a set has no order in JSON"),
    "frozenset": (frozenset(), "frozenset is not a JSON value"),
    "bytes": (b"abc", "bytes is not a JSON value: JSON has no bytes"),
    "object": (object(), "object is not a JSON value: JSON has objects, arrays"),
    "fraction": (Fraction(1, 3), "Fraction is not a JSON value"),
    "nan": (math.nan, "nan is not a JSON number"),
    "infinity": (-math.inf, "-inf is not a JSON number"),
    "decimal-nan": (Decimal("NaN"), "Decimal('NaN') is not a JSON number"),
    "decimal-too-precise": (Decimal("0.1000000000000000000001"), "has more digits than a JSON number keeps"),
    "lone-surrogate": ("\ud800", "holds a lone surrogate"),
}


@pytest.mark.parametrize("case", UNFIT, ids=list(UNFIT))
def test_every_entry_point_refuses_a_value_json_cannot_carry(case: str) -> None:
    """validate, from_dict, the codec, parse_event and extras refuse the value, with the same message."""
    value, message = UNFIT[case]
    doc = {"instructions": [{"name": "answer"}], "action": {"name": "hangup", "extra": [1, {"v": value}]}}
    where = "/action/extra/1/v"
    found = validate(doc)
    with pytest.raises(SvamlError) as from_dict:
        Svaml.from_dict(doc)
    with pytest.raises(EventError) as event:
        parse_event({"event": "ice", "callid": "c1", "custom": {"v": value}})
    with pytest.raises(SvamlTypeError) as extras:
        Hangup(extras={"extra": [1, {"v": value}]})
    reading = read(doc, Document)
    actual = [
        [(d.code, d.pointer, message in d.message) for d in found],
        [(d.code, d.pointer, message in d.message) for d in from_dict.value.problems],
        [(d.code, d.pointer, message in d.message) for d in event.value.problems],
        [(d.code, d.pointer, message in d.message) for d in reading.problems],
        message in str(extras.value),
    ]
    row = [("SV001", where, True)]
    expected = [row, row, [("SV001", "/custom/v", True)], row, True]
    assert expected == actual


def test_a_key_that_is_not_a_string_is_refused() -> None:
    """A dict key that is an int is SV001 at that key: JSON object keys are strings."""
    found = validate({"action": {"name": "hangup"}, 1: "one"})
    message = "not JSON: the key 1 is not a string (integer): JSON object keys are strings"
    expected = [("SV001", "/1", message)]
    assert expected == [(d.code, d.pointer, d.message) for d in found]


def test_text_with_a_lone_surrogate_escape_is_refused_where_it_is() -> None:
    """An escaped lone surrogate in text is SV001 at its string; an escaped pair is one character, read."""
    lone = validate('{"action": {"name": "hangup",\n "x": ["ok", "a\\ud800"]}}')
    pair = validate('{"action": {"name": "hangup",\n "x": "\\ud83d\\ude00"}}')
    expected = ([("SV001", 2, 14)], ["SV007"])
    assert expected == ([(d.code, d.line, d.column) for d in lone], [d.code for d in pair])


def test_from_json_and_parse_event_refuse_a_lone_surrogate() -> None:
    """from_json and parse_event refuse text whose string holds a lone surrogate, so to_json never fails."""
    errors = []
    for call in (
        lambda: Svaml.from_json(b'{"action": {"name": "hangup", "x": "\\udc00"}}'),
        lambda: parse_event('{"event": "ice", "callid": "c1", "custom": "\\ud800"}'),
    ):
        with pytest.raises(SvamlError) as caught:
            call()
        errors.append([d.code for d in caught.value.problems])
    expected = [["SV001"], ["SV001"]]
    assert expected == errors


def test_an_unfit_value_stops_the_check_as_text_that_is_not_json_does() -> None:
    """Only SV001 is reported for data holding a set, as for text that is not JSON."""
    found = validate({"action": {"name": "nosuch", "x": {3}}})
    expected = [("SV001", "/action/x")]
    assert expected == _codes(found)


# -- values whose JSON meaning is certain: converted ----------------------------------------------


def test_exact_decimals_tuples_and_mappings_read_as_the_json_they_stand_for() -> None:
    """An integral Decimal reads as an int, an exact one as a float, a tuple as a list, a mapping a dict."""
    from types import MappingProxyType

    doc = Svaml.from_dict(
        {
            "instructions": ({"name": "playFiles", "ids": ("#tts[Hi]",), "locale": "en-US"},),
            "action": MappingProxyType({**PSTN, "maxDuration": Decimal("600"), "x": (Decimal("0.5"), 1)}),
        }
    )
    expected = (
        '{"instructions":[{"name":"playFiles","ids":["#tts[Hi]"],"locale":"en-US"}],'
        '"action":{"name":"connectPstn","number":"+46701234567","maxDuration":600,"x":[0.5,1]}}'
    )
    assert expected == doc.to_json(check=False)


def test_extras_given_in_python_are_kept_as_json() -> None:
    """A model object's extras are converted as read data is: a Decimal of 2.5 is written 2.5."""
    action = Hangup(extras={"note": Decimal("2.5"), "tags": ("a", "b")})
    expected = '{"action":{"name":"hangup","note":2.5,"tags":["a","b"]}}'
    assert expected == Svaml().with_action(action).to_json()


def test_a_decimal_too_long_for_json_is_refused() -> None:
    """An integral Decimal of 4,301 digits is refused as the int it stands for would be."""
    expected = [("SV001", "/action/x")]
    assert expected == _codes(validate({"action": {"name": "hangup", "x": Decimal(10) ** 4300}}))


def test_a_constructor_value_that_is_fine_is_unchanged() -> None:
    """A JSON value read through the codec is the same object when nothing needed converting."""
    data = {"name": "connectPstn", "number": "+46701234567", "maxDuration": 600}
    expected = ConnectPstn(number="+46701234567", max_duration=600)
    assert expected == structure(data, ConnectPstn)


# -- the size limit ---------------------------------------------------------------------------------

BIG = 10 * 1024 * 1024


def _over(limit: int) -> str:
    """A document of lines of 100 characters, a little over ``limit`` bytes."""
    line = '{"name": "say", "text": "' + "x" * 60 + '", "locale": "en-US"},\n'
    count = limit // len(line) + 2
    return '{"instructions": [\n' + line * count + '{"name": "answer"}],\n"action": {"name": "hangup"}}'


def test_a_text_over_the_limit_is_refused_at_the_place_it_passes_it() -> None:
    """Validate of 10 MiB and more is one SV001 at the line and column of the 10,485,761st byte."""
    text = _over(BIG)
    line = text.count("\n", 0, BIG) + 1
    column = BIG - text.rfind("\n", 0, BIG)
    found = validate(text)
    expected = [("SV001", line, column, True)]
    limit = "more than the 10,485,760 bytes svaml reads"
    assert expected == [(d.code, d.line, d.column, limit in d.message) for d in found]


def test_every_text_entry_point_refuses_a_text_over_the_limit() -> None:
    """from_json (str and bytes) and parse_event raise; a smaller max_bytes refuses a smaller text."""
    text = _over(BIG)
    small = '{"event": "ice", "callid": "' + "c" * 2000 + '"}'
    errors = []
    for call in (
        lambda: Svaml.from_json(text),
        lambda: Svaml.from_json(text.encode()),
        lambda: parse_event(text.encode()),
        lambda: parse_event(small, max_bytes=1024),
    ):
        with pytest.raises(SvamlError) as caught:
            call()
        errors.append((type(caught.value).__name__, [d.code for d in caught.value.problems]))
    expected = [("SvamlError", ["SV001"])] * 2 + [("EventError", ["SV001"])] * 2
    assert expected == errors


def test_the_limit_counts_utf8_bytes_and_can_be_lifted() -> None:
    """A text of 3 MiB characters of 4 bytes each passes 10 MiB; max_bytes=None reads it."""
    text = '{"action": {"name": "hangup", "x": "' + "😀" * (3 * 1024 * 1024) + '"}}'
    expected = (["SV001"], ["SV007"])
    assert expected == ([d.code for d in validate(text)], [d.code for d in validate(text, max_bytes=None)])


def test_the_linter_reads_a_file_within_its_own_raised_limit(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The linter with --max-file-size 20M checks an 11 MiB file whole: the default limit does not apply."""
    (tmp_path / "big.json").write_text(_over(BIG), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status = main(["lint", "--isolated", "--max-file-size", "20M", "big.json"])
    expected = (0, "All checks passed!")
    assert expected == (status, capsys.readouterr().out.strip().splitlines()[-1])


def test_a_big_document_with_many_unknown_keys_reports_each_once() -> None:
    """A 2 MB document with 100,000 unknown keys gets 100,000 located SV007 warnings, in text order."""
    item = '{"name":"answer","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":0}'
    text = '{"instructions":[' + ",\n".join([item] * 10_000) + '],"action":{"name":"hangup"}}'
    found = [d for d in validate(text) if d.code == "SV007"]
    lines = [d.line for d in found]
    expected = (100_000, True, 1, 10_000)
    assert expected == (len(found), lines == sorted(lines), lines[0], lines[-1])


# -- property tests: fuzzed Python values ---------------------------------------------------------

_ODD = st.one_of(
    st.integers(min_value=10**4290, max_value=10**4310),
    st.floats(),
    st.decimals(),
    st.datetimes(),
    st.sets(st.integers(), max_size=2),
    st.binary(max_size=4),
    st.fractions(),
    st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=3),
)
_KEYS = st.text(max_size=6) | st.integers() | st.none() | st.tuples(st.integers())


def _python_values(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.tuples(inner) | st.dictionaries(_KEYS, inner, max_size=3)


PYTHON_VALUES = st.recursive(json_values(max_leaves=5) | _ODD, _python_values, max_leaves=8)
ACTIONS = st.sampled_from(
    [{"name": "hangup"}, dict(PSTN), {"name": "runMenu", "menus": [{"id": "main", "options": []}]}]
)


@st.composite
def documents_with_odd_values(draw: st.DrawFn) -> dict[Any, Any]:
    """A document whose action, instructions or root carry fuzzed Python values, known fields or not."""
    action = dict(draw(ACTIONS))
    field = draw(st.sampled_from(["maxDuration", "number", "x", "locale", "name"]))
    action[field] = draw(PYTHON_VALUES)
    doc: dict[Any, Any] = {"action": action}
    if draw(st.booleans()):
        doc["instructions"] = [{"name": "say", "text": draw(PYTHON_VALUES)}]
    if draw(st.booleans()):
        doc[draw(_KEYS)] = draw(PYTHON_VALUES)
    return doc


@settings(max_examples=300, deadline=None)
@given(documents_with_odd_values())
def test_fuzzed_python_values_never_break_an_entry_point(doc: dict[Any, Any]) -> None:
    """Validate never raises nor says SV000; from_dict raises only SvamlError; what it reads, it writes."""
    found = validate(doc)
    written = printed = True
    try:
        built = Svaml.from_dict(doc)
    except SvamlError:
        pass
    else:
        written = isinstance(built.to_json(check=False), str)
        printed = isinstance(repr(built), str)
    expected = (False, True, True)
    assert expected == (any(d.code == "SV000" for d in found), written, printed)


@settings(max_examples=300, deadline=None)
@given(PYTHON_VALUES, st.sampled_from(["duration", "custom", "callid", "x", "timestamp"]))
def test_fuzzed_event_mappings_raise_only_event_errors(value: Any, field: str) -> None:
    """parse_event of a mapping with any value raises only EventError; an event it reads prints and writes."""
    try:
        event = parse_event({"event": "dice", "callid": "c1", field: value})
    except EventError:
        return
    from svaml.codec import to_json

    expected = (True, True)
    assert expected == (isinstance(repr(event), str), isinstance(to_json(event), str))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, PYTHON_VALUES, max_size=3))
def test_fuzzed_extras_are_json_or_refused(extras: dict[Any, Any]) -> None:
    """Extras given to a model class are refused with SvamlTypeError, or written and printed."""
    try:
        action = Hangup(extras=extras)
    except SvamlTypeError:
        return
    doc = Svaml().with_action(action)
    expected = (True, True)
    assert expected == (isinstance(doc.to_json(), str), isinstance(repr(action), str))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.eE-+ tfnaulrsNIy\\ud', max_size=60))
def test_fuzzed_texts_never_break_validate_or_the_readers(text: str) -> None:
    """Validate never says SV000 on fuzzed text; from_json and parse_event raise only svaml's errors."""
    found = validate('{"action": {"name": "hangup", "x": ' + text + "}}")
    raised: set[type[Exception]] = set()
    for call in (lambda: Svaml.from_json(text), lambda: parse_event(text)):
        try:
            call()
        except Exception as exc:  # what is raised is the point
            raised.add(type(exc))
    expected = (False, True)
    assert expected == (any(d.code == "SV000" for d in found), all(issubclass(t, SvamlError) for t in raised))

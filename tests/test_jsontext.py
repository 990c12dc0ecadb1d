"""Tests for svaml._jsontext: decoding once, duplicate keys, problems and pointer positions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml._jsontext import (
    Decoded,
    Duplicate,
    Problem,
    Span,
    decode,
    locate,
    locate_key,
    locate_many,
    position,
)
from svaml.diagnostic import pointer

EXTRA = "extra data after the JSON value (a document holds exactly one value)"

DOC = """{
  "instructions": [
    {"name": "say", "text": "Hello", "locale": "en-US"},
    {"name": "answer"}
  ],
  "action": {"name": "hangup"},
  "action": {"name": "x/y", "a~b": [1, 2]}
}
"""


def _slice(text: str, span: Span) -> str:
    lines = text.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    parts = [lines[span.line - 1][span.column - 1 :]]
    parts.extend(lines[span.line : span.end_line - 1])
    parts.append(lines[span.end_line - 1][: span.end_column - 1])
    return "\n".join(parts)


def test_decode_returns_value_without_problem() -> None:
    """A valid document decodes to its value with no duplicates and no problem."""
    assert Decoded({"action": {"name": "hangup"}}, (), None) == decode('{"action": {"name": "hangup"}}')


def test_decode_reports_duplicate_keys_with_object_pointer_and_spans() -> None:
    """Repeated keys are reported per object, with the span of each occurrence of the key."""
    expected = (Duplicate("", "action", (Span(6, 3, 6, 11), Span(7, 3, 7, 11))),)
    decoded = decode(DOC)
    assert expected == decoded.duplicates
    kept = {"name": "x/y", "a~b": [1, 2]}
    assert kept == decoded.value["action"]


def test_decode_reports_nested_duplicates_in_text_order() -> None:
    """Duplicates deep inside arrays and objects carry their object's pointer, ordered by repeat."""
    decoded = decode('{"a": 1, "b": {"x": [1, {"y": 1, "y": 2}]}, "a": 3}')
    expected = [("/b/x/1", "y", "/b/x/1/y"), ("", "a", "/a")]
    assert expected == [(d.pointer, d.key, d.key_pointer) for d in decoded.duplicates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Problem("empty document: expected a JSON value", 1, 1, 0)),
        ("  \n ", Problem("empty document: expected a JSON value", 2, 2, 4)),
        ('{"a": 1,}', Problem("trailing comma: remove the ',' before this", 1, 9, 8)),
        ("[1,\n 2,\n]", Problem("trailing comma: remove the ',' before this", 3, 1, 8)),
        ('{"a": NaN}', Problem("NaN is not allowed in JSON", 1, 7, 6)),
        ('["Infinity", -Infinity]', Problem("-Infinity is not allowed in JSON", 1, 14, 13)),
        ("{'a': 1}", Problem("expected a property name in double quotes", 1, 2, 1)),
        ('{"a" 1}', Problem("expecting ':' delimiter", 1, 6, 5)),
        ("[1 2]", Problem("expecting ',' delimiter", 1, 4, 3)),
        ("{} {}", Problem(EXTRA, 1, 4, 3)),
        ('"abc', Problem("unterminated string", 1, 1, 0)),
        ("\ufeff{}", Problem("the text starts with a byte order mark (U+FEFF)", 1, 1, 0)),
        ("[tru]", Problem("expected a JSON value", 1, 2, 1)),
    ],
)
def test_decode_reports_problem_with_position(text: str, expected: Problem) -> None:
    """Every kind of invalid text yields one problem with its 1-based line and column."""
    assert Decoded(None, (), expected) == decode(text)


def test_decode_reports_control_character_in_string() -> None:
    """A raw newline inside a string is a problem at the newline."""
    problem = decode('{"a": "x\ny"}').problem
    expected = (1, 9, True)
    assert problem is not None
    assert expected == (
        problem.line,
        problem.column,
        problem.message.startswith("invalid control character"),
    )


def test_decode_survives_100000_levels_of_nesting() -> None:
    """Deep nesting is a clean problem at the bracket where it gets too deep, not a crash."""
    problem = decode("[" * 100_000 + "]" * 100_000).problem
    assert Problem("nested too deeply to check (more than 500 levels)", 1, 501, 500) == problem


def test_decode_survives_overlong_integers() -> None:
    """An integer longer than Python converts is a problem at the integer."""
    problem = decode("[1,\n " + "9" * 5000 + "]").problem
    expected = (2, 2)
    assert problem is not None
    assert expected == (problem.line, problem.column)


def test_decode_handles_huge_string_quickly() -> None:
    """A 20-million-character string decodes in well under a second."""
    started = time.perf_counter()
    decoded = decode('{"a": "' + "x" * 20_000_000 + '"}')
    expected = (None, 20_000_000)
    assert expected == (decoded.problem, len(decoded.value["a"]))
    assert time.perf_counter() - started < 2


def test_locate_many_finds_values_containers_and_escaped_keys() -> None:
    """Spans cover the whole value; escaped pointer tokens and arrays are followed."""
    spans = locate_many(
        DOC,
        ["", "/instructions", "/instructions/1", "/instructions/0/text", "/action/a~0b/1"],
    )
    expected = {
        "": Span(1, 1, 8, 2),
        "/instructions": Span(2, 19, 5, 4),
        "/instructions/1": Span(4, 5, 4, 23),
        "/instructions/0/text": Span(3, 29, 3, 36),
        "/action/a~0b/1": Span(7, 40, 7, 41),
    }
    assert expected == spans
    hello = spans["/instructions/0/text"]
    quoted = '"Hello"'
    assert hello is not None
    assert quoted == _slice(DOC, hello)


def test_locate_finds_last_occurrence_of_duplicate_key() -> None:
    """With a repeated key, the located value is the last one, the one decoding keeps."""
    span = locate(DOC, "/action/name")
    assert span is not None
    expected = '"x/y"'
    assert expected == _slice(DOC, span)


def test_locate_returns_none_for_missing_or_malformed_pointers() -> None:
    """Pointers that name nothing, or are not pointers, give None."""
    expected = {"/nope": None, "/instructions/9": None, "x": None, "/instructions/01": None}
    assert expected == locate_many(DOC, list(expected))


def test_locate_nearest_falls_back_to_deepest_existing_ancestor() -> None:
    """With nearest, a missing member is placed at its closest ancestor that exists."""
    assert Span(4, 5, 4, 23) == locate(DOC, "/instructions/1/text", nearest=True)
    assert Span(1, 1, 8, 2) == locate(DOC, "/missing/deeper", nearest=True)


def test_locate_key_picks_occurrences() -> None:
    """locate_key returns the span of the n-th occurrence of a key, None past the end."""
    assert Span(6, 3, 6, 11) == locate_key(DOC, "/action", 0)
    assert Span(7, 3, 7, 11) == locate_key(DOC, "/action", -1)
    assert None is locate_key(DOC, "/action", 2)
    assert None is locate_key(DOC, "", 0)


@pytest.mark.parametrize(
    "text",
    ["", "{", '{"a": [1, 2', '{"a": }', "[1,,2]", '{"a" "b"}', "nul", '"\\', "[" * 100_000],
)
def test_locate_never_raises_on_broken_text(text: str) -> None:
    """Locating in invalid text returns spans or None, never an exception."""
    result = locate_many(text, ["", "/a", "/0", "/a/0/b"], nearest=True)
    assert {"", "/a", "/0", "/a/0/b"} == set(result)


def test_locate_handles_deep_nesting_without_recursion() -> None:
    """The scanner is iterative: a pointer 10,000 levels deep is found."""
    text = "[" * 10_000 + "7" + "]" * 10_000
    assert Span(1, 10_001, 1, 10_002) == locate(text, "/0" * 10_000)


def test_locate_many_is_one_pass_on_big_documents() -> None:
    """Hundreds of pointers into a 5 MB document resolve in well under a second."""
    doc = {"instructions": [{"name": "say", "text": "x" * 100} for _ in range(40_000)]}
    text = json.dumps(doc, indent=2)
    pointers = [f"/instructions/{i}/text" for i in range(0, 40_000, 100)]
    started = time.perf_counter()
    spans = locate_many(text, pointers)
    elapsed = time.perf_counter() - started
    assert all(span is not None for span in spans.values())
    assert elapsed < 1.5


def test_position_counts_lines_and_columns_from_one() -> None:
    """position() turns an offset into a 1-based line and column."""
    expected = [(1, 1), (1, 3), (2, 1), (2, 2)]
    assert expected == [position("ab\ncd", i) for i in (0, 2, 3, 4)]


def _pointers(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    yield prefix, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _pointers(item, prefix + pointer(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, prefix + pointer(index))


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab/~"\\ \n{}[]é', max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@given(value=_JSON, indent=st.sampled_from([None, 0, 2, 4, "\t"]), ascii_only=st.booleans())
def test_every_located_span_decodes_to_the_value_at_its_pointer(
    value: Any, indent: int | str | None, ascii_only: bool
) -> None:
    """For any JSON value and layout, each pointer's span holds exactly that value's text."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    expected = dict(_pointers(value))
    spans = locate_many(text, list(expected))
    actual = {p: json.loads(_slice(text, span)) for p, span in spans.items() if span is not None}
    assert expected == actual


@given(text=st.text(alphabet='{}[]":,0123456789.eE+-truefalsnl \n\\"ab', max_size=60))
def test_decode_and_locate_never_raise_on_arbitrary_text(text: str) -> None:
    """Any text gives either a value or a problem, and locating in it does not raise."""
    decoded = decode(text)
    assert (decoded.problem is None) == _is_json(text)
    locate_many(text, ["", "/0", "/a", "/a/0"], nearest=True)


def _is_json(text: str) -> bool:
    try:
        json.loads(text, parse_constant=lambda name: 1 / 0)
    except (ValueError, ZeroDivisionError, RecursionError):
        return False
    return True

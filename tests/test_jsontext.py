"""Tests for svaml._jsontext: where a JSON pointer's value or key lies in a text, and which keys repeat."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml._json import decode_jsonc
from svaml._jsontext import (
    Duplicate,
    Span,
    blank_jsonc,
    locate,
    locate_key,
    locate_keys,
    locate_many,
    position,
    repeated_keys,
)
from svaml.diagnostic import pointer

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


def test_repeated_keys_are_found_per_object_with_each_occurrence() -> None:
    """Repeated keys are found per object, with the span of each occurrence of the key."""
    expected = (Duplicate("", "action", (Span(6, 3, 6, 11), Span(7, 3, 7, 11))),)
    assert expected == repeated_keys(DOC)


def test_repeated_keys_are_found_deep_inside_in_text_order() -> None:
    """Repeats inside arrays and objects carry their object's pointer, ordered by where they repeat."""
    found = repeated_keys('{"a": 1, "b": {"x": [1, {"y": 1, "y": 2}]}, "a": 3}')
    expected = [("/b/x/1", "y", "/b/x/1/y", "at 1:26 and 1:34"), ("", "a", "/a", "at 1:2 and 1:45")]
    assert expected == [(d.pointer, d.key, d.key_pointer, d.where) for d in found]


def test_escaped_keys_are_compared_as_decoded() -> None:
    """Two spellings of one key (one with escapes) are the same key, and pointers escape ~ and /."""
    found = repeated_keys('{"a/~": 1, "a\\u002f~": 2}')
    expected = [("/a~1~0", 2)]
    assert expected == [(d.key_pointer, len(d.spans)) for d in found]


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


def test_locate_keys_finds_many_keys_in_one_pass() -> None:
    """locate_keys gives each key's last occurrence, as locate_key does, and None for no such key."""
    pointers = ["/action", "/action/a~0b", "/instructions/0/text", "/nope", "", "x"]
    expected = {p: locate_key(DOC, p) for p in pointers}
    assert expected == locate_keys(DOC, pointers)
    assert None is expected["/nope"]


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
def test_locating_never_raises_on_arbitrary_text(text: str) -> None:
    """Locating pointers and repeated keys in any text returns, never raises."""
    found = locate_many(text, ["", "/0", "/a", "/a/0"], nearest=True)
    expected = ({"", "/0", "/a", "/a/0"}, True)
    assert expected == (set(found), isinstance(repeated_keys(text), tuple))


_COMMENTS = ["", " ", "// ] } [ { \" , //\n", "/* ] } \" , * / */", "/**/", "\n  // x\n  "]


def _jsonc(value: Any, pick: random.Random) -> str:
    """Write a value as JSONC: comments between every two tokens, and sometimes a trailing comma."""

    def gap() -> str:
        return pick.choice(_COMMENTS)

    if isinstance(value, dict):
        members = [
            gap() + json.dumps(k) + gap() + ":" + gap() + _jsonc(v, pick) + gap() for k, v in value.items()
        ]
        trailing = "," if members and pick.random() < 0.5 else ""
        return "{" + ",".join(members) + trailing + gap() + "}"
    if isinstance(value, list):
        items = [gap() + _jsonc(v, pick) + gap() for v in value]
        trailing = "," if items and pick.random() < 0.5 else ""
        return "[" + ",".join(items) + trailing + gap() + "]"
    return json.dumps(value)


@given(value=_JSON, seed=st.integers(0, 2**32))
def test_jsonc_spans_hold_their_values_and_blanking_keeps_every_offset(value: Any, seed: int) -> None:
    """In JSONC each span holds its value's text, comments and all; the blanked text decodes to the value."""
    text = "// head\n" + _jsonc(value, random.Random(seed)) + " /* tail */"
    blanked, unclosed = blank_jsonc(text)
    expected = dict(_pointers(value))
    spans = locate_many(text, list(expected))
    actual = {p: decode_jsonc(_slice(text, span)).value for p, span in spans.items() if span is not None}
    assert (expected, value, len(text), -1) == (actual, json.loads(blanked), len(blanked), unclosed)

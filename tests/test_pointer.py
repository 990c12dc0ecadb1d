"""Tests for the one JSON-pointer escaper (RFC 6901) and the pointers diagnostics carry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import validate
from svaml.diagnostic import escape_pointer, pointer, unescape_pointer


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ((), ""),
        (("action", "menus", 0), "/action/menus/0"),
        (("a/b", "m~n", "~1"), "/a~1b/m~0n/~01"),
        (("",), "/"),
    ],
)
def test_pointer_joins_escaped_tokens(tokens: tuple[str | int, ...], expected: str) -> None:
    """``~`` becomes ``~0`` before ``/`` becomes ``~1``, so that every token reads back as written."""
    assert expected == pointer(*tokens)


@given(st.lists(st.one_of(st.text(max_size=8), st.integers(0, 99)), max_size=5))
def test_pointer_reads_back_token_by_token(tokens: list[str | int]) -> None:
    """Split at ``/`` and unescaped (``~1`` then ``~0``), a pointer gives back its tokens."""
    parts = pointer(*tokens).split("/")[1:]
    expected = ([str(token) for token in tokens], [escape_pointer(token) for token in tokens])
    assert expected == ([part.replace("~1", "/").replace("~0", "~") for part in parts], parts)


def test_diagnostics_point_at_escaped_keys() -> None:
    """An unknown key with ``/`` or ``~``, at the top or in the action, is reported at its escaped pointer."""
    document = {"action": {"name": "hangup", "x/y": 2, "m~n": 3}, "a/b~c": 1}
    expected = ["/action/m~0n", "/action/x~1y", "/a~1b~0c"]
    assert expected == sorted(d.pointer for d in validate(document) if d.code == "SV007")


@given(st.text(max_size=12))
def test_unescape_reads_back_what_escape_writes(token: str) -> None:
    """unescape_pointer is the inverse of escape_pointer for any token."""
    assert token == unescape_pointer(escape_pointer(token))

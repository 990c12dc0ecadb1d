"""JSON text: decode it once, and find where a JSON pointer lies in it.

The linter and the validator decode a document once with :func:`decode`, which also reports
duplicate keys (``json`` silently keeps the last one) and turns every failure into a
:class:`Problem` with a 1-based line and column. Positions of values are computed only when a
document has diagnostics, by :func:`locate_many`: one pass over the text that enters only the
containers on the way to the pointers asked for and skips everything else with regular
expressions. Nothing here raises, whatever the text; this module uses the standard library only.

Columns count characters (code points) from 1; a :class:`Span`'s end is exclusive, as in ruff.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from collections.abc import Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, NamedTuple

__all__ = [
    "Decoded",
    "Duplicate",
    "Problem",
    "Span",
    "decode",
    "key_offsets",
    "locate",
    "locate_key",
    "locate_many",
    "position",
    "value_offsets",
]

# A RecursionError from json is reported at the first bracket deeper than this.
_DEEP = 500

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# Strings are matched whole so that brackets inside them are not counted.
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)
_SCALAR = re.compile(r'[^ \t\n\r,:\[\]{}"]+')
_CONSTANT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)', re.S)


class Span(NamedTuple):
    """Where a value lies in the text: 1-based start line and column, exclusive end."""

    line: int
    column: int
    end_line: int
    end_column: int


class Problem(NamedTuple):
    """Why the text is not a JSON value, and where (1-based line and column, 0-based offset)."""

    message: str
    line: int
    column: int
    offset: int


class Duplicate(NamedTuple):
    """A key that appears more than once in one object.

    ``pointer`` is the object's JSON pointer, ``spans`` the position of each occurrence of the
    key (the key string itself), in text order; ``json`` keeps the value of the last one.
    """

    pointer: str
    key: str
    spans: tuple[Span, ...]

    @property
    def key_pointer(self) -> str:
        """The JSON pointer of the key's value (the last occurrence's, as decoding keeps it)."""
        return self.pointer + "/" + _escape(self.key)


class Decoded(NamedTuple):
    """The result of :func:`decode`: the value, the duplicate keys, or the problem."""

    value: Any
    duplicates: tuple[Duplicate, ...] = ()
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        """Whether the text decoded to a value."""
        return self.problem is None


class _Constant(Exception):
    """NaN or Infinity: Python's json accepts them, JSON does not."""


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


class _Repeated(Exception):
    """A key repeated in an object: decoding starts again, keeping the last value."""


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Repeated
    return obj


# One shared decoder for the common case; its hook holds no state, so threads may share it.
_DECODER = json.JSONDecoder(object_pairs_hook=_strict_pairs, parse_constant=_reject_constant)
_LENIENT = json.JSONDecoder(parse_constant=_reject_constant)


def decode(text: str) -> Decoded:
    """Decode JSON text into Python values, reporting duplicate keys and problems; never raises."""
    repeated = False
    try:
        try:
            value = _DECODER.decode(text)
        except _Repeated:
            repeated = True
            value = _LENIENT.decode(text)
    except json.JSONDecodeError as exc:
        return Decoded(None, (), _syntax_problem(text, exc))
    except _Constant as exc:
        offset = _first_group(_CONSTANT, text)
        return Decoded(None, (), _problem(text, f"{exc} is not allowed in JSON", offset))
    except RecursionError:
        offset, depth = _deep_offset(text)
        message = f"nested too deeply to check (more than {depth} levels)"
        return Decoded(None, (), _problem(text, message, offset))
    except (ValueError, TypeError, MemoryError) as exc:
        # Integers longer than sys.get_int_max_str_digits() end up here.
        if "digits" in str(exc):
            message = "integer too long to convert (more digits than Python allows by default)"
            return Decoded(None, (), _problem(text, message, _long_int_offset(text)))
        return Decoded(None, (), _problem(text, str(exc) or type(exc).__name__, 0))
    duplicates = _duplicates(text) if repeated else ()
    return Decoded(value, duplicates, None)


def _syntax_problem(text: str, exc: json.JSONDecodeError) -> Problem:
    msg, pos = exc.msg, exc.pos
    if text.startswith("\ufeff"):
        return Problem("the text starts with a byte order mark (U+FEFF)", 1, 1, 0)
    if not text.strip():
        return Problem("empty document: expected a JSON value", exc.lineno, exc.colno, pos)
    if msg.startswith(("Expecting value", "Expecting property name")):
        before = text[:pos].rstrip(" \t\r\n")
        if before.endswith(","):
            msg = "trailing comma: remove the ',' before this"
        elif msg.startswith("Expecting property name"):
            msg = "expected a property name in double quotes"
        else:
            msg = "expected a JSON value"
    elif msg.startswith("Extra data"):
        msg = "extra data after the JSON value (a document holds exactly one value)"
    elif msg.startswith("Invalid control character"):
        msg = "invalid control character in a string (write newlines and tabs as \\n and \\t)"
    elif msg.startswith("Unterminated string"):
        msg = "unterminated string"
    else:
        msg = msg[:1].lower() + msg[1:]
    return Problem(msg, exc.lineno, exc.colno, pos)


def _problem(text: str, message: str, offset: int) -> Problem:
    line, column = position(text, offset)
    return Problem(message, line, column, offset)


def _first_group(pattern: re.Pattern[str], text: str) -> int:
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            return match.start(1)
    return 0


def _long_int_offset(text: str) -> int:
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    pattern = re.compile(_STRING.pattern + f"|(-?[0-9]{{{limit + 1},}})", re.S)
    return _first_group(pattern, text)


def _deep_offset(text: str) -> tuple[int, int]:
    depth = 0
    for match in _BRACKETS.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > _DEEP:
                return match.start(), _DEEP
        elif char in "]}":
            depth -= 1
    return 0, sys.getrecursionlimit()


def position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class _Lines:
    """Offset to line and column, with an index of line starts once many are asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0
        self.starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        self.asked += 1
        if self.starts is None:
            if self.asked <= 8:
                return position(self.text, offset)
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _skip(text: str, pos: int) -> int:
    """Return the end offset of the value starting at ``pos``, or -1 when there is none."""
    char = text[pos : pos + 1]
    if char == '"':
        match = _STRING.match(text, pos)
        return match.end() if match else -1
    if char == "{" or char == "[":
        depth = 0
        for match in _BRACKETS.finditer(text, pos):
            char = text[match.start()]
            if char == "{" or char == "[":
                depth += 1
            elif char != '"':
                depth -= 1
                if depth == 0:
                    return match.end()
        return -1
    match = _SCALAR.match(text, pos)
    return match.end() if match else -1


class _Frame:
    __slots__ = ("index", "is_object", "keys", "pointer", "start")

    def __init__(self, is_object: bool, pointer: str, start: int, record_keys: bool) -> None:
        self.is_object = is_object
        self.pointer = pointer
        self.start = start
        self.index = 0
        self.keys: dict[str, list[tuple[int, int]]] | None = {} if record_keys else None


class _Scan(NamedTuple):
    values: dict[str, tuple[int, int]]
    keys: dict[str, dict[str, list[tuple[int, int]]]]


def _scan(
    text: str,
    targets: set[str],
    enter: set[str],
    *,
    keys_of: set[str] | None = None,
    everything: bool = False,
) -> _Scan:
    """Walk the text once, entering only the containers in ``enter`` (all when ``everything``).

    Records the offsets of the values whose pointers are in ``targets`` (the last one wins, as
    in decoding) and the key offsets of the objects in ``keys_of`` (every object when
    ``everything``). Stops quietly where the text is not JSON.
    """
    values: dict[str, tuple[int, int]] = {}
    keys: dict[str, dict[str, list[tuple[int, int]]]] = {}
    stack: list[_Frame] = []
    pos = _skip_ws(text, 0)
    ptr = ""
    while True:
        # A value starts at pos; its pointer is ptr.
        char = text[pos : pos + 1]
        opened = False
        if (char == "{" or char == "[") and (everything or ptr in enter):
            record = everything or (keys_of is not None and ptr in keys_of)
            frame = _Frame(char == "{", ptr, pos, record)
            if frame.keys is not None:
                keys[ptr] = frame.keys
            pos = _skip_ws(text, pos + 1)
            if text[pos : pos + 1] == ("}" if frame.is_object else "]"):
                pos += 1
                if ptr in targets:
                    values[ptr] = (frame.start, pos)
            else:
                stack.append(frame)
                opened = True
        else:
            end = _skip(text, pos)
            if end < 0:
                return _Scan(values, keys)
            if ptr in targets:
                values[ptr] = (pos, end)
            pos = end
        if not opened:
            # Close finished containers until one has a further member.
            while True:
                if not stack:
                    return _Scan(values, keys)
                frame = stack[-1]
                pos = _skip_ws(text, pos)
                char = text[pos : pos + 1]
                if char == ",":
                    pos = _skip_ws(text, pos + 1)
                    break
                if char != ("}" if frame.is_object else "]"):
                    return _Scan(values, keys)
                pos += 1
                stack.pop()
                if frame.pointer in targets:
                    values[frame.pointer] = (frame.start, pos)
        frame = stack[-1]
        if frame.is_object:
            if text[pos : pos + 1] != '"':
                return _Scan(values, keys)
            try:
                key, key_end = scanstring(text, pos + 1, False)
            except (ValueError, RecursionError):
                return _Scan(values, keys)
            if frame.keys is not None:
                frame.keys.setdefault(key, []).append((pos, key_end))
            pos = _skip_ws(text, key_end)
            if text[pos : pos + 1] != ":":
                return _Scan(values, keys)
            pos = _skip_ws(text, pos + 1)
            ptr = frame.pointer + "/" + _escape(key)
        else:
            ptr = frame.pointer + "/" + str(frame.index)
            frame.index += 1


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _duplicates(text: str) -> tuple[Duplicate, ...]:
    try:
        scan = _scan(text, set(), set(), everything=True)
    except (RecursionError, MemoryError):
        return ()
    lines = _Lines(text)
    found: list[tuple[int, Duplicate]] = []
    for obj_pointer, keys in scan.keys.items():
        for key, offsets in keys.items():
            if len(offsets) > 1:
                spans = tuple(lines.span(start, end) for start, end in offsets)
                found.append((offsets[1][0], Duplicate(obj_pointer, key, spans)))
    found.sort(key=lambda item: item[0])  # in the order the repeats appear
    return tuple(dup for _, dup in found)


def _ancestors(pointer: str) -> list[str]:
    """Return the proper ancestors of a pointer, from the root: ``/a/b`` -> ``["", "/a"]``."""
    result = [""]
    index = pointer.find("/", 1)
    while index > 0:
        result.append(pointer[:index])
        index = pointer.find("/", index + 1)
    return result if pointer else []


def value_offsets(text: str, pointers: Iterable[str]) -> dict[str, tuple[int, int] | None]:
    """Find the start and end character offsets of the values at JSON pointers, in one pass."""
    wanted = {p for p in pointers if p == "" or p.startswith("/")}
    result: dict[str, tuple[int, int] | None] = dict.fromkeys(pointers)
    enter: set[str] = set()
    for p in wanted:
        enter.update(_ancestors(p))
    try:
        scan = _scan(text, wanted, enter)
    except (RecursionError, MemoryError):
        return result
    result.update((p, scan.values.get(p)) for p in wanted)
    return result


def key_offsets(text: str, pointer: str, occurrence: int = -1) -> tuple[int, int] | None:
    """Find the offsets of the key string that the last token of ``pointer`` names.

    ``occurrence`` picks one of the key's occurrences in its object when it is repeated (0 is
    the first, -1 the last). ``None`` when the parent is not an object with such a key.
    """
    if not pointer.startswith("/"):
        return None
    cut = pointer.rfind("/")
    parent, token = pointer[:cut], pointer[cut + 1 :]
    key = token.replace("~1", "/").replace("~0", "~")
    try:
        scan = _scan(text, set(), {parent, *_ancestors(parent)}, keys_of={parent})
    except (RecursionError, MemoryError):
        return None
    offsets = scan.keys.get(parent, {}).get(key, [])
    if not -len(offsets) <= occurrence < len(offsets):
        return None
    return offsets[occurrence]


def locate_many(text: str, pointers: Iterable[str], *, nearest: bool = False) -> dict[str, Span | None]:
    """Find the spans of the values at many JSON pointers in one pass over the text.

    A pointer that names no value maps to ``None``, or with ``nearest`` to the span of its
    deepest ancestor that exists. Where a key is repeated, the last occurrence's value is the
    one found, as decoding keeps it. Never raises.
    """
    wanted = {p for p in pointers if p == "" or p.startswith("/")}
    result: dict[str, Span | None] = dict.fromkeys(pointers)
    if not wanted:
        return result
    enter: set[str] = set()
    for p in wanted:
        enter.update(_ancestors(p))
    targets = wanted | enter if nearest else wanted
    try:
        scan = _scan(text, targets, enter)
    except (RecursionError, MemoryError):
        return result
    lines = _Lines(text)
    for p in wanted:
        offsets = scan.values.get(p)
        if offsets is None and nearest:
            for ancestor in reversed(_ancestors(p)):
                offsets = scan.values.get(ancestor)
                if offsets is not None:
                    break
        if offsets is not None:
            result[p] = lines.span(*offsets)
    return result


def locate(text: str, pointer: str, *, nearest: bool = False) -> Span | None:
    """Find the span of the value at a JSON pointer (see :func:`locate_many`); never raises."""
    return locate_many(text, (pointer,), nearest=nearest)[pointer]


def locate_key(text: str, pointer: str, occurrence: int = -1) -> Span | None:
    """Find the span of a key in the text: the last token of ``pointer`` in its parent object.

    ``occurrence`` picks one of the key's occurrences in that object when it is repeated
    (0 is the first, -1 the last). ``None`` when there is no such key or occurrence.
    """
    offsets = key_offsets(text, pointer, occurrence)
    return None if offsets is None else _Lines(text).span(*offsets)

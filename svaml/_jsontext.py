"""Positions in JSON text: where a JSON pointer's value or key lies, and which keys repeat.

The one JSON policy (:mod:`svaml._json`) decodes; this module only finds places, for the
diagnostics of documents that have some. :func:`locate_many` makes one pass over the text that
enters only the containers on the way to the pointers asked for and skips everything else with
regular expressions. Nothing here raises, whatever the text.

Positions are also right in JSONC (JSON with ``//`` and ``/* */`` comments and trailing commas,
as VS Code reads it): the walk skips comments as whitespace and takes a comma before a closing
bracket as the end of its container. :func:`blank_jsonc` turns JSONC into JSON of the same
length, which is how the JSON policy decodes it (:func:`svaml._json.decode_jsonc`).

Columns count characters (code points) from 1; a :class:`Span`'s end is exclusive, as in ruff.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import NamedTuple

from svaml.diagnostic import escape_pointer, unescape_pointer

__all__ = [
    "Duplicate",
    "Offsets",
    "Span",
    "blank_jsonc",
    "bracket_offset",
    "comment_spans",
    "integer_offset",
    "key_offsets",
    "locate",
    "locate_key",
    "locate_keys",
    "locate_many",
    "members",
    "position",
    "repeated_keys",
    "token_offset",
    "value_offsets",
]

# Whitespace, and the comments of JSONC (JSON text has none, so they cost nothing there).
# A comment cannot end early or late when a pattern around it backtracks: `//` runs to the end of
# its line, and `/* */` to the first `*/`.
_WS = re.compile(r"[ \t\n\r]*(?:(?://[^\n]*(?![^\n])|/\*(?:[^*]|\*(?!/))*\*/)[ \t\n\r]*)*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# Strings and comments are matched whole so that brackets inside them are not counted.
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|//[^\n]*|/\*.*?\*/|[\[\]{}]', re.S)
_SCALAR = re.compile(r'[^ \t\n\r,:\[\]{}"/]+')
# A comment outside strings (group 1; an unclosed /* runs to the end), or a trailing comma
# (group 2: a comma before a closing bracket, with only whitespace or comments between).
_JSONC = re.compile(
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|(//[^\n]*|/\*.*?(?:\*/|\Z))|(,)(?=' + _WS.pattern + r"[\]}])", re.S
)
# A number, NaN or Infinity outside strings (group 1).
_NUMBER = re.compile(
    _STRING.pattern + r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|-?Infinity|NaN)", re.S
)
# Keys may hold raw control characters here: positions are wanted even in text that is not JSON.
_LOOSE = json.JSONDecoder(strict=False)


class Span(NamedTuple):
    """Where a value lies in the text: 1-based start line and column, exclusive end."""

    line: int
    column: int
    end_line: int
    end_column: int


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
        return self.pointer + "/" + escape_pointer(self.key)

    @property
    def where(self) -> str:
        """Every occurrence's line and column, in words: ``at 2:3 and 5:3``."""
        places = [f"{span.line}:{span.column}" for span in self.spans]
        return "at " + ", ".join(places[:-1]) + " and " + places[-1]


def token_offset(text: str, token: str) -> int:
    """The offset of the first number or constant (``NaN``, ``Infinity``) spelt ``token``, else 0."""
    for match in _NUMBER.finditer(text):
        if match.group(1) == token:
            return match.start(1)
    return 0


def integer_offset(text: str, digits: int) -> int:
    """The offset of the first integer of at least ``digits`` digits, else 0."""
    for match in _NUMBER.finditer(text):
        number = (match.group(1) or "").lstrip("-")
        if len(number) >= digits and number.isdigit():
            return match.start(1)
    return 0


def bracket_offset(text: str, depth: int) -> int:
    """The offset of the first bracket that opens a container ``depth`` levels deep, else 0."""
    level = 0
    for match in _BRACKETS.finditer(text):
        char = text[match.start()]
        if char == "[" or char == "{":
            level += 1
            if level >= depth:
                return match.start()
        elif char == "]" or char == "}":
            level -= 1
    return 0


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
            elif char == "}" or char == "]":
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
    members_of: set[str] | None = None,
) -> _Scan:
    """Walk the text once, entering only the containers in ``enter`` (all when ``everything``).

    Records the offsets of the values whose pointers are in ``targets`` or whose container is in
    ``members_of`` (the last one wins, as in decoding) and the key offsets of the objects in
    ``keys_of`` (every object when ``everything``). Stops quietly where the text is not JSON.
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
                if ptr in targets or (members_of and stack and stack[-1].pointer in members_of):
                    values[ptr] = (frame.start, pos)
            else:
                stack.append(frame)
                opened = True
        else:
            end = _skip(text, pos)
            if end < 0:
                return _Scan(values, keys)
            if ptr in targets or (members_of and stack and stack[-1].pointer in members_of):
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
                closer = "}" if frame.is_object else "]"
                if char == ",":
                    pos = _skip_ws(text, pos + 1)
                    if text[pos : pos + 1] != closer:
                        break
                    char = closer  # a trailing comma (JSONC): the container ends here
                if char != closer:
                    return _Scan(values, keys)
                pos += 1
                stack.pop()
                if frame.pointer in targets or (members_of and stack and stack[-1].pointer in members_of):
                    values[frame.pointer] = (frame.start, pos)
        frame = stack[-1]
        if frame.is_object:
            if text[pos : pos + 1] != '"':
                return _Scan(values, keys)
            match = _STRING.match(text, pos)
            if match is None:
                return _Scan(values, keys)
            key_end = match.end()
            key = text[pos + 1 : key_end - 1]
            if "\\" in key:
                try:
                    key = _LOOSE.decode(match.group())
                except ValueError:
                    return _Scan(values, keys)
            if frame.keys is not None:
                frame.keys.setdefault(key, []).append((pos, key_end))
            pos = _skip_ws(text, key_end)
            if text[pos : pos + 1] != ":":
                return _Scan(values, keys)
            pos = _skip_ws(text, pos + 1)
            ptr = frame.pointer + "/" + escape_pointer(key)
        else:
            ptr = frame.pointer + "/" + str(frame.index)
            frame.index += 1


def comment_spans(text: str) -> list[tuple[int, int]]:
    """Find the start and end offsets of the ``//`` and ``/* */`` comments outside strings.

    A ``/*`` that is never closed runs to the end of the text.
    """
    return [match.span(1) for match in _JSONC.finditer(text) if match.start(1) >= 0]


def blank_jsonc(text: str) -> tuple[str, int]:
    """Turn JSONC into JSON of the same length: comments and trailing commas become spaces.

    Line breaks inside block comments are kept, so every line and column stays where it was.
    Returns the text and the offset of a ``/*`` that is never closed, or -1.
    """
    parts: list[str] = []
    done = 0
    unclosed = -1
    last = ""  # the last character kept that is not whitespace
    for match in _JSONC.finditer(text):
        start, end = match.span(1)
        if start < 0:
            start, end = match.span(2)
            if start < 0:
                continue
        elif text.startswith("/*", start) and not text.endswith("*/", start + 2, end):
            unclosed = start
        kept = text[done:start].rstrip(" \t\r\n")
        last = kept[-1:] or last
        if match.start(2) >= 0 and last in ("", "[", "{", ","):
            continue  # a comma after no value ([,]) is an error left for the decoder
        parts.append(text[done:start])
        parts.append(re.sub(r"[^\r\n]", " ", text[start:end]))
        done = end
    if not parts:
        return text, -1
    parts.append(text[done:])
    return "".join(parts), unclosed


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def repeated_keys(text: str) -> tuple[Duplicate, ...]:
    """Find the keys that appear more than once in one object, in the order the repeats appear."""
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
    key = unescape_pointer(token)
    try:
        scan = _scan(text, set(), {parent, *_ancestors(parent)}, keys_of={parent})
    except (RecursionError, MemoryError):
        return None
    offsets = scan.keys.get(parent, {}).get(key, [])
    if not -len(offsets) <= occurrence < len(offsets):
        return None
    return offsets[occurrence]


class Offsets(NamedTuple):
    """Character offsets found by :func:`members`: of values by pointer, and of keys by object."""

    values: dict[str, tuple[int, int]]
    keys: dict[str, dict[str, list[tuple[int, int]]]]


def members(text: str, containers: Iterable[str], values: Iterable[str] = ()) -> Offsets:
    """Find, in one pass, the containers at the pointers given and the offsets of their members.

    For each container: its own value's offsets, each member's value offsets, and for an object
    the offsets of each key (every occurrence); and the offsets of the ``values`` asked for.
    What is not JSON, or too deep, is left out.
    """
    wanted = {p for p in containers if p == "" or p.startswith("/")}
    targets = wanted | {p for p in values if p == "" or p.startswith("/")}
    enter = set(wanted)
    for p in targets:
        enter.update(_ancestors(p))
    try:
        scan = _scan(text, targets, enter, keys_of=wanted, members_of=wanted)
    except (RecursionError, MemoryError):
        return Offsets({}, {})
    return Offsets(scan.values, scan.keys)


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


def locate_keys(text: str, pointers: Iterable[str]) -> dict[str, Span | None]:
    """Find the spans of many keys in one pass: the last token of each pointer, in its parent object.

    Where a key is repeated, its last occurrence is the one found (as :func:`locate_key` by
    default). A pointer that names no key maps to ``None``. Never raises.
    """
    result: dict[str, Span | None] = dict.fromkeys(pointers)
    named: dict[str, tuple[str, str]] = {}  # pointer -> (parent, key)
    for pointer in result:
        if pointer.startswith("/"):
            cut = pointer.rfind("/")
            named[pointer] = (pointer[:cut], unescape_pointer(pointer[cut + 1 :]))
    if not named:
        return result
    parents = {parent for parent, _ in named.values()}
    enter = set(parents)
    for parent in parents:
        enter.update(_ancestors(parent))
    try:
        scan = _scan(text, set(), enter, keys_of=parents)
    except (RecursionError, MemoryError):
        return result
    lines = _Lines(text)
    for pointer, (parent, key) in named.items():
        offsets = scan.keys.get(parent, {}).get(key)
        if offsets:
            result[pointer] = lines.span(*offsets[-1])
    return result

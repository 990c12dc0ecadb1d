"""The one JSON policy: how svaml decodes every input and encodes every output.

Every JSON text svaml reads is decoded by :func:`decode`: files and standard input
(``svaml lint``, Markdown blocks, ``--fix``), ``validate()`` on text or bytes, webhook bodies
(:func:`svaml.callbacks.parse_event`), ``Svaml.from_json`` and the REST client's answers. The
policy is the same for all of them:

- UTF-8, with or without a byte order mark; UTF-16, UTF-32 and bytes that are not UTF-8 are
  refused, saying so (:func:`utf8_text`, through which the linter also reads Markdown files).
- ``NaN``, ``Infinity`` and ``-Infinity`` are refused (JSON has no such values), and so is a
  number too large for a float (``1e999``), which would read as infinity.
- A key repeated in one object is reported with the position of every occurrence (the value
  kept is the last one, as ``json`` keeps it).
- An integer longer than Python converts (``sys.get_int_max_str_digits()``, 4,300 digits by
  default) and nesting deeper than Python's stack allows are problems at their position.

:func:`decode` never raises on bad input: it returns a :class:`Decoded` holding the value, the
repeated keys, or the :class:`Problem` with its 1-based line and column. What to do with a
problem is each input's own business. The validator and the linter report it (SV001, and SV103
or SV104 for a repeated key). The inputs that are not a lint refuse any breach of the policy,
repeated keys included, with their own error: ``Svaml.from_json`` raises ``SvamlError`` with the
SV001/SV103/SV104 diagnostic, ``parse_event`` an ``EventError`` with the same problems, and the
REST client a ``TransportError``.

JSONC (JSON with ``//`` and ``/* */`` comments and trailing commas, as VS Code reads it) is read
by :func:`decode_jsonc`, for ``*.jsonc`` files and ``jsonc`` Markdown blocks only: it blanks the
comments and trailing commas to spaces (:func:`svaml._jsontext.blank_jsonc`, so every offset,
line and column stays true) and then decodes under the same policy.

Every JSON text svaml writes is encoded by :func:`dumps`.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, NamedTuple

from svaml._jsontext import (
    Duplicate,
    Span,
    blank_jsonc,
    bracket_offset,
    integer_offset,
    position,
    repeated_keys,
    token_offset,
)
from svaml.errors import SvamlTypeError

__all__ = [
    "Decoded",
    "Duplicate",
    "Problem",
    "Span",
    "decode",
    "decode_jsonc",
    "dumps",
    "typename",
    "utf8_text",
]


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


def typename(value: object) -> str:
    """Name the type of a decoded JSON value in JSON's words: ``object``, ``array``, ``string``, ``null``….

    A value of another Python type (given through the Python API) is named by its class.
    """
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value)) or type(value).__name__


class Problem(NamedTuple):
    """Why the text is not JSON svaml reads, and where (1-based line and column, in characters)."""

    message: str
    line: int
    column: int


class Decoded(NamedTuple):
    """What :func:`decode` found: the value and its repeated keys, or the problem.

    ``text`` is the text that was decoded (without a byte order mark): positions refer to it.
    """

    value: Any
    duplicates: tuple[Duplicate, ...] = ()
    problem: Problem | None = None
    text: str = ""

    @property
    def clean(self) -> bool:
        """Whether the text decoded to a value with no key repeated: all a non-lint input accepts."""
        return self.problem is None and not self.duplicates

    @property
    def reason(self) -> str:
        """Why the text breaks the policy, in one line with its position; empty when it is clean."""
        if self.problem is not None:
            return f"{self.problem.line}:{self.problem.column}: {self.problem.message}"
        if self.duplicates:
            dup = self.duplicates[0]
            return f"key {dup.key!r} appears {len(dup.spans)} times in one object ({dup.where})"
        return ""


# A RecursionError is reported at the first bracket deeper than this.
_DEEP = 500


class _Refused(Exception):
    """A token json reads that the policy refuses: NaN, Infinity, or a number beyond a float."""

    def __init__(self, token: str, message: str) -> None:
        super().__init__(token)
        self.token = token
        self.message = message


class _Repeated(Exception):
    """A key repeated in an object: decoding starts again, keeping the last value."""


def _constant(name: str) -> Any:
    raise _Refused(name, f"{name} is not allowed in JSON")


def _finite(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _Refused(token, f"the number {token:.40} is too large to read (it would be infinity)")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Repeated
    return obj


# Made once; their hooks hold no state, so threads share them.
_STRICT = json.JSONDecoder(object_pairs_hook=_unique, parse_constant=_constant, parse_float=_finite)
_LAST_WINS = json.JSONDecoder(parse_constant=_constant, parse_float=_finite)


def decode(data: str | bytes | bytearray | memoryview) -> Decoded:
    """Decode JSON text or UTF-8 bytes under the one JSON policy; never raises on bad input."""
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        read = utf8_text(bytes(data))
        if not isinstance(read, str):
            return Decoded(None, (), read)
        text = read
    else:
        raise SvamlTypeError(f"expected JSON text (str or bytes), got {typename(data)}")
    try:
        try:
            try:
                # Most texts start with their value: read it without decode()'s whitespace pass.
                value, end = _STRICT.raw_decode(text)
                if end == len(text) or not text[end:].strip(" \t\n\r"):
                    return Decoded(value, (), None, text)
            except json.JSONDecodeError:
                pass  # leading whitespace, or an error that decode() reports
            return Decoded(_STRICT.decode(text), (), None, text)
        except _Repeated:
            return Decoded(_LAST_WINS.decode(text), repeated_keys(text), None, text)
    except json.JSONDecodeError as exc:
        return Decoded(None, (), _syntax_problem(text, exc), text)
    except _Refused as exc:
        return Decoded(None, (), _problem(text, exc.message, token_offset(text, exc.token)), text)
    except RecursionError:
        offset = bracket_offset(text, _DEEP + 1)
        message = f"nested too deeply to check (more than {_DEEP} levels)"
        return Decoded(None, (), _problem(text, message, offset), text)
    except ValueError:
        # int() refuses an integer longer than sys.get_int_max_str_digits().
        limit: int = getattr(sys, "get_int_max_str_digits", lambda: 4300)()  # Python 3.10.7+
        message = f"integer too long to read (more than {limit} digits)"
        return Decoded(None, (), _problem(text, message, integer_offset(text, limit + 1)), text)


def decode_jsonc(data: str | bytes | bytearray | memoryview) -> Decoded:
    """Decode JSONC under the one JSON policy: comments and trailing commas are allowed.

    The :class:`Decoded` text is the JSON that was decoded: the input with its comments and
    trailing commas blanked to spaces, so positions in it are positions in the input.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        read = utf8_text(bytes(data))
        if not isinstance(read, str):
            return Decoded(None, (), read)
        data = read
    if not isinstance(data, str):
        raise SvamlTypeError(f"expected JSONC text (str or bytes), got {typename(data)}")
    text, unclosed = blank_jsonc(data[1:] if data.startswith("\ufeff") else data)
    if unclosed >= 0:
        return Decoded(None, (), _problem(text, "unterminated /* comment (close it with */)", unclosed), text)
    return decode(text)


_WIDE = "UTF-16 or UTF-32 text: JSON must be UTF-8 (RFC 8259)"


def utf8_text(raw: bytes) -> str | Problem:
    """Read bytes as the policy does: UTF-8, without its byte order mark; anything else is a problem."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _not_utf8(raw, exc.start)
    if "\0" in text[:2]:  # UTF-16 or UTF-32 without a byte order mark
        return Problem(_WIDE, 1, 1)
    return text[1:] if text.startswith("\ufeff") else text


def _not_utf8(raw: bytes, start: int) -> Problem:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in raw[:2]:
        return Problem(_WIDE, 1, 1)
    line = raw.count(b"\n", 0, start) + 1
    line_start = raw.rfind(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
    message = f"not UTF-8: byte 0x{raw[start]:02X} cannot be decoded (JSON must be UTF-8)"
    return Problem(message, line, column)


def _syntax_problem(text: str, exc: json.JSONDecodeError) -> Problem:
    msg, pos = exc.msg, exc.pos
    if not text.strip():
        return Problem("empty document: expected a JSON value", exc.lineno, exc.colno)
    if text.startswith(("//", "/*"), pos):
        msg = "JSON has no comments (only *.jsonc files and ```jsonc blocks may have them)"
        return Problem(msg, exc.lineno, exc.colno)
    if msg.startswith(("Expecting value", "Expecting property name")):
        before = text[:pos].rstrip(" \t\r\n")
        if text.startswith(("...", "\u2026"), pos):
            msg = "a '...' placeholder is not JSON: write what it stands for, or remove it"
        elif before.endswith(",") and text[pos : pos + 1] in ("]", "}", ""):
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
    return Problem(msg, exc.lineno, exc.colno)


def _problem(text: str, message: str, offset: int) -> Problem:
    return Problem(message, *position(text, offset))


# What svaml writes, it reads back: NaN and Infinity are refused here too (a ValueError).
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Write JSON-ready data as text: compact, or indented for humans."""
    if indent is None:
        return _COMPACT.encode(data)
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)

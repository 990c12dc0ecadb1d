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
- A string holding a lone surrogate (a ``ud800`` escape with no pair) is a problem at its place:
  it decodes to text no UTF-8 can hold, so nothing svaml wrote from it could be sent.
- A text larger than :data:`MAX_BYTES` (10 MiB of UTF-8) is refused before it is decoded, at the
  line and column where it passes the limit; ``max_bytes`` raises or lifts the limit (None).

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

Python data that stands for JSON (``Svaml.from_dict``, ``validate`` of a dict, ``parse_event`` of a
mapping, the readers of :mod:`svaml.codec`, a model object's ``extras``) is held to the same policy
by :func:`json_value`, so that whatever svaml accepts it can write and print: a value JSON cannot
carry is refused where it lies, with its JSON pointer, and a value whose JSON meaning is certain is
converted (see :func:`json_value`).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from svaml._jsontext import (
    Duplicate,
    Span,
    blank_jsonc,
    bracket_offset,
    integer_offset,
    locate,
    position,
    repeated_keys,
    token_offset,
)
from svaml.diagnostic import pointer
from svaml.errors import SvamlTypeError

__all__ = [
    "MAX_BYTES",
    "Checked",
    "Decoded",
    "Duplicate",
    "Problem",
    "Span",
    "Unfit",
    "brief",
    "decode",
    "decode_jsonc",
    "dumps",
    "json_value",
    "typename",
    "unfit_scalar",
    "utf8_text",
]

#: The largest JSON text svaml reads unless told otherwise: 10 MiB of UTF-8, the linter's limit too.
#: Sinch's own documents and events are a few kilobytes; this is a thousand times that.
MAX_BYTES = 10 * 1024 * 1024


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


def decode(data: str | bytes | bytearray | memoryview, *, max_bytes: int | None = MAX_BYTES) -> Decoded:
    """Decode JSON text or UTF-8 bytes under the one JSON policy; never raises on bad input.

    A text of more than ``max_bytes`` bytes of UTF-8 (None: no limit) is a problem found before
    decoding, at the position where the text passes the limit.
    """
    if isinstance(data, str):
        # A character is 1 to 4 bytes of UTF-8: encode only when the count could be over the limit.
        size = len(data)
        if max_bytes is not None and size > max_bytes // 4 and not (data.isascii() and size <= max_bytes):
            too_large = _too_large(data.encode("utf-8", "surrogatepass"), max_bytes)
            if too_large is not None:
                return Decoded(None, (), too_large, data)
        text = data[1:] if data.startswith("\ufeff") else data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        if max_bytes is not None and len(data) > max_bytes:
            return Decoded(None, (), _too_large(bytes(data), max_bytes))
        read = utf8_text(bytes(data))
        if not isinstance(read, str):
            return Decoded(None, (), read)
        text = read
    else:
        raise SvamlTypeError(f"expected JSON text (str or bytes), got {typename(data)}")
    found = _decode_text(text)
    if found.problem is None and (
        ("\\u" in text and _ESCAPED_SURROGATE.search(text))
        # Text from bytes is UTF-8, which has no surrogates; a str may hold one raw.
        or (isinstance(data, str) and not text.isascii() and _LONE_SURROGATE.search(text))
    ):
        return _without_lone_surrogates(found)
    return found


# A surrogate written as an escape; one alone decodes to a string that is not Unicode text.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _without_lone_surrogates(found: Decoded) -> Decoded:
    """``found``, or the problem of its first string holding a lone surrogate (not Unicode text)."""
    for unfit in json_value(found.value).unfit:
        if _LONE in unfit.message:
            span = locate(found.text, pointer(*unfit.tokens), nearest=True)
            line, column = (span.line, span.column) if span else (1, 1)
            return Decoded(None, (), Problem(unfit.message, line, column), found.text)
    return found


def _decode_text(text: str) -> Decoded:
    """Decode text under the policy (its size and encoding are checked already)."""
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


def decode_jsonc(data: str | bytes | bytearray | memoryview, *, max_bytes: int | None = MAX_BYTES) -> Decoded:
    """Decode JSONC under the one JSON policy: comments and trailing commas are allowed.

    The :class:`Decoded` text is the JSON that was decoded: the input with its comments and
    trailing commas blanked to spaces, so positions in it are positions in the input. The size
    limit is :func:`decode`'s.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        if max_bytes is not None and len(data) > max_bytes:
            return Decoded(None, (), _too_large(bytes(data), max_bytes))
        read = utf8_text(bytes(data))
        if not isinstance(read, str):
            return Decoded(None, (), read)
        data = read
    if not isinstance(data, str):
        raise SvamlTypeError(f"expected JSONC text (str or bytes), got {typename(data)}")
    text, unclosed = blank_jsonc(data[1:] if data.startswith("\ufeff") else data)
    if unclosed >= 0:
        return Decoded(None, (), _problem(text, "unterminated /* comment (close it with */)", unclosed), text)
    return decode(text, max_bytes=max_bytes)
def _too_large(raw: bytes, limit: int) -> Problem | None:
    """The problem of a text of more than ``limit`` bytes, at the character where it passes the limit."""
    if len(raw) <= limit:
        return None
    line = raw.count(b"\n", 0, limit) + 1
    line_start = raw.rfind(b"\n", 0, limit) + 1
    column = len(raw[line_start:limit].decode("utf-8", "ignore")) + 1
    message = (
        f"the text is {len(raw):,} bytes, more than the {limit:,} bytes svaml reads "
        f"({_size(limit)}; max_bytes= sets another limit)"
    )
    return Problem(message, line, column)


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{limit / 1024:g} KiB"


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


# -- Python data that stands for JSON -------------------------------------------------------------


class Unfit(NamedTuple):
    """A Python value JSON cannot carry: where it is (reference tokens from the root) and why."""

    tokens: tuple[str | int, ...]
    message: str

    @property
    def pointer(self) -> str:
        """The JSON pointer of the value (or of the key, for a key that is not a string)."""
        return pointer(*self.tokens)


class Checked(NamedTuple):
    """What :func:`json_value` found: the data as JSON data, and every value JSON cannot carry."""

    value: Any
    unfit: tuple[Unfit, ...] = ()


# A string holding a surrogate code point alone is not Unicode text: it cannot be written as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE = "holds a lone surrogate"

_HINTS = {
    "set": "a set has no order in JSON; write a list",
    "frozenset": "a set has no order in JSON; write a list",
    "bytes": "JSON has no bytes; write text (decoded, or base64)",
    "bytearray": "JSON has no bytes; write text (decoded, or base64)",
    "datetime": "JSON has no dates; write text, such as value.isoformat()",
    "date": "JSON has no dates; write text, such as value.isoformat()",
    "time": "JSON has no times; write text, such as value.isoformat()",
    "timedelta": "JSON has no durations; write a number of seconds",
}


def unfit_scalar(value: str | int | float) -> str | None:
    """Why a ``str``, ``int`` or ``float`` cannot be a JSON value svaml writes, or None when it can.

    A float must be finite; an integer may have at most ``sys.get_int_max_str_digits()`` digits
    (4,300 by default), as in JSON text (:func:`decode`), since Python writes no longer one; a
    string must be Unicode text (no lone surrogate), as UTF-8 requires.
    """
    if isinstance(value, str):
        if value.isascii() or not _LONE_SURROGATE.search(value):
            return None
        return f"the string {value[:40]!r} {_LONE}: it is not Unicode text"
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return f"{float(value)!r} is not a JSON number (JSON has no NaN or Infinity)"
    limit = _int_digits()
    if not limit or value.bit_length() < limit * _BITS_PER_DIGIT or abs(value) < 10**limit:
        return None
    digits = int(value.bit_length() / _BITS_PER_DIGIT)
    return f"an integer of about {digits:,} digits is too long for JSON (more than {limit} digits)"


_BITS_PER_DIGIT = math.log2(10)


def _int_digits() -> int:
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 4300)()  # Python 3.10.7+
    return limit


def _scalar(value: Any) -> tuple[Any, str | None]:
    """A value that is not a dict or a list: itself or its JSON form, and why it cannot be JSON."""
    if isinstance(value, (str, int, float)):
        return value, unfit_scalar(value)
    if value is None:
        return value, None
    if isinstance(value, Decimal):
        return _decimal(value)
    name = type(value).__name__
    return value, f"{name} is not a JSON value: {_HINTS.get(name, _KINDS)}"


_KINDS = "JSON has objects, arrays, strings, numbers, true, false and null"


def _decimal(value: Decimal) -> tuple[Any, str | None]:
    """A Decimal as the JSON number it is: integral as an int, else a float that keeps its value."""
    if not value.is_finite():
        return value, f"Decimal({str(value)!r}) is not a JSON number (JSON has no NaN or Infinity)"
    if value == value.to_integral_value():
        digits = value.adjusted() + 1
        limit = _int_digits()
        if limit and digits > limit:
            return value, f"Decimal of {digits:,} digits is too long for JSON (more than {limit} digits)"
        return int(value), None
    number = float(value)
    if math.isfinite(number) and Decimal(repr(number)) == value:
        return number, None
    return value, (
        f"Decimal({value!s:.40}) has more digits than a JSON number keeps (a float): "
        "round it or write it as text"
    )


def json_value(data: Any) -> Checked:
    """Hold Python data that stands for JSON to the one JSON policy; never raises.

    Accepted as they are: ``dict`` with ``str`` keys, ``list``, ``str``, ``int``, ``float``,
    ``bool`` and ``None`` (and their subclasses). Converted, since their JSON meaning is certain:
    a ``tuple`` to a list, any other mapping to a dict, a ``Decimal`` to the int it equals, or to the
    float whose JSON text reads back as the same number. Refused, each with its place: a key that is
    not a string, NaN and infinities, an integer of more digits than JSON text may have here
    (:func:`unfit_scalar`), a Decimal a float cannot keep, a string with a lone surrogate, nesting
    deeper than 500 levels, and every other object (``set``, ``bytes``, ``datetime``…).

    Returns the data (the same object when nothing was converted) and the values JSON cannot carry.
    """
    try:
        value, found = _walk(data, 0)
    except RecursionError:  # called with little stack left
        return Checked(data, (Unfit((), "nested too deeply to check"),))
    return Checked(value, tuple(found) if found else ())


def _walk(value: Any, depth: int) -> tuple[Any, list[Unfit] | None]:
    """Check one value; return it (or its JSON form) and what was found in it (None: nothing).

    The usual values (an ASCII string, a bool, None, an integer of less than 1,024 bits) are
    tested inline, with no call, so that checking costs little beside reading.
    """
    kind = value.__class__
    if kind is dict:
        is_object = True
    elif kind is list:
        is_object = False
    elif isinstance(value, (str, bytes, bytearray)) or not isinstance(value, (Mapping, list, tuple)):
        if kind is float and math.isfinite(value):  # type: ignore[arg-type]
            return value, None
        new, why = _scalar(value)
        return new, None if why is None else [Unfit((), why)]
    else:
        is_object = isinstance(value, Mapping)
    if depth >= _DEEP:
        return value, [Unfit((), f"nested too deeply (more than {_DEEP} levels)")]
    found: list[Unfit] | None = None
    if is_object:
        obj: dict[Any, Any] | None = None if isinstance(value, dict) else {}
        for key, item in value.items():
            if key.__class__ is not str or not key.isascii():
                why = _key(key)
                if why is not None:
                    found = found or []
                    found.append(Unfit((_token(key),), why))
            kind = item.__class__
            if not (
                (kind is str and item.isascii())
                or kind is bool
                or item is None
                or (kind is int and item.bit_length() < 1024)
            ):
                new, inner = _walk(item, depth + 1)
                if inner:
                    found = found or []
                    token = _token(key)
                    found.extend(Unfit((token, *u.tokens), u.message) for u in inner)
                if new is not item:
                    if obj is None:
                        obj = dict(value)
                    obj[key] = new
                    continue
            if obj is not None:
                obj[key] = item
        return (value if obj is None else obj), found
    items: list[Any] | None = None if isinstance(value, list) else list(value)
    for index, item in enumerate(value):
        kind = item.__class__
        if (
            (kind is str and item.isascii())
            or kind is bool
            or item is None
            or (kind is int and item.bit_length() < 1024)
        ):
            continue
        new, inner = _walk(item, depth + 1)
        if inner:
            found = found or []
            found.extend(Unfit((index, *u.tokens), u.message) for u in inner)
        if new is not item:
            if items is None:
                items = list(value)
            items[index] = new
    return (value if items is None else items), found


def _key(key: Any) -> str | None:
    if isinstance(key, str):
        return unfit_scalar(key)
    return f"the key {brief(key)} is not a string ({typename(key)}): JSON object keys are strings"


def _token(key: Any) -> str:
    return key if isinstance(key, str) else brief(key)


def brief(value: object, width: int = 40) -> str:
    """The repr of ``value`` cut to ``width``, for messages; never fails (a long integer, a broken repr)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"<{typename(value)} of {value.bit_length()} bits>"
    try:
        return repr(value)[:width]
    except Exception:
        return f"<{typename(value)}>"

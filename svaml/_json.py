"""The one JSON policy: how svaml decodes every input and encodes every output.

Files, stdin, webhook bodies, ``from_json`` and REST answers are decoded here, and every JSON
text svaml writes is encoded here.
"""

from __future__ import annotations

import json
import json.scanner
import typing
from typing import Any

from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError, SvamlTypeError

__all__ = ["decode_json", "dumps", "typename"]


def typename(value: object) -> str:
    """Name the type of a decoded JSON value as messages do: ``dict``, ``list``, ``str``, ``null``…."""
    return "null" if value is None else type(value).__name__


# What a decoder with json.loads' own settings scans a document with, as JSONDecoder makes it
# (typeshed expects another scanner as the argument; the decoder is what the scanner reads).
_scan_once = json.scanner.make_scanner(typing.cast(Any, json.JSONDecoder()))


def decode_json(text: str | bytes) -> Any:
    """Decode JSON text; raise :class:`SvamlError` with the line and column of a syntax error."""
    # A callback body is a JSON object in UTF-8: scanned here without json.loads' layers. Its
    # first two bytes keep out what json.loads would read as a BOM, UTF-16 or UTF-32.
    try:
        plain = None
        if type(text) is bytes and text[:1] == b"{" and text[1:2] != b"\0":
            plain = text.decode("utf-8", "surrogatepass")  # as json.loads decodes UTF-8
        elif type(text) is str and text[:1] == "{":
            plain = text
        if plain is not None:
            value, end = _scan_once(plain, 0)
            if end == len(plain) or not plain[end:].strip(" \t\n\r"):  # json.loads' whitespace
                return value
    except (ValueError, StopIteration, RecursionError):  # a UnicodeDecodeError is a ValueError
        pass  # the general reader says what is wrong, as it always has
    return _decode_json(text)


def _decode_json(text: str | bytes) -> Any:
    """Decode JSON text through json.loads: the general reader, and the judge of every error."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise SvamlTypeError(f"expected JSON text (str or bytes), got {typename(text)}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        code, name = "SV001", "invalid-json"
        found = Diagnostic(
            code=code,
            name=name,
            severity=Severity.ERROR,
            message=f"invalid JSON: {exc.msg}",
            line=exc.lineno,
            column=exc.colno,
        )
        raise SvamlError("cannot read JSON", [found]) from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        code, name = "SV001", "invalid-json"
        why = (
            "not UTF-8"
            if isinstance(exc, UnicodeDecodeError)
            else "nested too deeply"
            if isinstance(exc, RecursionError)
            else "a number too long to read"
        )
        found = Diagnostic(code=code, name=name, severity=Severity.ERROR, message=f"invalid JSON: {why}")
        raise SvamlError("cannot read JSON", [found]) from None


_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# json's C encoder, made once: ``JSONEncoder.encode`` makes a new one per call, which costs more
# than writing a small webhook answer. It is made without the circular-reference bookkeeping
# (that state would be shared between threads); a circular value ends in RecursionError, and is
# then written again by ``_compact`` to get json's own error. None where json has no C part (PyPy).
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_c_escape: Any = getattr(json.encoder, "c_encode_basestring", None)
_c_compact: Any = (
    None
    if _c_make_encoder is None or _c_escape is None
    else _c_make_encoder(None, _compact.default, _c_escape, None, ":", ",", False, False, True)
)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Write JSON-ready data as text: compact, or indented for humans."""
    if indent is not None:
        return json.dumps(data, indent=indent, ensure_ascii=False)
    if _c_compact is None or data.__class__ is not dict:
        return _compact.encode(data)
    try:
        return "".join(_c_compact(data, 0))
    except RecursionError:
        return _compact.encode(data)

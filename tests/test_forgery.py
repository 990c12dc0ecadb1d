"""Signature mutation properties: no forged signature passes, no valid one is refused.

Hypothesis signs random callbacks (bodies, paths, content types, timestamps within the replay
window), checks that each verifies, then changes exactly one thing the signature covers (a byte of
the body, a character of the path or of the signature, the method, the content type, the
timestamp, the key, the secret) and checks that the result is refused with a SignatureError.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from svaml.errors import SignatureError
from svaml.signing import Credentials, format_timestamp, sign, verify

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
SAFE = "abcdefghijklmnopqrstuvwxyz0123456789-_.~"
# More examples than the suite's profiles give: these are the security claims, and each example
# costs microseconds (1,200 in about 2 s).
VALID, MUTATED = 200, 1000

paths = st.text(SAFE + "/", min_size=1, max_size=40).map("/{}".format)
moments = st.integers(-290_000, 290_000).map(lambda ms: NOW + timedelta(milliseconds=ms))
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", ""])
secrets = st.binary(min_size=1, max_size=64).map(lambda raw: base64.b64encode(raw).decode())


def signed(
    body: bytes, path: str, content_type: str, moment: datetime, secret: str = SECRET
) -> dict[str, Any]:
    """Return the arguments of verify for a request Sinch signed with these parts."""
    headers = sign(
        method="POST", path=path, body=body, content_type=content_type, key=KEY, secret=secret,
        timestamp=moment,
    )
    if content_type:
        headers["Content-Type"] = content_type
    return {"method": "POST", "path": path, "headers": headers, "body": body, "key": KEY, "secret": secret}


def outcome(arguments: dict[str, Any]) -> str:
    """Return "ok" when the request verifies at NOW, else "refused" (any other exception propagates)."""
    try:
        verify(**arguments, now=NOW)
    except SignatureError:
        return "refused"
    return "ok"


@settings(max_examples=VALID)
@given(body=st.binary(max_size=300), path=paths, content_type=content_types, moment=moments, secret=secrets)
def test_every_valid_signature_verifies(
    body: bytes, path: str, content_type: str, moment: datetime, secret: str
) -> None:
    """A request signed with the secret verifies, through verify and through Credentials alike."""
    arguments = signed(body, path, content_type, moment, secret)
    Credentials(key=KEY, secret=secret).verify(
        method="POST", path=path, headers=arguments["headers"], body=body, now=NOW
    )
    expected = "ok"
    assert expected == outcome(arguments)


def _flip(text: str, index: int, alphabet: str) -> str:
    """Replace the character at ``index`` (wrapped) with another one of ``alphabet``."""
    index %= len(text)
    replacement = next(c for c in alphabet if c != text[index])
    return text[:index] + replacement + text[index + 1 :]


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@settings(max_examples=MUTATED)
@given(
    body=st.binary(min_size=1, max_size=300),
    path=paths,
    content_type=content_types,
    moment=moments,
    mutation=st.sampled_from(
        ["body", "path", "signature", "method", "content type", "timestamp", "key", "secret"]
    ),
    where=st.integers(0, 10_000),
    bit=st.integers(0, 7),
)
def test_no_mutated_signature_verifies(
    body: bytes, path: str, content_type: str, moment: datetime, mutation: str, where: int, bit: int
) -> None:
    """Changing any one signed part of a valid request (one bit of the body, one character…) is refused."""
    arguments = signed(body, path, content_type, moment)
    headers = arguments["headers"]
    if mutation == "body":
        index = where % len(body)
        arguments["body"] = body[:index] + bytes([body[index] ^ (1 << bit)]) + body[index + 1 :]
    elif mutation == "path":
        arguments["path"] = "/" + _flip(path[1:] or "x", where, SAFE) if len(path) > 1 else "/x"
    elif mutation == "signature":
        scheme, _, value = headers["Authorization"].rpartition(":")
        headers["Authorization"] = f"{scheme}:{_flip(value.rstrip('='), where, B64)}="
    elif mutation == "method":
        arguments["method"] = ["PUT", "GET", "PATCH", "DELETE"][where % 4]
    elif mutation == "content type":
        headers["Content-Type"] = _flip(content_type or "x", where, "abcjson/; =-")
    elif mutation == "timestamp":
        headers["x-timestamp"] = format_timestamp(moment + timedelta(milliseconds=1 + where % 1000))
    elif mutation == "key":  # the key is not signed: the verifier's own key must match it
        forged = _flip(KEY, where, "0123456789ABCDEF")
        headers["Authorization"] = headers["Authorization"].replace(KEY, forged)
    else:
        arguments["secret"] = base64.b64encode(bytes([where % 256, bit]) + b"other").decode()
    expected = "refused"
    assert expected == outcome(arguments)

"""Tests for svaml.signing: Sinch's worked examples, every rejection, and garbage in."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml.errors import SignatureError, SvamlError, SvamlTypeError
from svaml.signing import (
    Credentials,
    Secret,
    basic_authorization,
    content_md5,
    format_timestamp,
    sign,
    string_to_sign,
    verify,
)

# Callback example of developers.sinch.com "callback-signed-request" (reference section 1d).
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
BODY = (
    '{"event":"ace","callid":"822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257",'
    '"timestamp":"2014-09-24T10:59:41Z","version":1}'
)
PATH = "/sinch/callback/ace"
TIMESTAMP = "2014-09-24T10:59:41Z"
SIGNATURE = "Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4="
SENT = datetime(2014, 9, 24, 10, 59, 41, tzinfo=timezone.utc)

# Request example of developers.sinch.com "signed-request".
REQUEST_SECRET = "JViE5vDor0Sw3WllZka15Q=="
REQUEST_BODY = '{"message":"Hello world"}'
REQUEST_TIMESTAMP = "2014-06-04T13:41:58Z"


# Nothing of these may appear in an error message: secrets (or their start) and the signature.
UNSAYABLE = ("BeIukql3", "JViE5vDor0", SIGNATURE, "not base64!", "abcde")


def leaks(error: BaseException) -> list[str]:
    """Return the secrets and signatures that the message of ``error`` gives away."""
    return [secret for secret in UNSAYABLE if secret in str(error)]


def callback_headers(**changes: str | None) -> dict[str, str]:
    """Return the headers of the worked callback example, with some replaced or removed (None)."""
    headers: dict[str, str | None] = {
        "authorization": f"application {KEY}:{SIGNATURE}",
        "content-type": "application/json",
        "x-timestamp": TIMESTAMP,
    }
    headers.update(changes)
    return {name: value for name, value in headers.items() if value is not None}


def verify_example(**changes: Any) -> None:
    """Verify the worked callback example at the moment it was sent, with some arguments changed."""
    arguments: dict[str, Any] = {
        "method": "POST",
        "path": PATH,
        "headers": callback_headers(),
        "body": BODY.encode(),
        "key": KEY,
        "secret": SECRET,
        "now": SENT,
    }
    arguments.update(changes)
    verify(**arguments)


def test_content_md5_of_the_worked_examples() -> None:
    """Content-MD5 is base64(md5(utf-8 body)) for text and bytes alike."""
    expected = ["REWF+X220L4/Gw1spXOU7g==", "REWF+X220L4/Gw1spXOU7g==", "jANzQ+rgAHyf1MWQFSwvYw=="]
    assert expected == [content_md5(BODY), content_md5(BODY.encode()), content_md5(REQUEST_BODY)]


@pytest.mark.parametrize("body", [None, b"", ""])
def test_content_md5_is_empty_without_a_body(body: bytes | str | None) -> None:
    """An absent or empty body gives an empty Content-MD5 line, as all Sinch SDKs do."""
    expected = ""
    assert expected == content_md5(body)


def test_content_md5_rejects_a_body_that_is_not_bytes_or_text() -> None:
    """A body of another type raises SvamlError."""
    with pytest.raises(SvamlError, match="body must be bytes, str or None, not int"):
        content_md5(42)  # type: ignore[arg-type]


def test_string_to_sign_of_the_callback_example() -> None:
    """The string to sign has the five lines of the reference, the method upper-cased."""
    expected = (
        "POST\nREWF+X220L4/Gw1spXOU7g==\napplication/json\nx-timestamp:2014-09-24T10:59:41Z\n"
        "/sinch/callback/ace"
    )
    actual = string_to_sign(
        "post",
        content_md5="REWF+X220L4/Gw1spXOU7g==",
        content_type="application/json",
        timestamp=TIMESTAMP,
        path=PATH,
    )
    assert expected == actual


def test_sign_reproduces_the_callback_example() -> None:
    """Signing the callback example gives Sinch's published signature."""
    expected = {"x-timestamp": TIMESTAMP, "Authorization": f"Application {KEY}:{SIGNATURE}"}
    actual = sign(
        method="POST",
        path=PATH,
        body=BODY,
        content_type="application/json",
        key=KEY,
        secret=SECRET,
        timestamp=TIMESTAMP,
    )
    assert expected == actual


@pytest.mark.parametrize(
    ("path", "signature"),
    [
        # The signature the docs print belongs to the path of an older page.
        ("/v1/sms/+46700000000", "qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM="),
        # The path the docs print, recomputed.
        ("/calling/v1/callouts", "aS9fG2smJx6MIhPJDSNiaDQ1D3+e493HuL+VVA9pqyM="),
        # A query string and a fragment are not signed.
        ("/calling/v1/callouts?dry=1#top", "aS9fG2smJx6MIhPJDSNiaDQ1D3+e493HuL+VVA9pqyM="),
    ],
)
def test_sign_reproduces_the_request_example(path: str, signature: str) -> None:
    """Signing the request example gives the published and the recomputed signatures."""
    headers = sign(
        method="POST",
        path=path,
        body=REQUEST_BODY,
        content_type="application/json",
        key=KEY,
        secret=REQUEST_SECRET,
        timestamp=REQUEST_TIMESTAMP,
    )
    assert f"Application {KEY}:{signature}" == headers["Authorization"]


def test_sign_with_a_datetime_and_with_the_current_time() -> None:
    """A datetime timestamp is formatted in UTC; no timestamp means now, which verifies."""
    moment = datetime(2024, 1, 19, 10, 19, 28, 937_654, tzinfo=timezone(timedelta(hours=1)))
    headers = sign(
        method="GET",
        path="/x",
        body=None,
        content_type="",
        key=KEY,
        secret=SECRET,
        timestamp=moment,
    )
    expected = "2024-01-19T09:19:28.937Z"
    assert expected == headers["x-timestamp"]
    fresh = sign(method="POST", path=PATH, body=BODY, content_type="application/json", key=KEY, secret=SECRET)
    fresh["Content-Type"] = "application/json"
    verify(method="POST", path=PATH, headers=fresh, body=BODY, key=KEY, secret=SECRET)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"secret": "not base64!"}, SvamlError, "application secret is not Base64"),
        ({"secret": "abcde"}, SvamlError, "application secret is not Base64"),
        ({"secret": ""}, SvamlError, "application secret must not be empty"),
        (
            {"secret": b"BeIukql3pTKJ8RGL5zo0DA=="},
            SvamlTypeError,
            "application secret must be a str, not bytes",
        ),
        ({"key": ""}, SvamlError, "application key must not be empty"),
        ({"key": None}, SvamlTypeError, "application key must be a str, not NoneType"),
        ({"key": "a:b"}, SvamlError, "without ':' or spaces"),
        ({"method": "PO ST"}, SvamlError, "HTTP method name"),
        ({"method": b"POST"}, SvamlTypeError, "method must be a str, not bytes"),
        ({"path": "https://calling.api.sinch.com/calling/v1/callouts"}, SvamlError, "starting with '/'"),
        ({"path": "/calling/v1/callouts/é"}, SvamlError, "percent-encoded ASCII"),
        ({"content_type": "application/json\r\nX: y"}, SvamlError, "must be a single line"),
        ({"content_type": None}, SvamlTypeError, "content type must be a str, not NoneType"),
        ({"timestamp": "yesterday"}, SvamlError, "not an ISO-8601 date and time"),
        ({"timestamp": datetime(2024, 1, 19)}, SvamlError, "timezone-aware datetime"),
        ({"timestamp": 1700000000}, SvamlTypeError, "timestamp must be a str, a datetime or None, not int"),
        ({"body": 3.5}, SvamlTypeError, "body must be bytes, str or None, not float"),
    ],
)
def test_sign_rejects_arguments_that_cannot_make_a_valid_request(
    changes: dict[str, Any], error: type[SvamlError], match: str
) -> None:
    """Bad values raise SvamlError, wrong types SvamlTypeError, neither echoing the secret."""
    arguments: dict[str, Any] = {
        "method": "POST",
        "path": "/calling/v1/callouts",
        "body": REQUEST_BODY,
        "content_type": "application/json",
        "key": KEY,
        "secret": REQUEST_SECRET,
    }
    arguments.update(changes)
    with pytest.raises(SvamlError, match=match) as caught:
        sign(**arguments)
    assert error is caught.type
    assert leaks(caught.value) == []
    assert [s for s in ("not base64!", "abcde", REQUEST_SECRET) if s in str(caught.value)] == []


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 1, 19, 9, 19, 28, 937_999, tzinfo=timezone.utc), "2024-01-19T09:19:28.937Z"),
        (datetime(2024, 1, 19, 9, 19, 28, tzinfo=timezone.utc), "2024-01-19T09:19:28.000Z"),
        (datetime(2024, 1, 19, 4, 19, 28, tzinfo=timezone(-timedelta(hours=5))), "2024-01-19T09:19:28.000Z"),
        (datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "0999-01-02T03:04:05.000Z"),
    ],
)
def test_format_timestamp(moment: datetime, expected: str) -> None:
    """Timestamps are ISO-8601 in UTC with milliseconds and a Z."""
    assert expected == format_timestamp(moment)


def test_format_timestamp_defaults_to_now() -> None:
    """Without an argument the current UTC time is formatted."""
    before = datetime.now(timezone.utc).replace(microsecond=0)
    actual = datetime.fromisoformat(format_timestamp().replace("Z", "+00:00"))
    assert True is (before <= actual <= datetime.now(timezone.utc))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"max_age": None, "now": None},
        {"headers": callback_headers(authorization=f"Application {KEY}:{SIGNATURE}")},
        {"headers": callback_headers(authorization=f"APPLICATION {KEY}:{SIGNATURE}")},
        {"headers": callback_headers(authorization=f"  application {KEY}:{SIGNATURE} ")},
        {
            "headers": {
                "Authorization": f"application {KEY}:{SIGNATURE}",
                "Content-Type": "application/json",
                "X-Timestamp": TIMESTAMP,
            }
        },
        {"headers": [*list(callback_headers().items()), ("Content-Length", "113")]},
        {"body": BODY},
        {"body": bytearray(BODY.encode())},
        {"method": "post"},
        {"path": PATH + "?attempt=2"},
        {"now": SENT + timedelta(seconds=300)},
        {"now": SENT - timedelta(seconds=300)},
        {"now": SENT + timedelta(minutes=10), "max_age": timedelta(minutes=10)},
        {"now": SENT + timedelta(days=3650), "max_age": float("inf")},
    ],
)
def test_verify_accepts_the_callback_example(changes: dict[str, Any]) -> None:
    """Sinch's worked callback verifies in all the forms a web framework may hand it over."""
    verify_example(**changes)


def test_verify_accepts_werkzeug_headers() -> None:
    """Werkzeug's Headers, which iterate as pairs and are no Mapping, are read correctly."""
    from werkzeug.datastructures import Headers

    headers = Headers(list(callback_headers().items()))
    verify_example(headers=headers)


def test_verify_accepts_a_signature_over_the_path_with_its_query() -> None:
    """A signature over path and query (.NET's PathAndQuery) also verifies."""
    path = "/sinch/callback/ace?tenant=7"
    text = string_to_sign(
        "POST", content_md5=content_md5(BODY), content_type="application/json", timestamp=TIMESTAMP, path=path
    )
    digest = hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode()
    headers = callback_headers(authorization=f"Application {KEY}:{signature}")
    verify_example(path=path, headers=headers)
    with pytest.raises(SignatureError, match="signature does not match"):
        verify_example(headers=headers)


@pytest.mark.parametrize(
    "timestamp",
    [
        "2014-09-24T10:59:41Z",
        "2014-09-24T10:59:41.5Z",
        "2014-09-24T10:59:41.937Z",
        "2014-09-24T10:59:41.937219+00:00",
        "2014-09-24T10:59:41.9372196Z",
        "2014-09-24T10:59:41.937219612Z",
        "2014-09-24T12:59:41+02:00",
        "2014-09-24t10:59:41z",
    ],
)
def test_verify_parses_the_timestamps_sinch_and_its_sdks_emit(timestamp: str) -> None:
    """Z or an offset, and 0 to 9 fractional digits, all parse and verify."""
    headers = sign(
        method="POST",
        path=PATH,
        body=BODY,
        content_type="application/json",
        key=KEY,
        secret=SECRET,
        timestamp=timestamp,
    )
    headers["Content-Type"] = "application/json"
    verify_example(headers=headers)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"headers": callback_headers(authorization=None)}, "^missing Authorization header$"),
        (
            {"headers": callback_headers(authorization="Bearer abc")},
            "unsupported Authorization scheme: expected 'Application'",
        ),
        (
            {"headers": callback_headers(authorization=basic_authorization(KEY, SECRET)["Authorization"])},
            "Basic is accepted only with allow_basic=True",
        ),
        (
            {"headers": callback_headers(authorization=f"application  {KEY}:{SIGNATURE}")},
            "malformed Authorization header.*exactly one space",
        ),
        (
            {"headers": callback_headers(authorization=f"application {KEY}{SIGNATURE}")},
            "malformed Authorization header",
        ),
        (
            {"headers": callback_headers(authorization=f"application{KEY}:{SIGNATURE}")},
            "unsupported Authorization scheme",
        ),
        ({"headers": callback_headers(authorization="application")}, "malformed Authorization header"),
        (
            {"headers": callback_headers(authorization=f"application other-key:{SIGNATURE}")},
            "^unknown application key in the Authorization header$",
        ),
        ({"headers": callback_headers(**{"x-timestamp": None})}, "^missing x-timestamp header$"),
        (
            {"headers": callback_headers(**{"x-timestamp": "2014-09-24 10:59:41"})},
            "x-timestamp header is not an ISO-8601 date and time",
        ),
        (
            {"headers": callback_headers(**{"x-timestamp": "2014-02-30T10:59:41Z"})},
            "x-timestamp header is not an ISO-8601 date and time",
        ),
        (
            {"now": SENT + timedelta(seconds=301)},
            "timestamp outside the replay window of 300 seconds: .* 301 seconds in the past",
        ),
        (
            {"now": SENT - timedelta(hours=1), "max_age": 60},
            "timestamp outside the replay window of 60 seconds: .* 3600 seconds in the future",
        ),
        ({"now": None}, "timestamp outside the replay window of 300 seconds"),
        ({"body": BODY + " "}, "^signature does not match"),
        ({"body": None}, "^signature does not match"),
        ({"method": "PUT"}, "^signature does not match"),
        ({"path": "/sinch/callback/dice"}, "^signature does not match"),
        ({"secret": REQUEST_SECRET}, "^signature does not match"),
        (
            {"headers": callback_headers(**{"content-type": "application/json; charset=utf-8"})},
            "^signature does not match",
        ),
        (
            {"headers": callback_headers(authorization=f"application {KEY}:{SIGNATURE[:-1]}é")},
            "^signature does not match",
        ),
        (
            {"headers": [*callback_headers().items(), ("Authorization", "Bearer x")]},
            "more than one authorization header",
        ),
    ],
)
def test_verify_says_why_it_rejects(changes: dict[str, Any], match: str) -> None:
    """Each rejection raises SignatureError naming its cause, never the secret or signature."""
    with pytest.raises(SignatureError, match=match) as caught:
        verify_example(**changes)
    assert leaks(caught.value) == []


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"secret": "not base64!"}, "application secret is not Base64"),
        ({"secret": None}, "application secret must be a str, not NoneType"),
        ({"secret": ""}, "application secret must not be empty"),
        ({"key": 7}, "application key must be a str, not int"),
        ({"headers": None}, "headers must be a mapping or an iterable"),
        ({"headers": 5}, "headers must be a mapping or an iterable"),
        ({"headers": "authorization"}, "headers must be a mapping or an iterable"),
        ({"headers": [(b"authorization", b"x")]}, "header names and values must be str"),
        ({"headers": {"authorization": None}}, "header names and values must be str"),
        ({"body": {"event": "ace"}}, "body must be bytes, str or None, not dict"),
        ({"body": "\ud800"}, "body is not valid Unicode text"),
        ({"method": None}, "method must be a str"),
        ({"path": "sinch/callback/ace"}, "starting with '/'"),
        ({"path": b"/sinch/callback/ace"}, "starting with '/'"),
        ({"max_age": -1}, "max_age must not be negative"),
        ({"max_age": -1.0}, "max_age must not be negative"),
        ({"max_age": float("nan")}, "max_age must not be negative"),
        ({"max_age": "300"}, "max_age must be seconds, a timedelta, or None"),
        ({"max_age": True}, "max_age must be seconds, a timedelta, or None"),
        ({"now": datetime(2014, 9, 24, 10, 59, 41)}, "now must be a timezone-aware datetime"),
        ({"now": "2014-09-24T10:59:41Z"}, "now must be a timezone-aware datetime"),
    ],
)
def test_verify_rejects_bad_arguments_with_signature_error(changes: dict[str, Any], match: str) -> None:
    """Arguments of the wrong kind raise SignatureError too, so a handler catches one type."""
    with pytest.raises(SignatureError, match=match) as caught:
        verify_example(**changes)
    assert leaks(caught.value) == []


@pytest.mark.parametrize(
    ("secret", "padded"),
    [
        ("BeIukql3pTKJ8RGL5zo0DA", SECRET),
        ("  BeIukql3pTKJ8RGL5zo0DA==\n", SECRET),
        ("app-secret", "app+secret=="),
        ("a_b_", "a/b/"),
        ("9876543210", "9876543210=="),
    ],
)
def test_secrets_decode_leniently(secret: str, padded: str) -> None:
    """Secrets without padding or with base64url characters sign like their standard form."""
    arguments: dict[str, Any] = {
        "method": "POST",
        "path": PATH,
        "body": BODY,
        "content_type": "application/json",
        "key": KEY,
        "timestamp": TIMESTAMP,
    }
    assert sign(secret=padded, **arguments) == sign(secret=secret, **arguments)


def test_basic_authorization_header() -> None:
    """The Basic header is base64 of key:secret."""
    expected = {"Authorization": "Basic a2V5OnNlY3JldA=="}
    assert expected == basic_authorization("key", "secret")


def test_verify_accepts_basic_only_when_allowed() -> None:
    """Basic credentials verify with allow_basic=True (no x-timestamp needed) and only if equal."""
    good = basic_authorization(KEY, SECRET)
    verify_example(headers=good, allow_basic=True)
    wrong = basic_authorization(KEY, REQUEST_SECRET)
    with pytest.raises(SignatureError, match=r"^Basic credentials do not match"):
        verify_example(headers=wrong, allow_basic=True)
    with pytest.raises(SignatureError, match="Basic credentials are not Base64"):
        verify_example(headers={"Authorization": "basic key:secret"}, allow_basic=True)


def test_credentials_hide_the_secret() -> None:
    """Neither repr nor str of Credentials shows the secret."""
    credentials = Credentials(key=KEY, secret=SECRET)
    expected = f"Credentials(key='{KEY}', secret=***)"
    assert (expected, expected) == (repr(credentials), str(credentials))
    assert f"[{expected}]" == str([credentials])


def test_credentials_sign_and_verify() -> None:
    """Credentials sign and verify like the functions they delegate to."""
    credentials = Credentials(key=KEY, secret=SECRET)
    headers = credentials.sign(
        method="POST", path=PATH, body=BODY, content_type="application/json", timestamp=TIMESTAMP
    )
    assert f"Application {KEY}:{SIGNATURE}" == headers["Authorization"]
    credentials.verify(method="POST", path=PATH, headers=callback_headers(), body=BODY, now=SENT)
    assert basic_authorization(KEY, SECRET) == credentials.basic_authorization()
    other = attrs.evolve(credentials, secret=REQUEST_SECRET)
    with pytest.raises(SignatureError, match="signature does not match"):
        other.verify(method="POST", path=PATH, headers=callback_headers(), body=BODY, now=SENT)


@pytest.mark.parametrize("copy", [copy.deepcopy, copy.copy])
def test_credentials_copy(copy: Callable[[Credentials], Credentials]) -> None:
    """Copied Credentials equal the original and still verify."""
    credentials = Credentials(key=KEY, secret=SECRET)
    copied = copy(credentials)
    copied.verify(method="POST", path=PATH, headers=callback_headers(), body=BODY, now=SENT)
    assert credentials == copied


@pytest.mark.parametrize("held", [Credentials(key=KEY, secret=SECRET), Secret(SECRET)])
def test_objects_holding_a_secret_refuse_pickling(held: object) -> None:
    """Pickling Credentials or a Secret raises SvamlTypeError (also a TypeError), writing nothing."""
    with pytest.raises(SvamlTypeError, match="not pickled: a pickle keeps it in clear") as caught:
        pickle.dumps(held)
    expected = (True, "Secret(***)")
    assert expected == (isinstance(caught.value, TypeError), repr(Secret(SECRET)))


def test_max_age_beyond_any_float_is_refused() -> None:
    """A max_age no float can hold (10**400) is a SignatureError saying so, not an OverflowError."""
    with pytest.raises(SignatureError, match="max_age is too large") as caught:
        verify_example(max_age=10**400)
    expected = "max_age is too large to be a number of seconds; use None to turn the check off"
    assert expected == str(caught.value)


def test_credentials_verify_as_the_function_does() -> None:
    """Credentials.verify accepts and rejects exactly as verify with the same key and secret."""
    credentials = Credentials(key=KEY, secret=SECRET)
    outcomes = []
    for path in (PATH, PATH + "?attempt=2", "/other"):
        for check in (credentials.verify, functools.partial(verify, key=KEY, secret=SECRET)):
            try:
                check(method="POST", path=path, headers=callback_headers(), body=BODY, now=SENT)
                outcomes.append("ok")
            except SignatureError as error:
                outcomes.append(str(error))
    mismatch = (
        "signature does not match: check the secret, and that the path, body and headers"
        " are passed exactly as received"
    )
    expected = ["ok", "ok", "ok", "ok", mismatch, mismatch]
    assert expected == outcomes


class _Headers(Mapping[str, str]):
    """A read-only mapping that is not a dict, as some frameworks hand headers over."""

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items

    def __getitem__(self, name: str) -> str:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class _OddItems(_Headers):
    """A broken mapping whose items are not (name, value) pairs."""

    def items(self) -> Any:
        return ["authorization"]


@pytest.mark.parametrize(
    "wrap", [dict, MappingProxyType, _Headers, lambda h: list(h.items()), lambda h: tuple(h.items())]
)
def test_verify_reads_headers_from_any_mapping_or_pairs(wrap: Callable[[dict[str, str]], Any]) -> None:
    """Dicts, other mappings and (name, value) pairs are read alike, duplicates refused alike."""
    verify_example(headers=wrap(callback_headers()))
    doubled = {**callback_headers(), "X-Timestamp": TIMESTAMP}
    with pytest.raises(SignatureError) as caught:
        verify_example(headers=wrap(doubled))
    expected = "malformed request: more than one x-timestamp header"
    assert expected == str(caught.value)


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ([(b"authorization", "x"), "not a pair"], "^header names and values must be str"),
        (["not a pair", (b"authorization", "x")], "^headers must be a mapping or an iterable"),
        ({"authorization": "x", b"content-type": "y"}, "^header names and values must be str"),
        (MappingProxyType({"authorization": "x", "content-type": 7}), "^header names and values must be str"),

        (_OddItems({"authorization": "x"}), "^headers must be a mapping or an iterable"),
    ],
)
def test_verify_reports_the_first_bad_header(headers: Any, match: str) -> None:
    """Headers are checked in order: the first bad pair names the rejection."""
    with pytest.raises(SignatureError, match=match) as caught:
        verify_example(headers=headers)
    assert leaks(caught.value) == []


@pytest.mark.parametrize(
    ("key", "secret", "match"),
    [
        (KEY, "not base64!", "application secret is not Base64"),
        (KEY, "", "application secret must not be empty"),
        ("", SECRET, "application key must not be empty"),
        (KEY, b"BeIukql3pTKJ8RGL5zo0DA==", "application secret must be a str, not bytes"),
    ],
)
def test_credentials_check_key_and_secret(key: str, secret: Any, match: str) -> None:
    """Bad credentials fail at construction with SvamlError, not at the first callback."""
    with pytest.raises(SvamlError, match=match) as caught:
        Credentials(key=key, secret=secret)
    assert leaks(caught.value) == []


def test_import_is_light() -> None:
    """Importing svaml.signing loads neither requests, jsonschema nor hypothesis."""
    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys, svaml.signing\n"
        "print(sorted(m for m in ('requests', 'jsonschema', 'hypothesis') if m in sys.modules))"
    )
    paths = [str(root), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True
    )
    expected = "[]\n"
    assert expected == result.stdout


# Garbage for the property tests: anything a broken proxy or a confused caller could pass.
hashable_garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.text(max_size=20),
)
garbage = st.one_of(hashable_garbage, st.lists(hashable_garbage, max_size=3))
header_names = st.one_of(
    st.sampled_from(
        ["Authorization", "authorization", "X-Timestamp", "x-timestamp", "Content-Type", "content-type"]
    ),
    hashable_garbage,
)
authorizations = st.one_of(
    st.just(f"application {KEY}:{SIGNATURE}"),
    st.builds(
        "{} {}:{}".format,
        st.sampled_from(["Application", "basic", "Basic", "x", ""]),
        st.sampled_from([KEY, "", " "]),
        st.text(max_size=50),
    ),
    st.builds("Basic {}".format, st.text(max_size=40)),
    st.text(max_size=50),
)
timestamps = st.one_of(
    st.just(TIMESTAMP),
    st.datetimes(timezones=st.just(timezone.utc)).map(format_timestamp),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,10})?"
        r"(Z|[+-][0-9]{2}:[0-9]{2})?",
        fullmatch=True,
    ),
    st.text(max_size=30),
)
header_values = st.one_of(authorizations, timestamps, garbage)
# The three headers verify reads, with plausible or random values, or other headers too.
request_headers = st.one_of(
    st.fixed_dictionaries({"Authorization": authorizations, "X-Timestamp": timestamps}),
    st.fixed_dictionaries(
        {},
        optional={
            "authorization": authorizations,
            "x-timestamp": timestamps,
            "Content-Type": st.one_of(st.just("application/json"), st.text(max_size=30)),
        },
    ),
    st.lists(st.tuples(header_names, header_values), max_size=5),
)
headers_garbage = st.one_of(
    request_headers,
    st.dictionaries(header_names, header_values, max_size=5),
    st.lists(garbage, max_size=3),
    garbage,
)
bodies = st.one_of(st.just(BODY), st.binary(max_size=200), st.text(max_size=200))


@given(
    method=st.one_of(st.sampled_from(["POST", "post"]), st.text(max_size=10)),
    path=st.one_of(st.just(PATH), st.text(max_size=30).map("/{}".format)),
    headers=request_headers,
    body=bodies,
    max_age=st.one_of(st.none(), st.just(300.0)),
    allow_basic=st.booleans(),
)
def test_verify_raises_only_signature_error_on_garbage_requests(
    method: str, path: str, headers: Any, body: Any, max_age: float | None, allow_basic: bool
) -> None:
    """Whatever request arrives, verify returns None or raises SignatureError, nothing else."""
    try:
        verify(
            method=method,
            path=path,
            headers=headers,
            body=body,
            key=KEY,
            secret=SECRET,
            max_age=max_age,
            allow_basic=allow_basic,
            now=SENT,
        )
    except SignatureError as error:
        leaked = leaks(error)
    else:
        leaked = []
    assert leaked == []


@given(
    method=st.one_of(st.just("POST"), garbage),
    path=st.one_of(st.just(PATH), garbage),
    headers=st.one_of(st.just(callback_headers()), headers_garbage),
    body=st.one_of(bodies, garbage),
    key=st.one_of(st.just(KEY), garbage),
    secret=st.one_of(st.just(SECRET), garbage),
    max_age=st.one_of(st.none(), st.floats(), st.integers(), st.timedeltas(), garbage),
    allow_basic=st.booleans(),
    now=st.one_of(st.none(), st.datetimes(timezones=st.sampled_from([None, timezone.utc])), garbage),
)
def test_verify_raises_only_signature_error_on_garbage_arguments(
    method: Any,
    path: Any,
    headers: Any,
    body: Any,
    key: Any,
    secret: Any,
    max_age: Any,
    allow_basic: bool,
    now: Any,
) -> None:
    """Whatever the caller passes, verify returns None or raises SignatureError, nothing else."""
    try:
        verify(
            method=method,
            path=path,
            headers=headers,
            body=body,
            key=key,
            secret=secret,
            max_age=max_age,
            allow_basic=allow_basic,
            now=now,
        )
    except SignatureError as error:
        leaked = leaks(error)
    else:
        leaked = []
    assert leaked == []


path_characters = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="?#")


@given(
    method=st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True),
    path=st.text(path_characters, max_size=40).map("/{}".format),
    query=st.one_of(st.just(""), st.text(max_size=20).map("?{}".format)),
    body=st.one_of(st.none(), st.binary(max_size=300), st.text(max_size=300)),
    content_type=st.text(max_size=40).filter(lambda t: "\r" not in t and "\n" not in t),
    seconds=st.floats(min_value=-300, max_value=300),
)
def test_sign_then_verify_round_trips(
    method: str,
    path: str,
    query: str,
    body: bytes | str | None,
    content_type: str,
    seconds: float,
) -> None:
    """What sign produces, verify accepts, for any method, path, query, body and content type."""
    sent = datetime(2024, 1, 19, 9, 19, 28, 937_000, tzinfo=timezone.utc)
    headers = sign(
        method=method,
        path=path + query,
        body=body,
        content_type=content_type,
        key=KEY,
        secret=SECRET,
        timestamp=sent,
    )
    headers["Content-Type"] = content_type
    raw = body.encode() if isinstance(body, str) else body
    now = sent + timedelta(seconds=seconds)
    verify(
        method=method.lower(),
        path=path + query,
        headers=headers,
        body=raw,
        key=KEY,
        secret=SECRET,
        now=now,
    )


# -- header names and the keyed HMAC --------------------------------------------------------------


class _Name(str):
    """A str subclass, as some frameworks make header names."""


def _respell(name: str, upper: list[bool]) -> str:
    """Return ``name`` with the letters ``upper`` marks in upper case."""
    return "".join(c.upper() if u else c for c, u in zip(name, upper, strict=True))


# The three headers of the worked example, each under any spelling of its name (or left out).
_EXAMPLE_HEADERS = st.tuples(
    *(
        st.one_of(
            st.none(),
            st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
                lambda upper, name=name, value=value: (_respell(name, upper), value)
            ),
        )
        for name, value in callback_headers().items()
    )
)
# Names near the relevant ones: a Cyrillic e, a Kelvin sign, dotted capital Is (two characters in
# lower case), one letter more, and none.
_ODD_NAMES = st.sampled_from(
    [
        "Host",
        "X-Timestamps",
        "Content-Typ\u0435",
        "\u212authorization",
        "\u0130-timestamp",
        "AUTHOR\u0130ZATION",
        "",
    ]
)
_OTHER_HEADERS = st.lists(
    st.tuples(
        st.one_of(_ODD_NAMES, st.text(max_size=14), st.sampled_from(list(callback_headers())).map(_Name)),
        st.one_of(st.text(max_size=10), st.text(max_size=10).map(_Name), hashable_garbage),
    ),
    max_size=4,
)


def _outcome(headers: object) -> str:
    """Return "ok" when the worked example verifies with ``headers``, else the rejection."""
    try:
        verify_example(headers=headers)
    except SignatureError as error:
        return str(error)
    return "ok"


@pytest.mark.parametrize("spell", [str.lower, str.upper, str.title, _Name])
def test_verify_reads_header_names_in_any_case(spell: Callable[[str], str]) -> None:
    """The three headers verify is about are found whatever the letter case of their names."""
    headers = {spell(name): value for name, value in callback_headers().items()}
    expected = ["ok", "ok"]
    assert expected == [_outcome(headers), _outcome([("Host", "x"), *headers.items()])]


@given(_EXAMPLE_HEADERS, _OTHER_HEADERS)
def test_verify_reads_a_dict_of_headers_as_its_pairs(
    example: tuple[tuple[str, str] | None, ...], others: list[tuple[Any, Any]]
) -> None:
    """A dict of headers verifies, or is refused for the same reason, as the same headers given as pairs."""
    headers = dict([pair for pair in example if pair is not None] + others)
    expected = _outcome(list(headers.items()))
    assert expected == _outcome(headers)


@given(_EXAMPLE_HEADERS, _OTHER_HEADERS.map(lambda pairs: [p for p in pairs if _is_text_pair(p)]))
def test_only_the_three_relevant_names_count(
    example: tuple[tuple[str, str] | None, ...], others: list[tuple[str, str]]
) -> None:
    """Other headers, however near their names, change nothing: only a missing relevant one is refused."""
    present = [pair for pair in example if pair is not None]
    others = [(name, value) for name, value in others if name.lower() not in callback_headers()]
    expected = _outcome(present)
    assert expected == _outcome(present + others)


def _is_text_pair(pair: tuple[Any, Any]) -> bool:
    """Whether a header pair has a str name and value, so that it is no rejection of its own."""
    return isinstance(pair[0], str) and isinstance(pair[1], str)


@given(body=st.binary(max_size=200), path=st.text(path_characters, max_size=20).map("/{}".format))
def test_credentials_sign_as_hmac_new_every_time(body: bytes, path: str) -> None:
    """Credentials sign with HMAC-SHA256 of the string to sign, the same on every request."""
    text = string_to_sign(
        "POST", content_md5=content_md5(body), content_type="text/plain", timestamp=TIMESTAMP, path=path
    )
    digest = hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    expected = [f"Application {KEY}:{base64.b64encode(digest).decode()}"] * 2
    credentials = Credentials(key=KEY, secret=SECRET)
    actual = [
        credentials.sign(method="POST", path=path, body=body, content_type="text/plain", timestamp=TIMESTAMP)[
            "Authorization"
        ]
        for _ in range(2)
    ]
    assert expected == actual


@given(bodies=st.lists(st.binary(max_size=200) | st.text(max_size=50) | st.none(), max_size=4))
def test_credentials_signer_signs_each_body_as_sign_does(bodies: list[bytes | str | None]) -> None:
    """A signer made once signs each body exactly as sign() with the same arguments does."""
    credentials = Credentials(key=KEY, secret=SECRET)
    path, content_type = PATH + "?x=1", "application/json"
    expected = [
        credentials.sign(method="POST", path=path, body=body, content_type=content_type, timestamp=SENT)
        for body in bodies
    ]
    signer = credentials.signer(method="POST", path=path, content_type=content_type, timestamp=SENT)
    assert expected == [signer(body) for body in bodies]


def test_credentials_signer_checks_the_request_when_made() -> None:
    """A signer refuses a bad request when it is made, and stamps each body when sent without a timestamp."""
    credentials = Credentials(key=KEY, secret=SECRET)
    with pytest.raises(SvamlError, match="not a full URL"):
        credentials.signer(method="POST", path="https://x/cb", content_type="application/json")
    with pytest.raises(SvamlError, match="not an ISO-8601"):
        credentials.signer(method="POST", path=PATH, content_type="", timestamp="yesterday")
    before = format_timestamp()
    stamped = credentials.signer(method="POST", path=PATH, content_type="")(b"{}")["x-timestamp"]
    assert before <= stamped <= format_timestamp()


def test_credentials_verify_many_requests_alike() -> None:
    """One Credentials verifies request after request, a refusal in between changing nothing."""
    credentials = Credentials(key=KEY, secret=SECRET)
    outcomes = []
    for body in (BODY, BODY + " ", BODY):
        try:
            credentials.verify(method="POST", path=PATH, headers=callback_headers(), body=body, now=SENT)
            outcomes.append("ok")
        except SignatureError as error:
            outcomes.append(str(error).split(":")[0])
    expected = ["ok", "signature does not match", "ok"]
    assert expected == outcomes


@pytest.mark.parametrize("seconds", [-100_000.0, -310.0, -290.0, 0.0, 290.0, 310.0, 100_000.0])
def test_verify_without_now_judges_the_window_as_with_the_current_time(seconds: float) -> None:
    """Without ``now``, the clock's time decides the replay window as datetime.now() would."""
    sent = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    headers = sign(
        method="POST", path=PATH, body=BODY, content_type="application/json", key=KEY, secret=SECRET,
        timestamp=sent,
    )
    headers["Content-Type"] = "application/json"

    def outcome(**now: datetime) -> str:
        try:
            verify(method="POST", path=PATH, headers=headers, body=BODY, key=KEY, secret=SECRET, **now)
            return "ok"
        except SignatureError as error:
            return str(error)

    assert outcome(now=datetime.now(timezone.utc)) == outcome()

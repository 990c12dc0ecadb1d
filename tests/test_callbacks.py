"""Tests for construct_event: verify first, parse second, on Sinch's worked example and on garbage."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml.callbacks import construct_event
from svaml.errors import EventError, SignatureError
from svaml.model import AceEvent, IceEvent
from svaml.signing import sign

# The callback example of developers.sinch.com "callback-signed-request" (reference section 1d).
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
BODY = (
    b'{"event":"ace","callid":"822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257",'
    b'"timestamp":"2014-09-24T10:59:41Z","version":1}'
)
PATH = "/sinch/callback/ace"
HEADERS = {
    "authorization": f"application {KEY}:Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4=",
    "x-timestamp": "2014-09-24T10:59:41Z",
    "content-type": "application/json",
}
SENT = datetime(2014, 9, 24, 10, 59, 41, tzinfo=timezone.utc)
ACE = AceEvent(call_id="822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257", timestamp=SENT, version=1)


def signed(body: bytes, path: str = "/sinch/callback") -> dict[str, str]:
    """Return the headers Sinch would send with ``body`` posted now to ``path``."""
    headers = sign(
        method="POST", path=path, body=body, content_type="application/json", key=KEY, secret=SECRET
    )
    return {**headers, "Content-Type": "application/json"}


def test_constructs_the_worked_example() -> None:
    """Sinch's signed ACE example verifies (at the time it was sent) and reads into an AceEvent."""
    expected = ACE
    assert expected == construct_event(BODY, HEADERS, path=PATH, key=KEY, secret=SECRET, now=SENT)


def test_replayed_traffic_verifies_with_the_window_switched_off() -> None:
    """With ``max_age=None`` a recorded request verifies long after it was sent."""
    expected = ACE
    assert expected == construct_event(BODY, HEADERS, path=PATH, key=KEY, secret=SECRET, max_age=None)


def test_an_old_request_is_refused_by_the_replay_window() -> None:
    """By default a request whose x-timestamp is more than five minutes away is refused."""
    with pytest.raises(SignatureError, match="outside the replay window of 300 seconds"):
        construct_event(BODY, HEADERS, path=PATH, key=KEY, secret=SECRET)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"path": "/other/path"}, "signature does not match"),
        ({"body": BODY.replace(b"ace", b"ice")}, "signature does not match"),
        ({"method": "PUT"}, "signature does not match"),
        ({"secret": "JViE5vDor0Sw3WllZka15Q=="}, "signature does not match"),
        ({"key": "other-key"}, "unknown application key"),
        ({"headers": {}}, "missing Authorization header"),
    ],
)
def test_what_does_not_verify_raises_signature_error(changes: dict[str, Any], match: str) -> None:
    """A changed path, body, method, secret, key or missing headers fail verification."""
    arguments: dict[str, Any] = {"body": BODY, "headers": HEADERS, "path": PATH, "key": KEY, "secret": SECRET,
                                 "now": SENT, **changes}
    with pytest.raises(SignatureError, match=match):
        construct_event(**arguments)


def test_verification_comes_before_reading() -> None:
    """An unsigned body that is not an event raises SignatureError, not EventError: nothing is read."""
    with pytest.raises(SignatureError, match="missing Authorization header"):
        construct_event(b"not json", {}, path="/sinch/callback", key=KEY, secret=SECRET)


def test_a_signed_body_that_is_not_an_event_raises_event_error() -> None:
    """A correctly signed body that is not an event raises EventError."""
    body = b'{"event":"ring"}'
    with pytest.raises(EventError, match="unknown event 'ring'"):
        construct_event(body, signed(body), path="/sinch/callback", key=KEY, secret=SECRET)


def test_a_signed_ice_posted_now_constructs() -> None:
    """An ICE signed now, with headers in any letter case, reads into an IceEvent."""
    body = b'{"event":"ice","callid":"c1","cli":"+46708168731"}'
    headers = {name.upper(): value for name, value in signed(body).items()}
    expected = IceEvent(call_id="c1", cli="+46708168731")
    assert expected == construct_event(body, headers, path="/sinch/callback", key=KEY, secret=SECRET)


def test_behind_a_proxy_the_public_path_is_what_verifies() -> None:
    """Sinch signs the public path of the callback URL; verifying against the proxied path fails."""
    body = b'{"event":"ice","callid":"c1"}'
    headers = signed(body, path="/public/sinch")
    with pytest.raises(SignatureError, match="signature does not match"):
        construct_event(body, headers, path="/internal/sinch", key=KEY, secret=SECRET)
    expected = IceEvent(call_id="c1")
    assert expected == construct_event(body, headers, path="/public/sinch", key=KEY, secret=SECRET)


def test_a_callback_url_with_a_query_string_verifies() -> None:
    """A callback URL with a query string verifies when the path is given with its query."""
    body = b'{"event":"ice","callid":"c1"}'
    headers = signed(body, path="/sinch")  # Sinch's SDKs sign the path without the query
    event = construct_event(body, headers, path="/sinch?tenant=7", key=KEY, secret=SECRET)
    assert IceEvent(call_id="c1") == event


HEADER_NAMES = st.sampled_from(["authorization", "Authorization", "x-timestamp", "content-type", "x-other"])


@given(
    st.binary(max_size=100),
    st.dictionaries(HEADER_NAMES, st.text(max_size=60), max_size=4),
    st.text(max_size=20),
    st.sampled_from(["POST", "post", "GET", ""]),
)
def test_garbage_raises_only_the_documented_errors(
    body: bytes, headers: dict[str, str], path: str, method: str
) -> None:
    """Random bodies, headers, paths and methods raise SignatureError or EventError, nothing else."""
    with pytest.raises((SignatureError, EventError)):
        construct_event(body, headers, method=method, path=path, key=KEY, secret=SECRET)

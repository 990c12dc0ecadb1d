"""VoiceClient against hostile endpoints on 127.0.0.1: it trusts none of them.

Redirects to another port or in loops, answers dripped a byte at a time, endless bodies, gzip
bombs, broken framing: each ends quickly (small caps and deadlines keep the tests fast) in a
typed :class:`~svaml.errors.SinchError`, credentials never leave the configured origin, and a
callout is never sent twice.
"""

from __future__ import annotations

import base64
import io
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from hostile_server import Exchange, HostileServer, endless, gzip_bomb

from svaml.client import VoiceClient
from svaml.errors import ApiError, SinchError, SinchTimeoutError, SvamlError, TransportError

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
TO = "+46700000001"
CLI = "+46700000002"
CALL = "/calling/v1/calls/id/c1"


def client_of(server: HostileServer, **options: Any) -> VoiceClient:
    """Return a client of ``server`` with small timeouts, no retries and a short deadline."""
    settings: dict[str, Any] = {"base_url": server.url, "timeout": (1.0, 1.0), "retries": 0, "deadline": 3.0}
    settings.update(options)
    return VoiceClient(KEY, SECRET, **settings)


def ok(exchange: Exchange) -> None:
    """Answer like Sinch would to a GET of a call."""
    body = b'{"callId":"c1","status":"FINAL"}'
    exchange.send(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, body)


def redirecting(location: Callable[[Exchange], str], status: int = 307) -> Callable[[Exchange], None]:
    """Answer every request with a redirect to ``location(exchange)``."""
    return lambda exchange: exchange.send(status, {"Location": location(exchange), "Content-Length": "0"})


# -- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["signed", "basic"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_port_sends_it_no_credentials(auth: str, status: int) -> None:
    """A redirect to the same host on another port is not followed: that origin gets no request at all."""
    away = redirecting(lambda e: other.url + e.target, status)
    with HostileServer(ok) as other, HostileServer(away) as first:
        with client_of(first, auth=auth) as made, pytest.raises(ApiError, match="leads away from") as caught:
            made.get_call("c1")
        expected = (status, 1, 0)
        assert expected == (caught.value.status, len(first.requests), len(other.requests))


@pytest.mark.parametrize("status", [307, 308])
def test_a_redirect_loop_sends_a_callout_once(status: int) -> None:
    """A 307 or 308 loop answering a callout is an ApiError saying why, after exactly one request."""
    with HostileServer(redirecting(lambda e: e.target, status)) as server:
        with client_of(server) as made, pytest.raises(ApiError, match="a callout is never sent again"):
            made.tts_callout(TO, cli=CLI, text="Hi")
        expected = 1
        assert expected == len(server.requests)


@pytest.mark.parametrize("call", ["update_call", "assign_numbers"])
def test_requests_that_cannot_be_repeated_do_not_follow_redirects(call: str) -> None:
    """A call update or a number assignment answered with a same-origin 307 is not sent again."""
    from svaml import Svaml

    with HostileServer(redirecting(lambda e: e.target)) as server, client_of(server) as made:
        send: Callable[[], None] = (
            (lambda: made.update_call("c1", Svaml.patch().hangup()))
            if call == "update_call"
            else (lambda: made.assign_numbers([TO]))
        )
        with pytest.raises(ApiError, match="not one that can safely be sent again"):
            send()
        expected = 1
        assert expected == len(server.requests)


def test_a_redirect_loop_of_a_get_ends_after_five_redirects() -> None:
    """A GET redirected to itself for ever stops after five redirects with an ApiError."""
    with HostileServer(redirecting(lambda e: e.target)) as server:
        with client_of(server) as made, pytest.raises(ApiError, match="more than 5 redirects"):
            made.get_call("c1")
        expected = 6
        assert expected == len(server.requests)


@pytest.mark.parametrize(
    ("location", "match"),
    [
        # requests itself reads the Location, even when not following it
        ("http://[::1", r"its answer is malformed \(Invalid IPv6 URL\)"),
        ("http://127.0.0.1:99999/x", r"its answer is malformed \(Port out of range 0-65535\)"),
        ("http://host:port/x", "the Location is not a valid URL"),
    ],
)
def test_a_malformed_location_is_a_sinch_error(location: str, match: str) -> None:
    """A Location that is not a URL (a ValueError in urllib today) is a SinchError that says so."""
    with HostileServer(redirecting(lambda e: location)) as server:
        with client_of(server) as made, pytest.raises(SinchError, match=match):
            made.get_call("c1")
        expected = 1
        assert expected == len(server.requests)


def test_a_redirect_within_the_origin_of_a_get_is_followed() -> None:
    """A GET redirected to another path of the same origin is followed and answered."""

    def answer(exchange: Exchange) -> None:
        if exchange.target == CALL:
            exchange.send(307, {"Location": CALL + "?moved=1", "Content-Length": "0"})
        else:
            ok(exchange)

    with HostileServer(answer) as server, client_of(server) as made:
        expected = ("c1", [CALL, CALL + "?moved=1"])
        assert expected == (made.get_call("c1").call_id, [e.target for e in server.requests])


# -- slow, huge and bombing answers ---------------------------------------------------------------


def drip(exchange: Exchange) -> None:
    """Promise 10,000 bytes and send one every 20 ms."""
    exchange.send(200, {"Content-Length": "10000"}, _dripping(0.02))


def _dripping(pause: float) -> Iterator[bytes]:
    for _ in range(10000):
        time.sleep(pause)
        yield b" "


def test_a_drip_fed_answer_is_cut_at_the_deadline() -> None:
    """A server dripping a byte every 20 ms (each read in time) is cut off at the 0.5 s deadline."""
    with HostileServer(drip) as server, client_of(server, deadline=0.5) as made:
        started = time.monotonic()
        with pytest.raises(SinchTimeoutError, match=r"within the deadline of 0\.5 s"):
            made.get_call("c1")
        expected = True
        assert expected == (time.monotonic() - started < 1.5)


def test_the_deadline_stops_retries_that_would_outlast_it() -> None:
    """A 503 asking to retry in 2 s is not waited for when the deadline is 1 s: the error comes at once."""

    def busy(exchange: Exchange) -> None:
        exchange.send(503, {"Retry-After": "2", "Content-Length": "0"})

    with HostileServer(busy) as server, client_of(server, deadline=1.0, retries=3) as made:
        started = time.monotonic()
        with pytest.raises(ApiError):
            made.get_call("c1")
        expected = (1, True)
        assert expected == (len(server.requests), time.monotonic() - started < 1.0)


def test_an_endless_answer_stops_at_max_response() -> None:
    """A body that never ends is read only up to max_response, then a TransportError says so."""

    def flood(exchange: Exchange) -> None:
        exchange.send(200, {"Content-Type": "application/json"}, endless(b"[" * 65536))

    with (
        HostileServer(flood) as server,
        client_of(server, max_response=256 * 1024) as made,
        pytest.raises(TransportError, match=r"larger than max_response \(262144 bytes"),
    ):
        made.get_call("c1")


def test_a_gzip_bomb_is_refused_counting_decompressed_bytes() -> None:
    """A 100 KB gzip body inflating to 96 MiB stops at a 1 MiB max_response, in bounded memory."""
    bomb = gzip_bomb(96 << 20)

    def answer(exchange: Exchange) -> None:
        headers = {"Content-Encoding": "gzip", "Content-Length": str(len(bomb))}
        exchange.send(200, headers, bomb)

    with HostileServer(answer) as server, client_of(server, max_response=1 << 20) as made:
        tracemalloc.start()
        try:
            with pytest.raises(TransportError, match="larger than max_response"):
                made.get_call("c1")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    expected = True
    assert expected == (peak < 8 << 20)


# -- broken answers: every one a SinchError ------------------------------------------------------


def raw(data: bytes) -> Callable[[Exchange], None]:
    """Answer with exactly these bytes, then close."""
    return lambda exchange: exchange.connection.sendall(data)


BROKEN = {
    "nothing": raw(b""),
    "not HTTP": raw(b"SSH-2.0-OpenSSH_9.6\r\n"),
    "bad status line": raw(b"HTTP/1.1 two hundred OK\r\n\r\n"),
    "short body": raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}"),
    "bad chunking": raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n"),
    "bad gzip": raw(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"),
    "nested JSON": raw(b"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + b"[" * 100000 + b"]" * 100000),
    "huge number": raw(b"HTTP/1.1 200 OK\r\nContent-Length: 10012\r\n\r\n{\"callId\":" + b"9" * 10000 + b"}"),
    "not UTF-8": raw(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\xff\xfe{}"),
    "binary error": raw(b"HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\n\x00\xff\x80"),
    "bad header": raw(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n{}"),
    "redirect, no Location": raw(b"HTTP/1.1 307 Go\r\nContent-Length: 0\r\n\r\n"),
}


@pytest.mark.parametrize("answer", list(BROKEN.values()), ids=list(BROKEN))
@pytest.mark.parametrize("call", ["get_call", "tts_callout"])
def test_every_broken_answer_is_a_sinch_error(answer: Callable[[Exchange], None], call: str) -> None:
    """Whatever a broken server sends, the client raises a SinchError (or returns), never anything else."""
    with HostileServer(answer) as server, client_of(server) as made:
        try:
            if call == "get_call":
                made.get_call("c1")
            else:
                made.tts_callout(TO, cli=CLI, text="Hi")
        except SinchError as error:
            raised: str = type(error).__mro__[0].__module__
        else:
            raised = "svaml.errors"
    expected = "svaml.errors"
    assert expected == raised


# -- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"deadline": 0}, "deadline must be more than 0 seconds"),
        ({"deadline": -1}, "deadline must not be negative"),
        ({"deadline": 10**400}, r"deadline must be at most 1e\+09 seconds"),
        ({"timeout": 10**400}, r"timeout must be at most 1e\+09 seconds"),
        ({"max_response": -1}, "max_response must not be negative"),
    ],
)
def test_absurd_limits_are_refused(options: dict[str, Any], match: str) -> None:
    """A deadline, timeout or size that is negative or beyond any clock is a SvamlError, not OverflowError."""
    with pytest.raises(SvamlError, match=match) as caught:
        VoiceClient(KEY, SECRET, **options)
    assert SvamlError in type(caught.value).__mro__


def test_the_limits_have_defaults_and_show() -> None:
    """The deadline defaults to 30 s and the size cap to 4 MiB; both are readable."""
    with VoiceClient(KEY, SECRET) as made:
        expected = (30.0, 4 << 20)
        assert expected == (made.deadline, made.max_response)


def test_basic_credentials_go_only_to_the_configured_origin() -> None:
    """With Basic auth only the configured origin gets the key and secret; the other origin gets nothing."""
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    away = redirecting(lambda e: other.url + e.target)
    with HostileServer(ok) as other, HostileServer(away) as first:
        with client_of(first, auth="basic") as made, pytest.raises(ApiError):
            made.get_call("c1")
        expected = (f"Basic {token}", [])
        assert expected == (first.requests[0].headers.get("authorization"), other.requests)


class CannedAdapter(requests.adapters.BaseAdapter):
    """A transport of requests (not svaml) that answers from memory, as test doubles do."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Answer 200 with the canned body, whose ``raw`` is a plain BytesIO."""
        response = requests.Response()
        response.status_code, response.raw, response.request = 200, io.BytesIO(self.body), request
        return response

    def close(self) -> None:
        """Nothing to release."""


@pytest.mark.parametrize(("body", "outcome"), [(b'{"callId":"c1"}', "c1"), (b"[" * 5000, "TransportError")])
def test_a_session_of_another_kind_is_read_within_the_cap_too(body: bytes, outcome: str) -> None:
    """A session whose answers are not urllib3's (a test double) is read too, and capped at max_response."""
    session = requests.Session()
    session.mount("https://", CannedAdapter(body))
    with VoiceClient(KEY, SECRET, session=session, max_response=4096) as made:
        try:
            found = made.get_call("c1").call_id
        except TransportError as error:
            found = type(error).__name__ if "larger than max_response" in str(error) else str(error)
    assert outcome == found

"""VoiceClient2 against hostile raw-socket servers on 127.0.0.1: v1's transport rules hold for v2 too."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hostile_server import Exchange, HostileServer, endless, gzip_bomb

from svaml.errors import SinchTimeoutError, TransportError
from svaml.v2 import Svaml2
from svaml.v2.client import (
    BadRequestError,
    ProblemError,
    ServerError,
    TooManyRequestsError,
    VoiceClient2,
)

PROJECT = "00000000-0000-4000-8000-00000000e2e2"
CALLS = f"/v2/projects/{PROJECT}/calls"
SESSION = b'{"sessionId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","projectId":"p","serviceId":"s"}'


def client_of(server: HostileServer, **options: Any) -> VoiceClient2:
    """A Basic-auth client of ``server`` with small timeouts, a short backoff and a short deadline."""
    settings: dict[str, Any] = {
        "base_url": server.url,
        "auth": "basic",
        "timeout": (1.0, 1.0),
        "backoff": 0.01,
        "deadline": 3.0,
    }
    settings.update(options)
    return VoiceClient2(PROJECT, "key", "secret", **settings)


def send_json(exchange: Exchange, status: int, body: bytes, **headers: str) -> None:
    """Answer ``status`` with a JSON (or problem+json) body."""
    kind = "application/problem+json" if status >= 400 else "application/json"
    exchange.send(status, {"Content-Type": kind, "Content-Length": str(len(body)), **headers}, body)


def problem(status: int, title: str) -> bytes:
    """A problem+json body as Sinch writes it."""
    return (
        f'{{"type":"https://api.sinch.com/docs/errors/x","title":"{title}","detail":"because",'
        f'"instance":"{CALLS}"}}'
    ).encode()


def sequence(*answers: Callable[[Exchange], None]) -> Callable[[Exchange], None]:
    """Answer the n-th request with the n-th function (the last one for the rest)."""
    count = [0]

    def answer(exchange: Exchange) -> None:
        index = min(count[0], len(answers) - 1)
        count[0] += 1
        answers[index](exchange)

    return answer


def test_a_429_is_retried_after_retry_after_with_the_same_key() -> None:
    """A create answered 429 (Retry-After: 0.2) is sent again after the wait, with the same key."""
    busy = sequence(
        lambda e: send_json(e, 429, problem(429, "Too Many Requests"), **{"Retry-After": "0.2"}),
        lambda e: send_json(e, 201, SESSION),
    )
    with HostileServer(busy) as server, client_of(server) as made:
        started = time.monotonic()
        created = made.create_call(Svaml2().dial("+46700000001"))
        waited = time.monotonic() - started
        keys = {e.headers["idempotency-key"] for e in server.requests}
        expected = ("01ARZ3NDEKTSV4RRFFQ69G5FAV", 2, 1, True)
        assert expected == (created.session_id, len(server.requests), len(keys), waited >= 0.2)


def test_a_429_after_the_retries_carries_retry_after_and_the_problem() -> None:
    """A persistent 429 is a TooManyRequestsError with retry_after and Sinch's problem, after 1 + 2 tries."""

    def busy(exchange: Exchange) -> None:
        send_json(exchange, 429, problem(429, "Too Many Requests"), **{"Retry-After": "0"})

    with HostileServer(busy) as server, client_of(server) as made:
        with pytest.raises(TooManyRequestsError) as caught:
            made.get_call("01ARZ3NDEKTSV4RRFFQ69G5FAV")
        assert caught.value.problem is not None
        expected = (3, 0.0, "Too Many Requests", 429)
        assert expected == (
            len(server.requests),
            caught.value.retry_after,
            caught.value.problem.title,
            caught.value.status,
        )


def test_a_create_without_a_key_is_never_retried() -> None:
    """With idempotency off, a create answered 503 is sent once and said to maybe have placed the call."""

    def unavailable(exchange: Exchange) -> None:
        send_json(exchange, 503, problem(503, "Service Unavailable"))

    with HostileServer(unavailable) as server, client_of(server, idempotency=False) as made:
        with pytest.raises(ServerError, match="the call may have been placed"):
            made.create_call(Svaml2().dial("+46700000001"))
        expected = (1, None)
        assert expected == (len(server.requests), server.requests[0].headers.get("idempotency-key"))


@pytest.mark.parametrize(("idempotency", "requests"), [(True, 2), (False, 1)])
def test_a_redirected_create_is_followed_only_with_a_key(idempotency: bool, requests: int) -> None:
    """A same-origin 307 of a create is followed with its key (the same request), never without one."""
    moved = sequence(
        lambda e: e.send(307, {"Location": CALLS + "?moved=1", "Content-Length": "0"}),
        lambda e: send_json(e, 201, SESSION),
    )
    with HostileServer(moved) as server, client_of(server, idempotency=idempotency) as made:
        try:
            found = made.create_call(Svaml2().dial("+46700000001")).session_id
        except ProblemError as error:
            found = "no Idempotency-Key" in str(error) and "redirect" in str(error)
        expected = "01ARZ3NDEKTSV4RRFFQ69G5FAV" if idempotency else True
        expected = (expected, requests)
        assert expected == (found, len(server.requests))


def test_a_redirect_to_another_origin_gets_no_credentials() -> None:
    """A GET redirected to another port is not followed: that server never sees the Basic credentials."""
    with HostileServer(lambda e: send_json(e, 200, b"{}")) as other:
        away = HostileServer(lambda e: e.send(307, {"Location": other.url + e.target, "Content-Length": "0"}))
        with away as server, client_of(server) as made, pytest.raises(ProblemError, match="leads away from"):
            made.get_session("01ARZ3NDEKTSV4RRFFQ69G5FAV")
        expected = (1, 0)
        assert expected == (len(server.requests), len(other.requests))


def test_a_drip_fed_answer_is_cut_at_the_deadline() -> None:
    """A server dripping a byte every 20 ms is cut off at the 0.5 s deadline."""

    def drip(exchange: Exchange) -> None:
        def pieces() -> Any:
            for _ in range(10000):
                time.sleep(0.02)
                yield b" "

        exchange.send(200, {"Content-Length": "10000"}, pieces())

    with HostileServer(drip) as server, client_of(server, deadline=0.5, retries=0) as made:
        started = time.monotonic()
        with pytest.raises(SinchTimeoutError, match=r"within the deadline of 0\.5 s"):
            made.get_batch("01ARZ3NDEKTSV4RRFFQ69G5FAV")
        expected = True
        assert expected is (time.monotonic() - started < 1.5)


@pytest.mark.parametrize(
    "answer",
    [
        lambda e: e.send(200, {"Content-Type": "application/json"}, endless(b"[" * 65536)),
        lambda e: e.send(
            200, {"Content-Encoding": "gzip", "Content-Type": "application/json"}, gzip_bomb(1 << 24)
        ),
    ],
    ids=["endless", "gzip-bomb"],
)
def test_an_answer_larger_than_max_response_is_refused(answer: Callable[[Exchange], None]) -> None:
    """An endless body or a gzip bomb stops at max_response (counted decompressed)."""
    with (
        HostileServer(answer) as server,
        client_of(server, max_response=100_000, retries=0) as made,
        pytest.raises(TransportError, match="larger than max_response"),
    ):
        made.list_services()


def test_an_error_body_that_is_not_problem_json_keeps_status_and_text() -> None:
    """A proxy's HTML 400 is a BadRequestError with no problem, the text kept in body."""
    page = b"<html>bad gateway thing</html>"
    with HostileServer(lambda e: e.send(400, {"Content-Length": str(len(page))}, page)) as server:
        with client_of(server) as made, pytest.raises(BadRequestError, match="not problem\\+json") as caught:
            made.list_services()
        expected = (None, page.decode())
        assert expected == (caught.value.problem, caught.value.body)

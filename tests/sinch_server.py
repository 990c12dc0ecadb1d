"""A real HTTP server on 127.0.0.1 that plays Sinch Voice's REST API for the client's tests.

It verifies the signature of every request with :func:`svaml.signing.verify` (a request that
does not verify gets Sinch's 401 answer), records every request, keeps a little state (calls,
conferences, numbers, callback URLs) so that answers follow from earlier requests, and injects
faults per path: a slow answer, a connection reset, an error status (429 and 503 with
``Retry-After``, 500…), a body that is not JSON, a redirect.

Use the ``sinch_server`` fixture (import :func:`sinch_server_fixture` into a test module), or
``with SinchServer() as server:``. Run ``python tests/sinch_server.py`` to serve by hand.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from svaml.errors import SignatureError
from svaml.signing import verify

__all__ = ["KEY", "SECRET", "Fault", "Recorded", "SinchServer", "sinch_server_fixture"]

#: The application key and secret of Sinch's signing documentation.
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Recorded:
    """One request as the server received it, and whether its signature verified."""

    def __init__(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.method = method
        self.path = path  # raw, as on the wire (percent-encoded, with any query)
        self.headers = headers
        self.body = body
        self.signature_error: str | None = None
        self.received = time.monotonic()

    def header(self, name: str) -> str | None:
        """Return the value of a header (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def json(self) -> Any:
        """The decoded JSON body (None when there is none)."""
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"Recorded({self.method} {self.path})"


class Fault:
    """A misbehaviour for requests to one path: ``slow``, ``reset``, ``status`` or ``redirect``.

    ``times`` is how many matching requests it affects (None: all of them).
    """

    def __init__(
        self,
        kind: str,
        path: str,
        *,
        method: str | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.method = method
        self.times = times
        self.delay = delay
        self.status = status
        self.headers = dict(headers or {})
        if isinstance(body, Mapping):
            body = json.dumps(body)
        self.body = body.encode() if isinstance(body, str) else body

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (and still has uses left)."""
        if self.times is not None and self.times <= 0:
            return False
        return path == self.path and (self.method is None or self.method == method)


def _error(status: int, code: int | str, message: str) -> dict[str, Any]:
    return {
        "status": f"{status} {_REASONS.get(status, '')}".strip(),
        "errorCode": code,
        "message": message,
        "reference": str(uuid.uuid4()),
    }


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")  # 7 digits, as .NET


class SinchServer:
    """Sinch Voice on a free port of 127.0.0.1, in a thread; ``url`` is its base URL."""

    def __init__(self, *, key: str = KEY, secret: str = SECRET, allow_basic: bool = False) -> None:
        self.key = key
        self.secret = secret
        self.allow_basic = allow_basic
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.calls: dict[str, dict[str, Any]] = {}
        self.conferences: dict[str, dict[str, dict[str, Any]]] = {}
        self.numbers: list[dict[str, Any]] = []
        self.callback_urls: dict[str, dict[str, str]] = {}
        self.expect_unsigned = False
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.sinch = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01})
        self._thread.daemon = True

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SinchServer:
        """Start serving in a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; slow answers still waiting end at once."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SinchServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults ------------------------------------------------------------------------------------

    def fault(self, kind: str, path: str, **options: Any) -> Fault:
        """Add a fault (see :class:`Fault`) and return it."""
        found = Fault(kind, path, **options)
        with self._lock:
            self.faults.append(found)
        return found

    def slow(self, path: str, delay: float, **options: Any) -> Fault:
        """Answer requests to ``path`` only after ``delay`` seconds."""
        return self.fault("slow", path, delay=delay, **options)

    def reset(self, path: str, **options: Any) -> Fault:
        """Read the request, then reset the connection (TCP RST) without answering."""
        return self.fault("reset", path, **options)

    def error(
        self,
        path: str,
        status: int,
        *,
        retry_after: str | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Fault:
        """Answer ``status`` with Sinch's error body (or ``body``), and ``Retry-After`` if given."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        if body is None:
            body = _error(status, status * 100, _REASONS.get(status, "Error"))
        return self.fault("status", path, status=status, headers=headers, body=body, **options)

    def not_json(self, path: str, status: int = 200, **options: Any) -> Fault:
        """Answer ``status`` with an HTML body."""
        return self.fault(
            "status",
            path,
            status=status,
            headers={"Content-Type": "text/html"},
            body="<html><body>Bad gateway</body></html>",
            **options,
        )

    def redirect(self, path: str, location: str, status: int = 307, **options: Any) -> Fault:
        """Answer with a redirect to ``location``."""
        return self.fault("status", path, status=status, headers={"Location": location}, body=b"", **options)

    # -- what happened -----------------------------------------------------------------------------

    def unsigned(self) -> list[Recorded]:
        """Return the requests whose signature did not verify."""
        return [r for r in self.requests if r.signature_error is not None]

    def paths(self) -> list[str]:
        """Return ``METHOD path`` of every request, in order."""
        return [f"{r.method} {r.path}" for r in self.requests]

    # -- serving -----------------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for found in self.faults:
                if found.matches(method, path):
                    if found.times is not None:
                        found.times -= 1
                    return found
        return None

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            handler = methods.get(method)
            if handler is None:
                return 405, _error(405, 40500, f"{method} is not allowed here")
            args = [unquote(g) for g in match.groups()]
            with self._lock:
                return handler(self, body, *args)
        return 404, _error(404, 40400, "Resource not found")

    # Each endpoint returns (status, JSON-ready body or None).

    def _callout(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or body.get("method") not in (
            "ttsCallout",
            "conferenceCallout",
            "customCallout",
        ):
            return 400, _error(400, 40001, "Invalid callout method")
        callout = body.get(body["method"])
        if not isinstance(callout, dict):
            return 400, _error(400, 40002, f"Missing parameter {body['method']}")
        call_id = f"{uuid.uuid4()}_1"
        destination = callout.get("destination") or {"type": "number", "endpoint": "+46700000000"}
        self.calls[call_id] = {
            "from": {"type": "number", "endpoint": callout.get("cli", "private")},
            "to": destination,
            "domain": "pstn",
            "callId": call_id,
            "duration": 0,
            "status": "ONGOING",
            "result": "N/A",
            "reason": "N/A",
            "timestamp": _now(),
            "custom": callout.get("custom"),
            "userRate": {"currencyId": "USD", "amount": 0.0368},
            "debit": {"currencyId": "USD", "amount": 0.0},
        }
        if body["method"] == "conferenceCallout":
            room = self.conferences.setdefault(callout["conferenceId"], {})
            room[call_id] = {
                "cli": callout.get("cli", "private"),
                "id": call_id,
                "duration": 0,
                "muted": False,
                "onhold": False,
            }
        return 200, {"callId": call_id}

    def _get_call(self, _: Any, call_id: str) -> tuple[int, Any]:
        call = self.calls.get(call_id)
        if call is None:
            return 404, _error(404, 40400, "Call not found")
        return 200, call

    def _update_call(self, body: Any, call_id: str) -> tuple[int, Any]:
        call = self.calls.get(call_id)
        if call is None:
            return 404, _error(404, 40400, "Call not found")
        action = (body or {}).get("action", {}).get("name")
        if action not in ("hangup", "continue", "park"):
            return 400, _error(400, 40003, f"Invalid action {action!r} for a call update")
        if action == "hangup":
            call.update(status="FINAL", result="ANSWERED", reason="MANAGERHANGUP")
            for room in self.conferences.values():
                room.pop(call_id, None)
        return 204, None

    def _manage_leg(self, body: Any, call_id: str, leg: str) -> tuple[int, Any]:
        if call_id not in self.calls:
            return 404, _error(404, 40400, "Call not found")
        if leg not in ("caller", "callee", "both"):
            return 400, _error(400, 40001, f"Invalid call leg {leg!r}")
        names = {i.get("name") for i in (body or {}).get("instructions", [])}
        if not names <= {"playFiles", "say"}:
            return 400, _error(400, 40003, "Only playFiles and say can be used with a call leg")
        return 200, None

    def _get_conference(self, _: Any, conference_id: str) -> tuple[int, Any]:
        room = self.conferences.get(conference_id)
        if room is None:
            return 404, _error(404, 40400, "Conference not found")
        return 200, {"participants": list(room.values())}

    def _kick_all(self, _: Any, conference_id: str) -> tuple[int, Any]:
        if conference_id not in self.conferences:
            return 404, _error(404, 40400, "Conference not found")
        self.conferences[conference_id].clear()
        return 204, None

    def _manage_participant(self, body: Any, conference_id: str, call_id: str) -> tuple[int, Any]:
        participant = self.conferences.get(conference_id, {}).get(call_id)
        if participant is None:
            return 404, _error(404, 40400, "Participant not found")
        command = (body or {}).get("command")
        if command not in ("mute", "unmute", "onhold", "resume"):
            return 400, _error(400, 40001, f"Invalid command {command!r}")
        if "moh" in body and command != "onhold":
            return 400, _error(400, 40001, "moh is only used with onhold")
        if command in ("mute", "unmute"):
            participant["muted"] = command == "mute"
        else:
            participant["onhold"] = command == "onhold"
        return 200, None

    def _kick_participant(self, _: Any, conference_id: str, call_id: str) -> tuple[int, Any]:
        room = self.conferences.get(conference_id, {})
        if call_id not in room:
            return 404, _error(404, 40400, "Participant not found")
        del room[call_id]
        return 200, None

    def _list_numbers(self, _: Any) -> tuple[int, Any]:
        return 200, {"numbers": list(self.numbers)}

    def _assign_numbers(self, body: Any) -> tuple[int, Any]:
        numbers = (body or {}).get("numbers")
        if not isinstance(numbers, list) or not 1 <= len(numbers) <= 100:
            return 400, _error(400, 40001, "numbers must list 1 to 100 numbers")
        if not all(isinstance(n, str) and n.startswith("+") for n in numbers):
            return 400, _error(400, 40005, "Number missing leading plus")
        for number in numbers:
            self.numbers = [n for n in self.numbers if n["number"] != number]
            self.numbers.append(
                {
                    "number": number,
                    "applicationkey": body.get("applicationkey"),
                    "expires": "2030-01-01T00:00:00Z",
                    "capability": body.get("capability", "voice"),
                }
            )
        return 204, None

    def _unassign_number(self, body: Any) -> tuple[int, Any]:
        number = (body or {}).get("number")
        if number not in {n["number"] for n in self.numbers}:
            return 404, _error(404, 40400, "Number not found")
        self.numbers = [n for n in self.numbers if n["number"] != number]
        return 204, None

    def _get_callbacks(self, _: Any, key: str) -> tuple[int, Any]:
        return 200, {"url": self.callback_urls.get(key, {"primary": "https://example.com/sinch"})}

    def _update_callbacks(self, body: Any, key: str) -> tuple[int, Any]:
        url = (body or {}).get("url")
        if not isinstance(url, dict) or "primary" not in url:
            return 400, _error(400, 40002, "Missing parameter url.primary")
        self.callback_urls[key] = url
        return 204, None

    def _query_number(self, _: Any, number: str) -> tuple[int, Any]:
        return 200, {
            "number": {
                "countryId": "SE",
                "numberType": "Mobile",
                "normalizedNumber": number,
                "restricted": False,
                "rate": {"currencyId": "USD", "amount": 0.0368},
            }
        }


_Endpoint = Callable[..., tuple[int, Any]]
_SEG = "([^/]+)"
_ROUTES: list[tuple[re.Pattern[str], dict[str, _Endpoint]]] = [
    (re.compile("/calling/v1/callouts"), {"POST": SinchServer._callout}),
    (
        re.compile(f"/calling/v1/calls/id/{_SEG}"),
        {"GET": SinchServer._get_call, "PATCH": SinchServer._update_call},
    ),
    (re.compile(f"/calling/v1/calls/id/{_SEG}/leg/{_SEG}"), {"PATCH": SinchServer._manage_leg}),
    (
        re.compile(f"/calling/v1/conferences/id/{_SEG}"),
        {"GET": SinchServer._get_conference, "DELETE": SinchServer._kick_all},
    ),
    (
        re.compile(f"/calling/v1/conferences/id/{_SEG}/{_SEG}"),
        {"PATCH": SinchServer._manage_participant, "DELETE": SinchServer._kick_participant},
    ),
    (
        re.compile("/v1/configuration/numbers"),
        {
            "GET": SinchServer._list_numbers,
            "POST": SinchServer._assign_numbers,
            "DELETE": SinchServer._unassign_number,
        },
    ),
    (
        re.compile(f"/v1/configuration/callbacks/applications/{_SEG}"),
        {"GET": SinchServer._get_callbacks, "POST": SinchServer._update_callbacks},
    ),
    (re.compile(f"/v1/calling/query/number/{_SEG}"), {"GET": SinchServer._query_number}),
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sinch: SinchServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a slow answer closes its end: expected, not worth a trace.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body in two writes meet delayed ACKs: 40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def _serve(self) -> None:
        sinch = self.server.sinch
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = Recorded(self.command, self.path, list(self.headers.items()), body)
        try:
            verify(
                method=self.command,
                path=self.path,
                headers=record.headers,
                body=body,
                key=sinch.key,
                secret=sinch.secret,
                allow_basic=sinch.allow_basic,
            )
        except SignatureError as exc:
            record.signature_error = str(exc)
        with sinch._lock:
            sinch.requests.append(record)

        path = urlsplit(self.path).path
        fault = sinch._take_fault(self.command, path)
        if fault is not None and fault.kind == "reset":
            # SO_LINGER 0: close() sends RST at once instead of a polite FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            sinch._stopping.wait(fault.delay)
            fault = None
        if fault is not None:
            self._answer(fault.status, fault.body or b"", fault.headers)
            return
        if record.signature_error is not None:
            self._json(401, _error(401, 40102, f"Invalid signature: {record.signature_error}"))
            return
        try:
            decoded = json.loads(body) if body else None
        except ValueError:
            self._json(400, _error(400, 40003, "Request body is not JSON"))
            return
        status, answer = sinch._route(self.command, path, decoded)
        self._json(status, answer)

    def _json(self, status: int, answer: Any) -> None:
        body = b"" if answer is None else json.dumps(answer).encode()
        self._answer(status, body, {"Content-Type": "application/json"} if body else {})

    def _answer(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status, _REASONS.get(status))
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 204:
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


@pytest.fixture(name="sinch_server")
def sinch_server_fixture() -> Iterator[SinchServer]:
    """Yield a running :class:`SinchServer`; on teardown, fail if a request was not signed right.

    A test that sends a bad signature on purpose sets ``server.expect_unsigned = True``.
    """
    with SinchServer() as server:
        yield server
    if not server.expect_unsigned:
        unsigned = [(r, r.signature_error) for r in server.unsigned()]
        assert unsigned == []


if __name__ == "__main__":  # pragma: no cover - serving by hand
    with SinchServer() as served:
        print(f"Sinch Voice on {served.url} (key {KEY}); Ctrl-C to stop")  # noqa: T201
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

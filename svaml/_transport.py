"""The one HTTP transport of svaml's REST clients (v1's ``VoiceClient``, v2's ``VoiceClient2``).

Both clients send through :class:`Transport`, so both have the same rules:

- connect and read timeouts, and a total ``deadline`` per method call (retries, redirects and a
  token fetch included); a server that drips its answer is cut off at it;
- an answer is read only up to ``max_response`` bytes, counted after decompression;
- a redirect is followed only for a request that can safely be sent again, only where it stays
  the same request (307 and 308 for anything but GET), and only to the same origin (scheme,
  host and port), at most five times: credentials never go anywhere else;
- a request that can safely be sent again is retried after 429, 502, 503 and 504 answers,
  connection failures and timeouts, waiting as ``Retry-After`` says (up to
  ``max_retry_after``) or backing off exponentially, within the deadline; any other request is
  sent once.

What differs between the clients (which requests are repeatable, their credentials, how an
error answer reads) is given by the caller of :meth:`Transport.send`. ``requests`` is imported
only when a transport is made.
"""

from __future__ import annotations

import builtins
import email.utils
import http.client
import importlib.metadata
import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar
from urllib.parse import urljoin, urlsplit

from svaml import __version__, _json
from svaml.errors import SinchError, SinchTimeoutError, SvamlError, SvamlTypeError, TransportError

if TYPE_CHECKING:
    import requests

__all__ = [
    "RATE_LIMITED",
    "USER_AGENT",
    "Client",
    "ErrorOf",
    "Received",
    "Timeout",
    "Transport",
    "count",
    "decode",
    "retry_after",
    "seconds",
    "snippet",
]

USER_AGENT = f"svaml/{__version__}"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: The statuses that say "too many requests, come back later".
RATE_LIMITED = frozenset({429, 503})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_MAX_SECONDS = 1e9  # some 30 years: anything longer is a mistake, and time.sleep refuses it

Timeout = float | tuple[float, float]
_C = TypeVar("_C", bound="Client")

#: Makes the error of an answer that is not a success: (response, body, what, Retry-After, refusal).
#: ``refusal`` says why a redirect was not followed ("" when the answer was no redirect).
ErrorOf = Callable[["requests.Response", bytes, str, "float | None", str], SinchError]


class Received(NamedTuple):
    """A success answer: its status, body and headers, and ``what`` (method and final URL)."""

    status: int
    content: bytes
    headers: Mapping[str, str]
    what: str


def load_requests(owner: str) -> ModuleType:
    """Import requests (and check urllib3), saying which extra to install when they are missing."""
    try:
        import requests
    except ImportError as exc:
        raise ImportError(f"{owner} needs the requests package: pip install 'svaml[client]'") from exc
    # Reading an answer a bounded piece at a time, decompressed too, needs urllib3 2.6.
    found = importlib.metadata.version("urllib3")
    if tuple(int(part) for part in re.findall(r"\d+", found)[:2]) < (2, 6):
        raise ImportError(f"{owner} needs urllib3 2.6 or later, not {found}: pip install 'svaml[client]'")
    return requests


class Transport:
    """Sends requests with timeouts, a deadline, a size limit, safe redirects and safe retries.

    ``owner`` names the client in messages (``svaml.client.VoiceClient``); ``log`` is its logger.
    The other arguments are the clients' own, checked here once for both.
    """

    def __init__(
        self,
        owner: str,
        log: logging.Logger,
        *,
        timeout: Timeout | None,
        retries: int,
        backoff: float,
        max_retry_after: float,
        session: requests.Session | None,
        deadline: float | None,
        max_response: int,
    ) -> None:
        self.log = log
        self.timeout = _timeout(timeout)
        self.retries = count("retries", retries)
        self.backoff = seconds("backoff", backoff)
        self.max_retry_after = seconds("max_retry_after", max_retry_after)
        self.deadline = None if deadline is None else seconds("deadline", deadline)
        if self.deadline == 0:
            raise SvamlError("deadline must be more than 0 seconds (None for no deadline)")
        self.max_response = count("max_response", max_response)
        self.requests = load_requests(owner)
        self.owns_session = session is None
        self.session: requests.Session = session if session is not None else self.requests.Session()

    def __repr__(self) -> str:
        return f"Transport(timeout={self.timeout!r}, retries={self.retries!r}, deadline={self.deadline!r})"

    def close(self) -> None:
        """Close the session the transport made (a session passed in is left open)."""
        if self.owns_session:
            self.session.close()

    def ends(self) -> float | None:
        """The monotonic time a method call starting now must end by (None: no deadline)."""
        return None if self.deadline is None else time.monotonic() + self.deadline

    def send(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None,
        headers: Callable[[str, str, bytes | None], dict[str, str]],
        error: ErrorOf,
        retry: bool = False,
        note: str = "",
        unsent: str | None = None,
        never_again: str = "",
        hide_cause: bool = False,
        ends: float | None = None,
    ) -> Received:
        """Send one request; return its success answer, or raise a :class:`~svaml.errors.SinchError`.

        ``headers(method, url, data)`` makes each attempt's headers (a signature is made per
        URL). ``retry`` says the request can safely be sent again: only such a request is
        retried or follows a redirect; ``never_again`` says why a request that is not is never
        sent twice. ``note`` ends the message of a failure with no usable answer, ``unsent`` that
        of a connection never made. ``hide_cause`` drops requests' own exception from the chain
        (its frames hold the headers when they carry a secret). ``ends`` is the deadline of the
        whole method call (default: the transport's deadline from now).
        """
        requests = self.requests
        what = f"{method} {url}"
        if ends is None:
            ends = self.ends()
        attempt = redirects = 0
        while True:
            attempt += 1
            started = time.monotonic()
            failure: SinchError | None = None
            cause: BaseException | None = None
            try:
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    # Not kept in a local: with Basic auth the header holds the secret.
                    headers=headers(method, url, data),
                    timeout=self._timeout_within(ends, what, note),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.RequestException as exc:
                # A connection never made carried nothing: the request surely had no effect.
                said = unsent if unsent is not None and _not_sent(exc) else note
                kind = SinchTimeoutError if isinstance(exc, requests.Timeout) else TransportError
                in_time = " in time" if kind is SinchTimeoutError else ""
                failure = kind(f"{what}: no answer from Sinch{in_time} ({_why(exc)}){said}")
                cause = exc
            except (ValueError, OSError, http.client.HTTPException) as exc:
                # Faults requests lets through: a URL or header it cannot encode, a broken socket, a
                # redirect's Location it cannot parse (it reads one even when not following).
                # Anything else is the session's own business (a test double, a dry run).
                why = f"the request failed or its answer is malformed ({_why(exc)})"
                failure = TransportError(f"{what}: {why}{note}")
                cause = exc
            elapsed = (time.monotonic() - started) * 1000
            if failure is not None:
                self.log.debug(
                    "%s %s -> %s after %.0f ms (attempt %d)",
                    method,
                    url,
                    failure,
                    elapsed,
                    attempt,
                    extra={
                        "method": method,
                        "url": url,
                        "duration_ms": round(elapsed, 3),
                        "attempt": attempt,
                    },
                )
                wait = self.backoff * 2 ** (attempt - 1)
                if retry and attempt <= self.retries and _in_time(ends, wait):
                    self._wait(what, wait, str(failure), attempt)
                    continue
                raise failure from (None if hide_cause else cause)

            status = response.status_code
            try:
                content = self._read(response, what, ends, note)
            finally:
                response.close()
            self.log.debug(
                "%s %s -> %d in %.0f ms (attempt %d)",
                method,
                url,
                status,
                elapsed,
                attempt,
                extra={
                    "method": method,
                    "url": url,
                    "status": status,
                    "duration_ms": round(elapsed, 3),
                    "attempt": attempt,
                },
            )
            if 200 <= status < 300:
                return Received(status, content, response.headers, what)
            refusal = ""
            if status in _REDIRECTS:
                target, refusal = _redirect(
                    url, response.headers.get("Location"), method, status, retry, never_again
                )
                if target is not None and redirects < _MAX_REDIRECTS:
                    self.log.debug("%s %s: following the redirect to %s", method, url, target)
                    redirects += 1
                    attempt -= 1
                    url = target
                    what = f"{method} {url}"
                    continue
                refusal = refusal or f"more than {_MAX_REDIRECTS} redirects"
            after = None
            if status in RATE_LIMITED:
                after = retry_after(response.headers.get("Retry-After"))
            if status in _RETRY_STATUSES and retry and attempt <= self.retries:
                wait = after if after is not None else self.backoff * 2 ** (attempt - 1)
                if wait <= self.max_retry_after and _in_time(ends, wait):
                    self._wait(what, wait, f"HTTP {status}", attempt)
                    continue
            raise error(response, content, what, after, refusal)

    def _timeout_within(self, ends: float | None, what: str, note: str) -> tuple[float, float] | None:
        """Return the (connect, read) timeout of the next attempt, cut to the time the deadline leaves."""
        if ends is None:
            return self.timeout
        left = ends - time.monotonic()
        if left <= 0:
            raise SinchTimeoutError(f"{what}: no answer within the deadline of {self.deadline:g} s{note}")
        if self.timeout is None:
            return (left, left)
        return (min(self.timeout[0], left), min(self.timeout[1], left))

    def _read(self, response: requests.Response, what: str, ends: float | None, note: str) -> bytes:
        """Read the answer's body as it arrives, within ``max_response`` (decompressed) and the deadline."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _pieces(response):
                size += len(chunk)
                if size > self.max_response:
                    raise TransportError(
                        f"{what}: Sinch's answer is larger than max_response ({self.max_response} bytes,"
                        f" counted decompressed); not read further{note}"
                    )
                chunks.append(chunk)
                if ends is not None and time.monotonic() > ends:
                    raise SinchTimeoutError(
                        f"{what}: the answer did not arrive within the deadline of {self.deadline:g} s{note}"
                    )
            return b"".join(chunks)
        except SinchError:
            raise
        except Exception as exc:  # urllib3, http.client and zlib each raise their own
            kind = SinchTimeoutError if _timed_out(exc) else TransportError
            failure = kind(f"{what}: the answer broke off ({_why(exc)}){note}")
            cause = exc
        raise failure from cause

    def _wait(self, what: str, wait: float, why: str, attempt: int) -> None:
        self.log.info(
            "%s: retrying in %.2f s after %s (retry %d of %d)",
            what,
            wait,
            why,
            attempt,
            self.retries,
            extra={"attempt": attempt, "wait_s": wait},
        )
        time.sleep(wait)


# -- helpers ---------------------------------------------------------------------------------------


class Client:
    """What both REST clients share: where they send, their settings, closing, ``with``, no pickling.

    A subclass sets ``_region``, ``_base_url``, ``_auth`` and ``_transport`` in its constructor
    and says in ``_HOLDS`` which secret it holds.
    """

    _transport: Transport
    _HOLDS: ClassVar[str] = "a secret"
    _region: str
    _base_url: str
    _auth: str

    @property
    def region(self) -> str:
        """The region's name (``europe`` in v1, ``eu1`` in v2)."""
        return self._region

    @property
    def base_url(self) -> str:
        """The host the client sends its calls to (``https://eu1.voice.api.sinch.com`` in v2)."""
        return self._base_url

    @property
    def auth(self) -> str:
        """How requests authenticate: ``signed`` or ``basic`` in v1, ``oauth2`` or ``basic`` in v2."""
        return self._auth

    @property
    def timeout(self) -> tuple[float, float] | None:
        """The ``(connect, read)`` timeout in seconds, or None for none."""
        return self._transport.timeout

    @property
    def retries(self) -> int:
        """How many times a request that can be repeated safely is retried."""
        return self._transport.retries

    @property
    def session(self) -> requests.Session:
        """The ``requests.Session`` that carries the requests."""
        return self._transport.session

    @property
    def deadline(self) -> float | None:
        """The most seconds one method call may take in all, or None for no limit."""
        return self._transport.deadline

    @property
    def max_response(self) -> int:
        """The largest answer, in bytes after decompression, that the client reads."""
        return self._transport.max_response

    def __reduce_ex__(self, protocol: object) -> Any:
        raise SvamlTypeError(
            f"a {type(self).__name__} is not pickled nor deep-copied: it holds {self._HOLDS}, and a"
            " pickle keeps it in clear; make a new client in the other process from its own configuration"
        )

    def close(self) -> None:
        """Close the session the client made (a session passed in is left open)."""
        transport = vars(self).get("_transport")  # a half-built client may have none
        if isinstance(transport, Transport):
            transport.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def seconds(what: str, value: object) -> float:
    """Return ``value`` as a number of seconds, or raise: not negative, not NaN, not absurd."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SvamlTypeError(f"{what} must be a number of seconds, not {type(value).__name__}")
    if value != value:  # NaN; no float() yet: an int may not fit
        raise SvamlError(f"{what} must be a number of seconds, not NaN")
    if value < 0:
        raise SvamlError(f"{what} must not be negative")
    if value > _MAX_SECONDS:
        raise SvamlError(f"{what} must be at most {_MAX_SECONDS:g} seconds (some 30 years)")
    return float(value)


def count(what: str, value: object) -> int:
    """Return ``value`` as a count, or raise: an int, not negative."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SvamlTypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < 0:
        raise SvamlError(f"{what} must not be negative")
    return value


def _timeout(value: Timeout | None) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2:
        connect, read = (seconds("timeout", v) for v in value)
    else:
        connect = read = seconds("timeout", value)
    if connect == 0 or read == 0:
        raise SvamlError("timeout must be more than 0 seconds (None for no timeout)")
    return (connect, read)


def snippet(data: Any, limit: int = 200) -> str:
    """Return a short repr of an answer (text or JSON data) for an error message."""
    try:
        text = data if isinstance(data, str) else _json.dumps(data)
    except (ValueError, RecursionError):
        text = f"<{type(data).__name__} svaml cannot write>"
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _why(exc: BaseException) -> str:
    # requests wraps urllib3's MaxRetryError, whose `reason` is the real one (refused, reset…).
    reason: object = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", None) or reason
    text = str(reason) or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def _not_sent(exc: BaseException) -> bool:
    """Whether a requests exception is a failure to connect, so the request never left."""
    from urllib3.exceptions import ConnectTimeoutError

    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", None), ConnectTimeoutError)


def decode(content: bytes, status: int, what: str, note: str) -> Any:
    """Decode an answer under the one JSON policy (:mod:`svaml._json`); refuse one that breaks it."""
    if not content.strip():
        return None
    try:
        decoded = _json.decode(content)
    except (ValueError, RecursionError) as exc:  # numbers or nesting past what Python reads
        why = f"Sinch answered {status} with a body svaml cannot read ({exc})"
        raise TransportError(f"{what}: {why}{note}") from None
    if decoded.clean:
        return decoded.value
    why = "that is not JSON" if decoded.problem is not None else "that repeats a key in one object"
    raise TransportError(
        f"{what}: Sinch answered {status} with a body {why}:"
        f" {snippet(content.decode('utf-8', 'replace'))} ({decoded.reason}){note}"
    )


def _pieces(response: requests.Response) -> Iterator[bytes]:
    """Yield the answer's body, decompressed, in pieces of at most _CHUNK bytes as they arrive.

    ``read1`` returns what has arrived, so a server dripping bytes cannot hold one read open past
    the deadline. A session of another kind (a test double whose ``raw`` is not urllib3's) is
    read through requests' own iterator.
    """
    from urllib3.response import BaseHTTPResponse

    raw = response.raw
    if isinstance(raw, BaseHTTPResponse):
        while piece := raw.read1(_CHUNK, decode_content=True):
            yield piece
    else:
        yield from response.iter_content(_CHUNK)


def _timed_out(exc: BaseException) -> bool:
    from urllib3.exceptions import ReadTimeoutError

    return isinstance(exc, (ReadTimeoutError, builtins.TimeoutError))


def _in_time(ends: float | None, wait: float) -> bool:
    """Whether waiting ``wait`` seconds still leaves time before the deadline ``ends``."""
    return ends is None or time.monotonic() + wait < ends


def _redirect(
    source: str, location: str | None, method: str, status: int, repeatable: bool, never_again: str
) -> tuple[str | None, str]:
    """Return the URL to follow a redirect to, or None and why not.

    Only a request that can safely be sent again is, and only where it stays the same request
    (301, 302 and 303 would turn it into a GET) at the same origin (scheme, host and port), so
    credentials go nowhere else.
    """
    if not location:
        return None, "the redirect has no Location"
    if not repeatable:
        return None, never_again or f"this {method} is not one that can safely be sent again"
    if method not in ("GET", "HEAD") and status not in (307, 308):
        return None, f"a {status} would turn the {method} into a GET"
    try:
        target = urljoin(source, location)
        src, dst = urlsplit(source), urlsplit(target)
        same = (src.scheme, src.hostname, src.port) == (dst.scheme, dst.hostname, dst.port)
    except ValueError:
        return None, "the Location is not a valid URL"
    if not same:
        why = f"it leads away from {src.scheme}://{src.netloc}, and credentials are sent only there"
        if (dst.hostname or "").endswith(".sinch.com"):
            why += " (if Sinch sends you to a regional host, choose that region)"
        return None, why
    return target, ""


def retry_after(value: str | None) -> float | None:
    """Read ``Retry-After``: seconds (fractions allowed) or an HTTP date; None if absent or bad."""
    if not value:
        return None
    try:
        wait = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        wait = (moment - datetime.now(timezone.utc)).total_seconds()
    if math.isnan(wait) or math.isinf(wait):
        return None
    return max(0.0, wait)

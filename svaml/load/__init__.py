"""Many simulated calls against a running callback server: latency percentiles and failures.

:func:`run` plays ``calls`` simulated calls (:mod:`svaml.simulator`, over its URL target) on
``concurrency`` threads, each with its own kept-alive connection, and times every callback
request at the target: the time from handing the signed request to the connection to having
the whole answer. It is bounded in count (``calls``) and in time (``time_limit``: no call starts
after it), and it reports a :class:`LoadReport`: calls and requests done, latency percentiles,
and the failures grouped by their first diagnostic (or their reason when the answer had none).

``svaml simulate --url URL --calls 1000 --concurrency 20`` runs it from the command line with a
progress line; :mod:`svaml.load.locust` runs the same calls as a Locust user class.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from svaml.errors import SvamlError
from svaml.signing import Credentials
from svaml.simulator import (
    Caller,
    Platform,
    Reply,
    Request,
    Target,
    TargetError,
    Transcript,
    UrlTarget,
    simulate,
)

__all__ = ["LoadReport", "TimedTarget", "first_problem", "percentile", "run"]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Return the ``fraction`` percentile (0 to 1) of sorted values, by linear interpolation; nan if none."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


class TimedTarget:
    """A target that times each request it delivers and hands it to ``record(seconds, event, reply)``.

    Wraps any :class:`~svaml.simulator.Target`; ``event`` is the event's name (``ice``, ``pie``…),
    ``reply`` the :class:`~svaml.simulator.Reply`, or the :class:`~svaml.simulator.TargetError`
    when no answer came (it is raised on after being recorded).
    """

    def __init__(self, inner: Target, record: Callable[[float, str, Reply | TargetError], None]) -> None:
        self.inner = inner
        self.path = inner.path
        self._record = record

    def __repr__(self) -> str:
        return f"TimedTarget({self.inner!r})"

    def send(self, request: Request, timeout: float) -> Reply:
        """Deliver the request through the inner target and record how long the answer took."""
        event = _event_name(request.body)
        started = time.perf_counter()
        try:
            reply = self.inner.send(request, timeout)
        except TargetError as exc:
            self._record(time.perf_counter() - started, event, exc)
            raise
        self._record(time.perf_counter() - started, event, reply)
        return reply

    def close(self) -> None:
        """Close the inner target's connection, if it has one."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


def _event_name(body: bytes) -> str:
    # The platform writes "event" first: a cheap look without decoding the body again.
    start = body.find(b'"event":"')
    if start < 0:
        return "?"
    end = body.find(b'"', start + 9)
    return body[start + 9 : end].decode("ascii", "replace")


def first_problem(transcript: Transcript) -> str | None:
    """Return one line naming why a call failed: its first diagnostic, else its failure; None if ok."""
    if transcript.ok:
        return None
    failure = transcript.failure
    if failure is None:
        return "the call did not end"
    where = f"{failure.event.upper()}"
    if failure.diagnostics:
        d = failure.diagnostics[0]
        return f"{where}: {d.code} {d.pointer or '/'}: {d.message}"
    return f"{where}: {failure.kind.value}: {failure.message}"


@attrs.frozen(kw_only=True)
class LoadReport:
    """What a load run found: counts, request latencies (seconds, sorted) and failures by first problem."""

    url: str
    calls: int
    failed: int
    requests: int
    request_errors: int
    seconds: float
    latencies: tuple[float, ...]
    failures: tuple[tuple[str, int], ...]
    stopped_by_time: bool = False

    @property
    def ok(self) -> bool:
        """Whether every call ended well."""
        return self.failed == 0 and self.calls > 0

    def latency(self, fraction: float) -> float:
        """The request latency percentile ``fraction`` (0.5 for the median), in seconds."""
        return percentile(self.latencies, fraction)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (latencies in milliseconds)."""
        return {
            "url": self.url,
            "calls": self.calls,
            "failed": self.failed,
            "requests": self.requests,
            "requestErrors": self.request_errors,
            "seconds": round(self.seconds, 3),
            "callsPerSecond": round(self.calls / self.seconds, 1) if self.seconds else None,
            "latencyMs": {name: _json_ms(self.latency(q)) for name, q in _PERCENTILES}
            | {"max": _json_ms(self.latencies[-1] if self.latencies else math.nan)},
            "stoppedByTime": self.stopped_by_time,
            "failures": [{"problem": p, "calls": n} for p, n in self.failures],
        }

    def to_text(self) -> str:
        """The report for a terminal: one line of counts, one of latencies, then each failure."""
        rate = f"{self.calls / self.seconds:.1f}" if self.seconds else "-"
        lines = [
            f"{self.calls} calls ({self.failed} failed), {self.requests} requests"
            f" ({self.request_errors} errors) in {self.seconds:.2f} s: {rate} calls/s"
            + (" (stopped by the time limit)" if self.stopped_by_time else ""),
            "latency ms  "
            + "  ".join(f"{name} {_ms(self.latency(q)):.2f}" for name, q in _PERCENTILES)
            + (f"  max {_ms(self.latencies[-1]):.2f}" if self.latencies else ""),
        ]
        if self.failures:
            lines.append("failures (first problem of each failed call):")
            lines.extend(f"  {n:>6}  {p}" for p, n in self.failures)
        return "\n".join(lines)


_PERCENTILES = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _json_ms(seconds: float) -> float | None:
    # JSON has no NaN: no request, no latency.
    return None if math.isnan(seconds) else _ms(seconds)


class _Tally:
    """What the workers add up, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.request_errors = 0
        self.calls = 0
        self.failed = 0
        self.problems: Counter[str] = Counter()

    def record(self, seconds: float, event: str, reply: Reply | TargetError) -> None:
        ok = isinstance(reply, Reply) and 200 <= reply.status < 300
        with self.lock:
            self.latencies.append(seconds)
            if not ok:
                self.request_errors += 1

    def finished(self, transcript: Transcript) -> None:
        problem = first_problem(transcript)
        with self.lock:
            self.calls += 1
            if problem is not None:
                self.failed += 1
                self.problems[problem] += 1


def run(
    url: str,
    *,
    calls: int = 100,
    concurrency: int = 10,
    time_limit: float = 60.0,
    callers: Callable[[int], Caller] | None = None,
    key: str | None = None,
    secret: str | None = None,
    timeout: float | None = None,
    platform: Platform | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    target: Callable[[], Target] | None = None,
) -> LoadReport:
    """Play ``calls`` simulated calls against the callback server at ``url``; return the report.

    ``callers(n)`` gives the caller of the ``n``-th call (default: one that presses nothing).
    ``key`` and ``secret`` sign the events (without them the events go unsigned). ``platform``
    holds the simulator's assumptions (default :class:`~svaml.simulator.Platform`); ``timeout``,
    each request's, replaces its ``callback_timeout`` (10 s by default). ``progress(done, failed,
    total)`` is called after each call. ``target`` makes each worker's target (default: a
    :class:`~svaml.simulator.UrlTarget` of ``url``).
    """
    platform = platform if platform is not None else Platform()
    if timeout is not None:
        platform = attrs.evolve(platform, callback_timeout=timeout)
    if calls < 1 or concurrency < 1:
        raise ValueError("calls and concurrency must be at least 1")
    # Bad credentials are refused here, once, not in every worker.
    if (key is None) != (secret is None):
        raise SvamlError("give both the application key and the application secret, or neither")
    credentials = Credentials(key=key, secret=secret) if key is not None and secret is not None else None
    tally = _Tally()
    crashed: list[BaseException] = []
    counter = iter(range(calls))
    take = threading.Lock()
    started = time.perf_counter()
    deadline = started + time_limit
    stopped = threading.Event()

    def numbers() -> Iterator[int]:
        while True:
            if time.perf_counter() >= deadline:
                stopped.set()
                return
            with take:
                number = next(counter, None)
            if number is None:
                return
            yield number

    def work() -> None:
        made = target() if target is not None else UrlTarget(url)
        timed = TimedTarget(made, tally.record)
        try:
            for number in numbers():
                if crashed:
                    return
                caller = callers(number) if callers is not None else Caller()
                transcript = simulate(timed, caller, credentials=credentials, platform=platform)
                tally.finished(transcript)
                if progress is not None:
                    progress(tally.calls, tally.failed, calls)
        except BaseException as exc:  # a bug in callers() or progress(): stop all, raise it in run()
            crashed.append(exc)
        finally:
            timed.close()

    threads = [threading.Thread(target=work, name=f"svaml-load-{i}", daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if crashed:
        raise crashed[0]
    return LoadReport(
        url=url,
        calls=tally.calls,
        failed=tally.failed,
        requests=len(tally.latencies),
        request_errors=tally.request_errors,
        seconds=time.perf_counter() - started,
        latencies=tuple(sorted(tally.latencies)),
        failures=tuple(tally.problems.most_common()),
        stopped_by_time=stopped.is_set(),
    )

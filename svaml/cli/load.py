"""The load mode of ``svaml simulate``: ``--calls N --concurrency C --time-limit S`` against a running server.

``svaml simulate --url http://127.0.0.1:8000/sinch/callback --calls 1000 --concurrency 20`` plays
1000 simulated calls (each with the caller of ``--keys``/``--callee``/``--hangup-at``) on 20
threads with :func:`svaml.load.run`, bounded by ``--time-limit`` (no call starts after it), and
prints the report: calls, failures, request latency percentiles and each failure's first
diagnostic (``--format json`` prints it as JSON). While it runs, a progress line is drawn on
standard error when that is a terminal (``--progress`` forces it, ``--no-progress`` hides it).
Exit status: 0 every call ended well, 1 a call failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from svaml.simulator import Caller, Platform

__all__ = ["Progress", "add_arguments", "is_load", "load_command"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the load options to ``svaml simulate``'s parser."""
    group = parser.add_argument_group(
        "load (many calls against --url)",
        "With --calls, --concurrency or --time-limit, play many calls against --url and report"
        " request latencies and failures.",
    )
    group.add_argument("--calls", type=int, metavar="N", help="how many calls to play (default: 100)")
    group.add_argument(
        "--concurrency", type=int, metavar="C", help="calls at once, one thread each (default: 10)"
    )
    group.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="start no call after this many seconds (default: 60)",
    )
    group.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress line on standard error (default: when it is a terminal)",
    )


def is_load(args: argparse.Namespace) -> bool:
    """Whether the options ask for the load mode."""
    return any(getattr(args, name) is not None for name in ("calls", "concurrency", "time_limit"))


class Progress:
    """A progress line on a terminal stream, redrawn at most ``every`` seconds, safe across threads."""

    def __init__(self, stream: TextIO, total: int, every: float = 0.1) -> None:
        self.stream = stream
        self.total = total
        self.every = every
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._lock = threading.Lock()

    def __call__(self, done: int, failed: int, total: int) -> None:
        """Redraw the line for ``done`` calls of ``total`` (``failed`` of them failed), if it is time."""
        now = time.perf_counter()
        if done < total and now - self._drawn < self.every:
            return
        with self._lock:
            self._drawn = now
            elapsed = now - self.started
            rate = done / elapsed if elapsed > 0 else 0.0
            self.stream.write(
                f"\r{done}/{total} calls, {failed} failed, {elapsed:.1f} s, {rate:.0f} calls/s\x1b[K"
            )
            self.stream.flush()

    def finish(self) -> None:
        """Clear the line, so that the report starts on a clean one."""
        with self._lock:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _usage(args: argparse.Namespace) -> str | None:
    if args.url is None or args.app is not None:
        return (
            "the load mode (--calls, --concurrency, --time-limit) plays a running server:"
            " give --url URL, not MODULE:NAME"
        )
    if args.format == "mermaid":
        return "the load mode prints a report as text or json, not mermaid"
    for name in ("calls", "concurrency"):
        value = getattr(args, name)
        if value is not None and value < 1:
            return f"--{name} must be at least 1, got {value}"
    if args.time_limit is not None and not args.time_limit > 0:
        return f"--time-limit must be more than 0 seconds, got {args.time_limit}"
    return None


def load_command(
    args: argparse.Namespace, caller: Caller, platform: Platform, key: str | None, secret: str | None
) -> int:
    """Run the load mode of ``svaml simulate`` for parsed ``args``; return the exit status."""
    from svaml._json import dumps
    from svaml.cli._messages import error
    from svaml.load import run

    problem = _usage(args)
    if problem is not None:
        error(problem)
        return 2
    calls = args.calls if args.calls is not None else 100
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = Progress(sys.stderr, calls) if show else None
    try:
        report = run(
            args.url,
            calls=calls,
            concurrency=args.concurrency if args.concurrency is not None else 10,
            time_limit=args.time_limit if args.time_limit is not None else 60.0,
            callers=lambda n: caller,
            key=key,
            secret=secret,
            platform=platform,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.finish()
    print(dumps(report.to_dict(), indent=2) if args.format == "json" else report.to_text())
    return 0 if report.ok else 1

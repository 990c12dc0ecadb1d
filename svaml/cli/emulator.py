"""``svaml emulator --port 8900``: a local Sinch Voice on 127.0.0.1 until Ctrl-C.

Serves :class:`svaml.emulator.Emulator`. The application's key and secret come from
``--application-key``/``--application-secret``, else ``SINCH_APPLICATION_KEY`` and
``SINCH_APPLICATION_SECRET``, else the emulator's own test credentials (printed, since they are
not secret). ``--callback-url`` is where callouts send their events; calls play in real time, so
that a PATCH reaches a call while it waits. Exit status: 0 stopped by
Ctrl-C, 2 usage error (a bad secret, a port in use).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from svaml._environment import KEY, SECRET
from svaml.cli._messages import error
from svaml.emulator import DEFAULT_KEY, DEFAULT_SECRET, Emulator
from svaml.errors import SvamlError

__all__ = ["register"]



def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``emulator`` to the ``svaml`` parser."""
    parser = subparsers.add_parser(
        "emulator",
        help="serve a local Sinch Voice REST API for tests",
        description="Serve Sinch's Calling API v1 on localhost: callouts become simulated calls that"
        " send signed events to your callback URL. Point VoiceClient(base_url=...) at it.",
        epilog=f"Credentials: the options, else ${KEY} and ${SECRET}, else the emulator's test pair.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8900, help="the port (default: 8900; 0 for any free one)")
    parser.add_argument("--application-key", metavar="KEY", help="the application key requests must carry")
    parser.add_argument("--application-secret", metavar="SECRET", help="the secret requests are signed with")
    parser.add_argument("--callback-url", metavar="URL", help="the application's callback URL")
    parser.add_argument(
        "--no-basic", action="store_true", help="refuse Authorization: Basic (accept signed requests only)"
    )
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    key = args.application_key or os.environ.get(KEY, "").strip()
    secret = args.application_secret or os.environ.get(SECRET, "").strip()
    if bool(key) != bool(secret):
        error("give both the application key and the secret, or neither (for the test pair)")
        return 2
    own = not key
    try:
        emulator = Emulator(
            key=key or DEFAULT_KEY,
            secret=secret or DEFAULT_SECRET,
            callback_url=args.callback_url,
            host=args.host,
            port=args.port,
            allow_basic=not args.no_basic,
            real_time=True,
        ).start()
    except SvamlError as exc:
        error(str(exc))
        return 2
    except OSError as exc:
        error(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return 2
    lines = [f"svaml emulator: Sinch Voice on {emulator.url} (Ctrl-C to stop)", f"  key     {emulator.key}"]
    if own:
        lines.append(f"  secret  {emulator.secret}  (the emulator's test secret)")
    lines.append(f"  events  {emulator.callback_url or 'no callback URL: set --callback-url'}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        emulator.serve_forever()
    return 0

"""``svaml simulate``: play one call against an application and print its transcript.

``svaml simulate app_wsgi:application --keys 1,2#`` imports the application (a
:class:`~svaml.callbacks.CallbackApp`, or any WSGI or ASGI application; ``--factory`` calls the
name to get it) and plays it in-process; ``svaml simulate --url http://127.0.0.1:8000/sinch/callback``
plays a running server over HTTP. Events are signed with ``--key``/``--secret`` or
``SINCH_APPLICATION_KEY``/``SINCH_APPLICATION_SECRET`` (unsigned without them). Exit status: 0
the call ended and every answer was good, 1 the call failed at a step (the diagnostics are in the
transcript and on standard error), 2 usage errors (a bad target, bad keys). ``--calls``,
``--concurrency`` and ``--time-limit`` play many calls against ``--url`` (:mod:`svaml.cli.load`).

``--svaml-version 2`` plays a Voice API v2 session instead (:mod:`svaml.simulator.v2`); an
application object of svaml's v2 package (a ``WebhookApp``) is recognised without it.
``--service-id``/``--secret`` (or ``SINCH_SERVICE_ID``/``SINCH_SERVICE_SECRET``) sign its
webhooks, ``--callee`` takes v2's outcomes (answer, busy, reject, timeout, failure), ``--amd`` and
``--hangup-after`` script the caller, ``--document FILE`` plays a call the API created from that
create-call document.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

from svaml._environment import KEY as _KEY
from svaml._environment import SECRET as _SECRET
from svaml._environment import SERVICE_ID as _SERVICE_ID
from svaml._environment import SERVICE_SECRET as _SERVICE_SECRET
from svaml.cli._messages import error
from svaml.cli.load import add_arguments as add_load_arguments
from svaml.cli.load import is_load, load_command
from svaml.errors import SvamlError

if TYPE_CHECKING:
    from svaml.simulator import Caller, Platform, Transcript

__all__ = ["register"]

_FORMATS = ("text", "json", "mermaid")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate`` to the ``svaml`` parser."""
    parser = subparsers.add_parser(
        "simulate",
        help="play one call against an application and print the transcript",
        description="Play Sinch's side of one call against an application, offline: send each event"
        " signed, check every answer with every rule for its event, execute it on a virtual clock,"
        " and print what happened.",
        epilog=f"Credentials come from --key/--secret or ${_KEY} and ${_SECRET}; v2: --service-id/--secret"
        f" or ${_SERVICE_ID} and ${_SERVICE_SECRET}. Exit status: 0 the call ended fine, 1 it failed at a"
        " step, 2 usage error.",
    )
    parser.add_argument(
        "app", nargs="?", metavar="MODULE:NAME", help="the application, e.g. app_wsgi:application"
    )
    parser.add_argument("--url", help="a running callback URL to call over HTTP instead")
    parser.add_argument("--factory", action="store_true", help="call MODULE:NAME to get the application")
    parser.add_argument(
        "--keys",
        default="",
        metavar="KEYS",
        help="what the caller does at each prompt, comma-separated: keys (1, 42#), wait, hangup",
    )
    parser.add_argument(
        "--callee",
        default="answer",
        metavar="OUTCOMES",
        help="how callees of connect actions answer, comma-separated: answer, busy, no-answer, machine, fail"
        " (v2: answer, busy, reject, timeout, failure)",
    )
    parser.add_argument("--hangup-at", type=int, metavar="STEP", help="the caller hangs up at this step")
    parser.add_argument("--cli", help="the caller's number (default: +46700000001)")
    parser.add_argument("--to", help="the number dialled (default: +46700000000)")
    parser.add_argument(
        "--path", help="the callback path for MODULE:NAME (default: /sinch/callback; v2: /voice-webhooks)"
    )
    parser.add_argument("--key", help=f"the application key (default: ${_KEY})")
    parser.add_argument(
        "--secret",
        help=f"the application secret (default: ${_SECRET}); v2: the service's (default: ${_SERVICE_SECRET})",
    )
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="callback timeout (default: 10)")
    parser.add_argument("--max-steps", type=int, metavar="N", help="callbacks before giving up (default: 60)")
    parser.add_argument("--format", choices=_FORMATS, default="text", help="text, json or mermaid")
    v2 = parser.add_argument_group("Voice API v2 (--svaml-version 2)")
    v2.add_argument(
        "--svaml-version",
        type=int,
        choices=(1, 2),
        help="the API the application speaks (default: 2 for a svaml v2 application object, else 1)",
    )
    v2.add_argument(
        "--service-id",
        help=f"the service ID that signs the webhooks, with --secret (default: ${_SERVICE_ID})",
    )
    v2.add_argument("--amd", default="human", help="what AMD reports: human, machine, beep or unknown")
    v2.add_argument("--hangup-after", type=float, metavar="SECONDS", help="the caller hangs up then")
    v2.add_argument(
        "--document", metavar="FILE", help="a create-call document (JSON): play the call the API creates"
    )
    add_load_arguments(parser)
    parser.set_defaults(handler=simulate_command)


def _load(spec: str, factory: bool) -> Any:
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise SvamlError(f"expected MODULE:NAME (as uvicorn takes it), got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SvamlError(f"cannot import {module_name!r}: {exc}") from None
    except Exception as exc:  # the module's own code failed: say where, not a traceback
        raise SvamlError(f"importing {module_name!r} raised {_raised(exc)}") from None
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise SvamlError(f"{module_name!r} has no {name!r}")
        obj = getattr(obj, part)
    if factory:
        try:
            obj = obj()
        except Exception as exc:
            raise SvamlError(f"calling {spec} (--factory) raised {_raised(exc)}") from None
    elif _is_factory(obj):
        raise SvamlError(f"{spec} takes no request: if it makes the application, add --factory")
    return obj


def _raised(exc: BaseException) -> str:
    """``Type: message at file:line`` of the frame that raised, in one line."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}{where}" if message else f"{type(exc).__name__}{where}"


def _is_factory(obj: Any) -> bool:
    """A plain function callable with no argument: it makes an application, it cannot take a request.

    A WSGI application needs ``(environ, start_response)`` and an ASGI one ``(scope, receive,
    send)``, without defaults.
    """
    if not inspect.isfunction(obj):
        return False
    try:
        inspect.signature(obj).bind()
    except TypeError:
        return False
    return True


def _caller(args: argparse.Namespace) -> Caller:
    from svaml.simulator import Caller

    fields: dict[str, Any] = {"callees": tuple(c.strip() for c in args.callee.split(",") if c.strip())}
    if args.hangup_at is not None:
        fields["hangup_at"] = args.hangup_at
    for name in ("cli", "to"):
        if getattr(args, name):
            fields[name] = getattr(args, name)
    try:
        return Caller.parse(args.keys, **fields)
    except ValueError as exc:  # an unknown callee outcome
        raise SvamlError(f"--callee: {exc}; use answer, busy, no-answer, machine or fail") from None


def _platform(args: argparse.Namespace) -> Platform:
    from svaml.simulator import Platform

    fields: dict[str, Any] = {}
    flags = {"callback_timeout": "--timeout", "max_steps": "--max-steps"}
    if args.timeout is not None:
        fields["callback_timeout"] = args.timeout
    if args.max_steps is not None:
        fields["max_steps"] = args.max_steps
    try:
        return Platform(**fields)
    except SvamlError as exc:  # name the flag, not the field it sets
        flag = next((f for name, f in flags.items() if f"Platform.{name} " in str(exc)), "")
        raise SvamlError(f"{flag}: {exc}" if flag else str(exc)) from None


def _is_v2(app: Any) -> bool:
    """An application object of svaml's v2 package (a ``WebhookApp``) speaks Voice API v2."""
    return type(app).__module__.startswith("svaml.v2.")


_V1_ONLY = {"hangup_at": "--hangup-at", "timeout": "--timeout", "key": "--key"}
_V2_ONLY = {"service_id": "--service-id", "hangup_after": "--hangup-after", "document": "--document"}


def _simulate_v2(args: argparse.Namespace, target: Any) -> Transcript:
    """Play one v2 session as the flags say."""
    from svaml import _json
    from svaml.codec import read
    from svaml.simulator.v2 import Caller as Caller2
    from svaml.simulator.v2 import Platform as Platform2
    from svaml.simulator.v2 import simulate as simulate2
    from svaml.v2.model import Document

    given = [flag for name, flag in _V1_ONLY.items() if getattr(args, name) is not None]
    if given or is_load(args):
        raise SvamlError(f"{(given or ['--calls'])[0]} is for v1 calls; v2 sessions do not take it")
    fields: dict[str, Any] = {
        "callees": tuple(c.strip() for c in args.callee.split(",") if c.strip()),
        "amd": args.amd,
        "hangup_after": args.hangup_after,
    }
    for name in ("cli", "to"):
        if getattr(args, name):
            fields[name] = getattr(args, name)
    try:
        caller = Caller2.parse(args.keys, **fields)
    except SvamlError as exc:  # an unknown outcome or verdict, bad keys
        flag = "--callee" if "outcome" in str(exc) else "--amd" if "AMD" in str(exc) else "--keys"
        raise SvamlError(f"{flag}: {exc}") from None
    document = None
    if args.document is not None:
        try:
            with open(args.document, "rb") as file:
                decoded = _json.decode(file.read())
        except OSError as exc:
            raise SvamlError(f"--document: cannot read {args.document}: {exc.strerror}") from None
        if decoded.problem is not None:
            raise SvamlError(f"--document: {args.document} is not JSON: {decoded.problem}")
        found = read(decoded.value, Document)
        if found.value is None:
            raise SvamlError(f"--document: {args.document} is not a SVAML v2 document")
        document = found.value
    platform = Platform2() if args.max_steps is None else Platform2(max_steps=args.max_steps)
    # The service's credentials, as the examples read them; v1's application secret is not one.
    service_id = args.service_id or os.environ.get(_SERVICE_ID, "").strip() or None
    secret = args.secret or os.environ.get(_SERVICE_SECRET, "").strip() or None
    options: dict[str, Any] = {"platform": platform, "document": document, "secret": secret}
    if service_id is not None:
        options["service_id"] = service_id
    elif secret is not None:
        source = "--secret" if args.secret else f"${_SERVICE_SECRET}"
        raise SvamlError(f"{source} signs v2 webhooks for a service: give --service-id or ${_SERVICE_ID} too")
    if args.path:
        options["path"] = args.path
    return simulate2(target, caller, **options)


def simulate_command(args: argparse.Namespace) -> int:
    """Run ``svaml simulate``; return the exit status."""
    # The simulator loads the event model and the signing code: only this command needs them.
    from svaml.simulator import simulate

    if (args.app is None) == (args.url is None):
        error("give the application as MODULE:NAME, or --url URL (one of them)")
        return 2
    try:
        target = args.url if args.url is not None else None
        if args.app is not None and not is_load(args):
            target = _load(args.app, args.factory)
        version = args.svaml_version or (2 if target is not None and _is_v2(target) else 1)
        if version == 2:
            transcript = _simulate_v2(args, target)
        else:
            given = [flag for name, flag in _V2_ONLY.items() if getattr(args, name) is not None]
            if given:
                raise SvamlError(f"{given[0]} is for v2 sessions: add --svaml-version 2")
            key = args.key or os.environ.get(_KEY)
            secret = args.secret or os.environ.get(_SECRET)
            caller = _caller(args)
            platform = _platform(args)
            if is_load(args):  # many calls against --url: svaml.cli.load
                return load_command(args, caller, platform, key or None, secret or None)
            transcript = simulate(
                target,
                caller,
                key=key or None,
                secret=secret or None,
                platform=platform,
                path=args.path or "/sinch/callback",
            )
    except SvamlError as exc:
        error(str(exc))
        return 2
    except SystemExit as exc:  # the application's module refused to load (missing settings…)
        error(f"loading {args.app} exited: {exc.code}")
        return 2
    if args.format == "json":
        print(transcript.to_json())
    elif args.format == "mermaid":
        print(transcript.to_mermaid())
    else:
        print(transcript.to_text())
    if transcript.failure is not None:
        error(transcript.failure.describe())
        return 1
    if not transcript.ended:
        error("the call did not end")
        return 1
    return 0

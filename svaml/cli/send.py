"""``svaml send ice|ace|pie|dice|notify --url URL``: one signed sample event, as Sinch would post it.

What ``stripe trigger`` is to Stripe webhooks: the command builds a realistic event of the kind
asked from the model's event classes (``--set`` and ``--data`` change its fields), signs it with
:mod:`svaml.signing` exactly as Sinch signs a callback (``x-timestamp``, ``authorization:
application <key>:<signature>`` over the path of the callback URL), posts it, prints the status
and the body, and checks an ICE, ACE or PIE answer with the rules for that event. Credentials
come from ``SINCH_APPLICATION_KEY`` and ``SINCH_APPLICATION_SECRET``.

Exit status: 0 the application answered 2xx with an answer valid for the event; 1 it answered
otherwise (an error status, SVAML with errors, not JSON) or could not be reached; 2 usage or
configuration error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from svaml import _json, codec
from svaml._environment import KEY, SECRET
from svaml.cli._messages import error
from svaml.diagnostic import Severity
from svaml.errors import SvamlError
from svaml.model.enums import DestinationType, Domain
from svaml.model.events import (
    EVENT_CLASSES,
    AceEvent,
    AmdResult,
    AmdStatus,
    DiceEvent,
    DiceReason,
    DiceResult,
    Event,
    EventDestination,
    IceEvent,
    InputMethod,
    MenuResult,
    MenuResultType,
    NotifyEvent,
    NotifyType,
    PieEvent,
    Price,
)
from svaml.model.permissions import Callback
from svaml.rules import validate
from svaml.signing import Credentials

__all__ = ["CONTENT_TYPE", "register", "sample_event", "signed_headers"]


#: The Content-Type of Sinch's callbacks (signed as it is sent).
CONTENT_TYPE = "application/json"

_CALLER = "+46708168731"
_CALLED = "+46700000000"


def sample_event(
    name: str, *, key: str | None = None, call_id: str | None = None, base_url: str | None = None
) -> Event:
    """Return a realistic event of the kind ``name`` (``ice``, ``ace``, ``pie``, ``dice``, ``notify``).

    Stamped now, with a fresh call id unless ``call_id`` is given; ``key`` is the application
    key the event names; ``base_url`` the Calling API host in ICE's ``callResourceUrl``.
    """
    call_id = call_id or uuid.uuid4().hex
    now = datetime.now(timezone.utc)
    common: dict[str, Any] = {"call_id": call_id, "timestamp": now, "version": 1, "application_key": key}
    make: Mapping[str, Callable[[], Event]] = {
        "ice": lambda: IceEvent(
            **common,
            call_resource_url=f"{base_url or 'https://calling-euc1.api.sinch.com'}"
            f"/calling/v1/calls/id/{call_id}",
            user_rate=Price(currency_id="USD", amount=0.0),
            cli=_CALLER,
            to=EventDestination(type=DestinationType.NUMBER, endpoint=_CALLED),
            domain=Domain.PSTN,
            origination_type=Domain.PSTN,
            rdnis="",
        ),
        "ace": lambda: AceEvent(**common),
        "pie": lambda: PieEvent(
            **common,
            menu_result=MenuResult(
                menu_id="main", type=MenuResultType.RETURN, value="1", input_method=InputMethod.DTMF
            ),
        ),
        "dice": lambda: DiceEvent(
            **common,
            reason=DiceReason.CALLERHANGUP,
            result=DiceResult.ANSWERED,
            debit=Price(currency_id="USD", amount=0.0368),
            user_rate=Price(currency_id="USD", amount=0.0368),
            to=EventDestination(type=DestinationType.NUMBER, endpoint=_CALLED),
            duration=42,
            from_=_CALLER,
        ),
        "notify": lambda: NotifyEvent(
            **common,
            type=NotifyType.AMD,
            amd=AmdResult(status=AmdStatus.HUMAN, reason="n/a", duration=2.4),
        ),
    }
    try:
        return make[name.casefold()]()
    except KeyError:
        raise SvamlError(f"unknown event {name!r}; expected one of {', '.join(EVENT_CLASSES)}") from None


def signed_headers(credentials: Credentials, path: str, body: bytes) -> dict[str, str]:
    """Return the headers of a callback as Sinch sends it: Content-Type, x-timestamp, authorization.

    Sinch writes the scheme in lower case (``application``), as its callback docs show.
    """
    signed = credentials.sign(method="POST", path=path, body=body, content_type=CONTENT_TYPE)
    return {
        "content-type": CONTENT_TYPE,
        "x-timestamp": signed["x-timestamp"],
        "authorization": "application" + signed["Authorization"].removeprefix("Application"),
    }


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``send`` (one subcommand per event) to the ``svaml`` parser."""
    send = subparsers.add_parser(
        "send",
        help="post one signed sample event to a callback URL",
        description="Post one realistic, signed Sinch Voice event to your callback URL, print the"
        " answer and check it with the rules for that event.",
        epilog=f"Credentials come from ${KEY} and ${SECRET}.",
    )
    send.set_defaults(handler=lambda _: _usage(send))
    events = send.add_subparsers(title="events", metavar="EVENT")
    for name, cls in EVENT_CLASSES.items():
        parser = events.add_parser(
            name,
            help=(cls.__doc__ or name).split(":", 1)[0],
            description=f"Post a signed sample {name.upper()} event to URL.",
            epilog=f"Credentials come from ${KEY} and ${SECRET}.",
        )
        parser.add_argument("--url", required=True, help="the callback URL (http or https)")
        parser.add_argument("--call-id", metavar="ID", help="the event's call id (default: a fresh one)")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="set a field of the event (JSON name; the value read as JSON, else as text); repeatable",
        )
        parser.add_argument(
            "--data", metavar="FILE", help="a JSON object whose fields replace the sample's (- for stdin)"
        )
        parser.add_argument(
            "--timeout", type=float, default=10.0, metavar="SECONDS", help="how long to wait (default: 10)"
        )
        parser.add_argument("-v", "--verbose", action="store_true", help="print the request sent too")
        parser.set_defaults(handler=_send, event=name)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fields(args: argparse.Namespace) -> dict[str, Any] | str:
    """The fields given with --data and --set, or an error message."""
    fields: dict[str, Any] = {}
    if args.data is not None:
        try:
            raw = sys.stdin.buffer.read() if args.data == "-" else Path(args.data).read_bytes()
        except OSError as exc:
            return f"cannot read {args.data}: {exc.strerror or exc}"
        decoded = _json.decode(raw)
        if not decoded.clean:
            return f"{args.data} is not JSON: {decoded.reason}"
        if not isinstance(decoded.value, dict):
            return f"{args.data} must hold a JSON object, not {_json.typename(decoded.value)}"
        fields.update(decoded.value)
    for item in args.set:
        name, equals, text = item.partition("=")
        if not equals or not name:
            return f"--set takes FIELD=VALUE, not {item!r}"
        decoded = _json.decode(text)
        fields[name] = decoded.value if decoded.clean and text.strip() else text
    return fields


def _send(args: argparse.Namespace) -> int:
    key = os.environ.get(KEY, "").strip()
    secret = os.environ.get(SECRET, "").strip()
    missing = [name for name, value in ((KEY, key), (SECRET, secret)) if not value]
    if missing:
        error(f"{' and '.join(missing)} not set: export the key and secret of your Sinch application")
        return 2
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        error(f"--url must be an http(s) URL, not {args.url!r}")
        return 2
    try:
        credentials = Credentials(key=key, secret=secret)
        event = sample_event(args.event, key=key, call_id=args.call_id)
    except SvamlError as exc:
        error(str(exc))
        return 2
    data: dict[str, Any] = codec.unstructure(event)
    fields = _fields(args)
    if isinstance(fields, str):
        error(fields)
        return 2
    data.update(fields)
    body = _json.dumps(data).encode("utf-8")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = signed_headers(credentials, parts.path or "/", body)
    if args.verbose:
        shown = "\n".join(f"{k}: {v}" for k, v in headers.items())
        sys.stdout.write(f"POST {args.url}\n{shown}\n\n{body.decode('utf-8')}\n\n")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=args.timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
    except (OSError, http.client.HTTPException) as exc:
        why = "no answer in time" if isinstance(exc, socket.timeout) else str(exc) or type(exc).__name__
        error(f"POST {args.url}: {why}")
        return 1
    finally:
        connection.close()
    text = answer.decode("utf-8", "replace")
    sys.stdout.write(f"{response.status} {response.reason}\n")
    if text:
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
    return _check(args.event, response.status, answer)


def _check(name: str, status: int, answer: bytes) -> int:
    """Report what is wrong with the application's answer to the event; return the exit status."""
    if not 200 <= status < 300:
        error(f"the application answered the {name.upper()} event with HTTP {status}")
        return 1
    callback = Callback(name)
    if callback in (Callback.DICE, Callback.NOTIFY):
        return 0  # Sinch reads no SVAML from these answers
    if not answer.strip():
        error(f"the application answered the {name.upper()} event with an empty body; Sinch needs SVAML")
        return 1
    found = validate(answer, callback=callback)
    for diagnostic in found:
        sys.stderr.write(f"svaml: {diagnostic.describe()}\n")
    if any(d.severity is Severity.ERROR for d in found):
        error(f"the answer is not valid for {callback.phrase}")
        return 1
    return 0

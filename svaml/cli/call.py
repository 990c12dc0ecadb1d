"""``svaml call tts|conference|custom|info`` and ``svaml numbers``: the REST client on the command line.

Twins of the four scripts of Sinch's Voice guide (TTS callout, conference callout, call
information, list numbers), plus the custom callout: one ``svaml call`` command per callout
class of the model, with one option per field a string or a number can give. They read the
same environment variables: ``SINCH_APPLICATION_KEY``, ``SINCH_APPLICATION_SECRET`` and
``SINCH_VOICE_REGION``. ``--dry-run`` prints the signed request
(method, URL, headers, body) exactly as it would be sent, and sends nothing. Exit status: 0 done,
1 refused by the checks or by Sinch, 2 usage or configuration error (missing credentials).
"""

from __future__ import annotations

import argparse
import enum
import functools
import json
import os
import sys
import typing
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from svaml.errors import SvamlError
from svaml.model.callouts import CALLOUT_CLASSES, Callout

if TYPE_CHECKING:
    from svaml.client import VoiceClient

__all__ = ["register"]

_KEY = "SINCH_APPLICATION_KEY"
_SECRET = "SINCH_APPLICATION_SECRET"
_REGION = "SINCH_VOICE_REGION"


class _DryRun(Exception):
    """Raised by the dry-run session instead of sending: carries the request as text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _error(message: str) -> None:
    sys.stderr.write(f"svaml: error: {message}\n")


# Help for the options of the callouts, by field name; a field without an entry gets none.
_HELP = {
    "destination": "the number to call, in E.164 (+46700000000)",
    "conference_id": "the conference to join",
    "cli": "the number the callee sees, one of your Sinch numbers",
    "text": "the text to speak (at most 600 characters)",
    "prompts": "prompts to play: #tts[...], #ssml[...], URLs, separated by ;",
    "locale": "the voice's locale",
    "greeting": "text spoken before joining",
    "ice": "the URL of your ICE handler, or the ICE SVAML as JSON text",
    "ace": "the URL of your ACE handler, or the ACE SVAML as JSON text",
    "pie": "the URL of your PIE handler, or the PIE SVAML as JSON text",
    "dice": "the URL of your DiCE handler",
}
# What the command line asks beyond the model, so that a usage error comes before the credentials.
_REQUIRED = {"ttsCallout": ("cli",)}
_ONE_OF = {"ttsCallout": ("text", "prompts")}
_DEFAULTS = {"ttsCallout": {"locale": "en-US"}}


def _options(cls: type[Callout]) -> list[attrs.Attribute[Any]]:
    """The fields of a callout that the command line takes: every one a string or number can give."""
    hints = typing.get_type_hints(cls)
    return [f for f in attrs.fields(cls) if f.name != "extras" and _kind(hints[f.name], f) is not None]


def _kind(hint: Any, field: attrs.Attribute[Any]) -> dict[str, Any] | None:
    """The argparse keywords that read a field of type ``hint``, or None when no option can give it."""
    types = [t for t in typing.get_args(hint) or (hint,) if t is not type(None)]
    enums = [t for t in types if isinstance(t, type) and issubclass(t, enum.Enum)]
    if enums:
        return {"choices": [str(m.value) for m in enums[0]]}
    if types == [bool]:
        return {"action": argparse.BooleanOptionalAction}
    if types == [int]:
        return {"type": int}
    if types == [str] or field.converter is not None:
        return {}  # a str, or what the field's converter reads from one (a destination)
    return None


def _add_callout(
    calls: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    epilog: str,
    method: str,
    cls: type[Callout],
) -> None:
    """Add ``svaml call tts`` (and the others): one option per field of the callout's class."""
    summary = (cls.__doc__ or method).split("\n", 1)[0].replace("``", "'")
    parser = calls.add_parser(
        method.removesuffix("Callout"),
        parents=[common],
        help=summary[:1].lower() + summary[1:].rstrip("."),
        description=f"{summary.rstrip('.')} (Sinch's {method}); print the call id.",
        epilog=epilog,
    )
    hints = typing.get_type_hints(cls)
    one_of = _ONE_OF.get(method, ())
    group = parser.add_mutually_exclusive_group(required=True) if one_of else parser
    for field in _options(cls):
        kind = _kind(hints[field.name], field) or {}
        help_ = _HELP.get(field.name)
        if not field.kw_only:
            # The fields a call names first (the number, the conference) are positional.
            parser.add_argument(field.name, metavar=field.name.upper(), help=help_, **kind)
            continue
        where = group if field.name in one_of else parser
        where.add_argument(
            "--" + field.name.replace("_", "-"),
            dest=field.name,
            required=field.name in _REQUIRED.get(method, ()),
            help=help_,
            **kind,
        )
    parser.set_defaults(handler=functools.partial(_place, cls), **_DEFAULTS.get(method, {}))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``call`` (a command per callout class, and ``info``) and ``numbers`` to the ``svaml`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument(
        "--region",
        help=f"global, europe, north-america, south-america, southeast-asia-1 or southeast-asia-2"
        f" (default: ${_REGION}, else global)",
    )
    group.add_argument(
        "--dry-run", action="store_true", help="print the signed request instead of sending it"
    )
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="read timeout in seconds (default: 10)"
    )
    group.add_argument("--base-url", metavar="URL", help="send to this host instead (a proxy, a test server)")
    group.add_argument(
        "--configuration-url", metavar="URL", help="host of the numbers endpoint (default: --base-url)"
    )
    epilog = f"Credentials come from ${_KEY} and ${_SECRET}."

    commands = ", ".join(method.removesuffix("Callout") for method in CALLOUT_CLASSES)
    call = subparsers.add_parser(
        "call",
        help="place a call or look one up through Sinch's REST API",
        description=f"Place a callout ({commands}), or show what Sinch knows about a call.",
        epilog=epilog,
    )
    call.set_defaults(handler=lambda _: _usage(call))
    calls = call.add_subparsers(title="commands", metavar="COMMAND")

    for method, cls in CALLOUT_CLASSES.items():
        _add_callout(calls, common, epilog, method, cls)

    info = calls.add_parser(
        "info",
        parents=[common],
        help="show what Sinch knows about a call",
        description="Print Sinch's information about a call (status, result, duration, price) as JSON.",
        epilog=epilog,
    )
    info.add_argument("call_id", metavar="CALL_ID", help="the call id a callout returned")
    info.set_defaults(handler=_info)

    numbers = subparsers.add_parser(
        "numbers",
        parents=[common],
        help="list the numbers of the account",
        description="List the numbers of the account and the application each is assigned to.",
        epilog=epilog,
    )
    numbers.add_argument("--json", action="store_true", help="print Sinch's answer as JSON")
    numbers.set_defaults(handler=_numbers)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _fail(message: str, status: int = 2) -> NoReturn:
    _error(message)
    raise _Exit(status)


def _client(args: argparse.Namespace) -> VoiceClient:
    key = os.environ.get(_KEY, "").strip()
    secret = os.environ.get(_SECRET, "").strip()
    missing = [name for name, value in ((_KEY, key), (_SECRET, secret)) if not value]
    if missing:
        _fail(
            f"{' and '.join(missing)} not set: export the key and secret of your Sinch application"
            " (dashboard, Voice, Apps)"
        )
    options: dict[str, Any] = {"region": args.region or os.environ.get(_REGION, "").strip() or "global"}
    if args.timeout is not None:
        options["timeout"] = (3.05, args.timeout)
    if args.base_url:
        options["base_url"] = args.base_url
    if args.configuration_url:
        options["configuration_url"] = args.configuration_url
    try:
        # Imported here: svaml.client costs about 40 ms at startup, which only `svaml call` should pay.
        from svaml.client import VoiceClient

        if args.dry_run:
            options["session"] = _dry_run_session()
        return VoiceClient(key, secret, **options)
    except (SvamlError, ImportError) as exc:
        _fail(str(exc))


def _dry_run_session() -> Any:
    import requests

    class DryRunSession(requests.Session):
        """A session that prints the prepared request instead of sending it."""

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            prepared = self.prepare_request(
                requests.Request(
                    str(method), str(url), headers=kwargs.get("headers"), data=kwargs.get("data")
                )
            )
            lines = [f"{prepared.method} {prepared.url}"]
            lines += [f"{name}: {value}" for name, value in prepared.headers.items()]
            body = prepared.body
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            text = "\n".join(lines) + "\n"
            if body:
                text += "\n" + body + "\n"
            raise _DryRun(text)

    return DryRunSession()


def _run(args: argparse.Namespace, action: Any) -> int:
    """Make the client, run ``action(client)``, and turn errors into messages and exit codes."""
    try:
        with _client(args) as client:
            action(client)
    except _Exit as exc:
        return exc.status
    except _DryRun as dry:
        sys.stdout.write(dry.text)
    except SvamlError as exc:
        _error(str(exc))
        return 1
    return 0


def _place(cls: type[Callout], args: argparse.Namespace) -> int:
    given = {f.name: getattr(args, f.name) for f in _options(cls) if getattr(args, f.name) is not None}

    def action(client: VoiceClient) -> None:
        _out(client.callout(cls(**given)))

    return _run(args, action)


def _info(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        info = client.get_call(args.call_id)
        _out(json.dumps(dict(info.raw), indent=2, ensure_ascii=False))

    return _run(args, action)


def _numbers(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        found = client.list_numbers()
        if args.json:
            _out(json.dumps({"numbers": [dict(n.raw) for n in found]}, indent=2))
            return
        for number in found:
            fields = (number.number, number.capability, number.application_key)
            _out("\t".join(field or "-" for field in fields))

    return _run(args, action)

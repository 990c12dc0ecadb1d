"""``svaml call tts|conference|info`` and ``svaml numbers``: the REST client on the command line.

Twins of the four scripts of Sinch's Voice guide (TTS callout, conference callout, call
information, list numbers), reading the same environment variables: ``SINCH_APPLICATION_KEY``,
``SINCH_APPLICATION_SECRET`` and ``SINCH_VOICE_REGION``. ``--dry-run`` prints the signed request
(method, URL, headers, body) exactly as it would be sent, and sends nothing. Exit status: 0 done,
1 refused by the checks or by Sinch, 2 usage or configuration error (missing credentials).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from svaml.errors import SvamlError

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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``call`` (``tts``, ``conference``, ``info``) and ``numbers`` to the ``svaml`` parser."""
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

    call = subparsers.add_parser(
        "call",
        help="place a call or look one up through Sinch's REST API",
        description="Place a TTS or conference callout, or show what Sinch knows about a call.",
        epilog=epilog,
    )
    call.set_defaults(handler=lambda _: _usage(call))
    calls = call.add_subparsers(title="commands", metavar="COMMAND")

    tts = calls.add_parser(
        "tts",
        parents=[common],
        help="call a number and speak a text",
        description="Call a number and speak a text (Sinch's ttsCallout); print the call id.",
        epilog=epilog,
    )
    tts.add_argument("to", metavar="TO", help="the number to call, in E.164 (+46700000000)")
    tts.add_argument("--cli", required=True, help="the number the callee sees, one of your Sinch numbers")
    what = tts.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the text to speak (at most 600 characters)")
    what.add_argument("--prompts", help="prompts to play: #tts[...], #ssml[...], URLs, separated by ;")
    tts.add_argument("--locale", default="en-US", help="the voice's locale (default: en-US)")
    tts.set_defaults(handler=_tts)

    conference = calls.add_parser(
        "conference",
        parents=[common],
        help="call a number into a conference",
        description="Call a number and connect it to a conference (Sinch's conferenceCallout).",
        epilog=epilog,
    )
    conference.add_argument("to", metavar="TO", help="the number to call, in E.164")
    conference.add_argument("conference_id", metavar="CONFERENCE_ID", help="the conference to join")
    conference.add_argument("--cli", help="the number the callee sees, one of your Sinch numbers")
    conference.add_argument("--greeting", help="text spoken before joining")
    conference.add_argument("--locale", help="the greeting's locale")
    conference.set_defaults(handler=_conference)

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


def _tts(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        call_id = client.tts_callout(
            args.to, cli=args.cli, text=args.text, prompts=args.prompts, locale=args.locale
        )
        _out(call_id)

    return _run(args, action)


def _conference(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        call_id = client.conference_callout(
            args.to, args.conference_id, cli=args.cli, greeting=args.greeting, locale=args.locale
        )
        _out(call_id)

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

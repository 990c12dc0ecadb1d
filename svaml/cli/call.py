"""``svaml call``, ``conference``, ``numbers``, ``callback-urls``: the REST client on the command line.

A twin for every operation of :class:`svaml.client.VoiceClient`: one ``svaml call`` command per
callout class of the model (with one option per field a string or a number can give), call
information, update and hang-up, call-leg update; conference information, mute, unmute, hold,
resume and kick; numbers list, assign, unassign and query; callback URLs get and set. They read
the environment through the client's own reader (:meth:`VoiceClient.from_env
<svaml.client.VoiceClient.from_env>`): ``SINCH_APPLICATION_KEY``, ``SINCH_APPLICATION_SECRET``
and ``SINCH_VOICE_REGION``. ``--dry-run`` prints the signed request (method, URL, headers, body)
exactly as it would be sent, and sends nothing. Exit status: 0 done, 1 refused by the checks or
by Sinch, 2 usage or configuration error (missing credentials, an unreadable SVAML file).
"""

from __future__ import annotations

import argparse
import enum
import functools
import json
import sys
import typing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from svaml._environment import KEY as _KEY
from svaml._environment import REGION as _REGION
from svaml._environment import SECRET as _SECRET
from svaml.client import LEGS
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model.callouts import CALLOUT_CLASSES, Callout
from svaml.model.enums import Capability, Moh
from svaml.model.permissions import Callback

if TYPE_CHECKING:
    from svaml.client import VoiceClient

__all__ = ["register"]


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


def _connection(*, inherited: bool = False) -> argparse.ArgumentParser:
    """The options every REST command takes (a parent parser).

    ``inherited``: for the commands under ``svaml numbers``, which takes the same options
    itself: their defaults are suppressed so that ``svaml numbers --dry-run assign …`` keeps
    the ``--dry-run`` given before the command.
    """
    common = argparse.ArgumentParser(
        add_help=False, argument_default=argparse.SUPPRESS if inherited else None
    )
    group = common.add_argument_group("connection")
    group.add_argument(
        "--region",
        help=f"global, europe, north-america, south-america, southeast-asia-1 or southeast-asia-2"
        f" (default: ${_REGION}, else global)",
    )
    group.add_argument(
        "--dry-run",
        action="store_true",
        default=argparse.SUPPRESS if inherited else False,
        help="print the signed request instead of sending it",
    )
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="read timeout in seconds (default: 10)"
    )
    group.add_argument("--base-url", metavar="URL", help="send to this host instead (a proxy, a test server)")
    group.add_argument(
        "--configuration-url",
        metavar="URL",
        help="host of the numbers and callback URL endpoints (default: --base-url)",
    )
    return common


_Handler = Callable[[argparse.Namespace], int]


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    handler: _Handler,
    parents: list[argparse.ArgumentParser],
    epilog: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        parents=parents,
        help=summary,
        description=description or summary[:1].upper() + summary[1:] + ".",
        epilog=epilog,
    )
    parser.set_defaults(handler=handler)
    return parser


def _svaml_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "svaml", metavar="SVAML", help=f"a file with the {what} SVAML as JSON, or - for standard input"
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``call``, ``conference``, ``numbers`` and ``callback-urls`` to the ``svaml`` parser."""
    common = _connection()
    epilog = f"Credentials come from ${_KEY} and ${_SECRET}."

    commands = ", ".join(method.removesuffix("Callout") for method in CALLOUT_CLASSES)
    call = subparsers.add_parser(
        "call",
        help="place, show, update or hang up calls (REST)",
        description=f"Place a callout ({commands}); show, update or hang up a call; play to a call leg.",
        epilog=epilog,
    )
    call.set_defaults(handler=lambda _: _usage(call))
    calls = call.add_subparsers(title="commands", metavar="COMMAND")

    for method, cls in CALLOUT_CLASSES.items():
        _add_callout(calls, common, epilog, method, cls)

    info = _command(
        calls,
        "info",
        "show what Sinch knows about a call",
        _info,
        [common],
        epilog,
        "Print Sinch's information about a call (status, result, duration, price) as JSON.",
    )
    info.add_argument("call_id", metavar="CALL_ID", help="the call id a callout returned")

    update = _command(
        calls,
        "update",
        "change a live call with SVAML (hangup, continue or park, with instructions)",
        _update,
        [common],
        epilog,
    )
    update.add_argument("call_id", metavar="CALL_ID", help="the call to change")
    _svaml_argument(update, "call update")

    hangup = _command(calls, "hangup", "hang up a live call", _hangup, [common], epilog)
    hangup.add_argument("call_id", metavar="CALL_ID", help="the call to hang up")

    leg = _command(
        calls, "leg", "play prompts (playFiles, say) to one leg of a live call", _leg, [common], epilog
    )
    leg.add_argument("call_id", metavar="CALL_ID", help="the call")
    _svaml_argument(leg, "call-leg")
    leg.add_argument(
        "--leg", choices=LEGS, default="caller", help="which leg (default: caller)"
    )

    conference = subparsers.add_parser(
        "conference",
        help="show and manage conference participants",
        description="Show a conference's participants; mute, unmute, hold, resume or kick them.",
        epilog=epilog,
    )
    conference.set_defaults(handler=lambda _: _usage(conference))
    rooms = conference.add_subparsers(title="commands", metavar="COMMAND")
    room_info = _command(
        rooms, "info", "list a conference's participants", _conference_info, [common], epilog
    )
    room_info.add_argument("conference_id", metavar="CONFERENCE_ID")
    room_info.add_argument("--json", action="store_true", help="print Sinch's answer as JSON")
    for name, summary in (
        ("mute", "mute a participant"),
        ("unmute", "unmute a participant"),
        ("hold", "put a participant on hold"),
        ("resume", "take a participant off hold"),
    ):
        parser = _command(rooms, name, summary, functools.partial(_participant, name), [common], epilog)
        parser.add_argument("conference_id", metavar="CONFERENCE_ID")
        parser.add_argument("call_id", metavar="CALL_ID", help="the participant's call id")
        if name == "hold":
            parser.add_argument("--moh", choices=[m.value for m in Moh], help="music on hold to play")
    kick = _command(
        rooms,
        "kick",
        "remove a participant, or with --all every participant (which ends the conference)",
        _kick,
        [common],
        epilog,
    )
    kick.add_argument("conference_id", metavar="CONFERENCE_ID")
    kick.add_argument("call_id", metavar="CALL_ID", nargs="?", help="the participant's call id")
    kick.add_argument("--all", action="store_true", help="remove every participant")

    numbers = subparsers.add_parser(
        "numbers",
        parents=[common],
        help="list, assign or unassign numbers",
        description="List the numbers of the account and the application each is assigned to (the"
        " default), assign or unassign them, or query one.",
        epilog=epilog,
    )
    numbers.add_argument("--json", action="store_true", help="print Sinch's answer as JSON")
    numbers.set_defaults(handler=_numbers)
    inherited = _connection(inherited=True)
    owned = subparsers_of(numbers)
    below = [inherited]
    listing = _command(owned, "list", "list the numbers (as `svaml numbers` does)", _numbers, below, epilog)
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print as JSON")
    assign = _command(owned, "assign", "assign 1 to 100 numbers to an application", _assign, below, epilog)
    assign.add_argument("number", metavar="NUMBER", nargs="+", help="numbers in E.164 (+46700000000)")
    unassign = _command(owned, "unassign", "remove a number from an application", _unassign, below, epilog)
    unassign.add_argument("number", metavar="NUMBER", help="the number in E.164")
    for parser in (assign, unassign):
        parser.add_argument(
            "--capability", choices=[c.value for c in Capability], help="voice (the default) or sms"
        )
        parser.add_argument("--application-key", help="another application than $" + _KEY)
    query = _command(
        owned,
        "query",
        "show what Sinch knows about a number (deprecated by Sinch)",
        _query,
        [inherited],
        epilog,
        "Print Sinch's information about a number as JSON. Sinch deprecates this call in favour of"
        " its Number Lookup API.",
    )
    query.add_argument("number", metavar="NUMBER", help="the number in E.164")

    urls = subparsers.add_parser(
        "callback-urls",
        help="show or set the callback URLs",
        description="Show or set the URLs Sinch posts an application's callbacks to.",
        epilog=epilog,
    )
    urls.set_defaults(handler=lambda _: _usage(urls))
    url_commands = urls.add_subparsers(title="commands", metavar="COMMAND")
    get = _command(url_commands, "get", "print the callback URLs as JSON", _get_urls, [common], epilog)
    put = _command(
        url_commands, "set", "set the primary (and fallback) callback URL", _set_urls, [common], epilog
    )
    put.add_argument("primary", metavar="URL", help="the primary callback URL")
    put.add_argument("--fallback", metavar="URL", help="the URL Sinch tries when the primary fails")
    for parser in (get, put):
        parser.add_argument("--application-key", help="another application than $" + _KEY)


def subparsers_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add the (optional) commands of a parser that also runs on its own."""
    return parser.add_subparsers(title="commands", metavar="COMMAND", required=False)


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
    options: dict[str, Any] = {"region": args.region}
    if args.timeout is not None:
        options["timeout"] = (3.05, args.timeout)
    if args.base_url:
        options["base_url"] = args.base_url
    if args.configuration_url:
        options["configuration_url"] = args.configuration_url
    try:
        # Imported here: svaml.client costs about 40 ms at startup, which only these commands should pay.
        from svaml.client import VoiceClient

        if args.dry_run:
            options["session"] = _dry_run_session()
        return VoiceClient.from_env(**options)
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


def _read_svaml(source: str, callback: Callback) -> Svaml:
    """Read the SVAML of a call or call-leg update from a file or standard input (``-``)."""
    try:
        text = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}")
    try:
        return Svaml.from_json(text, callback=callback)
    except SvamlError as exc:
        where = "standard input" if source == "-" else source
        _fail(f"{where}: {exc}", status=1)


def _update(args: argparse.Namespace) -> int:
    try:  # the file first: a wrong file is found without credentials
        document = _read_svaml(args.svaml, Callback.PATCH)
    except _Exit as exc:
        return exc.status

    def action(client: VoiceClient) -> None:
        client.update_call(args.call_id, document)

    return _run(args, action)


def _hangup(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        client.update_call(args.call_id, Svaml.patch().hangup())
        _out(f"hung up {args.call_id}")

    return _run(args, action)


def _leg(args: argparse.Namespace) -> int:
    try:
        document = _read_svaml(args.svaml, Callback.CALL_LEG)
    except _Exit as exc:
        return exc.status

    def action(client: VoiceClient) -> None:
        client.manage_call_leg(args.call_id, document, leg=args.leg)

    return _run(args, action)


def _conference_info(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        info = client.get_conference(args.conference_id)
        if args.json:
            _out(json.dumps(dict(info.raw), indent=2, ensure_ascii=False))
            return
        for p in info.participants:
            flags = [name for name, on in (("muted", p.muted), ("on hold", p.on_hold)) if on]
            seconds = "-" if p.duration is None else f"{p.duration}s"
            _out("\t".join((p.call_id or "-", p.cli or "-", seconds, ", ".join(flags) or "-")))

    return _run(args, action)


def _participant(command: str, args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        if command == "hold":
            client.hold(args.conference_id, args.call_id, moh=args.moh)
        else:
            getattr(client, command)(args.conference_id, args.call_id)

    return _run(args, action)


def _kick(args: argparse.Namespace) -> int:
    if args.all == (args.call_id is not None):
        _error("give either CALL_ID (one participant) or --all (every participant), not both nor neither")
        return 2

    def action(client: VoiceClient) -> None:
        if args.all:
            client.kick_all(args.conference_id)
        else:
            client.kick_participant(args.conference_id, args.call_id)

    return _run(args, action)


def _assign(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        client.assign_numbers(
            args.number, capability=args.capability or Capability.VOICE, application_key=args.application_key
        )

    return _run(args, action)


def _unassign(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        client.unassign_number(args.number, capability=args.capability, application_key=args.application_key)

    return _run(args, action)


def _query(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", DeprecationWarning)
            found = client.query_number(args.number)
        for warning in said:
            sys.stderr.write(f"svaml: warning: {warning.message}\n")
        _out(json.dumps(dict(found.raw), indent=2, ensure_ascii=False))

    return _run(args, action)


def _get_urls(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        found = client.get_callback_urls(application_key=args.application_key)
        _out(json.dumps(dict(found.raw), indent=2, ensure_ascii=False))

    return _run(args, action)


def _set_urls(args: argparse.Namespace) -> int:
    def action(client: VoiceClient) -> None:
        client.update_callback_urls(args.primary, args.fallback, application_key=args.application_key)

    return _run(args, action)

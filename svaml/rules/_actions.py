"""Action rules (SV6xx): what one action implies for the rest of the document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from svaml.diagnostic import Applicability, Edit, Fix, Severity
from svaml.model.actions import ConnectMxp, ConnectPstn, ConnectSip, ConnectStream
from svaml.model.enums import DestinationType
from svaml.model.instructions import StartRecording, StopRecording
from svaml.model.permissions import Callback
from svaml.rules._context import Context
from svaml.rules._examples import PSTN, RECORD
from svaml.rules._registry import Example, Finding, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
# The parts the examples are made of.
_MXP = {"name": "connectMxp", "destination": {"type": "username", "endpoint": "alice"}}
_SIP = "alice@sip.example.com"


@rule(
    "SV601",
    "recording-with-connect-mxp",
    _W,
    summary="Recording instructions with a `connectMxp` action, which does not record",
    source="SKILL sinch-voice-api: recording is not supported with connectMxp",
    fix=Applicability.UNSAFE,
    kinds=(ConnectMxp,),
    example=Example(
        text={"instructions": [{"name": "answer"}, RECORD], "action": _MXP},
        fixed={"instructions": [{"name": "answer"}], "action": _MXP},
    ),
)
def recording_with_connect_mxp(action: ConnectMxp, where: str, ctx: Context) -> Iterator[Finding]:
    """Do not record a ``connectMxp`` call: Sinch ignores the recording.

    Sinch does not record in-app (MXP) calls: with a ``connectMxp`` action, ``startRecording``
    and ``stopRecording`` are silently ignored, and no recording ever arrives. Record on a call
    that Sinch connects otherwise (``connectPstn``, ``connectSip``, ``connectConf``).

    The fix removes the recording instructions. It is reported once, at the first of them.
    """
    recording = (StartRecording, StopRecording)
    found = [i for i, instruction in ctx.instructions if isinstance(instruction, recording)]
    if not found:
        return
    which = "instruction" if len(found) == 1 else f"instructions ({', '.join(map(str, found))})"
    yield Finding(
        ctx.at("instructions", found[0]),
        f"Sinch ignores recording with connectMxp: the recording {which} will do nothing; remove "
        f"{'it' if len(found) == 1 else 'them'} or record a call connected another way",
        # From the highest index down, so each removal leaves the earlier indices in place.
        Fix(
            description="remove the recording instructions",
            edits=tuple(Edit(op="remove", path=ctx.at("instructions", i)) for i in reversed(found)),
            applicability=Applicability.UNSAFE,
        ),
    )


def _websocket(endpoint: str) -> tuple[str | None, str | None]:
    """Return (the problem, or None; the scheme, lower-case) of a WebSocket URL."""
    if not endpoint or any(c.isspace() for c in endpoint):
        return "is empty or holds spaces", None
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
    except ValueError:
        return "is not a URL", None
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        return ("has no scheme" if not scheme else f"uses {scheme}://"), scheme or None
    if not host:
        return "has no host", scheme
    return None, scheme


def _stream(endpoint: str) -> dict[str, Any]:
    return {"action": {"name": "connectStream", "destination": {"type": "Websocket", "endpoint": endpoint}}}


_STREAM = "OAS connectStream.destination: type Websocket, endpoint a wss:// URL (closed beta)"


@rule(
    "SV602",
    "stream-endpoint-invalid",
    _E,
    summary="The `connectStream` endpoint is not a WebSocket URL",
    source=_STREAM,
    kinds=(ConnectStream,),
    example=Example(
        text=_stream("https://example.com/stream"),
        fixed=_stream("wss://example.com/stream"),
    ),
)
def stream_endpoint_invalid(action: ConnectStream, where: str, ctx: Context) -> Iterator[Finding]:
    """Give ``connectStream`` a WebSocket URL.

    ``connectStream`` streams the call's audio to a WebSocket server: its
    ``destination.endpoint`` is a ``wss://host/path`` URL. An ``https://`` URL, a bare host name or
    anything else cannot be connected and the call fails. Write the server's ``wss://`` URL.
    """
    endpoint = action.destination.endpoint
    problem, scheme = _websocket(endpoint)
    if problem is not None:
        hint = " (a WebSocket server on the same host is wss://…)" if scheme in ("http", "https") else ""
        yield Finding(
            f"{where}/destination/endpoint",
            f"the stream endpoint {endpoint!r} {problem}: write a wss://host/path URL{hint}",
        )


@rule(
    "SV603",
    "stream-endpoint-insecure",
    _W,
    summary="The `connectStream` endpoint uses unencrypted `ws://`",
    source=_STREAM,
    kinds=(ConnectStream,),
    example=Example(
        text=_stream("ws://example.com/stream"),
        fixed=_stream("wss://example.com/stream"),
    ),
)
def stream_endpoint_insecure(action: ConnectStream, where: str, ctx: Context) -> Iterator[Finding]:
    """Use ``wss://``, not ``ws://``, for ``connectStream``.

    Sinch documents ``wss://`` endpoints for ``connectStream``. With ``ws://`` the call's audio
    (and the call headers sent in the first message) would cross the internet unencrypted, if
    Sinch connects at all. Serve the WebSocket over TLS and write ``wss://``.
    """
    endpoint = action.destination.endpoint
    problem, scheme = _websocket(endpoint)
    if problem is None and scheme == "ws":
        yield Finding(
            f"{where}/destination/endpoint",
            f"the stream endpoint {endpoint!r} is not encrypted: use wss:// (WebSocket/TLS)",
        )


_EXPECTED_TYPE = {
    ConnectMxp: (DestinationType.USERNAME, "an in-app user"),
    ConnectSip: (DestinationType.SIP, "a SIP endpoint"),
    ConnectStream: (DestinationType.WEBSOCKET, "a WebSocket server"),
}


@rule(
    "SV604",
    "destination-type-mismatch",
    _E,
    summary="A connect action's destination type is not the one that action connects to",
    source="OAS connectMxp (username), connectSip (sip), connectStream (Websocket) destination type",
    fix=Applicability.SAFE,
    kinds=(ConnectMxp, ConnectSip, ConnectStream),
    example=Example(
        text={"action": {"name": "connectSip", "destination": {"type": "number", "endpoint": _SIP}}},
        fixed={"action": {"name": "connectSip", "destination": {"type": "sip", "endpoint": _SIP}}},
    ),
)
def destination_type_mismatch(
    action: ConnectMxp | ConnectSip | ConnectStream, where: str, ctx: Context
) -> Iterator[Finding]:
    """Give each connect action the destination type it connects to.

    Each connect action reaches one kind of destination: ``connectMxp`` an in-app user
    (type ``username``), ``connectSip`` a SIP endpoint (``sip``), ``connectStream`` a WebSocket
    server (``Websocket``). Another type (``number``, say) is refused; to call a phone number, use
    ``connectPstn``. Letter case does not matter. ``connectMxp`` and ``connectSip`` may leave the
    type out; ``connectStream``'s type is ``Websocket`` only, and the fix adds it when missing.
    """
    destination = action.destination
    if destination is None:
        return
    wanted, what = _EXPECTED_TYPE[action.__class__]
    at = f"{where}/destination/type"
    if destination.type is None:
        if wanted is DestinationType.WEBSOCKET:
            yield Finding(
                f"{where}/destination",
                "the connectStream destination has no type: write \"type\": \"Websocket\"",
                Fix(
                    description="add type Websocket",
                    edits=(Edit(op="add", path=at, value="Websocket"),),
                    applicability=Applicability.SAFE,
                ),
            )
    elif destination.type is not wanted:
        number = destination.type is DestinationType.NUMBER
        hint = "; to call a phone number use connectPstn" if number else ""
        yield Finding(
            at,
            f"{action.name} connects to {what}: its destination type must be {wanted.value!r}, "
            f"not {str(destination.type)!r}{hint}",
        )


@rule(
    "SV605",
    "amd-outside-custom-callout",
    _W,
    summary="Answering machine detection asked for outside the ICE response of a custom callout",
    source="DOCS amd_v2: AMD works only when set in the ICE response of a customCallout",
    callbacks=frozenset(Callback) - {Callback.ICE},
    kinds=(ConnectPstn,),
    example=Example(
        text={"action": {**PSTN, "amd": {"enabled": True}}},
        callback="pie",
        fixed={"action": PSTN},
    ),
)
def amd_outside_custom_callout(action: ConnectPstn, where: str, ctx: Context) -> Iterator[Finding]:
    """Set answering machine detection only in a custom callout's ICE response.

    Sinch runs answering machine detection (``connectPstn.amd``) only when it is set in the ICE
    response of a ``customCallout``; in any other response it is ignored and no AMD result ever
    arrives. Move ``amd`` into the ICE SVAML of the custom callout. (svaml checks this only when it
    knows the document's callback; for an ICE response it cannot tell whether the call is a custom
    callout.)
    """
    if action.amd is not None and action.amd.enabled:
        phrase = ctx.callback.phrase if ctx.callback is not None else "this response"
        yield Finding(
            f"{where}/amd/enabled",
            f"Sinch ignores AMD in {phrase}: it works only in the ICE response of a customCallout",
        )

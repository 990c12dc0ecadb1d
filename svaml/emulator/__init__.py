"""A local Sinch Voice: Sinch's Calling API v1 on localhost, for tests with no phone and no tunnel.

:class:`Emulator` serves the REST surface an application uses (callouts, call updates, call
legs, call information, conferences, the application's callback URLs) on a real HTTP server of
127.0.0.1, checks every request as Sinch does (the signature, then the body with svaml's rules)
and refuses it as Sinch does (status and error body). Point :class:`svaml.client.VoiceClient`
at :attr:`Emulator.url` with the emulator's key and secret::

    with Emulator(callback_url="http://127.0.0.1:8000/callbacks") as sinch:
        with VoiceClient(sinch.key, sinch.secret, base_url=sinch.url) as client:
            call_id = client.tts_callout("+46700000000", cli="+46700000001", text="Hi")
        print(sinch.call(call_id).status)

On the command line: ``svaml emulator --port 8900``. In pytest: the ``sinch_emulator``
fixture of :mod:`svaml.emulator.pytest_plugin`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import attrs

from svaml import _json, codec
from svaml.emulator._rest import REPLAY_WINDOW, Answer, Api, CallRecord, Participant, error_body
from svaml.emulator._server import Served
from svaml.errors import SvamlError
from svaml.model.document import Document
from svaml.model.permissions import Callback
from svaml.signing import Credentials
from svaml.simulator import (
    Call,
    Caller,
    Conferences,
    Platform,
    RealClock,
    Reply,
    Request,
    UrlTarget,
    VirtualClock,
)

__all__ = [
    "DEFAULT_KEY",
    "DEFAULT_SECRET",
    "REPLAY_WINDOW",
    "CallRecord",
    "Emulator",
    "Participant",
    "error_body",
]

#: The application key the emulator answers to unless told otherwise (a test value, not a secret).
DEFAULT_KEY = "00000000-0000-4000-8000-5eed5eed5eed"
#: The matching application secret (Base64, as Sinch's are).
DEFAULT_SECRET = "ZW11bGF0b3Itc2VjcmV0LTAwMQ=="


class Emulator(Served):
    """Sinch's Calling API v1 for one application, served on ``host:port`` (0: a free port).

    ``key`` and ``secret`` are the application's credentials: requests must be signed with them
    (``Authorization: Basic`` is accepted too unless ``allow_basic=False``). ``callback_url`` is
    the application's callback URL, where callouts send their events; it can also be set through
    the configuration endpoint, as with Sinch. Start it with :meth:`start` or ``with``.

    Each accepted callout becomes a simulated call (:class:`svaml.simulator.Call`) played as Sinch
    plays it (see ``docs/emulator.md``): a TTS or conference callout posts ACE, DiCE and PIE to
    the callback URL only when it enables them; a custom callout's inline SVAML answers its events
    and each URL it names gets its own event. The call is played by
    ``caller`` (a :class:`~svaml.simulator.Caller`, or a function of the call's record; by
    default a callee who answers and presses nothing) under ``platform``'s assumptions. Time is
    virtual (a call plays out at once) unless ``real_time``: then waits last as long as they say
    and a PATCH reaches a call while it waits. Without a callback URL (or one a custom callout
    names) a callout is not played: it stays ``ONGOING`` until it is hung up with a PATCH.
    """

    _NAME = "emulator"

    def __init__(
        self,
        *,
        key: str = DEFAULT_KEY,
        secret: str = DEFAULT_SECRET,
        callback_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_basic: bool = True,
        caller: Caller | Callable[[CallRecord], Caller] | None = None,
        platform: Platform | None = None,
        real_time: bool = False,
    ) -> None:
        self._credentials = Credentials(key=key, secret=secret)
        self._secret = secret  # the emulator's test secret is shown, not hidden (see Emulator.secret)
        self._caller = caller
        self._platform = platform
        self._real_time = real_time
        self._running: dict[str, Call] = {}
        self.api = Api(
            self._credentials,
            allow_basic=allow_basic,
            placed=self._placed,
            updated=self._updated,
            kicked=self._kicked,
            clock=time.monotonic,
        )
        if callback_url is not None:
            self.api.callback_urls[key] = {"primary": callback_url}
        self._rooms = _Rooms(self.api)
        self._served_at(host, port)

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"Emulator(key={self.key!r}, {where})"

    # -- the application ----------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """The application key requests must carry."""
        return self._credentials.key

    @property
    def secret(self) -> str:
        """The application secret requests are signed with (a test credential)."""
        return self._secret

    @property
    def callback_url(self) -> str | None:
        """The application's primary callback URL, or None when none is set."""
        return self.api.callback_urls.get(self.key, {}).get("primary")

    @callback_url.setter
    def callback_url(self, url: str | None) -> None:
        with self.api.lock:
            if url is None:
                self.api.callback_urls.pop(self.key, None)
            else:
                self.api.callback_urls.setdefault(self.key, {})["primary"] = url

    # -- serving ------------------------------------------------------------------------------------

    def _answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        return self.api.handle(method, target, headers, body)

    # -- the calls ----------------------------------------------------------------------------------

    def call(self, call_id: str) -> CallRecord:
        """Return the call a callout placed; raises :class:`~svaml.errors.SvamlError` for an unknown id."""
        with self.api.lock:
            found = self.api.calls.get(call_id)
        if found is None:
            raise SvamlError(f"no call {call_id!r} was placed on this emulator")
        return found

    @property
    def calls(self) -> list[CallRecord]:
        """Every call placed so far, oldest first."""
        with self.api.lock:
            return list(self.api.calls.values())

    def participants(self, conference_id: str) -> list[Participant]:
        """The calls in a conference room now (empty when the room does not exist)."""
        with self.api.lock:
            return list(self.api.conferences.get(conference_id, {}).values())

    def wait(self, call_id: str, timeout: float = 10.0) -> CallRecord:
        """Wait until the call has ended; return it. Raises :class:`~svaml.errors.SvamlError` on timeout."""
        call = self.call(call_id)
        if not call.ended.wait(timeout):
            raise SvamlError(f"the call {call_id} has not ended within {timeout:g} seconds")
        return call

    def _placed(self, record: CallRecord) -> None:
        callout = record.request[record.method]
        urls = _event_urls(callout) if record.method == "customCallout" else {}
        url = self.callback_url or next(iter(urls.values()), None)
        if url is None:
            if record.method == "conferenceCallout":
                self.api.join(record, callout["conferenceId"])
            return
        caller = self._caller(record) if callable(self._caller) else self._caller or Caller()
        caller = attrs.evolve(
            caller, cli=record.cli, to=str(record.to.get("endpoint", caller.to)), custom=record.custom
        )
        plan = _plan(record.method, callout)
        call = Call(
            _EventTargets(urls, url, self._credentials) if urls else UrlTarget(url),
            caller,
            credentials=self._credentials,
            platform=self._platform,
            call_id=record.call_id,
            clock=RealClock() if self._real_time else VirtualClock(),
            conferences=self._rooms,
            callout=plan.callout,
            inline=plan.inline,
        )
        self._running[record.call_id] = call
        threading.Thread(
            target=self._play, args=(record, call), name="svaml-emulator-call", daemon=True
        ).start()

    def _play(self, record: CallRecord, call: Call) -> None:
        try:
            transcript = call.run()
        finally:
            close = getattr(call.target, "close", None)
            if callable(close):
                close()
        with self.api.lock:
            self._running.pop(record.call_id, None)
            self.api.leave(record)
            record.transcript = transcript
            record.finish(
                str(transcript.result.value) if transcript.result is not None else "FAILED",
                str(transcript.reason.value) if transcript.reason is not None else "CALLBACKERROR",
                round(transcript.duration),
            )

    def _updated(self, record: CallRecord, what: str, svaml: dict[str, Any]) -> None:
        running = self._running.get(record.call_id)
        if running is not None:
            running.update(codec.read(svaml, Document).value)
            return
        action = svaml.get("action")
        if isinstance(action, dict) and action.get("name") == "hangup":
            self.api.leave(record)
            record.finish("ANSWERED", "MANAGERHANGUP", record.duration)

    def _kicked(self, record: CallRecord) -> None:
        self._updated(record, "patch", {"action": {"name": "hangup"}})


class _Rooms(Conferences):
    """The simulator's conference rooms, mirrored into the REST API's participants."""

    def __init__(self, api: Api) -> None:
        super().__init__()
        self._api = api

    def join(self, conference_id: str, call_id: str) -> int:
        """Put the call in the room, and list it as a participant."""
        record = self._api.calls.get(call_id)
        if record is not None:
            self._api.join(record, conference_id)
        return super().join(conference_id, call_id)

    def leave(self, conference_id: str, call_id: str) -> None:
        """Take the call out of the room and of the participants."""
        record = self._api.calls.get(call_id)
        if record is not None:
            self._api.leave(record)
        super().leave(conference_id, call_id)


def _event_urls(callout: Mapping[str, Any]) -> dict[str, str]:
    """The URLs a custom callout names for its events (``ice``, ``ace``, ``pie``, ``dice``) by event."""
    found = {}
    for name in ("ice", "ace", "pie", "dice"):
        value = callout.get(name)
        if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https"):
            found[name] = value.strip()
    return found


_SIGNATURE = ("x-timestamp", "authorization")


class _EventTargets:
    """A custom callout's targets: each event to the URL its field names, the others to ``default``.

    The call signs each request for ``default``'s path; one for another URL is signed again for
    that URL's path with the same timestamp, as Sinch signs each callback for where it goes.
    """

    def __init__(self, urls: Mapping[str, str], default: str, credentials: Credentials) -> None:
        self._targets = {url: UrlTarget(url) for url in {*urls.values(), default}}
        self._urls = dict(urls)
        self._default = default
        self._credentials = credentials
        self.path = self._targets[default].path

    def send(self, request: Request, timeout: float) -> Reply:
        """Deliver the request to its event's URL, signed for that URL's path."""
        data = _json.decode(request.body).value
        event = data.get("event") if isinstance(data, dict) else None
        target = self._targets[self._urls.get(str(event), self._default)]
        if target.path != request.path:
            headers = dict(request.headers)
            kept = tuple((k, v) for k, v in request.headers if k.lower() not in _SIGNATURE)
            signed = self._credentials.sign(
                method=request.method,
                path=target.path,
                body=request.body,
                content_type=headers.get("Content-Type", ""),
                timestamp=headers.get("x-timestamp"),
            )
            request = Request(request.method, target.path, kept + tuple(signed.items()), request.body)
        return target.send(request, timeout)

    def close(self) -> None:
        """Close every URL's connection."""
        for target in self._targets.values():
            target.close()


class _Plan(NamedTuple):
    """How the platform plays a callout: what runs once the callee answers, and the events not posted."""

    callout: Document | None  # None: the call starts with an ICE (posted, or inline)
    inline: dict[Callback, Document | None]


def _read(data: Any) -> Document:
    document: Document = codec.read(data, Document).value
    return document


def _inline_svaml(value: object) -> Document | None:
    """A custom callout's field as inline SVAML, or None when it is a URL or absent."""
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return None
    return _read(_json.decode(value).value)


# A TTS or conference callout's switches for its events (the reference: all default false).
_ENABLES = (("enableAce", Callback.ACE), ("enableDice", Callback.DICE), ("enablePie", Callback.PIE))


def _plan(method: str, callout: Mapping[str, Any]) -> _Plan:
    """The platform's plan for an accepted callout (its body checked by the rules already).

    A TTS or conference callout dials its destination; on answer the ``dtmf`` is sent, then the
    text or prompts play (and the call hangs up), or the call joins the room. ACE, DiCE and PIE
    are posted only when ``enableAce``, ``enableDice``, ``enablePie`` say so (all default false),
    and ACE and DiCE never for a ``username`` destination (the reference). A custom callout posts
    every event to the callback URL except those it answers with inline SVAML (``ice``, ``ace``,
    ``pie``); an inline ICE runs first, and its connect action dials the callee.
    """
    if method == "customCallout":
        inline: dict[Callback, Document | None] = {}
        for name, callback in (("ice", Callback.ICE), ("ace", Callback.ACE), ("pie", Callback.PIE)):
            document = _inline_svaml(callout.get(name))
            if document is not None:
                inline[callback] = document
        return _Plan(None, inline)
    locale = callout.get("locale") or "en-US"
    instructions: list[dict[str, Any]] = []
    if callout.get("dtmf"):
        instructions.append({"name": "sendDtmf", "value": callout["dtmf"]})
    if method == "ttsCallout":
        # prompts (several, ';'-separated) are the advanced alternative to text: they win when both are given.
        prompts = callout.get("prompts")
        if isinstance(prompts, str) and prompts:
            instructions.append({"name": "playFiles", "ids": [prompts], "locale": locale})
        else:
            instructions.append({"name": "say", "text": callout.get("text") or "", "locale": locale})
        data: dict[str, Any] = {"instructions": instructions, "action": {"name": "hangup"}}
    else:
        action = {"name": "connectConf", "conferenceId": callout["conferenceId"]}
        if callout.get("conferenceDtmfOptions") is not None:
            action["conferenceDtmfOptions"] = callout["conferenceDtmfOptions"]
        if callout.get("mohClass") is not None:
            action["moh"] = callout["mohClass"]
        if callout.get("greeting"):
            instructions.append({"name": "say", "text": callout["greeting"], "locale": locale})
        data = {"instructions": instructions, "action": action}
    username = str((callout.get("destination") or {}).get("type", "")).lower() == "username"
    off: dict[Callback, Document | None] = {}
    for flag, callback in _ENABLES:
        if callout.get(flag) is not True or (username and callback is not Callback.PIE):
            off[callback] = None
    return _Plan(_read(data), off)

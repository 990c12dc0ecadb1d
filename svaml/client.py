"""``VoiceClient``: place calls and change live ones through Sinch's Voice REST API.

A thin sender on top of ``requests`` (installed with ``pip install 'svaml[client]'``; it is
imported only when a client is made). Every request is checked first with the validator users
rely on, signed with :mod:`svaml.signing`, sent with connect and read timeouts, and answered
with a typed result or a typed error from :mod:`svaml.errors`::

    SinchError
    ├── ApiError            Sinch answered with an error status (status, error_code, reference)
    │   └── RateLimitedError    429 or 503 after the retries allowed (retry_after)
    └── TransportError      no usable answer: refused, reset, a body that is not JSON
        └── SinchTimeoutError   no answer in time

Every call has a total ``deadline`` on top of the connect and read timeouts, and an answer is
read only up to ``max_response`` bytes (counted after decompression). A redirect is followed
only for a request that can safely be sent again, and only to the same origin (scheme, host and
port): credentials never go anywhere else.

Retries: a request that repeating cannot change (``GET``, ``DELETE``, the conference
participant commands, the callback URL update) is retried after 429, 502, 503 and 504 answers,
connection failures and timeouts, waiting as ``Retry-After`` says or backing off
exponentially. A callout is never retried: a second attempt could ring a phone twice. Call and
call-leg updates and number assignment are not retried either.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeVar, get_args
from urllib.parse import quote, urlsplit

from svaml import _environment, _json, codec
from svaml._results import (
    AssignNumbers,
    CallbackUrls,
    CallInfo,
    ConferenceInfo,
    NumberInfo,
    NumberQuery,
    Participant,
    ParticipantCommand,
    Price,
    UnassignNumber,
    UpdateCallbackUrls,
    UrlPair,
    read_result,
)
from svaml._transport import (
    RATE_LIMITED,
    USER_AGENT,
    Client,
    Timeout,
    Transport,
    decode,
    snippet,
)
from svaml.diagnostic import Diagnostic, Severity
from svaml.document import Svaml
from svaml.errors import (
    ApiError,
    RateLimitedError,
    SvamlError,
    SvamlTypeError,
    TransportError,
)
from svaml.model.actions import Destination
from svaml.model.callouts import (
    CALLOUT_CLASSES,
    Callout,
    ConferenceCallout,
    CustomCallout,
    TtsCallout,
    callout_request,
)
from svaml.model.enums import Capability, Moh, coerce
from svaml.model.permissions import Callback
from svaml.rules import validate, validate_callout
from svaml.signing import Credentials, Secret
from svaml.typed import CallLegSvaml, PatchSvaml, step_name

if TYPE_CHECKING:
    import requests

__all__ = [
    "CONFIGURATION_URL",
    "LEGS",
    "REGIONS",
    "CallInfo",
    "CallbackUrls",
    "ConferenceInfo",
    "NumberInfo",
    "NumberQuery",
    "Participant",
    "Price",
    "VoiceClient",
    "checked_base_url",
]

_log = logging.getLogger("svaml.client")

#: The Calling API host of each region (Sinch's ``global`` host routes to the nearest one).
REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "global": "https://calling.api.sinch.com",
        "europe": "https://calling-euc1.api.sinch.com",
        "north-america": "https://calling-use1.api.sinch.com",
        "south-america": "https://calling-sae1.api.sinch.com",
        "southeast-asia-1": "https://calling-apse1.api.sinch.com",
        "southeast-asia-2": "https://calling-apse2.api.sinch.com",
    }
)

#: The host of the configuration endpoints (numbers, callback URLs), whatever the region.
CONFIGURATION_URL = "https://callingapi.sinch.com"

# The short names Sinch's SDKs use for the same regions.
_REGION_ALIASES = {
    "euc1": "europe",
    "use1": "north-america",
    "sae1": "south-america",
    "apse1": "southeast-asia-1",
    "apse2": "southeast-asia-2",
}

_CONTENT_TYPE = "application/json; charset=UTF-8"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_PATH_SAFE = "!$&'()*+,;=:@"  # RFC 3986 pchar: sent as is, so the signed path is the path sent
_NOT_PLACED_NOTE = "the call may have been placed; callouts are never retried automatically"
# A 429 says the callout was not accepted; a 5xx or no answer leaves it unknown.

Leg = Literal["caller", "callee", "both"]
#: The legs a call-leg update may name (Sinch's ``callLeg`` path parameter).
LEGS: tuple[Leg, ...] = get_args(Leg)
_R = TypeVar("_R")
_P = ParamSpec("_P")
_CALLOUT_TYPES = tuple(CALLOUT_CLASSES.values())
_METHOD_OF: dict[object, str] = {cls: method for method, cls in CALLOUT_CLASSES.items()}


def _callout(cls: Callable[_P, Callout]) -> Callable[Concatenate[VoiceClient, _P], str]:
    """Make the client method that places a callout of ``cls``, made from the method's arguments."""
    name = step_name(_METHOD_OF[cls])

    def place(self: VoiceClient, /, *args: _P.args, **kwargs: _P.kwargs) -> str:
        return self.callout(cls(*args, **kwargs))

    place.__name__ = name
    place.__qualname__ = f"VoiceClient.{name}"
    place.__doc__ = f"{cls.__doc__}\n\nChecked, then sent as :meth:`callout` does; return the call id."
    return place


class VoiceClient(Client):
    """A client of Sinch's Voice REST API for one application.

    ``region`` is one of :data:`REGIONS` (``global``, ``europe``, ``north-america``,
    ``south-america``, ``southeast-asia-1``, ``southeast-asia-2``); the configuration endpoints
    always go to :data:`CONFIGURATION_URL`. ``base_url`` replaces the regional host (a proxy, a
    test server) and then, unless ``configuration_url`` is given too, the configuration host.
    ``auth`` is ``"signed"`` (the default: every request signed with the secret) or ``"basic"``
    (the key and secret in every request; refused over plain http except to localhost).

    ``timeout`` is ``(connect, read)`` seconds or one number for both. ``retries`` is how many
    times a request that can safely be repeated is retried; ``backoff`` the first wait in
    seconds, doubled each time, unless Sinch's ``Retry-After`` says otherwise; a
    ``Retry-After`` longer than ``max_retry_after`` seconds is not waited for. ``session`` is a
    ``requests.Session`` to use (it is not closed by :meth:`close`).

    ``deadline`` is the most seconds one method call may take in all, retries and redirects
    included (None: no limit but the timeouts); a server that drips its answer is cut off at it.
    ``max_response`` is the largest answer in bytes read (decompressed); a larger one is a
    :class:`~svaml.errors.TransportError`.

    Use it as a context manager, or call :meth:`close`, to release the connections of the
    session it made. The repr shows the key, never the secret.
    """

    _HOLDS = "the application secret"

    def __init__(
        self,
        application_key: str,
        application_secret: str | Secret,
        *,
        region: str = "global",
        auth: Literal["signed", "basic"] = "signed",
        timeout: Timeout | None = (3.05, 10.0),
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        session: requests.Session | None = None,
        base_url: str | None = None,
        configuration_url: str | None = None,
        deadline: float | None = 30.0,
        max_response: int = 4 * 1024 * 1024,
    ) -> None:
        held = application_secret if isinstance(application_secret, Secret) else Secret(application_secret)
        del application_secret  # only the Secret, whose repr hides it, stays in this frame's locals
        self._credentials = Credentials(key=application_key, secret=held)
        if auth not in ("signed", "basic"):
            raise SvamlError(f"auth must be 'signed' or 'basic', not {auth!r}")
        self._auth = auth
        self._region = _region(region)
        self._base_url = REGIONS[self._region] if base_url is None else checked_base_url(base_url, "base_url")
        if configuration_url is not None:
            self._configuration_url = checked_base_url(configuration_url, "configuration_url")
        else:
            self._configuration_url = self._base_url if base_url is not None else CONFIGURATION_URL
        if auth == "basic":
            for url in (self._base_url, self._configuration_url):
                _check_basic_over(url)
        self._transport = Transport(
            "svaml.client.VoiceClient",
            _log,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_retry_after=max_retry_after,
            session=session,
            deadline=deadline,
            max_response=max_response,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> VoiceClient:
        """Make a client from the environment: the key, the secret and the region.

        Reads ``SINCH_APPLICATION_KEY``, ``SINCH_APPLICATION_SECRET`` and ``SINCH_VOICE_REGION``.

        ``environ`` defaults to ``os.environ``. ``options`` are the constructor's keyword
        arguments; a ``region`` given there wins over ``SINCH_VOICE_REGION``, and without either
        the region is ``global``. Raises :class:`~svaml.errors.SvamlError` naming the variables
        that are missing or empty (never their values). The command line reads the same
        variables through the same reader.
        """
        found = _environment.read(environ)
        if options.get("region") is None:
            options["region"] = found.region or "global"
        return cls(found.key, found.secret, **options)

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def application_key(self) -> str:
        """The application key (public; the secret has no accessor)."""
        return self._credentials.key



    @property
    def configuration_url(self) -> str:
        """The host of the configuration endpoints (numbers, callback URLs)."""
        return self._configuration_url


    def __repr__(self) -> str:
        # Safe on a half-built client (a constructor that raised, a debugger): no attribute is assumed.
        parts = vars(self)
        credentials = parts.get("_credentials")
        key = credentials.key if isinstance(credentials, Credentials) else None
        region, base_url = parts.get("_region"), parts.get("_base_url")
        where = f"region={region!r}"
        if isinstance(region, str) and region in REGIONS and base_url not in (None, REGIONS[region]):
            where = f"base_url={base_url!r}"
        return f"VoiceClient(application_key={key!r}, {where}, auth={parts.get('_auth')!r})"

    # -- callouts -------------------------------------------------------------------------------

    def callout(self, callout: Callout) -> str:
        """Place a callout described by a request object; return the new call's id.

        The request is checked first (E.164 numbers, ``cli`` of a TTS callout, text length…);
        a problem raises :class:`~svaml.errors.SvamlError` with its diagnostics and nothing is
        sent. The callout is never retried: after a timeout or a reset the call may exist.
        """
        if not isinstance(callout, _CALLOUT_TYPES):
            names = ", ".join(cls.__name__ for cls in _CALLOUT_TYPES)
            raise SvamlTypeError(f"expected a callout ({names}), got {type(callout).__name__}")
        body = codec.unstructure(callout_request(callout))
        _raise_errors(f"the {callout.method} request is not valid", validate_callout(body))
        data = self._call("POST", "/calling/v1/callouts", body=body, callout=True)
        call_id = data.get("callId") if isinstance(data, Mapping) else None
        if not isinstance(call_id, str) or not call_id:
            raise TransportError(
                f"Sinch accepted the {callout.method} but its answer has no callId: {snippet(data)};"
                f" {_NOT_PLACED_NOTE}"
            )
        return call_id

    # Each callout method takes its request class's own parameters (a str destination is a number).
    tts_callout = _callout(TtsCallout)
    conference_callout = _callout(ConferenceCallout)

    def custom_callout(
        self,
        *,
        ice: Svaml | str | None = None,
        ace: Svaml | str | None = None,
        pie: Svaml | str | None = None,
        dice: str | None = None,
        cli: str | None = None,
        destination: str | Destination | None = None,
        max_duration: int | None = None,
        dtmf: str | None = None,
        custom: str | None = None,
    ) -> str:
        """Place a call driven by SVAML; return the call id.

        ``ice``, ``ace`` and ``pie`` are each a :class:`~svaml.Svaml` document (checked for that
        callback, then sent as JSON text), SVAML JSON text (checked too), or the URL Sinch
        should ask. ``dice`` can only be a URL. With inline ICE SVAML, leave out ``cli`` and
        ``destination``: its connect action carries them.
        """
        problems: list[Diagnostic] = []
        texts = {}
        for name, value, callback in (
            ("ice", ice, Callback.ICE),
            ("ace", ace, Callback.ACE),
            ("pie", pie, Callback.PIE),
        ):
            texts[name] = _inline(name, value, callback, problems)
        if dice is not None and not (isinstance(dice, str) and _is_url(dice)):
            raise SvamlTypeError(
                "dice must be the URL of your DiCE handler: Sinch takes no inline DiCE SVAML"
            )
        _raise_errors("the customCallout SVAML is not valid", problems)
        return self.callout(
            CustomCallout(
                ice=texts["ice"],
                ace=texts["ace"],
                pie=texts["pie"],
                dice=dice,
                cli=cli,
                destination=destination,
                max_duration=max_duration,
                dtmf=dtmf,
                custom=custom,
            )
        )

    # -- calls ------------------------------------------------------------------------------------

    def update_call(self, call_id: str, svaml: Svaml | PatchSvaml) -> None:
        """Change a live PSTN or SIP call with SVAML whose action is hangup, continue or park.

        The document is checked as a call update first. Not retried: its instructions (a
        prompt, DTMF) would run twice.
        """
        body = _document(svaml, Callback.PATCH, "call update")
        self._call("PATCH", f"/calling/v1/calls/id/{_segment(call_id, 'call_id')}", body=body)

    def manage_call_leg(self, call_id: str, svaml: Svaml | CallLegSvaml, *, leg: Leg = "caller") -> None:
        """Play prompts (playFiles, say) to one leg of a call: ``caller``, ``callee`` or ``both``.

        Sinch ignores ``leg`` for conference and callout calls. Not retried (a prompt would play
        twice).
        """
        if leg not in LEGS:
            raise SvamlError(f"leg must be one of {', '.join(map(repr, LEGS))}, not {leg!r}")
        body = _document(svaml, Callback.CALL_LEG, "call-leg update")
        path = f"/calling/v1/calls/id/{_segment(call_id, 'call_id')}/leg/{leg}"
        self._call("PATCH", path, body=body)

    def get_call(self, call_id: str) -> CallInfo:
        """Return what Sinch knows about a call (status, result, reason, duration, price)."""
        data = self._call("GET", f"/calling/v1/calls/id/{_segment(call_id, 'call_id')}", retry=True)
        return _result(data, CallInfo)

    # -- conferences ------------------------------------------------------------------------------

    def get_conference(self, conference_id: str) -> ConferenceInfo:
        """Return the participants of a conference (conferences are regional)."""
        data = self._call("GET", _conference(conference_id), retry=True)
        return _result(data, ConferenceInfo)

    def kick_all(self, conference_id: str) -> None:
        """Remove every participant from a conference, which ends it."""
        self._call("DELETE", _conference(conference_id), retry=True)

    def kick_participant(self, conference_id: str, call_id: str) -> None:
        """Remove one participant from a conference."""
        self._call("DELETE", _participant(conference_id, call_id), retry=True)

    def mute(self, conference_id: str, call_id: str) -> None:
        """Mute a conference participant."""
        self._command(conference_id, call_id, ParticipantCommand(command="mute"))

    def unmute(self, conference_id: str, call_id: str) -> None:
        """Unmute a conference participant."""
        self._command(conference_id, call_id, ParticipantCommand(command="unmute"))

    def hold(self, conference_id: str, call_id: str, *, moh: Moh | str | None = None) -> None:
        """Put a conference participant on hold, playing music on hold ``moh`` if given."""
        music = None if moh is None else coerce(Moh, moh, "moh")
        self._command(conference_id, call_id, ParticipantCommand(command="onhold", moh=music))

    def resume(self, conference_id: str, call_id: str) -> None:
        """Take a conference participant off hold."""
        self._command(conference_id, call_id, ParticipantCommand(command="resume"))

    def _command(self, conference_id: str, call_id: str, command: ParticipantCommand) -> None:
        # Each command sets a state, so repeating it changes nothing: retried.
        body = codec.unstructure(command)
        self._call("PATCH", _participant(conference_id, call_id), body=body, retry=True)

    # -- configuration ----------------------------------------------------------------------------

    def list_numbers(self) -> tuple[NumberInfo, ...]:
        """Return the numbers of the account and the application each is assigned to."""
        data = self._call("GET", "/v1/configuration/numbers", configuration=True, retry=True)
        items = data.get("numbers") if isinstance(data, Mapping) else None
        if data is not None and not isinstance(items, list):
            raise TransportError(f"Sinch's list of numbers has no 'numbers' list: {snippet(data)}")
        return tuple(_result(item, NumberInfo) for item in items or () if isinstance(item, Mapping))

    def assign_numbers(
        self,
        numbers: Iterable[str],
        *,
        capability: Capability | str = Capability.VOICE,
        application_key: str | None = None,
    ) -> None:
        """Assign 1 to 100 numbers (E.164) to this application, or to ``application_key``.

        Not retried (it is a POST).
        """
        if isinstance(numbers, str) or not isinstance(numbers, Iterable):
            raise SvamlTypeError("numbers must be a list of E.164 numbers, not a single str")
        found = tuple(_number(n) for n in numbers)
        if not 1 <= len(found) <= 100:
            raise SvamlError(f"assign 1 to 100 numbers at a time, not {len(found)}")
        body = AssignNumbers(
            numbers=found,
            application_key=self._key(application_key),
            capability=coerce(Capability, capability, "capability"),
        )
        self._call("POST", "/v1/configuration/numbers", body=codec.unstructure(body), configuration=True)

    def unassign_number(
        self,
        number: str,
        *,
        capability: Capability | str | None = None,
        application_key: str | None = None,
    ) -> None:
        """Remove a number (E.164) from this application, or from ``application_key``."""
        body = UnassignNumber(
            number=_number(number),
            application_key=self._key(application_key),
            capability=None if capability is None else coerce(Capability, capability, "capability"),
        )
        self._call(
            "DELETE",
            "/v1/configuration/numbers",
            body=codec.unstructure(body),
            configuration=True,
            retry=True,
        )

    def get_callback_urls(self, *, application_key: str | None = None) -> CallbackUrls:
        """Return the callback URLs of this application (or of ``application_key``)."""
        data = self._call("GET", self._callbacks_path(application_key), configuration=True, retry=True)
        return _result(data, CallbackUrls)

    def update_callback_urls(
        self, primary: str, fallback: str | None = None, *, application_key: str | None = None
    ) -> None:
        """Set the callback URLs of this application (or of ``application_key``)."""
        for name, url in (("primary", primary), ("fallback", fallback)):
            if url is not None and not (isinstance(url, str) and _is_url(url)):
                raise SvamlError(f"the {name} callback URL must be an http(s) URL, not {url!r}")
        body = UpdateCallbackUrls(url=UrlPair(primary=primary, fallback=fallback))
        # Setting the same URLs twice changes nothing: retried.
        self._call(
            "POST",
            self._callbacks_path(application_key),
            body=codec.unstructure(body),
            configuration=True,
            retry=True,
        )

    def query_number(self, number: str) -> NumberQuery:
        """Return what Sinch knows about a number (country, type, rate).

        Deprecated by Sinch (removed from its Java SDK 2.0, deprecated in its Node SDK 1.3 in
        favour of the Number Lookup API): warns with a :class:`DeprecationWarning`, then asks.
        """
        warnings.warn(
            "query_number: Sinch deprecates the Voice API's number query (its SDKs point to the"
            " Number Lookup API instead); it may stop answering",
            DeprecationWarning,
            stacklevel=2,
        )
        path = f"/v1/calling/query/number/{_segment(_number(number), 'number')}"
        return _result(self._call("GET", path, retry=True), NumberQuery)

    def _key(self, application_key: str | None) -> str:
        if application_key is None:
            return self.application_key
        if not isinstance(application_key, str) or not application_key:
            raise SvamlTypeError("application_key must be a non-empty str")
        return application_key

    def _callbacks_path(self, application_key: str | None) -> str:
        key = _segment(self._key(application_key), "application_key")
        return f"/v1/configuration/callbacks/applications/{key}"

    # -- transport --------------------------------------------------------------------------------

    def _headers(self, method: str, url: str, data: bytes | None) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        content_type = ""
        if data is not None:
            content_type = _CONTENT_TYPE
            headers["Content-Type"] = content_type
        if self._auth == "basic":
            headers.update(self._credentials.basic_authorization())
        else:
            path = urlsplit(url).path
            headers.update(
                self._credentials.sign(method=method, path=path, body=data, content_type=content_type)
            )
        return headers

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        configuration: bool = False,
        retry: bool = False,
        callout: bool = False,
    ) -> Any:
        """Send one API request; return the decoded JSON answer (None for an empty one).

        ``retry`` says the request can safely be sent again: only such a request is retried or
        follows a redirect. Every failure is a :class:`~svaml.errors.SinchError`.
        """
        url = (self._configuration_url if configuration else self._base_url) + path
        data = None if body is None else _json.dumps(body).encode("utf-8")
        note = f"; {_NOT_PLACED_NOTE}" if callout else ""

        def error(
            response: requests.Response, content: bytes, what: str, after: float | None, refusal: str
        ) -> ApiError:
            said = note
            if not callout or response.status_code < 429:
                said = ""  # Sinch refused the request: no call was placed
            elif response.status_code == 429:
                said = "; callouts are never retried automatically"
            return _api_error(response, content, what, after, refusal, said)

        received = self._transport.send(
            method,
            url,
            data=data,
            headers=self._headers,
            error=error,
            retry=retry,
            note=note,
            unsent="; the call was not placed" if callout else None,
            never_again="a callout is never sent again (that could ring a phone twice)" if callout else "",
            # With Basic auth the frames of requests' own traceback hold the secret's header.
            hide_cause=self._auth != "signed",
        )
        return decode(received.content, received.status, received.what, note)


# -- helpers ---------------------------------------------------------------------------------------


def _region(region: str) -> str:
    if not isinstance(region, str):
        raise SvamlTypeError(f"region must be a str, not {type(region).__name__}")
    name = region.strip().lower().replace("_", "-").replace(" ", "-")
    name = _REGION_ALIASES.get(name, name)
    if name not in REGIONS:
        raise SvamlError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
    return name


def checked_base_url(url: str, what: str = "base_url") -> str:
    """Return ``url`` without a trailing slash, or raise: an http(s) URL without query or fragment.

    The one check of a Calling API base URL, for the client and for the ``curl`` that snippets print.
    """
    if not isinstance(url, str):
        raise SvamlTypeError(f"{what} must be a str, not {type(url).__name__}")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # requests would send the URL's user and password as Basic auth in place of the signature,
        # and every error and --dry-run would print the password: refused, and never echoed.
        raise SvamlError(
            f"{what} must not carry a user name or password (user:password@): svaml signs each request"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SvamlError(f"{what} must be an http(s) URL without query or fragment, not {url!r}")
    return url.rstrip("/")


def _check_basic_over(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise SvamlError(
            f"auth='basic' sends the application secret with every request; refused over plain http ({url})"
        )


def _number(value: object) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"a number must be a str in E.164 form, not {type(value).__name__}")
    if not _E164.fullmatch(value):
        raise SvamlError(f"{value!r} is not an E.164 number: write it as '+' and up to 15 digits")
    return value


def _segment(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise SvamlError(f"{what} must not be empty")
    return quote(value, safe=_PATH_SAFE)


def _conference(conference_id: str) -> str:
    return f"/calling/v1/conferences/id/{_segment(conference_id, 'conference_id')}"


def _participant(conference_id: str, call_id: str) -> str:
    return f"{_conference(conference_id)}/{_segment(call_id, 'call_id')}"


def _is_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _raise_errors(message: str, problems: Iterable[Diagnostic]) -> None:
    errors = []
    seen = set()
    for d in problems:
        if d.severity is Severity.ERROR:
            if (d.code, d.pointer, d.message) not in seen:
                seen.add((d.code, d.pointer, d.message))
                errors.append(d)
        else:
            _log.warning("%s", d.describe(), extra={"code": d.code})
    if errors:
        raise SvamlError(f"{message}; nothing was sent:", errors)


def _document(svaml: object, callback: Callback, what: str) -> dict[str, Any]:
    if not isinstance(svaml, Svaml):
        raise SvamlTypeError(f"the {what} must be a Svaml document, not {type(svaml).__name__}")
    _raise_errors(f"the SVAML is not valid for {callback.phrase}", validate(svaml, callback=callback))
    data: dict[str, Any] = codec.unstructure(svaml)
    return data


def _inline(
    name: str, value: Svaml | str | None, callback: Callback, problems: list[Diagnostic]
) -> str | None:
    """Return a custom callout's ice/ace/pie as sent (JSON text or URL); collect SVAML problems."""
    if value is None:
        return None
    if isinstance(value, Svaml):
        found = validate(value, callback=callback)
        text: str = _json.dumps(codec.unstructure(value))
    elif isinstance(value, str) and value.lstrip().startswith("{"):
        found = validate(value, callback=callback)
        text = value
    elif isinstance(value, str) and _is_url(value):
        return value
    elif isinstance(value, str):
        raise SvamlError(f"{name} must be SVAML (a Svaml or its JSON text) or an http(s) URL, not {value!r}")
    else:
        raise SvamlTypeError(f"{name} must be a Svaml, SVAML JSON text or a URL, not {type(value).__name__}")
    prefix = f"/customCallout/{name}"
    problems.extend(
        Diagnostic(
            code=d.code,
            name=d.name,
            severity=d.severity,
            message=f"{name}: {d.message}",
            pointer=prefix + d.pointer,
            fix=d.fix,
        )
        for d in found
    )
    return text


def _result(data: Any, cls: type[_R]) -> _R:
    if data is None:
        data = {}
    try:
        result: _R = read_result(data, cls)
    except RecursionError:
        raise TransportError(f"Sinch's answer is nested too deeply to read as {cls.__name__}") from None
    return result


def _api_error(
    response: requests.Response, content: bytes, what: str, retry_after: float | None, refusal: str, note: str
) -> ApiError:
    status = response.status_code
    text = content.decode("utf-8", "replace")
    try:
        decoded: _json.Decoded | None = _json.decode(content)
    except (ValueError, RecursionError):
        decoded = None
    data = decoded.value if decoded is not None and decoded.clean else None
    error_code: int | None = None
    reference = None
    message = f"Sinch answered {status} {response.reason or ''}".rstrip()
    if isinstance(data, Mapping):
        error_code = _error_code(data.get("errorCode"))
        if isinstance(data.get("reference"), str):
            reference = data["reference"]
        if isinstance(data.get("message"), str) and data["message"]:
            message = data["message"]
    elif text.strip():
        message += f", with a body that is not JSON: {snippet(text)}"
    if refusal:
        location = response.headers.get("Location")
        message += f"; not following the redirect to {snippet(location or '')}: {refusal}"
    full = f"{what}: {message}{note}"
    if status in RATE_LIMITED:
        return RateLimitedError(
            full,
            retry_after=retry_after,
            status=status,
            error_code=error_code,
            reference=reference,
            body=text,
        )
    return ApiError(full, status=status, error_code=error_code, reference=reference, body=text)


def _error_code(value: object) -> int | None:
    """Read Sinch's ``errorCode``: a number, or a string of digits (as its schema says); else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None

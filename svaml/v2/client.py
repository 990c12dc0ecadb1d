"""``VoiceClient2``: Sinch's Voice API v2 over REST (calls, sessions, batches, services, SVAML checks).

A thin sender on top of ``requests`` (``pip install 'svaml[client]'``; imported only when a
client is made), through the same transport as v1's :class:`svaml.client.VoiceClient`: the same
connect and read timeouts, total ``deadline``, ``max_response`` limit, redirect and retry rules
(see :mod:`svaml._transport`). Every request body is checked with the v2 rules
(:func:`svaml.rules.validate`) before it is sent; answers are read into the v2 model
(:mod:`svaml.v2.model`) by the one converter; errors are RFC 9457 ``application/problem+json``
read into typed errors::

    ApiError (svaml.errors)
    └── ProblemError            any error answer; .problem (a Problem, or None), .status
        ├── BadRequestError         400
        ├── UnauthorizedError       401 (also a refused OAuth2 token request)
        ├── PaymentRequiredError    402 (account suspended)
        ├── ForbiddenError          403
        ├── NotFoundError           404
        ├── ConflictError           409 (a service of that name exists)
        ├── TooManyRequestsError    429 (also a RateLimitedError; .retry_after)
        └── ServerError             5xx

Authentication: OAuth2 client credentials (the default: a bearer token from
:data:`TOKEN_URL`, cached until shortly before it expires and fetched again once when Sinch
answers 401 ``invalid_token``) or HTTP Basic with the access key (``auth="basic"``; Sinch rate
limits it heavily: for tests). The access key's secret is held in a :class:`~svaml.signing.Secret`
and never shown.

Idempotency: every create and patch (calls, services) carries an ``Idempotency-Key`` (a UUIDv4)
unless the caller gives one or turns them off; the same key goes with every retry of that
request, so a create Sinch received before the connection dropped is answered with the first
answer rather than placing a second call. A create or patch without a key is never retried.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _environment, _json, codec
from svaml._time import iso_timestamp
from svaml._transport import USER_AGENT, Client, Timeout, Transport, decode, snippet
from svaml.client import checked_base_url
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import ApiError, RateLimitedError, SvamlError, SvamlTypeError, TransportError
from svaml.model.enums import coerce
from svaml.rules import validate
from svaml.signing import Secret
from svaml.v2.model import (
    BatchDetails,
    BatchStopped,
    BatchSummary,
    Call,
    CallCreated,
    CallList,
    CallReason,
    CallResult,
    CallType,
    DescribeRequest,
    Description,
    Document,
    Problem,
    Service,
    ServiceList,
    ServiceRequest,
    Session,
    Use,
    ValidationRequest,
    ValidationResult,
    ValidationType,
)

if TYPE_CHECKING:
    import requests

__all__ = [
    "REGIONS",
    "TOKEN_URL",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "PaymentRequiredError",
    "ProblemError",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "VoiceClient2",
    "check_idempotency_key",
    "service_problems",
]

_log = logging.getLogger("svaml.v2.client")

#: The Voice API v2 host of each region (``global`` routes to the closest), reference §8.1.
REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "global": "https://voice.api.sinch.com",
        "us1": "https://us1.voice.api.sinch.com",
        "br1": "https://br1.voice.api.sinch.com",
        "eu1": "https://eu1.voice.api.sinch.com",
        "sg1": "https://sg1.voice.api.sinch.com",
        "au1": "https://au1.voice.api.sinch.com",
    }
)

#: Where an OAuth2 client-credentials token is asked for (reference §8.2).
TOKEN_URL = "https://auth.sinch.com/oauth2/token"

_JSON = "application/json; charset=UTF-8"
_FORM = "application/x-www-form-urlencoded"
_ACCEPT = "application/json, application/problem+json"
# A token is used until this many seconds before it expires (or a tenth of its life, if shorter).
_TOKEN_MARGIN = 60.0
_KEY_LENGTH = (16, 128)
_PRINTABLE = re.compile(r"[\x21-\x7e]+")
_SERVICE_TEXT = re.compile(r"\S+(\s+\S+)*")
_PAGE_SIZE = (1, 100)
_PLACED_NOTE = "the call may have been placed"
_R = TypeVar("_R")


# -- errors ---------------------------------------------------------------------------------------


class ProblemError(ApiError):
    """Sinch answered a v2 request with an error status.

    ``problem`` is the RFC 9457 body read into a :class:`~svaml.v2.model.Problem` (None when the
    body was not one: a proxy's page, an OAuth2 error), ``status`` the HTTP status and ``body``
    the text as received.
    """

    def __init__(
        self, message: str, *, problem: Problem | None = None, www_authenticate: str = "", **kwargs: Any
    ) -> None:
        self.problem = problem
        #: The answer's ``WWW-Authenticate`` header ("" when absent): why a 401 refused the token.
        self.www_authenticate = www_authenticate
        super().__init__(message, **kwargs)


class BadRequestError(ProblemError):
    """400: the request is not valid (a body, a parameter, ``isDefault: false``…)."""


class UnauthorizedError(ProblemError):
    """401: the credentials or the token were refused (also a refused token request)."""


class PaymentRequiredError(ProblemError):
    """402: the account is suspended."""


class ForbiddenError(ProblemError):
    """403: the credentials may not do this."""


class NotFoundError(ProblemError):
    """404: no such project, call, session, batch or service."""


class ConflictError(ProblemError):
    """409: a service of that name exists already."""


class TooManyRequestsError(ProblemError, RateLimitedError):
    """429 after the retries allowed; ``retry_after`` is Sinch's ``Retry-After`` in seconds."""


class ServerError(ProblemError):
    """5xx: Sinch failed (for a create: the call may or may not have been placed)."""


_ERRORS: Mapping[int, type[ProblemError]] = MappingProxyType(
    {
        400: BadRequestError,
        401: UnauthorizedError,
        402: PaymentRequiredError,
        403: ForbiddenError,
        404: NotFoundError,
        409: ConflictError,
        429: TooManyRequestsError,
    }
)


# -- request checks shared with the stand-in --------------------------------------------------------


def check_idempotency_key(key: object) -> str:
    """Return ``key`` if it is a valid ``Idempotency-Key`` (16-128 printable ASCII characters), or raise."""
    if not isinstance(key, str):
        raise SvamlTypeError(f"idempotency_key must be a str, not {type(key).__name__}")
    low, high = _KEY_LENGTH
    if not low <= len(key) <= high:
        raise SvamlError(f"idempotency_key must have {low} to {high} characters, not {len(key)}")
    if not _PRINTABLE.fullmatch(key):
        raise SvamlError("idempotency_key must be printable ASCII without spaces (a UUID is best)")
    return key


def service_problems(request: ServiceRequest, *, update: bool) -> list[str]:
    """Return what is wrong with a service's create (``update=False``) or update body (reference §8.4).

    ``name`` (required to create) has 1-64 characters, ``description`` at most 255, neither
    starting or ending with whitespace; ``isDefault`` may only be ``true`` on an update (a
    service stops being the default when another becomes it); a ``STATIC`` behaviour's
    document is checked with the v2 rules (its errors are listed by code and pointer); a
    ``WEBHOOK`` behaviour needs a ``webhook.url``.
    """
    problems = []
    for name, value, high in (("name", request.name, 64), ("description", request.description, 255)):
        if value is None:
            if name == "name" and not update:
                problems.append("name is required to create a service")
            continue
        if not isinstance(value, str):
            problems.append(f"{name} must be a string, not {_json.typename(value)}")
        elif not 1 <= len(value) <= high or not _SERVICE_TEXT.fullmatch(value):
            problems.append(
                f"{name} must have 1 to {high} characters and no leading or trailing whitespace: {value!r}"
            )
    if request.is_default is False:
        problems.append(
            "isDefault cannot be false: make another service the default instead"
            if update
            else "isDefault cannot be false: leave it out (or true to make this service the default)"
        )
    behavior = request.call_behavior
    if behavior is not None:
        kind = str(getattr(behavior.type, "value", behavior.type))
        if kind not in ("NONE", "WEBHOOK", "STATIC"):
            problems.append(f"callBehavior.type must be NONE, WEBHOOK or STATIC, not {kind!r}")
        if kind == "WEBHOOK" and (behavior.webhook is None or not behavior.webhook.url):
            problems.append("callBehavior of type WEBHOOK needs webhook.url")
        if kind == "STATIC":
            if behavior.static is None:
                problems.append("callBehavior of type STATIC needs static (a SVAML v2 document)")
            else:
                problems.extend(
                    f"callBehavior.static: {d.describe()}"
                    for d in validate(behavior.static, version=2, use=Use.INCOMING)
                    if d.severity is Severity.ERROR
                )
    return problems


# -- the client -------------------------------------------------------------------------------------


@attrs.frozen(repr=False)
class _Token:
    """A bearer token and the monotonic time it stops being used; its repr hides it."""

    value: str
    renew_at: float

    def __repr__(self) -> str:
        return "_Token(***)"


class VoiceClient2(Client):
    """A client of Sinch's Voice API v2 for one project.

    ``project_id`` is the project's id, ``key_id`` and ``key_secret`` one of its access keys
    (dashboard, Settings, Access keys). ``auth`` is ``"oauth2"`` (the default: a bearer token
    from ``token_url``, cached) or ``"basic"``. ``region`` is one of :data:`REGIONS` (``global``,
    ``us1``, ``br1``, ``eu1``, ``sg1``, ``au1``); ``base_url`` replaces its host (a proxy, a test
    server: :class:`svaml.v2.emulator.Emulator2`). Credentials are refused over plain http except
    to localhost.

    ``idempotency`` (default True) sends a fresh ``Idempotency-Key`` with every create and patch
    that is not given one. ``timeout``, ``retries``, ``backoff``, ``max_retry_after``,
    ``session``, ``deadline`` and ``max_response`` are v1's (:class:`svaml.client.VoiceClient`),
    with the same defaults. Use it as a context manager, or call :meth:`close`.
    """

    _HOLDS = "the access key secret"

    def __init__(
        self,
        project_id: str,
        key_id: str,
        key_secret: str | Secret,
        *,
        auth: Literal["oauth2", "basic"] = "oauth2",
        region: str = "global",
        base_url: str | None = None,
        token_url: str = TOKEN_URL,
        idempotency: bool = True,
        timeout: Timeout | None = (3.05, 10.0),
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        session: requests.Session | None = None,
        deadline: float | None = 30.0,
        max_response: int = 4 * 1024 * 1024,
    ) -> None:
        if isinstance(key_secret, str) and not key_secret.strip():
            raise SvamlError("the access key secret must not be empty")
        if not isinstance(key_secret, (str, Secret)):
            raise SvamlTypeError(f"key_secret must be a str, not {type(key_secret).__name__}")
        held = key_secret if isinstance(key_secret, Secret) else Secret(key_secret)
        del key_secret  # only the Secret, whose repr hides it, stays in this frame's locals
        self._secret = held
        self._key_id = _text("key_id", key_id)
        self._project_id = _text("project_id", project_id)
        if auth not in ("oauth2", "basic"):
            raise SvamlError(f"auth must be 'oauth2' or 'basic', not {auth!r}")
        self._auth = auth
        self._region = _region(region)
        self._base_url = REGIONS[self._region] if base_url is None else checked_base_url(base_url, "base_url")
        self._token_url = _url(token_url, "token_url")
        for url in (self._base_url, self._token_url) if auth == "oauth2" else (self._base_url,):
            _check_secure(url)
        if not isinstance(idempotency, bool):
            raise SvamlTypeError(f"idempotency must be a bool, not {type(idempotency).__name__}")
        self._idempotency = idempotency
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self._transport = Transport(
            "svaml.v2.client.VoiceClient2",
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
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> VoiceClient2:
        """Make a client from the environment: the project, the access key and the region.

        Reads ``SINCH_PROJECT_ID``, ``SINCH_KEY_ID``, ``SINCH_KEY_SECRET`` and (optional)
        ``SINCH_VOICE_V2_REGION`` through the one reader of svaml's variables,
        :mod:`svaml._environment`. ``options`` are the constructor's keyword arguments; a
        ``region`` there wins over the variable. Raises :class:`~svaml.errors.SvamlError` naming
        every missing variable (never a value).
        """
        found = _environment.read_v2(environ)
        if options.get("region") is None:
            options["region"] = found.region or "global"
        return cls(found.project_id, found.key_id, found.key_secret, **options)

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        """The project every path is under."""
        return self._project_id

    @property
    def key_id(self) -> str:
        """The access key's id (public; the secret has no accessor)."""
        return self._key_id



    @property
    def token_url(self) -> str:
        """Where OAuth2 tokens are asked for."""
        return self._token_url


    def __repr__(self) -> str:
        parts = vars(self)
        where = f"region={parts.get('_region')!r}"
        if parts.get("_base_url") not in (None, REGIONS.get(str(parts.get("_region")))):
            where = f"base_url={parts.get('_base_url')!r}"
        return (
            f"VoiceClient2(project_id={parts.get('_project_id')!r}, key_id={parts.get('_key_id')!r},"
            f" {where}, auth={parts.get('_auth')!r})"
        )

    # -- calls ----------------------------------------------------------------------------------

    def create_call(
        self,
        document: Document,
        *,
        service_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> CallCreated:
        """Start a call (or a batch, when the document has ``parameters``); return where it runs.

        The document (a :class:`~svaml.v2.Svaml2` or :class:`~svaml.v2.model.Document`) holds
        ``commands`` (a ``dial`` places the call), and for a batch ``parameters`` and
        ``batch_options``. It is checked with the v2 rules first. ``service_id`` picks the
        service (default: the project's default service). The answer has the ``session_id``
        (and the ``batch_id`` of a batch).
        """
        body = _checked(document, "create-call request", create=True)
        data = self._send(
            "POST",
            "/calls",
            body=body,
            query=_query(serviceId=_optional_id(service_id, "service_id")),
            key=self._key(idempotency_key),
            placing=True,
        )
        return _result(data, CallCreated, "the create-call answer")

    def list_calls(
        self,
        *,
        service_id: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        call_type: CallType | str | None = None,
        start_time: datetime | date | str | None = None,
        end_time: datetime | date | str | None = None,
        call_result: CallResult | str | None = None,
        call_reason: CallReason | str | None = None,
        page_size: int | None = None,
        page: int | None = None,
    ) -> CallList:
        """Return one page of the project's calls, filtered; ``links`` and ``meta`` say what is left.

        ``start_time`` is inclusive and ``end_time`` exclusive (a date, an aware datetime, or
        text as Sinch takes it); ``page`` counts from 1, ``page_size`` is 1-100 (Sinch's
        default 20). :meth:`iter_calls` walks every page.
        """
        query = _query(
            serviceId=_optional_id(service_id, "service_id"),
            **{"from": _optional_str(from_, "from_")},
            to=_optional_str(to, "to"),
            callType=_enum(CallType, call_type, "call_type"),
            startTime=_moment(start_time, "start_time"),
            endTime=_moment(end_time, "end_time"),
            callResult=_enum(CallResult, call_result, "call_result"),
            callReason=_enum(CallReason, call_reason, "call_reason"),
            **_paging(page_size, page),
        )
        return _result(self._send("GET", "/calls", query=query), CallList, "the list of calls")

    def iter_calls(self, *, page_size: int | None = None, **filters: Any) -> Iterator[Call]:
        """Yield every call :meth:`list_calls` finds with ``filters``, page after page.

        Pages are asked for by number on this client's host (a ``next`` link pointing elsewhere
        is not followed); the walk stops on a page without a ``next`` link, or past the last
        page ``meta`` counts.
        """
        if "page" in filters:
            raise SvamlTypeError("iter_calls walks every page from the first: give no page")
        yield from _pages(lambda page: self.list_calls(page_size=page_size, page=page, **filters), "calls")

    def get_call(self, call_id: str) -> Call:
        """Return a call (one leg): its state, result, reason, times and rate."""
        data = self._send("GET", f"/calls/{_segment(call_id, 'call_id')}")
        return _result(data, Call, "the call")

    def patch_call(self, call_id: str, document: Document, *, idempotency_key: str | None = None) -> None:
        """Run new commands on a live call (the document has ``commands`` only); Sinch answers 202."""
        body = _checked(document, "call patch", create=False)
        self._send(
            "PATCH", f"/calls/{_segment(call_id, 'call_id')}", body=body, key=self._key(idempotency_key)
        )

    def patch_call_by_name(
        self, session_id: str, call_name: str, document: Document, *, idempotency_key: str | None = None
    ) -> None:
        """Run new commands on the leg named ``call_name`` (its dial's ``callName``) of a session."""
        body = _checked(document, "call patch", create=False)
        path = f"/sessions/{_segment(session_id, 'session_id')}/calls/{_segment(call_name, 'call_name')}"
        self._send("PATCH", path, body=body, key=self._key(idempotency_key))

    # -- sessions and batches --------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        """Return a session: its state and every call (leg) in it."""
        data = self._send("GET", f"/sessions/{_segment(session_id, 'session_id')}")
        return _result(data, Session, "the session")

    def get_batch(self, batch_id: str) -> BatchSummary:
        """Return a batch's summary: how many sessions are queued, in progress, completed, expired."""
        data = self._send("GET", f"/batches/{_segment(batch_id, 'batch_id')}")
        return _result(data, BatchSummary, "the batch summary")

    def get_batch_details(self, batch_id: str) -> BatchDetails:
        """Return the state of each session of a batch (Sinch never lists the expired ones)."""
        data = self._send("GET", f"/batches/{_segment(batch_id, 'batch_id')}/details")
        return _result(data, BatchDetails, "the batch details")

    def stop_batch(self, batch_id: str) -> BatchStopped:
        """Ask Sinch to start no more sessions of a batch (running calls go on); Sinch answers 202."""
        data = self._send("DELETE", f"/batches/{_segment(batch_id, 'batch_id')}")
        return _result(data, BatchStopped, "the batch stop answer")

    # -- services --------------------------------------------------------------------------------

    def list_services(
        self,
        *,
        filter: str | None = None,  # noqa: A002 - Sinch's parameter name
        is_default: bool | None = None,
        page_size: int | None = None,
        page: int | None = None,
    ) -> ServiceList:
        """Return one page of the project's services; ``filter`` matches names and descriptions (any case)."""
        if is_default is not None and not isinstance(is_default, bool):
            raise SvamlTypeError(f"is_default must be a bool, not {type(is_default).__name__}")
        query = _query(
            filter=_optional_str(filter, "filter"),
            isDefault=None if is_default is None else str(is_default).lower(),
            **_paging(page_size, page),
        )
        return _result(self._send("GET", "/services", query=query), ServiceList, "the list of services")

    def iter_services(self, *, page_size: int | None = None, **filters: Any) -> Iterator[Service]:
        """Yield every service :meth:`list_services` finds with ``filters``, page after page."""
        if "page" in filters:
            raise SvamlTypeError("iter_services walks every page from the first: give no page")
        yield from _pages(
            lambda page: self.list_services(page_size=page_size, page=page, **filters), "services"
        )

    def create_service(self, service: ServiceRequest, *, idempotency_key: str | None = None) -> Service:
        """Create a service (``name`` required); raises :class:`ConflictError` if the name is taken."""
        body = _service_body(service, update=False)
        data = self._send("POST", "/services", body=body, key=self._key(idempotency_key))
        return _result(data, Service, "the service")

    def get_service(self, service_id: str) -> Service:
        """Return a service and its call behaviour."""
        data = self._send("GET", f"/services/{_segment(service_id, 'service_id')}")
        return _result(data, Service, "the service")

    def update_service(
        self, service_id: str, changes: ServiceRequest, *, idempotency_key: str | None = None
    ) -> Service:
        """Change the fields given in ``changes`` (the others stay); ``is_default=True`` makes it default."""
        body = _service_body(changes, update=True)
        path = f"/services/{_segment(service_id, 'service_id')}"
        data = self._send("PATCH", path, body=body, key=self._key(idempotency_key))
        return _result(data, Service, "the service")

    def delete_service(self, service_id: str) -> None:
        """Delete a service (the default service cannot be deleted: :class:`BadRequestError`)."""
        self._send("DELETE", f"/services/{_segment(service_id, 'service_id')}")

    # -- SVAML -----------------------------------------------------------------------------------

    def validate_svaml(
        self,
        document: Document | Mapping[str, Any],
        *,
        validation_type: ValidationType | str = ValidationType.NORMAL,
    ) -> ValidationResult:
        """Ask Sinch to check a document; ``is_valid`` and ``errors`` say what it found.

        NORMAL ignores properties v2 does not define, STRICT reports them. The document (a
        :class:`~svaml.v2.model.Document`, or decoded JSON, which may hold what no model class
        can, such as an unknown command) is sent as it is, since checking it is the point; only a
        value JSON cannot carry is refused before sending. Offline, :func:`svaml.rules.validate`
        says the same and more, with pointers.
        """
        kind = coerce(ValidationType, validation_type, "validation_type")
        if isinstance(document, Document):
            body = codec.unstructure(ValidationRequest(svaml=document, validation_type=kind))
        elif isinstance(document, Mapping):
            checked = _json.json_value(document)
            if checked.unfit:
                unfit = checked.unfit[0]
                where = unfit.pointer or "/"
                raise SvamlTypeError(f"the SVAML to validate holds at {where}: {unfit.message}")
            body = {"svaml": checked.value, "validationType": str(kind)}
        else:
            raise SvamlTypeError(
                f"the SVAML must be a SVAML v2 Document or decoded JSON, not {type(document).__name__}"
            )
        data = self._send("POST", "/svaml/validate", body=body, repeatable=True)
        return _result(data, ValidationResult, "the validation answer")

    def describe_svaml(self, document: Document) -> Description:
        """Return Sinch's numbered plain-words outline of what a document does.

        The document is checked with the v2 rules first: one with errors cannot be described.
        """
        if not isinstance(document, Document):
            raise SvamlTypeError(f"the SVAML must be a SVAML v2 Document, not {type(document).__name__}")
        _raise_errors("the SVAML to describe", validate(document, version=2))
        body = codec.unstructure(DescribeRequest(svaml=document))
        data = self._send("POST", "/svaml/describe", body=body, repeatable=True)
        return _result(data, Description, "the description")

    # -- transport -------------------------------------------------------------------------------

    def _key(self, given: str | None) -> str | None:
        if given is not None:
            return check_idempotency_key(given)
        return str(uuid.uuid4()) if self._idempotency else None

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: str = "",
        key: str | None = None,
        placing: bool = False,
        repeatable: bool | None = None,
    ) -> Any:
        """Send one API request; return the decoded JSON answer (None for an empty one).

        GET and DELETE are retried; a POST or PATCH only when it carries an idempotency key (or
        is ``repeatable``: it changes nothing). An OAuth2 token refused as ``invalid_token`` is
        fetched again and the request sent once more, with the same key, within the deadline.
        """
        url = f"{self._base_url}/v2/projects/{quote(self._project_id, safe='')}{path}"
        if query:
            url += "?" + query
        data = None if body is None else _json.dumps(body).encode("utf-8")
        if repeatable is None:
            repeatable = method in ("GET", "DELETE") or key is not None
        note = f"; {_PLACED_NOTE}" if placing else ""
        if placing and key is None:
            note += " (sent without an Idempotency-Key, so it is never retried)"
        never_again = ""
        if key is None:
            never_again = f"this {method} carries no Idempotency-Key, so it is never sent twice"
        ends = self._transport.ends()
        for attempt in (1, 2):
            token = self._bearer(ends) if self._auth == "oauth2" else None

            def headers(
                method: str, url: str, data: bytes | None, token: _Token | None = token
            ) -> dict[str, str]:
                made = {"Accept": _ACCEPT, "User-Agent": USER_AGENT}
                if data is not None:
                    made["Content-Type"] = _JSON
                if key is not None:
                    made["Idempotency-Key"] = key
                if token is not None:
                    made["Authorization"] = f"Bearer {token.value}"
                else:
                    made.update(self._secret.basic_authorization(self._key_id))
                return made

            try:
                received = self._transport.send(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    error=_problem_error(note if placing else ""),
                    retry=repeatable,
                    note=note,
                    unsent="; the call was not placed" if placing else None,
                    never_again=never_again,
                    hide_cause=True,  # requests' frames hold the Authorization header
                    ends=ends,
                )
            except UnauthorizedError as refused:
                if token is None or attempt == 2 or "invalid_token" not in refused.www_authenticate:
                    raise
                _log.info("%s %s: the token was refused (invalid_token); fetching a new one", method, url)
                with self._lock:
                    if self._token is token:
                        self._token = None
                continue
            return decode(received.content, received.status, received.what, note)
        raise AssertionError("unreachable")  # pragma: no cover

    def _bearer(self, ends: float | None) -> _Token:
        """The cached token, or a new one from the token URL (one fetch at a time)."""
        with self._lock:
            token = self._token
            if token is not None and time.monotonic() < token.renew_at:
                return token
            token = self._fetch_token(ends)
            self._token = token
            return token

    def _fetch_token(self, ends: float | None) -> _Token:
        def headers(method: str, url: str, data: bytes | None) -> dict[str, str]:
            made = {"Accept": "application/json", "User-Agent": USER_AGENT, "Content-Type": _FORM}
            made.update(self._secret.basic_authorization(self._key_id))
            return made

        asked = time.monotonic()
        received = self._transport.send(
            "POST",
            self._token_url,
            data=b"grant_type=client_credentials",
            headers=headers,
            error=_problem_error(""),
            retry=True,  # asking for a token changes nothing
            hide_cause=True,
            ends=ends,
        )
        data = decode(received.content, received.status, received.what, "")
        value = data.get("access_token") if isinstance(data, Mapping) else None
        kind = data.get("token_type", "bearer") if isinstance(data, Mapping) else None
        if not isinstance(value, str) or not value or not isinstance(kind, str) or kind.lower() != "bearer":
            keys = sorted(data) if isinstance(data, Mapping) else _json.typename(data)
            raise TransportError(
                f"{received.what}: the token answer has no bearer access_token (it has {keys})"
            )
        life = data.get("expires_in")
        if isinstance(life, bool) or not isinstance(life, (int, float)) or life <= 0:
            life = 3600.0  # Sinch's tokens live an hour (reference §8.2)
        return _Token(value, asked + life - min(_TOKEN_MARGIN, life / 10))


# -- helpers ----------------------------------------------------------------------------------------


def _problem_error(note: str) -> Callable[[requests.Response, bytes, str, float | None, str], ProblemError]:
    """The error of an answer that is not a success: its problem+json read into a typed error."""

    def error(
        response: requests.Response, content: bytes, what: str, after: float | None, refusal: str
    ) -> ProblemError:
        status = response.status_code
        text = content.decode("utf-8", "replace")
        try:
            decoded: _json.Decoded | None = _json.decode(content)
        except (ValueError, RecursionError):
            decoded = None
        data = decoded.value if decoded is not None and decoded.clean else None
        problem = None
        message = f"Sinch answered {status} {response.reason or ''}".rstrip()
        if isinstance(data, Mapping) and ("title" in data or "type" in data or "detail" in data):
            problem = codec.read(data, Problem, decoded=True).value
        if problem is not None:
            message = ": ".join(str(part) for part in (problem.title, problem.detail) if part) or message
        elif isinstance(data, Mapping) and isinstance(data.get("error"), str):  # an OAuth2 error
            message = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
        elif text.strip():
            message += f", with a body that is not problem+json: {snippet(text)}"
        if refusal:
            location = response.headers.get("Location")
            message += f"; not following the redirect to {snippet(location or '')}: {refusal}"
        said = "" if status < 500 and status != 429 else note
        if status == 429 and note:
            said = "; the call was not placed (a 429 is a refusal)"
        cls = _ERRORS.get(status) or (ServerError if status >= 500 else ProblemError)
        options: dict[str, Any] = {
            "problem": problem,
            "status": status,
            "body": text,
            "www_authenticate": response.headers.get("WWW-Authenticate", ""),
        }
        if cls is TooManyRequestsError:
            options["retry_after"] = after
        return cls(f"{what}: {message}{said}", **options)

    return error


# A field Sinch would ignore where it is sent (S2010) is refused too: strict in what svaml writes.
_REFUSED_WARNINGS = frozenset({"S2010"})


def _raise_errors(what: str, found: list[Diagnostic]) -> None:
    errors = list(
        dict.fromkeys(d for d in found if d.severity is Severity.ERROR or d.code in _REFUSED_WARNINGS)
    )
    for d in found:
        if d not in errors:
            _log.warning("%s", d.describe(), extra={"code": d.code})
    if errors:
        raise SvamlError(f"{what} is not valid; nothing was sent:", errors)


def _checked(document: object, what: str, *, create: bool) -> dict[str, Any]:
    """The body of a create-call request or a patch: a v2 Document, checked by the v2 rules for that use."""
    if not isinstance(document, Document):
        raise SvamlTypeError(
            f"the {what} must be a SVAML v2 Document (Svaml2), not {type(document).__name__}"
        )
    _raise_errors(f"the {what}", validate(document, version=2, use=Use.CREATE if create else Use.PATCH))
    body: dict[str, Any] = codec.unstructure(document)
    return body


def _service_body(request: object, *, update: bool) -> dict[str, Any]:
    if not isinstance(request, ServiceRequest):
        raise SvamlTypeError(f"a service request must be a ServiceRequest, not {type(request).__name__}")
    problems = service_problems(request, update=update)
    if problems:
        what = "update" if update else "create"
        listed = "\n  ".join(problems)
        raise SvamlError(f"the service {what} request is not valid; nothing was sent:\n  {listed}")
    body: dict[str, Any] = codec.unstructure(request)
    return body


def _result(data: Any, cls: type[_R], what: str) -> _R:
    read = codec.read({} if data is None else data, cls, decoded=True)
    if read.value is None:
        listed = "; ".join(d.describe() for d in read.problems[:5])
        raise TransportError(f"Sinch's answer is not {what}: {listed}: {snippet(data)}")
    value: _R = read.value
    return value


def _pages(fetch: Callable[[int], Any], field: str) -> Iterator[Any]:
    page = 1
    while True:
        found = fetch(page)
        yield from getattr(found, field) or ()
        links, meta = found.links, found.meta
        more = links.next is not None if links is not None else None
        if meta is not None and meta.page_count is not None:
            more = (more if more is not None else True) and page < meta.page_count
        if not more or not getattr(found, field):
            return
        page += 1


def _region(region: object) -> str:
    if not isinstance(region, str):
        raise SvamlTypeError(f"region must be a str, not {type(region).__name__}")
    name = region.strip().lower()
    if name not in REGIONS:
        raise SvamlError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
    return name


def _url(url: object, what: str) -> str:
    if not isinstance(url, str):
        raise SvamlTypeError(f"{what} must be a str, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc or parts.fragment:
        raise SvamlError(f"{what} must be an http(s) URL without user, password or fragment, not {url!r}")
    return url


def _check_secure(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise SvamlError(f"credentials are refused over plain http ({url}); use https")


def _text(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise SvamlTypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise SvamlError(f"{what} must not be empty")
    return value.strip()


def _segment(value: object, what: str) -> str:
    return quote(_text(what, value), safe="")


def _optional_id(value: object, what: str) -> str | None:
    return None if value is None else _text(what, value)


def _optional_str(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SvamlTypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def _enum(cls: Any, value: object, what: str) -> str | None:
    return None if value is None else str(coerce(cls, value, what).value)


def _moment(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise SvamlError(f"{what} must be an aware datetime (a time zone, e.g. UTC), not a naive one")
        return iso_timestamp(value.astimezone(timezone.utc))
    if isinstance(value, date):
        return value.isoformat()
    raise SvamlTypeError(f"{what} must be a datetime, a date or a str, not {type(value).__name__}")


def _paging(page_size: object, page: object) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, value, low, high in (("pageSize", page_size, *_PAGE_SIZE), ("page", page, 1, None)):
        if value is None:
            out[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise SvamlTypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < low or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            raise SvamlError(f"{name} must be {span}, not {value}")
        out[name] = str(value)
    return out


def _query(**values: str | None) -> str:
    return urlencode([(k, v) for k, v in values.items() if v is not None])

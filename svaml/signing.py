r"""Sinch request signing and callback signature verification.

Sinch signs with the application secret (Base64-decoded) as an HMAC-SHA256 key over::

    METHOD \n Content-MD5 \n Content-Type \n x-timestamp:<x-timestamp> \n path

where Content-MD5 is ``base64(md5(body))`` (empty when there is no body). The result travels as
``Authorization: Application <key>:<base64 signature>`` next to an ``x-timestamp`` header.
:func:`sign` builds those headers for a request to Sinch; :func:`verify` checks them on a
callback from Sinch and raises :class:`~svaml.errors.SignatureError` saying why when they do not
hold. This module needs only the standard library and attrs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs

from svaml._time import parse_strict
from svaml.errors import ReplayError, SignatureError, SvamlError, SvamlTypeError
from svaml.replay import ReplayStore, first_time

__all__ = [
    "Credentials",
    "Keyring",
    "Secret",
    "basic_authorization",
    "content_md5",
    "format_timestamp",
    "sign",
    "string_to_sign",
    "verify",
]

_DEFAULT_MAX_AGE = 300.0  # seconds either way; the callback handler's default too
# (bad value, wrong type): signing raises the usual pair, verifying only SignatureError.
_Errors = tuple[type[SvamlError], type[SvamlError]]
_SIGNING: _Errors = (SvamlError, SvamlTypeError)
_VERIFYING: _Errors = (SignatureError, SignatureError)
_RELEVANT_HEADERS = frozenset(("authorization", "content-type", "x-timestamp"))
_METHOD = re.compile(r"[A-Za-z]+")
# Standard and base64url alphabets, unpadded: Sinch's SDKs accept both (e.g. "app-secret").
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]*")
_NOT_PICKLED = (
    "an object holding a Sinch application secret is not pickled: a pickle keeps it in clear"
    " wherever it is stored or sent; give the other process the secret from its own configuration"
)


@attrs.frozen
class _Scheme:
    """What differs between Sinch's two signing schemes; everything else is one algorithm.

    ``Application`` signs Voice API v1 (callbacks and REST requests), ``service`` Voice API v2's
    webhooks: the same string to sign and HMAC, another scheme name and key (the serviceId), a
    7-digit ``x-timestamp``, the query never signed, and no Content-Type line without a body.
    """

    name: str  # as written in the header
    key_name: str  # what the key is, in messages
    secret_name: str
    where: str  # the API and the function that verifies it, for the other scheme's refusal
    both_paths: bool  # verify the path with and without its query (v1's SDKs differ); else without
    blank_empty: bool  # no body: empty Content-MD5 *and* Content-Type lines
    stamp: Callable[[datetime | None], str]


def content_md5(body: bytes | str | None) -> str:
    """Return ``base64(md5(body))``, the Content-MD5 line of the string to sign; "" for no body.

    A ``str`` body is encoded as UTF-8. Raises :class:`~svaml.errors.SvamlTypeError` for a body
    that is neither bytes nor text.
    """
    return _md5(_body_bytes(body, _SIGNING))


def string_to_sign(method: str, *, content_md5: str, content_type: str, timestamp: str, path: str) -> str:
    """Return the text Sinch signs: method, Content-MD5, Content-Type, x-timestamp and path.

    The method is upper-cased (HTTP clients send it that way); everything else is used as given.
    """
    return f"{method.upper()}\n{content_md5}\n{content_type}\nx-timestamp:{timestamp}\n{path}"


def format_timestamp(moment: datetime | None = None) -> str:
    """Format ``moment`` (default: now) as ISO-8601 UTC with milliseconds, like ``...28.937Z``.

    Raises :class:`~svaml.errors.SvamlError` for a naive datetime, whose zone is unknown.
    """
    return _utc(moment).isoformat(timespec="milliseconds") + "Z"


def _format_ticks(moment: datetime | None = None) -> str:
    """Format ``moment`` (default: now) as Voice API v2 stamps: UTC with 7 fractional digits.

    Like ``2026-04-01T12:00:00.0000000Z`` (.NET's ticks; a datetime holds microseconds, so the
    seventh digit is 0). Raises as :func:`format_timestamp` does.
    """
    return _utc(moment).isoformat(timespec="microseconds") + "0Z"


def _utc(moment: datetime | None) -> datetime:
    """``moment`` (default: now) as a naive UTC datetime; refuse what is not an aware datetime."""
    if moment is None:
        moment = datetime.now(timezone.utc)
    elif not isinstance(moment, datetime):
        raise SvamlTypeError(f"the timestamp must be a datetime, not {type(moment).__name__}")
    elif moment.utcoffset() is None:
        raise SvamlError("the timestamp must be a timezone-aware datetime")
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


APPLICATION = _Scheme(
    name="Application",
    key_name="application key",
    secret_name="application secret",
    where="Voice API v1 (svaml.signing.verify)",
    both_paths=True,
    blank_empty=False,
    stamp=format_timestamp,
)
SERVICE = _Scheme(
    name="service",
    key_name="service ID",
    secret_name="service secret",
    where="Voice API v2 webhooks (svaml.v2.signing.verify_webhook)",
    both_paths=False,
    blank_empty=True,
    stamp=_format_ticks,
)
_SCHEMES = {scheme.name.lower(): scheme for scheme in (APPLICATION, SERVICE)}


def sign(
    *,
    method: str,
    path: str,
    body: bytes | str | None,
    content_type: str,
    key: str,
    secret: str | Secret,
    timestamp: str | datetime | None = None,
) -> dict[str, str]:
    """Return the ``x-timestamp`` and ``Authorization`` headers that sign a request to Sinch.

    ``path`` is the URL path (``/calling/v1/callouts``); a query string or fragment is not
    signed. ``content_type`` is the exact Content-Type header the request will carry (use ""
    when it carries none). ``timestamp`` defaults to now; a string is sent as given. Raises
    :class:`~svaml.errors.SvamlError` (:class:`~svaml.errors.SvamlTypeError` for a wrong type)
    for arguments that cannot make a valid request; the message never contains the secret.
    ``secret`` may also be a :class:`Secret`.
    """
    held = _held(secret)
    del secret  # from here on only the Secret, whose repr hides it, is in this frame's locals
    return _sign(key, held.keyed(key, _SIGNING), method, path, body, content_type, timestamp)


def _sign(
    key: str,
    mac: hmac.HMAC,
    method: str,
    path: str,
    body: bytes | str | None,
    content_type: str,
    timestamp: str | datetime | None,
    scheme: _Scheme = APPLICATION,
) -> dict[str, str]:
    """Do :func:`sign`'s work once the key and secret are checked; ``mac`` is keyed with the secret."""
    path, ts = _checked(method, path, content_type, timestamp, scheme)
    return _headers(key, mac, method, path, body, content_type, ts, scheme)


def _checked(
    method: str,
    path: str,
    content_type: str,
    timestamp: str | datetime | None,
    scheme: _Scheme = APPLICATION,
) -> tuple[str, str | None]:
    """Check a request to sign but its body; return the path to sign and the x-timestamp (None: now)."""
    _str("method", method)
    _str("path", path)
    _str("content type", content_type)
    if not _METHOD.fullmatch(method):
        raise SvamlError("the method must be an HTTP method name such as 'POST'")
    if not path.startswith("/"):
        raise SvamlError("the path must be a URL path starting with '/', not a full URL")
    path = path.split("#", 1)[0].split("?", 1)[0]
    # requests would percent-encode other characters, so the server would see another path.
    if not (path.isascii() and path.isprintable() and " " not in path):
        raise SvamlError("the path must be percent-encoded ASCII")
    if "\r" in content_type or "\n" in content_type:
        raise SvamlError("the content type must be a single line")
    if isinstance(timestamp, str):
        if parse_strict(timestamp) is None:
            raise SvamlError(f"the timestamp {timestamp!r} is not an ISO-8601 date and time")
        return path, timestamp
    if timestamp is None:
        return path, None
    if isinstance(timestamp, datetime):
        return path, scheme.stamp(timestamp)
    raise SvamlTypeError(f"the timestamp must be a str, a datetime or None, not {type(timestamp).__name__}")


def _headers(
    key: str,
    mac: hmac.HMAC,
    method: str,
    path: str,
    body: bytes | str | None,
    content_type: str,
    ts: str | None,
    scheme: _Scheme = APPLICATION,
) -> dict[str, str]:
    """The signing headers of a checked request (``ts`` None: stamped now)."""
    stamp = scheme.stamp(None) if ts is None else ts
    md5 = content_md5(body)
    if scheme.blank_empty and not md5:
        content_type = ""
    signature = _signature(mac, method, md5, content_type, stamp, path)
    return {"x-timestamp": stamp, "Authorization": f"{scheme.name} {key}:{signature.decode('ascii')}"}


def basic_authorization(key: str, secret: str | Secret) -> dict[str, str]:
    """Return the header ``Authorization: Basic base64(key:secret)``, the unsigned alternative."""
    held = _held(secret)
    del secret
    held.keyed(key, _SIGNING)
    return held.basic_authorization(key)


def verify(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | str | None,
    key: str,
    secret: str | Secret,
    max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
    allow_basic: bool = False,
    now: datetime | None = None,
    replay: ReplayStore | None = None,
) -> None:
    """Check that a callback request was signed by Sinch for this application; return None if so.

    ``path`` is the path of your callback URL as received; it is checked with and without its
    query string. ``headers`` is a mapping or (name, value) pairs; names are case-insensitive.
    ``body`` is the raw body. The ``x-timestamp`` must lie within ``max_age`` seconds of ``now``
    (default: the current time) either way; ``max_age=None`` turns that check off.
    ``Authorization: Basic`` is accepted only with ``allow_basic=True``.

    Raises :class:`~svaml.errors.SignatureError`, whose message says why, for every rejection and
    for arguments of the wrong kind; the message never contains the secret nor the signature.
    ``secret`` may also be a :class:`Secret`.

    With a ``replay`` store (:mod:`svaml.replay`), a signed request is accepted once: the same
    key, ``x-timestamp`` and signature again within the window raise
    :class:`~svaml.errors.ReplayError`. A failure of the store itself (Redis down) raises
    :class:`~svaml.errors.ReplayStoreError`. Basic authentication signs nothing, so it has
    nothing to remember.
    """
    held = _held(secret)
    del secret
    held.keyed(key, _VERIFYING)  # a bad key or secret is a SignatureError here, as documented
    keyring = {key: Credentials(key=key, secret=held)}
    _verify(method, path, headers, body, keyring, max_age, allow_basic, now, replay)


def _verify(
    method: object,
    path: object,
    headers: object,
    body: object,
    keyring: Mapping[str, Credentials],
    max_age: object,
    allow_basic: bool,
    now: object,
    replay: ReplayStore | None,
    expected: _Scheme = APPLICATION,
) -> str:
    """Do :func:`verify`'s work with the credentials of each key; return the key that signed.

    ``expected`` is the one scheme accepted (besides Basic, with ``allow_basic``); the other is
    refused, saying which API it signs.
    """
    window = _window_seconds(max_age)
    if replay is not None and window is None:
        raise SignatureError("replay protection needs the replay window: max_age must not be None")
    if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
        raise SignatureError("now must be a timezone-aware datetime")
    if not isinstance(method, str):
        raise SignatureError("the method must be a str")
    if not isinstance(path, str) or not path.startswith("/"):
        raise SignatureError(
            f"the path must be the URL path of the {'callback' if expected is APPLICATION else 'webhook'},"
            " starting with '/'"
        )
    raw_body = _body_bytes(body, _VERIFYING)
    found = _relevant(headers)

    authorization = found.get("authorization")
    if authorization is None:
        raise SignatureError("missing Authorization header")
    scheme, _, credentials = authorization.strip(" \t").partition(" ")
    scheme = scheme.lower() if scheme.isascii() else ""
    if scheme == "basic" and expected is APPLICATION:
        if not allow_basic:
            raise SignatureError(
                "unsupported Authorization scheme: Basic is accepted only with allow_basic=True"
            )
        return _check_basic(credentials, keyring)
    if scheme != expected.name.lower():
        other = _SCHEMES.get(scheme)
        if other is not None:
            raise SignatureError(
                f"unsupported Authorization scheme: '{other.name}' signs {other.where};"
                f" expected '{expected.name}'"
            )
        raise SignatureError(f"unsupported Authorization scheme: expected '{expected.name}'")
    received_key, colon, signature = credentials.partition(":")
    if not colon or not received_key or received_key[0].isspace():
        raise SignatureError(
            f"malformed Authorization header: expected '{expected.name} <key>:<signature>'"
            " with exactly one space"
        )
    found_credentials = keyring.get(received_key)
    if found_credentials is None:
        raise SignatureError(f"unknown {expected.key_name} in the Authorization header")
    mac = found_credentials._mac

    timestamp = found.get("x-timestamp")
    if timestamp is None:
        raise SignatureError("missing x-timestamp header")
    # Stricter than event timestamps: every signer sends a `T` and an explicit zone.
    moment = parse_strict(timestamp)
    if moment is None:
        raise SignatureError("the x-timestamp header is not an ISO-8601 date and time")
    if window is not None:
        # Without a given now, the clock's seconds: what datetime.now() reads, without a datetime.
        skew = moment.timestamp() - time.time() if now is None else (moment - now).total_seconds()
        if abs(skew) > window:
            when = "in the past" if skew < 0 else "in the future"
            raise SignatureError(
                f"timestamp outside the replay window of {window:g} seconds:"
                f" x-timestamp {timestamp} is {abs(skew):.0f} seconds {when}"
            )

    md5 = _md5(raw_body)
    content_type = "" if expected.blank_empty and not md5 else found.get("content-type", "")
    received = signature.encode("utf-8", "surrogatepass")
    matched = False
    # Sinch signs the path alone; some v1 SDKs (.NET's PathAndQuery) sign it with the query.
    if not expected.both_paths:
        candidates: tuple[str, ...] = (path.partition("?")[0].partition("#")[0],)
    elif "?" in path:
        candidates = (path, path.partition("?")[0])
    else:
        candidates = (path,)
    for candidate in candidates:
        computed = _signature(mac, method, md5, content_type, timestamp, candidate)
        matched |= hmac.compare_digest(computed, received)
    if not matched:
        raise SignatureError(
            "signature does not match: check the secret, and that the path, body and headers"
            " are passed exactly as received"
        )
    if replay is not None and window is not None:
        clock = None if now is None else now.timestamp()
        if not first_time(replay, received_key, timestamp, moment, signature, window, clock):
            raise ReplayError(
                f"replayed request: key {received_key}, x-timestamp {timestamp} and this signature"
                f" were already accepted once; refused until it leaves the {window:g}-second replay window"
            )
    return received_key


_H = TypeVar("_H", bound="_HoldsSecret")


class _HoldsSecret:
    """Immutable and holding a secret: a copy is the object itself, and pickling is refused."""

    __slots__ = ()

    def __copy__(self: _H) -> _H:
        return self

    def __deepcopy__(self: _H, memo: object) -> _H:
        return self

    def __reduce_ex__(self, protocol: object) -> Any:
        raise SvamlTypeError(_NOT_PICKLED)


@attrs.frozen(repr=False, eq=False)
class Secret(_HoldsSecret):
    """An application secret, checked and keyed once, kept out of sight.

    Its repr is ``Secret(***)``; it refuses to be pickled (a pickle keeps the secret in clear);
    copies are the same object. Making one never raises: a bad secret (not a str, empty, not
    Base64) is refused when it is first used, by :class:`Credentials`, :func:`sign` or
    :func:`verify`, so that no frame of a traceback holds the secret's text in a local.
    Two secrets are equal when their texts are.
    """

    _text: object
    # The HMAC keyed with the decoded secret, or None when the secret is not valid.
    _mac: hmac.HMAC | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_mac", _keyed_mac(self._text))

    def keyed(self, key: object, errors: _Errors = _SIGNING, scheme: _Scheme = APPLICATION) -> hmac.HMAC:
        """Check ``key`` and the secret; return the HMAC keyed with the decoded secret.

        Raises ``errors[0]`` (:class:`~svaml.errors.SvamlError` by default) for a bad value and
        ``errors[1]`` for a wrong type; the message, in the words of ``scheme`` (an application
        key and secret, or a service ID and secret), never contains the secret.
        """
        _check_key(key, errors, scheme.key_name)
        if self._mac is not None:
            return self._mac
        what = scheme.secret_name
        if not isinstance(self._text, str):
            raise errors[1](f"the {what} must be a str, not {type(self._text).__name__}")
        if not self._text:
            raise errors[0](f"the {what} must not be empty")
        raise errors[0](f"the {what} is not Base64 (copy it from the Sinch dashboard)")

    def basic_authorization(self, key: str) -> dict[str, str]:
        """Return ``Authorization: Basic base64(key:secret)``; see :func:`basic_authorization`."""
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:{self._text}".encode()).decode("ascii")}

    def matches_basic(self, key: str, received: bytes) -> bool:
        """Whether ``received`` (decoded Basic credentials) is ``key:secret``, in constant time."""
        return hmac.compare_digest(received, f"{key}:{self._text}".encode())

    def __repr__(self) -> str:
        return "Secret(***)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        if isinstance(self._text, str) and isinstance(other._text, str):
            mine, theirs = (t.encode("utf-8", "surrogatepass") for t in (self._text, other._text))
            return hmac.compare_digest(mine, theirs)
        return self._text == other._text

    def __hash__(self) -> int:
        return hash((Secret, self._text))



def _held(secret: object) -> Secret:
    """Return ``secret`` as a :class:`Secret` (never raises, so callers can drop the raw text at once)."""
    return secret if isinstance(secret, Secret) else Secret(secret)


def _keyed_mac(text: object) -> hmac.HMAC | None:
    """Return an HMAC keyed with the decoded secret, or None when ``text`` is not a Base64 str.

    Never raises (the checks come before the decoding), so this frame, which holds the secret,
    is never part of a traceback; nor is the stdlib's ``b64decode`` with the secret in its locals.
    """
    if not isinstance(text, str):
        return None
    # Sinch's SDKs accept base64url characters and missing padding (e.g. "app-secret").
    unpadded = text.strip().rstrip("=")
    if not unpadded or len(unpadded) % 4 == 1 or not _BASE64.fullmatch(unpadded):
        return None
    standard = unpadded.replace("-", "+").replace("_", "/") + "=" * (-len(unpadded) % 4)
    return hmac.new(base64.b64decode(standard), digestmod=hashlib.sha256)


@attrs.frozen(kw_only=True, repr=False, init=False)
class Credentials(_HoldsSecret):
    """An application key and secret, checked once; the repr never shows the secret.

    Holds what both the REST client and the callback handler need, so each keeps one object.
    ``secret`` is given as a str (or a :class:`Secret`) and kept as a :class:`Secret`.
    Raises :class:`~svaml.errors.SvamlError` when the key is empty or the secret is not Base64,
    :class:`~svaml.errors.SvamlTypeError` when either is not a str. Not picklable.
    """

    key: str
    secret: Secret
    # Made once: a callback should not re-check and re-decode constant settings, and copying a
    # keyed HMAC skips the key schedule of a fresh one (1.7 against 2.4 µs a digest).
    _mac: hmac.HMAC = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, *, key: str, secret: str | Secret) -> None:
        held = _held(secret)
        del secret  # only the Secret stays in this frame, should the check below raise
        mac = held.keyed(key, _SIGNING)
        self.__attrs_init__(key=key, secret=held)
        object.__setattr__(self, "_mac", mac)

    def __repr__(self) -> str:
        return f"Credentials(key={getattr(self, 'key', None)!r}, secret=***)"


    def sign(
        self,
        *,
        method: str,
        path: str,
        body: bytes | str | None,
        content_type: str,
        timestamp: str | datetime | None = None,
    ) -> dict[str, str]:
        """Return the headers that sign a request to Sinch; see :func:`svaml.signing.sign`."""
        return _sign(self.key, self._mac, method, path, body, content_type, timestamp)

    def signer(
        self, *, method: str, path: str, content_type: str, timestamp: str | datetime | None = None
    ) -> Callable[[bytes | str | None], dict[str, str]]:
        """Check a request's method, path, content type and timestamp once; return a function signing bodies.

        ``signer(...)(body)`` returns what :meth:`sign` returns with the same arguments and that
        body: for requests that differ only in their body (the events of a simulated call), each
        signature then costs its digests only. Without ``timestamp`` each body is stamped when
        signed. Raises as :meth:`sign` does, when the signer is made (a bad body: when signed).
        """
        signed_path, ts = _checked(method, path, content_type, timestamp)
        key, mac = self.key, self._mac

        def sign_body(body: bytes | str | None) -> dict[str, str]:
            return _headers(key, mac, method, signed_path, body, content_type, ts)

        return sign_body

    def verify(
        self,
        *,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | str | None,
        max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
        allow_basic: bool = False,
        now: datetime | None = None,
        replay: ReplayStore | None = None,
    ) -> None:
        """Check a callback's signature; see :func:`svaml.signing.verify`."""
        _verify(method, path, headers, body, {self.key: self}, max_age, allow_basic, now, replay)

    def basic_authorization(self) -> dict[str, str]:
        """Return the Basic Authorization header; see :func:`svaml.signing.basic_authorization`."""
        return self.secret.basic_authorization(self.key)


class Keyring(_HoldsSecret, Mapping[str, Credentials]):
    """Several application keys, each with its secret: the key in a callback's ``Authorization`` picks one.

    For one endpoint serving several Sinch applications, or a secret being rotated (the old and
    the new credentials side by side for a while). Made from a mapping of key to secret (a str
    or a :class:`Secret`) or from :class:`Credentials`; it is a read-only mapping of key to
    :class:`Credentials`. Its repr lists the keys only; it is not picklable. Raises
    :class:`~svaml.errors.SvamlError` for no key at all, a bad key or secret (never echoing it),
    or a key given twice.
    """

    __slots__ = ("_by_key",)

    def __init__(self, keys: Mapping[str, str | Secret] | Iterable[Credentials]) -> None:
        by_key: dict[str, Credentials] = {}
        if isinstance(keys, Mapping):
            items = [Credentials(key=key, secret=secret) for key, secret in keys.items()]
        elif isinstance(keys, Iterable) and not isinstance(keys, (str, bytes)):
            items = list(keys)
        else:
            raise SvamlTypeError(f"keys must be a mapping of key to secret, not {type(keys).__name__}")
        del keys  # only Credentials, whose reprs hide the secrets, stay in this frame
        for credentials in items:
            if not isinstance(credentials, Credentials):
                raise SvamlTypeError(f"expected Credentials, got {type(credentials).__name__}")
            if credentials.key in by_key:
                raise SvamlError(f"the application key {credentials.key!r} is given twice")
            by_key[credentials.key] = credentials
        if not by_key:
            raise SvamlError("a Keyring needs at least one application key and secret")
        self._by_key = by_key

    def __getitem__(self, key: str) -> Credentials:
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __repr__(self) -> str:
        return f"Keyring(keys={list(getattr(self, '_by_key', ()))!r})"


    def verify(
        self,
        *,
        method: str,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | str | None,
        max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
        allow_basic: bool = False,
        now: datetime | None = None,
        replay: ReplayStore | None = None,
    ) -> str:
        """Check a callback's signature with the secret of the key it names; return that key.

        See :func:`svaml.signing.verify`; an unknown key raises
        :class:`~svaml.errors.SignatureError` ("unknown application key").
        """
        return _verify(method, path, headers, body, self._by_key, max_age, allow_basic, now, replay)


def _md5(data: bytes) -> str:
    if not data:
        return ""
    return binascii.b2a_base64(hashlib.md5(data).digest(), newline=False).decode("ascii")


def _signature(mac: hmac.HMAC, method: str, md5: str, content_type: str, timestamp: str, path: str) -> bytes:
    """Return the Base64 signature of a request, as sign writes it and verify compares it.

    ``mac`` is keyed with the secret and stays unfed: each signature hashes a copy of it.
    """
    text = string_to_sign(method, content_md5=md5, content_type=content_type, timestamp=timestamp, path=path)
    signer = mac.copy()
    # surrogatepass: a garbage callback must fail to match, not raise UnicodeEncodeError.
    signer.update(text.encode("utf-8", "surrogatepass"))
    return binascii.b2a_base64(signer.digest(), newline=False)


def _str(what: str, value: object, error: type[SvamlError] = SvamlTypeError) -> str:
    if not isinstance(value, str):
        raise error(f"the {what} must be a str, not {type(value).__name__}")
    return value


def _body_bytes(body: object, errors: _Errors) -> bytes:
    if body.__class__ is bytes:  # what every framework hands over
        return body
    if body is None:
        return b""
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise errors[0]("the body is not valid Unicode text") from None
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise errors[1](f"the body must be bytes, str or None, not {type(body).__name__}")


def _check_key(key: object, errors: _Errors, what: str = "application key") -> None:
    key = _str(what, key, errors[1])
    if not key:
        raise errors[0](f"the {what} must not be empty")
    if ":" in key or not (key.isascii() and key.isprintable()) or " " in key:
        raise errors[0](f"the {what} must be printable ASCII without ':' or spaces")


def _window_seconds(max_age: object) -> float | None:
    if isinstance(max_age, (int, float)) and not isinstance(max_age, bool):
        try:
            seconds = float(max_age)
        except OverflowError:  # an int beyond any float: no clock reaches it
            raise SignatureError(
                "max_age is too large to be a number of seconds; use None to turn the check off"
            ) from None
    elif isinstance(max_age, timedelta):
        seconds = max_age.total_seconds()
    elif max_age is None:
        return None
    else:
        raise SignatureError("max_age must be seconds, a timedelta, or None")
    if math.isnan(seconds) or seconds < 0:
        raise SignatureError("max_age must not be negative")
    return seconds


def _relevant(headers: object) -> dict[str, str]:
    """Return the headers verification reads, by lower-case name, from a mapping or (name, value) pairs.

    Every pair is checked, in order: the first bad one names the rejection.
    """
    shape = "headers must be a mapping or an iterable of (name, value) pairs"
    pairs: Iterable[Any]
    if isinstance(headers, Mapping):
        pairs = headers.items()
    elif isinstance(headers, Iterable):
        pairs = headers
    else:
        raise SignatureError(shape)
    found: dict[str, str] = {}
    try:  # iterating may fail too: a broken mapping, or a str
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise SignatureError(shape)
            name, value = pair
            if not isinstance(name, str) or not isinstance(value, str):
                raise SignatureError("header names and values must be str (decode raw bytes first)")
            lower = name.lower()
            if lower in _RELEVANT_HEADERS:
                if lower in found:
                    raise SignatureError(f"malformed request: more than one {lower} header")
                found[lower] = value
    except (TypeError, ValueError):
        raise SignatureError(shape) from None
    return found


def _check_basic(credentials: str, keyring: Mapping[str, Credentials]) -> str:
    """Check Basic credentials against the secret of the key they name; return the key."""
    try:
        received = base64.b64decode(credentials, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("malformed Authorization header: Basic credentials are not Base64") from None
    named = received.partition(b":")[0].decode("ascii", "replace")
    found = keyring.get(named)
    if found is None or not found.secret.matches_basic(found.key, received):
        raise SignatureError("Basic credentials do not match the application key and secret")
    return found.key

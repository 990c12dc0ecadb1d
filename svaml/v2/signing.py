r"""Voice API v2 webhook signatures: the ``service`` scheme (reference §7).

Sinch signs every v2 webhook with the service's secret (Base64-decoded) as an HMAC-SHA256 key over
the same text as v1's callbacks::

    POST \n Content-MD5 \n Content-Type \n x-timestamp:<x-timestamp> \n path

and sends ``Authorization: service <serviceId>:<base64 signature>`` with an ``x-timestamp`` of 7
fractional digits. Content-MD5 and Content-Type are empty lines when there is no body; the path is
the path of the *configured* webhook URL, without its query string. :func:`verify_webhook` checks a
webhook (constant-time, within a replay window, for one service or several); :func:`sign_webhook`
and :func:`webhook_signer` sign one as Sinch does (for tests and simulators). The algorithm is
:mod:`svaml.signing`'s, with the v2 scheme: the ``Application`` scheme is refused here, as
``service`` is refused by :func:`svaml.signing.verify`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from svaml.errors import SignatureError
from svaml.replay import ReplayStore
from svaml.signing import (
    _DEFAULT_MAX_AGE,
    _SIGNING,
    _VERIFYING,
    SERVICE,
    Credentials,
    Keyring,
    Secret,
    _checked,
    _format_ticks,
    _headers,
    _held,
    _sign,
    _verify,
)

__all__ = ["CONTENT_TYPE", "format_timestamp", "sign_webhook", "verify_webhook", "webhook_signer"]

#: The Content-Type Sinch sends with a v2 webhook (signed verbatim, parameters included).
CONTENT_TYPE = "application/json; charset=utf-8"


def format_timestamp(moment: datetime | None = None) -> str:
    """Format ``moment`` (default: now) as a v2 ``x-timestamp``: UTC with 7 fractional digits.

    Like ``2026-04-01T12:00:00.0000000Z``. Raises :class:`~svaml.errors.SvamlError` for a naive
    datetime, whose zone is unknown.
    """
    return _format_ticks(moment)


def sign_webhook(
    *,
    service_id: str,
    secret: str | Secret,
    path: str,
    body: bytes | str | None,
    content_type: str = CONTENT_TYPE,
    timestamp: str | datetime | None = None,
    method: str = "POST",
) -> dict[str, str]:
    """Return the ``x-timestamp`` and ``Authorization`` headers Sinch sends with a v2 webhook.

    ``path`` is the path of the webhook URL configured at Sinch (a query string or fragment is not
    signed); ``content_type`` the exact Content-Type header the request carries (it is not signed
    when there is no body). ``timestamp`` defaults to now, written with 7 fractional digits; a
    string is sent as given. Raises :class:`~svaml.errors.SvamlError`
    (:class:`~svaml.errors.SvamlTypeError` for a wrong type) for arguments that cannot make a
    valid request; the message never contains the secret.
    """
    held = _held(secret)
    del secret  # from here on only the Secret, whose repr hides it, is in this frame's locals
    mac = held.keyed(service_id, _SIGNING, SERVICE)
    return _sign(service_id, mac, method, path, body, content_type, timestamp, SERVICE)


def webhook_signer(
    credentials: Credentials,
    *,
    path: str,
    content_type: str = CONTENT_TYPE,
    timestamp: str | datetime | None = None,
    method: str = "POST",
) -> Callable[[bytes | str | None], dict[str, str]]:
    """Check a webhook's target once; return a function signing bodies for that service.

    ``credentials`` holds the service ID (as ``key``) and the service secret. ``signer(body)``
    returns what :func:`sign_webhook` returns for that body: for the many events of simulated
    calls, each signature then costs its digests only. Without ``timestamp`` each body is stamped
    when signed. Raises as :func:`sign_webhook` does, when the signer is made.
    """
    if not isinstance(credentials, Credentials):
        raise SignatureError(f"expected Credentials (key: the service ID), not {type(credentials).__name__}")
    signed_path, ts = _checked(method, path, content_type, timestamp, SERVICE)
    key, mac = credentials.key, credentials._mac

    def sign_body(body: bytes | str | None) -> dict[str, str]:
        return _headers(key, mac, method, signed_path, body, content_type, ts, SERVICE)

    return sign_body


def verify_webhook(
    *,
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | str | None,
    service_id: str | None = None,
    secret: str | Secret | None = None,
    services: Mapping[str, str | Secret] | Mapping[str, Credentials] | None = None,
    method: str = "POST",
    max_age: float | timedelta | None = _DEFAULT_MAX_AGE,
    now: datetime | None = None,
    replay: ReplayStore | None = None,
) -> str:
    """Check that a v2 webhook was signed by Sinch for one of your services; return its service ID.

    Give ``service_id`` and ``secret``, or ``services`` (a mapping of service ID to secret, or a
    :class:`~svaml.signing.Keyring`) when one endpoint serves several services or a secret is
    being rotated: the service ID in the ``Authorization`` header picks the secret. ``path`` is
    the path the request arrived at (its query string is dropped: Sinch signs the configured
    URL's path without it); behind a proxy that rewrites paths, the public one. ``headers`` is a
    mapping or (name, value) pairs, names in any case; ``body`` the raw body as received.

    The ``x-timestamp`` must lie within ``max_age`` seconds of ``now`` (default: the current
    time) either way; ``max_age=None`` turns the check off (replaying recorded traffic). With a
    ``replay`` store (:mod:`svaml.replay`) a signed request is accepted once within the window
    (:class:`~svaml.errors.ReplayError` the second time; a failing store raises
    :class:`~svaml.errors.ReplayStoreError`). Raises :class:`~svaml.errors.SignatureError`,
    whose message says why, for every rejection and for arguments of the wrong kind; the
    message never contains a secret nor the signature.
    """
    keyring = _keyring(service_id, secret, services)
    del secret, services  # only Credentials, whose reprs hide the secrets, stay in this frame
    return _verify(method, path, headers, body, keyring, max_age, False, now, replay, SERVICE)


def _keyring(
    service_id: object,
    secret: str | Secret | None,
    services: Mapping[str, str | Secret] | Mapping[str, Credentials] | None,
) -> Mapping[str, Credentials]:
    """The credentials to verify with, from one service or several; a bad one is a SignatureError."""
    if services is not None:
        if service_id is not None or secret is not None:
            raise SignatureError("give either service_id and secret, or services, not both")
        if isinstance(services, Keyring):
            return services
        if not isinstance(services, Mapping):
            raise SignatureError(
                f"services must be a mapping of service ID to secret, not {type(services).__name__}"
            )
        found: dict[str, Credentials] = {}
        for key, value in services.items():
            found[key] = (
                value if isinstance(value, Credentials) and value.key == key else _credentials(key, value)
            )
        if not found:
            raise SignatureError("services must name at least one service ID and secret")
        return found
    if service_id is None or secret is None:
        raise SignatureError("give the service ID and the service secret (or services)")
    return {str(service_id): _credentials(service_id, secret)}


def _credentials(service_id: object, secret: object) -> Credentials:
    held = _held(secret)
    del secret
    held.keyed(service_id, _VERIFYING, SERVICE)  # refused in a service's words, as a SignatureError
    assert isinstance(service_id, str)  # keyed checked it
    return Credentials(key=service_id, secret=held)

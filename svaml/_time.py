"""Timestamps as Sinch writes them: ISO-8601 with up to 7 fractional digits and a zone; and ULIDs.

One parser, :func:`parse_timestamp`, for the events' ``timestamp``, the signing's ``x-timestamp``
and the REST client's answers. It reads the same forms on every Python (``fromisoformat`` reads
more on 3.11 than on 3.10, and lacks ``Z`` and 7 fractional digits on 3.10, so it is not used):
the extended ISO-8601 form Sinch and its SDKs send. :func:`parse_strict` checks the signers' form on
top of the same parser. :func:`ulid` names what Voice API v2 names by time-ordered ids (the
simulator's and the stand-in's calls, sessions and batches).
Standard library only, so that ``svaml.signing`` stays light.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

from svaml.errors import SvamlTypeError

__all__ = ["iso_timestamp", "parse_strict", "parse_timestamp", "ulid"]

# The form signers send: a `T`, 0 to 9 fractional digits and an explicit zone (`T`, `Z` in any case).
_STRICT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# The extended form: `T` or a space, any fraction after `.` or `,`, a zone that may lack its colon.
_EXTENDED = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:[.,]([0-9]+))?([Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)


def _read(text: str) -> datetime:
    """Read ``text`` in the extended form, field by field; raise ValueError."""
    match = _EXTENDED.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = None
    if zone in ("Z", "z"):
        tz = timezone.utc
    elif zone:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = timezone(-offset if zone[0] == "-" else offset)
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tz)


def parse_timestamp(value: str | datetime) -> datetime:
    """Return an ISO-8601 date and time as an aware UTC ``datetime``.

    Sinch's timestamps carry up to 7 fractional digits (kept to the microsecond); a time without
    a zone is read as UTC. It reads ``YYYY-MM-DD hh:mm:ss`` (``T`` or a space), any fraction after
    ``.`` or ``,`` and ``Z`` or ``±hh[:]mm``, alike on every Python. Raises
    :class:`~svaml.errors.SvamlTypeError` for anything else, and
    for a naive ``datetime``.
    """
    if isinstance(value, str):
        try:
            moment = _read(value)
        except ValueError:
            raise SvamlTypeError(
                f"expected an ISO-8601 date and time like 2024-01-19T09:19:28Z, got {value[:40]!r}"
            ) from None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
    elif isinstance(value, datetime):
        if value.utcoffset() is None:
            raise SvamlTypeError("a timestamp must be a timezone-aware datetime")
        moment = value
    else:
        raise SvamlTypeError(f"expected an ISO-8601 timestamp string, got {type(value).__name__}")
    if moment.tzinfo is timezone.utc:
        return moment
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise SvamlTypeError(f"{str(value)[:40]!r} cannot be expressed in UTC") from None


def parse_strict(text: str) -> datetime | None:
    """Return ``text`` as :func:`parse_timestamp` reads it if it has the exact form signers send, else None.

    That form is ``YYYY-MM-DDThh:mm:ss``, then a ``.`` and 1 to 9 fractional digits or none,
    then ``Z`` or ``±hh:mm`` (``T`` and ``Z`` in either case). None also for an impossible date
    (February 30) or one that leaves the calendar in UTC.
    """
    if _STRICT.fullmatch(text) is None:
        return None
    try:
        return parse_timestamp(text)
    except SvamlTypeError:
        return None


def iso_timestamp(moment: datetime) -> str:
    """Write an aware ``datetime`` as ISO-8601 UTC with ``Z`` (microseconds only when not zero)."""
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat() + "Z"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(moment: datetime | None = None) -> str:
    """Return a new ULID: what Voice API v2 names calls, sessions and batches by.

    26 Crockford base-32 characters: 48 bits of milliseconds since the epoch (``moment``, default
    now) and 80 random bits.
    """
    when = datetime.now(timezone.utc) if moment is None else moment
    value = (int(when.timestamp() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))

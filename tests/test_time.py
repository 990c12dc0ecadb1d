"""Tests for the one timestamp parser, through the events, signing and the client that use it.

The parser reads the same forms on every Python.
"""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml._time import ulid
from svaml.callbacks import parse_event
from svaml.errors import EventError, SignatureError, SvamlError
from svaml.model.events import iso_timestamp, parse_timestamp
from svaml.signing import format_timestamp, sign, verify

UTC = timezone.utc
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
SIGNATURE = "Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4="

# The form signers send (x-timestamp), and near misses of it that must all be refused.
STRICT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
NEARLY = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{0,11})?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)



def event_time(text: object) -> datetime | str:
    """Return the timestamp an ACE event with ``text`` reads to, or where and why it is refused."""
    try:
        moment = parse_event({"event": "ace", "timestamp": text}).timestamp
    except EventError as error:
        return "; ".join(f"{problem.pointer}: {problem.message}" for problem in error.problems)
    assert moment is not None
    return moment


def signed_time(text: str) -> str:
    """Return "ok" when ``text`` signs and verifies as an x-timestamp, else the error's message."""
    try:
        headers = sign(
            method="POST", path="/cb", body="{}", content_type="", key=KEY, secret=SECRET, timestamp=text
        )
        verify(method="POST", path="/cb", headers=headers, body="{}", key=KEY, secret=SECRET, max_age=None)
    except SvamlError as error:
        return str(error)
    return "ok"


def verified_time(text: str) -> str:
    """Return what verify says of Sinch's worked callback with ``text`` as its x-timestamp."""
    headers = {"Authorization": f"Application {KEY}:{SIGNATURE}", "x-timestamp": text}
    try:
        verify(method="POST", path="/cb", headers=headers, body="", key=KEY, secret=SECRET, max_age=None)
    except SignatureError as error:
        return str(error)
    return "ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-19T09:19:28.9372196Z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19T09:19:28.937219612z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19T09:19:28.9372196123456Z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19T09:19:28.937Z", datetime(2024, 1, 19, 9, 19, 28, 937000, tzinfo=UTC)),
        ("2024-01-19T09:19:28Z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19t11:19:28.5+02:00", datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19T04:19:28-0500", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T09:19:28.5", datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19 09:19:28,5z", datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19T09:19:28+01:99", datetime(2024, 1, 19, 6, 40, 28, tzinfo=UTC)),
    ],
)
def test_events_read_sinchs_forms(text: str, expected: datetime) -> None:
    """Z or an offset, any fraction length, a space or a lower-case t: an aware UTC time on 3.10 and 3.11."""
    actual = event_time(text)
    assert (expected, UTC) == (actual, getattr(actual, "tzinfo", None))


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "",
        "2024-01-19",
        "2024-13-01T00:00:00Z",
        "2024-02-30T09:19:28Z",
        "2024-01-19T24:00:00Z",
        "2024-01-19T09:19:60Z",
        "2024-01-19T09:19:28+24:00",
        "2024-01-1\uff19T09:19:28Z",  # a fullwidth nine
        " 2024-01-19T09:19:28Z",
        "2024-01-19T09:19:28Zulu",
    ],
)
def test_events_refuse_what_is_no_date_and_time(text: str) -> None:
    """A date alone, an impossible date or time, or no timestamp at all: an EventError at /timestamp."""
    expected = (
        "/timestamp: expected an ISO-8601 date and time like"
        f" 2024-01-19T09:19:28Z, got {text!r}"
    )
    assert expected == event_time(text)


def test_a_lone_surrogate_is_no_text_at_all() -> None:
    """A timestamp holding a lone surrogate is refused by the JSON policy before it is read as a time."""
    expected = "/timestamp: not JSON: the string '\\ud800' holds a lone surrogate: it is not Unicode text"
    assert expected == event_time("\ud800")


@pytest.mark.parametrize("text", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_utc_cannot_hold_is_refused(text: str) -> None:
    """A time that leaves the calendar in UTC is an EventError saying so, not an OverflowError."""
    expected = f"/timestamp: {text!r} cannot be expressed in UTC"
    assert expected == event_time(text)


@pytest.mark.parametrize(
    ("text", "on_311"),
    [
        ("20240119T091928Z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T09:19Z", datetime(2024, 1, 19, 9, 19, tzinfo=UTC)),
        ("2024-01-19T09:19:28.5+02", datetime(2024, 1, 19, 7, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19X09:19:28", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-W03-5T09:19:28Z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
    ],
)
def test_other_iso_forms_are_refused(text: str, on_311: datetime) -> None:
    """Other ISO-8601 forms (basic, week dates, short zones), read by 3.11's fromisoformat, are refused."""
    refused = (
        "/timestamp: expected an ISO-8601 date and time like"
        f" 2024-01-19T09:19:28Z, got {text!r}"
    )
    assert (refused, on_311) == (event_time(text), on_311)


@pytest.mark.parametrize(
    "text",
    [
        "2014-09-24T10:59:41Z",
        "2014-09-24T10:59:41.5Z",
        "2014-09-24T10:59:41.937219+00:00",
        "2014-09-24T10:59:41.9372196Z",
        "2014-09-24T10:59:41.937219612Z",
        "2014-09-24T12:59:41+02:00",
        "2014-09-24t10:59:41z",
    ],
)
def test_signers_timestamps_sign_and_verify(text: str) -> None:
    """The strict x-timestamp form, 0 to 9 fractional digits and Z or ±hh:mm, signs and verifies."""
    expected = "ok"
    assert expected == signed_time(text)


@pytest.mark.parametrize(
    "text",
    [
        "2014-09-24 10:59:41Z",
        "2014-09-24T10:59:41",
        "2014-09-24T10:59:41+0200",
        "2014-09-24T10:59:41,5Z",
        "2014-09-24T10:59:41.Z",
        "2014-09-24T10:59:41.1234567890Z",
        "20140924T105941Z",
        "2014-02-30T10:59:41Z",
        "2014-09-24T24:00:00Z",
        "2014-09-24T10:59:41+24:00",
        "0001-01-01T00:30:00+01:00",
        "+014-09-24T10:59:41Z",
        "",
    ],
)
def test_verify_refuses_any_other_x_timestamp(text: str) -> None:
    """Event timestamps read liberally; an x-timestamp of another form, or an impossible time, is refused."""
    expected = "the x-timestamp header is not an ISO-8601 date and time"
    assert expected == verified_time(text)


@pytest.mark.parametrize("text", ["2014-09-24T10:59:41Z", "2014-09-24T10:59:41.5+02:00"])
def test_a_non_digit_in_the_date_and_time_is_refused(text: str) -> None:
    """Whatever the Python version's reader, a non-digit where a digit belongs is no x-timestamp."""
    read = []
    for position in (p for p in range(19) if p not in (4, 7, 10, 13, 16)):
        for character in string.printable:
            if not character.isdigit():
                read.append(verified_time(text[:position] + character + text[position + 1 :]))
    expected = ["the x-timestamp header is not an ISO-8601 date and time"] * len(read)
    assert expected == read


@st.composite
def strict_times(draw: st.DrawFn) -> str:
    """A possible date and time in the signers' form: any fraction length, zone, and case of T and Z."""
    moment = draw(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)))
    digits = draw(st.integers(0, 9))
    fraction = f".{draw(st.integers(0, 10**digits - 1)):0{digits}}" if digits else ""
    minutes = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    zone = draw(st.sampled_from(["Z", "z", offset]))
    date = f"{moment.year:04}-{moment.month:02}-{moment.day:02}"
    return f"{date}{draw(st.sampled_from('Tt'))}{moment:%H:%M:%S}{fraction}{zone}"


texts = st.one_of(
    strict_times(),
    st.from_regex(STRICT, fullmatch=True),
    st.from_regex(NEARLY, fullmatch=True),
    st.text(max_size=40),
)


@given(texts)
def test_an_x_timestamp_is_a_strict_form_that_events_read(text: str) -> None:
    """A timestamp string signs exactly when it has the strict form and an event reads it."""
    strict = re.fullmatch(STRICT, text) is not None and isinstance(event_time(text), datetime)
    expected = "ok" if strict else f"the timestamp {text!r} is not an ISO-8601 date and time"
    assert expected == signed_time(text)


@given(
    st.datetimes(
        datetime(1, 1, 2),
        datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))]),
    )
)
def test_written_timestamps_read_back(moment: datetime) -> None:
    """What iso_timestamp and format_timestamp write, the parser reads back as the same instant."""
    expected = (moment, moment.replace(microsecond=moment.microsecond // 1000 * 1000))
    actual = (parse_timestamp(iso_timestamp(moment)), parse_timestamp(format_timestamp(moment)))
    assert expected == actual


def test_ulid_is_26_crockford_characters_ordered_by_time() -> None:
    """A ULID is 26 Crockford base-32 characters, and a later moment sorts after an earlier one."""
    early = ulid(datetime(2026, 1, 1, tzinfo=timezone.utc))
    late = ulid(datetime(2026, 1, 2, tzinfo=timezone.utc))
    alphabet = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    expected = (26, True, True)
    assert expected == (len(early), set(early + late) <= alphabet, early < late)

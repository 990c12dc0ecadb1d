"""Tests for svaml._time's strict reader: the exact form signers send, read without a regex."""

from __future__ import annotations

import re
import string
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import _time
from svaml._time import parse_strict, parse_timestamp
from svaml.errors import SvamlTypeError

UTC = timezone.utc

# What the x-timestamp header was read with before parse_strict: a regex, then parse_timestamp.
_REFERENCE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9:]{8}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def reference(text: str) -> datetime | None:
    """Read ``text`` as the regex-based reader did: a datetime, or None when it is not strict."""
    if _REFERENCE.fullmatch(text) is None:
        return None
    try:
        return parse_timestamp(text)
    except SvamlTypeError:
        return None


STRICT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# Near misses too: other separators, fraction lengths and zones, which must all read as None.
NEARLY = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{0,11})?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-19T09:19:28Z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T09:19:28.9372196Z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19T09:19:28.937219612z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19t11:19:28.5+02:00", datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19T04:19:28-05:00", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19 09:19:28Z", None),
        ("2024-01-19T09:19:28", None),
        ("2024-01-19T09:19:28+0200", None),
        ("2024-01-19T09:19:28,5Z", None),
        ("2024-01-19T09:19:28.Z", None),
        ("2024-01-19T09:19:28.1234567890Z", None),
        ("2024-02-30T09:19:28Z", None),
        ("2024-01-19T24:00:00Z", None),
        ("2024-01-19T09:19:28+24:00", None),
        ("0001-01-01T00:30:00+01:00", None),
        ("2024-01-1\uff19T09:19:28Z", None),  # a fullwidth nine
        ("+024-01-19T09:19:28Z", None),
        ("2024-01-19T09:19: 8Z", None),
        ("", None),
    ],
)
def test_parse_strict_reads_the_signers_form_only(text: str, expected: datetime | None) -> None:
    """The exact form reads as aware UTC; any other form, or an impossible time, is None."""
    actual = parse_strict(text)
    assert (expected, expected) == (actual, reference(text))


@pytest.mark.parametrize("fromisoformat", [True, False], ids=["3.11 reader", "3.10 reader"])
@pytest.mark.parametrize("text", ["2024-01-19T09:19:28Z", "2024-01-19T09:19:28.5+02:00"])
def test_a_non_digit_in_the_date_and_time_is_refused(fromisoformat: bool, text: str) -> None:
    """Whatever the Python version's reader, a non-digit where a digit belongs reads as None."""
    read = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_time, "_FROMISOFORMAT", fromisoformat)
        for position in (p for p in range(19) if p not in (4, 7, 10, 13, 16)):
            for character in string.printable:
                if not character.isdigit():
                    read.append(parse_strict(text[:position] + character + text[position + 1 :]))
    expected = [None] * len(read)
    assert expected == read


@given(
    st.one_of(
        st.from_regex(STRICT, fullmatch=True), st.from_regex(NEARLY, fullmatch=True), st.text(max_size=40)
    )
)
def test_parse_strict_agrees_with_the_regex_reader(text: str) -> None:
    """For any text, parse_strict gives what the regex-based reader gave, and never raises."""
    expected = reference(text)
    assert expected == parse_strict(text)


def test_parse_timestamp_still_reads_the_liberal_forms() -> None:
    """Forms parse_strict refuses still read through the liberal path of parse_timestamp."""
    expected = datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)
    actual = [parse_timestamp(t) for t in ("2024-01-19 09:19:28,5", "2024-01-19T11:19:28.5+0200")]
    assert [expected, expected] == actual


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


@given(
    st.one_of(
        strict_times(),
        st.from_regex(STRICT, fullmatch=True),
        st.from_regex(NEARLY, fullmatch=True),
        st.text(max_size=40),
    )
)
def test_parse_strict_reads_the_same_on_python_3_10(text: str) -> None:
    """Without 3.11's fromisoformat, parse_strict reads field by field and gives the same result."""
    expected = parse_strict(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_time, "_FROMISOFORMAT", False)
        actual = parse_strict(text)
    assert expected == actual


@given(strict_times())
def test_parse_strict_agrees_with_the_regex_reader_on_possible_times(text: str) -> None:
    """On times that exist, in every strict spelling, parse_strict reads what the regex reader read."""
    expected = reference(text)
    assert expected == parse_strict(text)

"""Tests for the callback events: liberal reading, canonical writing, round trips and garbage in."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svaml import codec
from svaml.callbacks import parse_event
from svaml.codec import field_info
from svaml.errors import EventError, SvamlError, SvamlTypeError
from svaml.model import (
    EVENT_CLASSES,
    AceEvent,
    AmdReason,
    AmdResult,
    AmdStatus,
    CallHeader,
    DestinationType,
    DiceEvent,
    DiceReason,
    DiceResult,
    Domain,
    Event,
    EventDestination,
    IceEvent,
    InputMethod,
    MenuResult,
    MenuResultType,
    NotifyEvent,
    NotifyType,
    PieEvent,
    Price,
)
from svaml.model.events import iso_timestamp, parse_timestamp
from svaml.strategies import events

UTC = timezone.utc

# The callback example of developers.sinch.com "callback-signed-request" (reference section 1d).
ACE_EXAMPLE = (
    '{"event":"ace","callid":"822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257",'
    '"timestamp":"2014-09-24T10:59:41Z","version":1}'
)

# Bodies shaped as reference section 1b describes them, with the spellings Sinch's material mixes.
ICE_BODY: dict[str, Any] = {
    "event": "ice",
    "callId": "4398599d1ba84ef3bde0a82dfb61abed",
    "callResourceUrl": "https://calling-euc1.api.sinch.com/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed",
    "timestamp": "2024-01-19T09:19:28.9372196Z",
    "version": 1,
    "custom": "customData",
    "userRate": {"currencyId": "USD", "amount": 0.0},
    "cli": "+46708168731",
    "to": {"type": "Number", "endpoint": "+46700000000"},
    "domain": "PSTN",
    "applicationKey": "669E367E-6BBA-48AB-AF15-266871C28135",
    "originationType": "pstn",
    "rdnis": "",
    "callHeaders": [{"key": "X-Tag", "value": "blue"}],
}
DICE_BODY: dict[str, Any] = {
    "event": "dice",
    "callid": "c1",
    "timestamp": "2024-01-19T09:21:00Z",
    "reason": "CALLERHANGUP",
    "result": "ANSWERED",
    "version": 1,
    "debit": {"currencyId": "EUR", "amount": 0.0125},
    "userRate": {"currencyId": "EUR", "amount": 0.01},
    "to": {"type": "number", "endpoint": "+46700000000"},
    "duration": 92,
    "from": "+46708168731",
}
PIE_BODY: dict[str, Any] = {
    "event": "pie",
    "callid": "c1",
    "timestamp": "2024-01-19T09:20:00.123Z",
    "menuResult": {"menuId": "main", "type": "return", "value": "sales", "inputMethod": "dtmf"},
    "version": 1,
}
NOTIFY_RECORDING: dict[str, Any] = {
    "event": "notify",
    "callid": "c1",
    "version": 1,
    "type": "recording_available",
    "destination": "https://storage.example.com/c1.mp3",
}
NOTIFY_ERROR: dict[str, Any] = {
    "event": "notify",
    "version": 1,
    "type": "callingerror",
    "errorCode": 40003,
    "errorMsg": "Invalid SVAML",
    "user": "alice",
    "custom": "x",
}


# -- reading the bodies Sinch sends ---------------------------------------------------------------


def test_reads_the_worked_ace_example_and_writes_it_back_byte_for_byte() -> None:
    """The ACE of Sinch's signing example reads into an AceEvent whose JSON is the same text."""
    event = parse_event(ACE_EXAMPLE.encode())
    expected = AceEvent(
        call_id="822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257",
        timestamp=datetime(2014, 9, 24, 10, 59, 41, tzinfo=UTC),
        version=1,
    )
    assert (expected, ACE_EXAMPLE) == (event, codec.to_json(event))


def test_reads_an_ice_with_every_field() -> None:
    """An ICE reads into typed fields: call id from callId, enums in any case, 7-digit seconds."""
    expected = IceEvent(
        call_id="4398599d1ba84ef3bde0a82dfb61abed",
        call_resource_url=ICE_BODY["callResourceUrl"],
        timestamp=datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC),
        version=1,
        custom="customData",
        user_rate=Price(currency_id="USD", amount=0.0),
        cli="+46708168731",
        to=EventDestination(type=DestinationType.NUMBER, endpoint="+46700000000"),
        domain=Domain.PSTN,
        application_key="669E367E-6BBA-48AB-AF15-266871C28135",
        origination_type=Domain.PSTN,
        rdnis="",
        call_headers=[CallHeader(key="X-Tag", value="blue")],
    )
    assert expected == parse_event(json.dumps(ICE_BODY))


def test_reads_a_dice() -> None:
    """A DiCE reads its reason, result, prices, duration and ``from``."""
    expected = DiceEvent(
        call_id="c1",
        timestamp=datetime(2024, 1, 19, 9, 21, tzinfo=UTC),
        reason=DiceReason.CALLERHANGUP,
        result=DiceResult.ANSWERED,
        version=1,
        debit=Price(currency_id="EUR", amount=0.0125),
        user_rate=Price(currency_id="EUR", amount=0.01),
        to=EventDestination(type="number", endpoint="+46700000000"),
        duration=92,
        from_="+46708168731",
    )
    assert expected == parse_event(DICE_BODY)


def test_reads_a_pie() -> None:
    """A PIE reads its menu result."""
    expected = PieEvent(
        call_id="c1",
        timestamp=datetime(2024, 1, 19, 9, 20, 0, 123000, tzinfo=UTC),
        menu_result=MenuResult(
            menu_id="main", type=MenuResultType.RETURN, value="sales", input_method=InputMethod.DTMF
        ),
        version=1,
    )
    assert expected == parse_event(PIE_BODY)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            NOTIFY_RECORDING,
            NotifyEvent(
                call_id="c1",
                version=1,
                type=NotifyType.RECORDING_AVAILABLE,
                destination="https://storage.example.com/c1.mp3",
            ),
        ),
        (
            NOTIFY_ERROR,
            NotifyEvent(
                version=1,
                type=NotifyType.CALLINGERROR,
                error_code=40003,
                error_msg="Invalid SVAML",
                user="alice",
                custom="x",
            ),
        ),
        (
            {"event": "notify", "callid": "c1", "type": "amd", "amd": {"status": "machine", "reason": "beep",
                                                                      "duration": 2.5}},
            NotifyEvent(
                call_id="c1",
                type=NotifyType.AMD,
                amd=AmdResult(status=AmdStatus.MACHINE, reason=AmdReason.BEEP, duration=2.5),
            ),
        ),
        (
            {"event": "notify", "type": "transcription_complete", "destination": "https://t.example/1"},
            NotifyEvent(type=NotifyType.TRANSCRIPTION_COMPLETE, destination="https://t.example/1"),
        ),
    ],
    ids=["recording", "callingerror", "amd", "transcription"],
)
def test_reads_each_kind_of_notify(body: dict[str, Any], expected: NotifyEvent) -> None:
    """Notify's recording, transcription, AMD and calling-error kinds read into NotifyEvent."""
    assert expected == parse_event(body)


def test_reads_the_amd_result_of_an_ace() -> None:
    """An ACE carries answering-machine detection's status, reason and duration."""
    body = {"event": "ace", "callid": "c1", "amd": {"status": "HUMAN", "reason": "n/a", "duration": 3}}
    expected = AceEvent(call_id="c1", amd=AmdResult(status=AmdStatus.HUMAN, reason=AmdReason.NA, duration=3))
    assert expected == parse_event(body)


@pytest.mark.parametrize("name", ["ice", "ace", "dice", "pie", "notify", "ICE", "Dice"])
def test_parse_returns_the_class_of_the_event(name: str) -> None:
    """Each value of ``event``, in any case, reads into its own class."""
    event = parse_event({"event": name, "callid": "c1"})
    assert (EVENT_CLASSES[name.lower()], name.lower()) == (type(event), event.event)


@pytest.mark.parametrize(
    "convert",
    [
        lambda b: b,
        bytes.decode,
        bytearray,
        memoryview,
        json.loads,
        lambda b: MappingProxyType(json.loads(b)),
    ],
)
def test_every_body_type_reads_the_same_event(convert: Callable[[bytes], Any]) -> None:
    """Bytes, text, bytearray, memoryview and decoded mappings all read into the same event."""
    body = json.dumps(ICE_BODY).encode()
    expected = parse_event(ICE_BODY)
    assert expected == parse_event(convert(body))


# -- liberal reading ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pstn", Domain.PSTN),
        ("PSTN", Domain.PSTN),
        (Domain.MXP, Domain.MXP),
        ("satellite", "satellite"),
        (None, None),
    ],
)
def test_enum_fields_convert_when_constructed(value: Any, expected: Domain | str | None) -> None:
    """Built directly, an event converts enum values as reading does: any case, unknown kept."""
    actual = IceEvent(domain=value).domain
    assert (expected, type(expected)) == (actual, type(actual))


@pytest.mark.parametrize(
    "text", ["2024-01-19T09:19:28.5Z", "2024-01-19t11:19:28.5+02:00", "2024-01-19 09:19:28,5"]
)
def test_timestamps_convert_when_constructed(text: str) -> None:
    """Built directly, an event reads a timestamp string in the strict or any liberal form."""
    expected = datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)
    assert expected == AceEvent(timestamp=text).timestamp


@pytest.mark.parametrize("key", ["callid", "callId"])
def test_call_id_reads_from_either_spelling(key: str) -> None:
    """``callid`` (the schema) and ``callId`` (Sinch's examples) both fill ``call_id``."""
    expected = "abc"
    assert expected == parse_event({"event": "ace", key: "abc"}).call_id


def test_callid_wins_over_callId_and_the_other_is_kept() -> None:
    """With both spellings, ``callid`` is the call id and ``callId`` stays in ``extras``."""
    event = parse_event({"event": "ace", "callid": "a", "callId": "b"})
    expected = ("a", {"callId": "b"})
    assert expected == (event.call_id, dict(event.extras))


@pytest.mark.parametrize(
    ("body", "attribute", "expected"),
    [
        ({"event": "ice", "domain": "MXP"}, "domain", Domain.MXP),
        ({"event": "ice", "originationType": "Pstn"}, "origination_type", Domain.PSTN),
        ({"event": "dice", "reason": "timeout"}, "reason", DiceReason.TIMEOUT),
        ({"event": "dice", "reason": "n/a"}, "reason", DiceReason.NA),
        ({"event": "dice", "result": "noAnswer"}, "result", DiceResult.NOANSWER),
        ({"event": "notify", "type": "RECORDING_FINISHED"}, "type", NotifyType.RECORDING_FINISHED),
    ],
)
def test_enum_values_read_in_any_case(body: dict[str, Any], attribute: str, expected: enum.Enum) -> None:
    """Enumerated values match their enum whatever their letter case."""
    actual = getattr(parse_event(body), attribute)
    assert (expected, type(expected)) == (actual, type(actual))


def test_unknown_enum_values_stay_readable_strings() -> None:
    """A value Sinch adds later is kept as the plain string it sent, and written back as sent."""
    body = {
        "event": "dice",
        "reason": "SOMETHINGNEW",
        "to": {"type": "teams", "endpoint": "x"},
        "result": "Partial",
    }
    event = parse_event(body)
    assert isinstance(event, DiceEvent)
    assert ("SOMETHINGNEW", "teams", "Partial", body) == (
        event.reason,
        event.to.type if event.to else None,
        event.result,
        json.loads(codec.to_json(event)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-19T09:19:28.9372196Z", datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC)),
        ("2024-01-19T09:19:28.937Z", datetime(2024, 1, 19, 9, 19, 28, 937000, tzinfo=UTC)),
        ("2024-01-19T09:19:28Z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T11:19:28+02:00", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T04:19:28-0500", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
        ("2024-01-19T09:19:28.5", datetime(2024, 1, 19, 9, 19, 28, 500000, tzinfo=UTC)),
        ("2024-01-19 09:19:28z", datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC)),
    ],
)
def test_timestamps_read_into_aware_utc_datetimes(text: str, expected: datetime) -> None:
    """Timestamps with up to 7 (or more) fractional digits and any zone read as aware UTC times."""
    actual = parse_event({"event": "ace", "timestamp": text}).timestamp
    assert (expected, UTC) == (actual, actual.tzinfo if actual else None)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 1, 19, 9, 19, 28, tzinfo=UTC), "2024-01-19T09:19:28Z"),
        (datetime(2024, 1, 19, 9, 19, 28, 937219, tzinfo=UTC), "2024-01-19T09:19:28.937219Z"),
        (datetime(2024, 1, 19, 11, 19, 28, tzinfo=timezone(timedelta(hours=2))), "2024-01-19T09:19:28Z"),
    ],
)
def test_timestamps_are_written_in_utc_with_z(moment: datetime, expected: str) -> None:
    """An event's timestamp is written as ISO-8601 UTC with ``Z``."""
    written = codec.unstructure(AceEvent(timestamp=moment))["timestamp"]
    assert (expected, expected) == (iso_timestamp(moment), written)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-01T00:00:00Z", "2024-01-19T09:19:28+25:00", "2024-01-19", 1705655968],
)
def test_a_bad_timestamp_is_an_event_error_at_its_pointer(value: object) -> None:
    """A timestamp that is not an ISO-8601 date and time makes the event unreadable, at /timestamp."""
    with pytest.raises(EventError, match=r"cannot read the ace event:\n  /timestamp: ") as info:
        parse_event({"event": "ace", "timestamp": value})
    expected = ["/timestamp"]
    assert expected == [p.pointer for p in info.value.problems]


def test_model_timestamps_must_be_aware() -> None:
    """A naive datetime, or one that UTC cannot hold, is refused when building an event."""
    with pytest.raises(SvamlTypeError, match="timezone-aware"):
        AceEvent(timestamp=datetime(2024, 1, 1))  # naive on purpose
    with pytest.raises(SvamlTypeError, match="cannot be expressed in UTC"):
        parse_timestamp(datetime.min.replace(tzinfo=timezone(timedelta(hours=5))))


def test_unknown_fields_are_kept_and_written_back() -> None:
    """Fields svaml does not know, at the top and inside sub-objects, survive a round trip."""
    body = {
        "event": "pie",
        "callid": "c1",
        "menuResult": {"menuId": "main", "type": "sequence", "value": "1234", "addToContext": [1]},
        "conferenceId": "room",
        "newThing": {"a": [1, 2]},
    }
    event = parse_event(body)
    assert isinstance(event, PieEvent)
    assert (
        {"newThing": {"a": [1, 2]}},
        {"addToContext": [1]},
        "room",
        body,
    ) == (
        dict(event.extras),
        dict(event.menu_result.extras) if event.menu_result else None,
        event.conference_id,
        codec.unstructure(event),
    )


def test_writing_is_canonical() -> None:
    """``callId``, ``Number`` and ``PSTN`` read liberally are written ``callid``, ``number``, ``pstn``."""
    event = parse_event({"event": "ICE", "callId": "c1", "to": {"type": "Number", "endpoint": "+1"},
                         "domain": "PSTN", "timestamp": "2024-01-19T11:19:28+02:00"})
    expected = {
        "event": "ice",
        "callid": "c1",
        "timestamp": "2024-01-19T09:19:28Z",
        "to": {"type": "number", "endpoint": "+1"},
        "domain": "pstn",
    }
    assert expected == json.loads(codec.to_json(event))


def test_menu_result_value_may_be_a_number() -> None:
    """Digits sent as a JSON number read as the string of digits."""
    event = parse_event({"event": "pie", "menuResult": {"type": "sequence", "value": 1234}})
    assert isinstance(event, PieEvent)
    expected = MenuResult(type=MenuResultType.SEQUENCE, value="1234")
    assert expected == event.menu_result


def test_the_event_field_is_fixed_by_the_class() -> None:
    """An event class always carries its own ``event`` value and refuses another."""
    with pytest.raises(SvamlTypeError, match=r"IceEvent.event must be 'ice', got 'ace'"):
        IceEvent(event="ace")
    expected = ["ice", "ace", "dice", "pie", "notify"]
    assert expected == [cls().event for cls in EVENT_CLASSES.values()]


# -- what is not an event -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", r"^the callback body is not JSON\n"),
        (b"{'event': 'ice'}", r"^the callback body is not JSON\n"),
        (b"\xff\xfe\xfa", r"^the callback body is not JSON"),
        ("1" * 5000, r"^the callback body is not JSON"),
        ("[]", r"^the callback body is not a JSON object but array$"),
        ("{}", r"^the callback body has no 'event' field"),
        ('{"event": null}', r"^the callback body has no 'event' field"),
        ('{"event": "ring"}', r"^unknown event 'ring'; expected one of ice, ace, dice, pie, notify$"),
        ('{"event": 7}', r"^unknown event 7; expected one of"),
        ('{"event": "ice", "version": "1"}', r"^cannot read the ice event:\n  /version: expected an integer"),
        ('{"event": "ice", "to": {"type": 3}}', r"^cannot read the ice event:\n  /to/type: expected a str"),
        (12, r"^expected the callback body as bytes, str or a mapping, got int$"),
    ],
)
def test_what_is_not_an_event_raises_event_error_saying_why(body: Any, match: str) -> None:
    """Non-JSON, non-object, missing or unknown ``event`` and wrong field types raise EventError."""
    with pytest.raises(EventError, match=match):
        parse_event(body)


@given(st.binary(max_size=200))
def test_random_bytes_raise_only_event_error(body: bytes) -> None:
    """Whatever the bytes, parse_event returns an event or raises EventError, nothing else."""
    try:
        event = parse_event(body)
    except EventError:
        return
    assert isinstance(event, Event)


# -- hypothesis: events from svaml.strategies, with unknown fields added, round-trip --------------

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)  # JSON has no NaN or Infinity
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | FLOATS | TEXT
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def with_extras(draw: st.DrawFn, event: Event) -> Event:
    """Add unknown top-level fields (never a known name or alias) to ``event``."""
    infos = field_info(type(event))
    known = {"event", *(info.json for info in infos), *(alias for info in infos for alias in info.aliases)}
    extras = draw(st.dictionaries(TEXT.filter(lambda key: key not in known), JSON_VALUES, max_size=2))
    return attrs.evolve(event, extras=extras)


EVENTS = events().flatmap(with_extras)


@given(EVENTS)
def test_events_round_trip_through_dicts(event: Event) -> None:
    """Any event reads back equal from its ``to_dict``."""
    assert event == parse_event(codec.unstructure(event))


@given(EVENTS)
def test_events_round_trip_through_json_bytes(event: Event) -> None:
    """Any event reads back equal from its JSON as UTF-8 bytes, as Sinch would post it."""
    assert event == parse_event(codec.to_json(event).encode("utf-8"))


@given(st.sampled_from(list(EVENT_CLASSES)), st.dictionaries(st.sampled_from(
    ["callid", "callId", "timestamp", "version", "to", "userRate", "menuResult", "amd", "reason", "type",
     "callHeaders", "duration", "errorCode", "domain", "from", "debit"]), JSON_VALUES, max_size=6))
def test_random_field_values_raise_only_event_error(name: str, fields: dict[str, Any]) -> None:
    """Any JSON value in any known field reads, or raises EventError, nothing else."""
    try:
        event = parse_event(json.dumps({"event": name, **fields}))
    except EventError:
        return
    assert name == event.event


@pytest.mark.parametrize("name", list(EVENT_CLASSES))
def test_the_events_strategy_draws_the_kind_asked_for(name: str) -> None:
    """``svaml.strategies.events(name)`` draws events of that class only."""
    expected = {EVENT_CLASSES[name]}
    found: set[type] = set()

    # A sample of the strategy, not a property: a few draws of each kind show the class.
    @settings(max_examples=20)
    @given(events(name.upper()))
    def draw(event: Event) -> None:
        found.add(type(event))

    draw()
    assert expected == found


def test_the_events_strategy_refuses_an_unknown_kind() -> None:
    """Asking for an event kind that does not exist raises at once."""
    with pytest.raises(SvamlError, match="unknown event 'ring'; expected one of ice, ace, dice, pie, notify"):
        events("ring")


# -- reading any spelling ---------------------------------------------------------------------------


def _shape(value: Any) -> Any:
    """``value`` with the type of every leaf: an enum member and its text, or two zones, differ."""
    if attrs.has(type(value)):
        fields = {f.name: _shape(getattr(value, f.name)) for f in attrs.fields(type(value))}
        return (type(value).__name__, fields)
    if isinstance(value, tuple):
        return tuple(_shape(item) for item in value)
    return repr(value)


# Other spellings a reader meets: enum values in another case, timestamps in other forms, numbers.
_RESPELL: list[Callable[[Any], Any]] = [
    str.upper,
    str.lower,
    lambda text: text[:-1] + "+00:00" if text.endswith("Z") else text,
    lambda text: text.replace("T", " ") if text[:4].isdigit() else text,
    lambda text: text[:-1] + "z" if text.endswith("Z") else text,
]


@st.composite
def event_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """The JSON of any event, some of its values spelled as another sender might."""

    def respell(data: Any) -> Any:
        if isinstance(data, dict):
            return {key: respell(value) for key, value in data.items()}
        if isinstance(data, list):
            return [respell(item) for item in data]
        if draw(st.integers(0, 9)) == 0:
            return draw(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT)
        if isinstance(data, str) and draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from(_RESPELL))(data)
        if isinstance(data, float) and data.is_integer() and draw(st.booleans()):
            return int(data)
        return data

    body: dict[str, Any] = codec.unstructure(draw(EVENTS))
    return {"event": body.pop("event"), **respell(body)}


@given(event_bodies())
def test_respelled_events_read_and_write_back_what_they_read(body: dict[str, Any]) -> None:
    """A respelled event reads into one that reads back equal from its own JSON, or names its problems."""
    found = codec.read(body, EVENT_CLASSES[body["event"]])
    if found.problems:
        return
    again = parse_event(codec.unstructure(found.value))
    assert _shape(found.value) == _shape(again)


@pytest.mark.parametrize("body", [ICE_BODY, DICE_BODY, PIE_BODY, NOTIFY_ERROR, NOTIFY_RECORDING])
def test_sinch_bodies_read_known_values_as_enum_members(body: dict[str, Any]) -> None:
    """Every enumerated value of Sinch's bodies reads as its enum's member, not as text."""
    event = parse_event(body)
    texts = []
    stack: list[Any] = [event]
    while stack:
        obj = stack.pop()
        for info in field_info(type(obj)):
            value = getattr(obj, info.attr)
            if info.kind == "enum" and value is not None and not isinstance(value, enum.Enum):
                texts.append((type(obj).__name__, info.attr, value))
            if info.kind == "object" and value is not None:
                stack.append(value)
    expected: list[Any] = []
    assert expected == texts


_EVENT_ENUMS = [
    (cls, info)
    for cls in (*EVENT_CLASSES.values(), EventDestination, AmdResult, MenuResult)
    for info in field_info(cls)
    if info.kind == "enum"
]


@pytest.mark.parametrize(
    ("cls", "info"), _EVENT_ENUMS, ids=[f"{c.__name__}.{i.json}" for c, i in _EVENT_ENUMS]
)
def test_event_enums_read_any_case_and_keep_unknown_text(cls: type[Any], info: Any) -> None:
    """An enumerated event field reads its values in any case as members, and keeps unknown text as it is."""
    base = {"event": cls.EVENT} if cls in EVENT_CLASSES.values() else {}
    expected = [(m, m, "brand-new") for m in info.target]
    actual = []
    for member in info.target:
        read = [
            getattr(codec.structure({**base, info.json: text}, cls), info.attr)
            for text in (member.value.upper(), member.value.lower(), "brand-new")
        ]
        actual.append(tuple(read))
    assert expected == actual


def test_only_other_spellings_are_liberal_reads() -> None:
    """An event as Sinch spells it is no liberal read; another enum case or timestamp form is."""
    dice = {**DICE_BODY, "to": {"type": "number", "endpoint": "+46700000000"}}
    expected = [False, True, True]
    actual = [
        codec.read(body, DiceEvent).liberal
        for body in (dice, {**dice, "reason": "callerHangup"}, {**dice, "timestamp": "2024-01-19 09:21:00"})
    ]
    assert expected == actual


# JSON values of every kind, and texts that are enum values or timestamps in several spellings.
_ANY_VALUES: list[Any] = [
    None, True, False, 0, 7, -1, 2**70, 0.0, 2.5, "", "x", "PSTN", "pstn", "Number", "number", "amd",
    "ice", "ICE", "2024-01-19T09:19:28Z", "2024-01-19T09:19:28.9372196+01:00", "2024-01-19 09:19:28",
    [], ["x"], [{"key": "k", "value": "v"}], {}, {"x": 1}, {"currencyId": "EUR", "amount": 1},
]


@pytest.mark.parametrize(
    "cls", [*EVENT_CLASSES.values(), Price, EventDestination, AmdResult, MenuResult, CallHeader]
)
def test_any_value_in_any_field_reads_or_names_that_field(cls: type[Any]) -> None:
    """Any JSON value in one field: the object reads and reads back equal, or its problem names the field."""
    expected, actual = [], []
    for info in field_info(cls):
        for value in _ANY_VALUES:
            body = {"event": cls.EVENT} if cls in EVENT_CLASSES.values() else {}
            body[info.json] = value
            found = codec.read(body, cls)
            pointers = {(d.pointer + "/").split("/")[1] for d in found.problems}
            expected.append((info.json, repr(value), True))
            if found.value is None:
                actual.append((info.json, repr(value), pointers <= {info.json, ""}))
            else:
                again = codec.read(codec.unstructure(found.value), cls).value
                actual.append((info.json, repr(value), _shape(again) == _shape(found.value)))
    assert expected == actual

"""The v2 call object, webhook events and REST bodies: read liberally, written canonically, nothing lost."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs
import pytest

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import codec
from svaml.errors import SvamlTypeError
from svaml.v2.model import (
    EVENT_CLASSES,
    EVENT_NAMES,
    BatchSummary,
    Call,
    CallBehaviorType,
    CallResult,
    CloudEvent,
    CustomEvent,
    Direction,
    Event,
    HangupEvent,
    IncomingEvent,
    Links,
    MenuEvent,
    Phone,
    Problem,
    Service,
    Session,
    SessionState,
    ValidationResult,
    event_class,
)

# A full call.incoming body as the reference's §6.2 and §8.5 describe it, in canonical form.
INCOMING: dict[str, Any] = {
    "event": "call.incoming",
    "call": {
        "callId": "01AN4Z07BY79KA1307SR9X4MV3",
        "projectId": "8a2b6c1e-0f18-4f8e-9c23-8e6b5df8fd3e",
        "serviceId": "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e",
        "sessionId": "01AN4Z07BY79KA1307SR9X4MV4",
        "direction": "INBOUND",
        "originationType": "PHONE",
        "callType": "PHONE",
        "callResult": "INITIATED",
        "startTime": "2026-04-01T12:00:00Z",
        "callRate": {"currencyCode": "USD", "amount": "0.0100"},
        "callResourceUrl": "https://eu1.voice.api.sinch.com/v2/projects/p/calls/01AN4Z07BY79KA1307SR9X4MV3",
        "from": {"type": "PHONE", "phone": {"number": "+46701234567"}},
        "to": {"type": "PHONE", "phone": {"number": "+46700000000"}},
    },
}


def test_every_event_name_has_its_class() -> None:
    """Each of the 15 event names reads into its own class, whose ``EVENT`` is that name."""
    expected = list(EVENT_NAMES)
    assert expected == [cls.EVENT for cls in EVENT_CLASSES.values()]
    assert expected == [event_class(name).EVENT for name in EVENT_NAMES]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("call.webhook.menu-selection", CustomEvent),
        ("call.webhook.my.custom.event", CustomEvent),
        ("call.customEvent.menu-selection", CustomEvent),
        ("call.webhook.", None),
        ("call.unknown", None),
        ("CALL.INCOMING", None),
    ],
)
def test_event_class_of_custom_and_unknown_names(name: str, expected: type[Event] | None) -> None:
    """Custom events (and the SDKs' ``call.customEvent`` rename) are CustomEvent; other names none."""
    assert expected is event_class(name)


def test_incoming_event_round_trips() -> None:
    """A full call.incoming body reads into typed fields and writes back exactly as it came."""
    event = codec.structure(INCOMING, IncomingEvent, decoded=True)
    expected = (Direction.INBOUND, CallResult.INITIATED, Phone(number="+46701234567"), INCOMING)
    call = event.call
    assert call is not None
    assert expected == (call.direction, call.call_result, call.from_, codec.unstructure(event))


def test_custom_event_is_written_with_the_wire_name() -> None:
    """The SDKs' ``call.customEvent.x`` reads as ``call.webhook.x`` with its webhook name."""
    event = codec.structure(
        {
            "event": "call.customEvent.menu-selection",
            "call": {"callId": "c"},
            "menu": {"menuName": "main", "input": "1#"},
        },
        CustomEvent,
    )
    expected = ("menu-selection", "call.webhook.menu-selection", "1#")
    assert expected == (
        event.webhook_name,
        codec.unstructure(event)["event"],
        event.menu and event.menu.input,
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-01T12:00:00Z",
        "2026-04-01T12:00:00+00:00",
        "2026-04-01T12:00:00.0000000Z",
        "2026-04-01 12:00:00+00:00",
        "2026-04-01T12:00:00.0000000",
        "2026-04-01T14:00:00+02:00",
    ],
)
def test_timestamps_read_in_every_form_the_sources_show(text: str) -> None:
    """Each timestamp form of reference D18 reads as the same aware UTC moment (no offset: UTC)."""
    expected = (datetime(2026, 4, 1, 12, tzinfo=timezone.utc), "2026-04-01T12:00:00Z")
    call = codec.structure({"callId": "c", "startTime": text}, Call)
    assert expected == (call.start_time, codec.unstructure(call)["startTime"])


def test_unknown_values_and_fields_are_kept() -> None:
    """A callResult Sinch adds later stays text and an unknown field stays in extras, both written back."""
    data = {"callId": "c", "callResult": "ON_HOLD", "callReason": "callee_hangup", "newField": [1, 2]}
    call = codec.structure(data, Call)
    written = {"callId": "c", "callResult": "ON_HOLD", "callReason": "CALLEE_HANGUP", "newField": [1, 2]}
    expected = ("ON_HOLD", written)
    assert expected == (call.call_result, codec.unstructure(call))


def test_a_wrong_type_is_reported_at_its_pointer() -> None:
    """A wrong-typed field of the call is an SV002 at its JSON pointer; the rest still reads."""
    reading = codec.read(
        {"event": "call.hangup", "call": {"callDurationSeconds": "x", "callId": "c"}}, HangupEvent
    )
    expected = ([("SV002", "/call/callDurationSeconds")], "c")
    assert expected == ([(p.code, p.pointer) for p in reading.problems], reading.value.call.call_id)


def test_a_class_refuses_another_events_name() -> None:
    """Building a MenuEvent named call.hangup raises, saying which name it must have."""
    with pytest.raises(SvamlTypeError) as caught:
        MenuEvent(event="call.hangup", call=Call(call_id="c"))
    expected = "MenuEvent.event must be 'call.menu', got 'call.hangup'"
    assert expected == str(caught.value)


def test_cloud_event_attributes_are_not_part_of_the_body() -> None:
    """``cloud`` carries the ce-* attributes beside the event, outside its JSON and its equality."""
    cloud = CloudEvent(id="e1", source="projects/p1/services/s1", time="2026-04-01T12:00:00+00:00")
    plain = codec.structure(INCOMING, IncomingEvent)
    event = attrs.evolve(plain, cloud=cloud)
    expected = (("e1", "projects/p1/services/s1"), "p1", "s1", INCOMING, True)
    assert expected == (
        cloud.key,
        cloud.project_id,
        cloud.service_id,
        codec.unstructure(event),
        event == plain,
    )


def test_a_source_of_another_shape_has_no_ids() -> None:
    """A ``ce-source`` that is not ``projects/{p}/services/{s}`` gives no project and no service."""
    expected = (None, None)
    cloud = CloudEvent(id="e1", source="projects/p1")
    assert expected == (cloud.project_id, cloud.service_id)


def test_service_with_a_static_document_round_trips() -> None:
    """A STATIC service holds its document as the v2 model; it writes back unchanged."""
    data = {
        "serviceId": "s",
        "projectId": "p",
        "createTime": "2026-01-01T00:00:00Z",
        "name": "IVR",
        "isDefault": True,
        "description": "",
        "callBehavior": {
            "type": "STATIC",
            "static": {"callName": "incoming", "commands": [{"command": "answer"}]},
        },
    }
    service = codec.structure(data, Service)
    behavior = service.call_behavior
    assert behavior is not None
    assert behavior.static is not None
    expected = (CallBehaviorType.STATIC, "incoming", data)
    assert expected == (behavior.type, behavior.static.call_name, codec.unstructure(service))


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (Links, {"first": "https://x/?page=1", "last": "https://x/?page=3", "self": "https://x/?page=2"}),
        (
            Problem,
            {
                "type": "https://api.sinch.com/docs/errors/not-found",
                "title": "Not Found",
                "detail": "No call with id 01AN",
                "instance": "/v2/projects/p/calls/01AN",
            },
        ),
        (ValidationResult, {"isValid": False, "errors": ["Unknown command 'test'."]}),
        (
            BatchSummary,
            {
                "batchId": "b",
                "sessionCount": 3,
                "queued": 1,
                "inProgress": 1,
                "completed": 1,
                "expired": 0,
                "requestedCps": 10,
                "ttlSeconds": 600,
            },
        ),
        (
            Session,
            {
                "sessionId": "s",
                "projectId": "p",
                "serviceId": "v",
                "calls": [{"callId": "c", "callResult": "COMPLETED"}],
                "createTime": "2026-01-01T00:00:00Z",
                "state": "COMPLETED",
            },
        ),
    ],
)
def test_rest_bodies_round_trip(cls: type[Any], data: dict[str, Any]) -> None:
    """Each REST answer body reads and writes back unchanged."""
    expected = data
    assert expected == codec.unstructure(codec.structure(data, cls, decoded=True))


def test_session_state_reads_in_any_case() -> None:
    """An enumerated value of an answer reads in any letter case and writes Sinch's spelling."""
    expected = (SessionState.EXPIRED, "EXPIRED")
    session = codec.structure({"state": "expired"}, Session)
    assert expected == (session.state, codec.unstructure(session)["state"])

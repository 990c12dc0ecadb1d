"""What the REST API answers, and the small request bodies that are not SVAML or callouts.

Results are frozen attrs classes read through :data:`svaml.codec.converter`, liberally: a field
Sinch leaves out, or sends in a form svaml does not expect, is ``None``, and ``raw`` keeps the
decoded JSON exactly as Sinch sent it, so nothing is lost when Sinch adds or changes a field.
Request bodies are written through the same converter (camelCase, unset fields left out).
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from svaml._time import parse_timestamp
from svaml.codec import converter, json_name, structure
from svaml.errors import SvamlError, TransportError
from svaml.model.actions import Destination
from svaml.model.enums import Capability, Moh

__all__ = [
    "CallInfo",
    "CallbackUrls",
    "ConferenceInfo",
    "NumberInfo",
    "NumberQuery",
    "Participant",
    "Price",
    "read_result",
]

_NO_RAW: Mapping[str, Any] = MappingProxyType({})


def _freeze(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if value else _NO_RAW


def _raw() -> Any:
    # Kept out of repr (it repeats the fields) and of equality (two answers with the same
    # fields are the same result).
    return attrs.field(default=_NO_RAW, converter=_freeze, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Price:
    """An amount of money: what a call costs per minute (``user_rate``) or in total (``debit``)."""

    currency_id: str | None = None
    amount: float | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class CallInfo:
    """What ``GET /calling/v1/calls/id/{callId}`` says about a call.

    ``status`` is ``ONGOING`` or ``FINAL``; ``result`` (``ANSWERED``, ``BUSY``…) and ``reason``
    (``CALLERHANGUP``…) are kept as Sinch's strings, so a value Sinch adds later still reads.
    ``from_`` and ``to`` are destinations ``{type, endpoint}``, as Sinch's OpenAPI answers them;
    the older plain-string form reads as a destination without a type.
    """

    call_id: str | None = None
    from_: Destination | None = attrs.field(default=None, metadata={"json": "from"})
    to: Destination | None = None
    domain: str | None = None
    duration: int | None = None
    status: str | None = None
    result: str | None = None
    reason: str | None = None
    timestamp: datetime | None = None
    custom: Any = None
    user_rate: Price | None = None
    debit: Price | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class Participant:
    """One call in a conference; ``call_id`` is what mute, hold and kick take."""

    call_id: str | None = attrs.field(default=None, metadata={"json": "id"})
    cli: str | None = None
    duration: int | None = None
    muted: bool | None = None
    on_hold: bool | None = attrs.field(default=None, metadata={"json": "onhold"})
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class ConferenceInfo:
    """What ``GET /calling/v1/conferences/id/{conferenceId}`` says: the participants."""

    participants: tuple[Participant, ...] = ()
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class NumberInfo:
    """A number of the account, as ``GET /v1/configuration/numbers`` lists it."""

    number: str | None = None
    application_key: str | None = attrs.field(default=None, metadata={"json": "applicationkey"})
    capability: str | None = None
    expires: datetime | None = None
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class CallbackUrls:
    """An application's callback URLs: Sinch uses ``fallback`` when ``primary`` fails or times out."""

    primary: str | None = attrs.field(default=None, metadata={"path": ("url", "primary")})
    fallback: str | None = attrs.field(default=None, metadata={"path": ("url", "fallback")})
    raw: Mapping[str, Any] = _raw()


@attrs.frozen(kw_only=True)
class NumberQuery:
    """What the deprecated ``GET /v1/calling/query/number/{number}`` says about a number."""

    country_id: str | None = attrs.field(default=None, metadata={"path": ("number", "countryId")})
    number_type: str | None = attrs.field(default=None, metadata={"path": ("number", "numberType")})
    normalized_number: str | None = attrs.field(
        default=None, metadata={"path": ("number", "normalizedNumber")}
    )
    restricted: bool | None = attrs.field(default=None, metadata={"path": ("number", "restricted")})
    rate: Price | None = attrs.field(default=None, metadata={"path": ("number", "rate")})
    raw: Mapping[str, Any] = _raw()


_RESULTS = (Price, CallInfo, Participant, ConferenceInfo, NumberInfo, CallbackUrls, NumberQuery)


# -- reading --------------------------------------------------------------------------------------


class _Mismatch(Exception):
    """A value of another form than the field's; the field is left None."""


def _read_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Mismatch


def _read_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Mismatch
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _Mismatch


def _read_float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _Mismatch from None
    raise _Mismatch


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Mismatch


def _read_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _Mismatch
    try:
        return parse_timestamp(value.strip())
    except SvamlError:
        raise _Mismatch from None


def _read_destination(value: Any) -> Destination:
    if isinstance(value, str):  # the older form: the endpoint alone
        if not value.strip():
            raise _Mismatch
        return Destination(endpoint=value)
    try:
        return structure(value, Destination)
    except SvamlError:
        raise _Mismatch from None


_PRIMITIVES: dict[Any, Callable[[Any], Any]] = {
    str: _read_str,
    int: _read_int,
    float: _read_float,
    bool: _read_bool,
    datetime: _read_datetime,
    Destination: _read_destination,
    Any: lambda value: value,
}


def _reader(tp: Any) -> Callable[[Any], Any]:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _reader(args[0])

        def read_tuple(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _Mismatch
            out = []
            for element in value:
                try:
                    out.append(item(element))
                except _Mismatch:
                    continue  # one unreadable entry does not hide the others
            return tuple(out)

        return read_tuple
    if len(args) == 1 and typing.get_origin(tp) is not tuple:
        tp = args[0]  # X | None
    if tp in _PRIMITIVES:
        return _PRIMITIVES[tp]
    if tp in _RESULTS:

        def read_nested(value: Any) -> Any:
            if not isinstance(value, Mapping):
                raise _Mismatch
            return converter.structure(value, tp)

        return read_nested
    raise TypeError(f"svaml: no reader for {tp!r}")  # pragma: no cover - a bug in this module


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _structure_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
    attrs.resolve_types(cls)
    plan = []
    for field in attrs.fields(cls):
        if field.name == "raw":
            continue
        path = field.metadata.get("path") or (field.metadata.get("json") or json_name(field),)
        plan.append((field.name, tuple(path), _reader(field.type)))

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, Mapping):
            raise TransportError(f"expected a JSON object from Sinch, got {type(data).__name__}")
        kwargs: dict[str, Any] = {"raw": data}
        for attr, path, read in plan:
            value = _lookup(data, path)
            if value is None:
                continue
            try:
                kwargs[attr] = read(value)
            except _Mismatch:
                continue  # left None; `raw` has the value as sent
        return cls(**kwargs)

    return structure


converter.register_structure_hook_factory(lambda t: t in _RESULTS, _structure_factory)


def read_result(data: Any, cls: type[Any]) -> Any:
    """Read decoded JSON into a result class; raise :class:`TransportError` if it is not an object."""
    return converter.structure(data, cls)


# -- request bodies --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ParticipantCommand:
    """The body of ``PATCH /calling/v1/conferences/id/{conferenceId}/{callId}``."""

    command: str
    moh: Moh | None = None


@attrs.frozen(kw_only=True)
class AssignNumbers:
    """The body of ``POST /v1/configuration/numbers``."""

    numbers: tuple[str, ...]
    application_key: str = attrs.field(metadata={"json": "applicationkey"})
    capability: Capability | None = None


@attrs.frozen(kw_only=True)
class UnassignNumber:
    """The body of ``DELETE /v1/configuration/numbers``."""

    number: str
    application_key: str = attrs.field(metadata={"json": "applicationkey"})
    capability: Capability | None = None


@attrs.frozen(kw_only=True)
class UrlPair:
    """The ``url`` object of the callback URL update."""

    primary: str
    fallback: str | None = None


@attrs.frozen(kw_only=True)
class UpdateCallbackUrls:
    """The body of ``POST /v1/configuration/callbacks/applications/{applicationKey}``."""

    url: UrlPair


_BODIES = (ParticipantCommand, AssignNumbers, UnassignNumber, UrlPair, UpdateCallbackUrls)


def _unstructure_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_unstructure_value(v) for v in value]
    if attrs.has(type(value)):
        return converter.unstructure(value)
    return value


def _unstructure_factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    names = [(f.name, f.metadata.get("json") or json_name(f)) for f in attrs.fields(cls)]

    def unstructure(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr, key in names:
            value = getattr(obj, attr)
            if value is not None:
                out[key] = _unstructure_value(value)
        return out

    return unstructure


converter.register_unstructure_hook_factory(lambda t: t in _BODIES, _unstructure_factory)

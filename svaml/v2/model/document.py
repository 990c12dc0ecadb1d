"""The data of a SVAML v2 document: commands run in order, and the options of where it is used.

One class holds every place SVAML v2 appears (reference §2.2): ``commands`` always; ``call_name``
and ``events`` (``onHangup`` of the inbound leg) in the answer to ``call.incoming`` or a STATIC
service; ``parameters`` and ``batch_options`` in a create-call request (a batch when ``parameters``
is given). :class:`Use` names those places, and :data:`USE_FIELDS` says which top-level fields take
effect in each.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, is_, to_tuple
from svaml.v2.model.commands import Command, _check_commands, commands_of
from svaml.v2.model.events import event_name

__all__ = ["USE_FIELDS", "BatchOptions", "Document", "DocumentEvents", "Use", "use_of"]

_opt_int = is_(int, optional=True)


@attrs.frozen(kw_only=True)
class DocumentEvents(SvamlObject):
    """The handler of the inbound leg, in a ``call.incoming`` response or a STATIC service: it hung up."""

    on_hangup: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


@attrs.frozen(kw_only=True)
class BatchOptions(SvamlObject):
    """How a batch starts calls: at most ``max_cps`` a second (1-1000), within ``ttl_seconds`` (1-10800)."""

    max_cps: int | None = attrs.field(default=None, validator=_opt_int)
    ttl_seconds: int | None = attrs.field(default=None, validator=_opt_int)


def _parameters(value: Iterable[Mapping[str, str]]) -> tuple[Mapping[str, str], ...]:
    # Each set is frozen: the document is immutable.
    out = []
    for index, item in enumerate(to_tuple(value)):
        if not isinstance(item, Mapping):
            raise SvamlTypeError(f"parameters[{index}] must be an object, got {type(item).__name__}")
        out.append(MappingProxyType(dict(item)))
    return tuple(out)


def _required(value: Iterable[Command] | Command) -> tuple[Command, ...]:
    found = commands_of(value)
    return () if found is None else found


@attrs.frozen(kw_only=True)
class Document(SvamlObject):
    """A SVAML v2 document's data: ``commands`` run in order, each blocking or not."""

    # Always written, even empty: `{"commands": []}` is a webhook's explicit "no action".
    commands: tuple[Command, ...] = attrs.field(
        default=(), converter=_required, validator=_check_commands, metadata={"always": True}
    )
    call_name: str | None = attrs.field(default=None, validator=is_(str, optional=True))
    events: DocumentEvents | None = attrs.field(default=None, validator=is_(DocumentEvents, optional=True))
    #: The parameter sets of a batch: ``@key`` in any command string is replaced by the set's value.
    parameters: tuple[Mapping[str, str], ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_parameters), hash=False
    )
    batch_options: BatchOptions | None = attrs.field(default=None, validator=is_(BatchOptions, optional=True))

    def __iter__(self) -> Any:
        """Iterate over the commands, so a document can be given wherever commands are (a handler)."""
        return iter(self.commands)


class Use(str, enum.Enum):
    """Where a SVAML v2 document is used (reference §2.2), which decides what Sinch does with its fields.

    Named after Sinch's event and operations: ``INCOMING``, the answer to ``call.incoming`` or a
    STATIC service's document (``callBehavior.static``, which Sinch runs instead of sending
    ``call.incoming``): the only places where ``callName`` and ``events.onHangup`` take effect.
    ``RESPONSE``, the answer to any other webhook (OpenAPI's ``webhookResponse``), where
    ``{"commands": []}`` is the documented "no action". ``CREATE``, a create-call request
    (``createCall``, ``POST /calls``), the one with ``parameters`` and ``batchOptions``.
    ``PATCH``, a call update (``patchCallById``, ``PATCH /calls/{callId}``, or by session and
    callName), which takes ``commands`` only.
    """

    INCOMING = "incoming"
    RESPONSE = "response"
    CREATE = "create"
    PATCH = "patch"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> Use | None:
        if isinstance(value, str):
            folded = value.strip().casefold().replace("_", "-")
            return cls.__members__.get(_ALIASES.get(folded, folded).upper())
        return None

    @property
    def phrase(self) -> str:
        """How the docs and messages name a document used here, e.g. ``a create-call request``."""
        return _PHRASES[self]


_ALIASES = {"static": "incoming", "create-call": "create", "update": "patch"}

_PHRASES = {
    Use.INCOMING: "the answer to call.incoming (or a STATIC service's document)",
    Use.RESPONSE: "the answer to a webhook other than call.incoming",
    Use.CREATE: "a create-call request (POST /calls)",
    Use.PATCH: "a call update (PATCH /calls/{callId})",
}

#: The top-level fields (JSON names) that take effect in each use; Sinch ignores the others there.
USE_FIELDS: Mapping[Use, frozenset[str]] = MappingProxyType(
    {
        Use.INCOMING: frozenset({"commands", "callName", "events"}),
        Use.RESPONSE: frozenset({"commands"}),
        Use.CREATE: frozenset({"commands", "parameters", "batchOptions"}),
        Use.PATCH: frozenset({"commands"}),
    }
)

#: What a user writes for "the use is not known".
_UNKNOWN = frozenset(("", "unknown", "auto", "none"))
_EVENT_PREFIX = "call."  # every v2 event name's, call.webhook.<name> and those Sinch adds later


def use_of(value: Use | str | None) -> Use | None:
    """Return the use ``value`` names; None when not known. The one reading of a use.

    ``value`` is a :class:`Use`, its value in any case (``"incoming"``, ``"create"``; also
    ``"static"``, ``"update"``), or a v2 event name, so that an application can pass the event
    it answers: ``"call.incoming"`` is :attr:`Use.INCOMING`, any other ``call.*`` name (a named
    event, ``call.webhook.<name>``, one Sinch adds later) :attr:`Use.RESPONSE`. Anything else
    raises :class:`~svaml.errors.SvamlTypeError`.
    """
    if value is None or isinstance(value, Use):
        return value
    if isinstance(value, str):
        name = value.strip()
        if name.casefold() in _UNKNOWN:
            return None
        if name.startswith(_EVENT_PREFIX):
            return Use.INCOMING if event_name(name) == "call.incoming" else Use.RESPONSE
        try:
            return Use(name)
        except ValueError:
            pass
    allowed = ", ".join(u.value for u in Use)
    raise SvamlTypeError(
        f"use must be one of {allowed}, a v2 event name (call.…) or unknown; got {value!r:.60}"
    )

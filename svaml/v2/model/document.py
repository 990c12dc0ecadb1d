"""The data of a SVAML v2 document: commands run in order, and the options of where it is used.

One class holds every place SVAML v2 appears (reference §2.2): ``commands`` always; ``call_name``
and ``events`` (``onHangup`` of the inbound leg) in a webhook response or a STATIC service;
``parameters`` and ``batch_options`` in a create-call request (a batch when ``parameters`` is given).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, is_, to_tuple
from svaml.v2.model.commands import Command, _check_commands, commands_of

__all__ = ["BatchOptions", "Document", "DocumentEvents"]

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

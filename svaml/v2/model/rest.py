"""The bodies of Voice API v2's REST requests and answers (reference §8.4, §8.5), besides documents.

A create-call request is a :class:`~svaml.v2.model.Document` (``commands``, and ``parameters`` and
``batch_options`` for a batch); a PATCH is a document of ``commands`` alone. The classes here are
the rest: what a create answers, lists with their page links, sessions, batches, services, the
``svaml/validate`` and ``svaml/describe`` exchanges, and RFC 9457 problem details. Every field of
an answer is optional, so that an answer Sinch trims or extends still reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from svaml.model._fields import SvamlObject, each, is_, to_tuple
from svaml.model.enums import member_or_text
from svaml.v2.model.calls import Call, opt_timestamp
from svaml.v2.model.document import Document
from svaml.v2.model.enums import CallBehaviorType, SessionState, ValidationType

__all__ = [
    "BatchDetails",
    "BatchSession",
    "BatchStopped",
    "BatchSummary",
    "CallBehavior",
    "CallCreated",
    "CallList",
    "DescribeRequest",
    "Description",
    "Links",
    "PageMeta",
    "Problem",
    "Service",
    "ServiceList",
    "ServiceRequest",
    "Session",
    "ValidationRequest",
    "ValidationResult",
    "WebhookTarget",
]

_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)
_opt_bool = is_(bool, optional=True)


def _state(value: Any) -> SessionState | str | None:
    return None if value is None else member_or_text(SessionState, value, "state")


def _behavior_type(value: Any) -> CallBehaviorType | str:
    return member_or_text(CallBehaviorType, value, "type")


def _validation_type(value: Any) -> ValidationType | str | None:
    return None if value is None else member_or_text(ValidationType, value, "validationType")


@attrs.frozen(kw_only=True)
class CallCreated(SvamlObject):
    """What creating a call answers: its session (and ``batch_id`` for a batch)."""

    project_id: str | None = attrs.field(default=None, validator=_opt_str)
    service_id: str | None = attrs.field(default=None, validator=_opt_str)
    session_id: str | None = attrs.field(default=None, validator=_opt_str)
    batch_id: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Links(SvamlObject):
    """A list's page links (absolute URLs): ``next`` is absent on the last page, ``prev`` on the first."""

    first: str | None = attrs.field(default=None, validator=_opt_str)
    last: str | None = attrs.field(default=None, validator=_opt_str)
    self_: str | None = attrs.field(default=None, validator=_opt_str)
    next: str | None = attrs.field(default=None, validator=_opt_str)
    prev: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class PageMeta(SvamlObject):
    """How many items a list has in all, and on how many pages."""

    total_count: int | None = attrs.field(default=None, validator=_opt_int)
    page_count: int | None = attrs.field(default=None, validator=_opt_int)


@attrs.frozen(kw_only=True)
class CallList(SvamlObject):
    """One page of calls."""

    calls: tuple[Call, ...] = attrs.field(default=(), converter=to_tuple, validator=each(Call))
    links: Links | None = attrs.field(default=None, validator=is_(Links, optional=True))
    meta: PageMeta | None = attrs.field(default=None, validator=is_(PageMeta, optional=True))


@attrs.frozen(kw_only=True)
class Session(SvamlObject):
    """A session: the calls (and bridges) that belong together, from the first call to the last."""

    session_id: str | None = attrs.field(default=None, validator=_opt_str)
    project_id: str | None = attrs.field(default=None, validator=_opt_str)
    service_id: str | None = attrs.field(default=None, validator=_opt_str)
    calls: tuple[Call, ...] = attrs.field(default=(), converter=to_tuple, validator=each(Call))
    create_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    state: SessionState | str | None = attrs.field(default=None, converter=_state)
    update_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    end_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)


@attrs.frozen(kw_only=True)
class BatchSummary(SvamlObject):
    """How a batch is going: its sessions counted by state, and the pace it was asked for."""

    batch_id: str | None = attrs.field(default=None, validator=_opt_str)
    session_count: int | None = attrs.field(default=None, validator=_opt_int)
    queued: int | None = attrs.field(default=None, validator=_opt_int)
    in_progress: int | None = attrs.field(default=None, validator=_opt_int)
    completed: int | None = attrs.field(default=None, validator=_opt_int)
    expired: int | None = attrs.field(default=None, validator=_opt_int)
    requested_cps: int | None = attrs.field(default=None, validator=_opt_int)
    end_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    ttl_seconds: int | None = attrs.field(default=None, validator=_opt_int)


@attrs.frozen(kw_only=True)
class BatchSession(SvamlObject):
    """One session of a batch and its state."""

    id: str | None = attrs.field(default=None, validator=_opt_str)
    state: SessionState | str | None = attrs.field(default=None, converter=_state)


@attrs.frozen(kw_only=True)
class BatchDetails(SvamlObject):
    """The sessions of a batch (Sinch never lists the EXPIRED ones here)."""

    sessions: tuple[BatchSession, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(BatchSession)
    )


@attrs.frozen(kw_only=True)
class BatchStopped(SvamlObject):
    """What stopping a batch answers: ``STOP_REQUESTED``."""

    result: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class WebhookTarget(SvamlObject):
    """Where a WEBHOOK service sends its events, and where to when that fails."""

    url: str | None = attrs.field(default=None, validator=_opt_str)
    fallback_url: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class CallBehavior(SvamlObject):
    """How a service handles inbound calls: ``NONE``, ``WEBHOOK`` (``webhook``) or ``STATIC`` (``static``)."""

    type: CallBehaviorType | str = attrs.field(converter=_behavior_type)
    webhook: WebhookTarget | None = attrs.field(default=None, validator=is_(WebhookTarget, optional=True))
    static: Document | None = attrs.field(default=None, validator=is_(Document, optional=True))


@attrs.frozen(kw_only=True)
class Service(SvamlObject):
    """A service: a project's configuration of inbound handling; one per project is the default."""

    service_id: str | None = attrs.field(default=None, validator=_opt_str)
    project_id: str | None = attrs.field(default=None, validator=_opt_str)
    create_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    name: str | None = attrs.field(default=None, validator=_opt_str)
    is_default: bool | None = attrs.field(default=None, validator=_opt_bool)
    update_time: datetime | None = attrs.field(default=None, converter=opt_timestamp)
    description: str | None = attrs.field(default=None, validator=_opt_str)
    call_behavior: CallBehavior | None = attrs.field(default=None, validator=is_(CallBehavior, optional=True))


@attrs.frozen(kw_only=True)
class ServiceList(SvamlObject):
    """One page of services."""

    services: tuple[Service, ...] = attrs.field(default=(), converter=to_tuple, validator=each(Service))
    links: Links | None = attrs.field(default=None, validator=is_(Links, optional=True))
    meta: PageMeta | None = attrs.field(default=None, validator=is_(PageMeta, optional=True))


@attrs.frozen(kw_only=True)
class ServiceRequest(SvamlObject):
    """A service to create (``name`` required) or the fields of one to change (only those given change)."""

    name: str | None = attrs.field(default=None, validator=_opt_str)
    description: str | None = attrs.field(default=None, validator=_opt_str)
    is_default: bool | None = attrs.field(default=None, validator=_opt_bool)
    call_behavior: CallBehavior | None = attrs.field(default=None, validator=is_(CallBehavior, optional=True))


@attrs.frozen(kw_only=True)
class ValidationRequest(SvamlObject):
    """A document for ``svaml/validate``: NORMAL (Sinch's default) ignores unknown properties, STRICT not."""

    svaml: Document = attrs.field(validator=is_(Document))
    validation_type: ValidationType | str | None = attrs.field(default=None, converter=_validation_type)


@attrs.frozen(kw_only=True)
class ValidationResult(SvamlObject):
    """What ``svaml/validate`` answers: ``is_valid``, and Sinch's ``errors`` when it is not."""

    is_valid: bool | None = attrs.field(default=None, validator=_opt_bool)
    errors: tuple[str, ...] = attrs.field(default=(), converter=to_tuple, validator=each(str))


@attrs.frozen(kw_only=True)
class DescribeRequest(SvamlObject):
    """A document for ``svaml/describe``."""

    svaml: Document = attrs.field(validator=is_(Document))


@attrs.frozen(kw_only=True)
class Description(SvamlObject):
    """What ``svaml/describe`` answers: the document in words, a numbered outline."""

    description: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Problem(SvamlObject):
    """An RFC 9457 ``application/problem+json`` error, as Sinch writes them.

    ``type`` is a URL ending in a slug (``…/errors/not-found``), ``title`` its fixed title,
    ``detail`` this case, ``instance`` the request's path.
    """

    type: str | None = attrs.field(default=None, validator=_opt_str)
    title: str | None = attrs.field(default=None, validator=_opt_str)
    detail: str | None = attrs.field(default=None, validator=_opt_str)
    instance: str | None = attrs.field(default=None, validator=_opt_str)

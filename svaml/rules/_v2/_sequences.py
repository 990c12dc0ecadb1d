"""SVAML v2 rules about command sequences (S23xx, beside the handlers): what runs before what, on which leg.

A sequence is the top-level ``commands`` or a handler's list (an ``events`` handler, a menu item's
``matches`` entry or ``onFail``, the document's ``onHangup``), at any depth; each runs on its own
(reference §2.3), so a rule about order looks within one sequence only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from svaml.diagnostic import Severity
from svaml.model._fields import SvamlObject
from svaml.rules._registry import Example, Finding, Target, rule
from svaml.rules._v2._context import Context2
from svaml.rules._v2._examples import doc, say
from svaml.v2.model.commands import (
    BLOCKING_COMMANDS,
    COMMAND_CLASSES,
    Dial,
    Hangup,
    Messages,
    StopMessages,
)
from svaml.v2.model.document import USE_FIELDS
from svaml.v2.model.messages import Say

__all__: list[str] = []

_W = Severity.WARNING
_OAS = "Sinch Voice API v2 OpenAPI 2.0.58"
_V2: tuple[Target] = ("svaml2",)

_COMMANDS = frozenset(COMMAND_CLASSES.values())
_GOODBYE = say("Thank you for calling. Goodbye.")
_HEARD = 40
#: The handlers of a ``dial`` that run on the dialled leg.
_DIALLED = ("onAnswer", "onHangup")


def _leg(at: str, ctx: Context2, objects: Mapping[str, SvamlObject]) -> str | None:
    """The name of the leg the sequence at ``at`` runs on, where the document says it simply.

    In a ``dial``'s ``onAnswer`` and ``onHangup`` it is the dialled leg (reference §2.3), named by
    the dial's ``callName``; in its other handlers (the leg never connected) the leg that ran the
    dial, as the simulator has it; elsewhere the leg the document runs on, named by the top-level
    ``callName`` where that takes effect (the answer to ``call.incoming``). None: not known.
    """
    parent = at
    while parent:
        parent = parent.rpartition("/")[0]
        found = objects.get(parent)
        if isinstance(found, Dial) and at[len(parent) :].split("/")[2] in _DIALLED:
            return found.call_name
    document = ctx.document
    if document is None or (ctx.use is not None and "callName" not in USE_FIELDS[ctx.use]):
        return None
    return document.call_name


def _heard(messages: Messages) -> str:
    """What a ``messages`` command starts with, shortened: a SAY's text or a PLAY's URL."""
    first = messages.messages[0] if messages.messages else None
    text = first.text if isinstance(first, Say) else getattr(first, "url", "")
    if len(text) > _HEARD:
        text = text[: _HEARD - 1] + "…"
    return repr(text) + (" …" if len(messages.messages) > 1 else "")


def _cut(commands: Sequence[tuple[int, str, Any]], leg: Callable[[], str | None]) -> Iterator[Finding]:
    """The finding of the first hangup of the leg in one sequence, if messages still play then."""
    playing: list[tuple[str, Messages]] = []
    stopped: set[str] = set()
    last = -1
    for index, where, command in commands:
        if index != last + 1 or isinstance(command, BLOCKING_COMMANDS):
            playing = []  # waited for (or a command that did not read, which may have waited)
        last = index
        if isinstance(command, Messages):
            if command.messages_name is None or command.messages_name not in stopped:
                playing.append((where, command))
        elif isinstance(command, StopMessages):
            stopped.add(command.messages_name)  # it also stops messages of that name started later
            playing = [(at, m) for at, m in playing if m.messages_name != command.messages_name]
        elif isinstance(command, Hangup) and (command.call_name is None or command.call_name == leg()):
            if playing:
                yield Finding(where, _said(playing))
            return  # the leg has ended: nothing more plays on it


def _said(playing: list[tuple[str, Messages]]) -> str:
    at, last = playing[-1]
    if len(playing) == 1:
        what = f"cuts short the messages at {at} ({_heard(last)})"
        where = "in its"
    else:
        what = f"cuts short the {len(playing)} messages at {', '.join(a for a, _ in playing)}"
        where = "in the last one's"
    return (
        f"hangup does not wait: it ends the leg at once and {what}; hang up {where} events.onFinish "
        "instead, or put a blocking pause, menu or webhook before the hangup"
    )


@rule(
    "S2302",
    "hangup-cuts-messages",
    _W,
    summary="A `hangup` of the leg follows its `messages` with no blocking command between, "
    "so the messages are cut short",
    source=f"{_OAS}: svamlCommands, 'pause, webhook, menu and gotoMenu are blocking', messages and hangup "
    "return immediately; hangup ends the leg and later commands on it are not executed (reference §2.3)",
    targets=_V2,
    example=Example(
        text=doc({"command": "messages", "messages": [_GOODBYE]}, {"command": "hangup"}),
        fixed=doc(
            {"command": "messages", "messages": [_GOODBYE], "events": {"onFinish": [{"command": "hangup"}]}}
        ),
    ),
)
def hangup_cuts_messages(data: Any, base: str, ctx: Context2) -> Iterator[Finding]:
    """Hang up once the messages are heard: in their ``events.onFinish``.

    In v2 only ``pause``, ``webhook``, ``menu`` and ``gotoMenu`` hold the next command; ``messages``
    and ``hangup`` return at once. So ``[messages, hangup]``, v1's ``say`` then the ``hangup``
    action, starts the goodbye and ends the leg in the same instant: the caller hears nothing, or
    the start of it. Put the ``hangup`` in the messages' ``events.onFinish``, which runs when they
    have played (Python: ``Svaml2().say(text, voice, on_finish=Svaml2().hangup())``), or a blocking
    command between them: a ``menu``, a ``webhook``, or a ``pause`` at least as long as the
    messages (svaml trusts its length).

    Checked within each sequence (the top-level ``commands``, every handler's list, a menu item's
    ``matches`` and ``onFail``, at any depth), for a ``hangup`` without ``callName``, or naming the
    leg the sequence runs on where the document names it: the top-level ``callName`` in the answer
    to ``call.incoming``; a ``dial``'s ``callName`` in its ``onAnswer`` and ``onHangup`` (the
    dialled leg). Its ``onBusy``, ``onReject``, ``onTimeout`` and ``onFailure`` are taken to run on
    the leg that dialled, since the dialled one never connected (the sources are silent; the
    simulator chooses the same). Messages a ``stopMessages`` stops first are not reported. No fix:
    moving the hangup into ``onFinish`` changes when the call ends, and what runs after it.
    """
    found: dict[str, list[tuple[int, str, Any]]] = {}
    ends: dict[str, None] = {}  # the sequences that hold a hangup, in order
    played = False
    for where, obj in ctx.objects():
        cls = obj.__class__
        if cls in _COMMANDS:
            at, _, index = where.rpartition("/")
            found.setdefault(at, []).append((int(index), where, obj))
            if cls is Hangup:
                ends[at] = None
            elif cls is Messages:
                played = True
    if not played:
        return
    objects: dict[str, SvamlObject] = {}

    def leg_of(at: str) -> Callable[[], str | None]:
        def leg() -> str | None:  # only a hangup that names a leg needs it
            if not objects:
                objects.update(ctx.objects())
            return _leg(at, ctx, objects)

        return leg

    for at in ends:
        yield from _cut(found[at], leg_of(at))

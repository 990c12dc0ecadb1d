"""The SVAML v2 document, which is also its own chainable builder: :class:`Svaml2`.

This module sits above the rules, as v1's :mod:`svaml.document`: ``to_dict``/``to_json`` check
the document with the v2 rules, and ``from_dict``/``from_json`` read through the one codec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _json, codec
from svaml.errors import SvamlError, SvamlTypeError
from svaml.rules._v2 import check_built_v2
from svaml.rules._validate import read_json
from svaml.v2.model.commands import (
    COMMAND_CLASSES,
    Amd,
    AmdEvents,
    Answer,
    BridgeCall,
    CallEvents,
    Command,
    Dial,
    GotoMenu,
    Hangup,
    Menu,
    MenuItem,
    Messages,
    MessagesEvents,
    Pause,
    RecordingEvents,
    RecordingOptions,
    StartRecording,
    StopMessages,
    StopRecording,
    Webhook,
)
from svaml.v2.model.document import BatchOptions, Document, DocumentEvents
from svaml.v2.model.endpoints import Destination, Origin
from svaml.v2.model.enums import TextFormat
from svaml.v2.model.messages import Message, Play, Say

__all__ = ["Svaml2"]

_COMMAND_TYPES = tuple(COMMAND_CLASSES.values())


@attrs.frozen(kw_only=True)
class Svaml2(Document):
    """A SVAML v2 document: commands run in order. Every method returns a new document.

    Handlers (``on_answer``, ``on_finish``, a match's commands…) take another ``Svaml2``, a
    list of commands, or one command::

        >>> from svaml.v2 import Svaml2
        >>> Svaml2().answer().say("Hello", "Emma", on_finish=Svaml2().hangup()).to_json()
        '{"commands":[{"command":"answer"},{"command":"messages","messages":[{"type":"SAY","say":{"text":"Hello","voiceName":"Emma"}}],"events":{"onFinish":[{"command":"hangup"}]}}]}'

    ``messages`` and ``hangup`` do not wait (only ``pause``, ``webhook``, ``menu`` and ``gotoMenu``
    do): hang up in the messages' ``on_finish``, or ``.say(…).hangup()`` cuts the words (S2302).

    ``to_json`` checks the document with the v2 rules and raises :class:`~svaml.errors.SvamlError`
    carrying the errors; ``check=False`` skips the check.
    """

    # -- reading and writing ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> Svaml2:
        """Read a decoded v2 document; raise :class:`SvamlError` listing every problem."""
        return _from_document(codec.structure(data, Document))

    @classmethod
    def from_json(cls, text: str | bytes) -> Svaml2:
        """Read v2 JSON text (svaml's one JSON policy); raise :class:`SvamlError` listing every problem."""
        return cls.from_dict(read_json(text, "the SVAML v2 text"))

    def to_dict(self, *, check: bool = True) -> dict[str, Any]:
        """Return the document as JSON-ready data, checked with the v2 rules unless ``check=False``."""
        data: dict[str, Any] = codec.unstructure(self)
        if check:
            check_built_v2(self, data)
        return data

    def to_json(self, *, indent: int | None = None, check: bool = True) -> str:
        """Return the document as JSON text: compact by default, ``indent=2`` for humans."""
        return _json.dumps(self.to_dict(check=check), indent=indent)

    # -- generic steps ------------------------------------------------------------------------

    def with_command(self, command: Command) -> Svaml2:
        """Return a copy with ``command`` appended."""
        if not isinstance(command, _COMMAND_TYPES):
            raise SvamlTypeError(f"expected a v2 command, got {type(command).__name__}")
        return self._replace(commands=(*self.commands, command))

    def with_call_name(self, call_name: str) -> Svaml2:
        """Name the inbound leg (a ``call.incoming`` answer or a STATIC service)."""
        return attrs.evolve(self, call_name=call_name)

    def on_hangup(self, commands: Svaml2 | Iterable[Command] | Command) -> Svaml2:
        """Run ``commands`` when the inbound leg hangs up (a ``call.incoming`` answer or a STATIC service)."""
        return attrs.evolve(self, events=DocumentEvents(on_hangup=_handler(commands)))

    def with_parameters(
        self,
        *sets: Mapping[str, str],
        max_cps: int | None = None,
        ttl_seconds: int | None = None,
    ) -> Svaml2:
        """Make the document a batch: one call per parameter set, ``@key`` replaced by the set's value."""
        options = (
            None
            if max_cps is None and ttl_seconds is None
            else BatchOptions(max_cps=max_cps, ttl_seconds=ttl_seconds)
        )
        return attrs.evolve(self, parameters=sets, batch_options=options)

    def _replace(self, commands: tuple[Command, ...]) -> Svaml2:
        # Each step made its command through its model class: set the copy's fields as they are,
        # without __init__ checking every command again at every step.
        new = object.__new__(Svaml2)
        for name in _OTHER_FIELDS:
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "commands", commands)
        return new

    def _add(self, command: Command) -> Svaml2:
        return self._replace((*self.commands, command))

    # -- the 13 commands ----------------------------------------------------------------------

    def dial(
        self,
        to: Destination | str,
        *,
        call_name: str | None = None,
        from_: Origin | str | None = None,
        dial_timeout_duration_seconds: int | None = None,
        max_call_duration_seconds: int | None = None,
        on_answer: Svaml2 | Iterable[Command] | Command | None = None,
        on_busy: Svaml2 | Iterable[Command] | Command | None = None,
        on_reject: Svaml2 | Iterable[Command] | Command | None = None,
        on_timeout: Svaml2 | Iterable[Command] | Command | None = None,
        on_hangup: Svaml2 | Iterable[Command] | Command | None = None,
        on_failure: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Call ``to`` (a number, a ``sip:`` URI, a ``wss://`` stream, an endpoint); handlers follow it."""
        handlers = {
            "on_answer": on_answer,
            "on_busy": on_busy,
            "on_reject": on_reject,
            "on_timeout": on_timeout,
            "on_hangup": on_hangup,
            "on_failure": on_failure,
        }
        return self._add(
            Dial(
                to,
                call_name=call_name,
                from_=from_,
                dial_timeout_duration_seconds=dial_timeout_duration_seconds,
                max_call_duration_seconds=max_call_duration_seconds,
                events=_events(CallEvents, handlers),
            )
        )

    def messages(
        self,
        *messages: Message,
        messages_name: str | None = None,
        on_finish: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Play 1 to 10 messages (:class:`Say`, :class:`Play`) in order."""
        events = _events(MessagesEvents, {"on_finish": on_finish})
        return self._add(Messages(messages, messages_name=messages_name, events=events))

    def say(
        self,
        text: str,
        voice_name: str,
        *,
        format: TextFormat | str | None = None,  # noqa: A002 - Sinch's name
        messages_name: str | None = None,
        on_finish: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Speak ``text`` in the catalogue voice ``voice_name``: a ``messages`` command of one SAY."""
        message = Say(text, voice_name=voice_name, format=format)
        return self.messages(message, messages_name=messages_name, on_finish=on_finish)

    def play(
        self,
        url: str,
        *,
        messages_name: str | None = None,
        on_finish: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Play the audio file at ``url``: a ``messages`` command of one PLAY."""
        return self.messages(Play(url), messages_name=messages_name, on_finish=on_finish)

    def stop_messages(self, messages_name: str) -> Svaml2:
        """Stop the messages of that name (and those of that name started later in the session)."""
        return self._add(StopMessages(messages_name))

    def webhook(self, webhook_name: str, url: str, *, fallback_url: str | None = None) -> Svaml2:
        """Send ``call.webhook.<webhook_name>`` to ``url`` and run what it answers (blocking)."""
        return self._add(Webhook(webhook_name, url=url, fallback_url=fallback_url))

    def amd(
        self,
        *,
        on_human: Svaml2 | Iterable[Command] | Command | None = None,
        on_machine: Svaml2 | Iterable[Command] | Command | None = None,
        on_beep: Svaml2 | Iterable[Command] | Command | None = None,
        on_unknown: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Detect a human or a machine; the verdict's handler runs."""
        handlers = {
            "on_human": on_human,
            "on_machine": on_machine,
            "on_beep": on_beep,
            "on_unknown": on_unknown,
        }
        return self._add(Amd(events=_events(AmdEvents, handlers)))

    def hangup(self, call_name: str | None = None) -> Svaml2:
        """End the current leg, or the leg named ``call_name``."""
        return self._add(Hangup(call_name))

    def answer(self) -> Svaml2:
        """Answer the inbound leg."""
        return self._add(_ANSWER)

    def pause(self, duration_milliseconds: int) -> Svaml2:
        """Wait before the next command (blocking)."""
        return self._add(Pause(duration_milliseconds))

    def start_recording(
        self,
        recording_options: RecordingOptions,
        *,
        recording_name: str | None = None,
        on_finish: Svaml2 | Iterable[Command] | Command | None = None,
        on_failure: Svaml2 | Iterable[Command] | Command | None = None,
    ) -> Svaml2:
        """Record the call to cloud storage."""
        events = _events(RecordingEvents, {"on_finish": on_finish, "on_failure": on_failure})
        return self._add(StartRecording(recording_options, recording_name=recording_name, events=events))

    def stop_recording(self, recording_name: str) -> Svaml2:
        """Stop the recording of that name."""
        return self._add(StopRecording(recording_name))

    def bridge_call(self, bridge_name: str) -> Svaml2:
        """Join the current leg to the bridge of that name."""
        return self._add(BridgeCall(bridge_name))

    def menu(self, *items: MenuItem, start_menu: str | None = None) -> Svaml2:
        """Run a menu of ``items``, starting with the first unless ``start_menu`` names another (blocking)."""
        return self._add(Menu.of(*items, start_menu=start_menu))

    def goto_menu(self, menu_name: str) -> Svaml2:
        """Go to another item of the enclosing menu (inside a menu item's handlers only)."""
        return self._add(GotoMenu(menu_name))

    def __repr__(self) -> str:
        return f"Svaml2({self.to_json(check=False)})"


_ANSWER = Answer()
_OTHER_FIELDS = tuple(f.name for f in attrs.fields(Svaml2) if f.name != "commands")


def _handler(value: Svaml2 | Iterable[Command] | Command) -> tuple[Command, ...]:
    """The commands of a handler argument; a builder that also names a leg or has parameters is refused."""
    if isinstance(value, Document):
        if value.call_name is not None or value.events is not None or value.parameters is not None:
            raise SvamlError(
                "a handler takes commands: this Svaml2 also has a call name, onHangup or parameters, "
                "which only a whole document has"
            )
        return value.commands
    if isinstance(value, _COMMAND_TYPES):
        return (value,)
    return tuple(cast("Iterable[Command]", value))


def _events(cls: Any, handlers: dict[str, Any]) -> Any:
    given = {name: _handler(value) for name, value in handlers.items() if value is not None}
    return cls(**given) if given else None


def _from_document(doc: Document) -> Svaml2:
    return Svaml2(
        commands=doc.commands,
        call_name=doc.call_name,
        events=doc.events,
        parameters=doc.parameters,
        batch_options=doc.batch_options,
        extras=doc.extras,
    )

"""The 13 SVAML v2 commands, their options, menus and event handlers.

A command is told apart by its ``command`` (a class variable, Sinch's exact spelling). An event
handler is a tuple of commands that runs as its own sequence when its event fires; None means
the handler is absent, ``()`` that it is present and empty. A command's ``events`` object, even
empty, stops Sinch from sending that command's events to the service webhook.

``menus`` and ``matches`` are JSON objects whose keys are names: the model holds them as tuples
of :class:`MenuItem` (its ``name`` is the key) and :class:`Match` (its ``key``), in order, because
Sinch evaluates ``matches`` in definition order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from svaml.errors import SvamlTypeError
from svaml.model._fields import SvamlObject, each, is_, to_tuple
from svaml.model.enums import member_or_text
from svaml.v2.model.endpoints import (
    Destination,
    Origin,
    Phone,
    Sip,
    SipFrom,
    Stream,
    VoiceRelay,
    destination_of,
    origin_of,
)
from svaml.v2.model.enums import InputMethod, RecordingDestination, RecordingFormat, RecordingType
from svaml.v2.model.messages import Message, Play, Say

__all__ = [
    "BLOCKING_COMMANDS",
    "COMMAND_CLASSES",
    "HANDLERS",
    "Amd",
    "AmdEvents",
    "Answer",
    "BridgeCall",
    "CallEvents",
    "Command",
    "Dial",
    "GotoMenu",
    "Hangup",
    "Match",
    "Menu",
    "MenuItem",
    "MenuPrompt",
    "Messages",
    "MessagesEvents",
    "Pause",
    "RecordingEvents",
    "RecordingOptions",
    "StartRecording",
    "StopMessages",
    "StopRecording",
    "TranscriptionOptions",
    "Webhook",
    "handlers",
]

_str = is_(str)
_opt_str = is_(str, optional=True)
_opt_int = is_(int, optional=True)
_opt_bool = is_(bool, optional=True)
_messages = each(Say, Play, wanted="a Say or Play message")


def _is_command(value: object) -> bool:
    return isinstance(value, _COMMAND_TYPES)


def _check_commands(inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...] | None) -> None:
    if value is None:
        return
    for index, item in enumerate(value):
        if not _is_command(item):
            raise SvamlTypeError(
                f"{type(inst).__name__}.{attribute.name}[{index}] must be a v2 command, "
                f"got {type(item).__name__}"
            )


def commands_of(value: Iterable[Command] | Command | None) -> tuple[Command, ...] | None:
    """Return handler commands as a tuple: an iterable of commands (a ``Svaml2`` too) or one command."""
    if value is None or value.__class__ is tuple:
        return value  # a tuple: its items are checked by the validator
    if _is_command(value):
        return (value,)  # type: ignore[return-value]
    return to_tuple(value)  # type: ignore[arg-type]


def _required_commands(value: Iterable[Command] | Command) -> tuple[Command, ...]:
    found = commands_of(value)
    if found is None:
        raise SvamlTypeError("expected commands, got null")
    return found


# Each handler field is written out as attrs.field(converter=commands_of): the attrs mypy plugin
# then types __init__ with the converter's parameter (a Svaml2, a list, one command), as it converts.


@attrs.frozen(kw_only=True)
class CallEvents(SvamlObject):
    """The handlers of ``dial``: the callee answered, was busy, rejected, did not answer, hung up, failed."""

    on_answer: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_busy: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_reject: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_timeout: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_hangup: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_failure: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


@attrs.frozen(kw_only=True)
class MessagesEvents(SvamlObject):
    """The handler of ``messages``: every message has been played."""

    on_finish: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


@attrs.frozen(kw_only=True)
class AmdEvents(SvamlObject):
    """The handlers of ``amd``: a human, a machine, a beep, or no verdict."""

    on_human: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_machine: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_beep: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_unknown: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


@attrs.frozen(kw_only=True)
class RecordingEvents(SvamlObject):
    """The handlers of ``startRecording``: the recording stopped, or could not start."""

    on_finish: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )
    on_failure: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


def _origin(value: Origin | str | None) -> Origin | None:
    return origin_of(value)


def _destination(value: Destination | str) -> Destination:
    return destination_of(value)


@attrs.frozen(kw_only=True)
class Dial(SvamlObject):
    """Call a number, SIP endpoint, stream or voice relay (non-blocking); ``call_name`` names the leg."""

    command: ClassVar[str] = "dial"
    call_name: str | None = attrs.field(default=None, validator=_opt_str)
    from_: Origin | None = attrs.field(
        default=None, converter=_origin, validator=is_(Phone, SipFrom, optional=True)
    )
    to: Destination = attrs.field(
        converter=_destination, validator=is_(Phone, Sip, Stream, VoiceRelay), kw_only=False
    )
    dial_timeout_duration_seconds: int | None = attrs.field(default=None, validator=_opt_int)
    max_call_duration_seconds: int | None = attrs.field(default=None, validator=_opt_int)
    events: CallEvents | None = attrs.field(default=None, validator=is_(CallEvents, optional=True))


@attrs.frozen(kw_only=True)
class Messages(SvamlObject):
    """Play 1 to 10 messages in order (non-blocking); ``messages_name`` lets ``stopMessages`` stop them."""

    command: ClassVar[str] = "messages"
    messages_name: str | None = attrs.field(default=None, validator=_opt_str)
    messages: tuple[Message, ...] = attrs.field(converter=to_tuple, validator=_messages, kw_only=False)
    events: MessagesEvents | None = attrs.field(default=None, validator=is_(MessagesEvents, optional=True))


@attrs.frozen(kw_only=True)
class StopMessages(SvamlObject):
    """Stop the messages of that name, and any started later in the session (non-blocking)."""

    command: ClassVar[str] = "stopMessages"
    messages_name: str = attrs.field(validator=_str, kw_only=False)


@attrs.frozen(kw_only=True)
class Webhook(SvamlObject):
    """Send ``call.webhook.<webhookName>`` to ``url`` and run the SVAML it answers with (blocking, 5 s)."""

    command: ClassVar[str] = "webhook"
    webhook_name: str = attrs.field(validator=_str, kw_only=False)
    url: str = attrs.field(validator=_str)
    fallback_url: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Amd(SvamlObject):
    """Detect whether a human or a machine answered (non-blocking); the verdict runs a handler."""

    command: ClassVar[str] = "amd"
    events: AmdEvents | None = attrs.field(default=None, validator=is_(AmdEvents, optional=True))


@attrs.frozen(kw_only=True)
class Hangup(SvamlObject):
    """End a leg: the current one, or the leg named ``call_name`` (non-blocking)."""

    command: ClassVar[str] = "hangup"
    call_name: str | None = attrs.field(default=None, validator=_opt_str, kw_only=False)


@attrs.frozen(kw_only=True)
class Answer(SvamlObject):
    """Answer the inbound leg (non-blocking)."""

    command: ClassVar[str] = "answer"


@attrs.frozen(kw_only=True)
class Pause(SvamlObject):
    """Wait ``duration_milliseconds`` before the next command (blocking; audio goes on)."""

    command: ClassVar[str] = "pause"
    duration_milliseconds: int = attrs.field(validator=is_(int), kw_only=False)


def _format(value: RecordingFormat | str | None) -> RecordingFormat | str | None:
    return None if value is None else member_or_text(RecordingFormat, value, "format")


def _recording_type(value: RecordingType | str | None) -> RecordingType | str | None:
    return None if value is None else member_or_text(RecordingType, value, "recordingType")


def _storage(value: RecordingDestination | str) -> RecordingDestination | str:
    return member_or_text(RecordingDestination, value, "destination")


@attrs.frozen(kw_only=True)
class TranscriptionOptions(SvamlObject):
    """Transcribe the recording (``is_enabled``) in ``locale`` (BCP-47, Sinch's default en-US)."""

    is_enabled: bool = attrs.field(validator=is_(bool), kw_only=False)
    locale: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class RecordingOptions(SvamlObject):
    """Where a recording goes: ``destination`` (AWS, GCP, AZURE), its URL and credentials; format, type."""

    format: RecordingFormat | str | None = attrs.field(default=None, converter=_format)
    recording_type: RecordingType | str | None = attrs.field(default=None, converter=_recording_type)
    destination: RecordingDestination | str = attrs.field(converter=_storage)
    # Sinch's Node SDK writes `url` (reference D7): read as destinationUrl when that is absent.
    destination_url: str = attrs.field(validator=_str, metadata={"aliases": ("url",)})
    credentials: str = attrs.field(validator=_str, repr=False)
    transcription_options: TranscriptionOptions | None = attrs.field(
        default=None, validator=is_(TranscriptionOptions, optional=True)
    )


@attrs.frozen(kw_only=True)
class StartRecording(SvamlObject):
    """Record the call to cloud storage (non-blocking); without a name it records until the call ends."""

    command: ClassVar[str] = "startRecording"
    recording_name: str | None = attrs.field(default=None, validator=_opt_str)
    recording_options: RecordingOptions = attrs.field(validator=is_(RecordingOptions), kw_only=False)
    events: RecordingEvents | None = attrs.field(default=None, validator=is_(RecordingEvents, optional=True))


@attrs.frozen(kw_only=True)
class StopRecording(SvamlObject):
    """Stop the recording of that name (non-blocking)."""

    command: ClassVar[str] = "stopRecording"
    recording_name: str = attrs.field(validator=_str, kw_only=False)


@attrs.frozen(kw_only=True)
class BridgeCall(SvamlObject):
    """Join the current leg to the bridge of that name in the session, made on first use (non-blocking)."""

    command: ClassVar[str] = "bridgeCall"
    bridge_name: str = attrs.field(validator=_str, kw_only=False)


@attrs.frozen(kw_only=True)
class MenuPrompt(SvamlObject):
    """What a menu item plays: 1 to 10 messages; input stops it unless ``allow_barge_in`` is false."""

    messages: tuple[Message, ...] = attrs.field(converter=to_tuple, validator=_messages, kw_only=False)
    allow_barge_in: bool | None = attrs.field(default=None, validator=_opt_bool)


def _prompt(value: MenuPrompt | Iterable[Message] | Message | None) -> MenuPrompt | None:
    # A message or a list of them is the short way to write a prompt.
    if value is None or isinstance(value, MenuPrompt):
        return value
    if isinstance(value, (Say, Play)):
        return MenuPrompt((value,))
    return MenuPrompt(to_tuple(value))


@attrs.frozen(kw_only=True)
class Match(SvamlObject):
    """One entry of ``matches``: input equal to (or matching the regex) ``key`` runs ``commands``."""

    key: str = attrs.field(validator=_str, kw_only=False, metadata={"key": True})
    commands: tuple[Command, ...] = attrs.field(
        converter=_required_commands, validator=_check_commands, kw_only=False, metadata={"value": True}
    )


def _matches(value: Mapping[str, Any] | Iterable[Match]) -> tuple[Match, ...]:
    # A mapping of key to commands (a list, a Svaml2, or one command) is the short way to write them.
    if isinstance(value, Mapping):
        return tuple(Match(str(k), v) for k, v in value.items())
    return to_tuple(value)


def _input_methods(value: Iterable[InputMethod | str]) -> tuple[InputMethod | str, ...]:
    if value == ():
        return ()
    return tuple(member_or_text(InputMethod, v, "inputMethods") for v in to_tuple(value))


@attrs.frozen(kw_only=True)
class MenuItem(SvamlObject):
    """One item of a ``menu``, under its ``name`` (≤16 characters): prompt, input rules, what input runs."""

    name: str = attrs.field(validator=_str, kw_only=False, metadata={"key": True})
    prompt: MenuPrompt | None = attrs.field(
        default=None, converter=_prompt, validator=is_(MenuPrompt, optional=True)
    )
    repeat_prompt: MenuPrompt | None = attrs.field(
        default=None, converter=_prompt, validator=is_(MenuPrompt, optional=True)
    )
    input_timeout_duration_seconds: int | None = attrs.field(default=None, validator=_opt_int)
    repeat_count: int | None = attrs.field(default=None, validator=_opt_int)
    minimum_input_length: int | None = attrs.field(default=None, validator=_opt_int)
    maximum_input_length: int | None = attrs.field(default=None, validator=_opt_int)
    terminating_sequence: str | None = attrs.field(default=None, validator=_opt_str)
    input_methods: tuple[InputMethod | str, ...] = attrs.field(default=(), converter=_input_methods)
    matches: tuple[Match, ...] | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(_matches),
        validator=attrs.validators.optional(each(Match)),
        metadata={"keyed": True},
    )
    on_fail: tuple[Command, ...] | None = attrs.field(
        default=None, converter=commands_of, validator=_check_commands
    )


@attrs.frozen(kw_only=True)
class Menu(SvamlObject):
    """Run the menu item ``start_menu`` of ``menus`` (blocking until the menu is done)."""

    command: ClassVar[str] = "menu"
    start_menu: str = attrs.field(validator=_str)
    menus: tuple[MenuItem, ...] = attrs.field(
        converter=to_tuple, validator=each(MenuItem), metadata={"keyed": True}
    )

    @classmethod
    def of(cls, *items: MenuItem, start_menu: str | None = None) -> Menu:
        """Make the command from items one by one; it starts with the first unless ``start_menu`` says."""
        if start_menu is None:
            if not items:
                raise SvamlTypeError("a menu needs at least one item")
            start_menu = items[0].name
        return cls(start_menu=start_menu, menus=items)


@attrs.frozen(kw_only=True)
class GotoMenu(SvamlObject):
    """Go to another item of the enclosing ``menu`` (blocking); only inside a menu's handlers."""

    command: ClassVar[str] = "gotoMenu"
    menu_name: str = attrs.field(validator=_str, kw_only=False)


#: Any v2 command.
Command = (
    Dial
    | Messages
    | StopMessages
    | Webhook
    | Amd
    | Hangup
    | Answer
    | Pause
    | StartRecording
    | StopRecording
    | BridgeCall
    | Menu
    | GotoMenu
)

#: Command classes by their ``command``, in the OpenAPI file's order.
COMMAND_CLASSES: dict[str, type[Command]] = {
    cls.command: cls
    for cls in (
        Dial,
        Messages,
        StopMessages,
        Webhook,
        Amd,
        Hangup,
        Answer,
        Pause,
        StartRecording,
        StopRecording,
        BridgeCall,
        Menu,
        GotoMenu,
    )
}
_COMMAND_TYPES = tuple(COMMAND_CLASSES.values())

#: The events class of each command that has handlers.
#: The blocking commands (reference §2.3): the next command of their sequence waits for them.
#: Every other command returns at once and its work goes on in parallel.
BLOCKING_COMMANDS: tuple[type[Command], ...] = (Pause, Webhook, Menu, GotoMenu)

HANDLERS: dict[str, type[SvamlObject]] = {
    "dial": CallEvents,
    "messages": MessagesEvents,
    "amd": AmdEvents,
    "startRecording": RecordingEvents,
}


def handlers(events: SvamlObject) -> Iterable[tuple[str, tuple[Command, ...]]]:
    """Yield ``(attribute, commands)`` for each handler an events object (or menu item) has."""
    for field in attrs.fields(type(events)):
        value = getattr(events, field.name)
        if field.name.startswith("on_") and value is not None:
            yield field.name, value

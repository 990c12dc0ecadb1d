"""What the stand-in's ``svaml/describe`` and ``svaml/validate`` say, in Sinch's style (reference §8.5).

:func:`describe` writes a document as a numbered outline, each handler a `` * on answer:`` line
with its own numbered commands indented five spaces deeper, as Sinch's mock server does::

    1. A new call with name 'audio-notification' will be initiated to number +12017777777 with max
    duration set to 5 minutes.
     * on answer:
         1. An audio file will be played from https://example.com/a.mp3.

:func:`sinch_messages` turns the rules' errors into sentences like Sinch's samples
(``Invalid dial command. Missing destination.``, ``Unknown command 'test'.``, ``Invalid property
'test' in the dial command``). The wording of other sentences is svaml's: the sources show a few
samples only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from svaml.diagnostic import Diagnostic
from svaml.v2.model import (
    Amd,
    Answer,
    BridgeCall,
    Command,
    Dial,
    Document,
    GotoMenu,
    Hangup,
    Menu,
    MenuItem,
    MenuPrompt,
    Message,
    Messages,
    Pause,
    Phone,
    Play,
    Say,
    Sip,
    StartRecording,
    StopMessages,
    StopRecording,
    Stream,
    VoiceRelay,
    Webhook,
    handlers,
)

__all__ = ["describe", "sinch_messages"]

_INDENT = 5
_FIELD = re.compile(r"missing required field '([^']+)'")
_UNKNOWN_COMMAND = re.compile(r"unknown command '([^']*)'")
_UNKNOWN_PROPERTY = re.compile(r"(?:unknown|not defined)[^']*'([^']+)'")
# How Sinch's samples name a missing field (``to`` is the destination).
_WORDS = {"to": "destination", "voiceName": "voice name"}


def describe(document: Document) -> str:
    """The document as Sinch's numbered outline: one line a command, handlers nested."""
    lines = list(_commands(document.commands, 0))
    if document.events is not None:
        lines.extend(_handlers(document.events, 0))
    return "\n".join(lines)


def _commands(commands: Iterable[Command], depth: int) -> Iterator[str]:
    pad = " " * (_INDENT * depth)
    for number, command in enumerate(commands, 1):
        yield f"{pad}{number}. {_sentence(command)}"
        if isinstance(command, Menu):
            for item in command.menus:
                yield from _menu_item(item, depth)
        events = getattr(command, "events", None)
        if events is not None:
            yield from _handlers(events, depth)


def _handlers(events: Any, depth: int) -> Iterator[str]:
    for name, commands in handlers(events):
        yield f"{' ' * (_INDENT * depth + 1)}* {_words(name.removeprefix('on_'), 'on')}:"
        yield from _commands(commands, depth + 1)


def _menu_item(item: MenuItem, depth: int) -> Iterator[str]:
    yield f"{' ' * (_INDENT * depth + 1)}* menu '{item.name}':"
    inner = depth + 1
    pad = " " * (_INDENT * inner)
    number = 0
    for what, prompt in (("prompt", item.prompt), ("repeat prompt", item.repeat_prompt)):
        if prompt is not None:
            number += 1
            yield f"{pad}{number}. The {what} will play: {_prompt(prompt)}"
    number += 1
    longest = item.maximum_input_length or 1
    timeout = item.input_timeout_duration_seconds or 5
    yield (
        f"{pad}{number}. Up to {longest} digit{'s' if longest != 1 else ''} will be collected, waiting"
        f" {timeout} seconds, repeated {item.repeat_count if item.repeat_count is not None else 2} times"
        " when nothing matches."
    )
    for match in item.matches or ():
        yield f"{' ' * (_INDENT * inner + 1)}* on input '{match.key}':"
        yield from _commands(match.commands, inner + 1)
    if item.on_fail is not None:
        yield f"{' ' * (_INDENT * inner + 1)}* on fail:"
        yield from _commands(item.on_fail, inner + 1)


def _sentence(command: Command) -> str:
    if isinstance(command, Dial):
        named = f" with name '{command.call_name}'" if command.call_name else ""
        text = f"A new call{named} will be initiated to {_endpoint(command.to)}"
        if command.from_ is not None:
            text += f" from {_endpoint(command.from_)}"
        options = []
        if command.dial_timeout_duration_seconds is not None:
            options.append(f"dial timeout set to {_duration(command.dial_timeout_duration_seconds)}")
        if command.max_call_duration_seconds is not None:
            options.append(f"max duration set to {_duration(command.max_call_duration_seconds)}")
        return text + (" with " + " and ".join(options) if options else "") + "."
    if isinstance(command, Messages):
        named = f" (named '{command.messages_name}')" if command.messages_name else ""
        said = " Then ".join(_message(m) for m in command.messages)
        return said[:-1] + named + "." if named else said
    if isinstance(command, StopMessages):
        return f"The messages named '{command.messages_name}' will be stopped."
    if isinstance(command, Webhook):
        return (
            f"The event 'call.webhook.{command.webhook_name}' will be sent to {command.url}, and the call"
            " will wait for its answer."
        )
    if isinstance(command, Amd):
        return "Answering machine detection will run."
    if isinstance(command, Hangup):
        return (
            f"The call '{command.call_name}' will be hung up."
            if command.call_name
            else "The call will be hung up."
        )
    if isinstance(command, Answer):
        return "The call will be answered."
    if isinstance(command, Pause):
        return f"The call will pause for {command.duration_milliseconds} milliseconds."
    if isinstance(command, StartRecording):
        named = f" '{command.recording_name}'" if command.recording_name else ""
        where = command.recording_options.destination_url
        return f"A recording{named} will start, stored at {where}."
    if isinstance(command, StopRecording):
        return f"The recording '{command.recording_name}' will stop."
    if isinstance(command, BridgeCall):
        return f"The call will join the bridge '{command.bridge_name}'."
    if isinstance(command, Menu):
        return f"A menu will start at '{command.start_menu}'."
    if isinstance(command, GotoMenu):
        return f"The menu will go to '{command.menu_name}'."
    return (
        f"The command '{getattr(command, 'command', type(command).__name__)}' will run."  # pragma: no cover
    )


def _message(message: Message) -> str:
    if isinstance(message, Play):
        return f"An audio file will be played from {message.url}."
    if isinstance(message, Say):
        return f"The text '{message.text}' will be spoken with the voice {message.voice_name}."
    return "A message will be played."  # pragma: no cover


def _prompt(prompt: MenuPrompt) -> str:
    return " Then ".join(_message(m) for m in prompt.messages)


def _endpoint(endpoint: object) -> str:
    if isinstance(endpoint, Phone):
        return f"number {endpoint.number}"
    if isinstance(endpoint, Sip):
        return f"SIP address {endpoint.endpoint}"
    if isinstance(endpoint, Stream):
        return f"the stream {endpoint.endpoint}"
    if isinstance(endpoint, VoiceRelay):
        return f"the voice relay {endpoint.endpoint}"
    return f"SIP address {getattr(endpoint, 'endpoint', endpoint)}"


def _duration(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 60:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _words(name: str, prefix: str = "") -> str:
    """``on_answer`` → ``on answer``; ``voiceName`` → ``voice name``."""
    spaced = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).replace("_", " ").lower()
    return f"{prefix} {spaced}".strip()


# -- validate ---------------------------------------------------------------------------------------


def sinch_messages(svaml: Mapping[str, Any], errors: Iterable[Diagnostic]) -> Iterator[str]:
    """Sinch's sentence for each error: which command, and what is wrong with it."""
    for d in errors:
        name = _owner(svaml, d.pointer)
        unknown = _UNKNOWN_COMMAND.search(d.message)
        if unknown is not None:
            yield f"Unknown command '{unknown.group(1)}'."
            continue
        field = _FIELD.search(d.message)
        if field is not None:
            yield f"Invalid {name} command. Missing {_WORDS.get(field.group(1), _words(field.group(1)))}."
            continue
        if d.code in ("S2007", "S2301"):
            prop = _UNKNOWN_PROPERTY.search(d.message)
            found = prop.group(1) if prop is not None else d.pointer.rsplit("/", 1)[-1]
            yield f"Invalid property '{found}' in the {name} command"
            continue
        message = d.message[:1].upper() + d.message[1:]
        yield f"Invalid {name} command. {message.rstrip('.')}."


def _owner(data: Any, pointer: str) -> str:
    """The innermost command (or message type, e.g. ``say``) that ``pointer`` goes through."""
    name = "svaml"
    node = data
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            if isinstance(node.get("command"), str):
                name = node["command"]
            elif isinstance(node.get("type"), str) and node["type"].lower() in ("say", "play"):
                name = node["type"].lower()
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            break
    if isinstance(node, Mapping):
        if isinstance(node.get("command"), str):
            name = node["command"]
        elif isinstance(node.get("type"), str) and node["type"].lower() in ("say", "play"):
            name = node["type"].lower()
    return name

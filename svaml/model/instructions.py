"""The seven SVAML instructions and their sub-objects."""

from __future__ import annotations

from typing import ClassVar

import attrs

from svaml.model._fields import SvamlObject, each, is_, to_tuple

__all__ = [
    "INSTRUCTION_CLASSES",
    "Answer",
    "Instruction",
    "PlayFiles",
    "RecordingOptions",
    "Say",
    "SendDtmf",
    "SetCookie",
    "StartRecording",
    "StopRecording",
    "TranscriptionOptions",
]

_str = is_(str)
_opt_str = is_(str, optional=True)
_opt_bool = is_(bool, optional=True)


@attrs.frozen(kw_only=True)
class PlayFiles(SvamlObject):
    """Play prompts to the caller: URLs, ``#tts[…]``, ``#ssml[…]``, ``#href[…]`` or recorded file ids.

    ``locale`` is required by Sinch when a prompt is TTS or SSML.
    """

    name: ClassVar[str] = "playFiles"
    ids: tuple[str, ...] = attrs.field(converter=to_tuple, validator=each(str))
    locale: str | None = attrs.field(default=None, validator=_opt_str)

    @classmethod
    def of(cls, *ids: str, locale: str | None = None) -> PlayFiles:
        """Make the instruction from prompts given one by one (the builder's ``play_files``)."""
        return cls(ids=ids, locale=locale)


@attrs.frozen(kw_only=True)
class Say(SvamlObject):
    """Speak ``text`` with text-to-speech (at most 600 characters by default)."""

    name: ClassVar[str] = "say"
    text: str = attrs.field(validator=_str, kw_only=False)
    locale: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class SendDtmf(SvamlObject):
    """Send DTMF tones (``0-9``, ``#``, and ``w`` for a 500 ms pause) to the call."""

    name: ClassVar[str] = "sendDtmf"
    value: str = attrs.field(validator=_str, kw_only=False)


@attrs.frozen(kw_only=True)
class SetCookie(SvamlObject):
    """Store a key/value pair that Sinch sends back in every later callback of the call."""

    name: ClassVar[str] = "setCookie"
    key: str = attrs.field(validator=_str, kw_only=False)
    value: str = attrs.field(validator=_str, kw_only=False)


@attrs.frozen(kw_only=True)
class Answer(SvamlObject):
    """Answer the call now (billing starts); ICE responses and call updates only."""

    name: ClassVar[str] = "answer"


@attrs.frozen(kw_only=True)
class TranscriptionOptions(SvamlObject):
    """Whether and in which locale a recording is transcribed."""

    enabled: bool | None = attrs.field(default=None, validator=_opt_bool)
    locale: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class RecordingOptions(SvamlObject):
    """Where and how a call recording is stored.

    ``credentials`` (for S3: ``ACCESSKEY:SECRET:region``) is a secret and never shown in a repr.
    """

    destination_url: str | None = attrs.field(
        default=None, validator=_opt_str, metadata={"aliases": ("destination",)}
    )
    credentials: str | None = attrs.field(
        default=None, validator=_opt_str, repr=lambda value: "***"
    )
    format: str | None = attrs.field(default=None, validator=_opt_str)
    notification_events: bool | None = attrs.field(default=None, validator=_opt_bool)
    transcription_options: TranscriptionOptions | None = attrs.field(
        default=None, validator=is_(TranscriptionOptions, optional=True)
    )


@attrs.frozen(kw_only=True)
class StartRecording(SvamlObject):
    """Start recording the call (also works with ``connectConf``; ignored by ``connectMxp``)."""

    name: ClassVar[str] = "startRecording"
    options: RecordingOptions | None = attrs.field(
        default=None, validator=is_(RecordingOptions, optional=True), kw_only=False
    )


@attrs.frozen(kw_only=True)
class StopRecording(SvamlObject):
    """Stop the recording started by ``startRecording``."""

    name: ClassVar[str] = "stopRecording"


#: Any SVAML instruction.
Instruction = PlayFiles | Say | SendDtmf | SetCookie | Answer | StartRecording | StopRecording

#: Instruction classes by their canonical ``name``.
INSTRUCTION_CLASSES: dict[str, type[Instruction]] = {
    cls.name: cls
    for cls in (PlayFiles, Say, SendDtmf, SetCookie, Answer, StartRecording, StopRecording)
}

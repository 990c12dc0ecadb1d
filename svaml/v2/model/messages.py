"""What v2 plays: ``SAY`` (text-to-speech in a catalogue voice) and ``PLAY`` (a media URL), and menu prompts.

On the wire a message is wrapped like an endpoint: ``{"type": "SAY", "say": {"text": …, "voiceName": …}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from svaml.model._fields import NO_EXTRAS, SvamlObject, is_, to_extras
from svaml.model.enums import member_or_text
from svaml.v2.model.enums import TextFormat

__all__ = ["MESSAGE_CLASSES", "Message", "Play", "Say"]

_str = is_(str)


def _format(value: TextFormat | str | None) -> TextFormat | str | None:
    return None if value is None else member_or_text(TextFormat, value, "format")


@attrs.frozen(kw_only=True)
class Say(SvamlObject):
    """Speak ``text`` (at most 600 characters) in the catalogue voice ``voice_name``; TEXT or SSML."""

    type: ClassVar[str] = "SAY"
    key: ClassVar[str] = "say"
    text: str = attrs.field(validator=_str, kw_only=False)
    voice_name: str = attrs.field(validator=_str)
    format: TextFormat | str | None = attrs.field(default=None, converter=_format)
    wrapper: Mapping[str, Any] = attrs.field(
        default=NO_EXTRAS, converter=to_extras, repr=False, eq=False, hash=False
    )


@attrs.frozen(kw_only=True)
class Play(SvamlObject):
    """Play the audio file at ``url``."""

    type: ClassVar[str] = "PLAY"
    key: ClassVar[str] = "play"
    url: str = attrs.field(validator=_str, kw_only=False)
    wrapper: Mapping[str, Any] = attrs.field(
        default=NO_EXTRAS, converter=to_extras, repr=False, eq=False, hash=False
    )


#: Any message.
Message = Say | Play

#: Message classes by their ``type``.
MESSAGE_CLASSES: dict[str, type[Message]] = {c.type: c for c in (Say, Play)}

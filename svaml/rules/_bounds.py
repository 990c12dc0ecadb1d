"""The documented limits, the one place they are written, and the :class:`Limits` an application may raise.

The limit rules (``_limits``), the strategies and the JSON Schema read them from here.
"""

from __future__ import annotations

import attrs

from svaml.errors import SvamlTypeError

__all__ = ["CONFERENCE_ID_LIMIT", "DEFAULT_LIMITS", "DTMF_KEYS", "MAX_DURATION", "TEXT_LIMIT", "Limits"]

#: The longest call (seconds) Sinch allows in ``maxDuration``.
MAX_DURATION = 14400
#: The most characters of text-to-speech Sinch speaks at a time, by default.
TEXT_LIMIT = 600
#: The longest ``conferenceId``.
CONFERENCE_ID_LIMIT = 64
#: The keys a DTMF string may hold (``w`` is a 500 ms pause).
DTMF_KEYS = "0123456789#w"


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if value.__class__ is not int:
        raise SvamlTypeError(f"limit {attribute.name!r} must be a whole number, not {value!r}")
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"limit {attribute.name!r} must be 1 or more, not {value!r}")


@attrs.frozen(kw_only=True)
class Limits:
    """The limits Sinch support can raise for an application; the rules check these.

    ``say`` is the most characters of text-to-speech Sinch speaks at a time (``say.text``,
    ``ttsCallout.text`` and each ``#tts[…]``/``#ssml[…]`` prompt), 600 unless support raised it.
    ``validate(doc, limits=Limits(say=1200))`` checks a document for such an application. The
    other limits (``maxDuration``, ``conferenceId``) are Sinch's for everyone.
    """

    say: int = attrs.field(default=TEXT_LIMIT, validator=_positive)


#: The limits of an application whose limits support has not raised.
DEFAULT_LIMITS = Limits()

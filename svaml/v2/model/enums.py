"""Enumerated values of SVAML v2, open as in v1: a value Sinch adds later reads and writes back.

Each enum reads in any letter case through v1's :func:`~svaml.model.enums.member_or_text` and writes
its canonical value (upper case on the v2 wire). ``transport`` shares v1's :class:`Transport`.
"""

from __future__ import annotations

from svaml.model.enums import Transport, _SvamlEnum

__all__ = [
    "InputMethod",
    "RecordingDestination",
    "RecordingFormat",
    "RecordingType",
    "StreamCodec",
    "TextFormat",
    "Transport",
]


class TextFormat(_SvamlEnum):
    """How ``say.text`` is read: plain text, or an SSML ``<speak>`` document."""

    TEXT = "TEXT"
    SSML = "SSML"


class RecordingFormat(_SvamlEnum):
    """The audio format of a recording (Sinch's default is MP3)."""

    MP3 = "MP3"
    WAV = "WAV"


class RecordingType(_SvamlEnum):
    """Which audio a recording holds: both directions mixed, or one of them."""

    COMBINED = "COMBINED"
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class RecordingDestination(_SvamlEnum):
    """The cloud storage a recording is uploaded to."""

    AWS = "AWS"
    GCP = "GCP"
    AZURE = "AZURE"


class InputMethod(_SvamlEnum):
    """How a menu collects input (only DTMF exists)."""

    DTMF = "DTMF"


class StreamCodec(_SvamlEnum):
    """The audio codec of a STREAM destination (only PCM exists)."""

    PCM = "PCM"

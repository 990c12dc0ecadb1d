"""svaml: Sinch Voice call control for Python.

Compose SVAML with :class:`Svaml`, check it with :func:`validate`, read callback events, verify
their signatures, and place or change calls with :class:`~svaml.client.VoiceClient`.

The names below load on first use (PEP 562), so ``import svaml`` costs almost nothing and a
program pays only for the parts it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svaml.diagnostic import Diagnostic, Severity
    from svaml.document import Svaml
    from svaml.errors import SvamlError, SvamlTypeError
    from svaml.model import (
        Amd,
        Callback,
        CallHeader,
        ConferenceDtmfOptions,
        Destination,
        Menu,
        MenuOption,
        RecordingOptions,
        StreamingOptions,
        TranscriptionOptions,
        href,
        menu,
        prompts,
        return_,
        ssml,
        tts,
    )
    from svaml.rules import validate
    from svaml.typed import AceSvaml, CallLegSvaml, IceSvaml, PatchSvaml, PieSvaml

__all__ = [
    "AceSvaml",
    "Amd",
    "CallHeader",
    "CallLegSvaml",
    "Callback",
    "ConferenceDtmfOptions",
    "Destination",
    "Diagnostic",
    "IceSvaml",
    "Menu",
    "MenuOption",
    "PatchSvaml",
    "PieSvaml",
    "RecordingOptions",
    "Severity",
    "StreamingOptions",
    "Svaml",
    "SvamlError",
    "SvamlTypeError",
    "TranscriptionOptions",
    "__version__",
    "href",
    "menu",
    "prompts",
    "return_",
    "ssml",
    "tts",
    "validate",
]

__version__ = "0.1.0"

_HOMES = {
    "Diagnostic": "svaml.diagnostic",
    "Severity": "svaml.diagnostic",
    "SvamlError": "svaml.errors",
    "SvamlTypeError": "svaml.errors",
    "validate": "svaml.rules",
    "Svaml": "svaml.document",
    **dict.fromkeys(("AceSvaml", "CallLegSvaml", "IceSvaml", "PatchSvaml", "PieSvaml"), "svaml.typed"),
}


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        module = importlib.import_module(_HOMES.get(name, "svaml.model"))
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'svaml' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

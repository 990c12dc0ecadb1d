"""The SVAML model: frozen attrs classes for every document, action, instruction and sub-object."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from svaml.model.actions import (
    ACTION_CLASSES,
    Action,
    Amd,
    CallHeader,
    ConferenceDtmfOptions,
    ConnectConf,
    ConnectMxp,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Continue,
    Destination,
    Hangup,
    Menu,
    MenuOption,
    Park,
    RunMenu,
    StreamingOptions,
)
from svaml.model.callouts import (
    CALLOUT_CLASSES,
    Callout,
    CalloutRequest,
    ConferenceCallout,
    CustomCallout,
    TtsCallout,
    callout_request,
)
from svaml.model.document import Document
from svaml.model.enums import (
    Capability,
    ConferenceDtmfMode,
    DestinationType,
    Domain,
    Indications,
    Moh,
    Transport,
)
from svaml.model.instructions import (
    INSTRUCTION_CLASSES,
    Answer,
    Instruction,
    PlayFiles,
    RecordingOptions,
    Say,
    SendDtmf,
    SetCookie,
    StartRecording,
    StopRecording,
    TranscriptionOptions,
)
from svaml.model.permissions import ACTIONS_ALLOWED, INSTRUCTIONS_ALLOWED, Callback, callback_of
from svaml.model.strings import href, menu, prompts, return_, ssml, tts

if TYPE_CHECKING:
    from svaml.model.events import (
        EVENT_CLASSES,
        AceEvent,
        AmdReason,
        AmdResult,
        AmdStatus,
        DiceEvent,
        DiceReason,
        DiceResult,
        Event,
        EventDestination,
        IceEvent,
        InputMethod,
        MenuResult,
        MenuResultType,
        NotifyEvent,
        NotifyType,
        PieEvent,
        Price,
    )

__all__ = [
    "ACTIONS_ALLOWED",
    "ACTION_CLASSES",
    "CALLOUT_CLASSES",
    "EVENT_CLASSES",
    "INSTRUCTIONS_ALLOWED",
    "INSTRUCTION_CLASSES",
    "AceEvent",
    "Action",
    "Amd",
    "AmdReason",
    "AmdResult",
    "AmdStatus",
    "Answer",
    "CallHeader",
    "Callback",
    "Callout",
    "CalloutRequest",
    "Capability",
    "ConferenceCallout",
    "ConferenceDtmfMode",
    "ConferenceDtmfOptions",
    "ConnectConf",
    "ConnectMxp",
    "ConnectPstn",
    "ConnectSip",
    "ConnectStream",
    "Continue",
    "CustomCallout",
    "Destination",
    "DestinationType",
    "DiceEvent",
    "DiceReason",
    "DiceResult",
    "Document",
    "Domain",
    "Event",
    "EventDestination",
    "Hangup",
    "IceEvent",
    "Indications",
    "InputMethod",
    "Instruction",
    "Menu",
    "MenuOption",
    "MenuResult",
    "MenuResultType",
    "Moh",
    "NotifyEvent",
    "NotifyType",
    "Park",
    "PieEvent",
    "PlayFiles",
    "Price",
    "RecordingOptions",
    "RunMenu",
    "Say",
    "SendDtmf",
    "SetCookie",
    "StartRecording",
    "StopRecording",
    "StreamingOptions",
    "TranscriptionOptions",
    "Transport",
    "TtsCallout",
    "callback_of",
    "callout_request",
    "href",
    "menu",
    "prompts",
    "return_",
    "ssml",
    "tts",
]


def __getattr__(name: str) -> Any:
    # The events load on first use (PEP 562): building and checking a document never needs them.
    if name in __all__:
        value = getattr(importlib.import_module("svaml.model.events"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'svaml.model' has no attribute {name!r}")

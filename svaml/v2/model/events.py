"""The names of v2 webhook events, and which handler of which command stands for each (reference §4).

The events themselves (CloudEvents bodies) are the subject of a later issue; the names are data
the rules read: a handler fires where a webhook would have been sent.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CUSTOM_PREFIX", "EVENT_NAMES", "HANDLER_EVENTS", "event_name"]

#: The prefix of the event a ``webhook`` command sends: ``call.webhook.<webhookName>``.
CUSTOM_PREFIX = "call.webhook."

#: The 15 named events of Voice API v2 (besides ``call.webhook.*``).
EVENT_NAMES: tuple[str, ...] = (
    "call.incoming",
    "call.answered",
    "call.busy",
    "call.rejected",
    "call.timeout",
    "call.hangup",
    "call.failed",
    "call.amd.human",
    "call.amd.machine",
    "call.amd.beep",
    "call.amd.unknown",
    "call.message.finished",
    "call.recording.finished",
    "call.recording.failed",
    "call.menu",
)

#: The event each handler stands for, by command and handler (JSON names): sent to the service
#: webhook instead when the command has no ``events`` property.
HANDLER_EVENTS: Mapping[str, Mapping[str, str]] = {
    "dial": {
        "onAnswer": "call.answered",
        "onBusy": "call.busy",
        "onReject": "call.rejected",
        "onTimeout": "call.timeout",
        "onHangup": "call.hangup",
        "onFailure": "call.failed",
    },
    "amd": {
        "onHuman": "call.amd.human",
        "onMachine": "call.amd.machine",
        "onBeep": "call.amd.beep",
        "onUnknown": "call.amd.unknown",
    },
    "messages": {"onFinish": "call.message.finished"},
    "startRecording": {"onFinish": "call.recording.finished", "onFailure": "call.recording.failed"},
    "menu": {"matches": "call.menu", "onFail": "call.menu"},
    "document": {"onHangup": "call.hangup"},
}

# Sinch's Python and Java SDKs rename custom events on parse (reference D4).
_SDK_CUSTOM_PREFIX = "call.customEvent."


def event_name(name: str) -> str:
    """Return an event name as the wire spells it: ``call.customEvent.x`` (SDKs) is ``call.webhook.x``."""
    if name.startswith(_SDK_CUSTOM_PREFIX):
        return CUSTOM_PREFIX + name[len(_SDK_CUSTOM_PREFIX) :]
    return name

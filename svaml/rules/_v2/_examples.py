"""The parts the v2 rules' examples are made of."""

from __future__ import annotations

from typing import Any

__all__ = ["PHONE", "dial", "doc", "menu", "say"]

#: A Swedish mobile number.
PHONE = "+46701234567"


def doc(*commands: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A v2 document of ``commands`` (and top-level ``fields``)."""
    return {"commands": list(commands), **fields}


def say(text: str = "Welcome to Acme.", voice: str = "Emma", **fields: Any) -> dict[str, Any]:
    """A SAY message."""
    return {"type": "SAY", "say": {"text": text, "voiceName": voice, **fields}}


def dial(number: str = PHONE, **fields: Any) -> dict[str, Any]:
    """A dial command to a phone number."""
    return {"command": "dial", "to": {"type": "PHONE", "phone": {"number": number}}, **fields}


def menu(start: str = "main", **items: dict[str, Any]) -> dict[str, Any]:
    """A menu command of ``items`` (by name)."""
    return {"command": "menu", "startMenu": start, "menus": items or {"main": {}}}

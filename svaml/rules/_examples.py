"""The parts the rules' examples are made of, shared by the rule modules."""

from __future__ import annotations

from typing import Any

__all__ = ["PSTN", "RECORD"]

#: A connectPstn action to a Swedish mobile number.
PSTN: dict[str, Any] = {"name": "connectPstn", "number": "+46701234567"}

#: A startRecording instruction to an S3 bucket (the credentials are placeholders).
RECORD: dict[str, Any] = {
    "name": "startRecording",
    "options": {"destinationUrl": "s3://bucket/calls", "credentials": "KEY:SECRET:eu-west-1"},
}

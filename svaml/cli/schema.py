"""``svaml schema``: print svaml's JSON Schema of SVAML (per callback, or v2), or of callout requests."""

from __future__ import annotations

import argparse
import sys

from svaml.cli._messages import error
from svaml.cli.config import ConfigError, load_config
from svaml.model.permissions import ACTIONS_ALLOWED, Callback
from svaml.schema import callout_schema, document_schema, dumps
from svaml.v2.schema import document_schema as v2_schema

__all__ = ["SCHEMA_CALLBACKS", "schema"]

#: What ``--callback`` names: the callbacks a SVAML document answers, and ``callout``.
SCHEMA_CALLBACKS = (
    *(cb.value for cb in Callback if any(cb in allowed for allowed in ACTIONS_ALLOWED.values())),
    "callout",
)


def schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema asked for on standard output; return the exit status."""
    try:
        limits = load_config().limits
    except ConfigError as exc:
        error(str(exc))
        return 2
    callback = getattr(args, "callback", None)
    strict = bool(getattr(args, "strict", False))
    if getattr(args, "svaml_version", "1") == "2":
        if callback is not None:
            error("--callback is for SVAML v1 documents; a v2 document has none")
            return 2
        made = v2_schema(strict=strict)
    elif callback == "callout":
        made = callout_schema(strict=strict, limits=limits)
    else:
        made = document_schema(callback, strict=strict, limits=limits)
    sys.stdout.write(dumps(made))
    return 0

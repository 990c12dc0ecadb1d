"""``svaml schema``: print svaml's JSON Schema of SVAML."""

from __future__ import annotations

import argparse
import json
import sys

from svaml.schema import document_schema

__all__ = ["schema"]


def schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of a SVAML document on standard output; return the exit status."""
    sys.stdout.write(json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n")
    return 0

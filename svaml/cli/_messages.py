"""How the command line speaks on standard error: ``svaml: error: …`` and ``svaml: …``."""

from __future__ import annotations

import sys


def error(message: str) -> None:
    """Write an error message to standard error."""
    sys.stderr.write(f"svaml: error: {message}\n")


def note(message: str) -> None:
    """Write a note or a warning to standard error."""
    sys.stderr.write(f"svaml: {message}\n")

"""How the command line speaks on standard error: ``svaml: error: …`` and ``svaml: …``."""

from __future__ import annotations

import sys


def printable(text: str) -> str:
    r"""``text`` as any UTF-8 stream takes it: a name's bytes that are not UTF-8 become U+FFFD, as in ruff.

    Python reads such bytes of a file name as lone surrogates (``surrogateescape``); a lone
    surrogate a JSON escape made (``"\ud800"``) is not a name's byte, and is written ``\ud800``.
    """
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error(message: str) -> None:
    """Write an error message to standard error."""
    sys.stderr.write(f"svaml: error: {printable(message)}\n")


def note(message: str) -> None:
    """Write a note or a warning to standard error."""
    sys.stderr.write(f"svaml: {printable(message)}\n")

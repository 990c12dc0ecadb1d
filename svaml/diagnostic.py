"""Diagnostics: what the validator, the codec and the linter report, as data."""

from __future__ import annotations

import enum
from typing import Any, Literal

import attrs

__all__ = [
    "Applicability",
    "Diagnostic",
    "Edit",
    "Fix",
    "Severity",
    "escape_pointer",
    "pointer",
    "unescape_pointer",
]


class Severity(str, enum.Enum):
    """How bad a diagnostic is: an error breaks the call, a warning is doubtful or non-canonical."""

    ERROR = "error"
    WARNING = "warning"


class Applicability(str, enum.Enum):
    """Whether a fix keeps the document's meaning: ``--fix`` applies safe fixes, ``--unsafe-fixes`` both."""

    SAFE = "safe"
    UNSAFE = "unsafe"

    @property
    def flags(self) -> str:
        """The ``svaml lint`` flags that apply a fix of this applicability."""
        return "--fix" if self is Applicability.SAFE else "--fix --unsafe-fixes"


@attrs.frozen(kw_only=True)
class Edit:
    """One JSON Patch (RFC 6902) operation on the decoded document.

    ``add``, ``replace`` and ``remove`` act at ``path`` (with ``value``); ``move`` takes the value
    at ``from_`` (``from`` in JSON Patch) and puts it at ``path``.
    """

    op: Literal["add", "move", "remove", "replace"]
    path: str
    value: Any = None
    from_: str | None = None


@attrs.frozen(kw_only=True)
class Fix:
    """How to repair a diagnostic.

    A description, the edits that do it (applied in order), and whether the repair surely keeps the
    document's meaning (``applicability``).
    """

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability


@attrs.frozen(kw_only=True)
class Diagnostic:
    """One problem found in a SVAML document or a callout request.

    ``pointer`` is the RFC 6901 JSON pointer of the offending value (``""`` for the whole
    document). ``line`` and ``column`` (1-based) are set when the input was JSON text.
    """

    code: str
    name: str
    severity: Severity
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None

    @property
    def fixable(self) -> bool:
        """Whether the diagnostic carries a fix."""
        return self.fix is not None

    def describe(self) -> str:
        """One line: where, code, message, as the builder's and reader's errors print it."""
        where = self.pointer or "/"
        if self.line is not None:
            where = f"{self.line}:{self.column}: {where}"
        return f"{where}: {self.message} [{self.code}]"


def escape_pointer(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer(token: str) -> str:
    """Read one escaped reference token of a JSON pointer back (RFC 6901); see :func:`escape_pointer`."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str | int) -> str:
    """Join reference tokens into a JSON pointer: ``pointer("action", "menus", 0) == "/action/menus/0"``."""
    out = ""
    for token in tokens:
        out += "/" + escape_pointer(token)
    return out

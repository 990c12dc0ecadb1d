"""SVAML in Markdown: find the fenced ``json`` blocks that hold SVAML, and check them in place.

A block holds SVAML when it decodes to an object with ``action`` or ``instructions`` (a
document), with a ``name`` that is an action or an instruction (a bare action or instruction,
checked wrapped into a document), or with a callout ``method`` (a callout request). Other JSON
blocks are skipped; so is a block whose JSON is invalid, unless its text plainly is SVAML.
Diagnostics are reported at Markdown lines and columns, with pointers into the block's own JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs

from svaml._json import Decoded, decode
from svaml._jsontext import locate_many
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CALLOUT_CLASSES
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.rules import validate

if TYPE_CHECKING:
    from svaml.diagnostic import Diagnostic

__all__ = [
    "ACTION_NAMES",
    "CALLOUT_METHODS",
    "INSTRUCTION_NAMES",
    "Block",
    "BlockReport",
    "Kind",
    "check_decoded",
    "check_document",
    "check_fragment",
    "check_markdown",
    "json_blocks",
    "looks_like_svaml",
    "place",
    "svaml_kind",
    "unwrap_value",
    "wrap_text",
    "wrap_value",
]

#: What a block holds: a whole document, a bare action, a bare instruction, or a callout request.
Kind = Literal["document", "action", "instruction", "callout"]

#: SVAML action names (canonical spelling).
ACTION_NAMES = frozenset(ACTION_CLASSES)
#: SVAML instruction names (canonical spelling).
INSTRUCTION_NAMES = frozenset(INSTRUCTION_CLASSES)
#: The ``method`` of a callout request body.
CALLOUT_METHODS = frozenset(CALLOUT_CLASSES)

_ACTIONS = {name.casefold() for name in ACTION_NAMES}
_INSTRUCTIONS = {name.casefold() for name in INSTRUCTION_NAMES}
_CALLOUTS = {name.casefold() for name in CALLOUT_METHODS}

_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*(.*?)[ \t]*$")
# An invalid block is reported only when its text plainly is SVAML.
_LOOKS_LIKE_SVAML = re.compile(
    r'"(?:action|instructions)"\s*:|"method"\s*:\s*"(?:' + "|".join(sorted(CALLOUT_METHODS)) + ')"', re.I
)

# A bare action or instruction is checked inside a document; the prefix stays on the block's
# first line, so only that line's columns shift. An instruction gets `continue`, the action
# that says least about it (`hangup` would make a bare startRecording look useless).
_ACTION_PREFIX = '{"action": '
_INSTRUCTION_PREFIX = '{"action": {"name": "continue"}, "instructions": ['
_WRAPS: Mapping[str, tuple[str, str, str]] = {
    "action": (_ACTION_PREFIX, "\n}", "/action"),
    "instruction": (_INSTRUCTION_PREFIX, "\n]}", "/instructions/0"),
}


class Block(NamedTuple):
    """One fenced ``json`` block: its content and where that content lies in the Markdown.

    ``line`` is the Markdown line (1-based) of the first content line; ``start`` and ``end``
    are the offsets of the content in the Markdown text; ``removed`` is, for each content line,
    how many characters of the fence's indentation were taken off its start.
    """

    text: str
    line: int
    start: int
    end: int
    indent: str
    removed: tuple[int, ...]

    def position(self, line: int, column: int) -> tuple[int, int]:
        """Turn a line and column in the block's text into a line and column in the Markdown."""
        index = min(max(line, 1), len(self.removed) or 1) - 1
        shift = self.removed[index] if self.removed else 0
        return self.line + line - 1, column + shift


class BlockReport(NamedTuple):
    """The diagnostics of one block that holds SVAML, at Markdown positions."""

    block: Block
    kind: Kind
    diagnostics: list[Diagnostic]


def json_blocks(markdown: str) -> list[Block]:
    """Find every fenced code block whose info string is ``json`` (any letter case)."""
    blocks: list[Block] = []
    lines = markdown.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _OPEN.match(line.rstrip("\r\n"))
        index += 1
        offset += len(line)
        if match is None:
            continue
        indent, fence, info = match.groups()
        if fence[0] == "`" and "`" in info:
            continue  # not a fence: an inline code span
        closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        start = offset
        content: list[str] = []
        removed: list[int] = []
        first_line = index + 1
        while index < len(lines) and not closing.match(lines[index].rstrip("\r\n")):
            text = lines[index]
            cut = 0
            while cut < len(indent) and cut < len(text) and text[cut] in " \t":
                cut += 1
            content.append(text[cut:])
            removed.append(cut)
            offset += len(text)
            index += 1
        end = offset
        if index < len(lines):
            offset += len(lines[index])
            index += 1
        words = info.split()
        if words and words[0].casefold() == "json":
            blocks.append(Block("".join(content), first_line, start, end, indent, tuple(removed)))
    return blocks


def svaml_kind(value: Any) -> Kind | None:
    """Say what SVAML a decoded JSON value holds, or None when it holds none."""
    if not isinstance(value, dict):
        return None
    if "action" in value or "instructions" in value:
        return "document"
    method = value.get("method")
    if isinstance(method, str) and method.casefold() in _CALLOUTS:
        return "callout"
    name = value.get("name")
    if isinstance(name, str):
        folded = name.casefold()
        if folded in _ACTIONS:
            return "action"
        if folded in _INSTRUCTIONS:
            return "instruction"
    return None


def looks_like_svaml(text: str) -> bool:
    """Say whether text that is not valid JSON is plainly meant as SVAML."""
    return _LOOKS_LIKE_SVAML.search(text) is not None


def wrap_text(text: str, kind: Kind) -> tuple[str, int, str]:
    """Wrap the text of a bare action or instruction into a document.

    Returns the document text, how many characters were added before the first line, and the
    pointer of the block's value inside the document.
    """
    if kind not in _WRAPS:
        return text, 0, ""
    prefix, suffix, inner = _WRAPS[kind]
    return prefix + text + suffix, len(prefix), inner


def wrap_value(value: Any, kind: Kind) -> tuple[Any, str]:
    """Wrap a decoded bare action or instruction into a document; return it and the pointer."""
    if kind == "action":
        return {"action": value}, "/action"
    if kind == "instruction":
        return {"action": {"name": "continue"}, "instructions": [value]}, "/instructions/0"
    return value, ""


def unwrap_value(document: Any, kind: Kind) -> Any:
    """Take a bare action or instruction back out of the document :func:`wrap_value` made."""
    if kind == "action":
        return document["action"]
    if kind == "instruction":
        return document["instructions"][0]
    return document


def check_document(text: str, *, callback: str | None = None) -> list[Diagnostic]:
    """Validate JSON text and make sure every diagnostic has a line and column."""
    return place(text, validate(text, callback=callback))


def check_decoded(
    text: str, decoded: Decoded, kind: Kind, *, callback: str | None = None
) -> list[Diagnostic]:
    """Check text already decoded, without decoding it again when it need not be."""
    if decoded.problem is not None or decoded.duplicates or kind in _WRAPS:
        return check_fragment(text, kind, callback=callback)
    return place(text, validate(decoded.value, callback=callback))


def place(text: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Fill in the line and column of diagnostics that lack them, from their pointers."""
    missing = [d.pointer for d in diagnostics if d.line is None]
    if not missing:
        return diagnostics
    spans = locate_many(text, missing, nearest=True)
    placed = []
    for diagnostic in diagnostics:
        if diagnostic.line is None:
            span = spans.get(diagnostic.pointer)
            if span is None:
                diagnostic = attrs.evolve(diagnostic, line=1, column=1)
            else:
                diagnostic = attrs.evolve(
                    diagnostic,
                    line=span.line,
                    column=span.column,
                    end_line=span.end_line,
                    end_column=span.end_column,
                )
        placed.append(diagnostic)
    return placed


def check_markdown(markdown: str, *, callback: str | None = None) -> list[BlockReport]:
    """Check every ``json`` block of a Markdown text that holds SVAML."""
    reports = []
    for block in json_blocks(markdown):
        decoded = decode(block.text)
        kind: Kind | None = "document"
        if decoded.problem is not None:
            if not looks_like_svaml(block.text):
                continue
        else:
            kind = svaml_kind(decoded.value)
        if kind is None:
            continue
        diagnostics = _check_block(block, decoded, kind, callback)
        reports.append(BlockReport(block, kind, diagnostics))
    return reports


def check_fragment(text: str, kind: Kind, *, callback: str | None = None) -> list[Diagnostic]:
    """Check JSON text holding ``kind``: a bare action or instruction is checked wrapped.

    Positions and pointers are those of the text itself; diagnostics about the wrapper alone
    are dropped.
    """
    wrapped, shift, inner = wrap_text(text, kind)
    if not inner:
        return check_document(text, callback=callback)
    found = []
    for diagnostic in check_document(wrapped, callback=callback):
        pointer = diagnostic.pointer
        if pointer != inner and not pointer.startswith(inner + "/"):
            continue  # about the wrapper, not the text
        line, column = diagnostic.line, diagnostic.column
        end_line, end_column = diagnostic.end_line, diagnostic.end_column
        if line == 1 and column is not None:
            column = max(1, column - shift)
        if end_line == 1 and end_column is not None:
            end_column = max(1, end_column - shift)
        found.append(
            attrs.evolve(
                diagnostic,
                pointer=pointer[len(inner) :],
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
            )
        )
    return found


def _check_block(block: Block, decoded: Decoded, kind: Kind, callback: str | None) -> list[Diagnostic]:
    found = []
    for diagnostic in check_decoded(block.text, decoded, kind, callback=callback):
        line, column = block.position(diagnostic.line or 1, diagnostic.column or 1)
        end_line, end_column = diagnostic.end_line, diagnostic.end_column
        if end_line is not None and end_column is not None:
            end_line, end_column = block.position(end_line, end_column)
        found.append(
            attrs.evolve(diagnostic, line=line, column=column, end_line=end_line, end_column=end_column)
        )
    return found

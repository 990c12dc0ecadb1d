"""SVAML in Markdown: find the fenced ``json`` and ``jsonc`` blocks that hold SVAML, and check them in place.

A block holds SVAML when it decodes to an object with ``action`` or ``instructions`` (a
document), with a ``name`` that is an action or an instruction (a bare action or instruction,
checked wrapped into a document), or with a callout ``method`` (a callout request). Other JSON
blocks are skipped; so is a block whose JSON is invalid, unless its text plainly is SVAML.
Diagnostics are reported at Markdown lines and columns, with pointers into the block's own JSON.

A block may say which callback it answers, which makes it SVAML whatever it holds: a callback
word in its info string (```` ```json ice ````), a file-name title (``title="menu.ice.json"``,
read as ``svaml lint`` reads file names), or an HTML comment just before it
(``<!-- svaml: callback=ice -->``, see :mod:`svaml.cli.directives`, which also reads the
``ignore[...]`` suppressions there). What the block says beats the command line's callback.
``jsonc`` blocks are JSONC: comments and trailing commas are allowed, and their
``// svaml: ignore[...]`` comments suppress codes line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs

from svaml._json import Decoded, decode, decode_jsonc
from svaml._jsontext import locate_many
from svaml.cli.config import CALLBACKS, callback_from_name
from svaml.cli.directives import (
    Suppression,
    invalid,
    jsonc_suppressions,
    read_directive,
    suppress,
    verb_slip_message,
)
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CALLOUT_CLASSES
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.rules import Limits, validate
from svaml.rules._validate import json_diagnostics
from svaml.snippets import VERBS

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from svaml.diagnostic import Diagnostic

__all__ = [
    "ACTION_NAMES",
    "CALLOUT_METHODS",
    "INSTRUCTION_NAMES",
    "Block",
    "BlockReport",
    "Kind",
    "Note",
    "Statement",
    "SvamlBlock",
    "check_decoded",
    "check_document",
    "check_fragment",
    "check_markdown",
    "fenced_blocks",
    "json_blocks",
    "lint_markdown",
    "looks_like_svaml",
    "place",
    "statement",
    "svaml_blocks",
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
    r'"(?:action|instructions)"\s*:|"commands"\s*:\s*\[|"method"\s*:\s*"(?:'
    + "|".join(sorted(CALLOUT_METHODS))
    + ')"',
    re.I,
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


class Note(NamedTuple):
    """A ``svaml:`` HTML comment of a Markdown page: its text, which starts at ``line``:``column``."""

    text: str
    line: int
    column: int


class Block(NamedTuple):
    """One fenced block: its content and where that content lies in the Markdown.

    ``line`` is the Markdown line (1-based) of the first content line; ``start`` and ``end``
    are the offsets of the content in the Markdown text; ``removed`` is, for each content line,
    how many characters of the fence's indentation were taken off its start. ``info`` is the
    fence's info string, and ``notes`` the ``svaml:`` HTML comments just before the fence.
    """

    text: str
    line: int
    start: int
    end: int
    indent: str
    removed: tuple[int, ...]
    info: str = "json"
    notes: tuple[Note, ...] = ()

    @property
    def language(self) -> str:
        """The first word of the info string, in lower case: ``json``, ``jsonc``, ``python``…."""
        words = self.info.split()
        return words[0].casefold() if words else ""

    @property
    def jsonc(self) -> bool:
        """Whether the block is JSONC (comments and trailing commas allowed)."""
        return self.language == "jsonc"

    def position(self, line: int, column: int) -> tuple[int, int]:
        """Turn a line and column in the block's text into a line and column in the Markdown."""
        index = min(max(line, 1), len(self.removed) or 1) - 1
        shift = self.removed[index] if self.removed else 0
        return self.line + line - 1, column + shift


class BlockReport(NamedTuple):
    """The diagnostics of one block that holds SVAML, at Markdown positions (none suppressed yet)."""

    block: Block
    kind: Kind
    diagnostics: list[Diagnostic]
    callback: str | None = None
    suppressions: tuple[Suppression, ...] = ()


_COMMENT = re.compile(r"[ \t]*<!--")
# A comment that starts with a snippet verb (``svaml: render …``) is a marker of ``svaml docs sync``
# (svaml.snippets), not the linter's. Verbs are matched as docs sync reads them, in their case.
_SVAML_NOTE = re.compile(r"\s*svaml\s*:(?!\s*(?-i:" + "|".join(VERBS) + r")(?:\s|$))", re.I)


def fenced_blocks(markdown: str) -> tuple[list[Block], list[Note]]:
    """Find every fenced code block, with the ``svaml:`` HTML comments just before each.

    Also returns the ``svaml:`` comments that come before no fenced block (other text, or the
    end of the page, follows them).
    """
    blocks: list[Block] = []
    stray: list[Note] = []
    notes: list[Note] = []
    lines = markdown.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        comment = _COMMENT.match(line)
        if comment is not None:
            close = markdown.find("-->", offset + comment.end())
            line_end = markdown.find("\n", close) if close >= 0 else -1
            line_end = len(markdown) if line_end < 0 else line_end + 1
            body = markdown[offset + comment.end() : close]
            followed = bool(markdown[close + 3 : line_end].strip())
            if close >= 0 and followed and _SVAML_NOTE.match(body):
                stray.append(Note(body, index + 1, comment.end() + 1))  # text follows it on its line
            elif close >= 0 and not followed:
                if _SVAML_NOTE.match(body):
                    notes.append(Note(body, index + 1, comment.end() + 1))
                while index < len(lines) and offset < line_end:
                    offset += len(lines[index])
                    index += 1
                continue
        match = _OPEN.match(line.rstrip("\r\n"))
        index += 1
        offset += len(line)
        if match is None:
            if line.strip():
                stray.extend(notes)
                notes = []
            continue
        indent, fence, info = match.groups()
        if fence[0] == "`" and "`" in info:
            stray.extend(notes)
            notes = []
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
        block = Block("".join(content), first_line, start, end, indent, tuple(removed), info, tuple(notes))
        blocks.append(block)
        notes = []
    stray.extend(notes)
    return blocks, stray


def json_blocks(markdown: str) -> list[Block]:
    """Find every fenced code block whose info string is ``json`` or ``jsonc`` (any letter case)."""
    return [block for block in fenced_blocks(markdown)[0] if block.language in ("json", "jsonc")]


class Statement(NamedTuple):
    """What a block says about itself: its callback, its block-wide suppressions, and what is wrong there."""

    callback: str | None
    suppressions: tuple[Suppression, ...]
    problems: tuple[Diagnostic, ...]
    explicit: bool  # it says something (a callback or a svaml: comment): it is SVAML


_TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""", re.I)


def statement(block: Block) -> Statement:
    """Read what a block says in its info string and the ``svaml:`` comments before it."""
    problems: list[Diagnostic] = []
    fence_line = block.line - 1
    said: list[str] = []
    title = _TITLE.search(block.info)
    if title is not None:
        named = callback_from_name(title.group(1) or title.group(2) or title.group(3) or "")
        if named is not None:
            said.append(named)
    words = _TITLE.sub(" ", block.info).split()[1:]
    said.extend(word.casefold() for word in words if word.casefold() in CALLBACKS)
    callback = said[0] if said else None
    if len(set(said)) > 1:
        message = f"the info string names two callbacks: {' and '.join(dict.fromkeys(said))}"
        problems.append(invalid(message, fence_line, len(block.indent) + 1))
    suppressions: list[Suppression] = []
    last = block.line + max(len(block.removed), 1) - 1
    for note in block.notes:
        directive = read_directive(note.text, note.line, note.column, callbacks=True)
        if directive is None:  # pragma: no cover - notes are svaml: comments
            continue
        problems.extend(directive.problems)
        if directive.callback is not None:
            if callback is not None and directive.callback != callback:
                message = (
                    f"the comment says callback={directive.callback} but the block says {callback}: "
                    "they must agree"
                )
                problems.append(invalid(message, *directive.callback_at, len(directive.callback)))
            else:
                callback = directive.callback
        for code, line, column in directive.codes:
            suppressions.append(Suppression(code, block.line, last, line, column, "in this block"))
    return Statement(callback, tuple(suppressions), tuple(problems), bool(said or block.notes))


def svaml_kind(value: Any) -> Kind | None:
    """Say what SVAML a decoded JSON value holds, or None when it holds none."""
    if not isinstance(value, dict):
        return None
    if "action" in value or "instructions" in value or isinstance(value.get("commands"), list):
        return "document"  # v1, or v2 (a top-level commands list)
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


def check_document(
    text: str,
    *,
    callback: str | None = None,
    limits: Limits | None = None,
    version: int | None = None,
    strict: bool = False,
    use: str | None = None,
) -> list[Diagnostic]:
    """Validate JSON text and make sure every diagnostic has a line and column."""
    found = validate(
        text, callback=callback, limits=limits, version=version, strict=strict, max_bytes=None, use=use
    )
    return place(text, found)


def check_decoded(
    text: str,
    decoded: Decoded,
    kind: Kind,
    *,
    callback: str | None = None,
    limits: Limits | None = None,
    version: int | None = None,
    strict: bool = False,
    use: str | None = None,
) -> list[Diagnostic]:
    """Check text already decoded, without decoding it again when it need not be.

    ``text`` must be what was decoded (``decoded.text``: for JSONC, its comments are blanked).
    ``version`` (1 or 2), ``strict`` and ``use`` (where a v2 document is used) are
    :func:`svaml.rules.validate`'s.
    """
    if decoded.problem is not None:
        return json_diagnostics(decoded)
    if kind == "document" and decoded.duplicates:
        return check_document(
            text, callback=callback, limits=limits, version=version, strict=strict, use=use
        )
    if decoded.duplicates or kind in _WRAPS:
        return check_fragment(text, kind, callback=callback, limits=limits)
    # Located in the text as validate(text) locates them (an unknown field on its key).
    found = validate(decoded, callback=callback, limits=limits, version=version, strict=strict, use=use)
    return place(text, found)


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


class SvamlBlock(NamedTuple):
    """A Markdown block that holds SVAML: what it holds, the callback it answers, what it says."""

    block: Block
    decoded: Decoded
    kind: Kind
    callback: str | None
    statement: Statement


def svaml_blocks(blocks: Iterable[Block], *, callback: str | None = None) -> Iterator[SvamlBlock]:
    """Pick the ``json`` and ``jsonc`` blocks that hold SVAML, each with the callback it answers.

    A block that says something about itself (a callback, a ``svaml:`` comment) is SVAML
    whatever it holds; its callback beats ``callback``, the page's.
    """
    for block in blocks:
        if block.language not in ("json", "jsonc"):
            continue
        said = statement(block)
        read = decode_jsonc if block.jsonc else decode
        decoded = read(block.text, max_bytes=None)  # the file is within the linter's own limit
        kind: Kind | None = "document"
        if decoded.problem is not None:
            if not (said.explicit or looks_like_svaml(block.text)):
                continue
        else:
            kind = svaml_kind(decoded.value) or ("document" if said.explicit else None)
        if kind is not None:
            yield SvamlBlock(block, decoded, kind, said.callback or callback, said)


def check_markdown(
    markdown: str, *, callback: str | None = None, limits: Limits | None = None
) -> list[BlockReport]:
    """Check every ``json`` and ``jsonc`` block of a Markdown text that holds SVAML.

    Each report holds the block's diagnostics (suppressions not yet applied: see
    :func:`lint_markdown`) and its suppressions.
    """
    return _check_blocks(fenced_blocks(markdown)[0], callback, limits)


def _check_blocks(blocks: list[Block], callback: str | None, limits: Limits | None) -> list[BlockReport]:
    reports = []
    for found in svaml_blocks(blocks, callback=callback):
        block = found.block
        diagnostics = _check_block(block, found.decoded, found.kind, found.callback, limits)
        diagnostics.extend(found.statement.problems)
        suppressions = list(found.statement.suppressions)
        if block.jsonc:
            inner, problems = jsonc_suppressions(block.text)
            for s in inner:
                line, column = block.position(s.line, s.column)
                target = s.first + block.line - 1
                suppressions.append(Suppression(s.code, target, target, line, column, f"on line {target}"))
            for d in problems:
                line, column = block.position(d.line or 1, d.column or 1)
                end_column = column + (d.end_column or 0) - (d.column or 0)
                moved = attrs.evolve(d, line=line, column=column, end_line=line, end_column=end_column)
                diagnostics.append(moved)
        if found.decoded.problem is not None:
            # No rule ran: whether a suppression of anything but SV001 is used cannot be told.
            suppressions = [s for s in suppressions if s.code == "SV001"]
        reports.append(BlockReport(block, found.kind, diagnostics, found.callback, tuple(suppressions)))
    return reports


def lint_markdown(
    markdown: str, *, callback: str | None = None, enabled: Collection[str], limits: Limits | None = None
) -> list[Diagnostic]:
    """Check a Markdown text as ``svaml lint`` does: every SVAML block, with its suppressions applied.

    ``enabled`` holds the codes selected for the file: a suppression of one of them that
    suppresses nothing is reported (SV010). So is a ``svaml:`` comment before no ``json`` or
    ``jsonc`` block (SV011).
    """
    blocks, stray = fenced_blocks(markdown)
    found: list[Diagnostic] = []
    suppressions: list[Suppression] = []
    for report in _check_blocks(blocks, callback, limits):
        found.extend(report.diagnostics)
        suppressions.extend(report.suppressions)
    others = [note for block in blocks if block.language not in ("json", "jsonc") for note in block.notes]
    for note in sorted([*stray, *others], key=lambda n: n.line):
        message = verb_slip_message(note.text) or (
            "this svaml: comment is before no json or jsonc block, so it applies to nothing"
        )
        found.append(invalid(message, note.line, note.column, len(note.text.strip())))
    return suppress(found, suppressions, enabled)


def check_fragment(
    text: str, kind: Kind, *, callback: str | None = None, limits: Limits | None = None
) -> list[Diagnostic]:
    """Check JSON text holding ``kind``: a bare action or instruction is checked wrapped.

    Positions and pointers are those of the text itself; diagnostics about the wrapper alone
    are dropped.
    """
    wrapped, shift, inner = wrap_text(text, kind)
    if not inner:
        return check_document(text, callback=callback, limits=limits)
    found = []
    for diagnostic in check_document(wrapped, callback=callback, limits=limits):
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


def _check_block(
    block: Block, decoded: Decoded, kind: Kind, callback: str | None, limits: Limits | None
) -> list[Diagnostic]:
    found = []
    # decoded.text is the block's JSON (JSONC with its comments blanked): positions stay true.
    for diagnostic in check_decoded(decoded.text, decoded, kind, callback=callback, limits=limits):
        line, column = block.position(diagnostic.line or 1, diagnostic.column or 1)
        end_line, end_column = diagnostic.end_line, diagnostic.end_column
        if end_line is not None and end_column is not None:
            end_line, end_column = block.position(end_line, end_column)
        found.append(
            attrs.evolve(diagnostic, line=line, column=column, end_line=end_line, end_column=end_column)
        )
    return found

"""``svaml:`` comments: a Markdown block's callback, and suppressions of one code at one place.

A comment whose text starts with ``svaml:`` speaks to the linter. It holds ``ignore[CODES]``
(rule codes, comma-separated) and, before a Markdown block only, ``callback=NAME``:

- in JSONC, ``// svaml: ignore[SV401]`` (or ``/* ... */``) on a line that holds JSON suppresses
  those codes on that line; alone on its line it suppresses them on the next line that holds
  JSON. A diagnostic is on the line where it starts.
- in Markdown, ``<!-- svaml: ignore[SV401] -->`` just before a ``json`` or ``jsonc`` block (blank
  lines may come between) suppresses those codes in the whole block.

A suppression that suppresses nothing is reported as SV010, a comment svaml cannot read (an
unknown code or callback, bad syntax) as SV011; neither can be suppressed by a comment.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from svaml._jsontext import blank_jsonc, comment_spans, locate_many, position
from svaml.cli.config import CALLBACKS
from svaml.diagnostic import Diagnostic
from svaml.rules import RULES
from svaml.snippets import VERBS
from svaml.snippets._pages import verb_slip

__all__ = [
    "Directive",
    "Suppression",
    "invalid",
    "jsonc_suppressions",
    "read_directive",
    "suppress",
    "unsuppressed",
    "verb_slip_message",
]

_PREFIX = re.compile(r"\s*svaml\s*:", re.I)
_ITEM = re.compile(r"\s*(?:(callback)\s*=\s*([^\s\]\[]*)|(ignore)\s*\[([^\]]*)\]|(\S+))", re.I)
_CODE = re.compile(r"[^,\s]+")
_SYNTAX = "expected ignore[CODES] or, before a Markdown block, callback=NAME"


class Suppression(NamedTuple):
    """One code a comment suppresses on the lines ``first`` to ``last``, written at ``line``:``column``."""

    code: str
    first: int
    last: int
    line: int
    column: int
    where: str  # the place it applies to, in words: "on line 4", "in this block"


class Directive(NamedTuple):
    """What one ``svaml:`` comment says: a callback, codes with their places, and what is wrong in it."""

    callback: str | None
    codes: tuple[tuple[str, int, int], ...]  # (code, line, column)
    problems: tuple[Diagnostic, ...]
    callback_at: tuple[int, int] = (0, 0)  # where the callback's name is written


def _diagnostic(code: str, message: str, line: int, column: int, width: int) -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(
        code=code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        line=line,
        column=column,
        end_line=line,
        end_column=column + max(width, 1),
    )


def invalid(message: str, line: int, column: int, width: int = 1) -> Diagnostic:
    """An SV011 diagnostic: a ``svaml:`` statement that svaml cannot use, at ``line``:``column``."""
    return _diagnostic("SV011", message, line, column, width)


def _bare_code(item: re.Match[str]) -> bool:
    """Whether a comment's item is a word that reads as a rule code (``SV401``, ``SV402,``)."""
    word = item.group(5)
    return word is not None and word[:2].upper() == "SV"


def verb_slip_message(body: str) -> str | None:
    """What to say of a ``svaml:`` comment whose first word is a slip of a snippet verb (``rendr``)."""
    prefix = _PREFIX.match(body)
    words = body[prefix.end() :].split(None, 1) if prefix is not None else []
    slip = verb_slip(words[0]) if words else None
    if slip is None:
        return None
    verbs = ", ".join(VERBS)
    return f"unknown verb {words[0]!r}; did you mean {slip!r}? (a marker of svaml docs sync: {verbs})"


def read_directive(body: str, line: int, column: int, *, callbacks: bool) -> Directive | None:
    """Read a comment's text (without its ``//``, ``/*`` or ``<!--``), which starts at ``line``:``column``.

    None when it is not a ``svaml:`` comment. ``callbacks`` says whether ``callback=`` may appear
    (before a Markdown block) or not (inside JSONC).
    """
    prefix = _PREFIX.match(body)
    if prefix is None:
        return None

    def at(offset: int) -> tuple[int, int]:
        row, col = position(body, offset)
        return line + row - 1, (column + col - 1 if row == 1 else col)

    callback: str | None = None
    callback_at = (0, 0)
    codes: list[tuple[str, int, int]] = []
    problems: list[Diagnostic] = []
    items = list(_ITEM.finditer(body, prefix.end()))
    skip: set[int] = set()
    for number, item in enumerate(items):
        if number in skip:
            continue
        if item.group(1) is not None:
            name = item.group(2).lower()
            where = at(item.start(2) if name and callbacks else item.start(1))
            if not callbacks:
                message = (
                    "callback= is for the comment before a Markdown block; a JSONC file says its "
                    "callback in its name (menu.ice.jsonc)"
                )
                problems.append(_diagnostic("SV011", message, *where, len(item.group(0).strip())))
            elif name not in CALLBACKS:
                message = f"unknown callback {item.group(2)!r}: expected one of {', '.join(CALLBACKS)}"
                problems.append(_diagnostic("SV011", message, *where, len(name)))
            elif callback is not None and callback != name:
                message = f"two callbacks in one comment: {callback} and {name}"
                problems.append(_diagnostic("SV011", message, *where, len(name)))
            else:
                callback, callback_at = name, where
        elif item.group(3) is not None:
            found = list(_CODE.finditer(item.group(4)))
            if not found:
                where = at(item.start(3))
                message = "ignore[] names no code: write the codes to suppress, ignore[SV401]"
                problems.append(_diagnostic("SV011", message, *where, len(item.group(0).strip())))
            for match in found:
                code = match.group().upper()
                where = at(item.start(4) + match.start())
                if code not in RULES:
                    message = f"ignore[{match.group()}]: no rule has the code {match.group()!r}"
                    problems.append(_diagnostic("SV011", message, *where, len(code)))
                elif all(code != seen for seen, _, _ in codes):
                    codes.append((code, *where))
        else:
            word = item.group(5)
            message = f"cannot read {word!r} in a svaml: comment: {_SYNTAX}"
            # ignore SV401, SV402: the codes are there, the brackets are not; one problem, not three.
            after = number + 1
            while word.lower() == "ignore" and after < len(items) and _bare_code(items[after]):
                skip.add(after)
                after += 1
            if after > number + 1:
                listed = ", ".join(items[k].group(5).strip(",") for k in range(number + 1, after))
                message = f"write the codes in brackets: ignore[{listed}]"
            elif word.lower() == "ignore":
                message = "a bare ignore suppresses nothing: name the codes, ignore[SV401]"
            slip = verb_slip_message(body) if callbacks and item is items[0] else None
            problems.append(_diagnostic("SV011", slip or message, *at(item.start(5)), len(word)))
            if slip is not None:
                break  # the rest is the marker's source and options, not statements
    if not items:
        message = f"an empty svaml: comment: {_SYNTAX}"
        problems.append(_diagnostic("SV011", message, *at(prefix.start()), prefix.end() - prefix.start()))
    return Directive(callback, tuple(codes), tuple(problems), callback_at)


def jsonc_suppressions(text: str) -> tuple[list[Suppression], list[Diagnostic]]:
    """Read the ``svaml:`` comments of a JSONC text: the suppressions and the problems in them."""
    spans = comment_spans(text)
    if not spans:
        return [], []
    blank = blank_jsonc(text)[0]
    holds_json = [bool(row.strip()) for row in blank.split("\n")]
    suppressions: list[Suppression] = []
    problems: list[Diagnostic] = []
    for start, end in spans:
        closed = text.startswith("/*", start) and end - start >= 4 and text.startswith("*/", end - 2)
        body = text[start + 2 : end - 2 if closed else end]
        if _PREFIX.match(body) is None:
            continue
        line, column = position(text, start + 2)
        directive = read_directive(body, line, column, callbacks=False)
        if directive is None:  # pragma: no cover - the prefix matched
            continue
        problems.extend(directive.problems)
        target = line
        if not holds_json[line - 1]:
            # Alone on its line: it applies to the next line that holds JSON.
            target = position(text, end)[0] + 1
            while target <= len(holds_json) and not holds_json[target - 1]:
                target += 1
        where = f"on line {target}"
        for code, code_line, code_column in directive.codes:
            suppressions.append(Suppression(code, target, target, code_line, code_column, where))
    return suppressions, problems


def suppress(
    diagnostics: Iterable[Diagnostic], suppressions: Sequence[Suppression], enabled: Collection[str]
) -> list[Diagnostic]:
    """Drop the suppressed diagnostics; report each suppression of an enabled code that drops none (SV010)."""
    found = list(diagnostics)
    if not suppressions:
        return found
    by_code: dict[str, list[int]] = {}
    for index, suppression in enumerate(suppressions):
        by_code.setdefault(suppression.code, []).append(index)
    used: set[int] = set()
    kept = []
    for diagnostic in found:
        hits = [
            index
            for index in by_code.get(diagnostic.code, ())
            if diagnostic.line is not None
            and suppressions[index].first <= diagnostic.line <= suppressions[index].last
        ]
        used.update(hits)
        if not hits:
            kept.append(diagnostic)
    for index, suppression in enumerate(suppressions):
        if index not in used and suppression.code in enabled:
            code = suppression.code
            message = f"ignore[{code}] suppresses nothing: no {code} is reported {suppression.where}"
            kept.append(_diagnostic("SV010", message, suppression.line, suppression.column, len(code)))
    return kept


def unsuppressed(text: str, diagnostics: Sequence[Diagnostic], inner: str = "") -> list[Diagnostic]:
    """Leave out the diagnostics that comments of a JSONC text suppress, for ``--fix``.

    The diagnostics' pointers are into a document that holds the text's value at ``inner`` (a
    bare action or instruction is checked wrapped); they are placed on the text by pointer.
    """
    suppressions = jsonc_suppressions(text)[0]
    if not suppressions:
        return list(diagnostics)
    pointers = [d.pointer[len(inner) :] for d in diagnostics]
    spans = locate_many(text, pointers, nearest=True)
    kept = []
    for diagnostic, pointer in zip(diagnostics, pointers, strict=True):
        span = spans.get(pointer)
        line = 1 if span is None else span.line
        if not any(s.code == diagnostic.code and s.first <= line <= s.last for s in suppressions):
            kept.append(diagnostic)
    return kept

"""``svaml lint --fix``: apply the diagnostics' fixes and rewrite the file, losing nothing.

A fix is a list of RFC 6902 edits on the decoded document. They are applied to the value
first; then the same change is made to the text, touching only the edited values, so the rest
of the file keeps its layout. The patched text is decoded again and must equal the edited
value; if it does not, the whole document is written out in the style detected from the file
(indent of 2, 4, a tab, or compact; key order kept). Fixes run in rounds, re-checking the
document after each, until nothing fixable is left. A file with duplicate keys, or a fix that
does not apply, leaves the file as it was, and the outcome says why. Files are replaced
atomically (a temporary file in the same directory, then a rename).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from svaml._json import decode, decode_jsonc
from svaml._jsontext import key_offsets, value_offsets
from svaml.cli.directives import unsuppressed
from svaml.cli.markdown import Kind, fenced_blocks, svaml_blocks, wrap_value
from svaml.diagnostic import escape_pointer, unescape_pointer
from svaml.errors import SvamlError
from svaml.rules import validate

if TYPE_CHECKING:
    from svaml.diagnostic import Diagnostic, Edit

__all__ = [
    "FixError",
    "FixOutcome",
    "Style",
    "apply_edits",
    "detect_style",
    "dump",
    "fix_markdown",
    "fix_text",
    "write_atomic",
]

# Enough for chains of fixes; a fix that keeps coming back stops here.
_ROUNDS = 10
_WS = " \t\r\n"


class FixError(SvamlError):
    """An edit that does not apply to the document (a missing path, a bad index)."""


class FixOutcome(NamedTuple):
    """What fixing a text did: the new text (None when unchanged), the count, or why not."""

    text: str | None
    fixed: int = 0
    problem: str | None = None


class Style(NamedTuple):
    """How a JSON text is laid out, so that rewritten parts look like the rest."""

    indent: int | str | None = 2
    separators: tuple[str, str] = (",", ": ")
    ensure_ascii: bool = False
    newline: str = "\n"
    final_newline: bool = True


def detect_style(text: str) -> Style:
    """Detect the indentation (2, 4, a tab, none), separators and escapes of a JSON text."""
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.strip()
    colon = ": " if re.search(r'"[ \t]*: ', body) or not re.search(r'"[ \t]*:', body) else ":"
    indent: int | str | None
    if "\n" not in body:
        indent = None
        comma = ", " if re.search(r'[\]}"0-9el], ', body) else ","
    else:
        comma = ","
        match = re.search(r"\n([ \t]+)\S", body)
        if match is None:
            indent = 0
        else:
            ws = match.group(1)
            indent = ws if "\t" in ws else len(ws)
    ensure_ascii = not any(ord(c) > 127 for c in body) and bool(
        re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", body)
    )
    return Style(indent, (comma, colon), ensure_ascii, newline, text.endswith("\n"))


def dump(value: Any, style: Style) -> str:
    """Write a whole JSON document in the given style."""
    text = _dumps(value, style)
    if style.newline != "\n":
        text = text.replace("\n", style.newline)
    return text + (style.newline if style.final_newline else "")


def _dumps(value: Any, style: Style) -> str:
    return json.dumps(
        value,
        indent=style.indent,
        separators=style.separators,
        ensure_ascii=style.ensure_ascii,
        allow_nan=False,
    )


def _tokens(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise FixError(f"{path!r} is not a JSON pointer")
    return [unescape_pointer(t) for t in path[1:].split("/")]


def _index(token: str, size: int, *, adding: bool) -> int:
    if adding and token == "-":
        return size
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise FixError(f"{token!r} is not an array index")
    index = int(token)
    if index > size or (index == size and not adding):
        raise FixError(f"index {index} is past the end of an array of {size}")
    return index


def _copy_path(doc: Any, tokens: Sequence[str]) -> tuple[Any, Any]:
    """Copy the containers along ``tokens[:-1]``; return the new root and the last container."""
    root = _shallow(doc)
    node = root
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise FixError(f"no member {token!r}")
            child = _shallow(node[token])
            node[token] = child
        elif isinstance(node, list):
            index = _index(token, len(node), adding=False)
            child = _shallow(node[index])
            node[index] = child
        else:
            raise FixError(f"cannot go into a {type(node).__name__} at {token!r}")
        node = child
    return root, node


def _shallow(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def apply_edits(doc: Any, edits: Iterable[Edit]) -> Any:
    """Apply RFC 6902 ``add``, ``remove``, ``replace`` and ``move`` edits; return the new document.

    The input is not changed. A ``remove`` followed by an ``add`` of a new key in the same
    object (a ``move`` within an object is one) puts the new key where the removed one was: a
    rename keeps the key order.
    """
    renamed: tuple[str, int] | None = None
    for edit in edits:
        if edit.op == "move":
            if edit.from_ is None:
                raise FixError(f"a move to {edit.path} has no 'from'")
            try:
                value = _get(doc, _tokens(edit.from_))
            except (LookupError, ValueError, TypeError):
                raise FixError(f"nothing to move at {edit.from_}") from None
            doc, renamed = _apply(doc, "remove", edit.from_, None, None)
            doc, renamed = _apply(doc, "add", edit.path, value, renamed)
        else:
            doc, renamed = _apply(doc, edit.op, edit.path, edit.value, renamed)
    return doc


def _apply(
    doc: Any, op: str, path: str, value: Any, renamed: tuple[str, int] | None
) -> tuple[Any, tuple[str, int] | None]:
    """Apply one edit; ``renamed`` is where the previous edit removed a key, if it did."""
    tokens = _tokens(path)
    if not tokens:
        if op == "remove":
            raise FixError("cannot remove the whole document")
        return value, None
    parent_path = path[: path.rfind("/")]
    doc, parent = _copy_path(doc, tokens)
    token = tokens[-1]
    if isinstance(parent, dict):
        if op == "remove":
            if token not in parent:
                raise FixError(f"no member {token!r} to remove at {path}")
            where = list(parent).index(token)
            del parent[token]
            return doc, (parent_path, where)
        if op == "replace" and token not in parent:
            raise FixError(f"no member {token!r} to replace at {path}")
        if op == "add" and token not in parent and renamed and renamed[0] == parent_path:
            items = list(parent.items())
            items.insert(renamed[1], (token, value))
            parent.clear()
            parent.update(items)
        else:
            parent[token] = value
    elif isinstance(parent, list):
        if op == "add":
            parent.insert(_index(token, len(parent), adding=True), value)
        else:
            index = _index(token, len(parent), adding=False)
            if op == "remove":
                del parent[index]
            else:
                parent[index] = value
    else:
        raise FixError(f"{path}: the parent is not an object or an array")
    return doc, None


def _same(text: str, value: Any, jsonc: bool = False) -> bool:
    """Whether the text decodes, without duplicates, to exactly ``value`` (types and key order)."""
    decoded = decode_jsonc(text) if jsonc else decode(text)
    if decoded.problem is not None or decoded.duplicates:
        return False
    try:
        return json.dumps(decoded.value) == json.dumps(value)
    except (TypeError, ValueError):
        return False


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = start
    while end < offset and text[end] in " \t":
        end += 1
    return text[start:end]


def _render(value: Any, text: str, offset: int, style: Style) -> str:
    rendered = _dumps(value, style)
    if "\n" in rendered:
        rendered = rendered.replace("\n", style.newline + _line_indent(text, offset))
    return rendered


def _back(text: str, offset: int) -> int:
    while offset > 0 and text[offset - 1] in _WS:
        offset -= 1
    return offset


def _forward(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in _WS:
        offset += 1
    return offset


def _child(parent: str, token: str | int) -> str:
    return parent + "/" + escape_pointer(token)


def _get(doc: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        doc = doc[token] if isinstance(doc, dict) else doc[int(token)]
    return doc


def _patch(text: str, doc: Any, edits: Sequence[Edit], style: Style) -> str | None:
    """Make the edits on the text, touching only what they change; None when it cannot."""
    index = 0
    while index < len(edits):
        edit = edits[index]
        tokens = _tokens(edit.path)
        if not tokens:
            return None
        parent_path = edit.path[: edit.path.rfind("/")]
        parent = _get(doc, tokens[:-1])
        following = edits[index + 1] if index + 1 < len(edits) else None
        if edit.op == "move":
            patched = _move(text, doc, edit, style)
            step = edits[index : index + 1]
        elif (
            edit.op == "remove"
            and isinstance(parent, dict)
            and following is not None
            and following.op == "add"
            and following.path[: following.path.rfind("/")] == parent_path
            and _tokens(following.path)[-1] not in parent
        ):
            new_key = _tokens(following.path)[-1]
            patched = _rename(text, edit.path, new_key, following.value, style)
            step = edits[index : index + 2]
        else:
            patched = _patch_one(text, edit, parent, parent_path, tokens[-1], style)
            step = edits[index : index + 1]
        if patched is None:
            return None
        index += len(step)
        text = patched
        doc = apply_edits(doc, step)
    return text


def _move(text: str, doc: Any, edit: Edit, style: Style) -> str | None:
    source = edit.from_ or ""
    source_tokens, tokens = _tokens(source), _tokens(edit.path)
    if not source_tokens or not tokens:
        return None
    parent = _get(doc, source_tokens[:-1])
    same_parent = source[: source.rfind("/")] == edit.path[: edit.path.rfind("/")]
    if isinstance(parent, dict) and same_parent and tokens[-1] not in parent:
        # A rename: only the key changes, the value's text stays as it is.
        keys = key_offsets(text, source)
        if keys is None:
            return None
        new_key = json.dumps(tokens[-1], ensure_ascii=style.ensure_ascii)
        return text[: keys[0]] + new_key + text[keys[1] :]
    return None


def _member(text: str, path: str, key: str, style: Style) -> tuple[int, int, str] | None:
    """Where the member at ``path`` starts and ends, and ``key`` written as its name with its colon."""
    keys = key_offsets(text, path)
    values = value_offsets(text, [path])[path]
    if keys is None or values is None:
        return None
    return keys[0], values[1], json.dumps(key, ensure_ascii=style.ensure_ascii) + text[keys[1] : values[0]]


def _rename(text: str, path: str, key: str, value: Any, style: Style) -> str | None:
    found = _member(text, path, key, style)
    if found is None:
        return None
    start, end, member = found
    return text[:start] + member + _render(value, text, start, style) + text[end:]


def _patch_one(text: str, edit: Edit, parent: Any, parent_path: str, token: str, style: Style) -> str | None:
    if edit.op == "replace" or (edit.op == "add" and isinstance(parent, dict) and token in parent):
        spans = value_offsets(text, [edit.path])[edit.path]
        if spans is None:
            return None
        start, end = spans
        return text[:start] + _render(edit.value, text, start, style) + text[end:]
    if edit.op == "remove":
        return _remove(text, edit.path, isinstance(parent, dict))
    return _add(text, edit, parent, parent_path, token, style)


def _remove(text: str, path: str, member: bool) -> str | None:
    spans = value_offsets(text, [path])[path]
    if spans is None:
        return None
    start, end = spans
    if member:
        keys = key_offsets(text, path)
        if keys is None:
            return None
        start = keys[0]
    after = _forward(text, end)
    if text[after : after + 1] == ",":
        return text[:start] + text[_forward(text, after + 1) :]
    before = _back(text, start)
    if text[before - 1 : before] == ",":
        return text[: before - 1] + text[end:]
    return text[:before] + text[after:]  # the only member: leave {} or []


def _separator(text: str, starts: Sequence[int], style: Style) -> str:
    """The whitespace between siblings: as between the last two, or as before a lone one."""
    if len(starts) >= 2:
        return text[_back(text, starts[-1]) : starts[-1]]
    before = text[_back(text, starts[0]) : starts[0]]
    if "\n" in before:
        return before
    return " " if style.indent is not None else style.separators[0][1:]


def _add(text: str, edit: Edit, parent: Any, parent_path: str, token: str, style: Style) -> str | None:
    if not parent:
        # An empty container: write it anew with its one member.
        spans = value_offsets(text, [parent_path])[parent_path]
        if spans is None:
            return None
        new = {token: edit.value} if isinstance(parent, dict) else [edit.value]
        return text[: spans[0]] + _render(new, text, spans[0], style) + text[spans[1] :]
    if isinstance(parent, dict):
        names = list(parent)[-2:]
        starts = []
        for name in names:
            keys = key_offsets(text, _child(parent_path, name))
            if keys is None:
                return None
            starts.append(keys[0])
        last = _member(text, _child(parent_path, names[-1]), token, style)
        if last is None:
            return None
        start, end, member = last  # the last member's place; the new one follows it
        rendered = _render(edit.value, text, start, style)
        separator = _separator(text, starts, style)
        return text[:end] + "," + separator + member + rendered + text[end:]
    index = len(parent) if token == "-" else int(token)
    anchor = min(index, len(parent) - 1)  # insert after the last item, or before item `index`
    sample = [0, 1] if len(parent) >= 2 else [0]  # two neighbours show the separator
    pointers = {i: _child(parent_path, i) for i in {anchor, *sample}}
    found = value_offsets(text, pointers.values())
    items: dict[int, tuple[int, int]] = {}
    for i, p in pointers.items():
        span = found[p]
        if span is None:
            return None
        items[i] = span
    starts = [items[i][0] for i in sample]
    start, end = items[anchor]
    separator = _separator(text, starts, style)
    rendered = _render(edit.value, text, start, style)
    if index >= len(parent):
        return text[:end] + "," + separator + rendered + text[end:]
    return text[:start] + rendered + "," + separator + text[start:]


def _conflicts(paths: Sequence[str], touched: Sequence[str], shifted: Sequence[str]) -> bool:
    for path in paths:
        for other in touched:
            if path == other or path.startswith(other + "/") or other.startswith(path + "/"):
                return True
        for array in shifted:
            if path.startswith(array + "/"):
                return True
    return False


def _relative(edits: Iterable[Edit], inner: str) -> list[Edit] | None:
    """Edits with pointers into the block's own JSON, or None if one reaches outside it."""
    result = []
    for edit in edits:
        if edit.path != inner and not edit.path.startswith(inner + "/"):
            return None
        source = edit.from_
        if source is not None:
            if source != inner and not source.startswith(inner + "/"):
                return None
            source = source[len(inner) :]
        result.append(attrs.evolve(edit, path=edit.path[len(inner) :], from_=source))
    return result


def fix_text(
    text: str,
    *,
    callback: str | None,
    enabled: Callable[[Diagnostic], bool],
    kind: Kind = "document",
    jsonc: bool = False,
) -> FixOutcome:
    """Apply every enabled fix to a JSON text (a document, or a bare action or instruction).

    With ``jsonc``, the text is JSONC: its comments are kept, and the diagnostics its
    ``svaml: ignore[...]`` comments suppress are not fixed.
    """
    decoded = decode_jsonc(text) if jsonc else decode(text)
    if decoded.problem is not None:
        return FixOutcome(None)
    value = decoded.value
    style = detect_style(text)
    fixed = 0
    for _ in range(_ROUNDS):
        document, inner = wrap_value(value, kind)
        fixes = []
        found = validate(document, callback=callback)
        if jsonc:
            found = unsuppressed(text, found, inner)
        for diagnostic in found:
            if diagnostic.fix is None or not enabled(diagnostic):
                continue
            edits = _relative(diagnostic.fix.edits, inner)
            if edits is not None and edits:
                fixes.append((diagnostic, edits))
        if not fixes:
            break
        if decoded.duplicates:
            return FixOutcome(None, 0, "it has duplicate keys; remove them by hand, then run --fix")
        touched: list[str] = []
        shifted: list[str] = []
        progress = False
        for diagnostic, edits in fixes:
            paths = [edit.path for edit in edits] + [e.from_ for e in edits if e.from_]
            if _conflicts(paths, touched, shifted):
                continue  # the next round sees it afresh
            try:
                new_value = apply_edits(value, edits)
            except FixError as exc:
                return FixOutcome(
                    None,
                    0,
                    f"the fix for {diagnostic.code} at {diagnostic.pointer or '/'} does not apply ({exc})",
                )
            if json.dumps(new_value) == json.dumps(value):
                continue
            try:
                patched = _patch(text, value, edits, style)
            except (FixError, LookupError, TypeError, ValueError):
                patched = None
            if patched is None or not _same(patched, new_value, jsonc):
                if jsonc:  # writing the document anew would drop its comments
                    where = f"{diagnostic.code} at {diagnostic.pointer or '/'}"
                    return FixOutcome(None, 0, f"the fix for {where} cannot be made keeping the comments")
                try:
                    patched = dump(new_value, style)
                except ValueError as exc:
                    return FixOutcome(None, 0, f"the fixed document cannot be written ({exc})")
            text, value = patched, new_value
            touched.extend(paths)
            for edit in edits:
                parent = edit.path[: edit.path.rfind("/")]
                if edit.op != "replace" and isinstance(_get_or_none(value, parent), list):
                    shifted.append(parent)
                if edit.from_:
                    shifted.append(edit.from_[: edit.from_.rfind("/")])
            fixed += 1
            progress = True
        if not progress:
            break
    if not fixed:
        return FixOutcome(None)
    return FixOutcome(text, fixed)


def _get_or_none(doc: Any, path: str) -> Any:
    try:
        return _get(doc, _tokens(path))
    except (FixError, LookupError, ValueError, TypeError):
        return None


def fix_markdown(markdown: str, *, callback: str | None, enabled: Callable[[Diagnostic], bool]) -> FixOutcome:
    """Apply the enabled fixes to every SVAML ``json`` and ``jsonc`` block of a Markdown text, in place.

    Each block is fixed for the callback it answers, and not for the codes it suppresses.
    """
    changes: list[tuple[int, int, str]] = []
    fixed = 0
    for found in svaml_blocks(fenced_blocks(markdown)[0], callback=callback):
        block = found.block
        if found.decoded.problem is not None:
            continue
        ignored = frozenset(s.code for s in found.statement.suppressions)

        def wanted(diagnostic: Diagnostic, ignored: frozenset[str] = ignored) -> bool:
            return diagnostic.code not in ignored and enabled(diagnostic)

        outcome = fix_text(
            block.text, callback=found.callback, enabled=wanted, kind=found.kind, jsonc=block.jsonc
        )
        if outcome.problem is not None:
            return FixOutcome(None, 0, f"in the block at line {block.line}, {outcome.problem}")
        if outcome.text is not None:
            content = "".join(
                (block.indent + line if line.strip() else line)
                for line in outcome.text.splitlines(keepends=True)
            )
            changes.append((block.start, block.end, content))
            fixed += outcome.fixed
    if not changes:
        return FixOutcome(None)
    for start, end, content in reversed(changes):
        markdown = markdown[:start] + content + markdown[end:]
    return FixOutcome(markdown, fixed)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content atomically, keeping its permissions; follows symbolic links."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

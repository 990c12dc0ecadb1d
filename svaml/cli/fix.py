"""``svaml lint --fix``: apply the diagnostics' fixes and rewrite the file, losing nothing.

A fix is a list of RFC 6902 edits on the decoded document. Fixes run in rounds: each round checks
the document once, takes every fix that touches a place no other fix of the round touches, finds
all their places in the text in one pass and splices them in together, touching only the edited
values, so the rest of the file keeps its layout; the same edits are made to the value in place.
The new text is decoded once and must equal the edited value; if it does not, the whole document
is written out in the style detected from the file (indent of 2, 4, a tab, or compact; key order
kept). A round costs the size of the file, whatever the number of fixes; rounds go on until
nothing fixable is left (at most 10). A file with duplicate keys, or a fix that does not apply,
leaves the file as it was, and the outcome says why. Files are replaced atomically (a temporary
file beside them, then a rename), or rewritten in place when a rename would break hard links or
change the owner; :func:`check_writable` says which files must not be written at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from svaml._json import Decoded, decode, decode_jsonc
from svaml._jsontext import members
from svaml.cli.directives import unsuppressed
from svaml.cli.markdown import Kind, fenced_blocks, svaml_blocks, wrap_value
from svaml.diagnostic import escape_pointer, unescape_pointer
from svaml.errors import SvamlError
from svaml.rules import Limits, validate
from svaml.rules._validate import Unlocated, validate_unlocated

if TYPE_CHECKING:
    from svaml.diagnostic import Diagnostic, Edit

__all__ = [
    "STOP_SIGNALS",
    "FixError",
    "FixOutcome",
    "Style",
    "WriteRefused",
    "apply_edits",
    "check_writable",
    "detect_style",
    "dump",
    "fix_decoded",
    "fix_markdown",
    "fix_text",
    "stop_on_signals",
    "sweep",
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
    codes: tuple[str, ...] = ()  # the code of each fix applied, in order


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
    ensure_ascii = body.isascii() and bool(re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", body))
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


def _copy_path(doc: Any, tokens: Sequence[str], *, in_place: bool = False) -> tuple[Any, Any]:
    """Copy the containers along ``tokens[:-1]``; return the new root and the last container.

    ``in_place`` copies nothing: the containers are found, to be changed where they are.
    """
    copy = _same_value if in_place else _shallow
    root = copy(doc)
    node = root
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise FixError(f"no member {token!r}")
            child = copy(node[token])
            node[token] = child
        elif isinstance(node, list):
            index = _index(token, len(node), adding=False)
            child = copy(node[index])
            node[index] = child
        else:
            raise FixError(f"cannot go into a {type(node).__name__} at {token!r}")
        node = child
    return root, node


def _same_value(value: Any) -> Any:
    return value


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
    return _edit(doc, edits, in_place=False)


def _edit(doc: Any, edits: Iterable[Edit], *, in_place: bool) -> Any:
    """Apply edits, copying the containers they change, or ``in_place`` (cost: a pointer's depth)."""
    renamed: tuple[str, int] | None = None
    for edit in edits:
        if edit.op == "move":
            if edit.from_ is None:
                raise FixError(f"a move to {edit.path} has no 'from'")
            try:
                value = _get(doc, _tokens(edit.from_))
            except (LookupError, ValueError, TypeError):
                raise FixError(f"nothing to move at {edit.from_}") from None
            doc, renamed = _apply(doc, "remove", edit.from_, None, None, in_place)
            doc, renamed = _apply(doc, "add", edit.path, value, renamed, in_place)
        else:
            doc, renamed = _apply(doc, edit.op, edit.path, edit.value, renamed, in_place)
    return doc


def _apply(
    doc: Any, op: str, path: str, value: Any, renamed: tuple[str, int] | None, in_place: bool
) -> tuple[Any, tuple[str, int] | None]:
    """Apply one edit; ``renamed`` is where the previous edit removed a key, if it did."""
    tokens = _tokens(path)
    if not tokens:
        if op == "remove":
            raise FixError("cannot remove the whole document")
        return value, None
    parent_path = path[: path.rfind("/")]
    doc, parent = _copy_path(doc, tokens, in_place=in_place)
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


def _parent(path: str) -> str:
    return path[: path.rfind("/")]


def _get(doc: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        doc = doc[token] if isinstance(doc, dict) else doc[int(token)]
    return doc


# A change to the text: replace text[start:end] with the string.
_Splice = tuple[int, int, str]


class _Where:
    """Where the members of some containers lie in a text, found in one pass (see ``members``)."""

    def __init__(self, text: str, edits: Iterable[Edit]) -> None:
        containers: set[str] = set()
        values: set[str] = set()
        for edit in edits:
            if edit.op == "replace":
                values.add(edit.path)  # a replace needs only where its value is
                continue
            for path in (edit.path, edit.from_):
                if path:
                    containers.add(_parent(path))
        self.offsets = members(text, containers, values)

    def value(self, path: str) -> tuple[int, int] | None:
        return self.offsets.values.get(path)

    def key(self, path: str) -> tuple[int, int] | None:
        if not path.startswith("/"):
            return None
        found = self.offsets.keys.get(_parent(path), {}).get(unescape_pointer(path[path.rfind("/") + 1 :]))
        return found[-1] if found else None


def _splice(text: str, splice: _Splice) -> str:
    return text[: splice[0]] + splice[2] + text[splice[1] :]


def _step(
    text: str, where: _Where, doc: Any, edits: Sequence[Edit], index: int, style: Style
) -> tuple[_Splice | None, int]:
    """The text change making ``edits[index]`` (with the next edit, for a rename); how many it makes."""
    edit = edits[index]
    tokens = _tokens(edit.path)
    if not tokens:
        return None, 1
    parent_path = _parent(edit.path)
    parent = _get(doc, tokens[:-1])
    following = edits[index + 1] if index + 1 < len(edits) else None
    if edit.op == "move":
        return _move(text, where, doc, edit, style), 1
    if (
        edit.op == "remove"
        and isinstance(parent, dict)
        and following is not None
        and following.op == "add"
        and _parent(following.path) == parent_path
        and _tokens(following.path)[-1] not in parent
    ):
        new_key = _tokens(following.path)[-1]
        return _rename(text, where, edit.path, new_key, following.value, style), 2
    return _patch_one(text, where, edit, parent, parent_path, tokens[-1], style), 1


def _patch(text: str, doc: Any, edits: Sequence[Edit], style: Style) -> str | None:
    """Make the edits on the text one after another, touching only what they change; None when it cannot."""
    index = 0
    while index < len(edits):
        splice, count = _step(text, _Where(text, edits[index : index + 2]), doc, edits, index, style)
        if splice is None:
            return None
        text = _splice(text, splice)
        doc = apply_edits(doc, edits[index : index + count])
        index += count
    return text


def _move(text: str, where: _Where, doc: Any, edit: Edit, style: Style) -> _Splice | None:
    source = edit.from_ or ""
    source_tokens, tokens = _tokens(source), _tokens(edit.path)
    if not source_tokens or not tokens:
        return None
    parent = _get(doc, source_tokens[:-1])
    same_parent = _parent(source) == _parent(edit.path)
    if isinstance(parent, dict) and same_parent and tokens[-1] not in parent:
        # A rename: only the key changes, the value's text stays as it is.
        keys = where.key(source)
        if keys is None:
            return None
        return keys[0], keys[1], json.dumps(tokens[-1], ensure_ascii=style.ensure_ascii)
    return None


def _member(text: str, where: _Where, path: str, key: str, style: Style) -> tuple[int, int, str] | None:
    """Where the member at ``path`` starts and ends, and ``key`` written as its name with its colon."""
    keys = where.key(path)
    values = where.value(path)
    if keys is None or values is None:
        return None
    return keys[0], values[1], json.dumps(key, ensure_ascii=style.ensure_ascii) + text[keys[1] : values[0]]


def _rename(text: str, where: _Where, path: str, key: str, value: Any, style: Style) -> _Splice | None:
    found = _member(text, where, path, key, style)
    if found is None:
        return None
    start, end, member = found
    return start, end, member + _render(value, text, start, style)


def _patch_one(
    text: str, where: _Where, edit: Edit, parent: Any, parent_path: str, token: str, style: Style
) -> _Splice | None:
    if edit.op == "replace" or (edit.op == "add" and isinstance(parent, dict) and token in parent):
        spans = where.value(edit.path)
        if spans is None:
            return None
        start, end = spans
        return start, end, _render(edit.value, text, start, style)
    if edit.op == "remove":
        return _remove(text, where, edit.path, isinstance(parent, dict))
    return _add(text, where, edit, parent, parent_path, token, style)


def _remove(text: str, where: _Where, path: str, member: bool) -> _Splice | None:
    spans = where.value(path)
    if spans is None:
        return None
    start, end = spans
    if member:
        keys = where.key(path)
        if keys is None:
            return None
        start = keys[0]
    after = _forward(text, end)
    if text[after : after + 1] == ",":
        return start, _forward(text, after + 1), ""
    before = _back(text, start)
    if text[before - 1 : before] == ",":
        return before - 1, end, ""
    return before, after, ""  # the only member: leave {} or []


def _separator(text: str, starts: Sequence[int], style: Style) -> str:
    """The whitespace between siblings: as between the last two, or as before a lone one."""
    if len(starts) >= 2:
        return text[_back(text, starts[-1]) : starts[-1]]
    before = text[_back(text, starts[0]) : starts[0]]
    if "\n" in before:
        return before
    return " " if style.indent is not None else style.separators[0][1:]


def _add(
    text: str, where: _Where, edit: Edit, parent: Any, parent_path: str, token: str, style: Style
) -> _Splice | None:
    if not parent:
        # An empty container: write it anew with its one member.
        spans = where.value(parent_path)
        if spans is None:
            return None
        new = {token: edit.value} if isinstance(parent, dict) else [edit.value]
        return spans[0], spans[1], _render(new, text, spans[0], style)
    if isinstance(parent, dict):
        names = list(parent)[-2:]
        starts = []
        for name in names:
            keys = where.key(_child(parent_path, name))
            if keys is None:
                return None
            starts.append(keys[0])
        last = _member(text, where, _child(parent_path, names[-1]), token, style)
        if last is None:
            return None
        start, end, member = last  # the last member's place; the new one follows it
        rendered = _render(edit.value, text, start, style)
        separator = _separator(text, starts, style)
        return end, end, "," + separator + member + rendered
    index = len(parent) if token == "-" else int(token)
    anchor = min(index, len(parent) - 1)  # insert after the last item, or before item `index`
    sample = [0, 1] if len(parent) >= 2 else [0]  # two neighbours show the separator
    items: dict[int, tuple[int, int]] = {}
    for i in {anchor, *sample}:
        span = where.value(_child(parent_path, i))
        if span is None:
            return None
        items[i] = span
    starts = [items[i][0] for i in sample]
    start, end = items[anchor]
    separator = _separator(text, starts, style)
    rendered = _render(edit.value, text, start, style)
    if index >= len(parent):
        return end, end, "," + separator + rendered
    return start, start, rendered + "," + separator


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


class _Chosen:
    """The fixes of one round that touch disjoint places, so that all of them apply together.

    Each check costs the depth of a pointer, not the number of fixes chosen so far: a fix is
    refused when it touches a place another fix touches, or lies inside or around one, or lies
    in an array whose items another fix shifts (an ``add`` or a ``move``). Fixes that each remove
    one item of an array go together: their items are removed last, from the highest index down,
    so the indices of every other fix still hold; a fix of several edits stays out of such arrays.
    """

    def __init__(self) -> None:
        self.touched: set[str] = set()
        self.around: set[str] = set()  # the ancestors of the touched places
        self.shifted: set[str] = set()
        self.removing: set[str] = set()  # arrays losing items to one-edit removals
        self.steps: set[str] = set()  # the ancestors of the places of fixes of several edits

    def take(self, value: Any, edits: Sequence[Edit]) -> bool:
        paths = [edit.path for edit in edits] + [edit.from_ for edit in edits if edit.from_]
        removal = _removal(value, edits)
        shifts = set()
        if removal is None:
            for edit in edits:
                if edit.op != "replace" and isinstance(_get_or_none(value, _parent(edit.path)), list):
                    shifts.add(_parent(edit.path))
                if edit.from_:
                    shifts.add(_parent(edit.from_))
        for path in paths:
            if path in self.touched or path in self.around:
                return False
            for ancestor in _ancestors(path):
                if ancestor in self.touched or ancestor in self.shifted:
                    return False
                if len(edits) > 1 and ancestor in self.removing:
                    return False
        if any(array in self.around or array in self.touched for array in shifts):
            return False
        if removal is not None and (removal in self.steps or removal in self.shifted):
            return False
        for path in paths:
            self.touched.add(path)
            ancestors = _ancestors(path)
            self.around.update(ancestors)
            if len(edits) > 1:
                self.steps.update(ancestors)
        self.shifted.update(shifts)
        if removal is not None:
            self.removing.add(removal)
        return True


def _removal(value: Any, edits: Sequence[Edit]) -> str | None:
    """The array a fix removes one item from, when that is all it does."""
    if (
        len(edits) != 1
        or edits[0].op != "remove"
        or not edits[0].path[edits[0].path.rfind("/") + 1 :].isdigit()
    ):
        return None
    array = _parent(edits[0].path)
    return array if isinstance(_get_or_none(value, array), list) else None


def _ancestors(path: str) -> list[str]:
    """The proper ancestors of a pointer: ``/a/b`` -> ``["", "/a"]``."""
    found = []
    while path:
        path = _parent(path)
        found.append(path)
    return found


def _changes(value: Any, edits: Sequence[Edit]) -> bool:
    """Whether the edits change anything (a replace by an equal value does not)."""
    for edit in edits:
        if edit.op != "replace":
            return True
        current = _get_or_none(value, edit.path)
        if type(current) is not type(edit.value):
            return True
        if isinstance(current, (dict, list)) and json.dumps(current) != json.dumps(edit.value):
            return True
        if not isinstance(current, (dict, list)) and current != edit.value:
            return True
    return False


def _same(text: str, value: Any, jsonc: bool = False) -> Decoded | None:
    """The text decoded, if it decodes without duplicates to exactly ``value`` (types and key order)."""
    decoded = decode_jsonc(text, max_bytes=None) if jsonc else decode(text, max_bytes=None)
    if decoded.problem is not None or decoded.duplicates:
        return None
    try:
        return decoded if json.dumps(decoded.value) == json.dumps(value) else None
    except (TypeError, ValueError):
        return None


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

    Each round checks the document once, takes the fixes that touch disjoint places, finds
    where they go in one pass over the text and splices them all in; the result is decoded
    once and must equal the edited value. A round costs the size of the document, and the
    fixes a round cannot take together (they overlap, or shift an array) wait for the next.
    """
    decoded = decode_jsonc(text, max_bytes=None) if jsonc else decode(text, max_bytes=None)
    return fix_decoded(text, decoded, callback=callback, enabled=enabled, kind=kind, jsonc=jsonc)[0]


def fix_decoded(
    text: str,
    decoded: Decoded,
    *,
    callback: str | None,
    enabled: Callable[[Diagnostic], bool],
    kind: Kind = "document",
    jsonc: bool = False,
    limits: Limits | None = None,
) -> tuple[FixOutcome, list[Diagnostic] | None]:
    """:func:`fix_text` on a text already decoded; also what ``validate`` says of the result.

    The diagnostics are those of the last round's check (with the application's ``limits``),
    located in the text as ``validate`` locates them when the text is a whole document, of the
    wrapped document (see :func:`~svaml.cli.markdown.wrap_value`) otherwise; None when the
    rounds ran out.
    """
    if decoded.problem is not None:
        return FixOutcome(None), None
    value = decoded.value
    style = detect_style(text)
    codes: list[str] = []
    found: list[Diagnostic] | None = None
    checked: Unlocated | None = None  # the round's check of a whole document, located only at the end
    for _ in range(_ROUNDS):
        document, inner = wrap_value(value, kind)
        if inner:
            checked = None
            found = validate(document, callback=callback, limits=limits)
        else:
            # A whole document is checked as text, so that what is left is located as a check locates it.
            checked = validate_unlocated(decoded, callback=callback, limits=limits)
            found = list(checked.diagnostics)
        if jsonc:
            found = unsuppressed(text, found, inner)
        fixes = []
        for diagnostic in found:
            if diagnostic.fix is None or not enabled(diagnostic):
                continue
            edits = _relative(diagnostic.fix.edits, inner)
            if edits is not None and edits:
                fixes.append((diagnostic, edits))
        if not fixes:
            break
        if decoded.duplicates:
            return FixOutcome(None, 0, "it has duplicate keys; remove them by hand, then run --fix"), None
        chosen = _Chosen()
        taken = [(d, edits) for d, edits in fixes if _changes(value, edits) and chosen.take(value, edits)]
        if not taken:
            break
        try:
            text, value, made = _apply_round(text, value, taken, style, jsonc)
        except FixError as exc:
            return FixOutcome(None, 0, str(exc)), None
        except ValueError as exc:
            return FixOutcome(None, 0, f"the fixed document cannot be written ({exc})"), None
        if not made:
            break
        codes.extend(taken[number][0].code for number in made)
        found = checked = None  # the text changed: the next round checks it
        again = _same(text, value, jsonc)
        if again is None:
            if jsonc:  # writing the document anew would drop its comments
                return FixOutcome(None, 0, "the fixes cannot be made keeping the comments"), None
            text = dump(value, style)
            again = decode(text, max_bytes=None)
        decoded = again
        value = decoded.value
    if found is not None and checked is not None:
        found = checked.locate(found)
    if not codes:
        return FixOutcome(None), found
    return FixOutcome(text, len(codes), codes=tuple(codes)), found


def _apply_round(
    text: str, value: Any, taken: Sequence[tuple[Diagnostic, list[Edit]]], style: Style, jsonc: bool = False
) -> tuple[str, Any, list[int]]:
    """Make the fixes of one round on the text and on the value (which it edits in place).

    Returns the new text and value, and the numbers of the fixes made: a removal whose place
    cannot be spliced in with the others waits for the next round.
    """
    where = _Where(text, (edit for _, edits in taken for edit in edits))
    removals = {number for number, (_, edits) in enumerate(taken) if _removal(value, edits) is not None}
    splices: list[tuple[int, int, str, int]] = []
    later: set[int] = set()  # made one at a time after the others: several edits, or overlapping
    dropped: set[int] = set()
    for number, (_, edits) in enumerate(taken):
        try:
            splice, count = _step(text, where, value, edits, 0, style)
        except (FixError, LookupError, TypeError, ValueError):
            splice, count = None, 0
        if splice is None or count != len(edits):
            (dropped if number in removals else later).add(number)
        else:
            splices.append((*splice, number))
    splices.sort(key=lambda s: (s[0], s[1]))
    kept = _disjoint(splices, removals, later, dropped)
    if later and removals - dropped:
        # Fixes made one at a time see the text as it is: no removal may shift it under them.
        dropped |= removals
        kept = _disjoint([s for s in splices if s[3] not in dropped], removals, later, dropped)
    parts = []
    cursor = 0
    for start, end, new, _ in kept:
        parts.append(text[cursor:start])
        parts.append(new)
        cursor = end
    parts.append(text[cursor:])
    text = "".join(parts)
    made = [number for number in range(len(taken)) if number not in later and number not in dropped]
    for number in made:
        if number not in removals:
            value = _apply_all(value, *taken[number], in_place=True)
    # Removals last, each array from its highest index down, so that no index moves under another.
    removed = sorted((n for n in made if n in removals), key=lambda n: _sort_key(taken[n][1][0].path))
    for number in removed:
        value = _apply_all(value, *taken[number], in_place=True)
    whole = False
    for number in sorted(later):
        diagnostic, edits = taken[number]
        patched = None
        if not whole:
            try:
                patched = _patch(text, value, edits, style)
            except (FixError, LookupError, TypeError, ValueError):
                patched = None
        value = _apply_all(value, diagnostic, edits, in_place=True)
        if patched is None:
            if jsonc:  # writing the document anew would drop its comments
                place = f"{diagnostic.code} at {diagnostic.pointer or '/'}"
                raise FixError(f"the fix for {place} cannot be made keeping the comments")
            whole = True  # written out whole after the round
        else:
            text = patched
    if whole:
        text = dump(value, style)
    return text, value, sorted([*made, *later])


def _sort_key(path: str) -> tuple[str, int]:
    return _parent(path), -int(path[path.rfind("/") + 1 :])


def _disjoint(
    splices: Sequence[tuple[int, int, str, int]], removals: set[int], later: set[int], dropped: set[int]
) -> list[tuple[int, int, str, int]]:
    """The splices (sorted by place) that do not overlap an earlier one; the others wait."""
    kept = []
    cursor = 0
    for splice in splices:
        start, end, _, number = splice
        if start < cursor:
            (dropped if number in removals else later).add(number)
            continue
        kept.append(splice)
        cursor = end
    return kept


def _apply_all(value: Any, diagnostic: Diagnostic, edits: Sequence[Edit], *, in_place: bool) -> Any:
    try:
        return _edit(value, edits, in_place=in_place)
    except FixError as exc:
        raise FixError(
            f"the fix for {diagnostic.code} at {diagnostic.pointer or '/'} does not apply ({exc})"
        ) from None


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
    codes: list[str] = []
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
            codes.extend(outcome.codes)
    if not changes:
        return FixOutcome(None)
    for start, end, content in reversed(changes):
        markdown = markdown[:start] + content + markdown[end:]
    return FixOutcome(markdown, len(codes), codes=tuple(codes))


# Temporary files are written beside the file they replace, named after it and after the
# process writing them: ``.NAME.svaml-PID-N.tmp``. A process killed outright (SIGKILL) leaves
# one behind; the next --fix in that directory removes those whose process is gone.
_TEMPORARY = re.compile(r"^\..+\.svaml-(\d+)-\d+\.tmp$")
# The temporary files this process is writing, removed by the signal handler.
_PENDING: set[str] = set()
_COUNTER = [0]
#: The signals that stop svaml (and, under --fix, remove the temporary files being written first).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


class WriteRefused(SvamlError):
    """A file --fix must not write: read-only, or a link out of the linted tree; the message says why."""


def stop_on_signals() -> Callable[[], None]:
    """On SIGTERM, SIGINT or SIGHUP: remove the temporary files being written, then exit 128 + N.

    Returns a function that puts back the handlers there were before (``svaml.cli.main`` may run
    inside another program, whose handlers must outlive the command).
    """
    previous = {number: signal.signal(number, _stop) for number in STOP_SIGNALS}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def _stop(number: int, frame: object) -> None:
    for temporary in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    os._exit(128 + number)


def sweep(directory: str) -> int:
    """Remove the temporary files of svaml processes that are gone (killed outright); return how many."""
    removed = 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def check_writable(path: Path, tree: Path | None) -> Path:
    """Return the file a fix of ``path`` writes, or raise :class:`WriteRefused` saying why not.

    A symbolic link is written through only when its target lies in ``tree`` (the directory
    being linted); a file without write permission is never written, whoever runs svaml.
    """
    target = Path(os.path.realpath(path))
    if tree is not None and path.is_symlink():
        root = os.path.realpath(tree)
        if os.path.commonpath([root, str(target)]) != root:
            raise WriteRefused(
                f"it is a symbolic link to {target}, outside the directory being linted ({root}); "
                "fix that file directly"
            )
    info = target.stat()
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("it is not a regular file")
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteRefused("the file is read-only; make it writable to fix it")
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content, keeping its permissions, owner and hard links; follows symbolic links.

    The content goes to a temporary file beside the target, then replaces it by a rename. A file
    with other hard links, or whose owner a rename would change, is rewritten in place instead,
    with the signals that stop svaml held back meanwhile so the write is never cut short by them.
    """
    target = Path(os.path.realpath(path))
    info = target.stat()
    if info.st_nlink > 1:
        _write_in_place(target, data)
        return
    _COUNTER[0] += 1
    temporary = str(target.parent / f".{target.name}.svaml-{os.getpid()}-{_COUNTER[0]}.tmp")
    _PENDING.add(temporary)
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(file.fileno(), info.st_uid, info.st_gid)
                except OSError:
                    os.unlink(temporary)  # a rename would give the file to us: rewrite in place
                    _write_in_place(target, data)
                    return
            os.fchmod(file.fileno(), stat.S_IMODE(info.st_mode))
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        _PENDING.discard(temporary)


def _write_in_place(target: Path, data: bytes) -> None:
    """Rewrite a file's content where it is (its inode, links and owner stay)."""
    held = set(STOP_SIGNALS)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        with open(target, "r+b") as file:
            file.write(data)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)

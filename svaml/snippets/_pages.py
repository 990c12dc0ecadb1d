"""Markdown pages whose marked blocks are made by svaml, and kept so.

A marker is an HTML comment on a line of its own, followed by a fenced block::

    <!-- svaml: render examples/ivr_menu.py:ivr_menu as=python -->
    ```python
    …
    ```

Grammar: ``<!-- svaml: VERB SOURCE [KEY=VALUE]... -->``. VERB is ``render``, ``describe`` or
``diagram``; SOURCE is what :func:`~svaml.snippets.load` reads, relative to the page's own
directory; the options are ``as=`` (render: json, curl, python, node; diagram: mermaid, dot),
``callback=``, ``region=``, ``leg=`` and ``name=``. Other ``<!-- svaml: … -->`` comments (the
linter's ``callback=ice`` and ``ignore[…]``) start with no verb and are left alone. The block
after a marker is replaced, its language included; a marker with no block after it gets one.
"""

from __future__ import annotations

import difflib
import inspect
import re
import shlex
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from svaml.diagnostic import Diagnostic
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.rules import Limits
from svaml.snippets._curl import to_curl
from svaml.snippets._describe import describe
from svaml.snippets._diagram import dot, mermaid, svg
from svaml.snippets._node import to_node
from svaml.snippets._python import to_python
from svaml.snippets._source import Snippable, headline, load_checked, located, python_source, to_json

__all__ = [
    "DIAGRAMS",
    "FORMS",
    "VERBS",
    "Marker",
    "PageError",
    "Synced",
    "diagram",
    "options_of",
    "read_marker",
    "render",
    "snippet",
    "sync",
    "sync_text",
    "verb_slip",
]

#: What ``render`` prints, by ``as=``: the writer and the language of its fenced block.
FORMS: Mapping[str, tuple[Callable[..., str], str]] = {
    "json": (to_json, "json"),
    "curl": (to_curl, "sh"),
    "python": (to_python, "python"),
    "node": (to_node, "js"),
}


def diagram(value: Snippable, form: str = "mermaid") -> str:
    """``value`` drawn as ``form``: a key of :data:`DIAGRAMS`, or ``svg`` (through Graphviz's ``dot``)."""
    if not isinstance(value, Svaml):
        raise SvamlError("a diagram draws a SVAML document, not a callout request")
    if form == "svg":
        return svg(value)
    if form not in DIAGRAMS:
        raise SvamlError(f"diagram as={form!r}; expected one of {', '.join(DIAGRAMS)} or svg")
    return DIAGRAMS[form][0](value)


#: What ``diagram`` prints, by ``as=``, and the language of its block.
DIAGRAMS: Mapping[str, tuple[Callable[[Svaml], str], str]] = {
    "mermaid": (mermaid, "mermaid"),
    "dot": (dot, "dot"),
}


def options_of(form: str) -> frozenset[str]:
    """The options the writer of ``form`` takes: its keyword-only parameters (``region``, ``name``…)."""
    parameters = inspect.signature(FORMS[form][0]).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


#: The verbs of a marker, and the options each takes besides ``callback=``.
VERBS: Mapping[str, frozenset[str]] = {
    "render": frozenset({"as"}).union(*(options_of(form) for form in FORMS)),
    "describe": frozenset(),
    "diagram": frozenset({"as"}),
}


def _render_problem(form: str, options: Collection[str]) -> str | None:
    """What is wrong with rendering as ``form`` with the options named, or None.

    One check for both :func:`render` and a page's markers.
    """
    if form not in FORMS:
        return f"`render as={form}`; expected one of {', '.join(FORMS)}"
    unknown = sorted(set(options) - options_of(form))
    if unknown:
        takes = ", ".join(f"{o}=" for o in sorted(options_of(form))) or "no options"
        return f"`render as={form}` does not take {', '.join(f'{o}=' for o in unknown)}; it takes {takes}"
    return None


def render(value: Snippable, form: str = "json", **options: str | None) -> str:
    """``value`` printed as ``form`` (a key of :data:`FORMS`) with the writer's ``options``."""
    problem = _render_problem(form, options)
    if problem is not None:
        raise SvamlError(problem)
    out: str = FORMS[form][0](value, **options)
    return out


class Marker(NamedTuple):
    """A marker read from a page: its verb, source and options, and its 1-based line."""

    verb: str
    source: str
    options: dict[str, str]
    line: int


class PageError(SvamlError):
    """A marker that cannot be read: ``line`` is its line on the page, ``reason`` says why."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


_MARKER = re.compile(r"^<!--\s*svaml:\s*(?P<body>.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")


def verb_slip(word: str) -> str | None:
    """The verb of :data:`VERBS` that ``word`` (not itself one) is likely a slip for (``rendr``, ``Render``).

    The linter's own statements (``callback=…``, ``ignore[…]``) are no verb's slip.
    """
    if word in VERBS or set("=[") & set(word):
        return None
    close = difflib.get_close_matches(word.lower(), VERBS, n=1, cutoff=0.6)
    return close[0] if close else None


def read_marker(line: str, number: int) -> Marker | None:
    """The marker on ``line``, or None when the line is no marker of a verb (the linter's comments)."""
    match = _MARKER.match(line.strip())
    if match is None:
        return None
    try:
        words = shlex.split(match["body"])
    except ValueError as exc:
        raise PageError(number, f"cannot read the marker: {exc}") from None
    if not words:
        return None
    if words[0] not in VERBS:
        # A slip of a verb would leave its block stale without a word.
        slip = verb_slip(words[0])
        if slip is not None:
            raise PageError(number, f"unknown verb {words[0]!r}; did you mean {slip!r}?")
        return None
    verb, rest = words[0], words[1:]
    if not rest or "=" in rest[0]:
        raise PageError(number, f"`{verb}` needs a source (FILE.py:name, module:name or FILE.json)")
    options = {}
    for word in rest[1:]:
        key, equals, value = word.partition("=")
        if not equals or key not in VERBS[verb] | {"callback"}:
            allowed = ", ".join(sorted(VERBS[verb] | {"callback"}))
            raise PageError(number, f"`{verb}` takes {allowed}=…; got {word!r}")
        options[key] = value
    if verb == "render":
        problem = _render_problem(options.get("as", "json"), set(options) - {"as", "callback"})
        if problem is not None:
            raise PageError(number, problem)
    form = options.get("as", "mermaid")
    if verb == "diagram" and form not in DIAGRAMS:
        raise PageError(number, f"`diagram as={form}`; expected one of {', '.join(DIAGRAMS)}")
    return Marker(verb, rest[0], options, number)


def snippet(marker: Marker, base: Path, limits: Limits | None = None) -> tuple[str, str, list[Diagnostic]]:
    """The text and block language a marker makes, and the warnings of its source."""
    options = dict(marker.options)
    callback = options.pop("callback", None)
    value, warnings = load_checked(marker.source, callback=callback, base=base, limits=limits)
    if marker.verb == "describe":
        return describe(value), "text", warnings
    if marker.verb == "diagram":
        form = options.get("as", "mermaid")
        return diagram(value, form), DIAGRAMS.get(form, ("", form))[1], warnings
    form = options.pop("as", "json")
    return render(value, form, **options), FORMS[form][1], warnings


def _linters(line: str, number: int) -> bool:
    """Whether ``line`` is a ``svaml:`` comment of the linter's (no marker, nor a slip of one)."""
    if _MARKER.match(line.strip()) is None:
        return False
    try:
        return read_marker(line, number) is None
    except PageError:
        return False


class Synced(NamedTuple):
    """A page after :func:`sync_text`: its new text, the markers made, and the problems met.

    Each warning is a line ``page:line: source:line:column: …``: the marker, then where the
    warning is in its source.
    """

    text: str
    markers: int
    problems: list[str]
    warnings: list[str]


def sync_text(text: str, base: Path, *, where: str = "the page", limits: Limits | None = None) -> Synced:
    """``text`` with every marked block made afresh from its source (problems leave a block as it was).

    ``limits`` are the application's (``[tool.svaml] limits``), as the sources are checked with them.
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    problems: list[str] = []
    warnings: list[str] = []
    count = 0
    index = 0
    fence: str | None = None
    while index < len(lines):
        line = lines[index]
        index += 1
        out.append(line)
        opened = _FENCE.match(line.rstrip("\r\n"))
        if fence is not None:
            if opened is not None and opened["fence"].startswith(fence) and not opened["info"].strip():
                fence = None
            continue
        if opened is not None:
            fence = opened["fence"]
            continue
        try:
            marker = read_marker(line, index)
        except PageError as exc:
            problems.append(f"{where}:{exc.line}: {exc.reason}")
            continue
        if marker is None:
            continue
        count += 1
        # The linter's own comments (ignore[…], callback=…) may stand between a marker and its block.
        while index < len(lines) and _linters(lines[index], index + 1):
            out.append(lines[index])
            index += 1
        # The block after the marker, if there is one: [start, end) of its lines, the fence included.
        start = end = index
        block = _FENCE.match(lines[index].rstrip("\r\n")) if index < len(lines) else None
        if block is not None:
            end = index + 1
            while end < len(lines) and not (
                lines[end].rstrip("\r\n").startswith(block["fence"]) and not lines[end].strip(" `~\r\n")
            ):
                end += 1
            if end == len(lines):
                # An unclosed fence runs to the end of the page: remaking it would drop the rest.
                fence = block["fence"]
                reason = f"the block after the marker never closes (no {fence} after line {index + 1})"
                kept = "it and the rest of the page are left as they are"
                problems.append(f"{where}:{marker.line}: {reason}; {kept}")
                out.extend(lines[index:])
                break
            end += 1
        # Each diagnostic where it is: a JSON source's line and column, relative to here.
        source = marker.source if python_source(marker.source) else str(base / marker.source)
        try:
            made, language, found = snippet(marker, base, limits)
        except SvamlError as exc:
            detail = "".join(f"\n    {located(source, d)}" for d in exc.problems)
            problems.append(f"{where}:{marker.line}: {headline(exc)}{detail}")
            out.extend(lines[start:end])
            index = end
            continue
        warnings += [f"{where}:{marker.line}: {located(source, d)}" for d in found]
        ticks = "````" if "```" in made else "```"
        # The block is written with the page's own line ending, after the marker's line ends.
        newline = "\r\n" if line.endswith("\r\n") else "\n"
        if not line.endswith("\n"):
            out.append(newline)
        body = made if made.endswith("\n") else made + "\n"
        out.append(f"{ticks}{language}\n{body}{ticks}\n".replace("\n", newline))
        index = end
    return Synced("".join(out), count, problems, warnings)


def sync(path: str | Path, *, write: bool = True, limits: Limits | None = None) -> tuple[Synced, str]:
    """Make the marked blocks of the page at ``path`` afresh; write it back if it changed and ``write``.

    Returns the result and a unified diff of the page as it was against as it should be (empty
    when it is current).
    """
    page = Path(path)
    old = page.read_bytes().decode("utf-8")  # as it is: CRLF line endings stay CRLF
    result = sync_text(old, page.parent, where=str(path), limits=limits)
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            f"{path}",
            f"{path} (synced)",
        )
    )
    if write and diff:
        page.write_bytes(result.text.encode("utf-8"))
    return result, diff

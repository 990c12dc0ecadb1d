"""Output formats of ``svaml lint``: full, concise, json, sarif, github and gitlab.

Every format streams: a reporter writes each file's diagnostics as soon as the file is checked,
so memory does not grow with the number of files. The JSON-based formats write one array
element at a time and close the document in :meth:`Reporter.finish`.

The ``json`` format is a stable interface: a list of objects with the keys ``code``, ``name``,
``severity`` (``"error"`` or ``"warning"``), ``message``, ``filename``, ``location`` and
``end_location`` (``{"row": int, "column": int}``, 1-based, the end exclusive; ``end_location``
may be null), ``pointer`` (RFC 6901, into the file's JSON or the Markdown block's), ``url`` (the
rule's documentation, or null) and ``fix`` (null, or ``{"message": str, "edits": [RFC 6902
operations]}``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from svaml.diagnostic import Applicability, Diagnostic
from svaml.rules import Rule

__all__ = [
    "FORMATS",
    "Reporter",
    "Summary",
    "applicable",
    "fix_flags",
    "hidden_fixes",
    "make_reporter",
    "statistics",
    "summary_line",
]

#: The names ``--output-format`` accepts.
FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab")

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://svaml.dev"
# Source lines longer than this are shown as a window around the diagnostic.
_WIDTH = 160


class Summary(NamedTuple):
    """Counts for the last line of the text formats."""

    errors: int = 0
    warnings: int = 0
    fixable: int = 0
    fixed: int = 0
    files: int = 0
    hidden: int = 0  # unsafe fixes left out without --unsafe-fixes


def applicable(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    """Whether ``--fix`` applies the diagnostic's fix: a safe one, or any with ``--unsafe-fixes``."""
    fix = diagnostic.fix
    return fix is not None and (unsafe_fixes or fix.applicability is Applicability.SAFE)


class Reporter:
    """Writes diagnostics in one format: :meth:`file` for each checked file, then :meth:`finish`."""

    #: Text for a person (full, concise): notes such as ``--show-fixes``' list may follow it.
    #: The other formats are read by programs, and nothing may be written after them.
    human = False

    def __init__(
        self,
        stream: TextIO,
        *,
        rules: Mapping[str, Rule] | None = None,
        quiet: bool = False,
        version: str = "",
        unsafe_fixes: bool = False,
    ) -> None:
        self.stream = stream
        self.rules: Mapping[str, Rule] = rules or {}
        self.quiet = quiet
        self.version = version
        self.unsafe_fixes = unsafe_fixes

    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        """Write the diagnostics of one file; ``lines`` holds the source lines they are on."""

    def finish(self, summary: Summary, *, failed: bool = False) -> None:
        """Write whatever closes the output; ``failed`` when some file could not be checked."""

    def url(self, code: str) -> str | None:
        """Return the documentation address of a rule, if the rule is known."""
        rule = self.rules.get(code)
        return rule.url if rule is not None else None


def _severity(diagnostic: Diagnostic) -> str:
    return str(getattr(diagnostic.severity, "value", diagnostic.severity))


def fix_flags(unsafe_fixes: bool) -> str:
    """What applies the fixes counted fixable: ``--fix``, or ``--fix --unsafe-fixes`` with unsafe ones."""
    return "--fix --unsafe-fixes" if unsafe_fixes else "--fix"


def hidden_fixes(hidden: int) -> str:
    """`` (H hidden fixes can be enabled with --unsafe-fixes)``, or nothing when there are none."""
    if not hidden:
        return ""
    were = "fix can" if hidden == 1 else "fixes can"
    return f" ({hidden} hidden {were} be enabled with --unsafe-fixes)"


def summary_line(summary: Summary, *, failed: bool = False, unsafe_fixes: bool = False) -> str:
    """Return the closing lines, as ruff writes them.

    ``Found N errors, M warnings.``, then ``[*] K fixable with --fix (H hidden fixes can be
    enabled with --unsafe-fixes).`` when some are fixable (``with --fix --unsafe-fixes`` when
    ``unsafe_fixes`` counted the unsafe ones: ``--fix`` alone would not apply them), or that all
    checks passed, which a run that ``failed`` (a file could not be read) never says.
    """
    lines = []
    if summary.fixed:
        lines.append(f"Fixed {_plural(summary.fixed, 'problem')}.")
    if summary.errors or summary.warnings:
        lines.append(f"Found {_plural(summary.errors, 'error')}, {_plural(summary.warnings, 'warning')}.")
        hidden = hidden_fixes(summary.hidden)
        if summary.fixable:
            lines.append(f"[*] {summary.fixable} fixable with {fix_flags(unsafe_fixes)}{hidden}.")
        elif hidden:
            lines.append(f"No fixes available{hidden}.")
    elif failed:
        lines.append("Some files could not be checked (see above).")
    elif not summary.fixed:
        lines.append("All checks passed!")
    return "\n".join(lines)


def statistics(diagnostics: Mapping[str, tuple[int, int]], rules: Mapping[str, Rule]) -> str:
    """The ``--statistics`` table: per code, ruff's way: count, code, ``[*]`` when fixable, name.

    ``diagnostics`` maps a code to (how many, how many with a fix ``--fix`` applies).
    """
    rows = sorted(diagnostics.items(), key=lambda item: (-item[1][0], item[0]))
    if not rows:
        return ""
    width = max(len(str(count)) for _, (count, _) in rows)
    code_width = max(len(code) for code, _ in rows)
    any_fixable = any(fixable for _, (_, fixable) in rows)
    lines = []
    for code, (count, fixable) in rows:
        rule = rules.get(code)
        mark = ("[*] " if fixable else "[ ] ") if any_fixable else ""
        name = rule.name if rule is not None else code
        lines.append(f"{count:>{width}}\t{code:<{code_width}}\t{mark}{name}")
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _location(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.line or 1}:{diagnostic.column or 1}"


def _headline(filename: str, diagnostic: Diagnostic, unsafe_fixes: bool) -> str:
    fixable = " [*]" if applicable(diagnostic, unsafe_fixes) else ""
    severity = "warning: " if _severity(diagnostic) == "warning" else ""
    return f"{filename}:{_location(diagnostic)}: {diagnostic.code}{fixable} {severity}{diagnostic.message}"


class _Concise(Reporter):
    human = True

    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        write = self.stream.write
        for diagnostic in diagnostics:
            write(_headline(filename, diagnostic, self.unsafe_fixes) + "\n")

    def finish(self, summary: Summary, *, failed: bool = False) -> None:
        if not self.quiet:
            self.stream.write(summary_line(summary, failed=failed, unsafe_fixes=self.unsafe_fixes) + "\n")


class _Full(_Concise):
    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        write = self.stream.write
        for diagnostic in diagnostics:
            write(_headline(filename, diagnostic, self.unsafe_fixes) + "\n")
            source = lines.get(diagnostic.line or 1)
            if source is not None and source.strip():
                write(_snippet(source, diagnostic))
            if diagnostic.fix is not None:
                gutter = " " * len(str(diagnostic.line or 1))
                unsafe = " (unsafe fix)" if diagnostic.fix.applicability is Applicability.UNSAFE else ""
                write(f"{gutter} = help: {diagnostic.fix.description}{unsafe}\n")
            write("\n")


def _snippet(text: str, diagnostic: Diagnostic) -> str:
    """Show the source line with a caret under the diagnostic, ruff style."""
    line = diagnostic.line or 1
    text = text.rstrip("\r")
    start = max((diagnostic.column or 1) - 1, 0)
    if diagnostic.end_line == line and diagnostic.end_column is not None:
        end = max(diagnostic.end_column - 1, start + 1)
    elif diagnostic.end_line is not None and diagnostic.end_line > line:
        end = max(len(text), start + 1)  # a span over several lines: mark to the end of this one
    else:
        end = start + 1
    cut = 0
    if len(text) > _WIDTH:
        cut = max(0, min(start - 20, len(text) - _WIDTH))
        text = ("…" if cut else "") + text[cut : cut + _WIDTH] + ("…" if cut + _WIDTH < len(text) else "")
        shift = 1 if cut else 0
        start, end = start - cut + shift, min(end - cut, _WIDTH) + shift
    start = min(start, len(text))
    end = max(min(end, len(text)), start + 1)
    shown = text.expandtabs(4)
    caret_at = len(text[:start].expandtabs(4))
    width = max(len(text[:end].expandtabs(4)) - caret_at, 1)
    gutter = " " * len(str(line))
    return (
        f"{gutter} |\n"
        f"{line} | {shown}\n"
        f"{gutter} | {' ' * caret_at}{'^' * width} {diagnostic.code}\n"
        f"{gutter} |\n"
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class _GitHub(Reporter):
    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        for d in diagnostics:
            level = "warning" if _severity(d) == "warning" else "error"
            props = [f"file={_escape_property(filename)}"]
            if d.line is not None:
                props += [f"line={d.line}", f"col={d.column or 1}"]
                if d.end_line is not None and d.end_column is not None:
                    props += [f"endLine={d.end_line}", f"endColumn={d.end_column}"]
            props.append(f"title={_escape_property(d.code)}")
            message = _escape_data(f"{d.code} {d.message}")
            self.stream.write(f"::{level} {','.join(props)}::{message}\n")


class _JsonArray(Reporter):
    """A JSON array written one element at a time."""

    indent = 0

    def __init__(self, stream: TextIO, **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.count = 0
        self.opened = False

    def open(self) -> None:
        self.stream.write("[")
        self.opened = True

    def element(self, item: Any) -> None:
        if not self.opened:
            self.open()
        pad = " " * (self.indent + 2)
        text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
        self.stream.write(("," if self.count else "") + "\n" + pad + text)
        self.count += 1

    def close(self) -> None:
        if not self.opened:
            self.open()
        self.stream.write(("\n" + " " * self.indent if self.count else "") + "]")


def _position(line: int | None, column: int | None) -> dict[str, int] | None:
    if line is None:
        return None
    return {"row": line, "column": column or 1}


def _edits(diagnostic: Diagnostic) -> list[dict[str, Any]]:
    if diagnostic.fix is None:
        return []
    edits = []
    for edit in diagnostic.fix.edits:
        item: dict[str, Any] = {"op": edit.op, "path": edit.path}
        if edit.op == "move":
            item["from"] = edit.from_
        elif edit.op != "remove":
            item["value"] = edit.value
        edits.append(item)
    return edits


class _Json(_JsonArray):
    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        for d in diagnostics:
            fix = None
            if d.fix is not None:
                fix = {
                    "message": d.fix.description,
                    "applicability": d.fix.applicability.value,
                    "edits": _edits(d),
                }
            self.element(
                {
                    "code": d.code,
                    "name": d.name,
                    "severity": _severity(d),
                    "message": d.message,
                    "filename": filename,
                    "location": _position(d.line or 1, d.column),
                    "end_location": _position(d.end_line, d.end_column),
                    "pointer": d.pointer,
                    "url": self.url(d.code),
                    "fix": fix,
                }
            )

    def finish(self, summary: Summary, *, failed: bool = False) -> None:
        self.close()
        self.stream.write("\n")


class _GitLab(_JsonArray):
    def __init__(self, stream: TextIO, **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.seen: dict[str, int] = {}

    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        self.seen.clear()  # fingerprints are unique per file; the path is in them
        for d in diagnostics:
            # Not the line: a fingerprint survives edits above the problem.
            key = "\0".join((filename, d.code, d.pointer, d.message))
            occurrence = self.seen.get(key, 0)
            self.seen[key] = occurrence + 1
            # surrogatepass: a key may hold a lone surrogate, from a JSON escape ("\ud800").
            fingerprint = hashlib.sha256(f"{key}\0{occurrence}".encode("utf-8", "surrogatepass")).hexdigest()
            begin = {"line": d.line or 1, "column": d.column or 1}
            end = {"line": d.end_line or begin["line"], "column": d.end_column or begin["column"]}
            self.element(
                {
                    "description": f"{d.code} {d.message}",
                    "check_name": d.code,
                    "fingerprint": fingerprint,
                    "severity": "minor" if _severity(d) == "warning" else "major",
                    "location": {"path": filename, "positions": {"begin": begin, "end": end}},
                }
            )

    def finish(self, summary: Summary, *, failed: bool = False) -> None:
        self.close()
        self.stream.write("\n")


class _Sarif(_JsonArray):
    indent = 6

    def __init__(self, stream: TextIO, **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.index = {code: i for i, code in enumerate(sorted(self.rules))}
        self.tail = ""

    def open(self) -> None:
        rules = [_sarif_rule(self.rules[code]) for code in sorted(self.rules)]
        driver = {
            "name": "svaml",
            "informationUri": _INFO_URI,
            "version": self.version,
            "rules": rules,
        }
        log = {
            "$schema": _SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": "\0results\0"}],
        }
        head, self.tail = json.dumps(log, indent=2, ensure_ascii=False).split('"\\u0000results\\u0000"')
        self.stream.write(head)
        super().open()

    def file(self, filename: str, diagnostics: Sequence[Diagnostic], lines: Mapping[int, str]) -> None:
        uri = _uri(filename)
        for d in diagnostics:
            region: dict[str, int] = {"startLine": d.line or 1, "startColumn": d.column or 1}
            if d.end_line is not None and d.end_column is not None:
                region.update(endLine=d.end_line, endColumn=d.end_column)
            result: dict[str, Any] = {
                "ruleId": d.code,
                "level": "warning" if _severity(d) == "warning" else "error",
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri},
                            "region": region,
                        },
                        "logicalLocations": [{"fullyQualifiedName": d.pointer or "/", "kind": "member"}],
                    }
                ],
                "properties": {"pointer": d.pointer, "fixable": d.fix is not None},
            }
            if d.code in self.index:
                result["ruleIndex"] = self.index[d.code]
            self.element(result)

    def finish(self, summary: Summary, *, failed: bool = False) -> None:
        self.close()
        self.stream.write(self.tail + "\n")


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    level = "warning" if str(getattr(rule.severity, "value", rule.severity)) == "warning" else "error"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": level},
        "properties": {"fixable": rule.fixable},
    }


def _uri(filename: str) -> str:
    path = Path(filename)
    if path.is_absolute():
        return path.as_uri()
    return path.as_posix()


_REPORTERS: dict[str, type[Reporter]] = {
    "full": _Full,
    "concise": _Concise,
    "json": _Json,
    "sarif": _Sarif,
    "github": _GitHub,
    "gitlab": _GitLab,
}


def make_reporter(
    output_format: str,
    stream: TextIO,
    *,
    rules: Mapping[str, Rule] | None = None,
    quiet: bool = False,
    version: str = "",
    unsafe_fixes: bool = False,
) -> Reporter:
    """Return the reporter of an output format (one of :data:`FORMATS`) writing to ``stream``."""
    return _REPORTERS[output_format](
        stream, rules=rules, quiet=quiet, version=version, unsafe_fixes=unsafe_fixes
    )

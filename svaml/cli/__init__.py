"""The ``svaml`` command line: parse the arguments and run the subcommand.

``lint`` (:mod:`svaml.cli.lint`), ``rules`` and ``rule CODE`` (here), ``schema``
(:mod:`svaml.cli.schema`), and the REST subcommands ``call …`` and ``numbers …``
(:mod:`svaml.cli.call`, whose ``register(subparsers)`` adds its parsers), the snippet commands
``render``, ``describe``, ``diagram`` and ``docs sync`` (:mod:`svaml.cli.snippets`), ``simulate``
(:mod:`svaml.cli.simulate`, one call played against an application, or many against a URL),
``send EVENT`` (:mod:`svaml.cli.send`) and ``emulator`` (:mod:`svaml.cli.emulator`). Each parser sets
``handler``, a function of the parsed :class:`argparse.Namespace` returning the exit status.
Exit codes follow ruff: 0 clean, 1 diagnostics, 2 usage, configuration or I/O error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from svaml import __version__
from svaml.cli._messages import error as _error
from svaml.cli.call import register as _register_call
from svaml.cli.config import CALLBACKS, ConfigError, comma_list, parse_size
from svaml.cli.emulator import register as _register_emulator
from svaml.cli.formats import FORMATS
from svaml.cli.lint import MAX_BYTES
from svaml.cli.lint import lint as _lint
from svaml.cli.schema import SCHEMA_CALLBACKS
from svaml.cli.schema import schema as _schema
from svaml.cli.send import register as _register_send
from svaml.cli.simulate import register as _register_simulate
from svaml.cli.snippets import register as _register_snippets

__all__ = ["MAX_BYTES", "main"]


class _Extend(argparse.Action):
    """Collect comma-separated values over repeated options."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        current = list(getattr(namespace, self.dest) or [])
        current.extend(comma_list(str(values)))
        setattr(namespace, self.dest, current)


def _size(text: str) -> int:
    try:
        return parse_size(text, where="")  # argparse names the option
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _processes(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more processes")
    return count


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svaml",
        description="Sinch Voice call control: lint SVAML and explain its rules, print its schema, "
        "render documents for docs, simulate calls against an application, and place and manage calls.",
    )
    parser.add_argument("--version", action="version", version=f"svaml {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    lint = sub.add_parser(
        "lint",
        help="check SVAML in JSON and JSONC files, Markdown blocks and stdin",
        description="Check SVAML documents and callout requests: files, directories "
        "(*.json, *.jsonc and *.md, recursively), and - for standard input.",
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or - (default: .)")
    lint.add_argument(
        "--callback",
        choices=(*CALLBACKS, "auto"),
        help="where the documents are used; auto (default) reads a *.ice.json-style suffix, "
        "then the configuration",
    )
    lint.add_argument(
        "--svaml-version",
        choices=("auto", "1", "2"),
        default="auto",
        help="which SVAML the JSON files hold; auto (default) tells v2 by its top-level commands list",
    )
    lint.add_argument(
        "--strict",
        action="store_true",
        help="SVAML v2: report unknown properties as errors, as Sinch's STRICT validation (S2007, S2301)",
    )
    lint.add_argument(
        "--select", action=_Extend, metavar="CODES", help="rule codes or prefixes to enable (or ALL)"
    )
    lint.add_argument("--ignore", action=_Extend, metavar="CODES", help="rule codes or prefixes to disable")
    lint.add_argument(
        "--extend-select", action=_Extend, metavar="CODES", help="enable these on top of --select"
    )
    lint.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="GLOB:CODES",
        help="ignore codes in files matching a glob (repeatable; replaces the configuration's)",
    )
    lint.add_argument("--output-format", choices=FORMATS, help="how to report (default: full)")
    lint.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE")
    lint.add_argument("--fix", action="store_true", help="apply the safe fixes of fixable diagnostics")
    lint.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix, apply unsafe fixes too (without it, only show them as available)",
    )
    lint.add_argument(
        "--diff", action="store_true", help="print a diff of what --fix would change, and write nothing"
    )
    lint.add_argument(
        "--show-fixes", action="store_true", help="list the fixes applied (or available) in each file"
    )
    lint.add_argument(
        "--statistics", action="store_true", help="count the diagnostics per rule instead of listing them"
    )
    lint.add_argument(
        "--max-file-size",
        type=_size,
        metavar="SIZE",
        help="refuse files larger than SIZE bytes (suffixes K, M, G: KiB, MiB, GiB; default 10M)",
    )
    lint.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are diagnostics")
    lint.add_argument("-q", "--quiet", action="store_true", help="print diagnostics and nothing else")
    lint.add_argument("--stdin-filename", metavar="NAME", help="the name to report standard input as")
    lint.add_argument("--config", metavar="FILE", help="read [tool.svaml] from this pyproject.toml")
    lint.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    lint.add_argument(
        "-j", "--jobs", type=_processes, metavar="N", help="check files in N processes (default: one per CPU)"
    )
    lint.set_defaults(handler=_lint)

    rules = sub.add_parser("rules", help="list the rules", description="List every rule svaml checks.")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    rules.set_defaults(handler=_rules)

    rule = sub.add_parser("rule", help="explain a rule", description="Explain one rule.")
    rule.add_argument("code", metavar="CODE", help="a rule code (SV103) or name (duplicate-action)")
    rule.set_defaults(handler=_rule)

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema",
        description="Print svaml's JSON Schema of SVAML, or of a callout request. The limits are "
        "those of [tool.svaml] in the nearest pyproject.toml.",
    )
    schema.add_argument(
        "--callback",
        choices=SCHEMA_CALLBACKS,
        help="the schema of a document answering this callback, or of a callout request",
    )
    schema.add_argument(
        "--strict",
        action="store_true",
        help="canonical names and values only, no unknown field, no null (v2: as Sinch's STRICT validation)",
    )
    schema.add_argument(
        "--svaml-version", choices=("1", "2"), default="1", help="the schema of SVAML v1 (default) or v2"
    )
    schema.set_defaults(handler=_schema)

    _register_call(sub)
    _register_snippets(sub)
    _register_simulate(sub)
    _register_send(sub)
    _register_emulator(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        status: int = handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (svaml lint | head); say nothing more.
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return 1
    return status


# -- rules, rule ----------------------------------------------------------------------------


def _rules(args: argparse.Namespace) -> int:
    import json

    from svaml.rules import RULES

    if args.output_format == "json":
        items = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "fixable": r.fixable,
                "fix": None if r.fix is None else r.fix.value,
                "summary": r.summary,
                "url": r.url,
                "example": None
                if r.example is None
                else {
                    "text": r.example.text,
                    "callback": None if r.example.callback is None else r.example.callback.value,
                    "fixed": r.example.fixed,
                },
            }
            for r in RULES.values()
        ]
        sys.stdout.write(json.dumps(items, indent=2) + "\n")
        return 0
    rows = [("code", "name", "severity", "fixable", "summary")]
    rows += [
        (r.code, r.name, r.severity.value, "" if r.fix is None else r.fix.value, r.summary)
        for r in sorted(RULES.values(), key=lambda r: r.code)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        sys.stdout.write("  ".join(cells) + "  " + row[4] + "\n")
    return 0


# A code span, reST (``x``) or Markdown (`x`); and Markdown emphasis (*x*).
_CODE = re.compile(r"``(.+?)``|`([^`]+)`")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def _plain(doc: str) -> str:
    """A rule's doc for a terminal: code spans as quoted text (``x`` and `x` as 'x'), no emphasis marks."""

    def code(match: re.Match[str]) -> str:
        text = match[1] or match[2]
        return text if text[:1] in "'\"" or "'" in text else f"'{text}'"

    return _EMPHASIS.sub(r"\1", _CODE.sub(code, doc))


def _rule(args: argparse.Namespace) -> int:
    from svaml.rules import RULES, Example, validate

    wanted = args.code.strip()
    found = RULES.get(wanted.upper()) or next((r for r in RULES.values() if r.name == wanted.lower()), None)
    if found is None:
        _error(f"unknown rule {args.code!r}; `svaml rules` lists them")
        return 2
    callbacks = "all" if found.callbacks is None else ", ".join(sorted(c.value for c in found.callbacks))
    if "svaml2" in found.targets:  # v2 has uses, not callbacks
        from svaml.v2.model.document import Use

        uses = "all"
        if found.uses is not None:
            unknown = ["unknown"] if None in found.uses else []
            uses = ", ".join([*(u.value for u in Use if u in found.uses), *unknown])
        callbacks = f"none (v2; uses: {uses})"
    targets = {"svaml": "SVAML documents", "callout": "callout requests", "svaml2": "SVAML v2 documents"}
    applies = " and ".join(words for target, words in targets.items() if target in found.targets)
    fixable = "no" if found.fix is None else f"{found.fix.value} (svaml lint {found.fix.flags})"
    out = sys.stdout
    out.write(
        f"# {found.code} {found.name}\n\n"
        f"{_plain(found.summary)}\n\n"
        f"Severity: {found.severity.value}. Fixable: {fixable}. "
        f"Callbacks: {callbacks}. Checks: {applies}.\n"
        f"Source: {_plain(found.source)}\n"
    )
    if found.found_by is not None:
        out.write(f"Found by: {found.found_by}.\n")
    out.write(f"\n{_plain(found.doc)}\n\n")
    # The example registered with the rule, the one docs/rules.md shows.
    example = found.example
    if example is not None:
        where = f" (as {example.callback.phrase})" if example.callback is not None else ""
        out.write(f"Example{where}:\n\n{Example.shown(example.text)}\n\nsvaml reports:\n\n")
        for d in validate(example.text, callback=example.callback):
            if d.code == found.code:
                out.write(f"{d.pointer or '/'}: {d.message} [{d.code}]\n")
        if example.fixed is not None:
            out.write(f"\nFixed:\n\n{Example.shown(example.fixed)}\n")
        out.write("\n")
    out.write(f"{found.url}\n")
    return 0

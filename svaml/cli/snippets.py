"""``svaml render``, ``svaml describe``, ``svaml diagram`` and ``svaml docs sync``: snippets for docs.

Each reads a source (``FILE.py:name``, ``module:name``, a JSON file, or ``-`` for standard
input), checks it with the rules for its callback, and prints it (:mod:`svaml.snippets`). A
document with errors prints its diagnostics on standard error and exits 1; a source that cannot
be read, or a form that cannot express the document, exits 2. ``docs sync --check`` exits 1
and prints the diff when a page is out of date.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from svaml.cli._messages import error, note
from svaml.cli.config import CALLBACKS, ConfigError, load_config
from svaml.cli.lint import MARKDOWN_SUFFIXES, SKIP_DIRS
from svaml.client import REGIONS
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.rules import Limits
from svaml.snippets import (
    DIAGRAMS,
    FORMS,
    NodeUnsupported,
    Snippable,
    check,
    describe,
    diagram,
    load_checked,
    read_text,
    render,
    sync,
)
from svaml.snippets._curl import LEGS
from svaml.snippets._source import headline, located, not_valid

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the snippet commands to the ``svaml`` parser's subparsers."""
    render_parser = sub.add_parser(
        "render",
        help="print a document as JSON, curl, Python or Node code",
        description="Print a SVAML document or callout request, checked for its callback: canonical "
        "JSON, the curl request that sends it, Python builder code, or @sinch/voice code.",
    )
    _source_arguments(render_parser)
    render_parser.add_argument(
        "--as", dest="form", choices=tuple(FORMS), default="json", help="default: json"
    )
    render_parser.add_argument(
        "--region", choices=tuple(REGIONS), default="global", help="curl: Sinch's region"
    )
    render_parser.add_argument(
        "--base-url", metavar="URL", help="curl: send to this URL instead of the region's"
    )
    render_parser.add_argument(
        "--leg", choices=LEGS, default="caller", help="curl: the leg of a call-leg update"
    )
    render_parser.add_argument("--name", metavar="NAME", help="python, node: the variable to bind")
    render_parser.set_defaults(handler=_render)

    describe_parser = sub.add_parser(
        "describe",
        help="say what a document does in plain words",
        description="Describe a SVAML document or callout request in plain words.",
    )
    _source_arguments(describe_parser)
    describe_parser.set_defaults(handler=_describe)

    diagram_parser = sub.add_parser(
        "diagram",
        help="draw a document (runMenu menus) as Mermaid, DOT or SVG",
        description="Draw a SVAML document as a flowchart: its steps and, for runMenu, its menus, "
        "options, timeouts, unreachable menus and missing targets.",
    )
    _source_arguments(diagram_parser)
    diagram_parser.add_argument(
        "--as", dest="form", choices=(*DIAGRAMS, "svg"), default="mermaid", help="default: mermaid"
    )
    diagram_parser.add_argument("-o", "--output-file", metavar="FILE", help="write to FILE")
    diagram_parser.set_defaults(handler=_diagram)

    docs = sub.add_parser("docs", help="keep Markdown snippets in sync", description="Markdown pages.")
    docs_sub = docs.add_subparsers(dest="docs_command", metavar="COMMAND", required=True)
    sync_parser = docs_sub.add_parser(
        "sync",
        help="remake the blocks marked <!-- svaml: VERB SOURCE ... -->",
        description="Remake every fenced block a page marks with <!-- svaml: render|describe|diagram "
        "SOURCE [as=…] -->; with --check, change nothing and exit 1 with a diff when a page is stale.",
    )
    sync_parser.add_argument("paths", nargs="+", metavar="PAGE", help="Markdown files or directories")
    sync_parser.add_argument("--check", action="store_true", help="only check; exit 1 if a page is stale")
    sync_parser.set_defaults(handler=_sync)


def _source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", metavar="SOURCE", help="FILE.py:name, module:name, FILE.json, or - for stdin"
    )
    parser.add_argument(
        "--callback", choices=CALLBACKS, help="where the document is used (overrides the source)"
    )


def _print_diagnostics(where: str, found: Iterable[Diagnostic]) -> None:
    for d in found:
        sys.stderr.write(located(where, d) + "\n")


def _limits() -> Limits | int | None:
    """The limits of ``[tool.svaml]`` (as ``svaml lint`` and ``svaml schema`` read them), or exit 2."""
    try:
        return load_config().limits
    except ConfigError as exc:
        error(str(exc))
        return 2


class _Read(NamedTuple):
    """A source read and checked, and the exit status its diagnostics make (1 with errors, else 0)."""

    value: Snippable
    status: int


def _read(args: argparse.Namespace, *, allow_errors: bool = False) -> _Read | int:
    """The source, checked; or the exit status when it is not valid (1) or cannot be read (2).

    With ``allow_errors`` (describe, diagram), a document with errors is still returned, its
    diagnostics printed: the account or the drawing shows a reviewer what is wrong.
    """
    limits = _limits()
    if isinstance(limits, int):
        return limits
    where = "<stdin>" if args.source == "-" else args.source
    options: dict[str, Any] = {"callback": args.callback, "limits": limits, "allow_errors": allow_errors}
    try:
        if args.source == "-":
            text = sys.stdin.buffer.read()
            value = read_text(text, callback=args.callback, where=where, limits=limits)
            found = check(value, where=where, text=text, limits=limits, allow_errors=allow_errors)
        else:
            value, found = load_checked(args.source, **options)
    except SvamlError as exc:
        error(headline(exc))
        _print_diagnostics(where, exc.problems)
        return 1 if exc.problems else 2
    broken = any(d.severity is Severity.ERROR for d in found)
    if broken:
        error(f"{not_valid(value, where)}; shown as it is")
    _print_diagnostics(where, found)
    return _Read(value, 1 if broken else 0)


def _render(args: argparse.Namespace) -> int:
    read = _read(args)
    if isinstance(read, int):
        return read
    value = read.value
    options: dict[str, Any] = {}
    if args.form == "curl":
        options = {"region": args.region, "base_url": args.base_url, "leg": args.leg}
    elif args.form in ("python", "node") and args.name:
        options = {"name": args.name}
    try:
        sys.stdout.write(render(value, args.form, **options))
    except NodeUnsupported as exc:
        error(f"cannot render as node: {exc}")
        return 2
    except SvamlError as exc:
        error(str(exc))
        return 2
    return 0


def _describe(args: argparse.Namespace) -> int:
    read = _read(args, allow_errors=True)
    if isinstance(read, int):
        return read
    sys.stdout.write(describe(read.value))
    return read.status


def _diagram(args: argparse.Namespace) -> int:
    read = _read(args, allow_errors=True)
    if isinstance(read, int):
        return read
    try:
        out = diagram(read.value, args.form)
    except SvamlError as exc:
        error(str(exc))
        return 2
    if args.output_file:
        try:
            Path(args.output_file).write_text(out, encoding="utf-8")
        except OSError as exc:
            error(f"{args.output_file}: cannot write it ({exc.strerror or exc})")
            return 2
        note(f"wrote {args.output_file}")
    else:
        sys.stdout.write(out)
    return read.status


def _pages(paths: Iterable[str]) -> list[Path]:
    """The pages named, and the Markdown pages under each directory named, walked as the linter walks."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            found.append(path)
            continue
        for directory, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            found += [Path(directory, f) for f in sorted(files) if f.lower().endswith(MARKDOWN_SUFFIXES)]
    return found


def _sync(args: argparse.Namespace) -> int:
    limits = _limits()
    if isinstance(limits, int):
        return limits
    status = 0
    for page in _pages(args.paths):
        try:
            result, diff = sync(page, write=not args.check, limits=limits)
        except (OSError, UnicodeDecodeError) as exc:
            error(f"{page}: cannot read it ({getattr(exc, 'strerror', None) or exc})")
            status = 2
            continue
        for problem in result.problems:
            error(problem)
            status = max(status, 1)
        for warning in result.warnings:
            sys.stderr.write(warning + "\n")
        if diff and args.check:
            sys.stdout.write(diff)
            note(f"{page} is out of date: run `svaml docs sync {page}`")
            status = max(status, 1)
        elif diff:
            blocks = "1 marked block" if result.markers == 1 else f"{result.markers} marked blocks"
            note(f"synced {page} ({blocks})")
    return status

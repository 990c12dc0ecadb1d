"""``svaml lint``: find the files, read them, check them, report, and apply ``--fix``.

Files, directories (``*.json``, ``*.jsonc`` and ``*.md``, recursively) and standard input are checked with
the conventions of ruff: selection, per-file ignores, output formats, ``--fix``, and exit codes
0 clean, 1 diagnostics, 2 usage, configuration or I/O error. It never touches the network. Many
files are checked in worker processes.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import errno
import gc
import itertools
import os
import signal
import stat
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from svaml import __version__
from svaml._json import Decoded, decode, decode_jsonc, utf8_text
from svaml.cli._messages import error as _error
from svaml.cli._messages import note as _note
from svaml.cli._messages import printable
from svaml.cli.config import (
    Config,
    ConfigError,
    Layer,
    callback_from_name,
    check_selectors,
    comma_list,
    load_config,
    matches_path,
    resolve_selection,
    selected,
    use_from_name,
)
from svaml.cli.directives import jsonc_suppressions, suppress
from svaml.cli.fix import (
    STOP_SIGNALS,
    WriteRefused,
    check_writable,
    fix_decoded,
    fix_markdown,
    fix_text,
    stop_on_signals,
    sweep,
    write_atomic,
)
from svaml.cli.formats import Summary, applicable, fix_flags, hidden_fixes, make_reporter, statistics
from svaml.cli.markdown import Kind, check_decoded, lint_markdown, place, svaml_kind
from svaml.diagnostic import Diagnostic, Severity
from svaml.rules import RULES, Limits

__all__ = ["MARKDOWN_SUFFIXES", "MAX_BYTES", "SKIP_DIRS", "lint"]

#: Files larger than this are refused rather than read (``--max-file-size``, ``max-file-size``).
MAX_BYTES = 10 * 1024 * 1024

#: The suffixes of Markdown files, whose SVAML blocks are linted (and pages `docs sync` reads).
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: Directories a walk never enters (named paths are still read): the linter's and ``docs sync``'s.
SKIP_DIRS = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".hg",
        ".mypy_cache",
        ".nox",
        ".pytest_cache",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        "__pycache__",
        "__pypackages__",
        "_build",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)


class _Settings(NamedTuple):
    config: Config
    enabled: frozenset[str]
    per_file: tuple[tuple[str, tuple[str, ...]], ...]
    callback: str | None  # a flag other than auto: used for every file
    fallback: str | None  # the configuration's callback, when no suffix says one
    output_format: str
    exclude: tuple[str, ...]
    max_bytes: int
    version: int | None = None  # --svaml-version: None tells v1 from v2 by shape
    strict: bool = False  # --strict: v2's unknown properties are errors


class _Target(NamedTuple):
    name: str  # as reported
    path: str | None  # None for standard input
    explicit: bool
    tree: str | None = None  # the directory linted: --fix writes through no link out of it


class _Tally:
    def __init__(self) -> None:
        self.errors = 0
        self.warnings = 0
        self.fixable = 0
        self.fixed = 0
        self.files = 0
        self.hidden = 0
        self.failed = False


def _settings(args: argparse.Namespace, rules: Sequence[str]) -> _Settings:
    path = Path(args.config) if args.config else None
    config = Config() if args.isolated else load_config(path=path)
    where = str(config.path) if config.path else "configuration"
    layers = [
        Layer(
            select=None
            if config.select is None
            else check_selectors(config.select, rules, f"{where}: select"),
            extend_select=check_selectors(config.extend_select, rules, f"{where}: extend-select"),
            ignore=check_selectors(config.ignore, rules, f"{where}: ignore"),
        ),
        Layer(
            select=None if args.select is None else check_selectors(args.select, rules, "--select"),
            extend_select=check_selectors(args.extend_select or (), rules, "--extend-select"),
            ignore=check_selectors(args.ignore or (), rules, "--ignore"),
        ),
    ]
    per_file = tuple(
        (glob, check_selectors(codes, rules, f"{where}: per-file-ignores {glob!r}"))
        for glob, codes in config.per_file_ignores
    )
    if args.per_file_ignores is not None:
        entries = []
        for entry in args.per_file_ignores:
            glob, colon, codes = entry.rpartition(":")
            if not colon or not glob:
                raise ConfigError(f"--per-file-ignores {entry!r}: expected GLOB:CODES")
            entries.append((glob, check_selectors(comma_list(codes), rules, "--per-file-ignores")))
        per_file = tuple(entries)
    output_format = args.output_format or config.output_format
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"
    flag = args.callback if args.callback != "auto" else None
    fallback = config.callback if config.callback != "auto" else None
    return _Settings(
        config=config,
        enabled=resolve_selection(rules, layers),
        per_file=per_file,
        callback=flag,
        fallback=fallback,
        output_format=output_format,
        exclude=config.exclude,
        max_bytes=args.max_file_size or config.max_file_size or MAX_BYTES,
        version=None if getattr(args, "svaml_version", "auto") in (None, "auto") else int(args.svaml_version),
        strict=bool(getattr(args, "strict", False)),
    )


def _relative(path: str, root: Path) -> str:
    """Return the path relative to the configuration's root, in POSIX form, for globs."""
    absolute = os.path.realpath(path)
    relative = os.path.relpath(absolute, root)
    if relative.startswith(".."):
        relative = absolute
    return relative.replace(os.sep, "/")


def _excluded(path: str, settings: _Settings) -> bool:
    if not settings.exclude:
        return False
    relative = _relative(path, settings.config.root)
    return any(matches_path(relative, pattern) for pattern in settings.exclude)


def _display(path: str) -> str:
    """The path as reported: relative to the current directory, and always printable.

    A name that is not UTF-8 is shown with U+FFFD where its bytes do not decode, as ruff does;
    the file itself is still opened by its real name.
    """
    text = os.path.normpath(path)
    if os.path.isabs(text):
        cwd = os.getcwd()
        if text.startswith(cwd + os.sep):
            text = text[len(cwd) + 1 :]
    return printable(text)


def _targets(args: argparse.Namespace, settings: _Settings, tally: _Tally) -> Iterator[_Target]:
    for raw in args.paths or ["."]:
        if raw == "-":
            yield _Target(args.stdin_filename or "-", None, True)
            continue
        if os.path.isdir(raw):
            found = False
            for target in _walk(raw, settings, tally):
                found = True
                yield target
            if not found and not args.quiet:
                _note(f"warning: no *.json, *.jsonc or *.md files under {raw}")
        elif os.path.lexists(raw):
            if _excluded(raw, settings):
                if not args.quiet:
                    _note(f"{_display(raw)}: skipped, excluded by the configuration")
                continue
            yield _Target(_display(raw), raw, True, os.path.dirname(raw) or ".")
        else:
            _error(f"{raw}: no such file or directory")
            tally.failed = True


def _walk(top: str, settings: _Settings, tally: _Tally) -> Iterator[_Target]:
    def unlisted(error: OSError) -> None:
        _error(f"{_display(error.filename or top)}: cannot list the directory: {error.strerror or error}")
        tally.failed = True

    tree = top
    top = os.path.normpath(top)
    for directory, dirs, files in os.walk(top, onerror=unlisted):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(directory, d), settings)
        )
        prefix = "" if directory == "." else directory + os.sep
        for name in sorted(files):
            lower = name.lower()
            if lower.endswith((".json", ".jsonc")) or lower.endswith(MARKDOWN_SUFFIXES):
                path = prefix + name
                if not _excluded(path, settings):
                    yield _Target(_display(path), path, False, tree)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class _Unreadable(Exception):
    """A file svaml refuses to read; the message says why."""


def _irregular(mode: int) -> str:
    kind = next((words for test, words in _KINDS if test(mode)), "of an unknown kind")
    return f"is {kind}, not a regular file; svaml reads only regular files"


def _read(target: _Target, limit: int) -> bytes:
    """Read a regular file (or standard input) of at most ``limit`` bytes, or raise _Unreadable.

    Only regular files are opened: a FIFO, a device or a socket would block or never end. The
    file is opened without blocking and checked again once open, in case it was swapped.
    """
    if target.path is None:
        data = _read_limited(sys.stdin.buffer, limit)
    else:
        try:
            info = os.stat(target.path)
        except FileNotFoundError:
            if os.path.islink(target.path):
                raise _Unreadable(f"is a broken symbolic link (to {os.readlink(target.path)})") from None
            raise
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable(_irregular(info.st_mode))
        if info.st_size > limit:
            raise _Unreadable(_too_large(info.st_size, limit))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        handle = os.open(target.path, flags)
        with open(handle, "rb", buffering=0) as file:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                raise _Unreadable(_irregular(info.st_mode))
            data = _read_limited(file, limit)
    if len(data) > limit:
        raise _Unreadable(_too_large(len(data), limit))
    return data


def _too_large(size: int, limit: int) -> str:
    return (
        f"is too large to check: {size:,} bytes or more, over the limit of {limit:,} "
        "(raise it with --max-file-size or max-file-size in [tool.svaml])"
    )


def _read_limited(file: Any, limit: int) -> bytes:
    chunks = []
    size = 0
    while size <= limit:
        chunk = file.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class _Content(NamedTuple):
    text: str | None  # None when the bytes are not UTF-8 text
    problem: str = ""
    line: int = 1
    column: int = 1
    bom: bool = False


def _content(data: bytes) -> _Content:
    """Decode file bytes as UTF-8, or say why they are not text, and where."""
    if not data:
        return _Content(None, "the file is empty: expected a JSON document")
    text = utf8_text(data)  # the one JSON policy's reading of bytes
    if not isinstance(text, str):
        return _Content(None, text.message, text.line, text.column)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - data.rfind(b"\n", 0, nul)
        return _Content(None, "binary file (it holds NUL bytes): not JSON or Markdown text", line, column)
    return _Content(text, bom=data.startswith(b"\xef\xbb\xbf"))


def _content_diagnostic(content: _Content) -> Diagnostic:
    rule = RULES.get("SV001")
    return Diagnostic(
        code="SV001",
        name=rule.name if rule is not None else "invalid-json",
        severity=Severity.ERROR,
        message=content.problem or "the file holds only whitespace: expected a JSON document",
        line=content.line,
        column=content.column,
    )


def lint(args: argparse.Namespace) -> int:
    """Run ``svaml lint`` with the parsed arguments; return the exit status."""
    if args.stdin_filename and not args.paths:
        args.paths = ["-"]
    try:
        settings = _settings(args, sorted(RULES))
    except ConfigError as exc:
        _error(str(exc))
        return 2
    stdin_fix = args.fix and not args.diff and "-" in (args.paths or [])
    stream: TextIO
    if args.output_file:
        try:
            # A lone surrogate a JSON escape made ("\ud800") is written as that escape, not a traceback.
            stream = open(args.output_file, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
        except OSError as exc:
            _error(f"{args.output_file}: cannot write: {exc.strerror or exc}")
            return 2
    else:
        # With --fix on stdin, stdout carries the fixed document.
        stream = sys.stderr if stdin_fix else sys.stdout
        # What the stream's encoding cannot carry (a lone surrogate from a JSON escape, or any
        # non-ASCII text on an ASCII terminal) is written as a backslash escape, never a traceback.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    # A temporary file being written is removed on the way out.
    restore = stop_on_signals() if args.fix or args.diff else None
    try:
        try:
            return _run(args, settings, stream)
        finally:
            if args.output_file:
                stream.close()
            if restore is not None:
                restore()
    except BrokenPipeError:
        raise  # the command line's handler: the reader went away, say nothing more
    except OSError as exc:
        # The report cannot be written (a full disk): say so once, not with a traceback.
        where = args.output_file or "standard output"
        what = "the fixed document" if stdin_fix and not args.output_file else "the report"
        _error(f"{where}: cannot write {what}: {exc.strerror or exc}")
        _silence(sys.stdout)
        return 2


def _silence(stream: TextIO) -> None:
    """Point a standard stream at /dev/null, so that its last flush at exit cannot fail again."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), descriptor)


class _Options(NamedTuple):
    settings: _Settings
    fix: bool  # work out the fixes (--fix or --diff)
    quiet: bool
    unsafe_fixes: bool = False
    diff: bool = False  # show the fixes as a diff and write nothing


class _Result(NamedTuple):
    """What checking one file found; made in a worker process when linting in parallel."""

    name: str
    checked: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()
    lines: Mapping[int, str] | None = None  # the source lines the diagnostics are on
    messages: tuple[str, ...] = ()  # for standard error
    failed: bool = False
    fixed: tuple[str, ...] = ()  # the code of each fix applied (or, with --diff, that would be)
    output: bytes | None = None  # --fix on standard input writes the document to stdout
    diff: str = ""  # --diff: what --fix would change


# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_MIN = 256
_CHUNK = 64


def _run(args: argparse.Namespace, settings: _Settings, stream: TextIO) -> int:
    rules = {code: RULES[code] for code in RULES if code in settings.enabled}
    unsafe = bool(args.unsafe_fixes)
    reporter = make_reporter(
        settings.output_format,
        stream,
        rules=rules,
        quiet=args.quiet,
        version=__version__,
        unsafe_fixes=unsafe,
    )
    tally = _Tally()
    options = _Options(settings, bool(args.fix or args.diff), bool(args.quiet), unsafe, bool(args.diff))
    counts: collections.Counter[str] = collections.Counter()
    fixable_counts: collections.Counter[str] = collections.Counter()
    fixes_by_file: list[tuple[str, collections.Counter[str]]] = []
    diffs = 0
    targets = _targets(args, settings, tally)
    for result in _results(targets, options, args.jobs):
        for message in result.messages:
            sys.stderr.write(printable(message) + "\n")
        if result.output is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(result.output)
            sys.stdout.buffer.flush()
        if result.diff:
            stream.write(result.diff)
            diffs += 1
        tally.failed = tally.failed or result.failed
        tally.fixed += len(result.fixed)
        if result.fixed:
            fixes_by_file.append((result.name, collections.Counter(result.fixed)))
        if not result.checked:
            continue
        tally.files += 1
        for diagnostic in result.diagnostics:
            if diagnostic.severity.value == "warning":
                tally.warnings += 1
            else:
                tally.errors += 1
            counts[diagnostic.code] += 1
            if applicable(diagnostic, unsafe):
                tally.fixable += 1
                fixable_counts[diagnostic.code] += 1
            elif diagnostic.fix is not None:
                tally.hidden += 1
        if args.show_fixes and not options.fix:
            available = collections.Counter(d.code for d in result.diagnostics if applicable(d, unsafe))
            if available:
                fixes_by_file.append((result.name, available))
        if not args.statistics and not args.diff:
            reporter.file(result.name, result.diagnostics, result.lines or {})
    if args.diff:
        if not args.quiet:
            would = f"Would fix {tally.fixed} problem{'' if tally.fixed == 1 else 's'}"
            hidden = hidden_fixes(tally.hidden)
            sys.stderr.write(
                f"{would} in {diffs} file{'' if diffs == 1 else 's'}{hidden}.\n"
                if diffs
                else f"No fixes to make{hidden}.\n"
            )
        stream.flush()
        return 2 if tally.failed else (1 if diffs else 0)
    if args.statistics:
        stream.write(_statistics(settings.output_format, counts, fixable_counts, rules))
    else:
        reporter.finish(
            Summary(
                errors=tally.errors,
                warnings=tally.warnings,
                fixable=tally.fixable,
                fixed=tally.fixed,
                files=tally.files,
                hidden=tally.hidden,
            ),
            failed=tally.failed,
        )
    if args.show_fixes and not args.quiet and reporter.human:  # never after a report programs read
        stream.write(_show_fixes(fixes_by_file, applied=options.fix, unsafe_fixes=unsafe))
    stream.flush()
    if tally.failed:
        return 2
    if (tally.errors or tally.warnings) and not args.exit_zero:
        return 1
    return 0


def _statistics(
    output_format: str, counts: Mapping[str, int], fixable: Mapping[str, int], rules: Mapping[str, Any]
) -> str:
    """``--statistics``: a table per code, or with ``--output-format json`` a JSON list, as ruff."""
    if output_format == "json":
        import json

        items = [
            {
                "code": code,
                "name": rules[code].name if code in rules else code,
                "count": count,
                "fixable": bool(fixable.get(code)),
            }
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return json.dumps(items, indent=2) + "\n"
    return statistics({code: (count, fixable.get(code, 0)) for code, count in counts.items()}, rules)


def _show_fixes(
    fixes: Sequence[tuple[str, Mapping[str, int]]], *, applied: bool, unsafe_fixes: bool
) -> str:
    """``--show-fixes``: per file, how many of each rule's fixes were applied (or are available)."""
    if not fixes:
        return ""
    total = sum(sum(counter.values()) for _, counter in fixes)
    if applied:
        head = f"Fixed {total} problem{'' if total == 1 else 's'}:"
    else:
        head = f"{total} fixable with {fix_flags(unsafe_fixes)}:"
    lines = ["", head]
    for name, counter in fixes:
        lines.append(f"- {name}:")
        for code, count in sorted(counter.items()):
            rule = RULES.get(code)
            lines.append(
                f"    {count} \N{MULTIPLICATION SIGN} {code} ({rule.name if rule is not None else code})"
            )
    return "\n".join(lines) + "\n"


def _jobs(requested: int | None) -> int:
    if requested is not None:
        return max(1, requested)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _results(targets: Iterator[_Target], options: _Options, jobs: int | None) -> Iterator[_Result]:
    """Check the targets in order, in worker processes when there are many of them."""
    count = _jobs(jobs)
    head = list(itertools.islice(targets, _PARALLEL_MIN))
    parallel = (
        count > 1
        and len(head) == _PARALLEL_MIN
        and all(t.path is not None for t in head)
        and _fork_context() is not None
    )
    if not parallel:
        for target in itertools.chain(head, targets):
            yield _check_safely(target, options)
        return
    context = _fork_context()
    assert context is not None
    chunks = _chunked(itertools.chain(head, targets))
    # Frozen objects are not scanned by the workers' garbage collector, so the pages the
    # workers share with this process stay shared instead of being copied.
    gc.freeze()
    # An interrupted run ends at once, as --fix does: a pool torn down in order after Ctrl-C can
    # wait forever on a queue lock its stopped workers held. The workers follow the parent out.
    restore = stop_on_signals()
    try:
        with context.Pool(count, initializer=_start_worker, initargs=(options, os.getpid())) as pool:
            for batch in pool.imap(_check_batch, chunks):
                yield from batch
    finally:
        restore()
        gc.unfreeze()


def _fork_context() -> Any:
    # Imported here: it costs about 7 ms at startup and only 256 files or more need it.
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork (Windows): lint in one process
        return None


def _chunked(targets: Iterator[_Target]) -> Iterator[list[_Target]]:
    chunk: list[_Target] = []
    for target in targets:
        if target.path is None:
            yield chunk
            chunk = []
        chunk.append(target)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORKER: _Options | None = None
_PARENT = [0]  # the process that started this worker
# prctl(PR_SET_PDEATHSIG, ...) asks Linux to signal a worker when its parent dies.
_PR_SET_PDEATHSIG = 1


def _start_worker(options: _Options, parent: int) -> None:
    global _WORKER
    _WORKER = options
    _PARENT[0] = parent
    # A worker's way out on a signal is its own, whatever the parent process had installed: a
    # handler that does not exit would keep it alive after the pool terminates it.
    if options.fix:
        stop_on_signals()
    else:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(128 + signal.SIGTERM)


def _check_batch(batch: list[_Target]) -> list[_Result]:
    assert _WORKER is not None
    results = []
    for target in batch:
        if os.getppid() != _PARENT[0]:
            os._exit(128 + signal.SIGTERM)  # orphaned: stop, and write nothing more
        results.append(_check_safely(target, _WORKER))
    return results


def _check_safely(target: _Target, options: _Options) -> _Result:
    try:
        return _check(target, options)
    except Exception as exc:  # a bug is reported as an error, never a traceback
        message = f"svaml: error: {target.name}: internal error while checking: {type(exc).__name__}: {exc}"
        return _Result(target.name, messages=(message,), failed=True)


def _enabled(settings: _Settings, target: _Target) -> frozenset[str]:
    if not settings.per_file:
        return settings.enabled
    relative = _relative(target.path, settings.config.root) if target.path else target.name
    ignored = [codes for glob, codes in settings.per_file if matches_path(relative, glob)]
    if not ignored:
        return settings.enabled
    return frozenset(code for code in settings.enabled if not any(selected(code, codes) for codes in ignored))


def _failure(target: _Target, message: str) -> _Result:
    return _Result(target.name, messages=(f"svaml: error: {target.name}: {message}",), failed=True)


def _check(target: _Target, options: _Options) -> _Result:
    """Read, decode, check, filter and (with --fix) fix one file."""
    settings = options.settings
    try:
        data = _read(target, settings.max_bytes)
    except _Unreadable as exc:
        return _failure(target, str(exc))
    except IsADirectoryError:
        return _failure(target, "is a directory, not a file")
    except PermissionError:
        return _failure(target, "permission denied")
    except OSError as exc:
        return _failure(target, f"cannot read: {exc.strerror or exc}")
    stdin_fix = options.fix and not options.diff and target.path is None
    markdown = target.name.lower().endswith(MARKDOWN_SUFFIXES)
    if markdown and not data:
        # An empty Markdown file holds no blocks, which is fine.
        return _Result(target.name, checked=True, output=b"" if stdin_fix else None)
    enabled = _enabled(settings, target)
    content = _content(data)
    text = content.text
    if text is None or (not markdown and not text.strip()):
        bad = tuple(d for d in [_content_diagnostic(content)] if d.code in enabled)
        return _Result(target.name, checked=True, diagnostics=bad, output=data if stdin_fix else None)
    callback = settings.callback or callback_from_name(target.name) or settings.fallback
    use = use_from_name(target.name)  # where a v2 document is used: menu.incoming.json
    messages: tuple[str, ...] = ()
    failed = False
    fixed: tuple[str, ...] = ()
    diff = ""

    def wanted(diagnostic: Diagnostic) -> bool:
        return diagnostic.code in enabled and applicable(diagnostic, options.unsafe_fixes)

    limits = settings.config.limits
    jsonc = _is_jsonc(target)
    # The file is within its own limit (--max-file-size) already: the library's default is not applied.
    read = decode_jsonc if jsonc else decode
    decoded = None if markdown else read(text, max_bytes=None)
    version, strict = settings.version, settings.strict
    # The fixer checks by shape, without v2's strict mode or use: then the report is a check of its own.
    fix_first = version is None and not strict and use is None
    if options.fix and fix_first and decoded is not None and not decoded.problem and not decoded.duplicates:
        # A JSON document is fixed first: the fix's last check is the report's, not a third one
        # (JSONC's suppressions are applied to the report by a check of its own).
        kind = _json_kind(decoded, target)
        if kind is None:
            return _skipped(target, options, data if stdin_fix else None)
        outcome, remaining = fix_decoded(
            text, decoded, callback=callback, enabled=wanted, kind=kind, jsonc=jsonc, limits=limits
        )
        if jsonc:
            remaining = None
        found = None
        if outcome.text is None and remaining is not None and kind not in _WRAPPED:
            found = place(text, remaining)
    else:
        found = _diagnostics(text, target, markdown, callback, enabled, limits, decoded, version, strict, use)
        if found is None:
            return _skipped(target, options, data if stdin_fix else None)
        outcome = None
        if options.fix and any(wanted(d) for d in found if d.code in enabled):
            if markdown:
                outcome = fix_markdown(text, callback=callback, enabled=wanted)
            else:
                assert decoded is not None
                kind = _json_kind(decoded, target) or "document"
                outcome = fix_text(text, callback=callback, enabled=wanted, kind=kind, jsonc=jsonc)
        remaining = None
    if outcome is not None:
        if outcome.problem is not None:
            messages = (f"svaml: warning: {target.name}: not fixed, left as it was: {outcome.problem}",)
        if outcome.text is not None and options.diff:
            diff = _unified_diff(target.name, text, outcome.text)
            fixed = outcome.codes
        elif outcome.text is not None:
            written = True
            if target.path is not None:
                written, message = _write(target, ("\ufeff" if content.bom else "") + outcome.text)
                if message:
                    messages += (message,)
                failed = not written and message.startswith("svaml: error:")
            if written:
                text = outcome.text
                fixed = outcome.codes
                found = None
                if remaining is not None and kind not in _WRAPPED:
                    found = place(text, remaining)
    if found is None:
        again = _diagnostics(text, target, markdown, callback, enabled, limits, None, version, strict, use)
        found = again or []
    diagnostics = [d for d in found if d.code in enabled]
    diagnostics.sort(key=lambda d: (d.line or 0, d.column or 0, d.code))
    return _Result(
        target.name,
        checked=True,
        diagnostics=tuple(diagnostics),
        lines=_excerpt(text, diagnostics),
        messages=messages,
        failed=failed,
        fixed=fixed,
        output=text.encode("utf-8") if stdin_fix else None,
        diff=diff,
    )


_SWEPT: set[str] = set()  # directories cleared of stale temporary files in this process


def _write(target: _Target, text: str) -> tuple[bool, str]:
    """Write the fixed text, if svaml may; return whether it did, and what to say."""
    assert target.path is not None
    path = Path(target.path)
    tree = Path(target.tree) if target.tree is not None else None
    try:
        real = check_writable(path, tree)
    except WriteRefused as exc:
        return False, f"svaml: warning: {target.name}: not fixed, left as it was: {exc}"
    except OSError as exc:
        return False, f"svaml: error: {target.name}: cannot write the fixes: {exc.strerror or exc}"
    directory = str(real.parent)
    if directory not in _SWEPT:
        _SWEPT.add(directory)
        sweep(directory)
    try:
        write_atomic(real, text.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason += " (the file or its directory is not writable)"
        return False, f"svaml: error: {target.name}: cannot write the fixes: {reason}"
    return True, ""


def _unified_diff(name: str, before: str, after: str) -> str:
    """What --fix would change in a file, as a unified diff (``--- name`` / ``+++ name``)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=name, tofile=name
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# Kinds checked inside a document made around them: their diagnostics' pointers are the document's.
_WRAPPED = ("action", "instruction")


def _skipped(target: _Target, options: _Options, output: bytes | None) -> _Result:
    skipped = (
        f"svaml: {target.name}: skipped, it holds no SVAML (no action, instructions, "
        "action or instruction name, or callout method)"
    )
    notes = (skipped,) if target.explicit and not options.quiet else ()
    return _Result(target.name, messages=notes, output=output)


def _diagnostics(
    text: str,
    target: _Target,
    markdown: bool,
    callback: str | None,
    enabled: frozenset[str],
    limits: Limits,
    decoded: Decoded | None = None,
    version: int | None = None,
    strict: bool = False,
    use: str | None = None,
) -> list[Diagnostic] | None:
    """Check a text (``decoded`` if it is already) with the application's limits and its suppressions.

    None for a JSON file that holds no SVAML. ``version`` and ``strict`` are ``--svaml-version``
    (a JSON file is a document of that version whatever it holds) and ``--strict``; ``use`` is
    where a v2 document is used, as its file name says.
    """
    if markdown:
        return lint_markdown(text, callback=callback, enabled=enabled, limits=limits)
    jsonc = _is_jsonc(target)
    if decoded is None:
        decoded = decode_jsonc(text, max_bytes=None) if jsonc else decode(text, max_bytes=None)
    kind = _json_kind(decoded, target)
    if kind is None and version is not None:
        kind = "document"
    if kind is None:
        return None
    found = check_decoded(
        decoded.text, decoded, kind, callback=callback, limits=limits, version=version, strict=strict, use=use
    )
    if not jsonc:
        return found
    suppressions, problems = jsonc_suppressions(text)
    if decoded.problem is not None:  # no rule ran: only a suppression of SV001 can be judged
        suppressions = [s for s in suppressions if s.code == "SV001"]
    return suppress([*found, *problems], suppressions, enabled)


def _is_jsonc(target: _Target) -> bool:
    return target.name.lower().endswith(".jsonc")


def _excerpt(text: str, diagnostics: Sequence[Diagnostic]) -> dict[int, str]:
    """Return the source lines the diagnostics point at, for the full format's snippets."""
    if not diagnostics:
        return {}
    lines = text.split("\n")
    wanted = {d.line for d in diagnostics if d.line is not None and 0 < d.line <= len(lines)}
    return {line: lines[line - 1] for line in wanted}


def _json_kind(decoded: Decoded, target: _Target) -> Kind | None:
    """Say what a JSON file holds; None for a file that holds no SVAML and is not forced."""
    if decoded.problem is not None:
        return "document"
    kind = svaml_kind(decoded.value)
    named = callback_from_name(target.name) or use_from_name(target.name)
    if kind is None and (target.path is None or named):
        return "document"  # standard input, *.ice.json and *.incoming.json files are SVAML whatever they hold
    return kind

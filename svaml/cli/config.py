"""Configuration of ``svaml lint``: ``[tool.svaml]`` in pyproject.toml, and rule selection.

The nearest ``pyproject.toml`` with a ``[tool.svaml]`` table, looking upward from the current
directory, is read. Its keys::

    select = ["SV"]                 # rule codes or prefixes, or "ALL" (the default)
    extend-select = []              # added to select
    ignore = ["SV5"]                # removed
    per-file-ignores = {"docs/*.md" = ["SV301"]}
    callback = "auto"               # ice, ace, pie, dice, notify, patch, call-leg or auto
    output-format = "full"          # full, concise, json, sarif, github or gitlab
    exclude = ["fixtures/*"]        # globs of paths not to lint
    limits = {say = 1200}           # limits Sinch support raised for the application
    max-file-size = "10M"           # larger files are refused (bytes, or K, M, G)

Selection works as in ruff: the configuration and then the command line each form a layer; a
layer's ``select`` replaces what came before, ``extend-select`` adds, ``ignore`` removes, and
within a layer the more specific selector wins (``ignore = ["SV1"]`` with ``extend-select =
["SV104"]`` keeps SV104).
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from svaml.cli.formats import FORMATS
from svaml.errors import SvamlError
from svaml.model.permissions import Callback
from svaml.rules import Limits, read_selectors, specificity
from svaml.v2.model.document import Use

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "CALLBACKS",
    "USES",
    "Config",
    "ConfigError",
    "Layer",
    "callback_from_name",
    "check_selectors",
    "comma_list",
    "find_pyproject",
    "load_config",
    "matches_path",
    "parse_config",
    "parse_size",
    "resolve_selection",
    "selected",
    "use_from_name",
]

#: The callbacks ``callback`` and ``--callback`` name (``auto`` is accepted besides).
CALLBACKS = tuple(callback.value for callback in Callback)


#: Where a SVAML v2 document is used, as a file name says it (``svaml.v2.model.Use``).
USES = tuple(use.value for use in Use)


def _named(name: str, words: tuple[str, ...]) -> str | None:
    stem, dot, suffix = name.lower().rpartition(".")
    if dot and suffix in ("json", "jsonc"):
        for word in words:
            if stem.endswith("." + word):
                return word
    return None


def callback_from_name(name: str) -> str | None:
    """The callback a file name says: ``menu.ice.json`` or ``menu.ice.jsonc`` answers ``ice``."""
    return _named(name, CALLBACKS)


def use_from_name(name: str) -> str | None:
    """Where a v2 document is used, as its file name says: ``menu.incoming.json`` is ``incoming``.

    ``patch`` is both v1's callback and v2's use: a call update in either version.
    """
    return _named(name, USES)


class ConfigError(SvamlError):
    """A configuration or a selector that svaml cannot use; the message says where and why."""


@attrs.frozen(kw_only=True)
class Config:
    """The ``[tool.svaml]`` settings; ``root`` is the directory globs are relative to."""

    path: Path | None = None
    root: Path = attrs.field(factory=Path.cwd)
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    callback: str | None = None
    output_format: str | None = None
    exclude: tuple[str, ...] = ()
    limits: Limits = attrs.field(factory=Limits)
    max_file_size: int | None = None


# The keys of [tool.svaml]: the settings of Config, spelled as in TOML.
_KEYS = tuple(
    field.name.replace("_", "-") for field in attrs.fields(Config) if field.name not in {"path", "root"}
)


@attrs.frozen(kw_only=True)
class Layer:
    """One level of rule selection: the configuration or the command line."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


# A pyproject.toml is a few kilobytes; a bigger one is a mistake (or /dev/zero).
_MAX_CONFIG_BYTES = 1024 * 1024


def _load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, refusing at once what is not a small regular UTF-8 file of valid TOML."""
    try:
        with path.open("rb", buffering=0) as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ConfigError(f"{path}: not a regular file")
            data = file.read(_MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > _MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {_MAX_CONFIG_BYTES // 1024} KiB; not a configuration file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(value: Any, where: str = "--max-file-size") -> int:
    """Read a size in bytes: an integer, or a string with a K, M or G suffix (KiB, MiB, GiB).

    An error names ``where`` first, unless it is empty (argparse names the option itself).
    """
    prefix = f"{where}: " if where else ""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = value, ""
    elif isinstance(value, str):
        text = value.strip().upper().removesuffix("IB").removesuffix("B")
        unit = text[-1:] if text[-1:] in _UNITS else ""
        digits = text[: len(text) - len(unit)].strip().replace("_", "")
        if not digits.isdigit():
            raise ConfigError(f"{prefix}{_shown(value)} is not a size (bytes, or a number with K, M or G)")
        number = int(digits)
    else:
        raise ConfigError(f"{prefix}{_shown(value)} is not a size (bytes, or a number with K, M or G)")
    if number <= 0:
        raise ConfigError(f"{prefix}{_shown(value)} must be more than 0")
    return number * _UNITS[unit]


def find_pyproject(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """Find the nearest pyproject.toml with a ``[tool.svaml]`` table, upward from ``start``."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            data = _load_toml(candidate)
            tool = data.get("tool")
            if isinstance(tool, dict) and "svaml" in tool:
                table = tool["svaml"]
                if not isinstance(table, dict):
                    raise ConfigError(f"{candidate}: [tool.svaml] must be a table")
                return candidate, table
    return None


def load_config(start: Path | None = None, *, path: Path | None = None) -> Config:
    """Read the configuration: from ``path`` if given, else the nearest pyproject.toml."""
    if path is not None:
        data = _load_toml(path)
        tool = data.get("tool", {})
        table = tool.get("svaml", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.svaml] must be a table")
        return parse_config(table, path=path)
    found = find_pyproject(start)
    if found is None:
        return Config(root=(start or Path.cwd()).resolve())
    return parse_config(found[1], path=found[0])


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{where}: {key} must be a list of strings, not {_shown(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: {key} must be a list of strings; {_shown(item)} is not one")
    return tuple(value)


def _choice(value: Any, key: str, where: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, not {_shown(value)}")
    return value


def parse_config(table: Mapping[str, Any], *, path: Path | None = None) -> Config:
    """Check a ``[tool.svaml]`` table and turn it into a :class:`Config`."""
    where = f"{path} [tool.svaml]" if path is not None else "[tool.svaml]"
    for key in table:
        if key not in _KEYS:
            hint = ""
            if key.replace("_", "-") in _KEYS:
                hint = f" (did you mean {key.replace('_', '-')!r}?)"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(_KEYS)}")
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw = table.get("per-file-ignores", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
    for glob, codes in raw.items():
        per_file.append((glob, _strings(codes, f"per-file-ignores {glob!r}", where)))
    select = table.get("select")
    max_file_size = table.get("max-file-size")
    callback = table.get("callback")
    output_format = table.get("output-format")
    return Config(
        path=path,
        root=path.resolve().parent if path is not None else Path.cwd().resolve(),
        select=None if select is None else _strings(select, "select", where),
        extend_select=_strings(table.get("extend-select", []), "extend-select", where),
        ignore=_strings(table.get("ignore", []), "ignore", where),
        per_file_ignores=tuple(per_file),
        callback=None if callback is None else _choice(callback, "callback", where, (*CALLBACKS, "auto")),
        output_format=None
        if output_format is None
        else _choice(output_format, "output-format", where, FORMATS),
        exclude=_strings(table.get("exclude", []), "exclude", where),
        limits=_limits(table.get("limits", {}), where),
        max_file_size=None if max_file_size is None else parse_size(max_file_size, f"{where}: max-file-size"),
    )


def _limits(value: Any, where: str) -> Limits:
    """The ``limits`` table: each limit Sinch support raised for the application (see :class:`Limits`)."""
    known = [f.name for f in attrs.fields(Limits)]
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: limits must be a table such as limits = {{say = 1200}}, not {_shown(value)}"
        )
    for key, limit in value.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown limit {key!r}; known limits: {', '.join(known)}")
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ConfigError(f"{where}: limits: limit {key!r} must be a whole number, not {_shown(limit)}")
    try:
        return Limits(**value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: limits: {exc}") from None


def _shown(value: Any) -> str:
    """A configuration value in TOML's words (``true``, not Python's ``True``), for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_shown(item)}" for key, item in value.items()) + "}"
    if hasattr(value, "isoformat"):  # TOML's dates and times
        return str(value.isoformat())
    return repr(value)


def comma_list(value: str) -> list[str]:
    """Split a comma-separated option value (``SV1,SV203``) into its non-empty parts."""
    return [part.strip() for part in value.split(",") if part.strip()]


def check_selectors(selectors: Iterable[str], codes: Iterable[str], what: str) -> tuple[str, ...]:
    """Normalize selectors (upper case) and refuse any that names no rule, as a configuration error."""
    try:
        return read_selectors(selectors, what, codes=codes)
    except SvamlError as exc:
        raise ConfigError(str(exc)) from None


def resolve_selection(codes: Iterable[str], layers: Sequence[Layer]) -> frozenset[str]:
    """Return the codes that the layers, applied in order, leave enabled (all by default)."""
    all_codes = tuple(codes)
    enabled = set(all_codes)
    for layer in layers:
        positive = (*(layer.select or ()), *layer.extend_select)
        for code in all_codes:
            plus = max((specificity(s, code) for s in positive), default=-1)
            minus = max((specificity(s, code) for s in layer.ignore), default=-1)
            if plus < 0 and minus < 0:
                if layer.select is not None:
                    enabled.discard(code)
            elif minus >= plus:
                enabled.discard(code)
            else:
                enabled.add(code)
    return frozenset(enabled)


def selected(code: str, selectors: Iterable[str]) -> bool:
    """Say whether any selector (a code, a prefix or ALL) names ``code``."""
    return any(specificity(s, code) >= 0 for s in selectors)


def matches_path(path: str, pattern: str) -> bool:
    """Match a relative POSIX path against a glob: the path or a parent, or their names."""
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    pure = PurePosixPath(path)
    if fnmatch.fnmatchcase(pure.name, pattern):
        return True
    return any(
        fnmatch.fnmatchcase(str(parent), pattern) or fnmatch.fnmatchcase(parent.name, pattern)
        for parent in pure.parents
        if parent.name
    )

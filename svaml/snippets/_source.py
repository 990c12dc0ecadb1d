"""Where a snippet comes from: a Python object named ``module:attribute``, a JSON file, or text.

Every source is read into the model (a :class:`~svaml.Svaml` or a
:class:`~svaml.model.CalloutRequest`) and checked by the rules for its callback before anything
is printed from it: a document with errors raises :class:`~svaml.errors.SvamlError` carrying
the diagnostics.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import attrs

from svaml import _json, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model._fields import SvamlObject
from svaml.model.callouts import Callout, CalloutRequest, callout_request
from svaml.model.document import Document
from svaml.model.permissions import Callback, callback_of
from svaml.rules import Limits, validate
from svaml.rules._validate import is_callout, read_json

__all__ = [
    "Snippable",
    "canonical",
    "check",
    "headline",
    "load",
    "load_checked",
    "located",
    "not_valid",
    "python_source",
    "read_text",
    "suffix_callback",
    "to_json",
]

#: What a snippet is made from.
Snippable = Svaml | CalloutRequest

_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_ATTRIBUTE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def suffix_callback(path: str | Path) -> Callback | None:
    """The callback a ``NAME.CALLBACK.json`` file name says (``ivr.ice.json`` is an ICE response)."""
    parts = Path(path).name.split(".")
    if len(parts) >= 3:
        try:
            return callback_of(parts[-2])
        except SvamlError:
            return None
    return None


def _coerce(value: Any, where: str, callback: Callback | None) -> Snippable:
    if isinstance(value, Svaml):
        return value if callback is None else attrs.evolve(value, callback=callback)
    if isinstance(value, Document):
        return Svaml(
            instructions=value.instructions, action=value.action, extras=value.extras, callback=callback
        )
    if isinstance(value, CalloutRequest):
        return value
    if isinstance(value, Callout):
        return callout_request(value)
    raise SvamlError(
        f"{where} is a {type(value).__name__}; expected a Svaml document, a callout request, "
        "or a function of no arguments returning one"
    )


def read_text(
    text: str | bytes | _json.Decoded,
    *,
    callback: Callback | str | None = None,
    where: str = "the input",
    limits: Limits | None = None,
) -> Snippable:
    """Read JSON text (a SVAML document or a callout request body) under svaml's one JSON policy.

    ``text`` may be decoded already: JSONC is read by :func:`svaml._json.decode_jsonc`.
    """
    data = read_json(text, where)
    cb = callback_of(callback)
    callout = is_callout(data)
    try:
        if callout:
            return codec.structure(data, CalloutRequest)
        return _coerce(codec.structure(data, Document), where, cb)
    except SvamlError as exc:
        # The rules say more than the reader: the line and column of each problem, and the
        # did-you-mean of a misspelt field (SV007) beside the required field it leaves missing.
        found = validate(text, callback=cb, limits=limits)
        errors = [d for d in found if d.severity is Severity.ERROR]
        what = "a callout request" if callout else "a SVAML document"
        raise SvamlError(f"{where}: cannot read {what}", found if errors else exc.problems) from None


def located(where: str, diagnostic: Diagnostic) -> str:
    """One line for a diagnostic of a source: ``where:line:column: pointer: severity: message [code]``.

    A document made in Python has no lines: its diagnostics say only their JSON pointer.
    """
    d = diagnostic
    at = f"{d.line}:{d.column}: " if d.line else ""
    return f"{where}:{at}{d.pointer or '/'}: {d.severity.value}: {d.message} [{d.code}]"


def headline(error: SvamlError) -> str:
    """The message of ``error`` without the list of its diagnostics (they are shown one per line)."""
    return str(error).split("\n", 1)[0].rstrip(":")


def _import_failed(name: str, exc: BaseException) -> SvamlError:
    """Why importing ``name`` failed.

    A script that exits or parses its arguments when imported is told to keep that under
    ``if __name__ == "__main__":`` (it would end svaml, silently).
    """
    if isinstance(exc, SystemExit):
        return SvamlError(
            f"{name}: importing it exited (SystemExit {exc.code!r}); run a script's work under "
            '`if __name__ == "__main__":` so that its documents can be imported'
        )
    return SvamlError(f"{name}: importing it raised {type(exc).__name__}: {exc}")


def _module(name: str, base: Path) -> Any:
    if name.endswith(".py"):
        path = (base / name).resolve()
        if not path.is_file():
            raise SvamlError(f"{name}: no such file (looked for {path})")
        module_name = "_svaml_snippet_" + re.sub(r"\W", "_", str(path))
        found = sys.modules.get(module_name)
        if found is not None and getattr(found, "__file__", None) == str(path):
            return found
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise SvamlError(f"{name}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        # As when Python runs the file: its own directory first on the path, for its sibling imports.
        sys.path.insert(0, str(path.parent))
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            del sys.modules[module_name]
            raise _import_failed(name, exc) from exc
        finally:
            sys.path.remove(str(path.parent))
        return module
    if not _MODULE.match(name):
        raise SvamlError(f"{name!r} is neither a Python file (*.py) nor a module name")
    # The current directory first on the path, as `python -m` has it: the `svaml` script does not.
    here = str(Path.cwd())
    sys.path.insert(0, here)
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise SvamlError(f"cannot import {name}: {exc}") from exc
    except (Exception, SystemExit) as exc:
        raise _import_failed(name, exc) from exc
    finally:
        sys.path.remove(here)


def load(
    source: str,
    *,
    callback: Callback | str | None = None,
    base: str | Path = ".",
    limits: Limits | None = None,
) -> Snippable:
    """Read the document ``source`` names, relative to the directory ``base``.

    ``source`` is ``FILE.py:attribute`` or ``package.module:attribute`` (a ``Svaml``, a callout
    request or callout, or a function of no arguments returning one), or a JSON file (SVAML or a
    callout request body; ``NAME.ice.json`` says its callback). ``callback`` overrides the
    callback the source says; ``limits`` are those its problems are reported with. Raises
    :class:`SvamlError` saying what is wrong.
    """
    where = Path(base)
    cb = callback_of(callback)
    named = python_source(source)
    if named is not None:
        module_part, attribute = named
        if not _ATTRIBUTE.match(attribute):
            raise SvamlError(f"{source}: {attribute!r} is not an attribute name")
        value: Any = _module(module_part, where)
        for part in attribute.split("."):
            if not hasattr(value, part):
                raise SvamlError(f"{source}: {module_part} has no attribute {part!r}")
            value = getattr(value, part)
        if callable(value) and not isinstance(value, type):
            try:
                value = value()
            except SvamlError:
                raise
            except (Exception, SystemExit) as exc:
                raise SvamlError(f"{source}: calling it raised {type(exc).__name__}: {exc}") from exc
        return _coerce(value, source, cb)
    if source.endswith(".py"):
        raise SvamlError(f"{source} is a Python file: name the document in it, {source}:NAME")
    path = where / source
    try:
        data = _decoded(path)
    except OSError as exc:
        raise SvamlError(f"{source}: cannot read it ({exc.strerror or exc})") from exc
    return read_text(data, callback=cb or suffix_callback(path), where=source, limits=limits)


def _decoded(path: Path) -> _json.Decoded:
    """The file at ``path`` decoded: as JSONC when it is ``*.jsonc`` (as ``svaml lint`` reads it)."""
    data = path.read_bytes()
    return _json.decode_jsonc(data) if path.suffix.lower() == ".jsonc" else _json.decode(data)


def not_valid(value: Snippable, where: str) -> str:
    """``where is not valid as an ICE response`` (or as a callout request): the headline of errors."""
    if isinstance(value, CalloutRequest):
        return f"{where} is not valid as a callout request"
    phrase = value.callback.phrase if value.callback is not None else None
    return f"{where} is not valid{' as ' + phrase if phrase else ''}"


def check(
    value: Snippable,
    *,
    where: str = "the document",
    text: str | bytes | _json.Decoded | None = None,
    limits: Limits | None = None,
    allow_errors: bool = False,
) -> list[Diagnostic]:
    """Check ``value`` with every rule for its callback: raise on errors, return the warnings.

    The error carries every diagnostic, the warnings included. With ``allow_errors``, nothing is
    raised: every diagnostic is returned (a description or a diagram of a broken flow is how a
    reviewer sees what is wrong).

    ``text`` is the JSON ``value`` was read from, if any: the diagnostics then carry its lines and
    columns. ``limits`` are the application's, as :func:`svaml.rules.validate` takes them.
    """
    callback = value.callback if isinstance(value, Svaml) else None
    found = validate(value if text is None else text, callback=callback, limits=limits)
    if not allow_errors and any(d.severity is Severity.ERROR for d in found):
        # The warnings too: an unknown field's did-you-mean often explains an error beside it.
        raise SvamlError(f"{not_valid(value, where)}:", found)
    return found


def load_checked(
    source: str,
    *,
    callback: Callback | str | None = None,
    base: str | Path = ".",
    limits: Limits | None = None,
    allow_errors: bool = False,
) -> tuple[Snippable, list[Diagnostic]]:
    """:func:`load` the source and :func:`check` it; diagnostics of a JSON file carry line and column."""
    value = load(source, callback=callback, base=base, limits=limits)
    text = None if python_source(source) is not None else _decoded(Path(base) / source)
    return value, check(value, where=source, text=text, limits=limits, allow_errors=allow_errors)


def python_source(source: str) -> tuple[str, str] | None:
    """``(module or file, attribute)`` when ``source`` names a Python object, else None (a JSON file)."""
    module_part, colon, attribute = source.rpartition(":")
    if colon and len(module_part) > 1 and not module_part.endswith(".json"):
        return module_part, attribute
    return None


def canonical(value: Any) -> Any:
    """JSON-ready data of a model object with every object's keys in the model's declared order.

    Sinch's documents write an action's or instruction's ``name`` first, then its fields in the
    order of Sinch's OpenAPI schema (a destination's ``type`` before its ``endpoint``); the model
    declares its fields in that order. The codec's writer puts an object's required fields before
    its optional ones, so the keys are set in order here, by :func:`svaml.codec.field_info`;
    fields svaml does not know come last, as read.
    """
    return _ordered(value, codec.unstructure(value))


def _ordered(obj: Any, data: Any) -> Any:
    if not isinstance(obj, SvamlObject) or not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    if "name" in data and isinstance(getattr(type(obj), "name", None), str):
        out["name"] = data["name"]
    for info in codec.field_info(type(obj)):
        if info.json not in data:
            continue
        value = getattr(obj, info.attr)
        if info.kind == "objects":
            out[info.json] = [_ordered(o, d) for o, d in zip(value, data[info.json], strict=True)]
        else:
            out[info.json] = _ordered(value, data[info.json])
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def to_json(value: Snippable) -> str:
    """Canonical JSON: indented by two, keys in the order of Sinch's docs (see :func:`canonical`)."""
    return _json.dumps(canonical(value), indent=2) + "\n"

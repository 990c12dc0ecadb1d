"""The validator's driver: decode once, read the parts into the model, run the rules, locate."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from svaml import _json, _jsontext, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.model.actions import Action
from svaml.model.callouts import CalloutRequest
from svaml.model.document import Document
from svaml.model.instructions import Instruction
from svaml.model.permissions import Callback, callback_of
from svaml.rules._context import Context
from svaml.rules._registry import RULES, Finding, Rule, applicable

__all__ = ["check", "check_built", "is_valid", "iter_diagnostics", "validate", "validate_callout"]

_log = logging.getLogger("svaml.rules")




def _diagnostic(rule: Rule, finding: Finding) -> Diagnostic:
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=finding.message,
        pointer=finding.pointer,
        fix=finding.fix,
    )


def emit(code: str, pointer: str, message: str) -> Diagnostic:
    """Make the diagnostic of rule ``code`` (for findings the driver itself makes)."""
    return _diagnostic(RULES[code], Finding(pointer, message))


def is_callout(data: Any) -> bool:
    """Whether decoded JSON looks like a callout request rather than a SVAML document."""
    return (
        (data.__class__ is dict or isinstance(data, Mapping))
        and "method" in data
        and "action" not in data
        and "instructions" not in data
    )


def _run_rules(ctx: Context, target: str, out: list[Diagnostic], errors_only: bool = False) -> None:
    # The raw-form rules report what reading accepted liberally: nothing to say for built
    # documents, nor when the codec read no liberal form at all.
    canonical = ctx.built or not ctx.memo.get("liberal", True)
    for check_, rule in applicable(target, ctx.callback, canonical, errors_only, ctx.kinds()):
        for finding in check_(ctx):
            out.append(finding if finding.__class__ is Diagnostic else _diagnostic(rule, finding))  # type: ignore[arg-type]


def _read_document(data: Any, ctx: Context, out: list[Diagnostic]) -> bool:
    """Read the parts of a SVAML document one by one, so one broken part hides nothing else.

    Return whether any part was read in a liberal form.
    """
    if not (data.__class__ is dict or isinstance(data, Mapping)):
        out.append(emit("SV002", ctx.base, f"expected a SVAML object, got {_json.typename(data)}"))
        return False
    liberal = False
    raw = data.get("instructions")
    if raw is not None:
        if isinstance(raw, list):
            for index, item in enumerate(raw):
                found = codec.read(item, Instruction, "instructions", index)
                out.extend(_rebase(found.problems, ctx.base))
                liberal = liberal or found.liberal
                if found.value is not None:
                    ctx.instructions.append((index, found.value))
        else:
            out.append(emit("SV002", ctx.at("instructions"), f"expected a list, got {_json.typename(raw)}"))
    action = data.get("action")
    if action.__class__ is dict or isinstance(action, Mapping):
        found = codec.read(action, Action, "action")
        out.extend(_rebase(found.problems, ctx.base))
        ctx.action = found.value
        liberal = liberal or found.liberal
    return liberal


def _rebase(found: Iterable[Diagnostic], base: str) -> Iterator[Diagnostic]:
    if not base:
        yield from found
        return
    for d in found:
        yield attrs.evolve(d, pointer=base + d.pointer)


def _validate_data(data: Any, callback: Callback | None, base: str = "") -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if is_callout(data):
        ctx = Context(data, callback=None, base=base)
        found = codec.read(data, CalloutRequest)
        out.extend(_rebase(found.problems, base))
        ctx.callout = found.value
        ctx.memo["liberal"] = found.liberal
        if found.value is not None:
            _run_rules(ctx, "callout", out)
        return out
    ctx = Context(data, callback=callback, base=base)
    ctx.memo["liberal"] = _read_document(data, ctx, out)
    if data.__class__ is dict or isinstance(data, Mapping):
        _run_rules(ctx, "svaml", out)
    return out


def _validate(doc: Any, callback: Callback | None) -> list[Diagnostic]:
    if isinstance(doc, Document):
        return _validate_built(doc, callback if callback is not None else doc.callback)
    if isinstance(doc, CalloutRequest):
        return _validate_data(codec.unstructure(doc), None)
    text: str | None = None
    if isinstance(doc, (bytes, bytearray, memoryview)):
        try:
            text = bytes(doc).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [emit("SV001", "", f"not UTF-8 text: byte {exc.start} cannot be decoded")]
    elif isinstance(doc, str):
        text = doc
    if text is None:
        return _validate_data(doc, callback)
    decoded = _jsontext.decode(text)
    if decoded.problem is not None:
        p = decoded.problem
        d = emit("SV001", "", f"invalid JSON: {p.message}")
        return [_located(d, _jsontext.Span(p.line, p.column, p.line, p.column + 1))]
    out = _duplicates(decoded.duplicates)
    out.extend(_validate_data(decoded.value, callback))
    return _locate(text, out) if out else out


def _duplicates(duplicates: Iterable[_jsontext.Duplicate]) -> list[Diagnostic]:
    out = []
    for dup in duplicates:
        span = dup.spans[-1]
        if dup.pointer == "" and dup.key == "action":
            d = emit(
                "SV103",
                dup.key_pointer,
                f"'action' appears {len(dup.spans)} times; Sinch uses only one: keep exactly one action",
            )
        else:
            d = emit(
                "SV104",
                dup.key_pointer,
                f"key {dup.key!r} appears {len(dup.spans)} times in this object; only the last one counts",
            )
        out.append(_located(d, span))
    return out


def _located(d: Diagnostic, span: _jsontext.Span | None) -> Diagnostic:
    if span is None:
        return d
    return attrs.evolve(
        d, line=span.line, column=span.column, end_line=span.end_line, end_column=span.end_column
    )


def _locate(text: str, found: list[Diagnostic]) -> list[Diagnostic]:
    spans = _jsontext.locate_many(text, {d.pointer for d in found if d.line is None}, nearest=True)
    located = [d if d.line is not None else _located(d, spans.get(d.pointer)) for d in found]
    located.sort(key=lambda d: (d.line or 0, d.column or 0, d.code))
    return located


def _built_context(doc: Document, data: dict[str, Any], callback: Callback | None) -> Context:
    """What the rules see of a built document: its parts are known to read."""
    return Context(
        data, callback, built=True, instructions=list(enumerate(doc.instructions)), action=doc.action
    )


def _validate_built(doc: Document, callback: Callback | None) -> list[Diagnostic]:
    """Validate a document built from the model: its parts are known to read, run the rules only."""
    ctx = _built_context(doc, codec.unstructure(doc), callback)
    out: list[Diagnostic] = []
    _run_rules(ctx, "svaml", out)
    return out


def validate(doc: Any, *, callback: Callback | str | None = None) -> list[Diagnostic]:
    """Return every diagnostic of a SVAML document or callout request; never raises on bad input.

    ``doc`` may be a :class:`Svaml`, a callout request, decoded JSON (a dict), or JSON text
    (str or bytes); for text, each diagnostic carries its line and column. ``callback`` says where
    the document is used (``ice``, ``ace``, ``pie``, ``patch``, ``call-leg``, ``dice``, ``notify``),
    or None when not known; it defaults to a ``Svaml``'s own callback.
    """
    cb = callback_of(callback)
    try:
        return _validate(doc, cb)
    except RecursionError:
        return [emit("SV002", "", "the document is nested too deeply to check")]
    except Exception:  # pragma: no cover - a bug in a rule must not take the caller down
        _log.exception("svaml: internal error while validating; please report it")
        return [emit("SV000", "", "svaml could not check this document (internal error, logged)")]


def iter_diagnostics(doc: Any, *, callback: Callback | str | None = None) -> Iterator[Diagnostic]:
    """Yield the diagnostics of :func:`validate` one by one."""
    yield from validate(doc, callback=callback)


def is_valid(doc: Any, *, callback: Callback | str | None = None) -> bool:
    """Whether the document has no error (warnings allowed)."""
    return not any(d.severity is Severity.ERROR for d in validate(doc, callback=callback))


def check(doc: Any, *, callback: Callback | str | None = None) -> None:
    """Raise :class:`SvamlError` carrying the errors, if the document has any."""
    errors = [d for d in validate(doc, callback=callback) if d.severity is Severity.ERROR]
    if errors:
        raise SvamlError("the SVAML document is not valid:", errors)


def validate_callout(body: Any) -> list[Diagnostic]:
    """Return every diagnostic of a callout request body (decoded JSON, text or a request object)."""
    if isinstance(body, Mapping) and not is_callout(body):
        method = body.get("method")
        return [emit("SV904", "/method", f"not a callout request: 'method' is {method!r}")]
    return validate(body)


def check_built(doc: Document, data: dict[str, Any]) -> None:
    """Raise if a built document has errors for its callback (the guard of ``to_dict``)."""
    ctx = _built_context(doc, data, doc.callback)
    errors: list[Diagnostic] = []
    _run_rules(ctx, "svaml", errors, errors_only=True)
    if errors:
        where = f" for {doc.callback.phrase}" if doc.callback is not None else ""
        raise SvamlError(f"the SVAML document is not valid{where}:", errors)


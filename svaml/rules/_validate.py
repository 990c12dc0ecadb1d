"""The validator's driver: decode once, read the parts into the model, run the rules, locate.

Locating (a line and column for each diagnostic of a text) is a step of its own:
:func:`validate_unlocated` checks a text and keeps what locating needs, and
:meth:`Unlocated.locate` places the diagnostics. A loop that checks a text many times and
reports once (``--fix``'s rounds) locates only what it reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import attrs

from svaml import _json, codec
from svaml._jsontext import locate_keys, locate_many
from svaml.diagnostic import Diagnostic, Severity, unescape_pointer
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model.actions import Action
from svaml.model.callouts import CalloutRequest
from svaml.model.document import Document
from svaml.model.instructions import Instruction
from svaml.model.permissions import Callback, callback_of
from svaml.rules._bounds import DEFAULT_LIMITS, Limits
from svaml.rules._context import Context
from svaml.rules._registry import RULES, Finding, Rule, Target, plan
from svaml.v2.model.document import Use, use_of

__all__ = [
    "Unlocated",
    "check",
    "check_built",
    "is_valid",
    "iter_diagnostics",
    "json_diagnostics",
    "read_json",
    "validate",
    "validate_callout",
    "validate_unlocated",
]

_log = logging.getLogger("svaml.rules")


class Version(NamedTuple):
    """Another SVAML version's validator: how its documents look, and how to check one.

    SVAML v2 registers itself here (:mod:`svaml.rules._v2`), so this driver, which v2's reuses,
    does not import it. ``model`` is its document class, ``shape`` tells its decoded documents
    from v1's, and ``check(doc, base, strict, use)`` validates a document (decoded JSON or
    ``model``) used as ``use`` (None: not known).
    """

    number: int
    model: type
    shape: Callable[[Any], bool]
    check: Callable[[Any, str, bool, Use | None], list[Diagnostic]]
    #: What a repeated key (SV104) means in that version, when it means more.
    duplicate: Callable[[Diagnostic], Diagnostic]


#: The other SVAML versions, by number.
VERSIONS: dict[int, Version] = {}


def _other_version(data: Any, version: int | None) -> Version | None:
    """The version whose validator checks ``data``: the one asked for, or the one its shape says."""
    if version is not None:
        return VERSIONS.get(version)  # None for 1
    return next((v for v in VERSIONS.values() if v.shape(data)), None)


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


def _run_rules(ctx: Context, target: Target, out: list[Diagnostic], errors_only: bool = False) -> None:
    # The raw-form rules report what reading accepted liberally: nothing to say for built
    # documents, nor when the codec read no liberal form at all.
    canonical = ctx.built or not ctx.memo.get("liberal", True)
    document, by_class = plan(target, ctx.callback, canonical, errors_only)
    # (rule code, diagnostic): reported in code order, each rule's in document order.
    found: list[tuple[str, Diagnostic]] = []
    for check_, rule in document:
        for finding in check_(ctx.data, ctx.base, ctx):
            found.append((rule.code, _made(rule, finding, ctx)))
    # One walk of the document; each object meets only the rules that read its class.
    for where, obj in ctx.objects():
        checks = by_class.get(obj.__class__)
        if checks is not None:
            for check_, rule in checks:
                for finding in check_(obj, where, ctx):
                    found.append((rule.code, _made(rule, finding, ctx)))
    if found:
        found.sort(key=_code)
        out.extend(d for _, d in found)


def _code(item: tuple[str, Diagnostic]) -> str:
    return item[0]


def _made(rule: Rule, finding: Finding | Diagnostic, ctx: Context) -> Diagnostic:
    if isinstance(finding, Diagnostic):
        return finding  # an embedded document's, placed where its text is
    if rule.at_key:
        ctx.memo.setdefault("keys", set()).add(finding.pointer)
    return _diagnostic(rule, finding)


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
                found = codec.read(item, Instruction, "instructions", index, decoded=True)
                out.extend(_rebase(found.problems, ctx.base))
                liberal = liberal or found.liberal
                if found.value is not None:
                    ctx.instructions.append((index, found.value))
        else:
            out.append(emit("SV002", ctx.at("instructions"), f"expected a list, got {_json.typename(raw)}"))
    action = data.get("action")
    if action.__class__ is dict or isinstance(action, Mapping):
        found = codec.read(action, Action, "action", decoded=True)
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


def _validate_data(
    data: Any,
    callback: Callback | None,
    base: str = "",
    keys: set[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    version: int | None = None,
    strict: bool = False,
    use: Use | None = None,
) -> list[Diagnostic]:
    """Validate JSON data (decoded, or held to the JSON policy already).

    Adds to ``keys`` the pointers of the findings that belong on a key.
    """
    other = _other_version(data, version)
    if other is not None:
        return other.check(data, base, strict, use)
    out: list[Diagnostic] = []
    if is_callout(data):
        ctx = Context(data, callback=None, base=base, limits=limits)
        found = codec.read(data, CalloutRequest, decoded=True)
        out.extend(_rebase(found.problems, base))
        ctx.memo["unread"] = bool(found.problems)
        ctx.callout = found.value
        ctx.memo["liberal"] = found.liberal
        if found.value is not None:
            _run_rules(ctx, "callout", out)
        else:
            # The rules need the request read; a misspelt field may be why it is not.
            unknown = RULES["SV007"]
            if unknown.check is not None:
                out.extend(_made(unknown, f, ctx) for f in unknown.check(data, base, ctx))
        if keys is not None:
            keys.update(ctx.memo.get("keys", ()))
        return _one_per_misspelling(out)
    ctx = Context(data, callback=callback, base=base, limits=limits)
    ctx.memo["liberal"] = _read_document(data, ctx, out)
    ctx.memo["unread"] = bool(out)  # a part that did not read may hide unknown keys
    if data.__class__ is dict or isinstance(data, Mapping):
        _run_rules(ctx, "svaml", out)
    if keys is not None:
        keys.update(ctx.memo.get("keys", ()))
    return _one_per_misspelling(out)


def _one_per_misspelling(found: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic for a misspelt required field, not two.

    ``{"name": "say", "txt": …}`` lacks ``text`` (SV003, an error) and holds an unknown ``txt``
    (SV007, a warning whose fix renames it to ``text``): the two become one SV003, placed on the
    misspelt key, saying so and carrying the rename.
    """
    renames: dict[tuple[str, str], Diagnostic] = {}
    for d in found:
        if d.code == "SV007" and d.fix is not None and len(d.fix.edits) == 1:
            edit = d.fix.edits[0]
            if edit.op == "move" and edit.from_ == d.pointer:
                parent, _, field = edit.path.rpartition("/")
                renames[(parent, field)] = d
    if not renames:
        return found
    merged: dict[int, Diagnostic] = {}  # id of each SV007 folded into an SV003
    out = []
    for d in found:
        if d.code == "SV003":
            for (parent, field), typo in renames.items():
                if d.pointer == parent and d.message == f"missing required field {unescape_pointer(field)!r}":
                    misspelt = typo.pointer.rpartition("/")[2]
                    d = attrs.evolve(
                        d,
                        pointer=typo.pointer,
                        message=f"{d.message}: {unescape_pointer(misspelt)!r} looks like it, misspelt",
                        fix=typo.fix,
                    )
                    merged[id(typo)] = typo
                    break
        out.append(d)
    return [d for d in out if id(d) not in merged] if merged else out


def _validate(
    doc: Any,
    callback: Callback | None,
    limits: Limits,
    version: int | None = None,
    strict: bool = False,
    max_bytes: int | None = _json.MAX_BYTES,
    use: Use | None = None,
) -> list[Diagnostic]:
    for other in VERSIONS.values():
        if isinstance(doc, other.model) and version in (None, other.number):
            return other.check(doc, "", strict, use)
    if isinstance(doc, Document):
        return _validate_built(doc, callback if callback is not None else doc.callback, limits)
    if isinstance(doc, CalloutRequest):
        return _validate_data(codec.unstructure(doc), None, limits=limits)
    if isinstance(doc, (str, bytes, bytearray, memoryview)):
        decoded = _json.decode(doc, max_bytes=max_bytes)
        return _validate_decoded(decoded, callback, limits, version, strict, use)
    if isinstance(doc, _json.Decoded):
        return _validate_decoded(doc, callback, limits, version, strict, use)
    # Python data: a value JSON cannot carry is SV001, as it is in text, and stops the check.
    checked = _json.json_value(doc)
    if checked.unfit:
        return [emit("SV001", u.pointer, f"not JSON: {u.message}") for u in checked.unfit]
    return _validate_data(checked.value, callback, limits=limits, version=version, strict=strict, use=use)


def _validate_decoded(
    decoded: _json.Decoded,
    callback: Callback | None,
    limits: Limits,
    version: int | None = None,
    strict: bool = False,
    use: Use | None = None,
) -> list[Diagnostic]:
    """Validate text the JSON policy decoded: each diagnostic located in the text."""
    return _unlocated(decoded, callback, limits, version, strict, use).locate()


@attrs.frozen
class Unlocated:
    """The diagnostics of a JSON text, not yet placed in it: :meth:`locate` places them.

    ``keys`` are the pointers of the findings that belong on a key (an unknown field), not on
    the value under it. Diagnostics that carry a line already (the JSON policy's) keep it.
    """

    text: str
    diagnostics: tuple[Diagnostic, ...]
    keys: frozenset[str] = frozenset()

    def locate(self, diagnostics: Iterable[Diagnostic] | None = None) -> list[Diagnostic]:
        """Place ``diagnostics`` (some of this check's; all by default) in the text, sorted by place."""
        found = list(self.diagnostics if diagnostics is None else diagnostics)
        return _locate(self.text, found, self.keys) if found else found


def _unlocated(
    decoded: _json.Decoded,
    callback: Callback | None,
    limits: Limits,
    version: int | None,
    strict: bool,
    use: Use | None = None,
) -> Unlocated:
    out = json_diagnostics(decoded)
    keys: set[str] = set()
    if decoded.problem is None:
        other = _other_version(decoded.value, version)
        if other is not None:
            out = [other.duplicate(d) for d in out]
        out.extend(
            _validate_data(
                decoded.value, callback, keys=keys, limits=limits, version=version, strict=strict, use=use
            )
        )
    return Unlocated(decoded.text, tuple(out), frozenset(keys))


def json_diagnostics(decoded: _json.Decoded) -> list[Diagnostic]:
    """Say what the JSON policy found in a text: SV001 for a problem, SV103 or SV104 for each repeated key."""
    p = decoded.problem
    if p is not None:
        d = emit("SV001", "", f"invalid JSON: {p.message}")
        return [_located(d, _json.Span(p.line, p.column, p.line, p.column + 1))]
    out = []
    for dup in decoded.duplicates:
        if dup.pointer == "" and dup.key == "action":
            d = emit(
                "SV103",
                dup.key_pointer,
                f"'action' appears {len(dup.spans)} times ({dup.where}); Sinch uses only one: "
                "keep exactly one action",
            )
        else:
            d = emit(
                "SV104",
                dup.key_pointer,
                f"key {dup.key!r} appears {len(dup.spans)} times in this object ({dup.where}); "
                "only the last one counts",
            )
        out.append(_located(d, dup.spans[1]))
    return out


def read_json(
    data: str | bytes | bytearray | memoryview | _json.Decoded,
    what: str,
    error: type[SvamlError] = SvamlError,
    max_bytes: int | None = _json.MAX_BYTES,
) -> Any:
    """Decode JSON for an input that is not a lint: refuse any breach of the JSON policy.

    ``data`` may be decoded already (JSONC, by :func:`svaml._json.decode_jsonc`). Raises ``error``
    (a :class:`SvamlError`) carrying the SV001, SV103 or SV104 diagnostics.
    """
    decoded = data if isinstance(data, _json.Decoded) else _json.decode(data, max_bytes=max_bytes)
    if decoded.clean:
        return decoded.value
    why = "is not JSON" if decoded.problem is not None else "repeats a key in one object"
    raise error(f"{what} {why}", json_diagnostics(decoded))


def _located(d: Diagnostic, span: _json.Span | None) -> Diagnostic:
    if span is None:
        return d
    # Made directly: attrs.evolve would cost most of the time of locating many diagnostics.
    return Diagnostic(
        code=d.code,
        name=d.name,
        severity=d.severity,
        message=d.message,
        pointer=d.pointer,
        fix=d.fix,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
    )


def _locate(text: str, found: list[Diagnostic], keys: Iterable[str]) -> list[Diagnostic]:
    """Place each diagnostic in ``text``: at its value, or at its key when its pointer is in ``keys``.

    In place: each located copy replaces its original at once, so the two never both stay alive.
    """
    at_key = locate_keys(text, keys)  # one pass for all, as for the values
    spans = locate_many(text, {d.pointer for d in found if d.line is None}, nearest=True)
    for index, d in enumerate(found):
        if d.line is None:
            found[index] = _located(d, at_key.get(d.pointer) or spans.get(d.pointer))
    del spans
    found.sort(key=_place)
    return found


def _place(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line or 0, d.column or 0, d.code)


def _built_context(
    doc: Document, data: dict[str, Any], callback: Callback | None, limits: Limits = DEFAULT_LIMITS
) -> Context:
    """What the rules see of a built document: its parts are known to read."""
    return Context(
        data,
        callback,
        built=True,
        instructions=list(enumerate(doc.instructions)),
        action=doc.action,
        limits=limits,
    )


def _validate_built(doc: Document, callback: Callback | None, limits: Limits) -> list[Diagnostic]:
    """Validate a document built from the model: its parts are known to read, run the rules only."""
    ctx = _built_context(doc, codec.unstructure(doc), callback, limits)
    out: list[Diagnostic] = []
    _run_rules(ctx, "svaml", out)
    return out


def validate(
    doc: Any,
    *,
    callback: Callback | str | None = None,
    limits: Limits | None = None,
    version: int | None = None,
    strict: bool = False,
    max_bytes: int | None = _json.MAX_BYTES,
    use: Use | str | None = None,
) -> list[Diagnostic]:
    """Return every diagnostic of a SVAML document or callout request; never raises on bad input.

    ``doc`` may be a :class:`Svaml`, a callout request, decoded JSON (a dict), or JSON text
    (str or bytes, or text the JSON policy decoded already, a ``svaml._json.Decoded``); for text,
    each diagnostic carries its line and column. ``callback`` says where
    the document is used (``ice``, ``ace``, ``pie``, ``patch``, ``call-leg``, ``dice``, ``notify``),
    or None when not known; it defaults to a ``Svaml``'s own callback. ``limits`` are the
    application's when Sinch support raised any (``Limits(say=1200)``); Sinch's defaults otherwise.

    A SVAML v2 document (a top-level ``commands`` list, or a :class:`~svaml.v2.Svaml2`) is checked
    with the v2 rules (S2xxx); ``version=1`` or ``version=2`` says which to use whatever the shape.
    ``strict`` makes v2's unknown properties errors, as Sinch's STRICT validation does. ``use``
    says where a v2 document is used, as ``callback`` does for v1: a :class:`~svaml.v2.model.Use`
    (``incoming``, ``response``, ``create``, ``patch``) or the name of the event it answers
    (``event.event``); then a field Sinch ignores there is reported (S2010), and an empty
    ``commands`` answering an event other than ``call.incoming`` is not (S2009, Sinch's "no
    action"). It is ignored for a v1 document.
    Text of more than ``max_bytes`` bytes (10 MiB by default; None for no limit) is refused unread
    (SV001), and so is Python data JSON cannot carry (a set, NaN, a too long integer…, see
    docs/limits.md).
    """
    cb, where = callback_of(callback), use_of(use)
    if version not in (None, 1, *VERSIONS):
        raise SvamlTypeError(f"version must be 1 or 2, got {version!r}")
    try:
        return _validate(
            doc, cb, DEFAULT_LIMITS if limits is None else limits, version, strict, max_bytes, where
        )
    except RecursionError:
        return [emit("SV002", "", "the document is nested too deeply to check")]
    except Exception:  # pragma: no cover - a bug in a rule must not take the caller down
        _log.exception("svaml: internal error while validating; please report it")
        return [emit("SV000", "", "svaml could not check this document (internal error, logged)")]


def validate_unlocated(
    text: str | bytes | bytearray | memoryview | _json.Decoded,
    *,
    callback: Callback | str | None = None,
    limits: Limits | None = None,
    version: int | None = None,
    strict: bool = False,
    max_bytes: int | None = _json.MAX_BYTES,
    use: Use | str | None = None,
) -> Unlocated:
    """:func:`validate` of JSON text without placing the diagnostics in it (the costly part for many).

    ``validate(text)`` is ``validate_unlocated(text).locate()``, with the same arguments: a loop
    that checks a text often and reports once locates only what it reports. What cannot be
    checked (too deep, an internal error) is reported as :func:`validate` reports it, with no place.
    """
    cb, where = callback_of(callback), use_of(use)
    if version not in (None, 1, *VERSIONS):
        raise SvamlTypeError(f"version must be 1 or 2, got {version!r}")
    try:
        decoded = text if isinstance(text, _json.Decoded) else _json.decode(text, max_bytes=max_bytes)
        return _unlocated(decoded, cb, DEFAULT_LIMITS if limits is None else limits, version, strict, where)
    # What could not be checked has no place: an empty text leaves it unplaced, as validate() does.
    except RecursionError:
        return Unlocated("", (emit("SV002", "", "the document is nested too deeply to check"),))
    except Exception:  # pragma: no cover - a bug in a rule must not take the caller down
        _log.exception("svaml: internal error while validating; please report it")
        internal = emit("SV000", "", "svaml could not check this document (internal error, logged)")
        return Unlocated("", (internal,))


def iter_diagnostics(
    doc: Any,
    *,
    callback: Callback | str | None = None,
    limits: Limits | None = None,
    max_bytes: int | None = _json.MAX_BYTES,
) -> Iterator[Diagnostic]:
    """Yield the diagnostics of :func:`validate` one by one."""
    yield from validate(doc, callback=callback, limits=limits, max_bytes=max_bytes)


def is_valid(
    doc: Any,
    *,
    callback: Callback | str | None = None,
    limits: Limits | None = None,
    max_bytes: int | None = _json.MAX_BYTES,
) -> bool:
    """Whether the document has no error (warnings allowed)."""
    found = validate(doc, callback=callback, limits=limits, max_bytes=max_bytes)
    return not any(d.severity is Severity.ERROR for d in found)


def check(
    doc: Any,
    *,
    callback: Callback | str | None = None,
    limits: Limits | None = None,
    max_bytes: int | None = _json.MAX_BYTES,
) -> None:
    """Raise :class:`SvamlError` carrying the errors, if the document has any."""
    found = validate(doc, callback=callback, limits=limits, max_bytes=max_bytes)
    errors = [d for d in found if d.severity is Severity.ERROR]
    if errors:
        raise SvamlError("the SVAML document is not valid:", errors)


def validate_callout(body: Any, *, limits: Limits | None = None) -> list[Diagnostic]:
    """Return every diagnostic of a callout request body (decoded JSON, text or a request object)."""
    if isinstance(body, Mapping) and not is_callout(body):
        method = body.get("method")
        return [emit("SV904", "/method", f"not a callout request: 'method' is {method!r}")]
    return validate(body, limits=limits)


def check_built(doc: Document, data: dict[str, Any]) -> None:
    """Raise if a built document has errors for its callback (the guard of ``to_dict``)."""
    ctx = _built_context(doc, data, doc.callback)
    errors: list[Diagnostic] = []
    _run_rules(ctx, "svaml", errors, errors_only=True)
    if errors:
        where = f" for {doc.callback.phrase}" if doc.callback is not None else ""
        raise SvamlError(f"the SVAML document is not valid{where}:", errors)


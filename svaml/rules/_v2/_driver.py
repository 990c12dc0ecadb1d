"""The v2 validator's driver: read each top-level command, run the v2 rules, apply strict mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

import svaml.v2.codec  # noqa: F401  (registers v2's hooks on the one converter)
from svaml import _json, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.errors import SvamlError
from svaml.rules._registry import RULES, Finding, Rule, plan
from svaml.rules._v2._context import Context2
from svaml.rules._validate import VERSIONS, Version, validate
from svaml.v2.model.commands import Command
from svaml.v2.model.document import Document, Use, use_of

__all__ = ["STRICT_CODES", "check_built_v2", "check_v2", "is_v2", "validate_v2"]

#: The structure codes the codec reports (v1's), as v2 reports them.
_CODES: Mapping[str, str] = {
    "SV002": "S2002",
    "SV003": "S2003",
    "SV004": "S2004",
    "SV005": "S2005",
    "SV008": "S2008",
}

#: The codes that are warnings under Sinch's NORMAL validation and errors under STRICT.
STRICT_CODES = frozenset({"S2007", "S2301"})
#: Those that are so only when the use is known: a field the use does not define (S2010). Without
#: a use, S2010 says only that the document mixes two kinds, and stays a warning.
_STRICT_WITH_USE = frozenset({"S2010"})


def is_v2(data: Any) -> bool:
    """Whether decoded JSON is shaped as a SVAML v2 document: a ``commands`` list, no v1 ``action``."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("commands"), list)
        and "action" not in data
        and "instructions" not in data
    )


def _emit(code: str, pointer: str, message: str) -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(code=code, name=rule.name, severity=rule.severity, message=message, pointer=pointer)


def _recoded(found: list[Diagnostic], base: str) -> list[Diagnostic]:
    out = []
    for d in found:
        code = _CODES.get(d.code, d.code)
        rule = RULES[code]
        out.append(
            attrs.evolve(d, code=code, name=rule.name, severity=rule.severity, pointer=base + d.pointer)
        )
    return out


def _made(rule: Rule, finding: Finding | Diagnostic, ctx: Context2) -> Diagnostic:
    if isinstance(finding, Diagnostic):
        return finding
    stricter = ctx.strict and (
        rule.code in STRICT_CODES or (ctx.use is not None and rule.code in _STRICT_WITH_USE)
    )
    severity = Severity.ERROR if stricter else rule.severity
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=severity,
        message=finding.message,
        pointer=finding.pointer,
        fix=finding.fix,
    )


def run_rules(ctx: Context2, out: list[Diagnostic], liberal: bool, errors_only: bool = False) -> None:
    """Run the v2 rules over a read document, in code order, each rule's findings in document order."""
    document, by_class = plan("svaml2", None, ctx.built or not liberal, errors_only, ctx.use)
    found: list[tuple[str, Diagnostic]] = []
    for check_, rule in document:
        for finding in check_(ctx.data, ctx.base, ctx):  # type: ignore[arg-type]
            found.append((rule.code, _made(rule, finding, ctx)))
    for where, obj in ctx.objects():
        checks = by_class.get(obj.__class__)
        if checks is not None:
            for check_, rule in checks:
                for finding in check_(obj, where, ctx):  # type: ignore[arg-type]
                    found.append((rule.code, _made(rule, finding, ctx)))
    found.sort(key=lambda item: item[0])
    out.extend(d for _, d in found if not errors_only or d.severity is Severity.ERROR)


def _validate_data(data: Any, base: str, strict: bool, use: Use | None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not isinstance(data, Mapping):
        return [_emit("S2002", base, f"expected a SVAML v2 object, got {_json.typename(data)}")]
    ctx = Context2(data, base=base, strict=strict, use=use)
    liberal = False
    raw = data.get("commands")
    if raw is None:
        out.append(_emit("S2003", base, "missing required field 'commands'"))
    elif not isinstance(raw, list):
        out.append(_emit("S2002", ctx.at("commands"), f"expected a list, got {_json.typename(raw)}"))
    else:
        for index, item in enumerate(raw):
            read = codec.read(item, Command, "commands", index)
            out.extend(_recoded(read.problems, base))
            liberal = liberal or read.liberal
            if read.value is not None:
                ctx.commands.append((index, read.value))
    # Read with an empty command list, which the document writes back: only the rest can be liberal.
    rest = codec.read({**{k: v for k, v in data.items() if k != "commands"}, "commands": []}, Document)
    out.extend(_recoded(rest.problems, base))
    ctx.document = rest.value
    liberal = liberal or rest.liberal
    run_rules(ctx, out, liberal)
    return out


def _validate_built(doc: Document, strict: bool, use: Use | None) -> list[Diagnostic]:
    data = codec.unstructure(doc)
    commands = list(enumerate(doc.commands))
    ctx = Context2(data, built=True, strict=strict, commands=commands, document=doc, use=use)
    out: list[Diagnostic] = []
    run_rules(ctx, out, liberal=False)
    return out


def check_v2(doc: Any, base: str, strict: bool, use: Use | None = None) -> list[Diagnostic]:
    """Validate a v2 document: decoded JSON, or a :class:`~svaml.v2.model.Document` built from the model."""
    if isinstance(doc, Document):
        return _validate_built(doc, strict, use)
    return _validate_data(doc, base, strict, use)


def validate_v2(doc: Any, *, strict: bool = False, use: Use | str | None = None) -> list[Diagnostic]:
    """Return every diagnostic of a SVAML v2 document (text, decoded JSON or a model document).

    ``strict`` reports unknown properties as errors, as Sinch's STRICT validation; by default
    they are warnings, as its NORMAL validation ignores them. ``use`` says where the document is
    used (:func:`~svaml.v2.model.use_of`: a :class:`~svaml.v2.model.Use` or an event name).
    """
    return validate(doc, version=2, strict=strict, use=use_of(use))


def check_built_v2(doc: Document, data: dict[str, Any]) -> None:
    """Raise :class:`SvamlError` carrying the errors of a built v2 document (the guard of ``to_dict``)."""
    ctx = Context2(data, built=True, commands=list(enumerate(doc.commands)), document=doc)
    errors: list[Diagnostic] = []
    run_rules(ctx, errors, liberal=False, errors_only=True)
    if errors:
        raise SvamlError("the SVAML v2 document is not valid:", errors)


def _duplicate(found: Diagnostic) -> Diagnostic:
    """A key repeated in ``menus`` is a menu item defined twice (S2702), not just a repeated key."""
    if found.code == "SV104" and found.pointer.rsplit("/", 1)[0].endswith("/menus"):
        name = found.pointer.rsplit("/", 1)[1]
        rule = RULES["S2702"]
        return attrs.evolve(
            found,
            code=rule.code,
            name=rule.name,
            severity=rule.severity,
            message=f"the menu item {name!r} is defined twice; only the last one counts",
        )
    return found


VERSIONS[2] = Version(2, Document, is_v2, check_v2, _duplicate)

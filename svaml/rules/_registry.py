"""The one rule registry: a rule is a function plus its code, name, severity, callbacks and doc."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal, NamedTuple

import attrs

from svaml.diagnostic import Diagnostic, Fix, Severity
from svaml.model.permissions import Callback

if TYPE_CHECKING:
    from svaml.rules._context import Context

__all__ = [
    "DOCS_URL",
    "RULES",
    "Finding",
    "Rule",
    "active",
    "applicable",
    "extend_to_callouts",
    "register",
    "rule",
]

#: Where each rule's documentation lives; a rule's url is this plus ``#<code>``.
DOCS_URL = "https://svaml.dev/rules"

Target = Literal["svaml", "callout", "any"]


class Finding(NamedTuple):
    """What a rule function yields: where, what is wrong and how to fix it, and optionally a fix."""

    pointer: str
    message: str
    fix: Fix | None = None


#: A rule's check yields findings; a rule that checks embedded documents (a customCallout's
#: inline SVAML) may also yield their diagnostics whole, so they keep their own codes.
Check = Callable[["Context"], Iterable["Finding | Diagnostic"]]


@attrs.frozen(kw_only=True)
class Rule:
    """One documented Sinch rule that svaml enforces."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    source: str
    callbacks: frozenset[Callback] | None = None
    target: Target = "svaml"
    fixable: bool = False
    raw: bool = False
    kinds: frozenset[type] | None = None
    check: Check | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def url(self) -> str:
        """The address of the rule's documentation."""
        return f"{DOCS_URL}#{self.code.lower()}-{self.name}"

    def applies(self, callback: Callback | None) -> bool:
        """Whether the rule runs for a document used in ``callback`` (None: not known)."""
        if self.callbacks is None:
            return True
        return callback is not None and callback in self.callbacks


#: Every rule, by code.
RULES: dict[str, Rule] = {}


def register(rule_: Rule) -> Rule:
    """Add a rule to the registry; a code or a name may be registered once."""
    if rule_.code in RULES or any(r.name == rule_.name for r in RULES.values()):
        raise ValueError(f"rule {rule_.code} {rule_.name} is registered twice")
    RULES[rule_.code] = rule_
    _ACTIVE.clear()
    _APPLICABLE.clear()
    return rule_


def extend_to_callouts(code: str, fields: str) -> None:
    """Make the SVAML rule ``code`` check callout requests too, under the same code.

    Its check already walks callout objects; ``fields`` names what it checks there, for its doc.
    """
    base = RULES[code]
    RULES[code] = attrs.evolve(
        base,
        target="any",
        doc=f"{base.doc}\n\nIn callout requests (`POST /calling/v1/callouts`) it checks {fields}.",
    )
    _ACTIVE.clear()
    _APPLICABLE.clear()


_Active = tuple[tuple[Check, "frozenset[type] | None", Rule], ...]
_ACTIVE: dict[tuple[str, Callback | None, bool, bool], _Active] = {}


def active(
    target: str, callback: Callback | None, canonical: bool, errors_only: bool = False
) -> _Active:
    """Return ``(check, kinds, rule)`` of the rules that run for this target and callback (cached).

    ``canonical`` leaves out the ``raw`` rules: the document is in canonical form (built from the
    model, or read without any liberal form), so they have nothing to report.
    """
    key = (target, callback, canonical, errors_only)
    found = _ACTIVE.get(key)
    if found is None:
        found = _ACTIVE[key] = tuple(
            (r.check, r.kinds, r)
            for r in sorted(RULES.values(), key=lambda r: r.code)
            if r.check is not None
            and r.target in (target, "any")
            and r.applies(callback)
            and not (canonical and r.raw)
            and not (errors_only and r.severity is not Severity.ERROR)
        )
    return found


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    summary: str,
    source: str,
    callbacks: Iterable[Callback] | None = None,
    target: Target = "svaml",
    fixable: bool = False,
    raw: bool = False,
    kinds: Iterable[type] | None = None,
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of a rule; its docstring is the rule's doc.

    ``raw`` marks a rule about the JSON form itself (spelling, casing): documents built from the
    model are canonical by construction, so it is skipped for them. ``kinds`` names the model
    classes the rule inspects: it is skipped for documents that hold none of them.
    """

    def decorate(check: Check) -> Check:
        register(
            Rule(
                code=code,
                name=name,
                severity=severity,
                summary=summary,
                doc=_dedent(check.__doc__ or summary),
                source=source,
                callbacks=None if callbacks is None else frozenset(callbacks),
                target=target,
                fixable=fixable,
                raw=raw,
                kinds=None if kinds is None else frozenset(kinds),
                check=check,
            )
        )
        return check

    return decorate


def _dedent(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


_Shape = tuple[str, Callback | None, bool, bool, frozenset[type]]
_APPLICABLE: dict[_Shape, tuple[tuple[Check, Rule], ...]] = {}


def applicable(
    target: str, callback: Callback | None, canonical: bool, errors_only: bool, kinds: frozenset[type]
) -> tuple[tuple[Check, Rule], ...]:
    """Return ``(check, rule)`` of the active rules that inspect a class in ``kinds`` (cached).

    Documents of one shape (the same model classes) share the list, so a rule about menus costs
    nothing for a document without one.
    """
    key = (target, callback, canonical, errors_only, kinds)
    found = _APPLICABLE.get(key)
    if found is None:
        if len(_APPLICABLE) > 4096:  # bounded: shapes are few in practice, but never unbounded
            _APPLICABLE.clear()
        found = _APPLICABLE[key] = tuple(
            (check, rule)
            for check, rule_kinds, rule in active(target, callback, canonical, errors_only)
            if rule_kinds is None or not rule_kinds.isdisjoint(kinds)
        )
    return found

"""The one rule registry: a rule is a function plus its code, name, severity, callbacks, doc and example.

Every rule comes in the same way, through :func:`rule`: its targets (SVAML documents, callout
requests, SVAML v2 documents), the model classes it reads, the callbacks it applies to and a small
document that breaks it are declared when it is registered, and never edited afterwards. The structure rules
(SV001-SV008, SV103, SV104) are found while decoding and reading; they are registered the same
way, with a function that has no check to run.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar, cast

import attrs

from svaml import _json
from svaml.diagnostic import Applicability, Diagnostic, Fix, Severity
from svaml.errors import SvamlError
from svaml.model.permissions import Callback, callback_of
from svaml.v2.model.document import Use

if TYPE_CHECKING:
    from svaml.rules._context import Context

__all__ = ["DOCS_URL", "RULES", "Example", "Finding", "Plan", "Rule", "plan", "rule"]

#: Where each rule's documentation lives; a rule's url is this plus ``#<code>``.
DOCS_URL = "https://svaml.dev/rules"

#: What a rule checks: SVAML (v1) documents, callout requests, or SVAML v2 documents.
Target = Literal["svaml", "callout", "svaml2"]


class Finding(NamedTuple):
    """What a rule function yields: where, what is wrong and how to fix it, and optionally a fix."""

    pointer: str
    message: str
    fix: Fix | None = None


#: A rule's check: called once per object of the classes the rule reads, as
#: ``check(obj, pointer, ctx)``, or once per document as ``check(ctx.data, ctx.base, ctx)`` for a
#: rule that reads no class (the decoded document, always a JSON object there). It yields
#: findings; a rule that checks embedded documents (a customCallout's inline SVAML) may also
#: yield their diagnostics whole, so they keep their codes.
Check = Callable[[Any, str, "Context"], Iterable["Finding | Diagnostic"]]


def _text(doc: object) -> str:
    """JSON text of an example: text is kept as written (it may be broken on purpose)."""
    return doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)


def _fixed_text(doc: object) -> str | None:
    return None if doc is None else _text(doc)


@attrs.frozen(kw_only=True)
class Example:
    """A small document that breaks a rule, the callback it is checked for and, where shown, its fixed form.

    ``text`` and ``fixed`` are JSON text; a dict given for either is written as JSON.
    """

    text: str = attrs.field(converter=_text)
    callback: Callback | None = attrs.field(default=None, converter=callback_of)
    fixed: str | None = attrs.field(default=None, converter=_fixed_text)

    @staticmethod
    def shown(text: str, width: int = 88) -> str:
        """Pretty-print example text in ``width`` columns, unless it is not JSON or repeats a key.

        Text that is broken on purpose (anything the JSON policy refuses) is shown as written.
        """
        decoded = _json.decode(text)
        return _pretty(decoded.value, 0, 0, width) if decoded.clean else text


def _pretty(value: Any, level: int, used: int, width: int) -> str:
    """Indent JSON by two spaces, keeping any part that fits in the line on that line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or 2 * level + used + len(flat) <= width:
        return flat
    pad = "  " * (level + 1)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            head = json.dumps(key, ensure_ascii=False) + ": "
            parts.append(pad + head + _pretty(item, level + 1, len(head), width))
    else:
        parts = [pad + _pretty(item, level + 1, 0, width) for item in value]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(parts) + "\n" + "  " * level + closing


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
    #: The uses of a v2 document the rule runs for, None among them meaning "not known" (None: all).
    uses: frozenset[Use | None] | None = None
    targets: frozenset[Target] = frozenset({"svaml"})
    #: Whether the rule's findings carry fixes, and how safe they are at worst (None: no fix).
    fix: Applicability | None = None
    raw: bool = False
    kinds: tuple[type, ...] | None = None
    example: Example | None = None
    #: What reports the rule when it has no check of its own (decoding, reading into the model).
    found_by: str | None = None
    #: Whether a finding's pointer names a key to show (an unknown field), not the value under it.
    at_key: bool = False
    check: Check | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def fixable(self) -> bool:
        """Whether the rule's findings carry fixes."""
        return self.fix is not None

    @property
    def url(self) -> str:
        """The address of the rule's documentation."""
        return f"{DOCS_URL}#{self.code.lower()}-{self.name}"

    def applies(self, callback: Callback | None, use: Use | None = None) -> bool:
        """Whether the rule runs for a document used in ``callback`` or as ``use`` (v2; None: unknown)."""
        if self.uses is not None and use not in self.uses:
            return False
        if self.callbacks is None:
            return True
        return callback is not None and callback in self.callbacks


#: Every rule, by code.
RULES: dict[str, Rule] = {}

_F = TypeVar("_F", bound=Callable[..., object])


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    summary: str,
    source: str,
    example: Example | None,
    targets: Iterable[Target] = ("svaml",),
    callbacks: Iterable[Callback] | None = None,
    uses: Iterable[Use | None] | None = None,
    fix: Applicability | None = None,
    raw: bool = False,
    kinds: Iterable[type] | None = None,
    found_by: str | None = None,
    at_key: bool = False,
) -> Callable[[_F], _F]:
    """Register the decorated function as a rule; its docstring is the rule's doc.

    ``kinds`` names the model classes the rule reads: its check runs once per object of exactly
    these classes. Without ``kinds`` it runs once per document. ``raw`` marks a rule about the JSON
    form itself (spelling, casing): documents built from the model are canonical by construction,
    so it is skipped for them. ``fix`` says whether its findings carry fixes and how safe
    they are at worst. ``found_by`` names what reports a rule that has no check of its
    own (decoding, reading into the model): its function only documents it. A code or a name may
    be registered once. ``uses`` names the uses of a v2 document the rule runs for (None among
    them: the use is not known), as ``callbacks`` does for v1. ``at_key`` places the findings on
    the key their pointer names, not on its value (an unknown field is the key's fault).
    """

    def decorate(check: _F) -> _F:
        if code in RULES or any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule {code} {name} is registered twice")
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            doc=inspect.cleandoc(check.__doc__ or summary),
            source=source,
            callbacks=None if callbacks is None else frozenset(callbacks),
            uses=None if uses is None else frozenset(uses),
            targets=frozenset(targets),
            fix=fix,
            raw=raw,
            kinds=None if kinds is None else tuple(kinds),
            example=example,
            found_by=found_by,
            at_key=at_key,
            check=None if found_by is not None else cast(Check, check),
        )
        _PLANS.clear()
        return check

    return decorate


class Plan(NamedTuple):
    """The checks that run for one kind of document: per document, and per object by model class."""

    document: tuple[tuple[Check, Rule], ...]
    by_class: dict[type, tuple[tuple[Check, Rule], ...]]


_PLANS: dict[tuple[Target, Callback | None, bool, bool, Use | None], Plan] = {}


def plan(
    target: Target,
    callback: Callback | None,
    canonical: bool,
    errors_only: bool = False,
    use: Use | None = None,
) -> Plan:
    """Return the checks that run for this target and callback (or v2 use), in code order (cached).

    ``canonical`` leaves out the ``raw`` rules: the document is in canonical form (built from the
    model, or read without any liberal form), so they have nothing to report.
    """
    key = (target, callback, canonical, errors_only, use)
    found = _PLANS.get(key)
    if found is None:
        document: list[tuple[Check, Rule]] = []
        by_class: dict[type, list[tuple[Check, Rule]]] = {}
        for r in sorted(RULES.values(), key=lambda r: r.code):
            if (
                r.check is None
                or target not in r.targets
                or not r.applies(callback, use)
                or (canonical and r.raw)
                or (errors_only and r.severity is not Severity.ERROR)
            ):
                continue
            if r.kinds is None:
                document.append((r.check, r))
            else:
                for kind in r.kinds:
                    by_class.setdefault(kind, []).append((r.check, r))
        found = _PLANS[key] = Plan(tuple(document), {k: tuple(v) for k, v in by_class.items()})
    return found


def specificity(selector: str, code: str) -> int:
    """How closely a selector (a code, a code prefix, or ``ALL``) names ``code``.

    -1 not at all, 0 for ALL, else its length: the more specific of two selectors wins, as in ruff.
    """
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else -1


def read_selectors(
    selectors: Iterable[object], what: str, *, codes: Iterable[str] | None = None, allow_all: bool = True
) -> tuple[str, ...]:
    """Read rule selectors (codes or code prefixes, any case; ``ALL`` where allowed), upper-cased.

    The one reading of ``--select``/``--ignore``, ``[tool.svaml]`` and ``CallbackApp(ignore=…)``.
    Raises :class:`~svaml.errors.SvamlError` naming ``what`` for a selector that is not a str or
    names no rule of ``codes`` (by default, every registered rule).
    """
    known = tuple(RULES if codes is None else codes)
    result = []
    for raw in selectors:
        if not isinstance(raw, str):
            raise SvamlError(f"{what} lists rule codes (SV302) or prefixes (SV3), not {type(raw).__name__}")
        selector = raw.strip().upper()
        if not selector:
            continue
        if (selector != "ALL" or not allow_all) and not any(code.startswith(selector) for code in known):
            raise SvamlError(f"{what}: {raw!r} selects no rule (run `svaml rules` for the codes)")
        result.append(selector)
    return tuple(result)

"""The validator: every documented Sinch rule, as data.

:func:`validate` returns :class:`~svaml.diagnostic.Diagnostic` objects and never raises on bad
input; :func:`is_valid` and :func:`check` are its yes/no and raising forms. :data:`RULES` is the
one registry the validator, the linter's ``--select``/``--ignore``/``--fix`` and the rule
reference in ``docs/rules.md`` all read.
"""

from __future__ import annotations

# Importing the rule modules registers their rules, in code order.
from svaml.rules import _structure, _document, _numbers, _limits, _actions, _menus, _prompts, _callouts  # noqa: F401, I001
from svaml.rules._registry import DOCS_URL, RULES, Finding, Rule
from svaml.rules._validate import check, check_built, is_valid, iter_diagnostics, validate, validate_callout
from svaml.model.permissions import Callback

__all__ = [
    "DOCS_URL",
    "RULES",
    "Callback",
    "Finding",
    "Rule",
    "check",
    "check_built",
    "is_valid",
    "iter_diagnostics",
    "validate",
    "validate_callout",
]

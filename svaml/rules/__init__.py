"""The validator: every documented Sinch rule, as data.

:func:`validate` returns :class:`~svaml.diagnostic.Diagnostic` objects and never raises on bad
input; :func:`is_valid` and :func:`check` are its yes/no and raising forms. :data:`RULES` is the
one registry the validator, the linter's ``--select``/``--ignore``/``--fix`` and the rule
reference in ``docs/rules.md`` all read.
"""

from __future__ import annotations

from svaml.model.permissions import Callback

# Importing the rule modules registers their rules (the registry keeps them by code).
from svaml.rules import (  # noqa: F401
    _actions,
    _callouts,
    _comments,
    _document,
    _limits,
    _menus,
    _numbers,
    _prompts,
    _structure,
    _v2,
)
from svaml.rules._bounds import Limits
from svaml.rules._registry import DOCS_URL, RULES, Example, Finding, Rule, read_selectors, specificity
from svaml.rules._v2 import validate_v2
from svaml.rules._validate import check, check_built, is_valid, iter_diagnostics, validate, validate_callout

__all__ = [
    "DOCS_URL",
    "RULES",
    "Callback",
    "Example",
    "Finding",
    "Limits",
    "Rule",
    "check",
    "check_built",
    "is_valid",
    "iter_diagnostics",
    "read_selectors",
    "specificity",
    "validate",
    "validate_callout",
    "validate_v2",
]

"""The SVAML v2 rules (codes S2xxx), registered in the one registry beside v1's.

Importing this package registers the rules and the v2 validator with :mod:`svaml.rules._validate`,
so :func:`svaml.rules.validate` checks a document shaped as v2 (a top-level ``commands`` list).
"""

from __future__ import annotations

from svaml.rules._v2 import _limits, _menus, _sequences, _structure  # noqa: F401  (registers the rules)
from svaml.rules._v2._driver import STRICT_CODES, check_built_v2, is_v2, validate_v2

__all__ = ["STRICT_CODES", "check_built_v2", "is_v2", "validate_v2"]

"""SVAML v2 (Sinch Voice API v2): the model, the :class:`Svaml2` builder, and its checks.

The names below load on first use (PEP 562): ``import svaml.v2`` costs nothing until one is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svaml.v2.document import Svaml2

__all__ = ["Svaml2"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("svaml.v2.document"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'svaml.v2' has no attribute {name!r}")

"""Documentation snippets from the one model: render, describe, draw, and keep Markdown pages in sync.

- :func:`load` reads a document from ``FILE.py:name``, ``module:name`` or a JSON file;
  :func:`read_text` from JSON text; :func:`check` runs the rules for its callback.
- :func:`render` prints it ``as`` one of :data:`FORMS`: canonical JSON (:func:`to_json`), the
  ``curl`` request that sends it (:func:`to_curl`), Python builder code (:func:`to_python`)
  or code for Sinch's Node SDK (:func:`to_node`).
- :func:`describe` says what it does in plain words; :func:`mermaid`, :func:`dot` and
  :func:`svg` draw it.
- :func:`sync` remakes the blocks a Markdown page marks with ``<!-- svaml: VERB SOURCE … -->``.

See ``docs/snippets.md``.
"""

from __future__ import annotations

from svaml.snippets._curl import to_curl
from svaml.snippets._describe import describe
from svaml.snippets._diagram import dot, mermaid, svg
from svaml.snippets._node import NODE_HELPERS, NODE_PACKAGE, NodeUnsupported, to_node
from svaml.snippets._pages import (
    DIAGRAMS,
    FORMS,
    VERBS,
    Marker,
    PageError,
    Synced,
    diagram,
    render,
    sync,
    sync_text,
)
from svaml.snippets._python import to_python
from svaml.snippets._source import Snippable, canonical, check, load, load_checked, read_text, to_json

__all__ = [
    "DIAGRAMS",
    "FORMS",
    "NODE_HELPERS",
    "NODE_PACKAGE",
    "VERBS",
    "Marker",
    "NodeUnsupported",
    "PageError",
    "Snippable",
    "Synced",
    "canonical",
    "check",
    "describe",
    "diagram",
    "dot",
    "load",
    "load_checked",
    "mermaid",
    "read_text",
    "render",
    "svg",
    "sync",
    "sync_text",
    "to_curl",
    "to_json",
    "to_node",
    "to_python",
]

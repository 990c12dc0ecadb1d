"""How both simulators read and check an application's answer: one policy for v1 and v2 bodies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from svaml import _json, codec
from svaml.diagnostic import Diagnostic, Severity
from svaml.rules._validate import json_diagnostics
from svaml.simulator._transcript import FailureKind, summary

__all__ = ["Judged", "judge"]


class Judged(NamedTuple):
    """An answer read and checked: the SVAML, the rules' findings, why it fails (or None), its text."""

    document: Any
    diagnostics: tuple[Diagnostic, ...]
    kind: FailureKind | None
    message: str
    text: str  # the body as text
    summary: str  # the answer in a few words, for the timeline


def judge(
    body: bytes,
    *,
    rules: Callable[[dict[str, Any]], Iterable[Diagnostic]],
    model: type,
    name: str,
    needed: str | None,
    invalid: str,
    empty_object_ok: bool = False,
) -> Judged:
    """Read ``body`` under svaml's JSON policy into ``model`` and check it with ``rules``.

    ``name`` is what the answer should be (``SVAML``, ``SVAML v2``); ``needed`` why an empty body
    fails (None: an empty body is fine), ``invalid`` why a body with errors does; with
    ``empty_object_ok`` a ``{}`` is fine too (what apps answer v1's DiCE and Notify with).
    """
    text = body.decode("utf-8", "replace")

    def judged(
        document: Any, found: tuple[Diagnostic, ...], kind: FailureKind | None, message: str
    ) -> Judged:
        return Judged(document, found, kind, message, text, summary(document, text))

    if not body.strip():
        return judged(None, (), None if needed is None else FailureKind.JUNK, f"an empty body: {needed}")
    decoded = _json.decode(body)
    found = tuple(json_diagnostics(decoded)) if decoded.problem is not None or decoded.duplicates else ()
    if decoded.problem is not None:
        return judged(None, found, FailureKind.JUNK, "the body is not JSON")
    data = decoded.value
    if not isinstance(data, dict):
        message = f"the body is {_json.typename(data)}, not a {name} object"
        return judged(None, found, FailureKind.JUNK, message)
    if empty_object_ok and not data:
        return judged(None, found, None, "")
    found = found + tuple(rules(data))
    document = codec.read(data, model).value
    if any(d.severity is Severity.ERROR for d in found):
        return judged(document, found, FailureKind.INVALID, invalid)
    return judged(document, found, None, "")

"""Rules about svaml's own comments (SV010, SV011): reported by ``svaml lint``, never by ``validate()``.

A JSONC text or a Markdown page speaks to the linter through ``svaml:`` comments (a block's
callback, a suppression); the linter reports the comments it cannot read or that suppress
nothing. They are registered here with their documentation, like the rules decoding finds.
"""

from __future__ import annotations

from svaml.diagnostic import Severity
from svaml.rules._registry import rule

__all__: list[str] = []

_BY_LINT = "`svaml lint`, reading the `svaml:` comments of JSONC text and Markdown pages"


@rule(
    "SV010",
    "unused-suppression",
    Severity.WARNING,
    summary="A `svaml: ignore[...]` comment names a code that is not reported where it applies",
    source="svaml (as ruff's RUF100 unused-noqa)",
    example=None,
    found_by=_BY_LINT,
)
def unused_suppression() -> None:
    """Remove the suppression, or move it to the line or block the diagnostic is on.

    A suppression that suppresses nothing hides nothing today, but it will hide a real problem the
    day one appears there, and it misleads the reader about what is wrong. A suppression of a
    rule that is not selected for the file (by `--select`, `--ignore` or `per-file-ignores`) is
    not reported: svaml cannot tell whether it would be used.
    """


@rule(
    "SV011",
    "invalid-directive",
    Severity.ERROR,
    summary="A `svaml:` comment svaml cannot read: an unknown rule code or callback, or bad syntax",
    source="svaml",
    example=None,
    found_by=_BY_LINT,
)
def invalid_directive() -> None:
    """Write `svaml: ignore[SV401]` (codes, comma-separated) or, before a Markdown block, `callback=ice`.

    A comment that starts with `svaml:` is read as an instruction to the linter. One that names a
    code no rule has (a typo such as `SV4O1`), a callback Sinch does not send, a callback that
    disagrees with the block's info string, or anything svaml cannot read, would silently do
    nothing; svaml reports it instead. So is a `svaml:` comment before something that is not a
    `json` or `jsonc` block, and a slip of a `svaml docs sync` marker's verb (`rendr`, `Render`),
    which would leave its block stale.
    """

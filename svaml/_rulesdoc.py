"""Generate ``docs/rules.md``, the rule reference, from the rule registry.

Run ``python -m svaml._rulesdoc > docs/rules.md``, or call :func:`write`. Each rule's section
shows the example registered with the rule (a small document that breaks it), what svaml says
about it and, where the rule gives one, the fixed form. The examples are validated when the page
is rendered (an example that does not fire its rule fails the rendering) and by
``tests/test_rules_doc.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from svaml.model.permissions import Callback
from svaml.rules import RULES, Example, Rule, validate
from svaml.v2.model.document import Use

__all__ = ["main", "render", "write"]

ROOT = Path(__file__).resolve().parent.parent
_PAGE = ROOT / "docs" / "rules.md"
_WIDTH = 88


# -- rendering ---------------------------------------------------------------------------------


def _anchor(rule: Rule) -> str:
    return rule.url.rsplit("#", 1)[1]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _applies(rule: Rule) -> str:
    parts = []
    if "svaml" in rule.targets:
        if rule.callbacks is None:
            parts.append("every SVAML document, whatever its callback")
        elif rule.callbacks == frozenset(Callback):
            parts.append("SVAML documents whose callback is known")
        else:
            parts.append(", ".join(c.phrase for c in Callback if c in rule.callbacks))
    if "callout" in rule.targets:
        parts.append("callout requests (`POST /calling/v1/callouts`)")
    if "svaml2" in rule.targets:
        uses = rule.uses
        if uses is None:
            parts.append("SVAML v2 documents (Voice API v2)")
        else:
            named = [u.phrase for u in Use if u in uses]
            unknown = ", or where the use is not known" if None in uses else ""
            parts.append(f"SVAML v2 documents (Voice API v2) used as {', '.join(named)}{unknown}")
    return "; ".join(parts)


def _where(example: Example, rule: Rule) -> str:
    if "svaml2" in rule.targets:
        return "This v2 document"
    if "svaml" not in rule.targets:
        return "This callout request body"
    if example.callback is None:
        return "This document"
    return f"This document, as {example.callback.phrase},"


def _section(rule: Rule) -> Iterator[str]:
    yield f'<a id="{_anchor(rule)}"></a>'
    yield ""
    yield f"### {rule.code} {rule.name}"
    yield ""
    fixable = "no" if rule.fix is None else f"{rule.fix.value} (`svaml lint {rule.fix.flags}`)"
    yield f"**{rule.severity.value.capitalize()}** · applies to {_applies(rule)} · fixable: {fixable}"
    yield ""
    yield f"*{rule.summary}.*" if not rule.summary.endswith(".") else f"*{rule.summary}*"
    yield ""
    yield rule.doc
    yield ""
    yield f"**Sinch source:** {rule.source}"
    yield ""
    if rule.found_by is not None:
        yield f"**Found by:** {rule.found_by}."
        yield ""
    example = rule.example
    if example is None:
        yield f"No document triggers this rule by itself; it is found by {rule.found_by}."
        yield ""
        return
    found = validate(example.text, callback=example.callback)
    said = [d for d in found if d.code == rule.code]
    if not said:
        raise ValueError(f"the example of {rule.code} does not trigger it")
    # The page says what `svaml lint docs/` must find in the block: exactly these codes. Each
    # suppression that stops matching is reported (SV010), and any other code is not suppressed.
    fence = "```json" if example.callback is None else f"```json {example.callback.value}"
    yield f"{_where(example, rule)} breaks it:"
    yield ""
    yield f"<!-- svaml: ignore[{', '.join(sorted({d.code for d in found}))}] -->"
    yield fence
    yield Example.shown(example.text, _WIDTH)
    yield "```"
    yield ""
    yield "svaml reports:"
    yield ""
    yield "```text"
    for d in said:
        yield f"{d.pointer or '/'}: {d.message} [{d.code}]"
    yield "```"
    yield ""
    if example.fixed is not None:
        yield "Fixed:"
        yield ""
        yield fence
        yield Example.shown(example.fixed, _WIDTH)
        yield "```"
        yield ""


def render() -> str:
    """Return the rule reference page, in Markdown."""
    rules = sorted(RULES.values(), key=lambda r: r.code)
    lines = [
        "<!-- Generated from the rule registry: python -m svaml._rulesdoc > docs/rules.md; do not edit. -->",
        "",
        "# Rule reference",
        "",
        "Every check svaml makes, as `svaml.validate()`, the builder's guard and `svaml lint` report it.",
        "An **error** is something Sinch's documentation says the platform rejects or mishandles; a",
        "**warning** is doubtful or not in the canonical form. `svaml rule CODE` prints a rule's text;",
        "`--select` and `--ignore` take codes or code prefixes. A rule about a field that callout requests",
        "share with SVAML (numbers, limits, prompts) checks both under the same code. Each rule's example",
        "is registered with the rule: `svaml rule CODE` shows the same one. The comment before each",
        "example, `<!-- svaml: ignore[...] -->`, names the codes it breaks: `svaml lint docs/` checks",
        "that it still does (see [linting.md](linting.md#suppressions)).",
        "",
        "SVAML v2 documents (Voice API v2, a top-level `commands` list) have their own rules, S2001 to",
        "S2999: their codes mirror v1's (`SV002` invalid type, `S2002` in v2; hundreds: 0 structure, 3",
        "order and handlers, 5 limits, 7 menus, 8 voices and text, 9 requests), `--select S2` picks them",
        "all and `--select SV` only v1's. S2007 and S2301 are warnings, as Sinch's NORMAL validation",
        "ignores unknown properties; `svaml lint --strict` (`validate(..., strict=True)`) makes them",
        "errors, as STRICT does. See [v2.md](v2.md).",
        "",
        "| code | name | severity | fixable | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](#{_anchor(rule)}) | `{rule.name}` | {rule.severity.value} | "
            f"{'no' if rule.fix is None else rule.fix.value} | {_cell(rule.summary)} |"
        )
    lines.append("")
    lines.append("## Rules")
    lines.append("")
    for rule in rules:
        lines.extend(_section(rule))
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path | str | None = None) -> Path:
    """Write the rule reference (to ``docs/rules.md`` of the source tree by default); return its path."""
    target = Path(path) if path is not None else _PAGE
    target.write_text(render(), encoding="utf-8", newline="\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Print the rule reference; with ``--write``, write it to ``docs/rules.md``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--write"]:
        write(args[1] if len(args) > 1 else None)
        return 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The rule reference docs/rules.md: current, complete, and its examples really break their rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from svaml import _rulesdoc
from svaml.rules import RULES

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "docs" / "rules.md"
CORPUS = ROOT / "tests" / "corpus"
CODES = sorted(RULES)
# SV000 is svaml's own internal error: no document can trigger it.
TRIGGERABLE = [code for code in CODES if code != "SV000"]


def test_rules_page_is_current() -> None:
    """The page is what the generator writes now (`python -m svaml._rulesdoc > docs/rules.md`)."""
    assert _rulesdoc.render() == PAGE.read_text(encoding="utf-8")


def test_every_rule_has_an_anchored_section_and_an_index_row() -> None:
    """Each registered rule has an index row linking to a section whose anchor is the one Rule.url names."""
    text = PAGE.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    rows = set(re.findall(r"^\| \[(SV\d+)\]\(#", text, re.M))
    headings = set(re.findall(r"^### (SV\d+) ", text, re.M))
    urls = {r.url.rsplit("#", 1)[1] for r in RULES.values()}
    expected = (urls, set(CODES), set(CODES))
    assert expected == (anchors, rows, headings)


@pytest.mark.parametrize("code", TRIGGERABLE)
def test_rule_example_triggers_the_rule(code: str) -> None:
    """The example shown in the rule's section makes svaml report that rule."""
    example = _rulesdoc.example(code)
    assert example is not None, f"{code} has no example"
    assert code in {d.code for d in example.diagnostics()}


def test_internal_error_has_no_example() -> None:
    """SV000 is documented without an example, since no document can trigger it."""
    assert None is _rulesdoc.example("SV000")


def test_write_writes_the_rendered_page(tmp_path: Path) -> None:
    """write() writes exactly what render() returns."""
    path = _rulesdoc.write(tmp_path / "rules.md")
    assert _rulesdoc.render() == path.read_text(encoding="utf-8")


def _corpus_codes() -> set[str]:
    codes = set()
    for expected in CORPUS.rglob("*.expected"):
        for line in expected.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                codes.add(parts[1])
    return codes


def test_every_rule_has_a_corpus_file() -> None:
    """Every rule but SV000 is triggered by at least one file of tests/corpus/ (listed in its .expected)."""
    expected = []
    assert expected == sorted(set(TRIGGERABLE) - _corpus_codes())

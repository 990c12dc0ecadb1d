"""The rule reference docs/rules.md: current, complete, and each rule's own example really breaks it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from svaml import _rulesdoc
from svaml.cli.fix import apply_edits
from svaml.rules import RULES, validate

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "docs" / "rules.md"
CORPUS = ROOT / "tests" / "corpus"
CODES = sorted(RULES)
# SV000 is svaml's own internal error: no document can trigger it. SV010 and SV011 are about the
# linter's own comments (tests/test_directives.py has them through `svaml lint`).
WITHOUT_EXAMPLE = ["SV000", "SV010", "SV011"]
TRIGGERABLE = [code for code in CODES if code not in WITHOUT_EXAMPLE]
FIXED = [code for code in TRIGGERABLE if getattr(RULES[code].example, "fixed", None) is not None]


def test_rules_page_is_current() -> None:
    """The page is what the generator writes now (`python -m svaml._rulesdoc > docs/rules.md`)."""
    assert _rulesdoc.render() == PAGE.read_text(encoding="utf-8")


def test_every_rule_has_an_anchored_section_and_an_index_row() -> None:
    """Each registered rule has an index row linking to a section whose anchor is the one Rule.url names."""
    text = PAGE.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    rows = set(re.findall(r"^\| \[(S[V2]\d+)\]\(#", text, re.M))
    headings = set(re.findall(r"^### (S[V2]\d+) ", text, re.M))
    urls = {r.url.rsplit("#", 1)[1] for r in RULES.values()}
    expected = (urls, set(CODES), set(CODES))
    assert expected == (anchors, rows, headings)


@pytest.mark.parametrize("code", TRIGGERABLE)
def test_rule_example_triggers_the_rule(code: str) -> None:
    """The example registered with the rule (and shown in its section) makes svaml report that rule."""
    example = RULES[code].example
    assert example is not None, f"{code} has no example"
    assert code in {d.code for d in validate(example.text, callback=example.callback)}


@pytest.mark.parametrize("code", FIXED)
def test_fixed_form_is_clean(code: str) -> None:
    """The fixed form registered with a rule's example draws no diagnostic at all."""
    example = RULES[code].example
    assert example is not None
    assert example.fixed is not None
    expected: list[object] = []
    assert expected == validate(example.fixed, callback=example.callback)


@pytest.mark.parametrize("code", [c for c in FIXED if RULES[c].fixable])
def test_fix_gives_the_fixed_form(code: str) -> None:
    """Where svaml fixes the example, its fix writes exactly the fixed form registered with the rule."""
    example = RULES[code].example
    assert example is not None
    assert example.fixed is not None
    fixes = [d.fix for d in validate(example.text, callback=example.callback) if d.code == code and d.fix]
    doc = json.loads(example.text)
    for fix in fixes:
        doc = apply_edits(doc, fix.edits)
    expected = json.loads(example.fixed)
    assert expected == (doc if fixes else expected)


def test_every_fixable_rule_shows_its_fixed_form() -> None:
    """Each rule that `svaml lint --fix` can fix carries the fixed form of its example."""
    expected: list[str] = []
    assert expected == [c for c in TRIGGERABLE if RULES[c].fixable and c not in FIXED]


def test_internal_error_has_no_example() -> None:
    """SV000, SV010 and SV011 are documented without an example, since no document alone triggers them."""
    expected = WITHOUT_EXAMPLE
    assert expected == [code for code in CODES if RULES[code].example is None]


def test_rules_page_lints_as_it_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml lint` passes the page, and a page whose suppression no longer matches fails with SV010."""
    from svaml.cli import main

    page = PAGE.read_text(encoding="utf-8")
    status = 0
    assert status == main(["lint", "--isolated", str(PAGE)])
    broken = tmp_path / "rules.md"
    broken.write_text(page.replace("<!-- svaml: ignore[SV401] -->", "<!-- svaml: ignore[SV402] -->"), "utf-8")
    capsys.readouterr()
    status = 1
    assert status == main(["lint", "--isolated", "--output-format", "concise", str(broken)])
    found = sorted({line.split()[1] for line in capsys.readouterr().out.splitlines() if ": SV" in line})
    expected = ["SV010", "SV401"]
    assert expected == found


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
    expected: list[str] = []
    assert expected == sorted(set(TRIGGERABLE) - _corpus_codes())


def test_rule_command_shows_the_registered_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml rule SV401` prints the example registered with the rule, what svaml says and the fixed form."""
    from svaml.cli import main

    example = RULES["SV401"].example
    assert example is not None
    assert example.fixed is not None
    ok = 0
    assert ok == main(["rule", "SV401"])
    out = capsys.readouterr().out
    said = [f"{d.pointer}: {d.message} [SV401]" for d in validate(example.text) if d.code == "SV401"]
    expected = (True, True, True, True)
    assert expected == (
        example.text in out,
        f"Fixed:\n\n{example.fixed}\n" in out,
        all(line in out for line in said),
        bool(said),
    )


def test_rule_command_names_the_example_callback(capsys: pytest.CaptureFixture[str]) -> None:
    """An example checked for a callback says which one, as the rule page does."""
    from svaml.cli import main

    ok = 0
    assert ok == main(["rule", "SV605"])
    found = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Example")]
    expected = ["Example (as a PIE response):"]
    assert expected == found

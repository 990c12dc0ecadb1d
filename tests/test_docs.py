"""Every ```python block in README.md and docs/*.md runs as written."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    """Return (id, code) for every python block of every page, numbered by page."""
    found = []
    for page in PAGES:
        if page.exists():
            for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8")), 1):
                line = page.read_text(encoding="utf-8")[: match.start()].count("\n") + 2
                found.append((f"{page.name}:{line}#{number}", match.group(1)))
    return found


BLOCKS = blocks()


def test_docs_have_python_examples() -> None:
    """The docs hold runnable examples, so the parametrized test below cannot pass by running none."""
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_docs_example_runs(where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The block runs without raising or warning, in a fresh namespace and a scratch directory."""
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})

"""The validator's regression suite: every file under tests/corpus/ beside its expected diagnostics.

A corpus file is ``NAME.json`` (SVAML or a callout request) or ``NAME.CALLBACK.json`` (for
example ``ace-answer.ace.json``), and ``NAME[.CALLBACK].expected`` beside it lists the expected
diagnostics, one per line, as ``LINE:COLUMN CODE POINTER`` (an empty file: no diagnostics).
Regenerate one after a deliberate change with ``python tests/test_corpus.py FILE...`` and
review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from svaml.rules import validate

CORPUS = Path(__file__).parent / "corpus"
CALLBACKS = ("ice", "ace", "pie", "dice", "notify", "patch", "call-leg")


def callback_of(path: Path) -> str | None:
    """Return the callback named by a ``NAME.CALLBACK.json`` suffix, if any."""
    suffix = path.name[: -len(".json")].rsplit(".", 1)
    return suffix[1] if len(suffix) == 2 and suffix[1] in CALLBACKS else None


def render(path: Path) -> str:
    """Return the diagnostics of a corpus file in the ``.expected`` format."""
    found = validate(path.read_bytes(), callback=callback_of(path))
    return "".join(f"{d.line}:{d.column} {d.code} {d.pointer or '/'}\n" for d in found)


def expected_path(path: Path) -> Path:
    """Return the ``.expected`` file beside a corpus file."""
    return path.with_name(path.name[: -len(".json")] + ".expected")


FILES = sorted(CORPUS.rglob("*.json"))


def test_corpus_is_not_empty() -> None:
    """The corpus holds files, so the parametrized test below cannot pass by running nothing."""
    assert len(FILES) > 0


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file(path: Path) -> None:
    """The file's diagnostics are exactly those its .expected file lists."""
    expected = expected_path(path).read_text(encoding="utf-8")
    assert expected == render(path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        file = Path(name).resolve()
        expected_path(file).write_text(render(file), encoding="utf-8")
        print(f"wrote {expected_path(file)}")  # noqa: T201

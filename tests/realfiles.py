"""Writing the real files that command-line tests lint."""

from __future__ import annotations

from pathlib import Path


def write(name: str, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8) or bytes to ``name``, making its directories; return the path."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path

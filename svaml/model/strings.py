"""Helpers that write the prompt strings and menu option actions Sinch expects."""

from __future__ import annotations

__all__ = ["href", "menu", "prompts", "return_", "ssml", "tts"]


def tts(text: str) -> str:
    """Return a text-to-speech prompt, ``#tts[text]``."""
    return f"#tts[{text}]"


def ssml(markup: str) -> str:
    """Return an SSML prompt; the markup should be a ``<speak>…</speak>`` document."""
    return f"#ssml[{markup}]"


def href(url: str) -> str:
    """Return a prompt that plays the audio file at ``url``."""
    return f"#href[{url}]"


def prompts(*parts: str) -> str:
    """Join several prompts into one string, played back to back: ``prompts(tts("a"), href(u))``."""
    return ";".join(parts)


def menu(menu_id: str) -> str:
    """Return the option action that jumps to the menu ``menu_id``, ``menu(sales)``."""
    return f"menu({menu_id})"


def return_(value: str) -> str:
    """Return the option action that ends the menu and sends ``value`` in a PIE event."""
    return f"return({value})"

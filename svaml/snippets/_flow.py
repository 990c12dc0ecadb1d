"""A ``runMenu`` read as a graph: the first menu, every option's target, what is reached and what dangles.

:func:`describe <svaml.snippets.describe>` and the diagrams share it. Option actions are read by
the model's one reader (``read_option_action``), so ``menu( sales )`` means here what it means to the linter.
"""

from __future__ import annotations

from typing import NamedTuple

from svaml.model.actions import Menu, RunMenu, read_option_action

__all__ = ["Edge", "Flow", "flow", "prompt_words"]

class Edge(NamedTuple):
    """One option: from menu ``source``, key ``dtmf`` leads to a menu, returns a value, or is unreadable."""

    source: int
    dtmf: str
    kind: str  # "menu", "return" or "invalid"
    target: str
    #: For a menu target, whether a menu of that id exists.
    dangling: bool


class Flow(NamedTuple):
    """The menus of a ``runMenu`` with the first one, the options as edges, and the menus reached."""

    menus: tuple[Menu, ...]
    first: int | None
    edges: tuple[Edge, ...]
    reached: frozenset[int]


def flow(run: RunMenu) -> Flow:
    """Read ``run`` as a graph of menus."""
    index: dict[str, int] = {}
    for i, menu in enumerate(run.menus):
        index.setdefault(menu.id, i)
    first_id = run.main_menu if run.main_menu in index else ("main" if "main" in index else None)
    first = None if first_id is None else index[first_id]
    edges = []
    for i, menu in enumerate(run.menus):
        for option in menu.options:
            read = read_option_action(option.action)
            if read is None:
                edges.append(Edge(i, option.dtmf, "invalid", option.action, False))
            else:
                target = read.value.strip() if read.kind == "menu" else read.value
                edges.append(
                    Edge(i, option.dtmf, read.kind, target, read.kind == "menu" and target not in index)
                )
    reached: set[int] = set()
    todo = [] if first is None else [first]
    while todo:
        current = todo.pop()
        if current in reached:
            continue
        reached.add(current)
        todo += [
            index[e.target] for e in edges if e.source == current and e.kind == "menu" and not e.dangling
        ]
    return Flow(tuple(run.menus), first, tuple(edges), frozenset(reached))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def prompt_words(prompt: str, limit: int = 60) -> str:
    """A prompt string in plain words: ``#tts[Hi]`` is ``"Hi"``, a URL is played, several are joined."""
    parts = []
    for part in prompt.split(";"):
        part = part.strip()
        if part.startswith("#tts[") and part.endswith("]"):
            parts.append(f'"{_short(part[5:-1], limit)}"')
        elif part.startswith("#ssml[") and part.endswith("]"):
            parts.append(f"SSML {_short(part[6:-1], limit)}")
        elif part.startswith("#href[") and part.endswith("]"):
            parts.append(f"the audio at {part[6:-1]}")
        elif "://" in part:
            parts.append(f"the audio at {part}")
        elif part:
            parts.append(f"the recorded prompt {part!r}")
    return ", then ".join(parts) or "nothing"

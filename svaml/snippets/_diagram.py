"""A document as a flowchart: Mermaid text for Markdown, DOT for Graphviz, and SVG through Graphviz's ``dot``.

The instructions run one after the other into the action; a ``runMenu`` opens into its menus,
each option an arrow labelled with its key to the menu it goes to or to the value it returns.
A menu no option reaches is drawn dashed and labelled *unreachable*; an option whose menu does
not exist points at a red node labelled *missing*.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import NamedTuple

from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model.actions import MENU_TIMEOUT_MILLS, RunMenu
from svaml.snippets._describe import SENTENCES
from svaml.snippets._flow import flow, prompt_words

__all__ = ["dot", "mermaid", "svg"]


class _Node(NamedTuple):
    id: str
    label: str
    shape: str  # "step", "menu", "end", "missing"
    style: str = ""  # "", "unreachable"


class _Arrow(NamedTuple):
    source: str
    target: str
    label: str
    dashed: bool = False


def _graph(document: Svaml) -> tuple[list[_Node], list[_Arrow]]:
    nodes = [_Node("start", "call", "end")]
    arrows: list[_Arrow] = []
    previous = "start"
    parts = [*document.instructions, *([document.action] if document.action is not None else [])]
    for index, part in enumerate(parts):
        node = f"s{index}"
        nodes.append(_Node(node, SENTENCES[type(part)](part)[0], "step"))
        arrows.append(_Arrow(previous, node, ""))
        previous = node
    action = document.action
    if not isinstance(action, RunMenu):
        return nodes, arrows
    graph = flow(action)
    ids: dict[str, str] = {}
    for index, menu in enumerate(graph.menus):
        ids.setdefault(menu.id, f"m{index}")
        label = f"menu {menu.id}"
        if menu.main_prompt:
            label += f"\n{prompt_words(menu.main_prompt, 40)}"
        reached = index in graph.reached
        nodes.append(
            _Node(
                f"m{index}",
                label + ("" if reached else "\n(unreachable)"),
                "menu",
                "" if reached else "unreachable",
            )
        )
        timeout = menu.timeout_mills if menu.timeout_mills is not None else MENU_TIMEOUT_MILLS
        repeats = f", up to {menu.repeats} times" if menu.repeats is not None else ""
        arrows.append(
            _Arrow(f"m{index}", f"m{index}", f"no input {timeout / 1000:g} s / other key{repeats}", True)
        )
        if menu.max_digits is not None:
            nodes.append(_Node(f"d{index}", f"return up to {menu.max_digits} digits", "end"))
            arrows.append(_Arrow(f"m{index}", f"d{index}", "digits"))
    if graph.first is not None:
        arrows.append(_Arrow(previous, f"m{graph.first}", ""))
    for number, edge in enumerate(graph.edges):
        source = f"m{edge.source}"
        if edge.kind == "menu" and not edge.dangling:
            arrows.append(_Arrow(source, ids[edge.target], edge.dtmf))
        elif edge.kind == "menu":
            nodes.append(_Node(f"x{number}", f"menu {edge.target}\n(missing)", "missing"))
            arrows.append(_Arrow(source, f"x{number}", edge.dtmf))
        elif edge.kind == "return":
            nodes.append(_Node(f"r{number}", f"return {edge.target}", "end"))
            arrows.append(_Arrow(source, f"r{number}", edge.dtmf))
        else:
            nodes.append(_Node(f"x{number}", f"{edge.target}\n(invalid action)", "missing"))
            arrows.append(_Arrow(source, f"x{number}", edge.dtmf))
    return nodes, arrows


def _mermaid_text(label: str) -> str:
    # Inside "…" Mermaid reads entity codes; a quote, and the characters of its markup, are written so.
    escaped = label.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("\n", "<br/>")


_MERMAID_SHAPES = {
    "step": ('["', '"]'),
    "menu": ('{{"', '"}}'),
    "end": ('(["', '"])'),
    "missing": ('["', '"]'),
}


def mermaid(document: Svaml) -> str:
    """The document as a Mermaid flowchart (``flowchart TD``), for a ```mermaid block."""
    nodes, arrows = _graph(document)
    lines = ["flowchart TD"]
    for node in nodes:
        opening, closing = _MERMAID_SHAPES[node.shape]
        lines.append(f"    {node.id}{opening}{_mermaid_text(node.label)}{closing}")
    for arrow in arrows:
        link = "-.->" if arrow.dashed else "-->"
        label = f'|"{_mermaid_text(arrow.label)}"|' if arrow.label else ""
        lines.append(f"    {arrow.source} {link}{label} {arrow.target}")
    lines.append("    classDef unreachable stroke-dasharray: 5 5,color:#888")
    lines.append("    classDef missing fill:#fdd,stroke:#c00,color:#900")
    for node in nodes:
        if node.style == "unreachable" or node.shape == "missing":
            lines.append(f"    class {node.id} {'missing' if node.shape == 'missing' else 'unreachable'}")
    return "\n".join(lines) + "\n"


def _dot_text(label: str) -> str:
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_SHAPES = {
    "step": "shape=box",
    "menu": "shape=hexagon",
    "end": "shape=box, style=rounded",
    "missing": 'shape=box, color="#cc0000", fontcolor="#990000", style=filled, fillcolor="#ffdddd"',
}


def dot(document: Svaml) -> str:
    """The document as a Graphviz DOT digraph."""
    nodes, arrows = _graph(document)
    lines = ["digraph svaml {", '    node [fontname="Helvetica"];', '    edge [fontname="Helvetica"];']
    for node in nodes:
        attributes = _DOT_SHAPES[node.shape]
        if node.style == "unreachable":
            attributes += ', style=dashed, fontcolor="#888888"'
        lines.append(f"    {node.id} [{attributes}, label={_dot_text(node.label)}];")
    for arrow in arrows:
        extra = ", style=dashed" if arrow.dashed else ""
        lines.append(f"    {arrow.source} -> {arrow.target} [label={_dot_text(arrow.label)}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(document: Svaml, *, program: str = "dot") -> str:
    """The document as SVG, drawn by Graphviz's ``dot`` (raises :class:`SvamlError` when it is missing)."""
    found = shutil.which(program)
    if found is None:
        raise SvamlError(f"SVG needs Graphviz's {program!r}, which is not on PATH (apt-get install graphviz)")
    done = subprocess.run(
        [found, "-Tsvg"], input=dot(document), capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise SvamlError(f"{program} failed: {done.stderr.strip()}")
    return done.stdout

"""Lay out code as nested groups: on one line when it fits, else one item per line.

The Python and Node writers build trees of :class:`Group` and :class:`Chain` over text leaves;
:func:`layout` prints them the way black and prettier would for such simple code.
"""

from __future__ import annotations

import attrs

__all__ = ["Chain", "Group", "Node", "layout"]

#: The widest line the writers aim for (the project's own line length is 110; docs pages are narrower).
WIDTH = 88


@attrs.frozen
class Group:
    """``open`` items ``close``: a call's arguments, a list, a dict; each item is (prefix, node)."""

    open: str
    items: tuple[tuple[str, Node], ...]
    close: str
    #: What the group opens and closes with when it is printed on one line (``{ a: 1 }`` in JS).
    flat_open: str | None = None
    flat_close: str | None = None
    #: A lone argument that is a group is laid out against the brackets: ``f({`` … ``})``.
    hug: bool = False


@attrs.frozen
class Chain:
    """A head and method calls on it: ``Svaml.ice().say(…).hangup()``."""

    head: Node
    calls: tuple[Node, ...]
    #: Whether a broken chain needs parentheses around it (Python) or not (JavaScript).
    parenthesized: bool


Node = str | Group | Chain


def flat(node: Node) -> str:
    """The node on one line."""
    if isinstance(node, str):
        return node
    if isinstance(node, Group):
        inner = ", ".join(prefix + flat(item) for prefix, item in node.items)
        opening = node.open if node.flat_open is None or not node.items else node.flat_open
        closing = node.close if node.flat_close is None or not node.items else node.flat_close
        return opening + inner + closing
    return flat(node.head) + "".join("." + flat(call) for call in node.calls)


def layout(node: Node, indent: int = 0, unit: int = 4, width: int = WIDTH, column: int | None = None) -> str:
    """The node printed on a line indented by ``indent``, starting at ``column`` (default: ``indent``).

    It stays on one line when that ends within ``width``; else each item goes on a line of its own,
    one ``unit`` deeper, and the closing bracket back at ``indent``.
    """
    one = flat(node)
    start = indent if column is None else column
    if isinstance(node, str) or start + len(one) <= width:
        return one
    deeper = indent + unit
    inner = " " * deeper
    if isinstance(node, Group):
        if not node.items:
            return one
        if (
            node.hug
            and len(node.items) == 1
            and node.items[0][0] == ""
            and isinstance(node.items[0][1], Group)
        ):
            inner_node = node.items[0][1]
            return node.open + layout(inner_node, indent, unit, width, start + len(node.open)) + node.close
        lines = [
            inner + prefix + layout(item, deeper, unit, width, deeper + len(prefix)) + ","
            for prefix, item in node.items
        ]
        return node.open + "\n" + "\n".join(lines) + "\n" + " " * indent + node.close
    if node.parenthesized:
        parts = [inner + layout(node.head, deeper, unit, width)]
    else:
        parts = [layout(node.head, indent, unit, width, start)]
    parts += [inner + "." + layout(call, deeper, unit, width, deeper + 1) for call in node.calls]
    if node.parenthesized:
        return "(\n" + "\n".join(parts) + "\n" + " " * indent + ")"
    return "\n".join(parts)

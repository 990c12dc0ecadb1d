"""SVAML v2 menu rules (S27xx) and batch rules (S29xx)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from svaml.diagnostic import Severity, escape_pointer
from svaml.rules._registry import Example, Finding, Target, rule
from svaml.rules._v2._context import Context2, inside, iter_strings
from svaml.rules._v2._examples import dial, doc, menu, say
from svaml.v2.model.commands import GotoMenu, Menu, MenuItem

__all__ = ["MATCHES_LIMIT"]

_E, _W = Severity.ERROR, Severity.WARNING
_OAS = "Sinch Voice API v2 OpenAPI 2.0.58"
_V2: tuple[Target] = ("svaml2",)

#: The most entries of a menu item's ``matches``.
MATCHES_LIMIT = 50
_HANGUP = [{"command": "hangup"}]


def _names(run: Menu) -> str:
    names = [item.name for item in run.menus]
    return "the items are " + ", ".join(map(repr, names)) if names else "there are no items"


@rule(
    "S2701",
    "missing-start-menu",
    _E,
    summary="`startMenu` names no item of `menus`",
    source=f"{_OAS}: menu.startMenu 'must equal a key of menus'; "
    "Sinch's SDKs: \"menu start 'x' is not defined\"",
    targets=_V2,
    kinds=(Menu,),
    example=Example(text=doc(menu("start", main={})), fixed=doc(menu("main", main={}))),
)
def missing_start_menu(run: Menu, where: str, ctx: Context2) -> Iterator[Finding]:
    """Start the menu at one of its items: ``startMenu`` is a key of ``menus``."""
    if run.start_menu not in {item.name for item in run.menus}:
        yield Finding(
            f"{where}/startMenu", f"startMenu names {run.start_menu!r}, which is not an item; {_names(run)}"
        )


@rule(
    "S2702",
    "duplicate-menu-name",
    _E,
    summary="Two items of a menu share a name",
    source="Sinch's Python SDK Menu.create: 'Duplicated menu name'; Node SDK: duplicate item names",
    targets=_V2,
    kinds=(Menu,),
    example=Example(
        text='{"commands": [{"command": "menu", "startMenu": "main", '
        '"menus": {"main": {}, "main": {"repeatCount": 1}}}]}',
        fixed=doc(menu(main={"repeatCount": 1})),
    ),
)
def duplicate_menu_name(run: Menu, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give each item of a menu its own name.

    ``menus`` is a JSON object: in a file, a repeated key keeps only its last item (and the JSON
    policy reports SV104); in Python, two items of one name would be written as one.
    """
    seen: set[str] = set()
    for item in run.menus:
        if item.name in seen:
            yield Finding(
                f"{where}/menus/{escape_pointer(item.name)}", f"the menu item {item.name!r} is defined twice"
            )
        seen.add(item.name)


@rule(
    "S2703",
    "missing-goto-target",
    _E,
    summary="`gotoMenu` names no item of its menu",
    source=f"{_OAS}: gotoMenu.menuName 'must be a key of the enclosing menus'; Sinch's SDKs: "
    "\"gotoMenu 'x' is not defined\"",
    targets=_V2,
    kinds=(GotoMenu,),
    example=Example(
        text=doc(menu(main={"matches": {"1": [{"command": "gotoMenu", "menuName": "sales"}]}})),
        fixed=doc(menu(main={"matches": {"1": [{"command": "gotoMenu", "menuName": "sales"}]}}, sales={})),
    ),
)
def missing_goto_target(goto: GotoMenu, where: str, ctx: Context2) -> Iterator[Finding]:
    """Go to an item of the enclosing menu.

    A ``gotoMenu`` anywhere under an item's ``matches`` or ``onFail``, nested handlers included,
    belongs to that menu; a nested ``menu`` opens its own.
    """
    run = ctx.menu_of(where)
    if run is not None and goto.menu_name not in {item.name for item in run.menus}:
        yield Finding(
            f"{where}/menuName", f"gotoMenu names {goto.menu_name!r}, which is not an item; {_names(run)}"
        )


@rule(
    "S2704",
    "goto-outside-menu",
    _E,
    summary="`gotoMenu` is not inside a menu",
    source=f"{_OAS}: gotoMenu 'only inside a menu execution context'",
    targets=_V2,
    kinds=(GotoMenu,),
    example=Example(text=doc({"command": "gotoMenu", "menuName": "main"})),
)
def goto_outside_menu(goto: GotoMenu, where: str, ctx: Context2) -> Iterator[Finding]:
    """Use ``gotoMenu`` only in a menu item's ``matches`` or ``onFail``: elsewhere there is no menu."""
    if ctx.menu_of(where) is None:
        yield Finding(where, f"gotoMenu {goto.menu_name!r} is outside any menu: use menu to start one")


@rule(
    "S2705",
    "matches-limit",
    _E,
    summary="A menu item has more than 50 `matches`, or a key that is empty or over 256 characters",
    source=f"{_OAS}: menuItem.matches maxProperties 50, keys 1-256 characters",
    targets=_V2,
    kinds=(MenuItem,),
    example=Example(
        text=doc(menu(main={"matches": {str(n): _HANGUP for n in range(51)}})),
        fixed=doc(menu(main={"maximumInputLength": 2, "matches": {"[0-9]{1,2}": _HANGUP}})),
    ),
)
def matches_limit(item: MenuItem, where: str, ctx: Context2) -> Iterator[Finding]:
    """Keep ``matches`` to 50 keys of 1 to 256 characters; a regular expression can stand for many keys."""
    matches = item.matches or ()
    if len(matches) > MATCHES_LIMIT:
        yield Finding(
            f"{where}/matches", f"{len(matches)} matches, more than {MATCHES_LIMIT}: use a regular expression"
        )
    for match in matches:
        if not match.key or len(match.key) > 256:
            yield Finding(
                f"{where}/matches/{escape_pointer(match.key)}",
                f"the key has {len(match.key)} characters: write 1 to 256",
            )


def _regex_problem(key: str) -> str | None:
    try:
        re.compile(key)
    except re.error as exc:
        return str(exc)
    return None


@rule(
    "S2706",
    "invalid-match-pattern",
    _W,
    summary="A `matches` key is not a valid regular expression",
    source=f"{_OAS}: menuItem.matches keys 'a literal or a regular expression'; 'use \\\\* to match *'",
    targets=_V2,
    kinds=(MenuItem,),
    example=Example(
        text=doc(menu(main={"matches": {"*": _HANGUP}})),
        fixed=doc(menu(main={"matches": {"\\*": _HANGUP}})),
    ),
)
def invalid_match_pattern(item: MenuItem, where: str, ctx: Context2) -> Iterator[Finding]:
    r"""Write each ``matches`` key as a valid regular expression: escape ``*`` as ``\*``.

    In JSON the backslash is doubled: ``"\\*"``.

    Sinch reads a key as a literal or a regular expression, and does not say which wins (reference
    A4): a key that is not a valid expression (``*``, ``1(``) may never match.
    """
    for match in item.matches or ():
        problem = _regex_problem(match.key) if match.key else None
        if problem is not None:
            yield Finding(
                f"{where}/matches/{escape_pointer(match.key)}",
                f"{match.key!r} is not a valid regular expression ({problem}); escape * and # as \\* and \\#",
            )


@rule(
    "S2707",
    "repeat-prompt-without-prompt",
    _W,
    summary="A menu item has a `repeatPrompt` but no `prompt`",
    source="Sinch's Python SDK menu_item.py docstring (repeatPrompt only with prompt); "
    "not in OpenAPI 2.0.58 (D8)",
    targets=_V2,
    kinds=(MenuItem,),
    example=Example(
        text=doc(menu(main={"repeatPrompt": {"messages": [say("Please try again.")]}})),
        fixed=doc(
            menu(
                main={
                    "prompt": {"messages": [say("Press 1 for sales.")]},
                    "repeatPrompt": {"messages": [say("Please try again.")]},
                }
            )
        ),
    ),
)
def repeat_prompt_without_prompt(item: MenuItem, where: str, ctx: Context2) -> Iterator[Finding]:
    """Give a menu item a ``prompt`` when it has a ``repeatPrompt``: else the first attempt is silent."""
    if item.repeat_prompt is not None and item.prompt is None:
        yield Finding(f"{where}/repeatPrompt", "repeatPrompt without prompt: the first attempt plays nothing")


@rule(
    "S2708",
    "unreachable-menu-item",
    _W,
    summary="No `startMenu` or `gotoMenu` leads to a menu item",
    source=f"{_OAS}: menu runs startMenu; gotoMenu switches items",
    targets=_V2,
    kinds=(Menu,),
    example=Example(
        text=doc(menu(main={"matches": {"1": _HANGUP}}, sales={})),
        fixed=doc(menu(main={"matches": {"1": [{"command": "gotoMenu", "menuName": "sales"}]}}, sales={})),
    ),
)
def unreachable_menu_item(run: Menu, where: str, ctx: Context2) -> Iterator[Finding]:
    """Link every item: from ``startMenu``, through ``gotoMenu``, or remove it."""
    targets = {run.start_menu}
    for at, obj in ctx.objects():
        if isinstance(obj, GotoMenu) and at.startswith(where + "/") and ctx.menu_of(at) is run:
            targets.add(obj.menu_name)
    for item in run.menus:
        if item.name not in targets:
            yield Finding(
                f"{where}/menus/{escape_pointer(item.name)}",
                f"no startMenu or gotoMenu leads to {item.name!r}",
            )


# -- batches --------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"@([A-Za-z0-9_]+)")


@rule(
    "S2901",
    "unknown-placeholder",
    _W,
    summary="A batch placeholder `@name` is not a key of every parameter set",
    source=f"{_OAS}: callRequest.parameters; '@key' placeholders in any command string",
    targets=_V2,
    example=Example(
        text=doc(dial("@to"), parameters=[{"number": "+46701234567"}]),
        fixed=doc(dial("@to"), parameters=[{"to": "+46701234567"}]),
    ),
)
def unknown_placeholder(data: Any, base: str, ctx: Context2) -> Iterator[Finding]:
    """Give every parameter set a value for each placeholder the commands use.

    In a batch, ``@key`` in any command string is replaced by the set's value; a placeholder a
    set lacks is sent as written. Checked only in a batch (a document with ``parameters``), where
    ``@`` means a placeholder.
    """
    sets = ctx.parameters
    if not sets:
        return
    for where, obj in ctx.objects():
        at = inside(where, obj)
        for key, text in iter_strings(obj):
            for name in _PLACEHOLDER.findall(text):
                missing = next((i for i, values in enumerate(sets) if name not in values), None)
                if missing is not None:
                    yield Finding(f"{at}/{key}", f"@{name} has no value in parameters[{missing}]")


@rule(
    "S2902",
    "invalid-parameters",
    _E,
    summary="A batch parameter set has a key of no or over 32 characters, or a value that is not text",
    source=f"{_OAS}: requestParameter maxProperties 10000, keys 1-32 characters, string values",
    targets=_V2,
    example=Example(
        text=doc(dial("@to"), parameters=[{"to": 46701234567}]),
        fixed=doc(dial("@to"), parameters=[{"to": "+46701234567"}]),
    ),
)
def invalid_parameters(data: Any, where: str, ctx: Context2) -> Iterator[Finding]:
    """Write each parameter set as an object of text values, with keys of 1 to 32 characters."""
    for index, values in enumerate(ctx.parameters):
        at = f"{where}/parameters/{index}"
        if len(values) > 10000:
            yield Finding(at, f"{len(values)} parameters, more than 10000")
        for key, value in values.items():
            if not key or len(key) > 32:
                yield Finding(
                    f"{at}/{escape_pointer(key)}", f"the key {key!r} has {len(key)} characters: write 1 to 32"
                )
            if not isinstance(value, str):
                yield Finding(
                    f"{at}/{escape_pointer(key)}", f"the value of {key!r} is not text: write it as a string"
                )

"""Menu rules (SV7xx): the menus of a `runMenu` action and the options that link them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from svaml.diagnostic import Applicability, Edit, Fix, Severity
from svaml.model.actions import MenuOption, OptionAction, RunMenu, read_option_action
from svaml.rules._context import Context
from svaml.rules._registry import Example, Finding, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_RUN_MENU = "OAS runMenu / menu / option"


def _run(*menus: dict[str, Any], locale: str | None = "en-US", **fields: Any) -> dict[str, Any]:
    """An example document: a runMenu of ``menus``."""
    action = {"name": "runMenu", **({} if locale is None else {"locale": locale}), **fields}
    return {"action": {**action, "menus": list(menus)}}


def _main(*options: dict[str, Any], name: str = "main") -> dict[str, Any]:
    return {"id": name, "options": list(options) or [_RETURN]}


def _choice(action: str, dtmf: str = "1") -> dict[str, Any]:
    return {"dtmf": dtmf, "action": action}


_RETURN = {"dtmf": "1", "action": "return(sales)"}
_TO_SALES = {"dtmf": "1", "action": "menu(sales)"}


_KEYWORD = re.compile(r"menu|return", re.IGNORECASE)


class _Menus(NamedTuple):
    """A ``runMenu`` read once per document for all the menu rules."""

    ids: frozenset[str]
    #: (menu index, option index, option, its action read) for every option of every menu.
    options: list[tuple[int, int, MenuOption, OptionAction | None]]


def _menus(run: RunMenu, ctx: Context) -> _Menus:
    """Read the menus once per document for all the menu rules."""
    found: _Menus | None = ctx.memo.get(("menus", id(run)))
    if found is None:
        options = [
            (m, o, option, read_option_action(option.action))
            for m, menu in enumerate(run.menus)
            for o, option in enumerate(menu.options)
        ]
        found = ctx.memo[("menus", id(run))] = _Menus(frozenset(menu.id for menu in run.menus), options)
    return found


def _known(ids: frozenset[str]) -> str:
    if not ids:
        return "there are no menus"
    return "the menus are " + ", ".join(repr(i) for i in sorted(ids))


@rule(
    "SV701",
    "missing-main-menu",
    _E,
    summary="`runMenu` has no `main` menu, or `mainMenu` names no menu",
    source=f'{_RUN_MENU}: "one menu must have id main", "If no menu has id main, an error is returned"; '
    "mainMenu selects the first menu",
    kinds=(RunMenu,),
    example=Example(text=_run(_main(name="start")), fixed=_run(_main())),
)
def missing_main_menu(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Start ``runMenu`` with a menu that exists: ``main``, or the one ``mainMenu`` names.

    ``runMenu`` starts with its first menu: the one ``mainMenu`` names, or else the menu whose id is
    ``main`` ("If no menu has id main, an error is returned", Sinch's OpenAPI). A ``runMenu`` with
    neither, or whose ``mainMenu`` names a menu that does not exist, fails. Give the first menu the
    id ``main``, or set ``mainMenu`` to the id of an existing menu.
    """
    menus = _menus(run, ctx)
    ids = menus.ids
    if run.main_menu is not None:
        if run.main_menu not in ids:
            yield Finding(
                f"{where}/mainMenu",
                f"mainMenu names the menu {run.main_menu!r}, which does not exist; {_known(ids)}",
            )
    elif not run.menus:
        yield Finding(where, "runMenu has no menus: add a menu with the id 'main'")
    elif "main" not in ids:
        yield Finding(
            f"{where}/menus",
            f"no menu has the id 'main' ({_known(ids)}): rename the first menu 'main', "
            "or set mainMenu to the menu to play first",
        )


@rule(
    "SV702",
    "duplicate-menu-id",
    _E,
    summary="Two menus share an id",
    source=_RUN_MENU,
    kinds=(RunMenu,),
    example=Example(
        text=_run(_main(_TO_SALES), _main()),
        fixed=_run(_main(_TO_SALES), _main(name="sales")),
    ),
)
def duplicate_menu_id(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Give each menu its own id.

    Options reach menus by id (``menu(sales)``), so each menu's id must be unique; with two
    menus of one id, Sinch cannot tell which to play. Rename or merge one of them.
    """
    menus = _menus(run, ctx)
    if len(menus.ids) == len(run.menus):
        return
    first: dict[str, int] = {}
    for index, menu in enumerate(run.menus):
        if menu.id in first:
            yield Finding(
                f"{where}/menus/{index}/id",
                f"menu {index} has the id {menu.id!r}, like menu {first[menu.id]}: menu ids must be unique",
            )
        else:
            first[menu.id] = index


@rule(
    "SV703",
    "missing-menu-target",
    _E,
    summary="An option jumps to a menu that does not exist",
    source=f"{_RUN_MENU}: option action menu(<menuId>)",
    kinds=(RunMenu,),
    example=Example(text=_run(_main(_TO_SALES)), fixed=_run(_main(_choice("return(sales)")))),
)
def missing_menu_target(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Point every ``menu(x)`` option at a menu that exists.

    An option ``menu(x)`` plays the menu whose id is ``x``; when no menu has that id, the caller
    who presses the key reaches nothing and the menu fails. Fix the id, or add the menu.
    """
    menus = _menus(run, ctx)
    for m, o, option, read in menus.options:
        if read is not None and read.kind == "menu" and read.value not in menus.ids:
            yield Finding(
                f"{where}/menus/{m}/options/{o}/action",
                f"option {option.dtmf!r} jumps to the menu {read.value!r}, which does not exist; "
                f"{_known(menus.ids)}",
            )


@rule(
    "SV704",
    "invalid-option-action",
    _E,
    summary="An option's action is not `menu(<id>)` or `return(<value>)`",
    source=f"{_RUN_MENU}: option action grammar menu(<menuId>) | return(<value>); "
    "Java SDK MenuOptionActionFactory",
    kinds=(RunMenu,),
    example=Example(text=_run(_main(_choice("goto(sales)"))), fixed=_run(_main())),
)
def invalid_option_action(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Write option actions as ``menu(<id>)`` or ``return(<value>)``.

    A menu option does one of two things: ``menu(<id>)`` plays another menu, ``return(<value>)``
    ends the menu and sends ``value`` to your application in a PIE event (values may hold spaces
    and dashes: ``return(non-sip)``). Anything else is not understood by Sinch. The keywords are
    lower case.
    """
    menus = _menus(run, ctx)
    for m, o, option, read in menus.options:
        if read is None:
            lower = read_option_action(_KEYWORD.sub(lambda k: k[0].lower(), option.action, count=1))
            hint = (
                f"write the keyword in lower case: '{lower.kind}({lower.value})'"
                if lower is not None
                else "write, for example, 'menu(sales)' or 'return(sales)'"
            )
            yield Finding(
                f"{where}/menus/{m}/options/{o}/action",
                f"option action {option.action!r} is neither menu(<id>) nor return(<value>): {hint}",
            )


@rule(
    "SV705",
    "duplicate-dtmf-key",
    _E,
    summary="A DTMF key is used by two options of one menu",
    source=f"{_RUN_MENU}: option dtmf",
    kinds=(RunMenu,),
    example=Example(
        text=_run(_main(_RETURN, _choice("return(support)"))),
        fixed=_run(_main(_RETURN, _choice("return(support)", "2"))),
    ),
)
def duplicate_dtmf_key(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Use each DTMF key once per menu.

    Each key of a menu leads to one action; two options with the same key (``1`` and ``"1"``
    are the same key) leave one of them unreachable. Give each option its own key.
    """
    for m, menu in enumerate(run.menus):
        first: dict[str, int] = {}
        for o, option in enumerate(menu.options):
            if option.dtmf in first:
                yield Finding(
                    f"{where}/menus/{m}/options/{o}/dtmf",
                    f"key {option.dtmf!r} is already used by option {first[option.dtmf]} of menu "
                    f"{menu.id!r}: give each option its own key",
                )
            else:
                first[option.dtmf] = o


@rule(
    "SV706",
    "option-action-spacing",
    _W,
    summary="An option's action has spaces around `menu`/`return`",
    source=f"{_RUN_MENU}: the OAS text once writes `return (value)`; grammar and Java SDK `return(x)`",
    fix=Applicability.SAFE,
    kinds=(RunMenu,),
    example=Example(text=_run(_main(_choice("return (sales)"))), fixed=_run(_main())),
)
def option_action_spacing(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Write option actions without spaces around the keyword.

    Sinch's OpenAPI text once writes ``return (value)`` with a space, but its grammar and the
    Java SDK write ``return(value)``. svaml reads both; the fix writes the canonical form without
    spaces around the keyword (spaces inside the parentheses belong to the value and stay).
    """
    menus = _menus(run, ctx)
    for m, o, option, read in menus.options:
        if read is not None and read.spaced:
            canonical = f"{read.kind}({read.value})"
            at = f"{where}/menus/{m}/options/{o}/action"
            edit = Edit(op="replace", path=at, value=canonical)
            yield Finding(
                at,
                f"option action {option.action!r} has extra spaces: write {canonical!r}",
                Fix(description=f"write {canonical!r}", edits=(edit,), applicability=Applicability.SAFE),
            )


@rule(
    "SV707",
    "voice-needs-locale",
    _E,
    summary="`enableVoice` is true but `runMenu` has no `locale`",
    source=f"{_RUN_MENU}: locale is required when enableVoice is true",
    kinds=(RunMenu,),
    example=Example(
        text=_run(_main(), locale=None, enableVoice=True),
        fixed=_run(_main(), enableVoice=True),
    ),
)
def voice_needs_locale(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Give ``runMenu`` a ``locale`` when ``enableVoice`` is true.

    With ``enableVoice`` Sinch listens to what the caller says, which needs to know the language:
    ``locale`` is required when ``enableVoice`` is true. Add the ``locale`` (for example ``en-US``).
    """
    if run.enable_voice and not run.locale:
        yield Finding(
            f"{where}/enableVoice",
            "enableVoice is true but runMenu has no locale: add one, for example \"locale\": \"en-US\"",
        )


@rule(
    "SV708",
    "unreachable-menu",
    _W,
    summary="A menu that no option leads to from the first menu",
    source=f"{_RUN_MENU}: menus are reached from the first menu through options menu(<id>)",
    kinds=(RunMenu,),
    example=Example(
        text=_run(_main(), _main(name="sales")),
        fixed=_run(_main(_TO_SALES), _main(name="sales")),
    ),
)
def unreachable_menu(run: RunMenu, where: str, ctx: Context) -> Iterator[Finding]:
    """Make every menu reachable from the first menu.

    Menus are played starting from the first one (``mainMenu``, or ``main``), then through options
    ``menu(<id>)``. A menu that no chain of options reaches is never played: link it from an
    option, or remove it. (Not reported while SV701 finds no first menu.)
    """
    if len(run.menus) < 2:
        return
    menus = _menus(run, ctx)
    # Where sources disagree which menu plays first (mainMenu or main), both count as reached.
    todo = [i for i in (run.main_menu, "main") if i is not None and i in menus.ids]
    if not todo:
        return
    targets: dict[str, list[str]] = {}
    for m, _, _, read in menus.options:
        if read is not None and read.kind == "menu":
            targets.setdefault(run.menus[m].id, []).append(read.value)
    reached = set(todo)
    while todo:
        for target in targets.get(todo.pop(), ()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    for index, menu in enumerate(run.menus):
        if menu.id not in reached:
            yield Finding(
                f"{where}/menus/{index}/id",
                f"menu {menu.id!r} is never played: no option leads to it from the first menu; "
                f"add an option 'menu({menu.id})' or remove the menu",
            )

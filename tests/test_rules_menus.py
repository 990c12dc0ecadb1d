"""Tests of the menu rules: first menu, ids, option targets and actions, keys, voice, reachability (SV7xx)."""

from __future__ import annotations

from typing import Any

import pytest

from svaml import Menu, MenuOption, Svaml, SvamlError, menu, return_, validate
from svaml.cli.fix import apply_edits


def found(doc: Any, callback: str | None = None) -> list[tuple[str, str]]:
    """Return the (code, pointer) of every diagnostic of ``doc``."""
    return [(d.code, d.pointer) for d in validate(doc, callback=callback)]


def option(dtmf: Any, action: str) -> dict[str, Any]:
    """Return a menu option as JSON."""
    return {"dtmf": dtmf, "action": action}


def run_menu(*menus: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Return a runMenu document with ``menus`` and ``fields``."""
    return {"action": {"name": "runMenu", "locale": "en-US", **fields, "menus": list(menus)}}


def at(m: int, o: int | None = None, field: str = "action") -> str:
    """Return the pointer of menu ``m`` (its id) or of a field of its option ``o``."""
    return f"/action/menus/{m}/id" if o is None else f"/action/menus/{m}/options/{o}/{field}"


MAIN = {"id": "main", "options": [option("1", "menu(sales)"), option("2", "return(support)")]}
SALES = {"id": "sales", "options": [option("1", "return(sales)"), option("#", "menu(main)")]}

FIRES = [
    ("no-main", run_menu({"id": "start"}), [("SV701", "/action/menus")]),
    ("no-menus", run_menu(), [("SV701", "/action")]),
    ("main-menu-missing", run_menu(MAIN, SALES, mainMenu="billing"), [("SV701", "/action/mainMenu")]),
    ("main-menu-case", run_menu({"id": "Main"}, mainMenu="main"), [("SV701", "/action/mainMenu")]),
    ("duplicate-id", run_menu(MAIN, SALES, {"id": "sales"}), [("SV702", at(2))]),
    (
        "missing-target",
        run_menu({"id": "main", "options": [option("1", "menu(billing)")]}),
        [("SV703", at(0, 0))],
    ),
    ("empty-target", run_menu({"id": "main", "options": [option("1", "menu()")]}), [("SV703", at(0, 0))]),
    ("goto", run_menu({"id": "main", "options": [option("1", "goto(sales)")]}), [("SV704", at(0, 0))]),
    ("upper-case", run_menu({"id": "main", "options": [option("1", "Return(x)")]}), [("SV704", at(0, 0))]),
    ("no-parentheses", run_menu({"id": "main", "options": [option("1", "return")]}), [("SV704", at(0, 0))]),
    ("empty-action", run_menu({"id": "main", "options": [option("1", "")]}), [("SV704", at(0, 0))]),
    (
        "duplicate-key",
        run_menu(
            {
                "id": "main",
                "options": [option("1", "return(a)"), option("2", "return(b)"), option("1", "return(c)")],
            }
        ),
        [("SV705", at(0, 2, "dtmf"))],
    ),
    (
        "duplicate-key-int-and-string",
        run_menu({"id": "main", "options": [option(1, "return(a)"), option("1", "return(b)")]}),
        [("SV022", at(0, 0, "dtmf")), ("SV705", at(0, 1, "dtmf"))],
    ),
    (
        "long-spaced-return",
        run_menu({"id": "main", "options": [option("1", f"return ({'v' * 200})")]}),
        [("SV706", at(0, 0))],
    ),
    (
        "spaced-return",
        run_menu({"id": "main", "options": [option("1", "return (x)")]}),
        [("SV706", at(0, 0))],
    ),
    (
        "spaced-menu",
        run_menu(MAIN, {"id": "sales", "options": [option("1", " menu (main) ")]}),
        [("SV706", at(1, 0))],
    ),
    (
        "voice-without-locale",
        {"action": {"name": "runMenu", "enableVoice": True, "menus": [MAIN, SALES]}},
        [("SV707", "/action/enableVoice")],
    ),
    (
        "voice-empty-locale",
        run_menu(MAIN, SALES, enableVoice=True, locale=""),
        [("SV707", "/action/enableVoice"), ("SV805", "/action/locale")],
    ),
    ("unreachable", run_menu(MAIN, SALES, {"id": "billing"}), [("SV708", at(2))]),
    (
        "unreachable-chain",
        run_menu({"id": "main"}, {"id": "a", "options": [option("1", "menu(b)")]}, {"id": "b"}),
        [("SV708", at(1)), ("SV708", at(2))],
    ),
    (
        "unreachable-from-main-menu",
        run_menu({"id": "start"}, {"id": "other"}, mainMenu="start"),
        [("SV708", at(1))],
    ),
]


@pytest.mark.parametrize(("doc", "expected"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_rule_fires(doc: Any, expected: list[tuple[str, str]]) -> None:
    """Each menu mistake gets exactly its diagnostic, where it is."""
    assert expected == found(doc)


QUIET = [
    ("main-and-sales", run_menu(MAIN, SALES)),
    (
        "main-menu-names-the-first",
        run_menu({"id": "start", "options": [option("1", "menu(next)")]}, {"id": "next"}, mainMenu="start"),
    ),
    ("main-menu-and-main", run_menu({"id": "main"}, {"id": "start"}, mainMenu="start")),
    (
        "return-values",
        run_menu(
            {
                "id": "main",
                "options": [
                    option("1", "return(my value)"),
                    option("2", "return(non-sip)"),
                    option("3", "return()"),
                    option("4", "return(a(b))"),
                ],
            }
        ),
    ),
    (
        "keys",
        run_menu(
            {
                "id": "main",
                "options": [option("#", "return(a)"), option("#w", "return(b)"), option("12", "return(c)")],
            }
        ),
    ),
    ("same-key-other-menu", run_menu(MAIN, SALES)),
    ("voice-with-locale", run_menu(MAIN, SALES, enableVoice=True)),
    (
        "voice-off-without-locale",
        {"action": {"name": "runMenu", "enableVoice": False, "menus": [MAIN, SALES]}},
    ),
    ("long-return-value", run_menu({"id": "main", "options": [option("1", f"return({'v' * 200})")]})),
    (
        "cycle",
        run_menu(
            {"id": "main", "options": [option("1", "menu(a)")]},
            {"id": "a", "options": [option("1", "menu(main)")]},
        ),
    ),
    (
        "builder",
        Svaml.ice().run_menu(
            Menu(
                id="main",
                main_prompt="#tts[Press 1 for sales]",
                options=(
                    MenuOption(dtmf="1", action=menu("sales")),
                    MenuOption(dtmf=2, action=return_("support")),
                ),
            ),
            Menu(id="sales", options=(MenuOption(dtmf="1", action=return_("sales")),)),
            locale="en-US",
            enable_voice=True,
        ),
    ),
    ("builder-pie", Svaml.pie().run_menu(Menu(id="main"), main_menu="main")),
]


@pytest.mark.parametrize("doc", [q[1] for q in QUIET], ids=[q[0] for q in QUIET])
def test_rule_quiet(doc: Any) -> None:
    """Correct menus give no diagnostic."""
    expected: list[tuple[str, str]] = []
    assert expected == found(doc)


@pytest.mark.parametrize(
    ("action", "canonical"),
    [("return (x)", "return(x)"), (" menu(main)", "menu(main)"), ("return\t( a b )", "return( a b )")],
)
def test_spacing_fix_writes_the_canonical_action(action: str, canonical: str) -> None:
    """The SV706 fix removes the spaces around the keyword and keeps the value as it is."""
    doc = run_menu({"id": "main", "options": [option("1", action)]})
    (diagnostic,) = validate(doc)
    assert diagnostic.fix is not None
    fixed = apply_edits(doc, diagnostic.fix.edits)
    expected: tuple[Any, list[Any]] = (run_menu({"id": "main", "options": [option("1", canonical)]}), [])
    assert expected == (fixed, validate(fixed))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            run_menu({"id": "start"}),
            "no menu has the id 'main' (the menus are 'start'): rename the first menu 'main', "
            "or set mainMenu to the menu to play first",
        ),
        (run_menu(mainMenu="x"), "mainMenu names the menu 'x', which does not exist; there are no menus"),
        (
            run_menu(
                {
                    "id": "main",
                    "options": [
                        option("1", "menu(sale)"),
                        option("2", "menu(sales)"),
                        option("3", "menu(x)"),
                    ],
                },
                {"id": "sales"},
                {"id": "x"},
            ),
            "option '1' jumps to the menu 'sale', which does not exist; the menus are 'main', 'sales', 'x'",
        ),
        (
            run_menu({"id": "main", "options": [option("1", "MENU(main)")]}),
            "option action 'MENU(main)' is neither menu(<id>) nor return(<value>): "
            "write the keyword in lower case: 'menu(main)'",
        ),
        (
            run_menu({"id": "main", "options": [option("1", "jump")]}),
            "option action 'jump' is neither menu(<id>) nor return(<value>): "
            "write, for example, 'menu(sales)' or 'return(sales)'",
        ),
        (
            run_menu({"id": "main"}, {"id": "lost"}),
            "menu 'lost' is never played: no option leads to it from the first menu; "
            "add an option 'menu(lost)' or remove the menu",
        ),
    ],
)
def test_messages_say_how_to_fix(doc: Any, message: str) -> None:
    """Messages name the menu, option or id and say what to do."""
    expected = [message]
    assert expected == [d.message for d in validate(doc)]


def test_builder_refuses_a_menu_that_does_not_exist() -> None:
    """The builder's guard raises on menu errors when the JSON is written."""
    with pytest.raises(SvamlError, match=r"\[SV703\]"):
        Svaml.ice().run_menu(Menu(id="main", options=(MenuOption(dtmf="1", action=menu("nope")),))).to_json()
    with pytest.raises(SvamlError, match=r"\[SV701\]"):
        Svaml.ice().run_menu(Menu(id="start")).to_json()

"""What diagnostics say: did-you-mean for unknown fields, SVAML's names, JSON's words, where they point."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from svaml import codec
from svaml.cli import main
from svaml.diagnostic import Applicability, Edit
from svaml.model._fields import SvamlObject
from svaml.model.actions import ACTION_CLASSES
from svaml.model.callouts import CALLOUT_CLASSES, CalloutRequest
from svaml.model.document import Document
from svaml.model.instructions import INSTRUCTION_CLASSES
from svaml.rules import RULES, validate

Wrap = Callable[[dict[str, Any]], dict[str, Any]]


def _placements() -> Iterator[tuple[type[SvamlObject], Wrap]]:
    """Every model class a document or callout holds, with how to put an object of it into one."""
    todo: list[tuple[type[SvamlObject], Wrap]] = [(Document, lambda obj: obj)]
    for name, cls in ACTION_CLASSES.items():
        todo.append((cls, lambda obj, name=name: {"action": {"name": name, **obj}}))
    for name, cls in INSTRUCTION_CLASSES.items():
        todo.append((cls, lambda obj, name=name: {"instructions": [{"name": name, **obj}]}))
    todo.append((CalloutRequest, lambda obj: {"method": "ttsCallout", **obj}))
    for method, cls in CALLOUT_CLASSES.items():
        todo.append((cls, lambda obj, method=method: {"method": method, method: obj}))
    seen: set[type] = set()
    while todo:
        cls, wrap = todo.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        yield cls, wrap
        for info in codec.field_info(cls):
            if info.kind == "object" and isinstance(info.target, type):
                todo.append((info.target, lambda obj, w=wrap, k=info.json: w({k: obj})))
            elif info.kind == "objects" and isinstance(info.target, type):
                todo.append((info.target, lambda obj, w=wrap, k=info.json: w({k: [obj]})))


def _typos(name: str) -> set[str]:
    """Every one-edit slip of ``name`` (a letter missing, added, changed, two swapped) and case-only ones."""
    letters = string.ascii_letters
    found = {name.lower(), name.upper(), name[:1].upper() + name[1:]}
    for i in range(len(name) + 1):
        found.update(name[:i] + c + name[i:] for c in letters)
    for i in range(len(name)):
        found.add(name[:i] + name[i + 1 :])
        found.update(name[:i] + c + name[i + 1 :] for c in letters)
        if i + 1 < len(name):
            found.add(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
    return found


_MEANT = re.compile(r"did you mean (.+)\? ")
# The field names one edit from each other: a slip between them names them all, and fixes nothing.
_CLOSE_FAMILIES = ({"ice", "ace", "pie", "dice"}, {"enableAce", "enableDice", "enablePie"})


def test_did_you_mean_finds_every_one_edit_or_case_only_typo_of_every_field() -> None:
    """For every field of every model class, each one-edit or case-only slip is named back to the field."""
    checked = 0
    wrong: list[tuple[str, str, str, object]] = []
    ambiguous: set[frozenset[str]] = set()
    for cls, wrap in _placements():
        infos = codec.field_info(cls)
        known = {key for i in infos for key in (i.json, *i.aliases)} | {"name", "$schema"}
        for info in infos:
            if cls is CalloutRequest and info.json == "method":
                continue  # without `method` the body is no callout request
            typos = sorted(t for t in _typos(info.json) if t and t not in known)
            found = {
                d.pointer.rsplit("/", 1)[1]: d
                for d in validate(wrap(dict.fromkeys(typos, 0)))
                # A slip of a required field is one SV003 on the misspelt key, carrying the rename.
                if d.code == "SV007" or (d.code == "SV003" and d.fix is not None)
            }
            for typo in typos:
                checked += 1
                d = found.get(typo)
                meant = _MEANT.search(d.message) if d is not None else None
                names = [n.strip("'") for n in meant[1].split(" or ")] if meant else []
                if d is not None and d.code == "SV003":
                    names = [d.message.split("'")[1]]  # missing required field 'text': 'txt' looks like it
                other = [i.json for i in infos if i.json.casefold() == typo.casefold()]
                if other and other != [info.json]:
                    ok = names == other  # a case-only slip of another field: that field wins
                elif len(names) == 1:
                    parent = d.pointer.rsplit("/", 1)[0] if d is not None else ""
                    move = Edit(op="move", path=f"{parent}/{info.json}", from_=f"{parent}/{typo}")
                    fix = d.fix if d is not None else None
                    ok = (names, (move,), Applicability.SAFE) == (
                        [info.json],
                        fix.edits if fix else (),
                        fix.applicability if fix else None,
                    )
                else:
                    ok = info.json in names and d is not None and d.fix is None
                    ambiguous.add(frozenset(names))
                if not ok:
                    wrong.append((cls.__name__, info.json, typo, d and d.message))
    expected: tuple[list[object], list[frozenset[str]]] = ([], [])
    assert expected == (wrong, [g for g in ambiguous if not any(g <= f for f in _CLOSE_FAMILIES)])
    assert checked > 50_000


def test_unknown_field_is_placed_on_the_key_with_the_svaml_name() -> None:
    """SV007 points at the key, names the action as SVAML does, and suggests the field."""
    text = '{"action": {"name": "connectPstn", "number": "+46701234567", "dialtimeout": 30}}'
    [d] = [d for d in validate(text) if d.code == "SV007"]
    expected = (
        1,
        text.index('"dialtimeout"') + 1,
        text.index('"dialtimeout"') + 1 + len('"dialtimeout"'),
        "unknown field 'dialtimeout' in connectPstn; did you mean 'dialTimeout'? Sinch ignores it",
    )
    assert expected == (d.line, d.column, d.end_column, d.message)


def test_nested_unknown_fields_name_the_path_of_svaml_fields() -> None:
    """A slip in a nested object is named by SVAML's field names, even when the action does not read."""
    doc = {"action": {"name": "connectPstn", "number": 46701234567, "amd": {"enabeld": True}}}
    messages = [d.message for d in validate(doc) if d.code == "SV007"]
    expected = ["unknown field 'enabeld' in connectPstn.amd; did you mean 'enabled'? Sinch ignores it"]
    assert expected == messages


def test_a_field_the_object_has_is_not_suggested() -> None:
    """`actoin` beside a real `action` is unknown, with no suggestion (the action is there)."""
    doc = {"action": {"name": "hangup"}, "actoin": {"name": "continue"}}
    messages = [(d.message, d.fix) for d in validate(doc) if d.code == "SV007"]
    expected = [("unknown field 'actoin' in the SVAML document; Sinch ignores it", None)]
    assert expected == messages


def test_no_message_names_a_python_class() -> None:
    """No diagnostic of any rule's example names a model class by its Python name (ConnectPstn, Say)."""
    roots = (*ACTION_CLASSES.values(), *INSTRUCTION_CLASSES.values(), CalloutRequest)
    classes = {c.__name__ for c in codec.classes_below(*roots)}
    pattern = re.compile(r"(?<!')\b(" + "|".join(sorted(classes)) + r")\b(?!')")  # not a quoted value
    found = []
    for rule in RULES.values():
        if rule.example is not None:
            for d in validate(rule.example.text, callback=rule.example.callback):
                if pattern.search(d.message):
                    found.append((rule.code, d.message))
    expected: list[tuple[str, str]] = []
    assert expected == found


def test_string_boolean_message_uses_json_words() -> None:
    """SV025 says `write true` (JSON), never Python's `True`."""
    doc = {"action": {"name": "connectPstn", "number": "+46701234567", "amd": {"enabled": "false"}}}
    [d] = [d for d in validate(doc, callback="ice") if d.code == "SV025"]
    expected = ("boolean 'false' is not the canonical form; write false", "write false")
    assert expected == (d.message, d.fix.description if d.fix else None)


def test_international_prefix_00_is_a_safe_fix() -> None:
    """`0046701234567` is an international number with the 00 prefix: writing `+46…` is safe."""
    doc = {"action": {"name": "connectPstn", "number": "0046701234567"}}
    [d] = [d for d in validate(doc) if d.code == "SV401"]
    expected = (
        "number '0046701234567' starts with the international prefix 00: write '+46701234567' "
        "(E.164 writes '+' for it)",
        (Edit(op="replace", path="/action/number", value="+46701234567"),),
        Applicability.SAFE,
    )
    assert expected == (d.message, d.fix.edits if d.fix else (), d.fix.applicability if d.fix else None)


_PLACEHOLDER = "a '...' placeholder is not JSON: write what it stands for, or remove it"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"action": {"name": "hangup"}, ...}', _PLACEHOLDER),
        ('{"instructions": [...], "action": {"name": "hangup"}}', _PLACEHOLDER),
        ('{"action": {"name": "hangup"},}', "trailing comma: remove the ',' before this"),
        ('{"instructions": [1,,2]}', "expected a JSON value"),
    ],
)
def test_placeholder_is_not_called_a_trailing_comma(text: str, message: str) -> None:
    """SV001 tells a `...` placeholder from a trailing comma."""
    expected = [("SV001", f"invalid JSON: {message}")]
    assert expected == [(d.code, d.message) for d in validate(text)]


def test_rule_command_prints_no_rest_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml rule CODE` prints every rule's doc for a terminal: no double backticks, no emphasis stars."""
    marked = []
    for code in RULES:
        main(["rule", code])
        out = capsys.readouterr().out
        if "``" in out or re.search(r"(?<![\w*])\*\w", out.split("\nExample")[0]):
            marked.append(code)
    expected: list[str] = []
    assert expected == marked


def test_lint_fix_renames_slips_and_rewrites_00_on_a_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`svaml lint` places SV007 on the key, and `--fix` renames the slips and writes `+` for `00`."""
    monkeypatch.chdir(tmp_path)
    Path("a.ice.json").write_text(
        '{\n  "instructions": [{"name": "say", "txt": "Hello", "locale": "en-US"}],\n'
        '  "action": {"name": "connectPstn", "number": "0046701234567", "dialtimeout": 30}\n}\n',
        encoding="utf-8",
    )
    main(["lint", "--output-format", "json", "a.ice.json"])
    items = json.loads(capsys.readouterr().out)
    located = [(i["code"], i["location"]["row"], i["location"]["column"]) for i in items]
    expected_located = [("SV003", 2, 36), ("SV401", 3, 47), ("SV007", 3, 64)]
    assert expected_located == located
    main(["lint", "--fix", "a.ice.json"])
    capsys.readouterr()
    expected = {
        "instructions": [{"name": "say", "text": "Hello", "locale": "en-US"}],
        "action": {"name": "connectPstn", "number": "+46701234567", "dialTimeout": 30},
    }
    assert expected == json.loads(Path("a.ice.json").read_text(encoding="utf-8"))

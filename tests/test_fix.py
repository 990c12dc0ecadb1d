"""Tests for svaml.cli.fix: applying JSON Patch fixes, keeping the file's layout, writing safely."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml.cli.fix import (
    FixError,
    FixOutcome,
    Style,
    apply_edits,
    detect_style,
    dump,
    fix_markdown,
    fix_text,
    write_atomic,
)
from svaml.diagnostic import Diagnostic, Edit


def _all(diagnostic: Diagnostic) -> bool:
    return True


def test_apply_edits_replace_add_remove_and_move() -> None:
    """The four operations work on objects and arrays, and the input is left untouched."""
    doc = {"a": {"b": 1, "c": [1, 2, 3]}, "d": "x"}
    before = json.dumps(doc)
    result = apply_edits(
        doc,
        [
            Edit(op="replace", path="/a/b", value=2),
            Edit(op="add", path="/a/c/1", value=9),
            Edit(op="add", path="/a/c/-", value=4),
            Edit(op="remove", path="/a/c/0"),
            Edit(op="move", path="/e", from_="/d"),
            Edit(op="add", path="/a~1b", value=True),
        ],
    )
    expected = {"a": {"b": 2, "c": [9, 2, 3, 4]}, "e": "x", "a/b": True}
    assert expected == result
    assert before == json.dumps(doc)


def test_apply_edits_rename_keeps_the_key_position() -> None:
    """A move within an object, or a remove then add, puts the new key where the old one was."""
    doc = {"name": "connectMxp", "callheaders": [], "destination": {}}
    expected = ["name", "callHeaders", "destination"]
    moved = apply_edits(doc, [Edit(op="move", path="/callHeaders", from_="/callheaders")])
    assert expected == list(moved)
    pair = apply_edits(
        doc, [Edit(op="remove", path="/callheaders"), Edit(op="add", path="/callHeaders", value=[])]
    )
    assert expected == list(pair)


def test_apply_edits_can_replace_the_whole_document() -> None:
    """An edit at the empty pointer replaces the document."""
    expected = [1]
    assert expected == apply_edits({"a": 1}, [Edit(op="replace", path="", value=[1])])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Edit(op="replace", path="/x", value=1), "no member 'x' to replace"),
        (Edit(op="remove", path="/a/x"), "no member 'x' to remove"),
        (Edit(op="remove", path="/l/5"), "index 5 is past the end"),
        (Edit(op="add", path="/l/01", value=1), "'01' is not an array index"),
        (Edit(op="add", path="/a/b/c", value=1), "no member 'b'"),
        (Edit(op="add", path="/s/x", value=1), "not an object or an array"),
        (Edit(op="remove", path=""), "cannot remove the whole document"),
        (Edit(op="move", path="/y", from_="/nope"), "nothing to move at /nope"),
        (Edit(op="move", path="/y"), "has no 'from'"),
        (Edit(op="add", path="a", value=1), "'a' is not a JSON pointer"),
    ],
)
def test_apply_edits_refuses_edits_that_do_not_apply(edit: Edit, message: str) -> None:
    """An edit at a missing path or a bad index raises FixError saying what is wrong."""
    with pytest.raises(FixError, match=message):
        apply_edits({"a": {}, "l": [1], "s": "x"}, [edit])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "a": [\n    1\n  ]\n}\n', Style(2, (",", ": "), False, "\n", True)),
        ('{\n    "a": 1\n}', Style(4, (",", ": "), False, "\n", False)),
        ('{\n\t"a": 1\n}\n', Style("\t", (",", ": "), False, "\n", True)),
        ('{"a":1,"b":[1,2]}', Style(None, (",", ":"), False, "\n", False)),
        ('{"a": 1, "b": [1, 2]}\n', Style(None, (", ", ": "), False, "\n", True)),
        ('{\r\n  "a": "\\u00e9"\r\n}\r\n', Style(2, (",", ": "), True, "\r\n", True)),
        ('{\n"a": "é"\n}\n', Style(0, (",", ": "), False, "\n", True)),
    ],
)
def test_detect_style_finds_indentation_separators_and_escapes(text: str, expected: Style) -> None:
    """Indent of 2, 4, tab, none or zero; compact separators; CRLF; ASCII escapes are detected."""
    assert expected == detect_style(text)


@pytest.mark.parametrize(
    "text",
    [
        '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "\\u00e9"\n}\n',
        '{\n\t"a": {\n\t\t"b": null\n\t}\n}',
        '{"a":1,"b":[1,2]}',
        '{"a": 1, "b": [true, false]}\n',
        '{\r\n    "a": 1\r\n}\r\n',
    ],
)
def test_dump_in_detected_style_reproduces_canonical_texts(text: str) -> None:
    """Writing a document in its detected style gives back the same text."""
    assert text == dump(json.loads(text), detect_style(text))


def test_fix_text_patches_only_the_fixed_values() -> None:
    """Fixes change the values they fix; the rest keeps its layout, even unusual layout."""
    text = (
        "{\n"
        '    "instructions": [ {"name": "Say", "text": "hi",   "locale": "en-US"} ],\n'
        '    "action": {\n'
        '        "name": "RunMenu",\n'
        '        "menus": [{"id": "main", "options": [{"dtmf": 1, "action": "return(x)"}]}]\n'
        "    }\n"
        "}\n"
    )
    expected = FixOutcome(
        "{\n"
        '    "instructions": [ {"name": "say", "text": "hi",   "locale": "en-US"} ],\n'
        '    "action": {\n'
        '        "name": "runMenu",\n'
        '        "menus": [{"id": "main", "options": [{"dtmf": "1", "action": "return(x)"}]}]\n'
        "    }\n"
        "}\n",
        3,
        codes=("SV020", "SV020", "SV022"),
    )
    assert expected == fix_text(text, callback=None, enabled=_all)


def test_fix_text_renames_a_field_in_place() -> None:
    """A field rename (a move) changes only the key, with tabs and key order kept."""
    text = (
        "{\n"
        '\t"instructions": [{"name": "startRecording", "options": {\n'
        '\t\t"destination": "s3://b/x",\n'
        '\t\t"credentials": "a:b:c"\n'
        "\t}}],\n"
        '\t"action": {"name": "continue"}\n'
        "}"
    )
    outcome = fix_text(text, callback=None, enabled=_all)
    expected = FixOutcome(text.replace('"destination"', '"destinationUrl"'), 1, codes=("SV021",))
    assert expected == outcome


def test_fix_text_applies_fixes_that_shift_an_array_over_rounds() -> None:
    """Two fixes removing items of one array are applied one after the other, both correctly."""
    text = json.dumps(
        {
            "instructions": [
                {"name": "answer"},
                {"name": "answer"},
                {"name": "say", "text": "x"},
                {"name": "answer"},
            ],
            "action": {"name": "hangup"},
        },
        indent=2,
    )
    outcome = fix_text(text, callback="ice", enabled=_all)
    expected = (2, [{"name": "answer"}, {"name": "say", "text": "x"}])
    assert outcome.text is not None
    assert expected == (outcome.fixed, json.loads(outcome.text)["instructions"])


def test_fix_text_keeps_disabled_fixes_out() -> None:
    """Only the diagnostics the filter accepts are fixed."""
    text = '{"action": {"name": "HangUp"}}'
    expected = FixOutcome(None)
    assert expected == fix_text(text, callback=None, enabled=lambda d: d.code != "SV020")


def test_fix_text_leaves_invalid_json_and_clean_documents_alone() -> None:
    """Text that does not decode, or has nothing to fix, is unchanged."""
    expected = [FixOutcome(None), FixOutcome(None)]
    assert expected == [
        fix_text('{"action": ', callback=None, enabled=_all),
        fix_text('{"action": {"name": "hangup"}}', callback=None, enabled=_all),
    ]


def test_fix_text_refuses_documents_with_duplicate_keys() -> None:
    """A rewrite would drop the first of two equal keys, so the file is left alone and why said."""
    text = '{"action": {"name": "HangUp"}, "x": 1, "x": 2}'
    outcome = fix_text(text, callback=None, enabled=_all)
    expected = (None, 0, True)
    assert expected == (outcome.text, outcome.fixed, "duplicate keys" in (outcome.problem or ""))


def test_fix_text_fixes_bare_actions_and_instructions() -> None:
    """A bare action or instruction is fixed with pointers relative to itself."""
    expected = ['{"name": "hangup"}', '{"name": "playFiles", "ids": ["a"]}']
    assert expected == [
        fix_text('{"name": "HANGUP"}', callback=None, enabled=_all, kind="action").text,
        fix_text('{"name": "PlayFiles", "ids": ["a"]}', callback=None, enabled=_all, kind="instruction").text,
    ]


def test_fix_markdown_fixes_blocks_in_place() -> None:
    """Blocks are fixed where they are, with their indentation; other text and blocks stay."""
    markdown = (
        "# Title\n\n"
        "- item\n\n"
        "  ```json\n"
        "  {\n"
        '    "action": {"name": "RunMenu", "menus": [{"id": "main", "options": []}]}\n'
        "  }\n"
        "  ```\n\n"
        '```json\n{"name": "Say", "text": "x"}\n```\n\n'
        '```json\n{"name": "Other"}\n```\n'
    )
    expected = FixOutcome(
        markdown.replace('"RunMenu"', '"runMenu"').replace('"Say"', '"say"'),
        2,
        codes=("SV020", "SV020"),
    )
    assert expected == fix_markdown(markdown, callback=None, enabled=_all)


def test_fix_markdown_without_fixes_is_unchanged() -> None:
    """A Markdown text with nothing to fix gives no new text."""
    expected = FixOutcome(None)
    markdown = '```json\n{"action": {"name": "hangup"}}\n```\n'
    assert expected == fix_markdown(markdown, callback=None, enabled=_all)


def test_write_atomic_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    """The file gets the new bytes and its permissions; no temporary file is left."""
    path = tmp_path / "doc.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, b"new")
    expected = (b"new", 0o640, ["doc.json"])
    assert expected == (path.read_bytes(), stat.S_IMODE(path.stat().st_mode), os.listdir(tmp_path))


def test_write_atomic_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    """A symbolic link stays a link; the file it points to is replaced."""
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    expected = (True, b"new")
    assert expected == (link.is_symlink(), target.read_bytes())


def test_write_atomic_failure_leaves_the_file_and_no_litter(tmp_path: Path) -> None:
    """When the data cannot be written, the original stays and the temporary file is removed."""
    path = tmp_path / "doc.json"
    path.write_text("old")
    data: Any = "not bytes"
    with pytest.raises(TypeError):
        write_atomic(path, data)
    expected = ("old", ["doc.json"])
    assert expected == (path.read_text(), os.listdir(tmp_path))


BASE = '{\n  "a": {\n    "x": 1,\n    "y": [1, 2]\n  },\n  "e": {}\n}\n'
NESTED = '"y": [1, 2],\n    "z": {\n      "k": [\n        1\n      ]\n    }'


@pytest.mark.parametrize(
    ("edits", "old", "new"),
    [
        ([Edit(op="add", path="/a/z", value={"k": [1]})], '"y": [1, 2]', NESTED),
        ([Edit(op="add", path="/a/y/0", value=0)], "[1, 2]", "[0, 1, 2]"),
        ([Edit(op="add", path="/a/y/1", value=0)], "[1, 2]", "[1, 0, 2]"),
        ([Edit(op="add", path="/a/y/-", value=3)], "[1, 2]", "[1, 2, 3]"),
        ([Edit(op="remove", path="/a/x")], '"x": 1,\n    ', ""),
        ([Edit(op="remove", path="/a/y")], ',\n    "y": [1, 2]', ""),
        ([Edit(op="remove", path="/a/y/1")], "[1, 2]", "[1]"),
        ([Edit(op="remove", path="/a/y/0")], "[1, 2]", "[2]"),
        ([Edit(op="add", path="/e/n", value=None)], '"e": {}', '"e": {\n    "n": null\n  }'),
        ([Edit(op="replace", path="/a/y", value={"b": 1})], "[1, 2]", '{\n      "b": 1\n    }'),
        ([Edit(op="move", path="/a/w", from_="/a/x")], '"x"', '"w"'),
    ],
)
def test_patch_edits_text_next_to_its_neighbours(edits: list[Edit], old: str, new: str) -> None:
    """Added members follow the layout of their siblings; removals take their comma along."""
    from svaml.cli.fix import _patch

    doc = json.loads(BASE)
    patched = _patch(BASE, doc, edits, detect_style(BASE))
    expected = BASE.replace(old, new)
    assert expected == patched
    assert apply_edits(doc, edits) == json.loads(patched or "null")


def test_patch_gives_up_on_the_whole_document() -> None:
    """An edit of the root is not patched in the text (the caller then writes the document)."""
    from svaml.cli.fix import _patch

    assert None is _patch("[1]", [1], [Edit(op="replace", path="", value=[2])], Style())


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab", max_size=2),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text("abc", max_size=2), children, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = [(prefix, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + "/" + key.replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, f"{prefix}/{index}")
    return found


@given(
    doc=st.dictionaries(st.text("abc", max_size=2), _VALUES, min_size=1, max_size=4),
    indent=st.sampled_from([None, 2, 4, "\t"]),
    data=st.data(),
)
def test_patched_text_always_decodes_to_the_edited_value(doc: dict[str, Any], indent: Any, data: Any) -> None:
    """Whatever the edit and layout, the patched text is the edited document, or None."""
    from svaml.cli.fix import _patch

    text = json.dumps(doc, indent=indent)
    path, target = data.draw(st.sampled_from([p for p in _paths(doc) if p[0]]))
    parent = path[: path.rfind("/")]
    choices = [Edit(op="replace", path=path, value=data.draw(_VALUES)), Edit(op="remove", path=path)]
    if isinstance(target, dict):
        choices.append(Edit(op="add", path=path + "/n", value=data.draw(_VALUES)))
    if isinstance(target, list):
        choices.append(Edit(op="add", path=path + "/-", value=data.draw(_VALUES)))
        choices.append(Edit(op="add", path=path + "/0", value=data.draw(_VALUES)))
    if parent and isinstance(dict(_paths(doc))[parent], dict):
        choices.append(Edit(op="move", path=parent + "/zz", from_=path))
    edit = data.draw(st.sampled_from(choices))
    patched = _patch(text, doc, [edit], detect_style(text))
    if patched is not None:
        assert apply_edits(doc, [edit]) == json.loads(patched)


def test_fix_text_removes_many_items_of_one_array_with_other_fixes_in_it() -> None:
    """Thirty-one repeated answers go in one run, and a fix to an item among them lands on the right one."""
    items = ['{"name": "answer"}'] * 31 + ['{"name": "Say", "text": "hi"}', '{"name": "answer"}']
    text = (
        '{\n  "instructions": [\n    ' + ",\n    ".join(items) + '\n  ],\n  "action": {"name": "hangup"}\n}\n'
    )
    outcome = fix_text(text, callback="ice", enabled=_all)
    expected = (
        '{\n  "instructions": [\n    {"name": "answer"},\n    {"name": "say", "text": "hi"}\n  ],\n'
        '  "action": {"name": "hangup"}\n}\n',
        32,
        {"SV020": 1, "SV302": 31},
    )
    counts = {code: outcome.codes.count(code) for code in sorted(set(outcome.codes))}
    assert expected == (outcome.text, outcome.fixed, counts)

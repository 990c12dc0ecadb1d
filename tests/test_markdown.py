"""Tests for svaml.cli.markdown: finding json blocks in Markdown and checking the SVAML in them."""

from __future__ import annotations

from typing import Any

import pytest

from svaml.cli.markdown import (
    ACTION_NAMES,
    CALLOUT_METHODS,
    INSTRUCTION_NAMES,
    Block,
    check_fragment,
    check_markdown,
    json_blocks,
    looks_like_svaml,
    svaml_kind,
    wrap_text,
    wrap_value,
)

GUIDE = """# Guide

Answer the ICE like this:

```json
{
  "instructions": [{"name": "say", "text": "Hi", "locale": "en-US"}],
  "action": {"name": "RunMenu", "menus": [{"id": "main", "options": []}]}
}
```

A bare action:

```JSON title="action"
{"name": "Hangup"}
```

- In a list:

  ~~~json
  {"name": "Say",
   "text": "indented"}
  ~~~

```python
print({"action": {"name": "Hangup"}})
```

```json
{"event": "ice", "callid": "x"}
```
"""


def _where(markdown: str) -> list[tuple[int, int, str, str]]:
    return [
        (d.line or 0, d.column or 0, d.code, d.pointer)
        for report in check_markdown(markdown)
        for d in report.diagnostics
    ]


def test_json_blocks_finds_fences_with_their_markdown_lines() -> None:
    """Backtick and tilde fences whose info string is json (any case) are found, others not."""
    blocks = json_blocks(GUIDE)
    expected = [(6, ""), (15, ""), (21, "  "), (30, "")]
    assert expected == [(b.line, b.indent) for b in blocks]
    assert blocks[1].text == '{"name": "Hangup"}\n'


def test_json_blocks_removes_the_fence_indentation() -> None:
    """Content indented with its fence (in a list item) is returned without that indentation."""
    block = json_blocks(GUIDE)[2]
    expected = Block('{"name": "Say",\n "text": "indented"}\n', 21, block.start, block.end, "  ", (2, 2))
    assert expected == block
    assert GUIDE[block.start : block.end] == '  {"name": "Say",\n   "text": "indented"}\n'


def test_json_blocks_handles_unclosed_and_nested_fences() -> None:
    """An unclosed fence runs to the end; a longer fence contains shorter ones."""
    markdown = '````json\n```\n{"a": 1}\n````\n\n```json\n{"b": 2}\n'
    expected = [('```\n{"a": 1}\n', 2), ('{"b": 2}\n', 7)]
    assert expected == [(b.text, b.line) for b in json_blocks(markdown)]


def test_json_blocks_skips_other_languages_and_inline_code() -> None:
    """json5, untagged fences and a line with inline backticks are not json blocks; jsonc is one."""
    markdown = "```jsonc\n{}\n```\n```json5\n{}\n```\n```\n{}\n```\n```json `x`\n{}\n```\n"
    expected = [("jsonc", 2)]
    assert expected == [(b.info, b.line) for b in json_blocks(markdown)]


def test_json_blocks_keep_crlf_offsets_right() -> None:
    """With CRLF line endings, the offsets still cut out exactly the content."""
    markdown = 'text\r\n```json\r\n{"a": 1}\r\n```\r\n'
    block = json_blocks(markdown)[0]
    expected = ('{"a": 1}\r\n', 3)
    assert expected == (block.text, block.line)
    assert markdown[block.start : block.end] == block.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"action": {"name": "hangup"}}, "document"),
        ({"instructions": []}, "document"),
        ({"name": "connectPstn", "number": "+46"}, "action"),
        ({"name": "RUNMENU"}, "action"),
        ({"name": "say", "text": "hi"}, "instruction"),
        ({"name": "stoprecording"}, "instruction"),
        ({"method": "ttsCallout", "ttsCallout": {}}, "callout"),
        ({"method": "CustomCallout"}, "callout"),
        ({"name": "svaml"}, None),
        ({"method": "GET"}, None),
        ({"event": "ice"}, None),
        ([{"name": "say"}], None),
        ("action", None),
        (None, None),
    ],
)
def test_svaml_kind_says_what_a_value_holds(value: Any, expected: str | None) -> None:
    """Documents, bare actions and instructions, and callout requests are told apart."""
    assert expected == svaml_kind(value)


def test_names_match_the_model() -> None:
    """The names the Markdown reader recognises are exactly the model's actions, instructions, callouts."""
    from svaml.model.actions import ACTION_CLASSES
    from svaml.model.callouts import CALLOUT_CLASSES
    from svaml.model.instructions import INSTRUCTION_CLASSES

    expected = (set(ACTION_CLASSES), set(INSTRUCTION_CLASSES), set(CALLOUT_CLASSES))
    assert expected == (set(ACTION_NAMES), set(INSTRUCTION_NAMES), set(CALLOUT_METHODS))


def test_wrapping_keeps_the_first_line_and_maps_pointers() -> None:
    """A wrapped action stays on its first line, and wrap_value names where the value went."""
    text, shift, inner = wrap_text('{"name": "hangup"}', "action")
    expected = ('{"action": {"name": "hangup"}\n}', 11, "/action")
    assert expected == (text, shift, inner)
    wrapped = ({"action": {"name": "continue"}, "instructions": [{"name": "say"}]}, "/instructions/0")
    assert wrapped == wrap_value({"name": "say"}, "instruction")


def test_check_markdown_reports_at_markdown_lines_and_columns() -> None:
    """Diagnostics of documents, bare actions and indented blocks carry Markdown positions."""
    expected = [
        (8, 22, "SV020", "/action/name"),
        (15, 10, "SV020", "/name"),
        (21, 12, "SV020", "/name"),
    ]
    assert expected == _where(GUIDE)


def test_check_markdown_ignores_blocks_that_hold_no_svaml() -> None:
    """Event bodies, other JSON and invalid JSON that is not SVAML give no diagnostics."""
    markdown = '```json\n{"event": "ice"}\n```\n```json\n{ "a": 1, ... }\n```\n```json\n[1, 2]\n```\n'
    expected: list[tuple[int, int, str, str]] = []
    assert expected == _where(markdown)


def test_check_markdown_reports_invalid_json_that_is_plainly_svaml() -> None:
    """A block that is meant as SVAML but is not JSON is reported at the Markdown line."""
    markdown = 'Intro\n\n```json\n{\n  "action": {"name": "hangup"},\n}\n```\n'
    expected = [(6, 1, "SV001", "")]
    assert expected == _where(markdown)


def test_check_markdown_checks_callout_requests() -> None:
    """A TTS callout without cli in a json block is an error at its line."""
    markdown = (
        "```json\n"
        '{"method": "ttsCallout",\n'
        ' "ttsCallout": {"destination": {"type": "number", "endpoint": "+46701234567"}, "text": "hi"}}\n'
        "```\n"
    )
    expected = [(3, 16, "SV901", "/ttsCallout")]
    assert expected == _where(markdown)


def test_check_markdown_uses_the_callback() -> None:
    """With a callback, context rules apply to blocks: answer is not allowed in an ACE response."""
    markdown = '```json\n{"name": "answer"}\n```\n'
    expected = [("SV202", "/name")]
    assert expected == [
        (d.code, d.pointer) for report in check_markdown(markdown, callback="ace") for d in report.diagnostics
    ]


def test_check_fragment_drops_diagnostics_about_the_wrapper() -> None:
    """A bare startRecording is not blamed on the action the wrapper had to add."""
    text = '{"name": "startRecording", "options": {"destinationUrl": "s3://b/x", "credentials": "a:b:c"}}'
    expected: list[str] = []
    assert expected == [d.code for d in check_fragment(text, "instruction")]


def test_looks_like_svaml_spots_documents_and_callouts() -> None:
    """Invalid text is SVAML when it has an action, instructions or a callout method key."""
    expected = [True, True, True, False]
    assert expected == [
        looks_like_svaml('{"action": {,}'),
        looks_like_svaml('{"Instructions" : ['),
        looks_like_svaml('{"method": "ttsCallout",'),
        looks_like_svaml('{"name": "say",'),
    ]

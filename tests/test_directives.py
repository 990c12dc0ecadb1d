"""`svaml lint` on real JSONC and Markdown files: block callbacks, comments, suppressions, --fix."""

from __future__ import annotations

import json

import pytest
from realfiles import write

from svaml._json import decode, decode_jsonc
from svaml._jsontext import blank_jsonc, locate_many
from svaml.cli import main

# An ICE may not answer with continue; an ACE may.
CONTINUE = '{"action": {"name": "continue"}}\n'
# SV020 (a safe fix): an action name in another letter case.
CASED = '{"action": {"name": "Hangup"}}\n'


pytestmark = pytest.mark.usefixtures("in_tmp_path")  # each test in its own directory




def _found(capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[str, int, int]]:
    """Lint through the command line with the json format; return (code, row, column) of each diagnostic."""
    status = main(["lint", "--isolated", "--output-format", "json", *args])
    captured = capsys.readouterr()
    assert status in (0, 1), captured.err
    items = json.loads(captured.out)
    return [(i["code"], i["location"]["row"], i["location"]["column"]) for i in items]


def _fence(info: str, body: str, before: str = "") -> str:
    return f"{before}```{info}\n{body}```\n"


# -- which callback a Markdown block answers ---------------------------------------------------


def test_info_string_callback_reports_continue_in_an_ice_block(capsys: pytest.CaptureFixture[str]) -> None:
    """```json ice makes continue an error in that block, and the block's word beats --callback ace."""
    write("page.md", "# ICE\n\n" + _fence("json ice", CONTINUE) + "\n" + _fence("json ace", CONTINUE))
    expected = [("SV201", 4, 21)]
    assert expected == _found(capsys, "page.md")
    assert expected == _found(capsys, "--callback", "ace", "page.md")


def test_title_callback_lets_an_ace_block_pass_under_callback_ice(capsys: pytest.CaptureFixture[str]) -> None:
    """A file-name title (title="answer.ace.json") is read as file names are, and beats the flag."""
    page = _fence('json title="answer.ace.json"', CONTINUE) + _fence("json title=x.ice.jsonc", CONTINUE)
    write("page.md", page)
    expected = [("SV201", 5, 21)]
    assert expected == _found(capsys, "--callback", "ice", "page.md")


def test_comment_callback_beats_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """<!-- svaml: callback=ace --> (blank lines may follow it) passes continue under --callback ice."""
    page = _fence("json", CONTINUE, "<!-- svaml: callback=ace -->\n\n") + _fence(
        "json", CONTINUE, "<!-- svaml: callback=ice -->\n"
    )
    write("page.md", page)
    expected = [("SV201", 8, 21)]
    assert expected == _found(capsys, "--callback", "ice", "page.md")
    # Without a statement, the flag decides: both blocks break it.
    write("plain.md", _fence("json", CONTINUE) + _fence("json", CONTINUE))
    expected = [("SV201", 2, 21), ("SV201", 5, 21)]
    assert expected == _found(capsys, "--callback", "ice", "plain.md")


def test_a_block_with_a_callback_is_svaml_whatever_it_holds(capsys: pytest.CaptureFixture[str]) -> None:
    """A json block with a callback is linted even when it holds nothing SVAML (like *.ice.json files)."""
    write("page.md", _fence("json", '{"x": 1}\n') + _fence("json ice", '{"x": 1}\n'))
    expected = ["SV101", "SV007"]
    assert expected == [code for code, _, _ in _found(capsys, "page.md")]


def test_statements_svaml_cannot_use_are_sv011(capsys: pytest.CaptureFixture[str]) -> None:
    """A disagreeing or unknown callback, a bare ignore, an empty or a stray comment: SV011 where written."""
    page = (
        _fence("json ice", CONTINUE, "<!-- svaml: callback=pie -->\n")
        + _fence("json", '{"action": {"name": "hangup"}}\n', "<!-- svaml: callback=icee ignore -->\n")
        + "<!-- svaml: ignore[SV401] -->\nProse between the comment and the block.\n\n"
        + _fence("python", "print(1)\n", "<!-- svaml: ignore[SV201] -->\n")
        + _fence("json", '{"action": {"name": "hangup"}}\n', "<!-- svaml: -->\n")
        + _fence("json ice ace", '{"action": {"name": "hangup"}}\n')
        + "<!-- svaml: ignore[SV401] --> followed by text on its line\n"
        + _fence("json", '{"action": {"name": "hangup"}}\n', "<!-- a comment, not svaml's -->\n")
    )
    write("page.md", page)
    expected = [
        ("SV011", 1, 22),  # callback=pie against ```json ice
        ("SV201", 3, 21),  # the info string's ice is kept
        ("SV011", 5, 22),  # unknown callback icee
        ("SV011", 5, 27),  # a bare ignore
        ("SV011", 9, 5),  # before prose, not a block
        ("SV011", 12, 5),  # before a python block
        ("SV011", 16, 5),  # nothing after svaml:
        ("SV011", 20, 1),  # two callbacks in the info string
        ("SV011", 23, 5),  # text after it on its line
    ]
    assert expected == _found(capsys, "page.md")


# -- JSONC -------------------------------------------------------------------------------------

JSONC = """// The answer to the ICE of the support line.
{
  /* greet first,
     then connect */
  "instructions": [
    {"name": "Say", "text": "Hi", "locale": "en-US"}, // greeting
  ],
  "action": {
    "name": "connectPstn", /* to the desk */ "number": "46701234567",
    "cli": "+46701234567",
  },
}
"""


def test_jsonc_file_is_linted_at_true_lines_and_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """Comments and trailing commas are accepted in a .jsonc file; each diagnostic is where the text says."""
    write("call.ice.jsonc", JSONC)
    expected = [("SV020", 6, 14), ("SV401", 9, 56)]
    assert expected == _found(capsys, "call.ice.jsonc")
    lines = JSONC.split("\n")
    expected = ('"Say"', '"46701234567"')
    assert expected == (lines[5][13:18], lines[8][55:68])


def test_json_file_stays_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """The same text in a .json file is invalid JSON at the first comment: only .jsonc allows comments."""
    write("call.ice.json", JSONC)
    expected = [("SV001", 1, 1)]
    assert expected == _found(capsys, "call.ice.json")
    said = decode(JSONC).problem
    message = "JSON has no comments (only *.jsonc files and ```jsonc blocks may have them)"
    assert message == getattr(said, "message", "")


def test_unclosed_block_comment_is_sv001_at_its_start(capsys: pytest.CaptureFixture[str]) -> None:
    """A /* that is never closed is reported where it opens."""
    write("a.ice.jsonc", '{"action": {"name": "hangup"}}\n  /* never closed\n')
    expected = [("SV001", 2, 3)]
    assert expected == _found(capsys, "a.ice.jsonc")


def test_directories_are_walked_for_jsonc(capsys: pytest.CaptureFixture[str]) -> None:
    """A walk finds *.jsonc files, and skips those that hold no SVAML (tsconfig-like files)."""
    write("calls/a.jsonc", "{\n  // hangs up\n  \"action\": {\"name\": \"Hangup\"},\n}\n")
    write("calls/tsconfig.jsonc", '{"compilerOptions": {}, // build\n}\n')
    status = main(["lint", "--isolated", "--output-format", "concise", "calls"])
    out = capsys.readouterr().out
    expected = (1, ["calls/a.jsonc:3:22: SV020"])
    assert expected == (status, [line[:25] for line in out.splitlines()[:-2]])  # less the summary


def test_jsonc_block_in_markdown_at_markdown_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """A ```jsonc block, also indented in a list item, is linted at Markdown lines and columns."""
    body = '{\n  // hang up\n  "action": {"name": "Hangup"}, /* done */\n}\n'
    indented = "".join("  " + line for line in body.splitlines(keepends=True))
    page = "# Guide\n\n" + _fence("jsonc", body) + "\n- In a list:\n\n  ```jsonc\n" + indented + "  ```\n"
    write("page.md", page)
    expected = [("SV020", 6, 22), ("SV020", 15, 24)]
    assert expected == _found(capsys, "page.md")


# -- suppressions ------------------------------------------------------------------------------

SUPPRESSED = """{
  "instructions": [
    {"name": "Say", "text": "Hi"}, // svaml: ignore[SV020]
    // svaml: ignore[SV020]

    {"name": "Say", "text": "Hi"},
    {"name": "Say", "text": "Hi"}
  ],
  "action": {"name": "hangup"} /* svaml: ignore[SV020] */
}
"""


def test_jsonc_suppression_on_its_line_or_the_next(capsys: pytest.CaptureFixture[str]) -> None:
    """A trailing comment suppresses on its line, one alone on the next JSON line; an unused one is SV010."""
    write("a.jsonc", SUPPRESSED)
    expected = [("SV020", 7, 14), ("SV010", 9, 49)]
    assert expected == _found(capsys, "a.jsonc")


def test_unused_suppression_of_an_unselected_code_is_not_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """A suppression of a rule that is not selected may or may not be used: svaml says nothing of it."""
    write("a.jsonc", SUPPRESSED)
    expected: list[tuple[str, int, int]] = []
    assert expected == _found(capsys, "--ignore", "SV020", "a.jsonc")
    expected = [("SV020", 7, 14)]
    assert expected == _found(capsys, "--ignore", "SV010", "a.jsonc")


def test_suppressions_in_text_that_is_not_jsonc_are_not_judged(capsys: pytest.CaptureFixture[str]) -> None:
    """When the text does not decode no rule runs, so only SV001 is reported, not unused suppressions."""
    write("a.jsonc", '{\n  "action": {"name": "Hangup"} // svaml: ignore[SV020]\n  "x": 1\n}\n')
    expected = [("SV001", 3, 3)]
    assert expected == _found(capsys, "a.jsonc")
    broken = '{"action": {"name": "Hangup"} "x"}\n'
    write("page.md", _fence("jsonc", broken, "<!-- svaml: ignore[SV020] -->\n"))
    expected = [("SV001", 3, 31)]
    assert expected == _found(capsys, "page.md")


def test_unknown_code_in_a_suppression_is_sv011(capsys: pytest.CaptureFixture[str]) -> None:
    """A code no rule has (a letter O for a zero) is an error at the code; the known codes still apply."""
    write("a.jsonc", '{\n  "action": {"name": "Hangup"} // svaml: ignore[SV4O1, sv020]\n}\n')
    expected = [("SV011", 2, 49)]
    assert expected == _found(capsys, "a.jsonc")


def test_callback_in_a_jsonc_comment_is_sv011(capsys: pytest.CaptureFixture[str]) -> None:
    """A JSONC file says its callback in its name; callback= in its comments is refused where written."""
    write("a.jsonc", '// svaml: callback=ice\n{"action": {"name": "hangup"}}\n')
    expected = [("SV011", 1, 11)]
    assert expected == _found(capsys, "a.jsonc")


def test_html_comment_suppresses_codes_in_its_block_only(capsys: pytest.CaptureFixture[str]) -> None:
    """<!-- svaml: ignore[SV020] --> covers its whole block, not the next; an unused code is SV010."""
    two = '{\n  "instructions": [{"name": "Say", "text": "Hi"}],\n  "action": {"name": "Hangup"}\n}\n'
    page = _fence("json", two, "<!-- svaml: ignore[SV020, SV401] -->\n") + _fence("json", CASED)
    write("page.md", page)
    expected = [("SV010", 1, 27), ("SV020", 9, 21)]
    assert expected == _found(capsys, "page.md")


def test_per_file_ignores_apply_to_jsonc_as_today(capsys: pytest.CaptureFixture[str]) -> None:
    """per-file-ignores keep working for .jsonc files and Markdown pages."""
    write("a.jsonc", "// cased\n" + CASED)
    expected = [("SV020", 2, 21)]
    assert expected == _found(capsys, "a.jsonc")
    expected: list[tuple[str, int, int]] = []
    assert expected == _found(capsys, "--per-file-ignores", "*.jsonc:SV020", "a.jsonc")


# -- --fix -------------------------------------------------------------------------------------


def test_fix_keeps_the_comments_of_a_jsonc_file(capsys: pytest.CaptureFixture[str]) -> None:
    """--fix on a .jsonc file changes the values it fixes and keeps every comment and trailing comma."""
    text = JSONC.replace('"46701234567"', '"+46701234567"')
    path = write("call.jsonc", text.replace('"name": "connectPstn"', '"name": "ConnectPstn"'))
    status = 0
    assert status == main(["lint", "--isolated", "--fix", "--output-format", "concise", "call.jsonc"])
    capsys.readouterr()
    expected = text.replace('"name": "Say"', '"name": "say"')
    assert expected == path.read_text(encoding="utf-8")


def test_fix_leaves_what_a_comment_suppresses(capsys: pytest.CaptureFixture[str]) -> None:
    """A suppressed diagnostic is not fixed, in a .jsonc file and in a Markdown block."""
    path = write("a.jsonc", SUPPRESSED)
    status = 1
    assert status == main(["lint", "--isolated", "--fix", "--output-format", "concise", "a.jsonc"])
    fixed_line_7 = SUPPRESSED.split("\n")
    fixed_line_7[6] = fixed_line_7[6].replace("Say", "say")
    assert "\n".join(fixed_line_7) == path.read_text(encoding="utf-8")
    page = _fence("json", CASED, "<!-- svaml: ignore[SV020] -->\n") + _fence("json", CASED)
    md = write("page.md", page)
    status = 0
    assert status == main(["lint", "--isolated", "--fix", "--output-format", "concise", "page.md"])
    capsys.readouterr()
    expected = _fence("json", CASED, "<!-- svaml: ignore[SV020] -->\n") + _fence("json", CASED.lower())
    assert expected == md.read_text(encoding="utf-8")


def test_fix_uses_each_blocks_own_callback(capsys: pytest.CaptureFixture[str]) -> None:
    """A jsonc block is fixed in place with its comments, checked for the callback it says, not the flag's."""
    body = '{\n  // the ACE goes on\n  "action": {"name": "Continue"},\n}\n'
    path = write("page.md", _fence("jsonc ace", body))
    status = 0
    assert status == main(["lint", "--isolated", "--callback", "ice", "--fix", "page.md"])
    capsys.readouterr()
    assert _fence("jsonc ace", body.replace("Continue", "continue")) == path.read_text(encoding="utf-8")


# -- the JSON policy's JSONC mode --------------------------------------------------------------


def test_decode_jsonc_is_decode_of_the_blanked_text() -> None:
    """decode_jsonc reads what decode reads once comments and trailing commas are spaces, same offsets."""
    blanked, unclosed = blank_jsonc(JSONC)
    expected = (len(JSONC), -1, decode(blanked))
    assert expected == (len(blanked), unclosed, decode_jsonc(JSONC))
    pointers = ["/instructions/0/name", "/action/number", "/action"]
    assert locate_many(blanked, pointers) == locate_many(JSONC, pointers)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('["a // b", "c /* d */"] // e', ["a // b", "c /* d */"]),
        ('[1, /* ] */ 2, // ]\n]', [1, 2]),
        ('{"a": [1,], "b": {},}', {"a": [1], "b": {}}),
        ('"\\" // still a string" /* x */', '" // still a string'),
    ],
)
def test_comments_inside_strings_stay_and_brackets_in_comments_do_not_count(text: str, value: object) -> None:
    """Only comments outside strings are blanked; a bracket in a comment is no bracket."""
    assert value == decode_jsonc(text).value


@pytest.mark.parametrize("text", ["[,]", "{,}", "[1,,]", "[1] /"])
def test_commas_after_no_value_stay_errors(text: str) -> None:
    """A trailing comma follows a value: [,] and [1,,] are still not JSONC."""
    assert decode_jsonc(text).problem is not None


def test_codes_without_brackets_are_one_problem_saying_how_to_write_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`// svaml: ignore SV401, SV402` is one SV011 writing the brackets; `foo SV401` is two."""
    write(
        "call.jsonc",
        '{"action": {"name": "hangup"}, // svaml: ignore SV401, SV402\n'
        ' "instructions": [] // svaml: foo SV401\n}\n',
    )
    assert main(["lint", "--isolated", "--output-format", "concise", "-q", "call.jsonc"]) == 1
    expected = [
        "call.jsonc:1:42: SV011 write the codes in brackets: ignore[SV401, SV402]",
        "call.jsonc:2:31: SV011 cannot read 'foo' in a svaml: comment: expected ignore[CODES] or, before a "
        "Markdown block, callback=NAME",
        "call.jsonc:2:35: SV011 cannot read 'SV401' in a svaml: comment: expected ignore[CODES] or, before a "
        "Markdown block, callback=NAME",
    ]
    assert expected == capsys.readouterr().out.splitlines()

"""The fifteen-file exercise of `svaml lint`, redone from docs/linting.md on real files.

Each file holds one mistake a person makes; each gets one located, worded diagnostic (a slip for
a required field is one SV003 on the misspelt key), fixable where the fix is safe, and ``--fix``
changes nothing but what it fixes.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
from pathlib import Path

import pytest
from realfiles import write

from svaml.cli import main

pytestmark = pytest.mark.usefixtures("in_tmp_path")  # each test in its own directory

LONG = "a" * 700  # over the 600 characters Sinch speaks by default

# A page with an ICE block that answers continue (not allowed), an ACE block that may, and a jsonc block.
PAGE = (
    "# Answers\n\n```json ice\n"
    '{"action": {"name": "continue"}}\n'
    "```\n\n```json ace\n"
    '{"action": {"name": "continue"}}\n'
    "```\n\n```jsonc ice\n"
    "{\n  // greet, then hang up\n"
    '  "instructions": [{"name": "say", "text": "Hello", "locale": "en-US"}],\n'
    '  "action": {"name": "Hangup"},\n}\n```\n'
)

# name: (text, the text after --fix when a safe fix applies, or None)
FILES: dict[str, tuple[str, str | None]] = {
    "calls/01-typo.ice.json": (
        '{\n  "instructions": [{"name": "say", "txt": "Welcome to Acme", "locale": "en-US"}],\n'
        '  "action": {"name": "hangup"}\n}\n',
        '{\n  "instructions": [{"name": "say", "text": "Welcome to Acme", "locale": "en-US"}],\n'
        '  "action": {"name": "hangup"}\n}\n',
    ),
    "calls/02-case.ice.json": (
        '{"action": {"name": "connectPstn", "number": "+46701234567", "dialtimeout": 30}}\n',
        '{"action": {"name": "connectPstn", "number": "+46701234567", "dialTimeout": 30}}\n',
    ),
    "calls/03-class.ice.json": (
        '{"action": {"name": "ConnectPstn", "number": "+46701234567"}}\n',
        '{"action": {"name": "connectPstn", "number": "+46701234567"}}\n',
    ),
    "calls/04-string-bool.ice.json": (
        '{"action": {"name": "runMenu", "barge": "true", "menus": [\n'
        '  {"id": "main", "mainPrompt": "#tts[1]", "options": [{"dtmf": "1", "action": "return(a)"}]}]}}\n',
        '{"action": {"name": "runMenu", "barge": true, "menus": [\n'
        '  {"id": "main", "mainPrompt": "#tts[1]", "options": [{"dtmf": "1", "action": "return(a)"}]}]}}\n',
    ),
    "calls/05-double-zero.ice.json": (
        '{"action": {"name": "connectPstn", "number": "0046701234567"}}\n',
        '{"action": {"name": "connectPstn", "number": "+46701234567"}}\n',
    ),
    "calls/06-placeholder.ice.json": (
        '{\n  "instructions": [\n    ...\n  ],\n  "action": {"name": "hangup"}\n}\n',
        None,
    ),
    "calls/08-tts-no-destination.json": (
        '{"method": "ttsCallout", "ttsCallout": {"cli": "+46701234568", "locale": "en-US", "text": "Hi"}}\n',
        None,
    ),
    "calls/09-enable-ace.json": (
        '{"method": "customCallout", "customCallout": {\n'
        '  "ice": "https://example.com/ice",\n  "enableAce": true\n}}\n',
        None,
    ),
    "calls/10-long.ice.json": (
        '{"instructions": [{"name": "say", "text": "' + LONG + '", "locale": "en-US"}], '
        '"action": {"name": "hangup"}}\n',
        None,
    ),
    "calls/11-suppressed.ice.jsonc": (
        '{\n  "action": {\n    "name": "connectPstn",\n    // svaml: ignore[SV401]\n'
        '    "number": "46701234567"\n  }\n}\n',
        None,
    ),
    "calls/11b-unused.ice.jsonc": (
        '{\n  "action": {"name": "hangup"} // svaml: ignore[SV401]\n}\n',
        None,
    ),
    "calls/12-record-mxp.ice.json": (
        '{"instructions": [{"name": "startRecording"}],\n'
        ' "action": {"name": "connectMxp", "destination": {"type": "username", "endpoint": "alice"}}}\n',
        None,
    ),
    "calls/13-no-plus.ice.json": ('{"action": {"name": "connectPstn", "number": "46701234567"}}\n', None),
    "calls/14-integer-key.ice.json": (
        '{"action": {"name": "runMenu", "menus": [\n'
        '  {"id": "main", "mainPrompt": "#tts[1]", "options": [{"dtmf": 1, "action": "return(a)"}]}]}}\n',
        '{"action": {"name": "runMenu", "menus": [\n'
        '  {"id": "main", "mainPrompt": "#tts[1]", "options": [{"dtmf": "1", "action": "return(a)"}]}]}}\n',
    ),
    "calls/15-max-duration.ice.json": (
        '{"action": {"name": "connectPstn", "number": "+46701234567", "maxDuration": 20000}}\n',
        None,
    ),
    "docs/page.md": (PAGE, PAGE.replace('"Hangup"', '"hangup"')),
}

# (file, code, where it starts: the first place this text stands, the fix's applicability), in order.
FOUND = [
    ("calls/01-typo.ice.json", "SV003", '"txt"', "safe"),  # on the misspelt key, renamed by --fix
    ("calls/02-case.ice.json", "SV007", '"dialtimeout"', "safe"),
    ("calls/03-class.ice.json", "SV020", '"ConnectPstn"', "safe"),
    ("calls/04-string-bool.ice.json", "SV025", '"true"', "safe"),
    ("calls/05-double-zero.ice.json", "SV401", '"0046701234567"', "safe"),
    ("calls/06-placeholder.ice.json", "SV001", "...", None),
    ("calls/08-tts-no-destination.json", "SV906", '{"cli"', None),
    ("calls/09-enable-ace.json", "SV907", '"enableAce"', None),
    ("calls/10-long.ice.json", "SV502", '"aaa', None),
    ("calls/11b-unused.ice.jsonc", "SV010", "SV401]", None),  # the code nothing reports there
    ("calls/12-record-mxp.ice.json", "SV601", '{"name": "startRecording"}', "unsafe"),
    ("calls/13-no-plus.ice.json", "SV401", '"46701234567"', "unsafe"),
    ("calls/14-integer-key.ice.json", "SV022", '1, "action"', "safe"),
    ("calls/15-max-duration.ice.json", "SV501", "20000", None),
    ("docs/page.md", "SV201", '"continue"', None),  # the ICE block's, not the ACE block's
    ("docs/page.md", "SV020", '"Hangup"', "safe"),  # in the jsonc block, with its comment
]


def _at(name: str, anchor: str) -> tuple[int, int]:
    """The line and column (from 1) where ``anchor`` first stands in the file ``name`` of FILES."""
    text = FILES[name][0]
    offset = text.index(anchor)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _located(found: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str, int, int, str | None]]:
    return [(name, code, *_at(name, anchor), fix) for name, code, anchor, fix in found]


def _write_all() -> None:
    for name, (text, _) in FILES.items():
        write(name, text)


def _lint(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["lint", "--isolated", *args])
    return status, out.getvalue(), err.getvalue()


def _found(*args: str) -> list[tuple[str, str, int, int, str | None]]:
    status, out, err = _lint("--output-format", "json", *args)
    assert status in (0, 1), err
    return [
        (
            i["filename"],
            i["code"],
            i["location"]["row"],
            i["location"]["column"],
            None if i["fix"] is None else i["fix"]["applicability"],
        )
        for i in json.loads(out)
    ]


def test_each_mistake_gets_one_located_diagnostic_fixable_where_safe() -> None:
    """Every mistake is reported once, at its place, with a safe fix where one keeps the meaning."""
    _write_all()
    assert _located(FOUND) == _found("calls", "docs")


def test_every_message_says_what_is_wrong_in_svaml_and_json_words() -> None:
    """The messages name SVAML's names and JSON's values, never the Python class or Python's True."""
    _write_all()
    status, out, _ = _lint("--output-format", "concise", "calls", "docs")
    named = "unknown field 'dialtimeout' in connectPstn;" in out  # not the Python class ConnectPstn
    expected = (1, True, False, False)
    assert expected == (status, named, "True" in out, "trailing comma" in out)
    lines = [line for line in out.splitlines() if ": SV" in line]
    wanted = {
        "SV003": "missing required field 'text': 'txt' looks like it, misspelt",
        "SV007": "unknown field 'dialtimeout' in connectPstn; did you mean 'dialTimeout'?",
        "SV401": "starts with the international prefix 00: write '+46701234567'",
        "SV001": "a '...' placeholder is not JSON",
        "SV906": "the ttsCallout has no 'destination'",
        "SV907": "'enableAce' is not in Sinch's customCallout schema",
        "SV502": "the text is 700 characters",
        "SV201": "the action continue is not allowed in an ICE response",
    }
    expected_messages = dict.fromkeys(wanted, True)
    assert expected_messages == {
        code: any(f" {code} " in line and words in line for line in lines) for code, words in wanted.items()
    }


def test_a_raised_say_limit_in_pyproject_passes_the_long_say() -> None:
    """`limits = {say = 1200}` in [tool.svaml] lets the 700-character say pass; without it SV502 stands."""
    write("calls/10-long.ice.json", FILES["calls/10-long.ice.json"][0])
    write("pyproject.toml", "[tool.svaml]\nlimits = {say = 1200}\n")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        raised = main(["lint", "calls"])
    expected = (0, "All checks passed!\n", ["SV502"])
    assert expected == (raised, out.getvalue(), [f[1] for f in _found("calls")])


def test_fix_applies_the_safe_fixes_and_changes_nothing_else() -> None:
    """--fix writes exactly the safe fixes; files with only unsafe or no fixes stay byte for byte."""
    _write_all()
    status, out, _ = _lint("--fix", "--output-format", "concise", "calls", "docs")
    after = {name: Path(name).read_text() for name in FILES}
    wanted = {name: fixed if fixed is not None else text for name, (text, fixed) in FILES.items()}
    # A fixed file's lines may move, not these.
    left = _located([f for f in FOUND if f[3] != "safe"])
    expected = (1, wanted, left, "Fixed 7 problems.")
    assert expected == (status, after, _found("calls", "docs"), out.splitlines()[len(left)])


def test_unsafe_fixes_need_both_flags() -> None:
    """The unsafe fixes (a '+' assumed, a recording removed) are applied only by --fix --unsafe-fixes."""
    _write_all()
    files = ("calls/12-record-mxp.ice.json", "calls/13-no-plus.ice.json")
    status, out, _ = _lint("--output-format", "concise", *files)
    fixed = _lint("--fix", "--unsafe-fixes", *files)
    expected = (
        1,
        "No fixes available (2 hidden fixes can be enabled with --unsafe-fixes).",
        (0, "Fixed 2 problems.\n", ""),
        '{"instructions": [],\n'
        ' "action": {"name": "connectMxp", "destination": {"type": "username", "endpoint": "alice"}}}\n',
        '{"action": {"name": "connectPstn", "number": "+46701234567"}}\n',
    )
    assert expected == (
        status,
        out.splitlines()[-1],
        fixed,
        Path("calls/12-record-mxp.ice.json").read_text(),
        Path("calls/13-no-plus.ice.json").read_text(),
    )


def test_diff_shows_what_fix_writes_and_writes_nothing() -> None:
    """--diff names exactly the files --fix changes, exit 1, and leaves every file as it was."""
    _write_all()
    status, out, err = _lint("--diff", "calls", "docs")
    shown = [line[4:] for line in out.splitlines() if line.startswith("+++ ")]
    before = {name: Path(name).read_text() for name in FILES}
    expected = (
        1,
        sorted(name for name, (_, fixed) in FILES.items() if fixed is not None),
        "Would fix 7 problems in 7 files (2 hidden fixes can be enabled with --unsafe-fixes).\n",
        {name: text for name, (text, _) in FILES.items()},
    )
    assert expected == (status, sorted(shown), err, before)


def _console(page: str, first: str) -> list[str]:
    """The lines of the ```console block of a docs page that starts with ``first``."""
    text = (Path(__file__).resolve().parent.parent / "docs" / page).read_text()
    start = text.index("```console\n" + first + "\n") + len("```console\n")
    return text[start : text.index("```", start)].splitlines()


def test_the_docs_concise_example_is_what_svaml_prints() -> None:
    """The example in docs/linting.md, `cat` then `svaml lint` twice, prints what the page shows."""
    lines = _console("linting.md", "$ cat call.ice.json")
    commands = [i for i, line in enumerate(lines) if line.startswith("$ ")]
    shown, printed = [], []
    for here, after in zip(commands, [*commands[1:], len(lines)], strict=True):
        words = shlex.split(lines[here][2:])
        if words[0] == "cat":
            write(words[1], "\n".join(lines[here + 1 : after]) + "\n")
            continue
        shown.append(lines[here + 1 : after])
        printed.append(_lint(*words[2:])[1].splitlines())
    assert shown == printed

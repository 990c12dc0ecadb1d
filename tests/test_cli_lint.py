"""Tests for the svaml command line: ``svaml lint`` on real files, and ``rules``, ``rule``, ``schema``."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from realfiles import write

import svaml
from svaml.cli import MAX_BYTES, main
from svaml.schema import document_schema

CLEAN = '{\n  "action": {"name": "hangup"}\n}\n'
# Errors whatever the callback: no action is one.
MISSING = '{\n  "instructions": []\n}\n'
# A warning with a fix: the action name in another case.
CASED = '{\n    "instructions": [{"name": "say", "text": "Hi"}],\n    "action": {"name": "HangUp"}\n}\n'
# answer is allowed in an ICE response, not in an ACE response.
ANSWER = '{"instructions": [{"name": "answer"}], "action": {"name": "hangup"}}\n'


pytestmark = pytest.mark.usefixtures("in_tmp_path")  # each test in its own directory




def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["lint", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[str, str, int, int]]:
    status, out, err = _lint(capsys, "--output-format", "json", *args)
    assert status in (0, 1), err
    items = json.loads(out)
    return [(i["filename"], i["code"], i["location"]["row"], i["location"]["column"]) for i in items]


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_clean_file_passes_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """A correct document gives no diagnostics, "All checks passed!" and exit 0."""
    write("a.json", CLEAN)
    expected = (0, "All checks passed!\n", "")
    assert expected == _lint(capsys, "a.json")


def test_diagnostics_exit_1_in_full_format(capsys: pytest.CaptureFixture[str]) -> None:
    """An error is shown ruff-style with the source line, and the exit status is 1."""
    write("a.json", MISSING)
    status, out, _ = _lint(capsys, "a.json")
    expected = (
        1,
        "a.json:1:1: SV101 the action is missing",
        "Found 1 error, 0 warnings.",
    )
    assert expected == (status, out.splitlines()[0][:39], out.splitlines()[-1])
    assert "1 | {\n" in out


def test_exit_zero_reports_but_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """--exit-zero keeps the diagnostics and exits 0."""
    write("a.json", MISSING)
    status, out, _ = _lint(capsys, "--exit-zero", "a.json")
    expected = (0, True)
    assert expected == (status, "SV101" in out)


def test_quiet_prints_diagnostics_only(capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet drops the summary and the notes, and keeps the diagnostics."""
    write("a.json", MISSING)
    write("package.json", '{"name": "app"}')
    status, out, err = _lint(capsys, "-q", "--output-format", "concise", "a.json", "package.json")
    expected = (
        1,
        "a.json:1:1: SV101 the action is missing: a SVAML document needs exactly one action "
        "(for example hangup or continue)\n",
        "",
    )
    assert expected == (status, out, err)


def test_directories_are_walked_for_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """Directories are walked, files before subdirectories; build and non-SVAML JSON are skipped."""
    write("calls/a.json", MISSING)
    write("calls/deep/b.json", MISSING)
    write("calls/package.json", '{"name": "x", "version": "1"}')
    write("calls/node_modules/c.json", MISSING)
    write("calls/build/d.json", MISSING)
    write("calls/notes.txt", MISSING)
    write("calls/guide.md", "Text\n\n```json\n" + MISSING + "```\n")
    expected = [
        ("calls/a.json", "SV101", 1, 1),
        ("calls/guide.md", "SV101", 4, 1),
        ("calls/deep/b.json", "SV101", 1, 1),
    ]
    assert expected == _codes(capsys, "calls")


def test_no_path_means_the_current_directory(capsys: pytest.CaptureFixture[str]) -> None:
    """Without paths, svaml lint checks the current directory."""
    write("x.json", MISSING)
    expected = [("x.json", "SV101", 1, 1)]
    assert expected == _codes(capsys)


def test_explicit_non_svaml_json_is_skipped_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON file named on the command line that holds no SVAML is skipped, saying so."""
    write("package.json", '{"name": "app", "version": "1.0.0"}')
    status, out, err = _lint(capsys, "package.json")
    expected = (0, "All checks passed!\n", True)
    assert expected == (status, out, err.startswith("svaml: package.json: skipped, it holds no SVAML"))


def test_callback_suffix_forces_linting_and_sets_the_callback(capsys: pytest.CaptureFixture[str]) -> None:
    """*.ace.json is checked as an ACE response, even when it holds no SVAML."""
    write("answer.ace.json", ANSWER)
    write("answer.ice.json", ANSWER)
    write("odd.pie.json", "[]")
    expected = [("answer.ace.json", "SV202", 1, 28), ("odd.pie.json", "SV002", 1, 1)]
    assert expected == _codes(capsys, "answer.ace.json", "answer.ice.json", "odd.pie.json")


def test_callback_flag_overrides_suffix_and_config(capsys: pytest.CaptureFixture[str]) -> None:
    """--callback ace applies to every file; auto goes back to suffix, then configuration."""
    write("pyproject.toml", '[tool.svaml]\ncallback = "ace"\n')
    write("answer.json", ANSWER)
    write("answer.ice.json", ANSWER)
    expected_flag = [("answer.ice.json", "SV202", 1, 28), ("answer.json", "SV202", 1, 28)]
    assert expected_flag == _codes(capsys, "--callback", "ace", "answer.ice.json", "answer.json")
    expected_auto = [("answer.json", "SV202", 1, 28)]
    assert expected_auto == _codes(capsys, "--callback", "auto", "answer.ice.json", "answer.json")
    expected_ice: list[Any] = []
    assert expected_ice == _codes(capsys, "--callback", "ice", "answer.json")


def test_select_ignore_and_extend_select(capsys: pytest.CaptureFixture[str]) -> None:
    """--select keeps only the named rules, --ignore drops some, --extend-select adds back."""
    write("a.json", CASED)
    write("b.json", MISSING)
    both = [("a.json", "SV020", 3, 24), ("b.json", "SV101", 1, 1)]
    assert both == _codes(capsys, "a.json", "b.json")
    assert both[1:] == _codes(capsys, "--select", "SV1", "a.json", "b.json")
    assert both[:1] == _codes(capsys, "--ignore", "sv101", "a.json", "b.json")
    assert both == _codes(capsys, "--select", "SV1", "--extend-select", "SV020", "a.json", "b.json")
    assert both[:1] == _codes(capsys, "--select", "SV0,SV1", "--ignore", "SV1", "a.json", "b.json")


def test_unknown_selector_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A code that names no rule exits 2 with a message."""
    write("a.json", CLEAN)
    status, _, err = _lint(capsys, "--select", "XY1", "a.json")
    expected = (2, "svaml: error: --select: 'XY1' selects no rule (run `svaml rules` for the codes)\n")
    assert expected == (status, err)


def test_per_file_ignores_from_flag_and_config(capsys: pytest.CaptureFixture[str]) -> None:
    """Per-file ignores drop codes in matching files; the flag replaces the configuration's."""
    write("docs/a.json", MISSING)
    write("b.json", MISSING)
    write("pyproject.toml", '[tool.svaml.per-file-ignores]\n"b.json" = ["SV101"]\n')
    only_docs = [("docs/a.json", "SV101", 1, 1)]
    assert only_docs == _codes(capsys, "docs/a.json", "b.json")
    expected = [("b.json", "SV101", 1, 1)]
    assert expected == _codes(capsys, "--per-file-ignores", "docs/*:SV1", "docs/a.json", "b.json")
    status, _, err = _lint(capsys, "--per-file-ignores", "SV1", "b.json")
    usage_error = (2, "svaml: error: --per-file-ignores 'SV1': expected GLOB:CODES\n")
    assert usage_error == (status, err)


def test_configuration_precedence(capsys: pytest.CaptureFixture[str]) -> None:
    """The nearest pyproject.toml applies from a subdirectory; flags override it; --isolated drops it."""
    write("pyproject.toml", '[tool.svaml]\nselect = ["SV020"]\noutput-format = "concise"\n')
    write("sub/a.json", CASED)
    write("sub/b.json", MISSING)
    os.chdir("sub")
    status, out, _ = _lint(capsys, "a.json", "b.json")
    expected = (1, "a.json:3:24: SV020 [*] warning: name 'HangUp' is not the canonical form; write 'hangup'")
    assert expected == (status, out.splitlines()[0])
    only_b = [("b.json", "SV101", 1, 1)]
    assert only_b == _codes(capsys, "--select", "SV1", "a.json", "b.json")
    both = 2
    assert both == len(_codes(capsys, "--isolated", "a.json", "b.json"))


def test_config_flag_and_bad_config(capsys: pytest.CaptureFixture[str]) -> None:
    """--config reads a given file; a bad configuration exits 2 with a clear message."""
    write("a.json", CASED)
    write("elsewhere/conf.toml", '[tool.svaml]\nignore = ["SV020"]\n')
    expected: list[Any] = []
    assert expected == _codes(capsys, "--config", "elsewhere/conf.toml", "a.json")
    write("pyproject.toml", '[tool.svaml]\nselct = ["SV1"]\n')
    status, out, err = _lint(capsys, "a.json")
    config_error = (2, "")
    assert config_error == (status, out)
    assert "unknown key 'selct'" in err


def test_exclude_skips_walked_and_named_files(capsys: pytest.CaptureFixture[str]) -> None:
    """Configured exclude globs skip files in walks and named files, with a note for the latter."""
    write("pyproject.toml", '[tool.svaml]\nexclude = ["fixtures"]\n')
    write("fixtures/bad.json", MISSING)
    write("ok.json", CLEAN)
    note = "svaml: fixtures/bad.json: skipped, excluded by the configuration\n"
    expected = (0, "All checks passed!\n", note)
    assert expected == _lint(capsys, ".", "fixtures/bad.json")


def test_stdin_with_stdin_filename(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """- reads standard input, reported under --stdin-filename, whose suffix sets the callback."""
    _stdin(monkeypatch, ANSWER.encode())
    expected = [("call.ace.json", "SV202", 1, 28)]
    assert expected == _codes(capsys, "-", "--stdin-filename", "call.ace.json")
    _stdin(monkeypatch, ANSWER.encode())
    assert expected == _codes(capsys, "--stdin-filename", "call.ace.json")
    _stdin(monkeypatch, b"[1]")
    not_an_object = [("-", "SV002", 1, 1)]
    assert not_an_object == _codes(capsys, "-")


def test_stdin_markdown(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input named *.md is read as Markdown."""
    _stdin(monkeypatch, ("# T\n\n```json\n" + MISSING + "```\n").encode())
    expected = [("README.md", "SV101", 4, 1)]
    assert expected == _codes(capsys, "-", "--stdin-filename", "README.md")


def test_markdown_blocks_are_reported_at_markdown_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """Each SVAML json block is checked and reported at its line in the Markdown file."""
    write(
        "guide.md",
        "# Guide\n\nText.\n\n```json\n" + CASED + "```\n\n"
        '- A bare action:\n\n  ```json\n  {"name": "Park", "maxDuration": 20000}\n  ```\n',
    )
    expected = [
        ("guide.md", "SV020", 8, 24),
        ("guide.md", "SV020", 15, 12),
        ("guide.md", "SV501", 15, 35),
    ]
    assert expected == _codes(capsys, "guide.md")


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "gitlab"])
def test_every_output_format_to_a_file(capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    """-o writes the report to a file in each format; data formats parse back."""
    write("a.json", MISSING)
    status, out, _ = _lint(capsys, "--output-format", output_format, "-o", "report.out", "a.json")
    report = Path("report.out").read_text(encoding="utf-8")
    report_only = (1, "")
    assert report_only == (status, out)
    if output_format == "json":
        code = "SV101"
        assert code == json.loads(report)[0]["code"]
    elif output_format == "sarif":
        code = "SV101"
        assert code == json.loads(report)["runs"][0]["results"][0]["ruleId"]
    elif output_format == "gitlab":
        code = "SV101"
        assert code == json.loads(report)[0]["check_name"]
    elif output_format == "github":
        assert report.startswith("::error file=a.json,line=1,col=1,")
    else:
        assert report.startswith("a.json:1:1: SV101 ")


def test_github_format_is_the_default_in_github_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With GITHUB_ACTIONS=true and no format chosen, the output is GitHub annotations."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write("a.json", MISSING)
    status, out, _ = _lint(capsys, "a.json")
    expected = (1, "::error file=a.json,line=1,col=1,")
    assert expected == (status, out[:33])
    status, out, _ = _lint(capsys, "--output-format", "concise", "a.json")
    assert out.startswith("a.json:1:1: SV101")


def test_unwritable_output_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An output file in a missing directory is an I/O error."""
    write("a.json", CLEAN)
    status, _, err = _lint(capsys, "-o", "no/such/dir/out.txt", "a.json")
    io_error = (2, True)
    assert io_error == (status, err.startswith("svaml: error: no/such/dir/out.txt: cannot write"))


def test_fix_rewrites_the_file_keeping_its_indentation(capsys: pytest.CaptureFixture[str]) -> None:
    """--fix applies the fixes in place, keeps the 4-space layout, and exits 0 when all are fixed."""
    path = write("a.json", CASED)
    status, out, _ = _lint(capsys, "--fix", "a.json")
    expected = (0, "Fixed 1 problem.\n", CASED.replace("HangUp", "hangup"))
    assert expected == (status, out, path.read_text())


def test_fix_keeps_byte_order_mark_and_tabs(capsys: pytest.CaptureFixture[str]) -> None:
    """A UTF-8 BOM and tab indentation survive a fix."""
    text = '{\n\t"action": {\n\t\t"name": "HANGUP"\n\t}\n}'
    path = write("a.json", b"\xef\xbb\xbf" + text.encode())
    fixed_all = 0
    assert fixed_all == _lint(capsys, "--fix", "a.json")[0]
    assert b"\xef\xbb\xbf" + text.replace("HANGUP", "hangup").encode() == path.read_bytes()


def test_fix_leaves_remaining_problems_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """What cannot be fixed is still reported after the fixes, with exit 1."""
    path = write("a.json", '{"instructions": [{"name": "Say", "text": "x"}]}')
    status, out, _ = _lint(capsys, "--fix", "--output-format", "concise", "a.json")
    expected = (1, '{"instructions": [{"name": "say", "text": "x"}]}')
    assert expected == (status, path.read_text())
    assert out.endswith("Fixed 1 problem.\nFound 1 error, 0 warnings.\n")


def test_fix_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """--fix rewrites json blocks in a Markdown file, leaving the prose alone."""
    path = write("doc.md", "Intro.\n\n```json\n" + CASED + "```\n\nEnd.\n")
    fixed_all = 0
    assert fixed_all == _lint(capsys, "--fix", "doc.md")[0]
    expected = "Intro.\n\n```json\n" + CASED.replace("HangUp", "hangup") + "```\n\nEnd.\n"
    assert expected == path.read_text()


def test_fix_refused_with_duplicate_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """A file with duplicate keys is not rewritten; svaml says why."""
    text = '{"action": {"name": "HangUp"}, "x": 1, "x": 2}'
    path = write("a.json", text)
    status, _, err = _lint(capsys, "--fix", "a.json")
    expected = (1, text, True)
    assert expected == (status, path.read_text(), "not fixed, left as it was" in err)


def test_fix_on_stdin_writes_the_document_to_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With - and --fix, the fixed document goes to stdout and the report to stderr."""
    _stdin(monkeypatch, CASED.encode())
    status, out, err = _lint(capsys, "--fix", "-")
    expected = (0, CASED.replace("HangUp", "hangup"), "Fixed 1 problem.\n")
    assert expected == (status, out, err)
    _stdin(monkeypatch, CLEAN.encode())
    unchanged = (0, CLEAN)
    assert unchanged == _lint(capsys, "--fix", "-")[:2]


def test_parallel_and_serial_give_the_same_report(capsys: pytest.CaptureFixture[str]) -> None:
    """Linting 300 files in two processes reports exactly what one process reports, in order."""
    for index in range(300):
        write(f"corpus/doc{index:03d}.json", MISSING if index % 7 == 0 else CLEAN)
    parallel = _lint(capsys, "-j", "2", "--output-format", "concise", "corpus")
    serial = _lint(capsys, "--jobs", "1", "--output-format", "concise", "corpus")
    expected = (1, "Found 43 errors, 0 warnings.")
    assert expected == (parallel[0], parallel[1].splitlines()[-1])
    assert serial == parallel


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "a.json:1:1: SV001 the file is empty: expected a JSON document"),
        (b"  \n", "a.json:1:1: SV001 the file holds only whitespace: expected a JSON document"),
        (b'{"a":\n 1\x00}', "a.json:2:3: SV001 binary file (it holds NUL bytes): not JSON or Markdown text"),
        (b'{\n "\xe9": 1}', "a.json:2:3: SV001 not UTF-8: byte 0xE9 cannot be decoded"),
        ("{}".encode("utf-16"), "a.json:1:1: SV001 UTF-16 or UTF-32 text: JSON must be UTF-8"),
        (b'{"action": {"name": "hangup"},\n}', "a.json:2:1: SV001 invalid JSON: trailing comma"),
        (b"[" * 100_000, "a.json:1:501: SV001 invalid JSON: nested too deeply to check"),
    ],
)
def test_bad_files_get_one_clear_diagnostic(
    capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    """Empty, blank, binary, non-UTF-8, UTF-16, invalid and too deep files: one SV001 each."""
    write("a.json", content)
    status, out, err = _lint(capsys, "--output-format", "concise", "a.json")
    expected = (1, message, "")
    assert expected == (status, out.splitlines()[0][: len(message)], err)


def test_missing_path_exits_2_but_checks_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist is an error naming it; other files are still checked."""
    write("a.json", MISSING)
    status, out, err = _lint(capsys, "--output-format", "concise", "nope.json", "a.json")
    expected = (2, "svaml: error: nope.json: no such file or directory\n", True)
    assert expected == (status, err, out.startswith("a.json:1:1: SV101"))


def test_broken_symlink_is_a_read_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A link to nothing cannot be read: exit 2, a message naming it, and no success line."""
    Path("link.json").symlink_to("gone.json")
    status, out, err = _lint(capsys, "link.json")
    expected = (2, "svaml: error: link.json: is a broken symbolic link (to gone.json)\n", False)
    assert expected == (status, err, "All checks passed!" in out)


WRITE_ONLY = "/proc/sys/vm/compact_memory"  # mode 0200: even root cannot read it


def test_unreadable_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A file without read permission is reported by name, exit 2."""
    if os.geteuid() == 0:
        if not os.path.exists(WRITE_ONLY):
            pytest.skip("root reads any file, and there is no write-only file here")
        name = WRITE_ONLY
    else:
        name = "a.json"
        write(name, CLEAN).chmod(0)
    status, _, err = _lint(capsys, name)
    expected = (2, f"svaml: error: {name}: permission denied\n")
    assert expected == (status, err)


def test_output_file_that_is_a_directory_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """-o naming a directory is an I/O error naming it."""
    write("a.json", CLEAN)
    Path("reports").mkdir()
    status, _, err = _lint(capsys, "-o", "reports", "a.json")
    expected = (2, "svaml: error: reports: cannot write: Is a directory\n")
    assert expected == (status, err)


def test_enormous_file_is_refused_without_reading(capsys: pytest.CaptureFixture[str]) -> None:
    """A file over 10 MiB is refused at once with a message (exit 2), not read, and nothing passed."""
    with open("big.json", "wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    status, out, err = _lint(capsys, "big.json")
    message = (
        "svaml: error: big.json: is too large to check: 10,485,761 bytes or more, over the limit of "
        "10,485,760 (raise it with --max-file-size or max-file-size in [tool.svaml])\n"
    )
    expected = (2, message, "Some files could not be checked (see above).\n")
    assert expected == (status, err, out)


def test_enormous_stdin_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard input over 10 MiB is refused too."""
    _stdin(monkeypatch, b" " * (MAX_BYTES + 1))
    status, _, err = _lint(capsys, "-")
    refused = (2, True)
    assert refused == (status, "too large to check" in err)


def test_device_that_never_ends_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """/dev/zero is refused without being read: it is not a regular file; nothing passed."""
    status, out, err = _lint(capsys, "/dev/zero")
    refused = (
        2,
        "svaml: error: /dev/zero: is a character device, not a regular file; "
        "svaml reads only regular files\n",
        False,
    )
    assert refused == (status, err, "All checks passed!" in out)


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml rules` prints a table of code, name, severity and fixable, one rule a line."""
    from svaml.rules import RULES

    ok = 0
    assert ok == main(["rules"])
    lines = capsys.readouterr().out.splitlines()
    expected = (["code", "name", "severity", "fixable", "summary"], len(RULES) + 1)
    assert expected == (lines[0].split(), len(lines))
    row = next(line for line in lines if line.startswith("SV020"))
    row_start = ["SV020", "noncanonical-name", "warning", "safe"]
    assert row_start == row.split()[:4]
    ok = 0
    assert ok == main(["rules", "--output-format", "json"])
    items = json.loads(capsys.readouterr().out)
    assert sorted(RULES) == sorted(item["code"] for item in items)


def test_rule_explains_a_rule_by_code_or_name(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml rule CODE` prints the rule's doc for a terminal; a name or lower-case code works too."""
    from svaml.rules import RULES

    rule = RULES["SV103"]
    ok = 0
    assert ok == main(["rule", "sv103"])
    out = capsys.readouterr().out
    first = rule.doc.split("\n\n")[1].split()[0]  # a word of the doc's second paragraph
    expected = (f"# SV103 {rule.name}", True, True)
    assert expected == (out.splitlines()[0], first in out, out.rstrip().endswith(rule.url))
    ok = 0
    assert ok == main(["rule", rule.name])
    assert out == capsys.readouterr().out


def test_unknown_rule_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml rule` with an unknown code exits 2 with a message."""
    expected = (2, "svaml: error: unknown rule 'SV999'; `svaml rules` lists them\n")
    assert expected == (main(["rule", "SV999"]), capsys.readouterr().err)


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml schema` prints the document schema as JSON."""
    ok = 0
    assert ok == main(["schema"])
    assert document_schema() == json.loads(capsys.readouterr().out)


def test_usage_errors_exit_2_and_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """No command or a bad option is a usage error (2); --help and --version exit 0."""
    expected = [2, 2, 2, 0, 0, 0]
    assert expected == [
        main([]),
        main(["lint", "--output-format", "xml"]),
        main(["lint", "--callback", "dice2"]),
        main(["--help"]),
        main(["lint", "--help"]),
        main(["--version"]),
    ]
    assert "svaml 0." in capsys.readouterr().out


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml --version` prints svaml.__version__, the one place the version is written."""
    expected = (0, f"svaml {svaml.__version__}\n")
    assert expected == (main(["--version"]), capsys.readouterr().out)


def test_python_m_svaml_lint_runs_in_a_subprocess(tmp_path: Path) -> None:
    """`python -m svaml lint` works as a program: real stdout, stderr and exit status."""
    write("a.ice.json", CASED)
    write("b.json", MISSING)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(
        [sys.executable, "-m", "svaml", "lint", "--output-format", "concise", "."],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    expected = (
        1,
        [
            "a.ice.json:3:24: SV020 [*] warning: name 'HangUp' is not the canonical form; write 'hangup'",
            "b.json:1:1: SV101 the action is missing: a SVAML document needs exactly one action "
            "(for example hangup or continue)",
            "Found 1 error, 1 warning.",
            "[*] 1 fixable with --fix.",
        ],
        "",
    )
    assert expected == (result.returncode, result.stdout.splitlines(), result.stderr)


def test_lint_loads_no_heavy_library(tmp_path: Path) -> None:
    """`svaml lint` loads neither requests (the REST client), jsonschema nor hypothesis."""
    write("a.json", CLEAN)
    code = (
        "import contextlib, io, sys\n"
        "from svaml.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(sys.argv[1:])\n"
        "print(sorted(m for m in ('hypothesis', 'jsonschema', 'requests') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    loaded = subprocess.run(
        [sys.executable, "-c", code, "lint", "a.json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout.strip()
    expected = "[]"
    assert expected == loaded


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml --help` names lint, rules, rule, schema, the REST subcommands and the snippet commands."""
    status = main(["--help"])
    out = capsys.readouterr().out
    commands = [line.split()[0] for line in out.splitlines() if re.match(r"    \S", line)]
    snippets = ["render", "describe", "diagram", "docs"]
    rest = ["call", "conference", "numbers", "callback-urls"]
    expected = (0, ["lint", "rules", "rule", "schema", *rest, *snippets, "simulate", "send", "emulator"])
    assert expected == (status, commands)


def test_fix_in_process_gives_back_the_signal_handlers(capsys: pytest.CaptureFixture[str]) -> None:
    """main() run inside another program puts back that program's handlers after --fix."""
    write("a.ice.json", CASED)
    before = [signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]
    status = _lint(capsys, "--fix", "a.ice.json")[0]
    after = [signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]
    assert (0, before) == (status, after)

"""Tests for svaml.cli.formats: every output format of ``svaml lint``, parsed back where it is data."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from svaml.cli.formats import FORMATS, Summary, make_reporter, summary_line
from svaml.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from svaml.rules import RULES

SAY = Diagnostic(
    code="SV020",
    name="noncanonical-name",
    severity=Severity.WARNING,
    message="name 'Say' is not the canonical form; write 'say'",
    pointer="/instructions/0/name",
    line=2,
    column=29,
    end_line=2,
    end_column=34,
    fix=Fix(
        description="write 'say'",
        edits=(Edit(op="replace", path="/instructions/0/name", value="say"),),
        applicability=Applicability.SAFE,
    ),
)
MOVE = Diagnostic(
    code="SV021",
    name="noncanonical-field-name",
    severity=Severity.WARNING,
    message="field 'callheaders' is read as 'callHeaders'",
    pointer="/action/callheaders",
    line=3,
    column=5,
    fix=Fix(
        description="rename",
        edits=(Edit(op="move", path="/action/callHeaders", from_="/action/callheaders"),),
        applicability=Applicability.SAFE,
    ),
)
BROKEN = Diagnostic(
    code="SV001",
    name="invalid-json",
    severity=Severity.ERROR,
    message="invalid JSON: trailing comma, 100%\nreally",
    line=1,
    column=31,
    end_line=1,
    end_column=32,
)
LINES = {2: '  "instructions": [{"name": "Say", "text": "hi"}],', 1: '{"action": {"name": "hangup"},}'}


def _render(output_format: str, files: list[tuple[str, list[Diagnostic]]], **kwargs: Any) -> str:
    stream = io.StringIO()
    reporter = make_reporter(output_format, stream, rules=RULES, version="9.9", **kwargs)
    for name, diagnostics in files:
        reporter.file(name, diagnostics, LINES)
    reporter.finish(Summary(errors=1, warnings=1, fixable=1))
    return stream.getvalue()


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (Summary(), "All checks passed!"),
        (Summary(errors=1), "Found 1 error, 0 warnings."),
        (Summary(errors=2, warnings=1, fixable=1), "Found 2 errors, 1 warning.\n[*] 1 fixable with --fix."),
        (
            Summary(errors=1, fixable=1, hidden=2),
            "Found 1 error, 0 warnings.\n"
            "[*] 1 fixable with --fix (2 hidden fixes can be enabled with --unsafe-fixes).",
        ),
        (
            Summary(errors=1, hidden=1),
            "Found 1 error, 0 warnings.\n"
            "No fixes available (1 hidden fix can be enabled with --unsafe-fixes).",
        ),
        (Summary(fixed=3), "Fixed 3 problems."),
        (Summary(warnings=2, fixed=1), "Fixed 1 problem.\nFound 0 errors, 2 warnings."),
    ],
)
def test_summary_line_counts_errors_warnings_and_fixes(summary: Summary, expected: str) -> None:
    """The last line says how many errors and warnings, how many fixable, or that all passed."""
    assert expected == summary_line(summary)


def test_full_format_shows_source_line_caret_and_help() -> None:
    """The full format is ruff-like: location, code, message, the line, a caret, the fix."""
    expected = (
        "a.json:2:29: SV020 [*] warning: name 'Say' is not the canonical form; write 'say'\n"
        "  |\n"
        '2 |   "instructions": [{"name": "Say", "text": "hi"}],\n'
        "  |                             ^^^^^ SV020\n"
        "  |\n"
        "  = help: write 'say'\n"
        "\n"
        "Found 1 error, 1 warning.\n[*] 1 fixable with --fix.\n"
    )
    assert expected == _render("full", [("a.json", [SAY])])


def test_full_format_aligns_caret_after_tabs_and_windows_long_lines() -> None:
    """Tabs are expanded on both lines; a very long line is cut around the problem."""
    tabbed = Diagnostic(
        code="SV001", name="invalid-json", severity=Severity.ERROR, message="m", line=1, column=3
    )
    stream = io.StringIO()
    reporter = make_reporter("full", stream, rules=RULES)
    reporter.file("t.json", [tabbed], {1: "\t\tx"})
    expected = "1 |         x\n  |         ^ SV001\n"
    assert expected in stream.getvalue()
    far = Diagnostic(
        code="SV001", name="invalid-json", severity=Severity.ERROR, message="m", line=1, column=5001
    )
    stream = io.StringIO()
    reporter = make_reporter("full", stream, rules=RULES)
    reporter.file("w.json", [far], {1: "a" * 5000 + "X" + "b" * 5000})
    shown = stream.getvalue().splitlines()
    expected_shown = "…" + "a" * 20 + "X"
    assert shown[2].startswith("1 | " + expected_shown)
    assert shown[3] == "  | " + " " * 21 + "^ SV001"


def test_concise_format_is_one_line_each() -> None:
    """The concise format prints path:line:col: CODE message, and quiet drops the summary."""
    expected = (
        "a.json:2:29: SV020 [*] warning: name 'Say' is not the canonical form; write 'say'\n"
        "b.json:1:31: SV001 invalid JSON: trailing comma, 100%\nreally\n"
    )
    assert expected == _render("concise", [("a.json", [SAY]), ("b.json", [BROKEN])], quiet=True)


def test_json_format_has_the_documented_shape() -> None:
    """The json format is a list of objects with the documented keys, fixes as JSON Patch."""
    items = json.loads(_render("json", [("a.json", [SAY]), ("b.json", [BROKEN, MOVE])]))
    expected_first = {
        "code": "SV020",
        "name": "noncanonical-name",
        "severity": "warning",
        "message": "name 'Say' is not the canonical form; write 'say'",
        "filename": "a.json",
        "location": {"row": 2, "column": 29},
        "end_location": {"row": 2, "column": 34},
        "pointer": "/instructions/0/name",
        "url": RULES["SV020"].url,
        "fix": {
            "message": "write 'say'",
            "applicability": "safe",
            "edits": [{"op": "replace", "path": "/instructions/0/name", "value": "say"}],
        },
    }
    assert expected_first == items[0]
    expected_rest = [
        ("SV001", None, None),
        ("SV021", None, [{"op": "move", "path": "/action/callHeaders", "from": "/action/callheaders"}]),
    ]
    assert expected_rest == [
        (i["code"], i["end_location"] if i["code"] == "SV021" else None, i["fix"] and i["fix"]["edits"])
        for i in items[1:]
    ]


def test_json_format_of_nothing_is_an_empty_list() -> None:
    """With no diagnostics the json format is still valid JSON: an empty list."""
    expected: list[Any] = []
    assert expected == json.loads(_render("json", [("a.json", [])]))


def test_sarif_format_is_sarif_2_1_0_with_rules_metadata() -> None:
    """SARIF output names svaml and its rules, and each result points at a rule and a region."""
    log = json.loads(_render("sarif", [("dir/a.json", [SAY]), ("b.json", [BROKEN])]))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    expected_head = ("2.1.0", "svaml", "9.9", sorted(RULES))
    assert expected_head == (
        log["version"],
        run["tool"]["driver"]["name"],
        run["tool"]["driver"]["version"],
        [r["id"] for r in rules],
    )
    first = run["results"][0]
    expected_first = {
        "ruleId": "SV020",
        "level": "warning",
        "uri": "dir/a.json",
        "region": {"startLine": 2, "startColumn": 29, "endLine": 2, "endColumn": 34},
        "rule": "SV020",
    }
    assert expected_first == {
        "ruleId": first["ruleId"],
        "level": first["level"],
        "uri": first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "region": first["locations"][0]["physicalLocation"]["region"],
        "rule": rules[first["ruleIndex"]]["id"],
    }
    levels = ["error"]
    assert levels == [r["level"] for r in run["results"][1:]]


def test_sarif_format_without_results_is_valid() -> None:
    """A clean run is a SARIF log with an empty results list."""
    log = json.loads(_render("sarif", []))
    expected: list[Any] = []
    assert expected == log["runs"][0]["results"]


def test_github_format_writes_escaped_workflow_commands() -> None:
    """GitHub annotations name file, line, column and code, with % , : and newlines escaped."""
    expected = (
        "::warning file=a%2Cb%3A.json,line=2,col=29,endLine=2,endColumn=34,title=SV020::"
        "SV020 name 'Say' is not the canonical form; write 'say'\n"
        "::error file=b.json,line=1,col=31,endLine=1,endColumn=32,title=SV001::"
        "SV001 invalid JSON: trailing comma, 100%25%0Areally\n"
    )
    assert expected == _render("github", [("a,b:.json", [SAY]), ("b.json", [BROKEN])])


def test_gitlab_format_has_stable_unique_fingerprints() -> None:
    """Code Quality items carry fingerprints that differ per problem and do not depend on lines."""
    moved = Diagnostic(
        code=SAY.code, name=SAY.name, severity=SAY.severity, message=SAY.message, pointer=SAY.pointer, line=9
    )
    first = json.loads(_render("gitlab", [("a.json", [SAY, SAY, BROKEN])]))
    again = json.loads(_render("gitlab", [("a.json", [moved])]))
    fingerprints = [item["fingerprint"] for item in first]
    expected = (3, fingerprints[0], ["minor", "minor", "major"])
    assert expected == (len(set(fingerprints)), again[0]["fingerprint"], [i["severity"] for i in first])
    positions = {"begin": {"line": 2, "column": 29}, "end": {"line": 2, "column": 34}}
    location = {"path": "a.json", "positions": positions}
    assert location == first[0]["location"]


def test_every_format_has_a_reporter() -> None:
    """make_reporter knows every name --output-format accepts."""
    expected = list(FORMATS)
    assert expected == [name for name in FORMATS if _render(name, []) is not None]

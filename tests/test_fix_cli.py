"""Fix safety as ruff has it, through ``svaml lint`` on real files.

--fix, --unsafe-fixes, --diff, --show-fixes, --statistics, and a property test that --fix changes
nothing but what it fixes.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svaml import validate
from svaml.cli import main
from svaml.strategies import documents

# SV020 (safe: the name's letter case) and SV401 (unsafe: a '+' assumed before the digits).
MIXED = '{\n  "action": {"name": "ConnectPstn", "number": "46701234567"}\n}\n'
SAFE_FIXED = '{\n  "action": {"name": "connectPstn", "number": "46701234567"}\n}\n'
ALL_FIXED = '{\n  "action": {"name": "connectPstn", "number": "+46701234567"}\n}\n'


pytestmark = pytest.mark.usefixtures("in_tmp_path")  # each test in its own directory


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["lint", "--isolated", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _head(line: str) -> str:
    return " ".join(line.split(": ", 1)[1].split()[:2])


def test_fix_applies_only_safe_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    """--fix repairs the name's case, leaves the number, and says the unsafe fix is hidden."""
    Path("a.json").write_text(MIXED)
    status, out, _ = _lint(capsys, "--fix", "--output-format", "concise", "a.json")
    expected = (
        1,
        SAFE_FIXED,
        [
            "a.json:2:47: SV401 number '46701234567' has no leading '+' (Sinch error 40005 "
            "NumberMissingLeadingPlus): write '+46701234567' if the digits start with the country code",
            "Fixed 1 problem.",
            "Found 1 error, 0 warnings.",
            "No fixes available (1 hidden fix can be enabled with --unsafe-fixes).",
        ],
    )
    assert expected == (status, Path("a.json").read_text(), out.splitlines())


def test_unsafe_fixes_with_fix_applies_both(capsys: pytest.CaptureFixture[str]) -> None:
    """--fix --unsafe-fixes repairs the unsafe number as well."""
    Path("a.json").write_text(MIXED)
    status, out, _ = _lint(capsys, "--fix", "--unsafe-fixes", "a.json")
    expected = (0, ALL_FIXED, "Fixed 2 problems.\n")
    assert expected == (status, Path("a.json").read_text(), out)


def test_without_fix_the_summary_counts_safe_and_hidden_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --fix: [*] on the safe one only; with --unsafe-fixes on both, fixable with both flags."""
    Path("a.json").write_text(MIXED)
    plain = _lint(capsys, "--output-format", "concise", "a.json")[1].splitlines()
    unsafe = _lint(capsys, "--unsafe-fixes", "--output-format", "concise", "a.json")[1].splitlines()
    expected = (
        ["SV020 [*]", "SV401 number"],
        "[*] 1 fixable with --fix (1 hidden fix can be enabled with --unsafe-fixes).",
        ["SV020 [*]", "SV401 [*]"],
        "[*] 2 fixable with --fix --unsafe-fixes.",
        MIXED,
    )
    assert expected == (
        [_head(line) for line in plain[:2]],
        plain[-1],
        [_head(line) for line in unsafe[:2]],
        unsafe[-1],
        Path("a.json").read_text(),
    )


def test_diff_prints_what_fix_would_change_and_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """--diff prints a diff of the safe fixes, exit 1, the file unchanged; exit 0 with nothing to fix."""
    Path("a.json").write_text(MIXED)
    Path("b.json").write_text(ALL_FIXED)
    status, out, err = _lint(capsys, "--diff", "a.json", "b.json")
    clean = _lint(capsys, "--diff", "b.json")
    expected = (
        1,
        "--- a.json\n"
        "+++ a.json\n"
        "@@ -1,3 +1,3 @@\n"
        " {\n"
        '-  "action": {"name": "ConnectPstn", "number": "46701234567"}\n'
        '+  "action": {"name": "connectPstn", "number": "46701234567"}\n'
        " }\n",
        "Would fix 1 problem in 1 file (1 hidden fix can be enabled with --unsafe-fixes).\n",
        MIXED,
        (0, "", "No fixes to make.\n"),
    )
    assert expected == (status, out, err, Path("a.json").read_text(), clean)


def test_diff_with_unsafe_fixes_shows_them_too(capsys: pytest.CaptureFixture[str]) -> None:
    """--diff --unsafe-fixes includes the unsafe fix in the diff."""
    Path("a.json").write_text(MIXED)
    status, out, _ = _lint(capsys, "--diff", "--unsafe-fixes", "a.json")
    expected = (1, '+  "action": {"name": "connectPstn", "number": "+46701234567"}')
    assert expected == (status, out.splitlines()[5])


def test_diff_counts_the_unsafe_fixes_it_leaves_out(capsys: pytest.CaptureFixture[str]) -> None:
    """--diff of a file with only an unsafe fix shows nothing, exit 0, and says how to see it."""
    Path("a.json").write_text(SAFE_FIXED)
    expected = (0, "", "No fixes to make (1 hidden fix can be enabled with --unsafe-fixes).\n")
    assert expected == _lint(capsys, "--diff", "a.json")


def test_show_fixes_with_unsafe_fixes_names_both_flags(capsys: pytest.CaptureFixture[str]) -> None:
    """--unsafe-fixes --show-fixes counts the unsafe fix too, which only --fix --unsafe-fixes applies."""
    Path("a.json").write_text(MIXED)
    out = _lint(capsys, "--unsafe-fixes", "--show-fixes", "-q", "--output-format", "concise", "a.json")[1]
    shown = _lint(capsys, "--unsafe-fixes", "--show-fixes", "--output-format", "concise", "a.json")[1]
    expected = (
        "",
        "2 fixable with --fix --unsafe-fixes:\n"
        "- a.json:\n"
        "    1 \N{MULTIPLICATION SIGN} SV020 (noncanonical-name)\n"
        "    1 \N{MULTIPLICATION SIGN} SV401 (number-not-e164)\n",
    )
    assert expected == (out.split("\n", 2)[2], shown.split("\n\n", 1)[1])


@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab"])
@pytest.mark.parametrize("fix", [False, True], ids=["available", "applied"])
def test_show_fixes_never_follows_a_report_programs_read(
    capsys: pytest.CaptureFixture[str], output_format: str, fix: bool
) -> None:
    """--show-fixes lists only after the text formats, as ruff: a JSON, SARIF or GitLab report stays JSON."""
    Path("a.json").write_text(MIXED)
    flags = ["--fix"] if fix else []
    status, out, _ = _lint(capsys, *flags, "--show-fixes", "--output-format", output_format, "a.json")
    report = json.loads(out)  # fails if anything follows the report
    expected = (1, True)
    assert expected == (status, bool(report))


def test_show_fixes_lists_the_fixes_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    """--show-fixes lists per file how many fixes of each rule are available, or with --fix applied."""
    Path("a.json").write_text(
        '{"instructions": [{"name": "Say", "text": "x"}], "action": {"name": "HangUp"}}'
    )
    Path("b.json").write_text(MIXED)
    available = _lint(capsys, "--show-fixes", "--output-format", "concise", "a.json", "b.json")[1]
    status, _, _ = _lint(capsys, "--fix", "--show-fixes", "-o", "report.txt", "a.json", "b.json")
    per_file = "- a.json:\n    2 \N{MULTIPLICATION SIGN} SV020 (noncanonical-name)\n"
    per_file += "- b.json:\n    1 \N{MULTIPLICATION SIGN} SV020 (noncanonical-name)\n"
    expected = ("\n3 fixable with --fix:\n" + per_file, 1, "\nFixed 3 problems:\n" + per_file)
    report = Path("report.txt").read_text()
    assert expected == (
        available[available.index("\n3 fixable") :],
        status,
        report[report.rindex("\nFixed 3") :],
    )


def test_statistics_counts_per_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """--statistics prints count, code, fixable mark and name per rule, most frequent first, as ruff."""
    Path("a.json").write_text(
        '{"instructions": [{"name": "Say", "text": "x"}], "action": {"name": "HangUp"}}'
    )
    Path("b.json").write_text(MIXED)
    status, out, _ = _lint(capsys, "--statistics", "a.json", "b.json")
    json_status, json_out, _ = _lint(capsys, "--statistics", "--output-format", "json", "a.json", "b.json")
    expected = (
        1,
        "3\tSV020\t[*] noncanonical-name\n1\tSV401\t[ ] number-not-e164\n",
        [
            {"code": "SV020", "name": "noncanonical-name", "count": 3, "fixable": True},
            {"code": "SV401", "name": "number-not-e164", "count": 1, "fixable": False},
        ],
    )
    assert expected == (status, out, json.loads(json_out))
    assert json_status == 1


def test_json_output_says_each_fix_applicability(capsys: pytest.CaptureFixture[str]) -> None:
    """The json format gives each fix's applicability, safe or unsafe."""
    Path("a.json").write_text(MIXED)
    _, out, _ = _lint(capsys, "--output-format", "json", "a.json")
    expected = [("SV020", "safe"), ("SV401", "unsafe")]
    assert expected == [(item["code"], item["fix"]["applicability"]) for item in json.loads(out)]


# -- the property: --fix changes what it fixes and nothing else ---------------------------------

_CASES = (str.upper, str.title, lambda name: name[:1].upper() + name[1:])


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _walk(item, f"{path}/{index}")
    return found


def _set(doc: Any, path: str, value: Any) -> None:
    *parents, last = path[1:].split("/")
    for token in parents:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    if isinstance(doc, list):
        doc[int(last)] = value
    else:
        doc[last] = value


@st.composite
def _broken(draw: st.DrawFn) -> tuple[Any, Any, Any, Any]:
    """A clean ICE document, and it broken with safe-fixable, unsafe-fixable and unfixable mistakes.

    Returns (broken, after --fix, after --fix --unsafe-fixes, the clean original).
    """
    clean = json.loads(draw(documents("ice")).to_json())
    broken = json.loads(json.dumps(clean))
    unsafe_only = json.loads(json.dumps(clean))  # what --fix leaves: the unsafe and unfixable mistakes
    for path, value in _walk(clean):
        if path.endswith("/name") and isinstance(value, str) and draw(st.booleans()):
            slipped = draw(st.sampled_from(_CASES))(value)
            if slipped != value:
                _set(broken, path, slipped)  # SV020, safe
        elif path.endswith(("/number", "/cli")) and isinstance(value, str) and value.startswith("+"):
            if draw(st.booleans()):
                _set(broken, path, value[1:])  # SV401, unsafe
                _set(unsafe_only, path, value[1:])
        elif isinstance(value, bool) and draw(st.booleans()):
            _set(broken, path, "true" if value else "false")  # SV025, safe
    names = [item.get("name") for item in broken.get("instructions", [])]
    if "answer" in names:
        at = names.index("answer") + 1
        for _ in range(draw(st.integers(0, 3))):
            broken["instructions"].insert(at, {"name": "answer"})  # SV302, safe: the repeats go
    if draw(st.booleans()):
        for doc in (broken, unsafe_only):
            doc["action"]["zzUnknown"] = 1  # SV007, no fix
    all_fixed = json.loads(json.dumps(clean))
    if "zzUnknown" in broken["action"]:
        all_fixed["action"]["zzUnknown"] = 1
    return broken, unsafe_only, all_fixed, clean


def _remaining(text: str) -> list[tuple[str, str]]:
    return sorted((d.code, d.pointer) for d in validate(text, callback="ice"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_broken(), st.sampled_from([2, 4, None]))
def test_fix_changes_only_what_it_fixes(case: tuple[Any, Any, Any, Any], indent: int | None) -> None:
    """After --fix the document reads back as the original plus only what --fix may not touch, both ways."""
    broken, unsafe_only, all_fixed, _ = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "doc.ice.json"
        results = []
        for flags in ([], ["--unsafe-fixes"]):
            path.write_text(json.dumps(broken, indent=indent, ensure_ascii=False))
            main(["lint", "--isolated", "--fix", "-q", "--output-format", "concise", *flags, str(path)])
            text = path.read_text()
            results.append((json.loads(text), _remaining(text)))
    expected = [
        (unsafe_only, _remaining(json.dumps(unsafe_only))),
        (all_fixed, _remaining(json.dumps(all_fixed))),
    ]
    assert expected == results

"""Configurable limits (Limits, [tool.svaml] limits) and the callout rules of Sinch's OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svaml.cli import main
from svaml.errors import SvamlTypeError
from svaml.rules import Limits, check, is_valid, validate, validate_callout


def _say(size: int) -> dict[str, object]:
    say = {"name": "say", "text": "a" * size, "locale": "en-US"}
    return {"instructions": [say], "action": {"name": "hangup"}}


def _sv502(found: list[object]) -> list[str]:
    return [d.message for d in found if getattr(d, "code", None) == "SV502"]  # type: ignore[attr-defined]


def test_raised_say_limit_is_checked_instead_of_sinchs_default() -> None:
    """`Limits(say=1200)` lets 900 characters pass and names the application's limit beyond it."""
    limits = Limits(say=1200)
    expected = (
        [],
        [
            "the text is 1300 characters; Sinch speaks at most 1200 for this application (its "
            "configured limit): shorten it or split it into several parts"
        ],
        True,
        False,
    )
    assert expected == (
        _sv502(validate(_say(900), limits=limits)),
        _sv502(validate(_say(1300), limits=limits)),
        is_valid(_say(900), limits=limits),
        is_valid(_say(900)),
    )


def test_raised_limit_reaches_prompts_and_inline_callout_svaml() -> None:
    """A raised limit applies to `#tts[...]` prompts and to a customCallout's inline ICE SVAML too."""
    options = [{"dtmf": "1", "action": "return(x)"}]
    menu = {"id": "main", "mainPrompt": "#tts[" + "b" * 800 + "]", "options": options}
    prompt = {"action": {"name": "runMenu", "locale": "en-US", "menus": [menu]}}
    callout = {"method": "customCallout", "customCallout": {"ice": json.dumps(_say(800))}}
    expected = (1, 0, 1, 0)
    assert expected == (
        len(_sv502(validate(prompt))),
        len(_sv502(validate(prompt, limits=Limits(say=1000)))),
        len(_sv502(validate_callout(callout))),
        len(_sv502(validate_callout(callout, limits=Limits(say=1000)))),
    )
    check(_say(800), limits=Limits(say=1000))


@pytest.mark.parametrize(
    ("value", "error"), [(0, ValueError), (True, SvamlTypeError), ("600", SvamlTypeError)]
)
def test_limits_refuse_what_is_not_a_positive_whole_number(value: object, error: type[Exception]) -> None:
    """`Limits` refuses zero, booleans and text, with the limit's name in the message."""
    with pytest.raises(error, match="limit 'say'"):
        Limits(say=value)  # type: ignore[arg-type]


def test_lint_reads_limits_from_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`limits = {say = 1200}` in [tool.svaml] lets a 900-character say pass; --isolated checks 600."""
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text("[tool.svaml]\nlimits = {say = 1200}\n", encoding="utf-8")
    Path("long.json").write_text(json.dumps(_say(900)), encoding="utf-8")
    Path("notes.md").write_text("```json\n" + json.dumps(_say(900)) + "\n```\n", encoding="utf-8")
    files = ["--output-format", "concise", "long.json", "notes.md"]
    statuses = (main(["lint", *files]), main(["lint", "--isolated", *files]))
    out = capsys.readouterr().out
    expected = ((0, 1), 2)
    assert expected == (statuses, out.count("SV502"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("limits = {tts = 900}", "unknown limit 'tts'; known limits: say"),
        ("limits = {say = 0}", "limits: limit 'say' must be 1 or more, not 0"),
        ('limits = {say = "1200"}', "limits: limit 'say' must be a whole number, not '1200'"),
        ("limits = 1200", "limits must be a table such as limits = {say = 1200}, not 1200"),
    ],
)
def test_bad_limits_in_pyproject_are_refused_with_where_and_why(
    table: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A limit svaml cannot use stops the lint with exit 2 and says which key and why."""
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text(f"[tool.svaml]\n{table}\n", encoding="utf-8")
    Path("a.json").write_text('{"action": {"name": "hangup"}}', encoding="utf-8")
    status = main(["lint", "a.json"])
    err = capsys.readouterr().err
    expected = (2, True)
    assert expected == (status, f"[tool.svaml]: {message}" in err)


def test_tts_callout_without_destination_is_an_error_on_a_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SV906: `svaml lint` reports a ttsCallout with no destination, at the callout object."""
    monkeypatch.chdir(tmp_path)
    body = {"method": "ttsCallout", "ttsCallout": {"cli": "+46701234567", "text": "Your code is 1234"}}
    Path("callout.json").write_text(json.dumps(body, indent=2), encoding="utf-8")
    status = main(["lint", "--output-format", "json", "callout.json"])
    items = json.loads(capsys.readouterr().out)
    expected = (1, [("SV906", "error", 3, 17)])
    assert expected == (
        status,
        [(i["code"], i["severity"], i["location"]["row"], i["location"]["column"]) for i in items],
    )


def test_custom_callout_enable_dice_is_a_warning_naming_its_origin() -> None:
    """SV907: `enableDice` in a customCallout is flagged as outside Sinch's schema, with its source."""
    custom = {"ace": "https://example.com/ace", "enableDice": True}
    body = {"method": "customCallout", "customCallout": custom}
    found = [(d.code, d.severity.value, d.pointer, d.message) for d in validate(body) if d.code == "SV907"]
    expected = [
        (
            "SV907",
            "warning",
            "/customCallout/enableDice",
            "'enableDice' is not in Sinch's customCallout schema (svaml knows it from Sinch's OpenAPI AMD "
            "custom callout example; the Java and Node SDKs leave it out); Sinch may ignore it",
        )
    ]
    assert expected == found


def test_unknown_callout_fields_seen_in_sinch_material_name_their_origin() -> None:
    """SV007 on `pop` and `destination.number` in a callout says where Sinch's material shows them."""
    destination = {"type": "number", "number": "+46701234567"}
    body = {"method": "customCallout", "pop": "x", "customCallout": {"destination": destination}}
    found = [(d.pointer, d.message) for d in validate(body) if d.code == "SV007"]
    expected = [
        (
            "/pop",
            "unknown field 'pop' in the callout request: Sinch's schema has no such field (it appears in "
            "Sinch's OpenAPI customCallout example); Sinch ignores it",
        ),
        (
            "/customCallout/destination/number",
            "unknown field 'number' in customCallout.destination: Sinch's schema has no such field (it "
            "appears in Sinch's OpenAPI JavaScript example, in place of 'endpoint'); Sinch ignores it",
        ),
    ]
    assert expected == found

"""check-jsonschema with svaml's per-callback schemas rejects what the rules reject, for their limits.

Real files, the real check-jsonschema command: one run per schema, all runs at once (it is slow
to start). Each bad file breaks one rule; svaml's validator must report that rule, and
check-jsonschema must reject exactly the bad files (plus, with ``--strict``, the files that read
but are not canonical or hold unknown keys).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from svaml.cli import main
from svaml.model.permissions import ACTIONS_ALLOWED, INSTRUCTIONS_ALLOWED, Callback
from svaml.rules import validate

_TEXT = "Your appointment is confirmed. " * 20  # 620 characters
_MENU_OPTIONS = [{"dtmf": "1", "action": "return(sales)"}]


def _doc(action: dict[str, Any], *instructions: dict[str, Any]) -> dict[str, Any]:
    return {"instructions": list(instructions), "action": action}


def _say(text: str) -> dict[str, Any]:
    return {"name": "say", "text": text, "locale": "en-US"}


def _menu(**fields: Any) -> dict[str, Any]:
    menu = {"id": "main", "options": _MENU_OPTIONS, **fields}
    return {"name": "runMenu", "locale": "en-US", "menus": [menu]}


def _pstn(**fields: Any) -> dict[str, Any]:
    return {"name": "connectPstn", "number": "+46701234567", **fields}


_HANGUP = {"name": "hangup"}
_GO = {"action": "return(a)"}
# name: (the rule that rejects it, or a strict-only code, or None for a clean file; the document)
DOCUMENTS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "clean-say": (None, _doc(_HANGUP, _say(_TEXT[:600]))),
    "clean-menu": (None, _doc(_menu(repeats=0, maxDigits=1))),
    "clean-pstn": (None, _doc(_pstn(maxDuration=14400, dialTimeout=0, dtmf="ww1#"))),
    "clean-conf": (None, _doc({"name": "connectConf", "conferenceId": "c" * 64})),
    "say-too-long": ("SV502", _doc(_HANGUP, _say(_TEXT[:601]))),
    "dtmf-star": ("SV504", _doc(_HANGUP, {"name": "sendDtmf", "value": "12*"})),
    "dtmf-empty": ("SV504", _doc(_HANGUP, {"name": "sendDtmf", "value": ""})),
    "menu-key-star": ("SV504", _doc(_menu() | {"menus": [{"id": "m", "options": [{"dtmf": "*"} | _GO]}]})),
    "menu-repeats-negative": ("SV505", _doc(_menu(repeats=-1))),
    "conference-id-empty": ("SV503", _doc({"name": "connectConf", "conferenceId": ""})),
    "conference-id-long": ("SV503", _doc({"name": "connectConf", "conferenceId": "c" * 65})),
    "moh-unknown": ("SV006", _doc({"name": "connectConf", "conferenceId": "c", "moh": "jazz"})),
    "max-duration-high": ("SV501", _doc(_pstn(maxDuration=20000))),
    "max-duration-zero": ("SV501", _doc(_pstn(maxDuration=0))),
    "dial-timeout-negative": ("SV505", _doc(_pstn(dialTimeout=-5))),
    # Read, but refused by the strict schema only.
    "unknown-field": ("SV007", _doc(_HANGUP, _say("Hi") | {"voice": "x"})),
    "name-case": ("SV020", _doc({"name": "Hangup"})),
    "null-field": ("null", _doc(_HANGUP, _say("Hi") | {"locale": None})),
}


def _tts(**fields: Any) -> dict[str, Any]:
    body = {"cli": "+46701234567", "destination": {"type": "number", "endpoint": "+46707654321"}}
    body.update({"text": "Your code is 1234", **fields})
    return {"method": "ttsCallout", "ttsCallout": {k: v for k, v in body.items() if v is not None}}


def _conference(**fields: Any) -> dict[str, Any]:
    body = {"destination": {"type": "number", "endpoint": "+46707654321"}, "conferenceId": "team"}
    return {"method": "conferenceCallout", "conferenceCallout": {**body, **fields}}


CALLOUTS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "clean-tts": (None, _tts(text=_TEXT[:600])),
    "clean-conference": (None, _conference(maxDuration=14400)),
    "tts-too-long": ("SV502", _tts(text=_TEXT[:601])),
    "tts-no-destination": ("SV906", _tts(destination=None)),
    "tts-no-cli": ("SV901", _tts(cli=None)),
    "tts-dtmf": ("SV504", _tts(dtmf="1*")),
    "conference-id-long": ("SV503", _conference(conferenceId="c" * 65)),
    "conference-max-duration": ("SV501", _conference(maxDuration=20000)),
    "conference-dtmf-options": ("SV505", _conference(conferenceDtmfOptions={"maxDigits": -1})),
    "method-mismatch": ("SV904", _tts() | {"method": "conferenceCallout"}),
    "tts-unknown-field": ("SV007", _tts(txt="typo")),
    "tts-string-boolean": ("SV025", _tts(enableAce="true")),
}
# The codes only the strict schema refuses (the files read; the rules only warn, or say nothing of null).
STRICT_ONLY = {"SV007", "SV020", "SV025", "null"}


def _allowed(doc: dict[str, Any], callback: str) -> bool:
    """Whether the document's action and instructions are all allowed in ``callback``."""
    cb = Callback(callback)
    names = [doc["action"]["name"], *(i["name"] for i in doc["instructions"])]
    table = {**ACTIONS_ALLOWED, **INSTRUCTIONS_ALLOWED}
    return all(cb in table[next(k for k in table if k.lower() == n.lower())] for n in names)


def _cases(target: str) -> dict[str, tuple[str | None, dict[str, Any]]]:
    if target == "callout":
        return CALLOUTS
    return {name: case for name, case in DOCUMENTS.items() if _allowed(case[1], target)}


def test_check_jsonschema_rejects_what_the_rules_reject(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """For ice, ace, pie and callouts, strict or not, check-jsonschema rejects the files the rules reject."""
    monkeypatch.chdir(tmp_path)
    runs = {}
    expected_rejected: dict[tuple[str, bool], set[str]] = {}
    flagged: dict[tuple[str, bool], set[str]] = {}
    for target in ("ice", "ace", "pie", "callout"):
        cases = _cases(target)
        folder = tmp_path / target
        folder.mkdir()
        for name, (_, doc) in cases.items():
            (folder / f"{name}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
        for strict in (False, True):
            # The schema as a user gets it: printed by `svaml schema`.
            main(["schema", "--callback", target, *(["--strict"] if strict else [])])
            schema_file = tmp_path / f"{target}{'-strict' if strict else ''}.schema.json"
            schema_file.write_text(capsys.readouterr().out, encoding="utf-8")
            files = [str(folder / f"{name}.json") for name in cases]
            command = [sys.executable, "-m", "check_jsonschema", "-o", "json", "--schemafile"]
            command.append(str(schema_file))
            runs[(target, strict)] = subprocess.Popen([*command, *files], stdout=subprocess.PIPE, text=True)
            expected_rejected[(target, strict)] = {
                name
                for name, (code, _) in cases.items()
                if code is not None and (strict or code not in STRICT_ONLY)
            }
            # What svaml says of each file: the rule its case names (the null case has no rule).
            callback = None if target == "callout" else target
            flagged[(target, strict)] = {
                name
                for name, (code, doc) in cases.items()
                if code is not None
                and (strict or code not in STRICT_ONLY)
                and (code == "null" or code in {d.code for d in validate(doc, callback=callback)})
            }
    rejected = {}
    for key, process in runs.items():
        out, _ = process.communicate(timeout=120)
        report = json.loads(out)
        assert report["parse_errors"] == []
        rejected[key] = {Path(e["filename"]).stem for e in report["errors"]}
    assert expected_rejected == flagged
    assert expected_rejected == rejected


def test_strict_schema_is_readable_ascii() -> None:
    """No schema svaml writes holds a non-ASCII character in a pattern (no long s, ligature, Kelvin sign)."""
    from svaml.schema import FILES

    found = []
    for name, make in FILES.items():
        text = json.dumps(make(), ensure_ascii=False)
        patterns = [p for p in _patterns(make()) if not p.isascii() or "\\u" in p]
        if patterns or "\u017f" in text or "\u212a" in text or "\ufb05" in text:
            found.append(name)
    expected: list[str] = []
    assert expected == found


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [p for value in schema.values() for p in _patterns(value)]
    if isinstance(schema, list):
        return [p for value in schema for p in _patterns(value)]
    return []

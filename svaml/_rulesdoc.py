"""Generate ``docs/rules.md``, the rule reference, from the rule registry.

Run ``python -m svaml._rulesdoc > docs/rules.md``, or call :func:`write`. Each rule's section
shows a small document that breaks the rule and what svaml says about it; the examples are
validated when the page is rendered (a rule whose example does not fire fails the rendering)
and by ``tests/test_rules_doc.py``. A rule without an example here borrows the smallest file
of ``tests/corpus/`` whose ``.expected`` lists its code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from svaml.diagnostic import Diagnostic
from svaml.model.permissions import Callback
from svaml.rules import RULES, Rule, validate

__all__ = ["CORPUS", "EXAMPLES", "Example", "example", "main", "render", "write"]

ROOT = Path(__file__).resolve().parent.parent
#: The validator's regression corpus, where rules without an example here find one.
CORPUS = ROOT / "tests" / "corpus"
_PAGE = ROOT / "docs" / "rules.md"
_CALLBACKS = tuple(c.value for c in Callback)
_WIDTH = 88


class Example(NamedTuple):
    """A document that breaks a rule: its JSON text and the callback it answers (None: unknown)."""

    text: str
    callback: str | None = None
    origin: str | None = None

    def diagnostics(self) -> list[Diagnostic]:
        """Return what svaml says about the example."""
        return validate(self.text, callback=self.callback)


def _ex(doc: Any, callback: str | None = None) -> Example:
    return Example(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), callback)


def _act(action: dict[str, Any], *instructions: dict[str, Any]) -> dict[str, Any]:
    return {"instructions": list(instructions), "action": action} if instructions else {"action": action}


def _say(text: str = "Hello") -> dict[str, Any]:
    return {"name": "say", "text": text, "locale": "en-US"}


def _menu(**menu: Any) -> dict[str, Any]:
    return {"name": "runMenu", "locale": "en-US", "menus": [menu]}


def _pstn(**fields: Any) -> dict[str, Any]:
    return {"name": "connectPstn", "number": "+46701234567", **fields}


def _tts(**fields: Any) -> dict[str, Any]:
    body = {"cli": "+46701234567", "destination": {"type": "number", "endpoint": "+46707654321"}}
    merged = {**body, "text": "Your code is 1234", **fields}
    return {"method": "ttsCallout", "ttsCallout": {k: v for k, v in merged.items() if v is not None}}


def _conf(**fields: Any) -> dict[str, Any]:
    body = {"destination": {"type": "number", "endpoint": "+46707654321"}, "conferenceId": "team"}
    return {"method": "conferenceCallout", "conferenceCallout": {**body, **fields}}


def _custom(**fields: Any) -> dict[str, Any]:
    return {"method": "customCallout", "customCallout": fields}


_HANGUP = {"name": "hangup"}
_CONTINUE = {"name": "continue"}
_OPTION = {"dtmf": "1", "action": "return(sales)"}
_RECORD = {
    "name": "startRecording",
    "options": {"destinationUrl": "s3://bucket/calls", "credentials": "KEY:SECRET:eu-west-1"},
}
_LONG = "Your appointment is confirmed. " * 21
_ICE_TOO_LONG = json.dumps(_act(_pstn(maxDuration=20000)))

#: A minimal document breaking each rule (SV000, an internal error, has none).
EXAMPLES: dict[str, Example] = {
    "SV001": _ex('{"action": {"name": "hangup"},}'),
    "SV002": _ex(_act(_pstn(maxDuration="60 seconds"))),
    "SV003": _ex(_act(_HANGUP, {"name": "say", "locale": "en-US"})),
    "SV004": _ex(_act({"name": "transfer"})),
    "SV005": _ex(_act(_HANGUP, {"name": "playAudio", "ids": ["welcome"]})),
    "SV006": _ex(_act({"name": "connectConf", "conferenceId": "team", "moh": "jazz"})),
    "SV007": _ex(_act(_pstn(maxduration=600))),
    "SV008": _ex(_act(_HANGUP, {"text": "Goodbye", "locale": "en-US"})),
    "SV020": _ex(_act({"name": "Hangup"})),
    "SV021": _ex(
        _act(
            {
                "name": "connectMxp",
                "destination": {"type": "username", "endpoint": "alice"},
                "callheaders": [{"key": "ticket", "value": "42"}],
            }
        )
    ),
    "SV022": _ex(_act(_menu(id="main", options=[{"dtmf": 1, "action": "return(sales)"}]))),
    "SV023": _ex(
        _act({"name": "connectSip", "destination": {"type": "Sip", "endpoint": "alice@sip.example.com"}})
    ),
    "SV024": _ex(_act(_pstn(indications=False))),
    "SV025": _ex(_act(_pstn(amd={"enabled": "true"})), "ice"),
    "SV026": _ex(_act(_pstn(maxDuration=600.0))),
    "SV101": _ex({"instructions": [_say("Goodbye")]}),
    "SV102": _ex({"action": [{"name": "say"}, _HANGUP]}),
    "SV103": _ex('{\n  "action": {"name": "continue"},\n  "action": {"name": "hangup"}\n}'),
    "SV104": _ex(
        '{\n  "instructions": [{"name": "say", "text": "Hi", "text": "Hello", "locale": "en-US"}],\n'
        '  "action": {"name": "hangup"}\n}'
    ),
    "SV201": _ex(_act(_CONTINUE), "ice"),
    "SV202": _ex(_act(_CONTINUE, {"name": "answer"}), "ace"),
    "SV301": _ex(_act(_pstn(), _say(), {"name": "answer"}), "ice"),
    "SV302": _ex(_act(_pstn(), {"name": "answer"}, {"name": "answer"})),
    "SV303": _ex(_act(_CONTINUE, {"name": "stopRecording"})),
    "SV304": _ex(_act(_HANGUP, _RECORD)),
    "SV401": _ex(_act(_pstn(number="0701234567"))),
    "SV402": _ex(_act(_pstn(number="+4670123"))),
    "SV412": _ex(_tts(cli="+4670123")),
    "SV501": _ex(_act(_pstn(maxDuration=20000))),
    "SV502": _ex(_act(_HANGUP, _say(_LONG))),
    "SV503": _ex(_act({"name": "connectConf", "conferenceId": ""})),
    "SV504": _ex(_act(_CONTINUE, {"name": "sendDtmf", "value": "1234*"})),
    "SV505": _ex(_act(_menu(id="main", repeats=-1, options=[_OPTION]))),
    "SV512": _ex(_tts(text=_LONG)),
    "SV514": _ex(_tts(dtmf="1234*")),
    "SV601": _ex(
        _act({"name": "connectMxp", "destination": {"type": "username", "endpoint": "alice"}}, _RECORD)
    ),
    "SV602": _ex(
        _act(
            {
                "name": "connectStream",
                "destination": {"type": "Websocket", "endpoint": "https://example.com/stream"},
            }
        )
    ),
    "SV603": _ex(
        _act(
            {
                "name": "connectStream",
                "destination": {"type": "Websocket", "endpoint": "ws://example.com/stream"},
            }
        )
    ),
    "SV604": _ex(
        _act({"name": "connectSip", "destination": {"type": "number", "endpoint": "alice@sip.example.com"}})
    ),
    "SV605": _ex(_act(_pstn(amd={"enabled": True})), "pie"),
    "SV701": _ex(_act(_menu(id="start", options=[_OPTION]))),
    "SV702": _ex(
        _act(
            {
                "name": "runMenu",
                "locale": "en-US",
                "menus": [{"id": "main", "options": [_OPTION]}, {"id": "main", "options": [_OPTION]}],
            }
        )
    ),
    "SV703": _ex(_act(_menu(id="main", options=[{"dtmf": "1", "action": "menu(sales)"}]))),
    "SV704": _ex(_act(_menu(id="main", options=[{"dtmf": "1", "action": "goto(sales)"}]))),
    "SV705": _ex(_act(_menu(id="main", options=[_OPTION, {"dtmf": "1", "action": "return(support)"}]))),
    "SV706": _ex(_act(_menu(id="main", options=[{"dtmf": "1", "action": "return (sales)"}]))),
    "SV707": _ex(
        _act({"name": "runMenu", "enableVoice": True, "menus": [{"id": "main", "options": [_OPTION]}]})
    ),
    "SV708": _ex(
        _act(
            {
                "name": "runMenu",
                "locale": "en-US",
                "menus": [{"id": "main", "options": [_OPTION]}, {"id": "sales", "options": [_OPTION]}],
            }
        )
    ),
    "SV801": _ex(_act(_HANGUP, {"name": "playFiles", "ids": ["#tts[Welcome to Sinch"], "locale": "en-US"})),
    "SV802": _ex(
        _act(_HANGUP, {"name": "playFiles", "ids": ["#ssml[<speak>Fish & chips</speak>]"], "locale": "en-US"})
    ),
    "SV803": _ex(
        _act(_menu(id="main", mainPrompt="#href[ftp://example.com/welcome.mp3]", options=[_OPTION]))
    ),
    "SV804": _ex(_act(_HANGUP, {"name": "playFiles", "ids": ["#tts[Goodbye]"]})),
    "SV805": _ex(_act(_HANGUP, {"name": "say", "text": "Hello", "locale": "en-UK"})),
    "SV812": _ex(_conf(greeting="#ssml[<speak>Welcome</spek>]")),
    "SV815": _ex(_tts(locale="english")),
    "SV901": _ex(
        {
            "method": "ttsCallout",
            "ttsCallout": {
                "destination": {"type": "number", "endpoint": "+46707654321"},
                "text": "Your code is 1234",
            },
        }
    ),
    "SV902": _ex(_conf(destination={"type": "username", "endpoint": "alice"}, enableAce=True)),
    "SV903": _ex(_custom(ice=_ICE_TOO_LONG, dice='{"action": {"name": "hangup"}}')),
    "SV904": _ex({"method": "ttsCallout", "conferenceCallout": _conf()["conferenceCallout"]}),
    "SV905": _ex(_custom(cli="+46701234567", ice=json.dumps(_act(_pstn())))),
}


def _corpus_example(code: str) -> Example | None:
    """The smallest corpus file whose expected diagnostics list ``code``."""
    if not CORPUS.is_dir():
        return None
    found: list[tuple[int, str, Path]] = []
    for expected in CORPUS.rglob("*.expected"):
        if any(line.split()[1:2] == [code] for line in expected.read_text(encoding="utf-8").splitlines()):
            path = expected.with_suffix(".json")
            if path.is_file():
                found.append((path.stat().st_size, str(path), path))
    if not found:
        return None
    path = min(found)[2]
    stem = path.name[: -len(".json")].rsplit(".", 1)
    callback = stem[1] if len(stem) == 2 and stem[1] in _CALLBACKS else None
    origin = path.relative_to(ROOT).as_posix()
    return Example(path.read_text(encoding="utf-8").rstrip("\n"), callback, origin)


def example(code: str) -> Example | None:
    """Return the example of rule ``code``: its own, else one from the corpus, else None."""
    return EXAMPLES.get(code) or _corpus_example(code)


# -- rendering ---------------------------------------------------------------------------------


def _anchor(rule: Rule) -> str:
    return rule.url.rsplit("#", 1)[1]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _applies(rule: Rule) -> str:
    if rule.target == "callout":
        return "callout requests (`POST /calling/v1/callouts`)"
    if rule.callbacks is None:
        return "every SVAML document, whatever its callback"
    if rule.callbacks == frozenset(Callback):
        return "SVAML documents whose callback is known"
    return ", ".join(c.phrase for c in Callback if c in rule.callbacks)


def _shown(text: str) -> str:
    """Pretty-print an example, unless it is not JSON or repeats a key (then it is shown as written)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            raise ValueError("repeated key")
        return dict(items)

    try:
        return _pretty(json.loads(text, object_pairs_hook=pairs), 0, 0)
    except ValueError:
        return text


def _pretty(value: Any, level: int, used: int) -> str:
    """Indent JSON by two spaces, keeping any part that fits in the line on that line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or 2 * level + used + len(flat) <= _WIDTH:
        return flat
    pad = "  " * (level + 1)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            head = json.dumps(key, ensure_ascii=False) + ": "
            parts.append(pad + head + _pretty(item, level + 1, len(head)))
    else:
        parts = [pad + _pretty(item, level + 1, 0) for item in value]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(parts) + "\n" + "  " * level + closing


def _where(example_: Example, rule: Rule) -> str:
    if rule.target == "callout":
        what = "This callout request body"
    elif example_.callback is None:
        what = "This document"
    else:
        what = f"This document, as {Callback(example_.callback).phrase},"
    if example_.origin is not None:
        what += f" (`{example_.origin}`)"
    return what


def _section(rule: Rule) -> Iterator[str]:
    yield f'<a id="{_anchor(rule)}"></a>'
    yield ""
    yield f"### {rule.code} {rule.name}"
    yield ""
    fixable = "yes (`svaml lint --fix`)" if rule.fixable else "no"
    yield f"**{rule.severity.value.capitalize()}** · applies to {_applies(rule)} · fixable: {fixable}"
    yield ""
    yield f"*{rule.summary}.*" if not rule.summary.endswith(".") else f"*{rule.summary}*"
    yield ""
    yield rule.doc
    yield ""
    yield f"**Sinch source:** {rule.source}"
    yield ""
    found = example(rule.code)
    if found is None:
        yield "No document triggers this rule: svaml reports it about itself."
        yield ""
        return
    said = [d for d in found.diagnostics() if d.code == rule.code]
    if not said:
        raise ValueError(f"the example of {rule.code} does not trigger it")
    yield f"{_where(found, rule)} breaks it:"
    yield ""
    # jsonc, not json: `svaml lint` checks ```json blocks of Markdown, and these are meant to fail.
    yield "```jsonc"
    yield _shown(found.text)
    yield "```"
    yield ""
    yield "svaml reports:"
    yield ""
    yield "```text"
    for d in said:
        yield f"{d.pointer or '/'}: {d.message} [{d.code}]"
    yield "```"
    yield ""


def render() -> str:
    """Return the rule reference page, in Markdown."""
    rules = sorted(RULES.values(), key=lambda r: r.code)
    lines = [
        "<!-- Generated from the rule registry: python -m svaml._rulesdoc > docs/rules.md; do not edit. -->",
        "",
        "# Rule reference",
        "",
        "Every check svaml makes, as `svaml.validate()`, the builder's guard and `svaml lint` report it.",
        "An **error** is something Sinch's documentation says the platform rejects or mishandles; a",
        "**warning** is doubtful or not in the canonical form. `svaml rule CODE` prints a rule's text;",
        "`--select` and `--ignore` take codes or code prefixes. A rule about a field that callout requests",
        "share with SVAML (numbers, limits, prompts) checks both under the same code.",
        "",
        "| code | name | severity | fixable | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](#{_anchor(rule)}) | `{rule.name}` | {rule.severity.value} | "
            f"{'yes' if rule.fixable else 'no'} | {_cell(rule.summary)} |"
        )
    lines.append("")
    lines.append("## Rules")
    lines.append("")
    for rule in rules:
        lines.extend(_section(rule))
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path | str | None = None) -> Path:
    """Write the rule reference (to ``docs/rules.md`` of the source tree by default); return its path."""
    target = Path(path) if path is not None else _PAGE
    target.write_text(render(), encoding="utf-8", newline="\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Print the rule reference; with ``--write``, write it to ``docs/rules.md``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--write"]:
        write(args[1] if len(args) > 1 else None)
        return 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

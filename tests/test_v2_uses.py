"""Where a SVAML v2 document is used (reference §2.2): read from a name or an event; what the rules say."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from test_v2_webhooks import PATH, SECRET, SERVICE_ID, body_of, headers_of
from v2apps import VOICE, App

from svaml.cli import main
from svaml.errors import SvamlTypeError
from svaml.rules import validate, validate_v2
from svaml.rules._validate import validate_unlocated
from svaml.simulator.v2 import Platform, simulate
from svaml.v2 import Svaml2
from svaml.v2.model import Use, use_of
from svaml.v2.webhooks import WebhookApp

HANGUP = {"command": "hangup"}
#: Each top-level field besides commands, with a value that reads.
FIELDS: dict[str, Any] = {
    "callName": "caller",
    "events": {"onHangup": [HANGUP]},
    "parameters": [{"to": "+46701234567"}],
    "batchOptions": {"maxCps": 10},
}
#: Where each field takes effect, as reference §2.2 and §8.4 say (written out, not read from svaml).
TAKES_EFFECT = {
    "incoming": {"callName", "events"},
    "response": set(),
    "create": {"parameters", "batchOptions"},
    "patch": set(),
}
USES = sorted(TAKES_EFFECT)


def codes_at(found: list[Any], code: str) -> list[str]:
    """The pointers of the diagnostics of ``code``."""
    return [d.pointer for d in found if d.code == code]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("call.incoming", Use.INCOMING),
        ("call.answered", Use.RESPONSE),
        ("call.menu", Use.RESPONSE),
        ("call.webhook.menu-selection", Use.RESPONSE),
        ("call.customEvent.menu-selection", Use.RESPONSE),
        ("call.transfer.completed", Use.RESPONSE),
        ("INCOMING", Use.INCOMING),
        ("static", Use.INCOMING),
        ("response", Use.RESPONSE),
        ("create", Use.CREATE),
        ("create_call", Use.CREATE),
        ("Patch", Use.PATCH),
        ("update", Use.PATCH),
        (Use.PATCH, Use.PATCH),
        ("auto", None),
        ("", None),
        (None, None),
    ],
)
def test_use_of_reads_a_use_or_the_event_answered(value: Any, expected: Use | None) -> None:
    """``use_of`` reads a use in any case, its aliases, or a v2 event name (call.incoming or any other)."""
    assert expected == use_of(value)


@pytest.mark.parametrize("value", ["ice", "call", 2])
def test_use_of_refuses_what_names_no_use(value: Any) -> None:
    """A word that names no use (v1's ``ice`` included) is a clear type error listing the uses."""
    with pytest.raises(SvamlTypeError) as caught:
        validate({"commands": [HANGUP]}, version=2, use=value)
    expected = "use must be one of incoming, response, create, patch, a v2 event name (call.…) or unknown"
    assert expected == str(caught.value).split("; got")[0]


@pytest.mark.parametrize("use", USES)
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_each_field_out_of_place_for_the_use_is_s2010(use: str, field: str) -> None:
    """A top-level field that takes no effect in the use is one S2010 warning on it; one that does, none."""
    found = validate({"commands": [HANGUP], field: FIELDS[field]}, version=2, use=use)
    expected = ([] if field in TAKES_EFFECT[use] else [f"/{field}"], [])
    assert expected == (codes_at(found, "S2010"), [d.code for d in found if d.code != "S2010"])


@pytest.mark.parametrize("use", USES)
def test_the_message_says_where_the_field_belongs_and_that_sinch_ignores_it(use: str) -> None:
    """Each S2010 message names the field, where it takes effect and the use where Sinch ignores it."""
    found = validate({"commands": [HANGUP], **FIELDS}, version=2, use=use)
    where = {
        "callName": "the answer to call.incoming (or a STATIC service's document)",
        "events": "the answer to call.incoming (or a STATIC service's document)",
        "parameters": "a create-call request (POST /calls)",
        "batchOptions": "a create-call request (POST /calls)",
    }
    phrase = Use(use).phrase
    expected = {
        f"/{key}": f"{key} takes effect only in {where[key]}; Sinch ignores it in {phrase}"
        for key in FIELDS
        if key not in TAKES_EFFECT[use]
    }
    if use == "create":
        expected["/callName"] += ": name the created leg with its dial's callName"
    assert expected == {d.pointer: d.message for d in found if d.code == "S2010"}


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        (None, ["/commands"]),
        ("incoming", ["/commands"]),
        ("call.incoming", ["/commands"]),
        ("response", []),
        ("call.hangup", []),
        ("call.webhook.x", []),
        ("create", ["/commands"]),
        ("patch", ["/commands"]),
    ],
)
def test_an_empty_commands_list_is_s2009_except_in_the_answer_to_another_webhook(
    use: str | None, expected: list[str]
) -> None:
    """``{"commands": []}`` is Sinch's "no action" answering any webhook but call.incoming: no S2009 there."""
    assert expected == codes_at(validate({"commands": []}, version=2, use=use), "S2009")


def test_without_a_use_only_mixed_kinds_are_reported_as_before() -> None:
    """Without a use, S2010 reports a webhook answer's fields only beside a create-call request's."""
    alone = validate({"commands": [HANGUP], "callName": "caller"}, version=2)
    mixed = validate({"commands": [HANGUP], **FIELDS}, version=2)
    expected = ([], ["/callName", "/events"])
    assert expected == (codes_at(alone, "S2010"), codes_at(mixed, "S2010"))


def test_strict_makes_a_field_out_of_place_an_error_only_when_the_use_is_known() -> None:
    """Under ``strict`` S2010 is an error when the use is given (an undefined property), a warning without."""
    doc = {"commands": [HANGUP], **FIELDS}
    known = validate(doc, version=2, use="patch", strict=True)
    unknown = validate(doc, version=2, strict=True)
    expected = ({"error"}, {"warning"})
    assert expected == (
        {d.severity.value for d in known if d.code == "S2010"},
        {d.severity.value for d in unknown if d.code == "S2010"},
    )


@pytest.mark.parametrize("use", USES)
def test_a_built_document_and_its_json_get_the_same_findings(use: str) -> None:
    """A Svaml2 and its JSON text, checked for a use, get the same codes at the same pointers."""
    built = Svaml2().hangup().with_call_name("caller").with_parameters({"to": "+46701234567"}, max_cps=5)
    as_text = validate(built.to_json(), version=2, use=use)
    expected = [(d.code, d.pointer) for d in as_text]
    assert expected == [(d.code, d.pointer) for d in validate(built, version=2, use=use)]


def test_validate_unlocated_and_validate_v2_take_the_use() -> None:
    """``validate_unlocated(text, use=…)`` locates S2010 on its line; ``validate_v2(use=…)`` agrees."""
    text = '{\n  "commands": [{"command": "hangup"}],\n  "parameters": [{"to": "+46701234567"}]\n}'
    located = validate_unlocated(text, version=2, use="call.menu").locate()
    expected = [("S2010", "/parameters", 3)]
    assert expected == [(d.code, d.pointer, d.line) for d in located]
    assert expected == [(d.code, d.pointer, 3) for d in validate_v2(json.loads(text), use=Use.RESPONSE)]


def test_a_v1_document_ignores_the_use() -> None:
    """The use says where a v2 document goes: a v1 document is checked as without it."""
    v1 = {"action": {"name": "hangup"}}
    assert validate(v1) == validate(v1, use="create")


# -- the callers: WebhookApp and the simulator --------------------------------------------------


def test_webhook_app_logs_each_field_sinch_ignores_with_its_code(caplog: pytest.LogCaptureFixture) -> None:
    """WebhookApp checks an answer for its event: callName and events warn (S2010) but for call.incoming."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    named = Svaml2().with_call_name("caller").answer().on_hangup(Svaml2().hangup())
    app.default(lambda event: named)
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        statuses = []
        for name in ("call.incoming", "call.answered", "call.webhook.x"):
            body = body_of(name)
            statuses.append(app.handle("POST", PATH, headers_of(body, ce_id=name), body).status)
    logged = [(r.sinch_event, r.code, r.getMessage().split(": ")[2]) for r in caplog.records]
    expected = (
        [200, 200, 200],
        [
            (name, "S2010", f"/{key}")
            for name in ("call.answered", "call.webhook.x")
            for key in ("callName", "events")
        ],
    )
    assert expected == (statuses, logged)


def test_webhook_app_warns_of_a_create_call_request_s_fields_in_any_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A create-call request's parameters in the answer to call.incoming is S2010 too."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET)
    app.incoming(lambda event: Svaml2().answer().with_parameters({"to": "+46701234567"}))
    body = body_of("call.incoming")
    with caplog.at_level(logging.WARNING, "svaml.v2.webhooks"):
        status = app.handle("POST", PATH, headers_of(body), body).status
    expected = (200, [("S2010", "/parameters")])
    assert expected == (status, [(r.code, r.getMessage().split(": ")[2]) for r in caplog.records])


def test_a_strict_webhook_app_refuses_a_field_sinch_ignores() -> None:
    """Under ``strict`` a field out of place is an error: the answer is a 500 naming S2010."""
    app = WebhookApp(service_id=SERVICE_ID, secret=SECRET, strict=True)
    app.hangup(lambda event: Svaml2().with_call_name("caller").hangup())
    body = body_of("call.hangup")
    response = app.handle("POST", PATH, headers_of(body), body)
    expected = (500, b"the call.hangup function returned SVAML v2 Sinch would reject (S2010)")
    assert expected == (response.status, response.body)


def test_the_simulator_reports_each_answer_for_its_event() -> None:
    """The transcript's steps carry S2010 for a callName outside call.incoming, no S2009 for "no action"."""
    answers = {
        "call.incoming": Svaml2().with_call_name("caller").answer().say("Hi", VOICE),
        "call.message.finished": Svaml2().with_call_name("again").hangup(),
    }
    t = simulate(App(answers), platform=Platform(caller_patience=5))
    steps = {s.name: [(d.code, d.pointer) for d in s.diagnostics] for s in t.steps}
    expected = {"call.incoming": [], "call.message.finished": [("S2010", "/callName")], "call.hangup": []}
    assert expected == steps


def test_lint_reads_the_use_from_a_v2_file_s_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``svaml lint`` checks ``x.response.json`` as a response, ``x.patch.json`` as a call update: by name."""
    doc = '{"commands": [], "callName": "caller"}\n'
    for name in ("plain.json", "answer.response.json", "start.incoming.json", "hold.patch.json"):
        (tmp_path / name).write_text(doc, encoding="utf-8")
    status = main(["lint", "--isolated", "--output-format", "concise", str(tmp_path)])
    found = sorted(
        (Path(line.split(":")[0]).name, line.split()[1])
        for line in capsys.readouterr().out.splitlines()
        if ": S2" in line
    )
    expected = (
        1,  # warnings fail a lint
        [
            ("answer.response.json", "S2010"),
            ("hold.patch.json", "S2009"),
            ("hold.patch.json", "S2010"),
            ("plain.json", "S2009"),
            ("start.incoming.json", "S2009"),
        ],
    )
    assert expected == (status, found)

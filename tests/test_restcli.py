"""A command-line twin for every REST operation: calls, conferences, numbers, callback URLs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sinch_server import KEY, SECRET, SinchServer, sinch_server_fixture  # noqa: F401 - the fixture

from svaml.cli import main

TO = "+46700000001"
CLI = "+46700000002"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the application's key and secret, and no region, as a user's shell would."""
    monkeypatch.setenv("SINCH_APPLICATION_KEY", KEY)
    monkeypatch.setenv("SINCH_APPLICATION_SECRET", SECRET)
    monkeypatch.delenv("SINCH_VOICE_REGION", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``svaml argv`` in this process; return the exit status, stdout and stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def svaml(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``python -m svaml argv`` as a user's shell would, with this tree first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "svaml", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


DRY_RUNS = [
    (["call", "update", "c1", "{file}"], "PATCH", "/calling/v1/calls/id/c1", {"action": {"name": "hangup"}}),
    (["call", "hangup", "c1"], "PATCH", "/calling/v1/calls/id/c1", {"action": {"name": "hangup"}}),
    (
        ["call", "leg", "c1", "{leg}", "--leg", "both"],
        "PATCH",
        "/calling/v1/calls/id/c1/leg/both",
        {"instructions": [{"name": "say", "text": "Hi", "locale": "en-US"}], "action": {"name": "continue"}},
    ),
    (["conference", "info", "room"], "GET", "/calling/v1/conferences/id/room", None),
    (
        ["conference", "mute", "room", "c1"],
        "PATCH",
        "/calling/v1/conferences/id/room/c1",
        {"command": "mute"},
    ),
    (
        ["conference", "unmute", "room", "c1"],
        "PATCH",
        "/calling/v1/conferences/id/room/c1",
        {"command": "unmute"},
    ),
    (
        ["conference", "hold", "room", "c1", "--moh", "ring"],
        "PATCH",
        "/calling/v1/conferences/id/room/c1",
        {"command": "onhold", "moh": "ring"},
    ),
    (
        ["conference", "resume", "room", "c1"],
        "PATCH",
        "/calling/v1/conferences/id/room/c1",
        {"command": "resume"},
    ),
    (["conference", "kick", "room", "c1"], "DELETE", "/calling/v1/conferences/id/room/c1", None),
    (["conference", "kick", "room", "--all"], "DELETE", "/calling/v1/conferences/id/room", None),
    (
        ["numbers", "assign", TO, CLI],
        "POST",
        "/v1/configuration/numbers",
        {"numbers": [TO, CLI], "applicationkey": KEY, "capability": "voice"},
    ),
    (
        ["numbers", "unassign", TO, "--application-key", "other-app"],
        "DELETE",
        "/v1/configuration/numbers",
        {"number": TO, "applicationkey": "other-app"},
    ),
    (["numbers", "list"], "GET", "/v1/configuration/numbers", None),
    (["callback-urls", "get"], "GET", f"/v1/configuration/callbacks/applications/{KEY}", None),
    (
        ["callback-urls", "set", "https://example.com/a", "--fallback", "https://example.com/b"],
        "POST",
        f"/v1/configuration/callbacks/applications/{KEY}",
        {"url": {"primary": "https://example.com/a", "fallback": "https://example.com/b"}},
    ),
]


@pytest.mark.parametrize(
    ("argv", "method", "path", "body"), DRY_RUNS, ids=[" ".join(argv[:2]) for argv, *_ in DRY_RUNS]
)
def test_every_twin_has_a_dry_run_that_prints_the_signed_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    sinch_server: SinchServer,
    argv: list[str],
    method: str,
    path: str,
    body: object,
) -> None:
    """``--dry-run`` prints the request each command would send, and the server receives nothing."""
    update = tmp_path / "hangup.json"
    update.write_text('{"action": {"name": "hangup"}}')
    leg = tmp_path / "leg.json"
    leg.write_text(
        '{"instructions":[{"name":"say","text":"Hi","locale":"en-US"}],"action":{"name":"continue"}}'
    )
    argv = [a.format(file=update, leg=leg) for a in argv]
    status, out, err = run(capsys, *argv, "--base-url", sinch_server.url, "--dry-run")
    head, _, sent = out.partition("\n\n")
    first, *headers = head.splitlines()
    expected = (0, "", f"{method} {sinch_server.url}{path}", body, [])
    assert expected == (status, err, first, json.loads(sent) if sent.strip() else None, sinch_server.requests)
    assert any(h.startswith(f"Authorization: Application {KEY}:") for h in headers)


def test_a_base_url_with_a_password_is_refused_and_never_printed(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """A ``--base-url`` with ``user:pw@`` (sent as Basic auth, unsigned) is exit 2, the password unshown."""
    url = sinch_server.url.replace("http://", "http://user:hunter2@")
    status, out, err = run(capsys, "call", "hangup", "abc", "--base-url", url, "--dry-run")
    expected = (2, "", "svaml: error: base_url must not carry a user name or password (user:password@):"
                " svaml signs each request\n", [])
    assert expected == (status, out, err, sinch_server.requests)


def test_numbers_dry_run_given_before_the_command_is_kept(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """``svaml numbers --dry-run assign`` stays a dry run: the option before the command is not lost."""
    status, out, _ = run(capsys, "numbers", "--base-url", sinch_server.url, "--dry-run", "assign", TO)
    expected = (0, f"POST {sinch_server.url}/v1/configuration/numbers", [])
    assert expected == (status, out.splitlines()[0], sinch_server.requests)


def test_calls_are_hung_up_updated_and_played_to(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sinch_server: SinchServer
) -> None:
    """A placed call is played to on its leg, updated from a file, then hung up, each acting at the server."""
    base = ["--base-url", sinch_server.url]
    _, call_id, _ = run(capsys, "call", "tts", TO, "--cli", CLI, "--text", "Hi", *base)
    call_id = call_id.strip()
    leg = tmp_path / "leg.json"
    leg.write_text(
        '{"instructions":[{"name":"say","text":"Hi","locale":"en-US"}],"action":{"name":"continue"}}'
    )
    update = tmp_path / "park.json"
    update.write_text('{"action": {"name": "park", "introPrompt": "#tts[Please hold]", "maxDuration": 60}}')
    statuses = [
        run(capsys, "call", "leg", call_id, str(leg), *base)[0],
        run(capsys, "call", "update", call_id, str(update), *base)[0],
    ]
    status, out, err = run(capsys, "call", "hangup", call_id, *base)
    expected = ([0, 0, 0], f"hung up {call_id}\n", "", "FINAL")
    assert expected == ([*statuses, status], out, err, sinch_server.calls[call_id]["status"])
    sent = [(r.method, r.path.rsplit("/", 2)[-1], r.json) for r in sinch_server.requests[1:]]
    expected_sent = [
        ("PATCH", "caller", json.loads(leg.read_text())),
        ("PATCH", call_id, json.loads(update.read_text())),
        ("PATCH", call_id, {"action": {"name": "hangup"}}),
    ]
    assert expected_sent == sent


def test_svaml_that_is_wrong_for_the_update_exits_1_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sinch_server: SinchServer
) -> None:
    """A connect action is not a call update: the rule is named, nothing is sent."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"action": {"name": "connectPstn", "number": "+46700000001"}}')
    status, out, err = run(capsys, "call", "update", "c1", str(bad), "--base-url", sinch_server.url)
    expected = (
        1,
        "",
        [],
        "svaml: error: the SVAML is not valid for a call update (PATCH); nothing was sent:",
    )
    assert expected == (status, out, sinch_server.requests, err.splitlines()[0])
    assert "/action" in err


def test_svaml_file_that_is_not_json_exits_1_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A SVAML file that is not JSON is named with the reason; the credentials are not even needed."""
    bad = tmp_path / "bad.json"
    bad.write_text("{action: hangup}")
    status, _, err = run(capsys, "call", "update", "c1", str(bad))
    expected = (1, f"svaml: error: {bad}: the SVAML text is not JSON")
    assert expected == (status, err[: len(expected[1])])


def test_missing_svaml_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A SVAML file that cannot be read is a usage error that names it."""
    status, _, err = run(capsys, "call", "update", "c1", str(tmp_path / "nope.json"))
    expected = (2, f"svaml: error: cannot read {tmp_path / 'nope.json'}: No such file or directory\n")
    assert expected == (status, err)


def test_conference_participants_are_muted_held_and_kicked(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """Mute, hold, info, unmute, resume, kick one and kick all act on the server's conference."""
    base = ["--base-url", sinch_server.url]
    first = run(capsys, "call", "conference", TO, "room", "--cli", CLI, *base)[1].strip()
    second = run(capsys, "call", "conference", "+46700000003", "room", "--cli", CLI, *base)[1].strip()
    run(capsys, "conference", "mute", "room", first, *base)
    run(capsys, "conference", "hold", "room", second, "--moh", "music1", *base)
    status, out, _ = run(capsys, "conference", "info", "room", *base)
    expected = (0, [f"{first}\t{CLI}\t0s\tmuted", f"{second}\t{CLI}\t0s\ton hold"])
    assert expected == (status, out.splitlines())
    run(capsys, "conference", "unmute", "room", first, *base)
    run(capsys, "conference", "resume", "room", second, *base)
    _, out, _ = run(capsys, "conference", "info", "room", "--json", *base)
    flags = [(p["muted"], p["onhold"]) for p in json.loads(out)["participants"]]
    assert flags == [(False, False), (False, False)]
    run(capsys, "conference", "kick", "room", first, *base)
    assert [second] == list(sinch_server.conferences["room"])
    run(capsys, "conference", "kick", "room", "--all", *base)
    assert sinch_server.conferences["room"] == {}


@pytest.mark.parametrize("argv", [["room"], ["room", "c1", "--all"]])
def test_kick_needs_one_participant_or_all(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """``conference kick`` with neither a call id nor --all (or both) is a usage error: nobody is removed."""
    status, _, err = run(capsys, "conference", "kick", *argv)
    expected = (2, "svaml: error: give either CALL_ID (one participant) or --all")
    assert expected == (status, err[: len(expected[1])])


def test_numbers_are_assigned_listed_and_unassigned(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """Assign two numbers, list them, unassign one: the list follows."""
    base = ["--base-url", sinch_server.url]
    run(capsys, "numbers", "assign", TO, CLI, *base)
    _, listed, _ = run(capsys, "numbers", "list", *base)
    run(capsys, "numbers", "unassign", TO, *base)
    _, after, _ = run(capsys, "numbers", *base)
    expected = ([f"{TO}\tvoice\t{KEY}", f"{CLI}\tvoice\t{KEY}"], [f"{CLI}\tvoice\t{KEY}"])
    assert expected == (listed.splitlines(), after.splitlines())


def test_callback_urls_are_set_and_read(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """``callback-urls set`` then ``get`` prints what was set."""
    base = ["--base-url", sinch_server.url]
    run(capsys, "callback-urls", "set", "https://example.com/a", "--fallback", "https://example.com/b", *base)
    status, out, _ = run(capsys, "callback-urls", "get", *base)
    expected = (0, {"url": {"primary": "https://example.com/a", "fallback": "https://example.com/b"}})
    assert expected == (status, json.loads(out))


def test_query_prints_the_number_and_sinchs_deprecation(sinch_server: SinchServer) -> None:
    """``numbers query`` (a real subprocess) prints the answer and warns on stderr of Sinch's deprecation."""
    done = svaml("numbers", "query", TO, "--base-url", sinch_server.url)
    expected = (0, "SE", 1)
    assert expected == (
        done.returncode,
        json.loads(done.stdout)["number"]["countryId"],
        done.stderr.count("\n"),
    )
    assert done.stderr.startswith("svaml: warning: query_number: Sinch deprecates")


def test_leg_reads_svaml_from_standard_input(sinch_server: SinchServer) -> None:
    """``call leg CALL_ID -`` (a real subprocess) reads the SVAML from stdin and sends it."""
    svaml_text = (
        '{"instructions":[{"name":"playFiles","ids":["#tts[Hi]"],"locale":"en-US"}],'
        '"action":{"name":"continue"}}'
    )
    sinch_server.calls["c9"] = {"callId": "c9"}
    done = svaml(
        "call", "leg", "c9", "-", "--leg", "callee", "--base-url", sinch_server.url, stdin=svaml_text
    )
    expected = (0, "", "", [("PATCH", "/calling/v1/calls/id/c9/leg/callee", json.loads(svaml_text))])
    assert expected == (
        done.returncode,
        done.stdout,
        done.stderr,
        [(r.method, r.path, r.json) for r in sinch_server.requests],
    )

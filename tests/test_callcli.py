"""``svaml call`` and ``svaml numbers``: the REST client on the command line, against a local server."""

from __future__ import annotations

import json
import re
import sys
import typing
from collections.abc import Iterator

import attrs
import pytest
import requests
from sinch_server import KEY, SECRET, SinchServer, sinch_server_fixture  # noqa: F401 - the fixture

from svaml.cli import main
from svaml.model import CALLOUT_CLASSES

TO = "+46700000001"
CLI = "+46700000002"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the application's key and secret, and no region, as a user's shell would."""
    monkeypatch.setenv("SINCH_APPLICATION_KEY", KEY)
    monkeypatch.setenv("SINCH_APPLICATION_SECRET", SECRET)
    monkeypatch.delenv("SINCH_VOICE_REGION", raising=False)


@pytest.fixture
def config_server() -> Iterator[SinchServer]:
    """Yield a second server that plays the configuration host."""
    with SinchServer() as server:
        yield server
    assert server.unsigned() == []


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``svaml argv``; return the exit status, stdout and stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def parse_dry_run(text: str) -> tuple[str, str, dict[str, str], str]:
    """Split dry-run output into method, URL, headers and body."""
    head, _, body = text.partition("\n\n")
    first, *lines = head.splitlines()
    method, url = first.split(" ", 1)
    headers = dict(line.split(": ", 1) for line in lines)
    return method, url, headers, body.rstrip("\n")


def test_dry_run_prints_a_request_that_sinch_accepts(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """The printed request, replayed byte for byte, verifies at the server and places the call."""
    status, out, err = run(capsys, "call", "tts", TO, "--cli", CLI, "--text", "Hello", "--dry-run")
    method, url, headers, body = parse_dry_run(out)
    expected = (0, "", "POST", "https://calling.api.sinch.com/calling/v1/callouts")
    assert expected == (status, err, method, url)
    expected_body = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": CLI,
            "destination": {"type": "number", "endpoint": TO},
            "locale": "en-US",
            "text": "Hello",
        },
    }
    assert expected_body == json.loads(body)
    replayed = requests.post(
        sinch_server.url + "/calling/v1/callouts", data=body.encode(), headers=headers, timeout=5
    )
    expected_answer = (200, list(sinch_server.calls))
    assert expected_answer == (replayed.status_code, [replayed.json()["callId"]])


def test_dry_run_body_is_the_body_sent(capsys: pytest.CaptureFixture[str], sinch_server: SinchServer) -> None:
    """The dry run prints the same body and signed headers a real run sends, and sends nothing."""
    argv = ["call", "conference", TO, "room-1", "--cli", CLI, "--base-url", sinch_server.url]
    _, out, _ = run(capsys, *argv, "--dry-run")
    assert sinch_server.requests == []
    status, sent_id, _ = run(capsys, *argv)
    method, url, headers, body = parse_dry_run(out)
    sent = sinch_server.requests[0]
    expected = (0, method, url, body.encode(), sorted(headers))
    assert expected == (
        status,
        sent.method,
        sinch_server.url + sent.path,
        sent.body,
        sorted(name for name, _ in sent.headers if name != "Host"),
    )
    assert [sent_id.strip()] == list(sinch_server.calls)


@pytest.mark.parametrize(
    ("argv", "env", "host"),
    [
        (["--region", "europe"], None, "https://calling-euc1.api.sinch.com"),
        ([], "north-america", "https://calling-use1.api.sinch.com"),
        (["--region", "apse2"], "europe", "https://calling-apse2.api.sinch.com"),
    ],
)
def test_region_comes_from_the_option_or_the_environment(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    env: str | None,
    host: str,
) -> None:
    """--region wins over SINCH_VOICE_REGION, which wins over global."""
    if env is not None:
        monkeypatch.setenv("SINCH_VOICE_REGION", env)
    status, out, _ = run(capsys, "call", "info", "abc", "--dry-run", *argv)
    expected = (0, f"GET {host}/calling/v1/calls/id/abc")
    assert expected == (status, out.splitlines()[0])


def test_numbers_dry_run_goes_to_the_configuration_host(capsys: pytest.CaptureFixture[str]) -> None:
    """The numbers command asks callingapi.sinch.com, whatever the region."""
    status, out, _ = run(capsys, "numbers", "--dry-run", "--region", "europe")
    expected = (0, "GET https://callingapi.sinch.com/v1/configuration/numbers")
    assert expected == (status, out.splitlines()[0])


def test_tts_prints_the_call_id(capsys: pytest.CaptureFixture[str], sinch_server: SinchServer) -> None:
    """A TTS callout prints the call id Sinch returned."""
    status, out, err = run(
        capsys, "call", "tts", TO, "--cli", CLI, "--prompts", "#tts[Hi]", "--base-url", sinch_server.url
    )
    expected = (0, list(sinch_server.calls), "")
    assert expected == (status, [out.strip()], err)
    expected_prompts = "#tts[Hi]"
    assert expected_prompts == sinch_server.requests[0].json["ttsCallout"]["prompts"]


def test_info_prints_sinch_answer_as_json(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """The call info command prints what Sinch answered about the call."""
    run(capsys, "call", "tts", TO, "--cli", CLI, "--text", "Hi", "--base-url", sinch_server.url)
    call_id = next(iter(sinch_server.calls))
    status, out, _ = run(capsys, "call", "info", call_id, "--base-url", sinch_server.url)
    expected = (0, sinch_server.calls[call_id])
    assert expected == (status, json.loads(out))


def test_numbers_lists_the_numbers(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer, config_server: SinchServer
) -> None:
    """The numbers command prints one line per number, or Sinch's JSON with --json."""
    config_server.numbers = [
        {"number": "+46700000010", "applicationkey": KEY, "capability": "voice"},
        {"number": "+46700000011", "capability": "sms"},
    ]
    urls = ["--base-url", sinch_server.url, "--configuration-url", config_server.url]
    status, out, _ = run(capsys, "numbers", *urls)
    expected = (0, f"+46700000010\tvoice\t{KEY}\n+46700000011\tsms\t-\n")
    assert expected == (status, out)
    status, out, _ = run(capsys, "numbers", "--json", *urls)
    expected_json = (0, {"numbers": config_server.numbers})
    assert expected_json == (status, json.loads(out))
    assert sinch_server.requests == []


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        (
            ["SINCH_APPLICATION_KEY", "SINCH_APPLICATION_SECRET"],
            "SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET",
        ),
        (["SINCH_APPLICATION_SECRET"], "SINCH_APPLICATION_SECRET not set"),
    ],
)
def test_missing_credentials_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, unset: list[str], named: str
) -> None:
    """Without credentials every command says which variables to set, exits 2, and shows no traceback."""
    for name in unset:
        monkeypatch.delenv(name)
    for argv in (["call", "tts", TO, "--cli", CLI, "--text", "Hi"], ["call", "info", "x"], ["numbers"]):
        for dry in ([], ["--dry-run"]):
            status, out, err = run(capsys, *argv, *dry)
            expected = (2, "")
            assert expected == (status, out)
            assert named in err
            assert "Traceback" not in err


def test_invalid_secret_exits_2_without_echoing_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secret that is not Base64 is a configuration error; the message does not repeat it."""
    monkeypatch.setenv("SINCH_APPLICATION_SECRET", "not*base64")
    status, _, err = run(capsys, "numbers", "--dry-run")
    expected = (2, "svaml: error: the application secret is not Base64 (copy it from the Sinch dashboard)\n")
    assert expected == (status, err)


def test_unknown_region_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown region is a configuration error listing the regions."""
    status, _, err = run(capsys, "numbers", "--region", "mars")
    expected = (2, "svaml: error: unknown region 'mars'; expected one of global, europe")
    assert expected == (status, err[: len(expected[1])])


def test_invalid_number_exits_1_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """A number not in E.164 is refused by the checks before any request."""
    status, _, err = run(
        capsys, "call", "tts", "0701234567", "--cli", CLI, "--text", "Hi", "--base-url", sinch_server.url
    )
    expected = (1, [])
    assert expected == (status, sinch_server.requests)
    assert "nothing was sent" in err
    assert "E.164" in err


def test_sinch_error_exits_1_with_its_message(
    capsys: pytest.CaptureFixture[str], sinch_server: SinchServer
) -> None:
    """An error answer from Sinch is printed with its status and code, exit 1."""
    status, out, err = run(capsys, "call", "info", "missing", "--base-url", sinch_server.url)
    expected = (1, "")
    assert expected == (status, out)
    assert "Call not found (HTTP 404, errorCode 40400" in err


def test_transport_error_exits_1(capsys: pytest.CaptureFixture[str], sinch_server: SinchServer) -> None:
    """A callout that gets no answer in time is reported (it may exist), exit 1."""
    sinch_server.slow("/calling/v1/callouts", 5.0, times=None)
    argv = [
        "call",
        "tts",
        TO,
        "--cli",
        CLI,
        "--text",
        "Hi",
        "--base-url",
        sinch_server.url,
        "--timeout",
        "0.1",
    ]
    status, out, err = run(capsys, *argv)
    expected = (1, "", 1)
    assert expected == (status, out, len(sinch_server.requests))
    assert "no answer from Sinch in time" in err
    assert "the call may have been placed" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["call"], "usage: svaml call"),
        (["call", "tts", TO, "--text", "Hi"], "the following arguments are required: --cli"),
        (["call", "tts", TO, "--cli", CLI], "one of the arguments --text --prompts is required"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    """Incomplete commands print usage and exit 2."""
    status, _, err = run(capsys, *argv)
    expected = 2
    assert expected == status
    assert message in err


def test_missing_requests_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without requests installed, the command says how to install it."""
    monkeypatch.setitem(sys.modules, "requests", None)
    status, _, err = run(capsys, "numbers")
    expected = (
        2,
        "svaml: error: svaml.client.VoiceClient needs the requests package: pip install 'svaml[client]'\n",
    )
    assert expected == (status, err)


@pytest.mark.parametrize("method", list(CALLOUT_CLASSES))
def test_there_is_a_call_command_per_callout_class(capsys: pytest.CaptureFixture[str], method: str) -> None:
    """Each callout class of the model has its ``svaml call`` command, with an option per plain field."""
    cls = CALLOUT_CLASSES[method]
    hints = typing.get_type_hints(cls)
    plain = (str | None, int | None, bool | None)
    options = {
        "--" + f.name.replace("_", "-") for f in attrs.fields(cls) if f.kw_only and hints[f.name] in plain
    }
    status, out, _ = run(capsys, "call", method.removesuffix("Callout"), "--help")
    shown = options & set(re.findall(r"--[a-z-]+", out))
    expected = (0, True, options)
    assert expected == (status, f"(Sinch's {method})" in " ".join(out.split()), shown)


def test_custom_callout_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """``svaml call custom`` sends its options as the customCallout's fields, ICE SVAML checked."""
    ice = '{"action": {"name": "connectPstn", "number": "+46700000001", "cli": "+46700000002"}}'
    status, out, err = run(capsys, "call", "custom", "--ice", ice, "--max-duration", "60", "--dry-run")
    expected = (0, "", {"method": "customCallout", "customCallout": {"ice": ice, "maxDuration": 60}})
    assert expected == (status, err, json.loads(parse_dry_run(out)[3]))
    status, out, err = run(capsys, "call", "custom", "--ice", '{"action": {"name": "continue"}}', "--dry-run")
    expected_refusal = (1, "", True)
    assert expected_refusal == (status, out, "the action continue is not allowed in an ICE response" in err)

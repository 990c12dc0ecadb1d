"""``svaml simulate`` run as a user runs it: a real subprocess against an app module or a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from svaml.callbacks import CallbackApp

ROOT = Path(__file__).parent.parent
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
BROKEN = """
def app(environ, start_response):
    body = b'{"action":{"name":"continue"}}'
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
"""


def run(*args: str, cwd: Path = ROOT, credentials: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python -m svaml simulate ARGS`` with this tree and the examples importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples")])}
    if credentials:
        env.update({"SINCH_APPLICATION_KEY": KEY, "SINCH_APPLICATION_SECRET": SECRET})
    else:
        env.pop("SINCH_APPLICATION_KEY", None)
        env.pop("SINCH_APPLICATION_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "svaml", "simulate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def test_keys_play_the_examples_ivr() -> None:
    """``--keys 1`` against the examples' IVR ends fine (exit 0) and prints the PIE and the DiCE."""
    done = run("ivr_app:create_app", "--factory", "--keys", "1")
    expected = (0, True, True)
    assert expected == (
        done.returncode,
        "PIE main: return sales" in done.stdout,
        "DICE ANSWERED CALLEEHANGUP" in done.stdout,
    ), done.stderr


def test_json_and_mermaid_formats() -> None:
    """``--format json`` prints the transcript as JSON; ``--format mermaid`` a sequence diagram."""
    as_json = run("ivr_app:create_app", "--factory", "--keys", "2", "--format", "json")
    mermaid = run("ivr_app:create_app", "--factory", "--keys", "wait,wait,wait", "--format", "mermaid")
    data = json.loads(as_json.stdout)
    expected = ((0, True, ["ice", "pie", "dice"]), (0, "sequenceDiagram"))
    assert expected == (
        (as_json.returncode, data["ok"], [s["event"]["event"] for s in data["steps"]]),
        (mermaid.returncode, mermaid.stdout.splitlines()[0]),
    )


def test_a_bad_answer_exits_1_with_the_rule(tmp_path: Path) -> None:
    """A WSGI app answering ICE with continue fails at step 0: exit 1, the rule code on stderr."""
    (tmp_path / "broken_app.py").write_text(BROKEN, encoding="utf-8")
    done = run("broken_app:app", cwd=tmp_path)
    expected = (1, True, True)
    assert expected == (
        done.returncode,
        "step 0 (ICE): invalid-svaml" in done.stderr,
        "[SV201]" in done.stderr,
    )


class Quiet(WSGIRequestHandler):
    """No access log."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Drop the line."""


@pytest.fixture
def url() -> Iterator[str]:
    """The IVR's WSGI adapter under wsgiref on 127.0.0.1."""
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import ivr_app
    finally:
        sys.path.remove(str(ROOT / "examples"))
    app: CallbackApp = ivr_app.create_app(KEY, SECRET)
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=Quiet) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}/sinch/callback"
        server.shutdown()
        thread.join()


def test_url_plays_a_running_server(url: str) -> None:
    """``--url`` plays the call over real HTTP; without the credentials the server's 401 exits 1."""
    signed = run("--url", url, "--keys", "2")
    unsigned = run("--url", url, credentials=False)
    expected = ((0, True), (1, True))
    assert expected == (
        (signed.returncode, "Thank you for calling. Goodbye." in signed.stdout),
        (unsigned.returncode, "not signed" in unsigned.stderr),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the application as MODULE:NAME, or --url URL"),
        (("ivr_app:create_app", "--url", "http://127.0.0.1:9/x"), "one of them"),
        (("nosuch_module:app",), "cannot import 'nosuch_module'"),
        (("ivr_app",), "expected MODULE:NAME"),
        (("ivr_app:create_app", "--factory", "--keys", "1,x"), "not DTMF keys"),
        (("ivr_app:create_app", "--factory", "--callee", "maybe"), "--callee"),
        (("--url", "ftp://example.com/x"), "not an http:// or https:// URL"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    """A missing or doubled target, a module that does not import, bad keys or outcomes exit 2 saying why."""
    done = run(*args)
    expected = (2, True)
    assert expected == (done.returncode, message in done.stderr), done.stderr


@pytest.mark.parametrize(
    ("source", "args", "expected"),
    [
        (
            'raise RuntimeError("no database")\n',
            ("mod:app",),
            "svaml: error: importing 'mod' raised RuntimeError: no database at {path}:1\n",
        ),
        (
            'def make():\n    raise ValueError("no settings")\n',
            ("mod:make", "--factory"),
            "svaml: error: calling mod:make (--factory) raised ValueError: no settings at {path}:2\n",
        ),
        (
            "def make(key=None, **options):\n    return None\n",
            ("mod:make",),
            "svaml: error: mod:make takes no request: if it makes the application, add --factory\n",
        ),
    ],
)
def test_an_app_module_that_fails_is_one_line(
    tmp_path: Path, source: str, args: tuple[str, ...], expected: str
) -> None:
    """A module raising on import, a factory raising, or a factory without --factory: exit 2, one line."""
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    done = run(*args, cwd=tmp_path)
    assert (2, expected.format(path=tmp_path / "mod.py")) == (done.returncode, done.stderr)


def test_a_bad_timeout_names_the_flag() -> None:
    """``--timeout -1`` is a usage error naming the flag, not a call that fails at once."""
    done = run("ivr_app:create_app", "--factory", "--timeout", "-1")
    expected = (2, "svaml: error: --timeout: Platform.callback_timeout must be a number > 0, got -1.0\n")
    assert expected == (done.returncode, done.stderr)


def test_the_django_example_plays_through_its_wsgi_application() -> None:
    """``app_django:application`` is the project's WSGI application: the call goes through Django's view."""
    done = run("app_django:application", "--keys", "2")
    expected = (0, True, "")
    assert expected == (done.returncode, "DICE ANSWERED MANAGERHANGUP" in done.stdout, done.stderr)

"""Production webhooks: async functions, several credentials, replay protection, warnings, logging.

Against real parts: uvicorn and wsgiref on 127.0.0.1, a real redis-server shared by two app
instances, real mypy runs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from local_servers import serve_asgi, serve_wsgi
from mypy import api
from redis_server import RedisServer, redis_server_fixture  # noqa: F401 - the fixture

from svaml import AceSvaml, IceSvaml, Svaml
from svaml.callbacks import CallbackApp, CallbackResponse, construct_event
from svaml.errors import ReplayError, SvamlError
from svaml.model import DiceEvent, IceEvent
from svaml.replay import MemoryReplayStore, RedisReplayStore
from svaml.rules import Limits
from svaml.signing import Credentials, Keyring, sign

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
NEW_SECRET = "c2Vjb25kIHNlY3JldCBvZiB0aGUgYXBw"
OTHER_KEY = "11111111-2222-3333-4444-555555555555"
OTHER_SECRET = "dGhpcmQgc2VjcmV0IG9mIGFub3RoZXI="
PATH = "/sinch/callback"
ICE = b'{"event":"ice","callid":"c1","cli":"+46708168731"}'
DICE = b'{"event":"dice","callid":"c1","reason":"CALLERHANGUP"}'
JSON = (("Content-Type", "application/json"),)
HANGUP = b'{"action":{"name":"hangup"}}'
SECRETS = (SECRET, NEW_SECRET, OTHER_SECRET)


def signed(
    body: bytes = ICE, *, key: str = KEY, secret: str = SECRET, stamp: str | None = None
) -> dict[str, str]:
    """Return the headers Sinch would send with ``body``, signed for ``key`` and ``secret``."""
    headers = sign(
        method="POST",
        path=PATH,
        body=body,
        content_type="application/json",
        key=key,
        secret=secret,
        timestamp=stamp,
    )
    return {**headers, "Content-Type": "application/json"}


def hangup_app(**options: Any) -> CallbackApp:
    """An app whose ICE function hangs up."""
    app = CallbackApp(**{"key": KEY, "secret": SECRET, **options})
    app.ice(lambda event: Svaml.ice().hangup())
    return app


def post(url: str, body: bytes = ICE, headers: dict[str, str] | None = None) -> requests.Response:
    """POST a signed callback to a served app."""
    return requests.post(url + PATH, data=body, headers=headers or signed(body), timeout=10)


# -- async functions --------------------------------------------------------------------------------


class Seen:
    """Where async functions record the loop and thread they ran on."""

    def __init__(self) -> None:
        self.loops: list[int] = []
        self.threads: list[str] = []
        self.ended: list[str] = []


def async_app(seen: Seen, **options: Any) -> CallbackApp:
    """An app whose ICE and DiCE functions are ``async def`` and await something."""
    app = CallbackApp(key=KEY, secret=SECRET, **options)

    @app.ice
    async def ice(event: IceEvent) -> IceSvaml:
        await asyncio.sleep(0.001)
        seen.loops.append(id(asyncio.get_running_loop()))
        seen.threads.append(threading.current_thread().name)
        return Svaml.ice().say(f"Hello {event.cli}", locale="en-US").hangup()

    @app.dice
    async def dice(event: DiceEvent) -> None:
        await asyncio.sleep(0)
        seen.ended.append(event.call_id or "")

    return app


SAID = (
    b'{"instructions":[{"name":"say","text":"Hello +46708168731","locale":"en-US"}],'
    b'"action":{"name":"hangup"}}'
)


def test_async_functions_are_awaited_on_uvicorns_loop() -> None:
    """Under uvicorn an async ICE function is awaited on the server's loop thread, and DiCE's too."""
    seen = Seen()
    app = async_app(seen)
    served = serve_asgi(app)
    url = next(served)
    try:
        ice = post(url)
        dice = post(url, DICE)
        main_thread = [t.name for t in threading.enumerate() if t.name.startswith("Thread-")]
    finally:
        next(served, None)
    expected = ((200, SAID), (200, b"{}"), ["c1"], 1)
    assert expected == (
        (ice.status_code, ice.content),
        (dice.status_code, dice.content),
        seen.ended,
        len(seen.loops),
    )
    assert seen.threads[0] in main_thread  # the thread uvicorn runs in, not an asyncio worker
    assert not seen.threads[0].startswith("asyncio_")


def test_async_functions_run_under_wsgi_on_one_loop_of_the_apps_own() -> None:
    """Under wsgiref (no loop) async functions run, every call on the same loop, in the app's thread."""
    seen = Seen()
    served = serve_wsgi(async_app(seen))
    url = next(served)
    try:
        answers = [post(url), post(url, DICE)]
        time.sleep(0.002)
        answers.append(post(url))
    finally:
        next(served, None)
    expected = ([200, 200, 200], SAID, 1, ["svaml-callbacks", "svaml-callbacks"], ["c1"])
    assert expected == (
        [a.status_code for a in answers],
        answers[0].content,
        len(set(seen.loops)),
        seen.threads,
        seen.ended,
    )


def test_handle_async_runs_plain_functions_off_the_loop() -> None:
    """handle_async awaits an async function on the caller's loop and runs a plain one in a worker thread."""
    seen = Seen()
    app = async_app(seen)
    threads: list[str] = []

    @app.ace
    def ace(event: object) -> AceSvaml:
        threads.append(threading.current_thread().name)
        return Svaml.ace().continue_()

    ace_body = b'{"event":"ace","callid":"c1"}'

    async def both() -> tuple[CallbackResponse, CallbackResponse, int]:
        first = await app.handle_async("POST", PATH, signed(ICE), ICE)
        second = await app.handle_async("POST", PATH, signed(ace_body), ace_body)
        return first, second, id(asyncio.get_running_loop())

    ice, ace_answer, loop = asyncio.run(both())
    expected = (CallbackResponse(200, JSON, SAID), 200, [loop], True)
    assert expected == (ice, ace_answer.status, seen.loops, threads[0] != threading.current_thread().name)


def test_an_async_function_that_raises_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    """An exception in an async function is the usual 500 with the traceback logged, under handle()."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    async def ice(event: IceEvent) -> IceSvaml:
        raise RuntimeError("database down")

    response = app.handle("POST", PATH, signed(), ICE)
    expected = (500, b"the ice function raised an exception; the server's log says which", True)
    assert expected == (response.status, response.body, "database down" in caplog.text)


def run_mypy(tmp_path: Path, source: str) -> list[str]:
    """Type-check ``source`` strictly and return mypy's error lines."""
    file = tmp_path / "snippet.py"
    file.write_text(textwrap.dedent(source), encoding="utf-8")
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(file)])
    return [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]


def test_mypy_accepts_async_functions_and_checks_their_answers(tmp_path: Path) -> None:
    """Async and plain functions both type-check; an async ICE function answering ACE SVAML does not."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml import AceSvaml, IceSvaml, Svaml
        from svaml.callbacks import CallbackApp
        from svaml.model import AceEvent, DiceEvent, IceEvent

        app = CallbackApp(key="k", secret="c2VjcmV0")

        @app.ice
        async def ice(event: IceEvent) -> IceSvaml:
            return Svaml.ice().hangup()

        @app.ace
        def ace(event: AceEvent) -> AceSvaml:
            return Svaml.ace().continue_()

        @app.dice
        async def dice(event: DiceEvent) -> None:
            return None

        async def wrong(event: IceEvent) -> AceSvaml:
            return Svaml.ace().continue_()

        app.ice(wrong)
        """,
    )
    expected = 1
    assert expected == len(errors)
    assert 'Value of type variable "_Ice" of "ice" of "CallbackApp" cannot be' in errors[0]


# -- several credentials ----------------------------------------------------------------------------


def test_the_key_in_authorization_picks_the_secret() -> None:
    """One endpoint serves two applications: each one's signed requests verify, a third key does not."""
    app = hangup_app(key=None, secret=None, keys={KEY: SECRET, OTHER_KEY: OTHER_SECRET})
    statuses = [
        app.handle("POST", PATH, signed(ICE, key=KEY, secret=SECRET), ICE).status,
        app.handle("POST", PATH, signed(ICE, key=OTHER_KEY, secret=OTHER_SECRET), ICE).status,
        app.handle("POST", PATH, signed(ICE, key=OTHER_KEY, secret=SECRET), ICE).status,
        app.handle(
            "POST", PATH, signed(ICE, key="33333333-0000-0000-0000-000000000000", secret=SECRET), ICE
        ).status,
    ]
    expected = [200, 200, 401, 401]
    assert expected == statuses


def test_rotating_a_secret_is_two_entries_for_a_while() -> None:
    """During a rotation the old and the new credentials both verify; after it, only the new ones."""
    during = hangup_app(key=None, secret=None, keys={KEY: SECRET, OTHER_KEY: NEW_SECRET})
    after = hangup_app(key=None, secret=None, keys=Keyring([Credentials(key=OTHER_KEY, secret=NEW_SECRET)]))
    old = signed(ICE, key=KEY, secret=SECRET)
    new = signed(ICE, key=OTHER_KEY, secret=NEW_SECRET)
    expected = ([200, 200], [401, 200])
    assert expected == (
        [during.handle("POST", PATH, h, ICE).status for h in (old, new)],
        [after.handle("POST", PATH, h, ICE).status for h in (old, new)],
    )


def test_basic_authentication_picks_the_secret_by_its_key_too() -> None:
    """With allow_basic, Basic key:secret verifies against that key's secret."""
    app = hangup_app(key=None, secret=None, keys={KEY: SECRET, OTHER_KEY: OTHER_SECRET}, allow_basic=True)

    def basic(key: str, secret: str) -> dict[str, str]:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    statuses = [
        app.handle("POST", PATH, basic(OTHER_KEY, OTHER_SECRET), ICE).status,
        app.handle("POST", PATH, basic(OTHER_KEY, SECRET), ICE).status,
    ]
    expected = [200, 401]
    assert expected == statuses


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"key": KEY, "secret": SECRET, "keys": {OTHER_KEY: OTHER_SECRET}}, "not both"),
        ({"keys": {}}, "at least one application key"),
        ({"keys": {KEY: "not base64!"}}, "the application secret is not Base64"),
        (
            {"keys": [Credentials(key=KEY, secret=SECRET), Credentials(key=KEY, secret=NEW_SECRET)]},
            "given twice",
        ),
    ],
)
def test_bad_credentials_are_refused_without_echoing_a_secret(options: dict[str, Any], message: str) -> None:
    """A mix of key and keys, no key, a bad secret or a key twice raise, naming no secret."""
    with pytest.raises(SvamlError) as caught:
        CallbackApp(**options)
    text = str(caught.value)
    expected = (True, [])
    assert expected == (message in text, [s for s in (*SECRETS, "not base64!") if s in text])


def test_repr_lists_the_keys_and_no_secret() -> None:
    """The app's and the keyring's reprs name the keys, never a secret."""
    keyring = Keyring({KEY: SECRET, OTHER_KEY: OTHER_SECRET})
    app = CallbackApp(keys=keyring)
    expected = (
        f"Keyring(keys=['{KEY}', '{OTHER_KEY}'])",
        f"CallbackApp(keys=['{KEY}', '{OTHER_KEY}'], verify=True, functions: none)",
    )
    assert expected == (repr(keyring), repr(app))


# -- replay protection ------------------------------------------------------------------------------


def test_a_request_is_accepted_once(caplog: pytest.LogCaptureFixture) -> None:
    """The same signed request a second time is a 401, logged as a replay; a new signature is fine."""
    app = hangup_app()
    headers = signed()
    first = app.handle("POST", PATH, headers, ICE)
    again = app.handle("POST", PATH, headers, ICE)
    other = app.handle("POST", PATH, signed(stamp="2999-01-01T00:00:00.000Z"), ICE)  # too far: 401 too
    fresh = app.handle("POST", PATH, signed(ICE.replace(b"c1", b"c2")), ICE.replace(b"c1", b"c2"))
    replays = [r for r in caplog.records if getattr(r, "replayed", False)]
    expected = ([200, 401, 401, 200], 1, 401)
    assert expected == (
        [first.status, again.status, other.status, fresh.status],
        len(replays),
        replays[0].status,
    )
    assert "replayed request" in replays[0].getMessage()
    assert headers["Authorization"].split(":")[1] not in caplog.text  # the signature is never logged


def test_replay_off_accepts_repeats_and_needs_no_window() -> None:
    """replay=None accepts a request twice; max_age=None then is fine, but not with a store."""
    app = hangup_app(replay=None)
    headers = signed()
    expected = [200, 200]
    assert expected == [app.handle("POST", PATH, headers, ICE).status for _ in range(2)]
    with pytest.raises(SvamlError, match="replay protection needs the replay window"):
        CallbackApp(key=KEY, secret=SECRET, max_age=None, replay=MemoryReplayStore())
    expected_store = None
    assert expected_store == CallbackApp(key=KEY, secret=SECRET, max_age=None).replay


def test_construct_event_refuses_a_replay_with_a_store() -> None:
    """construct_event with a replay store raises ReplayError the second time."""
    store = MemoryReplayStore()
    headers = signed()
    event = construct_event(ICE, headers, path=PATH, key=KEY, secret=SECRET, replay=store)
    with pytest.raises(ReplayError, match="already accepted once"):
        construct_event(ICE, headers, path=PATH, key=KEY, secret=SECRET, replay=store)
    expected = "c1"
    assert expected == event.call_id


def test_two_instances_sharing_redis_accept_a_request_once(redis_server: RedisServer) -> None:
    """Two instances (uvicorn and wsgiref) share Redis: a replay sent to the other one fails too."""
    first = hangup_app(replay=RedisReplayStore.from_url(redis_server.url, prefix="lb:"))
    second = hangup_app(replay=RedisReplayStore.from_url(redis_server.url, prefix="lb:"))
    asgi, wsgi = serve_asgi(first), serve_wsgi(second)
    urls = (next(asgi), next(wsgi))
    try:
        headers = signed()
        answers = [post(urls[0], ICE, headers), post(urls[1], ICE, headers), post(urls[0], ICE, headers)]
        fresh = post(urls[1], DICE)
    finally:
        next(asgi, None)
        next(wsgi, None)
    expected = ([200, 401, 401], 200)
    assert expected == ([a.status_code for a in answers], fresh.status_code)


def test_a_replay_store_that_is_down_is_a_503(caplog: pytest.LogCaptureFixture) -> None:
    """With Redis unreachable, a signed callback gets 503 (nothing was checked), and the log says why."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound and never listening: connections are refused
        port = unused.getsockname()[1]
        app = hangup_app(replay=RedisReplayStore.from_url(f"redis://127.0.0.1:{port}/0"))
        response = app.handle("POST", PATH, signed(), ICE)
    expected = (503, True)
    assert expected == (response.status, "the replay store failed: ConnectionError" in caplog.text)


# -- answers: warnings, ignored rules, DiCE ----------------------------------------------------------


def test_warnings_on_an_answer_are_logged_with_their_codes(caplog: pytest.LogCaptureFixture) -> None:
    """A say before answer in an ICE answer is sent, and SV301 is logged as a warning with the call id."""
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda event: Svaml.ice().say("Hi", locale="en-US").answer().hangup())
    with caplog.at_level(logging.WARNING, logger="svaml.callbacks"):
        response = app.handle("POST", PATH, signed(), ICE)
    warned = [r for r in caplog.records if getattr(r, "code", None)]
    expected = (200, ["SV301"], ["c1"], True)
    assert expected == (
        response.status,
        [r.code for r in warned],  # type: ignore[attr-defined]
        [r.call_id for r in warned],  # type: ignore[attr-defined]
        "[SV301]" in warned[0].getMessage(),
    )


def test_ignored_rules_let_a_raised_limit_through() -> None:
    """A say of 900 characters is refused (SV502) unless the app ignores SV502, as the linter's --ignore."""
    text = "a" * 900

    def ice(event: IceEvent) -> IceSvaml:
        return Svaml.ice().say(text, locale="en-US").hangup()

    strict, lenient = (
        CallbackApp(key=KEY, secret=SECRET),
        CallbackApp(key=KEY, secret=SECRET, ignore=["sv502"]),
    )
    strict.ice(ice)
    lenient.ice(ice)
    refused = strict.handle("POST", PATH, signed(), ICE)
    sent = lenient.handle("POST", PATH, signed(ICE.replace(b"c1", b"c3")), ICE.replace(b"c1", b"c3"))
    expected = ((500, b"the ice function returned SVAML Sinch would reject (SV502)"), 200, text)
    assert expected == (
        (refused.status, refused.body),
        sent.status,
        json.loads(sent.body)["instructions"][0]["text"],
    )


def test_raised_limits_let_a_longer_say_through_and_no_longer() -> None:
    """With Limits(say=1200) a say of 1,000 characters is sent and one of 1,300 refused (SV502)."""

    def app_saying(length: int) -> CallbackApp:
        app = CallbackApp(key=KEY, secret=SECRET, limits=Limits(say=1200))
        app.ice(lambda event: Svaml.ice().say("a" * length, locale="en-US").hangup())
        return app

    sent = app_saying(1000).handle("POST", PATH, signed(), ICE)
    refused = app_saying(1300).handle("POST", PATH, signed(), ICE)
    expected = (200, (500, b"the ice function returned SVAML Sinch would reject (SV502)"))
    assert expected == (sent.status, (refused.status, refused.body))


def test_ignoring_a_code_that_names_no_rule_is_an_error() -> None:
    """ignore=['SV999'] is refused at construction, as a typo would be by the linter."""
    with pytest.raises(SvamlError, match="'SV999' selects no rule"):
        CallbackApp(key=KEY, secret=SECRET, ignore=["SV999"])


def test_a_400_names_every_problem() -> None:
    """A body with two wrongly typed fields gets a 400 whose body names both, with their pointers."""
    body = b'{"event":"ice","callid":"c1","version":"one","duration":"long"}'
    response = hangup_app().handle("POST", PATH, signed(body), body)
    text = response.body.decode()
    expected = (400, True, True, True)
    assert expected == (
        response.status,
        text.startswith("cannot read the ice event:"),
        "/version" in text,
        "/duration" in text,
    )


# -- logging ----------------------------------------------------------------------------------------


def test_every_answer_is_logged_with_structured_fields_and_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answered ICE logs call_id, sinch_event, status and duration_ms; no record holds a secret."""
    app = hangup_app()
    headers = signed()
    with caplog.at_level(logging.INFO, logger="svaml"):
        app.handle("POST", PATH, headers, ICE)
        app.handle("POST", PATH, headers, ICE)  # a replay: refused
    answered = [r for r in caplog.records if hasattr(r, "duration_ms")]
    record = answered[0]
    expected = (1, "c1", "ice", 200, True)
    assert expected == (
        len(answered),
        record.call_id,  # type: ignore[attr-defined]
        record.sinch_event,  # type: ignore[attr-defined]
        record.status,  # type: ignore[attr-defined]
        0 < record.duration_ms < 10_000,  # type: ignore[attr-defined]
    )
    everything = caplog.text + " ".join(str(vars(r)) for r in caplog.records)
    leaked = [s for s in (SECRET, headers["Authorization"].split(":")[1]) if s in everything]
    expected_leaks: list[str] = []
    assert expected_leaks == leaked

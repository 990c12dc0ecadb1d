"""The application secret stays out of reach of error reporters.

Sentry, ``pytest -l`` and ``traceback.TracebackException(capture_locals=True)`` record the
locals of every frame of a traceback (as reprs). Each test here provokes an exception inside
signing, verification, the client or the callback handler, walks every frame of the exception,
its causes and contexts, and looks for the secret in any form: its text, its text without
padding, the decoded key bytes (raw, hex, repr) and the Basic token ``base64(key:secret)``.
Pickling, the other way a secret escapes a process, is refused.
"""

from __future__ import annotations

import base64
import copy
import logging
import pickle
import socket
import traceback
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import pytest

from svaml import Svaml
from svaml.callbacks import CallbackApp, construct_event
from svaml.client import VoiceClient
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model.events import IceEvent
from svaml.signing import Credentials, Secret, basic_authorization, sign, verify

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
BAD_SECRET = "not base64, but a secret!"  # a mistyped secret is still a secret
DECODED = base64.b64decode(SECRET)
FORMS = [
    SECRET,
    SECRET.rstrip("="),
    BAD_SECRET,
    DECODED.hex(),
    repr(DECODED)[2:-1],
    base64.b64encode(f"{KEY}:{SECRET}".encode()).decode(),
]
ICE = b'{"event":"ice","callid":"c1"}'


def frames(error: BaseException) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (function, locals) of every frame an error reporter sees, through causes and contexts."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename != __file__:  # the test's own frames hold SECRET on purpose
                yield tb.tb_frame.f_code.co_name, dict(tb.tb_frame.f_locals)
            tb = tb.tb_next
        pending += [current.__cause__, current.__context__]


def leaks(error: BaseException) -> list[str]:
    """Return 'function.name' for every local whose value or repr shows the secret in any form."""
    found = []
    for function, local in frames(error):
        for name, value in local.items():
            shown = [repr(value)]
            if isinstance(value, str):
                shown.append(value)
            elif isinstance(value, (bytes, bytearray)):
                shown.append(value.decode("latin-1"))
                if DECODED in value:
                    found.append(f"{function}.{name}")
            if any(form in text for form in FORMS for text in shown):
                found.append(f"{function}.{name}")
    return found


def captured(call: Callable[[], object]) -> BaseException:
    """Run ``call``; return the exception it raises (the test fails if it raises none)."""
    try:
        call()
    except Exception as error:
        return error
    pytest.fail("expected an exception")


def closed_port() -> str:
    """Return the URL of a port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


SIGNED = {"method": "POST", "path": "/cb", "body": b"{}", "content_type": "application/json"}
CASES: dict[str, Callable[[], object]] = {
    "sign, bad key": lambda: sign(**SIGNED, key="", secret=SECRET),
    "sign, bad secret": lambda: sign(**SIGNED, key=KEY, secret=BAD_SECRET),
    "sign, bad path": lambda: sign(**{**SIGNED, "path": "x"}, key=KEY, secret=SECRET),
    "basic, bad key": lambda: basic_authorization("a:b", SECRET),
    "verify, forged": lambda: verify(
        method="POST", path="/cb", headers={"Authorization": f"Application {KEY}:AAAA"}, body=b"", key=KEY,
        secret=SECRET,
    ),
    "verify, absurd max_age": lambda: verify(
        method="POST", path="/cb", headers={}, body=b"", key=KEY, secret=SECRET, max_age=10**400
    ),
    "verify, wrong Basic": lambda: verify(
        method="POST", path="/cb", headers=basic_authorization(KEY, "AAAA"), body=b"", key=KEY,
        secret=SECRET, allow_basic=True,
    ),
    "verify, bad secret": lambda: verify(
        method="POST", path="/cb", headers={}, body=b"", key=KEY, secret=BAD_SECRET
    ),
    "Credentials, bad key": lambda: Credentials(key="", secret=SECRET),
    "Credentials, bad secret": lambda: Credentials(key=KEY, secret=BAD_SECRET),
    "construct_event, unsigned": lambda: construct_event(ICE, {}, path="/cb", key=KEY, secret=SECRET),
    "CallbackApp, bad key": lambda: CallbackApp(key="a b", secret=SECRET),
    "CallbackApp, bad secret": lambda: CallbackApp(key=KEY, secret=BAD_SECRET),
    "VoiceClient, bad region": lambda: VoiceClient(KEY, SECRET, region="mars"),
    "VoiceClient, bad secret": lambda: VoiceClient(KEY, BAD_SECRET),
    "VoiceClient, Basic over http": lambda: VoiceClient(KEY, SECRET, auth="basic", base_url="http://example.com"),
}


@pytest.mark.parametrize("call", list(CASES.values()), ids=list(CASES))
def test_no_frame_of_a_failed_call_holds_the_secret(call: Callable[[], object]) -> None:
    """An exception from signing, verifying or construction leaves the secret in no captured local."""
    error = captured(call)
    expected: tuple[bool, list[str]] = (True, [])
    assert expected == (isinstance(error, SvamlError), leaks(error))


@pytest.mark.parametrize("auth", ["signed", "basic"])
@pytest.mark.parametrize("call", ["get_call", "tts_callout"])
def test_no_frame_of_a_failed_request_holds_the_secret(auth: str, call: str) -> None:
    """A request to a closed port fails with a TransportError whose frames (and causes') hold no secret."""
    with VoiceClient(KEY, SECRET, auth=auth, base_url=closed_port(), retries=0) as made:
        if call == "get_call":
            error = captured(lambda: made.get_call("c1"))
        else:
            error = captured(lambda: made.tts_callout("+46700000001", cli="+46700000002", text="Hi"))
    # Signed, the cause from requests is kept (its frames hold only the signature); with Basic
    # auth it is dropped, since requests' frames hold the header that carries the secret.
    functions = {function for function, _ in frames(error)}
    expected: tuple[bool, list[str]] = (auth == "signed", [])
    assert expected == ("urlopen" in functions, leaks(error))


def test_the_traceback_of_a_failing_handler_holds_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """The exception logged when a callback function raises (what Sentry's logging sends) has no secret."""
    app = CallbackApp(key=KEY, secret=SECRET)

    @app.ice
    def ice(event: IceEvent) -> Svaml:
        raise RuntimeError("database is down")

    headers = sign(**{**SIGNED, "body": ICE}, key=KEY, secret=SECRET)
    with caplog.at_level(logging.ERROR, logger="svaml.callbacks"):
        status = app.handle("POST", "/cb", {**headers, "Content-Type": "application/json"}, ICE).status
    errors = [record.exc_info[1] for record in caplog.records if record.exc_info and record.exc_info[1]]
    rendered = "".join(
        "".join(traceback.TracebackException.from_exception(e, capture_locals=True).format()) for e in errors
    )
    expected = (500, 1, [], [])
    assert expected == (status, len(errors), [leak for e in errors for leak in leaks(e)],
                        [form for form in FORMS if form in rendered])


# -- reprs and pickles ----------------------------------------------------------------------------


HOLDERS: dict[str, Callable[[], object]] = {
    "Secret": lambda: Secret(SECRET),
    "Credentials": lambda: Credentials(key=KEY, secret=SECRET),
    "CallbackApp": lambda: CallbackApp(key=KEY, secret=SECRET),
    "VoiceClient": lambda: VoiceClient(KEY, SECRET),
}


@pytest.mark.parametrize("make", list(HOLDERS.values()), ids=list(HOLDERS))
def test_objects_holding_the_secret_refuse_pickling(make: Callable[[], object]) -> None:
    """Pickling anything that holds the secret raises SvamlTypeError (a TypeError) saying why."""
    with pytest.raises(SvamlTypeError, match="pickle keeps it in clear") as caught:
        pickle.dumps(make())
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize("make", list(HOLDERS.values()), ids=list(HOLDERS))
def test_reprs_and_deep_copies_show_no_secret(make: Callable[[], object]) -> None:
    """repr, str and a deep copy's repr of each holder show no form of the secret."""
    held = make()
    copied = held if isinstance(held, VoiceClient) else copy.deepcopy(held)  # a client is not deep-copied
    texts = [repr(held), str(held), repr(copied), repr(vars(held) if hasattr(held, "__dict__") else held)]
    expected: list[str] = []
    assert expected == [form for form in FORMS for text in texts if form in text]


@pytest.mark.parametrize("cls", [VoiceClient, CallbackApp, Credentials, Secret])
def test_repr_of_a_half_built_object_is_safe(cls: type) -> None:
    """Repr of an object whose constructor never ran (or raised half-way) works and shows no secret."""
    half = cls.__new__(cls)
    expected = (True, [])
    shown = repr(half)
    assert expected == (shown.startswith(cls.__name__), [form for form in FORMS if form in shown])


def test_a_secret_given_as_a_secret_works_everywhere() -> None:
    """A Secret can be passed wherever a secret str is, and signs alike."""
    held = Secret(SECRET)
    arguments = {**SIGNED, "key": KEY, "timestamp": "2024-01-01T00:00:00.000Z"}
    shown = f"VoiceClient(application_key='{KEY}', region='global', auth='signed')"
    expected = (sign(**arguments, secret=SECRET), shown)
    assert expected == (sign(**arguments, secret=held), repr(VoiceClient(KEY, held)))

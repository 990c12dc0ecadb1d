"""Voice API v2 webhook signing: the reference's worked example, every case it describes, and Node's verdicts.

The Node script ``tests/node/v2_signing.mjs`` is an independent implementation of the reference's
algorithm (§7) with Node's ``crypto`` only; it runs as a real subprocess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from svaml.errors import ReplayError, SignatureError, SvamlError
from svaml.replay import MemoryReplayStore
from svaml.signing import Credentials, Keyring, content_md5, sign, string_to_sign, verify
from svaml.v2.signing import CONTENT_TYPE, format_timestamp, sign_webhook, verify_webhook, webhook_signer

# The worked example of the OAS (reference §7).
URL_PATH = "/voice-webhooks"
BODY = '{"event":"call.incoming","call":{"callId":"01AN4Z07BY79KA1307SR9X4MV3"}}'
TIMESTAMP = "2026-04-01T12:00:00.0000000Z"
SERVICE_ID = "a74b1566-0f18-4f8e-9c23-8e6b5df8fd3e"
SECRET = "F5wrP9SKYU6w8sbZXkp7GA=="
SIGNATURE = "EWFtVTrykdhMTdyYSbn40GBJpf5UBeggO9T99sdwLyY="
RAW_KEY_SIGNATURE = "zZTbfTGb39+xXzdbUfoIAK5KavYvNuJ58Iy+Nj2ktBY="
SENT = datetime(2026, 4, 1, 12, tzinfo=timezone.utc)
# The SDKs' e2e mock server's service (reference §7).
OTHER_ID = "serviceKey"
OTHER_SECRET = "BeIukql3pTKJ8RGL5zo0DA=="

NODE = shutil.which("node")
SCRIPT = Path(__file__).parent / "node" / "v2_signing.mjs"
# Skipped only off CI: .ci/run installs Node, so there a missing node fails the test.
needs_node = pytest.mark.skipif(
    os.environ.get("CI") != "true" and NODE is None, reason="needs node (CI installs it)"
)


def example_headers(**changes: str | None) -> dict[str, str]:
    """The worked example's headers, some replaced or (None) removed."""
    headers: dict[str, str | None] = {
        "Authorization": f"service {SERVICE_ID}:{SIGNATURE}",
        "Content-Type": CONTENT_TYPE,
        "x-timestamp": TIMESTAMP,
    }
    headers.update(changes)
    return {name: value for name, value in headers.items() if value is not None}


def verify_example(**changes: Any) -> str:
    """Verify the worked example at the moment it was signed, with some arguments changed."""
    arguments: dict[str, Any] = {
        "path": URL_PATH,
        "headers": example_headers(),
        "body": BODY.encode(),
        "service_id": SERVICE_ID,
        "secret": SECRET,
        "now": SENT,
    }
    arguments.update(changes)
    return verify_webhook(**arguments)


def test_the_worked_example_verifies() -> None:
    """The OAS example's request verifies for its service, which verify_webhook returns."""
    expected = SERVICE_ID
    assert expected == verify_example()


def test_the_worked_examples_string_to_sign() -> None:
    """The example's Content-MD5 and string to sign are the reference's."""
    expected = (
        "CH5/FnzqzRJ81QlTLGAhAw==",
        "POST\nCH5/FnzqzRJ81QlTLGAhAw==\napplication/json; charset=utf-8\n"
        "x-timestamp:2026-04-01T12:00:00.0000000Z\n/voice-webhooks",
    )
    md5 = content_md5(BODY)
    text = string_to_sign(
        "POST", content_md5=md5, content_type=CONTENT_TYPE, timestamp=TIMESTAMP, path=URL_PATH
    )
    assert expected == (md5, text)


def test_sign_webhook_reproduces_the_worked_example() -> None:
    """Signing the example gives the reference's header, for a string or a datetime timestamp."""
    expected = {"x-timestamp": TIMESTAMP, "Authorization": f"service {SERVICE_ID}:{SIGNATURE}"}
    signed = [
        sign_webhook(service_id=SERVICE_ID, secret=SECRET, path=URL_PATH, body=BODY, timestamp=stamp)
        for stamp in (TIMESTAMP, SENT)
    ]
    assert [expected, expected] == signed


def test_the_raw_secret_key_variant_does_not_verify() -> None:
    """The signature keyed with the secret's Base64 text (a known mistake) is refused."""
    headers = example_headers(Authorization=f"service {SERVICE_ID}:{RAW_KEY_SIGNATURE}")
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        verify_example(headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {
            "AUTHORIZATION": f"service {SERVICE_ID}:{SIGNATURE}",
            "CONTENT-TYPE": CONTENT_TYPE,
            "X-Timestamp": TIMESTAMP,
        },
        example_headers(Authorization=f"SERVICE {SERVICE_ID}:{SIGNATURE}"),
        example_headers(Authorization=f"Service {SERVICE_ID}:{SIGNATURE}"),
        list(example_headers().items()),
    ],
    ids=["header names in capitals", "scheme in capitals", "scheme capitalised", "pairs"],
)
def test_header_and_scheme_case_do_not_matter(headers: Any) -> None:
    """Header names and the scheme are case-insensitive (reference, NODE/JAVA/PY alike)."""
    expected = SERVICE_ID
    assert expected == verify_example(headers=headers)


def test_the_content_type_is_signed_verbatim() -> None:
    """Another spelling of the Content-Type (its parameter's case) does not verify."""
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        verify_example(headers=example_headers(**{"Content-Type": "application/json; charset=UTF-8"}))


@pytest.mark.parametrize("path", ["/voice-webhooks?tenant=7", "/voice-webhooks?", "/voice-webhooks#frag"])
def test_the_query_string_of_the_received_path_is_not_signed(path: str) -> None:
    """A request received with a query string verifies: Sinch signs the configured URL's path without it."""
    expected = SERVICE_ID
    assert expected == verify_example(path=path)


def test_a_signature_over_the_path_with_its_query_is_refused() -> None:
    """A signer that signs the query too (NODE/PY pass what they get, D13) does not verify for v2."""
    text = string_to_sign(
        "POST",
        content_md5=content_md5(BODY),
        content_type=CONTENT_TYPE,
        timestamp=TIMESTAMP,
        path=URL_PATH + "?a=1",
    )
    digest = hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    headers = example_headers(Authorization=f"service {SERVICE_ID}:{base64.b64encode(digest).decode()}")
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        verify_example(path=URL_PATH + "?a=1", headers=headers)


def test_an_empty_body_signs_empty_md5_and_content_type_lines() -> None:
    """Without a body both lines are empty, whatever Content-Type is sent (OAS, NODE; not PY, D12)."""
    text = f"POST\n\n\nx-timestamp:{TIMESTAMP}\n{URL_PATH}"
    digest = base64.b64encode(
        hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    ).decode()
    signed = sign_webhook(service_id=SERVICE_ID, secret=SECRET, path=URL_PATH, body=b"", timestamp=TIMESTAMP)
    headers = example_headers(Authorization=f"service {SERVICE_ID}:{digest}")
    verdicts = [verify_example(body=body, headers=headers) for body in (b"", None, "")]
    assert (f"service {SERVICE_ID}:{digest}", [SERVICE_ID] * 3) == (signed["Authorization"], verdicts)


def test_an_empty_body_signed_the_python_sdks_way_is_refused() -> None:
    """PY's form (MD5 of "" and the Content-Type line kept, D12) is not the OAS algorithm: refused."""
    text = f"POST\n1B2M2Y8AsgTpgAmY7PhCfg==\n{CONTENT_TYPE}\nx-timestamp:{TIMESTAMP}\n{URL_PATH}"
    digest = base64.b64encode(
        hmac.new(base64.b64decode(SECRET), text.encode(), hashlib.sha256).digest()
    ).decode()
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        verify_example(body=b"", headers=example_headers(Authorization=f"service {SERVICE_ID}:{digest}"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"now": SENT + timedelta(minutes=5, seconds=1)},
            r"outside the replay window of 300 seconds: .* 301 seconds in the past",
        ),
        (
            {"now": SENT - timedelta(minutes=6)},
            r"outside the replay window of 300 seconds: .* 360 seconds in the future",
        ),
        ({"now": SENT + timedelta(minutes=2), "max_age": 60}, "outside the replay window of 60 seconds"),
        ({"now": None}, "outside the replay window of 300 seconds"),
    ],
    ids=["stale", "from the future", "a shorter window", "the real clock"],
)
def test_a_stale_timestamp_is_refused(changes: dict[str, Any], message: str) -> None:
    """An x-timestamp outside the window (default 5 minutes either way) is refused (OAS; no SDK checks it)."""
    with pytest.raises(SignatureError, match=message):
        verify_example(**changes)


def test_the_window_is_configurable_and_can_be_off() -> None:
    """A 10-minute window accepts a 6-minute-old request; max_age=None accepts one from 2026 now."""
    actual = [
        verify_example(now=SENT + timedelta(minutes=6), max_age=timedelta(minutes=10)),
        verify_example(now=None, max_age=None),
    ]
    expected = [SERVICE_ID, SERVICE_ID]
    assert expected == actual


def test_another_service_is_refused() -> None:
    """A webhook signed for a service this endpoint does not know is refused, naming why."""
    body = BODY.encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        **sign_webhook(
            service_id=OTHER_ID, secret=OTHER_SECRET, path=URL_PATH, body=body, timestamp=TIMESTAMP
        ),
    }
    with pytest.raises(SignatureError, match=r"^unknown service ID in the Authorization header$"):
        verify_example(headers=headers)


def test_another_services_secret_is_refused() -> None:
    """A webhook naming this service but signed with another's secret does not match."""
    headers = {
        "Content-Type": CONTENT_TYPE,
        **sign_webhook(
            service_id=SERVICE_ID, secret=OTHER_SECRET, path=URL_PATH, body=BODY, timestamp=TIMESTAMP
        ),
    }
    with pytest.raises(SignatureError, match=r"^signature does not match"):
        verify_example(headers=headers)


@pytest.mark.parametrize(
    "services",
    [
        {SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET},
        Keyring({SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET}),
        Keyring([Credentials(key=OTHER_ID, secret=OTHER_SECRET), Credentials(key=SERVICE_ID, secret=SECRET)]),
    ],
    ids=["mapping", "keyring", "keyring of credentials"],
)
def test_several_services_each_verify(services: Any) -> None:
    """With several services the Authorization's service ID picks the secret; each verifies as itself."""
    other = {
        "Content-Type": CONTENT_TYPE,
        **sign_webhook(
            service_id=OTHER_ID, secret=OTHER_SECRET, path=URL_PATH, body=BODY, timestamp=TIMESTAMP
        ),
    }
    actual = [
        verify_example(service_id=None, secret=None, services=services),
        verify_example(service_id=None, secret=None, services=services, headers=other),
    ]
    expected = [SERVICE_ID, OTHER_ID]
    assert expected == actual


def test_the_v1_scheme_is_refused_for_v2_and_v2_for_v1() -> None:
    """An Application signature is refused by verify_webhook, a service one by v1's verify, each saying so."""
    v1 = sign(
        method="POST",
        path=URL_PATH,
        body=BODY,
        content_type=CONTENT_TYPE,
        key=SERVICE_ID,
        secret=SECRET,
        timestamp="2026-04-01T12:00:00Z",
    )
    messages = []
    with pytest.raises(SignatureError) as refused_v2:
        verify_example(headers={**example_headers(), **v1})
    messages.append(str(refused_v2.value))
    with pytest.raises(SignatureError) as refused_v1:
        verify(
            method="POST",
            path=URL_PATH,
            headers=example_headers(),
            body=BODY,
            key=SERVICE_ID,
            secret=SECRET,
            now=SENT,
        )
    messages.append(str(refused_v1.value))
    expected = [
        "unsupported Authorization scheme: 'Application' signs Voice API v1 (svaml.signing.verify);"
        " expected 'service'",
        "unsupported Authorization scheme: 'service' signs Voice API v2 webhooks"
        " (svaml.v2.signing.verify_webhook); expected 'Application'",
    ]
    assert expected == messages


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"headers": example_headers(Authorization=None)}, "^missing Authorization header$"),
        ({"headers": example_headers(**{"x-timestamp": None})}, "^missing x-timestamp header$"),
        ({"headers": example_headers(Authorization="Basic Zm9vOmJhcg==")}, "expected 'service'"),
        (
            {"headers": example_headers(Authorization=f"service {SERVICE_ID}")},
            "^malformed Authorization header",
        ),
        ({"headers": example_headers(**{"x-timestamp": "yesterday"})}, "not an ISO-8601"),
        ({"body": BODY.replace("01AN", "01AM").encode()}, "^signature does not match"),
        ({"path": "/other-webhooks"}, "^signature does not match"),
        ({"path": "https://example.com/voice-webhooks"}, "starting with '/'"),
        ({"secret": "not base64!"}, "^the service secret is not Base64"),
        ({"service_id": ""}, "^the service ID must not be empty"),
        ({"service_id": None}, "give the service ID and the service secret"),
        ({"services": {SERVICE_ID: SECRET}}, "either service_id and secret, or services"),
        ({"method": "PUT"}, "^signature does not match"),
    ],
)
def test_every_refusal_says_why_and_never_the_secret(changes: dict[str, Any], message: str) -> None:
    """Each bad request or argument is a SignatureError saying why, naming neither secret nor signature."""
    with pytest.raises(SignatureError, match=message) as refused:
        verify_example(**changes)
    expected: list[str] = []
    assert expected == [s for s in (SECRET, "F5wrP9", SIGNATURE, "not base64!") if s in str(refused.value)]


def test_the_method_is_upper_cased() -> None:
    """A lower-case ``post`` verifies (JAVA's test), as the method is upper-cased before signing."""
    expected = SERVICE_ID
    assert expected == verify_example(method="post")


def test_a_replayed_webhook_is_refused_by_the_replay_store() -> None:
    """With a replay store the same signed webhook is accepted once within the window."""
    store = MemoryReplayStore()
    verify_example(replay=store)
    with pytest.raises(ReplayError, match=r"^replayed request: key a74b1566"):
        verify_example(replay=store)


def test_format_timestamp_writes_seven_fractional_digits() -> None:
    """A v2 x-timestamp has 7 fractional digits (reference §6.1), the seventh being 0."""
    moment = datetime(2026, 4, 1, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    expected = "2026-04-01T10:00:00.1234560Z"
    assert expected == format_timestamp(moment)


def test_a_naive_timestamp_is_refused_when_signing() -> None:
    """Signing with a datetime of unknown zone raises rather than guess."""
    with pytest.raises(SvamlError, match="timezone-aware"):
        sign_webhook(
            service_id=SERVICE_ID, secret=SECRET, path=URL_PATH, body=BODY, timestamp=datetime(2026, 4, 1)
        )


def test_a_signer_signs_as_sign_webhook_does() -> None:
    """webhook_signer's function gives sign_webhook's headers for each body, and stamps now when untold."""
    signer = webhook_signer(Credentials(key=SERVICE_ID, secret=SECRET), path=URL_PATH, timestamp=TIMESTAMP)
    fresh = webhook_signer(Credentials(key=SERVICE_ID, secret=SECRET), path=URL_PATH)(BODY)
    expected = [
        sign_webhook(service_id=SERVICE_ID, secret=SECRET, path=URL_PATH, body=body, timestamp=TIMESTAMP)
        for body in (BODY, b"")
    ]
    now_verifies = verify_webhook(
        path=URL_PATH,
        headers={**fresh, "Content-Type": CONTENT_TYPE},
        body=BODY,
        service_id=SERVICE_ID,
        secret=SECRET,
    )
    assert (expected, SERVICE_ID) == ([signer(BODY), signer(b"")], now_verifies)


# -- an independent implementation: Node's crypto ---------------------------------------------------

REQUESTS: list[dict[str, Any]] = [
    {"url": URL_PATH, "body": BODY, "contentType": CONTENT_TYPE},
    {
        "url": "https://hooks.example.com/v2/sinch/events?tenant=7&x=%20y",
        "body": BODY,
        "contentType": CONTENT_TYPE,
    },
    {"url": "/hooks", "body": "", "contentType": CONTENT_TYPE},
    {
        "url": "/hooks/%C3%BCn%C3%AFcode",
        "body": '{"event":"call.hangup","call":{"callId":"x","callName":"Åsa ☎"}}',
        "contentType": "application/json",
    },
    {
        "url": "/a/b/c#fragment",
        "body": '{\n  "event": "call.menu",\n  "menu": {"menuName": "main", "input": "1#"}\n}',
        "contentType": "application/json;charset=UTF-8",
    },
]


def run_node(sign_these: list[dict[str, Any]], verify_these: list[dict[str, Any]]) -> dict[str, Any]:
    """Sign and verify requests with the Node implementation; return its ``signed`` and ``verdicts``."""
    assert NODE is not None, "node is not installed"
    done = subprocess.run(
        [NODE, str(SCRIPT)],
        input=json.dumps({"sign": sign_these, "verify": verify_these}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    expected = (0, "")
    assert expected == (done.returncode, done.stderr)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def svaml_path(url: str) -> str:
    """The path svaml signs and receives for a configured URL (the part after the host)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


@needs_node
def test_node_verifies_what_svaml_signs_and_svaml_what_node_signs() -> None:
    """Signatures made by svaml verify under Node's implementation, and Node's verify in svaml."""
    moments = [SENT + timedelta(seconds=index, microseconds=123456 * index) for index in range(len(REQUESTS))]
    requests = [
        {**request, "timestamp": format_timestamp(moment), "serviceId": service, "secret": secret}
        for request, moment, (service, secret) in zip(
            REQUESTS, moments, [(SERVICE_ID, SECRET), (OTHER_ID, OTHER_SECRET)] * 3, strict=False
        )
    ]
    ours = [
        {
            "Content-Type": r["contentType"],
            **sign_webhook(
                service_id=r["serviceId"],
                secret=r["secret"],
                path=svaml_path(r["url"]),
                body=r["body"].encode(),
                content_type=r["contentType"],
                timestamp=r["timestamp"],
            ),
        }
        for r in requests
    ]
    tampered = [{**r, "body": r["body"] + " "} for r in requests]
    result = run_node(
        requests, [{**r, "headers": h} for r, h in zip(requests + tampered, ours + ours, strict=True)]
    )
    services = {SERVICE_ID: SECRET, OTHER_ID: OTHER_SECRET}
    svaml_verdicts = [
        verify_webhook(
            path=svaml_path(r["url"]),
            headers={"content-type": r["contentType"], **theirs},
            body=r["body"].encode(),
            services=services,
            max_age=None,
        )
        for r, theirs in zip(requests, result["signed"], strict=True)
    ]
    expected = ([True] * len(requests) + [False] * len(requests), [r["serviceId"] for r in requests], ours)
    signed_alike = [
        {"Content-Type": r["contentType"], **h} for r, h in zip(requests, result["signed"], strict=True)
    ]
    assert expected == (result["verdicts"], svaml_verdicts, signed_alike)

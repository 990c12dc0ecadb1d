"""Benchmark a full ICE round trip through CallbackApp against the floor of any Python webhook.

The round trip is what a Sinch callback costs the application: verify the signature, read the ICE
event, call a function that builds a small menu, check the SVAML for ICE and write it as JSON.
The floor is ``json.loads`` of the body + one HMAC-SHA256 digest + ``json.dumps`` of a literal
response dict. Both run in the same process, interleaved over several rounds (the machine may be
shared and noisy), and the best round of each counts; the target is a ratio of at most 3.

    python benchmarks/bench_callback.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

from _timing import best_of

from svaml import IceSvaml, Menu, MenuOption, Svaml, return_, tts
from svaml.callbacks import CallbackApp, parse_event
from svaml.model import IceEvent
from svaml.signing import Credentials, sign, verify

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"
BODY = json.dumps(
    {
        "event": "ice",
        "callid": "4398599d1ba84ef3bde0a82dfb61abed",
        "callResourceUrl": "https://calling-euc1.api.sinch.com/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed",
        "timestamp": "2024-01-19T09:19:28.9372196Z",
        "version": 1,
        "custom": "customData",
        "userRate": {"currencyId": "USD", "amount": 0.0},
        "cli": "+46708168731",
        "to": {"type": "number", "endpoint": "+46700000000"},
        "domain": "pstn",
        "applicationKey": KEY,
        "originationType": "pstn",
        "rdnis": "",
    },
    separators=(",", ":"),
).encode()
HEADERS = {
    "Content-Type": "application/json",
    **sign(method="POST", path=PATH, body=BODY, content_type="application/json", key=KEY, secret=SECRET),
}
RESPONSE = {
    "instructions": [{"name": "answer"}],
    "action": {
        "name": "runMenu",
        "locale": "en-US",
        "menus": [
            {
                "id": "main",
                "mainPrompt": "#tts[Press 1 for sales, or 2 to end the call.]",
                "options": [
                    {"dtmf": "1", "action": "return(sales)"},
                    {"dtmf": "2", "action": "return(goodbye)"},
                ],
            }
        ],
    },
}


def greet(event: IceEvent) -> IceSvaml:
    """Answer with a small two-option menu."""
    return (
        Svaml.ice()
        .answer()
        .run_menu(
            Menu(
                id="main",
                main_prompt=tts("Press 1 for sales, or 2 to end the call."),
                options=[
                    MenuOption(dtmf="1", action=return_("sales")),
                    MenuOption(dtmf="2", action=return_("goodbye")),
                ],
            ),
            locale="en-US",
        )
    )


app = CallbackApp(key=KEY, secret=SECRET)
app.ice(greet)
SECRET_BYTES = base64.b64decode(SECRET)
CREDENTIALS = Credentials(key=KEY, secret=SECRET)
EVENT = parse_event(BODY)
DOC = greet(EVENT)


def full() -> None:
    """One whole callback: verify, parse, call, check, serialize."""
    response = app.handle("POST", PATH, HEADERS, BODY)
    assert response.status == 200


def floor() -> None:
    """The least any Python webhook does: decode, one HMAC, encode a literal answer."""
    json.loads(BODY)
    hmac.new(SECRET_BYTES, BODY, hashlib.sha256).digest()
    json.dumps(RESPONSE)


PARTS: dict[str, Callable[[], object]] = {
    # As handle verifies: through the app's Credentials, which hold the decoded, keyed secret.
    "  verify (Credentials.verify)": lambda: CREDENTIALS.verify(method="POST", path=PATH, headers=HEADERS, body=BODY),
    "  verify (verify function)": lambda: verify(
        method="POST", path=PATH, headers=HEADERS, body=BODY, key=KEY, secret=SECRET
    ),
    "  parse": lambda: parse_event(BODY),
    "  build": lambda: greet(EVENT),
    "  check + serialize": lambda: DOC.to_json(),
}


def main() -> None:
    """Measure and print µs per operation and the ratio."""
    assert json.loads(app.handle("POST", PATH, HEADERS, BODY).body) == RESPONSE
    best = best_of({"floor": floor, "full": full, **PARTS}, number=1000, rounds=9)
    floor_us, full_us = best["floor"], best["full"]
    print(f"{'floor (json.loads + hmac + json.dumps)':<40} {floor_us:8.1f} µs/op")
    print(f"{'full ICE round trip (CallbackApp.handle)':<40} {full_us:8.1f} µs/op")
    for name in PARTS:
        print(f"{name:<40} {best[name]:8.1f} µs/op")
    ratio = full_us / floor_us
    print(f"ratio: {ratio:.2f}x (target <= 3x) {'OK' if ratio <= 3 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()

"""Benchmark a full ICE round trip through CallbackApp against the floor of any Python webhook.

The round trip is what a Sinch callback costs the application: verify the signature, read the ICE
event, call a function that builds a small menu, check the SVAML for ICE and write it as JSON.
The floor is ``json.loads`` of the body + one HMAC-SHA256 digest + ``json.dumps`` of a literal
response dict. Both run in the same process, interleaved over several rounds (the machine may be
shared and noisy), and the best round of each counts; the target is a ratio of at most 4.

A third line, "bare attrs", is the least any attrs-based library can do for the same round trip:
the same hashing, plain frozen attrs classes for the event and the answer (no type checks, no
liberal reading, no rules), the answer built in three immutable steps as the builder does, and
the same JSON encoder. It bounds from below what svaml can reach. The line "without the check"
is svaml's round trip with the answer written unchecked: the difference to the full round trip
is what the rules cost in place.

    python benchmarks/bench_callback.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
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


# One signed request is answered again and again: the replay check would refuse it (bench_replay.py
# measures that check).
app = CallbackApp(key=KEY, secret=SECRET, replay=None)
app.ice(greet)
SECRET_BYTES = base64.b64decode(SECRET)
CREDENTIALS = Credentials(key=KEY, secret=SECRET)
_EVENT = parse_event(BODY)
assert isinstance(_EVENT, IceEvent)
EVENT: IceEvent = _EVENT
DOC = greet(EVENT)


def full() -> None:
    """One whole callback: verify, parse, call, check, serialize."""
    response = app.handle("POST", PATH, HEADERS, BODY)
    assert response.status == 200


def unchecked() -> None:
    """The same round trip with the check of the answer left out: what the rules cost, by difference."""
    CREDENTIALS.verify(method="POST", path=PATH, headers=HEADERS, body=BODY)
    event = parse_event(BODY)
    assert isinstance(event, IceEvent)
    greet(event).to_json(check=False).encode()


def floor() -> None:
    """The least any Python webhook does: decode, one HMAC, encode a literal answer."""
    json.loads(BODY)
    hmac.new(SECRET_BYTES, BODY, hashlib.sha256).digest()
    json.dumps(RESPONSE)


# -- the bare attrs reference: the event and the answer as plain frozen attrs classes -------------


@attrs.frozen(kw_only=True)
class _Price:
    currency_id: str
    amount: float


@attrs.frozen(kw_only=True)
class _Destination:
    type: str
    endpoint: str


@attrs.frozen(kw_only=True)
class _Ice:
    event: str
    call_id: str
    call_resource_url: str
    timestamp: datetime
    version: int
    custom: str
    user_rate: _Price
    cli: str
    to: _Destination
    domain: str
    application_key: str
    origination_type: str
    rdnis: str


@attrs.frozen(kw_only=True)
class _Answer:
    name: str = "answer"


@attrs.frozen(kw_only=True)
class _Option:
    dtmf: str
    action: str


@attrs.frozen(kw_only=True)
class _Menu:
    id: str
    main_prompt: str
    options: tuple[_Option, ...]


@attrs.frozen(kw_only=True)
class _RunMenu:
    locale: str
    menus: tuple[_Menu, ...]


@attrs.frozen(kw_only=True)
class _Document:
    instructions: tuple[_Answer, ...] = ()
    action: _RunMenu | None = None

_KEYED = hmac.new(SECRET_BYTES, digestmod=hashlib.sha256)
_DUMPS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def bare() -> bytes:
    """The same round trip with no checks at all: hashing, plain attrs objects, a hand-written dict."""
    body, headers = BODY, HEADERS
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    timestamp = headers["x-timestamp"]
    text = "\n".join(("POST", md5, headers["Content-Type"], "x-timestamp:" + timestamp, PATH))
    signer = _KEYED.copy()
    signer.update(text.encode())
    _, _, credentials = headers["Authorization"].partition(" ")
    _, _, given = credentials.partition(":")
    assert hmac.compare_digest(base64.b64encode(signer.digest()).decode(), given)
    datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    data: dict[str, Any] = json.loads(body)
    rate, to = data["userRate"], data["to"]
    event = _Ice(
        event=data["event"],
        call_id=data["callid"],
        call_resource_url=data["callResourceUrl"],
        timestamp=datetime.fromisoformat(data["timestamp"][:26]),
        version=data["version"],
        custom=data["custom"],
        user_rate=_Price(currency_id=rate["currencyId"], amount=rate["amount"]),
        cli=data["cli"],
        to=_Destination(type=to["type"], endpoint=to["endpoint"]),
        domain=data["domain"],
        application_key=data["applicationKey"],
        origination_type=data["originationType"],
        rdnis=data["rdnis"],
    )
    assert event.event == "ice"
    doc = _Document()
    doc = _Document(instructions=(*doc.instructions, _Answer()), action=doc.action)
    menu = _Menu(
        id="main",
        main_prompt="#tts[Press 1 for sales, or 2 to end the call.]",
        options=(_Option(dtmf="1", action="return(sales)"), _Option(dtmf="2", action="return(goodbye)")),
    )
    doc = _Document(instructions=doc.instructions, action=_RunMenu(locale="en-US", menus=(menu,)))
    run = doc.action
    assert run is not None
    answer = {
        "instructions": [{"name": i.name} for i in doc.instructions],
        "action": {
            "name": "runMenu",
            "locale": run.locale,
            "menus": [
                {
                    "id": m.id,
                    "mainPrompt": m.main_prompt,
                    "options": [{"dtmf": o.dtmf, "action": o.action} for o in m.options],
                }
                for m in run.menus
            ],
        },
    }
    return _DUMPS(answer).encode()


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


TARGET = 4.0  # issue 10: a full ICE round trip at most 4x its floor


def main() -> None:
    """Measure and print µs per operation and the ratio."""
    assert json.loads(app.handle("POST", PATH, HEADERS, BODY).body) == RESPONSE == json.loads(bare())
    cases = {"floor": floor, "full": full, "unchecked": unchecked, "bare": bare, **PARTS}
    best = best_of(cases, number=1000, rounds=9)
    floor_us, full_us = best["floor"], best["full"]
    print(f"{'floor (json.loads + hmac + json.dumps)':<40} {floor_us:8.1f} µs/op")
    print(f"{'full ICE round trip (CallbackApp.handle)':<40} {full_us:8.1f} µs/op")
    print(f"{'the same without the check of the answer':<40} {best['unchecked']:8.1f} µs/op"
          f"  {best['unchecked'] / floor_us:.2f}x the floor")
    print(f"{'bare attrs (no checks; see the docstring)':<40} {best['bare']:8.1f} µs/op"
          f"  {best['bare'] / floor_us:.2f}x the floor")
    for name in PARTS:
        print(f"{name:<40} {best[name]:8.1f} µs/op")
    ratio = full_us / floor_us
    print(f"ratio: {ratio:.2f}x (target <= {TARGET:g}x) {'OK' if ratio <= TARGET else 'OVER TARGET'}")


if __name__ == "__main__":
    main()

"""What VoiceClient2 adds to a request: checks, the shared transport, reading the answer into the model.

Against the v2 stand-in (Emulator2) on 127.0.0.1, each case next to its floor, measured in the same
interleaved rounds: the same request sent with a bare ``requests.Session`` (same headers, same
body, the answer not read into anything). Printed: µs per call and the ratio to the floor.

- ``get_call``: GET one call, read into ``Call``;
- ``create_call``: a dial checked with the v2 rules, POSTed with an Idempotency-Key, the answer
  read into ``CallCreated`` (the stand-in places and plays a call each time, on both sides).

Run ``python benchmarks/bench_v2_client.py``; ``SVAML_BENCH_QUICK=1`` runs each case once.
"""

from __future__ import annotations

import base64
import uuid

import requests
from _timing import QUICK, best_of

from svaml import _json, codec
from svaml.v2 import Svaml2
from svaml.v2.emulator import Emulator2, StatePlayer


def main() -> None:
    """Time each case and its floor; print the figures and ratios."""
    document = Svaml2().dial("+46700000001")
    body = _json.dumps(codec.unstructure(document)).encode()
    with Emulator2(player=StatePlayer(talk_seconds=0.0)) as sinch, sinch.client(auth="basic") as client:
        created = client.create_call(document)
        call_id = str(client.get_session(str(created.session_id)).calls[0].call_id)
        base = f"{sinch.url}/v2/projects/{sinch.project_id}"
        basic = base64.b64encode(f"{sinch.key_id}:{sinch.key_secret}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        with requests.Session() as bare:

            def floor_get() -> object:
                return bare.get(f"{base}/calls/{call_id}", headers=headers, timeout=5).content

            def floor_create() -> object:
                sent = {**headers, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
                return bare.post(f"{base}/calls", data=body, headers=sent, timeout=5).content

            assert client.get_call(call_id).call_id == call_id  # the case reads what the floor fetches
            found = best_of(
                {
                    "floor get": floor_get,
                    "get_call": lambda: client.get_call(call_id),
                    "floor create": floor_create,
                    "create_call": lambda: client.create_call(document),
                },
                number=1 if QUICK else 40,
                rounds=1 if QUICK else 7,
            )
    print(f"{'case':<14}{'µs/call':>10}")
    for name, micros in found.items():
        print(f"{name:<14}{micros:>10.0f}")
    print(
        f"ratio: get_call {found['get_call'] / found['floor get']:.2f}x its floor,"
        f" create_call {found['create_call'] / found['floor create']:.2f}x its floor"
    )


if __name__ == "__main__":
    main()

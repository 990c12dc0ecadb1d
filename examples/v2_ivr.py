"""A Voice API v2 IVR behind a verified webhook, served by svaml's WebhookApp.

``call.incoming``: answer and run a menu — 1 for sales, 2 for the opening hours — that fails to a
goodbye. Each choice is a ``webhook`` command, so the menu's outcome comes back to this application
as a custom event (``call.webhook.sales``, ``call.webhook.hours``, with the caller's input) and the
answer is decided then: sales is dialled and bridged with the caller, the hours depend on the day.
``call.hangup``: logged; nothing to say. Every other event: nothing to say (``{"commands": []}``).

Run it (wsgiref, standard library only)::

    SINCH_SERVICE_ID=... SINCH_SERVICE_SECRET=... PUBLIC_URL=https://your.host python examples/v2_ivr.py

and set the service's webhook URL at Sinch to ``PUBLIC_URL`` + ``WEBHOOK_PATH``. Under an ASGI
server, serve ``create_app().asgi`` instead (docs/v2-webhooks.md).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime, timezone
from typing import Any
from wsgiref.simple_server import make_server

from svaml.v2 import Svaml2
from svaml.v2.model import CustomEvent, HangupEvent, IncomingEvent, MenuItem, Say
from svaml.v2.webhooks import WebhookApp

#: Where Sinch posts the webhooks: the path of the service's webhook URL.
WEBHOOK_PATH = "/sinch/v2/webhooks"
#: The number the "sales" choice dials (E.164).
SALES_NUMBER = os.environ.get("SALES_NUMBER", "+46700000000")
#: A voice of Sinch's catalogue (svaml.v2.model.VOICE_NAMES).
VOICE = "Emma"

log = logging.getLogger("v2_ivr")


def webhook_url() -> str:
    """The URL the menu's ``webhook`` commands call: this application, as Sinch reaches it."""
    return os.environ.get("PUBLIC_URL", "https://ivr.example.com").rstrip("/") + WEBHOOK_PATH


def goodbye(text: str, call_name: str | None = None) -> Svaml2:
    """Say ``text``, then hang up (the current leg, or ``call_name``) once it has been heard.

    In v2 ``messages`` and ``hangup`` do not wait: ``say(...).hangup()`` would cut the words
    at once. The hangup goes in the message's ``onFinish`` instead.
    """
    return Svaml2().say(text, VOICE, on_finish=Svaml2().hangup(call_name))


def greet(event: IncomingEvent) -> Svaml2:
    """Answer an incoming call with a two-choice menu; each choice asks this application again."""
    caller = event.call.from_ if event.call is not None else None
    log.info("incoming call %s from %s", event.call and event.call.call_id, caller)
    url = webhook_url()
    return (
        Svaml2()
        .with_call_name("caller")
        .answer()
        .menu(
            MenuItem(
                "main",
                prompt=Say("Welcome. Press 1 for sales, or 2 for our opening hours.", voice_name=VOICE),
                repeat_prompt=Say("Sorry, please press 1 or 2.", voice_name=VOICE),
                repeat_count=2,
                matches={
                    "1": Svaml2().webhook("sales", url),
                    "2": Svaml2().webhook("hours", url),
                },
                on_fail=goodbye("Thank you for calling. Goodbye."),
            )
        )
    )


def sales(event: CustomEvent) -> Svaml2:
    """Dial sales; when they answer, bridge them with the caller. Any other outcome: apologise, hang up."""
    # The sources do not say on which leg a dial that never connected runs its handlers: name the caller's.
    sorry = goodbye("Sales cannot take your call now. Please call again.", "caller")
    return (
        Svaml2()
        .say("Connecting you to sales.", VOICE)
        .dial(
            SALES_NUMBER,
            call_name="sales",
            dial_timeout_duration_seconds=30,
            on_answer=Svaml2().bridge_call("desk"),
            on_busy=sorry,
            on_reject=sorry,
            on_timeout=sorry,
            on_failure=sorry,
            on_hangup=Svaml2().hangup("caller"),
        )
        .bridge_call("desk")
    )


def hours(event: CustomEvent) -> Svaml2:
    """Say today's opening hours, then hang up once they have been heard."""
    weekend = datetime.now(timezone.utc).weekday() >= 5
    text = "We are closed today; we open on Monday at 9." if weekend else "We are open today from 9 to 5."
    return goodbye(text)


def ended(event: HangupEvent) -> None:
    """Log how a leg ended; there is nothing to say (``{"commands": []}``)."""
    call = event.call
    if call is not None:
        log.info(
            "call %s ended: %s after %s seconds", call.call_id, call.call_reason, call.call_duration_seconds
        )


def create_app(service_id: str | None = None, secret: str | None = None, **options: Any) -> WebhookApp:
    """Return the application, with the service's credentials given or from the environment.

    ``options`` go to :class:`WebhookApp` (``replay=None`` for a benchmark that replays requests).
    """
    service_id = service_id or os.environ.get("SINCH_SERVICE_ID")
    secret = secret or os.environ.get("SINCH_SERVICE_SECRET")
    if not service_id or not secret:
        sys.exit(
            "Set SINCH_SERVICE_ID and SINCH_SERVICE_SECRET to your Voice API v2 service's ID and secret"
            " to check the signatures of Sinch's webhooks."
        )
    app = WebhookApp(service_id=service_id, secret=secret, **options)
    app.incoming(greet)
    app.custom("sales")(sales)
    app.custom("hours")(hours)
    app.hangup(ended)
    return app


def main() -> None:
    """Serve the IVR with wsgiref on ``HOST``:``PORT`` (default 127.0.0.1:8000)."""
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))
    with make_server(host, port, app.wsgi) as server:
        print(f"Serving the v2 IVR on http://{host}:{port}{WEBHOOK_PATH}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()

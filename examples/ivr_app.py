"""The small IVR application that every framework example serves.

ICE: answer and run a menu (1 for sales, 2 to end the call). PIE: "sales" connects the caller to
``SALES_NUMBER``; anything else (2, a timeout, a hangup) says goodbye and hangs up. ACE: continue.
DiCE: logged. The framework files only move bytes between their framework and this application.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from svaml import AceSvaml, IceSvaml, Menu, MenuOption, PieSvaml, Svaml, return_, tts
from svaml.callbacks import CallbackApp
from svaml.model import AceEvent, DiceEvent, IceEvent, MenuResultType, PieEvent

#: Where Sinch posts the callbacks: the path of the callback URL set in the Sinch dashboard.
CALLBACK_PATH = "/sinch/callback"
#: The number the "sales" option connects to (E.164).
SALES_NUMBER = os.environ.get("SALES_NUMBER", "+46700000000")

log = logging.getLogger("ivr_app")


def greet(event: IceEvent) -> IceSvaml:
    """Answer an incoming call with a two-option menu."""
    log.info("incoming call %s from %s", event.call_id, event.cli)
    return (
        Svaml.ice()
        .answer()
        .run_menu(
            Menu(
                id="main",
                main_prompt=tts("Welcome. Press 1 for sales, or 2 to end the call."),
                repeat_prompt=tts("Sorry, please press 1 or 2."),
                repeats=2,
                options=[
                    MenuOption(dtmf="1", action=return_("sales")),
                    MenuOption(dtmf="2", action=return_("goodbye")),
                ],
            ),
            locale="en-US",
        )
    )


def choose(event: PieEvent) -> PieSvaml:
    """Connect the caller to sales, or say goodbye."""
    result = event.menu_result
    if result is not None and result.type is MenuResultType.RETURN and result.value == "sales":
        return Svaml.pie().connect_pstn(SALES_NUMBER)
    return Svaml.pie().say("Thank you for calling. Goodbye.", locale="en-US").hangup()


def answered(event: AceEvent) -> AceSvaml:
    """Let an answered call go on."""
    return Svaml.ace().continue_()


def ended(event: DiceEvent) -> None:
    """Log how a call ended."""
    log.info("call %s ended: %s (%s seconds)", event.call_id, event.reason, event.duration)


def create_app(key: str | None = None, secret: str | None = None, **options: Any) -> CallbackApp:
    """Return the application, with the credentials given or from the environment.

    ``options`` go to :class:`CallbackApp` (``replay=None`` for a benchmark that replays requests).
    """
    key = key or os.environ.get("SINCH_APPLICATION_KEY")
    secret = secret or os.environ.get("SINCH_APPLICATION_SECRET")
    if not key or not secret:
        sys.exit(
            "Set SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET to your Sinch application's key"
            " and secret (Sinch dashboard, Voice > Apps) to check the signatures of Sinch's callbacks."
        )
    app = CallbackApp(key=key, secret=secret, **options)
    app.ice(greet)
    app.pie(choose)
    app.ace(answered)
    app.dice(ended)
    return app


def listen_address() -> tuple[str, int]:
    """Return the host and port to listen on: ``HOST`` and ``PORT``, by default 127.0.0.1:8000."""
    return os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))

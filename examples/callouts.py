"""Requests a support article shows: a text-to-speech callout, a custom callout that runs the IVR, and a hold.

``docs/snippets.md`` renders them as JSON, curl, Python and Node with ``svaml render``.
"""

from __future__ import annotations

from ivr_menu import ivr_menu

from svaml import PatchSvaml, Svaml
from svaml.model import CalloutRequest, CustomCallout, TtsCallout, callout_request


def reminder() -> CalloutRequest:
    """Call a customer and read them a reminder."""
    return callout_request(
        TtsCallout(
            "+46701234567",
            cli="+46850000000",
            locale="en-US",
            text="Your table for two is booked for seven o'clock tonight.",
        )
    )


def ivr_callout() -> CalloutRequest:
    """Call a customer and, once they answer, run the order IVR (answered call: ACE)."""
    return callout_request(
        CustomCallout(
            ice=Svaml.ice().connect_pstn("+46701234567", cli="+46850000000").to_json(),
            ace=Svaml.ace().with_action(ivr_menu().action).to_json(),
            pie="https://example.com/sinch/pie",
        )
    )


def hold() -> PatchSvaml:
    """Put a live call on hold: say so, then park it with music for at most ten minutes."""
    return Svaml.patch().say("Please hold while we find your order.", locale="en-US").park(
        hold_prompt="#href[https://example.com/hold-music.mp3]", max_duration=600
    )

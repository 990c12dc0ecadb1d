"""Call(inline=...): events not posted, answered by a callout's inline SVAML or not enabled."""

from __future__ import annotations

from svaml import Svaml
from svaml.callbacks import CallbackApp
from svaml.model.permissions import Callback
from svaml.simulator import Call, Caller

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="


def _app() -> CallbackApp:
    app = CallbackApp(key=KEY, secret=SECRET)
    app.ice(lambda event: Svaml.ice().say("Hello", locale="en-US").hangup())
    return app


def test_an_inline_ice_is_played_and_not_posted() -> None:
    """With an inline ICE the app gets only the DiCE; the call plays the inline document."""
    inline = {Callback.ICE: Svaml.ice().say("Inline", locale="en-US").hangup()}
    transcript = Call(_app(), Caller(), key=KEY, secret=SECRET, inline=inline).run()
    expected = (("dice",), ("Inline",), True)
    assert expected == (transcript.events, transcript.heard, transcript.ok)


def test_an_event_not_enabled_is_not_posted_even_after_a_failure() -> None:
    """A failed ICE ends the call without a DiCE when DiCE is not enabled (None in inline)."""
    broken = CallbackApp(key=KEY, secret=SECRET)
    broken.ice(lambda event: "not SVAML")  # CallbackApp answers 500
    transcript = Call(broken, Caller(), key=KEY, secret=SECRET, inline={Callback.DICE: None}).run()
    assert transcript.failure is not None
    expected = (("ice",), "status", "CALLBACKERROR")
    assert expected == (
        transcript.events,
        transcript.failure.kind.value,
        transcript.reason.value if transcript.reason else None,
    )

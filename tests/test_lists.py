"""One source for every list: the client's callout methods come from the model's callout classes."""

from __future__ import annotations

import pytest

from svaml.client import VoiceClient
from svaml.model import CALLOUT_CLASSES, ConferenceCallout, Destination, TtsCallout
from svaml.typed import step_name


@pytest.mark.parametrize("method", list(CALLOUT_CLASSES))
def test_the_client_has_a_method_per_callout_class(method: str) -> None:
    """Each callout ``method`` of the model has its VoiceClient method, named in snake_case."""
    name = step_name(method)
    expected = name
    assert expected == getattr(VoiceClient, name).__name__


def test_a_callout_method_takes_its_class_parameters() -> None:
    """The derived callout methods document their class, and a str destination is a number there too."""
    expected = (
        Destination(type="number", endpoint="+46700000001"),
        ConferenceCallout(Destination(type="number", endpoint="+46700000001"), "room"),
        True,
    )
    assert expected == (
        TtsCallout("+46700000001").destination,
        ConferenceCallout("+46700000001", "room"),
        str(TtsCallout.__doc__) in str(VoiceClient.tts_callout.__doc__),
    )

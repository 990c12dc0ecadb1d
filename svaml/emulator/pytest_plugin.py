"""The ``sinch_emulator`` pytest fixture: a running :class:`~svaml.emulator.Emulator` per test.

Enable it in your ``conftest.py`` (it is not registered for every pytest run)::

    pytest_plugins = ["svaml.emulator.pytest_plugin"]

then ask for ``sinch_emulator`` in a test, point ``VoiceClient(emulator.key, emulator.secret,
base_url=emulator.url)`` at it and set ``emulator.callback_url`` to your application's URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from svaml.emulator import Emulator

__all__ = ["sinch_emulator"]


@pytest.fixture
def sinch_emulator() -> Iterator[Emulator]:
    """Yield a started emulator on a free port of 127.0.0.1, with its test key and secret; stop it after."""
    with Emulator() as emulator:
        yield emulator

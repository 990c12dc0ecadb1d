"""The ``sinch_v2_emulator`` pytest fixture: a running :class:`~svaml.v2.emulator.Emulator2` per test.

Enable it in your ``conftest.py`` (it is not registered for every pytest run)::

    pytest_plugins = ["svaml.v2.emulator.pytest_plugin"]

then ask for ``sinch_v2_emulator`` in a test and make a client with ``sinch_v2_emulator.client()``
(or ``VoiceClient2(emulator.project_id, emulator.key_id, emulator.key_secret,
base_url=emulator.url, token_url=emulator.token_url)``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from svaml.v2.emulator import Emulator2

__all__ = ["sinch_v2_emulator"]


@pytest.fixture
def sinch_v2_emulator() -> Iterator[Emulator2]:
    """Yield a started v2 stand-in on a free port of 127.0.0.1 (test project and key); stop it after."""
    with Emulator2() as emulator:
        yield emulator

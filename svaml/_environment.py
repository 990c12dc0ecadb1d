"""The one reader of Sinch's environment variables, shared by ``VoiceClient.from_env`` and the CLI.

``SINCH_APPLICATION_KEY`` and ``SINCH_APPLICATION_SECRET`` are the application's credentials
(Sinch dashboard, Voice, Apps); ``SINCH_VOICE_REGION`` the region of the calling endpoints
(optional). Kept apart from :mod:`svaml.client` so the command line can name them in its help
without loading ``requests``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from svaml.errors import SvamlError
from svaml.signing import Secret

__all__ = ["KEY", "REGION", "SECRET", "Environment", "read"]

KEY = "SINCH_APPLICATION_KEY"
SECRET = "SINCH_APPLICATION_SECRET"
REGION = "SINCH_VOICE_REGION"


class Environment(NamedTuple):
    """What the environment says: the key, the secret (in a :class:`~svaml.signing.Secret`), the region."""

    key: str
    secret: Secret
    region: str | None

    def __repr__(self) -> str:
        return f"Environment(key={self.key!r}, secret=***, region={self.region!r})"


def read(environ: Mapping[str, str] | None = None) -> Environment:
    """Read the three variables from ``environ`` (default: ``os.environ``), stripped of blanks.

    Raises :class:`~svaml.errors.SvamlError` naming every missing or empty credential variable;
    the message never contains a value.
    """
    found = os.environ if environ is None else environ
    # No local holds the secret's text: a traceback's frames (an error reporter) show none.
    missing = [name for name in (KEY, SECRET) if not found.get(name, "").strip()]
    if missing:
        raise SvamlError(
            f"{' and '.join(missing)} not set: export the key and secret of your Sinch application"
            " (dashboard, Voice, Apps)"
        )
    region = found.get(REGION, "").strip() or None
    return Environment(found[KEY].strip(), Secret(found[SECRET].strip()), region)

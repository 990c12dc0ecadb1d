"""The one reader of Sinch's environment variables, for the clients' ``from_env`` and the CLI.

Voice API v1 (:func:`read`): ``SINCH_APPLICATION_KEY`` and ``SINCH_APPLICATION_SECRET`` are the
application's credentials (Sinch dashboard, Voice, Apps); ``SINCH_VOICE_REGION`` the region of
the calling endpoints (optional).

Voice API v2 (:func:`read_v2`): ``SINCH_PROJECT_ID``, and ``SINCH_KEY_ID`` and ``SINCH_KEY_SECRET``
one of the project's access keys (dashboard, Settings, Access keys), the names Sinch's own SDKs
read; ``SINCH_VOICE_V2_REGION`` the v2 region (optional: ``global``, ``us1``, ``eu1``…; its
names are not v1's, hence a variable of its own). ``SINCH_SERVICE_ID`` and ``SINCH_SERVICE_SECRET``
are a v2 service's, which signs its webhooks (``svaml simulate`` signs with them).

Kept apart from the clients so the command line can name them in its help without loading
``requests``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from svaml.errors import SvamlError
from svaml.signing import Secret

__all__ = [
    "KEY",
    "KEY_ID",
    "KEY_SECRET",
    "PROJECT_ID",
    "REGION",
    "SECRET",
    "SERVICE_ID",
    "SERVICE_SECRET",
    "V2_REGION",
    "Environment",
    "Environment2",
    "read",
    "read_v2",
]

KEY = "SINCH_APPLICATION_KEY"
SECRET = "SINCH_APPLICATION_SECRET"
REGION = "SINCH_VOICE_REGION"
PROJECT_ID = "SINCH_PROJECT_ID"
KEY_ID = "SINCH_KEY_ID"
KEY_SECRET = "SINCH_KEY_SECRET"
V2_REGION = "SINCH_VOICE_V2_REGION"
SERVICE_ID = "SINCH_SERVICE_ID"
SERVICE_SECRET = "SINCH_SERVICE_SECRET"


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


class Environment2(NamedTuple):
    """What the environment says for v2: the project, the access key (its secret held), the region."""

    project_id: str
    key_id: str
    key_secret: Secret
    region: str | None

    def __repr__(self) -> str:
        return (
            f"Environment2(project_id={self.project_id!r}, key_id={self.key_id!r}, key_secret=***,"
            f" region={self.region!r})"
        )


def read_v2(environ: Mapping[str, str] | None = None) -> Environment2:
    """Read the four v2 variables from ``environ`` (default: ``os.environ``), stripped of blanks.

    Raises :class:`~svaml.errors.SvamlError` naming every missing or empty required variable;
    the message never contains a value.
    """
    found = os.environ if environ is None else environ
    missing = [name for name in (PROJECT_ID, KEY_ID, KEY_SECRET) if not found.get(name, "").strip()]
    if missing:
        raise SvamlError(
            f"{', '.join(missing)} not set: export your Sinch project id and one of its access keys"
            " (dashboard, Settings, Access keys)"
        )
    region = found.get(V2_REGION, "").strip() or None
    return Environment2(
        found[PROJECT_ID].strip(), found[KEY_ID].strip(), Secret(found[KEY_SECRET].strip()), region
    )

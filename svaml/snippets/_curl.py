"""The HTTP request that carries a document, as a ``curl`` command with credentials from the environment.

A callout request is ``POST /calling/v1/callouts``; a call update ``PATCH /calling/v1/calls/id/…``;
a call-leg update ``PATCH …/leg/{caller|callee|both}``. The command authenticates with Sinch's
Basic scheme (``--user "$SINCH_APPLICATION_KEY:$SINCH_APPLICATION_SECRET"``), reads the call id
from ``$CALL_ID``, and sends the canonical JSON through a quoted here-document, so no secret and
no shell quoting of the body ever appears in the snippet.
"""

from __future__ import annotations

import re

from svaml import _json
from svaml._environment import KEY, SECRET
from svaml.client import LEGS, REGIONS, checked_base_url
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model.callouts import CalloutRequest
from svaml.model.permissions import Callback
from svaml.snippets._source import canonical

__all__ = ["CALL_ID", "KEY", "LEGS", "SECRET", "to_curl"]

#: The environment variable naming the call a PATCH goes to (credentials: ``svaml._environment``).
CALL_ID = "CALL_ID"

_SHELL = re.compile(r'[$`\\"\s]')



def _target(value: Svaml | CalloutRequest, leg: str) -> tuple[str, str]:
    if isinstance(value, CalloutRequest):
        return "POST", "/calling/v1/callouts"
    if value.callback is Callback.PATCH:
        return "PATCH", f"/calling/v1/calls/id/${{{CALL_ID}}}"
    if value.callback is Callback.CALL_LEG:
        if leg not in LEGS:
            raise SvamlError(f"leg must be one of {', '.join(LEGS)}; got {leg!r}")
        return "PATCH", f"/calling/v1/calls/id/${{{CALL_ID}}}/leg/{leg}"
    what = "a SVAML document of unknown use" if value.callback is None else value.callback.phrase
    raise SvamlError(
        f"{what} is the answer to a callback, not a request you send: curl renders callout requests, "
        "call updates (callback=patch) and call-leg updates (callback=call-leg); to place a call "
        "driven by this SVAML, put it in a custom callout (svaml.model.CustomCallout(ice=…))"
    )


def to_curl(
    value: Svaml | CalloutRequest, *, region: str = "global", base_url: str | None = None, leg: str = "caller"
) -> str:
    """The ``curl`` command that sends ``value`` to Sinch (``region`` one of :data:`svaml.client.REGIONS`)."""
    method, path = _target(value, leg)
    if base_url is None:
        if region not in REGIONS:
            raise SvamlError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
        base_url = REGIONS[region]
    # The client's own test of a base URL; then nothing the shell reads inside double quotes.
    base_url = checked_base_url(base_url, "base_url")
    if _SHELL.search(base_url):
        shell = '$, `, \\, " or a space'
        raise SvamlError(f"base_url {base_url!r} holds a character the shell would read ({shell})")
    body = _json.dumps(canonical(value), indent=2)
    return (
        f'curl --request {method} "{base_url.rstrip("/")}{path}" \\\n'
        f'  --user "${{{KEY}}}:${{{SECRET}}}" \\\n'
        '  --header "Content-Type: application/json" \\\n'
        "  --data-binary @- <<'JSON'\n"
        f"{body}\n"
        "JSON\n"
    )

"""Play Sinch's side of a Voice API v2 session, offline: webhooks, legs, commands on a virtual clock.

The v1 simulator's machinery, for v2 documents (reference §9 is the contract):

- :func:`simulate(target, caller, **options) <simulate>` plays one session and returns its
  :class:`~svaml.simulator.Transcript`; it is ``Session(target, caller, **options).run()``.
- :class:`Session` is one session: an inbound call (``call.incoming`` first; ``static=`` a STATIC
  service's document instead), or a call the API created (``document=``, its first ``dial``
  makes the first leg); :func:`simulate_batch` plays a batch, one session per parameter set.
  Targets are v1's: a ``WebhookApp`` (or anything with ``handle``), a
  WSGI or ASGI application, a URL (:func:`~svaml.simulator.as_target`).
- The script: :class:`Caller` (keys per menu attempt, the callee of each ``dial``, AMD's
  verdict, when the caller hangs up), :class:`Callee` (an :class:`Outcome`, ring and talk
  seconds, keys, :class:`Amd`); inputs are v1's :class:`~svaml.simulator.Press`,
  :class:`~svaml.simulator.Wait` and :class:`~svaml.simulator.HangUp`.
- :class:`Platform`: every assumption where the reference is silent (A1-A5 among them), one
  field each; :class:`Merge` is A1's choice.

Every webhook is a CloudEvents request (``ce-*`` headers, ``x-timestamp``, signed when the session
has a signer), and every answer is read under svaml's JSON policy and checked with the v2 rules; a
non-2xx status, no answer within 5 s, or an answer that is not valid SVAML v2 fails the delivery,
the fallback URL is tried, and a failed delivery disconnects the call. This package does not
import hypothesis; :mod:`svaml.simulator.v2.properties` does.
"""

from __future__ import annotations

from svaml.simulator.v2._engine import DEFAULT_PATH, Session, simulate, simulate_batch
from svaml.simulator.v2._platform import Merge, Platform
from svaml.simulator.v2._script import Amd, Callee, Caller, Outcome

__all__ = [
    "DEFAULT_PATH",
    "Amd",
    "Callee",
    "Caller",
    "Merge",
    "Outcome",
    "Platform",
    "Session",
    "simulate",
    "simulate_batch",
]

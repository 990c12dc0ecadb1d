"""Simulated calls as a Locust user class: Locust's master and workers spread the load past one machine.

Needs the ``locust`` extra (``pip install 'svaml[locust]'``). A locustfile subclasses
:class:`SimulatedCallUser` (it is abstract, so that Locust runs only your subclasses)::

    from svaml.load.locust import SimulatedCallUser

    class IvrCaller(SimulatedCallUser):
        keys = "1"          # what each caller does at each prompt (Caller.parse)

then ``locust -f locustfile.py --host http://127.0.0.1:8000/sinch/callback``. Each user keeps one
connection to the callback URL (``--host``) and plays simulated calls (:mod:`svaml.simulator`,
virtual time: no sleeping inside a call) one after the other, as fast as ``wait_time`` lets it.
Every callback request is reported to Locust as request type ``POST`` named by its event
(``ICE``, ``PIE``, ``ACE``, ``DICE``), with its latency and whether it was answered 2xx; every
call as type ``CALL`` named ``call``, its time the wall time of the whole call and, when it
failed, its first problem (:func:`svaml.load.first_problem`) as the failure, so that Locust's
failures table groups calls by what broke them, as ``svaml simulate --calls`` does.

Events are signed with the class's ``key`` and ``secret``, else ``SINCH_APPLICATION_KEY`` and
``SINCH_APPLICATION_SECRET`` (unsigned without them). Override :meth:`SimulatedCallUser.caller`
to vary the caller per call (``random.choice`` of scripts, say).
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from locust import User, task

from svaml._environment import KEY, SECRET
from svaml.errors import SvamlError
from svaml.load import TimedTarget, first_problem
from svaml.signing import Credentials
from svaml.simulator import Caller, Platform, Reply, TargetError, Transcript, UrlTarget, simulate

__all__ = ["CallFailedError", "SimulatedCallUser"]


class CallFailedError(Exception):
    """A simulated call failed; the message is its first problem (Locust groups failures by it)."""


class SimulatedCallUser(User):
    """A Locust user that plays simulated calls against the callback URL in ``host``.

    Class attributes to set in a subclass: ``keys`` (the caller's script, as
    :meth:`svaml.simulator.Caller.parse` reads it, used when :meth:`caller` is not overridden),
    ``key`` and ``secret`` (default: the environment), ``platform``
    (:class:`~svaml.simulator.Platform`, the simulator's assumptions), and Locust's own
    ``wait_time``, ``weight``, ``host``.
    """

    abstract = True
    keys: ClassVar[str] = ""
    key: ClassVar[str | None] = None
    secret: ClassVar[str | None] = None
    platform: ClassVar[Platform] = Platform()

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        if not self.host:
            raise SvamlError("give the callback URL as Locust's --host (or the user class's host)")
        key = self.key or os.environ.get(KEY, "").strip() or None
        secret = self.secret or os.environ.get(SECRET, "").strip() or None
        if (key is None) != (secret is None):
            raise SvamlError("give both the application key and the application secret, or neither")
        self.credentials = Credentials(key=key, secret=secret) if key and secret else None
        self.target = TimedTarget(UrlTarget(self.host), self._record)
        self._script = Caller.parse(self.keys)

    def caller(self) -> Caller:
        """The caller of the next call: by default the script in ``keys``."""
        return self._script

    @task
    def call(self) -> None:
        """Play one simulated call and report it, and each of its requests, to Locust."""
        started = time.perf_counter()
        caller = self.caller()
        transcript = simulate(self.target, caller, credentials=self.credentials, platform=self.platform)
        self._report_call(transcript, time.perf_counter() - started)

    def on_stop(self) -> None:
        """Close the user's connection."""
        self.target.close()

    def _record(self, seconds: float, event: str, reply: Reply | TargetError) -> None:
        if isinstance(reply, TargetError):
            exception: Exception | None = reply
            length = 0
        else:
            length = len(reply.body)
            exception = None if 200 <= reply.status < 300 else CallFailedError(f"HTTP {reply.status}")
        self.environment.events.request.fire(
            request_type="POST",
            name=event.upper(),
            response_time=seconds * 1000,
            response_length=length,
            response=None,
            context={},
            exception=exception,
        )

    def _report_call(self, transcript: Transcript, seconds: float) -> None:
        problem = first_problem(transcript)
        self.environment.events.request.fire(
            request_type="CALL",
            name="call",
            response_time=seconds * 1000,
            response_length=len(transcript.steps),
            response=None,
            context={},
            exception=None if problem is None else CallFailedError(problem),
        )

"""Play Sinch's side of a call, offline: send the events, check and execute the answers, keep a transcript.

The API (stable; other parts of svaml build on it):

- :func:`simulate(target, caller, **options) <simulate>` plays one call and returns its
  :class:`Transcript`; it is ``Call(target, caller, **options).run()``.
- :class:`Call` is one call: ``Call(target, caller=None, *, key=None, secret=None,
  credentials=None, platform=None, path="/sinch/callback", call_id=None, clock=None,
  conferences=None, callout=None)``. :meth:`Call.run` plays it from ICE to DiCE (or, with
  ``callout=`` SVAML, dials the callee first: ACE, then the callout's SVAML);
  :meth:`Call.update` gives a running call SVAML from outside (a PATCH), run at its next wait;
  :attr:`Call.transcript` is the record so far.
- Targets, where the events go: :class:`AppTarget` (a :class:`~svaml.callbacks.CallbackApp`,
  v2's ``WebhookApp``, anything that :class:`Handles` a request, in-process),
  :class:`WsgiTarget`, :class:`AsgiTarget` (any framework in-process), :class:`UrlTarget` (a
  server over real HTTP); :func:`as_target` picks one for an object. A :class:`Target` is
  anything with a ``path`` (the callback path Sinch signs) and ``send(request: Request,
  timeout: float) -> Reply``, raising :class:`TargetError` when no answer comes.
- The caller: :class:`Caller` (``inputs`` of :class:`Press`, :class:`Wait`, :class:`HangUp`
  used one per prompt; ``callees`` answering connect actions, each a :class:`Callee` with an
  :class:`Outcome` and an AMD result; ``hangup_at`` a step; ``cli``, ``to``, ``domain``,
  ``custom``). ``Caller.keys("1", "42#")`` and ``Caller.parse("1,42#,wait,hangup")`` write one
  quickly. Hypothesis chooses callers with :func:`svaml.simulator.properties.callers`.
- :class:`Platform`: every assumption about Sinch where the reference is silent, one field each,
  with defaults (see ``docs/testing.md``). :class:`VirtualClock` (the default: no sleeping) and
  :class:`RealClock` pass the call's waits; :class:`Conferences` holds the rooms.
- The record: :class:`Transcript` (``timeline`` of :class:`Entry` by :class:`Kind`, ``steps``
  of :class:`Step` with each answer's diagnostics for its event, ``result``, ``reason``,
  ``duration`` in virtual seconds, ``failure`` a :class:`Failure` with a :class:`FailureKind`,
  ``ok``; ``to_text()``, ``to_json()``, ``to_mermaid()``, ``check()`` raising
  :class:`CallFailed`).

Every answer is read under svaml's JSON policy and checked for its event with every rule of
:mod:`svaml.rules`; an answer with errors, a non-2xx status, a timeout, a body that is not SVAML or
an unreachable application fails the call at that step, with the diagnostics. A step limit and the
virtual clock bound every call. This package does not import hypothesis.

:mod:`svaml.simulator.v2` plays Voice API v2 sessions with the same targets, clocks and
:class:`Transcript` (``docs/v2-testing.md``).
"""

from __future__ import annotations

from svaml.simulator._caller import Callee, Caller, HangUp, Input, Outcome, Press, Wait
from svaml.simulator._engine import Call, Clock, Conferences, RealClock, VirtualClock, simulate
from svaml.simulator._platform import Platform, SignatureClock
from svaml.simulator._targets import (
    AppTarget,
    AsgiTarget,
    Handles,
    Reply,
    Request,
    Target,
    TargetError,
    UrlTarget,
    WsgiTarget,
    as_target,
)
from svaml.simulator._transcript import CallFailed, Entry, Failure, FailureKind, Kind, Step, Transcript

__all__ = [
    "AppTarget",
    "AsgiTarget",
    "Call",
    "CallFailed",
    "Callee",
    "Caller",
    "Clock",
    "Conferences",
    "Entry",
    "Failure",
    "FailureKind",
    "Handles",
    "HangUp",
    "Input",
    "Kind",
    "Outcome",
    "Platform",
    "Press",
    "RealClock",
    "Reply",
    "Request",
    "SignatureClock",
    "Step",
    "Target",
    "TargetError",
    "Transcript",
    "UrlTarget",
    "VirtualClock",
    "Wait",
    "WsgiTarget",
    "as_target",
    "simulate",
]

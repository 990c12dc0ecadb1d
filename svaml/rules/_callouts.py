"""Callout request rules (SV9xx): the body of ``POST /calling/v1/callouts``.

The E.164 numbers, ``maxDuration``, ``conferenceId``, DTMF and text length of a callout are
checked by the number and limit rules; the prompts and locales by the prompt rules.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from svaml import _json, codec
from svaml.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from svaml.model.callouts import (
    CALLOUT_CLASSES,
    Callout,
    CalloutRequest,
    ConferenceCallout,
    CustomCallout,
    TtsCallout,
)
from svaml.model.enums import DestinationType
from svaml.model.permissions import Callback
from svaml.rules._bounds import DEFAULT_LIMITS, Limits
from svaml.rules._context import Context
from svaml.rules._prompts import url_problem
from svaml.rules._registry import Example, Finding, rule
from svaml.rules._validate import is_callout, validate

__all__ = ["inline_diagnostics", "schema_required"]

_E, _W = Severity.ERROR, Severity.WARNING
_METHODS = tuple(CALLOUT_CLASSES)
_INLINE = (("ice", Callback.ICE, "ICE"), ("ace", Callback.ACE, "ACE"), ("pie", Callback.PIE, "PIE"))


def _pstn(**fields: object) -> dict[str, object]:
    """An example ICE answer: connectPstn."""
    return {"action": {"name": "connectPstn", "number": "+46701234567", **fields}}


def _tts(**fields: object) -> dict[str, object]:
    """An example ttsCallout request (a field given as None is left out)."""
    body = {"cli": "+46701234567", "destination": {"type": "number", "endpoint": "+46707654321"}}
    merged = {**body, "text": "Your code is 1234", **fields}
    return {"method": "ttsCallout", "ttsCallout": {k: v for k, v in merged.items() if v is not None}}


def _conf(**fields: object) -> dict[str, Any]:
    body = {"destination": {"type": "number", "endpoint": "+46707654321"}, "conferenceId": "team"}
    return {"method": "conferenceCallout", "conferenceCallout": {**body, **fields}}


def _custom(**fields: object) -> dict[str, object]:
    return {"method": "customCallout", "customCallout": fields}


def _is_inline(value: str | None) -> bool:
    """Whether a customCallout callback field holds JSON text rather than a URL."""
    return value is not None and value.lstrip()[:1] in ("{", "[")


@rule(
    "SV901",
    "tts-callout-without-cli",
    _E,
    summary="A ttsCallout without `cli`",
    source="SKILL sinch-voice-api: a TTS callout never connects without cli; OAS ttsCallout.cli",
    targets=("callout",),
    kinds=(TtsCallout,),
    example=Example(text=_tts(cli=None), fixed=_tts()),
)
def tts_callout_without_cli(tts: TtsCallout, where: str, ctx: Context) -> Iterator[Finding]:
    """Give every TTS callout a ``cli``.

    Sinch never connects a TTS callout that has no ``cli`` (the number shown to the called
    party): the request is accepted and the phone never rings. Set ``cli`` to one of your Sinch
    numbers in E.164 form (``+46...``). An empty ``cli`` is reported by SV401, as not E.164.
    """
    # An empty cli is not E.164: SV401 reports it.
    if tts.cli is None:
        yield Finding(
            where,
            "the ttsCallout has no 'cli': Sinch never connects a TTS "
            "callout without one; set it to one of your Sinch numbers (E.164)",
        )


@rule(
    "SV902",
    "ace-never-sent",
    _W,
    summary="ACE or DiCE asked for a callout to a `username` destination",
    source="OAS enableAce/enableDice: ACE and DiCE are not issued for username destinations",
    targets=("callout",),
    kinds=(TtsCallout, ConferenceCallout, CustomCallout),
    example=Example(
        text=_conf(destination={"type": "username", "endpoint": "alice"}, enableAce=True),
        fixed=_conf(destination={"type": "username", "endpoint": "alice"}),
    ),
)
def ace_never_sent(callout: Callout, where: str, ctx: Context) -> Iterator[Finding]:
    """Do not wait for ACE or DiCE from a callout to a username.

    Sinch does not issue the Answered Call Event (ACE) or the Disconnected Call Event (DiCE)
    for a callout to a ``username`` (in-app) destination, even with ``enableAce`` or
    ``enableDice``; a custom callout's ``ace`` and ``dice`` callbacks are not called either.
    Logic that waits for them never runs: act on the ICE or on a Notify event instead.
    """
    if callout.destination is None or callout.destination.type is not DestinationType.USERNAME:
        return
    flags = {"enableAce": callout.enable_ace is True, "enableDice": callout.enable_dice is True}
    if isinstance(callout, CustomCallout):
        flags.update(ace=callout.ace is not None, dice=callout.dice is not None)
    for name, on in flags.items():
        if on:
            event = "DiCE" if "dice" in name.lower() else "ACE"
            yield Finding(
                f"{where}/{name}",
                f"{name!r} is set, but the destination is a username: Sinch sends no {event} "
                "for username destinations",
            )


def inline_diagnostics(
    custom: CustomCallout, where: str, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[str, str, Diagnostic]]:
    """Check the inline SVAML of a customCallout's ``ice``, ``ace`` and ``pie`` for its callback.

    Yields ``(pointer, label, diagnostic)``: the pointer of the field (``/customCallout/ice``),
    the callback's label (``ICE``) and each diagnostic of the inline document, with the pointer
    inside it. Fields that are URLs or not a JSON object are left to :func:`invalid_inline_svaml`.
    """
    for field, callback, label in _INLINE:
        value = getattr(custom, field)
        if _is_inline(value) and _decoded_problem(value, label) is None:
            for found in validate(value, callback=callback, limits=limits):
                yield f"{where}/{field}", label, found


@functools.lru_cache(maxsize=64)
def _decoded_problem(text: str, label: str) -> str | None:
    """Why ``text`` is not JSON text of a SVAML object, or None."""
    try:
        decoded = json.loads(text)
    except RecursionError:
        return f"the inline {label} SVAML is nested too deeply to check"
    except ValueError as exc:
        return f"the inline {label} SVAML is not valid JSON: {exc}"
    if not isinstance(decoded, Mapping):
        return f"the inline {label} SVAML is a JSON {_json.typename(decoded)}, not a SVAML object"
    if is_callout(decoded):
        return f"the inline {label} SVAML is a callout request, not a SVAML document"
    return None


@rule(
    "SV903",
    "invalid-inline-svaml",
    _E,
    summary="A customCallout `ice`/`ace`/`pie` that is neither a URL nor valid SVAML; `dice` not a URL",
    source="OAS customCallout: ice, ace, pie are a URL or JSON-escaped SVAML; dice is a URL only",
    targets=("callout",),
    kinds=(CustomCallout,),
    example=Example(
        text=_custom(ice=json.dumps(_pstn(maxDuration=20000)), dice='{"action": {"name": "hangup"}}'),
        fixed=_custom(ice=json.dumps(_pstn(maxDuration=14400)), dice="https://example.com/dice"),
    ),
)
def invalid_inline_svaml(custom: CustomCallout, where: str, ctx: Context) -> Iterator[Finding | Diagnostic]:
    """Give a custom callout's callbacks as URLs or as valid SVAML for that callback.

    A custom callout's ``ice``, ``ace`` and ``pie`` are strings: the http(s) URL of your
    callback, or the SVAML response itself as JSON text (``{"action": {...}}``, escaped); ``dice``
    can only be a URL. Inline SVAML is checked for its callback (an ICE answer in ``ice``, and
    so on), and each of its errors is reported here, with the pointer inside the inline document
    under the code of the rule it breaks, errors and warnings alike. Sinch cannot run a callout
    whose SVAML it rejects.
    """
    for field, _, label in (*_INLINE, ("dice", None, "DiCE")):
        value = getattr(custom, field)
        if value is None:
            continue
        at = f"{where}/{field}"
        if not value.strip():
            yield Finding(at, f"{field!r} is empty: give a callback URL or leave it out")
        elif _is_inline(value):
            if field == "dice":
                yield Finding(at, "'dice' takes a callback URL only: DiCE takes no SVAML")
                continue
            problem = _decoded_problem(value, label)
            if problem is not None:
                yield Finding(at, problem)
        else:
            problem = url_problem(value, "callbacks")
            if problem is not None:
                what = "is not a URL" if field == "dice" else "is neither SVAML JSON nor an http(s) URL"
                yield Finding(at, f"{field!r} {what}: {problem}")
    for at, label, found in inline_diagnostics(custom, where, ctx.limits):
        # Each inner diagnostic keeps its own code and severity, so --select/--ignore treat it alike.
        yield attrs.evolve(
            found,
            pointer=at,
            message=f"in the inline {label} SVAML at {found.pointer or '/'}: {found.message}",
            line=None,
            column=None,
            end_line=None,
            end_column=None,
            fix=None,
        )


@rule(
    "SV904",
    "callout-method-mismatch",
    _E,
    summary="`method` is not a callout, or does not match the callout object of the body",
    source="OAS POST /calling/v1/callouts: method ttsCallout|conferenceCallout|customCallout and its object",
    targets=("callout",),
    fix=Applicability.SAFE,
    kinds=(CalloutRequest,),
    example=Example(
        text={"method": "ttsCallout", "conferenceCallout": _conf()["conferenceCallout"]},
        fixed=_conf(),
    ),
)
def callout_method_mismatch(req: CalloutRequest, where: str, ctx: Context) -> Iterator[Finding]:
    """Name in ``method`` the one callout object the request carries.

    A callout request is ``{"method": "<name>", "<name>": {...}}`` with ``<name>`` one of
    ``ttsCallout``, ``conferenceCallout`` and ``customCallout``. Sinch reads the object that
    ``method`` names: an unknown method is rejected, a body without that object places no call,
    and another callout object beside it is ignored. A method in another letter case is fixed by
    writing its documented spelling.
    """
    data = ctx.data
    if not isinstance(data, Mapping):
        return
    method = req.method
    if method not in _METHODS:
        match = next((m for m in _METHODS if m.casefold() == method.strip().casefold()), None)
        if match is None:
            yield Finding(
                ctx.at("method"),
                f"method {method!r} is not a callout: use ttsCallout, conferenceCallout or customCallout",
            )
            return
        yield Finding(
            ctx.at("method"),
            f"method {method!r} is not spelt as Sinch documents it: write {match!r}",
            Fix(
                description=f"write {match!r}",
                edits=(Edit(op="replace", path=ctx.at("method"), value=match),),
                applicability=Applicability.SAFE,
            ),
        )
        method = match
    if data.get(method) is None:
        yield Finding(ctx.at("method"), f"method is {method!r} but the body has no {method!r} object")
    for other in _METHODS:
        if other != method and data.get(other) is not None:
            yield Finding(
                ctx.at(other),
                f"the body carries {other!r} but method is {method!r}: Sinch "
                f"reads only the {method!r} object; remove {other!r} or change the method",
            )


@rule(
    "SV905",
    "inline-ice-with-cli",
    _W,
    summary="A customCallout with inline ICE SVAML that also sets `cli` or `destination`",
    source='OAS customCallout.ice (also the Node and .NET SDK docs): "If inline ICE SVAML is passed, '
    'exclude cli and destination"',
    targets=("callout",),
    fix=Applicability.UNSAFE,
    kinds=(CustomCallout,),
    example=Example(
        text=_custom(cli="+46701234567", ice=json.dumps(_pstn())),
        fixed=_custom(ice=json.dumps(_pstn())),
    ),
)
def inline_ice_with_cli(custom: CustomCallout, where: str, ctx: Context) -> Iterator[Finding]:
    """Leave out ``cli`` and ``destination`` when ``ice`` is inline SVAML.

    When ``ice`` holds the ICE SVAML itself, its connect action says whom to call and with
    which caller id: Sinch's docs say "If inline ICE SVAML is passed, exclude cli and
    destination". Fixed by removing them (put the number and ``cli`` in the ICE action).
    """
    if not _is_inline(custom.ice):
        return
    for name, value in (("cli", custom.cli), ("destination", custom.destination)):
        if value is not None:
            at = f"{where}/{name}"
            yield Finding(
                at,
                f"{name!r} is set although 'ice' is inline SVAML: Sinch's docs say to leave it out "
                "and let the ICE action carry it",
                Fix(
                    description=f"remove {name!r}",
                    edits=(Edit(op="remove", path=at),),
                    applicability=Applicability.UNSAFE,
                ),
            )


@rule(
    "SV906",
    "tts-callout-without-destination",
    _E,
    summary="A ttsCallout without `destination`",
    source="OAS ttsCallout: required [destination]",
    targets=("callout",),
    kinds=(TtsCallout,),
    example=Example(text=_tts(destination=None), fixed=_tts()),
)
def tts_callout_without_destination(tts: TtsCallout, where: str, ctx: Context) -> Iterator[Finding]:
    """Say whom a TTS callout calls.

    Sinch's schema requires ``destination`` in a ``ttsCallout``: without it there is no one to
    call, and the request is refused. Give ``{"type": "number", "endpoint": "+46..."}``.
    """
    if tts.destination is None:
        yield Finding(
            where,
            "the ttsCallout has no 'destination': Sinch requires one; give whom to call, "
            'for example {"type": "number", "endpoint": "+46701234567"}',
        )


def _outside_schema() -> dict[type, tuple[tuple[str, str, str], ...]]:
    """(attribute, JSON name, origin) of the callout fields Sinch's schema lacks (model metadata)."""
    found: dict[type, tuple[tuple[str, str, str], ...]] = {}
    for cls in CALLOUT_CLASSES.values():
        names = {i.attr: i.json for i in codec.field_info(cls)}
        fields = tuple(
            (f.name, names[f.name], str(f.metadata["outside_schema"]))
            for f in attrs.fields(cls)
            if "outside_schema" in f.metadata
        )
        if fields:
            found[cls] = fields
    return found


_OUTSIDE_SCHEMA = _outside_schema()


@rule(
    "SV907",
    "callout-field-outside-schema",
    _W,
    summary="A callout field Sinch's OpenAPI schema does not have (`enableAce` in a customCallout)",
    source="OAS customCallout schema (no enableAce/enableDice) vs the OAS AMD custom callout example",
    targets=("callout",),
    kinds=tuple(_OUTSIDE_SCHEMA),
    at_key=True,  # the field is the problem, not its value
    example=Example(
        text=_custom(ice=json.dumps(_pstn()), enableAce=True),
        fixed=_custom(ice=json.dumps(_pstn()), ace="https://example.com/ace"),
    ),
)
def callout_field_outside_schema(obj: Callout, where: str, ctx: Context) -> Iterator[Finding]:
    """Use only the callout fields Sinch's schema has.

    svaml reads ``enableAce`` and ``enableDice`` in a ``customCallout`` because one of Sinch's
    own examples (the AMD custom callout) writes them, but the ``customCallout`` schema has
    neither, and the Java and Node SDKs leave them out: Sinch may ignore them. A custom callout
    asks for the answered and disconnected events by its ``ace`` and ``dice`` URLs (or inline
    ``ace`` SVAML). Fields svaml does not know at all are SV007.
    """
    for attr, name, origin in _OUTSIDE_SCHEMA[obj.__class__]:
        if getattr(obj, attr) is not None:
            yield Finding(
                f"{where}/{name}",
                f"{name!r} is not in Sinch's {obj.method} schema (svaml knows it from {origin}); "
                "Sinch may ignore it",
            )


def schema_required() -> dict[type, tuple[str, ...]]:
    """The fields the callout rules require though the model reads without them (SV901, SV906)."""
    return {TtsCallout: ("cli", "destination")}

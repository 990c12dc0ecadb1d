"""Hypothesis strategies for every SVAML model class, whole valid documents and callout requests.

Everything is derived from the model: :func:`from_model` walks :func:`svaml.codec.field_info` and
picks a strategy for each field from its kind and type, overridden where a documented rule
constrains the value (E.164 numbers, ``maxDuration``, DTMF strings, prompts, locales…). The
named strategies add what spans several fields or objects::

    from hypothesis import given
    from svaml import validate
    from svaml.strategies import documents

    @given(documents("ice"))
    def test_ice_documents_are_clean(doc):
        assert validate(doc, callback="ice") == []

Every document :func:`documents` generates validates with no diagnostic at all for its callback,
and so does every request :func:`callout_requests` generates. :func:`json_values` and
:func:`svaml_like` generate the opposite: arbitrary JSON, and SVAML-shaped data with random
mutations, for tests that a consumer never raises.

This module needs hypothesis, which ``import svaml`` never loads: ``pip install 'svaml[testing]'``.
"""

from __future__ import annotations

import copy
import enum
import functools
import string
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar, Union

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a test with hypothesis hidden
    raise ImportError(
        "svaml.strategies needs hypothesis, which is not installed: pip install 'svaml[testing]'"
    ) from exc

import attrs

from svaml import codec
from svaml._locales import TRANSCRIPTION_LOCALES, TTS_LOCALES, is_known_tts_locale
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model import strings
from svaml.model._fields import SvamlObject
from svaml.model.actions import (
    ACTION_CLASSES,
    Action,
    Amd,
    ConnectMxp,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Destination,
    Hangup,
    Menu,
    MenuOption,
    RunMenu,
)
from svaml.model.callouts import (
    CALLOUT_CLASSES,
    Callout,
    CalloutRequest,
    CustomCallout,
    TtsCallout,
    callout_request,
)
from svaml.model.enums import DestinationType
from svaml.model.instructions import (
    INSTRUCTION_CLASSES,
    Answer,
    Instruction,
    PlayFiles,
    SendDtmf,
    StartRecording,
    StopRecording,
    TranscriptionOptions,
)
from svaml.model.permissions import ALLOWED_IN, Callback, callback_of
from svaml.rules._limits import CONFERENCE_ID_LIMIT, DTMF_KEYS, MAX_DURATION, TEXT_LIMIT

__all__ = [
    "actions",
    "callout_requests",
    "callouts",
    "documents",
    "events",
    "from_model",
    "instructions",
    "json_values",
    "menus",
    "svaml_like",
]

_T = TypeVar("_T")
_O = TypeVar("_O", bound=SvamlObject)
_Strategy = st.SearchStrategy

_INT_MAX = 2**31 - 1

# -- leaf values ----------------------------------------------------------------------------------

_WORD = string.ascii_letters + string.digits + "_-"
_words = st.text(alphabet=_WORD, min_size=1, max_size=12)
_lower = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10)
# Free text: any Unicode scalar value (no lone surrogates, which JSON text cannot carry).
_any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


def _non_blank(text: str) -> str:
    """Make sure spoken text is not empty or only spaces (``#tts[]`` is malformed)."""
    return text if text.strip() else "hello" + text[5:]  # no longer than before, when it can


# Spoken text: printable (no control characters), never blank.
_speech = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
_say_text = st.text(alphabet=_speech, min_size=1, max_size=TEXT_LIMIT).map(_non_blank)
# TTS text inside #tts[…]: no brackets, and no ';' (the separator of prompts).
_tts_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters="[];"),
    min_size=1,
    max_size=120,
).map(_non_blank)
# Text inside SSML markup: characters XML 1.0 allows, nothing that needs escaping.
_ssml_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn"), exclude_characters="[];&<>"),
    max_size=60,
)
_ssml_parts = st.one_of(
    _ssml_text,
    st.sampled_from(['<break time="250ms"/>', '<break strength="strong"/>']),
    _ssml_text.map(lambda t: f"<emphasis>{t}</emphasis>"),
    _ssml_text.map(lambda t: f'<prosody rate="slow">{t}</prosody>'),
    st.integers(0, 10**6).map(lambda n: f'<say-as interpret-as="digits">{n}</say-as>'),
)
_ssml_markup = st.lists(_ssml_parts, min_size=1, max_size=4).map(lambda p: f"<speak>{''.join(p)}</speak>")


def _url(schemes: tuple[str, ...], suffix: _Strategy[str] | None = None) -> _Strategy[str]:
    """URLs ``scheme://host.tld/path`` with a host, no spaces and nothing to percent-encode."""
    return st.builds(
        lambda scheme, host, tld, path, end: f"{scheme}://{host}.{tld}/{'/'.join(path)}{end}",
        st.sampled_from(schemes),
        _lower,
        st.sampled_from(["com", "net", "org", "io", "se"]),
        st.lists(_words, min_size=1, max_size=3),
        st.just("") if suffix is None else suffix,
    )


_https = _url(("https",))
_audio_url = _url(("https", "http"), st.sampled_from([".mp3", ".wav"]))
_wss = _url(("wss",))
_recording_url = _url(("s3", "azure", "gs", "https"))
# A recorded file id: no '#', ':' or '.', so it reads as neither a directive nor a URL.
_file_id = st.text(alphabet=string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=16)

_prompt = st.one_of(
    _tts_text.map(strings.tts),
    _ssml_markup.map(strings.ssml),
    _audio_url.map(strings.href),
    _audio_url,
    _file_id,
)
#: A prompt string: one to three prompts, played back to back.
_prompt_strings = st.lists(_prompt, min_size=1, max_size=3).map(lambda p: strings.prompts(*p))

_dtmf = st.text(alphabet=DTMF_KEYS, min_size=1, max_size=12)
_menu_keys = st.text(alphabet=DTMF_KEYS, min_size=1, max_size=2)
# Values of return(…) may hold spaces and dashes (Sinch: return(non-sip)).
_return_values = st.text(alphabet=_WORD + " ", min_size=1, max_size=16).map(lambda v: v.strip() or "ok")
_conference_ids = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=CONFERENCE_ID_LIMIT)
_usernames = st.text(alphabet=_WORD + ".", min_size=1, max_size=20)
_sip_uris = st.builds(lambda user, host: f"{user}@{host}.example.com", _words, _lower)


def _tts_locale_forms() -> list[str]:
    """Every TTS locale, locale/gender and voice id that Sinch lists (and svaml knows)."""
    forms: list[str] = []
    for locale, (genders, voices) in TTS_LOCALES.items():
        forms.append(locale)
        forms.extend(f"{locale}/{gender}" for gender in (genders or ("female", "male")))
        forms.extend(voices)
    return sorted({f for f in forms if is_known_tts_locale(f)})


_tts_locales = st.sampled_from(_tts_locale_forms())
_transcription_locales = st.sampled_from(TRANSCRIPTION_LOCALES)

# Regions whose example numbers phonenumbers holds valid: the numbers svaml generates.
_REGIONS = ("SE", "US", "GB", "DE", "FR", "NO", "DK", "AU", "IN", "BR", "JP", "ZA", "NZ", "ES", "CH", "SG")


@functools.lru_cache(maxsize=1)
def _e164_numbers() -> tuple[str, ...]:
    import phonenumbers

    found: set[str] = set()
    for region in _REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None and phonenumbers.is_valid_number(number):
                found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return tuple(sorted(found))


_e164 = st.deferred(lambda: st.sampled_from(_e164_numbers()))
_clis = _e164 | st.just("private")


def _destination(
    kinds: tuple[DestinationType | None, ...], endpoints: _Strategy[str]
) -> _Strategy[Destination]:
    return st.builds(Destination, type=st.sampled_from(kinds), endpoint=endpoints)


#: The endpoint that goes with each destination type.
_ENDPOINTS: Mapping[DestinationType | str | None, _Strategy[str]] = {
    None: _e164,
    DestinationType.NUMBER: _e164,
    DestinationType.DID: _e164,
    DestinationType.USERNAME: _usernames,
    DestinationType.SIP: _sip_uris,
    DestinationType.WEBSOCKET: _wss,
}

#: Where a callout may call: a number (type given or not), an in-app user, a SIP endpoint.
_callout_destinations = st.one_of(
    _destination((DestinationType.NUMBER, None), _e164),
    _destination((DestinationType.USERNAME,), _usernames),
    _destination((DestinationType.SIP,), _sip_uris),
)


def _inline(callback: Callback) -> _Strategy[str]:
    """A customCallout callback field: an https URL, or the SVAML JSON for that callback."""
    return _https | st.deferred(lambda: _documents(callback, small=True).map(lambda d: d.to_json()))


# -- which strategy each field gets ---------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _by_name() -> Mapping[str, _Strategy[Any]]:
    """Strategies for the values of fields, by attribute name, wherever the field appears.

    Each is the strategy of a present value; an optional field may also be left out (None).
    """
    return {
        "locale": _tts_locales,
        "cli": _clis,
        "number": _e164,
        "max_duration": st.integers(1, MAX_DURATION),
        "dtmf": _dtmf,
        "text": _say_text,
        "conference_id": _conference_ids,
        "main_prompt": _prompt_strings,
        "repeat_prompt": _prompt_strings,
        "intro_prompt": _prompt_strings,
        "hold_prompt": _prompt_strings,
        "prompts": _prompt_strings,
        "greeting": _prompt_strings,
        "ids": st.lists(_prompt_strings, min_size=1, max_size=3).map(tuple),
        "destination_url": _recording_url,
        "credentials": st.builds(lambda key, secret: f"{key}:{secret}:eu-west-1", _words, _words),
        "format": st.sampled_from(["mp3", "wav"]),
        "version": st.integers(1, 2),
        "sample_rate": st.sampled_from([8000, 16000, 44100, 48000]),
        "timeout_mills": st.integers(0, 60_000),
        "max_timeout_mills": st.integers(0, 60_000),
        "max_digits": st.integers(0, 20),
        "repeats": st.integers(0, 10),
        "dial_timeout": st.integers(0, 120),
        "ice": _inline(Callback.ICE),
        "ace": _inline(Callback.ACE),
        "pie": _inline(Callback.PIE),
        "dice": _https,
    }


@functools.lru_cache(maxsize=1)
def _exact() -> Mapping[tuple[type, str], _Strategy[Any]]:
    """Strategies for one field of one class, used as they are (optional ones include None)."""
    found: dict[tuple[type, str], _Strategy[Any]] = {
        (SendDtmf, "value"): _dtmf,
        (TranscriptionOptions, "locale"): st.none() | _transcription_locales,
        (TtsCallout, "cli"): _clis,  # Sinch never connects a TTS callout without one
        (ConnectMxp, "destination"): st.none()
        | _destination((DestinationType.USERNAME, None), _usernames),
        (ConnectSip, "destination"): _destination((DestinationType.SIP, None), _sip_uris),
        (ConnectStream, "destination"): _destination((DestinationType.WEBSOCKET,), _wss),
        (Menu, "id"): _words,
        (MenuOption, "dtmf"): _menu_keys,
        (MenuOption, "action"): st.one_of(_words.map(strings.menu), _return_values.map(strings.return_)),
        (RunMenu, "menus"): _menu_set(),
        (RunMenu, "main_menu"): st.none(),  # chosen among the menus by _refine_run_menu
    }
    for cls in CALLOUT_CLASSES.values():
        # Sinch's schema requires a ttsCallout's destination (SV906); the model reads one without.
        required = cls is TtsCallout or any(
            f.attr == "destination" and f.required for f in codec.field_info(cls)
        )
        found[(cls, "destination")] = _callout_destinations if required else st.none() | _callout_destinations
        for f in attrs.fields(cls):
            if "outside_schema" in f.metadata:
                found[(cls, f.name)] = st.none()  # read, but not in Sinch's schema (SV907)
    return found


def _scalar(target: Any) -> _Strategy[Any]:
    """The default strategy for a value of Python type ``target``."""
    if target is bool:
        return st.booleans()
    if target is int:
        return st.integers(0, _INT_MAX)
    if target is str:
        return _any_text
    if target is float:
        return st.floats(0, 1e9, allow_nan=False)
    if target is datetime:
        return st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc))
    if isinstance(target, type) and issubclass(target, enum.Enum):
        return st.sampled_from(list(target))
    if isinstance(target, type) and issubclass(target, SvamlObject):
        return from_model(target)
    if typing.get_origin(target) in (Union, types.UnionType):
        return st.one_of([st.none() if a is type(None) else _scalar(a) for a in typing.get_args(target)])
    return st.from_type(target)


def _default(info: codec.FieldInfo) -> _Strategy[Any]:
    if info.kind in ("values", "objects"):
        return st.lists(_scalar(info.target), max_size=3).map(tuple)
    return _scalar(info.target)


def _fields(cls: type[SvamlObject]) -> dict[str, _Strategy[Any]]:
    exact, by_name = _exact(), _by_name()
    # A field whose default the object computes from itself (an event's name) keeps it.
    derived = {f.name for f in attrs.fields(cls) if getattr(f.default, "takes_self", False)}
    out: dict[str, _Strategy[Any]] = {}
    for info in codec.field_info(cls):
        if info.attr in derived:
            continue
        found = exact.get((cls, info.attr))
        if found is None:
            value = by_name.get(info.attr)
            if value is None:
                value = _default(info)
            # A tuple field is empty when left out; any other optional field is None.
            found = value if info.required or info.kind in ("values", "objects") else st.none() | value
        out[info.attr] = found
    return out


# -- what spans several fields of one object ------------------------------------------------------

_Refine = Callable[[st.DrawFn, Any], Any]


def _has_tts(ids: tuple[str, ...]) -> bool:
    return any("#tts[" in value or "#ssml[" in value for value in ids)


def _refine_play_files(draw: st.DrawFn, obj: PlayFiles) -> PlayFiles:
    # Sinch requires the locale when a prompt is TTS or SSML.
    if obj.locale is None and _has_tts(obj.ids):
        return attrs.evolve(obj, locale=draw(_tts_locales))
    return obj


def _refine_run_menu(draw: st.DrawFn, obj: RunMenu) -> RunMenu:
    if obj.main_menu is None and obj.menus and draw(st.booleans()):
        obj = attrs.evolve(obj, main_menu=draw(st.sampled_from([m.id for m in obj.menus])))
    if obj.enable_voice and obj.locale is None:  # voice input needs the locale
        obj = attrs.evolve(obj, locale=draw(_tts_locales))
    return obj


def _refine_destination(draw: st.DrawFn, obj: Destination) -> Destination:
    endpoints = _ENDPOINTS.get(obj.type)
    return obj if endpoints is None else attrs.evolve(obj, endpoint=draw(endpoints))


def _refine_callout(draw: st.DrawFn, obj: Any) -> Any:
    if isinstance(obj, CustomCallout) and obj.ice is not None and obj.ice.startswith("{"):
        # With inline ICE SVAML, its action says whom to call and with which cli.
        obj = attrs.evolve(obj, cli=None, destination=None)
    if obj.destination is not None and obj.destination.type is DestinationType.USERNAME:
        # Sinch sends no ACE or DiCE for username destinations: ask for none.
        changes: dict[str, Any] = {"enable_ace": None, "enable_dice": None}
        if isinstance(obj, CustomCallout):
            changes.update(ace=None, dice=None)
        obj = attrs.evolve(obj, **changes)
    return obj


_REFINE: dict[type, _Refine] = {
    PlayFiles: _refine_play_files,
    RunMenu: _refine_run_menu,
    Destination: _refine_destination,
    **dict.fromkeys(CALLOUT_CLASSES.values(), _refine_callout),
}


@st.composite
def _instances(draw: st.DrawFn, cls: type[_O], fields: Mapping[str, _Strategy[Any]]) -> _O:
    obj = cls(**{name: draw(strategy) for name, strategy in fields.items()})
    refine = _REFINE.get(cls)
    return obj if refine is None else typing.cast("_O", refine(draw, obj))


_CACHE: dict[type, _Strategy[Any]] = {}


def from_model(cls: type[_O], /, **fields: _Strategy[Any]) -> _Strategy[_O]:
    """Return a strategy for instances of the model class ``cls``, valid where rules constrain them.

    Each field's strategy comes from its JSON kind and type (see :func:`svaml.codec.field_info`),
    overridden where a rule constrains the value. Keyword arguments replace the strategy of
    those fields (by Python attribute name), as with :func:`hypothesis.strategies.builds`:
    ``from_model(Say, text=st.just("hi"))``; the rules across fields are then yours to keep.
    ``Svaml`` without keywords is :func:`documents`, ``CalloutRequest`` :func:`callout_requests`.
    """
    if not fields:
        cached = _CACHE.get(cls)
        if cached is None:
            if cls is Svaml:
                cached = documents()
            elif cls is CalloutRequest:
                cached = callout_requests()
            else:
                cached = _instances(cls, _fields(cls))
            _CACHE[cls] = cached
        return typing.cast("_Strategy[_O]", cached)
    unknown = sorted(set(fields) - {info.attr for info in codec.field_info(cls)})
    if unknown:
        raise SvamlError(f"{cls.__name__} has no field {', '.join(map(repr, unknown))}")
    return _instances(cls, {**_fields(cls), **fields})


# -- menus ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _menu_shells() -> _Strategy[Menu]:
    """Menus without options: the options depend on the other menus of the set."""
    return from_model(Menu, options=st.just(()))


@st.composite
def _menu_set(draw: st.DrawFn) -> tuple[Menu, ...]:
    """Menus that hang together: ``main`` first, unique ids, every menu reachable, targets exist."""
    ids = ["main", *(i for i in draw(st.lists(_words, max_size=3, unique=True)) if i != "main")]
    # Each later menu is linked from an earlier one, so every menu is reachable from main.
    links: dict[int, list[str]] = {index: [] for index in range(len(ids))}
    for index in range(1, len(ids)):
        links[draw(st.integers(0, index - 1))].append(ids[index])
    targets = st.sampled_from(ids).map(strings.menu) | _return_values.map(strings.return_)
    menus = []
    for index, menu_id in enumerate(ids):
        required = [strings.menu(target) for target in links[index]]
        extra = draw(st.lists(targets, min_size=0 if required else 1, max_size=3))
        chosen = draw(st.permutations([*required, *extra]))
        keys = draw(st.lists(_menu_keys, min_size=len(chosen), max_size=len(chosen), unique=True))
        options = tuple(MenuOption(dtmf=key, action=action) for key, action in zip(keys, chosen, strict=True))
        menus.append(attrs.evolve(draw(_menu_shells()), id=menu_id, options=options))
    return tuple(menus)


def menus() -> _Strategy[RunMenu]:
    """Return a strategy for consistent ``runMenu`` actions.

    One menu has the id ``main``; ids are unique; each menu is reached from ``main`` through
    ``menu(<id>)`` options, and every such option names a menu that exists; DTMF keys are unique
    within a menu; other options ``return(<value>)``; ``mainMenu``, when set, names a menu;
    ``enableVoice`` comes with a ``locale``.
    """
    return from_model(RunMenu)


# -- instructions, actions, documents -------------------------------------------------------------



def _allowed(callback: Callback | None, table: Mapping[str, type[_T]]) -> list[type[_T]]:
    return [cls for name, cls in table.items() if callback is None or name in ALLOWED_IN[callback]]


def instructions(callback: Callback | str | None = None) -> _Strategy[Instruction]:
    """Return a strategy for single instructions, only those ``callback`` allows (any when None)."""
    cb = callback_of(callback)
    allowed = _allowed(cb, INSTRUCTION_CLASSES)
    if not allowed:
        raise SvamlError(f"{cb.phrase if cb else 'this callback'} takes no instructions")
    return st.one_of([from_model(cls) for cls in allowed])


def _action(cls: type[Action], callback: Callback | None) -> _Strategy[Action]:
    if cls is ConnectPstn and callback not in (None, Callback.ICE):
        # Answering machine detection works only in the ICE response of a custom callout.
        off = st.none() | from_model(Amd, enabled=st.none() | st.just(False))
        return from_model(ConnectPstn, amd=off)
    return from_model(cls)


def actions(callback: Callback | str | None = None) -> _Strategy[Action]:
    """Return a strategy for actions, only those ``callback`` allows (any when None)."""
    cb = callback_of(callback)
    allowed = _allowed(cb, ACTION_CLASSES)
    if not allowed:
        raise SvamlError(f"{cb.phrase if cb else 'this callback'} takes no action")
    return st.one_of([_action(cls, cb) for cls in allowed])


# Instructions whose place in the document a rule fixes; the others go anywhere.
_ORDERED = (Answer, StartRecording, StopRecording)
# Actions with which a recording records nothing (hangup) or is ignored (connectMxp).
_NO_RECORDING = (Hangup, ConnectMxp)


class _Parts(typing.NamedTuple):
    """What a document for one callback is drawn from, built once (building strategies costs)."""

    action: _Strategy[Action]
    body: _Strategy[list[Instruction]] | None
    allowed: tuple[type[Instruction], ...]


@functools.cache
def _parts(callback: Callback | None, small: bool) -> _Parts:
    allowed = tuple(_allowed(callback, INSTRUCTION_CLASSES))
    free = [cls for cls in allowed if cls not in _ORDERED]
    body = st.lists(st.one_of([from_model(c) for c in free]), max_size=2 if small else 4) if free else None
    action = st.one_of([_action(cls, callback) for cls in _allowed(callback, ACTION_CLASSES)])
    return _Parts(action, body, allowed)


@st.composite
def _document(draw: st.DrawFn, callback: Callback | None, small: bool) -> Svaml:
    parts = _parts(callback, small)
    action = draw(parts.action)
    allowed = parts.allowed
    body: list[Instruction] = [] if parts.body is None else draw(parts.body)
    if StartRecording in allowed and not isinstance(action, _NO_RECORDING) and draw(st.booleans()):
        start = draw(st.integers(0, len(body)))
        body.insert(start, draw(from_model(StartRecording)))
        if StopRecording in allowed and draw(st.booleans()):
            body.insert(draw(st.integers(start + 1, len(body))), StopRecording())
    if Answer in allowed and draw(st.booleans()):
        body.insert(0, Answer())  # once, and before any prompt
    return Svaml(instructions=body, action=action, callback=callback)


def _documents(callback: Callback | None, small: bool = False) -> _Strategy[Svaml]:
    if callback is not None and not _allowed(callback, ACTION_CLASSES):
        raise SvamlError(f"{callback.phrase} takes no SVAML: Sinch discards it")
    return _document(callback, small)


def documents(callback: Callback | str | None = None) -> _Strategy[Svaml]:
    """Return a strategy for valid SVAML documents, used in ``callback`` when given.

    Each has exactly one action the callback allows and only instructions it allows; ``answer``
    at most once and first; ``stopRecording`` only after ``startRecording``; no recording with a
    ``hangup`` or ``connectMxp`` action; answering machine detection only where Sinch runs it.
    Every document validates with no diagnostic for its callback, and its ``callback`` is set.
    Notify takes no SVAML: ``documents("notify")`` raises :class:`~svaml.errors.SvamlError`.
    """
    return _documents(callback_of(callback))


# -- callouts -------------------------------------------------------------------------------------


def callouts() -> _Strategy[Callout]:
    """Return a strategy for valid callouts: TTS, conference and custom.

    A TTS callout has a ``cli``; no callout to a username asks for ACE or DiCE; a custom
    callout's ``ice``, ``ace`` and ``pie`` are https URLs or valid SVAML JSON for that
    callback, ``dice`` an https URL, and with inline ICE there is no ``cli`` or ``destination``.
    """
    return st.one_of([from_model(cls) for cls in CALLOUT_CLASSES.values()])


def callout_requests() -> _Strategy[CalloutRequest]:
    """Return a strategy for valid callout request bodies (``POST /calling/v1/callouts``)."""
    return callouts().map(callout_request)


# -- arbitrary and broken data, for never-raises tests ---------------------------------------------


@functools.lru_cache(maxsize=1)
def _svaml_words() -> tuple[str, ...]:
    """Every JSON name and tag of the model: keys and values that lead a validator deeper."""
    found = {"instructions", "action", "method", *ACTION_CLASSES, *INSTRUCTION_CLASSES, *CALLOUT_CLASSES}
    for cls in codec.classes_below(*ACTION_CLASSES.values(), *INSTRUCTION_CLASSES.values(), CalloutRequest):
        for info in codec.field_info(cls):
            found.update((info.json, *info.aliases))
    return tuple(sorted(found))


def json_values(*, max_leaves: int = 30) -> _Strategy[Any]:
    """Return a strategy for arbitrary JSON values (keys and strings often SVAML names)."""
    words = st.deferred(lambda: st.sampled_from(_svaml_words()))
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        words,
    )
    keys = words | st.text(max_size=8)

    def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        # A named function: hypothesis reads a lambda's source, which is fragile.
        return st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5)

    return st.recursive(scalars, containers, max_leaves=max_leaves)


def _spots(data: Any) -> Iterator[tuple[Any, Any]]:
    """Yield (container, key or index) for every value inside ``data``."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield data, key
            yield from _spots(value)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield data, index
            yield from _spots(value)


_ODD_VALUES: tuple[Any, ...] = (
    -1, 0, 14401, 10**20, -(10**20), 1.5, 60.0, True, "", "1", "true", "x" * 700, [], {}
)  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn, base: _Strategy[Any]) -> Any:
    root = {"": copy.deepcopy(draw(base))}
    words = st.sampled_from(_svaml_words())
    for _ in range(draw(st.integers(1, 4))):
        spots = list(_spots(root))
        container, key = spots[draw(st.integers(0, len(spots) - 1))]
        value = container[key]
        how = draw(st.sampled_from(["retype", "remove", "add", "rename", "odd", "wrap", "null"]))
        if how == "retype":
            container[key] = draw(json_values(max_leaves=5))
        elif how == "remove" and container is not root:
            del container[key]
        elif how == "add" and isinstance(value, dict):
            value[draw(words | st.text(max_size=8))] = draw(json_values(max_leaves=5))
        elif how == "rename" and isinstance(value, str):
            changed = [value.upper(), value.lower(), value[:-1], value + "x"]
            container[key] = draw(st.sampled_from(changed) | words)
        elif how == "odd":
            container[key] = copy.deepcopy(draw(st.sampled_from(_ODD_VALUES)))
        elif how == "wrap":
            container[key] = [value]
        else:
            container[key] = None
    return root[""]


def svaml_like() -> _Strategy[Any]:
    """Return a strategy for SVAML-shaped data broken at random: for tests that nothing raises.

    Each value starts as a valid document or callout request (as JSON-ready data) and gets one
    to four mutations: a value of the wrong type, a field removed, an unknown field added, a
    name changed or misspelt, an odd number or string, a value wrapped in a list, or a null.
    """
    base = st.one_of(
        _documents(None, small=True).map(lambda d: d.to_dict(check=False)),
        callout_requests().map(codec.unstructure),
    )
    return _mutated(base)


# -- events ---------------------------------------------------------------------------------------

if typing.TYPE_CHECKING:
    from svaml.model.events import Event


def events(event: str | None = None) -> _Strategy[Event]:
    """Return a strategy for callback events: of the kind ``event`` (``ice``, ``ace``, ``dice``, …) or any.

    Each field is drawn from its type as for the SVAML model: known enum members, aware UTC
    timestamps, free text, E.164 numbers for ``cli``. Every event round-trips through its
    ``to_json()`` and :func:`svaml.callbacks.parse_event`.
    """
    from svaml.model.events import EVENT_CLASSES

    if event is None:
        return st.one_of([from_model(cls) for cls in EVENT_CLASSES.values()])
    cls = EVENT_CLASSES.get(event.casefold())
    if cls is None:
        raise SvamlError(f"unknown event {event!r}; expected one of {', '.join(EVENT_CLASSES)}")
    return from_model(cls)

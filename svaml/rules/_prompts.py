"""Prompt rules (SV8xx): prompt strings, SSML, audio URLs and TTS locales.

A prompt string (``playFiles`` ``ids``, a menu's ``mainPrompt``/``repeatPrompt``, park's
``introPrompt``/``holdPrompt``, a TTS callout's ``prompts``, a conference callout's ``greeting``)
holds one or more prompts separated by ``;``: ``#tts[text]``, ``#ssml[<speak>…</speak>]``,
``#href[url]``, a bare URL or a recorded file id. A ``;`` inside the brackets (an SSML entity
such as ``&amp;``) does not separate prompts.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

from svaml._locales import transcription_locale_problem, tts_locale_problem
from svaml.diagnostic import Severity
from svaml.model._fields import SvamlObject
from svaml.model.actions import ConnectPstn, Menu, Park, RunMenu
from svaml.model.callouts import ConferenceCallout, TtsCallout
from svaml.model.instructions import PlayFiles, Say, TranscriptionOptions
from svaml.rules._context import Context
from svaml.rules._registry import Example, Finding, rule

__all__ = ["Prompt", "parse_prompts", "url_problem"]

_E, _W = Severity.ERROR, Severity.WARNING

_DIRECTIVES = frozenset({"tts", "ssml", "href"})
_BRACKETS = re.compile(r"[\[\];]")
_HEAD = re.compile(r"#([A-Za-z][\w-]*)\[")
_INNER = re.compile(r"#(?:tts|ssml|href)\[", re.IGNORECASE)
_URLISH = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.|https?:)", re.IGNORECASE)
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class Prompt(NamedTuple):
    """One prompt of a prompt string.

    ``kind`` is ``tts``, ``ssml``, ``href`` (also when malformed), ``url``, ``file`` or
    ``malformed``; ``content`` is what is inside the brackets (or the URL, or the file id);
    ``problem`` says why the prompt is malformed, or is None.
    """

    kind: str
    text: str
    content: str
    problem: str | None = None


def _split(value: str) -> list[str]:
    """Split at each ``;`` outside brackets."""
    if ";" not in value:
        return [value]
    parts: list[str] = []
    depth = start = 0
    for match in _BRACKETS.finditer(value):
        char = match.group()
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return parts


def _closing(text: str, opening: int) -> int | None:
    """Return the index of the ``]`` that closes the ``[`` at ``opening``, or None."""
    depth = 0
    for match in _BRACKETS.finditer(text, opening):
        char = match.group()
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return match.start()
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prompt(raw: str) -> Prompt:
    text = raw.strip()
    if not text:
        return Prompt("malformed", text, "", "empty")
    if text[0] == "#":
        head = _HEAD.match(text)
        if head is None:
            return Prompt("malformed", text, text, "starts with '#' but is not #tts[…], #ssml[…] or #href[…]")
        name = head.group(1)
        kind = name.lower() if name.lower() in _DIRECTIVES else "malformed"
        if name not in _DIRECTIVES:
            if kind != "malformed":
                return Prompt(kind, text, "", f"write '#{kind}[' in lower case, as Sinch documents it")
            known = "Sinch knows #tts[…], #ssml[…] and #href[…]"
            return Prompt(kind, text, "", f"unknown directive '#{name}['; {known}")
        close = _closing(text, head.end() - 1)
        if close is None:
            return Prompt(kind, text, "", f"'#{name}[' is not closed by ']'")
        rest = text[close + 1 :].strip()
        if rest:
            return Prompt(
                kind,
                text,
                "",
                f"text after the closing ']' of '#{name}[…]': {_short(rest)!r}; separate prompts with ';'",
            )
        content = text[head.end() : close]
        if not content.strip():
            return Prompt(kind, text, content, f"'#{name}[]' is empty")
        return Prompt(kind, text, content)
    inner = _INNER.search(text)
    if inner is not None:
        return Prompt(
            "malformed",
            text,
            text,
            f"{inner.group()!r} inside the prompt: each prompt starts with its directive, "
            "and prompts are separated by ';'",
        )
    if _URLISH.match(text):
        return Prompt("url", text, text)
    return Prompt("file", text, text)


#: Past this many broken prompts in one string, SV801 reports them in one diagnostic.
_MAX_PER_STRING = 20


@functools.lru_cache(maxsize=2048)
def parse_prompts(value: str) -> tuple[Prompt, ...]:
    """Split a prompt string into its prompts (a ``;`` inside brackets does not split)."""
    return tuple(_prompt(part) for part in _split(value))


@functools.lru_cache(maxsize=512)
def url_problem(url: str, fetched: str = "audio") -> str | None:
    """Return why ``url`` is not an http or https URL with a host, or None when it is one.

    ``fetched`` names what Sinch would fetch from it, for the message.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        return f"{_short(url)!r} is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        return f"{_short(url)!r} has {scheme}: Sinch fetches {fetched} over http:// or https://"
    if not host:
        return f"{_short(url)!r} has no host"
    if _SPACE.search(url):
        return f"URL {_short(url)!r} contains a space or control character; percent-encode it (%20)"
    return None


@functools.lru_cache(maxsize=256)
def _ssml_problem(markup: str) -> str | None:
    # Refused before parsing: svaml expands no entities (no "billion laughs"), Polly takes none.
    if _DTD.search(markup):
        return "SSML must not contain a <!DOCTYPE> or <!ENTITY> declaration"
    try:
        markup.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"the SSML holds {markup[exc.start]!r}, a lone surrogate that is not a character"
    try:
        root = ET.fromstring(markup)  # DTDs refused above; expat fetches nothing
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).rsplit(": line ", 1)[0]
        # expat counts columns from 0; editors count from 1.
        return f"the SSML is not well-formed XML: {reason} at line {line}, column {column + 1} of the SSML"
    tag = root.tag.rsplit("}", 1)[-1]
    if tag != "speak":
        return f"the SSML's root element is <{tag}>: wrap the markup in <speak>…</speak>"
    return None


# -- where prompts are ---------------------------------------------------------------------------

_PROMPT_FIELDS: dict[type[SvamlObject], tuple[tuple[str, str], ...]] = {
    Menu: (("main_prompt", "mainPrompt"), ("repeat_prompt", "repeatPrompt")),
    Park: (("intro_prompt", "introPrompt"), ("hold_prompt", "holdPrompt")),
    TtsCallout: (("prompts", "prompts"),),
    ConferenceCallout: (("greeting", "greeting"),),
}


class _Strings(NamedTuple):
    pointer: str
    prompts: tuple[Prompt, ...]


@functools.lru_cache(maxsize=2048)
def _notable(value: str) -> tuple[Prompt, ...] | None:
    """The prompts of ``value`` if any has a problem, SSML or a URL to check; else None."""
    found = parse_prompts(value)
    for prompt in found:
        if prompt.problem is not None or prompt.kind in ("ssml", "href", "url"):
            return found
    return None


def _prompt_strings(obj: SvamlObject, where: str, ctx: Context) -> list[_Strings]:
    """The prompt strings of ``obj`` that the rules must look at, parsed (once for SV801-SV803).

    Strings of plain ``#tts[…]`` prompts and file ids, the common case, are left out early.
    """
    key = ("prompts", id(obj))  # the object lives as long as ctx: its id is its own
    found: list[_Strings] | None = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = []
        if isinstance(obj, PlayFiles):
            for index, value in enumerate(obj.ids):
                prompts = _notable(value)
                if prompts is not None:
                    found.append(_Strings(f"{where}/ids/{index}", prompts))
        else:
            for attr, name in _PROMPT_FIELDS[obj.__class__]:
                value = getattr(obj, attr)
                if value is not None:
                    prompts = _notable(value)
                    if prompts is not None:
                        found.append(_Strings(f"{where}/{name}", prompts))
    return found


def _which(prompts: tuple[Prompt, ...], index: int, problem: str) -> str:
    """Say which prompt of a string has ``problem``, when the string holds several."""
    if len(prompts) == 1:
        return problem
    return f"prompt {index + 1} of {len(prompts)} ({_short(prompts[index].text)!r}): {problem}"


def _each(
    obj: SvamlObject, where: str, ctx: Context, kinds: tuple[str, ...]
) -> Iterator[tuple[str, tuple[Prompt, ...], int, Prompt]]:
    for strings in _prompt_strings(obj, where, ctx):
        for index, prompt in enumerate(strings.prompts):
            if prompt.kind in kinds and prompt.problem is None:
                yield strings.pointer, strings.prompts, index, prompt


_PROMPT_KINDS: tuple[type, ...] = (PlayFiles, *_PROMPT_FIELDS)
_LOCALE_KINDS: tuple[type, ...] = (
    Say,
    PlayFiles,
    ConnectPstn,
    RunMenu,
    Park,
    TtsCallout,
    ConferenceCallout,
    TranscriptionOptions,
)


def _play(prompt: str, locale: str | None = "en-US") -> dict[str, object]:
    """An example document: playFiles of one prompt."""
    play = {"name": "playFiles", "ids": [prompt], **({} if locale is None else {"locale": locale})}
    return {"instructions": [play], "action": {"name": "hangup"}}


def _menu_prompt(prompt: str) -> dict[str, object]:
    menu = {"id": "main", "mainPrompt": prompt, "options": [{"dtmf": "1", "action": "return(sales)"}]}
    return {"action": {"name": "runMenu", "locale": "en-US", "menus": [menu]}}


def _say_in(locale: str) -> dict[str, object]:
    say = {"name": "say", "text": "Hello", "locale": locale}
    return {"instructions": [say], "action": {"name": "hangup"}}


_PROMPTS = "OAS menu.mainPrompt, ttsCallout.prompts, playFiles.ids: #tts[…], #ssml[…], #href[…] joined by ;"


@rule(
    "SV801",
    "malformed-prompt",
    _E,
    summary="A prompt string with an unclosed or unknown #directive[ or an empty prompt",
    source=_PROMPTS,
    kinds=_PROMPT_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_play("#tts[Welcome to Sinch"), fixed=_play("#tts[Welcome to Sinch]")),
)
def malformed_prompt(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Write each prompt as ``#tts[…]``, ``#ssml[…]``, ``#href[…]``, a URL or a file id.

    A prompt is ``#tts[text]``, ``#ssml[<speak>…</speak>]``, ``#href[url]``, a URL or a recorded
    file id; several prompts in one string are separated by ``;`` and played back to back. Sinch
    documents only these forms and does not say what it plays for anything else: at best the
    caller hears nothing. This rule reports a ``#tts[``, ``#ssml[`` or ``#href[`` without its
    closing ``]``, text after the ``]``, a directive other than these three (or not in lower
    case), an empty directive (``#tts[]``), and an empty prompt (``"a;;b"``, a trailing ``;``).
    Fix the brackets, or remove the stray ``;``.

    In callout requests (`POST /calling/v1/callouts`) it checks ttsCallout `prompts` and
    conferenceCallout `greeting`.
    """
    for strings in _prompt_strings(obj, where, ctx):
        prompts = strings.prompts
        bad = [i for i, p in enumerate(prompts) if p.problem is not None]
        if len(bad) > _MAX_PER_STRING:
            # One line per broken prompt of a huge string helps nobody (and would take minutes).
            yield Finding(
                strings.pointer,
                f"{len(bad)} of its {len(prompts)} prompts are malformed; the first: "
                + _which(prompts, bad[0], prompts[bad[0]].problem or "empty"),
            )
            continue
        for index in bad:
            prompt = prompts[index]
            if prompt.problem == "empty":
                message = (
                    "the prompt is empty"
                    if len(prompts) == 1
                    else f"prompt {index + 1} of {len(prompts)} is empty: remove the extra ';'"
                )
            else:
                message = _which(prompts, index, prompt.problem or "empty")
            yield Finding(strings.pointer, message)


@rule(
    "SV802",
    "invalid-ssml",
    _E,
    summary="#ssml[…] that is not well-formed XML under a <speak> root",
    source="OAS ttsCallout.prompts example #ssml[<speak>…</speak>]; Sinch TTS: the Amazon Polly SSML subset",
    kinds=_PROMPT_KINDS,
    targets=("svaml", "callout"),
    example=Example(
        text=_play("#ssml[<speak>Fish & chips</speak>]"),
        fixed=_play("#ssml[<speak>Fish &amp; chips</speak>]"),
    ),
)
def invalid_ssml(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Make the content of ``#ssml[…]`` well-formed XML under a ``<speak>`` root.

    The content of ``#ssml[…]`` is an SSML document: well-formed XML whose root element is
    ``<speak>``. Amazon Polly, whose SSML subset Sinch takes, refuses anything else, and the
    prompt is not played. Escape
    ``&`` as ``&amp;`` and ``<`` as ``&lt;`` in text, close every tag, and wrap the markup in
    ``<speak>…</speak>``. A ``<!DOCTYPE>`` or ``<!ENTITY>`` declaration is refused: SSML needs
    none, and svaml never expands entities.

    In callout requests (`POST /calling/v1/callouts`) it checks ttsCallout `prompts` and
    conferenceCallout `greeting`.
    """
    for at, prompts, index, prompt in _each(obj, where, ctx, ("ssml",)):
        problem = _ssml_problem(prompt.content)
        if problem is not None:
            yield Finding(at, _which(prompts, index, problem))


@rule(
    "SV803",
    "invalid-href",
    _E,
    summary="#href[…] or a URL prompt that is not an http(s) URL with a host",
    source="OAS playFiles.ids and menu prompts: #href[url] or a URL of an audio file",
    kinds=_PROMPT_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_menu_prompt("#href[ftp://example.com/welcome.mp3]"), fixed=_menu_prompt("#href[https://example.com/welcome.mp3]")),
)
def invalid_href(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Give audio prompts as absolute http(s) URLs.

    Sinch fetches the audio of ``#href[url]`` (or of a prompt that is a bare URL) over HTTP: the
    URL must be absolute, ``http://`` or ``https://``, with a host, and without spaces
    (percent-encode them as ``%20``). Any other URL cannot be played. A prompt that does not look
    like a URL is the id of a recorded file and is not checked.

    In callout requests (`POST /calling/v1/callouts`) it checks ttsCallout `prompts` and
    conferenceCallout `greeting`.
    """
    for at, prompts, index, prompt in _each(obj, where, ctx, ("href", "url")):
        problem = url_problem(prompt.content)
        if problem is not None:
            yield Finding(at, _which(prompts, index, problem))


def _tts_prompt(obj: PlayFiles) -> Prompt | None:
    for value in obj.ids:
        for prompt in parse_prompts(value):
            if prompt.kind in ("tts", "ssml"):
                return prompt
    return None


def _has_locale(obj: PlayFiles) -> bool:
    return obj.locale is not None and bool(obj.locale.strip())


@rule(
    "SV804",
    "prompt-needs-locale",
    _E,
    summary="playFiles with a #tts[…] or #ssml[…] prompt but no locale",
    source='OAS playFiles.locale: "If using SSML or TTS, this is a required field"',
    kinds=(PlayFiles,),
    example=Example(text=_play("#tts[Goodbye]", locale=None), fixed=_play("#tts[Goodbye]")),
)
def prompt_needs_locale(obj: PlayFiles, where: str, ctx: Context) -> Iterator[Finding]:
    """Give ``playFiles`` a ``locale`` when it plays TTS or SSML.

    Sinch's ``playFiles`` instruction needs a ``locale`` (a locale such as ``en-US``, a
    ``locale/gender`` or a voice id) when any of its prompts is ``#tts[…]`` or ``#ssml[…]``:
    "If using SSML or TTS, this is a required field". Add the locale of the text.
    """
    if not _has_locale(obj):
        prompt = _tts_prompt(obj)
        if prompt is not None:
            yield Finding(
                where,
                f"playFiles plays {_short(prompt.text)!r} but has no 'locale': Sinch requires one "
                'for TTS and SSML prompts; add one, for example "locale": "en-US"',
            )


@rule(
    "SV805",
    "unknown-locale",
    _W,
    summary="A locale that is not a TTS locale, locale/gender or voice Sinch lists",
    source='DOCS voice-locales: locale, locale/gender or voice id, "Accepted values are not case-sensitive"',
    kinds=_LOCALE_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_say_in("en-UK"), fixed=_say_in("en-GB")),
)
def unknown_locale(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Use a locale, locale/gender or voice that Sinch lists.

    A TTS ``locale`` (on say, playFiles, connectPstn, runMenu, park, TTS and conference callouts)
    is a locale (``en-US``), a locale and gender (``en-US/female``) or a voice id (``Joanna``),
    in any letter case, from Sinch's voice-locales page; a transcription locale
    (``startRecording`` ``transcriptionOptions.locale``) is a locale from Sinch's transcription
    list. Sinch's lists evolve, so a value svaml does not know is only a warning: check it
    against the page (``en-UK`` is a common slip for ``en-GB``).

    In callout requests (`POST /calling/v1/callouts`) it checks ttsCallout and conferenceCallout
    `locale`.
    """
    locale = getattr(obj, "locale", None)
    if not isinstance(locale, str):
        return
    if isinstance(obj, TranscriptionOptions):
        problem = transcription_locale_problem(locale)
    elif isinstance(obj, PlayFiles) and not locale.strip() and _tts_prompt(obj) is not None:
        return  # SV804 reports it
    else:
        problem = tts_locale_problem(locale)
    if problem is not None:
        yield Finding(f"{where}/locale", problem)

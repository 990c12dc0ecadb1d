"""Tests for the prompt rules (SV801-SV805, and their callout forms SV801-SV805) and the locale lists."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import _locales
from svaml.diagnostic import Severity
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model.strings import href, prompts, ssml, tts
from svaml.rules import validate
from svaml.rules._prompts import Prompt, parse_prompts, url_problem


def _play(*ids: str, locale: str | None = "en-US") -> dict[str, Any]:
    """Return a document whose one instruction plays ``ids``."""
    play: dict[str, Any] = {"name": "playFiles", "ids": list(ids)}
    if locale is not None:
        play["locale"] = locale
    return {"instructions": [play], "action": {"name": "hangup"}}


def _found(doc: Any, code: str, callback: str | None = None) -> list[tuple[str, str]]:
    """Return (pointer, message) of the diagnostics of ``code``."""
    return [(d.pointer, d.message) for d in validate(doc, callback=callback) if d.code == code]


# -- parsing -------------------------------------------------------------------------------------


def test_parse_splits_at_semicolons_outside_brackets_only() -> None:
    """A ';' inside #ssml[…] (an entity) or #tts[…] does not split the prompt string."""
    expected = (
        Prompt("tts", "#tts[a;b]", "a;b"),
        Prompt("ssml", "#ssml[<speak>Tom &amp; Jerry</speak>]", "<speak>Tom &amp; Jerry</speak>"),
        Prompt("file", "welcome", "welcome"),
        Prompt("url", "https://example.com/a.mp3", "https://example.com/a.mp3"),
    )
    assert expected == parse_prompts(
        "#tts[a;b];#ssml[<speak>Tom &amp; Jerry</speak>];welcome;https://example.com/a.mp3"
    )


def test_parse_keeps_nested_brackets_inside_a_prompt() -> None:
    """Balanced brackets inside #tts[…] belong to the text."""
    expected = (Prompt("tts", "#tts[Press [1] now]", "Press [1] now"),)
    assert expected == parse_prompts("#tts[Press [1] now]")


def test_parse_reads_the_strings_the_builder_helpers_write() -> None:
    """The strings of svaml.model.strings parse back into their prompts without a problem."""
    value = prompts(tts("Hello"), ssml("<speak>Hi</speak>"), href("https://example.com/a.mp3"))
    expected = ["tts", "ssml", "href"]
    assert expected == [p.kind for p in parse_prompts(value) if p.problem is None]


# -- SV801 malformed-prompt ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("#tts[Welcome", "'#tts[' is not closed by ']'"),
        ("#tts[Hello;#tts[World]", "'#tts[' is not closed by ']'"),
        ("#ssml[<speak>Hi</speak>", "'#ssml[' is not closed by ']'"),
        ("#href[https://example.com/a.mp3", "'#href[' is not closed by ']'"),
        ("#tts[a];;#tts[b]", "prompt 2 of 3 is empty: remove the extra ';'"),
        ("#tts[a];", "prompt 2 of 2 is empty: remove the extra ';'"),
        ("", "the prompt is empty"),
        ("#speak[Hello]", "unknown directive '#speak['; Sinch knows #tts[…], #ssml[…] and #href[…]"),
        ("#TTS[Hello]", "write '#tts[' in lower case, as Sinch documents it"),
        ("#tts[Hello] world", "text after the closing ']' of '#tts[…]': 'world'; separate prompts with ';'"),
        ("#tts[]", "'#tts[]' is empty"),
        ("#tts Hello", "starts with '#' but is not #tts[…], #ssml[…] or #href[…]"),
        (
            "welcome #tts[Hello]",
            "'#tts[' inside the prompt: each prompt starts with its directive, "
            "and prompts are separated by ';'",
        ),
        (
            "welcome;#foo[x]",
            "prompt 2 of 2 ('#foo[x]'): unknown directive '#foo['; Sinch knows #tts[…], "
            "#ssml[…] and #href[…]",
        ),
    ],
)
def test_malformed_prompt_fires(prompt: str, message: str) -> None:
    """Each kind of malformed prompt string is an SV801 error at the string, with its message."""
    expected = [("/instructions/0/ids/0", message)]
    assert expected == _found(_play(prompt), "SV801")


def test_malformed_prompt_is_an_error() -> None:
    """SV801 is an error: Sinch cannot play the prompt."""
    expected = [Severity.ERROR]
    assert expected == [d.severity for d in validate(_play("#tts[x")) if d.code == "SV801"]


@pytest.mark.parametrize(
    "prompt",
    [
        '#tts[Hello from Sinch];#ssml[<speak><break time="250ms"/>Have a great day!</speak>]',
        "welcome",
        "welcome;goodbye",
        "https://example.com/a.mp3",
        "#href[http://example.com/a.mp3]",
        " #tts[Hello] ; #tts[again] ",
        "#tts[Press [1] for sales]",
    ],
)
def test_malformed_prompt_quiet_on_correct_prompts(prompt: str) -> None:
    """Well-formed prompt strings give no diagnostic at all."""
    expected = []
    assert expected == validate(_play(prompt))


def test_prompts_are_checked_where_sinch_reads_them() -> None:
    """Menu main and repeat prompts and park intro and hold prompts are prompt strings too."""
    menu = {
        "name": "runMenu",
        "locale": "en-US",
        "menus": [
            {
                "id": "main",
                "mainPrompt": "#tts[a",
                "repeatPrompt": "#tts[b",
                "options": [{"dtmf": "1", "action": "return(x)"}],
            }
        ],
    }
    park = {"name": "park", "introPrompt": "#tts[c", "holdPrompt": "#tts[d"}
    expected = ["/action/menus/0/mainPrompt", "/action/menus/0/repeatPrompt"]
    assert expected == [p for p, _ in _found({"action": menu}, "SV801")]
    expected = ["/action/introPrompt", "/action/holdPrompt"]
    assert expected == [p for p, _ in _found({"action": park}, "SV801", "ice")]


# -- SV802 invalid-ssml -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        (
            "<speak>Fish & chips</speak>",
            "the SSML is not well-formed XML: not well-formed (invalid token) "
            "at line 1, column 14 of the SSML",
        ),
        (
            "<speak><p>x</speak>",
            "the SSML is not well-formed XML: mismatched tag at line 1, column 14 of the SSML",
        ),
        ("Plain text", "the SSML is not well-formed XML: syntax error at line 1, column 1 of the SSML"),
        ("<voice>x</voice>", "the SSML's root element is <voice>: wrap the markup in <speak>…</speak>"),
        (
            "<speak>a</speak><speak>b</speak>",
            "the SSML is not well-formed XML: junk after document element at line 1, column 17 of the SSML",
        ),
        (
            '<!DOCTYPE speak [<!ENTITY a "b">]><speak>&a;</speak>',
            "SSML must not contain a <!DOCTYPE> or <!ENTITY> declaration",
        ),
    ],
)
def test_invalid_ssml_fires(markup: str, message: str) -> None:
    """SSML that is not well-formed XML under <speak> is an SV802 error."""
    expected = [("/instructions/0/ids/0", message)]
    assert expected == _found(_play(f"#ssml[{markup}]"), "SV802")


@pytest.mark.parametrize(
    "markup",
    [
        "<speak>Hello</speak>",
        '<speak xmlns="http://www.w3.org/2001/10/synthesis">Hi<break time="1s"/></speak>',
        '<?xml version="1.0" encoding="UTF-8"?><speak>Hi</speak>',
        "<speak>Tom &amp; Jerry; and &lt;friends&gt;</speak>",
    ],
)
def test_invalid_ssml_quiet_on_speak_documents(markup: str) -> None:
    """Well-formed SSML under <speak> (with or without the SSML namespace) passes."""
    expected = []
    assert expected == validate(_play(f"#ssml[{markup}]"))


def test_invalid_ssml_refuses_entity_expansion_quickly() -> None:
    """A "billion laughs" document is refused before any XML parsing, in well under a second."""
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};&e{i - 1};&e{i - 1};">' for i in range(1, 30))
    markup = f'<!DOCTYPE speak [<!ENTITY e0 "ha">{entities}]><speak>&e29;</speak>'
    start = time.perf_counter()
    found = _found(_play(f"#ssml[{markup}]"), "SV802")
    expected = (1, True)
    assert expected == (len(found), time.perf_counter() - start < 1.0)


# -- SV803 invalid-href -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        (
            "#href[ftp://example.com/a.mp3]",
            "'ftp://example.com/a.mp3' has 'ftp:': Sinch fetches audio over http:// or https://",
        ),
        (
            "#href[www.example.com/a.mp3]",
            "'www.example.com/a.mp3' has no scheme: Sinch fetches audio over http:// or https://",
        ),
        ("#href[https:///a.mp3]", "'https:///a.mp3' has no host"),
        ("http://[::1/a.mp3", "'http://[::1/a.mp3' is not a valid URL (Invalid IPv6 URL)"),
        (
            "#href[http://example.com:99999/a.mp3]",
            "'http://example.com:99999/a.mp3' is not a valid URL (Port out of range 0-65535)",
        ),
        (
            "https://example.com/my file.mp3",
            "URL 'https://example.com/my file.mp3' contains a space or control "
            "character; percent-encode it (%20)",
        ),
        ("s3://bucket/a.mp3", "'s3://bucket/a.mp3' has 's3:': Sinch fetches audio over http:// or https://"),
    ],
)
def test_invalid_href_fires(prompt: str, message: str) -> None:
    """An #href[…] or URL-looking prompt that is not an http(s) URL with a host is an SV803 error."""
    expected = [("/instructions/0/ids/0", message)]
    assert expected == _found(_play(prompt), "SV803")


@pytest.mark.parametrize(
    "prompt",
    ["#href[https://example.com/a.mp3?x=1]", "HTTP://EXAMPLE.COM/A.MP3", "welcome", "greeting_v2.wav"],
)
def test_invalid_href_quiet_on_urls_and_file_ids(prompt: str) -> None:
    """http(s) URLs pass, and recorded file ids are not taken for URLs."""
    expected = []
    assert expected == _found(_play(prompt), "SV803")


def test_url_problem_names_what_is_fetched() -> None:
    """The URL message says what Sinch would fetch from it."""
    expected = "'x' has no scheme: Sinch fetches callbacks over http:// or https://"
    assert expected == url_problem("x", "callbacks")


# -- SV804 prompt-needs-locale ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ids", "locale"),
    [(["#tts[Hello]"], None), (["welcome", "#ssml[<speak>Hi</speak>]"], None), (["#tts[Hello]"], "  ")],
)
def test_prompt_needs_locale_fires(ids: list[str], locale: str | None) -> None:
    """PlayFiles with a TTS or SSML prompt and no (or a blank) locale is an SV804 error."""
    found = [d for d in validate(_play(*ids, locale=locale)) if d.code in ("SV804", "SV805")]
    expected = [("SV804", Severity.ERROR, "/instructions/0")]
    assert expected == [(d.code, d.severity, d.pointer) for d in found]


@pytest.mark.parametrize(
    ("ids", "locale"),
    [(["#tts[Hello]"], "en-US"), (["welcome", "https://example.com/a.mp3"], None)],
)
def test_prompt_needs_locale_quiet(ids: list[str], locale: str | None) -> None:
    """A locale, or prompts that are only files and URLs, satisfy SV804."""
    expected = []
    assert expected == validate(_play(*ids, locale=locale))


def test_builder_refuses_tts_without_locale() -> None:
    """The builder's guard raises on SV804, as on every error."""
    doc = Svaml.ice().answer().play_files(tts("Hello")).hangup()
    with pytest.raises(SvamlError, match=r"SV804"):
        doc.to_json()


def test_builder_accepts_tts_with_locale() -> None:
    """A built document with TTS prompts and a locale passes the guard."""
    doc = Svaml.ice().answer().play_files(tts("Hello"), ssml("<speak>Hi</speak>"), locale="en-US").hangup()
    expected = []
    assert expected == validate(doc)


# -- SV805 unknown-locale -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale",
    [
        "en-US",
        "EN-us",
        "en-US/female",
        "en-us/MALE",
        "Joanna",
        "joanna",
        "Céline",
        "celine",
        "Lea",
        "en-GB-WLS",
        "arb",
        "bg-BG",
        "bg-BG/male",
        "my-MM",
        "cy-GB/female",
    ],
)
def test_known_tts_locales(locale: str) -> None:
    """Locales, locale/gender forms and voice ids Sinch lists pass, in any case and without accents."""
    expected = []
    assert expected == validate(
        {"instructions": [{"name": "say", "text": "Hi", "locale": locale}], "action": {"name": "hangup"}}
    )


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        (
            "en-UK",
            "locale 'en-UK' is not a locale, locale/gender or voice that Sinch lists (did you mean "
            "'en-GB'?); the list evolves, so check Sinch's voice-locales page",
        ),
        (
            "Joana",
            "locale 'Joana' is not a locale, locale/gender or voice that Sinch lists (did you mean "
            "'Joanna'?); the list evolves, so check Sinch's voice-locales page",
        ),
        ("en_US", "locale 'en_US' uses '_': Sinch writes 'en-US'"),
        ("en-IN/male", "Sinch lists no male voice for 'en-IN'; use en-IN/female"),
        (
            "en-US/Joanna",
            "'en-US/Joanna': after the locale comes a gender ('female' or 'male'); a voice id is "
            "given alone, without the locale",
        ),
        ("", "the locale is empty: give a locale such as 'en-US', or leave the field out"),
    ],
)
def test_unknown_locale_fires(locale: str, message: str) -> None:
    """A locale Sinch does not list is an SV805 warning, with a suggestion where one is close."""
    doc = {"instructions": [{"name": "say", "text": "Hi", "locale": locale}], "action": {"name": "hangup"}}
    found = [(d.severity, d.pointer, d.message) for d in validate(doc) if d.code == "SV805"]
    expected = [(Severity.WARNING, "/instructions/0/locale", message)]
    assert expected == found


def test_unknown_locale_checks_every_locale_field() -> None:
    """say, playFiles, connectPstn, runMenu, park and transcription locales are all checked."""
    record = {
        "name": "startRecording",
        "options": {"transcriptionOptions": {"enabled": True, "locale": "xx"}},
    }
    doc = {
        "instructions": [{"name": "playFiles", "ids": ["a"], "locale": "xx"}, record],
        "action": {"name": "connectPstn", "number": "+46701234567", "locale": "xx"},
    }
    expected = [
        "/instructions/0/locale",
        "/instructions/1/options/transcriptionOptions/locale",
        "/action/locale",
    ]
    assert expected == [p for p, _ in _found(doc, "SV805")]


def test_transcription_locales_use_their_own_list() -> None:
    """Transcription takes Sinch's transcription locales (gd_GB too), not TTS voices."""

    def doc(locale: str) -> dict[str, Any]:
        options = {"transcriptionOptions": {"enabled": True, "locale": locale}}
        return {
            "instructions": [{"name": "startRecording", "options": options}],
            "action": {"name": "continue"},
        }

    expected = ([], [], 1, 1)
    assert expected == (
        _found(doc("gd_GB"), "SV805"),
        _found(doc("en-ab"), "SV805"),
        len(_found(doc("Joanna"), "SV805")),
        len(_found(doc("en-US/female"), "SV805")),
    )


def test_blank_playfiles_locale_with_tts_is_reported_once() -> None:
    """A blank playFiles locale with TTS is SV804's, not also SV805's."""
    expected = ["SV804"]
    assert expected == [d.code for d in validate(_play("#tts[Hi]", locale=""))]


def test_locale_lists_agree_with_themselves() -> None:
    """Every voice and locale/gender form of the TTS list is accepted by the lookup."""
    forms = [
        form
        for locale, (genders, voices) in _locales.TTS_LOCALES.items()
        for form in (locale, *(f"{locale}/{g}" for g in genders or ()), *voices)
    ]
    expected = []
    assert expected == [form for form in forms if not _locales.is_known_tts_locale(form)]


# -- callout forms (SV801-SV805) ----------------------------------------------------------------


def test_callout_prompt_rules_fire_with_their_twin_codes() -> None:
    """TTS callout prompts and locale, and conference callout greetings, get the SV81x codes."""
    tts_body = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": "+46701234567",
            "destination": {"type": "number", "endpoint": "+46707654321"},
            "locale": "en-UK",
            "prompts": "#tts[Hi;#href[ftp://x/y]",
        },
    }
    conf_body = {
        "method": "conferenceCallout",
        "conferenceCallout": {
            "destination": {"type": "number", "endpoint": "+46707654321"},
            "conferenceId": "team",
            "greeting": "#ssml[<speak>Hi</spek>];#href[ftp://example.com/a.mp3]",
        },
    }
    expected = [
        ("SV801", "/ttsCallout/prompts"),
        ("SV805", "/ttsCallout/locale"),
        ("SV802", "/conferenceCallout/greeting"),
        ("SV803", "/conferenceCallout/greeting"),
    ]
    found = [(d.code, d.pointer) for body in (tts_body, conf_body) for d in validate(body)]
    assert expected == found


def test_callout_prompt_rules_quiet_on_correct_callouts() -> None:
    """A TTS callout with good prompts and locale gives no diagnostic."""
    body = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": "+46701234567",
            "destination": {"type": "number", "endpoint": "+46707654321"},
            "locale": "sv-SE/female",
            "prompts": "#tts[Hej];#href[https://example.com/a.mp3]",
        },
    }
    expected = []
    assert expected == validate(body)


# -- speed ---------------------------------------------------------------------------------------


def test_prompt_rules_are_fast_on_a_large_document() -> None:
    """Validating 200 playFiles of mixed prompts takes well under a second."""
    ids = ["#tts[Hello];#ssml[<speak>Hi</speak>];#href[https://example.com/a.mp3];welcome"] * 5
    doc = {
        "instructions": [{"name": "playFiles", "ids": ids, "locale": "en-US"}] * 200,
        "action": {"name": "hangup"},
    }
    start = time.perf_counter()
    found = validate(doc)
    expected = ([], True)
    assert expected == (found, time.perf_counter() - start < 1.0)


# -- robustness ----------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("#[];<>/&!:-_ aA1é\ud800\x00") | st.characters(), max_size=40)


@given(prompt=_TEXT, locale=_TEXT)
def test_prompt_rules_never_fail_internally(prompt: str, locale: str) -> None:
    """Whatever the prompt strings and locales hold, the rules report diagnostics, never an internal error."""
    menu = {"id": "main", "mainPrompt": prompt, "options": [{"dtmf": "1", "action": "return(x)"}]}
    docs = [
        _play(prompt, f"#ssml[{prompt}]", f"#href[{prompt}]", locale=locale),
        {"action": {"name": "runMenu", "locale": locale, "menus": [menu]}},
        {"method": "ttsCallout", "ttsCallout": {"cli": "+46701234567", "locale": locale, "prompts": prompt}},
    ]
    expected: list[str] = []
    assert expected == [d.message for doc in docs for d in validate(doc) if d.code == "SV000"]

"""The text-to-speech locales and voices, and the transcription locales, that Sinch lists.

Sinch takes a TTS ``locale`` in three forms: a locale (``en-US``), a locale and a gender
(``en-US/female``) or a voice id (``Joanna``); "Accepted values are not case-sensitive"
(Sinch voice-locales page). The list evolves, so the validator treats these lists softly: a
value that is not on them is a warning, never an error.

Sources: the ``TtsVoice`` and ``TranscriptionLocale`` types of the Node SDK (``@sinch/voice``
1.4.0, ``models/v1/enums.d.ts`` and ``svaml-instruction-start-recording.d.ts``), which mirror the
voice-locales page, plus ``bg-BG`` and ``my-MM``, which the page lists and the Node SDK lacks.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "TRANSCRIPTION_LOCALES",
    "TTS_LOCALES",
    "is_known_transcription_locale",
    "is_known_tts_locale",
    "transcription_locale_problem",
    "tts_locale_problem",
]

# locale: (genders with a ``locale/gender`` form, voice ids); None: the genders are not listed.
_TTS: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = {
    "arb": (("female",), ("Zeina",)),
    "az-AZ": (("female", "male"), ("Banu", "Babek")),
    "bg-BG": (None, ()),
    "ca-ES": (("female",), ("Arlet",)),
    "zh-HK": (("female", "male"), ("HiuGaai", "HiuMaan", "WanLung")),
    "cmn-CN": (("female",), ("Zhiyu",)),
    "hr-HR": (("female", "male"), ("Gabrijela", "Srecko")),
    "cs-CZ": (("female", "male"), ("Vlasta", "Antonin")),
    "da-DK": (("female", "male"), ("Naja", "Mads")),
    "nl-NL": (("female", "male"), ("Lotte", "Ruben")),
    "en-AU": (("female", "male"), ("Nicole", "Olivia", "Russell")),
    "en-GB": (("female", "male"), ("Amy", "Emma", "Brian", "Arthur")),
    "en-IN": (("female",), ("Aditi", "Raveena", "Kajal")),
    "en-NZ": (("female",), ("Aria",)),
    "en-ZA": (("female",), ("Ayanda",)),
    "en-US": (
        ("female", "male"),
        ("Ivy", "Joanna", "Kendra", "Kimberly", "Salli", "Joey", "Justin", "Kevin", "Matthew"),
    ),
    "en-GB-WLS": (("male",), ("Geraint",)),
    "et-EE": (("female", "male"), ("Anu", "Kert")),
    "fil-PH": (("female", "male"), ("Angelo", "Blessica")),
    "fi-FI": (("female",), ("Suvi",)),
    "fr-FR": (("female", "male"), ("Céline", "Léa", "Mathieu")),
    "fr-CA": (("female", "male"), ("Chantal", "Gabrielle", "Liam")),
    "ka-GE": (("female", "male"), ("Eka", "Giorgi")),
    "de-DE": (("female", "male"), ("Marlene", "Vicki", "Hans", "Daniel")),
    "de-AT": (("female",), ("Hannah",)),
    "el-GR": (("female", "male"), ("Athina", "Nestoras")),
    "hi-IN": (("female",), ("Aditi", "Kajal")),
    "hu-HU": (("female", "male"), ("Noemi", "Tamas")),
    "is-IS": (("female", "male"), ("Dóra", "Karl")),
    "id-ID": (("female", "male"), ("Ardi", "Gadis")),
    "it-IT": (("female", "male"), ("Carla", "Bianca", "Giorgio")),
    "ja-JP": (("female", "male"), ("Mizuki", "Takumi")),
    "ko-KR": (("female",), ("Seoyeon",)),
    "mt-MT": (("female", "male"), ("Grace", "Joseph")),
    "ms-MY": (("female", "male"), ("Osman", "Yasmin")),
    "my-MM": (None, ()),
    "nb-NO": (("female",), ("Liv",)),
    "lv-LV": (("female", "male"), ("Everita", "Nils")),
    "lt-LT": (("female", "male"), ("Ona", "Leonas")),
    "pl-PL": (("female", "male"), ("Ewa", "Maja", "Jacek", "Jan")),
    "pt-BR": (("female", "male"), ("Camila", "Vitória", "Ricardo")),
    "pt-PT": (("female", "male"), ("Inês", "Cristiano")),
    "ro-RO": (("female",), ("Carmen",)),
    "ru-RU": (("female", "male"), ("Tatyana", "Maxim")),
    "es-ES": (("female", "male"), ("Conchita", "Lucia", "Enrique")),
    "es-MX": (("female",), ("Mia",)),
    "es-US": (("female", "male"), ("Lupe", "Penélope", "Miguel", "Pedro")),
    "sk-SK": (("female", "male"), ("Viktoria", "Lukas")),
    "sl-SI": (("female", "male"), ("Petra", "Rok")),
    "sv-SE": (("female",), ("Astrid",)),
    "th-TH": (("female", "male"), ("Achara", "Niwat", "Premwadee")),
    # The Node SDK lists tr-TR/male although Filiz is a female voice; both are taken.
    "tr-TR": (("female", "male"), ("Filiz",)),
    "uk-UA": (("female", "male"), ("Polina", "Ostap")),
    "uz-UZ": (("female", "male"), ("Madina", "Sardor")),
    "vi-VN": (("female", "male"), ("HoaiMy", "NamMinh")),
    "cy-GB": (("female",), ("Gwyneth",)),
}

#: TTS locales Sinch lists: locale -> (genders of its ``locale/gender`` forms, or None when not
#: listed; its voice ids).
TTS_LOCALES: Mapping[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = MappingProxyType(_TTS)

#: Transcription locales (``startRecording`` ``transcriptionOptions.locale``), as the Node SDK
#: lists them, oddities (``en-AB``, ``en-WL``, ``gd_GB``) included.
TRANSCRIPTION_LOCALES: tuple[str, ...] = (
    "af-ZA", "ar-AE", "ar-SA", "zh-CN", "zh-TW", "da-DK", "nl-NL", "en-AU", "en-GB", "en-IN",
    "en-IE", "en-NZ", "en-AB", "en-ZA", "en-US", "en-WL", "fr-FR", "fr-CA", "fa-IR", "gd_GB",
    "de-DE", "de-CH", "he-IL", "hi-IN", "id-ID", "ga-IE", "it-IT", "ja-JP", "ko-KR", "ms-MY",
    "pt-PT", "pt-BR", "ru-RU", "es-ES", "es-US", "sv-SE", "ta-IN", "te-IN", "th-TH", "tr-TR",
    "vi-VN",
)  # fmt: skip

_GENDERS = ("female", "male")
# A common slip: the ISO region of the United Kingdom is GB.
_ALIASES = {"en-uk": "en-GB", "en-en": "en-GB", "uk-uk": "uk-UA", "se-se": "sv-SE", "dk-dk": "da-DK"}


def _fold(value: str) -> str:
    """Case- and accent-insensitive key: Sinch's values are not case-sensitive; Léa is also Lea."""
    decomposed = unicodedata.normalize("NFKD", value.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tts_forms() -> dict[str, str]:
    """Every accepted TTS form, folded, mapped to how Sinch writes it."""
    forms: dict[str, str] = {}
    for locale, (genders, voices) in _TTS.items():
        forms[_fold(locale)] = locale
        for gender in genders if genders is not None else _GENDERS:
            forms[_fold(f"{locale}/{gender}")] = f"{locale}/{gender}"
        for voice in voices:
            forms.setdefault(_fold(voice), voice)
    return forms


_TTS_FORMS = _tts_forms()
_TRANSCRIPTION = {_fold(locale).replace("_", "-"): locale for locale in TRANSCRIPTION_LOCALES}


def is_known_tts_locale(value: str) -> bool:
    """Whether ``value`` is a TTS locale, ``locale/gender`` or voice id Sinch lists (any letter case)."""
    return _fold(value) in _TTS_FORMS


def is_known_transcription_locale(value: str) -> bool:
    """Whether ``value`` is a transcription locale Sinch lists (any case, ``_`` or ``-``)."""
    return _fold(value).replace("_", "-") in _TRANSCRIPTION


def _suggest(folded: str, forms: Mapping[str, str]) -> str:
    alias = _ALIASES.get(folded)
    if alias is not None:
        return f" (did you mean {alias!r}?)"
    close = difflib.get_close_matches(folded, forms.keys(), n=1, cutoff=0.8)
    return f" (did you mean {forms[close[0]]!r}?)" if close else ""


@functools.lru_cache(maxsize=512)
def tts_locale_problem(value: str) -> str | None:
    """Return why ``value`` is not a TTS locale Sinch lists, or None when it is one."""
    folded = _fold(value)
    if folded in _TTS_FORMS:
        return None
    if not folded:
        return "the locale is empty: give a locale such as 'en-US', or leave the field out"
    hyphenated = folded.replace("_", "-")
    if hyphenated in _TTS_FORMS:
        return f"locale {value!r} uses '_': Sinch writes {_TTS_FORMS[hyphenated]!r}"
    locale, slash, gender = folded.partition("/")
    if slash and _TTS_FORMS.get(locale) in _TTS:
        known = _TTS[_TTS_FORMS[locale]][0]
        if gender in _GENDERS and known is not None:
            listed = " or ".join(f"{_TTS_FORMS[locale]}/{g}" for g in known)
            return f"Sinch lists no {gender} voice for {_TTS_FORMS[locale]!r}; use {listed}"
        return (
            f"{value!r}: after the locale comes a gender ('female' or 'male'); "
            "a voice id is given alone, without the locale"
        )
    return (
        f"locale {value!r} is not a locale, locale/gender or voice that Sinch lists"
        f"{_suggest(folded, _TTS_FORMS)}; the list evolves, so check Sinch's voice-locales page"
    )


@functools.lru_cache(maxsize=128)
def transcription_locale_problem(value: str) -> str | None:
    """Return why ``value`` is not a transcription locale Sinch lists, or None when it is one."""
    folded = _fold(value).replace("_", "-")
    if folded in _TRANSCRIPTION:
        return None
    if not folded:
        return "the transcription locale is empty: give a locale such as 'en-US', or leave the field out"
    return (
        f"transcription locale {value!r} is not one Sinch lists{_suggest(folded, _TRANSCRIPTION)}; "
        "a transcription locale is a locale alone (no gender, no voice)"
    )

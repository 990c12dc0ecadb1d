"""Number rules (SV4xx): phone numbers in E.164, and whether such a number can exist.

A number found both in SVAML and in callout requests is checked in both under one code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from svaml.diagnostic import Applicability, Edit, Fix, Severity
from svaml.model._fields import SvamlObject
from svaml.model.actions import ConnectPstn, ConnectSip
from svaml.model.callouts import ConferenceCallout, CustomCallout, TtsCallout
from svaml.model.enums import DestinationType
from svaml.rules._context import Context
from svaml.rules._registry import Example, Finding, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING

_DIGITS = frozenset("0123456789")


def _is_e164(value: str) -> bool:
    """Whether ``value`` is ``+`` and 2 to 15 ASCII digits (not `isdigit`: it takes other scripts' digits)."""
    return 3 <= len(value) <= 16 and value[0] == "+" and _DIGITS.issuperset(value[1:])
# What people put between digits when they write a number for humans.
_SEPARATORS = str.maketrans("", "", " -.()/\u00a0")
_EXAMPLE = "+46701234567"


def _pstn(number: str) -> dict[str, object]:
    """An example document: connectPstn to ``number``."""
    return {"action": {"name": "connectPstn", "number": number}}

# The model classes that hold phone numbers: the rules skip documents without any.
_NUMBER_KINDS = (ConnectPstn, ConnectSip, TtsCallout, ConferenceCallout, CustomCallout)


def _numbers(obj: SvamlObject, where: str) -> Iterator[tuple[str, str, str]]:
    """Yield (pointer, field, value) of every phone number of a connect action or a callout."""
    if isinstance(obj, ConnectPstn) and obj.number is not None:
        yield f"{where}/number", "number", obj.number
    cli = getattr(obj, "cli", None)
    if cli is not None and cli.casefold() != "private":
        yield f"{where}/cli", "cli", cli
    if isinstance(obj, (TtsCallout, ConferenceCallout, CustomCallout)):
        destination = obj.destination
        if destination is not None and destination.type in (None, DestinationType.NUMBER):
            yield f"{where}/destination/endpoint", "destination endpoint", destination.endpoint


def _not_e164(field: str, value: str) -> tuple[str, str | None, Applicability]:
    """Say why ``value`` is not E.164 and, where it can be rewritten, the E.164 form and how safely."""
    safe, unsafe = Applicability.SAFE, Applicability.UNSAFE
    if not value.strip():
        if field == "cli":
            why = f"cli is empty: write an E.164 number such as {_EXAMPLE}, or 'private' to hide it"
            return why, None, safe
        return f"{field} is empty: write an E.164 number such as {_EXAMPLE}", None, safe
    digits = value.translate(_SEPARATORS)
    if digits != value and _is_e164(digits):
        return (
            f"{field} {value!r} has spaces or punctuation: write {digits!r} ('+' and digits only)",
            digits,
            safe,
        )
    if digits.isascii() and digits.isdigit():
        # `00` is the international prefix (ITU-T E.164 recommends it): `+` says the same.
        if digits.startswith("00") and digits[2:3] != "0" and _is_e164("+" + digits[2:]):
            fixed = "+" + digits[2:]
            return (
                f"{field} {value!r} starts with the international prefix 00: write {fixed!r} "
                "(E.164 writes '+' for it)",
                fixed,
                safe,
            )
        if digits.startswith("0"):
            return (
                f"{field} {value!r} looks like a national number: write it in E.164, '+', the country "
                "code, then the number without its trunk prefix 0",
                None,
                safe,
            )
        if 2 <= len(digits) <= 15:
            fixed = "+" + digits
            return (
                f"{field} {value!r} has no leading '+' (Sinch error 40005 NumberMissingLeadingPlus): "
                f"write {fixed!r} if the digits start with the country code",
                fixed,
                unsafe,  # it assumes the digits start with the country code
            )
    rest = digits[1:]
    if digits.startswith("+") and rest.isascii() and rest.isdigit():
        return (
            f"{field} {value!r} has {len(rest)} digits: an E.164 number has 2 to 15 digits after the '+'",
            None,
            safe,
        )
    return (
        f"{field} {value!r} is not an E.164 number: write '+', the country code and the number, "
        f"digits only, for example {_EXAMPLE}",
        None,
        safe,
    )


@rule(
    "SV401",
    "number-not-e164",
    _E,
    summary="A phone number (connectPstn number, cli, callout destination) is not in E.164",
    source="OAS connectPstn.number, cli and callout destination (E.164 examples); "
    "REST error 40005 NumberMissingLeadingPlus",
    fix=Applicability.UNSAFE,
    kinds=_NUMBER_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_pstn("+46 70-123 45 67"), fixed=_pstn("+46701234567")),
)
def number_not_e164(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Write phone numbers in E.164: ``+``, the country code and the number.

    Sinch dials numbers in E.164: ``+``, the country code and the subscriber number, digits only,
    at most 15 of them (``+46701234567``). This applies to ``connectPstn.number``, every ``cli``
    (the caller id; ``private`` withholds it) and a callout's ``destination.endpoint`` when its type
    is ``number`` (or not given). A number without its ``+`` is refused with error 40005
    NumberMissingLeadingPlus; a national number (``0701234567``) cannot be dialled from Sinch's
    network.

    The fix removes spaces and punctuation, writes ``+`` for the international prefix ``00``
    (``0046701234567`` is ``+46701234567``), or puts a ``+`` in front of a number written as digits
    only. Only the last is unsafe: adding ``+`` assumes the digits already start with the country
    code (``46701234567``). svaml never guesses a country, so a national number starting with a
    single ``0`` is left for you to rewrite.

    In callout requests (`POST /calling/v1/callouts`) it checks `cli` and `destination.endpoint`
    (type `number` or not given).
    """
    for at, field, value in _numbers(obj, where):
        if _is_e164(value):
            continue
        message, fixed, safety = _not_e164(field, value)
        fix = None
        if fixed is not None:
            # Adding a "+" assumes the digits start with the country code: that may change the number.
            assumed = safety is Applicability.UNSAFE
            why = " (assumes the digits start with the country code)" if assumed else ""
            edit = Edit(op="replace", path=at, value=fixed)
            fix = Fix(description=f"write {fixed!r}{why}", edits=(edit,), applicability=safety)
        yield Finding(at, message, fix)


@functools.lru_cache(maxsize=2048)
def _impossible(number: str) -> str | None:
    """Say why phonenumbers holds the E.164-shaped ``number`` cannot exist, or None if it can."""
    import phonenumbers  # heavy: loaded only when a document has a number

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as exc:
        errors = phonenumbers.NumberParseException
        if exc.error_type == errors.INVALID_COUNTRY_CODE:
            return "no country calling code starts with these digits"
        if exc.error_type == errors.TOO_LONG:
            return "it is too long"
        return "it is too short"
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    cc = f"+{parsed.country_code}"
    results = phonenumbers.ValidationResult
    if reason == results.INVALID_COUNTRY_CODE:
        return f"{cc} is not a country calling code"
    if reason == results.TOO_SHORT:
        return f"it is too short for a {cc} number"
    if reason == results.TOO_LONG:
        return f"it is too long for a {cc} number"
    if reason == results.INVALID_LENGTH:
        return f"no {cc} number has this many digits"
    if reason == results.IS_POSSIBLE_LOCAL_ONLY:
        return f"it is too short for a {cc} number (a local number without its area code?)"
    if not phonenumbers.is_valid_number(parsed):
        region = phonenumbers.region_code_for_number(parsed)
        where = f"{region} ({cc})" if region and region != "ZZ" else cc
        return f"it is in no number range in use in {where}"
    return None


@rule(
    "SV402",
    "number-impossible",
    _W,
    summary="An E.164 number that cannot exist (wrong length, unknown country code or range)",
    source="ITU-T E.164 numbering plans, as the phonenumbers library (libphonenumber) records them",
    kinds=_NUMBER_KINDS,
    targets=("svaml", "callout"),
    example=Example(text=_pstn("+4670123"), fixed=_pstn("+46701234567")),
)
def number_impossible(obj: SvamlObject, where: str, ctx: Context) -> Iterator[Finding]:
    """Report an E.164 number that cannot exist.

    The number is written in E.164, but by the numbering plans libphonenumber knows it cannot
    exist: its country code is not assigned, it has a length no number of that country has, or it
    falls in no range in use. Sinch would place a call that fails. Check the digits.

    A warning, not an error: numbering plans change, and a range opened after the installed
    ``phonenumbers`` release is reported too; upgrade ``phonenumbers``, or ignore SV402 for that
    number.

    In callout requests (`POST /calling/v1/callouts`) it checks `cli` and `destination.endpoint`
    (type `number` or not given).
    """
    for at, field, value in _numbers(obj, where):
        if _is_e164(value):
            why = _impossible(value)
            if why is not None:
                yield Finding(at, f"{field} {value!r} cannot be a phone number: {why}; check the digits")

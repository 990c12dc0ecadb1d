"""Number rules (SV4xx): phone numbers in E.164, and whether such a number can exist.

It also holds a helper the SV4xx-SV7xx modules share: the callouts of a callout request. A rule
about a field found both in SVAML and in callout requests checks both under one code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from svaml.diagnostic import Edit, Fix, Severity
from svaml.model.actions import ConnectPstn, ConnectSip
from svaml.model.callouts import Callout, ConferenceCallout, CustomCallout, TtsCallout
from svaml.model.enums import DestinationType
from svaml.rules._context import Context
from svaml.rules._registry import Finding, extend_to_callouts, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING

# `[0-9]`, not `\d`: Python's `\d` also matches digits of other scripts.
_E164 = re.compile(r"\+[0-9]{2,15}")
# What people put between digits when they write a number for humans.
_SEPARATORS = str.maketrans("", "", " -.()/\u00a0")
_EXAMPLE = "+46701234567"
# The model classes that hold phone numbers: the rules skip documents without any.
_NUMBER_KINDS = (ConnectPstn, ConnectSip, TtsCallout, ConferenceCallout, CustomCallout)


def callouts(ctx: Context) -> Iterator[tuple[str, Callout]]:
    """Yield ``(pointer, callout)`` for each callout of the request under validation."""
    request = ctx.callout
    if request is None:
        return
    for callout in (request.tts_callout, request.conference_callout, request.custom_callout):
        if callout is not None:
            yield ctx.at(callout.method), callout


def _numbers(ctx: Context) -> list[tuple[str, str, str]]:
    """(pointer, field, value) of every phone number in the document, found once per document."""
    found: list[tuple[str, str, str]] | None = ctx.memo.get("numbers")
    if found is not None:
        return found
    found = []
    action = ctx.action
    here = ctx.base + "/action"  # "action" needs no escaping: cheaper than ctx.at on the hot path
    if isinstance(action, ConnectPstn):
        if action.number is not None:
            found.append((here + "/number", "number", action.number))
        if action.cli is not None and action.cli.casefold() != "private":
            found.append((here + "/cli", "cli", action.cli))
    elif isinstance(action, ConnectSip) and action.cli is not None and action.cli.casefold() != "private":
        found.append((here + "/cli", "cli", action.cli))
    for where, callout in callouts(ctx):
        if callout.cli is not None and callout.cli.casefold() != "private":
            found.append((f"{where}/cli", "cli", callout.cli))
        destination = callout.destination
        if destination is not None and destination.type in (None, DestinationType.NUMBER):
            found.append((f"{where}/destination/endpoint", "destination endpoint", destination.endpoint))
    ctx.memo["numbers"] = found
    return found


def _not_e164(field: str, value: str) -> tuple[str, str | None]:
    """Say why ``value`` is not E.164 and, when it is safe to rewrite, the E.164 form."""
    if not value.strip():
        if field == "cli":
            return f"cli is empty: write an E.164 number such as {_EXAMPLE}, or 'private' to hide it", None
        return f"{field} is empty: write an E.164 number such as {_EXAMPLE}", None
    digits = value.translate(_SEPARATORS)
    if digits != value and _E164.fullmatch(digits):
        return (
            f"{field} {value!r} has spaces or punctuation: write {digits!r} ('+' and digits only)",
            digits,
        )
    if digits.isascii() and digits.isdigit():
        if digits.startswith("0"):
            return (
                f"{field} {value!r} looks like a national number: write it in E.164, '+', the country "
                "code, then the number without its trunk prefix 0",
                None,
            )
        if 2 <= len(digits) <= 15:
            fixed = "+" + digits
            return (
                f"{field} {value!r} has no leading '+' (Sinch error 40005 NumberMissingLeadingPlus): "
                f"write {fixed!r} if the digits start with the country code",
                fixed,
            )
    rest = digits[1:]
    if digits.startswith("+") and rest.isascii() and rest.isdigit():
        return (
            f"{field} {value!r} has {len(rest)} digits: an E.164 number has 2 to 15 digits after the '+'",
            None,
        )
    return (
        f"{field} {value!r} is not an E.164 number: write '+', the country code and the number, "
        f"digits only, for example {_EXAMPLE}",
        None,
    )


@rule(
    "SV401",
    "number-not-e164",
    _E,
    summary="A phone number (connectPstn number, cli, callout destination) is not in E.164",
    source="OAS connectPstn.number, cli and callout destination (E.164 examples); "
    "REST error 40005 NumberMissingLeadingPlus",
    fixable=True,
    kinds=_NUMBER_KINDS,
)
def number_not_e164(ctx: Context) -> Iterator[Finding]:
    """Write phone numbers in E.164: ``+``, the country code and the number.

    Sinch dials numbers in E.164: ``+``, the country code and the subscriber number, digits only,
    at most 15 of them (``+46701234567``). This applies to ``connectPstn.number``, every ``cli``
    (the caller id; ``private`` withholds it) and a callout's ``destination.endpoint`` when its type
    is ``number`` (or not given). A number without its ``+`` is refused with error 40005
    NumberMissingLeadingPlus; a national number (``0701234567``) cannot be dialled from Sinch's
    network.

    The fix removes spaces and punctuation, or puts a ``+`` in front of a number written as digits
    only. Adding ``+`` assumes the digits already start with the country code (``46701234567``);
    svaml never guesses a country, so a number starting with ``0`` is left for you to rewrite.
    """
    for where, field, value in _numbers(ctx):
        if _E164.fullmatch(value):
            continue
        message, fixed = _not_e164(field, value)
        fix = None
        if fixed is not None:
            why = " (assumes the digits start with the country code)" if "+" not in value else ""
            edit = Edit(op="replace", path=where, value=fixed)
            fix = Fix(description=f"write {fixed!r}{why}", edits=(edit,))
        yield Finding(where, message, fix)


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
)
def number_impossible(ctx: Context) -> Iterator[Finding]:
    """Report an E.164 number that cannot exist.

    The number is written in E.164, but by the numbering plans libphonenumber knows it cannot
    exist: its country code is not assigned, it has a length no number of that country has, or it
    falls in no range in use. Sinch would place a call that fails. Check the digits.

    A warning, not an error: numbering plans change, and a range opened after the installed
    ``phonenumbers`` release is reported too; upgrade ``phonenumbers``, or ignore SV402 for that
    number.
    """
    for where, field, value in _numbers(ctx):
        if _E164.fullmatch(value):
            why = _impossible(value)
            if why is not None:
                yield Finding(where, f"{field} {value!r} cannot be a phone number: {why}; check the digits")


_CALLOUT_NUMBERS = "`cli` and `destination.endpoint` (type `number` or not given)"
extend_to_callouts("SV401", _CALLOUT_NUMBERS)
extend_to_callouts("SV402", _CALLOUT_NUMBERS)

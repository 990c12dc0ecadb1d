"""Type checks shared by the model classes: small, fast attrs validators and converters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from svaml._json import json_value, unfit_scalar
from svaml.errors import SvamlTypeError

#: The empty ``extras`` every object shares until it was read with fields svaml does not know.
NO_EXTRAS: Mapping[str, Any] = MappingProxyType({})


def _describe(value: object) -> str:
    return "null" if value is None else type(value).__name__


def is_(*types: type, optional: bool = False, wanted: str | None = None) -> Any:
    """Return a validator that checks the value's type (and allows None when ``optional``).

    ``bool`` never counts as ``int``. A value of exactly one of ``types`` passes on the first test.
    """
    return IsType(types, optional, wanted or " or ".join(t.__name__ for t in types))


class IsType:
    """Validator: the value is an instance of ``types``, not a bool unless it is one (see :func:`is_`)."""

    __slots__ = ("exact", "optional", "reject_bool", "scalar", "types", "wanted")

    def __init__(self, types: tuple[type, ...], optional: bool, wanted: str) -> None:
        self.types = types
        self.exact = frozenset(types)
        self.optional = optional
        self.reject_bool = bool not in types
        self.wanted = wanted
        #: Strings and numbers are held to the JSON policy too (a lone surrogate, a too long integer).
        self.scalar = any(issubclass(t, (str, int, float)) for t in types)

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            if self.optional:
                return
        elif value.__class__ in self.exact or (
            isinstance(value, self.types) and not (self.reject_bool and value.__class__ is bool)
        ):
            if self.scalar:
                # An ASCII string, a bool or a short integer is surely JSON (the usual case, no call).
                kind: Any = value.__class__
                plain: Any = value
                if kind is str:
                    if plain.isascii():
                        return
                elif kind is bool or (kind is int and plain.bit_length() < 1024):
                    return
                why = unfit_scalar(value) if isinstance(value, (str, int, float)) else None
                if why is not None:
                    raise SvamlTypeError(f"{type(inst).__name__}.{attribute.name}: {why}")
            return
        owner = f"{type(inst).__name__}.{attribute.name}"
        raise SvamlTypeError(f"{owner} must be {self.wanted}, got {_describe(value)}")


class Each:
    """Validator: every item of a tuple is an instance of ``types`` (made by :func:`each`)."""

    __slots__ = ("types", "wanted")

    def __init__(self, types: tuple[type, ...], wanted: str) -> None:
        self.types = types
        self.wanted = wanted

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        for index, item in enumerate(value):
            if not isinstance(item, self.types):
                raise SvamlTypeError(
                    f"{type(inst).__name__}.{attribute.name}[{index}] must be {self.wanted}, "
                    f"got {_describe(item)}"
                )


def each(*types: type, wanted: str | None = None) -> Each:
    """Return a validator that checks the type of every item of a tuple field."""
    return Each(types, wanted or " or ".join(t.__name__ for t in types))


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert an iterable (not a string or a mapping) into a tuple; a tuple passes unchanged."""
    if value.__class__ is tuple:
        return value
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise SvamlTypeError(f"expected a sequence, got {_describe(value)}")
    return tuple(value)


def to_extras(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """Freeze the unknown fields kept from a stored document, held to the JSON policy.

    A value JSON cannot carry (a set, a datetime, NaN…) is refused with its place; a tuple or a
    Decimal is kept as the JSON it stands for (:func:`svaml._json.json_value`).
    """
    if not value:
        return NO_EXTRAS
    if not isinstance(value, Mapping):
        raise SvamlTypeError(f"extras must be a mapping, got {_describe(value)}")
    checked = json_value(value)
    if checked.unfit:
        places = "; ".join(f"{u.pointer}: {u.message}" for u in checked.unfit[:3])
        more = f" (and {len(checked.unfit) - 3} more)" if len(checked.unfit) > 3 else ""
        raise SvamlTypeError(f"extras must be JSON: {places}{more}")
    return MappingProxyType(dict(checked.value))


@attrs.frozen(kw_only=True)
class SvamlObject:
    """Base of every SVAML object: ``extras`` keeps the fields svaml does not know, so nothing is lost."""

    extras: Mapping[str, Any] = attrs.field(
        default=NO_EXTRAS, converter=to_extras, repr=False, hash=False
    )

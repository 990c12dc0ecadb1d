"""Tests of the generated ``__init__`` of the model classes: attrs' own results, errors and signature."""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml.model import _init
from svaml.model.actions import Menu
from svaml.strategies import from_model

CLASSES = sorted(_init.ATTRS_INIT, key=lambda cls: cls.__qualname__)

# Values of every JSON kind and a few Python ones: each field takes some and refuses the rest.
ODD_VALUES: list[Any] = [None, 0, -1, 1.5, True, "", "x", "+46701234567", [], (), ["x"], {}, {"a": 1}]


def _kwargs(obj: Any) -> dict[str, Any]:
    return {f.alias or f.name: getattr(obj, f.name) for f in attrs.fields(type(obj))}


def _outcome(make: Any) -> tuple[str, Any]:
    """What calling ``make`` gives: the object made, or the kind and message of its error."""
    try:
        return "made", make()
    except Exception as exc:  # the comparison is the point: any difference fails the test
        return type(exc).__name__, str(exc)


def _by_attrs(cls: type, kwargs: dict[str, Any]) -> Any:
    obj = object.__new__(cls)
    _init.ATTRS_INIT[cls](obj, **kwargs)
    return obj


def test_every_model_class_has_the_generated_init() -> None:
    """Each of svaml's slotted model classes got the generated __init__, none kept attrs' own."""
    ours = [cls for cls in _init.model_classes() if cls.__module__.startswith("svaml.")]
    expected = sorted(cls.__qualname__ for cls in ours)
    assert expected == [cls.__qualname__ for cls in CLASSES]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
def test_the_signature_is_attrs_own(cls: type) -> None:
    """The generated __init__ takes the same keywords, defaults and annotations as attrs' own."""
    expected = inspect.signature(_init.ATTRS_INIT[cls])
    assert expected == inspect.signature(cls.__init__)  # type: ignore[misc]


@given(st.data())
def test_it_makes_what_attrs_makes(data: st.DataObject) -> None:
    """For generated instances of every model class, both __init__s make equal objects with equal extras."""
    cls = data.draw(st.sampled_from(CLASSES))
    obj = data.draw(from_model(cls))
    kwargs = _kwargs(obj)
    expected = _by_attrs(cls, kwargs)
    actual = cls(**kwargs)
    assert (expected, expected.extras, type(expected.extras)) == (actual, actual.extras, type(actual.extras))


@given(st.data())
def test_it_refuses_what_attrs_refuses(data: st.DataObject) -> None:
    """A field set to a value of any kind succeeds, or fails with the same error, under both __init__s."""
    cls = data.draw(st.sampled_from(CLASSES))
    kwargs = _kwargs(data.draw(from_model(cls)))
    field = data.draw(st.sampled_from(attrs.fields(cls)))
    kwargs[field.alias or field.name] = data.draw(st.sampled_from(ODD_VALUES))
    expected = _outcome(lambda: _by_attrs(cls, kwargs))
    assert expected == _outcome(lambda: cls(**kwargs))


def test_defaults_and_factories_are_attrs_own() -> None:
    """With only the required fields, both __init__s fill the same defaults (the event name included)."""
    for cls in CLASSES:
        required = {f.alias or f.name: "main" for f in attrs.fields(cls) if f.default is attrs.NOTHING}
        expected = _outcome(lambda cls=cls, required=required: _by_attrs(cls, required))
        assert expected == _outcome(lambda cls=cls, required=required: cls(**required))


def test_disabled_validators_are_honoured() -> None:
    """With attrs' validators switched off, a wrongly typed field is accepted as attrs' own __init__ does."""
    with attrs.validators.disabled():
        menu = Menu(id=3)  # type: ignore[arg-type]
    expected = 3
    assert expected == menu.id

"""The strategies of svaml.strategies generate what they promise: clean documents and requests, and junk."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from svaml import Svaml, SvamlError, validate
from svaml.codec import unstructure
from svaml.diagnostic import Diagnostic
from svaml.model import (
    ACTIONS_ALLOWED,
    CALLOUT_CLASSES,
    INSTRUCTIONS_ALLOWED,
    Callback,
    CalloutRequest,
    CustomCallout,
    DestinationType,
    RunMenu,
    Say,
    TtsCallout,
)
from svaml.model.permissions import ALLOWED_IN
from svaml.schema import callout_schema, document_schema
from svaml.strategies import (
    actions,
    callout_requests,
    documents,
    from_model,
    instructions,
    json_values,
    menus,
    svaml_like,
)

#: Every callback that takes SVAML, and None (not known).
CALLBACKS: list[Callback | None] = [None, *(cb for cb in Callback if cb is not Callback.NOTIFY)]
SCHEMAS = {cb: jsonschema.Draft202012Validator(document_schema(cb)) for cb in CALLBACKS}
CALLOUT_SCHEMA = jsonschema.Draft202012Validator(callout_schema())
EVERY_NAME = frozenset({*ACTIONS_ALLOWED, *INSTRUCTIONS_ALLOWED})
callbacks = st.sampled_from(CALLBACKS)
documents_with_callback = callbacks.flatmap(lambda cb: st.tuples(st.just(cb), documents(cb)))


def described(found: list[Diagnostic]) -> list[str]:
    """Return each diagnostic as one line, for a readable failure."""
    return [f"{d.code} {d.pointer}: {d.message}" for d in found]


def allowed(callback: Callback | None) -> frozenset[str]:
    """Return the action and instruction names a callback allows (all of them when not known)."""
    return EVERY_NAME if callback is None else ALLOWED_IN[callback]


@given(documents_with_callback)
def test_documents_validate_clean(drawn: tuple[Callback | None, Svaml]) -> None:
    """A generated document has no diagnostic for its callback (objects or text) and fits the schema."""
    callback, doc = drawn
    text = doc.to_json()
    assert ([], [], True, callback) == (
        described(validate(doc, callback=callback)),
        described(validate(text, callback=callback)),
        SCHEMAS[callback].is_valid(json.loads(text)),
        doc.callback,
    )


@given(callbacks, st.data())
def test_instructions_and_actions_follow_the_callback(callback: Callback | None, data: st.DataObject) -> None:
    """An action and an instruction drawn for a callback are ones it allows."""
    names = {data.draw(actions(callback)).name}
    if callback is not Callback.DICE:
        names.add(data.draw(instructions(callback)).name)
    assert set() == names - allowed(callback)


@given(callout_requests())
def test_callout_requests_validate_clean(request: CalloutRequest) -> None:
    """A generated callout request has no diagnostic and fits the callout schema."""
    data = unstructure(request)
    expected: tuple[list[str], list[str], bool] = ([], [], True)
    assert expected == (
        described(validate(request)),
        described(validate(json.dumps(data))),
        CALLOUT_SCHEMA.is_valid(data),
    )


@given(callout_requests())
def test_callouts_keep_the_rules_across_fields(request: CalloutRequest) -> None:
    """TTS callouts have a cli; inline ICE comes without cli and destination; usernames ask for no ACE."""
    callout: Any = request.callout
    username = callout.destination is not None and callout.destination.type is DestinationType.USERNAME
    inline_ice = isinstance(callout, CustomCallout) and (callout.ice or "").startswith("{")
    asks_ace = callout.enable_ace or callout.enable_dice or getattr(callout, "ace", None)
    assert (request.method, False, False, False) == (
        type(callout).method,
        isinstance(callout, TtsCallout) and callout.cli is None,
        inline_ice and (callout.cli, callout.destination) != (None, None),
        username and bool(asks_ace),
    )


@given(menus())
def test_menus_are_consistent(run: RunMenu) -> None:
    """A generated runMenu has a main menu, unique ids and keys, and options that reach existing menus."""
    ids = [m.id for m in run.menus]
    targets = {o.action[5:-1] for m in run.menus for o in m.options if o.action.startswith("menu(")}
    unique_keys = all(len({o.dtmf for o in m.options}) == len(m.options) for m in run.menus)
    assert (True, len(ids), True, set(), []) == (
        "main" in ids,
        len(set(ids)),
        unique_keys,
        targets - set(ids),
        described(validate(Svaml(action=run))),
    )


def test_callbacks_without_svaml_are_refused() -> None:
    """Notify takes no SVAML and DiCE no instructions: asking for them raises, naming the callback."""
    with pytest.raises(SvamlError, match="Notify"):
        documents("notify")
    with pytest.raises(SvamlError, match="Notify"):
        actions(Callback.NOTIFY)
    with pytest.raises(SvamlError, match="DiCE"):
        instructions("dice")


@given(from_model(Say, text=st.just("Hello"), locale=st.none()))
def test_from_model_takes_field_overrides(say: Say) -> None:
    """Keyword strategies replace the strategy of those fields."""
    assert Say(text="Hello") == say


def test_from_model_refuses_unknown_fields() -> None:
    """An override for a field the class does not have is an error, not silently ignored."""
    with pytest.raises(SvamlError, match="Say has no field 'texts'"):
        from_model(Say, texts=st.just("Hello"))


@given(st.sampled_from(list(CALLOUT_CLASSES.values())), st.data())
def test_from_model_gives_instances_of_the_class(cls: type[Any], data: st.DataObject) -> None:
    """from_model(cls) draws instances of exactly that class."""
    assert cls is type(data.draw(from_model(cls)))


@given(st.one_of(svaml_like(), json_values()), st.sampled_from([None, *Callback]))
def test_validate_never_fails_on_junk(data: Any, callback: Callback | None) -> None:
    """Broken SVAML-like data and arbitrary JSON give registered diagnostics, never an internal error."""
    found = validate(data, callback=callback) + validate(json.dumps(data), callback=callback)
    internal = [d for d in found if d.code == "SV000" or not isinstance(d, Diagnostic)]
    expected: list[str] = []
    assert expected == described(internal)


@given(svaml_like())
def test_svaml_like_is_json_ready(data: Any) -> None:
    """svaml_like() generates JSON-ready data: it survives json.dumps and json.loads unchanged."""
    assert data == json.loads(json.dumps(data))


def test_import_without_hypothesis_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without hypothesis, importing svaml.strategies raises ImportError naming the extra to install."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "svaml.strategies")
    with pytest.raises(ImportError, match=r"pip install 'svaml\[testing\]'"):
        importlib.import_module("svaml.strategies")

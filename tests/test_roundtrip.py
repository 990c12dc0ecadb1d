"""Round trips: every generated document, model object and callout request reads back equal."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from svaml import Svaml, _json, codec, model
from svaml.model import Callback, CalloutRequest
from svaml.model._fields import SvamlObject
from svaml.strategies import callout_requests, documents, from_model

#: Every model class the package exports.
MODEL_CLASSES = sorted(
    (
        cls
        for cls in (getattr(model, name) for name in model.__all__)
        if isinstance(cls, type) and issubclass(cls, SvamlObject)
    ),
    key=lambda cls: cls.__name__,
)
CALLBACKS: list[Callback | None] = [None, *(cb for cb in Callback if cb is not Callback.NOTIFY)]

@given(st.sampled_from(CALLBACKS).flatmap(lambda cb: st.tuples(st.just(cb), documents(cb))))
def test_documents_round_trip(drawn: tuple[Callback | None, Svaml]) -> None:
    """from_dict(to_dict()) and from_json(to_json()), compact or indented, give the document back."""
    callback, doc = drawn
    again = Svaml.from_json(doc.to_json(), callback=callback)
    assert (doc, doc, doc, callback) == (
        Svaml.from_dict(doc.to_dict()),
        again,
        Svaml.from_json(doc.to_json(indent=2).encode()),
        again.callback,
    )


@given(st.sampled_from(MODEL_CLASSES), st.data())
def test_model_objects_round_trip(cls: type[Any], data: st.DataObject) -> None:
    """Every model class: structure(unstructure(obj)) gives an equal object of the same class."""
    obj = data.draw(from_model(cls))
    again = codec.structure(codec.unstructure(obj), cls)
    assert (obj, cls) == (again, type(again))


@given(callout_requests())
def test_callout_requests_round_trip(request: CalloutRequest) -> None:
    """A callout request reads back equal from its data and from its JSON text."""
    data = codec.unstructure(request)
    assert (request, request) == (
        codec.structure(data, CalloutRequest),
        codec.structure(_json.decode(_json.dumps(data)).value, CalloutRequest),
    )


def test_every_model_class_is_covered() -> None:
    """The round trip covers the documents, the actions, the instructions and the callouts."""
    names = {cls.__name__ for cls in MODEL_CLASSES}
    expected = {"Document", "CalloutRequest", "RunMenu", "MenuOption", "StartRecording", "TtsCallout"}
    assert set() == expected - names

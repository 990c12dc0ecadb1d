"""The one JSON policy through every input: validate, svaml lint, from_json, parse_event, REST answers."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sinch_server import KEY, SECRET, SinchServer, sinch_server_fixture  # noqa: F401 - the fixture

from svaml import Svaml, SvamlError, validate
from svaml.callbacks import parse_event
from svaml.cli import main
from svaml.client import VoiceClient
from svaml.errors import EventError, TransportError
from svaml.model import IceEvent
from svaml.strategies import documents, json_values

#: The start of a text for each input, so that every breach below sits on line 2.
SVAML = '{"action": {"name": "hangup"},\n  '
EVENT = '{"event": "ice", "callid": "c1",\n  '
ANSWER = '{"callId": "c1",\n  '
CALL = "/calling/v1/calls/id/c1"


class Case(NamedTuple):
    """One breach of the policy: the members that break it, what is reported and where."""

    members: str
    code: str
    message: str
    token: str  # the text the diagnostic points at
    occurrence: int = 0  # which occurrence of ``token``
    encoding: str = "utf-8"


CASES = {
    "nan": Case('"x": NaN', "SV001", "NaN is not allowed in JSON", "NaN"),
    "infinity": Case('"x": [1, Infinity]', "SV001", "Infinity is not allowed in JSON", "Infinity"),
    "minus-infinity": Case('"x": {"y": -Infinity}', "SV001", "-Infinity is not allowed in JSON", "-Inf"),
    "beyond-a-float": Case('"x": 1e999', "SV001", "the number 1e999 is too large to read", "1e999"),
    "long-integer": Case('"x": 1' + "0" * 5000, "SV001", "integer too long to read (more than 4300", "10"),
    "deep": Case('"x": ' + "[" * 100_000 + "]" * 100_000, "SV001", "nested too deeply", "[", 499),
    "repeated-key": Case('"x": 1, "y": 2, "x": 3', "SV104", "appears 2 times", '"x"', 1),
    "not-utf-8": Case('"x": "café"', "SV001", "not UTF-8: byte 0xE9 cannot be decoded", "é", 0, "latin-1"),
    "utf-16": Case('"x": 1', "SV001", "UTF-16 or UTF-32", "{", 0, "utf-16"),
    "utf-16-without-bom": Case('"x": 1', "SV001", "UTF-16 or UTF-32", "{", 0, "utf-16-le"),
    "utf-32": Case('"x": 1', "SV001", "UTF-16 or UTF-32", "{", 0, "utf-32"),
}
TEXT_CASES = {name: case for name, case in CASES.items() if case.encoding == "utf-8"}


def _text(head: str, case: Case) -> str:
    return head + case.members + "\n}"


def _bytes(head: str, case: Case) -> bytes:
    return _text(head, case).encode(case.encoding)


def _where(head: str, case: Case) -> tuple[int, int]:
    """The 1-based line and column of the case's token in its text (1:1 for UTF-16 and UTF-32)."""
    if case.encoding.startswith("utf-") and case.encoding != "utf-8":
        return 1, 1
    text = _text(head, case)
    offset = -1
    for _ in range(case.occurrence + 1):
        offset = text.index(case.token, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _found(diagnostics: Any, code: str) -> tuple[str, int | None, int | None, str]:
    """The first diagnostic of ``code``: code, line, column and message."""
    d = next(d for d in diagnostics if d.code == code)
    return d.code, d.line, d.column, d.message


def _expected(head: str, case: Case) -> tuple[str, int, int, bool]:
    return (case.code, *_where(head, case), True)


@pytest.mark.parametrize("case", TEXT_CASES.values(), ids=list(TEXT_CASES))
def test_validate_on_text_reports_each_breach_at_its_place(case: Case) -> None:
    """validate() on text reports every breach of the policy with its rule code, line and column."""
    code, line, column, message = _found(validate(_text(SVAML, case)), case.code)
    assert _expected(SVAML, case) == (code, line, column, case.message in message)


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_validate_on_bytes_reports_each_breach_at_its_place(case: Case) -> None:
    """validate() on bytes reports every breach of the policy, encodings included, at its place."""
    code, line, column, message = _found(validate(_bytes(SVAML, case)), case.code)
    assert _expected(SVAML, case) == (code, line, column, case.message in message)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory, away from the project's configuration."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_lint_reports_each_breach_in_a_file(
    case: Case, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The linter, on a real file, reports every breach of the policy with its code, row and column."""
    (in_tmp / "a.json").write_bytes(_bytes(SVAML, case))
    status = main(["lint", "--output-format", "json", "a.json"])
    items = json.loads(capsys.readouterr().out)
    found = next(i for i in items if i["code"] == case.code)
    actual = (status, found["code"], found["location"]["row"], found["location"]["column"])
    assert (1, *_where(SVAML, case), True) == (actual[0], *actual[2:], case.message in found["message"])
    assert case.code == actual[1]


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_from_json_refuses_each_breach_with_its_diagnostic(case: Case) -> None:
    """Svaml.from_json raises SvamlError carrying the breach's diagnostic, never a raw json error."""
    with pytest.raises(SvamlError) as caught:
        Svaml.from_json(_bytes(SVAML, case))
    code, line, column, message = _found(caught.value.problems, case.code)
    assert _expected(SVAML, case) == (code, line, column, case.message in message)


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_parse_event_refuses_each_breach_with_an_event_error(case: Case) -> None:
    """parse_event on a body that breaks the policy raises EventError carrying the diagnostic."""
    with pytest.raises(EventError) as caught:
        parse_event(_bytes(EVENT, case))
    code, line, column, message = _found(caught.value.problems, case.code)
    assert _expected(EVENT, case) == (code, line, column, case.message in message)


@pytest.fixture
def client(sinch_server: SinchServer) -> Iterator[VoiceClient]:
    """A client of the local Sinch server."""
    with VoiceClient(KEY, SECRET, base_url=sinch_server.url, timeout=(10.0, 10.0), backoff=0.01) as made:
        yield made


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_a_rest_answer_that_breaks_the_policy_is_a_transport_error(
    case: Case, client: VoiceClient, sinch_server: SinchServer
) -> None:
    """A REST answer that breaks the policy raises TransportError saying why and where."""
    sinch_server.error(CALL, 200, body=_bytes(ANSWER, case))
    with pytest.raises(TransportError) as caught:
        client.get_call("c1")
    line, column = _where(ANSWER, case)
    message = str(caught.value)
    expected = (True, True)
    assert expected == (f"{line}:{column}" in message, case.message.split(" (")[0] in message)


def test_a_repeated_key_is_reported_at_the_repeat_naming_every_occurrence() -> None:
    """A repeated key is reported where it repeats, and the message gives each occurrence's place."""
    text = '{"action": {"name": "hangup"},\n "x": 1,\n "x": 2, "x": 3}'
    expected = [("SV104", "/x", 3, 2, "key 'x' appears 3 times in this object (at 2:2, 3:2 and 3:10)")]
    found = validate(text)
    assert expected == [
        (d.code, d.pointer, d.line, d.column, d.message.split(";")[0]) for d in found if d.code == "SV104"
    ]


def test_a_second_action_is_sv103_with_both_places() -> None:
    """A second ``action`` is SV103, located at the second, naming both; the last one is the one read."""
    text = '{\n  "action": {"name": "continue"},\n  "action": {"name": "hangup"}\n}'
    expected = [("SV103", 3, 3, "'action' appears 2 times (at 2:3 and 3:3)")]
    assert expected == [(d.code, d.line, d.column, d.message.split(";")[0]) for d in validate(text)]
    with pytest.raises(SvamlError) as caught:
        Svaml.from_json(text)
    assert [d.code for d in caught.value.problems] == ["SV103"]


def test_repeated_keys_deep_inside_are_reported_in_text_order() -> None:
    """Keys repeated inside arrays and objects are reported at their own pointers, in text order."""
    text = '{"action": {"name": "hangup"}, "a": 1, "b": {"x": [1, {"y": 1, "y": 2}]}, "a": 3}'
    expected = [("SV104", "/b/x/1/y"), ("SV104", "/a")]
    assert expected == [(d.code, d.pointer) for d in validate(text) if d.code == "SV104"]


SVAML_DOC = '{"action": {"name": "hangup"}}'
EVENT_BODY = '{"event": "ice", "callid": "c1"}'


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", "\ufeff"], ids=["bytes", "text"])
def test_a_byte_order_mark_is_accepted_by_every_input(
    bom: bytes | str, client: VoiceClient, sinch_server: SinchServer
) -> None:
    """UTF-8 with a byte order mark reads as without one, through every input."""

    def with_bom(text: str) -> Any:
        return bom + (text.encode() if isinstance(bom, bytes) else text)  # type: ignore[operator]

    sinch_server.error(CALL, 200, body=("\ufeff" + '{"callId": "c1"}').encode())
    expected = ([], Svaml().hangup(), IceEvent(call_id="c1"), "c1")
    assert expected == (
        validate(with_bom(SVAML_DOC)),
        Svaml.from_json(with_bom(SVAML_DOC)),
        parse_event(with_bom(EVENT_BODY)),
        client.get_call("c1").call_id,
    )


def test_lint_reads_a_file_with_a_byte_order_mark(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The linter reads a UTF-8 file with a byte order mark as one without."""
    (in_tmp / "a.json").write_bytes(b"\xef\xbb\xbf" + SVAML_DOC.encode())
    expected = (0, [])
    status = main(["lint", "--output-format", "json", "a.json"])
    assert expected == (status, json.loads(capsys.readouterr().out))


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "empty document: expected a JSON value", 1, 1),
        ("  \n ", "empty document: expected a JSON value", 2, 2),
        ('{"a": 1,}', "trailing comma: remove the ',' before this", 1, 9),
        ("[1,\n 2,\n]", "trailing comma: remove the ',' before this", 3, 1),
        ("{'a': 1}", "expected a property name in double quotes", 1, 2),
        ('{"a" 1}', "expecting ':' delimiter", 1, 6),
        ("[1 2]", "expecting ',' delimiter", 1, 4),
        ("{} {}", "extra data after the JSON value (a document holds exactly one value)", 1, 4),
        ('"abc', "unterminated string", 1, 1),
        ("[tru]", "expected a JSON value", 1, 2),
        ('{"a": "x\ny"}', "invalid control character in a string (write newlines and tabs as \\n", 1, 9),
    ],
)
def test_syntax_errors_are_one_sv001_in_plain_words(text: str, message: str, line: int, column: int) -> None:
    """Every kind of syntax error is one SV001 in plain words, at its line and column."""
    expected = [("SV001", True, line, column)]
    found = validate(text)
    prefix = f"invalid JSON: {message}"
    assert expected == [(d.code, d.message.startswith(prefix), d.line, d.column) for d in found]


def test_a_huge_string_is_read_quickly() -> None:
    """A document holding a 20-million-character string is checked in well under two seconds (no limit)."""
    started = time.perf_counter()
    found = validate('{"action": {"name": "hangup"}, "x": "' + "x" * 20_000_000 + '"}', max_bytes=None)
    expected = (["SV007"], True)
    assert expected == ([d.code for d in found], time.perf_counter() - started < 2)


def test_non_text_is_a_type_error_not_a_decoding_problem() -> None:
    """from_json on something that is neither str nor bytes raises SvamlTypeError."""
    with pytest.raises(TypeError, match="expected JSON text"):
        Svaml.from_json(3)  # type: ignore[arg-type]


class _Refused(Exception):
    """What the reference reader below refuses beyond json.loads' own errors."""


def _refuse(token: str) -> Any:
    raise _Refused(token)


def _finite(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _Refused(token)
    return value


def _policy_accepts(data: str | bytes) -> bool:
    """The policy, written from its description: UTF-8 (BOM allowed), no NaN/Infinity, then json.loads."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    text = data[1:] if data.startswith("\ufeff") else data
    try:
        json.loads(text, parse_constant=_refuse, parse_float=_finite)
    except (ValueError, RecursionError, _Refused):
        return False
    return True


_OBJECT_TEXTS = st.dictionaries(st.text(max_size=6), json_values(max_leaves=8), max_size=4).map(json.dumps)
_TAILS = st.sampled_from(["", " ", "\n\t\r ", " x", "}", "\x0c", "\u00a0", "\ud800", '"', " NaN", "1e999"])
_JSON_TEXTS = st.one_of(
    st.tuples(st.sampled_from(["", " ", "\ufeff"]), _OBJECT_TEXTS, _TAILS).map("".join),
    st.text(max_size=30).map(lambda text: "{" + text),
)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1"])


def _encode(text_and_encoding: tuple[str, str]) -> bytes:
    """Encode text as a sender might: lone surrogates kept in the UTFs, replaced in Latin-1."""
    text, encoding = text_and_encoding
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        _JSON_TEXTS,
        st.tuples(_JSON_TEXTS, _ENCODINGS).map(_encode),
        st.binary(max_size=40),
        st.binary(max_size=40).map(lambda data: b"{" + data),
    )
)
def test_every_input_accepts_exactly_what_the_policy_accepts(data: str | bytes) -> None:
    """For any text or bytes, validate says SV001 exactly when the policy refuses, and from_json agrees."""
    accepted = _policy_accepts(data)
    found = validate(data)
    refused: Callable[[], object] = lambda: Svaml.from_json(data)  # noqa: E731
    try:
        refused()
        from_json = "read"
    except SvamlError as exc:
        from_json = "SV001" if any(d.code == "SV001" for d in exc.problems) else "other"
    assert (not accepted, not accepted) == (
        any(d.code == "SV001" for d in found),
        from_json == "SV001",
    )


@settings(max_examples=50, deadline=None)
@given(documents())
def test_to_json_writes_what_json_writes(doc: Svaml) -> None:
    """A document's JSON is exactly what a compact json encoder writes of its data, and reads back."""
    data = doc.to_dict(check=False)
    expected = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    assert (expected, json.dumps(data, indent=2, ensure_ascii=False)) == (
        doc.to_json(check=False),
        doc.to_json(check=False, indent=2),
    )

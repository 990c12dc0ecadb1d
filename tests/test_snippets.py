"""Snippets for docs: each printed form is read back by a real consumer (json, Python, bash and curl, dot)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from svaml import Svaml, SvamlError, codec
from svaml.cli import main
from svaml.model import (
    ACTION_CLASSES,
    CALLOUT_CLASSES,
    INSTRUCTION_CLASSES,
    Callback,
    CalloutRequest,
    CustomCallout,
    Document,
    Menu,
    MenuOption,
    TtsCallout,
    callout_request,
)
from svaml.model.permissions import ALLOWED_IN
from svaml.rules._validate import is_callout
from svaml.snippets import (
    PageError,
    canonical,
    describe,
    dot,
    load,
    mermaid,
    read_text,
    render,
    sync,
    sync_text,
    to_curl,
    to_json,
    to_python,
)
from svaml.snippets._describe import SENTENCES
from svaml.snippets._pages import read_marker
from svaml.strategies import callout_requests, documents

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "corpus"
EXAMPLES = ROOT / "examples"


def built(code: str, name: str) -> Any:
    """Compile and execute printed Python code; return the value it binds to ``name``."""
    namespace: dict[str, Any] = {"__name__": "__snippet__"}
    exec(compile(code, "<snippet>", "exec"), namespace)
    return namespace[name]


def corpus_values() -> list[tuple[str, Svaml | CalloutRequest]]:
    """Every corpus document that reads into the model, with the callback its name says when it fits."""
    found = []
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            data = json.loads(path.read_bytes())
        except ValueError:
            continue
        target: Any = CalloutRequest if is_callout(data) else Document
        value = codec.read(data, target).value
        if value is None:
            continue
        if isinstance(value, Document):
            parts = [*value.instructions, *([value.action] if value.action else [])]
            callback = path.name.split(".")[-2] if path.name.count(".") == 2 else None
            fits = callback is not None and all(p.name in ALLOWED_IN[Callback(callback)] for p in parts)
            value = Svaml(
                instructions=value.instructions,
                action=value.action,
                extras=value.extras,
                callback=callback if fits else None,
            )
        found.append((str(path.relative_to(CORPUS)), value))
    return found


CORPUS_VALUES = corpus_values()


# -- Python ---------------------------------------------------------------------------------------


@given(st.sampled_from([c for c in Callback if c is not Callback.NOTIFY] + [None]).flatmap(documents))
def test_python_round_trip_of_documents(document: Svaml) -> None:
    """Executing the Python code printed for any document the strategies make gives back an equal document."""
    assert document == built(to_python(document), "document")


@given(callout_requests())
def test_python_round_trip_of_callout_requests(request: CalloutRequest) -> None:
    """Executing the Python code printed for any callout request gives back an equal request."""
    assert request == built(to_python(request), "request")


def test_python_round_trip_of_the_corpus() -> None:
    """Every document and callout request of the corpus that svaml reads comes back equal from its code."""
    assert len(CORPUS_VALUES) > 40
    failed = [
        name for name, value in CORPUS_VALUES if built(to_python(value, name="value"), "value") != value
    ]
    expected: list[str] = []
    assert expected == failed


def test_python_code_reads_like_the_builder() -> None:
    """The code uses the builder's steps, positional first parameters and the converters' short forms."""
    document = (
        Svaml.ice()
        .say("Hi", locale="en-US")
        .connect_sip("alice@example.com", call_headers={"X-Ref": "42"}, transport="tls")
    )
    expected = (
        "from svaml import Svaml\n\n"
        "document = (\n"
        "    Svaml.ice()\n"
        '    .say("Hi", locale="en-US")\n'
        '    .connect_sip("alice@example.com", transport="TLS", call_headers={"X-Ref": "42"})\n'
        ")\n"
    )
    assert expected == to_python(document)


def test_python_keeps_unknown_fields_through_the_generic_steps() -> None:
    """A field svaml does not know, on an object whose step cannot take it, goes through with_instruction."""
    document = Svaml.from_dict(
        {"instructions": [{"name": "playFiles", "ids": ["a"], "volume": 3}]}, callback="ice"
    )
    code = to_python(document)
    assert "with_instruction(PlayFiles(" in code
    assert document == built(code, "document")


def test_python_writes_inline_svaml_of_a_custom_callout_with_the_builder() -> None:
    """Inline ICE SVAML that svaml writes back unchanged is printed as builder code ending in to_json()."""
    ice = Svaml.ice().connect_pstn("+46701234567", cli="+46701111111").to_json()
    request = callout_request(CustomCallout(ice=ice, ace="https://example.com/ace"))
    code = to_python(request)
    assert ".to_json()" in code
    assert request == built(code, "request")


# -- JSON -----------------------------------------------------------------------------------------


def _key_orders(data: Any, path: str = "") -> Iterator[tuple[str, list[str]]]:
    if isinstance(data, dict):
        yield path, list(data)
        for key, value in data.items():
            yield from _key_orders(value, f"{path}/{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _key_orders(value, f"{path}/{index}")


@given(st.one_of(documents(), callout_requests()))
def test_json_is_canonical_and_reads_back(value: Svaml | CalloutRequest) -> None:
    """The JSON reads back equal; a name comes first, and a destination's type before its endpoint."""
    text = to_json(value)
    data = json.loads(text)
    assert codec.unstructure(value) == data
    back = read_text(text)
    assert value == back
    for path, keys in _key_orders(data):
        if "name" in keys:
            assert keys[0] == "name", path
        if {"type", "endpoint"} <= set(keys):
            assert keys.index("type") < keys.index("endpoint"), path


def test_json_writes_a_destination_type_first_as_sinch_does() -> None:
    """Sinch's callout examples write a destination's type before its endpoint; so does the JSON."""
    request = callout_request(TtsCallout("+46701234567", cli="+46700000000", text="Hello", locale="en-US"))
    expected = {
        "method": "ttsCallout",
        "ttsCallout": {
            "cli": "+46700000000",
            "destination": {"type": "number", "endpoint": "+46701234567"},
            "locale": "en-US",
            "text": "Hello",
        },
    }
    assert list(expected["ttsCallout"]["destination"]) == list(
        canonical(request)["ttsCallout"]["destination"]
    )
    assert json.dumps(expected, indent=2) + "\n" == to_json(request)


# -- curl -----------------------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.command, self.path, dict(self.headers.items()), body))
        payload = b'{"callId":"abc"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PATCH = _answer

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, dict[str, str], bytes]]]]:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""
    _Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash"
)
def test_curl_sends_the_document_with_credentials_from_the_environment(
    recorder: tuple[str, list[tuple[str, str, dict[str, str], bytes]]],
) -> None:
    """Bash runs the printed commands; the server gets each method, path, Basic credentials and body."""
    url, received = recorder
    secret = "c2VjcmV0LXNlY3JldA=="
    values: list[Svaml | CalloutRequest] = [
        callout_request(
            TtsCallout("+46701234567", cli="+46700000000", text="It's 5 o'clock", locale="en-US")
        ),
        Svaml.patch()
        .say("Please hold", locale="en-US")
        .park(hold_prompt="#tts[Still here]", max_duration=60),
        Svaml.call_leg().play_files("#tts[Hello]", locale="en-US").continue_(),
    ]
    script = "set -e\n" + "".join(to_curl(v, base_url=url, leg="callee") + "echo\n" for v in values)
    assert secret not in script
    env = {
        **os.environ,
        "SINCH_APPLICATION_KEY": "key-1",
        "SINCH_APPLICATION_SECRET": secret,
        "CALL_ID": "c-9",
    }
    subprocess.run(["bash", "-c", script], env=env, check=True, capture_output=True, timeout=60)
    auth = "Basic " + base64.b64encode(f"key-1:{secret}".encode()).decode()
    expected = [
        ("POST", "/calling/v1/callouts", auth, codec.unstructure(values[0])),
        ("PATCH", "/calling/v1/calls/id/c-9", auth, codec.unstructure(values[1])),
        ("PATCH", "/calling/v1/calls/id/c-9/leg/callee", auth, codec.unstructure(values[2])),
    ]
    assert expected == [(m, p, h["Authorization"], json.loads(b)) for m, p, h, b in received]


def test_curl_refuses_a_callback_response() -> None:
    """An ICE response is not a request one sends: curl says so and what it renders instead."""
    with pytest.raises(SvamlError, match="not a request you send"):
        to_curl(Svaml.ice().hangup())


# -- describe -------------------------------------------------------------------------------------


def test_every_instruction_action_and_callout_has_a_sentence() -> None:
    """Describe has words for every class of the model's tables, so none is ever left unsaid."""
    classes = {*INSTRUCTION_CLASSES.values(), *ACTION_CLASSES.values(), *CALLOUT_CLASSES.values()}
    assert set() == classes - set(SENTENCES)


def test_describe_an_ivr() -> None:
    """An IVR is told step by step, with each menu's keys, timeout, repeats and unreachable menus."""
    document = (
        Svaml.ice()
        .answer()
        .say("Welcome to Example")
        .run_menu(
            Menu(
                id="main",
                main_prompt="#tts[Press 1 for sales, 2 for support]",
                repeats=3,
                options=[
                    MenuOption(dtmf="1", action="return(sales)"),
                    MenuOption(dtmf="2", action="menu(help)"),
                ],
            ),
            Menu(id="support", main_prompt="#tts[Support]"),
            locale="en-US",
        )
    )
    expected = (
        'As an ICE response: answers the call, says "Welcome to Example", then runs an IVR menu in en-US.\n'
        "  Menu main (plays first): plays \"Press 1 for sales, 2 for support\"; 1 returns 'sales' to the "
        "application (PIE); 2 goes to menu help, which does not exist; after 5 s (Sinch's default) without "
        "input, or on another key, it plays the prompt again, up to 3 times.\n"
        '  Menu support (never reached: no option leads to it): plays "Support"; after 5 s '
        "(Sinch's default) without input, or on another key, it plays the prompt again.\n"
    )
    assert expected == describe(document)


@given(st.one_of(documents(), callout_requests()))
def test_describe_says_something_of_anything(value: Svaml | CalloutRequest) -> None:
    """Every document and request the strategies make gets a description ending in a newline."""
    text = describe(value)
    assert text.endswith("\n")
    assert len(text.strip()) > 0


# -- diagrams -------------------------------------------------------------------------------------

_MARKED = (
    Svaml.ice()
    .say("Hi")
    .run_menu(
        Menu(
            id="main",
            main_prompt='#tts[Say "yes" & press <1>]',
            options=[MenuOption(dtmf="1", action="menu(gone)")],
        ),
        Menu(id="orphan", max_digits=4, timeout_mills=3000),
    )
)


def test_mermaid_marks_unreachable_menus_and_missing_targets() -> None:
    """Every arrow joins declared nodes; the orphan menu is classed unreachable and menu(gone) missing."""
    text = mermaid(_MARKED)
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart TD"
    declared = {
        line.split("[")[0].split("{")[0].split("(")[0]
        for line in lines[1:]
        if "-->" not in line and "-.->" not in line and not line.startswith(("class", "classDef"))
    }
    arrows = [line for line in lines if "-->" in line or "-.->" in line]
    ends = {word for line in arrows for word in (line.split()[0], line.split()[-1])}
    assert set() == ends - declared
    assert "class m1 unreachable" in lines
    assert any(line.startswith("class x") and line.endswith(" missing") for line in lines)
    assert '"' not in text.split('{{"menu main')[1].split('"}}')[0].replace("#quot;", "")


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
def test_graphviz_renders_the_dot_to_svg() -> None:
    """Dot reads the DOT of several documents and draws each step, and the unreachable and missing menus."""
    documents_ = [
        _MARKED,
        built(to_python(load("ivr_menu.py:ivr_menu", base=EXAMPLES)), "document"),
        Svaml.patch().hangup(),
    ]
    for document in documents_:
        text = dot(document)
        done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
        expected = (0, "")
        assert expected == (done.returncode, done.stderr)
        svg = ET.fromstring(done.stdout)
        titles = {e.text for e in svg.iter("{http://www.w3.org/2000/svg}title")}
        parts = len(document.instructions) + 1
        assert {"start", *(f"s{i}" for i in range(parts))} <= titles
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot(_MARKED), capture_output=True, text=True, timeout=60)
    words = {e.text for e in ET.fromstring(drawn.stdout).iter("{http://www.w3.org/2000/svg}text")}
    assert {"(unreachable)", "(missing)", "menu gone", "menu orphan"} <= words


# -- sources --------------------------------------------------------------------------------------


def test_load_reads_python_functions_modules_and_json_files() -> None:
    """A function in a .py file and a JSON file with a callback suffix: one document, the right callback."""
    from_python = load("ivr_menu.py:ivr_menu", base=EXAMPLES)
    from_json = load("ivr_menu.ice.json", base=EXAMPLES)
    assert (from_python, Callback.ICE) == (from_json, from_json.callback)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.py:x", "no such file"),
        ("ivr_menu.py:nothing", "has no attribute 'nothing'"),
        ("ivr_menu.py:__doc__", "is a str; expected a Svaml document"),
        ("missing.json", "cannot read it"),
        ("no_such_module_xyz:thing", "cannot import no_such_module_xyz"),
    ],
)
def test_load_says_what_is_wrong(source: str, message: str) -> None:
    """A source that cannot be read raises SvamlError naming it and why."""
    with pytest.raises(SvamlError, match=message):
        load(source, base=EXAMPLES)


# -- the command line -----------------------------------------------------------------------------


def test_render_checks_the_document_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A document with errors prints its diagnostics, with line and column, and exits 1 printing nothing."""
    page = tmp_path / "bad.ace.json"
    page.write_text('{"instructions": [{"name": "answer"}], "action": {"name": "hangup"}}', encoding="utf-8")
    assert main(["render", str(page), "--as", "python"]) == 1
    out, err = capsys.readouterr()
    expected = ("", True)
    assert expected == (out, f"{page}:1:28: /instructions/0/name: error:" in err)


def test_render_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml render - --callback ice --as json` prints the canonical JSON of what it reads."""
    import io

    raw = b'{"action": {"endpoint": "x", "name": "connectSip", '
    raw += b'"destination": {"endpoint": "a@b", "type": "sip"}}}'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["render", "-", "--callback", "ice"]) == 0
    out = capsys.readouterr().out
    expected = ["name", "destination", "endpoint"]
    assert expected == list(json.loads(out)["action"])


def test_render_says_when_a_form_cannot_express_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    """as=node of a call update exits 2 saying @sinch/voice has no builder for it."""
    status = main(["render", str(EXAMPLES / "ivr_menu.ice.json"), "--callback", "patch", "--as", "node"])
    err = capsys.readouterr().err
    expected = (1, True)
    assert expected == (status, "not allowed" in err)
    pstn = str(EXAMPLES / "pstn_forward.ice.json")
    assert main(["render", pstn, "--as", "curl"]) == 2
    assert "not a request you send" in capsys.readouterr().err


def test_diagram_writes_svg(tmp_path: Path) -> None:
    """`svaml diagram --as svg -o FILE` writes an SVG document (where Graphviz is installed)."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = tmp_path / "ivr.svg"
    assert main(["diagram", str(EXAMPLES / "ivr_menu.ice.json"), "--as", "svg", "-o", str(out)]) == 0
    assert ET.parse(out).getroot().tag.rpartition("}")[2] == "svg"


# -- docs sync ------------------------------------------------------------------------------------


def test_markers_are_told_from_the_linters_comments() -> None:
    """A verb starts a snippet marker; the linter's `callback=ice` and `ignore[…]` comments are none."""
    assert None is read_marker("<!-- svaml: callback=ice -->", 1)
    assert None is read_marker("<!-- svaml: ignore[SV401] -->", 1)
    marker = read_marker("<!-- svaml: render x.py:y as=python callback=ice -->", 3)
    assert marker is not None
    expected = ("render", "x.py:y", {"as": "python", "callback": "ice"}, 3)
    assert expected == tuple(marker)
    with pytest.raises(PageError, match="line 4: `describe` takes callback"):
        read_marker("<!-- svaml: describe x.json as=json -->", 4)
    with pytest.raises(PageError, match="line 5: `diagram as=svg`; expected one of mermaid, dot"):
        read_marker("<!-- svaml: diagram x.json as=svg -->", 5)
    with pytest.raises(PageError, match="line 6: `render as=json` does not take name="):
        read_marker("<!-- svaml: render x.json name=doc -->", 6)


def test_the_linter_leaves_snippet_markers_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml lint` reads a page with snippet markers without an SV011: the markers are not its comments."""
    status = main(["lint", "--isolated", str(ROOT / "docs" / "snippets.md")])
    expected = (0, "")
    codes = [line for line in capsys.readouterr().out.splitlines() if "SV0" in line]
    assert expected == (status, "".join(codes))


def test_sync_makes_blocks_and_check_shows_the_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stale page fails --check with a diff; sync rewrites it; then --check passes and nothing changes."""
    (tmp_path / "flow.py").write_text(
        "from svaml import Svaml\n\ndef flow():\n    return Svaml.ice().say('Hi', locale='en-US').hangup()\n",
        encoding="utf-8",
    )
    page = tmp_path / "page.md"
    page.write_text(
        "# Flow\n\n<!-- svaml: render flow.py:flow as=python -->\n```python\nold\n```\n\n"
        "<!-- svaml: describe flow.py:flow -->\n\n```text\nkept\n```\n",
        encoding="utf-8",
    )
    before = page.read_text(encoding="utf-8")
    assert main(["docs", "sync", "--check", str(page)]) == 1
    out = capsys.readouterr().out
    assert (True, before) == (
        "-old" in out and '+document = Svaml.ice().say("Hi", locale="en-US").hangup()' in out,
        page.read_text(encoding="utf-8"),
    )
    assert main(["docs", "sync", str(page)]) == 0
    after = page.read_text(encoding="utf-8")
    expected = (
        "# Flow\n\n<!-- svaml: render flow.py:flow as=python -->\n```python\nfrom svaml import Svaml\n\n"
        'document = Svaml.ice().say("Hi", locale="en-US").hangup()\n```\n\n'
        "<!-- svaml: describe flow.py:flow -->\n"
        '```text\nAs an ICE response: says "Hi" in en-US, then hangs up.\n'
        "```\n\n```text\nkept\n```\n"
    )
    assert expected == after
    assert main(["docs", "sync", "--check", str(page)]) == 0
    assert (after, "") == (page.read_text(encoding="utf-8"), capsys.readouterr().out)


def test_sync_reports_a_broken_marker_and_keeps_the_block(tmp_path: Path) -> None:
    """A marker whose source is invalid leaves its block as it was and names the page and line."""
    text = "<!-- svaml: render nothing.json -->\n```json\n{}\n```\n"
    result = sync_text(text, tmp_path, where="p.md")
    assert (text, 1) == (result.text, len(result.problems))
    assert result.problems[0].startswith("p.md:1: nothing.json: cannot read it")


def test_markers_inside_fenced_blocks_are_examples_not_markers(tmp_path: Path) -> None:
    """A marker shown inside a fenced block (as the docs show the syntax) is left alone."""
    text = "````markdown\n<!-- svaml: render nothing.json -->\n```json\n{}\n```\n````\n"
    assert (text, 0, []) == tuple(sync_text(text, tmp_path))[:3]


def test_the_projects_own_docs_are_in_sync(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml docs sync --check` over README.md and docs/ passes: no marked snippet has drifted."""
    pages = [str(ROOT / "README.md"), str(ROOT / "docs")]
    status = main(["docs", "sync", "--check", *pages])
    expected = (0, "")
    assert expected == (status, capsys.readouterr().out)
    result, diff = sync(ROOT / "docs" / "snippets.md", write=False)
    current = (True, "")
    assert current == (result.markers >= 8, diff)


def test_render_forms_are_the_documented_ones() -> None:
    """Render takes json, curl, python and node, and refuses another form by name."""
    with pytest.raises(SvamlError, match="expected one of json, curl, python, node"):
        render(Svaml.ice().hangup(), "yaml")


# -- what a new user gets wrong -------------------------------------------------------------------


def test_render_of_a_document_that_does_not_read_says_where_and_suggests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt required field is one SV003, located on the misspelt key and saying so."""
    page = tmp_path / "say.json"
    page.write_text('{"action": {"name": "hangup"}, "instructions": [{"name": "say", "txt": "Hi"}]}')
    status = main(["render", str(page)])
    expected = [
        f"svaml: error: {page}: cannot read a SVAML document",
        f"{page}:1:65: /instructions/0/txt: error: missing required field 'text': 'txt' looks like it, "
        "misspelt [SV003]",
    ]
    assert (1, expected) == (status, capsys.readouterr().err.splitlines())


def test_render_of_an_invalid_document_shows_its_warnings_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document with errors prints every diagnostic, so the did-you-mean of a misspelt field shows."""
    page = tmp_path / "pstn.ice.json"
    page.write_text('{"action": {"name": "connectPstn", "number": "46701234567", "dialtimeout": 5}}')
    assert main(["render", str(page)]) == 1
    expected = ["[SV401]", "[SV007]"]
    assert expected == [line.rsplit(" ", 1)[-1] for line in capsys.readouterr().err.splitlines()[1:]]


def test_render_of_a_callout_that_does_not_read_names_it_in_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A callout request that does not read is called one (not CalloutRequest), its problem located."""
    import io

    raw = b'{"method": "ttsCallout", "ttsCallout": {"destination": {"type": "number", "endpoint": 4}}}'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    status = main(["render", "-"])
    expected = [
        "svaml: error: <stdin>: cannot read a callout request",
        "<stdin>:1:87: /ttsCallout/destination/endpoint: error: expected a string, got integer [SV002]",
    ]
    assert (1, expected) == (status, capsys.readouterr().err.splitlines())


def test_render_of_a_python_file_without_a_name_says_to_name_one(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml render ivr_menu.py` (the `:name` forgotten) exits 2 saying how to name the document."""
    source = str(EXAMPLES / "ivr_menu.py")
    status = main(["render", source])
    expected = f"svaml: error: {source} is a Python file: name the document in it, {source}:NAME\n"
    assert (2, expected) == (status, capsys.readouterr().err)


def test_sync_says_where_each_problem_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Problems of a page are `page:line:` each, and a JSON source's diagnostics carry its line and column."""
    (tmp_path / "bad.ice.json").write_text('{"action": {"name": "connectPstn", "number": "46701234567"}}')
    page = tmp_path / "page.md"
    page.write_text(
        "# Flows\n\n<!-- svaml: render bad.ice.json as=jsn -->\n```json\n```\n\n"
        "<!-- svaml: render bad.ice.json -->\n```json\n```\n"
    )
    assert main(["docs", "sync", "--check", str(page)]) == 1
    number = "number '46701234567' has no leading '+' (Sinch error 40005 NumberMissingLeadingPlus)"
    expected = [
        f"svaml: error: {page}:3: `render as=jsn`; expected one of json, curl, python, node",
        f"svaml: error: {page}:7: bad.ice.json is not valid as an ICE response",
        f"    {tmp_path / 'bad.ice.json'}:1:46: /action/number: error: {number}: write '+46701234567' "
        "if the digits start with the country code [SV401]",
    ]
    assert expected == capsys.readouterr().err.splitlines()


def test_a_misspelt_verb_is_reported_by_sync_and_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`<!-- svaml: rendr … -->` or `Render` would leave a block stale silently: both commands say so."""
    page = tmp_path / "page.md"
    stale = '```json\n{"action": {"name": "hangup"}}\n```\n'
    page.write_text(f"<!-- svaml: rendr flow.json -->\n{stale}\n<!-- svaml: Render flow.json -->\n{stale}")
    before = page.read_text()
    assert main(["docs", "sync", str(page)]) == 1
    expected = [
        f"svaml: error: {page}:1: unknown verb 'rendr'; did you mean 'render'?",
        f"svaml: error: {page}:6: unknown verb 'Render'; did you mean 'render'?",
    ]
    assert (expected, before) == (capsys.readouterr().err.splitlines(), page.read_text())
    assert main(["lint", "--isolated", "--output-format", "concise", "-q", str(page)]) == 1
    slip = (
        "unknown verb '{}'; did you mean 'render'? "
        "(a marker of svaml docs sync: render, describe, diagram)"
    )
    expected = [f"{page}:1:13: SV011 {slip.format('rendr')}", f"{page}:6:13: SV011 {slip.format('Render')}"]
    assert expected == capsys.readouterr().out.splitlines()


def test_the_linters_own_comments_are_no_misspelt_verbs() -> None:
    """`callback=ice`, `ignore[…]` and a bare `ignore` are the linter's, never a slip of a marker's verb."""
    expected = [None, None, None]
    lines = ["<!-- svaml: callback=ice -->", "<!-- svaml: ignore[SV401] -->", "<!-- svaml: ignore -->"]
    assert expected == [read_marker(line, 1) for line in lines]


def test_describe_a_park_with_only_a_hold_prompt() -> None:
    """A park with a hold prompt and no intro prompt plays the hold prompt while it waits."""
    park = Svaml.patch().park(hold_prompt="#tts[Please hold.]", max_duration=60)
    expected = (
        'As a call update (PATCH): parks the call, playing "Please hold." while it waits (at most 60 s).\n'
    )
    assert expected == describe(park)


def test_render_and_sync_check_with_the_limits_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 900-character say that `svaml lint` passes under `limits = {say = 1200}` renders and syncs too."""
    monkeypatch.chdir(tmp_path)
    say = {"name": "say", "text": "a" * 900, "locale": "en-US"}
    long = {"instructions": [say], "action": {"name": "hangup"}}
    Path("long.json").write_text(json.dumps(long))
    Path("page.md").write_text("<!-- svaml: render long.json -->\n")
    before = [main(["render", "long.json"]), main(["docs", "sync", "--check", "page.md"])]
    Path("pyproject.toml").write_text("[tool.svaml]\nlimits = {say = 1200}\n")
    capsys.readouterr()
    commands = [["lint", "-q", "long.json"], ["render", "long.json"], ["docs", "sync", "page.md"]]
    after = [main(command) for command in commands]
    expected = ([1, 1], [0, 0, 0], long)
    assert expected == (before, after, json.loads(Path("page.md").read_text().split("```")[1][len("json") :]))
    Path("pyproject.toml").write_text("[tool.svaml]\nlimits = {sya = 1200}\n")
    capsys.readouterr()
    status = main(["render", "long.json"])
    config = tmp_path / "pyproject.toml"
    message = f"svaml: error: {config} [tool.svaml]: unknown limit 'sya'; known limits: say\n"
    assert (2, message) == (status, capsys.readouterr().err)


def test_render_reads_a_jsonc_file_as_lint_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A `*.jsonc` source may hold comments and trailing commas; its diagnostics keep their lines."""
    source = tmp_path / "forward.ice.jsonc"
    pstn = '"action": {"name": "connectPstn", "number": "+46701234567",},'
    source.write_text(f"{{\n  // to sales\n  {pstn}\n}}\n")
    assert main(["render", str(source)]) == 0
    expected = {"action": {"name": "connectPstn", "number": "+46701234567"}}
    assert expected == json.loads(capsys.readouterr().out)
    source.write_text('{\n  // to sales\n  "action": {"name": "continue"},\n}\n')
    assert main(["render", str(source)]) == 1
    expected_line = f"{source}:3:22: /action/name: error: the action continue is not allowed in an ICE"
    assert expected_line + " response" == capsys.readouterr().err.splitlines()[1].split(";")[0]


def test_sync_keeps_crlf_line_endings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A page written with CRLF keeps CRLF on every line, the remade block's included."""
    (tmp_path / "flow.py").write_text("from svaml import Svaml\nflow = Svaml.ace().continue_()\n")
    page = tmp_path / "page.md"
    marker = b"<!-- svaml: describe flow.py:flow -->\r\n"
    page.write_bytes(b"# Flow\r\n\r\n" + marker + b"```text\r\nold\r\n```\r\n\r\nEnd.\r\n")
    assert main(["docs", "sync", str(page)]) == 0
    expected = (
        b"# Flow\r\n\r\n<!-- svaml: describe flow.py:flow -->\r\n```text\r\n"
        b"As an ACE response: lets the call go on.\r\n```\r\n\r\nEnd.\r\n"
    )
    said = f"svaml: synced {page} (1 marked block)\n"
    assert (expected, said) == (page.read_bytes(), capsys.readouterr().err)
    assert main(["docs", "sync", "--check", str(page)]) == 0


def test_sync_of_a_marker_on_the_last_line_starts_its_block_on_a_line_of_its_own(tmp_path: Path) -> None:
    """A marker with no newline after it (the end of the file) gets its block on the next line."""
    (tmp_path / "flow.py").write_text("from svaml import Svaml\nflow = Svaml.ace().continue_()\n")
    page = tmp_path / "page.md"
    page.write_text("<!-- svaml: describe flow.py:flow -->")
    assert main(["docs", "sync", str(page)]) == 0
    block = "```text\nAs an ACE response: lets the call go on.\n```\n"
    assert "<!-- svaml: describe flow.py:flow -->\n" + block == page.read_text()


def test_sync_never_drops_the_text_after_an_unclosed_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A marked block whose fence never closes is reported, and the rest of the page is kept."""
    (tmp_path / "flow.py").write_text("from svaml import Svaml\nflow = Svaml.ace().continue_()\n")
    page = tmp_path / "page.md"
    text = "<!-- svaml: describe flow.py:flow -->\n```text\nold\n\n## Next\n\nThe author's words.\n"
    page.write_text(text)
    assert main(["docs", "sync", str(page)]) == 1
    said = (
        f"svaml: error: {page}:1: the block after the marker never closes (no ``` after line 2); "
        "it and the rest of the page are left as they are\n"
    )
    assert (text, said) == (page.read_text(), capsys.readouterr().err)


def test_the_help_says_what_the_commands_do(capsys: pytest.CaptureFixture[str]) -> None:
    """`svaml --help` speaks of rendering for docs and of JSONC, as the commands now do."""
    status = main(["--help"])
    words = " ".join(capsys.readouterr().out.split())
    expected = (0, True, True)
    assert expected == (status, "render documents for docs" in words, "JSON and JSONC files" in words)


def test_render_and_markers_refuse_an_option_with_one_message() -> None:
    """render() and a marker say the same of an option the form does not take, and what it takes."""
    expected = "`render as=python` does not take region=; it takes name="
    with pytest.raises(SvamlError) as from_render:
        render(Svaml.ice().hangup(), "python", region="europe")
    with pytest.raises(PageError) as from_marker:
        read_marker("<!-- svaml: render x.json as=python region=europe -->", 2)
    assert (expected, expected) == (str(from_render.value), from_marker.value.reason)


def test_diagram_and_describe_show_a_broken_flow_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A menu pointing at a missing menu (an error) is drawn with its red mark and described, exit 1."""
    menus = [
        {"id": "main", "mainPrompt": "#tts[Hi]", "options": [{"dtmf": "1", "action": "menu(gone)"}]},
        {"id": "orphan", "mainPrompt": "#tts[Never]"},
    ]
    source = tmp_path / "broken.ice.json"
    source.write_text(json.dumps({"action": {"name": "runMenu", "menus": menus}}))
    statuses = [main(["render", str(source)])]
    capsys.readouterr()
    statuses.append(main(["diagram", str(source), "--as", "dot"]))
    drawn, said = capsys.readouterr()
    statuses.append(main(["describe", str(source)]))
    described = capsys.readouterr().out
    expected = ([1, 1, 1], True, True, True)
    assert expected == (
        statuses,
        "(missing)" in drawn,
        "1 goes to menu gone, which does not exist" in described,
        said.startswith(f"svaml: error: {source} is not valid as an ICE response; shown as it is\n"),
    )
    if shutil.which("dot") is not None:
        svg = subprocess.run(["dot", "-Tsvg"], input=drawn, capture_output=True, text=True, timeout=60)
        words = {e.text for e in ET.fromstring(svg.stdout).iter("{http://www.w3.org/2000/svg}text")}
        assert {"(missing)", "(unreachable)"} <= words


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--as", "python", "--name", "my doc"], "name='my doc' is not a Python variable name"),
        (["--as", "python", "--name", "class"], "name='class' is not a Python variable name"),
        (["--as", "node", "--name", "Voice"], "name='Voice' is not a JavaScript variable name"),
        (
            ["--as", "curl", "--base-url", 'https://x/$(id)"'],
            "base_url 'https://x/$(id)\"' holds a character the shell would read ($, `, \\, \" or a space)",
        ),
        (
            ["--as", "curl", "--base-url", "ftp:nohost"],
            "base_url must be an http(s) URL without query or fragment, not 'ftp:nohost'",
        ),
    ],
)
def test_render_refuses_names_and_urls_the_snippet_cannot_hold(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variable name the language refuses, or a base URL the shell would run, exits 2 saying so."""
    status = main(["render", str(EXAMPLES / "callouts.py") + ":hold", *options])
    said = capsys.readouterr().err
    expected = (2, True)
    assert expected == (status, said.startswith(f"svaml: error: {message}"))


def test_an_invalid_callout_request_is_named_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The headline of a callout request with errors says what it is not valid as."""
    source = tmp_path / "tts.json"
    source.write_text('{"method": "ttsCallout", "ttsCallout": {"text": "Hi", "cli": "+46850000000"}}')
    status = main(["render", str(source)])
    expected = (1, f"svaml: error: {source} is not valid as a callout request")
    assert expected == (status, capsys.readouterr().err.splitlines()[0])


def test_the_documented_pre_commit_check_runs_over_the_pages_on_every_commit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hooks file is YAML; the docs' example checks named pages on every commit, and they pass here."""
    text = (ROOT / "docs" / "snippets.md").read_text(encoding="utf-8")
    block = text.split("```yaml\nrepos:", 1)[1].split("```", 1)[0]
    [hook] = yaml.safe_load("repos:" + block)["repos"][0]["hooks"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [declared] = [h for h in hooks if h["id"] == hook["id"]]
    monkeypatch.chdir(ROOT)
    status = main([*declared["entry"].split()[1:], *hook["args"]])
    expected = (False, True, 0, "")
    assert expected == (hook["pass_filenames"], hook["always_run"], status, capsys.readouterr().out)


def test_a_module_source_is_found_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`svaml render flows.ivr:flow` finds flows/ivr.py where it runs, as the console script must."""
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "ivr.py").write_text("from svaml import Svaml\nflow = Svaml.ace().continue_()\n")
    (tmp_path / "flows" / "broken.py").write_text("raise RuntimeError('no database here')\n")
    monkeypatch.chdir(tmp_path)
    # The `svaml` script's path: neither '' nor the current directory is on it.
    monkeypatch.setattr("sys.path", [p for p in sys.path if p not in ("", str(tmp_path), ".")])
    statuses = [main(["render", "flows.ivr:flow"]), main(["render", "flows.broken:flow"])]
    out, err = capsys.readouterr()
    expected = ([0, 2], {"action": {"name": "continue"}}, True)
    said = "svaml: error: flows.broken: importing it raised RuntimeError: no database here"
    assert expected == (statuses, json.loads(out), err.startswith(said))


def test_a_script_that_exits_when_imported_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source file that calls sys.exit when imported (no __main__ guard) cannot end svaml silently."""
    script = tmp_path / "script.py"
    script.write_text("import sys\nsys.exit(3)\n")
    status = main(["render", f"{script}:flow"])
    said = (
        f"svaml: error: {script}: importing it exited (SystemExit 3); run a script's work under "
        '`if __name__ == "__main__":` so that its documents can be imported\n'
    )
    assert (2, said) == (status, capsys.readouterr().err)


def test_a_linter_comment_between_a_marker_and_its_block_is_kept_and_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A linter comment after a marker stays between it and the block it remakes (no second block)."""
    (tmp_path / "flow.ace.json").write_text('{"action": {"name": "continue"}}')
    page = tmp_path / "page.md"
    page.write_text("<!-- svaml: render flow.ace.json -->\n<!-- svaml: callback=ace -->\n```json\nold\n```\n")
    assert main(["docs", "sync", str(page)]) == 0
    expected = (
        "<!-- svaml: render flow.ace.json -->\n<!-- svaml: callback=ace -->\n"
        '```json\n{\n  "action": {\n    "name": "continue"\n  }\n}\n```\n'
    )
    assert expected == page.read_text()
    capsys.readouterr()
    linted = (0, "")
    assert linted == (main(["lint", "--isolated", "-q", str(page)]), capsys.readouterr().out)


def test_sync_says_where_a_warning_is_in_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source's warning names the marker's page line and the source's own line and column."""
    menus = [{"id": "main", "mainPrompt": "#tts[Hi]"}, {"id": "orphan", "mainPrompt": "#tts[x]"}]
    source = tmp_path / "menu.ice.json"
    source.write_text(json.dumps({"action": {"name": "runMenu", "menus": menus}}))
    page = tmp_path / "page.md"
    page.write_text("# Menu\n\n<!-- svaml: render menu.ice.json -->\n")
    assert main(["docs", "sync", str(page)]) == 0
    warning = capsys.readouterr().err.splitlines()[0]
    expected = f"{page}:3: {source}:1:91: /action/menus/1/id: warning: menu 'orphan' is never played"
    assert expected == warning[: len(expected)]

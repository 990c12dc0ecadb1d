"""The public surface: pinned names, sorted ``__all__``, docstrings everywhere, light imports."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import svaml

PUBLIC_MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(svaml.__path__, "svaml.")
    if not any(part.startswith("_") for part in name.split("."))
)


def test_top_level_names_are_pinned() -> None:
    """The everyday names re-exported by ``svaml`` are exactly these (a change here is an API change)."""
    expected = [
        "AceSvaml",
        "Amd",
        "CallHeader",
        "CallLegSvaml",
        "Callback",
        "ConferenceDtmfOptions",
        "Destination",
        "Diagnostic",
        "IceSvaml",
        "Menu",
        "MenuOption",
        "PatchSvaml",
        "PieSvaml",
        "RecordingOptions",
        "Severity",
        "StreamingOptions",
        "Svaml",
        "SvamlError",
        "SvamlTypeError",
        "TranscriptionOptions",
        "__version__",
        "href",
        "menu",
        "prompts",
        "return_",
        "ssml",
        "tts",
        "validate",
    ]
    assert expected == svaml.__all__


def test_public_modules_exist() -> None:
    """The public modules of the layers in DESIGN.md are all there."""
    expected = {
        "svaml.callbacks",
        "svaml.cli",
        "svaml.client",
        "svaml.codec",
        "svaml.diagnostic",
        "svaml.errors",
        "svaml.model",
        "svaml.rules",
        "svaml.schema",
        "svaml.signing",
        "svaml.simulator",
        "svaml.simulator.properties",
        "svaml.simulator.v2",
        "svaml.simulator.v2.properties",
        "svaml.snippets",
        "svaml.strategies",
        "svaml.v2",
        "svaml.v2.client",
        "svaml.v2.codec",
        "svaml.v2.document",
        "svaml.v2.emulator",
        "svaml.v2.emulator.pytest_plugin",
        "svaml.v2.model",
        "svaml.v2.schema",
        "svaml.v2.signing",
        "svaml.v2.strategies",
        "svaml.v2.webhooks",
    }
    assert expected <= set(PUBLIC_MODULES)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_resolvable_and_documented(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each public module has a sorted ``__all__`` whose names exist and carry docstrings."""
    # Importing locust patches the standard library for gevent unless told not to: not in this process.
    monkeypatch.setenv("LOCUST_SKIP_MONKEY_PATCH", "1")
    module = importlib.import_module(name)
    names = list(getattr(module, "__all__", []))
    undocumented = [
        n
        for n in names
        if (inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n)))
        and not inspect.getdoc(getattr(module, n))
    ]
    key = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert (key, [], bool(module.__doc__)) == (names, undocumented, True)


def test_import_svaml_is_light() -> None:
    """``import svaml`` and building a document load neither jsonschema, requests nor hypothesis."""
    code = (
        "import sys, svaml; from svaml import Svaml; Svaml.ice().answer().hangup().to_json();"
        "print(sorted(m for m in ('jsonschema', 'requests', 'hypothesis') if m in sys.modules))"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "[]"
    )


def test_building_and_checking_do_not_load_the_events() -> None:
    """Building, checking and writing a document leave ``svaml.model.events`` unloaded (it loads on use)."""
    code = (
        "import sys; from svaml import Svaml, validate; Svaml.ice().answer().hangup().to_json();"
        "validate({'action': {'name': 'hangup'}}); print('svaml.model.events' in sys.modules);"
        "from svaml.model import IceEvent; print('svaml.model.events' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = ["False", "True"]
    assert expected == run.stdout.split()


def test_building_and_checking_v2_do_not_load_the_calls_and_rest_bodies() -> None:
    """Building and checking SVAML v2 leave the v2 calls, events and REST bodies unloaded until used."""
    code = (
        "import sys; from svaml import validate; from svaml.v2 import Svaml2;"
        "validate(Svaml2().answer().hangup(), version=2);"
        "print(sorted(m for m in ('svaml.v2.model.calls', 'svaml.v2.model.rest') if m in sys.modules));"
        "from svaml.v2.model import Call; print('svaml.v2.model.calls' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = ["[]", "True"]
    assert expected == run.stdout.split()

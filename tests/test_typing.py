"""The per-callback builders are typed: mypy rejects what the builder refuses at run time."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api


def run_mypy(tmp_path: Path, source: str) -> list[str]:
    """Type-check ``source`` strictly and return mypy's error lines."""
    file = tmp_path / "snippet.py"
    file.write_text(textwrap.dedent(source), encoding="utf-8")
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(file)])
    return [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]


def test_mypy_rejects_disallowed_methods(tmp_path: Path) -> None:
    """Methods a callback does not allow are type errors; allowed chains and plain Svaml pass."""
    errors = run_mypy(
        tmp_path,
        """
        from svaml import AceSvaml, IceSvaml, Menu, MenuOption, Svaml, return_

        def on_ice() -> IceSvaml:
            menu = Menu(id="main", options=[MenuOption(dtmf=1, action=return_("a"))])
            return Svaml.ice().answer().say("Hi").run_menu(menu)

        def on_ace() -> AceSvaml:
            return Svaml().continue_()          # a plain Svaml fits every callback's type

        Svaml.ace().answer()                    # error 1: no answer in ACE
        Svaml.patch().connect_pstn("+46701234567")   # error 2: PATCH takes hangup/continue/park
        Svaml.call_leg().set_cookie("k", "v")  # error 3: call-leg takes playFiles and say
        Svaml.ice().continue_()                 # error 4: no continue in ICE
        """,
    )
    expected = [
        '"AceSvaml" has no attribute "answer"  [attr-defined]',
        '"PatchSvaml" has no attribute "connect_pstn"  [attr-defined]',
        '"CallLegSvaml" has no attribute "set_cookie"  [attr-defined]',
        '"IceSvaml" has no attribute "continue_"  [attr-defined]',
    ]
    assert expected == errors

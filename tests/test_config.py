"""Tests for svaml.cli.config: reading [tool.svaml], and selecting rules the way ruff does."""

from __future__ import annotations

from pathlib import Path

import pytest

from svaml.cli.config import (
    CALLBACKS,
    Config,
    ConfigError,
    Layer,
    check_selectors,
    comma_list,
    find_pyproject,
    load_config,
    matches_path,
    parse_config,
    resolve_selection,
    selected,
)
from svaml.cli.formats import FORMATS
from svaml.errors import SvamlError
from svaml.model.permissions import Callback

CODES = ("SV001", "SV020", "SV021", "SV101", "SV103", "SV104", "SV201")


def test_find_pyproject_walks_up_to_the_nearest_with_a_svaml_table(tmp_path: Path) -> None:
    """A pyproject.toml without [tool.svaml] is passed over; the nearest with one is used."""
    (tmp_path / "pyproject.toml").write_text('[tool.svaml]\nignore = ["SV1"]\n')
    inner = tmp_path / "pkg" / "docs"
    inner.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    found = find_pyproject(inner)
    expected = (tmp_path / "pyproject.toml", {"ignore": ["SV1"]})
    assert expected == found


def test_find_pyproject_returns_none_without_configuration(tmp_path: Path) -> None:
    """No pyproject.toml with [tool.svaml] on the way up gives None (checked from a fresh dir)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    found = find_pyproject(tmp_path)
    assert found is None or found[0] != tmp_path / "pyproject.toml"


def test_load_config_reads_every_key(tmp_path: Path) -> None:
    """All keys of [tool.svaml] are read, and globs are relative to the file's directory."""
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[tool.svaml]\n"
        'select = ["SV1", "SV020"]\n'
        'extend-select = ["SV201"]\n'
        'ignore = ["SV103"]\n'
        'callback = "ice"\n'
        'output-format = "concise"\n'
        'exclude = ["fixtures/*"]\n'
        "[tool.svaml.per-file-ignores]\n"
        '"docs/*.md" = ["SV020"]\n'
    )
    expected = Config(
        path=path,
        root=tmp_path.resolve(),
        select=("SV1", "SV020"),
        extend_select=("SV201",),
        ignore=("SV103",),
        per_file_ignores=(("docs/*.md", ("SV020",)),),
        callback="ice",
        output_format="concise",
        exclude=("fixtures/*",),
    )
    assert expected == load_config(tmp_path)
    assert expected == load_config(path=path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.svaml]\nselect = "SV1"\n', "select must be a list of strings"),
        ("[tool.svaml]\nignore = [1]\n", "ignore must be a list of strings; 1 is not one"),
        ('[tool.svaml]\ncallback = "dise"\n', "callback must be one of ice, ace, pie"),
        ('[tool.svaml]\noutput-format = "xml"\n', "output-format must be one of full"),
        ("[tool.svaml]\nper_file_ignores = {}\n", "unknown key 'per_file_ignores' .did you mean"),
        ('[tool.svaml]\nper-file-ignores = ["x"]\n', "per-file-ignores must be a table"),
        ('[tool.svaml]\nper-file-ignores = {"a" = "SV1"}\n', "per-file-ignores 'a' must be a list"),
        ("[tool.svaml\n", "invalid TOML"),
        ('[tool]\nsvaml = "yes"\n', r"\[tool.svaml\] must be a table"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, toml: str, message: str) -> None:
    """Wrong types, unknown keys and broken TOML raise ConfigError naming the file and the key."""
    path = tmp_path / "pyproject.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(tmp_path)
    assert isinstance(caught.value, SvamlError)
    assert str(path) in str(caught.value)


def test_parse_config_without_path_uses_the_current_directory() -> None:
    """A table parsed on its own has no path and the current directory as root."""
    expected = Config(root=Path.cwd().resolve(), callback="auto")
    assert expected == parse_config({"callback": "auto"})


def test_unknown_key_lists_the_known_keys() -> None:
    """An unknown key is refused with the keys of [tool.svaml], in the order Config holds them."""
    expected = (
        "[tool.svaml]: unknown key 'colour'; known keys: select, extend-select, ignore, "
        "per-file-ignores, callback, output-format, exclude, limits, max-file-size"
    )
    with pytest.raises(ConfigError) as caught:
        parse_config({"colour": "blue"})
    assert expected == str(caught.value)


def test_every_output_format_is_accepted() -> None:
    """output-format takes each format the reporters know."""
    expected = list(FORMATS)
    assert expected == [parse_config({"output-format": name}).output_format for name in FORMATS]


def test_comma_list_splits_and_drops_empty_parts() -> None:
    """A comma-separated option value gives its stripped, non-empty parts."""
    expected = ["SV1", "SV203"]
    assert expected == comma_list(" SV1, ,SV203,")


def test_callbacks_are_the_model_callbacks() -> None:
    """The callback names the configuration accepts are the model's Callback values."""
    expected = {c.value for c in Callback}
    assert expected == set(CALLBACKS)


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([], set(CODES)),
        ([Layer(select=("SV1",))], {"SV101", "SV103", "SV104"}),
        ([Layer(ignore=("SV02",))], {"SV001", "SV101", "SV103", "SV104", "SV201"}),
        ([Layer(select=("ALL",), ignore=("SV1",))], {"SV001", "SV020", "SV021", "SV201"}),
        ([Layer(ignore=("SV1",), extend_select=("SV103",))], set(CODES) - {"SV101", "SV104"}),
        ([Layer(select=("SV103",), ignore=("SV1",))], {"SV103"}),
        ([Layer(select=("SV10",), ignore=("SV10",))], set()),
        ([Layer(select=("SV1",)), Layer(select=("SV2",))], {"SV201"}),
        ([Layer(select=("SV1",)), Layer(extend_select=("SV001",))], {"SV001", "SV101", "SV103", "SV104"}),
        ([Layer(ignore=("SV1",)), Layer(ignore=("SV0",))], {"SV201"}),
        ([Layer(ignore=("ALL",)), Layer(extend_select=("SV201",))], {"SV201"}),
    ],
)
def test_resolve_selection_follows_ruff(layers: list[Layer], expected: set[str]) -> None:
    """Select replaces, extend-select adds, ignore removes, the more specific selector wins."""
    assert frozenset(expected) == resolve_selection(CODES, layers)


def test_check_selectors_normalizes_and_refuses_unknown() -> None:
    """Selectors are upper-cased, blanks dropped, and one naming no rule is an error."""
    expected = ("SV1", "ALL", "SV020")
    assert expected == check_selectors(["sv1", " ", "all", "SV020"], CODES, "--select")
    with pytest.raises(ConfigError, match=r"--select: 'SV9' selects no rule"):
        check_selectors(["SV9"], CODES, "--select")


def test_selected_matches_codes_prefixes_and_all() -> None:
    """selected() says whether any selector names a code."""
    expected = [True, True, True, False]
    assert expected == [
        selected("SV103", ["SV103"]),
        selected("SV103", ["SV1"]),
        selected("SV103", ["ALL"]),
        selected("SV103", ["SV2", "SV104"]),
    ]


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("docs/guide.md", "docs/*.md", True),
        ("docs/deep/guide.md", "docs/*", True),
        ("docs/guide.md", "*.md", True),
        ("a/fixtures/x.json", "fixtures", True),
        ("a/fixtures/x.json", "a/fixtures/", True),
        ("docs/guide.md", "*.json", False),
        ("other/guide.md", "docs", False),
        ("x.json", "*", True),
    ],
)
def test_matches_path_checks_path_name_and_parents(path: str, pattern: str, expected: bool) -> None:
    """A glob matches the whole relative path, the file name, or a parent directory."""
    assert expected == matches_path(path, pattern)

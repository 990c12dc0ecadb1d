"""The package's layers only point down: every import, at any depth in a module, goes to a lower layer."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import svaml

ROOT = Path(svaml.__file__).parent

#: The layers of docs/design.md, lowest first; a module belongs to the first prefix it matches.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("svaml.errors", "svaml.diagnostic", "svaml._json", "svaml._jsontext", "svaml._time")),
    ("data", ("svaml._locales",)),
    ("model", ("svaml.model", "svaml.v2.model")),
    ("codec", ("svaml.codec", "svaml.v2.codec")),
    ("rules", ("svaml.rules",)),
    ("document", ("svaml.document", "svaml.typed", "svaml.v2.document")),
    ("schema", ("svaml.schema", "svaml.v2.schema")),
    ("edges", ("svaml._environment", "svaml.replay", "svaml.signing", "svaml.callbacks", "svaml._results",
               "svaml._serving", "svaml.v2.signing", "svaml.v2.webhooks",
               "svaml._transport", "svaml.client", "svaml.v2.client")),
    (
        "testing and docs",
        (
            "svaml.strategies",
            "svaml.v2.strategies",
            "svaml.simulator",
            "svaml._rulesdoc",
            "svaml.snippets",
            "svaml.emulator",
            "svaml.v2.emulator",
            "svaml.load",
        ),
    ),
    # The command line is the outermost shell: its commands use every layer (render uses snippets,
    # simulate the simulator, emulator the emulator).
    ("command line", ("svaml.cli",)),
    # svaml.v2 only re-exports, lazily: it sits above what it re-exports.
    ("entry points", ("svaml.__main__", "svaml.v2")),
]

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(svaml.__path__, "svaml.")
)


def layer_of(module: str) -> int:
    """Return the index of the layer ``module`` belongs to."""
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer of LAYERS")


def source_of(module: str) -> Path:
    """Return the file of ``module``."""
    path = ROOT.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imports_of(module: str) -> set[str]:
    """Return every svaml module ``module`` imports, at module level or inside a function."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    package = module if source_of(module).name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES and name != module}


def test_every_module_has_a_layer() -> None:
    """Each module of the package sits in exactly one layer of LAYERS."""
    assert [m for m in MODULES if m != "svaml" and not any(
        m == p or m.startswith(p + ".") for _, prefixes in LAYERS for p in prefixes
    )] == []


def test_imports_point_down() -> None:
    """No module imports one of a higher layer (a function-level import counts too)."""
    upward = sorted(
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module in MODULES
        if module != "svaml"
        for target in imports_of(module)
        if target != "svaml" and layer_of(target) > layer_of(module)
    )
    assert upward == []


def test_no_import_cycle() -> None:
    """The graph of the package's imports (any depth in a module) has no cycle."""
    graph = {module: imports_of(module) - {"svaml"} for module in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            # A package's __init__ imports its own submodules; they import siblings, not it.
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target] if target in path else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in MODULES:
        if module not in state:
            visit(module, [module])
    assert cycles == []

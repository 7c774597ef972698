"""The package's architecture, checked from its source: bands of folders that import only downwards,
and no import cycle, counting imports under `TYPE_CHECKING` and inside functions.

The bands, low to high (CONTRIBUTING.md, "The module map"): a module may import from its own
band and the bands below it, and from `errors` and `redact`, which any band may use and which
import nothing of the package. The top-level modules (`tap`, `stream`, `cli`, `connection`)
are the seams to the SDK and the command line, above everything else.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "tap_restspec"
BANDS = (
    "model",
    "expr",
    "http",
    "paging",
    "auth",
    "parse",
    "extract",
    "output",
    "config",
    "sync",
    "draft",
    "seams",
)
ANYWHERE = frozenset({"errors", "redact"})


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imports(name: str) -> set[str]:
    """The package's modules `name` imports, wherever the import statement stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    wanted = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            wanted += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:  # `from a import b`: the module a.b when there is one, else a
                wanted.append(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    found = set()
    for target in wanted:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def band(name: str) -> str | None:
    """The band of a module (None: `errors`, `redact` and the package itself, usable anywhere)."""
    parts = name.split(".")[1:]
    if not parts or parts[0] in ANYWHERE:
        return None
    if len(parts) == 1 and MODULES[name].name != "__init__.py":
        return "seams"
    return parts[0]


def test_every_folder_and_module_has_a_band():
    unknown = sorted({band(name) for name in MODULES} - {None, *BANDS})
    assert not unknown, f"folders with no band (add them to BANDS and CONTRIBUTING.md): {unknown}"


def test_every_import_points_down_or_sideways():
    upward = []
    for name, targets in sorted(GRAPH.items()):
        mine = band(name)
        for target in sorted(targets):
            theirs = band(target)
            if theirs is None:
                continue
            if mine is None or BANDS.index(theirs) > BANDS.index(mine):
                upward.append(f"{name} ({mine or 'anywhere'}) imports {target} ({theirs})")
    assert not upward, "imports from a higher band:\n" + "\n".join(upward)


def test_there_is_no_import_cycle():
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_packages_import_nothing():
    """A folder's `__init__.py` is its docstring only: importing one module of a folder runs the
    folder's `__init__.py` first, an import this test's graph would not see.
    """
    busy = [name for name, path in MODULES.items() if path.name == "__init__.py" and GRAPH[name]]
    assert not busy, f"__init__.py files that import: {busy}"


def test_every_module_says_what_it_is():
    silent = [name for name, path in MODULES.items() if not ast.get_docstring(ast.parse(path.read_text()))]
    assert not silent, f"modules without a docstring: {silent}"

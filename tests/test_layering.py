"""The core never imports the Qt shell, has no import cycle and keeps its layers: checked, not hoped for."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_import_no_qt_or_ui() -> None:
    offenders = []
    for path in sorted((ROOT / "fieldkit").rglob("*.py")):
        bad = _imports(path) & {"ui", "PySide6", "shiboken6", "PyQt5", "PyQt6"}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert not offenders, "core imports the shell:\n" + "\n".join(offenders)


def test_importing_the_whole_core_loads_no_qt() -> None:
    code = (
        "import importlib, pkgutil, sys, fieldkit\n"
        "for m in pkgutil.walk_packages(fieldkit.__path__, 'fieldkit.'):\n"
        "    if m.name.startswith('fieldkit.migrations') or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(lint), "--no-cache"], cwd=root, env=env, capture_output=True, text=True)


def test_import_linter_contracts() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("fieldkit/services/dashboard.py", "from fieldkit.sync import state"),
        ("fieldkit/sync/apply.py", "from fieldkit.services import people"),
        ("fieldkit/domain/vocab.py", "from fieldkit.services import office"),
        ("fieldkit/context.py", "from fieldkit.opening import open_context"),
        ("fieldkit/store/changes.py", "from fieldkit import search"),
        ("fieldkit/migrations/env.py", "from fieldkit.store import base"),
        ("fieldkit/unplaced.py", "import fieldkit.errors"),
    ],
)
def test_layers_contract_refuses_an_upward_import(tmp_path: Path, module: str, line: str) -> None:
    """A copy of the tree with one import that breaks the layering fails lint-imports."""
    for name in ("fieldkit", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / module
    source = path.read_text("utf-8") if path.exists() else ""
    path.write_text(f"{source}\n{line}  # noqa\n", "utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "The core is layered: each layer imports only the layers below it BROKEN" in result.stdout


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> modules of ``package`` it imports, at module level or inside functions alike."""
    paths = {_module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
                # ``from pkg import sub`` imports the submodule; ``from pkg import name`` the package
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in paths else base)
        found = set()
        for target in targets:
            while target not in paths and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in paths and target != name:
                found.add(target)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import one another, directly or around a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = [stack.pop()]
            while group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_core_has_no_import_cycle() -> None:
    graph = import_graph(ROOT, "fieldkit")
    assert "fieldkit.domain.vocab" in graph["fieldkit.services.vocab"]
    assert cycles(graph) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub.b import g\n")
    (pkg / "sub" / "b.py").write_text("from .. import a\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    assert cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.sub.b"]]


def test_revisions_import_only_alembic_sqlalchemy_and_the_standard_library() -> None:
    allowed = {"alembic", "sqlalchemy", "__future__"} | set(sys.stdlib_module_names)
    offenders = []
    for path in sorted((ROOT / "fieldkit" / "migrations").rglob("*.py")):
        bad = _imports(path) - allowed
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert not offenders, "migrations import application code:\n" + "\n".join(offenders)

"""The package's layers import only downwards (an AST walk over every module).

Layers, lowest first; a module may import its own package and any lower
layer, never a higher one or a sibling at the same level::

    core <- datasets <- io, flows <- allocation, forecast <- sufficiency, analysis, simulate <- report <- cli, testing

(``flows``, the one stock-and-flow engine, imports only ``core``: the monthly forecast and the simulation
both run it.)

The old paths kept for rcc 0.1 code (:mod:`rcc._deprecated`'s ``MOVED``)
forward lazily and are checked only to import nothing but that helper.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rcc
from rcc._deprecated import MOVED

ROOT = Path(rcc.__file__).parent
LAYERS = {
    "core": 0,
    "datasets": 1,
    "io": 2,
    "allocation": 3,
    "forecast": 3,
    "flows": 2,
    "sufficiency": 4,
    "analysis": 4,
    "simulate": 4,
    "report": 5,
    "cli": 6,
    "testing": 6,
}
SHIMS = {m for m in MOVED}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every rcc import in a file, top-level or inside functions."""
    mod = _module_name(path)
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".")[: None if is_pkg else -1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] if target in ("rcc", *LAYERS_FULL) else [target]
            out += [(node.lineno, t) for t in names if t.startswith("rcc")]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("rcc")]
    return out


LAYERS_FULL = tuple(f"rcc.{k}" for k in LAYERS)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _violations() -> list[str]:
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        mod = _module_name(path)
        if mod == "rcc" or mod == "rcc._deprecated":
            continue
        for line, target in _imports(path):
            where = f"{path.relative_to(ROOT.parent)}:{line} imports {target}"
            if mod in SHIMS:
                if target != "rcc._deprecated":
                    bad.append(where + " (an old path may import only rcc._deprecated)")
                continue
            own, other = _layer(mod), _layer(target)
            if own is None:
                bad.append(f"{where} ({mod} belongs to no layer: put it in one of {sorted(LAYERS)})")
            elif other is None:
                bad.append(f"{where} (import from a layer package, not {target})")
            elif other != own and LAYERS[other] >= LAYERS[own]:
                bad.append(f"{where} ({own} is layer {LAYERS[own]}, {other} is layer {LAYERS[other]}: upward or sideways)")
    return bad


def test_imports_only_go_down_the_layers():
    assert _violations() == []


def test_the_walk_sees_upward_and_function_level_imports(tmp_path, monkeypatch):
    # a planted upward import inside a function is found (the test can fail)
    core = tmp_path / "rcc" / "core"
    core.mkdir(parents=True)
    (tmp_path / "rcc" / "__init__.py").write_text("")
    (core / "__init__.py").write_text("")
    (core / "bad.py").write_text("def f():\n    from ..report import write_html\n    from rcc.allocation import engine\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path / "rcc")
    found = _violations()
    assert any("core/bad.py:2 imports rcc.report" in v for v in found)
    assert any("core/bad.py:3 imports rcc.allocation.engine" in v for v in found)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_paths_forward_with_a_deprecation_warning(old):
    import importlib

    module = importlib.import_module(old)
    new = importlib.import_module(MOVED[old])
    name = next(n for n in dir(new) if not n.startswith("_") and n[0].isalpha())
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {MOVED[old]}"):
        assert getattr(module, name) is getattr(new, name)


def test_version_is_written_once():
    """pyproject.toml takes the version from rcc.core.version; the installed metadata agrees."""
    import importlib.metadata
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "rcc.core.version.__version__"}
    assert importlib.metadata.version("rcc") == rcc.__version__


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60  # code lines after the docstring


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = node.body[0]
    doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    start = first.end_lineno + 1 if doc and len(node.body) > 1 else node.lineno
    return node.end_lineno - start + 1


def _oversize(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(root.parent)
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{where}: {len(text.splitlines())} lines (at most {MAX_MODULE_LINES}: one job per module)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _code_lines(node) > MAX_FUNCTION_LINES:
                found.append(f"{where}:{node.lineno} {node.name}: {_code_lines(node)} lines of code (split it into named steps)")
    return found


def test_modules_and_functions_stay_small():
    assert _oversize(ROOT) == []


def test_the_size_check_sees_a_long_function(tmp_path):
    pkg = tmp_path / "rcc"
    pkg.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES + 1))
    (pkg / "long.py").write_text(f'def f():\n    """Doc."""\n{body}')
    (pkg / "ok.py").write_text(f'def g():\n    """Doc."""\n{body[: body.rindex("    x")]}')
    assert [v.split(":")[0] for v in _oversize(pkg)] == ["rcc/long.py"]


def test_attrs_classes_can_be_printed():
    """attrs' generated ``__repr__`` looks up ``_compat`` in the class's module: a module
    global of that name (once rcc's solver module) broke ``repr`` of every record there."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(rcc.__path__, "rcc."):
        assert "_compat" not in vars(importlib.import_module(info.name)), info.name
    assert repr(rcc.allocation.model.DEMAND).startswith("RowBlock(name='demand'")

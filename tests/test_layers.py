"""The package imports only downward: read -> check -> model -> render -> outputs -> pipeline -> commands."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

# Lower layers know nothing of higher ones; a module may import its own layer and those below.
LAYERS = [
    {"sitegen.errors", "sitegen.layout", "sitegen.options", "sitegen.messages"},
    {"sitegen.text"},
    {"sitegen.inputs"},
    {"sitegen.render"},
    {"sitegen.outputs"},
    {"sitegen.deps", "sitegen.pipeline"},
    {"sitegen.serve", "sitegen.scaffold", "sitegen.translations", "sitegen.exchange"},
    {"sitegen.cli", "sitegen.__main__"},
]


def layer_of(module: str) -> int:
    for rank, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return rank
    raise AssertionError(f"{module}: in no layer; add it to LAYERS")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, module: str) -> set[str]:
    """Every sitegen module that `path`, the source of `module`, imports, at its top or inside a function."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sitegen")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            if not origin.startswith("sitegen"):
                continue
            # `from . import x` names modules; `from .x import y` names things of module x.
            found |= {f"{origin}.{alias.name}" for alias in node.names} if node.module is None else {origin}
    return found


def test_every_module_imports_only_its_own_layer_and_those_below():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for imported in sorted(imports_of(path, importer)):
            if imported in ("sitegen", "sitegen.text", "sitegen.inputs", "sitegen.render", "sitegen.outputs"):
                continue
            if layer_of(imported) > layer_of(importer):
                upward.append(f"{importer} imports {imported}")
    assert upward == []


def test_the_check_finds_an_upward_import(tmp_path):
    """The walk above can fail: a render module that imports the pipeline, in any spelling, is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("from ..pipeline import build\nimport sitegen.serve\ndef f():\n    from .. import cli\n", encoding="utf-8")
    found = imports_of(probe, "sitegen.render.probe")
    assert found == {"sitegen.pipeline", "sitegen.serve", "sitegen.cli"}
    assert all(layer_of(module) > layer_of("sitegen.render.probe") for module in found)

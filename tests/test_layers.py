"""The layer rules of docs/architecture.md, read from the imports of every module under
src/deepgen (top-level and inside functions alike): what may import what, and no circles."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src"
PACKAGE = SOURCE / "deepgen"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _resolved(name: str) -> str | None:
    """The deepgen module an import of ``name`` loads (the longest existing prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@cache
def imports(module: str) -> dict[str, set[str]]:
    """What ``module`` imports: ``deepgen`` (deepgen modules) and ``other`` (top-level packages)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = {"deepgen": set(), "other": set()}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [f"{base}.{alias.name}" for alias in node.names] if base.startswith("deepgen") else [base]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "deepgen":
                target = _resolved(name)
                if target and target != module:
                    found["deepgen"].add(target)
            else:
                found["other"].add(name.split(".")[0])
    return found


def _under(module: str, *packages: str) -> bool:
    return any(module == f"deepgen.{p}" or module.startswith(f"deepgen.{p}.") for p in packages)


def _breaches(where: str, forbidden: callable) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module in MODULES
        if _under(module, where)
        for target in sorted(imports(module)["deepgen"]) + sorted(imports(module)["other"])
        if forbidden(target)
    )


def test_models_import_no_kedro_no_wandb_and_nothing_of_deepgen_outside_models():
    assert _breaches("models", lambda t: t in ("kedro", "kedro_datasets", "wandb") or (
        t.startswith("deepgen") and not _under(t, "models")
    )) == []  # fmt: skip


@pytest.mark.parametrize(
    ("where", "forbidden"),
    [("pipelines", ("hooks",)), ("hooks", ("pipelines",)), ("datasets", ("pipelines", "hooks", "families"))],
)
def test_a_layer_imports_nothing_of_the_layers_it_must_not_know(where, forbidden):
    assert _breaches(where, lambda target: _under(target, *forbidden)) == []


def test_no_family_module_imports_another_family():
    families = {module for module, path in MODULES.items() if "\nFAMILY = Family(" in path.read_text()}
    assert len(families) >= 6
    assert sorted(f"{m} imports {t}" for m in families for t in imports(m)["deepgen"] if t in families) == []


def test_no_import_cycle_anywhere():
    graph = {module: imports(module)["deepgen"] for module in MODULES}
    cycles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_package_root_holds_few_modules():
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules  # settings, registry, cli, the dunders and a few core modules


def test_the_families_package_holds_only_families():
    """What families share lives in ``families/shared/``: a module beside them is a family."""
    modules = [path for path in (PACKAGE / "families").glob("*.py") if path.name != "__init__.py"]
    assert sorted(path.name for path in modules if "\nFAMILY = Family(" not in path.read_text()) == []


def test_no_module_reads_a_private_attribute_of_another_object():
    # A dataset's own ``self._filepath`` is its business; another object's (a Kedro dataset's) is not.
    private = re.compile(r"(?<!\bself)\.(_filepath|_list_partitions|_describe|_path|_filesystem|_dataset_config)\b")
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if private.search(line) and not line.lstrip().startswith("def ")
    ]
    assert found == []

"""The package's shape, checked: the engine has no import circles and imports nothing above it, and
``import chainrule`` pulls in no optional dependency."""

import ast
import subprocess
import sys
from pathlib import Path

import chainrule

ENGINE = Path(chainrule.__file__).parent / "engine"
OPTIONAL = ("matplotlib", "sklearn", "scipy", "torch", "starlette", "uvicorn", "websockets", "tqdm", "dask",
            "distributed", "optuna", "onnx", "onnxruntime", "tensorboard", "cupy", "pandas", "safetensors")


def _module_name(path):
    rel = path.relative_to(ENGINE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts) or "engine"


def _imports(path):
    """Engine modules imported by ``path`` (module level and inside functions), as dotted names."""
    tree = ast.parse(path.read_text())
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "engine":
        package = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.level > len(package) + 1:
                raise AssertionError(f"{name} imports from above the engine: {ast.unparse(node)}")
            target = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                sub = ".".join([*target, alias.name])
                as_file = (ENGINE / Path(*target, alias.name)).with_suffix(".py")
                if as_file.exists() or (ENGINE / sub.replace(".", "/")).is_dir():
                    found.add(sub)
                elif target:
                    found.add(".".join(target))
    return found - {name}


def test_the_engine_has_no_import_circles_and_imports_nothing_above_it():
    graph = {_module_name(p): _imports(p) for p in ENGINE.rglob("*.py")}
    for mod, deps in graph.items():
        for d in deps:
            assert d.split(".")[0] in {m.split(".")[0] for m in graph}, f"{mod} imports {d}, outside the engine"
    # Kahn's algorithm over 'imports' edges (a package importing its own submodules is not a circle)
    edges = {m: {d for d in deps if d in graph and not d.startswith(m + ".")} for m, deps in graph.items()}
    remaining = dict(edges)
    while remaining:
        leaves = [m for m, deps in remaining.items() if not deps & remaining.keys()]
        assert leaves, f"import circle among {sorted(remaining)}"
        for m in leaves:
            del remaining[m]


def test_no_function_level_imports_inside_the_engine_except_optional_libraries():
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        optional = {"scipy.special", "cupyx.scipy.special", "cupy"}  # imported on first use only
                        names = {getattr(node, "module", None)} | {a.name for a in node.names}
                        assert names & optional, f"{path.name}: {ast.unparse(node)}"


def test_import_chainrule_loads_no_optional_dependency():
    code = "import sys, chainrule; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    assert not loaded & set(OPTIONAL), f"import chainrule imported {sorted(loaded & set(OPTIONAL))}"

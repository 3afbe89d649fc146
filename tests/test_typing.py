"""chainrule's public API is typed: `mypy --strict` on a user's training script finds nothing, as an editor
sees `model(x)` as a Tensor; the methods attached to Tensor in engine/methods.py are declared for type checkers."""

import ast
import os
import pathlib
import subprocess
import sys

import pytest

from chainrule.engine import methods

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_strict_on_a_user_training_script(tmp_path):
    """What a user of the installed package sees (py.typed: chainrule's own modules are not checked)."""
    pytest.importorskip("mypy")
    cfg = tmp_path / "mypy.ini"
    cfg.write_text("[mypy]\nstrict = True\n[mypy-chainrule.*]\nignore_errors = True\n")
    r = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(cfg), "--cache-dir", str(tmp_path / "cache"),
                        "--python-executable", sys.executable, str(ROOT / "tests" / "typing" / "user_train.py")],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, MYPYPATH=str(ROOT / "src")))
    assert r.returncode == 0 and "Success: no issues found" in r.stdout, r.stdout + r.stderr


def _declared_tensor_names():
    tree = ast.parse((ROOT / "src" / "chainrule" / "engine" / "tensor.py").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    names = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_every_attached_tensor_method_is_declared_for_type_checkers():
    attached = {n for names in methods._NAMESPACE_METHODS.values() for n in names.split()}
    attached |= set(methods._INPLACE) | {f"new_{f}" for f in ("zeros", "ones", "empty", "full", "tensor")}
    attached |= {"negative", "where", "reshape_as", "view_as", "mT", "__getitem__", "__floordiv__", "__rfloordiv__",
                 "__mod__", "__rmod__", "__ifloordiv__", "__imod__"}
    assert attached - _declared_tensor_names() == set()

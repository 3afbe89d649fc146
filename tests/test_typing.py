"""The methods attached to Tensor in engine/methods.py are declared for type checkers. (`mypy --strict` on a
user's training script, tests/typing/user_train.py, against the installed wheel: tests/test_wheel.py.)"""

import ast
import pathlib

from chainrule.engine import methods

ROOT = pathlib.Path(__file__).resolve().parents[1]


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

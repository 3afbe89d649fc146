"""Run a PyTorch program on chainrule, unchanged: ``import torch`` gives chainrule.

    python -m chainrule.torch_compat program.py [ARGS]        # or: chainrule run-torch program.py [ARGS]

    from chainrule import torch_compat
    torch_compat.install()          # from here on `import torch` is chainrule
    import torch, torch.nn as nn, torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset
    torch_compat.uninstall()        # `import torch` is PyTorch again (if it is installed)

``install()`` puts an import hook first on ``sys.meta_path`` that maps ``torch`` to ``chainrule`` and
``torch.X.Y`` to ``chainrule.X.Y`` (``torch.nn.functional``, ``torch.optim.lr_scheduler``,
``torch.utils.data.dataloader``, ...). A submodule that chainrule does not have (``torch.nn.utils.rnn``,
``torch.distributed``) raises ModuleNotFoundError that names the PyTorch module and says chainrule lacks it;
so do the packages that need PyTorch itself (torchvision, torchaudio, torchtext). This shim is the only
place where chainrule is called ``torch``: the rest of the library never changes the import system.

The runner also switches chainrule to PyTorch's random streams (``chainrule.use_torch_random_streams()``),
so that a seeded program prints the numbers it prints under PyTorch; ``--numpy-streams`` keeps NumPy's.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

# packages built on PyTorch itself: under the shim they would import chainrule as torch and fail deep inside
NEEDS_PYTORCH = ("torchvision", "torchaudio", "torchtext", "torchdata", "torchmetrics", "lightning",
                 "pytorch_lightning")


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``torch[.X]`` -> the module ``chainrule[.X]`` itself (one module object under both names)."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in NEEDS_PYTORCH:
            raise ModuleNotFoundError(
                f"{fullname} needs PyTorch itself; chainrule's torch shim does not provide it "
                f"(datasets: chainrule.data.datasets.load('digits'), or scikit-learn's)", name=fullname)
        if top != "torch":
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return chainrule_module(spec.name)

    def exec_module(self, module):  # the chainrule module is already imported and run
        pass


def chainrule_module(torch_name: str) -> types.ModuleType:
    """The chainrule module that stands for the PyTorch module ``torch_name`` (``torch.nn`` -> chainrule.nn).

    A module that chainrule keeps as an attribute (``chainrule.linalg``) counts; anything else is
    ModuleNotFoundError naming what is missing."""
    target = "chainrule" + torch_name[len("torch"):]
    parent_name, _, leaf = target.rpartition(".")
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as err:
        if err.name != target:
            raise
    parent = importlib.import_module(parent_name) if parent_name else None
    attr = getattr(parent, leaf, None)
    if isinstance(attr, types.ModuleType):
        return attr
    raise ModuleNotFoundError(
        f"No module named {torch_name!r}: chainrule, standing in for torch, has no {target} "
        f"(this program needs a part of PyTorch that chainrule does not implement)", name=torch_name)


_ALIAS = _TorchAlias()


def installed() -> bool:
    return _ALIAS in sys.meta_path


def install(torch_random_streams: bool = False) -> types.ModuleType:
    """Make ``import torch`` (and ``torch.X``) import chainrule; returns chainrule.

    Raises RuntimeError when the real PyTorch is already imported in this process: the program would
    mix the two. ``torch_random_streams=True`` also switches to PyTorch's CPU random streams."""
    import chainrule

    from ..engine import dtypes

    real = sys.modules.get("torch")
    if real is not None and real is not chainrule:
        raise RuntimeError("torch_compat.install(): PyTorch is already imported in this process; install the "
                           "shim before anything imports torch (or run the program with "
                           "`python -m chainrule.torch_compat program.py`)")
    if not installed():
        sys.meta_path.insert(0, _ALIAS)
    dtypes.shown_module = "torch"  # dtypes and sizes print as torch.float32, torch.Size([2])
    if torch_random_streams:
        chainrule.use_torch_random_streams(True)
    return importlib.import_module("torch")


def uninstall() -> None:
    """Undo ``install()``: remove the hook and forget the ``torch*`` names it made (chainrule stays imported)."""
    from ..engine import dtypes

    if installed():
        sys.meta_path.remove(_ALIAS)
    dtypes.shown_module = "chainrule"
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        if getattr(sys.modules[name], "__name__", "").startswith("chainrule"):
            del sys.modules[name]


def run_program(path: str, argv=(), torch_random_streams: bool = True) -> int:
    """Run the PyTorch program at ``path`` as ``__main__`` with chainrule as torch; returns its exit code."""
    import os
    import runpy

    install(torch_random_streams=torch_random_streams)
    old_argv, old_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # as `python program.py` does
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        sys.argv = old_argv
        if sys.path and sys.path[0] != old_path0:
            del sys.path[0]
    return 0

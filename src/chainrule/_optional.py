"""chainrule's optional dependencies in one place: which extra brings which package, and the one helper that
imports an optional package or raises a one-line error naming the extra to install.

    sklearn_datasets = optional.require("sklearn.datasets", "the 'digits' dataset")
    # without scikit-learn: MissingDependency: the 'digits' dataset needs scikit-learn:
    #                       pip install 'chainrule[sklearn]' (or: pip install scikit-learn)

``MissingDependency`` is an ``ImportError``; the ``chainrule`` command prints it as one line (exit 1).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__all__ = ["EXTRAS", "MissingDependency", "require", "available", "missing"]

# top-level import name -> (the extra that brings it, its name on PyPI); pyproject.toml's extras say the same
EXTRAS: dict[str, tuple[str, str]] = {
    "matplotlib": ("plot", "matplotlib"),
    "sklearn": ("sklearn", "scikit-learn"),
    "starlette": ("playground", "starlette"),
    "uvicorn": ("playground", "uvicorn"),
    "websockets": ("playground", "websockets"),
    "threadpoolctl": ("playground", "threadpoolctl"),
    "onnx": ("export", "onnx"),
    "onnxruntime": ("export", "onnxruntime"),
    "tensorboard": ("tensorboard", "tensorboard"),
    "distributed": ("sweep", "dask[distributed]"),
    "dask": ("sweep", "dask[distributed]"),
    "optuna": ("sweep", "optuna"),
    "tqdm": ("notebook", "tqdm"),
    "IPython": ("notebook", "ipython"),
    "cupy": ("cuda", "cupy-cuda12x"),
    "tomli": ("core", "tomli"),
}


class MissingDependency(ImportError):
    """An optional package is not installed; the message is one line that says what to install."""


def missing(module: str, what: str) -> MissingDependency:
    """The error for ``what`` needing the optional ``module`` (e.g. ``missing("onnx", "chainrule.onnx.export")``)."""
    top = module.split(".")[0]
    extra, package = EXTRAS.get(top, (None, top))
    if extra is None or extra == "core":
        how = f"pip install {package}"
    else:
        how = f"pip install 'chainrule[{extra}]' (or: pip install {package})"
    return MissingDependency(f"{what} needs {package}: {how}", name=top)


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` (e.g. ``"sklearn.datasets"``), or raise ``MissingDependency`` naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if err.name is None or not module.startswith(err.name.split(".")[0]):
            raise  # the package is there but broken: its own error says more than ours would
        raise missing(module, what) from None


def available(module: str) -> bool:
    """Is ``module`` importable (without importing it)?"""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False

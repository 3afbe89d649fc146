"""The optional extras' packages in tests: skipped where they are missing, but a failure in CI.

    ort = require("onnxruntime")      # at the top of a test module
"""

import importlib
import os

import pytest


def require(name):
    """Import ``name``; without it, fail under CI (``make test`` installs the dev extra) and skip elsewhere."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: CI needs it (pip install -e '.[dev]')", pytrace=False)
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')", allow_module_level=True)

"""Optional dependencies of some tests: skipped where a developer lacks them, a failure in CI (CI set),
where `make test` has installed the dev extra."""

import importlib
import os

import pytest


def require(module, install):
    """Import ``module`` or skip (fail under CI), saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is missing: the dev extra installs it (pip install -e '.[dev]')")
        pytest.skip(f"{module} is not installed ({install})")

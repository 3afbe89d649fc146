"""The lecture notebooks (examples/notebooks/) run top to bottom in a real kernel, with no error, and every cell
tagged "rich" shows a picture or a page (image/png, image/svg+xml or text/html), not just text."""

import os
import pathlib

import pytest

from extras import require

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
RICH = {"image/png", "image/svg+xml", "text/html"}
pytestmark = pytest.mark.slow


def test_the_notebooks_are_built_from_build_notebooks_py():
    nbformat = require("nbformat")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "examples/notebooks/build_notebooks.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert sorted(build.NOTEBOOKS) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:  # the committed files hold the generator's cells, without outputs
        nb = nbformat.read(path, as_version=4)
        assert [c.source for c in nb.cells] == [c.source for c in build.NOTEBOOKS[path.name]]
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_rich_outputs(path, tmp_path, monkeypatch):
    nbformat = require("nbformat")
    nbclient = require("nbclient")
    require("ipykernel")
    require("matplotlib")
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": tmp_path}})
    client.execute()  # raises CellExecutionError on the first failing cell
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kinds = {k for out in cell.outputs for k in out.get("data", {})}
        assert not any(out.output_type == "error" for out in cell.outputs), (path.name, i)
        if "rich" in cell.metadata.get("tags", []):
            assert kinds & RICH, f"{path.name} cell {i}: only {sorted(kinds) or 'no output'}"

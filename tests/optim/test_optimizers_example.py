"""examples/optimizers.py runs (quickly) and writes its four PNG figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "optimizers.py"


def test_example_writes_pngs(tmp_path):
    spec = importlib.util.spec_from_file_location("optimizers_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = module.main(["--quick", "--out", str(tmp_path / "figs")])
    names = sorted(Path(p).name for p in paths)
    assert names == ["optimizers_beale.png", "optimizers_mlp.png", "optimizers_rosenbrock.png",
                     "optimizers_saddle.png"]
    for p in paths:
        data = Path(p).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_saddle_story_holds():
    """The picture's claim: on the saddle SGD is still stuck after 300 steps, the others escaped."""
    spec = importlib.util.spec_from_file_location("optimizers_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problem = module.PROBLEMS["saddle"]
    gaps = {}
    for label, cls, kwargs in module.OPTIMIZERS:
        _, values = module.trajectory(problem, label, cls, kwargs, problem["steps"])
        gaps[label] = values[-1] - problem["f_min"]
    assert gaps["SGD"] > 0.9
    assert all(gap < 1e-2 for label, gap in gaps.items() if label != "SGD")

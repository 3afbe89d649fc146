"""The examples run and do what they say."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_xor_example_learns_xor(capsys):
    runpy.run_path(str(EXAMPLES / "xor.py"), run_name="__main__")
    out = capsys.readouterr().out
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step")]
    assert losses[-1] < 0.05 < losses[0]
    preds = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("  x =")]
    assert [p > 0.5 for p in preds] == [False, True, True, False]


def test_custom_function_example(capsys):
    runpy.run_path(str(EXAMPLES / "custom_function.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "gradcheck: True" in out and "SoftSignBackward" in out
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step")]
    assert losses[-1] < losses[0] / 5

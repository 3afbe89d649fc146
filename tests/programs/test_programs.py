"""Real course programs run unchanged with chainrule as torch, and print what they print under PyTorch.

Each program in this folder is run twice in a fresh interpreter (launch.py): under PyTorch, and through
``chainrule.torch_compat`` with PyTorch's random streams; both start from ``manual_seed(0)``. What they print
must agree: the text to the letter, every number to a tolerance (a printed number may also differ by one
unit in its last printed digit; object addresses are ignored). Each program's header names the public
program it follows and what differs from it. In CI a missing PyTorch is a failure, not a skip.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SRC = str(HERE.parents[1] / "src")

# program -> (rtol, atol, slow). The tolerances cover float32 rounding that differs between two libraries (the
# order of a BLAS sum), which grows over a training run; atol is for values that are rounding noise around 0.
PROGRAMS = {
    "autograd_basics": (1e-6, 0, False),
    "manual_gradient_descent": (1e-6, 0, False),
    "loss_and_optimizer": (1e-6, 0, False),
    "softmax_and_cross_entropy": (1e-6, 0, False),
    "linear_regression_sklearn": (1e-6, 0, False),
    "logistic_regression_breast_cancer": (1e-5, 0, False),
    "classification_two_clusters": (1e-5, 0, False),
    "regression_save_reload": (1e-5, 0, False),
    "batch_train": (0, 0, False),
    "optimizers_compare": (1e-4, 0, False),
    "dropout_overfitting": (1e-4, 0, False),
    "batch_normalization": (1e-4, 0, False),
    "dataset_dataloader_wine": (0, 0, False),
    "linear_regression_numpy": (1e-6, 0, False),
    "logistic_regression_digits": (1e-5, 0, False),
    "feedforward_digits": (1e-5, 0, False),
    "polynomial_autograd": (1e-5, 0, False),
    "custom_autograd_function": (1e-5, 1e-8, False),
    "polynomial_nn_optim": (1e-5, 0, False),
    "polynomial_module_dynamic": (1e-5, 0, False),
    "quickstart_digits": (1e-5, 0, False),
    "nn_tutorial_digits": (1e-5, 0, False),
    "tensor_basics": (1e-6, 0, False),
    "variable_and_activations": (1e-6, 0, False),
    "build_nn_quickly": (1e-6, 0, False),
    "polynomial_regression_smooth_l1": (1e-5, 0, False),
    "vae_digits": (1e-5, 0, False),
    "lenet_blitz": (1e-5, 0, False),
    "mnist_cnn_digits": (1e-5, 0, False),
}

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _run(backend, program, cwd):
    env = dict(os.environ, PYTHONPATH=SRC, MPLBACKEND="Agg", OMP_NUM_THREADS="1")  # steadier on a busy machine
    r = subprocess.run([sys.executable, str(HERE / "launch.py"), backend, str(HERE / f"{program}.py")],
                       capture_output=True, text=True, env=env, cwd=cwd, timeout=600)
    assert r.returncode == 0, f"{program} under {backend} failed:\n{r.stderr[-3000:]}"
    return re.sub(r" at 0x[0-9a-f]+", " at 0x…", r.stdout)


def _slack(token):
    """One unit in the last printed digit of a float written with decimals or an exponent (0 otherwise)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    if not decimals and not exponent:
        return 0.0
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def assert_same_output(torch_out, chainrule_out, rtol, atol=0.0):
    t_lines, c_lines = torch_out.splitlines(), chainrule_out.splitlines()
    assert len(t_lines) == len(c_lines), f"{len(c_lines)} lines printed, torch printed {len(t_lines)}"
    for n, (t, c) in enumerate(zip(t_lines, c_lines), 1):
        where = f"line {n}:\n  torch:     {t}\n  chainrule: {c}"
        assert _NUMBER.sub("#", t) == _NUMBER.sub("#", c), f"the text differs on {where}"
        for a, b in zip(_NUMBER.findall(t), _NUMBER.findall(c)):
            x, y = float(a), float(b)
            assert abs(x - y) <= max(rtol * max(abs(x), abs(y)), 1.01 * max(_slack(a), _slack(b)), atol, 1e-30), \
                f"{b} != torch's {a} (rtol {rtol}, atol {atol}) on {where}"


def _params():
    return [pytest.param(name, rtol, atol, marks=[pytest.mark.slow] if slow else [], id=name)
            for name, (rtol, atol, slow) in PROGRAMS.items()]


@pytest.fixture(scope="module")
def torch_available():
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        if os.environ.get("CI"):
            pytest.fail("PyTorch is not installed: CI needs it to compare the course programs")
        pytest.skip("PyTorch is not installed")


@pytest.mark.parametrize("program, rtol, atol", _params())
def test_program_prints_what_it_prints_under_pytorch(program, rtol, atol, torch_available, tmp_path):
    assert_same_output(_run("torch", program, tmp_path), _run("chainrule", program, tmp_path), rtol, atol)


def test_every_program_here_is_listed_and_names_its_source():
    files = {p.stem for p in HERE.glob("*.py")} - {"launch", "test_programs"}
    assert files == set(PROGRAMS)
    for name in files:
        head = (HERE / f"{name}.py").read_text().split('"""')[1]
        assert "After " in head and "@" in head and "Changed:" in head, f"{name}.py: its header must name its source"


def test_the_comparison_allows_rounding_in_the_last_digit_only():
    assert_same_output("loss 0.1569 at step 41\n", "loss 0.1570 at step 41\n", 1e-6)
    assert_same_output("tensor(30., grad_fn=<MseLossBackward0>)", "tensor(30.0000001, grad_fn=<MseLossBackward0>)",
                       1e-6)
    for other in ("loss 0.1571 at step 41\n", "loss 0.1569 at step 42\n", "Loss 0.1569 at step 41\n"):
        with pytest.raises(AssertionError):
            assert_same_output("loss 0.1569 at step 41\n", other, 1e-6)

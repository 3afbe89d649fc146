"""Quality, measured: the default `chainrule train` on digits, the two-arm spiral, and XOR with and without a
hidden layer."""

import contextlib
import io
import json
import os

import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.cli import main
from chainrule.data import datasets
from chainrule.train import evaluate, fit


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`chainrule train` with no arguments, run once (from an empty folder: the run goes to ./runs/)."""
    where = tmp_path_factory.mktemp("default")
    old = os.getcwd()
    out = io.StringIO()
    try:
        os.chdir(where)
        with contextlib.redirect_stdout(out):
            code = main(["train"])
    finally:
        os.chdir(old)
    (run_dir,) = (where / "runs").iterdir()
    return code, out.getvalue(), run_dir


def test_default_train_reaches_97_percent_on_digits(default_run):
    code, _, run_dir = default_run
    assert code == 0
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["dataset"] == "digits" and summary["n_test"] == 270
    assert summary["test"]["accuracy"] >= 0.97, summary["test"]


def test_default_train_shows_progress_and_ends_with_accuracy_and_files(default_run):
    _, text, run_dir = default_run
    lines = text.splitlines()
    assert lines[0].startswith("data:  digits (1257 train / 270 val / 270 test")
    assert any(line.startswith("epoch  1/40  loss ") for line in lines)  # plain lines: stdout is not a TTY
    assert lines[-2].startswith("test: loss") and "accuracy 9" in lines[-2] and "/270)" in lines[-2]
    assert lines[-1].startswith(f"run saved in runs/{run_dir.name}/")
    assert run_dir.name.startswith("digits-")
    for name in ("config.json", "history.csv", "model.ckpt", "summary.json", "checkpoints/last.ckpt",
                 "learning_curves.png", "confusion_matrix.png"):
        assert (run_dir / name).exists(), name
    assert len((run_dir / "history.csv").read_text().splitlines()) == 41


def test_small_mlp_solves_the_two_arm_spiral():
    split = datasets.load("spiral", noise=0.0)
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=0.03)
    fit(model, nn.CrossEntropyLoss(), opt, split.train, epochs=150, verbose=False,
        scheduler=optim.lr_scheduler.CosineAnnealingLR(opt, 150))
    assert evaluate(model, None, split.test, metrics=["accuracy"])["accuracy"] >= 0.95


@pytest.mark.parametrize("hidden", [0, 1])
def test_xor_needs_a_hidden_layer(hidden):
    """No hidden layer: a line cannot separate XOR, so accuracy stays near chance; one layer solves it."""
    split = datasets.load("xor", noise=0.0)
    cr.manual_seed(0)
    layers = [nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)] if hidden else [nn.Linear(2, 2)]
    model = nn.Sequential(*layers)
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.03), split.train, epochs=100,
        verbose=False)
    train_acc = evaluate(model, None, split.train, metrics=["accuracy"])["accuracy"]
    acc = evaluate(model, None, split.test, metrics=["accuracy"])["accuracy"]
    if hidden:
        assert acc >= 0.95
    else:
        assert acc <= 0.65 and train_acc <= 0.65, (acc, train_acc)

"""The TensorBoard callback and `chainrule train --tensorboard`: event files read back with EventAccumulator."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.cli import main
from chainrule.train import TensorBoard, fit
from extras import require

require("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402


def read(path):
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    return acc


def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return (cr.from_numpy(X[:64]), cr.tensor(y[:64])), (cr.from_numpy(X[64:]), cr.tensor(y[64:]))


def model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 2))


def train(callbacks, epochs=3):
    cr.manual_seed(0)
    m = model()
    train_data, val_data = problem()
    h = fit(m, nn.CrossEntropyLoss(), cr.optim.SGD(m.parameters(), lr=0.1), train_data, val_data, epochs=epochs,
            batch_size=16, metrics=["accuracy"], callbacks=callbacks, verbose=False)
    return m, h


def test_fit_logs_losses_metrics_lr_and_histograms(tmp_path):
    m, h = train([TensorBoard(tmp_path, update_freq=2, hparams={"lr": 0.1, "hidden": [8]})])
    tr, va = read(tmp_path / "train"), read(tmp_path / "val")
    assert [(e.step, e.value) for e in tr.Scalars("loss")] == [(i + 1, pytest.approx(v)) for i, v in
                                                               enumerate(h["loss"])]
    assert [e.value for e in va.Scalars("loss")] == pytest.approx(h["val_loss"])
    assert [e.value for e in va.Scalars("accuracy")] == pytest.approx(h["val_accuracy"])
    assert [e.value for e in tr.Scalars("accuracy")] == pytest.approx(h["accuracy"])
    assert [e.value for e in tr.Scalars("lr")] == pytest.approx([0.1] * 3)
    assert [e.step for e in tr.Scalars("batch_loss")] == list(range(2, 13, 2))  # 4 batches × 3 epochs
    assert {"epoch_time", "loss", "accuracy", "lr", "batch_loss"} == set(tr.Tags()["scalars"])
    hist = set(tr.Tags()["histograms"])
    assert {f"weights/{k}" for k, _ in m.named_parameters()} <= hist
    assert {f"gradients/{k}" for k, _ in m.named_parameters()} <= hist
    assert [e.step for e in tr.Histograms("gradients/0.weight")] == [1, 2, 3]
    w = tr.Histograms("weights/3.weight")[-1].histogram_value
    assert w.num == 16 and w.max == pytest.approx(m[3].weight.numpy().max())
    assert tr.Graph() is not None and any(n.op == "Linear" for n in tr.Graph().node)
    assert "model/text_summary" in tr.Tags()["tensors"]
    root = read(tmp_path)
    assert root.Scalars("hparam/val_accuracy")[0].value == pytest.approx(h["val_accuracy"][-1])
    assert "_hparams_/session_start_info" in root.PluginTagToContent("hparams")


def test_the_callback_leaves_training_unchanged(tmp_path):
    """Same weights and history with and without it: it draws nothing from the random stream."""
    m1, h1 = train([])
    m2, h2 = train([TensorBoard(tmp_path, histogram_freq=1)])
    assert h1["loss"] == h2["loss"] and h1["val_loss"] == h2["val_loss"]
    for a, b in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_histogram_freq_and_bad_arguments(tmp_path):
    train([TensorBoard(tmp_path, histogram_freq=2, write_graph=False)], epochs=4)
    tr = read(tmp_path / "train")
    assert [e.step for e in tr.Histograms("weights/0.bias")] == [2, 4]
    assert not tr.Tags()["graph"]
    with pytest.raises(ValueError, match="update_freq must be 'epoch' or a positive int, got 0"):
        TensorBoard(tmp_path, update_freq=0)
    with pytest.raises(ValueError, match="histogram_freq must be an int >= 0"):
        TensorBoard(tmp_path, histogram_freq=-1)


def test_chainrule_train_tensorboard_and_resume(tmp_path, capsys):
    run = tmp_path / "r"
    args = ["train", "--dataset", "iris", "--hidden", "8", "--epochs", "2", "--schedule", "none", "--out", str(run)]
    assert main([*args, "--tensorboard"]) == 0
    out = capsys.readouterr().out
    assert f"tensorboard --logdir {run / 'tensorboard'}" in out and "tensorboard/" in out
    assert [e.step for e in read(run / "tensorboard" / "val").Scalars("loss")] == [1, 2]
    assert main(["train", "--resume", str(run), "--epochs", "4"]) == 0  # the config keeps --tensorboard
    # Two event files now; EventAccumulator reads them in file-name order, and two files written within one
    # second by one process sort by tensorboard's uid counter as text ("10" < "9"), so compare sorted steps.
    steps = [e.step for e in read(run / "tensorboard" / "val").Scalars("loss")]
    assert sorted(steps) == [1, 2, 3, 4]
    root = read(run / "tensorboard")
    assert "_hparams_/experiment" in root.PluginTagToContent("hparams")


def test_train_without_the_tensorboard_package_fails_before_training(monkeypatch, capsys, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name, *a))
    assert main(["train", "--tensorboard", "--out", str(tmp_path / "r")]) == 2
    assert "--tensorboard: TensorBoard logs need the tensorboard package: pip install 'chainrule[tensorboard]'" in (
        capsys.readouterr().err)
    assert not (tmp_path / "r").exists()

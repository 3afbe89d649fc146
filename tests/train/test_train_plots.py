"""Plots render headless (Agg, without pyplot) and leave the caller's matplotlib backend alone."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.train import History  # noqa: E402
from chainrule.train.plots import confusion_matrix_plot, decision_boundary, learning_curves  # noqa: E402


def _png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def test_learning_curves(tmp_path):
    h = History()
    for e in range(1, 6):
        h.append(e, {"loss": 1 / e, "accuracy": 1 - 1 / (e + 1), "val_loss": 1.2 / e, "val_accuracy": 0.5,
                     "lr": 0.1, "time": 0.1})
    fig = learning_curves(h, tmp_path / "lc.png", title="t")
    _png(tmp_path / "lc.png")
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in fig.axes[0].lines] == ["train loss", "val loss"]


def test_confusion_matrix_plot(tmp_path):
    fig = confusion_matrix_plot(np.array([[5, 1], [0, 7]]), ["no", "yes"], tmp_path / "cm.png")
    _png(tmp_path / "cm.png")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "5", "7"]


@pytest.mark.parametrize("n_out,task", [(3, "classification"), (1, "classification"), (1, "regression")])
def test_decision_boundary(tmp_path, n_out, task):
    import matplotlib

    backend = matplotlib.get_backend()
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, n_out))
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.random.default_rng(1).integers(0, max(n_out, 2), 40) if task == "classification" else X.sum(1)
    decision_boundary(model, X, y, tmp_path / "db.png", transform=lambda g: g * 0.5, resolution=50, task=task)
    _png(tmp_path / "db.png")
    assert matplotlib.get_backend() == backend
    with pytest.raises(ValueError, match="2-D points"):
        decision_boundary(model, X[:, :1], y)

"""fit(metrics=...) takes scikit-learn's metric functions: fn(y_true, y_pred) on labels (values for the
regression ones, scores for the ranking ones), computed on the whole epoch."""

import functools

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.train import evaluate, fit, predict

skm = pytest.importorskip("sklearn.metrics")


def _data(n=120, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (k > 2) * (X[:, 1] > 0.5).astype(np.int64)
    return cr.from_numpy(X), cr.from_numpy(y)


def test_classification_metrics_get_labels_and_the_whole_epoch():
    cr.manual_seed(0)
    X, y = _data()
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    macro_f1 = functools.partial(skm.f1_score, average="macro")
    h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), (X, y), epochs=3,
            metrics=["accuracy", skm.accuracy_score, macro_f1, skm.balanced_accuracy_score], batch_size=16,
            verbose=0)
    assert {"accuracy_score", "f1_score", "balanced_accuracy_score"} <= set(h.history)
    res = evaluate(model, nn.CrossEntropyLoss(), (X, y), metrics=[macro_f1, skm.accuracy_score], batch_size=7)
    pred = predict(model, X).numpy().argmax(1)
    assert res["f1_score"] == pytest.approx(skm.f1_score(y.numpy(), pred, average="macro"))  # not a batch mean
    assert res["accuracy_score"] == pytest.approx(skm.accuracy_score(y.numpy(), pred))
    assert h["val_accuracy_score"][-1] == pytest.approx(h["val_accuracy"][-1])


def test_regression_and_ranking_metrics():
    cr.manual_seed(0)
    X, y = _data(k=2)
    logit_model = nn.Sequential(nn.Linear(4, 1))
    res = evaluate(logit_model, None, (X, y.float().reshape(-1, 1)), metrics=[skm.roc_auc_score], batch_size=10)
    z = predict(logit_model, X).numpy()[:, 0]
    assert res["roc_auc_score"] == pytest.approx(skm.roc_auc_score(y.numpy(), z))
    reg = nn.Linear(4, 1)
    t = cr.from_numpy(X.numpy()[:, :1] * 2.0)
    res = evaluate(reg, None, (X, t), metrics=[skm.mean_squared_error, skm.r2_score], batch_size=9)
    out = predict(reg, X).numpy()[:, 0]
    assert res["mean_squared_error"] == pytest.approx(skm.mean_squared_error(t.numpy()[:, 0], out), rel=1e-5)
    assert res["r2_score"] == pytest.approx(skm.r2_score(t.numpy()[:, 0], out), rel=1e-5)
    from chainrule.train.metrics import get_metric

    assert get_metric(skm.mean_squared_error).higher_is_better is False
    assert get_metric(skm.accuracy_score).higher_is_better is True

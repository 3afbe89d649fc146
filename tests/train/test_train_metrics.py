"""Metrics against scikit-learn's, and streaming (batch by batch) against whole-array results."""

import numpy as np
import pytest
from sklearn import metrics as skm

import chainrule as cr
from chainrule.train import metrics as M

rng = np.random.default_rng(0)


def test_accuracy_from_scores_labels_and_single_logit():
    logits, y = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    assert M.accuracy(logits, y) == skm.accuracy_score(y, logits.argmax(1))
    assert M.accuracy(cr.tensor(logits), cr.tensor(y)) == M.accuracy(logits, y)  # Tensors too
    assert M.accuracy(logits.argmax(1), y) == skm.accuracy_score(y, logits.argmax(1))  # int predictions
    z, b = rng.normal(size=(40, 1)), rng.integers(0, 2, (40, 1)).astype(np.float32)
    assert M.accuracy(z, b) == skm.accuracy_score(b.ravel(), (z.ravel() > 0).astype(int))  # logit > 0 ⇔ p > ½


def test_confusion_matrix_matches_sklearn():
    logits, y = rng.normal(size=(80, 5)), rng.integers(0, 5, 80)
    np.testing.assert_array_equal(M.confusion_matrix(y, logits), skm.confusion_matrix(y, logits.argmax(1)))
    cm = M.confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), num_classes=3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [1, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="class indices in 0..2"):
        M.confusion_matrix(np.array([0, 3]), np.array([0, 1]), num_classes=3)


@pytest.mark.parametrize("shape", [(60,), (60, 1), (60, 3)])
def test_regression_metrics_match_sklearn(shape):
    y, p = rng.normal(size=shape), rng.normal(size=shape)
    y2, p2 = y.reshape(60, -1), p.reshape(60, -1)
    assert M.r2_score(y, p) == pytest.approx(skm.r2_score(y2, p2), rel=1e-12)
    assert M.rmse(y, p) == pytest.approx(np.sqrt(skm.mean_squared_error(y2, p2)), rel=1e-12)
    assert M.mae(y, p) == pytest.approx(skm.mean_absolute_error(y2, p2), rel=1e-12)


def test_r2_of_a_constant_target_is_one_for_a_perfect_fit_else_zero():
    y = np.full(10, 3.0)
    assert M.r2_score(y, y) == 1.0 and M.r2_score(y, y + 1) == 0.0
    assert skm.r2_score(y, y + 1) == 0.0  # scikit-learn's convention


@pytest.mark.parametrize("name,whole", [
    ("accuracy", lambda o, t: M.accuracy(o, t)), ("rmse", lambda o, t: M.rmse(t, o)),
    ("mae", lambda o, t: M.mae(t, o)), ("r2", lambda o, t: M.r2_score(t, o))])
def test_streaming_metric_equals_whole_array(name, whole):
    out = rng.normal(size=(97, 3)) if name == "accuracy" else rng.normal(size=(97, 2))
    tgt = rng.integers(0, 3, 97) if name == "accuracy" else out + rng.normal(size=(97, 2)) * 0.3
    m = M.get_metric(name)
    for i in range(0, 97, 16):  # uneven last batch
        m.update(out[i:i + 16], tgt[i:i + 16])
    assert m.compute() == pytest.approx(whole(out, tgt), rel=1e-10)
    m.reset()
    assert np.isnan(m.compute())


def test_metric_from_a_function_is_a_batch_weighted_mean():
    m = M.get_metric(lambda o, t: float(np.mean(o)))
    m.update(np.ones(3), None)
    m.update(np.zeros(1), None)
    assert m.compute() == 0.75


def test_unknown_metric_names_the_known_ones():
    with pytest.raises(ValueError, match="known metrics: accuracy"):
        M.get_metric("f1")

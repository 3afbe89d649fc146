"""Dropout: statistics, evaluation identity, gradient, determinism under manual_seed."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    x = cr.ones(400, 500)
    y = nn.Dropout(p)(x).numpy()
    kept = y != 0
    n = kept.size
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / n)  # drop rate within 4 sigma
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)  # inverted scaling
    assert abs(y.mean() - 1) < 0.02  # E[y] = x


def test_dropout_eval_is_identity_and_p0_p1():
    d = nn.Dropout(0.5)
    x = cr.randn(10, 10)
    d.eval()
    assert d(x) is x
    d.train()
    assert (nn.Dropout(1.0)(x).numpy() == 0).all()
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).numpy(), x.numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)
    assert repr(d) == "Dropout(p=0.5, inplace=False)"


def test_dropout_gradient_uses_the_same_mask():
    x = cr.randn(50, 20, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y.numpy() != 0) / 0.7, rtol=1e-6)


def test_dropout_deterministic_under_manual_seed():
    x = cr.ones(30, 30)
    cr.manual_seed(42)
    a = nn.Dropout(0.5)(x).numpy()
    b = nn.Dropout(0.5)(x).numpy()
    cr.manual_seed(42)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).numpy(), a)
    assert (a != b).any()  # consecutive calls draw fresh masks


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_masks_are_torchs_in_torch_mode(p, dtype, torch_streams):
    import torch

    x = torch.randn(7, 50, dtype=getattr(torch, dtype))
    cx = cr.tensor(x.numpy())
    torch.manual_seed(3)
    cr.manual_seed(3)
    for _ in range(2):  # the second mask carries on from the first
        np.testing.assert_array_equal(nn.Dropout(p)(cx).numpy(), torch.nn.Dropout(p)(x).numpy())
    np.testing.assert_array_equal(cr.nn.functional.dropout(cx, p).numpy(), torch.nn.functional.dropout(x, p).numpy())

"""Pooling modules, BatchNorm2d and Dropout1d/2d against torch.nn (float64 values and gradients, repr,
state_dict); the functional forms are checked op by op in tests/engine/test_conv.py."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
from nn_oracle import compare_module

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from oracle import check_op

POOLS = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "dilation": (2, 1)}),
    ("MaxPool1d", (3,), {"stride": 2}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}),
    ("AvgPool2d", ((2, 3),), {"divisor_override": 4}),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1}),
    ("AdaptiveAvgPool2d", ((3, 2),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((None, 4),), {}),
    ("AdaptiveAvgPool1d", (4,), {}),
]


@pytest.mark.parametrize("name,args,kw", POOLS, ids=[f"{n}{a}{k}" for n, a, k in POOLS])
def test_pooling_modules(name, args, kw):
    c, t = getattr(nn, name)(*args, **kw), getattr(tnn, name)(*args, **kw)
    shape = (2, 3, 7, 9) if name.endswith("2d") else (2, 3, 11)
    compare_module(c, t, shape)
    compare_module(c, t, shape[1:])  # unbatched
    assert repr(c) == repr(t)
    assert c.state_dict() == {} and list(c.parameters()) == []


def test_max_pool_module_return_indices():
    c, t = nn.MaxPool2d(2, return_indices=True), tnn.MaxPool2d(2, return_indices=True)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    (cy, ci), (ty, ti) = c(cr.tensor(x)), t(torch.tensor(x))
    np.testing.assert_array_equal(ci.numpy(), ti.numpy())
    np.testing.assert_array_equal(cy.numpy(), ty.numpy())


# ------------------------------------------------------------------------------------------- BatchNorm2d
@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}],
                         ids=str)
def test_batchnorm2d_train_steps_then_eval(kw):
    c, t = nn.BatchNorm2d(3, **kw), tnn.BatchNorm2d(3, **kw)
    with torch.no_grad():
        if t.weight is not None:
            t.weight.uniform_(0.5, 2)
            t.bias.normal_()
    compare_module(c, t, (4, 3, 5, 6), steps=3)
    c.eval()
    t.eval()
    compare_module(c, t, (4, 3, 5, 6), steps=1, seed=7)
    assert repr(c) == repr(t)
    assert list(c.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("shape", [(4, 3, 2, 3), (5, 3), (4, 3, 5)])
def test_fused_training_batch_norm_gradients_of_input_weight_and_bias(shape):
    """The fused node's backward (through μ and σ² too) against torch and by gradcheck."""
    check_op([shape, (3,), (3,)], lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
             lambda x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, training=True))
    check_op([shape], lambda x: F.batch_norm(x, None, None, training=True, eps=0.1),
             lambda x: torch.nn.functional.batch_norm(x, None, None, training=True, eps=0.1))


def test_batchnorm2d_statistics_are_per_channel_over_batch_and_pixels():
    bn = nn.BatchNorm2d(2)
    x = cr.randn(8, 2, 5, 5, dtype=cr.float64) * 3.0 + 1.0
    y = bn.to(cr.float64)(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batchnorm2d_errors():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input \(N, C, H, W\)"):
        nn.BatchNorm2d(3)(cr.randn(4, 3))
    with pytest.raises(ValueError, match="num_features=3"):
        nn.BatchNorm2d(3)(cr.randn(4, 2, 3, 3))


# ----------------------------------------------------------------------------------------- Dropout2d, 1d
@pytest.mark.parametrize("cls,shape", [(nn.Dropout2d, (40, 50, 3, 4)), (nn.Dropout1d, (40, 50, 6)),
                                       (nn.Dropout1d, (200, 6))])
def test_channel_dropout_drops_whole_channels(cls, shape):
    p = 0.3
    y = cls(p)(cr.ones(*shape)).numpy()
    lead = 2 if len(shape) > 2 else 1
    per_channel = y.reshape(shape[:lead] + (-1,))
    assert ((per_channel == 0).all(-1) | (per_channel != 0).all(-1)).all()  # a channel is all kept or all dropped
    kept = (per_channel != 0).all(-1)
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / kept.size)
    np.testing.assert_allclose(per_channel[kept], 1 / (1 - p), rtol=1e-6)


def test_dropout2d_eval_gradient_and_repr():
    d = nn.Dropout2d(0.5)
    assert repr(d) == repr(tnn.Dropout2d(0.5))
    x = cr.randn(4, 6, 3, 3, requires_grad=True)
    y = d(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y.numpy() != 0) * 2.0, rtol=1e-6)
    d.eval()
    assert d(x) is x
    with pytest.warns(UserWarning, match="3D input to dropout2d"):  # torch's own warning: (N, C, L) is assumed
        F.dropout2d(cr.ones(2, 3, 4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout2d(x, 1.5)

"""BatchNorm1d against torch.nn.BatchNorm1d over several training steps, then in evaluation."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
from nn_oracle import compare_module

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from oracle import check_op, on_device

CONFIGS = [
    {},
    {"momentum": 0.3, "eps": 1e-3},
    {"momentum": None},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
]


@pytest.mark.parametrize("kw", CONFIGS, ids=[str(k) for k in CONFIGS])
@pytest.mark.parametrize("shape", [(8, 4), (5, 4, 3)])
def test_batchnorm_train_steps_then_eval(kw, shape):
    c, t = nn.BatchNorm1d(4, **kw), tnn.BatchNorm1d(4, **kw)
    with torch.no_grad():  # non-trivial affine parameters
        if t.weight is not None:
            t.weight.uniform_(0.5, 2)
        if t.bias is not None:
            t.bias.normal_()
    compare_module(c, t, shape, steps=4)
    if kw.get("track_running_stats", True):
        assert int(c.num_batches_tracked.item()) == 4
    c.eval()
    t.eval()
    compare_module(c, t, shape, steps=2, seed=5)
    assert repr(c) == repr(t)
    assert list(c.state_dict()) == list(t.state_dict())


def test_batchnorm_functional_with_gradcheck():
    w, b = on_device(np.array([1.5, 0.5, 2.0])), on_device(np.array([0.1, -0.2, 0.3]))
    tw, tb = torch.tensor([1.5, 0.5, 2.0], dtype=torch.float64), torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)
    check_op([(6, 3)], lambda x: F.batch_norm(x, None, None, w, b, training=True),
             lambda x: torch.nn.functional.batch_norm(x, None, None, tw, tb, training=True))
    rm, rv = np.array([0.1, 0.2, -0.3]), np.array([1.5, 0.7, 2.0])
    check_op([(6, 3, 2)], lambda x: F.batch_norm(x, on_device(rm), on_device(rv), w, b),
             lambda x: torch.nn.functional.batch_norm(x, torch.tensor(rm), torch.tensor(rv), tw, tb))


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="num_features=3"):
        bn(cr.randn(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(cr.randn(1, 3))
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\)"):
        bn(cr.randn(3))
    bn.eval()
    assert bn(cr.randn(1, 3)).shape == (1, 3)  # one sample is fine in evaluation


def test_batchnorm_output_is_normalised_in_training():
    bn = nn.BatchNorm1d(5)
    y = bn(cr.randn(64, 5) * 3 + 7).numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(0), 1, atol=1e-3)

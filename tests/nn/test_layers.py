"""Layers and activation/loss modules against torch.nn (float64: outputs, input and parameter gradients)."""

import math

import numpy as np
import pytest
import torch
import torch.nn as tnn
from nn_oracle import compare_module

import chainrule as cr
import chainrule.nn as nn


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear(bias, shape):
    compare_module(nn.Linear(3, 4, bias=bias), tnn.Linear(3, 4, bias=bias), shape)


def test_linear_default_init_bounds_and_shapes():
    lin = nn.Linear(50, 20)
    assert lin.weight.shape == (20, 50) and lin.bias.shape == (20,)
    bound = 1 / math.sqrt(50)
    assert np.abs(lin.weight.numpy()).max() <= bound and np.abs(lin.bias.numpy()).max() <= bound
    assert np.abs(lin.weight.numpy()).max() > 0.9 * bound  # fills the interval
    assert lin.weight.requires_grad and lin.weight.dtype == cr.float32
    assert repr(lin) == repr(tnn.Linear(50, 20))
    assert nn.Linear(2, 3, bias=False).bias is None


def test_linear_bad_input_message():
    with pytest.raises(ValueError, match="in_features=3"):
        nn.Linear(3, 4)(cr.randn(5, 2))


ACT_MODULES = [
    (nn.Sigmoid(), tnn.Sigmoid()), (nn.Tanh(), tnn.Tanh()), (nn.ReLU(), tnn.ReLU()),
    (nn.LeakyReLU(), tnn.LeakyReLU()), (nn.LeakyReLU(0.3), tnn.LeakyReLU(0.3)), (nn.ELU(), tnn.ELU()),
    (nn.ELU(alpha=0.7), tnn.ELU(alpha=0.7)), (nn.Softplus(), tnn.Softplus()),
    (nn.Softplus(beta=3, threshold=2), tnn.Softplus(beta=3, threshold=2)), (nn.GELU(), tnn.GELU()),
    (nn.GELU("tanh"), tnn.GELU("tanh")), (nn.SiLU(), tnn.SiLU()), (nn.Softmax(dim=1), tnn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=-1), tnn.LogSoftmax(dim=-1)), (nn.PReLU(), tnn.PReLU()),
    (nn.PReLU(3, init=0.1), tnn.PReLU(3, init=0.1)), (nn.Identity(), tnn.Identity()),
    (nn.Flatten(), tnn.Flatten()), (nn.Flatten(0, 1), tnn.Flatten(0, 1)),
]


@pytest.mark.parametrize("cmod,tmod", ACT_MODULES, ids=[repr(t) for _, t in ACT_MODULES])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_activation_modules(cmod, tmod, shape):
    compare_module(cmod, tmod, shape)
    assert repr(cmod) == repr(tmod)


def test_prelu_learns_its_slope():
    cmod, tmod = nn.PReLU(), tnn.PReLU()
    compare_module(cmod, tmod, (6, 4))
    assert cmod.weight.grad is not None and cmod.weight.grad.numpy().any()


REG_LOSSES = [(nn.MSELoss, tnn.MSELoss, {}), (nn.L1Loss, tnn.L1Loss, {}), (nn.HuberLoss, tnn.HuberLoss, {}),
              (nn.HuberLoss, tnn.HuberLoss, {"delta": 0.5})]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("C,T,kw", REG_LOSSES)
def test_regression_loss_modules(reduction, C, T, kw):
    y = np.random.default_rng(1).standard_normal((4, 3))
    compare_module(C(reduction=reduction, **kw), T(reduction=reduction, **kw), (4, 3), targets=(y,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_classification_loss_modules(reduction):
    rng = np.random.default_rng(2)
    y01 = (rng.uniform(size=(4, 3)) > 0.5).astype(float)
    w = rng.uniform(0.5, 2, 3)
    labels = np.array([0, 2, 1, -100])
    compare_module(nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=cr.tensor(w)),
                   tnn.BCEWithLogitsLoss(reduction=reduction, pos_weight=torch.tensor(w)), (4, 3), targets=(y01,))
    compare_module(nn.CrossEntropyLoss(weight=cr.tensor(w), reduction=reduction, label_smoothing=0.1),
                   tnn.CrossEntropyLoss(weight=torch.tensor(w), reduction=reduction, label_smoothing=0.1),
                   (4, 3), targets=(labels,))
    compare_module(nn.NLLLoss(reduction=reduction, ignore_index=1), tnn.NLLLoss(reduction=reduction, ignore_index=1),
                   (4, 3), targets=(labels.clip(0),))


def test_bce_module_on_probabilities():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.1, 0.9, (6,))
    y = (rng.uniform(size=6) > 0.5).astype(float)
    for red in ("mean", "sum", "none"):
        c = nn.BCELoss(reduction=red)(cr.tensor(p, requires_grad=True), cr.tensor(y))
        t = tnn.BCELoss(reduction=red)(torch.tensor(p), torch.tensor(y))
        np.testing.assert_allclose(c.numpy(), t.numpy())


def test_loss_weight_is_a_buffer_as_in_torch():
    w = np.array([1.0, 2.0])
    assert list(nn.CrossEntropyLoss(weight=cr.tensor(w)).state_dict()) == list(
        tnn.CrossEntropyLoss(weight=torch.tensor(w)).state_dict())
    assert list(nn.BCEWithLogitsLoss(pos_weight=cr.tensor(w)).state_dict()) == ["pos_weight"]
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")

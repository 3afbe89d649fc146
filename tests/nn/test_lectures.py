"""The lectures' points about networks, as tests (a hand-written SGD loop, no optimizer module)."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])  # XOR


def train(model, x, y, lr, steps):
    x, y = cr.tensor(x, dtype=cr.float64), cr.tensor(y, dtype=cr.float64)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad.data
    with cr.no_grad():
        logits = model(x)
    acc = float(((logits.numpy() > 0) == (y.numpy() > 0.5)).mean())
    return float(F.binary_cross_entropy_with_logits(logits, y).item()), acc


def test_no_hidden_layer_cannot_learn_xor():
    model = nn.Linear(2, 1).double()
    loss, acc = train(model, X, Y, lr=0.5, steps=500)
    assert acc <= 0.75  # a line separates at most 3 of the 4 points
    assert loss > np.log(2) - 1e-3  # the best a linear model does on XOR is w = 0: loss log 2


def test_extra_product_feature_makes_xor_linearly_separable():
    xf = np.hstack([X, X[:, :1] * X[:, 1:]])  # (x1, x2, x1·x2)
    loss, acc = train(nn.Linear(3, 1).double(), xf, Y, lr=0.5, steps=500)
    assert acc == 1.0 and loss < 0.05


def test_two_layer_tanh_network_learns_xor():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    loss, acc = train(model, X, Y, lr=0.5, steps=1000)
    assert acc == 1.0 and loss < 0.05


def test_stacked_linear_layers_are_one_linear_map():
    stack = nn.Sequential(nn.Linear(2, 5), nn.Linear(5, 4), nn.Linear(4, 1)).double()
    (W1, b1), (W2, b2), (W3, b3) = [(m.weight.numpy(), m.bias.numpy()) for m in stack]
    single = nn.Linear(2, 1).double()
    single.load_state_dict({"weight": W3 @ W2 @ W1, "bias": W3 @ (W2 @ b1 + b2) + b3})
    x = cr.randn(10, 2, dtype=cr.float64)
    np.testing.assert_allclose(stack(x).numpy(), single(x).numpy(), rtol=1e-12, atol=1e-12)
    # ... so, like a single layer, it cannot learn XOR however deep it is
    loss, acc = train(stack, X, Y, lr=0.1, steps=500)
    assert acc <= 0.75 and loss > np.log(2) - 1e-3
    # with a nonlinearity in between it is no longer affine: f(x + y) != f(x) + f(y) − f(0)
    bent = nn.Sequential(stack[0], nn.Tanh(), stack[1])
    a, b, z = cr.randn(1, 2, dtype=cr.float64), cr.randn(1, 2, dtype=cr.float64), cr.zeros(1, 2, dtype=cr.float64)
    assert not np.allclose(bent(a + b).numpy(), (bent(a) + bent(b) - bent(z)).numpy())


@pytest.mark.parametrize("value", [0.0, 0.3])
def test_constant_initialisation_keeps_hidden_units_identical(value):
    """The symmetry problem: units that start equal get equal gradients and stay equal forever."""
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    for p in model.parameters():
        nn.init.constant_(p, value)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    train(model, x, y, lr=0.5, steps=200)
    W1, b1, W2 = model[0].weight.numpy(), model[0].bias.numpy(), model[2].weight.numpy()
    np.testing.assert_allclose(W1, np.broadcast_to(W1[:1], W1.shape), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b1, b1[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(W2, W2[0, 0], rtol=1e-12, atol=1e-15)
    if value == 0.0:  # with all zeros the hidden layer does not even move: ∂L/∂W1 ∝ W2 = 0
        assert (W1 == 0).all()
    else:
        assert not np.allclose(W1, value)  # it trains, but as one unit copied five times
    # random initialisation breaks the symmetry
    fresh = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    train(fresh, x, y, lr=0.5, steps=50)
    assert np.ptp(fresh[0].weight.numpy(), axis=0).min() > 1e-3

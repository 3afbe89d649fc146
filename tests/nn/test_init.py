"""nn.init: fans and gains exactly as torch, sample statistics against each scheme's formula."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn as nn
from chainrule.nn import init

SHAPES = [(30, 20), (8, 6, 5), (4, 3, 5, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(cr.empty(*shape)) == torch.nn.init._calculate_fan_in_and_fan_out(
        torch.empty(*shape))


@pytest.mark.parametrize("nl,param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)])
def test_gain_matches_torch(nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))


def test_gain_and_fan_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(cr.empty(5))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_normal_(cr.empty(3, 3), mode="fan_avg")


def _var_bound(shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(cr.empty(*shape))
    return fan_in, fan_out


# (scheme, expected std as a function of (fan_in, fan_out), expected max |w| or None)
SCHEMES = {
    "xavier_uniform": (lambda t: init.xavier_uniform_(t, gain=2.0), lambda i, o: 2 * math.sqrt(2 / (i + o)),
                       lambda i, o: 2 * math.sqrt(6 / (i + o))),
    "xavier_normal": (lambda t: init.xavier_normal_(t), lambda i, o: math.sqrt(2 / (i + o)), None),
    "kaiming_uniform_relu": (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"),
                             lambda i, o: math.sqrt(2 / i), lambda i, o: math.sqrt(6 / i)),
    "kaiming_uniform_a5": (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), lambda i, o: math.sqrt(1 / (3 * i)),
                           lambda i, o: 1 / math.sqrt(i)),
    "kaiming_normal_fan_out": (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
                               lambda i, o: math.sqrt(2 / o), None),
    "lecun_uniform": (init.lecun_uniform_, lambda i, o: math.sqrt(1 / (3 * i)), lambda i, o: 1 / math.sqrt(i)),
    "lecun_normal": (init.lecun_normal_, lambda i, o: 1 / math.sqrt(i), None),
    "normal": (lambda t: init.normal_(t, 0.0, 0.3), lambda i, o: 0.3, None),
    "uniform": (lambda t: init.uniform_(t, -0.5, 0.5), lambda i, o: 1 / math.sqrt(12), lambda i, o: 0.5),
}


@pytest.mark.parametrize("name", list(SCHEMES))
def test_scheme_statistics(name):
    fill, std, bound = SCHEMES[name]
    shape = (200, 150, 3)
    t = cr.empty(*shape)
    assert fill(t) is t
    i, o = _var_bound(shape)
    w = t.numpy()
    n = w.size
    assert abs(w.mean()) < 5 * std(i, o) / math.sqrt(n)
    assert w.std() == pytest.approx(std(i, o), rel=0.02)
    if bound is not None:
        assert np.abs(w).max() <= bound(i, o) * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * bound(i, o)


def test_trunc_normal_orthogonal_eye_constant():
    t = init.trunc_normal_(cr.empty(100000), mean=0.5, std=1.0, a=-1.0, b=1.5)
    w = t.numpy()
    assert w.min() >= -1.0 and w.max() <= 1.5
    ref = torch.nn.init.trunc_normal_(torch.empty(100000, dtype=torch.float64), mean=0.5, std=1.0, a=-1.0, b=1.5)
    assert w.mean() == pytest.approx(ref.mean().item(), abs=0.02) and w.std() == pytest.approx(ref.std().item(),
                                                                                                  abs=0.02)
    for shape in ((6, 4), (4, 6), (3, 2, 2)):
        q = init.orthogonal_(cr.empty(*shape, dtype=cr.float64), gain=2.0).numpy().reshape(shape[0], -1)
        small = q @ q.T if shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(small, 4 * np.eye(small.shape[0]), atol=1e-10)
    np.testing.assert_array_equal(init.eye_(cr.empty(2, 3)).numpy(), np.eye(2, 3))
    assert (init.constant_(cr.empty(3), 0.7).numpy() == np.float32(0.7)).all()
    assert (init.zeros_(cr.ones(3)).numpy() == 0).all() and (init.ones_(cr.zeros(3)).numpy() == 1).all()


def test_generator_and_manual_seed_reproducible():
    g = cr.Generator().manual_seed(3)
    a = init.kaiming_normal_(cr.empty(5, 5), generator=g).numpy()
    g.manual_seed(3)
    np.testing.assert_array_equal(init.kaiming_normal_(cr.empty(5, 5), generator=g).numpy(), a)
    cr.manual_seed(1)
    l1 = nn.Linear(4, 3)
    cr.manual_seed(1)
    l2 = nn.Linear(4, 3)
    np.testing.assert_array_equal(l1.weight.numpy(), l2.weight.numpy())


def test_init_on_parameter_keeps_graph_free_and_apply():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))

    def reinit(m):
        if isinstance(m, nn.Linear):
            init.xavier_uniform_(m.weight, gain=init.calculate_gain("tanh"))
            init.zeros_(m.bias)

    model.apply(reinit)
    assert model[0].weight.grad_fn is None and model[0].weight.requires_grad
    assert (model[2].bias.numpy() == 0).all()


# ------------------------------------------------------------- torch's streams (use_torch_random_streams)
@pytest.mark.parametrize("seed", [0, 1, 123])
def test_linear_default_init_is_torchs_after_a_seed(seed, torch_streams):
    torch.manual_seed(seed)
    cr.manual_seed(seed)
    for shape in [(2, 3), (784, 128), (5, 1)]:
        t, c = torch.nn.Linear(*shape), nn.Linear(*shape)
        np.testing.assert_array_equal(c.weight.numpy(), t.weight.detach().numpy())
        np.testing.assert_array_equal(c.bias.numpy(), t.bias.detach().numpy())


@pytest.mark.parametrize("name, kwargs", [("uniform_", {"a": -0.3, "b": 0.8}), ("normal_", {"mean": 0.1, "std": 0.02}),
                                          ("xavier_uniform_", {}), ("xavier_normal_", {"gain": 5 / 3}),
                                          ("kaiming_uniform_", {"a": math.sqrt(5)}),
                                          ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"})])
@pytest.mark.parametrize("shape", [(3, 4), (30, 20), (8, 6, 5)])  # 12 < 16 <= 600: both normal kernels
def test_init_schemes_draw_torchs_numbers(name, kwargs, shape, torch_streams):
    torch.manual_seed(7)
    cr.manual_seed(7)
    t, c = torch.empty(shape), cr.empty(*shape)
    getattr(torch.nn.init, name)(t, **kwargs)
    getattr(init, name)(c, **kwargs)
    np.testing.assert_array_equal(c.numpy(), t.numpy())

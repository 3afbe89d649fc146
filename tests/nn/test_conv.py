"""Conv1d and Conv2d against torch.nn (float64: outputs, input and parameter gradients, with torch's weights
moved through state_dict), their attributes, repr, state_dict, default initialisation and errors; a LeNet."""

import math

import numpy as np
import pytest
import torch
import torch.nn as tnn
from nn_oracle import compare_module

import chainrule as cr
import chainrule.nn as nn

CONV2D = [
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3},
    {"in_channels": 3, "out_channels": 4, "kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0)},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": "same", "dilation": 2},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 4, "padding": "same"},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": "valid", "bias": False},
    {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": 2, "stride": 2},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": (2, 1), "padding_mode": "replicate"},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 2, "padding_mode": "circular"},
    {"in_channels": 3, "out_channels": 4, "kernel_size": 2, "padding": "same", "padding_mode": "reflect"},
]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("kw", CONV2D, ids=[str(k) for k in CONV2D])
def test_conv2d_module(kw):
    c, t = nn.Conv2d(**kw), tnn.Conv2d(**kw)
    x = (2, kw["in_channels"], 7, 6)
    compare_module(c, t, x, steps=2)
    assert repr(c) == repr(t)
    shapes = {k: tuple(v.shape) for k, v in c.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in t.state_dict().items()}
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                 "padding_mode", "output_padding", "transposed", "_reversed_padding_repeated_twice"):
        assert getattr(c, name) == getattr(t, name), name


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("kw", [{"kernel_size": 3}, {"kernel_size": 4, "stride": 2, "padding": 1},
                                {"kernel_size": 2, "padding": "same", "dilation": 3},
                                {"kernel_size": 3, "groups": 2, "bias": False},
                                {"kernel_size": 3, "padding": 2, "padding_mode": "circular"}])
def test_conv1d_module(kw):
    c, t = nn.Conv1d(4, 6, **kw), tnn.Conv1d(4, 6, **kw)
    compare_module(c, t, (2, 4, 9), steps=2)
    compare_module(c, t, (4, 9))  # unbatched
    assert repr(c) == repr(t)


def test_conv2d_unbatched_input():
    compare_module(nn.Conv2d(3, 2, 3, padding=1), tnn.Conv2d(3, 2, 3, padding=1), (3, 5, 5))


@pytest.mark.parametrize("cls,args", [(nn.Conv2d, (6, 8, (5, 3))), (nn.Conv1d, (6, 8, 5)),
                                      (nn.Conv2d, (6, 9, 3, 1, 0, 1, 3))])
def test_default_init_is_torchs(cls, args):
    """kaiming_uniform_(a=√5): W ~ U(±1/√fan_in) and b ~ U(±1/√fan_in), fan_in = in/groups·∏k."""
    conv = cls(*args)
    fan_in = conv.weight.shape[1] * math.prod(conv.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    w, b = conv.weight.numpy(), conv.bias.numpy()
    assert w.dtype == np.float32 and conv.weight.requires_grad
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.15 * bound  # the uniform's standard deviation
    assert np.abs(b).max() <= bound


def test_init_follows_manual_seed_and_dtype():
    cr.manual_seed(3)
    a = nn.Conv2d(2, 3, 3)
    cr.manual_seed(3)
    b = nn.Conv2d(2, 3, 3)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert nn.Conv2d(2, 3, 3, dtype=cr.float64).weight.dtype == cr.float64


@pytest.mark.parametrize("kw,match", [
    ({"groups": 2, "in_channels": 3}, "in_channels must be divisible by groups"),
    ({"groups": 2, "out_channels": 3}, "out_channels must be divisible by groups"),
    ({"groups": 0}, "groups must be a positive integer"),
    ({"padding": "full"}, "Invalid padding string"),
    ({"padding": "same", "stride": 2}, "not supported for strided convolutions"),
    ({"padding_mode": "mirror"}, "padding_mode must be one of"),
])
def test_constructor_errors(kw, match):
    args = {"in_channels": 4, "out_channels": 4, "kernel_size": 3, **kw}
    with pytest.raises(ValueError, match=match):
        nn.Conv2d(**args)


def test_forward_error_names_the_channels():
    with pytest.raises(ValueError, match="input has 1 channels"):
        nn.Conv2d(3, 4, 3)(cr.randn(2, 1, 8, 8))


class _LeNet:
    """PyTorch's LeNet tutorial network (for 1×28×28 inputs), built from either library's nn."""

    @staticmethod
    def build(m):
        return m.Sequential(
            m.Conv2d(1, 6, 5, padding=2), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(6, 16, 5), m.ReLU(), m.MaxPool2d(2, 2), m.Flatten(),
            m.Linear(16 * 5 * 5, 120), m.ReLU(), m.Linear(120, 84), m.ReLU(), m.Linear(84, 10))


def test_lenet_matches_torch_outputs_and_every_gradient():
    compare_module(_LeNet.build(nn), _LeNet.build(tnn), (3, 1, 28, 28), steps=2, atol=1e-8)


def test_lenet_trains_like_torch_for_a_few_sgd_steps():
    """Same weights, same batches: the losses of 3 SGD steps agree to float64 precision (torch's update
    written out, p ← p − lr·∇p, so that torch.optim's import is not paid here)."""
    cm, tm = _LeNet.build(nn).to(cr.float64), _LeNet.build(tnn).double()
    cm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    co = cr.optim.SGD(cm.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x, y = rng.standard_normal((4, 1, 28, 28)), rng.integers(0, 10, 4)
        cl = nn.CrossEntropyLoss()(cm(cr.tensor(x)), cr.tensor(y))
        tl = tnn.CrossEntropyLoss()(tm(torch.tensor(x)), torch.tensor(y))
        co.zero_grad()
        cl.backward()
        co.step()
        tm.zero_grad()
        tl.backward()
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.05 * p.grad
        assert abs(cl.item() - tl.item()) < 1e-10

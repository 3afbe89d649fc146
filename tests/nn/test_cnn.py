"""nn/cnn.py's build_cnn: the layers it stacks, the shapes through them, its errors, and the same numbers as
the network written out in torch.nn."""

import pytest
import torch.nn as tnn
from nn_oracle import compare_module

import chainrule as cr
import chainrule.nn as nn
from chainrule.nn.cnn import build_cnn


def test_default_digits_network():
    model = build_cnn((1, 8, 8), 10)
    names = [type(m).__name__ for m in model]
    assert names == ["Unflatten", "Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d",
                     "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Linear"]
    assert all(m.bias is None for m in model if isinstance(m, nn.Conv2d))  # batch norm's β is the bias
    assert tuple(model(cr.randn(5, 64)).shape) == (5, 10)


def test_options_and_unflattened_input():
    model = build_cnn((3, 16, 12), 4, channels=(8, 8, 16), convs_per_pool=1, activation=nn.Tanh, batchnorm=False,
                      dropout=0.0, flat_input=False)
    assert tuple(model(cr.randn(2, 3, 16, 12)).shape) == (2, 4)
    assert model[-1].in_features == 16 * 2 * 1 and not any(isinstance(m, (nn.Dropout, nn.BatchNorm2d)) for m in model)


@pytest.mark.parametrize("kw,match", [({"channels": (8, 8, 8, 8), "convs_per_pool": 1}, "cannot be halved 4 times"),
                                      ({"convs_per_pool": (1,)}, "one convs_per_pool per stage")])
def test_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        build_cnn((1, 8, 8), 10, **kw)


def test_same_numbers_as_the_network_written_out_in_torch():
    twin = tnn.Sequential(
        tnn.Unflatten(1, (1, 8, 8)),
        tnn.Conv2d(1, 4, 3, padding=1, bias=False), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(4, 6, 3, padding=1, bias=False), tnn.BatchNorm2d(6), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Flatten(), tnn.Linear(24, 3))
    model = build_cnn((1, 8, 8), 3, channels=(4, 6), convs_per_pool=1, dropout=0.0)
    assert repr(model) == repr(twin)
    compare_module(model, twin, (4, 64), steps=2)

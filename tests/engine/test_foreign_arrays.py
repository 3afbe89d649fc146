"""Another library's tensor where a chainrule Tensor belongs: a TypeError naming the conversion, not a late
AttributeError."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

torch = pytest.importorskip("torch")
CONVERT = r"chainrule.from_numpy\(t.detach\(\).cpu\(\).numpy\(\)\)"


@pytest.mark.parametrize("call", [
    lambda t: nn.Linear(3, 2)(t),
    lambda t: nn.Sequential(nn.Linear(3, 2), nn.ReLU())(t),
    lambda t: cr.randn(4, 3) + t,
    lambda t: t + cr.randn(4, 3),
    lambda t: cr.randn(4, 3) * t,
    lambda t: nn.MSELoss()(cr.randn(4, 3), t),
    lambda t: nn.CrossEntropyLoss()(cr.randn(4, 3), t.argmax(1)),
], ids=["linear", "sequential", "add", "radd", "mul", "mse-target", "ce-target"])
def test_a_torch_tensor_is_refused_with_the_conversion(call):
    with pytest.raises(TypeError, match=r"expected a chainrule Tensor, got a torch.Tensor; convert it first: "
                                        + CONVERT):
        call(torch.randn(4, 3))


def test_any_array_protocol_object_is_refused_but_numpy_and_numbers_pass():
    class Foreign:  # a JAX/TensorFlow-like array: speaks __array__ and __dlpack__
        def __array__(self, dtype=None, copy=None):
            return np.ones((4, 3))

        def __dlpack__(self):
            raise NotImplementedError

    with pytest.raises(TypeError, match=r"got a .*Foreign; convert it first: chainrule.from_numpy\(numpy.asarray"):
        nn.Linear(3, 2)(Foreign())
    x = cr.randn(4, 3)
    assert (x + np.ones((4, 3))).shape == (4, 3) and (x * 2).shape == (4, 3) and (2.5 - x).shape == (4, 3)
    assert (x + np.float64(1.0)).shape == (4, 3)
    # explicit conversion stays possible: chainrule.tensor copies any array-like, as torch.tensor does
    assert cr.tensor(torch.ones(2)).tolist() == [1.0, 1.0]
    assert cr.from_numpy(torch.ones(2).numpy()).tolist() == [1.0, 1.0]

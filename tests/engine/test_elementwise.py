"""tensor_pointwise.py against PyTorch (float64, values and gradients) and by gradcheck."""

import numpy as np
import pytest
import torch

import chainrule as cr
from oracle import DEVICE, check_op


def ns(x):
    return cr if isinstance(x, cr.Tensor) else torch


@pytest.mark.parametrize(
    "fn,positive",
    [
        (lambda x, y: x.add(y, alpha=2), False),
        (lambda x, y: x.sub(y, alpha=0.5), False),
        (lambda x, y: ns(x).mul(x, y), False),
        (lambda x, y: ns(x).div(x, y), True),
        (lambda x, y: x.true_divide(y), True),
        (lambda x, y: x % 0.7 + y, True),
        (lambda x, y: (x * 5) % 1.5 + y, False),
        (lambda x, y: x.lerp(y, 0.3), False),
    ],
)
def test_binary(fn, positive):
    check_op([(3, 4), (4,)], fn, positive=positive)


@pytest.mark.parametrize(
    "name,positive",
    [("log1p", True), ("expm1", False), ("log2", True), ("log10", True), ("exp2", False), ("erf", False),
     ("tan", False), ("sinh", False), ("cosh", False), ("frac", False), ("nan_to_num", False)],
)
def test_unary(name, positive):
    check_op([(3, 4)], lambda x: getattr(x, name)(), positive=positive, atol=1e-8)


def test_no_gradient_results_match_torch():
    a = np.array([[-2.5, -1.0, 0.0], [0.5, 1.5, 7.0]])
    c, t = cr.tensor(a), torch.tensor(a)
    for fn in [
        lambda x: x // 2, lambda x: 7 // (x + 3), lambda x: x.div(2, rounding_mode="floor"),
        lambda x: x.div(2, rounding_mode="trunc"), lambda x: x.ceil(), lambda x: x.trunc(),
        lambda x: x.eq(0), lambda x: x.ne(0), lambda x: x.lt(0), lambda x: x.le(0), lambda x: x.gt(1),
        lambda x: x.ge(1), lambda x: ns(x).greater(x, 0), lambda x: (x > 0).all(), lambda x: (x > -3).all(),
        lambda x: (x > 0).any(dim=1), lambda x: ns(x).logical_and(x > 0, x < 2), lambda x: ns(x).logical_not(x > 0),
        lambda x: ns(x).logical_or(x > 1, x < -1), lambda x: ns(x).logical_xor(x > 0, x > 1),
    ]:
        np.testing.assert_array_equal(fn(c).numpy(), fn(t).numpy())
    i = np.array([-7, -1, 0, 5, 9])
    for fn in [lambda x: x // 2, lambda x: x % 3, lambda x: x.remainder(-4)]:
        got, want = fn(cr.tensor(i)), fn(torch.tensor(i))
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert got.dtype == cr.int64


def test_in_place_variants():
    a = np.array([-1.5, 0.25, 2.0])
    for name, args in [("clamp_", (0, 1)), ("relu_", ()), ("exp_", ()), ("sigmoid_", ()), ("tanh_", ()),
                       ("abs_", ()), ("neg_", ()), ("pow_", (2,)), ("floor_", ()), ("clamp_min_", (0.1,))]:
        c, t = cr.tensor(a), torch.tensor(a)
        assert getattr(c, name)(*args) is c
        getattr(t, name)(*args)
        np.testing.assert_allclose(c.numpy(), t.numpy(), err_msg=name)
    w = cr.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.clamp_(0, 1)
    with cr.no_grad():
        w.clamp_(0, 1)  # the optimizer idiom: allowed under no_grad
    np.testing.assert_allclose(w.numpy(), [0, 0.25, 1])
    h = w * 3
    h.relu_().sum().backward()  # on a graph tensor: recorded, so the gradient is right
    np.testing.assert_allclose(w.grad.numpy(), [0, 3, 3])
    with pytest.raises(RuntimeError, match="cannot be written into a tensor of dtype"):
        cr.tensor([1, 2]).sqrt_()


def test_new_factories_take_the_tensors_dtype():
    x = cr.ones(2, dtype=cr.float64)
    assert x.new_zeros(2, 3).dtype == cr.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones(4).dtype == cr.float64
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_tensor([1, 2]).dtype == cr.float64
    assert x.new_empty(3, dtype=cr.int64).dtype == cr.int64


def test_torch_namespace_odds_and_ends():
    x = cr.randn(3, 4)
    assert cr.is_tensor(x) and not cr.is_tensor(x.numpy()) and cr.is_floating_point(x)
    assert x.nelement() == 12 and x.ndimension() == 2 and x.element_size() == 4 and not x.is_cuda
    assert x.is_contiguous() and x.stride() == (4, 1) and x.T.stride() == (1, 4)
    assert cr.Tensor(2, 3).shape == (2, 3) and cr.Tensor([1, 2]).dtype == cr.float32
    assert cr.Tensor().shape == (0,)
    with pytest.raises(TypeError, match="chainrule.tensor"):
        cr.Tensor(2, 3.5)
    assert cr.cuda.is_available() == (DEVICE == "cuda") and not cr.backends.mps.is_available()
    cr.cuda.manual_seed_all(0)
    with cr.inference_mode():
        assert not (cr.ones(1, requires_grad=True) * 2).requires_grad
    assert cr.pi == np.pi and cr.inf == np.inf and np.isnan(cr.nan)


def test_out_argument_as_in_the_tensors_tutorial():
    t = cr.ones(4, 4)
    t[:, 1] = 0
    y3 = cr.rand_like(t)
    assert cr.matmul(t, t.T, out=y3) is y3
    np.testing.assert_array_equal(y3.numpy(), (t @ t.T).numpy())
    z3 = cr.zeros(2)
    assert cr.mul(t, t, out=z3) is z3 and z3.shape == (4, 4)  # resized, as torch
    assert cr.add(cr.ones(2), 1, out=cr.zeros(2)).tolist() == [2, 2]
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        cr.mul(cr.ones(2, requires_grad=True), 2, out=cr.zeros(2))
    if DEVICE == "cpu":
        assert not cr.accelerator.is_available() and cr.accelerator.current_accelerator() is None

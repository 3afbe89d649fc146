"""NumPy meets chainrule: ndarray ⊕ tensor, in-place updates through ``.data``, ufuncs, np.sum, formatting."""

import numpy as np
import pytest

import chainrule as cr


def test_ndarray_on_the_left_gives_the_tensor_op():
    a = np.arange(3.0)
    w = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for got, want in [(a * w, [0, 2, 6]), (a - w, [-1, -1, -1]), (a / (w + 1), [0, 1 / 3, 0.5]),
                      (a**w, [0, 1, 8]), (np.float64(2) * w, [2, 4, 6])]:
        assert isinstance(got, cr.Tensor) and got.requires_grad
        np.testing.assert_allclose(got.detach().numpy(), want)
    assert (a < w).tolist() == [True, True, True] and (a == w).dtype == cr.bool
    (a @ w).backward()
    np.testing.assert_array_equal(w.grad.numpy(), a)


def test_in_place_update_through_data_is_the_micrograd_idiom():
    w = cr.tensor([1.0, -2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data += -0.25 * w.grad  # p.data += -lr * p.grad: .data is a Tensor sharing w's memory, as torch's
    np.testing.assert_allclose(w.numpy(), [0.5, -1.0])
    w.data -= w.grad.data
    np.testing.assert_allclose(w.numpy(), [-1.5, 3.0])
    assert w.requires_grad and w.is_leaf and not w.data.requires_grad and w.data.grad_fn is None
    a = np.array([1.0, 2.0])
    a += -0.5 * cr.tensor([2.0, 2.0])  # an array updated by a tensor stays the array
    np.testing.assert_allclose(a, [0.0, 1.0])


def test_other_ufuncs_return_arrays_but_never_drop_a_gradient_silently():
    np.testing.assert_allclose(np.exp(cr.zeros(2)), [1, 1])
    assert np.sum(cr.ones(2, 3)).item() == 6 and np.mean(cr.ones(2, 3), axis=0).shape == (3,)
    with pytest.raises(TypeError, match="numpy.exp on a Tensor that requires grad would drop its gradient"):
        np.exp(cr.zeros(2, requires_grad=True))


def test_numpy_spellings_axis_and_keepdims():
    x = cr.arange(6.0).reshape(2, 3)
    assert x.sum(1, keepdims=True).shape == (2, 1) and x.mean(axis=0).tolist() == [1.5, 2.5, 3.5]
    assert x.max(axis=1).values.tolist() == [2, 5] and x.argmin(axis=1, keepdims=True).shape == (2, 1)
    assert x.std(axis=1).shape == (2,) and x.var(axis=0, keepdims=True).shape == (1, 3)
    with pytest.raises(TypeError, match="sum\\(\\) got an unexpected keyword argument 'axes'"):
        x.sum(axes=1)


def test_format_a_0d_tensor_like_a_number_as_torch():
    torch = pytest.importorskip("torch")
    for value in (2.4566, 3, True, -0.0, 1e-8):
        assert f"{cr.tensor(value)}" == f"{torch.tensor(value)}"  # 2.4566 prints 2.4565999507904053, as torch
    assert f"{cr.tensor(2.5):.2f}" == "2.50" and f"{cr.tensor(7):>4}" == "   7"
    assert f"{cr.tensor([1.0, 2.0])}" == repr(cr.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="not a number"):  # torch refuses a spec for any tensor with a dim
        f"{cr.tensor([[3]]):>4}"


def test_bmm_and_mv_methods():
    a, b = cr.ones(4, 2, 3), cr.ones(4, 3, 5)
    assert a.bmm(b).shape == (4, 2, 5) and cr.ones(2, 3).mv(cr.ones(3)).tolist() == [3, 3]

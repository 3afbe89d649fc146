"""Every primitive and composite op against PyTorch (float64, values and gradients) and by gradcheck."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from oracle import check_op, host_only, on_device

BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ())]


@pytest.mark.parametrize("shapes", BROADCAST)
@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: x + y,
        lambda x, y: x - y,
        lambda x, y: x * y,
        lambda x, y: x / y,
        lambda x, y: x.maximum(y) if isinstance(x, cr.Tensor) else torch.maximum(x, y),
        lambda x, y: x.minimum(y) if isinstance(x, cr.Tensor) else torch.minimum(x, y),
    ],
    ids=["add", "sub", "mul", "div", "maximum", "minimum"],
)
def test_binary_broadcast(shapes, fn):
    check_op(list(shapes), fn)


def test_pow_tensor_exponent():
    check_op([(3, 4), (4,)], lambda x, y: x**y, positive=True)


@pytest.mark.parametrize("e", [2, 3, 0.5, -1.0, -0.5, 1.7])
def test_pow_scalar(e):
    check_op([(3, 4)], lambda x: x**e, positive=True)


def test_rpow_and_scalars_on_both_sides():
    check_op([(4,)], lambda x: 2.0**x + 3 - x * 0.5 + 1 / (x * x + 1) - (2 - x) / 4)


@host_only
def test_ndarray_on_the_left():
    a = np.arange(4.0)
    check_op([(4,)], lambda x: a * x + a - x, lambda x: torch.from_numpy(a) * x + torch.from_numpy(a) - x)


@pytest.mark.parametrize(
    "name,positive",
    [("neg", False), ("abs", False), ("exp", False), ("log", True), ("sqrt", True), ("sin", False),
     ("cos", False), ("tanh", False), ("sigmoid", False), ("relu", False), ("square", False),
     ("reciprocal", True), ("rsqrt", True)],
)
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 3)])
def test_unary(name, positive, shape):
    check_op([shape], lambda x: getattr(x, name)(), positive=positive, gradcheck=shape != (0, 3))


def test_relu_abs_at_zero_like_torch():
    z = np.array([0.0, -1.0, 2.0, 0.0])
    check_op([z], lambda x: x.relu() + x.abs(), gradcheck=False)


def test_maximum_ties_split_gradient():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0])
    check_op([a, b], lambda x, y: x.maximum(y) if isinstance(x, cr.Tensor) else torch.maximum(x, y), gradcheck=False)


@pytest.mark.parametrize("lo,hi", [(-0.5, 0.5), (None, 0.3), (-0.2, None)])
def test_clamp(lo, hi):
    check_op([(5, 4)], lambda x: x.clamp(min=lo, max=hi))


def test_clamp_gradient_at_boundary_like_torch():
    check_op([np.array([-1.0, -0.5, 0.0, 0.5, 1.0])], lambda x: x.clamp(-0.5, 0.5), gradcheck=False)


def test_where():
    cond = np.array([[True, False, True, False]] * 3)
    check_op(
        [(3, 4), (4,)],
        lambda x, y: cr.where(on_device(cond), x, y),
        lambda x, y: torch.where(torch.from_numpy(cond), x, y),
    )


@pytest.mark.parametrize("dim", [0, 1, -1, (0, 1), (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_mean(dim, keepdim, op):
    check_op([(2, 3, 4)], lambda x: getattr(x, op)(dim, keepdim=keepdim))


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_mean_of_everything(op):
    check_op([(2, 3, 4)], lambda x: getattr(x, op)())
    check_op([()], lambda x: getattr(x, op)())


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
@pytest.mark.parametrize("op", ["var", "std"])
def test_var_std(correction, dim, op):
    check_op([(4, 5)], lambda x: getattr(x, op)(dim=dim, correction=correction))


def test_sum_of_empty_dim():
    check_op([(0, 3)], lambda x: x.sum(0), gradcheck=False)


def test_max_min_no_dim_ties_share_gradient():
    a = np.array([[1.0, 3.0], [3.0, 2.0]])
    check_op([a], lambda x: x.max(), gradcheck=False)
    check_op([a], lambda x: x.min() * 2, gradcheck=False)
    check_op([(3, 4)], lambda x: x.max())


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim_values_and_indices(dim, keepdim):
    out = check_op([(3, 4)], lambda x: x.max(dim, keepdim=keepdim))
    assert out.indices.dtype == cr.int64
    check_op([(3, 4)], lambda x: x.min(dim=dim, keepdim=keepdim))


def test_max_dim_ties_go_to_returned_index():
    a = np.array([[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]])
    check_op([a], lambda x: x.max(1).values, gradcheck=False)
    c, t = cr.tensor(a).max(1), torch.from_numpy(a).max(1)
    np.testing.assert_array_equal(c.indices.numpy(), t.indices.numpy())


def test_amax_argmax_logsumexp():
    check_op([(3, 4)], lambda x: x.amax(1))
    check_op([(3, 4)], lambda x: x.logsumexp(1))
    a = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(cr.tensor(a).argmax(1).numpy(), torch.from_numpy(a).argmax(1).numpy())
    assert cr.tensor(a).argmin().item() == torch.from_numpy(a).argmin().item()


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.reshape(4, 6),
        lambda x: x.view(-1, 3),
        lambda x: x.flatten(),
        lambda x: x.flatten(1),
        lambda x: x.transpose(0, 2),
        lambda x: x.permute(2, 0, 1),
        lambda x: x.unsqueeze(1).squeeze(1),
        lambda x: x[:, None].squeeze(),
        lambda x: x.sum(2, keepdim=True).expand(2, 3, 5),
        lambda x: x.T if isinstance(x, cr.Tensor) else x.permute(2, 1, 0),
        lambda x: x.mT,
    ],
)
def test_shape_ops(fn):
    check_op([(2, 3, 4)], fn)


@pytest.mark.parametrize(
    "index",
    [
        1,
        -1,
        slice(None, None, 2),
        (slice(1, None), 2),
        (Ellipsis, 1),
        (None, 0),
        ([0, 0, 1],),
        (np.array([2, 0]), slice(None)),
        (slice(None), [1, 1, 3]),
    ],
)
def test_getitem(index):
    check_op([(3, 4)], lambda x: x[index] if isinstance(x, cr.Tensor) else x[_torch_index(index)])


def _torch_index(index):
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    if isinstance(index, (list, np.ndarray)):
        return torch.as_tensor(np.asarray(index))
    return index


def test_getitem_boolean_mask_and_tensor_index():
    mask = np.array([True, False, True])
    check_op([(3, 4)], lambda x: x[cr.tensor(mask)], lambda x: x[torch.from_numpy(mask)])
    idx = np.array([2, 2, 0])
    check_op([(3, 4)], lambda x: x[cr.tensor(idx), 1], lambda x: x[torch.from_numpy(idx), 1])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(dim):
    check_op([(2, 3), (2, 3)], lambda x, y: cr.cat([x, y], dim), lambda x, y: torch.cat([x, y], dim))
    check_op([(2, 3), (2, 3)], lambda x, y: cr.stack([x, y], dim), lambda x, y: torch.stack([x, y], dim))


@pytest.mark.parametrize(
    "sa,sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (2, 4, 5)),
              ((2, 3, 4), (4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((1, 3, 4), (2, 4, 2))]
)
def test_matmul(sa, sb):
    check_op([sa, sb], lambda x, y: x @ y)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_log_softmax(dim):
    check_op([(3, 4)], lambda x: x.softmax(dim))
    check_op([(3, 4)], lambda x: x.log_softmax(dim))


def test_softmax_is_stable_for_huge_logits():
    a = np.array([[1000.0, -1000.0, 0.0]])
    check_op([a], lambda x: x.log_softmax(1), gradcheck=False)
    assert np.isfinite(cr.tensor(a).softmax(1).numpy()).all()


def test_norm_and_clone_and_cast():
    check_op([(3, 4)], lambda x: x.norm())
    check_op([(3, 4)], lambda x: x.clone() * 2)
    x = cr.tensor(np.ones(3), requires_grad=True)
    y = x.float()
    assert y.dtype == cr.float32
    y.sum().backward()
    assert x.grad.dtype == cr.float64


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.integers(0, 3),
)
def test_broadcast_gradients_property(shape, ones, drop):
    """Whatever two shapes broadcast, each input's gradient has its own shape and matches torch."""
    other = [1 if o else s for s, o in zip(shape, ones)][drop:]
    check_op([tuple(shape), tuple(other)], lambda x, y: x * y + y, gradcheck=False)


def test_relu_keeps_nan_like_torch():
    a = np.array([np.nan, -1.0, 2.0, -np.inf, np.inf])
    assert np.array_equal(cr.tensor(a).relu().numpy(), torch.from_numpy(a).relu().numpy(), equal_nan=True)

"""tensor_indexing.py against PyTorch (float64, values and gradients) and by gradcheck."""

import numpy as np
import pytest
import torch

import chainrule as cr
from oracle import check_op

IDX = np.array([[0, 2, 1, 0], [1, 1, 0, 2], [2, 0, 0, 1]])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.gather(1, _idx(x, IDX[:, :2])),
        lambda x: x.gather(0, _idx(x, IDX[:, :3] % 3)),
        lambda x: x.index_select(0, _idx(x, np.array([2, 0, 2]))),
        lambda x: x.index_select(-1, _idx(x, np.array([3, 1]))),
        lambda x: x.select(1, 2),
        lambda x: x.masked_fill(x > 0.3, -1.5),
        lambda x: x.masked_fill(_mask(x), 0.0),
        lambda x: x.scatter(1, _idx(x, IDX[:, :1]), 7.0),
        lambda x: x.narrow(1, 1, 2),
        lambda x: x.split(2, dim=1),
        lambda x: x.split([1, 2], dim=0),
        lambda x: x.chunk(3, dim=1),
        lambda x: x.chunk(2),
        lambda x: x.unbind(1),
        lambda x: x.repeat(2, 3),
        lambda x: x.repeat(2, 1, 2),
        lambda x: x.tile((2,)),
        lambda x: x.flip(0),
        lambda x: x.flip((0, 1)),
        lambda x: x.roll(1, 1),
        lambda x: x.roll((1, -2), (0, 1)),
        lambda x: x.roll(5),
        lambda x: x.movedim(0, 1),
        lambda x: x.tril(),
        lambda x: x.triu(1),
        lambda x: x.tril(-1),
        lambda x: x.diag(),
        lambda x: x.diag(1),
        lambda x: x.flatten().diag(-1),
        lambda x: x[0].outer(x[1]),
        lambda x: x[:, :3].trace(),
    ],
)
def test_against_torch(fn):
    check_op([(3, 4)], fn)


def _idx(like, a):
    return cr.tensor(a, device=like.device) if isinstance(like, cr.Tensor) else torch.tensor(a)


def _mask(like):
    m = np.array([True, False, True, False])
    return cr.tensor(m, device=like.device) if isinstance(like, cr.Tensor) else torch.tensor(m)


def test_scatter_src_gradient_and_gather_repeats():
    check_op([(3, 4), (3, 2)], lambda x, s: x.scatter(1, _idx(x, np.array([[0, 3], [1, 2], [3, 0]])), s))
    check_op([(5,)], lambda x: x.gather(0, _idx(x, np.array([1, 1, 4]))))  # repeated index: grads add up


def test_functions_at_top_level_match_methods():
    check_op([(4, 3)], lambda x: torch_ns(x).split(x, 3, dim=0))
    check_op([(4, 3)], lambda x: torch_ns(x).masked_fill(x, x < 0, 0.0))
    check_op([(4, 3)], lambda x: torch_ns(x).vstack([x, x[:1]]))
    check_op([(4, 3)], lambda x: torch_ns(x).hstack([x, x]))
    check_op([(3,), (2,)], lambda x, y: torch_ns(x).meshgrid(x, y, indexing="ij"))
    check_op([(3,), (2,)], lambda x, y: torch_ns(x).meshgrid(x, y, indexing="xy"))
    check_op([(2, 3)], lambda x: torch_ns(x).broadcast_to(x, (4, 2, 3)))
    check_op([(2, 3)], lambda x: torch_ns(x).take_along_dim(x, _idx(x, np.array([[2], [0]])), 1))


def torch_ns(x):
    return cr if isinstance(x, cr.Tensor) else torch


def test_one_hot_by_scatter_and_masked_fill_in_place():
    y = cr.tensor([2, 0, 1])
    oh = cr.zeros(3, 4).scatter_(1, y.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(oh.numpy(), np.eye(4)[[2, 0, 1]])
    x = cr.tensor([[1.0, -2.0], [-3.0, 4.0]])
    assert x.masked_fill_(x < 0, 0.0) is x
    np.testing.assert_array_equal(x.numpy(), [[1, 0], [0, 4]])


def test_masked_fill_in_place_on_a_graph_tensor_keeps_the_gradient():
    w = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * 2
    h.masked_fill_(cr.tensor([False, True, False]), 0.0)
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2, 0, 2])


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda x: x.masked_fill(x, 0.0), "mask must be a bool tensor"),
        (lambda x: x.masked_fill(cr.tensor([True, False, True]), 0.0), "cannot be broadcast"),
        (lambda x: x.gather(1, cr.tensor([[0.0]])), "integer"),
        (lambda x: x.gather(1, cr.tensor([[5]])), "out of bounds"),
        (lambda x: x.split([1, 1], 0), "sum to 2"),
        (lambda x: x.chunk(0), "positive"),
        (lambda x: x.repeat(2), "cannot be smaller"),
        (lambda x: x.topk(5), "between 0 and"),
        (lambda x: x.narrow(0, 2, 5), "exceed"),
        (lambda x: x.flatten().tril(), "at least 2 dims"),
        (lambda x: x.outer(x), "1-d"),
        (lambda x: cr.meshgrid(x, indexing="yx"), "'ij' or 'xy'"),
    ],
)
def test_errors_name_the_problem(call, match):
    with pytest.raises((TypeError, ValueError, RuntimeError, IndexError), match=match):
        call(cr.ones(3, 4))

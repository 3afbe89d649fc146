"""tensor_sorting.py against PyTorch (float64 values and gradients, gradcheck; integer results exactly)."""

import numpy as np
import pytest
import torch

import chainrule as cr
from oracle import check_op


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.sort(dim=1),
        lambda x: x.sort(dim=0, descending=True),
        lambda x: x.topk(2),
        lambda x: x.topk(2, dim=0, largest=False),
        lambda x: x.median(),
        lambda x: x.median(1),
        lambda x: x.median(0, keepdim=True),
        lambda x: x.cumsum(1),
        lambda x: x.cumsum(0),
        lambda x: x.prod(),
        lambda x: x.prod(1),
        lambda x: x.prod(0, keepdim=True),
    ],
)
def test_against_torch(fn):
    check_op([(3, 4)], fn)


def test_integer_results():
    a = np.array([3, 1, 2, 3, 3, 0, 1])
    c, t = cr.tensor(a), torch.tensor(a)
    for fn in [
        lambda m, x: m.unique(x),
        lambda m, x: m.unique(x, return_counts=True),
        lambda m, x: m.unique(x, return_inverse=True),
        lambda m, x: m.bincount(x),
        lambda m, x: m.bincount(x, minlength=6),
        lambda m, x: m.nonzero(x),
        lambda m, x: m.nonzero(x, as_tuple=True),
        lambda m, x: m.where(x > 1),
        lambda m, x: m.count_nonzero(x),
        lambda m, x: m.argsort(x),
        lambda m, x: m.argsort(x, descending=True, stable=True),
        lambda m, x: m.sort(x, stable=True).indices,
        lambda m, x: m.cumsum(x, 0),
    ]:
        got, want = fn(cr, c), fn(torch, t)
        got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.numpy(), w.numpy())
            assert g.dtype == {torch.int64: cr.int64, torch.bool: cr.bool, torch.float32: cr.float32}[w.dtype]

"""``.data`` is a Tensor that shares the memory, outside autograd, exactly as torch's: the classic course idioms
give torch's numbers."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def pair(values, requires_grad=False):
    a = np.asarray(values, dtype=np.float32)
    return cr.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


def test_data_is_a_tensor_sharing_memory_outside_autograd():
    w, tw = pair([[1.0, -2.0], [0.5, 4.0]], requires_grad=True)
    d, td = w.data, tw.data
    assert isinstance(d, cr.Tensor) and not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d.dtype == cr.float32 and (d.dtype == cr.float32) == (td.dtype == torch.float32)
    d[0, 0] = 7.0
    assert w[0, 0].item() == 7.0  # same memory
    with pytest.raises(TypeError, match="must be set to a Tensor"):
        w.data = np.zeros((2, 2))


def test_the_manual_sgd_loop_of_old_tutorials_matches_torch():
    (w, tw), (x, tx) = pair([[0.3, -0.2], [0.1, 0.4]], True), pair([[1.0, 2.0], [-1.0, 0.5]])
    for _ in range(3):
        for p, xx in ((w, x), (tw, tx)):
            loss = ((xx @ p) ** 2).sum()
            loss.backward()
        w.data.sub_(0.1 * w.grad.data)  # param.data.sub_(lr * param.grad.data)
        tw.data.sub_(0.1 * tw.grad.data)
        w.grad.data.zero_()  # x.grad.data.zero_()
        tw.grad.data.zero_()
        np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)
        assert w.grad.abs().sum().item() == 0
    w.data.add_(w.data, alpha=0.5)  # param.data.add_()
    tw.data.add_(tw.data, alpha=0.5)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)


def test_statistics_and_argmax_on_data_are_torchs():
    out, tout = pair([[0.1, 2.0, -1.0], [3.0, 0.0, 3.5], [1.0, 1.0, 0.2]], True)
    values, pred = cr.max(out.data, 1)  # _, pred = torch.max(out.data, 1)
    tvalues, tpred = torch.max(tout.data, 1)
    assert pred.tolist() == tpred.tolist() and values.tolist() == tvalues.tolist()
    assert out.data.max(1)[1].tolist() == tout.data.max(1)[1].tolist()  # the index, not a value
    assert out.data.std().item() == pytest.approx(tout.data.std().item(), rel=1e-6)  # Bessel-corrected
    assert out.data.var().item() == pytest.approx(tout.data.var().item(), rel=1e-6)
    assert (pred == cr.tensor([1, 2, 0])).sum().item() == 3


def test_init_through_data_changes_the_parameter():
    layer = nn.Linear(3, 4)
    before = layer.weight.detach().numpy().copy()
    layer.weight.data.normal_(0.0, 0.02)  # weight.data.normal_()
    layer.bias.data.fill_(0.1)
    after = layer.weight.detach().numpy()
    assert not np.array_equal(before, after) and np.abs(after).max() < 0.2
    np.testing.assert_allclose(layer.bias.detach().numpy(), 0.1, rtol=1e-6)
    assert layer.weight.requires_grad and layer.weight.grad_fn is None

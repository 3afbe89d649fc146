"""LayerNorm and Embedding against torch (float64 values and gradients, gradcheck) and their errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from oracle import check_op


@pytest.mark.parametrize("shape,norm", [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_layer_norm_matches_torch(shape, norm):
    w_shape = norm
    check_op([shape, w_shape, w_shape], lambda x, w, b: F.layer_norm(x, norm, w, b),
             lambda x, w, b: TF.layer_norm(x, norm, w, b))
    check_op([shape], lambda x: F.layer_norm(x, norm), lambda x: TF.layer_norm(x, norm))


def test_layer_norm_module_state_dict_and_repr_like_torch():
    ours, theirs = nn.LayerNorm(6), torch.nn.LayerNorm(6)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(cr.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-6)
    assert nn.LayerNorm(6, elementwise_affine=False).weight is None and nn.LayerNorm(6, bias=False).bias is None
    with pytest.raises(ValueError, match=r"last dims must be normalized_shape \(6,\), got input shape \(3, 5\)"):
        ours(cr.ones(3, 5))


def test_embedding_matches_torch_including_repeats_and_padding():
    idx = np.array([[1, 3, 1], [0, 4, 3]])
    check_op([(5, 3)], lambda w: F.embedding(_i(w, idx), w), lambda w: TF.embedding(_i(w, idx), w))
    check_op([(5, 3)], lambda w: F.embedding(_i(w, idx), w, padding_idx=1),  # (no gradcheck: the padding
             lambda w: TF.embedding(_i(w, idx), w, padding_idx=1), gradcheck=False)  # row is used, not learned)


def _i(like, a):
    return cr.tensor(a, device=like.device) if isinstance(like, cr.Tensor) else torch.tensor(a)


def test_embedding_module():
    cr.manual_seed(0)
    e = nn.Embedding(10, 4, padding_idx=0)
    assert repr(e) == repr(torch.nn.Embedding(10, 4, padding_idx=0)) and list(e.state_dict()) == ["weight"]
    assert (e.weight.numpy()[0] == 0).all() and abs(float(e.weight.numpy()[1:].std()) - 1) < 0.5
    out = e(cr.tensor([[0, 2], [2, 9]]))
    out.sum().backward()
    assert out.shape == (2, 2, 4) and e.weight.grad.numpy()[2].tolist() == [2] * 4
    assert (e.weight.grad.numpy()[0] == 0).all()
    with pytest.raises(IndexError, match=r"indices must be in \[0, 10\)"):
        e(cr.tensor([10]))
    with pytest.raises(TypeError, match="integer"):
        e(cr.tensor([1.0]))
    with pytest.raises(ValueError, match="embedding_dim must be a positive int"):
        nn.Embedding(3, 0)

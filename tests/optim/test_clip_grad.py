"""nn.utils.clip_grad_norm_ / clip_grad_value_ against torch.nn.utils on the same float64 gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.nn import Parameter
from chainrule.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm

SHAPES = [(4, 3), (3,), (), (2, 2, 2)]


def params_with_grads(scale=1.0, missing=1):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) * scale for s in SHAPES]
    c = [Parameter(cr.tensor(rng.standard_normal(s))) for s in SHAPES]
    t = [torch.nn.Parameter(torch.tensor(p.numpy().copy())) for p in c]
    for i, (pc, pt, g) in enumerate(zip(c, t, grads)):
        if i == missing:
            continue  # one parameter without a gradient: skipped by both
        pc.grad = cr.tensor(g.copy())
        pt.grad = torch.tensor(g.copy())
    return c, t


def assert_same_grads(c, t):
    for pc, pt in zip(c, t):
        if pt.grad is None:
            assert pc.grad is None
        else:
            np.testing.assert_allclose(pc.grad.numpy(), pt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    c, t = params_with_grads()
    total_c = clip_grad_norm_(c, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type=norm_type)
    assert isinstance(total_c, cr.Tensor) and total_c.shape == ()
    assert total_c.item() == pytest.approx(total_t.item(), rel=1e-12)
    assert_same_grads(c, t)
    if max_norm < total_t.item():  # clipped: the new total norm is max_norm (up to the 1e-6 guard)
        assert get_total_norm([p.grad for p in c if p.grad is not None], norm_type).item() == pytest.approx(
            max_norm, rel=1e-5)


def test_clip_grad_norm_single_tensor_generator_and_empty():
    c, t = params_with_grads()
    clip_grad_norm_(c[0], 0.5)
    torch.nn.utils.clip_grad_norm_(t[0], 0.5)
    assert_same_grads(c, t)
    c, t = params_with_grads()
    total = clip_grad_norm_((p for p in c), 0.5)
    assert total.item() == pytest.approx(torch.nn.utils.clip_grad_norm_((p for p in t), 0.5).item(), rel=1e-12)
    assert clip_grad_norm_([Parameter(cr.zeros(3))], 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite():
    p = Parameter(cr.zeros(3))
    p.grad = cr.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_([p], 1.0)
    assert math.isnan(total.item()) and np.isnan(p.grad.numpy()).all()  # as torch: NaN spreads


def test_clip_grad_norm_float32():
    p = Parameter(cr.zeros(3))
    p.grad = cr.tensor([3.0, 4.0, 0.0])
    total = clip_grad_norm_([p], 1.0)
    assert total.dtype == cr.float32 and total.item() == pytest.approx(5.0)
    assert p.grad.dtype == cr.float32
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 1.0, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    c, t = params_with_grads(scale=2.0)
    assert clip_grad_value_(c, clip_value) is None
    torch.nn.utils.clip_grad_value_(t, clip_value)
    assert_same_grads(c, t)


def test_norm_type_must_be_a_number():
    with pytest.raises(ValueError, match="norm_type must be a number .* got 'l2'"):
        clip_grad_norm_(params_with_grads()[0], 1.0, norm_type="l2")
    clip_grad_norm_(params_with_grads()[0], 1.0, norm_type="inf")  # torch accepts the string 'inf'


def test_parameters_to_vector_and_back_match_torch():
    c, t = cr.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in c.state_dict().items()})
    vec = cr.nn.utils.parameters_to_vector(c.parameters())
    np.testing.assert_array_equal(vec.detach().numpy(), torch.nn.utils.parameters_to_vector(t.parameters()).detach())
    (vec * cr.arange(8.0)).sum().backward()
    assert c.weight.grad.tolist() == [[0, 1, 2], [3, 4, 5]] and c.bias.grad.tolist() == [6, 7]
    cr.nn.utils.vector_to_parameters(cr.arange(8.0), c.parameters())
    assert c.weight.tolist() == [[0, 1, 2], [3, 4, 5]] and c.bias.tolist() == [6, 7]
    with pytest.raises(ValueError, match="1-d vector of 8 numbers"):
        cr.nn.utils.vector_to_parameters(cr.zeros(7), c.parameters())

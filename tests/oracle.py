"""The test idiom: one line per op, compared with PyTorch (float64) and by a finite-difference gradcheck.

    check_op([(3, 4), (4,)], lambda x, y: x * y)

runs ``fn`` on chainrule tensors and on torch tensors built from the same random float64 values, then
compares the outputs and, for a random cotangent v, the gradients of ⟨v, out⟩ for every input; finally
``chainrule.autograd.gradcheck`` checks the same gradients numerically (no torch involved).
"""

from __future__ import annotations

import numpy as np
import torch

import chainrule as cr


def _inputs(shapes, seed, positive=False, requires_grad=True):
    rng = np.random.default_rng(seed)
    arrays = []
    for s in shapes:
        if isinstance(s, np.ndarray):
            arrays.append(s.astype(np.float64) if s.dtype.kind == "f" else s)
            continue
        a = np.asarray(rng.standard_normal(s))
        if positive:
            a = np.asarray(np.abs(a) + 0.5)
        arrays.append(a)
    return arrays


def to_torch(x, requires_grad=False):
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(x.copy())
        return t.requires_grad_(requires_grad and t.dtype.is_floating_point)
    return x


def check_op(shapes, fn, torch_fn=None, *, positive=False, atol=1e-9, rtol=1e-7, seed=0, gradcheck=True,
             grad=True):
    """Compare fn on chainrule and torch (values and gradients) and gradcheck it. Returns the outputs."""
    torch_fn = torch_fn or fn
    arrays = _inputs(shapes, seed, positive)
    cx = [cr.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    tx = [to_torch(a, requires_grad=grad) for a in arrays]
    cout = fn(*cx)
    tout = torch_fn(*tx)
    couts = cout if isinstance(cout, (tuple, list)) else (cout,)
    touts = tout if isinstance(tout, (tuple, list)) else (tout,)
    assert len(couts) == len(touts)
    for c, t in zip(couts, touts):
        assert tuple(c.shape) == tuple(t.shape), f"shape {tuple(c.shape)} != torch {tuple(t.shape)}"
        np.testing.assert_allclose(c.numpy(), t.detach().numpy(), atol=atol, rtol=rtol, err_msg="forward")
    if not grad:
        return cout
    rng = np.random.default_rng(seed + 1)
    diff = [(c, t) for c, t in zip(couts, touts) if c.requires_grad]
    if not diff:
        return cout
    vs = [np.asarray(rng.standard_normal(c.shape)) for c, _ in diff]
    cr.autograd.backward([c for c, _ in diff], [cr.tensor(v) for v in vs])
    torch.autograd.backward([t for _, t in diff], [torch.from_numpy(v) for v in vs])
    for i, (c, t) in enumerate(zip(cx, tx)):
        if not c.requires_grad:
            continue
        tg = t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
        cg = c.grad.numpy() if c.grad is not None else np.zeros(c.shape)
        assert cg.shape == tg.shape, f"grad {i}: shape {cg.shape} != torch {tg.shape}"
        np.testing.assert_allclose(cg, tg, atol=atol, rtol=rtol, err_msg=f"gradient of input {i}")
    if gradcheck:
        fresh = [cr.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        assert cr.autograd.gradcheck(fn, fresh)
    return cout

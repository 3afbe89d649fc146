"""The test idiom: one line per op, compared with PyTorch (float64) and by a finite-difference gradcheck.

    check_op([(3, 4), (4,)], lambda x, y: x * y)

runs ``fn`` on chainrule tensors and on torch tensors built from the same random float64 values, then
compares the outputs and, for a random cotangent v, the gradients of ⟨v, out⟩ for every input; finally
``chainrule.autograd.gradcheck`` checks the same gradients numerically (no torch involved). Every op is also
captured (``chainrule.graph``) and replayed on new input values, which must give the eager result bit for bit.

``CHAINRULE_TEST_DEVICE=cuda`` runs the chainrule side on the GPU (``make test-gpu``), and
``CHAINRULE_TEST_DEVICE=fake`` on tests/fake_cupy.py's CPU double of CuPy (conftest installs it): the same
comparisons then also prove that every op stays on its device (the double refuses to mix with host arrays).
The finite-difference gradcheck and the CPU capture are checked by the host run only.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import chainrule as cr

DEVICE = "cpu" if os.environ.get("CHAINRULE_TEST_DEVICE", "cpu") == "cpu" else "cuda"


def on_device(x, **kw):
    """A test's own constant (class weights, a mask) as a tensor on the device the ops are checked on."""
    return cr.tensor(x, device=DEVICE, **kw)


host_only = pytest.mark.skipif(DEVICE != "cpu", reason="NumPy arrays meet host tensors only (as in torch)")


def host(t):
    """A chainrule tensor's values as a NumPy array, from whichever device holds them."""
    return t.detach().cpu().numpy()


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
    cx = [cr.tensor(a, requires_grad=grad and a.dtype.kind == "f", device=DEVICE) for a in arrays]
    tx = [to_torch(a, requires_grad=grad) for a in arrays]
    cout = fn(*cx)
    tout = torch_fn(*tx)
    couts = cout if isinstance(cout, (tuple, list)) else (cout,)
    touts = tout if isinstance(tout, (tuple, list)) else (tout,)
    assert len(couts) == len(touts)
    for c, t in zip(couts, touts):
        assert tuple(c.shape) == tuple(t.shape), f"shape {tuple(c.shape)} != torch {tuple(t.shape)}"
        assert c.device.type == DEVICE, f"output on {c.device}, inputs on {DEVICE}"
        np.testing.assert_allclose(host(c), t.detach().numpy(), atol=atol, rtol=rtol, err_msg="forward")
    if not grad:
        return cout
    rng = np.random.default_rng(seed + 1)
    diff = [(c, t) for c, t in zip(couts, touts) if c.requires_grad]
    if not diff:
        return cout
    vs = [np.asarray(rng.standard_normal(c.shape)) for c, _ in diff]
    cr.autograd.backward([c for c, _ in diff], [cr.tensor(v, device=DEVICE) for v in vs])
    torch.autograd.backward([t for _, t in diff], [torch.from_numpy(v) for v in vs])
    for i, (c, t) in enumerate(zip(cx, tx)):
        if not c.requires_grad:
            continue
        tg = t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
        cg = host(c.grad) if c.grad is not None else np.zeros(c.shape)
        assert cg.shape == tg.shape, f"grad {i}: shape {cg.shape} != torch {tg.shape}"
        np.testing.assert_allclose(cg, tg, atol=atol, rtol=rtol, err_msg=f"gradient of input {i}")
    if DEVICE != "cpu":  # finite differences and the CPU capture check the math, which the host run covers
        return cout
    if gradcheck:
        fresh = [cr.tensor(a, requires_grad=a.dtype.kind == "f", device=DEVICE) for a in arrays]
        assert cr.autograd.gradcheck(fn, fresh)
    check_replay(fn, arrays, positive, seed, grad)
    return cout


def _outputs_and_grads(fn, inputs, vs, grad):
    out = fn(*inputs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, cr.Tensor)]
    diff = [o for o in outs if o.requires_grad]
    if grad and diff:
        cr.autograd.backward(diff, [cr.tensor(v, dtype=o.dtype, device=o.device) for o, v in zip(diff, vs)])
    return outs


def check_replay(fn, arrays, positive=False, seed=0, grad=True):
    """Capture fn (forward and backward) on static inputs, copy new values into them, replay: outputs and
    gradients must equal the eager computation on the new values exactly. An op that cannot be captured must
    say so (CaptureError), never replay silently wrong numbers."""
    rng = np.random.default_rng(seed + 2)  # new values from the same domain: the old ones, shuffled
    new = [a if a.dtype.kind != "f" else rng.permutation(a.reshape(-1)).reshape(a.shape) for a in arrays]
    static = [cr.tensor(a, requires_grad=grad and a.dtype.kind == "f", device=DEVICE) for a in arrays]
    probe = fn(*[cr.tensor(a, device=DEVICE) for a in arrays])
    vs = [np.asarray(np.random.default_rng(seed + 3).standard_normal(o.shape))
          for o in (probe if isinstance(probe, (tuple, list)) else (probe,)) if isinstance(o, cr.Tensor)]
    g = cr.Graph()
    try:
        with cr.graph(g):
            outs = _outputs_and_grads(fn, static, vs, grad)
        with cr.no_grad():
            for t, a in zip(static, new):
                t.copy_(cr.tensor(a, device=DEVICE))
        g.replay()
    except cr.CaptureError:
        return
    fresh = [cr.tensor(a, requires_grad=grad and a.dtype.kind == "f", device=DEVICE) for a in new]
    want = _outputs_and_grads(fn, fresh, vs, grad)
    for o, w in zip(outs, want):
        np.testing.assert_array_equal(host(o), host(w), err_msg="replayed output")
    for i, (t, f) in enumerate(zip(static, fresh)):
        if f.grad is not None:
            np.testing.assert_array_equal(host(t.grad), host(f.grad), err_msg=f"replayed gradient of input {i}")

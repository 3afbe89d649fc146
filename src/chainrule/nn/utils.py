"""chainrule.nn.utils: helpers around modules and parameters (torch.nn.utils's names and semantics).

Regularisation penalties, differentiable terms for the playground's L1/L2 menu (weight decay proper,
applied in the update, lives in the optimizers):

    loss = data_loss + lam * l2_penalty(model.parameters())

Gradient clipping, between ``loss.backward()`` and ``optimizer.step()``:

    clip_grad_norm_(model.parameters(), max_norm=1.0)    # rescale all gradients together
    clip_grad_value_(model.parameters(), clip_value=0.5)  # clamp each gradient entry
"""

from __future__ import annotations

import math

from ..autograd import no_grad
from ..engine import Tensor, cat, count_nonzero, tensor
from ..engine.dtypes import float32


# ------------------------------------------------------------------------------------------ clipping
def _as_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(t, p):
    """‖t‖_p of all entries, as a Python float (p = inf: max |t|; p = 0: the count of nonzeros)."""
    if t.numel() == 0:
        return 0.0
    if p == 2.0:
        v = t.reshape(-1)
        return math.sqrt(float(v @ v))
    if p == math.inf:
        return float(t.abs().max())
    if p == -math.inf:
        return float(t.abs().min())
    if p == 0.0:
        return float(count_nonzero(t))
    return float((t.abs() ** p).sum()) ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all the given tensors together, as if concatenated into one vector:
    ``‖(‖t₁‖, ‖t₂‖, ...)‖``. Returns a 0-d Tensor (of the tensors' dtype)."""
    tensors = _as_list(tensors)
    try:
        norm_type = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"norm_type must be a number such as 2.0, 1.0 or float('inf'), got {norm_type!r}") from None
    if not tensors:
        return tensor(0.0, dtype=float32)
    dtype = tensors[0].dtype
    norms = tensor([_vector_norm(t.detach(), norm_type) for t in tensors], dtype=dtype)
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
            "anyway, set `error_if_nonfinite=False`")
    return tensor(total, dtype=dtype)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient in place by ``min(1, max_norm / (total_norm + 1e-6))``."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = float(total_norm)
    coef = float(max_norm) / (total + 1e-6)
    if coef >= 1.0:  # torch multiplies by the clamped 1.0 anyway; g · 1.0 == g exactly, so skip it
        return
    for g in grads:
        g.mul_(coef)  # NaN propagates, as in torch


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients so that their total norm is at most ``max_norm``; returns the total norm
    *before* clipping (a 0-d Tensor).

    With g the concatenation of all gradients and ‖·‖ the ``norm_type``-norm::

        g ← g · min(1, max_norm / (‖g‖ + 10⁻⁶))

    All gradients are scaled by the same factor, so the update keeps its direction and only its length
    is capped: the usual cure for exploding gradients (e.g. in recurrent networks).
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` in place. Unlike ``clip_grad_norm_``
    this changes the direction of the gradient when some entries are clipped and others not."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(-clip_value, clip_value)


# ------------------------------------------------------------------------------ flat parameter vectors
def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-d tensor (differentiable)."""
    return cat([p.reshape(-1) for p in _as_list(parameters)])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d ``vec`` into the parameters (in place, outside autograd)."""
    params = _as_list(parameters)
    v = vec if isinstance(vec, Tensor) else tensor(vec)
    need = sum(p.numel() for p in params)
    if v.dim() != 1 or v.numel() != need:
        raise ValueError(f"vector_to_parameters: expected a 1-d vector of {need} numbers (the parameters' total "
                         f"size), got shape {tuple(v.shape)}")
    start = 0
    with no_grad():
        for p in params:
            p.copy_(v[start:start + p.numel()].reshape(p.shape))
            start += p.numel()


# -------------------------------------------------------------------------------------- penalties
def _penalty_params(params):
    return [p for p in _as_list(params) if p is not None]


def l1_penalty(params):
    """Σ|w| over every element of every tensor; its gradient is sign(w) (0 at w = 0): it pushes weights
    to exactly 0, giving sparse networks."""
    total = None
    for p in _penalty_params(params):
        term = p.abs().sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l1_penalty: got no parameters")
    return total


def l2_penalty(params):
    """½·Σw² over every element of every tensor; its gradient is w itself, so ``lam·l2_penalty`` in the
    loss is weight decay with rate lam under plain SGD (the ½ is TF Playground's convention, R′(w) = w)."""
    total = None
    for p in _penalty_params(params):
        term = (p * p).sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l2_penalty: got no parameters")
    return total * 0.5

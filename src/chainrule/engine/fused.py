"""Public functions over the fused primitives of engine/ops/nn.py and the fused softplus: nn.functional
builds on these. Each exists because the composite would be slow (``linear``: three nodes for one BLAS call;
``class_nll``: log-softmax, a gather and a weighted mean; ``batch_norm_train``: ten nodes for one
normalisation) or unstable (``softplus``: log(1 + eˣ) overflows).
"""

from __future__ import annotations

from . import ops as P
from .autograd.function import check_same_device
from .tensor import Tensor, _arr, _wrap

__all__ = ["linear", "mse", "class_nll", "softplus", "batch_norm_train"]


def linear(input, weight, bias=None):
    """y = x·Wᵀ + b with W of shape (out_features, in_features): one node; ∂L/∂x = g·W, ∂L/∂W = gᵀ·x,
    ∂L/∂b = Σ_batch g."""
    return P.Linear.apply(input, weight, bias)  # (the node names itself as torch does: AddmmBackward0, ...)


def mse(input, target, reduction="mean"):
    """The squared error of nn.functional.mse_loss in one node (MseLossBackward0, as torch names it); ``target``
    a Tensor of the input's dtype (it may require grad)."""
    return P.MseLoss.apply(input, target, reduction=reduction)


def softplus(input):
    """log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), which never overflows; its derivative is σ(x)."""
    return P.Softplus.apply(input)


def class_nll(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0, logits=True):
    """The class-index loss of nn.functional.cross_entropy (``logits=True``: log softmax folded in) and of
    nll_loss (``logits=False``: input holds log-probabilities). ``target``: int class indices; ``weight``:
    per-class weights (not differentiated). See engine/ops/nn.py for the formula and its gradient."""
    w = _arr(weight)
    if w is not None and w.dtype != input._array.dtype:
        w = w.astype(input._array.dtype)
    op = P.CrossEntropy if logits else P.NllLoss
    t = target._array if isinstance(target, Tensor) else target
    check_same_device("cross_entropy" if logits else "nll_loss", [input._array, t, w])
    return op.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction,
                    label_smoothing=label_smoothing)


def batch_norm_train(input, weight=None, bias=None, eps=1e-5):
    """Batch normalisation with the batch's own statistics, over every dim but 1 (the channels):
    y = γ·(x − μ)/√(σ² + ε) + β in one node (engine/ops/nn.py has the gradient). Returns (y, μ, σ²), the
    per-channel mean and *biased* variance as (C,) tensors without a graph (for the running estimates)."""
    x = input._array
    axes = (0,) + tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    d = x - mean
    var = (d * d).mean(axis=axes, keepdims=True)
    y = P.BatchNorm.apply(input, weight, bias, mean=mean, var=var, eps=eps)
    return y, _wrap(mean.reshape(-1), None), _wrap(var.reshape(-1), None)

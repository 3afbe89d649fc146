"""Public functions over the fused primitives of engine/ops/nn.py and the fused softplus: nn.functional
builds on these. Each exists because the composite would be slow (``linear``: three nodes for one BLAS call;
``class_nll``: log-softmax, a gather and a weighted mean) or unstable (``softplus``: log(1 + eˣ) overflows).
"""

from __future__ import annotations

from . import ops as P
from .tensor import Tensor, _arr

__all__ = ["linear", "class_nll", "softplus"]


def linear(input, weight, bias=None):
    """y = x·Wᵀ + b with W of shape (out_features, in_features): one node; ∂L/∂x = g·W, ∂L/∂W = gᵀ·x,
    ∂L/∂b = Σ_batch g."""
    out = P.Linear.apply(input, weight, bias)
    if out.grad_fn is not None:  # torch's names: addmm for a batch of rows, mm without a bias, a view otherwise
        out.grad_fn._label = ("AddmmBackward0" if bias is not None else "MmBackward0") if input.ndim == 2 \
            else "ViewBackward0"
    return out


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
    return op.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction,
                    label_smoothing=label_smoothing)

"""Fused primitives for neural networks: one node where a composite would cost several, or lose precision.

``Linear`` is y = x·Wᵀ + b in one BLAS call; ``NllLoss`` / ``CrossEntropy`` are the class-index losses with
log-softmax folded in (stable: shifted by the row maximum), class weights, ``ignore_index`` and label
smoothing. Their public functions are in engine/fused.py; nn.functional calls those.
"""

from __future__ import annotations

from .. import backend as B
from ..autograd.function import Primitive, ShownNode
from ..backend import xp


class Linear(Primitive):
    """y = x·Wᵀ + b, W of shape (out, in) as in PyTorch: one matmul against the transposed view of W."""

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.x, ctx.w = x, w
        # torch's name for the node: addmm for a batch of rows, mm without a bias, a view otherwise
        ctx._label = ("AddmmBackward0" if b is not None else "MmBackward0") if x.ndim == 2 else "ViewBackward0"
        out = x @ w.T
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, g):
        """∂L/∂x = g·W,  ∂L/∂W = gᵀ·x,  ∂L/∂b = Σ_batch g (leading dims flattened into one batch)."""
        x, w = ctx.x, ctx.w
        nx, nw, nb = ctx.needs_input_grad
        gx = g @ w if nx else None
        if x.ndim != 2:
            x, g = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
        gw = g.T @ x if nw else None  # C-ordered like W (a transposed view would make every update strided)
        gb = g.sum(axis=0) if nb else None
        return gx, gw, gb

    @property
    def next_functions(self):
        """torch's: a batch of rows is addmm(bias, x, Wᵀ) (mm(x, Wᵀ) without a bias), Wᵀ a TBackward0 node."""
        if self._shown is None and self._label in ("AddmmBackward0", "MmBackward0"):
            x, w, b = (tuple(self._edges) + (None,))[:3]
            t = (ShownNode("TBackward0", w), 0) if w is not None else None
            self._shown = (b, x, t) if self._label == "AddmmBackward0" else (x, t)
        return Primitive.next_functions.fget(self)


class MseLoss(Primitive):
    """Squared error in one node: ℓ = Σ(x − y)²/n ('mean'), Σ(x − y)² ('sum') or each (x − y)² ('none');
    ∂ℓ/∂x = 2(x − y)·g (g/n for the mean), ∂ℓ/∂y = −∂ℓ/∂x. (The composite was four nodes; this rounds the same.)"""

    @staticmethod
    def forward(ctx, x, y, reduction="mean"):
        d = x - y
        ctx.d, ctx.reduction = d, reduction
        sq = d * d
        if reduction == "none":
            return sq
        total = sq.sum()  # (a NumPy scalar on the CPU: the Tensor wraps it as a 0-d array)
        if reduction == "mean":  # a division, as torch's mean (a multiply by 1/n rounds differently)
            total = total / (float(sq.size) if sq.size else float("nan"))
        return total

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        if ctx.reduction == "mean":
            g = g / (float(d.size) if d.size else float("nan"))
        t = d * g
        gx = t + t  # 2(x − y)·g, doubled exactly
        nx, ny = ctx.needs_input_grad
        return (gx if nx else None), (-gx if ny else None)


class NllLoss(Primitive):
    """Class-index negative log-likelihood of log-probabilities x (classes in dim 1, or dim 0 of a (C,) input):

        ℓₙ = −(1 − ε)·w[yₙ]·x[n, yₙ] − (ε/C)·Σ_c w_c·x[n, c]        (0 where yₙ = ignore_index)

    with class weights w (1 without), label smoothing ε; 'mean' divides Σₙ ℓₙ by Σₙ w[yₙ] over the
    non-ignored targets (PyTorch's weighted mean). ∂ℓₙ/∂x[n, c] = −A[n, c], A the coefficients above."""

    _logits = False

    _rows = False  # the common case's shortcut was taken (rows of logits, no weights/smoothing/ignored targets)

    @staticmethod
    def forward(ctx, x, target=None, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        if ctx._logits and x.ndim == 2 and x.shape[0] and weight is None and not label_smoothing \
                and reduction != "none" and not (target == ignore_index).any():
            return _cross_entropy_rows(ctx, x, target, reduction)
        cdim = 1 if x.ndim >= 2 else 0
        n_classes = x.shape[cdim]
        z = xp.moveaxis(x, cdim, -1).reshape(-1, n_classes)  # rows of class scores (a view for (N, C))
        t = target.reshape(-1)
        valid = t != ignore_index
        safe = xp.where(valid, t, 0)
        wy = (weight[safe] if weight is not None else B.ones(t.shape, x.dtype, like=x)) * valid
        rows = B.arange(0, t.shape[0], 1, xp.int64, like=x)
        if ctx._logits:  # log softmax, shifted by the row maximum so that exp cannot overflow
            s = z - z.max(axis=1, keepdims=True)
            z = s - xp.log(xp.exp(s).sum(axis=1, keepdims=True))
        loss = -(1 - label_smoothing) * wy * z[rows, safe]
        if label_smoothing:
            wz = z * weight if weight is not None else z
            loss -= (label_smoothing / n_classes) * valid * wz.sum(axis=1)
        wsum = float(wy.sum())
        ctx.z, ctx.safe, ctx.wy, ctx.valid, ctx.rows, ctx.wsum = z, safe, wy, valid, rows, wsum
        ctx.shape, ctx.cdim, ctx.weight, ctx.eps, ctx.reduction = x.shape, cdim, weight, label_smoothing, reduction
        loss = loss.astype(x.dtype, copy=False)
        if reduction == "mean":
            return xp.asanyarray(loss.sum() / wsum if wsum else xp.nan, dtype=x.dtype)
        if reduction == "sum":
            return xp.asanyarray(loss.sum(), dtype=x.dtype)
        return loss.reshape(target.shape)

    @staticmethod
    def backward(ctx, g):
        """With logits: ∂ℓₙ/∂zₙ = softmax(zₙ)·Σ_c A[n, c] − A[n, :] (log-softmax's VJP folded in)."""
        if ctx._rows:  # softmax(zₙ) − onehot(yₙ), times g (÷ N for the mean)
            gm = g / ctx.wsum if ctx.reduction == "mean" else g
            dz = xp.exp(ctx.z)
            dz *= gm
            dz[ctx.rows, ctx.safe] -= gm
            return dz
        z, safe, wy, rows, eps = ctx.z, ctx.safe, ctx.wy, ctx.rows, ctx.eps
        n_classes = z.shape[1]
        if ctx.reduction in ("mean", "sum"):  # g (a 0-d array, on z's device) spread over the rows
            gm = B.zeros(wy.shape, z.dtype, like=z)
            gm += (g / ctx.wsum if ctx.wsum else xp.nan) if ctx.reduction == "mean" else g
        else:
            gm = g.reshape(-1)
        smooth = (eps / n_classes) * (gm * ctx.valid)
        w = ctx.weight
        if ctx._logits:  # gₙ·Σ_c A[n, c]
            total = (1 - eps) * gm * wy
            if eps:
                total += smooth * (w.sum() if w is not None else n_classes)
            dz = xp.exp(z)
            dz *= total[:, None]
        else:
            dz = xp.zeros_like(z)
        dz[rows, safe] -= (1 - eps) * gm * wy
        if eps:
            dz -= smooth[:, None] * (w if w is not None else 1.0)
        dz = dz.reshape(ctx.shape[:1] + ctx.shape[2:] + (n_classes,) if len(ctx.shape) >= 2 else (n_classes,))
        return xp.moveaxis(dz, -1, ctx.cdim).astype(z.dtype, copy=False)


def _cross_entropy_rows(ctx, x, t, reduction):
    """CrossEntropy's forward for (N, C) logits without class weights, smoothing or ignored targets: the general
    path's numbers (its weights are all 1) in a third of the operations. ℓₙ = −log softmax(xₙ)[yₙ]."""
    s = x - x.max(axis=1, keepdims=True)
    z = s - xp.log(xp.exp(s).sum(axis=1, keepdims=True))
    rows = B.arange(0, t.shape[0], 1, xp.int64, like=x)
    total = -z[rows, t]
    total = total.sum()  # (a NumPy scalar on the CPU: the Tensor wraps it as a 0-d array)
    ctx._rows, ctx.z, ctx.rows, ctx.safe, ctx.reduction, ctx.wsum = True, z, rows, t, reduction, float(t.shape[0])
    return total / ctx.wsum if reduction == "mean" else total


class CrossEntropy(NllLoss):
    """``NllLoss`` of log softmax(x) in one node: x are logits (see NllLoss for the loss and its weights)."""

    _logits = True


class BatchNorm(Primitive):
    """Training-mode batch normalisation over every dim but 1 (the channels), in one node:

        x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β        (μ, σ²: the batch mean and biased variance per channel)

    ``mean`` and ``var`` (μ and σ², shaped to broadcast against x) are computed by the caller, which also
    needs them for the running estimates; the backward still treats them as the functions of x they are.
    With m values per channel and sums Σ over them:

        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,   ∂L/∂x = γ/√(σ² + ε) · (g − Σg/m − x̂·Σ(g·x̂)/m)

    (the last two terms are the paths through μ and σ²). One node instead of the composite's ten."""

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, mean=None, var=None, eps=1e-5):
        inv = (var + eps) ** -0.5
        xhat = (x - mean) * inv
        shape = mean.shape
        ctx.xhat, ctx.inv, ctx.weight, ctx.axes = xhat, inv, weight, tuple(i for i in range(x.ndim) if i != 1)
        out = xhat * weight.reshape(shape) if weight is not None else xhat.copy()
        if bias is not None:
            out += bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, g):
        nx, nw, nb = ctx.needs_input_grad
        xhat, axes, w = ctx.xhat, ctx.axes, ctx.weight
        gsum = g.sum(axis=axes, keepdims=True)
        gxhat_sum = (g * xhat).sum(axis=axes, keepdims=True) if nx or nw else None
        gx = None
        if nx:
            m = g.size // gsum.size
            scale = ctx.inv * (w.reshape(gsum.shape) if w is not None else 1.0)
            gx = (g - gsum / m - xhat * (gxhat_sum / m)) * scale
        gw = gxhat_sum.reshape(-1) if nw else None
        gb = gsum.reshape(-1) if nb else None
        return gx, gw, gb

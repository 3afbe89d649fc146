"""Reductions: sums, max/min, log-softmax, scans and products."""

from __future__ import annotations

from .. import backend as B
from ..autograd.function import Primitive
from ..backend import xp


def _axes(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(d % ndim if ndim else 0 for d in dim)


def _expand_reduced(g, shape, axes, keepdim):
    """Re-insert the reduced axes of g (when keepdim=False) so that it broadcasts against the input."""
    if axes is None:
        return g.reshape((1,) * len(shape)) if len(shape) else g
    if not keepdim:
        g = xp.expand_dims(g, axes)
    return g


class Sum(Primitive):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        axes = _axes(dim, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        return xp.asanyarray(a.sum(axis=axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):  # ∂(Σx)/∂xᵢ = 1: the gradient is copied to every summed element
        out = B.empty(ctx.shape, g.dtype, like=g)
        out[...] = _expand_reduced(g, ctx.shape, ctx.axes, ctx.keepdim)
        return out


class Amax(Primitive):
    """max/min over dims (or everything): ties share the gradient evenly (torch's amax/max() rule)."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, largest=True):
        axes = _axes(dim, a.ndim)
        out = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        ctx.a, ctx.axes, ctx.keepdim, ctx.out = a, axes, keepdim, out
        if keepdim:
            return out
        return xp.asanyarray(out.reshape(()) if axes is None else out.squeeze(axis=axes))

    @staticmethod
    def backward(ctx, g):
        mask = ctx.a == ctx.out
        count = mask.sum(axis=ctx.axes, keepdims=True)
        return _expand_reduced(g, ctx.a.shape, ctx.axes, ctx.keepdim) * mask / count


class MaxDim(Primitive):
    """max/min along one dim returning (values, indices); the gradient goes to the returned index."""

    @staticmethod
    def forward(ctx, a, dim=0, keepdim=False, largest=True):
        dim = dim % a.ndim if a.ndim else 0
        if a.ndim == 0:
            idx = B.zeros((), xp.int64, like=a)
            ctx.idx, ctx.shape, ctx.dim, ctx.keepdim = idx, a.shape, dim, keepdim
            return a.copy()
        idx = a.argmax(axis=dim) if largest else a.argmin(axis=dim)
        idx = xp.expand_dims(idx, dim)
        vals = xp.take_along_axis(a, idx, axis=dim)
        ctx.idx, ctx.shape, ctx.dim, ctx.keepdim = idx, a.shape, dim, keepdim
        return vals if keepdim else vals.squeeze(axis=dim)

    @staticmethod
    def backward(ctx, g):
        if len(ctx.shape) == 0:
            return g
        if not ctx.keepdim:
            g = xp.expand_dims(g, ctx.dim)
        out = B.zeros(ctx.shape, g.dtype, like=g)
        xp.put_along_axis(out, ctx.idx, g, axis=ctx.dim)
        return out


# ------------------------------------------------------------------------------------- fused for stability
class LogSoftmax(Primitive):
    """Fused for stability: log softmax(x)ᵢ = xᵢ − m − log Σⱼ exp(xⱼ − m), m = max x."""

    @staticmethod
    def forward(ctx, a, dim=None):
        m = a.max(axis=dim, keepdims=True)
        s = a - m
        out = s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        ctx.out, ctx.dim = out, dim
        return out

    @staticmethod
    def backward(ctx, g):  # ∂L/∂x = g − softmax(x)·Σ g
        return g - xp.exp(ctx.out) * g.sum(axis=ctx.dim, keepdims=True)


class CumSum(Primitive):
    """yᵢ = Σ_{j ≤ i} xⱼ along dim."""

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        return xp.cumsum(a, axis=dim)

    @staticmethod
    def backward(ctx, g):  # ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ: a cumulative sum from the other end
        d = ctx.dim
        return xp.flip(xp.cumsum(xp.flip(g, d), axis=d), d)


class Prod(Primitive):
    """Π xᵢ along dim (or over everything when dim is None)."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.a, ctx.dim, ctx.keepdim = a, dim, keepdim
        if dim is None:
            return xp.asanyarray(a.prod())
        return a.prod(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        # ∂(Π xⱼ)/∂xᵢ = Π_{j≠i} xⱼ = (product of the xⱼ before i) · (product of those after i): exclusive
        # cumulative products from both ends, so a zero in x needs no division (as torch's rule)
        a, dim = ctx.a, ctx.dim
        x, d = (a.reshape(-1), 0) if dim is None else (a, dim)
        n = x.shape[d]
        if n == 0:
            return xp.zeros_like(a)
        x = xp.moveaxis(x, d, 0)
        one = xp.ones_like(x[:1])
        before = xp.cumprod(xp.concatenate([one, x[:-1]]), axis=0)
        after = xp.cumprod(xp.concatenate([one, x[:0:-1]]), axis=0)[::-1]
        others = xp.moveaxis(before * after, 0, d).reshape(a.shape)
        return g * others if dim is None or ctx.keepdim else xp.expand_dims(g, dim) * others

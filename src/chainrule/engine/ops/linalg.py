"""The matrix product."""

from __future__ import annotations

from ..autograd.function import Primitive
from ..backend import xp


class MatMul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return a @ b

    @staticmethod
    def backward(ctx, g):
        """C = A·B:  ∂L/∂A = ∂L/∂C · Bᵀ,  ∂L/∂B = Aᵀ · ∂L/∂C  (1-d operands are promoted, then squeezed)."""
        a, b = ctx.a, ctx.b
        na, nb = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # dot product
            return (g * b if na else None), (g * a if nb else None)
        if a.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            ga = (g[..., None, :] @ xp.swapaxes(b, -1, -2))[..., 0, :] if na else None
            gb = a[:, None] * g[..., None, :] if nb else None
            return ga, gb
        if b.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
            ga = g[..., :, None] * b if na else None
            gb = (xp.swapaxes(a, -1, -2) @ g[..., :, None])[..., 0] if nb else None
            return ga, gb
        if a.ndim == 2 and b.ndim == 2:  # .T is much cheaper than swapaxes for the common case
            return (g @ b.T if na else None), (a.T @ g if nb else None)
        ga = g @ xp.swapaxes(b, -1, -2) if na else None
        gb = xp.swapaxes(a, -1, -2) @ g if nb else None
        return ga, gb

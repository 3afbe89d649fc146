"""torch's matrix functions: matmul/mm/bmm/mv/dot, outer, trace, diag, tril/triu."""

from __future__ import annotations

import builtins
from typing import Any

from . import backend as B
from . import ops as P
from .arguments import _into, _t
from .backend import xp
from .indexing import getitem
from .return_types import return_type
from .shape import unsqueeze
from .tensor import Tensor, _matmul, _wrap

__all__ = [  # the public names (re-exported by chainrule)
    "matmul", "mm", "bmm", "mv", "dot", "outer", "ger", "trace", "diag", "tril", "triu",
]


def matmul(input, other, *, out=None) -> Tensor:
    """The matrix product with torch's rules (1-d, 2-d, batched): C = AB, ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C."""
    return _into(_matmul(input, other), out, "matmul")

def mm(input, mat2) -> Tensor:
    """The product of two matrices: C = AB, ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C."""
    if input.dim() != 2 or _t(mat2).dim() != 2:
        raise RuntimeError(f"mm: both arguments must be matrices, got shapes {tuple(input.shape)} and "
                           f"{tuple(_t(mat2).shape)}")
    return matmul(input, mat2)


def mv(input, vec):
    """The product of a matrix and a vector: (Av)ᵢ = Σⱼ Aᵢⱼ vⱼ."""
    if input.dim() != 2 or _t(vec).dim() != 1:
        raise RuntimeError(f"mv: expected a matrix and a vector, got shapes {tuple(input.shape)} and "
                           f"{tuple(_t(vec).shape)}")
    return matmul(input, vec)


def bmm(input, mat2):
    """Batched matrix products of two 3-d tensors: Cₖ = AₖBₖ."""
    if input.dim() != 3 or _t(mat2).dim() != 3:
        raise RuntimeError(f"bmm: both arguments must be 3-d, got shapes {tuple(input.shape)} and "
                           f"{tuple(_t(mat2).shape)}")
    return matmul(input, mat2)


def dot(input, other) -> Tensor:
    """a·b = Σ aᵢbᵢ for 1-d a and b (torch raises for other shapes, as here)."""
    if input.dim() != 1 or _t(other).dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {_t(other).dim()}D tensors")
    return matmul(input, other)

def outer(input, vec2) -> Tensor:
    """(u vᵀ)ᵢⱼ = uᵢ vⱼ for 1-d u and v."""
    if input._array.ndim != 1 or _t(vec2)._array.ndim != 1:
        raise RuntimeError(
            f"outer: both arguments must be 1-d, got shapes {tuple(input.shape)} and {tuple(_t(vec2).shape)}"
        )
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def trace(input) -> Tensor:
    """Σ the main diagonal of a 2-d tensor."""
    return diag(input).sum()


def diag(input, diagonal=0) -> Tensor:
    """1-d → a square matrix with it on the ``diagonal``; 2-d → that diagonal as a 1-d tensor."""
    a = input._array
    if a.ndim == 1:
        n = a.shape[0] + builtins.abs(diagonal)
        i = B.arange(0, a.shape[0], 1, xp.int64, like=a)
        rows, cols = (i, i + diagonal) if diagonal >= 0 else (i - diagonal, i)
        return P.IndexPut.apply(B.zeros((n, n), a.dtype, like=a), input, index=(rows, cols))
    if a.ndim == 2:
        r0, c0 = (0, diagonal) if diagonal >= 0 else (-diagonal, 0)
        n = builtins.max(builtins.min(a.shape[0] - r0, a.shape[1] - c0), 0)
        i = B.arange(0, n, 1, xp.int64, like=a)
        return getitem(input, (i + r0, i + c0))
    raise RuntimeError(f"diag: expected a 1-d or 2-d tensor, got {a.ndim} dims")


def _tri(input, diagonal, lower):
    a = input._array
    if a.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: the input must have at least 2 dims, got {a.ndim}")
    keep = xp.tri(a.shape[-2], a.shape[-1], diagonal, dtype=bool)
    if not lower:
        keep = ~xp.tri(a.shape[-2], a.shape[-1], diagonal - 1, dtype=bool)
    return P.Where.apply(B.as_like(keep, a), input, B.zeros((), a.dtype, like=a))


def tril(input, diagonal=0) -> Tensor:
    """The lower triangle (entries with column − row ≤ diagonal); the rest zeroed."""
    return _tri(input, diagonal, True)


def triu(input, diagonal=0) -> Tensor:
    """The upper triangle (entries with column − row ≥ diagonal); the rest zeroed."""
    return _tri(input, diagonal, False)


def qr(A, mode="reduced") -> Any:
    """A = QR with Q orthonormal columns and R upper triangular (``chainrule.linalg.qr``). Not differentiable
    in chainrule: it is for initialisation (``nn.init.orthogonal_``) and analysis."""
    if A.requires_grad:
        raise RuntimeError("linalg.qr has no gradient in chainrule; call it on A.detach()")
    q, r = xp.linalg.qr(A._array, mode=mode)
    return qr_result(_wrap(q, None), _wrap(r, None))


qr_result = return_type("linalg_qr", ["Q", "R"])

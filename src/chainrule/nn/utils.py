"""nn.utils: regularisation penalties (and, from the optim side, gradient clipping).

``l1_penalty``/``l2_penalty`` are the playground's L1/L2 menu as differentiable terms to add to a loss:
``loss = data_loss + lam * nn.utils.l2_penalty(model.parameters())``. (Weight decay proper, applied in
the update, lives in the optimizers.)
"""

from __future__ import annotations

from .. import ops as P
from ..tensor import Tensor


def _params(params):
    if isinstance(params, Tensor):
        return [params]
    return [p for p in params if p is not None]


def l1_penalty(params):
    """Σ|w| over every element of every tensor; its gradient is sign(w) (0 at w = 0): it pushes weights
    to exactly 0, giving sparse networks."""
    total = None
    for p in _params(params):
        term = P.Sum.apply(P.Abs.apply(p), dim=None, keepdim=False)
        total = term if total is None else P.Add.apply(total, term)
    if total is None:
        raise ValueError("l1_penalty: got no parameters")
    return total


def l2_penalty(params):
    """½·Σw² over every element of every tensor; its gradient is w itself, so ``lam·l2_penalty`` in the
    loss is weight decay with rate lam under plain SGD. (The ½ is the convention that makes the gradient w.)"""
    total = None
    for p in _params(params):
        term = P.Sum.apply(P.Mul.apply(p, p), dim=None, keepdim=False)
        total = term if total is None else P.Add.apply(total, term)
    if total is None:
        raise ValueError("l2_penalty: got no parameters")
    return P.Mul.apply(total, 0.5)

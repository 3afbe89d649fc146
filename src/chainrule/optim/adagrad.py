"""Adagrad: per-coordinate learning rates from the sum of squared gradients (torch.optim.Adagrad)."""

from __future__ import annotations

from ..engine import full_like, is_capturing
from ..engine.dtypes import float64
from .optimizer import Optimizer, _require_nonnegative, _step_tensor


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), exactly as ``torch.optim.Adagrad``.

    For every parameter θ with gradient g (γ = lr, η = lr_decay, λ = weight_decay, ε = eps)::

        t ← t + 1                                   (state "step")
        g ← -g                                      if maximize
        g ← g + λ θ                                 if λ ≠ 0
        γ_t ← γ / (1 + (t - 1) η)                   (a decaying learning rate; η = 0: constant)
        G ← G + g²                                  (state "sum", starts at initial_accumulator_value)
        θ ← θ - γ_t · g / (√G + ε)

    **Slide vs torch.** The lecture slide writes the step as ``γ g / (G + ε)`` ("cache + ε"), dividing by
    the sum of squares itself. The algorithm (and torch) divides by its *square root*, ``√G``: the step then has
    the units of θ and a coordinate with consistently large gradients gets a step ~ γ/√t, not ~ γ/t.
    Note also that ε is added *outside* the square root (Adam does the same; Adadelta adds it inside).

    The state is created for every parameter at construction (as torch does), from the group's
    ``initial_accumulator_value`` (torch reads the constructor's value even for a group that overrides
    it; chainrule honours the group's value).

    Hyperparameters (torch's defaults): ``lr=1e-2, lr_decay=0, weight_decay=0,
    initial_accumulator_value=0, eps=1e-10, maximize=False``.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates Adagrad's state up front
            for p in group["params"]:
                self._state(p, group)

    def _init_state(self, p, group, state):
        state["step"] = _step_tensor(0.0, p.device)
        state["sum"] = full_like(p, group["initial_accumulator_value"]).detach()

    def _validate(self, group):
        _require_nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _update(self, p, grad, group):
        st = self._state(p, group)
        step_t = st["step"].add_(1)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad.add(p, alpha=group["weight_decay"])
        lr, lr_decay = group["lr"], group["lr_decay"]
        if not lr_decay:
            clr = lr
        elif is_capturing():  # a step-dependent rate as tensor ops, so that a replay recomputes it
            clr = (lr / ((step_t.to(float64) - 1) * lr_decay + 1)).to(p.dtype)
        else:
            clr = lr / (1 + (float(step_t) - 1) * lr_decay)
        s = st["sum"]
        s.addcmul_(grad, grad)
        std = s.sqrt().add_(group["eps"])
        p.addcdiv_(grad, std, value=-clr)

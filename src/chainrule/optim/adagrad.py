"""Adagrad: per-coordinate learning rates from the sum of squared gradients (torch.optim.Adagrad)."""

from __future__ import annotations

from ..backend import xp
from ..tensor import _wrap
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

    **Slide vs torch.** The lecture slide writes the step as ``γ g / (G + ε)``, dividing by the sum of
    squares itself. The algorithm (and torch) divides by its *square root*, ``√G``: the step then has
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
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        st = self.state[p]
        st["step"] = _step_tensor(0.0)
        st["sum"] = _wrap(xp.full_like(p.data, group["initial_accumulator_value"]), None)
        return st

    def _validate(self, group):
        _require_nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            lr_decay = group["lr_decay"]
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:  # a parameter added with add_param_group after construction
                    st = self._init_state(p, group)
                d = p.data
                g = g.data
                step_t = st["step"].data
                step_t += 1
                step = float(step_t)
                if maximize:
                    g = -g
                if weight_decay:
                    g = g + weight_decay * d
                clr = lr / (1 + (step - 1) * lr_decay)
                s = st["sum"].data
                s += g * g
                std = xp.sqrt(s)
                std += eps
                xp.divide(g, std, out=std)
                std *= clr
                d -= std
        return loss

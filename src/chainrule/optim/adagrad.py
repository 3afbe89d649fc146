"""Adagrad: per-coordinate learning rates from the sum of squared gradients (torch.optim.Adagrad)."""

from __future__ import annotations

from ..engine import full_like
from ..engine.backend import xp
from .optimizer import Optimizer, _gradient, _rate, _require_nonnegative, _run, _step_tensor, _torch_flags


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
                 *, maximize=False, **flags) -> None:
        _torch_flags("Adagrad", flags)
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

    def _update_group(self, group, params):
        for p in params:
            self._state(p, group)
        _run(_adagrad, (self._arrays(params), [p.grad._array for p in params], self._arrays(params, "sum"),
                        self._arrays(params, "step"), self._arrays(params, k=0)),
             group["lr"], group["lr_decay"], group["eps"], group["weight_decay"], group["maximize"])


def _adagrad(ps, gs, totals, steps, wss, lr, lr_decay, eps, weight_decay, maximize):
    """The update above on arrays, in place, for each parameter (``totals``: G; wss: scratch shaped like each θ)."""
    for p, g, total, step, ws in zip(ps, gs, totals, steps, wss):
        step += 1
        g = _gradient(p, g, maximize, weight_decay)
        clr = _rate(step, lambda t: lr / (1 + (t - 1) * lr_decay), p.dtype) if lr_decay else lr
        xp.multiply(g, g, out=ws)  # G ← G + g²
        total += ws
        xp.sqrt(total, out=ws)
        ws += eps
        xp.divide(g, ws, out=ws)
        ws *= -clr
        p += ws

"""Adadelta: Adagrad with decaying averages and units-matched steps (torch.optim.Adadelta)."""

from __future__ import annotations

from ..backend import xp
from .optimizer import Optimizer, _require_nonnegative, _step_tensor, _zeros_like


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), exactly as ``torch.optim.Adadelta``.

    For every parameter θ with gradient g (γ = lr, ρ = rho, ε = eps, λ = weight_decay)::

        g ← -g                                     if maximize
        g ← g + λ θ                                if λ ≠ 0
        v ← ρ v + (1 - ρ) g²                       (state "square_avg", starts at 0)
        Δ ← √(u + ε) / √(v + ε) · g                (u: state "acc_delta", starts at 0)
        u ← ρ u + (1 - ρ) Δ²
        θ ← θ - γ Δ

    The ratio √(u + ε)/√(v + ε) is an RMS of past *updates* over an RMS of past *gradients*, so Δ has
    the units of θ and the method needs no learning rate: the paper has none, torch keeps ``lr``
    (default 1.0) as a multiplier. Unlike Adagrad and Adam, ε sits *inside* the square roots; it also
    sets the size of the very first steps (≈ √ε/√(1 - ρ) per coordinate while u ≈ 0, 3·10⁻³ with the
    defaults), which is why Adadelta starts slowly.

    Hyperparameters (torch's defaults): ``lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False``.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        _require_nonnegative(group, "eps", "weight_decay")

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            rho = group["rho"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = _step_tensor(0.0)
                    st["square_avg"] = _zeros_like(p)
                    st["acc_delta"] = _zeros_like(p)
                d = p.data
                g = g.data
                step_t = st["step"].data
                step_t += 1
                if maximize:
                    g = -g
                if weight_decay:
                    g = g + weight_decay * d
                square_avg = st["square_avg"].data
                acc_delta = st["acc_delta"].data
                square_avg *= rho
                square_avg += (1 - rho) * g * g
                std = square_avg + eps
                xp.sqrt(std, out=std)
                delta = acc_delta + eps
                xp.sqrt(delta, out=delta)
                delta /= std
                delta *= g
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                delta *= lr
                d -= delta
        return loss

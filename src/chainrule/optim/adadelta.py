"""Adadelta: Adagrad with decaying averages and units-matched steps (torch.optim.Adadelta)."""

from __future__ import annotations

from ..engine.backend import xp
from .optimizer import (
    Optimizer,
    _average_square,
    _gradient,
    _require_nonnegative,
    _run,
    _step_tensor,
    _torch_flags,
    _zeros_like,
)


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

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False, **flags) -> None:
        _torch_flags("Adadelta", flags)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        _require_nonnegative(group, "eps", "weight_decay")

    def _init_state(self, p, group, state):
        state["step"] = _step_tensor(0.0, p.device)
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    def _update_group(self, group, params):
        for p in params:
            self._state(p, group)
        _run(_adadelta, (self._arrays(params), [p.grad._array for p in params], self._arrays(params, "square_avg"),
                         self._arrays(params, "acc_delta"), self._arrays(params, "step"), self._arrays(params, k=0),
                         self._arrays(params, k=1)),
             group["lr"], group["rho"], group["eps"], group["weight_decay"], group["maximize"])


def _adadelta(ps, gs, vs, us, steps, wss, deltas, lr, rho, eps, weight_decay, maximize):
    """The update above on arrays, in place, for each parameter (wss and deltas: scratch shaped like each θ)."""
    for p, g, v, u, step, ws, delta in zip(ps, gs, vs, us, steps, wss, deltas):
        step += 1
        g = _gradient(p, g, maximize, weight_decay)
        _average_square(v, g, rho, ws)  # v ← ρ v + (1 − ρ) g²
        xp.add(v, eps, out=ws)  # √(v + ε)
        xp.sqrt(ws, out=ws)
        xp.add(u, eps, out=delta)  # Δ ← √(u + ε) / √(v + ε) · g
        xp.sqrt(delta, out=delta)
        delta /= ws
        delta *= g
        _average_square(u, delta, rho, ws)  # u ← ρ u + (1 − ρ) Δ²
        xp.multiply(delta, -lr, out=ws)
        p += ws

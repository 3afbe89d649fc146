"""SGD: stochastic gradient descent, with momentum, Nesterov momentum and weight decay (torch.optim.SGD)."""

from __future__ import annotations

from ..engine import is_capturing
from ..engine.backend import xp
from .optimizer import Optimizer, _gradient, _require_nonnegative, _run, _torch_flags, _warm_up_first, _zeros_like


class SGD(Optimizer):
    r"""Stochastic gradient descent, exactly as ``torch.optim.SGD``.

    For every parameter θ with gradient g, at step t (γ = lr, μ = momentum, τ = dampening,
    λ = weight_decay)::

        g ← -g                          if maximize
        g ← g + λ θ                     if λ ≠ 0   (L2 penalty λ/2·‖θ‖² folded into the gradient)
        if μ ≠ 0:
            b ← g                       at the first step  (state "momentum_buffer")
            b ← μ b + (1 - τ) g         afterwards
            g ← g + μ b                 if nesterov
            g ← b                       otherwise
        θ ← θ - γ g

    **Momentum, slide vs torch.** The lecture writes momentum as a velocity, ``v ← μ v - γ g;
    θ ← θ + v``. Torch keeps the buffer ``b`` without the learning rate and multiplies by γ at the end.
    With a constant γ the two are the same trajectory (``v = -γ b``); with a learning-rate schedule they
    differ, because torch's buffer is not rescaled when γ changes.

    **Nesterov, slide vs torch.** The lecture evaluates the gradient at the look-ahead point,
    ``v ← μ v - γ ∇f(θ + μ v); θ ← θ + v``. Torch (following Sutskever et al., 2013) re-parametrises
    so that the stored parameters *are* the look-ahead point: with ``φ = θ + μ v`` the update becomes
    ``b ← μ b + g(φ); φ ← φ - γ (g(φ) + μ b)``, which needs only the gradient at the current
    parameters. Both produce the same sequence of look-ahead points.

    Hyperparameters (torch's defaults): ``lr=1e-3, momentum=0, dampening=0, weight_decay=0,
    nesterov=False, maximize=False``. Nesterov needs ``momentum > 0`` and ``dampening == 0``.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, **flags) -> None:
        _torch_flags("SGD", flags)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update_group(self, group, params):
        momentum, bufs, first = group["momentum"], None, None
        if momentum:
            bufs, first = [], []
            for p in params:
                st = self.state[p]
                buf = st.get("momentum_buffer")
                first.append(buf is None)
                if buf is None:  # the first step makes the state (so a capture needs an eager warm-up step)
                    if is_capturing():
                        raise _warm_up_first("SGD")
                    buf = st["momentum_buffer"] = _zeros_like(p)
                bufs.append(buf._array)
        _run(_sgd, (self._arrays(params), [p.grad._array for p in params], bufs, self._arrays(params, k=0)),
             group["lr"], momentum, group["dampening"], group["weight_decay"], group["nesterov"], group["maximize"],
             first)


def _sgd(ps, gs, bs, wss, lr, momentum, dampening, weight_decay, nesterov, maximize, first):
    """The update above on arrays, in place, for each parameter (bs: the momentum buffers; wss: scratch shaped like
    each θ; first[i]: parameter i's first step with momentum, b ← g)."""
    for i, (p, g, ws) in enumerate(zip(ps, gs, wss)):
        g = _gradient(p, g, maximize, weight_decay)
        if momentum:
            b = bs[i]
            if first[i]:
                b[...] = g
            else:
                b *= momentum
                if dampening:
                    xp.multiply(g, 1 - dampening, out=ws)
                    b += ws
                else:
                    b += g
            g = g + b * momentum if nesterov else b
        xp.multiply(g, -lr, out=ws)
        p += ws

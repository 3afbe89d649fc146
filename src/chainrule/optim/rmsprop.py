"""RMSprop: divide by a running RMS of the gradient (torch.optim.RMSprop)."""

from __future__ import annotations

from ..engine.backend import xp
from .optimizer import (
    Optimizer,
    _average_square,
    _gradient,
    _lerp,
    _require_nonnegative,
    _run,
    _step_tensor,
    _torch_flags,
    _zeros_like,
)


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Coursera lecture 6e), exactly as ``torch.optim.RMSprop``.

    For every parameter θ with gradient g (γ = lr, α = alpha, ε = eps, μ = momentum,
    λ = weight_decay)::

        g ← -g                                     if maximize
        g ← g + λ θ                                if λ ≠ 0
        v ← α v + (1 - α) g²                       (state "square_avg", starts at 0)
        if centered:
            ḡ ← α ḡ + (1 - α) g                    (state "grad_avg", starts at 0)
            s ← √(v - ḡ²) + ε                      (an estimate of the gradient's standard deviation)
        else:
            s ← √v + ε
        if μ > 0:
            b ← μ b + g / s                        (state "momentum_buffer", starts at 0)
            θ ← θ - γ b
        else:
            θ ← θ - γ g / s

    **Slide vs torch.** The slide divides the step by the running average itself, ``γ g / (v + ε)``
    ("cache + ε"), without the square root: the algorithm (and torch) divides by ``√v + ε``, which gives
    the step the units of θ and makes it independent of the gradient's scale (docs/slide-errata.md).

    This is Adagrad with the sum G replaced by an exponential moving average, so old gradients are
    forgotten and the step does not shrink to zero. There is no bias correction (Adam adds it): v starts
    at 0, so the first steps are larger than γ by about 1/√(1 - α^t) -- 10× at t = 1 with α = 0.99.
    ``centered=True`` divides by the variance of g instead of its raw second moment (Graves, 2013).

    Hyperparameters (torch's defaults): ``lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False``.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 *, maximize=False, **flags) -> None:
        _torch_flags("RMSprop", flags)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def _init_state(self, p, group, state):
        state["step"] = _step_tensor(0.0, p.device)
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    def _update_group(self, group, params):
        for p in params:
            self._state(p, group)
        avgs = self._arrays(params, "grad_avg") if group["centered"] else None
        bufs = self._arrays(params, "momentum_buffer") if group["momentum"] > 0 else None
        _run(_rmsprop, (self._arrays(params), [p.grad._array for p in params], self._arrays(params, "square_avg"),
                        avgs, bufs, self._arrays(params, "step"), self._arrays(params, k=0)),
             group["lr"], group["alpha"], group["eps"], group["momentum"], group["weight_decay"], group["maximize"])


def _rmsprop(ps, gs, vs, avgs, bs, steps, wss, lr, alpha, eps, momentum, weight_decay, maximize):
    """The update above on arrays, in place, for each parameter (``avgs``: ḡ when centered; ``bs``: the momentum
    buffers; wss: scratch shaped like each θ)."""
    for i, (p, g, v, step, ws) in enumerate(zip(ps, gs, vs, steps, wss)):
        step += 1
        g = _gradient(p, g, maximize, weight_decay)
        _average_square(v, g, alpha, ws)  # v ← α v + (1 − α) g²
        if avgs is not None:
            avg = avgs[i]
            _lerp(avg, g, 1 - alpha, ws)  # ḡ ← α ḡ + (1 − α) g
            xp.multiply(avg, avg, out=ws)  # s ← √(v − ḡ²) + ε
            xp.subtract(v, ws, out=ws)
            xp.sqrt(ws, out=ws)
        else:
            xp.sqrt(v, out=ws)
        ws += eps
        xp.divide(g, ws, out=ws)  # g / s
        if bs is not None:
            b = bs[i]
            b *= momentum
            b += ws
            xp.multiply(b, -lr, out=ws)
        else:
            ws *= -lr
        p += ws

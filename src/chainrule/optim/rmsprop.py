"""RMSprop: divide by a running RMS of the gradient (torch.optim.RMSprop)."""

from __future__ import annotations

from ..engine.backend import xp
from .optimizer import Optimizer, _lerp, _require_nonnegative, _run, _step_tensor, _torch_flags, _zeros_like


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

    def _update(self, p, grad, group):
        st = self._state(p, group)
        avg = st["grad_avg"]._array if group["centered"] else None
        buf = st["momentum_buffer"]._array if group["momentum"] > 0 else None
        _run(_rmsprop, (p._array, grad._array, st["square_avg"]._array, avg, buf, st["step"]._array,
                        self._workspace(p)),
             group["lr"], group["alpha"], group["eps"], group["momentum"], group["weight_decay"], group["maximize"])


def _rmsprop(p, g, v, avg, b, step, ws, lr, alpha, eps, momentum, weight_decay, maximize):
    """The update above on arrays, in place (``avg``: ḡ when centered; ``b``: the momentum buffer; ws: scratch)."""
    step += 1
    if maximize:
        g = -g
    if weight_decay:
        g = g + p * weight_decay  # a new array: the gradient itself is never modified
    v *= alpha  # v ← α v + (1 − α) g²
    xp.multiply(g, 1 - alpha, out=ws)
    ws *= g
    v += ws
    if avg is not None:
        _lerp(avg, g, 1 - alpha, ws)  # ḡ ← α ḡ + (1 − α) g
        xp.multiply(avg, avg, out=ws)  # s ← √(v − ḡ²) + ε
        xp.subtract(v, ws, out=ws)
        xp.sqrt(ws, out=ws)
    else:
        xp.sqrt(v, out=ws)
    ws += eps
    xp.divide(g, ws, out=ws)  # g / s
    if b is not None:
        b *= momentum
        b += ws
        xp.multiply(b, -lr, out=ws)
    else:
        ws *= -lr
    p += ws

"""RMSprop: divide by a running RMS of the gradient (torch.optim.RMSprop)."""

from __future__ import annotations

from ..backend import xp
from .optimizer import Optimizer, _lerp_, _require_nonnegative, _step_tensor, _zeros_like


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

    This is Adagrad with the sum G replaced by an exponential moving average, so old gradients are
    forgotten and the step does not shrink to zero. There is no bias correction (Adam adds it): v starts
    at 0, so the first steps are larger than γ by about 1/√(1 - α^t) -- 10× at t = 1 with α = 0.99.
    ``centered=True`` divides by the variance of g instead of its raw second moment (Graves, 2013).

    Hyperparameters (torch's defaults): ``lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False``.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            alpha = group["alpha"]
            eps = group["eps"]
            momentum = group["momentum"]
            centered = group["centered"]
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
                    if momentum > 0:
                        st["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        st["grad_avg"] = _zeros_like(p)
                d = p.data
                g = g.data
                step_t = st["step"].data
                step_t += 1
                if maximize:
                    g = -g
                if weight_decay:
                    g = g + weight_decay * d
                square_avg = st["square_avg"].data
                square_avg *= alpha
                square_avg += (1 - alpha) * g * g
                if centered:
                    grad_avg = st["grad_avg"].data
                    _lerp_(grad_avg, g, 1 - alpha)
                    avg = square_avg - grad_avg * grad_avg
                    xp.sqrt(avg, out=avg)
                else:
                    avg = xp.sqrt(square_avg)
                avg += eps
                xp.divide(g, avg, out=avg)
                if momentum > 0:
                    buf = st["momentum_buffer"].data
                    buf *= momentum
                    buf += avg
                    d -= lr * buf
                else:
                    avg *= lr
                    d -= avg
        return loss

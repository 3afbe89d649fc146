"""RMSprop: divide by a running RMS of the gradient (torch.optim.RMSprop)."""

from __future__ import annotations

from .optimizer import Optimizer, _require_nonnegative, _step_tensor, _zeros_like


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
                 *, maximize=False):
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
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        st["step"].add_(1)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad.add(p, alpha=group["weight_decay"])
        square_avg = st["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = st["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(eps)
        if momentum > 0:
            buf = st["momentum_buffer"]
            buf.mul_(momentum).addcdiv_(grad, avg)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(grad, avg, value=-lr)

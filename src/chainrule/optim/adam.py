"""Adam: momentum plus RMSprop, with bias correction (torch.optim.Adam)."""

from __future__ import annotations

from ..engine.backend import xp
from .optimizer import (
    Optimizer,
    _average_square,
    _gradient,
    _lerp,
    _rate,
    _require_nonnegative,
    _run,
    _sqrt,
    _step_tensor,
    _torch_flags,
    _zeros_like,
)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), exactly as ``torch.optim.Adam``.

    For every parameter θ with gradient g (γ = lr, (β₁, β₂) = betas, ε = eps, λ = weight_decay)::

        t ← t + 1                                   (state "step")
        g ← -g                                      if maximize
        θ ← θ (1 - γ λ)                             if λ ≠ 0 and decoupled_weight_decay (AdamW)
        g ← g + λ θ                                 if λ ≠ 0 otherwise (an L2 penalty)
        m ← β₁ m + (1 - β₁) g                       (state "exp_avg": momentum, starts at 0)
        v ← β₂ v + (1 - β₂) g²                      (state "exp_avg_sq": RMSprop's average, starts at 0)
        v̂ ← max(v̂, v)                               if amsgrad (state "max_exp_avg_sq"); then use v̂ for v
        θ ← θ - γ/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)

    **The slide's form: no bias correction, and no square root.** The slide writes the step as
    ``θ ← θ - γ m / (v + ε)``: m and v as above but neither corrected, and the division by v + ε
    ("cache + ε") without the square root. Without the square root the step is ∝ 1/|g| instead of ≈ γ per
    coordinate and scales with 1/c when the loss is multiplied by c; the algorithm (and torch) divides by
    √v̂ (see docs/slide-errata.md; ``chainrule lab adam-bias-correction`` measures both differences).
    Because m and v start at 0 they are biased towards 0 early on: after one step m = (1 - β₁) g and
    v = (1 - β₂) g², so the uncorrected step is γ (1 - β₁)/√(1 - β₂) ≈ 3.2 γ with the default betas
    (and ε matters much more than it should). Dividing m by (1 - β₁ᵗ) and v by (1 - β₂ᵗ) removes the
    bias, so the first step is ≈ γ·sign(g), and the correction fades to 1 as t grows.
    Torch folds the corrections into the step size and the denominator, as written above; note that ε is
    added after dividing √v by √(1 - β₂ᵗ).

    ``amsgrad=True`` (Reddi et al., 2018) never lets the denominator shrink. ``weight_decay`` is an L2
    penalty added to the gradient, which the 1/√v scaling then weakens for coordinates with large
    gradients; AdamW's decoupled decay (``decoupled_weight_decay=True``) shrinks θ directly instead.

    Hyperparameters (torch's defaults): ``lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    amsgrad=False, maximize=False, decoupled_weight_decay=False``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False, **flags) -> None:
        _torch_flags(type(self).__name__, flags)
        betas = tuple(betas) if isinstance(betas, (tuple, list)) else betas
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr", "eps")
        betas = group["betas"]
        if not isinstance(betas, tuple) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        _require_nonnegative(group, "weight_decay")

    def _init_state(self, p, group, state):
        state["step"] = _step_tensor(0.0, p.device)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    def _update_group(self, group, params):
        for p in params:
            self._state(p, group)
        vmax = self._arrays(params, "max_exp_avg_sq") if group["amsgrad"] else None
        _run(_adam, (self._arrays(params), [p.grad._array for p in params], self._arrays(params, "exp_avg"),
                     self._arrays(params, "exp_avg_sq"), vmax, self._arrays(params, "step"), self._arrays(params, k=0)),
             group["lr"], *group["betas"], group["eps"], group["weight_decay"], group["decoupled_weight_decay"],
             group["maximize"])


def _adam(ps, gs, ms, vs, vmaxs, steps, wss, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    """The update above on arrays, in place, for each parameter (wss: scratch shaped like each θ), in torch's order
    of operations."""
    for i, (p, g, m, v, step, ws) in enumerate(zip(ps, gs, ms, vs, steps, wss)):
        step += 1
        if weight_decay and decoupled:
            p *= 1 - lr * weight_decay
        g = _gradient(p, g, maximize, 0 if decoupled else weight_decay)
        _lerp(m, g, 1 - beta1, ws)  # m ← m + (1 − β₁)(g − m)
        _average_square(v, g, beta2, ws)  # v ← β₂ v + (1 − β₂) g²
        step_size = _rate(step, lambda t: lr / (1 - beta1**t), p.dtype)
        bias_correction2_sqrt = _rate(step, lambda t: _sqrt(1 - beta2**t), p.dtype)
        if vmaxs is not None:
            xp.maximum(vmaxs[i], v, out=vmaxs[i])
            v = vmaxs[i]
        xp.sqrt(v, out=ws)  # the denominator √v / √(1 − β₂ᵗ) + ε
        ws /= bias_correction2_sqrt
        ws += eps
        xp.divide(m, ws, out=ws)
        ws *= -step_size
        p += ws

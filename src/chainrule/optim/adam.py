"""Adam: momentum plus RMSprop, with bias correction (torch.optim.Adam)."""

from __future__ import annotations

import math

from ..engine import is_capturing, maximum
from ..engine.dtypes import float64
from .optimizer import Optimizer, _require_nonnegative, _step_tensor, _zeros_like


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
                 maximize=False, decoupled_weight_decay=False):
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

    def _update(self, p, grad, group):
        st = self._state(p, group)
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step_t = st["step"].add_(1)
        if group["maximize"]:
            grad = -grad
        if weight_decay:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)
        exp_avg, exp_avg_sq = st["exp_avg"], st["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if is_capturing():  # the step-dependent rates as tensor ops, so that a replay recomputes them
            t = step_t.to(float64)  # (torch's capturable=True); the same doubles as below, cast the same way
            step_size = (lr / (1 - beta1**t)).to(p.dtype)
            bias_correction2_sqrt = (1 - beta2**t).sqrt().to(p.dtype)
        else:
            step = float(step_t)
            step_size = lr / (1 - beta1**step)
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        if group["amsgrad"]:
            max_sq = st["max_exp_avg_sq"]
            max_sq.copy_(maximum(max_sq, exp_avg_sq))
            denom = max_sq.sqrt()
        else:
            denom = exp_avg_sq.sqrt()
        denom.div_(bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)

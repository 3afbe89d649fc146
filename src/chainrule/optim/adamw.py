"""AdamW: Adam with decoupled weight decay (torch.optim.AdamW)."""

from __future__ import annotations

from .adam import Adam


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), exactly as ``torch.optim.AdamW``.

    Adam's update with the weight decay taken out of the gradient (γ = lr, λ = weight_decay)::

        θ ← θ (1 - γ λ)                                     (decay first, on the raw parameters)
        m, v, (v̂) updated from g exactly as in Adam         (g does not contain λ θ)
        θ ← θ - γ/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)

    Why: in Adam an L2 penalty ``g + λθ`` is divided by √v like the rest of the gradient, so weights
    with large gradients are barely decayed. Decoupling makes every weight shrink by the same factor
    (1 - γλ) per step, which is what "weight decay" means for plain SGD.

    Hyperparameters (torch's defaults): ``lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False, maximize=False``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, **flags) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, **flags)

    def load_state_dict(self, state_dict) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # an AdamW always decouples, whatever the checkpoint says
            group["decoupled_weight_decay"] = True

"""SGD: stochastic gradient descent, with momentum, Nesterov momentum and weight decay (torch.optim.SGD)."""

from __future__ import annotations

from ..tensor import _wrap
from .optimizer import Optimizer, _require_nonnegative


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
                 maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _require_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            if not momentum and not weight_decay and not maximize:
                # plain gradient descent, the hot path of small networks: one multiply, one subtract.
                # lr as a scalar of the array's dtype: the same rounding as a Python float (torch and
                # NumPy both cast it to float32 for float32 arrays), but NumPy's fast path
                dtype = lr_t = None
                for p in group["params"]:
                    g = p.grad
                    if g is not None:
                        g = g.data
                        if g.dtype is not dtype:
                            dtype = g.dtype
                            lr_t = dtype.type(lr)
                        d = p.data
                        d -= g * lr_t
                continue
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = p.data
                g = g.data
                if maximize:
                    g = -g
                if weight_decay:
                    g = g + weight_decay * d  # a new array: p.grad itself is never modified
                if momentum:
                    st = state[p]
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        buf = g.copy()
                        st["momentum_buffer"] = _wrap(buf, None)
                    else:
                        buf = buf.data
                        buf *= momentum
                        buf += g if dampening == 0 else (1 - dampening) * g
                    g = g + momentum * buf if nesterov else buf
                d -= lr * g
        return loss

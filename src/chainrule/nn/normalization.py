"""Layer normalisation (Ba, Kiros & Hinton, 2016): batch norm's formula over each sample's own features."""

from __future__ import annotations

from ..engine import (
    Tensor,  # noqa: F401 - in annotations
    ones,
    zeros,
)
from . import init
from .module import Module
from .parameter import Parameter


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of each sample, then scale and shift:

        y = γ·(x − μ)/√(σ² + ε) + β,   μ, σ² the mean and biased variance of those dims

    Unlike batch norm, the statistics come from the sample itself, so training and evaluation agree and a
    batch of one is fine. A composite: gradients flow through μ and σ² as well.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x_shape, nd = tuple(input.shape), input.dim()
    k = len(shape)
    if x_shape[nd - k:] != shape or k == 0:
        raise ValueError(f"layer_norm: the input's last dims must be normalized_shape {shape}, got input shape "
                         f"{x_shape}")
    axes = tuple(range(nd - k, nd))
    n = 1
    for s in shape:
        n *= s
    d = input - input.sum(axes, keepdim=True) * (1.0 / n)
    var = (d * d).sum(axes, keepdim=True) * (1.0 / n)
    out = d * (var + eps) ** -0.5
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class LayerNorm(Module):
    """``layer_norm`` as a layer: γ (``weight``, ones) and β (``bias``, zeros) of ``normalized_shape``,
    learned when ``elementwise_affine`` (torch's names and defaults)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or not all(isinstance(s, int) and s > 0 for s in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive ints, got {normalized_shape!r}")
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self._has_bias = bias and elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(zeros(shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self._has_bias}")

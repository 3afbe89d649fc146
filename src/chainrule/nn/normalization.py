"""Layer normalisation (Ba, Kiros & Hinton, 2016): batch norm's formula over each sample's own features."""

from __future__ import annotations

from .. import ops as P
from ..creation import ones, zeros
from .module import Module
from .parameter import Parameter


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims of each sample, then scale and shift:

        y = γ·(x − μ)/√(σ² + ε) + β,   μ, σ² the mean and biased variance of those dims

    Unlike batch norm, the statistics come from the sample itself, so training and evaluation agree and a
    batch of one is fine. A composite: gradients flow through μ and σ² as well.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input.data
    k = len(shape)
    if tuple(x.shape[x.ndim - k:]) != shape or k == 0:
        raise ValueError(f"layer_norm: the input's last dims must be normalized_shape {shape}, got input shape "
                         f"{tuple(x.shape)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    n = 1
    for s in shape:
        n *= s
    d = input - P.Mul.apply(P.Sum.apply(input, dim=axes, keepdim=True), 1.0 / n)
    var = P.Mul.apply(P.Sum.apply(d * d, dim=axes, keepdim=True), 1.0 / n)
    out = d * P.Pow.apply(P.Add.apply(var, eps), -0.5)
    if weight is not None:
        out = P.Mul.apply(out, weight)
    if bias is not None:
        out = P.Add.apply(out, bias)
    return out


class LayerNorm(Module):
    """``layer_norm`` as a layer: γ (``weight``, ones) and β (``bias``, zeros) of ``normalized_shape``,
    learned when ``elementwise_affine`` (torch's names and defaults)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
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

    def reset_parameters(self):
        """γ ← 1, β ← 0."""
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self._has_bias}")

"""Linear (fully connected) layer, Identity and Flatten."""

from __future__ import annotations

import math

from ..engine import (
    Tensor,  # noqa: F401 - in annotations
    empty,
)
from . import init
from .functional import linear
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x·Wᵀ + b with W of shape (out_features, in_features), b of shape (out_features,).

    PyTorch's default initialisation: W ~ U(−1/√in, 1/√in) (``kaiming_uniform_`` with a = √5) and
    b ~ U(−1/√in, 1/√in). Accepts inputs of shape (..., in_features).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {v!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default init: W ~ U(−1/√in, 1/√in) (kaiming_uniform_ with a = √5) and b ~ U(−1/√in, 1/√in)."""
        if self.weight.numel() == 0:  # nothing to initialise (fan_in would be 0)
            return
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LazyLinear(Linear):
    """A Linear whose ``in_features`` is read from the first input (``nn.LazyLinear(10)``), as torch's.

    Until then ``weight`` and ``bias`` are empty Parameters; the first forward gives them their shapes
    (the same Parameter objects, so an optimizer built before already holds them) and torch's default
    initialisation, and the module becomes a plain ``Linear``."""

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, out_features, bias, device, dtype)
        self.weight.data = empty(0, dtype=dtype, device=device)
        if self.bias is not None:
            self.bias.data = empty(0, dtype=dtype, device=device)

    def has_uninitialized_params(self):
        return self.weight.numel() == 0 and self.weight.dim() == 1

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input):
        """Shape the parameters for ``input``'s last dimension and initialise them (torch's default)."""
        if self.has_uninitialized_params():
            self.in_features = int(input.shape[-1])
            self.weight.data = empty(self.out_features, self.in_features, dtype=self.weight.dtype)
            if self.bias is not None:
                self.bias.data = empty(self.out_features, dtype=self.bias.dtype)
            super().reset_parameters()
            self.__class__ = Linear

    def forward(self, input) -> Tensor:
        self.initialize_parameters(input)
        return linear(input, self.weight, self.bias)


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input) -> Tensor:
        return input


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one: (N, C, L) → (N, C·L) by default (start_dim=1)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dim into the shape ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input) -> Tensor:
        s = tuple(input.shape)
        d = self.dim % len(s)
        return input.reshape(s[:d] + self.unflattened_size + s[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

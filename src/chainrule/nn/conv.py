"""Convolution layers: Conv1d and Conv2d (torch.nn's names, arguments, attributes, state_dict and init)."""

from __future__ import annotations

import math

from ..engine import empty
from ..engine.conv import ntuple
from . import init
from .functional_conv import conv1d, conv2d, pad
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The shared body of Conv1d/Conv2d: y = W ⋆ x + b over d spatial dims (⋆: cross-correlation).

    Parameters (torch's shapes): ``weight`` (out_channels, in_channels/groups, *kernel_size), ``bias``
    (out_channels,). Initialisation (torch's): W ~ U(−1/√fan_in, 1/√fan_in) via kaiming_uniform_ with a = √5
    and b ~ U(−1/√fan_in, 1/√fan_in), fan_in = in_channels/groups · ∏kernel_size — one output unit sees that
    many inputs, exactly as a Linear layer's fan_in.
    """

    _d = 2
    _functional = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        d = self._d
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        stride, dilation = ntuple(stride, d, "stride"), ntuple(dilation, d, "dilation")
        kernel_size = ntuple(kernel_size, d, "kernel_size")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ('same', 'valid')")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = ntuple(padding, d, "padding")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.transposed, self.output_padding, self.padding_mode = False, (0,) * d, padding_mode
        # F.pad's order (last dim first, (before, after) each) for the non-zero padding modes
        if isinstance(padding, str):
            pairs = [(0, 0)] * d
            if padding == "same":
                pairs = [(dl * (k - 1) // 2, dl * (k - 1) - dl * (k - 1) // 2) for dl, k in zip(dilation, kernel_size)]
        else:
            pairs = [(p, p) for p in padding]
        flat = [v for pair in reversed(pairs) for v in pair]
        self._reversed_padding_repeated_twice = flat if isinstance(padding, str) else tuple(flat)  # torch's types
        self.weight = Parameter(empty(out_channels, in_channels // groups, *kernel_size, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """torch's default: kaiming_uniform_(W, a=√5), i.e. W ~ U(±1/√fan_in), and b ~ U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.weight.shape[2:])
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            padded = pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return self._functional(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return self._functional(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d convolution over (N, C_in, L) → (N, C_out, L_out), L_out = ⌊(L + 2p − δ(k − 1) − 1)/s⌋ + 1:

        y[n, o, i] = b[o] + Σ_{c, t} W[o, c, t] · x[n, c, i·s + t·δ − p]

    ``padding``: an int, 'valid' (none) or 'same' (L_out = L; stride 1). ``padding_mode``: 'zeros',
    'reflect', 'replicate' or 'circular'. See _ConvNd for the parameters and their initialisation.
    """

    _d = 1
    _functional = staticmethod(conv1d)


class Conv2d(_ConvNd):
    """2-d convolution over (N, C_in, H, W) → (N, C_out, H_out, W_out), per spatial dim
    O = ⌊(S + 2p − δ(k − 1) − 1)/s⌋ + 1:

        y[n, o, i, j] = b[o] + Σ_{c, p, q} W[o, c, p, q] · x[n, c, i·sₕ + p·δₕ − pₕ, j·s_w + q·δ_w − p_w]

    Each output channel is one learned kH×kW×C_in filter slid over the image: the same weights at every
    position (weight sharing), each output seeing a small neighbourhood (local connectivity). ``groups=G``
    splits the channels into G independent convolutions (G = C_in: depthwise). Computed as one im2col copy
    and one matrix product (engine/ops/conv.py). See _ConvNd for the parameters and their initialisation.
    """

    _d = 2
    _functional = staticmethod(conv2d)

"""Convolutions, pooling, padding and channel dropout of nn.functional (re-exported there): torch's names,
argument names and defaults, over the engine's public functions (engine/conv.py, where the primitives'
math is written out). Inputs are (N, C, L) for the 1-d and (N, C, H, W) for the 2-d functions, or the
same without N for one unbatched sample.

Output size per spatial dim: O = ⌊(S + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1
(⌈·⌉ with ``ceil_mode=True`` for pooling).
"""

from __future__ import annotations

import warnings

from ..engine import conv as _conv
from ..engine import rand
from ..engine.dtypes import float64

__all__ = [
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "pad", "unfold", "fold", "dropout1d", "dropout2d",
]


def _conv_nd(d, input, weight, bias, stride, padding, dilation, groups):
    if weight.dim() != d + 2:
        raise ValueError(f"conv{d}d: the weight must be {d + 2}-d (out_channels, in_channels/groups, "
                         f"{'kH, kW' if d == 2 else 'kL'}), got shape {tuple(weight.shape)}")
    return _conv.conv(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation): y[n, o, i] = b[o] + Σ_{c,t} W[o, c, t]·x[n, c, i·s + t·δ − p].
    input (N, C_in, L), weight (C_out, C_in/groups, k); ``padding``: int, 'valid' or 'same'."""
    return _conv_nd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation), one im2col and one matrix product:

        y[n, o, i, j] = b[o] + Σ_{c, p, q} W[o, c, p, q] · x[n, c, i·sₕ + p·δₕ − pₕ, j·s_w + q·δ_w − p_w]

    input (N, C_in, H, W), weight (C_out, C_in/groups, kH, kW); ``padding``: int, pair, 'valid' or 'same'
    (stride 1). ``groups`` splits the channels into independent convolutions (groups = C_in: depthwise)."""
    return _conv_nd(2, input, weight, bias, stride, padding, dilation, groups)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each window of ``kernel_size`` (stride defaults to kernel_size); padding is −∞."""
    return _conv.max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each kH×kW window (stride defaults to kernel_size); the gradient flows to each window's
    maximum only (the first on ties, as in PyTorch)."""
    return _conv.max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window (zero padding counted in the divisor unless count_include_pad=False)."""
    return _conv.avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kH×kW window: Σ window / (kH·kW), or / divisor_override, or / the number of unpadded
    inputs in it with count_include_pad=False."""
    return _conv.avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length: bin i of L → O covers ⌊i·L/O⌋ … ⌈(i+1)·L/O⌉ − 1."""
    return _conv.adaptive_avg_pool(input, 1, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (H_out, W_out) (None keeps a size): torch's bins ⌊i·S/O⌋ … ⌈(i+1)·S/O⌉ − 1
    per dim, so any input size maps to the same output size (``output_size=1``: global average pooling)."""
    return _conv.adaptive_avg_pool(input, 2, output_size)


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)/2 dims: ``pad = (left, right, top, bottom, ...)``, the last dim first. Modes:
    'constant' (``value``, default 0; negative pads crop), 'reflect', 'replicate', 'circular'."""
    return _conv.pad(input, pad, mode, value)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) → (N, C·kH·kW, L), one column per window position (L of them)."""
    return _conv.unfold(input, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, unfold's adjoint: (N, C·kH·kW, L) → (N, C, *output_size), overlapping entries summed."""
    return _conv.fold(input, output_size, kernel_size, dilation, padding, stride)


def _channel_dropout(what, input, p, training, lead):
    """Drop whole channels: one keep/drop draw per entry of the first ``lead`` dims (sample and channel)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() <= lead:
        raise ValueError(f"{what}: expected an input of shape (N, C, ...), got shape {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = rand(*input.shape[:lead], *(1,) * (input.dim() - lead), dtype=float64, device=input.device) >= p
    return input * (keep.to(input.dtype) * (1.0 / (1.0 - p)))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) (or unbatched (C, L)) with probability p, one draw per sample and
    channel, and scale the survivors by 1/(1 − p): neighbouring positions are correlated, so dropping
    single ones barely regularises."""
    if input.dim() not in (2, 3):
        raise ValueError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
                         f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension")
    return _channel_dropout("dropout1d", input, p, training, 2 if input.dim() == 3 else 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole feature maps of (N, C, H, W) with probability p (one draw per sample and channel), scale
    the survivors by 1/(1 − p) (Tompson et al., 2015: neighbouring pixels are correlated). A 3-d input is
    taken as (N, C, L), as PyTorch does today (with its warning)."""
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim (as in PyTorch; use dropout1d for that)", stacklevel=2)
    return _channel_dropout("dropout2d", input, p, training, 2)

"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d (torch.nn's names, arguments and repr).

Pooling summarises each window of a feature map by one number (its maximum or mean), shrinking the map by
the stride and making the features a little insensitive to small shifts. No parameters. Output size per
spatial dim: O = ⌊(S + 2p − δ(k − 1) − 1)/s⌋ + 1 (⌈·⌉ with ceil_mode), the stride defaulting to the kernel.
"""

from __future__ import annotations

from . import functional_conv as F
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """y[n, c, i] = max_t x[n, c, i·s + t·δ − p] over (N, C, L); the gradient goes to each window's maximum."""

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """y[n, c, i, j] = max over the kH×kW window at (i·sₕ, j·s_w) of (N, C, H, W) (padding counts as −∞).
    Backward: the gradient goes to each window's maximum (the first one on ties) and nowhere else."""

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """y[n, c, i] = mean of the window x[n, c, i·s − p : i·s − p + k] (zero padding counted unless
    count_include_pad=False). Sizes are stored as 1-tuples, as in PyTorch."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        one = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731
        self.kernel_size = one(kernel_size)
        self.stride = one(stride if stride is not None else kernel_size)
        self.padding, self.ceil_mode, self.count_include_pad = one(padding), ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """y[n, c, i, j] = Σ window / D over each kH×kW window of (N, C, H, W): D = kH·kW, or divisor_override,
    or the number of unpadded inputs in the window with count_include_pad=False. Each input of a window
    receives g/D in the backward pass."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed length ``output_size``, whatever the input length."""

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed (H_out, W_out) whatever the input size (None keeps that size), with
    torch's bins; ``AdaptiveAvgPool2d(1)`` is global average pooling, the usual head of a modern CNN."""

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

"""Batch normalisation (Ioffe & Szegedy, 2015): BatchNorm1d for (N, C) and (N, C, L), BatchNorm2d for
(N, C, H, W) inputs."""

from __future__ import annotations

from ..autograd import no_grad
from ..engine import ones, tensor, zeros
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class BatchNorm1d(Module):
    """Normalise each channel (dim 1) over the batch (and length) dims, then scale and shift:

        y = γ·(x − μ)/√(σ² + ε) + β

    Training: μ, σ² are the batch mean and biased variance; the running estimates are updated as
    ``running = (1 − momentum)·running + momentum·batch`` (running_var with the *unbiased* batch variance;
    note torch's momentum is the weight of the *new* value, the opposite of an optimizer's momentum).
    ``momentum=None`` uses a cumulative average (factor 1/num_batches_tracked). Evaluation: the running
    estimates replace the batch statistics, so the output of one sample no longer depends on the others.
    ``bias=False`` (torch 2.13's keyword) keeps γ but drops β.
    Buffers (torch's names): ``running_mean``, ``running_var``, ``num_batches_tracked``.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        """γ (weight) ← 1, β (bias) ← 0, and the running statistics reset."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    _dims, _layout = (2, 3), "2D or 3D input (N, C) or (N, C, L)"

    def forward(self, input):
        shape = tuple(input.shape)
        name = type(self).__name__
        if len(shape) not in self._dims:
            raise ValueError(f"{name}: expected {self._layout}, got shape {shape}")
        if shape[1] != self.num_features:
            raise ValueError(
                f"{name}({self.num_features}): the input has {shape[1]} channels in dim 1 (shape "
                f"{shape}), expected num_features={self.num_features}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or not self.track_running_stats
        track = self.running_mean if (not self.training or self.track_running_stats) else None
        return F.batch_norm(
            input,
            track,
            self.running_var if track is not None else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm2d(BatchNorm1d):
    """BatchNorm1d's normalisation for images (N, C, H, W): each channel's μ and σ² are taken over the batch
    *and* every pixel (N·H·W values), so one feature map is normalised as a whole, keeping a convolution's
    weight sharing. Same arguments, parameters (``weight``, ``bias``: C each) and buffers as BatchNorm1d."""

    _dims, _layout = (4,), "4D input (N, C, H, W)"

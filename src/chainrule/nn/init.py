"""Weight initialisation (torch.nn.init): in-place functions that fill a tensor and return it.

Why the scale matters: a unit's pre-activation is a sum of fan_in terms wᵢxᵢ, so Var(out) = fan_in·Var(w)·Var(x).
Keeping Var(out) ≈ Var(x) layer after layer (neither exploding nor vanishing) fixes Var(w) ∝ 1/fan —
each scheme below chooses the fan and a gain for its nonlinearity. For a weight of shape
(out, in, *k): fan_in = in·∏k, fan_out = out·∏k (exactly PyTorch's rule). All take an optional
``generator`` (``chainrule.Generator``); otherwise they draw from the default one (``manual_seed``).
"""

from __future__ import annotations

import math

from ..autograd import no_grad
from ..engine import (
    Tensor,  # noqa: F401 - in annotations
    clamp,
    eye,
    linalg,
    normal,
)
from ..engine.dtypes import float64

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_", "lecun_uniform_",
    "lecun_normal_",
]


def _fill(tensor, values):
    """Write values (a tensor or a number) into the tensor in place (no graph: initialisation is not
    differentiated)."""
    with no_grad():
        tensor.copy_(values)
    return tensor


def calculate_gain(nonlinearity, param=None) -> float:
    """The factor that restores unit variance after the nonlinearity: linear/conv/sigmoid 1, tanh 5/3,
    relu √2, leaky_relu √(2/(1 + slope²)) (slope = param, default 0.01), selu 3/4."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; expected one of linear, conv*, sigmoid, tanh, "
                     "relu, leaky_relu, selu")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape "
            f"{tuple(shape)}); fan-based schemes are for weights of shape (out_features, in_features, ...)"
        )
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None) -> Tensor:
    """U(a, b): variance (b − a)²/12."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None) -> Tensor:
    """N(mean, std²)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None) -> Tensor:
    """N(mean, std²) conditioned on [a, b] (bounds in absolute units, as PyTorch); drawn by resampling
    the values that fall outside. The variance is below std² by the truncation factor."""
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    out = normal(mean, std, tuple(tensor.shape), generator=generator, dtype=float64)  # cast once, at the end
    bad = (out < a) | (out > b)
    for _ in range(1000):
        if not bool(bad.any()):
            break
        out[bad] = normal(mean, std, (int(bad.sum()),), generator=generator, dtype=float64)
        bad = (out < a) | (out > b)
    else:  # an interval far in a tail: fall back to clipping rather than looping forever
        out = clamp(out, a, b)
    return _fill(tensor, out)


def constant_(tensor, val) -> Tensor:
    """Fill the tensor with ``val`` in place (no gradient recorded)."""
    return _fill(tensor, val)


def zeros_(tensor) -> Tensor:
    """All zeros. For weights this is the symmetry problem: every hidden unit computes the same thing and
    receives the same gradient, so they stay identical. Fine for biases."""
    return _fill(tensor, 0)


def ones_(tensor) -> Tensor:
    """Fill the tensor with 1 in place."""
    return _fill(tensor, 1)


def eye_(tensor) -> Tensor:
    """The identity matrix (2-D only): a layer that passes its inputs through."""
    if tensor.dim() != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(tensor.shape)}")
    return _fill(tensor, eye(*tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None) -> Tensor:
    """Glorot & Bengio (2010): Var(w) = gain²·2/(fan_in + fan_out), a compromise between keeping the
    forward (fan_in) and the backward (fan_out) variance; U(−a, a) with a = gain·√(6/(fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # torch's order of operations, so the bound rounds as torch's does
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None) -> Tensor:
    """Glorot: N(0, std²) with std = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None) -> Tensor:
    """He et al. (2015): a ReLU zeroes half its inputs, halving the variance, so Var(w) = gain²/fan with
    gain = √2 for ReLU (√(2/(1 + a²)) for leaky ReLU of slope a); U(−b, b) with b = gain·√(3/fan).
    ``mode='fan_in'`` preserves the forward variance, ``'fan_out'`` the backward one."""
    fan = _fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # torch's order of operations, so the bound rounds as torch's does
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None) -> Tensor:
    """He: N(0, std²) with std = gain/√fan (see kaiming_uniform_)."""
    fan = _fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def lecun_uniform_(tensor, generator=None) -> Tensor:
    """LeCun et al., "Efficient BackProp" (Tricks of the Trade, 1998): U(−1/√fan_in, 1/√fan_in), so
    Var(w) = 1/(3·fan_in) — the weights shrink with the fan-in so a sigmoid unit starts in its linear range.
    (Not in PyTorch; note Keras' ``lecun_uniform`` uses the wider bound √(3/fan_in), i.e. Var = 1/fan_in.)"""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    bound = 1.0 / math.sqrt(fan_in)
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor, generator=None) -> Tensor:
    """LeCun: N(0, 1/fan_in), i.e. std = 1/√fan_in: a unit's pre-activation then has the variance of one
    input (the scheme SELU networks assume). Not in PyTorch; Keras truncates it, this does not."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in), generator)


def orthogonal_(tensor, gain=1, generator=None) -> Tensor:
    """Saxe et al. (2013): a (semi-)orthogonal matrix times gain (QR of a Gaussian matrix, signs fixed so
    the result is uniformly distributed). An orthogonal map preserves norms exactly, forward and backward."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"Only tensors with 2 or more dimensions are supported, got shape {tuple(shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = shape[0]
    cols = tensor.numel() // rows
    flat = normal(0.0, 1.0, (rows, cols), generator=generator, dtype=float64)
    if rows < cols:
        flat = flat.T
    q, r = linalg.qr(flat)
    q = q * r.diag().sign()
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(shape))


# PyTorch's deprecated names without the trailing underscore are intentionally not provided.

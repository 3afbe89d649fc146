"""chainrule.nn.functional (``import chainrule.nn.functional as F``): stateless layers, activations, losses.

Every function is a composite of the engine's primitives (ops.py), so its derivative is the chain rule
through those; the fused primitives used here are there for numerical stability (log-softmax, sigmoid,
softplus) or because the function is not a composite of others (erf for exact GELU). Names, argument
names and defaults are torch.nn.functional's. The losses are in ``_losses.py`` and re-exported here.
"""

from __future__ import annotations

import math

from .. import ops as P
from ..backend import xp
from ..random import get_rng
from ..tensor import Tensor, _wrap
from ..tensor_methods import log_softmax, softmax
from ._losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)

__all__ = [
    "linear", "relu", "leaky_relu", "prelu", "elu", "softplus", "gelu", "silu", "sigmoid", "tanh", "softmax",
    "log_softmax", "dropout", "batch_norm", "one_hot", "mse_loss", "l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "hardtanh", "relu6",
    "logsigmoid", "softsign", "selu", "softmin", "normalize", "cosine_similarity", "smooth_l1_loss", "layer_norm",
    "embedding",
]


# ---------------------------------------------------------------------------------------------- linear
def linear(input, weight, bias=None):
    """y = x·Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    One matmul against the transposed *view* of W (a Permute, no copy): per-op overhead is what small
    networks pay, so this is three graph nodes (permute, matmul, add) and no validation on the hot path.
    """
    try:
        out = P.MatMul.apply(input, P.Permute.apply(weight, dims=(1, 0)) if weight.data.ndim == 2 else weight)
    except ValueError:
        last = input.data.shape[-1] if input.data.ndim else "missing"
        raise ValueError(
            f"linear: the input's last dimension is {last} (input shape {tuple(input.shape)}) but the weight "
            f"has shape {tuple(weight.shape)}, i.e. in_features="
            f"{weight.shape[-1]}; the input must have shape (..., {weight.shape[-1]})"
        ) from None
    if bias is not None:
        out = P.Add.apply(out, bias)
    return out


# ----------------------------------------------------------------------------------------- activations
def relu(input, inplace=False):
    """max(0, x); the gradient at 0 is 0, as in PyTorch."""
    return P.Relu.apply(input)


def sigmoid(input):
    """σ(x) = 1/(1 + e⁻ˣ) (a fused, overflow-free primitive)."""
    return P.Sigmoid.apply(input)


def tanh(input):
    """tanh x ∈ (−1, 1), zero-centred; tanh' = 1 − tanh²x."""
    return P.Tanh.apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, slope·x otherwise: one multiply by a constant mask (the gradient at 0 is the slope)."""
    x = input.data
    # the factor 1 or slope, by arithmetic: NumPy's where branches per element and is ~10× slower
    factor = (x > 0).astype(x.dtype) * (1.0 - negative_slope) + negative_slope
    return P.Mul.apply(input, factor)


def prelu(input, weight):
    """Leaky ReLU with a learned slope a: x for x > 0, a·x otherwise. ``weight`` has 1 or C entries; C
    is dim 1 of the input (the channel dim), as in PyTorch."""
    x = input.data
    if weight.data.size > 1:
        if x.ndim < 2 or x.shape[1] != weight.data.size:
            raise ValueError(
                f"prelu: weight has {weight.data.size} parameters, so the input needs {weight.data.size} "
                f"channels in dim 1; got input shape {tuple(x.shape)}"
            )
        weight = P.Reshape.apply(weight, shape=(weight.data.size,) + (1,) * (x.ndim - 2))
    elif weight.data.ndim:
        weight = P.Reshape.apply(weight, shape=())
    return P.Mul.apply(input, P.Where.apply(x > 0, 1.0, weight))


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, α(eˣ − 1) otherwise. exp only sees min(x, 0), so a large x cannot overflow into the
    unused branch (whose gradient would be 0·inf = nan)."""
    pos = input.data > 0
    neg = P.Exp.apply(P.Where.apply(pos, 0.0, input))
    return P.Where.apply(pos, input, P.Mul.apply(P.Add.apply(neg, -1.0), alpha))


def softplus(input, beta=1.0, threshold=20.0):
    """(1/β)·log(1 + e^{βx}), a smooth ReLU; reverts to x where βx > threshold (PyTorch's rule)."""
    z = P.Mul.apply(input, beta) if beta != 1 else input
    sp = P.Softplus.apply(z)
    if beta != 1:
        sp = P.Mul.apply(sp, 1.0 / beta)
    return P.Where.apply(z.data > threshold, input, sp)


def gelu(input, approximate="none"):
    """x·Φ(x), Φ the standard normal CDF: 0.5·x·(1 + erf(x/√2)). ``approximate='tanh'``:
    0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""
    if approximate == "tanh":
        inner = P.Mul.apply(P.Add.apply(input, P.Mul.apply(P.Pow.apply(input, 3.0), 0.044715)),
                            math.sqrt(2.0 / math.pi))
        return P.Mul.apply(P.Mul.apply(input, 0.5), P.Add.apply(P.Tanh.apply(inner), 1.0))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    phi = P.Add.apply(P.Erf.apply(P.Mul.apply(input, 1.0 / math.sqrt(2.0))), 1.0)
    return P.Mul.apply(P.Mul.apply(input, 0.5), phi)


def silu(input, inplace=False):
    """x·σ(x) (also called swish)."""
    return P.Mul.apply(input, P.Sigmoid.apply(input))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; gradient 1 strictly inside, 0 at and beyond the edges (torch's)."""
    x = input.data
    return P.Where.apply((x > min_val) & (x < max_val), input, xp.clip(x, min_val, max_val))


def relu6(input, inplace=False):
    """min(max(0, x), 6): a ReLU that saturates at 6."""
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input):
    """log σ(x) = −log(1 + e⁻ˣ) = −softplus(−x), stable for any x (the fused softplus never overflows)."""
    return P.Neg.apply(P.Softplus.apply(P.Neg.apply(input)))


def softsign(input):
    """x / (1 + |x|): like tanh, but its tails approach ±1 polynomially rather than exponentially."""
    return input * P.Pow.apply(P.Add.apply(P.Abs.apply(input), 1.0), -1.0)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """λ·elu(x, α) with λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017): chosen so that activations keep
    mean 0 and variance 1 through a deep stack (with LeCun-normal weights)."""
    return P.Mul.apply(elu(input, _SELU_ALPHA), _SELU_SCALE)


def softmin(input, dim=None, dtype=None):
    """softmax(−x): weights that favour the smallest entries."""
    from .activation import _softmax_dim

    return softmax(P.Neg.apply(input), _softmax_dim(dim, input), dtype)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(‖x‖_p, ε) along dim: unit-length rows (for p = 2 and dim = 1)."""
    from ..tensor_methods import clamp, norm

    return input * P.Pow.apply(clamp(norm(input, p, dim, keepdim=True), min=eps), -1.0)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """cos θ = x₁·x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along dim."""
    from ..tensor_methods import clamp, norm, sum

    n1 = clamp(norm(x1, 2, dim), min=eps)
    n2 = clamp(norm(x2, 2, dim), min=eps)
    return sum(x1 * x2, dim) * P.Pow.apply(n1 * n2, -1.0)


# --------------------------------------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Inverted dropout (PyTorch's): in training each element is zeroed with probability p and the
    survivors are scaled by 1/(1−p), so E[output] = input and evaluation is the identity.

    The lectures' version keeps a unit with probability q = 1−p, does not scale in training, and
    multiplies by q at test time. Both give the same expected activations; inverted dropout moves the
    scaling into training so that the trained network is used unchanged.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = input.data
    if p == 1.0:
        return P.Mul.apply(input, xp.zeros_like(x))
    keep = get_rng(generator).random(x.shape) >= p
    return P.Mul.apply(input, (keep * (1.0 / (1.0 - p))).astype(x.dtype, copy=False))


# ------------------------------------------------------------------------------------------ batch norm
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Batch normalisation over dim 1 (channels) of (N, C) or (N, C, L) inputs:

        x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β

    In training μ, σ² are the batch's mean and *biased* variance (over every dim but 1), and the running
    estimates move by ``r ← (1 − momentum)·r + momentum·batch`` with the *unbiased* variance for
    running_var (torch's convention; ``momentum=None`` gives a cumulative average over ``1/n``, set by the
    caller). In evaluation the running estimates are used instead. Composite: gradients flow through μ and σ².
    """
    x = input.data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C) or (N, C, L), got {tuple(x.shape)}")
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (x.shape[1],) + (1,) * (x.ndim - 2)  # per-channel vectors broadcast against dim 1
    if training:
        n = x.size // x.shape[1]
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}"
            )
        mu = P.Mul.apply(P.Sum.apply(input, dim=axes, keepdim=True), 1.0 / n)
        d = input - mu
        var = P.Mul.apply(P.Sum.apply(d * d, dim=axes, keepdim=True), 1.0 / n)
        if running_mean is not None:
            m = momentum
            rm, rv = running_mean.data, running_var.data
            rm *= 1 - m
            rm += m * mu.data.reshape(rm.shape).astype(rm.dtype, copy=False)
            rv *= 1 - m
            rv += (m * n / (n - 1)) * var.data.reshape(rv.shape).astype(rv.dtype, copy=False)
        out = d * P.Pow.apply(P.Add.apply(var, eps), -0.5)
    else:
        if running_mean is None:
            raise ValueError("batch_norm: running_mean and running_var are required when training=False")
        rm = running_mean.data.reshape(bshape)
        inv = 1.0 / xp.sqrt(running_var.data.reshape(bshape) + eps)
        out = P.Mul.apply(P.Add.apply(input, (-rm).astype(x.dtype, copy=False)), inv.astype(x.dtype, copy=False))
    if weight is not None:
        out = P.Mul.apply(out, P.Reshape.apply(weight, shape=bshape) if x.ndim > 2 else weight)
    if bias is not None:
        out = P.Add.apply(out, P.Reshape.apply(bias, shape=bshape) if x.ndim > 2 else bias)
    return out


# ------------------------------------------------------------------------------------------------- misc
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over its last dims (see nn.normalization)."""
    from .normalization import layer_norm as ln

    return ln(input, normalized_shape, weight, bias, eps)


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` picked by integer indices (see nn.sparse)."""
    from .sparse import embedding as emb

    return emb(input, weight, padding_idx)


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) → one-hot rows (int64), a new last dimension of size num_classes."""
    idx = tensor.data if isinstance(tensor, Tensor) else xp.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensors (int64), got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got {idx.min()}..{idx.max()}")
    out = (idx[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return _wrap(out, None)

"""chainrule.nn.functional (``import chainrule.nn.functional as F``): stateless layers, activations, losses.

Every function is written with Tensor operations and chainrule's public functions, so its derivative is
the chain rule through the engine's primitives; the fused ones (engine/fused.py) are there for speed
(linear: one BLAS call) or numerical stability (log-softmax, sigmoid, softplus), or because the function
is not a composite of others (erf for exact GELU). Names, argument names and defaults are
torch.nn.functional's. The losses are in ``functional_losses.py``, convolutions, pooling and padding in
``functional_conv.py``; both are re-exported here.
"""

from __future__ import annotations

import math

from ..autograd import labelled, no_grad
from ..engine import Tensor, arange, bernoulli, clamp, default_generator, exp, norm, rand, sum, where, zeros_like
from ..engine import log_softmax as log_softmax
from ..engine import softmax as softmax
from ..engine import tensor as tensor_
from ..engine.dtypes import float64
from ..engine.fused import batch_norm_train as _batch_norm_train
from ..engine.fused import linear as _linear
from ..engine.fused import softplus as _softplus
from .functional_conv import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    dropout1d,
    dropout2d,
    fold,
    max_pool1d,
    max_pool2d,
    pad,
    unfold,
)
from .functional_losses import (
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
    "embedding", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "pad", "unfold", "fold", "dropout1d", "dropout2d",
]


# ---------------------------------------------------------------------------------------------- linear
def linear(input, weight, bias=None) -> Tensor:
    """y = x·Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    One fused node (engine/fused.py): a single BLAS call forward; ∂L/∂x = g·W, ∂L/∂W = gᵀ·x and
    ∂L/∂b = Σ_batch g backward. Per-op overhead is what small networks pay, so no validation on the hot
    path: a shape mismatch is explained only when it happens.
    """
    try:
        return _linear(input, weight, bias)
    except ValueError:
        last = input.shape[-1] if input.dim() else "missing"
        raise ValueError(
            f"linear: the input's last dimension is {last} (input shape {tuple(input.shape)}) but the weight "
            f"has shape {tuple(weight.shape)}, i.e. in_features="
            f"{weight.shape[-1]}; the input must have shape (..., {weight.shape[-1]})"
        ) from None


# ----------------------------------------------------------------------------------------- activations
def relu(input, inplace=False) -> Tensor:
    """max(0, x); the gradient at 0 is 0, as in PyTorch."""
    return input.relu()


def sigmoid(input) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ) (a fused, overflow-free primitive)."""
    return input.sigmoid()


def tanh(input) -> Tensor:
    """tanh x ∈ (−1, 1), zero-centred; tanh' = 1 − tanh²x."""
    return input.tanh()


def leaky_relu(input, negative_slope=0.01, inplace=False) -> Tensor:
    """x for x > 0, slope·x otherwise: one multiply by a constant factor (the gradient at 0 is the slope)."""
    # the factor 1 or slope, by arithmetic: NumPy's where branches per element and is ~10× slower
    factor = (input > 0).to(input.dtype) * (1.0 - negative_slope) + negative_slope
    return labelled(input * factor, "LeakyReluBackward0", (input,))


def prelu(input, weight) -> Tensor:
    """Leaky ReLU with a learned slope a: x for x > 0, a·x otherwise. ``weight`` has 1 or C entries; C
    is dim 1 of the input (the channel dim), as in PyTorch."""
    n = weight.numel()
    if n > 1:
        if input.dim() < 2 or input.shape[1] != n:
            raise ValueError(
                f"prelu: weight has {n} parameters, so the input needs {n} channels in dim 1; got input shape "
                f"{tuple(input.shape)}"
            )
        weight = weight.reshape((n,) + (1,) * (input.dim() - 2))
    elif weight.dim():
        weight = weight.reshape(())
    return input * where(input > 0, 1.0, weight)


def elu(input, alpha=1.0, inplace=False) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise. exp only sees min(x, 0), so a large x cannot overflow into the
    unused branch (whose gradient would be 0·inf = nan)."""
    pos = input > 0
    neg = exp(where(pos, 0.0, input))
    return labelled(where(pos, input, (neg + -1.0) * alpha), "EluBackward0", (input,))


def softplus(input, beta=1.0, threshold=20.0) -> Tensor:
    """(1/β)·log(1 + e^{βx}), a smooth ReLU; reverts to x where βx > threshold (PyTorch's rule)."""
    z = input * beta if beta != 1 else input
    sp = _softplus(z)
    if beta != 1:
        sp = sp * (1.0 / beta)
    return labelled(where(z > threshold, input, sp), "SoftplusBackward0", (input,))


def gelu(input, approximate="none") -> Tensor:
    """x·Φ(x), Φ the standard normal CDF: 0.5·x·(1 + erf(x/√2)). ``approximate='tanh'``:
    0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""
    if approximate == "tanh":
        inner = (input + input**3.0 * 0.044715) * math.sqrt(2.0 / math.pi)
        return labelled(input * 0.5 * (inner.tanh() + 1.0), "GeluBackward0", (input,))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return labelled(input * 0.5 * ((input * (1.0 / math.sqrt(2.0))).erf() + 1.0), "GeluBackward0", (input,))


def silu(input, inplace=False) -> Tensor:
    """x·σ(x) (also called swish)."""
    return labelled(input * input.sigmoid(), "SiluBackward0", (input,))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False) -> Tensor:
    """x clipped to [min_val, max_val]; gradient 1 strictly inside, 0 at and beyond the edges (torch's)."""
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, clamp(input.detach(), min_val, max_val))


def relu6(input, inplace=False) -> Tensor:
    """min(max(0, x), 6): a ReLU that saturates at 6."""
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input) -> Tensor:
    """log σ(x) = −log(1 + e⁻ˣ) = −softplus(−x), stable for any x (the fused softplus never overflows)."""
    return -_softplus(-input)


def softsign(input) -> Tensor:
    """x / (1 + |x|): like tanh, but its tails approach ±1 polynomially rather than exponentially."""
    return input * (input.abs() + 1.0) ** -1.0


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False) -> Tensor:
    """λ·elu(x, α) with λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017): chosen so that activations keep
    mean 0 and variance 1 through a deep stack (with LeCun-normal weights)."""
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def softmin(input, dim=None, dtype=None) -> Tensor:
    """softmax(−x): weights that favour the smallest entries."""
    return softmax(-input, _softmax_dim(dim, input), dtype)


def _softmax_dim(dim, input):
    """torch's legacy rule when dim is None: dim 0 for 0-, 1- and 3-d inputs, else dim 1."""
    if dim is not None:
        return dim
    return 0 if input.dim() in (0, 1, 3) else 1


def normalize(input, p=2.0, dim=1, eps=1e-12) -> Tensor:
    """x / max(‖x‖_p, ε) along dim: unit-length rows (for p = 2 and dim = 1)."""
    return input * clamp(norm(input, p, dim, keepdim=True), min=eps) ** -1.0


def cosine_similarity(x1, x2, dim=1, eps=1e-8) -> Tensor:
    """cos θ = x₁·x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along dim."""
    n1 = clamp(norm(x1, 2, dim), min=eps)
    n2 = clamp(norm(x2, 2, dim), min=eps)
    return sum(x1 * x2, dim) * (n1 * n2) ** -1.0


# --------------------------------------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False, generator=None) -> Tensor:
    """Inverted dropout (PyTorch's): in training each element is zeroed with probability p and the
    survivors are scaled by 1/(1−p), so E[output] = input and evaluation is the identity.

    The slide's version keeps a unit with probability p — its p is the *keep* probability, 1 − this p —
    does not scale in training, and multiplies by its p at test time. Both give the same expected
    activations; inverted dropout moves the scaling into training so that the trained network is used
    unchanged.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * zeros_like(input)
    if getattr(default_generator if generator is None else generator, "kind", None) == "torch":
        # torch's recipe (_dropout_impl, aten/src/ATen/native/Dropout.cpp): noise.bernoulli_(1 − p), then
        # noise / (1 − p) in the input's dtype -- it keeps the *low* uniforms, the NumPy mode the high ones
        noise = bernoulli(zeros_like(input).detach(), 1 - p, generator=generator)
        return input * (noise / (1 - p))
    keep = rand(*input.shape, dtype=float64, generator=generator, device=input.device) >= p
    return input * (keep.to(input.dtype) * (1.0 / (1.0 - p)))


# ------------------------------------------------------------------------------------------ batch norm
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5) -> Tensor:
    """Batch normalisation over dim 1 (channels) of (N, C), (N, C, L) or (N, C, H, W) inputs:

        x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β

    In training μ, σ² are the batch's mean and *biased* variance (over every dim but 1), and the running
    estimates move by ``r ← (1 − momentum)·r + momentum·batch`` with the *unbiased* variance for
    running_var (torch's convention; ``momentum=None`` gives a cumulative average over ``1/n``, set by the
    caller). In evaluation the running estimates are used instead. Training is one fused node
    (engine/fused.py ``batch_norm_train``: the composite took ten, and the gradient flows through μ and σ²
    all the same); evaluation is the composite (x − μ)·(1/√(σ² + ε)) then γ, β.
    """
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C) or (N, C, L), got {shape}")
    bshape = (shape[1],) + (1,) * (len(shape) - 2)  # per-channel vectors broadcast against dim 1
    if training:
        n = input.numel() // shape[1]
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {shape}")
        out, mu, var = _batch_norm_train(input, weight, bias, eps)  # one fused node, affine included
        if running_mean is not None:
            m = momentum
            with no_grad():
                running_mean.mul_(1 - m).add_(mu.to(running_mean.dtype) * m)
                running_var.mul_(1 - m).add_(var.to(running_var.dtype) * (m * n / (n - 1)))  # unbiased
        return labelled(out, "NativeBatchNormBackward0")
    if running_mean is None:
        raise ValueError("batch_norm: running_mean and running_var are required when training=False")
    with no_grad():
        shift = -running_mean.reshape(bshape).to(input.dtype)
        inv = ((running_var.reshape(bshape) + eps).sqrt().reciprocal()).to(input.dtype)
    out = (input + shift) * inv
    if weight is not None:
        out = out * (weight.reshape(bshape) if len(shape) > 2 else weight)
    if bias is not None:
        out = out + (bias.reshape(bshape) if len(shape) > 2 else bias)
    return labelled(out, "NativeBatchNormBackward0")


# ------------------------------------------------------------------------------------------------- misc
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5) -> Tensor:
    """Normalise each sample over its last dims (see nn.normalization)."""
    from .normalization import layer_norm as ln

    return labelled(ln(input, normalized_shape, weight, bias, eps), "NativeLayerNormBackward0")


def embedding(input, weight, padding_idx=None) -> Tensor:
    """Rows of ``weight`` picked by integer indices (see nn.sparse)."""
    from .sparse import embedding as emb

    return labelled(emb(input, weight, padding_idx), "EmbeddingBackward0")


def one_hot(tensor, num_classes=-1) -> Tensor:
    """Class indices (int64) → one-hot rows (int64), a new last dimension of size num_classes."""
    idx = tensor if isinstance(tensor, Tensor) else tensor_(tensor)
    if not idx.dtype.name.startswith(("int", "uint")):
        raise TypeError(f"one_hot is only applicable to index tensors (int64), got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.numel() else 0
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got {int(idx.min())}..{int(idx.max())}")
    return (idx.unsqueeze(-1) == arange(num_classes)).long()

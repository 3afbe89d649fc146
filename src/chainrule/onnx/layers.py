"""ONNX converters for chainrule.nn's layers: one function per module class, ``fn(g, module, x) -> name``.

``g`` is the ``GraphBuilder`` (``op``, ``const``, ``param``, ``ints``, ``reduce``, ``opset``), ``x`` the
traced input (``x.name``, ``x.shape``, ``x.np_dtype``). Each converter writes the module's evaluation-mode
forward as ONNX operators (opset 13 or later) and returns the name of its output. Where ONNX has the
layer as one operator (Gemm, BatchNormalization, LayerNormalization from opset 17, Gelu from opset 20)
that is used; otherwise the formula in the module's docstring, operator by operator.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule import nn
from chainrule.nn.functional import _softmax_dim  # torch's legacy rule for dim=None, kept in one place

from .traced import reshape

CONVERTERS = {}


def register(*classes):
    """Decorator: ``fn(g, module, x) -> output name`` converts modules of these classes."""

    def deco(fn):
        for cls in classes:
            CONVERTERS[cls] = fn
        return fn

    return deco


def _scalar(g, value, x):
    return g.const(np.asarray(value, dtype=x.np_dtype))


# ------------------------------------------------------------------------------------ linear, shapes
@register(nn.Linear)
def linear(g, m, x):
    """y = x·Wᵀ + b: Gemm (transB=1) for a batch of vectors, else MatMul with Wᵀ (then Add b)."""
    w = g.param(m, "weight")
    b = [g.param(m, "bias")] if m.bias is not None else []
    if x.dim() == 2:
        return g.op("Gemm", x.name, w, *b, transB=1)
    y = g.op("MatMul", x.name, g.op("Transpose", w, perm=[1, 0]))
    return g.op("Add", y, *b) if b else y


@register(nn.Identity, nn.Dropout)
def identity(g, m, x):
    """Identity; Dropout is the identity in evaluation mode, which is what is exported."""
    return g.op("Identity", x.name)


@register(nn.Flatten)
def flatten(g, m, x):
    out = x.real.flatten(m.start_dim, m.end_dim).shape
    return reshape(g, x.name, tuple(x.shape), tuple(out))


@register(nn.Unflatten)
def unflatten(g, m, x):
    return reshape(g, x.name, tuple(x.shape), tuple(m(x.real).shape))


@register(nn.Embedding)
def embedding(g, m, x):
    """Rows of the weight picked by the integer input: Gather along axis 0."""
    if x.np_dtype.kind not in "iu":
        raise TypeError(f"Embedding: the input must be integer indices, got dtype {x.np_dtype}")
    return g.op("Gather", g.param(m, "weight"), x.name, axis=0)


# -------------------------------------------------------------------------------------- activations
def _simple(op_type):
    def convert(g, m, x):
        return g.op(op_type, x.name)

    convert.__name__ = op_type.lower()
    return convert


register(nn.ReLU)(_simple("Relu"))
register(nn.Sigmoid)(_simple("Sigmoid"))
register(nn.Tanh)(_simple("Tanh"))
register(nn.Softsign)(_simple("Softsign"))
register(nn.SELU)(_simple("Selu"))  # ONNX's default α and γ are torch's constants, rounded to float32


@register(nn.LeakyReLU)
def leaky_relu(g, m, x):
    return g.op("LeakyRelu", x.name, alpha=float(m.negative_slope))


@register(nn.ELU)
def elu(g, m, x):
    return g.op("Elu", x.name, alpha=float(m.alpha))


@register(nn.PReLU)
def prelu(g, m, x):
    """PRelu with the slopes reshaped to (C, 1, ...) so that they meet dim 1 of the input."""
    slope = g.param(m, "weight")
    if m.num_parameters > 1 and x.dim() > 2:
        slope = g.op("Reshape", slope, g.ints([m.num_parameters] + [1] * (x.dim() - 2)))
    return g.op("PRelu", x.name, slope)


@register(nn.Softplus)
def softplus(g, m, x):
    """(1/β)·log(1 + e^{βx}), and x itself where βx > threshold (torch's rule, kept exactly)."""
    z = g.op("Mul", x.name, _scalar(g, m.beta, x)) if m.beta != 1 else x.name
    sp = g.op("Softplus", z)
    if m.beta != 1:
        sp = g.op("Div", sp, _scalar(g, m.beta, x))
    return g.op("Where", g.op("Greater", z, _scalar(g, m.threshold, x)), x.name, sp)


@register(nn.GELU)
def gelu(g, m, x):
    """Gelu from opset 20; before it 0.5·x·(1 + erf(x/√2)), or the tanh formula."""
    if g.opset >= 20:
        return g.op("Gelu", x.name, approximate=m.approximate)
    half = g.op("Mul", x.name, _scalar(g, 0.5, x))
    if m.approximate == "tanh":
        cube = g.op("Mul", g.op("Pow", x.name, _scalar(g, 3.0, x)), _scalar(g, 0.044715, x))
        inner = g.op("Mul", g.op("Add", x.name, cube), _scalar(g, math.sqrt(2.0 / math.pi), x))
        return g.op("Mul", half, g.op("Add", g.op("Tanh", inner), _scalar(g, 1.0, x)))
    erf = g.op("Erf", g.op("Div", x.name, _scalar(g, math.sqrt(2.0), x)))
    return g.op("Mul", half, g.op("Add", erf, _scalar(g, 1.0, x)))


@register(nn.SiLU)
def silu(g, m, x):
    return g.op("Mul", x.name, g.op("Sigmoid", x.name))


@register(nn.Hardtanh)  # and ReLU6, its subclass
def hardtanh(g, m, x):
    return g.op("Clip", x.name, _scalar(g, m.min_val, x), _scalar(g, m.max_val, x))


@register(nn.LogSigmoid)
def logsigmoid(g, m, x):
    """log σ(x) = −softplus(−x)."""
    return g.op("Neg", g.op("Softplus", g.op("Neg", x.name)))


@register(nn.Softmax)
def softmax(g, m, x):
    return g.op("Softmax", x.name, axis=_softmax_dim(m.dim, x.real))


@register(nn.LogSoftmax)
def log_softmax(g, m, x):
    return g.op("LogSoftmax", x.name, axis=_softmax_dim(m.dim, x.real))


@register(nn.Softmin)
def softmin(g, m, x):
    return g.op("Softmax", g.op("Neg", x.name), axis=_softmax_dim(m.dim, x.real))


# ------------------------------------------------------------------------------------ normalisation
def _normalize(g, x, axes, eps):
    """(x − μ)/√(σ² + ε) with μ, σ² the mean and biased variance over ``axes``."""
    d = g.op("Sub", x.name, g.reduce("ReduceMean", x.name, axes))
    var = g.reduce("ReduceMean", g.op("Mul", d, d), axes)
    return g.op("Div", d, g.op("Sqrt", g.op("Add", var, _scalar(g, eps, x))))


@register(nn.BatchNorm1d)
def batch_norm(g, m, x):
    """Evaluation mode: BatchNormalization with the running statistics. Without running statistics
    (track_running_stats=False) torch normalises with the batch's own, and so does the graph."""
    C, dt = m.num_features, x.np_dtype
    scale = g.param(m, "weight") if m.weight is not None else g.const(np.ones(C, dt), "ones")
    bias = g.param(m, "bias") if m.bias is not None else g.const(np.zeros(C, dt), "zeros")
    if m.running_mean is not None:
        return g.op("BatchNormalization", x.name, scale, bias, g.param(m, "running_mean"),
                    g.param(m, "running_var"), epsilon=float(m.eps))
    y = _normalize(g, x, [0, *range(2, x.dim())], m.eps)
    shape = g.ints([C] + [1] * (x.dim() - 2))
    return g.op("Add", g.op("Mul", y, g.op("Reshape", scale, shape)), g.op("Reshape", bias, shape))


@register(nn.LayerNorm)
def layer_norm(g, m, x):
    """LayerNormalization from opset 17; before it the formula over the last len(normalized_shape) dims."""
    k = len(m.normalized_shape)
    if g.opset >= 17:
        scale = g.param(m, "weight") if m.weight is not None else g.const(np.ones(m.normalized_shape, x.np_dtype))
        bias = [g.param(m, "bias")] if m.bias is not None else []
        return g.op("LayerNormalization", x.name, scale, *bias, axis=-k, epsilon=float(m.eps))
    y = _normalize(g, x, range(x.dim() - k, x.dim()), m.eps)
    if m.weight is not None:
        y = g.op("Mul", y, g.param(m, "weight"))
    if m.bias is not None:
        y = g.op("Add", y, g.param(m, "bias"))
    return y


# ------------------------------------------------------------------------------ convolution and pooling
def _unsupported(m, what):
    from .trace import TraceFailure

    return TraceFailure(f"{type(m).__name__} with {what} has no ONNX converter")


def _pads(pairs):
    """ONNX's pads: every dim's start, then every dim's end."""
    return [lo for lo, _ in pairs] + [hi for _, hi in pairs]


@register(nn.Conv1d, nn.Conv2d)
def conv(g, m, x):
    """Conv (weight (out, in/groups, *k), bias); 'same' becomes explicit pads (the odd one after, as torch);
    padding_mode reflect/replicate/circular is a Pad (reflect/edge/wrap) before an unpadded Conv."""
    if isinstance(m.padding, str):
        pairs = [(0, 0)] * len(m.kernel_size) if m.padding == "valid" else \
            [(dl * (k - 1) // 2, dl * (k - 1) - dl * (k - 1) // 2) for k, dl in zip(m.kernel_size, m.dilation)]
    else:
        pairs = [(p, p) for p in m.padding]
    inp = x.name
    if m.padding_mode != "zeros" and any(lo or hi for lo, hi in pairs):
        mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[m.padding_mode]
        if mode == "wrap" and g.opset < 19:
            raise _unsupported(m, "padding_mode='circular' before opset 19 (Pad's 'wrap' mode)")
        inp = g.op("Pad", inp, g.ints(_pads([(0, 0), (0, 0), *pairs])), mode=mode)
        pairs = [(0, 0)] * len(pairs)
    bias = [g.param(m, "bias")] if m.bias is not None else []
    return g.op("Conv", inp, g.param(m, "weight"), *bias, kernel_shape=list(m.kernel_size), strides=list(m.stride),
                dilations=list(m.dilation), group=m.groups, pads=_pads(pairs))


def _pool_sizes(m, d):
    one = lambda v: [v] * d if isinstance(v, int) else list(v)  # noqa: E731
    return one(m.kernel_size), one(m.stride), one(m.padding)


@register(nn.MaxPool1d, nn.MaxPool2d)
def max_pool(g, m, x):
    if m.return_indices:
        raise _unsupported(m, "return_indices=True")
    d = x.dim() - 2
    k, s, p = _pool_sizes(m, d)
    dil = [m.dilation] * d if isinstance(m.dilation, int) else list(m.dilation)
    return g.op("MaxPool", x.name, kernel_shape=k, strides=s, pads=p + p, dilations=dil, ceil_mode=int(m.ceil_mode))


@register(nn.AvgPool1d, nn.AvgPool2d)
def avg_pool(g, m, x):
    if getattr(m, "divisor_override", None):
        raise _unsupported(m, "divisor_override")
    k, s, p = _pool_sizes(m, x.dim() - 2)
    return g.op("AveragePool", x.name, kernel_shape=k, strides=s, pads=p + p, ceil_mode=int(m.ceil_mode),
                count_include_pad=int(m.count_include_pad))


@register(nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
def adaptive_avg_pool(g, m, x):
    """GlobalAveragePool for output size 1; an AveragePool (kernel = stride = S/O) when O divides S."""
    sizes, out = list(x.shape[2:]), list(m(x.real).shape[2:])
    if all(o == 1 for o in out):
        return g.op("GlobalAveragePool", x.name)
    if any(n % o for n, o in zip(sizes, out)):
        raise _unsupported(m, f"output size {tuple(out)} that does not divide the input's {tuple(sizes)}")
    k = [n // o for n, o in zip(sizes, out)]
    return g.op("AveragePool", x.name, kernel_shape=k, strides=k)


register(nn.Dropout1d, nn.Dropout2d)(identity)  # the identity in evaluation mode, as Dropout

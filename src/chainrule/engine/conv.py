"""Public functions over the convolution and pooling primitives (engine/ops/conv.py); nn.functional's
conv1d/conv2d, max_pool*, avg_pool*, adaptive_avg_pool*, pad, unfold and fold call these.

Arguments are torch's: an int or a tuple per spatial dim; ``padding`` also 'valid' (none) or 'same'
(output size = input size, stride 1 only: δ·(k − 1) padded in total, the odd one after, as torch does).
Checks here are integer comparisons of shapes (no allocation), so a wrong channel count or a kernel larger
than its input is explained before any work. Output size per dim: O = ⌊(S + 2p − δ·(k − 1) − 1)/s⌋ + 1.
"""

from __future__ import annotations

import math
import numbers

from . import backend as B
from . import ops as P
from .backend import xp
from .ops.conv import max_taps, out_sizes
from .tensor import _wrap

__all__ = ["conv", "max_pool", "avg_pool", "adaptive_avg_pool", "pad", "unfold", "fold"]


def ntuple(value, d, name):
    """An int (repeated d times) or a sequence of d ints, as a tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * d
    try:
        out = tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(f"{name} must be an int or a tuple of {d} ints, got {value!r}") from None
    if len(out) == 1:
        return out * d
    if len(out) != d:
        raise ValueError(f"{name} must be an int or a tuple of {d} ints, got {value!r}")
    return out


def _same_padding(kernel, dilation):
    """torch's 'same': δ·(k − 1) in total, ⌊·/2⌋ before and the rest after."""
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))


def _batched(input, d, what):
    """(input with a batch dim, whether one was added): torch accepts (C, *S) as one unbatched sample."""
    nd = input.dim()
    if nd == d + 2:
        return input, False
    if nd == d + 1:
        return input.unsqueeze(0), True
    spatial = ", ".join("DHW"[3 - d:]) if d > 1 else "L"
    raise ValueError(f"{what}: expected a {d + 2}-d input (N, C, {spatial}) or a {d + 1}-d unbatched one "
                     f"(C, {spatial}), got shape {tuple(input.shape)}")


def _check_fits(what, sizes, kernel, padding, dilation):
    for n, k, (lo, hi), dl in zip(sizes, kernel, padding, dilation):
        if n + lo + hi < dl * (k - 1) + 1:
            raise ValueError(
                f"{what}: the padded input is {tuple(n + a + b for n, (a, b) in zip(sizes, padding))} per channel "
                f"but the (dilated) kernel spans {tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))}; "
                f"the kernel can't be larger than the padded input")


# ------------------------------------------------------------------------------------------ convolution
def conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Convolution (cross-correlation, as in every DL library) over the last d = weight.dim() − 2 dims:

        y[n, o, i] = b[o] + Σ_{c, t} W[o, c, t] · xₚ[n, c + g·C/G, i·s + t·δ]

    input (N, C, *S) or (C, *S); weight (C_out, C/G, *k); bias (C_out,). One im2col copy and one matrix
    product forward, two products and a col2im backward (see engine/ops/conv.py).
    """
    d = weight.dim() - 2
    what = f"conv{d}d"
    x, unbatched = _batched(input, d, what)
    kernel = tuple(weight.shape[2:])
    stride, dilation = ntuple(stride, d, "stride"), ntuple(dilation, d, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(kernel, dilation)
        else:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of ('valid', 'same')")
    else:
        pads = tuple((p, p) for p in ntuple(padding, d, "padding"))
    if any(p < 0 for lo_hi in pads for p in lo_hi) or any(s < 1 for s in stride) or any(v < 1 for v in dilation):
        raise ValueError(f"{what}: padding must be >= 0 and stride, dilation >= 1; got padding={padding}, "
                         f"stride={stride}, dilation={dilation}")
    c, o = x.shape[1], weight.shape[0]
    if groups < 1 or o % groups or c != weight.shape[1] * groups:
        raise ValueError(
            f"{what}: the input has {c} channels (shape {tuple(input.shape)}) but the weight {tuple(weight.shape)} "
            f"with groups={groups} expects {weight.shape[1] * groups} (in_channels = weight.shape[1]·groups; "
            f"out_channels {o} must be divisible by groups)")
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"{what}: bias must have shape ({o},), got {tuple(bias.shape)}")
    _check_fits(what, x.shape[2:], kernel, pads, dilation)
    if bias is None:
        y = P.Conv.apply(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    else:
        y = P.Conv.apply(x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return y.squeeze(0) if unbatched else y


# --------------------------------------------------------------------------------------------- pooling
def _pool_padding(what, sizes, kernel, stride, padding, dilation, ceil_mode):
    """(lo, hi) per dim: p on both sides, plus what ceil_mode's last (partial) window needs after. torch's
    rule: O = ⌈(S + 2p − δ(k − 1) − 1)/s⌉ + 1, less one if that last window would start in the right padding."""
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{what}: pad should be at most half of effective kernel size, but got pad={padding}, "
                         f"kernel_size={kernel}")
    pads = []
    for n, k, s, p, dl in zip(sizes, kernel, stride, padding, dilation):
        span = n + 2 * p - dl * (k - 1) - 1
        if span < 0:
            raise ValueError(f"{what}: the input {tuple(sizes)} (padding {padding}) is smaller than the kernel "
                             f"{kernel} (dilation {dilation})")
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        pads.append((p, p + max(0, (o - 1) * s + dl * (k - 1) + 1 - (n + 2 * p))))
    return tuple(pads)


def _pool_args(what, input, d, kernel_size, stride, padding, dilation=1):
    x, unbatched = _batched(input, d, what)
    kernel = ntuple(kernel_size, d, "kernel_size")
    no_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)  # torch: [] means default
    stride = kernel if no_stride else ntuple(stride, d, "stride")
    return x, unbatched, kernel, stride, ntuple(padding, d, "padding"), ntuple(dilation, d, "dilation")


def max_pool(input, d, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max pooling over the last d dims: y[n, c, i] = max_t xₚ[n, c, i·s + t·δ], padding counting as −∞.
    The gradient goes to the window's maximum (the first one on ties). ``return_indices``: also the
    flat index of each maximum in the input's spatial plane (torch's), recomputed without a graph."""
    what = f"max_pool{d}d"
    x, unbatched, kernel, stride, padding, dilation = _pool_args(what, input, d, kernel_size, stride, padding, dilation)
    pads = _pool_padding(what, x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    y = P.MaxPool.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    if not return_indices:
        return y.squeeze(0) if unbatched else y
    _, stages = max_taps(x._array, kernel, stride, pads, dilation)
    shape = tuple(x.shape[:2]) + tuple(y.shape[2:])
    grid = [B.arange(0, n, 1, xp.int64, like=x._array).reshape((-1,) + (1,) * (d + 1 - j)) for j, n in enumerate(shape)]
    pos, flat = [], 0
    for j, (_, _, won, _, s, dl) in enumerate(reversed(stages)):  # the stages ran from the last dim to the first
        t = won[tuple(grid[:2] + pos + grid[2 + j:])]  # the winning tap along dim j, at the rows chosen so far
        pos.append(grid[2 + j] * s + t * dl)
        flat = flat * x.shape[2 + j] + (pos[-1] - padding[j])
    flat = xp.broadcast_to(flat, shape).astype(xp.int64)
    idx = _wrap(flat, None)
    return (y.squeeze(0), idx.squeeze(0)) if unbatched else (y, idx)


def _avg_divisor(sizes, kernel, stride, padding, out, count_include_pad):
    """torch's divisor per output position, the product over dims of the window length: clipped at the
    padded input's end (S + p) with count_include_pad, at the input itself (0 … S) without."""
    div = 1.0
    for j, (n, k, s, p, o) in enumerate(zip(sizes, kernel, stride, padding, out)):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        length = end - start if count_include_pad else xp.minimum(end, n) - xp.maximum(start, 0)
        length = length.reshape((-1,) + (1,) * (len(out) - 1 - j))
        div = div * length
    if xp.all(div == div.flat[0]):
        return float(div.flat[0])
    return div


def avg_pool(input, d, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
             divisor_override=None):
    """Average pooling over the last d dims: y[n, c, i] = Σ_t xₚ[n, c, i·s + t] / D[i], zero padding;
    D = ∏k with count_include_pad (torch's default), else the number of real (unpadded) inputs in the window,
    or ``divisor_override``. Backward: each input of window i receives g[i]/D[i]."""
    what = f"avg_pool{d}d"
    x, unbatched, kernel, stride, padding, _ = _pool_args(what, input, d, kernel_size, stride, padding)
    pads = _pool_padding(what, x.shape[2:], kernel, stride, padding, (1,) * d, ceil_mode)
    out = out_sizes(x.shape[2:], kernel, stride, pads, (1,) * d)
    if divisor_override:
        div = float(divisor_override)
    else:
        div = _avg_divisor(x.shape[2:], kernel, stride, padding, out, count_include_pad)
        if not isinstance(div, float):
            div = B.as_like(div.astype(x._array.dtype), x._array)
    y = P.AvgPool.apply(x, kernel=kernel, stride=stride, padding=pads, divisor=div)
    return y.squeeze(0) if unbatched else y


def adaptive_avg_pool(input, d, output_size):
    """Average over torch's adaptive bins: output cell i of a dim of size S → O averages inputs
    ⌊i·S/O⌋ … ⌈(i+1)·S/O⌉ − 1. When O divides S the bins are plain avg_pool windows (k = s = S/O);
    otherwise each dim is a product with a fixed (O, S) averaging matrix A: y = x ×ⱼ Aⱼ."""
    what = f"adaptive_avg_pool{d}d"
    x, unbatched = _batched(input, d, what)
    sizes = tuple(x.shape[2:])
    asked = (output_size,) if output_size is None or isinstance(output_size, int) else tuple(output_size)
    asked = asked * d if len(asked) == 1 else asked
    out = tuple(n if o is None else int(o) for n, o in zip(sizes, asked))  # None keeps that input size
    if len(asked) != d or any(o < 1 for o in out):
        raise ValueError(f"{what}: output_size must be {d} positive ints (or None to keep a size), got {output_size!r}")
    if all(n % o == 0 for n, o in zip(sizes, out)):
        k = tuple(n // o for n, o in zip(sizes, out))
        y = P.AvgPool.apply(x, kernel=k, stride=k, padding=((0, 0),) * d, divisor=float(math.prod(k)))
    else:
        y = x
        for j, (n, o) in enumerate(zip(sizes, out)):
            if n == o:
                continue
            i = xp.arange(o)
            start, end = (i * n) // o, -((-(i + 1) * n) // o)
            cols = xp.arange(n)
            a = ((cols >= start[:, None]) & (cols < end[:, None])) / (end - start)[:, None]
            a = _wrap(B.as_like(a.T.astype(x._array.dtype), x._array), None)  # (S, O): the averaging matrix, ᵀ
            y = (y.transpose(2 + j, -1) @ a).transpose(2 + j, -1)
    return y.squeeze(0) if unbatched else y


# ------------------------------------------------------------------------------------- padding, unfold
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n, lo, hi, mode):
    """For a dim of size n padded by (lo, hi): which input position each output position copies."""
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":  # mirror about the edge, the edge itself not repeated
        i = xp.abs(i)
        return xp.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    return i % n  # circular


def pad(input, pad, mode="constant", value=None):
    """torch's F.pad: ``pad = (left, right)`` for the last dim, then (top, bottom) for the one before, …
    'constant' fills ``value`` (default 0; negative pads crop); 'reflect' mirrors without repeating the edge,
    'replicate' repeats the edge, 'circular' wraps around. Composite: the input is written into a filled
    array (IndexPut: its gradient is the matching slice of g) or gathered by an index per padded dim
    (GetItem: the gradient of a copied element is summed into its source)."""
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(_PAD_MODES)}, got {mode!r}")
    nd = input.dim()
    if len(pad) % 2 or len(pad) // 2 > nd:
        raise ValueError(f"pad: the padding needs an even number of entries, at most 2 per dim "
                         f"({2 * nd} for this {nd}-d input); got {tuple(pad)}")
    m = len(pad) // 2
    pairs = [(int(pad[2 * j]), int(pad[2 * j + 1])) for j in range(m)][::-1]  # dims nd−m … nd−1, in order
    sizes = tuple(input.shape[nd - m:])
    lead = (slice(None),) * (nd - m)
    if mode != "constant":
        if value:
            raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
        if m > 3 or nd not in (m + 1, m + 2):  # torch's rule: the padded dims plus a channel and a batch dim
            raise NotImplementedError(
                f"pad: {mode} padding of {m} dim(s) (a pad of {len(pad)} numbers) needs a {m + 1}-d or {m + 2}-d "
                f"input, got {nd}-d {tuple(input.shape)}; 1 to 3 dims can be padded (as in PyTorch)")
        for n, (lo, hi) in zip(sizes, pairs):
            limit = n - 1 if mode == "reflect" else n
            if lo < 0 or hi < 0 or lo > limit or hi > limit:
                raise ValueError(f"pad: {mode} padding needs 0 <= pad <= {limit} for a dim of size {n}; "
                                 f"got {(lo, hi)} (input shape {tuple(input.shape)})")
        index = tuple(B.as_like(i, input._array) for i in xp.ix_(*(_source_index(n, lo, hi, mode)
                                                                   for n, (lo, hi) in zip(sizes, pairs))))
        return P.GetItem.apply(input, index=lead + index, advanced=True)
    x = input
    if any(lo < 0 or hi < 0 for lo, hi in pairs):  # negative padding crops
        x = input[lead + tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(sizes, pairs))]
        pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        sizes = tuple(x.shape[nd - m:])
    if not any(lo or hi for lo, hi in pairs):
        return x if x is not input else input.clone()
    shape = tuple(x.shape[:nd - m]) + tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pairs))
    filled = B.full(shape, 0 if value is None else value, x._array.dtype, like=x._array)
    return P.IndexPut.apply(filled, x, index=lead + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pairs)))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) → (N, C·kh·kw, L), column l the flattened l-th window (L = Oₕ·O_w). Backward:
    col2im (fold)."""
    x, unbatched = _batched(input, 2, "unfold")
    kernel, dilation = ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation")
    stride, pads = ntuple(stride, 2, "stride"), tuple((p, p) for p in ntuple(padding, 2, "padding"))
    _check_fits("unfold", x.shape[2:], kernel, pads, dilation)
    y = P.Unfold.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of unfold: (N, C·kh·kw, L) → (N, C, *output_size), overlapping entries summed."""
    nd = input.dim()
    if nd not in (2, 3):
        raise ValueError(f"fold: expected a 2-d (unbatched) or 3-d input (N, C·kh·kw, L), got shape "
                         f"{tuple(input.shape)}")
    x = input.unsqueeze(0) if nd == 2 else input
    size, kernel = ntuple(output_size, 2, "output_size"), ntuple(kernel_size, 2, "kernel_size")
    dilation, stride = ntuple(dilation, 2, "dilation"), ntuple(stride, 2, "stride")
    pads = tuple((p, p) for p in ntuple(padding, 2, "padding"))
    blocks = math.prod(out_sizes(size, kernel, stride, pads, dilation))
    if x.shape[1] % math.prod(kernel) or x.shape[2] != blocks:
        raise ValueError(f"fold: expected input of shape (N, C·{math.prod(kernel)}, {blocks}) for output_size={size}, "
                         f"kernel_size={kernel}, got {tuple(input.shape)}")
    y = P.Fold.apply(x, output_size=size, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    return y.squeeze(0) if nd == 2 else y

"""Convolution and pooling primitives over d spatial dims (d = 1, 2 or 3), arrays in torch's (N, C, *S) layout.

Sizes. Per spatial dim, an input of size S padded by lo before and hi after, a kernel of k taps spaced δ
apart (the dilation) and moved s at a time (the stride) gives

    O = ⌊(S + lo + hi − δ·(k − 1) − 1) / s⌋ + 1          output positions.

im2col. Output position i of a window sees input positions i·s + t·δ for the taps t = 0 … k − 1. Writing
every window of the padded input xₚ as a column of one matrix,

    X_col[(c, t), (i, n)] = xₚ[n, c, i·s + t·δ]            shape (C·∏k, ∏O·N),

turns a convolution into a single matrix product Y = W·X_col, W reshaped to (C_out, C·∏k). X_col is first a
strided *view* of xₚ (no copy); the one copy makes it contiguous for BLAS. The batch is the innermost index
everywhere (xₚ is held as (C, *Sₚ, N), Y comes out as (C_out, *O, N)): the copied runs are then at least N
numbers long however small the image, and a convolution's output feeds the next one without a transpose.

col2im, the backward of im2col. Each entry of X_col is a copy of one entry of xₚ, so ∂L/∂xₚ at a position
is the sum of ∂L/∂X_col over every column that copied it: for each tap t, the (N, C, *O) block
∂L/∂X_col[:, t] is added into the strided slice xₚ[..., t·δ : t·δ + s·(O − 1) + 1 : s]. One slice-add per
kernel tap (25 for a 5×5 kernel), never a loop over pixels or samples. The pooling primitives walk the same
tap slices (``taps``) forward and backward.
"""

from __future__ import annotations

import itertools
import math
import threading

from .. import backend as B
from ..autograd.function import Primitive
from ..backend import strided_view, xp


def out_sizes(sizes, kernel, stride, padding, dilation):
    """O = ⌊(S + lo + hi − δ·(k − 1) − 1) / s⌋ + 1 per spatial dim (``padding`` holds (lo, hi) pairs)."""
    return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1
                 for n, k, s, (lo, hi), d in zip(sizes, kernel, stride, padding, dilation))


def pad_array(x, padding, value=0.0):
    """x with ``padding[i] = (lo, hi)`` entries of ``value`` around spatial dim i (x itself if none)."""
    if not any(lo or hi for lo, hi in padding):
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], padding))
    out = B.full(shape, value, x.dtype, like=x)
    out[(slice(None), slice(None), *(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], padding)))] = x
    return out


def _crop(a, padding):
    """The inverse of pad_array's placement: the unpadded part of a padded array (a view)."""
    if not any(lo or hi for lo, hi in padding):
        return a
    return a[(slice(None), slice(None), *(slice(lo, n - hi) for n, (lo, hi) in zip(a.shape[2:], padding)))]


def windows(x, kernel, stride, dilation):
    """The windows of x as a view of shape (N, C, *O, *k): ``view[n, c, i, t] = x[n, c, i·s + t·δ]``."""
    out = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(x.shape[2:], kernel, stride, dilation))
    st = x.strides
    strides = st[:2] + tuple(a * s for a, s in zip(st[2:], stride)) + tuple(a * d for a, d in zip(st[2:], dilation))
    return strided_view(x, x.shape[:2] + out + tuple(kernel), strides)


def taps(kernel, stride, dilation, out):
    """(tap index, slice) for every kernel tap t: the slice xₚ[..., t·δ : t·δ + s·(O − 1) + 1 : s] of the
    padded input that tap t sees at all O output positions at once."""
    for k, t in enumerate(itertools.product(*(range(n) for n in kernel))):
        yield k, (slice(None), slice(None), *(slice(ti * d, ti * d + s * (o - 1) + 1, s)
                                              for ti, d, s, o in zip(t, dilation, stride, out)))


def col2im(buf, cols, kernel, stride, dilation):
    """The adjoint of im2col: add the column blocks ``cols[:, :, t]`` (shape (N, C, *O), t running over the
    kernel taps of ``cols``'s axes 2 … 2 + d) into their slices of ``buf`` (N, C, *Sₚ); returns buf."""
    d = len(kernel)
    out = cols.shape[2 + d:]
    blocks = cols.reshape(cols.shape[:2] + (-1,) + out)
    for k, sl in taps(kernel, stride, dilation, out):
        buf[sl] += blocks[:, :, k]
    return buf


# ------------------------------------------------------------------------------------------ convolution
def batch_last(x, padding=None):
    """x (N, C, *S) as a C-contiguous (C, *Sₚ, N) array, zero-padded: the batch innermost. x's own memory when
    it is already laid out so (a convolution's output is), else one copy."""
    d = x.ndim - 2
    t = x.transpose(1, *range(2, 2 + d), 0)
    if padding is None or not any(lo or hi for lo, hi in padding):
        return B.contiguous(t)
    out = B.zeros((x.shape[1],) + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], padding)) + (x.shape[0],),
                  x.dtype, like=x)
    out[(slice(None), *(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], padding)))] = t
    return out


def _is_batch_last(a):
    """Whether the batch dim (0) is the innermost in memory, as in a convolution's output."""
    return a.ndim > 2 and a.strides[0] == a.itemsize and a.strides[1] > a.strides[0]


def batch_first(a):
    """The (N, C, *S) view of a (C, *S, N) array (batch_last's inverse, no copy)."""
    return a.transpose(a.ndim - 1, 0, *range(1, a.ndim - 1))


_scratch = threading.local()
_WORKSPACE_MAX = 1 << 28  # bytes


def _workspace(shape, dtype, like):
    """Scratch memory for the matrices that live only inside one forward or one backward (X_col, Wᵀ·G):
    one buffer per thread, dtype and device, grown as needed and reused, because a fresh multi-megabyte array
    costs its page faults on every step, as much as the copy that fills it. Never returned nor saved.
    Matrices over 256 MB are allocated afresh (and freed) instead."""
    size = math.prod(shape)
    if size * xp.dtype(dtype).itemsize > _WORKSPACE_MAX:  # too big to keep for the life of the process
        return B.empty(shape, dtype, like=like)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    key = (dtype, B.device_of(like))
    buf = buffers.get(key)
    if buf is None or buf.size < size:
        buf = buffers[key] = B.unrecorded(B.empty(size, dtype, like=like))
    return B.recorded(buf[:size].reshape(shape))


def _im2col(xc, kernel, stride, dilation, out):
    """X_col as (C, *k, *O, N), in the workspace, from the batch-last padded input xc (C, *Sₚ, N): one copy of
    the strided view ``view[c, t, i, n] = xc[c, i·s + t·δ, n]``. The batch is innermost, so every copied run
    holds at least N contiguous numbers (O_last·N with stride 1), whatever the image size."""
    d = len(kernel)
    st = xc.strides
    shape = (xc.shape[0], *kernel, *out, xc.shape[-1])
    strides = (st[0], *(a * dl for a, dl in zip(st[1:1 + d], dilation)), *(a * s for a, s in zip(st[1:1 + d], stride)),
               st[-1])
    cols = _workspace(shape, xc.dtype, xc)
    xp.copyto(cols, strided_view(xc, shape, strides))
    return cols


class Conv(Primitive):
    """y[n, o, i] = b[o] + Σ_{c, t} W[o, c, t] · xₚ[n, g·C/G + c, i·s + t·δ]   (c within the group g of o).

    Forward: im2col (one copy, batch innermost: ``_im2col``) and one matrix product Y = W·X_col, batched over
    the G groups in a single matmul call. Backward, with G = ∂L/∂Y in the same (C_out, ∏O·N) column order:

        ∂L/∂W = G·X_colᵀ,    ∂L/∂X_col = Wᵀ·G,    ∂L/∂x = crop(col2im(∂L/∂X_col)),    ∂L/∂b = Σ_{n,i} G

    X_col (∏k times the input) is not kept for the backward: it is copied again from the saved input into
    the reused workspace, which costs less than holding (and page-faulting) a fresh matrix per layer.

    The output is the (N, C_out, *O) view of the (C_out, *O, N) product: the next layer's im2col reads it
    without a copy, and a gradient that comes back in that order needs none either.
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        kernel = w.shape[2:]
        out = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
        xc = batch_last(x, padding)
        cols = _im2col(xc, kernel, stride, dilation, out).reshape(groups, -1, math.prod(out) * x.shape[0])
        w2 = w.reshape(groups, w.shape[0] // groups, -1)
        y = w2[0] @ cols[0] if groups == 1 else (w2 @ cols).reshape(w.shape[0], -1)  # the one BLAS call
        if b is not None:
            y += b[:, None]
        ctx.xc, ctx.w2, ctx.out, ctx.kernel = xc, w2, out, kernel
        ctx.padding, ctx.stride, ctx.dilation = padding, stride, dilation
        return batch_first(y.reshape((w.shape[0],) + out + (x.shape[0],)))

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        nx, nw, nb = need[0], need[1], len(need) == 3 and need[2]
        xc, w2, kernel = ctx.xc, ctx.w2, ctx.kernel
        groups, o_g = w2.shape[:2]
        gc = batch_last(g)  # (C_out, *O, N): free when g comes in the forward's order
        g2 = gc.reshape(groups * o_g, -1)
        gb = g2.sum(axis=1) if nb else None
        gw = None
        if nw:
            cols = _im2col(xc, kernel, ctx.stride, ctx.dilation, ctx.out).reshape(groups, -1, g2.shape[1])
            gw = g2 @ cols[0].T if groups == 1 else g2.reshape(groups, o_g, -1) @ cols.transpose(0, 2, 1)
            gw = gw.reshape((groups * o_g, -1) + tuple(kernel))
        gx = None
        if nx:
            c, d = xc.shape[0], len(kernel)
            gcols = _workspace((groups, c // groups * math.prod(kernel), g2.shape[1]), g.dtype, g)  # X_col is done
            xp.matmul(w2.transpose(0, 2, 1), g2.reshape(groups, o_g, -1), out=gcols)  # Wᵀ·G
            blocks = gcols.reshape((c,) + tuple(kernel) + gc.shape[1:])  # (C, *k, *O, N)
            order = (1 + 2 * d, 0, *range(1, 1 + d), *range(1 + d, 1 + 2 * d))  # viewed as (N, C, *k, *O)
            buf = batch_first(B.zeros(xc.shape, g.dtype, like=g))
            gx = _crop(col2im(buf, blocks.transpose(order), kernel, ctx.stride, ctx.dilation), ctx.padding)
        return (gx, gw, gb) if len(need) == 3 else (gx, gw)


# ------------------------------------------------------------------------------------------------ pooling
def _axis_taps(ndim, axis, k, s, dl, o):
    """(t, slice) for the taps t of one spatial axis: positions t·δ, t·δ + s, … (o of them) along it."""
    for t in range(k):
        sl = [slice(None)] * ndim
        sl[axis] = slice(t * dl, t * dl + s * (o - 1) + 1, s)
        yield t, tuple(sl)


def max_taps(x, kernel, stride, padding, dilation):
    """Window maxima, separably: the maximum over a window is the maximum over its rows of each row's
    maximum, so the last spatial axis is reduced first (k_last taps), then the one before, ... — ∑k
    passes instead of ∏k, each on long strided runs. Each stage records which tap won (the first on ties,
    so the winner is the first maximum in row-major order, PyTorch's rule); ``np.maximum`` propagates NaN.
    Returns (maxima, stages), a stage being (axis, its input's shape, winning taps, k, s, δ)."""
    low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    y = pad_array(x, padding, low)
    out = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
    stages = []
    for j in reversed(range(len(kernel))):
        k, s, dl = kernel[j], stride[j], dilation[j]
        best = idx = None
        for t, sl in _axis_taps(y.ndim, 2 + j, k, s, dl, out[j]):
            tap = y[sl]
            if best is None:
                best, idx = tap.copy(order="K"), xp.zeros_like(tap, dtype=xp.int8 if k < 128 else xp.int64)
                continue
            idx = xp.where(tap > best, idx.dtype.type(t), idx)
            xp.maximum(best, tap, out=best)
        stages.append((2 + j, y.shape, idx, k, s, dl))
        y = best
    return y, stages


def _spread(g, stages, pick, batch_last_input):
    """Undo the stages of a separable pooling in reverse: each tap's slice of a stage's input receives
    ``pick(g, stage, t)`` (assigned where windows cannot overlap, added where they can). The gradient is laid
    out as the pooling's input was (batch innermost after a convolution), so that one reads it without a copy."""
    for stage in reversed(stages):
        axis, shape, _, k, s, dl = stage
        gin = batch_first(B.zeros(shape[1:] + shape[:1], g.dtype, like=g)) if batch_last_input else \
            B.zeros(shape, g.dtype, like=g)
        for t, sl in _axis_taps(len(shape), axis, k, s, dl, g.shape[axis]):
            if s >= dl * (k - 1) + 1:
                gin[sl] = pick(g, stage, t)
            else:
                gin[sl] += pick(g, stage, t)
        g = gin
    return g


class MaxPool(Primitive):
    """y[n, c, i] = max_t xₚ[n, c, i·s + t·δ], xₚ padded with −∞ (``padding`` holds (lo, hi) per dim; the
    caller adds ceil_mode's extra positions to hi). Computed one axis at a time (``max_taps``). Backward:
    ∂L/∂x gets g at the position that won each window and 0 elsewhere (summed where windows overlap)."""

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)), dilation=(1, 1)):
        y, ctx.stages = max_taps(x, kernel, stride, padding, dilation)
        ctx.batch_last = _is_batch_last(x)
        ctx.padding = padding
        return y

    @staticmethod
    def backward(ctx, g):
        return _crop(_spread(g, ctx.stages, lambda g, stage, t: g * (stage[2] == t), ctx.batch_last),
                     ctx.padding)


class AvgPool(Primitive):
    """y[n, c, i] = Σ_t xₚ[n, c, i·s + t] / D[i], xₚ zero-padded, summed one axis at a time; the divisor D
    (a number or an array over the output positions) follows PyTorch's count_include_pad / ceil_mode /
    divisor_override rules and comes from the caller. Backward: each input of window i receives g[i]/D[i]."""

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)), divisor=1.0):
        y = pad_array(x, padding)
        out = out_sizes(x.shape[2:], kernel, stride, padding, (1,) * len(kernel))
        stages = []
        for j in reversed(range(len(kernel))):
            total = None
            for _, sl in _axis_taps(y.ndim, 2 + j, kernel[j], stride[j], 1, out[j]):
                total = y[sl].copy(order="K") if total is None else xp.add(total, y[sl], out=total)
            stages.append((2 + j, y.shape, None, kernel[j], stride[j], 1))
            y = total
        y /= divisor
        ctx.stages, ctx.padding, ctx.divisor, ctx.batch_last = stages, padding, divisor, _is_batch_last(x)
        return y

    @staticmethod
    def backward(ctx, g):
        return _crop(_spread(g / ctx.divisor, ctx.stages, lambda g, stage, t: g, ctx.batch_last), ctx.padding)


# ------------------------------------------------------------------------------------------- unfold / fold
class Unfold(Primitive):
    """torch's unfold (im2col on its own): (N, C, *S) → (N, C·∏k, L), L = ∏O window positions, row (c, t)
    of sample n holding xₚ[n, c, i·s + t·δ] for every i. Backward: col2im (``Fold``'s forward)."""

    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
        d = x.ndim - 2
        view = windows(pad_array(x, padding), kernel, stride, dilation)  # (N, C, *O, *k)
        out = view.shape[2:2 + d]
        ctx.xshape, ctx.kernel, ctx.stride, ctx.padding, ctx.dilation = x.shape, kernel, stride, padding, dilation
        ctx.out = out
        cols = view.transpose(0, 1, *range(2 + d, 2 + 2 * d), *range(2, 2 + d))  # (N, C, *k, *O)
        return cols.reshape(x.shape[0], -1, math.prod(out))

    @staticmethod
    def backward(ctx, g):
        n, c = ctx.xshape[:2]
        padded = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(ctx.xshape[2:], ctx.padding))
        cols = g.reshape((n, c) + tuple(ctx.kernel) + ctx.out)
        gx = col2im(B.zeros(padded, g.dtype, like=g), cols, ctx.kernel, ctx.stride, ctx.dilation)
        return _crop(gx, ctx.padding)


class Fold(Primitive):
    """torch's fold, the adjoint of unfold (col2im): (N, C·∏k, L) → (N, C, *output_size), each column's
    entries summed into the positions its window covers. Backward: unfold of g (a strided view, copied)."""

    @staticmethod
    def forward(ctx, cols, output_size=(1, 1), kernel=(1, 1), stride=(1, 1), padding=((0, 0), (0, 0)),
                dilation=(1, 1)):
        n = cols.shape[0]
        out = out_sizes(output_size, kernel, stride, padding, dilation)
        c = cols.shape[1] // math.prod(kernel)
        padded = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(output_size, padding))
        ctx.kernel, ctx.stride, ctx.padding, ctx.dilation = kernel, stride, padding, dilation
        blocks = cols.reshape((n, c) + tuple(kernel) + out)
        return _crop(col2im(B.zeros(padded, cols.dtype, like=cols), blocks, kernel, stride, dilation), padding)

    @staticmethod
    def backward(ctx, g):
        return Unfold.forward(ctx, g, ctx.kernel, ctx.stride, ctx.padding, ctx.dilation)

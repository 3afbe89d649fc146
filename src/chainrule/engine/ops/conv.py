"""Convolution and pooling primitives over d spatial dims (d = 1, 2 or 3), arrays in torch's (N, C, *S) layout.

Sizes. Per spatial dim, an input of size S padded by lo before and hi after, a kernel of k taps spaced δ
apart (the dilation) and moved s at a time (the stride) gives

    O = ⌊(S + lo + hi − δ·(k − 1) − 1) / s⌋ + 1          output positions.

im2col. Output position i of a window sees input positions i·s + t·δ for the taps t = 0 … k − 1. Writing
every window of the padded input xₚ as a column of one matrix,

    X_col[(c, t), (n, i)] = xₚ[n, c, i·s + t·δ]            shape (C·∏k, N·∏O),

turns a convolution into a single matrix product Y = W·X_col, W reshaped to (C_out, C·∏k). X_col is first a
strided *view* of xₚ (``windows``: no copy); the one copy is the transpose into the order BLAS wants.

col2im, the backward of im2col. Each entry of X_col is a copy of one entry of xₚ, so ∂L/∂xₚ at a position
is the sum of ∂L/∂X_col over every column that copied it: for each tap t, the (N, C, *O) block
∂L/∂X_col[:, t] is added into the strided slice xₚ[..., t·δ : t·δ + s·(O − 1) + 1 : s]. One slice-add per
kernel tap (25 for a 5×5 kernel), never a loop over pixels or samples. The pooling primitives walk the same
tap slices (``taps``) forward and backward.
"""

from __future__ import annotations

import itertools
import math

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
    out = xp.full(shape, value, dtype=x.dtype)
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


def _channels_first(a, d):
    """(N, C, …) ↔ (C, N, …): a transposed view (its own inverse)."""
    return a.transpose(1, 0, *range(2, 2 + d))


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
def _row_strides(plane):
    """Element strides of a C-contiguous block of shape ``plane``: R_j = ∏ plane[j+1:]."""
    return tuple(math.prod(plane[j + 1:]) for j in range(len(plane)))


def _im2col(xpad, kernel, stride, dilation):
    """X_col as (C, *k, N, *O), one copy of the strided windows."""
    d = len(kernel)
    view = windows(xpad, kernel, stride, dilation)  # (N, C, *O, *k)
    return xp.ascontiguousarray(view.transpose(1, *range(2 + d, 2 + 2 * d), 0, *range(2, 2 + d)))


def _im2col_runs(xpad, kernel, dilation, out):
    """X_col for stride 1 as (C, *k, N, M): each (c, t, n) row one *contiguous* run of the flattened padded
    plane, xₚ[n, c].flat[off(t) : off(t) + M], off(t) = Σⱼ tⱼ·δⱼ·Rⱼ (Rⱼ the plane's row strides). Output
    position i sits at Σⱼ iⱼ·Rⱼ of the run, so the run also holds the "wrap-around" columns between rows
    (iⱼ ≥ Oⱼ): computed, never read. Long contiguous runs make this copy several times faster than
    copying windows of Oₗ elements, for (∏Sₚ/∏O − 1) more columns in the product."""
    plane = xpad.shape[2:]
    rows = _row_strides(plane)
    it = xpad.itemsize
    if any(st != r * it for st, r in zip(xpad.strides[2:], rows)):
        xpad = xp.ascontiguousarray(xpad)
    m = sum((o - 1) * r for o, r in zip(out, rows)) + 1
    st = xpad.strides
    shape = (xpad.shape[1], *kernel, xpad.shape[0], m)
    view = strided_view(xpad, shape, (st[1], *(dl * r * it for dl, r in zip(dilation, rows)), st[0], it))
    return xp.ascontiguousarray(view), m


def _col2im_runs(gcols, padded, kernel, dilation, m):
    """The adjoint of _im2col_runs: run (c, t, n) of gcols (C, ∏k, N, M) is added into xₚ[n, c].flat at
    off(t), one slice-add per tap; returns (N, C, *Sₚ) (a view of a (C, N, *Sₚ) array)."""
    n, c = padded[:2]
    rows = _row_strides(padded[2:])
    flat = xp.zeros((c, n, math.prod(padded[2:])), dtype=gcols.dtype)
    for k, t in enumerate(itertools.product(*(range(n) for n in kernel))):
        off = sum(ti * dl * r for ti, dl, r in zip(t, dilation, rows))
        flat[:, :, off:off + m] += gcols[:, k]
    return _channels_first(flat.reshape((c, n) + tuple(padded[2:])), len(kernel))


_RUNS_MAX_WASTE = 0.2


def _use_runs(stride, out, plane):
    """Run columns for stride 1 when their wrap-around columns add at most 20% to the product (LeNet's
    28×28 → 24×24: 16%); on small maps (12×12 → 8×8: 44%) the plain window copy costs less than that."""
    if not all(s == 1 for s in stride):
        return False
    m = sum((o - 1) * r for o, r in zip(out, _row_strides(plane))) + 1
    return m <= (1 + _RUNS_MAX_WASTE) * math.prod(out)


def _output_view(y, n, out, m, plane, writeable=True):
    """(N, C_out, *O) view of the product's (C_out, N·M) layout: sample n, channel o, position i at
    o·N·M + n·M + Σⱼ iⱼ·Rⱼ, R the row strides of ``plane`` (the padded input's for the run layout)."""
    it = y.itemsize
    strides = (m * it, n * m * it, *(r * it for r in _row_strides(plane)))
    return strided_view(y, (n, y.shape[0]) + tuple(out), strides, writeable=writeable)


class Conv(Primitive):
    """y[n, o, i] = b[o] + Σ_{c, t} W[o, c, t] · xₚ[n, g·C/G + c, i·s + t·δ]   (c within the group g of o).

    Forward: im2col (one copy) and one matrix product Y = W·X_col, batched over the G groups in a single
    matmul call; with stride 1 the columns are contiguous runs of the input (``_im2col_runs``). Backward,
    with G = ∂L/∂Y in the same column order:

        ∂L/∂W = G·X_colᵀ,    ∂L/∂X_col = Wᵀ·G,    ∂L/∂x = crop(col2im(∂L/∂X_col)),    ∂L/∂b = Σ_{n,i} G

    The output is a view of the (C_out, N·M) product; the next layer reads it without a copy.
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        n = x.shape[0]
        kernel = w.shape[2:]
        xpad = pad_array(x, padding)
        out = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
        runs = _use_runs(stride, out, xpad.shape[2:])
        if runs:
            cols, m = _im2col_runs(xpad, kernel, dilation, out)
        else:
            cols, m = _im2col(xpad, kernel, stride, dilation), math.prod(out)
        cols = cols.reshape(groups, -1, n * m)
        w2 = w.reshape(groups, w.shape[0] // groups, -1)
        y = w2[0] @ cols[0] if groups == 1 else (w2 @ cols).reshape(w.shape[0], -1)  # the one BLAS call
        if b is not None:
            y += b[:, None]
        plane = xpad.shape[2:] if runs else out
        ctx.cols, ctx.w2, ctx.padded, ctx.kernel, ctx.out = cols, w2, xpad.shape, kernel, out
        ctx.m, ctx.plane = m, plane
        ctx.padding, ctx.stride, ctx.dilation, ctx.runs = padding, stride, dilation, runs
        return _output_view(y, n, out, m, plane)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        nx, nw, nb = need[0], need[1], len(need) == 3 and need[2]
        cols, w2, m, kernel = ctx.cols, ctx.w2, ctx.m, ctx.kernel
        groups, o_g = w2.shape[:2]
        n, c = ctx.padded[:2]
        g2 = (xp.zeros if ctx.runs else xp.empty)((groups * o_g, n * m), dtype=g.dtype)  # 0 in the run gaps
        _output_view(g2, n, ctx.out, m, ctx.plane)[...] = g
        g3 = g2.reshape(groups, o_g, -1)
        gb = g2.sum(axis=1) if nb else None
        gw = None
        if nw:
            gw = g2 @ cols[0].T if groups == 1 else g3 @ cols.transpose(0, 2, 1)
            gw = gw.reshape((groups * o_g, -1) + tuple(kernel))
        gx = None
        if nx:
            gcols = w2[0].T @ g2 if groups == 1 else w2.transpose(0, 2, 1) @ g3  # Wᵀ·G
            gcols = gcols.reshape(c, math.prod(kernel), n, m)
            if ctx.runs:
                gx = _col2im_runs(gcols, ctx.padded, kernel, ctx.dilation, m)
            else:
                d = len(kernel)
                buf = _channels_first(xp.zeros((c, n) + tuple(ctx.padded[2:]), dtype=g.dtype), d)
                blocks = gcols.reshape((c,) + tuple(kernel) + (n,) + tuple(ctx.out))  # → (N, C, *k, *O), a view
                blocks = blocks.transpose(1 + d, 0, *range(1, 1 + d), *range(2 + d, 2 + 2 * d))
                gx = col2im(buf, blocks, kernel, ctx.stride, ctx.dilation)
            gx = _crop(gx, ctx.padding)
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
                best, idx = tap.copy(), xp.zeros(tap.shape, dtype=xp.int8 if k < 128 else xp.int64)
                continue
            idx = xp.where(tap > best, idx.dtype.type(t), idx)
            xp.maximum(best, tap, out=best)
        stages.append((2 + j, y.shape, idx, k, s, dl))
        y = best
    return y, stages


def _spread(g, stages, pick):
    """Undo the stages of a separable pooling in reverse: each tap's slice of a stage's input receives
    ``pick(g, stage, t)`` (assigned where windows cannot overlap, added where they can)."""
    for stage in reversed(stages):
        axis, shape, _, k, s, dl = stage
        gin = xp.zeros(shape, dtype=g.dtype)
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
        ctx.padding = padding
        return y

    @staticmethod
    def backward(ctx, g):
        return _crop(_spread(g, ctx.stages, lambda g, stage, t: g * (stage[2] == t)), ctx.padding)


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
                total = y[sl].copy() if total is None else xp.add(total, y[sl], out=total)
            stages.append((2 + j, y.shape, None, kernel[j], stride[j], 1))
            y = total
        y /= divisor
        ctx.stages, ctx.padding, ctx.divisor = stages, padding, divisor
        return y

    @staticmethod
    def backward(ctx, g):
        return _crop(_spread(g / ctx.divisor, ctx.stages, lambda g, stage, t: g), ctx.padding)


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
        gx = col2im(xp.zeros(padded, dtype=g.dtype), cols, ctx.kernel, ctx.stride, ctx.dilation)
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
        return _crop(col2im(xp.zeros(padded, dtype=cols.dtype), blocks, kernel, stride, dilation), padding)

    @staticmethod
    def backward(ctx, g):
        return Unfold.forward(ctx, g, ctx.kernel, ctx.stride, ctx.padding, ctx.dilation)

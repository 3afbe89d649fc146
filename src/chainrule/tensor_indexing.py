"""More of torch's tensor API: selecting (gather, index_select, masked_fill, scatter), splitting (split,
chunk, unbind, narrow), rearranging (repeat, tile, flip, roll, movedim), matrices (tril, triu, diag,
outer) and stacking (vstack, hstack, meshgrid). Sorting, scans and counting are in tensor_sorting.py.

Each differentiable one is a composite of primitives: a gather is an advanced ``__getitem__`` (whose
backward adds the gradient back at the taken positions), a split is a few slices, a repeat is an
expand and a reshape. Loaded by tensor.py; functions are re-exported by ``chainrule``.
"""

from __future__ import annotations

import builtins

from . import ops as P
from .backend import xp
from .tensor import Tensor, _arr
from .tensor_methods import _dim, _t, cat, expand, flatten, getitem, permute, reshape, unsqueeze


def _long(x, op):
    a = _arr(x)
    a = xp.asarray(a)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must be an integer (int64) tensor, got dtype {a.dtype}")
    return a


# -------------------------------------------------------------------------------------------- selecting
def _along(shape, index, d):
    """The advanced index that takes ``index`` along dim d and position i along every other dim."""
    nd = len(shape)
    return tuple(index if k == d else xp.arange(shape[k]).reshape((-1,) + (1,) * (nd - 1 - k)) for k in range(nd))


def gather(input, dim, index):
    """out[i][j] = input[index[i][j]][j] (dim 0), input[i][index[i][j]] (dim 1), ...: out has index's shape.

    Its gradient adds ∂L/∂out back at the gathered positions (repeated indices accumulate)."""
    idx = _long(index, "gather")
    nd = input.data.ndim
    d = _dim(dim, nd, "gather")
    if idx.ndim != builtins.max(nd, 1) or builtins.any(
        idx.shape[k] > input.data.shape[k] for k in range(nd) if k != d
    ):
        raise RuntimeError(
            f"gather: the index of shape {tuple(idx.shape)} must have the input's number of dims ({nd}) and "
            f"be no larger than the input {tuple(input.data.shape)} in every dim except dim {d}"
        )
    if idx.size and (idx.min() < -input.data.shape[d] or idx.max() >= input.data.shape[d]):
        raise IndexError(f"gather: index {int(idx.max())} is out of bounds for dim {d} of size {input.data.shape[d]}")
    return P.GetItem.apply(input, index=_along(idx.shape, idx, d), advanced=True)


def take_along_dim(input, indices, dim):
    """gather with numpy's argument order."""
    return gather(input, dim, indices)


def index_select(input, dim, index):
    """The entries of ``index`` along ``dim`` (a 1-d int64 tensor), in that order."""
    idx = _long(index, "index_select")
    if idx.ndim > 1:
        raise RuntimeError(f"index_select: the index must be 1-d, got shape {tuple(idx.shape)}")
    d = _dim(dim, input.data.ndim, "index_select")
    return getitem(input, (slice(None),) * d + (idx.reshape(-1),))


def select(input, dim, index):
    """input[..., index, ...] at ``dim``: one fewer dimension."""
    d = _dim(dim, input.data.ndim, "select")
    return getitem(input, (slice(None),) * d + (int(index),))


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, ``input`` elsewhere (mask broadcasts to input's shape)."""
    m = _arr(mask)
    if getattr(m, "dtype", None) != xp.bool_:
        raise TypeError(f"masked_fill: the mask must be a bool tensor (e.g. x > 0), got dtype {xp.asarray(m).dtype}")
    try:
        xp.broadcast_to(m, input.data.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_fill: a mask of shape {tuple(m.shape)} cannot be broadcast to the input's shape "
            f"{tuple(input.data.shape)}"
        ) from None
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {tuple(value.shape)}")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    else:
        value = xp.asarray(value).astype(input.data.dtype)
    return P.Where.apply(m, value, input)


def scatter(input, dim, index, src=None, value=None):
    """A copy of input with ``out[index[i][j]][j] = src[i][j]`` (dim 0; likewise for other dims), or the
    number ``value`` there. Gradients: input's through the untouched entries, src's from its targets."""
    if src is None and value is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    idx = _long(index, "scatter")
    d = _dim(dim, input.data.ndim, "scatter")
    if idx.size and (idx.min() < -input.data.shape[d] or idx.max() >= input.data.shape[d]):
        raise IndexError(f"scatter: index {int(idx.max())} is out of bounds for dim {d} of size {input.data.shape[d]}")
    where = _along(idx.shape, idx, d)
    if src is None:
        v = xp.full(idx.shape, value, dtype=input.data.dtype)
    else:
        v = getitem(src, tuple(slice(0, s) for s in idx.shape))
        if v.dtype != input.dtype:
            v = v.to(input.dtype)
    return P.IndexPut.apply(input, v, index=where)


# -------------------------------------------------------------------------------------------- splitting
def narrow(input, dim, start, length):
    """``length`` entries of ``dim`` from ``start`` (a slice, so the gradient flows to those entries)."""
    d = _dim(dim, input.data.ndim, "narrow")
    n = input.data.shape[d]
    start = int(start) + (n if start < 0 else 0)
    if start < 0 or length < 0 or start + length > n:
        raise IndexError(f"narrow: start {start} and length {length} exceed dim {d} of size {n}")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
    d = _dim(dim, tensor.data.ndim, "split")
    n = tensor.data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be a positive int, got {size}")
        sizes = [builtins.min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split: the sizes {sizes} sum to {builtins.sum(sizes)}, but dim {d} has size {n}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """``chunks`` nearly equal pieces along dim, each of size ⌈n/chunks⌉ except the last (as torch: fewer
    pieces come back when n is too small)."""
    if not isinstance(chunks, int) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    n = input.data.shape[_dim(dim, input.data.ndim, "chunk")]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def tensor_split(input, indices_or_sections, dim=0):
    """numpy.array_split's rule: n sections whose sizes differ by at most one, or split before each index."""
    d = _dim(dim, input.data.ndim, "tensor_split")
    n = input.data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        cuts = [0] + [builtins.min(int(i), n) for i in indices_or_sections] + [n]
        sizes = [builtins.max(b - a, 0) for a, b in zip(cuts, cuts[1:])]
    out, start = [], 0
    for s in sizes:
        out.append(narrow(input, d, builtins.min(start, n), s))
        start += s
    return tuple(out)


def unbind(input, dim=0):
    """The slices along dim, each with that dim removed."""
    d = _dim(dim, input.data.ndim, "unbind")
    return tuple(select(input, d, i) for i in range(input.data.shape[d]))


# -------------------------------------------------------------------------------------- rearranging
def repeat(input, *sizes):
    """Tile the tensor ``sizes[k]`` times along dim k (numpy.tile): an expand of a reshaped view, then a
    reshape, so the gradient sums the copies."""
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    s = input.data.shape
    if len(sizes) < len(s):
        raise RuntimeError(
            f"repeat: the number of repeat dims ({len(sizes)}) cannot be smaller than the tensor's rank ({len(s)})"
        )
    s = (1,) * (len(sizes) - len(s)) + tuple(s)
    x = reshape(input, tuple(v for k in s for v in (1, k)))
    x = expand(x, tuple(v for r, k in zip(sizes, s) for v in (r, k)))
    return reshape(x, tuple(r * k for r, k in zip(sizes, s)))


def tile(input, dims):
    """``repeat`` with torch.tile's rule: missing leading dims count as 1."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(input, (1,) * (input.data.ndim - len(dims)) + dims)


def flip(input, dims):
    """Reverse the order of entries along each of ``dims`` (a step −1 slice)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    nd = input.data.ndim
    ds = {_dim(d, nd, "flip") for d in dims}
    return getitem(input, tuple(slice(None, None, -1) if k in ds else slice(None) for k in range(nd)))


def fliplr(input):
    """flip(input, 1): reverse the columns."""
    return flip(input, 1)


def flipud(input):
    """flip(input, 0): reverse the rows."""
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift entries along dims, wrapping around (with no dims: over the flattened tensor)."""
    if dims is None:
        return reshape(roll(flatten(input), shifts, 0), input.data.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = input
    for s, d in zip(shifts, dims):
        d = _dim(d, input.data.ndim, "roll")
        n = input.data.shape[d]
        if n == 0 or s % n == 0:
            continue
        k = s % n
        out = cat([narrow(out, d, n - k, k), narrow(out, d, 0, n - k)], d)
    return out


def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions; the others keep their order (a permute)."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    nd = input.data.ndim
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {src} and destination {dst} must have the same length")
    src = [_dim(d, nd, "movedim") for d in src]
    dst = [_dim(d, nd, "movedim") for d in dst]
    order = [k for k in range(nd) if k not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def broadcast_to(input, size):
    """expand(input, size): a broadcast view; the gradient sums over the copies."""
    return expand(input, tuple(size))


# ------------------------------------------------------------------------------------------- matrices
def _tri(input, diagonal, lower):
    a = input.data
    if a.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: the input must have at least 2 dims, got {a.ndim}")
    keep = xp.tri(a.shape[-2], a.shape[-1], diagonal, dtype=bool)
    if not lower:
        keep = ~xp.tri(a.shape[-2], a.shape[-1], diagonal - 1, dtype=bool)
    return P.Where.apply(keep, input, xp.zeros((), dtype=a.dtype))


def tril(input, diagonal=0):
    """The lower triangle (entries with column − row ≤ diagonal); the rest zeroed."""
    return _tri(input, diagonal, True)


def triu(input, diagonal=0):
    """The upper triangle (entries with column − row ≥ diagonal); the rest zeroed."""
    return _tri(input, diagonal, False)


def diag(input, diagonal=0):
    """1-d → a square matrix with it on the ``diagonal``; 2-d → that diagonal as a 1-d tensor."""
    a = input.data
    if a.ndim == 1:
        n = a.shape[0] + builtins.abs(diagonal)
        i = xp.arange(a.shape[0])
        rows, cols = (i, i + diagonal) if diagonal >= 0 else (i - diagonal, i)
        return P.IndexPut.apply(xp.zeros((n, n), dtype=a.dtype), input, index=(rows, cols))
    if a.ndim == 2:
        r0, c0 = (0, diagonal) if diagonal >= 0 else (-diagonal, 0)
        n = builtins.max(builtins.min(a.shape[0] - r0, a.shape[1] - c0), 0)
        i = xp.arange(n)
        return getitem(input, (i + r0, i + c0))
    raise RuntimeError(f"diag: expected a 1-d or 2-d tensor, got {a.ndim} dims")


def outer(input, vec2):
    """(u vᵀ)ᵢⱼ = uᵢ vⱼ for 1-d u and v."""
    if input.data.ndim != 1 or _t(vec2).data.ndim != 1:
        raise RuntimeError(
            f"outer: both arguments must be 1-d, got shapes {tuple(input.shape)} and {tuple(_t(vec2).shape)}"
        )
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def trace(input):
    """Σ the main diagonal of a 2-d tensor."""
    return diag(input).sum()


# ---------------------------------------------------------------------------------------- stacking
def vstack(tensors):
    """Rows on top of each other (1-d tensors count as rows)."""
    ts = [_t(x) for x in tensors]
    return cat([unsqueeze(x, 0) if x.data.ndim < 2 else x for x in ts], 0)


row_stack = vstack


def hstack(tensors):
    """Side by side: along dim 1, or dim 0 for 1-d tensors."""
    ts = [_t(x) for x in tensors]
    return cat(ts, 0 if ts and ts[0].data.ndim == 1 else 1)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors (``indexing='ij'``: matrix order; ``'xy'``: Cartesian)."""
    ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else list(tensors)
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.data.size for t in ts)
    out = [expand(reshape(t, tuple(-1 if k == i else 1 for k in range(len(ts)))), shape) for i, t in enumerate(ts)]
    if swap:  # 'xy' is 'ij' on (y, x, ...) with the first two outputs swapped back
        out[0], out[1] = out[1], out[0]
    return tuple(out)


# --------------------------------------------------------------------------------- attach as methods
for _f in [gather, index_select, select, masked_fill, scatter, narrow, split, chunk, tensor_split, unbind,
           repeat, tile, flip, fliplr, flipud, roll, movedim, moveaxis, broadcast_to, tril, triu, diag, outer, ger,
           trace]:
    setattr(Tensor, _f.__name__, _f)
Tensor.moveaxis, Tensor.ger, Tensor.take_along_dim = movedim, outer, take_along_dim


def _masked_fill_(self, mask, value):
    from .tensor_pointwise import _inplace

    return _inplace(masked_fill, "masked_fill_")(self, mask, value)


def _scatter_(self, dim, index, src=None, value=None):
    from .tensor_pointwise import _inplace

    return _inplace(scatter, "scatter_")(self, dim, index, src, value)


Tensor.masked_fill_ = _masked_fill_
Tensor.scatter_ = _scatter_

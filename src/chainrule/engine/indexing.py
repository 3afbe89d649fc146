"""torch's indexing: ``x[index]``, gather/scatter, index_select, masked_fill, and splitting (narrow, split,
chunk, unbind) and reversing (flip, roll). Differentiable ones are composites: a gather is an advanced
``__getitem__`` (whose backward adds the gradient back at the taken positions, repeated indices
accumulating), a split is a few slices."""

from __future__ import annotations

import builtins

from . import backend as B
from . import ops as P
from .arguments import _dim, _long
from .backend import xp
from .shape import cat, flatten, reshape
from .tensor import Tensor, _arr, _index

__all__ = [  # the public names (re-exported by chainrule)
    "getitem", "gather", "take_along_dim", "index_select", "select", "masked_fill", "scatter", "narrow", "split",
    "chunk", "tensor_split", "unbind", "flip", "fliplr", "flipud", "roll",
]


def getitem(input, index) -> Tensor:
    """x[index] with ints, slices (any step), None, Ellipsis, integer or boolean tensors; the gradient
    lands on the selected entries (an entry selected twice gets both gradients)."""
    idx, adv = _index(index, input._array)
    try:
        out = P.GetItem.apply(input, index=idx, advanced=adv)
    except IndexError as err:
        raise IndexError(
            f"index {index!r} is invalid for a tensor of shape {tuple(input._array.shape)}: {err}"
        ) from None
    if out.grad_fn is not None:
        out.grad_fn._label = "IndexBackward0" if adv else _basic_index_name(index)
    return out


def _basic_index_name(index):
    """torch's name for the node of a basic index: that of its last real step (x[0, 1:3] ends on a slice)."""
    name = "SliceBackward0"
    for i in index if isinstance(index, tuple) else (index,):
        if i is None:
            name = "UnsqueezeBackward0"
        elif isinstance(i, slice):
            if i != slice(None):
                name = "SliceBackward0"
        elif i is not Ellipsis:
            name = "SelectBackward0"
    return name

def _along(shape, index, d):
    """The advanced index that takes ``index`` along dim d and position i along every other dim."""
    nd = len(shape)
    return tuple(index if k == d else B.arange(0, shape[k], 1, xp.int64, like=index).reshape(
        (-1,) + (1,) * (nd - 1 - k)) for k in range(nd))


def gather(input, dim, index) -> Tensor:
    """out[i][j] = input[index[i][j]][j] (dim 0), input[i][index[i][j]] (dim 1), ...: out has index's shape.

    Its gradient adds ∂L/∂out back at the gathered positions (repeated indices accumulate)."""
    idx = _long(index, "gather")
    nd = input._array.ndim
    d = _dim(dim, nd, "gather")
    if idx.ndim != builtins.max(nd, 1) or builtins.any(
        idx.shape[k] > input._array.shape[k] for k in range(nd) if k != d
    ):
        raise RuntimeError(
            f"gather: the index of shape {tuple(idx.shape)} must have the input's number of dims ({nd}) and "
            f"be no larger than the input {tuple(input._array.shape)} in every dim except dim {d}"
        )
    if idx.size and (idx.min() < -input._array.shape[d] or idx.max() >= input._array.shape[d]):
        raise IndexError(f"gather: index {int(idx.max())} is out of bounds for dim {d} of size {input._array.shape[d]}")
    return P.GetItem.apply(input, index=_along(idx.shape, idx, d), advanced=True)


def take_along_dim(input, indices, dim) -> Tensor:
    """gather with numpy's argument order."""
    return gather(input, dim, indices)


def index_select(input, dim, index) -> Tensor:
    """The entries of ``index`` along ``dim`` (a 1-d int64 tensor), in that order."""
    idx = _long(index, "index_select")
    if idx.ndim > 1:
        raise RuntimeError(f"index_select: the index must be 1-d, got shape {tuple(idx.shape)}")
    d = _dim(dim, input._array.ndim, "index_select")
    return getitem(input, (slice(None),) * d + (idx.reshape(-1),))


def select(input, dim, index) -> Tensor:
    """input[..., index, ...] at ``dim``: one fewer dimension."""
    d = _dim(dim, input._array.ndim, "select")
    return getitem(input, (slice(None),) * d + (int(index),))


def masked_fill(input, mask, value) -> Tensor:
    """``value`` where ``mask`` is True, ``input`` elsewhere (mask broadcasts to input's shape)."""
    m = _arr(mask)
    if getattr(m, "dtype", None) != xp.bool_:
        raise TypeError(f"masked_fill: the mask must be a bool tensor (e.g. x > 0), got dtype {xp.asanyarray(m).dtype}")
    try:
        xp.broadcast_to(m, input._array.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_fill: a mask of shape {tuple(m.shape)} cannot be broadcast to the input's shape "
            f"{tuple(input._array.shape)}"
        ) from None
    if isinstance(value, Tensor):
        if value._array.ndim:
            raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {tuple(value.shape)}")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    else:
        value = xp.asanyarray(value).astype(input._array.dtype)
    return P.Where.apply(m, value, input)


def scatter(input, dim, index, src=None, value=None) -> Tensor:
    """A copy of input with ``out[index[i][j]][j] = src[i][j]`` (dim 0; likewise for other dims), or the
    number ``value`` there. Gradients: input's through the untouched entries, src's from its targets."""
    if src is None and value is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    idx = _long(index, "scatter")
    d = _dim(dim, input._array.ndim, "scatter")
    if idx.size and (idx.min() < -input._array.shape[d] or idx.max() >= input._array.shape[d]):
        raise IndexError(
            f"scatter: index {int(idx.max())} is out of bounds for dim {d} of size {input._array.shape[d]}"
        )
    where = _along(idx.shape, idx, d)
    if src is None:
        v = B.full(idx.shape, value, input._array.dtype, like=input._array)
    else:
        v = getitem(src, tuple(slice(0, s) for s in idx.shape))
        if v.dtype != input.dtype:
            v = v.to(input.dtype)
    return P.IndexPut.apply(input, v, index=where)

# ----------------------------------------------------------------------------------------------------- splitting

def narrow(input, dim, start, length) -> Tensor:
    """``length`` entries of ``dim`` from ``start`` (a slice, so the gradient flows to those entries)."""
    d = _dim(dim, input._array.ndim, "narrow")
    n = input._array.shape[d]
    start = int(start) + (n if start < 0 else 0)
    if start < 0 or length < 0 or start + length > n:
        raise IndexError(f"narrow: start {start} and length {length} exceed dim {d} of size {n}")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def split(tensor, split_size_or_sections, dim=0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
    d = _dim(dim, tensor._array.ndim, "split")
    n = tensor._array.shape[d]
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


def chunk(input, chunks, dim=0) -> tuple[Tensor, ...]:
    """``chunks`` nearly equal pieces along dim, each of size ⌈n/chunks⌉ except the last (as torch: fewer
    pieces come back when n is too small)."""
    if not isinstance(chunks, int) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    n = input._array.shape[_dim(dim, input._array.ndim, "chunk")]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def tensor_split(input, indices_or_sections, dim=0) -> tuple[Tensor, ...]:
    """numpy.array_split's rule: n sections whose sizes differ by at most one, or split before each index."""
    d = _dim(dim, input._array.ndim, "tensor_split")
    n = input._array.shape[d]
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


def unbind(input, dim=0) -> tuple[Tensor, ...]:
    """The slices along dim, each with that dim removed."""
    d = _dim(dim, input._array.ndim, "unbind")
    return tuple(select(input, d, i) for i in range(input._array.shape[d]))

# ----------------------------------------------------------------------------------------------------- reversing

def flip(input, dims) -> Tensor:
    """Reverse the order of entries along each of ``dims`` (a step −1 slice)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    nd = input._array.ndim
    ds = {_dim(d, nd, "flip") for d in dims}
    return getitem(input, tuple(slice(None, None, -1) if k in ds else slice(None) for k in range(nd)))


def fliplr(input) -> Tensor:
    """flip(input, 1): reverse the columns."""
    return flip(input, 1)


def flipud(input) -> Tensor:
    """flip(input, 0): reverse the rows."""
    return flip(input, 0)


def roll(input, shifts, dims=None) -> Tensor:
    """Shift entries along dims, wrapping around (with no dims: over the flattened tensor)."""
    if dims is None:
        return reshape(roll(flatten(input), shifts, 0), input._array.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = input
    for s, d in zip(shifts, dims):
        d = _dim(d, input._array.ndim, "roll")
        n = input._array.shape[d]
        if n == 0 or s % n == 0:
            continue
        k = s % n
        out = cat([narrow(out, d, n - k, k), narrow(out, d, 0, n - k)], d)
    return out

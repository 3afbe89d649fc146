"""torch's shape functions: reshape/view, flatten, permute/transpose, squeeze/unsqueeze, expand, joining
(cat, stack, hstack, vstack), repeating (repeat, tile), movedim, meshgrid. Each is a primitive or a
composite of primitives, so the gradient is reshaped, permuted or summed back for free."""

from __future__ import annotations

import builtins

from . import ops as P
from .arguments import _dim, _dims, _shape_arg, _t
from .autograd import labelled
from .backend import xp
from .tensor import Size, Tensor

__all__ = [  # the public names (re-exported by chainrule)
    "reshape", "view", "flatten", "unflatten", "permute", "transpose", "swapaxes", "t", "squeeze", "unsqueeze",
    "expand", "expand_as", "broadcast_to",
    "broadcast_shapes", "movedim", "moveaxis", "repeat", "tile", "cat", "concat", "concatenate",
    "stack", "vstack", "row_stack", "hstack", "meshgrid", "numel",
]


def reshape(input, *shape) -> Tensor:
    """The same elements in a new shape; one size may be −1 (inferred). ``view`` is the same function."""
    shape = _shape_arg(shape)
    try:
        return labelled(P.Reshape.apply(input, shape=shape), "ViewBackward0")
    except ValueError:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {input._array.size} (shape "
            f"{tuple(input._array.shape)})"
        ) from None


view = reshape


def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Merge dims ``start_dim`` .. ``end_dim`` into one."""
    s = input._array.shape
    if not s:
        return reshape(input, 1)
    a, b = _dim(start_dim, len(s), "flatten"), _dim(end_dim, len(s), "flatten")
    n = 1
    for k in s[a : b + 1]:
        n *= k
    return reshape(input, s[:a] + (n,) + s[b + 1 :])


def unflatten(input, dim, sizes) -> Tensor:
    """Split ``dim`` into ``sizes`` (their product must be its size)."""
    s = input._array.shape
    d = _dim(dim, len(s), "unflatten")
    return reshape(input, s[:d] + tuple(sizes) + s[d + 1 :])


def permute(input, *dims) -> Tensor:
    """Reorder the dims: the result's dim k is the input's dim ``dims[k]``; the gradient is permuted back."""
    dims = _shape_arg(dims)
    n = input._array.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute: the number of dims ({len(dims)}) must equal the tensor's rank ({n})")
    return P.Permute.apply(input, dims=tuple(_dim(d, n, "permute") for d in dims))


def transpose(input, dim0, dim1) -> Tensor:
    """Swap dims ``dim0`` and ``dim1``."""
    n = input._array.ndim
    dims = list(range(n))
    a, b = _dim(dim0, n, "transpose"), _dim(dim1, n, "transpose")
    dims[a], dims[b] = dims[b], dims[a]
    return labelled(P.Permute.apply(input, dims=tuple(dims)), "TransposeBackward0")


swapaxes = transpose


def t(input) -> Tensor:
    """The transpose of a 0-, 1- or 2-d tensor."""
    if input._array.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but it has {input._array.ndim}")
    return labelled(P.Permute.apply(input, dims=tuple(range(input._array.ndim))[::-1]), "TBackward0")


def squeeze(input, dim=None) -> Tensor:
    """Remove dims of size 1 (only ``dim`` when given)."""
    s = input._array.shape
    if dim is None:
        return reshape(input, tuple(k for k in s if k != 1))
    dims = _dims(dim, len(s), "squeeze")
    return reshape(input, tuple(k for i, k in enumerate(s) if not (i in dims and k == 1)))


def unsqueeze(input, dim) -> Tensor:
    """Insert a dim of size 1 at position ``dim``."""
    s = input._array.shape
    d = _dim(dim, len(s) + 1, "unsqueeze")
    return labelled(reshape(input, s[:d] + (1,) + s[d:]), "UnsqueezeBackward0")


def expand(input, *sizes) -> Tensor:
    """A broadcast view with shape ``sizes`` (−1 keeps a size); the gradient sums over the copies."""
    sizes = _shape_arg(sizes)
    s = input._array.shape
    lead = len(sizes) - len(s)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes ({len(sizes)}) must be >= the tensor's rank ({len(s)})")
    shape = tuple(s[i - lead] if (n == -1 and i >= lead) else n for i, n in enumerate(sizes))
    try:
        xp.broadcast_shapes(s, shape)
    except ValueError:
        raise RuntimeError(f"expand: cannot expand a tensor of shape {tuple(s)} to {shape}") from None
    return P.Expand.apply(input, shape=shape)


def expand_as(input, other) -> Tensor:
    """``expand`` to ``other``'s shape."""
    return expand(input, other._array.shape)

def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of these shapes broadcast to (torch's rule: align on the right; a size 1
    stretches), or a RuntimeError naming the shapes that do not fit."""
    try:
        return Size(xp.broadcast_shapes(*[tuple(s) if isinstance(s, (tuple, list)) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"shapes {', '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together") from None


def broadcast_to(input, size) -> Tensor:
    """expand(input, size): a broadcast view; the gradient sums over the copies."""
    return expand(input, tuple(size))


def movedim(input, source, destination) -> Tensor:
    """Move dims from ``source`` to ``destination`` positions; the others keep their order (a permute)."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    nd = input._array.ndim
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {src} and destination {dst} must have the same length")
    src = [_dim(d, nd, "movedim") for d in src]
    dst = [_dim(d, nd, "movedim") for d in dst]
    order = [k for k in range(nd) if k not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def repeat(input, *sizes) -> Tensor:
    """Tile the tensor ``sizes[k]`` times along dim k (numpy.tile): an expand of a reshaped view, then a
    reshape, so the gradient sums the copies."""
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    s = input._array.shape
    if len(sizes) < len(s):
        raise RuntimeError(
            f"repeat: the number of repeat dims ({len(sizes)}) cannot be smaller than the tensor's rank ({len(s)})"
        )
    s = (1,) * (len(sizes) - len(s)) + tuple(s)
    x = reshape(input, tuple(v for k in s for v in (1, k)))
    x = expand(x, tuple(v for r, k in zip(sizes, s) for v in (r, k)))
    return reshape(x, tuple(r * k for r, k in zip(sizes, s)))


def tile(input, dims) -> Tensor:
    """``repeat`` with torch.tile's rule: missing leading dims count as 1."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(input, (1,) * (input._array.ndim - len(dims)) + dims)

def cat(tensors, dim=0) -> Tensor:
    """Join tensors along an existing ``dim`` (all other sizes equal); the gradient is split back into the pieces."""
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("cat: expected a non-empty sequence of tensors")
    nd = tensors[0]._array.ndim
    d = _dim(dim, nd, "cat")
    for i, x in enumerate(tensors):
        s0 = tensors[0]._array.shape
        if x._array.ndim != nd or any(a != b for j, (a, b) in enumerate(zip(x._array.shape, s0)) if j != d):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{tuple(tensors[0]._array.shape)}, tensor {i} has shape {tuple(x._array.shape)}"
            )
    return P.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0) -> Tensor:
    """Join same-shaped tensors along a new ``dim``."""
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty sequence of tensors")
    shape = tensors[0]._array.shape
    for i, x in enumerate(tensors):
        if x._array.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(shape)} at entry 0 and "
                f"{tuple(x._array.shape)} at entry {i}"
            )
    d = _dim(dim, len(shape) + 1, "stack")
    return cat([unsqueeze(x, d) for x in tensors], d)

def vstack(tensors) -> Tensor:
    """Rows on top of each other (1-d tensors count as rows)."""
    ts = [_t(x) for x in tensors]
    return cat([unsqueeze(x, 0) if x._array.ndim < 2 else x for x in ts], 0)


row_stack = vstack


def hstack(tensors) -> Tensor:
    """Side by side: along dim 1, or dim 0 for 1-d tensors."""
    ts = [_t(x) for x in tensors]
    return cat(ts, 0 if ts and ts[0]._array.ndim == 1 else 1)


def meshgrid(*tensors, indexing="ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors (``indexing='ij'``: matrix order; ``'xy'``: Cartesian)."""
    ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else list(tensors)
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._array.size for t in ts)
    out = [expand(reshape(t, tuple(-1 if k == i else 1 for k in range(len(ts)))), shape) for i, t in enumerate(ts)]
    if swap:  # 'xy' is 'ij' on (y, x, ...) with the first two outputs swapped back
        out[0], out[1] = out[1], out[0]
    return tuple(out)

def numel(input) -> builtins.int:
    """The number of elements."""
    return int(input._array.size)

"""torch's sorting and order statistics (sort, argsort, topk, median) and integer results (nonzero, unique,
bincount, count_nonzero). The differentiable ones are composites: sorted values are a ``gather`` at the
sorting indices, so the gradient goes back to where each value came from."""

from __future__ import annotations

import builtins
from typing import Any

from . import backend as B
from .arguments import _dim, _long
from .backend import xp
from .indexing import gather
from .return_types import return_type
from .shape import flatten
from .tensor import Tensor, _arr, _wrap

__all__ = [  # the public names (re-exported by chainrule)
    "argsort", "sort", "topk", "median", "nonzero", "argwhere", "count_nonzero", "unique", "bincount", "histogram",
    "histc",
]


sort_result = return_type("sort", ["values", "indices"])


topk_result = return_type("topk", ["values", "indices"])


def argsort(input, dim=-1, descending=False, stable=False) -> Tensor:
    """Indices that sort ``input`` along dim (ascending unless ``descending``); ties keep their order."""
    a = input._array
    if a.ndim == 0:
        return _wrap(B.zeros((), xp.int64, like=input._array), None)
    d = _dim(dim, a.ndim, "argsort")
    key = a.astype(xp.int64) if a.dtype.kind in "bu" else a
    idx = xp.argsort(-key if descending else key, axis=d, kind="stable")  # stable: ties keep their order
    return _wrap(idx.astype(xp.int64), None)


def sort(input, dim=-1, descending=False, stable=False) -> Any:
    """(values, indices) sorted along dim; values are gathered from input, so gradients flow back."""
    if input._array.ndim == 0:
        return sort_result(input.clone(), _wrap(B.zeros((), xp.int64, like=input._array), None))
    idx = argsort(input, dim, descending)
    return sort_result(gather(input, dim, idx), idx)


def topk(input, k, dim=-1, largest=True, sorted=True) -> Any:
    """The k largest (or smallest) entries along dim and their indices."""
    if input._array.ndim == 0:
        raise RuntimeError("topk: the input must have at least 1 dim, got a 0-d tensor")
    d = _dim(dim, input._array.ndim, "topk")
    n = input._array.shape[d]
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) must be between 0 and the size of dim {d} ({n})")
    first_k = B.arange(0, k, 1, xp.int64, like=input._array)
    idx = _wrap(xp.take(argsort(input, d, descending=largest)._array, first_k, axis=d), None)
    return topk_result(gather(input, d, idx), idx)


median_result = return_type("median", ["values", "indices"])


def median(input, dim=None, keepdim=False) -> Any:
    """The middle value: with an even count, the lower of the two middle ones (torch's rule, not their
    mean). No dim: over every element (a 0-d tensor); with dim: (values, indices). The gradient goes to
    the chosen element."""
    if dim is None:
        flat = flatten(input)
        if flat._array.size == 0:
            raise RuntimeError("median(): cannot take the median of an empty tensor")
        return median(flat, 0).values
    d = _dim(dim, builtins.max(input._array.ndim, 1), "median")
    if input._array.ndim == 0:
        return median_result(input.clone(), _wrap(B.zeros((), xp.int64, like=input._array), None))
    n = input._array.shape[d]
    pick = _wrap(xp.take(argsort(input, d)._array, [(n - 1) // 2], axis=d), None)
    values, indices = gather(input, d, pick), pick
    if not keepdim:
        values, indices = values.squeeze(d), _wrap(indices._array.squeeze(d), None)
    return median_result(values, indices)

def nonzero(input, *, as_tuple=False) -> Any:
    """Indices of the nonzero entries: an (n, ndim) int64 tensor, or one 1-d tensor per dim."""
    a = input._array
    if as_tuple:
        return tuple(_wrap(i.astype(xp.int64), None) for i in xp.nonzero(xp.atleast_1d(a)))
    return _wrap(xp.argwhere(a).astype(xp.int64), None)


def argwhere(input) -> Tensor:
    """nonzero(input): the (n, ndim) indices of the nonzero entries."""
    return nonzero(input)


def count_nonzero(input, dim=None) -> Tensor:
    """How many entries are nonzero (along ``dim``), as int64."""
    axes = None if dim is None else tuple(_dim(d, input._array.ndim, "count_nonzero")
                                          for d in ((dim,) if isinstance(dim, int) else dim))
    return _wrap(xp.asanyarray(xp.count_nonzero(input._array, axis=axes)).astype(xp.int64), None)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None) -> Any:
    """The distinct values (sorted); with ``return_inverse``/``return_counts`` a tuple as torch's."""
    res = xp.unique(input._array, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return _wrap(res, None)
    out = [_wrap(res[0], None)]
    if return_inverse:  # one entry per input element: where it went among the distinct values
        out.append(_wrap(res[1].reshape(input._array.shape if dim is None else -1).astype(xp.int64), None))
    if return_counts:
        out.append(_wrap(res[-1].astype(xp.int64), None))
    return tuple(out)


def bincount(input, weights=None, minlength=0) -> Tensor:
    """How often each non-negative integer occurs in a 1-d int tensor (weighted sums with ``weights``)."""
    a = _long(input, "bincount")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount: the input must be a 1-d tensor of non-negative integers")
    w = None if weights is None else _arr(weights)
    out = xp.bincount(a, weights=w, minlength=minlength)
    return _wrap(out if w is not None else out.astype(xp.int64), None)


histogram_result = return_type("histogram", ["hist", "bin_edges"])


def histogram(input, bins, *, range=None, weight=None, density=False) -> Any:
    """Counts of ``input``'s values in ``bins`` equal-width bins over ``range`` (default: the data's min..max),
    or between the given ``bins`` edges (a 1-d tensor); the last bin includes its right edge. Returns
    (hist, bin_edges), floats of the input's dtype, as torch. ``density=True`` divides by count × width."""
    a = input._array
    if a.dtype.kind != "f":
        raise RuntimeError(f"histogram: expected a floating point input, got {input.dtype}")
    edges = _arr(bins) if isinstance(bins, Tensor) else bins
    w = None if weight is None else _arr(weight)
    hist, out_edges = xp.histogram(a.reshape(-1), bins=edges, range=range,
                                   weights=None if w is None else w.reshape(-1), density=density)
    return histogram_result(_wrap(hist.astype(a.dtype), None), _wrap(out_edges.astype(a.dtype), None))


def histc(input, bins=100, min=0, max=0) -> Tensor:
    """Counts of ``input``'s values in ``bins`` equal-width bins over [min, max] (min = max = 0: the data's
    range); values outside are ignored. A float tensor of the input's dtype, as torch."""
    a = input._array
    lo, hi = (float(a.min()), float(a.max())) if min == max and a.size else (float(min), float(max))
    if lo == hi:
        lo, hi = lo - 1, hi + 1  # torch widens an empty range by 1 on each side
    hist, _ = xp.histogram(a.reshape(-1), bins=bins, range=(lo, hi))
    return _wrap(hist.astype(a.dtype), None)

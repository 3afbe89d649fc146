"""Shape primitives: reshape, permute, broadcast, indexing, concatenation."""

from __future__ import annotations

import itertools

from .. import backend as B
from ..autograd.function import Primitive
from ..backend import xp


class Reshape(Primitive):
    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Permute(Primitive):
    @staticmethod
    def forward(ctx, a, dims=None):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):  # the inverse permutation (a transpose is its own inverse)
        dims = ctx.dims
        return g.T if len(dims) == 2 else g.transpose(xp.argsort(dims))


class Expand(Primitive):
    @staticmethod
    def forward(ctx, a, shape=None):
        return xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):  # the engine's unbroadcast sums g back to the input's shape
        return g


class GetItem(Primitive):
    @staticmethod
    def forward(ctx, a, index=None, advanced=False):
        ctx.shape, ctx.index, ctx.advanced = a.shape, index, advanced
        return a[index]

    @staticmethod
    def backward(ctx, g):
        out = B.zeros(ctx.shape, g.dtype, like=g)
        if ctx.advanced:  # add.at accumulates repeated indices (x[[0, 0]] sends two gradients to x[0])
            B.index_add(out, ctx.index, g)
        else:
            out[ctx.index] = g
        return out


class IndexPut(Primitive):
    """out = a with out[index] = v (tensor.__setitem__ on a tensor that is part of a graph)."""

    @staticmethod
    def forward(ctx, a, v, index=None):
        ctx.index, ctx.vshape = index, xp.shape(v)
        out = a.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):  # overwritten entries get no gradient; v gets the gradient of its slots
        na, nv = ctx.needs_input_grad
        ga = None
        if na:
            ga = g.copy()
            ga[ctx.index] = 0
        return ga, (g[ctx.index] if nv else None)


class Cat(Primitive):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.splits = list(itertools.accumulate(a.shape[dim] for a in arrays))[:-1]
        return xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(xp.split(g, ctx.splits, axis=ctx.dim))

"""``DataLoader``: batches from a dataset, reshuffled every epoch, with PyTorch's semantics.

Fast path: for a ``TensorDataset`` (or a ``Subset`` of one, e.g. from ``random_split``) with the default
collate, each batch is cut out of the underlying arrays by one fancy-indexing operation per tensor — no
per-sample Python loop. Any other dataset is read sample by sample and the samples are collated.
"""

from __future__ import annotations

import collections.abc
import numbers
import warnings

import numpy as np

from ..engine import Tensor, from_numpy
from ..engine.rng import Generator, as_rng, is_torch
from .dataset import Subset, TensorDataset

__all__ = ["DataLoader", "default_collate"]


def _stack(arrays, what):
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(
                f"default_collate: cannot stack {what}s of different shapes into a batch: sample 0 has "
                f"{tuple(shape)}, sample {i} has {tuple(a.shape)} (pass a collate_fn that pads, or use "
                f"batch_size=1)"
            )
    return from_numpy(np.stack(arrays))


def default_collate(batch):
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    Tensors and NumPy arrays are stacked along a new first dimension; Python floats become a float64
    tensor, ints an int64 tensor, bools a bool tensor; strings stay a list; dicts, namedtuples, tuples and
    lists are collated field by field (a tuple sample gives a *list* of batches, as in torch).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([b.data for b in batch], "tensor")
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUS":
            raise TypeError(f"default_collate: cannot batch NumPy arrays of dtype {elem.dtype}")
        return _stack([np.asarray(b) for b in batch], "array")
    if isinstance(elem, np.generic):
        return from_numpy(np.array(batch))
    if isinstance(elem, bool):
        return from_numpy(np.array(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in the batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(
        f"default_collate: cannot batch samples of type {type(elem).__name__}; samples must be tensors, "
        f"NumPy arrays, numbers, strings, or dicts/tuples/lists of these (or pass a collate_fn)"
    )


def _tensor_source(dataset):
    """(TensorDataset, index array or None) when batches can be sliced straight out of its arrays."""
    index = None
    while isinstance(dataset, Subset):
        idx = np.asarray(dataset.indices, dtype=np.int64)
        index = idx if index is None else idx[index]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:  # a subclass may override __getitem__: take the general path
        return dataset, index
    return None, None


class DataLoader:
    """Iterate over ``dataset`` in batches: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True)``.

    - ``shuffle=True`` draws a new permutation at the start of every epoch (every ``iter(loader)``) from
      ``generator`` — a ``chainrule.Generator``, a ``numpy.random.Generator`` or an int seed — or, if None,
      from chainrule's default generator, so ``chainrule.manual_seed`` makes the order repeatable.
    - ``drop_last=True`` drops a last batch smaller than ``batch_size``; ``len(loader)`` is the number of
      batches: ⌈n / batch_size⌉, or ⌊n / batch_size⌋ with ``drop_last``.
    - ``batch_size=None`` yields single samples, unbatched (as torch).
    - ``collate_fn`` merges a list of samples into a batch (default: ``default_collate``).
    - ``num_workers`` and ``pin_memory`` exist so PyTorch code runs unchanged; chainrule always loads in
      the main process (a warning says so when ``num_workers > 0``).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, *, drop_last=False, generator=None,
                 collate_fn=None, num_workers=0, pin_memory=False):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: dataset must have __getitem__ and __len__ (a Dataset), got {type(dataset).__name__}"
            )
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                                       or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got {batch_size!r}")
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None (no batching) cannot be combined with drop_last=True")
        if not isinstance(shuffle, (bool, type(None))):
            raise TypeError(f"DataLoader: shuffle must be True or False, got {shuffle!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        as_rng(generator)  # validate now; None and Generators are read at every epoch
        if isinstance(generator, numbers.Integral):
            generator = as_rng(generator)  # one stream: every epoch a new order, the sequence repeatable
        if num_workers:
            warnings.warn("DataLoader: chainrule loads batches in the main process; num_workers is ignored",
                          stacklevel=2)
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def __len__(self):
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self, n):
        rng = as_rng(self.generator)
        if not is_torch(rng):
            return rng.permutation(n) if self.shuffle else None
        # PyTorch's draws, in its order: every epoch the loader's iterator draws a base seed for its workers
        # (``random_()`` on the loader's generator), and a RandomSampler without a generator shuffles
        # with a fresh generator seeded from the default one
        rng.integers(0, 1 << 63)
        if not self.shuffle:
            return None
        if self.generator is None:
            rng = as_rng(Generator(kind="torch").manual_seed(int(rng.integers(0, 1 << 63))))
        return rng.permutation(n)

    def __iter__(self):
        n = len(self.dataset)
        order = self._order(n)  # drawn at the start of the epoch, as torch's RandomSampler
        yield from self._batches(n, order)
        if order is not None and self.generator is not None and is_torch(as_rng(self.generator)):
            # torch's RandomSampler, given a generator, draws one more permutation as its epoch ends (it
            # yields the first len % n of it: none); torch draws it a little earlier when the last batch
            # is short, which matters only to code drawing from the loader's own generator in that batch
            as_rng(self.generator).permutation(n)

    def _batches(self, n, order):
        if self.batch_size is None:
            for i in range(n) if order is None else order.tolist():
                sample = self.dataset[i]
                yield sample if self.collate_fn is None else self.collate_fn(sample)
            return
        source, index = (None, None) if self.collate_fn is not None else _tensor_source(self.dataset)
        bs, stop = self.batch_size, (n // self.batch_size) * self.batch_size if self.drop_last else n
        if source is not None:
            yield from self._fast(source, index, order, bs, stop)
            return
        collate = self.collate_fn or default_collate
        for start in range(0, stop, bs):
            idx = range(start, min(start + bs, n)) if order is None else order[start:start + bs].tolist()
            yield collate([self.dataset[i] for i in idx])

    @staticmethod
    def _fast(source, index, order, bs, stop):
        """One fancy-index per tensor per batch; the result is a copy, so a batch never aliases the data."""
        arrays = [t.data for t in source.tensors]
        for start in range(0, stop, bs):
            end = min(start + bs, stop)
            if order is None and index is None:
                idx = slice(start, end)  # in order: a sliced copy is cheaper than a gather
            else:
                idx = np.arange(start, end) if order is None else order[start:end]
                if index is not None:
                    idx = index[idx]
            batch = [from_numpy(a[idx].copy() if isinstance(idx, slice) else a[idx]) for a in arrays]
            if source.transform is not None:
                batch[0] = source.transform(batch[0])
            yield batch

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")

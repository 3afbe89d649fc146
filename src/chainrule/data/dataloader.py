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
from ..engine.rng import as_rng, is_torch
from .dataset_classes import Subset, TensorDataset
from .sampler import RandomSampler, Sampler, SequentialSampler

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
        return _stack([b.numpy() for b in batch], "tensor")
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
      from chainrule's default generator, so ``chainrule.manual_seed`` makes the order repeatable. It is
      ``sampler=RandomSampler(dataset, generator=generator)``; any other ``sampler`` (an iterable of indices)
      or ``batch_sampler`` (an iterable of index lists) sets the order instead, as torch's.
    - ``drop_last=True`` drops a last batch smaller than ``batch_size``; ``len(loader)`` is the number of
      batches: ⌈n / batch_size⌉, or ⌊n / batch_size⌋ with ``drop_last``.
    - ``batch_size=None`` yields single samples, unbatched (as torch).
    - ``collate_fn`` merges a list of samples into a batch (default: ``default_collate``).
    - ``num_workers`` and ``pin_memory`` exist so PyTorch code runs unchanged; chainrule always loads in
      the main process (a warning says so when ``num_workers > 0``).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None, *,
                 generator=None, prefetch_factor=None, persistent_workers=False):
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
        as_rng(generator)  # validated now, whether or not a sampler draws from it
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last")
        for name, s in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if s is not None and not hasattr(s, "__iter__"):
                raise TypeError(f"DataLoader: {name} must be iterable (a Sampler), got {type(s).__name__}")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is not None:
            batch_size = None
        if num_workers:
            warnings.warn("DataLoader: chainrule loads batches in the main process; num_workers is ignored",
                          stacklevel=2)
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.generator = getattr(sampler, "generator", generator)
        self.collate_fn = collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        collate = self.collate_fn or default_collate
        rng = as_rng(self.generator)
        if is_torch(rng):  # torch's loader draws a base seed for its workers every epoch (random_())
            rng.integers(0, 1 << 63)
        if self.batch_sampler is not None:
            for idx in self.batch_sampler:
                yield collate([self.dataset[i] for i in idx])
            return
        # the epoch's order, drawn at its start (as torch's RandomSampler); None: 0..n-1 in order
        order = self.sampler.order() if hasattr(self.sampler, "order") else Sampler.order(self.sampler)
        n = len(self.dataset) if order is None else len(order)
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
        for start in range(0, stop, bs):
            idx = range(start, min(start + bs, n)) if order is None else order[start:start + bs].tolist()
            yield collate([self.dataset[i] for i in idx])

    @staticmethod
    def _fast(source, index, order, bs, stop):
        """One fancy-index per tensor per batch; the result is a copy, so a batch never aliases the data."""
        on_host = all(t.device.type == "cpu" for t in source.tensors)
        arrays = [t.numpy() for t in source.tensors] if on_host else None  # shared, not copied
        for start in range(0, stop, bs):
            end = min(start + bs, stop)
            if order is None and index is None:
                idx = slice(start, end)  # in order: a sliced copy is cheaper than a gather
            else:
                idx = np.arange(start, end) if order is None else order[start:end]
                if index is not None:
                    idx = index[idx]
            if on_host:  # batches stay where the data is: the host, or the GPU the user moved it to
                batch = [from_numpy(a[idx].copy() if isinstance(idx, slice) else a[idx]) for a in arrays]
            else:
                batch = [t[idx].clone() if isinstance(idx, slice) else t[idx] for t in source.tensors]
            if source.transform is not None:
                batch[0] = source.transform(batch[0])
            yield batch

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")

"""Samplers (torch.utils.data's): the order in which a DataLoader visits a dataset's indices.

    DataLoader(ds, batch_size=32, sampler=RandomSampler(ds))            # = shuffle=True
    DataLoader(ds, batch_size=32, sampler=SubsetRandomSampler(idx))     # a validation split of one dataset
    DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 32, drop_last=True))

Random draws go through ``generator`` (a ``chainrule.Generator``, a NumPy Generator or an int seed) or, if
None, chainrule's default generator, so ``chainrule.manual_seed`` makes every order repeatable.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..engine.rng import Generator, as_rng, is_torch

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


class Sampler:
    """Base class: ``__iter__`` yields indices, ``__len__`` says how many."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def order(self):
        """This epoch's indices as an int64 array (the DataLoader slices batches out of it)."""
        return np.fromiter(iter(self), dtype=np.int64)


def _one_stream(generator):
    as_rng(generator)  # validate now
    return as_rng(generator) if isinstance(generator, numbers.Integral) else generator  # an int: one stream


class SequentialSampler(Sampler):
    """0, 1, ..., n − 1, in order."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[Any]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)

    def order(self):
        return None  # in order: the DataLoader slices instead of gathering


class RandomSampler(Sampler):
    """A new random permutation every epoch; with ``replacement=True``, ``num_samples`` draws with
    replacement (as torch's)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be True or False, got {replacement!r}")
        if num_samples is not None and (not isinstance(num_samples, numbers.Integral) or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, got {num_samples!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, _one_stream(generator)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def order(self):
        n, rng = len(self.data_source), as_rng(self.generator)
        if is_torch(rng) and self.generator is None:
            # torch's RandomSampler without a generator shuffles with a fresh one seeded from the default
            rng = as_rng(Generator(kind="torch").manual_seed(int(rng.integers(0, 1 << 63))))
        if self.replacement:
            return rng.integers(0, n, self.num_samples)
        reps = -(-self.num_samples // n)  # torch: whole permutations, then the first num_samples % n of one more
        order = np.concatenate([rng.permutation(n) for _ in range(reps)])[: self.num_samples]
        if is_torch(rng) and self.generator is not None and self.num_samples % n == 0:
            rng.permutation(n)  # torch draws that last permutation even when it takes none of it
        return order

    def __iter__(self) -> Iterator[Any]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order every epoch."""

    def __init__(self, indices, generator=None) -> None:
        self.indices, self.generator = list(indices), _one_stream(generator)

    def order(self):
        return np.asarray(self.indices, dtype=np.int64)[as_rng(self.generator).permutation(len(self.indices))]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights`` (with replacement by
    default): oversampling a rare class."""

    def __init__(self, weights, num_samples, replacement=True, generator=None) -> None:
        w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
        if w.ndim != 1 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be a 1-d sequence of non-negative finite numbers "
                             "with a positive sum")
        if not isinstance(num_samples, numbers.Integral) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive integer, got {num_samples!r}")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError("WeightedRandomSampler: without replacement, num_samples cannot exceed the number of "
                             "nonzero weights")
        self.weights, self.num_samples, self.replacement = w, int(num_samples), replacement
        self.generator = _one_stream(generator)

    def order(self):
        p = self.weights / self.weights.sum()
        return as_rng(self.generator).choice(len(p), self.num_samples, replace=self.replacement, p=p)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size`` (the last one smaller unless
    ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be True or False, got {drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[Any]:
        batch = []
        for i in self.sampler:
            batch.append(int(i))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

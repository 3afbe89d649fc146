"""Datasets with PyTorch's interface: ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``.

A dataset is anything with ``__len__`` and ``__getitem__(i)`` → one sample. ``TensorDataset`` holds whole
arrays, so the ``DataLoader`` can cut a batch out of them in one indexing operation (its fast path).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ..engine import Tensor
from ..engine.rng import as_rng

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]


class Dataset:
    """The base class: subclasses implement ``__getitem__(index)`` (one sample) and ``__len__``."""

    def __getitem__(self, index) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")


class TensorDataset(Dataset):
    """Samples are slices along the first dimension of ``tensors``: ``ds[i] = (t[i] for t in tensors)``.

    Every tensor must have the same first dimension (the number of samples). NumPy arrays are accepted
    and wrapped as tensors (sharing memory). ``transform`` (a chainrule extension, default None) is applied
    to the first tensor's sample — or, by the DataLoader, to a whole batch at once (e.g. ``RandomShift``).
    """

    def __init__(self, *tensors, transform=None) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor (e.g. TensorDataset(X, y))")
        from ..engine import as_tensor, from_numpy

        tensors = tuple(t if isinstance(t, Tensor) else from_numpy(t) if isinstance(t, np.ndarray)
                        else as_tensor(t) for t in tensors)
        for i, t in enumerate(tensors):
            if t.dim() == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d (a scalar); it needs a sample dimension")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            shapes = ", ".join(f"tensor {i}: {tuple(t.shape)}" for i, t in enumerate(tensors))
            raise ValueError(
                f"TensorDataset: size mismatch between tensors ({shapes}); every tensor needs the same first "
                f"dimension, the number of samples"
            )
        if transform is not None and not callable(transform):
            raise TypeError(f"TensorDataset: transform must be callable, got {type(transform).__name__}")
        self.tensors = tensors
        self.transform = transform

    def __getitem__(self, index) -> Any:
        sample = tuple(t[index] for t in self.tensors)
        if self.transform is not None:
            sample = (self.transform(sample[0]),) + sample[1:]
        return sample

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i] = dataset[indices[i]]``."""

    def __init__(self, dataset, indices) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, idx) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset({len(self.indices)} of {type(self.dataset).__name__} of {len(self.dataset)})"


class ConcatDataset(Dataset):
    """The samples of several datasets one after another: ``len`` is the sum of theirs."""

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, idx) -> Any:
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"ConcatDataset: index {idx} is out of range for {n} samples")
        idx %= n
        k = int(np.searchsorted(self.cumulative_sizes, idx, side="right"))
        return self.datasets[k][idx - (int(self.cumulative_sizes[k - 1]) if k else 0)]

    def __repr__(self) -> str:
        return f"ConcatDataset({' + '.join(str(len(d)) for d in self.datasets)} samples)"


def _split_lengths(n, lengths):
    """Fractions → counts as torch does: floor each, then hand the remainder out round-robin from the first."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty; give sizes (ints) or fractions summing to 1")
    if all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in lengths):
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
        if sum(lengths) != n:
            raise ValueError(
                f"random_split: the lengths {lengths} sum to {sum(lengths)}, but the dataset has {n} samples"
            )
        return [int(x) for x in lengths]
    if all(isinstance(x, numbers.Real) and not isinstance(x, bool) and 0 <= x <= 1 for x in lengths) \
            and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0; this results in an empty "
                              f"dataset", stacklevel=3)
        return counts
    raise ValueError(
        f"random_split: lengths must be ints summing to len(dataset) = {n}, or fractions in [0, 1] summing "
        f"to 1; got {lengths}"
    )


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths (as torch).

    ``lengths``: ints that sum to ``len(dataset)``, or fractions that sum to 1 (each is floored, and the
    leftover samples go one each to the first subsets). ``generator``: a ``chainrule.Generator`` (None:
    the default one, seeded by ``chainrule.manual_seed``), a ``numpy.random.Generator`` or an int seed.
    """
    n = len(dataset)
    counts = _split_lengths(n, lengths)
    perm = as_rng(generator).permutation(n).tolist()
    out, start = [], 0
    for c in counts:
        out.append(Subset(dataset, perm[start:start + c]))
        start += c
    return out

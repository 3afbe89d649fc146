"""Data: ``Dataset``, ``TensorDataset``, ``DataLoader``, ``random_split``, transforms, and ``datasets``.

    from chainrule.data import DataLoader, TensorDataset, datasets
    split = datasets.load("digits", seed=0)
    for x, y in DataLoader(split.train, batch_size=64, shuffle=True):
        ...

The modules: ``dataset_classes`` (``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``,
``random_split``: torch.utils.data's), ``dataloader``, ``sampler``, ``datasets`` (the named data sets:
``load(name)``, the bundled real sets, ``digits_split``), ``toy`` (the 2-D generators), ``tabular`` (CSV),
``transforms``.
"""

from . import datasets
from .dataloader import DataLoader, default_collate
from .dataset_classes import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .datasets import DataSplit, load, names
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .tabular import from_csv
from .transforms import Compose, GaussianNoise, RandomShift, Standardize

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader", "default_collate",
           "Standardize", "RandomShift", "GaussianNoise", "Compose", "datasets", "load", "names", "DataSplit",
           "from_csv", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]

"""Data: ``Dataset``, ``TensorDataset``, ``DataLoader``, ``random_split``, transforms, and ``datasets``.

    from chainrule.data import DataLoader, TensorDataset, datasets
    split = datasets.load("digits", seed=0)
    for x, y in DataLoader(split.train, batch_size=64, shuffle=True):
        ...
"""

from . import datasets
from .dataloader import DataLoader, default_collate
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .datasets import DataSplit, load, names
from .tabular import from_csv
from .transforms import Compose, GaussianNoise, RandomShift, Standardize

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader", "default_collate",
           "Standardize", "RandomShift", "GaussianNoise", "Compose", "datasets", "load", "names", "DataSplit",
           "from_csv"]

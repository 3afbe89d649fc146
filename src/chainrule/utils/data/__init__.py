"""``chainrule.utils.data``: ``chainrule.data`` under PyTorch's path ``torch.utils.data``, with torch's submodules
(``torch.utils.data.dataloader``, ``.dataset``, ``.sampler``) so that their import lines run unchanged."""

from ...data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from ...data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from . import dataloader, dataset, sampler

__all__ = ["ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "dataloader", "dataset", "sampler"]

"""``torch.utils.data.dataset``'s names."""

from ...data.dataset_classes import ConcatDataset, Dataset, Subset, TensorDataset, random_split

__all__ = ["ConcatDataset", "Dataset", "Subset", "TensorDataset", "random_split"]

"""Re-exports ``chainrule.data`` under PyTorch's path ``torch.utils.data``."""

from ..data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

__all__ = ["ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]

"""Re-exports ``chainrule.data`` under PyTorch's path ``torch.utils.data``."""

from ..data import DataLoader, Dataset, Subset, TensorDataset, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "random_split"]

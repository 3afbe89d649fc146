"""torch.utils-style namespace: ``from chainrule.utils.data import DataLoader`` works as in PyTorch."""

from . import data

"""A custom Dataset over a NumPy table, DataLoader with shuffling, iter/next, and the epoch/iteration arithmetic.

After patrickloeber/pytorchTutorial, 09_dataloader.py @ 28e0e44 (MIT). Written anew for this suite; it keeps
the original's calls (a `Dataset` subclass with `__getitem__`/`__len__` over `torch.from_numpy(xy[:, 1:])` and
`xy[:, [0]]`, `DataLoader(dataset=..., batch_size=4, shuffle=True, num_workers=2)`, `next(iter(loader))`,
`math.ceil(total_samples / 4)`). Changed: the wine CSV comes from scikit-learn's bundled copy of the same table
(class in column 0, as the CSV has it); the torchvision MNIST part at the end is left out.
"""

import math

import numpy as np
import torch
from sklearn.datasets import load_wine
from torch.utils.data import DataLoader, Dataset


class WineDataset(Dataset):
    def __init__(self):
        wine = load_wine()
        xy = np.column_stack([wine.target + 1, wine.data]).astype(np.float32)
        self.n_samples = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, 1:])
        self.y_data = torch.from_numpy(xy[:, [0]])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.n_samples


dataset = WineDataset()
features, labels = dataset[0]
print(features, labels)
train_loader = DataLoader(dataset=dataset, batch_size=4, shuffle=True, num_workers=2)
features, labels = next(iter(train_loader))
print(features, labels)

num_epochs = 2
total_samples = len(dataset)
n_iterations = math.ceil(total_samples / 4)
print(total_samples, n_iterations)
for epoch in range(num_epochs):
    for i, (inputs, labels) in enumerate(train_loader):
        if (i + 1) % 15 == 0:
            print(f"Epoch: {epoch + 1}/{num_epochs}, Step {i + 1}/{n_iterations}| Inputs {inputs.shape} | "
                  f"Labels {labels.shape} | {labels.view(-1)}")

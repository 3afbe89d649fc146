"""Mini-batches with TensorDataset and a shuffling DataLoader.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/305_batch_train.py @ 4e5122c (MIT). Written anew for this
suite; it keeps the original's calls (`import torch.utils.data as Data`, `Data.TensorDataset(x, y)`,
`Data.DataLoader(dataset=..., batch_size=5, shuffle=True, num_workers=2)`, `batch_x.numpy()`) and prints the
batches. Changed: nothing (chainrule loads in the main process and says so on stderr for num_workers).
"""

import torch
import torch.utils.data as Data

BATCH_SIZE = 5
x = torch.linspace(1, 10, 10)
y = torch.linspace(10, 1, 10)
torch_dataset = Data.TensorDataset(x, y)
loader = Data.DataLoader(dataset=torch_dataset, batch_size=BATCH_SIZE, shuffle=True, num_workers=2)


def show_batch():
    for epoch in range(3):
        for step, (batch_x, batch_y) in enumerate(loader):
            print("Epoch: ", epoch, "| Step: ", step, "| batch x: ", batch_x.numpy(), "| batch y: ", batch_y.numpy())


if __name__ == "__main__":
    show_batch()

"""Softmax and cross-entropy by hand in NumPy and with torch (nn.CrossEntropyLoss, torch.max for predictions).

After patrickloeber/pytorchTutorial, 11_softmax_and_crossentropy.py @ ba42a95 and 12_activation_functions.py @
ba42a95 (MIT). Written anew for this suite; it keeps the originals' calls (`torch.softmax(x, dim=0)`,
`nn.CrossEntropyLoss()` on single and batched logits, `_, pred = torch.max(y_pred, 1)`, nn.Softmax/Sigmoid/Tanh/
ReLU/LeakyReLU and their functional forms) and what they print. Changed: nothing to replace.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

x = np.array([2.0, 1.0, 0.1])
print("softmax numpy:", np.exp(x) / np.sum(np.exp(x), axis=0))
print("softmax torch:", torch.softmax(torch.tensor([2.0, 1.0, 0.1]), dim=0))

loss = nn.CrossEntropyLoss()
Y = torch.tensor([0])
good, bad = torch.tensor([[2.0, 1.0, 0.1]]), torch.tensor([[0.5, 2.0, 0.3]])
print(f"loss good: {loss(good, Y).item():.4f}, loss bad: {loss(bad, Y).item():.4f}")
_, p1 = torch.max(good, 1)
_, p2 = torch.max(bad, 1)
print(f"actual: {Y.item()}, predicted: {p1.item()}, {p2.item()}")

Y = torch.tensor([2, 0, 1])
good = torch.tensor([[0.1, 0.2, 3.9], [1.2, 0.1, 0.3], [0.3, 2.2, 0.2]])
bad = torch.tensor([[0.9, 0.2, 0.1], [0.1, 0.3, 1.5], [1.2, 0.2, 0.5]])
print(f"batch loss good: {loss(good, Y).item():.4f}, bad: {loss(bad, Y).item():.4f}")
print(f"actual: {Y}, predicted: {torch.max(good, 1)[1]}, {torch.max(bad, 1)[1]}")

x = torch.tensor([-1.0, 1.0, 2.0, 3.0])
for layer, fn in [(nn.Softmax(dim=0), lambda t: torch.softmax(t, dim=0)), (nn.Sigmoid(), torch.sigmoid),
                  (nn.Tanh(), torch.tanh), (nn.ReLU(), torch.relu), (nn.LeakyReLU(), F.leaky_relu)]:
    print(layer, layer(x), fn(x))


class BinaryNet(nn.Module):
    def __init__(self, input_size, hidden_size):
        super(BinaryNet, self).__init__()
        self.linear1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(hidden_size, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear2(self.relu(self.linear1(x))))


model = BinaryNet(input_size=8 * 8, hidden_size=5)
out = model(torch.rand(4, 64))
print(model, out, nn.BCELoss()(out, torch.tensor([[1.0], [0.0], [1.0], [1.0]])))
